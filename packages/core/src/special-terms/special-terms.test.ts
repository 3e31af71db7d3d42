import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { matchSpecialTerms } from './special-terms.rules.ts';
import {
  formatAgreementDate,
  parseSpecialTermsTemplate,
  renderSpecialTerms,
} from './special-terms.template.ts';
import { normalizeText, parseDateSpelling, sourceSlice } from './special-terms.text.ts';

// Same shape as the seed's clause, in our own words (examples/profiles/northwind.yaml).
const TEMPLATE =
  'For the avoidance of doubt, this Order is governed, as between {{partnerLegalName}} and ' +
  'Northwind, by the terms and conditions of the Distributor Agreement executed by the ' +
  'parties on {{agreementDate}}, whether or not this Order is signed by both parties, and ' +
  'the only provisions of this Order that bind Northwind are the Subscription Term, the ' +
  'description of the Services and any Service Plans.';

// A template with quotes and dashes to perturb.
const QUOTED =
  'Special terms \u2013 the "Distributor Agreement" dated {{ agreementDate }} governs this ' +
  "Order as between {{partnerLegalName}} and Northwind's partner programme.";

const EXPECTED = { agreementDate: '2021-03-03', partnerLegalName: 'Acme Distribution Ltd.' };

/** The template filled with a date written however the partner wrote it. */
function fill(template: string, date: string, name: string): string {
  return template
    .replace(/\{\{\s*agreementDate\s*\}\}/g, () => date)
    .replace(/\{\{\s*partnerLegalName\s*\}\}/g, () => name);
}

function ordinal(day: number): string {
  const suffix =
    day % 10 === 1 && day !== 11
      ? 'st'
      : day % 10 === 2 && day !== 12
        ? 'nd'
        : day % 10 === 3 && day !== 13
          ? 'rd'
          : 'th';
  return `${day}${suffix}`;
}

/** Every supported spelling of an ISO date. */
const SPELLINGS: readonly ((iso: string) => string)[] = [
  (iso) => formatAgreementDate(iso, 'MMMM d, yyyy'),
  (iso) => formatAgreementDate(iso, 'MMMM d yyyy'),
  (iso) => formatAgreementDate(iso, 'd MMMM yyyy'),
  (iso) => {
    const d = DateTime.fromISO(iso);
    return `${ordinal(d.day)} ${d.setLocale('en-US').toFormat('MMMM yyyy')}`;
  },
  (iso) => {
    const d = DateTime.fromISO(iso);
    return `${d.setLocale('en-US').toFormat('MMMM')} ${ordinal(d.day)}, ${d.year}`;
  },
  (iso) => formatAgreementDate(iso, 'MMM d, yyyy'),
  (iso) => iso,
  (iso) => formatAgreementDate(iso, 'MM/dd/yyyy'),
  (iso) => formatAgreementDate(iso, 'M/d/yyyy'),
  (iso) => formatAgreementDate(iso, 'dd.MM.yyyy'),
];

const isoDate = fc
  .integer({ min: 0, max: 365 * 50 })
  .map((days) => DateTime.fromISO('1990-01-01', { zone: 'utc' }).plus({ days }).toISODate() ?? '');
const legalName = fc
  .tuple(
    fc.array(
      fc.constantFrom(
        'Acme',
        'Global',
        'Distribution',
        'Channel',
        'Partners',
        'Müller',
        "O'Brien",
        'Smith & Sons',
        'Contoso',
        'Beta',
        'IT-Services',
        '42',
      ),
      { minLength: 1, maxLength: 4 },
    ),
    fc.constantFrom('', ' Inc.', ' Ltd', ' GmbH', ', LLC', ' S.A.'),
  )
  .map(([words, suffix]) => words.join(' ') + suffix);
const nameKey = (name: string): string => normalizeText(name).text.replace(/[.,]/g, '');

