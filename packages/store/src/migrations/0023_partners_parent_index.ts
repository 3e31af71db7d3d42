import { sql, type Kysely } from 'kysely';

// Frozen in time: takes Kysely<any> and imports no application code.
//
// Every authenticated request reads its partner's scope with the user (a distributor sees its
// tier-2 resellers' customers): `select … from partners where parent_partner_id = ?`. Without
// an index that is a scan of every partner of the installation on each request, unnoticed with
// the demo's few partners and not with thousands.

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`CREATE INDEX partners_parent_idx ON partners (parent_partner_id)`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await sql`DROP INDEX IF EXISTS partners_parent_idx`.execute(db);
}
