// One message from an intake mailbox, from raw bytes to what the desk sees. The slow part
// (parsing, reading the attachments) runs before any write; then one transaction stores the
// raw message, the reply on its thread or the intake item with its acknowledgment mail, and
// advances the mailbox checkpoint. A crash before that commit leaves the checkpoint behind and
// the next pass reads the message again; Message-ID de-duplication (per vendor) makes a
// message that was stored already change nothing but the checkpoint.
import { matchSpecialTerms, type VendorProfile } from '@orderdesk/core';
import {
  enqueueOutbox,
  findIntakeItemByMessageId,
  findMessageByMessageId,
  findPartnership,
  findPartnerById,
  hasInboundMail,
  insertInboundMail,
  insertIntakeItem,
  insertMessage,
  newId,
  saveMailboxCheckpoint,
  type Executor,
  type IntakeItem,
  type IntakeStatus,
  type Vendor,
} from '@orderdesk/store';
import type { AppContext } from '../context.ts';
import { emptyExtraction, type ExtractedPurchaseOrder } from '../documents/extracted-order.ts';
import { senderOf as vendorSenderOf } from '../events/notify-by-profile.ts';
import { SYSTEM_ACTOR, recordEvent } from '../events/record-event.ts';
import { inspectXlsx, uploadLimits } from '../shared/uploads/index.ts';
import {
  documentReaders,
  withDeadline,
  type DocumentReaders,
  type DocumentReadResult,
} from './document-readers.ts';
import { parseIncomingMail, type IncomingAttachment, type IncomingMail } from './incoming-mail.ts';
import { checkOrderImport } from '../orders/import-order.ts';
import { buildDraft, deskActor, validateDraft, type IntakeValidation } from './intake-draft.ts';
import {
  partnerOfSender,
  replyTargetOf,
  vendorOfRecipients,
  type SenderFlag,
} from './mail-routing.ts';

/** Bounds on what one message may cost (INTAKE_* settings of the server). */
export interface IntakeLimits {
  /** A larger message is not downloaded: it becomes an unreadable item read from its headers. */
  maxMessageBytes: number;
  /** More attachments than this: unreadable (nobody sends a PO in 500 pieces). */
  maxAttachments: number;
  /** A larger attachment is not read. */
  maxAttachmentBytes: number;
  /** Time one attachment's reader may take. */
  readTimeoutMs: number;
  /** Pages of a PDF read at most. */
  maxPdfPages: number;
}

export const DEFAULT_INTAKE_LIMITS: IntakeLimits = {
  maxMessageBytes: 25 * 1024 * 1024,
  maxAttachments: 20,
  maxAttachmentBytes: 15 * 1024 * 1024,
  readTimeoutMs: 20_000,
  maxPdfPages: 20,
};

/** One message as the mailbox poller hands it over. */
export interface InboundMessage {
  /** The mailbox's key (never its password), for the checkpoint. */
  mailbox: string;
  uidValidity: number | null;
  uid: number | null;
  /** The whole message; only its header when `headerOnly` (over maxMessageBytes). */
  raw: Uint8Array;
  /** The message's size on the server. */
  size: number;
  headerOnly: boolean;
  /** The parts the server lists, for a message not downloaded whole. */
  listedParts?: { name: string; contentType: string; size: number }[];
  /** The server's arrival time. */
  receivedAt: string | null;
  /**
   * Set by the poller for a message intake failed on several times: stored as unreadable with
   * this reason, so one poisonous message cannot stop the mailbox.
   */
  failure?: string;
}

export type ReceiveOutcome =
  | { outcome: 'intake'; intakeId: string; status: IntakeStatus; vendorId: string }
  | {
      outcome: 'reply';
      entityType: 'order' | 'quote' | 'intake';
      entityId: string;
      vendorId: string;
    }
  | { outcome: 'duplicate'; vendorId: string }
  | { outcome: 'unrouted' };

export interface ReceiveOptions {
  limits?: IntakeLimits;
  readers?: DocumentReaders;
}

interface AttachmentMeta {
  name: string;
  contentType: string;
  size: number;
  sha256?: string;
}

