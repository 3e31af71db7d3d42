import {
  findCustomerInScope,
  insertAuditEvent,
  insertContact,
  insertCustomer,
  listContacts,
  listCustomers,
  updateCustomer,
  type Customer,
  type CustomerContact,
  type Executor,
} from '@orderdesk/store';
import type { z } from 'zod';
import type { Actor } from '../auth/actor.ts';
import { notFound } from '../shared/errors.ts';
import type {
  contactBodySchema,
  contactSchema,
  customerBodySchema,
  customerPatchSchema,
  customerSchema,
} from './customers.schemas.ts';

export type CustomerView = z.infer<typeof customerSchema>;
export type ContactView = z.infer<typeof contactSchema>;

export function toCustomerView(c: Customer): CustomerView {
  return {
    id: c.id,
    partnerId: c.partner_id,
    name: c.name,
    domains: JSON.parse(c.domains) as string[],
    microsoftDomain: c.microsoft_domain,
    employeeCount: c.employee_count,
    taxId: c.tax_id,
    addresses: JSON.parse(c.addresses) as Record<string, unknown>[],
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
export async function getCustomer(
  db: Executor,
  actor: Actor & { partnerId: string },
  id: string,
): Promise<Customer> {
  const c = await findCustomerInScope(db, id, actor.partnerScopeIds);
  if (!c) throw notFound('Customer');
  return c;
}

export async function createCustomer(
  db: Executor,
  actor: Actor & { partnerId: string },
  body: z.infer<typeof customerBodySchema>,
): Promise<CustomerView> {
  const row = await insertCustomer(db, { partnerId: actor.partnerId, ...body });
  await insertAuditEvent(db, {
    partnerId: actor.partnerId,
    entityType: 'customer',
    entityId: row.id,
    type: 'customer.created',
    actorUserId: actor.userId,
    actorLabel: actor.email,
  });
  return toCustomerView(row);
}

export async function patchCustomer(
  db: Executor,
  actor: Actor & { partnerId: string },
  id: string,
  body: z.infer<typeof customerPatchSchema>,
): Promise<CustomerView> {
  await getCustomer(db, actor, id);
  await updateCustomer(db, id, body);
  await insertAuditEvent(db, {
    partnerId: actor.partnerId,
    entityType: 'customer',
    entityId: id,
    type: 'customer.updated',
    actorUserId: actor.userId,
    actorLabel: actor.email,
    data: body,
  });
  return toCustomerView(await getCustomer(db, actor, id));
}

export async function pageCustomers(
  db: Executor,
  actor: Actor & { partnerId: string },
  page: { limit: number; after?: string },
): Promise<Customer[]> {
  return listCustomers(db, { partnerIds: actor.partnerScopeIds }, page);
}

export async function addContact(
  db: Executor,
  actor: Actor & { partnerId: string },
  customerId: string,
  body: z.infer<typeof contactBodySchema>,
): Promise<ContactView> {
  await getCustomer(db, actor, customerId);
  const contact = await insertContact(db, { customerId, ...body });
  await insertAuditEvent(db, {
    partnerId: actor.partnerId,
    entityType: 'customer',
    entityId: customerId,
    type: 'customer.contact_added',
    actorUserId: actor.userId,
    actorLabel: actor.email,
    data: { contactId: contact.id, roles: body.roles },
  });
  return toContactView(contact);
}

export async function contactsOf(
  db: Executor,
  actor: Actor & { partnerId: string },
  customerId: string,
): Promise<ContactView[]> {
  await getCustomer(db, actor, customerId);
  return (await listContacts(db, customerId)).map(toContactView);
}
