import type { Command } from 'commander';
import { DEMO_STAFF, DEMO_VENDOR_SLUGS, DEMO_PARTNERS, startServer } from '@orderdesk/server';
import { configOrExit } from './shared.ts';

function demoLogins(password: string): string {
  const staff = DEMO_VENDOR_SLUGS.map(
    (slug) =>
      `  ${slug.padEnd(10)} ${DEMO_STAFF.map(([local]) => `${local}@${slug}.example`).join('  ')}`,
  );
  const partners = DEMO_PARTNERS.map(
    (p) => `  ${p.buyer.padEnd(24)} ${p.name}${p.tier === 2 ? ' (tier 2)' : ''}`,
  );
  return [
    `Demo logins (password: ${password === 'demo' ? 'demo' : '$ORDERDESK_DEMO_PASSWORD'}):`,
    '  Vendor staff (admin, cam, sales, desk, finance, provisioning):',
    ...staff,
    '  Partners:',
    ...partners,
  ].join('\n');
}

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Migrate the database and serve the API and web app')
    .option('--demo', 'seed the demo data into an empty database (ORDERDESK_DEMO=0 turns it off)')
    .option('-p, --port <port>', 'port to listen on (PORT)')
    .action(async (opts: { demo?: boolean; port?: string }) => {
      const config = configOrExit({
        ...(opts.demo && process.env.ORDERDESK_DEMO === undefined ? { ORDERDESK_DEMO: '1' } : {}),
        ...(opts.port ? { PORT: opts.port } : {}),
      });
      const server = await startServer(config);
      const db = server.store.dialect === 'sqlite' ? config.DATABASE_URL : 'PostgreSQL';
      process.stdout.write(
        `\nOrderDesk is running on ${server.url}  (database: ${db})\n` +
          `  API reference: ${server.url}/api/docs\n` +
          (config.ORDERDESK_DEMO ? `\n${demoLogins(config.ORDERDESK_DEMO_PASSWORD)}\n\n` : '\n'),
      );
      let closing = false;
      const shutdown = (signal: string): void => {
        if (closing) return;
        closing = true;
        process.stdout.write(`Received ${signal}, finishing requests and closing…\n`);
        server.close().then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`Error while closing: ${String(error)}\n`);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', () => shutdown('SIGINT'));
      process.on('SIGTERM', () => shutdown('SIGTERM'));
    });
}
