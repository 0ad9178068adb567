#include "bench/scenarios.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <random>
#include <utility>

#include <boost/json.hpp>

namespace pipedeck::bench {
namespace {

namespace json = boost::json;

// Bounds discovery: a workspace with more open deals than this is read only up to it.
constexpr int kMaxDiscoveryPages = 10'000;
constexpr int kPageLimit = 500;

// The response to `request` parsed as a JSON object, or an error message.
std::optional<std::string> FetchObject(const Fetch& fetch, const std::string& target,
                                       json::object* out) {
  Response r = fetch({"GET", target, ""});
  if (r.status != 200) {
    return "GET " + target + ": " +
           (r.status == 0 ? r.error : "status " + std::to_string(r.status) + " " + r.body);
  }
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  if (ec || !v.is_object()) return "GET " + target + ": not a JSON object";
  *out = std::move(v.as_object());
  return std::nullopt;
}

// Calls `each` on every item of the list at `target` (which has no cursor), page by page.
std::optional<std::string> ForEachItem(const Fetch& fetch, const std::string& target,
                                       const std::function<void(const json::object&)>& each) {
  std::string cursor;
  for (int page = 0; page < kMaxDiscoveryPages; ++page) {
    json::object body;
    std::string url = target + (cursor.empty() ? "" : "&cursor=" + UrlEncode(cursor));
    if (auto error = FetchObject(fetch, url, &body)) return error;
    const json::value* items = body.if_contains("items");
    if (items == nullptr || !items->is_array()) return "GET " + url + ": no items";
    for (const json::value& item : items->as_array()) {
      if (item.is_object()) each(item.as_object());
    }
    const json::value* next = body.if_contains("next_cursor");
    if (next == nullptr || !next->is_string()) return std::nullopt;
    cursor = std::string(next->as_string());
  }
  return std::nullopt;
}

int64_t IntField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_int64() ? v->as_int64() : 0;
}

std::string StringField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

// ---- Sources ------------------------------------------------------------------------------------

// Reads: the same kinds of request for every connection, with random ids and cycling filters.
class ReadSource : public RequestSource {
 public:
  // `kinds` are cycled in order; each is one of the read scenario names.
  ReadSource(const WorkspaceInfo& info, std::vector<std::string_view> kinds, int connection,
             uint64_t seed)
      : info_(info), kinds_(std::move(kinds)), rng_(seed), turn_(connection) {}

  std::optional<Request> Next() override {
    const std::string_view kind = kinds_[turn_ % kinds_.size()];
    const size_t n = turn_++;
    if (kind == "health") return Request{"GET", "/api/health", ""};
    if (kind == "board") {
      return Request{"GET", "/api/pipelines/" + std::to_string(info_.pipeline_id) + "/board", ""};
    }
    if (kind == "page" || kind == "page_owner") {
      std::string target =
          "/api/deals?stage_id=" + std::to_string(info_.stage_ids[n % info_.stage_ids.size()]) +
          "&sort=-updated_at&limit=50";
      if (kind == "page_owner") {
        target +=
            "&owner_id=" +
            std::to_string(info_.owner_ids[(n / info_.stage_ids.size()) % info_.owner_ids.size()]);
      }
      return Request{"GET", std::move(target), ""};
    }
    std::uniform_int_distribution<int64_t> ids(info_.min_deal_id, info_.max_deal_id);
    const std::string deal = "/api/deals/" + std::to_string(ids(rng_));
    if (kind == "timeline") return Request{"GET", deal + "/timeline", ""};
    return Request{"GET", deal, ""};  // get_deal
  }

 private:
  const WorkspaceInfo& info_;
  std::vector<std::string_view> kinds_;
  std::mt19937_64 rng_;
  size_t turn_;
};

// Writes: creates, moves and wins, in turn as `kinds` lists them. Moves and wins use the open deals
// whose index is congruent to `connection` modulo `connections`.
class WriteSource : public RequestSource {
 public:
  WriteSource(const WorkspaceInfo& info, std::vector<std::string_view> kinds, int connection,
              int connections, uint64_t seed)
      : info_(info), kinds_(std::move(kinds)), connection_(connection), rng_(seed) {
    for (size_t i = connection; i < info.open_deals.size(); i += connections) {
      mine_.push_back(info.open_deals[i]);
    }
  }

