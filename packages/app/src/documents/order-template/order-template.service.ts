// GET /vendors/{slug}/order-template?type=: the Excel order template of one order type, with
// the caller's prices. A partner gets its own net prices (its multiplier applied), its
// customers and its approved quotes; vendor staff name the partner (`partnerId`) to get that
// partner's, or get list prices without one.
import {
  categoryMultipliersApply,
  explainPrice,
  renderSpecialTerms,
  resolveMultiplier,
  type OrderTypeConfig,
  type VendorProfile,
} from '@orderdesk/core';
import {
  findMultipliers,
  findPartnerById,
  findPartnership,
  findPriceListInForce,
  findPricesInForce,
  listCustomers,
  listPriceListItems,
  listQuotes,
  type Executor,
  type Partnership,
  type Vendor,
} from '@orderdesk/store';
import { z } from 'zod';
import type { Actor } from '../../auth/actor.ts';
import { findVendorToRead } from '../../catalog/catalog.service.ts';
import type { AppContext } from '../../context.ts';
import { partnershipVisibility } from '../../partnerships/price-visibility.ts';
import { todayForProfile } from '../../price-lists/price-lists.service.ts';
import { quoteScope } from '../../quotes/quote-access.ts';
import { invalidInput, notFound, unprocessable } from '../../shared/errors.ts';
import { profileOfVendor } from '../../vendors/profile-cache.ts';
import { contractingPartnerId } from '../../vendors/vendor-scope.ts';
import { lineFieldsOf, orderFieldsOf } from './template-fields.ts';
import { writeOrderTemplate, type TemplatePrice } from './write-order-template.ts';

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The most catalog entries a template lists (its part-number list and price sheet). */
export const MAX_TEMPLATE_PRODUCTS = 20_000;

export const orderTemplateParams = z.strictObject({ slug: z.string().min(1).max(100) });
export const orderTemplateQuerySchema = z.strictObject({
  /** The order type key (required; checked after the vendor, so a stranger learns nothing). */
  type: z.string().trim().min(1).max(100).optional(),
  /** Vendor staff: the partner whose prices, customers and quotes the template carries. */
  partnerId: z.string().trim().min(1).max(100).optional(),
});
export type OrderTemplateQuery = z.infer<typeof orderTemplateQuerySchema>;

export interface OrderTemplateFile {
  filename: string;
  contentType: typeof XLSX_MEDIA_TYPE;
  bytes: Buffer;
}

/** The order type of the profile, or 422 `order_type.unknown` at `type`. */
export function orderTypeOf(profile: VendorProfile, key: string): OrderTypeConfig {
  const type = profile.orderTypes.find((t) => t.key === key);
  if (!type) {
    throw unprocessable(`Unknown order type "${key}"`, [
      {
        path: 'type',
        code: 'order_type.unknown',
        message: `Order types of this vendor: ${profile.orderTypes.map((t) => t.key).join(', ')}`,
        actual: key,
      },
    ]);
  }
  return type;
}

/** The partnership the template is priced for: the partner's own, or the one staff named. */
async function templatePartnership(
  db: Executor,
  actor: Actor,
  vendor: Vendor,
  partnerId: string | undefined,
): Promise<Partnership | null> {
  if (actor.side === 'partner') {
    const contracting = contractingPartnerId(actor);
    const own = contracting ? await findPartnership(db, vendor.id, contracting) : undefined;
    if (!own) throw notFound('Vendor');
    return own;
  }
  if (partnerId === undefined) return null;
  const partner = await findPartnerById(db, partnerId);
  const contracting = partner ? (partner.parent_partner_id ?? partner.id) : null;
  const partnership = contracting ? await findPartnership(db, vendor.id, contracting) : undefined;
  if (!partnership) {
    throw unprocessable('Not a partner of yours', [
      { path: 'partnerId', code: 'invalid', message: 'Not a partner of your vendor' },
    ]);
  }
  return partnership;
}

