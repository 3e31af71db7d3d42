// Scenario: issuing due invoices (issue 11). 10,000 [300] edgeworks orders booked two business
// days ago, not yet invoiced, on a SQLite file; one pass of the scheduler (`runDueJobs`, what
// `orderdesk jobs run` and the in-process loop do) issues them all: per invoice one
// transaction that locks the order, takes the next gapless number, copies the lines, records
// `invoice.issued` (the profile's mail to the invoicing contact: thread message + outbox row)
// and renders the PDF and the UBL 2.1 document (their sizes are named on the mail).
// Figures: invoices/s and the process's peak RSS during the pass. Anchor: rendering the PDF +
// UBL of the same kind of invoice alone, in the same process (documents/s) — the ratio says how
// much of the time the database work takes. Runs standalone too:
//   node --import tsx bench/scenarios/invoices.ts [--quick]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  LoginThrottle,
  SettableClock,
  invoiceDocumentOf,
  renderInvoicePdf,
  renderInvoiceUbl,
  runDueJobs,
  seedDemo,
  type AppContext,
} from '@orderdesk/app';
import {
  findInvoiceOfOrder,
  findPartnerByName,
  findVendorBySlug,
  listInvoiceLines,
  migrateToLatest,
  newId,
  openStore,
  type OrderLine,
  type Store,
} from '@orderdesk/store';
import type { BenchContext, Scenario } from '../lib/scenario.ts';
import { ratioOf, type ResultRow } from '../lib/table.ts';

const LINES_PER_ORDER = 2;

async function buildOrders(store: Store, count: number, bookedAt: string): Promise<void> {
  const db = store.db;
  const vendor = await findVendorBySlug(db, 'edgeworks');
  const acme = await findPartnerByName(db, 'Acme Distribution');
  if (!vendor || !acme) throw new Error('demo data missing');
  const customer = await db
    .selectFrom('customers')
    .select('id')
    .where('partner_id', '=', acme.id)
    .executeTakeFirstOrThrow();
  const user = await db
    .selectFrom('users')
    .select('id')
    .where('partner_id', '=', acme.id)
    .executeTakeFirstOrThrow();
  const products = await db
    .selectFrom('products')
    .select(['part_number', 'name'])
    .where('vendor_id', '=', vendor.id)
    .where('type', '=', 'device')
    .limit(LINES_PER_ORDER)
    .execute();
  const chunk = 500;
  for (let from = 0; from < count; from += chunk) {
    await db.transaction().execute(async (tx) => {
      const orders = [];
      const lines: OrderLine[] = [];
      const events = [];
      for (let i = from; i < Math.min(count, from + chunk); i++) {
        const id = newId('ord');
        const number = `EW-B${String(i).padStart(7, '0')}`;
        orders.push({
          id,
          vendor_id: vendor.id,
          partner_id: acme.id,
          ordering_partner_id: acme.id,
          customer_id: customer.id,
          number,
          sales_order_number: `EWSO-B${i}`,
          type: 'device',
          channel: 'api',
          status: 'provisioning',
          version: 3,
          quote_id: null,
          currency: 'USD',
          po_number: `BENCH-${i}`,
          total_minor: 12_345 * 3 * LINES_PER_ORDER,
          price_list_id: null,
          profile_version: vendor.profile_version,
          body: '{}',
          problems: '[]',
          hold_reasons: null,
          acknowledge_by: null,
          fulfil_by: null,
          submitted_by: user.id,
          submitted_at: bookedAt,
          completed_at: null,
          created_at: bookedAt,
          updated_at: bookedAt,
        });
        products.forEach((p, n) =>
          lines.push({
            order_id: id,
            line_no: n + 1,
            product_id: null,
            part_number: p.part_number,
            name: p.name,
            quantity: 3,
            unit_price_minor: 12_345,
            list_price_minor: null,
            multiplier: null,
            expected_net_minor: null,
            amount_minor: 12_345 * 3,
            attributes: null,
          }),
        );
        events.push({
          id: newId('evt'),
          vendor_id: vendor.id,
          partner_id: acme.id,
          entity_type: 'order',
          entity_id: id,
          type: 'order.booked',
          actor_user_id: null,
          actor_label: 'bench',
          at: bookedAt,
          from_status: 'booking',
          to_status: 'provisioning',
          reason: null,
          data: JSON.stringify({ orderId: id, number, orderType: 'device' }),
        });
      }
      await tx.insertInto('orders').values(orders).execute();
      for (let i = 0; i < lines.length; i += 400)
        await tx
          .insertInto('order_lines')
          .values(lines.slice(i, i + 400))
          .execute();
      await tx.insertInto('audit_events').values(events).execute();
    });
  }
}

