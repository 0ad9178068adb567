// The agenda (/agenda): the signed-in user's open activities in three sections — Overdue, Today,
// Upcoming (UTC days, as the API defines them) — each with its deal, type, subject and due date;
// mark done and reschedule in place; and the user's open deals with no next activity, each with a
// quick form to plan one (after which the deal leaves that list).
//
// Three reads make the activity sections: everything due before today (always overdue), today
// (overdue once a due time has passed), and from tomorrow on, each paged on its own. Writes are
// kept in an overlay on top of what was read, so an activity moves between sections as soon as the
// server has accepted the change.

import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, type Activity, type ActivityType, type Deal, type Id } from '../api';
import { activityTypeLabel, addDays, groupAgenda, groupByDay, isDateString, kActivityTypes, parseTimeInput } from '../agenda';
import { formatDay, utcDay } from '../format';
import { formatMoney } from '../money';
import { AppLink, LoadMore, dealPath, errorText, stageLabel, useDirectory, usePaged, type Paged } from './contacts_common';
import { ErrorState, Spinner, useApp, useNotify } from './ui';
// ---- Analytics
import { DayPlanSection } from './day_plan';

const kPastPage = 100;
const kTodayPage = 500;
const kUpcomingPage = 50;
const kDealsPage = 50;
const kParallelReads = 6;
const kClockMillis = 60_000;

type OpenForm = { kind: 'reschedule'; id: Id } | { kind: 'plan'; dealId: Id } | null;

/** The current time, re-read every minute so sections follow the clock (09:00 turns overdue at 09:01). */
function useNow(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), kClockMillis);
    return () => clearInterval(timer);
  }, []);
  return now;
}

/** Deals by id for the activities' links: read once each, a few at a time; null when unreadable. */
function useDeals(ids: readonly Id[], known: readonly Deal[]): Map<Id, Deal | null> {
  const { api } = useApp();
  const [deals, setDeals] = useState<Map<Id, Deal | null>>(() => new Map());
  const asked = useRef(new Set<Id>());
  useEffect(() => {
    if (known.length === 0) return;
    for (const d of known) asked.current.add(d.id);
    setDeals((m) => {
      const next = new Map(m);
      for (const d of known) next.set(d.id, d);
      return next;
    });
  }, [known]);
  const key = ids.join(',');
  useEffect(() => {
    const missing = ids.filter((id) => !asked.current.has(id));
    if (missing.length === 0) return;
    for (const id of missing) asked.current.add(id);
    let next = 0;
    const worker = async () => {
      while (next < missing.length) {
        const id = missing[next++]!;
        const deal = await api.deal(id).catch(() => null);
        setDeals((m) => new Map(m).set(id, deal));
      }
    };
    void Promise.all(Array.from({ length: Math.min(kParallelReads, missing.length) }, worker));
    // `key` stands for `ids`.
  }, [api, key]);
  return deals;
}

