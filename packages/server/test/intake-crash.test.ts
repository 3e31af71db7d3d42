// kill -9 of `orderdesk worker` while it reads the intake mailbox (issue 10, point 3: "a crash
// between fetching and storing re-reads the message"): after a restart every mail is stored
// exactly once — no item missing, none twice — and the checkpoint is at the last UID. SQLite
// file database shared by the worker processes and the test.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMailboxCheckpoint, migrateToLatest, openStore, type Store } from '@orderdesk/store';
import { createTestDatabaseUrl } from '@orderdesk/store/testing';
import { seedDemo } from '@orderdesk/app';
import { parseImapUrl } from '../src/mail/imap-poller.ts';
import { startDovecot, type Dovecot } from './dovecot.ts';
import { appendMails, composeMail, makePoPdf } from './intake-fixtures.ts';

const CLI = new URL('../../cli/bin/orderdesk.js', import.meta.url);
const COUNT = 60;

describe('intake worker killed with SIGKILL', () => {
  let dovecot: Dovecot;
  let dir: string;
  let url: string;
  let store: Store;
  let imapUrl: string;
  let output = '';
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dovecot = await startDovecot({ crash: 'crash-secret' });
    imapUrl = dovecot.urlOf('crash');
    dir = mkdtempSync(join(tmpdir(), 'orderdesk-intake-crash-'));
    url = await createTestDatabaseUrl('sqlite', join(dir, 'orderdesk.db'));
    store = openStore(url);
    await migrateToLatest(store);
    await store.db.transaction().execute((tx) => seedDemo(tx, 'demo', new Date()));
  }, 60_000);
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await store?.close();
    await dovecot?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const spawnWorker = (): ChildProcess => {
    const child = spawn(process.execPath, [fileURLToPath(CLI), 'worker'], {
      env: {
        ...process.env,
        DATABASE_URL: url,
        IMAP_URL: imapUrl,
        IMAP_POLL_MS: '50',
        IMAP_BATCH_SIZE: '5',
        OUTBOX_POLL_MS: '60000',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    children.push(child);
    return child;
  };
  const exited = (child: ChildProcess) =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
  const stored = async (): Promise<{ items: number; raws: number; distinct: number }> => {
    const items = await store.db
      .selectFrom('intake_items')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const raws = await store.db
      .selectFrom('inbound_mails')
      .select((eb) => [
        eb.fn.countAll<number>().as('n'),
        eb.fn.count<number>('message_id').distinct().as('d'),
      ])
      .executeTakeFirstOrThrow();
    return { items: Number(items.n), raws: Number(raws.n), distinct: Number(raws.d) };
  };
  const until = async (what: () => Promise<boolean>, ms: number): Promise<void> => {
    const end = Date.now() + ms;
    while (!(await what())) {
      if (Date.now() > end) throw new Error(`timed out; the workers said:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  it('stores every mail exactly once after a restart', async () => {
    const raws: Buffer[] = [];
    for (let i = 0; i < COUNT; i++) {
      const number = `KILL-${String(i + 1).padStart(4, '0')}`;
      const pdf = await makePoPdf({
        buyer: 'Acme Distribution',
        number,
        date: '2026-11-30',
        currency: 'USD',
        lines: [{ partNumber: 'EW-X-1', description: 'x', quantity: 1, unitPrice: '10.00' }],
        total: '10.00',
      });
      raws.push(
        await composeMail({
          from: 'buyer@acme.example',
          to: 'orders@edgeworks.example',
          subject: `PO ${number}`,
          text: 'Attached.',
          messageId: `<${number}@acme.example>`,
          attachments: [{ filename: `${number}.pdf`, content: pdf }],
        }),
      );
    }
    const uids = await appendMails(imapUrl, raws);

    const first = spawnWorker();
    await until(async () => (await stored()).items >= 10, 90_000);
    first.kill('SIGKILL');
    await exited(first);
    const atKill = await stored();
    expect(atKill.items).toBeLessThan(COUNT);

    const second = spawnWorker();
    await until(async () => (await stored()).items >= COUNT, 120_000);
    // One more poll interval: nothing more may arrive.
    await new Promise((r) => setTimeout(r, 500));
    second.kill('SIGTERM');
    await exited(second);

    const after = await stored();
    expect(after, output).toEqual({ items: COUNT, raws: COUNT, distinct: COUNT });
    const checkpoint = await findMailboxCheckpoint(store.db, parseImapUrl(imapUrl).key);
    expect(checkpoint?.last_uid).toBe(Math.max(...uids));
    process.stdout.write(
      `intake kill -9: ${atKill.items} of ${COUNT} stored before the kill, ${COUNT} after the restart, 0 twice\n`,
    );
  }, 240_000);
});
