import { describe, expect, it } from 'vitest';
import {
  INITIAL_QUOTE_STATUS,
  QUOTE_ACTIONS,
  QUOTE_STATUSES,
  QUOTE_TRANSITIONS,
  availableQuoteActions,
  availableQuoteActionsFor,
  isFinalQuoteStatus,
  isQuoteExpired,
  transitionQuote,
} from './quote.machine.ts';
import type { QuoteAction, QuoteActorRef, QuoteStatus } from './quote.machine.ts';
import { compareOrderToQuote } from './quote.rules.ts';

// Every allowed transition: [from, action, to, a role allowed, a role refused].
const ALLOWED: [QuoteStatus, QuoteAction, QuoteStatus, string, string][] = [
  ['draft', 'approve', 'approved', 'sales', 'partner_admin'],
  ['draft', 'approve', 'approved', 'cam', 'system'],
  ['draft', 'revise', 'superseded', 'sales', 'cam'],
  ['draft', 'revise', 'superseded', 'sales', 'partner_user'],
  ['draft', 'expire', 'expired', 'system', 'sales'],
  ['approved', 'decline', 'declined', 'partner_user', 'sales'],
  ['approved', 'decline', 'declined', 'partner_admin', 'cam'],
  ['approved', 'revise', 'superseded', 'sales', 'cam'],
  ['approved', 'revise', 'superseded', 'sales', 'partner_admin'],
  ['approved', 'expire', 'expired', 'system', 'cam'],
  ['approved', 'order', 'ordered', 'system', 'partner_admin'],
  ['ordered', 'release', 'approved', 'system', 'sales'],
];

// The side a role is on in these tables: `system` is the system side, not a role.
function actorOf(role: string): QuoteActorRef {
  if (role === 'system') return { roles: [], side: 'system' };
  return { roles: [role], side: role.startsWith('partner_') ? 'partner' : 'vendor' };
}

