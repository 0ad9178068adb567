// The manager's view as values: the dashboard, the forecast, quota attainment, the planner, the
// health report and a rep's day plan. analytics/analytics.h computes them; the API and the CLI
// only render them.
//
// Money: every amount is in minor units of the report's `currency`, the workspace's default
// currency. Deals in other currencies still count in counts and rates but are left out of money
// figures; `other_currency_deals` says how many were left out, so a figure is never silently
// mixed across currencies.
//
// Scope: every report takes an AnalyticsScope. Deals are selected by their current pipeline,
// owner and the owner's team; time-bound figures by the period (UTC days, half-open).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/metrics.h"
#include "core/model.h"

namespace pipedeck {

// Names of the pipelines, stages, users and teams a report refers to, so that a renderer needs no
// further reads.
struct ReportNames {
  std::map<Id, std::string> pipelines, stages, users, teams;
};

struct AnalyticsScope {
  std::optional<Id> pipeline_id, owner_id, team_id;
  NamedPeriod period;  // the reporting period; its previous period is derived from it
};

// ---- Dashboard
// -----------------------------------------------------------------------------------

// Headline figures of one period (DESIGN §5 definitions):
//   new_deals / new_value: deals created in the period (count, Σ value).
//   won_deals / won_value, lost_deals: deals whose current status is won / lost and whose close
//     instant falls in the period (a reopened deal is not closed).
//   win_rate = won ÷ (won + lost).
//   average_deal_size = mean value of the won deals.
//   cycle_mean_days / cycle_median_days: days from creation to won, over the won deals.
//   lifetime_mean_days: days from creation to close, over won and lost deals.
//   open_deals: deals open at the end of the period (or now, for a period not over yet), from
//     the stage history.
//   velocity_per_day = open_deals × win_rate × average_deal_size ÷ cycle_mean_days (minor
//     units per day); velocity_month = velocity_per_day × days of the period's last month.
struct HeadlineFigures {
  int64_t new_deals = 0, won_deals = 0, lost_deals = 0, open_deals = 0;
  int64_t new_value_minor = 0, won_value_minor = 0;
  Figure win_rate, average_deal_minor, cycle_mean_days, cycle_median_days, lifetime_mean_days;
  Figure velocity_per_day;
};

// Open deals per stage now (not period-bound), weighted by the effective probability.
struct StageSnapshot {
  Id stage_id = 0, pipeline_id = 0;
  int64_t open_deals = 0;
  int64_t value_minor = 0, weighted_minor = 0;
  Figure share;  // of all open deals in the scope
};

// Stage-to-stage conversion from the history: of the deals that entered the stage in the period,
// those that afterwards reached any later stage of the same pipeline or were won (skipping a
// stage counts as passing it). A deal entering a stage twice in the period counts once, from its
// first entry. `rate` = advanced ÷ entered; previous_rate is the same for the previous period.
struct StageConversion {
  Id stage_id = 0, pipeline_id = 0;
  int64_t entered = 0, advanced = 0, lost = 0;  // lost: lost while in this stage afterwards
  Figure rate, previous_rate;
};

// Time in stage: the stays in the stage that ended in the period (left for another stage,
// won, lost or another pipeline), from the history, in days.
struct StageTime {
  Id stage_id = 0, pipeline_id = 0;
  Distribution days;
  Figure previous_median_days;
};

// The funnel of the deals created in the period: how many reached each stage (a deal that
// reached a later stage or was won counts as having passed the skipped ones), in stage order;
// `won` at the end.
struct FunnelStep {
  Id stage_id = 0, pipeline_id = 0;
  int64_t reached = 0;
  Figure share_of_created;  // reached ÷ deals created in the period
};

// Deals lost in the period by reason and by the stage they were lost in.
struct LostBreakdown {
  std::string reason;
  Id stage_id = 0;
  int64_t deals = 0, value_minor = 0;
};

// One rep's figures for the period, with last period's won value beside it.
struct LeaderboardRow {
  Id owner_id = 0;
  std::string name;
  int64_t new_deals = 0, won_deals = 0, lost_deals = 0, activities_done = 0;
  int64_t won_value_minor = 0, previous_won_value_minor = 0;
  int64_t open_deals = 0, open_value_minor = 0;  // now
  Figure win_rate, cycle_mean_days;
};

// One month of the trends chart.
struct TrendPoint {
  Date month;  // first day
  int64_t won_deals = 0, lost_deals = 0, won_value_minor = 0;
  Figure win_rate, velocity_per_day;
};

struct Dashboard {
  ReportNames names;
  std::string currency;
  int64_t other_currency_deals = 0;
  NamedPeriod period, previous_period;
  HeadlineFigures current, previous;
  std::vector<StageSnapshot> stages;        // stage order within pipeline order
  std::vector<StageConversion> conversion;  // every stage but each pipeline's last
  std::vector<StageTime> time_in_stage;
  std::vector<FunnelStep> funnel;
  int64_t funnel_created = 0, funnel_won = 0;
  std::vector<LostBreakdown> lost;          // by deals descending, then reason, stage
  std::vector<LeaderboardRow> leaderboard;  // by won value descending, then won deals, name
  std::vector<TrendPoint> trend;            // the 12 months ending with the period's last month
};

// ---- Forecast
// -------------------------------------------------------------------------------------

// Open deals by the month they are expected to close: Σ value and Σ value × effective probability
// (the deal's override, else its stage's), plus what was already won in that month and the
// velocity forecast (velocity × days in the month).
struct ForecastMonth {
  Date month;
  int64_t open_deals = 0, value_minor = 0, weighted_minor = 0;
  int64_t won_deals = 0, won_value_minor = 0;
  Figure velocity_forecast_minor;
};

// Open deals outside the months shown: expected before the first month (overdue) or undated.
struct ForecastBucket {
  int64_t open_deals = 0, value_minor = 0, weighted_minor = 0;
};

// The configured probability of a stage beside the historical one: of the closed deals (closed in
// the scope's period) that were ever in the stage, the share that was won.
struct StageProbability {
  Id stage_id = 0, pipeline_id = 0;
  int32_t configured = 0;
  int64_t closed_deals = 0, won_deals = 0;
  Figure historical;  // 0..1
};

// Forecast accuracy of a past month: the weighted forecast taken at its start vs what was won.
struct ForecastAccuracy {
  Date month;
  int64_t forecast_weighted_minor = 0, forecast_deals = 0;
  int64_t won_value_minor = 0, won_deals = 0;
  Figure accuracy;  // won ÷ forecast
};

struct Forecast {
  ReportNames names;
  std::string currency;
  int64_t other_currency_deals = 0;
  std::vector<ForecastMonth> months;  // from the current month on
  ForecastBucket overdue, undated;
  std::vector<StageProbability> probabilities;
  // Velocity of the scope's period and the previous one, with its factors and the factor that
  // moved it most (core/metrics.h VelocityDriver).
  VelocityFactors velocity_factors, previous_velocity_factors;
  Comparison velocity_per_day;
  std::optional<std::string> velocity_driver;
  std::vector<ForecastAccuracy> accuracy;  // past months with a snapshot, oldest first
};

// ---- Quotas and planner
// ---------------------------------------------------------------------------

// A quota in the period of its unit that contains the report day.
struct QuotaStatus {
  Quota quota;
  std::string subject_name;  // the rep's or team's name; "Company" for the company
  Period period;
  int64_t achieved = 0;          // in the quota's unit (minor units for won_value)
  Figure attainment;             // achieved ÷ target
  Figure expected_by_now;        // share of the period elapsed on the report day (0..1)
  int64_t open_value_minor = 0;  // won_value quotas: the subject's open pipeline in the quota
                                 // currency (its pipeline only when the quota names one)
  Figure coverage;               // open ÷ (target − achieved); n/a when met
};

// The planner with its inputs, saying which came from history.
struct PipelinePlan {
  std::string currency;
  PlannerInput input;
  bool average_from_history = false, close_rate_from_history = false, reps_from_workspace = false;
  PlannerResult result;
};

// What the caller may give the planner; the rest comes from the scope's history (average won
// deal size and win rate over the period) and the number of active reps.
struct PlannerRequest {
  int64_t target_minor = 0;
  std::optional<int64_t> average_deal_minor;
  std::optional<int32_t> close_rate_bp;
  std::optional<int32_t> reps;
};

// ---- Health
// -----------------------------------------------------------------------------------------

// A deal a flag points at, with the reason in words and numbers (days idle vs the limit, ...).
struct FlaggedDeal {
  Id deal_id = 0;
  std::string title;
  Id pipeline_id = 0, stage_id = 0, owner_id = 0;
  int64_t value_minor = 0;
  std::string currency;
  std::string reason;                // "no activity for 23 days; the stage allows 14"
  double measure = 0;                // the number the flag is about (23)
  double threshold = 0;              // the limit it crossed (14)
  std::optional<FlagSnooze> snooze;  // set in HealthFinding::snoozed
};

// One raised flag: per deal for rotting, stuck, overdue, no next activity and aged (one finding
// per flag listing its deals); per stage for stage overload; per rep for late-stage overload and
// unqualified effort; per quota for a thin pipeline.
struct HealthFinding {
  HealthFlag flag = HealthFlag::kRotting;
  std::string summary;  // "Proposal holds 42% of open deals; usually 18%"
  std::optional<Id> stage_id, owner_id, quota_id;
  double measure = 0, threshold = 0;
  int64_t deal_count = 0;            // deals the flag concerns (the list stops at 200, worst first)
  std::vector<FlaggedDeal> deals;    // those the flag lists, snoozed ones left out
  std::vector<FlaggedDeal> snoozed;  // those with a snooze in force for this flag
};

struct HealthReport {
  ReportNames names;
  Date day;
  HealthSettings settings;
  std::vector<HealthFinding> findings;  // in HealthFlag order, then by stage/owner
};

// ---- Day plan
// ---------------------------------------------------------------------------------------

// A rep's day: open activities overdue and due today, and open deals needing a next step (no
// planned activity), grouped by the stage of the deal they belong to (activities without a deal
// in a group with stage_id 0, first).
struct DayPlanGroup {
  Id stage_id = 0, pipeline_id = 0;
  std::vector<Activity> overdue, today;
  std::vector<Deal> needs_next_step;
};

struct DayPlan {
  ReportNames names;
  Id owner_id = 0;
  Date day;
  std::vector<DayPlanGroup> groups;  // stage 0 first, then pipeline order and stage order
};

}  // namespace pipedeck
