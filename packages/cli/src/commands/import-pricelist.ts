import { statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { z } from 'zod';
import {
  AppError,
  PRICE_LIST_FORMATS,
  importPriceList,
  priceListFormatOf,
  uploadLimits,
} from '@orderdesk/app';
import type { Config } from '@orderdesk/server';
import {
  cliAppContext,
  commandGroup,
  configOrExit,
  fail,
  reportAppError,
  withStore,
} from './shared.ts';

const optionsSchema = z.object({
  vendor: z.string().min(1),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as USD')
    .optional(),
  effectiveFrom: z.iso.date('a date like 2026-01-01').optional(),
  format: z.enum(PRICE_LIST_FORMATS).optional(),
});

/** The upload limits the environment sets (UPLOAD_MAX_ROWS …), as the server reads them. */
function limitsOf(config: Config): ReturnType<typeof uploadLimits> {
  return uploadLimits({
    maxRows: config.UPLOAD_MAX_ROWS,
    maxColumns: config.UPLOAD_MAX_COLUMNS,
    maxCellBytes: config.UPLOAD_MAX_CELL_BYTES,
    maxRecordBytes: config.UPLOAD_MAX_RECORD_BYTES,
    maxSharedStrings: config.UPLOAD_MAX_SHARED_STRINGS,
    maxSharedStringsBytes: config.UPLOAD_MAX_SHARED_STRINGS_BYTES,
    maxUncompressedBytes: config.UPLOAD_MAX_UNCOMPRESSED_BYTES,
    timeBudgetMs: config.UPLOAD_TIME_BUDGET_MS,
    maxWorkerHeapMb: config.UPLOAD_WORKER_HEAP_MB,
  });
}

export function registerImportPriceList(program: Command): void {
  commandGroup(program, 'import', 'Import files into the database')
    .command('pricelist')
    .description(
      'Import a price list (CSV or XLSX: partNumber,name,type,category,listPrice[,effectiveFrom,…]) ' +
        'as a new version, all or nothing; every bad row is reported',
    )
    .argument('<file>', 'the .csv or .xlsx file')
    .requiredOption('--vendor <slug>', 'the vendor whose price list it is')
    .option('--currency <code>', "the list's currency (default: the vendor profile's)")
    .option('--effective-from <date>', "first day in force (default: the file's, else today)")
    .option('--format <format>', 'csv or xlsx (default: from the file name)')
    .action(async (file: string, raw: Record<string, string | undefined>) => {
      const parsed = optionsSchema.safeParse(raw);
      if (!parsed.success) {
        fail(parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('\n'), 2);
      }
      const opts = parsed.data;
      const format = opts.format ?? priceListFormatOf(file);
      if (!format)
        fail(`Cannot tell the format of ${file}: name it .csv or .xlsx, or pass --format`, 2);
      let size: number;
      try {
        size = statSync(file).size;
      } catch (error) {
        fail(`Cannot read ${file}: ${(error as Error).message}`);
      }
      const config = configOrExit();
      const started = Date.now();
      // Loaded here, not with the CLI: only this command draws a progress bar.
      const { default: cliProgress } = await import('cli-progress');
      const bar = new cliProgress.SingleBar(
        {
          format: 'Importing |{bar}| {percentage}% | {rows} rows | {kb}/{totalKb} KB',
          stream: process.stderr,
          noTTYOutput: true,
          notTTYSchedule: 500,
          hideCursor: true,
        },
        cliProgress.Presets.shades_classic,
      );
      let bytes = 0;
      let rows = 0;
      const update = (): void =>
        bar.update(bytes, { rows, kb: Math.round(bytes / 1024), totalKb: Math.round(size / 1024) });
      bar.start(size, 0, { rows: 0, kb: 0, totalKb: Math.round(size / 1024) });
      try {
        // The same use case as POST /vendors/{slug}/price-lists; the operator, who owns the
        // database, acts without a user account.
        const result = await withStore(config, (store) =>
          importPriceList(
            cliAppContext(store, config),
            { operator: 'orderdesk import pricelist' },
            {
              vendor: opts.vendor,
              format,
              // The worker thread reads the file itself, at its own pace.
              source: { path: file },
              sourceName: basename(file),
              currency: opts.currency,
              effectiveFrom: opts.effectiveFrom,
              limits: limitsOf(config),
              // Every 1,000 rows read, bad ones too: the bar moves while a file is refused.
              onProgress: (n, read) => {
                rows = n;
                bytes = Math.min(read, size);
                update();
              },
            },
          ),
        );
        rows = result.rowCount;
        bytes = size;
        update();
        bar.stop();
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        process.stdout.write(
          `Imported ${result.rowCount} rows as ${opts.vendor} ${result.currency} price list ` +
            `v${result.version} (${result.id}), in force from ${result.effectiveFrom}: ` +
            `${result.productsCreated} products created, ${result.productsUpdated} updated, ` +
            `in ${seconds} s.\n`,
        );
      } catch (error) {
        bar.stop();
        if (error instanceof AppError) {
          reportAppError(error);
          return;
        }
        throw error;
      }
    });
}
