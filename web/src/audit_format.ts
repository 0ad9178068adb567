// A deal's audit log (GET /api/deals/{id}/audit) for people: who, when, what ("created",
// "changed", "deleted") and each field's change as "Field: before → after", with readable field
// names, money as money and record ids as the names the page already has. No I/O;
// components/deal_audit.tsx renders what these return.
//
// The server writes every value as text: ids and numbers in decimal, dates "YYYY-MM-DD", instants
// in ISO 8601, enums by name, money as minor units with the currency in a field of its own; ""
// is no value.

import type { AuditAction, AuditEntry, Id } from './api';
import { formatLocalDateTime, type LocalTimeOptions } from './format';
import { formatMoney } from './money';

/** The names the page knows; null for an id it has no name for (the entry then shows "Stage #12"). */
export interface AuditNames {
  user: (id: Id) => string | null;
  stage: (id: Id) => string | null;
  pipeline: (id: Id) => string | null;
  person: (id: Id) => string | null;
  organization: (id: Id) => string | null;
}

/** Shown for "" (no value) on the side of a change that had none. */
export const kNoValue = 'none';

const kFieldLabels: Readonly<Record<string, string>> = {
  title: 'Title',
  value_minor: 'Value',
  currency: 'Currency',
  pipeline_id: 'Pipeline',
  stage_id: 'Stage',
  status: 'Status',
  lost_reason: 'Lost reason',
  expected_close_date: 'Expected close date',
  owner_id: 'Owner',
  person_id: 'Person',
  org_id: 'Organization',
  source: 'Source',
  probability_override: 'Probability',
  closed_at: 'Closed',
};

/** A field as a person reads it: "expected_close_date" → "Expected close date"; unknown ones by their words. */
export function auditFieldLabel(field: string): string {
  const known = kFieldLabels[field];
  if (known) return known;
  const words = field.replace(/_id$/, '').replace(/_/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : field;
}

const kActionWords: Readonly<Record<AuditAction, string>> = { create: 'created', update: 'changed', delete: 'deleted' };

export function auditActionWord(action: AuditAction): string {
  return kActionWords[action] ?? action;
}

const kStatusLabels: Readonly<Record<string, string>> = { open: 'Open', won: 'Won', lost: 'Lost' };

/** What kind of record each id field names, for its name or its "Stage #12" fallback. */
const kIdFields: Readonly<Record<string, { names: keyof AuditNames; noun: string }>> = {
  owner_id: { names: 'user', noun: 'User' },
  stage_id: { names: 'stage', noun: 'Stage' },
  pipeline_id: { names: 'pipeline', noun: 'Pipeline' },
  person_id: { names: 'person', noun: 'Person' },
  org_id: { names: 'organization', noun: 'Organization' },
};

const calendarDates = new Map<string, Intl.DateTimeFormat>();

/** A calendar date ("YYYY-MM-DD", no time zone) as "Mar 31, 2027". */
function formatCalendarDate(date: string, locale?: string): string {
  const ms = Date.parse(`${date}T00:00:00Z`);
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(date) || Number.isNaN(ms)) return date;
  const key = locale ?? '';
  let f = calendarDates.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale, { timeZone: 'UTC', dateStyle: 'medium' });
    calendarDates.set(key, f);
  }
  return f.format(new Date(ms));
}

/**
 * One value of `field` for a person. `currency` is the deal's currency on that side of the change
 * (value_minor is in its minor units). "" is `kNoValue`; a value that does not read as its field's
 * kind is shown as it is.
 */
export function formatAuditValue(field: string, value: string, currency: string, names: AuditNames, options: LocalTimeOptions = {}): string {
  if (value === '') return kNoValue;
  const idField = kIdFields[field];
  if (idField) {
    if (!/^[1-9][0-9]*$/.test(value)) return value;
    return names[idField.names](Number(value)) ?? `${idField.noun} #${value}`;
  }
  switch (field) {
    case 'value_minor':
      return /^-?[0-9]+$/.test(value) && Number.isSafeInteger(Number(value)) ? formatMoney(Number(value), currency, { locale: options.locale }) : value;
    case 'status':
      return kStatusLabels[value] ?? value;
    case 'expected_close_date':
      return formatCalendarDate(value, options.locale);
    case 'closed_at':
      return formatLocalDateTime(value, options);
    case 'probability_override':
      return /^[0-9]+$/.test(value) ? `${value} %` : value;
    default:
      return value;
  }
}

/** The deal's currency before and after one entry. */
export interface EntryCurrency {
  before: string;
  after: string;
}

/**
 * The deal's currency around each entry of a newest-first run of its log, starting from the
 * deal's currency now: an entry that changes the currency names the one before it, which holds
 * for every older entry until another change. So a value changed before a currency change reads
 * in the currency of its day.
 */
export function currenciesOf(entries: readonly AuditEntry[], currentCurrency: string): Map<Id, EntryCurrency> {
  const result = new Map<Id, EntryCurrency>();
  let after = currentCurrency;
  for (const entry of entries) {
    const change = entry.changes.find((c) => c.field === 'currency');
    const before = change ? change.before || change.after || after : after;
    const atEntry = change && change.after ? change.after : after;
    result.set(entry.id, { before, after: atEntry });
    after = before;
  }
  return result;
}

/** One field's change as shown: `before` is null for a created record, `after` null for a deleted one. */
export interface AuditLine {
  field: string;
  label: string;
  before: string | null;
  after: string | null;
}

export interface DescribedEntry {
  id: Id;
  /** The instant as sent, for <time dateTime>. */
  at: string;
  /** The instant in the reader's local time. */
  when: string;
  who: string;
  what: string;
  lines: AuditLine[];
}

/** An entry for people. Money fields read in `currency` (see currenciesOf). */
export function describeAuditEntry(entry: AuditEntry, names: AuditNames, currency: EntryCurrency, options: LocalTimeOptions = {}): DescribedEntry {
  const lines = entry.changes.map((change): AuditLine => {
    const before = formatAuditValue(change.field, change.before, currency.before, names, options);
    const after = formatAuditValue(change.field, change.after, currency.after, names, options);
    return {
      field: change.field,
      label: auditFieldLabel(change.field),
      before: entry.action === 'create' ? null : before,
      after: entry.action === 'delete' ? null : after,
    };
  });
  return {
    id: entry.id,
    at: entry.at,
    when: formatLocalDateTime(entry.at, options),
    who: names.user(entry.user_id) ?? `User #${entry.user_id}`,
    what: auditActionWord(entry.action),
    lines,
  };
}

/** A line as one sentence: "Title: Old → New", or "Title: New" for a record created with it. */
export function auditLineText(line: AuditLine): string {
  if (line.before === null) return `${line.label}: ${line.after ?? kNoValue}`;
  if (line.after === null) return `${line.label}: ${line.before}`;
  return `${line.label}: ${line.before} → ${line.after}`;
}
