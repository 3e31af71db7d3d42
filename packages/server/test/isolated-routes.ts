import type { IsolatedRoute } from './isolation.ts';

/**
 * The isolation registry: every tenant-scoped route, by feature, with how it is checked.
 * Feature tests run `expectIsolated` over their lists; the coverage test in
 * foundation.test.ts fails on any /api/v1 route found in no list (nor TENANT_FREE_ROUTES).
 */

/**
 * A credit note's documents: the owner reads them once the invoice is credited (invoices.test.ts
 * credits its invoices first), a 404 before (the isolation matrix's invoices are not credited).
 */
const CREDIT_NOTE_DOCUMENTS: IsolatedRoute[] = [
  {
    method: 'GET',
    route: '/api/v1/invoices/:invoiceId/credit-note/pdf',
    kind: 'item',
    ownerStatuses: [200, 404],
  },
  {
    method: 'GET',
    route: '/api/v1/invoices/:invoiceId/credit-note/ubl',
    kind: 'item',
    ownerStatuses: [200, 404],
  },
];

/** Partner-side routes, checked between Acme and Contoso. */
export const PARTNER_ISOLATION: Record<string, IsolatedRoute[]> = {
  // SLA, escalations, licenses and returns (issue 11, H9): Acme against Contoso in returns.test.ts.
  afterBooking: [
    {
      method: 'POST',
      route: '/api/v1/orders/:orderId/escalations',
      kind: 'item',
      body: { reason: 'Isolation check' },
    },
    { method: 'GET', route: '/api/v1/returns', kind: 'list' },
    { method: 'GET', route: '/api/v1/returns/:returnId', kind: 'item' },
    { method: 'GET', route: '/api/v1/licenses', kind: 'list', query: '?vendor=edgeworks' },
  ],
  // Invoices (issue 11): partners see the invoices of the orders they placed; checked between
  // Acme and Contoso in invoices.test.ts.
  invoices: [
    { method: 'GET', route: '/api/v1/invoices', kind: 'list' },
    { method: 'GET', route: '/api/v1/invoices/:invoiceId', kind: 'item' },
    { method: 'GET', route: '/api/v1/invoices/:invoiceId/pdf', kind: 'item' },
    { method: 'GET', route: '/api/v1/invoices/:invoiceId/ubl', kind: 'item' },
    ...CREDIT_NOTE_DOCUMENTS,
    { method: 'POST', route: '/api/v1/invoices/:invoiceId/actions/resend', kind: 'item' },
  ],
  // Login lockouts of a partner's users (issue 13), checked in lockout.test.ts.
  lockouts: [{ method: 'GET', route: '/api/v1/login-lockouts', kind: 'list' }],
  // Administration (h4): a partner admin's users and tokens, checked in admin.test.ts.
  admin: [
    { method: 'GET', route: '/api/v1/users', kind: 'list' },
    { method: 'DELETE', route: '/api/v1/users/:userId', kind: 'item' },
    { method: 'GET', route: '/api/v1/tokens', kind: 'list' },
    { method: 'DELETE', route: '/api/v1/tokens/:tokenId', kind: 'item' },
  ],
  partnerships: [
    { method: 'GET', route: '/api/v1/partnerships', kind: 'list' },
    {
      method: 'PATCH',
      route: '/api/v1/partnerships/:partnershipId',
      kind: 'item',
      body: { provisioningCc: 'orders@partner.example' },
    },
  ],
  customers: [
    { method: 'GET', route: '/api/v1/customers', kind: 'list' },
    { method: 'GET', route: '/api/v1/customers/:customerId', kind: 'item' },
    {
      method: 'PATCH',
      route: '/api/v1/customers/:customerId',
      kind: 'item',
      body: { employeeCount: 99 },
    },
    { method: 'GET', route: '/api/v1/customers/:customerId/contacts', kind: 'item' },
    {
      method: 'POST',
      route: '/api/v1/customers/:customerId/contacts',
      kind: 'item',
      body: { name: 'Pat Admin', email: 'pat@customer.example', roles: ['site_admin'] },
    },
  ],
  orders: [
    { method: 'GET', route: '/api/v1/orders', kind: 'list' },
    { method: 'GET', route: '/api/v1/orders/:orderId', kind: 'item' },
    { method: 'GET', route: '/api/v1/orders/:orderId/events', kind: 'item' },
    { method: 'GET', route: '/api/v1/orders/:orderId/messages', kind: 'item' },
    // Not on hold: the owner is told 409, a stranger 404.
    {
      method: 'PATCH',
      route: '/api/v1/orders/:orderId',
      kind: 'item',
      body: { attributes: {} },
      ownerStatuses: [409],
    },
    {
      method: 'POST',
      route: '/api/v1/orders/:orderId/actions/:action',
      kind: 'item',
      body: { reason: 'test' },
    },
  ],
  // Documents on orders (issue 10), checked in documents.test.ts. A JSON body is the wrong
  // media type: 415 to the owner, 404 to a stranger.
  documents: [
    { method: 'GET', route: '/api/v1/orders/:orderId/documents', kind: 'item' },
    { method: 'GET', route: '/api/v1/orders/:orderId/documents/:documentId', kind: 'item' },
    {
      method: 'GET',
      route: '/api/v1/orders/:orderId/documents/:documentId/extraction',
      kind: 'item',
    },
    {
      method: 'POST',
      route: '/api/v1/orders/:orderId/documents',
      kind: 'item',
      body: {},
      ownerStatuses: [415],
    },
  ],
  // Writing on a thread (thread-messages.test.ts): the partner writes on its own order's and
  // quote's thread; another partner's is a 404.
  messages: [
    {
      method: 'POST',
      route: '/api/v1/orders/:orderId/messages',
      kind: 'item',
      body: { text: 'Isolation check' },
    },
    {
      method: 'POST',
      route: '/api/v1/quotes/:quoteId/messages',
      kind: 'item',
      body: { text: 'Isolation check' },
    },
  ],
  quotes: [
    { method: 'GET', route: '/api/v1/quotes', kind: 'list' },
    { method: 'GET', route: '/api/v1/quotes/:quoteId', kind: 'item' },
    { method: 'GET', route: '/api/v1/quotes/:quoteId/messages', kind: 'item' },
    { method: 'GET', route: '/api/v1/quotes/:quoteId/pdf', kind: 'item' },
    { method: 'GET', route: '/api/v1/quote-requests', kind: 'list' },
    { method: 'GET', route: '/api/v1/quote-requests/:quoteRequestId', kind: 'item' },
    { method: 'GET', route: '/api/v1/subscriptions', kind: 'list' },
    { method: 'GET', route: '/api/v1/subscriptions/:subscriptionId', kind: 'item' },
    {
      method: 'POST',
      route: '/api/v1/quotes/:quoteId/actions/:quoteAction',
      kind: 'item',
      body: {},
    },
  ],
  // The Excel order template (issue 10): each partner gets its own prices, customers and
  // quotes; checked between Acme and Contoso in order-import.test.ts.
  orderImport: [
    {
      method: 'GET',
      route: '/api/v1/vendors/:slug/order-template',
      kind: 'list',
      query: '?type=license_maintenance',
    },
  ],
  // Checked between Acme and Contoso in catalog.test.ts.
  catalog: [
    { method: 'GET', route: '/api/v1/partnerships/:partnershipId/multipliers', kind: 'item' },
    {
      method: 'GET',
      route: '/api/v1/prices',
      kind: 'list',
      query: '?vendor=northwind&partNumbers=NW-MTG-PRO-U-1Y',
    },
  ],
};

