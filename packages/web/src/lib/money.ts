// Exact decimal arithmetic on the API's decimal strings ("1234.50"), with BigInt: prices and
// totals shown to a partner must add up to the cent, as the server computes them.

interface Scaled {
  units: bigint;
  scale: number;
}

function parse(text: string): Scaled | null {
  const match = /^(-)?(\d*)(?:\.(\d*))?$/.exec(text.trim());
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) return null;
  const fraction = match[3] ?? '';
  const units = BigInt(`${match[2] || '0'}${fraction}`);
  return { units: match[1] ? -units : units, scale: fraction.length };
}

function rescale(value: Scaled, scale: number): bigint {
  return value.units * 10n ** BigInt(scale - value.scale);
}

function print(units: bigint, scale: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const fraction = scale > 0 ? `.${digits.slice(digits.length - scale)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/** True when the text is a plain decimal number ("12", "12.5", "0.70"). */
export function isDecimal(text: string): boolean {
  return parse(text) !== null;
}

/** price × quantity, exactly, keeping the price's decimals (at least 2). */
export function lineAmount(price: string, quantity: number): string {
  const p = parse(price);
  if (!p || !Number.isInteger(quantity)) return '0.00';
  const scale = Math.max(2, p.scale);
  return print(rescale(p, scale) * BigInt(quantity), scale);
}

/** The exact sum of decimal strings (invalid ones count as zero), with at least 2 decimals. */
export function sumAmounts(values: readonly string[]): string {
  const parsed = values.map(parse).filter((v): v is Scaled => v !== null);
  const scale = Math.max(2, ...parsed.map((v) => v.scale));
  return print(
    parsed.reduce((total, v) => total + rescale(v, scale), 0n),
    scale,
  );
}

/** Whether two decimal strings are the same number ("12.5" and "12.50" are). */
export function sameAmount(a: string, b: string): boolean {
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return false;
  const scale = Math.max(x.scale, y.scale);
  return rescale(x, scale) === rescale(y, scale);
}

/** An amount in the user's locale with the document's currency ("£1,234.50", "1.234,50 €"). */
export function formatMoney(amount: string | null | undefined, currency: string): string {
  if (amount === null || amount === undefined || !isDecimal(amount)) return '—';
  try {
    // Intl formats a numeric string exactly (no detour through a binary float).
    return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(
      amount as unknown as number,
    );
  } catch {
    return `${amount} ${currency}`;
  }
}
