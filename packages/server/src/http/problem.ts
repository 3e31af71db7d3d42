import { z } from 'zod';
import {
  problemItemSchema,
  type AppError,
  type AppErrorKind,
  type ProblemItem,
} from '@orderdesk/app';

export { problemItemSchema, type ProblemItem };

/** RFC 9457 problem details. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    /** Each bad field; empty when no field of the request is at fault (401, 404 …). */
    errors: z.array(problemItemSchema),
  })
  .meta({ id: 'Problem' });
export type Problem = z.infer<typeof problemSchema>;

const TITLES: Record<number, string> = {
  400: 'Bad request',
  401: 'Not logged in',
  403: 'Forbidden',
  404: 'Not found',
  405: 'Method not allowed',
  406: 'Not acceptable',
  409: 'Conflict',
  413: 'Payload too large',
  415: 'Unsupported media type',
  422: 'Unprocessable content',
  428: 'Precondition required',
  429: 'Too many requests',
  500: 'Internal server error',
  503: 'Service unavailable',
};

/** The problem type URI for an OrderDesk problem slug. */
export function problemType(slug: string): string {
  return `urn:orderdesk:problem:${slug}`;
}

/** The one mapping of the application's error kinds to HTTP statuses. */
export const STATUS_OF_KIND: Record<AppErrorKind, number> = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unprocessable: 422,
  precondition_required: 428,
  rate_limited: 429,
  unavailable: 503,
};

/** Problem details (and headers) for an application error. */
export function problemOfAppError(
  error: AppError,
  requestId?: string,
): { problem: Problem; headers: Record<string, string> } {
  const status = STATUS_OF_KIND[error.kind];
  return {
    problem: {
      type: problemType(error.slug),
      title: TITLES[status] ?? 'Error',
      status,
      detail: error.message,
      ...(requestId ? { requestId } : {}),
      errors: error.problems ?? [],
    },
    headers:
      error.retryAfterSeconds !== undefined
        ? { 'retry-after': String(error.retryAfterSeconds) }
        : {},
  };
}

/**
 * An HTTP-level failure raised by the adapter itself (malformed header, CSRF, content type):
 * thrown by routes and hooks, turned into
 * problem details by the one error handler.
 */
export class HttpProblem extends Error {
  readonly status: number;
  readonly slug: string;
  readonly errors: ProblemItem[] | undefined;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    slug: string,
    detail: string,
    errors?: ProblemItem[],
    headers: Record<string, string> = {},
  ) {
    super(detail);
    this.status = status;
    this.slug = slug;
    this.errors = errors;
    this.headers = headers;
  }

  toProblem(requestId?: string): Problem {
    return {
      type: problemType(this.slug),
      title: TITLES[this.status] ?? 'Error',
      status: this.status,
      detail: this.message,
      ...(requestId ? { requestId } : {}),
      errors: this.errors ?? [],
    };
  }
}

export const unauthorized = (detail = 'Log in or send a bearer token'): HttpProblem =>
  new HttpProblem(401, 'unauthorized', detail);
export const badRequest = (detail: string, errors?: ProblemItem[]): HttpProblem =>
  new HttpProblem(400, 'bad-request', detail, errors);
export const unprocessable = (detail: string, errors: ProblemItem[]): HttpProblem =>
  new HttpProblem(422, 'validation', detail, errors);

export function titleFor(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server error' : 'Error');
}
