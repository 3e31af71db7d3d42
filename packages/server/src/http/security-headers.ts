import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';
import cors from '@fastify/cors';
import { repoPath } from '@orderdesk/app';

/** Where the web app's pages live (the same two folders web.plugin.ts serves from). */
const WEB_ROOTS = [repoPath('packages', 'web', 'dist'), repoPath('packages', 'web', 'public')];

/**
 * CSP hashes of the inline `<script>` blocks in the web app's HTML pages (the invitation page
 * sets the password with one). Hashing them lets those exact scripts run while 'unsafe-inline'
 * stays off, so an injected script still cannot.
 */
export function inlineScriptHashes(roots: readonly string[] = WEB_ROOTS): string[] {
  const hashes = new Set<string>();
  for (const root of roots) {
    if (!existsSync(root)) continue;
    for (const file of readdirSync(root)) {
      if (!file.endsWith('.html')) continue;
      const html = readFileSync(`${root}/${file}`, 'utf8');
      for (const match of html.matchAll(/<script\b(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)) {
        const body = match[1] ?? '';
        if (body.trim() === '') continue;
        hashes.add(`'sha256-${createHash('sha256').update(body, 'utf8').digest('base64')}'`);
      }
    }
  }
  return [...hashes].sort();
}

export interface SecurityHeaderOptions {
  /** Origins allowed to call the API from a browser; empty → no CORS headers at all. */
  corsOrigins: readonly string[];
  /** The app is served over HTTPS (COOKIE_SECURE): also send Strict-Transport-Security. */
  https: boolean;
}

/**
 * Security headers on every response (helmet), `Cache-Control: no-store` on API answers (they
 * carry tenant data and tokens that must not linger in shared or browser caches), and CORS only
 * for a configured allow-list: the web app is same-origin and needs none.
 */
export async function installSecurityHeaders(
  app: FastifyInstance,
  options: SecurityHeaderOptions,
): Promise<void> {
  const headers = helmetHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'base-uri': ["'self'"],
        'script-src': ["'self'", ...inlineScriptHashes()],
        'script-src-attr': ["'none'"],
        // Inline styles stay allowed: the placeholder page and Swagger UI's components use
        // them, and a style cannot run code.
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // Over plain HTTP the header is ignored, and it would pin a test host to HTTPS.
    strictTransportSecurity: options.https ? { maxAge: 15_552_000 } : false,
  });
  const names = Object.keys(headers);
  app.addHook('onRequest', (_request, reply, done) => {
    for (const name of names) reply.raw.setHeader(name, headers[name] as string);
    done();
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    if (request.url.startsWith('/api/v1/') && !reply.hasHeader('cache-control')) {
      reply.header('cache-control', 'no-store');
    }
    done(null, payload);
  });
  if (options.corsOrigins.length > 0) {
    await app.register(cors, {
      origin: [...options.corsOrigins],
      credentials: true,
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: [
        'authorization',
        'content-type',
        'idempotency-key',
        'if-match',
        'x-csrf-token',
      ],
      exposedHeaders: ['x-request-id', 'etag', 'location', 'retry-after'],
      maxAge: 600,
    });
  }
}

/**
 * The headers helmet sets for `options`. They do not depend on the request (no CSP nonces), so
 * they are computed once: @fastify/helmet built helmet's middleware chain again, CSP
 * directives parsed, on every request (~3% of an order submission's CPU).
 */
export function helmetHeaders(options: Readonly<HelmetOptions>): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  // Helmet 8 throws a bad option; it calls next() once every header is set.
  helmet(options)({} as IncomingMessage, response as unknown as ServerResponse, () => undefined);
  return headers;
}
