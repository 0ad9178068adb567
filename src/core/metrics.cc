#include "core/metrics.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <span>
#include <string_view>
#include <utility>

#include "core/money.h"
#include "core/validate.h"

namespace pipedeck {
namespace {

// A finite double as a figure; NaN and infinities (overflow, bad input) become n/a.
Figure Finite(double x) {
  if (!std::isfinite(x)) return std::nullopt;
  return x;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

// The first day of `month` of `year`; a month past 12 rolls into the next years.
Date FirstOfMonth(int64_t year, int month) {
  while (month > 12) {
    month -= 12;
    ++year;
  }
  return *MakeDate(static_cast<int>(year), month, 1);
}

// The Monday of the ISO week containing `d` (1970-01-01 was a Thursday).
Date MondayOf(Date d) { return AddDays(d, -static_cast<int32_t>(FloorMod(d.days + 3, 7))); }

// The Monday of ISO week 1 of `iso_year`: the week holding January 4th.
Date FirstIsoMonday(int64_t iso_year) {
  return MondayOf(*MakeDate(static_cast<int>(iso_year), 1, 4));
}

struct IsoWeek {
  int64_t year;
  int week;
};

// ISO year and week of `d`: the week belongs to the year of its Thursday.
IsoWeek IsoWeekOf(Date d) {
  const Date thursday = AddDays(MondayOf(d), 3);
  const int64_t year = CivilOf(thursday).year;
  return {year, static_cast<int>((thursday.days - FirstIsoMonday(year).days) / 7 + 1)};
}

// The year as FormatDate writes it ("2026", "-0044"): the date without "-MM-DD".
std::string YearText(Date d) {
  std::string text = FormatDate(d);
  text.resize(text.size() - 6);
  return text;
}

std::string TwoDigits(int v) {
  return std::string(1, static_cast<char>('0' + v / 10)) + static_cast<char>('0' + v % 10);
}

// Reads exactly `count` ASCII digits from the start of `text`.
std::optional<int> Digits(std::string_view text, size_t count) {
  if (text.size() != count) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

// Order-preserving key of a finite double: a < b implies Key(a) < Key(b) (and -0 before +0, which
// compare equal).
uint64_t OrderKey(double v) {
  const uint64_t bits = std::bit_cast<uint64_t>(v);
  return (bits >> 63) != 0 ? ~bits : bits | (uint64_t{1} << 63);
}

// Below this many values a sort is cheaper than another histogram pass.
constexpr size_t kSortSelection = 1 << 12;

// Calls fn with every value of a vector.
struct ValuesOf {
  const std::vector<double>* values;
  template <typename Fn>
  void operator()(const Fn& fn) const {
    for (double v : *values) fn(v);
  }
};

// Radix selection of ranks, exact: a dashboard summarises stage stays by the hundred thousand,
// several percentiles each, so one histogram of the keys' next 16 bits finds the bucket of every
// rank at once, a second pass gathers only those buckets, and the search goes on inside them (two
// linear passes per level instead of a selection per rank). `shift`: the position of the 16 key
// bits a level looks at; the bits above are equal for all values of the level.
constexpr int kTopShift = 48;
constexpr size_t kRadixBuckets = 1 << 16;
size_t RadixBucket(double v, int shift) { return (OrderKey(v) >> shift) & (kRadixBuckets - 1); }

template <typename ForEach>
void SelectRanks(const ForEach& for_each, size_t n, int shift, std::span<const size_t> ranks,
                 std::span<double> out);

// SelectRanks once the level's histogram is counted.
template <typename ForEach>
void SelectRanksInBuckets(const ForEach& for_each, const std::vector<uint32_t>& counts, int shift,
                          std::span<const size_t> ranks, std::span<double> out) {
  // Each rank's bucket and its position within it; ranks sharing a bucket go on together.
  struct Target {
    size_t bucket = 0, first_rank = 0, rank_count = 0;
    std::vector<size_t> ranks;  // within the bucket
    std::vector<double> values;
  };
  std::vector<Target> targets;
  std::vector<int8_t> target_of(kRadixBuckets, -1);
  size_t below = 0, next = 0;
  for (size_t b = 0; b < kRadixBuckets && next < ranks.size(); ++b) {
    while (next < ranks.size() && ranks[next] < below + counts[b]) {
      if (targets.empty() || targets.back().bucket != b) {
        target_of[b] = static_cast<int8_t>(targets.size());
        targets.push_back({b, next, 0, {}, {}});
        targets.back().values.reserve(counts[b]);
      }
      targets.back().ranks.push_back(ranks[next] - below);
      ++targets.back().rank_count;
      ++next;
    }
    below += counts[b];
  }
  for_each([&](double v) {
    const int8_t t = target_of[RadixBucket(v, shift)];
    if (t >= 0) targets[t].values.push_back(v);
  });
  for (Target& t : targets) {
    SelectRanks(ValuesOf{&t.values}, t.values.size(), shift - 16, t.ranks,
                out.subspan(t.first_rank, t.rank_count));
  }
}

// out[i] = the value at position ranks[i] (ranks ascending, each < n) of the n values that
// `for_each(fn)` calls fn with, in ascending order.
template <typename ForEach>
void SelectRanks(const ForEach& for_each, size_t n, int shift, std::span<const size_t> ranks,
                 std::span<double> out) {
  if (n <= kSortSelection || shift < 0) {  // shift < 0: every key is equal
    std::vector<double> values;
    values.reserve(n);
    for_each([&](double v) { values.push_back(v); });
    std::sort(values.begin(), values.end());
    for (size_t i = 0; i < ranks.size(); ++i) out[i] = values[ranks[i]];
    return;
  }
  std::vector<uint32_t> counts(kRadixBuckets, 0);
  for_each([&](double v) { ++counts[RadixBucket(v, shift)]; });
  SelectRanksInBuckets(for_each, counts, shift, ranks, out);
}

// Calls fn with every finite value of `parts`.
struct FiniteValuesOf {
  ValueParts parts;
  template <typename Fn>
  void operator()(const Fn& fn) const {
    for (std::span<const double> part : parts) {
      for (double v : part) {
        if (std::isfinite(v)) fn(v);
      }
    }
  }
};

// The PERCENTILE.INC interpolation between the values at ranks floor(r) and floor(r) + 1.
struct RankPair {
  size_t lo = 0, hi = 0;
  double fraction = 0;
};
RankPair RanksOf(size_t n, double p) {
  const double rank = (static_cast<double>(n) - 1) * p / 100.0;
  RankPair r;
  r.lo = static_cast<size_t>(std::floor(rank));
  r.hi = std::min(r.lo + 1, n - 1);
  r.fraction = rank - static_cast<double>(r.lo);
  return r;
}
double Interpolate(double low, double high, double fraction) {
  if (fraction == 0 || low == high) return low;
  const double gap = high - low;
  if (std::isfinite(gap)) return low + fraction * gap;
  return (1 - fraction) * low + fraction * high;  // no overflow between huge opposite values
}

// The p-th percentiles (PERCENTILE.INC) of the `n` > 0 finite values of `parts`, in the order of
// `ps`. `top_counts`: their top-level radix histogram when already counted, else empty.
template <size_t N>
std::array<double, N> SelectPercentiles(ValueParts parts, size_t n,
                                        const std::vector<uint32_t>& top_counts,
                                        const double (&ps)[N]) {
  std::array<RankPair, N> pairs;
  std::vector<size_t> ranks;
  for (size_t i = 0; i < N; ++i) {
    pairs[i] = RanksOf(n, ps[i]);
    ranks.push_back(pairs[i].lo);
    ranks.push_back(pairs[i].hi);
  }
  std::sort(ranks.begin(), ranks.end());
  ranks.erase(std::unique(ranks.begin(), ranks.end()), ranks.end());
  std::vector<double> at(ranks.size());
  if (top_counts.empty() || n <= kSortSelection) {
    SelectRanks(FiniteValuesOf{parts}, n, kTopShift, ranks, at);
  } else {
    SelectRanksInBuckets(FiniteValuesOf{parts}, top_counts, kTopShift, ranks, at);
  }
  auto value_at = [&](size_t rank) {
    return at[std::lower_bound(ranks.begin(), ranks.end(), rank) - ranks.begin()];
  };
  std::array<double, N> out;
  for (size_t i = 0; i < N; ++i) {
    out[i] = Interpolate(value_at(pairs[i].lo), value_at(pairs[i].hi), pairs[i].fraction);
  }
  return out;
}

size_t CountFinite(ValueParts parts) {
  size_t n = 0;
  FiniteValuesOf{parts}([&](double) { ++n; });
  return n;
}

std::string RangeMessage(int64_t low, int64_t high) {
  return "must be between " + std::to_string(low) + " and " + std::to_string(high);
}

Status CheckRange(std::string_view field, int64_t value, int64_t low, int64_t high) {
  if (value < low || value > high)
    return Status::Invalid(std::string(field), RangeMessage(low, high));
  return Status::Ok();
}

Status CheckAtLeastOne(std::string_view field, int64_t value) {
  if (value < 1) return Status::Invalid(std::string(field), "must be at least 1");
  return Status::Ok();
}

constexpr int64_t kMaxHealthReasons = 50;

}  // namespace

Figure Ratio(double numerator, double denominator) {
  if (denominator == 0) return std::nullopt;
  return Finite(numerator / denominator);
}

// ---- Periods -----------------------------------------------------------------------------------

Result<NamedPeriod> ParsePeriod(std::string_view text, std::string_view field) {
  auto bad = [&] {
    return Status::Invalid(std::string(field),
                           "\"" + std::string(text) +
                               "\" is not a period: use a day (2026-11-23), an ISO week "
                               "(2026-W48), a month (2026-11), a quarter (2026-Q4) or a year "
                               "(2026)");
  };
  if (text.size() < 4) return bad();
  const std::optional<int> year = Digits(text.substr(0, 4), 4);
  if (!year) return bad();
  if (text.size() == 4) {
    return NamedPeriod{{*MakeDate(*year, 1, 1), *MakeDate(*year + 1, 1, 1)}, PeriodUnit::kYear};
  }
  if (text[4] != '-') return bad();
  const std::string_view rest = text.substr(5);
  if (rest.size() == 5) {  // "MM-DD"
    const std::optional<Date> day = ParseDate(text);
    if (!day) return bad();
    return NamedPeriod{{*day, AddDays(*day, 1)}, PeriodUnit::kDay};
  }
  if (rest.size() == 3 && rest[0] == 'W') {
    const std::optional<int> week = Digits(rest.substr(1), 2);
    if (!week) return bad();
    const Date monday = AddDays(FirstIsoMonday(*year), (*week - 1) * 7);
    if (*week < 1 || IsoWeekOf(monday).year != *year) {
      return Status::Invalid(std::string(field), "\"" + std::string(text) +
                                                     "\": " + std::to_string(*year) +
                                                     " has no week " + std::to_string(*week));
    }
    return NamedPeriod{{monday, AddDays(monday, 7)}, PeriodUnit::kWeek};
  }
  if (rest.size() == 2 && rest[0] == 'Q') {
    const std::optional<int> quarter = Digits(rest.substr(1), 1);
    if (!quarter || *quarter < 1 || *quarter > 4) return bad();
    const int first_month = (*quarter - 1) * 3 + 1;
    return NamedPeriod{{FirstOfMonth(*year, first_month), FirstOfMonth(*year, first_month + 3)},
                       PeriodUnit::kQuarter};
  }
  if (rest.size() == 2) {
    const std::optional<int> month = Digits(rest, 2);
    if (!month || *month < 1 || *month > 12) return bad();
    return NamedPeriod{{FirstOfMonth(*year, *month), FirstOfMonth(*year, *month + 1)},
                       PeriodUnit::kMonth};
  }
  return bad();
}

Result<NamedPeriod> CustomPeriod(Date from, Date to) {
  const int64_t days = int64_t{to.days} - from.days;
  if (days <= 0) return Status::Invalid("to", "must be after the start of the period");
  if (days > kMaxPeriodDays) {
    return Status::Invalid("to",
                           "a period spans at most " + std::to_string(kMaxPeriodDays) + " days");
  }
  return NamedPeriod{{from, to}, PeriodUnit::kCustom};
}

Period PeriodContaining(Date day, PeriodUnit unit) {
  switch (unit) {
    case PeriodUnit::kWeek: {
      const Date monday = MondayOf(day);
      return {monday, AddDays(monday, 7)};
    }
    case PeriodUnit::kMonth:
      return {MonthStart(day), NextMonthStart(day)};
    case PeriodUnit::kQuarter: {
      const CivilDate c = CivilOf(day);
      const int first_month = (c.month - 1) / 3 * 3 + 1;
      return {FirstOfMonth(c.year, first_month), FirstOfMonth(c.year, first_month + 3)};
    }
    case PeriodUnit::kYear: {
      const CivilDate c = CivilOf(day);
      return {FirstOfMonth(c.year, 1), FirstOfMonth(c.year + 1, 1)};
    }
    case PeriodUnit::kDay:
    case PeriodUnit::kCustom:  // not a unit: the day itself
      break;
  }
  return {day, AddDays(day, 1)};
}

NamedPeriod PreviousPeriod(const NamedPeriod& p) {
  if (p.unit == PeriodUnit::kCustom) {
    const int32_t days = p.period.Days();
    return {{AddDays(p.period.from, -days), p.period.from}, PeriodUnit::kCustom};
  }
  return {PeriodContaining(AddDays(p.period.from, -1), p.unit), p.unit};
}

std::string PeriodLabel(const NamedPeriod& p) {
  const Date from = p.period.from;
  switch (p.unit) {
    case PeriodUnit::kDay:
      return FormatDate(from);
    case PeriodUnit::kWeek: {
      const IsoWeek w = IsoWeekOf(from);
      // The ISO year can differ from the calendar year of `from` (2027-W53 starts 2027-12-27;
      // 2026-W01 starts 2025-12-29): name it by the week's Thursday.
      return YearText(AddDays(MondayOf(from), 3)) + "-W" + TwoDigits(w.week);
    }
    case PeriodUnit::kMonth:
      return YearText(from) + "-" + TwoDigits(CivilOf(from).month);
    case PeriodUnit::kQuarter:
      return YearText(from) + "-Q" + std::to_string((CivilOf(from).month - 1) / 3 + 1);
    case PeriodUnit::kYear:
      return YearText(from);
    case PeriodUnit::kCustom:
      break;
  }
  return FormatDate(from) + ".." + FormatDate(AddDays(p.period.to, -1));
}

Date MonthStart(Date day) {
  const CivilDate c = CivilOf(day);
  return FirstOfMonth(c.year, c.month);
}

Date NextMonthStart(Date day) {
  const CivilDate c = CivilOf(day);
  return FirstOfMonth(c.year, c.month + 1);
}

// ---- Distributions and change ------------------------------------------------------------------

Distribution Summarize(ValueParts parts) {
  Distribution d;
  // One pass counts, sums and (for many values) builds the selection's first histogram.
  size_t size = 0;
  for (std::span<const double> part : parts) size += part.size();
  double sum = 0;
  size_t n = 0;
  std::vector<uint32_t> top_counts;
  if (size > kSortSelection) {
    top_counts.assign(kRadixBuckets, 0);
    FiniteValuesOf{parts}([&](double v) {
      sum += v;
      ++n;
      ++top_counts[RadixBucket(v, kTopShift)];
    });
  } else {
    FiniteValuesOf{parts}([&](double v) {
      sum += v;
      ++n;
    });
  }
  d.count = static_cast<int64_t>(n);
  if (n == 0) return d;
  if (!std::isfinite(sum)) {  // the total overflows: average the shares instead
    sum = 0;
    FiniteValuesOf{parts}([&](double v) { sum += v / static_cast<double>(n); });
    d.mean = Finite(sum);
  } else {
    d.mean = Finite(sum / static_cast<double>(n));
  }
  const auto [median, p75, p90] = SelectPercentiles(parts, n, top_counts, {50.0, 75.0, 90.0});
  d.median = Finite(median);
  d.p75 = Finite(p75);
  d.p90 = Finite(p90);
  return d;
}

Distribution Summarize(const std::vector<double>& values) {
  const std::span<const double> part(values);
  return Summarize(ValueParts(&part, 1));
}

Figure Percentile(ValueParts parts, double p) {
  if (!(p >= 0 && p <= 100)) return std::nullopt;  // also NaN
  const size_t n = CountFinite(parts);
  if (n == 0) return std::nullopt;
  return Finite(SelectPercentiles(parts, n, {}, {p})[0]);
}

Figure Percentile(const std::vector<double>& values, double p) {
  const std::span<const double> part(values);
  return Percentile(ValueParts(&part, 1), p);
}

Comparison Compare(Figure current, Figure previous) {
  Comparison c;
  c.current = current ? Finite(*current) : std::nullopt;
  c.previous = previous ? Finite(*previous) : std::nullopt;
  if (c.current && c.previous) {
    c.change = Finite(*c.current - *c.previous);
    if (c.change && *c.previous != 0) {
      c.change_percent = Finite(*c.change / std::abs(*c.previous) * 100);
    }
  }
  return c;
}

// ---- Velocity, coverage, attainment ------------------------------------------------------------

Figure Velocity(const VelocityFactors& f) {
  if (!f.win_rate || !f.average_deal_minor || !f.cycle_days || *f.cycle_days == 0) {
    return std::nullopt;
  }
  return Finite(f.open_deals * *f.win_rate * *f.average_deal_minor / *f.cycle_days);
}

std::optional<std::string> VelocityDriver(const VelocityFactors& current,
                                          const VelocityFactors& previous) {
  const Figure now = Velocity(current), before = Velocity(previous);
  if (!now || !before || *now == 0 || *before == 0) return std::nullopt;
  // Both velocities are non-zero and finite, so every factor is non-zero and finite.
  auto share = [](double cur, double prev) { return std::abs(std::log(std::abs(cur / prev))); };
  const std::pair<const char*, double> shares[] = {
      {"open_deals", share(current.open_deals, previous.open_deals)},
      {"win_rate", share(*current.win_rate, *previous.win_rate)},
      {"average_deal_size", share(*current.average_deal_minor, *previous.average_deal_minor)},
      {"cycle_days", share(*previous.cycle_days, *current.cycle_days)},  // a longer cycle slows
  };
  const char* driver = nullptr;
  double largest = 1e-12;  // below this, nothing moved (rounding noise of equal inputs)
  for (const auto& [name, value] : shares) {
    if (std::isfinite(value) && value > largest) {
      largest = value;
      driver = name;
    }
  }
  if (driver == nullptr) return std::nullopt;
  return std::string(driver);
}

Figure Coverage(double open_value, double quota, double achieved) {
  const double remaining = quota - achieved;
  if (!(remaining > 0)) return std::nullopt;
  return Finite(open_value / remaining);
}

Figure Attainment(double achieved, double target) {
  if (!(target > 0)) return std::nullopt;
  return Finite(achieved / target);
}

// ---- Planner ------------------------------------------------------------------------------------

Result<PlannerResult> PlanPipeline(const PlannerInput& in) {
  if (in.target_minor < 0 || in.target_minor > kMaxAmountMinor) {
    return Status::Invalid("target", RangeMessage(0, kMaxAmountMinor));
  }
  if (in.average_deal_minor < 1 || in.average_deal_minor > kMaxAmountMinor) {
    return Status::Invalid("average_deal_size", RangeMessage(1, kMaxAmountMinor));
  }
  if (in.close_rate_bp < 1 || in.close_rate_bp > 10'000) {
    return Status::Invalid("close_rate", "must be more than 0% and at most 100%");
  }
  if (in.reps < 1) return Status::Invalid("reps", "must be at least 1");
  auto ceil_div = [](__int128 a, __int128 b) { return (a + b - 1) / b; };  // a >= 0, b > 0
  const __int128 deals = ceil_div(in.target_minor, in.average_deal_minor);
  const __int128 leads = ceil_div(deals * 10'000, in.close_rate_bp);
  if (leads > std::numeric_limits<int64_t>::max()) {
    return Status::Invalid("target", "is too large to plan at this deal size and close rate");
  }
  PlannerResult out;
  out.deals_needed = static_cast<int64_t>(deals);
  out.leads_needed = static_cast<int64_t>(leads);
  out.leads_per_rep = static_cast<int64_t>(ceil_div(leads, in.reps));
  return out;
}

int32_t ToBasisPoints(double rate) {
  if (!(rate > 0)) return 0;  // also NaN
  if (rate >= 1) return 10'000;
  return static_cast<int32_t>(std::lround(rate * 10'000));
}

// ---- Health thresholds --------------------------------------------------------------------------

Status ValidateHealthSettings(const HealthSettings& s) {
  PD_RETURN_IF_ERROR(CheckRange("stuck_percentile", s.stuck_percentile, 1, 99));
  PD_RETURN_IF_ERROR(CheckAtLeastOne("stuck_min_samples", s.stuck_min_samples));
  if (!(s.overload_factor > 1 && s.overload_factor <= 100)) {
    return Status::Invalid("overload_factor", "must be more than 1 and at most 100");
  }
  PD_RETURN_IF_ERROR(CheckAtLeastOne("overload_min_deals", s.overload_min_deals));
  PD_RETURN_IF_ERROR(CheckAtLeastOne("late_stage_limit", s.late_stage_limit));
  std::set<Id> seen;
  for (size_t i = 0; i < s.late_stage_ids.size(); ++i) {
    const std::string field = "late_stage_ids[" + std::to_string(i) + "]";
    if (s.late_stage_ids[i] <= 0) return Status::Invalid(field, "must be a stage id");
    if (!seen.insert(s.late_stage_ids[i]).second) {
      return Status::Invalid(field,
                             "stage " + std::to_string(s.late_stage_ids[i]) + " is listed twice");
    }
  }
  if (!(s.coverage_target >= 0.1 && s.coverage_target <= 100)) {
    return Status::Invalid("coverage_target", "must be between 0.1 and 100");
  }
  PD_RETURN_IF_ERROR(CheckRange("aged_percentile", s.aged_percentile, 1, 99));
  if (s.unqualified_reasons.size() > kMaxHealthReasons) {
    return Status::Invalid("unqualified_reasons",
                           "must hold at most " + std::to_string(kMaxHealthReasons) + " reasons");
  }
  for (size_t i = 0; i < s.unqualified_reasons.size(); ++i) {
    const std::string field = "unqualified_reasons[" + std::to_string(i) + "]";
    const std::string& reason = s.unqualified_reasons[i];
    PD_RETURN_IF_ERROR(ValidateTitle(field, reason));
    if (reason.find_first_of("\r\n") != std::string::npos) {
      return Status::Invalid(field, "must be a single line");
    }
  }
  return CheckRange("lookback_days", s.lookback_days, 7, kMaxPeriodDays);
}

// ---- Teams, quotas, snoozes ---------------------------------------------------------------------

Status ValidateTeam(const Team& t) { return ValidateTitle("name", t.name); }

Team Apply(Team t, const TeamPatch& p) {
  if (p.name) t.name = *p.name;
  if (p.manager_id) t.manager_id = *p.manager_id;
  return t;
}

Status ValidateQuota(const Quota& q) {
  switch (q.scope) {
    case QuotaScope::kUser:
      if (!q.user_id) return Status::Invalid("user_id", "a user quota names its user");
      if (q.team_id) return Status::Invalid("team_id", "only a team quota names a team");
      break;
    case QuotaScope::kTeam:
      if (!q.team_id) return Status::Invalid("team_id", "a team quota names its team");
      if (q.user_id) return Status::Invalid("user_id", "only a user quota names a user");
      break;
    case QuotaScope::kCompany:
      if (q.user_id) return Status::Invalid("user_id", "only a user quota names a user");
      if (q.team_id) return Status::Invalid("team_id", "only a team quota names a team");
      break;
  }
  if (q.target <= 0 || q.target > kMaxAmountMinor) {
    return Status::Invalid("target", RangeMessage(1, kMaxAmountMinor));
  }
  if (q.metric == QuotaMetric::kWonValue) {
    if (!IsCurrencyCode(q.currency)) {
      return Status::Invalid("currency", q.currency.empty()
                                             ? "a won_value quota needs a currency"
                                             : "\"" + q.currency + "\" is not an ISO 4217 code");
    }
  } else if (!q.currency.empty()) {
    return Status::Invalid("currency", "only a won_value quota has a currency");
  }
  if (q.ends_on && *q.ends_on <= q.starts_on) {
    return Status::Invalid("ends_on", "must be after starts_on");
  }
  return Status::Ok();
}

Quota Apply(Quota q, const QuotaPatch& p) {
  if (p.scope) q.scope = *p.scope;
  if (p.user_id) q.user_id = *p.user_id;
  if (p.team_id) q.team_id = *p.team_id;
  if (p.period) q.period = *p.period;
  if (p.metric) q.metric = *p.metric;
  if (p.target) q.target = *p.target;
  if (p.currency) q.currency = *p.currency;
  if (p.pipeline_id) q.pipeline_id = *p.pipeline_id;
  if (p.starts_on) q.starts_on = *p.starts_on;
  if (p.ends_on) q.ends_on = *p.ends_on;
  return q;
}

Status ValidateSnooze(const FlagSnooze& s, Date today) {
  PD_RETURN_IF_ERROR(ValidateTitle("reason", s.reason));
  if (s.until <= today) return Status::Invalid("until", "must be after today");
  return Status::Ok();
}

// ---- Health settings as workspace settings
// --------------------------------------------------------

namespace {

// Numbers are written so that they read back exactly (shortest round-trip form); lists are joined
// with a separator their items cannot hold: ',' between stage ids, '\n' between reasons (a reason
// is one line). A key never written reads as the default.

constexpr std::string_view kHealthSettingPrefix = "health.";

std::string SettingText(int32_t v) { return std::to_string(v); }
std::string SettingText(double v) {
  char buf[64];
  return std::string(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}
std::string SettingText(const std::vector<Id>& ids) {
  std::string text;
  for (Id id : ids) {
    if (!text.empty()) text += ',';
    text += std::to_string(id);
  }
  return text;
}
std::string SettingText(const std::vector<std::string>& items) {
  std::string text;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) text += '\n';
    text += items[i];
  }
  return text;
}

template <typename N>
bool ParseNumber(std::string_view text, N& out) {
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}
bool ParseSetting(std::string_view text, int32_t& out) { return ParseNumber(text, out); }
bool ParseSetting(std::string_view text, double& out) { return ParseNumber(text, out); }
// Splits `text` at `sep`; an empty text is an empty list.
std::vector<std::string_view> SplitSetting(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  if (text.empty()) return parts;
  for (size_t start = 0;;) {
    const size_t end = text.find(sep, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}
bool ParseSetting(std::string_view text, std::vector<Id>& out) {
  out.clear();
  for (std::string_view part : SplitSetting(text, ',')) {
    if (!ParseNumber(part, out.emplace_back())) return false;
  }
  return true;
}
bool ParseSetting(std::string_view text, std::vector<std::string>& out) {
  out.clear();
  for (std::string_view part : SplitSetting(text, '\n')) out.emplace_back(part);
  return true;
}

// Calls fn(name, field) for every field of the settings (S: HealthSettings, const or not).
template <typename S, typename Fn>
Status ForEachHealthField(S& s, Fn&& fn) {
  PD_RETURN_IF_ERROR(fn("stuck_percentile", s.stuck_percentile));
  PD_RETURN_IF_ERROR(fn("stuck_min_samples", s.stuck_min_samples));
  PD_RETURN_IF_ERROR(fn("overload_factor", s.overload_factor));
  PD_RETURN_IF_ERROR(fn("overload_min_deals", s.overload_min_deals));
  PD_RETURN_IF_ERROR(fn("late_stage_limit", s.late_stage_limit));
  PD_RETURN_IF_ERROR(fn("late_stage_ids", s.late_stage_ids));
  PD_RETURN_IF_ERROR(fn("coverage_target", s.coverage_target));
  PD_RETURN_IF_ERROR(fn("aged_percentile", s.aged_percentile));
  PD_RETURN_IF_ERROR(fn("unqualified_reasons", s.unqualified_reasons));
  return fn("lookback_days", s.lookback_days);
}

std::string HealthSettingKey(std::string_view field) {
  return std::string(kHealthSettingPrefix) + std::string(field);
}

}  // namespace

std::vector<std::pair<std::string, std::string>> HealthSettingsAsText(const HealthSettings& s) {
  std::vector<std::pair<std::string, std::string>> out;
  const Status written = ForEachHealthField(s, [&](std::string_view field, const auto& value) {
    out.emplace_back(HealthSettingKey(field), SettingText(value));
    return Status::Ok();
  });
  assert(written.ok());  // writing text cannot fail
  (void)written;
  return out;
}

Result<HealthSettings> ReadHealthSettings(const SettingReader& get) {
  HealthSettings settings;
  PD_RETURN_IF_ERROR(
      ForEachHealthField(settings, [&](std::string_view field, auto& value) -> Status {
        const std::string key = HealthSettingKey(field);
        PD_ASSIGN_OR_RETURN(std::optional<std::string> text, get(key));
        if (!text) return Status::Ok();  // never set: the default
        if (!ParseSetting(*text, value)) {
          return Status::Internal("workspace setting " + key + " holds \"" + *text +
                                  "\", which is not a valid value");
        }
        return Status::Ok();
      }));
  return settings;
}

}  // namespace pipedeck
