// Scenario: mail intake. 1,000 mails (quick: 50), each with a different one-page PO PDF, are
// APPENDed to a real dovecot mailbox; the intake poller (the one `serve` and `orderdesk worker`
// run) reads them all: download, MIME parse, PDF reading in the worker thread, routing,
// validation, and one transaction per mail storing the item, the raw message, the
// acknowledgment and the checkpoint (SQLite). Anchor: downloading the same messages over IMAP
// and parsing nothing. Memory: the RSS of this process (poller and PDF worker thread) sampled
// while it runs — flat means the last quarter's peak is no higher than the first quarter's.
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { migrateToLatest, openStore } from '@orderdesk/store';
import { seedDemo } from '@orderdesk/app';
import { buildApp, configSchema, startImapPoller } from '@orderdesk/server';
import { startDovecot } from '../../packages/server/test/dovecot.ts';
import { appendMails, composeMail, makePoPdf } from '../../packages/server/test/intake-fixtures.ts';
import type { BenchContext, Scenario } from '../lib/scenario.ts';
import { judge, ratioOf, type ResultRow } from '../lib/table.ts';

const GOAL_SECONDS_PER_1000 = 60;

function rssMb(): number {
  return process.memoryUsage().rss / (1024 * 1024);
}

/** Downloads every message of the mailbox and does nothing with it (the anchor). */
async function fetchAll(url: string): Promise<{ ms: number; bytes: number }> {
  const u = new URL(url);
  const client = new ImapFlow({
    host: u.hostname,
    port: Number(u.port),
    secure: false,
    auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) },
    logger: false,
  });
  const t0 = performance.now();
  await client.connect();
  let bytes = 0;
  try {
    const lock = await client.getMailboxLock('INBOX', { readOnly: true });
    try {
      const uids: number[] = [];
      for await (const m of client.fetch('1:*', { uid: true, size: true })) uids.push(m.uid);
      for (const uid of uids) {
        const m = await client.fetchOne(String(uid), { source: true }, { uid: true });
        bytes += m ? (m.source?.length ?? 0) : 0;
      }
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
  return { ms: performance.now() - t0, bytes };
}

export const intake: Scenario = {
  name: 'intake',
  title: 'Mail intake of PO PDFs over IMAP',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const count = ctx.quick ? 50 : 1000;
    const dovecot = await startDovecot({ bench: 'bench-secret' });
    const url = dovecot.urlOf('bench');
    const store = openStore(`sqlite:${join(ctx.tmp, 'intake.db')}`);
    try {
      await migrateToLatest(store);
      await store.db.transaction().execute((tx) => seedDemo(tx, 'demo', new Date()));
      const config = { ...configSchema.parse({}), DATABASE_URL: 'sqlite:intake', IMAP_URL: url };
      const { app, ctx: appCtx } = await buildApp({ store, config });

      // The mails: a PO PDF each, as a partner's mail client would send them.
      const t0 = performance.now();
      const raws: Buffer[] = [];
      for (let i = 0; i < count; i++) {
        const number = `BENCH-${String(i + 1).padStart(5, '0')}`;
        const pdf = await makePoPdf({
          buyer: 'Acme Distribution',
          number,
          date: '2026-11-30',
          currency: 'USD',
          lines: [
            {
              partNumber: 'EW-LIC-100',
              description: 'License',
              quantity: 1 + (i % 3),
              unitPrice: '650.00',
            },
            {
              partNumber: 'EW-MNT-100',
              description: 'Maintenance',
              quantity: 1,
              unitPrice: '130.00',
            },
          ],
          total: ((1 + (i % 3)) * 650 + 130).toFixed(2),
        });
        raws.push(
          await composeMail({
            from: 'Acme Buyer <buyer@acme.example>',
            to: 'orders@edgeworks.example',
            subject: `Purchase order ${number}`,
            text: 'Please find our License & Maintenance Order attached.',
            messageId: `<${number}@bench.acme.example>`,
            attachments: [
              { filename: `${number}.pdf`, content: pdf, contentType: 'application/pdf' },
            ],
          }),
        );
      }
      await appendMails(url, raws);
      const mailBytes = raws.reduce((s, r) => s + r.length, 0);
      raws.length = 0;
      ctx.log(
        `intake: ${count} mails (${(mailBytes / 1024 / 1024).toFixed(1)} MB) built and delivered in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );

      const anchor = await fetchAll(url);

      const poller = startImapPoller(appCtx, config, { autoStart: false });
      const baseline = rssMb();
      const samples: { t: number; rss: number }[] = [];
      let read = 0;
      const t1 = performance.now();
      const sampler = setInterval(
        () => samples.push({ t: performance.now() - t1, rss: rssMb() }),
        100,
      );
      let failed = 0;
      try {
        for (;;) {
          const r = await poller.pollNow();
          read += r.read;
          failed += r.failed;
          if (r.read === 0 || r.failed > 0) break;
        }
      } finally {
        clearInterval(sampler);
        await poller.stop();
      }
      const seconds = (performance.now() - t1) / 1000;
      if (failed > 0 || read !== count) {
        throw new Error(`intake read ${read} of ${count} mails, ${failed} failed`);
      }
      const items = await store.db
        .selectFrom('intake_items')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'new')
        .executeTakeFirstOrThrow();
      if (Number(items.n) !== count) {
        throw new Error(`${items.n} of ${count} mails became readable intake items`);
      }
      // Quarters of the run's time (the poller reports per pass, not per mail).
      const span = seconds * 1000;
      const quarter = (from: number, to: number) =>
        Math.max(
          0,
          ...samples.filter((x) => x.t >= from * span && x.t < to * span).map((x) => x.rss),
        );
      const first = quarter(0, 0.25);
      const last = quarter(0.75, 1.01);
      const peak = Math.max(baseline, ...samples.map((s) => s.rss));
      const per1000 = (seconds * 1000) / count;
      await app.close();
      return [
        {
          scenario: 'intake',
          figure: `Intake of ${count.toLocaleString('en-US')} mails with a one-page PO PDF each (SQLite)`,
          value: seconds,
          unit: 's',
          anchor: {
            label: 'downloading the same mails over IMAP',
            value: anchor.ms / 1000,
            unit: 's',
          },
          ratio: ratioOf(seconds, anchor.ms / 1000),
          target: {
            text: '≤ 60 s per 1,000',
            met: judge(per1000, (v) => v <= GOAL_SECONDS_PER_1000),
          },
          note: `${(count / seconds).toFixed(1)} mails/s; ${per1000.toFixed(1)} s per 1,000`,
        },
        {
          scenario: 'intake',
          figure: 'Intake memory: RSS peak, last quarter of the mails vs first quarter',
          value: last,
          unit: 'MB',
          anchor: { label: 'first quarter peak', value: first, unit: 'MB' },
          ratio: ratioOf(last, first),
          target: { text: 'flat (≤ 1.25×)', met: judge(ratioOf(last, first), (v) => v <= 1.25) },
          note: `before intake ${baseline.toFixed(0)} MB, peak ${peak.toFixed(0)} MB (bench process: poller + PDF worker thread)`,
        },
      ];
    } finally {
      await store.close();
      await dovecot.stop();
    }
  },
};
