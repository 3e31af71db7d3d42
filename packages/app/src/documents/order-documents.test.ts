import { describe, expect, it } from 'vitest';
import { emptyExtraction } from './extracted-order.ts';
import { cleanDocumentName, compareExtractionToOrder } from './order-documents.ts';

const order = {
  po_number: 'PO-7',
  currency: 'USD',
  total_minor: 93600,
  body: JSON.stringify({
    purchaseOrder: { number: 'PO-7', total: '936.00', specialTerms: 'Net 30 per MSA 2024-11.' },
  }),
};

function extraction(fields: {
  number?: string;
  total?: string;
  currency?: string;
  terms?: string;
}) {
  const e = emptyExtraction();
  if (fields.number) e.purchaseOrder.number = fields.number;
  if (fields.total) e.purchaseOrder.total = fields.total;
  if (fields.currency) e.purchaseOrder.currency = fields.currency;
  if (fields.terms) e.specialTermsText = fields.terms;
  return e;
}

describe('compareExtractionToOrder', () => {
  it('finds nothing when the PDF says what the order says (amounts exact, clause in the text)', () => {
    expect(
      compareExtractionToOrder(
        extraction({
          number: 'PO-7',
          total: '936',
          currency: 'USD',
          terms: 'Ship ASAP\nNet 30  per MSA\n2024-11.',
        }),
        order,
      ),
    ).toEqual([]);
  });

  it('names each disagreement: PO number, currency, total, clause', () => {
    const problems = compareExtractionToOrder(
      extraction({ number: 'PO-8', total: '936.01', currency: 'EUR', terms: 'Net 45' }),
      order,
    );
    expect(problems.map((p) => `${p.path}:${p.code}`)).toEqual([
      'purchaseOrder.number:invalid',
      'purchaseOrder.currency:currency.mismatch',
      'purchaseOrder.total:total.mismatch',
      'purchaseOrder.specialTerms:special_terms.mismatch',
    ]);
    expect(problems[2]).toMatchObject({ expected: '936.00', actual: '936.01' });
  });

  it('says what the PDF lacks', () => {
    expect(
      compareExtractionToOrder(extraction({}), order).map((p) => `${p.path}:${p.code}`),
    ).toEqual([
      'purchaseOrder.number:required',
      'purchaseOrder.total:required',
      'purchaseOrder.specialTerms:special_terms.missing',
    ]);
  });
});

describe('cleanDocumentName', () => {
  it('keeps the base name without control characters or quotes', () => {
    expect(cleanDocumentName('C:\\Users\\me\\PO "final".pdf')).toBe('PO final.pdf');
    expect(cleanDocumentName('../../etc/passwd')).toBe('passwd');
    expect(cleanDocumentName('a\u0000b\u001f.txt')).toBe('ab.txt');
    expect(cleanDocumentName('..')).toBe('document');
    expect(cleanDocumentName(undefined)).toBe('document');
    expect(cleanDocumentName('x'.repeat(300))).toHaveLength(255);
  });
});
