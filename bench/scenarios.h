// The benchmark scenarios: what each one asks the server, as plain requests.
//
// A scenario is a request generator. The load client (loadgen.cc) gives every connection its own
// RequestSource and sends what it returns; the correctness test (tests/bench/) sends the same
// requests once on a small workspace and checks the answers against the database. Keeping the
// request building here, free of sockets, is what makes the test cover what the benchmark sends.
//
// Scenarios know the workspace through WorkspaceInfo, read over the API before the load starts
// (DiscoverWorkspace), so they work on any generated workspace without reading its file.
//
// Thread-safety: WorkspaceInfo is read-only once discovered; a RequestSource belongs to one
// connection and is not shared.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pipedeck::bench {

// One HTTP request without credentials (the sender adds the token).
struct Request {
  std::string method;  // "GET" or "POST"
  std::string target;  // path and query, e.g. "/api/deals/7"
  std::string body;    // a JSON object for POST; empty for GET
};

struct Response {
  int status = 0;  // 0 when no response arrived
  std::string body;
  std::string error;  // transport failure when status is 0
};

// Sends one request and waits (bounded) for its response.
using Fetch = std::function<Response(const Request&)>;

struct OpenDeal {
  int64_t id = 0;
  int64_t stage_id = 0;
};

// What the scenarios need to know about the workspace under test.
struct WorkspaceInfo {
  int64_t pipeline_id = 0;           // the first pipeline ("Sales" in a generated workspace)
  std::vector<int64_t> stage_ids;    // its stages, in board order
  std::vector<int64_t> owner_ids;    // the users with role "rep" (all users when there are none)
  int64_t min_deal_id = 0;           // every id in [min_deal_id, max_deal_id] is a deal
  int64_t max_deal_id = 0;           //   (true of a generated workspace: nothing is deleted)
  std::vector<OpenDeal> open_deals;  // open deals of all pipelines, by id (see DiscoverWorkspace)
  std::vector<std::vector<int64_t>> pipeline_stages;  // stage ids per pipeline, for moves
  std::vector<int64_t> pipeline_ids;                  // parallel to pipeline_stages
};

// Reads WorkspaceInfo through `fetch`. `with_open_deals` also pages through every open deal
// (about 200 requests at 100k open deals), which only the write scenarios need. Returns an error
// message when a request fails or the workspace has no pipeline, stage or deal.
std::optional<std::string> DiscoverWorkspace(const Fetch& fetch, bool with_open_deals,
                                             WorkspaceInfo* info);

// The stages of the pipeline that holds `stage_id` (empty when unknown).
const std::vector<int64_t>& StagesAround(const WorkspaceInfo& info, int64_t stage_id);

// The requests one connection sends, in order.
class RequestSource {
 public:
  virtual ~RequestSource() = default;
  // The next request, or std::nullopt when this connection has nothing left to send (only the
  // scenarios that use each open deal once run out).
  virtual std::optional<Request> Next() = 0;
};

struct ScenarioSpec {
  std::string_view name;
  std::string_view description;   // one line, for the report
  bool needs_open_deals = false;  // DiscoverWorkspace(with_open_deals = true) first
  bool writes = false;
};

// Every scenario, in report order:
//   health      GET /api/health (the reference: no token, no database)
//   board       GET /api/pipelines/{P}/board (all stages, first 20 cards, counts and sums)
//   page        GET /api/deals?stage_id=S&sort=-updated_at&limit=50, S cycling over P's stages
//   page_owner  the same with &owner_id=O, O cycling over the reps
//   get_deal    GET /api/deals/{random id}
//   timeline    GET /api/deals/{random id}/timeline
//   create      POST /api/deals (title, value, currency, stage cycling over P's stages)
//   move        POST /api/deals/{open id}/move to the next stage of its pipeline, round-robin
//               over the connection's share of the open deals
//   won         POST /api/deals/{open id}/won, each open deal of the connection's share once
//   read_mix    board, page, page_owner, get_deal, timeline in turn
//   write_mix   move and create in turn
const std::vector<ScenarioSpec>& Scenarios();

// The spec named `name`, or nullptr.
const ScenarioSpec* FindScenario(std::string_view name);

// The request source of connection `connection` (0-based) of `connections` running `scenario`.
// Connections split the open deals between them (deal i goes to connection i mod connections),
// so no two connections write the same deal. `seed` makes the random choices repeatable.
// REQUIRES: FindScenario(scenario) != nullptr; 0 <= connection < connections; `info` discovered
// (with open deals when the spec needs them) and alive as long as the source.
std::unique_ptr<RequestSource> MakeRequestSource(std::string_view scenario,
                                                 const WorkspaceInfo& info, int connection,
                                                 int connections, uint64_t seed);

// `text` percent-encoded for a query string value.
std::string UrlEncode(std::string_view text);

}  // namespace pipedeck::bench
