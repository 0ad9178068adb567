#include "core/time.h"

#include <algorithm>
#include <charconv>

namespace pipedeck {
namespace {

// Floor division: rounds toward negative infinity, so instants before 1970 land on the day they
// belong to rather than the day after.
int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant, "chrono-Compatible
// Low-Level Date Algorithms"). Valid for every year that fits the arithmetic.
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;                                    // [0, 399]
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;  // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;            // [0, 146096]
  return era * 146097 + doe - 719468;
}

struct Civil {
  int64_t year;
  int month;
  int day;
};

// Inverse of DaysFromCivil.
Civil CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

bool IsLeapYear(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// Reads exactly `count` ASCII digits at `pos`; no signs, no spaces.
std::optional<int> Digits(std::string_view text, size_t pos, size_t count) {
  if (pos + count > text.size()) return std::nullopt;
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    const char c = text[i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

bool CharAt(std::string_view text, size_t pos, char expected) {
  return pos < text.size() && text[pos] == expected;
}

// The formatters below write into a stack buffer and append it once; they are on the path of
// every response (each record carries two or three instants), so they avoid snprintf.

// Writes 0 <= v <= 99 as two digits.
char* PutTwoDigits(char* p, int64_t v) {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
  return p + 2;
}

// Writes `v` as printf's "%0*lld" does: at least `width` characters, zeros between the sign and
// the digits.
char* PutPadded(char* p, int64_t v, int width) {
  uint64_t magnitude = static_cast<uint64_t>(v);
  if (v < 0) {
    *p++ = '-';
    magnitude = 0 - magnitude;
    --width;
  }
  char digits[24];
  char* end = std::to_chars(digits, digits + sizeof digits, magnitude).ptr;
  for (int64_t pad = width - (end - digits); pad > 0; --pad) *p++ = '0';
  return std::copy(digits, end, p);
}

// "YYYY-MM-DD" for years 0..9999, as ISO 8601 writes them; other years keep their sign and digits
// ("-0044-03-15", "10000-01-01").
char* PutYearMonthDay(char* p, const Civil& c) {
  if (c.year >= 0 && c.year <= 9999) {
    p = PutTwoDigits(p, c.year / 100);
    p = PutTwoDigits(p, c.year % 100);
  } else if (c.year < 0) {
    *p++ = '-';
    p = PutPadded(p, -c.year, 4);  // years fit far inside int64: a Timestamp spans ~3e8 years
  } else {
    p = PutPadded(p, c.year, 4);
  }
  *p++ = '-';
  p = PutTwoDigits(p, c.month);
  *p++ = '-';
  return PutTwoDigits(p, c.day);
}

// Room for the longest date or instant: a sign, 20 year digits, "-MM-DD" and "THH:MM:SS.fffZ".
constexpr size_t kFormatBuffer = 48;

// Parses "HH:MM" at `pos`, hours 0..23 and minutes 0..59; returns minutes after midnight.
std::optional<int> HoursMinutes(std::string_view text, size_t pos) {
  const auto h = Digits(text, pos, 2);
  const auto m = Digits(text, pos + 3, 2);
  if (!h || !m || !CharAt(text, pos + 2, ':') || *h > 23 || *m > 59) return std::nullopt;
  return *h * 60 + *m;
}

}  // namespace

Date DateOf(Timestamp t) { return {static_cast<int32_t>(FloorDiv(t.millis, kMillisPerDay))}; }

Timestamp StartOf(Date d) { return {static_cast<int64_t>(d.days) * kMillisPerDay}; }

int64_t DaysBetween(Timestamp from, Timestamp to) {
  return FloorDiv(to.millis - from.millis, kMillisPerDay);
}

CivilDate CivilOf(Date d) {
  const Civil c = CivilFromDays(d.days);
  return {c.year, c.month, c.day};
}

std::optional<Date> MakeDate(int year, int month, int day) {
  // Beyond a million years the day number would no longer fit a Date.
  constexpr int kMaxAbsYear = 1'000'000;
  if (year < -kMaxAbsYear || year > kMaxAbsYear) return std::nullopt;
  if (month < 1 || month > 12) return std::nullopt;
  if (day < 1 || day > DaysInMonth(year, month)) return std::nullopt;
  return Date{static_cast<int32_t>(DaysFromCivil(year, month, day))};
}

void AppendTimestamp(Timestamp t, std::string& out) {
  const int64_t day = FloorDiv(t.millis, kMillisPerDay);
  int64_t in_day = t.millis % kMillisPerDay;  // not t.millis - day * kMillisPerDay: that overflows
  if (in_day < 0) in_day += kMillisPerDay;    // at the ends of the range
  const int64_t millis = in_day % 1000;
  const int64_t seconds = in_day / 1000;
  char buf[kFormatBuffer];
  char* p = PutYearMonthDay(buf, CivilFromDays(day));
  *p++ = 'T';
  p = PutTwoDigits(p, seconds / 3600);
  *p++ = ':';
  p = PutTwoDigits(p, seconds / 60 % 60);
  *p++ = ':';
  p = PutTwoDigits(p, seconds % 60);
  if (millis != 0) {
    *p++ = '.';
    *p++ = static_cast<char>('0' + millis / 100);
    p = PutTwoDigits(p, millis % 100);
  }
  *p++ = 'Z';
  out.append(buf, p);
}

std::string FormatTimestamp(Timestamp t) {
  std::string text;
  AppendTimestamp(t, text);
  return text;
}

std::optional<Timestamp> ParseTimestamp(std::string_view text) {
  if (text.size() < 19) return std::nullopt;
  const auto date = ParseDate(text.substr(0, 10));
  if (!date) return std::nullopt;
  const char sep = text[10];
  if (sep != 'T' && sep != 't' && sep != ' ') return std::nullopt;
  const auto hm = HoursMinutes(text, 11);
  const auto sec = Digits(text, 17, 2);
  if (!hm || !CharAt(text, 16, ':') || !sec || *sec > 59) return std::nullopt;
  int64_t millis = StartOf(*date).millis + (int64_t{*hm} * 60 + *sec) * 1000;

  size_t pos = 19;
  if (CharAt(text, pos, '.')) {
    // Clients send 3 (JavaScript), 6 (Python, PostgreSQL) or 9 digits; digits past the
    // millisecond are dropped, never rounded up into the next second.
    ++pos;
    const size_t first = pos;
    int fraction_millis = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (pos - first < 3) fraction_millis = fraction_millis * 10 + (text[pos] - '0');
      ++pos;
    }
    const size_t count = pos - first;
    if (count == 0 || count > 9) return std::nullopt;
    for (size_t i = count; i < 3; ++i) fraction_millis *= 10;
    millis += fraction_millis;
  }

  if (pos == text.size()) return Timestamp{millis};
  const char zone = text[pos];
  if (zone == 'Z' || zone == 'z') {
    return pos + 1 == text.size() ? std::optional<Timestamp>(Timestamp{millis}) : std::nullopt;
  }
  if (zone != '+' && zone != '-') return std::nullopt;
  const auto offset = HoursMinutes(text, pos + 1);
  if (!offset || pos + 6 != text.size()) return std::nullopt;
  // Local time = UTC + offset, so UTC = local − offset.
  const int64_t offset_millis = int64_t{*offset} * 60'000;
  return Timestamp{zone == '+' ? millis - offset_millis : millis + offset_millis};
}

void AppendDate(Date d, std::string& out) {
  char buf[kFormatBuffer];
  out.append(buf, PutYearMonthDay(buf, CivilFromDays(d.days)));
}

std::string FormatDate(Date d) {
  std::string text;
  AppendDate(d, text);
  return text;
}

std::optional<Date> ParseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  const auto y = Digits(text, 0, 4);
  const auto m = Digits(text, 5, 2);
  const auto d = Digits(text, 8, 2);
  if (!y || !m || !d) return std::nullopt;
  return MakeDate(*y, *m, *d);
}

void AppendTimeOfDay(TimeOfDay t, std::string& out) {
  const int64_t hours = t.minutes / 60;
  const int64_t minutes = t.minutes % 60;
  char buf[kFormatBuffer];
  char* p = buf;
  if (t.minutes >= 0 && t.minutes < 24 * 60) {
    p = PutTwoDigits(p, hours);
    *p++ = ':';
    p = PutTwoDigits(p, minutes);
  } else {  // never stored; written as printf's "%02d:%02d" writes it
    p = PutPadded(p, hours, 2);
    *p++ = ':';
    p = PutPadded(p, minutes, 2);
  }
  out.append(buf, p);
}

std::string FormatTimeOfDay(TimeOfDay t) {
  std::string text;
  AppendTimeOfDay(t, text);
  return text;
}

std::optional<TimeOfDay> ParseTimeOfDay(std::string_view text) {
  if (text.size() != 5 && text.size() != 8) return std::nullopt;
  const auto minutes = HoursMinutes(text, 0);
  if (!minutes) return std::nullopt;
  if (text.size() == 8) {
    const auto sec = Digits(text, 6, 2);
    if (text[5] != ':' || !sec || *sec != 0) return std::nullopt;
  }
  return TimeOfDay{*minutes};
}

}  // namespace pipedeck
