// The `orderdesk` command as a user runs it: a real child process, a real database.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabaseUrl, testDialects } from '@orderdesk/store/testing';

const run = promisify(execFile);
const root = new URL('../../../', import.meta.url).pathname;
const bin = join(root, 'packages/cli/bin/orderdesk.js');

interface Exit {
  code: number;
  stdout: string;
  stderr: string;
}

async function orderdesk(args: string[], env: Record<string, string> = {}): Promise<Exit> {
  return node([bin, ...args], env);
}

/** `node …args` from the repository's root: its exit code and output. */
async function node(args: string[], env: Record<string, string> = {}): Promise<Exit> {
  try {
    const { stdout, stderr } = await run('node', args, {
      cwd: root,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('orderdesk profile validate', () => {
  it('passes the three example profiles', async () => {
    const r = await orderdesk([
      'profile',
      'validate',
      'examples/profiles/northwind.yaml',
      'examples/profiles/skyline.yaml',
      'examples/profiles/edgeworks.yaml',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('northwind.yaml: ok');
    expect(r.stdout).toContain('edgeworks.yaml: ok');
  });

  it('prints file, line and path of each error and exits non-zero', async () => {
    const r = await orderdesk([
      'profile',
      'validate',
      'examples/profiles/invalid/schema-errors.yaml',
    ]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(
      lines.some((l) =>
        /^examples\/profiles\/invalid\/schema-errors\.yaml:\d+:\d+ orderTypes\[1\]\.quote: /.test(
          l,
        ),
      ),
    ).toBe(true);
    expect(lines.some((l) => /schema-errors\.yaml:\d+:\d+ orderTypes\[0\]\.colour: /.test(l))).toBe(
      true,
    );
    expect(lines.some((l) => /schema-errors\.yaml:\d+:\d+ currency: /.test(l))).toBe(true);
    expect(r.stderr).toContain('1 of 1 profile(s) invalid');
  });

  it('says when a file cannot be read', async () => {
    const r = await orderdesk(['profile', 'validate', 'nope.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('nope.yaml: cannot read');
  });
});

describe('orderdesk --help', () => {
  it('lists the commands, and each has its own help', async () => {
    const r = await orderdesk(['--help']);
    for (const cmd of ['serve', 'migrate', 'seed', 'profile', 'token'])
      expect(r.stdout).toContain(cmd);
    const token = await orderdesk(['token', 'create', '--help']);
    expect(token.stdout).toContain('--user <email>');
  });

  it('refuses invalid configuration with the variable named', async () => {
    const r = await orderdesk(['migrate'], { PORT: 'eighty', DATABASE_URL: 'sqlite::memory:' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('PORT="eighty"');
  });
});

describe("the bench runner's options (npm run bench -- …)", () => {
  const bench = (args: string[]): Promise<Exit> =>
    node(['--import', 'tsx', join(root, 'bench/run.ts'), ...args]);

  it('--help prints the options and the scenarios, and runs nothing', async () => {
    const r = await bench(['--help']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('--only=a,b');
    for (const name of ['submit', 'search', 'import', 'orders', 'outbox', 'startup'])
      expect(r.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    expect(r.stdout).not.toContain('Results written');
  });

  it('an unknown option or scenario is named, with exit code 2', async () => {
    const option = await bench(['--nope']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain("Unknown option '--nope'");
    expect(option.stderr).toContain('Usage: npm run bench');
    const empty = await bench(['--only=submit,']);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('names an empty scenario');
    const scenario = await orderdesk(['bench', '--only=submit,nope']);
    expect(scenario.code).toBe(2);
    expect(scenario.stderr).toContain('unknown scenario nope');
  });
});

describe.each(testDialects())('orderdesk migrate, seed and token on %s', (dialect) => {
  const dir = mkdtempSync(join(tmpdir(), 'orderdesk-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('migrates, seeds idempotently and creates a working token', async () => {
    const url = await createTestDatabaseUrl(dialect, join(dir, 'cli.db'));
    const env = { DATABASE_URL: url };
    const migrate = await orderdesk(['migrate'], env);
    expect(migrate.code, migrate.stderr).toBe(0);
    expect(migrate.stdout).toContain('0001_foundation');
    expect((await orderdesk(['migrate'], env)).stdout).toContain('up to date');
    const seed = await orderdesk(['seed', '--demo'], env);
    expect(seed.code, seed.stderr).toBe(0);
    expect(seed.stdout).toMatch(/Demo data: [1-9]\d* records created/);
    const again = await orderdesk(['seed', '--demo'], env);
    expect(again.stdout).toContain('Demo data: 0 records created');
    const token = await orderdesk(['token', 'create', '--user', 'buyer@acme.example'], env);
    expect(token.code, token.stderr).toBe(0);
    expect(token.stdout.trim()).toMatch(/^od_[A-Za-z0-9_-]{40,}$/);
    const nobody = await orderdesk(['token', 'create', '--user', 'nobody@example.com'], env);
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('No user with e-mail nobody@example.com');
  });
});
