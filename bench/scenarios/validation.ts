// Scenario 3: the validation engine alone. A 10,000-line edgeworks License & Maintenance PO
// (price check on: net = list × the partnership's multiplier, product types, line fields,
// PO total) against a price list of 1,000,000 part numbers. validateOrder from @orderdesk/core
// gets a context whose catalog map holds the 10,000 entries findPricesInForce returned.
// Separate figures: findPricesInForce itself (10,000 of 1,000,000 part numbers, SQLite), the
// Zod parse of the request body, and the heap the validation holds.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { join } from 'node:path';
import { sql } from 'kysely';
import {
  formatAmount,
  netUnitPrice,
  orderSubmissionSchema,
  validateOrder,
  type CatalogEntry,
  type OrderSubmission,
  type OrderValidationContext,
  type VendorProfile,
} from '@orderdesk/core';
import { findPricesInForce, findVendorById, type Store } from '@orderdesk/store';
import { catalogOf } from '@orderdesk/server';
import {
  growCatalog,
  openCatalog,
  partNumberAt,
  prepareCatalogDb,
  type CatalogDb,
} from '../lib/catalog-data.ts';
import { today } from '../lib/desk.ts';
import type { BenchContext, Scenario } from '../lib/scenario.ts';
import { median, rng } from '../lib/stats.ts';
import { judge, ratioOf } from '../lib/table.ts';

const LINES = 10_000;

function collectGarbage(): () => void {
  setFlagsFromString('--expose_gc');
  return runInNewContext('gc') as () => void;
}

/** `count` distinct random product indexes below `size` (a different set per seed). */
function pickIndexes(size: number, count: number, seed: number): number[] {
  const r = rng(seed);
  const picked = new Set<number>();
  while (picked.size < Math.min(count, size)) picked.add(Math.floor(r() * size));
  return [...picked];
}

