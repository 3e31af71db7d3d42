import { calendarDate, INVOICE_STATUSES, TAX_CATEGORIES } from '@orderdesk/core';
import { z } from 'zod';
import { postalAddressViewSchema } from '../shared/address.ts';
import { pageQuerySchema } from '../shared/paging.ts';

const idString = z.string().trim().min(1).max(100);

export const invoiceLineViewSchema = z.object({
  lineNo: z.number().int(),
  partNumber: z.string(),
  name: z.string(),
  quantity: z.number().int(),
  unitPrice: z.string(),
  amount: z.string(),
});

export const invoiceAddressSchema = postalAddressViewSchema
  .extend({ country: z.string() })
  .meta({ id: 'InvoiceAddress' });

export const creditNoteViewSchema = z
  .object({
    id: z.string(),
    number: z.string(),
    invoiceId: z.string(),
    invoiceNumber: z.string(),
    issuedAt: z.string(),
    issueDate: z.string(),
    reason: z.string(),
    currency: z.string(),
    subtotal: z.string(),
    taxTotal: z.string(),
    total: z.string(),
  })
  .meta({ id: 'CreditNote' });

export const invoiceSummarySchema = z
  .object({
    id: z.string(),
    number: z.string(),
    orderId: z.string(),
    orderNumber: z.string(),
    salesOrderNumber: z.string().nullable(),
    poNumber: z.string().nullable(),
    status: z.enum(INVOICE_STATUSES),
    version: z.number().int(),
    issuedAt: z.string(),
    issueDate: z.string(),
    /** The due date (issue date plus the payment terms), ISO date. */
    dueAt: z.string(),
    paymentTermsDays: z.number().int(),
    currency: z.string(),
    subtotal: z.string(),
    taxTotal: z.string(),
    total: z.string(),
    tax: z.object({
      category: z.enum(TAX_CATEGORIES),
      rate: z.string(),
      exemptionReason: z.string().nullable(),
    }),
    /** When the payment was recorded. */
    paidAt: z.string().nullable(),
    /** The day the payment was made: mark-paid's `paidOn`, else the day it was recorded. */
    paidOn: z.string().nullable(),
    creditedAt: z.string().nullable(),
  })
  .meta({ id: 'InvoiceSummary' });

export const invoiceSchema = invoiceSummarySchema
  .extend({
    seller: z.object({ name: z.string(), country: z.string(), taxId: z.string().nullable() }),
    /**
     * The partner, as its partnership bills it (legal name, billing country, tax ID, address):
     * the vendor invoices its partner, whose country and tax ID the tax follows.
     */
    buyer: z.object({
      name: z.string(),
      country: z.string(),
      taxId: z.string().nullable(),
      address: invoiceAddressSchema.nullable(),
      contactEmail: z.string().nullable(),
    }),
    /** The end customer the order was for: served (ship-to), not billed. */
    endCustomer: z.object({
      name: z.string().nullable(),
      shipTo: invoiceAddressSchema.nullable(),
    }),
    lines: z.array(invoiceLineViewSchema),
    creditNote: creditNoteViewSchema.nullable(),
  })
  .meta({ id: 'Invoice' });

export const invoiceListQuerySchema = pageQuerySchema.extend({
  orderId: idString.optional(),
  status: z.enum(INVOICE_STATUSES).optional(),
});

export const creditNoteBodySchema = z.strictObject({
  reason: z.string().trim().min(1).max(2000),
});

export const markPaidBodySchema = z
  .strictObject({
    /** The date the payment was received (ISO date); today in the vendor's zone if absent. */
    paidOn: calendarDate.optional(),
  })
  .optional();

export const invoiceRequestResultSchema = z.object({
  invoiceId: z.string(),
  number: z.string(),
  sentTo: z.array(z.string()),
});

export type InvoiceSummaryView = z.infer<typeof invoiceSummarySchema>;
export type InvoiceView = z.infer<typeof invoiceSchema>;
export type CreditNoteView = z.infer<typeof creditNoteViewSchema>;
