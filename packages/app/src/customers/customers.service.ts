import {
  findContactByEmail,
  findCustomerInScope,
  insertContact,
  insertCustomer,
  listContacts,
  listCustomers,
  lockCustomerContacts,
  updateCustomer,
  type Customer,
  type CustomerContact,
  type Executor,
} from '@orderdesk/store';
import { z } from 'zod';
import { requireAccess, type PartnerAccess } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { eventActorOf, recordEvent } from '../events/record-event.ts';
import { conflict, forbidden, notFound } from '../shared/errors.ts';
import { decodeCursor, pageOf, type Page, type PageQuery } from '../shared/paging.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import type {
  contactBodySchema,
  contactSchema,
  customerBodySchema,
  customerPatchSchema,
  customerSchema,
} from './customers.schemas.ts';

export type CustomerView = z.infer<typeof customerSchema>;
export type ContactView = z.infer<typeof contactSchema>;
export type CustomerInput = z.infer<typeof customerBodySchema>;
export type CustomerPatch = z.infer<typeof customerPatchSchema>;
export type ContactInput = z.infer<typeof contactBodySchema>;

export function toCustomerView(c: Customer): CustomerView {
  return {
    id: c.id,
    partnerId: c.partner_id,
    name: c.name,
    domains: JSON.parse(c.domains) as string[],
    microsoftDomain: c.microsoft_domain,
    employeeCount: c.employee_count,
    taxId: c.tax_id,
    addresses: JSON.parse(c.addresses) as CustomerView['addresses'],
    createdAt: c.created_at,
  };
}

export function toContactView(c: CustomerContact): ContactView {
  return {
    id: c.id,
    customerId: c.customer_id,
    name: c.name,
    email: c.email,
    phone: c.phone,
    roles: JSON.parse(c.roles) as ContactView['roles'],
  };
}

/** A customer the partner may see (its own or, for a distributor, its tier-2s'); 404 otherwise. */
async function customerInScope(
  db: Executor,
  actor: Actor & { partnerId: string },
  id: string,
): Promise<Customer> {
  const c = await findCustomerInScope(db, id, actor.partnerScopeIds);
  if (!c) throw notFound('Customer');
  return c;
}

/**
 * A customer the partner may change: its own. A distributor reads its tier-2 resellers'
 * customers but does not edit them (the reseller does): 403, not 404 — it can see them.
 */
async function ownCustomer(
  db: Executor,
  actor: Actor & { partnerId: string },
  id: string,
): Promise<Customer> {
  const c = await customerInScope(db, actor, id);
  if (c.partner_id !== actor.partnerId) {
    throw forbidden("A distributor reads its resellers' customers; the reseller edits them");
  }
  return c;
}

const cursorSchema = z.object({ id: z.string() });

/** Customers and their contacts are the partner's: read and kept by its users, not the vendor's. */
export const CUSTOMERS_ACCESS: PartnerAccess = { partner: 'any' };

/** The partner's customers (a distributor also sees its tier-2s'), a page at a time. */
export async function listCustomersPage(
  ctx: AppContext,
  actor: Actor,
  query: { limit: number; cursor?: string | undefined },
): Promise<Page<CustomerView>> {
  const partner = requireAccess(actor, CUSTOMERS_ACCESS);
  const after = decodeCursor(query.cursor, cursorSchema);
  const rows = await listCustomers(
    ctx.store.db,
    { partnerIds: partner.partnerScopeIds },
    { limit: query.limit + 1, ...(after ? { after: after.id } : {}) },
  );
  return pageOf(rows, query.limit, (last) => ({ id: last.id }), toCustomerView);
}

/** One customer the partner may see. */
export async function getCustomer(
  ctx: AppContext,
  actor: Actor,
  customerId: string,
): Promise<CustomerView> {
  return toCustomerView(
    await customerInScope(ctx.store.db, requireAccess(actor, CUSTOMERS_ACCESS), customerId),
  );
}

