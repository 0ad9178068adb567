// The manager's dashboard (/dashboard?pipeline_id=&owner_id=&team_id=&period=|from=&to=&months=):
// the scope bar, the headline tiles against the previous period, and the charts and tables of the
// dashboard, forecast and quota reports, with the pipeline planner. The scope lives in the URL,
// so a reload or a shared link shows the same report. Each report loads (and fails) on its own;
// while a new scope loads, the previous figures stay on screen marked as updating.

import { useMemo } from 'preact/hooks';
import type { Dashboard, Forecast, HeadlineFigures } from '../analytics_api';
import { apiScope, describePeriod, formatMonth, readScope, searchText } from '../analytics_period';
import {
  changeView,
  compare,
  driverLabel,
  formatCount,
  formatDays,
  formatMoneyFigure,
  formatNumber,
  formatRate,
  formatTile,
  formatVelocity,
  kTiles,
} from '../analytics_format';
import { percentOf, valueAxis } from '../charts';
import { spansPipelines, stageName } from '../dashboard_logic';
import { utcDay } from '../format';
import { formatMoney } from '../money';
import { navigate } from '../router';
import { ChangeBadge, Empty, LoadState, ReportSection, ScopeBar, useAnalytics, useLoad, useScopeOptions, type Load } from './analytics_common';
import { BarList, ForecastChart, LegendItem, LineChart, type BarRow } from './charts';
import { LeaderboardTable, LostReasonsGrid, ProbabilityTable } from './dashboard_tables';
import { PlannerSection } from './dashboard_planner';
import { QuotasSection } from './dashboard_quotas';
import { useApp } from './ui';

const kMonthChoices = [3, 6, 12, 24] as const;
const kDefaultMonths = 6;

function readMonths(search: URLSearchParams): number {
  const v = Number(search.get('months'));
  return (kMonthChoices as readonly number[]).includes(v) ? v : kDefaultMonths;
}

export function DashboardPage({ search }: { search: URLSearchParams }) {
  const { api } = useApp();
  const analytics = useAnalytics();
  const today = utcDay(new Date());
  const scope = readScope(search);
  const query = apiScope(scope, today);
  const key = JSON.stringify(query);
  const months = readMonths(search);
  const options = useScopeOptions(api, analytics);

  const dashboard = useLoad(key, () => analytics.dashboard(query));
  const forecast = useLoad(`${key}|${months}`, () => analytics.forecast(query, months));
  const d = dashboard.data;
  const busy = dashboard.refreshing || forecast.refreshing;

  return (
    <main class="page dashboard-page" data-period={d?.period.label ?? ''} aria-busy={busy ? 'true' : undefined}>
      <header class="page-header">
        <div>
          <h1 id="dashboard-title">Dashboard</h1>
          <p class="muted" data-testid="period-description">
            {d ? `${describePeriod(d.period)}, compared with ${describePeriod(d.previous_period)}. Days are UTC.` : 'Pipeline figures for the period you pick. Days are UTC.'}
          </p>
        </div>
      </header>

      <ScopeBar scope={scope} search={search} options={options} today={today} busy={busy} idPrefix="dash" />

      {d && d.other_currency_deals > 0 && (
        <p class="banner banner-warning" role="note">
          {formatCount(d.other_currency_deals)} {d.other_currency_deals === 1 ? 'deal is' : 'deals are'} in other currencies than {d.currency}: they count in
          counts and rates but not in money figures.
        </p>
      )}

      {dashboard.status !== 'ready' ? (
        <section class="panel" aria-label="Dashboard figures">
          <LoadState load={dashboard} what="the dashboard" />
        </section>
      ) : (
        d && <DashboardBody d={d} />
      )}

      <div class="report-grid">
        <ForecastSection load={forecast} months={months} search={search} />
        <ProbabilitySection load={forecast} />
        <QuotasSection scopeKey={key} query={query} today={today} currency={d?.currency ?? null} options={options} />
        <PlannerSection scopeKey={key} query={query} />
      </div>
    </main>
  );
}

