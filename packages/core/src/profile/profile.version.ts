/**
 * The version of the vendor-profile schema. Stored with every profile version, so a later
 * schema that reads a key differently can tell which profiles were written for which; bump it
 * (with a note in docs/adr/0003) whenever a key's meaning changes or a key is removed.
 */
export const PROFILE_SCHEMA_VERSION = 2;
