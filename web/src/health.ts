// Pipeline health as the health page (components/health.tsx) shows it: each flag's human title and
// what it means, its thresholds in words from the report's settings, the findings grouped by flag,
// which deals are selected for a cleanup action, the bulk request built from the action form, and
// a bulk error naming "deal_ids[3]" turned into the deal's title.

import type { BulkRequest, FlaggedDeal, HealthFinding, HealthFlag, HealthReport, HealthSettings, ReportNames } from './analytics_api';
import { kHealthFlags, nameOf } from './analytics_api';
import type { DateString, Id } from './api';
import { isDate } from './analytics_period';
import { formatNumber } from './analytics_format';

export interface FlagInfo {
  title: string;
  /** What raising it means, in one sentence. */
  description: string;
  /** Raised per deal (one finding listing the deals) rather than per stage, rep or quota. */
  perDeal: boolean;
}

export const kFlagInfo: Record<HealthFlag, FlagInfo> = {
  rotting: { title: 'Rotting deals', description: 'No activity for longer than their stage allows.', perDeal: true },
  stuck: { title: 'Stuck in a stage', description: 'In their stage much longer than deals usually stay there.', perDeal: true },
  overdue: { title: 'Overdue next steps', description: 'Their next activity is past its due date.', perDeal: true },
  no_next_activity: { title: 'No next step', description: 'Open deals with no activity planned.', perDeal: true },
  stage_overload: { title: 'Overloaded stages', description: 'A stage holds far more of the open deals than it usually does.', perDeal: false },
  late_stage_overload: { title: 'Late-stage overload', description: 'A rep carries more late-stage deals than anyone can close well.', perDeal: false },
  thin_pipeline: { title: 'Thin pipeline', description: 'Not enough open pipeline to reach what is left of a quota.', perDeal: false },
  unqualified_effort: { title: 'Effort on unqualified deals', description: 'Work went into deals that were then lost as unqualified.', perDeal: false },
  aged: { title: 'Aged deals', description: 'Open longer than nearly every deal that was won took.', perDeal: true },
};

export function flagTitle(flag: HealthFlag): string {
  return kFlagInfo[flag]?.title ?? flag;
}

function ordinal(n: number): string {
  const mod100 = n % 100;
  if (mod100 >= 11 && mod100 <= 13) return `${n}th`;
  switch (n % 10) {
    case 1:
      return `${n}st`;
    case 2:
      return `${n}nd`;
    case 3:
      return `${n}rd`;
    default:
      return `${n}th`;
  }
}

function quoteList(items: readonly string[]): string {
  const quoted = items.map((s) => `“${s}”`);
  if (quoted.length <= 1) return quoted.join('');
  return `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}`;
}

/** The thresholds a flag is raised by, in words, from the report's settings. */
export function flagThresholds(flag: HealthFlag, s: HealthSettings, names: ReportNames | undefined): string[] {
  const history = `Thresholds learn from the last ${formatNumber(s.lookback_days, 0)} days of history.`;
  switch (flag) {
    case 'rotting':
      return ["Limit: the stage's rotting days (set per stage in Settings)."];
    case 'stuck':
      return [
        `Longer in the stage than the ${ordinal(s.stuck_percentile)} percentile of past stays there.`,
        `Only for stages with at least ${formatNumber(s.stuck_min_samples, 0)} past stays.`,
        history,
      ];
    case 'overdue':
      return ['Any open activity past its due date.'];
    case 'no_next_activity':
      return ['No open activity planned on the deal.'];
    case 'stage_overload':
      return [
        `A stage's share of open deals above ${formatNumber(s.overload_factor, 2)}× its usual share,`,
        `and at least ${formatNumber(s.overload_min_deals, 0)} open deals in it.`,
        history,
      ];
    case 'late_stage_overload': {
      const stages = s.late_stage_ids.length
        ? s.late_stage_ids.map((id) => nameOf(names?.stages, id, 'Stage')).join(', ')
        : 'stages named proposal, quote or negotiation';
      return [`More than ${formatNumber(s.late_stage_limit, 0)} open deals per rep in late stages (${stages}).`];
    }
    case 'thin_pipeline':
      return [`Pipeline coverage below ${formatNumber(s.coverage_target, 2)}× what is left of a quota.`];
    case 'unqualified_effort':
      return [`Activities done on deals lost as ${quoteList(s.unqualified_reasons)}.`, history];
    case 'aged':
      return [`Open longer than the ${ordinal(s.aged_percentile)} percentile of won sales cycles.`, history];
  }
}

/** What a finding is about, beyond its flag: the stage, the rep or the quota; "" for per-deal flags. */
export function findingSubject(f: HealthFinding, names: ReportNames | undefined): string {
  if (f.stage_id) return nameOf(names?.stages, f.stage_id, 'Stage');
  if (f.owner_id) return nameOf(names?.users, f.owner_id, 'User');
  if (f.quota_id) return `Quota #${f.quota_id}`;
  return '';
}

