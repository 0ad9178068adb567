#include "core/metrics.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace pipedeck {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

Date D(std::string_view text) {
  const std::optional<Date> d = ParseDate(text);
  if (!d) throw std::invalid_argument("bad date in test: " + std::string(text));
  return *d;
}

std::string Show(const Period& p) { return FormatDate(p.from) + ".." + FormatDate(p.to); }

std::string Show(const Figure& f) { return f ? std::to_string(*f) : "n/a"; }

// A figure equal to `expected` (n/a when expected is n/a), up to rounding.
void ExpectFigure(const Figure& actual, const Figure& expected, const std::string& what) {
  SCOPED_TRACE(what);
  ASSERT_EQ(actual.has_value(), expected.has_value())
      << "actual " << Show(actual) << ", expected " << Show(expected);
  if (expected) {
    EXPECT_NEAR(*actual, *expected, 1e-9 * std::max(1.0, std::abs(*expected)));
  }
}

const char* UnitName(PeriodUnit u) {
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
  return "?";
}

// ---- Ratio -------------------------------------------------------------------------------------

TEST(MetricsTest, RatioIsNaWhenTheDenominatorIsZeroOrTheResultIsNotFinite) {
  struct Row {
    double n, d;
    Figure expected;
  };
  const Row rows[] = {
      {1, 4, 0.25},
      {3, 3, 1.0},
      {0, 5, 0.0},
      {-1, 4, -0.25},
      {1, 0, std::nullopt},
      {0, 0, std::nullopt},
      {-1, 0, std::nullopt},
      {1e308, 1e-308, std::nullopt},
      {kNaN, 1, std::nullopt},
      {1, kInf, 0.0},
  };
  for (const Row& r : rows) {
    ExpectFigure(Ratio(r.n, r.d), r.expected, std::to_string(r.n) + " / " + std::to_string(r.d));
  }
}

// ---- Periods -----------------------------------------------------------------------------------

TEST(MetricsTest, ParsePeriodReadsEveryUnit) {
  struct Row {
    const char* text;
    const char *from, *to;
    PeriodUnit unit;
  };
  const Row rows[] = {
      {"2026-11-23", "2026-11-23", "2026-11-24", PeriodUnit::kDay},
      {"2024-02-29", "2024-02-29", "2024-03-01", PeriodUnit::kDay},
      {"2026-W48", "2026-11-23", "2026-11-30", PeriodUnit::kWeek},
      // 2026 starts on a Thursday: its week 1 starts in 2025 and it has a week 53.
      {"2026-W01", "2025-12-29", "2026-01-05", PeriodUnit::kWeek},
      {"2026-W53", "2026-12-28", "2027-01-04", PeriodUnit::kWeek},
      {"2027-W01", "2027-01-04", "2027-01-11", PeriodUnit::kWeek},
      // 2020 is a leap year starting on a Wednesday: 53 weeks too.
      {"2020-W53", "2020-12-28", "2021-01-04", PeriodUnit::kWeek},
      // 2025 starts on a Wednesday: week 1 starts in 2024.
      {"2025-W01", "2024-12-30", "2025-01-06", PeriodUnit::kWeek},
      {"2025-W52", "2025-12-22", "2025-12-29", PeriodUnit::kWeek},
      {"2026-11", "2026-11-01", "2026-12-01", PeriodUnit::kMonth},
      {"2026-12", "2026-12-01", "2027-01-01", PeriodUnit::kMonth},
      {"2024-02", "2024-02-01", "2024-03-01", PeriodUnit::kMonth},
      {"2026-02", "2026-02-01", "2026-03-01", PeriodUnit::kMonth},
      {"2026-Q1", "2026-01-01", "2026-04-01", PeriodUnit::kQuarter},
      {"2026-Q2", "2026-04-01", "2026-07-01", PeriodUnit::kQuarter},
      {"2026-Q4", "2026-10-01", "2027-01-01", PeriodUnit::kQuarter},
      {"2026", "2026-01-01", "2027-01-01", PeriodUnit::kYear},
      {"2024", "2024-01-01", "2025-01-01", PeriodUnit::kYear},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.text);
    Result<NamedPeriod> p = ParsePeriod(r.text);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_EQ(Show(p->period), std::string(r.from) + ".." + r.to);
    EXPECT_EQ(p->unit, r.unit);
    EXPECT_EQ(PeriodLabel(*p), r.text) << "the label is the text it was parsed from";
  }
  EXPECT_EQ(ParsePeriod("2024-02")->period.Days(), 29);
  EXPECT_EQ(ParsePeriod("2026-02")->period.Days(), 28);
  EXPECT_EQ(ParsePeriod("2024")->period.Days(), 366);
  EXPECT_EQ(ParsePeriod("2026-W53")->period.Days(), 7);
}

