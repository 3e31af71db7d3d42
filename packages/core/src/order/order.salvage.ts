// Reading as much of a submission as its schema allows. A body with a bad e-mail or a quantity
// of 0 is still an order with problems (API.md: validate answers them all, submit a 422 with
// all of them), so the rest of it is judged too: what the schema refuses is left out, where the
// field is optional, or emptied ('', 0, false, [], {}), where the order cannot do without it,
// and the caller reports the schema's issues at those paths. The validation engine is told
// which paths those are (`ValidateOrderOptions.unreadable`): it says nothing more at them and
// leaves out of the totals what it cannot compute. A line keeps its place, so every other
// line's problems keep their indices.
import { z } from 'zod';

/** A value read: as parsed (`changed: false`), or with parts left out or emptied. */
type Salvaged =
  | { readonly ok: true; readonly value: unknown; readonly changed: boolean }
  | { readonly ok: false };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A fresh empty value of each base type that has one: the engine reads it as missing. */
const EMPTY_OF_TYPE: Readonly<Record<string, () => unknown>> = {
  string: () => '',
  number: () => 0,
  boolean: () => false,
  array: () => [],
  record: () => ({}),
};

/**
 * The empty value of a required field's type ('' for text, 0, false, [], {} and an object of
 * its required fields' empty values), which the engine reads as missing; undefined for a type
 * without one.
 */
function emptyOf(schema: z.ZodType): { value: unknown } | undefined {
  if (schema instanceof z.ZodObject) {
    const out: Record<string, unknown> = {};
    const shape: Record<string, z.ZodType> = schema.shape;
    for (const [key, field] of Object.entries(shape)) {
      if (field instanceof z.ZodOptional) continue;
      const empty = emptyOf(field);
      if (empty === undefined) return undefined;
      out[key] = empty.value;
    }
    return { value: out };
  }
  const type = schema._zod.def.type;
  const make = Object.hasOwn(EMPTY_OF_TYPE, type) ? EMPTY_OF_TYPE[type] : undefined;
  return make === undefined ? undefined : { value: make() };
}

/** A field's salvaged value in its parent: kept, left out (optional) or emptied (required). */
function fieldValue(schema: z.ZodType, value: unknown): Salvaged {
  const result = salvage(schema, value);
  if (result.ok) return result;
  if (schema instanceof z.ZodOptional) return { ok: true, value: undefined, changed: true };
  const empty = emptyOf(schema);
  return empty === undefined ? { ok: false } : { ok: true, value: empty.value, changed: true };
}

function salvageObject(schema: z.ZodObject, value: Record<string, unknown>): Salvaged {
  const shape = schema.shape as Record<string, z.ZodType>;
  // Unknown fields are left out (the schema's issue names each).
  let changed = Object.keys(value).some((key) => !Object.hasOwn(shape, key));
  const entries: [string, unknown][] = [];
  for (const [key, field] of Object.entries(shape)) {
    const result = fieldValue(field, Object.hasOwn(value, key) ? value[key] : undefined);
    if (!result.ok) return { ok: false };
    changed ||= result.changed;
    if (result.value !== undefined) entries.push([key, result.value]);
  }
  // Every field valid and none unknown: the object's own rule refused it (a contact with
  // neither a name nor an e-mail), so the object as a whole is what is wrong.
  return changed ? { ok: true, value: Object.fromEntries(entries), changed } : { ok: false };
}

function salvageArray(schema: z.ZodArray, value: readonly unknown[]): Salvaged {
  let changed = false;
  const out: unknown[] = [];
  for (const item of value) {
    const result = fieldValue(schema.element as z.ZodType, item);
    // An item is never left out: the items after it keep their indices.
    if (!result.ok || result.value === undefined) return { ok: false };
    changed ||= result.changed;
    out.push(result.value);
  }
  // Every item valid: the list's own rule (its length) refused it.
  return changed ? { ok: true, value: out, changed } : { ok: false };
}

function salvageRecord(schema: z.ZodRecord, value: Record<string, unknown>): Salvaged {
  let changed = false;
  const entries: [PropertyKey, unknown][] = [];
  for (const [key, item] of Object.entries(value)) {
    const parsedKey = (schema.keyType as z.ZodType).safeParse(key);
    const result = salvage(schema.valueType as z.ZodType, item);
    if (parsedKey.success && result.ok) {
      entries.push([parsedKey.data as PropertyKey, result.value]);
      changed ||= result.changed;
    } else {
      changed = true;
    }
  }
  return changed ? { ok: true, value: Object.fromEntries(entries), changed } : { ok: false };
}

function salvage(schema: z.ZodType, value: unknown): Salvaged {
  if (schema instanceof z.ZodOptional && value === undefined) {
    return { ok: true, value, changed: false };
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data, changed: false };
  const inner = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
  if (inner instanceof z.ZodObject && isPlainObject(value)) return salvageObject(inner, value);
  if (inner instanceof z.ZodArray && Array.isArray(value)) return salvageArray(inner, value);
  if (inner instanceof z.ZodRecord && isPlainObject(value)) return salvageRecord(inner, value);
  return { ok: false };
}

/**
 * What can be read of `body` by `schema` (an order submission's): every value the schema
 * accepts, as it parses it; a refused value left out where its field is optional, emptied
 * where it is required; unknown fields left out. Undefined when `body` is not a JSON object,
 * or the object as a whole is refused.
 *
 * ```ts
 * salvageSubmission(orderSubmissionSchema, { vendor: 'skyline', type: 'new', lines: [
 *   { partNumber: 'A', quantity: 0, unitPrice: '5.00' },
 * ], contacts: { siteAdmin: { name: 'W', email: 'not-an-email' } } });
 * // → { vendor: 'skyline', type: 'new', customerId: '',
 * //     lines: [{ partNumber: 'A', quantity: 0, unitPrice: '5.00' }],
 * //     contacts: { siteAdmin: { name: 'W' } } }
 * ```
 */
export function salvageSubmission<S extends z.ZodObject>(
  schema: S,
  body: unknown,
): z.output<S> | undefined {
  if (!isPlainObject(body)) return undefined;
  const result = salvage(schema, body);
  // Each field holds a value its schema parsed, or the empty value of its type (emptyOf):
  // the output type's shapes, though not every rule of the schema holds. The engine is told
  // which paths those are.
  return result.ok ? (result.value as z.output<S>) : undefined;
}

/**
 * Whether `path` is one of `fields` or lies under one of them: `lines[2].unitPrice` is under
 * `lines[2].unitPrice`, `lines[2]` and `lines`; `contacts.siteAdmin.email` under
 * `contacts.siteAdmin` and `contacts`.
 */
export function isPathWithin(path: string, fields: ReadonlySet<string>): boolean {
  if (fields.size === 0) return false;
  if (fields.has(path)) return true;
  for (let i = 1; i < path.length; i++) {
    const c = path[i];
    if ((c === '.' || c === '[') && fields.has(path.slice(0, i))) return true;
  }
  return false;
}
