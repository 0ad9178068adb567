#include "api/query_params.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <utility>

#include "core/money.h"

namespace pipedeck {
namespace {

constexpr int kMaxLimit = 500;
constexpr int kMaxCards = 100;
constexpr int kMaxForecastMonths = 24;
constexpr int kMaxReps = 10'000;

// Indexed by Param.
constexpr std::array<ParamDoc, 35> kParamDocs = {{
    {"limit", WireType::kInt32, "Page size, 1-500 (default 50)."},
    {"cursor", WireType::kString, "The next_cursor of the previous page (same sort)."},
    {"sort", WireType::kString, "Sort field; prefix '-' for descending."},
    {"q", WireType::kString, "Case-insensitive text search on title / name / subject / content."},
    {"updated_since", WireType::kInstant, "Only records with updated_at at or after this instant."},
    {"pipeline_id", WireType::kId, "Only records of this pipeline."},
    {"stage_id", WireType::kId, "Only deals in this stage."},
    {"owner_id", WireType::kId, "Only records owned by this user."},
    {"person_id", WireType::kId, "Only records linked to this person."},
    {"org_id", WireType::kId, "Only records linked to this organization."},
    {"deal_id", WireType::kId, "Only records linked to this deal."},
    {"user_id", WireType::kId, "Only notes written by this user; only quotas of this rep."},
    {"status", WireType::kEnum, "Only deals with this status: open, won or lost.",
     kDealStatusValues},
    {"done", WireType::kBool, "Only activities that are done (true) or not (false)."},
    {"has_next_activity", WireType::kBool,
     "Only deals with (true) or without (false) a planned activity (next_activity_date)."},
    {"due_from", WireType::kDate, "Only activities due on or after this date."},
    {"due_to", WireType::kDate, "Only activities due on or before this date."},
    {"cards", WireType::kInt32, "Cards per stage, 0-100 (default 20)."},
    {"move_deals_to", WireType::kId,
     "Stage of the same pipeline that receives the deals; required when the stage has deals."},
    {"team_id", WireType::kId,
     "Only users of this team; only quotas of this team; reports: only deals owned by its "
     "members."},
    {"period", WireType::kString,
     "Report period: a month 2026-11, quarter 2026-Q4, ISO week 2026-W48, year 2026 or day "
     "2026-11-23 (default: the current month). Not with from/to."},
    {"from", WireType::kDate, "First day of a custom report period (with `to`)."},
    {"to", WireType::kDate, "The day after the last day of a custom report period (exclusive)."},
    {"months", WireType::kInt32, "Months to forecast from the current one, 1-24 (default 6)."},
    {"day", WireType::kDate, "The day to report quotas on (default today)."},
    {"target_minor", WireType::kInt64, "Revenue target in minor units of the report currency."},
    {"average_deal_minor", WireType::kInt64,
     "Average deal size in minor units (default: the average won deal of the period)."},
    {"close_rate", WireType::kNumber,
     "Close rate in percent, greater than 0 and at most 100, e.g. 80 or 12.5 (default: the win "
     "rate of the period)."},
    {"reps", WireType::kInt32, "Number of reps, 1-10000 (default: the active reps)."},
    {"flag", WireType::kEnum, "A health flag.", kHealthFlagValues},
    {"dry_run", WireType::kBool,
     "true: import nothing, answer what the import would create, update and refuse."},
    {"map",
     WireType::kString,
     "A column of the file and the field it fills, as `<column>:<field>` (split at the last "
     "colon), once per column; an empty field ignores the column. Columns not named keep the "
     "field recognised from their header.",
     {},
     true},
    {"format", WireType::kEnum, "csv (re-importable, the default) or json (the API's records).",
     kExportFormatValues},
    {"object", WireType::kString,
     "Only changes of this kind of record: user, team, quota, token, pipeline, stage, "
     "organization, person, deal, lost_reason, activity or note."},
    {"record_id", WireType::kId, "Only changes of this record (with `object`)."},
}};

// A decimal integer in [min, max] spelled with digits only (and a leading '-').
std::optional<int64_t> ParseInt(std::string_view s, int64_t min, int64_t max) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  if (value < min || value > max) return std::nullopt;
  return value;
}

Status BadValue(std::string_view name, std::string message) {
  return Status::Invalid(std::string(name), std::move(message));
}

Status ReadId(std::string_view name, std::string_view value, std::optional<Id>* out) {
  std::optional<int64_t> id = ParseInt(value, 1, std::numeric_limits<int64_t>::max());
  if (!id) return BadValue(name, "must be a positive integer");
  *out = *id;
  return Status::Ok();
}

Status ReadBool(std::string_view name, std::string_view value, std::optional<bool>* out) {
  if (value != "true" && value != "false") return BadValue(name, "must be true or false");
  *out = value == "true";
  return Status::Ok();
}

Status ReadDate(std::string_view name, std::string_view value, std::optional<Date>* out) {
  *out = ParseDate(value);
  if (!*out) return BadValue(name, "must be a date (YYYY-MM-DD)");
  return Status::Ok();
}

Status ReadSort(std::string_view value, const QuerySpec& spec, ListQuery* list) {
  bool descending = !value.empty() && value.front() == '-';
  std::string_view name = descending ? value.substr(1) : value;
  for (const SortOption& option : spec.sorts) {
    if (option.name == name) {
      list->sort = option.field;
      list->descending = descending;
      return Status::Ok();
    }
  }
  std::string message = "must be one of: ";
  for (size_t i = 0; i < spec.sorts.size(); ++i) {
    if (i > 0) message += ", ";
    message += spec.sorts[i].name;
  }
  message += " (prefix '-' for descending)";
  return BadValue("sort", std::move(message));
}

// Stores one parameter's value into `args`.
Status ReadParam(Param p, std::string_view name, std::string_view value, const QuerySpec& spec,
                 QueryArgs* args) {
  ListQuery& list = args->list;
  switch (p) {
    case Param::kLimit: {
      std::optional<int64_t> limit = ParseInt(value, 1, kMaxLimit);
      if (!limit) return BadValue(name, "must be an integer from 1 to 500");
      list.limit = static_cast<int>(*limit);
      return Status::Ok();
    }
    case Param::kCards: {
      std::optional<int64_t> cards = ParseInt(value, 0, kMaxCards);
      if (!cards) return BadValue(name, "must be an integer from 0 to 100");
      args->cards = static_cast<int>(*cards);
      return Status::Ok();
    }
    case Param::kCursor:
      list.cursor = value;
      return Status::Ok();
    case Param::kSort:
      return ReadSort(value, spec, &list);
    case Param::kText:
      list.text = value;
      return Status::Ok();
    case Param::kUpdatedSince:
      list.updated_since = ParseTimestamp(value);
      if (!list.updated_since) return BadValue(name, "must be an ISO 8601 instant");
      return Status::Ok();
    case Param::kPipelineId:
      return ReadId(name, value, &list.pipeline_id);
    case Param::kStageId:
      return ReadId(name, value, &list.stage_id);
    case Param::kOwnerId:
      return ReadId(name, value, &list.owner_id);
    case Param::kPersonId:
      return ReadId(name, value, &list.person_id);
    case Param::kOrgId:
      return ReadId(name, value, &list.org_id);
    case Param::kDealId:
      return ReadId(name, value, &list.deal_id);
    case Param::kUserId:
      return ReadId(name, value, &list.user_id);
    case Param::kMoveDealsTo:
      return ReadId(name, value, &args->move_deals_to);
    case Param::kStatus:
      list.status = ParseDealStatus(value);
      if (!list.status) return BadValue(name, "must be one of: open, won, lost");
      return Status::Ok();
    case Param::kDone:
      return ReadBool(name, value, &list.done);
    case Param::kHasNextActivity:
      return ReadBool(name, value, &list.has_next_activity);
    case Param::kDueFrom:
      return ReadDate(name, value, &list.due_from);
    case Param::kDueTo:
      return ReadDate(name, value, &list.due_to);
    case Param::kTeamId:
      return ReadId(name, value, &list.team_id);
    case Param::kPeriod: {
      PD_ASSIGN_OR_RETURN(args->period, ParsePeriod(value, name));
      return Status::Ok();
    }
    case Param::kObject:
      args->object = std::string(value);
      return Status::Ok();
    case Param::kRecordId:
      return ReadId(name, value, &args->record_id);
    case Param::kFrom:
      return ReadDate(name, value, &args->from);
    case Param::kTo:
      return ReadDate(name, value, &args->to);
    case Param::kMonths: {
      std::optional<int64_t> months = ParseInt(value, 1, kMaxForecastMonths);
      if (!months) return BadValue(name, "must be an integer from 1 to 24");
      args->months = static_cast<int>(*months);
      return Status::Ok();
    }
    case Param::kDay:
      return ReadDate(name, value, &args->day);
    case Param::kTargetMinor:
      args->target_minor = ParseInt(value, 0, kMaxAmountMinor);
      if (!args->target_minor) {
        return BadValue(name, "must be an integer from 0 to 10^15 (minor units)");
      }
      return Status::Ok();
    case Param::kAverageDealMinor:
      args->average_deal_minor = ParseInt(value, 1, kMaxAmountMinor);
      if (!args->average_deal_minor) {
        return BadValue(name, "must be an integer from 1 to 10^15 (minor units)");
      }
      return Status::Ok();
    case Param::kCloseRate:
      args->close_rate_bp = ParsePercentBasisPoints(value);
      if (!args->close_rate_bp) {
        return BadValue(name,
                        "must be a percentage greater than 0 and at most 100, like 80 or 12.5");
      }
      return Status::Ok();
    case Param::kReps: {
      std::optional<int64_t> reps = ParseInt(value, 1, kMaxReps);
      if (!reps) return BadValue(name, "must be an integer from 1 to 10000");
      args->reps = static_cast<int32_t>(*reps);
      return Status::Ok();
    }
    case Param::kFlag:
      args->flag = ParseHealthFlag(value);
      if (!args->flag) return BadValue(name, OneOfMessage(kHealthFlagValues));
      return Status::Ok();
    case Param::kDryRun: {
      std::optional<bool> dry_run;
      PD_RETURN_IF_ERROR(ReadBool(name, value, &dry_run));
      args->dry_run = *dry_run;
      return Status::Ok();
    }
    case Param::kColumnMap: {
      const size_t colon = value.rfind(':');
      if (colon == std::string_view::npos || colon == 0) {
        return BadValue(name, "must be a column and a field, like \"Deal - Title:title\"");
      }
      args->column_map.push_back(
          {std::string(value.substr(0, colon)), std::string(value.substr(colon + 1))});
      return Status::Ok();
    }
    case Param::kFormat:
      if (value == "csv") {
        args->format = ExportFormat::kCsv;
      } else if (value == "json") {
        args->format = ExportFormat::kJson;
      } else {
        return BadValue(name, OneOfMessage(kExportFormatValues));
      }
      return Status::Ok();
  }
  return Status::Internal("unhandled query parameter");
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

QuerySpec ListSpec(std::vector<Param> filters, std::vector<SortOption> sorts) {
  QuerySpec spec;
  spec.params = {Param::kLimit, Param::kCursor, Param::kSort, Param::kText, Param::kUpdatedSince};
  spec.params.insert(spec.params.end(), filters.begin(), filters.end());
  spec.sorts = std::move(sorts);
  return spec;
}

QuerySpec PageSpec(std::vector<Param> filters, std::vector<SortOption> sorts) {
  QuerySpec spec;
  spec.params = {Param::kLimit, Param::kCursor, Param::kSort};
  spec.params.insert(spec.params.end(), filters.begin(), filters.end());
  spec.sorts = std::move(sorts);
  return spec;
}

QuerySpec ReportSpec(std::vector<Param> extra, std::vector<Param> required) {
  QuerySpec spec;
  spec.params = {Param::kPipelineId, Param::kOwnerId, Param::kTeamId,
                 Param::kPeriod,     Param::kFrom,    Param::kTo};
  spec.params.insert(spec.params.end(), extra.begin(), extra.end());
  spec.required = std::move(required);
  return spec;
}

Result<AnalyticsScope> ReportScope(const QueryArgs& args, Date today) {
  AnalyticsScope scope;
  scope.pipeline_id = args.list.pipeline_id;
  scope.owner_id = args.list.owner_id;
  scope.team_id = args.list.team_id;
  if (args.period && (args.from || args.to)) {
    return Status::Invalid("period", "give either period or from and to, not both");
  }
  if (args.from && !args.to) return Status::Invalid("to", "is required with from");
  if (args.to && !args.from) return Status::Invalid("from", "is required with to");
  if (args.period) {
    scope.period = *args.period;
  } else if (args.from) {
    PD_ASSIGN_OR_RETURN(scope.period, CustomPeriod(*args.from, *args.to));
  } else {
    scope.period = {PeriodContaining(today, PeriodUnit::kMonth), PeriodUnit::kMonth};
  }
  return scope;
}

std::optional<int32_t> ParsePercentBasisPoints(std::string_view s) {
  double percent = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), percent);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  if (!std::isfinite(percent) || percent <= 0 || percent > 100) return std::nullopt;
  const auto basis_points = static_cast<int32_t>(std::lround(percent * 100));
  if (basis_points < 1) return std::nullopt;
  return basis_points;
}

