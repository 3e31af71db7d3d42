// The outbox worker's one pass: claim due mail rows, send each thread message once, record
// what became of it. Delivery is at least once: the send happens before the transaction that
// marks the message `sent` and the row processed, so a worker that dies between the two leaves
// the row leased, and when the lease runs out another pass sends it again. Marks are written
// in small groups (`markBatch`, one durable commit per group, written while the next mails go
// out) because a commit costs more than an SMTP send: a crash repeats at most the group being
// marked and the one filling (2 × markBatch duplicates, each counted by the receiver). What is never repeated is the marking: a row whose message is already
// `sent` (or `not_sent`) is only marked processed, and both updates are conditional, so a
// late or concurrent pass changes nothing twice.
import {
  claimOutbox,
  findMessagesByIds,
  findVendorById,
  markOutboxDead,
  markOutboxFailed,
  markOutboxProcessed,
  markOutboxProcessedMany,
  releaseOutbox,
  updateMessageStatus,
  updateMessageStatuses,
  type Message,
  type MessageStatus,
  type OutboxMessage,
  type Vendor,
} from '@orderdesk/store';
import type { AppContext } from '../context.ts';
import { profileOfVendor } from '../vendors/profile-cache.ts';
import {
  attachmentSummaries,
  renderMailAttachments,
  type MailAttachment,
  type MailPayload,
} from './mail-attachments.ts';
import type { MailTransport } from './mail-transport.ts';
import { mailOfMessage } from './mail-render.ts';

/** How the worker behaves (the server's OUTBOX_* settings). */
export interface MailWorkerSettings {
  /** Null: no SMTP configured; messages become `not_sent` and stay on their thread. */
  transport: MailTransport | null;
  /** Attempts before a row becomes a dead letter. */
  maxAttempts: number;
  /** The first retry's delay; each further one doubles, up to `backoffMaxMs`. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** How long a claimed row stays this worker's (longer than one send may take). */
  leaseMs: number;
  /** For the jitter; Math.random by default. */
  random?: () => number;
}

export interface DrainOptions extends MailWorkerSettings {
  /** Rows claimed in one pass. */
  limit: number;
  /** Names the claims (host name, process id, a counter): unique per running worker. */
  workerId: string;
  /** Asked before each message: true lets the pass release what it has not started and stop. */
  shouldStop?: () => boolean;
  /** Sent messages marked per transaction (default DEFAULT_MARK_BATCH; 1: each at once). */
  markBatch?: number;
}

/** Sends marked per commit: a tenth of the commits, at most this many duplicates per crash. */
export const DEFAULT_MARK_BATCH = 10;

export interface DrainResult {
  claimed: number;
  sent: number;
  notSent: number;
  /** Rows whose message was already sent or gone: marked processed without sending. */
  skipped: number;
  retried: number;
  dead: number;
  /** Claimed but given back: the worker is stopping, or the lease is running out. */
  released: number;
}

/** Statuses a send may still change (a revived dead letter's message is `failed`). */
const UNSENT: readonly MessageStatus[] = ['queued', 'failed'];

/**
 * The delay before attempt `attempt + 1` after `attempt` failures: exponential, capped, and
 * jittered ("equal jitter": between half and all of it) so rows that failed together (an SMTP
 * outage) do not all come back in the same second.
 */
export function retryDelayMs(
  attempt: number,
  settings: Pick<MailWorkerSettings, 'backoffBaseMs' | 'backoffMaxMs' | 'random'>,
): number {
  const exponential = settings.backoffBaseMs * 2 ** Math.max(0, attempt - 1);
  const capped = Math.min(settings.backoffMaxMs, exponential);
  const random = settings.random ?? Math.random;
  return Math.round(capped / 2 + (capped / 2) * random());
}

function errorText(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 1000 ? `${text.slice(0, 1000)}…` : text;
}

function payloadOf(row: OutboxMessage): MailPayload | null {
  try {
    const payload = JSON.parse(row.payload) as Partial<MailPayload> | null;
    return payload && typeof payload.messageId === 'string' ? (payload as MailPayload) : null;
  } catch {
    return null;
  }
}

