#include "api/report_json.h"

#include <string>

namespace pipedeck {
namespace {

void WriteNames(const std::map<Id, std::string>& names, JsonText& w) {
  w.BeginObject();
  for (const auto& [id, name] : names) w.Key(std::to_string(id)).String(name);
  w.EndObject();
}

// The headline figures, by HeadlineFigures field name, as figures to compare.
struct HeadlineField {
  std::string_view key;
  Figure (*get)(const HeadlineFigures&);
};

constexpr HeadlineField kHeadlineFields[] = {
    {"new_deals", [](const HeadlineFigures& h) -> Figure { return h.new_deals; }},
    {"won_deals", [](const HeadlineFigures& h) -> Figure { return h.won_deals; }},
    {"lost_deals", [](const HeadlineFigures& h) -> Figure { return h.lost_deals; }},
    {"open_deals", [](const HeadlineFigures& h) -> Figure { return h.open_deals; }},
    {"new_value_minor", [](const HeadlineFigures& h) -> Figure { return h.new_value_minor; }},
    {"won_value_minor", [](const HeadlineFigures& h) -> Figure { return h.won_value_minor; }},
    {"win_rate", [](const HeadlineFigures& h) { return h.win_rate; }},
    {"average_deal_minor", [](const HeadlineFigures& h) { return h.average_deal_minor; }},
    {"cycle_mean_days", [](const HeadlineFigures& h) { return h.cycle_mean_days; }},
    {"cycle_median_days", [](const HeadlineFigures& h) { return h.cycle_median_days; }},
    {"lifetime_mean_days", [](const HeadlineFigures& h) { return h.lifetime_mean_days; }},
    {"velocity_per_day", [](const HeadlineFigures& h) { return h.velocity_per_day; }},
};

// The headline figures each part is about; empty for the list parts.
std::vector<std::string_view> HeadlineKeys(DashboardPart part) {
  switch (part) {
    case DashboardPart::kHeadline: {
      std::vector<std::string_view> keys;
      for (const HeadlineField& f : kHeadlineFields) keys.push_back(f.key);
      return keys;
    }
    case DashboardPart::kNewDeals:
      return {"new_deals", "new_value_minor"};
    case DashboardPart::kDealSize:
      return {"won_deals", "average_deal_minor"};
    case DashboardPart::kCycle:
      return {"won_deals", "cycle_mean_days", "cycle_median_days"};
    case DashboardPart::kWinRate:
      return {"won_deals", "lost_deals", "win_rate"};
    case DashboardPart::kLifetime:
      return {"won_deals", "lost_deals", "lifetime_mean_days"};
    case DashboardPart::kVelocity:
      return {"open_deals", "win_rate", "average_deal_minor", "cycle_mean_days",
              "velocity_per_day"};
    case DashboardPart::kStages:
    case DashboardPart::kConversion:
    case DashboardPart::kTimeInStage:
    case DashboardPart::kFunnel:
    case DashboardPart::kLostReasons:
    case DashboardPart::kLeaderboard:
    case DashboardPart::kTrend:
      return {};
  }
  return {};
}

// The members every report about money starts with.
ObjectWriter& MoneyHeader(ObjectWriter& o, const std::string& currency, int64_t other_deals) {
  return o.Str("currency", currency).Int("other_currency_deals", other_deals);
}

}  // namespace

std::string_view PeriodUnitName(PeriodUnit u) {
  switch (u) {
    case PeriodUnit::kDay:
      return "day";
    case PeriodUnit::kWeek:
      return "week";
    case PeriodUnit::kMonth:
      return "month";
    case PeriodUnit::kQuarter:
      return "quarter";
    case PeriodUnit::kYear:
      return "year";
    case PeriodUnit::kCustom:
      return "custom";
  }
  return "custom";
}

// ---- Parts
// ---------------------------------------------------------------------------------------

void WriteJson(const NamedPeriod& p, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Str("label", PeriodLabel(p))
      .Str("unit", PeriodUnitName(p.unit))
      .Date("from", p.period.from)
      .Date("to", p.period.to)
      .Done();
}

void WriteJson(const Period& p, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w).Date("from", p.from).Date("to", p.to).Done();
}

