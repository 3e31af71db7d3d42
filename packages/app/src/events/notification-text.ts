import type { NotificationRule, VendorProfile } from '@orderdesk/core';
import type { RecordedEvent } from './record-event.ts';

/** What the subject line and the text say the thread is about. */
export interface ThreadSubject {
  kind: 'order' | 'quote' | 'quote request';
  number: string;
}

const HEADLINES: Record<string, string> = {
  'order.submitted': 'We received your order',
  'order.corrected': 'The order was corrected',
  'order.approved': 'The order passed review',
  'order.held': 'The order is on hold: please correct it',
  'order.resubmitted': 'The corrected order was resubmitted',
  'order.booked': 'The order is booked',
  'order.completed': 'The order is complete',
  'order.rejected': 'The order was rejected',
  'order.cancelled': 'The order was cancelled',
  'quote.requested': 'A partner asks for a quote',
  'quote.created': 'A quote was drafted',
  'quote.approved': 'Your quote is ready',
  'quote.declined': 'The quote was declined',
  'quote.revised': 'The quote was revised',
  'quote.expired': 'The quote expired',
  'quote.ordered': 'The quote was ordered',
  'quote.released': 'The quote is available again',
};

/** The plain-text mail for one notification rule of an event (HTML comes with the mailer). */
export function renderNotification(input: {
  event: RecordedEvent;
  rule: NotificationRule;
  profile: VendorProfile;
  thread: ThreadSubject;
}): { subject: string; text: string } {
  const { event, rule, profile, thread } = input;
  const headline = HEADLINES[event.type] ?? event.type;
  const label = thread.kind.charAt(0).toUpperCase() + thread.kind.slice(1);
  const subject = `${profile.name} ${thread.kind} ${thread.number}: ${headline}`;
  const lines = [`${label} ${thread.number}`, '', `${headline}.`];
  if (rule.template) lines.push('', `(${rule.template.replaceAll('_', ' ')})`);
  if (event.reason) lines.push('', `Reason: ${event.reason}`);
  const problems = (event.data as { problems?: { path: string; message: string }[] }).problems;
  if (problems?.length) {
    lines.push('', 'What to correct:');
    for (const p of problems) lines.push(`- ${p.path}: ${p.message}`);
  }
  const salesOrder = (event.data as { salesOrderNumber?: string | null }).salesOrderNumber;
  if (salesOrder) lines.push('', `Sales order number: ${salesOrder}`);
  lines.push('', `— ${profile.name}`);
  return { subject, text: lines.join('\n') };
}
