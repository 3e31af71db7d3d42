// Writing on a thread (API.md "Mail"): POST /orders/{id}/messages and POST /quotes/{id}/messages.
// The desk answers the partner and the partner writes to the vendor from OrderDesk; the message
// is an outgoing mail of the thread (its Message-ID, In-Reply-To / References of the thread's
// latest message the partner sees), delivered by the outbox worker to a real SMTP server on
// loopback, kept as not_sent without one. Isolation, the distributor's read-only view,
// idempotency, CSRF and the body's validation. Both databases.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listAuditEvents, listMessages, type Message } from '@orderdesk/store';
import { testDialects } from '@orderdesk/store/testing';
import type { DrainResult, ThreadMessage } from '@orderdesk/app';
import { configSchema } from '../src/config.ts';
import { mailWorkerSettings, startMailWorker, type MailWorker } from '../src/mail/mail-worker.ts';
import { createSmtpTransport } from '../src/mail/smtp-transport.ts';
import { createTestApp, DEMO_PASSWORD, type TestApp } from './harness.ts';
import { expectIsolated } from './isolation.ts';
import { PARTNER_ISOLATION, VENDOR_ISOLATION } from './isolated-routes.ts';
import {
  act,
  findProducts,
  firstCustomerId,
  partnerIdOf,
  placeKitRenewal,
  storedQuote,
} from './scenario-helpers.ts';
import { startSmtpSink, type SmtpSink } from './smtp-sink.ts';

const ACME = 'buyer@acme.example';
const BETA = 'buyer@beta.example';
const CONTOSO = 'buyer@contoso.example';
const YAML = { 'content-type': 'application/yaml' };

