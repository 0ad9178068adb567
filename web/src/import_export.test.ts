import { describe, expect, it } from 'vitest';
import type { ImportReport } from './api';
import {
  chooseField,
  detectedName,
  detectedText,
  errorsCaption,
  errorsCsv,
  fieldLabel,
  fileProblem,
  filenameFromDisposition,
  formatBytes,
  importableRows,
  importObjectInfo,
  importQuery,
  kImportFields,
  kImportObjects,
  mappingRows,
  recognisedFields,
  parseImportObject,
  previewOf,
  readCsvRecords,
  reportFigures,
} from './import_export';

function report(overrides: Partial<ImportReport> = {}): ImportReport {
  return {
    object: 'deals',
    dry_run: true,
    detected: 'pipedrive',
    columns: [
      { column: 'Deal - Title', field: 'title' },
      { column: 'Deal - Value', field: 'value' },
      { column: 'Notes: internal', field: null },
    ],
    fields: kImportFields.deals.slice(),
    ignored_columns: ['Notes: internal'],
    rows: 12,
    created: 9,
    updated: 1,
    failed: 2,
    linked_created: 3,
    errors: [
      { row: 4, column: 'Deal - Expected close date', reason: 'not a date' },
      { row: 7, column: 'Deal - Stage', reason: 'no stage "Dreaming"' },
    ],
    errors_omitted: 0,
    ...overrides,
  };
}

describe('objects', () => {
  it('names the five objects the server imports', () => {
    expect(kImportObjects.map((o) => o.object)).toEqual(['deals', 'persons', 'organizations', 'activities', 'notes']);
    expect(Object.keys(kImportFields).sort()).toEqual(['activities', 'deals', 'notes', 'organizations', 'persons']);
  });
  it.each([
    ['persons', 'persons'],
    ['notes', 'notes'],
    ['people', null],
    [null, null],
  ])('parseImportObject(%j) → %j', (value, object) => {
    expect(parseImportObject(value)).toBe(object);
  });
  it('links each object to where its records are listed', () => {
    expect(importObjectInfo('persons').listPath).toBe('/persons');
    expect(importObjectInfo('deals').listLabel).toBe('Open the board');
  });
});

describe('fieldLabel', () => {
  it.each([
    ['expected_close_date', 'Expected close date'],
    ['title', 'Title'],
    ['external_id', 'ID in the other system'],
    ['some_new_field', 'Some new field'],
    ['constructor', 'Constructor'],
  ])('%s → %s', (field, label) => {
    expect(fieldLabel(field)).toBe(label);
  });
  it('has a label for every field of every object', () => {
    for (const fields of Object.values(kImportFields)) {
      for (const f of fields) expect(fieldLabel(f)).not.toContain('_');
    }
  });
});

describe('recognisedFields', () => {
  it('keeps what the server recognised, not what the request mapped', () => {
    const sent = new Map([['Deal - Value', 'probability']]);
    expect([...recognisedFields(report(), sent)]).toEqual([
      ['Deal - Title', 'title'],
      ['Notes: internal', null],
    ]);
  });
});

describe('mappingRows', () => {
  const columns = ['Deal - Title', 'Deal - Value', 'Notes: internal'];
  const recognised = recognisedFields(report(), new Map());
  it('follows the server when nothing is chosen', () => {
    expect(mappingRows(columns, recognised, new Map())).toEqual([
      { column: 'Deal - Title', field: 'title', chosen: false },
      { column: 'Deal - Value', field: 'value', chosen: false },
      { column: 'Notes: internal', field: null, chosen: false },
    ]);
  });
  it('shows the choices over it; "" is "don\'t import"', () => {
    const rows = mappingRows(columns, recognised, new Map([
      ['Deal - Value', ''],
      ['Notes: internal', 'source'],
    ]));
    expect(rows.map((r) => [r.field, r.chosen])).toEqual([
      ['title', false],
      [null, true],
      ['source', true],
    ]);
  });
  it('leaves the field unknown while the server has not recognised the column', () => {
    expect(mappingRows(['Opportunity', 'Worth'], new Map(), new Map([['Worth', 'value']]))).toEqual([
      { column: 'Opportunity', field: undefined, chosen: false },
      { column: 'Worth', field: 'value', chosen: true },
    ]);
  });
});

