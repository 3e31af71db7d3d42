import { expect } from 'vitest';
import type { TestApp } from './harness.ts';

/**
 * The tenant-isolation helper: given routes and two tenants' fixtures, proves each tenant's
 * resources are invisible to the other. The registry of routes is isolated-routes.ts.
 */

export interface Tenant {
  /** A user of the tenant (demo e-mail). */
  user: string;
  /** Ids (or slugs) of the tenant's resources, by the route parameter that names them. */
  ids: Record<string, string>;
}

export interface IsolatedRoute {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  /** The route as registered, e.g. `/api/v1/partnerships/:id`. */
  route: string;
  /** `item`: another tenant gets 404. `list`: another tenant's ids never appear in the answer. */
  kind: 'item' | 'list';
  /** For item routes: the request body (a valid one, so only the scope can refuse it). */
  body?: unknown;
  /** For list routes: the query string to add, e.g. `?vendor=northwind`. */
  query?: string;
  /** Statuses the owner may get (default: any 2xx). */
  ownerStatuses?: number[];
}

function fill(route: string, ids: Record<string, string>): string {
  return route.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const id = ids[name];
    if (id === undefined) throw new Error(`tenant fixture has no id for :${name} in ${route}`);
    return encodeURIComponent(id);
  });
}

/** Proves, both ways, that each tenant's resources are invisible to the other. */
export async function expectIsolated(
  t: TestApp,
  routes: readonly IsolatedRoute[],
  a: Tenant,
  b: Tenant,
): Promise<void> {
  for (const [owner, intruder] of [
    [a, b],
    [b, a],
  ] as const) {
    for (const r of routes) {
      const label = `${r.method} ${r.route} (${intruder.user} → ${owner.user}'s)`;
      if (r.kind === 'item') {
        const url = fill(r.route, owner.ids);
        const mine = await t
          .as(owner.user)
          .request({ method: r.method, url, payload: r.body as string });
        const ok = r.ownerStatuses ?? [200, 201, 202, 204];
        expect(ok, `${label}: owner got ${mine.statusCode} ${mine.body}`).toContain(
          mine.statusCode,
        );
        const theirs = await t
          .as(intruder.user)
          .request({ method: r.method, url, payload: r.body as string });
        expect(theirs.statusCode, `${label}: ${theirs.body}`).toBe(404);
        expect(theirs.body).not.toContain(
          Object.values(owner.ids).find((id) => url.includes(id)) ?? '\u0000',
        );
      } else {
        const url = fill(r.route, intruder.ids) + (r.query ?? '');
        const res = await t.as(intruder.user).request({ method: r.method, url });
        expect(res.statusCode, `${label}: ${res.body}`).toBeLessThan(300);
        for (const id of Object.values(owner.ids)) {
          if (Object.values(intruder.ids).includes(id)) continue; // shared resource (e.g. a vendor slug)
          expect(res.body, `${label} leaks ${id}`).not.toContain(id);
        }
      }
    }
  }
}

/** Every /api/v1 route of the app, as `METHOD /path`. */
export function apiRoutes(t: TestApp): string[] {
  const out: string[] = [];
  for (const r of t.ctx.routes) {
    if (r.url.startsWith('/api/v1')) out.push(`${r.method} ${r.url}`);
  }
  return out;
}
