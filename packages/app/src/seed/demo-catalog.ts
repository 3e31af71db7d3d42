import type { ProductType } from '@orderdesk/core';
import {
  ensureCategoryPath,
  insertPriceList,
  insertPriceListItems,
  listPriceLists,
  saveProductBatch,
  type Executor,
} from '@orderdesk/store';
import { categoryPath } from '../catalog/category-path.ts';

// The demo catalogs that make the seeds' scenarios real, all fictional:
// - northwind: video-meeting subscriptions, per user and per room, with add-ons;
// - skyline: a marketplace of several publishers' subscriptions in categories;
// - edgeworks: software licenses, maintenance, training seats, kits and F200 devices that ship.
// Prices are derived from a few base figures, so the data is the same on every run.

/** The effective date of the demo price lists (version 1). */
export const DEMO_PRICE_LIST_DATE = '2025-01-01';

interface DemoProduct {
  partNumber: string;
  name: string;
  description: string;
  type: ProductType;
  /** A category path as a price list would write it: "Meetings / Add-ons". */
  category: string;
  billingTerm: string | null;
  listPrice: number; // minor units
}

const TERMS = [
  { code: '1M', term: 'P1M', label: 'monthly', months: 1, factor: 1 },
  { code: '1Y', term: 'P1Y', label: 'annual', months: 12, factor: 0.9 },
  { code: '3Y', term: 'P3Y', label: '3-year', months: 36, factor: 0.8 },
] as const;

/** A price in minor units (cents, pence) for an amount rounded to whole currency units. */
function price(major: number): number {
  return Math.round(major) * 100;
}

function northwind(): DemoProduct[] {
  const out: DemoProduct[] = [];
  const userPlans = [
    [
      'STD',
      'Standard',
      'Meetings up to 100 participants, 40-hour limit, chat and screen sharing',
      12,
    ],
    [
      'PRO',
      'Pro',
      'Meetings up to 300 participants, cloud recording, polls and breakout rooms',
      18,
    ],
    ['BUS', 'Business', 'Pro plus single sign-on, managed domains and admin analytics', 24],
    [
      'ENT',
      'Enterprise',
      'Business plus 1,000 participants, audit logs and a named success manager',
      32,
    ],
  ] as const;
  for (const [code, name, description, monthly] of userPlans) {
    for (const t of TERMS) {
      out.push({
        partNumber: `NW-MTG-${code}-U-${t.code}`,
        name: `Northwind Meetings ${name}, per user, ${t.label}`,
        description: `${description}. Licensed per named user.`,
        type: 'subscription',
        category: 'Meetings / User plans',
        billingTerm: t.term,
        listPrice: price(monthly * t.months * t.factor),
      });
    }
  }
  const roomPlans = [
    ['HUD', 'Huddle Room', 'Video meetings for a huddle space of up to 4 seats', 29],
    ['CONF', 'Conference Room', 'Video meetings for a conference room of up to 12 seats', 49],
    ['BRD', 'Boardroom', 'Multi-camera video meetings for a boardroom of up to 24 seats', 79],
    ['HALL', 'Town Hall', 'Video meetings and streaming for an auditorium', 129],
  ] as const;
  for (const [code, name, description, monthly] of roomPlans) {
    for (const t of TERMS) {
      out.push({
        partNumber: `NW-ROOM-${code}-R-${t.code}`,
        name: `Northwind Rooms ${name}, per room, ${t.label}`,
        description: `${description}. Licensed per meeting room.`,
        type: 'subscription',
        category: 'Rooms / Room plans',
        billingTerm: t.term,
        listPrice: price(monthly * t.months * t.factor),
      });
    }
  }
  const addOns = [
    ['WEB500', 'Webinar 500', 'Host webinars for up to 500 attendees', 34],
    ['WEB3K', 'Webinar 3000', 'Host webinars for up to 3,000 attendees', 89],
    ['REC1TB', 'Recording storage 1 TB', 'Extra cloud recording storage', 40],
    ['LIVE', 'Live streaming', 'Stream meetings to public video platforms', 15],
    ['DIAL', 'Audio dial-in', 'Toll dial-in numbers in 40 countries', 10],
    [
      'TOLLFREE',
      'Toll-free dial-in',
      'Toll-free dial-in numbers, metered minutes billed separately',
      25,
    ],
    ['TRANS', 'Live translation', 'Real-time captions translated into 12 languages', 12],
    ['WHITEBRD', 'Whiteboard Plus', 'Unlimited persistent whiteboards', 6],
    ['LARGE1K', 'Large meetings 1000', 'Raise a host’s meeting capacity to 1,000 participants', 50],
    ['ARCHIVE', 'Compliance archive', 'Retention and e-discovery of chat and recordings', 8],
  ] as const;
  for (const [code, name, description, monthly] of addOns) {
    for (const t of TERMS.slice(0, 2)) {
      out.push({
        partNumber: `NW-ADD-${code}-${t.code}`,
        name: `Northwind ${name} add-on, ${t.label}`,
        description: `${description}. Add-on to a Meetings or Rooms plan.`,
        type: 'subscription',
        category: 'Meetings / Add-ons',
        billingTerm: t.term,
        listPrice: price(monthly * t.months * t.factor),
      });
    }
  }
  const services = [
    ['ONBOARD', 'Guided onboarding', 'Remote onboarding sessions for admins', 1500],
    ['ROOMSETUP', 'Room setup service', 'Remote configuration of one meeting room', 250],
    ['ADMINTRAIN', 'Admin training', 'Half-day admin training for up to 10 people', 900],
    [
      'MIGRATE',
      'Migration assistance',
      'Moves users and scheduled meetings from another service',
      3000,
    ],
  ] as const;
  for (const [code, name, description, amount] of services) {
    out.push({
      partNumber: `NW-SVC-${code}`,
      name: `Northwind ${name}`,
      description,
      type: 'service',
      category: 'Services',
      billingTerm: null,
      listPrice: price(amount),
    });
  }
  return out;
}

