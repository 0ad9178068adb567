// The plumbing of the Pipedrive-compatible API (pipedrive_api.h): query parameters and bodies
// read the lenient way Pipedrive reads them, the handler context with the records a response
// points at, the success envelope, Pipedrive's formats, and v1 offset and v2 cursor pages over the
// workspace's keyset lists. Internal to api/.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "api/json_text.h"
#include "core/model.h"
#include "core/status.h"
#include "service/workspace.h"

namespace pipedeck::pipedrive {

enum class ApiVersion { kV1, kV2 };

// Pages: Pipedrive's default and largest limit.
constexpr int64_t kDefaultLimit = 100;
constexpr int64_t kMaxLimit = 500;

// The query as sent. Parameters this API does not know are ignored, as Pipedrive ignores them;
// known ones are checked, and a bad value is refused naming the parameter.
class PdQuery {
 public:
  static Result<PdQuery> Parse(std::string_view raw);

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

// A JSON object body. Pipedrive's clients send numbers as JSON numbers or numeric strings (the
// SDK's own examples send `value: '1000'`), so both are read. Fields this API does not model
// (visible_to, label, custom field keys) are ignored as Pipedrive ignores unknown keys.
class PdBody {
 public:
  static Result<PdBody> Parse(std::string_view body);

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
  Result<std::optional<double>> Number(std::string_view name) const;

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
void AppendInstant(ApiVersion version, Timestamp t, std::string& out);

void WriteInstant(ApiVersion version, Timestamp t, JsonText& w);
void WriteInstant(ApiVersion version, const std::optional<Timestamp>& t, JsonText& w);  // or null
void WriteDate(const std::optional<Date>& d, JsonText& w);  // "YYYY-MM-DD" or null

// An amount in major units as Pipedrive writes it: a whole number when it is one.
void WriteAmount(int64_t minor, std::string_view currency, JsonText& w);

// "$1,500", "€1,234.50", "CHF 12": the amount for display, as Pipedrive's formatted_value.
std::string FormattedAmount(int64_t minor, std::string_view currency);

// A value in major units into minor units of `currency`. Errors: kInvalid naming `field` when
// negative, too large or finer than the currency's smallest unit.
Result<int64_t> ToMinor(double major, std::string_view currency, std::string_view field);

// ---- Parts of records --------------------------------------------------------------------------

// A user as the nested user objects of v1 records write it.
void WriteV1UserRef(Id id, Lookups& lookups, JsonText& w);

std::string_view StatusName(DealStatus s);  // "open", "won", "lost"

// Emails or phones: [{"label", "value", "primary"}].
void WriteContactPoints(const std::vector<ContactPoint>& points, JsonText& w);

// ---- Lists -------------------------------------------------------------------------------------

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

Result<PageRequest> ReadPageRequest(const PdContext& c);

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
Result<std::pair<SortField, bool>> ReadSort(const PdContext& c);

// v1 status: open|won|lost|deleted|all_not_deleted (default); v2: open|won|lost|deleted. Deleted
// deals are gone from Pipedeck, so `deleted` lists none.
Result<bool> ReadStatusFilter(const PdContext& c, ListQuery& q);

// Pipedeck has no saved filters: `filter_id` is refused, naming it, rather than ignored, so that a
// script never takes an unfiltered list for a filtered one.
Status RejectSavedFilters(const PdContext& c);

// The owner filter of a v1 list (`user_id`, 0 meaning everyone) or a v2 list (`owner_id`, and
// `updated_since`); refuses saved filters.
Status ReadOwnerFilter(const PdContext& c, ListQuery& q);

// An empty page in the version's envelope.
Result<PdReply> EmptyList(PdContext& c);

// {"success": true, "data": {"id": id}}: what a delete answers.
PdReply DeletedReply(Id id);

// ---- One record ------------------------------------------------------------------------------
//
// The get, add, update and delete every object has, given its workspace call (a member pointer),
// its body reader `read(c, create)` (which applies the create defaults) and its writer
// `write(c, record, w)`.

template <auto Get, typename Write>
Result<PdReply> GetRecord(PdContext& c, Write&& write) {
  PD_ASSIGN_OR_RETURN(auto record, (c.ws.*Get)(c.id()));
  return Envelope([&](JsonText& w) { write(c, record, w); });
}

template <auto Create, typename Read, typename Write>
Result<PdReply> AddRecord(PdContext& c, Read&& read, Write&& write) {
  PD_ASSIGN_OR_RETURN(auto patch, read(c, true));
  PD_ASSIGN_OR_RETURN(auto record, (c.ws.*Create)(c.actor, patch));
  return Envelope([&](JsonText& w) { write(c, record, w); }, 201);
}

template <auto Update, typename Read, typename Write>
Result<PdReply> UpdateRecord(PdContext& c, Read&& read, Write&& write) {
  PD_ASSIGN_OR_RETURN(auto patch, read(c, false));
  PD_ASSIGN_OR_RETURN(auto record, (c.ws.*Update)(c.actor, c.id(), patch, std::nullopt));
  return Envelope([&](JsonText& w) { write(c, record, w); });
}

template <auto Delete>
Result<PdReply> DeleteRecord(PdContext& c) {
  PD_RETURN_IF_ERROR((c.ws.*Delete)(c.actor, c.id(), std::nullopt));
  return DeletedReply(c.id());
}

}  // namespace pipedeck::pipedrive
