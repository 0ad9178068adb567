// The rules of the import and export page (/import), apart from the page itself:
//
// - the objects a file can hold and where their records are listed afterwards;
// - the column mapping: the server's answer says which field each column fills; the user's
//   choices override it column by column and become the `map` parameters of the next request
//   (docs/import.md), so a dry run and the real import use one mapping;
// - what the report says, in words and figures, and the file-level refusals (422, 413);
// - the first records of the chosen file, read in the browser, so that the mapping can show
//   sample values and still lists the columns when the server refused the header;
// - the name a download is saved under (Content-Disposition).

import type { ApiError, ImportObject, ImportReport, ImportRowError } from './api';
import { sentence } from './contact_fields';

// ---- Objects ------------------------------------------------------------------------------------

export interface ImportObjectInfo {
  object: ImportObject;
  /** "Deals", as a choice and a heading. */
  label: string;
  /** "deal" / "deals", inside sentences. */
  one: string;
  many: string;
  /** What a file of them cannot do without (MatchColumns in src/core/import_columns.cc). */
  needs: string;
  /** Where the imported records are listed, and the link's text. */
  listPath: string;
  listLabel: string;
}

export const kImportObjects: readonly ImportObjectInfo[] = [
  {
    object: 'deals',
    label: 'Deals',
    one: 'deal',
    many: 'deals',
    needs: 'a column with the deal’s title',
    listPath: '/',
    listLabel: 'Open the board',
  },
  {
    object: 'persons',
    label: 'Persons',
    one: 'person',
    many: 'persons',
    needs: 'a column with the name (or first and last name)',
    listPath: '/persons',
    listLabel: 'Open the people list',
  },
  {
    object: 'organizations',
    label: 'Organizations',
    one: 'organization',
    many: 'organizations',
    needs: 'a column with the organization’s name',
    listPath: '/organizations',
    listLabel: 'Open the organizations list',
  },
  {
    object: 'activities',
    label: 'Activities',
    one: 'activity',
    many: 'activities',
    needs: 'a column with the subject',
    listPath: '/agenda',
    listLabel: 'Open the agenda',
  },
  {
    object: 'notes',
    label: 'Notes',
    one: 'note',
    many: 'notes',
    needs: 'a column with the content, and one with the deal, person or organization it is about',
    listPath: '/',
    listLabel: 'Open the board',
  },
];

export function importObjectInfo(object: ImportObject): ImportObjectInfo {
  return kImportObjects.find((o) => o.object === object) ?? kImportObjects[0]!;
}

/** The object named in the page's URL (`?object=persons`), else null. */
export function parseImportObject(value: string | null): ImportObject | null {
  return kImportObjects.find((o) => o.object === value)?.object ?? null;
}

// ---- Fields -------------------------------------------------------------------------------------

/**
 * The fields each object takes, in the server's order (ImportFields in
 * src/core/import_columns.h). The server sends them with every report (`fields`); these are only
 * offered while no report has come, e.g. when the first answer refused the header.
 */
export const kImportFields: Readonly<Record<ImportObject, readonly string[]>> = {
  deals: ['id', 'external_id', 'title', 'value', 'currency', 'pipeline', 'stage', 'status', 'lost_reason', 'expected_close_date', 'probability', 'source', 'owner', 'person', 'organization'],
  persons: ['id', 'external_id', 'name', 'first_name', 'last_name', 'email', 'phone', 'organization', 'owner'],
  organizations: ['id', 'external_id', 'name', 'address', 'owner'],
  activities: ['id', 'external_id', 'subject', 'type', 'due_date', 'due_time', 'duration', 'done', 'note', 'owner', 'deal', 'person', 'organization'],
  notes: ['id', 'external_id', 'content', 'pinned', 'deal', 'person', 'organization'],
};