interface ReadResult {
  status: 'new' | 'unreadable';
  reason: string | null;
  extracted: ExtractedPurchaseOrder;
  documentText: string;
  /** The attachment the order was read from. */
  source: AttachmentMeta | null;
  /** The bytes of the order template, when the order was read from one. */
  workbook?: Uint8Array;
}

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

const PDF_MAGIC = [0x25, 0x50, 0x44, 0x46]; // %PDF
const ZIP_MAGIC = [0x50, 0x4b, 0x03, 0x04]; // PK\3\4 (XLSX is a zip)
// An OLE compound file: what Excel writes for a workbook with a password (and for old .xls).
const CFB_MAGIC = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];

function startsWith(bytes: Uint8Array, magic: readonly number[]): boolean {
  // A PDF may have a few bytes of junk before its header.
  const head = bytes.subarray(0, 1024);
  outer: for (let i = 0; i + magic.length <= head.length; i++) {
    for (let j = 0; j < magic.length; j++) if (head[i + j] !== magic[j]) continue outer;
    return magic === PDF_MAGIC ? true : i === 0;
  }
  return false;
}

function kindOf(
  a: IncomingAttachment,
): 'pdf' | 'workbook' | 'legacy_workbook' | 'protected_workbook' | null {
  const name = a.name.toLowerCase();
  const type = a.contentType.toLowerCase();
  const spreadsheet =
    /\.xls[xmb]?$/.test(name) || type.includes('spreadsheetml') || type.includes('excel');
  if (spreadsheet && startsWith(a.content, CFB_MAGIC)) {
    return name.endsWith('.xls') ? 'legacy_workbook' : 'protected_workbook';
  }
  if (name.endsWith('.pdf') || type === 'application/pdf' || startsWith(a.content, PDF_MAGIC))
    return 'pdf';
  if (
    name.endsWith('.xlsx') ||
    name.endsWith('.xlsm') ||
    type.includes('spreadsheetml') ||
    (type.includes('excel') && startsWith(a.content, ZIP_MAGIC))
  )
    return 'workbook';
  if (name.endsWith('.xls') || type === 'application/vnd.ms-excel') return 'legacy_workbook';
  return null;
}

function unreadable(reason: string): ReadResult {
  return {
    status: 'unreadable',
    reason,
    extracted: emptyExtraction(),
    documentText: '',
    source: null,
  };
}

/** An order template fills a few hundred rows: far tighter bounds than a price list. */
const WORKBOOK_LIMITS = uploadLimits({
  maxRows: 20_000,
  maxSharedStrings: 200_000,
  maxSharedStringsBytes: 16 * 1024 * 1024,
  maxUncompressedBytes: 64 * 1024 * 1024,
  maxZipEntries: 500,
});

/** The zip's directory is checked before anything is inflated (a zip bomb stops here). */
async function readWorkbookGuarded(
  a: IncomingAttachment,
  limits: IntakeLimits,
  readers: DocumentReaders,
): Promise<DocumentReadResult> {
  const verdict = await inspectXlsx(a.content, {
    ...WORKBOOK_LIMITS,
    timeBudgetMs: limits.readTimeoutMs,
  }).catch((error: unknown) => ({
    ok: false as const,
    reason: `not a readable workbook: ${error instanceof Error ? error.message : String(error)}`,
  }));
  if (!verdict.ok) return { ok: false, reason: verdict.reason };
  return withDeadline(readers.readOrderWorkbook(a.content), limits.readTimeoutMs + 2000, a.name);
}

