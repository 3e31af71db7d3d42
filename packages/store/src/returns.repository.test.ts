// The facts a returns policy is judged on, on both databases: which mails on an order's thread
// count as the order "e-mailed" (seed 002: no credit for a software license once it was).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, testDialects } from '../test/databases.ts';
import { later, seedTenancy, type Tenancy } from '../test/fixtures.ts';
import type { Store } from './dialects.ts';
import { insertMessage, type MessageInput } from './messages.repository.ts';
import { orderMailedAt } from './returns.repository.ts';

const DELIVERY = ['order_delivery', 'fulfilment_receipt'] as const;

describe.each(testDialects())('returns repository on %s', (dialect) => {
  let store: Store;
  let t: Tenancy;
  beforeAll(async () => {
    store = await createTestStore(dialect);
    t = await seedTenancy(store.db, 'r');
  });
  afterAll(async () => {
    await store.close();
  });

  let n = 0;
  const message = (over: Partial<MessageInput>): MessageInput => ({
    vendorId: t.vendor.id,
    partnerId: t.acme.id,
    entityType: 'order',
    entityId: 'ord_none',
    direction: 'out',
    template: 'order_delivery',
    from: 'orders@vendor.example',
    to: ['buyer@acme.example'],
    subject: 'Order O-1 delivered',
    text: 'License keys:\n- K1',
    status: 'queued',
    messageId: `<returns-${++n}@vendor.example>`,
    at: later(1),
    ...over,
  });
  const mailedAt = (orderId: string) => orderMailedAt(store.db, { orderId, templates: DELIVERY });

  it('counts a delivery mail on the thread whatever became of it: queued, sent, failed or not_sent', async () => {
    for (const status of ['queued', 'sent', 'failed', 'not_sent'] as const) {
      const orderId = `ord_${status}`;
      await insertMessage(
        store.db,
        message({
          entityId: orderId,
          status,
          at: later(2),
          ...(status === 'sent' ? { sentAt: later(3) } : {}),
        }),
      );
      // Without SMTP (not_sent) or after the relay gave up (failed), the keys are still on the
      // thread the partner reads in the app: handed over all the same.
      expect(await mailedAt(orderId), status).toEqual({
        at: status === 'sent' ? later(3) : later(2),
        template: 'order_delivery',
      });
    }
  });

  it('takes the first delivery mail, and none of the thread’s other messages', async () => {
    const orderId = 'ord_mixed';
    // Not deliveries: the receipt at submission, a reply from the partner (even one quoting a
    // delivery template's name cannot come in as `out`), another order's and a quote's thread.
    await insertMessage(store.db, message({ entityId: orderId, template: 'order_receipt' }));
    await insertMessage(
      store.db,
      message({
        entityId: orderId,
        direction: 'in',
        template: 'order_delivery',
        status: 'received',
        from: 'buyer@acme.example',
        to: ['orders@vendor.example'],
      }),
    );
    await insertMessage(store.db, message({ entityId: 'ord_other', status: 'not_sent' }));
    await insertMessage(
      store.db,
      message({ entityType: 'quote', entityId: orderId, status: 'not_sent' }),
    );
    expect(await mailedAt(orderId)).toBeNull();
    expect(await orderMailedAt(store.db, { orderId, templates: [] })).toBeNull();

    await insertMessage(
      store.db,
      message({
        entityId: orderId,
        template: 'fulfilment_receipt',
        status: 'sent',
        sentAt: later(9),
      }),
    );
    await insertMessage(
      store.db,
      message({ entityId: orderId, template: 'order_delivery', status: 'not_sent', at: later(5) }),
    );
    expect(await mailedAt(orderId)).toEqual({ at: later(5), template: 'order_delivery' });
  });
});
