import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '@orderdesk/store/testing';
import { createTestApp, type TestApp } from './harness.ts';

// The back office polls its queues with If-None-Match: unchanged → 304, changed → 200 and a
// new tag; a tag never crosses callers' answers.
describe.each(testDialects())('ETags on API lists on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  it('answers 304 for an unchanged list and 200 with a new tag once it changed', async () => {
    const desk = t.as('desk@northwind.example');
    const first = await desk.get('/api/v1/orders?limit=100');
    expect(first.statusCode).toBe(200);
    const tag = first.headers.etag as string;
    expect(tag).toMatch(/^W\/"[\w-]+"$/);
    expect(first.headers['cache-control']).toBe('no-store');

    const same = await desk.get('/api/v1/orders?limit=100', { 'if-none-match': tag });
    expect(same.statusCode).toBe(304);
    expect(same.body).toBe('');
    const listed = await desk.get('/api/v1/orders?limit=100', { 'if-none-match': `"x", ${tag}` });
    expect(listed.statusCode).toBe(304);

    const other = await desk.get('/api/v1/orders?limit=100', { 'if-none-match': 'W/"stale"' });
    expect(other.statusCode).toBe(200);
    expect(other.json()).toEqual(first.json());

    // Someone else changes the list: the tag changes.
    const customers = await t.as('buyer@acme.example').get('/api/v1/customers');
    expect(customers.statusCode).toBe(200);
    const changed = await t.as('buyer@acme.example').post('/api/v1/customers', { name: 'ETag Co' });
    expect(changed.statusCode).toBe(201);
    const before = await t.as('buyer@acme.example').get('/api/v1/customers', {
      'if-none-match': customers.headers.etag as string,
    });
    expect(before.statusCode).toBe(200);
    expect(before.headers.etag).not.toBe(customers.headers.etag);
  });

  it('never answers 304 to another caller holding a tag of a different answer', async () => {
    const acme = await t.as('buyer@acme.example').get('/api/v1/customers');
    const contoso = await t
      .as('buyer@contoso.example')
      .get('/api/v1/customers', { 'if-none-match': acme.headers.etag as string });
    expect(contoso.json()).not.toEqual(acme.json());
    expect(contoso.statusCode).toBe(200);
  });

  it('sends no tag on errors or writes', async () => {
    const missing = await t.as('buyer@acme.example').get('/api/v1/orders/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.headers.etag).toBeUndefined();
  });
});
