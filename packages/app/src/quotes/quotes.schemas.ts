import { z } from 'zod';
import { calendarDate, QUOTE_STATUSES } from '@orderdesk/core';
import { pageQuerySchema } from '../shared/paging.ts';

/** The quote actions a user takes through the API (the machine also has system actions). */
export const QUOTE_USER_ACTIONS = ['approve', 'decline', 'revise'] as const;
export type QuoteUserAction = (typeof QUOTE_USER_ACTIONS)[number];

const lineInput = z.strictObject({
  partNumber: z.string().trim().min(1).max(100),
  quantity: z.number().int().min(1).max(10_000_000),
});

export const quoteRequestBodySchema = z.strictObject({
  vendor: z.string().trim().min(1).max(100),
  customerId: z.string().trim().min(1).max(100),
  orderType: z.string().trim().min(1).max(100),
  lines: z.array(lineInput).max(1000).optional(),
  subscriptionId: z.string().trim().min(1).max(100).optional(),
  notes: z.string().max(10_000).optional(),
});

export const quoteRequestSchema = z
  .object({
    id: z.string(),
    status: z.enum(['open', 'quoted', 'closed']),
    vendor: z.string(),
    partnerId: z.string(),
    requestedByPartnerId: z.string(),
    customer: z.object({ id: z.string(), name: z.string() }),
    orderType: z.string(),
    lines: z.array(z.object({ partNumber: z.string(), quantity: z.number().int() })),
    subscriptionId: z.string().nullable(),
    notes: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'QuoteRequest' });

export const quoteBodySchema = z.strictObject({
  vendor: z.string().trim().min(1).max(100).optional(),
  partnerId: z.string().trim().min(1).max(100),
  customerId: z.string().trim().min(1).max(100),
  orderType: z.string().trim().min(1).max(100),
  currency: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{3}$/, 'ISO 4217 currency code')
    .optional(),
  validUntil: calendarDate.optional(),
  lines: z.array(lineInput).min(1).max(5000),
  quoteRequestId: z.string().trim().min(1).max(100).optional(),
  subscriptionId: z.string().trim().min(1).max(100).optional(),
  notes: z.string().max(10_000).optional(),
});

export const quoteActionParams = z.object({
  id: z.string().min(1).max(100),
  action: z.enum(QUOTE_USER_ACTIONS),
});
/**
 * The body of a quote action. Optional: a request with no body at all (Fastify passes
 * `undefined`, or `null`) is read as `{}`; unknown fields are still refused.
 */
export const quoteActionBodySchema = z
  .strictObject({
    reason: z.string().trim().max(5000).optional(),
    lines: z.array(lineInput).min(1).max(5000).optional(),
    validUntil: calendarDate.optional(),
    notes: z.string().max(10_000).optional(),
  })
  .nullish()
  .transform((v) => v ?? {});

export const quoteSchema = z
  .object({
    id: z.string(),
    number: z.string(),
    /** The n-th issue of this quote number (a revision supersedes the previous one). */
    revision: z.number().int(),
    /**
     * Concurrency version (If-Match): grows with every change of this revision; a revision
     * starts one above the version of the quote it replaces (a new quote at 1).
     */
    version: z.number().int(),
    status: z.enum(QUOTE_STATUSES),
    vendor: z.string(),
    partnerId: z.string(),
    customerId: z.string(),
    orderType: z.string(),
    currency: z.string(),
    validUntil: z.string(),
    quoteRequestId: z.string().nullable(),
    subscriptionId: z.string().nullable(),
    previousId: z.string().nullable(),
    /** The revision that superseded this one, when it is superseded. */
    supersededBy: z.object({ id: z.string(), revision: z.number().int() }).nullable(),
    notes: z.string().nullable(),
    availableActions: z.array(z.enum(QUOTE_USER_ACTIONS)),
    lines: z.array(
      z.object({
        partNumber: z.string(),
        name: z.string(),
        quantity: z.number().int(),
        /** Null where the caller may not see list prices (pricing.partnerVisible). */
        listPrice: z.string().nullable(),
        /** Null for a tier-2 reseller (its distributor's) or where the profile hides it. */
        multiplier: z.string().nullable(),
        netPrice: z.string(),
        amount: z.string(),
      }),
    ),
    total: z.string(),
    createdAt: z.string(),
  })
  .meta({ id: 'Quote' });

export const quoteListQuerySchema = pageQuerySchema.extend({
  status: z.enum(QUOTE_STATUSES).optional(),
  customerId: z.string().min(1).max(100).optional(),
});