/** Reads the order from the attachments: the vendor's workbook first, then PDFs. */
async function readOrder(
  mail: IncomingMail,
  message: InboundMessage,
  limits: IntakeLimits,
  readers: DocumentReaders,
): Promise<ReadResult> {
  if (message.headerOnly) {
    return unreadable(
      `The message is ${megabytes(message.size)}, over the ${megabytes(limits.maxMessageBytes)} intake limit; it was not downloaded and stays in the mailbox`,
    );
  }
  if (message.failure) return unreadable(message.failure);
  if (mail.malformed) return unreadable(mail.malformed);
  if (mail.attachments.length > limits.maxAttachments) {
    return unreadable(
      `${mail.attachments.length} attachments, more than the ${limits.maxAttachments} intake reads`,
    );
  }
  const candidates = mail.attachments
    .map((a) => ({ a, kind: kindOf(a) }))
    .filter((c) => c.kind !== null)
    .sort((x, y) => (x.kind === 'workbook' ? 0 : 1) - (y.kind === 'workbook' ? 0 : 1));
  if (candidates.length === 0) {
    if (mail.attachments.length === 0) {
      return unreadable('No attachment: send the PO as a PDF or the filled-in order template');
    }
    return unreadable(
      `No PO PDF or order template among the attachments (${mail.attachments
        .slice(0, 10)
        .map((a) => a.name)
        .join(', ')})`,
    );
  }
  const reasons: string[] = [];
  for (const { a, kind } of candidates) {
    if (a.size > limits.maxAttachmentBytes) {
      reasons.push(
        `${a.name}: ${megabytes(a.size)}, over the ${megabytes(limits.maxAttachmentBytes)} limit`,
      );
      continue;
    }
    if (kind === 'legacy_workbook') {
      reasons.push(`${a.name}: an old-format .xls workbook; save it as .xlsx`);
      continue;
    }
    if (kind === 'protected_workbook') {
      reasons.push(`${a.name}: the workbook is password-protected; send it without a password`);
      continue;
    }
    const result =
      kind === 'pdf'
        ? await withDeadline(
            readers.readPurchaseOrderPdf(a.content, {
              maxBytes: limits.maxAttachmentBytes,
              maxPages: limits.maxPdfPages,
              timeoutMs: limits.readTimeoutMs,
            }),
            limits.readTimeoutMs + 2000,
            a.name,
          )
        : await readWorkbookGuarded(a, limits, readers);
    if (result.ok) {
      return {
        status: 'new',
        reason: null,
        extracted: {
          ...result.extracted,
          notes: [...result.extracted.notes, `Read from ${a.name}`, ...reasons],
        },
        documentText: result.text.slice(0, 200_000),
        source: { name: a.name, contentType: a.contentType, size: a.size, sha256: a.sha256 },
        ...(kind === 'workbook' ? { workbook: a.content } : {}),
      };
    }
    reasons.push(`${a.name}: ${result.reason}`);
  }
  return unreadable(reasons.join('; '));
}

/**
 * The special-terms clause as the partner wrote it in the mail body: the paragraph (or run of
 * paragraphs) where the profile's clause matches.
 */
async function clauseInBody(
  db: Executor,
  profile: VendorProfile,
  vendorId: string,
  partnerId: string | null,
  body: string,
): Promise<string | undefined> {
  if (!profile.specialTerms || !partnerId || body.trim() === '') return undefined;
  const partner = await findPartnerById(db, partnerId);
  const holder = partner?.parent_partner_id ?? partnerId;
  const partnership = await findPartnership(db, vendorId, holder);
  if (!partnership) return undefined;
  const values = {
    agreementDate: partnership.agreement_date,
    partnerLegalName: partnership.legal_name,
  };
  const paragraphs = body
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .slice(0, 60);
  // One paragraph, else two or three in a row (a clause wrapped with blank lines).
  for (let span = 1; span <= 3; span++) {
    for (let i = 0; i + span <= paragraphs.length; i++) {
      const text = paragraphs.slice(i, i + span).join('\n\n');
      const match = matchSpecialTerms(
        profile.specialTerms.template,
        values,
        [text],
        profile.specialTerms.dateFormat,
      );
      if (match.status !== 'missing') return text;
    }
  }
  return undefined;
}

function attachmentsMeta(mail: IncomingMail, message: InboundMessage): AttachmentMeta[] {
  if (message.headerOnly) return (message.listedParts ?? []).slice(0, 100);
  return mail.attachments.slice(0, 100).map((a) => ({
    name: a.name,
    contentType: a.contentType,
    size: a.size,
    sha256: a.sha256,
  }));
}

