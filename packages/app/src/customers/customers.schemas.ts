import { z } from 'zod';
import { postalAddressFields } from '@orderdesk/core';
import { roleListSchema } from '../shared/role-list.ts';

const domain = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(
    /^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'A domain name like example.com',
  );

export const addressSchema = z.strictObject({
  kind: z.enum(['billing', 'shipping', 'site']).default('site'),
  name: z.string().trim().min(1).max(200).optional(),
  ...postalAddressFields,
});

export const customerBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(300),
  domains: z.array(domain).max(50).optional(),
  microsoftDomain: domain
    .optional()
    .describe('The Microsoft tenant domain, e.g. contoso.onmicrosoft.com'),
  employeeCount: z.number().int().min(1).max(10_000_000).optional(),
  taxId: z.string().trim().min(2).max(50).optional(),
  addresses: z.array(addressSchema).max(20).optional(),
});
export const customerPatchSchema = customerBodySchema.partial();

export const customerSchema = z
  .object({
    id: z.string(),
    partnerId: z.string(),
    name: z.string(),
    domains: z.array(z.string()),
    microsoftDomain: z.string().nullable(),
    employeeCount: z.number().int().nullable(),
    taxId: z.string().nullable(),
    addresses: z.array(addressSchema),
    createdAt: z.string(),
  })
  .meta({ id: 'Customer' });

export const CONTACT_ROLES = ['site_admin', 'billing', 'technical'] as const;

export const contactBodySchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  email: z.email(),
  phone: z.string().trim().min(3).max(40).optional(),
  roles: roleListSchema(CONTACT_ROLES),
});

export const contactSchema = z
  .object({
    id: z.string(),
    customerId: z.string(),
    name: z.string(),
    email: z.string(),
    phone: z.string().nullable(),
    roles: z.array(z.enum(CONTACT_ROLES)),
  })
  .meta({ id: 'Contact' });
