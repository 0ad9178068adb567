// The stages of one pipeline in the settings: each stage's name, win probability, rotting limit and
// playbook (saved with PATCH + If-Match, changed fields only, errors next to the field), reorder by
// dragging the handle or with the move up/down buttons (PATCH `order`: the stage's new 0-based
// place; the server renumbers the others, so the list is read again after a move), add a stage,
// and delete one — asking which stage of the same pipeline receives its deals when it has any.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Id, type Pipeline, type Stage } from '../api';
import { sentence } from '../contact_fields';
import { byOrder, moveId, stageOrderForMove } from '../reorder';
import { isStageDirty, parseProbability, parseRottingDays, stageChanges, stageDraft, type StageDraft, type StageField } from '../settings_fields';
import { errorText } from './contacts_common';
import { useSortable } from './settings_sortable';
import { Dialog, ErrorState, Spinner, useApp, useNotify } from './ui';

type Load = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready' };

/** `readOnly`: the stages are shown with every control disabled (the user is not an admin). */
export function StagesEditor({ pipeline, readOnly = false }: { pipeline: Pipeline; readOnly?: boolean }) {
  const { api } = useApp();
  const notify = useNotify();
  const [stages, setStages] = useState<Stage[]>([]);
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [moving, setMoving] = useState(false);
  const [deleting, setDeleting] = useState<Stage | null>(null);
  const listRef = useRef<HTMLOListElement>(null);
  const focusAfter = useRef<{ id: Id; button: 'up' | 'down' } | null>(null);
  const readSeq = useRef(0);

  const read = async () => {
    const mine = ++readSeq.current;
    const page = await api.stages(pipeline.id);
    if (mine === readSeq.current) setStages(byOrder(page.items));
  };

  useEffect(() => {
    let live = true;
    setLoad({ state: 'loading' });
    read().then(
      () => live && setLoad({ state: 'ready' }),
      (e: unknown) => live && setLoad({ state: 'error', message: errorText(e) }),
    );
    return () => {
      live = false;
    };
    // `read` only depends on api and pipeline.id.
  }, [api, pipeline.id, attempt]);

  // Focus stays on the moved stage's button after a keyboard move (the other one at the list's end).
  useEffect(() => {
    const want = focusAfter.current;
    if (!want || moving) return;
    focusAfter.current = null;
    const row = listRef.current?.querySelector<HTMLElement>(`[data-sort-id="${want.id}"]`);
    const same = row?.querySelector<HTMLButtonElement>(`[data-move="${want.button}"]`);
    const other = row?.querySelector<HTMLButtonElement>(`[data-move="${want.button === 'up' ? 'down' : 'up'}"]`);
    (same && !same.disabled ? same : other)?.focus();
  });

  const ids = stages.map((s) => s.id);

  const move = async (id: Id, to: number, byKeyboard: 'up' | 'down' | null) => {
    const stage = stages.find((s) => s.id === id);
    const patch = stageOrderForMove(ids, id, to);
    if (!stage || !patch) return;
    const before = stages;
    const byId = new Map(stages.map((s) => [s.id, s] as const));
    setStages(moveId(ids, id, patch.order).map((x) => byId.get(x)!));
    setMoving(true);
    if (byKeyboard) focusAfter.current = { id, button: byKeyboard };
    try {
      await api.updateStage(id, stage.version, patch);
      await read();
    } catch (e) {
      setStages(before);
      notify(`Couldn't move “${stage.name}”: ${errorText(e)}.`, 'error');
      await read().catch(() => undefined);
    } finally {
      setMoving(false);
    }
  };

  const sortable = useSortable(ids, (id, to) => void move(id, to, null), moving || readOnly);

  const replace = (next: Stage) => setStages((list) => list.map((s) => (s.id === next.id ? next : s)));

  if (load.state === 'loading') return <Spinner label="Loading stages…" />;
  if (load.state === 'error')
    return (
      <ErrorState title="Can't load the stages" action={{ label: 'Try again', onClick: () => setAttempt((n) => n + 1) }}>
        The server answered: {load.message}.
      </ErrorState>
    );

  const byId = new Map(stages.map((s) => [s.id, s] as const));
  return (
    <fieldset class="stages-editor settings-fieldset" disabled={readOnly}>
      <p class="field-help">
        {!readOnly && (
          <>
            Drag a stage by its handle <span aria-hidden="true">⠿</span> to reorder, or use its ↑ and ↓ buttons.{' '}
          </>
        )}
        Probability is the chance a deal in the stage is won (it weights the pipeline); a deal untouched for longer than the rotting limit is marked on
        the board.
      </p>
      {stages.length === 0 ? (
        <div class="section-empty" data-empty>
          <strong>No stages yet</strong>
          <span>{readOnly ? 'Deals need at least one; an admin adds them.' : 'Add the first stage below; deals need at least one.'}</span>
        </div>
      ) : (
        <ol class="sort-list" ref={listRef} onPointerDown={sortable.onPointerDown} aria-label={`Stages of ${pipeline.name}`} aria-busy={moving}>
          {sortable.order.map((id) => {
            const stage = byId.get(id)!;
            const index = ids.indexOf(id);
            return (
              <StageRow
                key={id}
                stage={stage}
                index={index}
                count={stages.length}
                dragging={sortable.draggingId === id}
                moving={moving}
                onSaved={replace}
                onStale={() => void read()}
                onMove={(button) => void move(id, button === 'up' ? index - 1 : index + 1, button)}
                onDelete={() => setDeleting(stage)}
              />
            );
          })}
        </ol>
      )}
      {!readOnly && <AddStageForm pipeline={pipeline} onAdded={(s) => setStages((list) => byOrder([...list, s]))} />}
      {deleting && (
        <DeleteStageDialog
          stage={deleting}
          stages={stages}
          onClose={() => setDeleting(null)}
          onDeleted={(target) => {
            setDeleting(null);
            notify(target ? `Deleted “${deleting.name}”; its deals are now in “${target.name}”.` : `Deleted “${deleting.name}”.`);
            void read();
          }}
          onStale={() => void read()}
        />
      )}
    </fieldset>
  );
}

