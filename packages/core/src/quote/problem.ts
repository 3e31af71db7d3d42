// A problem found while validating an order: the stable codes of API.md ("Problem codes").
// `path` names the field of the order body, e.g. `lines[2].unitPrice`.

/** Every problem code a client may rely on (API.md). */
export const PROBLEM_CODES = [
  'required',
  'invalid',
  'quote.required',
  'quote.not_approved',
  'quote.expired',
  'quote.mismatch',
  'part_number.unknown',
  'part_number.inactive',
  'price.mismatch',
  'total.mismatch',
  'currency.mismatch',
  'special_terms.missing',
  'special_terms.mismatch',
  'po.duplicate',
  'shipping.unconfirmed',
  'shipping.tax_id_required',
  'terms.not_accepted',
  'license.unknown',
  'order_type.unknown',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

/** Errors block submission; warnings are shown but do not. */
export const PROBLEM_SEVERITIES = ['error', 'warning'] as const;
export type ProblemSeverity = (typeof PROBLEM_SEVERITIES)[number];

/** One problem, as returned by `POST /api/v1/orders/validate`. */
export interface Problem {
  path: string;
  code: ProblemCode;
  severity: ProblemSeverity;
  message: string;
  expected?: string;
  actual?: string;
}

/** Whether `code` is one of the stable problem codes. */
export function isProblemCode(code: string): code is ProblemCode {
  return (PROBLEM_CODES as readonly string[]).includes(code);
}
