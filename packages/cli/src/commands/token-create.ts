import type { Command } from 'commander';
import { AppError, createApiTokenForUser } from '@orderdesk/app';
import { cliAppContext } from './shared.ts';
import { configOrExit, fail, withStore } from './shared.ts';

export function registerToken(program: Command): void {
  const token = program.command('token').description('API tokens');
  token
    .command('create')
    .description('Create a bearer API token for a user (printed once, stored hashed)')
    .requiredOption('--user <email>', 'the user the token acts as')
    .option('--name <name>', 'a label for the token', 'cli')
    .action(async (opts: { user: string; name: string }) => {
      const config = configOrExit();
      try {
        const created = await withStore(config, (store) =>
          createApiTokenForUser(
            cliAppContext(store, config),
            { operator: 'orderdesk token create' },
            { email: opts.user, name: opts.name },
          ),
        );
        process.stdout.write(`${created.token}\n`);
      } catch (error) {
        if (error instanceof AppError) fail(error.message);
        throw error;
      }
    });
}
