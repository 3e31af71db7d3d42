// The roles a user can hold. Partner-side roles belong to a distributor or reseller; vendor-side
// roles to the vendor's staff (API.md, "Identity").

/** Partner-side roles. */
export const PARTNER_ROLES = ['partner_user', 'partner_admin'] as const;
export type PartnerRole = (typeof PARTNER_ROLES)[number];

/** Vendor-side roles. */
export const VENDOR_ROLES = [
  'cam',
  'sales',
  'order_desk',
  'finance',
  'provisioning',
  'vendor_admin',
] as const;
export type VendorRole = (typeof VENDOR_ROLES)[number];

/** Every role, partner side first. */
export const ROLES = [...PARTNER_ROLES, ...VENDOR_ROLES] as const;
export type Role = (typeof ROLES)[number];

/** The two sides an actor can be on. */
export const ACTOR_SIDES = ['partner', 'vendor'] as const;
export type ActorSide = (typeof ACTOR_SIDES)[number];

/** Which side a role belongs to. */
export function sideOfRole(role: Role): ActorSide {
  return (PARTNER_ROLES as readonly string[]).includes(role) ? 'partner' : 'vendor';
}

/** Who takes an action: a user's roles and its side, or the system (jobs, intake, effects). */
export interface ActorRef {
  readonly roles: readonly string[];
  readonly side: ActorSide | 'system';
}

/** The roles that count for an actor: those of its own side; none for the system. */
export function rolesOnOwnSide(actor: ActorRef): string[] {
  if (actor.side === 'system') return [];
  return actor.roles.filter(
    (role) =>
      (ROLES as readonly string[]).includes(role) && sideOfRole(role as Role) === actor.side,
  );
}
