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
#include <vector>

#include "api/json_mapping.h"
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
};

struct SortOption {
  std::string_view name;
  SortField field;
};

struct QuerySpec {
  std::vector<Param> params;
  std::vector<SortOption> sorts;  // for kSort; the first one is the default
};

// The parameters of a list route: limit, cursor, sort, q and updated_since, plus `filters`.
QuerySpec ListSpec(std::vector<Param> filters, std::vector<SortOption> sorts);

// The values of a request's parameters. Parameters not sent keep these defaults.
struct QueryArgs {
  ListQuery list;
  int cards = 20;
  std::optional<Id> move_deals_to;
};

// Parses the raw query string (without '?') against `spec`.
// Errors: kMalformed for broken percent-encoding; kInvalid naming the parameter when it is not
// one of the route's, repeated, or has a bad value.
Result<QueryArgs> ParseQuery(std::string_view raw, const QuerySpec& spec);

// Decodes %XX escapes and '+' (a space, as in HTML forms); std::nullopt on a broken escape.
std::optional<std::string> PercentDecode(std::string_view s);

// Wire name, type and meaning of a parameter, for the OpenAPI document.
struct ParamDoc {
  std::string_view name;
  WireType type;
  std::string_view description;
};
ParamDoc DescribeParam(Param p);

}  // namespace pipedeck