void WriteJson(const Comparison& c, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Num("current", c.current)
      .Num("previous", c.previous)
      .Num("change", c.change)
      .Num("change_percent", c.change_percent)
      .Done();
}

void WriteJson(const Distribution& d, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("count", d.count)
      .Num("mean", d.mean)
      .Num("median", d.median)
      .Num("p75", d.p75)
      .Num("p90", d.p90)
      .Done();
}

void WriteJson(const ReportNames& n, const JsonOut&, JsonText& w) {
  w.BeginObject();
  w.Key("pipelines");
  WriteNames(n.pipelines, w);
  w.Key("stages");
  WriteNames(n.stages, w);
  w.Key("users");
  WriteNames(n.users, w);
  w.Key("teams");
  WriteNames(n.teams, w);
  w.EndObject();
}

void WriteJson(const HeadlineFigures& h, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("new_deals", h.new_deals)
      .Int("won_deals", h.won_deals)
      .Int("lost_deals", h.lost_deals)
      .Int("open_deals", h.open_deals)
      .Int("new_value_minor", h.new_value_minor)
      .Int("won_value_minor", h.won_value_minor)
      .Num("win_rate", h.win_rate)
      .Num("average_deal_minor", h.average_deal_minor)
      .Num("cycle_mean_days", h.cycle_mean_days)
      .Num("cycle_median_days", h.cycle_median_days)
      .Num("lifetime_mean_days", h.lifetime_mean_days)
      .Num("velocity_per_day", h.velocity_per_day)
      .Done();
}

void WriteJson(const StageSnapshot& s, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("stage_id", s.stage_id)
      .Int("pipeline_id", s.pipeline_id)
      .Int("open_deals", s.open_deals)
      .Int("value_minor", s.value_minor)
      .Int("weighted_minor", s.weighted_minor)
      .Num("share", s.share)
      .Done();
}

void WriteJson(const StageConversion& s, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("stage_id", s.stage_id)
      .Int("pipeline_id", s.pipeline_id)
      .Int("entered", s.entered)
      .Int("advanced", s.advanced)
      .Int("lost", s.lost)
      .Num("rate", s.rate)
      .Num("previous_rate", s.previous_rate)
      .Done();
}

void WriteJson(const StageTime& s, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("stage_id", s.stage_id)
      .Int("pipeline_id", s.pipeline_id)
      .Record("days", s.days)
      .Num("previous_median_days", s.previous_median_days)
      .Done();
}

void WriteJson(const FunnelStep& s, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("stage_id", s.stage_id)
      .Int("pipeline_id", s.pipeline_id)
      .Int("reached", s.reached)
      .Num("share_of_created", s.share_of_created)
      .Done();
}

void WriteJson(const LostBreakdown& l, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Str("reason", l.reason)
      .Int("stage_id", l.stage_id)
      .Int("deals", l.deals)
      .Int("value_minor", l.value_minor)
      .Done();
}

void WriteJson(const LeaderboardRow& r, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("owner_id", r.owner_id)
      .Str("name", r.name)
      .Int("new_deals", r.new_deals)
      .Int("won_deals", r.won_deals)
      .Int("lost_deals", r.lost_deals)
      .Int("activities_done", r.activities_done)
      .Int("won_value_minor", r.won_value_minor)
      .Int("previous_won_value_minor", r.previous_won_value_minor)
      .Int("open_deals", r.open_deals)
      .Int("open_value_minor", r.open_value_minor)
      .Num("win_rate", r.win_rate)
      .Num("cycle_mean_days", r.cycle_mean_days)
      .Done();
}

void WriteJson(const TrendPoint& t, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Date("month", t.month)
      .Int("won_deals", t.won_deals)
      .Int("lost_deals", t.lost_deals)
      .Int("won_value_minor", t.won_value_minor)
      .Num("win_rate", t.win_rate)
      .Num("velocity_per_day", t.velocity_per_day)
      .Done();
}

void WriteJson(const ForecastMonth& m, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Date("month", m.month)
      .Int("open_deals", m.open_deals)
      .Int("value_minor", m.value_minor)
      .Int("weighted_minor", m.weighted_minor)
      .Int("won_deals", m.won_deals)
      .Int("won_value_minor", m.won_value_minor)
      .Num("velocity_forecast_minor", m.velocity_forecast_minor)
      .Done();
}