function DashboardBody({ d }: { d: Dashboard }) {
  const closedNow = d.current.won_deals + d.current.lost_deals;
  return (
    <>
      <section class="panel" aria-labelledby="tiles-title" data-section="tiles">
        <h2 id="tiles-title" class="sr-only">
          Headline figures
        </h2>
        <ul class="tiles">
          {kTiles.map((t) => (
            <Tile key={t.key} spec={t} current={d.current} previous={d.previous} currency={d.currency} previousLabel={describePeriod(d.previous_period)} />
          ))}
        </ul>
        {closedNow === 0 && (
          <Empty title="No deals closed in this period">Win rate, average deal size, cycle and velocity need won or lost deals, so they show n/a.</Empty>
        )}
        <p class="muted tiles-foot">
          {formatCount(d.current.won_deals)} won, {formatCount(d.current.lost_deals)} lost and {formatCount(d.current.open_deals)} open at the end of the period
          {' · '}
          {formatMoney(d.current.new_value_minor, d.currency)} of new deals.
        </p>
      </section>

      <div class="report-grid">
        <FunnelSection d={d} />
        <ConversionSection d={d} />
        <TimeInStageSection d={d} />
        <TrendSection d={d} />
        <ReportSection id="lost" title="Lost reasons by stage" note="Deals lost in the period: why, and in which stage." wide>
          {d.lost.length === 0 ? (
            <Empty title="No deals lost in this period" />
          ) : (
            <LostReasonsGrid lost={d.lost} stageOrder={d.stages.map((s) => s.stage_id)} names={d.names} currency={d.currency} many={spansPipelines(d.stages)} pipelineOf={pipelineOf(d)} />
          )}
        </ReportSection>
        <ReportSection id="leaderboard" title="Leaderboard" note="Each rep's period, with open pipeline as of now." wide>
          {d.leaderboard.length === 0 ? <Empty title="No reps with deals in this scope" /> : <LeaderboardTable rows={d.leaderboard} currency={d.currency} />}
        </ReportSection>
      </div>
    </>
  );
}

function pipelineOf(d: Dashboard): (stageId: number) => number | null {
  const map = new Map<number, number>();
  for (const s of [...d.stages, ...d.funnel, ...d.conversion]) map.set(s.stage_id, s.pipeline_id);
  return (id) => map.get(id) ?? null;
}

function Tile({
  spec,
  current,
  previous,
  currency,
  previousLabel,
}: {
  spec: (typeof kTiles)[number];
  current: HeadlineFigures;
  previous: HeadlineFigures;
  currency: string;
  previousLabel: string;
}) {
  const now = spec.value(current);
  const before = spec.value(previous);
  const view = changeView(compare(now, before), spec.better);
  const text = formatTile(spec.kind, now, currency);
  // "/day" as its own unit, so a long amount wraps before it rather than inside it.
  const perDay = spec.kind === 'velocity' && text.endsWith('/day');
  return (
    <li class="tile" data-tile={spec.key} title={spec.help}>
      <span class="tile-label">{spec.label}</span>
      <span class={`tile-value${now === null ? ' tile-na' : ''}`} data-value={text}>
        {perDay ? (
          <>
            {text.slice(0, -4)}
            <span class="tile-unit">/day</span>
          </>
        ) : (
          text
        )}
      </span>
      <span class="tile-foot">
        <ChangeBadge view={view} />
        <span class="tile-previous" data-previous={formatTile(spec.kind, before, currency)}>
          {previousLabel}: {formatTile(spec.kind, before, currency)}
        </span>
      </span>
    </li>
  );
}

// ---- Stage charts -------------------------------------------------------------------------------

