import { describe, expect, it } from 'vitest';
import { ApiError, type Pipeline } from './api';
import { isForbidden, kAdminsOnlyReason, kAdminsOnlySettings, kVisibilityChoices, visibilityChoice, visibilitySavedText } from './pipeline_visibility';

function pipeline(extra: Partial<Pipeline> = {}): Pipeline {
  return {
    id: 1,
    name: 'Sales',
    order: 0,
    active: true,
    visibility: 'owners',
    version: 1,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    ...extra,
  };
}

describe('kVisibilityChoices', () => {
  it('offers the three values from the narrowest, in plain words', () => {
    expect(kVisibilityChoices.map((c) => [c.value, c.label])).toEqual([
      ['owners', 'Their owners (and their managers)'],
      ['team', "The owner's team"],
      ['everyone', 'Everyone'],
    ]);
  });
});

describe('visibilityChoice', () => {
  it('finds each value', () => {
    for (const c of kVisibilityChoices) expect(visibilityChoice(c.value)).toBe(c);
  });

  it('reads a missing or unknown value as the narrowest', () => {
    expect(visibilityChoice(undefined).value).toBe('owners');
    expect(visibilityChoice(null).value).toBe('owners');
    expect(visibilityChoice('partners').value).toBe('owners');
  });
});

describe('visibilitySavedText', () => {
  it('names the pipeline and who now sees its deals, as the server answered', () => {
    expect(visibilitySavedText(pipeline({ visibility: 'everyone' }))).toBe('The deals of “Sales” are now seen by everyone.');
    expect(visibilitySavedText(pipeline({ name: 'Partnerships', visibility: 'team' }))).toBe(
      'The deals of “Partnerships” are now seen by the owner\'s team.',
    );
    expect(visibilitySavedText(pipeline())).toBe('The deals of “Sales” are now seen by their owners and their managers.');
  });
});

describe('isForbidden', () => {
  it('is true for a 403 only', () => {
    expect(isForbidden(new ApiError(403, 'forbidden', 'only admins can manage pipelines'))).toBe(true);
    expect(isForbidden(new ApiError(404, 'not_found', 'no pipeline 9'))).toBe(false);
    expect(isForbidden(new ApiError(0, 'unreachable', 'The Pipedeck server cannot be reached.'))).toBe(false);
    expect(isForbidden(new Error('boom'))).toBe(false);
  });
});

describe('kAdminsOnlySettings', () => {
  it('is the reason of a refusal as a sentence of its own', () => {
    expect(kAdminsOnlyReason).toBe('only admins change pipelines, stages and lost reasons');
    expect(kAdminsOnlySettings).toBe('Only admins change pipelines, stages and lost reasons.');
  });
});
