// Reporting periods and the report scope as the URL keeps them.
//
// The URL holds what the API is asked, so a reload or a shared link shows the same report:
// `period=2026-11` (also 2026-Q4, 2026-W48, 2026, 2026-11-23) or `from=2026-11-01&to=2026-12-01`
// (`to` exclusive, as the API takes it), plus pipeline_id, owner_id and team_id. The picker's
// presets ("This month", "Last quarter", ...) are resolved against today's UTC date into such a
// period, and a period from the URL is shown as the preset it matches today, else as itself.
// Custom ranges are picked with an inclusive end date and sent with an exclusive one.

import type { AnalyticsScope, PeriodRange, PeriodUnit } from './analytics_api';
import type { DateString, Id } from './api';

export type PresetKey = 'this-month' | 'last-month' | 'this-quarter' | 'last-quarter' | 'this-year';

export const kPresets: ReadonlyArray<{ key: PresetKey; label: string }> = [
  { key: 'this-month', label: 'This month' },
  { key: 'last-month', label: 'Last month' },
  { key: 'this-quarter', label: 'This quarter' },
  { key: 'last-quarter', label: 'Last quarter' },
  { key: 'this-year', label: 'This year' },
];

/** The longest custom range the server accepts, in days (core/metrics.h kMaxPeriodDays). */
export const kMaxPeriodDays = 3660;

const kDayMillis = 86_400_000;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function ymd(year: number, month: number, day: number): DateString {
  return new Date(Date.UTC(year, month - 1, day)).toISOString().slice(0, 10);
}

function dayNumber(date: DateString): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / kDayMillis);
}

/** `date` moved by `days` (UTC calendar days). */
export function shiftDay(date: DateString, days: number): DateString {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * kDayMillis).toISOString().slice(0, 10);
}

/** True for a real calendar date "YYYY-MM-DD". */
export function isDate(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const at = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(at) && new Date(at).toISOString().slice(0, 10) === text;
}

/** Days in [from, to). */
export function rangeDays(range: PeriodRange): number {
  return dayNumber(range.to) - dayNumber(range.from);
}

/** The Monday that starts ISO week 1 of `year` (the week with January 4th). */
function isoWeekOneMonday(year: number): DateString {
  const jan4 = Date.UTC(year, 0, 4);
  const weekday = (new Date(jan4).getUTCDay() + 6) % 7; // Monday 0
  return new Date(jan4 - weekday * kDayMillis).toISOString().slice(0, 10);
}

function isoWeeksIn(year: number): number {
  return (dayNumber(isoWeekOneMonday(year + 1)) - dayNumber(isoWeekOneMonday(year))) / 7;
}

export interface ParsedPeriod extends PeriodRange {
  unit: Exclude<PeriodUnit, 'custom'>;
}

/** A period as the API names it, as a range; null when it is not one. */
export function parsePeriod(text: string): ParsedPeriod | null {
  let m = /^(\d{4})$/.exec(text);
  if (m) {
    const y = Number(m[1]);
    if (y < 1) return null;
    return { unit: 'year', from: ymd(y, 1, 1), to: ymd(y + 1, 1, 1) };
  }
  m = /^(\d{4})-Q([1-4])$/.exec(text);
  if (m) {
    const y = Number(m[1]);
    const q = Number(m[2]);
    return { unit: 'quarter', from: ymd(y, q * 3 - 2, 1), to: ymd(y, q * 3 + 1, 1) };
  }
  m = /^(\d{4})-W(\d{2})$/.exec(text);
  if (m) {
    const y = Number(m[1]);
    const w = Number(m[2]);
    if (w < 1 || w > isoWeeksIn(y)) return null;
    const from = shiftDay(isoWeekOneMonday(y), (w - 1) * 7);
    return { unit: 'week', from, to: shiftDay(from, 7) };
  }
  m = /^(\d{4})-(\d{2})$/.exec(text);
  if (m) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    if (mo < 1 || mo > 12) return null;
    return { unit: 'month', from: ymd(y, mo, 1), to: ymd(y, mo + 1, 1) };
  }
  if (isDate(text)) return { unit: 'day', from: text, to: shiftDay(text, 1) };
  return null;
}

/** The API period a preset stands for on `today` ("YYYY-MM-DD", UTC). */
export function presetPeriod(key: PresetKey, today: DateString): string {
  const y = Number(today.slice(0, 4));
  const mo = Number(today.slice(5, 7));
  const q = Math.floor((mo - 1) / 3) + 1;
  switch (key) {
    case 'this-month':
      return `${pad(y, 4)}-${pad(mo)}`;
    case 'last-month':
      return mo === 1 ? `${pad(y - 1, 4)}-12` : `${pad(y, 4)}-${pad(mo - 1)}`;
    case 'this-quarter':
      return `${pad(y, 4)}-Q${q}`;
    case 'last-quarter':
      return q === 1 ? `${pad(y - 1, 4)}-Q4` : `${pad(y, 4)}-Q${q - 1}`;
    case 'this-year':
      return pad(y, 4);
  }
}

/** The preset that `period` is on `today`, if any. */
export function matchPreset(period: string, today: DateString): PresetKey | null {
  return kPresets.find((p) => presetPeriod(p.key, today) === period)?.key ?? null;
}

/** The report scope the URL asks for, with anything malformed left out. */
export interface ScopeState {
  pipelineId: Id | null;
  ownerId: Id | null;
  teamId: Id | null;
  /** A named period, or null for a custom one (from/to) or the default. */
  period: string | null;
  /** Custom range, `to` exclusive; both set or both null. */
  from: DateString | null;
  to: DateString | null;
}

