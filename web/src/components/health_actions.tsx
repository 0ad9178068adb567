// The health page's cleanup actions: the bar that applies one action to the selected deals
// (POST /api/deals/bulk: reassign, plan a last-chance activity, close as lost) and the per-deal
// snooze form (POST /api/deals/{id}/snoozes). The server checks every deal first and changes
// nothing when one fails; its error names the deal ("deal_ids[3]"), which is shown by title.

import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Id, type LostReason, type User } from '../api';
import type { FlaggedDeal, HealthFlag } from '../analytics_api';
import { shiftDay } from '../analytics_period';
import { buildBulk, bulkErrorText, bulkFieldOf, flagTitle, snoozeProblem, type BulkAction, type BulkField, type BulkForm } from '../health';
import { sentence } from '../contact_fields';
import { errorText } from './contacts_common';
import { useAnalytics } from './analytics_common';
import { useNotify } from './ui';

const kActions: ReadonlyArray<{ value: BulkAction; label: string }> = [
  { value: 'reassign', label: 'Reassign to another owner' },
  { value: 'last_chance', label: 'Plan a last-chance activity' },
  { value: 'mark_lost', label: 'Close as lost' },
];

export interface BulkOutcome {
  /** The deal the server refused, to mark in the lists; null when no single deal was named. */
  errorDealId: Id | null;
}

export function BulkBar({
  selected,
  users,
  reasons,
  today,
  onClear,
  onDone,
  onRefused,
}: {
  /** The selected deals the report lists, in report order (the order they are sent in). */
  selected: readonly FlaggedDeal[];
  users: readonly User[];
  reasons: readonly LostReason[];
  today: string;
  onClear: () => void;
  onDone: (message: string) => void;
  onRefused: (dealId: Id | null) => void;
}) {
  const analytics = useAnalytics();
  const [form, setForm] = useState<BulkForm>({ action: 'reassign', ownerId: '', dueDate: today, subject: '', lostReasonId: '', lostReasonText: '' });
  const [fieldError, setFieldError] = useState<{ field: BulkField; message: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const count = selected.length;

  const set = <K extends keyof BulkForm>(key: K, value: BulkForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setFieldError(null);
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setError(null);
    setFieldError(null);
    onRefused(null);
    const ids = selected.map((d) => d.deal_id);
    const built = buildBulk(form, ids);
    if (!built.ok) {
      if (built.field) setFieldError({ field: built.field, message: built.message });
      else setError(built.message);
      return;
    }
    setBusy(true);
    try {
      await analytics.bulk(built.request);
      const n = `${count} ${count === 1 ? 'deal' : 'deals'}`;
      let message: string;
      if (form.action === 'reassign') message = `Reassigned ${n} to ${users.find((u) => String(u.id) === form.ownerId)?.name ?? 'the new owner'}.`;
      else if (form.action === 'last_chance') message = `Planned a last-chance activity on ${n}.`;
      else message = `Closed ${n} as lost.`;
      onDone(message);
    } catch (err) {
      const apiErr = err instanceof ApiError ? err : null;
      const field = bulkFieldOf(apiErr?.field);
      if (field) {
        setFieldError({ field, message: sentence(apiErr!.message) });
        return;
      }
      const titles = new Map(selected.map((d) => [d.deal_id, d.title]));
      const described = bulkErrorText(apiErr ? apiErr.message : errorText(err), apiErr?.field, ids, (id) => titles.get(id) ?? null);
      setError(apiErr?.unreachable ? `Nothing was changed: ${errorText(err)}.` : described.text);
      onRefused(described.dealId);
    } finally {
      setBusy(false);
    }
  };

  const describedBy = (f: BulkField) => (fieldError?.field === f ? 'bulk-field-error' : undefined);
  const invalid = (f: BulkField) => (fieldError?.field === f ? ('true' as const) : undefined);

  return (
    <form class="bulk-bar" aria-label="Cleanup actions" onSubmit={submit} noValidate data-selected={count}>
      <div class="bulk-count" role="status">
        <strong>{count === 0 ? 'No deals selected' : `${count} ${count === 1 ? 'deal' : 'deals'} selected`}</strong>
        {count > 0 && (
          <button type="button" class="button button-quiet button-small" onClick={onClear}>
            Clear
          </button>
        )}
      </div>
      <div class="field">
        <label for="bulk-action">Action</label>
        <select id="bulk-action" value={form.action} onChange={(e) => set('action', e.currentTarget.value as BulkAction)}>
          {kActions.map((a) => (
            <option key={a.value} value={a.value}>
              {a.label}
            </option>
          ))}
        </select>
      </div>
      {form.action === 'reassign' && (
        <div class="field">
          <label for="bulk-owner">New owner</label>
          <select id="bulk-owner" value={form.ownerId} aria-invalid={invalid('ownerId')} aria-describedby={describedBy('ownerId')} onChange={(e) => set('ownerId', e.currentTarget.value)}>
            <option value="">Pick an owner…</option>
            {users
              .filter((u) => u.active)
              .map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name}
                </option>
              ))}
          </select>
        </div>
      )}
      {form.action === 'last_chance' && (
        <>
          <div class="field">
            <label for="bulk-due">Due date</label>
            <input id="bulk-due" type="date" value={form.dueDate} aria-invalid={invalid('dueDate')} aria-describedby={describedBy('dueDate')} onInput={(e) => set('dueDate', e.currentTarget.value)} />
          </div>
          <div class="field field-grow">
            <label for="bulk-subject">
              Subject <span class="muted">(optional)</span>
            </label>
            <input
              id="bulk-subject"
              type="text"
              maxLength={255}
              placeholder="Last chance: <deal title>"
              value={form.subject}
              aria-invalid={invalid('subject')}
              aria-describedby={describedBy('subject')}
              onInput={(e) => set('subject', e.currentTarget.value)}
            />
          </div>
        </>
      )}
      {form.action === 'mark_lost' && (
        <>
          <div class="field">
            <label for="bulk-reason">Lost reason</label>
            <select id="bulk-reason" value={form.lostReasonId} aria-invalid={invalid('lostReasonId')} aria-describedby={describedBy('lostReasonId')} onChange={(e) => set('lostReasonId', e.currentTarget.value)}>
              <option value="">Pick a reason…</option>
              {reasons.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.label}
                </option>
              ))}
              <option value="other">Other (write it)…</option>
            </select>
          </div>
          {(form.lostReasonId === 'other' || reasons.length === 0) && (
            <div class="field field-grow">
              <label for="bulk-reason-text">Reason</label>
              <input
                id="bulk-reason-text"
                type="text"
                maxLength={255}
                value={form.lostReasonText}
                aria-invalid={invalid('lostReasonText')}
                aria-describedby={describedBy('lostReasonText')}
                onInput={(e) => set('lostReasonText', e.currentTarget.value)}
              />
            </div>
          )}
        </>
      )}
      <button type="submit" class={`button ${form.action === 'mark_lost' ? 'button-lost' : 'button-primary'}`} disabled={busy || count === 0}>
        {busy ? 'Applying…' : count === 0 ? 'Apply' : `Apply to ${count} ${count === 1 ? 'deal' : 'deals'}`}
      </button>
      {fieldError && (
        <p id="bulk-field-error" class="field-error bulk-message" role="alert" data-field={fieldError.field}>
          {fieldError.message}
        </p>
      )}
      {error && (
        <p class="banner banner-error bulk-message" role="alert" data-testid="bulk-error">
          {error}
        </p>
      )}
    </form>
  );
}

