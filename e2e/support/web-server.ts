// Starts what a newcomer starts: `orderdesk serve --demo` on a fresh SQLite database and a free
// port, after building the web app when its dist/ is missing or older than its sources.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const WEB = join(ROOT, 'packages/web');

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/** Builds packages/web into dist/ unless dist/ is newer than every source file. */
export function ensureWebBuilt(): void {
  const built = join(WEB, 'dist/index.html');
  const sources = Math.max(
    newestMtime(join(WEB, 'src')),
    newestMtime(join(WEB, 'index.html')),
    newestMtime(join(WEB, 'vite.config.ts')),
  );
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  // Vitest sets NODE_ENV=test, and Vite keeps an inherited NODE_ENV: React would be bundled
  // in its development build.
  const result = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], {
    cwd: WEB,
    encoding: 'utf8',
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (result.status !== 0) throw new Error(`vite build failed:\n${result.stdout}${result.stderr}`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** The test machine's own mail settings must not make the demo server send or poll mail. */
function withoutMailSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { SMTP_URL: _smtp, IMAP_URL: _imap, ...rest } = env;
  return rest;
}

export interface RunningWebServer {
  url: string;
  /** The server's DATABASE_URL, for a CLI command run against the same database. */
  databaseUrl: string;
  stop(): Promise<void>;
}

/** `orderdesk serve --demo` as a subprocess; resolves once /api/v1/health answers. */
export async function startWebServer(): Promise<RunningWebServer> {
  const dir = mkdtempSync(join(tmpdir(), 'orderdesk-e2e-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    process.execPath,
    [join(ROOT, 'packages/cli/bin/orderdesk.js'), 'serve', '--demo'],
    {
      cwd: ROOT,
      env: {
        ...withoutMailSettings(process.env),
        DATABASE_URL: `sqlite:${join(dir, 'e2e.db')}`,
        PORT: String(port),
        HOST: '127.0.0.1',
        ORDERDESK_DEMO: '1',
        ORDERDESK_DEMO_PASSWORD: 'demo',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`orderdesk serve exited:\n${output}`);
    try {
      const response = await fetch(`${url}/api/v1/health`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`orderdesk serve did not answer within 120 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    databaseUrl: `sqlite:${join(dir, 'e2e.db')}`,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
