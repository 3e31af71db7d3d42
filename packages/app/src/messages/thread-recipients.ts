// Whom a message written on a thread in OrderDesk goes to, read from the same routing the
// profile's notifications use (events/notify-by-profile.ts): the vendor's staff write to the
// partner the notifications address (`partner`: who placed the order or asked for the quote,
// else the admins of that partner); a partner writes where the vendor's mail says replies go
// (the profile's `mail.replyTo`, else the address it sends from: the orders mailbox) about an
// order, and to whom a quote request goes (the CAM, sales) about a quote.
import type { VendorProfile } from '@orderdesk/core';
import {
  findPartnership,
  findUserById,
  listPartnerUsers,
  listVendorUsers,
  type Executor,
  type User,
} from '@orderdesk/store';

const isActive = (u: { active: number }): boolean => u.active !== 0;
const hasRole = (u: { roles: string }, role: string): boolean =>
  (JSON.parse(u.roles) as string[]).includes(role);

/** `Name <a@b>` or `a@b`, as the lower-case address. */
export function bareAddress(text: string): string {
  const angled = /<([^<>]+)>/.exec(text);
  return (angled?.[1] ?? text).trim().toLowerCase();
}

/** The addresses once each (compared without case), in their first order; empties dropped. */
export function uniqueAddresses(addresses: readonly string[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const a of addresses) {
    const key = bareAddress(a);
    if (key === '' || seen.has(key)) continue;
    seen.add(key);
    out.push(a.trim());
  }
  return out;
}

/**
 * The notifications' `partner`: the partner user who placed the order or asked for the quote,
 * while active; else (nobody of the partner acted, or that user left) the admins of the
 * partner that placed or asked for it.
 */
export async function partnerRecipients(
  db: Executor,
  input: { partnerUserId: string | null; orderingPartnerId: string },
): Promise<string[]> {
  const user = input.partnerUserId ? await findUserById(db, input.partnerUserId) : undefined;
  if (user?.partner_id && isActive(user)) return [user.email];
  const users = await listPartnerUsers(db, input.orderingPartnerId);
  return users.filter((u) => isActive(u) && hasRole(u, 'partner_admin')).map((u) => u.email);
}

/** Active staff of the vendor holding `role`. */
function staffOf(staff: readonly User[], role: string): string[] {
  return staff.filter((u) => isActive(u) && hasRole(u, role)).map((u) => u.email);
}

/**
 * Where a partner's mail about an order goes: where the vendor's own mail says replies go
 * (`mail.replyTo`, else `mail.from`, else its e-mail channel's mailbox — the order desk's
 * shared mailbox, which mail intake reads back and de-duplicates). A vendor that names no
 * mailbox: its order desk staff, else its admins.
 */
export async function orderDeskRecipients(
  db: Executor,
  vendorId: string,
  profile: VendorProfile,
): Promise<string[]> {
  const mailbox =
    profile.mail?.replyTo ??
    profile.mail?.from ??
    profile.channels.find((c) => c.kind === 'email' && c.address)?.address;
  if (mailbox) return [mailbox];
  const staff = await listVendorUsers(db, vendorId);
  const desk = staffOf(staff, 'order_desk');
  return desk.length > 0 ? desk : staffOf(staff, 'vendor_admin');
}

/**
 * Where a partner's mail about a quote goes, as its quote request went: the partnership's
 * CAM; with `quotePolicy.requestRouting: sales` also sales; sales alone when there is no
 * active CAM; the vendor's admins if there is no one else.
 */
export async function quoteDeskRecipients(
  db: Executor,
  input: { vendorId: string; partnerId: string; profile: VendorProfile },
): Promise<string[]> {
  const to: string[] = [];
  const partnership = await findPartnership(db, input.vendorId, input.partnerId);
  const cam = partnership?.cam_user_id
    ? await findUserById(db, partnership.cam_user_id)
    : undefined;
  if (cam && isActive(cam) && cam.vendor_id === input.vendorId) to.push(cam.email);
  if (input.profile.quotePolicy.requestRouting === 'sales' || to.length === 0) {
    const staff = await listVendorUsers(db, input.vendorId);
    to.push(...staffOf(staff, 'sales'));
    if (to.length === 0) to.push(...staffOf(staff, 'vendor_admin'));
  }
  return uniqueAddresses(to);
}