describe('quote transitions', () => {
  it.each(ALLOWED)('%s --%s--> %s for %s', (from, action, to, role) => {
    expect(transitionQuote(from, action, actorOf(role))).toEqual({ ok: true, to });
  });

  it.each(ALLOWED)(
    '%s --%s--> %s for %s, in the older roles-only form',
    (from, action, to, role) => {
      expect(transitionQuote(from, action, [role])).toEqual({ ok: true, to });
    },
  );

  it.each(ALLOWED)(
    '%s --%s--> %s refuses %s with role.forbidden',
    (from, action, _to, _ok, role) => {
      expect(transitionQuote(from, action, actorOf(role))).toMatchObject({
        ok: false,
        code: 'role.forbidden',
      });
    },
  );

  it('accepts an actor holding several roles if one of them is allowed', () => {
    expect(transitionQuote('draft', 'approve', ['order_desk', 'cam'])).toEqual({
      ok: true,
      to: 'approved',
    });
    expect(transitionQuote('draft', 'approve', [])).toMatchObject({
      ok: false,
      code: 'role.forbidden',
    });
  });

  const refused = QUOTE_STATUSES.flatMap((status) =>
    QUOTE_ACTIONS.filter((action) => !ALLOWED.some(([s, a]) => s === status && a === action)).map(
      (action): [QuoteStatus, QuoteAction] => [status, action],
    ),
  );

  it.each(refused)(
    '%s --%s--> is refused with action.not_allowed, whatever the role',
    (status, action) => {
      const result = transitionQuote(status, action, ['sales', 'cam', 'partner_admin', 'system']);
      expect(result).toMatchObject({ ok: false, code: 'action.not_allowed' });
    },
  );

  it('lets only sales revise (API.md), while sales and the CAM both approve', () => {
    for (const status of ['draft', 'approved'] as const) {
      expect(transitionQuote(status, 'revise', ['cam'])).toMatchObject({
        ok: false,
        code: 'role.forbidden',
        message: expect.stringContaining('Only sales may revise'),
      });
      expect(transitionQuote(status, 'revise', ['cam', 'sales'])).toEqual({
        ok: true,
        to: 'superseded',
      });
    }
    expect(QUOTE_TRANSITIONS.draft.revise?.actors).toEqual(['sales']);
    expect(QUOTE_TRANSITIONS.approved.revise?.actors).toEqual(['sales']);
    expect(QUOTE_TRANSITIONS.draft.approve?.actors).toEqual(['sales', 'cam']);
  });

  it('counts a role only on its own side', () => {
    // A vendor user whose roles name a partner role must not decline for the partner.
    expect(
      transitionQuote('approved', 'decline', { roles: ['partner_user'], side: 'vendor' }),
    ).toMatchObject({ ok: false, code: 'role.forbidden' });
    // A partner user claiming a vendor role must not approve or revise.
    expect(
      transitionQuote('draft', 'approve', { roles: ['sales', 'partner_admin'], side: 'partner' }),
    ).toMatchObject({ ok: false, code: 'role.forbidden' });
    expect(
      transitionQuote('approved', 'revise', { roles: ['sales'], side: 'partner' }),
    ).toMatchObject({ ok: false, code: 'role.forbidden' });
    // Users never take the system's actions, whatever their roles say.
    for (const side of ['vendor', 'partner'] as const) {
      expect(
        transitionQuote('approved', 'order', { roles: ['system', 'sales'], side }),
      ).toMatchObject({ ok: false, code: 'role.forbidden' });
      expect(transitionQuote('ordered', 'release', { roles: ['system'], side })).toMatchObject({
        ok: false,
        code: 'role.forbidden',
      });
    }
    // The system needs no roles, and takes no user's action.
    expect(transitionQuote('approved', 'expire', { roles: [], side: 'system' })).toEqual({
      ok: true,
      to: 'expired',
    });
    expect(transitionQuote('draft', 'approve', { roles: ['sales'], side: 'system' })).toMatchObject(
      { ok: false, code: 'role.forbidden' },
    );
  });

  it('gives an ordered quote back (release) and lets it be ordered again', () => {
    const system: QuoteActorRef = { roles: [], side: 'system' };
    expect(transitionQuote('approved', 'order', system)).toEqual({ ok: true, to: 'ordered' });
    expect(transitionQuote('ordered', 'release', system)).toEqual({ ok: true, to: 'approved' });
    expect(transitionQuote('approved', 'release', system)).toMatchObject({
      ok: false,
      code: 'action.not_allowed',
    });
    expect(transitionQuote('ordered', 'expire', system)).toMatchObject({
      ok: false,
      code: 'action.not_allowed',
    });
  });

  it('lists the actions an actor may take', () => {
    expect(
      availableQuoteActionsFor('approved', { roles: ['partner_user'], side: 'partner' }),
    ).toEqual(['decline']);
    expect(
      availableQuoteActionsFor('approved', { roles: ['sales', 'cam'], side: 'vendor' }),
    ).toEqual(['revise']);
    expect(availableQuoteActionsFor('approved', { roles: [], side: 'system' })).toEqual([
      'expire',
      'order',
    ]);
  });

  it('checks the action before the role', () => {
    expect(transitionQuote('draft', 'decline', ['partner_user'])).toMatchObject({
      ok: false,
      code: 'action.not_allowed',
    });
  });

  it('the table above covers the whole map', () => {
    const mapped = QUOTE_STATUSES.flatMap((status) =>
      availableQuoteActions(status).map((action) => `${status}:${action}`),
    );
    expect(new Set(mapped)).toEqual(new Set(ALLOWED.map(([s, a]) => `${s}:${a}`)));
  });

  it('reaches every status from draft, and only declined/expired/superseded are final', () => {
    const seen = new Set<QuoteStatus>([INITIAL_QUOTE_STATUS]);
    const queue: QuoteStatus[] = [INITIAL_QUOTE_STATUS];
    for (let status = queue.shift(); status !== undefined; status = queue.shift()) {
      for (const rule of Object.values(QUOTE_TRANSITIONS[status])) {
        if (!seen.has(rule.to)) {
          seen.add(rule.to);
          queue.push(rule.to);
        }
      }
    }
    expect([...seen].sort()).toEqual([...QUOTE_STATUSES].sort());
    expect(QUOTE_STATUSES.filter(isFinalQuoteStatus)).toEqual([
      'declined',
      'expired',
      'superseded',
    ]);
  });
});

