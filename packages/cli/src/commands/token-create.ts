import type { Command } from 'commander';
import { actorFromUser, createApiToken } from '@orderdesk/server';
import { findUserByEmail } from '@orderdesk/store';
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
      const secret = await withStore(config, async (store) => {
        const user = await findUserByEmail(store.db, opts.user);
        if (!user) fail(`No user with e-mail ${opts.user}`);
        const actor = await actorFromUser(store.db, user, 'token');
        return (await createApiToken(store.db, actor, opts.name)).token;
      });
      process.stdout.write(`${secret}\n`);
    });
}