function skyline(): DemoProduct[] {
  const publishers = [
    {
      code: 'BLF',
      name: 'Bluefin Software',
      apps: [
        ['MAIL', 'Bluefin Mail', 'Productivity / Email', 'Business email with shared calendars', 4],
        [
          'DOCS',
          'Bluefin Docs',
          'Productivity / Documents',
          'Online documents, sheets and slides',
          5,
        ],
        [
          'DRIVE',
          'Bluefin Drive',
          'Storage / File sharing',
          'File storage and sharing for teams',
          6,
        ],
      ],
    },
    {
      code: 'CBL',
      name: 'Cobalt Labs',
      apps: [
        [
          'SHIELD',
          'Cobalt Shield',
          'Security / Endpoint protection',
          'Endpoint protection for laptops and desktops',
          3,
        ],
        [
          'MAILSEC',
          'Cobalt Mail Guard',
          'Security / Email security',
          'Phishing and malware filtering for email',
          2,
        ],
        [
          'VAULT',
          'Cobalt Vault',
          'Security / Password management',
          'Team password manager with sharing',
          4,
        ],
      ],
    },
    {
      code: 'DRW',
      name: 'Driftwood Apps',
      apps: [
        [
          'CRM',
          'Driftwood CRM',
          'Sales / CRM',
          'Contacts, deals and pipelines for small sales teams',
          15,
        ],
        ['DESK', 'Driftwood Helpdesk', 'Support / Helpdesk', 'Ticketing and a customer portal', 12],
      ],
    },
    {
      code: 'EMB',
      name: 'Emberline',
      apps: [
        [
          'BACKUP',
          'Emberline Backup',
          'Storage / Backup',
          'Cloud backup of mailboxes and files',
          3,
        ],
        [
          'ARCHIVE',
          'Emberline Archive',
          'Storage / Backup',
          'Long-term archive with legal hold',
          2,
        ],
      ],
    },
    {
      code: 'FRN',
      name: 'Fernhill Systems',
      apps: [
        [
          'BOOKS',
          'Fernhill Books',
          'Finance / Accounting',
          'Accounting, invoicing and bank feeds',
          20,
        ],
        ['PAYROLL', 'Fernhill Payroll', 'Finance / Payroll', 'Payroll and payslips', 6],
        [
          'EXPENSE',
          'Fernhill Expenses',
          'Finance / Expenses',
          'Receipt capture and expense approval',
          5,
        ],
      ],
    },
    {
      code: 'GRN',
      name: 'Granite Cloud',
      apps: [
        ['CHAT', 'Granite Chat', 'Productivity / Team chat', 'Channels, threads and huddles', 5],
        [
          'PROJ',
          'Granite Projects',
          'Productivity / Project management',
          'Boards, timelines and workloads',
          8,
        ],
        ['DRAW', 'Granite Draw', 'Design / Diagramming', 'Diagrams and whiteboards', 6],
      ],
    },
    {
      code: 'HLX',
      name: 'Helix Studio',
      apps: [
        ['PHOTO', 'Helix Photo', 'Design / Image editing', 'Photo editing in the browser', 9],
        ['VIDEO', 'Helix Video', 'Design / Video editing', 'Video editing and captioning', 14],
      ],
    },
  ] as const;
  const editions = [
    ['BAS', 'Basic', 1],
    ['STD', 'Standard', 1.6],
    ['PRM', 'Premium', 2.5],
  ] as const;
  const out: DemoProduct[] = [];
  for (const publisher of publishers) {
    for (const [app, name, category, description, monthly] of publisher.apps) {
      for (const [ed, edition, multiple] of editions) {
        for (const t of TERMS) {
          out.push({
            partNumber: `SKY-${publisher.code}-${app}-${ed}-${t.code}`,
            name: `${name} ${edition}, per user, ${t.label}`,
            description: `${description}. Published by ${publisher.name}; sold through the Skyline marketplace.`,
            type: 'subscription',
            category,
            billingTerm: t.term,
            listPrice: Math.round(monthly * multiple * t.months * t.factor * 100),
          });
        }
      }
    }
  }
  return out;
}

