import { z } from 'zod';
import { INTAKE_STATUSES } from '@orderdesk/store';
import { orderSubmissionSchema, validationProblemSchema } from '../orders/orders.schemas.ts';
import { pageQuerySchema } from '../shared/paging.ts';

const optionalText = z.string().optional();

/** What was read out of the mail (documents/extracted-order.ts), as the API shows it. */
export const extractedOrderSchema = z
  .object({
    purchaseOrder: z.object({
      number: optionalText,
      date: optionalText,
      currency: optionalText,
      total: optionalText,
      buyer: optionalText,
    }),
    lines: z.array(
      z.object({
        partNumber: optionalText,
        description: optionalText,
        quantity: optionalText,
        unitPrice: optionalText,
        lineTotal: optionalText,
      }),
    ),
    quoteNumber: optionalText,
    contacts: z
      .array(
        z.object({
          role: optionalText,
          name: optionalText,
          email: optionalText,
          phone: optionalText,
        }),
      )
      .optional(),
    specialTermsText: optionalText,
    attributes: z.record(z.string(), z.string()).optional(),
    notes: z.array(z.string()),
  })
  .meta({ id: 'ExtractedOrder' });

const attributeValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]);
const draftPerson = z.object({ name: optionalText, email: optionalText, phone: optionalText });

/**
 * The submission built from the mail, as far as it goes: the submission's fields, with values
 * as read (not yet valid — validation says what is wrong with them).
 */
export const intakeDraftSchema = z
  .object({
    vendor: optionalText,
    type: optionalText,
    customerId: optionalText,
    quoteId: optionalText,
    channel: optionalText,
    partnerId: optionalText,
    purchaseOrder: z
      .object({
        number: optionalText,
        date: optionalText,
        currency: optionalText,
        total: optionalText,
        specialTerms: optionalText,
        notes: optionalText,
      })
      .optional(),
    lines: z
      .array(
        z.object({
          partNumber: optionalText,
          quantity: z.union([z.number(), z.string()]).optional(),
          unitPrice: optionalText,
          attributes: z.record(z.string(), attributeValue).optional(),
        }),
      )
      .optional(),
    contacts: z
      .object({
        siteAdmin: draftPerson.optional(),
        provisioningCc: optionalText,
        invoicing: draftPerson.optional(),
      })
      .optional(),
    tier2Reseller: draftPerson.optional(),
    shippingAddress: z
      .object({
        name: optionalText,
        line1: optionalText,
        line2: optionalText,
        city: optionalText,
        region: optionalText,
        postalCode: optionalText,
        country: optionalText,
        taxId: optionalText,
        confirmed: z.boolean().optional(),
      })
      .optional(),
    attributes: z.record(z.string(), attributeValue).optional(),
    licenseIds: z.array(z.string()).optional(),
    termsAccepted: z.object({ version: optionalText }).optional(),
    emailBody: optionalText,
  })
  .meta({ id: 'IntakeDraft' });

export const intakeItemSchema = z
  .object({
    id: z.string(),
    vendor: z.string(),
    channel: z.string(),
    from: z.string(),
    to: z.array(z.string()),
    cc: z.array(z.string()),
    subject: z.string(),
    /** The mail's text body (bounded), where a clause or notes may be. */
    text: z.string(),
    receivedAt: z.string(),
    partner: z.object({ id: z.string(), name: z.string() }).nullable(),
    status: z.enum(INTAKE_STATUSES),
    reason: z.string().nullable(),
    /** Why the sender is not taken at its word (stays visible after a decision). */
    flags: z.array(z.object({ code: z.string(), message: z.string() })),
    extracted: extractedOrderSchema,
    validation: z.object({ valid: z.boolean(), problems: z.array(validationProblemSchema) }),
    attachments: z.array(
      z.object({
        name: z.string(),
        contentType: z.string(),
        size: z.number(),
        sha256: z.string().optional(),
      }),
    ),
    /** The submission built from the mail: what convert starts from, before the overrides. */
    draft: intakeDraftSchema,
    orderId: z.string().nullable(),
    decidedAt: z.string().nullable(),
  })
  .meta({ id: 'IntakeItem' });
export type IntakeItemView = z.infer<typeof intakeItemSchema>;

export const intakeListQuerySchema = pageQuerySchema.extend({
  status: z.enum(INTAKE_STATUSES).optional(),
});
export type IntakeListQuery = z.infer<typeof intakeListQuerySchema>;

export const intakeIdParams = z.object({ id: z.string().min(1).max(100) });

/**
 * Convert: any field of the submission overrides the draft's (objects are merged one level
 * deep, `lines` replaces the draft's lines); `confirmSender` is required when the sender was
 * flagged, so a forged sender is never converted silently.
 */
export const intakeConvertBodySchema = orderSubmissionSchema
  .partial()
  .extend({
    partnerId: z.string().trim().min(1).max(100).optional(),
    confirmSender: z.boolean().optional(),
  })
  .meta({ id: 'IntakeConversion' });
export type IntakeConvertBody = z.infer<typeof intakeConvertBodySchema>;

export const intakeRejectBodySchema = z
  .strictObject({ reason: z.string().trim().min(1).max(4000) })
  .meta({ id: 'IntakeRejection' });
export type IntakeRejectBody = z.infer<typeof intakeRejectBodySchema>;