function idParam(search: URLSearchParams, name: string): Id | null {
  const v = search.get(name);
  return v && /^[1-9][0-9]{0,15}$/.test(v) ? Number(v) : null;
}

/** Checks a custom range [from, to): null when fine, else what is wrong. */
export function customRangeProblem(from: string, to: string): string | null {
  if (!isDate(from)) return 'Pick a start date.';
  if (!isDate(to)) return 'Pick an end date.';
  if (to <= from) return 'The end date must be on or after the start date.';
  if (rangeDays({ from, to }) > kMaxPeriodDays) return `A custom period can span at most ${kMaxPeriodDays} days.`;
  return null;
}

export function readScope(search: URLSearchParams): ScopeState {
  const from = search.get('from') ?? '';
  const to = search.get('to') ?? '';
  const custom = customRangeProblem(from, to) === null;
  const period = search.get('period');
  return {
    pipelineId: idParam(search, 'pipeline_id'),
    ownerId: idParam(search, 'owner_id'),
    teamId: idParam(search, 'team_id'),
    period: !custom && period && parsePeriod(period) ? period : null,
    from: custom ? from : null,
    to: custom ? to : null,
  };
}

/** The scope as the API takes it, the default period being this month. */
export function apiScope(scope: ScopeState, today: DateString): AnalyticsScope {
  if (scope.from && scope.to) {
    return { pipeline_id: scope.pipelineId, owner_id: scope.ownerId, team_id: scope.teamId, from: scope.from, to: scope.to };
  }
  return {
    pipeline_id: scope.pipelineId,
    owner_id: scope.ownerId,
    team_id: scope.teamId,
    period: scope.period ?? presetPeriod('this-month', today),
  };
}

/**
 * `search` with the scope written into it (other parameters kept): ids and the period set or
 * removed, from/to only for a custom range.
 */
export function writeScope(search: URLSearchParams, scope: ScopeState): URLSearchParams {
  const next = new URLSearchParams(search);
  const set = (name: string, value: string | number | null) => {
    if (value === null || value === '') next.delete(name);
    else next.set(name, String(value));
  };
  set('pipeline_id', scope.pipelineId);
  set('owner_id', scope.ownerId);
  set('team_id', scope.teamId);
  const custom = scope.from !== null && scope.to !== null;
  set('period', custom ? null : scope.period);
  set('from', custom ? scope.from : null);
  set('to', custom ? scope.to : null);
  return next;
}

/** "?a=1&b=2", or "" when empty. */
export function searchText(search: URLSearchParams): string {
  const text = search.toString();
  return text ? `?${text}` : '';
}

/** What the picker's select shows for a scope: a preset key, "custom", or "other:<period>". */
export function pickerValue(scope: ScopeState, today: DateString): string {
  if (scope.from && scope.to) return 'custom';
  const period = scope.period ?? presetPeriod('this-month', today);
  return matchPreset(period, today) ?? `other:${period}`;
}

/** The scope after the picker's select changed to `value` (a preset key or "custom"). */
export function pickPeriod(scope: ScopeState, value: string, today: DateString): ScopeState {
  if (value === 'custom') {
    if (scope.from && scope.to) return scope;
    // Start from the range shown so far.
    const shown = parsePeriod(scope.period ?? presetPeriod('this-month', today));
    return { ...scope, period: null, from: shown?.from ?? today, to: shown?.to ?? shiftDay(today, 1) };
  }
  if (value.startsWith('other:')) return { ...scope, period: value.slice(6), from: null, to: null };
  const preset = kPresets.find((p) => p.key === value);
  if (!preset) return scope;
  return { ...scope, period: presetPeriod(preset.key, today), from: null, to: null };
}

const monthFormat = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'long', year: 'numeric' });
const shortMonthFormat = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short' });
const shortMonthYearFormat = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', year: 'numeric' });
const dayFormat = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric', year: 'numeric' });

function at(date: DateString): Date {
  return new Date(`${date}T00:00:00Z`);
}

/** "Nov 23, 2026". */
export function formatDate(date: DateString): string {
  return isDate(date) ? dayFormat.format(at(date)) : date;
}

/** "Nov" for the month of `date`, or "Nov 2026" with the year. */
export function formatMonth(date: DateString, withYear = false): string {
  if (!isDate(date)) return date;
  return (withYear ? shortMonthYearFormat : shortMonthFormat).format(at(date));
}

/** A period for a person: "November 2026", "Q4 2026", "2026", "Week 48, 2026", "Nov 1 – Nov 30, 2026". */
export function describePeriod(range: PeriodRange & { unit?: PeriodUnit; label?: string }): string {
  const parsed = range.label ? parsePeriod(range.label) : null;
  const unit = range.unit ?? parsed?.unit ?? 'custom';
  const y = range.from.slice(0, 4);
  switch (unit) {
    case 'year':
      return y;
    case 'quarter':
      return `Q${Math.floor((Number(range.from.slice(5, 7)) - 1) / 3) + 1} ${y}`;
    case 'month':
      return isDate(range.from) ? monthFormat.format(at(range.from)) : range.from;
    case 'week': {
      const label = range.label && /W(\d{2})$/.exec(range.label);
      return label ? `Week ${Number(label[1])}, ${range.label!.slice(0, 4)}` : `Week of ${formatDate(range.from)}`;
    }
    case 'day':
      return formatDate(range.from);
    case 'custom':
      return `${formatDate(range.from)} – ${formatDate(shiftDay(range.to, -1))}`;
  }
}

/** The picker's label for a named period from the URL that matches no preset. */
export function otherPeriodLabel(period: string): string {
  const parsed = parsePeriod(period);
  return parsed ? describePeriod({ ...parsed, label: period }) : period;
}
