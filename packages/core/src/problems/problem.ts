// A problem found while validating a body: a stable code at a `path` of that body, e.g.
// `lines[2].unitPrice` (API.md).
import type { ProblemCode, ProblemSeverity } from './problem-codes.ts';

/** One problem, as returned by `POST /api/v1/orders/validate`. */
export interface Problem {
  path: string;
  code: ProblemCode;
  severity: ProblemSeverity;
  message: string;
  expected?: string;
  actual?: string;
}
