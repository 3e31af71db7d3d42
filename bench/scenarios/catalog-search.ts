// Scenario 4: catalog search at 100,000 and 1,000,000 products, on SQLite and PostgreSQL (the
// word index of migrations 0018, 0019 and 0026), through the store's searchProducts — the function
// behind GET /api/v1/products — and over HTTP when that route is there. Two query mixes:
// - prefix: a part number as it is typed, cut anywhere from 3 characters (`KRV`, a family: ~2.5%
//   of the catalog) through `KRV-4` and `KRV-417` to the whole number;
// - word: one or two words of names and descriptions, drawn with the catalog's own word
//   frequencies (common words are searched more), a third of them typed half-way ("licen").
// Anchor: the exact part-number look-up (findProduct, one index probe) in the same database.
// BENCH_SEARCH_DATABASES=sqlite|postgres and BENCH_SEARCH_SIZES=1000000 narrow a run to one
// database or size (the validation scenario, which reuses the SQLite catalog, then grows or
// builds its own).
import { join } from 'node:path';
import { findProduct, searchProducts, type Store } from '@orderdesk/store';
import {
  growCatalog,
  growCatalogInWorker,
  growPostgresCatalogs,
  hash32,
  openCatalog,
  partNumberAt,
  prepareCatalogDb,
  wordAt,
  type CatalogDb,
} from '../lib/catalog-data.ts';
import { bearerToken, startDesk } from '../lib/desk.ts';
import { createDatabase, dropDatabase } from '../lib/postgres.ts';
import { httpJson } from '../lib/proc.ts';
import type { BenchContext, Scenario } from '../lib/scenario.ts';
import { rng, summarize, type Summary } from '../lib/stats.ts';
import { judge, ratioOf, type ResultRow } from '../lib/table.ts';

const PAGE = { limit: 20, offset: 0 };

/**
 * The prefix query mix (deterministic): a part number as it is typed, cut at a random length
 * from 3 characters (a whole family, ~2.5% of the catalog) to the whole number (one product).
 */
export function prefixQueries(count: number, size: number): string[] {
  const r = rng(4242);
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    const pn = partNumberAt(Math.floor(r() * size));
    out.push(pn.slice(0, 3 + Math.floor(r() * (pn.length - 2))));
  }
  return out;
}

/** The word query mix (deterministic). */
export function wordQueries(count: number): string[] {
  const r = rng(777);
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    const w1 = wordAt(r());
    if (k % 3 === 0) out.push(w1.slice(0, Math.max(3, Math.ceil(w1.length / 2))));
    else if (k % 3 === 1) out.push(w1);
    else out.push(`${w1} ${wordAt(r())}`);
  }
  return out;
}

/**
 * Times the queries one after another, in order, until all ran or `budgetMs` is spent (at
 * least 20): slow configurations get fewer samples instead of stretching the run. The mixes
 * interleave their kinds, so any leading part of a list is as representative as the whole.
 */
async function timeQueries(
  run: (q: string) => Promise<unknown>,
  queries: readonly string[],
  budgetMs: number,
): Promise<Summary> {
  for (const q of queries.slice(0, 5)) await run(q); // warm-up
  const times: number[] = [];
  const start = performance.now();
  for (const q of queries) {
    if (times.length >= 20 && performance.now() - start > budgetMs) break;
    const t0 = performance.now();
    await run(q);
    times.push(performance.now() - t0);
  }
  return summarize(times);
}

/** Unmeasured queries of each mix before the measured ones. */
const WARM_UP = 100;

/**
 * Runs WARM_UP queries of each mix, the lists' continuations after their first `n` (new
 * positions in the mixes, not the measured queries), unmeasured: the store's connections (and
 * their prepared statements on PostgreSQL), the JIT and the database's caches are then as a
 * running server's, for the store's rows and over HTTP alike (a server just started for them).
 */
async function warmUp(
  run: (q: string) => Promise<unknown>,
  n: number,
  size: number,
): Promise<void> {
  for (const q of prefixQueries(n + WARM_UP, size).slice(n)) await run(q);
  for (const q of wordQueries(n + WARM_UP).slice(n)) await run(q);
}

function countLabel(n: number): string {
  return n >= 1_000_000 ? `${n / 1_000_000}M` : `${Math.round(n / 1000)}k`;
}

interface Measured {
  prefix: Summary;
  word: Summary;
  exact: Summary;
}

