import type { Partnership } from '../../api/client';

/** A partnership's billing details as stored (GET /partnerships). */
export type Billing = NonNullable<Partnership['billing']>;

/** The billing details as sent (POST /partners, PATCH /partnerships/{id}). */
export interface BillingInput {
  country: string;
  address?: { line1: string; line2?: string; city: string; region?: string; postalCode: string };
  taxId?: string;
}

/** What the billing fields hold, as typed. */
export interface BillingDraft {
  country: string;
  line1: string;
  line2: string;
  city: string;
  region: string;
  postalCode: string;
  taxId: string;
}

export const EMPTY_BILLING: BillingDraft = {
  country: '',
  line1: '',
  line2: '',
  city: '',
  region: '',
  postalCode: '',
  taxId: '',
};

const ADDRESS_KEYS = ['line1', 'line2', 'city', 'region', 'postalCode'] as const;

/** The fields filled with what is stored, for changing it. */
export function billingDraftOf(billing: Billing | null): BillingDraft {
  if (!billing) return EMPTY_BILLING;
  const address = billing.address;
  return {
    country: billing.country,
    line1: address?.line1 ?? '',
    line2: address?.line2 ?? '',
    city: address?.city ?? '',
    region: address?.region ?? '',
    postalCode: address?.postalCode ?? '',
    taxId: billing.taxId ?? '',
  };
}

/**
 * The billing details to send, or undefined when every field is empty. A field left empty
 * beside filled ones (no country, an address without its city) is sent empty rather than
 * dropped, so the API's problem names it at its field instead of the input being lost.
 */
export function billingInputOf(draft: BillingDraft): BillingInput | undefined {
  const v = (key: keyof BillingDraft) => draft[key].trim();
  if ((Object.keys(draft) as (keyof BillingDraft)[]).every((k) => !v(k))) return undefined;
  const hasAddress = ADDRESS_KEYS.some((k) => v(k));
  return {
    country: v('country'),
    ...(hasAddress
      ? {
          address: {
            line1: v('line1'),
            ...(v('line2') ? { line2: v('line2') } : {}),
            city: v('city'),
            ...(v('region') ? { region: v('region') } : {}),
            postalCode: v('postalCode'),
          },
        }
      : {}),
    ...(v('taxId') ? { taxId: v('taxId') } : {}),
  };
}

/** The address on one line: "Friedrichstraße 120, 10117 Berlin". */
export function formatBillingAddress(address: NonNullable<Billing['address']>): string {
  return [
    address.line1,
    address.line2,
    [address.postalCode, address.city].join(' '),
    address.region,
  ]
    .filter(Boolean)
    .join(', ');
}