void WriteJson(const ForecastBucket& b, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("open_deals", b.open_deals)
      .Int("value_minor", b.value_minor)
      .Int("weighted_minor", b.weighted_minor)
      .Done();
}

void WriteJson(const StageProbability& p, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("stage_id", p.stage_id)
      .Int("pipeline_id", p.pipeline_id)
      .Int("configured", p.configured)
      .Int("closed_deals", p.closed_deals)
      .Int("won_deals", p.won_deals)
      .Num("historical", p.historical)
      .Done();
}

void WriteJson(const ForecastAccuracy& a, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Date("month", a.month)
      .Int("forecast_weighted_minor", a.forecast_weighted_minor)
      .Int("forecast_deals", a.forecast_deals)
      .Int("won_value_minor", a.won_value_minor)
      .Int("won_deals", a.won_deals)
      .Num("accuracy", a.accuracy)
      .Done();
}

void WriteJson(const VelocityFactors& f, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Num("open_deals", f.open_deals)
      .Num("win_rate", f.win_rate)
      .Num("average_deal_minor", f.average_deal_minor)
      .Num("cycle_days", f.cycle_days)
      .Done();
}

void WriteJson(const QuotaStatus& q, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Record("quota", q.quota)
      .Str("subject_name", q.subject_name)
      .Record("period", q.period)
      .Int("achieved", q.achieved)
      .Num("attainment", q.attainment)
      .Num("expected_by_now", q.expected_by_now)
      .Int("open_value_minor", q.open_value_minor)
      .Num("coverage", q.coverage)
      .Done();
}

void WriteJson(const PlannerInput& p, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("target_minor", p.target_minor)
      .Int("average_deal_minor", p.average_deal_minor)
      .Int("close_rate_bp", p.close_rate_bp)
      .Int("reps", p.reps)
      .Done();
}

void WriteJson(const PlannerResult& r, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("deals_needed", r.deals_needed)
      .Int("leads_needed", r.leads_needed)
      .Int("leads_per_rep", r.leads_per_rep)
      .Done();
}

void WriteJson(const FlaggedDeal& d, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("deal_id", d.deal_id)
      .Str("title", d.title)
      .Int("pipeline_id", d.pipeline_id)
      .Int("stage_id", d.stage_id)
      .Int("owner_id", d.owner_id)
      .Int("value_minor", d.value_minor)
      .Str("currency", d.currency)
      .Str("reason", d.reason)
      .Num("measure", d.measure)
      .Num("threshold", d.threshold)
      .Record("snooze", d.snooze)
      .Done();
}

void WriteJson(const HealthFinding& f, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Str("flag", HealthFlagName(f.flag))
      .Str("summary", f.summary)
      .Int("stage_id", f.stage_id)
      .Int("owner_id", f.owner_id)
      .Int("quota_id", f.quota_id)
      .Num("measure", f.measure)
      .Num("threshold", f.threshold)
      .Int("deal_count", f.deal_count)
      .Array("deals", f.deals)
      .Array("snoozed", f.snoozed)
      .Done();
}

void WriteJson(const DayPlanGroup& g, const JsonOut& out, JsonText& w) {
  auto id_or_null = [](Id id) { return id == 0 ? std::nullopt : std::optional<Id>(id); };
  ObjectWriter(out, w)
      .Int("stage_id", id_or_null(g.stage_id))
      .Int("pipeline_id", id_or_null(g.pipeline_id))
      .Array("overdue", g.overdue)
      .Array("today", g.today)
      .Array("needs_next_step", g.needs_next_step)
      .Done();
}

// ---- Reports
// -------------------------------------------------------------------------------------

void WriteJson(const Dashboard& d, const JsonOut& out, JsonText& w) {
  ObjectWriter o(out, w);
  o.Record("names", d.names);
  MoneyHeader(o, d.currency, d.other_currency_deals)
      .Record("period", d.period)
      .Record("previous_period", d.previous_period)
      .Record("current", d.current)
      .Record("previous", d.previous)
      .Array("stages", d.stages)
      .Array("conversion", d.conversion)
      .Array("time_in_stage", d.time_in_stage)
      .Array("funnel", d.funnel)
      .Int("funnel_created", d.funnel_created)
      .Int("funnel_won", d.funnel_won)
      .Array("lost", d.lost)
      .Array("leaderboard", d.leaderboard)
      .Array("trend", d.trend)
      .Done();
}

