import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, testDialects } from '../test/databases.ts';
import { later } from '../test/fixtures.ts';
import type { Store } from './dialects.ts';
import {
  claimOutbox,
  enqueueOutbox,
  findOutboxById,
  listDeadOutbox,
  listOutboxFor,
  listPendingOutbox,
  markOutboxFailed,
  markOutboxDead,
  markOutboxProcessed,
  releaseOutbox,
  reviveOutbox,
} from './outbox.repository.ts';

describe.each(testDialects())('outbox repository on %s', (dialect) => {
  let store: Store;
  beforeAll(async () => {
    store = await createTestStore(dialect);
  });
  afterAll(async () => {
    await store.close();
  });

  const enqueue = (
    entityId: string,
    at: string,
    over: { topic?: string; availableAt?: string } = {},
  ) =>
    enqueueOutbox(store.db, {
      topic: over.topic ?? 'mail',
      entityType: 'order',
      entityId,
      payload: { messageId: `msg-${entityId}` },
      at,
      ...(over.availableAt ? { availableAt: over.availableAt } : {}),
    });

  it('hands out due work oldest first, once', async () => {
    const a = await enqueue('a', later(2));
    const b = await enqueue('b', later(1));
    const c = await enqueue('c', later(1), { availableAt: later(30) });
    const hook = await enqueue('d', later(3), { topic: 'webhook' });
    const due = await listPendingOutbox(store.db, { now: later(10), limit: 10 });
    // By when it became available, not by when it was written to the table.
    expect(due.map((r) => r.id)).toEqual([b.id, a.id, hook.id]);
    expect(due[0]).toMatchObject({
      created_at: later(1),
      available_at: later(1),
      attempts: 0,
      payload: JSON.stringify({ messageId: 'msg-b' }),
    });
    expect(
      (await listPendingOutbox(store.db, { now: later(10), limit: 10, topic: 'mail' })).map(
        (r) => r.id,
      ),
    ).toEqual([b.id, a.id]);
    expect(
      (await listPendingOutbox(store.db, { now: later(10), limit: 1 })).map((r) => r.id),
    ).toEqual([b.id]);

    expect(await markOutboxProcessed(store.db, b.id, later(11))).toBe(true);
    expect(await markOutboxProcessed(store.db, b.id, later(12))).toBe(false);
    await markOutboxFailed(store.db, a.id, { error: 'SMTP 451', retryAt: later(40) });
    const at20 = await listPendingOutbox(store.db, { now: later(20), limit: 10 });
    expect(at20.map((r) => r.id)).toEqual([hook.id]);
    const at40 = await listPendingOutbox(store.db, { now: later(40), limit: 10 });
    expect(at40.map((r) => [r.id, r.attempts, r.last_error])).toEqual([
      [hook.id, 0, null],
      [c.id, 0, null],
      [a.id, 1, 'SMTP 451'],
    ]);
    expect((await listOutboxFor(store.db, 'order', 'b')).map((r) => r.processed_at)).toEqual([
      later(11),
    ]);
  });
});

