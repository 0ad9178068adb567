#include "cli/report_command.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <string_view>
#include <utility>
#include <vector>

#include "analytics/analytics.h"
#include "api/json_text.h"
#include "core/money.h"
#include "service/system_clock.h"

namespace pipedeck {
namespace {

struct ReportInfo {
  std::string_view name;
  ReportKind kind;
  DashboardPart part;
  std::string_view title;  // heads the table
};

constexpr ReportInfo kReports[] = {
    {"dashboard", ReportKind::kDashboard, DashboardPart::kHeadline, "Dashboard"},
    {"new-deals", ReportKind::kDashboardPart, DashboardPart::kNewDeals, "New deals"},
    {"deal-size", ReportKind::kDashboardPart, DashboardPart::kDealSize, "Average deal size"},
    {"cycle", ReportKind::kDashboardPart, DashboardPart::kCycle, "Sales cycle"},
    {"win-rate", ReportKind::kDashboardPart, DashboardPart::kWinRate, "Win rate"},
    {"lifetime", ReportKind::kDashboardPart, DashboardPart::kLifetime, "Deal lifetime"},
    {"velocity", ReportKind::kDashboardPart, DashboardPart::kVelocity, "Sales velocity"},
    {"stages", ReportKind::kDashboardPart, DashboardPart::kStages, "Open deals by stage"},
    {"conversion", ReportKind::kDashboardPart, DashboardPart::kConversion, "Stage conversion"},
    {"time-in-stage", ReportKind::kDashboardPart, DashboardPart::kTimeInStage, "Time in stage"},
    {"funnel", ReportKind::kDashboardPart, DashboardPart::kFunnel, "Funnel"},
    {"lost-reasons", ReportKind::kDashboardPart, DashboardPart::kLostReasons, "Lost reasons"},
    {"leaderboard", ReportKind::kDashboardPart, DashboardPart::kLeaderboard, "Leaderboard"},
    {"trend", ReportKind::kDashboardPart, DashboardPart::kTrend, "Trend"},
    {"forecast", ReportKind::kForecast, DashboardPart::kHeadline, "Forecast"},
    {"quotas", ReportKind::kQuotas, DashboardPart::kHeadline, "Quotas"},
    {"health", ReportKind::kHealth, DashboardPart::kHeadline, "Pipeline health"},
    {"plan", ReportKind::kPlan, DashboardPart::kHeadline, "Pipeline plan"},
    {"day-plan", ReportKind::kDayPlan, DashboardPart::kHeadline, "Day plan"},
};

const ReportInfo* FindReport(std::string_view name) {
  for (const ReportInfo& r : kReports) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

const ReportInfo& InfoOf(const ReportRequest& request) {
  for (const ReportInfo& r : kReports) {
    if (r.kind == request.kind && r.part == request.part) return r;
  }
  return kReports[0];
}

// The option that sets an API parameter (or an analytics input) of the same meaning.
constexpr std::pair<std::string_view, std::string_view> kOptionOfField[] = {
    {"period", "--period"},
    {"from", "--from"},
    {"to", "--to"},
    {"pipeline_id", "--pipeline"},
    {"owner_id", "--owner"},
    {"team_id", "--team"},
    {"months", "--months"},
    {"day", "--day"},
    {"target", "--target"},
    {"target_minor", "--target"},
    {"average_deal_size", "--average"},
    {"average_deal_minor", "--average"},
    {"close_rate", "--close-rate"},
    {"reps", "--reps"},
};

// `s` with its field named as the option that sets it.
Status NamingOption(const Status& s) {
  for (const auto& [field, option] : kOptionOfField) {
    if (s.field() != field) continue;
    const std::string name(option);
    switch (s.code()) {
      case ErrorCode::kInvalid:
        return Status::Invalid(name, s.message());
      case ErrorCode::kNotFound:
        return Status::NotFound(s.message(), name);
      default:
        return s;
    }
  }
  return s;
}

// ---- Tables
// --------------------------------------------------------------------------------------

// How a cell is shown: for people (table) and for spreadsheets (csv).
enum class CellKind {
  kText,     // as is
  kCount,    // "1,234" | 1234
  kMoney,    // "1,250.00 USD" | 125000 (minor units)
  kRate,     // a fraction: "50.0%" | 0.5
  kPercent,  // already a percentage: "12.5%" | 12.5
  kDays,     // "12.5" | 12.5
  kNumber,   // "1.5" | 1.5
};

struct Cell {
  CellKind kind = CellKind::kText;
  std::string text;              // kText; shown in csv
  std::string label;             // kText: shown in the table instead, when not empty
  std::optional<double> number;  // the other kinds; empty: n/a
  std::string currency;          // kMoney
  bool change = false;           // a difference: signed, and a rate's in percentage points
};

Cell Text(std::string text, std::string label = {}) {
  return {CellKind::kText, std::move(text), std::move(label), std::nullopt, {}};
}
Cell DateCell(Date d) { return Text(FormatDate(d)); }
Cell Count(int64_t n) { return {CellKind::kCount, {}, {}, static_cast<double>(n), {}}; }
Cell Money(std::optional<double> minor, std::string_view currency) {
  return {CellKind::kMoney, {}, {}, minor, std::string(currency)};
}
Cell Rate(Figure f) { return {CellKind::kRate, {}, {}, f, {}}; }
Cell Percent(Figure f) { return {CellKind::kPercent, {}, {}, f, {}}; }
Cell Days(Figure f) { return {CellKind::kDays, {}, {}, f, {}}; }
Cell Number(Figure f) { return {CellKind::kNumber, {}, {}, f, {}}; }
Cell Na() { return Number(std::nullopt); }

struct Column {
  std::string_view key;    // csv header
  std::string_view title;  // table header
  bool csv_only = false;   // ids: in csv only (the table shows the names)
};

struct TextTable {
  std::string title;
  std::vector<Column> columns;
  std::vector<std::vector<Cell>> rows;
};

std::string Fixed(double v, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, v);
  return buffer;
}

// "1234567.5" → "1,234,567.5": groups the integer digits of a formatted number.
std::string GroupInteger(std::string s) {
  const size_t start = (!s.empty() && s[0] == '-') ? 1 : 0;
  size_t end = s.find('.');
  if (end == std::string::npos) end = s.size();
  for (int i = static_cast<int>(end) - 3; i > static_cast<int>(start); i -= 3) s.insert(i, ",");
  return s;
}

std::string ShowMoney(double minor, const std::string& currency) {
  const int digits = MinorUnitDigits(currency).value_or(2);
  const double major = std::round(minor) / std::pow(10.0, digits);
  std::string s = GroupInteger(Fixed(major, digits));
  if (!currency.empty()) s += " " + currency;
  return s;
}

// The cell as a person reads it.
std::string Show(const Cell& c) {
  if (c.kind == CellKind::kText) return c.label.empty() ? c.text : c.label;
  if (!c.number) return "n/a";
  const double v = *c.number;
  if (c.change) {
    Cell plain = c;
    plain.change = false;
    const std::string sign = v > 0 ? "+" : "";
    if (c.kind == CellKind::kRate) return sign + Fixed(v * 100, 1) + " pts";
    return sign + Show(plain);
  }
  switch (c.kind) {
    case CellKind::kCount:
      return GroupInteger(Fixed(v, 0));
    case CellKind::kMoney:
      return ShowMoney(v, c.currency);
    case CellKind::kRate:
      return Fixed(v * 100, 1) + "%";
    case CellKind::kPercent:
      return Fixed(v, 1) + "%";
    case CellKind::kDays:
      return Fixed(v, 1);
    case CellKind::kNumber:
      return v == std::trunc(v) ? GroupInteger(Fixed(v, 0)) : GroupInteger(Fixed(v, 2));
    case CellKind::kText:
      break;
  }
  return c.text;
}

// The shortest text that reads back as `v` ("0.5", "3").
std::string Shortest(double v) {
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v);
  return std::string(buffer, end);
}

// The cell as a spreadsheet reads it, before quoting.
std::string Raw(const Cell& c) {
  if (c.kind == CellKind::kText) return c.text;
  if (!c.number) return "";
  // Money and counts are whole numbers of units; figures derived from them (velocity) are not.
  return Shortest(*c.number);
}

// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
void AppendCsvField(const std::string& s, std::string& out) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) {
    out += s;
    return;
  }
  out += '"';
  for (char ch : s) {
    if (ch == '"') out += '"';
    out += ch;
  }
  out += '"';
}

