// Reordering lists in the settings (stages, lost reasons): where a dragged row lands, the list after
// a move, and which records need a new `order`.
//
// Stages and lost reasons set their order differently (docs/api.md and the server's behaviour):
// - a stage's PATCH `order` is its new 0-based place among the pipeline's stages; the server
//   renumbers the others (stageOrderForMove);
// - a lost reason's `order` is only a sort key that the server keeps as given (ties fall back to
//   the id), so a move renumbers the whole list 0..n-1 and every reason whose number changed is
//   patched (renumberedOrders).

import { dropIndex } from './drop_index';

/** `list` with the item at `from` moved to index `to` (both clamped to the list). */
export function moveItem<T>(list: readonly T[], from: number, to: number): T[] {
  const next = list.slice();
  if (from < 0 || from >= next.length) return next;
  const [item] = next.splice(from, 1);
  const at = Math.max(0, Math.min(to, next.length));
  next.splice(at, 0, item as T);
  return next;
}

/**
 * The index a dragged row takes, given the vertical middles of the other rows (top to bottom, the
 * dragged one left out) and the pointer's y: the number of rows whose middle is above it.
 */
export function dragSlot(otherMiddles: readonly number[], pointerY: number): number {
  return dropIndex(otherMiddles, pointerY);
}

/** The ids in order after moving `id` to index `to`; unchanged when `id` is not in the list. */
export function moveId<I>(ids: readonly I[], id: I, to: number): I[] {
  const from = ids.indexOf(id);
  return from < 0 ? ids.slice() : moveItem(ids, from, to);
}

/**
 * The stage PATCH for moving `id` from its place in `ids` (the pipeline's stages in order) to
 * index `to`: `{order: to}`, or null when nothing moves.
 */
export function stageOrderForMove<I>(ids: readonly I[], id: I, to: number): { order: number } | null {
  const from = ids.indexOf(id);
  if (from < 0) return null;
  const at = Math.max(0, Math.min(to, ids.length - 1));
  return at === from ? null : { order: at };
}

export interface Ordered<I> {
  id: I;
  order: number;
}

/**
 * The `order` every record needs so that `newIds` is the list's order, numbering 0..n-1; only the
 * records whose current order differs are returned (in the new order).
 */
export function renumberedOrders<I>(current: ReadonlyArray<Ordered<I>>, newIds: readonly I[]): Array<Ordered<I>> {
  const orders = new Map(current.map((r) => [r.id, r.order] as const));
  const changes: Array<Ordered<I>> = [];
  newIds.forEach((id, index) => {
    if (orders.get(id) !== index) changes.push({ id, order: index });
  });
  return changes;
}

/** Items sorted as the server lists them: by `order`, then by id. */
export function byOrder<T extends { id: number; order: number }>(items: readonly T[]): T[] {
  return items.slice().sort((a, b) => a.order - b.order || a.id - b.id);
}
