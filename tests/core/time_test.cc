#include "core/time.h"

#include <gtest/gtest.h>

namespace pipedeck {
namespace {

Timestamp At(int year, int month, int day, int hour = 0, int minute = 0, int second = 0,
             int millis = 0) {
  return {StartOf(*MakeDate(year, month, day)).millis +
          ((hour * 60LL + minute) * 60 + second) * 1000 + millis};
}

TEST(TimeTest, CivilDatesMatchKnownDayNumbers) {
  struct Row {
    int y, m, d;
    int32_t days;
  };
  const Row rows[] = {
      {1970, 1, 1, 0},       {1970, 1, 2, 1},       {1969, 12, 31, -1},   {2000, 1, 1, 10957},
      {2000, 2, 29, 11016},  {2000, 3, 1, 11017},   {2024, 2, 29, 19782}, {1900, 3, 1, -25508},
      {1600, 1, 1, -135140}, {2026, 11, 23, 20780},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(testing::Message() << r.y << "-" << r.m << "-" << r.d);
    const auto d = MakeDate(r.y, r.m, r.d);
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->days, r.days);
  }
}

TEST(TimeTest, MakeDateRejectsDaysThatDoNotExist) {
  struct Row {
    int y, m, d;
  };
  const Row rows[] = {{2026, 2, 29}, {2026, 2, 30}, {1900, 2, 29}, {2026, 4, 31}, {2026, 13, 1},
                      {2026, 0, 1},  {2026, 1, 0},  {2026, 1, 32}, {2026, -1, 1}};
  for (const Row& r : rows) {
    EXPECT_FALSE(MakeDate(r.y, r.m, r.d).has_value()) << r.y << "-" << r.m << "-" << r.d;
  }
}

TEST(TimeTest, EveryDayOfFourHundredYearsRoundTrips) {
  const Date first = *MakeDate(1800, 1, 1);
  const Date last = *MakeDate(2200, 1, 1);
  for (Date d = first; d < last; d = AddDays(d, 1)) {
    const auto back = ParseDate(FormatDate(d));
    ASSERT_TRUE(back.has_value()) << FormatDate(d);
    ASSERT_EQ(back->days, d.days) << FormatDate(d);
  }
}

TEST(TimeTest, DateOfAndDaysBetweenRoundTowardThePast) {
  EXPECT_EQ(DateOf(Timestamp{0}).days, 0);
  EXPECT_EQ(DateOf(Timestamp{kMillisPerDay - 1}).days, 0);
  EXPECT_EQ(DateOf(Timestamp{-1}).days, -1);
  EXPECT_EQ(DateOf(Timestamp{-kMillisPerDay}).days, -1);
  EXPECT_EQ(DateOf(Timestamp{-kMillisPerDay - 1}).days, -2);
  EXPECT_EQ(StartOf(Date{3}).millis, 3 * kMillisPerDay);

  const Timestamp t = At(2026, 3, 1, 12);
  EXPECT_EQ(DaysBetween(t, t), 0);
  EXPECT_EQ(DaysBetween(t, AddDays(t, 3)), 3);
  EXPECT_EQ(DaysBetween(t, Timestamp{AddDays(t, 3).millis - 1}), 2);
  EXPECT_EQ(DaysBetween(t, Timestamp{t.millis - 1}), -1);
  EXPECT_EQ(DaysBetween(t, AddDays(t, -2)), -2);
}

TEST(TimeTest, FormatTimestamp) {
  struct Row {
    Timestamp t;
    const char* text;
  };
  const Row rows[] = {
      {Timestamp{0}, "1970-01-01T00:00:00Z"},
      {At(2026, 11, 23, 12, 9, 15), "2026-11-23T12:09:15Z"},
      {At(2026, 11, 23, 12, 9, 15, 250), "2026-11-23T12:09:15.250Z"},
      {At(2026, 11, 23, 12, 9, 15, 7), "2026-11-23T12:09:15.007Z"},
      {At(2024, 2, 29, 23, 59, 59, 999), "2024-02-29T23:59:59.999Z"},
      {Timestamp{-1}, "1969-12-31T23:59:59.999Z"},
  };
  for (const Row& r : rows) EXPECT_EQ(FormatTimestamp(r.t), r.text);
}

// The Append* formatters write exactly what the Format* functions return, after what `out` holds.
TEST(TimeTest, AppendTimestampAndDate) {
  struct Row {
    Timestamp t;
    const char* instant;
    const char* date;  // DateOf(t)
  };
  const Row rows[] = {
      {Timestamp{0}, "1970-01-01T00:00:00Z", "1970-01-01"},
      {Timestamp{1}, "1970-01-01T00:00:00.001Z", "1970-01-01"},
      {Timestamp{-1}, "1969-12-31T23:59:59.999Z", "1969-12-31"},
      {At(2024, 2, 29), "2024-02-29T00:00:00Z", "2024-02-29"},
      {At(2000, 2, 29, 23, 59, 59, 999), "2000-02-29T23:59:59.999Z", "2000-02-29"},
      {At(2026, 11, 23, 12, 9, 15), "2026-11-23T12:09:15Z", "2026-11-23"},
      {At(2026, 11, 23, 12, 9, 15, 10), "2026-11-23T12:09:15.010Z", "2026-11-23"},
      {At(2026, 11, 23, 12, 9, 15, 100), "2026-11-23T12:09:15.100Z", "2026-11-23"},
      {At(9999, 12, 31, 23, 59, 59, 999), "9999-12-31T23:59:59.999Z", "9999-12-31"},
      {At(10000, 1, 1), "10000-01-01T00:00:00Z", "10000-01-01"},
      {At(1, 1, 1), "0001-01-01T00:00:00Z", "0001-01-01"},
      {At(0, 1, 1), "0000-01-01T00:00:00Z", "0000-01-01"},
      {At(-1, 12, 31, 23, 59, 59, 999), "-0001-12-31T23:59:59.999Z", "-0001-12-31"},
      {At(-44, 3, 15, 12), "-0044-03-15T12:00:00Z", "-0044-03-15"},
      {At(-12345, 6, 7), "-12345-06-07T00:00:00Z", "-12345-06-07"},
      {Timestamp{8'640'000'000'000'000}, "275760-09-13T00:00:00Z", "275760-09-13"},
      {Timestamp{-8'640'000'000'000'000}, "-271821-04-20T00:00:00Z", "-271821-04-20"},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.instant);
    EXPECT_EQ(FormatTimestamp(r.t), r.instant);
    EXPECT_EQ(FormatDate(DateOf(r.t)), r.date);
    std::string out = "x";
    AppendTimestamp(r.t, out);
    AppendDate(DateOf(r.t), out);
    EXPECT_EQ(out, std::string("x") + r.instant + r.date);
  }
}

TEST(TimeTest, AppendTimeOfDay) {
  struct Row {
    int32_t minutes;
    const char* text;
  };
  // Out-of-range values are never stored; they are written as "%02d:%02d" would write them.
  const Row rows[] = {{0, "00:00"},   {1, "00:01"},    {59, "00:59"},   {60, "01:00"},
                      {570, "09:30"}, {1439, "23:59"}, {1440, "24:00"}, {6000, "100:00"},
                      {-1, "00:-1"},  {-90, "-1:-30"}};
  for (const Row& r : rows) {
    EXPECT_EQ(FormatTimeOfDay(TimeOfDay{r.minutes}), r.text) << r.minutes;
    std::string out = "x";
    AppendTimeOfDay(TimeOfDay{r.minutes}, out);
    EXPECT_EQ(out, std::string("x") + r.text) << r.minutes;
  }
}

TEST(TimeTest, ParseTimestampAccepts) {
  struct Row {
    const char* text;
    Timestamp expected;
  };
  const Row rows[] = {
      {"2026-11-23T12:09:15Z", At(2026, 11, 23, 12, 9, 15)},
      {"2026-11-23T12:09:15", At(2026, 11, 23, 12, 9, 15)},
      {"2026-11-23 12:09:15Z", At(2026, 11, 23, 12, 9, 15)},
      {"2026-11-23t12:09:15z", At(2026, 11, 23, 12, 9, 15)},
      {"2026-11-23T12:09:15.250Z", At(2026, 11, 23, 12, 9, 15, 250)},
      {"2026-11-23T12:09:15.5Z", At(2026, 11, 23, 12, 9, 15, 500)},
      {"2026-11-23T12:09:15.123456Z", At(2026, 11, 23, 12, 9, 15, 123)},
      {"2026-11-23T12:09:15.999999999Z", At(2026, 11, 23, 12, 9, 15, 999)},
      {"2026-11-23T12:09:15+02:00", At(2026, 11, 23, 10, 9, 15)},
      {"2026-11-23T12:09:15-05:30", At(2026, 11, 23, 17, 39, 15)},
      {"2026-11-23T12:09:15.250+00:00", At(2026, 11, 23, 12, 9, 15, 250)},
      {"2026-11-23T12:09:15-00:00", At(2026, 11, 23, 12, 9, 15)},
      {"2026-01-01T01:00:00+02:00", At(2025, 12, 31, 23)},
      {"2026-12-31T23:30:00-01:00", At(2027, 1, 1, 0, 30)},
      {"2024-02-29T00:00:00Z", At(2024, 2, 29)},
      {"1969-12-31T23:59:59.999Z", Timestamp{-1}},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.text);
    const auto t = ParseTimestamp(r.text);
    ASSERT_TRUE(t.has_value());
    EXPECT_EQ(t->millis, r.expected.millis);
  }
}

TEST(TimeTest, ParseTimestampRejects) {
  const char* rows[] = {
      "",
      "garbage",
      "2026-11-23",
      "2026-11-23T",
      "2026-11-23T12:09",
      "2026-11-23T12:09Z",
      "2026-11-23T12:09:15ZZ",
      "2026-11-23T12:09:15Z ",
      " 2026-11-23T12:09:15Z",
      "2026-11-23T12:09:15.Z",
      "2026-11-23T12:09:15.1234567890Z",
      "2026-11-23T12:09:15+02",
      "2026-11-23T12:09:15+0200",
      "2026-11-23T12:09:15+02:00x",
      "2026-11-23T12:09:15+24:00",
      "2026-11-23T12:09:15+02:60",
      "2026-11-23T24:00:00Z",
      "2026-11-23T12:60:00Z",
      "2026-11-23T12:09:60Z",
      "2026-13-01T00:00:00Z",
      "2026-02-30T00:00:00Z",
      "2026-11-23X12:09:15Z",
      "2026/11/23T12:09:15Z",
      "2026-11-23T1:09:15Z",
      "2026-11-23T+1:09:15Z",
      "+026-11-23T12:09:15Z",
      "2026-11-23T12:09:15 +02:00",
  };
  for (const char* text : rows) EXPECT_FALSE(ParseTimestamp(text).has_value()) << text;
}

TEST(TimeTest, TimestampsRoundTrip) {
  const Timestamp rows[] = {Timestamp{0},
                            Timestamp{1},
                            Timestamp{-1},
                            At(2026, 11, 23, 12, 9, 15),
                            At(2026, 11, 23, 12, 9, 15, 1),
                            At(1999, 12, 31, 23, 59, 59, 999),
                            At(2400, 2, 29, 6)};
  for (const Timestamp t : rows) {
    const auto back = ParseTimestamp(FormatTimestamp(t));
    ASSERT_TRUE(back.has_value()) << FormatTimestamp(t);
    EXPECT_EQ(back->millis, t.millis) << FormatTimestamp(t);
  }
}

TEST(TimeTest, ParseDate) {
  EXPECT_EQ(ParseDate("1970-01-01")->days, 0);
  EXPECT_EQ(ParseDate("2024-02-29")->days, 19782);
  EXPECT_EQ(FormatDate(Date{19782}), "2024-02-29");
  EXPECT_EQ(FormatDate(Date{-1}), "1969-12-31");
  const char* rejects[] = {"",           "2026-1-01",  "2026-01-1",   "2026-01-011", "2026-01-01Z",
                           "2026-02-29", "2026-02-30", "2026-13-01",  "2026-00-10",  "2026-04-31",
                           "2026/01/01", "26-01-01",   "2026-01-01 ", "+206-01-01",  "2026-0a-01",
                           "2026-01-00"};
  for (const char* text : rejects) EXPECT_FALSE(ParseDate(text).has_value()) << text;
}

TEST(TimeTest, TimeOfDay) {
  struct Row {
    const char* text;
    int32_t minutes;
  };
  const Row accepts[] = {{"00:00", 0}, {"09:30", 570}, {"23:59", 1439}, {"12:00:00", 720}};
  for (const Row& r : accepts) {
    const auto t = ParseTimeOfDay(r.text);
    ASSERT_TRUE(t.has_value()) << r.text;
    EXPECT_EQ(t->minutes, r.minutes) << r.text;
  }
  EXPECT_EQ(FormatTimeOfDay(TimeOfDay{570}), "09:30");
  EXPECT_EQ(FormatTimeOfDay(TimeOfDay{0}), "00:00");
  EXPECT_EQ(FormatTimeOfDay(TimeOfDay{1439}), "23:59");
  const char* rejects[] = {"",      "9:30",     "09:3",      "24:00",    "23:60",  "09:30:01",
                           "09-30", "09:30:0",  "09:30:000", "09:30Z",   " 09:30", "-1:30",
                           "0930",  "09:30:60", "ab:cd",     "09:30:00Z"};
  for (const char* text : rejects) EXPECT_FALSE(ParseTimeOfDay(text).has_value()) << text;
}

TEST(TimeTest, ManualClockIsWhatTheTestSays) {
  ManualClock clock(Timestamp{1000});
  EXPECT_EQ(clock.Now().millis, 1000);
  clock.Advance(500);
  EXPECT_EQ(clock.Now().millis, 1500);
  clock.Set(Timestamp{42});
  EXPECT_EQ(clock.Now().millis, 42);
}

}  // namespace
}  // namespace pipedeck
