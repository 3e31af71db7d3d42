import { randomBytes } from 'node:crypto';
import { sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and imports no application code.
// Issue 12: orders of one partnership no longer wait for each other on a lock of the
// partnership row. The rule "a PO number is used once per partnership by a live order" is
// now kept by the database: at most one order per (vendor, partner, PO number) among those
// that are neither rejected nor cancelled (their numbers are free again) nor on hold (an order
// on hold may be corrected to any number; it must pass the check, and this index, when it is
// resubmitted). A submission still reports the duplicate with every other problem (the
// check before writing); the index decides the race between two that check at once.
//
// A database may already hold live duplicates: before 2026-11-23 (commit 692c4cf) two
// submissions on PostgreSQL could both pass the duplicate check (no lock between the check and
// the insert), and rows may have been written outside the app. Before the index, each such
// group keeps one order and every other one is put on hold as the order desk would put it:
// status on_hold, version + 1, a `po.duplicate` problem whose reason does not name the kept
// order (it may be a sibling reseller's, which this partner may not see), and an `order.held`
// audit event by "migration 0017". Nothing is lost and the desk sees them in its on-hold list.
// The partner gets no e-mail (a migration sends none; the app's hold mails the partner):
// accepted.
//
// An order cannot be held, here as in the app, when it is completed (a final status;
// resubmitting would complete it twice), when its vendor's workflow switches holding off
// (`hold.roles` or `hold.from` empty), or when its status is not in that workflow's
// `hold.from` (the stored profile is the resolved one; without `hold.from` every stage may be
// held). In a group, the one order that cannot be held keeps the number; when every order can
// be held, the one furthest along keeps it (completed, provisioning, booking, submitted; a
// status the default workflow does not have counts as submitted), then the earliest submitted
// (submitted_at, then id). A group with two or more orders that cannot be held stops the
// migration before anything is written, with an error that names the vendor, partner, PO
// number and each order (number, id, status) and says why each listed one cannot be held.
// To get past it, keep one order of the group and give each other one a PO number of its own
// (also right for a completed order that really was fulfilled twice)
//   update orders set po_number = '<PO>-2', version = version + 1 where id = '<id>';
// or, if it is not completed and is a duplicate, cancel it by SQL
//   update orders set status = 'cancelled', version = version + 1 where id = '<id>';
// which skips what the app's cancel does besides (a quote the order consumed is not released,
// no audit event is recorded), then run `orderdesk migrate` (or start OrderDesk) again. The
// app cannot do it instead: it migrates before it serves, and a completed order has no action
// that leaves its status.
//
// These steps are no-ops on a database without duplicates (one query finds none), so a
// database that applied the earlier body of this migration (the index alone) is in the same
// state as one that applies this body.

const NOT_LIVE = ['rejected', 'cancelled', 'on_hold'] as const;
const ACTOR = 'migration 0017';

interface LiveDuplicate {
  id: string;
  vendor_id: string;
  partner_id: string;
  po_number: string;
  number: string;
  type: string;
  status: string;
  submitted_at: string;
  vendor_name: string;
  vendor_profile: string | null;
  partner_name: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // SQLite runs migrations outside a transaction: the holds, their events and the index go
  // together (PostgreSQL's migrator already runs this one in a transaction).
  if (!db.isTransaction) {
    await db.transaction().execute((tx) => up(tx));
    return;
  }
  await putOnHold(db, await plannedHolds(db));
  await db.schema
    .createIndex('orders_live_po_number_uq')
    .on('orders')
    .columns(['vendor_id', 'partner_id', 'po_number'])
    .unique()
    .where(
      sql<boolean>`po_number is not null and status not in ('rejected', 'cancelled', 'on_hold')`,
    )
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('orders_live_po_number_uq').execute();
}

/** The live duplicates to hold, group by group; throws, naming them, for groups that cannot be. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function plannedHolds(db: Kysely<any>): Promise<LiveDuplicate[]> {
  const rows: LiveDuplicate[] = await db
    .selectFrom('orders as o')
    .innerJoin('vendors as v', 'v.id', 'o.vendor_id')
    .innerJoin('partners as p', 'p.id', 'o.partner_id')
    .select([
      'o.id',
      'o.vendor_id',
      'o.partner_id',
      'o.po_number',
      'o.number',
      'o.type',
      'o.status',
      'o.submitted_at',
      'v.name as vendor_name',
      'v.profile as vendor_profile',
      'p.name as partner_name',
    ])
    .where('o.po_number', 'is not', null)
    .where('o.status', 'not in', NOT_LIVE)
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('orders as d')
          .select('d.id')
          .whereRef('d.vendor_id', '=', 'o.vendor_id')
          .whereRef('d.partner_id', '=', 'o.partner_id')
          .whereRef('d.po_number', '=', 'o.po_number')
          .whereRef('d.id', '!=', 'o.id')
          .where('d.status', 'not in', NOT_LIVE),
      ),
    )
    .orderBy('o.vendor_id')
    .orderBy('o.partner_id')
    .orderBy('o.po_number')
    .orderBy('o.submitted_at')
    .orderBy('o.id')
    .execute();
  const groups = new Map<string, LiveDuplicate[]>();
  for (const row of rows) {
    const key = JSON.stringify([row.vendor_id, row.partner_id, row.po_number]);
    const group = groups.get(key) ?? [];
    group.push(row);
    groups.set(key, group);
  }
  const holds: LiveDuplicate[] = [];
  const stuck: string[] = [];
  for (const group of groups.values()) {
    const why = new Map(group.map((o) => [o, whyNotHoldable(o)]));
    const unholdable = group.filter((o) => why.get(o) !== undefined);
    if (unholdable.length > 1) {
      const first = group[0] as LiveDuplicate;
      const orders = group.map((o) => {
        const reason = why.get(o);
        return reason === undefined
          ? `  - ${o.number} (id ${o.id}, ${o.status}) could be held`
          : `  - ${o.number} (id ${o.id}) cannot be held (${reason})`;
      });
      stuck.push(
        `- ${vendorName(first)} (${first.vendor_id}), partner ${first.partner_name} ` +
          `(${first.partner_id}), PO ${first.po_number}:`,
        ...orders,
      );
      continue;
    }
    const kept = unholdable[0] ?? [...group].sort(furthestAlong)[0];
    holds.push(...group.filter((o) => o !== kept));
  }
  if (stuck.length > 0) {
    throw new Error(
      [
        'A PO number is now unique among the live orders of a partnership, but these live ' +
          'orders share one, and more than one order of each group cannot be put on hold ' +
          "(completed, or in a status its vendor's workflow does not hold):",
        ...stuck,
        'Nothing was changed. Keep one order of each group; for every other one, by SQL, ' +
          "give it a PO number of its own (update orders set po_number = '<new PO number>', " +
          "version = version + 1 where id = '<id>') or, if it is not completed, cancel it " +
          "(update orders set status = 'cancelled', version = version + 1 where id = '<id>'; " +
          "this skips the app's cancel: a quote the order consumed is not released and no " +
          'audit event is recorded). Then run `orderdesk migrate` (or start OrderDesk) again.',
      ].join('\n'),
    );
  }
  return holds;
}

/** The vendor as its profile names it (the app's po.duplicate message uses the profile's name). */
function vendorName(order: LiveDuplicate): string {
  const name = parsed(order.vendor_profile)?.name;
  return typeof name === 'string' ? name : order.vendor_name;
}

/** Why the app could not hold this order (undefined: it could). */
function whyNotHoldable(order: LiveDuplicate): string | undefined {
  if (order.status === 'completed') return 'completed';
  const from = holdsFrom(order.vendor_profile);
  if (from.length === 0) return `${order.status}: this vendor's workflow holds no orders`;
  if (!from.includes(order.status)) {
    return `${order.status}: this vendor's workflow does not hold orders in ${order.status}`;
  }
  return undefined;
}

const DEFAULT_STAGES = ['submitted', 'booking', 'provisioning'];

/**
 * The statuses the vendor's workflow holds orders in: none when `hold.roles` is empty, else
 * `hold.from`, which defaults to every stage (the core's order machine and profile defaults).
 */
function holdsFrom(profile: string | null): readonly unknown[] {
  const workflow = parsed(profile)?.workflow as
    { stages?: unknown; hold?: { roles?: unknown; from?: unknown } } | undefined;
  const roles = workflow?.hold?.roles;
  if (Array.isArray(roles) && roles.length === 0) return [];
  if (Array.isArray(workflow?.hold?.from)) return workflow.hold.from as unknown[];
  if (Array.isArray(workflow?.stages)) {
    return (workflow.stages as unknown[]).map((s) => (s as { status?: unknown } | null)?.status);
  }
  return DEFAULT_STAGES;
}

// Furthest along first (the default workflow's statuses; any other counts as submitted), then
// the earliest submitted, then the smallest id.
const RANK: Record<string, number> = { completed: 3, provisioning: 2, booking: 1 };
function furthestAlong(a: LiveDuplicate, b: LiveDuplicate): number {
  return (
    (RANK[b.status] ?? 0) - (RANK[a.status] ?? 0) ||
    compare(a.submitted_at, b.submitted_at) ||
    compare(a.id, b.id)
  );
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function parsed(profile: string | null): Record<string, unknown> | undefined {
  try {
    const value: unknown = profile === null ? undefined : JSON.parse(profile);
    return typeof value === 'object' && value !== null
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function putOnHold(db: Kysely<any>, holds: readonly LiveDuplicate[]): Promise<void> {
  const at = new Date().toISOString();
  for (const order of holds) {
    const reason =
      `PO ${order.po_number} is also on another live order of this partnership. OrderDesk ` +
      'now keeps a PO number to one live order per partnership, so this order waits here: ' +
      'correct its PO number and resubmit it, or cancel it if it is a duplicate.';
    const problem = {
      path: 'purchaseOrder.number',
      code: 'po.duplicate',
      message: `PO ${order.po_number} was already submitted to ${vendorName(order)}`,
      actual: order.po_number,
    };
    const updated = await db
      .updateTable('orders')
      .set({
        status: 'on_hold',
        hold_reasons: JSON.stringify({ reason, problems: [problem] }),
        version: sql`version + 1`,
        updated_at: at,
      })
      .where('id', '=', order.id)
      .where('status', '=', order.status)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) {
      throw new Error(`Migration 0017: order ${order.number} changed while it was being held`);
    }
    await db
      .insertInto('audit_events')
      .values({
        id: eventId(),
        vendor_id: order.vendor_id,
        partner_id: order.partner_id,
        entity_type: 'order',
        entity_id: order.id,
        type: 'order.held',
        actor_user_id: null,
        actor_label: ACTOR,
        at,
        from_status: order.status,
        to_status: 'on_hold',
        reason,
        data: JSON.stringify({
          orderId: order.id,
          number: order.number,
          orderType: order.type,
          from: order.status,
          to: 'on_hold',
          reason,
          problems: [{ ...problem, severity: 'error' }],
        }),
      })
      .execute();
  }
}

// The application's id shape (prefix, 10 characters of millisecond time, 16 random; Crockford
// base32), so the events sort among the others by time.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
function eventId(): string {
  let time = '';
  for (let t = Date.now(), i = 0; i < 10; i++, t = Math.floor(t / 32)) {
    time = ALPHABET[t % 32] + time;
  }
  return `evt_${time}${[...randomBytes(16)].map((b) => ALPHABET[b % 32]).join('')}`;
}
