import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { formatProfileErrors, parseVendorProfile } from '@orderdesk/core';

export function registerProfile(program: Command): void {
  const profile = program.command('profile').description('Vendor profiles');
  profile
    .command('validate')
    .description(
      'Check vendor profile files (YAML or JSON); prints file:line:column path: message per error',
    )
    .argument('<files...>', 'profile files')
    .action((files: string[]) => {
      let bad = 0;
      for (const file of files) {
        let text: string;
        try {
          text = readFileSync(file, 'utf8');
        } catch (error) {
          process.stderr.write(`${file}: cannot read: ${(error as Error).message}\n`);
          bad++;
          continue;
        }
        const result = parseVendorProfile(text, file);
        if (result.ok) {
          process.stdout.write(
            `${file}: ok (${result.profile.slug}, ${result.profile.orderTypes.length} order types)\n`,
          );
        } else {
          process.stderr.write(`${formatProfileErrors(result.errors)}\n`);
          bad++;
        }
      }
      if (bad > 0) {
        process.stderr.write(`${bad} of ${files.length} profile(s) invalid\n`);
        process.exitCode = 1;
      }
    });
}
