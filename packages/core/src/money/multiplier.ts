// Price multipliers (net = list × multiplier) are exact decimal strings, never floats and
// never money: "0.75", "0.6250". They are stored and shown as written.
import { decimalFromText } from './money.ts';

/** Largest multiplier accepted (a 10× markup is already far outside any price list). */
export const MAX_MULTIPLIER = '10';
/** Most decimals a multiplier may carry. */
export const MULTIPLIER_MAX_DECIMALS = 6;

/** Why a multiplier string was refused. */
export const MULTIPLIER_PARSE_ERRORS = ['empty', 'syntax', 'precision', 'range'] as const;
export type MultiplierParseError = (typeof MULTIPLIER_PARSE_ERRORS)[number];

export type ParseMultiplierResult =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly reason: MultiplierParseError; readonly message: string };

const SYNTAX = /^\d{1,4}(?:\.(\d{1,12}))?$/;

/** Validate a multiplier: plain decimal, 0 < m ≤ 10, at most 6 decimals; returns it as written. */
export function parseMultiplier(text: string): ParseMultiplierResult {
  if (text === '') return { ok: false, reason: 'empty', message: 'A multiplier is required' };
  const match = SYNTAX.exec(text);
  if (match === null) {
    return {
      ok: false,
      reason: 'syntax',
      message: `"${text.slice(0, 40)}" is not a decimal multiplier like "0.75"`,
    };
  }
  if ((match[1] ?? '').length > MULTIPLIER_MAX_DECIMALS) {
    return {
      ok: false,
      reason: 'precision',
      message: `A multiplier has at most ${MULTIPLIER_MAX_DECIMALS} decimals`,
    };
  }
  const value = decimalFromText(text);
  if (value.isZero() || value.greaterThan(MAX_MULTIPLIER)) {
    return {
      ok: false,
      reason: 'range',
      message: `A multiplier must be greater than 0 and at most ${MAX_MULTIPLIER}`,
    };
  }
  return { ok: true, value: text };
}

/** Whether `text` is a valid multiplier (see `parseMultiplier`). */
export function isMultiplier(text: string): boolean {
  return parseMultiplier(text).ok;
}
