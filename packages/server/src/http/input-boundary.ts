import type { FastifyInstance } from 'fastify';
import { formatPath } from './error-handler.ts';
import { cursorBody } from './list-cursors.ts';
import { HttpProblem, type ProblemItem } from './problem.ts';

// Text the databases cannot store the same way is refused where it enters, so the answer is
// the same 400 on both: PostgreSQL rejects a NUL in a text value (a 500 deep in a query),
// SQLite stores it and truncates it in places; an unpaired UTF-16 surrogate has no UTF-8 form
// (PostgreSQL refuses it, SQLite keeps U+FFFD instead: the value silently changes).

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * JSON bodies parsed from a text with no `\u` escape, no NUL and no surrogate: none of their
 * strings or keys can hold what badTextReason refuses, so the walk over them is spared.
 */
const cleanJsonBodies = new WeakSet<object>();
const ESCAPE_OR_BAD_TEXT = /\\u|[\u0000\uD800-\uDFFF]/;

/** A JSON request body's value (JSON.parse), noted as clean when its text shows it is. */
export function parseJsonBody(text: string): unknown {
  const value: unknown = JSON.parse(text);
  if (typeof value === 'object' && value !== null && !ESCAPE_OR_BAD_TEXT.test(text)) {
    cleanJsonBodies.add(value);
  }
  return value;
}

/** Why a string cannot be accepted as text, if it cannot. */
export function badTextReason(text: string): string | undefined {
  if (text.includes('\u0000')) return 'Text may not contain a NUL character (U+0000)';
  if (LONE_SURROGATE.test(text)) return 'Text may not contain an unpaired UTF-16 surrogate';
  return undefined;
}

function isPlainContainer(value: unknown): value is Record<string, unknown> | unknown[] {
  if (Array.isArray(value)) return true;
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Problem items for every string (and object key) in a parsed request part that cannot be
 * stored as text. Streams and buffers (uploads) are not walked: their readers check them.
 */
export function badTextProblems(value: unknown, base: readonly PropertyKey[]): ProblemItem[] {
  const items: ProblemItem[] = [];
  // One path, grown and shrunk as the walk goes (it runs on every request: no copies).
  const path: PropertyKey[] = [...base];
  let seen: Set<object> | undefined;
  const visit = (v: unknown, depth: number): void => {
    if (typeof v === 'string') {
      const reason = badTextReason(v);
      if (reason)
        items.push({ path: formatPath(path) || 'body', code: 'invalid', message: reason });
      return;
    }
    // JSON nesting is bounded by the body limit; the depth cap keeps the walk cheap anyway.
    if (depth > 64 || !isPlainContainer(v)) return;
    seen ??= new Set();
    if (seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        visit(v[i], depth + 1);
        path.pop();
      }
      return;
    }
    for (const key in v) {
      if (!Object.hasOwn(v, key)) continue;
      path.push(key);
      const reason = badTextReason(key);
      if (reason) {
        items.push({ path: formatPath(path), code: 'invalid', message: `Field name: ${reason}` });
      }
      visit(v[key], depth + 1);
      path.pop();
    }
  };
  visit(value, 0);
  return items;
}

function refuse(errors: readonly ProblemItem[]): void {
  if (errors.length === 0) return;
  throw new HttpProblem(
    400,
    'invalid-text',
    `The request holds text that cannot be stored: ${errors.map((e) => e.path).join(', ')}`,
    [...errors],
  );
}

/** Own enumerable entries as a plain object (the router's params object has its own class). */
function entriesOf(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' ? { ...value } : {};
}

/**
 * The text inside a list cursor (base64url JSON, as `encodeCursor` makes it, after the list's
 * digest: list-cursors.ts), if the value is one. A cursor is opaque to clients, so a forged one
 * is the only way its text goes wrong, and its values reach a query (PostgreSQL: a NUL there is
 * a 500, not a 400).
 */
function cursorProblems(query: Record<string, unknown>): ProblemItem[] {
  const cursor = query.cursor;
  if (typeof cursor !== 'string') return [];
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(cursorBody(cursor), 'base64url').toString('utf8'));
  } catch {
    return []; // not a cursor at all: the list refuses it (400 naming querystring.cursor)
  }
  const bad = badTextProblems(decoded, []);
  return bad.length > 0
    ? [
        {
          path: 'querystring.cursor',
          code: 'invalid',
          message: 'Not a cursor returned by this list',
        },
      ]
    : [];
}

/**
 * Refuses NUL characters and unpaired surrogates in path parameters, the query and JSON
 * bodies with a 400 naming each field, before any schema or use case sees them. Paths are
 * named as schema validation names them (`params.id`, `querystring.q`, `lines[0].partNumber`).
 * Params and query are checked on request, before route hooks that already look a tenant up
 * (an upload is authorised before a byte of it is read); bodies once they are parsed. The text
 * inside a list cursor is checked too.
 */
export function installInputBoundary(app: FastifyInstance): void {
  // Synchronous hooks (`done`; a throw is the hook's error): they run on every request.
  app.addHook('onRequest', (request, _reply, done) => {
    const query = entriesOf(request.query);
    refuse([
      ...badTextProblems(entriesOf(request.params), ['params']),
      ...badTextProblems(query, ['querystring']),
      ...cursorProblems(query),
    ]);
    done();
  });
  app.addHook('preValidation', (request, _reply, done) => {
    if (jsonDepthOver(request.body, MAX_JSON_DEPTH)) {
      throw new HttpProblem(400, 'invalid-request', 'The request body is nested too deeply', [
        {
          path: 'body',
          code: 'invalid',
          message: `JSON may nest at most ${MAX_JSON_DEPTH} levels deep`,
        },
      ]);
    }
    const body = request.body;
    if (typeof body !== 'object' || body === null || !cleanJsonBodies.has(body)) {
      refuse(badTextProblems(body, []));
    }
    done();
  });
}

/**
 * The deepest JSON any operation takes is a vendor profile (about ten levels). V8 parses JSON
 * of any depth but cannot stringify (nor Zod walk) a few thousand levels without running out of
 * stack, so a hostile `[[[[…` would be a 500 further in (idempotency hashes the body).
 */
export const MAX_JSON_DEPTH = 64;

/** Whether `value` nests deeper than `max` levels; iterative, so any depth is safe to ask. */
export function jsonDepthOver(value: unknown, max: number): boolean {
  // Recursion is as deep as `max` at most: the walk stops there.
  const over = (v: unknown, depth: number): boolean => {
    if (!isPlainContainer(v)) return false;
    if (depth >= max) return true;
    if (Array.isArray(v)) {
      for (const item of v) if (over(item, depth + 1)) return true;
      return false;
    }
    for (const key in v) if (Object.hasOwn(v, key) && over(v[key], depth + 1)) return true;
    return false;
  };
  return over(value, 0);
}

/**
 * A 415 error when a JSON body declares a charset other than UTF-8 (RFC 8259: JSON exchanged
 * between systems is UTF-8; decoding anything else as UTF-8 would change the text silently).
 */
export function jsonCharsetError(contentType: string | undefined): Error | undefined {
  const charset = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType ?? '')?.[1];
  if (charset === undefined || /^utf-?8$/i.test(charset)) return undefined;
  const error = new Error(
    `JSON bodies are UTF-8; charset "${charset}" is not supported`,
  ) as Error & { statusCode: number; code: string };
  error.statusCode = 415;
  error.code = 'FST_ERR_CTP_INVALID_MEDIA_TYPE';
  return error;
}
