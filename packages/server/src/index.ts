// @orderdesk/server — the Fastify application. See README.md.
export { buildApp, type BuildAppOptions } from './app.ts';
export { configSchema, loadConfig, ConfigError, type Config } from './config.ts';
export { startServer, type RunningServer } from './serve.ts';
export {
  seedDemo,
  DEMO_PARTNERS,
  DEMO_STAFF,
  DEMO_VENDOR_SLUGS,
  loadExampleProfile,
} from './seed/demo-seed.ts';
export { hashPassword } from './auth/secrets.ts';
export { createApiToken } from './session/session.service.ts';
export { actorFromUser } from './auth/auth.plugin.ts';
export { HttpProblem, type ProblemItem } from './http/problem.ts';
export {
  importPriceListOrConflict,
  priceListExportRows,
  vendorToday,
  type PriceListImport,
  type PriceListImportResult,
} from './price-lists/price-lists.service.ts';
export {
  PRICE_LIST_FORMATS,
  priceListFormatOf,
  type PriceListFormat,
} from './documents/price-list-import.ts';
export { writePriceList } from './documents/price-list-export.ts';
export { catalogOf } from './orders/order-context.ts';
