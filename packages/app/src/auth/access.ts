import type { Role } from '@orderdesk/core';
import { forbidden } from '../shared/errors.ts';
import { requireActor, type Actor } from './actor.ts';

/** The users of one side a use case admits: all of them (`'any'`), or those holding one of the roles. */
export type SideAccess = 'any' | readonly Role[];

/**
 * Who may use a use case at all, known from the caller alone: by side (vendor staff, partner
 * users) and, where limited, role. A side left out is refused. Each use case that refuses
 * callers this way declares its access as a constant beside it and checks it with
 * `requireAccess`; the HTTP adapter checks the same constant before it reads a request's body
 * (`config: { access }`), so such a caller gets 403 rather than the body's schema errors.
 * Only what the use case refuses unconditionally belongs here; what depends on the input (a
 * path's action, the vendor's profile, whose record it is) stays in the use case.
 *
 * @example
 * export const CREATE_QUOTE_ACCESS: VendorAccess = { vendor: ['sales', 'cam'] };
 * const actor = requireAccess(actorIn, CREATE_QUOTE_ACCESS); // Actor & { vendorId: string }
 */
export interface Access {
  readonly vendor?: SideAccess;
  readonly partner?: SideAccess;
  /** The 403's detail; by default it names the side or the roles the use case needs. */
  readonly refusal?: string;
}

/** Access for vendor staff only. */
export interface VendorAccess extends Access {
  readonly vendor: SideAccess;
  readonly partner?: undefined;
}

/** Access for partner users only. */
export interface PartnerAccess extends Access {
  readonly partner: SideAccess;
  readonly vendor?: undefined;
}

/** A vendor staff member, of a vendor. */
export type VendorActor = Actor & { side: 'vendor'; vendorId: string };
/** A partner user, of a partner. */
export type PartnerActor = Actor & { side: 'partner'; partnerId: string };

/** What `actor`'s side is granted: undefined when the side is refused (or the actor has no tenant). */
function grantOf(actor: Actor, access: Access): SideAccess | undefined {
  if (actor.side === 'vendor') return actor.vendorId === null ? undefined : access.vendor;
  return actor.partnerId === null ? undefined : access.partner;
}

function holdsOneOf(actor: Actor, roles: readonly Role[]): boolean {
  return actor.roles.some((r) => roles.includes(r));
}

/** Whether `access` admits `actor` (its side, and one of the roles where they are listed). */
export function hasAccess(actor: Actor, access: Access): boolean {
  const grant = grantOf(actor, access);
  return grant === 'any' || (grant !== undefined && holdsOneOf(actor, grant));
}

/** The detail of a refusal: the access's own, else the side or the roles it lacks. */
function refusalOf(actor: Actor, access: Access): string {
  if (access.refusal !== undefined) return access.refusal;
  const grant = grantOf(actor, access);
  if (grant !== undefined && grant !== 'any') {
    return `This action needs one of the roles: ${grant.join(', ')}`;
  }
  if (access.partner === undefined) return 'This route is for vendor staff';
  if (access.vendor === undefined) return 'This route is for partner users';
  return 'Your role does not allow this action';
}

/**
 * The caller if `access` admits it, else 403 (401 when not logged in). Only a user of a tenant
 * is admitted: vendor staff with their vendor, a partner user with its partner.
 */
export function requireAccess(actor: Actor | null, access: VendorAccess): VendorActor;
export function requireAccess(actor: Actor | null, access: PartnerAccess): PartnerActor;
export function requireAccess(actor: Actor | null, access: Access): VendorActor | PartnerActor;
export function requireAccess(actor: Actor | null, access: Access): VendorActor | PartnerActor {
  const a = requireActor(actor);
  if (!hasAccess(a, access)) throw forbidden(refusalOf(a, access));
  return a as VendorActor | PartnerActor;
}
