import type { PdfTextPage } from './pdf-text-extractor.ts';

/** A run of text on one line with no column gap inside it: "UNIT PRICE", "1,876.00". */
export interface Segment {
  text: string;
  x0: number;
  x1: number;
  /** Baseline, in a page-independent coordinate (pages stacked downwards). */
  y: number;
  size: number;
  page: number;
  line: number;
}

export interface Line {
  index: number;
  page: number;
  y: number;
  size: number;
  segments: Segment[];
}

// Pages are stacked with this gap so that "below" and vertical distances work across pages
// while a page break always reads as a large gap.
const PAGE_STRIDE = 100_000;

/**
 * Rebuilds the lines of the document from positioned text: items on one baseline form a line,
 * and items closer than about a space apart form one segment. Column gaps (a tab stop, a table
 * cell) separate segments, which is what the field finder reads as label → value.
 */
export function buildLines(pages: PdfTextPage[]): Line[] {
  const lines: Line[] = [];
  pages.forEach((page, pageIndex) => {
    const items = page.items
      .map((item) => ({ ...item, str: item.str.replace(/\s+/g, ' ') }))
      .filter((item) => item.str.trim() !== '')
      .sort((a, b) => b.y - a.y || a.x - b.x);
    const rows: (typeof items)[] = [];
    for (const item of items) {
      const row = rows.find(
        (candidate) => Math.abs(candidate[0]!.y - item.y) <= Math.max(2, item.h * 0.25),
      );
      if (row) row.push(item);
      else rows.push([item]);
    }
    rows.sort((a, b) => b[0]!.y - a[0]!.y);
    for (const row of rows) {
      row.sort((a, b) => a.x - b.x);
      const y = row[0]!.y - pageIndex * PAGE_STRIDE;
      const size = Math.max(...row.map((item) => item.h));
      const line: Line = { index: lines.length, page: pageIndex, y, size, segments: [] };
      let current: Segment | undefined;
      for (const item of row) {
        const gap = current ? item.x - current.x1 : Infinity;
        // Within a word pdf.js items touch; a space is ~0.25–0.3 em; a column gap is wider.
        if (current && gap < item.h * 0.9) {
          const joiner =
            gap > item.h * 0.15 && !current.text.endsWith(' ') && !item.str.startsWith(' ')
              ? ' '
              : '';
          current.text += joiner + item.str;
          current.x1 = Math.max(current.x1, item.x + item.w);
        } else {
          current = {
            text: item.str,
            x0: item.x,
            x1: item.x + item.w,
            y,
            size: item.h,
            page: pageIndex,
            line: line.index,
          };
          line.segments.push(current);
        }
      }
      for (const segment of line.segments) segment.text = segment.text.trim();
      line.segments = line.segments.filter((segment) => segment.text !== '');
      if (line.segments.length > 0) lines.push(line);
    }
  });
  lines.forEach((line, index) => {
    line.index = index;
    for (const segment of line.segments) segment.line = index;
  });
  return lines;
}

/** The lines as plain text with their columns kept roughly in place (like `pdftotext -layout`). */
export function renderLayoutText(lines: Line[]): string {
  const out: string[] = [];
  let previous: Line | undefined;
  for (const line of lines) {
    if (previous && previous.page !== line.page) out.push('\f');
    else if (previous && previous.y - line.y > previous.size * 2.2) out.push('');
    let text = '';
    for (const segment of line.segments) {
      const column = Math.round(segment.x0 / 4.5);
      text +=
        text.length === 0 ? ' '.repeat(column) : ' '.repeat(Math.max(2, column - text.length));
      text += segment.text;
    }
    out.push(text.trimEnd());
    previous = line;
  }
  return out.join('\n');
}

export function overlap(a: { x0: number; x1: number }, b: { x0: number; x1: number }): number {
  return Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0);
}
