// POST /orders/import: an order from the vendor's Excel template. The workbook is read into a
// submission (each value remembering its cell), checked with the same engine as
// POST /orders/validate, and every problem's path is mapped back to the cell it came from
// (`Lines!C7`, `Order!B4`). With `submit`, a valid workbook becomes an order (channel
// `excel_template`) through submitOrder, in the caller's transaction.
import { formatAmount, isCurrencyCode, parseAmount, type VendorProfile } from '@orderdesk/core';
import { z } from 'zod';
import { findVendorBySlug, listCustomers, listQuotes, type Executor } from '@orderdesk/store';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import {
  parseOrderWorkbook,
  type CellRead,
  type ParsedOrderWorkbook,
} from '../documents/order-template/read-order-workbook.ts';
import {
  textOf,
  toBoolean,
  toDecimal,
  toInteger,
  toIsoDate,
  toList,
  type CellValue,
  type Converted,
} from '../documents/order-template/cell-values.ts';
import {
  kindOfAttribute,
  kindOfOrderField,
  type TemplateFieldKind,
} from '../documents/order-template/template-fields.ts';
import type { OrderWorkbookLimits } from '../documents/order-template/xlsx-guard.ts';
import { ORDER_WORKBOOK_LIMITS } from '../documents/order-template/xlsx-guard.ts';
import { quoteScope } from '../quotes/quote-access.ts';
import { isAppError, unprocessable, type ProblemItem } from '../shared/errors.ts';
import type { WriteOptions } from '../shared/transaction.ts';
import { profileOfVendor } from '../vendors/profile-cache.ts';
import { visibleVendorIds } from '../vendors/vendor-scope.ts';
import type { OrderView } from './order-view.ts';
import { orderSubmissionBodySchema, type OrderSubmissionBody } from './orders.schemas.ts';
import { submitOrder, validateSubmission } from './submit-order.ts';

/** A problem of an imported workbook: `path` is the cell (or the field when no cell holds it). */
export interface ImportProblem {
  path: string;
  /** The submission field it is about (`lines[2].unitPrice`). */
  field: string;
  code: string;
  severity: 'error' | 'warning';
  message: string;
  expected?: string;
  actual?: string;
}

export interface OrderImportResult {
  valid: boolean;
  problems: ImportProblem[];
  /** The submission read from the workbook (what submit would send); null when it is not one. */
  submission: OrderSubmissionBody | null;
}

export interface OrderImportInput {
  bytes: Uint8Array;
  /** The vendor the caller means (CLI --vendor, ?vendor=): must match the workbook's, if given. */
  vendor?: string | undefined;
  /** Vendor staff placing the order on a partner's behalf. */
  partnerId?: string | undefined;
  limits?: OrderWorkbookLimits;
}

/** `['lines', 0, 'quantity']` → `lines[0].quantity`. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`))
    .join('');
}

function setPath(target: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let at = target;
  for (const part of parts.slice(0, -1)) {
    const next = at[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) at[part] = {};
    at = at[part] as Record<string, unknown>;
  }
  at[parts.at(-1) ?? key] = value;
}

function deletePath(target: Record<string, unknown>, path: readonly PropertyKey[]): void {
  if (path.length === 0) return;
  let at: unknown = target;
  for (const p of path.slice(0, -1)) {
    if (typeof at !== 'object' || at === null) return;
    at = (at as Record<PropertyKey, unknown>)[p as string];
  }
  if (typeof at !== 'object' || at === null) return;
  const last = path.at(-1) as string | number;
  if (Array.isArray(at) && typeof last === 'number') at.splice(last, 1, undefined);
  else delete (at as Record<PropertyKey, unknown>)[last];
}

/** Where a submission field sits in the workbook, or null when no cell holds it. */
export function cellOfField(parsed: ParsedOrderWorkbook, field: string): string | null {
  const line = /^lines\[(\d+)\](?:\.(.*))?$/.exec(field);
  if (line) {
    const row = parsed.lines[Number(line[1])]?.row;
    const key = (line[2] ?? 'partNumber').replace(/\[\d+\].*$/, '');
    const column = parsed.lineColumns.get(key) ?? parsed.lineColumns.get('partNumber');
    if (!column) return null;
    return row === undefined ? column : column.replace(/\d+$/, String(row));
  }
  if (field === 'lines') return parsed.lineColumns.get('partNumber') ?? null;
  const exact = parsed.fieldCells.get(field);
  if (exact) return exact;
  // A problem about a whole group (`contacts.siteAdmin`) points at its first field's cell.
  for (const [key, cell] of parsed.fieldCells) if (key.startsWith(`${field}.`)) return cell;
  return null;
}

