// Settings, in two sections with links between them. /settings, /settings?pipeline=2: the
// workspace's pipelines (create, optionally from a stage template; rename; who sees its deals;
// delete — refused with 409 while the pipeline has deals, which is explained), the chosen
// pipeline's stages (settings_stages.tsx) and the lost reasons (settings_lost_reasons.tsx). Only
// admins change them: everyone else reads them with every control disabled, under a line that
// says so and names the admins. A 403 that still arrives (the user's role changed meanwhile) is
// shown in those words beside the change.
// /settings?section=users: users and teams (settings_users.tsx), which only admins manage.

import { useEffect, useState } from 'preact/hooks';
import { ApiError, type Id, type Pipeline, type PipelineVisibility, type StageTemplate } from '../api';
import { sentence } from '../contact_fields';
import { isForbidden, kAdminsOnlyReason, kAdminsOnlySettings, kVisibilityChoices, visibilityChoice, visibilitySavedText } from '../pipeline_visibility';
import { navigate } from '../router';
import { activeAdminNames, orList } from '../users_admin';
import { AppLink, errorText } from './contacts_common';
import { LostReasonsEditor } from './settings_lost_reasons';
import { StagesEditor } from './settings_stages';
import { UsersAndTeams } from './settings_users';
import { Dialog, EmptyState, ErrorState, Spinner, useApp, useNotify } from './ui';

function settingsPath(pipelineId: Id | null): string {
  return pipelineId === null ? '/settings' : `/settings?pipeline=${pipelineId}`;
}

function parsePipeline(search: URLSearchParams): Id | null {
  const v = search.get('pipeline');
  return v && /^[1-9][0-9]{0,17}$/.test(v) ? Number(v) : null;
}

type Section = 'pipelines' | 'users';

const kSections: ReadonlyArray<{ section: Section; href: string; label: string; about: string }> = [
  {
    section: 'pipelines',
    href: '/settings',
    label: 'Pipelines & lost reasons',
    about: 'Pipelines, their stages and the reasons deals are lost, for the whole workspace.',
  },
  {
    section: 'users',
    href: '/settings?section=users',
    label: 'Users & teams',
    about: 'Who signs in, with which role and in which team; their passwords and API tokens.',
  },
];

type Load = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready' };

export function SettingsPage({ search }: { search: URLSearchParams }) {
  const section: Section = search.get('section') === 'users' ? 'users' : 'pipelines';
  const current = kSections.find((s) => s.section === section)!;
  return (
    <main class="page settings-page">
      <header class="page-header">
        <div>
          <h1>Settings</h1>
          <p class="muted">{current.about}</p>
        </div>
      </header>
      <nav class="settings-sections" aria-label="Settings sections">
        {kSections.map((s) => (
          <AppLink key={s.section} href={s.href} class={`settings-section${s.section === section ? ' is-active' : ''}`} current={s.section === section}>
            {s.label}
          </AppLink>
        ))}
      </nav>
      {section === 'users' ? <UsersAndTeams /> : <PipelineSettings search={search} />}
    </main>
  );
}

/** The text of a refused change: a 403 in the settings' own words, anything else as the server said it. */
function refusalText(e: unknown): string {
  return isForbidden(e) ? kAdminsOnlyReason : errorText(e);
}