async function measureStore(
  store: Store,
  catalog: CatalogDb,
  n: number,
  budgetMs: number,
): Promise<Measured> {
  const filter = { vendorIds: [catalog.vendorId] };
  const search = (q: string): Promise<unknown> => searchProducts(store.db, filter, q, PAGE);
  const exactParts = Array.from({ length: n + WARM_UP }, (_, k) =>
    partNumberAt(hash32(k, 99) % catalog.size),
  );
  await warmUp(search, n, catalog.size);
  for (const pn of exactParts.slice(n)) await findProduct(store.db, catalog.vendorId, pn);
  exactParts.length = n;
  return {
    prefix: await timeQueries(search, prefixQueries(n, catalog.size), budgetMs),
    word: await timeQueries(search, wordQueries(n), budgetMs),
    exact: await timeQueries(
      (pn) => findProduct(store.db, catalog.vendorId, pn),
      exactParts,
      budgetMs,
    ),
  };
}

function rowsFor(
  dbLabel: string,
  size: number,
  largest: boolean,
  m: Measured,
  withTarget: boolean,
): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const kind of ['prefix', 'word'] as const) {
    const s = m[kind];
    rows.push({
      scenario: '4 search',
      figure: `${kind} query p95, ${dbLabel}, ${countLabel(size)} products`,
      value: s.p95,
      unit: 'ms',
      anchor: { label: 'exact part-number look-up p95', value: m.exact.p95, unit: 'ms' },
      ratio: ratioOf(s.p95, m.exact.p95),
      ...(withTarget ? { target: { text: '< 10 ms', met: judge(s.p95, (x) => x < 10) } } : {}),
    });
    if (largest) {
      rows.push({
        scenario: '4 search',
        figure: `${kind} query p50, ${dbLabel}, ${countLabel(size)} products`,
        value: s.p50,
        unit: 'ms',
        anchor: { label: 'exact part-number look-up p50', value: m.exact.p50, unit: 'ms' },
        ratio: ratioOf(s.p50, m.exact.p50),
      });
    }
  }
  return rows;
}

