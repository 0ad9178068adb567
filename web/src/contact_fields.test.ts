import { describe, expect, it } from 'vitest';
import type { Organization, Person } from './api';
import {
  draftsFromPoints,
  makePrimary,
  newPointDraft,
  organizationChanges,
  organizationDraft,
  parseFieldPath,
  parseSort,
  personChanges,
  personDraft,
  pointsFromDrafts,
  primaryValue,
  removeDraft,
  sentence,
} from './contact_fields';

const person: Person = {
  id: 7,
  name: 'Zoe Park',
  emails: [
    { value: 'zoe@example.com', label: 'work', primary: true },
    { value: 'zoe@home.example', label: 'home', primary: false },
  ],
  phones: [],
  org_id: 3,
  owner_id: 2,
  version: 4,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
};

const org: Organization = {
  id: 3,
  name: 'Acme',
  address: '1 Main St',
  owner_id: 2,
  version: 1,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
};

describe('pointsFromDrafts', () => {
  it('drops blank rows, trims and keeps the row keys of what is sent', () => {
    const rows = [
      { key: 1, value: ' a@x.io ', label: ' work ', primary: false },
      { key: 2, value: '   ', label: 'home', primary: true },
      { key: 3, value: 'b@x.io', label: '', primary: false },
    ];
    expect(pointsFromDrafts(rows)).toEqual({
      points: [
        { value: 'a@x.io', label: 'work', primary: true }, // the marked primary row was blank: the first wins
        { value: 'b@x.io', label: null, primary: false },
      ],
      keys: [1, 3],
    });
  });
  it('keeps the marked primary', () => {
    const rows = [
      { key: 1, value: 'a', label: '', primary: false },
      { key: 2, value: 'b', label: '', primary: true },
    ];
    expect(pointsFromDrafts(rows).points.map((p) => p.primary)).toEqual([false, true]);
  });
  it('sends an empty list for no rows', () => {
    expect(pointsFromDrafts([])).toEqual({ points: [], keys: [] });
  });
});

describe('primary and removal', () => {
  it('makes one row the only primary', () => {
    const rows = draftsFromPoints(person.emails);
    const next = makePrimary(rows, rows[1]!.key);
    expect(next.map((r) => r.primary)).toEqual([false, true]);
  });
  it('passes primary to the first row when the primary one is removed', () => {
    const rows = draftsFromPoints(person.emails);
    const next = removeDraft(rows, rows[0]!.key);
    expect(next).toHaveLength(1);
    expect(next[0]!.primary).toBe(true);
  });
  it('gives new rows distinct keys', () => {
    expect(newPointDraft().key).not.toBe(newPointDraft().key);
  });
});

describe('personChanges', () => {
  it('is empty when nothing changed', () => {
    expect(personChanges(person, personDraft(person)).patch).toEqual({});
  });
  it('sends only the changed fields', () => {
    const draft = personDraft(person);
    draft.name = ' Zoe Quinn ';
    draft.orgId = null;
    expect(personChanges(person, draft).patch).toEqual({ name: 'Zoe Quinn', org_id: null });
  });
  it('sends the whole list when one email changes, with the row keys by index', () => {
    const draft = personDraft(person);
    draft.emails = [{ ...draft.emails[0]!, value: 'not-an-email' }, draft.emails[1]!];
    const changes = personChanges(person, draft);
    expect(changes.patch).toEqual({
      emails: [
        { value: 'not-an-email', label: 'work', primary: true },
        { value: 'zoe@home.example', label: 'home', primary: false },
      ],
    });
    expect(changes.emailKeys).toEqual(draft.emails.map((r) => r.key));
  });
  it('treats an empty label as the same as none', () => {
    const p: Person = { ...person, phones: [{ value: '+1 555', label: null, primary: true }] };
    expect(personChanges(p, personDraft(p)).patch).toEqual({});
  });
});

describe('organizationChanges', () => {
  it('sends changed fields; an emptied address is null', () => {
    expect(organizationChanges(org, organizationDraft(org))).toEqual({});
    expect(organizationChanges(org, { name: 'Acme Inc', address: '1 Main St' })).toEqual({ name: 'Acme Inc' });
    expect(organizationChanges(org, { name: 'Acme', address: '  ' })).toEqual({ address: null });
    expect(organizationChanges({ ...org, address: null }, { name: 'Acme', address: '' })).toEqual({});
  });
});

describe('parseFieldPath', () => {
  it.each([
    ['name', { field: 'name', index: null }],
    ['emails[1].value', { field: 'emails', index: 1 }],
    ['phones[0]', { field: 'phones', index: 0 }],
    ['org_id', { field: 'org_id', index: null }],
  ])('%s', (path, expected) => {
    expect(parseFieldPath(path)).toEqual(expected);
  });
});

describe('small helpers', () => {
  it('turns a server message into a sentence', () => {
    expect(sentence('is not an email address')).toBe('Is not an email address.');
    expect(sentence('Done!')).toBe('Done!');
    expect(sentence('')).toBe('');
  });
  it('accepts only known sorts', () => {
    expect(parseSort('-updated_at')).toBe('-updated_at');
    expect(parseSort('title')).toBe('name');
    expect(parseSort(null)).toBe('name');
  });
  it('picks the primary value, else the first', () => {
    expect(primaryValue(person.emails)).toBe('zoe@example.com');
    expect(primaryValue([{ value: 'x', label: null, primary: false }])).toBe('x');
    expect(primaryValue([])).toBeNull();
  });
});
