// The Pipedrive-compatible REST API (docs/pipedrive.md): Pipedrive's public v1 endpoints at
// /v1/... and /api/v1/..., and its v2 endpoints at /api/v2/..., with Pipedrive's envelopes, field
// names, types and formats, so that scripts written for Pipedrive and the official `pipedrive` npm
// client work when pointed at Pipedeck.
//
// A mapping layer: a request becomes the same Workspace call the native API makes (no business
// rule lives here), and the result is written in Pipedrive's shape. Request handling order: route
// (404, 405), token (401), query parameters (400), body (400), then the use case. Every answer is
// a JSON envelope, errors included: {"success": false, "error", "error_info", "data": null}.
//
// Thread-safety: shared by all server threads; immutable after construction.
#pragma once

#include <string_view>

#include "api/http_message.h"
#include "service/workspace.h"

namespace pipedeck {

class PipedriveApi {
 public:
  explicit PipedriveApi(Workspace& ws) : ws_(ws) {}

  // Whether `path` (without its query) belongs to this API: /v1, /api/v1 or /api/v2 and below.
  static bool Owns(std::string_view path);

  // Answers one request whose path this API owns. Never throws.
  HttpResponse Handle(const HttpRequest& request) const;

 private:
  Workspace& ws_;
};

}  // namespace pipedeck
