/**
 * The words purchase orders use for their fields and columns — the only knowledge of "what a
 * PO looks like" the reader has. No layout is described anywhere: where a value sits is found
 * from geometry (right of its label, or under it).
 */

export const HEADER_FIELDS = [
  'poNumber',
  'date',
  'currency',
  'total',
  'buyer',
  'quoteNumber',
  'specialTerms',
  'contact',
  'vendor',
  'shipTo',
  'shipVia',
  'fob',
  'shippingTerms',
  'paymentTerms',
  'summary',
] as const;
export type HeaderField = (typeof HEADER_FIELDS)[number];

export const HEADER_LABELS: Record<HeaderField, RegExp> = {
  poNumber:
    /^(?:p\.?\s?o\.?|purchase\s+order|order|bestell)\s*(?:#|no\.?|num\.?|number|nr\.?|id|nummer|-nr\.?)$|^bestellnummer$|^n°\s+de\s+commande$/,
  date: /^(?:po\s+|p\.o\.\s+|order\s+|purchase\s+order\s+|issue\s+|document\s+|bestell)?date$|^(?:bestell)?datum$/,
  currency: /^(?:currency|währung|devise)$/,
  total:
    /^(?:grand\s+|order\s+|po\s+|net\s+)?total(?:\s+(?:amount|due|value|price|order))?(?:\s*\(?[a-z]{3}\)?)?$|^amount\s+due$|^(?:gesamtbetrag|gesamtsumme|endbetrag|montant\s+total)$/,
  buyer:
    /^(?:buyer|purchaser|bill\s+to|invoice\s+to|sold\s+to|customer|client|besteller|auftraggeber)$/,
  quoteNumber:
    /^(?:quote|quotation|offer|angebot)\s*(?:#|no\.?|number|ref\.?|reference|id|nr\.?)?$|^(?:your\s+)?quote\s+ref(?:erence)?$|^angebotsnummer$/,
  specialTerms:
    /^(?:comments?\s+(?:or|and|&)\s+special\s+instructions|special\s+(?:instructions|terms|conditions)(?:\s+and\s+conditions)?|comments?|remarks|notes?|additional\s+terms|bemerkungen|sonderbedingungen)$/,
  contact:
    /^(?:requisitioner|requested\s+by|ordered\s+by|contact(?:\s+person)?|buyer\s+contact|attn|attention|ansprechpartner)$/,
  vendor: /^(?:vendor|supplier|seller|lieferant)$/,
  shipTo: /^(?:ship\s+to|deliver\s+to|delivery\s+address|lieferadresse)$/,
  shipVia: /^(?:ship\s+via|carrier|shipping\s+method)$/,
  fob: /^f\.?\s?o\.?\s?b\.?$/,
  shippingTerms: /^(?:shipping\s+terms|incoterms?|delivery\s+terms)$/,
  paymentTerms: /^(?:payment\s+terms|terms(?:\s+of\s+payment)?|zahlungsbedingungen)$/,
  summary:
    /^(?:sub\s?-?total|tax|vat|sales\s+tax|ship(?:ping)?(?:\/ins)?|freight|handling|discount|shipping\s+&\s+handling|mwst\.?|zwischensumme)$/,
};

export const COLUMN_ROLES = [
  'partNumber',
  'description',
  'quantity',
  'unitPrice',
  'lineTotal',
] as const;
export type ColumnRole = (typeof COLUMN_ROLES)[number];

export const COLUMN_LABELS: Record<ColumnRole, RegExp> = {
  partNumber:
    /^(?:item|item\s*(?:#|no\.?|number|code|id)|part|part\s*(?:#|no\.?|number)|p\/n|sku|product\s*(?:#|no\.?|code|id)|article(?:\s*no\.?)?|material(?:\s*no\.?)?|catalog(?:ue)?\s*(?:#|no\.?)|code|art\.?-?nr\.?|artikel(?:nummer)?|référence)$/,
  description:
    /^(?:description|item\s+description|product(?:\s+name)?|name|details|bezeichnung|beschreibung|désignation)$/,
  quantity: /^(?:qty\.?|quantity|quantities|units|qty\s+ordered|menge|anzahl|quantité|qté)$/,
  unitPrice:
    /^(?:unit\s+price|price|unit\s+cost|rate|price\s+each|net\s+price|each|einzelpreis|prix\s+unitaire)(?:\s*\(?[a-z]{3}\)?)?$/,
  lineTotal:
    /^(?:total|amount|line\s+total|extended(?:\s+price)?|ext\.?\s+(?:price|amount)|net\s+amount|total\s+price|gesamt(?:preis)?|betrag|montant)(?:\s*\(?[a-z]{3}\)?)?$/,
};

export const TITLE_PATTERN = /purchase\s+order|bestellung|bon\s+de\s+commande/i;

/** Lower case, single spaces, no trailing colon: how a label is compared. */
export function normalizeLabel(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').trim().replace(/\s*:$/, '').trim();
}

export function headerFieldOf(text: string): HeaderField | undefined {
  const label = normalizeLabel(text);
  if (label === '') return undefined;
  return HEADER_FIELDS.find((field) => HEADER_LABELS[field].test(label));
}

export function columnRoleOf(text: string): ColumnRole | undefined {
  const label = normalizeLabel(text);
  return COLUMN_ROLES.find((role) => COLUMN_LABELS[role].test(label));
}

/** "PO #: 190122", "Date: 7/27/2019", "PO #190122" → label and value in one segment. */
export function splitInlineLabel(text: string): { field: HeaderField; value: string } | undefined {
  const colon = /^([^:]{1,40}?)\s*:\s*(\S.*)$/.exec(text);
  if (colon) {
    const field = headerFieldOf(colon[1]!);
    if (field) return { field, value: colon[2]!.trim() };
  }
  const hash = /^(.{1,30}?#)\s*(\S.*)$/.exec(text);
  if (hash) {
    const field = headerFieldOf(hash[1]!);
    if (field) return { field, value: hash[2]!.trim() };
  }
  // "PO Number 4711", "Order Date 2026-03-01": a label and its value with only spaces between,
  // accepted when the value looks like one of that field (so prose starting "Total …" is not).
  const words = text.trim().split(/\s+/);
  for (let count = Math.min(4, words.length - 1); count >= 1; count -= 1) {
    const field = headerFieldOf(words.slice(0, count).join(' '));
    const value = words.slice(count).join(' ');
    if (field && SPACED_VALUE[field]?.test(value)) return { field, value };
  }
  return undefined;
}

/** What a value separated from its label by spaces alone must look like, per field. */
const SPACED_VALUE: Partial<Record<HeaderField, RegExp>> = {
  poNumber: /^[A-Z0-9][A-Z0-9\-/._]*\d[A-Z0-9\-/._]*$/i,
  quoteNumber: /^[A-Z0-9][A-Z0-9\-/._]*\d[A-Z0-9\-/._]*$/i,
  date: /^(?:\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{1,2}\.?\s+[A-Za-z]{3,9}\.?,?\s+\d{4}|[A-Za-z]{3,9}\.?\s+\d{1,2},?\s+\d{4})$/,
  currency: /^[A-Z]{3}$/,
  total: /^(?:[A-Z]{3}\s*|[$€£¥]\s*)?-?[\d.,' ]*\d(?:\s*(?:[A-Z]{3}|[$€£¥]))?$/,
};
