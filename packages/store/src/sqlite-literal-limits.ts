// LIMIT and OFFSET written into a SQLite statement's text instead of bound as parameters.
//
// SQLite plans a `LIMIT ?` with the value bound at the time (it may stop a sort early), and so
// marks the statement to be prepared again whenever a new value is bound to that parameter
// (sqlite3ExprIsInteger → sqlite3VdbeSetVarmask; any bind, even of the same value, expires
// it). Kysely binds every limit, so each of the store's reads with a limit — most of the
// look-ups of an order submission — was parsed and planned anew on every run, its prepared
// statement kept for nothing (perf: ~2% of the server's time under the bench's submissions,
// in sqlite3Prepare under Statement::JS_all). Here a statement's `limit ?` and `offset ?` get
// the bound value as a literal when it is a non-negative integer: one prepared statement per
// limit value, kept and reused. Any other value (not an integer, negative) stays a parameter,
// so SQLite's own error or behaviour is unchanged. PostgreSQL plans parameters generically and
// is not concerned.
const LIMIT_PARAMETER = /\b(?:limit|offset)\s+\?(?![\d?])/i;
const BEFORE_PLACEHOLDER = /(?:limit|offset)\s+$/i;
/** SQL texts analysed and kept (the store's statements are a few hundred at most). */
const MAX_TEXTS = 1000;

/** Where a statement's limit placeholders are: its text around them, and their parameters. */
interface LimitSlots {
  /** The text before each placeholder, then the text after the last one. */
  readonly parts: readonly string[];
  /** The index in the parameters of each placeholder's value. */
  readonly slots: readonly number[];
}

const analysed = new Map<string, LimitSlots | null>();

/** The index after a quoted name or string that starts at `start` ('' inside is two quotes). */
function endOfQuoted(sql: string, start: number, close: string): number {
  const end = sql.indexOf(close, start + 1);
  return end < 0 ? sql.length : end;
}

/** Whether the `?` at `at` follows the keyword LIMIT or OFFSET (not a name ending so). */
function followsKeyword(sql: string, at: number): boolean {
  const start = Math.max(0, at - 24);
  const match = BEFORE_PLACEHOLDER.exec(sql.slice(start, at));
  if (!match) return false;
  const before = sql[start + match.index - 1];
  return before === undefined || !/[\w$]/.test(before);
}

/**
 * Finds the `?` placeholders that follow LIMIT or OFFSET, counting every `?` outside quotes
 * and comments to know which parameter each is. Null when there is none, or when the
 * statement has numbered or named parameters (then the count would not say which is which).
 */
function analyse(sql: string): LimitSlots | null {
  if (!LIMIT_PARAMETER.test(sql)) return null;
  const parts: string[] = [];
  const slots: number[] = [];
  let parameter = 0;
  let from = 0;
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i];
    if (c === "'" || c === '"' || c === '`') i = endOfQuoted(sql, i, c);
    else if (c === '[') i = endOfQuoted(sql, i, ']');
    else if (c === '-' && sql[i + 1] === '-') i = endOfQuoted(sql, i, '\n');
    else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      i = end < 0 ? sql.length : end + 1;
    } else if (c === ':' || c === '@' || c === '$') {
      if (/[A-Za-z_]/.test(sql[i + 1] ?? '')) return null;
    } else if (c === '?') {
      if (/\d/.test(sql[i + 1] ?? '')) return null;
      if (followsKeyword(sql, i)) {
        parts.push(sql.slice(from, i));
        slots.push(parameter);
        from = i + 1;
      }
      parameter++;
    }
  }
  if (slots.length === 0) return null;
  parts.push(sql.slice(from));
  return { parts, slots };
}

function slotsOf(sql: string): LimitSlots | null {
  let found = analysed.get(sql);
  if (found === undefined) {
    found = analyse(sql);
    if (analysed.size >= MAX_TEXTS) analysed.delete(analysed.keys().next().value as string);
    analysed.set(sql, found);
  }
  return found;
}

const isCount = (value: unknown): value is number | bigint =>
  (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) ||
  (typeof value === 'bigint' && value >= 0n);

/**
 * The statement with its limit and offset values written in, and the parameters left; the
 * statement as given when it has none, or when one of their values is not a count.
 */
export function withLiteralLimits(
  sql: string,
  parameters: readonly unknown[],
): { sql: string; parameters: readonly unknown[] } {
  const found = slotsOf(sql);
  if (found === null) return { sql, parameters };
  const values = found.slots.map((slot) => parameters[slot]);
  if (!values.every(isCount)) return { sql, parameters };
  let text = found.parts[0] ?? '';
  for (let i = 0; i < values.length; i++) text += String(values[i]) + (found.parts[i + 1] ?? '');
  const dropped = new Set(found.slots);
  return { sql: text, parameters: parameters.filter((_, i) => !dropped.has(i)) };
}