/**
 * Creating routes that name other resources (a customer, a vendor, a quote): a foreign id
 * must be refused as unknown (422 naming the field), never used. Checked in isolation-orders.test.ts.
 */
export const CREATING_ROUTES = new Set([
  // Administration (h4): a foreign parent partner is unknown; enrolling names any partner by the
  // id its admin hands over, unknown ids refused (admin.test.ts).
  'POST /api/v1/partners',
  'POST /api/v1/partnerships',
  'POST /api/v1/orders',
  'POST /api/v1/orders/validate',
  'POST /api/v1/quote-requests',
  'POST /api/v1/quotes',
  // Names a vendor and a customer in the workbook; checked in order-import.test.ts.
  'POST /api/v1/orders/import',
  // Name an order / a vendor (and bundled orders): another partner's is unknown (returns.test.ts,
  // licenses.test.ts).
  'POST /api/v1/returns',
  'POST /api/v1/licenses',
]);

/** Vendor-side routes, checked between northwind and skyline staff. */
export const VENDOR_ISOLATION: Record<string, IsolatedRoute[]> = {
  // SLA summary, returns and licenses (issue 11, H9): edgeworks against northwind in returns.test.ts.
  afterBooking: [
    { method: 'GET', route: '/api/v1/sla', kind: 'list' },
    { method: 'GET', route: '/api/v1/returns', kind: 'list' },
    { method: 'GET', route: '/api/v1/returns/:returnId', kind: 'item' },
    {
      method: 'POST',
      route: '/api/v1/returns/:returnId/actions/:returnAction',
      kind: 'item',
      body: { reason: 'Isolation' },
      ownerStatuses: [200, 409],
    },
  ],
  // Documents on orders (issue 10): edgeworks' against skyline's, in documents.test.ts.
  documents: [
    { method: 'GET', route: '/api/v1/orders/:orderId/documents', kind: 'item' },
    { method: 'GET', route: '/api/v1/orders/:orderId/documents/:documentId', kind: 'item' },
    {
      method: 'GET',
      route: '/api/v1/orders/:orderId/documents/:documentId/extraction',
      kind: 'item',
    },
  ],
  // Invoices and fulfilment (issue 11), checked between edgeworks and northwind admins in
  // invoices.test.ts. A second payment or credit note is a 409 to the owner.
  invoices: [
    { method: 'GET', route: '/api/v1/invoices', kind: 'list' },
    { method: 'GET', route: '/api/v1/invoices/:invoiceId', kind: 'item' },
    { method: 'GET', route: '/api/v1/invoices/:invoiceId/pdf', kind: 'item' },
    { method: 'GET', route: '/api/v1/invoices/:invoiceId/ubl', kind: 'item' },
    { method: 'POST', route: '/api/v1/invoices/:invoiceId/actions/resend', kind: 'item' },
    {
      method: 'POST',
      route: '/api/v1/invoices/:invoiceId/actions/mark-paid',
      kind: 'item',
      body: {},
      ownerStatuses: [200, 409],
    },
    {
      method: 'POST',
      route: '/api/v1/invoices/:invoiceId/credit-notes',
      kind: 'item',
      body: { reason: 'Isolation check' },
      ownerStatuses: [201, 409],
    },
    ...CREDIT_NOTE_DOCUMENTS,
    {
      method: 'POST',
      route: '/api/v1/orders/:orderId/fulfilments',
      kind: 'item',
      body: { lines: [{ lineNo: 1, quantity: 1 }] },
      // Admins do not fulfil (the provisioning role does): 403 to the owner, 404 to others.
      ownerStatuses: [201, 403, 409, 422],
    },
  ],
  // Login lockouts of a vendor's staff (issue 13), checked in lockout.test.ts.
  lockouts: [{ method: 'GET', route: '/api/v1/login-lockouts', kind: 'list' }],
  // Administration (h4): profiles, staff and tokens, checked in admin.test.ts. The profile body
  // is not the owner's vendor's (422 to the owner), so only the scope decides the stranger's 404.
  admin: [
    {
      method: 'PUT',
      route: '/api/v1/vendors/:slug/profile',
      kind: 'item',
      body: { slug: 'not-this-vendor' },
      ownerStatuses: [422],
    },
    { method: 'GET', route: '/api/v1/vendors/:slug/profile/versions', kind: 'item' },
    { method: 'GET', route: '/api/v1/vendors/:slug/profile/source', kind: 'item' },
    { method: 'GET', route: '/api/v1/users', kind: 'list' },
    { method: 'DELETE', route: '/api/v1/users/:userId', kind: 'item' },
    { method: 'GET', route: '/api/v1/tokens', kind: 'list' },
    { method: 'DELETE', route: '/api/v1/tokens/:tokenId', kind: 'item' },
  ],
  vendors: [
    { method: 'GET', route: '/api/v1/vendors', kind: 'list' },
    { method: 'GET', route: '/api/v1/vendors/:slug/profile', kind: 'item' },
    { method: 'GET', route: '/api/v1/partners', kind: 'list' },
  ],
  partnerships: [
    { method: 'GET', route: '/api/v1/partnerships', kind: 'list' },
    {
      method: 'PATCH',
      route: '/api/v1/partnerships/:partnershipId',
      kind: 'item',
      body: { legalName: 'Renamed Ltd.' },
    },
  ],
  orders: [
    { method: 'GET', route: '/api/v1/orders', kind: 'list' },
    { method: 'GET', route: '/api/v1/orders/:orderId', kind: 'item' },
    { method: 'GET', route: '/api/v1/orders/:orderId/events', kind: 'item' },
    { method: 'GET', route: '/api/v1/orders/:orderId/messages', kind: 'item' },
    {
      method: 'POST',
      route: '/api/v1/orders/:orderId/actions/:action',
      kind: 'item',
      body: { reason: 'Missing paperwork' },
    },
    { method: 'GET', route: '/api/v1/quotes', kind: 'list' },
    { method: 'GET', route: '/api/v1/quotes/:quoteId', kind: 'item' },
    { method: 'GET', route: '/api/v1/quotes/:quoteId/messages', kind: 'item' },
    {
      method: 'POST',
      route: '/api/v1/quotes/:quoteId/actions/:quoteAction',
      kind: 'item',
      body: {},
    },
    { method: 'GET', route: '/api/v1/quote-requests', kind: 'list' },
    { method: 'GET', route: '/api/v1/quote-requests/:quoteRequestId', kind: 'item' },
    { method: 'GET', route: '/api/v1/subscriptions', kind: 'list' },
    { method: 'GET', route: '/api/v1/subscriptions/:subscriptionId', kind: 'item' },
    {
      method: 'POST',
      route: '/api/v1/subscriptions/:subscriptionId/renewal-quote',
      kind: 'item',
      body: {},
      // A vendor whose profile prepares no renewal quotes (skyline) answers its own staff 422.
      ownerStatuses: [201, 422],
    },
  ],
  // The Excel order template (issue 10), checked between edgeworks and northwind admins in
  // order-import.test.ts: another vendor's template is a 404 (the owner, naming no type, 400).
  orderImport: [
    {
      method: 'GET',
      route: '/api/v1/vendors/:slug/order-template',
      kind: 'item',
      ownerStatuses: [400],
    },
  ],
  // Writing on a thread (thread-messages.test.ts): another vendor's order or quote is a 404. The
  // owner's quote may be a draft, which its staff may not write to the partner about yet (409).
  messages: [
    {
      method: 'POST',
      route: '/api/v1/orders/:orderId/messages',
      kind: 'item',
      body: { text: 'Isolation check' },
    },
    {
      method: 'POST',
      route: '/api/v1/quotes/:quoteId/messages',
      kind: 'item',
      body: { text: 'Isolation check' },
      ownerStatuses: [201, 409],
    },
  ],
  // Mail intake (issue 10), checked between edgeworks and northwind desks in intake.test.ts.
  // Converting the owner's incomplete draft is a 422; rejecting it may find it decided (409).
  intake: [
    { method: 'GET', route: '/api/v1/intake', kind: 'list' },
    { method: 'GET', route: '/api/v1/intake/:intakeId', kind: 'item' },
    {
      method: 'POST',
      route: '/api/v1/intake/:intakeId/actions/convert',
      kind: 'item',
      body: {},
      ownerStatuses: [201, 409, 422],
    },
    {
      method: 'POST',
      route: '/api/v1/intake/:intakeId/actions/reject',
      kind: 'item',
      body: { reason: 'Checked by the isolation test' },
      ownerStatuses: [200, 409],
    },
  ],
  // The outbox's dead letters (issue 10), checked between skyline and northwind admins in
  // mail.test.ts. Retrying twice is a 409 to the owner (no longer dead).
  outbox: [
    { method: 'GET', route: '/api/v1/outbox', kind: 'list', query: '?status=dead' },
    {
      method: 'POST',
      route: '/api/v1/outbox/:outboxId/actions/retry',
      kind: 'item',
      ownerStatuses: [200, 409],
    },
  ], // Catalog admin data, checked between northwind and skyline admins in catalog.test.ts.
  catalog: [
    { method: 'GET', route: '/api/v1/products', kind: 'list' },
    { method: 'GET', route: '/api/v1/products/:partNumber', kind: 'item' },
    {
      method: 'PATCH',
      route: '/api/v1/products/:partNumber',
      kind: 'item',
      body: { description: 'Checked by the isolation test' },
    },
    { method: 'GET', route: '/api/v1/categories', kind: 'list' },
    {
      method: 'PATCH',
      route: '/api/v1/categories/:categoryKey',
      kind: 'item',
      body: { name: 'Renamed category' },
    },
    { method: 'GET', route: '/api/v1/vendors/:slug/price-lists', kind: 'item' },
    { method: 'GET', route: '/api/v1/vendors/:slug/price-lists/:priceListId', kind: 'item' },
    { method: 'GET', route: '/api/v1/vendors/:slug/price-lists/:priceListId/export', kind: 'item' },
    {
      // The tenant check runs before the body is read: a stranger gets 404, while the owner
      // gets past it to the content-type check (this body has none: 415).
      method: 'POST',
      route: '/api/v1/vendors/:slug/price-lists',
      kind: 'item',
      body: 'partNumber,name,type,category,listPrice\n',
      ownerStatuses: [415],
    },
    { method: 'GET', route: '/api/v1/partnerships/:partnershipId/multipliers', kind: 'item' },
    {
      method: 'POST',
      route: '/api/v1/partnerships/:partnershipId/multipliers',
      kind: 'item',
      body: { multiplier: '0.5', effectiveFrom: '2031-01-01' },
    },
    {
      method: 'PATCH',
      route: '/api/v1/partnerships/:partnershipId/multipliers/:multiplierId',
      kind: 'item',
      body: { effectiveTo: null },
    },
  ],
};