describe.each(testDialects())('outbox claims and dead letters on %s', (dialect) => {
  let store: Store;
  beforeAll(async () => {
    store = await createTestStore(dialect);
  });
  afterAll(async () => {
    await store.close();
  });

  const enqueue = (entityId: string, at: string, vendorId: string | null = null) =>
    enqueueOutbox(store.db, {
      vendorId,
      topic: 'claim',
      entityType: 'order',
      entityId,
      payload: {},
      at,
    });
  const plusDay = (at: string) => new Date(Date.parse(at) + 86_400_000).toISOString();
  const claim = (workerId: string, now: string, limit = 10) =>
    store.db
      .transaction()
      .execute((tx) =>
        claimOutbox(tx, { now, limit, workerId, leaseUntil: plusDay(now), topic: 'claim' }),
      );

  it('leases claimed rows to one worker until the lease runs out or it lets go', async () => {
    const a = await enqueue('claim-a', later(200));
    const b = await enqueue('claim-b', later(201));
    expect((await claim('w1', later(202), 1)).map((r) => [r.id, r.locked_by])).toEqual([
      [a.id, 'w1'],
    ]);
    // w2 gets only what w1 does not hold.
    expect((await claim('w2', later(203))).map((r) => r.id)).toEqual([b.id]);
    expect(await claim('w3', later(204))).toEqual([]);
    await releaseOutbox(store.db, b.id, 'w1'); // not w1's: nothing happens
    expect(await claim('w3', later(205))).toEqual([]);
    await releaseOutbox(store.db, b.id, 'w2');
    expect((await claim('w3', later(206))).map((r) => r.id)).toEqual([b.id]);
    // w1 died: at the end of its lease its row is anyone's again.
    expect((await claim('w4', later(2000))).map((r) => r.id)).toEqual([a.id, b.id]);
    expect(await markOutboxProcessed(store.db, a.id, later(2001))).toBe(true);
    expect(await markOutboxProcessed(store.db, b.id, later(2001))).toBe(true);
    expect(await findOutboxById(store.db, a.id)).toMatchObject({
      locked_by: null,
      locked_until: null,
    });
  });

  it('keeps a dead letter with its last error out of the queue until it is revived', async () => {
    const v = 'vnd-claims';
    const d = await enqueue('claim-d', later(600), v);
    await enqueue('claim-e', later(600), 'vnd-other');
    expect(await markOutboxDead(store.db, d.id, { error: '550 refused', at: later(601) })).toBe(
      true,
    );
    expect(await markOutboxDead(store.db, d.id, { error: 'again', at: later(602) })).toBe(false);
    expect((await claim('w1', later(603))).map((r) => r.entity_id)).toEqual(['claim-e']);
    const dead = await listDeadOutbox(store.db, { vendorId: v, limit: 10 });
    expect(dead.map((r) => [r.id, r.last_error, r.attempts, r.dead_at])).toEqual([
      [d.id, '550 refused', 1, later(601)],
    ]);
    expect(await listDeadOutbox(store.db, { vendorId: 'vnd-none', limit: 10 })).toEqual([]);
    expect(await reviveOutbox(store.db, d.id, later(700))).toBe(true);
    expect(await reviveOutbox(store.db, d.id, later(701))).toBe(false);
    expect(await listDeadOutbox(store.db, { vendorId: v, limit: 10 })).toEqual([]);
    expect((await claim('w2', later(700))).map((r) => [r.id, r.attempts])).toEqual([[d.id, 0]]);
  });
});

// Row locks exist on PostgreSQL only (SQLite has one writer at a time): there, concurrent
// workers taking pending rows with `lock` must get different ones.
describe.each(testDialects().filter((d) => d === 'postgres'))('outbox locking on %s', (dialect) => {
  let store: Store;
  beforeAll(async () => {
    store = await createTestStore(dialect);
  });
  afterAll(async () => {
    await store.close();
  });

  it('gives concurrent workers distinct rows when they lock', async () => {
    const enqueue = (entityId: string, at: string) =>
      enqueueOutbox(store.db, { topic: 'lock', entityType: 'order', entityId, payload: {}, at });
    const x = await enqueue('lock-x', later(100));
    const y = await enqueue('lock-y', later(101));
    const options = { now: later(102), limit: 1, topic: 'lock', lock: true } as const;
    const first = await store.db.startTransaction().execute();
    const second = await store.db.startTransaction().execute();
    try {
      const mine = await listPendingOutbox(first, options);
      const theirs = await listPendingOutbox(second, options);
      const ids = [...mine, ...theirs].map((r) => r.id);
      // Without the lock both would get x.
      expect(ids).toEqual([x.id, y.id]);
    } finally {
      await first.rollback().execute();
      await second.rollback().execute();
    }
  });
});
