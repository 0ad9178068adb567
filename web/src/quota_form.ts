// The quotas editor on the dashboard: the create form as typed → POST /api/quotas, a quota's
// target in its unit, and a 422's field mapped back to the form.

import type { Quota, QuotaInput, QuotaMetric, QuotaPeriod, QuotaScope } from './analytics_api';
import type { DateString } from './api';
import { isDate } from './analytics_period';
import { formatCount } from './analytics_format';
import { formatMoney, parseMoneyInput } from './money';

export interface QuotaForm {
  scope: QuotaScope;
  userId: string;
  teamId: string;
  period: QuotaPeriod;
  metric: QuotaMetric;
  target: string;
  currency: string;
  pipelineId: string;
  startsOn: string;
}

export type QuotaField = keyof QuotaForm;
export type QuotaErrors = Partial<Record<QuotaField, string>>;

export const kQuotaScopes: ReadonlyArray<{ value: QuotaScope; label: string }> = [
  { value: 'user', label: 'A rep' },
  { value: 'team', label: 'A team' },
  { value: 'company', label: 'The company' },
];

export const kQuotaPeriods: ReadonlyArray<{ value: QuotaPeriod; label: string }> = [
  { value: 'week', label: 'Every week' },
  { value: 'month', label: 'Every month' },
  { value: 'quarter', label: 'Every quarter' },
];

export const kQuotaMetrics: ReadonlyArray<{ value: QuotaMetric; label: string }> = [
  { value: 'won_value', label: 'Won value' },
  { value: 'deals_won', label: 'Deals won' },
  { value: 'activities_done', label: 'Activities done' },
];

/** A new form: the company's monthly won value from the first of this month. */
export function emptyQuotaForm(currency: string, today: DateString): QuotaForm {
  return {
    scope: 'company',
    userId: '',
    teamId: '',
    period: 'month',
    metric: 'won_value',
    target: '',
    currency,
    pipelineId: '',
    startsOn: `${today.slice(0, 7)}-01`,
  };
}

const kId = /^[1-9][0-9]*$/;

export type QuotaBuild = { ok: true; input: QuotaInput } | { ok: false; errors: QuotaErrors };

export function buildQuota(form: QuotaForm): QuotaBuild {
  const errors: QuotaErrors = {};
  const input: QuotaInput = { scope: form.scope, period: form.period, metric: form.metric, target: 0, starts_on: form.startsOn };
  if (form.scope === 'user') {
    if (kId.test(form.userId)) input.user_id = Number(form.userId);
    else errors.userId = 'Pick the rep.';
  }
  if (form.scope === 'team') {
    if (kId.test(form.teamId)) input.team_id = Number(form.teamId);
    else errors.teamId = 'Pick the team.';
  }
  const currency = form.currency.trim().toUpperCase();
  if (form.metric === 'won_value') {
    if (!/^[A-Z]{3}$/.test(currency)) errors.currency = 'Enter a three-letter currency code, like USD.';
    else input.currency = currency;
  }
  if (!form.target.trim()) errors.target = 'Enter a target.';
  else if (form.metric === 'won_value') {
    const parsed = parseMoneyInput(form.target, /^[A-Z]{3}$/.test(currency) ? currency : 'USD');
    if (parsed.ok) input.target = parsed.minor;
    else errors.target = parsed.message;
  } else if (/^\d+$/.test(form.target.trim())) input.target = Number(form.target.trim());
  else errors.target = 'Enter a whole number.';
  if (kId.test(form.pipelineId)) input.pipeline_id = Number(form.pipelineId);
  if (!isDate(form.startsOn)) errors.startsOn = 'Pick the first day it applies.';
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, input };
}

export function quotaFieldOf(field: string | null | undefined): QuotaField | null {
  switch (field) {
    case 'scope':
      return 'scope';
    case 'user_id':
      return 'userId';
    case 'team_id':
      return 'teamId';
    case 'period':
      return 'period';
    case 'metric':
      return 'metric';
    case 'target':
      return 'target';
    case 'currency':
      return 'currency';
    case 'pipeline_id':
      return 'pipelineId';
    case 'starts_on':
      return 'startsOn';
    default:
      return null;
  }
}

/** An amount in a quota's unit: money for won value, else a count ("12 deals", "40 activities"). */
export function formatQuotaAmount(q: Pick<Quota, 'metric' | 'currency'>, amount: number): string {
  switch (q.metric) {
    case 'won_value':
      return formatMoney(amount, q.currency || 'USD');
    case 'deals_won':
      return `${formatCount(amount)} ${amount === 1 ? 'deal' : 'deals'}`;
    case 'activities_done':
      return `${formatCount(amount)} ${amount === 1 ? 'activity' : 'activities'}`;
  }
}

export function metricLabel(m: QuotaMetric): string {
  return kQuotaMetrics.find((x) => x.value === m)?.label ?? m;
}

export function periodLabel(p: QuotaPeriod): string {
  return { week: 'Weekly', month: 'Monthly', quarter: 'Quarterly' }[p] ?? p;
}
