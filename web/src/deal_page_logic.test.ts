import { describe, expect, it } from 'vitest';
import type { Deal, StageEvent } from './api';
import {
  activityWhen,
  checkActivityDraft,
  closeDatePatch,
  describeStageEvent,
  effectiveProbability,
  fieldForServerError,
  formatInstant,
  patchIsNoop,
  probabilityPatch,
  sentence,
  textPatch,
  valuePatch,
} from './deal_page_logic';

const T0 = '2026-01-01T00:00:00Z';

function deal(patch: Partial<Deal> = {}): Deal {
  return {
    id: 7,
    title: 'Acme: renewal',
    value_minor: 125_000,
    currency: 'USD',
    pipeline_id: 1,
    stage_id: 2,
    status: 'open',
    lost_reason: null,
    expected_close_date: null,
    owner_id: 1,
    person_id: null,
    org_id: 3,
    source: null,
    position: 0,
    probability: null,
    next_activity_date: null,
    last_activity_at: null,
    stage_changed_at: T0,
    closed_at: null,
    version: 4,
    created_at: T0,
    updated_at: T0,
    ...patch,
  };
}

function event(patch: Partial<StageEvent>): StageEvent {
  return {
    id: 1,
    deal_id: 7,
    kind: 'stage_changed',
    at: T0,
    user_id: 1,
    from_pipeline_id: 1,
    to_pipeline_id: 1,
    from_stage_id: 1,
    to_stage_id: 2,
    from_status: 'open',
    to_status: 'open',
    lost_reason: null,
    ...patch,
  };
}

const names: Record<number, string> = { 1: 'Qualification', 2: 'Proposal', 9: 'Intro' };
const stageName = (id: number | null) => (id === null ? null : names[id] ?? null);

describe('fieldForServerError', () => {
  it('maps the server’s field names to the editors', () => {
    expect(fieldForServerError('value_minor', 'value')).toBe('value');
    expect(fieldForServerError('currency', 'value')).toBe('value');
    expect(fieldForServerError('expected_close_date', 'close')).toBe('close');
    expect(fieldForServerError('owner_id', 'owner')).toBe('owner');
    expect(fieldForServerError('org_id', 'org')).toBe('org');
    expect(fieldForServerError('probability', 'probability')).toBe('probability');
  });

  it('falls back to the open editor', () => {
    expect(fieldForServerError(null, 'title')).toBe('title');
    expect(fieldForServerError('something_else', 'source')).toBe('source');
  });
});

describe('sentence', () => {
  it('capitalises and ends with a full stop', () => {
    expect(sentence('must not be negative')).toBe('Must not be negative.');
    expect(sentence('Done!')).toBe('Done!');
    expect(sentence('  ')).toBe('');
  });
});

describe('patches', () => {
  it('title is sent trimmed, even empty (the server names the mistake)', () => {
    expect(textPatch('title', '  New title ')).toEqual({ ok: true, patch: { title: 'New title' } });
    expect(textPatch('title', '   ')).toEqual({ ok: true, patch: { title: '' } });
  });

  it('an empty source clears it', () => {
    expect(textPatch('source', ' Referral ')).toEqual({ ok: true, patch: { source: 'Referral' } });
    expect(textPatch('source', '')).toEqual({ ok: true, patch: { source: null } });
  });

  it('value and currency in minor units; a sign is left to the server', () => {
    expect(valuePatch('1,250.50', 'USD')).toEqual({ ok: true, patch: { value_minor: 125_050, currency: 'USD' } });
    expect(valuePatch('1250', 'JPY')).toEqual({ ok: true, patch: { value_minor: 1250, currency: 'JPY' } });
    expect(valuePatch('-5', 'EUR')).toEqual({ ok: true, patch: { value_minor: -500, currency: 'EUR' } });
    expect(valuePatch('', 'USD')).toEqual({ ok: true, patch: { value_minor: 0, currency: 'USD' } });
    expect(valuePatch('12abc', 'USD').ok).toBe(false);
    expect(valuePatch('1.5', 'JPY')).toEqual({ ok: false, message: 'JPY has no decimal places.' });
  });

  it('expected close date, or null to remove it', () => {
    expect(closeDatePatch('2026-12-31')).toEqual({ ok: true, patch: { expected_close_date: '2026-12-31' } });
    expect(closeDatePatch('')).toEqual({ ok: true, patch: { expected_close_date: null } });
    expect(closeDatePatch('31/12/2026').ok).toBe(false);
  });

  it('probability: a whole number for the server to range-check, or empty to follow the stage', () => {
    expect(probabilityPatch('40')).toEqual({ ok: true, patch: { probability: 40 } });
    expect(probabilityPatch(' 40 % ')).toEqual({ ok: true, patch: { probability: 40 } });
    expect(probabilityPatch('150')).toEqual({ ok: true, patch: { probability: 150 } });
    expect(probabilityPatch('')).toEqual({ ok: true, patch: { probability: null } });
    expect(probabilityPatch('4.5').ok).toBe(false);
    expect(probabilityPatch('forty').ok).toBe(false);
  });

  it('a patch that repeats the deal is a no-op', () => {
    expect(patchIsNoop(deal(), { title: 'Acme: renewal' })).toBe(true);
    expect(patchIsNoop(deal(), { value_minor: 125_000, currency: 'USD' })).toBe(true);
    expect(patchIsNoop(deal(), { value_minor: 125_000, currency: 'EUR' })).toBe(false);
    expect(patchIsNoop(deal(), { probability: null })).toBe(true);
    expect(patchIsNoop(deal({ probability: 30 }), { probability: null })).toBe(false);
  });
});

