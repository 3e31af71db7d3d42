import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NOTIFICATION_EVENTS, parseVendorProfile, type NotificationRule } from '@orderdesk/core';
import { HEADLINES, renderNotification } from './notification-text.ts';
import type { RecordedEvent } from './record-event.ts';

const file = new URL('../../../../examples/profiles/northwind.yaml', import.meta.url);
const parsed = parseVendorProfile(readFileSync(file, 'utf8'), file.pathname);
if (!parsed.ok) throw new Error('northwind profile invalid');
const northwind = parsed.profile;

const rule: NotificationRule = {
  event: 'invoice.issued',
  to: ['invoicing_contact'],
  cc: [],
  attach: ['invoice_pdf'],
  thread: 'order',
};

function eventOf(type: string, data: Record<string, unknown>): RecordedEvent {
  return {
    id: 'evt_1',
    type,
    data,
    subject: 'invoice',
    entityId: 'inv_1',
    vendorId: 'ven_1',
    partnerId: 'ptn_1',
    actor: { userId: null, label: 'system' },
    at: '2026-12-04T10:00:00.000Z',
    fromStatus: null,
    toStatus: 'issued',
    reason: null,
  } as unknown as RecordedEvent;
}

const thread = { kind: 'order', number: 'NW-000001 / NWSO-000001' } as const;

