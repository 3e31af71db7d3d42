// Every stable problem code of OrderDesk, in one place. Two families:
// - validation codes (API.md "Problem codes"): what is wrong with a submitted order, quote or
//   other body, each at a `path` of that body; returned by `validateOrder` and friends;
// - action codes: why a command was refused as a whole (not your role, not in this status,
//   stale version, ...). The HTTP adapter maps each to a status code; nothing in core knows
//   about HTTP.

/** Validation problem codes a client may rely on (API.md "Problem codes"). */
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
  'subscription.unknown',
  'return.not_refundable',
] as const;
export type ProblemCode = (typeof PROBLEM_CODES)[number];

/**
 * Codes of a refused command (not a problem with one field of a body). Core knows no HTTP:
 * the server maps the application's error kinds to statuses in one place.
 */
export const ACTION_PROBLEM_CODES = [
  /** The action does not exist from the current status (order, quote, subscription). */
  'action.not_allowed',
  /** The actor's roles (on its own side) do not allow the action. */
  'role.forbidden',
  /** The caller's version (If-Match) is not the current one. */
  'version.conflict',
  /** The action needs the caller's version (If-Match) and none was given. */
  'version.required',
  /** The same idempotency key was used with another body. */
  'idempotency.conflict',
  /** No such resource, or not the caller's (never reveal another tenant's ids). */
  'not_found',
  /** The body is valid but breaks a business rule (carries validation problems). */
  'validation.failed',
] as const;
export type ActionProblemCode = (typeof ACTION_PROBLEM_CODES)[number];

/** The HTTP status each action code stands for (used only by the HTTP adapter). */
/** Every code, validation and action. */
export type AnyProblemCode = ProblemCode | ActionProblemCode;

/** Errors block submission; warnings are shown but do not. */
export const PROBLEM_SEVERITIES = ['error', 'warning'] as const;
export type ProblemSeverity = (typeof PROBLEM_SEVERITIES)[number];

/** Whether `code` is one of the stable validation problem codes. */
export function isProblemCode(code: string): code is ProblemCode {
  return (PROBLEM_CODES as readonly string[]).includes(code);
}

/** Whether `code` is one of the action codes. */
export function isActionProblemCode(code: string): code is ActionProblemCode {
  return (ACTION_PROBLEM_CODES as readonly string[]).includes(code);
}