const kFieldLabels: Readonly<Record<string, string>> = {
  id: 'Pipedeck ID (updates that record)',
  external_id: 'ID in the other system',
  title: 'Title',
  value: 'Value',
  currency: 'Currency',
  pipeline: 'Pipeline',
  stage: 'Stage',
  status: 'Status (open, won, lost)',
  lost_reason: 'Lost reason',
  expected_close_date: 'Expected close date',
  probability: 'Probability',
  source: 'Source',
  name: 'Name',
  first_name: 'First name',
  last_name: 'Last name',
  email: 'Email',
  phone: 'Phone',
  address: 'Address',
  owner: 'Owner',
  person: 'Person',
  organization: 'Organization',
  deal: 'Deal',
  subject: 'Subject',
  type: 'Type (call, meeting, …)',
  due_date: 'Due date',
  due_time: 'Due time',
  duration: 'Duration',
  done: 'Done',
  note: 'Note',
  content: 'Content',
  pinned: 'Pinned',
};

/** A field as the mapping shows it: "expected_close_date" → "Expected close date". */
export function fieldLabel(field: string): string {
  const known = Object.hasOwn(kFieldLabels, field) ? kFieldLabels[field] : undefined;
  if (known) return known;
  const words = field.replace(/_/g, ' ').trim();
  return words ? words[0]!.toUpperCase() + words.slice(1) : field;
}

// ---- Mapping ------------------------------------------------------------------------------------

/**
 * The user's choices, by column header: a field name, or "" for "don't import". Columns without
 * a choice keep the field the server recognised from their header.
 */
export type ColumnChoices = ReadonlyMap<string, string>;

export interface MappingRow {
  column: string;
  /** The field the column fills; null: not imported; undefined: not known yet. */
  field: string | null | undefined;
  /** The user chose it (else it is what the server recognised from the header). */
  chosen: boolean;
}

/**
 * What the server recognised on its own in `report`: the field of each column the request that
 * made it (`sent`) did not map. Recognition looks at each header alone, so what one answer
 * teaches holds for every later request about the same file and object.
 */
export function recognisedFields(report: ImportReport, sent: ColumnChoices): Map<string, string | null> {
  const recognised = new Map<string, string | null>();
  for (const { column, field } of report.columns) {
    if (!sent.has(column)) recognised.set(column, field);
  }
  return recognised;
}

/**
 * The mapping as shown, one row per column of the file: the user's choice, else what the server
 * recognised, else unknown (the server has not accepted the header yet).
 */
export function mappingRows(
  columns: readonly string[],
  recognised: ReadonlyMap<string, string | null>,
  choices: ColumnChoices,
): MappingRow[] {
  return columns.map((column) => {
    const choice = choices.get(column);
    if (choice !== undefined) return { column, field: choice === '' ? null : choice, chosen: true };
    return { column, field: recognised.has(column) ? recognised.get(column) : undefined, chosen: false };
  });
}

/**
 * `column` now fills `field` ("" = nothing). A field is filled from one column only, so another
 * column that filled it is set to nothing (`released` names them, for telling the user).
 */
export function chooseField(
  rows: readonly MappingRow[],
  choices: ColumnChoices,
  column: string,
  field: string,
): { choices: Map<string, string>; released: string[] } {
  const next = new Map(choices);
  next.set(column, field);
  const released: string[] = [];
  if (field !== '') {
    for (const row of rows) {
      if (row.column !== column && row.field === field) {
        next.set(row.column, '');
        released.push(row.column);
      }
    }
  }
  return { choices: next, released };
}

/**
 * The query of POST /api/{object}/import: `dry_run`, then one `map=<column>:<field>` per chosen
 * column in the order of `columns` (the file's), then any other choice. The server splits each
 * value at its last ':', so a header may hold colons; an empty field means "don't import".
 */
export function importQuery(dryRun: boolean, choices: ColumnChoices, columns: readonly string[] = []): string {
  const parts = [`dry_run=${dryRun ? 'true' : 'false'}`];
  const ordered = [...columns.filter((c) => choices.has(c)), ...[...choices.keys()].filter((c) => !columns.includes(c))];
  for (const column of new Set(ordered)) {
    parts.push(`map=${encodeURIComponent(`${column}:${choices.get(column) ?? ''}`)}`);
  }
  return `?${parts.join('&')}`;
}

