// The three seed vendors as profiles: each seed rule checked where it lives in its profile.
import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { buildOrderMachine, transition } from '../order/order.machine.ts';
import { computeSlaDueDates } from '../sla/sla.due-dates.ts';
import { formatProfileErrors, parseVendorProfile } from './profile.loader.ts';
import type { VendorProfile } from './profile.schema.ts';

const EXAMPLES = new URL('../../../../examples/profiles/', import.meta.url);
const textOf = (slug: string): string => readFileSync(new URL(`${slug}.yaml`, EXAMPLES), 'utf8');

function load(slug: string): VendorProfile {
  const result = parseVendorProfile(textOf(slug), `examples/profiles/${slug}.yaml`);
  if (!result.ok) throw new Error(formatProfileErrors(result.errors));
  return result.profile;
}

const orderType = (profile: VendorProfile, key: string) => {
  const found = profile.orderTypes.find((type) => type.key === key);
  if (found === undefined) throw new Error(`no order type ${key}`);
  return found;
};

describe.each(['northwind', 'skyline', 'edgeworks'])('%s.yaml', (slug) => {
  it('parses without errors', () => {
    const result = parseVendorProfile(textOf(slug), `examples/profiles/${slug}.yaml`);
    expect(result.ok ? [] : formatProfileErrors(result.errors)).toEqual([]);
    expect(result.ok && result.profile.slug).toBe(slug);
  });

  it('parses to itself from its JSON (what GET /vendors/{slug}/profile shows, PUT back)', () => {
    const parsed = load(slug);
    const again = parseVendorProfile(JSON.stringify(parsed), `${slug}.json`);
    expect(again.ok ? [] : formatProfileErrors(again.errors)).toEqual([]);
    expect(again.ok && again.profile).toEqual(parsed);
    // A stage labelled twice, differently, is refused where the second label is.
    const json = JSON.parse(JSON.stringify(parsed)) as {
      workflow: { labels: { submitted: string } };
    };
    json.workflow.labels.submitted = 'Something else';
    const contradicted = parseVendorProfile(JSON.stringify(json), `${slug}.json`);
    expect(contradicted.ok ? [] : contradicted.errors.map((e) => e.path)).toEqual([
      'workflow.labels.submitted',
    ]);
  });

  it('uses fictional names and example-domain addresses only', () => {
    const text = textOf(slug);
    expect(text).not.toMatch(/bluejeans|cloudblue|j2\s?inn|sullivan|edge2cloud|\bE2C\b|F200/i);
    for (const address of text.match(/[\w.+-]+@[\w.-]+/g) ?? []) {
      expect(address).toMatch(/@[\w-]+\.example$/);
    }
    for (const url of text.match(/https?:\/\/[^\s]+/g) ?? []) {
      expect(url).toMatch(/^https:\/\/[\w.-]+\.example(\/|$)/);
    }
  });

  it('builds a valid order machine from its workflow', () => {
    expect(() => buildOrderMachine(load(slug).workflow)).not.toThrow();
  });
});

