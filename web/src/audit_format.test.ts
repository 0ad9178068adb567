import { describe, expect, it } from 'vitest';
import type { AuditEntry } from './api';
import {
  auditActionWord,
  auditFieldLabel,
  auditLineText,
  currenciesOf,
  describeAuditEntry,
  formatAuditValue,
  kNoValue,
  type AuditNames,
} from './audit_format';

const options = { locale: 'en-US', timeZone: 'UTC' };
// Intl may put a narrow no-break space before AM/PM; the tests read it as a space.
const plain = (text: string) => text.replace(/[\u202f\u00a0]/g, ' ');

const names: AuditNames = {
  user: (id) => ({ 1: 'Ada Admin', 2: 'Maya Patel' } as Record<number, string>)[id] ?? null,
  stage: (id) => ({ 3: 'Qualified', 4: 'Proposal' } as Record<number, string>)[id] ?? null,
  pipeline: (id) => (id === 1 ? 'Sales' : null),
  person: (id) => (id === 8 ? 'Priya Shah' : null),
  organization: (id) => (id === 5 ? 'Acme Corp' : null),
};

function entry(partial: Partial<AuditEntry> & Pick<AuditEntry, 'id' | 'changes'>): AuditEntry {
  return { at: '2026-12-08T14:30:00Z', user_id: 1, action: 'update', object: 'deal', record_id: 7, ...partial };
}

describe('auditFieldLabel', () => {
  it.each([
    ['title', 'Title'],
    ['value_minor', 'Value'],
    ['stage_id', 'Stage'],
    ['owner_id', 'Owner'],
    ['org_id', 'Organization'],
    ['person_id', 'Person'],
    ['expected_close_date', 'Expected close date'],
    ['status', 'Status'],
    ['lost_reason', 'Lost reason'],
    ['probability_override', 'Probability'],
    ['closed_at', 'Closed'],
  ])('%s → %s', (field, label) => {
    expect(auditFieldLabel(field)).toBe(label);
  });

  it('reads a field it does not know by its words', () => {
    expect(auditFieldLabel('next_step')).toBe('Next step');
    expect(auditFieldLabel('region_id')).toBe('Region');
  });
});

describe('auditActionWord', () => {
  it('says what happened', () => {
    expect([auditActionWord('create'), auditActionWord('update'), auditActionWord('delete')]).toEqual(['created', 'changed', 'deleted']);
  });
});

describe('formatAuditValue', () => {
  const value = (field: string, text: string, currency = 'USD') => plain(formatAuditValue(field, text, currency, names, options));

  it('shows no value as none', () => {
    expect(value('lost_reason', '')).toBe(kNoValue);
    expect(value('owner_id', '')).toBe(kNoValue);
  });

  it('shows money in the currency of its side', () => {
    expect(value('value_minor', '250075')).toBe('$2,500.75');
    expect(value('value_minor', '250075', 'EUR')).toBe('€2,500.75');
    expect(value('value_minor', '5000', 'JPY')).toBe('¥5,000');
    expect(value('value_minor', '0')).toBe('$0.00');
  });

  it('resolves ids to the names the page has, else names the kind and the id', () => {
    expect(value('stage_id', '4')).toBe('Proposal');
    expect(value('owner_id', '2')).toBe('Maya Patel');
    expect(value('pipeline_id', '1')).toBe('Sales');
    expect(value('person_id', '8')).toBe('Priya Shah');
    expect(value('org_id', '5')).toBe('Acme Corp');
    expect(value('org_id', '6')).toBe('Organization #6');
    expect(value('stage_id', '99')).toBe('Stage #99');
    expect(value('owner_id', '42')).toBe('User #42');
  });

  it('reads statuses, dates, instants and the probability', () => {
    expect(value('status', 'won')).toBe('Won');
    expect(value('expected_close_date', '2027-03-31')).toBe('Mar 31, 2027');
    expect(value('closed_at', '2026-04-22T10:32:00Z')).toBe('Apr 22, 2026, 10:32 AM');
    expect(value('probability_override', '35')).toBe('35 %');
  });

  it('leaves text as it is, and a value that is not of its kind', () => {
    expect(value('title', 'Renewal → 2027')).toBe('Renewal → 2027');
    expect(value('source', 'Trade fair')).toBe('Trade fair');
    expect(value('value_minor', '12.5')).toBe('12.5');
    expect(value('stage_id', 'abc')).toBe('abc');
  });
});

