#include "api/pipedrive_api.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <exception>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "api/errors.h"
#include "api/json_text.h"
#include "api/query_params.h"
#include "api/request_parts.h"
#include "core/deal_rules.h"
#include "core/money.h"
#include "core/text.h"
#include "core/time.h"

namespace pipedeck {
namespace {

enum class ApiVersion { kV1, kV2 };
enum class Verb { kGet, kPost, kPut, kPatch, kDelete };

std::string_view VerbName(Verb v) {
  switch (v) {
    case Verb::kGet:
      return "GET";
    case Verb::kPost:
      return "POST";
    case Verb::kPut:
      return "PUT";
    case Verb::kPatch:
      return "PATCH";
    case Verb::kDelete:
      return "DELETE";
  }
  return "GET";
}

// Pipedrive's error_info on every error.
constexpr std::string_view kErrorInfo =
    "See docs/pipedrive.md of Pipedeck for what this API serves.";

// Pages: Pipedrive's default and largest limit.
constexpr int64_t kDefaultLimit = 100;
constexpr int64_t kMaxLimit = 500;

// ---- Where a request goes ----------------------------------------------------------------------

// "/v1/deals/5" → v1, "/deals/5"; "/api/v1/..." → v1; "/api/v2/..." → v2.
std::optional<std::pair<ApiVersion, std::string_view>> SplitVersion(std::string_view path) {
  struct Prefix {
    std::string_view text;
    ApiVersion version;
  };
  for (const Prefix& p : {Prefix{"/v1", ApiVersion::kV1}, Prefix{"/api/v1", ApiVersion::kV1},
                          Prefix{"/api/v2", ApiVersion::kV2}}) {
    if (path.substr(0, p.text.size()) != p.text) continue;
    std::string_view rest = path.substr(p.text.size());
    if (rest.empty() || rest.front() == '/') return std::pair(p.version, rest.empty() ? "/" : rest);
  }
  return std::nullopt;
}

// ---- Query parameters --------------------------------------------------------------------------

// The query as sent. Parameters this API does not know are ignored, as Pipedrive ignores them;
// known ones are checked and a bad value is a 400 naming the parameter.
class PdQuery {
 public:
  static Result<PdQuery> Parse(std::string_view raw) {
    PdQuery q;
    while (!raw.empty()) {
      size_t amp = raw.find('&');
      std::string_view pair = raw.substr(0, amp);
      raw = amp == std::string_view::npos ? std::string_view() : raw.substr(amp + 1);
      if (pair.empty()) continue;
      size_t eq = pair.find('=');
      std::optional<std::string> name = PercentDecode(pair.substr(0, eq));
      std::optional<std::string> value =
          PercentDecode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
      if (!name || !value) return Status::Malformed("the query string has a broken %-escape");
      q.params_[*name] = *value;  // the last one wins
    }
    return q;
  }

  std::optional<std::string_view> Get(std::string_view name) const {
    auto it = params_.find(name);
    if (it == params_.end() || it->second.empty()) return std::nullopt;
    return std::string_view(it->second);
  }

  Result<std::optional<int64_t>> Integer(std::string_view name, int64_t min, int64_t max) const {
    std::optional<std::string_view> text = Get(name);
    if (!text) return std::optional<int64_t>();
    int64_t v = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (ec != std::errc() || end != text->data() + text->size() || v < min || v > max) {
      return Status::Invalid(std::string(name), std::string(name) + " must be an integer from " +
                                                    std::to_string(min) + " to " +
                                                    std::to_string(max));
    }
    return std::optional<int64_t>(v);
  }

  Result<std::optional<Id>> IdOf(std::string_view name) const {
    return Integer(name, 1, std::numeric_limits<int64_t>::max());
  }

  // "1"/"true" or "0"/"false".
  Result<bool> Flag(std::string_view name) const {
    std::optional<std::string_view> text = Get(name);
    if (!text || *text == "0" || *text == "false") return false;
    if (*text == "1" || *text == "true") return true;
    return Status::Invalid(std::string(name), std::string(name) + " must be 0 or 1");
  }

 private:
  std::map<std::string, std::string, std::less<>> params_;
};

// ---- Request bodies ----------------------------------------------------------------------------

// A JSON object body. Pipedrive's clients send numbers as JSON numbers or numeric strings (the
// SDK's own examples send `value: '1000'`), so both are read. Fields this API does not model
// (visible_to, label, custom field keys) are ignored as Pipedrive ignores unknown keys.
class PdBody {
 public:
  static Result<PdBody> Parse(std::string_view body) {
    PdBody b;
    if (TrimSpaces(body).empty()) return b;
    boost::system::error_code ec;
    boost::json::value v = boost::json::parse(body, ec);
    if (ec) return Status::Malformed("the body is not valid JSON: " + ec.message());
    if (!v.is_object()) return Status::Malformed("the body must be a JSON object");
    b.object_ = std::move(v).as_object();
    return b;
  }

  bool Has(std::string_view name) const { return object_.contains(name); }
  const boost::json::object& object() const { return object_; }
  bool IsNull(std::string_view name) const {
    const boost::json::value* v = object_.if_contains(name);
    return v != nullptr && v->is_null();
  }

  // A string field; null reads as absent.
  Result<std::optional<std::string>> Text(std::string_view name) const {
    const boost::json::value* v = object_.if_contains(name);
    if (v == nullptr || v->is_null()) return std::optional<std::string>();
    if (!v->is_string()) return Status::Invalid(std::string(name), "must be a string");
    return std::optional<std::string>(std::string(v->as_string()));
  }

