// What the outbox worker hands to whatever really sends mail (nodemailer over SMTP in the
// server package). The app layer knows no SMTP: tests and other hosts plug in their own.

import type { MailAttachment } from './mail-attachments.ts';

/** One message as it goes on the wire, rendered from its thread message row. */
export interface OutgoingMail {
  /** `"Vendor name" <address>` or a bare address. */
  from: string;
  replyTo?: string | undefined;
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  html: string;
  /** RFC 5322 ids in angle brackets, as stored on the message. */
  messageId: string;
  inReplyTo?: string | undefined;
  references?: string[] | undefined;
  /** Files rendered for the message (the quote PDF, the invoice), in order. */
  attachments?: MailAttachment[] | undefined;
}

export interface MailTransport {
  /** Resolves once the server accepted the message; rejects with the server's answer otherwise. */
  send(mail: OutgoingMail): Promise<void>;
}
