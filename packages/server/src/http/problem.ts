import { z } from 'zod';

/** One problem in a problem-details `errors` array (API.md). */
export const problemItemSchema = z.object({
  path: z.string(),
  code: z.string(),
  message: z.string(),
  expected: z.string().optional(),
  actual: z.string().optional(),
});
export type ProblemItem = z.infer<typeof problemItemSchema>;

/** RFC 9457 problem details. */
export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
    errors: z.array(problemItemSchema).optional(),
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

/**
 * An expected failure with an HTTP status: thrown by services and routes, turned into
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
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

export const notFound = (what = 'Resource'): HttpProblem =>
  new HttpProblem(404, 'not-found', `${what} not found`);
export const forbidden = (detail = 'Your role does not allow this action'): HttpProblem =>
  new HttpProblem(403, 'forbidden', detail);
export const unauthorized = (detail = 'Log in or send a bearer token'): HttpProblem =>
  new HttpProblem(401, 'unauthorized', detail);
export const conflict = (detail: string, errors?: ProblemItem[]): HttpProblem =>
  new HttpProblem(409, 'conflict', detail, errors);
export const badRequest = (detail: string, errors?: ProblemItem[]): HttpProblem =>
  new HttpProblem(400, 'bad-request', detail, errors);
export const unprocessable = (detail: string, errors: ProblemItem[]): HttpProblem =>
  new HttpProblem(422, 'validation', detail, errors);

export function titleFor(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server error' : 'Error');
}
