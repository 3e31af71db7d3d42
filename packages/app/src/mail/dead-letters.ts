// Dead letters for the vendor admin: the mail rows of its vendor that gave up after the last
// attempt, and a retry that puts one back in the queue with a fresh count of attempts.
import {
  findMessageById,
  findOutboxById,
  listDeadOutbox,
  reviveOutbox,
  updateMessageStatus,
  type Executor,
  type OutboxMessage,
} from '@orderdesk/store';
import { requireAccess, type VendorAccess } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { z } from 'zod';
import { conflict, notFound } from '../shared/errors.ts';
import { decodeCursor, pageOf, type Page } from '../shared/paging.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import type { OutboxItemView, OutboxListQuery, OutboxStatus } from './mail.schemas.ts';

function statusOf(row: OutboxMessage): OutboxStatus {
  if (row.processed_at !== null) return 'processed';
  return row.dead_at !== null ? 'dead' : 'pending';
}

async function toOutboxView(db: Executor, row: OutboxMessage): Promise<OutboxItemView> {
  let messageId: string | null = null;
  try {
    const payload = JSON.parse(row.payload) as { messageId?: unknown };
    if (typeof payload.messageId === 'string') messageId = payload.messageId;
  } catch {
    // A payload that is not JSON shows as no message; the row's last error says more.
  }
  const message = messageId === null ? undefined : await findMessageById(db, messageId);
  return {
    id: row.id,
    topic: row.topic,
    status: statusOf(row),
    entityType: row.entity_type,
    entityId: row.entity_id,
    messageId,
    subject: message?.subject ?? null,
    to: message ? (JSON.parse(message.to_addrs) as string[]) : [],
    attempts: row.attempts,
    lastError: row.last_error,
    createdAt: row.created_at,
    availableAt: row.available_at,
    deadAt: row.dead_at,
  };
}

const deadLetterCursorSchema = z.object({ deadAt: z.string(), id: z.string() });

/** The outbox's dead letters are the vendor_admin's to see and retry. */
export const DEAD_LETTERS_ACCESS: VendorAccess = { vendor: ['vendor_admin'] };

/** The caller's vendor's dead letters (vendor_admin), the most recent first, a page at a time. */
export async function listDeadLetters(
  ctx: AppContext,
  actor: Actor | null,
  query: OutboxListQuery,
): Promise<Page<OutboxItemView>> {
  const admin = requireAccess(actor, DEAD_LETTERS_ACCESS);
  const db = ctx.store.db;
  const rows = await listDeadOutbox(db, {
    vendorId: admin.vendorId,
    limit: query.limit + 1,
    before: decodeCursor(query.cursor, deadLetterCursorSchema),
  });
  const page = pageOf(
    rows,
    query.limit,
    (last) => ({ deadAt: last.dead_at ?? '', id: last.id }),
    (row) => row,
  );
  return {
    items: await Promise.all(page.items.map((r) => toOutboxView(db, r))),
    nextCursor: page.nextCursor,
  };
}

/**
 * Sends a dead letter again (vendor_admin): due now, attempts from zero, and its message back
 * to `queued`. Another vendor's row is a 404; a row that is not dead (already retried, sent) a
 * 409.
 */
export async function retryDeadLetter(
  ctx: AppContext,
  actor: Actor | null,
  id: string,
  options: WriteOptions = {},
): Promise<OutboxItemView> {
  const admin = requireAccess(actor, DEAD_LETTERS_ACCESS);
  return inTransaction(ctx, options, async (tx) => {
    const row = await findOutboxById(tx, id);
    if (!row || row.vendor_id !== admin.vendorId) throw notFound('Outbox item');
    const at = ctx.now().toISOString();
    if (!(await reviveOutbox(tx, row.id, at))) {
      throw conflict(`Outbox item ${row.id} is ${statusOf(row)}, not dead`);
    }
    const view = await toOutboxView(tx, { ...row, dead_at: null, attempts: 0, available_at: at });
    if (view.messageId !== null) {
      await updateMessageStatus(tx, view.messageId, { status: 'queued', at, from: ['failed'] });
    }
    return view;
  });
}