std::string RenderCsv(const TextTable& t) {
  std::string out;
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (i > 0) out += ',';
    AppendCsvField(std::string(t.columns[i].key), out);
  }
  out += "\r\n";
  for (const auto& row : t.rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      if (i > 0) out += ',';
      AppendCsvField(Raw(row[i]), out);
    }
    out += "\r\n";
  }
  return out;
}

// Characters on screen: UTF-8 code points.
size_t DisplayWidth(std::string_view s) {
  size_t n = 0;
  for (char ch : s) n += (static_cast<unsigned char>(ch) & 0xC0) != 0x80;
  return n;
}

std::string RenderTable(const TextTable& t) {
  std::vector<size_t> shown;  // indexes of the columns the table shows
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (!t.columns[i].csv_only) shown.push_back(i);
  }
  std::vector<std::vector<std::string>> cells;
  std::vector<size_t> width;
  for (size_t i : shown) width.push_back(DisplayWidth(t.columns[i].title));
  for (const auto& row : t.rows) {
    std::vector<std::string>& line = cells.emplace_back();
    for (size_t j = 0; j < shown.size(); ++j) {
      line.push_back(Show(row[shown[j]]));
      width[j] = std::max(width[j], DisplayWidth(line.back()));
    }
  }
  // Numbers are right-aligned: a column is numeric when its first row's cell is.
  auto right = [&](size_t j) {
    return !t.rows.empty() && t.rows.front()[shown[j]].kind != CellKind::kText;
  };
  auto pad = [](const std::string& s, size_t w, bool right_align) {
    const std::string fill(w - std::min(w, DisplayWidth(s)), ' ');
    return right_align ? fill + s : s + fill;
  };
  auto line_of = [&](const std::vector<std::string>& values) {
    std::string line;
    for (size_t j = 0; j < values.size(); ++j) {
      if (j > 0) line += "  ";
      line += pad(values[j], width[j], right(j));
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    return line + "\n";
  };
  std::string out = t.title + "\n\n";
  std::vector<std::string> titles, rules;
  for (size_t j = 0; j < shown.size(); ++j) {
    titles.emplace_back(t.columns[shown[j]].title);
    rules.emplace_back(width[j], '-');
  }
  out += line_of(titles) + line_of(rules);
  for (const auto& line : cells) out += line_of(line);
  if (t.rows.empty()) out += "(none)\n";
  return out;
}

