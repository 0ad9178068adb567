// The analytics routes as typed records and calls: the manager's dashboard, forecast, quotas,
// planner, pipeline health and a rep's day plan, plus the teams, quotas, health settings, snoozes
// and bulk cleanup they use. The shapes mirror src/analytics/reports.h and src/core/metrics.h:
// objects keyed by the structs' snake_case field names, figures (std::optional<double>) as number
// or null, dates "YYYY-MM-DD", money as integer minor units of the report's `currency`, win rates
// and shares as 0..1 fractions.
//
// The calls go through ApiClient.request, so every failure is an ApiError like everywhere else.

import type { Activity, ApiClient, DateString, Deal, Id, Instant, Page, Team } from './api';

/** A figure that may be undefined ("n/a" on screen). */
export type Figure = number | null;

export type PeriodUnit = 'day' | 'week' | 'month' | 'quarter' | 'year' | 'custom';

/** A half-open range of UTC days [from, to). */
export interface PeriodRange {
  from: DateString;
  to: DateString;
}

export interface NamedPeriod extends PeriodRange {
  label: string;
  unit: PeriodUnit;
}

/** Names by id (as a JSON object, so the keys are strings). */
export interface ReportNames {
  pipelines: Record<string, string>;
  stages: Record<string, string>;
  users: Record<string, string>;
  teams: Record<string, string>;
}

export interface Comparison {
  current: Figure;
  previous: Figure;
  change: Figure;
  change_percent: Figure;
}

export interface Distribution {
  count: number;
  mean: Figure;
  median: Figure;
  p75: Figure;
  p90: Figure;
}

// ---- Dashboard ----------------------------------------------------------------------------------

export interface HeadlineFigures {
  new_deals: number;
  won_deals: number;
  lost_deals: number;
  open_deals: number;
  new_value_minor: number;
  won_value_minor: number;
  win_rate: Figure;
  average_deal_minor: Figure;
  cycle_mean_days: Figure;
  cycle_median_days: Figure;
  lifetime_mean_days: Figure;
  velocity_per_day: Figure;
}

export interface StageSnapshot {
  stage_id: Id;
  pipeline_id: Id;
  open_deals: number;
  value_minor: number;
  weighted_minor: number;
  share: Figure;
}

export interface StageConversion {
  stage_id: Id;
  pipeline_id: Id;
  entered: number;
  advanced: number;
  lost: number;
  rate: Figure;
  previous_rate: Figure;
}

export interface StageTime {
  stage_id: Id;
  pipeline_id: Id;
  days: Distribution;
  previous_median_days: Figure;
}

export interface FunnelStep {
  stage_id: Id;
  pipeline_id: Id;
  reached: number;
  share_of_created: Figure;
}

export interface LostBreakdown {
  reason: string;
  stage_id: Id;
  deals: number;
  value_minor: number;
}

export interface LeaderboardRow {
  owner_id: Id;
  name: string;
  new_deals: number;
  won_deals: number;
  lost_deals: number;
  activities_done: number;
  won_value_minor: number;
  previous_won_value_minor: number;
  open_deals: number;
  open_value_minor: number;
  win_rate: Figure;
  cycle_mean_days: Figure;
}

export interface TrendPoint {
  month: DateString;
  won_deals: number;
  lost_deals: number;
  won_value_minor: number;
  win_rate: Figure;
  velocity_per_day: Figure;
}

export interface Dashboard {
  names: ReportNames;
  currency: string;
  other_currency_deals: number;
  period: NamedPeriod;
  previous_period: NamedPeriod;
  current: HeadlineFigures;
  previous: HeadlineFigures;
  stages: StageSnapshot[];
  conversion: StageConversion[];
  time_in_stage: StageTime[];
  funnel: FunnelStep[];
  funnel_created: number;
  funnel_won: number;
  lost: LostBreakdown[];
  leaderboard: LeaderboardRow[];
  trend: TrendPoint[];
}

// ---- Forecast -----------------------------------------------------------------------------------

export interface ForecastMonth {
  month: DateString;
  open_deals: number;
  value_minor: number;
  weighted_minor: number;
  won_deals: number;
  won_value_minor: number;
  velocity_forecast_minor: Figure;
}

export interface ForecastBucket {
  open_deals: number;
  value_minor: number;
  weighted_minor: number;
}

export interface StageProbability {
  stage_id: Id;
  pipeline_id: Id;
  /** Percent, 0..100. */
  configured: number;
  closed_deals: number;
  won_deals: number;
  /** 0..1. */
  historical: Figure;
}

export interface ForecastAccuracy {
  month: DateString;
  forecast_weighted_minor: number;
  forecast_deals: number;
  won_value_minor: number;
  won_deals: number;
  accuracy: Figure;
}

export interface VelocityFactors {
  open_deals: number;
  win_rate: Figure;
  average_deal_minor: Figure;
  cycle_days: Figure;
}

