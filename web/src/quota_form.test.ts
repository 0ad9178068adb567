import { describe, expect, it } from 'vitest';
import { buildQuota, emptyQuotaForm, formatQuotaAmount, quotaFieldOf } from './quota_form';
import { buildSettingsPatch, settingsFieldOf, settingsToForm } from './health_settings';
import type { HealthSettings } from './analytics_api';

describe('buildQuota', () => {
  const base = emptyQuotaForm('USD', '2026-11-23');

  it('starts as the company’s monthly won value from the first of the month', () => {
    expect(base).toMatchObject({ scope: 'company', period: 'month', metric: 'won_value', currency: 'USD', startsOn: '2026-11-01' });
  });

  it('builds a company won-value quota in minor units', () => {
    expect(buildQuota({ ...base, target: '50,000' })).toEqual({
      ok: true,
      input: { scope: 'company', period: 'month', metric: 'won_value', target: 5_000_000, currency: 'USD', starts_on: '2026-11-01' },
    });
  });

  it('needs the rep or team of its scope, and a count for other metrics', () => {
    expect(buildQuota({ ...base, scope: 'user', target: '1' })).toEqual({ ok: false, errors: { userId: 'Pick the rep.' } });
    expect(buildQuota({ ...base, scope: 'team', teamId: '2', metric: 'deals_won', target: '12', pipelineId: '1', period: 'quarter' })).toEqual({
      ok: true,
      input: { scope: 'team', team_id: 2, period: 'quarter', metric: 'deals_won', target: 12, pipeline_id: 1, starts_on: '2026-11-01' },
    });
    expect(buildQuota({ ...base, metric: 'activities_done', target: '2.5' })).toEqual({ ok: false, errors: { target: 'Enter a whole number.' } });
    expect(buildQuota({ ...base, currency: 'dollars', target: '5', startsOn: '' })).toEqual({
      ok: false,
      errors: { currency: 'Enter a three-letter currency code, like USD.', startsOn: 'Pick the first day it applies.' },
    });
  });

  it('formats amounts in the quota’s unit and maps fields', () => {
    expect(formatQuotaAmount({ metric: 'won_value', currency: 'EUR' }, 123456)).toBe('€1,234.56');
    expect(formatQuotaAmount({ metric: 'deals_won', currency: '' }, 1)).toBe('1 deal');
    expect(formatQuotaAmount({ metric: 'activities_done', currency: null }, 40)).toBe('40 activities');
    expect(quotaFieldOf('starts_on')).toBe('startsOn');
    expect(quotaFieldOf('nope')).toBeNull();
  });
});

describe('health settings form', () => {
  const saved: HealthSettings = {
    stuck_percentile: 90,
    stuck_min_samples: 5,
    overload_factor: 1.5,
    overload_min_deals: 5,
    late_stage_limit: 10,
    late_stage_ids: [4, 3],
    coverage_target: 3,
    aged_percentile: 90,
    unqualified_reasons: ['Unqualified', 'Not qualified'],
    lookback_days: 365,
  };

  it('sends only what changed', () => {
    const form = settingsToForm(saved);
    expect(form.numbers.overload_factor).toBe('1.5');
    expect(form.reasons).toBe('Unqualified\nNot qualified');
    expect(buildSettingsPatch(form, saved)).toEqual({ ok: true, patch: {} });
    // Same ids in another order are no change.
    expect(buildSettingsPatch({ ...form, lateStageIds: [3, 4] }, saved)).toEqual({ ok: true, patch: {} });
    const changed = { ...form, numbers: { ...form.numbers, stuck_percentile: '80', coverage_target: '2,5' }, lateStageIds: [5], reasons: 'Unqualified\n\n  Spam  \n' };
    expect(buildSettingsPatch(changed, saved)).toEqual({
      ok: true,
      patch: { stuck_percentile: 80, coverage_target: 2.5, late_stage_ids: [5], unqualified_reasons: ['Unqualified', 'Spam'] },
    });
  });

  it('checks the number format and maps list fields', () => {
    const form = settingsToForm(saved);
    expect(buildSettingsPatch({ ...form, numbers: { ...form.numbers, lookback_days: '30.5', overload_factor: 'x' } }, saved)).toEqual({
      ok: false,
      errors: { overload_factor: 'Enter a number.', lookback_days: 'Enter a whole number.' },
    });
    expect(settingsFieldOf('late_stage_ids[1]')).toBe('late_stage_ids');
    expect(settingsFieldOf('unqualified_reasons[0]')).toBe('unqualified_reasons');
    expect(settingsFieldOf('aged_percentile')).toBe('aged_percentile');
    expect(settingsFieldOf('bogus')).toBeNull();
  });
});