describe('renderNotification', () => {
  it('says in words what every event a profile may notify on means, never its name', () => {
    for (const type of NOTIFICATION_EVENTS) {
      const headline = HEADLINES[type];
      expect(headline, type).toMatch(/^[A-Z]/);
      const { subject, text } = renderNotification({
        event: eventOf(type, {}),
        rule: { ...rule, event: type, attach: [] },
        profile: northwind,
        thread,
      });
      expect(subject, type).not.toContain(type);
      expect(text, type).not.toContain(type);
    }
  });

  it('says the partner is copied on the welcome mail only when the rule copies someone', () => {
    const welcome = (cc: NotificationRule['cc']) =>
      renderNotification({
        event: eventOf('order.completed', {}),
        rule: { ...rule, event: 'order.completed', template: 'welcome_email', cc, attach: [] },
        profile: northwind,
        thread,
      }).text;
    expect(welcome(['provisioning_cc'])).toContain('Your partner is copied on this mail.');
    expect(welcome([])).not.toContain('copied');
  });

  it("names the invoice, its total and its due date in the invoice's mail", () => {
    const { subject, text } = renderNotification({
      event: eventOf('invoice.issued', {
        invoiceId: 'inv_1',
        number: 'NW-INV-000001',
        orderId: 'ord_1',
        total: '907.20',
        currency: 'USD',
        dueDate: '2027-01-03',
      }),
      rule,
      profile: northwind,
      thread,
    });
    expect(subject).toBe(`${northwind.name} order NW-000001 / NWSO-000001: invoice NW-INV-000001`);
    expect(text).toContain('Your invoice is issued.');
    expect(text).toContain('Invoice NW-INV-000001, total 907.20 USD, due 2027-01-03.');
    expect(text).toContain('Attached: invoice pdf.');
  });

  it("lists a hold's problems in the order form's words, the profile's labels included", () => {
    const { text } = renderNotification({
      event: eventOf('order.held', {
        problems: [
          { path: 'contacts.siteAdmin.email', message: 'Give an address' },
          { path: 'attributes.microsoftDomain', message: 'Not a domain' },
          { path: 'lines[1].unitPrice', message: 'Not the net price' },
          { path: 'somethingElse', message: 'Kept as given' },
          { path: '', message: 'The order as a whole is wrong' },
        ],
      }),
      rule: { ...rule, event: 'order.held', attach: [] },
      profile: northwind,
      thread,
    });
    const label = northwind.attributes.find((a) => a.key === 'microsoftDomain')?.label;
    expect(label).toBeTruthy();
    expect(text).toContain(
      [
        'What to correct:',
        '- Site admin e-mail: Give an address',
        `- ${label}: Not a domain`,
        '- Line 2: unit price: Not the net price',
        '- somethingElse: Kept as given',
        '- The order as a whole is wrong',
      ].join('\n'),
    );
  });

  it.each(['northwind', 'skyline', 'edgeworks'])(
    "tells %s's finance which order's invoice could not be issued, and why",
    (slug) => {
      const source = new URL(`../../../../examples/profiles/${slug}.yaml`, import.meta.url);
      const loaded = parseVendorProfile(readFileSync(source, 'utf8'), source.pathname);
      if (!loaded.ok) throw new Error(`${slug} profile invalid`);
      const profile = loaded.profile;
      const failed = profile.notifications.filter((r) => r.event === 'invoice.failed');
      expect(failed).toEqual([
        expect.objectContaining({ template: 'invoice_failed', to: ['finance'], cc: [] }),
      ]);
      const { subject, text } = renderNotification({
        event: {
          ...eventOf('invoice.failed', {
            orderId: 'ord_1',
            number: 'EW-000042',
            orderType: 'device',
            message: 'Sum beyond the safe range',
          }),
          subject: 'order',
          entityId: 'ord_1',
          toStatus: null,
          reason: 'Sum beyond the safe range',
        },
        rule: failed[0]!,
        profile,
        thread: { kind: 'order', number: 'EW-000042' },
      });
      expect(subject).toBe(`${profile.name} order EW-000042: The invoice could not be issued`);
      expect(text).toContain('OrderDesk could not issue the invoice of order EW-000042.');
      expect(text).toContain('you hear again only if the reason changes');
      expect(text).toContain('Reason: Sum beyond the safe range');
      expect(text).not.toContain('invoice_failed');
      expect(text).not.toContain('(invoice failed)');
    },
  );

  it('names the licenses a license authorization confirms', () => {
    const { text } = renderNotification({
      event: eventOf('license.authorized', { licenseIds: ['E2C-0001', 'E2C-0002'] }),
      rule: { ...rule, event: 'license.authorized', attach: [] },
      profile: northwind,
      thread,
    });
    expect(text).toContain('The licenses are authorized.');
    expect(text).toContain('Licenses authorized:\n- E2C-0001\n- E2C-0002');
  });

  // Seed 002: "All order information and product files are issued by email on the
  // corresponding Sales Order email thread" — the delivery mail says what was delivered.
  const delivery: NotificationRule = {
    event: 'order.completed',
    template: 'order_delivery',
    to: ['partner'],
    cc: [],
    attach: ['product_files'],
    thread: 'sales_order',
  };

  it('says an order delivered with nothing is complete, and claims no files', () => {
    const { subject, text } = renderNotification({
      event: eventOf('order.completed', {}),
      rule: delivery,
      profile: northwind,
      thread,
      delivery: { lines: [], licenseKeys: [] },
      productFiles: [],
    });
    expect(subject).toMatch(/The order is complete$/);
    expect(text).toContain('The order is complete.');
    expect(text).toContain(
      'No license keys, shipments or product files were recorded for order NW-000001 / NWSO-000001, so none come with this mail.',
    );
    expect(text).not.toMatch(/follow|Attached|product files:/i);
  });

  it('lists what an order delivered: its lines, shipments, license keys and the files attached', () => {
    const { text } = renderNotification({
      event: eventOf('order.completed', {}),
      rule: delivery,
      profile: northwind,
      thread,
      delivery: {
        lines: [
          {
            lineNo: 1,
            partNumber: 'EW-LIC',
            quantity: 1,
            kind: 'license_keys_issued',
            shipment: null,
          },
          {
            lineNo: 2,
            partNumber: 'EW-DEV',
            quantity: 2,
            kind: 'device_shipped',
            shipment: { carrier: 'UPS', trackingNumber: '1Z999' },
          },
        ],
        licenseKeys: ['KEY-1'],
      },
      productFiles: [{ name: 'edge.lic', contentType: 'text/plain', size: 12 }],
    });
    expect(text).toContain(
      [
        'Order NW-000001 / NWSO-000001 is delivered.',
        '',
        'Delivered:',
        '- line 1 EW-LIC × 1: license keys issued',
        '- line 2 EW-DEV × 2: device shipped by UPS, tracking number 1Z999',
        '',
        'License keys:',
        '- KEY-1',
        '',
        'Attached: edge.lic.',
      ].join('\n'),
    );
  });

  it('still says what it can for an invoice event recorded before its currency and due date', () => {
    const { text } = renderNotification({
      event: eventOf('invoice.issued', { number: 'NW-INV-000001', total: '907.20' }),
      rule,
      profile: northwind,
      thread,
    });
    expect(text).toContain('Invoice NW-INV-000001, total 907.20.');
  });
});