/** Creates a customer organization of the caller's partner. Records `customer.created`. */
export async function createCustomer(
  ctx: AppContext,
  actor: Actor,
  input: CustomerInput,
  options: WriteOptions = {},
): Promise<CustomerView> {
  const partner = requireAccess(actor, CUSTOMERS_ACCESS);
  return inTransaction(ctx, options, async (tx) => {
    const at = ctx.now().toISOString();
    const row = await insertCustomer(tx, { ...input, partnerId: partner.partnerId, at });
    await recordEvent(tx, {
      type: 'customer.created',
      entityId: row.id,
      vendorId: null,
      partnerId: partner.partnerId,
      actor: eventActorOf(actor),
      at,
      data: { customerId: row.id, name: row.name },
    });
    return toCustomerView(row);
  });
}

/** Changes a customer's details. Records `customer.updated` with the fields changed. */
export async function patchCustomer(
  ctx: AppContext,
  actor: Actor,
  input: { customerId: string; patch: CustomerPatch },
  options: WriteOptions = {},
): Promise<CustomerView> {
  const partner = requireAccess(actor, CUSTOMERS_ACCESS);
  return inTransaction(ctx, options, async (tx) => {
    const customer = await ownCustomer(tx, partner, input.customerId);
    const at = ctx.now().toISOString();
    await updateCustomer(tx, customer.id, input.patch, at);
    await recordEvent(tx, {
      type: 'customer.updated',
      entityId: customer.id,
      vendorId: null,
      partnerId: customer.partner_id,
      actor: eventActorOf(actor),
      at,
      data: { customerId: customer.id, fields: Object.keys(input.patch) },
    });
    return toCustomerView(await customerInScope(tx, partner, customer.id));
  });
}

/**
 * Adds a contact (site admin, billing, technical) to a customer. Records `contact.added`. An
 * e-mail one of the customer's contacts has already (in any case) → 409 naming that contact.
 */
export async function addContact(
  ctx: AppContext,
  actor: Actor,
  input: { customerId: string; contact: ContactInput },
  options: WriteOptions = {},
): Promise<ContactView> {
  const partner = requireAccess(actor, CUSTOMERS_ACCESS);
  return inTransaction(ctx, options, async (tx) => {
    const customer = await ownCustomer(tx, partner, input.customerId);
    // One contact per e-mail address and customer (a person has one set of roles there);
    // whose the address is, is the caller's own customer's business only.
    await lockCustomerContacts(tx, customer.id);
    const existing = await findContactByEmail(tx, customer.id, input.contact.email);
    if (existing) {
      throw conflict(
        `The customer already has a contact with the e-mail "${existing.email}" (${existing.id})`,
        [
          {
            path: 'email',
            code: 'duplicate',
            message: `${existing.email} is already a contact of this customer`,
          },
        ],
      );
    }
    const at = ctx.now().toISOString();
    const contact = await insertContact(tx, { ...input.contact, customerId: customer.id, at });
    await recordEvent(tx, {
      type: 'contact.added',
      entityId: customer.id,
      vendorId: null,
      partnerId: customer.partner_id,
      actor: eventActorOf(actor),
      at,
      data: {
        customerId: customer.id,
        contactId: contact.id,
        role: input.contact.roles.join(',') || null,
      },
    });
    return toContactView(contact);
  });
}

/** A customer's contacts, a page at a time. */
export async function listCustomerContacts(
  ctx: AppContext,
  actor: Actor,
  customerId: string,
  query: PageQuery,
): Promise<Page<ContactView>> {
  const customer = await customerInScope(
    ctx.store.db,
    requireAccess(actor, CUSTOMERS_ACCESS),
    customerId,
  );
  const after = decodeCursor(query.cursor, cursorSchema);
  const rows = await listContacts(ctx.store.db, customer.id, {
    limit: query.limit + 1,
    afterId: after?.id,
  });
  return pageOf(rows, query.limit, (last) => ({ id: last.id }), toContactView);
}
