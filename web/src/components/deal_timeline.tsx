// The deal page's timeline (GET /api/deals/{id}/timeline: activities, notes and stage changes,
// newest first), with the forms that add a note or an activity and a "mark done" on each open
// activity. Every text from the server is rendered as text.

import { useState } from 'preact/hooks';
import { ApiError, type Activity, type ActivityCreate, type ActivityType, type Deal, type Id, type TimelineItem } from '../api';
import {
  activityTypeLabel,
  activityWhen,
  checkActivityDraft,
  describeStageEvent,
  formatInstant,
  kActivityTypeList,
  sentence,
  type ActivityDraft,
} from '../deal_page_logic';
import { utcDay } from '../format';
import { EmptyState, ErrorState, Spinner, useApp, useNotify } from './ui';

interface TimelineProps {
  deal: Deal;
  /** null while the first read is under way. */
  items: TimelineItem[] | null;
  error: string | null;
  onRetry: () => void;
  stageName: (id: Id | null) => string | null;
  userName: (id: Id | null) => string | null;
  /** Something was added or changed: the page reads the timeline (and the deal) again. */
  onChanged: () => void;
}

function problem(e: unknown, what: string): string {
  if (e instanceof ApiError && e.unreachable) return `The server can't be reached, so the ${what} was not saved. Try again.`;
  if (e instanceof ApiError) return sentence(e.message);
  return e instanceof Error ? sentence(e.message) : `The ${what} was not saved.`;
}

function NoteForm({ deal, onChanged }: { deal: Deal; onChanged: () => void }) {
  const { api } = useApp();
  const notify = useNotify();
  const [text, setText] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (!text.trim()) {
      setError('Write the note first.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api.createNote({ content: text, deal_id: deal.id });
      setText('');
      notify('Note added.');
      onChanged();
    } catch (err) {
      setError(problem(err, 'note'));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form class="form composer-form" onSubmit={submit} noValidate data-composer="note">
      <div class="field">
        <label for="note-content">Note</label>
        <textarea
          id="note-content"
          rows={3}
          maxLength={100_000}
          placeholder="What happened, what was agreed…"
          value={text}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? 'note-content-error' : undefined}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        {error && (
          <p id="note-content-error" class="field-error" data-field="content" role="alert">
            {error}
          </p>
        )}
      </div>
      <div class="button-row button-row-end">
        <button type="submit" class="button button-primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add note'}
        </button>
      </div>
    </form>
  );
}

type ActivityField = 'subject' | 'due_date' | 'due_time' | 'type';

