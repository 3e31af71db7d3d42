import { z } from 'zod';
import { extractedOrderSchema } from '../intake/intake.schemas.ts';
import { problemItemSchema } from '../shared/errors.ts';

/** What a document on an order is: the partner's PO, a product file, a license file, other. */
export const DOCUMENT_KINDS = ['po', 'product_file', 'license', 'other'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

/** Kinds whose download by a partner is recorded (a return may no longer be refundable). */
export const DOWNLOAD_RECORDED_KINDS: readonly DocumentKind[] = ['product_file', 'license'];

export const orderDocumentParams = z.object({
  orderId: z.string().min(1).max(100),
});
export const orderDocumentItemParams = orderDocumentParams.extend({
  documentId: z.string().min(1).max(100),
});

/** The upload's form fields besides the file (multipart fields, or the query string). */
export const documentUploadFieldsSchema = z.object({
  kind: z.enum(DOCUMENT_KINDS).optional(),
  name: z.string().trim().min(1).max(255).optional(),
});

/** What the PDF reader made of a PO PDF, and how it compares to the order. */
export const documentExtractionSchema = z
  .object({
    ok: z.boolean(),
    /** Why nothing could be read (encrypted, not a PO, …) when ok is false. */
    reason: z.string().optional(),
    /** The extracted purchase order (documents/extracted-order.ts) when ok. */
    extracted: extractedOrderSchema.optional(),
    /** Where the PDF and the order disagree: PO number, currency, total, clause. */
    problems: z.array(problemItemSchema),
    at: z.string(),
  })
  .meta({ id: 'DocumentExtraction' });
export type DocumentExtraction = z.infer<typeof documentExtractionSchema>;

export const orderDocumentSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    contentType: z.string(),
    size: z.number().int(),
    sha256: z.string(),
    kind: z.enum(DOCUMENT_KINDS),
    orderId: z.string().nullable(),
    uploadedBy: z.string(),
    uploadedAt: z.string(),
    /** Present for a PO PDF: what was read from it and the problems against the order. */
    extraction: documentExtractionSchema.optional(),
  })
  .meta({ id: 'OrderDocument' });
export type OrderDocumentView = z.infer<typeof orderDocumentSchema>;

export const orderDocumentListSchema = z.object({
  items: z.array(orderDocumentSchema),
  nextCursor: z.string().nullable(),
});
