// The deal page, /deals/{id}: the deal's fields edited inline, a stage bar to move it, Won / Lost /
// Reopen, and beside the fields two tabs: its timeline with forms to add a note or an activity, and
// its history of changes (the audit log, read when that tab is first shown).
//
// Every write names the version the page shows (If-Match): when someone else changed the deal in
// the meantime the server answers 412, nothing is written, and the page says so and reloads the
// deal. While no editor is open the page follows live updates (live.ts): a change to the deal's
// pipeline board reads the deal and its timeline again.

import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { ApiError, type Deal, type DealPatch, type Id, type LostInput, type Pipeline, type Stage, type TimelineItem, type User } from '../api';
import type { AuditNames } from '../audit_format';
import { fieldForServerError, patchIsNoop, sentence, type DealField } from '../deal_page_logic';
import { liveFor, useLiveVersions } from '../live';
import { RefreshGate } from '../live_board';
import { formatMoney } from '../money';
import { boardPath, navigate } from '../router';
import { LostDialog } from './card_dialogs';
import { DealAudit } from './deal_audit';
import { DealDetails, formatDate, InAppLink, type SaveResult } from './deal_fields';
import { DealTimeline } from './deal_timeline';
import { LiveIndicator } from './live_indicator';
import { EmptyState, ErrorState, Spinner, useApp, useNotify } from './ui';

type LoadState = 'loading' | 'ready' | 'not-found' | 'unreachable' | 'error';
type Action = 'stage' | 'won' | 'lost' | 'reopen';
type SideTab = 'timeline' | 'history';

const kSideTabs: ReadonlyArray<{ tab: SideTab; label: string }> = [
  { tab: 'timeline', label: 'Timeline' },
  { tab: 'history', label: 'History of changes' },
];

const kFieldNames: Record<DealField, string> = {
  title: 'Title',
  value: 'Value',
  close: 'Expected close date',
  owner: 'Owner',
  person: 'Person',
  org: 'Organization',
  source: 'Source',
  probability: 'Probability',
};

const kConflict = 'This deal was changed elsewhere (by someone else or in another tab), so your change was not saved. The latest version is shown now.';

function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.unreachable ? "the server can't be reached" : e.message;
  return e instanceof Error ? e.message : 'something went wrong';
}

