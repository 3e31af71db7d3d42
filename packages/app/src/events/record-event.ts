import {
  EVENT_SUBJECT,
  type DomainEventData,
  type DomainEventName,
  type EventSubject,
} from '@orderdesk/core';
import {
  deferredWrites,
  insertAuditEvents,
  type Executor,
  type Order,
  type Quote,
  type Vendor,
} from '@orderdesk/store';
import type { Actor } from '../auth/actor.ts';
import { notifyByProfile } from './notify-by-profile.ts';

/** Who made a change, as the event records it: a user, or the system (jobs, intake). */
export interface EventActor {
  userId: string | null;
  label: string;
}

/** Changes made by OrderDesk itself (scheduled jobs, the quote an order consumed). */
export const SYSTEM_ACTOR: EventActor = { userId: null, label: 'system' };

export function eventActorOf(actor: Actor): EventActor {
  return { userId: actor.userId, label: actor.email };
}

/**
 * Rows the caller has in hand (just read or written in the same transaction), so the
 * handlers need not read them again. Only a row whose id matches the event's is used.
 */
export interface KnownRows {
  vendor?: Vendor;
  order?: Order;
  quote?: Quote;
  /** The order was created in this transaction: its thread has no message yet. */
  orderIsNew?: boolean;
  /** The partner user who is acting (authenticated just now, so active). */
  partnerUser?: KnownPartnerUser;
}

/** What the mail rules need of a partner user: whom to write to. */
export interface KnownPartnerUser {
  id: string;
  email: string;
  partner_id: string;
  active: number;
}

/** One recorded event: the audit row and what the side-effect handlers see. */
export interface RecordedEvent<N extends DomainEventName = DomainEventName> {
  id: string;
  type: N;
  data: DomainEventData[N];
  subject: EventSubject;
  /** The id of the subject (order, quote, quote request, user, …). */
  entityId: string;
  vendorId: string | null;
  partnerId: string | null;
  actor: EventActor;
  at: string;
  fromStatus: string | null;
  toStatus: string | null;
  reason: string | null;
  known?: KnownRows;
}

export type RecordEventInput<N extends DomainEventName> = Omit<
  RecordedEvent<N>,
  'id' | 'subject' | 'fromStatus' | 'toStatus' | 'reason'
> & {
  fromStatus?: string | null;
  toStatus?: string | null;
  reason?: string | null;
};

/**
 * What runs, in the same transaction, for every event recorded. Each handler is idempotent
 * per event id and writes only rows (messages, outbox) — anything outside the database runs
 * after commit from the outbox.
 */
export type EventHandler = (tx: Executor, event: RecordedEvent) => Promise<void>;

const HANDLERS: readonly EventHandler[] = [notifyByProfile];

/**
 * Records one domain event in the transaction of the change it describes: the audit row
 * (the timeline) and, through the handlers, the side effects it drives (the profile's
 * notifications as thread messages + outbox rows). Call it exactly once per change.
 */
export async function recordEvent<N extends DomainEventName>(
  tx: Executor,
  input: RecordEventInput<N>,
): Promise<RecordedEvent<N>> {
  const [event] = await recordEvents(tx, [input]);
  if (!event) throw new Error('recordEvents returned no event');
  return event as RecordedEvent<N>;
}

/**
 * Records several events of one change, in order: their audit rows in one statement, then
 * each event's handlers (as recordEvent would, one event after the other).
 */
export async function recordEvents(
  tx: Executor,
  inputs: readonly RecordEventInput<DomainEventName>[],
): Promise<RecordedEvent[]> {
  // The audit rows need no answer: on PostgreSQL they go with the commit (deferredWrites).
  const rows = await insertAuditEvents(
    deferredWrites(tx),
    inputs.map((input) => ({
      vendorId: input.vendorId,
      partnerId: input.partnerId,
      entityType: EVENT_SUBJECT[input.type],
      entityId: input.entityId,
      type: input.type,
      actorUserId: input.actor.userId,
      actorLabel: input.actor.label,
      fromStatus: input.fromStatus ?? null,
      toStatus: input.toStatus ?? null,
      reason: input.reason ?? null,
      data: input.data,
      at: input.at,
    })),
  );
  const events = inputs.map((input, i): RecordedEvent => ({
    ...input,
    id: rows[i]?.id ?? '',
    subject: EVENT_SUBJECT[input.type],
    fromStatus: input.fromStatus ?? null,
    toStatus: input.toStatus ?? null,
    reason: input.reason ?? null,
  }));
  for (const event of events) for (const handle of HANDLERS) await handle(tx, event);
  return events;
}
