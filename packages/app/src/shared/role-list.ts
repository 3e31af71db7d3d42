import { z } from 'zod';

/**
 * A list of roles out of `roles`: at least one, each once (a user's roles, a customer
 * contact's). A role sent twice is a mistake of the client's, not a second grant.
 */
export function roleListSchema<const Role extends string>(roles: readonly [Role, ...Role[]]) {
  return z
    .array(z.enum(roles))
    .min(1)
    .max(roles.length)
    .refine((r) => new Set(r).size === r.length, 'Each role once');
}