/**
 * Columns and rows a writer left without the template's keys are known by their labels: the
 * profile's attributes are matched by label or key here (the reader knows no profile).
 */
function keyLabelledAttributes(parsed: ParsedOrderWorkbook, profile: VendorProfile | null): void {
  if (!profile) return;
  const fold = (s: string): string => s.trim().replace(/\s+/g, ' ').toLowerCase();
  const byLabel = (scope: 'order' | 'line') =>
    new Map(
      profile.attributes
        .filter((a) => a.scope === scope)
        .flatMap((a) => [
          [fold(a.label), `attributes.${a.key}`] as const,
          [fold(a.key), `attributes.${a.key}`] as const,
        ]),
    );
  const rekey = <V>(map: Map<string, V>, labels: Map<string, string>): Map<string, V> =>
    new Map(
      [...map].map(([k, v]) => {
        const key = k.startsWith('label:') ? labels.get(fold(k.slice('label:'.length))) : undefined;
        return [key ?? k, v] as const;
      }),
    );
  const order = byLabel('order');
  const line = byLabel('line');
  parsed.fields = rekey(parsed.fields, order);
  parsed.fieldCells = rekey(parsed.fieldCells, order);
  parsed.lineColumns = rekey(parsed.lineColumns, line);
  for (const l of parsed.lines) l.cells = rekey(l.cells, line);
}

interface Resolver {
  customer(text: string): string | undefined;
  quote(text: string): string | undefined;
}

async function resolverFor(
  db: Executor,
  actor: Actor,
  vendorId: string | null,
  partnerId: string | undefined,
): Promise<Resolver> {
  const partnerIds =
    actor.side === 'partner' ? actor.partnerScopeIds : partnerId !== undefined ? [partnerId] : [];
  const customers = await listCustomers(db, { partnerIds }, { limit: 5000 });
  const quotes =
    vendorId === null
      ? []
      : (
          await listQuotes(
            db,
            actor.side === 'partner' ? quoteScope(actor) : { vendorId },
            {},
            { limit: 1000 },
          )
        ).filter((q) => q.vendor_id === vendorId);
  const fold = (s: string): string => s.trim().toLowerCase();
  return {
    customer(text) {
      const exact = customers.find((c) => c.id === text.trim());
      if (exact) return exact.id;
      const named = customers.filter((c) => fold(c.name) === fold(text));
      return named.length === 1 ? named[0]?.id : undefined;
    },
    quote(text) {
      const exact = quotes.find((q) => q.id === text.trim());
      if (exact) return exact.id;
      // The number names the quote; of its revisions, the one still open to order.
      const numbered = quotes.filter((q) => fold(q.number) === fold(text));
      const open = numbered.find((q) => q.status === 'approved') ?? numbered[0];
      return open?.id;
    },
  };
}

function convert(kind: TemplateFieldKind, value: CellValue): Converted<unknown> {
  switch (kind) {
    case 'date':
      return toIsoDate(value);
    case 'decimal':
      return toDecimal(value);
    case 'integer':
      return toInteger(value);
    case 'boolean':
      return toBoolean(value);
    case 'list':
      return { ok: true, value: toList(value) };
    case 'email':
    case 'text':
      return { ok: true, value: textOf(value) };
  }
}

interface Built {
  body: Record<string, unknown>;
  problems: ImportProblem[];
}

