// The web UI's files as built into the binary (web/dist at build time, see
// cmake/EmbedWebAssets.cmake), so one binary serves the UI without network or files beside it.
#pragma once

#include <string_view>
#include <vector>

namespace pipedeck {

struct WebAsset {
  std::string_view path;  // "/index.html", "/assets/app.js"
  std::string_view body;
};

// Every embedded file; empty when the binary was built without the web UI.
const std::vector<WebAsset>& EmbeddedWebAssets();

}  // namespace pipedeck
