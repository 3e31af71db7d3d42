import { ConfigError, loadConfig, type Config } from '@orderdesk/server';
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
