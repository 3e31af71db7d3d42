import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AppError } from '@orderdesk/app';
import {
  HttpProblem,
  problemOfAppError,
  problemType,
  titleFor,
  type Problem,
  type ProblemItem,
} from './problem.ts';

/** Formats a Zod issue path (['lines', 2, 'unitPrice']) as `lines[2].unitPrice`. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out === '' ? String(s) : `.${String(s)}`;
  }
  return out;
}

interface ValidationIssue {
  keyword: string;
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}

function partsOf(instancePath: string): PropertyKey[] {
  return instancePath
    .split('/')
    .filter((p) => p !== '')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

function pathFromInstancePath(context: string | undefined, instancePath: string): PropertyKey[] {
  const parts = partsOf(instancePath);
  return context && context !== 'body' ? [context, ...parts] : parts;
}

/** Marks "no value was given" where an input is known, as opposed to "none was read". */
const NO_INPUT: unique symbol = Symbol('no input');

/**
 * Whether the request part `input` has no value at `parts`: a field left out. A schema words
 * a missing value as it likes (a union or a refinement says "Invalid input" or its own
 * message, not "received undefined"), so the input says whether it was sent.
 */
function isAbsent(input: unknown, parts: readonly PropertyKey[]): boolean {
  let value = input;
  for (const key of parts) {
    if (value === null || typeof value !== 'object') return false;
    if (!Object.prototype.hasOwnProperty.call(value, key)) return true;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value === undefined;
}

/**
 * Turns schema validation issues into problem items naming each bad field: `required` where a
 * field was left out (judged from `input`, the request part validated, when it is given),
 * `invalid` otherwise.
 */
export function issuesToProblems(
  context: string | undefined,
  issues: readonly ValidationIssue[],
  input: unknown = NO_INPUT,
): ProblemItem[] {
  const items: ProblemItem[] = [];
  // A value of the wrong type (a string where a list goes) is one problem: the checks that
  // still ran on it (a list's length measured on the string) are not more.
  const wrongType = new Set(
    issues.filter((i) => i.keyword === 'invalid_type').map((i) => i.instancePath),
  );
  for (const issue of issues) {
    if (issue.keyword !== 'invalid_type' && wrongType.has(issue.instancePath)) continue;
    const base = pathFromInstancePath(context, issue.instancePath);
    if (issue.keyword === 'unrecognized_keys' && Array.isArray(issue.params?.keys)) {
      for (const key of issue.params.keys as string[]) {
        items.push({
          path: formatPath([...base, key]),
          code: 'invalid',
          message: `Unknown field "${key}"`,
        });
      }
      continue;
    }
    const message = issue.message ?? 'Invalid value';
    const missing =
      (issue.keyword === 'invalid_type' && /received undefined/.test(message)) ||
      (input !== NO_INPUT && isAbsent(input, partsOf(issue.instancePath)));
    items.push({
      path: formatPath(base) || (context ?? 'body'),
      code: missing ? 'required' : 'invalid',
      // A rule of the schema's own (a refinement) says why the field is needed.
      message: missing ? (issue.keyword === 'custom' ? message : 'Required') : message,
    });
  }
  return items;
}

/**
 * Sends a problem. Every problem carries `errors` (API.md's shape; `Problem` requires it), empty
 * when no field of the request is at fault (401, 403, 404, 409 …).
 */
function send(
  reply: FastifyReply,
  problem: Problem,
  headers: Record<string, string> = {},
): FastifyReply {
  return reply
    .code(problem.status)
    .headers(headers)
    .type('application/problem+json; charset=utf-8')
    .serializer(JSON.stringify)
    .send(problem);
}

const FASTIFY_SLUGS: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad-request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'malformed-body',
  FST_ERR_CTP_INVALID_JSON_BODY: 'malformed-body',
};

/**
 * Errors the multipart parser (busboy) throws for a malformed form: no boundary, a body that
 * ends mid-part. They carry no status, but they are the client's fault: 400, not 500.
 */
const MALFORMED_MULTIPART =
  /^(Multipart: Boundary not found|Boundary required|Unexpected end of multipart data|\w+ terminated early due to unexpected end of multipart data)$/;

/** The request part a schema validated (`validationContext`), as the client sent it. */
function validatedPart(request: FastifyRequest, context: string | undefined): unknown {
  switch (context) {
    case 'body':
    case undefined:
      return request.body;
    case 'querystring':
      return request.query;
    case 'params':
      return request.params;
    case 'headers':
      return request.headers;
    default:
      return NO_INPUT;
  }
}

/** Installs the one error handler: expected problems as RFC 9457, anything else a masked 500. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof HttpProblem) {
      return send(reply, error.toProblem(request.id), error.headers);
    }
    if (error instanceof AppError) {
      const { problem, headers } = problemOfAppError(error, request.id);
      return send(reply, problem, headers);
    }
    if (hasZodFastifySchemaValidationErrors(error)) {
      const errors = issuesToProblems(
        error.validationContext,
        error.validation,
        validatedPart(request, error.validationContext),
      );
      return send(reply, {
        type: problemType('invalid-request'),
        title: titleFor(400),
        status: 400,
        detail: `The request ${error.validationContext ?? 'body'} is invalid: ${errors.length} problem(s)`,
        requestId: request.id,
        errors,
      });
    }
    if (error.statusCode === undefined && MALFORMED_MULTIPART.test(error.message)) {
      return send(reply, {
        type: problemType('malformed-body'),
        title: titleFor(400),
        status: 400,
        detail: `Malformed multipart/form-data body: ${error.message}`,
        requestId: request.id,
        errors: [{ path: 'body', code: 'invalid', message: error.message }],
      });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const malformedJson =
        error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY';
      return send(
        reply,
        {
          type: problemType(
            FASTIFY_SLUGS[error.code] ?? (malformedJson ? 'malformed-body' : 'bad-request'),
          ),
          title: titleFor(status),
          status,
          detail: malformedJson ? `Malformed JSON body: ${error.message}` : error.message,
          requestId: request.id,
          // The body is what is wrong with a malformed, unsupported or too large request.
          errors:
            status === 400 || status === 413 || status === 415
              ? [{ path: 'body', code: 'invalid', message: error.message }]
              : [],
        },
        status === 429 && reply.getHeader('retry-after') === undefined ? {} : {},
      );
    }
    request.log.error({ err: error }, 'unhandled error');
    if (process.env.ORDERDESK_DEBUG_500) console.error(error);
    return send(reply, {
      type: 'about:blank',
      title: titleFor(500),
      status: 500,
      detail: `Something went wrong on our side; quote request id ${request.id} when reporting it`,
      requestId: request.id,
      errors: [],
    });
  });

  app.setNotFoundHandler((request, reply) =>
    send(reply, {
      type: problemType('not-found'),
      title: titleFor(404),
      status: 404,
      detail: `No route ${request.method} ${request.url.split('?')[0]}`,
      requestId: request.id,
      errors: [],
    }),
  );
}
