// Import and export (/import, /import?object=persons): the admin's way to bring records in from a
// spreadsheet, Pipedrive or HubSpot, and to take them out again.
//
// Importing is three steps, and nothing is written before the last:
// 1. what the file holds (deals, persons, organizations, activities, notes) and the file itself
//    (picker or drop);
// 2. the file is sent as a dry run (POST /api/{object}/import?dry_run=true): the page shows the
//    column mapping the server recognised, which export the header looks like, and what the
//    import would do, row errors included. Changing a column's field sends the dry run again with
//    the user's choices as `map` parameters;
// 3. "Import N rows" sends the same file with the same mapping for real and shows the report.
// A file the server refuses as a whole (422: not CSV, a column mapped twice, a required field
// with no column; 413: over the server's body limit, which only the server knows) is shown with
// the server's message and imports nothing. The
// rules (query, wording, CSV preview, download names) live in import_export.ts.
//
// Export: every record of an object as CSV (which import reads back) or as JSON, downloaded in the
// signed-in session and saved under the name the server gives.

import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, type ExportFormat, type ImportObject, type ImportReport } from '../api';
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
  kDefaultImportLimitBytes,
  kPreviewBytes,
  mappingRows,
  parseImportObject,
  previewOf,
  recognisedFields,
  reportFigures,
  type ColumnChoices,
  type FilePreview,
  type FileProblem,
  type MappingRow,
} from '../import_export';
import { sentence } from '../contact_fields';
import { navigate } from '../router';
import { AppLink, errorText } from './contacts_common';
import { ErrorState, Spinner, useApp, useNotify } from './ui';