// ---- Reports ------------------------------------------------------------------------------------

/** The product an export came from, as its makers write it: "Pipedrive", "HubSpot", "Pipedeck"; null when unclear. */
export function detectedName(detected: string): string | null {
  switch (detected) {
    case 'pipedrive':
      return 'Pipedrive';
    case 'hubspot':
      return 'HubSpot';
    case 'pipedeck':
      return 'Pipedeck';
    default:
      return null;
  }
}

/** "The columns look like a Pipedrive export." */
export function detectedText(detected: string): string {
  const name = detectedName(detected);
  return name
    ? `The columns look like a ${name} export.`
    : 'The columns don’t match a known export; check what each one imports into.';
}

/** The rows that go in (or would): created plus updated. */
export function importableRows(report: ImportReport): number {
  return report.created + report.updated;
}

export interface ReportFigure {
  key: 'rows' | 'created' | 'updated' | 'failed' | 'linked_created';
  label: string;
  value: number;
}

/** The report's figures, worded for a dry run ("Would create") or a finished import ("Created"). */
export function reportFigures(report: ImportReport): ReportFigure[] {
  const dry = report.dry_run;
  const linked =
    report.object === 'deals' ? 'Organizations and persons' : report.object === 'persons' ? 'Organizations' : 'Linked records';
  return [
    { key: 'rows', label: 'Rows in the file', value: report.rows },
    { key: 'created', label: dry ? 'Would be created' : 'Created', value: report.created },
    { key: 'updated', label: dry ? 'Would be updated' : 'Updated', value: report.updated },
    { key: 'failed', label: dry ? 'Would be refused' : 'Refused', value: report.failed },
    { key: 'linked_created', label: `${linked} ${dry ? 'to add' : 'added'}`, value: report.linked_created },
  ];
}

/** "2 rows would be refused." and, past the server's cap, how many problems are not listed. */
export function errorsCaption(report: ImportReport): string {
  const n = report.failed;
  if (n === 0 && report.errors.length === 0) return 'No row has a problem.';
  const rows = n === 1 ? '1 row' : `${n.toLocaleString()} rows`;
  const verb = report.dry_run ? 'would be refused' : n === 1 ? 'was refused' : 'were refused';
  const omitted =
    report.errors_omitted > 0
      ? ` The first ${report.errors.length.toLocaleString()} problems are listed; ${report.errors_omitted.toLocaleString()} more are not.`
      : '';
  return `${rows} ${verb}; a refused row changes nothing.${omitted}`;
}

/** RFC 4180 quoting of one field. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** The report's errors as a CSV file (row, column, reason), for fixing the file in a spreadsheet. */
export function errorsCsv(errors: readonly ImportRowError[]): string {
  const lines = ['row,column,reason', ...errors.map((e) => [String(e.row), csvField(e.column), csvField(e.reason)].join(','))];
  return `${lines.join('\r\n')}\r\n`;
}

// ---- File-level refusals ------------------------------------------------------------------------

export interface FileProblem {
  title: string;
  message: string;
  /** The server's `field`: "csv", "columns", "mapping" (or null). */
  field: string | null;
}

/** The body limit of an import when the server is not set otherwise (`pipedeck serve --max-import-mb`). */
export const kDefaultImportLimitBytes = 256 * 1024 * 1024;

/**
 * A refusal of the whole file (nothing imported), or null for other errors (which the page
 * shows as a failed request). 422 carries the server's message and field; 413 is the body limit.
 */
