import { describe, expect, it } from 'vitest';
import type { FlaggedDeal, HealthFinding, HealthSettings, ReportNames } from './analytics_api';
import {
  buildBulk,
  bulkErrorText,
  bulkFieldOf,
  dealIndexOfField,
  findingKey,
  findingSubject,
  flagThresholds,
  flagTitle,
  groupFindings,
  pruneSelection,
  selectedDeals,
  selectionState,
  setAll,
  snoozeProblem,
  snoozedDeals,
  toggleDeal,
  truncationNote,
  visibleDeals,
  kFindingRows,
  type BulkForm,
} from './health';

const names: ReportNames = { pipelines: { '1': 'Sales' }, stages: { '3': 'Proposal', '4': 'Negotiation' }, users: { '7': 'Maya Patel' }, teams: {} };

const settings: HealthSettings = {
  stuck_percentile: 90,
  stuck_min_samples: 5,
  overload_factor: 1.5,
  overload_min_deals: 5,
  late_stage_limit: 10,
  late_stage_ids: [],
  coverage_target: 3,
  aged_percentile: 90,
  unqualified_reasons: ['Unqualified', 'Not qualified', 'Disqualified'],
  lookback_days: 365,
};

function deal(id: number, extra: Partial<FlaggedDeal> = {}): FlaggedDeal {
  return {
    deal_id: id,
    title: `Deal ${id}`,
    pipeline_id: 1,
    stage_id: 3,
    owner_id: 7,
    value_minor: 1000,
    currency: 'USD',
    reason: 'no activity for 23 days; the stage allows 14',
    measure: 23,
    threshold: 14,
    snooze: null,
    ...extra,
  };
}

function finding(flag: HealthFinding['flag'], deals: FlaggedDeal[], extra: Partial<HealthFinding> = {}): HealthFinding {
  return { flag, summary: `${flag} summary`, stage_id: null, owner_id: null, quota_id: null, measure: 0, threshold: 0, deals, snoozed: [], ...extra };
}

describe('flags', () => {
  it('have human titles', () => {
    expect(flagTitle('no_next_activity')).toBe('No next step');
    expect(flagTitle('late_stage_overload')).toBe('Late-stage overload');
  });

  it('explain their thresholds from the settings', () => {
    expect(flagThresholds('stuck', settings, names)).toEqual([
      'Longer in the stage than the 90th percentile of past stays there.',
      'Only for stages with at least 5 past stays.',
      'Thresholds learn from the last 365 days of history.',
    ]);
    expect(flagThresholds('stage_overload', settings, names)[0]).toBe("A stage's share of open deals above 1.5× its usual share,");
    expect(flagThresholds('late_stage_overload', settings, names)).toEqual([
      'More than 10 open deals per rep in late stages (stages named proposal, quote or negotiation).',
    ]);
    expect(flagThresholds('late_stage_overload', { ...settings, late_stage_ids: [3, 4, 9] }, names)[0]).toContain('(Proposal, Negotiation, Stage #9)');
    expect(flagThresholds('unqualified_effort', settings, names)[0]).toBe('Activities done on deals lost as “Unqualified”, “Not qualified” or “Disqualified”.');
    expect(flagThresholds('aged', { ...settings, aged_percentile: 82 }, names)[0]).toContain('82nd percentile');
    expect(flagThresholds('thin_pipeline', settings, names)[0]).toBe('Pipeline coverage below 3× what is left of a quota.');
  });

  it('name what a finding is about', () => {
    expect(findingSubject(finding('stage_overload', [], { stage_id: 3 }), names)).toBe('Proposal');
    expect(findingSubject(finding('late_stage_overload', [], { owner_id: 7 }), names)).toBe('Maya Patel');
    expect(findingSubject(finding('thin_pipeline', [], { quota_id: 2 }), names)).toBe('Quota #2');
    expect(findingSubject(finding('rotting', []), names)).toBe('');
    expect(findingKey(finding('stage_overload', [], { stage_id: 3 }))).toBe('stage_overload|3||');
  });
});