describe.each(testDialects())('writing on a thread on %s', (dialect) => {
  let t: TestApp;
  let sink: SmtpSink;
  let seq = 0;

  beforeAll(async () => {
    t = await createTestApp(dialect);
    sink = await startSmtpSink();
    // Edgeworks' sales-order thread made internal: the booking mail goes to finance, not to the
    // partner (a profile may say so), so the thread holds mail the partner never sees.
    const admin = t.as('admin@edgeworks.example');
    const source = (await admin.get('/api/v1/vendors/edgeworks/profile/source')).json<{
      source: string;
    }>().source;
    const internal = source.replace(
      'template: sales_order_created\n    to: [partner]',
      'template: sales_order_created\n    to: [finance]',
    );
    expect(internal).not.toBe(source);
    const published = await admin.put('/api/v1/vendors/edgeworks/profile', internal, YAML);
    expect(published.statusCode, published.body).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  /** A worker that sends through the SMTP sink (or keeps not_sent with `transport: null`). */
  const worker = (transport?: null): MailWorker => {
    const c = { ...configSchema.parse({}), SMTP_URL: transport === null ? undefined : sink.url };
    return startMailWorker(t.ctx, c, {
      autoStart: false,
      settings: mailWorkerSettings(
        c,
        transport === null ? null : createSmtpTransport(sink.url, { timeoutMs: 5000 }),
      ),
    });
  };
  const drainAll = async (w: MailWorker): Promise<DrainResult[]> => {
    const passes: DrainResult[] = [];
    for (;;) {
      const r = await w.drainNow();
      passes.push(r);
      if (r.claimed === 0) return passes;
    }
  };

  /** A skyline order placed by `user` (its receipt mail opens the thread). */
  const skylineOrder = async (user: string): Promise<{ id: string; number: string }> => {
    const [item] = await findProducts(t, user, 'skyline', { type: 'subscription', count: 1 });
    const res = await t.as(user).post('/api/v1/orders', {
      vendor: 'skyline',
      type: 'new',
      customerId: await firstCustomerId(t, user),
      lines: [{ partNumber: item!.partNumber, quantity: 2, unitPrice: item!.netPrice }],
      contacts: {
        siteAdmin: { name: 'Site Admin', email: 'it@customer.example' },
        invoicing: { name: 'Accounts', email: 'ap@customer.example' },
      },
      attributes: { primaryDomain: 'customer.example' },
      termsAccepted: { version: '2025-01' },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };

  /** An edgeworks kit renewal placed by `user`. */
  const edgeworksOrder = (user: string) =>
    placeKitRenewal(t, user, `PO-THREAD-${dialect}-${++seq}`);

  /** An approved edgeworks quote for a partner's first customer. */
  const edgeworksQuote = async (user: string): Promise<string> => {
    const [product] = await findProducts(t, user, 'edgeworks', { count: 1 });
    const sales = t.as('sales@edgeworks.example');
    const res = await sales.post('/api/v1/quotes', {
      partnerId: await partnerIdOf(t, user),
      customerId: await firstCustomerId(t, user),
      orderType: 'kits_renewal',
      lines: [{ partNumber: product!.partNumber, quantity: 1 }],
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json<{ id: string }>().id;
    const approved = await sales.post(`/api/v1/quotes/${id}/actions/approve`, {});
    expect(approved.statusCode, approved.body).toBe(200);
    return id;
  };

  const write = (user: string, kind: 'orders' | 'quotes', id: string, body: unknown) =>
    t.as(user).post(`/api/v1/${kind}/${id}/messages`, body);
  const threadOf = async (user: string, kind: 'orders' | 'quotes', id: string) => {
    const res = await t.as(user).get(`/api/v1/${kind}/${id}/messages`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ items: ThreadMessage[] }>().items;
  };
  const stored = (entityType: 'order' | 'quote', id: string): Promise<Message[]> =>
    listMessages(t.store.db, { entityType, entityId: id });

  it('the desk answers the partner on the order: To the partner, Re: the subject, In-Reply-To the latest mail, delivered by SMTP', async () => {
    const w = worker();
    await drainAll(w);
    const order = await skylineOrder(ACME);
    const [receipt] = await threadOf(ACME, 'orders', order.id);
    expect(receipt, 'the order number mail opens the thread').toBeDefined();
    const slaOf = async () =>
      (await t.as(ACME).get(`/api/v1/orders/${order.id}`)).json<{
        sla: { acknowledgedAt?: string };
      }>().sla;
    expect((await slaOf()).acknowledgedAt).toBeUndefined();

    const res = await write('desk@skyline.example', 'orders', order.id, {
      text: '  It ships on Friday.\nTracking follows.  ',
      cc: ['logistics@skyline.example'],
    });
    expect(res.statusCode, res.body).toBe(201);
    const reply = res.json<ThreadMessage>();
    expect(reply).toMatchObject({
      direction: 'out',
      template: 'vendor_message',
      to: [ACME],
      cc: ['logistics@skyline.example'],
      subject: `Re: ${receipt!.subject}`,
      text: 'It ships on Friday.\nTracking follows.',
      status: 'queued',
      inReplyTo: receipt!.messageId,
    });
    expect(reply.from).toMatch(/^"[^"]+, Skyline[^"]*" <orders@skyline\.example>$/);
    expect(reply.messageId).toMatch(/^<[^<>@]+\.vendor@skyline\.orderdesk>$/);
    // The partner reads it on its thread; the order's timeline has the event.
    const thread = await threadOf(ACME, 'orders', order.id);
    expect(thread.at(-1)).toMatchObject({ id: reply.id, text: reply.text });
    const events = await listAuditEvents(t.store.db, 'order', order.id);
    const posted = events.find((e) => e.type === 'order.message_posted');
    expect(posted).toMatchObject({ actor_label: 'desk@skyline.example' });
    expect(JSON.parse(posted!.data!)).toMatchObject({ messageId: reply.messageId, to: [ACME] });
    expect(reply.eventId).toBe(posted!.id);
    // The vendor's written answer acknowledges the order (the SLA's first stage).
    expect((await slaOf()).acknowledgedAt).toBe(reply.at);

    const before = sink.received.length;
    await drainAll(w);
    await w.stop();
    const mail = sink.received
      .slice(before)
      .find((m) => m.headers['message-id'] === reply.messageId);
    expect(mail, 'the reply reached the SMTP server').toBeDefined();
    expect(mail!.headers.to).toBe(ACME);
    expect(mail!.rcptTo.sort()).toEqual([ACME, 'logistics@skyline.example'].sort());
    expect(mail!.headers.subject).toBe(`Re: ${receipt!.subject}`);
    expect(mail!.headers['in-reply-to']).toBe(receipt!.messageId);
    expect(mail!.headers.references?.split(/\s+/)).toEqual([receipt!.messageId]);
    expect(mail!.headers.from).toContain('<orders@skyline.example>');
    expect(mail!.text).toContain('It ships on Friday.');
    const sent = (await threadOf(ACME, 'orders', order.id)).find((m) => m.id === reply.id);
    expect(sent?.status).toBe('sent');
  });

  it("the partner writes to the vendor's order desk, copied itself; the desk's answer goes back to it", async () => {
    const w = worker();
    await drainAll(w);
    const order = await skylineOrder(ACME);
    const question = await write(ACME, 'orders', order.id, { text: 'When will it ship?' });
    expect(question.statusCode, question.body).toBe(201);
    const asked = question.json<ThreadMessage>();
    expect(asked).toMatchObject({
      template: 'partner_message',
      to: ['orders@skyline.example'],
      cc: [ACME],
      subject: expect.stringMatching(/^Re: .*\d/),
    });
    expect(asked.from).toMatch(/^"[^"]+, Acme Distribution" <orders@skyline\.example>$/);
    // Its own message is on the partner's thread.
    expect((await threadOf(ACME, 'orders', order.id)).map((m) => m.id)).toContain(asked.id);
    const [row] = (await stored('order', order.id)).filter((m) => m.id === asked.id);
    expect(row!.reply_to).toBe(ACME);

    const answer = await write('desk@skyline.example', 'orders', order.id, { text: 'Friday.' });
    expect(answer.statusCode, answer.body).toBe(201);
    expect(answer.json()).toMatchObject({
      to: [ACME],
      inReplyTo: asked.messageId,
      subject: asked.subject,
    });

    const before = sink.received.length;
    await drainAll(w);
    await w.stop();
    const mail = sink.received
      .slice(before)
      .find((m) => m.headers['message-id'] === asked.messageId);
    expect(mail, "the partner's message reached the SMTP server").toBeDefined();
    expect(mail!.headers.to).toBe('orders@skyline.example');
    expect(mail!.headers['reply-to']).toBe(ACME);
    expect(mail!.rcptTo.sort()).toEqual([ACME, 'orders@skyline.example'].sort());
    expect(mail!.text).toContain('When will it ship?');
  });

  it('without SMTP_URL the message stays on its thread as not_sent', async () => {
    const order = await skylineOrder(ACME);
    const res = await write('desk@skyline.example', 'orders', order.id, { text: 'Noted.' });
    expect(res.statusCode, res.body).toBe(201);
    const w = worker(null);
    const before = sink.received.length;
    await drainAll(w);
    await w.stop();
    expect(sink.received.length).toBe(before);
    const kept = (await threadOf(ACME, 'orders', order.id)).find((m) => m.id === res.json().id);
    expect(kept).toMatchObject({ status: 'not_sent', text: 'Noted.' });
  });

  it("never answers, refers to or shows the vendor's internal sales-order mail to the partner", async () => {
    const placed = await edgeworksOrder(ACME);
    const approved = await act(t, 'desk@edgeworks.example', placed, 'approve', 'booking');
    await act(t, 'finance@edgeworks.example', approved, 'book', 'provisioning');
    const all = await stored('order', placed.id);
    const internal = all.find((m) => m.template === 'sales_order_created');
    expect(internal, 'the booking mail went to finance').toBeDefined();
    expect(internal!.message_id).toContain('.so@');
    expect(JSON.parse(internal!.to_addrs)).toEqual(['finance@edgeworks.example']);
    const receipt = all.find((m) => m.template === 'order_receipt');
    expect(receipt).toBeDefined();
    // The partner's thread shows the receipt, not the internal mail.
    const seen = await threadOf(ACME, 'orders', placed.id);
    expect(seen.map((m) => m.messageId)).not.toContain(internal!.message_id);

    // The partner's message answers what it sees, on the order's own thread, never the
    // sales-order thread it cannot see.
    const asked = await write(ACME, 'orders', placed.id, { text: 'Any news?' });
    expect(asked.statusCode, asked.body).toBe(201);
    const question = asked.json<ThreadMessage>();
    expect(question.inReplyTo).toBe(receipt!.message_id);
    expect(question.messageId).not.toContain('.so@');
    expect(question.to).toEqual(['orders@edgeworks.example']);
    expect(asked.body).not.toContain(internal!.message_id);
    expect(asked.body).not.toContain(internal!.subject);
    // The desk's answer to the partner does not thread onto the internal mail either.
    const answered = await write('desk@edgeworks.example', 'orders', placed.id, {
      text: 'Booked; provisioning next.',
    });
    expect(answered.statusCode, answered.body).toBe(201);
    expect(answered.json()).toMatchObject({ inReplyTo: question.messageId, to: [ACME] });
    for (const m of (await stored('order', placed.id)).filter((r) =>
      r.template?.endsWith('_message'),
    )) {
      const references = JSON.parse(m.references_ids ?? '[]') as string[];
      expect(references, m.text).not.toContain(internal!.message_id);
      expect(m.in_reply_to).not.toBe(internal!.message_id);
    }
  });

  it('threads on the quote: the partner writes to the CAM, never answering the request mail to the CAM; sales answer the partner', async () => {
    const customerId = await firstCustomerId(t, ACME);
    const requested = await t
      .as(ACME)
      .post('/api/v1/quote-requests', { vendor: 'northwind', customerId, orderType: 'new' });
    expect(requested.statusCode, requested.body).toBe(201);
    const [product] = await findProducts(t, ACME, 'northwind', { count: 1 });
    const sales = t.as('sales@northwind.example');
    const created = await sales.post('/api/v1/quotes', {
      partnerId: await partnerIdOf(t, ACME),
      customerId,
      orderType: 'new',
      lines: [{ partNumber: product!.partNumber, quantity: 5 }],
      quoteRequestId: requested.json().id,
    });
    expect(created.statusCode, created.body).toBe(201);
    const quoteId = created.json<{ id: string }>().id;
    // A draft: the partner has not been shown it (409 to its staff, 404 to the partner).
    const early = await write('sales@northwind.example', 'quotes', quoteId, { text: 'Soon.' });
    expect(early.statusCode, early.body).toBe(409);
    expect((await write(ACME, 'quotes', quoteId, { text: 'Hello?' })).statusCode).toBe(404);
    const approved = await sales.post(`/api/v1/quotes/${quoteId}/actions/approve`, {});
    expect(approved.statusCode, approved.body).toBe(200);

    const vendorView = await threadOf('sales@northwind.example', 'quotes', quoteId);
    const toCam = vendorView.find((m) => m.to.includes('cam@northwind.example'));
    expect(toCam, 'the request mail to the CAM').toBeDefined();
    const partnerView = await threadOf(ACME, 'quotes', quoteId);
    expect(partnerView.map((m) => m.id)).not.toContain(toCam!.id);
    const issued = partnerView.at(-1)!;

    const asked = await write(ACME, 'quotes', quoteId, { text: 'Can we have 6 seats?' });
    expect(asked.statusCode, asked.body).toBe(201);
    expect(asked.json()).toMatchObject({
      to: ['cam@northwind.example'],
      cc: [ACME],
      inReplyTo: issued.messageId,
      subject: `Re: ${issued.subject.replace(/^Re: /, '')}`,
    });
    expect(asked.body).not.toContain(toCam!.messageId);
    // Nor does its References header name the request mail to the CAM.
    const [askedRow] = (await stored('quote', quoteId)).filter((m) => m.id === asked.json().id);
    expect(JSON.parse(askedRow!.references_ids ?? '[]')).toEqual([issued.messageId]);
    const answered = await write('sales@northwind.example', 'quotes', quoteId, {
      text: 'A revision follows.',
    });
    expect(answered.statusCode, answered.body).toBe(201);
    expect(answered.json()).toMatchObject({ to: [ACME], inReplyTo: asked.json().messageId });
    const events = await listAuditEvents(t.store.db, 'quote', quoteId);
    expect(events.filter((e) => e.type === 'quote.message_posted')).toHaveLength(2);
  });

  it("walls off another tenant's threads (404) and lets a distributor only read its reseller's", async () => {
    const acme = {
      user: ACME,
      ids: { orderId: (await edgeworksOrder(ACME)).id, quoteId: await edgeworksQuote(ACME) },
    };
    const contoso = {
      user: CONTOSO,
      ids: { orderId: (await edgeworksOrder(CONTOSO)).id, quoteId: await edgeworksQuote(CONTOSO) },
    };
    await expectIsolated(t, PARTNER_ISOLATION.messages!, acme, contoso);

    const vendorOwned = {
      edgeworks: {
        user: 'desk@edgeworks.example',
        ids: { orderId: (await edgeworksOrder(ACME)).id, quoteId: await edgeworksQuote(ACME) },
      },
      skyline: {
        user: 'desk@skyline.example',
        ids: {
          orderId: (await skylineOrder(ACME)).id,
          quoteId: await storedQuote(t, 'skyline', 'sales@skyline.example', {
            partnerId: await partnerIdOf(t, ACME),
            customerId: await firstCustomerId(t, ACME),
            lines: [
              {
                partNumber: (await findProducts(t, ACME, 'skyline', { count: 1 }))[0]!.partNumber,
                quantity: 1,
              },
            ],
          }),
        },
      },
    };
    await expectIsolated(t, VENDOR_ISOLATION.messages!, vendorOwned.edgeworks, vendorOwned.skyline);

    // Beta (tier 2 under Acme) placed the order: it writes; Acme reads but may not write (403).
    const beta = await skylineOrder(BETA);
    const refused = await write(ACME, 'orders', beta.id, { text: 'About your order' });
    expect(refused.statusCode, refused.body).toBe(403);
    expect((await threadOf(ACME, 'orders', beta.id)).length).toBeGreaterThan(0);
    const own = await write(BETA, 'orders', beta.id, { text: 'About my order' });
    expect(own.statusCode, own.body).toBe(201);
    expect(own.json<ThreadMessage>().cc).toEqual([BETA]);
    expect(
      (await stored('order', beta.id)).filter((m) => m.template === 'partner_message'),
    ).toHaveLength(1);
  });

  it('replays a keyed message, refuses the key with another body (409), and sends it once', async () => {
    const order = await skylineOrder(ACME);
    const key = { 'idempotency-key': `thread-${dialect}` };
    const url = `/api/v1/orders/${order.id}/messages`;
    const first = await t.as(ACME).post(url, { text: 'Once only' }, key);
    expect(first.statusCode, first.body).toBe(201);
    const again = await t.as(ACME).post(url, { text: 'Once only' }, key);
    expect(again.statusCode).toBe(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toBe(first.body);
    const other = await t.as(ACME).post(url, { text: 'Something else' }, key);
    expect(other.statusCode, other.body).toBe(409);
    const mine = (await stored('order', order.id)).filter((m) => m.template === 'partner_message');
    expect(mine).toHaveLength(1);
    const events = await listAuditEvents(t.store.db, 'order', order.id);
    expect(events.filter((e) => e.type === 'order.message_posted')).toHaveLength(1);
  });

  it('names the field of a bad body (400), and writes nothing', async () => {
    const order = await skylineOrder(ACME);
    const cases: [unknown, string, string][] = [
      [{}, 'text', 'required'],
      [{ text: '' }, 'text', 'invalid'],
      [{ text: '   \n ' }, 'text', 'invalid'],
      [{ text: 'x'.repeat(10_001) }, 'text', 'invalid'],
      [{ text: 42 }, 'text', 'invalid'],
      [{ text: 'Hi', cc: ['not-an-address'] }, 'cc[0]', 'invalid'],
      [{ text: 'Hi', cc: 'a@b.example' }, 'cc', 'invalid'],
      [{ text: 'Hi', to: ['x@y.example'] }, 'to', 'invalid'],
    ];
    for (const [body, path, code] of cases) {
      const res = await write('desk@skyline.example', 'orders', order.id, body);
      expect(res.statusCode, `${JSON.stringify(body).slice(0, 80)}: ${res.body}`).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors).toContainEqual(expect.objectContaining({ path, code }));
    }
    const tooMany = Array.from({ length: 11 }, (_, i) => `cc${i}@example.com`);
    const res = await write(ACME, 'quotes', 'qt_unknown', { text: 'Hi', cc: tooMany });
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toContainEqual(expect.objectContaining({ path: 'cc' }));
    expect(
      (await stored('order', order.id)).filter((m) => m.template?.endsWith('_message')),
    ).toEqual([]);
  });

  it('needs the CSRF header on a cookie-authenticated write', async () => {
    const order = await skylineOrder(ACME);
    const login = await t
      .as(null)
      .post('/api/v1/session', { email: 'desk@skyline.example', password: DEMO_PASSWORD });
    expect(login.statusCode, login.body).toBe(200);
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const url = `/api/v1/orders/${order.id}/messages`;
    const payload = { text: 'From the browser' };
    const bare = await t.app.inject({ method: 'POST', url, headers: { cookie }, payload });
    expect(bare.statusCode, bare.body).toBe(403);
    const withToken = await t.app.inject({
      method: 'POST',
      url,
      headers: { cookie, 'x-csrf-token': login.json().csrfToken },
      payload,
    });
    expect(withToken.statusCode, withToken.body).toBe(201);
  });

  it('documents the routes in the OpenAPI document, with Idempotency-Key', async () => {
    const doc = (await t.as(null).get('/api/v1/openapi.json')).json<{
      paths: Record<string, Record<string, { parameters?: { name: string }[] }>>;
    }>();
    for (const path of ['/api/v1/orders/{id}/messages', '/api/v1/quotes/{id}/messages']) {
      const post = doc.paths[path]?.post;
      expect(post, path).toBeDefined();
      expect(post!.parameters?.map((p) => p.name)).toContain('Idempotency-Key');
    }
  });
});