function FunnelSection({ d }: { d: Dashboard }) {
  const many = spansPipelines(d.funnel);
  const max = Math.max(d.funnel_created, ...d.funnel.map((f) => f.reached));
  const rows: BarRow[] = d.funnel.map((f) => {
    const label = stageName(d.names, f.stage_id, f.pipeline_id, many);
    return {
      key: f.stage_id,
      label,
      bar: { value: percentOf(f.reached, max), label: `${label}: reached by ${formatCount(f.reached)} deals, ${formatRate(f.share_of_created)} of those created` },
      figures: (
        <>
          <strong>{formatCount(f.reached)}</strong> <span class="muted">{formatRate(f.share_of_created)}</span>
        </>
      ),
    };
  });
  const wonShare = d.funnel_created > 0 ? d.funnel_won / d.funnel_created : null;
  rows.push({
    key: 'won',
    label: 'Won',
    bar: { value: percentOf(d.funnel_won, max), tone: 'success', label: `Won: ${formatCount(d.funnel_won)} deals, ${formatRate(wonShare)} of those created` },
    figures: (
      <>
        <strong>{formatCount(d.funnel_won)}</strong> <span class="muted">{formatRate(wonShare)}</span>
      </>
    ),
  });
  return (
    <ReportSection id="funnel" title="Funnel" note={`Of the ${formatCount(d.funnel_created)} deals created in the period: how far each got (reached, share of created).`}>
      {d.funnel_created === 0 ? <Empty title="No deals created in this period">The funnel follows the deals created in the period.</Empty> : <BarList chart="funnel" rows={rows} />}
    </ReportSection>
  );
}

function ConversionSection({ d }: { d: Dashboard }) {
  const many = spansPipelines(d.conversion);
  const rows: BarRow[] = d.conversion.map((c) => {
    const label = stageName(d.names, c.stage_id, c.pipeline_id, many);
    const rate = c.rate === null ? 0 : c.rate * 100;
    const prev = c.previous_rate === null ? null : c.previous_rate * 100;
    return {
      key: c.stage_id,
      label,
      bar: {
        value: rate,
        marker: prev,
        label: `${label}: ${formatRate(c.rate)} moved on (${formatCount(c.advanced)} of ${formatCount(c.entered)}); previous period ${formatRate(c.previous_rate)}`,
      },
      figures: (
        <>
          <strong>{formatRate(c.rate)}</strong>{' '}
          <span class="muted">
            {formatCount(c.advanced)}/{formatCount(c.entered)} · prev {formatRate(c.previous_rate)}
          </span>
        </>
      ),
    };
  });
  const entered = d.conversion.reduce((n, c) => n + c.entered, 0);
  return (
    <ReportSection id="conversion" title="Conversion by stage" note="Of the deals that entered each stage in the period, the share that moved on to a later stage or were won.">
      {entered === 0 ? (
        <Empty title="No deal entered a stage in this period" />
      ) : (
        <BarList
          chart="conversion"
          rows={rows}
          legend={
            <>
              <LegendItem kind="chart-bar chart-bar-accent">This period</LegendItem>
              <LegendItem kind="marker">Previous period</LegendItem>
            </>
          }
        />
      )}
    </ReportSection>
  );
}

function TimeInStageSection({ d }: { d: Dashboard }) {
  const many = spansPipelines(d.time_in_stage);
  const axis = valueAxis(d.time_in_stage.flatMap((t) => [t.days.p90, t.days.median, t.days.mean]));
  const rows: BarRow[] = d.time_in_stage.map((t) => {
    const label = stageName(d.names, t.stage_id, t.pipeline_id, many);
    const none = t.days.count === 0;
    return {
      key: t.stage_id,
      label,
      bar: {
        value: percentOf(t.days.median, axis.max),
        whisker: t.days.p90 === null ? null : percentOf(t.days.p90, axis.max),
        dot: t.days.mean === null ? null : percentOf(t.days.mean, axis.max),
        tone: none ? 'muted' : 'accent',
        label: none
          ? `${label}: no stay ended in the period`
          : `${label}: median ${formatDays(t.days.median)}, 90th percentile ${formatDays(t.days.p90)}, mean ${formatDays(t.days.mean)}, over ${formatCount(t.days.count)} stays; previous median ${formatDays(t.previous_median_days)}`,
      },
      figures: none ? (
        <span class="muted">no stays</span>
      ) : (
        <>
          <strong>{formatNumber(t.days.median)} d</strong>{' '}
          <span class="muted">
            p90 {formatNumber(t.days.p90)} · mean {formatNumber(t.days.mean)} · n={formatCount(t.days.count)}
          </span>
        </>
      ),
    };
  });
  const stays = d.time_in_stage.reduce((n, t) => n + t.days.count, 0);
  return (
    <ReportSection id="time-in-stage" title="Time in stage" note="Days in each stage, over the stays that ended in the period.">
      {stays === 0 ? (
        <Empty title="No deal left a stage in this period" />
      ) : (
        <BarList
          chart="time-in-stage"
          rows={rows}
          legend={
            <>
              <LegendItem kind="chart-bar chart-bar-accent">Median</LegendItem>
              <LegendItem kind="whisker">to the 90th percentile</LegendItem>
              <LegendItem kind="dot">Mean</LegendItem>
              <span class="muted">Scale 0–{formatNumber(axis.max, 0)} days</span>
            </>
          }
        />
      )}
    </ReportSection>
  );
}

