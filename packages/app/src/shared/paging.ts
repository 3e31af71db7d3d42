import { z } from 'zod';
import { invalidInput, type AppError } from './errors.ts';

export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(500).optional(),
});

/** The most items of a list that answered whole before it was paged, in one page. */
export const WHOLE_LIST_LIMIT = 10_000;

/**
 * The query of a list that answered whole before it was paged (vendors, partnerships, users,
 * categories, an order's timeline…): the default page is the largest, WHOLE_LIST_LIMIT, so a
 * client that does not page (the web app) keeps getting the whole list; past it, `nextCursor`.
 * Strict: a list route takes no other query field (spread its shape to add some).
 */
export const wholeListQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(WHOLE_LIST_LIMIT).default(WHOLE_LIST_LIMIT),
  cursor: pageQuerySchema.shape.cursor,
});

/** The paging part of a list query: the page size and the cursor of the previous page. */
export interface PageQuery {
  limit: number;
  cursor?: string | undefined;
}

/**
 * The answer to a cursor its list did not make: a 400 naming the cursor as the request's other
 * query parameters are named (`querystring.limit`), whatever else is wrong with it.
 */
export function invalidCursor(): AppError {
  return invalidInput('Invalid cursor', [
    { path: 'querystring.cursor', code: 'invalid', message: 'Not a cursor returned by this list' },
  ]);
}

/** Encodes an opaque cursor (base64url JSON) for keyset pagination. */
export function encodeCursor(value: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Decodes a cursor made by encodeCursor, checked against the expected shape; 400 otherwise. */
export function decodeCursor<T>(cursor: string | undefined, schema: z.ZodType<T>): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = schema.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    // A NUL in a key is no cursor of ours, and PostgreSQL refuses it in text (a 500).
    if (parsed.success && !JSON.stringify(parsed.data).includes('\\u0000')) return parsed.data;
  } catch {
    // fall through to the problem below
  }
  throw invalidCursor();
}

/** A page of a list (API.md: `{ items, nextCursor }`). */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * The one paging helper: given `limit + 1` rows read after the cursor, the page of `limit`
 * items and the cursor of the next page (made from the last item), or null at the end.
 */
export function pageOf<Row, Item>(
  rows: readonly Row[],
  limit: number,
  cursorOf: (last: Row) => Record<string, string | number>,
  toItem: (row: Row) => Item,
): Page<Item> {
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return {
    items: shown.map(toItem),
    nextCursor: rows.length > limit && last !== undefined ? encodeCursor(cursorOf(last)) : null,
  };
}

const afterIdCursorSchema = z.object({ after: z.string().min(1).max(200) });

/**
 * A page of a list assembled in memory (several queries joined, as a quote's thread after its
 * request's), in a stable order: the cursor names the last item shown, so an item added to an
 * earlier part of the list meanwhile (a reply on the request's thread) neither repeats nor
 * hides one on the next page. Lists read by one query page in SQL with `pageOf` instead.
 */
export function pageInMemory<Item extends { id: string }>(
  items: readonly Item[],
  query: PageQuery,
): Page<Item> {
  const after = decodeCursor(query.cursor, afterIdCursorSchema)?.after;
  let start = 0;
  if (after !== undefined) {
    const at = items.findIndex((item) => item.id === after);
    if (at < 0) throw invalidCursor();
    start = at + 1;
  }
  return pageOf(
    items.slice(start, start + query.limit + 1),
    query.limit,
    (last) => ({ after: last.id }),
    (item) => item,
  );
}
