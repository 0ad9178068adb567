// The board as the UI holds it, and the pure updates applied to it: optimistic moves, cards that
// leave (won/lost) or arrive (created), pages of cards loaded on demand, and fresh per-stage
// counts and totals from the server. Every function returns a new state and never mutates.
//
// Counts and totals after an optimistic update are estimates (the weighted value depends on
// whether the deal overrides its stage's probability, which a card does not say); the board page
// replaces them with the server's figures once its writes settle (withSummaries).

import type { Board, BoardCard, Id, MoneyTotal, Pipeline, Stage } from './api';

export interface Column {
  stage: Stage;
  /** Open deals of the stage after the filters, loaded or not. */
  dealCount: number;
  totals: MoneyTotal[];
  /** The loaded cards, in position order: always a prefix of the stage's filtered order. */
  cards: BoardCard[];
  /** Cursor of the next deals page; undefined before the first "load more", null at the end. */
  nextCursor: string | null | undefined;
  loading: boolean;
  loadError: string | null;
}

export interface BoardState {
  pipeline: Pipeline;
  columns: Column[];
}

export function boardFromResponse(board: Board): BoardState {
  return {
    pipeline: board.pipeline,
    columns: board.stages.map((c) => ({
      stage: c.stage,
      dealCount: c.deal_count,
      totals: c.totals,
      cards: c.cards,
      nextCursor: c.cards.length >= c.deal_count ? null : undefined,
      loading: false,
      loadError: null,
    })),
  };
}

/** True while the stage has open deals that are not loaded. */
export function hasMore(column: Column): boolean {
  return column.nextCursor !== null && column.cards.length < column.dealCount;
}

export interface CardLocation {
  column: number;
  index: number;
  card: BoardCard;
}

export function locateCard(state: BoardState, dealId: Id): CardLocation | null {
  for (let column = 0; column < state.columns.length; column++) {
    const index = state.columns[column]!.cards.findIndex((c) => c.id === dealId);
    if (index >= 0) return { column, index, card: state.columns[column]!.cards[index]! };
  }
  return null;
}

export function weightedMinor(valueMinor: number, probability: number): number {
  return Math.round((valueMinor * probability) / 100);
}

/** `totals` with one deal of `card` added (sign 1) or taken away (sign -1) at `probability`. */
export function adjustTotals(
  totals: readonly MoneyTotal[],
  card: Pick<BoardCard, 'currency' | 'value_minor'>,
  probability: number,
  sign: 1 | -1,
): MoneyTotal[] {
  const weighted = weightedMinor(card.value_minor, probability);
  const out: MoneyTotal[] = [];
  let found = false;
  for (const t of totals) {
    if (t.currency !== card.currency) {
      out.push(t);
      continue;
    }
    found = true;
    const next = {
      currency: t.currency,
      count: t.count + sign,
      value_minor: t.value_minor + sign * card.value_minor,
      weighted_minor: t.weighted_minor + sign * weighted,
    };
    if (next.count > 0) out.push(next);
  }
  if (!found && sign === 1) {
    out.push({ currency: card.currency, count: 1, value_minor: card.value_minor, weighted_minor: weighted });
  }
  return out;
}

function replaceColumn(state: BoardState, index: number, column: Column): BoardState {
  const columns = state.columns.slice();
  columns[index] = column;
  return { ...state, columns };
}

/**
 * The card's probability in `to` after a move from `from`: a card whose probability differs from
 * its stage's carries an override, which stays across moves; otherwise it follows the stage.
 */
export function probabilityAfterMove(card: BoardCard, from: Stage, to: Stage): number {
  return card.probability === from.probability ? to.probability : card.probability;
}

/**
 * Moves the card `dealId` to stage `toStageId` at slot `toIndex` among that column's loaded cards
 * without it (clamped). Unchanged when the card or the stage is not on the board.
 */
export function moveCard(state: BoardState, dealId: Id, toStageId: Id, toIndex: number): BoardState {
  const from = locateCard(state, dealId);
  const to = state.columns.findIndex((c) => c.stage.id === toStageId);
  if (!from || to < 0) return state;
  const source = state.columns[from.column]!;
  const target = state.columns[to]!;
  if (from.column === to) {
    const cards = source.cards.filter((c) => c.id !== dealId);
    const at = Math.max(0, Math.min(toIndex, cards.length));
    cards.splice(at, 0, from.card);
    return replaceColumn(state, to, { ...source, cards });
  }
  const probability = probabilityAfterMove(from.card, source.stage, target.stage);
  const moved: BoardCard = { ...from.card, probability };
  let next = replaceColumn(state, from.column, {
    ...source,
    cards: source.cards.filter((c) => c.id !== dealId),
    dealCount: Math.max(0, source.dealCount - 1),
    totals: adjustTotals(source.totals, from.card, from.card.probability, -1),
  });
  const cards = target.cards.slice();
  cards.splice(Math.max(0, Math.min(toIndex, cards.length)), 0, moved);
  next = replaceColumn(next, to, {
    ...target,
    cards,
    dealCount: target.dealCount + 1,
    totals: adjustTotals(target.totals, moved, probability, 1),
  });
  return next;
}

