// From what was read out of a mail to an order submission the desk can convert: the PO's
// fields, lines and attributes as the API's submission body, with the order type and the end
// customer when the mail says which, placed on the partner's behalf. The draft is validated
// with the engine of POST /orders/validate; what the extraction could not say shows up as
// problems, and the desk supplies it when converting.
import { orderSubmissionBodySchema, type OrderSubmissionBody } from '../orders/orders.schemas.ts';
import type { VendorProfile } from '@orderdesk/core';
import { findProductsByPartNumber, listCustomers, type Executor } from '@orderdesk/store';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import type { ExtractedPurchaseOrder } from '../documents/extracted-order.ts';
import { validateSubmission } from '../orders/submit-order.ts';

/** The draft as stored: the submission body, possibly incomplete. */
export type IntakeDraft = Record<string, unknown>;

export interface IntakeProblem {
  path: string;
  code: string;
  message: string;
  severity: 'error' | 'warning';
  expected?: string;
  actual?: string;
}

export interface IntakeValidation {
  valid: boolean;
  problems: IntakeProblem[];
}

function normal(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** The order type the mail names by its label or key, else the only one, else by product types. */
async function orderTypeOf(
  db: Executor,
  vendorId: string,
  profile: VendorProfile,
  extraction: ExtractedPurchaseOrder,
  texts: string[],
): Promise<{ type?: string; note?: string }> {
  // Whole words only: the key "new" must not match "renewal".
  const haystack = ` ${normal(texts.join(' \n '))} `;
  const says = (words: string): boolean => haystack.includes(` ${normal(words)} `);
  const named = profile.orderTypes.filter((t) => says(t.label) || says(t.key));
  if (named.length === 1 && named[0]) {
    return { type: named[0].key, note: `Order type from the text: "${named[0].label}"` };
  }
  if (profile.orderTypes.length === 1 && profile.orderTypes[0]) {
    return { type: profile.orderTypes[0].key };
  }
  const parts = extraction.lines.flatMap((l) => (l.partNumber ? [l.partNumber] : []));
  if (parts.length === 0) return {};
  const products = await findProductsByPartNumber(db, vendorId, parts.slice(0, 1000));
  const types = new Set([...products.values()].map((p) => p.type));
  if (types.size === 0) return {};
  const fitting = profile.orderTypes.filter((t) =>
    [...types].every(
      (pt) => !t.allowedProductTypes || (t.allowedProductTypes as readonly string[]).includes(pt),
    ),
  );
  if (fitting.length === 1 && fitting[0]) {
    return {
      type: fitting[0].key,
      note: `Order type from the products ordered: "${fitting[0].label}"`,
    };
  }
  return {};
}

/** The partner's end customer the mail names (by name), or its only customer. */
async function customerOf(
  db: Executor,
  partnerId: string,
  extraction: ExtractedPurchaseOrder,
  texts: string[],
): Promise<{ customerId?: string; note?: string }> {
  const customers = await listCustomers(db, { partnerIds: [partnerId] }, { limit: 500 });
  const haystack = ` ${normal(
    [
      ...texts,
      ...Object.values(extraction.attributes ?? {}),
      extraction.purchaseOrder.buyer ?? '',
    ].join(' \n '),
  )} `;
  const named = customers.filter(
    (c) => normal(c.name) !== '' && haystack.includes(` ${normal(c.name)} `),
  );
  if (named.length === 1 && named[0]) {
    return { customerId: named[0].id, note: `End customer from the text: ${named[0].name}` };
  }
  if (customers.length === 1 && customers[0]) {
    return {
      customerId: customers[0].id,
      note: `End customer: ${customers[0].name}, the partner's only customer (check it)`,
    };
  }
  return {};
}

function quantityOf(text: string | undefined): number | string | undefined {
  if (text === undefined) return undefined;
  const n = Number(text.replace(/,/g, ''));
  return Number.isInteger(n) && n > 0 ? n : text;
}

/** The submission body the extraction gives (the desk's starting point when converting). */
export async function buildDraft(
  db: Executor,
  input: {
    vendorId: string;
    vendorSlug: string;
    profile: VendorProfile;
    partnerId: string | null;
    extraction: ExtractedPurchaseOrder;
    /** The mail's subject and text, and the document's text, where types and names are looked for. */
    texts: string[];
    emailBody: string;
  },
): Promise<{ draft: IntakeDraft; notes: string[] }> {
  const { extraction, profile } = input;
  const notes: string[] = [];
  const type = await orderTypeOf(db, input.vendorId, profile, extraction, input.texts);
  if (type.note) notes.push(type.note);
  const customer = input.partnerId
    ? await customerOf(db, input.partnerId, extraction, input.texts)
    : {};
  if (customer.note) notes.push(customer.note);
  const po = extraction.purchaseOrder;
  const purchaseOrder: Record<string, string> = {};
  if (po.number) purchaseOrder.number = po.number;
  if (po.date) purchaseOrder.date = po.date;
  purchaseOrder.currency = po.currency ?? profile.currency;
  if (!po.currency) notes.push(`Currency not on the PO: ${profile.currency} assumed`);
  if (po.total) purchaseOrder.total = po.total;
  if (extraction.specialTermsText) purchaseOrder.specialTerms = extraction.specialTermsText;
  const orderKeys = new Set(profile.attributes.filter((a) => a.scope !== 'line').map((a) => a.key));
  const attributes = Object.fromEntries(
    Object.entries(extraction.attributes ?? {}).filter(([k]) => orderKeys.has(k)),
  );
  const draft: IntakeDraft = {
    vendor: input.vendorSlug,
    ...(type.type ? { type: type.type } : {}),
    ...(customer.customerId ? { customerId: customer.customerId } : {}),
    channel: 'email',
    ...(input.partnerId ? { partnerId: input.partnerId } : {}),
    purchaseOrder,
    lines: extraction.lines.map((l) => ({
      ...(l.partNumber ? { partNumber: l.partNumber } : {}),
      ...(l.quantity !== undefined ? { quantity: quantityOf(l.quantity) } : {}),
      ...(l.unitPrice !== undefined ? { unitPrice: l.unitPrice } : {}),
    })),
    ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
    ...(input.emailBody.trim() !== '' ? { emailBody: input.emailBody } : {}),
  };
  return { draft, notes };
}

/** The desk's eyes for validating a draft: the vendor's order desk, acting for the partner. */
export function deskActor(vendorId: string): Actor {
  return {
    userId: 'system:intake',
    email: 'intake@orderdesk',
    name: 'Mail intake',
    roles: ['order_desk'],
    side: 'vendor',
    vendorId,
    partnerId: null,
    parentPartnerId: null,
    partnerScopeIds: [],
    via: 'token',
  };
}

const HINTS: Record<string, string> = {
  type: 'Not found in the mail: choose the order type when converting',
  customerId: 'Not found in the mail: choose the end customer when converting',
  partnerId: 'The sender is no known partner: name the partner when converting',
};

/**
 * Checks a draft with the engine of POST /orders/validate. Fields the draft lacks or that do
 * not parse are problems at their paths; once it parses, the engine's problems (prices, required
 * fields of the order type, the special-terms clause) follow.
 */
export async function validateDraft(
  ctx: AppContext,
  vendorId: string,
  draft: IntakeDraft,
): Promise<IntakeValidation> {
  const parsed = orderSubmissionBodySchema.safeParse(draft);
  // Optional in a submission (partners place their own), required for an order from a mail.
  const noPartner: IntakeProblem[] =
    draft.partnerId === undefined
      ? [{ path: 'partnerId', code: 'required', message: HINTS.partnerId ?? '', severity: 'error' }]
      : [];
  if (!parsed.success || noPartner.length > 0) {
    const issues = parsed.success ? [] : parsed.error.issues;
    return {
      valid: false,
      problems: [
        ...noPartner,
        ...issues.map((issue) => {
          const path = issue.path.map(String).join('.');
          const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
          return {
            path,
            code: missing ? 'required' : 'invalid',
            message: HINTS[path] ?? issue.message,
            severity: 'error' as const,
          };
        }),
      ],
    };
  }
  const result = await validateSubmission(ctx, deskActor(vendorId), parsed.data);
  return {
    valid: result.valid,
    problems: result.problems.map((p) => ({
      path: p.path,
      code: p.code,
      message: p.message,
      severity: p.severity,
      ...(p.expected !== undefined ? { expected: p.expected } : {}),
      ...(p.actual !== undefined ? { actual: p.actual } : {}),
    })),
  };
}

/** The draft with the desk's overrides applied (objects merged one level deep, lines replaced). */
export function applyOverrides(
  draft: IntakeDraft,
  overrides: Record<string, unknown>,
): OrderSubmissionBody | Record<string, unknown> {
  const out: Record<string, unknown> = { ...draft };
  for (const [key, value] of Object.entries(overrides)) {
    const current = out[key];
    if (
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      current !== null &&
      typeof current === 'object' &&
      !Array.isArray(current)
    ) {
      out[key] = { ...(current as Record<string, unknown>), ...(value as Record<string, unknown>) };
    } else {
      out[key] = value;
    }
  }
  return out;
}
