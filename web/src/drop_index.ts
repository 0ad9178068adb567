// Where a dragged card lands, and the `index` that POST /api/deals/{id}/move needs for it.
//
// The move route takes a 0-based index among the target stage's open deals in position order,
// not counting the moved deal itself (docs/api.md; the server clamps it). The board may show only
// some of those deals (a filter, or a column not fully loaded), so the UI names the landing spot by
// the card it follows and converts that to an index over the stage's full order.

import type { Id } from './api';

/**
 * The slot a card dropped at `pointerY` takes among the column's other cards, given the vertical
 * middle of each of them from top to bottom: the number of cards whose middle is above the pointer.
 */
export function dropIndex(middles: readonly number[], pointerY: number): number {
  let index = 0;
  while (index < middles.length && middles[index]! < pointerY) index++;
  return index;
}

/**
 * The id of the card that the moved card will follow when it takes slot `index` among `visibleIds`
 * (the column's cards as shown, the moved card left out); null for the top.
 */
export function followedCard(visibleIds: readonly Id[], movedId: Id, index: number): Id | null {
  const others = visibleIds.filter((id) => id !== movedId);
  if (index <= 0 || others.length === 0) return null;
  return others[Math.min(index, others.length) - 1]!;
}

/**
 * The move route's `index` for placing `movedId` right after `afterId` (null: first), given the
 * ids of the stage's open deals in position order (`orderedIds`, which may include the moved deal).
 * Returns null when `afterId` is not among them: the caller then has no position to name.
 */
export function moveIndexAfter(orderedIds: readonly Id[], movedId: Id, afterId: Id | null): number | null {
  if (afterId === null) return 0;
  const others = orderedIds.filter((id) => id !== movedId);
  const at = others.indexOf(afterId);
  return at < 0 ? null : at + 1;
}
