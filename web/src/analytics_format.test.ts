import { describe, expect, it } from 'vitest';
import {
  changeView,
  compare,
  driverLabel,
  formatCount,
  formatDays,
  formatMoneyFigure,
  formatPercentChange,
  formatRate,
  formatTile,
  formatVelocity,
  kTiles,
} from './analytics_format';
import type { HeadlineFigures } from './analytics_api';

describe('figures', () => {
  it('shows n/a for null and non-finite figures', () => {
    for (const f of [formatCount, formatRate, formatDays, formatPercentChange]) {
      expect(f(null)).toBe('n/a');
      expect(f(Number.NaN)).toBe('n/a');
    }
    expect(formatMoneyFigure(null, 'USD')).toBe('n/a');
    expect(formatVelocity(null, 'USD')).toBe('n/a');
  });

  it('formats counts, rates, days, money and velocity', () => {
    expect(formatCount(1234)).toBe('1,234');
    expect(formatRate(0.425)).toBe('42.5%');
    expect(formatRate(1)).toBe('100%');
    expect(formatRate(0)).toBe('0%');
    expect(formatDays(1)).toBe('1 day');
    expect(formatDays(12.34)).toBe('12.3 days');
    expect(formatDays(0)).toBe('0 days');
    expect(formatMoneyFigure(1234567.6, 'USD')).toBe('$12,345.68');
    expect(formatMoneyFigure(500000, 'JPY')).toBe('¥500,000');
    expect(formatVelocity(12345, 'USD')).toBe('$123.45/day');
    expect(formatMoneyFigure(123456789, 'USD', true)).toBe('$1.2M');
  });

  it('formats a percentage change with its sign', () => {
    expect(formatPercentChange(12.345)).toBe('+12.3%');
    expect(formatPercentChange(-3)).toBe('−3%');
    expect(formatPercentChange(0)).toBe('0%');
  });
});

describe('compare', () => {
  it('follows core/metrics.h Compare', () => {
    expect(compare(120, 100)).toEqual({ current: 120, previous: 100, change: 20, change_percent: 20 });
    expect(compare(-50, -100)).toEqual({ current: -50, previous: -100, change: 50, change_percent: 50 });
    expect(compare(5, 0)).toEqual({ current: 5, previous: 0, change: 5, change_percent: null });
    expect(compare(null, 3)).toEqual({ current: null, previous: 3, change: null, change_percent: null });
    expect(compare(3, null)).toEqual({ current: 3, previous: null, change: null, change_percent: null });
  });
});

describe('changeView', () => {
  it('points up or down with a tone by what is better', () => {
    expect(changeView(compare(120, 100))).toEqual({ direction: 'up', arrow: '▲', text: '+20%', tone: 'good', label: 'up 20% from the previous period' });
    expect(changeView(compare(80, 100))).toMatchObject({ direction: 'down', arrow: '▼', text: '−20%', tone: 'bad' });
    // Shorter cycles are better.
    expect(changeView(compare(10, 20), 'lower')).toMatchObject({ direction: 'down', tone: 'good', text: '−50%' });
    expect(changeView(compare(30, 20), 'lower')).toMatchObject({ direction: 'up', tone: 'bad' });
  });

  it('is flat for no change and n/a without a previous figure', () => {
    expect(changeView(compare(5, 5))).toMatchObject({ direction: 'flat', arrow: '→', text: '0%', tone: 'neutral', label: 'unchanged from the previous period' });
    expect(changeView(compare(5, null))).toEqual({ direction: 'none', arrow: '', text: 'n/a', tone: 'neutral', label: 'change n/a' });
    expect(changeView(compare(5, 0))).toMatchObject({ direction: 'up', arrow: '▲', text: 'n/a', tone: 'good' });
    expect(changeView(compare(5, 0)).label).toMatch(/no percentage/);
  });
});

describe('tiles', () => {
  const h: HeadlineFigures = {
    new_deals: 42,
    won_deals: 10,
    lost_deals: 5,
    open_deals: 80,
    new_value_minor: 9_000_000,
    won_value_minor: 2_500_000,
    win_rate: 10 / 15,
    average_deal_minor: 250_000,
    cycle_mean_days: 31.5,
    cycle_median_days: 28,
    lifetime_mean_days: null,
    velocity_per_day: 423_280.4,
  };

  it('lists the headline figures in order', () => {
    expect(kTiles.map((t) => t.label)).toEqual([
      'New deals',
      'Won value',
      'Win rate',
      'Average deal size',
      'Sales cycle (mean)',
      'Sales cycle (median)',
      'Deal lifetime',
      'Velocity',
    ]);
    expect(kTiles.map((t) => formatTile(t.kind, t.value(h), 'USD'))).toEqual([
      '42',
      '$25,000.00',
      '66.7%',
      '$2,500.00',
      '31.5 days',
      '28 days',
      'n/a',
      '$4,232.80/day',
    ]);
  });

  it('names velocity drivers', () => {
    expect(driverLabel('win_rate')).toBe('the win rate');
    expect(driverLabel(null)).toBeNull();
    expect(driverLabel('something_new')).toBe('something_new');
  });
});
