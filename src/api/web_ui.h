// Serves the web UI: its static files under /assets/ and index.html for every other path outside
// /api, so that client-side routes (/board/3, /deals/42) load the app on a reload or a shared link.
//
// The files come from the binary (EmbeddedWebAssets) or, for working on the UI, from a directory
// read on every request (`pipedeck serve --web-dir web/dist`), so a rebuilt UI shows on reload.
//
// Thread-safety: const after construction; Serve may be called from any thread.
#pragma once

#include <string>
#include <string_view>

#include "api/http_message.h"

namespace pipedeck {

class WebUi {
 public:
  // The files built into the binary.
  static WebUi Embedded();
  // The files of `dir` (index.html and assets/), read when requested.
  static WebUi FromDirectory(std::string dir);

  // The response to GET `path` (no query string), a path outside /api: the file under /assets/,
  // 404 for an asset that does not exist, else index.html. When there is no UI (a build without
  // it, or a directory without index.html) the answer is a JSON 404 that says so.
  HttpResponse Serve(std::string_view path) const;

 private:
  explicit WebUi(std::string dir) : dir_(std::move(dir)) {}

  std::string dir_;  // empty: the embedded files
};

// The Content-Type for a file name, by its extension ("application/octet-stream" if unknown).
std::string_view ContentTypeOf(std::string_view path);

}  // namespace pipedeck
