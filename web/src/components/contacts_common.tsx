// Pieces shared by the agenda, contact and settings pages: in-app links, paged lists read with a
// cursor, the workspace's users and stage names, and the frame, form buttons and deal and activity
// lists a person's or an organization's page shows.

import type { ComponentChildren, VNode } from 'preact';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type ApiClient, type Activity, type Deal, type Id, type Page, type Pipeline, type Stage, type User } from '../api';
import { activityTypeLabel, isOverdue } from '../agenda';
import { formatDay, utcDay } from '../format';
import { formatMoney } from '../money';
import { dealPath, isModifiedClick, navigate } from '../router';
import { Avatar, EmptyState, ErrorState, Spinner, useApp } from './ui';

export { dealPath };

export function personPath(id: Id): string {
  return `/persons/${id}`;
}

export function organizationPath(id: Id): string {
  return `/organizations/${id}`;
}

/** A link inside the app: a real <a href> (new tab works) that navigates without a page load. */
export function AppLink({
  href,
  children,
  class: className,
  label,
  current,
}: {
  href: string;
  children: ComponentChildren;
  class?: string;
  label?: string;
  current?: boolean;
}) {
  return (
    <a
      href={href}
      class={className}
      aria-label={label}
      aria-current={current ? 'page' : undefined}
      onClick={(e) => {
        if (isModifiedClick(e)) return;
        e.preventDefault();
        navigate(href);
      }}
    >
      {children}
    </a>
  );
}

/** An error as a short phrase for a sentence: "the server can't be reached", or the server's message. */
export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.unreachable ? "the server can't be reached" : e.message;
  return e instanceof Error ? e.message : 'something went wrong';
}

// ---- Paged lists --------------------------------------------------------------------------------

export interface Paged<T> {
  items: T[];
  status: 'loading' | 'ready' | 'error';
  error: string | null;
  hasMore: boolean;
  loadingMore: boolean;
  moreError: string | null;
  loadMore: () => void;
  reload: () => void;
  /** Changes the loaded items in place (after a write), keeping the cursor. */
  update: (change: (items: T[]) => T[]) => void;
}

/**
 * A list read page by page with `next_cursor`. `key` names the query: when it changes, the list
 * starts again from the first page (and answers for an older key are dropped).
 */
export function usePaged<T>(key: string, load: (cursor: string | null) => Promise<Page<T>>): Paged<T> {
  const [items, setItems] = useState<T[]>([]);
  const [status, setStatus] = useState<Paged<T>['status']>('loading');
  const [error, setError] = useState<string | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [moreError, setMoreError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const seq = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    const mine = ++seq.current;
    setStatus('loading');
    setError(null);
    setMoreError(null);
    setLoadingMore(false);
    loadRef.current(null).then(
      (page) => {
        if (mine !== seq.current) return;
        setItems(page.items);
        setCursor(page.next_cursor);
        setStatus('ready');
      },
      (e: unknown) => {
        if (mine !== seq.current) return;
        setItems([]);
        setCursor(null);
        setError(errorText(e));
        setStatus('error');
      },
    );
  }, [key, attempt]);

  const loadMore = useCallback(() => {
    if (!cursor || loadingMore) return;
    const mine = seq.current;
    setLoadingMore(true);
    setMoreError(null);
    loadRef.current(cursor).then(
      (page) => {
        if (mine !== seq.current) return;
        setItems((list) => [...list, ...page.items]);
        setCursor(page.next_cursor);
        setLoadingMore(false);
      },
      (e: unknown) => {
        if (mine !== seq.current) return;
        setLoadingMore(false);
        setMoreError(errorText(e));
      },
    );
  }, [cursor, loadingMore]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  const update = useCallback((change: (items: T[]) => T[]) => setItems((list) => change(list)), []);

  return { items, status, error, hasMore: cursor !== null, loadingMore, moreError, loadMore, reload, update };
}

/** "Load more" under a paged list, with its own loading and error text. */
export function LoadMore<T>({ list, what }: { list: Paged<T>; what: string }) {
  if (list.status !== 'ready' || (!list.hasMore && !list.moreError)) return null;
  return (
    <div class="load-more-row">
      {list.moreError && (
        <p class="field-error" role="alert">
          Couldn't load more {what}: {list.moreError}.
        </p>
      )}
      {list.hasMore && (
        <button type="button" class="button" onClick={list.loadMore} disabled={list.loadingMore}>
          {list.loadingMore ? 'Loading…' : `Load more ${what}`}
        </button>
      )}
    </div>
  );
}

