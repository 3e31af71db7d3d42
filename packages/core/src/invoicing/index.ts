export {
  INVOICE_STATUSES,
  TAX_CATEGORIES,
  computeInvoiceTotals,
  creditNoteTotals,
  decideTax,
  formatInvoiceAmount,
  formatInvoiceNumber,
  formatRate,
  taxOf,
} from './invoice.rules.ts';
export type {
  InvoiceLineAmounts,
  InvoiceLineInput,
  InvoiceStatus,
  InvoiceTaxPolicy,
  InvoiceTotals,
  TaxBuyer,
  TaxCategory,
  TaxDecision,
  TaxSubtotal,
} from './invoice.rules.ts';
export { invoiceDateOf, invoiceDueDate, invoiceIssueAt } from './invoice.timing.ts';
