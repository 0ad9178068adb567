import { describe, expect, it } from 'vitest';
import type { Board, BoardCard, MoneyTotal, Stage } from './api';
import {
  adjustTotals,
  appendCards,
  boardFromResponse,
  hasMore,
  insertCard,
  locateCard,
  moveCard,
  removeCard,
  unloadCard,
  updateCard,
  withSummaries,
  type BoardState,
} from './board_state';

const T0 = '2026-01-01T00:00:00Z';

function stage(id: number, probability: number, rotting_days: number | null = null): Stage {
  return {
    id,
    pipeline_id: 1,
    name: `Stage ${id}`,
    order: id,
    probability,
    rotting_days,
    playbook: null,
    version: 1,
    created_at: T0,
    updated_at: T0,
  };
}

function card(id: number, value_minor: number, probability: number, currency = 'USD'): BoardCard {
  return {
    id,
    title: `Deal ${id}`,
    value_minor,
    currency,
    org_id: null,
    org_name: null,
    person_id: null,
    person_name: null,
    owner_id: 1,
    owner_name: 'Ada',
    next_activity_date: null,
    overdue: false,
    no_next_activity: true,
    rotting: false,
    probability,
    position: id * 1024,
    version: 1,
  };
}

function totalsOf(cards: BoardCard[]): MoneyTotal[] {
  let totals: MoneyTotal[] = [];
  for (const c of cards) totals = adjustTotals(totals, c, c.probability, 1);
  return totals;
}

/** Stage 1 (10%): cards 1, 2, 3; stage 2 (50%): card 4 (+1 unloaded); stage 3 (90%): empty. */
function sample(): Board {
  const s1 = [card(1, 10_000, 10), card(2, 20_000, 10), card(3, 30_000, 40)]; // 3 overrides 40%
  const s2 = [card(4, 40_000, 50)];
  return {
    pipeline: { id: 1, name: 'Sales', order: 0, active: true, visibility: 'owners', version: 1, created_at: T0, updated_at: T0 },
    stages: [
      { stage: stage(1, 10), deal_count: 3, totals: totalsOf(s1), cards: s1 },
      { stage: stage(2, 50), deal_count: 2, totals: totalsOf(s2), cards: s2 },
      { stage: stage(3, 90), deal_count: 0, totals: [], cards: [] },
    ],
  };
}

const ids = (s: BoardState, column: number) => s.columns[column]!.cards.map((c) => c.id);

describe('boardFromResponse', () => {
  it('knows which columns have unloaded cards', () => {
    const s = boardFromResponse(sample());
    expect(s.columns.map(hasMore)).toEqual([false, true, false]);
    expect(s.columns[0]!.nextCursor).toBeNull();
    expect(s.columns[1]!.nextCursor).toBeUndefined();
  });
});

describe('adjustTotals', () => {
  it('adds a currency, adds to one, and drops one that reaches zero deals', () => {
    let t = adjustTotals([], { currency: 'EUR', value_minor: 1000 }, 25, 1);
    expect(t).toEqual([{ currency: 'EUR', count: 1, value_minor: 1000, weighted_minor: 250 }]);
    t = adjustTotals(t, { currency: 'EUR', value_minor: 3 }, 50, 1);
    expect(t).toEqual([{ currency: 'EUR', count: 2, value_minor: 1003, weighted_minor: 252 }]);
    t = adjustTotals(t, { currency: 'EUR', value_minor: 3 }, 50, -1);
    t = adjustTotals(t, { currency: 'EUR', value_minor: 1000 }, 25, -1);
    expect(t).toEqual([]);
  });
});

describe('moveCard', () => {
  it('moves across stages with counts, totals and the new stage probability', () => {
    const s = moveCard(boardFromResponse(sample()), 2, 2, 0);
    expect(ids(s, 0)).toEqual([1, 3]);
    expect(ids(s, 1)).toEqual([2, 4]);
    expect(s.columns[0]!.dealCount).toBe(2);
    expect(s.columns[1]!.dealCount).toBe(3);
    expect(s.columns[0]!.totals).toEqual([{ currency: 'USD', count: 2, value_minor: 40_000, weighted_minor: 13_000 }]);
    // Card 2 followed its stage (10%): it takes stage 2's 50%.
    expect(locateCard(s, 2)!.card.probability).toBe(50);
    expect(s.columns[1]!.totals).toEqual([{ currency: 'USD', count: 2, value_minor: 60_000, weighted_minor: 30_000 }]);
  });

  it('keeps a probability override across stages', () => {
    const s = moveCard(boardFromResponse(sample()), 3, 3, 0);
    expect(locateCard(s, 3)!.card.probability).toBe(40);
    expect(s.columns[2]!.totals).toEqual([{ currency: 'USD', count: 1, value_minor: 30_000, weighted_minor: 12_000 }]);
    expect(s.columns[0]!.totals).toEqual([{ currency: 'USD', count: 2, value_minor: 30_000, weighted_minor: 3_000 }]);
  });

  it('reorders within a stage without touching counts', () => {
    const before = boardFromResponse(sample());
    const s = moveCard(before, 1, 1, 2);
    expect(ids(s, 0)).toEqual([2, 3, 1]);
    expect(s.columns[0]!.dealCount).toBe(3);
    expect(s.columns[0]!.totals).toBe(before.columns[0]!.totals);
    expect(ids(moveCard(before, 3, 1, 0), 0)).toEqual([3, 1, 2]);
  });

  it('clamps the slot and leaves the input alone', () => {
    const before = boardFromResponse(sample());
    const s = moveCard(before, 1, 3, 99);
    expect(ids(s, 2)).toEqual([1]);
    expect(ids(before, 0)).toEqual([1, 2, 3]);
    expect(moveCard(before, 1, 1, -5)).toEqual(before);
  });

  it('ignores an unknown card or stage', () => {
    const before = boardFromResponse(sample());
    expect(moveCard(before, 99, 2, 0)).toBe(before);
    expect(moveCard(before, 1, 99, 0)).toBe(before);
  });

  it('is undone by moving back to the old slot', () => {
    const before = boardFromResponse(sample());
    const from = locateCard(before, 2)!;
    const there = moveCard(before, 2, 3, 0);
    const back = moveCard(there, 2, before.columns[from.column]!.stage.id, from.index);
    expect(back.columns.map((c) => c.cards.map((x) => x.id))).toEqual(before.columns.map((c) => c.cards.map((x) => x.id)));
    expect(back.columns.map((c) => c.dealCount)).toEqual(before.columns.map((c) => c.dealCount));
    expect(back.columns.map((c) => c.totals)).toEqual(before.columns.map((c) => c.totals));
  });
});

