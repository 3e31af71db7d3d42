// The OpenAPI document types what clients read (issue 8, point 9): a client generated from it
// learns the shape of an order's sub-objects and of a vendor profile, not "any object".
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDialects } from '@orderdesk/store/testing';
import { createTestApp, type TestApp } from './harness.ts';

/** Paths of schemas that say nothing: `{}`, or objects whose values may be anything. */
function untyped(node: unknown, path: string, out: string[]): void {
  if (node === null || typeof node !== 'object') return;
  const o = node as Record<string, unknown>;
  const isSchemaSlot = /\/(properties\/[^/]+|items|schema|additionalProperties|anyOf\/\d+)$/.test(
    path,
  );
  if (isSchemaSlot && Object.keys(o).length === 0) out.push(path);
  for (const [k, v] of Object.entries(o)) {
    // Defaults and examples are values, not schemas.
    if (k === 'default' || k === 'example' || k === 'examples') continue;
    untyped(v, `${path}/${k}`, out);
  }
}

describe.each(testDialects())('OpenAPI document on %s', (dialect) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(dialect);
  });
  afterAll(async () => {
    await t.close();
  });

  it('types the order, its sub-objects and the vendor profile', async () => {
    const doc = (await t.as(null).get('/api/v1/openapi.json')).json();
    const schemas = doc.components.schemas as Record<
      string,
      { properties: Record<string, unknown> }
    >;
    const order = schemas.Order!.properties;
    for (const [field, ref] of [
      ['purchaseOrder', 'PurchaseOrder'],
      ['contacts', 'OrderContacts'],
      ['shippingAddress', 'ShippingAddress'],
      ['tier2Reseller', 'Tier2Reseller'],
      ['attributes', 'OrderAttributes'],
      ['termsAccepted', 'TermsAccepted'],
    ] as const) {
      expect(JSON.stringify(order[field]), field).toContain(`#/components/schemas/${ref}`);
    }
    expect(schemas.PurchaseOrder!.properties).toHaveProperty('specialTerms');
    const profile = schemas.VendorProfile!.properties;
    expect(Object.keys(profile)).toEqual(
      expect.arrayContaining(['orderTypes', 'workflow', 'pricing', 'notifications', 'sla']),
    );
    expect(JSON.stringify(profile.workflow)).toContain('OrderWorkflow');
    expect(schemas.OrderWorkflow!.properties).toHaveProperty('stages');

    // Nothing a client reads is "any": the only free-form field is an event's data, whose
    // shape depends on its type (the event catalogue, docs/adr/0004).
    const found: string[] = [];
    untyped(doc.paths, 'paths', found);
    untyped(doc.components, 'components', found);
    expect(found.filter((p) => !/OrderEvent(Input)?\/properties\/data$/.test(p))).toEqual([]);
  });

  it('documents Idempotency-Key on creating POSTs and on resending an invoice', async () => {
    const doc = (await t.as(null).get('/api/v1/openapi.json')).json();
    const keyed = (path: string) =>
      (doc.paths[path].post.parameters as { name: string }[]).some(
        (p) => p.name === 'Idempotency-Key',
      );
    expect(keyed('/api/v1/orders')).toBe(true);
    expect(keyed('/api/v1/invoices/{id}/actions/resend')).toBe(true);
  });

  it('lists the test clock neither as a path nor as a schema when the clock is not settable', async () => {
    const doc = (await t.as(null).get('/api/v1/openapi.json')).json();
    expect(Object.keys(doc.paths).filter((p) => p.includes('/test/'))).toEqual([]);
    expect(Object.keys(doc.components.schemas).filter((s) => /clock/i.test(s))).toEqual([]);
  });
});