function edgeworks(): DemoProduct[] {
  const out: DemoProduct[] = [];
  const capacities = [
    ['250', 250, 1200],
    ['500', 500, 2000],
    ['1K', 1000, 3500],
    ['2K5', 2500, 6500],
    ['5K', 5000, 11000],
    ['10K', 10000, 19000],
    ['UNL', 0, 35000],
  ] as const;
  for (const [code, points, amount] of capacities) {
    const size = points === 0 ? 'unlimited points' : `${points.toLocaleString('en-US')} points`;
    out.push({
      partNumber: `EW-SUP-LIC-${code}`,
      name: `Edge Supervisor license, ${size}`,
      description: `Perpetual license for the Edge Supervisor software, ${size}. Non-refundable once invoiced, e-mailed or downloaded.`,
      type: 'perpetual_license',
      category: 'Software / Supervisor',
      billingTerm: null,
      listPrice: price(amount),
    });
    for (const years of [1, 3, 5] as const) {
      out.push({
        partNumber: `EW-SUP-MNT-${code}-${years}Y`,
        name: `Software maintenance, Edge Supervisor ${size}, ${years} year${years > 1 ? 's' : ''}`,
        description: 'Updates and technical support for an Edge Supervisor license.',
        type: 'maintenance',
        category: 'Maintenance',
        billingTerm: `P${years}Y`,
        listPrice: price(amount * 0.18 * years * (years === 1 ? 1 : years === 3 ? 0.92 : 0.85)),
      });
    }
  }
  const edgeLicenses = [
    ['EDGE-10', 'Edge runtime license, 10 devices', 900],
    ['EDGE-50', 'Edge runtime license, 50 devices', 3800],
    ['EDGE-OEM', 'Edge runtime OEM license, pre-bundled', 150],
    ['ANALYTICS', 'Edge Analytics module license', 2500],
    ['HISTORIAN', 'Edge Historian module license', 1800],
  ] as const;
  for (const [code, name, amount] of edgeLicenses) {
    out.push({
      partNumber: `EW-${code}`,
      name,
      description: `${name}, perpetual. Non-refundable once invoiced, e-mailed or downloaded.`,
      type: 'perpetual_license',
      category: 'Software / Edge runtime',
      billingTerm: null,
      listPrice: price(amount),
    });
    out.push({
      partNumber: `EW-${code}-MNT-1Y`,
      name: `Software maintenance, ${name}, 1 year`,
      description: 'Updates and technical support, one year.',
      type: 'maintenance',
      category: 'Maintenance',
      billingTerm: 'P1Y',
      listPrice: price(amount * 0.2),
    });
  }
  const trainings = [
    [
      'TRN-FUND',
      'Fundamentals training seat',
      'Three-day online course on installing and configuring Edge Supervisor',
      1200,
    ],
    [
      'TRN-ADV',
      'Advanced integration training seat',
      'Two-day course on drivers, tagging and integrations',
      1500,
    ],
    ['TRN-DEV', 'Developer training seat', 'Three-day course on building Edge modules', 1800],
    ['TRN-CERT', 'Certification exam seat', 'One attempt at the certified integrator exam', 400],
    ['TRN-ONSITE', 'On-site training day', 'One day of on-site training for up to 8 people', 3500],
  ] as const;
  for (const [code, name, description, amount] of trainings) {
    out.push({
      partNumber: `EW-${code}`,
      name: `Edgeworks ${name}`,
      description,
      type: 'training_seat',
      category: 'Training',
      billingTerm: null,
      listPrice: price(amount),
    });
  }
  const kits = [
    [
      'KIT-STARTER',
      'Starter kit',
      'F200 gateway, 250-point Supervisor license and power supply',
      2400,
    ],
    [
      'KIT-DEMO',
      'Demo case kit',
      'F200 gateway and I/O module in a carry case, for demonstrations',
      1900,
    ],
    ['KIT-DEV', 'Developer kit', 'F200 gateway, developer license and cables', 1500],
    [
      'KIT-RENEW-250',
      'Kit renewal, 250 points',
      'Renews the license and maintenance of a starter kit',
      600,
    ],
    [
      'KIT-RENEW-1K',
      'Kit renewal, 1,000 points',
      'Renews the license and maintenance of a 1,000-point kit',
      1300,
    ],
    [
      'KIT-RETRO',
      'Retrofit kit',
      'Mounting plate, DIN rail and wiring for replacing legacy controllers',
      350,
    ],
  ] as const;
  for (const [code, name, description, amount] of kits) {
    out.push({
      partNumber: `EW-${code}`,
      name: `Edgeworks ${name}`,
      description,
      type: 'kit',
      category: 'Kits',
      billingTerm: null,
      listPrice: price(amount),
    });
  }
  const devices = [
    [
      'F200-GW-01',
      'F200 Edge Gateway',
      'Gateways',
      'Edge gateway with 2 Ethernet ports and RS-485',
      1100,
    ],
    [
      'F200-GW-02-POE',
      'F200 Edge Gateway, PoE',
      'Gateways',
      'Edge gateway powered over Ethernet',
      1250,
    ],
    [
      'F200-GW-03-LTE',
      'F200 Edge Gateway, LTE',
      'Gateways',
      'Edge gateway with an LTE modem',
      1550,
    ],
    [
      'F200-GW-04-WIFI',
      'F200 Edge Gateway, Wi-Fi',
      'Gateways',
      'Edge gateway with Wi-Fi and Bluetooth',
      1350,
    ],
    [
      'F200-CTL-08',
      'F200 Controller, 8 loops',
      'Controllers',
      'Programmable controller with 8 control loops',
      1800,
    ],
    [
      'F200-CTL-16',
      'F200 Controller, 16 loops',
      'Controllers',
      'Programmable controller with 16 control loops',
      2600,
    ],
    [
      'F200-IO-08',
      'F200 I/O module, 8 points',
      'Expansion modules',
      'Expansion module with 8 universal inputs/outputs',
      420,
    ],
    [
      'F200-IO-16',
      'F200 I/O module, 16 points',
      'Expansion modules',
      'Expansion module with 16 universal inputs/outputs',
      690,
    ],
    [
      'F200-IO-DO8',
      'F200 relay output module, 8 relays',
      'Expansion modules',
      'Expansion module with 8 relay outputs',
      380,
    ],
    [
      'F200-SNS-TH',
      'F200 temperature and humidity sensor',
      'Sensors',
      'Wall-mounted temperature and humidity sensor',
      140,
    ],
    [
      'F200-SNS-CO2',
      'F200 CO2 sensor',
      'Sensors',
      'Wall-mounted CO2, temperature and humidity sensor',
      260,
    ],
    ['F200-SNS-OCC', 'F200 occupancy sensor', 'Sensors', 'Ceiling occupancy and light sensor', 180],
    ['F200-PSU-24', 'F200 power supply, 24 V', 'Accessories', 'DIN-rail power supply, 24 V DC', 95],
    [
      'F200-ANT-LTE',
      'F200 external LTE antenna',
      'Accessories',
      'External antenna with 3 m cable',
      60,
    ],
    [
      'F200-ENC-IP65',
      'F200 IP65 enclosure',
      'Accessories',
      'Weatherproof enclosure for one gateway and two modules',
      210,
    ],
    [
      'F200-DSP-7',
      'F200 touch display, 7 inch',
      'Displays',
      'Wall-mounted touch display for local control',
      640,
    ],
    [
      'F200-DSP-10',
      'F200 touch display, 10 inch',
      'Displays',
      'Wall-mounted touch display for local control',
      820,
    ],
  ] as const;
  for (const [partNumber, name, category, description, amount] of devices) {
    out.push({
      partNumber,
      name,
      description: `${description}. Ships from the warehouse; needs a confirmed shipping address with tax ID.`,
      type: 'device',
      category: `Devices / ${category}`,
      billingTerm: null,
      listPrice: price(amount),
    });
  }
  const services = [
    ['SVC-COMMISSION', 'Remote commissioning, per site', 950],
    ['SVC-HEALTH', 'System health check', 600],
    ['SVC-UPGRADE', 'Supervisor upgrade service', 800],
  ] as const;
  for (const [code, name, amount] of services) {
    out.push({
      partNumber: `EW-${code}`,
      name: `Edgeworks ${name}`,
      description: `${name}, delivered remotely by Edgeworks engineers.`,
      type: 'service',
      category: 'Services',
      billingTerm: null,
      listPrice: price(amount),
    });
  }
  return out;
}