function TrendSection({ d }: { d: Dashboard }) {
  const money = (v: number | null) => formatVelocity(v, d.currency);
  const closed = d.trend.reduce((n, t) => n + t.won_deals + t.lost_deals, 0);
  const points = (pick: (t: Dashboard['trend'][number]) => number | null) =>
    d.trend.map((t) => ({ key: t.month, label: formatMonth(t.month), title: formatMonth(t.month, true), value: pick(t) }));
  const table = {
    caption: 'Win rate and velocity by month',
    columns: ['Month', 'Won', 'Lost', 'Win rate', 'Won value', 'Velocity per day'],
    rows: d.trend.map((t) => ({
      key: t.month,
      cells: [formatMonth(t.month, true), formatCount(t.won_deals), formatCount(t.lost_deals), formatRate(t.win_rate), formatMoney(t.won_value_minor, d.currency), money(t.velocity_per_day)],
    })),
  };
  return (
    <ReportSection id="trends" title="Win rate and velocity" note="The twelve months up to the period's last month.">
      {closed === 0 ? (
        <Empty title="No deals closed in these twelve months" />
      ) : (
        <div class="trend-charts">
          <figure class="chart-figure">
            <figcaption class="chart-caption">Win rate</figcaption>
            <LineChart chart="win-rate-trend" title="Win rate" points={points((t) => t.win_rate)} format={(v) => formatRate(v)} axisFormat={(v) => formatRate(v, 0)} fixedMax={1} table={table} />
          </figure>
          <figure class="chart-figure">
            <figcaption class="chart-caption">Velocity per day</figcaption>
            <LineChart
              chart="velocity-trend"
              title="Velocity per day"
              points={points((t) => t.velocity_per_day)}
              format={money}
              axisFormat={(v) => formatMoneyFigure(v, d.currency, true)}
              table={{ ...table, caption: 'Velocity by month' }}
            />
          </figure>
        </div>
      )}
    </ReportSection>
  );
}

// ---- Forecast -----------------------------------------------------------------------------------

