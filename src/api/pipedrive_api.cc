#include "api/pipedrive_api.h"

#include <exception>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/errors.h"
#include "api/json_text.h"
#include "api/pipedrive_handlers.h"
#include "api/request_parts.h"

namespace pipedeck {
namespace {

using namespace pipedrive;

// Pipedrive's error_info on every error.
constexpr std::string_view kErrorInfo =
    "See docs/pipedrive.md of Pipedeck for what this API serves.";

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

using PdHandler = Result<PdReply> (*)(PdContext&);

struct PdRoute {
  ApiVersion version;
  Method method;
  std::string_view path;  // below the version prefix; "{id}" matches a positive integer
  PdHandler handler;
  std::vector<std::string_view> segments = {};  // `path` split once (SplitPath)
};

std::vector<PdRoute> WithSegments(std::vector<PdRoute> routes) {
  for (PdRoute& route : routes) route.segments = SplitPath(route.path);
  return routes;
}

const std::vector<PdRoute>& PdRoutes() {
  using enum Method;
  constexpr ApiVersion v1 = ApiVersion::kV1, v2 = ApiVersion::kV2;
  static const std::vector<PdRoute> routes = WithSegments({
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
  });
  return routes;
}

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
  const auto [path, raw_query] = SplitTarget(request.target);
  std::optional<std::pair<ApiVersion, std::string_view>> target = SplitVersion(path);
  if (!target) return PdError(Status::NotFound("no such route: " + std::string(path)));
  const auto [version, rest] = *target;
  const std::vector<std::string_view> segments = SplitPath(rest);

  const PdRoute* matched = nullptr;
  std::vector<Id> ids;
  std::string allow;
  for (const PdRoute& route : PdRoutes()) {
    if (route.version != version) continue;
    std::optional<std::vector<Id>> route_ids = MatchSegments(route.segments, segments);
    if (!route_ids) continue;
    if (MethodName(route.method) == request.method) {
      matched = &route;
      ids = std::move(*route_ids);
      break;
    }
    if (!allow.empty()) allow += ", ";
    allow += MethodName(route.method);
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
    // The caller's view: what they may not see does not exist here either.
    Result<Workspace> view = ws_.For(*actor);
    if (!view.ok()) return PdError(view.status());
    PdContext ctx{*view, *actor, version, std::move(ids), *query, request.body, Lookups(*view)};
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