const CATALOGS: Record<string, { currency: string; products: () => DemoProduct[] }> = {
  northwind: { currency: 'USD', products: northwind },
  skyline: { currency: 'GBP', products: skyline },
  edgeworks: { currency: 'USD', products: edgeworks },
};

/** The demo products of a vendor (empty for a vendor without a demo catalog). */
export function demoCatalog(slug: string): DemoProduct[] {
  return CATALOGS[slug]?.products() ?? [];
}

/**
 * Seeds a demo vendor's catalog and its first price list. Idempotent: a vendor that already
 * has a price list is left alone. Returns the number of records created.
 */
export async function seedDemoCatalog(
  db: Executor,
  vendorId: string,
  slug: string,
  at: string,
): Promise<number> {
  const catalog = CATALOGS[slug];
  if (!catalog) return 0;
  if ((await listPriceLists(db, vendorId, { limit: 1 })).length > 0) return 0;
  const products = catalog.products();
  const categories = new Map<string, string>();
  for (const p of products) {
    const path = categoryPath(p.category);
    const leaf = path?.at(-1);
    if (path && leaf && !categories.has(p.category)) {
      categories.set(p.category, (await ensureCategoryPath(db, vendorId, path, at)).id);
    }
  }
  const saved = await saveProductBatch(
    db,
    vendorId,
    products.map((p) => ({
      vendorId,
      partNumber: p.partNumber,
      name: p.name,
      description: p.description,
      type: p.type,
      categoryId: categories.get(p.category) ?? null,
      billingTerm: p.billingTerm,
      // Devices ship, and kits with hardware in them; a kit renewal is licenses only.
      ships: p.type === 'device' || (p.type === 'kit' && !p.partNumber.includes('-RENEW-')),
      active: true,
    })),
    at,
  );
  const priceList = await insertPriceList(db, {
    vendorId,
    currency: catalog.currency,
    version: 1,
    effectiveFrom: DEMO_PRICE_LIST_DATE,
    rowCount: products.length,
    sourceName: 'demo seed',
    createdBy: 'orderdesk seed --demo',
    at,
  });
  await insertPriceListItems(
    db,
    priceList.id,
    products.map((p) => ({
      partNumber: p.partNumber,
      productId: saved.ids.get(p.partNumber) ?? '',
      listPriceMinor: p.listPrice,
    })),
  );
  return categories.size + saved.created + 1;
}