std::optional<std::string> PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] != '%') {
      out += s[i];
    } else {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = HexDigit(s[i + 1]);
      int lo = HexDigit(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    }
  }
  return out;
}

Result<std::vector<std::pair<std::string, std::string>>> DecodeQueryPairs(std::string_view raw) {
  std::vector<std::pair<std::string, std::string>> pairs;
  while (!raw.empty()) {
    size_t amp = raw.find('&');
    std::string_view pair = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view() : raw.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::optional<std::string> name = PercentDecode(pair.substr(0, eq));
    std::optional<std::string> value =
        PercentDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!name || !value) {
      return Status::Malformed("query string has a broken %-escape", name.value_or(""));
    }
    pairs.emplace_back(std::move(*name), std::move(*value));
  }
  return pairs;
}

Result<QueryArgs> ParseQuery(std::string_view raw, const QuerySpec& spec) {
  QueryArgs args;
  if (!spec.sorts.empty()) args.list.sort = spec.sorts.front().field;
  std::vector<Param> seen;
  PD_ASSIGN_OR_RETURN(auto pairs, DecodeQueryPairs(raw));
  for (const auto& [name, value] : pairs) {
    auto p = std::find_if(spec.params.begin(), spec.params.end(),
                          [&](Param p) { return DescribeParam(p).name == name; });
    if (p == spec.params.end()) return Status::Invalid(name, "unknown query parameter");
    if (!DescribeParam(*p).repeatable && std::find(seen.begin(), seen.end(), *p) != seen.end()) {
      return Status::Invalid(name, "is given more than once");
    }
    seen.push_back(*p);
    PD_RETURN_IF_ERROR(ReadParam(*p, name, value, spec, &args));
  }
  for (Param p : spec.required) {
    if (std::find(seen.begin(), seen.end(), p) == seen.end()) {
      return Status::Invalid(std::string(DescribeParam(p).name), "is required");
    }
  }
  return args;
}

ParamDoc DescribeParam(Param p) { return kParamDocs[static_cast<size_t>(p)]; }

}  // namespace pipedeck
