// The keyboard route for what dragging does (move to a stage, won, lost) and the lost-reason
// dialog that both routes end in.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type BoardCard, type Id, type LostInput, type LostReason, type Stage } from '../api';
import { Dialog, useApp } from './ui';

/** Where a moved card goes in its stage: first, last, or a slot among the loaded cards. */
export type MovePlace = 'top' | 'bottom' | number;

interface ActionsProps {
  card: BoardCard;
  stageId: Id;
  stages: Stage[];
  onClose: () => void;
  onMove: (stageId: Id, place: MovePlace) => void;
  onWon: () => void;
  onLost: () => void;
}

export function CardActionsDialog({ card, stageId, stages, onClose, onMove, onWon, onLost }: ActionsProps) {
  const [target, setTarget] = useState(stageId);
  const [place, setPlace] = useState<'top' | 'bottom'>('top');
  return (
    <Dialog title={card.title} onClose={onClose}>
      <form
        class="form"
        onSubmit={(e) => {
          e.preventDefault();
          onMove(target, place);
        }}
      >
        <fieldset class="fieldset">
          <legend>Move to stage</legend>
          <div class="field">
            <label for="move-stage">Stage</label>
            <select id="move-stage" autofocus value={String(target)} onChange={(e) => setTarget(Number(e.currentTarget.value))}>
              {stages.map((s) => (
                <option key={s.id} value={String(s.id)}>
                  {s.name}
                  {s.id === stageId ? ' (current)' : ''}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="move-place">Position</label>
            <select id="move-place" value={place} onChange={(e) => setPlace(e.currentTarget.value === 'bottom' ? 'bottom' : 'top')}>
              <option value="top">Top of the stage</option>
              <option value="bottom">Bottom of the stage</option>
            </select>
          </div>
          <button type="submit" class="button button-primary">
            Move
          </button>
          <p class="field-help">
            On the board, <kbd>Alt</kbd>+<kbd>↑</kbd>/<kbd>↓</kbd> on a card's <span aria-hidden="true">⋯</span> button
            moves it within its stage and <kbd>Alt</kbd>+<kbd>←</kbd>/<kbd>→</kbd> to the previous or next stage.
          </p>
        </fieldset>
        <fieldset class="fieldset">
          <legend>Close the deal</legend>
          <div class="button-row">
            <button type="button" class="button button-won" onClick={onWon}>
              Mark as won
            </button>
            <button type="button" class="button button-lost" onClick={onLost}>
              Mark as lost…
            </button>
          </div>
        </fieldset>
      </form>
    </Dialog>
  );
}

interface LostProps {
  /** Only the title is shown (the deal page passes its deal). */
  card: Pick<BoardCard, 'title'>;
  onClose: () => void;
  /** Marks the deal lost; a rejection is shown in the dialog. */
  onSubmit: (input: LostInput) => Promise<void>;
  onDone: () => void;
}

const kOther = 'other';

export function LostDialog({ card, onClose, onSubmit, onDone }: LostProps) {
  const { api } = useApp();
  const [reasons, setReasons] = useState<LostReason[] | null>(null);
  const [choice, setChoice] = useState<string>(kOther);
  // Once the user has picked, the reasons arriving later must not change the pick.
  const picked = useRef(false);
  const pick = (value: string) => {
    picked.current = true;
    setChoice(value);
  };
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    api.lostReasons().then(
      (page) => {
        if (!live) return;
        const active = page.items.filter((r) => r.active);
        setReasons(active);
        if (active[0] && !picked.current) setChoice(String(active[0].id));
      },
      () => live && setReasons([]),
    );
    return () => {
      live = false;
    };
  }, [api]);

  const submit = async (e: Event) => {
    e.preventDefault();
    let input: LostInput;
    if (choice === kOther) {
      if (!text.trim()) {
        setError('Enter the reason the deal was lost.');
        return;
      }
      input = { lost_reason: text.trim() };
    } else {
      input = { lost_reason_id: Number(choice) };
    }
    setBusy(true);
    setError(null);
    try {
      await onSubmit(input);
      onDone();
    } catch (err) {
      setBusy(false);
      if (err instanceof ApiError && err.unreachable) setError("The server can't be reached. Try again.");
      else setError(err instanceof Error ? err.message : 'The deal could not be marked as lost.');
    }
  };

  return (
    <Dialog title={`Mark “${card.title}” as lost`} onClose={onClose}>
      <form class="form" onSubmit={submit} noValidate>
        <fieldset class="fieldset" aria-describedby={error ? 'lost-error' : undefined}>
          <legend>Why was it lost?</legend>
          {reasons === null && <p class="muted">Loading reasons…</p>}
          {reasons?.map((r) => (
            <label key={r.id} class="choice">
              <input type="radio" name="lost-reason" value={String(r.id)} checked={choice === String(r.id)} onChange={() => pick(String(r.id))} />
              {r.label}
            </label>
          ))}
          <label class="choice">
            <input type="radio" name="lost-reason" value={kOther} checked={choice === kOther} onChange={() => pick(kOther)} />
            Another reason
          </label>
          {choice === kOther && (
            <div class="field">
              <label for="lost-reason-text">Reason</label>
              <input
                id="lost-reason-text"
                type="text"
                maxLength={200}
                value={text}
                aria-invalid={error ? 'true' : undefined}
                onInput={(e) => {
                  picked.current = true;
                  setText(e.currentTarget.value);
                }}
              />
            </div>
          )}
          {error && (
            <p id="lost-error" class="field-error" role="alert">
              {error}
            </p>
          )}
        </fieldset>
        <div class="button-row button-row-end">
          <button type="button" class="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="button button-lost" disabled={busy}>
            {busy ? 'Saving…' : 'Mark as lost'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
