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
} from '@orderdesk/app';
export { hashPassword } from '@orderdesk/app';
export { createApiToken } from '@orderdesk/app';
export { actorFromUser } from '@orderdesk/app';
export { HttpProblem, type ProblemItem } from './http/problem.ts';
export { PRICE_LIST_FORMATS, priceListFormatOf, type PriceListFormat } from '@orderdesk/app';
export { writePriceList } from '@orderdesk/app';
export { catalogOf } from '@orderdesk/app';
export * from './mail/index.ts';
