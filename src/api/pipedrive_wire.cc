#include "api/pipedrive_wire.h"

#include <cstdio>

#include <boost/json/parse.hpp>

#include "api/query_params.h"
#include "api/request_parts.h"
#include "core/money.h"
#include "core/time.h"

namespace pipedeck::pipedrive {

namespace {

int64_t PowerOfTen(int digits) {
  int64_t p = 1;
  for (int i = 0; i < digits; ++i) p *= 10;
  return p;
}

}  // namespace

Result<PdQuery> PdQuery::Parse(std::string_view raw) {
  PdQuery q;
  PD_ASSIGN_OR_RETURN(auto pairs, DecodeQueryPairs(raw));
  for (auto& [name, value] : pairs) q.params_[name] = std::move(value);  // the last one wins
  return q;
}

Result<PdBody> PdBody::Parse(std::string_view body) {
  PdBody b;
  if (TrimSpaces(body).empty()) return b;
  boost::system::error_code ec;
  boost::json::value v = boost::json::parse(body, ec);
  if (ec) return Status::Malformed("the body is not valid JSON: " + ec.message());
  if (!v.is_object()) return Status::Malformed("the body must be a JSON object");
  b.object_ = std::move(v).as_object();
  return b;
}

Result<std::optional<double>> PdBody::Number(std::string_view name) const {
  const boost::json::value* v = object_.if_contains(name);
  if (v == nullptr || v->is_null()) return std::optional<double>();
  if (v->is_int64()) return std::optional<double>(static_cast<double>(v->as_int64()));
  if (v->is_uint64()) return std::optional<double>(static_cast<double>(v->as_uint64()));
  if (v->is_double() && std::isfinite(v->as_double())) {
    return std::optional<double>(v->as_double());
  }
  if (v->is_string()) {
    std::string_view s = TrimSpaces(std::string_view(v->as_string()));
    double d = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
    if (!s.empty() && ec == std::errc() && end == s.data() + s.size() && std::isfinite(d)) {
      return std::optional<double>(d);
    }
  }
  return Status::Invalid(std::string(name), "must be a number");
}

void AppendInstant(ApiVersion version, Timestamp t, std::string& out) {
  const int64_t seconds = t.millis >= 0 ? t.millis / 1000 : (t.millis - 999) / 1000;
  const int64_t day = seconds >= 0 ? seconds / 86400 : (seconds - 86399) / 86400;
  AppendDate(Date{static_cast<int32_t>(day)}, out);
  int64_t in_day = seconds - day * 86400;
  char buffer[16];
  const int n =
      std::snprintf(buffer, sizeof buffer, "%c%02d:%02d:%02d",
                    version == ApiVersion::kV1 ? ' ' : 'T', static_cast<int>(in_day / 3600),
                    static_cast<int>(in_day / 60 % 60), static_cast<int>(in_day % 60));
  out.append(buffer, n);
  if (version == ApiVersion::kV2) out += 'Z';
}

void WriteInstant(ApiVersion version, Timestamp t, JsonText& w) {
  w.PlainString([&](std::string& out) { AppendInstant(version, t, out); });
}

void WriteInstant(ApiVersion version, const std::optional<Timestamp>& t, JsonText& w) {
  if (t) {
    WriteInstant(version, *t, w);
  } else {
    w.Null();
  }
}

void WriteDate(const std::optional<Date>& d, JsonText& w) {
  if (d) {
    w.PlainString([&](std::string& out) { AppendDate(*d, out); });
  } else {
    w.Null();
  }
}

void WriteAmount(int64_t minor, std::string_view currency, JsonText& w) {
  const int64_t scale = PowerOfTen(MinorUnitDigits(currency).value_or(2));
  if (minor % scale == 0) {
    w.Int(minor / scale);
  } else {
    w.Double(static_cast<double>(minor) / static_cast<double>(scale));
  }
}

std::string FormattedAmount(int64_t minor, std::string_view currency) {
  const int digits = MinorUnitDigits(currency).value_or(2);
  const int64_t scale = PowerOfTen(digits);
  std::string whole = std::to_string(minor / scale);
  for (int i = static_cast<int>(whole.size()) - 3; i > 0; i -= 3) whole.insert(i, ",");
  std::string out;
  if (currency == "USD") {
    out = "$";
  } else if (currency == "EUR") {
    out = "€";
  } else if (currency == "GBP") {
    out = "£";
  } else if (currency == "JPY") {
    out = "¥";
  } else {
    out = std::string(currency) + " ";
  }
  out += whole;
  if (minor % scale != 0) {
    std::string fraction = std::to_string(minor % scale);
    out += "." + std::string(digits - fraction.size(), '0') + fraction;
  }
  return out;
}

Result<int64_t> ToMinor(double major, std::string_view currency, std::string_view field) {
  const std::optional<int> digits = MinorUnitDigits(currency);
  if (!digits) return Status::Invalid("currency", "unknown currency " + std::string(currency));
  const double scaled = major * static_cast<double>(PowerOfTen(*digits));
  const double rounded = std::round(scaled);
  if (major < 0 || rounded > static_cast<double>(kMaxAmountMinor)) {
    return Status::Invalid(std::string(field),
                           "must be from 0 to " + FormattedAmount(kMaxAmountMinor, currency));
  }
  if (std::abs(scaled - rounded) > 1e-6 * std::max(1.0, std::abs(scaled))) {
    return Status::Invalid(
        std::string(field),
        std::string(currency) + " has " + std::to_string(*digits) + " decimal places at most");
  }
  return static_cast<int64_t>(rounded);
}

void WriteV1UserRef(Id id, Lookups& lookups, JsonText& w) {
  const User* u = lookups.UserOf(id);
  w.BeginObject().Key("id").Int(id);
  w.Key("name").String(u ? u->name : "");
  w.Key("email").String(u ? u->email : "");
  w.Key("has_pic").Int(0).Key("pic_hash").Null();
  w.Key("active_flag").Bool(u ? u->active : false);
  w.Key("value").Int(id);
  w.EndObject();
}

std::string_view StatusName(DealStatus s) {
  switch (s) {
    case DealStatus::kOpen:
      return "open";
    case DealStatus::kWon:
      return "won";
    case DealStatus::kLost:
      return "lost";
  }
  return "open";
}

void WriteContactPoints(const std::vector<ContactPoint>& points, JsonText& w) {
  w.BeginArray();
  for (const ContactPoint& p : points) {
    w.BeginObject().Key("label").String(p.label).Key("value").String(p.value);
    w.Key("primary").Bool(p.primary).EndObject();
  }
  w.EndArray();
}

Result<PageRequest> ReadPageRequest(const PdContext& c) {
  PageRequest p;
  PD_ASSIGN_OR_RETURN(std::optional<int64_t> limit, c.query.Integer("limit", 1, kMaxLimit));
  if (limit) p.limit = *limit;
  if (c.v1()) {
    PD_ASSIGN_OR_RETURN(std::optional<int64_t> start,
                        c.query.Integer("start", 0, std::numeric_limits<int32_t>::max()));
    if (start) p.start = *start;
  } else if (std::optional<std::string_view> cursor = c.query.Get("cursor")) {
    p.cursor = std::string(*cursor);
  }
  return p;
}

Result<std::pair<SortField, bool>> ReadSort(const PdContext& c) {
  std::string_view field = "id";
  bool descending = false;
  if (c.v1()) {
    if (std::optional<std::string_view> sort = c.query.Get("sort")) {
      std::string_view s = TrimSpaces(sort->substr(0, sort->find(',')));  // the first key only
      size_t space = s.find(' ');
      field = s.substr(0, space);
      if (space != std::string_view::npos) {
        std::string_view direction = TrimSpaces(s.substr(space + 1));
        if (StartsWithNoCase(direction, "desc")) {
          descending = true;
        } else if (!StartsWithNoCase(direction, "asc")) {
          return Status::Invalid("sort", "the direction must be ASC or DESC");
        }
      }
    }
  } else {
    if (std::optional<std::string_view> by = c.query.Get("sort_by")) field = *by;
    if (std::optional<std::string_view> direction = c.query.Get("sort_direction")) {
      if (*direction != "asc" && *direction != "desc") {
        return Status::Invalid("sort_direction", "must be asc or desc");
      }
      descending = *direction == "desc";
    }
  }
  const std::string_view sort_param = c.v1() ? "sort" : "sort_by";
  if (field == "id") return std::pair(SortField::kId, descending);
  if (field == "add_time") return std::pair(SortField::kCreatedAt, descending);
  if (field == "update_time") return std::pair(SortField::kUpdatedAt, descending);
  return Status::Invalid(std::string(sort_param), "lists sort by id, add_time or update_time");
}

PdReply DeletedReply(Id id) {
  return Envelope([&](JsonText& w) { w.BeginObject().Key("id").Int(id).EndObject(); });
}

Result<bool> ReadStatusFilter(const PdContext& c, ListQuery& q) {
  std::optional<std::string_view> status = c.query.Get("status");
  if (!status || *status == "all_not_deleted") return true;
  if (*status == "open") {
    q.status = DealStatus::kOpen;
  } else if (*status == "won") {
    q.status = DealStatus::kWon;
  } else if (*status == "lost") {
    q.status = DealStatus::kLost;
  } else if (*status == "deleted") {
    return false;
  } else {
    return Status::Invalid("status", c.v1() ? "must be one of: open, won, lost, deleted, "
                                              "all_not_deleted"
                                            : "must be one of: open, won, lost, deleted");
  }
  return true;
}

Status RejectSavedFilters(const PdContext& c) {
  if (c.query.Get("filter_id")) {
    return Status::Invalid("filter_id",
                           "saved filters are not available in Pipedeck; filter by "
                           "owner, stage, pipeline or status instead");
  }
  return Status::Ok();
}

Result<PdReply> EmptyList(PdContext& c) {
  PD_ASSIGN_OR_RETURN(PageRequest page, ReadPageRequest(c));
  return Envelope([](JsonText& w) { w.BeginArray().EndArray(); },
                  [&](JsonText& w) {
                    w.BeginObject();
                    if (c.v1()) {
                      w.Key("pagination").BeginObject().Key("start").Int(page.start);
                      w.Key("limit").Int(page.limit).Key("more_items_in_collection").Bool(false);
                      w.EndObject();
                    } else {
                      w.Key("next_cursor").Null();
                    }
                    w.EndObject();
                  });
}

Status ReadOwnerFilter(const PdContext& c, ListQuery& q) {
  PD_RETURN_IF_ERROR(RejectSavedFilters(c));
  if (c.v1()) {
    PD_ASSIGN_OR_RETURN(std::optional<int64_t> user,
                        c.query.Integer("user_id", 0, std::numeric_limits<int64_t>::max()));
    if (user && *user > 0) q.owner_id = *user;
  } else {
    PD_ASSIGN_OR_RETURN(q.owner_id, c.query.IdOf("owner_id"));
    if (std::optional<std::string_view> since = c.query.Get("updated_since")) {
      std::optional<Timestamp> t = ParseTimestamp(*since);
      if (!t) return Status::Invalid("updated_since", "must be an RFC 3339 instant");
      q.updated_since = *t;
    }
  }
  return Status::Ok();
}

}  // namespace pipedeck::pipedrive
