import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// A throwaway PostgreSQL cluster for tests: initdb + pg_ctl in a temp dir on a free
// loopback port, stopped and removed after. Uses Debian's server binaries.

export interface PostgresServer {
  url: string;
  stop(): void;
}

const INSTALL = 'apt-get install -y postgresql';

/** The directory holding initdb and pg_ctl, if this machine has one. */
function installedBinDir(): string | null {
  const fromEnv = process.env.PG_BIN_DIR;
  if (fromEnv && existsSync(join(fromEnv, 'initdb'))) return fromEnv;
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0]) return join(root, versions[0], 'bin');
  }
  const which = spawnSync('sh', ['-c', 'command -v initdb'], { encoding: 'utf8' });
  const found = which.stdout.trim();
  return which.status === 0 && found ? join(found, '..') : null;
}

/**
 * Finds the directory holding initdb and pg_ctl. When there is none and the tests may install
 * it (root on Debian), installs Debian's server, as the dovecot, Chromium and xmllint set-ups
 * do; otherwise stops with the one command to run. `install: false` only looks (the bench
 * skips its PostgreSQL rows without a server).
 */
export function findPostgresBinDir(options: { install?: boolean } = {}): string {
  const found = installedBinDir();
  if (found) return found;
  if ((options.install ?? true) && process.getuid?.() === 0 && existsSync('/etc/debian_version')) {
    const r = spawnSync('sh', ['-c', `apt-get update -qq && ${INSTALL} -qq`], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    const installed = r.status === 0 ? installedBinDir() : null;
    if (installed) return installed;
  }
  throw new Error(
    'PostgreSQL server binaries (initdb, pg_ctl) not found. The test suite runs on SQLite and ' +
      `PostgreSQL: install them with: ${INSTALL} (or set PG_BIN_DIR to where they are, or ` +
      'ORDERDESK_TEST_DATABASES=sqlite to run the SQLite half only).',
  );
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts a fresh cluster; as root it runs the server as the `postgres` user (initdb refuses root). */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = findPostgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'orderdesk-pg-'));
  chmodSync(dir, 0o777);
  const dataDir = join(dir, 'data');
  const port = await freePort();
  const asRoot = process.getuid?.() === 0;
  const run = (cmd: string, args: string[]): void => {
    const full = join(bin, cmd);
    const [file, argv] = asRoot
      ? ['runuser', ['-u', 'postgres', '--', full, ...args]]
      : [full, args];
    execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  };
  try {
    run('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale']);
    run('pg_ctl', [
      'start',
      '-w',
      '-D',
      dataDir,
      '-l',
      join(dir, 'server.log'),
      '-o',
      `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300`,
    ]);
  } catch (error) {
    const e = error as { stderr?: Buffer; message: string };
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`Could not start PostgreSQL: ${e.stderr?.toString() ?? e.message}`);
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop: () => {
      try {
        run('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