export function DealPage({ dealId }: { dealId: Id }) {
  const { api } = useApp();
  const notify = useNotify();
  const [load, setLoad] = useState<LoadState>('loading');
  const [loadProblem, setLoadProblem] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const [deal, setDeal] = useState<Deal | null>(null);
  const [stages, setStages] = useState<Stage[]>([]);
  const [pipelines, setPipelines] = useState<Pipeline[]>([]);
  const [users, setUsers] = useState<User[]>([]);
  const [personNames, setPersonNames] = useState<ReadonlyMap<Id, string>>(new Map());
  const [orgNames, setOrgNames] = useState<ReadonlyMap<Id, string>>(new Map());
  const [timeline, setTimeline] = useState<TimelineItem[] | null>(null);
  const [timelineError, setTimelineError] = useState<string | null>(null);
  const [editing, setEditing] = useState<DealField | null>(null);
  const [action, setAction] = useState<Action | null>(null);
  const [lostOpen, setLostOpen] = useState(false);
  const [conflict, setConflict] = useState<string | null>(null);
  const [sideTab, setSideTab] = useState<SideTab>('timeline');

  const dealRef = useRef(deal);
  dealRef.current = deal;
  const busyRef = useRef(false);
  const saving = useRef(0);
  busyRef.current = editing !== null || action !== null || lostOpen;
  const current = useRef(dealId);
  current.current = dealId;

  // ---- Reading ------------------------------------------------------------------------------

  const reloadDeal = useCallback(async () => {
    try {
      const fresh = await api.deal(dealId);
      if (current.current === dealId) setDeal(fresh);
    } catch (e) {
      if (current.current !== dealId) return;
      if (e instanceof ApiError && e.status === 404) setLoad('not-found');
      else throw e;
    }
  }, [api, dealId]);

  const reloadTimeline = useCallback(async () => {
    try {
      const page = await api.dealTimeline(dealId);
      if (current.current !== dealId) return;
      setTimeline(page.items);
      setTimelineError(null);
    } catch (e) {
      if (current.current !== dealId) return;
      if (e instanceof ApiError && e.status === 401) return;
      setTimelineError(e instanceof ApiError && e.unreachable ? "The server can't be reached." : `The server answered: ${errorText(e)}.`);
      throw e;
    }
  }, [api, dealId]);

  const seenVersion = useRef<number | undefined>(undefined);
  const live = liveFor(api);

  useEffect(() => {
    let alive = true;
    setLoad('loading');
    setDeal(null);
    setTimeline(null);
    setTimelineError(null);
    setEditing(null);
    setConflict(null);
    api.deal(dealId).then(
      async (d) => {
        const [st, us, pl] = await Promise.all([
          api.allStages().then((p) => p.items, () => [] as Stage[]),
          api.users().then((p) => p.items, () => [] as User[]),
          api.pipelines().then((p) => p.items, () => [] as Pipeline[]),
        ]);
        if (!alive) return;
        seenVersion.current = live.versions?.get(d.pipeline_id);
        setStages(st);
        setUsers(us);
        setPipelines(pl);
        setDeal(d);
        setLoad('ready');
      },
      (e: unknown) => {
        if (!alive) return;
        if (e instanceof ApiError && e.status === 401) return;
        if (e instanceof ApiError && e.status === 404) setLoad('not-found');
        else if (e instanceof ApiError && e.unreachable) setLoad('unreachable');
        else {
          setLoad('error');
          setLoadProblem(errorText(e));
        }
      },
    );
    reloadTimeline().catch(() => undefined);
    return () => {
      alive = false;
    };
  }, [api, dealId, attempt]);

  // Names of the linked person and organization (the deal carries only their ids).
  useEffect(() => {
    if (!deal) return;
    let alive = true;
    const { person_id: personId, org_id: orgId } = deal;
    if (personId !== null && !personNames.has(personId)) {
      api.person(personId).then(
        (p) => alive && setPersonNames((m) => new Map(m).set(p.id, p.name)),
        () => undefined,
      );
    }
    if (orgId !== null && !orgNames.has(orgId)) {
      api.organization(orgId).then(
        (o) => alive && setOrgNames((m) => new Map(m).set(o.id, o.name)),
        () => undefined,
      );
    }
    return () => {
      alive = false;
    };
  }, [api, deal?.person_id, deal?.org_id]);

  // ---- Live updates: re-read when the deal's pipeline board changed, never under an open editor.

  const gate = useMemo(
    () =>
      new RefreshGate({
        debounceMillis: 300,
        retryMillis: 250,
        failureMillis: 5_000,
        busy: () => busyRef.current || saving.current > 0,
        run: async () => {
          await Promise.all([reloadDeal(), reloadTimeline()]);
          return true;
        },
      }),
    [reloadDeal, reloadTimeline],
  );
  useEffect(() => () => gate.dispose(), [gate]);
  useLiveVersions(api, (versions) => {
    const d = dealRef.current;
    if (!d) return;
    const version = versions.get(d.pipeline_id);
    if (version === undefined || version === seenVersion.current) return;
    seenVersion.current = version;
    gate.request();
  });

  // ---- Writing ------------------------------------------------------------------------------

  /** After a 412 or 409: show why and read the deal again. */
  const afterRefusal = useCallback(
    async (message: string) => {
      setConflict(message);
      await Promise.all([reloadDeal(), reloadTimeline()]).catch(() => undefined);
    },
    [reloadDeal, reloadTimeline],
  );

  const save = useCallback(
    async (field: DealField, patch: DealPatch): Promise<SaveResult> => {
      const d = dealRef.current;
      if (!d) return { ok: false, field, message: 'The deal is not loaded.' };
      if (patchIsNoop(d, patch)) return { ok: true };
      saving.current++;
      try {
        const updated = await api.updateDeal(d.id, d.version, patch);
        setDeal(updated);
        setConflict(null);
        notify(`${kFieldNames[field]} saved.`);
        return { ok: true };
      } catch (e) {
        if (e instanceof ApiError && (e.status === 422 || e.status === 400)) {
          return { ok: false, field: fieldForServerError(e.field, field), message: sentence(e.message) };
        }
        if (e instanceof ApiError && e.status === 412) {
          await afterRefusal(kConflict);
          return { ok: false, field, message: 'Not saved: the deal changed elsewhere. Check the latest values, then save again to apply your change.' };
        }
        if (e instanceof ApiError && e.status === 404) {
          setLoad('not-found');
          return { ok: false, field, message: 'This deal no longer exists.' };
        }
        if (e instanceof ApiError && e.unreachable) {
          return { ok: false, field, message: "The server can't be reached, so nothing was saved. Try again." };
        }
        return { ok: false, field, message: `Not saved: ${sentence(errorText(e))}` };
      } finally {
        saving.current--;
      }
    },
    [api, notify, afterRefusal],
  );

  /** Runs a deal action (move, won, reopen) at the shown version. */
  const act = useCallback(
    async (kind: Action, what: string, run: (d: Deal) => Promise<Deal>, done: (d: Deal) => string) => {
      const d = dealRef.current;
      if (!d || action) return;
      setAction(kind);
      try {
        const updated = await run(d);
        setDeal(updated);
        setConflict(null);
        notify(done(updated));
        reloadTimeline().catch(() => undefined);
      } catch (e) {
        if (e instanceof ApiError && e.status === 412) {
          await afterRefusal(`This deal was changed elsewhere, so it was not ${what}. The latest version is shown now; try again if it still applies.`);
        } else if (e instanceof ApiError && e.status === 409) {
          await afterRefusal(`The deal could not be ${what}: ${sentence(e.message)}`);
        } else {
          notify(`The deal could not be ${what}: ${errorText(e)}.`, 'error');
        }
      } finally {
        setAction(null);
      }
    },
    [action, notify, afterRefusal, reloadTimeline],
  );

  const pipelineStages = useMemo(
    () => (deal ? stages.filter((s) => s.pipeline_id === deal.pipeline_id).sort((a, b) => a.order - b.order) : []),
    [stages, deal?.pipeline_id],
  );
  const stageName = useCallback((id: Id | null) => (id === null ? null : stages.find((s) => s.id === id)?.name ?? null), [stages]);
  const userName = useCallback((id: Id | null) => (id === null ? null : users.find((u) => u.id === id)?.name ?? null), [users]);
  const auditNames = useMemo<AuditNames>(
    () => ({
      user: userName,
      stage: stageName,
      pipeline: (id) => pipelines.find((p) => p.id === id)?.name ?? null,
      person: (id) => personNames.get(id) ?? null,
      organization: (id) => orgNames.get(id) ?? null,
    }),
    [userName, stageName, pipelines, personNames, orgNames],
  );

  const moveTo = (stage: Stage) => {
    if (!deal || deal.stage_id === stage.id || deal.status !== 'open') return;
    void act('stage', `moved to ${stage.name}`, (d) => api.moveDealAt(d.id, d.version, stage.id, 0), () => `Moved to ${stage.name}.`);
  };

  const markLost = async (input: LostInput) => {
    const d = dealRef.current;
    if (!d) return;
    try {
      const updated = await api.markLostAt(d.id, d.version, input);
      setDeal(updated);
      setConflict(null);
      notify(`“${updated.title}” marked as lost.`);
      reloadTimeline().catch(() => undefined);
    } catch (e) {
      if (e instanceof ApiError && e.status === 412) {
        await Promise.all([reloadDeal(), reloadTimeline()]).catch(() => undefined);
        throw new Error('This deal was changed elsewhere and has been reloaded. Check it, then try again.');
      }
      throw e;
    }
  };

  // On a narrow screen the stage bar scrolls: the current stage is kept in view.
  const barRef = useRef<HTMLOListElement>(null);
  useEffect(() => {
    const bar = barRef.current;
    const step = bar?.querySelector<HTMLElement>('.is-current');
    if (bar && step && bar.scrollWidth > bar.clientWidth) bar.scrollLeft = step.offsetLeft - (bar.clientWidth - step.offsetWidth) / 2;
  }, [deal?.stage_id, pipelineStages.length]);

  const title = deal?.title;
  useEffect(() => {
    document.title = title ? `${title} · Deal · Pipedeck` : 'Deal · Pipedeck';
  }, [title]);

  // ---- Rendering ----------------------------------------------------------------------------

  if (load === 'loading' || (load === 'ready' && !deal)) {
    return (
      <main class="deal-page page-center" aria-busy="true">
        <Spinner label="Loading the deal…" />
      </main>
    );
  }
  if (load === 'not-found') {
    return (
      <main class="deal-page page-center">
        <EmptyState title="This deal doesn't exist" action={{ label: 'Go to the board', onClick: () => navigate('/') }}>
          There is no deal {dealId} that you can see: it may have been deleted, be one whose owner's deals you don't see, or the link is mistyped.
        </EmptyState>
      </main>
    );
  }
  if (load === 'unreachable' || load === 'error' || !deal) {
    return (
      <main class="deal-page page-center">
        <ErrorState
          title={load === 'unreachable' ? "Can't reach the Pipedeck server" : "Can't load this deal"}
          action={{ label: 'Try again', onClick: () => setAttempt((n) => n + 1) }}
        >
          {load === 'unreachable'
            ? 'Check that the server is running and that this device is online, then try again.'
            : `The server answered: ${loadProblem ?? 'an error'}.`}
        </ErrorState>
      </main>
    );
  }

  const stage = stages.find((s) => s.id === deal.stage_id) ?? null;
  const pipeline = pipelines.find((p) => p.id === deal.pipeline_id) ?? null;
  const open = deal.status === 'open';
  const personName = deal.person_id === null ? null : personNames.get(deal.person_id) ?? null;
  const orgName = deal.org_id === null ? null : orgNames.get(deal.org_id) ?? null;
  const currentIndex = pipelineStages.findIndex((s) => s.id === deal.stage_id);

  return (
    <main class="deal-page" aria-busy={action !== null}>
      <div class="deal-page-inner">
        <nav class="deal-crumbs" aria-label="Breadcrumb">
          <InAppLink href={boardPath(deal.pipeline_id)}>
            <span aria-hidden="true">← </span>
            {pipeline ? `${pipeline.name} board` : 'Board'}
          </InAppLink>
          <LiveIndicator />
        </nav>

        <header class="deal-header">
          <div class="deal-heading">
            <h1 class="deal-title">{deal.title}</h1>
            <p class="deal-subline">
              <span class={`status-badge status-${deal.status}`} data-status={deal.status}>
                {deal.status === 'open' ? 'Open' : deal.status === 'won' ? 'Won' : 'Lost'}
              </span>
              {deal.status === 'lost' && deal.lost_reason && <span class="deal-lost-reason">{deal.lost_reason}</span>}
              {deal.status !== 'open' && deal.closed_at && <span class="muted">on {formatDate(deal.closed_at.slice(0, 10))}</span>}
              <span class="deal-subline-value">{formatMoney(deal.value_minor, deal.currency)}</span>
              {stage && <span class="muted">{stage.name}</span>}
            </p>
          </div>
          <div class="deal-header-actions">
            {open ? (
              <>
                <button
                  type="button"
                  class="button button-won"
                  disabled={action !== null}
                  onClick={() => void act('won', 'marked as won', (d) => api.markWonAt(d.id, d.version), (d) => `“${d.title}” marked as won.`)}
                >
                  {action === 'won' ? 'Saving…' : 'Won'}
                </button>
                <button type="button" class="button button-lost" disabled={action !== null} onClick={() => setLostOpen(true)}>
                  Lost…
                </button>
              </>
            ) : (
              <button
                type="button"
                class="button"
                disabled={action !== null}
                onClick={() => void act('reopen', 'reopened', (d) => api.reopenAt(d.id, d.version), (d) => `“${d.title}” is open again.`)}
              >
                {action === 'reopen' ? 'Saving…' : 'Reopen'}
              </button>
            )}
          </div>
        </header>

        {conflict && (
          <div class="banner banner-warning deal-conflict" role="alert">
            <span>{conflict}</span>
            <button type="button" class="icon-button" aria-label="Dismiss" onClick={() => setConflict(null)}>
              ×
            </button>
          </div>
        )}

        <section class="stage-bar-section" aria-labelledby="deal-stage-heading">
          <h2 id="deal-stage-heading" class="sr-only">
            Stage
          </h2>
          {pipelineStages.length === 0 ? (
            <p class="muted">{stage ? `Stage: ${stage.name}` : 'The stages of this pipeline could not be read.'}</p>
          ) : (
            <ol ref={barRef} class={`stage-bar${open ? '' : ' is-closed'}`} aria-label="Move to stage">
              {pipelineStages.map((s, i) => {
                const isCurrent = s.id === deal.stage_id;
                return (
                  <li key={s.id} class={`stage-step${isCurrent ? ' is-current' : ''}${i < currentIndex ? ' is-past' : ''}`}>
                    <button
                      type="button"
                      class="stage-step-button"
                      data-stage-id={s.id}
                      aria-current={isCurrent ? 'step' : undefined}
                      disabled={!open || action !== null}
                      title={`${s.name}: ${s.probability} %`}
                      onClick={() => moveTo(s)}
                    >
                      <span class="stage-step-name">{s.name}</span>
                      {isCurrent && <span class="sr-only"> (current stage)</span>}
                    </button>
                  </li>
                );
              })}
            </ol>
          )}
          {!open && pipelineStages.length > 0 && <p class="field-help">Reopen the deal to move it to another stage.</p>}
        </section>

        <div class="deal-columns">
          <section class="deal-panel" aria-labelledby="deal-details-heading">
            <h2 id="deal-details-heading" class="deal-panel-title">
              Details
            </h2>
            <DealDetails
              deal={deal}
              stage={stage}
              users={users}
              personName={personName}
              orgName={orgName}
              editing={editing}
              onEdit={setEditing}
              save={save}
              onPicked={(kind, id, name) =>
                kind === 'person' ? setPersonNames((m) => new Map(m).set(id, name)) : setOrgNames((m) => new Map(m).set(id, name))
              }
            />
          </section>
          <section class="deal-panel deal-panel-timeline" aria-label="Timeline and history of changes">
            <SideTabs current={sideTab} onChange={setSideTab} />
            <div role="tabpanel" id="deal-tabpanel-timeline" aria-labelledby="deal-tab-timeline" hidden={sideTab !== 'timeline'}>
              <DealTimeline
                deal={deal}
                items={timeline}
                error={timelineError}
                onRetry={() => {
                  setTimelineError(null);
                  reloadTimeline().catch(() => undefined);
                }}
                stageName={stageName}
                userName={userName}
                onChanged={() => {
                  reloadTimeline().catch(() => undefined);
                  reloadDeal().catch(() => undefined);
                }}
              />
            </div>
            <div role="tabpanel" id="deal-tabpanel-history" aria-labelledby="deal-tab-history" hidden={sideTab !== 'history'}>
              {sideTab === 'history' && <DealAudit deal={deal} names={auditNames} />}
            </div>
          </section>
        </div>
      </div>
      {lostOpen && <LostDialog card={deal} onClose={() => setLostOpen(false)} onSubmit={markLost} onDone={() => setLostOpen(false)} />}
    </main>
  );
}