/** The loading and error states of a paged list; null once it is ready. */
export function PagedState<T>({ list, what }: { list: Paged<T>; what: string }) {
  if (list.status === 'loading') return <Spinner label={`Loading ${what}…`} />;
  if (list.status === 'error')
    return (
      <ErrorState title={`Can't load the ${what}`} action={{ label: 'Try again', onClick: list.reload }}>
        The server answered: {list.error}.
      </ErrorState>
    );
  return null;
}

// ---- Workspace names ----------------------------------------------------------------------------

export interface Directory {
  users: Map<Id, User>;
  stages: Map<Id, Stage>;
  pipelines: Map<Id, Pipeline>;
}

const emptyDirectory: Directory = { users: new Map(), stages: new Map(), pipelines: new Map() };

/** Users, stages and pipelines by id, for names on the contact pages (empty until read). */
export function useDirectory(): Directory {
  const { api } = useApp();
  const [dir, setDir] = useState<Directory>(emptyDirectory);
  useEffect(() => {
    let live = true;
    Promise.all([
      api.users().catch(() => ({ items: [] as User[], next_cursor: null })),
      api.allStages().catch(() => ({ items: [] as Stage[], next_cursor: null })),
      api.pipelines().catch(() => ({ items: [] as Pipeline[], next_cursor: null })),
    ]).then(([users, stages, pipelines]) => {
      if (!live) return;
      setDir({
        users: new Map(users.items.map((u) => [u.id, u])),
        stages: new Map(stages.items.map((s) => [s.id, s])),
        pipelines: new Map(pipelines.items.map((p) => [p.id, p])),
      });
    });
    return () => {
      live = false;
    };
  }, [api]);
  return dir;
}

export function stageLabel(dir: Directory, stageId: Id): string | null {
  const stage = dir.stages.get(stageId);
  if (!stage) return null;
  const pipeline = dir.pipelines.get(stage.pipeline_id);
  return pipeline ? `${pipeline.name} · ${stage.name}` : stage.name;
}

// ---- Deals and activities of a contact ----------------------------------------------------------

const kStatusLabel = { open: 'Open', won: 'Won', lost: 'Lost' } as const;

export function DealStatusBadge({ deal }: { deal: Deal }) {
  return <span class={`badge badge-${deal.status}`}>{kStatusLabel[deal.status]}</span>;
}

export function DealRows({ list, dir }: { list: Paged<Deal>; dir: Directory }) {
  const state = <PagedState list={list} what="deals" />;
  if (list.status !== 'ready') return state;
  if (list.items.length === 0) return <p class="section-empty">No deals yet.</p>;
  return (
    <>
      <ul class="record-list" data-testid="deal-list">
        {list.items.map((d) => (
          <li key={d.id} class="record-row" data-deal-id={d.id}>
            <div class="record-main">
              <AppLink href={dealPath(d.id)} class="record-title">
                {d.title}
              </AppLink>
              <span class="record-meta">{stageLabel(dir, d.stage_id) ?? ''}</span>
            </div>
            <div class="record-side">
              <span class="record-value">{formatMoney(d.value_minor, d.currency)}</span>
              <DealStatusBadge deal={d} />
            </div>
          </li>
        ))}
      </ul>
      <LoadMore list={list} what="deals" />
    </>
  );
}

export function dueText(a: Pick<Activity, 'due_date' | 'due_time'>, today: string): string {
  const day = formatDay(a.due_date, today);
  return a.due_time ? `${day}, ${a.due_time} UTC` : day;
}

export function ActivityRows({ list }: { list: Paged<Activity> }) {
  const now = new Date();
  const today = utcDay(now);
  const state = <PagedState list={list} what="activities" />;
  if (list.status !== 'ready') return state;
  if (list.items.length === 0) return <p class="section-empty">No activities yet.</p>;
  return (
    <>
      <ul class="record-list" data-testid="activity-list">
        {list.items.map((a) => {
          const overdue = isOverdue(a, now);
          return (
            <li key={a.id} class={`record-row${a.done ? ' is-done' : ''}`} data-activity-id={a.id}>
              <div class="record-main">
                <span class="record-title">
                  <span class={`type-chip type-${a.type}`}>{activityTypeLabel(a.type)}</span> <span class="activity-subject">{a.subject}</span>
                </span>
                <span class="record-meta">
                  {dueText(a, today)}
                  {a.deal_id !== null && (
                    <>
                      {' · '}
                      <AppLink href={dealPath(a.deal_id)}>Open deal</AppLink>
                    </>
                  )}
                </span>
              </div>
              <div class="record-side">
                {a.done ? (
                  <span class="badge badge-won">Done</span>
                ) : overdue ? (
                  <span class="badge badge-lost">Overdue</span>
                ) : (
                  <span class="badge badge-open">Planned</span>
                )}
              </div>
            </li>
          );
        })}
      </ul>
      <LoadMore list={list} what="activities" />
    </>
  );
}

