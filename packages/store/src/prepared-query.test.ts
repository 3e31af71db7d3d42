import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, testDialects } from '../test/databases.ts';
import { orderRow, seedTenancy, type Tenancy } from '../test/fixtures.ts';
import { openStore, type Store } from './dialects.ts';
import { insertOrder } from './orders.repository.ts';
import { migrateToLatest } from './migrate.ts';
import { prepared, preparedInsert } from './prepared-query.ts';
import { insertAuditEvents, listAuditEvents } from './audit.repository.ts';

const orderByPo = prepared((db, a: { vendorId: string; po: string; limit: number }) =>
  db
    .selectFrom('orders')
    .select(['id', 'po_number'])
    .where('vendor_id', '=', a.vendorId)
    .where('po_number', '=', a.po)
    .where('status', 'not in', ['rejected', 'cancelled'])
    .orderBy('id')
    .limit(a.limit),
);

describe.each(testDialects())('prepared queries on %s', (dialect) => {
  let store: Store;
  let t: Tenancy;
  beforeAll(async () => {
    store = await createTestStore(dialect);
    t = await seedTenancy(store.db, 'prep');
    await insertOrder(store.db, orderRow(t, { id: 'ord_p1', po_number: 'PO-A' }), []);
    await insertOrder(store.db, orderRow(t, { id: 'ord_p2', po_number: 'PO-B' }), []);
    await insertOrder(
      store.db,
      orderRow(t, { id: 'ord_p3', po_number: 'PO-B', status: 'rejected' }),
      [],
    );
  });
  afterAll(async () => {
    await store.close();
  });

  it("runs the statement built once with each call's values, constants kept", async () => {
    const run = async (po: string) =>
      (await orderByPo(store.db, { vendorId: t.vendor.id, po, limit: 5 })).rows;
    expect(await run('PO-A')).toEqual([{ id: 'ord_p1', po_number: 'PO-A' }]);
    // 'rejected' is the query's own constant: the rejected PO-B stays out.
    expect(await run('PO-B')).toEqual([{ id: 'ord_p2', po_number: 'PO-B' }]);
    expect(await run('PO-C')).toEqual([]);
    expect(
      (await orderByPo(store.db, { vendorId: 'ven_none', po: 'PO-A', limit: 5 })).rows,
    ).toEqual([]);
    // In a transaction too, and what it wrote is seen.
    await store.db.transaction().execute(async (tx) => {
      await insertOrder(tx, orderRow(t, { id: 'ord_p4', po_number: 'PO-C' }), []);
      expect((await orderByPo(tx, { vendorId: t.vendor.id, po: 'PO-C', limit: 1 })).rows).toEqual([
        { id: 'ord_p4', po_number: 'PO-C' },
      ]);
    });
  });

  it('binds an argument used twice in both places, and refuses one that is no parameter', async () => {
    const twice = prepared((db, a: { po: string }) =>
      db
        .selectFrom('orders')
        .select('id')
        .where((eb) => eb.or([eb('po_number', '=', a.po), eb('number', '=', a.po)])),
    );
    expect((await twice(store.db, { po: 'PO-A' })).rows).toEqual([{ id: 'ord_p1' }]);
    const changed = prepared((db, a: { po: string }) =>
      db.selectFrom('orders').select('id').where('po_number', '=', a.po.toUpperCase()),
    );
    await expect(changed(store.db, { po: 'PO-A' })).rejects.toThrow(/changed before/);
  });

  it('keeps a template per shape: list lengths, given properties, booleans', async () => {
    const find = prepared((db, a: { ids: string[]; po?: string; live: boolean }) => {
      let q = db.selectFrom('orders').select('id').where('id', 'in', a.ids);
      if (a.po !== undefined) q = q.where('po_number', '=', a.po);
      if (a.live) q = q.where('status', 'not in', ['rejected', 'cancelled']);
      return q.orderBy('id');
    });
    const ids = async (args: { ids: string[]; po?: string; live: boolean }) =>
      (await find(store.db, args)).rows.map((r) => r.id);
    expect(await ids({ ids: ['ord_p1'], live: false })).toEqual(['ord_p1']);
    expect(await ids({ ids: ['ord_p2', 'ord_p3'], live: false })).toEqual(['ord_p2', 'ord_p3']);
    expect(await ids({ ids: ['ord_p2', 'ord_p3'], live: true })).toEqual(['ord_p2']);
    expect(await ids({ ids: ['ord_p1', 'ord_p2', 'ord_p3'], po: 'PO-B', live: false })).toEqual([
      'ord_p2',
      'ord_p3',
    ]);
    expect(await ids({ ids: ['ord_p3', 'ord_p1'], live: true })).toEqual(['ord_p1']);
  });

  it('inserts batches of rows through a statement prepared per row count', async () => {
    const event = (i: number, reason?: string) => ({
      entityType: 'order',
      entityId: 'ord_p1',
      type: `test.e${i}`,
      actorLabel: 'test',
      at: `2026-01-01T00:00:0${i}.000Z`,
      vendorId: t.vendor.id,
      ...(reason === undefined ? {} : { reason }),
      data: { i },
    });
    await insertAuditEvents(store.db, [event(1)]);
    await insertAuditEvents(store.db, [event(2, 'two'), event(3)]);
    await insertAuditEvents(store.db, [event(4), event(5, 'five')]);
    const read = await listAuditEvents(store.db, 'order', 'ord_p1');
    expect(read.map((e) => [e.type, e.reason, e.data])).toEqual([
      ['test.e1', null, '{"i":1}'],
      ['test.e2', 'two', '{"i":2}'],
      ['test.e3', null, '{"i":3}'],
      ['test.e4', null, '{"i":4}'],
      ['test.e5', 'five', '{"i":5}'],
    ]);
    // Another table's rows, by their own prepared statement.
    const partial = preparedInsert('counters');
    await partial(store.db, [
      { vendor_id: t.vendor.id, name: 'prep_a', value: 7 },
      { vendor_id: t.vendor.id, name: 'prep_b', value: 8 },
    ]);
    const counters = await store.db
      .selectFrom('counters')
      .select(['name', 'value'])
      .where('name', 'like', 'prep_%')
      .orderBy('name')
      .execute();
    expect(counters.map((c) => [c.name, Number(c.value)])).toEqual([
      ['prep_a', 7],
      ['prep_b', 8],
    ]);
  });

  it('tells a property named like a kind from the kind, and many shapes from one another', async () => {
    // `{ v: 'x' }` and `{ u: … }` would read alike as text; each gets its own template.
    const pick = prepared((db, a: { v?: string; u?: string }) => {
      let q = db.selectFrom('orders').select('id');
      if (a.v !== undefined) q = q.where('po_number', '=', a.v);
      if (a.u !== undefined) q = q.where('id', '=', a.u);
      return q.orderBy('id');
    });
    const ids = async (args: { v?: string; u?: string }) =>
      (await pick(store.db, args)).rows.map((r) => r.id);
    expect(await ids({ v: 'PO-A' })).toEqual(['ord_p1']);
    expect(await ids({ u: 'ord_p2' })).toEqual(['ord_p2']);
    expect(await ids({ v: 'PO-B', u: 'ord_p3' })).toEqual(['ord_p3']);
    // Past the cap of shapes the templates start again, and each list length still runs.
    const byIds = prepared((db, a: { ids: string[] }) =>
      db.selectFrom('orders').select('id').where('id', 'in', a.ids).orderBy('id'),
    );
    for (let n = 1; n <= 70; n++) {
      const list = Array.from({ length: n }, (_, i) => (i === 0 ? 'ord_p2' : `ord_none_${i}`));
      expect((await byIds(store.db, { ids: list })).rows).toEqual([{ id: 'ord_p2' }]);
    }
  });

  it('runs each call by the template of its own shape while shapes alternate, properties in any order', async () => {
    // The last few shapes are tried first through code compiled for each: a call of another
    // shape — another property order, list length, boolean, a property absent or undefined —
    // must never run by their template.
    const pick = prepared((db, a: { ids: string[]; po?: string | undefined; live?: boolean }) => {
      let q = db.selectFrom('orders').select('id').where('id', 'in', a.ids);
      if (a.po !== undefined) q = q.where('po_number', '=', a.po);
      if (a.live === true) q = q.where('status', 'not in', ['rejected', 'cancelled']);
      return q.orderBy('id');
    });
    type Args = { ids: string[]; po?: string | undefined; live?: boolean };
    const calls: [Args, string[]][] = [
      [{ ids: ['ord_p1', 'ord_p2', 'ord_p3'] }, ['ord_p1', 'ord_p2', 'ord_p3']],
      [{ ids: ['ord_p1', 'ord_p2', 'ord_p3'], live: true }, ['ord_p1', 'ord_p2']],
      [{ ids: ['ord_p1', 'ord_p2', 'ord_p3'], live: false }, ['ord_p1', 'ord_p2', 'ord_p3']],
      [{ ids: ['ord_p2', 'ord_p3'], po: 'PO-B', live: true }, ['ord_p2']],
      [{ po: 'PO-B', ids: ['ord_p1', 'ord_p3'] }, ['ord_p3']],
      [{ ids: ['ord_p1'], po: undefined }, ['ord_p1']],
      [{ ids: ['ord_p3', 'ord_p1'], po: 'PO-A' }, ['ord_p1']],
      [{ ids: ['ord_p3'], live: true }, []],
    ];
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < calls.length; i++) {
        const [args, expected] = calls[(i * (round + 1) + round) % calls.length] as [
          Args,
          string[],
        ];
        expect(
          (await pick(store.db, args)).rows.map((r) => r.id),
          JSON.stringify(args),
        ).toEqual(expected);
      }
    }
    // A list too long for compiled code runs through the trie, as often as it comes.
    const many = Array.from({ length: 1200 }, (_, i) => (i === 600 ? 'ord_p2' : `ord_x${i}`));
    for (let i = 0; i < 2; i++) {
      expect((await pick(store.db, { ids: many, live: true })).rows).toEqual([{ id: 'ord_p2' }]);
      expect((await pick(store.db, { ids: ['ord_p1'] })).rows).toEqual([{ id: 'ord_p1' }]);
    }
    // Rows whose columns come in another order insert each value in its own column.
    const counters = preparedInsert('counters');
    for (let i = 0; i < 3; i++) {
      await counters(store.db, [{ vendor_id: t.vendor.id, name: `shape-a${i}`, value: 10 + i }]);
      await counters(store.db, [{ value: 20 + i, name: `shape-b${i}`, vendor_id: t.vendor.id }]);
    }
    const rows = await store.db
      .selectFrom('counters')
      .select(['name', 'value'])
      .where('name', 'like', 'shape-%')
      .orderBy('name')
      .execute();
    expect(rows.map((c) => [c.name, Number(c.value)])).toEqual([
      ['shape-a0', 10],
      ['shape-a1', 11],
      ['shape-a2', 12],
      ['shape-b0', 20],
      ['shape-b1', 21],
      ['shape-b2', 22],
    ]);
  });

  it('refuses a statement on a transaction that has ended, and runs on one that is open', async () => {
    let ended: Store['db'] | undefined;
    await store.db.transaction().execute(async (tx) => {
      await insertOrder(tx, orderRow(t, { id: 'ord_p5', po_number: 'PO-E' }), []);
      // Several statements on the same transaction, the second onwards on its connection.
      for (let i = 0; i < 3; i++) {
        expect((await orderByPo(tx, { vendorId: t.vendor.id, po: 'PO-E', limit: 1 })).rows).toEqual(
          [{ id: 'ord_p5', po_number: 'PO-E' }],
        );
      }
      ended = tx;
    });
    if (!ended) throw new Error('the transaction did not run');
    await expect(orderByPo(ended, { vendorId: t.vendor.id, po: 'PO-E', limit: 1 })).rejects.toThrow(
      /committed|released/i,
    );
    // A rolled-back transaction's writes are gone, statements on it after the fact refused.
    let rolledBack: Store['db'] | undefined;
    await expect(
      store.db.transaction().execute(async (tx) => {
        await insertOrder(tx, orderRow(t, { id: 'ord_p6', po_number: 'PO-F' }), []);
        expect(
          (await orderByPo(tx, { vendorId: t.vendor.id, po: 'PO-F', limit: 1 })).rows,
        ).toHaveLength(1);
        rolledBack = tx;
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    if (!rolledBack) throw new Error('the transaction did not run');
    await expect(
      orderByPo(rolledBack, { vendorId: t.vendor.id, po: 'PO-F', limit: 1 }),
    ).rejects.toThrow(/rolled back|released/i);
    expect(
      (await orderByPo(store.db, { vendorId: t.vendor.id, po: 'PO-F', limit: 1 })).rows,
    ).toEqual([]);
  });

  it('outside a transaction, waits for a transaction in progress and never sees its work before it commits', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let wrote!: () => void;
    const written = new Promise<void>((resolve) => (wrote = resolve));
    const transaction = store.db.transaction().execute(async (tx) => {
      await insertOrder(tx, orderRow(t, { id: 'ord_p7', po_number: 'PO-G' }), []);
      wrote();
      await gate; // holds the connection (SQLite) between two statements
      await insertOrder(tx, orderRow(t, { id: 'ord_p8', po_number: 'PO-H' }), []);
    });
    await written;
    let seen: readonly unknown[] | undefined;
    const read = orderByPo(store.db, { vendorId: t.vendor.id, po: 'PO-G', limit: 5 }).then(
      (r) => (seen = r.rows),
    );
    if (dialect === 'sqlite') {
      // One connection: the read waits for it, however long the transaction holds it.
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(seen).toBeUndefined();
    } else {
      // PostgreSQL reads what is committed, at once.
      await read;
      expect(seen).toEqual([]);
    }
    release();
    await transaction;
    await read;
    if (dialect === 'sqlite') expect(seen).toEqual([{ id: 'ord_p7', po_number: 'PO-G' }]);
    // With the connection free, the next read runs at once and sees what committed.
    expect(
      (await orderByPo(store.db, { vendorId: t.vendor.id, po: 'PO-H', limit: 5 })).rows,
    ).toEqual([{ id: 'ord_p8', po_number: 'PO-H' }]);
  });
});

