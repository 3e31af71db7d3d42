import type { FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { issuesToProblems } from './error-handler.ts';
import type { ProblemItem } from './problem.ts';

interface ValidationIssue {
  keyword: string;
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** An empty list where the schema asks for at least one item: a missing value, not a bad one. */
function isEmptyList(issue: ValidationIssue): boolean {
  return (
    issue.keyword === 'too_small' && issue.params?.origin === 'array' && issue.params.minimum === 1
  );
}

/**
 * The schema's issues as problem items, as the error handler words them for a 400 (paths like
 * `lines[2].quantity`, `required` for a missing field, `invalid` otherwise; `required` too for an
 * empty list that needs an item).
 */
function fieldProblemsOf(issues: readonly ValidationIssue[]): ProblemItem[] {
  return issues.flatMap((issue) =>
    issuesToProblems('body', [issue]).map((item) =>
      isEmptyList(issue) ? { ...item, code: 'required' } : item,
    ),
  );
}

/**
 * The JSON body of a route declared with `attachValidation: true`, whose field problems are
 * findings of its use case rather than a malformed request: API.md has POST /orders/validate
 * answer every problem of an order, `required` and `invalid` among them, with 200, and
 * POST /orders with 422. The route keeps its body schema (the OpenAPI document shows it as
 * before); when the body fails it, `read` gives what can be read of it (the refused values left
 * out or emptied) and the schema's issues come back as `fieldProblems`, worded as the 400 words
 * them. A body that is no JSON object at all (or none) is still that 400.
 */
export function bodyWithFieldProblems<T>(
  request: FastifyRequest,
  read: (body: unknown) => T | undefined,
): { body: T; fieldProblems: ProblemItem[] } {
  const error = request.validationError;
  if (error === undefined) return { body: request.body as T, fieldProblems: [] };
  const body =
    error.validationContext === 'body' && hasZodFastifySchemaValidationErrors(error)
      ? read(request.body)
      : undefined;
  if (body === undefined) throw error;
  return { body, fieldProblems: fieldProblemsOf(error.validation as ValidationIssue[]) };
}