void WriteJson(const Forecast& f, const JsonOut& out, JsonText& w) {
  ObjectWriter o(out, w);
  o.Record("names", f.names);
  MoneyHeader(o, f.currency, f.other_currency_deals)
      .Array("months", f.months)
      .Record("overdue", f.overdue)
      .Record("undated", f.undated)
      .Array("probabilities", f.probabilities)
      .Record("velocity_factors", f.velocity_factors)
      .Record("previous_velocity_factors", f.previous_velocity_factors)
      .Record("velocity_per_day", f.velocity_per_day)
      .OptionalStr("velocity_driver", f.velocity_driver)
      .Array("accuracy", f.accuracy)
      .Done();
}

void WriteJson(const QuotaReport& q, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w).Date("day", q.day).Array("items", q.items).Done();
}

void WriteJson(const PipelinePlan& p, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Str("currency", p.currency)
      .Record("input", p.input)
      .Bool("average_from_history", p.average_from_history)
      .Bool("close_rate_from_history", p.close_rate_from_history)
      .Bool("reps_from_workspace", p.reps_from_workspace)
      .Record("result", p.result)
      .Done();
}

void WriteJson(const HealthReport& h, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Record("names", h.names)
      .Date("day", h.day)
      .Record("settings", h.settings)
      .Array("findings", h.findings)
      .Done();
}

void WriteJson(const DayPlan& p, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Record("names", p.names)
      .Int("owner_id", p.owner_id)
      .Date("day", p.day)
      .Array("groups", p.groups)
      .Done();
}

// ---- Dashboard parts
// -----------------------------------------------------------------------------

std::vector<HeadlineComparison> HeadlineComparisons(const Dashboard& d, DashboardPart part) {
  std::vector<HeadlineComparison> comparisons;
  for (std::string_view key : HeadlineKeys(part)) {
    for (const HeadlineField& f : kHeadlineFields) {
      if (f.key == key) comparisons.push_back({key, Compare(f.get(d.current), f.get(d.previous))});
    }
  }
  return comparisons;
}

void WriteDashboardPart(const Dashboard& d, DashboardPart part, const JsonOut& out, JsonText& w) {
  ObjectWriter o(out, w);
  MoneyHeader(o, d.currency, d.other_currency_deals)
      .Record("period", d.period)
      .Record("previous_period", d.previous_period);
  const std::vector<HeadlineComparison> headline = HeadlineComparisons(d, part);
  if (!headline.empty()) {
    for (const HeadlineComparison& c : headline) o.Record(c.key, c.value);
    return o.Done();
  }
  o.Record("names", d.names);
  switch (part) {
    case DashboardPart::kStages:
      o.Array("stages", d.stages);
      break;
    case DashboardPart::kConversion:
      o.Array("conversion", d.conversion);
      break;
    case DashboardPart::kTimeInStage:
      o.Array("time_in_stage", d.time_in_stage);
      break;
    case DashboardPart::kFunnel:
      o.Array("funnel", d.funnel).Int("funnel_created", d.funnel_created);
      o.Int("funnel_won", d.funnel_won);
      break;
    case DashboardPart::kLostReasons:
      o.Array("lost", d.lost);
      break;
    case DashboardPart::kLeaderboard:
      o.Array("leaderboard", d.leaderboard);
      break;
    case DashboardPart::kTrend:
      o.Array("trend", d.trend);
      break;
    default:
      break;
  }
  o.Done();
}

// ---- Schemas
// -------------------------------------------------------------------------------------

