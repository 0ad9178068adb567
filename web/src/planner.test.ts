import { describe, expect, it } from 'vitest';
import type { PipelinePlan } from './analytics_api';
import { basisPointsToPercent, buildPlanRequest, fillDefaults, formFromPlan, kEmptyPlanner, parsePercentInput, plannerFieldOf } from './planner';

describe('parsePercentInput', () => {
  it.each([
    ['80', 80],
    [' 80 % ', 80],
    ['12.5', 12.5],
    ['12,5', 12.5],
    ['.5', 0.5],
    ['0', 0],
    ['150', 150],
    ['-3', -3],
  ])('%j → %d', (text, expected) => {
    expect(parsePercentInput(text)).toBe(expected);
  });

  it.each(['', 'eighty', '1.2.3', '%'])('rejects %j', (text) => {
    expect(parsePercentInput(text)).toBeUndefined();
  });
});

describe('buildPlanRequest', () => {
  it('builds the seed example: 100,000.00 / 500.00 / 80% / 10 reps', () => {
    expect(buildPlanRequest({ target: '100000.00', average: '500.00', closeRate: '80', reps: '10' }, 'USD')).toEqual({
      ok: true,
      request: { target_minor: 10_000_000, average_deal_minor: 50_000, close_rate: 80, reps: 10 },
    });
  });

  it('leaves blank optional fields to history', () => {
    expect(buildPlanRequest({ ...kEmptyPlanner, target: '1,250' }, 'USD')).toEqual({ ok: true, request: { target_minor: 125_000 } });
  });

  it('checks the format only, leaving ranges to the server', () => {
    expect(buildPlanRequest({ target: '', average: 'abc', closeRate: 'lots', reps: '2.5' }, 'USD')).toEqual({
      ok: false,
      errors: {
        target: 'Enter a revenue target.',
        average: 'Enter a number, like 1250 or 1,250.50.',
        closeRate: 'Enter a percentage, like 25 or 12.5.',
        reps: 'Enter a whole number of reps.',
      },
    });
    expect(buildPlanRequest({ target: '10', average: '0', closeRate: '150', reps: '0' }, 'USD')).toEqual({
      ok: true,
      request: { target_minor: 1000, average_deal_minor: 0, close_rate: 150, reps: 0 },
    });
  });
});

describe('formFromPlan', () => {
  const plan: PipelinePlan = {
    currency: 'USD',
    input: { target_minor: 0, average_deal_minor: 52_550, close_rate_bp: 3125, reps: 5 },
    average_from_history: true,
    close_rate_from_history: true,
    reps_from_workspace: true,
    result: { deals_needed: 0, leads_needed: 0, leads_per_rep: 0 },
  };

  it('pre-fills from history, keeping a typed target', () => {
    expect(formFromPlan(plan)).toEqual({ target: '', average: '525.50', closeRate: '31.25', reps: '5' });
    expect(formFromPlan(plan, '9000')).toMatchObject({ target: '9000' });
    expect(formFromPlan({ ...plan, input: { ...plan.input, target_minor: 10_000_000 } }).target).toBe('100000.00');
    expect(basisPointsToPercent(8000)).toBe('80');
  });

  it('maps server fields to form fields', () => {
    expect(plannerFieldOf('target_minor')).toBe('target');
    expect(plannerFieldOf('average_deal_size')).toBe('average');
    expect(plannerFieldOf('close_rate')).toBe('closeRate');
    expect(plannerFieldOf('reps')).toBe('reps');
    expect(plannerFieldOf('period')).toBeNull();
  });
});

describe('fillDefaults', () => {
  it('fills only what the user has not typed in', () => {
    const typed = { target: '9000', average: '12', closeRate: '', reps: '' };
    const history = { target: '', average: '525.50', closeRate: '31.25', reps: '5' };
    expect(fillDefaults(typed, history, new Set(['target', 'average']))).toEqual({ target: '9000', average: '12', closeRate: '31.25', reps: '5' });
    expect(fillDefaults(typed, history, new Set())).toEqual(history);
  });
});