describe('northwind (seed 000, quote-first SaaS)', () => {
  const profile = load('northwind');

  it('has the order types of API.md, each needing an approved quote', () => {
    expect(profile.orderTypes.map((t) => t.key)).toEqual([
      'new',
      'upsell',
      'renewal',
      'auto_renewal',
    ]);
    expect(profile.orderTypes.every((t) => t.quote === 'required')).toBe(true);
  });

  it('lets an unchanged auto-renewal go with the PO only', () => {
    const auto = orderType(profile, 'auto_renewal');
    expect(auto.quoteExemption).toBe('unchanged_subscription');
    expect(auto.requiredFields).toEqual(['purchaseOrder.number', 'purchaseOrder.date']);
    expect(auto.conditions).toEqual([]);
  });

  it('routes quote requests through the CAM', () => {
    expect(profile.quotePolicy.requestRouting).toBe('cam');
    expect(profile.notifications).toContainEqual(
      expect.objectContaining({ event: 'quote.requested', to: ['cam'] }),
    );
  });

  it('asks for a special-terms clause naming the agreement date and the partner', () => {
    const terms = profile.specialTerms;
    expect(terms?.template).toContain('{{agreementDate}}');
    expect(terms?.template).toContain('{{partnerLegalName}}');
    expect(terms?.template).toContain('Northwind');
    expect(terms?.locations).toEqual([
      'purchaseOrder.specialTerms',
      'purchaseOrder.notes',
      'email_body',
    ]);
    expect(profile.orderTypes.every((t) => t.specialTermsRequired)).toBe(true);
  });

  it('requires the site admin, one provisioning CC, and tier-2 reseller details for tier 2', () => {
    const type = orderType(profile, 'new');
    expect(type.requiredFields).toEqual(
      expect.arrayContaining([
        'contacts.siteAdmin.name',
        'contacts.siteAdmin.email',
        'contacts.provisioningCc',
      ]),
    );
    expect(type.conditions).toEqual([
      expect.objectContaining({
        when: { partnerTier: 2 },
        require: ['tier2Reseller.name', 'tier2Reseller.email'],
      }),
    ]);
    expect(type.optionalFields).toEqual(['attributes.microsoftDomain', 'attributes.employeeCount']);
    expect(profile.fieldHelp['contacts.provisioningCc']).toMatch(/distribution list/);
  });

  it('sends the welcome email to the end user, copying the partner, on new business and upsell', () => {
    expect(profile.notifications).toContainEqual(
      expect.objectContaining({
        event: 'order.completed',
        template: 'welcome_email',
        to: ['end_user_site_admin'],
        cc: ['provisioning_cc'],
      }),
    );
    expect(orderType(profile, 'new')).toMatchObject({
      welcomeEmail: 'always',
      completionConfirmation: 'welcome_email',
    });
    expect(orderType(profile, 'upsell').welcomeEmail).toBe('always');
    expect(orderType(profile, 'renewal')).toMatchObject({
      welcomeEmail: 'optional',
      completionConfirmation: 'welcome_email_else_invoice',
    });
  });

  it('reviews, books and provisions', () => {
    const machine = buildOrderMachine(profile.workflow);
    expect(profile.workflow.stages.map((s) => [s.status, s.roles[0]])).toEqual([
      ['submitted', 'order_desk'],
      ['booking', 'finance'],
      ['provisioning', 'provisioning'],
    ]);
    expect(
      transition(machine, {
        status: 'booking',
        action: 'book',
        actorRoles: ['finance'],
        actorSide: 'vendor',
      }),
    ).toEqual({ ok: true, to: 'provisioning', assignsSalesOrderNumber: true });
  });

  it('sends invoice requests to AR and escalations to the CAM or a manager', () => {
    expect(profile.invoiceRequests?.email).toBe('ar@northwind.example');
    expect(profile.escalation?.contacts).toEqual([
      expect.objectContaining({ role: 'cam' }),
      expect.objectContaining({ email: 'escalations@northwind.example' }),
    ]);
  });
});

describe('skyline (seed 001, marketplace wizard)', () => {
  const profile = load('skyline');
  const wizard = profile.channels.find((c) => c.kind === 'web_wizard')?.wizard;

  it('has the order types of API.md', () => {
    expect(profile.orderTypes.map((t) => t.key)).toEqual(['new', 'change']);
  });

  it('orders for a customer organization through the four-step wizard', () => {
    expect(wizard?.startFrom).toBe('customer_organization');
    expect(wizard?.catalog).toEqual({ categories: true, search: true });
    expect(wizard?.steps.map((s) => s.label)).toEqual([
      'Select Items',
      'Contact Details',
      'Provisioning Information',
      'Summary',
    ]);
    expect(wizard?.itemActions).toEqual(['edit', 'product_info', 'invoice_info']);
    expect(wizard?.submitLabel).toBe('Proceed for Approval');
  });

  it('requires accepting the terms and conditions', () => {
    expect(profile.termsAndConditions?.requiredFor).toEqual(['new', 'change']);
    expect(orderType(profile, 'new').requiredFields).toContain('termsAccepted');
  });

  it('approves and provisions without a separate booking stage', () => {
    const machine = buildOrderMachine(profile.workflow);
    expect(machine.statuses).not.toContain('booking');
    expect(
      transition(machine, {
        status: 'submitted',
        action: 'approve',
        actorRoles: ['order_desk'],
        actorSide: 'vendor',
      }),
    ).toEqual({ ok: true, to: 'provisioning', assignsSalesOrderNumber: true });
  });

  it('tells the partner its order number on submission', () => {
    expect(profile.orderNumberPrefix).toBe('SKY-');
    expect(profile.notifications).toContainEqual(
      expect.objectContaining({ event: 'order.submitted', to: ['partner'] }),
    );
  });
});

