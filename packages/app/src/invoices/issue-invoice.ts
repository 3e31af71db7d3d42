// Issuing an order's invoice: once per order (the order row is locked first, the invoice is
// unique per order), numbered gaplessly per vendor inside the issuing transaction (a rolled
// back issue gives its number back), the lines and amounts copied from the order as booked,
// the tax decided by the profile and the buyer's country and tax ID. The buyer is the partner
// (two-tier channel: the vendor invoices its partner, seed 002's "invoicing contact provided by
// your company"), with the billing details of its partnership; the end customer the order was
// for is on the invoice as such (name, ship-to), never as the buyer. Recording
// `invoice.issued` mails it to the invoicing contact through the profile's notification rule
// (with the PDF and UBL named as attachments), or through ours when the profile has none.
import {
  calendarOfSla,
  computeInvoiceTotals,
  decideTax,
  formatAmount,
  formatInvoiceNumber,
  invoiceDateOf,
  invoiceDueDate,
  type OrderSubmission,
  type VendorProfile,
} from '@orderdesk/core';
import {
  findCustomerById,
  findInvoiceOfOrder,
  findPartnership,
  findUserById,
  insertInvoice,
  listOrderLines,
  lockOrderRow,
  newId,
  nextCounterValue,
  type Executor,
  type Invoice,
  type Order,
} from '@orderdesk/store';
import { renderInvoicePdf } from '../documents/invoice-pdf.ts';
import { renderInvoiceUbl } from '../documents/invoice-ubl.ts';
import { SYSTEM_ACTOR, recordEvent, type EventActor } from '../events/record-event.ts';
import { vendorOf } from '../orders/order-view.ts';
import type { InvoiceAddress, InvoiceBuyer, InvoiceSeller } from './invoice-document.ts';
import { invoiceDocumentOf } from './invoice-document.ts';
import { attachInvoiceToMail } from './invoice-mail.ts';
import { billingOf } from '../partnerships/partnerships.service.ts';

export type IssueOutcome =
  | { issued: true; invoice: Invoice }
  | { issued: false; reason: 'exists' | 'not_found' | 'not_invoiceable'; invoice?: Invoice };

interface CustomerAddress extends InvoiceAddress {
  kind?: string;
}

function sellerOf(profile: VendorProfile, vendorSlug: string): InvoiceSeller {
  const s = profile.invoicing.seller;
  if (s) {
    return {
      name: s.legalName,
      country: s.country,
      taxId: s.taxId ?? null,
      endpoint: { scheme: s.endpoint.scheme, id: s.endpoint.id },
      address: s.address ? { ...s.address, country: s.country } : null,
    };
  }
  // A profile without a seller block: the vendor's name, its holiday country, a mail endpoint.
  return {
    name: profile.name,
    country: profile.sla.calendar.holidays?.country ?? 'US',
    taxId: null,
    endpoint: { scheme: 'EM', id: `invoices@${vendorSlug}.orderdesk.invalid` },
    address: null,
  };
}

// The postal fields alone: an order's shipping address also carries a name, the end customer's
// tax ID and `confirmed`, which are not the invoice's.
function addressOf(a: InvoiceAddress): InvoiceAddress {
  return {
    line1: a.line1,
    line2: a.line2,
    city: a.city,
    region: a.region,
    postalCode: a.postalCode,
    country: a.country,
  };
}

async function buyerOf(
  tx: Executor,
  order: Order,
  body: Partial<OrderSubmission>,
  sellerCountry: string,
): Promise<InvoiceBuyer> {
  const partnership = await findPartnership(tx, order.vendor_id, order.partner_id);
  const billing = partnership ? billingOf(partnership) : null;
  const customer = await findCustomerById(tx, order.customer_id);
  // The end customer's ship-to: the order's shipping address, else where the customer has its
  // goods or site. Its tax ID (a device's shipping address carries one) is the end customer's,
  // for the carrier and customs: never the buyer's.
  const addresses = customer ? (JSON.parse(customer.addresses) as CustomerAddress[]) : [];
  const customerAddress =
    addresses.find((a) => a.kind === 'shipping') ?? addresses.find((a) => a.kind !== 'billing');
  const shipping = body.shippingAddress;
  const shipTo = shipping
    ? addressOf(shipping)
    : customerAddress
      ? addressOf(customerAddress)
      : null;
  // The order's invoicing contact when it gives an e-mail, else the partnership's: as a whole,
  // so that a name is never paired with another person's address.
  const ordered = body.contacts?.invoicing;
  const contactEmail = ordered?.email ?? partnership?.invoicing_contact_email ?? null;
  const contactName = ordered?.email
    ? (ordered.name ?? null)
    : (partnership?.invoicing_contact_name ?? null);
  const submitter = contactEmail ? undefined : await findUserById(tx, order.submitted_by);
  return {
    name: partnership?.legal_name ?? order.partner_id,
    partnerId: order.partner_id,
    // A partnership whose billing country the vendor has not set: the partner is assumed to
    // be in the seller's country (domestic tax), as invoices always assumed of an unknown buyer.
    country: billing?.country ?? sellerCountry,
    taxId: billing?.taxId ?? null,
    address: billing?.address ? addressOf(billing.address) : null,
    contact: { name: contactName, email: contactEmail },
    endpoint: {
      scheme: 'EM',
      id: contactEmail ?? submitter?.email ?? `${order.partner_id}@invalid`,
    },
    customerName: customer?.name ?? null,
    shipTo,
  };
}

