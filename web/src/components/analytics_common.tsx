// Pieces shared by the dashboard, the health page and the day plan: a report loader that keeps the
// last answer on screen while the next one loads, the scope bar (pipeline, owner, team, period, all
// kept in the URL), the choices it offers, and a figure's change as an arrow and a percentage.

import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ApiClient, Pipeline, User } from '../api';
import { AnalyticsApi, type Team } from '../analytics_api';
import {
  customRangeProblem,
  kPresets,
  otherPeriodLabel,
  pickPeriod,
  pickerValue,
  searchText,
  shiftDay,
  writeScope,
  type ScopeState,
} from '../analytics_period';
import type { ChangeView } from '../analytics_format';
import { navigate } from '../router';
import { errorText } from './contacts_common';
import { ErrorState, Spinner, useApp } from './ui';

export function useAnalytics(): AnalyticsApi {
  const { api } = useApp();
  return useMemo(() => new AnalyticsApi(api), [api]);
}

/** Admins and managers manage quotas and the health thresholds. */
export function canManage(role: string): boolean {
  return role === 'admin' || role === 'manager';
}

export interface Load<T> {
  status: 'loading' | 'ready' | 'error';
  data: T | null;
  error: string | null;
  /** The status of the last failure (0: unreachable), null otherwise. */
  errorStatus: number | null;
  /** A newer answer is on its way while `data` (an older one) is shown. */
  refreshing: boolean;
  reload: () => void;
}

/**
 * Reads `load()` whenever `key` changes (or on reload). The previous answer stays in `data` with
 * `refreshing` set until the new one arrives; answers for an older key are dropped. A null key
 * reads nothing.
 */
export function useLoad<T>(key: string | null, load: () => Promise<T>): Load<T> {
  const [state, setState] = useState<Omit<Load<T>, 'reload'>>({ status: 'loading', data: null, error: null, errorStatus: null, refreshing: false });
  const [attempt, setAttempt] = useState(0);
  const seq = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;

  useEffect(() => {
    if (key === null) return;
    const mine = ++seq.current;
    setState((s) => (s.data === null ? { status: 'loading', data: null, error: null, errorStatus: null, refreshing: false } : { ...s, refreshing: true }));
    loadRef.current().then(
      (data) => {
        if (mine === seq.current) setState({ status: 'ready', data, error: null, errorStatus: null, refreshing: false });
      },
      (e: unknown) => {
        if (mine !== seq.current) return;
        const status = e && typeof e === 'object' && 'status' in e && typeof e.status === 'number' ? e.status : null;
        setState({ status: 'error', data: null, error: errorText(e), errorStatus: status, refreshing: false });
      },
    );
  }, [key, attempt]);

  const reload = useMemo(() => () => setAttempt((n) => n + 1), []);
  return { ...state, reload };
}

/** A report's loading and error states; null once ready. */
export function LoadState<T>({ load, what, compact = false }: { load: Load<T>; what: string; compact?: boolean }) {
  if (load.status === 'loading') return <Spinner label={`Loading ${what}…`} />;
  if (load.status === 'error') {
    const message = `The server answered: ${load.error}.`;
    if (compact)
      return (
        <div class="banner banner-error report-error" role="alert">
          <span>
            Can't load {what}. {message}
          </span>
          <button type="button" class="button button-small" onClick={load.reload}>
            Try again
          </button>
        </div>
      );
    return (
      <ErrorState title={`Can't load ${what}`} action={{ label: 'Try again', onClick: load.reload }}>
        {message}
      </ErrorState>
    );
  }
  return null;
}

// ---- Scope choices ------------------------------------------------------------------------------

export interface ScopeOptions {
  pipelines: Pipeline[];
  users: User[];
  teams: Team[];
}

/** Pipelines, users and teams for the scope bar; a list that cannot be read stays empty. */
export function useScopeOptions(api: ApiClient, analytics: AnalyticsApi): ScopeOptions {
  const [options, setOptions] = useState<ScopeOptions>({ pipelines: [], users: [], teams: [] });
  useEffect(() => {
    let live = true;
    Promise.all([
      api.pipelines().then((p) => p.items, () => [] as Pipeline[]),
      api.users().then((p) => p.items, () => [] as User[]),
      analytics.teams().then((p) => (Array.isArray(p?.items) ? p.items : []), () => [] as Team[]),
    ]).then(([pipelines, users, teams]) => {
      if (live) setOptions({ pipelines, users, teams });
    });
    return () => {
      live = false;
    };
  }, [api, analytics]);
  return options;
}

// ---- Scope bar ----------------------------------------------------------------------------------

interface ScopeBarProps {
  scope: ScopeState;
  search: URLSearchParams;
  options: ScopeOptions;
  today: string;
  /** The health page's scope has no period. */
  showPeriod?: boolean;
  busy?: boolean;
  idPrefix: string;
}

/** Writes a changed scope into the URL (a new history entry, so Back returns to the last one). */
function go(search: URLSearchParams, scope: ScopeState): void {
  navigate(location.pathname + searchText(writeScope(search, scope)));
}

