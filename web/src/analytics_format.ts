// Figures of the analytics reports for people: "n/a" for an undefined figure (null on the wire),
// rates as percentages, days, money from minor units, and a figure's change from the previous
// period as an arrow plus a percentage whose colour says whether the change is good news.

import type { Comparison, Figure, HeadlineFigures } from './analytics_api';
import { formatMoney } from './money';

export const kNotAvailable = 'n/a';

function finite(f: Figure | undefined): f is number {
  return typeof f === 'number' && Number.isFinite(f);
}

const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(maxDigits: number, minDigits = 0, signed = false): Intl.NumberFormat {
  const key = `${maxDigits}|${minDigits}|${signed}`;
  let f = numberFormats.get(key);
  if (!f) {
    f = new Intl.NumberFormat('en-US', {
      maximumFractionDigits: maxDigits,
      minimumFractionDigits: minDigits,
      ...(signed ? { signDisplay: 'exceptZero' as const } : {}),
    });
    numberFormats.set(key, f);
  }
  return f;
}

/** A count: 1234 → "1,234". */
export function formatCount(n: Figure): string {
  return finite(n) ? numberFormat(0).format(n) : kNotAvailable;
}

/** A number with up to `digits` decimals: 2.5 → "2.5", 3 → "3". */
export function formatNumber(n: Figure, digits = 1): string {
  return finite(n) ? numberFormat(digits).format(n) : kNotAvailable;
}

/** A 0..1 fraction as a percentage: 0.425 → "42.5%", 1 → "100%". */
export function formatRate(rate: Figure, digits = 1): string {
  return finite(rate) ? `${numberFormat(digits).format(rate * 100)}%` : kNotAvailable;
}

/** Days: 1 → "1 day", 12.34 → "12.3 days". */
export function formatDays(days: Figure, digits = 1): string {
  if (!finite(days)) return kNotAvailable;
  const text = numberFormat(digits).format(days);
  return `${text} ${text === '1' ? 'day' : 'days'}`;
}

/** A money figure in minor units (may be fractional, as averages are), rounded to the minor unit. */
export function formatMoneyFigure(minor: Figure, currency: string, compact = false): string {
  if (!finite(minor)) return kNotAvailable;
  return formatMoney(Math.round(minor), currency, compact ? { compact: true } : {});
}

/** Sales velocity: "$1,234.56/day". */
export function formatVelocity(perDay: Figure, currency: string, compact = false): string {
  const money = formatMoneyFigure(perDay, currency, compact);
  return money === kNotAvailable ? money : `${money}/day`;
}

/** A figure beside the previous period's, with the change (the same rules as core/metrics.h). */
export function compare(current: Figure, previous: Figure): Comparison {
  const change = finite(current) && finite(previous) ? current - previous : null;
  const changePercent = change !== null && finite(previous) && previous !== 0 ? (change / Math.abs(previous)) * 100 : null;
  return { current: finite(current) ? current : null, previous: finite(previous) ? previous : null, change, change_percent: changePercent };
}

/** A percentage change: 12.345 → "+12.3%", -3 → "−3%", 0 → "0%", null → "n/a". */
export function formatPercentChange(percent: Figure): string {
  if (!finite(percent)) return kNotAvailable;
  return `${numberFormat(1, 0, true).format(percent).replace('-', '−')}%`;
}

export type Direction = 'up' | 'down' | 'flat' | 'none';
export type Tone = 'good' | 'bad' | 'neutral';

export interface ChangeView {
  direction: Direction;
  /** "▲", "▼", "→", or "" when there is no change to show. */
  arrow: string;
  /** "+12.3%", "−4%", "0%" or "n/a". */
  text: string;
  tone: Tone;
  /** For a screen reader: "up 12.3% from the previous period". */
  label: string;
}

/**
 * How a figure moved: direction from the sign of the change, the percentage when the previous
 * figure is not zero or n/a, and the tone from `better` (cycle times are better when lower).
 */
export function changeView(c: Comparison, better: 'higher' | 'lower' = 'higher'): ChangeView {
  if (!finite(c.change)) return { direction: 'none', arrow: '', text: kNotAvailable, tone: 'neutral', label: 'change n/a' };
  const direction: Direction = c.change > 0 ? 'up' : c.change < 0 ? 'down' : 'flat';
  const arrow = direction === 'up' ? '▲' : direction === 'down' ? '▼' : '→';
  const text = formatPercentChange(c.change_percent);
  let tone: Tone = 'neutral';
  if (direction !== 'flat') tone = (direction === 'up') === (better === 'higher') ? 'good' : 'bad';
  const amount = text === kNotAvailable ? '' : ` ${text.replace(/^[+−]/, '')}`;
  const label =
    direction === 'flat'
      ? 'unchanged from the previous period'
      : text === kNotAvailable
        ? `${direction}; the previous period had none, so no percentage`
        : `${direction}${amount} from the previous period`;
  return { direction, arrow, text, tone, label };
}

export type TileKind = 'count' | 'money' | 'rate' | 'days' | 'velocity';

export interface TileSpec {
  key: string;
  label: string;
  kind: TileKind;
  better: 'higher' | 'lower';
  value: (h: HeadlineFigures) => Figure;
  help: string;
}

/** The dashboard's headline tiles, in order. */
export const kTiles: readonly TileSpec[] = [
  { key: 'new_deals', label: 'New deals', kind: 'count', better: 'higher', value: (h) => h.new_deals, help: 'Deals created in the period.' },
  { key: 'won_value', label: 'Won value', kind: 'money', better: 'higher', value: (h) => h.won_value_minor, help: 'Value of the deals won in the period.' },
  { key: 'win_rate', label: 'Win rate', kind: 'rate', better: 'higher', value: (h) => h.win_rate, help: 'Won ÷ (won + lost) among the deals closed in the period.' },
  { key: 'average_deal', label: 'Average deal size', kind: 'money', better: 'higher', value: (h) => h.average_deal_minor, help: 'Mean value of the deals won in the period.' },
  { key: 'cycle_mean', label: 'Sales cycle (mean)', kind: 'days', better: 'lower', value: (h) => h.cycle_mean_days, help: 'Days from creation to won, over the deals won in the period.' },
  { key: 'cycle_median', label: 'Sales cycle (median)', kind: 'days', better: 'lower', value: (h) => h.cycle_median_days, help: 'The middle of the same days.' },
  { key: 'lifetime', label: 'Deal lifetime', kind: 'days', better: 'lower', value: (h) => h.lifetime_mean_days, help: 'Mean days from creation to close, won or lost.' },
  { key: 'velocity', label: 'Velocity', kind: 'velocity', better: 'higher', value: (h) => h.velocity_per_day, help: 'Open deals × win rate × average deal size ÷ cycle days.' },
];

/** A tile's figure as text. */
export function formatTile(kind: TileKind, value: Figure, currency: string, compact = false): string {
  switch (kind) {
    case 'count':
      return formatCount(value);
    case 'money':
      return formatMoneyFigure(value, currency, compact);
    case 'rate':
      return formatRate(value);
    case 'days':
      return formatDays(value);
    case 'velocity':
      return formatVelocity(value, currency, compact);
  }
}

/** Names the velocity driver (core/metrics.h VelocityDriver) for people. */
export function driverLabel(driver: string | null | undefined): string | null {
  switch (driver) {
    case 'open_deals':
      return 'the number of open deals';
    case 'win_rate':
      return 'the win rate';
    case 'average_deal_size':
      return 'the average deal size';
    case 'cycle_days':
      return 'the sales cycle length';
    case null:
    case undefined:
    case '':
      return null;
    default:
      return driver;
  }
}
