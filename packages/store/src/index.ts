// @orderdesk/store — persistence: Kysely schema, migrations, repositories. See README.md.
export * from './dialects.ts';
export * from './executor.ts';
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