type ContactLoad<T> = { state: 'loading' } | { state: 'error'; message: string } | { state: 'not-found' } | { state: 'ready'; item: T };

/**
 * A contact page's frame: reads the contact `id` with `read`, showing a spinner, "No such <noun>"
 * (404, with `back` to go back) or the error with "Try again", then `render(contact)`.
 */
export function ContactLoader<T>({
  id,
  read,
  noun,
  back,
  render,
}: {
  id: Id;
  read: (api: ApiClient, id: Id) => Promise<T>;
  noun: string;
  back: string;
  render: (item: T) => VNode;
}) {
  const { api } = useApp();
  const [load, setLoad] = useState<ContactLoad<T>>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    setLoad({ state: 'loading' });
    read(api, id).then(
      (item) => live && setLoad({ state: 'ready', item }),
      (e: unknown) => {
        if (!live) return;
        if (e instanceof ApiError && e.status === 404) setLoad({ state: 'not-found' });
        else setLoad({ state: 'error', message: errorText(e) });
      },
    );
    return () => {
      live = false;
    };
  }, [api, read, id, attempt]);

  if (load.state === 'loading')
    return (
      <main class="page">
        <Spinner label={`Loading the ${noun}…`} />
      </main>
    );
  if (load.state === 'not-found')
    return (
      <main class="page">
        <EmptyState title={`No such ${noun}`} action={{ label: back, onClick: () => history.back() }}>
          There is no {noun} #{id}; it may have been deleted.
        </EmptyState>
      </main>
    );
  if (load.state === 'error')
    return (
      <main class="page">
        <ErrorState title={`Can't load this ${noun}`} action={{ label: 'Try again', onClick: () => setAttempt((n) => n + 1) }}>
          The server answered: {load.message}.
        </ErrorState>
      </main>
    );
  return render(load.item);
}

/**
 * The banners above a contact's form: "someone else changed it" with "Load their version" (a 412),
 * and the error that belongs to no single field.
 */
export function SaveBanners({ noun, conflict, formError, onReload }: { noun: string; conflict: boolean; formError: string | null; onReload: () => void }) {
  return (
    <>
      {conflict && (
        <div class="banner banner-warning" role="alert">
          <p>Someone else changed this {noun} after you opened it, so your changes were not saved.</p>
          <button type="button" class="button button-small" onClick={onReload}>
            Load their version
          </button>
        </div>
      )}
      {formError && (
        <p class="banner banner-error" role="alert">
          {formError}
        </p>
      )}
    </>
  );
}

/**
 * The frame of a person's or an organization's page: the way back to its list, its name, a
 * subtitle followed by its owner, the details form in a panel, and the related lists beside it.
 */
export function RecordPage({
  crumb,
  name,
  subtitle,
  owner,
  detailsId,
  details,
  children,
}: {
  crumb: { href: string; label: string };
  name: string;
  subtitle: ComponentChildren;
  owner: User | null;
  /** The id of the details panel's title. */
  detailsId: string;
  details: ComponentChildren;
  /** The related lists (RecordSection). */
  children: ComponentChildren;
}) {
  return (
    <main class="page record-page">
      <header class="page-header">
        <div>
          <p class="breadcrumbs">
            <AppLink href={crumb.href}>{crumb.label}</AppLink>
          </p>
          <h1 data-testid="record-name">{name}</h1>
          <p class="muted record-subtitle">
            {subtitle}
            {owner && (
              <span class="owner-cell">
                {' · Owner '}
                <Avatar id={owner.id} name={owner.name} /> {owner.name}
              </span>
            )}
          </p>
        </div>
      </header>
      <div class="record-layout">
        <section class="panel record-details" aria-labelledby={detailsId}>
          <h2 id={detailsId} class="section-title">
            Details
          </h2>
          {details}
        </section>
        <div class="record-related">{children}</div>
      </div>
    </main>
  );
}

/** One related list on a record page, titled. */
export function RecordSection({ id, title, children }: { id: string; title: string; children: ComponentChildren }) {
  return (
    <section class="panel" aria-labelledby={id}>
      <h2 id={id} class="section-title">
        {title}
      </h2>
      {children}
    </section>
  );
}

/** A record form's "Save changes" and "Discard changes", enabled while there are changes to act on. */
export function SaveButtons({ busy, dirty, onDiscard }: { busy: boolean; dirty: boolean; onDiscard: () => void }) {
  return (
    <div class="button-row">
      <button type="submit" class="button button-primary" disabled={busy || !dirty}>
        {busy ? 'Saving…' : 'Save changes'}
      </button>
      <button type="button" class="button" disabled={busy || !dirty} onClick={onDiscard}>
        Discard changes
      </button>
    </div>
  );
}