describe('edgeworks (seed 002, licenses and devices)', () => {
  const profile = load('edgeworks');

  it('has the order types of API.md, all price-checked against list × multiplier', () => {
    expect(profile.orderTypes.map((t) => t.key)).toEqual([
      'license_maintenance',
      'training_seat',
      'kits_renewal',
      'license_authorization',
      'device',
    ]);
    expect(profile.orderTypes.every((t) => t.priceCheck && t.purchaseOrderRequired)).toBe(true);
  });

  it('ships whatever ships only to a confirmed address with a tax ID', () => {
    expect(orderType(profile, 'device').requiredFields).toEqual(
      expect.arrayContaining(['shippingAddress.taxId', 'shippingAddress.confirmed']),
    );
    expect(orderType(profile, 'kits_renewal').conditions[0]).toMatchObject({
      when: { linesShip: true },
      require: expect.arrayContaining(['shippingAddress.taxId', 'shippingAddress.confirmed']),
    });
  });

  it('identifies license authorization orders by their PO notes', () => {
    const type = orderType(profile, 'license_authorization');
    expect(type.requiredFields).toEqual(
      expect.arrayContaining(['licenseIds', 'purchaseOrder.notes']),
    );
    expect(type.requiredPhrases).toEqual([
      expect.objectContaining({ path: 'purchaseOrder.notes', phrase: 'License Authorization' }),
    ]);
    expect(profile.licensing).toMatchObject({
      authorizationOrders: true,
      authorizationOrderType: 'license_authorization',
      weeklyAuthorizationJob: { appliesTo: 'pre_bundled' },
    });
  });

  it('takes orders by email with an Excel template, web form and licensing server', () => {
    expect(profile.channels.map((c) => c.kind)).toEqual([
      'email',
      'excel_template',
      'web_wizard',
      'licensing_server',
      'api',
    ]);
    expect(profile.channels[2]?.accessOnRequestFrom).toBe('sales');
    expect(profile.channels[3]?.orderTypes).toEqual(['license_authorization']);
  });

  it('acknowledges within 24 hours and fulfils within 2 days', () => {
    const zone = profile.sla.calendar.timeZone;
    const friday = DateTime.fromISO('2025-06-06T16:00', { zone }).toJSDate();
    const due = computeSlaDueDates(profile.sla, friday);
    const local = (d?: Date) => d && DateTime.fromJSDate(d, { zone }).toFormat('ccc HH:mm');
    expect(local(due.acknowledgeBy)).toBe('Mon 16:00');
    expect(local(due.fulfilBy)).toBe('Tue 16:00');
  });

  it('threads the sales order and invoices 1–2 business days after it', () => {
    expect(profile.notifications).toContainEqual(
      expect.objectContaining({ event: 'order.booked', thread: 'sales_order' }),
    );
    expect(profile.invoicing).toMatchObject({
      timing: { afterEvent: 'order.booked', businessDays: { min: 1, max: 2 } },
      deliverTo: 'invoicing_contact',
      format: 'pdf',
    });
  });

  it('refuses refunds of licenses once invoiced, e-mailed or downloaded', () => {
    expect(profile.returns).toMatchObject({
      nonRefundableProductTypes: ['perpetual_license'],
      nonRefundableAfter: ['invoiced', 'emailed', 'downloaded'],
    });
  });
});
