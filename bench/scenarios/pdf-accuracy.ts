// Scenario: PDF field accuracy. readPurchaseOrderPdf over the sample POs of
// bench/fixtures/po-pdf/ (eleven one-page POs and a trade confirmation that must be refused),
// each scored field by field against the true fields written down by hand in expected.json.
// Header fields: PO number, date, currency, total, buyer, quote number, special terms, the
// contact's name, e-mail and phone, the vendor. Line fields: part number, description,
// quantity, unit price and line total of each line. The accuracy has no anchor (it is a
// share of fields); the time per PDF is anchored on pdf.js alone — the same PDFs' text
// content read in-process with unpdf, no worker and no layout analysis.
import { readFileSync } from 'node:fs';
import { getDocumentProxy } from 'unpdf';
import {
  readPurchaseOrderPdf,
  scorePoPdfExtraction,
  sumPoPdfScores,
  type PoPdfTruth,
} from '@orderdesk/app';
import type { BenchContext, Scenario } from '../lib/scenario.ts';
import { median } from '../lib/stats.ts';
import { judge, ratioOf, type ResultRow } from '../lib/table.ts';

const FIXTURES = new URL('../fixtures/po-pdf/', import.meta.url);

/** pdf.js alone: the positioned text of every page, as the reader's worker gets it. */
async function textContentOnly(bytes: Uint8Array): Promise<number> {
  const t0 = performance.now();
  // A copy: pdf.js takes (detaches) the buffer it is given.
  const doc = await getDocumentProxy(new Uint8Array(bytes), {
    verbosity: 0,
    isEvalSupported: false,
    useSystemFonts: false,
  });
  for (let n = 1; n <= doc.numPages; n += 1) await (await doc.getPage(n)).getTextContent();
  await doc.destroy();
  return performance.now() - t0;
}

export const pdfAccuracy: Scenario = {
  name: 'pdf',
  title: 'PDF field accuracy (header / lines)',
  async run(ctx: BenchContext): Promise<ResultRow[]> {
    const { samples } = JSON.parse(readFileSync(new URL('expected.json', FIXTURES), 'utf8')) as {
      samples: PoPdfTruth[];
    };
    const scores = [];
    const timings: number[] = [];
    for (const truth of samples) {
      const bytes = new Uint8Array(readFileSync(new URL(truth.file, FIXTURES)));
      const t0 = performance.now();
      const result = await readPurchaseOrderPdf(bytes);
      timings.push(performance.now() - t0);
      scores.push(scorePoPdfExtraction(truth, result));
    }
    // The anchor, after one warm-up pass (pdf.js's first document loads its code).
    const files = samples.map(
      (truth) => new Uint8Array(readFileSync(new URL(truth.file, FIXTURES))),
    );
    for (const bytes of files) await textContentOnly(bytes);
    const anchorTimings: number[] = [];
    for (const bytes of files) anchorTimings.push(await textContentOnly(bytes));
    const perPdf = median(timings.slice(1));
    const anchor = median(anchorTimings);
    const total = sumPoPdfScores(scores);
    const wrong = [...total.header.wrong, ...total.lines.wrong];
    for (const miss of wrong) ctx.log(`pdf: wrong ${miss}`);
    const share = (s: { right: number; total: number }) =>
      s.total === 0 ? null : (100 * s.right) / s.total;
    const header = share(total.header);
    const lines = share(total.lines);
    const note = wrong.length === 0 ? 'no field wrong' : `wrong: ${wrong.slice(0, 5).join('; ')}`;
    return [
      {
        scenario: 'pdf',
        figure: `PDF field accuracy, header (${total.header.right}/${total.header.total} fields, ${samples.length} PDFs)`,
        value: header,
        unit: '%',
        target: { text: '≥ 95%', met: judge(header, (v) => v >= 95) },
        note,
      },
      {
        scenario: 'pdf',
        figure: `PDF field accuracy, lines (${total.lines.right}/${total.lines.total} fields)`,
        value: lines,
        unit: '%',
        target: { text: '≥ 95%', met: judge(lines, (v) => v >= 95) },
      },
      {
        scenario: 'pdf',
        figure: 'readPurchaseOrderPdf per one-page PDF, median (worker thread)',
        value: perPdf,
        unit: 'ms',
        anchor: { label: 'pdf.js text content alone, in-process', value: anchor, unit: 'ms' },
        ratio: ratioOf(perPdf, anchor),
        note: `first PDF, starting the worker: ${timings[0]?.toFixed(0)} ms`,
      },
    ];
  },
};