/** What a manager or a rep reads above the settings they cannot change: who can change them. */
function AdminsOnlyNote() {
  const { api } = useApp();
  const [admins, setAdmins] = useState<string[]>([]);
  useEffect(() => {
    let live = true;
    api.users().then(
      (page) => live && setAdmins(activeAdminNames(page.items)),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api]);
  return (
    <p class="banner banner-warning" data-testid="settings-admins-only">
      {kAdminsOnlySettings}
      {admins.length > 0 && ` Ask ${orList(admins)} when something here needs to change.`}
    </p>
  );
}

function PipelineSettings({ search }: { search: URLSearchParams }) {
  const { api, user } = useApp();
  const readOnly = user.role !== 'admin';
  const wanted = parsePipeline(search);
  const [pipelines, setPipelines] = useState<Pipeline[]>([]);
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [templates, setTemplates] = useState<StageTemplate[] | null>(null);
  const [creating, setCreating] = useState(false);

  const read = async () => {
    const page = await api.pipelines();
    setPipelines(page.items);
    return page.items;
  };

  useEffect(() => {
    let live = true;
    setLoad({ state: 'loading' });
    read().then(
      () => live && setLoad({ state: 'ready' }),
      (e: unknown) => live && setLoad({ state: 'error', message: errorText(e) }),
    );
    api.stageTemplates().then(
      (t) => live && setTemplates(t.items),
      () => live && setTemplates([]),
    );
    return () => {
      live = false;
    };
    // `read` only depends on api.
  }, [api, attempt]);

  const selected = pipelines.find((p) => p.id === wanted) ?? pipelines[0] ?? null;

  return (
    <>
      <section class="panel" aria-labelledby="settings-pipelines-title">
        <div class="panel-header">
          <h2 id="settings-pipelines-title" class="section-title">
            Pipelines and stages
          </h2>
          {!readOnly && (
            <button type="button" class="button button-primary" onClick={() => setCreating(true)}>
              + New pipeline
            </button>
          )}
        </div>
        {readOnly && <AdminsOnlyNote />}
        {load.state === 'loading' && <Spinner label="Loading pipelines…" />}
        {load.state === 'error' && (
          <ErrorState title="Can't load the pipelines" action={{ label: 'Try again', onClick: () => setAttempt((n) => n + 1) }}>
            The server answered: {load.message}.
          </ErrorState>
        )}
        {load.state === 'ready' && pipelines.length === 0 && (
          <EmptyState title="No pipelines yet" action={readOnly ? undefined : { label: 'Create a pipeline', onClick: () => setCreating(true) }}>
            A pipeline is the series of stages your deals move through.{' '}
            {readOnly ? 'An admin creates them.' : 'Start from a template and adjust it.'}
          </EmptyState>
        )}
        {load.state === 'ready' && selected && (
          <div class="settings-layout">
            <nav class="pipeline-tabs" aria-label="Pipelines">
              <ul>
                {pipelines.map((p) => (
                  <li key={p.id}>
                    <AppLink href={settingsPath(p.id)} class={`pipeline-tab${p.id === selected.id ? ' pipeline-tab-active' : ''}`} current={p.id === selected.id}>
                      {p.name}
                    </AppLink>
                  </li>
                ))}
              </ul>
            </nav>
            <PipelineEditor
              key={selected.id}
              pipeline={selected}
              readOnly={readOnly}
              onRenamed={(p) => setPipelines((list) => list.map((x) => (x.id === p.id ? p : x)))}
              onDeleted={() => {
                void read();
                navigate(settingsPath(null), { replace: true });
              }}
              onStale={() => void read()}
            />
          </div>
        )}
      </section>

      <section class="panel" aria-labelledby="settings-reasons-title">
        <div class="panel-header">
          <h2 id="settings-reasons-title" class="section-title">
            Lost reasons
          </h2>
        </div>
        <LostReasonsEditor readOnly={readOnly} />
      </section>

      {creating && (
        <NewPipelineDialog
          templates={templates}
          onClose={() => setCreating(false)}
          onCreated={(p) => {
            setCreating(false);
            setPipelines((list) => [...list, p]);
            navigate(settingsPath(p.id));
          }}
        />
      )}
    </>
  );
}

function PipelineEditor({
  pipeline,
  readOnly,
  onRenamed,
  onDeleted,
  onStale,
}: {
  pipeline: Pipeline;
  /** Every control disabled: the user is not an admin. */
  readOnly: boolean;
  /** The pipeline as the server answered a change (renamed, or its visibility). */
  onRenamed: (p: Pipeline) => void;
  onDeleted: () => void;
  onStale: () => void;
}) {
  const { api } = useApp();
  const notify = useNotify();
  const [name, setName] = useState(pipeline.name);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [deleting, setDeleting] = useState(false);

  useEffect(() => setName(pipeline.name), [pipeline.name]);

  const rename = async (e: Event) => {
    e.preventDefault();
    if (busy || name.trim() === pipeline.name) return;
    if (!name.trim()) {
      setError('Enter a name.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const saved = await api.updatePipeline(pipeline.id, pipeline.version, { name: name.trim() });
      onRenamed(saved);
      notify(`Renamed to “${saved.name}”.`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 422 && err.field === 'name') setError(sentence(err.message));
      else if (err instanceof ApiError && err.status === 412) {
        setError('The pipeline was changed meanwhile; the current version is loaded. Try again.');
        onStale();
      } else setError(`Not renamed: ${refusalText(err)}.`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="pipeline-editor" data-pipeline-id={pipeline.id}>
      <fieldset class="pipeline-fields settings-fieldset" disabled={readOnly}>
        <form class="add-row pipeline-name-form" onSubmit={rename} aria-label="Rename the pipeline" noValidate>
          <div class="field field-grow">
            <label for="pipeline-name">Pipeline name</label>
            <input
              id="pipeline-name"
              type="text"
              maxLength={200}
              value={name}
              aria-invalid={error ? 'true' : undefined}
              aria-describedby={error ? 'pipeline-name-error' : undefined}
              onInput={(e) => setName(e.currentTarget.value)}
            />
            {error && (
              <p id="pipeline-name-error" class="field-error" data-field="name">
                {error}
              </p>
            )}
          </div>
          <button type="submit" class="button" disabled={busy || name.trim() === pipeline.name}>
            {busy ? 'Renaming…' : 'Rename'}
          </button>
          <button type="button" class="button button-lost" onClick={() => setDeleting(true)}>
            Delete pipeline
          </button>
        </form>
        <VisibilityField pipeline={pipeline} onSaved={onRenamed} onStale={onStale} />
      </fieldset>
      <h3 class="subsection-title">Stages</h3>
      <StagesEditor pipeline={pipeline} readOnly={readOnly} />
      {deleting && (
        <DeletePipelineDialog
          pipeline={pipeline}
          onClose={() => setDeleting(false)}
          onDeleted={() => {
            setDeleting(false);
            notify(`Deleted the pipeline “${pipeline.name}”.`);
            onDeleted();
          }}
        />
      )}
    </div>
  );
}

/**
 * "Who sees its deals": saved as soon as it is chosen (PATCH with the version shown). While the
 * change is pending, or after a refusal, the select shows the server's value again once it is known.
 */
function VisibilityField({ pipeline, onSaved, onStale }: { pipeline: Pipeline; onSaved: (p: Pipeline) => void; onStale: () => void }) {
  const { api } = useApp();
  const notify = useNotify();
  const [value, setValue] = useState<PipelineVisibility>(visibilityChoice(pipeline.visibility).value);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => setValue(visibilityChoice(pipeline.visibility).value), [pipeline.visibility]);

  const choose = async (next: PipelineVisibility) => {
    if (busy || next === pipeline.visibility) return;
    setValue(next);
    setBusy(true);
    setError(null);
    try {
      const saved = await api.updatePipeline(pipeline.id, pipeline.version, { visibility: next });
      onSaved(saved);
      setValue(visibilityChoice(saved.visibility).value);
      notify(visibilitySavedText(saved));
    } catch (err) {
      setValue(visibilityChoice(pipeline.visibility).value);
      if (err instanceof ApiError && err.status === 412) {
        setError('The pipeline was changed meanwhile; the current version is loaded. Choose again.');
        onStale();
      } else setError(`Not changed: ${refusalText(err)}.`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="field pipeline-visibility">
      <label for="pipeline-visibility">Who sees its deals</label>
      <select
        id="pipeline-visibility"
        value={value}
        disabled={busy}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={error ? 'pipeline-visibility-error' : 'pipeline-visibility-help'}
        onChange={(e) => void choose(e.currentTarget.value as PipelineVisibility)}
      >
        {kVisibilityChoices.map((c) => (
          <option key={c.value} value={c.value}>
            {c.label}
          </option>
        ))}
      </select>
      {error ? (
        <p id="pipeline-visibility-error" class="field-error" role="alert" data-field="visibility">
          {error}
        </p>
      ) : (
        <p id="pipeline-visibility-help" class="field-help" data-testid="pipeline-visibility-help">
          {visibilityChoice(pipeline.visibility).explanation}
        </p>
      )}
    </div>
  );
}

function DeletePipelineDialog({ pipeline, onClose, onDeleted }: { pipeline: Pipeline; onClose: () => void; onDeleted: () => void }) {
  const { api } = useApp();
  const [error, setError] = useState<{ title: string; text: string } | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.deletePipeline(pipeline.id, pipeline.version);
      onDeleted();
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.status === 409)
        setError({
          title: `“${pipeline.name}” still has deals, so it can't be deleted.`,
          text: `Move its deals to another pipeline, or delete them, then try again. (The server said: ${sentence(err.message)})`,
        });
      else setError({ title: 'Not deleted.', text: `${sentence(refusalText(err))}` });
    }
  };

  return (
    <Dialog title={`Delete the pipeline “${pipeline.name}”?`} onClose={onClose}>
      <form class="form" onSubmit={submit}>
        <p>The pipeline and its stages are removed. A pipeline that still has deals (open, won or lost) can't be deleted.</p>
        {error && (
          <div class="banner banner-error" role="alert" data-testid="delete-pipeline-error">
            <strong>{error.title}</strong> {error.text}
          </div>
        )}
        <div class="button-row button-row-end">
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button button-lost" disabled={busy}>
            {busy ? 'Deleting…' : 'Delete pipeline'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function NewPipelineDialog({
  templates,
  onClose,
  onCreated,
}: {
  templates: StageTemplate[] | null;
  onClose: () => void;
  onCreated: (p: Pipeline) => void;
}) {
  const { api } = useApp();
  const notify = useNotify();
  const [name, setName] = useState('');
  const [template, setTemplate] = useState('');
  const [errors, setErrors] = useState<{ name?: string; template?: string }>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const chosen = templates?.find((t) => t.key === template) ?? null;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (!name.trim()) {
      setErrors({ name: 'Enter a name.' });
      return;
    }
    setBusy(true);
    setErrors({});
    setFormError(null);
    try {
      const p = await api.createPipeline({ name: name.trim(), ...(template ? { template } : {}) });
      notify(`Created the pipeline “${p.name}”.`);
      onCreated(p);
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && (err.field === 'name' || err.field === 'template')) setErrors({ [err.field]: sentence(err.message) });
      else setFormError(`The pipeline was not created: ${refusalText(err)}.`);
    }
  };

  return (
    <Dialog title="New pipeline" onClose={onClose}>
      <form class="form" onSubmit={submit} noValidate>
        {formError && (
          <p class="banner banner-error" role="alert">
            {formError}
          </p>
        )}
        <div class="field">
          <label for="new-pipeline-name">Name</label>
          <input
            id="new-pipeline-name"
            type="text"
            autofocus
            maxLength={200}
            value={name}
            aria-invalid={errors.name ? 'true' : undefined}
            aria-describedby={errors.name ? 'new-pipeline-name-error' : undefined}
            onInput={(e) => setName(e.currentTarget.value)}
          />
          {errors.name && (
            <p id="new-pipeline-name-error" class="field-error" data-field="name">
              {errors.name}
            </p>
          )}
        </div>
        <div class="field">
          <label for="new-pipeline-template">Stages</label>
          <select
            id="new-pipeline-template"
            value={template}
            aria-invalid={errors.template ? 'true' : undefined}
            aria-describedby={errors.template ? 'new-pipeline-template-error' : 'new-pipeline-template-help'}
            onChange={(e) => setTemplate(e.currentTarget.value)}
          >
            <option value="">None: I'll add stages myself</option>
            {(templates ?? []).map((t) => (
              <option key={t.key} value={t.key}>
                {t.title}
              </option>
            ))}
          </select>
          {errors.template ? (
            <p id="new-pipeline-template-error" class="field-error" data-field="template">
              {errors.template}
            </p>
          ) : (
            <p id="new-pipeline-template-help" class="field-help">
              {templates === null ? 'Loading templates…' : 'A template brings stages with probabilities, rotting limits and playbooks you can change later.'}
            </p>
          )}
        </div>
        {chosen && (
          <ol class="template-preview" aria-label={`Stages of ${chosen.title}`}>
            {chosen.stages.map((s) => (
              <li key={s.name}>
                <strong>{s.name}</strong> <span class="muted">{s.probability}%</span>
              </li>
            ))}
          </ol>
        )}
        <div class="button-row button-row-end">
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button button-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create pipeline'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
