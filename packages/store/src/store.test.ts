import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, testDialects } from '../test/databases.ts';
import type { Store } from './dialects.ts';
import { parseDatabaseUrl } from './dialects.ts';
import { insertAuditEvent, listAuditEvents } from './audit.repository.ts';
import { findIdempotentResponse, insertIdempotentResponse } from './idempotency.repository.ts';
import { isUniqueViolation } from './executor.ts';
import {
  insertPartner,
  insertPartnership,
  insertVendor,
  listPartnerScopeIds,
  listPartnerships,
} from './tenancy.repository.ts';
import { findUserByEmail, insertUser } from './users.repository.ts';
import { findCustomerInScope, insertCustomer, listCustomers } from './customers.repository.ts';

describe('parseDatabaseUrl', () => {
  it('reads sqlite, bare paths and postgres URLs', () => {
    expect(parseDatabaseUrl('sqlite:./data/x.db')).toEqual({
      dialect: 'sqlite',
      file: './data/x.db',
    });
    expect(parseDatabaseUrl('sqlite::memory:')).toEqual({ dialect: 'sqlite', file: ':memory:' });
    expect(parseDatabaseUrl('/tmp/a.db')).toEqual({ dialect: 'sqlite', file: '/tmp/a.db' });
    expect(parseDatabaseUrl('postgresql://u@h/db')).toMatchObject({ dialect: 'postgres' });
    expect(() => parseDatabaseUrl('mysql://u@h/db')).toThrow(/not supported/);
    expect(() => parseDatabaseUrl('')).toThrow(/empty/);
  });
});

const AT = '2026-01-01T00:00:00.000Z';

describe.each(testDialects())('store on %s', (dialect) => {
  let store: Store;
  beforeAll(async () => {
    store = await createTestStore(dialect);
  });
  afterAll(async () => {
    await store.close();
  });

  it('reports its dialect', () => {
    expect(store.dialect).toBe(dialect);
  });

  it('stores tenants, partnerships and scopes partners', async () => {
    const { db } = store;
    const vendor = await insertVendor(db, {
      slug: 'v1',
      name: 'Vendor One',
      profile: '{}',
      schemaVersion: 1,
      at: AT,
    });
    const acme = await insertPartner(db, { name: 'Acme', tier: 1, at: AT });
    const beta = await insertPartner(db, {
      name: 'Beta',
      tier: 2,
      parentPartnerId: acme.id,
      at: AT,
    });
    const other = await insertPartner(db, { name: 'Other', tier: 1, at: AT });
    await insertPartnership(db, {
      vendorId: vendor.id,
      partnerId: acme.id,
      legalName: 'Acme Distribution Ltd',
      agreementDate: '2021-03-03',
      multiplier: '0.75',
      at: AT,
    });
    expect(await listPartnerScopeIds(db, acme.id)).toEqual([acme.id, beta.id]);
    expect(await listPartnerScopeIds(db, other.id)).toEqual([other.id]);
    const rows = await listPartnerships(db, { partnerIds: [acme.id] });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ vendor_slug: 'v1', partner_name: 'Acme', multiplier: '0.75' });
    expect(await listPartnerships(db, { partnerIds: [other.id] })).toEqual([]);
    await expect(
      insertPartnership(db, {
        vendorId: vendor.id,
        partnerId: acme.id,
        legalName: 'dup',
        agreementDate: '2021-01-01',
        multiplier: '1',
        at: AT,
      }),
    ).rejects.toSatisfy(isUniqueViolation);

    const c1 = await insertCustomer(db, {
      partnerId: beta.id,
      name: 'Beta customer',
      domains: ['b.example'],
      at: AT,
    });
    const c2 = await insertCustomer(db, { partnerId: other.id, name: 'Other customer', at: AT });
    expect(await findCustomerInScope(db, c1.id, [acme.id, beta.id])).toMatchObject({
      name: 'Beta customer',
    });
    expect(await findCustomerInScope(db, c2.id, [acme.id, beta.id])).toBeUndefined();
    const page = await listCustomers(db, { partnerIds: [acme.id, beta.id] }, { limit: 10 });
    expect(page.map((c) => c.id)).toEqual([c1.id]);
  });

  it('finds users by email case-insensitively and rejects duplicates', async () => {
    const { db } = store;
    await insertUser(db, {
      email: 'Buyer@Example.com',
      name: 'B',
      passwordHash: 'x',
      roles: ['partner_user'],
      at: AT,
    });
    expect(await findUserByEmail(db, 'buyer@example.COM')).toMatchObject({ name: 'B' });
    await expect(
      insertUser(db, {
        email: 'buyer@example.com',
        name: 'C',
        passwordHash: 'x',
        roles: [],
        at: AT,
      }),
    ).rejects.toSatisfy(isUniqueViolation);
  });

  it('keeps audit events in order and idempotent responses by key', async () => {
    const { db } = store;
    await insertAuditEvent(db, {
      entityType: 'order',
      entityId: 'o1',
      type: 'order.submitted',
      actorLabel: 'a',
      at: '2026-01-01T00:00:00.000Z',
    });
    await insertAuditEvent(db, {
      entityType: 'order',
      entityId: 'o1',
      type: 'order.approved',
      actorLabel: 'b',
      at: '2026-01-02T00:00:00.000Z',
      fromStatus: 'submitted',
      toStatus: 'booking',
    });
    const events = await listAuditEvents(db, 'order', 'o1');
    expect(events.map((e) => e.type)).toEqual(['order.submitted', 'order.approved']);

    await insertIdempotentResponse(db, {
      userId: 'u',
      key: 'k',
      method: 'POST',
      path: '/x',
      requestHash: 'h',
      statusCode: 201,
      body: '{}',
      at: AT,
    });
    expect(await findIdempotentResponse(db, 'u', 'k')).toEqual({
      requestHash: 'h',
      statusCode: 201,
      body: '{}',
    });
    await expect(
      insertIdempotentResponse(db, {
        userId: 'u',
        key: 'k',
        method: 'POST',
        path: '/x',
        requestHash: 'h2',
        statusCode: 201,
        body: '{}',
        at: AT,
      }),
    ).rejects.toSatisfy(isUniqueViolation);
  });

  it('stores money beyond 2^31 minor units exactly', async () => {
    // int8 on PostgreSQL is parsed back to a JS number (safe integers only).
    const { sql } = await import('kysely');
    const r = await sql<{ v: number }>`select cast(${9_000_000_000_123} as bigint) as v`.execute(
      store.db,
    );
    expect(r.rows[0]?.v).toBe(9_000_000_000_123);
  });
});

describe('newId', () => {
  it('sorts by creation, also within one millisecond', async () => {
    const { newId } = await import('./ids.ts');
    const ids = Array.from({ length: 1000 }, () => newId('x', 1_700_000_000_000));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(1000);
    expect(newId('x', 1_700_000_000_001) > ids.at(-1)!).toBe(true);
  });

  it('draws fresh random digits each millisecond, past the 4 KiB pool', async () => {
    const { newId } = await import('./ids.ts');
    const randoms = Array.from({ length: 2000 }, (_, i) =>
      newId('y', 1_800_000_000_000 + i).slice(-16),
    );
    expect(new Set(randoms).size).toBe(2000);
    // Every base32 digit turns up in every position.
    for (let position = 0; position < 16; position++) {
      expect(new Set(randoms.map((r) => r[position])).size).toBe(32);
    }
  });
});