// ---- Reports as tables
// ---------------------------------------------------------------------------

std::string NameIn(const std::map<Id, std::string>& names, Id id) {
  auto it = names.find(id);
  return it != names.end() ? it->second : "#" + std::to_string(id);
}

Cell IdCell(Id id) { return Count(id); }

std::string PeriodTitle(std::string_view title, const NamedPeriod& period,
                        const NamedPeriod& previous, const std::string& currency,
                        int64_t other_currency_deals) {
  std::string s(title);
  s += " — " + PeriodLabel(period) + " (previous: " + PeriodLabel(previous) + "), " + currency;
  if (other_currency_deals > 0) {
    s += "; " + std::to_string(other_currency_deals) +
         " deals in other currencies left out of money figures";
  }
  return s;
}

// How a headline figure is shown, by its HeadlineFigures name.
struct MetricFormat {
  std::string_view key, title;
  CellKind kind;
};

constexpr MetricFormat kMetricFormats[] = {
    {"new_deals", "New deals", CellKind::kCount},
    {"won_deals", "Won deals", CellKind::kCount},
    {"lost_deals", "Lost deals", CellKind::kCount},
    {"open_deals", "Open deals", CellKind::kCount},
    {"new_value_minor", "New deal value", CellKind::kMoney},
    {"won_value_minor", "Won value", CellKind::kMoney},
    {"win_rate", "Win rate", CellKind::kRate},
    {"average_deal_minor", "Average deal size", CellKind::kMoney},
    {"cycle_mean_days", "Sales cycle, mean days", CellKind::kDays},
    {"cycle_median_days", "Sales cycle, median days", CellKind::kDays},
    {"lifetime_mean_days", "Deal lifetime, mean days", CellKind::kDays},
    {"velocity_per_day", "Velocity per day", CellKind::kMoney},
};

Cell MetricCell(const MetricFormat& f, Figure value, const std::string& currency) {
  return {f.kind, {}, {}, value, f.kind == CellKind::kMoney ? currency : std::string()};
}

Cell ChangeCell(Cell c) {
  c.change = true;
  return c;
}

TextTable HeadlineTable(const Dashboard& d, const ReportInfo& info) {
  TextTable t{
      PeriodTitle(info.title, d.period, d.previous_period, d.currency, d.other_currency_deals),
      {{"metric", "Metric"},
       {"current", "Current"},
       {"previous", "Previous"},
       {"change", "Change"},
       {"change_percent", "Change %"}},
      {}};
  for (const HeadlineComparison& c : HeadlineComparisons(d, info.part)) {
    for (const MetricFormat& f : kMetricFormats) {
      if (f.key != c.key) continue;
      t.rows.push_back({Text(std::string(f.key), std::string(f.title)),
                        MetricCell(f, c.value.current, d.currency),
                        MetricCell(f, c.value.previous, d.currency),
                        ChangeCell(MetricCell(f, c.value.change, d.currency)),
                        ChangeCell(Percent(c.value.change_percent))});
    }
  }
  return t;
}

