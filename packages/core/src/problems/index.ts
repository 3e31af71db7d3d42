export {
  ACTION_PROBLEM_CODES,
  PROBLEM_CODES,
  PROBLEM_SEVERITIES,
  isActionProblemCode,
  isProblemCode,
} from './problem-codes.ts';
export type {
  ActionProblemCode,
  AnyProblemCode,
  ProblemCode,
  ProblemSeverity,
} from './problem-codes.ts';
export type { Problem } from './problem.ts';
