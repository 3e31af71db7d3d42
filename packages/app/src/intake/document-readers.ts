// The readers intake runs on a mail's attachments: the PO PDF reader (documents/po-pdf) and
// the vendor's Excel template reader (documents/order-template). Both answer ok with an
// extraction, or not ok with a reason — never an exception — and both carry their own size and
// time budgets; intake adds an outer deadline so one attachment can never stall a poll.
import type { ExtractedPurchaseOrder } from '../documents/extracted-order.ts';

export type DocumentReadResult =
  { ok: true; extracted: ExtractedPurchaseOrder; text: string } | { ok: false; reason: string };

export interface DocumentReaders {
  readPurchaseOrderPdf(
    bytes: Uint8Array,
    opts?: { maxBytes?: number; maxPages?: number; timeoutMs?: number },
  ): Promise<DocumentReadResult>;
  readOrderWorkbook(bytes: Uint8Array): Promise<DocumentReadResult>;
}

type PdfModule = Pick<DocumentReaders, 'readPurchaseOrderPdf'>;
type WorkbookModule = Pick<DocumentReaders, 'readOrderWorkbook'>;

// Loaded on first use: most processes never read a PDF or a workbook.
let pdfModule: Promise<PdfModule | null> | undefined;
let workbookModule: Promise<WorkbookModule | null> | undefined;

async function load<T>(relative: string): Promise<T | null> {
  try {
    return (await import(new URL(relative, import.meta.url).href)) as T;
  } catch {
    return null;
  }
}

/** The readers of the documents package. */
export const documentReaders: DocumentReaders = {
  async readPurchaseOrderPdf(bytes, opts) {
    pdfModule ??= load<PdfModule>('../documents/po-pdf/read-po-pdf.ts');
    const m = await pdfModule;
    if (!m) return { ok: false, reason: 'no PDF reader is installed' };
    return m.readPurchaseOrderPdf(bytes, opts);
  },
  async readOrderWorkbook(bytes) {
    workbookModule ??= load<WorkbookModule>('../documents/order-template/read-order-workbook.ts');
    const m = await workbookModule;
    if (!m) return { ok: false, reason: 'no workbook reader is installed' };
    return m.readOrderWorkbook(bytes);
  },
};

/** Runs a read with a deadline: past it, the attachment is reported unreadable. */
export async function withDeadline(
  read: Promise<DocumentReadResult>,
  ms: number,
  what: string,
): Promise<DocumentReadResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<DocumentReadResult>((resolve) => {
    timer = setTimeout(
      () => resolve({ ok: false, reason: `${what} took longer than ${ms} ms` }),
      ms,
    );
  });
  try {
    return await Promise.race([
      read.catch((error: unknown): DocumentReadResult => ({
        ok: false,
        reason: `${what} could not be read: ${error instanceof Error ? error.message : String(error)}`,
      })),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