TEST(MetricsTest, ParsePeriodRejectsWhatIsNotAPeriod) {
  const char* bad[] = {"",           "26",          "2026-",   "2026-13",  "2026-00",
                       "2026-1",     "2026-Q0",     "2026-Q5", "2026-Q",   "2026-W00",
                       "2026-W54",   "2025-W53",    "2026-W5", "2026-w48", "2026-q4",
                       "2026-02-30", "2026-11-23x", " 2026",   "2026 ",    "abcd",
                       "2026-11-2",  "20261",       "2026/11", "2026-W4a", "+202"};
  for (const char* text : bad) {
    SCOPED_TRACE(std::string("\"") + text + "\"");
    Result<NamedPeriod> p = ParsePeriod(text);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.status().code(), ErrorCode::kInvalid);
    EXPECT_EQ(p.status().field(), "period");
  }
  EXPECT_EQ(ParsePeriod("2026-Q9", "from").status().field(), "from");
  EXPECT_EQ(ParsePeriod("2025-W53").status().message(), "\"2025-W53\": 2025 has no week 53");
}

TEST(MetricsTest, CustomPeriodsAreHalfOpenAndBounded) {
  const Date nov1 = D("2026-11-01");
  Result<NamedPeriod> p = CustomPeriod(nov1, D("2026-12-16"));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->unit, PeriodUnit::kCustom);
  EXPECT_EQ(p->period.Days(), 45);
  EXPECT_EQ(PeriodLabel(*p), "2026-11-01..2026-12-15") << "the label shows the inclusive end";
  EXPECT_EQ(PeriodLabel(*CustomPeriod(nov1, AddDays(nov1, 1))), "2026-11-01..2026-11-01");

  struct Row {
    int32_t days;
    bool ok;
  };
  for (const Row& r : {Row{0, false}, Row{-1, false}, Row{1, true}, Row{kMaxPeriodDays, true},
                       Row{kMaxPeriodDays + 1, false}}) {
    SCOPED_TRACE(r.days);
    Result<NamedPeriod> c = CustomPeriod(nov1, AddDays(nov1, r.days));
    EXPECT_EQ(c.ok(), r.ok);
    if (!r.ok) {
      EXPECT_EQ(c.status().code(), ErrorCode::kInvalid);
      EXPECT_EQ(c.status().field(), "to");
    }
  }
  EXPECT_FALSE(CustomPeriod(Date{std::numeric_limits<int32_t>::max()},
                            Date{std::numeric_limits<int32_t>::min()})
                   .ok());
}

TEST(MetricsTest, PeriodContainsDaysAndInstantsHalfOpen) {
  const Period p = ParsePeriod("2026-11")->period;
  EXPECT_FALSE(p.Contains(D("2026-10-31")));
  EXPECT_TRUE(p.Contains(D("2026-11-01")));
  EXPECT_TRUE(p.Contains(D("2026-11-30")));
  EXPECT_FALSE(p.Contains(D("2026-12-01")));
  EXPECT_FALSE(p.Contains(Timestamp{StartOf(D("2026-11-01")).millis - 1}));
  EXPECT_TRUE(p.Contains(StartOf(D("2026-11-01"))));
  EXPECT_TRUE(p.Contains(Timestamp{StartOf(D("2026-12-01")).millis - 1}));
  EXPECT_FALSE(p.Contains(StartOf(D("2026-12-01"))));
}

TEST(MetricsTest, PeriodContainingFindsTheUnitAroundADay) {
  struct Row {
    const char* day;
    PeriodUnit unit;
    const char *from, *to;
  };
  const Row rows[] = {
      {"2026-11-23", PeriodUnit::kDay, "2026-11-23", "2026-11-24"},
      {"2026-11-23", PeriodUnit::kWeek, "2026-11-23", "2026-11-30"},  // a Monday
      {"2026-11-25", PeriodUnit::kWeek, "2026-11-23", "2026-11-30"},
      {"2026-11-29", PeriodUnit::kWeek, "2026-11-23", "2026-11-30"},  // a Sunday
      {"2027-01-01", PeriodUnit::kWeek, "2026-12-28", "2027-01-04"},
      {"1970-01-01", PeriodUnit::kWeek, "1969-12-29", "1970-01-05"},  // a Thursday
      {"1969-12-28", PeriodUnit::kWeek, "1969-12-22", "1969-12-29"},  // before day 0
      {"2024-02-29", PeriodUnit::kMonth, "2024-02-01", "2024-03-01"},
      {"2026-12-31", PeriodUnit::kMonth, "2026-12-01", "2027-01-01"},
      {"2026-03-31", PeriodUnit::kQuarter, "2026-01-01", "2026-04-01"},
      {"2026-04-01", PeriodUnit::kQuarter, "2026-04-01", "2026-07-01"},
      {"2026-09-30", PeriodUnit::kQuarter, "2026-07-01", "2026-10-01"},
      {"2026-12-31", PeriodUnit::kQuarter, "2026-10-01", "2027-01-01"},
      {"2024-02-29", PeriodUnit::kYear, "2024-01-01", "2025-01-01"},
      {"2026-11-23", PeriodUnit::kCustom, "2026-11-23", "2026-11-24"},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(std::string(r.day) + " " + UnitName(r.unit));
    EXPECT_EQ(Show(PeriodContaining(D(r.day), r.unit)), std::string(r.from) + ".." + r.to);
  }
}