describe('effectiveProbability', () => {
  it('is the override when set, else the stage’s', () => {
    const stage = { name: 'Proposal', probability: 60 };
    expect(effectiveProbability(deal({ probability: 35 }), stage)).toEqual({ value: 35, source: 'override' });
    expect(effectiveProbability(deal({ probability: 0 }), stage)).toEqual({ value: 0, source: 'override' });
    expect(effectiveProbability(deal(), stage)).toEqual({ value: 60, source: 'stage' });
    expect(effectiveProbability(deal(), null)).toEqual({ value: null, source: 'stage' });
  });
});

describe('describeStageEvent', () => {
  it('says what happened with stage names', () => {
    expect(describeStageEvent(event({ kind: 'created', from_stage_id: null, to_stage_id: 9 }), stageName)).toBe('Created in Intro');
    expect(describeStageEvent(event({}), stageName)).toBe('Moved from Qualification to Proposal');
    expect(describeStageEvent(event({ kind: 'won' }), stageName)).toBe('Marked as won');
    expect(describeStageEvent(event({ kind: 'lost', lost_reason: 'Too expensive' }), stageName)).toBe('Marked as lost: Too expensive');
    expect(describeStageEvent(event({ kind: 'lost' }), stageName)).toBe('Marked as lost');
    expect(describeStageEvent(event({ kind: 'reopened' }), stageName)).toBe('Reopened in Proposal');
  });

  it('copes with stages it does not know and moves between pipelines', () => {
    expect(describeStageEvent(event({ to_stage_id: 99 }), stageName)).toBe('Moved from Qualification to another stage');
    expect(describeStageEvent(event({ to_pipeline_id: 2, to_stage_id: 9 }), stageName)).toBe('Moved to another pipeline: Qualification → Intro');
  });
});

describe('dates and times (UTC)', () => {
  it('formatInstant says today / yesterday with the time', () => {
    expect(formatInstant('2026-11-23T09:05:00Z', '2026-11-23', 'en-US')).toBe('Today 09:05');
    expect(formatInstant('2026-11-22T23:59:59.500Z', '2026-11-23', 'en-US')).toBe('Yesterday 23:59');
    expect(formatInstant('2026-11-02T14:30:00Z', '2026-11-23', 'en-US')).toBe('Nov 2, 14:30');
    expect(formatInstant('2025-11-02T14:30:00Z', '2026-11-23', 'en-US')).toBe('Nov 2, 2025, 14:30');
    expect(formatInstant('garbage', '2026-11-23')).toBe('garbage');
  });

  it('activityWhen has the time only when the activity has one', () => {
    expect(activityWhen({ due_date: '2026-11-24', due_time: '10:00' }, '2026-11-23', 'en-US')).toBe('Tomorrow 10:00');
    expect(activityWhen({ due_date: '2026-12-01', due_time: null }, '2026-11-23', 'en-US')).toBe('Dec 1');
    expect(activityWhen({ due_date: '2026-12-01', due_time: '08:15' }, '2026-11-23', 'en-US')).toBe('Dec 1, 08:15');
  });
});

describe('checkActivityDraft', () => {
  const draft = { type: 'call' as const, subject: 'Call back', dueDate: '2026-12-01', dueTime: '' };
  it('needs a subject and well-formed date and time', () => {
    expect(checkActivityDraft(draft)).toEqual({ ok: true });
    expect(checkActivityDraft({ ...draft, dueDate: '', dueTime: '09:30' })).toEqual({ ok: true });
    expect(checkActivityDraft({ ...draft, subject: '  ' })).toEqual({ ok: false, field: 'subject', message: 'Enter a subject.' });
    expect(checkActivityDraft({ ...draft, dueDate: '1.12.2026' }).ok).toBe(false);
    expect(checkActivityDraft({ ...draft, dueTime: '9:30' }).ok).toBe(false);
  });
});
