import { describe, expect, it } from 'vitest';
import { dropIndex, followedCard, moveIndexAfter } from './drop_index';

describe('dropIndex', () => {
  // Three cards whose middles are at 50, 150 and 250.
  const middles = [50, 150, 250];
  it.each([
    [0, 0],
    [49, 0],
    [50, 0], // on a middle: before that card
    [51, 1],
    [149, 1],
    [151, 2],
    [251, 3],
    [10_000, 3],
    [-10, 0],
  ])('pointer at %i → slot %i', (y, slot) => {
    expect(dropIndex(middles, y)).toBe(slot);
  });

  it('is 0 in an empty column', () => {
    expect(dropIndex([], 500)).toBe(0);
  });
});

describe('followedCard', () => {
  const ids = [10, 11, 12, 13];
  it.each([
    [10, 0, null],
    [10, 1, 11],
    [10, 2, 12],
    [10, 3, 13],
    [10, 9, 13], // past the end: after the last
    [12, 2, 11], // the moved card is not counted
    [99, 0, null],
    [99, 4, 13],
  ])('moving %i into slot %i follows %s', (moved, slot, expected) => {
    expect(followedCard(ids, moved, slot)).toBe(expected);
  });

  it('is null in an empty column', () => {
    expect(followedCard([], 1, 3)).toBeNull();
    expect(followedCard([5], 5, 1)).toBeNull();
  });
});

describe('moveIndexAfter', () => {
  // The stage's full order; the board may show only some of it (filters, paging).
  const order = [1, 2, 3, 4, 5, 6];
  it.each([
    [9, null, 0], // to the top
    [9, 1, 1],
    [9, 6, 6],
    [2, 4, 3], // the moved deal is in the stage and above: not counted
    [5, 4, 4], // the moved deal is below: positions above are unchanged
    [1, 1, null], // cannot follow itself
    [9, 42, null], // not in the stage
  ])('moving %i after %s → index %s', (moved, after, expected) => {
    expect(moveIndexAfter(order, moved, after)).toBe(expected);
  });

  it('matches the slot when the shown cards are the start of the order', () => {
    const shown = [1, 2, 3];
    for (let slot = 0; slot <= shown.length; slot++) {
      const after = followedCard(shown, 9, slot);
      expect(moveIndexAfter(order, 9, after)).toBe(slot);
    }
  });
});
