// The UBL 2.1 Invoice of an issued invoice, following EN 16931 as PEPPOL BIS Billing 3.0
// profiles it: the specification and process identifiers, both parties with their electronic
// addresses (EndpointID) — the buyer is the partner, as billed under its partnership — the end
// customer the order was for as the deliver-to (Delivery), the tax breakdown per category
// (S standard, Z zero-rated, AE reverse charge) and the monetary totals. Elements are written
// in the order the UBL 2.1 XSD requires (the tests validate each demo vendor's invoice against
// it with xmllint).
import { formatAmount, formatRate } from '@orderdesk/core';
import type { InvoiceAddress, InvoiceDocument } from '../invoices/invoice-document.ts';

export const PEPPOL_CUSTOMIZATION_ID =
  'urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0';
export const PEPPOL_PROFILE_ID = 'urn:fdc:peppol.eu:2017:poacc:billing:01:1.0';

const XML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

function esc(text: string): string {
  // Control characters other than tab and newlines are not allowed in XML 1.0.
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
    .replace(/[&<>"']/g, (c) => XML_ESCAPES[c] ?? c);
}

/** One element with its text (escaped) and attributes. */
export function el(name: string, value: string, attrs: Record<string, string> = {}): string {
  const a = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${esc(v)}"`)
    .join('');
  return `<${name}${a}>${esc(value)}</${name}>`;
}

function address(
  a: InvoiceAddress | null,
  country: string,
  tag: 'cac:PostalAddress' | 'cac:Address' = 'cac:PostalAddress',
): string {
  const parts: string[] = [];
  if (a) {
    parts.push(el('cbc:StreetName', a.line1));
    if (a.line2) parts.push(el('cbc:AdditionalStreetName', a.line2));
    parts.push(el('cbc:CityName', a.city), el('cbc:PostalZone', a.postalCode));
    if (a.region) parts.push(el('cbc:CountrySubentity', a.region));
  }
  parts.push(`<cac:Country>${el('cbc:IdentificationCode', a?.country ?? country)}</cac:Country>`);
  return `<${tag}>${parts.join('')}</${tag}>`;
}

const vatScheme = '<cac:TaxScheme><cbc:ID>VAT</cbc:ID></cac:TaxScheme>';

/** The tax category of the document (`cac:TaxCategory`) or of a line's item. */
export function taxCategory(
  tax: InvoiceDocument['tax'],
  tag: 'cac:TaxCategory' | 'cac:ClassifiedTaxCategory',
): string {
  const parts = [el('cbc:ID', tax.category), el('cbc:Percent', formatRate(tax.rate))];
  if (tag === 'cac:TaxCategory' && tax.category !== 'S' && tax.exemptionReason) {
    if (tax.category === 'AE') parts.push(el('cbc:TaxExemptionReasonCode', 'VATEX-EU-AE'));
    parts.push(el('cbc:TaxExemptionReason', tax.exemptionReason));
  }
  return `<${tag}>${parts.join('')}${vatScheme}</${tag}>`;
}

/**
 * Both parties of a billing document, seller then buyer, with their electronic addresses
 * (EndpointID), postal addresses, tax IDs and legal names; the buyer's invoicing contact.
 */
export function partiesUbl(
  seller: InvoiceDocument['seller'],
  buyer: InvoiceDocument['buyer'],
): string[] {
  return [
    '<cac:AccountingSupplierParty><cac:Party>',
    el('cbc:EndpointID', seller.endpoint.id, { schemeID: seller.endpoint.scheme }),
    `<cac:PartyName>${el('cbc:Name', seller.name)}</cac:PartyName>`,
    address(seller.address, seller.country),
    seller.taxId
      ? `<cac:PartyTaxScheme>${el('cbc:CompanyID', seller.taxId)}${vatScheme}</cac:PartyTaxScheme>`
      : '',
    `<cac:PartyLegalEntity>${el('cbc:RegistrationName', seller.name)}</cac:PartyLegalEntity>`,
    '</cac:Party></cac:AccountingSupplierParty>',
    '<cac:AccountingCustomerParty><cac:Party>',
    el('cbc:EndpointID', buyer.endpoint.id, { schemeID: buyer.endpoint.scheme }),
    `<cac:PartyIdentification>${el('cbc:ID', buyer.partnerId)}</cac:PartyIdentification>`,
    `<cac:PartyName>${el('cbc:Name', buyer.name)}</cac:PartyName>`,
    address(buyer.address, buyer.country),
    buyer.taxId
      ? `<cac:PartyTaxScheme>${el('cbc:CompanyID', buyer.taxId)}${vatScheme}</cac:PartyTaxScheme>`
      : '',
    `<cac:PartyLegalEntity>${el('cbc:RegistrationName', buyer.name)}</cac:PartyLegalEntity>`,
    buyer.contact.name || buyer.contact.email
      ? `<cac:Contact>${buyer.contact.name ? el('cbc:Name', buyer.contact.name) : ''}${buyer.contact.email ? el('cbc:ElectronicMail', buyer.contact.email) : ''}</cac:Contact>`
      : '',
    '</cac:Party></cac:AccountingCustomerParty>',
  ];
}

/**
 * The end customer as the deliver-to of an invoice and of the credit note reversing it
 * (EN 16931 BG-13: BT-70 its name, BG-15 its ship-to address), which is not the buyer: the
 * partner is billed, the end customer served. Empty when the order names neither (older
 * invoices stored no ship-to).
 */
export function deliveryUbl(buyer: InvoiceDocument['buyer']): string {
  const shipTo = buyer.shipTo ?? null;
  if (!shipTo && !buyer.customerName) return '';
  return [
    '<cac:Delivery>',
    shipTo
      ? `<cac:DeliveryLocation>${address(shipTo, shipTo.country, 'cac:Address')}</cac:DeliveryLocation>`
      : '',
    buyer.customerName
      ? `<cac:DeliveryParty><cac:PartyName>${el('cbc:Name', buyer.customerName)}</cac:PartyName></cac:DeliveryParty>`
      : '',
    '</cac:Delivery>',
  ].join('');
}

/** An amount element in the document's currency (each document writes its own amounts). */
type AmountElement = (name: string, minor: number) => string;

/** The TaxTotal and LegalMonetaryTotal of an invoice or credit note, in XSD order. */
export function totalsUbl(
  amount: AmountElement,
  totals: { subtotalMinor: number; taxMinor: number; totalMinor: number },
  tax: InvoiceDocument['tax'],
): string[] {
  return [
    '<cac:TaxTotal>',
    amount('cbc:TaxAmount', totals.taxMinor),
    '<cac:TaxSubtotal>',
    amount('cbc:TaxableAmount', totals.subtotalMinor),
    amount('cbc:TaxAmount', totals.taxMinor),
    taxCategory(tax, 'cac:TaxCategory'),
    '</cac:TaxSubtotal>',
    '</cac:TaxTotal>',
    '<cac:LegalMonetaryTotal>',
    amount('cbc:LineExtensionAmount', totals.subtotalMinor),
    amount('cbc:TaxExclusiveAmount', totals.subtotalMinor),
    amount('cbc:TaxInclusiveAmount', totals.totalMinor),
    amount('cbc:PayableAmount', totals.totalMinor),
    '</cac:LegalMonetaryTotal>',
  ];
}

/** One InvoiceLine, or CreditNoteLine (its quantity element is CreditedQuantity). */
export function lineUbl(
  amount: AmountElement,
  line: InvoiceDocument['lines'][number],
  tax: InvoiceDocument['tax'],
  kind: 'Invoice' | 'CreditNote',
): string[] {
  const quantity = kind === 'Invoice' ? 'cbc:InvoicedQuantity' : 'cbc:CreditedQuantity';
  return [
    `<cac:${kind}Line>`,
    el('cbc:ID', String(line.lineNo)),
    el(quantity, String(line.quantity), { unitCode: 'C62' }),
    amount('cbc:LineExtensionAmount', line.amountMinor),
    '<cac:Item>',
    el('cbc:Name', line.name),
    `<cac:SellersItemIdentification>${el('cbc:ID', line.partNumber)}</cac:SellersItemIdentification>`,
    taxCategory(tax, 'cac:ClassifiedTaxCategory'),
    '</cac:Item>',
    `<cac:Price>${amount('cbc:PriceAmount', line.unitPriceMinor)}</cac:Price>`,
    `</cac:${kind}Line>`,
  ];
}

/** Renders the UBL 2.1 Invoice XML of an issued invoice. */
export function renderInvoiceUbl(doc: InvoiceDocument): string {
  const cur = doc.currency;
  const amount = (name: string, minor: number): string =>
    el(name, formatAmount(minor, cur), { currencyID: cur });
  const { seller, buyer } = doc;
  const orderRef = doc.poNumber ?? doc.orderNumber;
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"' +
      ' xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"' +
      ' xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">',
    el('cbc:CustomizationID', PEPPOL_CUSTOMIZATION_ID),
    el('cbc:ProfileID', PEPPOL_PROFILE_ID),
    el('cbc:ID', doc.number),
    el('cbc:IssueDate', doc.issueDate),
    el('cbc:DueDate', doc.dueDate),
    el('cbc:InvoiceTypeCode', '380'),
    el(
      'cbc:Note',
      `Order ${doc.orderNumber}${doc.salesOrderNumber ? ` / sales order ${doc.salesOrderNumber}` : ''}`,
    ),
    el('cbc:DocumentCurrencyCode', cur),
    el('cbc:BuyerReference', orderRef),
    `<cac:OrderReference>${el('cbc:ID', orderRef)}${doc.salesOrderNumber ? el('cbc:SalesOrderID', doc.salesOrderNumber) : ''}</cac:OrderReference>`,
    ...partiesUbl(seller, buyer),
    deliveryUbl(buyer),
    `<cac:PaymentMeans>${el('cbc:PaymentMeansCode', '30')}${el('cbc:PaymentID', doc.number)}</cac:PaymentMeans>`,
    `<cac:PaymentTerms>${el('cbc:Note', `Net ${doc.paymentTermsDays} days, due ${doc.dueDate}`)}</cac:PaymentTerms>`,
    ...totalsUbl(amount, doc, doc.tax),
    ...doc.lines.flatMap((line) => lineUbl(amount, line, doc.tax, 'Invoice')),
    '</Invoice>',
  ];
  return out.filter((s) => s !== '').join('\n') + '\n';
}
