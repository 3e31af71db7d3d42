// Where an incoming message belongs: which vendor (its profile's intake mailbox among the
// recipients), whether it answers a thread (In-Reply-To / References, or the order number in
// the subject), and which partner sent it (a user or contact of one of the vendor's
// partnerships, else the partner's mail domain). A sender that does not belong to the partner
// it claims to be is flagged, never trusted silently.
import type { VendorProfile } from '@orderdesk/core';
import {
  findIntakeItemInScope,
  findOrderIdByNumber,
  findPartnerById,
  findQuoteIdByNumber,
  findThreadMessageOfVendor,
  findUserByEmail,
  findVendorById,
  listPartnerships,
  listPartnerUsers,
  listVendors,
  type Executor,
  type Vendor,
} from '@orderdesk/store';
import { profileOfVendor } from '../vendors/profile-cache.ts';
import type { IncomingMail } from './incoming-mail.ts';

export interface RoutedVendor {
  vendor: Vendor;
  profile: VendorProfile;
  /** The intake mailbox the message was addressed to. */
  mailbox: string;
}

/** The email-channel addresses of a profile (lower-cased). */
export function intakeAddressesOf(profile: VendorProfile): string[] {
  return profile.channels
    .filter((c) => c.kind === 'email' && c.address)
    .map((c) => (c.address ?? '').toLowerCase());
}

// The vendors' intake mailboxes, read again at most every few seconds: a poll of a thousand
// mails need not read every vendor and profile a thousand times, and a profile published
// meanwhile is seen within seconds.
const MAILBOXES_TTL_MS = 5000;
let mailboxes: { db: Executor; at: number; list: Promise<RoutedVendor[]> } | undefined;

async function intakeMailboxes(db: Executor): Promise<RoutedVendor[]> {
  const now = Date.now();
  if (mailboxes && mailboxes.db === db && now - mailboxes.at < MAILBOXES_TTL_MS) {
    return mailboxes.list;
  }
  const list = (async () => {
    const out: RoutedVendor[] = [];
    for (const v of await listVendors(db, {})) {
      const vendor = await findVendorById(db, v.id);
      if (!vendor) continue;
      const profile = await profileOfVendor(db, vendor);
      for (const address of intakeAddressesOf(profile)) {
        out.push({ vendor, profile, mailbox: address });
      }
    }
    return out;
  })();
  mailboxes = { db, at: now, list };
  list.catch(() => {
    if (mailboxes?.list === list) mailboxes = undefined;
  });
  return list;
}

/** The vendor whose intake mailbox is among the recipients (To and Cc, then Delivered-To). */
export async function vendorOfRecipients(
  db: Executor,
  mail: Pick<IncomingMail, 'to' | 'cc' | 'deliveredTo'>,
): Promise<RoutedVendor | null> {
  const listed = [...mail.to, ...mail.cc];
  const candidates = [listed, mail.deliveredTo];
  const vendors = await intakeMailboxes(db);
  for (const recipients of candidates) {
    const found = vendors.find((v) => recipients.includes(v.mailbox));
    if (found) return found;
  }
  return null;
}

export type ReplyTarget =
  | { entityType: 'order' | 'quote'; entityId: string; partnerId: string | null }
  | { entityType: 'intake'; entityId: string; partnerId: string | null };

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The thread a message answers: the thread of a message it refers to (the most recent
 * reference first), else the order whose number its subject names. An intake item that became
 * an order answers with the order.
 */
export async function replyTargetOf(
  db: Executor,
  routed: RoutedVendor,
  mail: Pick<IncomingMail, 'inReplyTo' | 'references' | 'subject'>,
): Promise<ReplyTarget | null> {
  const ids = [...(mail.inReplyTo ? [mail.inReplyTo] : []), ...[...mail.references].reverse()];
  const message = await findThreadMessageOfVendor(db, routed.vendor.id, ids);
  if (message) {
    if (message.entity_type === 'intake') {
      const item = await findIntakeItemInScope(db, message.entity_id, {
        vendorId: routed.vendor.id,
      });
      if (item?.order_id) {
        return { entityType: 'order', entityId: item.order_id, partnerId: item.partner_id };
      }
      return {
        entityType: 'intake',
        entityId: message.entity_id,
        partnerId: item?.partner_id ?? null,
      };
    }
    if (message.entity_type === 'order' || message.entity_type === 'quote') {
      return {
        entityType: message.entity_type,
        entityId: message.entity_id,
        partnerId: message.partner_id,
      };
    }
  }
  const prefix = routed.profile.orderNumberPrefix;
  if (prefix) {
    // Quote numbers embed the order prefix (Q-EW-000001): look for them first, and never take
    // the tail of a quote number for an order number.
    const quotePrefix = `Q-${prefix.replace(/[^A-Z0-9]/gi, '')}-`;
    const quote = new RegExp(`(?:^|[^A-Za-z0-9-])(${escapeRegExp(quotePrefix)}\\d{3,})\\b`).exec(
      mail.subject,
    );
    if (quote?.[1]) {
      const quoteId = await findQuoteIdByNumber(db, routed.vendor.id, quote[1]);
      if (quoteId) return { entityType: 'quote', entityId: quoteId, partnerId: null };
    }
    const order = new RegExp(`(?:^|[^A-Za-z0-9-])(${escapeRegExp(prefix)}\\d{3,})\\b`).exec(
      mail.subject,
    );
    if (order?.[1]) {
      const orderId = await findOrderIdByNumber(db, routed.vendor.id, order[1]);
      if (orderId) return { entityType: 'order', entityId: orderId, partnerId: null };
    }
  }
  return null;
}