/** A stable key of a finding within a report. */
export function findingKey(f: HealthFinding): string {
  return `${f.flag}|${f.stage_id ?? ''}|${f.owner_id ?? ''}|${f.quota_id ?? ''}`;
}

export interface FlagGroup {
  flag: HealthFlag;
  info: FlagInfo;
  findings: HealthFinding[];
  /** Deals listed (not snoozed) across the group's findings. */
  dealCount: number;
  snoozedCount: number;
}

/** The report's findings by flag, in the flags' order; flags with no finding are left out. */
export function groupFindings(report: Pick<HealthReport, 'findings'>): FlagGroup[] {
  const groups: FlagGroup[] = [];
  const order = new Map(kHealthFlags.map((f, i) => [f, i]));
  const flags = [...new Set(report.findings.map((f) => f.flag))].sort((a, b) => (order.get(a) ?? 99) - (order.get(b) ?? 99));
  for (const flag of flags) {
    const findings = report.findings.filter((f) => f.flag === flag);
    groups.push({
      flag,
      info: kFlagInfo[flag] ?? { title: flag, description: '', perDeal: false },
      findings,
      dealCount: findings.reduce((n, f) => n + f.deals.length, 0),
      snoozedCount: findings.reduce((n, f) => n + f.snoozed.length, 0),
    });
  }
  return groups;
}

