// The API as a client uses it, for the browser tests that seed their data over HTTP (as the
// style guide asks: scenario tests seed through the public API).
import { expect } from 'vitest';

export interface Answer {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test data read loosely
  json: any;
  bytes: Buffer;
}

export type Call = (
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => Promise<Answer>;

/** The API at `baseUrl` as the user, over HTTP with a session cookie and its CSRF token. */
export async function apiAs(baseUrl: string, email: string): Promise<Call> {
  const login = await fetch(`${baseUrl}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'demo' }),
  });
  expect(login.status).toBe(200);
  const cookie = login.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const { csrfToken } = (await login.json()) as { csrfToken: string };
  return async (method, path, body, headers = {}) => {
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        cookie,
        'x-csrf-token': csrfToken,
        ...(method === 'POST' ? { 'idempotency-key': crypto.randomUUID() } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const bytes = Buffer.from(await response.arrayBuffer());
    const type = response.headers.get('content-type') ?? '';
    return {
      status: response.status,
      json: type.includes('json') && bytes.length ? JSON.parse(bytes.toString('utf8')) : undefined,
      bytes,
    };
  };
}

/** A skyline order placed by Acme through the API (as the wizard sends it): id and number. */
export async function placeSkylineOrder(buyer: Call): Promise<{ id: string; number: string }> {
  const customers = await buyer('GET', '/api/v1/customers');
  const customerId = customers.json.items[0].id as string;
  const products = await buyer('GET', '/api/v1/products?vendor=skyline');
  const product = (
    products.json.items as { partNumber: string; type: string; active: boolean }[]
  ).find((p) => p.type === 'subscription' && p.active)!;
  const prices = await buyer(
    'GET',
    `/api/v1/prices?vendor=skyline&partNumbers=${encodeURIComponent(product.partNumber)}`,
  );
  const res = await buyer('POST', '/api/v1/orders', {
    vendor: 'skyline',
    type: 'new',
    channel: 'web_wizard',
    customerId,
    lines: [
      { partNumber: product.partNumber, quantity: 3, unitPrice: prices.json.items[0].netPrice },
    ],
    contacts: {
      siteAdmin: { name: 'Dana Admin', email: 'dana@fabrikam-health.example' },
      invoicing: { name: 'Acme AP', email: 'ap@acme.example' },
    },
    attributes: { primaryDomain: 'fabrikam-health.example' },
    termsAccepted: { version: '2025-01' },
  });
  expect(res.status, res.bytes.toString()).toBe(201);
  return { id: res.json.id, number: res.json.number };
}

/**
 * An edgeworks license order placed by Acme through the API (license_maintenance: a perpetual
 * license for one host, at its net price, on a PO): id and number.
 */
export async function placeEdgeworksOrder(
  buyer: Call,
  poNumber: string,
): Promise<{ id: string; number: string }> {
  const customers = await buyer('GET', '/api/v1/customers');
  const customer = customers.json.items[0] as { id: string; name: string };
  const products = await buyer('GET', '/api/v1/products?vendor=edgeworks');
  const product = (
    products.json.items as { partNumber: string; type: string; active: boolean }[]
  ).find((p) => p.type === 'perpetual_license' && p.active)!;
  const prices = await buyer(
    'GET',
    `/api/v1/prices?vendor=edgeworks&partNumbers=${encodeURIComponent(product.partNumber)}`,
  );
  const unitPrice = prices.json.items[0].netPrice as string;
  const res = await buyer('POST', '/api/v1/orders', {
    vendor: 'edgeworks',
    type: 'license_maintenance',
    channel: 'web_wizard',
    customerId: customer.id,
    lines: [
      { partNumber: product.partNumber, quantity: 1, unitPrice, attributes: { hostId: 'HOST-7' } },
    ],
    purchaseOrder: {
      number: poNumber,
      date: new Date().toISOString().slice(0, 10),
      currency: 'USD',
      total: unitPrice,
    },
    attributes: { endUserName: customer.name },
  });
  expect(res.status, res.bytes.toString()).toBe(201);
  return { id: res.json.id, number: res.json.number };
}
