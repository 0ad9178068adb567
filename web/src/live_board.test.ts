import { describe, expect, it } from 'vitest';
import type { Board, BoardCard, Stage } from './api';
import { appendCards, boardFromResponse, type BoardState } from './board_state';
import { kMaxBoardCards, liveCardCount, mergeLiveBoard, RefreshGate, type GateTimers } from './live_board';

const T0 = '2026-01-01T00:00:00Z';

function stage(id: number): Stage {
  return { id, pipeline_id: 1, name: `Stage ${id}`, order: id, probability: 50, rotting_days: null, playbook: null, version: 1, created_at: T0, updated_at: T0 };
}

function card(id: number, title = `Deal ${id}`): BoardCard {
  return {
    id,
    title,
    value_minor: 1000 * id,
    currency: 'USD',
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
    probability: 50,
    position: id,
    version: 1,
  };
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** A board whose stage s has `counts[s]` open deals, of which the first `cards` are given. */
function board(counts: number[], cards: number, stageIds = counts.map((_, i) => i + 1), retitle: Record<number, string> = {}): Board {
  return {
    pipeline: { id: 1, name: 'Sales', order: 0, active: true, visibility: 'owners', version: 1, created_at: T0, updated_at: T0 },
    stages: counts.map((count, i) => {
      const base = stageIds[i]! * 1000;
      return {
        stage: stage(stageIds[i]!),
        deal_count: count,
        totals: [],
        cards: range(base + 1, base + Math.min(count, cards)).map((id) => card(id, retitle[id])),
      };
    }),
  };
}

const ids = (s: BoardState, column: number) => s.columns[column]!.cards.map((c) => c.id);

describe('liveCardCount', () => {
  it('is the longest column, within the first read and the route maximum', () => {
    const state = boardFromResponse(board([3, 40], 20));
    expect(liveCardCount(state, 20)).toBe(20);
    const more = appendCards(state, 2, range(2021, 2040).map((id) => card(id)), null);
    expect(liveCardCount(more, 20)).toBe(40);
    const huge = appendCards(state, 2, range(2021, 2300).map((id) => card(id)), null);
    expect(liveCardCount(huge, 20)).toBe(kMaxBoardCards);
  });
});

describe('mergeLiveBoard', () => {
  it('takes the fresh counts and cards, keeping each column as long as it was', () => {
    // Column 2 had "load more" pages (40 of 60 loaded); column 1 showed its first 20.
    const before = appendCards(boardFromResponse(board([30, 60], 20)), 2, range(2021, 2040).map((id) => card(id)), 'cursor');
    expect(ids(before, 1)).toHaveLength(40);
    // Re-read with cards=40: another user added deals 1031 and 2061 at the top.
    const fresh = board([31, 61], 40);
    fresh.stages[0]!.cards.unshift(card(1031));
    fresh.stages[0]!.cards.pop();
    fresh.stages[1]!.cards.unshift(card(2061));
    fresh.stages[1]!.cards.pop();
    const after = mergeLiveBoard(before, fresh, 20);
    expect(after.columns.map((c) => c.dealCount)).toEqual([31, 61]);
    expect(ids(after, 0)).toEqual([1031, ...range(1001, 1019)]); // still 20
    expect(ids(after, 1)).toEqual([2061, ...range(2001, 2039)]); // still 40
    // More remain in both: "load more" starts over from the top and skips what is shown.
    expect(after.columns.map((c) => c.nextCursor)).toEqual([undefined, undefined]);
  });

  it('keeps unchanged cards as the same objects and replaces changed ones', () => {
    const before = boardFromResponse(board([3, 2], 20));
    const after = mergeLiveBoard(before, board([3, 2], 20, undefined, { 1002: 'Renamed' }), 20);
    expect(after.columns[0]!.cards[0]).toBe(before.columns[0]!.cards[0]);
    expect(after.columns[0]!.cards[1]).not.toBe(before.columns[0]!.cards[1]);
    expect(after.columns[0]!.cards[1]!.title).toBe('Renamed');
    expect(after.columns[1]!.cards[1]).toBe(before.columns[1]!.cards[1]);
    expect(after.columns.map((c) => c.nextCursor)).toEqual([null, null]); // all shown
  });

  it('follows a card moved by someone else from one column to another', () => {
    const before = boardFromResponse(board([3, 2], 20));
    const fresh = board([2, 3], 20);
    fresh.stages[0]!.cards = [card(1001), card(1003)];
    fresh.stages[1]!.cards = [card(1002), card(2001), card(2002)];
    const after = mergeLiveBoard(before, fresh, 20);
    expect(ids(after, 0)).toEqual([1001, 1003]);
    expect(ids(after, 1)).toEqual([1002, 2001, 2002]);
    expect(after.columns[1]!.cards[0]).toBe(before.columns[0]!.cards[1]);
  });

  it('takes the fresh board as it is when the stages changed', () => {
    const before = boardFromResponse(board([3, 2], 20));
    const fresh = board([3, 2, 0], 20, [1, 2, 3]);
    expect(mergeLiveBoard(before, fresh, 20)).toEqual(boardFromResponse(fresh));
  });
});

/** Timers that run when the test says so. */
class Clock implements GateTimers {
  now = 0;
  private next = 1;
  private tasks = new Map<number, { at: number; run: () => void }>();
  setTimeout(run: () => void, millis: number): unknown {
    const id = this.next++;
    this.tasks.set(id, { at: this.now + millis, run });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.tasks.delete(handle as number);
  }
  async advance(millis: number): Promise<void> {
    const until = this.now + millis;
    for (;;) {
      const due = [...this.tasks.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.tasks.delete(due[0]);
      this.now = due[1].at;
      due[1].run();
      await settle();
    }
    this.now = until;
    await settle();
  }
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

function gate(options: { busy?: () => boolean; results?: Array<boolean | 'fail' | 'hold'> } = {}) {
  const clock = new Clock();
  const runs: number[] = [];
  const results = options.results ?? [];
  let release: (() => void) | null = null;
  const g = new RefreshGate({
    debounceMillis: 250,
    retryMillis: 150,
    failureMillis: 5000,
    busy: options.busy ?? (() => false),
    timers: clock,
    run: () => {
      runs.push(clock.now);
      const r = results.shift() ?? true;
      if (r === 'fail') return Promise.reject(new Error('unreachable'));
      if (r === 'hold') return new Promise<boolean>((resolve) => (release = () => resolve(true)));
      return Promise.resolve(r);
    },
  });
  return { g, clock, runs, release: () => release?.() };
}

describe('RefreshGate', () => {
  it('turns a burst of requests into one read after the debounce', async () => {
    const { g, clock, runs } = gate();
    g.request();
    await clock.advance(100);
    g.request();
    g.request();
    await clock.advance(1000);
    expect(runs).toEqual([250]);
    expect(g.active).toBe(false);
  });

  it('waits while busy and reads right after', async () => {
    let busy = true;
    const { g, clock, runs } = gate({ busy: () => busy });
    g.request();
    await clock.advance(1000);
    expect(runs).toEqual([]);
    expect(g.active).toBe(true);
    busy = false;
    await clock.advance(150);
    expect(runs).toHaveLength(1);
    expect(runs[0]!).toBeLessThanOrEqual(1150);
  });

  it('reads again when a result had to be dropped, and after a failure', async () => {
    const { g, clock, runs } = gate({ results: [false, 'fail', true] });
    g.request();
    await clock.advance(250);
    await clock.advance(150); // dropped → again after the retry delay
    expect(runs).toEqual([250, 400]);
    await clock.advance(4999);
    expect(runs).toHaveLength(2);
    await clock.advance(1); // failed → again after the failure delay
    expect(runs).toEqual([250, 400, 5400]);
    await clock.advance(10_000);
    expect(runs).toHaveLength(3);
  });

  it('reads once more when asked during a read', async () => {
    const { g, clock, runs, release } = gate({ results: ['hold', true] });
    g.request();
    await clock.advance(250);
    g.request(); // while the first read is under way
    await clock.advance(1000);
    expect(runs).toEqual([250]);
    release();
    await settle();
    await clock.advance(250);
    expect(runs).toEqual([250, 1500]);
  });

  it('does nothing after dispose', async () => {
    const { g, clock, runs } = gate();
    g.request();
    g.dispose();
    g.request();
    await clock.advance(1000);
    expect(runs).toEqual([]);
  });
});
