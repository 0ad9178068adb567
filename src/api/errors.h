// The one place where a Status becomes an HTTP status number and an error body.
//
// Every error response of the API has the body {"error": {"code", "message", "field"}} with
// `field` null when no single field is to blame. Handlers return Status values and never pick a
// status number themselves; success responses are 200, or 201 for creates.
#pragma once

#include <string_view>

#include "api/http_message.h"
#include "core/status.h"

namespace pipedeck {

// 400 malformed, 401 unauthorized, 403 forbidden, 404 not_found, 409 conflict,
// 412 precondition_failed, 413 too_large, 422 invalid, 500 internal.
int HttpStatusOf(ErrorCode code);

// The full error response for a non-ok status. 401 responses carry `WWW-Authenticate: Bearer`.
// REQUIRES: !status.ok()
HttpResponse ErrorResponse(const Status& status);

// 405 for a route that exists with other methods; `allow` is the Allow header value ("GET, POST").
HttpResponse MethodNotAllowedResponse(std::string_view method, std::string_view allow);

}  // namespace pipedeck
