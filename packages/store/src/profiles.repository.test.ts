import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStore, testDialects } from '../test/databases.ts';
import { AT, later } from '../test/fixtures.ts';
import type { Store } from './dialects.ts';
import { isUniqueViolation } from './executor.ts';
import {
  findCurrentProfileSource,
  findProfileVersion,
  insertProfileRow,
  insertProfileVersion,
  listProfileVersions,
} from './profiles.repository.ts';
import { findVendorById, insertVendor } from './tenancy.repository.ts';

describe.each(testDialects())('profile versions on %s', (dialect) => {
  let store: Store;
  beforeAll(async () => {
    store = await createTestStore(dialect);
  });
  afterAll(async () => {
    await store.close();
  });

  it('creates a vendor with its profile as version 1, then publishes versions', async () => {
    const yaml1 = 'slug: acme\nname: Acme\n';
    const vendor = await insertVendor(store.db, {
      slug: 'acme',
      name: 'Acme',
      profile: '{"slug":"acme","name":"Acme"}',
      source: { text: yaml1, format: 'yaml' },
      schemaVersion: 3,
      createdBy: 'usr_admin',
      at: AT,
    });
    expect(vendor.profile_version).toBe(1);
    expect(await findCurrentProfileSource(store.db, vendor.id)).toMatchObject({
      version: 1,
      schema_version: 3,
      source: yaml1,
      format: 'yaml',
      created_by: 'usr_admin',
      created_at: AT,
    });

    const yaml2 = 'slug: acme\nname: Acme Corp\n';
    const v2 = await insertProfileVersion(store.db, {
      vendorId: vendor.id,
      source: yaml2,
      format: 'yaml',
      schemaVersion: 3,
      profileJson: '{"slug":"acme","name":"Acme Corp"}',
      name: 'Acme Corp',
      createdBy: 'usr_admin',
      at: later(60),
    });
    expect(v2?.version).toBe(2);
    // The vendor row follows the current version: what readers parse, and its name.
    expect(await findVendorById(store.db, vendor.id)).toMatchObject({
      name: 'Acme Corp',
      profile: '{"slug":"acme","name":"Acme Corp"}',
      profile_version: 2,
      updated_at: later(60),
    });
    expect((await findCurrentProfileSource(store.db, vendor.id))?.source).toBe(yaml2);
    // An order submitted under version 1 still finds what it was validated against.
    expect((await findProfileVersion(store.db, vendor.id, 1))?.source).toBe(yaml1);
    expect(await findProfileVersion(store.db, vendor.id, 3)).toBeUndefined();
    const listed = await listProfileVersions(store.db, vendor.id);
    expect(listed.map((v) => [v.version, v.format, v.created_at])).toEqual([
      [2, 'yaml', later(60)],
      [1, 'yaml', AT],
    ]);
    expect(listed[0]).not.toHaveProperty('source');
  });

  it('keeps the JSON profile as the source when none is given, and refuses a duplicate version', async () => {
    const vendor = await insertVendor(store.db, {
      slug: 'json-only',
      name: 'J',
      profile: '{"slug":"json-only"}',
      schemaVersion: 1,
      at: AT,
    });
    expect(await findCurrentProfileSource(store.db, vendor.id)).toMatchObject({
      source: '{"slug":"json-only"}',
      format: 'json',
      created_by: null,
    });
    await expect(
      insertProfileRow(store.db, {
        vendorId: vendor.id,
        version: 1,
        schemaVersion: 1,
        source: '{}',
        format: 'json',
        createdBy: null,
        at: AT,
      }),
    ).rejects.toSatisfy(isUniqueViolation);
  });

  it('gives concurrent publishers distinct versions', async () => {
    const vendor = await insertVendor(store.db, {
      slug: 'busy',
      name: 'B',
      profile: '{}',
      schemaVersion: 1,
      at: AT,
    });
    const published = await Promise.all(
      [1, 2, 3, 4].map((i) =>
        store.db.transaction().execute((trx) =>
          insertProfileVersion(trx, {
            vendorId: vendor.id,
            source: `v: ${i}`,
            format: 'yaml',
            schemaVersion: 1,
            profileJson: `{"v":${i}}`,
            createdBy: null,
            at: later(i),
          }),
        ),
      ),
    );
    expect(published.map((p) => p?.version).sort()).toEqual([2, 3, 4, 5]);
    const current = await findCurrentProfileSource(store.db, vendor.id);
    const row = await findVendorById(store.db, vendor.id);
    expect(current?.version).toBe(5);
    // The parsed copy is the one of the current version.
    expect(row?.profile).toBe(`{"v":${current?.source.slice(3)}}`);
  });

  it('publishes nothing for an unknown vendor', async () => {
    expect(
      await insertProfileVersion(store.db, {
        vendorId: 'ven_missing',
        source: '',
        format: 'yaml',
        schemaVersion: 1,
        profileJson: '{}',
        createdBy: null,
        at: AT,
      }),
    ).toBeUndefined();
  });
});