describe('renderSpecialTerms', () => {
  it('fills both placeholders, tolerating spaces inside the braces', () => {
    expect(
      renderSpecialTerms('Signed on {{ agreementDate }} by {{partnerLegalName}}.', EXPECTED),
    ).toBe('Signed on March 3, 2021 by Acme Distribution Ltd..');
    expect(renderSpecialTerms('On {{agreementDate}}', EXPECTED, 'd MMMM yyyy')).toBe(
      'On 3 March 2021',
    );
  });

  it('throws on an unknown placeholder or an invalid date', () => {
    expect(() => renderSpecialTerms('{{partnerName}}', EXPECTED)).toThrow(/Unknown placeholder/);
    expect(() => renderSpecialTerms('{{}}', EXPECTED)).toThrow(/Unknown placeholder/);
    expect(() =>
      renderSpecialTerms('{{agreementDate}}', { ...EXPECTED, agreementDate: '2021-02-30' }),
    ).toThrow(RangeError);
    expect(() =>
      renderSpecialTerms('{{agreementDate}}', { ...EXPECTED, agreementDate: '03/03/2021' }),
    ).toThrow(RangeError);
  });

  it('splits a template into parts', () => {
    expect(parseSpecialTermsTemplate('a {{agreementDate}}{{ partnerLegalName }}')).toEqual([
      { kind: 'text', text: 'a ' },
      { kind: 'field', field: 'agreementDate' },
      { kind: 'field', field: 'partnerLegalName' },
    ]);
  });
});

describe('parseDateSpelling', () => {
  it.each([
    'March 3, 2021',
    'March 3 2021',
    '3 March 2021',
    '3rd March 2021',
    'March 3rd, 2021',
    'Mar 3, 2021',
    'Mar. 3, 2021',
    '2021-03-03',
    '03/03/2021',
    '3/3/2021',
    '03.03.2021',
    'the 3rd day of March, 2021',
    'Wednesday, March 3, 2021',
    '3-Mar-2021',
    'MARCH 3, 2021',
    'march3,2021',
    'March\u00a03,\n2021',
    '2021\u201303\u201303',
  ])('reads %j as 2021-03-03', (text) => {
    expect(parseDateSpelling(text)).toBe('2021-03-03');
  });

  it('reads slashes as US month/day and dots as day.month', () => {
    expect(parseDateSpelling('04/03/2021')).toBe('2021-04-03');
    expect(parseDateSpelling('04.03.2021')).toBe('2021-03-04');
  });

  it.each([
    '',
    'March 2021',
    'February 30, 2021',
    '13/13/2021',
    'soon',
    '21-03-03',
    '3 Marchh 2021',
  ])('refuses %j', (text) => {
    expect(parseDateSpelling(text)).toBeNull();
  });
});

describe('normalizeText', () => {
  it('drops whitespace, folds case, quotes and dashes, and maps back to the source', () => {
    const normalized = normalizeText('“Hello”\u00a0World \u2014 it\u2019s\n ME');
    expect(normalized.text).toBe('"hello"world-it"sme');
    expect(sourceSlice(normalized, 1, 6)).toBe('Hello');
    expect(sourceSlice(normalized, 6, 12)).toBe('” World');
  });
});