function buildSubmission(
  parsed: ParsedOrderWorkbook,
  profile: VendorProfile | null,
  resolve: Resolver,
  input: OrderImportInput,
): Built {
  const problems: ImportProblem[] = [];
  const problem = (read: { cell: string } | null, field: string, message: string): void => {
    problems.push({
      path: read?.cell ?? field,
      field,
      code: 'invalid',
      severity: 'error',
      message,
    });
  };
  const attributes = new Map((profile?.attributes ?? []).map((a) => [`attributes.${a.key}`, a]));
  const kindOf = (key: string): TemplateFieldKind => {
    const attribute = attributes.get(key);
    return attribute ? kindOfAttribute(attribute) : kindOfOrderField(key);
  };
  const body: Record<string, unknown> = { channel: 'excel_template' };
  const written = parsed.fields.get('vendor');
  const vendor = input.vendor ?? (written ? textOf(written.value) : undefined);
  if (input.vendor && written && textOf(written.value) !== input.vendor) {
    problem(
      written,
      'vendor',
      `This workbook is for "${textOf(written.value)}", not "${input.vendor}"`,
    );
  }
  if (vendor !== undefined) body.vendor = vendor;
  if (input.partnerId !== undefined) body.partnerId = input.partnerId;
  for (const [key, read] of parsed.fields) {
    if (key === 'vendor' || key.startsWith('label:')) continue;
    if (key === 'type') {
      body.type = textOf(read.value);
      continue;
    }
    if (key === 'customerId') {
      const text = textOf(read.value);
      body.customerId = resolve.customer(text) ?? text;
      continue;
    }
    if (key === 'quoteId') {
      const text = textOf(read.value);
      body.quoteId = resolve.quote(text) ?? text;
      continue;
    }
    const converted = convert(kindOf(key), read.value);
    if (!converted.ok) problem(read, key, converted.message);
    else setPath(body, key, converted.value);
  }
  body.lines = parsed.lines.map((line, i) => {
    const out: Record<string, unknown> = {};
    const read = (key: string): CellRead | undefined => line.cells.get(key);
    const part = read('partNumber');
    if (part) out.partNumber = textOf(part.value);
    const fields: [string, TemplateFieldKind][] = [
      ['quantity', 'integer'],
      ['unitPrice', 'decimal'],
    ];
    for (const key of line.cells.keys()) {
      if (!key.startsWith('attributes.')) continue;
      const attribute = attributes.get(key);
      fields.push([key, attribute ? kindOfAttribute(attribute) : 'text']);
    }
    for (const [key, kind] of fields) {
      const cell = read(key);
      if (!cell) continue;
      const converted = convert(kind, cell.value);
      if (!converted.ok) problem(cell, `lines[${i}].${key}`, converted.message);
      else setPath(out, key, converted.value);
    }
    return out;
  });
  return { body, problems };
}

/**
 * Schema problems (a bad e-mail, a missing quantity) at their cells. The bad values are dropped
 * and the rest checked on, so the engine still judges everything else: a bad line leaves the
 * submission (`lineIndex` maps what remains to the workbook's lines), a group missing a
 * required part is left out. Null when a key the engine cannot do without is bad.
 */
function checkShape(
  parsed: ParsedOrderWorkbook,
  body: Record<string, unknown>,
  problems: ImportProblem[],
): { submission: OrderSubmissionBody; lineIndex: number[] } | null {
  const seen = new Set(problems.map((p) => p.field));
  let lineIndex = parsed.lines.map((_, i) => i);
  for (let round = 0; round < 8; round++) {
    const result = orderSubmissionBodySchema.safeParse(body);
    if (result.success) return { submission: result.data, lineIndex };
    let fatal = false;
    const badLines = new Set<number>();
    for (const issue of result.error.issues) {
      const path = [...issue.path];
      const inLine = path[0] === 'lines' && typeof path[1] === 'number';
      if (inLine) path[1] = lineIndex[path[1] as number] ?? (path[1] as number);
      const field = formatFieldPath(path);
      if (!seen.has(field)) {
        seen.add(field);
        const missing = issue.code === 'invalid_type' && issue.input === undefined;
        problems.push({
          path: cellOfField(parsed, field) ?? field,
          field,
          code: missing ? 'required' : 'invalid',
          severity: 'error',
          message: missing ? 'Required' : issue.message,
        });
      }
      if (inLine) {
        badLines.add(issue.path[1] as number);
      } else if (issue.path.length <= 1) {
        fatal = true;
      } else {
        const missing = issue.code === 'invalid_type' && issue.input === undefined;
        deletePath(body, missing ? issue.path.slice(0, -1) : issue.path);
      }
    }
    if (fatal) return null;
    if (badLines.size > 0 && Array.isArray(body.lines)) {
      const lines = body.lines as unknown[];
      body.lines = lines.filter((_, i) => !badLines.has(i));
      lineIndex = lineIndex.filter((_, i) => !badLines.has(i));
      if ((body.lines as unknown[]).length === 0) return null;
    }
  }
  return null;
}

