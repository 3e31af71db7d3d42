import { z } from 'zod';

/** One problem with a field of the input: its path, a stable code and a message (API.md). */
export const problemItemSchema = z.object({
  path: z.string(),
  code: z.string(),
  message: z.string(),
  expected: z.string().optional(),
  actual: z.string().optional(),
});
export type ProblemItem = z.infer<typeof problemItemSchema>;

/**
 * What went wrong, in the application's words. The HTTP adapter maps each kind to one status
 * (server/src/http/problem.ts); other callers (CLI, worker, mail intake) read the kind.
 */
export const APP_ERROR_KINDS = [
  'invalid_input', // 400: the request itself is malformed
  'unauthenticated', // 401
  'forbidden', // 403: the caller's role or side may not do this
  'not_found', // 404: missing, or not the caller's
  'conflict', // 409: stale version, state that no longer allows it, duplicate key
  'too_large', // 413
  'unprocessable', // 422: a business rule refused the input; `problems` says which
  'precondition_required', // 428
  'rate_limited', // 429
  'unavailable', // 503
] as const;
export type AppErrorKind = (typeof APP_ERROR_KINDS)[number];

/**
 * The one error type of the application layer: an expected outcome that ends a use case
 * (not found, not allowed, stale version, invalid). Anything else thrown is a bug.
 */
export class AppError extends Error {
  readonly kind: AppErrorKind;
  /** A short stable slug naming the problem type (`urn:orderdesk:problem:<slug>`). */
  readonly slug: string;
  readonly problems: ProblemItem[] | undefined;
  /** Seconds to wait before retrying (rate_limited, unavailable). */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    kind: AppErrorKind,
    slug: string,
    detail: string,
    problems?: ProblemItem[],
    options: { retryAfterSeconds?: number } = {},
  ) {
    super(detail);
    this.name = 'AppError';
    this.kind = kind;
    this.slug = slug;
    this.problems = problems;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export const notFound = (what = 'Resource'): AppError =>
  new AppError('not_found', 'not-found', `${what} not found`);
export const forbidden = (detail = 'Your role does not allow this action'): AppError =>
  new AppError('forbidden', 'forbidden', detail);
export const unauthenticated = (detail = 'Log in or send a bearer token'): AppError =>
  new AppError('unauthenticated', 'unauthorized', detail);
export const conflict = (detail: string, problems?: ProblemItem[]): AppError =>
  new AppError('conflict', 'conflict', detail, problems);
export const invalidInput = (detail: string, problems?: ProblemItem[]): AppError =>
  new AppError('invalid_input', 'bad-request', detail, problems);
export const unprocessable = (detail: string, problems: ProblemItem[]): AppError =>
  new AppError('unprocessable', 'validation', detail, problems);
/** The resource is not at the version the caller read (If-Match), or changed meanwhile. */
export const staleVersion = (
  detail: string,
  versions?: { expected: number; actual: number },
): AppError =>
  new AppError('conflict', 'conflict', detail, [
    {
      path: 'headers.if-match',
      code: 'version.conflict',
      message: detail,
      ...(versions ? { expected: String(versions.expected), actual: String(versions.actual) } : {}),
    },
  ]);

/** Whether `error` is an AppError of one of `kinds`. */
export function isAppError(error: unknown, ...kinds: AppErrorKind[]): error is AppError {
  return error instanceof AppError && (kinds.length === 0 || kinds.includes(error.kind));
}

/** Refuses a stale write: `expectedVersion` (If-Match), when given, must be the current version. */
export function checkVersion(
  what: string,
  current: number,
  expectedVersion: number | undefined,
): void {
  if (expectedVersion !== undefined && expectedVersion !== current) {
    throw staleVersion(
      `The ${what} is at version ${current}, not ${expectedVersion}; reload and retry`,
      { expected: current, actual: expectedVersion },
    );
  }
}
