// The deal page's pure rules: which field a server error belongs to, what each inline editor sends
// (PATCH /api/deals/{id} bodies), how probability and stage events read, and how timeline entries
// are dated. No I/O; the components in components/deal_*.tsx use these.

import type { Activity, ActivityType, Deal, DealPatch, Id, Instant, Stage, StageEvent } from './api';
import { formatDay } from './format';
import { parseMoneyInput } from './money';

/** The deal page's editable fields, each with its own inline editor. */
export type DealField = 'title' | 'value' | 'close' | 'owner' | 'person' | 'org' | 'source' | 'probability';

/** Server field names (docs/api.md, 422 `error.field`) → the editor that shows the error. */
const kServerFields: Record<string, DealField> = {
  title: 'title',
  value_minor: 'value',
  currency: 'value',
  expected_close_date: 'close',
  owner_id: 'owner',
  person_id: 'person',
  org_id: 'org',
  source: 'source',
  probability: 'probability',
};

/** The editor a 422 naming `serverField` is shown in; the open one when the field is unknown. */
export function fieldForServerError(serverField: string | null, editing: DealField): DealField {
  return (serverField !== null && kServerFields[serverField]) || editing;
}

/** A server message as a sentence: "must not be negative" → "Must not be negative." */
export function sentence(message: string): string {
  const s = message.trim();
  if (!s) return s;
  const capital = s[0]!.toUpperCase() + s.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

export type PatchResult = { ok: true; patch: DealPatch } | { ok: false; message: string };

/**
 * The PATCH body for an edited text field. An empty title is sent as it is (the server names the
 * mistake); an empty source clears it (null).
 */
export function textPatch(field: 'title' | 'source', text: string): PatchResult {
  const value = text.trim();
  if (field === 'title') return { ok: true, patch: { title: value } };
  return { ok: true, patch: { source: value === '' ? null : value } };
}

/** Value and currency: the amount as typed, in the currency's minor units. A sign goes to the server to judge. */
export function valuePatch(text: string, currency: string): PatchResult {
  if (text.trim() === '') return { ok: true, patch: { value_minor: 0, currency } };
  const parsed = parseMoneyInput(text, currency);
  if (!parsed.ok) return { ok: false, message: parsed.message };
  return { ok: true, patch: { value_minor: parsed.minor, currency } };
}

/** Expected close date from an <input type="date"> ("YYYY-MM-DD", "" clears it). */
export function closeDatePatch(text: string): PatchResult {
  const value = text.trim();
  if (value === '') return { ok: true, patch: { expected_close_date: null } };
  if (!/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(value)) return { ok: false, message: 'Enter a date like 2026-12-31.' };
  return { ok: true, patch: { expected_close_date: value } };
}

/**
 * The probability override as typed: a whole number (the server rules on the range), or "" to
 * follow the stage again (null).
 */
export function probabilityPatch(text: string): PatchResult {
  const value = text.trim().replace(/\s*%$/, '');
  if (value === '') return { ok: true, patch: { probability: null } };
  if (!/^-?[0-9]{1,6}$/.test(value)) return { ok: false, message: 'Enter a whole number from 0 to 100, or clear the override.' };
  return { ok: true, patch: { probability: Number(value) } };
}

/** The deal's probability and where it comes from. */
export function effectiveProbability(deal: Pick<Deal, 'probability'>, stage: Pick<Stage, 'probability' | 'name'> | null): {
  value: number | null;
  source: 'override' | 'stage';
} {
  if (deal.probability !== null) return { value: deal.probability, source: 'override' };
  return { value: stage ? stage.probability : null, source: 'stage' };
}

/** True when the patch changes nothing on `deal` (no request is needed). */
export function patchIsNoop(deal: Deal, patch: DealPatch): boolean {
  return (Object.keys(patch) as Array<keyof DealPatch>).every((k) => deal[k] === patch[k]);
}

type StageName = (id: Id | null) => string | null;

/** A stage event as a sentence: "Moved from Qualification to Proposal". */
export function describeStageEvent(event: StageEvent, stageName: StageName): string {
  const to = stageName(event.to_stage_id) ?? 'another stage';
  const from = stageName(event.from_stage_id) ?? 'another stage';
  switch (event.kind) {
    case 'created':
      return `Created in ${to}`;
    case 'stage_changed':
      if (event.from_pipeline_id !== null && event.to_pipeline_id !== null && event.from_pipeline_id !== event.to_pipeline_id) {
        return `Moved to another pipeline: ${from} → ${to}`;
      }
      return `Moved from ${from} to ${to}`;
    case 'won':
      return 'Marked as won';
    case 'lost':
      return event.lost_reason ? `Marked as lost: ${event.lost_reason}` : 'Marked as lost';
    case 'reopened':
      return `Reopened in ${to}`;
  }
}

const kActivityTypes: Record<ActivityType, string> = {
  call: 'Call',
  meeting: 'Meeting',
  email: 'Email',
  task: 'Task',
  deadline: 'Deadline',
};

export const kActivityTypeList = Object.keys(kActivityTypes) as ActivityType[];

export function activityTypeLabel(type: ActivityType): string {
  return kActivityTypes[type] ?? type;
}

/** An instant for a person, in UTC like every time in the API: "Today 14:30", "Nov 20, 09:05". */
export function formatInstant(at: Instant, today: string, locale?: string): string {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) return at;
  const iso = new Date(ms).toISOString();
  const day = formatDay(iso.slice(0, 10), today, locale);
  const sep = /^(Today|Tomorrow|Yesterday)$/.test(day) ? ' ' : ', ';
  return `${day}${sep}${iso.slice(11, 16)}`;
}

/** When an activity is (or was) due: "Tomorrow 10:00", "Nov 20" (no time: the whole day). */
export function activityWhen(activity: Pick<Activity, 'due_date' | 'due_time'>, today: string, locale?: string): string {
  const day = formatDay(activity.due_date, today, locale);
  if (!activity.due_time) return day;
  const sep = /^(Today|Tomorrow|Yesterday)$/.test(day) ? ' ' : ', ';
  return `${day}${sep}${activity.due_time}`;
}

export interface ActivityDraft {
  type: ActivityType;
  subject: string;
  dueDate: string;
  dueTime: string;
}

export type ActivityCheck = { ok: true } | { ok: false; field: 'subject' | 'due_date' | 'due_time'; message: string };

/** What the browser can tell before sending a new activity; the server judges the rest. */
export function checkActivityDraft(draft: ActivityDraft): ActivityCheck {
  if (!draft.subject.trim()) return { ok: false, field: 'subject', message: 'Enter a subject.' };
  if (draft.dueDate && !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(draft.dueDate)) {
    return { ok: false, field: 'due_date', message: 'Enter a date like 2026-12-31.' };
  }
  if (draft.dueTime && !/^[0-9]{2}:[0-9]{2}$/.test(draft.dueTime)) {
    return { ok: false, field: 'due_time', message: 'Enter a time like 14:30.' };
  }
  return { ok: true };
}