interface RowProps {
  stage: Stage;
  index: number;
  count: number;
  dragging: boolean;
  moving: boolean;
  onSaved: (stage: Stage) => void;
  onStale: () => void;
  onMove: (button: 'up' | 'down') => void;
  onDelete: () => void;
}

function StageRow({ stage, index, count, dragging, moving, onSaved, onStale, onMove, onDelete }: RowProps) {
  const { api } = useApp();
  const notify = useNotify();
  const [draft, setDraft] = useState<StageDraft>(() => stageDraft(stage));
  const [errors, setErrors] = useState<Partial<Record<StageField, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const base = useRef(stage);

  // A new version from the server (a save, a reorder): follow it unless there are unsaved edits.
  useEffect(() => {
    if (base.current === stage) return;
    if (!isStageDirty(base.current, draft)) setDraft(stageDraft(stage));
    base.current = stage;
  }, [stage, draft]);

  const dirty = isStageDirty(stage, draft);
  const id = `stage-${stage.id}`;

  const save = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setFormError(null);
    const changes = stageChanges(stage, draft);
    if (!changes.ok) {
      setErrors(changes.errors);
      return;
    }
    setErrors({});
    if (Object.keys(changes.patch).length === 0) return;
    setBusy(true);
    try {
      const saved = await api.updateStage(stage.id, stage.version, changes.patch);
      base.current = saved;
      setDraft(stageDraft(saved));
      onSaved(saved);
      notify(`Saved stage “${saved.name}”.`);
    } catch (err) {
      if (err instanceof ApiError && err.status === 422 && (err.field === 'name' || err.field === 'probability' || err.field === 'rotting_days' || err.field === 'playbook')) {
        setErrors({ [err.field]: sentence(err.message) });
      } else if (err instanceof ApiError && err.status === 412) {
        setFormError('This stage was changed meanwhile (by someone else or a reorder). The current version is loaded; save again to apply your edits.');
        onStale();
      } else setFormError(`Not saved: ${errorText(err)}.`);
    } finally {
      setBusy(false);
    }
  };

  const field = (name: StageField, label: string, value: string, set: (v: string) => void, extra: Record<string, unknown> = {}) => (
    <div class={`field stage-field-${name}`}>
      <label for={`${id}-${name}`}>{label}</label>
      <input
        id={`${id}-${name}`}
        type="text"
        value={value}
        aria-invalid={errors[name] ? 'true' : undefined}
        aria-describedby={errors[name] ? `${id}-${name}-error` : undefined}
        onInput={(e) => set(e.currentTarget.value)}
        {...extra}
      />
      {errors[name] && (
        <p id={`${id}-${name}-error`} class="field-error" data-field={name}>
          {errors[name]}
        </p>
      )}
    </div>
  );

  const rotting = parseRottingDays(draft.rottingDays);
  const probability = parseProbability(draft.probability);
  return (
    <li class={`sort-row${dragging ? ' is-dragging' : ''}`} data-sort-id={stage.id} data-stage-row={stage.id}>
      <span class="drag-handle" data-sort-handle title={`Drag to reorder ${stage.name}`} aria-hidden="true">
        ⠿
      </span>
      <form class="sort-row-body" onSubmit={save} aria-label={`Stage ${stage.name}`} noValidate>
        {formError && (
          <p class="banner banner-error" role="alert">
            {formError}
          </p>
        )}
        <div class="stage-fields">
          {field('name', 'Name', draft.name, (v) => setDraft({ ...draft, name: v }), { maxLength: 200 })}
          {field('probability', 'Probability %', draft.probability, (v) => setDraft({ ...draft, probability: v }), { inputMode: 'numeric' })}
          {field('rotting_days', 'Rotting days', draft.rottingDays, (v) => setDraft({ ...draft, rottingDays: v }), {
            inputMode: 'numeric',
            placeholder: 'Never',
          })}
        </div>
        <details class="playbook">
          <summary>
            Playbook <span class="muted">{draft.playbook.trim() ? `(${draft.playbook.trim().split(/\s+/).length} words)` : '(empty)'}</span>
          </summary>
          <div class="field">
            <label for={`${id}-playbook`}>Playbook for {stage.name}</label>
            <textarea
              id={`${id}-playbook`}
              rows={4}
              value={draft.playbook}
              aria-invalid={errors.playbook ? 'true' : undefined}
              aria-describedby={errors.playbook ? `${id}-playbook-error` : `${id}-playbook-help`}
              onInput={(e) => setDraft({ ...draft, playbook: e.currentTarget.value })}
            />
            {errors.playbook ? (
              <p id={`${id}-playbook-error`} class="field-error" data-field="playbook">
                {errors.playbook}
              </p>
            ) : (
              <p id={`${id}-playbook-help`} class="field-help">
                What a rep does in this stage, and when a deal may leave it.
              </p>
            )}
          </div>
        </details>
        {dirty && (
          <div class="button-row">
            <button type="submit" class="button button-primary button-small" disabled={busy}>
              {busy ? 'Saving…' : 'Save stage'}
            </button>
            <button
              type="button"
              class="button button-small"
              onClick={() => {
                setDraft(stageDraft(stage));
                setErrors({});
                setFormError(null);
              }}
            >
              Discard
            </button>
          </div>
        )}
        <p class="sr-only">
          {probability.ok ? `${probability.value}% probability` : ''}
          {rotting.ok ? (rotting.value === null ? ', never rots' : `, rots after ${rotting.value} days`) : ''}
        </p>
      </form>
      <div class="sort-buttons">
        <button type="button" class="icon-button" data-move="up" aria-label={`Move ${stage.name} up`} disabled={index === 0 || moving} onClick={() => onMove('up')}>
          ↑
        </button>
        <button
          type="button"
          class="icon-button"
          data-move="down"
          aria-label={`Move ${stage.name} down`}
          disabled={index === count - 1 || moving}
          onClick={() => onMove('down')}
        >
          ↓
        </button>
        <button type="button" class="button button-small button-lost" aria-label={`Delete stage ${stage.name}`} onClick={onDelete}>
          Delete
        </button>
      </div>
    </li>
  );
}

