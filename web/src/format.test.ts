import { describe, expect, it } from 'vitest';
import { formatDay, formatLocalDateTime, initials, plural, utcDay } from './format';

describe('initials', () => {
  it.each([
    ['Ada Lovelace', 'AL'],
    ['ada lovelace', 'AL'],
    ['Maya', 'M'],
    ['Lucía Fernández', 'LF'],
    ['Jean-Luc Picard', 'JP'],
    ['Anna Maria van der Berg', 'AB'],
    ['  Daniel   Okafor  ', 'DO'],
    ['(Ops) Team Bot', 'OB'],
    ['Ørjan Ås', 'ØÅ'],
    ['', '?'],
    ['   ', '?'],
    [null, '?'],
    [undefined, '?'],
  ])('%j → %s', (name, expected) => {
    expect(initials(name)).toBe(expected);
  });

  it('keeps characters outside the BMP whole', () => {
    expect(initials('𝒜da 𝒵e')).toBe('𝒜𝒵');
  });
});

describe('formatDay', () => {
  const today = '2026-11-23';
  it.each([
    ['2026-11-23', 'Today'],
    ['2026-11-24', 'Tomorrow'],
    ['2026-11-22', 'Yesterday'],
    ['2026-11-20', 'Nov 20'],
    ['2026-12-05', 'Dec 5'],
    ['2027-01-02', 'Jan 2, 2027'],
    ['2025-11-23', 'Nov 23, 2025'],
    ['not a date', 'not a date'],
  ])('%s → %s', (date, expected) => {
    expect(formatDay(date, today, 'en-US')).toBe(expected);
  });
});

describe('utcDay', () => {
  it('is the UTC calendar day', () => {
    expect(utcDay(new Date('2026-11-23T23:59:59.999Z'))).toBe('2026-11-23');
    expect(utcDay(new Date('2026-11-24T00:00:00+02:00'))).toBe('2026-11-23');
  });
});

describe('plural', () => {
  it('agrees with the count', () => {
    expect(plural(1, 'deal')).toBe('1 deal');
    expect(plural(0, 'deal')).toBe('0 deals');
    expect(plural(2, 'person', 'people')).toBe('2 people');
  });
});

describe('formatLocalDateTime', () => {
  // Intl may put a narrow no-break space before AM/PM; the tests read it as a space.
  const plain = (text: string) => text.replace(/[\u202f\u00a0]/g, ' ');

  it('shows the instant in the given time zone, date and time of day', () => {
    expect(plain(formatLocalDateTime('2026-12-08T14:30:00Z', { locale: 'en-US', timeZone: 'UTC' }))).toBe('Dec 8, 2026, 2:30 PM');
    expect(plain(formatLocalDateTime('2026-12-08T14:30:00Z', { locale: 'en-US', timeZone: 'America/New_York' }))).toBe('Dec 8, 2026, 9:30 AM');
  });

  it('crosses the day where the reader is', () => {
    expect(plain(formatLocalDateTime('2026-12-31T23:30:00Z', { locale: 'en-GB', timeZone: 'Europe/Berlin' }))).toBe('1 Jan 2027, 00:30');
  });

  it('leaves text that is not an instant as it is', () => {
    expect(formatLocalDateTime('soon', { locale: 'en-US', timeZone: 'UTC' })).toBe('soon');
  });
});
