import type { Transporter } from 'nodemailer';
import type { MailTransport, OutgoingMail } from '@orderdesk/app';

export interface SmtpTransport extends MailTransport {
  /** Closes the pooled connection. */
  close(): void;
}

/**
 * The SMTP transport of SMTP_URL (nodemailer). One pooled connection per worker, reused from
 * message to message (a new SMTP conversation per message costs more than the message) and
 * reopened by nodemailer when the server drops it. The envelope is the message's to and cc.
 * nodemailer loads with the first message, not with the server.
 */
export function createSmtpTransport(url: string, options: { timeoutMs: number }): SmtpTransport {
  let transporter: Promise<Transporter> | undefined;
  const open = (): Promise<Transporter> =>
    (transporter ??= import('nodemailer').then(({ default: nodemailer }) =>
      nodemailer.createTransport({
        url,
        pool: true,
        maxConnections: 1,
        connectionTimeout: options.timeoutMs,
        greetingTimeout: options.timeoutMs,
        socketTimeout: options.timeoutMs,
      }),
    ));
  return {
    async send(mail: OutgoingMail): Promise<void> {
      await (
        await open()
      ).sendMail({
        from: mail.from,
        ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
        to: mail.to,
        ...(mail.cc.length > 0 ? { cc: mail.cc } : {}),
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        messageId: mail.messageId,
        // Every mail OrderDesk sends is a program's (RFC 3834): auto-responders leave it be.
        headers: { 'Auto-Submitted': 'auto-generated' },
        ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
        ...(mail.references ? { references: mail.references } : {}),
        ...(mail.attachments?.length
          ? {
              attachments: mail.attachments.map((a) => ({
                filename: a.filename,
                contentType: a.contentType,
                content: a.content,
              })),
            }
          : {}),
      });
    },
    close: () => void transporter?.then((t) => t.close()),
  };
}
