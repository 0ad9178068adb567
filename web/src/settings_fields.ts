// The settings page's pure logic: reading the stage form's number fields and the PATCH a stage form
// sends (changed fields only).

import type { Stage, StageInput } from './api';

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

/** A win probability 0–100 (whole percent). */
export function parseProbability(text: string): Parsed<number> {
  const t = text.trim().replace(/%$/, '').trim();
  if (!t) return { ok: false, message: 'Enter a probability from 0 to 100.' };
  if (!/^\d+$/.test(t)) return { ok: false, message: 'Enter a whole number from 0 to 100.' };
  const n = Number(t);
  if (n > 100) return { ok: false, message: 'Must be between 0 and 100.' };
  return { ok: true, value: n };
}

/** Rotting limit in days: empty means none (null); else a whole number 1–3650. */
export function parseRottingDays(text: string): Parsed<number | null> {
  const t = text.trim();
  if (!t) return { ok: true, value: null };
  if (!/^\d+$/.test(t)) return { ok: false, message: 'Enter a whole number of days, or leave it empty for none.' };
  const n = Number(t);
  if (n < 1 || n > 3650) return { ok: false, message: 'Must be between 1 and 3650 days (empty for none).' };
  return { ok: true, value: n };
}

export interface StageDraft {
  name: string;
  probability: string;
  rottingDays: string;
  playbook: string;
}

export function stageDraft(s: Stage): StageDraft {
  return {
    name: s.name,
    probability: String(s.probability),
    rottingDays: s.rotting_days === null ? '' : String(s.rotting_days),
    playbook: s.playbook ?? '',
  };
}

export type StageField = 'name' | 'probability' | 'rotting_days' | 'playbook';

/**
 * The PATCH for a stage form: only the fields that changed, or the errors the browser can see
 * already (keyed by the API's field names).
 */
export function stageChanges(
  stage: Stage,
  draft: StageDraft,
): { ok: true; patch: StageInput } | { ok: false; errors: Partial<Record<StageField, string>> } {
  const errors: Partial<Record<StageField, string>> = {};
  const patch: StageInput = {};
  const name = draft.name.trim();
  if (!name) errors.name = 'Enter a name.';
  else if (name !== stage.name) patch.name = name;
  const probability = parseProbability(draft.probability);
  if (!probability.ok) errors.probability = probability.message;
  else if (probability.value !== stage.probability) patch.probability = probability.value;
  const rotting = parseRottingDays(draft.rottingDays);
  if (!rotting.ok) errors.rotting_days = rotting.message;
  else if (rotting.value !== stage.rotting_days) patch.rotting_days = rotting.value;
  if (draft.playbook !== (stage.playbook ?? '')) patch.playbook = draft.playbook;
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, patch };
}

export function isStageDirty(stage: Stage, draft: StageDraft): boolean {
  const d = stageDraft(stage);
  return d.name !== draft.name || d.probability !== draft.probability.trim() || d.rottingDays !== draft.rottingDays.trim() || d.playbook !== draft.playbook;
}
