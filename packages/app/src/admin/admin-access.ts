import { findVendorById, type Executor, type User, type Vendor } from '@orderdesk/store';
import { requireAccess, type Access, type VendorAccess } from '../auth/access.ts';
import { parseRoles, requireActor, type Actor } from '../auth/actor.ts';
import { notFound } from '../shared/errors.ts';
import { findVisibleVendor } from '../vendors/vendor-scope.ts';
import type { UserStatus, UserView } from './admin.schemas.ts';

/** The tenant an admin administers: its vendor (vendor_admin) or its partner (partner_admin). */
export type AdminScope = { actor: Actor } & (
  | { side: 'vendor'; vendorId: string; partnerId: null }
  | { side: 'partner'; vendorId: null; partnerId: string }
);

/**
 * A tenant's users (and their lockouts) are administered by its admin: the vendor admin its
 * staff, the partner admin its users.
 */
export const TENANT_ADMIN_ACCESS: Access = {
  vendor: ['vendor_admin'],
  partner: ['partner_admin'],
};

/** The caller's tenant if it is that tenant's admin; 403 otherwise (401 when anonymous). */
export function requireTenantAdmin(actor: Actor | null): AdminScope {
  const a = requireAccess(actor, TENANT_ADMIN_ACCESS);
  return a.side === 'vendor'
    ? { actor: a, side: 'vendor', vendorId: a.vendorId, partnerId: null }
    : { actor: a, side: 'partner', vendorId: null, partnerId: a.partnerId };
}

/** Whether `user` belongs to the tenant of `scope` (its own side and vendor/partner). */
export function isInScope(
  scope: AdminScope,
  user: Pick<User, 'vendor_id' | 'partner_id'>,
): boolean {
  return scope.side === 'vendor'
    ? user.vendor_id === scope.vendorId
    : user.partner_id === scope.partnerId && user.vendor_id === null;
}

/**
 * A vendor by slug for one of its own staff that `access` admits: 404 when the caller may not
 * see it (another vendor's staff, a partner without a partnership), 403 when it may see it but
 * not administer it (a partner, or staff without the role).
 */
export async function findStaffVendor(
  db: Executor,
  actor: Actor | null,
  slug: string,
  access: VendorAccess,
): Promise<Vendor> {
  const a = requireActor(actor);
  const vendor = await findVisibleVendor(db, a, slug);
  const staff = requireAccess(a, access);
  if (staff.vendorId !== vendor.id) throw notFound('Vendor');
  return vendor;
}

/** The caller's own vendor row (a vendor admin's). */
export async function ownVendor(db: Executor, vendorId: string): Promise<Vendor> {
  const vendor = await findVendorById(db, vendorId);
  if (!vendor) throw notFound('Vendor');
  return vendor;
}

export function userStatusOf(user: Pick<User, 'active' | 'password_hash'>): UserStatus {
  if (user.active !== 1) return 'deactivated';
  return user.password_hash === null ? 'invited' : 'active';
}

/** A user as admins see it: never its password hash. */
export function toUserView(user: User): UserView {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    roles: parseRoles(user),
    status: userStatusOf(user),
    createdAt: user.created_at,
    deactivatedAt: user.deactivated_at,
  };
}