function ForecastSection({ load, months, search }: { load: Load<Forecast>; months: number; search: URLSearchParams }) {
  const f = load.data;
  const setMonths = (n: number) => {
    const next = new URLSearchParams(search);
    if (n === kDefaultMonths) next.delete('months');
    else next.set('months', String(n));
    navigate(location.pathname + searchText(next));
  };
  const actions = (
    <div class="field field-inline">
      <label for="forecast-months">Months</label>
      <select id="forecast-months" value={months} onChange={(e) => setMonths(Number(e.currentTarget.value))}>
        {kMonthChoices.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </div>
  );
  return (
    <ReportSection id="forecast" title="Forecast by month" note="Open deals by expected close month: weighted by probability and in full, with what was already won and the velocity forecast." actions={actions} wide>
      {load.status !== 'ready' || !f ? <LoadState load={load} what="the forecast" compact /> : <ForecastBody f={f} />}
    </ReportSection>
  );
}

function ForecastBody({ f }: { f: Forecast }) {
  const money = (v: number) => formatMoneyFigure(v, f.currency, true);
  const full = (v: number | null) => formatMoneyFigure(v, f.currency);
  const columns = f.months.map((m) => ({
    key: m.month,
    label: formatMonth(m.month),
    title: formatMonth(m.month, true),
    won: m.won_value_minor,
    value: m.value_minor,
    weighted: m.weighted_minor,
    velocity: m.velocity_forecast_minor,
  }));
  const anything = f.months.some((m) => m.open_deals > 0 || m.won_deals > 0 || (m.velocity_forecast_minor ?? 0) > 0);
  const weighted = f.months.reduce((n, m) => n + m.weighted_minor, 0);
  const open = f.months.reduce((n, m) => n + m.value_minor, 0);
  const summary = `Forecast for ${f.months.length} months: ${full(open)} open, ${full(weighted)} weighted.`;
  const table = {
    caption: 'Forecast by month',
    columns: ['Month', 'Open deals', 'Open value', 'Weighted', 'Won so far', 'Velocity forecast'],
    rows: f.months.map((m) => ({
      key: m.month,
      cells: [formatMonth(m.month, true), formatCount(m.open_deals), full(m.value_minor), full(m.weighted_minor), full(m.won_value_minor), full(m.velocity_forecast_minor)],
    })),
  };
  const v = f.velocity_per_day;
  const driver = driverLabel(f.velocity_driver);
  return (
    <>
      <p class="forecast-velocity" data-testid="velocity">
        Velocity <strong>{formatVelocity(v.current, f.currency)}</strong> <ChangeBadge view={changeView(v)} />
        <span class="muted">
          {' '}
          (previous period {formatVelocity(v.previous, f.currency)}){driver ? `; moved most by ${driver}` : ''}.
        </span>
      </p>
      {!anything ? (
        <Empty title="No open deals expected to close in these months" />
      ) : (
        <>
          <ForecastChart columns={columns} money={money} table={table} summary={summary} />
          <div class="chart-legend">
            <LegendItem kind="chart-won">Won so far</LegendItem>
            <LegendItem kind="chart-weighted">Weighted open value</LegendItem>
            <LegendItem kind="chart-unweighted">Rest of the open value</LegendItem>
            <LegendItem kind="velocity">Velocity forecast</LegendItem>
          </div>
        </>
      )}
      <dl class="forecast-buckets">
        <div>
          <dt>Expected before this month</dt>
          <dd>
            {formatCount(f.overdue.open_deals)} deals · {full(f.overdue.value_minor)} ({full(f.overdue.weighted_minor)} weighted)
          </dd>
        </div>
        <div>
          <dt>No expected close date</dt>
          <dd>
            {formatCount(f.undated.open_deals)} deals · {full(f.undated.value_minor)} ({full(f.undated.weighted_minor)} weighted)
          </dd>
        </div>
      </dl>
      {f.accuracy.length > 0 && (
        <details class="forecast-accuracy">
          <summary>Forecast accuracy of past months</summary>
          <div class="table-scroll">
            <table class="data-table">
              <thead>
                <tr>
                  <th scope="col">Month</th>
                  <th scope="col">Forecast (weighted)</th>
                  <th scope="col">Won</th>
                  <th scope="col">Accuracy</th>
                </tr>
              </thead>
              <tbody>
                {f.accuracy.map((a) => (
                  <tr key={a.month}>
                    <th scope="row">{formatMonth(a.month, true)}</th>
                    <td>{full(a.forecast_weighted_minor)}</td>
                    <td>{full(a.won_value_minor)}</td>
                    <td>{formatRate(a.accuracy)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </details>
      )}
    </>
  );
}

function ProbabilitySection({ load }: { load: Load<Forecast> }) {
  const f = load.data;
  const rows = useMemo(() => f?.probabilities ?? [], [f]);
  return (
    <ReportSection id="probabilities" title="Stage probability: configured vs history" note="Of the closed deals that were ever in a stage, the share that was won, beside the probability the stage is set to." wide>
      {load.status !== 'ready' || !f ? (
        <LoadState load={load} what="the stage probabilities" compact />
      ) : rows.length === 0 ? (
        <Empty title="No stages to compare" />
      ) : (
        <ProbabilityTable rows={rows} names={f.names} />
      )}
    </ReportSection>
  );
}