TEST(MetricsTest, PreviousPeriodIsThePreviousCalendarUnit) {
  struct Row {
    const char* period;
    const char* previous;
  };
  const Row rows[] = {
      {"2026-01", "2025-12"},
      {"2026-03", "2026-02"},
      {"2024-03", "2024-02"},
      {"2026-11", "2026-10"},
      {"2026-Q1", "2025-Q4"},
      {"2026-Q3", "2026-Q2"},
      {"2026", "2025"},
      {"2026-W01", "2025-W52"},
      {"2027-W01", "2026-W53"},
      {"2021-W01", "2020-W53"},
      {"2026-W48", "2026-W47"},
      {"2026-03-01", "2026-02-28"},
      {"2024-03-01", "2024-02-29"},
      {"2026-01-01", "2025-12-31"},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.period);
    const NamedPeriod p = *ParsePeriod(r.period);
    const NamedPeriod prev = PreviousPeriod(p);
    EXPECT_EQ(prev.unit, p.unit);
    EXPECT_EQ(PeriodLabel(prev), r.previous);
    EXPECT_EQ(prev.period, ParsePeriod(r.previous)->period);
  }
  // A custom period: the same number of days just before it.
  const NamedPeriod custom = *CustomPeriod(D("2026-11-01"), D("2026-12-16"));
  const NamedPeriod before = PreviousPeriod(custom);
  EXPECT_EQ(before.unit, PeriodUnit::kCustom);
  EXPECT_EQ(Show(before.period), "2026-09-17..2026-11-01");
  EXPECT_EQ(PeriodLabel(before), "2026-09-17..2026-10-31");
}

// Every day of forty years, in every unit: the period holds the day, its label parses back to
// it, and the previous period ends where it starts.
TEST(MetricsTest, PeriodsLabelsAndPreviousPeriodsAgreeForEveryDay) {
  for (Date d = D("2000-01-01"); d < D("2040-01-01"); d = AddDays(d, 1)) {
    for (PeriodUnit unit : {PeriodUnit::kDay, PeriodUnit::kWeek, PeriodUnit::kMonth,
                            PeriodUnit::kQuarter, PeriodUnit::kYear}) {
      const NamedPeriod p{PeriodContaining(d, unit), unit};
      ASSERT_TRUE(p.period.Contains(d)) << FormatDate(d) << " " << UnitName(unit);
      const std::string label = PeriodLabel(p);
      Result<NamedPeriod> parsed = ParsePeriod(label);
      ASSERT_TRUE(parsed.ok()) << label;
      ASSERT_EQ(parsed->period, p.period) << label;
      ASSERT_EQ(parsed->unit, unit) << label;
      const NamedPeriod prev = PreviousPeriod(p);
      ASSERT_EQ(prev.period.to, p.period.from) << label;
      ASSERT_EQ(prev.period, PeriodContaining(AddDays(p.period.from, -1), unit)) << label;
    }
  }
}

TEST(MetricsTest, MonthStartAndNextMonthStart) {
  struct Row {
    const char *day, *start, *next;
  };
  const Row rows[] = {
      {"2026-12-15", "2026-12-01", "2027-01-01"}, {"2024-02-29", "2024-02-01", "2024-03-01"},
      {"2026-01-01", "2026-01-01", "2026-02-01"}, {"2026-01-31", "2026-01-01", "2026-02-01"},
      {"1969-12-31", "1969-12-01", "1970-01-01"},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.day);
    EXPECT_EQ(FormatDate(MonthStart(D(r.day))), r.start);
    EXPECT_EQ(FormatDate(NextMonthStart(D(r.day))), r.next);
  }
}

// ---- Distributions and change ------------------------------------------------------------------

