import { z } from 'zod';
import {
  orderLineInputSchema,
  orderSubmissionSchema,
  ORDER_ACTIONS,
  ORDER_STATUSES,
  salvageSubmission,
} from '@orderdesk/core';
import { problemItemSchema } from '../shared/errors.ts';
import { pageQuerySchema } from '../shared/paging.ts';

/**
 * The body of submit and validate: the submission of API.md, plus `partnerId` when vendor
 * staff place the order on a partner's behalf.
 */
export const orderSubmissionBodySchema = orderSubmissionSchema
  .extend({
    partnerId: z.string().trim().min(1).max(100).optional(),
    /**
     * On an order placed on a partner's behalf from a mail: the mail's text, where a profile
     * may accept the special-terms clause and required phrases (`email_body`).
     */
    emailBody: z.string().max(200_000).optional(),
  })
  .meta({ id: 'OrderSubmission' });
export type OrderSubmissionBody = z.infer<typeof orderSubmissionBodySchema>;

/**
 * What can be read of a body the schema refused (a bad e-mail, a quantity of 0): the values it
 * accepts, the others left out or emptied (core's salvageSubmission), so that the order is
 * still judged, its field problems among the others. Undefined when the body is not a JSON
 * object: a malformed request.
 */
export function readSubmissionBody(body: unknown): OrderSubmissionBody | undefined {
  return salvageSubmission(orderSubmissionBodySchema, body);
}
export { orderSubmissionSchema };

export const validationProblemSchema = problemItemSchema.extend({
  severity: z.enum(['error', 'warning']),
});

const pricedLineSchema = z.object({
  partNumber: z.string(),
  quantity: z.number().int(),
  listPrice: z.string().nullable(),
  multiplier: z.string().nullable(),
  expectedNetPrice: z.string().nullable(),
  unitPrice: z.string(),
  amount: z.string(),
});

export const validateResponseSchema = z
  .object({
    valid: z.boolean(),
    problems: z.array(validationProblemSchema),
    pricing: z.object({
      currency: z.string(),
      lines: z.array(pricedLineSchema),
      total: z.string(),
      expectedTotal: z.string().nullable(),
    }),
  })
  .meta({ id: 'OrderValidation' });

// The order's sub-objects are the submission's own schemas, so the OpenAPI document (and a
// client generated from it) knows their shapes.
const submission = orderSubmissionSchema.shape;
const purchaseOrderSchema = submission.purchaseOrder.unwrap().meta({ id: 'PurchaseOrder' });
const contactsSchema = submission.contacts.unwrap().meta({ id: 'OrderContacts' });
const tier2ResellerSchema = submission.tier2Reseller.unwrap().meta({ id: 'Tier2Reseller' });
const shippingAddressSchema = submission.shippingAddress.unwrap().meta({ id: 'ShippingAddress' });
const attributesSchema = submission.attributes.unwrap().meta({ id: 'OrderAttributes' });
const termsAcceptedSchema = submission.termsAccepted.unwrap().meta({ id: 'TermsAccepted' });
const lineAttributesSchema = orderLineInputSchema.shape.attributes
  .unwrap()
  .meta({ id: 'LineAttributes' });

export const orderLineViewSchema = z.object({
  lineNo: z.number().int(),
  partNumber: z.string(),
  name: z.string().nullable(),
  quantity: z.number().int(),
  unitPrice: z.string(),
  listPrice: z.string().nullable(),
  multiplier: z.string().nullable(),
  expectedNetPrice: z.string().nullable(),
  amount: z.string(),
  attributes: lineAttributesSchema.nullable(),
});

export const orderSchema = z
  .object({
    id: z.string(),
    number: z.string(),
    salesOrderNumber: z.string().nullable(),
    vendor: z.string(),
    type: z.string(),
    channel: z.string(),
    status: z.enum(ORDER_STATUSES),
    statusLabel: z.string(),
    version: z.number().int(),
    /** The vendor-profile version the order was submitted under. */
    profileVersion: z.number().int().nullable(),
    customerId: z.string(),
    partnerId: z.string(),
    orderingPartnerId: z.string(),
    quoteId: z.string().nullable(),
    currency: z.string(),
    total: z.string(),
    lines: z.array(orderLineViewSchema),
    purchaseOrder: purchaseOrderSchema.nullable(),
    contacts: contactsSchema.nullable(),
    tier2Reseller: tier2ResellerSchema.nullable(),
    shippingAddress: shippingAddressSchema.nullable(),
    attributes: attributesSchema.nullable(),
    licenseIds: z.array(z.string()).nullable(),
    termsAccepted: termsAcceptedSchema.nullable(),
    problems: z.array(validationProblemSchema),
    holdReason: z.string().nullable(),
    sla: z.object({
      acknowledgeBy: z.string().nullable(),
      acknowledgedAt: z.string().optional(),
      fulfilBy: z.string().nullable(),
      fulfilledAt: z.string().optional(),
      breaches: z.array(z.enum(['acknowledge', 'fulfil'])),
    }),
    availableActions: z.array(z.enum(ORDER_ACTIONS)),
    submittedAt: z.string(),
    completedAt: z.string().nullable(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Order' });

export const orderSummarySchema = orderSchema.omit({ lines: true, problems: true });

export const orderListQuerySchema = pageQuerySchema.extend({
  status: z.enum(ORDER_STATUSES).optional(),
  vendor: z.string().min(1).max(100).optional(),
  customerId: z.string().min(1).max(100).optional(),
  partnerId: z.string().min(1).max(100).optional(),
  /**
   * `newest` first (the default); `oldest` first (a queue worked first in, first out); `due`:
   * soonest fulfilment due time first (orders without an SLA last).
   */
  sort: z.enum(['newest', 'oldest', 'due']).default('newest'),
});

export const orderActionParams = z.object({
  id: z.string().min(1).max(100),
  action: z.enum(ORDER_ACTIONS),
});

/** The body of an action; it may be left out entirely (no body, or an empty JSON body). */
export const orderActionBodySchema = z.preprocess(
  (v) => v ?? {},
  z.strictObject({
    reason: z.string().trim().min(1).max(5000).optional(),
    /** On `complete`: whether provisioning sent the end user a welcome email (where the order type leaves it open). */
    welcomeEmail: z.boolean().optional(),
    problems: z
      .array(
        z.strictObject({
          path: z.string().max(200),
          code: z.string().max(100).default('invalid'),
          message: z.string().min(1).max(2000),
        }),
      )
      .max(200)
      .optional(),
  }),
);

export const orderPatchSchema = orderSubmissionSchema
  .omit({ vendor: true, customerId: true })
  .partial()
  .strict();

export const orderEventSchema = z
  .object({
    at: z.string(),
    actor: z.string(),
    type: z.string(),
    from: z.string().optional(),
    to: z.string().optional(),
    reason: z.string().optional(),
    data: z.unknown().optional(),
  })
  .meta({ id: 'OrderEvent' });
