import type { Executor } from './executor.ts';
import { newId } from './ids.ts';
import type { AuditEvent } from './schema.ts';
import { preparedInsert } from './prepared-query.ts';

export interface AuditEventInput {
  vendorId?: string | null;
  partnerId?: string | null;
  entityType: string;
  entityId: string;
  type: string;
  actorUserId?: string | null;
  actorLabel: string;
  fromStatus?: string | null;
  toStatus?: string | null;
  reason?: string | null;
  data?: unknown;
  at: string;
}

/** Records who did what, when and why; call inside the transaction that made the change. */
export async function insertAuditEvent(db: Executor, input: AuditEventInput): Promise<AuditEvent> {
  const [row] = await insertAuditEvents(db, [input]);
  if (!row) throw new Error('insertAuditEvents returned no row');
  return row;
}

/** Several audit events of one change in one statement, in the order given. */
export async function insertAuditEvents(
  db: Executor,
  inputs: readonly AuditEventInput[],
): Promise<AuditEvent[]> {
  const rows = inputs.map(auditRowOf);
  await insertAuditRows(db, rows);
  return rows;
}

const insertAuditRows = preparedInsert('audit_events');

function auditRowOf(input: AuditEventInput): AuditEvent {
  return {
    id: newId('evt'),
    vendor_id: input.vendorId ?? null,
    partner_id: input.partnerId ?? null,
    entity_type: input.entityType,
    entity_id: input.entityId,
    type: input.type,
    actor_user_id: input.actorUserId ?? null,
    actor_label: input.actorLabel,
    at: input.at,
    from_status: input.fromStatus ?? null,
    to_status: input.toStatus ?? null,
    reason: input.reason ?? null,
    data: input.data === undefined ? null : JSON.stringify(input.data),
  };
}

/** An entity's events, oldest first; `page` reads `limit` of them after an event (at, id). */
export async function listAuditEvents(
  db: Executor,
  entityType: string,
  entityId: string,
  page?: { limit: number; after?: { at: string; id: string } | undefined },
): Promise<AuditEvent[]> {
  let q = db
    .selectFrom('audit_events')
    .selectAll()
    .where('entity_type', '=', entityType)
    .where('entity_id', '=', entityId)
    .orderBy('at')
    .orderBy('id');
  if (page) {
    q = q.limit(page.limit);
    const after = page.after;
    if (after) {
      q = q.where((eb) => eb(eb.refTuple('at', 'id'), '>', eb.tuple(after.at, after.id)));
    }
  }
  return q.execute();
}
