import type { Message } from '@orderdesk/store';
import type { OutgoingMail } from './mail-transport.ts';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/**
 * The HTML part when the message has none of its own: the text, escaped, one paragraph per
 * blank-line-separated block, so nothing a partner typed (a PO note) can inject markup.
 */
export function htmlOfText(text: string): string {
  const paragraphs = text
    .split(/\n{2,}/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, '<br>\n')}</p>`);
  return `<!doctype html>\n<html><body>\n${paragraphs.join('\n')}\n</body></html>\n`;
}

/** A display name safe inside a quoted string. */
function quoted(name: string): string {
  return `"${name.replace(/["\\\r\n]/g, ' ').trim()}"`;
}

/**
 * The mail of a thread message. The sender carries the vendor's name when the stored address
 * has none, so the partner's client shows who wrote; replies go to the stored reply-to, else to
 * the sender (the profile's intake mailbox, which reads them back onto the thread).
 */
export function mailOfMessage(message: Message, vendorName: string | null): OutgoingMail {
  const from =
    vendorName && !message.from_addr.includes('<')
      ? `${quoted(vendorName)} <${message.from_addr}>`
      : message.from_addr;
  const references =
    message.references_ids === null ? undefined : (JSON.parse(message.references_ids) as string[]);
  return {
    from,
    replyTo: message.reply_to ?? undefined,
    to: JSON.parse(message.to_addrs) as string[],
    cc: JSON.parse(message.cc_addrs) as string[],
    subject: message.subject,
    text: message.text,
    html: message.html ?? htmlOfText(message.text),
    messageId: message.message_id,
    inReplyTo: message.in_reply_to ?? undefined,
    references: references && references.length > 0 ? references : undefined,
  };
}