// The stage and pipeline columns of the per-stage tables.
const std::vector<Column>& StageColumns() {
  static const auto& columns = *new std::vector<Column>{{"stage_id", "", true},
                                                        {"stage", "Stage"},
                                                        {"pipeline_id", "", true},
                                                        {"pipeline", "Pipeline"}};
  return columns;
}

std::vector<Cell> StageCells(const ReportNames& names, Id stage_id, Id pipeline_id) {
  return {IdCell(stage_id), Text(NameIn(names.stages, stage_id)), IdCell(pipeline_id),
          Text(NameIn(names.pipelines, pipeline_id))};
}

TextTable StageTable(const Dashboard& d, const ReportInfo& info, std::vector<Column> own) {
  TextTable t{
      PeriodTitle(info.title, d.period, d.previous_period, d.currency, d.other_currency_deals),
      StageColumns(),
      {}};
  t.columns.insert(t.columns.end(), own.begin(), own.end());
  return t;
}

void AddRow(TextTable& t, std::vector<Cell> head, std::vector<Cell> tail) {
  head.insert(head.end(), tail.begin(), tail.end());
  t.rows.push_back(std::move(head));
}

TextTable DashboardTable(const Dashboard& d, const ReportInfo& info) {
  const std::string& cur = d.currency;
  switch (info.part) {
    case DashboardPart::kStages: {
      TextTable t = StageTable(d, info,
                               {{"open_deals", "Open deals"},
                                {"value_minor", "Value"},
                                {"weighted_minor", "Weighted"},
                                {"share", "Share"}});
      for (const StageSnapshot& s : d.stages) {
        AddRow(t, StageCells(d.names, s.stage_id, s.pipeline_id),
               {Count(s.open_deals), Money(s.value_minor, cur), Money(s.weighted_minor, cur),
                Rate(s.share)});
      }
      return t;
    }
    case DashboardPart::kConversion: {
      TextTable t = StageTable(d, info,
                               {{"entered", "Entered"},
                                {"advanced", "Advanced"},
                                {"lost", "Lost"},
                                {"rate", "Rate"},
                                {"previous_rate", "Previous rate"}});
      for (const StageConversion& s : d.conversion) {
        AddRow(t, StageCells(d.names, s.stage_id, s.pipeline_id),
               {Count(s.entered), Count(s.advanced), Count(s.lost), Rate(s.rate),
                Rate(s.previous_rate)});
      }
      return t;
    }
    case DashboardPart::kTimeInStage: {
      TextTable t = StageTable(d, info,
                               {{"stays", "Stays"},
                                {"mean_days", "Mean days"},
                                {"median_days", "Median"},
                                {"p75_days", "p75"},
                                {"p90_days", "p90"},
                                {"previous_median_days", "Previous median"}});
      for (const StageTime& s : d.time_in_stage) {
        AddRow(t, StageCells(d.names, s.stage_id, s.pipeline_id),
               {Count(s.days.count), Days(s.days.mean), Days(s.days.median), Days(s.days.p75),
                Days(s.days.p90), Days(s.previous_median_days)});
      }
      return t;
    }
    case DashboardPart::kFunnel: {
      TextTable t = StageTable(d, info, {{"reached", "Reached"}, {"share_of_created", "Share"}});
      t.title +=
          "; created " + std::to_string(d.funnel_created) + ", won " + std::to_string(d.funnel_won);
      for (const FunnelStep& s : d.funnel) {
        AddRow(t, StageCells(d.names, s.stage_id, s.pipeline_id),
               {Count(s.reached), Rate(s.share_of_created)});
      }
      return t;
    }
    case DashboardPart::kLostReasons: {
      TextTable t{PeriodTitle(info.title, d.period, d.previous_period, cur, d.other_currency_deals),
                  {{"reason", "Reason"},
                   {"stage_id", "", true},
                   {"stage", "Lost in stage"},
                   {"deals", "Deals"},
                   {"value_minor", "Value"}},
                  {}};
      for (const LostBreakdown& l : d.lost) {
        t.rows.push_back({Text(l.reason), IdCell(l.stage_id),
                          Text(NameIn(d.names.stages, l.stage_id)), Count(l.deals),
                          Money(l.value_minor, cur)});
      }
      return t;
    }
    case DashboardPart::kLeaderboard: {
      TextTable t{PeriodTitle(info.title, d.period, d.previous_period, cur, d.other_currency_deals),
                  {{"owner_id", "", true},
                   {"name", "Rep"},
                   {"new_deals", "New"},
                   {"won_deals", "Won"},
                   {"lost_deals", "Lost"},
                   {"activities_done", "Activities"},
                   {"won_value_minor", "Won value"},
                   {"previous_won_value_minor", "Previous won value"},
                   {"open_deals", "Open"},
                   {"open_value_minor", "Open value"},
                   {"win_rate", "Win rate"},
                   {"cycle_mean_days", "Cycle days"}},
                  {}};
      for (const LeaderboardRow& r : d.leaderboard) {
        t.rows.push_back({IdCell(r.owner_id), Text(r.name), Count(r.new_deals), Count(r.won_deals),
                          Count(r.lost_deals), Count(r.activities_done),
                          Money(r.won_value_minor, cur), Money(r.previous_won_value_minor, cur),
                          Count(r.open_deals), Money(r.open_value_minor, cur), Rate(r.win_rate),
                          Days(r.cycle_mean_days)});
      }
      return t;
    }
    case DashboardPart::kTrend: {
      TextTable t{PeriodTitle(info.title, d.period, d.previous_period, cur, d.other_currency_deals),
                  {{"month", "Month"},
                   {"won_deals", "Won"},
                   {"lost_deals", "Lost"},
                   {"won_value_minor", "Won value"},
                   {"win_rate", "Win rate"},
                   {"velocity_per_day", "Velocity per day"}},
                  {}};
      for (const TrendPoint& p : d.trend) {
        t.rows.push_back({DateCell(p.month), Count(p.won_deals), Count(p.lost_deals),
                          Money(p.won_value_minor, cur), Rate(p.win_rate),
                          Money(p.velocity_per_day, cur)});
      }
      return t;
    }
    default:
      return HeadlineTable(d, info);
  }
}

