// The catalog, price lists and partner pricing (API.md "Catalog and pricing"): search,
// products and categories, multipliers, GET /prices with hand-computed figures, CSV/XLSX
// import (all or nothing, every bad row reported) and export, and tenant isolation.
import { randomBytes } from 'node:crypto';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '@orderdesk/store/testing';
import { createTestApp, type TestApp } from './harness.ts';
import { expectIsolated } from './isolation.ts';
import { PARTNER_ISOLATION, VENDOR_ISOLATION } from './isolated-routes.ts';

const ACME = 'buyer@acme.example';
const BETA = 'buyer@beta.example';
const CONTOSO = 'buyer@contoso.example';
const HEADER = 'partNumber,name,type,category,listPrice';
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

interface Product {
  partNumber: string;
  name: string;
  type: string;
  category: string | null;
  active: boolean;
}
interface Problem {
  path: string;
  code: string;
  message: string;
}

/** A multipart/form-data body with fields first, then the file part. */
function multipart(
  file: { name: string; content: Buffer | string; type: string },
  fields: Record<string, string> = {},
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----orderdesk${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      ),
    );
  }
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\n` +
        `Content-Type: ${file.type}\r\n\r\n`,
    ),
    Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  );
  return {
    payload: Buffer.concat(parts),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

async function xlsxOf(rows: unknown[][]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Prices');
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

describe.each(testDialects())('catalog and pricing API on %s', (dialect) => {
  let t: TestApp;
  let acmeId: string;
  let contosoId: string;

  const partnershipOf = async (user: string, vendor: string): Promise<string> =>
    (await t.as(user).get(`/api/v1/partnerships?vendor=${vendor}`)).json().items[0].id as string;
  const upload = (
    user: string,
    slug: string,
    file: { name: string; content: Buffer | string; type?: string },
    options: {
      query?: string;
      fields?: Record<string, string>;
      headers?: Record<string, string>;
    } = {},
  ) => {
    const body = multipart({ type: 'text/csv', ...file }, options.fields);
    return t.as(user).request({
      method: 'POST',
      url: `/api/v1/vendors/${slug}/price-lists${options.query ?? ''}`,
      payload: body.payload,
      headers: { ...body.headers, ...options.headers },
    });
  };
  const vendorIdOf = async (vendor: string): Promise<string> =>
    (
      await t.store.db
        .selectFrom('vendors')
        .select('id')
        .where('slug', '=', vendor)
        .executeTakeFirstOrThrow()
    ).id;
  /** Publishes a new version of a vendor's profile with another `pricing` block, as its admin would. */
  const publishPricing = async (vendor: string, pricing: Record<string, boolean>) => {
    const admin = t.as(`admin@${vendor}.example`);
    const current = await admin.get(`/api/v1/vendors/${vendor}/profile/source`);
    expect(current.statusCode, current.body).toBe(200);
    const source = (current.json().source as string).replace(/^pricing:\n(?:(?:[ \t].*)?\n)*/m, '');
    const block = Object.entries(pricing)
      .map(([key, value]) => `  ${key}: ${value}`)
      .join('\n');
    const res = await admin.put(
      `/api/v1/vendors/${vendor}/profile`,
      `${source.trimEnd()}\n\npricing:\n${block}\n`,
      { 'content-type': 'application/yaml' },
    );
    expect(res.statusCode, res.body).toBe(200);
  };
  const count = async (table: 'products' | 'price_lists' | 'categories', vendor: string) => {
    const v = await t.store.db
      .selectFrom('vendors')
      .select('id')
      .where('slug', '=', vendor)
      .executeTakeFirstOrThrow();
    const row = await t.store.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('vendor_id', '=', v.id)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  };
  const prices = async (user: string, query: string) => {
    const res = await t.as(user).get(`/api/v1/prices?${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{
      currency: string;
      on: string;
      priceListId: string | null;
      items: {
        partNumber: string;
        listPrice: string | null;
        multiplier: string | null;
        netPrice: string;
      }[];
    }>();
  };

  beforeAll(async () => {
    t = await createTestApp(dialect);
    acmeId = (await t.as(ACME).get('/api/v1/me')).json().partner.id as string;
    contosoId = (await t.as(CONTOSO).get('/api/v1/me')).json().partner.id as string;
  });
  afterAll(async () => {
    await t.close();
  });

  describe('demo catalogs', () => {
    it('seeds a few hundred fictional products with a price list per vendor', async () => {
      const counts = {
        northwind: await count('products', 'northwind'),
        skyline: await count('products', 'skyline'),
        edgeworks: await count('products', 'edgeworks'),
      };
      expect(counts.northwind + counts.skyline + counts.edgeworks).toBeGreaterThanOrEqual(250);
      for (const slug of ['northwind', 'skyline', 'edgeworks']) {
        const lists = await t
          .as(`admin@${slug}.example`)
          .get(`/api/v1/vendors/${slug}/price-lists`);
        expect(lists.json().items).toEqual([
          expect.objectContaining({ version: 1, effectiveFrom: '2025-01-01' }),
        ]);
      }
      const devices = await t
        .as(ACME)
        .get('/api/v1/products?vendor=edgeworks&category=devices&limit=100');
      const items = devices.json().items as (Product & { ships: boolean })[];
      expect(items.length).toBeGreaterThan(10);
      expect(items.every((p) => p.type === 'device' && p.ships)).toBe(true);
    });
  });

  describe('search', () => {
    it('finds part-number prefixes first, then words of name and description', async () => {
      const res = await t.as(ACME).get('/api/v1/products?vendor=edgeworks&q=F2&limit=100');
      expect(res.statusCode, res.body).toBe(200);
      const found = (res.json().items as Product[]).map((p) => p.partNumber);
      // Part numbers starting with F2 first, in order; then products whose text mentions F200.
      const prefixed = found.filter((p) => p.startsWith('F2'));
      expect(prefixed.length).toBeGreaterThan(10);
      expect(found.slice(0, prefixed.length)).toEqual([...prefixed].sort());
      expect(found.slice(prefixed.length)).toContain('EW-KIT-STARTER');

      const exact = await t.as(ACME).get('/api/v1/products?vendor=edgeworks&q=f200-gw-01');
      expect(exact.json().items[0].partNumber).toBe('F200-GW-01');

      const words = await t.as(ACME).get('/api/v1/products?vendor=edgeworks&q=gateway%20lte');
      expect((words.json().items as Product[])[0]?.partNumber).toBe('F200-GW-03-LTE');
      // A word of the description only ("warehouse" appears in every device's description).
      const described = await t.as(ACME).get('/api/v1/products?vendor=edgeworks&q=warehouse');
      expect(described.json().items.length).toBeGreaterThan(10);
      // Words are prefixes: "supervis" finds the Supervisor licenses.
      const prefix = await t.as(ACME).get('/api/v1/products?vendor=edgeworks&q=supervis');
      expect((prefix.json().items as Product[]).map((p) => p.partNumber)).toContain(
        'EW-SUP-LIC-250',
      );
    });

    it('filters by category subtree and pages ranked results with a cursor', async () => {
      const gateways = await t
        .as(ACME)
        .get('/api/v1/products?vendor=edgeworks&category=devices.gateways');
      expect((gateways.json().items as Product[]).map((p) => p.partNumber).sort()).toEqual([
        'F200-GW-01',
        'F200-GW-02-POE',
        'F200-GW-03-LTE',
        'F200-GW-04-WIFI',
      ]);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await t
          .as(ACME)
          .get(
            `/api/v1/products?vendor=edgeworks&q=F2&limit=5${cursor ? `&cursor=${cursor}` : ''}`,
          );
        const page = res.json<{ items: Product[]; nextCursor: string | null }>();
        expect(page.items.length).toBeLessThanOrEqual(5);
        seen.push(...page.items.map((p) => p.partNumber));
        cursor = page.nextCursor;
      } while (cursor);
      const all = await t.as(ACME).get('/api/v1/products?vendor=edgeworks&q=F2&limit=100');
      expect(seen).toEqual((all.json().items as Product[]).map((p) => p.partNumber));
      expect(
        (await t.as(ACME).get('/api/v1/products?vendor=edgeworks&cursor=garbage')).statusCode,
      ).toBe(400);
    });

    it('browses every product of a catalog by part number, page by page', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await t
          .as(ACME)
          .get(`/api/v1/products?vendor=northwind&limit=7${cursor ? `&cursor=${cursor}` : ''}`);
        const page = res.json<{ items: Product[]; nextCursor: string | null }>();
        seen.push(...page.items.map((p) => p.partNumber));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen.length).toBe(await count('products', 'northwind'));
      expect(new Set(seen).size).toBe(seen.length);
      expect(seen).toEqual([...seen].sort());
    });

    it('shows partners the catalogs of their vendors and staff only their own', async () => {
      const all = await t.as(BETA).get('/api/v1/products?limit=500');
      const vendors = new Set((all.json().items as { vendor: string }[]).map((p) => p.vendor));
      expect([...vendors].sort()).toEqual(['edgeworks', 'northwind', 'skyline']);
      const own = await t.as('desk@skyline.example').get('/api/v1/products?limit=500');
      expect((own.json().items as Product[]).every((p) => p.partNumber.startsWith('SKY-'))).toBe(
        true,
      );
      expect(
        (await t.as('desk@skyline.example').get('/api/v1/products?vendor=northwind')).statusCode,
      ).toBe(404);
      expect(
        (await t.as('admin@skyline.example').get('/api/v1/categories?vendor=northwind')).statusCode,
      ).toBe(404);
    });

    it('searches a named vendor only when the caller may see it (one read for the vendor)', async () => {
      const search = (user: string, vendor: string) =>
        t.as(user).get(`/api/v1/products?vendor=${vendor}&q=a&limit=50`);
      // A tier-2 reseller searches its distributor's vendors.
      for (const vendor of ['edgeworks', 'northwind', 'skyline']) {
        const res = await search(BETA, vendor);
        expect(res.statusCode, vendor).toBe(200);
        expect((res.json().items as { vendor: string }[]).every((p) => p.vendor === vendor)).toBe(
          true,
        );
      }
      expect((await search('desk@skyline.example', 'skyline')).statusCode).toBe(200);
      expect((await search('desk@skyline.example', 'northwind')).statusCode).toBe(404);
      for (const user of [ACME, BETA, 'desk@skyline.example']) {
        expect((await search(user, 'nosuchvendor')).statusCode, user).toBe(404);
      }
    });

    it('lists categories as a tree', async () => {
      const res = await t.as(BETA).get('/api/v1/categories?vendor=skyline');
      expect(res.statusCode, res.body).toBe(200);
      const items = res.json().items as {
        key: string;
        parent: string | null;
        productCount: number;
      }[];
      expect(items).toContainEqual(expect.objectContaining({ key: 'security', parent: null }));
      expect(items).toContainEqual(
        expect.objectContaining({ key: 'security.endpoint-protection', parent: 'security' }),
      );
      expect((await t.as(BETA).get('/api/v1/categories')).statusCode).toBe(400);
    });
  });

  describe('products and categories (vendor admin)', () => {
    it('adds a category and a product, deactivates it, and audits each change', async () => {
      const admin = t.as('admin@edgeworks.example');
      const cat = await admin.post('/api/v1/categories', {
        name: 'Refurbished',
        parent: 'devices',
      });
      expect(cat.statusCode, cat.body).toBe(201);
      expect(cat.json()).toEqual({
        key: 'devices.refurbished',
        name: 'Refurbished',
        parent: 'devices',
        productCount: 0,
      });
      expect(
        (await admin.post('/api/v1/categories', { name: 'Refurbished', parent: 'devices' }))
          .statusCode,
      ).toBe(409);
      const renamed = await admin.patch('/api/v1/categories/devices.refurbished', {
        name: 'Refurbished units',
      });
      expect(renamed.json()).toMatchObject({
        key: 'devices.refurbished',
        name: 'Refurbished units',
      });

      const body = {
        partNumber: 'F200-GW-01-R',
        name: 'F200 Edge Gateway, refurbished',
        description: 'Factory-refurbished gateway',
        type: 'device',
        category: 'devices.refurbished',
      };
      const created = await admin.post('/api/v1/products', body);
      expect(created.statusCode, created.body).toBe(201);
      expect(created.json()).toMatchObject({
        vendor: 'edgeworks',
        partNumber: 'F200-GW-01-R',
        ships: true,
        active: true,
        billingTerm: null,
      });
      expect((await admin.post('/api/v1/products', body)).statusCode).toBe(409);
      const unknownCategory = await admin.post('/api/v1/products', {
        ...body,
        partNumber: 'X-2',
        category: 'nowhere',
      });
      expect(unknownCategory.statusCode).toBe(422);
      expect(unknownCategory.json().errors[0].path).toBe('category');
      expect(
        (await admin.post('/api/v1/products', { ...body, partNumber: 'X-3', type: 'gadget' }))
          .statusCode,
      ).toBe(400);
      const notSold = await admin.post('/api/v1/products', {
        ...body,
        partNumber: 'X-4',
        type: 'subscription',
        category: null,
      });
      expect(notSold.statusCode).toBe(422);
      expect(notSold.json().errors[0].path).toBe('type');

      const search = () => t.as(ACME).get('/api/v1/products?vendor=edgeworks&q=refurbished');
      expect((await search()).json().items.map((p: Product) => p.partNumber)).toEqual([
        'F200-GW-01-R',
      ]);
      const off = await admin.patch('/api/v1/products/F200-GW-01-R', { active: false });
      expect(off.json()).toMatchObject({ active: false });
      expect((await search()).json().items).toEqual([]);
      const inactive = await t
        .as(ACME)
        .get('/api/v1/products?vendor=edgeworks&q=refurbished&active=false');
      expect(inactive.json().items.map((p: Product) => p.partNumber)).toEqual(['F200-GW-01-R']);
      const one = await t.as(ACME).get('/api/v1/products/F200-GW-01-R?vendor=edgeworks');
      expect(one.json()).toMatchObject({ active: false, category: 'devices.refurbished' });

      // One catalogue event per change; taking a product off sale says so in its fields.
      const events = await t.store.db
        .selectFrom('audit_events')
        .select(['type', 'data'])
        .where('type', 'in', [
          'category.created',
          'category.updated',
          'product.created',
          'product.updated',
        ])
        .where('vendor_id', '=', await vendorIdOf('edgeworks'))
        .orderBy('id')
        .execute();
      expect(events.map((e) => [e.type, JSON.parse(e.data ?? 'null')])).toEqual([
        [
          'category.created',
          { categoryId: expect.any(String), key: 'devices.refurbished', name: 'Refurbished' },
        ],
        ['category.updated', { categoryId: expect.any(String), fields: ['name'] }],
        ['product.created', { productId: expect.any(String), partNumber: 'F200-GW-01-R' }],
        [
          'product.updated',
          { productId: expect.any(String), partNumber: 'F200-GW-01-R', fields: ['deactivated'] },
        ],
      ]);
    });

    it('refuses partners and staff without the vendor_admin role', async () => {
      const body = { partNumber: 'NOPE-1', name: 'Nope', type: 'service' };
      expect((await t.as(ACME).post('/api/v1/products', body)).statusCode).toBe(403);
      expect((await t.as('desk@edgeworks.example').post('/api/v1/products', body)).statusCode).toBe(
        403,
      );
      expect(
        (
          await t
            .as('cam@edgeworks.example')
            .patch('/api/v1/products/F200-GW-01', { active: false })
        ).statusCode,
      ).toBe(403);
      expect((await t.as(ACME).post('/api/v1/categories', { name: 'X' })).statusCode).toBe(403);
      expect((await t.as(ACME).get('/api/v1/products/F200-GW-01')).statusCode).toBe(400);
      expect(
        (await t.as('admin@skyline.example').get('/api/v1/products/F200-GW-01')).statusCode,
      ).toBe(404);
    });
  });

  describe('prices', () => {
    it('gives Acme and Contoso different net prices for the same part numbers', async () => {
      const query = 'vendor=northwind&partNumbers=NW-MTG-PRO-U-1Y,NW-ADD-WEB500-1M&on=2026-03-01';
      const acme = await prices(ACME, query);
      const contoso = await prices(CONTOSO, query);
      // By hand: Pro per user, annual = 18 × 12 × 0.9 = 194.40 → the demo list rounds to 194.00;
      // Webinar 500 monthly = 34.00. Acme's multiplier is 0.70, Contoso's 0.80.
      expect(acme).toMatchObject({ currency: 'USD', on: '2026-03-01' });
      expect(acme.items).toEqual([
        expect.objectContaining({
          partNumber: 'NW-MTG-PRO-U-1Y',
          listPrice: '194.00',
          multiplier: '0.70',
          netPrice: '135.80',
        }),
        expect.objectContaining({
          partNumber: 'NW-ADD-WEB500-1M',
          listPrice: '34.00',
          multiplier: '0.70',
          netPrice: '23.80',
        }),
      ]);
      expect(contoso.items).toEqual([
        expect.objectContaining({
          partNumber: 'NW-MTG-PRO-U-1Y',
          listPrice: '194.00',
          multiplier: '0.80',
          netPrice: '155.20',
        }),
        expect.objectContaining({
          partNumber: 'NW-ADD-WEB500-1M',
          listPrice: '34.00',
          multiplier: '0.80',
          netPrice: '27.20',
        }),
      ]);
      // A tier-2 reseller buys at its distributor's net prices, but never sees its multiplier
      // (nor the list price, which beside the net price would give it away).
      expect((await prices(BETA, query)).items).toEqual(
        acme.items.map((i) => ({ ...i, listPrice: null, multiplier: null })),
      );
      // Vendor staff price for a named partner.
      const staff = await prices('cam@northwind.example', `${query}&partnerId=${contosoId}`);
      expect(staff.items).toEqual(contoso.items);
    });

    it('reports every unknown part number, and refuses a partner naming another', async () => {
      const res = await t
        .as(ACME)
        .get(
          '/api/v1/prices?vendor=northwind&partNumbers=NW-MTG-PRO-U-1Y,NOPE-1,SKY-BLF-MAIL-STD-1M',
        );
      expect(res.statusCode).toBe(422);
      expect(res.json().errors).toEqual([
        expect.objectContaining({ path: 'partNumbers[1]', code: 'part_number.unknown' }),
        expect.objectContaining({ path: 'partNumbers[2]', code: 'part_number.unknown' }),
      ]);
      expect(
        (
          await t
            .as(CONTOSO)
            .get(`/api/v1/prices?vendor=northwind&partNumbers=NW-MTG-PRO-U-1Y&partnerId=${acmeId}`)
        ).statusCode,
      ).toBe(400);
      expect(
        (await t.as('admin@northwind.example').get('/api/v1/prices?partNumbers=NW-MTG-PRO-U-1Y'))
          .statusCode,
      ).toBe(400);
      expect(
        (
          await t
            .as('admin@skyline.example')
            .get(`/api/v1/prices?vendor=northwind&partNumbers=NW-MTG-PRO-U-1Y&partnerId=${acmeId}`)
        ).statusCode,
      ).toBe(404);
      expect(
        (await t.as(ACME).get('/api/v1/prices?vendor=northwind&partNumbers=bad%20one')).statusCode,
      ).toBe(400);
    });
  });

  describe('multipliers', () => {
    it('refuses a category multiplier where the profile sets one multiplier per partner', async () => {
      // Edgeworks says so in its profile; Northwind by the schema's default.
      for (const vendor of ['edgeworks', 'northwind']) {
        const admin = t.as(`admin@${vendor}.example`);
        const url = `/api/v1/partnerships/${await partnershipOf(ACME, vendor)}/multipliers`;
        const category = (await admin.get('/api/v1/categories')).json().items[0].key as string;
        const refused = await admin.post(url, {
          multiplier: '0.60',
          category,
          effectiveFrom: '2026-01-01',
        });
        expect(refused.statusCode, refused.body).toBe(422);
        expect(refused.json().errors).toEqual([
          expect.objectContaining({
            path: 'category',
            code: 'invalid',
            message: expect.stringContaining('pricing.multipliersPerCategory'),
          }),
        ]);
        expect((await admin.get(url)).json().items).toEqual([]);
      }
    });

    it('applies per-category multipliers with dates, the most specific category first', async () => {
      // Northwind's admin turns per-category multipliers on: a new profile version.
      await publishPricing('northwind', { multipliersPerCategory: true, partnerVisible: true });
      const admin = t.as('admin@northwind.example');
      const acmeNw = await partnershipOf(ACME, 'northwind');
      const url = `/api/v1/partnerships/${acmeNw}/multipliers`;
      const empty = await admin.get(url);
      expect(empty.json()).toMatchObject({ default: '0.70', items: [], vendor: 'northwind' });

      const addOns = await admin.post(url, {
        multiplier: '0.60',
        category: 'meetings.add-ons',
        effectiveFrom: '2026-01-01',
      });
      expect(addOns.statusCode, addOns.body).toBe(201);
      const meetings = await admin.post(url, {
        multiplier: '0.65',
        category: 'meetings',
        effectiveFrom: '2026-01-01',
      });
      expect(meetings.statusCode, meetings.body).toBe(201);

      const q = (on: string) =>
        `vendor=northwind&partNumbers=NW-ADD-WEB500-1M,NW-MTG-PRO-U-1Y,NW-ROOM-CONF-R-1Y&on=${on}`;
      const before = await prices(ACME, q('2025-12-31'));
      expect(before.items.map((i) => i.multiplier)).toEqual(['0.70', '0.70', '0.70']);
      const during = await prices(ACME, q('2026-03-01'));
      // Add-on: own category 0.60 → 34.00 × 0.60 = 20.40; Pro: parent "meetings" 0.65 →
      // 194.00 × 0.65 = 126.10; Conference room, annual: no rule → the default 0.70
      // (49 × 12 × 0.9 = 529.20 → 529.00 on the demo list; × 0.70 = 370.30).
      expect(during.items.map((i) => [i.multiplier, i.netPrice])).toEqual([
        ['0.60', '20.40'],
        ['0.65', '126.10'],
        ['0.70', '370.30'],
      ]);
      // Contoso's prices do not move.
      const contoso = await prices(CONTOSO, q('2026-03-01'));
      expect(contoso.items.map((i) => i.multiplier)).toEqual(['0.80', '0.80', '0.80']);

      const ended = await admin.patch(`${url}/${addOns.json().id}`, { effectiveTo: '2026-06-30' });
      expect(ended.json()).toMatchObject({ effectiveTo: '2026-06-30' });
      const after = await prices(ACME, q('2026-07-01'));
      expect(after.items.map((i) => i.multiplier)).toEqual(['0.65', '0.65', '0.70']);

      const list = await t.as(ACME).get(url);
      expect(list.json().items).toEqual([
        expect.objectContaining({
          category: 'meetings.add-ons',
          multiplier: '0.60',
          effectiveTo: '2026-06-30',
        }),
        expect.objectContaining({ category: 'meetings', multiplier: '0.65', effectiveTo: null }),
      ]);
    });

    it('validates rules and refuses everyone but the vendor admin', async () => {
      const acmeNw = await partnershipOf(ACME, 'northwind');
      const url = `/api/v1/partnerships/${acmeNw}/multipliers`;
      const admin = t.as('admin@northwind.example');
      const clash = await admin.post(url, {
        multiplier: '0.5',
        category: 'meetings',
        effectiveFrom: '2026-01-01',
      });
      expect(clash.statusCode).toBe(409);
      expect(clash.json().errors[0].code).toBe('multiplier.overlap');
      const backwards = await admin.post(url, {
        multiplier: '0.5',
        effectiveFrom: '2026-05-01',
        effectiveTo: '2026-04-30',
      });
      expect(backwards.statusCode).toBe(422);
      expect(backwards.json().errors[0].path).toBe('effectiveTo');
      const unknown = await admin.post(url, {
        multiplier: '0.5',
        category: 'nowhere',
        effectiveFrom: '2026-05-01',
      });
      expect(unknown.statusCode).toBe(422);
      for (const multiplier of ['0', '1.1234567', '11', 'abc']) {
        const bad = await admin.post(url, { multiplier, effectiveFrom: '2026-05-01' });
        expect(bad.statusCode, multiplier).toBe(400);
        expect(bad.json().errors[0].path).toBe('multiplier');
      }
      const rule = { multiplier: '0.5', effectiveFrom: '2026-05-01' };
      expect((await t.as(ACME).post(url, rule)).statusCode).toBe(403);
      expect((await t.as('cam@northwind.example').post(url, rule)).statusCode).toBe(403);
      expect((await t.as(CONTOSO).get(url)).statusCode).toBe(404);
      expect((await t.as('admin@skyline.example').get(url)).statusCode).toBe(404);
    });
  });

  describe('price list import', () => {
    it('imports a CSV as a new version without rewriting history, and prices by hand-checkable rules', async () => {
      const csv = [
        `${HEADER},description`,
        'F200-GW-01,F200 Edge Gateway (rev. B),device,Devices / Gateways,1234.57,Rev. B hardware',
        'EW-SUP-LIC-250,"Edge Supervisor license, 250 points",perpetual_license,software.supervisor,10.10,',
        'EW-NEW-1,Edge Cloud Connector setup,service,Software / Cloud,99.995,',
      ].join('\n');
      // 99.995 has a digit too many for USD: fix it and upload again.
      const bad = await upload(
        'admin@edgeworks.example',
        'edgeworks',
        { name: 'prices.csv', content: csv },
        { query: '?effectiveFrom=2027-01-01' },
      );
      expect(bad.statusCode).toBe(422);
      expect(bad.json().errors).toEqual([
        expect.objectContaining({ path: 'row 4/listPrice', code: 'invalid' }),
      ]);
      const res = await upload(
        'admin@edgeworks.example',
        'edgeworks',
        { name: 'prices.csv', content: csv.replace('99.995', '99.99') },
        { fields: { effectiveFrom: '2027-01-01' } },
      );
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({
        vendor: 'edgeworks',
        currency: 'USD',
        version: 2,
        effectiveFrom: '2027-01-01',
        rowCount: 3,
        sourceName: 'prices.csv',
        productsCreated: 1,
        // The license row changes nothing (an empty description cell keeps the description).
        productsUpdated: 1,
      });
      const product = await t.as(ACME).get('/api/v1/products/EW-NEW-1?vendor=edgeworks');
      expect(product.json()).toMatchObject({ category: 'software.cloud', type: 'service' });

      // The old list stays in force before the new date.
      const old = await prices(ACME, 'vendor=edgeworks&partNumbers=F200-GW-01&on=2026-12-31');
      expect(old.items[0]).toMatchObject({ listPrice: '1100.00', netPrice: '715.00' });
      // By hand, on the new list: Acme 0.65, Contoso 0.72 (half-up to the cent, per unit):
      //   1234.57 × 0.65 = 802.4705 → 802.47    1234.57 × 0.72 = 888.8904 → 888.89
      //     10.10 × 0.65 =   6.565  →   6.57      10.10 × 0.72 =   7.272  →   7.27
      //     99.99 × 0.65 =  64.9935 →  64.99      99.99 × 0.72 =  71.9928 →  71.99
      const q = 'vendor=edgeworks&partNumbers=F200-GW-01,EW-SUP-LIC-250,EW-NEW-1&on=2027-01-02';
      const acme = await prices(ACME, q);
      const contoso = await prices(CONTOSO, q);
      expect(acme.priceListId).toBe(res.json().id);
      expect(acme.items.map((i) => [i.listPrice, i.multiplier, i.netPrice])).toEqual([
        ['1234.57', '0.65', '802.47'],
        ['10.10', '0.65', '6.57'],
        ['99.99', '0.65', '64.99'],
      ]);
      expect(contoso.items.map((i) => [i.listPrice, i.multiplier, i.netPrice])).toEqual([
        ['1234.57', '0.72', '888.89'],
        ['10.10', '0.72', '7.27'],
        ['99.99', '0.72', '71.99'],
      ]);
      // The new list is complete: a product it leaves out has no price from its date on.
      const gone = await t
        .as(ACME)
        .get('/api/v1/prices?vendor=edgeworks&partNumbers=F200-IO-16&on=2027-01-02');
      expect(gone.statusCode).toBe(422);
    });

    it('rejects a file with five different bad rows with five precise errors and writes nothing', async () => {
      const before = {
        products: await count('products', 'northwind'),
        lists: await count('price_lists', 'northwind'),
        categories: await count('categories', 'northwind'),
      };
      // 1,500 good rows first, so a batch is written before the bad rows are met: the
      // transaction must roll it back.
      const good = Array.from(
        { length: 1500 },
        (_, i) =>
          `NW-BULK-${String(i).padStart(5, '0')},Bulk item ${i},service,Bulk / Items,${i}.50,2027-02-01`,
      );
      const csv = [
        `${HEADER},effectiveFrom`,
        ...good,
        'NW-BAD-1,Bad type,gadget,Bulk,1.00,2027-02-01',
        'NW-BAD-2,Negative,service,Bulk,-5.00,2027-02-01',
        'NW-BULK-00007,Duplicate,service,Bulk,1.00,2027-02-01',
        'NW-BAD-4,Bad date,service,Bulk,1.00,2027-02-30',
        'NW-BAD-5,Too precise,service,Bulk,1.005,2027-02-01',
      ].join('\r\n');
      const res = await upload('admin@northwind.example', 'northwind', {
        name: 'bulk.csv',
        content: csv,
      });
      expect(res.statusCode, res.body.slice(0, 500)).toBe(422);
      expect(res.headers['content-type']).toContain('application/problem+json');
      const errors = res.json().errors as Problem[];
      expect(errors.map((e) => [e.path, e.code])).toEqual([
        ['row 1502/type', 'invalid'],
        ['row 1503/listPrice', 'invalid'],
        ['row 1504/partNumber', 'duplicate'],
        ['row 1505/effectiveFrom', 'invalid'],
        ['row 1506/listPrice', 'invalid'],
      ]);
      expect(errors[0]?.message).toContain('gadget');
      expect(errors[1]?.message).toMatch(/negative/i);
      expect(errors[2]?.message).toContain('row 9');
      expect(errors[3]?.message).toContain('2027-02-30');
      expect(errors[4]?.message).toMatch(/decimal/);
      expect({
        products: await count('products', 'northwind'),
        lists: await count('price_lists', 'northwind'),
        categories: await count('categories', 'northwind'),
      }).toEqual(before);
    });

    it('imports an XLSX sent as the raw body, with numbers and dates as Excel writes them', async () => {
      const file = await xlsxOf([
        ['Part Number', 'Name', 'Type', 'Category', 'List Price', 'Effective From', 'Billing Term'],
        [
          'SKY-NEW-1',
          'Skyline Notes, per user, annual',
          'subscription',
          'Productivity / Notes',
          47.5,
          new Date(Date.UTC(2027, 2, 1)),
          'P1Y',
        ],
        [],
        [
          'SKY-NEW-2',
          'Skyline Notes, per user, monthly',
          'subscription',
          'productivity.notes',
          '4.95',
          new Date(Date.UTC(2027, 2, 1)),
          'P1M',
        ],
      ]);
      const res = await t.as('admin@skyline.example').request({
        method: 'POST',
        url: '/api/v1/vendors/skyline/price-lists',
        payload: file,
        headers: { 'content-type': XLSX_TYPE },
      });
      expect(res.statusCode, res.body).toBe(201);
      expect(res.json()).toMatchObject({
        currency: 'GBP',
        version: 2,
        effectiveFrom: '2027-03-01',
        rowCount: 2,
      });
      const priced = await prices(
        ACME,
        'vendor=skyline&partNumbers=SKY-NEW-1,SKY-NEW-2&on=2027-03-01',
      );
      // Acme's skyline multiplier is 0.82: 47.50 × 0.82 = 38.95; 4.95 × 0.82 = 4.059 → 4.06.
      expect(priced.items.map((i) => [i.listPrice, i.netPrice])).toEqual([
        ['47.50', '38.95'],
        ['4.95', '4.06'],
      ]);
      const product = await t.as(BETA).get('/api/v1/products/SKY-NEW-2?vendor=skyline');
      expect(product.json()).toMatchObject({ billingTerm: 'P1M', category: 'productivity.notes' });

      const badSheet = await xlsxOf([
        ['partNumber', 'name', 'type', 'category', 'listPrice', 'effectiveFrom'],
        ['SKY-X-1', 'X', 'subscription', 'X', -1, 'soon'],
      ]);
      const bad = await upload('admin@skyline.example', 'skyline', {
        name: 'bad.xlsx',
        content: badSheet,
        type: XLSX_TYPE,
      });
      expect(bad.statusCode).toBe(422);
      expect(bad.json().errors.map((e: Problem) => e.path)).toEqual([
        'row 2/listPrice',
        'row 2/effectiveFrom',
      ]);
    });

    it('refuses a signed zero as a list price, as it does -5.00 or 12.345, in CSV and XLSX', async () => {
      const before = await count('price_lists', 'northwind');
      const csv = [
        HEADER,
        'NW-ZERO-1,Free,service,Bulk,0.00',
        'NW-ZERO-2,Signed zero,service,Bulk,-0',
        'NW-ZERO-3,Signed zero,service,Bulk,-0.00',
      ].join('\r\n');
      const res = await upload('admin@northwind.example', 'northwind', {
        name: 'zero.csv',
        content: csv,
      });
      expect(res.statusCode, res.body).toBe(422);
      expect((res.json().errors as Problem[]).map((e) => [e.path, e.code, e.message])).toEqual([
        ['row 3/listPrice', 'invalid', expect.stringMatching(/"-0" is not a decimal amount/)],
        ['row 4/listPrice', 'invalid', expect.stringMatching(/"-0.00" is not a decimal amount/)],
      ]);
      // A text cell of a workbook is read as written.
      const sheet = await xlsxOf([
        [...HEADER.split(',')],
        ['NW-ZERO-4', 'Z', 'service', 'Bulk', '-0'],
      ]);
      const xlsx = await upload('admin@northwind.example', 'northwind', {
        name: 'zero.xlsx',
        content: sheet,
        type: XLSX_TYPE,
      });
      expect(xlsx.statusCode, xlsx.body).toBe(422);
      expect((xlsx.json().errors as Problem[]).map((e) => [e.path, e.code])).toEqual([
        ['row 2/listPrice', 'invalid'],
      ]);
      expect(await count('price_lists', 'northwind')).toBe(before);
    });

    it('explains unreadable files: missing columns, no rows, another format', async () => {
      const admin = 'admin@edgeworks.example';
      const noPrice = await upload(admin, 'edgeworks', {
        name: 'a.csv',
        content: 'partNumber,name,type,category\nA,B,device,C\n',
      });
      expect(noPrice.statusCode).toBe(422);
      expect(noPrice.json().errors).toEqual([
        expect.objectContaining({ path: 'row 1/listPrice', code: 'required' }),
      ]);
      const empty = await upload(admin, 'edgeworks', { name: 'a.csv', content: `${HEADER}\n` });
      expect(empty.statusCode).toBe(422);
      const notXlsx = await upload(admin, 'edgeworks', {
        name: 'a.xlsx',
        content: 'not a zip',
        type: XLSX_TYPE,
      });
      expect(notXlsx.statusCode).toBe(422);
      const unclosed = await upload(admin, 'edgeworks', {
        name: 'q.csv',
        content: `${HEADER}\nEW-Q,"Unclosed,service,X,1.00\n`,
      });
      expect(unclosed.statusCode).toBe(422);
      expect(unclosed.json().errors[0].path).toMatch(/^row \d+$/);
      const pdf = await upload(admin, 'edgeworks', {
        name: 'a.pdf',
        content: '%PDF',
        type: 'application/pdf',
      });
      expect(pdf.statusCode).toBe(422);
      expect(pdf.json().errors[0].path).toBe('file');
      // Semicolon-separated, as Excel writes CSV in many locales.
      const semi = await upload(
        admin,
        'edgeworks',
        {
          name: 'semi.csv',
          content: 'partNumber;name;type;category;listPrice\nEW-SEMI-1;Semi kit;kit;Kits;12.00\n',
        },
        { query: '?effectiveFrom=2030-01-01' },
      );
      expect(semi.statusCode, semi.body).toBe(201);
      expect(semi.json()).toMatchObject({ rowCount: 1, productsCreated: 1 });
      const badOption = await upload(
        admin,
        'edgeworks',
        { name: 'a.csv', content: `${HEADER}\n` },
        { fields: { currency: 'usd' } },
      );
      expect(badOption.statusCode).toBe(400);
      expect(badOption.json().errors[0].path).toBe('currency');
    });

    it('replays an upload with the same Idempotency-Key and refuses the key for another file', async () => {
      const admin = 'admin@northwind.example';
      const content = `${HEADER}\nNW-IDEM-1,Idempotent,service,Services,5.00\n`;
      const key = { 'idempotency-key': `upload-${dialect}` };
      const first = await upload(
        admin,
        'northwind',
        { name: 'i.csv', content },
        { headers: key, query: '?effectiveFrom=2031-01-01' },
      );
      expect(first.statusCode, first.body).toBe(201);
      const again = await upload(
        admin,
        'northwind',
        { name: 'i.csv', content },
        { headers: key, query: '?effectiveFrom=2031-01-01' },
      );
      expect(again.statusCode).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.json().id).toBe(first.json().id);
      const other = await upload(
        admin,
        'northwind',
        { name: 'i.csv', content: content.replace('5.00', '6.00') },
        { headers: key, query: '?effectiveFrom=2031-01-01' },
      );
      expect(other.statusCode).toBe(409);
    });

    it('lets only the vendor admin upload, and refuses files over the limit', async () => {
      const file = { name: 'x.csv', content: `${HEADER}\nEW-X,X,service,X,1.00\n` };
      expect((await upload('desk@edgeworks.example', 'edgeworks', file)).statusCode).toBe(403);
      expect((await upload(ACME, 'edgeworks', file)).statusCode).toBe(403);
      expect((await upload('admin@skyline.example', 'edgeworks', file)).statusCode).toBe(404);

      const small = await createTestApp(dialect, { UPLOAD_LIMIT_BYTES: 200 });
      try {
        const big = multipart({
          name: 'big.csv',
          type: 'text/csv',
          content: `${HEADER}\n${Array.from({ length: 20 }, (_, i) => `EW-BIG-${i},Big,service,X,1.00`).join('\n')}\n`,
        });
        const res = await small.as('admin@edgeworks.example').request({
          method: 'POST',
          url: '/api/v1/vendors/edgeworks/price-lists',
          payload: big.payload,
          headers: big.headers,
        });
        expect(res.statusCode, res.body).toBe(413);
        const lists = await small
          .as('admin@edgeworks.example')
          .get('/api/v1/vendors/edgeworks/price-lists');
        expect(lists.json().items).toHaveLength(1);
      } finally {
        await small.close();
      }
    });
  });

  describe('price list export', () => {
    it('exports CSV and XLSX that re-import as the same prices', async () => {
      const admin = t.as('admin@northwind.example');
      const lists = (await admin.get('/api/v1/vendors/northwind/price-lists')).json().items as {
        id: string;
        version: number;
        rowCount: number;
      }[];
      const v1 = lists.find((l) => l.version === 1);
      expect(v1).toBeDefined();
      const csv = await admin.get(
        `/api/v1/vendors/northwind/price-lists/${v1?.id}/export?format=csv`,
      );
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toContain('text/csv');
      expect(csv.headers['content-disposition']).toContain('northwind-price-list-USD-v1.csv');
      const lines = csv.body.trim().split('\r\n');
      expect(lines[0]).toBe(
        'partNumber,name,type,category,listPrice,effectiveFrom,description,billingTerm,ships',
      );
      expect(lines).toHaveLength((v1?.rowCount ?? 0) + 1);
      expect(lines.find((l) => l.startsWith('NW-MTG-PRO-U-1Y,'))).toContain(
        ',subscription,meetings.user-plans,194.00,2025-01-01,',
      );

      // Partners may download their vendors' price lists too.
      const xlsx = await t
        .as(ACME)
        .get(`/api/v1/vendors/northwind/price-lists/${v1?.id}/export?format=xlsx`);
      expect(xlsx.statusCode).toBe(200);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
      const sheet = workbook.worksheets[0];
      expect(sheet?.rowCount).toBe(lines.length);
      expect(sheet?.getRow(1).getCell(1).value).toBe('partNumber');

      // Round trip: the export re-imports unchanged, as a new version.
      const again = await upload(
        'admin@northwind.example',
        'northwind',
        {
          name: 'export.xlsx',
          content: xlsx.rawPayload,
          type: XLSX_TYPE,
        },
        { query: '?effectiveFrom=2032-01-01' },
      );
      expect(again.statusCode, again.body).toBe(201);
      expect(again.json()).toMatchObject({
        rowCount: v1?.rowCount,
        productsCreated: 0,
        productsUpdated: 0,
      });
      const roundTrip = await admin.get(
        `/api/v1/vendors/northwind/price-lists/${again.json().id}/export?format=csv`,
      );
      const body = (text: string) =>
        text.split('\r\n').map((l) => l.replace(/,\d{4}-\d{2}-\d{2},/, ','));
      expect(body(roundTrip.body)).toEqual(body(csv.body));
    });
  });

  describe('what partners see of prices', () => {
    it("hides the distributor's multiplier and agreement from its tier-2 reseller", async () => {
      const acmeView = (await t.as(ACME).get('/api/v1/partnerships?vendor=northwind')).json()
        .items[0];
      expect(acmeView).toMatchObject({ multiplier: '0.70', legalName: expect.any(String) });
      const betaView = (await t.as(BETA).get('/api/v1/partnerships?vendor=northwind')).json()
        .items[0];
      expect(betaView).toEqual({
        ...acmeView,
        multiplier: null,
        legalName: null,
        agreementDate: null,
        invoicingContact: null,
        billing: null,
      });
      // The special-terms clause stays: a reseller's own PO must carry it.
      expect(betaView.specialTerms).toBe(acmeView.specialTerms);
      const rules = await t.as(BETA).get(`/api/v1/partnerships/${acmeView.id}/multipliers`);
      expect(rules.statusCode).toBe(403);
      expect(
        (await t.as(ACME).get(`/api/v1/partnerships/${acmeView.id}/multipliers`)).statusCode,
      ).toBe(200);
      const query = 'vendor=northwind&partNumbers=NW-MTG-PRO-U-1Y&on=2026-03-01';
      const [acme, beta] = [await prices(ACME, query), await prices(BETA, query)];
      // Net prices only: with the list price beside it the multiplier would be net ÷ list.
      expect(beta.items[0]).toEqual({ ...acme.items[0], listPrice: null, multiplier: null });
    });

    it('shows partners only net prices where the profile says pricing.partnerVisible: false', async () => {
      await publishPricing('edgeworks', { multipliersPerCategory: false, partnerVisible: false });
      try {
        const query = 'vendor=edgeworks&partNumbers=F200-GW-01&on=2026-03-01';
        const partner = await prices(ACME, query);
        expect(partner.items).toEqual([
          expect.objectContaining({
            partNumber: 'F200-GW-01',
            listPrice: null,
            multiplier: null,
            netPrice: expect.stringMatching(/^\d+\.\d{2}$/),
          }),
        ]);
        // The vendor's staff still see how the net price is made, and it is the same price.
        const staff = await prices('cam@edgeworks.example', `${query}&partnerId=${acmeId}`);
        expect(staff.items[0]).toMatchObject({
          listPrice: expect.any(String),
          multiplier: expect.any(String),
          netPrice: partner.items[0]?.netPrice,
        });
        const partnership = (await t.as(ACME).get('/api/v1/partnerships?vendor=edgeworks')).json()
          .items[0];
        expect(partnership).toMatchObject({ multiplier: null, legalName: expect.any(String) });
        const staffView = (await t.as('cam@edgeworks.example').get('/api/v1/partnerships'))
          .json()
          .items.find((p: { id: string }) => p.id === partnership.id);
        expect(staffView.multiplier).toMatch(/^\d/);
        const url = `/api/v1/partnerships/${partnership.id}/multipliers`;
        expect((await t.as(ACME).get(url)).statusCode).toBe(403);
        expect((await t.as('admin@edgeworks.example').get(url)).statusCode).toBe(200);
        // A price list is nothing but list prices.
        expect((await t.as(ACME).get('/api/v1/vendors/edgeworks/price-lists')).statusCode).toBe(
          403,
        );
        expect(
          (await t.as('admin@edgeworks.example').get('/api/v1/vendors/edgeworks/price-lists'))
            .statusCode,
        ).toBe(200);
      } finally {
        await publishPricing('edgeworks', { multipliersPerCategory: false, partnerVisible: true });
      }
      expect(
        (await prices(ACME, 'vendor=edgeworks&partNumbers=F200-GW-01')).items[0]?.listPrice,
      ).toMatch(/^\d/);
    });
  });

  describe('isolation', () => {
    it('keeps partners apart: multipliers and prices', async () => {
      await expectIsolated(
        t,
        PARTNER_ISOLATION.catalog ?? [],
        {
          user: ACME,
          ids: { partnershipId: await partnershipOf(ACME, 'northwind'), partnerId: acmeId },
        },
        {
          user: CONTOSO,
          ids: { partnershipId: await partnershipOf(CONTOSO, 'northwind'), partnerId: contosoId },
        },
      );
    });

    it("keeps vendors' catalog admin data apart", async () => {
      const fixture = async (slug: string, partNumber: string, categoryKey: string) => {
        const user = `admin@${slug}.example`;
        const partnershipId = await partnershipOf(user, slug);
        const rule = await t.as(user).post(`/api/v1/partnerships/${partnershipId}/multipliers`, {
          multiplier: '0.9',
          effectiveFrom: '2030-06-01',
        });
        expect(rule.statusCode, rule.body).toBe(201);
        const lists = await t.as(user).get(`/api/v1/vendors/${slug}/price-lists`);
        return {
          user,
          ids: {
            slug,
            partNumber,
            categoryKey,
            partnershipId,
            multiplierId: rule.json().id as string,
            priceListId: lists.json().items[0].id as string,
          },
        };
      };
      await expectIsolated(
        t,
        VENDOR_ISOLATION.catalog ?? [],
        await fixture('northwind', 'NW-ROOM-BRD-R-3Y', 'rooms.room-plans'),
        await fixture('skyline', 'SKY-HLX-VIDEO-PRM-3Y', 'security.endpoint-protection'),
      );
    });
  });

  it('documents the routes in the OpenAPI document', async () => {
    const doc = (await t.as(null).get('/api/v1/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/products',
        '/api/v1/prices',
        '/api/v1/categories',
        '/api/v1/vendors/{slug}/price-lists',
        '/api/v1/vendors/{slug}/price-lists/{id}/export',
        '/api/v1/partnerships/{id}/multipliers',
      ]),
    );
  });
});
