import { z } from 'zod';

const key = z.string().trim().min(1).max(500);

export const FULFILMENT_KINDS = [
  'subscription_provisioned',
  'license_keys_issued',
  'device_shipped',
  'seat_booked',
  'service_delivered',
] as const;
export type FulfilmentKind = (typeof FULFILMENT_KINDS)[number];

export const fulfilmentBodySchema = z
  .strictObject({
    lines: z
      .array(
        z.strictObject({
          lineNo: z.number().int().min(1).max(100_000),
          quantity: z.number().int().min(1).max(10_000_000),
        }),
      )
      .min(1)
      .max(1000),
    carrier: z.string().trim().min(1).max(100).optional(),
    trackingNumber: z.string().trim().min(1).max(100).optional(),
    licenseKeys: z.array(key).max(10_000).optional(),
    documentIds: z.array(z.string().trim().min(1).max(100)).max(100).optional(),
    /** Passed to the completing action when this fulfilment completes the order. */
    welcomeEmail: z.boolean().optional(),
  })
  .meta({ id: 'FulfilmentRequest' });

export const fulfilmentSchema = z
  .object({
    id: z.string(),
    orderId: z.string(),
    lines: z.array(
      z.object({
        lineNo: z.number().int(),
        quantity: z.number().int(),
        kind: z.enum(FULFILMENT_KINDS),
      }),
    ),
    carrier: z.string().nullable(),
    trackingNumber: z.string().nullable(),
    /** The confirmed address the devices were shipped to (from the order). */
    shippedTo: z
      .object({
        name: z.string().optional(),
        line1: z.string(),
        line2: z.string().optional(),
        city: z.string(),
        region: z.string().optional(),
        postalCode: z.string(),
        country: z.string(),
      })
      .nullable(),
    licenseKeys: z.array(z.string()),
    documentIds: z.array(z.string()),
    createdAt: z.string(),
    /** Whether every line is now fulfilled (the order was completed by this fulfilment). */
    orderCompleted: z.boolean(),
    orderStatus: z.string(),
  })
  .meta({ id: 'Fulfilment' });

export type FulfilmentInput = z.infer<typeof fulfilmentBodySchema>;
export type FulfilmentView = z.infer<typeof fulfilmentSchema>;