TextTable ForecastTable(const Forecast& f) {
  const std::string& cur = f.currency;
  std::string title = "Forecast, " + cur + "; velocity per day " +
                      Show(Money(f.velocity_per_day.current, cur)) + " (previous " +
                      Show(Money(f.velocity_per_day.previous, cur)) + ")";
  if (f.velocity_driver) title += ", moved most by " + *f.velocity_driver;
  if (f.other_currency_deals > 0) {
    title += "; " + std::to_string(f.other_currency_deals) + " deals in other currencies left out";
  }
  TextTable t{title,
              {{"month", "Month"},
               {"open_deals", "Open deals"},
               {"value_minor", "Value"},
               {"weighted_minor", "Weighted"},
               {"won_deals", "Won deals"},
               {"won_value_minor", "Won value"},
               {"velocity_forecast_minor", "Velocity forecast"}},
              {}};
  auto bucket = [&](std::string name, const ForecastBucket& b) {
    t.rows.push_back({Text(std::move(name)), Count(b.open_deals), Money(b.value_minor, cur),
                      Money(b.weighted_minor, cur), Na(), Na(), Na()});
  };
  bucket("overdue", f.overdue);
  for (const ForecastMonth& m : f.months) {
    t.rows.push_back({DateCell(m.month), Count(m.open_deals), Money(m.value_minor, cur),
                      Money(m.weighted_minor, cur), Count(m.won_deals),
                      Money(m.won_value_minor, cur), Money(m.velocity_forecast_minor, cur)});
  }
  bucket("undated", f.undated);
  return t;
}

TextTable QuotaTable(const QuotaReport& r) {
  TextTable t{"Quotas on " + FormatDate(r.day),
              {{"quota_id", "", true},
               {"subject", "Who"},
               {"scope", "Scope"},
               {"metric", "Metric"},
               {"period_from", "From"},
               {"period_to", "To (excl.)"},
               {"target", "Target"},
               {"achieved", "Achieved"},
               {"attainment", "Attainment"},
               {"expected_by_now", "Expected by now"},
               {"open_value_minor", "Open value"},
               {"coverage", "Coverage"}},
              {}};
  for (const QuotaStatus& s : r.items) {
    const Quota& q = s.quota;
    auto amount = [&](int64_t v) {
      return q.metric == QuotaMetric::kWonValue ? Money(v, q.currency) : Count(v);
    };
    t.rows.push_back({IdCell(q.id), Text(s.subject_name), Text(QuotaScopeName(q.scope)),
                      Text(QuotaMetricName(q.metric)), DateCell(s.period.from),
                      DateCell(s.period.to), amount(q.target), amount(s.achieved),
                      Rate(s.attainment), Rate(s.expected_by_now),
                      Money(s.open_value_minor, q.currency), Number(s.coverage)});
  }
  return t;
}