describe('groupFindings', () => {
  it('groups by flag in the flags’ order and counts deals', () => {
    const report = {
      findings: [
        finding('aged', [deal(1)]),
        finding('rotting', [deal(1), deal(2)], { snoozed: [deal(5)] }),
        finding('stage_overload', [deal(2)], { stage_id: 3 }),
        finding('stage_overload', [], { stage_id: 4 }),
      ],
    };
    const groups = groupFindings(report);
    expect(groups.map((g) => [g.flag, g.findings.length, g.dealCount, g.snoozedCount])).toEqual([
      ['rotting', 1, 2, 1],
      ['stage_overload', 2, 1, 0],
      ['aged', 1, 1, 0],
    ]);
    expect(groups[0]!.info.title).toBe('Rotting deals');
    expect(groupFindings({ findings: [] })).toEqual([]);
  });

  it('lists snoozed deals once per flag', () => {
    const s = deal(5, { snooze: { deal_id: 5, flag: 'rotting', until: '2026-12-01', reason: 'Waiting for budget', user_id: 1, created_at: '2026-11-20T10:00:00Z' } });
    const list = snoozedDeals({ findings: [finding('rotting', [], { snoozed: [s] }), finding('rotting', [], { snoozed: [s] }), finding('aged', [], { snoozed: [s] })] });
    expect(list.map((x) => [x.flag, x.deal.deal_id])).toEqual([
      ['rotting', 5],
      ['aged', 5],
    ]);
  });
});

describe('selection', () => {
  const report = { findings: [finding('rotting', [deal(1), deal(2), deal(3)]), finding('aged', [deal(3), deal(4)])] };

  it('toggles deals and whole findings', () => {
    let sel = toggleDeal(new Set(), 2, true);
    expect(selectionState(sel, [1, 2, 3])).toBe('some');
    sel = setAll(sel, [1, 2, 3], true);
    expect(selectionState(sel, [1, 2, 3])).toBe('all');
    // A deal in two findings is one choice: selected in both.
    expect(selectionState(sel, [3, 4])).toBe('some');
    sel = setAll(sel, [3, 4], false);
    expect([...sel].sort()).toEqual([1, 2]);
    expect(selectionState(toggleDeal(sel, 1, false), [1])).toBe('none');
  });

  it('lists selected deals once, in report order, and drops the ones no longer listed', () => {
    const sel = new Set([4, 3, 1, 99]);
    expect(selectedDeals(report, sel).map((d) => d.deal_id)).toEqual([1, 3, 4]);
    expect([...pruneSelection(report, sel)]).toEqual([1, 3, 4]);
    const kept = new Set([1, 3]);
    expect(pruneSelection(report, kept)).toBe(kept);
  });
});