/**
 * The submission's money as API.md writes amounts, with the currency's minor digits: a
 * spreadsheet keeps 715.00 as the number 715, read as "715"; in USD it is "715.00". An amount
 * the currency cannot hold exactly is left as read, for the engine to say so.
 */
function withMinorDigits(
  submission: OrderSubmissionBody,
  fallbackCurrency: string | undefined,
): OrderSubmissionBody {
  const currency = submission.purchaseOrder?.currency ?? fallbackCurrency;
  if (currency === undefined || !isCurrencyCode(currency)) return submission;
  const format = (amount: string): string => {
    const parsed = parseAmount(amount, currency, { allowExtraZeros: true });
    return parsed.ok ? formatAmount(parsed.minor, currency) : amount;
  };
  const po = submission.purchaseOrder;
  return {
    ...submission,
    ...(po ? { purchaseOrder: { ...po, total: format(po.total) } } : {}),
    lines: submission.lines.map((line) => ({ ...line, unitPrice: format(line.unitPrice) })),
  };
}

/** The engine's problems with their paths mapped to cells (and to the workbook's line numbers). */
function atCells(
  parsed: ParsedOrderWorkbook,
  found: readonly {
    path: string;
    code: string;
    message: string;
    severity?: 'error' | 'warning';
    expected?: string | undefined;
    actual?: string | undefined;
  }[],
  lineIndex: readonly number[],
): ImportProblem[] {
  return found.map((p) => {
    const field = p.path.replace(
      /^lines\[(\d+)\]/,
      (_, i: string) => `lines[${lineIndex[Number(i)] ?? Number(i)}]`,
    );
    return {
      path: cellOfField(parsed, field) ?? field,
      field,
      code: p.code,
      severity: p.severity ?? 'error',
      message: p.message,
      ...(p.expected !== undefined ? { expected: p.expected } : {}),
      ...(p.actual !== undefined ? { actual: p.actual } : {}),
    };
  });
}

/** The check of a workbook, and the submission to place when it is valid. */
async function checkWorkbook(
  ctx: AppContext,
  actor: Actor,
  input: OrderImportInput,
): Promise<{
  result: OrderImportResult;
  parsed: ParsedOrderWorkbook | null;
  body: OrderSubmissionBody | null;
  lineIndex: number[];
}> {
  const read = await parseOrderWorkbook(input.bytes, input.limits ?? ORDER_WORKBOOK_LIMITS);
  if (!read.ok) {
    return {
      result: {
        valid: false,
        problems: [
          { path: 'file', field: 'file', code: 'invalid', severity: 'error', message: read.reason },
        ],
        submission: null,
      },
      parsed: null,
      body: null,
      lineIndex: [],
    };
  }
  const parsed = read.workbook;
  const db = ctx.store.db;
  const slug = input.vendor ?? textOrUndefined(parsed.fields.get('vendor'));
  const vendor = slug ? await findVendorBySlug(db, slug) : undefined;
  const visible = vendor ? (await visibleVendorIds(db, actor)).includes(vendor.id) : false;
  const profile = vendor && visible ? await profileOfVendor(db, vendor) : null;
  keyLabelledAttributes(parsed, profile);
  const resolver = await resolverFor(
    db,
    actor,
    visible && vendor ? vendor.id : null,
    input.partnerId,
  );
  const { body, problems } = buildSubmission(parsed, profile, resolver, input);
  if (parsed.lines.length === 0) {
    problems.push({
      path: parsed.lineColumns.get('partNumber') ?? 'Lines!A3',
      field: 'lines',
      code: 'required',
      severity: 'error',
      message: 'The Lines sheet has no line: give at least a part number, quantity and unit price',
    });
  }
  const shaped = checkShape(parsed, body, problems);
  if (!shaped) {
    return {
      result: { valid: false, problems, submission: null },
      parsed,
      body: null,
      lineIndex: [],
    };
  }
  const { lineIndex } = shaped;
  const submission = withMinorDigits(shaped.submission, profile?.currency);
  const validation = await validateSubmission(ctx, actor, submission);
  const all = [...problems, ...atCells(parsed, validation.problems, lineIndex)];
  // The engine may name a field the conversion already reported (a dropped value now missing).
  const reported = new Set(problems.map((p) => p.field));
  const merged = all.filter(
    (p, i) => i < problems.length || !(reported.has(p.field) && p.code === 'required'),
  );
  const valid = merged.every((p) => p.severity !== 'error');
  return {
    result: { valid, problems: merged, submission },
    parsed,
    body: valid ? submission : null,
    lineIndex,
  };
}

