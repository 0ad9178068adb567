// Small text helpers for people's names and calendar dates. Dates on the wire are UTC
// ("YYYY-MM-DD"; the server's "today" is the UTC day), so every date computation here is in UTC.

/** Up to two letters for an avatar: "Ada Lovelace" → "AL", "ada" → "A", "" → "?". */
export function initials(name: string | null | undefined): string {
  const words = (name ?? '')
    .trim()
    .split(/\s+/)
    .map((w) => w.replace(/^[^\p{L}\p{N}]+/u, ''))
    .filter((w) => w.length > 0);
  if (words.length === 0) return '?';
  const first = Array.from(words[0]!)[0]!;
  if (words.length === 1) return first.toLocaleUpperCase();
  const last = Array.from(words[words.length - 1]!)[0]!;
  return (first + last).toLocaleUpperCase();
}

/** The UTC calendar day of `now` as "YYYY-MM-DD". */
export function utcDay(now: Date): string {
  return now.toISOString().slice(0, 10);
}

function dayNumber(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

function dateFormat(withYear: boolean, locale?: string): Intl.DateTimeFormat {
  const key = `${locale ?? ''}|${withYear}`;
  let f = dateFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, {
      timeZone: 'UTC',
      month: 'short',
      day: 'numeric',
      ...(withYear ? { year: 'numeric' } : {}),
    });
    dateFormats.set(key, f);
  }
  return f;
}

/**
 * A "YYYY-MM-DD" date relative to `today` (also "YYYY-MM-DD"): "Today", "Tomorrow", "Yesterday",
 * else "Nov 20", with the year when it is not today's year.
 */
export function formatDay(date: string, today: string, locale?: string): string {
  const diff = dayNumber(date) - dayNumber(today);
  if (Number.isNaN(diff)) return date;
  if (diff === 0) return 'Today';
  if (diff === 1) return 'Tomorrow';
  if (diff === -1) return 'Yesterday';
  const withYear = date.slice(0, 4) !== today.slice(0, 4);
  return dateFormat(withYear, locale).format(new Date(`${date}T00:00:00Z`));
}

/** "1 deal", "3 deals". */
export function plural(count: number, one: string, many = `${one}s`): string {
  return `${count.toLocaleString()} ${count === 1 ? one : many}`;
}

export interface LocalTimeOptions {
  locale?: string;
  /** The reader's own time zone when omitted (tests name one). */
  timeZone?: string;
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * An instant in the reader's local time, date and time of day: "Dec 8, 2026, 2:30 PM". Unlike the
 * calendar dates above this is a moment (who changed what when), so it is shown where the reader is.
 */
export function formatLocalDateTime(at: string, options: LocalTimeOptions = {}): string {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) return at;
  const key = `${options.locale ?? ''}|${options.timeZone ?? ''}`;
  let f = dateTimeFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(options.locale, {
      dateStyle: 'medium',
      timeStyle: 'short',
      ...(options.timeZone ? { timeZone: options.timeZone } : {}),
    });
    dateTimeFormats.set(key, f);
  }
  return f.format(new Date(ms));
}