std::vector<SchemaDoc> ReportSchemas() {
  const unsigned ro = kReadOnly;
  const unsigned rn = kReadOnly | kNullable;  // figures: null when n/a
  const WireField names{"names", WireType::kObject, ro, "ReportNames"};
  const WireField currency{"currency", WireType::kString, ro};
  const WireField other_currency{"other_currency_deals", WireType::kInt64, ro};
  const WireField stage_id{"stage_id", WireType::kId, ro};
  const WireField pipeline_id{"pipeline_id", WireType::kId, ro};
  return {
      {"NamedPeriod",
       "A report period: `label` as in the `period` parameter (a custom one shows its inclusive "
       "range), `from` its first day, `to` the day after its last.",
       {{"label", WireType::kString, ro},
        {"unit", WireType::kEnum, ro, "day|week|month|quarter|year|custom"},
        {"from", WireType::kDate, ro},
        {"to", WireType::kDate, ro}}},
      {"Period",
       "Days [from, to): `to` is the day after the last.",
       {{"from", WireType::kDate, ro}, {"to", WireType::kDate, ro}}},
      {"Comparison",
       "A figure beside the previous period's; change_percent is change ÷ |previous| × 100.",
       {{"current", WireType::kNumber, rn},
        {"previous", WireType::kNumber, rn},
        {"change", WireType::kNumber, rn},
        {"change_percent", WireType::kNumber, rn}}},
      {"Distribution",
       "count, mean, median and percentiles (PERCENTILE.INC) of some values.",
       {{"count", WireType::kInt64, ro},
        {"mean", WireType::kNumber, rn},
        {"median", WireType::kNumber, rn},
        {"p75", WireType::kNumber, rn},
        {"p90", WireType::kNumber, rn}}},
      {"ReportNames",
       "Names of the records a report refers to, by id.",
       {{"pipelines", WireType::kNameMap, ro},
        {"stages", WireType::kNameMap, ro},
        {"users", WireType::kNameMap, ro},
        {"teams", WireType::kNameMap, ro}}},
      {"HeadlineFigures",
       "The headline figures of one period (docs/api.md gives the definitions).",
       {{"new_deals", WireType::kInt64, ro},
        {"won_deals", WireType::kInt64, ro},
        {"lost_deals", WireType::kInt64, ro},
        {"open_deals", WireType::kInt64, ro},
        {"new_value_minor", WireType::kInt64, ro},
        {"won_value_minor", WireType::kInt64, ro},
        {"win_rate", WireType::kNumber, rn},
        {"average_deal_minor", WireType::kNumber, rn},
        {"cycle_mean_days", WireType::kNumber, rn},
        {"cycle_median_days", WireType::kNumber, rn},
        {"lifetime_mean_days", WireType::kNumber, rn},
        {"velocity_per_day", WireType::kNumber, rn}}},
      {"StageSnapshot",
       "Open deals in a stage now; `share` of all open deals in the scope.",
       {stage_id,
        pipeline_id,
        {"open_deals", WireType::kInt64, ro},
        {"value_minor", WireType::kInt64, ro},
        {"weighted_minor", WireType::kInt64, ro},
        {"share", WireType::kNumber, rn}}},
      {"StageConversion",
       "Of the deals that entered the stage in the period, those that reached a later stage or "
       "were won (`advanced`) or were lost from it.",
       {stage_id,
        pipeline_id,
        {"entered", WireType::kInt64, ro},
        {"advanced", WireType::kInt64, ro},
        {"lost", WireType::kInt64, ro},
        {"rate", WireType::kNumber, rn},
        {"previous_rate", WireType::kNumber, rn}}},
      {"StageTime",
       "Days of the stays in the stage that ended in the period.",
       {stage_id,
        pipeline_id,
        {"days", WireType::kObject, ro, "Distribution"},
        {"previous_median_days", WireType::kNumber, rn}}},
      {"FunnelStep",
       "How many of the deals created in the period reached the stage.",
       {stage_id,
        pipeline_id,
        {"reached", WireType::kInt64, ro},
        {"share_of_created", WireType::kNumber, rn}}},
      {"LostBreakdown",
       "Deals lost in the period by reason and the stage they were lost in.",
       {{"reason", WireType::kString, ro},
        stage_id,
        {"deals", WireType::kInt64, ro},
        {"value_minor", WireType::kInt64, ro}}},
      {"LeaderboardRow",
       "One rep's figures for the period (open deals: now).",
       {{"owner_id", WireType::kId, ro},
        {"name", WireType::kString, ro},
        {"new_deals", WireType::kInt64, ro},
        {"won_deals", WireType::kInt64, ro},
        {"lost_deals", WireType::kInt64, ro},
        {"activities_done", WireType::kInt64, ro},
        {"won_value_minor", WireType::kInt64, ro},
        {"previous_won_value_minor", WireType::kInt64, ro},
        {"open_deals", WireType::kInt64, ro},
        {"open_value_minor", WireType::kInt64, ro},
        {"win_rate", WireType::kNumber, rn},
        {"cycle_mean_days", WireType::kNumber, rn}}},
      {"TrendPoint",
       "One month of the trend (`month` is its first day).",
       {{"month", WireType::kDate, ro},
        {"won_deals", WireType::kInt64, ro},
        {"lost_deals", WireType::kInt64, ro},
        {"won_value_minor", WireType::kInt64, ro},
        {"win_rate", WireType::kNumber, rn},
        {"velocity_per_day", WireType::kNumber, rn}}},
      {"Dashboard",
       "The dashboard of a scope and period, beside the previous period.",
       {names,
        currency,
        other_currency,
        {"period", WireType::kObject, ro, "NamedPeriod"},
        {"previous_period", WireType::kObject, ro, "NamedPeriod"},
        {"current", WireType::kObject, ro, "HeadlineFigures"},
        {"previous", WireType::kObject, ro, "HeadlineFigures"},
        {"stages", WireType::kArray, ro, "StageSnapshot"},
        {"conversion", WireType::kArray, ro, "StageConversion"},
        {"time_in_stage", WireType::kArray, ro, "StageTime"},
        {"funnel", WireType::kArray, ro, "FunnelStep"},
        {"funnel_created", WireType::kInt64, ro},
        {"funnel_won", WireType::kInt64, ro},
        {"lost", WireType::kArray, ro, "LostBreakdown"},
        {"leaderboard", WireType::kArray, ro, "LeaderboardRow"},
        {"trend", WireType::kArray, ro, "TrendPoint"}}},
      {"ForecastMonth",
       "Open deals expected to close in a month, what was won in it and the velocity forecast.",
       {{"month", WireType::kDate, ro},
        {"open_deals", WireType::kInt64, ro},
        {"value_minor", WireType::kInt64, ro},
        {"weighted_minor", WireType::kInt64, ro},
        {"won_deals", WireType::kInt64, ro},
        {"won_value_minor", WireType::kInt64, ro},
        {"velocity_forecast_minor", WireType::kNumber, rn}}},
      {"ForecastBucket",
       "Open deals outside the months shown.",
       {{"open_deals", WireType::kInt64, ro},
        {"value_minor", WireType::kInt64, ro},
        {"weighted_minor", WireType::kInt64, ro}}},
      {"StageProbability",
       "A stage's configured probability beside the share of its closed deals that were won.",
       {stage_id,
        pipeline_id,
        {"configured", WireType::kInt32, ro},
        {"closed_deals", WireType::kInt64, ro},
        {"won_deals", WireType::kInt64, ro},
        {"historical", WireType::kNumber, rn}}},
      {"ForecastAccuracy",
       "A past month's weighted forecast (snapshot at its start) against what was won.",
       {{"month", WireType::kDate, ro},
        {"forecast_weighted_minor", WireType::kInt64, ro},
        {"forecast_deals", WireType::kInt64, ro},
        {"won_value_minor", WireType::kInt64, ro},
        {"won_deals", WireType::kInt64, ro},
        {"accuracy", WireType::kNumber, rn}}},
      {"VelocityFactors",
       "The factors of sales velocity.",
       {{"open_deals", WireType::kNumber, ro},
        {"win_rate", WireType::kNumber, rn},
        {"average_deal_minor", WireType::kNumber, rn},
        {"cycle_days", WireType::kNumber, rn}}},
      {"Forecast",
       "The forecast from the current month on, stage probabilities and velocity; "
       "`velocity_driver` names the factor that moved velocity most (open_deals, win_rate, "
       "average_deal_size, cycle_days) or is null.",
       {names,
        currency,
        other_currency,
        {"months", WireType::kArray, ro, "ForecastMonth"},
        {"overdue", WireType::kObject, ro, "ForecastBucket"},
        {"undated", WireType::kObject, ro, "ForecastBucket"},
        {"probabilities", WireType::kArray, ro, "StageProbability"},
        {"velocity_factors", WireType::kObject, ro, "VelocityFactors"},
        {"previous_velocity_factors", WireType::kObject, ro, "VelocityFactors"},
        {"velocity_per_day", WireType::kObject, ro, "Comparison"},
        {"velocity_driver", WireType::kString, rn},
        {"accuracy", WireType::kArray, ro, "ForecastAccuracy"}}},
      {"QuotaStatus",
       "A quota in its period that contains the report day, with attainment and coverage.",
       {{"quota", WireType::kObject, ro, "Quota"},
        {"subject_name", WireType::kString, ro},
        {"period", WireType::kObject, ro, "Period"},
        {"achieved", WireType::kInt64, ro},
        {"attainment", WireType::kNumber, rn},
        {"expected_by_now", WireType::kNumber, rn},
        {"open_value_minor", WireType::kInt64, ro},
        {"coverage", WireType::kNumber, rn}}},
      {"QuotaReport",
       "The quotas that apply on `day` and match the scope.",
       {{"day", WireType::kDate, ro}, {"items", WireType::kArray, ro, "QuotaStatus"}}},
      {"PlannerInput",
       "The planner's inputs; close_rate_bp in basis points (80% = 8000).",
       {{"target_minor", WireType::kInt64, ro},
        {"average_deal_minor", WireType::kInt64, ro},
        {"close_rate_bp", WireType::kInt32, ro},
        {"reps", WireType::kInt32, ro}}},
      {"PlannerResult",
       "Deals, leads and leads per rep needed.",
       {{"deals_needed", WireType::kInt64, ro},
        {"leads_needed", WireType::kInt64, ro},
        {"leads_per_rep", WireType::kInt64, ro}}},
      {"PipelinePlan",
       "The pipeline-size planner with its inputs, saying which came from history.",
       {currency,
        {"input", WireType::kObject, ro, "PlannerInput"},
        {"average_from_history", WireType::kBool, ro},
        {"close_rate_from_history", WireType::kBool, ro},
        {"reps_from_workspace", WireType::kBool, ro},
        {"result", WireType::kObject, ro, "PlannerResult"}}},
      {"FlaggedDeal",
       "A deal a health flag points at, with the reason in words and numbers.",
       {{"deal_id", WireType::kId, ro},
        {"title", WireType::kString, ro},
        pipeline_id,
        stage_id,
        {"owner_id", WireType::kId, ro},
        {"value_minor", WireType::kInt64, ro},
        currency,
        {"reason", WireType::kString, ro},
        {"measure", WireType::kNumber, ro},
        {"threshold", WireType::kNumber, ro},
        {"snooze", WireType::kObject, rn, "FlagSnooze"}}},
      {"HealthFinding",
       "One raised health flag and the deals it lists (snoozed ones apart).",
       {{"flag", WireType::kEnum, ro, kHealthFlagValues},
        {"summary", WireType::kString, ro},
        {"stage_id", WireType::kId, rn},
        {"owner_id", WireType::kId, rn},
        {"quota_id", WireType::kId, rn},
        {"measure", WireType::kNumber, ro},
        {"threshold", WireType::kNumber, ro},
        {"deal_count", WireType::kInt64, ro},
        {"deals", WireType::kArray, ro, "FlaggedDeal"},
        {"snoozed", WireType::kArray, ro, "FlaggedDeal"}}},
      {"HealthReport",
       "The pipeline health flags raised on `day`.",
       {names,
        {"day", WireType::kDate, ro},
        {"settings", WireType::kObject, ro, "HealthSettings"},
        {"findings", WireType::kArray, ro, "HealthFinding"}}},
      {"DayPlanGroup",
       "A rep's open activities and deals needing a next step, of one stage (null: activities "
       "without a deal).",
       {{"stage_id", WireType::kId, rn},
        {"pipeline_id", WireType::kId, rn},
        {"overdue", WireType::kArray, ro, "Activity"},
        {"today", WireType::kArray, ro, "Activity"},
        {"needs_next_step", WireType::kArray, ro, "Deal"}}},
      {"DayPlan",
       "A rep's day: overdue and today's activities and deals without a next step, by stage.",
       {names,
        {"owner_id", WireType::kId, ro},
        {"day", WireType::kDate, ro},
        {"groups", WireType::kArray, ro, "DayPlanGroup"}}},
      {"SnapshotTaken",
       "Whether this call took the month's forecast snapshot (false: one existed).",
       {{"taken", WireType::kBool, ro}}},
  };
}

}  // namespace pipedeck
