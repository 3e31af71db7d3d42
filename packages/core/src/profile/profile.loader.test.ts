import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatProfileErrors, formatProfilePath, parseVendorProfile } from './profile.loader.ts';
import type { ProfileError } from './profile.loader.ts';

// Tests may read files; the loader itself only sees text.
const EXAMPLES = new URL('../../../../examples/profiles/', import.meta.url);
const read = (name: string): string => readFileSync(new URL(name, EXAMPLES), 'utf8');

function errorsOf(text: string, file = 'test.yaml'): ProfileError[] {
  const result = parseVendorProfile(text, file);
  if (result.ok) throw new Error('expected the profile to be invalid');
  return result.errors;
}

const MINIMAL = `slug: acme
name: Acme
currency: USD
orderNumberPrefix: AC-
salesOrderNumberPrefix: ACSO-
orderTypes:
  - key: new
    label: New
    quote: required
`;

describe('parseVendorProfile on the invalid example profiles', () => {
  it('reports a YAML error (a repeated key) with its position and path', () => {
    const file = 'examples/profiles/invalid/duplicate-key.yaml';
    const errors = errorsOf(read('invalid/duplicate-key.yaml'), file);
    expect(errors).toEqual([
      {
        file,
        line: 13,
        column: 5,
        path: 'orderTypes[0].label',
        message: 'Map keys must be unique',
      },
    ]);
  });

  it('reports a wrong enum value, an unknown key and a missing key', () => {
    const file = 'examples/profiles/invalid/schema-errors.yaml';
    const errors = errorsOf(read('invalid/schema-errors.yaml'), file);
    expect(errors).toEqual([
      // A missing key points at the map that lacks it (here the document's first key).
      { file, line: 3, column: 1, path: 'currency', message: 'Missing required key "currency"' },
      { file, line: 12, column: 5, path: 'orderTypes[0].colour', message: 'Unknown key "colour"' },
      {
        file,
        line: 15,
        column: 5,
        path: 'orderTypes[1].quote',
        message: 'Invalid option: expected one of "required"|"optional"|"not_applicable"',
      },
    ]);
    expect(formatProfileErrors(errors).split('\n')).toEqual([
      `${file}:3:1 currency: Missing required key "currency"`,
      `${file}:12:5 orderTypes[0].colour: Unknown key "colour"`,
      `${file}:15:5 orderTypes[1].quote: Invalid option: expected one of "required"|"optional"|"not_applicable"`,
    ]);
  });

  it('reports cross-field errors at the offending node', () => {
    const errors = errorsOf(read('invalid/bad-references.yaml'));
    expect(errors.map(({ line, column, path }) => ({ line, column, path }))).toEqual([
      { line: 15, column: 9, path: 'orderTypes[0].requiredFields[1]' },
      { line: 17, column: 3, path: 'specialTerms.template' },
      { line: 26, column: 12, path: 'workflow.hold.from[0]' },
    ]);
    expect(errors[1]?.message).toContain('Unknown placeholder {{partnerName}}');
  });
});

