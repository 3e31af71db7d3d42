import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, testDialects } from '../test/databases.ts';
import { later, seedTenancy, type Tenancy } from '../test/fixtures.ts';
import type { Store } from './dialects.ts';
import { isUniqueViolation } from './executor.ts';
import {
  findMessageByMessageId,
  insertMessage,
  listMessages,
  updateMessageStatus,
  type MessageInput,
} from './messages.repository.ts';

describe.each(testDialects())('messages repository on %s', (dialect) => {
  let store: Store;
  let t: Tenancy;
  beforeAll(async () => {
    store = await createTestStore(dialect);
    t = await seedTenancy(store.db, 'm');
  });
  afterAll(async () => {
    await store.close();
  });

  const message = (over: Partial<MessageInput>): MessageInput => ({
    vendorId: t.vendor.id,
    partnerId: t.acme.id,
    entityType: 'order',
    entityId: 'ord_1',
    direction: 'out',
    template: 'order.submitted',
    from: 'orders@vendor.example',
    to: ['buyer@acme.example'],
    subject: 'Order O-1 received',
    text: 'Thank you',
    status: 'queued',
    messageId: `<${Math.random().toString(36).slice(2)}@vendor.example>`,
    at: later(1),
    ...over,
  });

  it('keeps a thread per entity, oldest first, with its addresses and attachments', async () => {
    // Written out of order: the thread follows the instants, not the insertion order.
    const answer = await insertMessage(
      store.db,
      message({
        direction: 'in',
        template: null,
        from: 'buyer@acme.example',
        to: ['orders@vendor.example'],
        cc: ['boss@acme.example'],
        status: 'received',
        messageId: '<answer-1@acme.example>',
        inReplyTo: '<first@vendor.example>',
        references: ['<first@vendor.example>'],
        attachments: [{ name: 'po.pdf', contentType: 'application/pdf', size: 1234 }],
        at: later(5),
      }),
    );
    const first = await insertMessage(
      store.db,
      message({ messageId: '<first@vendor.example>', eventId: 'evt_1', at: later(1) }),
    );
    await insertMessage(store.db, message({ entityType: 'quote', entityId: 'ord_1' }));
    const thread = await listMessages(store.db, { entityType: 'order', entityId: 'ord_1' });
    expect(thread.map((m) => m.id)).toEqual([first.id, answer.id]);
    expect(thread[1]).toMatchObject({
      direction: 'in',
      status: 'received',
      from_addr: 'buyer@acme.example',
      to_addrs: '["orders@vendor.example"]',
      cc_addrs: '["boss@acme.example"]',
      in_reply_to: '<first@vendor.example>',
      references_ids: '["<first@vendor.example>"]',
      created_at: later(5),
    });
    expect(JSON.parse(thread[1]?.attachments ?? '')).toEqual([
      { name: 'po.pdf', contentType: 'application/pdf', size: 1234 },
    ]);
    expect(thread[0]).toMatchObject({ cc_addrs: '[]', attachments: '[]', event_id: 'evt_1' });
    expect((await findMessageByMessageId(store.db, '<answer-1@acme.example>'))?.id).toBe(answer.id);
    await expect(
      insertMessage(store.db, message({ messageId: '<first@vendor.example>' })),
    ).rejects.toSatisfy(isUniqueViolation);
  });

  it('records a send, and a late failure cannot undo it', async () => {
    const m = await insertMessage(store.db, message({ entityId: 'ord_2' }));
    expect(
      await updateMessageStatus(store.db, m.id, {
        status: 'sent',
        at: later(9),
        from: ['queued', 'failed'],
      }),
    ).toBe(true);
    expect(
      await updateMessageStatus(store.db, m.id, {
        status: 'failed',
        at: later(10),
        from: ['queued'],
      }),
    ).toBe(false);
    const [read] = await listMessages(store.db, { entityType: 'order', entityId: 'ord_2' });
    expect(read).toMatchObject({ status: 'sent', sent_at: later(9) });
    // Without SMTP the message stays on its thread as not sent.
    const kept = await insertMessage(store.db, message({ entityId: 'ord_3', status: 'not_sent' }));
    expect(kept.sent_at).toBeNull();
  });

  it('keeps mail outside any vendor (a partner inviting its own user)', async () => {
    const m = await insertMessage(
      store.db,
      message({ vendorId: null, entityType: 'user', entityId: 'usr_1', template: 'user.invited' }),
    );
    expect(await listMessages(store.db, { entityType: 'user', entityId: 'usr_1' })).toEqual([m]);
  });
});
