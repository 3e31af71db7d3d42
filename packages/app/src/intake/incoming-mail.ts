// One message read from a mailbox, parsed once (mailparser) into what intake needs: the
// addresses, the thread headers, the text body and the attachments with their bytes. A message
// mailparser cannot make sense of is not an exception: `malformed` says why, and intake keeps
// it as an unreadable item.
import { createHash } from 'node:crypto';
import type { AddressObject, ParsedMail } from 'mailparser';

export interface IncomingAttachment {
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  content: Uint8Array;
}

export interface IncomingMail {
  /** The Message-ID with its angle brackets; one derived from the content when it has none. */
  messageId: string;
  /** The From address, lower-cased; null when the header had none. */
  from: string | null;
  fromName: string | null;
  /** Reply-To and Sender addresses (where replies would really go), lower-cased. */
  replyTo: string[];
  to: string[];
  cc: string[];
  /** Delivered-To / X-Original-To: the mailbox it was delivered to, when To/Cc do not say. */
  deliveredTo: string[];
  subject: string;
  date: string | null;
  inReplyTo: string | null;
  references: string[];
  /** The text body (from the HTML part when there is no text part), bounded. */
  text: string;
  attachments: IncomingAttachment[];
  /** An Authentication-Results header that reports a failed SPF, DKIM or DMARC check. */
  authenticationFailed: boolean;
  /**
   * Written by a program, not a person (RFC 3834: `Auto-Submitted` other than `no`; a bulk,
   * list or auto-reply `Precedence`): an out-of-office reply or a bounce, never to be answered
   * automatically.
   */
  automatic: boolean;
  /** Why the MIME structure could not be read as a whole, when it could not. */
  malformed: string | null;
}

/** The longest text body kept (the rest of a longer one is cut, with a marker). */
export const MAX_BODY_CHARS = 100_000;

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  if (!value) return [];
  const objects = Array.isArray(value) ? value : [value];
  const out: string[] = [];
  const walk = (list: { address?: string; group?: { address?: string }[] }[]): void => {
    for (const a of list) {
      if (a.address) out.push(a.address.trim().toLowerCase());
      if (a.group) walk(a.group);
    }
  };
  for (const o of objects) walk(o.value);
  return [...new Set(out)].slice(0, 200);
}

function headerAddresses(parsed: ParsedMail, name: string): string[] {
  const value = parsed.headers.get(name);
  if (!value) return [];
  if (typeof value === 'string') {
    return [...value.matchAll(/[^\s<>,;"]+@[^\s<>,;"]+/g)].map((m) => m[0].toLowerCase());
  }
  if (typeof value === 'object' && 'value' in value) return addresses(value as AddressObject);
  return [];
}

/** Message-IDs of a References or In-Reply-To value, in order. */
export function messageIdsOf(value: string | string[] | undefined): string[] {
  if (!value) return [];
  const text = Array.isArray(value) ? value.join(' ') : value;
  return [...text.matchAll(/<[^<>\s]+>/g)].map((m) => m[0]).slice(0, 100);
}

/** A Message-ID for a message without one: the same bytes always give the same id. */
export function derivedMessageId(raw: Uint8Array): string {
  const hash = createHash('sha256').update(raw).digest('hex').slice(0, 40);
  return `<${hash}@no-message-id.orderdesk>`;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Looks for what mailparser silently accepts but that shows a broken structure. */
function structureProblem(parsed: ParsedMail): string | null {
  const type = parsed.headers.get('content-type');
  if (type && typeof type === 'object' && 'value' in type) {
    const t = type as { value: string; params?: Record<string, string> };
    if (t.value.toLowerCase().startsWith('multipart/') && !t.params?.boundary) {
      return 'malformed MIME: a multipart message without a boundary';
    }
  }
  if (!parsed.from) return 'malformed MIME: no From header';
  return null;
}

/**
 * Parses a raw message. Never throws for bad input: a message mailparser fails on comes back
 * with `malformed` set and what could be read of its headers.
 */
export async function parseIncomingMail(raw: Uint8Array): Promise<IncomingMail> {
  let parsed: ParsedMail;
  // mailparser (and its HTML and charset libraries) loads with the first message, not at start.
  const { simpleParser } = await import('mailparser');
  try {
    parsed = await simpleParser(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength), {
      skipImageLinks: true,
      skipTextToHtml: true,
      skipTextLinks: true,
      maxHtmlLengthToParse: 2_000_000,
    });
  } catch (error) {
    return {
      messageId: derivedMessageId(raw),
      from: null,
      fromName: null,
      replyTo: [],
      to: [],
      cc: [],
      deliveredTo: [],
      subject: '',
      date: null,
      inReplyTo: null,
      references: [],
      text: '',
      attachments: [],
      authenticationFailed: false,
      automatic: false,
      malformed: `malformed MIME: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  const fromValue = parsed.from?.value.find((a) => a.address);
  let text = parsed.text ?? '';
  if (text.length > MAX_BODY_CHARS) text = `${text.slice(0, MAX_BODY_CHARS)}\n[… cut]`;
  const auth = parsed.headerLines
    .filter((l) => l.key === 'authentication-results')
    .map((l) => l.line.toLowerCase());
  const messageId = messageIdsOf(parsed.messageId)[0] ?? derivedMessageId(raw);
  return {
    messageId,
    from: fromValue?.address?.trim().toLowerCase() ?? null,
    fromName: fromValue?.name || null,
    replyTo: [...new Set([...addresses(parsed.replyTo), ...headerAddresses(parsed, 'sender')])],
    to: addresses(parsed.to),
    cc: addresses(parsed.cc),
    deliveredTo: [
      ...headerAddresses(parsed, 'delivered-to'),
      ...headerAddresses(parsed, 'x-original-to'),
    ],
    subject: (parsed.subject ?? '').slice(0, 998),
    date: parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date.toISOString() : null,
    inReplyTo: messageIdsOf(parsed.inReplyTo)[0] ?? null,
    references: messageIdsOf(parsed.references),
    text,
    attachments: parsed.attachments.map((a, i) => ({
      name: (a.filename ?? `attachment-${i + 1}`).slice(0, 255),
      contentType: a.contentType,
      size: a.content.byteLength,
      sha256: sha256(a.content),
      content: new Uint8Array(a.content.buffer, a.content.byteOffset, a.content.byteLength),
    })),
    authenticationFailed: auth.some((line) => /\b(spf|dkim|dmarc)=fail\b/.test(line)),
    automatic: isAutomatic(parsed),
    malformed: structureProblem(parsed),
  };
}

/** Whether a program wrote the mail (RFC 3834, and the Precedence of older auto-responders). */
function isAutomatic(parsed: ParsedMail): boolean {
  const value = (key: string): string =>
    parsed.headerLines
      .filter((l) => l.key === key)
      .map((l) =>
        l.line
          .slice(l.line.indexOf(':') + 1)
          .trim()
          .toLowerCase(),
      )
      .join(' ');
  const autoSubmitted = value('auto-submitted');
  if (autoSubmitted !== '' && !/^no\b/.test(autoSubmitted)) return true;
  return /\b(bulk|junk|list|auto_reply)\b/.test(value('precedence'));
}
