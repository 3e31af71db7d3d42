import { z } from 'zod';
import { isIP } from 'node:net';

const flag = z
  .enum(['0', '1', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

/** Every environment variable OrderDesk reads, validated at start-up (documented in the README). */
export const configSchema = z.object({
  DATABASE_URL: z.string().min(1).default('sqlite:./data/orderdesk.db'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('localhost'),
  ORDERDESK_DEMO: flag.default(false),
  ORDERDESK_DEMO_PASSWORD: z.string().min(1).default('demo'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SESSION_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 30)
    .default(12),
  COOKIE_SECURE: flag.default(false),
  BODY_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(1024 * 1024),
  UPLOAD_LIMIT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(64 * 1024 * 1024),
  // Limits of reading an uploaded file (issue 13); unset: @orderdesk/app's UPLOAD_LIMITS.
  /** Data rows of one sheet or CSV (default 1,000,000). */
  UPLOAD_MAX_ROWS: z.coerce.number().int().positive().optional(),
  /** Columns of a row (default 256; XLSX column XFD is 16,384). */
  UPLOAD_MAX_COLUMNS: z.coerce.number().int().positive().optional(),
  /** One cell's text (default 32,767). */
  UPLOAD_MAX_CELL_BYTES: z.coerce.number().int().positive().optional(),
  /** One CSV record or XLSX row (default 1 MiB). */
  UPLOAD_MAX_RECORD_BYTES: z.coerce.number().int().positive().optional(),
  /** Entries of an XLSX shared-strings table (default 1,000,000). */
  UPLOAD_MAX_SHARED_STRINGS: z.coerce.number().int().positive().optional(),
  /** The XLSX shared-strings part, uncompressed (default 64 MiB). */
  UPLOAD_MAX_SHARED_STRINGS_BYTES: z.coerce.number().int().positive().optional(),
  /** All parts of an XLSX, uncompressed (default 512 MiB). */
  UPLOAD_MAX_UNCOMPRESSED_BYTES: z.coerce.number().int().positive().optional(),
  /** Wall time for reading and checking one file (default 120,000). */
  UPLOAD_TIME_BUDGET_MS: z.coerce.number().int().positive().optional(),
  /** Heap of the worker thread that reads a file (default 192). */
  UPLOAD_WORKER_HEAP_MB: z.coerce.number().int().min(16).optional(),
  LOGIN_MAX_FAILURES: z.coerce.number().int().positive().default(5),
  LOGIN_WINDOW_MINUTES: z.coerce.number().positive().default(15),
  /** The longest delay growing login delays reach (README, "Login throttling"). */
  LOGIN_MAX_DELAY_SECONDS: z.coerce.number().int().positive().default(900),
  /** Failed logins per client address (all accounts) per window before it is refused. */
  LOGIN_ADDRESS_MAX_FAILURES: z.coerce.number().int().positive().default(100),
  /** Failed logins per account (all addresses) per window before only known devices may try. */
  LOGIN_ACCOUNT_MAX_FAILURES: z.coerce.number().int().positive().default(100),
  /**
   * Reverse proxies whose X-Forwarded-For is believed (comma list of addresses, CIDR ranges or
   * `loopback`, `linklocal`, `uniquelocal`); empty: the client address is the socket's.
   */
  TRUSTED_PROXIES: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((p) => p.trim())
        .filter((p) => p !== ''),
    )
    .pipe(
      z.array(
        z
          .string()
          .refine(
            (p) =>
              ['loopback', 'linklocal', 'uniquelocal'].includes(p) ||
              isIP(p.replace(/\/\d{1,3}$/, '')) !== 0,
            'each entry is an IP address, a CIDR range, loopback, linklocal or uniquelocal',
          ),
      ),
    ),
  DB_POOL_SIZE: z.coerce.number().int().positive().max(200).default(10),
  SQLITE_SYNCHRONOUS: z.enum(['FULL', 'NORMAL']).default('FULL'),
  INVITATION_TTL_HOURS: z.coerce
    .number()
    .positive()
    .max(24 * 60)
    .default(72),
  /** Base URL of the web app, for links in mails (invitations). */
  PUBLIC_URL: z.url().optional(),
  /**
   * Browser origins allowed to call the API cross-origin (comma list, e.g.
   * `https://admin.example.com`); empty → CORS stays off (the web app is same-origin).
   */
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o !== ''),
    )
    .pipe(
      z.array(
        z.string().regex(/^https?:\/\/[^/\s?#]+$/, 'each origin is scheme://host[:port], no path'),
      ),
    ),
  // Mail out and the outbox worker (issue 10).
  /** `smtp://[user:pass@]host:port` or `smtps://…`; unset: mail stays on its thread as `not_sent`. */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\/\S+$/, 'An smtp:// or smtps:// URL')
    .optional(),
  /**
   * The address OrderDesk's own mail is sent from (a partner admin's invitations); unset:
   * `no-reply@orderdesk.invalid`, which receiving servers may refuse. Vendors' mail is sent
   * from their profile's `mail.from` or orders mailbox.
   */
  MAIL_FROM: z.email().optional(),
  /** Connect, greeting and idle timeout of one SMTP conversation. */
  SMTP_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** Run the outbox worker inside `serve` (turn off when `orderdesk worker` runs it). */
  OUTBOX_IN_PROCESS: flag.default(true),
  /** Pause between passes when the last one found less than a full batch. */
  OUTBOX_POLL_MS: z.coerce.number().int().positive().default(1000),
  OUTBOX_BATCH_SIZE: z.coerce.number().int().positive().max(500).default(20),
  /** Attempts before a mail becomes a dead letter (visible at GET /api/v1/outbox?status=dead). */
  OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().positive().max(100).default(8),
  /** First retry delay; doubled per attempt (jittered), capped by OUTBOX_BACKOFF_MAX_MS. */
  OUTBOX_BACKOFF_BASE_MS: z.coerce.number().int().positive().default(30_000),
  OUTBOX_BACKOFF_MAX_MS: z.coerce.number().int().positive().default(3_600_000),
  /** How long claimed rows stay one worker's; a worker that dies gives them back after it. */
  OUTBOX_LEASE_MS: z.coerce.number().int().positive().default(600_000),
  // Mail in (issue 10, point 3): the intake mailbox poller and its bounds per message.
  /** `imap://user:pass@host:port/INBOX` (or `imaps://`); unset: no mail is read. */
  IMAP_URL: z
    .string()
    .regex(/^imaps?:\/\/[^@\s]+@[^\s]+$/, 'An imap:// or imaps:// URL with user and password')
    .optional(),
  /** Pause between two reads of the mailbox. */
  IMAP_POLL_MS: z.coerce.number().int().positive().default(15_000),
  /** Connect and socket timeout of the IMAP connection. */
  IMAP_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  /** Messages stored per pass (the rest follow in the next pass at once). */
  IMAP_BATCH_SIZE: z.coerce.number().int().positive().max(1000).default(50),
  /** Run the poller inside `serve` when IMAP_URL is set (off when `orderdesk worker` runs it). */
  IMAP_IN_PROCESS: flag.default(true),
  /** A larger message is not downloaded: an unreadable intake item from its headers. */
  INTAKE_MAX_MESSAGE_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(25 * 1024 * 1024),
  /** More attachments than this make an unreadable item. */
  INTAKE_MAX_ATTACHMENTS: z.coerce.number().int().positive().max(1000).default(20),
  /** A larger attachment is not read. */
  INTAKE_MAX_ATTACHMENT_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(15 * 1024 * 1024),
  /** Time budget of reading one attachment (PDF or workbook). */
  INTAKE_READ_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
  /** Where documents on orders are stored (default: `documents/` beside the SQLite file, else ./data/documents). */
  DOCUMENTS_DIR: z.string().min(1).optional(),
  /** The largest document accepted on an order (413 above). */
  DOCUMENT_MAX_BYTES: z.coerce
    .number()
    .int()
    .positive()
    .default(25 * 1024 * 1024),
  /** Test only: lets `PUT /api/v1/test/clock` set the running app's clock. */
  ORDERDESK_SETTABLE_CLOCK: flag.default(false),
});

export type Config = z.infer<typeof configSchema>;

/** The upload limits the environment sets, as overrides of @orderdesk/app's `uploadLimits()`. */
export function uploadLimitOverrides(config: Config): Record<string, number | undefined> {
  return {
    maxRows: config.UPLOAD_MAX_ROWS,
    maxColumns: config.UPLOAD_MAX_COLUMNS,
    maxCellBytes: config.UPLOAD_MAX_CELL_BYTES,
    maxRecordBytes: config.UPLOAD_MAX_RECORD_BYTES,
    maxSharedStrings: config.UPLOAD_MAX_SHARED_STRINGS,
    maxSharedStringsBytes: config.UPLOAD_MAX_SHARED_STRINGS_BYTES,
    maxUncompressedBytes: config.UPLOAD_MAX_UNCOMPRESSED_BYTES,
    timeBudgetMs: config.UPLOAD_TIME_BUDGET_MS,
    maxWorkerHeapMb: config.UPLOAD_WORKER_HEAP_MB,
  };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** A value as an error may print it: never a password, nor the password of a URL. */
function shown(name: string, value: string | undefined): string | undefined {
  if (value === undefined) return value;
  if (/PASSWORD|SECRET|TOKEN/.test(name)) return '(hidden)';
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*:)[^@/]*@/i, '$1***@');
}

/** Reads and validates the configuration; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const known = Object.fromEntries(
    Object.keys(configSchema.shape)
      .filter((k) => env[k] !== undefined)
      .map((k) => [k, env[k]]),
  );
  const result = configSchema.safeParse(known);
  if (result.success) return result.data;
  const lines = result.error.issues.map(
    (i) =>
      `  ${i.path.join('.')}=${JSON.stringify(shown(String(i.path[0]), env[String(i.path[0])]))}: ${i.message}`,
  );
  throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
}