/**
 * The tabs above the timeline and the history of changes. Arrow keys, Home and End move between
 * them (the ARIA tabs pattern); only the current tab is in the Tab order.
 */
function SideTabs({ current, onChange }: { current: SideTab; onChange: (tab: SideTab) => void }) {
  const listRef = useRef<HTMLDivElement>(null);
  const choose = (tab: SideTab) => {
    onChange(tab);
    listRef.current?.querySelector<HTMLElement>(`#deal-tab-${tab}`)?.focus();
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const at = kSideTabs.findIndex((t) => t.tab === current);
    let next: number | null = null;
    if (e.key === 'ArrowRight') next = (at + 1) % kSideTabs.length;
    else if (e.key === 'ArrowLeft') next = (at - 1 + kSideTabs.length) % kSideTabs.length;
    else if (e.key === 'Home') next = 0;
    else if (e.key === 'End') next = kSideTabs.length - 1;
    if (next === null) return;
    e.preventDefault();
    choose(kSideTabs[next]!.tab);
  };
  return (
    <div ref={listRef} class="deal-tabs" role="tablist" aria-label="Deal activity" onKeyDown={onKeyDown}>
      {kSideTabs.map(({ tab, label }) => (
        <button
          key={tab}
          type="button"
          role="tab"
          id={`deal-tab-${tab}`}
          class={`deal-tab${tab === current ? ' is-active' : ''}`}
          aria-selected={tab === current}
          aria-controls={`deal-tabpanel-${tab}`}
          tabIndex={tab === current ? 0 : -1}
          onClick={() => onChange(tab)}
        >
          {label}
        </button>
      ))}
    </div>
  );
}
