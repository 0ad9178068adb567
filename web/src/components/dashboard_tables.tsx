// The dashboard's tables: lost reasons by stage as a heat grid, the leaderboard (sortable by won
// value, win rate and activities), and each stage's configured probability beside its history.

import { useState } from 'preact/hooks';
import type { LeaderboardRow, LostBreakdown, ReportNames, StageProbability } from '../analytics_api';
import { changeView, compare, formatCount, formatDays, formatRate } from '../analytics_format';
import { heatLevel } from '../charts';
import { kLeaderSorts, lostGrid, nextSort, sortLeaderboard, spansPipelines, stageName, type LeaderSort, type SortDirection } from '../dashboard_logic';
import { formatMoney } from '../money';
import { Avatar } from './ui';
import { ChangeBadge } from './analytics_common';
import { HBar } from './charts';

export function LostReasonsGrid({
  lost,
  stageOrder,
  names,
  currency,
  many,
  pipelineOf,
}: {
  lost: readonly LostBreakdown[];
  stageOrder: readonly number[];
  names: ReportNames;
  currency: string;
  many: boolean;
  pipelineOf: (stageId: number) => number | null;
}) {
  const grid = lostGrid(lost, stageOrder);
  const stageLabel = (id: number) => stageName(names, id, pipelineOf(id), many);
  return (
    <div class="table-scroll" data-chart="lost-reasons">
      <table class="data-table heat-table">
        <caption class="sr-only">Deals lost in the period by reason (rows) and the stage they were lost in (columns)</caption>
        <thead>
          <tr>
            <th scope="col">Reason</th>
            {grid.stages.map((s) => (
              <th key={s} scope="col" class="num">
                {stageLabel(s)}
              </th>
            ))}
            <th scope="col" class="num">
              Total
            </th>
          </tr>
        </thead>
        <tbody>
          {grid.reasons.map((r) => {
            const total = grid.reasonTotals.get(r)!;
            return (
              <tr key={r} data-reason={r}>
                <th scope="row">{r || 'No reason given'}</th>
                {grid.stages.map((s) => {
                  const c = grid.cell(r, s);
                  const level = c ? heatLevel(c.deals, grid.max) : 0;
                  return (
                    <td
                      key={s}
                      class={`num heat heat-${level}`}
                      title={c ? `${r || 'No reason'} in ${stageLabel(s)}: ${plural(c.deals)}, ${formatMoney(c.value_minor, currency)}` : undefined}
                    >
                      {c ? formatCount(c.deals) : <span aria-label="none">·</span>}
                    </td>
                  );
                })}
                <td class="num">
                  <strong>{formatCount(total.deals)}</strong>
                  <span class="cell-sub">{formatMoney(total.value_minor, currency, { compact: true })}</span>
                </td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            {grid.stages.map((s) => (
              <td key={s} class="num">
                {formatCount(grid.stageTotals.get(s)!.deals)}
              </td>
            ))}
            <td class="num">
              <strong>{formatCount(grid.total.deals)}</strong>
              <span class="cell-sub">{formatMoney(grid.total.value_minor, currency, { compact: true })}</span>
            </td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

function plural(n: number): string {
  return `${formatCount(n)} ${n === 1 ? 'deal' : 'deals'}`;
}

const kSortLabel: Record<SortDirection, 'ascending' | 'descending'> = { asc: 'ascending', desc: 'descending' };

export function LeaderboardTable({ rows, currency }: { rows: readonly LeaderboardRow[]; currency: string }) {
  const [sort, setSort] = useState<{ key: LeaderSort; direction: SortDirection }>({ key: 'won_value', direction: 'desc' });
  const sorted = sortLeaderboard(rows, sort.key, sort.direction);
  const header = (key: LeaderSort) => {
    const label = kLeaderSorts.find((s) => s.key === key)!.label;
    const active = sort.key === key;
    return (
      <th scope="col" class="num" aria-sort={active ? kSortLabel[sort.direction] : undefined}>
        <button type="button" class={`sort-button${active ? ' is-active' : ''}`} onClick={() => setSort(nextSort(sort, key))} data-sort={key}>
          {label}
          <span aria-hidden="true" class="sort-arrow">
            {active ? (sort.direction === 'desc' ? '▼' : '▲') : '↕'}
          </span>
        </button>
      </th>
    );
  };
  return (
    <div class="table-scroll" data-chart="leaderboard">
      <table class="data-table leaderboard">
        <caption class="sr-only">Leaderboard, sorted by {kLeaderSorts.find((s) => s.key === sort.key)!.label.toLowerCase()} {kSortLabel[sort.direction]}</caption>
        <thead>
          <tr>
            <th scope="col">Rep</th>
            {header('won_value')}
            <th scope="col" class="num">
              Won / lost
            </th>
            {header('win_rate')}
            {header('activities')}
            <th scope="col" class="num hide-narrow">
              New
            </th>
            <th scope="col" class="num hide-narrow">
              Open now
            </th>
            <th scope="col" class="num hide-narrow">
              Cycle
            </th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((r) => (
            <tr key={r.owner_id} data-owner-id={r.owner_id}>
              <th scope="row">
                <span class="owner-cell">
                  <Avatar id={r.owner_id} name={r.name} />
                  {r.name}
                </span>
              </th>
              <td class="num" data-col="won_value">
                <strong>{formatMoney(r.won_value_minor, currency)}</strong>
                <span class="cell-sub">
                  <ChangeBadge view={changeView(compare(r.won_value_minor, r.previous_won_value_minor))} />
                </span>
              </td>
              <td class="num">
                {formatCount(r.won_deals)} / {formatCount(r.lost_deals)}
              </td>
              <td class="num" data-col="win_rate">
                {formatRate(r.win_rate)}
              </td>
              <td class="num" data-col="activities">
                {formatCount(r.activities_done)}
              </td>
              <td class="num hide-narrow">{formatCount(r.new_deals)}</td>
              <td class="num hide-narrow">
                {formatCount(r.open_deals)}
                <span class="cell-sub">{formatMoney(r.open_value_minor, currency, { compact: true })}</span>
              </td>
              <td class="num hide-narrow">{formatDays(r.cycle_mean_days)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function ProbabilityTable({ rows, names }: { rows: readonly StageProbability[]; names: ReportNames }) {
  const many = spansPipelines(rows);
  return (
    <div class="table-scroll" data-chart="probabilities">
      <table class="data-table probability-table">
        <caption class="sr-only">Configured and historical win probability by stage</caption>
        <thead>
          <tr>
            <th scope="col">Stage</th>
            <th scope="col" class="num">
              Configured
            </th>
            <th scope="col" class="num">
              Historical
            </th>
            <th scope="col" class="num">
              Difference
            </th>
            <th scope="col" class="prob-bar-col">
              <span class="sr-only">Chart</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((p) => {
            const label = stageName(names, p.stage_id, p.pipeline_id, many);
            const diff = p.historical === null ? null : Math.round(p.historical * 100 - p.configured);
            return (
              <tr key={p.stage_id} data-stage-id={p.stage_id}>
                <th scope="row">{label}</th>
                <td class="num">{p.configured}%</td>
                <td class="num">
                  {formatRate(p.historical, 0)}
                  <span class="cell-sub">
                    {formatCount(p.won_deals)} won of {formatCount(p.closed_deals)}
                  </span>
                </td>
                <td class={`num${diff !== null && Math.abs(diff) >= 15 ? ' prob-off' : ''}`}>
                  {diff === null ? 'n/a' : `${diff > 0 ? '+' : diff < 0 ? '−' : ''}${Math.abs(diff)} pts`}
                </td>
                <td class="prob-bar-col">
                  <HBar
                    value={p.historical === null ? 0 : p.historical * 100}
                    marker={p.configured}
                    tone={p.historical === null ? 'muted' : 'accent'}
                    label={`${label}: historical ${formatRate(p.historical, 0)}, configured ${p.configured}%`}
                  />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <p class="muted section-help">Bar: historical share won; line: the configured probability.</p>
    </div>
  );
}
