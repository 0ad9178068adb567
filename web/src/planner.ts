// The pipeline planner's form (dashboard): from a revenue target to the deals and leads needed.
// The server computes the plan (GET /api/analytics/plan); this module turns what was typed into
// the request, pre-fills the form from a plan's inputs (history and the workspace's reps), and maps
// a 422's field to the form field it belongs to. Only the format is checked here (a number, a
// whole number of reps); the ranges are the server's rules, shown next to the field it names.

import type { PipelinePlan, PlanRequest } from './analytics_api';
import { minorToInput, parseMoneyInput } from './money';

export interface PlannerForm {
  target: string;
  average: string;
  /** Percent, "80" or "12.5". */
  closeRate: string;
  reps: string;
}

export type PlannerField = keyof PlannerForm;

export type PlannerErrors = Partial<Record<PlannerField, string>>;

export const kEmptyPlanner: PlannerForm = { target: '', average: '', closeRate: '', reps: '' };

/** A percentage as typed ("80", "80%", "12.5", "12,5"), or undefined when it is not a number. */
export function parsePercentInput(text: string): number | undefined {
  const t = text.trim().replace(/%$/, '').trim().replace(',', '.');
  if (!/^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t)) return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

export type PlanBuild = { ok: true; request: PlanRequest } | { ok: false; errors: PlannerErrors };

/** The planner request from the form; a blank optional field leaves it to history. */
export function buildPlanRequest(form: PlannerForm, currency: string): PlanBuild {
  const errors: PlannerErrors = {};
  const request: PlanRequest = { target_minor: 0 };
  if (!form.target.trim()) errors.target = 'Enter a revenue target.';
  else {
    const t = parseMoneyInput(form.target, currency);
    if (t.ok) request.target_minor = t.minor;
    else errors.target = t.message;
  }
  if (form.average.trim()) {
    const a = parseMoneyInput(form.average, currency);
    if (a.ok) request.average_deal_minor = a.minor;
    else errors.average = a.message;
  }
  if (form.closeRate.trim()) {
    const r = parsePercentInput(form.closeRate);
    if (r === undefined) errors.closeRate = 'Enter a percentage, like 25 or 12.5.';
    else request.close_rate = r;
  }
  if (form.reps.trim()) {
    const t = form.reps.trim();
    if (!/^[+-]?\d+$/.test(t)) errors.reps = 'Enter a whole number of reps.';
    else request.reps = Number(t);
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, request };
}

/** A close rate in basis points as the form shows it: 8000 → "80", 1250 → "12.5". */
export function basisPointsToPercent(bp: number): string {
  return String(Math.round(bp) / 100);
}

/**
 * The form filled from a plan's inputs (what history and the workspace gave). The target is kept
 * as typed when given, else the plan's target when it is not zero.
 */
export function formFromPlan(plan: PipelinePlan, target?: string): PlannerForm {
  const currency = plan.currency;
  return {
    target: target ?? (plan.input.target_minor > 0 ? minorToInput(plan.input.target_minor, currency) : ''),
    average: plan.input.average_deal_minor > 0 ? minorToInput(plan.input.average_deal_minor, currency) : '',
    closeRate: plan.input.close_rate_bp > 0 ? basisPointsToPercent(plan.input.close_rate_bp) : '',
    reps: plan.input.reps > 0 ? String(plan.input.reps) : '',
  };
}

/** `form` with history's `defaults` in the fields the user has not typed in (`touched`). */
export function fillDefaults(form: PlannerForm, defaults: PlannerForm, touched: ReadonlySet<PlannerField>): PlannerForm {
  const next = { ...form };
  for (const key of Object.keys(defaults) as PlannerField[]) {
    if (!touched.has(key)) next[key] = defaults[key];
  }
  return next;
}

/** The form field a planner error names (the route's parameters and the planner's names). */
export function plannerFieldOf(field: string | null | undefined): PlannerField | null {
  switch (field) {
    case 'target':
    case 'target_minor':
      return 'target';
    case 'average_deal_size':
    case 'average_deal_minor':
      return 'average';
    case 'close_rate':
    case 'close_rate_bp':
      return 'closeRate';
    case 'reps':
      return 'reps';
    default:
      return null;
  }
}
