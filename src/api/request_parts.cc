#include "api/request_parts.h"

#include <cctype>
#include <charconv>

namespace pipedeck {

std::string_view MethodName(Method m) {
  switch (m) {
    case Method::kGet:
      return "GET";
    case Method::kPost:
      return "POST";
    case Method::kPut:
      return "PUT";
    case Method::kPatch:
      return "PATCH";
    case Method::kDelete:
      return "DELETE";
  }
  return "GET";
}

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t start = 1;  // paths start with '/'
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    segments.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return segments;
}

std::pair<std::string_view, std::string_view> SplitTarget(std::string_view target) {
  const size_t q = target.find('?');
  if (q == std::string_view::npos) return {target, {}};
  return {target.substr(0, q), target.substr(q + 1)};
}

std::optional<std::vector<Id>> MatchSegments(const std::vector<std::string_view>& pattern,
                                             const std::vector<std::string_view>& segments) {
  if (pattern.size() != segments.size()) return std::nullopt;
  std::vector<Id> ids;
  for (size_t i = 0; i < segments.size(); ++i) {
    if (pattern[i].empty() || pattern[i].front() != '{') {
      if (pattern[i] != segments[i]) return std::nullopt;
    } else if (std::optional<Id> id = ParsePathId(segments[i])) {
      ids.push_back(*id);
    } else {
      return std::nullopt;
    }
  }
  return ids;
}

std::optional<Id> ParsePathId(std::string_view s) {
  if (s.empty() || s.front() < '1' || s.front() > '9') return std::nullopt;
  Id id = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), id);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return id;
}

std::string_view TrimSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(s[i])) != prefix[i]) return false;
  }
  return true;
}

std::string_view CookieValue(std::string_view cookie_header, std::string_view name) {
  while (!cookie_header.empty()) {
    const size_t end = cookie_header.find(';');
    std::string_view pair = TrimSpaces(cookie_header.substr(0, end));
    cookie_header = end == std::string_view::npos ? std::string_view() : cookie_header.substr(end + 1);
    const size_t eq = pair.find('=');
    if (eq != std::string_view::npos && TrimSpaces(pair.substr(0, eq)) == name) {
      return TrimSpaces(pair.substr(eq + 1));
    }
  }
  return {};
}

bool IsCrossOrigin(const HttpRequest& request) {
  if (request.origin.empty()) return false;
  std::string_view origin = request.origin;
  const size_t scheme = origin.find("://");
  if (scheme == std::string_view::npos) return true;  // "null" (a sandboxed frame, a file)
  origin.remove_prefix(scheme + 3);
  return origin != request.host;
}

Result<User> Authenticate(Workspace& ws, const HttpRequest& request, std::string_view query_token) {
  std::string_view token;
  std::string_view authorization = TrimSpaces(request.authorization);
  if (!authorization.empty()) {
    if (!StartsWithNoCase(authorization, "bearer ")) {
      return Status::Unauthorized("the Authorization header must be 'Bearer <token>'");
    }
    token = TrimSpaces(authorization.substr(7));
  } else {
    token = TrimSpaces(request.api_token);
    if (token.empty()) token = TrimSpaces(query_token);
  }
  if (token.empty()) {
    return Status::Unauthorized(
        "an API token is required: send 'Authorization: Bearer <token>' or 'x-api-token'");
  }
  return ws.Authenticate(token);
}

}  // namespace pipedeck