function acknowledgmentText(input: {
  profile: VendorProfile;
  item: IntakeItem;
  extracted: ExtractedPurchaseOrder;
  validation: IntakeValidation;
}): { subject: string; text: string } {
  const { profile, item, extracted, validation } = input;
  const po = extracted.purchaseOrder;
  const subject = `${profile.name}: ${
    item.status === 'unreadable'
      ? 'we could not read an order from your mail'
      : `we received your purchase order${po.number ? ` ${po.number}` : ''}`
  }`;
  const lines: string[] = [];
  if (item.status === 'unreadable') {
    lines.push(
      `We received your mail "${item.subject}", but could not read an order from it:`,
      '',
      item.reason ?? '',
      '',
      'Please send the purchase order as a PDF, or the filled-in order template, to this address.',
    );
  } else {
    const summary = [
      po.number ? `PO ${po.number}` : 'Your purchase order',
      po.date ? `of ${po.date}` : '',
      `${extracted.lines.length} line${extracted.lines.length === 1 ? '' : 's'}`,
      po.total ? `total ${po.currency ?? ''} ${po.total}`.replace(/\s+/g, ' ') : '',
    ].filter((s) => s !== '');
    lines.push(
      `We received ${summary.join(', ')}.`,
      '',
      'Our order desk reviews it and places the order; the order number follows by mail.',
    );
    const errors = validation.problems.filter((p) => p.severity === 'error');
    if (errors.length > 0) {
      lines.push('', 'What the desk will check:');
      for (const p of errors.slice(0, 20)) lines.push(`- ${p.path || 'order'}: ${p.message}`);
    }
  }
  lines.push('', `Reference: ${item.id}`, '', `— ${profile.name}`);
  return { subject, text: lines.join('\n') };
}

async function recordAcknowledgment(
  tx: Executor,
  input: {
    vendor: Vendor;
    profile: VendorProfile;
    item: IntakeItem;
    mail: IncomingMail;
    extracted: ExtractedPurchaseOrder;
    validation: IntakeValidation;
    inThread: boolean;
    at: string;
  },
): Promise<void> {
  const { vendor, profile, item, mail, at } = input;
  const { subject, text } = acknowledgmentText(input);
  const messageId = `<${item.id}.ack@${vendor.slug}.orderdesk>`;
  const references = [...mail.references, mail.messageId].slice(-20);
  const message = await insertMessage(tx, {
    vendorId: vendor.id,
    partnerId: item.partner_id,
    entityType: 'intake',
    entityId: item.id,
    direction: 'out',
    template: 'intake_acknowledgment',
    from: vendorSenderOf(profile, vendor.slug),
    replyTo: profile.mail?.replyTo ?? null,
    to: [item.from_addr],
    subject,
    text,
    status: 'queued',
    messageId,
    inReplyTo: mail.messageId,
    references,
    at,
  });
  await enqueueOutbox(tx, {
    vendorId: vendor.id,
    topic: 'mail',
    entityType: 'intake',
    entityId: item.id,
    payload: { messageId: message.id },
    at,
  });
}

/**
 * Stores one message read from a mailbox and advances the mailbox's checkpoint to it, in one
 * transaction. Never throws for what the message contains; throws only when the database does
 * (then nothing was stored and the checkpoint did not move).
 */