export function AgendaPage() {
  const { api, user } = useApp();
  const notify = useNotify();
  const now = useNow();
  const today = utcDay(now);
  const tomorrow = addDays(today, 1);
  const dir = useDirectory();

  const past = usePaged<Activity>(`${user.id}|${today}|past`, (cursor) =>
    api.activities({ owner_id: user.id, done: false, sort: 'due_date', due_to: addDays(today, -1), limit: kPastPage, cursor }),
  );
  const todays = usePaged<Activity>(`${user.id}|${today}|today`, (cursor) =>
    api.activities({ owner_id: user.id, done: false, sort: 'due_date', due_from: today, due_to: today, limit: kTodayPage, cursor }),
  );
  const upcoming = usePaged<Activity>(`${user.id}|${today}|upcoming`, (cursor) =>
    api.activities({ owner_id: user.id, done: false, sort: 'due_date', due_from: tomorrow, limit: kUpcomingPage, cursor }),
  );
  const idle = usePaged<Deal>(`${user.id}|idle`, (cursor) =>
    api.findDeals({ owner_id: user.id, status: 'open', has_next_activity: false, sort: '-value', limit: kDealsPage, cursor }),
  );

  /** Activities changed or added here, by id, over what the reads returned. */
  const [overlay, setOverlay] = useState<Map<Id, Activity>>(() => new Map());
  const [openForm, setOpenForm] = useState<OpenForm>(null);
  const [busy, setBusy] = useState<Set<Id>>(() => new Set());

  const activities = useMemo(() => {
    const byId = new Map<Id, Activity>();
    for (const list of [past, todays, upcoming]) for (const a of list.items) byId.set(a.id, a);
    for (const [id, a] of overlay) byId.set(id, a);
    return [...byId.values()].filter((a) => !a.done && a.owner_id === user.id);
  }, [past.items, todays.items, upcoming.items, overlay, user.id]);

  const groups = useMemo(() => groupAgenda(activities, now), [activities, now]);
  const dealIds = useMemo(() => [...new Set(activities.map((a) => a.deal_id).filter((id): id is Id => id !== null))].sort((a, b) => a - b), [activities]);
  const deals = useDeals(dealIds, idle.items);

  const setBusyFor = (id: Id, on: boolean) =>
    setBusy((s) => {
      const next = new Set(s);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });

  const put = (a: Activity) => setOverlay((m) => new Map(m).set(a.id, a));

  /** After a 412: the activity as it is now, so the next try uses its current version. */
  const refresh = async (a: Activity) => {
    const fresh = await api.request<Activity>('GET', `/api/activities/${a.id}`).catch(() => null);
    if (fresh) put(fresh);
  };

  const markDone = async (a: Activity) => {
    setBusyFor(a.id, true);
    put({ ...a, done: true });
    try {
      put(await api.updateActivity(a.id, a.version, { done: true }));
      notify(`Done: “${a.subject}”.`);
      document.getElementById('agenda-title')?.focus();
    } catch (e) {
      put(a);
      if (e instanceof ApiError && e.status === 412) {
        await refresh(a);
        notify(`“${a.subject}” was changed by someone else. Check it and try again.`, 'error');
      } else notify(`Couldn't mark “${a.subject}” as done: ${errorText(e)}.`, 'error');
    } finally {
      setBusyFor(a.id, false);
    }
  };

  const reschedule = async (a: Activity, date: string): Promise<string | null> => {
    setBusyFor(a.id, true);
    try {
      const next = await api.updateActivity(a.id, a.version, { due_date: date });
      put(next);
      setOpenForm(null);
      notify(`“${a.subject}” moved to ${formatDay(date, today)}.`);
      // The row may have moved to another section: keep the keyboard on it.
      requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-activity-id="${a.id}"] [aria-expanded]`)?.focus());
      return null;
    } catch (e) {
      if (e instanceof ApiError && e.status === 412) {
        await refresh(a);
        return 'Someone else changed this activity meanwhile. Its current version is shown; try again.';
      }
      return `Not rescheduled: ${errorText(e)}.`;
    } finally {
      setBusyFor(a.id, false);
    }
  };

  const planned = (deal: Deal, activity: Activity) => {
    put(activity);
    idle.update((list) => list.filter((d) => d.id !== deal.id));
    setOpenForm(null);
    notify(`Planned “${activity.subject}” for “${deal.title}”.`);
    document.getElementById('idle-title')?.focus();
  };

  /** One try again for every activity read that failed (they usually fail together). */
  const retryActivities = () => {
    for (const list of [past, todays, upcoming]) if (list.status === 'error') list.reload();
  };

  const sectionState = (lists: Array<Paged<Activity>>) => {
    const failed = lists.find((l) => l.status === 'error');
    if (failed)
      return (
        <ErrorState title="Can't load these activities" action={{ label: 'Try again', onClick: retryActivities }}>
          The server answered: {failed.error}.
        </ErrorState>
      );
    if (lists.some((l) => l.status === 'loading')) return <Spinner label="Loading activities…" />;
    return null;
  };

  const rowProps = {
    today,
    deals,
    busy,
    openForm,
    setOpenForm,
    onDone: markDone,
    onReschedule: reschedule,
  };

  const overdueState = sectionState([past, todays]);
  const todayState = sectionState([todays]);
  const upcomingState = sectionState([upcoming]);

  return (
    <main class="page agenda-page">
      <header class="page-header">
        <div>
          <h1 id="agenda-title" tabIndex={-1}>
            Agenda
          </h1>
          <p class="muted">
            Your open activities by due date. Dates and times are UTC; today is {longDay(today)}.
          </p>
        </div>
      </header>
      <div class="agenda-layout">
        <div class="agenda-main">
          <section class="panel agenda-section" aria-labelledby="agenda-overdue" data-section="overdue">
            <h2 id="agenda-overdue" class="section-title section-title-overdue">
              Overdue {overdueState === null && <span class="count-chip">{groups.overdue.length}</span>}
            </h2>
            {overdueState ??
              (groups.overdue.length === 0 ? (
                <SectionEmpty title="Nothing overdue">You're all caught up.</SectionEmpty>
              ) : (
                <ActivityList items={groups.overdue} overdue {...rowProps} />
              ))}
            <LoadMore list={past} what="overdue activities" />
          </section>

          <section class="panel agenda-section" aria-labelledby="agenda-today" data-section="today">
            <h2 id="agenda-today" class="section-title">
              Today {todayState === null && <span class="count-chip">{groups.today.length}</span>}
            </h2>
            {todayState ??
              (groups.today.length === 0 ? (
                <SectionEmpty title="Nothing due today">Plan calls and tasks from the deals below, or reschedule something here.</SectionEmpty>
              ) : (
                <ActivityList items={groups.today} {...rowProps} />
              ))}
            <LoadMore list={todays} what="activities for today" />
          </section>

          <section class="panel agenda-section" aria-labelledby="agenda-upcoming" data-section="upcoming">
            <h2 id="agenda-upcoming" class="section-title">
              Upcoming {upcomingState === null && <span class="count-chip">{groups.upcoming.length + (upcoming.hasMore ? '+' : '')}</span>}
            </h2>
            {upcomingState ??
              (groups.upcoming.length === 0 ? (
                <SectionEmpty title="Nothing planned ahead">Every next step you plan shows up here.</SectionEmpty>
              ) : (
                groupByDay(groups.upcoming).map((day) => (
                  <div key={day.date} class="agenda-day">
                    <h3 class="agenda-day-title">{formatDay(day.date, today)}</h3>
                    <ActivityList items={day.items} {...rowProps} />
                  </div>
                ))
              ))}
            <LoadMore list={upcoming} what="upcoming activities" />
          </section>
        </div>

        <aside class="agenda-side">
          {/* ---- Analytics: the day plan by stage */}
          <DayPlanSection />
          <section class="panel agenda-section" aria-labelledby="idle-title" data-section="no-next-activity">
            <h2 id="idle-title" class="section-title" tabIndex={-1}>
              Deals with no next activity {idle.status === 'ready' && <span class="count-chip">{idle.items.length + (idle.hasMore ? '+' : '')}</span>}
            </h2>
            <p class="muted section-help">Your open deals with nothing planned. Give each a next step.</p>
            {idle.status === 'loading' && <Spinner label="Loading deals…" />}
            {idle.status === 'error' && (
              <ErrorState title="Can't load these deals" action={{ label: 'Try again', onClick: idle.reload }}>
                The server answered: {idle.error}.
              </ErrorState>
            )}
            {idle.status === 'ready' &&
              (idle.items.length === 0 ? (
                <SectionEmpty title="Every open deal has a next activity">Nothing slips through the cracks.</SectionEmpty>
              ) : (
                <ul class="agenda-list">
                  {idle.items.map((d) => (
                    <IdleDealRow
                      key={d.id}
                      deal={d}
                      stage={stageLabel(dir, d.stage_id)}
                      today={today}
                      open={openForm?.kind === 'plan' && openForm.dealId === d.id}
                      onOpen={(open) => setOpenForm(open ? { kind: 'plan', dealId: d.id } : null)}
                      onPlanned={planned}
                    />
                  ))}
                </ul>
              ))}
            <LoadMore list={idle} what="deals" />
          </section>
        </aside>
      </div>
    </main>
  );
}

const longDayFormat = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', weekday: 'long', month: 'long', day: 'numeric' });

/** "Monday, November 23" for a "YYYY-MM-DD" day. */
function longDay(date: string): string {
  return longDayFormat.format(new Date(`${date}T00:00:00Z`));
}

function SectionEmpty({ title, children }: { title: string; children: string }) {
  return (
    <div class="section-empty" data-empty>
      <strong>{title}</strong>
      <span>{children}</span>
    </div>
  );
}

interface RowProps {
  today: string;
  deals: Map<Id, Deal | null>;
  busy: Set<Id>;
  openForm: OpenForm;
  setOpenForm: (form: OpenForm) => void;
  onDone: (a: Activity) => void;
  onReschedule: (a: Activity, date: string) => Promise<string | null>;
}

function ActivityList({ items, overdue = false, ...props }: RowProps & { items: Activity[]; overdue?: boolean }) {
  return (
    <ul class="agenda-list">
      {items.map((a) => (
        <ActivityRow key={a.id} activity={a} overdue={overdue} {...props} />
      ))}
    </ul>
  );
}

function ActivityRow({
  activity: a,
  overdue,
  today,
  deals,
  busy,
  openForm,
  setOpenForm,
  onDone,
  onReschedule,
}: RowProps & { activity: Activity; overdue: boolean }) {
  const deal = a.deal_id === null ? undefined : deals.get(a.deal_id);
  const rescheduling = openForm?.kind === 'reschedule' && openForm.id === a.id;
  const isBusy = busy.has(a.id);
  return (
    <li class="agenda-item" data-activity-id={a.id}>
      <div class="agenda-item-row">
        <button
          type="button"
          class="done-button"
          aria-label={`Mark “${a.subject}” as done`}
          title="Mark as done"
          disabled={isBusy}
          onClick={() => onDone(a)}
        >
          <span aria-hidden="true">✓</span>
        </button>
        <div class="agenda-item-main">
          <div class="agenda-item-title">
            <span class={`type-chip type-${a.type}`}>{activityTypeLabel(a.type)}</span>
            <span class="agenda-subject">{a.subject}</span>
          </div>
          <div class="agenda-item-meta">
            <span class={overdue ? 'due due-overdue' : 'due'} data-due={a.due_date}>
              {formatDay(a.due_date, today)}
              {a.due_time ? ` · ${a.due_time} UTC` : ''}
            </span>
            {a.deal_id !== null && (
              <>
                <span aria-hidden="true"> · </span>
                <AppLink href={dealPath(a.deal_id)} class="agenda-deal">
                  {deal ? deal.title : deal === null ? `Deal #${a.deal_id}` : 'Loading deal…'}
                </AppLink>
              </>
            )}
          </div>
        </div>
        <button
          type="button"
          class="button button-small"
          aria-expanded={rescheduling}
          aria-label={`Reschedule “${a.subject}”`}
          onClick={() => setOpenForm(rescheduling ? null : { kind: 'reschedule', id: a.id })}
        >
          Reschedule
        </button>
      </div>
      {rescheduling && <RescheduleForm activity={a} today={today} busy={isBusy} onCancel={() => setOpenForm(null)} onSave={(date) => onReschedule(a, date)} />}
    </li>
  );
}

