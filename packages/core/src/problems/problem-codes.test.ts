import { describe, expect, it } from 'vitest';
import { TRANSITION_ERROR_CODES } from '../order/order.machine.ts';
import { QUOTE_TRANSITION_ERROR_CODES } from '../quote/quote.machine.ts';
import * as oldPlace from '../quote/problem.ts';
import {
  ACTION_PROBLEM_CODES,
  PROBLEM_CODES,
  isActionProblemCode,
  isProblemCode,
} from './problem-codes.ts';

describe('problem codes', () => {
  it('are exactly the codes of API.md', () => {
    expect(PROBLEM_CODES).toEqual([
      'required',
      'invalid',
      'quote.required',
      'quote.not_approved',
      'quote.expired',
      'quote.mismatch',
      'part_number.unknown',
      'part_number.inactive',
      'price.mismatch',
      'total.mismatch',
      'currency.mismatch',
      'special_terms.missing',
      'special_terms.mismatch',
      'po.duplicate',
      'shipping.unconfirmed',
      'shipping.tax_id_required',
      'terms.not_accepted',
      'license.unknown',
      'order_type.unknown',
      'subscription.unknown',
      'return.not_refundable',
    ]);
    expect(isProblemCode('quote.mismatch')).toBe(true);
    expect(isProblemCode('quote.missing')).toBe(false);
  });

  it('keep action codes apart from validation codes', () => {
    for (const code of ACTION_PROBLEM_CODES) {
      expect(isProblemCode(code)).toBe(false);
      expect(isActionProblemCode(code)).toBe(true);
    }
    expect(isActionProblemCode('required')).toBe(false);
  });

  it('include the codes the state machines refuse with', () => {
    for (const code of [...TRANSITION_ERROR_CODES, ...QUOTE_TRANSITION_ERROR_CODES]) {
      expect(isActionProblemCode(code)).toBe(true);
    }
  });

  it('are still importable from their old place', () => {
    expect(oldPlace.PROBLEM_CODES).toBe(PROBLEM_CODES);
  });
});