export async function receiveMail(
  ctx: AppContext,
  message: InboundMessage,
  options: ReceiveOptions = {},
): Promise<ReceiveOutcome> {
  const limits = options.limits ?? DEFAULT_INTAKE_LIMITS;
  const readers = options.readers ?? documentReaders;
  const db = ctx.store.db;
  const mail = await parseIncomingMail(message.raw);
  const at = ctx.now().toISOString();
  const receivedAt = message.receivedAt ?? mail.date ?? at;

  const checkpoint = async (tx: Executor): Promise<void> => {
    if (message.uid === null || message.uidValidity === null) return;
    await saveMailboxCheckpoint(tx, {
      mailbox: message.mailbox,
      uidValidity: message.uidValidity,
      lastUid: message.uid,
      at,
    });
  };
  const storeRaw = (
    tx: Executor,
    vendorId: string | null,
    outcome: 'intake' | 'reply' | 'unrouted',
    entity: { type: string; id: string } | null,
  ) =>
    insertInboundMail(tx, {
      vendor_id: vendorId,
      mailbox: message.mailbox,
      uid_validity: message.uidValidity,
      uid: message.uid,
      message_id: mail.messageId,
      size: message.size,
      raw: message.raw,
      truncated: message.headerOnly ? 1 : 0,
      outcome,
      entity_type: entity?.type ?? null,
      entity_id: entity?.id ?? null,
      received_at: receivedAt,
      created_at: at,
    });

  const routed = await vendorOfRecipients(db, mail);
  if (!routed) {
    await db.transaction().execute(async (tx) => {
      if (!(await hasInboundMail(tx, null, mail.messageId))) {
        await storeRaw(tx, null, 'unrouted', null);
      }
      await checkpoint(tx);
    });
    return { outcome: 'unrouted' };
  }
  const { vendor, profile } = routed;
  const duplicate = async (): Promise<ReceiveOutcome> => {
    await db.transaction().execute(checkpoint);
    return { outcome: 'duplicate', vendorId: vendor.id };
  };
  if (
    (await findIntakeItemByMessageId(db, vendor.id, mail.messageId)) ||
    (await hasInboundMail(db, vendor.id, mail.messageId))
  ) {
    return duplicate();
  }

  const target = mail.malformed ? null : await replyTargetOf(db, routed, mail);
  if (target) {
    const stored = await db.transaction().execute(async (tx) => {
      // Message-IDs are unique across threads: the same mail copied to two vendors joins the
      // first one's thread only.
      if (await findMessageByMessageId(tx, mail.messageId)) {
        await checkpoint(tx);
        return false;
      }
      const partnerId = target.partnerId;
      await insertMessage(tx, {
        vendorId: vendor.id,
        partnerId,
        entityType: target.entityType,
        entityId: target.entityId,
        direction: 'in',
        from: mail.from ?? '',
        to: mail.to,
        cc: mail.cc,
        replyTo: mail.replyTo[0] ?? null,
        subject: mail.subject,
        text: mail.text,
        attachments: attachmentsMeta(mail, message),
        status: 'received',
        messageId: mail.messageId,
        inReplyTo: mail.inReplyTo,
        references: mail.references,
        at: receivedAt,
      });
      if (target.entityType === 'order') {
        await recordEvent(tx, {
          type: 'order.mail_received',
          entityId: target.entityId,
          vendorId: vendor.id,
          partnerId,
          actor: SYSTEM_ACTOR,
          at,
          data: { orderId: target.entityId, messageId: mail.messageId, from: mail.from ?? '' },
        });
      } else if (target.entityType === 'quote') {
        await recordEvent(tx, {
          type: 'quote.mail_received',
          entityId: target.entityId,
          vendorId: vendor.id,
          partnerId,
          actor: SYSTEM_ACTOR,
          at,
          data: { quoteId: target.entityId, messageId: mail.messageId, from: mail.from ?? '' },
        });
      }
      await storeRaw(tx, vendor.id, 'reply', { type: target.entityType, id: target.entityId });
      await checkpoint(tx);
      return true;
    });
    if (!stored) return { outcome: 'duplicate', vendorId: vendor.id };
    return {
      outcome: 'reply',
      entityType: target.entityType,
      entityId: target.entityId,
      vendorId: vendor.id,
    };
  }

  const read = await readOrder(mail, message, limits, readers);
  const sender = await partnerOfSender(db, vendor.id, mail, read.extracted.purchaseOrder.buyer);
  const extracted: ExtractedPurchaseOrder = { ...read.extracted };
  let draft: Record<string, unknown> = {};
  let validation: IntakeValidation;
  if (read.status === 'new') {
    const clause = await clauseInBody(db, profile, vendor.id, sender.partnerId, mail.text);
    if (clause && !extracted.specialTermsText) {
      extracted.specialTermsText = clause;
      extracted.notes = [...extracted.notes, 'Special-terms clause found in the mail body'];
    }
    const built = await buildDraft(db, {
      vendorId: vendor.id,
      vendorSlug: vendor.slug,
      profile,
      partnerId: sender.partnerId,
      extraction: extracted,
      texts: [mail.subject, mail.text, read.documentText],
      emailBody: mail.text,
    });
    draft = built.draft;
    extracted.notes = [...extracted.notes, ...built.notes];
    // The vendor's own template says more than an extraction can (line attributes, the
    // customer by name): its import builds the draft, and its problems name their cells. An
    // unknown sender's workbook too: the desk names the partner when converting, and must not
    // retype what the workbook already says.
    const cells = new Map<string, string>();
    if (read.workbook) {
      const imported = await checkOrderImport(ctx, deskActor(vendor.id), {
        bytes: read.workbook,
        vendor: vendor.slug,
        partnerId: sender.partnerId ?? undefined,
      });
      if (imported.submission) {
        draft = {
          ...imported.submission,
          vendor: vendor.slug,
          channel: 'email',
          ...(sender.partnerId ? { partnerId: sender.partnerId } : {}),
          ...(mail.text.trim() !== '' ? { emailBody: mail.text } : {}),
        };
        for (const p of imported.problems) if (p.path !== p.field) cells.set(p.field, p.path);
      }
    }
    validation = await validateDraft(ctx, vendor.id, draft);
    if (cells.size > 0) {
      validation = {
        ...validation,
        problems: validation.problems.map((p) => {
          const cell = cells.get(p.path.replace(/\.(\d+)(?=\.|$)/g, '[$1]')) ?? cells.get(p.path);
          return cell ? { ...p, message: `${p.message} (${cell})` } : p;
        }),
      };
    }
  } else {
    validation = {
      valid: false,
      problems: [
        { path: '', code: 'unreadable', message: read.reason ?? 'unreadable', severity: 'error' },
      ],
    };
  }
  const flags: SenderFlag[] = sender.flags;
  const attachments = attachmentsMeta(mail, message);

  const outcome = await db.transaction().execute(async (tx): Promise<ReceiveOutcome> => {
    if (await findIntakeItemByMessageId(tx, vendor.id, mail.messageId)) {
      await checkpoint(tx);
      return { outcome: 'duplicate', vendorId: vendor.id };
    }
    const id = newId('itk');
    const raw = await storeRaw(tx, vendor.id, 'intake', { type: 'intake', id });
    const item = await insertIntakeItem(tx, {
      id,
      vendor_id: vendor.id,
      partner_id: sender.partnerId,
      channel: 'email',
      message_id: mail.messageId,
      inbound_mail_id: raw.id,
      from_addr: mail.from ?? '',
      to_addrs: JSON.stringify(mail.to),
      cc_addrs: JSON.stringify(mail.cc),
      subject: mail.subject,
      body_text: mail.text,
      received_at: receivedAt,
      status: read.status,
      reason: read.reason,
      flags: JSON.stringify(flags),
      extracted: JSON.stringify(extracted),
      draft: JSON.stringify(draft),
      validation: JSON.stringify(validation),
      attachments: JSON.stringify(attachments),
      order_id: null,
      decided_by: null,
      decided_at: null,
      created_at: at,
      updated_at: at,
    });
    // The partner's mail opens the item's thread, so replies and the acknowledgment follow it.
    const inThread = !(await findMessageByMessageId(tx, mail.messageId));
    if (inThread) {
      await insertMessage(tx, {
        vendorId: vendor.id,
        partnerId: sender.partnerId,
        entityType: 'intake',
        entityId: item.id,
        direction: 'in',
        from: mail.from ?? '',
        to: mail.to,
        cc: mail.cc,
        replyTo: mail.replyTo[0] ?? null,
        subject: mail.subject,
        text: mail.text,
        attachments,
        status: 'received',
        messageId: mail.messageId,
        inReplyTo: mail.inReplyTo,
        references: mail.references,
        at: receivedAt,
      });
    }
    await recordEvent(tx, {
      type: 'intake.received',
      entityId: item.id,
      vendorId: vendor.id,
      partnerId: sender.partnerId,
      actor: SYSTEM_ACTOR,
      at,
      toStatus: item.status,
      reason: item.reason,
      data: {
        intakeId: item.id,
        messageId: mail.messageId,
        status: item.status,
        from: item.from_addr,
      },
    });
    // No acknowledgment to a sender the receiving server could not authenticate: it would go
    // to whoever's address was forged (backscatter); none to a program's mail either (an
    // out-of-office reply, a bounce: RFC 3834).
    if (item.from_addr !== '' && !mail.authenticationFailed && !mail.automatic) {
      await recordAcknowledgment(tx, {
        vendor,
        profile,
        item,
        mail,
        extracted,
        validation,
        inThread,
        at,
      });
    }
    await checkpoint(tx);
    return { outcome: 'intake', intakeId: item.id, status: item.status, vendorId: vendor.id };
  });
  return outcome;
}
