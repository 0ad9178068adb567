// The native REST API: the route table and the router that dispatches on it. Requests to the
// Pipedrive-compatible paths (/v1, /api/v1, /api/v2) go to PipedriveApi.
//
// The route table is the single description of the API: the router matches requests against it
// and the OpenAPI document (GET /api/openapi.json) is generated from it, so a route cannot exist
// without being documented. Handlers translate a request into one Workspace or Analytics call and
// its result into JSON; they hold no business rules.
//
// Request handling order: route (404 unknown path, 405 other method), caller (401: an API token,
// or the session cookie with its CSRF token on changes, 403 without it), query parameters (422),
// If-Match (400), body (400/422), then the use case.
//
// Thread-safety: a Router is shared by all server threads; apart from its board cache, which
// synchronises itself, it is immutable after construction (Workspace and Analytics are shared by
// all threads too).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analytics/analytics.h"
#include "api/board_cache.h"
#include "api/http_message.h"
#include "api/pipedrive_api.h"
#include "api/query_params.h"
#include "api/web_ui.h"
#include "core/status.h"
#include "service/accounts.h"
#include "service/workspace.h"

namespace pipedeck {

struct RequestContext;  // what a handler gets; defined in routes.cc
struct Reply;           // what a handler returns; defined in routes.cc
using Handler = Result<Reply> (*)(RequestContext& ctx);

// Route::response_schema of the event stream: `text/event-stream` rather than a JSON schema.
inline constexpr std::string_view kEventStreamSchema = "EventStream";

// What a route's bodies are, when not JSON both ways.
enum class Payload {
  kJson,
  // The request body is a CSV file (Content-Type is not checked), up to
  // ServerOptions::max_import_bytes instead of max_body_bytes.
  kCsvUpload,
  // The answer is a file to save: CSV (`format=csv`) or a JSON array of `response_schema` records
  // (`format=json`), named by Content-Disposition.
  kDownload,
};

struct Route {
  Method method;
  std::string_view path;  // "/api/deals/{id}"; {name} segments match positive integer ids
  std::string_view operation_id;
  std::string_view summary;
  bool needs_token = true;  // needs a caller: an API token or a signed-in session cookie
  std::string_view request_schema;   // component schema of the body; empty when none is read
  std::string_view response_schema;  // component schema of the success body
  int success_status = 200;          // 200, or 201 for creates
  const QuerySpec* query = nullptr;  // nullptr: the route takes no query parameters
  Handler handler = nullptr;
  Payload payload = Payload::kJson;
};

// Every route of the native API, in documentation order.
const std::vector<Route>& Routes();

// Builds the OpenAPI 3.0.3 document for `routes` (openapi.cc).
std::string BuildOpenApi(const std::vector<Route>& routes);

class Router {
 public:
  // `web` serves every GET outside /api (the web UI); `analytics` answers /api/analytics/*.
  Router(Workspace& workspace, Accounts& accounts, Analytics& analytics, WebUi web);

  // Answers one request. Never throws: failures become error responses.
  HttpResponse Handle(const HttpRequest& request) const;

  // Whether a request's body is a file upload (Payload::kCsvUpload), which the server reads up to
  // its larger limit; known from the method and path alone, before the body is read.
  bool TakesUpload(std::string_view method, std::string_view target) const;

 private:
  struct CompiledRoute {
    const Route* route;
    std::vector<std::string_view> segments;  // "{...}" marks an id parameter
  };
  // The route of `method` on `segments`, with its path ids; or nullptr and, in `allow`, the
  // methods the path takes (empty: no such path).
  const Route* Match(std::string_view method, const std::vector<std::string_view>& segments,
                     std::vector<Id>* ids, std::string* allow) const;

  // Who is calling: the user, and their session when signed in with the cookie.
  struct Caller {
    User user;
    std::optional<Session> session;
  };
  Result<Caller> CallerOf(const HttpRequest& request, Method method) const;
  // Handle without the security headers every response gets.
  HttpResponse Dispatch(const HttpRequest& request) const;

  Workspace& workspace_;
  Accounts& accounts_;
  Analytics& analytics_;
  PipedriveApi pipedrive_;  // /v1, /api/v1 and /api/v2
  std::vector<CompiledRoute> routes_;
  std::string openapi_;
  WebUi web_;
  mutable BoardCache boards_;  // rendered boards; synchronised inside
};

}  // namespace pipedeck
