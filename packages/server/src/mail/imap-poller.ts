// The intake mailbox poller: reads IMAP_URL's mailbox (imapflow) from the UID after the
// stored checkpoint and hands each message to mail intake, oldest first. The checkpoint moves
// in the transaction that stores the message, so a poller killed between fetching and storing
// reads the message again. Mail is never deleted or flagged on the server: the mailbox stays
// the partner's record of what was sent. Runs in-process in `serve` and in `orderdesk worker`.
// imapflow (and its parsers) loads with the first pass, not with the server.
import type { ImapFlow, FetchMessageObject, MessageStructureObject } from 'imapflow';
import {
  DEFAULT_INTAKE_LIMITS,
  receiveMail,
  type AppContext,
  type DocumentReaders,
  type InboundMessage,
  type IntakeLimits,
  type ReceiveOutcome,
} from '@orderdesk/app';
import { findMailboxCheckpoint } from '@orderdesk/store';
import type { Config } from '../config.ts';

export type ImapPollerConfig = Pick<
  Config,
  | 'IMAP_URL'
  | 'IMAP_POLL_MS'
  | 'IMAP_TIMEOUT_MS'
  | 'IMAP_BATCH_SIZE'
  | 'INTAKE_MAX_MESSAGE_BYTES'
  | 'INTAKE_MAX_ATTACHMENTS'
  | 'INTAKE_MAX_ATTACHMENT_BYTES'
  | 'INTAKE_READ_TIMEOUT_MS'
>;

/** The parts of IMAP_URL. */
export interface ImapTarget {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  password: string;
  mailbox: string;
  /** Names the mailbox in the checkpoint table: user, host, port, mailbox — no password. */
  key: string;
}

