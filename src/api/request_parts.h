// Pieces of request handling shared by the native API (routes.cc) and the Pipedrive-compatible
// API (pipedrive_api.cc): path segments, path ids, header text and the caller's token.
#pragma once

#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http_message.h"
#include "core/model.h"
#include "core/status.h"
#include "service/workspace.h"

namespace pipedeck {

// "/api/deals/7" → {"api", "deals", "7"}. REQUIRES: `path` starts with '/'.
std::vector<std::string_view> SplitPath(std::string_view path);

// A request target's path and query: "/a/b?x=1" → {"/a/b", "x=1"}.
std::pair<std::string_view, std::string_view> SplitTarget(std::string_view target);

// Whether a path's `segments` fit a route's split `pattern`, where a "{...}" segment matches a
// path id (ParsePathId); the ids in path order when they do.
std::optional<std::vector<Id>> MatchSegments(const std::vector<std::string_view>& pattern,
                                             const std::vector<std::string_view>& segments);

// A path id: a positive decimal integer without sign or leading zeros.
std::optional<Id> ParsePathId(std::string_view s);

std::string_view TrimSpaces(std::string_view s);

// Whether `s` starts with `prefix`, ignoring ASCII case. REQUIRES: `prefix` is lower case.
bool StartsWithNoCase(std::string_view s, std::string_view prefix);

// The value of cookie `name` in a Cookie header ("a=1; b=2"); empty when absent.
std::string_view CookieValue(std::string_view cookie_header, std::string_view name);

// Whether an Origin header names another site than the Host header: "https://crm.example.com"
// against "crm.example.com" is the same site; no Origin (same-origin GETs, tools) is not a
// cross-site request.
bool IsCrossOrigin(const HttpRequest& request);

// The caller's user, from the token in `Authorization: Bearer <t>`, else in `x-api-token`, else
// `query_token` (the Pipedrive-compatible API's `?api_token=`). Errors: kUnauthorized when no
// token is sent, the Authorization header is not a bearer token, or the token is unknown.
Result<User> Authenticate(Workspace& ws, const HttpRequest& request,
                          std::string_view query_token = {});

}  // namespace pipedeck