describe('parseVendorProfile', () => {
  it('accepts a minimal profile', () => {
    const result = parseVendorProfile(MINIMAL, 'minimal.yaml');
    expect(result.ok).toBe(true);
  });

  it('looks holiday countries up when a profile is saved, not when a stored one is read back', () => {
    // A stored profile was checked when it was published: reading it back (the profile cache)
    // does not load date-holidays' data to check its country and region again.
    const text = `${MINIMAL}sla:\n  calendar:\n    holidays:\n      country: XX\n`;
    expect(errorsOf(text).map((e) => e.message)).toEqual(['No holiday data for country "XX"']);
    const stored = parseVendorProfile(text, 'stored.yaml', { stored: true });
    expect(stored.ok && stored.profile.sla.calendar.holidays?.country).toBe('XX');
    // Every other rule still holds for a stored profile, and the next check looks again.
    expect(
      parseVendorProfile(text.replace('currency: USD', 'currency: usd'), 'x.yaml', {
        stored: true,
      }).ok,
    ).toBe(false);
    expect(errorsOf(text)).toHaveLength(1);
  });

  it('accepts JSON, tab-indented too', () => {
    const result = parseVendorProfile(
      JSON.stringify(
        {
          slug: 'acme',
          name: 'Acme',
          currency: 'EUR',
          orderNumberPrefix: 'AC-',
          salesOrderNumberPrefix: 'ACSO-',
          orderTypes: [{ key: 'new', label: 'New', quote: 'optional' }],
        },
        null,
        '\t',
      ),
      'acme.json',
    );
    expect(result.ok && result.profile.currency).toBe('EUR');
  });

  it('locates errors in JSON', () => {
    const text = '{\n  "slug": "acme",\n  "name": "Acme",\n  "currency": "EURO"\n}\n';
    const errors = errorsOf(text, 'acme.json');
    expect(errors.find((e) => e.path === 'currency')).toMatchObject({ line: 4, column: 3 });
  });

  it('points a missing nested key at its parent entry', () => {
    const text = MINIMAL.replace('    label: New\n', '');
    expect(errorsOf(text)).toEqual([
      {
        file: 'test.yaml',
        line: 7,
        column: 5,
        path: 'orderTypes[0].label',
        message: 'Missing required key "label"',
      },
    ]);
  });

  it('reports a YAML syntax error with its position and path', () => {
    // Kept inline: a fixture file with a syntax error would fail `prettier --check .`.
    const text = MINIMAL.replace(
      '    quote: required\n',
      '    quote: required\n    requiredFields: [purchaseOrder.number, contacts.siteAdmin.email\n  - key: renewal\n    label: Renewal\n',
    );
    const errors = errorsOf(text, 'broken.yaml');
    expect(errors).toEqual([
      {
        file: 'broken.yaml',
        line: 11,
        column: 3,
        path: 'orderTypes[0].requiredFields[1]',
        message: 'Flow sequence in block collection must be sufficiently indented and end with a ]',
      },
    ]);
    expect(formatProfileErrors(errors)).toBe(
      'broken.yaml:11:3 orderTypes[0].requiredFields[1]: Flow sequence in block collection must be sufficiently indented and end with a ]',
    );
  });

  it('reports a tab used as indentation', () => {
    const errors = errorsOf(MINIMAL.replace('    label: New', '\tlabel: New'));
    expect(errors[0]).toMatchObject({ line: 8, message: expect.stringContaining('Tabs') });
  });

  it('reports an alias to a missing anchor', () => {
    const text = `${MINIMAL}    conditions: *tier2\n`;
    expect(errorsOf(text)).toEqual([
      {
        file: 'test.yaml',
        line: 10,
        column: 17,
        path: 'orderTypes[0].conditions',
        message: expect.stringContaining('tier2'),
      },
    ]);
  });

  it('reports duplicate keys as syntax errors', () => {
    const errors = errorsOf(`${MINIMAL}name: Again\n`);
    expect(errors[0]).toMatchObject({
      line: 10,
      column: 1,
      message: expect.stringMatching(/unique/i),
    });
  });

  it('follows YAML aliases to locate errors', () => {
    const text = `${MINIMAL}  - key: renewal
    label: Renewal
    quote: required
    conditions: &tier2
      - when: { partnerTier: 3 }
        require: [tier2Reseller.name]
`;
    const errors = errorsOf(text);
    expect(errors[0]).toMatchObject({
      line: 14,
      path: 'orderTypes[1].conditions[0].when.partnerTier',
    });
  });

  it('rejects an empty file and a non-mapping', () => {
    expect(errorsOf('')).toEqual([
      { file: 'test.yaml', line: 1, column: 1, path: '', message: 'The profile is empty' },
    ]);
    expect(errorsOf('# nothing but a comment\n')[0]?.message).toBe('The profile is empty');
    expect(errorsOf('- just\n- a list\n')[0]).toMatchObject({ line: 1, column: 1, path: '' });
  });

  it('reports every error of a file at once', () => {
    const text = MINIMAL.replace('currency: USD', 'currency: usd').replace(
      'quote: required',
      'quote: maybe\n    extra: 1',
    );
    expect(errorsOf(text).map((e) => e.path)).toEqual([
      'currency',
      'orderTypes[0].quote',
      'orderTypes[0].extra',
    ]);
  });
});

describe('formatProfileErrors', () => {
  it('prints one line per error, without a path for whole-file errors', () => {
    expect(
      formatProfileErrors([
        { file: 'a.yaml', line: 1, column: 1, path: '', message: 'The profile is empty' },
        { file: 'b.yaml', line: 12, column: 5, path: 'orderTypes[1].quote', message: 'Bad' },
      ]),
    ).toBe('a.yaml:1:1 The profile is empty\nb.yaml:12:5 orderTypes[1].quote: Bad');
  });
});

describe('formatProfilePath', () => {
  it('uses dots for keys and brackets for indexes and odd keys', () => {
    expect(formatProfilePath(['orderTypes', 2, 'requiredFields', 0])).toBe(
      'orderTypes[2].requiredFields[0]',
    );
    expect(formatProfilePath(['fieldHelp', 'contacts.fax'])).toBe('fieldHelp["contacts.fax"]');
    expect(formatProfilePath([])).toBe('');
  });

  it('never loses a segment', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.nat(50), fc.string({ minLength: 1, maxLength: 8 })), { maxLength: 6 }),
        (path) => {
          const printed = formatProfilePath(path);
          for (const segment of path) expect(printed).toContain(String(segment).slice(0, 1));
        },
      ),
    );
  });
});

describe('parseVendorProfile: renamed and removed keys', () => {
  const text = [
    'slug: acme',
    'name: Acme',
    'currency: USD',
    'orderNumberPrefix: A-',
    'salesOrderNumberPrefix: AS-',
    'orderTypes:',
    '  - { key: new, label: New, quote: optional }',
    'notifications:',
    '  - event: order.on_hold',
    '    to: [partner]',
    'pricing:',
    '  roundAt: line',
  ].join('\n');

  it('names the new event name and says why roundAt is gone, at line:column', () => {
    const result = parseVendorProfile(text, 'old.yaml');
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : formatProfileErrors(result.errors).split('\n')).toEqual([
      'old.yaml:9:5 notifications[0].event: "order.on_hold" was renamed "order.held"; use the new name',
      expect.stringMatching(
        /^old\.yaml:12:3 pricing\.roundAt: Unknown key "roundAt": net unit prices are rounded/,
      ),
    ]);
  });
});