describe('currenciesOf', () => {
  it('follows currency changes back from the deal’s currency now', () => {
    const log = [
      entry({ id: 30, changes: [{ field: 'title', before: 'A', after: 'B' }] }),
      entry({ id: 20, changes: [{ field: 'value_minor', before: '100', after: '200' }, { field: 'currency', before: 'USD', after: 'EUR' }] }),
      entry({ id: 10, changes: [{ field: 'value_minor', before: '50', after: '100' }] }),
      entry({ id: 5, action: 'create', changes: [{ field: 'title', before: '', after: 'A' }, { field: 'currency', before: '', after: 'USD' }] }),
    ];
    const currencies = currenciesOf(log, 'EUR');
    expect(currencies.get(30)).toEqual({ before: 'EUR', after: 'EUR' });
    expect(currencies.get(20)).toEqual({ before: 'USD', after: 'EUR' });
    expect(currencies.get(10)).toEqual({ before: 'USD', after: 'USD' });
    expect(currencies.get(5)).toEqual({ before: 'USD', after: 'USD' });
  });
});

describe('describeAuditEntry', () => {
  it('an update: who, when, what, and each field before and after', () => {
    const described = describeAuditEntry(
      entry({
        id: 9,
        user_id: 2,
        changes: [
          { field: 'value_minor', before: '100000', after: '250075' },
          { field: 'currency', before: 'USD', after: 'EUR' },
          { field: 'stage_id', before: '3', after: '4' },
          { field: 'expected_close_date', before: '', after: '2027-03-31' },
        ],
      }),
      names,
      { before: 'USD', after: 'EUR' },
      options,
    );
    expect({ ...described, when: plain(described.when) }).toEqual({
      id: 9,
      at: '2026-12-08T14:30:00Z',
      when: 'Dec 8, 2026, 2:30 PM',
      who: 'Maya Patel',
      what: 'changed',
      lines: [
        { field: 'value_minor', label: 'Value', before: '$1,000.00', after: '€2,500.75' },
        { field: 'currency', label: 'Currency', before: 'USD', after: 'EUR' },
        { field: 'stage_id', label: 'Stage', before: 'Qualified', after: 'Proposal' },
        { field: 'expected_close_date', label: 'Expected close date', before: 'none', after: 'Mar 31, 2027' },
      ],
    });
    expect(described.lines.map(auditLineText)).toEqual([
      'Value: $1,000.00 → €2,500.75',
      'Currency: USD → EUR',
      'Stage: Qualified → Proposal',
      'Expected close date: none → Mar 31, 2027',
    ]);
  });

  it('a create lists what the deal was created with, a delete what it had', () => {
    const created = describeAuditEntry(
      entry({ id: 1, action: 'create', changes: [{ field: 'title', before: '', after: 'Renewal' }, { field: 'org_id', before: '', after: '5' }] }),
      names,
      { before: 'USD', after: 'USD' },
      options,
    );
    expect(created.what).toBe('created');
    expect(created.lines.map(auditLineText)).toEqual(['Title: Renewal', 'Organization: Acme Corp']);
    const deleted = describeAuditEntry(
      entry({ id: 2, action: 'delete', changes: [{ field: 'title', before: 'Renewal', after: '' }] }),
      names,
      { before: 'USD', after: 'USD' },
      options,
    );
    expect(deleted.what).toBe('deleted');
    expect(deleted.lines.map(auditLineText)).toEqual(['Title: Renewal']);
  });

  it('names a user the page does not know by id', () => {
    expect(describeAuditEntry(entry({ id: 3, user_id: 77, changes: [] }), names, { before: 'USD', after: 'USD' }, options).who).toBe('User #77');
  });
});
