// Which order types a quote may be of: one the profile declares, and one it takes quotes for.
// A type with `quote: not_applicable` (seed 001's marketplace orders, seed 002's License
// Authorization) is ordered without a quote, so a quote or a quote request for it is refused —
// the same answer from POST /quote-requests, POST /quotes and a quote's revision.
import type { Problem } from '../problems/index.ts';
import type { OrderTypeConfig, VendorProfile } from '../profile/profile.schema.ts';

type OrderTypesOfProfile = Pick<VendorProfile, 'name' | 'orderTypes'>;

/**
 * The problem (at `orderType`) with quoting an order type of this profile, if any: an unknown
 * key is `order_type.unknown`; a known type that takes no quote is `invalid`, naming the types
 * that do.
 *
 * @example
 * quoteOrderTypeProblem(edgeworks, 'license_authorization')?.message;
 * // 'License Authorization Orders take no quote; quotes are for license_maintenance, …'
 */
export function quoteOrderTypeProblem(
  profile: OrderTypesOfProfile,
  key: string,
): Problem | undefined {
  const orderType = profile.orderTypes.find((t) => t.key === key);
  if (orderType === undefined) {
    return {
      path: 'orderType',
      code: 'order_type.unknown',
      severity: 'error',
      message: `Unknown order type; one of ${profile.orderTypes.map((t) => t.key).join(', ')}`,
    };
  }
  return orderType.quote === 'not_applicable' ? noQuoteProblem(profile, orderType) : undefined;
}

// The type is known (not `order_type.unknown`): it is the wrong value here.
function noQuoteProblem(profile: OrderTypesOfProfile, orderType: OrderTypeConfig): Problem {
  const quoted = profile.orderTypes.filter((t) => t.quote !== 'not_applicable').map((t) => t.key);
  const orders = /\border$/i.test(orderType.label)
    ? `${orderType.label}s`
    : `${orderType.label} orders`;
  return {
    path: 'orderType',
    code: 'invalid',
    severity: 'error',
    message:
      quoted.length === 0
        ? `${profile.name} takes no quotes: ${orders} are placed without one`
        : `${orders} take no quote; quotes are for ${quoted.join(', ')}`,
    ...(quoted.length > 0 ? { expected: quoted.join(', ') } : {}),
    actual: orderType.key,
  };
}