  // A number (or a numeric string); null reads as absent.
  Result<std::optional<double>> Number(std::string_view name) const {
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

  // A whole number within [min, max] (or such a numeric string); null reads as absent.
  Result<std::optional<int64_t>> Integer(std::string_view name, int64_t min, int64_t max) const {
    PD_ASSIGN_OR_RETURN(std::optional<double> d, Number(name));
    if (!d) return std::optional<int64_t>();
    if (*d != std::floor(*d) || *d < static_cast<double>(min) || *d > static_cast<double>(max)) {
      return Status::Invalid(
          std::string(name),
          "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    }
    return std::optional<int64_t>(static_cast<int64_t>(*d));
  }

  Result<std::optional<Id>> IdOf(std::string_view name) const {
    return Integer(name, 1, int64_t{1} << 53);
  }

  // true/false (or 1/0); null reads as absent.
  Result<std::optional<bool>> Bool(std::string_view name) const {
    const boost::json::value* v = object_.if_contains(name);
    if (v == nullptr || v->is_null()) return std::optional<bool>();
    if (v->is_bool()) return std::optional<bool>(v->as_bool());
    if (v->is_int64() && (v->as_int64() == 0 || v->as_int64() == 1)) {
      return std::optional<bool>(v->as_int64() == 1);
    }
    return Status::Invalid(std::string(name), "must be true or false");
  }

  // "YYYY-MM-DD"; null reads as absent.
  Result<std::optional<Date>> DateOf(std::string_view name) const {
    PD_ASSIGN_OR_RETURN(std::optional<std::string> text, Text(name));
    if (!text) return std::optional<Date>();
    std::optional<Date> d = ParseDate(*text);
    if (!d) return Status::Invalid(std::string(name), "must be a date as YYYY-MM-DD");
    return std::optional<Date>(*d);
  }

 private:
  boost::json::object object_;
};

// ---- What a handler works with -----------------------------------------------------------------

// Records that other records point at, read once per request.
class Lookups {
 public:
  explicit Lookups(Workspace& ws) : ws_(ws) {}
  const User* UserOf(Id id) {
    return Find(users_, id, [&] { return ws_.GetUser(id); });
  }
  const Person* PersonOf(Id id) {
    return Find(persons_, id, [&] { return ws_.GetPerson(id); });
  }
  const Organization* OrgOf(Id id) {
    return Find(orgs_, id, [&] { return ws_.GetOrganization(id); });
  }
  const Stage* StageOf(Id id) {
    return Find(stages_, id, [&] { return ws_.GetStage(id); });
  }
  const Pipeline* PipelineOf(Id id) {
    return Find(pipelines_, id, [&] { return ws_.GetPipeline(id); });
  }

 private:
  template <typename T, typename Get>
  const T* Find(std::map<Id, std::optional<T>>& cache, Id id, Get&& get) {
    auto it = cache.find(id);
    if (it == cache.end()) {
      Result<T> r = get();
      it = cache.emplace(id, r.ok() ? std::optional<T>(std::move(r).value()) : std::nullopt).first;
    }
    return it->second ? &*it->second : nullptr;
  }

  Workspace& ws_;
  std::map<Id, std::optional<User>> users_;
  std::map<Id, std::optional<Person>> persons_;
  std::map<Id, std::optional<Organization>> orgs_;
  std::map<Id, std::optional<Stage>> stages_;
  std::map<Id, std::optional<Pipeline>> pipelines_;
};

struct PdContext {
  Workspace& ws;
  const User& actor;
  ApiVersion version;
  std::vector<Id> ids;  // path ids, in path order
  const PdQuery& query;
  std::string_view body;
  Lookups lookups;

  Id id() const { return ids.at(0); }
  bool v1() const { return version == ApiVersion::kV1; }
};

// A success: the serialised envelope and its status.
struct PdReply {
  int status = 200;
  std::string body;
};

// {"success":true,"data":…,"additional_data":…}: `data(w)` writes the data value,
// `additional(w)` the additional_data value (or nothing: null).
template <typename Data, typename Additional>
PdReply Envelope(Data&& data, Additional&& additional, int status = 200) {
  PdReply reply;
  reply.status = status;
  reply.body.reserve(2048);
  JsonText w(reply.body);
  w.BeginObject().Key("success").Bool(true).Key("data");
  data(w);
  w.Key("additional_data");
  additional(w);
  w.EndObject();
  return reply;
}
template <typename Data>
PdReply Envelope(Data&& data, int status = 200) {
  return Envelope(
      std::forward<Data>(data), [](JsonText& w) { w.Null(); }, status);
}

// ---- Formats -----------------------------------------------------------------------------------

// v1 instants: "YYYY-MM-DD HH:MM:SS" (UTC); v2: RFC 3339 "YYYY-MM-DDTHH:MM:SSZ".
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

int64_t PowerOfTen(int digits) {
  int64_t p = 1;
  for (int i = 0; i < digits; ++i) p *= 10;
  return p;
}

// An amount in major units as Pipedrive writes it: a whole number when it is one.
void WriteAmount(int64_t minor, std::string_view currency, JsonText& w) {
  const int64_t scale = PowerOfTen(MinorUnitDigits(currency).value_or(2));
  if (minor % scale == 0) {
    w.Int(minor / scale);
  } else {
    w.Double(static_cast<double>(minor) / static_cast<double>(scale));
  }
}

// "$1,500", "€1,234.50", "CHF 12": the amount for display, as Pipedrive's formatted_value.
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

// A value in major units into minor units of `currency`. Errors: kInvalid naming `field` when
// negative, too large or finer than the currency's smallest unit.
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

// ---- Users -------------------------------------------------------------------------------------

// A user as the nested user objects of v1 records write it.
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

void WriteUser(const PdContext& c, const User& u, const std::string& currency, JsonText& w) {
  const ApiVersion v = c.version;
  w.BeginObject();
  w.Key("id").Int(u.id);
  w.Key("name").String(u.name);
  w.Key("default_currency").String(currency);
  w.Key("locale").String("en_US");
  w.Key("lang").Int(1);
  w.Key("email").String(u.email);
  w.Key("phone").Null();
  w.Key("activated").Bool(u.active);
  w.Key("last_login").Null();
  w.Key("created");
  WriteInstant(v, u.created_at, w);
  w.Key("modified");
  WriteInstant(v, u.updated_at, w);
  w.Key("has_created_company").Bool(false);
  w.Key("active_flag").Bool(u.active);
  w.Key("timezone_name").String("UTC");
  w.Key("timezone_offset").String("+00:00");
  w.Key("role_id").Int(u.role == Role::kAdmin ? 1 : 2);
  w.Key("icon_url").Null();
  w.Key("is_you").Bool(u.id == c.actor.id);
  w.Key("is_admin").Int(u.role == Role::kAdmin ? 1 : 0);
  w.Key("company_id").Int(1);
  w.Key("company_name").String("Pipedeck");
  w.Key("company_domain").String("");
  w.Key("language").BeginObject().Key("language_code").String("en");
  w.Key("country_code").String("US").EndObject();
  w.EndObject();
}

// ---- Pipelines and stages ----------------------------------------------------------------------

void WritePipeline(const PdContext& c, const Pipeline& p, JsonText& w) {
  w.BeginObject();
  w.Key("id").Int(p.id);
  w.Key("name").String(p.name);
  w.Key("order_nr").Int(p.order + 1);
  if (c.v1()) {
    w.Key("url_title").String(p.name);
    w.Key("active").Bool(p.active);
    w.Key("deal_probability").Bool(true);
    w.Key("selected").Bool(false);
  } else {
    w.Key("is_deleted").Bool(false);
    w.Key("is_deal_probability_enabled").Bool(true);
    w.Key("is_selected").Bool(false);
  }
  w.Key("add_time");
  WriteInstant(c.version, p.created_at, w);
  w.Key("update_time");
  WriteInstant(c.version, p.updated_at, w);
  w.EndObject();
}

void WriteStage(PdContext& c, const Stage& s, JsonText& w) {
  w.BeginObject();
  w.Key("id").Int(s.id);
  w.Key("order_nr").Int(s.order + 1);
  w.Key("name").String(s.name);
  w.Key("deal_probability").Int(s.probability);
  w.Key("pipeline_id").Int(s.pipeline_id);
  if (c.v1()) {
    w.Key("active_flag").Bool(true);
    w.Key("rotten_flag").Bool(s.rotting_days.has_value());
    w.Key("rotten_days");
    if (s.rotting_days) {
      w.Int(*s.rotting_days);
    } else {
      w.Null();
    }
    const Pipeline* p = c.lookups.PipelineOf(s.pipeline_id);
    w.Key("pipeline_name").String(p ? p->name : "");
    w.Key("pipeline_deal_probability").Bool(true);
  } else {
    w.Key("is_deleted").Bool(false);
    w.Key("is_deal_rot_enabled").Bool(s.rotting_days.has_value());
    w.Key("days_to_rotten");
    if (s.rotting_days) {
      w.Int(*s.rotting_days);
    } else {
      w.Null();
    }
  }
  w.Key("add_time");
  WriteInstant(c.version, s.created_at, w);
  w.Key("update_time");
  WriteInstant(c.version, s.updated_at, w);
  w.EndObject();
}

// ---- Deals -------------------------------------------------------------------------------------

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

void WriteDeal(PdContext& c, const Deal& d, JsonText& w) {
  const ApiVersion v = c.version;
  const Stage* stage = c.lookups.StageOf(d.stage_id);
  const Person* person = d.person_id ? c.lookups.PersonOf(*d.person_id) : nullptr;
  const Organization* org = d.org_id ? c.lookups.OrgOf(*d.org_id) : nullptr;
  const User* owner = c.lookups.UserOf(d.owner_id);
  const int32_t percent =
      stage ? EffectiveProbability(d, *stage) : d.probability_override.value_or(0);
  const int64_t weighted = ApplyPercent(d.value.amount_minor, percent);
  const std::optional<Timestamp> won_time =
      d.status == DealStatus::kWon ? d.closed_at : std::optional<Timestamp>();
  const std::optional<Timestamp> lost_time =
      d.status == DealStatus::kLost ? d.closed_at : std::optional<Timestamp>();

  w.BeginObject();
  w.Key("id").Int(d.id);
  w.Key("title").String(d.title);
  // Pipedeck does not keep who created a deal apart from its history; the owner stands in.
  if (c.v1()) {
    w.Key("creator_user_id");
    WriteV1UserRef(d.owner_id, c.lookups, w);
    w.Key("user_id");
    WriteV1UserRef(d.owner_id, c.lookups, w);
    w.Key("person_id");
    if (person) {
      w.BeginObject().Key("active_flag").Bool(true).Key("name").String(person->name);
      w.Key("email");
      WriteContactPoints(person->emails, w);
      w.Key("phone");
      WriteContactPoints(person->phones, w);
      w.Key("owner_id").Int(person->owner_id).Key("value").Int(person->id).EndObject();
    } else {
      w.Null();
    }
    w.Key("org_id");
    if (org) {
      const User* org_owner = c.lookups.UserOf(org->owner_id);
      w.BeginObject().Key("name").String(org->name).Key("people_count").Int(0);
      w.Key("owner_id").Int(org->owner_id).Key("address").String(org->address);
      w.Key("active_flag").Bool(true).Key("cc_email").String("");
      w.Key("owner_name").String(org_owner ? org_owner->name : "");
      w.Key("value").Int(org->id).EndObject();
    } else {
      w.Null();
    }
  } else {
    w.Key("creator_user_id").Int(d.owner_id);
    w.Key("owner_id").Int(d.owner_id);
    w.Key("person_id");
    d.person_id ? w.Int(*d.person_id) : w.Null();
    w.Key("org_id");
    d.org_id ? w.Int(*d.org_id) : w.Null();
  }
  w.Key("stage_id").Int(d.stage_id);
  w.Key("pipeline_id").Int(d.pipeline_id);
  w.Key("value");
  WriteAmount(d.value.amount_minor, d.value.currency, w);
  w.Key("currency").String(d.value.currency);
  w.Key("add_time");
  WriteInstant(v, d.created_at, w);
  w.Key("update_time");
  WriteInstant(v, d.updated_at, w);
  w.Key("stage_change_time");
  WriteInstant(v, d.stage_changed_at, w);
  w.Key("status").String(StatusName(d.status));
  w.Key("probability");
  d.probability_override ? w.Int(*d.probability_override) : w.Null();
  w.Key("lost_reason");
  d.status == DealStatus::kLost ? w.String(d.lost_reason) : w.Null();
  w.Key("close_time");
  WriteInstant(v, d.closed_at, w);
  w.Key("won_time");
  WriteInstant(v, won_time, w);
  w.Key("lost_time");
  WriteInstant(v, lost_time, w);
  w.Key("expected_close_date");
  WriteDate(d.expected_close_date, w);
  w.Key("next_activity_date");
  WriteDate(d.next_activity_date, w);
  w.Key("last_activity_date");
  WriteDate(d.last_activity_at ? std::optional<Date>(DateOf(*d.last_activity_at)) : std::nullopt,
            w);
  w.Key("is_archived").Bool(false);
  w.Key("archive_time").Null();
  w.Key("origin").String("API");
  w.Key("channel");
  d.source.empty() ? w.Null() : w.String(d.source);
  if (c.v1()) {
    w.Key("active").Bool(d.status == DealStatus::kOpen);
    w.Key("deleted").Bool(false);
    w.Key("visible_to").String("3");
    w.Key("first_won_time");
    WriteInstant(v, won_time, w);
    w.Key("stage_order_nr").Int(stage ? stage->order + 1 : 0);
    w.Key("person_name");
    person ? w.String(person->name) : w.Null();
    w.Key("org_name");
    org ? w.String(org->name) : w.Null();
    w.Key("owner_name").String(owner ? owner->name : "");
    w.Key("formatted_value").String(FormattedAmount(d.value.amount_minor, d.value.currency));
    w.Key("weighted_value");
    WriteAmount(weighted, d.value.currency, w);
    w.Key("formatted_weighted_value").String(FormattedAmount(weighted, d.value.currency));
    w.Key("weighted_value_currency").String(d.value.currency);
    w.Key("rotten_time").Null();
    w.Key("cc_email").String("");
    w.Key("org_hidden").Bool(false);
    w.Key("person_hidden").Bool(false);
    w.Key("label").Null();
    w.Key("local_won_date");
    WriteDate(won_time ? std::optional<Date>(DateOf(*won_time)) : std::nullopt, w);
    w.Key("local_lost_date");
    WriteDate(lost_time ? std::optional<Date>(DateOf(*lost_time)) : std::nullopt, w);
    w.Key("local_close_date");
    WriteDate(d.closed_at ? std::optional<Date>(DateOf(*d.closed_at)) : std::nullopt, w);
  } else {
    w.Key("is_deleted").Bool(false);
    w.Key("visible_to").Int(3);
    w.Key("label_ids").BeginArray().EndArray();
  }
  w.EndObject();
}

// The fields of a deal body: v1 names the owner `user_id`, v2 `owner_id`; `status` with
// `lost_reason` becomes a status change. Values are in major units of the deal's currency
// (`currency_of_deal` for an update that does not name one).
struct DealInput {
  DealPatch patch;
  std::optional<DealStatusChange> status;
};

Result<DealInput> ReadDeal(const PdContext& c, bool create, const std::string& currency_of_deal) {
  PD_ASSIGN_OR_RETURN(PdBody b, PdBody::Parse(c.body));
  DealInput in;
  DealPatch& p = in.patch;
  PD_ASSIGN_OR_RETURN(p.title, b.Text("title"));
  if (create && (!p.title || TrimSpaces(*p.title).empty())) {
    return Status::Invalid("title", "a deal needs a title");
  }
  PD_ASSIGN_OR_RETURN(p.currency, b.Text("currency"));
  PD_ASSIGN_OR_RETURN(std::optional<double> value, b.Number("value"));
  if (value) {
    const std::string currency = p.currency.value_or(currency_of_deal);
    PD_ASSIGN_OR_RETURN(int64_t minor, ToMinor(*value, currency, "value"));
    p.value_minor = minor;
  }
  const std::string_view owner_field = c.v1() ? "user_id" : "owner_id";
  PD_ASSIGN_OR_RETURN(p.owner_id, b.IdOf(owner_field));
  PD_ASSIGN_OR_RETURN(p.stage_id, b.IdOf("stage_id"));
  PD_ASSIGN_OR_RETURN(p.pipeline_id, b.IdOf("pipeline_id"));
  // null unlinks the person, the organization, the expected close date and the probability.
  PD_ASSIGN_OR_RETURN(std::optional<Id> person, b.IdOf("person_id"));
  if (person) p.person_id = Clearable<Id>(*person);
  if (b.IsNull("person_id")) p.person_id.emplace();  // engaged, empty: clear
  PD_ASSIGN_OR_RETURN(std::optional<Id> org, b.IdOf("org_id"));
  if (org) p.org_id = Clearable<Id>(*org);
  if (b.IsNull("org_id")) p.org_id.emplace();  // engaged, empty: clear
  PD_ASSIGN_OR_RETURN(std::optional<Date> expected, b.DateOf("expected_close_date"));
  if (expected) p.expected_close_date = Clearable<Date>(*expected);
  if (b.IsNull("expected_close_date")) p.expected_close_date.emplace();  // engaged, empty: clear
  PD_ASSIGN_OR_RETURN(std::optional<int64_t> probability, b.Integer("probability", 0, 100));
  if (probability) p.probability_override = Clearable<int32_t>(static_cast<int32_t>(*probability));
  if (b.IsNull("probability")) p.probability_override.emplace();  // engaged, empty: clear

  PD_ASSIGN_OR_RETURN(std::optional<std::string> status, b.Text("status"));
  PD_ASSIGN_OR_RETURN(std::optional<std::string> lost_reason, b.Text("lost_reason"));
  if (status) {
    DealStatusChange change;
    if (*status == "open") {
      change.status = DealStatus::kOpen;
    } else if (*status == "won") {
      change.status = DealStatus::kWon;
    } else if (*status == "lost") {
      change.status = DealStatus::kLost;
      change.lost_reason = lost_reason.value_or("");
      if (TrimSpaces(change.lost_reason).empty()) {
        return Status::Invalid("lost_reason", "a lost deal needs a lost_reason");
      }
    } else if (*status == "deleted") {
      return Status::Invalid("status", "delete a deal with DELETE, not by its status");
    } else {
      return Status::Invalid("status", "must be one of: open, won, lost");
    }
    in.status = std::move(change);
  } else if (lost_reason) {
    return Status::Invalid("lost_reason", "is only taken with status lost");
  }
  return in;
}

// ---- Listing -----------------------------------------------------------------------------------

// A page for v1's offset pagination over the store's keyset pages: items [start, start + limit)
// and whether more follow.
template <typename T>
struct OffsetPage {
  std::vector<T> items;
  bool more = false;
};

template <typename T, typename List>
Result<OffsetPage<T>> ReadOffset(List&& list, ListQuery q, int64_t start, int64_t limit) {
  OffsetPage<T> out;
  q.limit = static_cast<int>(kMaxLimit);
  int64_t skipped = 0;
  while (true) {
    PD_ASSIGN_OR_RETURN(Page<T> page, list(q));
    for (T& item : page.items) {
      if (skipped < start) {
        ++skipped;
        continue;
      }
      if (static_cast<int64_t>(out.items.size()) == limit) {
        out.more = true;
        return out;
      }
      out.items.push_back(std::move(item));
    }
    if (page.next_cursor.empty()) return out;
    q.cursor = page.next_cursor;
  }
}

// The page parameters of the request: v1 start/limit, v2 cursor/limit.
struct PageRequest {
  int64_t start = 0;
  int64_t limit = kDefaultLimit;
  std::string cursor;
};

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

// A list of records in the version's envelope: v1 with additional_data.pagination, v2 with
// additional_data.next_cursor.
template <typename T, typename List, typename Write>
Result<PdReply> ListReply(PdContext& c, ListQuery q, List&& list, Write&& write) {
  PD_ASSIGN_OR_RETURN(PageRequest page, ReadPageRequest(c));
  auto write_items = [&](const std::vector<T>& items) {
    return [&c, &items, &write](JsonText& w) {
      w.BeginArray();
      for (const T& item : items) write(c, item, w);
      w.EndArray();
    };
  };
  if (c.v1()) {
    PD_ASSIGN_OR_RETURN(OffsetPage<T> found, ReadOffset<T>(list, q, page.start, page.limit));
    return Envelope(write_items(found.items), [&](JsonText& w) {
      w.BeginObject().Key("pagination").BeginObject();
      w.Key("start").Int(page.start).Key("limit").Int(page.limit);
      w.Key("more_items_in_collection").Bool(found.more);
      if (found.more) w.Key("next_start").Int(page.start + page.limit);
      w.EndObject().EndObject();
    });
  }
  q.limit = static_cast<int>(page.limit);
  q.cursor = page.cursor;
  Result<Page<T>> found = list(q);
  if (!found.ok() && found.status().field() == "cursor") {
    return Status::Invalid("cursor", "the cursor is not one this API handed out");
  }
  PD_RETURN_IF_ERROR(found.status());
  return Envelope(write_items(found->items), [&](JsonText& w) {
    w.BeginObject().Key("next_cursor");
    found->next_cursor.empty() ? w.Null() : w.String(found->next_cursor);
    w.EndObject();
  });
}

// v1 `sort` ("add_time DESC") and v2 `sort_by` + `sort_direction`, for every list that sorts.
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

// ---- Handlers ----------------------------------------------------------------------------------

Result<PdReply> GetMe(PdContext& c) {
  PD_ASSIGN_OR_RETURN(WorkspaceSettings settings, c.ws.Settings());
  return Envelope([&](JsonText& w) { WriteUser(c, c.actor, settings.default_currency, w); });
}

Result<PdReply> ListUsers(PdContext& c) {
  PD_ASSIGN_OR_RETURN(WorkspaceSettings settings, c.ws.Settings());
  std::vector<User> users;
  ListQuery q;
  q.limit = static_cast<int>(kMaxLimit);
  while (true) {
    PD_ASSIGN_OR_RETURN(Page<User> page, c.ws.ListUsers(q));
    for (User& u : page.items) users.push_back(std::move(u));
    if (page.next_cursor.empty()) break;
    q.cursor = page.next_cursor;
  }
  return Envelope([&](JsonText& w) {
    w.BeginArray();
    for (const User& u : users) WriteUser(c, u, settings.default_currency, w);
    w.EndArray();
  });
}

Result<PdReply> GetUser(PdContext& c) {
  PD_ASSIGN_OR_RETURN(WorkspaceSettings settings, c.ws.Settings());
  PD_ASSIGN_OR_RETURN(User u, c.ws.GetUser(c.id()));
  return Envelope([&](JsonText& w) { WriteUser(c, u, settings.default_currency, w); });
}

Result<PdReply> ListPipelines(PdContext& c) {
  ListQuery q;
  q.sort = SortField::kPosition;
  return ListReply<Pipeline>(
      c, q, [&](const ListQuery& q) { return c.ws.ListPipelines(q); }, WritePipeline);
}

Result<PdReply> GetPipeline(PdContext& c) {
  PD_ASSIGN_OR_RETURN(Pipeline p, c.ws.GetPipeline(c.id()));
  return Envelope([&](JsonText& w) { WritePipeline(c, p, w); });
}

Result<PipelinePatch> ReadPipeline(const PdContext& c, bool create) {
  PD_ASSIGN_OR_RETURN(PdBody b, PdBody::Parse(c.body));
  PipelinePatch p;
  PD_ASSIGN_OR_RETURN(p.name, b.Text("name"));
  if (create && (!p.name || TrimSpaces(*p.name).empty())) {
    return Status::Invalid("name", "a pipeline needs a name");
  }
  PD_ASSIGN_OR_RETURN(std::optional<int64_t> order, b.Integer("order_nr", 1, 100000));
  if (order) p.order = static_cast<int32_t>(*order - 1);
  return p;
}

Result<PdReply> AddPipeline(PdContext& c) {
  PD_ASSIGN_OR_RETURN(PipelinePatch patch, ReadPipeline(c, true));
  PD_ASSIGN_OR_RETURN(Pipeline p, c.ws.CreatePipeline(c.actor, patch, ""));
  return Envelope([&](JsonText& w) { WritePipeline(c, p, w); }, 201);
}

Result<PdReply> UpdatePipeline(PdContext& c) {
  PD_ASSIGN_OR_RETURN(PipelinePatch patch, ReadPipeline(c, false));
  PD_ASSIGN_OR_RETURN(Pipeline p, c.ws.UpdatePipeline(c.actor, c.id(), patch, std::nullopt));
  return Envelope([&](JsonText& w) { WritePipeline(c, p, w); });
}

PdReply DeletedReply(Id id) {
  return Envelope([&](JsonText& w) { w.BeginObject().Key("id").Int(id).EndObject(); });
}

Result<PdReply> DeletePipeline(PdContext& c) {
  PD_RETURN_IF_ERROR(c.ws.DeletePipeline(c.actor, c.id(), std::nullopt));
  return DeletedReply(c.id());
}

Result<PdReply> ListStages(PdContext& c) {
  ListQuery q;
  PD_ASSIGN_OR_RETURN(q.pipeline_id, c.query.IdOf("pipeline_id"));
  if (q.pipeline_id) PD_RETURN_IF_ERROR(c.ws.GetPipeline(*q.pipeline_id).status());
  q.sort = SortField::kPosition;
  return ListReply<Stage>(
      c, q, [&](const ListQuery& q) { return c.ws.ListStages(q); }, WriteStage);
}

Result<PdReply> GetStage(PdContext& c) {
  PD_ASSIGN_OR_RETURN(Stage s, c.ws.GetStage(c.id()));
  return Envelope([&](JsonText& w) { WriteStage(c, s, w); });
}

Result<StagePatch> ReadStage(const PdContext& c, bool create, std::optional<Id>* pipeline_id) {
  PD_ASSIGN_OR_RETURN(PdBody b, PdBody::Parse(c.body));
  StagePatch s;
  PD_ASSIGN_OR_RETURN(s.name, b.Text("name"));
  if (create && (!s.name || TrimSpaces(*s.name).empty())) {
    return Status::Invalid("name", "a stage needs a name");
  }
  PD_ASSIGN_OR_RETURN(*pipeline_id, b.IdOf("pipeline_id"));
  if (create && !*pipeline_id) return Status::Invalid("pipeline_id", "a stage needs a pipeline_id");
  PD_ASSIGN_OR_RETURN(std::optional<int64_t> probability, b.Integer("deal_probability", 0, 100));
  if (probability) s.probability = static_cast<int32_t>(*probability);
  PD_ASSIGN_OR_RETURN(std::optional<int64_t> order, b.Integer("order_nr", 1, 100000));
  if (order) s.order = static_cast<int32_t>(*order - 1);
  const std::string_view rot_field = c.v1() ? "rotten_days" : "days_to_rotten";
  PD_ASSIGN_OR_RETURN(std::optional<int64_t> rot, b.Integer(rot_field, 1, 3650));
  if (rot) s.rotting_days = Clearable<int32_t>(static_cast<int32_t>(*rot));
  if (b.IsNull(rot_field)) s.rotting_days.emplace();  // engaged, empty: clear
  // Switching rotting off clears the days; switching it on takes effect with the days.
  const std::string_view rot_flag = c.v1() ? "rotten_flag" : "is_deal_rot_enabled";
  PD_ASSIGN_OR_RETURN(std::optional<bool> rotting, b.Bool(rot_flag));
  if (rotting == false) s.rotting_days.emplace();  // engaged, empty: clear
  return s;
}

Result<PdReply> AddStage(PdContext& c) {
  std::optional<Id> pipeline_id;
  PD_ASSIGN_OR_RETURN(StagePatch patch, ReadStage(c, true, &pipeline_id));
  PD_ASSIGN_OR_RETURN(Stage s, c.ws.CreateStage(c.actor, *pipeline_id, patch));
  return Envelope([&](JsonText& w) { WriteStage(c, s, w); }, 201);
}

Result<PdReply> UpdateStage(PdContext& c) {
  std::optional<Id> pipeline_id;
  PD_ASSIGN_OR_RETURN(StagePatch patch, ReadStage(c, false, &pipeline_id));
  if (pipeline_id) {
    PD_ASSIGN_OR_RETURN(Stage current, c.ws.GetStage(c.id()));
    if (*pipeline_id != current.pipeline_id) {
      return Status::Invalid("pipeline_id", "a stage stays in its pipeline");
    }
  }
  PD_ASSIGN_OR_RETURN(Stage s, c.ws.UpdateStage(c.actor, c.id(), patch, std::nullopt));
  return Envelope([&](JsonText& w) { WriteStage(c, s, w); });
}

Result<PdReply> DeleteStage(PdContext& c) {
  PD_RETURN_IF_ERROR(c.ws.DeleteStage(c.actor, c.id(), std::nullopt, std::nullopt));
  return DeletedReply(c.id());
}

Result<PdReply> ListDealsWith(PdContext& c, ListQuery q) {
  return ListReply<Deal>(
      c, q, [&](const ListQuery& q) { return c.ws.ListDeals(q); }, WriteDeal);
}

// v1 status: open|won|lost|deleted|all_not_deleted (default); v2: open|won|lost|deleted. Deleted
// deals are gone from Pipedeck, so `deleted` lists none.
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

// An empty page in the version's envelope.
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

Result<PdReply> ListDeals(PdContext& c) {
  PD_RETURN_IF_ERROR(RejectSavedFilters(c));
  ListQuery q;
  PD_ASSIGN_OR_RETURN(bool any, ReadStatusFilter(c, q));
  PD_ASSIGN_OR_RETURN(q.stage_id, c.query.IdOf("stage_id"));
  if (c.v1()) {
    PD_ASSIGN_OR_RETURN(q.owner_id, c.query.IdOf("user_id"));
    PD_ASSIGN_OR_RETURN(bool mine, c.query.Flag("owned_by_you"));
    if (mine) q.owner_id = c.actor.id;
  } else {
    PD_ASSIGN_OR_RETURN(q.owner_id, c.query.IdOf("owner_id"));
    PD_ASSIGN_OR_RETURN(q.person_id, c.query.IdOf("person_id"));
    PD_ASSIGN_OR_RETURN(q.org_id, c.query.IdOf("org_id"));
    PD_ASSIGN_OR_RETURN(q.pipeline_id, c.query.IdOf("pipeline_id"));
    if (std::optional<std::string_view> since = c.query.Get("updated_since")) {
      std::optional<Timestamp> t = ParseTimestamp(*since);
      if (!t) return Status::Invalid("updated_since", "must be an RFC 3339 instant");
      q.updated_since = *t;
    }
    if (c.query.Get("ids")) {
      return Status::Invalid("ids",
                             "list the deals by owner, stage, pipeline or status, or get "
                             "each by id");
    }
  }
  PD_ASSIGN_OR_RETURN(auto sort, ReadSort(c));
  q.sort = sort.first;
  q.descending = sort.second;
  if (!any) return EmptyList(c);
  return ListDealsWith(c, q);
}

// v1 GET /stages/{id}/deals and /pipelines/{id}/deals: open deals, of the caller unless
// `user_id` names another owner or `everyone=1`.
Result<PdReply> OpenDealsOf(PdContext& c, ListQuery q) {
  PD_RETURN_IF_ERROR(RejectSavedFilters(c));
  q.status = DealStatus::kOpen;
  PD_ASSIGN_OR_RETURN(bool everyone, c.query.Flag("everyone"));
  PD_ASSIGN_OR_RETURN(std::optional<Id> user, c.query.IdOf("user_id"));
  if (!everyone) q.owner_id = user.value_or(c.actor.id);
  return ListDealsWith(c, q);
}

Result<PdReply> StageDeals(PdContext& c) {
  PD_RETURN_IF_ERROR(c.ws.GetStage(c.id()).status());
  ListQuery q;
  q.stage_id = c.id();
  return OpenDealsOf(c, q);
}

Result<PdReply> PipelineDeals(PdContext& c) {
  PD_RETURN_IF_ERROR(c.ws.GetPipeline(c.id()).status());
  ListQuery q;
  q.pipeline_id = c.id();
  PD_ASSIGN_OR_RETURN(q.stage_id, c.query.IdOf("stage_id"));
  return OpenDealsOf(c, q);
}

Result<PdReply> GetDeal(PdContext& c) {
  PD_ASSIGN_OR_RETURN(Deal d, c.ws.GetDeal(c.id()));
  return Envelope([&](JsonText& w) { WriteDeal(c, d, w); });
}

Result<PdReply> AddDeal(PdContext& c) {
  PD_ASSIGN_OR_RETURN(WorkspaceSettings settings, c.ws.Settings());
  PD_ASSIGN_OR_RETURN(DealInput in, ReadDeal(c, true, settings.default_currency));
  if (!in.patch.currency) in.patch.currency = settings.default_currency;
  if (!in.patch.value_minor) in.patch.value_minor = 0;
  if (!in.patch.owner_id) in.patch.owner_id = c.actor.id;
  PD_ASSIGN_OR_RETURN(Deal d, c.ws.CreateDeal(c.actor, in.patch));
  if (in.status && in.status->status != DealStatus::kOpen) {
    // Created open, then closed: the history shows both, as Pipedrive's does.
    PD_ASSIGN_OR_RETURN(
        d, c.ws.UpdateDealWithStatus(c.actor, d.id, DealPatch(), in.status, std::nullopt));
  }
  return Envelope([&](JsonText& w) { WriteDeal(c, d, w); }, 201);
}

Result<PdReply> UpdateDeal(PdContext& c) {
  PD_ASSIGN_OR_RETURN(Deal current, c.ws.GetDeal(c.id()));
  PD_ASSIGN_OR_RETURN(DealInput in, ReadDeal(c, false, current.value.currency));
  PD_ASSIGN_OR_RETURN(
      Deal d, c.ws.UpdateDealWithStatus(c.actor, c.id(), in.patch, in.status, std::nullopt));
  return Envelope([&](JsonText& w) { WriteDeal(c, d, w); });
}

Result<PdReply> DeleteDeal(PdContext& c) {
  PD_RETURN_IF_ERROR(c.ws.DeleteDeal(c.actor, c.id(), std::nullopt));
  return DeletedReply(c.id());
}

// GET /deals/search?term=…: deals whose title contains the term (Pipedeck searches titles), in
// Pipedrive's search shape {items: [{result_score, item: {...}}]}.
Result<PdReply> SearchDeals(PdContext& c) {
  std::optional<std::string_view> term = c.query.Get("term");
  if (!term || TrimSpaces(*term).size() < 2) {
    return Status::Invalid("term", "search needs a term of at least 2 characters");
  }
  ListQuery q;
  q.text = std::string(TrimSpaces(*term));
  PD_ASSIGN_OR_RETURN(q.person_id, c.query.IdOf("person_id"));
  PD_ASSIGN_OR_RETURN(q.org_id, c.query.IdOf("organization_id"));
  PD_ASSIGN_OR_RETURN(bool any, ReadStatusFilter(c, q));
  PD_ASSIGN_OR_RETURN(bool exact, c.query.Flag("exact_match"));
  auto write_item = [exact, text = q.text](PdContext& c, const Deal& d, JsonText& w) {
    if (exact && FoldCase(d.title) != FoldCase(text)) return;
    const Stage* stage = c.lookups.StageOf(d.stage_id);
    const Person* person = d.person_id ? c.lookups.PersonOf(*d.person_id) : nullptr;
    const Organization* org = d.org_id ? c.lookups.OrgOf(*d.org_id) : nullptr;
    w.BeginObject().Key("result_score").Double(1.0).Key("item").BeginObject();
    w.Key("id").Int(d.id).Key("type").String("deal").Key("title").String(d.title);
    w.Key("value");
    WriteAmount(d.value.amount_minor, d.value.currency, w);
    w.Key("currency").String(d.value.currency).Key("status").String(StatusName(d.status));
    w.Key("visible_to").Int(3);
    w.Key("owner").BeginObject().Key("id").Int(d.owner_id).EndObject();
    w.Key("stage").BeginObject().Key("id").Int(d.stage_id);
    w.Key("name").String(stage ? stage->name : "").EndObject();
    w.Key("person");
    if (person) {
      w.BeginObject().Key("id").Int(person->id).Key("name").String(person->name).EndObject();
    } else {
      w.Null();
    }
    w.Key("organization");
    if (org) {
      w.BeginObject().Key("id").Int(org->id).Key("name").String(org->name).EndObject();
    } else {
      w.Null();
    }
    w.Key("custom_fields").BeginArray().EndArray().Key("notes").BeginArray().EndArray();
    w.EndObject().EndObject();
  };
  // Search results are one object {items: [...]}; the page is read as a list would be.
  PD_ASSIGN_OR_RETURN(PageRequest page, ReadPageRequest(c));
  std::vector<Deal> deals;
  bool more = false;
  std::string next_cursor;
  if (!any) {
    // status=deleted: Pipedeck keeps no deleted deals.
  } else if (c.v1()) {
    PD_ASSIGN_OR_RETURN(OffsetPage<Deal> found,
                        ReadOffset<Deal>([&](const ListQuery& q) { return c.ws.ListDeals(q); }, q,
                                         page.start, page.limit));
    deals = std::move(found.items);
    more = found.more;
  } else {
    q.limit = static_cast<int>(page.limit);
    q.cursor = page.cursor;
    PD_ASSIGN_OR_RETURN(Page<Deal> found, c.ws.ListDeals(q));
    deals = std::move(found.items);
    next_cursor = std::move(found.next_cursor);
  }
  return Envelope(
      [&](JsonText& w) {
        w.BeginObject().Key("items").BeginArray();
        for (const Deal& d : deals) write_item(c, d, w);
        w.EndArray().EndObject();
      },
      [&](JsonText& w) {
        w.BeginObject();
        if (c.v1()) {
          w.Key("pagination").BeginObject().Key("start").Int(page.start);
          w.Key("limit").Int(page.limit).Key("more_items_in_collection").Bool(more);
          if (more) w.Key("next_start").Int(page.start + page.limit);
          w.EndObject();
        } else {
          w.Key("next_cursor");
          next_cursor.empty() ? w.Null() : w.String(next_cursor);
        }
        w.EndObject();
      });
}

// ---- Persons and organizations -----------------------------------------------------------------

// The person's or organization's owner as v1 writes it (a user object), v2 as an id.
void WriteOwner(PdContext& c, Id owner_id, JsonText& w) {
  w.Key("owner_id");
  if (c.v1()) {
    WriteV1UserRef(owner_id, c.lookups, w);
  } else {
    w.Int(owner_id);
  }
}

// Pipedrive splits a person's name at the first space.
void WriteNameParts(std::string_view name, JsonText& w) {
  const size_t space = name.find(' ');
  w.Key("first_name").String(name.substr(0, space));
  w.Key("last_name");
  space == std::string_view::npos ? w.Null() : w.String(name.substr(space + 1));
}

void WritePerson(PdContext& c, const Person& p, JsonText& w) {
  const Organization* org = p.org_id ? c.lookups.OrgOf(*p.org_id) : nullptr;
  w.BeginObject();
  w.Key("id").Int(p.id);
  w.Key("name").String(p.name);
  WriteNameParts(p.name, w);
  WriteOwner(c, p.owner_id, w);
  w.Key("org_id");
  if (c.v1() && org) {
    w.BeginObject().Key("name").String(org->name).Key("owner_id").Int(org->owner_id);
    w.Key("address").String(org->address).Key("active_flag").Bool(true);
    w.Key("cc_email").String("").Key("value").Int(org->id).EndObject();
  } else {
    p.org_id ? w.Int(*p.org_id) : w.Null();
  }
  w.Key(c.v1() ? "email" : "emails");
  WriteContactPoints(p.emails, w);
  w.Key(c.v1() ? "phone" : "phones");
  WriteContactPoints(p.phones, w);
  w.Key("add_time");
  WriteInstant(c.version, p.created_at, w);
  w.Key("update_time");
  WriteInstant(c.version, p.updated_at, w);
  if (c.v1()) {
    const User* owner = c.lookups.UserOf(p.owner_id);
    w.Key("active_flag").Bool(true).Key("visible_to").String("3");
    w.Key("org_name");
    org ? w.String(org->name) : w.Null();
    w.Key("owner_name").String(owner ? owner->name : "");
    w.Key("company_id").Int(1).Key("label").Null();
  } else {
    w.Key("is_deleted").Bool(false).Key("visible_to").Int(3);
    w.Key("label_ids").BeginArray().EndArray();
  }
  w.EndObject();
}

void WriteOrganization(PdContext& c, const Organization& o, JsonText& w) {
  w.BeginObject();
  w.Key("id").Int(o.id);
  w.Key("name").String(o.name);
  WriteOwner(c, o.owner_id, w);
  w.Key("address");
  if (c.v1()) {
    w.String(o.address);
  } else if (o.address.empty()) {
    w.Null();
  } else {
    w.BeginObject().Key("value").String(o.address).EndObject();
  }
  w.Key("add_time");
  WriteInstant(c.version, o.created_at, w);
  w.Key("update_time");
  WriteInstant(c.version, o.updated_at, w);
  if (c.v1()) {
    const User* owner = c.lookups.UserOf(o.owner_id);
    w.Key("active_flag").Bool(true).Key("visible_to").String("3");
    w.Key("owner_name").String(owner ? owner->name : "");
    w.Key("cc_email").String("").Key("company_id").Int(1).Key("label").Null();
  } else {
    w.Key("is_deleted").Bool(false).Key("visible_to").Int(3);
    w.Key("label_ids").BeginArray().EndArray();
  }
  w.EndObject();
}

// Emails or phones: v1 takes a string, an array of strings or of {value, primary, label}; v2 the
// objects. The first becomes primary when none is.
Result<std::optional<std::vector<ContactPoint>>> ReadContactPoints(const boost::json::object& o,
                                                                   std::string_view name) {
  using Out = std::optional<std::vector<ContactPoint>>;
  const boost::json::value* v = o.if_contains(name);
  if (v == nullptr) return Out();
  std::vector<ContactPoint> points;
  if (v->is_null()) return Out(points);
  if (v->is_string()) {
    if (!v->as_string().empty()) points.push_back({std::string(v->as_string()), "work", true});
    return Out(points);
  }
  if (!v->is_array()) return Status::Invalid(std::string(name), "must be a list of contacts");
  const boost::json::array& items = v->as_array();
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string at = std::string(name) + "[" + std::to_string(i) + "]";
    ContactPoint p{"", "work", false};
    if (items[i].is_string()) {
      p.value = std::string(items[i].as_string());
    } else if (items[i].is_object()) {
      const boost::json::object& item = items[i].as_object();
      const boost::json::value* value = item.if_contains("value");
      if (value == nullptr || !value->is_string()) {
        return Status::Invalid(at + ".value", "must be a string");
      }
      p.value = std::string(value->as_string());
      if (const boost::json::value* label = item.if_contains("label");
          label && label->is_string() && !label->as_string().empty()) {
        p.label = std::string(label->as_string());
      }
      if (const boost::json::value* primary = item.if_contains("primary"); primary) {
        if (!primary->is_bool()) return Status::Invalid(at + ".primary", "must be true or false");
        p.primary = primary->as_bool();
      }
    } else {
      return Status::Invalid(at, "must be a string or an object with a value");
    }
    if (!p.value.empty()) points.push_back(std::move(p));
  }
  if (!points.empty() &&
      std::none_of(points.begin(), points.end(), [](const ContactPoint& p) { return p.primary; })) {
    points.front().primary = true;
  }
  return Out(points);
}

Result<PersonPatch> ReadPerson(const PdContext& c, bool create) {
  PD_ASSIGN_OR_RETURN(PdBody b, PdBody::Parse(c.body));
  PersonPatch p;
  PD_ASSIGN_OR_RETURN(p.name, b.Text("name"));
  if (create && (!p.name || TrimSpaces(*p.name).empty())) {
    return Status::Invalid("name", "a person needs a name");
  }
  PD_ASSIGN_OR_RETURN(p.owner_id, b.IdOf("owner_id"));
  PD_ASSIGN_OR_RETURN(std::optional<Id> org, b.IdOf("org_id"));
  if (org) p.org_id = Clearable<Id>(*org);
  if (b.IsNull("org_id")) p.org_id.emplace();  // engaged, empty: clear
  PD_ASSIGN_OR_RETURN(p.emails, ReadContactPoints(b.object(), c.v1() ? "email" : "emails"));
  PD_ASSIGN_OR_RETURN(p.phones, ReadContactPoints(b.object(), c.v1() ? "phone" : "phones"));
  return p;
}

Result<OrganizationPatch> ReadOrganization(const PdContext& c, bool create) {
  PD_ASSIGN_OR_RETURN(PdBody b, PdBody::Parse(c.body));
  OrganizationPatch o;
  PD_ASSIGN_OR_RETURN(o.name, b.Text("name"));
  if (create && (!o.name || TrimSpaces(*o.name).empty())) {
    return Status::Invalid("name", "an organization needs a name");
  }
  PD_ASSIGN_OR_RETURN(o.owner_id, b.IdOf("owner_id"));
  // v2 sends the address as {value: "..."}; v1 as a string.
  const boost::json::value* address = b.object().if_contains("address");
  if (address != nullptr && !address->is_null()) {
    if (address->is_string()) {
      o.address = std::string(address->as_string());
    } else if (address->is_object() && address->as_object().contains("value") &&
               address->as_object().at("value").is_string()) {
      o.address = std::string(address->as_object().at("value").as_string());
    } else {
      return Status::Invalid("address", "must be a string or an object with a value");
    }
  } else if (address != nullptr) {
    o.address = "";
  }
  return o;
}

// The owner filter of a v1 list (`user_id`, 0 meaning everyone) or a v2 list (`owner_id`), and
// the text search the native lists have.
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

Result<PdReply> ListPersons(PdContext& c) {
  ListQuery q;
  PD_RETURN_IF_ERROR(ReadOwnerFilter(c, q));
  PD_ASSIGN_OR_RETURN(q.org_id, c.query.IdOf("org_id"));
  PD_ASSIGN_OR_RETURN(auto sort, ReadSort(c));
  q.sort = sort.first;
  q.descending = sort.second;
  return ListReply<Person>(
      c, q, [&](const ListQuery& q) { return c.ws.ListPersons(q); }, WritePerson);
}
Result<PdReply> GetPerson(PdContext& c) {
  PD_ASSIGN_OR_RETURN(Person p, c.ws.GetPerson(c.id()));
  return Envelope([&](JsonText& w) { WritePerson(c, p, w); });
}
Result<PdReply> AddPerson(PdContext& c) {
  PD_ASSIGN_OR_RETURN(PersonPatch patch, ReadPerson(c, true));
  if (!patch.owner_id) patch.owner_id = c.actor.id;
  PD_ASSIGN_OR_RETURN(Person p, c.ws.CreatePerson(c.actor, patch));
  return Envelope([&](JsonText& w) { WritePerson(c, p, w); }, 201);
}
Result<PdReply> UpdatePerson(PdContext& c) {
  PD_ASSIGN_OR_RETURN(PersonPatch patch, ReadPerson(c, false));
  PD_ASSIGN_OR_RETURN(Person p, c.ws.UpdatePerson(c.actor, c.id(), patch, std::nullopt));
  return Envelope([&](JsonText& w) { WritePerson(c, p, w); });
}
Result<PdReply> DeletePerson(PdContext& c) {
  PD_RETURN_IF_ERROR(c.ws.DeletePerson(c.actor, c.id(), std::nullopt));
  return DeletedReply(c.id());
}

Result<PdReply> ListOrganizations(PdContext& c) {
  ListQuery q;
  PD_RETURN_IF_ERROR(ReadOwnerFilter(c, q));
  PD_ASSIGN_OR_RETURN(auto sort, ReadSort(c));
  q.sort = sort.first;
  q.descending = sort.second;
  return ListReply<Organization>(
      c, q, [&](const ListQuery& q) { return c.ws.ListOrganizations(q); }, WriteOrganization);
}
Result<PdReply> GetOrganization(PdContext& c) {
  PD_ASSIGN_OR_RETURN(Organization o, c.ws.GetOrganization(c.id()));
  return Envelope([&](JsonText& w) { WriteOrganization(c, o, w); });
}
Result<PdReply> AddOrganization(PdContext& c) {
  PD_ASSIGN_OR_RETURN(OrganizationPatch patch, ReadOrganization(c, true));
  if (!patch.owner_id) patch.owner_id = c.actor.id;
  PD_ASSIGN_OR_RETURN(Organization o, c.ws.CreateOrganization(c.actor, patch));
  return Envelope([&](JsonText& w) { WriteOrganization(c, o, w); }, 201);
}
Result<PdReply> UpdateOrganization(PdContext& c) {
  PD_ASSIGN_OR_RETURN(OrganizationPatch patch, ReadOrganization(c, false));
  PD_ASSIGN_OR_RETURN(Organization o,
                      c.ws.UpdateOrganization(c.actor, c.id(), patch, std::nullopt));
  return Envelope([&](JsonText& w) { WriteOrganization(c, o, w); });
}
Result<PdReply> DeleteOrganization(PdContext& c) {
  PD_RETURN_IF_ERROR(c.ws.DeleteOrganization(c.actor, c.id(), std::nullopt));
  return DeletedReply(c.id());
}

// ---- Activities --------------------------------------------------------------------------------

// "HH:MM" of a number of minutes (durations and times of day).
std::string HoursMinutes(int32_t minutes) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%02d:%02d", minutes / 60, minutes % 60);
  return buffer;
}

void WriteActivity(PdContext& c, const Activity& a, JsonText& w) {
  w.BeginObject();
  w.Key("id").Int(a.id);
  w.Key("subject").String(a.subject);
  w.Key("type").String(ActivityTypeName(a.type));
  w.Key(c.v1() ? "user_id" : "owner_id").Int(a.owner_id);
  w.Key("done").Bool(a.done);
  w.Key("due_date");
  WriteDate(a.due_date, w);
  // v1 writes an empty string for "no time", v2 null.
  w.Key("due_time");
  if (a.due_time) {
    w.String(HoursMinutes(a.due_time->minutes));
  } else {
    c.v1() ? w.String("") : w.Null();
  }
  w.Key("duration");
  if (a.duration_minutes > 0) {
    w.String(HoursMinutes(a.duration_minutes));
  } else {
    c.v1() ? w.String("") : w.Null();
  }
  w.Key("deal_id");
  a.deal_id ? w.Int(*a.deal_id) : w.Null();
  w.Key("person_id");
  a.person_id ? w.Int(*a.person_id) : w.Null();
  w.Key("org_id");
  a.org_id ? w.Int(*a.org_id) : w.Null();
  w.Key("note");
  a.note.empty() ? w.Null() : w.String(a.note);
  w.Key("marked_as_done_time");
  if (a.done_at) {
    WriteInstant(c.version, *a.done_at, w);
  } else {
    c.v1() ? w.String("") : w.Null();
  }
  w.Key("add_time");
  WriteInstant(c.version, a.created_at, w);
  w.Key("update_time");
  WriteInstant(c.version, a.updated_at, w);
  w.Key("busy_flag").Bool(false);
  if (c.v1()) {
    const User* owner = c.lookups.UserOf(a.owner_id);
    const Person* person = a.person_id ? c.lookups.PersonOf(*a.person_id) : nullptr;
    const Organization* org = a.org_id ? c.lookups.OrgOf(*a.org_id) : nullptr;
    w.Key("active_flag").Bool(true).Key("company_id").Int(1);
    w.Key("owner_name").String(owner ? owner->name : "");
    w.Key("person_name");
    person ? w.String(person->name) : w.Null();
    w.Key("org_name");
    org ? w.String(org->name) : w.Null();
  } else {
    w.Key("is_deleted").Bool(false);
    w.Key("participants").BeginArray();
    if (a.person_id) {
      w.BeginObject().Key("person_id").Int(*a.person_id).Key("primary").Bool(true).EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
}

// "HH:MM" → minutes; `what` for the error.
Result<std::optional<int32_t>> ReadHoursMinutes(const PdBody& b, std::string_view name,
                                                int32_t max_minutes) {
  PD_ASSIGN_OR_RETURN(std::optional<std::string> text, b.Text(name));
  if (!text || text->empty()) return std::optional<int32_t>();
  std::optional<TimeOfDay> t = ParseTimeOfDay(*text);
  if (!t || t->minutes > max_minutes) {
    return Status::Invalid(std::string(name), "must be a time as HH:MM");
  }
  return std::optional<int32_t>(t->minutes);
}

Result<ActivityPatch> ReadActivity(const PdContext& c, bool create) {
  PD_ASSIGN_OR_RETURN(PdBody b, PdBody::Parse(c.body));
  ActivityPatch a;
  PD_ASSIGN_OR_RETURN(a.subject, b.Text("subject"));
  if (create && (!a.subject || TrimSpaces(*a.subject).empty())) {
    return Status::Invalid("subject", "an activity needs a subject");
  }
  PD_ASSIGN_OR_RETURN(std::optional<std::string> type, b.Text("type"));
  if (type) {
    std::optional<ActivityType> parsed = ParseActivityType(*type);
    if (!parsed) {
      return Status::Invalid("type", "must be one of: call, meeting, email, task, deadline");
    }
    a.type = *parsed;
  }
  PD_ASSIGN_OR_RETURN(a.due_date, b.DateOf("due_date"));
  PD_ASSIGN_OR_RETURN(std::optional<int32_t> due_time,
                      ReadHoursMinutes(b, "due_time", 24 * 60 - 1));
  if (due_time) a.due_time = Clearable<TimeOfDay>(TimeOfDay{*due_time});
  if (b.IsNull("due_time")) a.due_time.emplace();  // engaged, empty: clear
  PD_ASSIGN_OR_RETURN(std::optional<int32_t> duration,
                      ReadHoursMinutes(b, "duration", 24 * 60 - 1));
  if (duration) a.duration_minutes = *duration;
  PD_ASSIGN_OR_RETURN(a.done, b.Bool("done"));
  PD_ASSIGN_OR_RETURN(a.owner_id, b.IdOf(c.v1() ? "user_id" : "owner_id"));
  PD_ASSIGN_OR_RETURN(a.note, b.Text("note"));
  for (auto [field, target] :
       {std::pair{"deal_id", &a.deal_id}, std::pair{"person_id", &a.person_id},
        std::pair{"org_id", &a.org_id}}) {
    PD_ASSIGN_OR_RETURN(std::optional<Id> id, b.IdOf(field));
    if (id) *target = Clearable<Id>(*id);
    if (b.IsNull(field)) target->emplace();  // engaged, empty: clear
  }
  // v2 names the person through its primary participant.
  if (const boost::json::value* participants = b.object().if_contains("participants");
      !c.v1() && participants && participants->is_array()) {
    for (const boost::json::value& p : participants->as_array()) {
      const boost::json::object* o = p.if_object();
      if (!o || !o->contains("person_id") || !o->at("person_id").is_int64() ||
          o->at("person_id").as_int64() <= 0) {
        return Status::Invalid("participants", "each participant needs a person_id");
      }
      const boost::json::value* primary = o->if_contains("primary");
      if (!a.person_id || (primary && primary->is_bool() && primary->as_bool())) {
        a.person_id = Clearable<Id>(o->at("person_id").as_int64());
      }
    }
  }
  return a;
}

Result<PdReply> ListActivities(PdContext& c) {
  ListQuery q;
  PD_RETURN_IF_ERROR(ReadOwnerFilter(c, q));
  PD_ASSIGN_OR_RETURN(q.deal_id, c.query.IdOf("deal_id"));
  PD_ASSIGN_OR_RETURN(q.person_id, c.query.IdOf("person_id"));
  PD_ASSIGN_OR_RETURN(q.org_id, c.query.IdOf("org_id"));
  if (c.query.Get("done")) {
    PD_ASSIGN_OR_RETURN(bool done, c.query.Flag("done"));
    q.done = done;
  }
  for (auto [name, target] :
       {std::pair{"start_date", &q.due_from}, std::pair{"end_date", &q.due_to}}) {
    if (std::optional<std::string_view> text = c.query.Get(name)) {
      std::optional<Date> d = ParseDate(*text);
      if (!d) return Status::Invalid(name, std::string(name) + " must be a date as YYYY-MM-DD");
      *target = *d;
    }
  }
  if (std::optional<std::string_view> type = c.query.Get("type")) {
    return Status::Invalid("type",
                           "activities are listed by owner, deal, person, organization, "
                           "done and dates; filter the type on the answer");
  }
  PD_ASSIGN_OR_RETURN(auto sort, ReadSort(c));
  q.sort = sort.first;
  q.descending = sort.second;
  return ListReply<Activity>(
      c, q, [&](const ListQuery& q) { return c.ws.ListActivities(q); }, WriteActivity);
}
Result<PdReply> GetActivity(PdContext& c) {
  PD_ASSIGN_OR_RETURN(Activity a, c.ws.GetActivity(c.id()));
  return Envelope([&](JsonText& w) { WriteActivity(c, a, w); });
}
Result<PdReply> AddActivity(PdContext& c) {
  PD_ASSIGN_OR_RETURN(ActivityPatch patch, ReadActivity(c, true));
  if (!patch.owner_id) patch.owner_id = c.actor.id;
  PD_ASSIGN_OR_RETURN(Activity a, c.ws.CreateActivity(c.actor, patch));
  return Envelope([&](JsonText& w) { WriteActivity(c, a, w); }, 201);
}
Result<PdReply> UpdateActivity(PdContext& c) {
  PD_ASSIGN_OR_RETURN(ActivityPatch patch, ReadActivity(c, false));
  PD_ASSIGN_OR_RETURN(Activity a, c.ws.UpdateActivity(c.actor, c.id(), patch, std::nullopt));
  return Envelope([&](JsonText& w) { WriteActivity(c, a, w); });
}
Result<PdReply> DeleteActivity(PdContext& c) {
  PD_RETURN_IF_ERROR(c.ws.DeleteActivity(c.actor, c.id(), std::nullopt));
  return DeletedReply(c.id());
}

// ---- Notes (v1 only, as in Pipedrive) ----------------------------------------------------------

void WriteNote(PdContext& c, const Note& n, JsonText& w) {
  const User* author = c.lookups.UserOf(n.user_id);
  const Deal* deal = nullptr;
  std::optional<Deal> deal_record;
  if (n.deal_id) {
    Result<Deal> d = c.ws.GetDeal(*n.deal_id);
    if (d.ok()) deal_record = std::move(d).value();
    deal = deal_record ? &*deal_record : nullptr;
  }
  const Person* person = n.person_id ? c.lookups.PersonOf(*n.person_id) : nullptr;
  const Organization* org = n.org_id ? c.lookups.OrgOf(*n.org_id) : nullptr;
  w.BeginObject();
  w.Key("id").Int(n.id);
  w.Key("user_id").Int(n.user_id);
  w.Key("deal_id");
  n.deal_id ? w.Int(*n.deal_id) : w.Null();
  w.Key("person_id");
  n.person_id ? w.Int(*n.person_id) : w.Null();
  w.Key("org_id");
  n.org_id ? w.Int(*n.org_id) : w.Null();
  w.Key("lead_id").Null();
  w.Key("content").String(n.content);
  w.Key("add_time");
  WriteInstant(c.version, n.created_at, w);
  w.Key("update_time");
  WriteInstant(c.version, n.updated_at, w);
  w.Key("active_flag").Bool(true);
  w.Key("pinned_to_deal_flag").Bool(n.pinned && n.deal_id);
  w.Key("pinned_to_person_flag").Bool(n.pinned && n.person_id);
  w.Key("pinned_to_organization_flag").Bool(n.pinned && n.org_id);
  w.Key("last_update_user_id").Int(n.user_id);
  w.Key("user").BeginObject().Key("email").String(author ? author->email : "");
  w.Key("name").String(author ? author->name : "").Key("icon_url").Null();
  w.Key("is_you").Bool(n.user_id == c.actor.id).EndObject();
  w.Key("deal");
  deal ? (void)w.BeginObject().Key("title").String(deal->title).EndObject() : (void)w.Null();
  w.Key("person");
  person ? (void)w.BeginObject().Key("name").String(person->name).EndObject() : (void)w.Null();
  w.Key("organization");
  org ? (void)w.BeginObject().Key("name").String(org->name).EndObject() : (void)w.Null();
  w.EndObject();
}

Result<NotePatch> ReadNote(const PdContext& c, bool create) {
  PD_ASSIGN_OR_RETURN(PdBody b, PdBody::Parse(c.body));
  NotePatch n;
  PD_ASSIGN_OR_RETURN(n.content, b.Text("content"));
  if (create && (!n.content || TrimSpaces(*n.content).empty())) {
    return Status::Invalid("content", "a note needs content");
  }
  for (auto [field, target] :
       {std::pair{"deal_id", &n.deal_id}, std::pair{"person_id", &n.person_id},
        std::pair{"org_id", &n.org_id}}) {
    PD_ASSIGN_OR_RETURN(std::optional<Id> id, b.IdOf(field));
    if (id) *target = Clearable<Id>(*id);
  }
  if (create && !n.deal_id && !n.person_id && !n.org_id) {
    return Status::Invalid("deal_id", "a note belongs to a deal, a person or an organization");
  }
  bool any_pin = false, pinned = false;
  for (const char* flag :
       {"pinned_to_deal_flag", "pinned_to_person_flag", "pinned_to_organization_flag"}) {
    PD_ASSIGN_OR_RETURN(std::optional<bool> pin, b.Bool(flag));
    if (pin) {
      any_pin = true;
      pinned |= *pin;
    }
  }
  if (any_pin) n.pinned = pinned;
  return n;
}

Result<PdReply> ListNotes(PdContext& c) {
  PD_RETURN_IF_ERROR(RejectSavedFilters(c));
  ListQuery q;
  PD_ASSIGN_OR_RETURN(q.user_id, c.query.IdOf("user_id"));
  PD_ASSIGN_OR_RETURN(q.deal_id, c.query.IdOf("deal_id"));
  PD_ASSIGN_OR_RETURN(q.person_id, c.query.IdOf("person_id"));
  PD_ASSIGN_OR_RETURN(q.org_id, c.query.IdOf("org_id"));
  PD_ASSIGN_OR_RETURN(auto sort, ReadSort(c));
  q.sort = sort.first;
  q.descending = sort.second;
  return ListReply<Note>(
      c, q, [&](const ListQuery& q) { return c.ws.ListNotes(q); }, WriteNote);
}
Result<PdReply> GetNote(PdContext& c) {
  PD_ASSIGN_OR_RETURN(Note n, c.ws.GetNote(c.id()));
  return Envelope([&](JsonText& w) { WriteNote(c, n, w); });
}
Result<PdReply> AddNote(PdContext& c) {
  PD_ASSIGN_OR_RETURN(NotePatch patch, ReadNote(c, true));
  PD_ASSIGN_OR_RETURN(Note n, c.ws.CreateNote(c.actor, patch));
  return Envelope([&](JsonText& w) { WriteNote(c, n, w); }, 201);
}
Result<PdReply> UpdateNote(PdContext& c) {
  PD_ASSIGN_OR_RETURN(NotePatch patch, ReadNote(c, false));
  PD_ASSIGN_OR_RETURN(Note n, c.ws.UpdateNote(c.actor, c.id(), patch, std::nullopt));
  return Envelope([&](JsonText& w) { WriteNote(c, n, w); });
}
Result<PdReply> DeleteNote(PdContext& c) {
  PD_RETURN_IF_ERROR(c.ws.DeleteNote(c.actor, c.id(), std::nullopt));
  return Envelope([](JsonText& w) { w.Bool(true); });
}

// ---- Deals summary -----------------------------------------------------------------------------

// GET /deals/summary: per currency, the count, total and weighted total of the deals the filters
// select (status, user_id, stage_id, pipeline_id). Converted totals are in the workspace currency
// for that currency's deals only: Pipedeck keeps no exchange rates.
Result<PdReply> DealsSummary(PdContext& c) {
  PD_RETURN_IF_ERROR(RejectSavedFilters(c));
  ListQuery q;
  PD_ASSIGN_OR_RETURN(bool any, ReadStatusFilter(c, q));
  PD_ASSIGN_OR_RETURN(q.owner_id, c.query.IdOf("user_id"));
  PD_ASSIGN_OR_RETURN(q.stage_id, c.query.IdOf("stage_id"));
  PD_ASSIGN_OR_RETURN(q.pipeline_id, c.query.IdOf("pipeline_id"));
  PD_ASSIGN_OR_RETURN(WorkspaceSettings settings, c.ws.Settings());
  struct Total {
    int64_t count = 0, value = 0, weighted = 0;
  };
  std::map<std::string, Total> totals;
  q.limit = static_cast<int>(kMaxLimit);
  while (any) {
    PD_ASSIGN_OR_RETURN(Page<Deal> page, c.ws.ListDeals(q));
    for (const Deal& d : page.items) {
      const Stage* stage = c.lookups.StageOf(d.stage_id);
      const int32_t percent =
          stage ? EffectiveProbability(d, *stage) : d.probability_override.value_or(0);
      Total& t = totals[d.value.currency];
      ++t.count;
      t.value += d.value.amount_minor;
      t.weighted += ApplyPercent(d.value.amount_minor, percent);
    }
    if (page.next_cursor.empty()) break;
    q.cursor = page.next_cursor;
  }
  const std::string& home = settings.default_currency;
  int64_t count = 0;
  const Total converted = totals.contains(home) ? totals[home] : Total();
  for (const auto& [currency, t] : totals) count += t.count;
  return Envelope([&](JsonText& w) {
    auto per_currency = [&](bool weighted) {
      w.BeginObject();
      for (const auto& [currency, t] : totals) {
        const int64_t amount = weighted ? t.weighted : t.value;
        w.Key(currency).BeginObject();
        w.Key("value");
        WriteAmount(amount, currency, w);
        w.Key("count").Int(t.count);
        w.Key("value_converted");
        WriteAmount(currency == home ? amount : 0, home, w);
        w.Key("value_formatted").String(FormattedAmount(amount, currency));
        w.Key("value_converted_formatted")
            .String(FormattedAmount(currency == home ? amount : 0, home));
        w.EndObject();
      }
      w.EndObject();
    };
    w.BeginObject();
    w.Key("values_total");
    per_currency(false);
    w.Key("weighted_values_total");
    per_currency(true);
    w.Key("total_count").Int(count);
    w.Key("total_currency_converted_value");
    WriteAmount(converted.value, home, w);
    w.Key("total_weighted_currency_converted_value");
    WriteAmount(converted.weighted, home, w);
    w.Key("total_currency_converted_value_formatted")
        .String(FormattedAmount(converted.value, home));
    w.Key("total_weighted_currency_converted_value_formatted")
        .String(FormattedAmount(converted.weighted, home));
    w.EndObject();
  });
}

// ---- The route table ---------------------------------------------------------------------------

using PdHandler = Result<PdReply> (*)(PdContext&);

struct PdRoute {
  ApiVersion version;
  Verb verb;
  std::string_view path;  // below the version prefix; "{id}" matches a positive integer
  PdHandler handler;
};

const std::vector<PdRoute>& PdRoutes() {
  using enum Verb;
  constexpr ApiVersion v1 = ApiVersion::kV1, v2 = ApiVersion::kV2;
  static const std::vector<PdRoute> routes = {
      {v1, kGet, "/users/me", GetMe},
      {v1, kGet, "/users", ListUsers},
      {v1, kGet, "/users/{id}", GetUser},

      {v1, kGet, "/pipelines", ListPipelines},
      {v1, kPost, "/pipelines", AddPipeline},
      {v1, kGet, "/pipelines/{id}", GetPipeline},
      {v1, kPut, "/pipelines/{id}", UpdatePipeline},
      {v1, kDelete, "/pipelines/{id}", DeletePipeline},
      {v1, kGet, "/pipelines/{id}/deals", PipelineDeals},
      {v2, kGet, "/pipelines", ListPipelines},
      {v2, kPost, "/pipelines", AddPipeline},
      {v2, kGet, "/pipelines/{id}", GetPipeline},
      {v2, kPatch, "/pipelines/{id}", UpdatePipeline},
      {v2, kDelete, "/pipelines/{id}", DeletePipeline},

      {v1, kGet, "/stages", ListStages},
      {v1, kPost, "/stages", AddStage},
      {v1, kGet, "/stages/{id}", GetStage},
      {v1, kPut, "/stages/{id}", UpdateStage},
      {v1, kDelete, "/stages/{id}", DeleteStage},
      {v1, kGet, "/stages/{id}/deals", StageDeals},
      {v2, kGet, "/stages", ListStages},
      {v2, kPost, "/stages", AddStage},
      {v2, kGet, "/stages/{id}", GetStage},
      {v2, kPatch, "/stages/{id}", UpdateStage},
      {v2, kDelete, "/stages/{id}", DeleteStage},

      {v1, kGet, "/persons", ListPersons},
      {v1, kPost, "/persons", AddPerson},
      {v1, kGet, "/persons/{id}", GetPerson},
      {v1, kPut, "/persons/{id}", UpdatePerson},
      {v1, kDelete, "/persons/{id}", DeletePerson},
      {v2, kGet, "/persons", ListPersons},
      {v2, kPost, "/persons", AddPerson},
      {v2, kGet, "/persons/{id}", GetPerson},
      {v2, kPatch, "/persons/{id}", UpdatePerson},
      {v2, kDelete, "/persons/{id}", DeletePerson},

      {v1, kGet, "/organizations", ListOrganizations},
      {v1, kPost, "/organizations", AddOrganization},
      {v1, kGet, "/organizations/{id}", GetOrganization},
      {v1, kPut, "/organizations/{id}", UpdateOrganization},
      {v1, kDelete, "/organizations/{id}", DeleteOrganization},
      {v2, kGet, "/organizations", ListOrganizations},
      {v2, kPost, "/organizations", AddOrganization},
      {v2, kGet, "/organizations/{id}", GetOrganization},
      {v2, kPatch, "/organizations/{id}", UpdateOrganization},
      {v2, kDelete, "/organizations/{id}", DeleteOrganization},

      {v1, kGet, "/activities", ListActivities},
      {v1, kPost, "/activities", AddActivity},
      {v1, kGet, "/activities/{id}", GetActivity},
      {v1, kPut, "/activities/{id}", UpdateActivity},
      {v1, kDelete, "/activities/{id}", DeleteActivity},
      {v2, kGet, "/activities", ListActivities},
      {v2, kPost, "/activities", AddActivity},
      {v2, kGet, "/activities/{id}", GetActivity},
      {v2, kPatch, "/activities/{id}", UpdateActivity},
      {v2, kDelete, "/activities/{id}", DeleteActivity},

      {v1, kGet, "/notes", ListNotes},
      {v1, kPost, "/notes", AddNote},
      {v1, kGet, "/notes/{id}", GetNote},
      {v1, kPut, "/notes/{id}", UpdateNote},
      {v1, kDelete, "/notes/{id}", DeleteNote},

      {v1, kGet, "/deals/summary", DealsSummary},
      {v1, kGet, "/deals", ListDeals},
      {v1, kPost, "/deals", AddDeal},
      {v1, kGet, "/deals/search", SearchDeals},
      {v1, kGet, "/deals/{id}", GetDeal},
      {v1, kPut, "/deals/{id}", UpdateDeal},
      {v1, kDelete, "/deals/{id}", DeleteDeal},
      {v2, kGet, "/deals", ListDeals},
      {v2, kPost, "/deals", AddDeal},
      {v2, kGet, "/deals/search", SearchDeals},
      {v2, kGet, "/deals/{id}", GetDeal},
      {v2, kPatch, "/deals/{id}", UpdateDeal},
      {v2, kDelete, "/deals/{id}", DeleteDeal},
  };
  return routes;
}

// ---- Errors ------------------------------------------------------------------------------------

// Pipedrive's error envelope; the message names the field at fault.
HttpResponse PdError(const Status& status) {
  HttpResponse r;
  r.status = HttpStatusOf(status.code());
  std::string message = status.message();
  if (!status.field().empty() && message.rfind(status.field(), 0) != 0) {
    message = status.field() + ": " + message;
  }
  JsonText w(r.body);
  w.BeginObject().Key("success").Bool(false).Key("error").String(message);
  w.Key("error_info").String(kErrorInfo);
  if (status.code() == ErrorCode::kUnauthorized) w.Key("errorCode").Int(401);
  if (!status.field().empty()) w.Key("field").String(status.field());
  w.Key("data").Null().Key("additional_data").Null().EndObject();
  return r;
}

}  // namespace

bool PipedriveApi::Owns(std::string_view path) { return SplitVersion(path).has_value(); }

HttpResponse PipedriveApi::Handle(const HttpRequest& request) const {
  std::string_view path = request.target;
  std::string_view raw_query;
  if (size_t q = path.find('?'); q != std::string_view::npos) {
    raw_query = path.substr(q + 1);
    path = path.substr(0, q);
  }
  std::optional<std::pair<ApiVersion, std::string_view>> target = SplitVersion(path);
  if (!target) return PdError(Status::NotFound("no such route: " + std::string(path)));
  const auto [version, rest] = *target;
  const std::vector<std::string_view> segments = SplitPath(rest);

  const PdRoute* matched = nullptr;
  std::vector<Id> ids;
  std::string allow;
  for (const PdRoute& route : PdRoutes()) {
    if (route.version != version) continue;
    const std::vector<std::string_view> pattern = SplitPath(route.path);
    if (pattern.size() != segments.size()) continue;
    std::vector<Id> route_ids;
    bool fits = true;
    for (size_t i = 0; fits && i < segments.size(); ++i) {
      if (pattern[i] != "{id}") {
        fits = pattern[i] == segments[i];
      } else if (std::optional<Id> id = ParsePathId(segments[i])) {
        route_ids.push_back(*id);
      } else {
        fits = false;
      }
    }
    if (!fits) continue;
    if (VerbName(route.verb) == request.method) {
      matched = &route;
      ids = std::move(route_ids);
      break;
    }
    if (!allow.empty()) allow += ", ";
    allow += VerbName(route.verb);
  }
  if (matched == nullptr) {
    if (!allow.empty()) {
      HttpResponse r = PdError(
          Status::Malformed(std::string(request.method) + " is not allowed here; use " + allow));
      r.status = 405;
      r.headers.emplace_back("Allow", allow);
      return r;
    }
    return PdError(Status::NotFound("no such route: " + std::string(path)));
  }

  try {
    Result<PdQuery> query = PdQuery::Parse(raw_query);
    if (!query.ok()) return PdError(query.status());
    const std::optional<std::string_view> query_token = query->Get("api_token");
    Result<User> actor = Authenticate(ws_, request, query_token.value_or(""));
    if (!actor.ok()) {
      return PdError(Status::Unauthorized(
          "unauthorized access: send a valid API token as 'x-api-token', '?api_token=' or "
          "'Authorization: Bearer'"));
    }
    PdContext ctx{ws_, *actor, version, std::move(ids), *query, request.body, Lookups(ws_)};
    Result<PdReply> reply = matched->handler(ctx);
    if (!reply.ok()) return PdError(reply.status());
    HttpResponse r;
    r.status = reply->status;
    r.body = std::move(reply->body);
    return r;
  } catch (const std::exception& e) {
    return PdError(Status::Internal(std::string("unexpected error: ") + e.what()));
  }
}

}  // namespace pipedeck
