import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, testDialects } from '../test/databases.ts';
import { later, seedTenancy, type Tenancy } from '../test/fixtures.ts';
import type { Store } from './dialects.ts';
import { isUniqueViolation } from './executor.ts';
import {
  decideIntakeItem,
  findInboundMail,
  findIntakeItemByMessageId,
  findIntakeItemInScope,
  findMailboxCheckpoint,
  hasInboundMail,
  insertInboundMail,
  insertIntakeItem,
  listIntakeItems,
  saveMailboxCheckpoint,
  type NewIntakeItem,
} from './intake.repository.ts';

describe.each(testDialects())('intake repository on %s', (dialect) => {
  let store: Store;
  let t: Tenancy;
  let other: Tenancy;
  beforeAll(async () => {
    store = await createTestStore(dialect);
    t = await seedTenancy(store.db, 'i');
    other = await seedTenancy(store.db, 'j');
  });
  afterAll(async () => {
    await store.close();
  });

  const item = (over: Partial<NewIntakeItem>): NewIntakeItem => ({
    vendor_id: t.vendor.id,
    partner_id: t.acme.id,
    channel: 'email',
    message_id: `<${Math.random().toString(36).slice(2)}@acme.example>`,
    inbound_mail_id: null,
    from_addr: 'buyer@acme.example',
    to_addrs: '[]',
    cc_addrs: '[]',
    subject: 'PO',
    body_text: '',
    received_at: later(1),
    status: 'new',
    reason: null,
    flags: '[]',
    extracted: '{}',
    draft: '{}',
    validation: '{}',
    attachments: '[]',
    order_id: null,
    decided_by: null,
    decided_at: null,
    created_at: later(1),
    updated_at: later(1),
    ...over,
  });

  it('moves a checkpoint forward only, and starts over on a new UIDVALIDITY', async () => {
    const mailbox = `orders@imap.example:143/INBOX-${dialect}`;
    expect(await findMailboxCheckpoint(store.db, mailbox)).toBeUndefined();
    await saveMailboxCheckpoint(store.db, { mailbox, uidValidity: 7, lastUid: 10, at: later(1) });
    await saveMailboxCheckpoint(store.db, { mailbox, uidValidity: 7, lastUid: 4, at: later(2) });
    expect(await findMailboxCheckpoint(store.db, mailbox)).toMatchObject({
      uid_validity: 7,
      last_uid: 10,
    });
    await saveMailboxCheckpoint(store.db, { mailbox, uidValidity: 8, lastUid: 2, at: later(3) });
    expect(await findMailboxCheckpoint(store.db, mailbox)).toMatchObject({
      uid_validity: 8,
      last_uid: 2,
    });
  });

  it('keeps raw mail bytes exactly, scoped to the vendor', async () => {
    const raw = new Uint8Array([0, 1, 2, 255, 13, 10, 0x25, 0x50]);
    const row = await insertInboundMail(store.db, {
      vendor_id: t.vendor.id,
      mailbox: 'm',
      uid_validity: 1,
      uid: 3,
      message_id: '<raw@acme.example>',
      size: raw.length,
      raw,
      truncated: 0,
      outcome: 'intake',
      entity_type: null,
      entity_id: null,
      received_at: later(1),
      created_at: later(1),
    });
    const back = await findInboundMail(store.db, row.id, { vendorId: t.vendor.id });
    expect([...new Uint8Array(back!.raw)]).toEqual([...raw]);
    expect(await findInboundMail(store.db, row.id, { vendorId: other.vendor.id })).toBeUndefined();
    expect(await hasInboundMail(store.db, t.vendor.id, '<raw@acme.example>')).toBe(true);
    expect(await hasInboundMail(store.db, other.vendor.id, '<raw@acme.example>')).toBe(false);
    expect(await hasInboundMail(store.db, null, '<raw@acme.example>')).toBe(false);
  });

  it('has one item per vendor and Message-ID, lists and decides within the vendor', async () => {
    const first = await insertIntakeItem(store.db, item({ message_id: '<same@acme.example>' }));
    const error = await insertIntakeItem(
      store.db,
      item({ message_id: '<same@acme.example>' }),
    ).then(
      () => null,
      (e: unknown) => e,
    );
    expect(isUniqueViolation(error)).toBe(true);
    // The same mail sent to another vendor is that vendor's own item.
    const theirs = await insertIntakeItem(
      store.db,
      item({ vendor_id: other.vendor.id, message_id: '<same@acme.example>' }),
    );
    expect(
      (await findIntakeItemByMessageId(store.db, t.vendor.id, '<same@acme.example>'))?.id,
    ).toBe(first.id);
    expect(
      await findIntakeItemInScope(store.db, theirs.id, { vendorId: t.vendor.id }),
    ).toBeUndefined();
    const second = await insertIntakeItem(store.db, item({ status: 'unreadable' }));
    const all = await listIntakeItems(store.db, { vendorId: t.vendor.id, limit: 10 });
    expect(all.map((i) => i.id)).toEqual([second.id, first.id]);
    const unreadable = await listIntakeItems(store.db, {
      vendorId: t.vendor.id,
      status: 'unreadable',
      limit: 10,
    });
    expect(unreadable.map((i) => i.id)).toEqual([second.id]);
    const page = await listIntakeItems(store.db, {
      vendorId: t.vendor.id,
      limit: 10,
      before: second.id,
    });
    expect(page.map((i) => i.id)).toEqual([first.id]);

    const decide = (vendorId: string) =>
      decideIntakeItem(store.db, first.id, {
        vendorId,
        from: ['new', 'unreadable'],
        status: 'rejected',
        reason: 'Duplicate',
        decidedBy: 'usr_desk',
        at: later(5),
      });
    expect(await decide(other.vendor.id)).toBe(false);
    expect(await decide(t.vendor.id)).toBe(true);
    expect(await decide(t.vendor.id)).toBe(false);
    expect(
      await findIntakeItemInScope(store.db, first.id, { vendorId: t.vendor.id }),
    ).toMatchObject({
      status: 'rejected',
      reason: 'Duplicate',
      decided_by: 'usr_desk',
    });
  });
});