/** Why a sender is not taken at its word. */
export const SENDER_FLAGS = [
  'sender_outside_partner_domains',
  'reply_to_outside_partner_domains',
  'sender_authentication_failed',
  'sender_unknown',
] as const;
export type SenderFlagCode = (typeof SENDER_FLAGS)[number];

export interface SenderFlag {
  code: SenderFlagCode;
  message: string;
}

export interface SenderMatch {
  partnerId: string | null;
  partnerName: string | null;
  /** How the partner was found. */
  by: 'user' | 'contact' | 'domain' | 'document' | null;
  flags: SenderFlag[];
}

/** Mail domains shared by many unrelated senders: never evidence of who a partner is. */
const PUBLIC_DOMAINS = new Set([
  'gmail.com',
  'googlemail.com',
  'outlook.com',
  'hotmail.com',
  'live.com',
  'yahoo.com',
  'icloud.com',
  'aol.com',
  'gmx.net',
  'proton.me',
  'protonmail.com',
]);

function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

function normalName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .replace(/\b(inc|ltd|llc|gmbh|corp|co|limited|the)\b/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

interface PartnerCandidate {
  partnerId: string;
  name: string;
  legalName: string;
  addresses: Set<string>;
  domains: Set<string>;
}

/** The vendor's partners with the addresses and domains each is known by. */
async function partnersOfVendor(db: Executor, vendorId: string): Promise<PartnerCandidate[]> {
  const out: PartnerCandidate[] = [];
  for (const p of await listPartnerships(db, { vendorId })) {
    const addresses = new Set<string>();
    for (const email of [p.invoicing_contact_email, p.provisioning_cc]) {
      if (email) addresses.add(email.toLowerCase());
    }
    for (const u of await listPartnerUsers(db, p.partner_id)) {
      if (u.active !== 0) addresses.add(u.email.toLowerCase());
    }
    const domains = new Set(
      [...addresses].map(domainOf).filter((d) => d !== '' && !PUBLIC_DOMAINS.has(d)),
    );
    out.push({
      partnerId: p.partner_id,
      name: p.partner_name,
      legalName: p.legal_name,
      addresses,
      domains,
    });
  }
  return out;
}

/**
 * The partner who sent the message. A partner user (tier-2 resellers included) or a contact
 * of a partnership is the partner itself; an unknown address of a partner's domain is that
 * partner. Failing both, the buyer named on the document may name the partner — then the
 * sender is outside its domains and flagged. Reply-To/Sender outside the partner's domains and
 * a failed SPF/DKIM/DMARC check are flagged too.
 */
export async function partnerOfSender(
  db: Executor,
  vendorId: string,
  mail: Pick<IncomingMail, 'from' | 'replyTo' | 'authenticationFailed'>,
  documentBuyer: string | undefined,
): Promise<SenderMatch> {
  const flags: SenderFlag[] = [];
  const from = mail.from ?? '';
  const partners = await partnersOfVendor(db, vendorId);
  let match: SenderMatch = { partnerId: null, partnerName: null, by: null, flags };
  let domains = new Set<string>();

  const user = from ? await findUserByEmail(db, from) : undefined;
  if (user?.partner_id && user.active !== 0) {
    const partner = await findPartnerById(db, user.partner_id);
    const contracting = partner?.parent_partner_id ?? partner?.id;
    const holder = partners.find((p) => p.partnerId === contracting);
    if (partner && holder) {
      match = { partnerId: partner.id, partnerName: partner.name, by: 'user', flags };
      domains = new Set([...holder.domains, domainOf(from)]);
    }
  }
  if (!match.partnerId) {
    const contact = partners.find((p) => p.addresses.has(from));
    if (contact) {
      match = { partnerId: contact.partnerId, partnerName: contact.name, by: 'contact', flags };
      domains = contact.domains;
    }
  }
  if (!match.partnerId && from) {
    const byDomain = partners.filter((p) => p.domains.has(domainOf(from)));
    if (byDomain.length === 1 && byDomain[0]) {
      const p = byDomain[0];
      match = { partnerId: p.partnerId, partnerName: p.name, by: 'domain', flags };
      domains = p.domains;
    }
  }
  if (!match.partnerId && documentBuyer) {
    const buyer = normalName(documentBuyer);
    const named = partners.filter(
      (p) => buyer !== '' && (normalName(p.name) === buyer || normalName(p.legalName) === buyer),
    );
    if (named.length === 1 && named[0]) {
      const p = named[0];
      match = { partnerId: p.partnerId, partnerName: p.name, by: 'document', flags };
      domains = p.domains;
      flags.push({
        code: 'sender_outside_partner_domains',
        message: `The PO names ${p.name}, but ${from || 'the sender'} is not one of its addresses or domains (${[...p.domains].join(', ') || 'none known'})`,
      });
    }
  }
  if (!match.partnerId) {
    flags.push({
      code: 'sender_unknown',
      message: `${from || 'The sender'} is no user or contact of any of your partners`,
    });
  } else {
    const outside = mail.replyTo.filter((a) => !domains.has(domainOf(a)) && a !== from);
    if (outside.length > 0) {
      flags.push({
        code: 'reply_to_outside_partner_domains',
        message: `Replies would go to ${outside.join(', ')}, outside ${match.partnerName}'s domains`,
      });
    }
  }
  if (mail.authenticationFailed) {
    flags.push({
      code: 'sender_authentication_failed',
      message: 'The receiving server reports a failed SPF, DKIM or DMARC check for the sender',
    });
  }
  return match;
}