function ActivityForm({ deal, onChanged }: { deal: Deal; onChanged: () => void }) {
  const { api } = useApp();
  const notify = useNotify();
  const emptyDraft = (): ActivityDraft => ({ type: 'call', subject: '', dueDate: utcDay(new Date()), dueTime: '' });
  const [draft, setDraft] = useState<ActivityDraft>(emptyDraft);
  const [errors, setErrors] = useState<Partial<Record<ActivityField, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<ActivityDraft>) => setDraft((d) => ({ ...d, ...patch }));

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const checked = checkActivityDraft(draft);
    setFormError(null);
    if (!checked.ok) {
      setErrors({ [checked.field]: checked.message });
      document.getElementById(`activity-${checked.field}`)?.focus();
      return;
    }
    const input: ActivityCreate = { type: draft.type, subject: draft.subject.trim(), deal_id: deal.id };
    if (draft.dueDate) input.due_date = draft.dueDate;
    if (draft.dueTime) input.due_time = draft.dueTime;
    if (deal.person_id !== null) input.person_id = deal.person_id;
    if (deal.org_id !== null) input.org_id = deal.org_id;
    setBusy(true);
    setErrors({});
    try {
      await api.createActivity(input);
      setDraft(emptyDraft());
      notify('Activity added.');
      onChanged();
    } catch (err) {
      const field = err instanceof ApiError ? err.field : null;
      if (field === 'subject' || field === 'due_date' || field === 'due_time' || field === 'type') {
        setErrors({ [field]: sentence((err as ApiError).message) });
        document.getElementById(`activity-${field}`)?.focus();
      } else {
        setFormError(problem(err, 'activity'));
      }
    } finally {
      setBusy(false);
    }
  };

  const attrs = (field: ActivityField) => ({
    id: `activity-${field}`,
    'aria-invalid': errors[field] ? ('true' as const) : undefined,
    'aria-describedby': errors[field] ? `activity-${field}-error` : undefined,
  });
  const fieldError = (field: ActivityField) =>
    errors[field] ? (
      <p id={`activity-${field}-error`} class="field-error" data-field={field} role="alert">
        {errors[field]}
      </p>
    ) : null;

  return (
    <form class="form composer-form" onSubmit={submit} noValidate data-composer="activity">
      {formError && (
        <p class="banner banner-error" role="alert">
          {formError}
        </p>
      )}
      <div class="field-row">
        <div class="field">
          <label for="activity-type">Type</label>
          <select {...attrs('type')} value={draft.type} onChange={(e) => set({ type: e.currentTarget.value as ActivityType })}>
            {kActivityTypeList.map((t) => (
              <option key={t} value={t}>
                {activityTypeLabel(t)}
              </option>
            ))}
          </select>
          {fieldError('type')}
        </div>
        <div class="field field-grow">
          <label for="activity-subject">Subject</label>
          <input
            {...attrs('subject')}
            type="text"
            maxLength={500}
            placeholder="Call about the proposal"
            value={draft.subject}
            onInput={(e) => set({ subject: e.currentTarget.value })}
          />
          {fieldError('subject')}
        </div>
      </div>
      <div class="field-row">
        <div class="field field-grow">
          <label for="activity-due_date">Due date</label>
          <input {...attrs('due_date')} type="date" value={draft.dueDate} onInput={(e) => set({ dueDate: e.currentTarget.value })} />
          {fieldError('due_date')}
        </div>
        <div class="field field-grow">
          <label for="activity-due_time">
            Time <span class="muted">(UTC, optional)</span>
          </label>
          <input {...attrs('due_time')} type="time" value={draft.dueTime} onInput={(e) => set({ dueTime: e.currentTarget.value })} />
          {fieldError('due_time')}
        </div>
      </div>
      <div class="button-row button-row-end">
        <button type="submit" class="button button-primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add activity'}
        </button>
      </div>
    </form>
  );
}

function ActivityEntry({ activity, userName, onChanged }: { activity: Activity; userName: TimelineProps['userName']; onChanged: () => void }) {
  const { api } = useApp();
  const notify = useNotify();
  const [busy, setBusy] = useState(false);
  const markDone = async () => {
    setBusy(true);
    try {
      await api.updateActivity(activity.id, activity.version, { done: true });
      notify(`“${activity.subject}” marked as done.`);
      onChanged();
    } catch (e) {
      if (e instanceof ApiError && e.status === 412) {
        notify(`“${activity.subject}” was changed elsewhere; the timeline has been reloaded.`, 'error');
        onChanged();
      } else {
        notify(`Couldn't mark “${activity.subject}” as done: ${problem(e, 'change').replace(/\.$/, '')}.`, 'error');
      }
    } finally {
      setBusy(false);
    }
  };
  const owner = userName(activity.owner_id);
  const tone = activity.done ? 'done' : activity.overdue ? 'overdue' : 'planned';
  return (
    <>
      <div class="timeline-line">
        <span class={`timeline-type timeline-type-${activity.type}`}>{activityTypeLabel(activity.type)}</span>
        <span class="timeline-subject">{activity.subject}</span>
      </div>
      <p class="timeline-meta">
        <span class={`timeline-state timeline-state-${tone}`} data-state={tone}>
          {tone === 'done' ? 'Done' : tone === 'overdue' ? 'Overdue' : 'Planned'}
        </span>
        {owner && <span> · {owner}</span>}
      </p>
      {activity.note && <p class="timeline-text">{activity.note}</p>}
      {!activity.done && (
        <div class="timeline-actions">
          <button type="button" class="button button-small" disabled={busy} aria-label={`Mark “${activity.subject}” as done`} onClick={() => void markDone()}>
            {busy ? 'Saving…' : 'Mark done'}
          </button>
        </div>
      )}
    </>
  );
}

