import { describe, expect, it } from 'vitest';
import { bands, forecastParts, heatLevel, linePath, linearScale, niceCeil, percentOf, stack, valueAxis } from './charts';

describe('niceCeil', () => {
  it.each([
    [0, 1],
    [-5, 1],
    [0.3, 0.5],
    [1, 1],
    [1.2, 2],
    [2.2, 2.5],
    [3, 5],
    [7, 10],
    [87, 100],
    [120, 200],
    [2400, 2500],
    [0.07, 0.1],
  ])('%d → %d', (v, expected) => {
    expect(niceCeil(v)).toBeCloseTo(expected, 12);
  });
});

describe('valueAxis', () => {
  it('puts round ticks from 0 above the largest value', () => {
    expect(valueAxis([10, 87, null, 42])).toEqual({ max: 100, step: 25, ticks: [0, 25, 50, 75, 100] });
    expect(valueAxis([1234])).toEqual({ max: 1500, step: 500, ticks: [0, 500, 1000, 1500] });
    expect(valueAxis([0.62])).toEqual({ max: 0.8, step: 0.2, ticks: [0, 0.2, 0.4, 0.6, 0.8] });
    expect(valueAxis([100])).toEqual({ max: 100, step: 25, ticks: [0, 25, 50, 75, 100] });
  });

  it('is 0..1 with nothing positive', () => {
    expect(valueAxis([])).toEqual({ max: 1, step: 0.25, ticks: [0, 0.25, 0.5, 0.75, 1] });
    expect(valueAxis([0, null, Number.NaN, -3]).max).toBe(1);
  });
});

describe('bars and scales', () => {
  it('percentOf clamps and survives n/a', () => {
    expect(percentOf(25, 100)).toBe(25);
    expect(percentOf(150, 100)).toBe(100);
    expect(percentOf(-1, 100)).toBe(0);
    expect(percentOf(null, 100)).toBe(0);
    expect(percentOf(5, 0)).toBe(0);
  });

  it('linearScale maps and may run backwards', () => {
    const y = linearScale(100, 200, 0);
    expect(y(0)).toBe(200);
    expect(y(50)).toBe(100);
    expect(y(100)).toBe(0);
    expect(linearScale(0, 0, 10)(0)).toBe(0);
  });

  it('bands split a length evenly with padding', () => {
    const b = bands(4, 40, 400, 0.5);
    expect(b.step).toBe(100);
    expect(b.width).toBe(50);
    expect(b.x(0)).toBe(65);
    expect(b.center(3)).toBe(390);
  });
});

describe('linePath', () => {
  it('draws a line and breaks it at n/a points', () => {
    expect(linePath([{ x: 0, y: 10 }, { x: 10, y: 20 }, { x: 20, y: 5.555 }])).toBe('M0 10 L10 20 L20 5.56');
    expect(linePath([{ x: 0, y: 1 }, { x: 1, y: 2 }, { x: 2, y: null }, { x: 3, y: 4 }, { x: 4, y: 5 }])).toBe('M0 1 L1 2 M3 4 L4 5');
    expect(linePath([{ x: 0, y: null }, { x: 1, y: 3 }, { x: 2, y: null }])).toBe('');
  });
});

describe('stacks', () => {
  it('stacks non-negative parts', () => {
    expect(stack([3, null, 2, -1, 4])).toEqual([
      { start: 0, end: 3 },
      { start: 3, end: 3 },
      { start: 3, end: 5 },
      { start: 5, end: 5 },
      { start: 5, end: 9 },
    ]);
  });

  it('splits a forecast month into won, weighted and the rest', () => {
    expect(forecastParts({ won_value_minor: 100, value_minor: 1000, weighted_minor: 400 })).toEqual([100, 400, 600]);
    expect(forecastParts({ won_value_minor: -5, value_minor: 100, weighted_minor: 150 })).toEqual([0, 100, 0]);
  });

  it('grades heat in four steps', () => {
    expect([0, 1, 3, 5, 8, 10].map((v) => heatLevel(v, 10))).toEqual([0, 1, 2, 2, 4, 4]);
    expect(heatLevel(3, 0)).toBe(0);
  });
});
