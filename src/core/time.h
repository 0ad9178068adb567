// Instants, calendar dates and the injected clock.
//
// Pipedeck keeps every instant in UTC with millisecond precision and every calendar date (expected
// close date, activity due date) as a day number. On the wire both are ISO 8601:
// "2026-11-23T12:09:15Z" and "2026-11-23". Code that needs "now" takes a Clock so tests decide
// what time it is.
#pragma once

#include <atomic>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pipedeck {

// A UTC instant: milliseconds since 1970-01-01T00:00:00Z.
struct Timestamp {
  int64_t millis = 0;
  auto operator<=>(const Timestamp&) const = default;
};

// A calendar date: days since 1970-01-01.
struct Date {
  int32_t days = 0;
  auto operator<=>(const Date&) const = default;
};

// A time of day in minutes after midnight UTC, 0..1439.
struct TimeOfDay {
  int32_t minutes = 0;
  auto operator<=>(const TimeOfDay&) const = default;
};

constexpr int64_t kMillisPerDay = 86'400'000;

Date DateOf(Timestamp t);
Timestamp StartOf(Date d);
inline Timestamp AddDays(Timestamp t, int64_t days) { return {t.millis + days * kMillisPerDay}; }
inline Date AddDays(Date d, int32_t days) { return {d.days + days}; }
// Whole days from `from` to `to`, rounded down (negative when `to` is earlier).
int64_t DaysBetween(Timestamp from, Timestamp to);

// Builds a Date from a civil date; std::nullopt when it does not exist (2026-02-30).
std::optional<Date> MakeDate(int year, int month, int day);
// The civil (proleptic Gregorian) year, month (1..12) and day (1..31) of a date.
struct CivilDate {
  int64_t year;
  int month;
  int day;
};
CivilDate CivilOf(Date d);

// "2026-11-23T12:09:15Z"; milliseconds are printed only when not zero ("...:15.250Z"). Years
// 0..9999 take four digits; others keep all their digits and a sign when negative ("-0044-03-15",
// "10000-01-01"), as do the dates below.
std::string FormatTimestamp(Timestamp t);
// FormatTimestamp appended to `out`: no temporary string, for writing responses.
void AppendTimestamp(Timestamp t, std::string& out);
// Accepts "YYYY-MM-DDTHH:MM:SS[.fff][Z|±HH:MM]" (also a space instead of 'T'); std::nullopt
// otherwise.
std::optional<Timestamp> ParseTimestamp(std::string_view text);
// "2026-11-23".
std::string FormatDate(Date d);
void AppendDate(Date d, std::string& out);
// Accepts exactly "YYYY-MM-DD" naming a real date.
std::optional<Date> ParseDate(std::string_view text);
// "09:30".
std::string FormatTimeOfDay(TimeOfDay t);
void AppendTimeOfDay(TimeOfDay t, std::string& out);
// Accepts "HH:MM" (00:00..23:59), optionally followed by ":SS" which must be 00.
std::optional<TimeOfDay> ParseTimeOfDay(std::string_view text);

// Source of "now". Implementations must be thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp Now() const = 0;
};

// A clock that says what a test tells it to.
class ManualClock : public Clock {
 public:
  explicit ManualClock(Timestamp now) : now_(now.millis) {}
  Timestamp Now() const override { return {now_.load()}; }
  void Set(Timestamp now) { now_ = now.millis; }
  void Advance(int64_t millis) { now_ += millis; }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace pipedeck