const kKindLabels = { activity: 'Activity', note: 'Note', stage_event: 'Stage' } as const;

/** An entry's moment: an open activity's due day (and time, if it has one), else the instant. */
function whenOf(item: TimelineItem, today: string): string {
  if (item.kind === 'activity') {
    const a = item.data;
    if (a.done) return formatInstant(a.done_at ?? item.at, today);
    return `Due ${activityWhen(a, today)}`;
  }
  return formatInstant(item.at, today);
}

export function DealTimeline({ deal, items, error, onRetry, stageName, userName, onChanged }: TimelineProps) {
  const [mode, setMode] = useState<'note' | 'activity'>('note');
  const today = utcDay(new Date());
  let list;
  if (items === null && error === null) list = <Spinner label="Loading the timeline…" />;
  else if (items === null) {
    list = (
      <ErrorState title="Can't load the timeline" action={{ label: 'Try again', onClick: onRetry }}>
        {error}
      </ErrorState>
    );
  } else if (items.length === 0) {
    list = <EmptyState title="Nothing here yet">Add a note or plan the next activity above; stage changes show up here too.</EmptyState>;
  } else {
    list = (
      <ol class="timeline" aria-label="Timeline, newest first">
        {items.map((item) => {
          const key = `${item.kind}-${item.data.id}`;
          const open = item.kind === 'activity' && !item.data.done;
          return (
            <li
              key={key}
              class={`timeline-item timeline-${item.kind}${open ? ' is-open' : ''}${item.kind === 'activity' && item.data.overdue ? ' is-overdue' : ''}`}
              data-kind={item.kind}
              data-id={item.data.id}
            >
              <span class="timeline-marker" aria-hidden="true" />
              <div class="timeline-body">
                <p class="timeline-kind">
                  <span>{kKindLabels[item.kind]}</span>
                  <time dateTime={item.at} title={`${item.at.slice(0, 16).replace('T', ' ')} UTC`}>
                    {whenOf(item, today)}
                  </time>
                </p>
                {item.kind === 'activity' && <ActivityEntry activity={item.data} userName={userName} onChanged={onChanged} />}
                {item.kind === 'note' && (
                  <>
                    <p class="timeline-text">{item.data.content}</p>
                    {userName(item.data.user_id) && <p class="timeline-meta">{userName(item.data.user_id)}</p>}
                  </>
                )}
                {item.kind === 'stage_event' && (
                  <>
                    <p class="timeline-line">{describeStageEvent(item.data, stageName)}</p>
                    {userName(item.data.user_id) && <p class="timeline-meta">{userName(item.data.user_id)}</p>}
                  </>
                )}
              </div>
            </li>
          );
        })}
      </ol>
    );
  }
  return (
    <div class="deal-timeline">
      <div class="composer">
        <div class="composer-tabs" role="group" aria-label="Add to the timeline">
          <button type="button" class={`composer-tab${mode === 'note' ? ' is-active' : ''}`} aria-pressed={mode === 'note'} onClick={() => setMode('note')}>
            Note
          </button>
          <button type="button" class={`composer-tab${mode === 'activity' ? ' is-active' : ''}`} aria-pressed={mode === 'activity'} onClick={() => setMode('activity')}>
            Activity
          </button>
        </div>
        {mode === 'note' ? <NoteForm deal={deal} onChanged={onChanged} /> : <ActivityForm deal={deal} onChanged={onChanged} />}
      </div>
      {list}
    </div>
  );
}
