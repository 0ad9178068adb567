// The dashboard's charts as small inline SVG components (no chart library). Geometry comes from
// charts.ts; colours from styles.css classes (so both themes apply and the CSP needs no inline
// styles). Every chart is readable without seeing it: horizontal bars sit in lists whose rows carry
// their figures as text and an aria-label on the bar, and the line and column charts are a
// role="img" with a summary, a <title> tooltip per point, and a visually hidden data table.

import type { ComponentChildren, RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { bands, forecastParts, linePath, linearScale, percentOf, stack, valueAxis } from '../charts';

// ---- Measuring ----------------------------------------------------------------------------------

/** The width of the element `ref` points at, followed as it resizes (`fallback` until measured). */
export function useWidth<T extends Element>(fallback = 600): [RefObject<T>, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const measure = () => {
      const w = Math.floor(el.getBoundingClientRect().width);
      if (w > 0) setWidth((old) => (Math.abs(old - w) >= 1 ? w : old));
    };
    measure();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

// ---- Horizontal bars ----------------------------------------------------------------------------

export interface HBarProps {
  /** Bar length, 0..100 (% of the track). */
  value: number;
  /** A reference mark (previous period, expected by now), 0..100. */
  marker?: number | null;
  /** A whisker from `value` to this point (p90), 0..100. */
  whisker?: number | null;
  /** A dot (the mean), 0..100. */
  dot?: number | null;
  tone?: 'accent' | 'success' | 'warning' | 'danger' | 'muted';
  label: string;
  tooltip?: string;
}

/** One bar in a 100-wide track, stretched to its cell's width. */
export function HBar({ value, marker, whisker, dot, tone = 'accent', label, tooltip }: HBarProps) {
  const v = clamp(value);
  return (
    <svg class="hbar" viewBox="0 0 100 20" preserveAspectRatio="none" role="img" aria-label={label} focusable="false">
      <title>{tooltip ?? label}</title>
      <rect class="chart-track" x="0" y="3" width="100" height="14" rx="0" />
      <rect class={`chart-bar chart-bar-${tone}`} x="0" y="3" width={v} height="14" data-value={round1(v)} />
      {whisker !== undefined && whisker !== null && whisker > v && (
        <>
          <line class="chart-whisker" x1={v} x2={clamp(whisker)} y1="10" y2="10" vector-effect="non-scaling-stroke" />
          <line class="chart-whisker" x1={clamp(whisker)} x2={clamp(whisker)} y1="5" y2="15" vector-effect="non-scaling-stroke" />
        </>
      )}
      {dot !== undefined && dot !== null && <line class="chart-dot" x1={clamp(dot)} x2={clamp(dot)} y1="7" y2="13" vector-effect="non-scaling-stroke" />}
      {marker !== undefined && marker !== null && (
        <line class="chart-marker" x1={clamp(marker)} x2={clamp(marker)} y1="0" y2="20" vector-effect="non-scaling-stroke" data-marker={round1(clamp(marker))} />
      )}
    </svg>
  );
}

function clamp(v: number): number {
  return Number.isFinite(v) ? Math.min(100, Math.max(0, v)) : 0;
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}

export interface BarRow {
  key: string | number;
  label: string;
  bar: HBarProps;
  /** The figures beside the bar, as text. */
  figures: ComponentChildren;
}

/** Rows of label | bar | figures: the funnel, conversion, time in stage and quota charts. */
export function BarList({ rows, chart, legend }: { rows: readonly BarRow[]; chart: string; legend?: ComponentChildren }) {
  return (
    <div class="bar-chart" data-chart={chart}>
      <ul class="bar-list">
        {rows.map((r) => (
          <li key={r.key} class="bar-row" data-row={r.key}>
            <span class="bar-label">{r.label}</span>
            <span class="bar-cell">
              <HBar {...r.bar} />
            </span>
            <span class="bar-figures">{r.figures}</span>
          </li>
        ))}
      </ul>
      {legend && <div class="chart-legend">{legend}</div>}
    </div>
  );
}

/** A legend entry: a swatch of a chart class and its words. */
export function LegendItem({ kind, children }: { kind: string; children: ComponentChildren }) {
  return (
    <span class="legend-item">
      <svg class="legend-swatch" viewBox="0 0 14 14" aria-hidden="true" focusable="false">
        {kind === 'marker' ? (
          <line class="chart-marker" x1="7" x2="7" y1="0" y2="14" />
        ) : kind === 'whisker' ? (
          <line class="chart-whisker" x1="0" x2="14" y1="7" y2="7" />
        ) : kind === 'dot' ? (
          <line class="chart-dot" x1="7" x2="7" y1="3" y2="11" />
        ) : kind === 'velocity' ? (
          <line class="chart-velocity" x1="0" x2="14" y1="7" y2="7" />
        ) : kind === 'line' ? (
          <line class="chart-line" x1="0" x2="14" y1="7" y2="7" />
        ) : (
          <rect class={kind} x="1" y="1" width="12" height="12" rx="2" />
        )}
      </svg>
      {children}
    </span>
  );
}

// ---- Hidden data tables -------------------------------------------------------------------------

export interface DataTable {
  caption: string;
  columns: string[];
  rows: Array<{ key: string | number; cells: string[] }>;
}

/** The chart's numbers for screen readers (and anyone copying them). */
export function HiddenTable({ table }: { table: DataTable }) {
  // The wrapper clips: a table ignores the 1px width of .sr-only and would widen the page.
  return (
    <div class="sr-only">
    <table>
      <caption>{table.caption}</caption>
      <thead>
        <tr>
          {table.columns.map((c, i) => (
            <th key={i} scope="col">
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {table.rows.map((r) => (
          <tr key={r.key}>
            {r.cells.map((c, i) =>
              i === 0 ? (
                <th key={i} scope="row">
                  {c}
                </th>
              ) : (
                <td key={i}>{c}</td>
              ),
            )}
          </tr>
        ))}
      </tbody>
    </table>
    </div>
  );
}

// ---- Line chart ---------------------------------------------------------------------------------

export interface LinePoint {
  key: string;
  /** Axis label ("Nov"). */
  label: string;
  /** Tooltip heading ("November 2026"). */
  title: string;
  value: number | null;
}

const kLineHeight = 180;
const kMargin = { top: 12, right: 12, bottom: 26, left: 64 };

/**
 * A line over a series (a gap where a point is n/a), with a value axis from 0. `fixedMax` pins the
 * axis (1 for rates).
 */
export function LineChart({
  chart,
  title,
  points,
  format,
  axisFormat,
  fixedMax,
  table,
}: {
  chart: string;
  title: string;
  points: readonly LinePoint[];
  format: (v: number | null) => string;
  axisFormat: (v: number) => string;
  fixedMax?: number;
  table: DataTable;
}) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const axis = fixedMax ? valueAxis([fixedMax]) : valueAxis(points.map((p) => p.value));
  const plotWidth = Math.max(60, width - kMargin.left - kMargin.right);
  const plotHeight = kLineHeight - kMargin.top - kMargin.bottom;
  const band = bands(points.length, kMargin.left, plotWidth, 0);
  const y = linearScale(axis.max, kMargin.top + plotHeight, kMargin.top);
  const path = linePath(points.map((p, i) => ({ x: band.center(i), y: p.value === null ? null : y(Math.min(p.value, axis.max)) })));
  const labelEvery = band.step < 34 ? Math.ceil(34 / band.step) : 1;
  const known = points.filter((p) => p.value !== null);
  const last = known[known.length - 1];
  const summary = known.length
    ? `${title}: ${points.length} months; latest ${last!.title} ${format(last!.value)}.`
    : `${title}: no figures in these months.`;
  return (
    <div class="line-chart" ref={ref} data-chart={chart}>
      <svg width={width} height={kLineHeight} viewBox={`0 0 ${width} ${kLineHeight}`} role="img" aria-label={summary} focusable="false">
        <title>{summary}</title>
        {axis.ticks.map((t) => (
          <g key={t}>
            <line class="chart-grid" x1={kMargin.left} x2={kMargin.left + plotWidth} y1={y(t)} y2={y(t)} />
            <text class="chart-axis-label" x={kMargin.left - 6} y={y(t) + 4} text-anchor="end">
              {axisFormat(t)}
            </text>
          </g>
        ))}
        {points.map((p, i) =>
          i % labelEvery === 0 ? (
            <text key={p.key} class="chart-axis-label" x={band.center(i)} y={kLineHeight - 8} text-anchor="middle">
              {p.label}
            </text>
          ) : null,
        )}
        {path && <path class="chart-line" d={path} />}
        {points.map((p, i) =>
          p.value === null ? null : (
            <circle key={p.key} class="chart-point" cx={band.center(i)} cy={y(Math.min(p.value, axis.max))} r="3.5" data-value={p.value}>
              <title>{`${p.title}: ${format(p.value)}`}</title>
            </circle>
          ),
        )}
      </svg>
      <HiddenTable table={table} />
    </div>
  );
}

// ---- Forecast columns ---------------------------------------------------------------------------

export interface ForecastColumn {
  key: string;
  label: string;
  title: string;
  won: number;
  value: number;
  weighted: number;
  velocity: number | null;
}

const kColumnHeight = 220;

/**
 * Stacked columns per month: won so far, weighted open value, and the rest of the open value, with
 * the velocity forecast as a marker across the column.
 */
export function ForecastChart({ columns, money, table, summary }: { columns: readonly ForecastColumn[]; money: (minor: number) => string; table: DataTable; summary: string }) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const parts = columns.map((c) => forecastParts({ won_value_minor: c.won, value_minor: c.value, weighted_minor: c.weighted }));
  const axis = valueAxis([...parts.map((p) => p[0] + p[1] + p[2]), ...columns.map((c) => c.velocity)]);
  const margin = { ...kMargin, left: 72 };
  const plotWidth = Math.max(60, width - margin.left - margin.right);
  const plotHeight = kColumnHeight - margin.top - margin.bottom;
  const band = bands(columns.length, margin.left, plotWidth, 0.3);
  const y = linearScale(axis.max, margin.top + plotHeight, margin.top);
  const labelEvery = band.step < 40 ? Math.ceil(40 / band.step) : 1;
  const kinds = ['chart-won', 'chart-weighted', 'chart-unweighted'] as const;
  return (
    <div class="line-chart" ref={ref} data-chart="forecast">
      <svg width={width} height={kColumnHeight} viewBox={`0 0 ${width} ${kColumnHeight}`} role="img" aria-label={summary} focusable="false">
        <title>{summary}</title>
        {axis.ticks.map((t) => (
          <g key={t}>
            <line class="chart-grid" x1={margin.left} x2={margin.left + plotWidth} y1={y(t)} y2={y(t)} />
            <text class="chart-axis-label" x={margin.left - 6} y={y(t) + 4} text-anchor="end">
              {money(t)}
            </text>
          </g>
        ))}
        {columns.map((c, i) => {
          const segments = stack(parts[i]!);
          const tip = `${c.title}: won ${money(c.won)}; open ${money(c.value)}, weighted ${money(c.weighted)}; velocity forecast ${c.velocity === null ? 'n/a' : money(c.velocity)}`;
          return (
            <g key={c.key} data-month={c.key}>
              <title>{tip}</title>
              {segments.map((s, k) =>
                s.end > s.start ? (
                  <rect key={k} class={kinds[k]} x={band.x(i)} width={band.width} y={y(s.end)} height={Math.max(0, y(s.start) - y(s.end))} />
                ) : null,
              )}
              {c.velocity !== null && c.velocity > 0 && (
                <line class="chart-velocity" x1={band.x(i) - 4} x2={band.x(i) + band.width + 4} y1={y(Math.min(c.velocity, axis.max))} y2={y(Math.min(c.velocity, axis.max))} />
              )}
              {i % labelEvery === 0 && (
                <text class="chart-axis-label" x={band.center(i)} y={kColumnHeight - 8} text-anchor="middle">
                  {c.label}
                </text>
              )}
            </g>
          );
        })}
        <line class="chart-baseline" x1={margin.left} x2={margin.left + plotWidth} y1={y(0)} y2={y(0)} />
      </svg>
      <HiddenTable table={table} />
    </div>
  );
}

/** Bar length helper re-exported for the sections. */
export { percentOf };