function RescheduleForm({
  activity,
  today,
  busy,
  onCancel,
  onSave,
}: {
  activity: Activity;
  today: string;
  busy: boolean;
  onCancel: () => void;
  onSave: (date: string) => Promise<string | null>;
}) {
  const [date, setDate] = useState(activity.due_date < today ? today : activity.due_date);
  const [error, setError] = useState<string | null>(null);
  const id = `reschedule-${activity.id}`;
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!isDateString(date)) {
      setError('Pick a date.');
      return;
    }
    if (date === activity.due_date) {
      onCancel();
      return;
    }
    setError(await onSave(date));
  };
  return (
    <form class="inline-form" onSubmit={submit} aria-label={`Reschedule “${activity.subject}”`} noValidate>
      <div class="field">
        <label for={id}>New due date</label>
        <input
          id={id}
          ref={first}
          type="date"
          value={date}
          aria-invalid={error ? 'true' : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          onInput={(e) => setDate(e.currentTarget.value)}
        />
      </div>
      <div class="button-row">
        <button type="button" class="button button-small" onClick={() => setDate(addDays(today, 1))}>
          Tomorrow
        </button>
        <button type="button" class="button button-small" onClick={() => setDate(addDays(today, 7))}>
          In a week
        </button>
      </div>
      <div class="button-row">
        <button type="submit" class="button button-primary button-small" disabled={busy}>
          {busy ? 'Saving…' : 'Save date'}
        </button>
        <button type="button" class="button button-small" onClick={onCancel}>
          Cancel
        </button>
      </div>
      {error && (
        <p id={`${id}-error`} class="field-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function IdleDealRow({
  deal,
  stage,
  today,
  open,
  onOpen,
  onPlanned,
}: {
  deal: Deal;
  stage: string | null;
  today: string;
  open: boolean;
  onOpen: (open: boolean) => void;
  onPlanned: (deal: Deal, activity: Activity) => void;
}) {
  return (
    <li class="agenda-item" data-deal-id={deal.id}>
      <div class="agenda-item-row">
        <div class="agenda-item-main">
          <AppLink href={dealPath(deal.id)} class="agenda-deal-title">
            {deal.title}
          </AppLink>
          <div class="agenda-item-meta">
            <span>{formatMoney(deal.value_minor, deal.currency)}</span>
            {stage && <span> · {stage}</span>}
          </div>
        </div>
        <button
          type="button"
          class="button button-small"
          aria-expanded={open}
          aria-label={`Plan an activity for “${deal.title}”`}
          onClick={() => onOpen(!open)}
        >
          Plan activity
        </button>
      </div>
      {open && <PlanForm deal={deal} today={today} onCancel={() => onOpen(false)} onPlanned={(a) => onPlanned(deal, a)} />}
    </li>
  );
}

type PlanField = 'subject' | 'type' | 'due_date' | 'due_time';

function PlanForm({ deal, today, onCancel, onPlanned }: { deal: Deal; today: string; onCancel: () => void; onPlanned: (a: Activity) => void }) {
  const { api } = useApp();
  const [type, setType] = useState<ActivityType>('call');
  const [subject, setSubject] = useState('');
  const [date, setDate] = useState(today);
  const [time, setTime] = useState('');
  const [errors, setErrors] = useState<Partial<Record<PlanField, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const base = `plan-${deal.id}`;
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => first.current?.focus(), []);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const found: Partial<Record<PlanField, string>> = {};
    if (!subject.trim()) found.subject = 'Enter a subject.';
    if (!isDateString(date)) found.due_date = 'Pick a date.';
    const dueTime = parseTimeInput(time);
    if (dueTime === undefined) found.due_time = 'Enter a time as HH:MM, or leave it empty.';
    setErrors(found);
    setFormError(null);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    try {
      const activity = await api.createActivity({
        subject: subject.trim(),
        type,
        due_date: date,
        ...(dueTime ? { due_time: dueTime } : {}),
        deal_id: deal.id,
        ...(deal.person_id !== null ? { person_id: deal.person_id } : {}),
        ...(deal.org_id !== null ? { org_id: deal.org_id } : {}),
      });
      onPlanned(activity);
    } catch (err) {
      setBusy(false);
      const field = err instanceof ApiError ? err.field : null;
      if (field === 'subject' || field === 'type' || field === 'due_date' || field === 'due_time') {
        setErrors({ [field]: err instanceof Error ? err.message : 'Invalid.' });
      } else setFormError(`Not planned: ${errorText(err)}.`);
    }
  };

  const describe = (f: PlanField) => (errors[f] ? `${base}-${f}-error` : undefined);
  const fieldError = (f: PlanField) =>
    errors[f] ? (
      <p id={`${base}-${f}-error`} class="field-error" data-field={f}>
        {errors[f]}
      </p>
    ) : null;

  return (
    <form class="inline-form plan-form" onSubmit={submit} aria-label={`Plan an activity for “${deal.title}”`} noValidate>
      {formError && (
        <p class="banner banner-error" role="alert">
          {formError}
        </p>
      )}
      <div class="field-row">
        <div class="field">
          <label for={`${base}-type`}>Type</label>
          <select id={`${base}-type`} value={type} onChange={(e) => setType(e.currentTarget.value as ActivityType)}>
            {kActivityTypes.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
        </div>
        <div class="field field-grow">
          <label for={`${base}-subject`}>Subject</label>
          <input
            id={`${base}-subject`}
            ref={first}
            type="text"
            maxLength={500}
            placeholder="Follow-up call"
            value={subject}
            aria-invalid={errors.subject ? 'true' : undefined}
            aria-describedby={describe('subject')}
            onInput={(e) => setSubject(e.currentTarget.value)}
          />
          {fieldError('subject')}
        </div>
      </div>
      <div class="field-row">
        <div class="field">
          <label for={`${base}-date`}>Due date</label>
          <input
            id={`${base}-date`}
            type="date"
            value={date}
            aria-invalid={errors.due_date ? 'true' : undefined}
            aria-describedby={describe('due_date')}
            onInput={(e) => setDate(e.currentTarget.value)}
          />
          {fieldError('due_date')}
        </div>
        <div class="field">
          <label for={`${base}-time`}>
            Time <span class="muted">(UTC, optional)</span>
          </label>
          <input
            id={`${base}-time`}
            type="time"
            value={time}
            aria-invalid={errors.due_time ? 'true' : undefined}
            aria-describedby={describe('due_time')}
            onInput={(e) => setTime(e.currentTarget.value)}
          />
          {fieldError('due_time')}
        </div>
      </div>
      <div class="button-row">
        <button type="submit" class="button button-primary button-small" disabled={busy}>
          {busy ? 'Planning…' : 'Plan activity'}
        </button>
        <button type="button" class="button button-small" onClick={onCancel}>
          Cancel
        </button>
      </div>
      <p class="field-help">The activity is yours and linked to this deal.</p>
    </form>
  );
}
