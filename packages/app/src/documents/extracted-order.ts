/**
 * What OrderDesk read out of a purchase order it did not receive as typed JSON: a PDF's text,
 * the vendor's Excel template, or a mail body. Every field is optional — extraction reports
 * what it found, and validation (the same engine as `POST /orders/validate`) says what is
 * missing or wrong. Amounts and quantities stay decimal strings exactly as read ("1,234.50"
 * normalised to "1234.50"); dates are ISO `YYYY-MM-DD`.
 *
 * Shared by the PDF reader (documents/po-pdf), the Excel template reader
 * (documents/order-template) and mail intake (intake/).
 */
export interface ExtractedPurchaseOrder {
  purchaseOrder: {
    number?: string;
    date?: string;
    currency?: string;
    total?: string;
    buyer?: string;
  };
  lines: ExtractedOrderLine[];
  quoteNumber?: string;
  contacts?: ExtractedContact[];
  /** The special-terms clause as found in the document or mail body, verbatim. */
  specialTermsText?: string;
  /** Order attributes found by name (e.g. host IDs, the end customer's domain). */
  attributes?: Record<string, string>;
  /** Where each field came from and what was uncertain, for the desk to read. */
  notes: string[];
}

export interface ExtractedOrderLine {
  partNumber?: string;
  description?: string;
  quantity?: string;
  unitPrice?: string;
  lineTotal?: string;
}

export interface ExtractedContact {
  role?: string;
  name?: string;
  email?: string;
  phone?: string;
}

/** An empty extraction, to fill in. */
export function emptyExtraction(): ExtractedPurchaseOrder {
  return { purchaseOrder: {}, lines: [], notes: [] };
}
