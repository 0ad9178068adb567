// Query parameters: which ones a route takes, how their values are read, and how they are
// described in the OpenAPI document.
//
// Every route declares its parameters (a QuerySpec); a parameter it does not declare, a repeated
// one or a bad value is rejected with kInvalid naming the parameter, so a typo in a filter never
// silently returns the unfiltered list.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analytics/reports.h"
#include "api/json_mapping.h"
#include "core/import_columns.h"
#include "core/metrics.h"
#include "core/model.h"
#include "core/status.h"
#include "store/store.h"

namespace pipedeck {

enum class Param {
  kLimit,         // page size, 1..500 (default 50)
  kCursor,        // next_cursor of the previous page
  kSort,          // a sort field of the route, '-' prefix for descending
  kText,          // "q": case-insensitive text search
  kUpdatedSince,  // instant: updated_at >= it
  kPipelineId,
  kStageId,
  kOwnerId,
  kPersonId,
  kOrgId,
  kDealId,
  kUserId,
  kStatus,           // open|won|lost
  kDone,             // true|false
  kHasNextActivity,  // true|false
  kDueFrom,          // date
  kDueTo,            // date
  kCards,            // board cards per stage, 0..100 (default 20)
  kMoveDealsTo,      // stage id receiving the deals of a deleted stage
  kTeamId,
  kPeriod,            // a report period: "2026-11", "2026-Q4", "2026-W48", "2026", "2026-11-23"
  kFrom,              // date: first day of a custom report period
  kTo,                // date: the day after its last (exclusive)
  kMonths,            // forecast months, 1..24 (default 6)
  kDay,               // date: the day quotas are reported on (default today)
  kTargetMinor,       // planner: revenue target in minor units, 0..kMaxAmountMinor
  kAverageDealMinor,  // planner: average deal size in minor units
  kCloseRate,         // planner: close rate as a percentage, 0 < x <= 100
  kReps,              // planner: reps, 1..10000
  kFlag,              // a health flag
  kDryRun,            // imports: true|false (default false)
  kColumnMap,         // imports: "map=<column>:<field>", repeatable; an empty field ignores it
  kFormat,            // exports: csv|json (default csv)
  kObject,            // audit log: the kind of record ("deal")
  kRecordId,          // audit log: the record's id (with object)
};

// What an export is written as.
enum class ExportFormat { kCsv, kJson };

struct SortOption {
  std::string_view name;
  SortField field;
};

struct QuerySpec {
  std::vector<Param> params;
  std::vector<SortOption> sorts;  // for kSort; the first one is the default
  std::vector<Param> required;    // among `params`: missing ones are rejected
};

// The parameters of a list route: limit, cursor, sort, q and updated_since, plus `filters`.
QuerySpec ListSpec(std::vector<Param> filters, std::vector<SortOption> sorts);
// A list of records without text or updated_at to filter on: limit, cursor and sort, plus
// `filters`.
QuerySpec PageSpec(std::vector<Param> filters, std::vector<SortOption> sorts);
// The parameters of a report: its scope (pipeline_id, owner_id, team_id) and period (period, or
// from and to), plus `extra`.
QuerySpec ReportSpec(std::vector<Param> extra, std::vector<Param> required = {});

// The values of a request's parameters. Parameters not sent keep these defaults.
struct QueryArgs {
  ListQuery list;  // also the scope filters of reports: pipeline_id, owner_id, team_id
  int cards = 20;
  std::optional<Id> move_deals_to;
  std::optional<NamedPeriod> period;
  std::optional<Date> from, to;
  int months = 6;
  std::optional<Date> day;
  std::optional<int64_t> target_minor, average_deal_minor;
  std::optional<int32_t> close_rate_bp;  // `close_rate` (a percentage) in basis points
  std::optional<int32_t> reps;
  std::optional<HealthFlag> flag;
  bool dry_run = false;
  std::vector<ColumnMapping> column_map;  // in the order given
  ExportFormat format = ExportFormat::kCsv;
  std::string object;
  std::optional<Id> record_id;
};

// Parses the raw query string (without '?') against `spec`.
// Errors: kMalformed for broken percent-encoding; kInvalid naming the parameter when it is not
// one of the route's, repeated (unless ParamDoc::repeatable), or has a bad value.
Result<QueryArgs> ParseQuery(std::string_view raw, const QuerySpec& spec);

// The scope of a report from its parameters: pipeline_id, owner_id, team_id, and the period:
// `period`, else the custom period [from, to), else the month containing `today`.
// Errors: kInvalid "period" when it comes with from or to; "from" / "to" when only the other end
// is given; "to" when to <= from or the range is too long (core CustomPeriod).
Result<AnalyticsScope> ReportScope(const QueryArgs& args, Date today);

// A percentage as basis points (1/100 of a percent): "80" → 8000, "12.5" → 1250. Accepts
// 0 < x <= 100, rounded to the nearest basis point; std::nullopt otherwise.
std::optional<int32_t> ParsePercentBasisPoints(std::string_view s);

// The name=value pairs of a raw query string, %-decoded, in order. Errors: kMalformed naming the
// parameter whose escape is broken.
Result<std::vector<std::pair<std::string, std::string>>> DecodeQueryPairs(std::string_view raw);

// Decodes %XX escapes and '+' (a space, as in HTML forms); std::nullopt on a broken escape.
std::optional<std::string> PercentDecode(std::string_view s);

// Wire name, type and meaning of a parameter, for the OpenAPI document.
struct ParamDoc {
  std::string_view name;
  WireType type;
  std::string_view description;
  std::string_view detail = {};  // kEnum: the '|'-separated values
  bool repeatable = false;       // may be given more than once (an array in OpenAPI)
};
ParamDoc DescribeParam(Param p);

}  // namespace pipedeck
