// The outbox worker as a running loop: in-process in `serve`, or alone in `orderdesk worker`.
// One pass at a time; a full batch is followed at once by the next, otherwise the loop waits
// OUTBOX_POLL_MS. stop() lets the message in hand finish, gives back the rest of the batch and
// resolves when the pass is over.
import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import {
  drainOutbox,
  type DrainResult,
  type MailTransport,
  type MailWorkerSettings,
} from '@orderdesk/app';
import type { AppContext } from '@orderdesk/app';
import type { Config } from '../config.ts';
import { createSmtpTransport } from './smtp-transport.ts';

export interface MailWorker {
  readonly workerId: string;
  /** Runs one pass now (waits for a pass in progress first); for tests and `--once`. */
  drainNow(): Promise<DrainResult>;
  /** Finishes the message in hand, releases the rest, stops the timer. */
  stop(): Promise<void>;
}

export type MailWorkerConfig = Pick<
  Config,
  | 'SMTP_URL'
  | 'SMTP_TIMEOUT_MS'
  | 'OUTBOX_POLL_MS'
  | 'OUTBOX_BATCH_SIZE'
  | 'OUTBOX_MAX_ATTEMPTS'
  | 'OUTBOX_BACKOFF_BASE_MS'
  | 'OUTBOX_BACKOFF_MAX_MS'
  | 'OUTBOX_LEASE_MS'
>;

/** The worker's settings from the configuration; the transport is SMTP_URL's, or none. */
export function mailWorkerSettings(
  config: MailWorkerConfig,
  transport: MailTransport | null = config.SMTP_URL
    ? createSmtpTransport(config.SMTP_URL, { timeoutMs: config.SMTP_TIMEOUT_MS })
    : null,
): MailWorkerSettings {
  return {
    transport,
    maxAttempts: config.OUTBOX_MAX_ATTEMPTS,
    backoffBaseMs: config.OUTBOX_BACKOFF_BASE_MS,
    backoffMaxMs: config.OUTBOX_BACKOFF_MAX_MS,
    leaseMs: config.OUTBOX_LEASE_MS,
  };
}

export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

/**
 * Starts the loop (unless `autoStart` is false: then only drainNow() runs passes). Errors of a
 * pass (the database away) are logged and the loop goes on after the poll interval.
 */
export function startMailWorker(
  ctx: AppContext,
  config: MailWorkerConfig,
  options: {
    settings?: MailWorkerSettings;
    workerId?: string;
    autoStart?: boolean;
    log?: (line: string) => void;
  } = {},
): MailWorker {
  const settings = options.settings ?? mailWorkerSettings(config);
  const workerId = options.workerId ?? newWorkerId();
  const log = options.log ?? (() => {});
  let stopping = false;
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<DrainResult> | undefined;

  const pass = (): Promise<DrainResult> => {
    const run = drainOutbox(ctx, {
      ...settings,
      limit: config.OUTBOX_BATCH_SIZE,
      workerId,
      shouldStop: () => stopping,
    });
    current = run;
    return run.finally(() => {
      if (current === run) current = undefined;
    });
  };

  const loop = (): void => {
    timer = undefined;
    if (stopping) return;
    pass().then(
      (r) => {
        if (r.claimed > 0)
          log(
            `outbox: ${r.sent} sent, ${r.notSent} not sent (no SMTP_URL), ${r.retried} to retry, ${r.dead} dead`,
          );
        schedule(r.claimed >= config.OUTBOX_BATCH_SIZE ? 0 : config.OUTBOX_POLL_MS);
      },
      (error: unknown) => {
        log(`outbox: pass failed: ${error instanceof Error ? error.message : String(error)}`);
        schedule(config.OUTBOX_POLL_MS);
      },
    );
  };
  const schedule = (ms: number): void => {
    if (stopping) return;
    timer = setTimeout(loop, ms);
    // The loop alone never keeps the process alive: the server or the CLI decides that.
    timer.unref();
  };
  if (options.autoStart !== false) schedule(0);

  return {
    workerId,
    async drainNow() {
      if (current) await current.catch(() => undefined);
      return pass();
    },
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      if (current) await current.catch(() => undefined);
      const transport = settings.transport as { close?: () => void } | null;
      transport?.close?.();
    },
  };
}