/**
 * A distributor and its tier-2 reseller's records (issue 13, point 7): the distributor reads
 * (`reads`: 200, a list naming the record) the reseller's customers and orders, the quotes,
 * requests and subscriptions its partnership covers, and the invoices of the reseller's orders
 * (billed to the contracting partnership, the distributor's); it acts on none of the reseller's
 * orders or customers (`refused`: 403, nothing changes). `acts` marks what the distributor may
 * do today although it is the reseller's record: decline or approve a quote issued for the
 * reseller's customer or write on its thread, and have an invoice of the reseller's order sent
 * again (to the order's invoicing contact). Issue 13 point 7 settles orders and customers only; make these `refused`
 * if the distributor should only read them. Every other partner route is a wall between them.
 * Checked between Acme and Beta in isolation-matrix.test.ts.
 */
export interface DistributorAccess {
  method: 'GET' | 'POST' | 'PATCH';
  route: string;
  expect: 'reads' | 'refused' | 'acts';
  body?: unknown;
  query?: string;
}

export const DISTRIBUTOR_ACCESS: DistributorAccess[] = [
  { method: 'GET', route: '/api/v1/customers', query: '?limit=500', expect: 'reads' },
  { method: 'GET', route: '/api/v1/customers/:customerId', expect: 'reads' },
  { method: 'GET', route: '/api/v1/customers/:customerId/contacts', expect: 'reads' },
  {
    method: 'PATCH',
    route: '/api/v1/customers/:customerId',
    body: { employeeCount: 7 },
    expect: 'refused',
  },
  {
    method: 'POST',
    route: '/api/v1/customers/:customerId/contacts',
    body: { name: 'Pat', email: 'pat@tailspin.example', roles: ['billing'] },
    expect: 'refused',
  },
  { method: 'GET', route: '/api/v1/orders', query: '?limit=500', expect: 'reads' },
  { method: 'GET', route: '/api/v1/orders/:orderId', expect: 'reads' },
  { method: 'GET', route: '/api/v1/orders/:orderId/events', expect: 'reads' },
  { method: 'GET', route: '/api/v1/orders/:orderId/messages', expect: 'reads' },
  // Threads: the reseller writes on its order's thread, the distributor only reads it.
  {
    method: 'POST',
    route: '/api/v1/orders/:orderId/messages',
    body: { text: 'Not mine to write on' },
    expect: 'refused',
  },
  // Documents (issue 10): the distributor reads its reseller's documents but adds none.
  { method: 'GET', route: '/api/v1/orders/:orderId/documents', expect: 'reads' },
  { method: 'GET', route: '/api/v1/orders/:orderId/documents/:documentId', expect: 'reads' },
  {
    method: 'GET',
    route: '/api/v1/orders/:orderId/documents/:documentId/extraction',
    expect: 'reads',
  },
  { method: 'POST', route: '/api/v1/orders/:orderId/documents', body: {}, expect: 'refused' },
  {
    method: 'PATCH',
    route: '/api/v1/orders/:orderId',
    body: { attributes: {} },
    expect: 'refused',
  },
  {
    method: 'POST',
    route: '/api/v1/orders/:orderId/actions/:action',
    body: { reason: 'Not mine to act on' },
    expect: 'refused',
  },
  { method: 'GET', route: '/api/v1/quotes', query: '?limit=500', expect: 'reads' },
  { method: 'GET', route: '/api/v1/quotes/:quoteId', expect: 'reads' },
  { method: 'GET', route: '/api/v1/quotes/:quoteId/messages', expect: 'reads' },
  // Like declining it: the distributor may write about a quote its partnership covers.
  {
    method: 'POST',
    route: '/api/v1/quotes/:quoteId/messages',
    body: { text: 'About this quote' },
    expect: 'acts',
  },
  { method: 'GET', route: '/api/v1/quotes/:quoteId/pdf', expect: 'reads' },
  { method: 'GET', route: '/api/v1/quote-requests', query: '?limit=500', expect: 'reads' },
  { method: 'GET', route: '/api/v1/quote-requests/:quoteRequestId', expect: 'reads' },
  { method: 'GET', route: '/api/v1/subscriptions', query: '?limit=500', expect: 'reads' },
  { method: 'GET', route: '/api/v1/subscriptions/:subscriptionId', expect: 'reads' },
  {
    method: 'POST',
    route: '/api/v1/quotes/:quoteId/actions/:quoteAction',
    body: { reason: 'Too expensive' },
    expect: 'acts',
  },
  { method: 'GET', route: '/api/v1/invoices', query: '?limit=500', expect: 'reads' },
  { method: 'GET', route: '/api/v1/invoices/:invoiceId', expect: 'reads' },
  { method: 'GET', route: '/api/v1/invoices/:invoiceId/pdf', expect: 'reads' },
  { method: 'GET', route: '/api/v1/invoices/:invoiceId/ubl', expect: 'reads' },
  { method: 'POST', route: '/api/v1/invoices/:invoiceId/actions/resend', expect: 'acts' },
];

