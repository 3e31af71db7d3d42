// Profiles as source: the vendor's own text (YAML or JSON) is what is stored, per version
// (vendor_profiles). On read it is parsed through the schema — the same function that
// checked it when it was published — once per (vendor, version) and process: profiles are
// shared objects, so core can cache what it derives from them (calendars, workflows).
import { parseVendorProfile, formatProfileErrors, type VendorProfile } from '@orderdesk/core';
import { findProfileVersion, type Executor, type Vendor } from '@orderdesk/store';

const MAX_ENTRIES = 500;
const cache = new Map<string, VendorProfile>();

function remember(key: string, profile: VendorProfile): VendorProfile {
  if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
  cache.set(key, profile);
  return profile;
}

/** Parses a stored source; a stored profile that no longer parses is a bug, not bad input. */
function parseStored(source: string, label: string): VendorProfile {
  const parsed = parseVendorProfile(source, label, { stored: true });
  if (!parsed.ok) {
    throw new Error(
      `Stored profile ${label} no longer parses:\n${formatProfileErrors(parsed.errors)}`,
    );
  }
  return parsed.profile;
}

/** The profile of a vendor at one version if this process has it parsed already. */
export function cachedProfileVersion(vendorId: string, version: number): VendorProfile | undefined {
  return cache.get(`${vendorId}@${version}`);
}

/** The profile of a vendor at one version (an order's: the version it was submitted under). */
export async function profileVersionOf(
  db: Executor,
  vendor: Pick<Vendor, 'id' | 'slug' | 'profile'>,
  version: number,
): Promise<VendorProfile> {
  const key = `${vendor.id}@${version}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const row = await findProfileVersion(db, vendor.id, version);
  const source = row?.source ?? vendor.profile;
  return remember(key, parseStored(source, `${vendor.slug} profile v${version}`));
}

/** The vendor's current profile. */
export async function profileOfVendor(
  db: Executor,
  vendor: Pick<Vendor, 'id' | 'slug' | 'profile' | 'profile_version'>,
): Promise<VendorProfile> {
  return profileVersionOf(db, vendor, vendor.profile_version);
}
