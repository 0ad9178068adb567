import { describe, expect, it } from 'vitest';
import type { Stage } from './api';
import { isStageDirty, parseProbability, parseRottingDays, stageChanges, stageDraft } from './settings_fields';

const stage: Stage = {
  id: 3,
  pipeline_id: 1,
  name: 'Qualified',
  order: 1,
  probability: 25,
  rotting_days: 14,
  playbook: 'Call them.',
  version: 2,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
};

describe('parseProbability', () => {
  it.each([
    ['0', 0],
    ['100', 100],
    [' 40 ', 40],
    ['40%', 40],
  ])('%j → %i', (text, value) => {
    expect(parseProbability(text)).toEqual({ ok: true, value });
  });
  it.each(['', '101', '-1', '4.5', 'abc'])('%j is refused', (text) => {
    expect(parseProbability(text).ok).toBe(false);
  });
});

describe('parseRottingDays', () => {
  it('empty means never', () => {
    expect(parseRottingDays('  ')).toEqual({ ok: true, value: null });
  });
  it.each([
    ['1', 1],
    ['3650', 3650],
  ])('%j → %i', (text, value) => {
    expect(parseRottingDays(text)).toEqual({ ok: true, value });
  });
  it.each(['0', '3651', '2.5', 'two'])('%j is refused', (text) => {
    expect(parseRottingDays(text).ok).toBe(false);
  });
});

describe('stageChanges', () => {
  it('is an empty patch for an untouched form', () => {
    expect(stageChanges(stage, stageDraft(stage))).toEqual({ ok: true, patch: {} });
    expect(isStageDirty(stage, stageDraft(stage))).toBe(false);
  });
  it('sends only what changed; empty rotting days clears the limit', () => {
    const draft = { ...stageDraft(stage), probability: '30', rottingDays: '' };
    expect(stageChanges(stage, draft)).toEqual({ ok: true, patch: { probability: 30, rotting_days: null } });
    expect(isStageDirty(stage, draft)).toBe(true);
  });
  it('names every field the browser can already see is wrong', () => {
    const draft = { ...stageDraft(stage), name: ' ', probability: '150', rottingDays: '0' };
    const result = stageChanges(stage, draft);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(Object.keys(result.errors).sort()).toEqual(['name', 'probability', 'rotting_days']);
  });
  it('handles a stage without a playbook or limit', () => {
    const bare: Stage = { ...stage, playbook: null, rotting_days: null };
    expect(stageDraft(bare)).toEqual({ name: 'Qualified', probability: '25', rottingDays: '', playbook: '' });
    expect(stageChanges(bare, { ...stageDraft(bare), playbook: 'Do X.' })).toEqual({ ok: true, patch: { playbook: 'Do X.' } });
  });
});
