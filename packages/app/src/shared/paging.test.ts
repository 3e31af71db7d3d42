import { describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
import { pageInMemory } from './paging.ts';

const ids = (page: { items: { id: string }[] }) => page.items.map((i) => i.id);
const list = (...names: string[]) => names.map((id) => ({ id }));

describe('pageInMemory', () => {
  it('pages a joined list by the last item shown', () => {
    const all = list('a', 'b', 'c', 'd', 'e');
    const first = pageInMemory(all, { limit: 2 });
    expect(ids(first)).toEqual(['a', 'b']);
    const second = pageInMemory(all, { limit: 2, cursor: first.nextCursor ?? undefined });
    expect(ids(second)).toEqual(['c', 'd']);
    const last = pageInMemory(all, { limit: 2, cursor: second.nextCursor ?? undefined });
    expect(ids(last)).toEqual(['e']);
    expect(last.nextCursor).toBeNull();
    expect(pageInMemory(list('a', 'b'), { limit: 2 }).nextCursor).toBeNull();
  });

  it('neither repeats nor skips an item when one is added before the cursor meanwhile', () => {
    // A quote's thread: its request's messages, then its own. A reply lands on the request's
    // thread between two pages: the next page goes on after the last message shown.
    const first = pageInMemory(list('r1', 'q1', 'q2', 'q3'), { limit: 2 });
    expect(ids(first)).toEqual(['r1', 'q1']);
    const next = pageInMemory(list('r1', 'r2', 'q1', 'q2', 'q3'), {
      limit: 2,
      cursor: first.nextCursor ?? undefined,
    });
    expect(ids(next)).toEqual(['q2', 'q3']);
  });

  it('answers 400 to a cursor of no item of the list', () => {
    const first = pageInMemory(list('a', 'b', 'c'), { limit: 1 });
    const call = () =>
      pageInMemory(list('x', 'y'), { limit: 1, cursor: first.nextCursor ?? undefined });
    expect(call).toThrow(AppError);
    expect(call).toThrow('Invalid cursor');
    expect(() => pageInMemory(list('a'), { limit: 1, cursor: 'bm9wZQ' })).toThrow('Invalid cursor');
  });
});
