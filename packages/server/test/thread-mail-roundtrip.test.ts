// OrderDesk's own mail read back by mail intake (README "Mail intake (IMAP)"), on both
// databases. A message written on an order's thread in OrderDesk is mailed by the outbox worker
// (a real SMTP server on loopback); where it goes can be the very mailbox the IMAP poller reads
// (the partner writes to edgeworks' orders@ mailbox; the desk may copy it). That mail, byte for
// byte as the SMTP server received it, is APPENDed into a real dovecot mailbox and the poller
// reads it: it is already on the thread (its Message-ID), so it is neither a second copy there
// (`direction: "in"`) nor an intake item, and the mailbox checkpoint moves past it so no later
// pass reads it again.
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ThreadMessage } from '@orderdesk/app';
import { findMailboxCheckpoint } from '@orderdesk/store';
import { testDialects } from '@orderdesk/store/testing';
import { configSchema, type Config } from '../src/config.ts';
import { parseImapUrl, startImapPoller, type ImapPoller } from '../src/mail/imap-poller.ts';
import { mailWorkerSettings, startMailWorker, type MailWorker } from '../src/mail/mail-worker.ts';
import { createSmtpTransport } from '../src/mail/smtp-transport.ts';
import { startDovecot, type Dovecot } from './dovecot.ts';
import { createTestApp, type TestApp } from './harness.ts';
import { appendMails, composeMail } from './intake-fixtures.ts';
import { placeKitRenewal } from './scenario-helpers.ts';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from './smtp-sink.ts';

const BUYER = 'buyer@acme.example';
const DESK = 'desk@edgeworks.example';
/** Edgeworks' e-mail channel: where its partners' messages go, and what the poller reads. */
const INTAKE = 'orders@edgeworks.example';

let dovecot: Dovecot;
beforeAll(async () => {
  // Every user up front (dovecot re-reads its passwd file at most once a second).
  dovecot = await startDovecot(
    Object.fromEntries(testDialects().map((d) => [`roundtrip-${d}`, `secret-${d}`])),
  );
}, 60_000);
afterAll(async () => {
  await dovecot?.stop();
});

