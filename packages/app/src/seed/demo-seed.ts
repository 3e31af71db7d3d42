import { readFileSync } from 'node:fs';
import {
  formatProfileErrors,
  parseVendorProfile,
  PROFILE_SCHEMA_VERSION,
  type VendorProfile,
} from '@orderdesk/core';
import {
  findPartnerByName,
  findPartnership,
  findUserByEmail,
  findVendorBySlug,
  insertCustomer,
  insertPartner,
  insertPartnership,
  insertUser,
  insertVendor,
  listCustomers,
  type BillingAddress,
  type Executor,
  type Partner,
} from '@orderdesk/store';
import { repoPath } from '../shared/paths.ts';
import { hashPassword } from '../auth/secrets.ts';
import { seedDemoCatalog } from './demo-catalog.ts';

export const DEMO_VENDOR_SLUGS = ['northwind', 'skyline', 'edgeworks'] as const;
export const DEMO_STAFF = [
  ['admin', 'vendor_admin', 'Vendor Admin'],
  ['cam', 'cam', 'Channel Account Manager'],
  ['sales', 'sales', 'Sales Rep'],
  ['desk', 'order_desk', 'Order Desk'],
  ['finance', 'finance', 'Finance'],
  ['provisioning', 'provisioning', 'Provisioning'],
] as const;

interface DemoPartner {
  name: string;
  tier: 1 | 2;
  parent?: string;
  buyer: string;
  legalName: string;
  customer: {
    name: string;
    domains: string[];
    microsoftDomain?: string;
    employeeCount: number;
    taxId?: string;
  };
  /** Per vendor: agreement date and price multiplier. */
  terms?: Record<(typeof DEMO_VENDOR_SLUGS)[number], { agreementDate: string; multiplier: string }>;
  invoicing?: { name: string; email: string };
  /**
   * Where every vendor bills the partner (one legal entity, one legal name): its invoices' buyer,
   * whose country and tax ID their tax follows.
   */
  billing?: { address: BillingAddress; taxId: string };
  provisioningCc?: string;
}

export const DEMO_PARTNERS: DemoPartner[] = [
  {
    name: 'Acme Distribution',
    tier: 1,
    buyer: 'buyer@acme.example',
    legalName: 'Acme Distribution Ltd.',
    customer: {
      name: 'Fabrikam Health',
      domains: ['fabrikam-health.example'],
      microsoftDomain: 'fabrikamhealth.onmicrosoft.example',
      employeeCount: 1200,
      taxId: 'US-12-3456789',
    },
    terms: {
      northwind: { agreementDate: '2021-03-03', multiplier: '0.70' },
      skyline: { agreementDate: '2022-06-15', multiplier: '0.82' },
      edgeworks: { agreementDate: '2020-11-20', multiplier: '0.65' },
    },
    invoicing: { name: 'Acme Accounts Payable', email: 'ap@acme.example' },
    // A US distributor (its reseller and customers are American): US sales tax from edgeworks,
    // none from skyline (abroad, with a tax ID: reverse charge).
    billing: {
      address: {
        line1: '1200 Commerce St',
        city: 'Dallas',
        region: 'TX',
        postalCode: '75202',
        country: 'US',
      },
      taxId: 'US-47-1234567',
    },
    provisioningCc: 'orders-team@acme.example',
  },
  {
    name: 'Beta Resellers',
    tier: 2,
    parent: 'Acme Distribution',
    buyer: 'buyer@beta.example',
    legalName: 'Beta Resellers LLC',
    customer: { name: 'Tailspin Toys', domains: ['tailspin.example'], employeeCount: 85 },
  },
  {
    name: 'Contoso Channel',
    tier: 1,
    buyer: 'buyer@contoso.example',
    legalName: 'Contoso Channel Inc.',
    customer: {
      name: 'Wingtip Labs',
      domains: ['wingtip.example'],
      microsoftDomain: 'wingtiplabs.onmicrosoft.example',
      employeeCount: 430,
      taxId: 'DE123456789',
    },
    terms: {
      northwind: { agreementDate: '2023-01-09', multiplier: '0.80' },
      skyline: { agreementDate: '2023-02-01', multiplier: '0.88' },
      edgeworks: { agreementDate: '2019-09-30', multiplier: '0.72' },
    },
    invoicing: { name: 'Contoso Finance', email: 'finance@contoso.example' },
    // A German channel (like its customer): an EU business with a VAT number, so skyline's
    // invoices are reverse charged and edgeworks' are zero-rated exports.
    billing: {
      address: {
        line1: 'Friedrichstraße 120',
        city: 'Berlin',
        postalCode: '10117',
        country: 'DE',
      },
      taxId: 'DE987654321',
    },
    provisioningCc: 'provisioning@contoso.example',
  },
];