export function SnoozeForm({
  deal,
  flag,
  today,
  onCancel,
  onSnoozed,
}: {
  deal: FlaggedDeal;
  flag: HealthFlag;
  today: string;
  onCancel: () => void;
  onSnoozed: (message: string) => void;
}) {
  const analytics = useAnalytics();
  const notify = useNotify();
  const [until, setUntil] = useState(shiftDay(today, 7));
  const [reason, setReason] = useState('');
  const [error, setError] = useState<{ field: 'until' | 'reason' | null; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  const base = `snooze-${flag}-${deal.deal_id}`;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const problem = snoozeProblem(until, reason, today);
    if (problem) {
      setError(problem);
      return;
    }
    setError(null);
    setBusy(true);
    try {
      await analytics.snooze(deal.deal_id, { flag, until, reason: reason.trim() });
      onSnoozed(`“${deal.title}” snoozed for ${flagTitle(flag).toLowerCase()} until ${until}.`);
    } catch (err) {
      const field = err instanceof ApiError && (err.field === 'until' || err.field === 'reason') ? err.field : null;
      setError({ field, message: field ? sentence((err as ApiError).message) : `Not snoozed: ${errorText(err)}.` });
      if (!field) notify(`Couldn't snooze “${deal.title}”: ${errorText(err)}.`, 'error');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="inline-form snooze-form" onSubmit={submit} aria-label={`Snooze “${deal.title}”`} noValidate>
      <div class="field">
        <label for={`${base}-until`}>Snooze until</label>
        <input
          id={`${base}-until`}
          ref={first}
          type="date"
          min={shiftDay(today, 1)}
          value={until}
          aria-invalid={error?.field === 'until' ? 'true' : undefined}
          aria-describedby={error ? `${base}-error` : undefined}
          onInput={(e) => setUntil(e.currentTarget.value)}
        />
      </div>
      <div class="field field-grow">
        <label for={`${base}-reason`}>Why it can wait</label>
        <input
          id={`${base}-reason`}
          type="text"
          maxLength={255}
          value={reason}
          aria-invalid={error?.field === 'reason' ? 'true' : undefined}
          aria-describedby={error ? `${base}-error` : undefined}
          onInput={(e) => setReason(e.currentTarget.value)}
        />
      </div>
      <div class="button-row">
        <button type="submit" class="button button-primary button-small" disabled={busy}>
          {busy ? 'Snoozing…' : 'Snooze'}
        </button>
        <button type="button" class="button button-small" onClick={onCancel}>
          Cancel
        </button>
      </div>
      {error && (
        <p id={`${base}-error`} class="field-error" role="alert" data-field={error.field ?? 'form'}>
          {error.message}
        </p>
      )}
    </form>
  );
}