/** Saves `blob` as a download named `filename` (an object URL clicked through a link). */
function saveFile(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Some browsers read the URL after click() returns; it is freed once the download has started.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function ImportPage({ search }: { search: URLSearchParams }) {
  return (
    <main class="page import-page">
      <header class="page-header">
        <div>
          <h1>Import &amp; export</h1>
          <p class="muted">
            Bring deals, people, organizations, activities and notes in from a spreadsheet, Pipedrive or HubSpot — or take
            them out as a file.
          </p>
        </div>
      </header>
      <ImportWizard object={parseImportObject(search.get('object')) ?? 'deals'} />
      <ExportPanel />
    </main>
  );
}

// ---- Import -------------------------------------------------------------------------------------

/** The last dry run: its report (kept while a new one runs), or why the file was refused. */
interface Check {
  /** What the answers are about; an answer about another object is not shown. */
  object: ImportObject | null;
  busy: boolean;
  /** The last accepted answer (kept while the file is refused after a mapping change). */
  report: ImportReport | null;
  /** What the server recognised in the header on its own, learnt from every answer. */
  recognised: ReadonlyMap<string, string | null>;
  problem: FileProblem | null;
  /** A failed request (not a refusal of the file): the server's message or "can't be reached". */
  error: string | null;
}

const kNoCheck: Check = { object: null, busy: false, report: null, recognised: new Map(), problem: null, error: null };

/** The user's mapping, for the object it was made for (another object starts from none). */
interface Mapping {
  object: ImportObject;
  choices: ColumnChoices;
}

function ImportWizard({ object }: { object: ImportObject }) {
  const { api } = useApp();
  const notify = useNotify();
  const info = importObjectInfo(object);
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<FilePreview | null>(null);
  const [mapping, setMapping] = useState<Mapping>({ object, choices: new Map() });
  const [check, setCheck] = useState<Check>(kNoCheck);
  const [attempt, setAttempt] = useState(0);
  const [importing, setImporting] = useState(false);
  const [importProblem, setImportProblem] = useState<FileProblem | null>(null);
  const [importError, setImportError] = useState<string | null>(null);
  const [finished, setFinished] = useState<ImportReport | null>(null);
  const seq = useRef(0);

  const empty = useMemo(() => new Map<string, string>(), [object]);
  const choices = mapping.object === object ? mapping.choices : empty;
  // Answers about another object (the choice changed since) say nothing about this one.
  const current = check.object === object ? check : { ...kNoCheck, busy: check.busy };
  const report = current.report;
  const header = preview?.header ?? [];
  const columnOrder = report ? report.columns.map((c) => c.column) : header;

  // The dry run, again whenever the file, the object or the mapping changes; older answers are dropped.
  useEffect(() => {
    if (!file || finished) return;
    const mine = ++seq.current;
    const sent = choices;
    setCheck((c) => ({ ...(c.object === object ? c : { ...kNoCheck, object }), busy: true, error: null }));
    api.importCsv(object, file, importQuery(true, sent, columnOrder)).then(
      (answer) => {
        if (mine !== seq.current) return;
        setCheck((c) => ({
          object,
          busy: false,
          report: answer,
          recognised: new Map([...c.recognised, ...recognisedFields(answer, sent)]),
          problem: null,
          error: null,
        }));
      },
      (e: unknown) => {
        if (mine !== seq.current) return;
        const problem = e instanceof ApiError ? fileProblem(e) : null;
        setCheck((c) => ({ ...c, busy: false, report: problem ? c.report : null, problem, error: problem ? null : errorText(e) }));
      },
    );
    // columnOrder only orders the `map` parameters; the mapping itself is `choices`.
  }, [api, file, object, choices, finished, attempt]);

  useEffect(() => () => void ++seq.current, []);

  const chooseFile = (picked: File | null) => {
    if (!picked || importing) return;
    setFinished(null);
    setImportProblem(null);
    setImportError(null);
    setMapping({ object, choices: new Map() });
    setPreview(null);
    setCheck(kNoCheck);
    setFile(picked);
    const whole = picked.size <= kPreviewBytes;
    picked
      .slice(0, kPreviewBytes)
      .text()
      .then(
        (text) => setPreview(previewOf(text, whole)),
        () => setPreview({ header: [], samples: [] }),
      );
  };

  const chooseObject = (next: ImportObject) => {
    if (next === object) return;
    setImportProblem(null);
    setImportError(null);
    navigate(`/import?object=${next}`, { replace: true });
  };

  const rows = mappingRows(columnOrder, current.recognised, choices);
  const fields = report?.fields ?? kImportFields[object];

  const changeField = (column: string, field: string) => {
    const { choices: next, released } = chooseField(rows, choices, column, field);
    setMapping({ object, choices: next });
    setImportProblem(null);
    for (const other of released) notify(`“${other}” is no longer imported: “${column}” fills ${fieldLabel(field)} now.`);
  };

  const runImport = async () => {
    if (!file || !report || importing) return;
    setImporting(true);
    setImportProblem(null);
    setImportError(null);
    try {
      const done = await api.importCsv(object, file, importQuery(false, choices, columnOrder));
      setFinished(done);
      notify(`Import finished: ${done.created.toLocaleString()} created, ${done.updated.toLocaleString()} updated, ${done.failed.toLocaleString()} refused.`);
    } catch (e) {
      const problem = e instanceof ApiError ? fileProblem(e) : null;
      if (problem) setImportProblem(problem);
      else setImportError(errorText(e));
    } finally {
      setImporting(false);
    }
  };

  const startOver = () => {
    ++seq.current;
    setFinished(null);
    setFile(null);
    setPreview(null);
    setCheck(kNoCheck);
    setMapping({ object, choices: new Map() });
    setImportProblem(null);
    setImportError(null);
  };

  const step = finished ? 3 : file ? 2 : 1;
  const importable = report ? importableRows(report) : 0;

  return (
    <section class="panel import-panel" aria-labelledby="import-title" data-testid="import">
      <div class="panel-header">
        <h2 id="import-title" class="section-title">
          Import a CSV file
        </h2>
        <ImportSteps step={step} finished={finished !== null} />
      </div>

      {finished ? (
        <ImportResult report={finished} fileName={file?.name ?? ''} onAgain={startOver} />
      ) : (
        <>
          <fieldset class="fieldset import-source" disabled={importing}>
            <legend>1. What you import, and the file</legend>
            <div class="object-choices" role="radiogroup" aria-label="What the file holds">
              {kImportObjects.map((o) => (
                <label key={o.object} class={`choice object-choice${o.object === object ? ' is-selected' : ''}`}>
                  <input type="radio" name="import-object" value={o.object} checked={o.object === object} onChange={() => chooseObject(o.object)} />
                  <span>{o.label}</span>
                </label>
              ))}
            </div>
            <FileDrop file={file} onFile={chooseFile} />
            <p class="field-help">
              A UTF-8 CSV file with a header row: an export from Pipedeck, Pipedrive or HubSpot, or your own spreadsheet
              (up to {formatBytes(kDefaultImportLimitBytes)} unless the server is set otherwise). {info.label} need {info.needs}. Nothing is imported until you confirm in step 3.
            </p>
          </fieldset>

          {(file || current.problem) && (
            <section class="import-check" aria-labelledby="import-check-title" aria-busy={current.busy ? 'true' : 'false'}>
              <h3 id="import-check-title" class="subsection-title">
                2. Check the columns and what would happen
              </h3>
              {current.busy && (
                <div class="import-busy" data-testid="import-busy">
                  <Spinner label={report ? 'Checking again with your mapping…' : `Uploading ${file?.name ?? 'the file'} for a check…`} />
                </div>
              )}
              {current.problem && <ProblemBanner problem={current.problem} />}
              {current.error && (
                <ErrorState title="The file could not be checked" action={{ label: 'Try again', onClick: () => setAttempt((n) => n + 1) }}>
                  {sentence(current.error)} Nothing was imported.
                </ErrorState>
              )}
              {file && (report || (current.problem && header.length > 0)) && (
                <div class={`import-results${current.busy ? ' is-stale' : ''}`}>
                  {report && (
                    <p class="import-detected" data-testid="import-detected" data-detected={report.detected}>
                      {detectedName(report.detected) && <span class="badge badge-open">{detectedName(report.detected)}</span>}
                      <span>{detectedText(report.detected)}</span>
                    </p>
                  )}
                  <MappingTable
                    rows={rows}
                    fields={fields}
                    samples={preview}
                    disabled={importing}
                    canReset={choices.size > 0}
                    onChange={changeField}
                    onReset={() => setMapping({ object, choices: new Map() })}
                    needs={`${info.label} need ${info.needs}.`}
                  />
                  {report && !current.problem && <ReportView report={report} fileName={file.name} />}
                </div>
              )}
            </section>
          )}

          {file && (
            <section class="import-confirm" aria-labelledby="import-confirm-title">
              <h3 id="import-confirm-title" class="subsection-title">
                3. Import
              </h3>
              {importProblem && <ProblemBanner problem={importProblem} />}
              {importError && (
                <p class="banner banner-error" role="alert">
                  Not imported: {importError}.
                </p>
              )}
              <div class="import-confirm-row">
                <button
                  type="button"
                  class="button button-primary"
                  data-testid="import-run"
                  disabled={!report || current.busy || !!current.problem || importing || importable === 0}
                  onClick={() => void runImport()}
                >
                  {!report || current.problem
                    ? 'Import rows'
                    : importing
                      ? `Importing ${importable.toLocaleString()} rows…`
                      : `Import ${importable.toLocaleString()} ${importable === 1 ? 'row' : 'rows'}`}
                </button>
                <p class="field-help">
                  {!report || current.problem
                    ? 'Choose a file the check accepts first.'
                    : importable === 0
                      ? 'No row can be imported as the file and mapping stand.'
                      : report.failed > 0
                        ? `The ${report.failed.toLocaleString()} refused ${report.failed === 1 ? 'row is' : 'rows are'} skipped; fix ${report.failed === 1 ? 'it' : 'them'} in the file and import it again.`
                        : `Every row goes in, as ${info.many} of this workspace, with the mapping above.`}
                </p>
              </div>
              {importing && <Spinner label={`Importing ${file.name}; large files take a while…`} />}
            </section>
          )}
        </>
      )}
    </section>
  );
}

function ImportSteps({ step, finished }: { step: 1 | 2 | 3; finished: boolean }) {
  const names = ['Choose a file', 'Check the mapping', 'Import'];
  return (
    <ol class="import-steps" aria-label="Import steps">
      {names.map((name, i) => {
        const n = i + 1;
        const done = n < step || finished;
        const state = done ? 'is-done' : n === step ? 'is-current' : '';
        return (
          <li key={name} class={`import-step ${state}`} aria-current={n === step && !finished ? 'step' : undefined}>
            <span class="import-step-number" aria-hidden="true">
              {done ? '✓' : n}
            </span>
            <span>{name}</span>
          </li>
        );
      })}
    </ol>
  );
}

/** The file picker, also a drop target for a file dragged from the desktop. */
function FileDrop({ file, onFile }: { file: File | null; onFile: (file: File | null) => void }) {
  const [over, setOver] = useState(false);
  const hasFiles = (e: DragEvent) => Array.from(e.dataTransfer?.types ?? []).includes('Files');
  return (
    <div
      class={`file-drop${over ? ' is-over' : ''}${file ? ' has-file' : ''}`}
      data-testid="import-drop"
      onDragEnter={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        setOver(true);
      }}
      onDragOver={(e) => {
        if (!hasFiles(e)) return;
        e.preventDefault();
        if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
        setOver(true);
      }}
      onDragLeave={(e) => {
        if (e.currentTarget.contains(e.relatedTarget as Node | null)) return;
        setOver(false);
      }}
      onDrop={(e) => {
        e.preventDefault();
        setOver(false);
        onFile(e.dataTransfer?.files[0] ?? null);
      }}
    >
      <input
        id="import-file"
        class="sr-only"
        type="file"
        accept=".csv,text/csv"
        onChange={(e) => {
          onFile(e.currentTarget.files?.[0] ?? null);
          // Picking the same file again (after fixing it) must fire another change.
          e.currentTarget.value = '';
        }}
      />
      {file ? (
        <p class="file-drop-file" data-testid="import-file-name">
          <strong>{file.name}</strong> <span class="muted">{formatBytes(file.size)}</span>
        </p>
      ) : (
        <p class="file-drop-text">Drop a CSV file here, or</p>
      )}
      <label for="import-file" class="button">
        {file ? 'Choose another file' : 'Choose a CSV file'}
      </label>
    </div>
  );
}

