// The UBL 2.1 CreditNote of a credit note, profiled like the invoice's UBL (EN 16931, PEPPOL
// BIS Billing 3.0): the same parties, deliver-to (Delivery), tax category and order reference
// as the credited invoice, a BillingReference to it, and one CreditNoteLine per invoice line.
// A CreditNote's type already says that it credits, so its amounts are positive (a negative
// one would credit a credit, EN 16931): the stored totals, which are negative, are written
// negated, to the cent.
// Elements are written in the order the UBL 2.1 CreditNote XSD requires (the tests validate it).
import { formatAmount } from '@orderdesk/core';
import type { CreditNoteDocument } from '../invoices/invoice-document.ts';
import {
  PEPPOL_CUSTOMIZATION_ID,
  PEPPOL_PROFILE_ID,
  deliveryUbl,
  el,
  lineUbl,
  partiesUbl,
  totalsUbl,
} from './invoice-ubl.ts';

/** UNTDID 1001 code of a commercial credit note. */
const CREDIT_NOTE_TYPE_CODE = '381';

/** Renders the UBL 2.1 CreditNote XML of a credit note. */
export function renderCreditNoteUbl(doc: CreditNoteDocument): string {
  const cur = doc.currency;
  const { invoice } = doc;
  // The credited amount of a stored (negative) amount.
  const amount = (name: string, storedMinor: number): string =>
    el(name, formatAmount(storedMinor === 0 ? 0 : -storedMinor, cur), { currencyID: cur });
  const orderRef = invoice.poNumber ?? invoice.orderNumber;
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"' +
      ' xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"' +
      ' xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">',
    el('cbc:CustomizationID', PEPPOL_CUSTOMIZATION_ID),
    el('cbc:ProfileID', PEPPOL_PROFILE_ID),
    el('cbc:ID', doc.number),
    el('cbc:IssueDate', doc.issueDate),
    el('cbc:CreditNoteTypeCode', CREDIT_NOTE_TYPE_CODE),
    el('cbc:Note', `Reason: ${doc.reason}`),
    el('cbc:DocumentCurrencyCode', cur),
    el('cbc:BuyerReference', orderRef),
    `<cac:OrderReference>${el('cbc:ID', orderRef)}${invoice.salesOrderNumber ? el('cbc:SalesOrderID', invoice.salesOrderNumber) : ''}</cac:OrderReference>`,
    '<cac:BillingReference><cac:InvoiceDocumentReference>',
    el('cbc:ID', invoice.number),
    el('cbc:IssueDate', invoice.issueDate),
    '</cac:InvoiceDocumentReference></cac:BillingReference>',
    ...partiesUbl(invoice.seller, invoice.buyer),
    deliveryUbl(invoice.buyer),
    `<cac:PaymentTerms>${el('cbc:Note', `Credits invoice ${invoice.number} of ${invoice.issueDate} in full`)}</cac:PaymentTerms>`,
    ...totalsUbl(amount, doc, invoice.tax),
    ...doc.lines.flatMap((line) => lineUbl(amount, line, invoice.tax, 'CreditNote')),
    '</CreditNote>',
  ];
  return out.filter((s) => s !== '').join('\n') + '\n';
}