/** Routes open to anyone logged in (or anonymous) whose answers hold no tenant data beyond the caller's own. */
export const TENANT_FREE_ROUTES = new Set([
  // Administration (h4): creates users in the caller's own tenant; the invitation link is its
  // own credential (anonymous).
  'POST /api/v1/users',
  'POST /api/v1/invitations/:token',
  'GET /api/v1/health',
  'GET /api/v1/demo-logins', // the web app's log-in page: public demo accounts, no tenant data
  'POST /api/v1/session',
  'GET /api/v1/session', // the caller's own user, or null
  'DELETE /api/v1/session',
  'GET /api/v1/me',
  'POST /api/v1/tokens',
  'POST /api/v1/customers',
  // Create in the caller's own vendor's catalog only.
  'POST /api/v1/products',
  'POST /api/v1/categories',
  'GET /api/v1/openapi.json',
]);

/** Every registered isolated route as `METHOD /path` with parameters normalized. */
export function coveredRoutes(): Set<string> {
  const all = [...Object.values(PARTNER_ISOLATION), ...Object.values(VENDOR_ISOLATION)].flat();
  return new Set([...all.map((r) => `${r.method} ${normalizeRoute(r.route)}`), ...CREATING_ROUTES]);
}

export function normalizeRoute(route: string): string {
  return route.replace(/:\w+/g, ':id');
}
