// pdfkit for the documents OrderDesk renders (quotes, sales orders, invoices, credit notes):
// loaded once on first use, with the standard fonts' metrics parsed once per process, and the
// one table row they all draw.
import type PDFKitDocument from 'pdfkit';

interface AfmMetrics {
  attributes: unknown;
  glyphWidths: unknown;
  kernPairs: unknown;
}

let metricsCached = false;
let pdfkit: Promise<typeof PDFKitDocument> | undefined;

/**
 * pdfkit, loaded on first use (most processes never render a PDF) and kept: a dynamic
 * `import()` per document costs a round trip through the module loader (its hooks thread under
 * tsx) each time, which showed as a large share of issuing thousands of invoices.
 */
function loadPdfKit(): Promise<typeof PDFKitDocument> {
  pdfkit ??= import('pdfkit').then((m) => m.default);
  return pdfkit;
}

/**
 * pdfkit parses a standard font's AFM metrics file anew for every document (regular
 * expressions over ~3,000 lines per font): most of the time of a one-page invoice, and the
 * invoice job renders thousands. The parsed metrics are read-only afterwards, so they are
 * parsed once per font and process: the AFM class's `parse`, reached through the first
 * document's default font, is wrapped with a cache keyed by the file's text. If a pdfkit
 * version no longer has that shape, nothing is patched and every document parses as before.
 */
function cacheStandardFontMetrics(doc: object): void {
  if (metricsCached) return;
  metricsCached = true;
  const afm = (doc as { _font?: { font?: object } })._font?.font;
  if (!afm) return;
  const proto = Object.getPrototypeOf(afm) as { parse?: (this: AfmMetrics, text: string) => void };
  const parse = proto.parse;
  if (typeof parse !== 'function') return;
  const cache = new Map<string, AfmMetrics>();
  proto.parse = function (this: AfmMetrics, text: string): void {
    const hit = cache.get(text);
    if (hit) {
      this.attributes = hit.attributes;
      this.glyphWidths = hit.glyphWidths;
      this.kernPairs = hit.kernPairs;
      return;
    }
    parse.call(this, text);
    cache.set(text, {
      attributes: this.attributes,
      glyphWidths: this.glyphWidths,
      kernPairs: this.kernPairs,
    });
  };
}

/**
 * A new A4 document (50 pt margins) with `info`, and the bytes it ends with. Text is drawn as
 * text (standard fonts), so it can be extracted.
 */
export async function openPdf(
  info: PDFKit.DocumentInfo,
): Promise<{ doc: PDFKit.PDFDocument; done: Promise<Buffer> }> {
  const PDFDocument = await loadPdfKit();
  const doc = new PDFDocument({ size: 'A4', margin: 50, info });
  cacheStandardFontMetrics(doc);
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  return { doc, done };
}

/**
 * Draws table rows: cell i between `cols[i]` and `cols[i + 1]` (the last up to `right`), the
 * first two columns left-aligned and the figures right-aligned; a new page when the page is
 * full.
 */
export function tableRow(
  doc: PDFKit.PDFDocument,
  cols: readonly number[],
  right: number,
): (cells: readonly string[], bold?: boolean) => void {
  return (cells, bold = false) => {
    if (doc.y > 760) doc.addPage();
    const y = doc.y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica');
    cells.forEach((cell, i) => {
      const width = (cols[i + 1] ?? right) - (cols[i] ?? 0) - 4;
      doc.text(cell, cols[i] ?? 50, y, { width, align: i >= 2 ? 'right' : 'left' });
    });
    doc.moveDown(0.3);
    doc.x = 50;
  };
}
