// Invoice arithmetic: which tax applies (standard, zero-rated or reverse charge, by the buyer's
// country and tax ID), the per-category subtotals and the totals, in integer minor units.
// The lines are the order's lines as booked: an invoice never re-prices, so its subtotal is
// the order's total to the cent whatever rounding the profile chose for net prices. Tax is
// rounded once per tax category (EN 16931 BR-CO-17), by the profile's rounding mode.
import {
  decimalFromText,
  formatAmount,
  multiplyMinor,
  sumMinor,
  toDecimal,
  toMinor,
  type RoundingMode,
} from '../money/index.ts';
import type { InvoicingPolicy } from '../profile/profile.schema.ts';

/** UNCL5305 tax categories an invoice uses: standard rate, zero-rated, reverse charge. */
export const TAX_CATEGORIES = ['S', 'Z', 'AE'] as const;
export type TaxCategory = (typeof TAX_CATEGORIES)[number];

export const INVOICE_STATUSES = ['issued', 'paid', 'credited'] as const;
export type InvoiceStatus = (typeof INVOICE_STATUSES)[number];

export type InvoiceTaxPolicy = NonNullable<InvoicingPolicy['tax']>;

/** The tax an invoice applies to every line, and why. */
export interface TaxDecision {
  readonly category: TaxCategory;
  /** Percent as a decimal string ("20", "8.875"); "0" unless the category is S. */
  readonly rate: string;
  /** Printed on the invoice and in UBL (BT-120) when no tax is charged. */
  readonly exemptionReason: string | null;
}

/** Who is invoiced, as far as tax is concerned. */
export interface TaxBuyer {
  /** ISO 3166-1 alpha-2; null when unknown (the seller's country is assumed). */
  readonly country: string | null;
  readonly taxId: string | null;
}

/**
 * Decides the tax of an invoice: reverse charge for a buyer abroad with a tax ID when the
 * profile says so, else the rate of the buyer's country (or `*`), else zero-rated.
 */
export function decideTax(
  tax: InvoiceTaxPolicy | undefined,
  sellerCountry: string,
  buyer: TaxBuyer,
): TaxDecision {
  const country = buyer.country ?? sellerCountry;
  const abroad = country !== sellerCountry;
  if (tax?.reverseChargeWhenTaxId && abroad && buyer.taxId) {
    return { category: 'AE', rate: '0', exemptionReason: 'Reverse charge' };
  }
  const rate =
    tax?.rates.find((r) => r.country === country)?.rate ??
    tax?.rates.find((r) => r.country === '*')?.rate;
  if (rate === undefined || decimalFromText(rate).isZero()) {
    return {
      category: 'Z',
      rate: '0',
      exemptionReason: abroad ? 'Export outside the seller’s tax territory' : 'Zero-rated supply',
    };
  }
  return { category: 'S', rate, exemptionReason: null };
}

/** One line to invoice: a booked order line. */
export interface InvoiceLineInput {
  readonly lineNo: number;
  readonly partNumber: string;
  readonly name: string;
  readonly quantity: number;
  readonly unitPriceMinor: number;
}

export interface InvoiceLineAmounts extends InvoiceLineInput {
  readonly amountMinor: number;
}

export interface TaxSubtotal {
  readonly category: TaxCategory;
  readonly rate: string;
  readonly taxableMinor: number;
  readonly taxMinor: number;
  readonly exemptionReason: string | null;
}

export interface InvoiceTotals {
  readonly currency: string;
  readonly lines: readonly InvoiceLineAmounts[];
  readonly subtotalMinor: number;
  readonly taxSubtotals: readonly TaxSubtotal[];
  readonly taxMinor: number;
  readonly totalMinor: number;
}

/** Tax of a taxable amount at a percent rate, rounded once to the currency's minor unit. */
export function taxOf(
  taxableMinor: number,
  rate: string,
  currency: string,
  rounding: RoundingMode = 'half_up',
): number {
  const exact = toDecimal(taxableMinor, currency).times(decimalFromText(rate)).dividedBy(100);
  return toMinor(exact, currency, rounding);
}

/** The amounts of an invoice of `lines` under one tax decision. */
export function computeInvoiceTotals(input: {
  currency: string;
  lines: readonly InvoiceLineInput[];
  tax: TaxDecision;
  rounding?: RoundingMode;
}): InvoiceTotals {
  const { currency, tax } = input;
  const lines = input.lines.map((l) => ({
    ...l,
    amountMinor: multiplyMinor(l.unitPriceMinor, l.quantity),
  }));
  const subtotalMinor = sumMinor(lines.map((l) => l.amountMinor));
  const taxMinor =
    tax.category === 'S' ? taxOf(subtotalMinor, tax.rate, currency, input.rounding) : 0;
  return {
    currency,
    lines,
    subtotalMinor,
    taxSubtotals: [
      {
        category: tax.category,
        rate: tax.rate,
        taxableMinor: subtotalMinor,
        taxMinor,
        exemptionReason: tax.exemptionReason,
      },
    ],
    taxMinor,
    totalMinor: sumMinor([subtotalMinor, taxMinor]),
  };
}

/** The amounts of a credit note that reverses an invoice in full: each amount, negated. */
export function creditNoteTotals(invoice: InvoiceTotals): InvoiceTotals {
  const neg = (n: number): number => (n === 0 ? 0 : -n);
  return {
    currency: invoice.currency,
    lines: invoice.lines.map((l) => ({
      ...l,
      unitPriceMinor: neg(l.unitPriceMinor),
      amountMinor: neg(l.amountMinor),
    })),
    subtotalMinor: neg(invoice.subtotalMinor),
    taxSubtotals: invoice.taxSubtotals.map((t) => ({
      ...t,
      taxableMinor: neg(t.taxableMinor),
      taxMinor: neg(t.taxMinor),
    })),
    taxMinor: neg(invoice.taxMinor),
    totalMinor: neg(invoice.totalMinor),
  };
}

/** Invoice number: the profile's prefix and the gapless sequence value, six digits at least. */
export function formatInvoiceNumber(prefix: string, sequence: number): string {
  return `${prefix}${String(sequence).padStart(6, '0')}`;
}

/** "8.875" → "8.875", "20.0" → "20": the rate as UBL and the PDF print it. */
export function formatRate(rate: string): string {
  return decimalFromText(rate).toFixed();
}

/** Formats minor units as the API's decimal string (re-exported for documents). */
export const formatInvoiceAmount = formatAmount;
