// The order wizard's draft (kept in the tab's sessionStorage across a reload): given back to the
// same user for the same order only, never with "I Agree" ticked, dropped without a word when
// it no longer reads, and cleared on signing out or when another user logs in.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  discardDraft,
  discardWizardDrafts,
  draftKey,
  loadDraft,
  parseDraft,
  sameDraftState,
  saveDraft,
  serializeDraft,
  type DraftCheck,
  type DraftScope,
  type DraftStorage,
  type WizardDraft,
} from '../src/routes/wizard/wizard-draft.ts';
import type { WizardState } from '../src/routes/wizard/wizard-model.ts';

/** sessionStorage's behaviour, in memory. */
class MemoryStorage implements DraftStorage {
  readonly items = new Map<string, string>();
  get length(): number {
    return this.items.size;
  }
  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, String(value));
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

/** A browser that refuses storage (disabled, or full). */
const refusing: DraftStorage = {
  length: 0,
  key: () => null,
  getItem: () => {
    throw new DOMException('denied', 'SecurityError');
  },
  setItem: () => {
    throw new DOMException('full', 'QuotaExceededError');
  },
  removeItem: () => {
    throw new DOMException('denied', 'SecurityError');
  },
};

const dana: DraftScope = { userId: 'usr_dana', vendor: 'skyline', customerId: 'cus_fabrikam' };
const check: DraftCheck = { orderTypes: ['new', 'change'] };

const state = (overrides: Partial<WizardState> = {}): WizardState => ({
  type: 'new',
  quoteId: '',
  lines: [
    {
      partNumber: 'SKY-CRM-STD',
      name: 'CRM Standard',
      description: 'Per user',
      billingTerm: 'annual',
      ships: false,
      productType: 'subscription',
      quantity: 3,
      unitPrice: '82.00',
      listPrice: '100.00',
      multiplier: '0.82',
      netPrice: '82.00',
      attributes: { hostId: 'HOST-1' },
    },
  ],
  values: {
    'contacts.siteAdmin.name': 'Dana Admin',
    'contacts.siteAdmin.email': 'dana@fabrikam-health.example',
    'shippingAddress.confirmed': true,
    termsAccepted: true,
  },
  ...overrides,
});

const draft = (overrides: Partial<WizardDraft> = {}): WizardDraft => ({
  state: state(),
  step: 1,
  reached: 1,
  savedAt: '2026-05-04T10:15:00.000Z',
  ...overrides,
});