function ProblemBanner({ problem }: { problem: FileProblem }) {
  return (
    <div class="banner banner-error import-problem" role="alert" data-testid="import-problem" data-field={problem.field ?? ''}>
      <strong>{problem.title}</strong>
      <span data-testid="import-problem-message">{problem.message}</span>
      <span class="import-problem-foot">
        Nothing was imported.
        {problem.field === 'columns' || problem.field === 'mapping' ? ' Choose what each column imports into below, or fix the file’s header.' : ''}
      </span>
    </div>
  );
}

/** The select's value for "whatever the server recognises": no field name holds a colon. */
const kAsRecognised = ':recognised';

function MappingTable({
  rows,
  fields,
  samples,
  disabled,
  canReset,
  onChange,
  onReset,
  needs,
}: {
  rows: MappingRow[];
  fields: readonly string[];
  samples: FilePreview | null;
  disabled: boolean;
  canReset: boolean;
  onChange: (column: string, field: string) => void;
  onReset: () => void;
  needs: string;
}) {
  const sampleOf = (column: string) => {
    const i = samples?.header.indexOf(column) ?? -1;
    return i >= 0 ? (samples?.samples[i] ?? '') : '';
  };
  const used = rows.filter((r) => r.field).length;
  return (
    <div class="mapping">
      <div class="mapping-caption" id="import-mapping-caption">
        <span>
          {used.toLocaleString()} of {rows.length.toLocaleString()} columns are imported. {needs}
        </span>
        {canReset && (
          <button type="button" class="button button-quiet button-small" onClick={onReset} disabled={disabled}>
            Reset to the recognised columns
          </button>
        )}
      </div>
      <table class="data-table mapping-table" data-testid="import-mapping" aria-label="What each column imports into" aria-describedby="import-mapping-caption">
        <thead>
          <tr>
            <th scope="col">Column in the file</th>
            <th scope="col" class="mapping-sample">
              Example
            </th>
            <th scope="col">Imports into</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row, index) => {
            const value = row.field === undefined ? kAsRecognised : (row.field ?? '');
            const options = row.field && !fields.includes(row.field) ? [...fields, row.field] : fields;
            const sample = sampleOf(row.column);
            return (
              <tr key={`${index}:${row.column}`} data-column={row.column} data-field={row.field ?? ''} class={row.field === null ? 'is-ignored' : undefined}>
                <th scope="row">{row.column || <span class="muted">(no name)</span>}</th>
                <td class="mapping-sample" title={sample}>
                  {sample || <span class="muted">—</span>}
                </td>
                <td>
                  <select
                    aria-label={`“${row.column}” imports into`}
                    value={value}
                    disabled={disabled}
                    onChange={(e) => {
                      const next = e.currentTarget.value;
                      if (next !== kAsRecognised) onChange(row.column, next);
                    }}
                  >
                    {row.field === undefined && <option value={kAsRecognised}>As recognised from the header</option>}
                    <option value="">Don’t import</option>
                    {options.map((f) => (
                      <option key={f} value={f}>
                        {fieldLabel(f)}
                      </option>
                    ))}
                  </select>
                  {row.chosen && <span class="mapping-chosen">your choice</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** The figures and the refused rows of a report (a dry run's or the import's). */
function ReportView({ report, fileName }: { report: ImportReport; fileName: string }) {
  const figures = reportFigures(report);
  return (
    <div class="import-report" data-testid={report.dry_run ? 'import-preview' : 'import-report'}>
      {report.dry_run && (
        <p class="banner banner-warning" role="status">
          This is a check: nothing has been imported yet.
        </p>
      )}
      <ul class="tiles tiles-small import-figures" aria-label={report.dry_run ? 'What the import would do' : 'What the import did'}>
        {figures.map((f) => (
          <li key={f.key} class={`tile import-figure-${f.key}`} data-figure={f.key} data-value={f.value}>
            <span class="tile-label">{f.label}</span>
            <span class="tile-value">{f.value.toLocaleString()}</span>
          </li>
        ))}
      </ul>
      <RowErrors report={report} fileName={fileName} />
    </div>
  );
}

function RowErrors({ report, fileName }: { report: ImportReport; fileName: string }) {
  if (report.errors.length === 0 && report.failed === 0) {
    return <p class="muted import-no-errors">{errorsCaption(report)}</p>;
  }
  const base = fileName.replace(/\.csv$/i, '') || 'import';
  return (
    <div class="import-errors">
      <div class="panel-header">
        <p class="import-errors-caption" data-testid="import-errors-caption">
          {errorsCaption(report)}
        </p>
        {report.errors.length > 0 && (
          <button
            type="button"
            class="button button-small"
            onClick={() => saveFile(new Blob([errorsCsv(report.errors)], { type: 'text/csv' }), `${base}-problems.csv`)}
          >
            Download the problems as CSV
          </button>
        )}
      </div>
      {report.errors.length > 0 && (
        <div class="import-errors-scroll">
          <table class="data-table import-errors-table" data-testid="import-errors">
            <thead>
              <tr>
                <th scope="col">Row</th>
                <th scope="col">Column</th>
                <th scope="col">Problem</th>
              </tr>
            </thead>
            <tbody>
              {report.errors.map((e, i) => (
                <tr key={i} data-row={e.row}>
                  <td class="import-error-row">{e.row.toLocaleString()}</td>
                  <td>{e.column || <span class="muted">(the whole row)</span>}</td>
                  <td>{e.reason}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

function ImportResult({ report, fileName, onAgain }: { report: ImportReport; fileName: string; onAgain: () => void }) {
  const info = importObjectInfo(report.object);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);
  const went = importableRows(report);
  return (
    <div class="import-result">
      <h3 ref={heading} tabIndex={-1} class="subsection-title" data-testid="import-done">
        {report.failed === 0 ? 'Import finished' : 'Import finished, with refused rows'}
      </h3>
      <p>
        {went.toLocaleString()} {went === 1 ? 'row' : 'rows'} of {fileName || 'the file'} went in as {info.many}
        {report.object === 'notes' ? '; they show on the timeline of what they are about.' : '.'}
      </p>
      <ReportView report={report} fileName={fileName} />
      <div class="button-row">
        <AppLink href={info.listPath} class="button button-primary">
          {info.listLabel}
        </AppLink>
        <button type="button" class="button" onClick={onAgain}>
          Import another file
        </button>
      </div>
    </div>
  );
}

// ---- Export -------------------------------------------------------------------------------------

function ExportPanel() {
  const { api } = useApp();
  const notify = useNotify();
  const [busy, setBusy] = useState<string | null>(null);

  const download = async (object: ImportObject, format: ExportFormat) => {
    const key = `${object}.${format}`;
    if (busy) return;
    setBusy(key);
    try {
      const file = await api.exportFile(object, format);
      const name = filenameFromDisposition(file.disposition, key);
      saveFile(file.blob, name);
      notify(`Downloaded ${name}.`);
    } catch (e) {
      notify(`Not downloaded: ${errorText(e)}.`, 'error');
    } finally {
      setBusy(null);
    }
  };

  return (
    <section class="panel" aria-labelledby="export-title" data-testid="export">
      <div class="panel-header">
        <h2 id="export-title" class="section-title">
          Export
        </h2>
      </div>
      <p class="muted section-help">
        Every record, in id order. CSV files use the columns import reads, so a file can be edited in a spreadsheet and
        imported again (rows with an id update their record); JSON gives the records as the API writes them.
      </p>
      <table class="data-table export-table" aria-label="Export files">
        <tbody>
          {kImportObjects.map((o) => (
            <tr key={o.object} data-export={o.object}>
              <th scope="row">{o.label}</th>
              <td>
                <div class="export-actions">
                  {(['csv', 'json'] as const).map((format) => {
                    const key = `${o.object}.${format}`;
                    return (
                      <button
                        key={format}
                        type="button"
                        class="button button-small"
                        aria-label={`Download ${format.toUpperCase()} of ${o.many}`}
                        disabled={busy !== null}
                        aria-busy={busy === key ? 'true' : undefined}
                        onClick={() => void download(o.object, format)}
                      >
                        {busy === key ? 'Preparing…' : `Download ${format.toUpperCase()}`}
                      </button>
                    );
                  })}
                </div>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
