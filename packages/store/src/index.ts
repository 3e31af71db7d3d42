// @orderdesk/store — persistence: Kysely schema, migrations, repositories. See README.md.
export * from './dialects.ts';
export {
  batchedReads,
  batchesReads,
  BatchingPostgresDialect,
  deferredWrites,
} from './batched-reads.ts';
export { GroupCommitSqliteDialect, GROUP_LIMIT } from './sqlite-group-commit.ts';
export * from './executor.ts';
export * from './read-versions.ts';
export * from './ids.ts';
export * from './migrate.ts';
export type * from './schema.ts';
export * from './tenancy.repository.ts';
export * from './users.repository.ts';
export * from './customers.repository.ts';
export * from './audit.repository.ts';
export * from './idempotency.repository.ts';
export * from './counters.repository.ts';
export * from './orders.repository.ts';
export * from './quotes.repository.ts';
export * from './subscriptions.repository.ts';
export * from './catalog.repository.ts';
export * from './search.repository.ts';
export * from './search-index.repository.ts';
export * from './search-index.postgres.ts';
export * from './price-lists.repository.ts';
export * from './import-staging.repository.ts';
export * from './price-list-import.repository.ts';
export * from './multipliers.repository.ts';
export * from './outbox.repository.ts';
export * from './messages.repository.ts';
export * from './profiles.repository.ts';
export * from './invitations.repository.ts';
export * from './login-attempts.repository.ts';
export * from './backup.ts';
export * from './intake.repository.ts';
export * from './jobs.repository.ts';
export * from './fulfilments.repository.ts';
export * from './invoices.repository.ts';
export * from './sla.repository.ts';
export * from './escalations.repository.ts';
export * from './returns.repository.ts';
export * from './licenses.repository.ts';
export * from './documents.repository.ts';