TEST(MetricsTest, SummarizeInterpolatesLikePercentileInc) {
  struct Row {
    const char* name;
    std::vector<double> values;
    int64_t count;
    Figure mean, median, p75, p90;
  };
  const Row rows[] = {
      {"empty", {}, 0, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
      {"one value", {5}, 1, 5.0, 5.0, 5.0, 5.0},
      {"two values", {20, 10}, 2, 15.0, 15.0, 17.5, 19.0},
      {"even count", {4, 1, 3, 2}, 4, 2.5, 2.5, 3.25, 3.7},
      {"odd count", {5, 3, 1, 4, 2}, 5, 3.0, 3.0, 4.0, 4.6},
      {"ties", {7, 7, 7}, 3, 7.0, 7.0, 7.0, 7.0},
      {"negative", {-10, 0, 10}, 3, 0.0, 0.0, 5.0, 8.0},
      {"ten days", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 10, 5.5, 5.5, 7.75, 9.1},
      {"not finite left out", {1, kNaN, 3, kInf, -kInf}, 2, 2.0, 2.0, 2.5, 2.8},
      {"only NaN", {kNaN}, 0, std::nullopt, std::nullopt, std::nullopt, std::nullopt},
      {"huge", {1e308, 1e308}, 2, 1e308, 1e308, 1e308, 1e308},
      {"huge apart", {-1.5e308, 1.5e308}, 2, 0.0, 0.0, 0.75e308, 1.2e308},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    const Distribution d = Summarize(r.values);
    EXPECT_EQ(d.count, r.count);
    ExpectFigure(d.mean, r.mean, "mean");
    ExpectFigure(d.median, r.median, "median");
    ExpectFigure(d.p75, r.p75, "p75");
    ExpectFigure(d.p90, r.p90, "p90");
  }
}

TEST(MetricsTest, PercentileOfAnyRank) {
  struct Row {
    std::vector<double> values;
    double p;
    Figure expected;
  };
  const Row rows[] = {
      {{1, 2, 3, 4}, 0, 1.0},
      {{1, 2, 3, 4}, 100, 4.0},
      {{1, 2, 3, 4}, 30, 1.9},  // PERCENTILE.INC({1,2,3,4}, 0.3)
      {{1, 2, 3, 4}, 50, 2.5},
      {{3, 1, 2}, 50, 2.0},
      {{15, 20, 35, 40, 50}, 40, 29.0},  // rank 1.6: 20 + 0.6 × 15
      {{42}, 17, 42.0},
      {{}, 50, std::nullopt},
      {{1, 2}, -1, std::nullopt},
      {{1, 2}, 100.5, std::nullopt},
      {{1, 2}, kNaN, std::nullopt},
  };
  for (const Row& r : rows) {
    ExpectFigure(Percentile(r.values, r.p), r.expected, "p" + std::to_string(r.p));
  }
}

// Large inputs go through the radix selection; every percentile must equal the one read from a
// fully sorted copy, whatever the shape of the values.
TEST(MetricsTest, LargeDistributionsMatchASortedReference) {
  std::mt19937_64 random(7);
  auto uniform = [&](double low, double high) {
    return std::uniform_real_distribution<double>(low, high)(random);
  };
  struct Shape {
    const char* name;
    std::function<double(size_t)> value;
  };
  const Shape shapes[] = {
      {"stay days", [&](size_t) { return std::exp(uniform(-3, 6)); }},
      {"whole days with many ties", [&](size_t i) { return static_cast<double>(i % 97); }},
      {"all equal", [&](size_t) { return 12.5; }},
      {"one narrow bucket", [&](size_t) { return 1.0 + uniform(0, 1e-12); }},
      {"signed and zeros",
       [&](size_t i) { return i % 5 == 0 ? (i % 2 ? -0.0 : 0.0) : uniform(-1e6, 1e6); }},
      {"huge apart", [&](size_t i) { return i % 2 ? 1.5e308 : -1.5e308; }},
  };
  for (const Shape& shape : shapes) {
    for (size_t n : {4097u, 100'000u}) {
      SCOPED_TRACE(std::string(shape.name) + " n=" + std::to_string(n));
      std::vector<double> values(n);
      for (size_t i = 0; i < n; ++i) values[i] = shape.value(i);
      std::vector<double> sorted = values;
      std::sort(sorted.begin(), sorted.end());
      auto reference = [&](double p) {
        const double rank = (static_cast<double>(n) - 1) * p / 100;
        const size_t lo = static_cast<size_t>(std::floor(rank));
        const size_t hi = std::min(lo + 1, n - 1);
        const double fraction = rank - static_cast<double>(lo);
        if (fraction == 0 || sorted[lo] == sorted[hi]) return sorted[lo];
        const double gap = sorted[hi] - sorted[lo];
        if (std::isfinite(gap)) return sorted[lo] + fraction * gap;
        return (1 - fraction) * sorted[lo] + fraction * sorted[hi];
      };
      const Distribution d = Summarize(values);
      EXPECT_EQ(d.count, static_cast<int64_t>(n));
      ExpectFigure(d.median, reference(50), "median");
      ExpectFigure(d.p75, reference(75), "p75");
      ExpectFigure(d.p90, reference(90), "p90");
      for (double p : {0.0, 1.0, 33.3, 99.99, 100.0}) {
        ExpectFigure(Percentile(values, p), reference(p), "p" + std::to_string(p));
      }
    }
  }
}

// Values gathered in parts (one per thread) summarise exactly as the same values in one piece.
TEST(MetricsTest, PartsSummariseLikeTheWhole) {
  std::mt19937_64 random(11);
  std::uniform_real_distribution<double> days(0, 400);
  for (size_t n : {0u, 3u, 5000u, 60'000u}) {
    std::vector<double> whole(n);
    for (double& v : whole) v = std::floor(days(random) * 24) / 24;  // whole hours: many ties
    if (n > 0) whole[n / 2] = kNaN;                                  // left out in both
    const size_t cut = n / 3;
    const std::vector<double> first(whole.begin(), whole.begin() + cut);
    const std::vector<double> second(whole.begin() + cut, whole.end());
    const std::span<const double> parts[] = {first, {}, second};
    SCOPED_TRACE("n=" + std::to_string(n));
    const Distribution a = Summarize(whole), b = Summarize(parts);
    EXPECT_EQ(a.count, b.count);
    ExpectFigure(b.mean, a.mean, "mean");
    EXPECT_EQ(a.median, b.median);
    EXPECT_EQ(a.p75, b.p75);
    EXPECT_EQ(a.p90, b.p90);
    EXPECT_EQ(Percentile(whole, 42), Percentile(parts, 42));
  }
}

TEST(MetricsTest, CompareGivesChangeAndPercentOnlyWhenDefined) {
  struct Row {
    Figure current, previous, change, percent;
  };
  const Row rows[] = {
      {10.0, 8.0, 2.0, 25.0},
      {6.0, 8.0, -2.0, -25.0},
      {8.0, 8.0, 0.0, 0.0},
      {3.0, -4.0, 7.0, 175.0},  // against |previous|
      {5.0, 0.0, 5.0, std::nullopt},
      {0.0, 0.0, 0.0, std::nullopt},
      {std::nullopt, 3.0, std::nullopt, std::nullopt},
      {3.0, std::nullopt, std::nullopt, std::nullopt},
      {std::nullopt, std::nullopt, std::nullopt, std::nullopt},
      {1e308, -1e308, std::nullopt, std::nullopt},  // the change overflows
      {kNaN, 1.0, std::nullopt, std::nullopt},
  };
  for (const Row& r : rows) {
    const std::string what = Show(r.current) + " vs " + Show(r.previous);
    const Comparison c = Compare(r.current, r.previous);
    if (r.current && std::isfinite(*r.current)) {
      ExpectFigure(c.current, r.current, what + " current");
    } else {
      EXPECT_FALSE(c.current) << what;
    }
    ExpectFigure(c.previous, r.previous, what + " previous");
    ExpectFigure(c.change, r.change, what + " change");
    ExpectFigure(c.change_percent, r.percent, what + " change_percent");
  }
}

// ---- Velocity, coverage, attainment ------------------------------------------------------------

VelocityFactors Factors(double open, Figure win, Figure avg, Figure cycle) {
  VelocityFactors f;
  f.open_deals = open;
  f.win_rate = win;
  f.average_deal_minor = avg;
  f.cycle_days = cycle;
  return f;
}

TEST(MetricsTest, VelocityIsNaWhenAFactorIs) {
  struct Row {
    const char* name;
    VelocityFactors f;
    Figure expected;
  };
  const Row rows[] = {
      {"all known", Factors(10, 0.5, 1000, 20), 250.0},
      {"no open deals", Factors(0, 0.5, 1000, 20), 0.0},
      {"no win rate", Factors(10, std::nullopt, 1000, 20), std::nullopt},
      {"no average", Factors(10, 0.5, std::nullopt, 20), std::nullopt},
      {"no cycle", Factors(10, 0.5, 1000, std::nullopt), std::nullopt},
      {"zero-day cycle", Factors(10, 0.5, 1000, 0.0), std::nullopt},
      {"overflow", Factors(1e300, 1.0, 1e300, 1e-300), std::nullopt},
  };
  for (const Row& r : rows) ExpectFigure(Velocity(r.f), r.expected, r.name);
}

TEST(MetricsTest, VelocityDriverNamesTheFactorThatMovedMost) {
  const VelocityFactors base = Factors(10, 0.5, 1000, 20);
  struct Row {
    const char* name;
    VelocityFactors current, previous;
    std::optional<std::string> expected;
  };
  const Row rows[] = {
      {"nothing moved", base, base, std::nullopt},
      {"more open deals", Factors(20, 0.5, 1000, 20), base, "open_deals"},
      {"win rate halved", Factors(10, 0.25, 1000, 20), base, "win_rate"},
      {"bigger deals", Factors(12, 0.5, 3000, 20), base, "average_deal_size"},
      // A cycle twice as fast (log 2) beats a win rate up by half (log 1.5).
      {"faster cycle", Factors(10, 0.75, 1000, 10), base, "cycle_days"},
      {"slower cycle", Factors(11, 0.5, 1000, 60), base, "cycle_days"},
      // Opposite moves that cancel out: the velocity is equal, yet a factor moved most.
      {"opposite moves", Factors(20, 0.5, 500, 20), Factors(10, 0.5, 1000, 20), "open_deals"},
      {"previous zero", base, Factors(0, 0.5, 1000, 20), std::nullopt},
      {"current zero", Factors(0, 0.5, 1000, 20), base, std::nullopt},
      {"current n/a", Factors(10, std::nullopt, 1000, 20), base, std::nullopt},
      {"previous n/a", base, Factors(10, 0.5, 1000, 0.0), std::nullopt},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(VelocityDriver(r.current, r.previous), r.expected);
  }
}

TEST(MetricsTest, CoverageAndAttainment) {
  struct CoverageRow {
    double open, quota, achieved;
    Figure expected;
  };
  const CoverageRow coverage[] = {
      {300, 200, 100, 3.0},          {300, 200, 0, 1.5},        {0, 200, 100, 0.0},
      {300, 100, 100, std::nullopt},  // quota met
      {300, 100, 150, std::nullopt}, {300, 0, 0, std::nullopt}, {kNaN, 200, 100, std::nullopt},
  };
  for (const CoverageRow& r : coverage) {
    ExpectFigure(Coverage(r.open, r.quota, r.achieved), r.expected,
                 "coverage " + std::to_string(r.open) + "/" + std::to_string(r.quota) + "-" +
                     std::to_string(r.achieved));
  }
  struct AttainmentRow {
    double achieved, target;
    Figure expected;
  };
  const AttainmentRow attainment[] = {
      {50, 200, 0.25},       {300, 200, 1.5},         {0, 200, 0.0},
      {50, 0, std::nullopt}, {50, -10, std::nullopt}, {50, kNaN, std::nullopt},
  };
  for (const AttainmentRow& r : attainment) {
    ExpectFigure(Attainment(r.achieved, r.target), r.expected,
                 "attainment " + std::to_string(r.achieved) + "/" + std::to_string(r.target));
  }
}

// ---- Planner ------------------------------------------------------------------------------------

TEST(MetricsTest, PlannerDividesExactlyOnIntegers) {
  struct Row {
    const char* name;
    PlannerInput in;
    int64_t deals, leads, per_rep;
  };
  const Row rows[] = {
      // DESIGN §5: target 100,000, average 500, close rate 80%, 10 reps.
      {"design example", {100'000, 500, 8000, 10}, 200, 250, 25},
      {"one more", {100'001, 500, 8000, 10}, 201, 252, 26},
      {"nothing to win", {0, 500, 8000, 3}, 0, 0, 0},
      {"one deal", {1000, 1000, 10'000, 1}, 1, 1, 1},
      {"a third", {1000, 300, 3333, 4}, 4, 13, 4},
      {"tiny close rate", {1000, 1000, 1, 1}, 1, 10'000, 10'000},
      {"more reps than leads", {500, 500, 5000, 7}, 1, 2, 1},
      {"largest",
       {kMaxAmountMinor, 1, 10'000, 1},
       kMaxAmountMinor,
       kMaxAmountMinor,
       kMaxAmountMinor},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    Result<PlannerResult> plan = PlanPipeline(r.in);
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    EXPECT_EQ(plan->deals_needed, r.deals);
    EXPECT_EQ(plan->leads_needed, r.leads);
    EXPECT_EQ(plan->leads_per_rep, r.per_rep);
  }
  // The close rate as a measured share, converted once: 0.8 is not exact in binary, yet the
  // plan is.
  EXPECT_EQ(PlanPipeline({100'000, 500, ToBasisPoints(0.8), 10})->leads_needed, 250);
}

TEST(MetricsTest, PlannerRejectsEachBadInput) {
  struct Row {
    PlannerInput in;
    const char* field;
  };
  const Row rows[] = {
      {{-1, 500, 8000, 10}, "target"},
      {{kMaxAmountMinor + 1, 500, 8000, 10}, "target"},
      {{kMaxAmountMinor, 1, 1, 1}, "target"},  // 10^19 leads do not fit 64 bits
      {{100'000, 0, 8000, 10}, "average_deal_size"},
      {{100'000, -500, 8000, 10}, "average_deal_size"},
      {{100'000, kMaxAmountMinor + 1, 8000, 10}, "average_deal_size"},
      {{100'000, 500, 0, 10}, "close_rate"},
      {{100'000, 500, -1, 10}, "close_rate"},
      {{100'000, 500, 10'001, 10}, "close_rate"},
      {{100'000, 500, 8000, 0}, "reps"},
      {{100'000, 500, 8000, -3}, "reps"},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.field);
    Result<PlannerResult> plan = PlanPipeline(r.in);
    ASSERT_FALSE(plan.ok());
    EXPECT_EQ(plan.status().code(), ErrorCode::kInvalid);
    EXPECT_EQ(plan.status().field(), r.field);
  }
}

TEST(MetricsTest, ToBasisPointsRoundsAndClamps) {
  struct Row {
    double rate;
    int32_t bp;
  };
  const Row rows[] = {{0.8, 8000},  {0.25, 2500}, {1.0 / 3, 3333}, {2.0 / 3, 6667},
                      {0, 0},       {1, 10'000},  {-0.5, 0},       {1.5, 10'000},
                      {0.00004, 0}, {0.00006, 1}, {kNaN, 0},       {kInf, 10'000}};
  for (const Row& r : rows) EXPECT_EQ(ToBasisPoints(r.rate), r.bp) << r.rate;
}

// ---- Health thresholds --------------------------------------------------------------------------

TEST(MetricsTest, HealthSettingsDefaultsAndLimitsAreValid) {
  EXPECT_TRUE(ValidateHealthSettings(HealthSettings{}).ok());
  HealthSettings edges;
  edges.stuck_percentile = 1;
  edges.aged_percentile = 99;
  edges.stuck_min_samples = edges.overload_min_deals = edges.late_stage_limit = 1;
  edges.overload_factor = 100;
  edges.coverage_target = 0.1;
  edges.lookback_days = 7;
  edges.late_stage_ids = {3, 9};
  edges.unqualified_reasons.clear();
  EXPECT_TRUE(ValidateHealthSettings(edges).ok());
  edges.overload_factor = 1.01;
  edges.coverage_target = 100;
  edges.lookback_days = 3660;
  edges.unqualified_reasons = std::vector<std::string>(50, "Spam");
  EXPECT_TRUE(ValidateHealthSettings(edges).ok());
}

TEST(MetricsTest, HealthSettingsRejectEachBadField) {
  struct Row {
    const char* name;
    std::function<void(HealthSettings&)> change;
    const char* field;
  };
  const Row rows[] = {
      {"stuck 0", [](HealthSettings& s) { s.stuck_percentile = 0; }, "stuck_percentile"},
      {"stuck 100", [](HealthSettings& s) { s.stuck_percentile = 100; }, "stuck_percentile"},
      {"samples 0", [](HealthSettings& s) { s.stuck_min_samples = 0; }, "stuck_min_samples"},
      {"factor 1", [](HealthSettings& s) { s.overload_factor = 1; }, "overload_factor"},
      {"factor 0.5", [](HealthSettings& s) { s.overload_factor = 0.5; }, "overload_factor"},
      {"factor 100.5", [](HealthSettings& s) { s.overload_factor = 100.5; }, "overload_factor"},
      {"factor NaN", [](HealthSettings& s) { s.overload_factor = kNaN; }, "overload_factor"},
      {"min deals 0", [](HealthSettings& s) { s.overload_min_deals = 0; }, "overload_min_deals"},
      {"late limit 0", [](HealthSettings& s) { s.late_stage_limit = -2; }, "late_stage_limit"},
      {"late stage 0",
       [](HealthSettings& s) {
         s.late_stage_ids = {3, 0};
       },
       "late_stage_ids[1]"},
      {"late stage twice",
       [](HealthSettings& s) {
         s.late_stage_ids = {4, 5, 4};
       },
       "late_stage_ids[2]"},
      {"coverage 0.09", [](HealthSettings& s) { s.coverage_target = 0.09; }, "coverage_target"},
      {"coverage 101", [](HealthSettings& s) { s.coverage_target = 101; }, "coverage_target"},
      {"coverage inf", [](HealthSettings& s) { s.coverage_target = kInf; }, "coverage_target"},
      {"aged 0", [](HealthSettings& s) { s.aged_percentile = 0; }, "aged_percentile"},
      {"aged 100", [](HealthSettings& s) { s.aged_percentile = 100; }, "aged_percentile"},
      {"blank reason",
       [](HealthSettings& s) {
         s.unqualified_reasons = {"Spam", "  "};
       },
       "unqualified_reasons[1]"},
      {"two-line reason", [](HealthSettings& s) { s.unqualified_reasons = {"Sp\nam"}; },
       "unqualified_reasons[0]"},
      {"long reason",
       [](HealthSettings& s) { s.unqualified_reasons = {std::string(kMaxTitleLength + 1, 'x')}; },
       "unqualified_reasons[0]"},
      {"51 reasons", [](HealthSettings& s) { s.unqualified_reasons.assign(51, "Spam"); },
       "unqualified_reasons"},
      {"lookback 6", [](HealthSettings& s) { s.lookback_days = 6; }, "lookback_days"},
      {"lookback 3661", [](HealthSettings& s) { s.lookback_days = 3661; }, "lookback_days"},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    HealthSettings s;
    r.change(s);
    const Status status = ValidateHealthSettings(s);
    EXPECT_EQ(status.code(), ErrorCode::kInvalid) << status.ToString();
    EXPECT_EQ(status.field(), r.field);
  }
}

// ---- Teams, quotas, snoozes ---------------------------------------------------------------------

TEST(MetricsTest, TeamsNeedANameAndPatchesApply) {
  Team t;
  EXPECT_EQ(ValidateTeam(t).field(), "name");
  t.name = "  ";
  EXPECT_EQ(ValidateTeam(t).field(), "name");
  t.name = std::string(kMaxTitleLength + 1, 'x');
  EXPECT_EQ(ValidateTeam(t).field(), "name");
  t.name = "EMEA";
  EXPECT_TRUE(ValidateTeam(t).ok());

  TeamPatch p;
  p.name = "Americas";
  p.manager_id = Id{7};
  Team changed = Apply(t, p);
  EXPECT_EQ(changed.name, "Americas");
  EXPECT_EQ(changed.manager_id, 7);
  EXPECT_EQ(Apply(changed, TeamPatch{}).manager_id, 7) << "untouched";
  TeamPatch clear;
  clear.manager_id.emplace();
  EXPECT_FALSE(Apply(changed, clear).manager_id);
  EXPECT_EQ(Apply(changed, clear).name, "Americas");
}

Quota CompanyQuota() {
  Quota q;
  q.scope = QuotaScope::kCompany;
  q.period = QuotaPeriod::kMonth;
  q.metric = QuotaMetric::kWonValue;
  q.target = 1'000'000;
  q.currency = "USD";
  q.starts_on = D("2026-01-01");
  return q;
}

TEST(MetricsTest, QuotaRules) {
  EXPECT_TRUE(ValidateQuota(CompanyQuota()).ok());
  struct Row {
    const char* name;
    std::function<void(Quota&)> change;
    const char* field;  // "" = valid
  };
  const Row rows[] = {
      {"user quota", [](Quota& q) { q.scope = QuotaScope::kUser, q.user_id = 3; }, ""},
      {"user quota without user", [](Quota& q) { q.scope = QuotaScope::kUser; }, "user_id"},
      {"user quota with team",
       [](Quota& q) { q.scope = QuotaScope::kUser, q.user_id = 3, q.team_id = 4; }, "team_id"},
      {"team quota", [](Quota& q) { q.scope = QuotaScope::kTeam, q.team_id = 4; }, ""},
      {"team quota without team", [](Quota& q) { q.scope = QuotaScope::kTeam; }, "team_id"},
      {"team quota with user",
       [](Quota& q) { q.scope = QuotaScope::kTeam, q.team_id = 4, q.user_id = 3; }, "user_id"},
      {"company quota with user", [](Quota& q) { q.user_id = 3; }, "user_id"},
      {"company quota with team", [](Quota& q) { q.team_id = 4; }, "team_id"},
      {"target 0", [](Quota& q) { q.target = 0; }, "target"},
      {"target negative", [](Quota& q) { q.target = -5; }, "target"},
      {"target largest", [](Quota& q) { q.target = kMaxAmountMinor; }, ""},
      {"target too large", [](Quota& q) { q.target = kMaxAmountMinor + 1; }, "target"},
      {"won value without currency", [](Quota& q) { q.currency = ""; }, "currency"},
      {"unknown currency", [](Quota& q) { q.currency = "XYZ"; }, "currency"},
      {"lower-case currency", [](Quota& q) { q.currency = "usd"; }, "currency"},
      {"deals won without currency",
       [](Quota& q) { q.metric = QuotaMetric::kDealsWon, q.currency = ""; }, ""},
      {"deals won with currency", [](Quota& q) { q.metric = QuotaMetric::kDealsWon; }, "currency"},
      {"activities with currency", [](Quota& q) { q.metric = QuotaMetric::kActivitiesDone; },
       "currency"},
      {"weekly, pipeline", [](Quota& q) { q.period = QuotaPeriod::kWeek, q.pipeline_id = 2; }, ""},
      {"ends after start", [](Quota& q) { q.ends_on = D("2026-01-02"); }, ""},
      {"ends on start", [](Quota& q) { q.ends_on = D("2026-01-01"); }, "ends_on"},
      {"ends before start", [](Quota& q) { q.ends_on = D("2025-12-01"); }, "ends_on"},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    Quota q = CompanyQuota();
    r.change(q);
    const Status s = ValidateQuota(q);
    if (std::string(r.field).empty()) {
      EXPECT_TRUE(s.ok()) << s.ToString();
    } else {
      EXPECT_EQ(s.code(), ErrorCode::kInvalid) << s.ToString();
      EXPECT_EQ(s.field(), r.field);
    }
  }
}

TEST(MetricsTest, QuotaPatchesSetAndClearFields) {
  Quota q = CompanyQuota();
  q.pipeline_id = 5;
  q.ends_on = D("2027-01-01");
  EXPECT_EQ(Apply(q, QuotaPatch{}).pipeline_id, 5) << "an empty patch changes nothing";

  QuotaPatch p;
  p.scope = QuotaScope::kUser;
  p.user_id = Id{3};
  p.period = QuotaPeriod::kQuarter;
  p.metric = QuotaMetric::kDealsWon;
  p.target = 12;
  p.currency = "";
  p.pipeline_id.emplace();
  p.starts_on = D("2026-04-01");
  p.ends_on.emplace();
  const Quota changed = Apply(q, p);
  EXPECT_EQ(changed.scope, QuotaScope::kUser);
  EXPECT_EQ(changed.user_id, 3);
  EXPECT_FALSE(changed.team_id);
  EXPECT_EQ(changed.period, QuotaPeriod::kQuarter);
  EXPECT_EQ(changed.metric, QuotaMetric::kDealsWon);
  EXPECT_EQ(changed.target, 12);
  EXPECT_EQ(changed.currency, "");
  EXPECT_FALSE(changed.pipeline_id);
  EXPECT_EQ(changed.starts_on, D("2026-04-01"));
  EXPECT_FALSE(changed.ends_on);
  EXPECT_TRUE(ValidateQuota(changed).ok());

  QuotaPatch to_team;
  to_team.scope = QuotaScope::kTeam;
  to_team.team_id = Id{8};
  to_team.user_id.emplace();
  to_team.ends_on = D("2026-07-01");
  const Quota team = Apply(changed, to_team);
  EXPECT_FALSE(team.user_id);
  EXPECT_EQ(team.team_id, 8);
  EXPECT_EQ(team.ends_on, D("2026-07-01"));
}

TEST(MetricsTest, SnoozesNeedAReasonAndAFutureDate) {
  const Date today = D("2026-03-02");
  struct Row {
    const char* name;
    std::string reason;
    Date until;
    const char* field;
  };
  const Row rows[] = {
      {"tomorrow", "Waiting for budget", D("2026-03-03"), ""},
      {"next year", "Waiting for budget", D("2027-03-02"), ""},
      {"today", "Waiting for budget", today, "until"},
      {"yesterday", "Waiting for budget", D("2026-03-01"), "until"},
      {"no reason", "", D("2026-03-03"), "reason"},
      {"blank reason", " \t", D("2026-03-03"), "reason"},
      {"long reason", std::string(kMaxTitleLength + 1, 'x'), D("2026-03-03"), "reason"},
      {"bad UTF-8", "\xff", D("2026-03-03"), "reason"},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    FlagSnooze s;
    s.deal_id = 1;
    s.flag = HealthFlag::kStuck;
    s.reason = r.reason;
    s.until = r.until;
    const Status status = ValidateSnooze(s, today);
    if (std::string(r.field).empty()) {
      EXPECT_TRUE(status.ok()) << status.ToString();
    } else {
      EXPECT_EQ(status.code(), ErrorCode::kInvalid) << status.ToString();
      EXPECT_EQ(status.field(), r.field);
    }
  }
}

}  // namespace
}  // namespace pipedeck
