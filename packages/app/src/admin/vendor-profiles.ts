// Publishing a vendor's profile: the text the vendor wrote is checked through core's schema and
// kept as a new version; the vendor row points at it. Orders keep the version they were
// submitted under, so an old order is still read with the rules it was judged by.
import {
  PROFILE_SCHEMA_VERSION,
  parseVendorProfile,
  type ProfileError,
  type VendorProfile,
} from '@orderdesk/core';
import {
  findCurrentProfileSource,
  findProfileVersion,
  findUserById,
  insertProfileVersion,
  listProfileVersions,
  type ProfileFormat,
} from '@orderdesk/store';
import { z } from 'zod';
import type { VendorAccess } from '../auth/access.ts';
import { requireActor, type Actor } from '../auth/actor.ts';
import type { AppContext } from '../context.ts';
import { eventActorOf, recordEvent } from '../events/record-event.ts';
import { checkVersion, notFound, type ProblemItem, unprocessable } from '../shared/errors.ts';
import { decodeCursor, pageOf, type Page, type PageQuery } from '../shared/paging.ts';
import { inTransaction, type WriteOptions } from '../shared/transaction.ts';
import { findStaffVendor } from './admin-access.ts';
import type { ProfileSourceView, ProfileVersionView } from './admin.schemas.ts';

/** Profile errors as problem items whose path reads `line:column path` (API.md). */
export function profileProblemsOf(errors: readonly ProfileError[]): ProblemItem[] {
  return errors.map((e) => ({
    path: `${e.line}:${e.column}${e.path === '' ? '' : ` ${e.path}`}`,
    code: 'invalid',
    message: e.message,
  }));
}

/** Line and column (1-based) of a top-level key in YAML or JSON text, or 1:1. */
function positionOfKey(source: string, key: string): { line: number; column: number } {
  const lines = source.split(/\r?\n/);
  const pattern = new RegExp(`^(\\s*)["']?${key}["']?\\s*:`);
  for (const [i, text] of lines.entries()) {
    const match = pattern.exec(text);
    if (match) return { line: i + 1, column: (match[1]?.length ?? 0) + 1 };
  }
  return { line: 1, column: 1 };
}

/**
 * Parses a profile source for the vendor `slug`: every schema error with its line and column,
 * and a slug other than the vendor's (a profile is published under one vendor only). Throws
 * unprocessable with every problem; returns the parsed profile.
 */
export function checkProfileSource(source: string, fileName: string, slug: string): VendorProfile {
  const parsed = parseVendorProfile(source, fileName);
  if (!parsed.ok) {
    throw unprocessable(
      'The profile has errors; nothing was saved',
      profileProblemsOf(parsed.errors),
    );
  }
  if (parsed.profile.slug !== slug) {
    const at = positionOfKey(source, 'slug');
    throw unprocessable('The profile is for another vendor', [
      {
        path: `${at.line}:${at.column} slug`,
        code: 'invalid',
        message: `The profile's slug must be the vendor's: "${slug}"`,
        expected: slug,
        actual: parsed.profile.slug,
      },
    ]);
  }
  return parsed.profile;
}

/** The format of a source from its content type: JSON when it says so, else YAML. */
export function profileFormatOf(contentType: string | undefined): ProfileFormat {
  return /json/i.test(contentType ?? '') ? 'json' : 'yaml';
}

/** A vendor's profile is published by its vendor admin. */
export const PUBLISH_PROFILE_ACCESS: VendorAccess = { vendor: ['vendor_admin'] };

/** A vendor's profile versions and their sources are read by its staff (any role). */
export const PROFILE_SOURCE_ACCESS: VendorAccess = { vendor: 'any' };

/**
 * Publishes a new version of a vendor's profile (vendor_admin of that vendor): checks the
 * source, stores it as written, makes it current and records `vendor.profile_published`.
 * Invalid → unprocessable with `line:column path` problems; nothing is written.
 */
export async function publishProfile(
  ctx: AppContext,
  actor: Actor | null,
  input: {
    slug: string;
    source: string;
    format: ProfileFormat;
    /** If-Match: the version the editor started from; another one is a conflict. */
    expectedVersion?: number | undefined;
  },
  options: WriteOptions = {},
): Promise<{ version: number }> {
  return inTransaction(ctx, options, async (tx) => {
    const by = requireActor(actor);
    const vendor = await findStaffVendor(tx, by, input.slug, PUBLISH_PROFILE_ACCESS);
    checkVersion('profile', vendor.profile_version, input.expectedVersion);
    const profile = checkProfileSource(input.source, `${vendor.slug}.${input.format}`, vendor.slug);
    // The same text again is no new version.
    const current = await findCurrentProfileSource(tx, vendor.id);
    if (current && current.source === input.source && current.format === input.format) {
      return { version: current.version };
    }
    const at = ctx.now().toISOString();
    const row = await insertProfileVersion(tx, {
      vendorId: vendor.id,
      source: input.source,
      format: input.format,
      schemaVersion: PROFILE_SCHEMA_VERSION,
      profileJson: JSON.stringify(profile),
      createdBy: by.userId,
      at,
    });
    if (!row) throw notFound('Vendor');
    await recordEvent(tx, {
      type: 'vendor.profile_published',
      entityId: vendor.id,
      vendorId: vendor.id,
      partnerId: null,
      actor: eventActorOf(by),
      at,
      data: {
        vendorId: vendor.id,
        slug: vendor.slug,
        profileVersion: row.version,
        schemaVersion: row.schema_version,
      },
    });
    return { version: row.version };
  });
}

const versionCursorSchema = z.object({
  version: z
    .number()
    .int()
    .min(1)
    .max(2 ** 31 - 1),
});

/** A vendor's profile versions, newest first (its staff), a page at a time. */
export async function listVendorProfileVersions(
  ctx: AppContext,
  actor: Actor | null,
  slug: string,
  query: PageQuery,
): Promise<Page<ProfileVersionView>> {
  const db = ctx.store.db;
  const vendor = await findStaffVendor(db, actor, slug, PROFILE_SOURCE_ACCESS);
  const before = decodeCursor(query.cursor, versionCursorSchema);
  const rows = await listProfileVersions(db, vendor.id, {
    limit: query.limit + 1,
    beforeVersion: before?.version,
  });
  const emails = new Map<string, string>();
  for (const id of new Set(rows.flatMap((r) => (r.created_by ? [r.created_by] : [])))) {
    const user = await findUserById(db, id);
    if (user) emails.set(id, user.email);
  }
  return pageOf(
    rows,
    query.limit,
    (last) => ({ version: last.version }),
    (r) => ({
      version: r.version,
      schemaVersion: r.schema_version,
      format: r.format,
      createdAt: r.created_at,
      createdBy: r.created_by ? (emails.get(r.created_by) ?? null) : null,
      current: r.version === vendor.profile_version,
    }),
  );
}

/** The source of the current (or a given) version of a vendor's profile, for its editor (staff). */
export async function readProfileSource(
  ctx: AppContext,
  actor: Actor | null,
  slug: string,
  version?: number,
): Promise<ProfileSourceView> {
  const db = ctx.store.db;
  const vendor = await findStaffVendor(db, actor, slug, PROFILE_SOURCE_ACCESS);
  const row =
    version === undefined
      ? await findCurrentProfileSource(db, vendor.id)
      : await findProfileVersion(db, vendor.id, version);
  if (!row) throw notFound('Profile version');
  return {
    version: row.version,
    schemaVersion: row.schema_version,
    format: row.format,
    source: row.source,
    createdAt: row.created_at,
  };
}