/** The YAML text of one of the example profiles shipped in examples/profiles/, parsed. */
export function loadExampleProfileSource(slug: string): { text: string; profile: VendorProfile } {
  const path = repoPath('examples', 'profiles', `${slug}.yaml`);
  const text = readFileSync(path, 'utf8');
  const result = parseVendorProfile(text, path);
  if (!result.ok)
    throw new Error(`Invalid example profile:\n${formatProfileErrors(result.errors)}`);
  return { text, profile: result.profile };
}

/** Reads and validates one of the example profiles shipped in examples/profiles/. */
export function loadExampleProfile(slug: string): VendorProfile {
  return loadExampleProfileSource(slug).profile;
}

export interface DemoSeedSummary {
  created: number;
  logins: string[];
}

/**
 * Seeds the demo data of API.md (vendors from the example profiles, their staff, Acme / Beta /
 * Contoso with partnerships and one customer each). Idempotent: what exists is left alone.
 */
export async function seedDemo(
  db: Executor,
  password: string,
  now: Date,
): Promise<DemoSeedSummary> {
  const at = now.toISOString();
  const passwordHash = await hashPassword(password);
  let created = 0;
  const logins: string[] = [];
  const ensureUser = async (
    input: Omit<Parameters<typeof insertUser>[1], 'at'>,
  ): Promise<string> => {
    logins.push(`${input.email} (${input.roles.join(', ')})`);
    const existing = await findUserByEmail(db, input.email);
    if (existing) return existing.id;
    created++;
    return (await insertUser(db, { ...input, at })).id;
  };

  const vendors = new Map<string, { id: string; camId: string }>();
  for (const slug of DEMO_VENDOR_SLUGS) {
    const { text, profile } = loadExampleProfileSource(slug);
    let vendor = await findVendorBySlug(db, slug);
    if (!vendor) {
      vendor = await insertVendor(db, {
        slug,
        name: profile.name,
        profile: JSON.stringify(profile),
        source: { text, format: 'yaml' },
        schemaVersion: PROFILE_SCHEMA_VERSION,
        createdBy: 'orderdesk seed --demo',
        at,
      });
      created++;
    }
    let camId = '';
    for (const [local, role, title] of DEMO_STAFF) {
      const id = await ensureUser({
        email: `${local}@${slug}.example`,
        name: `${profile.name} ${title}`,
        passwordHash,
        roles: [role],
        vendorId: vendor.id,
      });
      if (role === 'cam') camId = id;
    }
    vendors.set(slug, { id: vendor.id, camId });
  }

  const partners = new Map<string, Partner>();
  for (const p of DEMO_PARTNERS) {
    let partner = await findPartnerByName(db, p.name);
    if (!partner) {
      const parent = p.parent ? partners.get(p.parent) : undefined;
      partner = await insertPartner(db, {
        name: p.name,
        tier: p.tier,
        parentPartnerId: parent?.id ?? null,
        at,
      });
      created++;
    }
    partners.set(p.name, partner);
    await ensureUser({
      email: p.buyer,
      name: `${p.name} Buyer`,
      passwordHash,
      roles: ['partner_admin'],
      partnerId: partner.id,
    });
    for (const slug of DEMO_VENDOR_SLUGS) {
      const terms = p.terms?.[slug];
      const vendor = vendors.get(slug);
      if (!terms || !vendor || (await findPartnership(db, vendor.id, partner.id))) continue;
      await insertPartnership(db, {
        vendorId: vendor.id,
        partnerId: partner.id,
        legalName: p.legalName,
        agreementDate: terms.agreementDate,
        multiplier: terms.multiplier,
        camUserId: vendor.camId,
        invoicingContactName: p.invoicing?.name ?? null,
        invoicingContactEmail: p.invoicing?.email ?? null,
        provisioningCc: p.provisioningCc ?? null,
        billingAddress: p.billing?.address ?? null,
        billingCountry: p.billing?.address.country ?? null,
        taxId: p.billing?.taxId ?? null,
        at,
      });
      created++;
    }
    const existing = await listCustomers(db, { partnerIds: [partner.id] }, { limit: 1 });
    if (existing.length === 0) {
      await insertCustomer(db, { partnerId: partner.id, ...p.customer, at });
      created++;
    }
  }
  for (const [slug, { id }] of vendors) created += await seedDemoCatalog(db, id, slug, at);
  return { created, logins };
}