describe('chooseField', () => {
  const rows = mappingRows(['Deal - Title', 'Deal - Value', 'Notes: internal'], recognisedFields(report(), new Map()), new Map());
  it('records the choice', () => {
    const { choices, released } = chooseField(rows, new Map(), 'Deal - Value', '');
    expect([...choices]).toEqual([['Deal - Value', '']]);
    expect(released).toEqual([]);
  });
  it('takes the field from the column that filled it', () => {
    const { choices, released } = chooseField(rows, new Map(), 'Notes: internal', 'title');
    expect([...choices]).toEqual([
      ['Notes: internal', 'title'],
      ['Deal - Title', ''],
    ]);
    expect(released).toEqual(['Deal - Title']);
  });
  it('keeps earlier choices and does not change the given map', () => {
    const before = new Map([['Deal - Value', 'probability']]);
    const { choices } = chooseField(rows, before, 'Deal - Title', 'title');
    expect([...choices]).toEqual([
      ['Deal - Value', 'probability'],
      ['Deal - Title', 'title'],
    ]);
    expect([...before]).toEqual([['Deal - Value', 'probability']]);
  });
});

describe('importQuery', () => {
  it('is only the dry run flag without choices', () => {
    expect(importQuery(true, new Map())).toBe('?dry_run=true');
    expect(importQuery(false, new Map())).toBe('?dry_run=false');
  });
  it('maps each chosen column in file order, encoded, "" for nothing', () => {
    const choices = new Map([
      ['Notes col', ''],
      ['Deal - Title', 'title'],
    ]);
    expect(importQuery(true, choices, ['Deal - Title', 'Notes col'])).toBe('?dry_run=true&map=Deal%20-%20Title%3Atitle&map=Notes%20col%3A');
  });
  it('keeps colons, ampersands and non-ASCII in headers; the server splits at the last colon', () => {
    const query = importQuery(false, new Map([['Time: due & more/ü', 'due_time']]), []);
    const value = new URLSearchParams(query.slice(1)).getAll('map');
    expect(value).toEqual(['Time: due & more/ü:due_time']);
    expect(query).not.toContain('+');
  });
  it('names a column only once', () => {
    const query = importQuery(true, new Map([['A', 'title']]), ['A', 'A']);
    expect(query).toBe('?dry_run=true&map=A%3Atitle');
  });
});

describe('report wording', () => {
  it.each([
    ['pipedrive', 'Pipedrive export'],
    ['hubspot', 'HubSpot export'],
    ['pipedeck', 'Pipedeck export'],
    ['', 'don’t match a known export'],
  ])('detected %j', (detected, text) => {
    expect(detectedText(detected)).toContain(text);
  });
  it('names the product an export came from', () => {
    expect(detectedName('hubspot')).toBe('HubSpot');
    expect(detectedName('')).toBeNull();
    expect(detectedName('toString')).toBeNull();
  });
  it('counts created and updated rows as importable', () => {
    expect(importableRows(report())).toBe(10);
  });
  it('words the figures for a dry run and for an import', () => {
    expect(reportFigures(report()).map((f) => [f.key, f.label, f.value])).toEqual([
      ['rows', 'Rows in the file', 12],
      ['created', 'Would be created', 9],
      ['updated', 'Would be updated', 1],
      ['failed', 'Would be refused', 2],
      ['linked_created', 'Organizations and persons to add', 3],
    ]);
    const done = reportFigures(report({ dry_run: false, object: 'persons' }));
    expect(done.map((f) => f.label)).toEqual(['Rows in the file', 'Created', 'Updated', 'Refused', 'Organizations added']);
  });
  it('says how many rows are refused, and what was left out', () => {
    expect(errorsCaption(report())).toBe('2 rows would be refused; a refused row changes nothing.');
    expect(errorsCaption(report({ dry_run: false, failed: 1, errors: [{ row: 2, column: '', reason: 'x' }] }))).toBe(
      '1 row was refused; a refused row changes nothing.',
    );
    expect(errorsCaption(report({ failed: 1002, errors_omitted: 2 }))).toContain('2 more are not');
    expect(errorsCaption(report({ failed: 0, errors: [] }))).toBe('No row has a problem.');
  });
  it('writes the errors as CSV', () => {
    expect(
      errorsCsv([
        { row: 4, column: 'Deal - Expected close date', reason: 'not a date: "31/02"' },
        { row: 9, column: '', reason: 'a, b' },
      ]),
    ).toBe('row,column,reason\r\n4,Deal - Expected close date,"not a date: ""31/02"""\r\n9,,"a, b"\r\n');
  });
});

