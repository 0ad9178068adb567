import { describe, expect, it } from 'vitest';
import type { Activity } from './api';
import {
  addDays,
  compareActivities,
  dueMoment,
  groupAgenda,
  groupByDay,
  isDateString,
  isOverdue,
  parseTimeInput,
} from './agenda';

let nextId = 1;

function activity(due_date: string, due_time: string | null = null, extra: Partial<Activity> = {}): Activity {
  return {
    id: nextId++,
    type: 'task',
    subject: `Task ${due_date} ${due_time ?? ''}`.trim(),
    due_date,
    due_time,
    duration_minutes: 0,
    done: false,
    done_at: null,
    deal_id: null,
    person_id: null,
    org_id: null,
    owner_id: 1,
    note: '',
    overdue: false,
    version: 1,
    created_at: '2026-11-01T00:00:00Z',
    updated_at: '2026-11-01T00:00:00Z',
    ...extra,
  };
}

const ids = (list: Activity[]) => list.map((a) => a.id);

describe('addDays', () => {
  it('moves across month, year and leap days in UTC', () => {
    expect(addDays('2026-11-23', 1)).toBe('2026-11-24');
    expect(addDays('2026-11-30', 1)).toBe('2026-12-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-11-23', 0)).toBe('2026-11-23');
  });
  it('rejects a non-date', () => {
    expect(() => addDays('soon', 1)).toThrow();
  });
});

describe('isOverdue', () => {
  const now = new Date('2026-11-23T09:30:00Z');
  it('is overdue from the due time on, when there is one', () => {
    expect(isOverdue(activity('2026-11-23', '09:00'), now)).toBe(true);
    expect(isOverdue(activity('2026-11-23', '09:30'), now)).toBe(false); // not yet past
    expect(isOverdue(activity('2026-11-23', '10:00'), now)).toBe(false);
  });
  it('is overdue after the end of the due date without a time', () => {
    expect(isOverdue(activity('2026-11-23'), now)).toBe(false);
    expect(isOverdue(activity('2026-11-22'), now)).toBe(true);
    expect(isOverdue(activity('2026-11-22'), new Date('2026-11-23T00:00:00Z'))).toBe(false); // the very end of the day
    expect(isOverdue(activity('2026-11-22'), new Date('2026-11-23T00:00:00.001Z'))).toBe(true);
  });
  it('never for a done activity', () => {
    expect(isOverdue(activity('2020-01-01', null, { done: true }), now)).toBe(false);
  });
  it('reads the due moment in UTC', () => {
    expect(dueMoment(activity('2026-11-23', '14:05'))).toBe(Date.parse('2026-11-23T14:05:00Z'));
    expect(dueMoment(activity('2026-11-23'))).toBe(Date.parse('2026-11-24T00:00:00Z'));
  });
});

describe('groupAgenda', () => {
  const now = new Date('2026-11-23T12:00:00Z');
  const old = activity('2026-11-10');
  const yesterday = activity('2026-11-22', '16:00');
  const morning = activity('2026-11-23', '08:00');
  const allDay = activity('2026-11-23');
  const afternoon = activity('2026-11-23', '15:00');
  const tomorrow = activity('2026-11-24', '09:00');
  const nextWeek = activity('2026-11-30');
  const done = activity('2026-11-20', null, { done: true });

  it('splits into overdue, today and upcoming, each in working order', () => {
    const groups = groupAgenda([nextWeek, afternoon, done, tomorrow, allDay, old, morning, yesterday], now);
    expect(ids(groups.overdue)).toEqual(ids([old, yesterday, morning]));
    expect(ids(groups.today)).toEqual(ids([allDay, afternoon]));
    expect(ids(groups.upcoming)).toEqual(ids([tomorrow, nextWeek]));
  });

  it('takes the UTC day, not the local one', () => {
    // 23:30 UTC on the 23rd: tomorrow's activity is still upcoming.
    const late = new Date('2026-11-23T23:30:00Z');
    const groups = groupAgenda([tomorrow, allDay], late);
    expect(ids(groups.today)).toEqual(ids([allDay]));
    expect(ids(groups.upcoming)).toEqual(ids([tomorrow]));
  });

  it("trusts the server's overdue flag when the client clock is behind", () => {
    const flagged = activity('2026-11-23', '13:00', { overdue: true });
    const groups = groupAgenda([flagged], now);
    expect(ids(groups.overdue)).toEqual([flagged.id]);
    expect(groups.today).toEqual([]);
  });

  it('gives empty sections for no activities', () => {
    expect(groupAgenda([], now)).toEqual({ overdue: [], today: [], upcoming: [] });
  });
});

describe('compareActivities', () => {
  it('orders by date, all-day first, then time, then id', () => {
    const a = activity('2026-11-24', '10:00');
    const b = activity('2026-11-24');
    const c = activity('2026-11-24', '09:00');
    const d = activity('2026-11-23', '23:00');
    const e = activity('2026-11-24', '09:00');
    expect(ids([a, b, c, d, e].sort(compareActivities))).toEqual(ids([d, b, c, e, a]));
  });
});

describe('groupByDay', () => {
  it('groups consecutive activities by due date', () => {
    const a = activity('2026-11-24');
    const b = activity('2026-11-24', '10:00');
    const c = activity('2026-11-26');
    expect(groupByDay([a, b, c]).map((d) => [d.date, ids(d.items)])).toEqual([
      ['2026-11-24', [a.id, b.id]],
      ['2026-11-26', [c.id]],
    ]);
    expect(groupByDay([])).toEqual([]);
  });
});

describe('inputs', () => {
  it.each([
    ['', null],
    ['  ', null],
    ['9:05', '09:05'],
    ['14:30', '14:30'],
    ['24:00', undefined],
    ['12:60', undefined],
    ['noon', undefined],
  ])('time %j → %j', (text, expected) => {
    expect(parseTimeInput(text)).toBe(expected);
  });
  it('knows real dates', () => {
    expect(isDateString('2026-11-23')).toBe(true);
    expect(isDateString('2026-02-30')).toBe(false);
    expect(isDateString('2026-1-3')).toBe(false);
    expect(isDateString('')).toBe(false);
  });
});
