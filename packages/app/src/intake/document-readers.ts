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

/**
 * The readers of the documents package. Each loads its module on first use (pdf.js and exceljs
 * are heavy, and most processes never read a PDF or a workbook), statically typed.
 */
export const documentReaders: DocumentReaders = {
  async readPurchaseOrderPdf(bytes, opts) {
    const { readPurchaseOrderPdf } = await import('../documents/po-pdf/read-po-pdf.ts');
    return readPurchaseOrderPdf(bytes, opts);
  },
  async readOrderWorkbook(bytes) {
    const { readOrderWorkbook } =
      await import('../documents/order-template/read-order-workbook.ts');
    return readOrderWorkbook(bytes);
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
