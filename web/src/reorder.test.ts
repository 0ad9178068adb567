import { describe, expect, it } from 'vitest';
import { byOrder, dragSlot, moveId, moveItem, renumberedOrders, stageOrderForMove } from './reorder';

describe('moveItem', () => {
  const list = ['a', 'b', 'c', 'd'];
  it.each([
    [0, 2, ['b', 'c', 'a', 'd']],
    [3, 0, ['d', 'a', 'b', 'c']],
    [1, 1, ['a', 'b', 'c', 'd']],
    [0, 99, ['b', 'c', 'd', 'a']], // clamped to the end
    [2, -5, ['c', 'a', 'b', 'd']], // clamped to the start
    [9, 0, ['a', 'b', 'c', 'd']], // no such item
  ])('from %i to %i', (from, to, expected) => {
    expect(moveItem(list, from, to)).toEqual(expected);
  });
  it('does not change its input', () => {
    const input = [1, 2, 3];
    moveItem(input, 0, 2);
    expect(input).toEqual([1, 2, 3]);
  });
});

describe('dragSlot', () => {
  // Rows (the dragged one left out) with middles at 20, 60, 100.
  it.each([
    [0, 0],
    [25, 1],
    [61, 2],
    [200, 3],
  ])('pointer at %i → slot %i', (y, slot) => {
    expect(dragSlot([20, 60, 100], y)).toBe(slot);
  });
});

describe('moveId', () => {
  it('moves an id to an index among all', () => {
    expect(moveId([10, 11, 12, 13], 10, 2)).toEqual([11, 12, 10, 13]);
    expect(moveId([10, 11, 12, 13], 13, 0)).toEqual([13, 10, 11, 12]);
    expect(moveId([10, 11], 99, 0)).toEqual([10, 11]);
  });
});

describe('stageOrderForMove', () => {
  const ids = [5, 6, 7, 8];
  it("is the stage's new 0-based place", () => {
    expect(stageOrderForMove(ids, 5, 2)).toEqual({ order: 2 });
    expect(stageOrderForMove(ids, 8, 0)).toEqual({ order: 0 });
    expect(stageOrderForMove(ids, 6, 1)).toBeNull(); // no move
    expect(stageOrderForMove(ids, 6, 10)).toEqual({ order: 3 }); // clamped
    expect(stageOrderForMove(ids, 99, 1)).toBeNull();
  });
});

describe('renumberedOrders', () => {
  it('numbers the new order 0..n-1 and returns only the changes', () => {
    const current = [
      { id: 1, order: 0 },
      { id: 2, order: 1 },
      { id: 3, order: 2 },
      { id: 4, order: 3 },
    ];
    expect(renumberedOrders(current, [1, 3, 2, 4])).toEqual([
      { id: 3, order: 1 },
      { id: 2, order: 2 },
    ]);
    expect(renumberedOrders(current, [1, 2, 3, 4])).toEqual([]);
  });
  it('repairs gaps and ties the server kept', () => {
    // Two reasons share order 0 and one sits at 7.
    const current = [
      { id: 1, order: 0 },
      { id: 4, order: 0 },
      { id: 2, order: 7 },
    ];
    expect(renumberedOrders(current, [4, 1, 2])).toEqual([
      { id: 1, order: 1 },
      { id: 2, order: 2 },
    ]);
  });
});

describe('byOrder', () => {
  it('sorts by order, then id, as the server lists them', () => {
    const items = [
      { id: 4, order: 0 },
      { id: 2, order: 1 },
      { id: 1, order: 0 },
    ];
    expect(byOrder(items).map((x) => x.id)).toEqual([1, 4, 2]);
  });
});