describe('removeCard and insertCard', () => {
  it('take a won or lost card away with its value, and put it back', () => {
    const before = boardFromResponse(sample());
    const gone = removeCard(before, 4);
    expect(ids(gone, 1)).toEqual([]);
    expect(gone.columns[1]!.dealCount).toBe(1);
    expect(gone.columns[1]!.totals).toEqual([]);
    const back = insertCard(gone, 2, before.columns[1]!.cards[0]!, 0);
    expect(back.columns[1]).toEqual(before.columns[1]);
  });

  it('adds a new card in a new currency at the top', () => {
    const s = insertCard(boardFromResponse(sample()), 1, card(9, 5_000, 10, 'EUR'), 0);
    expect(ids(s, 0)).toEqual([9, 1, 2, 3]);
    expect(s.columns[0]!.dealCount).toBe(4);
    expect(s.columns[0]!.totals.find((t) => t.currency === 'EUR')).toEqual({ currency: 'EUR', count: 1, value_minor: 5_000, weighted_minor: 500 });
  });

  it('does not add a card twice', () => {
    const before = boardFromResponse(sample());
    expect(insertCard(before, 2, card(1, 1, 1), 0)).toBe(before);
  });
});

describe('updateCard and unloadCard', () => {
  it('update fields in place', () => {
    const s = updateCard(boardFromResponse(sample()), 2, { position: 7, version: 5 });
    expect(locateCard(s, 2)!.card).toMatchObject({ id: 2, position: 7, version: 5, title: 'Deal 2' });
    expect(locateCard(s, 2)!.index).toBe(1);
  });

  it('unload a card past the loaded ones, keeping the count and offering more', () => {
    const s = unloadCard(boardFromResponse(sample()), 3);
    expect(ids(s, 0)).toEqual([1, 2]);
    expect(s.columns[0]!.dealCount).toBe(3);
    expect(hasMore(s.columns[0]!)).toBe(true);
  });
});

describe('appendCards', () => {
  it('appends a page, skips cards already on the board and keeps the cursor', () => {
    const s = appendCards(boardFromResponse(sample()), 2, [card(4, 1, 1), card(5, 50_000, 50), card(1, 1, 1)], 'c2');
    expect(ids(s, 1)).toEqual([4, 5]);
    expect(ids(s, 0)).toEqual([1, 2, 3]);
    // All two deals of the stage are loaded: nothing more to read whatever the cursor says.
    expect(s.columns[1]!.nextCursor).toBeNull();
    expect(hasMore(s.columns[1]!)).toBe(false);
  });

  it('stops at the last page', () => {
    const board = sample();
    board.stages[1]!.deal_count = 10;
    let s = appendCards(boardFromResponse(board), 2, [card(5, 1, 50)], 'next');
    expect(s.columns[1]!.nextCursor).toBe('next');
    s = appendCards(s, 2, [card(6, 1, 50)], null);
    expect(hasMore(s.columns[1]!)).toBe(false);
  });
});

describe('withSummaries', () => {
  it('takes counts and totals from the server and keeps the cards', () => {
    const mine = moveCard(boardFromResponse(sample()), 1, 2, 0);
    const fresh = sample();
    fresh.stages = fresh.stages.map((c) => ({ ...c, cards: [] }));
    fresh.stages[0]!.deal_count = 2;
    fresh.stages[0]!.totals = [{ currency: 'USD', count: 2, value_minor: 50_000, weighted_minor: 14_000 }];
    fresh.stages[1]!.deal_count = 3;
    const s = withSummaries(mine, fresh);
    expect(ids(s, 0)).toEqual([2, 3]);
    expect(ids(s, 1)).toEqual([1, 4]);
    expect(s.columns[0]!.dealCount).toBe(2);
    expect(s.columns[0]!.totals).toEqual(fresh.stages[0]!.totals);
    expect(s.columns[1]!.dealCount).toBe(3);
  });

  it('replaces the board when the stages changed', () => {
    const fresh = sample();
    fresh.stages.pop();
    const s = withSummaries(boardFromResponse(sample()), fresh);
    expect(s.columns).toHaveLength(2);
  });
});