export interface Forecast {
  names: ReportNames;
  currency: string;
  other_currency_deals: number;
  months: ForecastMonth[];
  overdue: ForecastBucket;
  undated: ForecastBucket;
  probabilities: StageProbability[];
  velocity_factors: VelocityFactors;
  previous_velocity_factors: VelocityFactors;
  velocity_per_day: Comparison;
  velocity_driver: string | null;
  accuracy: ForecastAccuracy[];
}

// ---- Teams, quotas, planner ---------------------------------------------------------------------

export type { Team } from './api';

export type QuotaScope = 'user' | 'team' | 'company';
export type QuotaPeriod = 'week' | 'month' | 'quarter';
export type QuotaMetric = 'won_value' | 'deals_won' | 'activities_done';

export interface Quota {
  id: Id;
  scope: QuotaScope;
  user_id: Id | null;
  team_id: Id | null;
  period: QuotaPeriod;
  metric: QuotaMetric;
  /** Minor units for won_value, a count otherwise. */
  target: number;
  /** won_value only; "" or null otherwise. */
  currency: string | null;
  pipeline_id: Id | null;
  starts_on: DateString;
  ends_on: DateString | null;
  version: number;
  created_at: Instant;
  updated_at: Instant;
}

export interface QuotaInput {
  scope: QuotaScope;
  user_id?: Id;
  team_id?: Id;
  period: QuotaPeriod;
  metric: QuotaMetric;
  target: number;
  currency?: string;
  pipeline_id?: Id;
  starts_on: DateString;
  ends_on?: DateString;
}

export interface QuotaStatus {
  quota: Quota;
  subject_name: string;
  period: PeriodRange;
  achieved: number;
  attainment: Figure;
  expected_by_now: Figure;
  open_value_minor: number;
  coverage: Figure;
}

export interface PlannerInput {
  target_minor: number;
  average_deal_minor: number;
  close_rate_bp: number;
  reps: number;
}

export interface PlannerResult {
  deals_needed: number;
  leads_needed: number;
  leads_per_rep: number;
}

export interface PipelinePlan {
  currency: string;
  input: PlannerInput;
  average_from_history: boolean;
  close_rate_from_history: boolean;
  reps_from_workspace: boolean;
  result: PlannerResult;
}

/** What the planner is asked: the target is required, the rest falls back to history. */
export interface PlanRequest {
  target_minor: number;
  average_deal_minor?: number;
  /** Percent, 0 < x ≤ 100. */
  close_rate?: number;
  reps?: number;
}

// ---- Health -------------------------------------------------------------------------------------

export type HealthFlag =
  | 'rotting'
  | 'stuck'
  | 'overdue'
  | 'no_next_activity'
  | 'stage_overload'
  | 'late_stage_overload'
  | 'thin_pipeline'
  | 'unqualified_effort'
  | 'aged';

export const kHealthFlags: readonly HealthFlag[] = [
  'rotting',
  'stuck',
  'overdue',
  'no_next_activity',
  'stage_overload',
  'late_stage_overload',
  'thin_pipeline',
  'unqualified_effort',
  'aged',
];

export interface FlagSnooze {
  deal_id: Id;
  flag: HealthFlag;
  until: DateString;
  reason: string;
  user_id: Id;
  created_at: Instant;
}

export interface FlaggedDeal {
  deal_id: Id;
  title: string;
  pipeline_id: Id;
  stage_id: Id;
  owner_id: Id;
  value_minor: number;
  currency: string;
  reason: string;
  measure: number;
  threshold: number;
  snooze: FlagSnooze | null;
}

export interface HealthFinding {
  flag: HealthFlag;
  summary: string;
  stage_id: Id | null;
  owner_id: Id | null;
  quota_id: Id | null;
  measure: number;
  threshold: number;
  /** Deals the flag concerns; the lists stop at 200, worst first. */
  deal_count?: number;
  deals: FlaggedDeal[];
  snoozed: FlaggedDeal[];
}

export interface HealthSettings {
  stuck_percentile: number;
  stuck_min_samples: number;
  overload_factor: number;
  overload_min_deals: number;
  late_stage_limit: number;
  late_stage_ids: Id[];
  coverage_target: number;
  aged_percentile: number;
  unqualified_reasons: string[];
  lookback_days: number;
}

export interface HealthReport {
  names: ReportNames;
  day: DateString;
  settings: HealthSettings;
  findings: HealthFinding[];
}

export type BulkRequest =
  | { action: 'reassign'; deal_ids: Id[]; owner_id: Id }
  | { action: 'last_chance'; deal_ids: Id[]; due_date?: DateString; subject?: string }
  | { action: 'mark_lost'; deal_ids: Id[]; lost_reason?: string; lost_reason_id?: Id };

export interface SnoozeInput {
  flag: HealthFlag;
  until: DateString;
  reason: string;
}

// ---- Day plan -----------------------------------------------------------------------------------

