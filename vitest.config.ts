import { defineConfig } from 'vitest/config';

// One project per package: `core` is pure unit tests; the others loop over both databases
// (SQLite and a throwaway PostgreSQL). The root global setup starts that PostgreSQL once for the
// whole run and provides its URL to every project; a project whose tests open databases says
// so with `provide: { usesDatabases: true }`.
const usesDatabases = { usesDatabases: true };

export default defineConfig({
  test: {
    globalSetup: ['packages/store/test/global-setup.ts'],
    projects: [
      { test: { name: 'core', include: ['packages/core/src/**/*.test.ts'] } },
      {
        test: {
          name: 'store',
          include: ['packages/store/src/**/*.test.ts'],
          provide: usesDatabases,
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'app',
          include: ['packages/app/src/**/*.test.ts', 'packages/app/test/**/*.test.ts'],
          provide: usesDatabases,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'server',
          include: ['packages/server/src/**/*.test.ts', 'packages/server/test/**/*.test.ts'],
          provide: usesDatabases,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'cli',
          include: ['packages/cli/src/**/*.test.ts'],
          provide: usesDatabases,
          testTimeout: 120_000,
          hookTimeout: 60_000,
        },
      },
      {
        // The web app's checks that need no browser: the generated API types match the server.
        test: {
          name: 'web',
          include: ['packages/web/test/**/*.test.ts'],
          testTimeout: 60_000,
        },
      },
      {
        // Browser tests (e2e/): real Chromium against `orderdesk serve --demo` on SQLite.
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