export function ScopeBar({ scope, search, options, today, showPeriod = true, busy = false, idPrefix }: ScopeBarProps) {
  const picked = pickerValue(scope, today);
  const [from, setFrom] = useState(scope.from ?? '');
  const [toInclusive, setToInclusive] = useState(scope.to ? shiftDay(scope.to, -1) : '');
  const [rangeError, setRangeError] = useState<string | null>(null);
  const [customOpen, setCustomOpen] = useState(picked === 'custom');

  useEffect(() => {
    setFrom(scope.from ?? '');
    setToInclusive(scope.to ? shiftDay(scope.to, -1) : '');
    setRangeError(null);
    if (scope.from) setCustomOpen(true);
  }, [scope.from, scope.to]);

  const activeUsers = options.users.filter((u) => u.active || u.id === scope.ownerId);
  const id = (name: string) => `${idPrefix}-${name}`;

  const applyRange = (e: Event) => {
    e.preventDefault();
    const to = /^\d{4}-\d{2}-\d{2}$/.test(toInclusive) ? shiftDay(toInclusive, 1) : '';
    const problem = customRangeProblem(from, to || toInclusive);
    setRangeError(problem);
    if (!problem) go(search, { ...scope, period: null, from, to });
  };

  return (
    <form class="scope-bar" aria-label="Report scope" onSubmit={applyRange} aria-busy={busy ? 'true' : undefined}>
      <div class="field">
        <label for={id('pipeline')}>Pipeline</label>
        <select id={id('pipeline')} value={scope.pipelineId ?? ''} onChange={(e) => go(search, { ...scope, pipelineId: numberOrNull(e.currentTarget.value) })}>
          <option value="">All pipelines</option>
          {options.pipelines.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for={id('owner')}>Owner</label>
        <select id={id('owner')} value={scope.ownerId ?? ''} onChange={(e) => go(search, { ...scope, ownerId: numberOrNull(e.currentTarget.value) })}>
          <option value="">Everyone</option>
          {activeUsers.map((u) => (
            <option key={u.id} value={u.id}>
              {u.name}
            </option>
          ))}
        </select>
      </div>
      {(options.teams.length > 0 || scope.teamId !== null) && (
        <div class="field">
          <label for={id('team')}>Team</label>
          <select id={id('team')} value={scope.teamId ?? ''} onChange={(e) => go(search, { ...scope, teamId: numberOrNull(e.currentTarget.value) })}>
            <option value="">All teams</option>
            {options.teams.map((t) => (
              <option key={t.id} value={t.id}>
                {t.name}
              </option>
            ))}
            {scope.teamId !== null && !options.teams.some((t) => t.id === scope.teamId) && <option value={scope.teamId}>Team #{scope.teamId}</option>}
          </select>
        </div>
      )}
      {showPeriod && (
        <div class="field">
          <label for={id('period')}>Period</label>
          <select
            id={id('period')}
            value={customOpen ? 'custom' : picked}
            onChange={(e) => {
              const value = e.currentTarget.value;
              if (value === 'custom') {
                const next = pickPeriod(scope, 'custom', today);
                setFrom(next.from ?? '');
                setToInclusive(next.to ? shiftDay(next.to, -1) : '');
                setCustomOpen(true);
                return;
              }
              setCustomOpen(false);
              go(search, pickPeriod(scope, value, today));
            }}
          >
            {kPresets.map((p) => (
              <option key={p.key} value={p.key}>
                {p.label}
              </option>
            ))}
            {picked.startsWith('other:') && <option value={picked}>{otherPeriodLabel(picked.slice(6))}</option>}
            <option value="custom">Custom range…</option>
          </select>
        </div>
      )}
      {showPeriod && customOpen && (
        <fieldset class="scope-range">
          <legend class="sr-only">Custom range</legend>
          <div class="field">
            <label for={id('from')}>From</label>
            <input id={id('from')} type="date" value={from} aria-invalid={rangeError ? 'true' : undefined} onInput={(e) => setFrom(e.currentTarget.value)} />
          </div>
          <div class="field">
            <label for={id('to')}>To (inclusive)</label>
            <input
              id={id('to')}
              type="date"
              value={toInclusive}
              aria-invalid={rangeError ? 'true' : undefined}
              aria-describedby={rangeError ? id('range-error') : undefined}
              onInput={(e) => setToInclusive(e.currentTarget.value)}
            />
          </div>
          <button type="submit" class="button">
            Apply range
          </button>
          {rangeError && (
            <p id={id('range-error')} class="field-error scope-range-error" role="alert">
              {rangeError}
            </p>
          )}
        </fieldset>
      )}
      {busy && (
        <span class="scope-busy muted" role="status">
          <span class="spinner" aria-hidden="true" /> Updating…
        </span>
      )}
    </form>
  );
}

function numberOrNull(v: string): number | null {
  return /^[1-9][0-9]*$/.test(v) ? Number(v) : null;
}

// ---- Small parts --------------------------------------------------------------------------------

/** A change from the previous period: "▲ +12%" coloured by whether it is good news, with words for screen readers. */
export function ChangeBadge({ view }: { view: ChangeView }) {
  return (
    <span class={`change change-${view.tone} change-${view.direction}`} data-change={view.text}>
      <span aria-hidden="true">
        {view.arrow ? `${view.arrow} ` : ''}
        {view.text}
      </span>
      <span class="sr-only">{view.label}</span>
    </span>
  );
}

/** A dashboard section: a panel with a title, an optional note, and its body. */
export function ReportSection({
  id,
  title,
  note,
  children,
  actions,
  wide = false,
}: {
  id: string;
  title: string;
  note?: ComponentChildren;
  children: ComponentChildren;
  actions?: ComponentChildren;
  wide?: boolean;
}) {
  return (
    <section class={`panel report-section${wide ? ' report-section-wide' : ''}`} aria-labelledby={`${id}-title`} data-section={id}>
      <div class="panel-header">
        <h2 id={`${id}-title`} class="section-title">
          {title}
        </h2>
        {actions}
      </div>
      {note && <p class="muted section-help">{note}</p>}
      {children}
    </section>
  );
}

/** A designed empty state inside a section. */
export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="section-empty" data-empty>
      <strong>{title}</strong>
      {children && <span>{children}</span>}
    </div>
  );
}