function AddStageForm({ pipeline, onAdded }: { pipeline: Pipeline; onAdded: (stage: Stage) => void }) {
  const { api } = useApp();
  const notify = useNotify();
  const [name, setName] = useState('');
  const [probability, setProbability] = useState('');
  const [errors, setErrors] = useState<{ name?: string; probability?: string }>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const nameRef = useRef<HTMLInputElement>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const found: { name?: string; probability?: string } = {};
    if (!name.trim()) found.name = 'Enter a name for the stage.';
    const p = probability.trim() ? parseProbability(probability) : null;
    if (p && !p.ok) found.probability = p.message;
    setErrors(found);
    setFormError(null);
    if (found.name || found.probability) return;
    setBusy(true);
    try {
      const stage = await api.createStage({ pipeline_id: pipeline.id, name: name.trim(), ...(p?.ok ? { probability: p.value } : {}) });
      onAdded(stage);
      setName('');
      setProbability('');
      notify(`Added stage “${stage.name}”.`);
      nameRef.current?.focus();
    } catch (err) {
      if (err instanceof ApiError && (err.field === 'name' || err.field === 'probability')) setErrors({ [err.field]: sentence(err.message) });
      else setFormError(`The stage was not added: ${errorText(err)}.`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="add-row" onSubmit={submit} aria-label="Add a stage" noValidate>
      <div class="field field-grow">
        <label for="new-stage-name">New stage</label>
        <input
          id="new-stage-name"
          ref={nameRef}
          type="text"
          maxLength={200}
          placeholder="Stage name"
          value={name}
          aria-invalid={errors.name ? 'true' : undefined}
          aria-describedby={errors.name ? 'new-stage-name-error' : undefined}
          onInput={(e) => setName(e.currentTarget.value)}
        />
        {errors.name && (
          <p id="new-stage-name-error" class="field-error" data-field="name">
            {errors.name}
          </p>
        )}
      </div>
      <div class="field stage-field-probability">
        <label for="new-stage-probability">Probability %</label>
        <input
          id="new-stage-probability"
          type="text"
          inputMode="numeric"
          placeholder="100"
          value={probability}
          aria-invalid={errors.probability ? 'true' : undefined}
          aria-describedby={errors.probability ? 'new-stage-probability-error' : undefined}
          onInput={(e) => setProbability(e.currentTarget.value)}
        />
        {errors.probability && (
          <p id="new-stage-probability-error" class="field-error" data-field="probability">
            {errors.probability}
          </p>
        )}
      </div>
      <button type="submit" class="button" disabled={busy}>
        {busy ? 'Adding…' : 'Add stage'}
      </button>
      {formError && (
        <p class="field-error add-row-error" role="alert">
          {formError}
        </p>
      )}
    </form>
  );
}

type DealsCheck = { state: 'checking' } | { state: 'none' } | { state: 'some'; count: number; more: boolean } | { state: 'unknown'; message: string };

const kDealsCheckLimit = 500;

function DeleteStageDialog({
  stage,
  stages,
  onClose,
  onDeleted,
  onStale,
}: {
  stage: Stage;
  stages: Stage[];
  onClose: () => void;
  onDeleted: (movedTo: Stage | null) => void;
  onStale: () => void;
}) {
  const { api } = useApp();
  const [check, setCheck] = useState<DealsCheck>({ state: 'checking' });
  const [target, setTarget] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const others = stages.filter((s) => s.id !== stage.id);

  useEffect(() => {
    let live = true;
    api.findDeals({ stage_id: stage.id, limit: kDealsCheckLimit }).then(
      (page) => {
        if (!live) return;
        setCheck(page.items.length === 0 ? { state: 'none' } : { state: 'some', count: page.items.length, more: page.next_cursor !== null });
      },
      (e: unknown) => live && setCheck({ state: 'unknown', message: errorText(e) }),
    );
    return () => {
      live = false;
    };
  }, [api, stage.id]);

  const needsTarget = check.state === 'some' || check.state === 'unknown';

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy || check.state === 'checking') return;
    const targetId = target ? Number(target) : null;
    if (check.state === 'some' && targetId === null) {
      setError('Choose the stage that receives the deals.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.deleteStage(stage.id, stage.version, targetId);
      onDeleted(others.find((s) => s.id === targetId) ?? null);
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.status === 409 && err.field === 'move_deals_to') {
        // Deals arrived meanwhile: ask where they go.
        setCheck({ state: 'some', count: 0, more: true });
        setError(`${sentence(err.message)} Choose the stage that receives them.`);
      } else if (err instanceof ApiError && err.status === 412) {
        setError('The stage was changed meanwhile; the list is reloaded. Open this dialog again to delete it.');
        onStale();
      } else setError(`Not deleted: ${errorText(err)}.`);
    }
  };

  const countText = check.state === 'some' ? (check.count === 0 ? 'deals' : `${check.more ? `more than ${check.count}` : check.count} ${check.count === 1 && !check.more ? 'deal' : 'deals'}`) : '';

  return (
    <Dialog title={`Delete stage “${stage.name}”?`} onClose={onClose}>
      <form class="form" onSubmit={submit} noValidate>
        {check.state === 'checking' && <Spinner label="Checking the stage's deals…" />}
        {check.state === 'none' && <p>No deals are in this stage. Deleting it cannot be undone.</p>}
        {check.state === 'unknown' && (
          <p class="banner banner-warning">Couldn't check whether this stage has deals ({check.message}). If it has any, choose where they go.</p>
        )}
        {check.state === 'some' && others.length === 0 && (
          <p class="banner banner-warning" role="alert">
            This stage has {countText} and is the pipeline's only stage, so there is nowhere to move them. Add another stage first, then delete this one.
          </p>
        )}
        {needsTarget && others.length > 0 && (
          <>
            {check.state === 'some' && (
              <p data-testid="stage-deal-count">
                “{stage.name}” has {countText} (open, won and lost). They move to the stage you choose, keeping their status.
              </p>
            )}
            <div class="field">
              <label for="move-deals-to">Move its deals to</label>
              <select
                id="move-deals-to"
                value={target}
                aria-invalid={error && !target ? 'true' : undefined}
                aria-describedby={error ? 'delete-stage-error' : undefined}
                onChange={(e) => {
                  setTarget(e.currentTarget.value);
                  setError(null);
                }}
              >
                <option value="">Choose a stage…</option>
                {others.map((s) => (
                  <option key={s.id} value={String(s.id)}>
                    {s.name}
                  </option>
                ))}
              </select>
            </div>
          </>
        )}
        {error && (
          <p id="delete-stage-error" class="field-error" role="alert">
            {error}
          </p>
        )}
        <div class="button-row button-row-end">
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button button-lost" disabled={busy || check.state === 'checking' || (check.state === 'some' && others.length === 0)}>
            {busy ? 'Deleting…' : needsTarget && target ? 'Move deals and delete' : 'Delete stage'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
