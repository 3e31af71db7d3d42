import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { invalidCursor } from '@orderdesk/app';

// A list's cursor names the list that made it. A use case checks the shape of its cursor
// (shared/paging.ts), and lists keyed alike — by id: customers, invoices, licenses … — would
// take each other's cursors and answer a page of something else. So the cursor a list gives
// out is `<list>.<cursor>`: <list> a short digest of the route (`/api/v1/customers/:id/contacts`),
// <cursor> what the use case made (base64url, never a `.`); a list reads only cursors with its
// own digest, and hands its use case the part after it. The digest is no secret (a cursor is
// opaque, not signed): a forged cursor is still read by the use case, and refused there.

const SEPARATOR = '.';

/** The digest naming a list route in its cursors: 8 base64url characters. */
export function listTag(routeUrl: string): string {
  return createHash('sha256').update(routeUrl).digest('base64url').slice(0, 8);
}

/** The cursor a list at `routeUrl` gives out for the cursor its use case made. */
export function bindCursor(routeUrl: string, cursor: string): string {
  return `${listTag(routeUrl)}${SEPARATOR}${cursor}`;
}

/** The use case's part of a cursor the list at `routeUrl` gave out; undefined for any other. */
export function unbindCursor(routeUrl: string, cursor: string): string | undefined {
  const at = cursor.indexOf(SEPARATOR);
  if (at < 0 || cursor.slice(0, at) !== listTag(routeUrl)) return undefined;
  return cursor.slice(at + 1);
}

/** The use case's part of any list's cursor (the text after the list's digest), for checks. */
export function cursorBody(cursor: string): string {
  return cursor.slice(cursor.indexOf(SEPARATOR) + 1);
}

/** Whether a response schema is a page of a list (`{ items, nextCursor }`), or may be one. */
function isPage(schema: unknown): boolean {
  const s = schema as { shape?: Record<string, unknown>; options?: readonly unknown[] } | null;
  if (s?.shape !== undefined) return 'nextCursor' in s.shape;
  // A union: the page, or the same list as CSV (licenses).
  return s?.options?.some(isPage) ?? false;
}

/** Whether a route's answer is a page of a list. */
function answersPages(schema: unknown): boolean {
  return isPage((schema as { response?: Record<string, unknown> } | undefined)?.response?.[200]);
}

/**
 * Binds every list's cursors to the list (see above): a list route is one whose 200 answer
 * has `nextCursor`. Its `nextCursor` goes out bound; its `cursor` query parameter comes in
 * unbound before the query's schema reads it, or is refused with the 400 a use case gives a
 * cursor it did not make (`querystring.cursor`).
 */
export function installListCursors(app: FastifyInstance): void {
  const lists = new Set<string>();
  app.addHook('onRoute', (route) => {
    if (answersPages(route.schema)) lists.add(route.url);
  });
  const listOf = (request: FastifyRequest): string | undefined => {
    const url = request.routeOptions.url;
    return url !== undefined && lists.has(url) ? url : undefined;
  };
  // After the caller is known (401 and 403 come first), before the query's schema.
  app.addHook('preValidation', (request, _reply, done) => {
    const list = listOf(request);
    const query = request.query as Record<string, unknown> | undefined;
    if (list !== undefined && typeof query?.cursor === 'string') {
      const cursor = unbindCursor(list, query.cursor);
      if (cursor === undefined) throw invalidCursor();
      query.cursor = cursor;
    }
    done();
  });
  app.addHook('preSerialization', async (request, _reply, payload: unknown) => {
    const list = listOf(request);
    if (list === undefined || payload === null || typeof payload !== 'object') return payload;
    const page = payload as { nextCursor?: unknown };
    if (typeof page.nextCursor !== 'string') return payload;
    return { ...page, nextCursor: bindCursor(list, page.nextCursor) };
  });
}
