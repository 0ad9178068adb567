// The arithmetic of pipeline analytics (DESIGN §5): periods, figures that may be undefined,
// distributions, period-over-period change, sales velocity, coverage, attainment and the
// pipeline-size planner. Pure functions over numbers; analytics/ feeds them from the records.
//
// "n/a": a ratio or an average over nothing has no value. Such figures are std::nullopt here and
// null on the wire; nothing divides by zero and no NaN or infinity is ever produced.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "core/time.h"

namespace pipedeck {

// A figure that may be undefined ("n/a").
using Figure = std::optional<double>;

// numerator ÷ denominator; n/a when the denominator is zero.
Figure Ratio(double numerator, double denominator);

// ---- Periods -----------------------------------------------------------------------------------

// A half-open range of UTC calendar days [from, to). REQUIRES from < to for a non-empty period.
struct Period {
  Date from, to;
  bool Contains(Date d) const { return from <= d && d < to; }
  bool Contains(Timestamp t) const { return StartOf(from) <= t && t < StartOf(to); }
  int32_t Days() const { return to.days - from.days; }
  bool operator==(const Period&) const = default;
};

// What kind of range a period is; previous periods and labels follow it.
enum class PeriodUnit { kDay, kWeek, kMonth, kQuarter, kYear, kCustom };

struct NamedPeriod {
  Period period;
  PeriodUnit unit = PeriodUnit::kCustom;
};

// Parses "2026-11-23" (a day), "2026-W48" (ISO week, Monday first), "2026-11" (a month),
// "2026-Q4" (a quarter) or "2026" (a year). Errors: kInvalid naming `field`.
Result<NamedPeriod> ParsePeriod(std::string_view text, std::string_view field = "period");
// A custom period [from, to). Errors: kInvalid "to" when to <= from, or when it spans more than
// kMaxPeriodDays.
Result<NamedPeriod> CustomPeriod(Date from, Date to);
constexpr int32_t kMaxPeriodDays = 3660;

// The unit-long period containing `day` (a week starts on Monday). kCustom is not a unit here
// (it gives the day itself).
Period PeriodContaining(Date day, PeriodUnit unit);
// The period before: the previous calendar unit for days, weeks, months, quarters and years
// (October for November, even though their lengths differ); for a custom period the same number
// of days just before it.
NamedPeriod PreviousPeriod(const NamedPeriod& p);
// "2026-11", "2026-Q4", "2026-W48", "2026", "2026-11-23", or "2026-11-01..2026-12-15" for a custom
// period (inclusive end shown).
std::string PeriodLabel(const NamedPeriod& p);
// The first day of the month containing `day`, and the first day of the month after it.
Date MonthStart(Date day);
Date NextMonthStart(Date day);

// ---- Distributions and change ------------------------------------------------------------------

// count, mean, median, 75th and 90th percentile of some values. Percentiles interpolate linearly
// between the closest ranks (the "inclusive" definition: spreadsheets' PERCENTILE.INC), so the
// median of an even count is the mean of the two middle values. All n/a when there are no values.
// Values that are not finite (NaN, infinities) are left out, count included.
struct Distribution {
  int64_t count = 0;
  Figure mean, median, p75, p90;
};
Distribution Summarize(const std::vector<double>& values);
// The p-th percentile (0..100) of values by the same definition; n/a when empty or when p is
// outside 0..100.
Figure Percentile(const std::vector<double>& values, double p);
// The same over values held in several parts (say, gathered by several threads), read in place.
using ValueParts = std::span<const std::span<const double>>;
Distribution Summarize(ValueParts parts);
Figure Percentile(ValueParts parts, double p);

// A figure beside the same figure for the previous period.
struct Comparison {
  Figure current, previous;
  Figure change;          // current − previous; n/a when either is
  Figure change_percent;  // change ÷ |previous| × 100; n/a when previous is n/a or zero
};
Comparison Compare(Figure current, Figure previous);

// ---- Velocity, coverage, attainment ------------------------------------------------------------

// Sales velocity (value per day) = open deals × win rate × average deal size ÷ cycle days;
// n/a when any factor is n/a or the cycle is zero days.
struct VelocityFactors {
  double open_deals = 0;
  Figure win_rate;            // 0..1
  Figure average_deal_minor;  // minor units
  Figure cycle_days;          // mean days from creation to won
};
Figure Velocity(const VelocityFactors& f);

// Which factor changed velocity the most between two periods: each factor's share of the change
// is the log of its ratio (current ÷ previous; a cycle counts inversely), and the factor with the
// largest absolute share is named. std::nullopt when either velocity is n/a or zero, or nothing
// moved. Names: "open_deals", "win_rate", "average_deal_size", "cycle_days".
std::optional<std::string> VelocityDriver(const VelocityFactors& current,
                                          const VelocityFactors& previous);

// Pipeline coverage = open pipeline value ÷ (quota − achieved so far); n/a when the quota is
// already met (nothing left to cover).
Figure Coverage(double open_value, double quota, double achieved);
// achieved ÷ target; n/a when the target is not positive.
Figure Attainment(double achieved, double target);

// ---- Planner ------------------------------------------------------------------------------------

// From a revenue target to the top of the funnel (DESIGN §5):
//   deals needed = ⌈target ÷ average deal size⌉; leads needed = ⌈deals needed ÷ close rate⌉;
//   leads per rep = ⌈leads needed ÷ reps⌉.
// The divisions are exact on integers (the close rate is taken in basis points, 1/100 of a
// percent), so 100,000 / 500 / 80% / 10 gives exactly 200, 250, 25.
struct PlannerInput {
  int64_t target_minor = 0;        // ≥ 0
  int64_t average_deal_minor = 0;  // > 0
  int32_t close_rate_bp = 0;       // 1..10000 (80% = 8000)
  int32_t reps = 1;                // ≥ 1
};
struct PlannerResult {
  int64_t deals_needed = 0;
  int64_t leads_needed = 0;
  int64_t leads_per_rep = 0;
};
// Errors: kInvalid naming "target" (also above kMaxAmountMinor, or when the leads needed would not
// fit 64 bits), "average_deal_size" (also above kMaxAmountMinor), "close_rate" or "reps".
Result<PlannerResult> PlanPipeline(const PlannerInput& in);
// A rate 0..1 to basis points, rounded to nearest (clamped to 0..10000; NaN gives 0).
int32_t ToBasisPoints(double rate);

// ---- Health thresholds --------------------------------------------------------------------------

// The thresholds of the pipeline health flags (analytics/health.h), configurable per workspace.
struct HealthSettings {
  int32_t stuck_percentile = 90;   // stuck: longer in the stage than this percentile of its
  int32_t stuck_min_samples = 5;   // past stays, when at least this many stays are known
  double overload_factor = 1.5;    // overload: share of open deals > historical share × this
  int32_t overload_min_deals = 5;  // ... and the stage holds at least this many open deals
  int32_t late_stage_limit = 10;   // late-stage overload: a rep's open deals in late stages
  std::vector<Id> late_stage_ids;  // late stages; empty = stages whose name mentions
                                   // proposal, quote or negotiation
  double coverage_target = 3.0;    // thin pipeline: coverage below this
  int32_t aged_percentile = 90;    // aged: open longer than this percentile of won cycles
  std::vector<std::string> unqualified_reasons = {"Unqualified", "Not qualified",
                                                  "Disqualified"};  // case-insensitive
  int32_t lookback_days = 365;  // history used for the thresholds
  bool operator==(const HealthSettings&) const = default;
};
// Errors: kInvalid naming the field (percentiles 1..99, factors > 1 and ≤ 100, counts ≥ 1,
// coverage 0.1..100, lookback 7..3660 days, reasons non-blank, one line and ≤ kMaxTitleLength, at
// most 50; late stage ids positive and listed once, "late_stage_ids[i]"). Whether the late stages
// exist is checked by the workspace.
Status ValidateHealthSettings(const HealthSettings& s);

// HealthSettings kept as workspace settings: one "health.<field>" key per field. Numbers are
// written so that they read back exactly; lists are joined with a separator their items cannot
// hold (',' between stage ids, a line break between reasons). A key never written reads as the
// default.
std::vector<std::pair<std::string, std::string>> HealthSettingsAsText(const HealthSettings& s);
// `get` returns a key's text, or std::nullopt when it was never written. Errors: get's, and
// kInternal naming a key whose text does not read as its field.
using SettingReader = std::function<Result<std::optional<std::string>>(const std::string& key)>;
Result<HealthSettings> ReadHealthSettings(const SettingReader& get);

// Team and quota field rules (references are checked by the workspace).
Status ValidateTeam(const Team& t);
Team Apply(Team t, const TeamPatch& p);
// scope/subject consistency, target > 0 (≤ kMaxAmountMinor), currency required exactly for
// won_value, ends_on after starts_on.
Status ValidateQuota(const Quota& q);
Quota Apply(Quota q, const QuotaPatch& p);
// reason required (title rules), until after today.
Status ValidateSnooze(const FlagSnooze& s, Date today);

}  // namespace pipedeck