TextTable HealthTable(const HealthReport& h) {
  TextTable t{"Pipeline health on " + FormatDate(h.day),
              {{"flag", "Flag"},
               {"summary", "Summary"},
               {"stage_id", "", true},
               {"owner_id", "", true},
               {"quota_id", "", true},
               {"deals", "Deals"},
               {"snoozed", "Snoozed"},
               {"deal_ids", "", true},
               {"measure", "Measure"},
               {"threshold", "Threshold"}},
              {}};
  auto id_or_empty = [](const std::optional<Id>& id) { return id ? Count(*id) : Text(""); };
  for (const HealthFinding& f : h.findings) {
    std::string ids;
    for (const FlaggedDeal& d : f.deals)
      ids += (ids.empty() ? "" : " ") + std::to_string(d.deal_id);
    t.rows.push_back({Text(HealthFlagName(f.flag)), Text(f.summary), id_or_empty(f.stage_id),
                      id_or_empty(f.owner_id), id_or_empty(f.quota_id),
                      Count(static_cast<int64_t>(f.deals.size())),
                      Count(static_cast<int64_t>(f.snoozed.size())), Text(ids), Number(f.measure),
                      Number(f.threshold)});
  }
  return t;
}

TextTable PlanTable(const PipelinePlan& p) {
  const std::string& cur = p.currency;
  auto source = [](bool derived, std::string_view from) {
    return Text(std::string(derived ? from : "given"));
  };
  TextTable t{
      "Pipeline plan, " + cur, {{"item", "Item"}, {"value", "Value"}, {"source", "Source"}}, {}};
  t.rows = {
      {Text("target_minor", "Target"), Money(p.input.target_minor, cur), source(false, "")},
      {Text("average_deal_minor", "Average deal size"), Money(p.input.average_deal_minor, cur),
       source(p.average_from_history, "history")},
      {Text("close_rate_percent", "Close rate"), Percent(p.input.close_rate_bp / 100.0),
       source(p.close_rate_from_history, "history")},
      {Text("reps", "Reps"), Count(p.input.reps), source(p.reps_from_workspace, "workspace")},
      {Text("deals_needed", "Deals needed"), Count(p.result.deals_needed), Text("")},
      {Text("leads_needed", "Leads needed"), Count(p.result.leads_needed), Text("")},
      {Text("leads_per_rep", "Leads per rep"), Count(p.result.leads_per_rep), Text("")},
  };
  return t;
}

TextTable DayPlanTable(const DayPlan& p) {
  TextTable t{"Day plan of " + NameIn(p.names.users, p.owner_id) + " on " + FormatDate(p.day),
              {{"stage_id", "", true},
               {"stage", "Stage"},
               {"kind", "What"},
               {"id", "", true},
               {"title", "Activity or deal"},
               {"due_date", "Due"},
               {"value_minor", "Value"}},
              {}};
  for (const DayPlanGroup& g : p.groups) {
    const Cell stage_id = g.stage_id == 0 ? Text("") : IdCell(g.stage_id);
    const std::string stage = g.stage_id == 0 ? "(no deal)" : NameIn(p.names.stages, g.stage_id);
    auto activities = [&](std::string_view kind, const std::vector<Activity>& items) {
      for (const Activity& a : items) {
        t.rows.push_back({stage_id, Text(stage), Text(std::string(kind)), IdCell(a.id),
                          Text(a.subject), DateCell(a.due_date), Na()});
      }
    };
    activities("overdue", g.overdue);
    activities("today", g.today);
    for (const Deal& d : g.needs_next_step) {
      t.rows.push_back({stage_id, Text(stage), Text("needs_next_step"), IdCell(d.id), Text(d.title),
                        Text(""), Money(d.value.amount_minor, d.value.currency)});
    }
  }
  return t;
}

// Prints a report in the requested format: `write` writes its JSON, `table` builds its table.
template <typename WriteJsonFn, typename TableFn>
void Print(ReportFormat format, std::ostream& out, WriteJsonFn&& write, TableFn&& table) {
  switch (format) {
    case ReportFormat::kJson: {
      std::string text;
      JsonText w(text);
      write(w);
      out << text << "\n";
      return;
    }
    case ReportFormat::kCsv:
      out << RenderCsv(table());
      return;
    case ReportFormat::kTable:
      out << RenderTable(table());
      return;
  }
}

}  // namespace