describe('prepared statements outside a transaction, two stores on one SQLite file', () => {
  it('waits for the other store’s open group instead of asking for the write lock it holds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'orderdesk-prepared-'));
    const url = `sqlite:${join(dir, 'orderdesk.db')}`;
    const a = openStore(url);
    const b = openStore(url);
    try {
      await migrateToLatest(a);
      const t = await seedTenancy(a.db, 'two');
      const event = (entityId: string) => ({
        entityType: 'order',
        entityId,
        type: 'order.submitted',
        actorLabel: 'test',
        at: '2026-12-05T00:00:00.000Z',
      });
      // B's transaction ends in microtasks; its group (holding the write lock) stays open until
      // the end of this turn of the event loop.
      const inB = b.db
        .transaction()
        .execute((tx) => insertOrder(tx, orderRow(t, { id: 'ord_b1', po_number: 'PO-B1' }), []));
      for (let i = 0; i < 100; i++) await Promise.resolve();
      // A write through A outside a transaction: run at once, it would wait for B's lock
      // synchronously (busy_timeout), blocking the loop B's COMMIT needs, and fail.
      const started = Date.now();
      await insertAuditEvents(a.db, [event('ord_b1')]);
      await inB;
      expect(Date.now() - started).toBeLessThan(1_000);
      expect(
        (await orderByPo(a.db, { vendorId: t.vendor.id, po: 'PO-B1', limit: 5 })).rows,
      ).toEqual([{ id: 'ord_b1', po_number: 'PO-B1' }]);
      expect(await listAuditEvents(a.db, 'order', 'ord_b1')).toHaveLength(1);
    } finally {
      await a.close();
      await b.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