/** The same query mixes through GET /api/v1/products, when the route exists. */
async function measureHttp(
  ctx: BenchContext,
  catalog: CatalogDb,
  dbLabel: string,
  n: number,
  budgetMs: number,
  store: Measured,
): Promise<ResultRow[]> {
  const desk = await startDesk(`orderdesk serve (search, ${dbLabel})`, catalog.url);
  try {
    const token = await bearerToken(desk.base, 'buyer@acme.example');
    const get = async (q: string): Promise<number> => {
      const res = await httpJson(
        'GET',
        `${desk.base}/api/v1/products?vendor=edgeworks&q=${encodeURIComponent(q)}&limit=${PAGE.limit}`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      return res.status;
    };
    const probe = await get('license');
    if (probe === 404) {
      ctx.log('search: GET /api/v1/products is not there yet: HTTP rows skipped');
      return [
        {
          scenario: '4 search',
          figure: `word query p95 over HTTP, ${dbLabel}, ${countLabel(catalog.size)} products`,
          value: null,
          unit: 'ms',
          note: 'not measured: GET /api/v1/products has not landed',
        },
      ];
    }
    if (probe !== 200) throw new Error(`GET /api/v1/products answered ${probe}`);
    const run = async (q: string): Promise<void> => {
      const status = await get(q);
      if (status !== 200) throw new Error(`GET /api/v1/products?q=${q} answered ${status}`);
    };
    await warmUp(run, n, catalog.size);
    const prefix = await timeQueries(run, prefixQueries(n, catalog.size), budgetMs);
    const word = await timeQueries(run, wordQueries(n), budgetMs);
    return (['prefix', 'word'] as const).map((kind) => {
      const s = kind === 'prefix' ? prefix : word;
      return {
        scenario: '4 search',
        figure: `${kind} query p95 over HTTP, ${dbLabel}, ${countLabel(catalog.size)} products`,
        value: s.p95,
        unit: 'ms',
        anchor: { label: 'same queries through the store', value: store[kind].p95, unit: 'ms' },
        ratio: ratioOf(s.p95, store[kind].p95),
      };
    });
  } finally {
    await desk.child.stop();
  }
}

/** One catalog measured at one size: its store rows, and over HTTP at the largest size. */
async function measureCatalog(
  ctx: BenchContext,
  dbLabel: 'SQLite' | 'PostgreSQL',
  catalog: CatalogDb,
  largest: boolean,
): Promise<ResultRow[]> {
  const queries = ctx.quick ? 60 : 300;
  // Per query kind and size: a slow search gets fewer samples rather than a longer run.
  const budgetMs = ctx.quick ? 3_000 : 8_000;
  const store = openCatalog(catalog);
  let m: Measured;
  try {
    m = await measureStore(store, catalog, queries, budgetMs);
  } finally {
    await store.close();
  }
  ctx.log(
    `search: ${dbLabel} ${countLabel(catalog.size)}: prefix p50 ${m.prefix.p50.toFixed(2)} p95 ${m.prefix.p95.toFixed(2)} ms; ` +
      `word p50 ${m.word.p50.toFixed(2)} p95 ${m.word.p95.toFixed(2)} ms; exact p95 ${m.exact.p95.toFixed(2)} ms ` +
      `(${m.prefix.n}/${m.word.n}/${m.exact.n} queries)`,
  );
  const rows = rowsFor(dbLabel, catalog.size, largest, m, largest && !ctx.quick);
  if (largest) rows.push(...(await measureHttp(ctx, catalog, dbLabel, queries, budgetMs, m)));
  return rows;
}

async function timedGrow(
  ctx: BenchContext,
  dbLabel: string,
  catalog: CatalogDb,
  size: number,
  grow: typeof growCatalog,
): Promise<void> {
  const t0 = performance.now();
  await grow(catalog, size, (m) => ctx.log(`search: ${m}`));
  ctx.log(
    `search: ${dbLabel}: ${size.toLocaleString('en-US')} products built in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}

/**
 * Sizes from BENCH_SEARCH_SIZES (comma-separated product counts, e.g. `1000000`), to measure
 * one size without building the others; undefined when unset.
 */
function onlySizes(): number[] | undefined {
  const raw = process.env.BENCH_SEARCH_SIZES;
  if (!raw) return undefined;
  const sizes = raw.split(',').map((s) => Number(s.trim()));
  if (sizes.some((n) => !Number.isInteger(n) || n <= 0)) {
    throw new Error(`BENCH_SEARCH_SIZES: product counts, comma-separated (got ${raw})`);
  }
  return sizes.sort((a, b) => a - b);
}

/** The databases to run on: BENCH_SEARCH_DATABASES=sqlite or postgres (default both). */
function onlyDatabase(name: 'sqlite' | 'postgres'): boolean {
  const raw = process.env.BENCH_SEARCH_DATABASES;
  return !raw || raw.split(',').some((d) => d.trim().toLowerCase() === name);
}

export const catalogSearch: Scenario = {
  name: 'search',
  title: 'Catalog search: prefix and word queries at two catalog sizes, both databases (4)',
  // SQLite grows one catalog size after size, measuring each; PostgreSQL has a database per
  // size. The largest SQLite catalog (grown in a worker thread) and the PostgreSQL catalogs
  // are built at the same time, on the two cores, before either is measured: nothing is
  // measured while anything is built.
  async run(ctx) {
    const sizes = onlySizes() ?? (ctx.quick ? [10_000, 50_000] : [100_000, 1_000_000]);
    const largest = sizes[sizes.length - 1] ?? 0;
    const rows: ResultRow[] = [];
    const sqlite = onlyDatabase('sqlite')
      ? await prepareCatalogDb(`sqlite:${join(ctx.tmp, 'catalog.db')}`)
      : undefined;
    if (sqlite) {
      for (const size of sizes.slice(0, -1)) {
        await timedGrow(ctx, 'SQLite', sqlite, size, growCatalog);
        rows.push(...(await measureCatalog(ctx, 'SQLite', sqlite, false)));
      }
    }
    const postgres: CatalogDb[] = [];
    const names = sizes.map((size) =>
      size === largest ? 'bench_catalog' : `bench_catalog_${size}`,
    );
    await Promise.all([
      sqlite ? timedGrow(ctx, 'SQLite', sqlite, largest, growCatalogInWorker) : undefined,
      (async () => {
        if (!ctx.postgres || !onlyDatabase('postgres')) return;
        for (const name of names) postgres.push(await prepareCatalogDb(await createDatabase(name)));
        await growPostgresCatalogs(
          postgres.map((catalog, k) => ({ catalog, size: sizes[k] ?? 0 })),
          (m) => ctx.log(`search: ${m}`),
        );
      })(),
    ]);
    if (sqlite) {
      rows.push(...(await measureCatalog(ctx, 'SQLite', sqlite, true)));
      // Validation (scenario 3) reuses the largest SQLite catalog.
      ctx.shared.set('catalog:sqlite', sqlite);
    }
    for (const [k, catalog] of postgres.entries()) {
      rows.push(...(await measureCatalog(ctx, 'PostgreSQL', catalog, catalog.size === largest)));
      if (catalog.size !== largest) await dropDatabase(names[k] ?? '');
    }
    return rows;
  },
};