describe('bulk actions', () => {
  const form: BulkForm = { action: 'reassign', ownerId: '', dueDate: '', subject: '', lostReasonId: '', lostReasonText: '' };

  it('needs deals and the action’s fields', () => {
    expect(buildBulk(form, [])).toEqual({ ok: false, field: null, message: 'Select at least one deal.' });
    expect(buildBulk(form, [1])).toEqual({ ok: false, field: 'ownerId', message: 'Pick the new owner.' });
    expect(buildBulk({ ...form, ownerId: '7' }, [1, 2])).toEqual({ ok: true, request: { action: 'reassign', deal_ids: [1, 2], owner_id: 7 } });
  });

  it('builds a last chance with optional date and subject', () => {
    expect(buildBulk({ ...form, action: 'last_chance' }, [3])).toEqual({ ok: true, request: { action: 'last_chance', deal_ids: [3] } });
    expect(buildBulk({ ...form, action: 'last_chance', dueDate: '2026-11-30', subject: '  Final call ' }, [3])).toEqual({
      ok: true,
      request: { action: 'last_chance', deal_ids: [3], due_date: '2026-11-30', subject: 'Final call' },
    });
    expect(buildBulk({ ...form, action: 'last_chance', dueDate: '2026-02-30' }, [3])).toMatchObject({ ok: false, field: 'dueDate' });
  });

  it('closes as lost with a listed reason or free text', () => {
    const lost = { ...form, action: 'mark_lost' as const };
    expect(buildBulk({ ...lost, lostReasonId: '4' }, [1])).toEqual({ ok: true, request: { action: 'mark_lost', deal_ids: [1], lost_reason_id: 4 } });
    expect(buildBulk({ ...lost, lostReasonId: 'other', lostReasonText: ' Went dark ' }, [1])).toEqual({
      ok: true,
      request: { action: 'mark_lost', deal_ids: [1], lost_reason: 'Went dark' },
    });
    expect(buildBulk({ ...lost, lostReasonId: 'other' }, [1])).toMatchObject({ ok: false, field: 'lostReasonText' });
    expect(buildBulk(lost, [1])).toMatchObject({ ok: false, field: 'lostReasonId' });
  });

  it('names the refused deal from deal_ids[i]', () => {
    expect(dealIndexOfField('deal_ids[3]')).toBe(3);
    expect(dealIndexOfField('deal_ids')).toBeNull();
    expect(dealIndexOfField(null)).toBeNull();
    const titles = new Map([[12, 'Acme renewal']]);
    const titleOf = (id: number) => titles.get(id) ?? null;
    expect(bulkErrorText('the deal is closed', 'deal_ids[1]', [10, 12], titleOf)).toEqual({
      dealId: 12,
      text: 'Nothing was changed. “Acme renewal” (deal #12): the deal is closed.',
    });
    expect(bulkErrorText('is closed (won)', 'deal_ids[1]', [10, 12], titleOf).text).toBe('Nothing was changed. “Acme renewal” (deal #12) is closed (won).');
    expect(bulkErrorText('deal 12 is already won; only open deals qualify', 'deal_ids[1]', [10, 12], titleOf).text).toBe(
      'Nothing was changed. “Acme renewal” (deal #12) is already won; only open deals qualify.',
    );
    expect(bulkErrorText('deal 120 is closed', 'deal_ids[1]', [10, 12], titleOf).text).toBe('Nothing was changed. “Acme renewal” (deal #12): deal 120 is closed.');
    expect(bulkErrorText('no such deal.', 'deal_ids[0]', [10, 12], titleOf)).toEqual({ dealId: 10, text: 'Nothing was changed. Deal #10: no such deal.' });
    expect(bulkErrorText('unknown user', 'owner_id', [10], titleOf)).toEqual({ dealId: null, text: 'Nothing was changed: unknown user.' });
    expect(bulkFieldOf('owner_id')).toBe('ownerId');
    expect(bulkFieldOf('lost_reason')).toBe('lostReasonText');
    expect(bulkFieldOf('deal_ids[0]')).toBeNull();
  });
});

describe('snoozeProblem', () => {
  it('needs a later date and a reason', () => {
    expect(snoozeProblem('2026-11-30', 'Budget in December', '2026-11-23')).toBeNull();
    expect(snoozeProblem('', 'x', '2026-11-23')).toMatchObject({ field: 'until' });
    expect(snoozeProblem('2026-11-23', 'x', '2026-11-23')).toEqual({ field: 'until', message: 'Pick a date after today.' });
    expect(snoozeProblem('2026-11-24', '  ', '2026-11-23')).toMatchObject({ field: 'reason' });
  });
});

describe('truncationNote', () => {
  it('says when the list stops short', () => {
    expect(truncationNote({ deal_count: 340, deals: [deal(1), deal(2)], snoozed: [] })).toBe('Showing the 2 worst of 340.');
    expect(truncationNote({ deal_count: 2, deals: [deal(1), deal(2)], snoozed: [] })).toBeNull();
    expect(truncationNote({ deals: [deal(1)], snoozed: [] })).toBeNull();
  });
});

describe('visibleDeals', () => {
  it('shows the worst few until expanded', () => {
    const many = Array.from({ length: 25 }, (_, i) => i);
    expect(visibleDeals(many, false)).toHaveLength(kFindingRows);
    expect(visibleDeals(many, true)).toHaveLength(25);
    expect(visibleDeals([1, 2], false)).toEqual([1, 2]);
  });
});
