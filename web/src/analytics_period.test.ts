import { describe, expect, it } from 'vitest';
import {
  apiScope,
  customRangeProblem,
  describePeriod,
  matchPreset,
  parsePeriod,
  pickPeriod,
  pickerValue,
  presetPeriod,
  readScope,
  searchText,
  shiftDay,
  writeScope,
  type ScopeState,
} from './analytics_period';
import { scopeQuery, queryString } from './analytics_api';

const today = '2026-11-23';
const none: ScopeState = { pipelineId: null, ownerId: null, teamId: null, period: null, from: null, to: null };

describe('presetPeriod', () => {
  it.each([
    ['this-month', '2026-11'],
    ['last-month', '2026-10'],
    ['this-quarter', '2026-Q4'],
    ['last-quarter', '2026-Q3'],
    ['this-year', '2026'],
  ] as const)('%s on %s', (key, expected) => {
    expect(presetPeriod(key, today)).toBe(expected);
  });

  it('crosses the year in January', () => {
    expect(presetPeriod('last-month', '2027-01-05')).toBe('2026-12');
    expect(presetPeriod('last-quarter', '2027-02-28')).toBe('2026-Q4');
    expect(presetPeriod('this-quarter', '2027-03-31')).toBe('2027-Q1');
  });

  it('matches a period back to its preset for today only', () => {
    expect(matchPreset('2026-10', today)).toBe('last-month');
    expect(matchPreset('2026-Q4', today)).toBe('this-quarter');
    expect(matchPreset('2025-11', today)).toBeNull();
  });
});

describe('parsePeriod', () => {
  it.each([
    ['2026-11', { unit: 'month', from: '2026-11-01', to: '2026-12-01' }],
    ['2026-12', { unit: 'month', from: '2026-12-01', to: '2027-01-01' }],
    ['2026-Q4', { unit: 'quarter', from: '2026-10-01', to: '2027-01-01' }],
    ['2026-Q1', { unit: 'quarter', from: '2026-01-01', to: '2026-04-01' }],
    ['2026', { unit: 'year', from: '2026-01-01', to: '2027-01-01' }],
    ['2026-11-23', { unit: 'day', from: '2026-11-23', to: '2026-11-24' }],
    // ISO week 48 of 2026 starts on Monday, November 23.
    ['2026-W48', { unit: 'week', from: '2026-11-23', to: '2026-11-30' }],
    // 2026-W01 starts on Monday, December 29, 2025.
    ['2026-W01', { unit: 'week', from: '2025-12-29', to: '2026-01-05' }],
    ['2026-W53', { unit: 'week', from: '2026-12-28', to: '2027-01-04' }],
  ])('%s', (text, expected) => {
    expect(parsePeriod(text)).toEqual(expected);
  });

  it.each(['2026-13', '2026-Q5', '2027-W53', '2026-W00', '2026-02-30', 'Nov 2026', '', '26'])('rejects %j', (text) => {
    expect(parsePeriod(text)).toBeNull();
  });
});

