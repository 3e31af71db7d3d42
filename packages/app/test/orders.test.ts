// The order and quote use cases called directly — no Fastify, no HTTP types — on both
// databases: what the CLI, the worker and the intake channels get.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findUserByEmail,
  listAuditEvents,
  listOutboxFor,
  newId,
  findCurrentProfileSource,
  findPricesInForce,
  findVendorBySlug,
  type Store,
} from '@orderdesk/store';
import { createTestStore, testDialects } from '@orderdesk/store/testing';
import {
  AppError,
  DEFAULT_APP_SETTINGS,
  LoginThrottle,
  SettableClock,
  actOnOrder,
  actOnQuote,
  actorFromUser,
  createQuote,
  getOrder,
  listOrderMessages,
  listQuoteMessages,
  publishProfile,
  seedDemo,
  submitOrder,
  validateSubmission,
  type Actor,
  type AppContext,
} from '@orderdesk/app';

/** The error a use case ends with. */
async function failure(work: Promise<unknown>): Promise<AppError> {
  try {
    await work;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected the use case to fail');
}

/** The whole of a short list: one page of the largest size. */
const WHOLE = { limit: 500 };

describe.each(testDialects())('order use cases on %s', (dialect) => {
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
  let customerId: string;
  let acmeId: string;
  let kit: { partNumber: string; netPrice: string };

  beforeAll(async () => {
    store = await createTestStore(dialect);
    // A Monday morning in the vendor's time zone, frozen: due dates are exact.
    clock.set(new Date('2027-03-01T15:00:00Z'), { freeze: true });
    await store.db.transaction().execute((tx) => seedDemo(tx, 'demo', clock.now()));
    ctx = {
      store,
      clock,
      config: DEFAULT_APP_SETTINGS,
      loginThrottle: new LoginThrottle(60_000),
      now: () => clock.now(),
    };
    const buyer = await as('buyer@contoso.example');
    acmeId = (await as('buyer@acme.example')).partnerId!;
    const customer = await store.db
      .selectFrom('customers')
      .select('id')
      .where('partner_id', '=', buyer.partnerId!)
      .executeTakeFirstOrThrow();
    customerId = customer.id;
    const vendor = await findVendorBySlug(store.db, 'edgeworks');
    const [price] = await findPricesInForce(store.db, {
      vendorId: vendor!.id,
      partNumbers: ['EW-KIT-RENEW-250'],
      on: '2027-03-01',
    });
    // Contoso's multiplier with edgeworks (demo data): the net price is list × multiplier.
    const partnership = await store.db
      .selectFrom('partnerships')
      .select('multiplier')
      .where('vendor_id', '=', vendor!.id)
      .where('partner_id', '=', buyer.partnerId!)
      .executeTakeFirstOrThrow();
    const net = Math.round((price!.listPriceMinor! * Number(partnership.multiplier) * 100) / 100);
    kit = { partNumber: price!.partNumber, netPrice: (net / 100).toFixed(2) };
  });
  afterAll(async () => {
    await store.close();
  });

  const submission = (po: string, extra: Record<string, unknown> = {}) => ({
    vendor: 'edgeworks',
    type: 'kits_renewal',
    customerId,
    purchaseOrder: { number: po, date: '2027-03-01', currency: 'USD', total: kit.netPrice },
    lines: [{ partNumber: kit.partNumber, quantity: 1, unitPrice: kit.netPrice }],
    ...extra,
  });

  it('submits, records one event per change, and moves through the workflow', async () => {
    const buyer = await as('buyer@contoso.example');
    const checked = await validateSubmission(ctx, buyer, submission('APP-1'));
    expect(checked.problems).toEqual([]);
    const order = await submitOrder(ctx, buyer, submission('APP-1'));
    expect(order).toMatchObject({ status: 'submitted', version: 1, profileVersion: 1 });
    // The answer is the order as it is read back.
    expect(JSON.parse(JSON.stringify(order))).toEqual(
      JSON.parse(JSON.stringify(await getOrder(ctx, buyer, order.id))),
    );
    expect(order.purchaseOrder?.number).toBe('APP-1');
    // Edgeworks acknowledges within 24 business hours: due dates come from the app's clock.
    expect(order.sla.acknowledgeBy).not.toBeNull();
    expect(Date.parse(order.sla.acknowledgeBy!)).toBeGreaterThan(clock.now().getTime());

    // A partner cannot approve (the machine checks the side): forbidden, nothing changes.
    const refused = await failure(
      actOnOrder(ctx, buyer, { orderId: order.id, action: 'approve', body: {} }),
    );
    expect(refused.kind).toBe('forbidden');
    // A stale version is a conflict naming both versions.
    const desk = await as('desk@edgeworks.example');
    const stale = await failure(
      actOnOrder(ctx, desk, { orderId: order.id, action: 'approve', body: {}, expectedVersion: 7 }),
    );
    expect(stale.kind).toBe('conflict');
    expect(stale.problems).toEqual([
      expect.objectContaining({ path: 'headers.if-match', expected: '1', actual: '7' }),
    ]);

    clock.advance(60 * 60_000);
    const approved = await actOnOrder(ctx, desk, {
      orderId: order.id,
      action: 'approve',
      body: {},
      expectedVersion: 1,
    });
    expect(approved).toMatchObject({ status: 'booking', version: 2 });
    const events = await listAuditEvents(store.db, 'order', order.id);
    expect(events.map((e) => [e.type, e.actor_label, e.at])).toEqual([
      ['order.submitted', 'buyer@contoso.example', '2027-03-01T15:00:00.000Z'],
      ['order.approved', 'desk@edgeworks.example', '2027-03-01T16:00:00.000Z'],
    ]);
    // Another tenant's partner does not see it.
    const other = await failure(getOrder(ctx, await as('buyer@acme.example'), order.id));
    expect(other.kind).toBe('not_found');
  });

  it('refuses an invalid submission with every problem and writes nothing', async () => {
    const buyer = await as('buyer@contoso.example');
    const before = await store.db.selectFrom('orders').select('id').execute();
    const error = await failure(
      submitOrder(
        ctx,
        buyer,
        submission('APP-2', {
          lines: [
            { partNumber: 'NOPE-1', quantity: 1, unitPrice: '1.00' },
            { partNumber: kit.partNumber, quantity: 1, unitPrice: '0.01' },
          ],
        }),
      ),
    );
    expect(error.kind).toBe('unprocessable');
    expect(error.problems?.map((p) => [p.path, p.code])).toEqual(
      expect.arrayContaining([
        ['lines[0].partNumber', 'part_number.unknown'],
        ['lines[1].unitPrice', 'price.mismatch'],
      ]),
    );
    expect(await store.db.selectFrom('orders').select('id').execute()).toHaveLength(before.length);
  });

  /** The problem codes a submission ends with ([] when it was recorded). */
  const submittedProblems = async (actor: Actor, body: Parameters<typeof submitOrder>[2]) => {
    try {
      await submitOrder(ctx, actor, body);
      return [];
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      return (error.problems ?? []).map((p) => `${p.path} ${p.code}`);
    }
  };

  it('submits against the profile as it is now, not as this process last saw it', async () => {
    // Inside a PostgreSQL transaction the context's reads go with the parties' own, made for
    // the parties this process resolved last (resolveOrderContext): a profile version
    // published in between must not be judged by the old one's reads. With no PO the prices
    // are in the profile's currency: USD, then EUR (no EUR price list), then USD again.
    const buyer = await as('buyer@contoso.example');
    const admin = await as('admin@edgeworks.example');
    const vendor = await findVendorBySlug(store.db, 'edgeworks');
    const v1 = await findCurrentProfileSource(store.db, vendor!.id);
    expect(v1?.source).toMatch(/^currency: USD$/m);
    const { purchaseOrder: _po, ...withoutPo } = submission('APP-STALE');
    const unknownPart = 'lines[0].partNumber part_number.unknown';
    const publish = (source: string) =>
      publishProfile(ctx, admin, { slug: 'edgeworks', source, format: 'yaml' });

    expect(await submittedProblems(buyer, withoutPo)).not.toContain(unknownPart);
    expect((await validateSubmission(ctx, buyer, withoutPo)).pricing.currency).toBe('USD');
    await publish(v1!.source.replace(/^currency: USD$/m, 'currency: EUR'));
    try {
      expect(await submittedProblems(buyer, withoutPo)).toContain(unknownPart);
      expect((await validateSubmission(ctx, buyer, withoutPo)).pricing.currency).toBe('EUR');
    } finally {
      await publish(`${v1!.source}\n`);
    }
    expect(await submittedProblems(buyer, withoutPo)).not.toContain(unknownPart);
  });

  it("places an order on a partner's behalf for the order desk, as that partner", async () => {
    const desk = await as('desk@edgeworks.example');
    const buyer = await as('buyer@contoso.example');
    const missing = await failure(submitOrder(ctx, desk, submission('APP-3')));
    expect(missing.problems).toEqual([expect.objectContaining({ path: 'partnerId' })]);
    const order = await submitOrder(ctx, desk, {
      ...submission('APP-3'),
      partnerId: buyer.partnerId!,
    });
    expect(order).toMatchObject({
      channel: 'email',
      partnerId: buyer.partnerId,
      status: 'submitted',
    });
    // The same checks apply: the same PO number again is a duplicate.
    const again = await failure(
      submitOrder(ctx, desk, { ...submission('APP-3'), partnerId: buyer.partnerId! }),
    );
    expect(again.problems).toContainEqual(expect.objectContaining({ code: 'po.duplicate' }));
    // Finance may not place orders; and a partner of no partnership with the vendor is refused.
    expect(
      (await failure(submitOrder(ctx, await as('finance@edgeworks.example'), submission('APP-4'))))
        .kind,
    ).toBe('forbidden');
  });

  it('holds with problems on the thread, in the profile’s words and the partner’s inbox', async () => {
    const buyer = await as('buyer@contoso.example');
    const desk = await as('desk@edgeworks.example');
    const order = await submitOrder(ctx, buyer, submission('APP-5'));
    await actOnOrder(ctx, desk, {
      orderId: order.id,
      action: 'hold',
      body: {
        reason: 'PO unsigned',
        problems: [{ path: 'purchaseOrder', code: 'invalid', message: 'Send the signed PO' }],
      },
    });
    const thread = (await listOrderMessages(ctx, buyer, order.id, WHOLE)).items;
    expect(thread).toContainEqual(
      expect.objectContaining({
        direction: 'out',
        to: ['buyer@contoso.example'],
        status: 'queued',
        text: expect.stringContaining('Send the signed PO'),
      }),
    );
    const held = thread.find((m) => m.template === 'order.held')!;
    // One outbox row per message, pointing at it; the thread threads (In-Reply-To).
    const queued = await listOutboxFor(store.db, 'order', order.id);
    expect(queued.map((q) => (JSON.parse(q.payload) as { messageId: string }).messageId)).toContain(
      held.id,
    );
    expect(held.messageId).toMatch(/^<.+@edgeworks\.orderdesk>$/);
    // The next mail of the thread answers the last one, so mail clients keep them together.
    await actOnOrder(ctx, desk, {
      orderId: order.id,
      action: 'reject',
      body: { reason: 'No signed PO after a week' },
    });
    const after = (await listOrderMessages(ctx, buyer, order.id, WHOLE)).items;
    const rejected = after.find((m) => m.template === 'order.rejected')!;
    expect(rejected.inReplyTo).toBe(after[after.indexOf(rejected) - 1]!.messageId);
  });

  it('approves a quote through the machine, with If-Match on its version, and threads its mails', async () => {
    const sales = await as('sales@northwind.example');
    const acme = await as('buyer@acme.example');
    const fabrikam = await store.db
      .selectFrom('customers')
      .select('id')
      .where('partner_id', '=', acmeId)
      .executeTakeFirstOrThrow();
    const northwind = await findVendorBySlug(store.db, 'northwind');
    const [product] = await store.db
      .selectFrom('products')
      .select('part_number')
      .where('vendor_id', '=', northwind!.id)
      .where('type', '=', 'subscription')
      .limit(1)
      .execute();
    const quote = await createQuote(ctx, sales, {
      partnerId: acmeId,
      customerId: fabrikam.id,
      orderType: 'new',
      lines: [{ partNumber: product!.part_number, quantity: 3 }],
    });
    expect(quote).toMatchObject({ revision: 1, version: 1, status: 'draft' });
    // The partner cannot approve its own quote; a stale version is refused.
    expect(
      (await failure(actOnQuote(ctx, acme, { quoteId: quote.id, action: 'approve', body: {} })))
        .kind,
    ).toBe('not_found'); // drafts are not shown to partners
    expect(
      (
        await failure(
          actOnQuote(ctx, sales, {
            quoteId: quote.id,
            action: 'approve',
            body: {},
            expectedVersion: 2,
          }),
        )
      ).kind,
    ).toBe('conflict');
    const approved = await actOnQuote(ctx, sales, {
      quoteId: quote.id,
      action: 'approve',
      body: {},
      expectedVersion: 1,
    });
    expect(approved).toMatchObject({ status: 'approved', revision: 1, version: 2 });
    // northwind's profile mails an approved quote to the partner: on the quote's thread.
    const thread = (await listQuoteMessages(ctx, acme, quote.id, WHOLE)).items;
    expect(thread).toEqual([
      expect.objectContaining({ template: 'quote.approved', to: ['buyer@acme.example'] }),
    ]);
    const events = await listAuditEvents(store.db, 'quote', quote.id);
    expect(events.map((e) => e.type)).toEqual(['quote.created', 'quote.approved']);
  });
  it('submits against the partnership as it is now, after it was ended and made again', async () => {
    // The reads ahead are made for the partnership id this process resolved last; a new
    // partnership row (same vendor and partner, new id, a partnership-wide multiplier of 0.5)
    // must be judged by its own multipliers: the old net price no longer matches.
    const buyer = await as('buyer@contoso.example');
    expect(await submittedProblems(buyer, submission('APP-PS-1'))).toEqual([]);
    const vendor = await findVendorBySlug(store.db, 'edgeworks');
    const at = clock.now().toISOString();
    const remade = newId('ps');
    await store.db.transaction().execute(async (tx) => {
      const old = await tx
        .selectFrom('partnerships')
        .selectAll()
        .where('vendor_id', '=', vendor!.id)
        .where('partner_id', '=', buyer.partnerId!)
        .executeTakeFirstOrThrow();
      await tx.deleteFrom('partnership_multipliers').where('partnership_id', '=', old.id).execute();
      await tx.deleteFrom('partnerships').where('id', '=', old.id).execute();
      await tx
        .insertInto('partnerships')
        .values({ ...old, id: remade })
        .execute();
      await tx
        .insertInto('partnership_multipliers')
        .values({
          id: newId('pm'),
          partnership_id: remade,
          category_id: null,
          multiplier: '0.5',
          effective_from: '2000-01-01',
          effective_to: null,
          created_by: 'orders.test',
          created_at: at,
          updated_at: at,
        })
        .execute();
    });
    expect(await submittedProblems(buyer, submission('APP-PS-2'))).toContain(
      'lines[0].unitPrice price.mismatch',
    );
  });
});
