import { describe, expect, it } from 'vitest';
import { vendorProfileSchema, templatePlaceholders } from './profile.schema.ts';
import type { VendorProfileInput } from './profile.schema.ts';
import { DEFAULT_WORKFLOW } from './profile.workflow.ts';

/** A minimal valid profile, with overrides. */
function buildProfileInput(overrides: Partial<VendorProfileInput> = {}): VendorProfileInput {
  return {
    slug: 'acme-cloud',
    name: 'Acme Cloud',
    currency: 'USD',
    orderNumberPrefix: 'AC-',
    salesOrderNumberPrefix: 'ACSO-',
    orderTypes: [{ key: 'new', label: 'New', quote: 'required' }],
    ...overrides,
  };
}

/** The issues of parsing `input`, as `path: message` strings. */
function issuesOf(input: unknown): string[] {
  const result = vendorProfileSchema.safeParse(input);
  if (result.success) return [];
  return result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('vendorProfileSchema defaults', () => {
  it('keeps a minimal profile short and fills in the rest', () => {
    const profile = vendorProfileSchema.parse(buildProfileInput());
    expect(profile.orderTypes[0]).toMatchObject({
      purchaseOrderRequired: true,
      specialTermsRequired: false,
      priceCheck: false,
      requiredFields: [],
      welcomeEmail: 'never',
      completionConfirmation: 'completion_notice',
    });
    expect(profile.workflow).toEqual(DEFAULT_WORKFLOW);
    expect(profile.channels).toEqual([{ kind: 'api' }]);
    expect(profile.quotePolicy).toEqual({
      validityDays: 30,
      requestRouting: 'sales',
      revisionsAllowed: true,
    });
    expect(profile.sla.calendar).toEqual({ timeZone: 'UTC', workingDays: [1, 2, 3, 4, 5] });
    expect(profile.invoicing.timing).toEqual({
      afterEvent: 'order.booked',
      businessDays: { min: 0, max: 0 },
    });
    expect(profile.productTypes).toHaveLength(7);
  });

  it('gives the default workflow of API.md', () => {
    expect(DEFAULT_WORKFLOW.stages.map((s) => [s.status, s.roles])).toEqual([
      ['submitted', ['order_desk']],
      ['booking', ['finance']],
      ['provisioning', ['provisioning']],
    ]);
    expect(DEFAULT_WORKFLOW.hold).toEqual({
      roles: ['order_desk', 'finance'],
      from: ['submitted', 'booking', 'provisioning'],
    });
    expect(DEFAULT_WORKFLOW.cancel).toEqual([
      { roles: ['partner_user', 'partner_admin'], from: ['submitted', 'on_hold'] },
      { roles: ['vendor_admin'], from: ['submitted', 'booking', 'provisioning', 'on_hold'] },
    ]);
    expect(Object.isFrozen(DEFAULT_WORKFLOW.stages)).toBe(true);
  });
});

describe('vendorProfileSchema field checks', () => {
  it.each([
    ['slug', { slug: 'Acme Cloud' }, 'slug: Expected a lowercase kebab-case slug'],
    ['currency shape', { currency: 'usd' }, 'currency: Expected an ISO 4217'],
    ['currency code', { currency: 'XYZ' }, 'currency: Unknown currency code'],
    ['unknown key', { colour: 'blue' }, ': Unrecognized key: "colour"'],
    [
      'order type key',
      { orderTypes: [{ key: 'Auto-Renewal', label: 'x', quote: 'required' }] },
      'orderTypes.0.key: Expected a snake_case key',
    ],
    [
      'quote enum',
      { orderTypes: [{ key: 'new', label: 'New', quote: 'sometimes' }] },
      'orderTypes.0.quote: Invalid option',
    ],
    [
      'SLA time zone',
      { sla: { calendar: { timeZone: 'Mars/Olympus' } } },
      'sla.calendar.timeZone: Expected an IANA time zone',
    ],
    [
      'working days',
      { sla: { calendar: { workingDays: [1, 8] } } },
      'sla.calendar.workingDays.1: Invalid option',
    ],
    [
      'working hours',
      { sla: { calendar: { workingHours: { start: '17:00', end: '09:00' } } } },
      'sla.calendar.workingHours.end: Working hours must end after they start',
    ],
    [
      'holiday country',
      { sla: { calendar: { holidays: { country: 'XX' } } } },
      'sla.calendar.holidays.country: No holiday data for country "XX"',
    ],
    [
      'holiday region',
      { sla: { calendar: { holidays: { country: 'DE', region: 'ZZ' } } } },
      'sla.calendar.holidays.region: Unknown region "ZZ" of DE',
    ],
    [
      'extra holiday date',
      { sla: { calendar: { holidays: { country: 'US', extraDates: ['2025-02-30'] } } } },
      'sla.calendar.holidays.extraDates.0: Invalid ISO date',
    ],
    [
      'SLA duration',
      { sla: { acknowledgeWithin: { businessHours: 24, businessDays: 1 } } },
      'sla.acknowledgeWithin: Give exactly one of businessHours, businessDays or hours',
    ],
    [
      'invoice timing',
      { invoicing: { timing: { businessDays: { min: 3, max: 1 } } } },
      'invoicing.timing.businessDays.max: min must not exceed max',
    ],
    [
      'escalation contact',
      { escalation: { contacts: [{ name: 'Someone' }] } },
      'escalation.contacts.0: Give a role or an email',
    ],
    [
      'cron',
      {
        licensing: {
          authorizationOrders: true,
          weeklyAuthorizationJob: { cron: 'weekly', appliesTo: 'pre_bundled' },
        },
      },
      'licensing.weeklyAuthorizationJob.cron: Expected a five-field cron expression',
    ],
  ])('rejects a bad %s', (_name, overrides, expected) => {
    const issues = issuesOf(buildProfileInput(overrides as Partial<VendorProfileInput>));
    expect(issues.some((issue) => issue.startsWith(expected))).toBe(true);
  });
});

describe('vendorProfileSchema cross-field checks', () => {
  const type = (extra: Record<string, unknown>): Record<string, unknown> => ({
    key: 'new',
    label: 'New',
    quote: 'required',
    ...extra,
  });

  it.each([
    [
      'duplicate order type keys',
      { orderTypes: [type({}), type({})] },
      'orderTypes.1.key: Duplicate order type "new"',
    ],
    [
      'unknown required field',
      { orderTypes: [type({ requiredFields: ['contacts.siteAdmin.phone'] })] },
      'orderTypes.0.requiredFields.0: Unknown order field "contacts.siteAdmin.phone"',
    ],
    [
      'undeclared attribute',
      { orderTypes: [type({ optionalFields: ['attributes.microsoftDomain'] })] },
      'orderTypes.0.optionalFields.0: Unknown order field "attributes.microsoftDomain"',
    ],
    [
      'line attribute used on the order',
      {
        attributes: [{ key: 'hostId', label: 'Host', scope: 'line' }],
        orderTypes: [type({ requiredFields: ['attributes.hostId'] })],
      },
      'orderTypes.0.requiredFields.0: Unknown order field "attributes.hostId"',
    ],
    [
      'unknown line field',
      { orderTypes: [type({ lineRequiredFields: ['attributes.hostId'] })] },
      'orderTypes.0.lineRequiredFields.0: Unknown line field "attributes.hostId"',
    ],
    [
      'line field of a product type the vendor does not sell',
      {
        productTypes: ['subscription'],
        orderTypes: [type({ lineRequiredFieldsByProductType: { device: ['partNumber'] } })],
      },
      'orderTypes.0.lineRequiredFieldsByProductType.device: Product type "device" is not among',
    ],
    [
      'condition on a product type the vendor does not sell',
      {
        productTypes: ['subscription'],
        orderTypes: [
          type({
            conditions: [{ when: { lineProductType: 'device' }, require: ['shippingAddress'] }],
          }),
        ],
      },
      'orderTypes.0.conditions.0.when.lineProductType: Product type "device" is not among',
    ],
    [
      'condition requiring an unknown field',
      {
        orderTypes: [
          type({ conditions: [{ when: { partnerTier: 2 }, require: ['tier2Reseller.fax'] }] }),
        ],
      },
      'orderTypes.0.conditions.0.require.0: Unknown order field "tier2Reseller.fax"',
    ],
    [
      'empty condition',
      { orderTypes: [type({ conditions: [{ when: {}, require: ['tier2Reseller'] }] })] },
      'orderTypes.0.conditions.0.when: Give at least one condition',
    ],
    [
      'allowed product type the vendor does not sell',
      { productTypes: ['subscription'], orderTypes: [type({ allowedProductTypes: ['kit'] })] },
      'orderTypes.0.allowedProductTypes.0: Product type "kit" is not among',
    ],
    [
      'quote exemption without a required quote',
      { orderTypes: [type({ quote: 'optional', quoteExemption: 'unchanged_subscription' })] },
      'orderTypes.0.quoteExemption: A quote exemption only makes sense',
    ],
    [
      'special terms required without a clause',
      { orderTypes: [type({ specialTermsRequired: true })] },
      'orderTypes.0.specialTermsRequired: Special terms are required but',
    ],
    [
      'phrase on a PO that is not required',
      {
        orderTypes: [
          type({
            purchaseOrderRequired: false,
            requiredPhrases: [{ path: 'purchaseOrder.notes', phrase: 'License Authorization' }],
          }),
        ],
      },
      'orderTypes.0.requiredPhrases: Phrases on the PO need purchaseOrderRequired: true',
    ],
    [
      'welcome email without a welcome notification',
      { orderTypes: [type({ welcomeEmail: 'always', completionConfirmation: 'welcome_email' })] },
      'orderTypes.0.welcomeEmail: No notification with template "welcome_email"',
    ],
    [
      'welcome-email confirmation with an optional welcome email',
      {
        orderTypes: [type({ welcomeEmail: 'optional', completionConfirmation: 'welcome_email' })],
        notifications: [
          { event: 'order.completed', template: 'welcome_email', to: ['end_user_site_admin'] },
        ],
      },
      'orderTypes.0.completionConfirmation: "welcome_email" needs welcomeEmail: always',
    ],
    [
      'unknown placeholder',
      { specialTerms: { template: 'Agreed on {{agreementDate}} by {{partnerName}}.' } },
      'specialTerms.template: Unknown placeholder {{partnerName}}',
    ],
    [
      'unbalanced placeholder',
      { specialTerms: { template: 'Agreed on {{agreementDate} by {{partnerLegalName}}.' } },
      'specialTerms.template: Unbalanced {{ or }}',
    ],
    [
      'date format without a year',
      { specialTerms: { template: 'On {{agreementDate}}.', dateFormat: 'MMMM d' } },
      'specialTerms.dateFormat: Date format "MMMM d" does not print a year',
    ],
    [
      'terms and conditions for an unknown order type',
      { termsAndConditions: { version: '1', requiredFor: ['renewal'] } },
      'termsAndConditions.requiredFor.0: Unknown order type "renewal"',
    ],
    [
      'channel for an unknown order type',
      { channels: [{ kind: 'licensing_server', orderTypes: ['license_authorization'] }] },
      'channels.0.orderTypes.0: Unknown order type "license_authorization"',
    ],
    [
      'wizard on an email channel',
      { channels: [{ kind: 'email', wizard: { steps: [{ key: 'one', label: 'One' }] } }] },
      'channels.0.wizard: Only a web_wizard channel has wizard steps',
    ],
    [
      'email channel without an email address',
      { channels: [{ kind: 'email', address: 'https://example.com' }] },
      'channels.0.address: Expected an email address',
    ],
    [
      'wizard step with an unknown field',
      {
        channels: [
          {
            kind: 'web_wizard',
            wizard: { steps: [{ key: 'contacts', label: 'Contacts', fields: ['contacts.fax'] }] },
          },
        ],
      },
      'channels.0.wizard.steps.0.fields.0: Unknown order field "contacts.fax"',
    ],
    [
      'notification for an unknown order type',
      { notifications: [{ event: 'order.completed', to: ['partner'], orderTypes: ['upsell'] }] },
      'notifications.0.orderTypes.0: Unknown order type "upsell"',
    ],
    [
      'escalation recipient without escalation contacts',
      { notifications: [{ event: 'sla.breached', to: ['escalation'] }] },
      'notifications.0.to: Recipient "escalation" needs an escalation block',
    ],
    [
      'authorization order type that does not exist',
      { licensing: { authorizationOrders: true, authorizationOrderType: 'license_authorization' } },
      'licensing.authorizationOrderType: Unknown order type "license_authorization"',
    ],
    [
      'authorization order type while authorization orders are off',
      { licensing: { authorizationOrderType: 'new' } },
      'licensing.authorizationOrders: An authorization order type is set',
    ],
    [
      'non-refundable product type the vendor does not sell',
      {
        productTypes: ['subscription'],
        returns: { policy: 'No refunds.', nonRefundableProductTypes: ['perpetual_license'] },
      },
      'returns.nonRefundableProductTypes.0: Product type "perpetual_license" is not among',
    ],
    [
      'field help for an unknown field',
      { fieldHelp: { 'contacts.fax': 'Fax number' } },
      'fieldHelp.contacts.fax: Unknown order field "contacts.fax"',
    ],
  ])('reports %s', (_name, overrides, expected) => {
    const issues = issuesOf(buildProfileInput(overrides as Partial<VendorProfileInput>));
    expect(issues).toContainEqual(expect.stringContaining(expected));
  });

  it('accepts declared attributes, line attributes and conditions', () => {
    const issues = issuesOf(
      buildProfileInput({
        attributes: [
          { key: 'microsoftDomain', label: 'Microsoft domain', type: 'domain' },
          { key: 'hostId', label: 'Host ID', scope: 'line' },
        ],
        orderTypes: [
          type({
            requiredFields: ['purchaseOrder.number', 'attributes.microsoftDomain'],
            lineRequiredFields: ['attributes.hostId', 'partNumber'],
            conditions: [
              { when: { partnerTier: 2 }, require: ['tier2Reseller.name', 'tier2Reseller.email'] },
              {
                when: { fieldPresent: 'attributes.microsoftDomain' },
                require: ['contacts.siteAdmin'],
              },
            ],
          }) as VendorProfileInput['orderTypes'][number],
        ],
        fieldHelp: { 'attributes.microsoftDomain': 'The tenant domain' },
      }),
    );
    expect(issues).toEqual([]);
  });
});

describe('vendorProfileSchema workflow checks', () => {
  it.each([
    [
      'first stage other than submitted',
      { stages: [{ status: 'booking', roles: ['finance'] }] },
      'workflow.stages.0.status: The first stage must be "submitted"',
    ],
    [
      'stages out of order',
      {
        stages: [
          { status: 'submitted', roles: ['order_desk'] },
          { status: 'provisioning', roles: ['provisioning'] },
          { status: 'booking', roles: ['finance'] },
        ],
      },
      'workflow.stages.2.status: Stages must appear once each',
    ],
    [
      'partner role acting at a stage',
      { stages: [{ status: 'submitted', roles: ['partner_admin'] }] },
      'workflow.stages.0.roles.0: Invalid option',
    ],
    [
      'two stages assigning the sales order number',
      {
        stages: [
          { status: 'submitted', roles: ['order_desk'], assignsSalesOrderNumber: true },
          { status: 'booking', roles: ['finance'], assignsSalesOrderNumber: true },
        ],
      },
      'workflow.stages: Only one stage may assign the sales order number',
    ],
    [
      'hold from a skipped stage',
      {
        stages: [{ status: 'submitted', roles: ['order_desk'] }],
        hold: { roles: ['order_desk'], from: ['booking'] },
      },
      'workflow.hold.from.0: "booking" is not a status of this workflow',
    ],
    [
      'hold from on_hold',
      { hold: { roles: ['order_desk'], from: ['on_hold'] } },
      'workflow.hold.from.0: An order on hold cannot be held again',
    ],
    [
      'reject from a final status',
      { reject: { roles: ['order_desk'], from: ['completed'] } },
      'workflow.reject.from.0: "completed" is a final status',
    ],
    [
      'cancel from on_hold when holding is off',
      { hold: { roles: [] }, cancel: [{ roles: ['vendor_admin'], from: ['on_hold'] }] },
      'workflow.cancel.0.from.0: "on_hold" is not a status of this workflow',
    ],
    [
      'cancel with both from and before',
      { cancel: [{ roles: ['vendor_admin'], from: ['submitted'], before: 'booking' }] },
      'workflow.cancel.0.before: Give either "from" or "before", not both',
    ],
    [
      'holds that nobody can resubmit',
      { resubmit: { roles: [] } },
      'workflow.resubmit.roles: Orders can be held, so some partner role',
    ],
    [
      'vendor role resubmitting',
      { resubmit: { roles: ['order_desk'] } },
      'workflow.resubmit.roles.0: Invalid option',
    ],
    ['unknown status', { labels: { archived: 'Archived' } }, 'workflow.labels: Unrecognized key'],
  ])('reports %s', (_name, workflow, expected) => {
    const issues = issuesOf(buildProfileInput({ workflow } as Partial<VendorProfileInput>));
    expect(issues).toContainEqual(expect.stringContaining(expected));
  });

  it('resolves "before" against the stages the profile keeps', () => {
    const profile = vendorProfileSchema.parse(
      buildProfileInput({
        workflow: {
          stages: [
            { status: 'submitted', roles: ['order_desk'], assignsSalesOrderNumber: true },
            { status: 'provisioning', roles: ['provisioning'] },
          ],
          hold: { roles: [] },
          cancel: [
            { roles: ['partner_user'], before: 'booking' },
            { roles: ['vendor_admin'], before: 'completed' },
            { roles: ['cam'] },
          ],
        },
      }),
    );
    expect(profile.workflow.cancel).toEqual([
      { roles: ['partner_user'], from: ['submitted'] },
      { roles: ['vendor_admin'], from: ['submitted', 'provisioning'] },
      { roles: ['cam'], from: ['submitted', 'provisioning'] },
    ]);
    expect(profile.workflow.reject.from).toEqual(['submitted']);
    expect(profile.workflow.labels.booking).toBe('Booking');
  });
});

describe('templatePlaceholders', () => {
  it('finds placeholders with or without inner spaces', () => {
    expect(templatePlaceholders('On {{agreementDate}} by {{ partnerLegalName }}.')).toEqual({
      names: ['agreementDate', 'partnerLegalName'],
      unbalanced: false,
    });
    expect(templatePlaceholders('On {{agreementDate}.').unbalanced).toBe(true);
    expect(templatePlaceholders('No placeholders }}').unbalanced).toBe(true);
  });
});

describe('per-unit line fields, list attributes and shipping conditions', () => {
  const attendees = {
    key: 'attendeeNames',
    label: 'Attendee names',
    type: 'list' as const,
    items: 'string' as const,
    scope: 'line' as const,
  };

  it('accepts a per-unit field that is a line list attribute', () => {
    expect(
      issuesOf(
        buildProfileInput({
          attributes: [attendees],
          orderTypes: [
            {
              key: 'training',
              label: 'Training',
              quote: 'optional',
              perUnitLineFields: ['attributes.attendeeNames'],
              conditions: [{ when: { linesShip: true }, require: ['shippingAddress'] }],
            },
          ],
        }),
      ),
    ).toEqual([]);
  });

  it('refuses a per-unit field that is not a line list, and items on a non-list', () => {
    expect(
      issuesOf(
        buildProfileInput({
          attributes: [
            { ...attendees, scope: 'order' },
            { key: 'courseDate', label: 'Course date', type: 'date', items: 'date', scope: 'line' },
          ],
          orderTypes: [
            {
              key: 'training',
              label: 'Training',
              quote: 'optional',
              perUnitLineFields: ['attributes.attendeeNames', 'attributes.courseDate'],
            },
          ],
        }),
      ),
    ).toEqual([
      'attributes.1.items: Only a list attribute has items',
      'orderTypes.0.perUnitLineFields.0: "attributes.attendeeNames" must be attributes.<key> of a line attribute of type list',
      'orderTypes.0.perUnitLineFields.1: "attributes.courseDate" must be attributes.<key> of a line attribute of type list',
    ]);
  });
});
