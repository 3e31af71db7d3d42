import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import { AppError, PRICE_LIST_FORMATS, exportPriceList } from '@orderdesk/app';
import { cliAppContext, commandGroup, reportAppError } from './shared.ts';
import { configOrExit, fail, withStore } from './shared.ts';

const optionsSchema = z.object({
  vendor: z.string().min(1),
  format: z.enum(PRICE_LIST_FORMATS),
  out: z.string().min(1),
  id: z.string().optional(),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD')
    .optional(),
});

export function registerExportPriceList(program: Command): void {
  commandGroup(program, 'export', 'Export data to files')
    .command('pricelist')
    .description(
      'Export a price list as CSV or XLSX (re-importable): by default the one in force today',
    )
    .requiredOption('--vendor <slug>', 'the vendor')
    .requiredOption('--format <format>', 'csv or xlsx')
    .requiredOption('--out <file>', 'the file to write')
    .option('--id <priceListId>', 'a particular price list version')
    .option('--currency <code>', "the list's currency (default: the vendor profile's)")
    .action(async (raw: Record<string, string | undefined>) => {
      const parsed = optionsSchema.safeParse(raw);
      if (!parsed.success) {
        fail(parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('\n'), 2);
      }
      const opts = parsed.data;
      const config = configOrExit();
      try {
        // The same use case as GET /vendors/{slug}/price-lists/{id}/export; the file is opened
        // only once the price list is found.
        const summary = await withStore(config, async (store) => {
          const file = await exportPriceList(
            cliAppContext(store, config),
            { operator: 'orderdesk export pricelist' },
            {
              vendor: opts.vendor,
              format: opts.format,
              id: opts.id,
              ...(opts.currency ? { currency: opts.currency } : {}),
            },
          );
          const out = createWriteStream(opts.out);
          await Promise.all([finished(out), file.writeTo(out)]);
          return file.priceList;
        });
        process.stdout.write(
          `Wrote ${summary.rowCount} rows of ${opts.vendor} ${summary.currency} price list ` +
            `v${summary.version} to ${opts.out}.\n`,
        );
      } catch (error) {
        if (error instanceof AppError) {
          reportAppError(error);
          return;
        }
        throw error;
      }
    });
}
