// @orderdesk/core — the domain, pure TypeScript, no I/O. See README.md.
export * from './money/index.ts';
export * from './pricing/index.ts';
export * from './special-terms/index.ts';
export * from './profile/index.ts';
export * from './sla/index.ts';
export * from './dates/index.ts';
export * from './subscription/index.ts';
export * from './problems/index.ts';
export * from './events/index.ts';
export * from './notifications/index.ts';
export * from './quote/index.ts';
export * from './order/index.ts';
export * from './invoicing/index.ts';
