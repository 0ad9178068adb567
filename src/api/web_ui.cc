#include "api/web_ui.h"

#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <utility>

#include "api/errors.h"
#include "api/web_assets.h"
#include "core/status.h"

namespace pipedeck {
namespace {

constexpr std::string_view kIndex = "/index.html";
constexpr std::string_view kAssetsPrefix = "/assets/";

// The page runs only its own scripts and styles and talks only to this server; no user data can
// become markup, and the app cannot be framed.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A path under /assets/ made only of safe characters and no "..": nothing outside the UI's files
// can be named.
bool IsSafeAssetPath(std::string_view path) {
  if (path.find("..") != std::string_view::npos) return false;
  for (char c : path) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '/' || c == '.' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::optional<std::string> ReadFile(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

HttpResponse FileResponse(std::string_view path, std::string body) {
  HttpResponse response;
  response.content_type = std::string(ContentTypeOf(path));
  response.body = std::move(body);
  // File names carry no content hash, so browsers revalidate; the files are small.
  response.headers.emplace_back("Cache-Control", "no-cache");
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  if (path == kIndex) {
    response.headers.emplace_back("Content-Security-Policy", std::string(kContentSecurityPolicy));
    response.headers.emplace_back("Referrer-Policy", "no-referrer");
  }
  return response;
}

}  // namespace

std::string_view ContentTypeOf(std::string_view path) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".woff2", "font/woff2"},
      {".map", "application/json; charset=utf-8"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const auto& [extension, type] : kTypes) {
    if (EndsWith(path, extension)) return type;
  }
  return "application/octet-stream";
}

WebUi WebUi::Embedded() { return WebUi(std::string()); }

WebUi WebUi::FromDirectory(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return WebUi(dir.empty() ? std::string(".") : std::move(dir));
}

HttpResponse WebUi::Serve(std::string_view path) const {
  const bool asset = path.substr(0, kAssetsPrefix.size()) == kAssetsPrefix;
  const std::string_view wanted = asset ? path : kIndex;
  if (asset && !IsSafeAssetPath(path)) {
    return ErrorResponse(Status::NotFound("no such file: " + std::string(path)));
  }
  std::optional<std::string> body;
  if (dir_.empty()) {
    for (const WebAsset& file : EmbeddedWebAssets()) {
      if (file.path == wanted) body = std::string(file.body);
    }
  } else {
    body = ReadFile(dir_ + std::string(wanted));
  }
  if (body) return FileResponse(wanted, std::move(*body));
  if (asset) return ErrorResponse(Status::NotFound("no such file: " + std::string(path)));
  return ErrorResponse(Status::NotFound(
      dir_.empty() ? "this Pipedeck binary was built without the web UI; the API is under /api"
                   : "no index.html in " + dir_ + "; build the UI with `npm run build` in web/"));
}

}  // namespace pipedeck
