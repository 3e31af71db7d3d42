import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Command } from 'commander';
import { z } from 'zod';
import {
  PRICE_LIST_FORMATS,
  priceListExportRows,
  vendorToday,
  writePriceList,
} from '@orderdesk/server';
import { findPriceList, findPriceListInForce, findVendorBySlug } from '@orderdesk/store';
import { commandGroup } from './import-pricelist.ts';
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
      const summary = await withStore(config, async (store) => {
        const vendor = await findVendorBySlug(store.db, opts.vendor);
        if (!vendor) fail(`No vendor "${opts.vendor}"`);
        const profile = JSON.parse(vendor.profile) as { currency?: string };
        const currency = opts.currency ?? profile.currency ?? 'USD';
        const today = vendorToday(vendor, new Date());
        const priceList = opts.id
          ? await findPriceList(store.db, vendor.id, opts.id)
          : await findPriceListInForce(store.db, vendor.id, currency, today);
        if (!priceList) {
          fail(
            opts.id
              ? `No price list ${opts.id} for ${opts.vendor}`
              : `No ${currency} price list of ${opts.vendor} is in force on ${today}`,
          );
        }
        const out = createWriteStream(opts.out);
        await Promise.all([
          finished(out),
          writePriceList(out, opts.format, priceListExportRows(store.db, priceList)),
        ]);
        return priceList;
      });
      process.stdout.write(
        `Wrote ${summary.row_count} rows of ${opts.vendor} ${summary.currency} price list ` +
          `v${summary.version} to ${opts.out}.\n`,
      );
    });
}
