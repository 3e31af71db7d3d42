import type { User } from '@orderdesk/store';
import { forbidden, unauthenticated } from '../shared/errors.ts';
import type { Role } from '@orderdesk/core';

/** Who is calling: the user, their side of the channel and the tenant scope every query uses. */
export interface Actor {
  userId: string;
  email: string;
  name: string;
  roles: Role[];
  side: 'vendor' | 'partner';
  vendorId: string | null;
  partnerId: string | null;
  /** For a tier-2 reseller, the distributor it buys through (whose partnerships it uses). */
  parentPartnerId: string | null;
  /** The partner and the tier-2 resellers under it (a distributor sees both); empty for vendors. */
  partnerScopeIds: string[];
  via: 'session' | 'token';
}

export function parseRoles(user: Pick<User, 'roles'>): Role[] {
  return JSON.parse(user.roles) as Role[];
}

/** The caller, or a 401. */
export function requireActor(actor: Actor | null): Actor {
  if (!actor) throw unauthenticated();
  return actor;
}

/** The caller if they hold one of the roles, else 403 (401 when not logged in). */
export function requireRole(actor: Actor | null, roles: readonly Role[]): Actor {
  const a = requireActor(actor);
  if (!a.roles.some((r) => roles.includes(r))) {
    throw forbidden(`This action needs one of the roles: ${roles.join(', ')}`);
  }
  return a;
}

/** A vendor staff member (any vendor role, or one of `roles`), else 403. */
export function requireVendorStaff(
  actor: Actor | null,
  roles?: readonly Role[],
): Actor & { vendorId: string } {
  const a = requireActor(actor);
  if (a.side !== 'vendor' || a.vendorId === null) throw forbidden('This route is for vendor staff');
  if (roles) requireRole(a, roles);
  return a as Actor & { vendorId: string };
}

/** A partner user (any partner role, or one of `roles`), else 403. */
export function requirePartner(
  actor: Actor | null,
  roles?: readonly Role[],
): Actor & { partnerId: string } {
  const a = requireActor(actor);
  if (a.side !== 'partner' || a.partnerId === null)
    throw forbidden('This route is for partner users');
  if (roles) requireRole(a, roles);
  return a as Actor & { partnerId: string };
}
