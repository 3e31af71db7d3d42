import type { Executor } from './executor.ts';
import { newId } from './ids.ts';
import type { VendorProfile } from './schema.ts';

// Vendor profiles as source: every published version keeps the text the vendor wrote. The row
// of `vendors.profile_version` is authoritative; `vendors.profile` is the parsed JSON of that
// same version, written with it (so readers need not parse), never on its own.

export const PROFILE_FORMATS = ['yaml', 'json'] as const;
export type ProfileFormat = (typeof PROFILE_FORMATS)[number];

/** Inserts one version row as given (vendor creation writes version 1 through this). */
export async function insertProfileRow(
  db: Executor,
  input: {
    vendorId: string;
    version: number;
    schemaVersion: number;
    source: string;
    format: ProfileFormat;
    createdBy: string | null;
    at: string;
  },
): Promise<VendorProfile> {
  const row: VendorProfile = {
    id: newId('vpr'),
    vendor_id: input.vendorId,
    version: input.version,
    schema_version: input.schemaVersion,
    source: input.source,
    format: input.format,
    created_by: input.createdBy,
    created_at: input.at,
  };
  await db.insertInto('vendor_profiles').values(row).execute();
  return row;
}

export interface ProfileVersionInput {
  vendorId: string;
  /** What the vendor wrote. */
  source: string;
  format: ProfileFormat;
  schemaVersion: number;
  /** The source parsed through the schema, as JSON: becomes `vendors.profile`. */
  profileJson: string;
  /** The vendor's display name from the profile, if it changes with it. */
  name?: string;
  createdBy: string | null;
  at: string;
}

/**
 * Publishes a new version of a vendor's profile and makes it current: bumps
 * `vendors.profile_version` (the vendor row's lock serializes concurrent publishers on
 * PostgreSQL; SQLite runs one writer at a time), writes the parsed JSON and inserts the source
 * under that version. Call inside the publishing transaction. Undefined if no such vendor.
 */
export async function insertProfileVersion(
  db: Executor,
  input: ProfileVersionInput,
): Promise<VendorProfile | undefined> {
  const bumped = await db
    .updateTable('vendors')
    .set((eb) => ({
      profile_version: eb('profile_version', '+', 1),
      profile: input.profileJson,
      ...(input.name !== undefined ? { name: input.name } : {}),
      updated_at: input.at,
    }))
    .where('id', '=', input.vendorId)
    .returning('profile_version')
    .executeTakeFirst();
  if (!bumped) return undefined;
  return insertProfileRow(db, {
    vendorId: input.vendorId,
    version: Number(bumped.profile_version),
    schemaVersion: input.schemaVersion,
    source: input.source,
    format: input.format,
    createdBy: input.createdBy,
    at: input.at,
  });
}

/** One version of a vendor's profile (e.g. the one an order was submitted under). */
export async function findProfileVersion(
  db: Executor,
  vendorId: string,
  version: number,
): Promise<VendorProfile | undefined> {
  return db
    .selectFrom('vendor_profiles')
    .selectAll()
    .where('vendor_id', '=', vendorId)
    .where('version', '=', version)
    .executeTakeFirst();
}

/** The current version of a vendor's profile, with its source. */
export async function findCurrentProfileSource(
  db: Executor,
  vendorId: string,
): Promise<VendorProfile | undefined> {
  return db
    .selectFrom('vendor_profiles as p')
    .innerJoin('vendors as v', (j) =>
      j.onRef('v.id', '=', 'p.vendor_id').onRef('v.profile_version', '=', 'p.version'),
    )
    .selectAll('p')
    .where('p.vendor_id', '=', vendorId)
    .executeTakeFirst();
}

export type ProfileVersionSummary = Omit<VendorProfile, 'source'>;

/** A vendor's profile versions, newest first, without their source text. */
export async function listProfileVersions(
  db: Executor,
  vendorId: string,
  page?: { limit: number; beforeVersion?: number | undefined },
): Promise<ProfileVersionSummary[]> {
  let q = db
    .selectFrom('vendor_profiles')
    .select(['id', 'vendor_id', 'version', 'schema_version', 'format', 'created_by', 'created_at'])
    .where('vendor_id', '=', vendorId)
    .orderBy('version', 'desc');
  if (page) {
    q = q.limit(page.limit);
    if (page.beforeVersion !== undefined) q = q.where('version', '<', page.beforeVersion);
  }
  return q.execute();
}