async function catalogFor(ctx: BenchContext): Promise<CatalogDb> {
  const size = ctx.quick ? 100_000 : 1_000_000;
  const shared = ctx.shared.get('catalog:sqlite') as CatalogDb | undefined;
  if (shared && shared.size >= size) return shared;
  const catalog = shared ?? (await prepareCatalogDb(`sqlite:${join(ctx.tmp, 'catalog.db')}`));
  const t0 = performance.now();
  await growCatalog(catalog, size);
  ctx.log(
    `validation: ${size.toLocaleString('en-US')} priced products built in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  ctx.shared.set('catalog:sqlite', catalog);
  return catalog;
}

function toCatalogMap(
  prices: Awaited<ReturnType<typeof findPricesInForce>>,
): Map<string, CatalogEntry> {
  return catalogOf(prices);
}

/** The PO: every line priced right, so the result is valid and every check runs to the end. */
function buildSubmission(
  partNumbers: readonly string[],
  catalog: ReadonlyMap<string, CatalogEntry>,
  multiplier: string,
): OrderSubmission {
  let totalMinor = 0;
  const lines = partNumbers.map((partNumber, i) => {
    const entry = catalog.get(partNumber);
    if (!entry || entry.listPriceMinor === null) throw new Error(`${partNumber} has no price`);
    const quantity = 1 + (i % 5);
    const net = netUnitPrice(entry.listPriceMinor, multiplier, 'USD');
    totalMinor += net * quantity;
    return {
      partNumber,
      quantity,
      unitPrice: formatAmount(net, 'USD'),
      attributes: { hostId: `HOST-${String(i).padStart(6, '0')}` },
    };
  });
  return {
    vendor: 'edgeworks',
    type: 'license_maintenance',
    customerId: 'cus_bench',
    purchaseOrder: {
      number: 'PO-10K',
      date: today(),
      currency: 'USD',
      total: formatAmount(totalMinor, 'USD'),
    },
    attributes: { endUserName: 'Fabrikam Health' },
    lines,
  };
}

async function timeLookups(
  store: Store,
  catalog: CatalogDb,
  runs: number,
): Promise<{ store: number[]; pk: number[]; last: Awaited<ReturnType<typeof findPricesInForce>> }> {
  const storeMs: number[] = [];
  const pkMs: number[] = [];
  let last: Awaited<ReturnType<typeof findPricesInForce>> = [];
  for (let r = 0; r < runs + 1; r++) {
    const parts = pickIndexes(catalog.size, LINES, 1000 + r).map(partNumberAt);
    const t0 = performance.now();
    last = await findPricesInForce(store.db, {
      vendorId: catalog.vendorId,
      currency: 'USD',
      partNumbers: parts,
      on: today(),
    });
    const t1 = performance.now();
    if (last.length !== parts.length) {
      throw new Error(`findPricesInForce found ${last.length} of ${parts.length} part numbers`);
    }
    // The floor: the same part numbers straight from the price list's primary key.
    const parts2 = pickIndexes(catalog.size, LINES, 5000 + r).map(partNumberAt);
    const t2 = performance.now();
    const pk = await sql<{ part_number: string }>`
      select part_number, list_price_minor from price_list_items
      where price_list_id = ${catalog.priceListId}
        and part_number in (select value from json_each(${JSON.stringify(parts2)}))`.execute(
      store.db,
    );
    const t3 = performance.now();
    if (pk.rows.length !== parts2.length) throw new Error('price-list look-up missed rows');
    if (r > 0) {
      // run 0 warms the page cache
      storeMs.push(t1 - t0);
      pkMs.push(t3 - t2);
    }
  }
  return { store: storeMs, pk: pkMs, last };
}

export const validation: Scenario = {
  name: 'validation',
  title: 'Validation engine: a 10,000-line PO against a price list of 1,000,000 part numbers (3)',
  async run(ctx) {
    const runs = ctx.quick ? 3 : 9;
    const gc = collectGarbage();
    const catalog = await catalogFor(ctx);
    const sizeLabel = catalog.size.toLocaleString('en-US');
    const store = openCatalog(catalog);
    try {
      const lookups = await timeLookups(store, catalog, runs);
      const vendor = await findVendorById(store.db, catalog.vendorId);
      if (!vendor) throw new Error('edgeworks vendor missing');
      const profile = JSON.parse(vendor.profile) as VendorProfile;

      gc();
      const m0 = process.memoryUsage().heapUsed;
      const entries = toCatalogMap(lookups.last);
      const partNumbers = lookups.last.map((p) => p.partNumber);
      const multiplier = '0.65';
      const context: OrderValidationContext = {
        profile,
        partnership: {
          legalName: 'Acme Distribution Ltd.',
          agreementDate: '2020-11-20',
          multiplier,
          multipliers: [],
        },
        orderingPartnerTier: 1,
        catalog: entries,
        quote: null,
        currentSubscription: null,
        duplicatePoNumber: false,
        knownLicenseIds: new Set(),
        today: today(),
      };
      const submission = buildSubmission(partNumbers, entries, multiplier);
      gc();
      const m1 = process.memoryUsage().heapUsed;

      const first = validateOrder(submission, context);
      if (!first.valid) {
        throw new Error(
          `The 10,000-line PO should be valid: ${JSON.stringify(first.problems.slice(0, 5))}`,
        );
      }
      gc();
      const m2 = process.memoryUsage().heapUsed;

      const validateMs: number[] = [];
      for (let r = 0; r < runs; r++) {
        const t0 = performance.now();
        validateOrder(submission, context);
        validateMs.push(performance.now() - t0);
      }
      // The floor: per line, the catalog look-up and list × multiplier, nothing else.
      const floorMs: number[] = [];
      for (let r = 0; r < runs; r++) {
        const t0 = performance.now();
        let sum = 0;
        for (const line of submission.lines) {
          const e = entries.get(line.partNumber);
          if (e?.listPriceMinor != null) sum += netUnitPrice(e.listPriceMinor, multiplier, 'USD');
        }
        floorMs.push(performance.now() - t0);
        if (sum === 0) throw new Error('floor loop priced nothing');
      }
      // What the HTTP route does first: parse the JSON body and check it against the schema.
      const body = JSON.stringify(submission);
      const zodMs: number[] = [];
      const jsonMs: number[] = [];
      for (let r = 0; r < runs; r++) {
        const t0 = performance.now();
        const parsed: unknown = JSON.parse(body);
        const t1 = performance.now();
        orderSubmissionSchema.parse(parsed);
        zodMs.push(performance.now() - t1);
        jsonMs.push(t1 - t0);
      }
      const v = median(validateMs);
      const lookupMs = median(lookups.store);
      const mb = (b: number): number => b / 2 ** 20;
      ctx.log(
        `validation: validateOrder ${v.toFixed(1)} ms, findPricesInForce ${lookupMs.toFixed(1)} ms, ` +
          `Zod ${median(zodMs).toFixed(1)} ms, heap ${mb(m2 - m0).toFixed(1)} MB`,
      );
      return [
        {
          scenario: '3 validation',
          figure: `validateOrder, ${LINES.toLocaleString('en-US')}-line PO, price list of ${sizeLabel}`,
          value: v,
          unit: 'ms',
          anchor: {
            label: 'per-line look-up + list × multiplier',
            value: median(floorMs),
            unit: 'ms',
          },
          ratio: ratioOf(v, median(floorMs)),
          target: { text: '< 100 ms', met: judge(v, (x) => x < 100) },
        },
        {
          scenario: '3 validation',
          figure: 'heap held: PO + context + result',
          value: mb(m2 - m0),
          unit: 'MB',
          note: `PO and context ${mb(m1 - m0).toFixed(1)} MB, validation result ${mb(m2 - m1).toFixed(1)} MB (retained heap after GC)`,
        },
        {
          scenario: '3 validation',
          figure: `Zod parse of the ${LINES.toLocaleString('en-US')}-line request body`,
          value: median(zodMs),
          unit: 'ms',
          anchor: { label: 'JSON.parse of the same body', value: median(jsonMs), unit: 'ms' },
          ratio: ratioOf(median(zodMs), median(jsonMs)),
        },
        {
          scenario: '3 validation',
          figure: `findPricesInForce, ${LINES.toLocaleString('en-US')} of ${sizeLabel} part numbers, SQLite`,
          value: lookupMs,
          unit: 'ms',
          anchor: {
            label: 'price_list_items primary-key look-up',
            value: median(lookups.pk),
            unit: 'ms',
          },
          ratio: ratioOf(lookupMs, median(lookups.pk)),
        },
      ];
    } finally {
      await store.close();
    }
  },
};
