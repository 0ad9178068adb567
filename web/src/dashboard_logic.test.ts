import { describe, expect, it } from 'vitest';
import type { LeaderboardRow } from './analytics_api';
import { lostGrid, nextSort, sortLeaderboard, spansPipelines, stageName } from './dashboard_logic';

function row(name: string, won: number, rate: number | null, activities: number): LeaderboardRow {
  return {
    owner_id: name.length,
    name,
    new_deals: 0,
    won_deals: 0,
    lost_deals: 0,
    activities_done: activities,
    won_value_minor: won,
    previous_won_value_minor: 0,
    open_deals: 0,
    open_value_minor: 0,
    win_rate: rate,
    cycle_mean_days: null,
  };
}

describe('sortLeaderboard', () => {
  const rows = [row('Ann', 500, 0.5, 10), row('Bo', 900, null, 30), row('Cy', 500, 0.8, 20), row('Di', 100, 0.9, 30)];

  it('sorts by won value, win rate or activities, n/a last', () => {
    expect(sortLeaderboard(rows, 'won_value', 'desc').map((r) => r.name)).toEqual(['Bo', 'Ann', 'Cy', 'Di']);
    expect(sortLeaderboard(rows, 'won_value', 'asc').map((r) => r.name)).toEqual(['Di', 'Ann', 'Cy', 'Bo']);
    expect(sortLeaderboard(rows, 'win_rate', 'desc').map((r) => r.name)).toEqual(['Di', 'Cy', 'Ann', 'Bo']);
    expect(sortLeaderboard(rows, 'win_rate', 'asc').map((r) => r.name)).toEqual(['Ann', 'Cy', 'Di', 'Bo']);
    // Ties (30 activities) by won value.
    expect(sortLeaderboard(rows, 'activities', 'desc').map((r) => r.name)).toEqual(['Bo', 'Di', 'Cy', 'Ann']);
  });

  it('flips the direction on the same header, else starts descending', () => {
    expect(nextSort({ key: 'won_value', direction: 'desc' }, 'won_value')).toEqual({ key: 'won_value', direction: 'asc' });
    expect(nextSort({ key: 'won_value', direction: 'asc' }, 'win_rate')).toEqual({ key: 'win_rate', direction: 'desc' });
  });
});

describe('lostGrid', () => {
  it('pivots reasons by stage in stage order', () => {
    const grid = lostGrid(
      [
        { reason: 'Price', stage_id: 4, deals: 5, value_minor: 500 },
        { reason: 'Price', stage_id: 2, deals: 2, value_minor: 200 },
        { reason: 'Timing', stage_id: 2, deals: 6, value_minor: 600 },
        { reason: 'No budget', stage_id: 9, deals: 1, value_minor: 50 },
      ],
      [2, 3, 4],
    );
    expect(grid.reasons).toEqual(['Price', 'Timing', 'No budget']);
    expect(grid.stages).toEqual([2, 4, 9]);
    expect(grid.cell('Price', 2)).toEqual({ deals: 2, value_minor: 200 });
    expect(grid.cell('Timing', 4)).toBeNull();
    expect(grid.max).toBe(6);
    expect(grid.reasonTotals.get('Price')).toEqual({ deals: 7, value_minor: 700 });
    expect(grid.stageTotals.get(2)).toEqual({ deals: 8, value_minor: 800 });
    expect(grid.total).toEqual({ deals: 14, value_minor: 1350 });
  });

  it('is empty for no lost deals', () => {
    const grid = lostGrid([], [1, 2]);
    expect(grid.reasons).toEqual([]);
    expect(grid.stages).toEqual([]);
    expect(grid.max).toBe(0);
  });
});

describe('stage names', () => {
  const names = { pipelines: { '1': 'Sales' }, stages: { '2': 'Qualified' }, users: {}, teams: {} };
  it('adds the pipeline only when the report spans several', () => {
    expect(stageName(names, 2, 1, false)).toBe('Qualified');
    expect(stageName(names, 2, 1, true)).toBe('Sales · Qualified');
    expect(stageName(names, 5, 7, true)).toBe('Pipeline #7 · Stage #5');
    expect(spansPipelines([{ pipeline_id: 1 }, { pipeline_id: 1 }])).toBe(false);
    expect(spansPipelines([{ pipeline_id: 1 }, { pipeline_id: 2 }])).toBe(true);
  });
});