export function parseImapUrl(url: string): ImapTarget {
  const u = new URL(url);
  const secure = u.protocol === 'imaps:';
  const port = u.port ? Number(u.port) : secure ? 993 : 143;
  const user = decodeURIComponent(u.username);
  const mailbox = decodeURIComponent(u.pathname.replace(/^\//, '')) || 'INBOX';
  return {
    host: u.hostname,
    port,
    secure,
    user,
    password: decodeURIComponent(u.password),
    mailbox,
    key: `${user}@${u.hostname}:${port}/${mailbox}`,
  };
}

export function intakeLimitsOf(config: ImapPollerConfig): IntakeLimits {
  return {
    ...DEFAULT_INTAKE_LIMITS,
    maxMessageBytes: config.INTAKE_MAX_MESSAGE_BYTES,
    maxAttachments: config.INTAKE_MAX_ATTACHMENTS,
    maxAttachmentBytes: config.INTAKE_MAX_ATTACHMENT_BYTES,
    readTimeoutMs: config.INTAKE_READ_TIMEOUT_MS,
  };
}

export interface PollResult {
  /** Messages handed to intake in this pass. */
  read: number;
  intake: number;
  replies: number;
  duplicates: number;
  unrouted: number;
  /** Messages whose storing failed (the pass stopped there; the next one retries). */
  failed: number;
  /** More messages wait beyond this pass's batch. */
  more: boolean;
}

export interface ImapPoller {
  /** Runs one pass now (after the pass in progress); for tests and `--once`. */
  pollNow(): Promise<PollResult>;
  /** Lets the message in hand finish, then stops. */
  stop(): Promise<void>;
}

/** The parts a message lists (for one too large to download): name, type and size. */
function listedParts(
  node: MessageStructureObject | undefined,
): { name: string; contentType: string; size: number }[] {
  const out: { name: string; contentType: string; size: number }[] = [];
  const walk = (n: MessageStructureObject): void => {
    if (n.childNodes?.length) {
      for (const c of n.childNodes) walk(c);
      return;
    }
    const name = n.dispositionParameters?.filename ?? n.parameters?.name;
    if (name || n.disposition === 'attachment') {
      out.push({ name: name ?? `part-${n.part ?? ''}`, contentType: n.type, size: n.size ?? 0 });
    }
  };
  if (node) walk(node);
  return out.slice(0, 1000);
}

function iso(value: Date | string | undefined): string | null {
  if (value === undefined) return null;
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/** A message whose storing failed this many passes in a row is stored as unreadable. */
const MAX_FAILURES = 3;

/**
 * Starts the poller (unless `autoStart` is false: then only pollNow() runs passes). A pass
 * that cannot reach the server is logged; the loop goes on after IMAP_POLL_MS.
 */
export function startImapPoller(
  ctx: AppContext,
  config: ImapPollerConfig & { IMAP_URL: string },
  options: {
    autoStart?: boolean;
    log?: (line: string) => void;
    readers?: DocumentReaders;
  } = {},
): ImapPoller {
  const target = parseImapUrl(config.IMAP_URL);
  const limits = intakeLimitsOf(config);
  const log = options.log ?? (() => {});
  const failures = new Map<number, number>();
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<PollResult> | undefined;

  const fetchMessage = async (
    client: ImapFlow,
    meta: FetchMessageObject,
    uidValidity: number,
  ): Promise<InboundMessage> => {
    const size = meta.size ?? 0;
    const base = {
      mailbox: target.key,
      uidValidity,
      uid: meta.uid,
      size,
      receivedAt: iso(meta.internalDate),
    };
    if (size > limits.maxMessageBytes) {
      // Only the header: a 50 MB attachment is never held in memory.
      const head = await client.fetchOne(String(meta.uid), { headers: true }, { uid: true });
      return {
        ...base,
        raw: new Uint8Array(head ? (head.headers ?? Buffer.alloc(0)) : Buffer.alloc(0)),
        headerOnly: true,
        listedParts: listedParts(meta.bodyStructure),
      };
    }
    const full = await client.fetchOne(String(meta.uid), { source: true }, { uid: true });
    const source = full ? (full.source ?? Buffer.alloc(0)) : Buffer.alloc(0);
    return { ...base, raw: new Uint8Array(source), headerOnly: false };
  };

  const pass = async (): Promise<PollResult> => {
    const result: PollResult = {
      read: 0,
      intake: 0,
      replies: 0,
      duplicates: 0,
      unrouted: 0,
      failed: 0,
      more: false,
    };
    const { ImapFlow } = await import('imapflow');
    const client = new ImapFlow({
      host: target.host,
      port: target.port,
      secure: target.secure,
      auth: { user: target.user, pass: target.password },
      logger: false,
      disableAutoIdle: true,
      connectionTimeout: config.IMAP_TIMEOUT_MS,
      greetingTimeout: config.IMAP_TIMEOUT_MS,
      socketTimeout: config.IMAP_TIMEOUT_MS,
    });
    // A dropped connection is reported by the command in progress; the event must not crash.
    client.on('error', (error: Error) => log(`imap: ${error.message}`));
    await client.connect();
    try {
      const lock = await client.getMailboxLock(target.mailbox, { readOnly: true });
      try {
        const mailbox = client.mailbox;
        if (!mailbox || mailbox.exists === 0) return result;
        const uidValidity = Number(mailbox.uidValidity);
        const checkpoint = await findMailboxCheckpoint(ctx.store.db, target.key);
        const from =
          checkpoint && checkpoint.uid_validity === uidValidity ? checkpoint.last_uid + 1 : 1;
        if (checkpoint && checkpoint.uid_validity !== uidValidity) {
          log(
            `imap: ${target.key} has a new UIDVALIDITY (${checkpoint.uid_validity} → ${uidValidity}); reading it again, Message-IDs already stored are skipped`,
          );
        }
        const metas: FetchMessageObject[] = [];
        for await (const m of client.fetch(
          `${from}:*`,
          { uid: true, size: true, internalDate: true, bodyStructure: true },
          { uid: true },
        )) {
          // `n:*` names the last message even when its UID is below n.
          if (m.uid >= from) metas.push(m);
        }
        metas.sort((a, b) => a.uid - b.uid);
        result.more = metas.length > config.IMAP_BATCH_SIZE;
        for (const meta of metas.slice(0, config.IMAP_BATCH_SIZE)) {
          if (stopping) break;
          let outcome: ReceiveOutcome;
          try {
            const message = await fetchMessage(client, meta, uidValidity);
            const failed = failures.get(meta.uid) ?? 0;
            outcome = await receiveMail(
              ctx,
              failed >= MAX_FAILURES
                ? { ...message, failure: `Intake failed ${failed} times on this message` }
                : message,
              { limits, ...(options.readers ? { readers: options.readers } : {}) },
            );
            failures.delete(meta.uid);
          } catch (error) {
            // Nothing was stored and the checkpoint did not move: the next pass retries it.
            failures.set(meta.uid, (failures.get(meta.uid) ?? 0) + 1);
            result.failed += 1;
            log(
              `imap: message UID ${meta.uid} not stored: ${error instanceof Error ? error.message : String(error)}`,
            );
            break;
          }
          result.read += 1;
          if (outcome.outcome === 'intake') result.intake += 1;
          else if (outcome.outcome === 'reply') result.replies += 1;
          else if (outcome.outcome === 'duplicate') result.duplicates += 1;
          else result.unrouted += 1;
        }
      } finally {
        lock.release();
      }
    } finally {
      await client.logout().catch(() => client.close());
    }
    return result;
  };

  const run = (): Promise<PollResult> => {
    const p = pass();
    current = p;
    return p.finally(() => {
      if (current === p) current = undefined;
    });
  };

  const loop = (): void => {
    timer = undefined;
    if (stopping) return;
    run().then(
      (r) => {
        if (r.read > 0 || r.failed > 0) {
          log(
            `imap: ${r.read} read (${r.intake} intake, ${r.replies} replies, ${r.duplicates} already stored, ${r.unrouted} for no vendor), ${r.failed} failed`,
          );
        }
        schedule(r.more && r.failed === 0 ? 0 : config.IMAP_POLL_MS);
      },
      (error: unknown) => {
        log(`imap: pass failed: ${error instanceof Error ? error.message : String(error)}`);
        schedule(config.IMAP_POLL_MS);
      },
    );
  };
  const schedule = (ms: number): void => {
    if (stopping) return;
    timer = setTimeout(loop, ms);
    timer.unref();
  };
  if (options.autoStart !== false) schedule(0);

  return {
    async pollNow() {
      if (current) await current.catch(() => undefined);
      return run();
    },
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      if (current) await current.catch(() => undefined);
    },
  };
}
