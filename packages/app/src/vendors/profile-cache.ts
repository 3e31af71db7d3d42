import type { VendorProfile } from '@orderdesk/core';

const MAX_ENTRIES = 200;
const cache = new Map<string, VendorProfile>();

/**
 * The parsed profile of a vendor row, shared between requests: parsing is not free, and the
 * same object lets core cache what it derives from it (business calendars, workflows).
 * Keyed by the stored text, so an updated profile is a new entry.
 */
export function profileOf(profileText: string): VendorProfile {
  let profile = cache.get(profileText);
  if (profile === undefined) {
    profile = JSON.parse(profileText) as VendorProfile;
    if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
    cache.set(profileText, profile);
  }
  return profile;
}
