import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, testDialects } from '../test/databases.ts';
import type { Store } from './dialects.ts';
import { claimJobRun, finishJobRun, listJobRuns, renewJobLease } from './jobs.repository.ts';

const T0 = '2026-03-02T10:00:00.000Z';
const T1 = '2026-03-02T10:05:00.000Z';
const T2 = '2026-03-02T10:20:00.000Z';

describe.each(testDialects())('job runs on %s', (dialect) => {
  let store: Store;
  beforeAll(async () => {
    store = await createTestStore(dialect);
  });
  afterAll(async () => {
    await store.close();
  });

  // A lease of ten minutes from `now`.
  const claim = (workerId: string, now: string, slot = T0, job = 'test.job') =>
    claimJobRun(store.db, {
      job,
      slot,
      workerId,
      now,
      leaseUntil: new Date(Date.parse(now) + 600_000).toISOString(),
    });

  it('lets one worker claim a slot; another finds it busy, then done', async () => {
    const a = await claim('a', T0);
    expect(a).toMatchObject({ kind: 'claimed', attempts: 1 });
    expect(await claim('b', T0)).toEqual({ kind: 'busy' });
    if (a.kind !== 'claimed') throw new Error('unreachable');
    // Only the holder finishes it.
    expect(await finishJobRun(store.db, { id: a.id, workerId: 'b', status: 'done', at: T1 })).toBe(
      false,
    );
    expect(
      await finishJobRun(store.db, {
        id: a.id,
        workerId: 'a',
        status: 'done',
        at: T1,
        summary: { n: 1 },
      }),
    ).toBe(true);
    expect(await claim('b', T2)).toEqual({ kind: 'done' });
    expect((await listJobRuns(store.db, { job: 'test.job' }))[0]).toMatchObject({
      status: 'done',
      summary: '{"n":1}',
    });
  });

  it('hands a run over when its lease ran out, and retries a failed one', async () => {
    const slot = '2026-03-02T11:00:00.000Z';
    const a = await claim('a', T0, slot);
    if (a.kind !== 'claimed') throw new Error('expected a claim');
    expect(await claim('b', T1, slot)).toEqual({ kind: 'busy' }); // lease until 10:10
    const b = await claim('b', T2, slot); // 10:20: the lease ran out
    expect(b).toMatchObject({ kind: 'claimed', id: a.id, attempts: 2 });
    // The first worker lost it: it can neither renew nor finish.
    expect(await renewJobLease(store.db, { id: a.id, workerId: 'a', leaseUntil: T2 })).toBe(false);
    expect(await finishJobRun(store.db, { id: a.id, workerId: 'a', status: 'done', at: T2 })).toBe(
      false,
    );
    expect(
      await finishJobRun(store.db, {
        id: a.id,
        workerId: 'b',
        status: 'failed',
        at: T2,
        error: 'boom',
      }),
    ).toBe(true);
    expect(await claim('c', T2, slot)).toMatchObject({ kind: 'claimed', attempts: 3 });
  });
});
