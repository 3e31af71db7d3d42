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

function pathFromInstancePath(context: string | undefined, instancePath: string): PropertyKey[] {
  const parts = instancePath
    .split('/')
    .filter((p) => p !== '')
    .map((p) => (/^\d+$/.test(p) ? Number(p) : p));
  return context && context !== 'body' ? [context, ...parts] : parts;
}

/** Turns schema validation issues into problem items naming each bad field. */
export function issuesToProblems(
  context: string | undefined,
  issues: readonly ValidationIssue[],
): ProblemItem[] {
  const items: ProblemItem[] = [];
  for (const issue of issues) {
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
    const missing = issue.keyword === 'invalid_type' && /received undefined/.test(message);
    items.push({
      path: formatPath(base) || (context ?? 'body'),
      code: missing ? 'required' : 'invalid',
      message: missing ? 'Required' : message,
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
      const errors = issuesToProblems(error.validationContext, error.validation);
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