describe('fileProblem', () => {
  it('shows the server\'s message and field for a 422', () => {
    expect(fileProblem({ status: 422, message: 'no column holds the title of the deals', field: 'columns' })).toEqual({
      title: 'The columns don’t fit',
      message: 'No column holds the title of the deals.',
      field: 'columns',
    });
    expect(fileProblem({ status: 422, message: 'not CSV', field: 'csv' })?.title).toBe('The file can’t be read as CSV');
    expect(fileProblem({ status: 422, message: 'x', field: 'mapping' })?.title).toBe('The mapping can’t be used');
  });
  it('explains the size limit of a 413 in words', () => {
    expect(fileProblem({ status: 413, message: 'request body exceeds 268435456 bytes', field: null })).toEqual({
      title: 'The file is too large',
      message: 'This server takes files of up to 256 MB. Split it into smaller files and import them one by one.',
      field: null,
    });
    expect(fileProblem({ status: 413, message: 'too large', field: null })?.message).toBe(
      'Too large. Split it into smaller files and import them one by one.',
    );
  });
  it('leaves other failures to the page', () => {
    expect(fileProblem({ status: 0, message: 'unreachable', field: null })).toBeNull();
    expect(fileProblem({ status: 500, message: 'boom', field: null })).toBeNull();
  });
});

describe('formatBytes', () => {
  it.each([
    [1, '1 byte'],
    [812, '812 bytes'],
    [1024, '1 KB'],
    [14540, '14.2 KB'],
    [256 * 1024 * 1024, '256 MB'],
  ])('%i → %s', (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});

describe('readCsvRecords', () => {
  it('reads quoted commas, quotes and line breaks, after a byte order mark', () => {
    const text = '\uFEFFDeal - Title,Deal - Value\r\n"Acme, Inc. ""big""\nrenewal",1500\r\n';
    expect(readCsvRecords(text, 10)).toEqual([
      ['Deal - Title', 'Deal - Value'],
      ['Acme, Inc. "big"\nrenewal', '1500'],
    ]);
  });
  it('skips blank lines and keeps empty fields', () => {
    expect(readCsvRecords('a,b\n\n,x\n\r\n"",\n', 10)).toEqual([
      ['a', 'b'],
      ['', 'x'],
      ['', ''],
    ]);
  });
  it('reads a last record without a line break when the text is the whole file', () => {
    expect(readCsvRecords('a,b\n1,2', 10)).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
  });
  it('drops a record the cut may have split when the text is only the start', () => {
    expect(readCsvRecords('a,b\n1,2\n3,"fo', 10, false)).toEqual([
      ['a', 'b'],
      ['1', '2'],
    ]);
    expect(readCsvRecords('a,b\n1,2', 10, false)).toEqual([['a', 'b']]);
  });
  it('stops after `max` records', () => {
    expect(readCsvRecords('a\n1\n2\n3\n', 2)).toEqual([['a'], ['1']]);
  });
});

describe('previewOf', () => {
  it('gives the header and the first non-empty value of each column', () => {
    expect(previewOf('Title,Value,Stage\n"First",,Lead\nSecond,200,\n', true)).toEqual({
      header: ['Title', 'Value', 'Stage'],
      samples: ['First', '200', 'Lead'],
    });
  });
  it('is empty for an empty file', () => {
    expect(previewOf('', true)).toEqual({ header: [], samples: [] });
  });
});

describe('filenameFromDisposition', () => {
  it.each([
    ['attachment; filename="deals.csv"', 'deals.csv'],
    ['attachment; filename=persons.json', 'persons.json'],
    ["attachment; filename*=UTF-8''Deals%20%C3%BC.csv", 'Deals ü.csv'],
    ['attachment; filename="fallback.csv"; filename*=UTF-8\'\'real.csv', 'real.csv'],
    ['attachment; filename="a \\"b\\".csv"', 'a "b".csv'],
    ['attachment; filename="../../etc/passwd"', 'passwd'],
    ['attachment', 'export.csv'],
    [null, 'export.csv'],
    ['attachment; filename=".."', 'export.csv'],
  ])('%j → %j', (header, name) => {
    expect(filenameFromDisposition(header, 'export.csv')).toBe(name);
  });
});
