import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** One message as the SMTP server received it. */
export interface ReceivedMail {
  /** The envelope's recipients (RCPT TO). */
  rcptTo: string[];
  mailFrom: string;
  /** Header names lower-cased, folded lines joined. */
  headers: Record<string, string>;
  /** The whole message as sent. */
  raw: string;
  /** The text/plain part, quoted-printable decoded (what the partner reads). */
  text: string;
  /** The text/html part, decoded. */
  html: string;
}

export interface SmtpSink {
  url: string;
  received: ReceivedMail[];
  /** While set, every message is refused with this SMTP reply (e.g. 550). */
  refuseWith: { code: number; message: string } | null;
  /** Milliseconds the server takes to accept each message (a slow relay). */
  delayMs: number;
  /** Connection errors seen (a client killed mid-conversation resets its connection). */
  errors: Error[];
  close(): Promise<void>;
}

function parseHeaders(head: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

function decodeQuotedPrintable(text: string): string {
  const bytes = text
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** The decoded body of the first part of `type` in a (possibly multipart) message. */
function partOf(raw: string, type: string): string {
  const parts = raw.split(/\r?\n--[^\r\n]+\r?\n/);
  for (const part of parts) {
    const split = part.search(/\r?\n\r?\n/);
    if (split < 0) continue;
    const headers = parseHeaders(part.slice(0, split));
    if (!(headers['content-type'] ?? '').startsWith(type)) continue;
    let body = part.slice(split).replace(/^\r?\n\r?\n/, '');
    body = body.replace(/\r?\n--[^\r\n]+--\s*$/, '');
    const encoding = headers['content-transfer-encoding'] ?? '';
    if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
    if (encoding === 'base64') return Buffer.from(body, 'base64').toString('utf8');
    return body;
  }
  return '';
}

/**
 * A real SMTP server on loopback (the `smtp-server` package) that keeps what it receives:
 * plain SMTP, no TLS, no authentication, like a local relay.
 */
export async function startSmtpSink(): Promise<SmtpSink> {
  const sink: SmtpSink = {
    url: '',
    received: [],
    refuseWith: null,
    delayMs: 0,
    errors: [],
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('error', (error: Error) => sink.errors.push(error));
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (sink.refuseWith) {
          const error = Object.assign(new Error(sink.refuseWith.message), {
            responseCode: sink.refuseWith.code,
          });
          callback(error);
          return;
        }
        const raw = Buffer.concat(chunks).toString('utf8');
        const split = raw.search(/\r?\n\r?\n/);
        sink.received.push({
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          headers: parseHeaders(raw.slice(0, split)),
          raw,
          text: partOf(raw, 'text/plain'),
          html: partOf(raw, 'text/html'),
        });
        if (sink.delayMs > 0) setTimeout(() => callback(), sink.delayMs);
        else callback();
      });
    },
  });
  // A worker killed with SIGKILL resets its connection (ECONNRESET): a real relay logs that and
  // goes on; unhandled, the server's 'error' event would crash the test run.
  server.on('error', (error: Error) => sink.errors.push(error));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  sink.url = `smtp://127.0.0.1:${port}`;
  return sink;
}
