// The HTTP server: Boost.Beast over Asio, HTTP/1.1 with keep-alive.
//
// One io_context per thread, each with its own acceptor on the same port (SO_REUSEPORT), so the
// kernel spreads connections over the cores and no two threads share a queue. On SIGINT/SIGTERM
// the acceptors close, connections finish the request in flight and close, and ServeHttp returns;
// the caller then closes the store.
//
// Besides requests, the server takes the month's forecast snapshot (Analytics::
// TakeForecastSnapshot) when it starts and then every hour, so that forecast accuracy can be
// reported for every month the server ran in; a failure is logged and tried again an hour later.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>

#include "analytics/analytics.h"
#include "core/status.h"
#include "service/accounts.h"
#include "service/workspace.h"

namespace pipedeck {

struct ServerOptions {
  std::string bind = "0.0.0.0";
  uint16_t port = 8080;  // 0 = any free port (reported to on_listening)
  int threads = 0;       // 0 = one per core
  std::size_t max_body_bytes = 1 << 20;
  // The body of a file upload (POST /api/{object}/import): a CSV file of about a million rows.
  std::size_t max_import_bytes = std::size_t{256} << 20;
  std::ostream* access_log = nullptr;  // one line per request; nullptr = no log
  std::ostream* error_log = nullptr;   // failures outside requests; nullptr = standard error
  // The web UI's files: empty = the copy built into the binary; else a directory to read them
  // from on every request (for working on the UI: `--web-dir web/dist`).
  std::string web_dir;
  // Behind a reverse proxy (docs/deploy.md): take the client's address from the last entry of
  // X-Forwarded-For and TLS from X-Forwarded-Proto. Only with a proxy that sets both, or anyone
  // could claim any address and escape the sign-in limits.
  bool trust_proxy = false;
};

// Serves the API until SIGINT or SIGTERM. `on_listening` is called once with the bound port when
// the server accepts connections. Errors: kInternal when the address cannot be bound.
Status ServeHttp(Workspace& workspace, Accounts& accounts, Analytics& analytics,
                 const ServerOptions& options,
                 const std::function<void(uint16_t port)>& on_listening = {});

}  // namespace pipedeck
