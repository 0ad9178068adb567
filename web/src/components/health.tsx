// Pipeline health (/health?pipeline_id=&owner_id=&team_id=): the raised flags grouped by flag,
// each with its human title, what it means and its thresholds (from the report's settings), and
// per finding the summary and the deals it lists (title linking to the deal, owner, stage, value,
// the reason). Deals are selected with checkboxes (or a whole finding at once) and cleaned up with
// one action for all (health_actions.tsx); a deal's flag can be snoozed until a date with a
// reason, and the snoozed ones are listed with "Unsnooze". After every change the report reloads.
// Admins and managers also edit the thresholds here.

import { Fragment } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Id, LostReason } from '../api';
import { nameOf, type FlaggedDeal, type HealthFinding, type HealthFlag, type HealthReport } from '../analytics_api';
import { formatDate, readScope } from '../analytics_period';
import {
  findingKey,
  findingSubject,
  flagThresholds,
  flagTitle,
  groupFindings,
  pruneSelection,
  selectedDeals,
  selectionState,
  setAll,
  snoozedDeals,
  toggleDeal,
  truncationNote,
  visibleDeals,
  kFindingRows,
  type FlagGroup,
  type Selection,
} from '../health';
import { formatCount } from '../analytics_format';
import { utcDay } from '../format';
import { formatMoney } from '../money';
import { canManage, Empty, LoadState, ScopeBar, useAnalytics, useLoad, useScopeOptions } from './analytics_common';
import { AppLink, dealPath, errorText } from './contacts_common';
import { BulkBar, SnoozeForm } from './health_actions';
import { HealthSettingsForm } from './health_settings_form';
import { Avatar, EmptyState, useApp, useNotify } from './ui';

type Snoozing = { dealId: Id; flag: HealthFlag; key: string } | null;

