import type { Command } from 'commander';
import { LoginThrottle, systemClock, type AppContext, type AppError } from '@orderdesk/app';
// The server's configuration module alone (zod, no Fastify): commands other than `serve` start
// without loading the server.
import { ConfigError, loadConfig, type Config } from '@orderdesk/server/config';
import { migrateToLatest, openStore, type Store } from '@orderdesk/store';

/** Loads the configuration, exiting with the list of bad variables when it is invalid. */
export function configOrExit(overrides: Record<string, string | undefined> = {}): Config {
  try {
    return loadConfig({ ...process.env, ...overrides });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

/** Opens and migrates the configured database, runs `work`, then closes it. */
export async function withStore<T>(config: Config, work: (store: Store) => Promise<T>): Promise<T> {
  const store = openStore(config.DATABASE_URL, { poolSize: 2 });
  try {
    await migrateToLatest(store);
    return await work(store);
  } finally {
    await store.close();
  }
}

export function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** The application context of a command: the store, the wall clock, the configured settings. */
export function cliAppContext(store: Store, config: Config): AppContext {
  return {
    store,
    clock: systemClock,
    // The whole configuration: its PORT and PUBLIC_URL make links, its TTLs bound them.
    config,
    loginThrottle: new LoginThrottle(config.LOGIN_WINDOW_MINUTES * 60_000),
    now: () => systemClock.now(),
  };
}

/** Prints an application error (its problems one a line) and sets a failing exit code. */
export function reportAppError(error: AppError): void {
  const lines = (error.problems ?? []).map((e) => `  ${e.path}: ${e.message}`);
  process.stderr.write(`${error.message}\n${lines.join('\n')}\n`);
  process.exitCode = 1;
}

/** The nearest import/export group of commands, created once. */
export function commandGroup(program: Command, name: string, description: string): Command {
  return (
    program.commands.find((c) => c.name() === name) ??
    program.command(name).description(description)
  );
}
