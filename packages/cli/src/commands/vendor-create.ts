import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { createVendor, isAppError, type CreatedVendor } from '@orderdesk/app';
import { cliAppContext, configOrExit, fail, withStore } from './shared.ts';

interface VendorCreateOptions {
  slug: string;
  name: string;
  profile: string;
  admin: string;
  adminName?: string;
}

/** An error line per problem: `file:line:column path: message` for the profile's, else `--flag: message`. */
function problemLines(
  file: string,
  problems: readonly { path: string; message: string }[],
): string[] {
  return problems.map((p) =>
    /^\d+:\d+/.test(p.path) ? `${file}:${p.path}: ${p.message}` : `--${p.path}: ${p.message}`,
  );
}

/** `orderdesk vendor create` (API.md "Administration"). */
export function registerVendor(program: Command): void {
  const vendor = program.command('vendor').description('Vendors');
  vendor
    .command('create')
    .description(
      "Create a vendor with its profile (version 1) and first vendor_admin; prints the admin's single-use link to set a password",
    )
    .requiredOption('--slug <slug>', 'the vendor slug (the profile must say the same)')
    .requiredOption('--name <name>', 'the display name of the vendor')
    .requiredOption('--profile <file>', 'the vendor profile (YAML or JSON), stored as written')
    .requiredOption('--admin <email>', 'e-mail of the first vendor_admin')
    .option('--admin-name <name>', 'name of the first vendor_admin')
    .action(async (opts: VendorCreateOptions) => {
      const config = configOrExit();
      let source: string;
      try {
        source = readFileSync(opts.profile, 'utf8');
      } catch (error) {
        fail(`${opts.profile}: cannot read: ${(error as Error).message}`);
      }
      const outcome = await withStore(
        config,
        async (store): Promise<CreatedVendor | { error: string }> => {
          const ctx = cliAppContext(store, config);
          try {
            return await createVendor(ctx, {
              slug: opts.slug,
              name: opts.name,
              source,
              format: /\.json$/i.test(opts.profile) ? 'json' : 'yaml',
              fileName: opts.profile,
              admin: { email: opts.admin, name: opts.adminName },
            });
          } catch (error) {
            if (!isAppError(error)) throw error;
            const lines = problemLines(opts.profile, error.problems ?? []);
            return { error: [error.message, ...lines].join('\n') };
          }
        },
      );
      if ('error' in outcome) fail(outcome.error);
      process.stdout.write(
        [
          `Created vendor ${outcome.vendor.slug} (${outcome.vendor.name}) with profile version ${outcome.vendor.profileVersion}.`,
          `Invited ${outcome.admin.email} (vendor_admin). This link sets the password once, until ${outcome.invitation.expiresAt}:`,
          outcome.invitationLink,
          '',
        ].join('\n'),
      );
    });
}
