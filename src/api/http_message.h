// The plain request and response the router works with.
//
// The HTTP server (http_server.cc, the only file that sees Beast) fills an HttpRequest from the
// wire and writes an HttpResponse back, so routing, auth and JSON mapping compile without Beast
// and unit tests drive them without sockets.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pipedeck {

// The request methods the APIs route on.
enum class Method { kGet, kPost, kPut, kPatch, kDelete };
std::string_view MethodName(Method m);  // "GET", "POST", ...

// A parsed request. The views point into the server's message and live as long as the handling
// of this request.
struct HttpRequest {
  std::string_view method;         // "GET", "POST", ... as sent
  std::string_view target;         // path plus optional "?query", as sent
  std::string_view authorization;  // Authorization header, empty when absent
  std::string_view api_token;      // x-api-token header, empty when absent
  std::string_view if_match;       // If-Match header, empty when absent
  std::string_view cookie;         // Cookie header, empty when absent
  std::string_view csrf_token;     // X-CSRF-Token header, empty when absent
  std::string_view origin;         // Origin header, empty when absent
  std::string_view host;           // Host header, empty when absent
  // Who sent it: the peer's IP address, or with ServerOptions::trust_proxy the client address the
  // proxy reports (X-Forwarded-For). Rate limits count per address.
  std::string_view client_address;
  // The browser reached the server over TLS (with trust_proxy: X-Forwarded-Proto https), so
  // cookies are marked Secure.
  bool https = false;
  std::string_view body;
};

constexpr std::string_view kJsonContentType = "application/json; charset=utf-8";

struct HttpResponse {
  int status = 200;
  // Headers besides Content-Type and Content-Length (ETag, Location, Allow, WWW-Authenticate).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string content_type = std::string(kJsonContentType);  // JSON, except the web UI's files
  std::string body;
  // The request opened a stream of server-sent events (GET /api/events): the server answers
  // `text/event-stream` and keeps the connection for the events; status and body are unused.
  bool event_stream = false;
};

}  // namespace pipedeck
