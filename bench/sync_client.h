// A blocking HTTP/1.1 client over one keep-alive connection to 127.0.0.1, for the set-up reads of
// the load client (DiscoverWorkspace) and for the scenario tests. Every request is bounded by a
// timeout; a connection the server closed is reopened once.
//
// Thread-safety: one SyncClient per thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "bench/scenarios.h"

namespace pipedeck::bench {

class SyncClient {
 public:
  // `token` is sent as `Authorization: Bearer` with every request (none when empty).
  SyncClient(uint16_t port, std::string token,
             std::chrono::milliseconds timeout = std::chrono::seconds(30));
  ~SyncClient();
  SyncClient(const SyncClient&) = delete;
  SyncClient& operator=(const SyncClient&) = delete;

  // Sends `request` and returns the response; status 0 with `error` set when none arrived in time.
  Response Send(const Request& request);

  // Send as a Fetch, for DiscoverWorkspace. The client must outlive the returned function.
  Fetch AsFetch() {
    return [this](const Request& r) { return Send(r); };
  }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace pipedeck::bench
