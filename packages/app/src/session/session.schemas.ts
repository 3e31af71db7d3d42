import { z } from 'zod';
import { ROLES } from '@orderdesk/core';

export const loginBodySchema = z.strictObject({
  email: z.email().max(320),
  password: z.string().min(1).max(1024),
});

export const meSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    roles: z.array(z.enum(ROLES)),
    vendor: z.object({ id: z.string(), slug: z.string(), name: z.string() }).optional(),
    partner: z
      .object({
        id: z.string(),
        name: z.string(),
        tier: z.number().int(),
        parentPartnerId: z.string().nullable(),
      })
      .optional(),
  })
  .meta({ id: 'Me' });

export const loginResponseSchema = z.object({ user: meSchema, csrfToken: z.string() });

export const tokenBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  /** The new token may itself create tokens (only a session or such a token may grant it). */
  canMint: z.boolean().optional(),
  /** When the token stops working (an ISO instant in the future); none: until revoked. */
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});
export const tokenResponseSchema = z.object({
  id: z.string(),
  name: z.string(),
  token: z.string(),
  canMint: z.boolean(),
  expiresAt: z.string().nullable(),
});

/** A recorded login lockout of a user of the caller's tenant (GET /login-lockouts). */
export const loginLockoutSchema = z
  .object({
    id: z.string(),
    at: z.string(),
    userId: z.string(),
    email: z.string(),
    /** `address`: throttled from one client address; `account`: from everywhere but known devices. */
    scope: z.enum(['address', 'account']),
    clientAddress: z.string().nullable(),
    /** Failed logins counted when it began. */
    failures: z.number().int(),
    /** How long the first refusal lasted (then it grows with each further failure). */
    blockedSeconds: z.number().int(),
  })
  .meta({ id: 'LoginLockout' });
export type LoginLockoutView = z.infer<typeof loginLockoutSchema>;

export const loginLockoutListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});