describe('a wizard draft', () => {
  it('comes back to the same user for the same order: step, lines and fields', () => {
    const storage = new MemoryStorage();
    saveDraft(dana, draft({ step: 2, reached: 2 }), storage);
    const back = loadDraft(dana, check, storage);
    expect(back?.step).toBe(2);
    expect(back?.reached).toBe(2);
    expect(back?.savedAt).toBe('2026-05-04T10:15:00.000Z');
    expect(back?.state.lines).toEqual(state().lines);
    expect(back?.state.values['contacts.siteAdmin.name']).toBe('Dana Admin');
    expect(back?.state.values['shippingAddress.confirmed']).toBe(true);
  });

  it('never keeps nor gives back "I Agree" as ticked', () => {
    const storage = new MemoryStorage();
    saveDraft(dana, draft(), storage);
    const text = storage.getItem(draftKey(dana))!;
    expect(text).not.toContain('termsAccepted');
    // Even from a draft that was stored with it (an older app, or tampered with).
    const stored = JSON.parse(text) as { state: WizardState };
    stored.state.values.termsAccepted = true;
    storage.setItem(draftKey(dana), JSON.stringify(stored));
    const back = loadDraft(dana, check, storage);
    expect(back).not.toBeNull();
    expect('termsAccepted' in back!.state.values).toBe(false);
  });

  it('keeps the submission’s Idempotency-Key, so a resend after a reload is not a second order', () => {
    const storage = new MemoryStorage();
    saveDraft(dana, draft({ submitKey: 'wiz-key-1' }), storage);
    expect(loadDraft(dana, check, storage)?.submitKey).toBe('wiz-key-1');
    // A key that is not one (tampered with) is dropped, not sent.
    const stored = JSON.parse(storage.getItem(draftKey(dana))!) as Record<string, unknown>;
    storage.setItem(draftKey(dana), JSON.stringify({ ...stored, submitKey: 42 }));
    expect(loadDraft(dana, check, storage)?.submitKey).toBeUndefined();
  });

  it('keeps the wizard’s state and nothing else (no token, no session)', () => {
    const text = serializeDraft(draft({ orderVersion: 4 }));
    expect(Object.keys(JSON.parse(text) as object).sort()).toEqual([
      'format',
      'orderVersion',
      'reached',
      'savedAt',
      'state',
      'step',
    ]);
    expect(Object.keys((JSON.parse(text) as { state: object }).state).sort()).toEqual([
      'lines',
      'quoteId',
      'type',
      'values',
    ]);
  });

  it('is another user’s, vendor’s, customer’s or correction’s business: not given to them', () => {
    const storage = new MemoryStorage();
    saveDraft(dana, draft(), storage);
    for (const other of [
      { ...dana, userId: 'usr_eve' },
      { ...dana, vendor: 'northwind' },
      { ...dana, customerId: 'cus_tailspin' },
      { ...dana, orderId: 'ord_1' },
    ]) {
      expect(draftKey(other)).not.toBe(draftKey(dana));
      expect(loadDraft(other, check, storage)).toBeNull();
    }
    expect(loadDraft(dana, check, storage)).not.toBeNull();
  });

  it('of a correction is given back only for the version of the order it was made on', () => {
    const storage = new MemoryStorage();
    const correction = { ...dana, orderId: 'ord_1' };
    saveDraft(correction, draft({ orderVersion: 3 }), storage);
    expect(loadDraft(correction, { ...check, orderVersion: 3 }, storage)?.orderVersion).toBe(3);
    // The order moved on (the desk acted, it was corrected elsewhere): dropped.
    expect(loadDraft(correction, { ...check, orderVersion: 4 }, storage)).toBeNull();
    expect(storage.getItem(draftKey(correction))).toBeNull();
  });

  it('that no longer reads is dropped without a word', () => {
    const good = JSON.parse(serializeDraft(draft())) as Record<string, unknown>;
    const goodState = good.state as Record<string, unknown>;
    const line = (state().lines[0] ?? {}) as unknown as Record<string, unknown>;
    const broken: [string, string][] = [
      ['not JSON', '{"format":1,'],
      ['not an object', '"draft"'],
      ['another format (the app was updated)', JSON.stringify({ ...good, format: 0 })],
      ['no state', JSON.stringify({ ...good, state: null })],
      [
        'an order type the vendor no longer has',
        JSON.stringify({ ...good, state: { ...goodState, type: 'retired' } }),
      ],
      ['a step past the last', JSON.stringify({ ...good, step: 4, reached: 4 })],
      ['a step that is no number', JSON.stringify({ ...good, step: '1' })],
      [
        'a line without its part number',
        JSON.stringify({ ...good, state: { ...goodState, lines: [{ ...line, partNumber: '' }] } }),
      ],
      [
        'a line with a quantity that is no number',
        JSON.stringify({ ...good, state: { ...goodState, lines: [{ ...line, quantity: 'x' }] } }),
      ],
      [
        'a value that is an object',
        JSON.stringify({ ...good, state: { ...goodState, values: { a: { b: 1 } } } }),
      ],
    ];
    for (const [why, text] of broken) {
      const storage = new MemoryStorage();
      storage.setItem(draftKey(dana), text);
      expect(loadDraft(dana, check, storage), why).toBeNull();
      expect(storage.getItem(draftKey(dana)), why).toBeNull();
    }
  });

  it('reads any stored text without throwing: a draft or nothing', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (text) => {
        const parsed = parseDraft(text, check);
        expect(parsed === null || check.orderTypes.includes(parsed.state.type)).toBe(true);
      }),
    );
    fc.assert(
      fc.property(fc.anything(), (state) => {
        const text = JSON.stringify({
          format: 1,
          step: 0,
          reached: 0,
          savedAt: 'x',
          state,
        });
        expect(() => parseDraft(text ?? '', check)).not.toThrow();
      }),
    );
  });

  it('is not kept where the browser refuses storage, and the wizard goes on', () => {
    expect(() => saveDraft(dana, draft(), refusing)).not.toThrow();
    expect(loadDraft(dana, check, refusing)).toBeNull();
    expect(() => discardDraft(dana, refusing)).not.toThrow();
    expect(() => discardWizardDrafts(undefined, refusing)).not.toThrow();
    expect(loadDraft(dana, check, null)).toBeNull();
  });

  it('is discarded on its own, leaving the user’s others', () => {
    const storage = new MemoryStorage();
    const other = { ...dana, customerId: 'cus_tailspin' };
    saveDraft(dana, draft(), storage);
    saveDraft(other, draft(), storage);
    discardDraft(dana, storage);
    expect(loadDraft(dana, check, storage)).toBeNull();
    expect(loadDraft(other, check, storage)).not.toBeNull();
  });
});

describe('discardWizardDrafts', () => {
  const filled = () => {
    const storage = new MemoryStorage();
    storage.setItem('orderdesk.csrf', 'token');
    storage.setItem('orderdesk.color-scheme', 'dark');
    saveDraft(dana, draft(), storage);
    saveDraft({ ...dana, orderId: 'ord_1' }, draft(), storage);
    saveDraft({ ...dana, userId: 'usr_eve' }, draft(), storage);
    // A user id that starts like another's is not theirs.
    saveDraft({ ...dana, userId: 'usr_dana:x' }, draft(), storage);
    return storage;
  };

  it('on signing out removes every draft of the tab, and nothing else', () => {
    const storage = filled();
    discardWizardDrafts(undefined, storage);
    expect([...storage.items.keys()].sort()).toEqual(['orderdesk.color-scheme', 'orderdesk.csrf']);
  });

  it('on logging in removes the other users’ drafts and keeps the user’s own', () => {
    const storage = filled();
    discardWizardDrafts('usr_dana', storage);
    expect(storage.length).toBe(4);
    expect(loadDraft(dana, check, storage)).not.toBeNull();
    expect(loadDraft({ ...dana, orderId: 'ord_1' }, check, storage)).not.toBeNull();
    expect(loadDraft({ ...dana, userId: 'usr_eve' }, check, storage)).toBeNull();
    expect(loadDraft({ ...dana, userId: 'usr_dana:x' }, check, storage)).toBeNull();
  });
});

describe('sameDraftState', () => {
  it('leaves the agreement aside: ticking "I Agree" alone makes no draft', () => {
    const fresh = state({ values: {} });
    expect(sameDraftState(fresh, { ...fresh, values: { termsAccepted: true } })).toBe(true);
    expect(sameDraftState(fresh, { ...fresh, values: { 'contacts.siteAdmin.name': 'D' } })).toBe(
      false,
    );
    expect(sameDraftState(fresh, { ...fresh, quoteId: 'qt_1' })).toBe(false);
  });
});
