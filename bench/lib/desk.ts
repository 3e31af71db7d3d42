// Set-up of a running OrderDesk for the HTTP scenarios: the server as a child process
// (`orderdesk serve --demo`), bearer tokens for demo users, five priced northwind products,
// an approved quote, and copies of that quote (a submitted order consumes its quote).
import { randomUUID } from 'node:crypto';
import {
  findPriceListInForce,
  findUserByEmail,
  findVendorBySlug,
  insertPriceList,
  insertPriceListItems,
  insertProduct,
  newId,
  nextPriceListVersion,
  type Store,
} from '@orderdesk/store';
import {
  CLI_BIN,
  expectJson,
  freePort,
  httpJson,
  spawnNode,
  waitForHttp,
  type Child,
} from './proc.ts';

export const DEMO_PASSWORD = 'demo';

export interface DeskServer {
  base: string;
  child: Child;
}

/** How startDesk runs the server, besides the defaults. */
export interface DeskOptions {
  /** The script to run instead of the `orderdesk` bin (e.g. the compiled bundle itself). */
  bin?: string;
  /** Node options before it (e.g. `--cpu-prof`). */
  nodeArgs?: readonly string[];
  /** Environment variables over the defaults. */
  env?: Record<string, string>;
}

/** Starts `orderdesk serve --demo` on a free loopback port against a database. */
export async function startDesk(
  label: string,
  databaseUrl: string,
  options: DeskOptions = {},
): Promise<DeskServer> {
  const port = await freePort();
  const args = [...(options.nodeArgs ?? []), options.bin ?? CLI_BIN, 'serve', '--demo'];
  const child = spawnNode(label, args, {
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
    ORDERDESK_DEMO: '1',
    ORDERDESK_DEMO_PASSWORD: DEMO_PASSWORD,
    LOG_LEVEL: 'silent',
    SQLITE_SYNCHRONOUS: 'FULL',
    // No mail worker: it would write to the database between the measured requests (and, on
    // SQLite, compete for the write lock with the ceiling server sharing the file).
    OUTBOX_IN_PROCESS: '0',
    ...options.env,
  });
  const base = `http://127.0.0.1:${port}`;
  await waitForHttp(`${base}/api/v1/health`, child);
  return { base, child };
}

/** Logs a demo user in and creates a bearer API token for it. */
export async function bearerToken(base: string, email: string): Promise<string> {
  const login = await httpJson<{ csrfToken: string }>('POST', `${base}/api/v1/session`, {
    body: { email, password: DEMO_PASSWORD },
  });
  if (login.status !== 200) {
    throw new Error(`Login as ${email} failed (${login.status}): ${JSON.stringify(login.body)}`);
  }
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const created = await expectJson<{ token: string }>(201, 'POST', `${base}/api/v1/tokens`, {
    headers: { cookie, 'x-csrf-token': login.body.csrfToken, 'idempotency-key': randomUUID() },
    body: { name: 'bench' },
  });
  return created.token;
}

export interface PricedPart {
  partNumber: string;
  listPriceMinor: number;
}

/** Today as an ISO date (UTC). */
export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

/**
 * Five active northwind products priced by the USD list in force: from the demo catalog when
 * it has them, else five bench products and a price list are added through the store.
 */
export async function ensureNorthwindParts(store: Store): Promise<PricedPart[]> {
  const { db } = store;
  const vendor = await findVendorBySlug(db, 'northwind');
  if (!vendor) throw new Error('The demo data has no northwind vendor');
  const pick = async (): Promise<PricedPart[]> => {
    const list = await findPriceListInForce(db, vendor.id, 'USD', today());
    if (!list) return [];
    const rows = await db
      .selectFrom('products as p')
      .innerJoin('price_list_items as i', 'i.product_id', 'p.id')
      .select(['p.part_number', 'i.list_price_minor'])
      .where('i.price_list_id', '=', list.id)
      .where('p.vendor_id', '=', vendor.id)
      .where('p.active', '=', 1)
      .where('p.type', 'in', ['subscription', 'service'])
      .orderBy('p.part_number')
      .limit(5)
      .execute();
    return rows.map((r) => ({
      partNumber: r.part_number,
      listPriceMinor: Number(r.list_price_minor),
    }));
  };
  const found = await pick();
  if (found.length === 5) return found;
  if (found.length > 0) {
    throw new Error(
      `The northwind price list in force prices only ${found.length} products; the bench needs 5`,
    );
  }
  const admin = await findUserByEmail(db, 'admin@northwind.example');
  await db.transaction().execute(async (tx) => {
    const items = [];
    for (let i = 1; i <= 5; i++) {
      const product = await insertProduct(
        tx,
        {
          vendorId: vendor.id,
          partNumber: `NW-BENCH-0${i}`,
          name: `Bench meetings plan ${i}`,
          description: 'Added by the benchmark: the demo catalog has no northwind price list',
          type: 'subscription',
          categoryId: null,
          billingTerm: 'annual',
          ships: false,
          active: true,
        },
        new Date().toISOString(),
      );
      items.push({
        partNumber: product.part_number,
        productId: product.id,
        listPriceMinor: 12_000 * i + 4_950,
      });
    }
    const list = await insertPriceList(tx, {
      vendorId: vendor.id,
      currency: 'USD',
      version: await nextPriceListVersion(tx, vendor.id, 'USD'),
      effectiveFrom: '2020-01-01',
      rowCount: items.length,
      sourceName: 'bench',
      at: new Date().toISOString(),
      createdBy: admin?.id ?? 'bench',
    });
    await insertPriceListItems(tx, list.id, items);
  });
  return pick();
}

export interface QuoteView {
  id: string;
  number: string;
  status: string;
  total: string;
  lines: { partNumber: string; quantity: number; netPrice: string }[];
}

/** Copies an approved quote `count` times through the store (one transaction); returns the new ids. */
export async function cloneQuote(store: Store, quoteId: string, count: number): Promise<string[]> {
  const { db } = store;
  const quote = await db
    .selectFrom('quotes')
    .selectAll()
    .where('id', '=', quoteId)
    .executeTakeFirstOrThrow();
  const lines = await db
    .selectFrom('quote_lines')
    .selectAll()
    .where('quote_id', '=', quoteId)
    .execute();
  const ids: string[] = [];
  await db.transaction().execute(async (tx) => {
    const CHUNK = 200;
    for (let start = 0; start < count; start += CHUNK) {
      const quotes = [];
      const quoteLines = [];
      for (let i = start; i < Math.min(count, start + CHUNK); i++) {
        const id = newId('qt');
        ids.push(id);
        quotes.push({ ...quote, id, number: `${quote.number}-B${id.slice(-10)}` });
        for (const l of lines) quoteLines.push({ ...l, quote_id: id });
      }
      await tx.insertInto('quotes').values(quotes).execute();
      await tx.insertInto('quote_lines').values(quoteLines).execute();
    }
  });
  return ids;
}
