import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Me = Schemas['Me'];
export type Order = Schemas['Order'];
export type VendorProfile = Schemas['VendorProfile'];
export type OrderSubmission = Schemas['OrderSubmissionInput'];
export type OrderValidation = Schemas['OrderValidation'];
export type Problem = OrderValidation['problems'][number];
export type Customer = Schemas['Customer'];
export type Contact = Schemas['Contact'];
export type Product = Schemas['Product'];
export type Category = Schemas['Category'];
export type Partnership = Schemas['Partnership'];
export type Quote = Schemas['Quote'];
export type QuoteRequest = Schemas['QuoteRequest'];
export type Invoice = Schemas['Invoice'];
export type InvoiceSummary = Schemas['InvoiceSummary'];
export type OrderDocument = Schemas['OrderDocument'];
export type IntakeItem = Schemas['IntakeItem'];
export type SlaSummary = Schemas['SlaSummary'];
export type Return = Schemas['Return'];
export type License = Schemas['License'];

/** An RFC 9457 problem answer, as the server sends it. */
export interface ProblemDetails {
  type?: string;
  title?: string;
  status: number;
  detail?: string;
  errors?: { path: string; code: string; message: string; expected?: string; actual?: string }[];
}

/** Thrown by `unwrap` for a non-2xx answer: carries the problem so forms can show each field's. */
export class ApiError extends Error {
  constructor(readonly problem: ProblemDetails) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
}

const CSRF_KEY = 'orderdesk.csrf';

/**
 * The CSRF token of the session, from the log-in answer. GET /me does not hand it out again,
 * so it is kept in sessionStorage to survive a reload of this tab; a new tab logs in again.
 */
export const csrf = {
  get: (): string | null => sessionStorage.getItem(CSRF_KEY),
  set: (token: string | null): void => {
    if (token) sessionStorage.setItem(CSRF_KEY, token);
    else sessionStorage.removeItem(CSRF_KEY);
  },
};

const csrfMiddleware: Middleware = {
  onRequest({ request }) {
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      const token = csrf.get();
      if (token) request.headers.set('x-csrf-token', token);
    }
    return request;
  },
};

export const api = createClient<paths>({ baseUrl: '/', credentials: 'same-origin' });
api.use(csrfMiddleware);

/** The data of a 2xx answer, or an ApiError carrying the problem details. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok && result.data !== undefined) return result.data;
  if (result.response.ok) return undefined as T;
  const error = result.error as Partial<ProblemDetails> | undefined;
  throw new ApiError({ ...(error ?? {}), status: result.response.status });
}

/** A fresh Idempotency-Key for a creating POST (a retried click sends the same one). */
export function idempotencyKey(): string {
  return crypto.randomUUID();
}

/** A request the typed client cannot express (uploads, YAML bodies), with the same CSRF rule. */
export async function sendRaw(
  method: 'POST' | 'PUT',
  url: string,
  body: BodyInit,
  headers: Record<string, string> = {},
): Promise<unknown> {
  const token = csrf.get();
  const response = await fetch(url, {
    method,
    body,
    credentials: 'same-origin',
    headers: { ...headers, ...(token ? { 'x-csrf-token': token } : {}) },
  });
  const text = await response.text();
  const data: unknown = text ? JSON.parse(text) : undefined;
  if (!response.ok) throw new ApiError({ ...(data as object), status: response.status });
  return data;
}