/**
 * Issues the invoice of an order at `at`, in the caller's transaction; does nothing (and says
 * why) when the order already has one. The caller has decided that the invoice is due.
 */
export async function issueInvoiceForOrder(
  tx: Executor,
  input: { orderId: string; vendorId: string; at: Date; actor?: EventActor },
): Promise<IssueOutcome> {
  await lockOrderRow(tx, input.orderId);
  const existing = await findInvoiceOfOrder(tx, input.orderId);
  if (existing) return { issued: false, reason: 'exists', invoice: existing };
  const order = await tx
    .selectFrom('orders')
    .selectAll()
    .where('id', '=', input.orderId)
    .where('vendor_id', '=', input.vendorId)
    .executeTakeFirst();
  if (!order) return { issued: false, reason: 'not_found' };
  if (order.status === 'rejected' || order.status === 'cancelled') {
    return { issued: false, reason: 'not_invoiceable' };
  }
  const { slug, profile } = await vendorOf(tx, order);
  const body = JSON.parse(order.body) as Partial<OrderSubmission>;
  const seller = sellerOf(profile, slug);
  const buyer = await buyerOf(tx, order, body, seller.country);
  const tax = decideTax(profile.invoicing.tax, seller.country, buyer);
  const lines = await listOrderLines(tx, order.id);
  const totals = computeInvoiceTotals({
    currency: order.currency,
    lines: lines.map((l) => ({
      lineNo: l.line_no,
      partNumber: l.part_number,
      name: l.name ?? l.part_number,
      quantity: l.quantity,
      unitPriceMinor: Number(l.unit_price_minor),
    })),
    tax,
    rounding: profile.pricing.rounding,
  });
  const at = input.at.toISOString();
  const issueDate = invoiceDateOf(calendarOfSla(profile.sla).timeZone, input.at);
  const sequence = await nextCounterValue(tx, order.vendor_id, 'invoice');
  const invoice: Invoice = {
    id: newId('inv'),
    vendor_id: order.vendor_id,
    partner_id: order.partner_id,
    ordering_partner_id: order.ordering_partner_id,
    order_id: order.id,
    number: formatInvoiceNumber(profile.invoicing.numberPrefix, sequence),
    status: 'issued',
    version: 1,
    currency: order.currency,
    issued_at: at,
    issue_date: issueDate,
    due_date: invoiceDueDate(issueDate, profile.invoicing.paymentTermsDays),
    payment_terms_days: profile.invoicing.paymentTermsDays,
    subtotal_minor: totals.subtotalMinor,
    tax_minor: totals.taxMinor,
    total_minor: totals.totalMinor,
    tax_category: tax.category,
    tax_rate: tax.rate,
    tax_exemption_reason: tax.exemptionReason,
    seller: JSON.stringify(seller),
    buyer: JSON.stringify(buyer),
    order_number: order.number,
    sales_order_number: order.sales_order_number,
    po_number: order.po_number,
    paid_at: null,
    paid_on: null,
    credited_at: null,
    created_at: at,
    updated_at: at,
  };
  const invoiceLines = totals.lines.map((l) => ({
    invoice_id: invoice.id,
    line_no: l.lineNo,
    part_number: l.partNumber,
    name: l.name,
    quantity: l.quantity,
    unit_price_minor: l.unitPriceMinor,
    amount_minor: l.amountMinor,
  }));
  await insertInvoice(tx, invoice, invoiceLines);
  const event = await recordEvent(tx, {
    type: 'invoice.issued',
    entityId: invoice.id,
    vendorId: order.vendor_id,
    partnerId: order.partner_id,
    actor: input.actor ?? SYSTEM_ACTOR,
    at,
    toStatus: 'issued',
    data: {
      invoiceId: invoice.id,
      number: invoice.number,
      orderId: order.id,
      total: formatAmount(totals.totalMinor, order.currency),
      currency: order.currency,
      dueDate: invoice.due_date,
    },
  });
  const doc = invoiceDocumentOf(invoice, invoiceLines);
  const pdf = await renderInvoicePdf(doc);
  const ubl = renderInvoiceUbl(doc);
  await attachInvoiceToMail(tx, {
    eventId: event.id,
    invoice,
    order,
    profile,
    vendorSlug: slug,
    sizes: { pdf: pdf.length, ubl: Buffer.byteLength(ubl) },
  });
  return { issued: true, invoice };
}