export function fileProblem(error: Pick<ApiError, 'status' | 'message' | 'field'>): FileProblem | null {
  if (error.status === 413) {
    // The server names its limit in bytes: "request body exceeds 268435456 bytes".
    const limit = /(\d+) bytes/.exec(error.message);
    const takes = limit ? `This server takes files of up to ${formatBytes(Number(limit[1]))}.` : sentence(error.message);
    return { title: 'The file is too large', message: `${takes} Split it into smaller files and import them one by one.`, field: null };
  }
  if (error.status !== 422) return null;
  const message = sentence(error.message);
  switch (error.field) {
    case 'csv':
      return { title: 'The file can’t be read as CSV', message, field: error.field };
    case 'columns':
      return { title: 'The columns don’t fit', message, field: error.field };
    case 'mapping':
      return { title: 'The mapping can’t be used', message, field: error.field };
    default:
      return { title: 'The file can’t be imported', message, field: error.field };
  }
}

/** "812 bytes", "14.2 KB", "3.1 MB". */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = value >= 100 || Number.isInteger(value) ? 0 : 1;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

// ---- The file in the browser --------------------------------------------------------------------

/**
 * The first `max` records of CSV `text` as the server reads it (RFC 4180: quoted fields may hold
 * commas, quotes written "" and line breaks; a byte order mark is skipped; blank lines are
 * skipped). `complete` false means `text` is only the start of the file: the last record, which
 * may be cut, is dropped unless a line break ends it.
 */
export function readCsvRecords(text: string, max: number, complete = true): string[][] {
  const records: string[][] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let record: string[] = [];
  let field = '';
  let quoted = false;
  let fieldStarted = false;
  const endRecord = () => {
    record.push(field);
    if (!(record.length === 1 && record[0] === '' && !fieldStarted)) records.push(record);
    record = [];
    field = '';
    fieldStarted = false;
  };
  while (i < text.length && records.length < max) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
      } else {
        field += c;
      }
      i++;
      continue;
    }
    if (c === '"') {
      quoted = true;
      fieldStarted = true;
    } else if (c === ',') {
      record.push(field);
      field = '';
      fieldStarted = true;
    } else if (c === '\r' || c === '\n') {
      endRecord();
      if (c === '\r' && text[i + 1] === '\n') i++;
    } else {
      field += c;
      fieldStarted = true;
    }
    i++;
  }
  const pending = fieldStarted || record.length > 0;
  if (pending && records.length < max && complete && !quoted) endRecord();
  return records;
}

/** How much of the file the browser reads for the header and sample values. */
export const kPreviewBytes = 64 * 1024;

export interface FilePreview {
  header: string[];
  /** Per column, the first non-empty value among the first rows ("" when none). */
  samples: string[];
}

/** The header and a sample value per column from the start of a file (`complete`: the whole file). */
export function previewOf(text: string, complete: boolean, sampleRows = 5): FilePreview {
  const [header = [], ...rows] = readCsvRecords(text, sampleRows + 1, complete);
  const samples = header.map((_, i) => rows.map((r) => (r[i] ?? '').trim()).find((v) => v !== '') ?? '');
  return { header, samples };
}

// ---- Export -------------------------------------------------------------------------------------

/**
 * The file name of a Content-Disposition header: `filename*=UTF-8''…` (RFC 5987) first, then
 * `filename="…"` or `filename=…`; never a path. `fallback` when there is none.
 */
export function filenameFromDisposition(header: string | null, fallback: string): string {
  if (!header) return fallback;
  let name: string | null = null;
  const extended = /filename\*\s*=\s*([^']*)'[^']*'([^;]+)/i.exec(header);
  if (extended) {
    try {
      name = decodeURIComponent(extended[2]!.trim());
    } catch {
      name = null;
    }
  }
  if (name === null) {
    const quoted = /filename\s*=\s*"((?:[^"\\]|\\.)*)"/i.exec(header);
    if (quoted) name = quoted[1]!.replace(/\\(.)/g, '$1');
    else {
      const bare = /filename\s*=\s*([^;\s]+)/i.exec(header);
      if (bare) name = bare[1]!;
    }
  }
  const base = name?.split(/[\\/]/).pop()?.trim() ?? '';
  return base && base !== '.' && base !== '..' ? base : fallback;
}