CLI::App* AddReportCommand(CLI::App& app, ReportArgs& a) {
  std::vector<std::string> names;
  for (const ReportInfo& r : kReports) names.emplace_back(r.name);
  const CLI::Validator date(
      [](std::string& text) -> std::string {
        return ParseDate(text) ? "" : "not a date (YYYY-MM-DD)";
      },
      "DATE");
  const CLI::Validator period(
      [](std::string& text) -> std::string {
        Result<NamedPeriod> p = ParsePeriod(text, "--period");
        return p.ok() ? "" : p.status().message();
      },
      "PERIOD");
  const CLI::Validator percent(
      [](std::string& text) -> std::string {
        return ParsePercentBasisPoints(text) ? ""
                                             : "not a percentage greater than 0 and at most 100";
      },
      "PERCENT");
  const CLI::Validator instant(
      [](std::string& text) -> std::string {
        return ParseTimestamp(text) ? "" : "not an ISO 8601 instant (2026-11-23T12:09:15Z)";
      },
      "ISO8601");
  const auto id = CLI::Range(int64_t{1}, std::numeric_limits<int64_t>::max());

  CLI::App* cmd = app.add_subcommand("report", "Print an analytics report");
  cmd->add_option("name", a.name, "The report")->required()->check(CLI::IsMember(names));
  cmd->add_option("--db", a.db, "SQLite database file")->required();
  cmd->add_option("--pipeline", a.pipeline, "Only deals of this pipeline (id)")->check(id);
  cmd->add_option("--owner", a.owner, "Only deals of this owner (id); day-plan: whose day")
      ->check(id);
  cmd->add_option("--team", a.team, "Only deals of this team's members (id)")->check(id);
  cmd->add_option("--period", a.period,
                  "2026-11, 2026-Q4, 2026-W48, 2026 or 2026-11-23 (default: this month)")
      ->check(period);
  cmd->add_option("--from", a.from, "First day of a custom period (with --to)")->check(date);
  cmd->add_option("--to", a.to, "The day after the last day of a custom period")->check(date);
  cmd->add_option("--format", a.format, "table, json (the API's JSON) or csv")
      ->check(CLI::IsMember({"table", "json", "csv"}))
      ->capture_default_str();
  cmd->add_option("--now", a.now, "Report as of this instant (default: now)")->check(instant);
  cmd->add_option("--months", a.months, "forecast: months from the current one (1-24, default 6)")
      ->check(CLI::Range(1, 24));
  cmd->add_option("--day", a.day, "quotas: the day to report on (default today)")->check(date);
  cmd->add_option("--target", a.target, "plan: revenue target in minor units")
      ->check(CLI::Range(int64_t{0}, kMaxAmountMinor));
  cmd->add_option("--average", a.average, "plan: average deal size in minor units")
      ->check(CLI::Range(int64_t{1}, kMaxAmountMinor));
  cmd->add_option("--close-rate", a.close_rate, "plan: close rate in percent (80 or 12.5)")
      ->check(percent);
  cmd->add_option("--reps", a.reps, "plan: number of reps (1-10000)")->check(CLI::Range(1, 10'000));
  return cmd;
}

Result<ReportRequest> CheckReportArgs(const ReportArgs& a) {
  const ReportInfo* info = FindReport(a.name);
  if (info == nullptr) return Status::Invalid("name", "no report named " + a.name);
  ReportRequest r;
  r.kind = info->kind;
  r.part = info->part;
  r.format = a.format == "json"  ? ReportFormat::kJson
             : a.format == "csv" ? ReportFormat::kCsv
                                 : ReportFormat::kTable;
  r.now = a.now.empty() ? SystemClock().Now() : ParseTimestamp(a.now).value_or(Timestamp{});

  // Options of one report only.
  struct OwnOption {
    std::string_view option;
    bool given;
    ReportKind kind;
    std::string_view report;
  };
  const OwnOption own[] = {
      {"--months", a.months.has_value(), ReportKind::kForecast, "forecast"},
      {"--day", !a.day.empty(), ReportKind::kQuotas, "quotas"},
      {"--target", a.target.has_value(), ReportKind::kPlan, "plan"},
      {"--average", a.average.has_value(), ReportKind::kPlan, "plan"},
      {"--close-rate", !a.close_rate.empty(), ReportKind::kPlan, "plan"},
      {"--reps", a.reps.has_value(), ReportKind::kPlan, "plan"},
  };
  for (const OwnOption& o : own) {
    if (o.given && o.kind != r.kind) {
      return Status::Invalid(std::string(o.option),
                             "applies only to the " + std::string(o.report) + " report");
    }
  }
  if (r.kind == ReportKind::kPlan && !a.target) {
    return Status::Invalid("--target", "is required for the plan report");
  }
  if (r.kind == ReportKind::kDayPlan) {
    const std::pair<std::string_view, bool> scope[] = {{"--pipeline", a.pipeline.has_value()},
                                                       {"--team", a.team.has_value()},
                                                       {"--period", !a.period.empty()},
                                                       {"--from", !a.from.empty()},
                                                       {"--to", !a.to.empty()}};
    for (const auto& [option, given] : scope) {
      if (given) {
        return Status::Invalid(std::string(option),
                               "does not apply to the day-plan report (one rep's day)");
      }
    }
    if (!a.owner) return Status::Invalid("--owner", "is required for the day-plan report");
  }

  QueryArgs& q = r.query;
  q.list.pipeline_id = a.pipeline;
  q.list.owner_id = a.owner;
  q.list.team_id = a.team;
  if (!a.period.empty()) {
    Result<NamedPeriod> period = ParsePeriod(a.period, "--period");
    if (!period.ok()) return period.status();
    q.period = *period;
  }
  if (!a.from.empty()) q.from = ParseDate(a.from);
  if (!a.to.empty()) q.to = ParseDate(a.to);
  if (a.months) q.months = *a.months;
  if (!a.day.empty()) q.day = ParseDate(a.day);
  q.target_minor = a.target;
  q.average_deal_minor = a.average;
  if (!a.close_rate.empty()) q.close_rate_bp = ParsePercentBasisPoints(a.close_rate);
  q.reps = a.reps;
  Result<AnalyticsScope> scope = ReportScope(q, DateOf(r.now));
  if (!scope.ok()) return NamingOption(scope.status());
  r.scope = std::move(scope).value();
  return r;
}

Status RunReport(const ReportRequest& r, Store& store, std::ostream& out) {
  ManualClock clock(r.now);
  Analytics analytics(store, clock);
  const JsonOut json{r.now};
  const ReportInfo& info = InfoOf(r);
  switch (r.kind) {
    case ReportKind::kDashboard:
    case ReportKind::kDashboardPart: {
      Result<Dashboard> d = analytics.GetDashboard(r.scope);
      if (!d.ok()) return NamingOption(d.status());
      Print(
          r.format, out,
          [&](JsonText& w) {
            if (r.kind == ReportKind::kDashboard) {
              WriteJson(*d, json, w);
            } else {
              WriteDashboardPart(*d, r.part, json, w);
            }
          },
          [&] { return DashboardTable(*d, info); });
      return Status::Ok();
    }
    case ReportKind::kForecast: {
      Result<Forecast> f = analytics.GetForecast(r.scope, r.query.months);
      if (!f.ok()) return NamingOption(f.status());
      Print(
          r.format, out, [&](JsonText& w) { WriteJson(*f, json, w); },
          [&] { return ForecastTable(*f); });
      return Status::Ok();
    }
    case ReportKind::kQuotas: {
      QuotaReport report;
      report.day = r.query.day.value_or(DateOf(r.now));
      Result<std::vector<QuotaStatus>> items = analytics.GetQuotas(r.scope, report.day);
      if (!items.ok()) return NamingOption(items.status());
      report.items = std::move(items).value();
      Print(
          r.format, out, [&](JsonText& w) { WriteJson(report, json, w); },
          [&] { return QuotaTable(report); });
      return Status::Ok();
    }
    case ReportKind::kHealth: {
      Result<HealthReport> h = analytics.GetHealth(r.scope);
      if (!h.ok()) return NamingOption(h.status());
      Print(
          r.format, out, [&](JsonText& w) { WriteJson(*h, json, w); },
          [&] { return HealthTable(*h); });
      return Status::Ok();
    }
    case ReportKind::kPlan: {
      PlannerRequest request;
      request.target_minor = *r.query.target_minor;
      request.average_deal_minor = r.query.average_deal_minor;
      request.close_rate_bp = r.query.close_rate_bp;
      request.reps = r.query.reps;
      Result<PipelinePlan> p = analytics.GetPlan(r.scope, request);
      if (!p.ok()) return NamingOption(p.status());
      Print(
          r.format, out, [&](JsonText& w) { WriteJson(*p, json, w); },
          [&] { return PlanTable(*p); });
      return Status::Ok();
    }
    case ReportKind::kDayPlan: {
      Result<DayPlan> p = analytics.GetDayPlan(*r.query.list.owner_id);
      if (!p.ok()) return NamingOption(p.status());
      Print(
          r.format, out, [&](JsonText& w) { WriteJson(*p, json, w); },
          [&] { return DayPlanTable(*p); });
      return Status::Ok();
    }
  }
  return Status::Internal("unhandled report");
}

}  // namespace pipedeck
