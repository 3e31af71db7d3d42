// Mails for the intake tests and the intake bench: a one-page PO PDF drawn with pdfkit in the
// layout of a common PO template (title, PO # and date at the right, an item table, a total),
// whole MIME messages composed by nodemailer's MailComposer, and their delivery into a real
// IMAP mailbox (imapflow's APPEND).
import { ImapFlow } from 'imapflow';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';

export interface PoLine {
  partNumber: string;
  description: string;
  quantity: number;
  unitPrice: string;
}

export interface PoPdf {
  buyer: string;
  number: string;
  date: string;
  lines: PoLine[];
  total: string;
  currency?: string;
  comments?: string;
  /** Encrypts the PDF (a password-protected PO). */
  userPassword?: string;
}

/** A one-page purchase order PDF. */
export async function makePoPdf(po: PoPdf): Promise<Buffer> {
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({
    size: 'LETTER',
    margin: 40,
    ...(po.userPassword ? { userPassword: po.userPassword, ownerPassword: 'owner' } : {}),
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.font('Helvetica-Bold').fontSize(16).text(po.buyer, 40, 40);
  doc.font('Helvetica').fontSize(9).text('100 Market Street', 40, 62).text('Springfield, IL 62701');
  doc.font('Helvetica-Bold').fontSize(18).text('PURCHASE ORDER', 380, 40);
  doc.font('Helvetica').fontSize(9);
  doc.text('DATE', 390, 70).text(po.date, 450, 70, { width: 122 });
  doc.text('PO #', 390, 84).text(po.number, 450, 84, { width: 122 });
  if (po.currency) doc.text('CURRENCY', 390, 98).text(po.currency, 450, 98, { width: 122 });
  const cols = [40, 150, 360, 420, 500];
  const widths = [105, 205, 55, 75, 70];
  const header = ['ITEM #', 'DESCRIPTION', 'QTY', 'UNIT PRICE', 'TOTAL'];
  let y = 160;
  doc.font('Helvetica-Bold');
  header.forEach((h, i) =>
    doc.text(h, cols[i] ?? 0, y, { width: widths[i] ?? 60, align: i >= 2 ? 'right' : 'left' }),
  );
  doc.font('Helvetica');
  for (const line of po.lines) {
    y += 16;
    const amount = (Number(line.unitPrice) * line.quantity).toFixed(2);
    const cells = [
      line.partNumber,
      line.description,
      String(line.quantity),
      line.unitPrice,
      amount,
    ];
    cells.forEach((c, i) =>
      doc.text(c, cols[i] ?? 0, y, { width: widths[i] ?? 60, align: i >= 2 ? 'right' : 'left' }),
    );
  }
  y += 40;
  doc
    .font('Helvetica-Bold')
    .text('TOTAL', 420, y)
    .text(po.total, 500, y, { width: 70, align: 'right' });
  if (po.comments) {
    doc.font('Helvetica-Bold').text('Comments or Special Instructions', 40, y);
    doc.font('Helvetica').text(po.comments, 40, y + 14, { width: 300 });
  }
  doc.end();
  return done;
}

export interface MailAttachment {
  filename: string;
  content: Buffer;
  contentType?: string;
}

export interface MailSpec {
  from: string;
  to: string | string[];
  cc?: string[];
  replyTo?: string;
  subject: string;
  text: string;
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  attachments?: MailAttachment[];
  headers?: Record<string, string>;
}

/** The raw RFC 5322 message. */
export async function composeMail(spec: MailSpec): Promise<Buffer> {
  const composer = new MailComposer({
    from: spec.from,
    to: spec.to,
    ...(spec.cc ? { cc: spec.cc } : {}),
    ...(spec.replyTo ? { replyTo: spec.replyTo } : {}),
    subject: spec.subject,
    text: spec.text,
    messageId: spec.messageId,
    ...(spec.inReplyTo ? { inReplyTo: spec.inReplyTo } : {}),
    ...(spec.references ? { references: spec.references } : {}),
    attachments: (spec.attachments ?? []).map((a) => ({
      filename: a.filename,
      content: a.content,
      ...(a.contentType ? { contentType: a.contentType } : {}),
    })),
    ...(spec.headers ? { headers: spec.headers } : {}),
  });
  return new Promise((resolve, reject) =>
    composer.compile().build((error, message) => (error ? reject(error) : resolve(message))),
  );
}

/** Delivers raw messages into the mailbox of an `imap://user:pass@host:port/MAILBOX` URL. */
export async function appendMails(imapUrl: string, raws: readonly Buffer[]): Promise<number[]> {
  const u = new URL(imapUrl);
  const client = new ImapFlow({
    host: u.hostname,
    port: Number(u.port),
    secure: false,
    auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) },
    logger: false,
  });
  await client.connect();
  try {
    const uids: number[] = [];
    const mailbox = decodeURIComponent(u.pathname.slice(1)) || 'INBOX';
    for (const raw of raws) {
      const r = await client.append(mailbox, raw);
      uids.push(r ? (r.uid ?? 0) : 0);
    }
    return uids;
  } finally {
    await client.logout();
  }
}
