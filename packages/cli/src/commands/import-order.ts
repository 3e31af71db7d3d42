import { readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { z } from 'zod';
import {
  AppError,
  ORDER_WORKBOOK_LIMITS,
  actorFromUser,
  checkOrderImport,
  submitOrderImport,
} from '@orderdesk/app';
import { findUserByEmail } from '@orderdesk/store';
import {
  cliAppContext,
  commandGroup,
  configOrExit,
  fail,
  reportAppError,
  withStore,
} from './shared.ts';

const optionsSchema = z.object({
  vendor: z.string().trim().min(1),
  as: z.email('the e-mail address of a user'),
  partner: z.string().trim().min(1).optional(),
  submit: z.boolean().optional(),
});

/**
 * `orderdesk import order FILE --vendor S --as EMAIL [--partner ID] [--submit]`: the same check
 * as POST /orders/import — every problem at its Sheet!Cell — and with --submit the order. The
 * order is placed as a user: a partner user, or order-desk staff for `--partner`.
 */
export function registerImportOrder(program: Command): void {
  commandGroup(program, 'import', 'Import files into the database')
    .command('order')
    .description(
      'Check an order workbook (the vendor’s Excel order template) and, with --submit, place the order',
    )
    .argument('<file>', 'the .xlsx workbook')
    .requiredOption('--vendor <slug>', 'the vendor the order is for')
    .requiredOption('--as <email>', 'the user placing it (a partner user, or order-desk staff)')
    .option('--partner <id>', 'vendor staff: the partner the order is placed for')
    .option('--submit', 'place the order when the workbook is valid')
    .action(async (file: string, raw: Record<string, unknown>) => {
      const parsed = optionsSchema.safeParse(raw);
      if (!parsed.success) {
        fail(parsed.error.issues.map((i) => `--${String(i.path[0])}: ${i.message}`).join('\n'), 2);
      }
      const opts = parsed.data;
      let bytes: Buffer;
      try {
        if (statSync(file).size > ORDER_WORKBOOK_LIMITS.maxBytes) {
          fail(`${file} is larger than ${ORDER_WORKBOOK_LIMITS.maxBytes} bytes`);
        }
        bytes = readFileSync(file);
      } catch (error) {
        fail(`Cannot read ${file}: ${(error as Error).message}`);
      }
      const config = configOrExit();
      try {
        await withStore(config, async (store) => {
          const user = await findUserByEmail(store.db, opts.as);
          if (!user || user.active === 0) fail(`No active user ${opts.as}`, 2);
          const actor = await actorFromUser(store.db, user, 'token');
          const ctx = cliAppContext(store, config);
          const input = { bytes, vendor: opts.vendor, partnerId: opts.partner };
          if (opts.submit) {
            const order = await submitOrderImport(ctx, actor, input);
            process.stdout.write(
              `Submitted order ${order.number} (${order.id}), ${order.lines.length} line(s), total ${order.total} ${order.currency}.\n`,
            );
            return;
          }
          const result = await checkOrderImport(ctx, actor, input);
          for (const p of result.problems) {
            const field = p.field === p.path ? '' : ` (${p.field})`;
            process.stdout.write(`${p.severity} ${p.path}${field} ${p.code}: ${p.message}\n`);
          }
          const lines = Array.isArray(result.submission?.lines)
            ? result.submission.lines.length
            : 0;
          process.stdout.write(
            result.valid
              ? `Valid: ${lines} line(s); run again with --submit to place the order.\n`
              : `Not valid: ${result.problems.filter((p) => p.severity === 'error').length} problem(s).\n`,
          );
          if (!result.valid) process.exitCode = 1;
        });
      } catch (error) {
        if (error instanceof AppError) {
          reportAppError(error);
          return;
        }
        throw error;
      }
    });
}