describe('isQuoteExpired', () => {
  it('is valid through validUntil inclusive', () => {
    expect(isQuoteExpired('2024-03-31', '2024-03-30')).toBe(false);
    expect(isQuoteExpired('2024-03-31', '2024-03-31')).toBe(false);
    expect(isQuoteExpired('2024-03-31', '2024-04-01')).toBe(true);
    expect(isQuoteExpired('2024-12-31', '2025-01-01')).toBe(true);
  });

  it('compares calendar days of timestamps', () => {
    expect(isQuoteExpired('2024-03-31', '2024-03-31T23:59:59Z')).toBe(false);
  });

  it('refuses non-ISO dates', () => {
    expect(() => isQuoteExpired('31/03/2024', '2024-03-31')).toThrow(RangeError);
    expect(() => isQuoteExpired('2024-13-01', '2024-03-31')).toThrow(RangeError);
  });
});

describe('compareOrderToQuote', () => {
  const quote = [
    { partNumber: 'NW-ENT', quantity: 10, netPriceMinor: 7500 },
    { partNumber: 'NW-SUP', quantity: 1, netPriceMinor: 120000 },
  ];

  it('accepts the same lines in any order', () => {
    expect(
      compareOrderToQuote(
        quote,
        [
          { partNumber: 'NW-SUP', quantity: 1, unitPriceMinor: 120000 },
          { partNumber: 'NW-ENT', quantity: 10, unitPriceMinor: 7500 },
        ],
        'USD',
      ),
    ).toEqual([]);
  });

  it('reports a different quantity and a different price', () => {
    expect(
      compareOrderToQuote(
        quote,
        [
          { partNumber: 'NW-ENT', quantity: 12, unitPriceMinor: 7000 },
          { partNumber: 'NW-SUP', quantity: 1, unitPriceMinor: 120000 },
        ],
        'USD',
      ),
    ).toEqual([
      expect.objectContaining({
        path: 'lines[0].quantity',
        code: 'quote.mismatch',
        severity: 'error',
        expected: '10',
        actual: '12',
      }),
      expect.objectContaining({
        path: 'lines[0].unitPrice',
        code: 'quote.mismatch',
        expected: '75.00',
        actual: '70.00',
      }),
    ]);
  });

  it('reports an extra line and a missing line', () => {
    const problems = compareOrderToQuote(
      quote,
      [
        { partNumber: 'NW-ENT', quantity: 10, unitPriceMinor: 7500 },
        { partNumber: 'NW-XTRA', quantity: 1, unitPriceMinor: 100 },
      ],
      'USD',
    );
    expect(problems).toEqual([
      expect.objectContaining({ path: 'lines[1]', code: 'quote.mismatch', actual: 'NW-XTRA' }),
      expect.objectContaining({ path: 'lines', code: 'quote.mismatch', expected: 'NW-SUP' }),
    ]);
    expect(problems[1]?.message).toContain('missing from the PO');
  });

  it('pairs repeated part numbers with their identical quote lines first', () => {
    const repeated = [
      { partNumber: 'A', quantity: 1, netPriceMinor: 100 },
      { partNumber: 'A', quantity: 5, netPriceMinor: 90 },
    ];
    expect(
      compareOrderToQuote(
        repeated,
        [
          { partNumber: 'A', quantity: 5, unitPriceMinor: 90 },
          { partNumber: 'A', quantity: 1, unitPriceMinor: 100 },
        ],
        'USD',
      ),
    ).toEqual([]);
    expect(
      compareOrderToQuote(
        repeated,
        [
          { partNumber: 'A', quantity: 5, unitPriceMinor: 90 },
          { partNumber: 'A', quantity: 2, unitPriceMinor: 100 },
        ],
        'USD',
      ),
    ).toEqual([expect.objectContaining({ path: 'lines[1].quantity', expected: '1', actual: '2' })]);
  });

  it('says a line that repeats a quote line repeats it, not that its part is not on the quote', () => {
    const quoted = [
      { partNumber: 'NW-MTG-PRO-U-1Y', quantity: 25, netPriceMinor: 13580 },
      { partNumber: 'NW-ADD-DIAL-1Y', quantity: 3, netPriceMinor: 4200 },
    ];
    const problems = compareOrderToQuote(
      quoted,
      [
        { partNumber: 'NW-MTG-PRO-U-1Y', quantity: 25, unitPriceMinor: 13580 },
        { partNumber: 'NW-ADD-DIAL-1Y', quantity: 3, unitPriceMinor: 4200 },
        { partNumber: 'NW-MTG-PRO-U-1Y', quantity: 1, unitPriceMinor: 13580 },
      ],
      'USD',
    );
    expect(problems).toEqual([
      {
        path: 'lines[2]',
        code: 'quote.mismatch',
        severity: 'error',
        message:
          "The quote's line 1 (25 × NW-MTG-PRO-U-1Y) is already on the PO as its line 1; this line repeats it: 26 × NW-MTG-PRO-U-1Y on the PO in all, 25 on the quote",
        expected: '25',
        actual: '26',
      },
    ]);
  });

  it('names every quote line of a part a repeating line repeats, and a split quantity', () => {
    const quoted = [
      { partNumber: 'A', quantity: 5, netPriceMinor: 100 },
      { partNumber: 'B', quantity: 1, netPriceMinor: 100 },
      { partNumber: 'A', quantity: 2, netPriceMinor: 90 },
    ];
    const repeated = compareOrderToQuote(
      quoted,
      [
        { partNumber: 'B', quantity: 1, unitPriceMinor: 100 },
        { partNumber: 'A', quantity: 2, unitPriceMinor: 90 },
        { partNumber: 'A', quantity: 5, unitPriceMinor: 100 },
        { partNumber: 'A', quantity: 1, unitPriceMinor: 100 },
      ],
      'USD',
    );
    expect(repeated.map((p) => `${p.path}: ${p.message}`)).toEqual([
      "lines[3]: The quote's lines 1 (5 ×) and 3 (2 ×) of A are already on the PO as its lines 3 and 2; this line repeats them: 8 × A on the PO in all, 7 on the quote",
    ]);
    // 5 × A written as 4 + 1: the quantity of the first, and the second as a repeat.
    const split = compareOrderToQuote(
      [{ partNumber: 'A', quantity: 5, netPriceMinor: 100 }],
      [
        { partNumber: 'A', quantity: 4, unitPriceMinor: 100 },
        { partNumber: 'A', quantity: 1, unitPriceMinor: 100 },
      ],
      'USD',
    );
    expect(split.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'lines[0].quantity: The quote has 5 × A, the PO 4',
      "lines[1]: The quote's line 1 (5 × A) is already on the PO as its line 1; this line repeats it: 5 × A on the PO in all, 5 on the quote",
    ]);
  });

  it('names PO lines by the index the caller gives them', () => {
    const problems = compareOrderToQuote(
      [{ partNumber: 'A', quantity: 5, netPriceMinor: 100 }],
      [
        { partNumber: 'A', quantity: 5, unitPriceMinor: 100, index: 3 },
        { partNumber: 'A', quantity: 1, unitPriceMinor: 100, index: 7 },
      ],
      'USD',
    );
    expect(problems).toEqual([
      expect.objectContaining({
        path: 'lines[1]',
        message: expect.stringContaining('already on the PO as its line 4;'),
      }),
    ]);
  });

  it('formats prices in the quote currency', () => {
    expect(
      compareOrderToQuote(
        [{ partNumber: 'J', quantity: 1, netPriceMinor: 1500 }],
        [{ partNumber: 'J', quantity: 1, unitPriceMinor: 1400 }],
        'JPY',
      ),
    ).toEqual([expect.objectContaining({ expected: '1500', actual: '1400' })]);
  });
});