function textOrUndefined(read: CellRead | undefined): string | undefined {
  return read === undefined ? undefined : textOf(read.value);
}

/** Reads and checks an order workbook; nothing is recorded (POST /orders/import). */
export async function checkOrderImport(
  ctx: AppContext,
  actor: Actor,
  input: OrderImportInput,
): Promise<OrderImportResult> {
  return (await checkWorkbook(ctx, actor, input)).result;
}

/**
 * Reads, checks and submits an order workbook (POST /orders/import?submit=true): the order, or
 * 422 with every problem at its cell and nothing recorded.
 */
export async function submitOrderImport(
  ctx: AppContext,
  actor: Actor,
  input: OrderImportInput,
  options: WriteOptions = {},
): Promise<OrderView> {
  // Inside an idempotent request the transaction is open already: every read of the check
  // goes through it (SQLite has one connection, and a replay must not re-judge the file).
  const scoped: AppContext = options.tx ? { ...ctx, store: { ...ctx.store, db: options.tx } } : ctx;
  const { result, parsed, body, lineIndex } = await checkWorkbook(scoped, actor, input);
  const errors = (problems: readonly ImportProblem[]): ProblemItem[] =>
    problems
      .filter((p) => p.severity === 'error')
      .map((p) => ({
        path: p.path,
        code: p.code,
        message: p.field === p.path ? p.message : `${p.field}: ${p.message}`,
        ...(p.expected !== undefined ? { expected: p.expected } : {}),
        ...(p.actual !== undefined ? { actual: p.actual } : {}),
      }));
  if (!body || !parsed) {
    throw unprocessable('The workbook has problems; nothing was recorded', errors(result.problems));
  }
  try {
    return await submitOrder(ctx, actor, body, options);
  } catch (error) {
    // Between the check and the submission something changed (a PO number now taken).
    if (isAppError(error, 'unprocessable')) {
      throw unprocessable(
        error.message,
        errors(
          atCells(
            parsed,
            (error.problems ?? []).map((p) => ({ ...p, severity: 'error' as const })),
            lineIndex,
          ),
        ),
      );
    }
    throw error;
  }
}

export const orderImportQuerySchema = z.strictObject({
  /** `true`: place the order when the workbook is valid (needs an Idempotency-Key). */
  submit: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  /** The vendor meant; the workbook's own is used when absent. */
  vendor: z.string().trim().min(1).max(100).optional(),
  /** Vendor staff (order_desk, vendor_admin) importing on a partner's behalf. */
  partnerId: z.string().trim().min(1).max(100).optional(),
});

export const importProblemSchema = z.object({
  path: z
    .string()
    .meta({ description: 'The cell, e.g. Lines!C7, or the field when no cell holds it' }),
  field: z.string(),
  code: z.string(),
  severity: z.enum(['error', 'warning']),
  message: z.string(),
  expected: z.string().optional(),
  actual: z.string().optional(),
});

export const orderImportResultSchema = z
  .object({
    valid: z.boolean(),
    problems: z.array(importProblemSchema),
    submission: orderSubmissionBodySchema.nullable(),
  })
  .meta({ id: 'OrderImportResult' });
