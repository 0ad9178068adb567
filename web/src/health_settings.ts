// The health thresholds form (GET/PATCH /api/health-settings): each field as typed, the PATCH of
// the fields that changed, and a 422's field. Ranges are the server's rules (ValidateHealthSettings
// in core/metrics.h), shown next to the field it names; here only the format is checked.

import type { HealthSettings } from './analytics_api';
import type { Id } from './api';

export type NumberSettingKey = Exclude<keyof HealthSettings, 'late_stage_ids' | 'unqualified_reasons'>;

export interface NumberSettingSpec {
  key: NumberSettingKey;
  label: string;
  help: string;
  integer: boolean;
  suffix?: string;
}

export const kNumberSettings: readonly NumberSettingSpec[] = [
  { key: 'stuck_percentile', label: 'Stuck: percentile of past stays', help: '1–99. A deal is stuck when it has been in its stage longer than this share of past stays.', integer: true },
  { key: 'stuck_min_samples', label: 'Stuck: past stays needed', help: 'At least 1. Fewer known stays in a stage and nothing there is called stuck.', integer: true },
  { key: 'overload_factor', label: 'Overload: times the usual share', help: 'Above 1, at most 100.', integer: false, suffix: '×' },
  { key: 'overload_min_deals', label: 'Overload: open deals at least', help: 'At least 1.', integer: true },
  { key: 'late_stage_limit', label: 'Late-stage deals per rep', help: 'At least 1.', integer: true },
  { key: 'coverage_target', label: 'Coverage target', help: '0.1–100. Open pipeline ÷ what is left of a quota.', integer: false, suffix: '×' },
  { key: 'aged_percentile', label: 'Aged: percentile of won cycles', help: '1–99.', integer: true },
  { key: 'lookback_days', label: 'History to learn from', help: '7–3660 days.', integer: true, suffix: 'days' },
];

export interface SettingsForm {
  numbers: Record<NumberSettingKey, string>;
  lateStageIds: Id[];
  /** One reason per line. */
  reasons: string;
}

export type SettingsField = NumberSettingKey | 'late_stage_ids' | 'unqualified_reasons';
export type SettingsErrors = Partial<Record<SettingsField, string>>;

export function settingsToForm(s: HealthSettings): SettingsForm {
  const numbers = {} as Record<NumberSettingKey, string>;
  for (const spec of kNumberSettings) numbers[spec.key] = String(s[spec.key]);
  return { numbers, lateStageIds: [...s.late_stage_ids], reasons: s.unqualified_reasons.join('\n') };
}

function sameIds(a: readonly Id[], b: readonly Id[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export type SettingsBuild = { ok: true; patch: Partial<HealthSettings> } | { ok: false; errors: SettingsErrors };

/** The PATCH body with the fields that differ from `saved`; empty when nothing changed. */
export function buildSettingsPatch(form: SettingsForm, saved: HealthSettings): SettingsBuild {
  const errors: SettingsErrors = {};
  const patch: Partial<HealthSettings> = {};
  for (const spec of kNumberSettings) {
    const text = form.numbers[spec.key].trim().replace(',', '.');
    const ok = spec.integer ? /^[+-]?\d+$/.test(text) : /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(text);
    if (!ok) {
      errors[spec.key] = spec.integer ? 'Enter a whole number.' : 'Enter a number.';
      continue;
    }
    const value = Number(text);
    if (value !== saved[spec.key]) (patch as Record<string, number>)[spec.key] = value;
  }
  const ids = [...new Set(form.lateStageIds)].sort((a, b) => a - b);
  if (!sameIds(ids, [...saved.late_stage_ids].sort((a, b) => a - b))) patch.late_stage_ids = ids;
  const reasons = form.reasons
    .split('\n')
    .map((r) => r.trim())
    .filter((r) => r.length > 0);
  if (reasons.join('\n') !== saved.unqualified_reasons.join('\n')) patch.unqualified_reasons = reasons;
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, patch };
}

/** The form field of a 422 ("late_stage_ids[2]" and "unqualified_reasons[0]" name their list). */
export function settingsFieldOf(field: string | null | undefined): SettingsField | null {
  if (!field) return null;
  const base = field.replace(/\[\d+\]$/, '');
  if (base === 'late_stage_ids' || base === 'unqualified_reasons') return base;
  return kNumberSettings.some((s) => s.key === base) ? (base as NumberSettingKey) : null;
}
