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

/** What a probe of the walls found: how many requests an intruder sent, and every leak. */
export interface WallReport {
  probes: number;
  leaks: string[];
  /** The routes probed, as `METHOD /path` with parameters normalized to `:id`. */
  routes: Set<string>;
}

export function newWallReport(): WallReport {
  return { probes: 0, leaks: [], routes: new Set() };
}

/** Route parameters that name a verb, not a record: kept as they are in the control request. */
const VERB_PARAMS = new Set(['action', 'quoteAction', 'returnAction']);
/** Route parameters whose values are public (GET /vendors lists every slug): never a leak. */
const PUBLIC_PARAMS = new Set(['slug']);

/** An id of the same shape that names nothing (`ord_…` → `ord_000…`, a slug → `no-such-…`). */
function unknownLike(name: string, value: string): string {
  if (VERB_PARAMS.has(name)) return value;
  const m = /^([a-z]+_)(.+)$/.exec(value);
  if (m) return `${m[1]}${'0'.repeat(m[2]!.length)}`;
  return `no-such-${name.toLowerCase()}`;
}

export interface WallOptions {
  /** Ids the intruder may legitimately know (a tier-2 reseller sees its distributor's partnership). */
  shared?: readonly string[];
  /** Names and other values of the owner's that must never appear in an intruder's answer. */
  secrets?: readonly string[];
  /** Check first that the owner gets the route's owner statuses (default true). */
  checkOwner?: boolean;
}

/**
 * Probes one tenant's resources as each intruder, counting every probe. A leak is: a 2xx on
 * another tenant's record; an answer whose status differs from the same request naming a record
 * that does not exist (so existence is not revealed, whatever the intruder's role); any of the
 * owner's ids or secrets in a refusal or a list. Routes whose parameters the owner's fixture does
 * not name are skipped (the caller's coverage check sees it). Records leaks in `report`.
 */
export async function probeWall(
  t: TestApp,
  report: WallReport,
  routes: readonly IsolatedRoute[],
  owner: Tenant,
  intruders: readonly string[],
  options: WallOptions = {},
): Promise<void> {
  const shared = new Set(options.shared ?? []);
  const hidden = [
    ...Object.entries(owner.ids)
      .filter(([name, id]) => !VERB_PARAMS.has(name) && !PUBLIC_PARAMS.has(name) && !shared.has(id))
      .map(([, id]) => id),
    ...(options.secrets ?? []),
  ];
  const named = (route: string) => [...route.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1] ?? '');
  for (const r of routes) {
    const params = named(r.route);
    if (params.some((p) => owner.ids[p] === undefined)) continue;
    report.routes.add(`${r.method} ${r.route.replace(/:\w+/g, ':id')}`);
    const payload = r.body as string;
    if (r.kind === 'item') {
      const url = fill(r.route, owner.ids);
      const control = fill(
        r.route,
        Object.fromEntries(params.map((p) => [p, unknownLike(p, owner.ids[p] ?? '')])),
      );
      const sharedOnly = params.every((p) => VERB_PARAMS.has(p) || shared.has(owner.ids[p] ?? ''));
      if (options.checkOwner ?? true) {
        const mine = await t.as(owner.user).request({ method: r.method, url, payload });
        const ok = r.ownerStatuses ?? [200, 201, 202, 204];
        expect(
          ok,
          `${r.method} ${url}: owner ${owner.user} got ${mine.statusCode} ${mine.body}`,
        ).toContain(mine.statusCode);
      }
      for (const intruder of intruders) {
        const label = `${r.method} ${r.route} (${intruder} → ${owner.user}'s)`;
        const theirs = await t.as(intruder).request({ method: r.method, url, payload });
        report.probes++;
        if (theirs.statusCode < 300) {
          report.leaks.push(`${label}: ${theirs.statusCode} ${theirs.body.slice(0, 200)}`);
          continue;
        }
        if (theirs.statusCode >= 500) {
          report.leaks.push(`${label}: ${theirs.statusCode} ${theirs.body.slice(0, 200)}`);
          continue;
        }
        if (!sharedOnly) {
          const none = await t.as(intruder).request({ method: r.method, url: control, payload });
          if (none.statusCode !== theirs.statusCode) {
            report.leaks.push(
              `${label}: ${theirs.statusCode}, but ${none.statusCode} for a record that does not exist`,
            );
            continue;
          }
        }
        const found = hidden.find((secret) => theirs.body.includes(secret));
        if (found) report.leaks.push(`${label}: the answer names ${found}`);
      }
    } else {
      for (const intruder of intruders) {
        const label = `${r.method} ${r.route}${r.query ?? ''} (${intruder} → ${owner.user}'s)`;
        const url = fill(r.route, owner.ids) + (r.query ?? '');
        const res = await t.as(intruder).request({ method: r.method, url });
        report.probes++;
        if (res.statusCode >= 500) {
          report.leaks.push(`${label}: ${res.statusCode} ${res.body.slice(0, 200)}`);
          continue;
        }
        const found = hidden.find((secret) => res.body.includes(secret));
        if (found) report.leaks.push(`${label}: the list names ${found}`);
      }
    }
  }
}