export function HealthPage({ search }: { search: URLSearchParams }) {
  const { api, user } = useApp();
  const analytics = useAnalytics();
  const notify = useNotify();
  const today = utcDay(new Date());
  const scope = readScope(search);
  const query = { pipeline_id: scope.pipelineId, owner_id: scope.ownerId, team_id: scope.teamId };
  const key = JSON.stringify(query);
  const options = useScopeOptions(api, analytics);
  const report = useLoad(key, () => analytics.health(query));
  const [selection, setSelection] = useState<Selection>(() => new Set());
  const [snoozing, setSnoozing] = useState<Snoozing>(null);
  const [refusedDeal, setRefusedDeal] = useState<Id | null>(null);
  const [reasons, setReasons] = useState<LostReason[]>([]);
  const r = report.data;

  useEffect(() => {
    let live = true;
    api.lostReasons().then(
      (p) => live && setReasons(p.items.filter((x) => x.active)),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api]);

  // Deals the new report no longer lists leave the selection.
  useEffect(() => {
    if (r) setSelection((s) => pruneSelection(r, s));
  }, [r]);

  const groups = useMemo(() => (r ? groupFindings(r) : []), [r]);
  const selected = useMemo(() => (r ? selectedDeals(r, selection) : []), [r, selection]);
  const snoozed = useMemo(() => (r ? snoozedDeals(r) : []), [r]);

  const changed = (message: string) => {
    notify(message);
    setSnoozing(null);
    setRefusedDeal(null);
    report.reload();
  };

  const unsnooze = async (deal: FlaggedDeal, flag: HealthFlag) => {
    try {
      await analytics.unsnooze(deal.deal_id, flag);
      changed(`“${deal.title}” is no longer snoozed for ${flagTitle(flag).toLowerCase()}.`);
    } catch (e) {
      notify(`Couldn't unsnooze “${deal.title}”: ${errorText(e)}.`, 'error');
    }
  };

  const dealCount = groups.reduce((n, g) => n + g.dealCount, 0);

  return (
    <main class="page health-page" aria-busy={report.refreshing ? 'true' : undefined} data-day={r?.day ?? ''}>
      <header class="page-header">
        <div>
          <h1 id="health-title" tabIndex={-1}>
            Pipeline health
          </h1>
          <p class="muted">
            {r ? `As of ${formatDate(r.day)} (UTC). ` : ''}Deals that need attention, by what is wrong. Clean them up together, or snooze a flag when it can wait.
          </p>
        </div>
      </header>

      <ScopeBar scope={scope} search={search} options={options} today={today} showPeriod={false} busy={report.refreshing} idPrefix="health" />

      {report.status !== 'ready' || !r ? (
        <section class="panel" aria-label="Health report">
          <LoadState load={report} what="the health report" />
        </section>
      ) : (
        <>
          <nav class="panel flag-summary" aria-label="Flags raised">
            {groups.length === 0 ? (
              <EmptyState title="Your pipeline looks healthy">No flag is raised for this scope.</EmptyState>
            ) : (
              <ul class="flag-chips">
                {groups.map((g) => (
                  <li key={g.flag}>
                    <a href={`#flag-${g.flag}`} class="flag-chip" data-flag={g.flag}>
                      {g.info.title} <span class="count-chip">{formatCount(g.info.perDeal ? g.dealCount : g.findings.length)}</span>
                    </a>
                  </li>
                ))}
              </ul>
            )}
          </nav>

          {dealCount > 0 && (
            <BulkBar
              selected={selected}
              users={options.users}
              reasons={reasons}
              today={today}
              onClear={() => setSelection(new Set())}
              onDone={(message) => {
                setSelection(new Set());
                changed(message);
              }}
              onRefused={setRefusedDeal}
            />
          )}

          {groups.map((g) => (
            <FlagSection
              key={g.flag}
              group={g}
              context={{
                report: r,
                selection,
                setSelection,
                snoozing,
                setSnoozing,
                refusedDeal,
                today,
                onSnoozed: changed,
              }}
            />
          ))}

          <section class="panel" aria-labelledby="snoozed-title" data-section="snoozed">
            <h2 id="snoozed-title" class="section-title">
              Snoozed <span class="count-chip">{formatCount(snoozed.length)}</span>
            </h2>
            {snoozed.length === 0 ? (
              <Empty title="Nothing is snoozed">Snooze a flag on a deal when it can wait; it comes back on the day you pick.</Empty>
            ) : (
              <div class="table-scroll">
                <table class="data-table snoozed-table">
                  <thead>
                    <tr>
                      <th scope="col">Deal</th>
                      <th scope="col">Flag</th>
                      <th scope="col">Until</th>
                      <th scope="col">Why</th>
                      <th scope="col">
                        <span class="sr-only">Actions</span>
                      </th>
                    </tr>
                  </thead>
                  <tbody>
                    {snoozed.map(({ flag, deal }) => (
                      <tr key={`${flag}|${deal.deal_id}`} data-deal-id={deal.deal_id} data-flag={flag}>
                        <th scope="row">
                          <AppLink href={dealPath(deal.deal_id)}>{deal.title}</AppLink>
                        </th>
                        <td>{flagTitle(flag)}</td>
                        <td>{deal.snooze ? formatDate(deal.snooze.until) : ''}</td>
                        <td class="cell-wrap">{deal.snooze?.reason ?? ''}</td>
                        <td class="num">
                          <button type="button" class="button button-small" onClick={() => void unsnooze(deal, flag)} aria-label={`Unsnooze “${deal.title}” (${flagTitle(flag)})`}>
                            Unsnooze
                          </button>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        </>
      )}

      {canManage(user.role) && (
        <section class="panel" aria-labelledby="thresholds-title" data-section="thresholds">
          <details class="thresholds-details">
            <summary>
              <h2 id="thresholds-title" class="section-title">
                Thresholds
              </h2>
            </summary>
            <p class="muted section-help">When each flag is raised, for the whole workspace.</p>
            <HealthSettingsForm onSaved={report.reload} />
          </details>
        </section>
      )}
    </main>
  );
}

// What every finding of the page reads and changes: the report, the bulk selection, the snooze
// being edited, the deal a bulk action refused, and how to announce a snooze.
type FindingContext = {
  report: HealthReport;
  selection: Selection;
  setSelection: (s: Selection) => void;
  snoozing: Snoozing;
  setSnoozing: (s: Snoozing) => void;
  refusedDeal: Id | null;
  today: string;
  onSnoozed: (message: string) => void;
};

function FlagSection({ group, context }: { group: FlagGroup; context: FindingContext }) {
  const { report } = context;
  const titleId = `flag-${group.flag}-title`;
  return (
    <section class="panel health-flag" id={`flag-${group.flag}`} aria-labelledby={titleId} data-flag={group.flag}>
      <div class="panel-header">
        <h2 id={titleId} class="section-title">
          {group.info.title}
          <span class="count-chip" title={group.info.perDeal ? 'Deals listed' : 'Findings'}>
            {formatCount(group.info.perDeal ? group.dealCount : group.findings.length)}
          </span>
        </h2>
      </div>
      <p class="muted">{group.info.description}</p>
      <ul class="thresholds" aria-label={`Thresholds of ${group.info.title.toLowerCase()}`}>
        {flagThresholds(group.flag, report.settings, report.names).map((t) => (
          <li key={t}>{t}</li>
        ))}
      </ul>
      {group.findings.map((f) => (
        <Finding key={findingKey(f)} finding={f} context={context} />
      ))}
    </section>
  );
}

function Finding({ finding: f, context }: { finding: HealthFinding; context: FindingContext }) {
  const { report, selection, setSelection, snoozing, setSnoozing, refusedDeal, today, onSnoozed } =
    context;
  const key = findingKey(f);
  const subject = findingSubject(f, report.names);
  const ids = f.deals.map((d) => d.deal_id);
  const state = selectionState(selection, ids);
  const allRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (allRef.current) allRef.current.indeterminate = state === 'some';
  }, [state]);
  const what = subject ? `${flagTitle(f.flag)}: ${subject}` : flagTitle(f.flag);
  const [expanded, setExpanded] = useState(false);
  const shown = visibleDeals(f.deals, expanded);
  const hiddenSelected = selectionState(selection, f.deals.slice(shown.length).map((d) => d.deal_id)) !== 'none';

  return (
    <div class="finding" data-finding={key}>
      {subject && <h3 class="subsection-title">{subject}</h3>}
      <p class="finding-summary">
        {f.summary}
        {truncationNote(f) && <span class="muted"> {truncationNote(f)}</span>}
      </p>
      {f.deals.length === 0 ? (
        <p class="muted section-help">{f.snoozed.length ? `Every deal here is snoozed (${formatCount(f.snoozed.length)}).` : 'No single deal is listed for this finding.'}</p>
      ) : (
        <div class="table-scroll">
          <table class="data-table finding-table">
            <caption class="sr-only">Deals: {what}</caption>
            <thead>
              <tr>
                <th scope="col" class="check-col">
                  <input
                    ref={allRef}
                    type="checkbox"
                    checked={state === 'all'}
                    aria-label={`Select all ${formatCount(ids.length)} deals in “${what}”`}
                    onChange={(e) => setSelection(setAll(selection, ids, e.currentTarget.checked))}
                  />
                </th>
                <th scope="col">Deal</th>
                <th scope="col">Owner</th>
                <th scope="col">Stage</th>
                <th scope="col" class="num">
                  Value
                </th>
                <th scope="col">Why</th>
                <th scope="col">
                  <span class="sr-only">Snooze</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {shown.map((d) => {
                const open = snoozing?.key === key && snoozing.dealId === d.deal_id;
                const owner = d.owner_id ? nameOf(report.names.users, d.owner_id, 'User') : null;
                return (
                  <Fragment key={d.deal_id}>
                    <tr data-deal-id={d.deal_id} class={`${selection.has(d.deal_id) ? 'is-selected' : ''}${refusedDeal === d.deal_id ? ' is-refused' : ''}`}>
                      <td class="check-col">
                        <input type="checkbox" checked={selection.has(d.deal_id)} aria-label={`Select “${d.title}”`} onChange={(e) => setSelection(toggleDeal(selection, d.deal_id, e.currentTarget.checked))} />
                      </td>
                      <th scope="row">
                        <AppLink href={dealPath(d.deal_id)}>{d.title}</AppLink>
                      </th>
                      <td>
                        <span class="owner-cell" data-owner-id={d.owner_id}>
                          <Avatar id={d.owner_id || null} name={owner} />
                          <span>{owner ?? 'Unassigned'}</span>
                        </span>
                      </td>
                      <td data-stage-id={d.stage_id}>{nameOf(report.names.stages, d.stage_id, 'Stage')}</td>
                      <td class="num">{formatMoney(d.value_minor, d.currency)}</td>
                      <td class="cell-wrap">{d.reason}</td>
                      <td class="num">
                        <button
                          type="button"
                          class="button button-small"
                          aria-expanded={open}
                          aria-label={`Snooze “${d.title}” (${flagTitle(f.flag)})`}
                          onClick={() => setSnoozing(open ? null : { dealId: d.deal_id, flag: f.flag, key })}
                        >
                          Snooze
                        </button>
                      </td>
                    </tr>
                    {open && (
                      <tr class="snooze-row">
                        <td colSpan={7}>
                          <SnoozeForm deal={d} flag={f.flag} today={today} onCancel={() => setSnoozing(null)} onSnoozed={onSnoozed} />
                        </td>
                      </tr>
                    )}
                  </Fragment>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {f.deals.length > kFindingRows && (
        <div class="finding-more">
          {expanded ? (
            <button type="button" class="button button-small" aria-expanded="true" onClick={() => setExpanded(false)}>
              Show the {kFindingRows} worst only
            </button>
          ) : (
            <button type="button" class="button button-small" aria-expanded="false" onClick={() => setExpanded(true)} data-show-all>
              Show all {formatCount(f.deals.length)} deals
              {hiddenSelected ? ' (selected ones among them)' : ''}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