describe.each(testDialects())('thread mail read back by intake on %s', (dialect) => {
  let t: TestApp;
  let sink: SmtpSink;
  let poller: ImapPoller;
  let worker: MailWorker;
  let config: Config & { IMAP_URL: string };
  let seq = 0;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    sink = await startSmtpSink();
    config = {
      ...configSchema.parse({}),
      IMAP_URL: dovecot.urlOf(`roundtrip-${dialect}`),
      SMTP_URL: sink.url,
      IMAP_TIMEOUT_MS: 10_000,
    };
    poller = startImapPoller(t.ctx, config, { autoStart: false });
    worker = startMailWorker(t.ctx, config, {
      autoStart: false,
      settings: mailWorkerSettings(config, createSmtpTransport(sink.url, { timeoutMs: 5000 })),
    });
  }, 60_000);
  afterAll(async () => {
    await poller?.stop();
    await worker?.stop();
    await t?.close();
    await sink?.close();
  });

  const drainAll = async (): Promise<void> => {
    for (;;) if ((await worker.drainNow()).claimed === 0) return;
  };

  /** An edgeworks kit renewal placed by the partner (its receipt mail opens the thread). */
  const edgeworksOrder = () => placeKitRenewal(t, BUYER, `PO-ROUNDTRIP-${dialect}-${++seq}`);

  const threadOf = async (user: string, orderId: string): Promise<ThreadMessage[]> => {
    const res = await t.as(user).get(`/api/v1/orders/${orderId}/messages`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ items: ThreadMessage[] }>().items;
  };
  const write = async (
    user: string,
    orderId: string,
    body: { text: string; cc?: string[] },
  ): Promise<ThreadMessage> => {
    const res = await t.as(user).post(`/api/v1/orders/${orderId}/messages`, body);
    expect(res.statusCode, res.body).toBe(201);
    return res.json<ThreadMessage>();
  };
  /** Sends what is queued; the mail of `messageId` as the SMTP server received it. */
  const sendAndCapture = async (messageId: string): Promise<ReceivedMail> => {
    const since = sink.received.length;
    await drainAll();
    const sent = sink.received.slice(since).filter((m) => m.headers['message-id'] === messageId);
    expect(sent, `one mail ${messageId} through SMTP`).toHaveLength(1);
    return sent[0]!;
  };
  const intakeRows = async (messageId?: string) => {
    let q = t.store.db.selectFrom('intake_items').select(['id', 'message_id']);
    if (messageId) q = q.where('message_id', '=', messageId);
    return q.execute();
  };
  const timeline = async (orderId: string): Promise<string[]> =>
    (await t.as(DESK).get(`/api/v1/orders/${orderId}/events`))
      .json<{ items: { type: string }[] }>()
      .items.map((e) => e.type);
  /** The message of `uid` as it stands in the mailbox (its Message-ID and flags), if there. */
  const inMailbox = async (uid: number): Promise<{ messageId: string; flags: string[] } | null> => {
    const target = parseImapUrl(config.IMAP_URL);
    const client = new ImapFlow({
      host: target.host,
      port: target.port,
      secure: false,
      auth: { user: target.user, pass: target.password },
      logger: false,
    });
    await client.connect();
    try {
      const lock = await client.getMailboxLock(target.mailbox, { readOnly: true });
      try {
        const found = await client.fetchOne(
          String(uid),
          { envelope: true, flags: true },
          { uid: true },
        );
        if (!found) return null;
        return { messageId: found.envelope?.messageId ?? '', flags: [...(found.flags ?? [])] };
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
  };

  /**
   * Delivers the mail exactly as sent into the intake mailbox, runs the poller and checks that
   * nothing came of it: the thread unchanged (its one `out` copy, sent), no intake item, no
   * mail-received event, no acknowledgment, the checkpoint past it and no pass reading it again.
   */
  const roundTrip = async (orderId: string, posted: ThreadMessage, mail: ReceivedMail) => {
    // Byte for byte: the sink keeps the DATA as UTF-8 text; an all-ASCII message (what
    // nodemailer puts on the wire: quoted-printable, encoded words) is the same bytes again.
    expect(mail.raw).toMatch(/^[\x00-\x7f]*$/);
    const raw = Buffer.from(mail.raw, 'utf8');
    expect(raw.toString('latin1')).toBe(mail.raw);
    expect(mail.headers['message-id']).toBe(posted.messageId);
    expect(mail.headers['auto-submitted']).toBe('auto-generated');

    const before = await threadOf(DESK, orderId);
    const partnerBefore = await threadOf(BUYER, orderId);
    const itemsBefore = (await intakeRows()).length;
    const key = parseImapUrl(config.IMAP_URL).key;
    const [uid] = await appendMails(config.IMAP_URL, [raw]);
    expect(uid).toBeGreaterThan(0);

    const polled = await poller.pollNow();
    expect(polled).toMatchObject({
      read: 1,
      duplicates: 1,
      replies: 0,
      intake: 0,
      unrouted: 0,
      failed: 0,
    });

    // Exactly one copy on the thread, the one OrderDesk wrote and sent; nothing else added.
    for (const [user, earlier] of [
      [DESK, before],
      [BUYER, partnerBefore],
    ] as const) {
      const after = await threadOf(user, orderId);
      expect(after.map((m) => m.id)).toEqual(earlier.map((m) => m.id));
      const copies = after.filter((m) => m.messageId === posted.messageId);
      expect(copies, `${user} sees one copy`).toHaveLength(1);
      expect(copies[0]).toMatchObject({ id: posted.id, direction: 'out', status: 'sent' });
    }
    expect(
      await t.store.db
        .selectFrom('messages')
        .select('id')
        .where('message_id', '=', posted.messageId)
        .execute(),
    ).toHaveLength(1);
    // No intake item, none for the desk to see; no mail-received event on the order.
    expect(await intakeRows(posted.messageId)).toEqual([]);
    expect(await intakeRows()).toHaveLength(itemsBefore);
    const desk = await t.as(DESK).get('/api/v1/intake');
    expect(desk.statusCode, desk.body).toBe(200);
    expect(desk.json<{ items: { subject: string }[] }>().items.map((i) => i.subject)).not.toContain(
      mail.headers.subject,
    );
    expect(await timeline(orderId)).not.toContain('order.mail_received');
    // Nothing is answered: no acknowledgment or other mail is queued by the read.
    const since = sink.received.length;
    expect((await worker.drainNow()).claimed).toBe(0);
    expect(sink.received.length).toBe(since);

    // Handled as the poller handles what it has read: the checkpoint is past its UID, so no
    // later pass reads it; the mail stays in the mailbox, neither deleted nor flagged.
    expect(await findMailboxCheckpoint(t.store.db, key)).toMatchObject({ last_uid: uid });
    expect(await poller.pollNow()).toMatchObject({ read: 0, duplicates: 0, failed: 0 });
    expect(await poller.pollNow()).toMatchObject({ read: 0 });
    const kept = await inMailbox(uid!);
    expect(kept?.messageId).toBe(posted.messageId);
    expect(kept?.flags).not.toContain('\\Deleted');
    expect(kept?.flags).not.toContain('\\Seen');
    return { uid: uid! };
  };

  it('the partner’s message, mailed to the orders@ intake mailbox, is not read back as a reply or an intake item', async () => {
    await drainAll();
    const order = await edgeworksOrder();
    await drainAll(); // the order receipt
    const posted = await write(BUYER, order.id, {
      text: 'Could the renewal start on the 1st? Grüße, Acme',
    });
    expect(posted).toMatchObject({
      direction: 'out',
      template: 'partner_message',
      to: [INTAKE],
      cc: [BUYER],
      status: 'queued',
    });
    const mail = await sendAndCapture(posted.messageId);
    // It went to the intake mailbox the poller reads.
    expect(mail.rcptTo).toContain(INTAKE);
    expect(mail.headers.to).toBe(INTAKE);
    await roundTrip(order.id, posted, mail);

    // The same mail again (delivery is at least once: the worker may send it twice) is the
    // same nothing.
    await roundTrip(order.id, posted, mail);

    // The desk's answer by mail, a new Message-ID answering it, does join the thread.
    const answerId = `<answer.${dialect}.${seq}@edgeworks.example>`;
    await appendMails(config.IMAP_URL, [
      await composeMail({
        from: DESK,
        to: BUYER,
        cc: [INTAKE],
        subject: mail.headers.subject!,
        text: 'Yes, from the 1st.',
        messageId: answerId,
        inReplyTo: posted.messageId,
        references: [posted.messageId],
      }),
    ]);
    expect(await poller.pollNow()).toMatchObject({ read: 1, replies: 1, intake: 0 });
    const thread = await threadOf(DESK, order.id);
    expect(thread.filter((m) => m.messageId === answerId)).toEqual([
      expect.objectContaining({ direction: 'in', status: 'received' }),
    ]);
    expect(thread.filter((m) => m.messageId === posted.messageId)).toHaveLength(1);
  });

  it('the desk’s reply goes to the partner alone; a copy to the orders@ mailbox is not read back either', async () => {
    await drainAll();
    const order = await edgeworksOrder();
    await drainAll();
    const asked = await write(BUYER, order.id, { text: 'When does it renew?' });
    await sendAndCapture(asked.messageId);

    // As written: To the partner, no Reply-To (edgeworks names no mail.replyTo), nothing to the
    // intake mailbox — its copy cannot come back there. The partner's answer from its mail
    // client goes to the From (orders@), but that is a new mail of its own (a reply).
    const plain = await write(DESK, order.id, { text: 'On the 1st.' });
    expect(plain).toMatchObject({ template: 'vendor_message', to: [BUYER], cc: [] });
    const plainMail = await sendAndCapture(plain.messageId);
    expect(plainMail.rcptTo).toEqual([BUYER]);
    expect(plainMail.headers['reply-to']).toBeUndefined();
    expect(plainMail.headers.from).toContain(`<${INTAKE}>`);
    expect(`${plainMail.headers.to} ${plainMail.headers.cc ?? ''}`).not.toContain(INTAKE);

    // Copied to the orders mailbox (so the rest of the desk sees it): it comes back to intake.
    const copied = await write(DESK, order.id, {
      text: 'Renewal confirmed.',
      cc: [INTAKE],
    });
    expect(copied).toMatchObject({ template: 'vendor_message', to: [BUYER], cc: [INTAKE] });
    const copiedMail = await sendAndCapture(copied.messageId);
    expect(copiedMail.rcptTo.sort()).toEqual([BUYER, INTAKE].sort());
    await roundTrip(order.id, copied, copiedMail);
  });
});
