// A real IMAP server for tests: Debian's dovecot, started from a configuration written into a
// temporary directory (passwd-file users, plaintext auth on 127.0.0.1 only, no SSL, maildirs in
// the same directory) on a free loopback port, and stopped with the test. Works as root (mail
// and login processes run as an unprivileged system user) and as a normal user (everything runs
// as that user).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

export interface Dovecot {
  host: string;
  port: number;
  /** `imap://user:pass@127.0.0.1:port/INBOX` for a user made by `addUser` (or at start). */
  urlOf(user: string): string;
  /**
   * Adds a mail user. dovecot re-reads the passwd file at most once a second: a user added
   * right after a login may be refused for that second, so tests add their users at start.
   */
  addUser(user: string, password: string): void;
  /** The server's log, for a failing test's message. */
  log(): string;
  stop(): Promise<void>;
}

const INSTALL = 'apt-get install -y dovecot-imapd';

function dovecotBinary(): string {
  for (const path of ['/usr/sbin/dovecot', '/usr/local/sbin/dovecot']) {
    if (existsSync(path)) return path;
  }
  const isRoot = process.getuid?.() === 0;
  const debian = existsSync('/etc/debian_version');
  if (isRoot && debian) {
    const r = spawnSync('sh', ['-c', `apt-get update -qq && ${INSTALL}`], {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    if (r.status === 0 && existsSync('/usr/sbin/dovecot')) return '/usr/sbin/dovecot';
  }
  throw new Error(`dovecot is not installed; install it with: ${INSTALL}`);
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

async function waitForGreeting(port: number, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('data', (d) => {
        socket.destroy();
        resolve(d.toString().startsWith('* OK'));
      });
      socket.once('error', () => resolve(false));
      socket.setTimeout(1000, () => {
        socket.destroy();
        resolve(false);
      });
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

/** The system user dovecot's unprivileged processes run as when started by root. */
function unprivilegedUser(): { name: string; uid: number; gid: number } {
  const passwd = readFileSync('/etc/passwd', 'utf8');
  for (const name of ['dovenull', 'nobody']) {
    const line = passwd.split('\n').find((l) => l.startsWith(`${name}:`));
    const [, , uid, gid] = line?.split(':') ?? [];
    if (uid !== undefined && gid !== undefined) return { name, uid: Number(uid), gid: Number(gid) };
  }
  throw new Error('No dovenull or nobody user for dovecot to run its processes as');
}

/** Starts dovecot with the given users; stop() ends it and removes its directory. */
export async function startDovecot(
  users: Record<string, string> = { orders: 'orders-secret' },
): Promise<Dovecot> {
  const binary = dovecotBinary();
  const dir = mkdtempSync(join(tmpdir(), 'orderdesk-dovecot-'));
  const port = await freePort();
  const isRoot = process.getuid?.() === 0;
  const me = userInfo();
  const runAs = isRoot ? unprivilegedUser() : { name: me.username, uid: me.uid, gid: me.gid };
  const groupName = isRoot
    ? (readFileSync('/etc/group', 'utf8')
        .split('\n')
        .find((l) => l.split(':')[2] === String(runAs.gid))
        ?.split(':')[0] ?? runAs.name)
    : (spawnSync('id', ['-gn']).stdout.toString().trim() ?? me.username);
  const passwd = join(dir, 'passwd');
  const mail = join(dir, 'mail');
  const lines = new Map<string, string>();
  const writeUsers = (): void => {
    writeFileSync(passwd, [...lines.values()].join('\n') + '\n', { mode: 0o644 });
  };
  const addUser = (user: string, password: string): void => {
    if (!/^[a-z0-9._-]+$/i.test(user) || /[:\n]/.test(password)) {
      throw new Error(`Unusable test mail user ${user}`);
    }
    lines.set(user, `${user}:{PLAIN}${password}::::::`);
    writeUsers();
  };
  for (const [user, password] of Object.entries(users)) addUser(user, password);
  spawnSync('mkdir', ['-p', mail, join(dir, 'run'), join(dir, 'state')]);
  if (isRoot) {
    // The auth process reads the passwd file and the mail processes write the maildirs as the
    // unprivileged user.
    chmodSync(dir, 0o755);
    chownSync(mail, runAs.uid, runAs.gid);
  }
  const config = join(dir, 'dovecot.conf');
  writeFileSync(
    config,
    `# Written by packages/server/test/dovecot.ts for one test run.
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# Tests try wrong passwords on purpose: no delay to slow them down.
auth_failure_delay = 0
default_login_user = ${runAs.name}
default_internal_user = ${runAs.name}
default_internal_group = ${groupName}
first_valid_uid = ${Math.min(runAs.uid, 1000)}
first_valid_gid = 0
mail_location = maildir:${mail}/%u
mail_privileged_group =
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${passwd}
}
userdb {
  driver = static
  args = uid=${runAs.uid} gid=${runAs.gid} home=${mail}/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service stats {
  unix_listener stats-reader {
    user = ${runAs.name}
    mode = 0666
  }
  unix_listener stats-writer {
    user = ${runAs.name}
    mode = 0666
  }
}
protocol imap {
  mail_max_userip_connections = 100
}
`,
  );
  const child: ChildProcess = spawn(binary, ['-F', '-c', config], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const log = (): string => {
    const file = join(dir, 'dovecot.log');
    return output + (existsSync(file) ? readFileSync(file, 'utf8') : '');
  };
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  if (!(await waitForGreeting(port, 15_000))) {
    child.kill('SIGKILL');
    await exited;
    const text = log();
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`dovecot did not start on 127.0.0.1:${port}:\n${text}`);
  }
  return {
    host: '127.0.0.1',
    port,
    urlOf: (user) => {
      const password = lines.get(user)?.split(':')[1]?.replace('{PLAIN}', '');
      if (password === undefined) throw new Error(`No mail user ${user}`);
      return `imap://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/INBOX`;
    },
    addUser,
    log,
    stop: async () => {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
