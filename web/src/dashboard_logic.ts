// The dashboard's tables as data: the leaderboard's sort, the lost-reasons grid (reasons × the
// stage deals were lost in) and stage labels in the report's order.

import type { LeaderboardRow, LostBreakdown, ReportNames } from './analytics_api';
import { nameOf } from './analytics_api';
import type { Id } from './api';

export type LeaderSort = 'won_value' | 'win_rate' | 'activities';
export type SortDirection = 'asc' | 'desc';

export const kLeaderSorts: ReadonlyArray<{ key: LeaderSort; label: string }> = [
  { key: 'won_value', label: 'Won value' },
  { key: 'win_rate', label: 'Win rate' },
  { key: 'activities', label: 'Activities done' },
];

function sortValue(row: LeaderboardRow, key: LeaderSort): number | null {
  switch (key) {
    case 'won_value':
      return row.won_value_minor;
    case 'win_rate':
      return typeof row.win_rate === 'number' && Number.isFinite(row.win_rate) ? row.win_rate : null;
    case 'activities':
      return row.activities_done;
  }
}

/**
 * The leaderboard by `key` (n/a win rates last either way), ties by won value (descending), then
 * name.
 */
export function sortLeaderboard(rows: readonly LeaderboardRow[], key: LeaderSort, direction: SortDirection): LeaderboardRow[] {
  const sign = direction === 'asc' ? 1 : -1;
  return [...rows].sort((a, b) => {
    const av = sortValue(a, key);
    const bv = sortValue(b, key);
    if (av === null && bv !== null) return 1;
    if (bv === null && av !== null) return -1;
    if (av !== null && bv !== null && av !== bv) return sign * (av - bv);
    if (a.won_value_minor !== b.won_value_minor) return b.won_value_minor - a.won_value_minor;
    return a.name.localeCompare(b.name);
  });
}

/** The next sort after a click on `key`'s header: the other direction on the same key, else descending. */
export function nextSort(current: { key: LeaderSort; direction: SortDirection }, key: LeaderSort): { key: LeaderSort; direction: SortDirection } {
  if (current.key === key) return { key, direction: current.direction === 'desc' ? 'asc' : 'desc' };
  return { key, direction: 'desc' };
}

export interface LostCell {
  deals: number;
  value_minor: number;
}

export interface LostGrid {
  reasons: string[];
  stages: Id[];
  cell: (reason: string, stage: Id) => LostCell | null;
  /** The most deals in one cell (for the heat scale). */
  max: number;
  reasonTotals: Map<string, LostCell>;
  stageTotals: Map<Id, LostCell>;
  total: LostCell;
}

/**
 * Lost deals as a grid: reasons as rows (most deals first, as the report sorts them), stages as
 * columns in `stageOrder` (stages not in it after, by id).
 */
export function lostGrid(lost: readonly LostBreakdown[], stageOrder: readonly Id[]): LostGrid {
  const cells = new Map<string, LostCell>();
  const reasonTotals = new Map<string, LostCell>();
  const stageTotals = new Map<Id, LostCell>();
  const total: LostCell = { deals: 0, value_minor: 0 };
  const add = (into: LostCell, l: LostBreakdown) => {
    into.deals += l.deals;
    into.value_minor += l.value_minor;
  };
  for (const l of lost) {
    const key = `${l.stage_id}|${l.reason}`;
    const c = cells.get(key) ?? { deals: 0, value_minor: 0 };
    add(c, l);
    cells.set(key, c);
    if (!reasonTotals.has(l.reason)) reasonTotals.set(l.reason, { deals: 0, value_minor: 0 });
    add(reasonTotals.get(l.reason)!, l);
    if (!stageTotals.has(l.stage_id)) stageTotals.set(l.stage_id, { deals: 0, value_minor: 0 });
    add(stageTotals.get(l.stage_id)!, l);
    add(total, l);
  }
  const reasons = [...reasonTotals.keys()].sort((a, b) => reasonTotals.get(b)!.deals - reasonTotals.get(a)!.deals || a.localeCompare(b));
  const known = new Set(stageOrder);
  const stages = [...stageOrder.filter((id) => stageTotals.has(id)), ...[...stageTotals.keys()].filter((id) => !known.has(id)).sort((a, b) => a - b)];
  let max = 0;
  for (const c of cells.values()) max = Math.max(max, c.deals);
  return { reasons, stages, cell: (reason, stage) => cells.get(`${stage}|${reason}`) ?? null, max, reasonTotals, stageTotals, total };
}

/** "Proposal", or "Sales · Proposal" when the report covers more than one pipeline. */
export function stageName(names: ReportNames | undefined, stageId: Id, pipelineId: Id | null, manyPipelines: boolean): string {
  const stage = nameOf(names?.stages, stageId, 'Stage');
  if (!manyPipelines || !pipelineId) return stage;
  return `${nameOf(names?.pipelines, pipelineId, 'Pipeline')} · ${stage}`;
}

/** True when rows span more than one pipeline. */
export function spansPipelines(rows: ReadonlyArray<{ pipeline_id: Id }>): boolean {
  return new Set(rows.map((r) => r.pipeline_id)).size > 1;
}
