// What an open board does with live updates (live.ts), as pure functions and a small scheduler:
//
// - RefreshGate decides *when* to re-read: a burst of events becomes one read after a short
//   debounce; while the user drags a card, a local write is pending or a column is loading more,
//   the read waits and happens right after; a read whose result arrives after the board changed
//   locally is dropped and done again, so an optimistic move is never undone by an older read.
// - liveCardCount and mergeLiveBoard decide *what* the re-read shows: as many cards per column as
//   were loaded ("load more" pages stay, up to the board route's 100), the server's counts and
//   totals, and unchanged cards kept as the same objects so that they do not re-render.

import type { Board, BoardCard } from './api';
import { boardFromResponse, type BoardState } from './board_state';

/** The board route's largest `cards`. */
export const kMaxBoardCards = 100;

/** The `cards` to re-read the board with: what the longest column shows, within [first, 100]. */
export function liveCardCount(state: BoardState, first: number): number {
  let most = 0;
  for (const column of state.columns) most = Math.max(most, column.cards.length);
  return Math.max(first, Math.min(kMaxBoardCards, most));
}

function sameCard(a: BoardCard, b: BoardCard): boolean {
  const keys = Object.keys(b) as Array<keyof BoardCard>;
  if (Object.keys(a).length !== keys.length) return false;
  return keys.every((k) => a[k] === b[k]);
}

/**
 * The board after a re-read: the fresh board's stages, counts, totals and cards, each column
 * keeping as many cards as it showed (at least `first`), and cards that did not change kept as
 * the same objects. When the stages changed (added, removed, reordered) the fresh board is taken
 * as it is.
 */
export function mergeLiveBoard(state: BoardState, fresh: Board, first: number): BoardState {
  const next = boardFromResponse(fresh);
  const sameStages =
    fresh.pipeline.id === state.pipeline.id &&
    fresh.stages.length === state.columns.length &&
    fresh.stages.every((c, i) => c.stage.id === state.columns[i]!.stage.id);
  if (!sameStages) return next;
  const known = new Map<number, BoardCard>();
  for (const column of state.columns) for (const card of column.cards) known.set(card.id, card);
  return {
    pipeline: next.pipeline,
    columns: next.columns.map((column, i) => {
      const keep = Math.max(first, state.columns[i]!.cards.length);
      const cards = column.cards.slice(0, keep).map((card) => {
        const old = known.get(card.id);
        return old && sameCard(old, card) ? old : card;
      });
      return { ...column, cards, nextCursor: cards.length >= column.dealCount ? null : undefined };
    }),
  };
}

export interface GateTimers {
  setTimeout(run: () => void, millis: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface GateOptions {
  /** Events within this time become one read. */
  debounceMillis: number;
  /** How often to look again while busy, or after a dropped read. */
  retryMillis: number;
  /** After a failed read (server unreachable). */
  failureMillis: number;
  /** True while a read must wait: dragging, a pending write, a column loading. */
  busy: () => boolean;
  /** Reads and applies; resolves false when the result had to be dropped (to be read again). */
  run: () => Promise<boolean>;
  timers?: GateTimers;
}

const kTimers: GateTimers = {
  setTimeout: (run, millis) => globalThis.setTimeout(run, millis),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export class RefreshGate {
  private pending = false;
  private running = false;
  private disposed = false;
  private timer: unknown = null;
  private readonly timers: GateTimers;

  constructor(private readonly options: GateOptions) {
    this.timers = options.timers ?? kTimers;
  }

  /** Asks for a read: soon (debounced), or right after the board stops being busy. */
  request(): void {
    if (this.disposed) return;
    this.pending = true;
    if (this.timer === null && !this.running) this.schedule(this.options.debounceMillis);
  }

  /** True while a read is asked for, waiting or running. */
  get active(): boolean {
    return this.pending || this.running;
  }

  dispose(): void {
    this.disposed = true;
    this.pending = false;
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(millis: number): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    this.timer = this.timers.setTimeout(() => this.fire(), millis);
  }

  private fire(): void {
    this.timer = null;
    if (this.disposed || !this.pending || this.running) return;
    if (this.options.busy()) {
      this.schedule(this.options.retryMillis);
      return;
    }
    this.pending = false;
    this.running = true;
    this.options.run().then(
      (applied) => this.settle(applied ? null : this.options.retryMillis),
      () => this.settle(this.options.failureMillis),
    );
  }

  /** After a read: `again` is the delay before reading again, null when the read was applied. */
  private settle(again: number | null): void {
    this.running = false;
    if (this.disposed) return;
    if (again !== null) this.pending = true;
    if (this.pending) this.schedule(again ?? this.options.debounceMillis);
  }
}
