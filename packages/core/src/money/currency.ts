// ISO 4217 currencies and their minor units, from a fixed table rather than Intl: ICU follows
// CLDR, whose formatting digits differ from ISO 4217 for a few currencies (IRR, LAK, ...) and
// vary with the Node build. Codes without a minor unit (metals, XDR, XXX) are not money here.

/** Active ISO 4217 codes whose minor unit is not 2 decimals. */
// prettier-ignore
const NON_TWO_DIGIT: Readonly<Record<string, number>> = {
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0,
  UGX: 0, UYI: 0, VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
};

/** Active ISO 4217 codes with 2 decimals. */
const TWO_DIGIT = `AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL
  BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN
  ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR
  KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN
  NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP
  SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED
  VES WST XCD XCG YER ZAR ZMW ZWG ZWL`;

const MINOR_UNITS: ReadonlyMap<string, number> = new Map([
  ...TWO_DIGIT.split(/\s+/).map((code): [string, number] => [code, 2]),
  ...Object.entries(NON_TWO_DIGIT),
]);

/** Whether `code` is an active ISO 4217 currency code (upper case, e.g. "USD"). */
export function isCurrencyCode(code: string): boolean {
  return MINOR_UNITS.has(code);
}

/** Decimal digits of the currency's minor unit (USD 2, JPY 0, KWD 3); throws on an unknown code. */
export function minorUnitDigits(currency: string): number {
  const digits = MINOR_UNITS.get(currency);
  if (digits === undefined) throw new RangeError(`Unknown currency code "${currency}"`);
  return digits;
}

/** Every supported currency code, sorted. */
export function currencyCodes(): string[] {
  return [...MINOR_UNITS.keys()].sort();
}
