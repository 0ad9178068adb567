// Lost reasons in the settings: add, rename, reorder (drag the handle or move up/down), deactivate
// (hidden from the "mark as lost" choices, kept on deals already lost with it) and delete.
//
// A lost reason's `order` is a sort key the server keeps as given, so a move numbers the list
// 0..n-1 in its new order and patches every reason whose number changed (renumberedOrders).

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Id, type LostReason } from '../api';
import { sentence } from '../contact_fields';
import { byOrder, moveId, renumberedOrders } from '../reorder';
import { errorText } from './contacts_common';
import { useSortable } from './settings_sortable';
import { Dialog, ErrorState, Spinner, useApp, useNotify } from './ui';

type Load = { state: 'loading' } | { state: 'error'; message: string } | { state: 'ready' };

/** `readOnly`: the reasons are shown with every control disabled (the user is not an admin). */
export function LostReasonsEditor({ readOnly = false }: { readOnly?: boolean }) {
  const { api } = useApp();
  const notify = useNotify();
  const [reasons, setReasons] = useState<LostReason[]>([]);
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const [moving, setMoving] = useState(false);
  const [deleting, setDeleting] = useState<LostReason | null>(null);
  const listRef = useRef<HTMLOListElement>(null);
  const focusAfter = useRef<{ id: Id; button: 'up' | 'down' } | null>(null);

  const read = async () => {
    const page = await api.lostReasons();
    setReasons(byOrder(page.items));
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
    // `read` only depends on api.
  }, [api, attempt]);

  useEffect(() => {
    const want = focusAfter.current;
    if (!want || moving) return;
    focusAfter.current = null;
    const row = listRef.current?.querySelector<HTMLElement>(`[data-sort-id="${want.id}"]`);
    const same = row?.querySelector<HTMLButtonElement>(`[data-move="${want.button}"]`);
    const other = row?.querySelector<HTMLButtonElement>(`[data-move="${want.button === 'up' ? 'down' : 'up'}"]`);
    (same && !same.disabled ? same : other)?.focus();
  });

  const ids = reasons.map((r) => r.id);

  const move = async (id: Id, to: number, byKeyboard: 'up' | 'down' | null) => {
    const newIds = moveId(ids, id, to);
    const changes = renumberedOrders(reasons, newIds);
    if (changes.length === 0) return;
    const before = reasons;
    const byId = new Map(reasons.map((r) => [r.id, r] as const));
    setReasons(newIds.map((x) => byId.get(x)!));
    setMoving(true);
    if (byKeyboard) focusAfter.current = { id, button: byKeyboard };
    try {
      for (const change of changes) {
        const reason = byId.get(change.id)!;
        await api.updateLostReason(reason.id, reason.version, { order: change.order });
      }
      await read();
    } catch (e) {
      setReasons(before);
      notify(`Couldn't reorder the lost reasons: ${errorText(e)}.`, 'error');
      await read().catch(() => undefined);
    } finally {
      setMoving(false);
    }
  };

  const sortable = useSortable(ids, (id, to) => void move(id, to, null), moving || readOnly);
  const replace = (next: LostReason) => setReasons((list) => list.map((r) => (r.id === next.id ? next : r)));

  if (load.state === 'loading') return <Spinner label="Loading lost reasons…" />;
  if (load.state === 'error')
    return (
      <ErrorState title="Can't load the lost reasons" action={{ label: 'Try again', onClick: () => setAttempt((n) => n + 1) }}>
        The server answered: {load.message}.
      </ErrorState>
    );

  const byId = new Map(reasons.map((r) => [r.id, r] as const));
  return (
    <fieldset class="reasons-editor settings-fieldset" disabled={readOnly}>
      <p class="field-help">
        Offered, in this order, when a deal is marked as lost. An inactive reason is no longer offered; deals already lost with it keep it.
      </p>
      {reasons.length === 0 ? (
        <div class="section-empty" data-empty>
          <strong>No lost reasons yet</strong>
          <span>Without any, reps type the reason each time.{readOnly ? '' : ' Add the common ones below.'}</span>
        </div>
      ) : (
        <ol class="sort-list" ref={listRef} onPointerDown={sortable.onPointerDown} aria-label="Lost reasons" aria-busy={moving}>
          {sortable.order.map((id) => {
            const reason = byId.get(id)!;
            const index = ids.indexOf(id);
            return (
              <ReasonRow
                key={id}
                reason={reason}
                index={index}
                count={reasons.length}
                dragging={sortable.draggingId === id}
                moving={moving}
                onSaved={replace}
                onStale={() => void read()}
                onMove={(button) => void move(id, button === 'up' ? index - 1 : index + 1, button)}
                onDelete={() => setDeleting(reason)}
              />
            );
          })}
        </ol>
      )}
      {!readOnly && <AddReasonForm onAdded={(r) => setReasons((list) => byOrder([...list, r]))} />}
      {deleting && (
        <DeleteReasonDialog
          reason={deleting}
          onClose={() => setDeleting(null)}
          onDeleted={() => {
            setDeleting(null);
            setReasons((list) => list.filter((r) => r.id !== deleting.id));
            notify(`Deleted “${deleting.label}”.`);
          }}
        />
      )}
    </fieldset>
  );
}