  std::optional<Request> Next() override {
    const std::string_view kind = kinds_[turn_++ % kinds_.size()];
    if (kind == "create") {
      std::uniform_int_distribution<int64_t> value(1'000, 10'000'000);
      const int64_t n = created_++;
      char body[256];
      std::snprintf(body, sizeof body,
                    R"({"title": "Bench deal %d-%lld", "value_minor": %lld, "currency": "USD", )"
                    R"("stage_id": %lld})",
                    connection_, static_cast<long long>(n), static_cast<long long>(value(rng_)),
                    static_cast<long long>(info_.stage_ids[n % info_.stage_ids.size()]));
      return Request{"POST", "/api/deals", body};
    }
    if (kind == "won") {
      if (won_next_ >= mine_.size()) return std::nullopt;
      return Request{"POST", "/api/deals/" + std::to_string(mine_[won_next_++].id) + "/won", ""};
    }
    // move: the next of my deals to the stage after its current one (wrapping around).
    if (mine_.empty()) return std::nullopt;
    OpenDeal& deal = mine_[move_next_++ % mine_.size()];
    const std::vector<int64_t>& stages = StagesAround(info_, deal.stage_id);
    if (stages.size() < 2) return std::nullopt;
    const auto at = std::find(stages.begin(), stages.end(), deal.stage_id);
    deal.stage_id = stages[(static_cast<size_t>(at - stages.begin()) + 1) % stages.size()];
    return Request{"POST", "/api/deals/" + std::to_string(deal.id) + "/move",
                   "{\"stage_id\": " + std::to_string(deal.stage_id) + "}"};
  }

 private:
  const WorkspaceInfo& info_;
  std::vector<std::string_view> kinds_;
  int connection_;
  std::mt19937_64 rng_;
  std::vector<OpenDeal> mine_;
  size_t turn_ = 0;
  size_t won_next_ = 0;
  size_t move_next_ = 0;
  int64_t created_ = 0;
};

const std::vector<int64_t> kNoStages;

}  // namespace

std::string UrlEncode(std::string_view text) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::optional<std::string> DiscoverWorkspace(const Fetch& fetch, bool with_open_deals,
                                             WorkspaceInfo* info) {
  *info = WorkspaceInfo();
  std::optional<std::string> error =
      ForEachItem(fetch, "/api/pipelines?limit=500",
                  [&](const json::object& p) { info->pipeline_ids.push_back(IntField(p, "id")); });
  if (error) return error;
  if (info->pipeline_ids.empty()) return "the workspace has no pipeline";
  info->pipeline_id = info->pipeline_ids.front();
  for (int64_t pipeline : info->pipeline_ids) {
    std::vector<int64_t>& stages = info->pipeline_stages.emplace_back();
    error = ForEachItem(fetch, "/api/stages?limit=500&pipeline_id=" + std::to_string(pipeline),
                        [&](const json::object& s) { stages.push_back(IntField(s, "id")); });
    if (error) return error;
  }
  info->stage_ids = info->pipeline_stages.front();
  if (info->stage_ids.empty()) return "the first pipeline has no stage";

  std::vector<int64_t> everyone;
  error = ForEachItem(fetch, "/api/users?limit=500", [&](const json::object& u) {
    everyone.push_back(IntField(u, "id"));
    if (StringField(u, "role") == "rep") info->owner_ids.push_back(IntField(u, "id"));
  });
  if (error) return error;
  if (info->owner_ids.empty()) info->owner_ids = everyone;

  for (const char* sort : {"id", "-id"}) {
    json::object body;
    error = FetchObject(fetch, std::string("/api/deals?limit=1&sort=") + sort, &body);
    if (error) return error;
    const json::value* items = body.if_contains("items");
    if (items == nullptr || !items->is_array() || items->as_array().empty()) {
      return "the workspace has no deal";
    }
    const int64_t id = IntField(items->as_array()[0].as_object(), "id");
    (sort[0] == '-' ? info->max_deal_id : info->min_deal_id) = id;
  }

  if (with_open_deals) {
    error = ForEachItem(fetch, "/api/deals?status=open&sort=id&limit=" + std::to_string(kPageLimit),
                        [&](const json::object& d) {
                          info->open_deals.push_back({IntField(d, "id"), IntField(d, "stage_id")});
                        });
    if (error) return error;
  }
  return std::nullopt;
}

const std::vector<int64_t>& StagesAround(const WorkspaceInfo& info, int64_t stage_id) {
  for (const std::vector<int64_t>& stages : info.pipeline_stages) {
    if (std::find(stages.begin(), stages.end(), stage_id) != stages.end()) return stages;
  }
  return kNoStages;
}

const std::vector<ScenarioSpec>& Scenarios() {
  static const std::vector<ScenarioSpec> kScenarios = {
      {"health", "GET /api/health: the bare route, no token, no database (the reference)"},
      {"board", "GET /api/pipelines/{id}/board: every stage, first 20 cards, counts and sums"},
      {"page", "GET /api/deals?stage_id=S&sort=-updated_at&limit=50, S cycling over the stages"},
      {"page_owner", "the page of 50 with &owner_id=O, O cycling over the reps"},
      {"get_deal", "GET /api/deals/{id}, random id"},
      {"timeline", "GET /api/deals/{id}/timeline, random id"},
      {"create", "POST /api/deals (title, value, currency, stage)", false, true},
      {"move", "POST /api/deals/{id}/move to the next stage, open deals round-robin", true, true},
      {"won", "POST /api/deals/{id}/won, each open deal once", true, true},
      {"read_mix", "board, page, page_owner, get_deal, timeline in turn (beside write_mix)"},
      {"write_mix", "move and create in turn (beside read_mix)", true, true},
  };
  return kScenarios;
}

const ScenarioSpec* FindScenario(std::string_view name) {
  for (const ScenarioSpec& spec : Scenarios()) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::unique_ptr<RequestSource> MakeRequestSource(std::string_view scenario,
                                                 const WorkspaceInfo& info, int connection,
                                                 int connections, uint64_t seed) {
  const uint64_t stream = seed * 1'000'003 + static_cast<uint64_t>(connection);
  if (scenario == "read_mix") {
    return std::make_unique<ReadSource>(
        info, std::vector<std::string_view>{"board", "page", "page_owner", "get_deal", "timeline"},
        connection, stream);
  }
  if (scenario == "write_mix") {
    return std::make_unique<WriteSource>(info, std::vector<std::string_view>{"move", "create"},
                                         connection, connections, stream);
  }
  const ScenarioSpec* spec = FindScenario(scenario);
  if (spec->writes) {
    return std::make_unique<WriteSource>(info, std::vector<std::string_view>{spec->name},
                                         connection, connections, stream);
  }
  return std::make_unique<ReadSource>(info, std::vector<std::string_view>{spec->name}, 0, stream);
}

}  // namespace pipedeck::bench