describe('matchSpecialTerms', () => {
  const clause = renderSpecialTerms(TEMPLATE, EXPECTED);

  it('finds the rendered clause in special terms or notes', () => {
    expect(matchSpecialTerms(TEMPLATE, EXPECTED, [clause])).toEqual({ status: 'ok' });
    expect(
      matchSpecialTerms(TEMPLATE, EXPECTED, ['Net 30', `PO 4711.\n\n${clause}\nRegards`]),
    ).toEqual({ status: 'ok' });
  });

  it('tolerates a name without its punctuation and in capitals', () => {
    const po = fill(TEMPLATE, 'March 3, 2021', 'ACME DISTRIBUTION LTD');
    expect(matchSpecialTerms(TEMPLATE, EXPECTED, [po])).toEqual({ status: 'ok' });
  });

  it('reports a missing clause', () => {
    expect(matchSpecialTerms(TEMPLATE, EXPECTED, [])).toMatchObject({
      status: 'missing',
      expected: clause,
    });
    expect(matchSpecialTerms(TEMPLATE, EXPECTED, ['', 'Please deliver by Friday.'])).toMatchObject({
      status: 'missing',
    });
  });

  it('reports a different agreement date with expected and actual', () => {
    const po = fill(TEMPLATE, 'March 4, 2021', EXPECTED.partnerLegalName);
    expect(matchSpecialTerms(TEMPLATE, EXPECTED, [po])).toMatchObject({
      status: 'mismatch',
      field: 'agreementDate',
      expected: 'March 3, 2021',
      actual: 'March 4, 2021',
    });
  });

  it('reports an unreadable date as an agreementDate mismatch', () => {
    const po = fill(TEMPLATE, 'the date of signature', EXPECTED.partnerLegalName);
    expect(matchSpecialTerms(TEMPLATE, EXPECTED, [po])).toMatchObject({
      status: 'mismatch',
      field: 'agreementDate',
      actual: 'the date of signature',
    });
  });

  it('reports a different partner name', () => {
    const po = fill(TEMPLATE, 'March 3, 2021', 'Contoso Channel Inc.');
    expect(matchSpecialTerms(TEMPLATE, EXPECTED, [po])).toMatchObject({
      status: 'mismatch',
      field: 'partnerLegalName',
      expected: 'Acme Distribution Ltd.',
      actual: 'Contoso Channel Inc.',
    });
  });

  it('reports both when name and date are wrong', () => {
    const po = fill(TEMPLATE, '2020-01-01', 'Contoso Channel Inc.');
    expect(matchSpecialTerms(TEMPLATE, EXPECTED, [po])).toMatchObject({
      status: 'mismatch',
      field: 'both',
      expected: clause,
    });
  });

  it('reports reworded fixed text as a text mismatch', () => {
    const po = clause.replace('governed', 'ruled').replace('any Service Plans', 'all plans');
    expect(matchSpecialTerms(TEMPLATE, EXPECTED, [po])).toMatchObject({
      status: 'mismatch',
      field: 'text',
      expected: clause,
    });
  });

  it('treats a mere fragment of the clause as missing', () => {
    expect(
      matchSpecialTerms(TEMPLATE, EXPECTED, ['Governed by the Distributor Agreement.']),
    ).toMatchObject({ status: 'missing' });
  });

  it('says which haystack holds a wrong clause', () => {
    const wrong = fill(TEMPLATE, 'March 4, 2021', EXPECTED.partnerLegalName);
    expect(matchSpecialTerms(TEMPLATE, EXPECTED, ['Net 30', wrong])).toMatchObject({
      status: 'mismatch',
      haystack: 1,
    });
    const reworded = clause.replace('governed', 'ruled');
    expect(matchSpecialTerms(TEMPLATE, EXPECTED, ['Net 30', reworded])).toMatchObject({
      field: 'text',
      haystack: 1,
    });
  });

  it('shapes expected values with the profile date format', () => {
    const po = fill(TEMPLATE, 'March 4, 2021', EXPECTED.partnerLegalName);
    expect(matchSpecialTerms(TEMPLATE, EXPECTED, [po], 'd MMMM yyyy')).toMatchObject({
      field: 'agreementDate',
      expected: '3 March 2021',
    });
  });

  it('prefers a correct copy over a wrong one', () => {
    const wrong = fill(TEMPLATE, 'March 4, 2021', EXPECTED.partnerLegalName);
    expect(matchSpecialTerms(TEMPLATE, EXPECTED, [wrong, clause])).toEqual({ status: 'ok' });
    expect(matchSpecialTerms(TEMPLATE, EXPECTED, [`${wrong}\n${clause}`])).toEqual({
      status: 'ok',
    });
  });

  it('handles placeholders at the edges of the template', () => {
    const edges = '{{partnerLegalName}} accepts the Distributor Agreement dated {{agreementDate}}';
    const ok =
      'PO 12. Acme Distribution Ltd accepts the Distributor Agreement dated 3 March 2021. Thanks';
    expect(matchSpecialTerms(edges, EXPECTED, [ok])).toEqual({ status: 'ok' });
    const wrongName =
      'PO 12. NotAcme Distribution Ltd accepts the Distributor Agreement dated 3 March 2021.';
    expect(matchSpecialTerms(edges, EXPECTED, [wrongName])).toMatchObject({
      status: 'mismatch',
      field: 'partnerLegalName',
    });
    const wrongDate = 'Acme Distribution Ltd accepts the Distributor Agreement dated 13 March 2021';
    expect(matchSpecialTerms(edges, EXPECTED, [wrongDate])).toMatchObject({
      status: 'mismatch',
      field: 'agreementDate',
      actual: '13 March 2021',
    });
  });

  it('throws on a template with an unknown placeholder or no fixed text', () => {
    expect(() => matchSpecialTerms('{{partnerName}} agrees', EXPECTED, [''])).toThrow(RangeError);
    expect(() => matchSpecialTerms('{{partnerLegalName}}', EXPECTED, [''])).toThrow(RangeError);
  });

  it('returns on 1 MB haystacks, hostile ones included', () => {
    const filler = 'Lorem ipsum dolor sit amet, between and on the parties. '.repeat(18_000);
    expect(filler.length).toBeGreaterThan(1_000_000);
    expect(matchSpecialTerms(TEMPLATE, EXPECTED, [filler + clause])).toEqual({ status: 'ok' });
    expect(matchSpecialTerms(TEMPLATE, EXPECTED, [clause + filler])).toEqual({ status: 'ok' });
    expect(matchSpecialTerms(TEMPLATE, EXPECTED, [filler])).toMatchObject({ status: 'missing' });
    const anchors =
      'by the terms and conditions of the Distributor Agreement executed by the parties on '.repeat(
        12_000,
      );
    expect(matchSpecialTerms(TEMPLATE, EXPECTED, [anchors])).toMatchObject({ status: 'missing' });
    const near = clause.slice(0, clause.length - 20).repeat(Math.ceil(1_000_000 / clause.length));
    expect(['mismatch', 'missing']).toContain(matchSpecialTerms(TEMPLATE, EXPECTED, [near]).status);
    const leading = '{{partnerLegalName}} accepts the agreement of {{agreementDate}}';
    expect(matchSpecialTerms(leading, EXPECTED, ['a'.repeat(1_000_000)]).status).toBe('missing');
    expect(
      matchSpecialTerms(leading, EXPECTED, ['x accepts the agreement of '.repeat(40_000)]).status,
    ).toBe('mismatch');
  });

  describe('properties', () => {
    const spelling = fc.integer({ min: 0, max: SPELLINGS.length - 1 });

    it('a clause with any supported date spelling passes', () => {
      fc.assert(
        fc.property(isoDate, legalName, spelling, (date, name, s) => {
          const po = fill(TEMPLATE, SPELLINGS[s]!(date), name);
          const expected = { agreementDate: date, partnerLegalName: name };
          expect(matchSpecialTerms(TEMPLATE, expected, [po])).toEqual({ status: 'ok' });
        }),
      );
    });

    it('a changed partner name fails with partnerLegalName', () => {
      fc.assert(
        fc.property(isoDate, legalName, legalName, spelling, (date, name, other, s) => {
          fc.pre(nameKey(name) !== nameKey(other));
          const po = fill(TEMPLATE, SPELLINGS[s]!(date), other);
          const result = matchSpecialTerms(
            TEMPLATE,
            { agreementDate: date, partnerLegalName: name },
            [po],
          );
          expect(result).toMatchObject({
            status: 'mismatch',
            field: 'partnerLegalName',
            expected: name,
          });
        }),
      );
    });

    it('a different date fails with agreementDate', () => {
      fc.assert(
        fc.property(isoDate, isoDate, legalName, spelling, (date, other, name, s) => {
          fc.pre(date !== other);
          const written = SPELLINGS[s]!(other);
          const po = fill(TEMPLATE, written, name);
          const result = matchSpecialTerms(
            TEMPLATE,
            { agreementDate: date, partnerLegalName: name },
            [po],
          );
          expect(result).toMatchObject({
            status: 'mismatch',
            field: 'agreementDate',
            actual: written,
          });
        }),
      );
    });

    const perturb = (text: string, seeds: readonly number[]): string => {
      const spaces = [' ', '  ', '\n', '\u00a0', '\t', '\r\n ', '\u2009'];
      const doubles = ['"', '\u201c', '\u201d', '\u2033', '\u201e'];
      const singles = ["'", '\u2018', '\u2019', '`'];
      const dashes = ['-', '\u2013', '\u2014'];
      let i = 0;
      const next = (): number => seeds[i++ % seeds.length] ?? 0;
      return [...text]
        .map((ch) => {
          const r = next();
          if (ch === ' ') return spaces[r % spaces.length]!;
          if (ch === '"') return doubles[r % doubles.length]!;
          if (ch === "'") return singles[r % singles.length]!;
          if (ch === '\u2013' || ch === '-') return dashes[r % dashes.length]!;
          return r % 3 === 0 ? ch.toUpperCase() : r % 3 === 1 ? ch.toLowerCase() : ch;
        })
        .join('');
    };

    it('random whitespace, case, quote and dash perturbations still pass', () => {
      fc.assert(
        fc.property(
          isoDate,
          legalName,
          spelling,
          fc.array(fc.nat(1000), { minLength: 1, maxLength: 50 }),
          (date, name, s, seeds) => {
            const expected = { agreementDate: date, partnerLegalName: name };
            for (const template of [TEMPLATE, QUOTED]) {
              const po = perturb(fill(template, SPELLINGS[s]!(date), name), seeds);
              expect(matchSpecialTerms(template, expected, [po])).toEqual({ status: 'ok' });
            }
          },
        ),
      );
    });
  });
});

