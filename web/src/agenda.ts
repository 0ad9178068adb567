// The agenda's pure logic: which activities are overdue, due today or upcoming, in what order, and
// the UTC day arithmetic behind it.
//
// Dates and times on the wire are UTC (docs/api.md): "today" is the UTC day of `now`, and an
// activity is overdue when it is not done and its due moment has passed — its due time on its due
// date when it has one, else the end of its due date. So a 09:00 call today is overdue at 09:01,
// and an all-day task of today is not overdue until the day is over.

import type { Activity, ActivityType, DateString } from './api';
import { utcDay } from './format';

export type AgendaSection = 'overdue' | 'today' | 'upcoming';

export interface AgendaGroups {
  overdue: Activity[];
  today: Activity[];
  upcoming: Activity[];
}

export interface DayGroup {
  date: DateString;
  items: Activity[];
}

const kDayMillis = 86_400_000;

/** `date` ("YYYY-MM-DD") moved by `days` calendar days (UTC). */
export function addDays(date: DateString, days: number): DateString {
  const at = Date.parse(`${date}T00:00:00Z`);
  if (Number.isNaN(at)) throw new Error(`not a date: ${date}`);
  return new Date(at + days * kDayMillis).toISOString().slice(0, 10);
}

/** The instant an activity becomes overdue: its due time, else the end of its due date (UTC). */
export function dueMoment(a: Pick<Activity, 'due_date' | 'due_time'>): number {
  if (a.due_time && /^\d{2}:\d{2}$/.test(a.due_time)) return Date.parse(`${a.due_date}T${a.due_time}:00Z`);
  return Date.parse(`${a.due_date}T00:00:00Z`) + kDayMillis;
}

/** Overdue as the server defines it, read against `now`. */
export function isOverdue(a: Pick<Activity, 'due_date' | 'due_time' | 'done'>, now: Date): boolean {
  return !a.done && now.getTime() > dueMoment(a);
}

/** Due date, then all-day before timed, then time, then id: the order a day is worked in. */
export function compareActivities(a: Activity, b: Activity): number {
  if (a.due_date !== b.due_date) return a.due_date < b.due_date ? -1 : 1;
  const at = a.due_time ?? '';
  const bt = b.due_time ?? '';
  if (at !== bt) return at < bt ? -1 : 1;
  return a.id - b.id;
}

/**
 * Open activities split into the agenda's sections, each sorted by compareActivities. Done ones
 * are left out. The server's `overdue` flag counts too, so a client clock that runs late does not
 * hide an activity the server already calls overdue.
 */
export function groupAgenda(activities: readonly Activity[], now: Date): AgendaGroups {
  const today = utcDay(now);
  const groups: AgendaGroups = { overdue: [], today: [], upcoming: [] };
  for (const a of activities) {
    if (a.done) continue;
    if (a.overdue || isOverdue(a, now)) groups.overdue.push(a);
    else if (a.due_date <= today) groups.today.push(a);
    else groups.upcoming.push(a);
  }
  groups.overdue.sort(compareActivities);
  groups.today.sort(compareActivities);
  groups.upcoming.sort(compareActivities);
  return groups;
}

/** Consecutive activities (already sorted) grouped by due date, in order. */
export function groupByDay(activities: readonly Activity[]): DayGroup[] {
  const days: DayGroup[] = [];
  for (const a of activities) {
    const last = days[days.length - 1];
    if (last && last.date === a.due_date) last.items.push(a);
    else days.push({ date: a.due_date, items: [a] });
  }
  return days;
}

export const kActivityTypes: ReadonlyArray<{ value: ActivityType; label: string }> = [
  { value: 'call', label: 'Call' },
  { value: 'meeting', label: 'Meeting' },
  { value: 'email', label: 'Email' },
  { value: 'task', label: 'Task' },
  { value: 'deadline', label: 'Deadline' },
];

export function activityTypeLabel(type: ActivityType): string {
  return kActivityTypes.find((t) => t.value === type)?.label ?? type;
}

/** "HH:MM" from a time input, or null when empty; undefined when it is not a time. */
export function parseTimeInput(text: string): string | null | undefined {
  const t = text.trim();
  if (!t) return null;
  const m = /^(\d{1,2}):(\d{2})$/.exec(t);
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h > 23 || min > 59) return undefined;
  return `${String(h).padStart(2, '0')}:${m[2]}`;
}

/** True for a real calendar date "YYYY-MM-DD". */
export function isDateString(text: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const at = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(at) && new Date(at).toISOString().slice(0, 10) === text;
}