export interface DayPlanGroup {
  /** null for the group of activities without a deal (listed first). */
  stage_id: Id | null;
  pipeline_id: Id | null;
  overdue: Activity[];
  today: Activity[];
  needs_next_step: Deal[];
}

export interface DayPlan {
  names: ReportNames;
  owner_id: Id;
  day: DateString;
  groups: DayPlanGroup[];
}

// ---- Scope and calls ----------------------------------------------------------------------------

/** Whose deals and which period a report covers; `to` is exclusive. */
export interface AnalyticsScope {
  pipeline_id?: Id | null;
  owner_id?: Id | null;
  team_id?: Id | null;
  /** "2026-11", "2026-Q4", "2026-W48", "2026", "2026-11-23"; ignored when from/to are set. */
  period?: string | null;
  from?: DateString | null;
  to?: DateString | null;
}

type Query = Record<string, string | number | null | undefined>;

export function queryString(query: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === '') continue;
    params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The query parameters of a scope: a custom from/to wins over a named period. */
export function scopeQuery(scope: AnalyticsScope): Query {
  const custom = Boolean(scope.from && scope.to);
  return {
    pipeline_id: scope.pipeline_id,
    owner_id: scope.owner_id,
    team_id: scope.team_id,
    period: custom ? null : scope.period,
    from: custom ? scope.from : null,
    to: custom ? scope.to : null,
  };
}

/** A list answer either as a bare array or as {items: [...]}. */
export function listOf<T>(value: unknown): T[] {
  if (Array.isArray(value)) return value as T[];
  if (value && typeof value === 'object' && Array.isArray((value as { items?: unknown }).items)) {
    return (value as { items: T[] }).items;
  }
  return [];
}

export class AnalyticsApi {
  constructor(private readonly api: ApiClient) {}

  dashboard(scope: AnalyticsScope): Promise<Dashboard> {
    return this.api.request('GET', `/api/analytics/dashboard${queryString(scopeQuery(scope))}`);
  }

  forecast(scope: AnalyticsScope, months: number): Promise<Forecast> {
    return this.api.request('GET', `/api/analytics/forecast${queryString({ ...scopeQuery(scope), months })}`);
  }

  async quotas(scope: AnalyticsScope, day?: DateString): Promise<QuotaStatus[]> {
    return listOf<QuotaStatus>(await this.api.request('GET', `/api/analytics/quotas${queryString({ ...scopeQuery(scope), day })}`));
  }

  plan(scope: AnalyticsScope, request: PlanRequest): Promise<PipelinePlan> {
    return this.api.request(
      'GET',
      `/api/analytics/plan${queryString({
        ...scopeQuery(scope),
        target_minor: request.target_minor,
        average_deal_minor: request.average_deal_minor,
        close_rate: request.close_rate,
        reps: request.reps,
      })}`,
    );
  }

  health(scope: AnalyticsScope): Promise<HealthReport> {
    return this.api.request('GET', `/api/analytics/health${queryString(scopeQuery(scope))}`);
  }

  dayPlan(ownerId: Id | null): Promise<DayPlan> {
    return this.api.request('GET', `/api/analytics/day-plan${queryString({ owner_id: ownerId })}`);
  }

  teams(): Promise<Page<Team>> {
    return this.api.request('GET', `/api/teams${queryString({ limit: 500, sort: 'name' })}`);
  }

  quotaList(): Promise<Page<Quota>> {
    return this.api.request('GET', `/api/quotas${queryString({ limit: 500 })}`);
  }

  createQuota(input: QuotaInput): Promise<Quota> {
    return this.api.request('POST', '/api/quotas', input);
  }

  deleteQuota(id: Id, version: number): Promise<unknown> {
    return this.api.request('DELETE', `/api/quotas/${id}`, undefined, { 'If-Match': `"${version}"` });
  }

  healthSettings(): Promise<HealthSettings> {
    return this.api.request('GET', '/api/health-settings');
  }

  updateHealthSettings(patch: Partial<HealthSettings>): Promise<HealthSettings> {
    return this.api.request('PATCH', '/api/health-settings', patch);
  }

  bulk(request: BulkRequest): Promise<unknown> {
    return this.api.request('POST', '/api/deals/bulk', request);
  }

  snooze(dealId: Id, input: SnoozeInput): Promise<FlagSnooze> {
    return this.api.request('POST', `/api/deals/${dealId}/snoozes`, input);
  }

  unsnooze(dealId: Id, flag: HealthFlag): Promise<unknown> {
    return this.api.request('DELETE', `/api/deals/${dealId}/snoozes${queryString({ flag })}`);
  }
}

/** A name from a report's names, or a fallback naming the id ("Stage #4"). */
export function nameOf(names: Record<string, string> | undefined, id: Id | null | undefined, noun: string): string {
  if (id === null || id === undefined || id === 0) return '';
  return names?.[String(id)] ?? `${noun} #${id}`;
}