describe('scope in the URL', () => {
  it('reads ids, a named period, and a valid custom range', () => {
    expect(readScope(new URLSearchParams('pipeline_id=2&owner_id=5&team_id=x&period=2026-Q3'))).toEqual({
      pipelineId: 2,
      ownerId: 5,
      teamId: null,
      period: '2026-Q3',
      from: null,
      to: null,
    });
    expect(readScope(new URLSearchParams('from=2026-11-01&to=2026-11-15&period=2026'))).toEqual({ ...none, from: '2026-11-01', to: '2026-11-15' });
  });

  it('drops a malformed period and a backwards range', () => {
    expect(readScope(new URLSearchParams('period=nonsense'))).toEqual(none);
    expect(readScope(new URLSearchParams('from=2026-11-15&to=2026-11-01'))).toEqual(none);
  });

  it('asks the API for this month by default, and for from/to when custom', () => {
    expect(apiScope(none, today)).toEqual({ pipeline_id: null, owner_id: null, team_id: null, period: '2026-11' });
    const custom = apiScope({ ...none, ownerId: 3, from: '2026-01-01', to: '2026-02-01' }, today);
    expect(queryString(scopeQuery(custom))).toBe('?owner_id=3&from=2026-01-01&to=2026-02-01');
  });

  it('writes the scope, keeping other parameters', () => {
    const next = writeScope(new URLSearchParams('months=12&period=2026-10'), { ...none, pipelineId: 1, from: '2026-01-01', to: '2026-03-01' });
    expect(searchText(next)).toBe('?months=12&pipeline_id=1&from=2026-01-01&to=2026-03-01');
    expect(searchText(writeScope(next, { ...none, period: '2026-Q3' }))).toBe('?months=12&period=2026-Q3');
    expect(searchText(new URLSearchParams())).toBe('');
  });

  it('round-trips through the URL', () => {
    const scope: ScopeState = { pipelineId: 4, ownerId: null, teamId: 2, period: '2026-W48', from: null, to: null };
    expect(readScope(writeScope(new URLSearchParams(), scope))).toEqual(scope);
  });
});

describe('the picker', () => {
  it('shows the preset a period matches today, else the period itself', () => {
    expect(pickerValue(none, today)).toBe('this-month');
    expect(pickerValue({ ...none, period: '2026-Q3' }, today)).toBe('last-quarter');
    expect(pickerValue({ ...none, period: '2025-Q3' }, today)).toBe('other:2025-Q3');
    expect(pickerValue({ ...none, from: '2026-01-01', to: '2026-01-10' }, today)).toBe('custom');
  });

  it('turns a preset into its period and custom into the range shown so far', () => {
    expect(pickPeriod(none, 'last-month', today)).toEqual({ ...none, period: '2026-10' });
    expect(pickPeriod({ ...none, period: '2026-Q3' }, 'custom', today)).toEqual({ ...none, from: '2026-07-01', to: '2026-10-01' });
    const custom = { ...none, from: '2026-01-01', to: '2026-01-10' };
    expect(pickPeriod(custom, 'custom', today)).toBe(custom);
    expect(pickPeriod(custom, 'this-year', today)).toEqual({ ...none, period: '2026' });
  });

  it('checks a custom range', () => {
    expect(customRangeProblem('2026-11-01', '2026-11-02')).toBeNull();
    expect(customRangeProblem('', '2026-11-02')).toBe('Pick a start date.');
    expect(customRangeProblem('2026-11-01', '2026-13-02')).toBe('Pick an end date.');
    expect(customRangeProblem('2026-11-02', '2026-11-02')).toMatch(/on or after/);
    expect(customRangeProblem('2000-01-01', '2026-11-02')).toMatch(/3660 days/);
    expect(shiftDay('2026-12-31', 1)).toBe('2027-01-01');
  });
});

describe('describePeriod', () => {
  it.each([
    [{ unit: 'month', label: '2026-11', from: '2026-11-01', to: '2026-12-01' }, 'November 2026'],
    [{ unit: 'quarter', label: '2026-Q4', from: '2026-10-01', to: '2027-01-01' }, 'Q4 2026'],
    [{ unit: 'year', label: '2026', from: '2026-01-01', to: '2027-01-01' }, '2026'],
    [{ unit: 'week', label: '2026-W48', from: '2026-11-23', to: '2026-11-30' }, 'Week 48, 2026'],
    [{ unit: 'day', label: '2026-11-23', from: '2026-11-23', to: '2026-11-24' }, 'Nov 23, 2026'],
    [{ unit: 'custom', label: '2026-11-01..2026-11-14', from: '2026-11-01', to: '2026-11-15' }, 'Nov 1, 2026 – Nov 14, 2026'],
  ] as const)('%j → %s', (p, expected) => {
    expect(describePeriod(p)).toBe(expected);
  });
});
