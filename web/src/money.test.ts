import { describe, expect, it } from 'vitest';
import { currencyDigits, formatMoney, isKnownCurrency, minorToDecimal, minorToInput, parseMoneyInput } from './money';

describe('currencyDigits', () => {
  it.each([
    ['USD', 2],
    ['EUR', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['BHD', 3],
    ['KWD', 3],
    ['XYZ', 2], // unknown to Intl: the common case
    ['usd', 2],
  ])('%s has %i minor digits', (currency, digits) => {
    expect(currencyDigits(currency)).toBe(digits);
  });
});

describe('isKnownCurrency', () => {
  it('accepts ISO codes and rejects other text', () => {
    expect(isKnownCurrency('USD')).toBe(true);
    expect(isKnownCurrency('usd')).toBe(false);
    expect(isKnownCurrency('US')).toBe(false);
    expect(isKnownCurrency('')).toBe(false);
  });
});

describe('minorToDecimal', () => {
  it.each([
    [125050, 2, '1250.50'],
    [5, 2, '0.05'],
    [0, 2, '0.00'],
    [-5, 2, '-0.05'],
    [-125000, 2, '-1250.00'],
    [1250, 0, '1250'],
    [1, 3, '0.001'],
    [Number.MAX_SAFE_INTEGER, 2, '90071992547409.91'],
  ])('%i with %i digits is %s', (minor, digits, text) => {
    expect(minorToDecimal(minor, digits)).toBe(text);
  });
});

describe('formatMoney', () => {
  const en = { locale: 'en-US' };
  it.each([
    [125000, 'USD', '$1,250.00'],
    [125050, 'EUR', '€1,250.50'],
    [125000, 'JPY', '¥125,000'],
    [1234, 'BHD', 'BHD 1.234'],
    [-5000, 'USD', '-$50.00'],
    [0, 'GBP', '£0.00'],
  ])('%i %s is %s', (minor, currency, text) => {
    expect(formatMoney(minor, currency, en).replace(/\u00a0/g, ' ')).toBe(text);
  });

  it('is exact for amounts beyond float precision of minor / 100', () => {
    expect(formatMoney(Number.MAX_SAFE_INTEGER, 'USD', en)).toBe('$90,071,992,547,409.91');
  });

  it('has a compact form', () => {
    expect(formatMoney(4_800_000_00, 'USD', { ...en, compact: true })).toBe('$4.8M');
    expect(formatMoney(64_340_000, 'USD', { ...en, compact: true })).toBe('$643.4K');
  });

  it('shows a code Intl has no symbol for by the code', () => {
    expect(formatMoney(1250, 'XYZ', en).replace(/\u00a0/g, ' ')).toBe('XYZ 12.50');
  });

  it('shows a malformed code after the amount', () => {
    expect(formatMoney(1250, 'US', en)).toBe('12.50 US');
  });

  it('follows the locale', () => {
    expect(formatMoney(125050, 'EUR', { locale: 'de-DE' }).replace(/\u00a0/g, ' ')).toBe('1.250,50 €');
  });
});

describe('parseMoneyInput', () => {
  it.each([
    ['1250', 'USD', 125000],
    ['1250.5', 'USD', 125050],
    ['1,250.50', 'USD', 125050],
    ['1.250,50', 'EUR', 125050],
    ['1250,5', 'EUR', 125050],
    ['1,250', 'USD', 125000],
    ['1 250 000', 'USD', 125000000],
    ["1'250.00", 'CHF', 125000],
    ['1.250.000', 'EUR', 125000000],
    ['  42  ', 'USD', 4200],
    ['.5', 'USD', 50],
    ['0', 'USD', 0],
    ['-0', 'USD', 0],
    ['-250', 'USD', -25000], // kept: the server rules on the sign
    ['+7', 'USD', 700],
    ['1250', 'JPY', 1250],
    ['1250.00', 'JPY', 1250],
    ['1.234', 'BHD', 1234],
  ])('%j in %s is %i minor', (text, currency, minor) => {
    expect(parseMoneyInput(text, currency)).toEqual({ ok: true, minor });
  });

  it.each([
    ['', 'USD', 'Enter an amount.'],
    ['abc', 'USD', 'Enter a number, like 1250 or 1,250.50.'],
    ['12a', 'USD', 'Enter a number, like 1250 or 1,250.50.'],
    ['-', 'USD', 'Enter a number, like 1250 or 1,250.50.'],
    ['1.255', 'USD', 'USD has 2 decimal places.'],
    ['1250.5', 'JPY', 'JPY has no decimal places.'],
    ['99999999999999999', 'USD', 'That amount is too large.'],
  ])('%j in %s is refused: %s', (text, currency, message) => {
    expect(parseMoneyInput(text, currency)).toEqual({ ok: false, message });
  });

  it('round-trips with minorToInput', () => {
    for (const [minor, currency] of [
      [125050, 'USD'],
      [7, 'EUR'],
      [1250, 'JPY'],
      [1234, 'BHD'],
    ] as const) {
      expect(parseMoneyInput(minorToInput(minor, currency), currency)).toEqual({ ok: true, minor });
    }
  });
});