interface RowProps {
  reason: LostReason;
  index: number;
  count: number;
  dragging: boolean;
  moving: boolean;
  onSaved: (reason: LostReason) => void;
  onStale: () => void;
  onMove: (button: 'up' | 'down') => void;
  onDelete: () => void;
}

function ReasonRow({ reason, index, count, dragging, moving, onSaved, onStale, onMove, onDelete }: RowProps) {
  const { api } = useApp();
  const notify = useNotify();
  const [label, setLabel] = useState(reason.label);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const base = useRef(reason);

  useEffect(() => {
    if (base.current === reason) return;
    if (label === base.current.label) setLabel(reason.label);
    base.current = reason;
  }, [reason, label]);

  const id = `reason-${reason.id}`;
  const dirty = label !== reason.label;

  const patch = async (change: { label?: string; active?: boolean }, done: string) => {
    setBusy(true);
    setError(null);
    try {
      const saved = await api.updateLostReason(reason.id, reason.version, change);
      base.current = saved;
      setLabel(saved.label);
      onSaved(saved);
      notify(done.replace('%s', saved.label));
    } catch (err) {
      if (err instanceof ApiError && err.status === 422 && err.field === 'label') setError(sentence(err.message));
      else if (err instanceof ApiError && err.status === 412) {
        setError('This reason was changed meanwhile; the current version is loaded. Try again.');
        onStale();
      } else setError(`Not saved: ${errorText(err)}.`);
    } finally {
      setBusy(false);
    }
  };

  const save = (e: Event) => {
    e.preventDefault();
    if (busy || !dirty) return;
    if (!label.trim()) {
      setError('Enter a label.');
      return;
    }
    void patch({ label: label.trim() }, 'Renamed to “%s”.');
  };

  return (
    <li class={`sort-row${dragging ? ' is-dragging' : ''}${reason.active ? '' : ' is-inactive'}`} data-sort-id={reason.id} data-reason-row={reason.id}>
      <span class="drag-handle" data-sort-handle title={`Drag to reorder ${reason.label}`} aria-hidden="true">
        ⠿
      </span>
      <form class="sort-row-body reason-form" onSubmit={save} aria-label={`Lost reason ${reason.label}`} noValidate>
        <div class="field field-grow">
          <label for={`${id}-label`} class="sr-only">
            Label of lost reason {index + 1}
          </label>
          <input
            id={`${id}-label`}
            type="text"
            maxLength={200}
            value={label}
            aria-invalid={error ? 'true' : undefined}
            aria-describedby={error ? `${id}-error` : undefined}
            onInput={(e) => setLabel(e.currentTarget.value)}
          />
          {error && (
            <p id={`${id}-error`} class="field-error" data-field="label">
              {error}
            </p>
          )}
        </div>
        {!reason.active && <span class="badge badge-inactive">Inactive</span>}
        {dirty && (
          <>
            <button type="submit" class="button button-primary button-small" disabled={busy}>
              Save
            </button>
            <button type="button" class="button button-small" onClick={() => setLabel(reason.label)}>
              Discard
            </button>
          </>
        )}
      </form>
      <div class="sort-buttons">
        <button type="button" class="icon-button" data-move="up" aria-label={`Move ${reason.label} up`} disabled={index === 0 || moving} onClick={() => onMove('up')}>
          ↑
        </button>
        <button
          type="button"
          class="icon-button"
          data-move="down"
          aria-label={`Move ${reason.label} down`}
          disabled={index === count - 1 || moving}
          onClick={() => onMove('down')}
        >
          ↓
        </button>
        <button
          type="button"
          class="button button-small"
          disabled={busy}
          aria-label={`${reason.active ? 'Deactivate' : 'Reactivate'} ${reason.label}`}
          onClick={() => void patch({ active: !reason.active }, reason.active ? 'Deactivated “%s”.' : 'Reactivated “%s”.')}
        >
          {reason.active ? 'Deactivate' : 'Reactivate'}
        </button>
        <button type="button" class="button button-small button-lost" aria-label={`Delete ${reason.label}`} onClick={onDelete}>
          Delete
        </button>
      </div>
    </li>
  );
}