/** Takes the card off the board (won, lost, deleted), with its stage's count and totals. */
export function removeCard(state: BoardState, dealId: Id): BoardState {
  const at = locateCard(state, dealId);
  if (!at) return state;
  const column = state.columns[at.column]!;
  return replaceColumn(state, at.column, {
    ...column,
    cards: column.cards.filter((c) => c.id !== dealId),
    dealCount: Math.max(0, column.dealCount - 1),
    totals: adjustTotals(column.totals, at.card, at.card.probability, -1),
  });
}

/** Puts `card` (a deal that was not on the board) into stage `stageId` at slot `index`. */
export function insertCard(state: BoardState, stageId: Id, card: BoardCard, index = 0): BoardState {
  const to = state.columns.findIndex((c) => c.stage.id === stageId);
  if (to < 0 || locateCard(state, card.id)) return state;
  const column = state.columns[to]!;
  const cards = column.cards.slice();
  cards.splice(Math.max(0, Math.min(index, cards.length)), 0, card);
  return replaceColumn(state, to, {
    ...column,
    cards,
    dealCount: column.dealCount + 1,
    totals: adjustTotals(column.totals, card, card.probability, 1),
  });
}

/**
 * Drops the card from the loaded ones and keeps the counts: it is still in its stage, past the
 * loaded prefix (a move to the bottom of a column that is not fully loaded).
 */
export function unloadCard(state: BoardState, dealId: Id): BoardState {
  const at = locateCard(state, dealId);
  if (!at) return state;
  const column = state.columns[at.column]!;
  return replaceColumn(state, at.column, {
    ...column,
    cards: column.cards.filter((c) => c.id !== dealId),
    nextCursor: column.nextCursor ?? undefined,
  });
}

/** Replaces fields of the card `dealId` wherever it is (e.g. position and version after a move). */
export function updateCard(state: BoardState, dealId: Id, patch: Partial<BoardCard>): BoardState {
  const at = locateCard(state, dealId);
  if (!at) return state;
  const column = state.columns[at.column]!;
  const cards = column.cards.slice();
  cards[at.index] = { ...at.card, ...patch, id: dealId };
  return replaceColumn(state, at.column, { ...column, cards });
}

/** Sets the column's loading flag and error (null clears it). */
export function setColumnLoading(state: BoardState, stageId: Id, loading: boolean, loadError: string | null = null): BoardState {
  const at = state.columns.findIndex((c) => c.stage.id === stageId);
  if (at < 0) return state;
  return replaceColumn(state, at, { ...state.columns[at]!, loading, loadError });
}

/**
 * Appends a page of the stage's cards (in position order) after the loaded ones, skipping any
 * already on the board (pages are read from the start of the stage and may repeat them).
 */
export function appendCards(state: BoardState, stageId: Id, page: readonly BoardCard[], nextCursor: string | null): BoardState {
  const at = state.columns.findIndex((c) => c.stage.id === stageId);
  if (at < 0) return state;
  const column = state.columns[at]!;
  const onBoard = new Set<Id>();
  for (const c of state.columns) for (const card of c.cards) onBoard.add(card.id);
  const added = page.filter((card) => !onBoard.has(card.id));
  const cards = column.cards.concat(added);
  return replaceColumn(state, at, {
    ...column,
    cards,
    nextCursor: nextCursor === null || cards.length >= column.dealCount ? null : nextCursor,
    loading: false,
    loadError: null,
  });
}

/**
 * Takes the server's per-stage counts, totals and stage records from a fresh board and keeps the
 * loaded cards. When the stages themselves changed (added, removed, reordered) the fresh board
 * replaces the state.
 */
export function withSummaries(state: BoardState, fresh: Board): BoardState {
  const sameStages =
    fresh.pipeline.id === state.pipeline.id &&
    fresh.stages.length === state.columns.length &&
    fresh.stages.every((c, i) => c.stage.id === state.columns[i]!.stage.id);
  if (!sameStages) return boardFromResponse(fresh);
  return {
    pipeline: fresh.pipeline,
    columns: state.columns.map((column, i) => {
      const f = fresh.stages[i]!;
      return {
        ...column,
        stage: f.stage,
        dealCount: f.deal_count,
        totals: f.totals,
        nextCursor: column.cards.length >= f.deal_count ? null : column.nextCursor ?? undefined,
      };
    }),
  };
}