/** Snoozed deals across the report, each with the flag it is snoozed for. */
export function snoozedDeals(report: Pick<HealthReport, 'findings'>): Array<{ flag: HealthFlag; deal: FlaggedDeal }> {
  const seen = new Set<string>();
  const out: Array<{ flag: HealthFlag; deal: FlaggedDeal }> = [];
  for (const f of report.findings) {
    for (const d of f.snoozed) {
      const key = `${d.deal_id}|${f.flag}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ flag: f.flag, deal: d });
    }
  }
  return out;
}

// ---- Selection ----------------------------------------------------------------------------------

/** The deals selected for a cleanup action, by id: one deal is one choice in every finding. */
export type Selection = ReadonlySet<Id>;

export function toggleDeal(sel: Selection, id: Id, on: boolean): Selection {
  const next = new Set(sel);
  if (on) next.add(id);
  else next.delete(id);
  return next;
}

/** Selects (or clears) all of `ids` at once: a finding's "select all". */
export function setAll(sel: Selection, ids: readonly Id[], on: boolean): Selection {
  const next = new Set(sel);
  for (const id of ids) {
    if (on) next.add(id);
    else next.delete(id);
  }
  return next;
}

/** Whether all, some or none of `ids` are selected (the "select all" box's state). */
export function selectionState(sel: Selection, ids: readonly Id[]): 'all' | 'some' | 'none' {
  const n = ids.filter((id) => sel.has(id)).length;
  if (n === 0) return 'none';
  return n === ids.length ? 'all' : 'some';
}

/** The selected deals the report still lists (after a reload some are gone), in report order. */
export function selectedDeals(report: Pick<HealthReport, 'findings'>, sel: Selection): FlaggedDeal[] {
  const out: FlaggedDeal[] = [];
  const seen = new Set<Id>();
  for (const f of report.findings) {
    for (const d of f.deals) {
      if (!sel.has(d.deal_id) || seen.has(d.deal_id)) continue;
      seen.add(d.deal_id);
      out.push(d);
    }
  }
  return out;
}

/** The selection without the deals the report no longer lists. */
export function pruneSelection(report: Pick<HealthReport, 'findings'>, sel: Selection): Selection {
  const kept = selectedDeals(report, sel).map((d) => d.deal_id);
  return kept.length === sel.size ? sel : new Set(kept);
}

// ---- Bulk actions -------------------------------------------------------------------------------

export type BulkAction = 'reassign' | 'last_chance' | 'mark_lost';

export interface BulkForm {
  action: BulkAction;
  ownerId: string;
  dueDate: string;
  subject: string;
  /** A lost reason id, or "other" for the free text. */
  lostReasonId: string;
  lostReasonText: string;
}

export type BulkField = 'ownerId' | 'dueDate' | 'subject' | 'lostReasonId' | 'lostReasonText';

export type BulkBuild = { ok: true; request: BulkRequest } | { ok: false; field: BulkField | null; message: string };

/** The request for the chosen action on `dealIds`, or what must be fixed in the form first. */
export function buildBulk(form: BulkForm, dealIds: readonly Id[]): BulkBuild {
  if (dealIds.length === 0) return { ok: false, field: null, message: 'Select at least one deal.' };
  const deal_ids = [...dealIds];
  switch (form.action) {
    case 'reassign': {
      if (!/^[1-9][0-9]*$/.test(form.ownerId)) return { ok: false, field: 'ownerId', message: 'Pick the new owner.' };
      return { ok: true, request: { action: 'reassign', deal_ids, owner_id: Number(form.ownerId) } };
    }
    case 'last_chance': {
      if (form.dueDate && !isDate(form.dueDate)) return { ok: false, field: 'dueDate', message: 'Pick a due date.' };
      const subject = form.subject.trim();
      return {
        ok: true,
        request: { action: 'last_chance', deal_ids, ...(form.dueDate ? { due_date: form.dueDate } : {}), ...(subject ? { subject } : {}) },
      };
    }
    case 'mark_lost': {
      if (form.lostReasonId && form.lostReasonId !== 'other') {
        if (!/^[1-9][0-9]*$/.test(form.lostReasonId)) return { ok: false, field: 'lostReasonId', message: 'Pick a reason.' };
        return { ok: true, request: { action: 'mark_lost', deal_ids, lost_reason_id: Number(form.lostReasonId) } };
      }
      const text = form.lostReasonText.trim();
      if (!text) {
        return form.lostReasonId === 'other'
          ? { ok: false, field: 'lostReasonText', message: 'Say why the deals were lost.' }
          : { ok: false, field: 'lostReasonId', message: 'Pick a reason or write one.' };
      }
      return { ok: true, request: { action: 'mark_lost', deal_ids, lost_reason: text } };
    }
  }
}

/** The index in "deal_ids[3]", or null for another field. */
export function dealIndexOfField(field: string | null | undefined): number | null {
  const m = field ? /^deal_ids\[(\d+)\]$/.exec(field) : null;
  return m ? Number(m[1]) : null;
}

/** The form field a bulk error's `field` belongs to. */
export function bulkFieldOf(field: string | null | undefined): BulkField | null {
  switch (field) {
    case 'owner_id':
      return 'ownerId';
    case 'due_date':
      return 'dueDate';
    case 'subject':
      return 'subject';
    case 'lost_reason_id':
      return 'lostReasonId';
    case 'lost_reason':
      return 'lostReasonText';
    default:
      return null;
  }
}

/**
 * A refused bulk action in words: an error naming "deal_ids[i]" names the deal sent at i (by
 * title when known): `“Acme renewal” (deal #12): the deal is closed`.
 */
export function bulkErrorText(
  message: string,
  field: string | null | undefined,
  sentIds: readonly Id[],
  titleOf: (id: Id) => string | null,
): { dealId: Id | null; text: string } {
  const index = dealIndexOfField(field);
  const dealId = index === null ? null : (sentIds[index] ?? null);
  let reason = message.replace(/\.$/, '');
  if (dealId === null) return { dealId: null, text: `Nothing was changed: ${reason}.` };
  // "deal 305 is already won" after the deal's name would name it twice.
  reason = reason.replace(new RegExp(`^deal #?${dealId}\\b:?\\s*`, 'i'), '');
  const title = titleOf(dealId);
  const who = title ? `“${title}” (deal #${dealId})` : `Deal #${dealId}`;
  // The API's messages leave the subject out ("is closed", "must be open"): such a message
  // follows the deal's name as a sentence; any other is quoted after a colon.
  const joined = /^(is|was|has|had|must|cannot|can't|does|did|already|no longer|belongs)\b/.test(reason) ? ` ${reason}` : `: ${reason}`;
  return { dealId, text: `Nothing was changed. ${who}${joined}.` };
}

/** A snooze form's problem, or null: a reason, and a date after `today`. */
export function snoozeProblem(until: string, reason: string, today: DateString): { field: 'until' | 'reason'; message: string } | null {
  if (!isDate(until)) return { field: 'until', message: 'Pick the date the flag may come back.' };
  if (until <= today) return { field: 'until', message: 'Pick a date after today.' };
  if (!reason.trim()) return { field: 'reason', message: 'Say why this can wait.' };
  return null;
}

/** "Showing the 200 worst of 340." when a finding's list stops short of its deals, else null. */
export function truncationNote(f: Pick<HealthFinding, 'deal_count' | 'deals' | 'snoozed'>): string | null {
  const listed = f.deals.length + f.snoozed.length;
  if (typeof f.deal_count !== 'number' || f.deal_count <= listed) return null;
  return `Showing the ${formatNumber(f.deals.length, 0)} worst of ${formatNumber(f.deal_count, 0)}.`;
}

/** How many of a finding's deals show before "Show all". */
export const kFindingRows = 10;

/** The deals a finding shows: the first kFindingRows (the worst) unless expanded. */
export function visibleDeals<T>(deals: readonly T[], expanded: boolean): T[] {
  return expanded || deals.length <= kFindingRows ? [...deals] : deals.slice(0, kFindingRows);
}
