// Licenses an OEM partner's licensing server generated (seed 002): registered unauthorized
// (POST /licenses), authorized by the License Authorization order that names them (order
// effects, on completion) or, when pre-bundled, by the weekly job; the report of those still
// unauthorized is GET /licenses?authorized=false (JSON pages, or CSV with neutralised cells).
import {
  findExistingLicenseIds,
  findOrderInScope,
  findPartnership,
  findProductsByPartNumber,
  findVendorBySlug,
  insertLicenses,
  listLicensesPage,
  newId,
  type Executor,
  type License,
} from '@orderdesk/store';
import { z } from 'zod';
import { requireAccess, type PartnerAccess } from '../auth/access.ts';
import type { Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { eventActorOf, recordEvent } from '../events/record-event.ts';
import { vendorOf } from '../orders/order-view.ts';
import {
  AppError,
  conflict,
  forbidden,
  notFound,
  unprocessable,
  type ProblemItem,
} from '../shared/errors.ts';
import { decodeCursor, pageOf, type Page } from '../shared/paging.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import type { LicenseListQuery, LicenseRegistration, LicenseView } from './licenses.schemas.ts';

export function licenseViewOf(row: License): LicenseView {
  return {
    id: row.id,
    licenseId: row.license_key,
    partNumber: row.part_number,
    hostId: row.host_id ?? null,
    partnerId: row.partner_id,
    preBundled: row.pre_bundled === 1,
    orderId: row.order_id,
    authorized: row.authorized === 1,
    registeredAt: row.created_at,
    authorizedAt: row.authorized_at,
  };
}

/** The vendor named, if the partner has a partnership with it (404 otherwise: never reveal). */
async function partnerVendor(db: Executor, actor: Actor, slug: string) {
  const vendor = await findVendorBySlug(db, slug);
  const contracting = actor.parentPartnerId ?? actor.partnerId;
  if (!vendor || !contracting || !(await findPartnership(db, vendor.id, contracting))) {
    throw notFound('Vendor');
  }
  return vendor;
}

/** Licenses are registered by the partner whose licensing server generated them. */
export const LICENSE_REGISTRATION_ACCESS: PartnerAccess = {
  partner: 'any',
  refusal: 'Licenses are registered by the partner that generated them',
};

/** POST /licenses: an OEM partner's licensing server registers licenses, unauthorized. */
export async function registerLicenses(
  ctx: AppContext,
  actor: Actor,
  input: LicenseRegistration,
  options: WriteOptions = {},
): Promise<{ vendor: string; licenses: LicenseView[] }> {
  const { partnerId } = requireAccess(actor, LICENSE_REGISTRATION_ACCESS);
  return inTransaction(ctx, options, async (tx) => {
    const vendor = await partnerVendor(tx, actor, input.vendor).catch((error: unknown) => {
      if (error instanceof AppError && error.kind === 'not_found') {
        throw unprocessable('Not a vendor of yours', [
          { path: 'vendor', code: 'invalid', message: 'No partnership with this vendor' },
        ]);
      }
      throw error;
    });
    const { profile } = await vendorOf(tx, { vendor_id: vendor.id, profile_version: null });
    const server = profile.channels.some((c) => c.kind === 'licensing_server');
    if (!server || !profile.licensing?.authorizationOrders) {
      throw forbidden(`${profile.name} does not take licenses from partners' licensing servers`);
    }
    const problems: ProblemItem[] = [];
    const ids = input.licenses.map((l) => l.licenseId);
    const existing = await findExistingLicenseIds(tx, vendor.id, ids);
    const products = await findProductsByPartNumber(
      tx,
      vendor.id,
      input.licenses.map((l) => l.partNumber),
    );
    const seen = new Set<string>();
    let duplicates = 0;
    for (const [i, l] of input.licenses.entries()) {
      if (seen.has(l.licenseId)) {
        problems.push({
          path: `licenses[${i}].licenseId`,
          code: 'invalid',
          message: `${l.licenseId} appears twice in the request`,
        });
      } else if (existing.has(l.licenseId)) {
        duplicates += 1;
        problems.push({
          path: `licenses[${i}].licenseId`,
          code: 'invalid',
          message: `${l.licenseId} is already registered`,
        });
      }
      seen.add(l.licenseId);
      const product = products.get(l.partNumber);
      if (!product) {
        problems.push({
          path: `licenses[${i}].partNumber`,
          code: 'part_number.unknown',
          message: `${l.partNumber} is not in ${profile.name}'s catalog`,
        });
      } else if (product.type !== 'perpetual_license') {
        problems.push({
          path: `licenses[${i}].partNumber`,
          code: 'invalid',
          message: `${l.partNumber} is a ${product.type}, not a license`,
          expected: 'perpetual_license',
          actual: product.type,
        });
      }
      if (l.orderId !== undefined) {
        const order = await findOrderInScope(tx, l.orderId, { partnerIds: actor.partnerScopeIds });
        if (!order || order.vendor_id !== vendor.id) {
          problems.push({
            path: `licenses[${i}].orderId`,
            code: 'invalid',
            message: 'Not one of your orders with this vendor',
          });
        }
      }
    }
    // Only already-registered ids: the request repeats a registration (409), nothing is wrong in it.
    if (duplicates > 0 && duplicates === problems.length) {
      throw conflict('Some licenses are already registered', problems);
    }
    if (problems.length > 0) throw unprocessable('The licenses cannot be registered', problems);
    const at = ctx.now().toISOString();
    const rows: License[] = input.licenses.map((l) => ({
      id: newId('lic'),
      vendor_id: vendor.id,
      partner_id: partnerId,
      customer_id: null,
      license_key: l.licenseId,
      part_number: l.partNumber,
      authorized: 0,
      pre_bundled: l.preBundled ? 1 : 0,
      order_id: l.orderId ?? null,
      created_at: at,
      authorized_at: null,
      host_id: l.hostId ?? null,
    }));
    await insertLicenses(tx, rows);
    await recordEvent(tx, {
      type: 'license.registered',
      entityId: rows[0]?.id ?? vendor.id,
      vendorId: vendor.id,
      partnerId,
      actor: eventActorOf(actor),
      at,
      data: { licenseIds: ids, partnerId },
    });
    return { vendor: vendor.slug, licenses: rows.map(licenseViewOf) };
  });
}

/** The license rows of a query, in the caller's scope (vendor staff: all; partner: its own). */
async function licenseRows(
  ctx: AppContext,
  actor: Actor,
  query: LicenseListQuery,
  page: { limit: number; before?: string },
): Promise<{ slug: string; rows: License[] }> {
  const db = ctx.store.db;
  let vendorId: string;
  let partnerIds: readonly string[] | undefined;
  let slug: string;
  if (actor.side === 'vendor') {
    const vendor = await findVendorBySlug(db, query.vendor);
    if (!vendor || vendor.id !== actor.vendorId) throw notFound('Vendor');
    vendorId = vendor.id;
    slug = vendor.slug;
  } else {
    const vendor = await partnerVendor(db, actor, query.vendor);
    vendorId = vendor.id;
    slug = vendor.slug;
    partnerIds = actor.partnerId ? [actor.partnerId] : [];
  }
  const filters = query.authorized === undefined ? {} : { authorized: query.authorized === 'true' };
  const rows = await listLicensesPage(
    db,
    { vendorId, ...(partnerIds ? { partnerIds } : {}) },
    filters,
    page,
  );
  return { slug, rows };
}

/** GET /licenses?vendor=&authorized= (JSON page). */
export async function listLicenses(
  ctx: AppContext,
  actor: Actor,
  query: LicenseListQuery,
): Promise<Page<LicenseView>> {
  const before = decodeCursor(query.cursor, z.object({ id: z.string() }));
  const { rows } = await licenseRows(ctx, actor, query, {
    limit: query.limit + 1,
    ...(before ? { before: before.id } : {}),
  });
  return pageOf(rows, query.limit, (r) => ({ id: r.id }), licenseViewOf);
}

/**
 * A CSV cell: quoted, and a text that a spreadsheet would run as a formula (= + - @, tab, CR)
 * is prefixed with an apostrophe, so a license id from a partner's system cannot inject one.
 */
export function csvCell(value: string | null): string {
  let text = value ?? '';
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

const CSV_PAGE = 500;

/** GET /licenses?format=csv: every license the query selects, as CSV (the report). */
export async function licensesCsv(
  ctx: AppContext,
  actor: Actor,
  query: LicenseListQuery,
): Promise<{ filename: string; csv: string }> {
  const lines = [
    [
      'licenseId',
      'partNumber',
      'hostId',
      'partnerId',
      'preBundled',
      'orderId',
      'authorized',
      'registeredAt',
      'authorizedAt',
    ].join(','),
  ];
  let before: string | undefined;
  let slug = query.vendor;
  for (;;) {
    const page = await licenseRows(ctx, actor, query, {
      limit: CSV_PAGE,
      ...(before ? { before } : {}),
    });
    slug = page.slug;
    for (const row of page.rows) {
      const v = licenseViewOf(row);
      lines.push(
        [
          v.licenseId,
          v.partNumber,
          v.hostId,
          v.partnerId,
          String(v.preBundled),
          v.orderId,
          String(v.authorized),
          v.registeredAt,
          v.authorizedAt,
        ]
          .map(csvCell)
          .join(','),
      );
    }
    if (page.rows.length < CSV_PAGE) break;
    before = page.rows.at(-1)?.id;
  }
  const which =
    query.authorized === 'false'
      ? 'unauthorized'
      : query.authorized === 'true'
        ? 'authorized'
        : 'all';
  return { filename: `${slug}-licenses-${which}.csv`, csv: `${lines.join('\r\n')}\r\n` };
}
