import type { ExtractedPurchaseOrder } from '../extracted-order.ts';
import { extractPdfText } from './pdf-text-extractor.ts';
import { analyzePurchaseOrder } from './po-fields.ts';
import { buildLines, renderLayoutText } from './po-layout.ts';

export interface ReadPurchaseOrderPdfOptions {
  /** Larger files are refused unread (default 10 MB). */
  maxBytes?: number;
  /** Documents with more pages are refused (default 20). */
  maxPages?: number;
  /** Wall-clock budget for parsing (default 10 s); the parser is stopped when it runs out. */
  timeoutMs?: number;
}

export type ReadPurchaseOrderPdfResult =
  { ok: true; extracted: ExtractedPurchaseOrder; text: string } | { ok: false; reason: string };

export const PO_PDF_DEFAULTS = {
  maxBytes: 10 * 1024 * 1024,
  maxPages: 20,
  timeoutMs: 10_000,
  maxInflatedBytes: 64 * 1024 * 1024,
  maxHeapMb: 256,
} as const;

/**
 * Reads a purchase order out of a PDF of a layout never seen before: the header fields from
 * their labels, the line table from its column headings, both by position. An encrypted,
 * broken or hostile PDF, or one that is not a PO, is `{ ok: false, reason }` — never a throw.
 * Parsing runs in a worker thread under a time and memory budget.
 */
export async function readPurchaseOrderPdf(
  bytes: Uint8Array,
  opts: ReadPurchaseOrderPdfOptions = {},
): Promise<ReadPurchaseOrderPdfResult> {
  const maxBytes = opts.maxBytes ?? PO_PDF_DEFAULTS.maxBytes;
  if (bytes.byteLength === 0) return { ok: false, reason: 'the PDF is empty' };
  if (bytes.byteLength > maxBytes) {
    return {
      ok: false,
      reason: `the PDF is ${bytes.byteLength} bytes; at most ${maxBytes} are read`,
    };
  }
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 1024));
  if (!head.includes('%PDF-')) return { ok: false, reason: 'not a PDF (no %PDF- header)' };
  try {
    const text = await extractPdfText(bytes, {
      maxPages: opts.maxPages ?? PO_PDF_DEFAULTS.maxPages,
      timeoutMs: opts.timeoutMs ?? PO_PDF_DEFAULTS.timeoutMs,
      maxInflatedBytes: PO_PDF_DEFAULTS.maxInflatedBytes,
      maxHeapMb: PO_PDF_DEFAULTS.maxHeapMb,
    });
    if (!text.ok) return text;
    if (text.pages.every((page) => page.items.length === 0)) {
      return { ok: false, reason: 'the PDF has no text layer (a scanned image?)' };
    }
    const lines = buildLines(text.pages);
    const layoutText = renderLayoutText(lines);
    const analysis = analyzePurchaseOrder(lines);
    if (!analysis.isPurchaseOrder) return { ok: false, reason: analysis.reason };
    return { ok: true, extracted: analysis.extracted, text: layoutText };
  } catch (error) {
    // The analysis is ours and should not throw; if it does, the caller still gets a reason.
    return { ok: false, reason: `the PDF could not be read: ${String(error)}` };
  }
}