/** The catalog's active products the order type may carry, priced for the partnership. */
async function templatePrices(
  db: Executor,
  actor: Actor,
  vendor: Vendor,
  profile: VendorProfile,
  type: OrderTypeConfig,
  partnership: Partnership | null,
  on: string,
): Promise<TemplatePrice[]> {
  const list = await findPriceListInForce(db, vendor.id, profile.currency, on);
  if (!list) return [];
  const seen = partnership
    ? partnershipVisibility(profile, actor, partnership)
    : { listPrices: true, multipliers: true };
  const allRules = partnership ? await findMultipliers(db, partnership.id, on) : [];
  const rules = categoryMultipliersApply(profile)
    ? allRules
    : allRules.filter((r) => r.categoryId === null);
  const allowed = type.allowedProductTypes;
  const out: TemplatePrice[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await listPriceListItems(db, list.id, { limit: 1000, after });
    if (page.length === 0) break;
    after = page.at(-1)?.part_number;
    const wanted = page.filter(
      (i) => i.active !== 0 && (!allowed || allowed.includes(i.type as never)),
    );
    const entries = await findPricesInForce(db, {
      vendorId: vendor.id,
      currency: list.currency,
      partNumbers: wanted.map((i) => i.part_number),
      on,
    });
    const byPart = new Map(entries.map((e) => [e.partNumber, e]));
    for (const item of wanted) {
      const entry = byPart.get(item.part_number);
      const multiplier = partnership
        ? resolveMultiplier(rules, {
            categoryId: entry?.categoryId ?? null,
            categoryAncestorIds: entry?.categoryAncestorIds ?? [],
            on,
            defaultMultiplier: partnership.multiplier,
          })
        : '1';
      const price = explainPrice({
        partNumber: item.part_number,
        listPriceMinor: item.list_price_minor,
        multiplier,
        currency: list.currency,
        rounding: profile.pricing.rounding,
      });
      out.push({
        partNumber: item.part_number,
        name: item.name,
        category: item.category_key,
        netPrice: price.netPrice,
        listPrice: seen.listPrices ? price.listPrice : null,
        multiplier: seen.multipliers && partnership ? price.multiplier : null,
      });
      if (out.length >= MAX_TEMPLATE_PRODUCTS) return out;
    }
    if (page.length < 1000) break;
  }
  return out;
}

/** The XLSX order template of one of the vendor's order types, priced for the caller. */
export async function downloadOrderTemplate(
  ctx: AppContext,
  actor: Actor,
  input: { vendor: string } & OrderTemplateQuery,
): Promise<OrderTemplateFile> {
  const db = ctx.store.db;
  const vendor = await findVendorToRead(db, actor, input.vendor);
  const partnership = await templatePartnership(db, actor, vendor, input.partnerId);
  const profile = await profileOfVendor(db, vendor);
  if (input.type === undefined) {
    throw invalidInput('Name the order type', [
      {
        path: 'type',
        code: 'required',
        message: `Pass ?type= one of: ${profile.orderTypes.map((t) => t.key).join(', ')}`,
      },
    ]);
  }
  const type = orderTypeOf(profile, input.type);
  const on = todayForProfile(profile, ctx.now());
  const prices = await templatePrices(db, actor, vendor, profile, type, partnership, on);

  const customerPartners =
    actor.side === 'partner'
      ? actor.partnerScopeIds
      : input.partnerId !== undefined
        ? [input.partnerId]
        : [];
  const customers = (await listCustomers(db, { partnerIds: customerPartners }, { limit: 1000 }))
    .map((c) => ({ id: c.id, name: c.name }))
    .sort((a, b) => a.name.localeCompare(b.name));

  const quotes =
    type.quote === 'not_applicable' || !partnership
      ? []
      : (
          await listQuotes(
            db,
            actor.side === 'partner' ? quoteScope(actor) : { vendorId: vendor.id },
            { status: 'approved', todays: [{ vendorId: vendor.id, today: on }] },
            { limit: 500 },
          )
        )
          .filter(
            (q) =>
              q.vendor_id === vendor.id &&
              q.order_type === type.key &&
              q.partner_id === partnership.partner_id,
          )
          .map((q) => ({ id: q.id, number: q.number, validUntil: q.valid_until }));

  const orderFields = orderFieldsOf(profile, type).map((f) => {
    if (f.key !== 'purchaseOrder.specialTerms' || !profile.specialTerms || !partnership) return f;
    const clause = renderSpecialTerms(
      profile.specialTerms.template,
      { agreementDate: partnership.agreement_date, partnerLegalName: partnership.legal_name },
      profile.specialTerms.dateFormat,
    );
    return { ...f, help: `${f.help ? `${f.help} ` : ''}Write: ${clause}` };
  });
  const partner = partnership ? await findPartnerById(db, partnership.partner_id) : undefined;
  const bytes = await writeOrderTemplate({
    vendor: { slug: vendor.slug, name: vendor.name },
    orderType: { key: type.key, label: type.label },
    currency: profile.currency,
    orderFields,
    lineFields: lineFieldsOf(profile, type),
    prices,
    customers,
    quotes,
    pricedFor: partner ? (partnership?.legal_name ?? partner.name) : 'list prices',
    ...(profile.termsAndConditions?.requiredFor.includes(type.key)
      ? { termsVersion: profile.termsAndConditions.version }
      : {}),
  });
  return {
    filename: `${vendor.slug}-${type.key}-order-template.xlsx`,
    contentType: XLSX_MEDIA_TYPE,
    bytes,
  };
}
