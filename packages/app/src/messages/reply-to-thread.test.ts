// Writing on an order's thread, the use case without HTTP, on both databases: whom it mails,
// how it answers the thread, the outbox row and the timeline event written with it, and the
// refusals (another tenant, a distributor on its reseller's order, a bad body) that write nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findPricesInForce,
  findUserByEmail,
  findVendorBySlug,
  listAuditEvents,
  listMessages,
  listOutboxFor,
  type Store,
} from '@orderdesk/store';
import { createTestStore, testDialects } from '@orderdesk/store/testing';
import { actorFromUser } from '../session/actor-resolution.ts';
import type { Actor } from '../auth/actor.ts';
import { DEFAULT_APP_SETTINGS, type AppContext } from '../context.ts';
import { submitOrder } from '../orders/submit-order.ts';
import { seedDemo } from '../seed/demo-seed.ts';
import { SettableClock } from '../shared/clock.ts';
import { AppError } from '../shared/errors.ts';
import { LoginThrottle } from '../session/login-throttle.ts';
import { replyToOrderThread } from './reply-to-thread.ts';
import type { ThreadMessageBody } from './thread-message.schemas.ts';

async function failure(work: Promise<unknown>): Promise<AppError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the use case to fail');
}

describe.each(testDialects())('replyToOrderThread on %s', (dialect) => {
  let store: Store;
  let ctx: AppContext;
  const clock = new SettableClock();
  const actors = new Map<string, Actor>();
  const as = async (email: string): Promise<Actor> => {
    let actor = actors.get(email);
    if (!actor) {
      const user = await findUserByEmail(store.db, email);
      if (!user) throw new Error(`no user ${email}`);
      actor = await actorFromUser(store.db, user, 'token');
      actors.set(email, actor);
    }
    return actor;
  };
  let orderId: string;

  beforeAll(async () => {
    store = await createTestStore(dialect);
    clock.set(new Date('2027-03-01T15:00:00Z'), { freeze: true });
    await store.db.transaction().execute((tx) => seedDemo(tx, 'demo', clock.now()));
    ctx = {
      store,
      clock,
      config: DEFAULT_APP_SETTINGS,
      loginThrottle: new LoginThrottle(60_000),
      now: () => clock.now(),
    };
    // Contoso's edgeworks kit renewal at its net price (list × its multiplier).
    const buyer = await as('buyer@contoso.example');
    const customer = await store.db
      .selectFrom('customers')
      .select('id')
      .where('partner_id', '=', buyer.partnerId!)
      .executeTakeFirstOrThrow();
    const vendor = await findVendorBySlug(store.db, 'edgeworks');
    const [price] = await findPricesInForce(store.db, {
      vendorId: vendor!.id,
      partNumbers: ['EW-KIT-RENEW-250'],
      on: '2027-03-01',
    });
    const partnership = await store.db
      .selectFrom('partnerships')
      .select('multiplier')
      .where('vendor_id', '=', vendor!.id)
      .where('partner_id', '=', buyer.partnerId!)
      .executeTakeFirstOrThrow();
    const net = Math.round((price!.listPriceMinor! * Number(partnership.multiplier) * 100) / 100);
    const unitPrice = (net / 100).toFixed(2);
    const order = await submitOrder(ctx, buyer, {
      vendor: 'edgeworks',
      type: 'kits_renewal',
      customerId: customer.id,
      purchaseOrder: { number: 'THREAD-1', date: '2027-03-01', currency: 'USD', total: unitPrice },
      lines: [{ partNumber: price!.partNumber, quantity: 1, unitPrice }],
    });
    orderId = order.id;
  });
  afterAll(async () => {
    await store?.close();
  });

  const thread = () => listMessages(store.db, { entityType: 'order', entityId: orderId });

  it("mails the desk's answer to the partner who placed the order, threaded on its receipt", async () => {
    const [receipt] = await thread();
    expect(receipt?.template).toBe('order_receipt');
    clock.advance(60_000);
    const reply = await replyToOrderThread(ctx, await as('desk@edgeworks.example'), {
      orderId,
      body: { text: ' The kits ship tomorrow. ' },
    });
    expect(reply).toMatchObject({
      direction: 'out',
      template: 'vendor_message',
      to: ['buyer@contoso.example'],
      cc: [],
      subject: `Re: ${receipt!.subject}`,
      text: 'The kits ship tomorrow.',
      status: 'queued',
      inReplyTo: receipt!.message_id,
      at: '2027-03-01T15:01:00.000Z',
    });
    const outbox = await listOutboxFor(store.db, 'order', orderId);
    expect(outbox.map((r) => JSON.parse(r.payload) as { messageId: string })).toContainEqual({
      messageId: reply.id,
    });
    const events = await listAuditEvents(store.db, 'order', orderId);
    expect(events.at(-1)).toMatchObject({
      type: 'order.message_posted',
      actor_label: 'desk@edgeworks.example',
      at: '2027-03-01T15:01:00.000Z',
    });
  });

  it("mails the partner's message to the vendor's orders mailbox, with the writer's copy", async () => {
    const before = await thread();
    const message = await replyToOrderThread(ctx, await as('buyer@contoso.example'), {
      orderId,
      body: { text: 'Thanks!', cc: ['ap@contoso.example', 'BUYER@contoso.example'] },
    });
    expect(message).toMatchObject({
      template: 'partner_message',
      to: ['orders@edgeworks.example'],
      cc: ['buyer@contoso.example', 'ap@contoso.example'],
      inReplyTo: before.at(-1)!.message_id,
    });
    const [row] = (await thread()).filter((m) => m.id === message.id);
    expect(JSON.parse(row!.references_ids!)).toEqual(before.map((m) => m.message_id));
  });

  it('refuses another partner and another vendor (not found) and a bad body, writing nothing', async () => {
    const before = (await thread()).length;
    const stranger = await failure(
      replyToOrderThread(ctx, await as('buyer@acme.example'), {
        orderId,
        body: { text: 'Hi' },
      }),
    );
    expect(stranger.kind).toBe('not_found');
    const otherVendor = await failure(
      replyToOrderThread(ctx, await as('desk@northwind.example'), {
        orderId,
        body: { text: 'Hi' },
      }),
    );
    expect(otherVendor.kind).toBe('not_found');
    const bad = await failure(
      replyToOrderThread(ctx, await as('desk@edgeworks.example'), {
        orderId,
        body: { text: '   ', cc: ['nope'] },
      }),
    );
    expect(bad.kind).toBe('invalid_input');
    expect(bad.problems).toEqual([
      expect.objectContaining({ path: 'text', code: 'invalid' }),
      expect.objectContaining({ path: 'cc[0]', code: 'invalid' }),
    ]);
    const missing = await failure(
      replyToOrderThread(ctx, await as('desk@edgeworks.example'), {
        orderId,
        body: {} as ThreadMessageBody,
      }),
    );
    expect(missing.problems).toEqual([expect.objectContaining({ path: 'text', code: 'required' })]);
    expect((await thread()).length).toBe(before);
  });
});