export interface InvoiceBenchResult {
  invoices: number;
  seconds: number;
  perSecond: number;
  peakRssMb: number;
  renderPerSecond: number;
}

/** Builds the data, issues every due invoice in one pass, and renders documents alone. */
export async function benchInvoices(count: number, tmp: string): Promise<InvoiceBenchResult> {
  const url = `sqlite:${join(tmp, 'invoices.db')}`;
  const store = openStore(url);
  try {
    await migrateToLatest(store);
    await store.db.transaction().execute((tx) => seedDemo(tx, 'demo', new Date()));
    // Booked on a Monday well in the past: due (1 business day later) long before "now".
    await buildOrders(store, count, '2026-01-05T15:00:00.000Z');
    const clock = new SettableClock();
    const ctx: AppContext = {
      store,
      clock,
      config: {
        LOGIN_MAX_FAILURES: 5,
        SESSION_TTL_HOURS: 12,
        INVITATION_TTL_HOURS: 72,
      },
      loginThrottle: new LoginThrottle(60_000),
      now: () => clock.now(),
    };
    global.gc?.();
    let peak = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage.rss());
    }, 50);
    const started = performance.now();
    const results = await runDueJobs(ctx, {
      now: new Date('2026-02-02T12:00:00Z'),
      workerId: 'bench',
    });
    const seconds = (performance.now() - started) / 1000;
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().rss);
    const issued = results.find((r) => r.job === 'invoices.issue-due')?.summary?.issued ?? 0;
    if (issued !== count) {
      throw new Error(`expected ${count} invoices, issued ${issued}: ${JSON.stringify(results)}`);
    }
    // Anchor: the documents alone, for one of the invoices, as many times as fits in ~the same work.
    const one = await store.db.selectFrom('orders').select('id').limit(1).executeTakeFirstOrThrow();
    const invoice = await findInvoiceOfOrder(store.db, one.id);
    if (!invoice) throw new Error('no invoice');
    const doc = invoiceDocumentOf(invoice, await listInvoiceLines(store.db, invoice.id));
    const renders = Math.min(count, 500);
    const renderStart = performance.now();
    for (let i = 0; i < renders; i++) {
      await renderInvoicePdf(doc);
      renderInvoiceUbl(doc);
    }
    const renderSeconds = (performance.now() - renderStart) / 1000;
    return {
      invoices: issued,
      seconds,
      perSecond: issued / seconds,
      peakRssMb: peak / 2 ** 20,
      renderPerSecond: renders / renderSeconds,
    };
  } finally {
    await store.close();
  }
}

export const invoices: Scenario = {
  name: 'invoices',
  title: 'Issuing due invoices (PDF + UBL)',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const count = ctx.quick ? 300 : 10_000;
    ctx.log(`invoices: ${count} booked orders, one scheduler pass`);
    const r = await benchInvoices(count, ctx.tmp);
    const label = `SQLite, ${count.toLocaleString('en-US')} due`;
    return [
      {
        scenario: '9 invoices',
        figure: `invoices issued/s (PDF + UBL + mail), ${label}`,
        value: r.perSecond,
        unit: 'invoices/s',
        anchor: { label: 'PDF + UBL rendering alone', value: r.renderPerSecond, unit: '/s' },
        ratio: ratioOf(r.perSecond, r.renderPerSecond),
      },
      {
        scenario: '9 invoices',
        figure: `peak RSS of the issuing process, ${label}`,
        value: r.peakRssMb,
        unit: 'MB',
      },
    ];
  },
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick');
  const tmp = mkdtempSync(join(tmpdir(), 'od-bench-invoices-'));
  try {
    const rows = await invoices.run({
      quick,
      tmp,
      postgres: false,
      log: (m) => process.stderr.write(`${m}\n`),
      shared: new Map(),
    });
    for (const row of rows) {
      process.stdout.write(
        `${row.figure}: ${row.value?.toFixed(1)} ${row.unit}${row.anchor ? ` (anchor ${row.anchor.value?.toFixed(1)} ${row.anchor.unit}, ratio ${row.ratio?.toFixed(2)})` : ''}\n`,
      );
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
