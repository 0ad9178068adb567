// `pipedeck report <name>`: the analytics reports (analytics/reports.h) from the shell.
//
//   pipedeck report <name> --db FILE [--pipeline ID] [--owner ID] [--team ID]
//                   [--period P | --from DATE --to DATE] [--format table|json|csv] [--now ISO]
//                   [--months N]                                          (forecast)
//                   [--day DATE]                                          (quotas)
//                   --target N [--average N] [--close-rate PERCENT] [--reps N]   (plan)
//                   --owner ID                                            (day-plan: required)
//
// Names: dashboard, forecast, quotas, health, plan and day-plan are the reports of the API's
// /api/analytics/* routes; new-deals, deal-size, cycle, win-rate, lifetime, velocity, stages,
// conversion, time-in-stage, funnel, lost-reasons, leaderboard and trend are parts of the
// dashboard.
//
// Formats: json is exactly the API's JSON for the report (the same writers, api/report_json.h;
// a dashboard part prints the dashboard's JSON cut down to that part); csv is one header row and
// the rows (RFC 4180 quoting), with raw values: money in minor units, rates as fractions, n/a
// empty; table is aligned columns for people: money in major units with the currency, rates as
// percentages, n/a for undefined figures.
//
// The scope and period follow the API's parameters (--pipeline = pipeline_id, --period as in
// `period`, --to exclusive; default period: the current month). Options are checked before the
// database is opened: a bad or misplaced one (--months on a dashboard) exits non-zero with a
// message naming it. A report only reads the database.
#pragma once

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

#include "api/query_params.h"
#include "api/report_json.h"
#include "core/status.h"
#include "core/time.h"
#include "store/store.h"

namespace pipedeck {

// The options as given.
struct ReportArgs {
  std::string name, db, format = "table";
  std::string period, from, to, now, day, close_rate;  // empty: not given
  std::optional<int64_t> pipeline, owner, team;
  std::optional<int> months;
  std::optional<int64_t> target, average;
  std::optional<int> reps;
};

// Adds the `report` subcommand to `app`, filling `args`.
CLI::App* AddReportCommand(CLI::App& app, ReportArgs& args);

enum class ReportKind { kDashboard, kDashboardPart, kForecast, kQuotas, kHealth, kPlan, kDayPlan };
enum class ReportFormat { kTable, kJson, kCsv };

// A checked report request.
struct ReportRequest {
  ReportKind kind = ReportKind::kDashboard;
  DashboardPart part = DashboardPart::kHeadline;  // kDashboardPart
  ReportFormat format = ReportFormat::kTable;
  QueryArgs query;  // scope and report parameters, as the API takes them
  AnalyticsScope scope;
  Timestamp now;
};

// Checks the options without touching the database. Errors: kInvalid naming the option
// ("--months"), as ReportScope and the option rules find them.
Result<ReportRequest> CheckReportArgs(const ReportArgs& args);

// Computes the report over `store` and prints it to `out`. Errors from analytics name the option
// ("--pipeline" for an unknown pipeline).
Status RunReport(const ReportRequest& request, Store& store, std::ostream& out);

}  // namespace pipedeck
