import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, testDialects } from '../test/databases.ts';
import type { Store } from './dialects.ts';
import { nextCounterValue } from './counters.repository.ts';

describe.each(testDialects())('counters on %s', (dialect) => {
  let store: Store;
  beforeAll(async () => {
    store = await createTestStore(dialect);
  });
  afterAll(async () => {
    await store.close();
  });

  it('gives concurrent transactions distinct, gap-free values', async () => {
    const n = 24;
    const values = await Promise.all(
      Array.from({ length: n }, () =>
        store.db.transaction().execute((trx) => nextCounterValue(trx, 'ven_a', 'order')),
      ),
    );
    expect([...values].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  });

  it('counts each vendor and name on its own, and a rolled back value is handed out again', async () => {
    expect(await nextCounterValue(store.db, 'ven_b', 'order')).toBe(1);
    expect(await nextCounterValue(store.db, 'ven_b', 'quote')).toBe(1);
    expect(await nextCounterValue(store.db, 'ven_b', 'order')).toBe(2);
    await expect(
      store.db.transaction().execute(async (trx) => {
        expect(await nextCounterValue(trx, 'ven_b', 'order')).toBe(3);
        throw new Error('the order was not recorded');
      }),
    ).rejects.toThrow(/not recorded/);
    expect(await nextCounterValue(store.db, 'ven_b', 'order')).toBe(3);
  });
});
