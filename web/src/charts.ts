// Chart geometry for the dashboard's inline SVG charts (components/charts.tsx): axis maxima and
// ticks on round numbers, bar lengths, bands for columns, line paths with gaps for n/a points and
// stacked segments. Pure numbers in, numbers and path strings out; nothing here knows the DOM.

const kNiceSteps = [1, 2, 2.5, 5, 10];

function finite(v: number | null | undefined): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** The smallest "nice" number (1, 2, 2.5 or 5 times a power of ten) ≥ `value`; 1 for ≤ 0. */
export function niceCeil(value: number): number {
  if (!finite(value) || value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of kNiceSteps) {
    const candidate = step * magnitude;
    // Guard against 0.30000000000000004-style noise.
    if (candidate >= value * (1 - 1e-12)) return candidate;
  }
  return 10 * magnitude;
}

export interface Axis {
  /** The top of the axis: a multiple of `step`, ≥ the largest value. */
  max: number;
  step: number;
  /** 0, step, 2·step, …, max. */
  ticks: number[];
}

/**
 * A value axis from 0 that fits `values` with about `count` intervals on round steps. Values that
 * are null, negative or not finite are ignored; with nothing positive the axis is 0..1.
 */
export function valueAxis(values: ReadonlyArray<number | null | undefined>, count = 4): Axis {
  const max = Math.max(0, ...values.filter(finite));
  if (max <= 0) return { max: 1, step: 0.25, ticks: [0, 0.25, 0.5, 0.75, 1] };
  const step = niceCeil(max / Math.max(1, count));
  const top = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0; i * step <= top + step * 1e-9; i++) ticks.push(round(i * step));
  return { max: round(top), step, ticks };
}

function round(v: number): number {
  return Math.round(v * 1e9) / 1e9;
}

/** `value` as a percentage of `max`, clamped to 0..100; 0 when max is not positive or value n/a. */
export function percentOf(value: number | null | undefined, max: number): number {
  if (!finite(value) || !finite(max) || max <= 0) return 0;
  return Math.min(100, Math.max(0, (value / max) * 100));
}

/** Maps [0, domainMax] onto [rangeStart, rangeEnd] (which may run backwards, as SVG y does). */
export function linearScale(domainMax: number, rangeStart: number, rangeEnd: number): (v: number) => number {
  const span = domainMax > 0 ? domainMax : 1;
  return (v) => rangeStart + ((rangeEnd - rangeStart) * v) / span;
}

export interface Band {
  /** Left edge of the i-th band. */
  x: (i: number) => number;
  /** Centre of the i-th band. */
  center: (i: number) => number;
  width: number;
  step: number;
}

/** `count` equal bands across [start, start + length], with `padding` (0..1) of each step empty. */
export function bands(count: number, start: number, length: number, padding = 0.25): Band {
  const n = Math.max(1, count);
  const step = length / n;
  const width = step * (1 - Math.min(0.9, Math.max(0, padding)));
  const offset = (step - width) / 2;
  return { x: (i) => start + i * step + offset, center: (i) => start + i * step + step / 2, width, step };
}

export interface Point {
  x: number;
  y: number | null;
}

function num(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/**
 * An SVG path through the points, broken where y is null (a month with no figure is a gap, not a
 * zero). A point on its own between gaps is left to the caller's dots. "" when nothing connects.
 */
export function linePath(points: readonly Point[]): string {
  const parts: string[] = [];
  let run: Array<{ x: number; y: number }> = [];
  const flush = () => {
    if (run.length >= 2) parts.push(run.map((p, i) => `${i === 0 ? 'M' : 'L'}${num(p.x)} ${num(p.y)}`).join(' '));
    run = [];
  };
  for (const p of points) {
    if (finite(p.y)) run.push({ x: p.x, y: p.y });
    else flush();
  }
  flush();
  return parts.join(' ');
}

export interface Segment {
  start: number;
  end: number;
}

/** Cumulative segments of non-negative parts (negative or n/a parts count as 0). */
export function stack(parts: ReadonlyArray<number | null | undefined>): Segment[] {
  let at = 0;
  return parts.map((p) => {
    const size = finite(p) && p > 0 ? p : 0;
    const seg = { start: at, end: at + size };
    at += size;
    return seg;
  });
}

/**
 * The three parts of a forecast column, bottom to top: won so far, the weighted open value, and
 * the rest of the open value (unweighted − weighted). Weighted is capped by the open value.
 */
export function forecastParts(m: { won_value_minor: number; value_minor: number; weighted_minor: number }): [number, number, number] {
  const won = Math.max(0, m.won_value_minor);
  const value = Math.max(0, m.value_minor);
  const weighted = Math.min(value, Math.max(0, m.weighted_minor));
  return [won, weighted, value - weighted];
}

/** Heat level 0..4 of `value` against the largest value (0 only for nothing). */
export function heatLevel(value: number, max: number): number {
  if (!finite(value) || value <= 0 || !finite(max) || max <= 0) return 0;
  return Math.min(4, Math.max(1, Math.ceil((value / max) * 4)));
}