describe('matchSpecialTerms with blank text at the template edges', () => {
  it('treats a placeholder after leading whitespace as a leading placeholder', () => {
    const template =
      '\n {{partnerLegalName}} accepts the Distributor Agreement dated {{agreementDate}} \n';
    const po = 'Ref 9: Acme Distribution Ltd accepts the Distributor Agreement dated 2021-03-03';
    expect(matchSpecialTerms(template, EXPECTED, [po])).toEqual({ status: 'ok' });
  });
});

describe('matchSpecialTerms, kept answers', () => {
  it('answers the same inputs with the same (frozen) answer, and other inputs anew', () => {
    const po = renderSpecialTerms(TEMPLATE, EXPECTED);
    const first = matchSpecialTerms(TEMPLATE, EXPECTED, [po]);
    expect(first).toEqual({ status: 'ok' });
    expect(matchSpecialTerms(TEMPLATE, EXPECTED, [po])).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    // Another partner's name against the same PO text: not the kept answer.
    const other = matchSpecialTerms(TEMPLATE, { ...EXPECTED, partnerLegalName: 'Contoso Ltd.' }, [
      po,
    ]);
    expect(other.status).toBe('mismatch');
    // A PO text past the kept size is still matched.
    const long = `${'x'.repeat(20_000)} ${po}`;
    expect(matchSpecialTerms(TEMPLATE, EXPECTED, [long])).toEqual({ status: 'ok' });
  });

  it('keeps apart inputs whose texts join alike: the clause split across two texts is missing', () => {
    const po = renderSpecialTerms(TEMPLATE, EXPECTED);
    const cut = Math.floor(po.length / 2);
    expect(matchSpecialTerms(TEMPLATE, EXPECTED, [po, ''])).toEqual({ status: 'ok' });
    // The same characters in the same order, in two haystacks: the clause is in neither.
    const split = matchSpecialTerms(TEMPLATE, EXPECTED, [po.slice(0, cut), po.slice(cut)]);
    expect(split.status).not.toBe('ok');
    expect(matchSpecialTerms(TEMPLATE, EXPECTED, ['', po])).toEqual({ status: 'ok' });
  });
});
