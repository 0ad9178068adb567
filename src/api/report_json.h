// The reports of analytics/reports.h as JSON: the bodies of GET /api/analytics/* and the output of
// `pipedeck report --format json`, which uses the same writers so that the CLI prints exactly what
// the API sends.
//
// Mapping: a report struct is an object whose keys are its snake_case field names, in declaration
// order. Figure → number or null ("n/a"); Date → "YYYY-MM-DD"; NamedPeriod → {label, unit, from,
// to} with `to` the day after the last (exclusive); Period → {from, to}; Comparison → {current,
// previous, change, change_percent}; Distribution → {count, mean, median, p75, p90}; ReportNames →
// {pipelines, stages, users, teams}, each {"<id>": "name"}; HealthFlag and the quota enums → their
// names; records (Quota, FlagSnooze, Activity, Deal) → their record JSON (json_mapping.h). Money
// stays in integer minor units of the report's `currency` (figures derived from money, like
// velocity, are numbers in minor units). The one id that may mean "none", a day plan group's
// stage (0: activities without a deal), is null then.
#pragma once

#include <string_view>
#include <vector>

#include "analytics/reports.h"
#include "api/json_mapping.h"
#include "api/object_writer.h"
#include "core/metrics.h"

namespace pipedeck {

// GET /api/analytics/quotas: the quotas that apply on `day`.
struct QuotaReport {
  Date day;
  std::vector<QuotaStatus> items;
};

void WriteJson(const Dashboard& d, const JsonOut& out, JsonText& w);
void WriteJson(const Forecast& f, const JsonOut& out, JsonText& w);
void WriteJson(const QuotaReport& q, const JsonOut& out, JsonText& w);
void WriteJson(const PipelinePlan& p, const JsonOut& out, JsonText& w);
void WriteJson(const HealthReport& h, const JsonOut& out, JsonText& w);
void WriteJson(const DayPlan& p, const JsonOut& out, JsonText& w);

// Parts of the reports, written inside them.
void WriteJson(const NamedPeriod& p, const JsonOut& out, JsonText& w);
void WriteJson(const Period& p, const JsonOut& out, JsonText& w);
void WriteJson(const Comparison& c, const JsonOut& out, JsonText& w);
void WriteJson(const Distribution& d, const JsonOut& out, JsonText& w);
void WriteJson(const ReportNames& n, const JsonOut& out, JsonText& w);
void WriteJson(const HeadlineFigures& h, const JsonOut& out, JsonText& w);
void WriteJson(const StageSnapshot& s, const JsonOut& out, JsonText& w);
void WriteJson(const StageConversion& s, const JsonOut& out, JsonText& w);
void WriteJson(const StageTime& s, const JsonOut& out, JsonText& w);
void WriteJson(const FunnelStep& s, const JsonOut& out, JsonText& w);
void WriteJson(const LostBreakdown& l, const JsonOut& out, JsonText& w);
void WriteJson(const LeaderboardRow& r, const JsonOut& out, JsonText& w);
void WriteJson(const TrendPoint& t, const JsonOut& out, JsonText& w);
void WriteJson(const ForecastMonth& m, const JsonOut& out, JsonText& w);
void WriteJson(const ForecastBucket& b, const JsonOut& out, JsonText& w);
void WriteJson(const StageProbability& p, const JsonOut& out, JsonText& w);
void WriteJson(const ForecastAccuracy& a, const JsonOut& out, JsonText& w);
void WriteJson(const VelocityFactors& f, const JsonOut& out, JsonText& w);
void WriteJson(const QuotaStatus& q, const JsonOut& out, JsonText& w);
void WriteJson(const PlannerInput& p, const JsonOut& out, JsonText& w);
void WriteJson(const PlannerResult& r, const JsonOut& out, JsonText& w);
void WriteJson(const FlaggedDeal& d, const JsonOut& out, JsonText& w);
void WriteJson(const HealthFinding& f, const JsonOut& out, JsonText& w);
void WriteJson(const DayPlanGroup& g, const JsonOut& out, JsonText& w);

// "day", "week", "month", "quarter", "year", "custom".
std::string_view PeriodUnitName(PeriodUnit u);

// ---- One part of the dashboard on its own (`pipedeck report win-rate`, ...) ---------------------

enum class DashboardPart {
  kHeadline,  // every headline figure
  kNewDeals,
  kDealSize,
  kCycle,
  kWinRate,
  kLifetime,
  kVelocity,
  kStages,
  kConversion,
  kTimeInStage,
  kFunnel,
  kLostReasons,
  kLeaderboard,
  kTrend,
};

// A headline figure (HeadlineFigures field name) of the period beside the previous period's.
struct HeadlineComparison {
  std::string_view key;
  Comparison value;
};
// The headline figures a part is about, in HeadlineFigures order; empty for the list parts
// (stages ... trend).
std::vector<HeadlineComparison> HeadlineComparisons(const Dashboard& d, DashboardPart part);

// The dashboard's JSON cut down to one part: "currency", "other_currency_deals", "period" and
// "previous_period", then either the part's headline figures as comparisons ({"win_rate":
// Comparison, ...}) or, for a list part, "names" and the dashboard's member(s) for it ("stages";
// "funnel" with "funnel_created" and "funnel_won"; ...).
void WriteDashboardPart(const Dashboard& d, DashboardPart part, const JsonOut& out, JsonText& w);

// The component schemas of the report bodies, for the OpenAPI document (json_mapping.h
// WireSchemas includes them).
std::vector<SchemaDoc> ReportSchemas();

}  // namespace pipedeck
