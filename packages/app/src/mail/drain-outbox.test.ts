// The outbox worker's pass without SMTP or HTTP: a recording transport, both databases.
import type { KyselyPlugin } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  enqueueOutbox,
  findMessageById,
  findOutboxById,
  insertMessage,
  type Store,
} from '@orderdesk/store';
import { createTestStore, testDialects } from '@orderdesk/store/testing';
import { DEFAULT_APP_SETTINGS, type AppContext } from '../context.ts';
import { SettableClock } from '../shared/clock.ts';
import { LoginThrottle } from '../session/login-throttle.ts';
import { drainOutbox, retryDelayMs, type DrainOptions } from './drain-outbox.ts';
import { htmlOfText, mailOfMessage } from './mail-render.ts';
import type { OutgoingMail } from './mail-transport.ts';

describe('retry delays', () => {
  const settings = { backoffBaseMs: 1000, backoffMaxMs: 10_000 };
  it('double per attempt, capped, jittered between half and all', () => {
    const low = { ...settings, random: () => 0 };
    const high = { ...settings, random: () => 1 };
    expect([1, 2, 3, 4, 5, 9].map((a) => retryDelayMs(a, high))).toEqual([
      1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
    expect([1, 2, 3, 4, 5].map((a) => retryDelayMs(a, low))).toEqual([500, 1000, 2000, 4000, 5000]);
  });
});

describe('rendering', () => {
  it('escapes the text into the HTML part', () => {
    const html = htmlOfText('PO <b>1</b> & "x"\n\nsecond line');
    expect(html).toContain('<p>PO &lt;b&gt;1&lt;/b&gt; &amp; &quot;x&quot;</p>');
    expect(html).toContain('<p>second line</p>');
  });
});

describe.each(testDialects())('drainOutbox on %s', (dialect) => {
  let store: Store;
  let ctx: AppContext;
  const clock = new SettableClock();
  const sent: OutgoingMail[] = [];
  let failWith: string | null = null;
  const options = (over: Partial<DrainOptions> = {}): DrainOptions => ({
    transport: {
      send: async (mail) => {
        if (failWith) throw new Error(failWith);
        sent.push(mail);
      },
    },
    maxAttempts: 2,
    backoffBaseMs: 60_000,
    backoffMaxMs: 600_000,
    leaseMs: 300_000,
    limit: 10,
    workerId: 'w1',
    ...over,
  });
  beforeAll(async () => {
    store = await createTestStore(dialect);
    clock.set(new Date('2031-03-01T09:00:00Z'), { freeze: true });
    ctx = {
      store,
      clock,
      config: DEFAULT_APP_SETTINGS,
      loginThrottle: new LoginThrottle(60_000),
      now: () => clock.now(),
    };
  });
  afterAll(async () => {
    await store.close();
  });

  let n = 0;
  const queue = async (over: { references?: string[] } = {}) => {
    const at = clock.now().toISOString();
    const i = n++;
    const message = await insertMessage(store.db, {
      vendorId: null,
      entityType: 'order',
      entityId: 'ord-1',
      direction: 'out',
      from: 'orders@vendor.example',
      to: [`p${i}@partner.example`],
      cc: ['cc@partner.example'],
      subject: `Mail ${i}`,
      text: `Text ${i} <script>`,
      status: 'queued',
      messageId: `<m${i}.${dialect}@vendor.orderdesk>`,
      inReplyTo: over.references?.at(-1) ?? null,
      references: over.references ?? null,
      at,
    });
    const row = await enqueueOutbox(store.db, {
      topic: 'mail',
      entityType: 'order',
      entityId: 'ord-1',
      payload: { messageId: message.id },
      at,
    });
    return { message, row };
  };

  it('sends each due message once with its thread headers and marks it sent', async () => {
    const a = await queue();
    const b = await queue({ references: [a.message.message_id] });
    const r = await drainOutbox(ctx, options());
    expect(r).toMatchObject({ claimed: 2, sent: 2, retried: 0, dead: 0 });
    expect(sent.at(-1)).toMatchObject({
      from: 'orders@vendor.example',
      to: JSON.parse(b.message.to_addrs) as string[],
      cc: ['cc@partner.example'],
      messageId: b.message.message_id,
      inReplyTo: a.message.message_id,
      references: [a.message.message_id],
    });
    expect(sent.at(-1)!.html).toContain('&lt;script&gt;');
    expect((await findMessageById(store.db, b.message.id))!.status).toBe('sent');
    expect((await drainOutbox(ctx, options())).claimed).toBe(0);
  });

  it('costs as many statements for twelve mails as for six: reads and marks are per pass', async () => {
    const statementsOfPass = async (mails: number): Promise<number> => {
      const queued = [];
      for (let i = 0; i < mails; i++) queued.push(await queue());
      let statements = 0;
      const counting: KyselyPlugin = {
        transformQuery: (args) => {
          statements++;
          return args.node;
        },
        transformResult: async (args) => args.result,
      };
      const counted = { ...ctx, store: { ...store, db: store.db.withPlugin(counting) } };
      const r = await drainOutbox(counted, options({ limit: 20, markBatch: 20 }));
      expect(r).toMatchObject({ claimed: mails, sent: mails });
      for (const q of queued) {
        expect((await findMessageById(store.db, q.message.id))!.status).toBe('sent');
        expect((await findOutboxById(store.db, q.row.id))!.processed_at).not.toBeNull();
      }
      return statements;
    };
    const six = await statementsOfPass(6);
    expect(await statementsOfPass(12)).toBe(six);
    // The claim, the messages' read, one update of the messages and one of the rows.
    expect(six).toBeLessThanOrEqual(5);
  });

  it('names the vendor on From when the message has a bare address', () => {
    const mail = mailOfMessage(
      {
        from_addr: 'orders@vendor.example',
        references_ids: null,
        reply_to: null,
        to_addrs: '["a@b.example"]',
        cc_addrs: '[]',
        subject: 's',
        text: 't',
        html: null,
        message_id: '<x@y>',
        in_reply_to: null,
      } as Parameters<typeof mailOfMessage>[0],
      'Vendor "Quoted" Inc.',
    );
    expect(mail.from).toBe('"Vendor  Quoted  Inc." <orders@vendor.example>');
  });

  it('gives back what it had not started when asked to stop', async () => {
    const rows = [await queue(), await queue(), await queue()];
    let asked = 0;
    const r = await drainOutbox(ctx, options({ shouldStop: () => asked++ >= 1 }));
    expect(r).toMatchObject({ claimed: 3, sent: 1, released: 2 });
    for (const { row } of rows.slice(1)) {
      expect(await findOutboxById(store.db, row.id)).toMatchObject({
        locked_by: null,
        processed_at: null,
      });
    }
    // Another worker takes them at once (no lease to wait for).
    expect(await drainOutbox(ctx, options({ workerId: 'w2' }))).toMatchObject({ sent: 2 });
  });

  it('retries, then keeps a dead letter and marks the message failed', async () => {
    const { row, message } = await queue();
    failWith = '451 try later';
    try {
      expect(await drainOutbox(ctx, options())).toMatchObject({ retried: 1 });
      const failed = (await findOutboxById(store.db, row.id))!;
      expect(failed).toMatchObject({ attempts: 1, last_error: '451 try later', locked_by: null });
      const wait = Date.parse(failed.available_at) - clock.now().getTime();
      expect(wait).toBeGreaterThanOrEqual(30_000);
      expect(wait).toBeLessThanOrEqual(60_000);
      clock.set(new Date(clock.now().getTime() + 60_000), { freeze: true });
      expect(await drainOutbox(ctx, options())).toMatchObject({ dead: 1 });
    } finally {
      failWith = null;
    }
    expect((await findOutboxById(store.db, row.id))!.dead_at).not.toBeNull();
    expect((await findMessageById(store.db, message.id))!.status).toBe('failed');
  });

  it('a row naming no message becomes a dead letter, not an exception', async () => {
    const row = await enqueueOutbox(store.db, {
      topic: 'mail',
      entityType: 'order',
      entityId: 'ord-1',
      payload: { messageId: 'msg-gone' },
      at: clock.now().toISOString(),
    });
    expect(await drainOutbox(ctx, options())).toMatchObject({ dead: 1 });
    expect((await findOutboxById(store.db, row.id))!.last_error).toContain('msg-gone');
  });
});