function AddReasonForm({ onAdded }: { onAdded: (reason: LostReason) => void }) {
  const { api } = useApp();
  const notify = useNotify();
  const [label, setLabel] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const inputRef = useRef<HTMLInputElement>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (!label.trim()) {
      setError('Enter the reason.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const reason = await api.createLostReason({ label: label.trim() });
      onAdded(reason);
      setLabel('');
      notify(`Added “${reason.label}”.`);
      inputRef.current?.focus();
    } catch (err) {
      setError(err instanceof ApiError && err.field === 'label' ? sentence(err.message) : `Not added: ${errorText(err)}.`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="add-row" onSubmit={submit} aria-label="Add a lost reason" noValidate>
      <div class="field field-grow">
        <label for="new-lost-reason">New lost reason</label>
        <input
          id="new-lost-reason"
          ref={inputRef}
          type="text"
          maxLength={200}
          placeholder="For example: Lost to a cheaper competitor"
          value={label}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'new-lost-reason-error' : undefined}
          onInput={(e) => setLabel(e.currentTarget.value)}
        />
        {error && (
          <p id="new-lost-reason-error" class="field-error" data-field="label">
            {error}
          </p>
        )}
      </div>
      <button type="submit" class="button" disabled={busy}>
        {busy ? 'Adding…' : 'Add reason'}
      </button>
    </form>
  );
}

function DeleteReasonDialog({ reason, onClose, onDeleted }: { reason: LostReason; onClose: () => void; onDeleted: () => void }) {
  const { api } = useApp();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <Dialog title={`Delete “${reason.label}”?`} onClose={onClose}>
      <form
        class="form"
        onSubmit={async (e) => {
          e.preventDefault();
          setBusy(true);
          setError(null);
          try {
            await api.deleteLostReason(reason.id, reason.version);
            onDeleted();
          } catch (err) {
            setBusy(false);
            setError(`Not deleted: ${errorText(err)}.`);
          }
        }}
      >
        <p>Deals already lost with this reason keep it as their text. To stop offering it but keep it in the list, deactivate it instead.</p>
        {error && (
          <p class="field-error" role="alert">
            {error}
          </p>
        )}
        <div class="button-row button-row-end">
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button button-lost" disabled={busy}>
            {busy ? 'Deleting…' : 'Delete reason'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
