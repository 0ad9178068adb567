// Money on the wire is an integer amount of the currency's minor unit plus an ISO 4217 code
// (docs/api.md). These functions convert between that and what a person reads and types, without
// floating point: the number of minor-unit digits comes from Intl (USD 2, JPY 0, BHD 3).

const digitsCache = new Map<string, number>();
const formatCache = new Map<string, Intl.NumberFormat>();

/** True when `currency` is a well-formed ISO 4217 code that Intl can format. */
export function isKnownCurrency(currency: string): boolean {
  if (!/^[A-Z]{3}$/.test(currency)) return false;
  try {
    new Intl.NumberFormat('en', { style: 'currency', currency });
    return true;
  } catch {
    return false;
  }
}

/** Minor-unit digits of an ISO 4217 currency (Intl's data); 2 for a code it cannot format. */
export function currencyDigits(currency: string): number {
  const cached = digitsCache.get(currency);
  if (cached !== undefined) return cached;
  let digits = 2;
  if (isKnownCurrency(currency)) {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions()
      .maximumFractionDigits ?? 2;
  }
  digitsCache.set(currency, digits);
  return digits;
}

/** The exact decimal string of `minor` units with `digits` fraction digits: (125050, 2) → "1250.50". */
export function minorToDecimal(minor: number, digits: number): string {
  const negative = minor < 0;
  let text = BigInt(Math.trunc(Math.abs(minor))).toString();
  if (digits > 0) {
    text = text.padStart(digits + 1, '0');
    text = `${text.slice(0, -digits)}.${text.slice(-digits)}`;
  }
  return negative ? `-${text}` : text;
}

export interface FormatMoneyOptions {
  /** Short form for tight places: "$48K". The exact amount belongs in a title next to it. */
  compact?: boolean;
  locale?: string;
}

function formatter(currency: string, options: FormatMoneyOptions): Intl.NumberFormat | null {
  const key = `${options.locale ?? ''}|${currency}|${options.compact ? 'c' : 'f'}`;
  const cached = formatCache.get(key);
  if (cached) return cached;
  if (!isKnownCurrency(currency)) return null;
  const made = new Intl.NumberFormat(options.locale, {
    style: 'currency',
    currency,
    ...(options.compact ? { notation: 'compact', maximumFractionDigits: 1 } : {}),
  });
  formatCache.set(key, made);
  return made;
}

/** `minor` units of `currency` for a person: (125000, "USD") → "$1,250.00". */
export function formatMoney(minor: number, currency: string, options: FormatMoneyOptions = {}): string {
  const digits = currencyDigits(currency);
  const decimal = minorToDecimal(minor, digits);
  const f = formatter(currency, options);
  if (!f) return `${decimal} ${currency}`;
  // A numeric string is formatted exactly (Intl.NumberFormat v3), unlike minor / 10 ** digits.
  return f.format(decimal as Intl.StringNumericLiteral);
}

export type ParsedMoney = { ok: true; minor: number } | { ok: false; message: string };

/**
 * What a person typed as an amount of `currency`, in minor units: "1,250.50" USD → 125050.
 * Accepts an optional sign, grouping with commas, spaces or apostrophes, and either "." or ","
 * as the decimal mark ("1.250,50" and "1250,5" too). A sign is kept: the server rules on it.
 */
export function parseMoneyInput(text: string, currency: string): ParsedMoney {
  let s = text.trim().replace(/[\s'\u00a0\u202f]/g, '');
  if (s === '') return { ok: false, message: 'Enter an amount.' };
  let sign = '';
  if (s.startsWith('-') || s.startsWith('+')) {
    sign = s[0] === '-' ? '-' : '';
    s = s.slice(1);
  }
  if (!/^[0-9.,]+$/.test(s) || !/[0-9]/.test(s)) {
    return { ok: false, message: 'Enter a number, like 1250 or 1,250.50.' };
  }
  const dots = s.split('.').length - 1;
  const commas = s.split(',').length - 1;
  let decimalMark: '.' | ',' | null = null;
  if (dots > 0 && commas > 0) decimalMark = s.lastIndexOf('.') > s.lastIndexOf(',') ? '.' : ',';
  else if (dots === 1) decimalMark = '.';
  else if (commas === 1) {
    // "1,250" groups thousands; "1,25" and "1250,5" use a decimal comma.
    decimalMark = s.length - s.lastIndexOf(',') - 1 === 3 ? null : ',';
  }
  let whole = s;
  let fraction = '';
  if (decimalMark) {
    const at = s.lastIndexOf(decimalMark);
    whole = s.slice(0, at);
    fraction = s.slice(at + 1);
  }
  whole = whole.replace(decimalMark === ',' ? /\./g : /,/g, '');
  if (decimalMark === null) whole = whole.replace(/\./g, '');
  if (!/^[0-9]*$/.test(whole) || !/^[0-9]*$/.test(fraction)) {
    return { ok: false, message: 'Enter a number, like 1250 or 1,250.50.' };
  }
  const digits = currencyDigits(currency);
  fraction = fraction.replace(/0+$/, '');
  if (fraction.length > digits) {
    return {
      ok: false,
      message:
        digits === 0
          ? `${currency} has no decimal places.`
          : `${currency} has ${digits} decimal place${digits === 1 ? '' : 's'}.`,
    };
  }
  const minorText = (whole || '0') + fraction.padEnd(digits, '0');
  const minor = Number(`${sign}${minorText}`);
  if (!Number.isSafeInteger(minor)) return { ok: false, message: 'That amount is too large.' };
  return { ok: true, minor: minor === 0 ? 0 : minor };
}

/** The minor amount as the value of an input field for `currency`: (125050, "USD") → "1250.50". */
export function minorToInput(minor: number, currency: string): string {
  return minorToDecimal(minor, currencyDigits(currency));
}