/** One pass of the mail worker over the due `mail` rows of the outbox. */
export async function drainOutbox(ctx: AppContext, options: DrainOptions): Promise<DrainResult> {
  const result: DrainResult = {
    claimed: 0,
    sent: 0,
    notSent: 0,
    skipped: 0,
    retried: 0,
    dead: 0,
    released: 0,
  };
  const db = ctx.store.db;
  const claimedAt = ctx.now();
  const rows = await db.transaction().execute((tx) =>
    claimOutbox(tx, {
      now: claimedAt.toISOString(),
      limit: options.limit,
      workerId: options.workerId,
      leaseUntil: new Date(claimedAt.getTime() + options.leaseMs).toISOString(),
      topic: 'mail',
    }),
  );
  result.claimed = rows.length;
  // What the pass reads once rather than per row: the claimed rows' messages (only this worker
  // and a dead letter's requeue change a message's status, and the rows are leased to this
  // worker), and each vendor named.
  const messages = await findMessagesByIds(
    db,
    rows.flatMap((row) => payloadOf(row)?.messageId ?? []),
  );
  const vendors = new Map<string, Promise<Vendor | undefined>>();
  const reads: PassReads = {
    message: (id) => messages.get(id),
    vendor: (id) => {
      let vendor = vendors.get(id);
      if (!vendor) vendors.set(id, (vendor = findVendorById(db, id)));
      return vendor;
    },
  };
  // Rows are not started in the last quarter of the lease: another worker may take them soon.
  const startBy = claimedAt.getTime() + (options.leaseMs * 3) / 4;
  const markBatch = Math.max(1, options.markBatch ?? DEFAULT_MARK_BATCH);
  const sent: Sent[] = [];
  let marking: Promise<void> = Promise.resolve();
  const flush = async (): Promise<void> => {
    // One group in flight: the next waits for it, so marks keep their order and a failed
    // commit fails the pass (its rows stay leased and are sent again after the lease).
    await marking;
    const group = sent.splice(0);
    if (group.length === 0) return;
    marking = markSent(ctx, group).then(() => {
      result.sent += group.length;
    });
  };
  try {
    for (const [i, row] of rows.entries()) {
      if (options.shouldStop?.() || ctx.now().getTime() > startBy) {
        for (const rest of rows.slice(i)) await releaseOutbox(db, rest.id, options.workerId);
        result.released = rows.length - i;
        break;
      }
      const done = await deliver(ctx, row, options, result, reads);
      if (done) sent.push(done);
      if (sent.length >= markBatch) await flush();
    }
  } finally {
    await flush();
    await marking;
  }
  return result;
}

/** A message the SMTP server accepted, to be marked. */
interface Sent {
  rowId: string;
  messageId: string;
  /** The files it went out with, as its thread lists them (JSON), when any were rendered. */
  attachments?: string;
}

/** What deliver reads through the pass (found once per pass). */
interface PassReads {
  message(id: string): Message | undefined;
  vendor(id: string): Promise<Vendor | undefined>;
}

async function markSent(ctx: AppContext, group: readonly Sent[]): Promise<void> {
  await ctx.store.db.transaction().execute(async (tx) => {
    const at = ctx.now().toISOString();
    // One statement for the messages sent without files, one for the rows; a message whose
    // files were rendered records them with its own.
    const plain = group.filter((s) => s.attachments === undefined).map((s) => s.messageId);
    await updateMessageStatuses(tx, plain, { status: 'sent', at, from: UNSENT });
    for (const s of group) {
      if (s.attachments === undefined) continue;
      await updateMessageStatus(tx, s.messageId, {
        status: 'sent',
        at,
        from: UNSENT,
        attachments: s.attachments,
      });
    }
    await markOutboxProcessedMany(
      tx,
      group.map((s) => s.rowId),
      at,
    );
  });
}

async function deliver(
  ctx: AppContext,
  row: OutboxMessage,
  options: DrainOptions,
  result: DrainResult,
  reads: PassReads,
): Promise<Sent | null> {
  const db = ctx.store.db;
  const payload = payloadOf(row);
  const id = payload?.messageId ?? null;
  const message = id === null ? undefined : reads.message(id);
  if (!message) {
    // Nothing to send will ever appear: a dead letter, so an admin sees it.
    await markOutboxDead(db, row.id, {
      error: `No thread message ${id ?? '(payload names none)'}`,
      at: ctx.now().toISOString(),
    });
    result.dead += 1;
    return null;
  }
  if (!UNSENT.includes(message.status)) {
    // Sent by an earlier attempt whose row was not marked, or not sendable: do not send again.
    await markOutboxProcessed(db, row.id, ctx.now().toISOString());
    result.skipped += 1;
    return null;
  }
  if (options.transport === null) {
    await db.transaction().execute(async (tx) => {
      const at = ctx.now().toISOString();
      await updateMessageStatus(tx, message.id, { status: 'not_sent', at, from: UNSENT });
      await markOutboxProcessed(tx, row.id, at);
    });
    result.notSent += 1;
    return null;
  }
  const vendor = message.vendor_id ? await reads.vendor(message.vendor_id) : undefined;
  let files: MailAttachment[] | undefined;
  try {
    // The profile's sender name and Reply-To; files rendered now from the records named.
    const look = vendor ? (await profileOfVendor(db, vendor)).mail : undefined;
    const mail = mailOfMessage(message, look?.fromName ?? vendor?.name ?? null);
    if (!mail.replyTo && look?.replyTo) mail.replyTo = look.replyTo;
    if (payload?.attach?.length) {
      files = await renderMailAttachments({
        ctx,
        db,
        message,
        payload,
        at: ctx.now(),
      });
      mail.attachments = files;
    }
    await options.transport.send(mail);
  } catch (error) {
    const attempts = row.attempts + 1;
    const at = ctx.now();
    if (attempts >= options.maxAttempts) {
      await db.transaction().execute(async (tx) => {
        await markOutboxDead(tx, row.id, { error: errorText(error), at: at.toISOString() });
        await updateMessageStatus(tx, message.id, {
          status: 'failed',
          at: at.toISOString(),
          from: ['queued'],
        });
      });
      result.dead += 1;
    } else {
      const retryAt = new Date(at.getTime() + retryDelayMs(attempts, options));
      await markOutboxFailed(db, row.id, {
        error: errorText(error),
        retryAt: retryAt.toISOString(),
      });
      result.retried += 1;
    }
    return null;
  }
  return {
    rowId: row.id,
    messageId: message.id,
    // The thread lists the files as sent (rendered now, not when the mail was queued).
    ...(files ? { attachments: JSON.stringify(attachmentSummaries(files)) } : {}),
  };
}
