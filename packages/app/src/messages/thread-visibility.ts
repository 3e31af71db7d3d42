// Which messages of an order's or quote's thread a reader sees. Vendor staff see the whole
// thread. A partner sees the messages it sent and those sent to it — to one of its addresses —
// but not the vendor's internal mail that hangs on the same thread (the quote request to the
// CAM, the decline to sales, escalations to the CAM and the escalation contact).
import type { VendorProfile } from '@orderdesk/core';
import {
  findPartnership,
  listContacts,
  listMessages,
  listPartnerUsers,
  listVendorUsers,
  type Executor,
  type Message,
  type Order,
} from '@orderdesk/store';
import { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import { vendorOf } from '../orders/order-view.ts';
import { decodeCursor, pageOf, type Page, type PageQuery } from '../shared/paging.ts';
import { threadMessageOf, type ThreadMessage } from './thread.ts';

/** Who a thread is between: what its partner-side addresses are read from. */
export interface ThreadParties {
  vendorId: string;
  profile: VendorProfile;
  /** The contracting partner, and the one that placed the order or asked for the quote. */
  partnerIds: readonly string[];
  customerId: string;
  /** Addresses the partner gave on the order itself (its contacts, its tier-2 reseller's). */
  given: readonly string[];
}

/** `Name <a@b>` or `a@b`, as the lower-case address. */
function addressOf(text: string): string {
  const angled = /<([^<>]+)>/.exec(text);
  return (angled?.[1] ?? text).trim().toLowerCase();
}

/** The vendor's own addresses: its staff, and the mailboxes and contacts its profile names. */
async function vendorAddressesOf(
  db: Executor,
  vendorId: string,
  profile: VendorProfile,
): Promise<Set<string>> {
  const out = new Set<string>();
  for (const u of await listVendorUsers(db, vendorId)) out.add(addressOf(u.email));
  const named = [
    profile.mail?.from,
    profile.mail?.replyTo,
    profile.invoiceRequests?.email,
    ...profile.channels.map((c) => c.address),
    ...(profile.escalation?.contacts ?? []).map((c) => c.email),
  ];
  for (const a of named) if (a) out.add(addressOf(a));
  return out;
}

/**
 * Whom a partner is on a thread: its users (and the ordering tier-2 reseller's), the
 * partnership's invoicing contact and provisioning CC, the contacts it gave on the order and
 * its customer's contacts, and whatever address it wrote to the thread from. An address of the
 * vendor never counts, even where the partner typed it into a contact field.
 */
async function partnerAddressesOf(
  db: Executor,
  parties: ThreadParties,
  thread: readonly Message[],
): Promise<Set<string>> {
  const vendor = await vendorAddressesOf(db, parties.vendorId, parties.profile);
  const found: string[] = [...parties.given];
  for (const partnerId of new Set(parties.partnerIds)) {
    for (const u of await listPartnerUsers(db, partnerId)) found.push(u.email);
    const p = await findPartnership(db, parties.vendorId, partnerId);
    if (p?.invoicing_contact_email) found.push(p.invoicing_contact_email);
    if (p?.provisioning_cc) found.push(p.provisioning_cc);
  }
  for (const c of await listContacts(db, parties.customerId)) found.push(c.email);
  for (const m of thread) if (m.direction === 'in') found.push(m.from_addr);
  const out = new Set<string>();
  for (const a of found) {
    const address = addressOf(a);
    if (address !== '' && !vendor.has(address)) out.add(address);
  }
  return out;
}

/** Whether a partner with these addresses sent the message or was sent it. */
function partnerSees(m: Message, addresses: ReadonlySet<string>): boolean {
  if (m.direction === 'in') return addresses.has(addressOf(m.from_addr));
  const recipients = [
    ...(JSON.parse(m.to_addrs) as string[]),
    ...(JSON.parse(m.cc_addrs) as string[]),
  ];
  return recipients.some((r) => addresses.has(addressOf(r)));
}

/**
 * The messages of a thread (oldest first) the actor may read: every one for vendor staff, a
 * partner's own for a partner (see partnerAddressesOf).
 */
export async function visibleMessages(
  db: Executor,
  actor: Actor,
  parties: ThreadParties,
  thread: readonly Message[],
): Promise<Message[]> {
  if (actor.side === 'vendor') return [...thread];
  return messagesPartnerSees(db, parties, thread);
}

/**
 * The messages of a thread (oldest first) its partner sees, whoever asks: what a message
 * written to the partner may answer or refer to, so that it never carries the vendor's
 * internal mail (or its Message-ID) to the partner.
 */
export async function messagesPartnerSees(
  db: Executor,
  parties: ThreadParties,
  thread: readonly Message[],
): Promise<Message[]> {
  const addresses = await partnerAddressesOf(db, parties, thread);
  return thread.filter((m) => partnerSees(m, addresses));
}

/** The parties of an order's thread. */
export async function orderThreadParties(db: Executor, order: Order): Promise<ThreadParties> {
  const { profile } = await vendorOf(db, order);
  const body = JSON.parse(order.body) as {
    contacts?: {
      siteAdmin?: { email?: string };
      provisioningCc?: string;
      invoicing?: { email?: string };
    };
    tier2Reseller?: { email?: string };
  };
  const given = [
    body.contacts?.siteAdmin?.email,
    body.contacts?.provisioningCc,
    body.contacts?.invoicing?.email,
    body.tier2Reseller?.email,
  ].filter((a): a is string => typeof a === 'string');
  return {
    vendorId: order.vendor_id,
    profile,
    partnerIds: [order.partner_id, order.ordering_partner_id],
    customerId: order.customer_id,
    given,
  };
}

const threadCursorSchema = z.object({ at: z.string(), id: z.string() });

/**
 * The order's e-mail thread (GET /orders/{id}/messages) as the actor may read it, oldest
 * first, a page at a time. The caller has checked the order is in the actor's scope. Vendor
 * staff page in SQL; a partner's thread is filtered before it is paged, so every page is full
 * and the last one ends the list. Both take the same cursor (the last message's time and id).
 */
export async function listOrderThreadPage(
  db: Executor,
  actor: Actor,
  order: Order,
  query: PageQuery,
): Promise<Page<ThreadMessage>> {
  const after = decodeCursor(query.cursor, threadCursorSchema);
  const cursorOf = (last: Message) => ({ at: last.created_at, id: last.id });
  const thread = { entityType: 'order' as const, entityId: order.id };
  if (actor.side === 'vendor') {
    const rows = await listMessages(db, thread, { limit: query.limit + 1, after });
    return pageOf(rows, query.limit, cursorOf, threadMessageOf);
  }
  const all = await listMessages(db, thread);
  const visible = await visibleMessages(db, actor, await orderThreadParties(db, order), all);
  let start = 0;
  if (after) {
    // The message the cursor names, where it is in the thread's own order; else the first
    // one past its time and id.
    const at = visible.findIndex((m) => m.id === after.id);
    start =
      at >= 0
        ? at + 1
        : visible.findIndex(
            (m) => m.created_at > after.at || (m.created_at === after.at && m.id > after.id),
          );
    if (start < 0) start = visible.length;
  }
  return pageOf(
    visible.slice(start, start + query.limit + 1),
    query.limit,
    cursorOf,
    threadMessageOf,
  );
}
