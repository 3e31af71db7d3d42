// The order list's test data (scenario 6): orders generated as a desk that has run for a while
// holds them (three years of time-ordered ids, 70% completed, 8% submitted…) over the demo
// parties, and the SQLite load (prepared inserts in large transactions). The PostgreSQL load
// generates the same mix in SQL (order-list.ts, fillPostgres).
import Database from 'better-sqlite3';
import { findPartnerByName, findVendorBySlug, newId, type Store } from '@orderdesk/store';
import { rng } from './stats.ts';
import { runInWorker } from './worker.ts';

/** The statuses of the generated orders and their shares, as in a desk that has run a while. */
export const STATUSES: readonly (readonly [string, number])[] = [
  ['completed', 0.7],
  ['submitted', 0.08],
  ['booking', 0.05],
  ['provisioning', 0.04],
  ['on_hold', 0.03],
  ['rejected', 0.04],
  ['cancelled', 0.06],
];

/** The demo parties the generated orders belong to. */
export interface Parties {
  vendors: { id: string; slug: string; type: string; weight: number }[];
  acme: string;
  beta: string;
  contoso: string;
  customers: Map<string, string>;
  users: Map<string, string>;
}

/** The demo parties of a seeded database. */
export async function findParties(store: Store): Promise<Parties> {
  const vendors = [];
  for (const [slug, type, weight] of [
    ['northwind', 'new', 0.5],
    ['skyline', 'new', 0.25],
    ['edgeworks', 'license_maintenance', 0.25],
  ] as const) {
    const v = await findVendorBySlug(store.db, slug);
    if (!v) throw new Error(`demo vendor ${slug} missing`);
    vendors.push({ id: v.id, slug, type, weight });
  }
  const partnerId = async (name: string): Promise<string> => {
    const p = await findPartnerByName(store.db, name);
    if (!p) throw new Error(`demo partner ${name} missing`);
    return p.id;
  };
  const acme = await partnerId('Acme Distribution');
  const beta = await partnerId('Beta Resellers');
  const contoso = await partnerId('Contoso Channel');
  const customers = new Map<string, string>();
  for (const c of await store.db.selectFrom('customers').select(['id', 'partner_id']).execute()) {
    if (!customers.has(c.partner_id)) customers.set(c.partner_id, c.id);
  }
  const users = new Map<string, string>();
  for (const u of await store.db
    .selectFrom('users')
    .select(['id', 'partner_id'])
    .where('partner_id', 'is not', null)
    .execute()) {
    if (u.partner_id && !users.has(u.partner_id)) users.set(u.partner_id, u.id);
  }
  return { vendors, acme, beta, contoso, customers, users };
}

type Row = [
  id: string,
  vendorId: string,
  partnerId: string,
  orderingPartnerId: string,
  customerId: string,
  number: string,
  type: string,
  status: string,
  poNumber: string,
  totalMinor: number,
  body: string,
  submittedBy: string,
  at: string,
];

/** Generates order i of n (ids time-ordered over the last three years). */
function makeOrderGenerator(p: Parties, n: number): (i: number) => Row {
  const r = rng(6);
  const start = Date.now() - 3 * 365 * 86_400_000;
  const step = (3 * 365 * 86_400_000) / n;
  const counters = new Map<string, number>();
  const pickStatus = (u: number): string => {
    let acc = 0;
    for (const [s, w] of STATUSES) if (u < (acc += w)) return s;
    return 'completed';
  };
  return (i) => {
    const u = r();
    const vendor = p.vendors[u < 0.5 ? 0 : u < 0.75 ? 1 : 2] ?? p.vendors[0];
    const w = r();
    const ordering = w < 0.45 ? p.acme : w < 0.6 ? p.beta : p.contoso;
    const holder = ordering === p.beta ? p.acme : ordering;
    const t = Math.floor(start + i * step);
    const seq = (counters.get(vendor?.id ?? '') ?? 0) + 1;
    counters.set(vendor?.id ?? '', seq);
    const at = new Date(t).toISOString();
    const po = `PO-${i + 1}`;
    const total = 1_000 + Math.floor(r() * 5_000_000);
    return [
      newId('ord', t),
      vendor?.id ?? '',
      holder,
      ordering,
      p.customers.get(ordering) ?? '',
      `B-${vendor?.slug ?? ''}-${String(seq).padStart(7, '0')}`,
      vendor?.type ?? 'new',
      pickStatus(r()),
      po,
      total,
      JSON.stringify({
        purchaseOrder: {
          number: po,
          date: at.slice(0, 10),
          currency: 'USD',
          total: (total / 100).toFixed(2),
        },
      }),
      p.users.get(ordering) ?? '',
      at,
    ];
  };
}

/** The columns both loads fill, in their order. */
export const COLUMNS =
  'id, vendor_id, partner_id, ordering_partner_id, customer_id, number, type, channel, status, ' +
  'version, currency, po_number, total_minor, body, problems, submitted_by, submitted_at, ' +
  'created_at, updated_at';

/**
 * Inserts n orders into a seeded SQLite database with prepared inserts in 50,000-row
 * transactions (synchronous off: test data), then analyzes and checkpoints.
 */
export function fillSqlite(file: string, p: Parties, n: number): void {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = OFF'); // building test data; the measurements use FULL
    db.pragma('cache_size = -262144');
    const insert = db.prepare(
      `insert into orders (${COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, 'api', ?, 1, 'USD', ?, ?, ?, '[]', ?, ?, ?, ?)`,
    );
    const next = makeOrderGenerator(p, n);
    const batch = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const [id, v, pt, op, c, num, type, status, po, total, body, by, at] = next(i);
        insert.run(id, v, pt, op, c, num, type, status, po, total, body, by, at, at, at);
      }
    });
    for (let from = 0; from < n; from += 50_000) batch(from, Math.min(n, from + 50_000));
    db.exec('analyze');
    db.pragma('wal_checkpoint(TRUNCATE)');
  } finally {
    db.close();
  }
}

/**
 * fillSqlite in a worker thread (order-worker.ts): better-sqlite3 is synchronous, and the
 * main thread drives the PostgreSQL load meanwhile, on the other core. Nothing is measured
 * while either runs.
 */
export async function fillSqliteInWorker(file: string, p: Parties, n: number): Promise<void> {
  await runInWorker(new URL('./order-worker.ts', import.meta.url), { file, parties: p, n });
}
