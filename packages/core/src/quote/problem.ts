// Moved to ../problems/ (one place for every problem code); kept so old imports still work.
export { PROBLEM_CODES, PROBLEM_SEVERITIES, isProblemCode } from '../problems/index.ts';
export type { Problem, ProblemCode, ProblemSeverity } from '../problems/index.ts';
