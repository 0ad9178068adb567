// Helpers shared by the tests that run use cases against real SQLite files: unwrapping results
// that must succeed, and temporary database paths.
#pragma once

#include <atomic>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include <unistd.h>

#include "core/status.h"

namespace pipedeck::test_support {

// Unwraps a Result, failing the test (by exception, which gtest reports) when it is an error.
template <typename T>
T Must(Result<T> result) {
  if (!result.ok()) throw std::runtime_error("unexpected error: " + result.status().ToString());
  return std::move(result).value();
}
inline void Must(const Status& status) {
  if (!status.ok()) throw std::runtime_error("unexpected error: " + status.ToString());
}

// A fresh path in the temporary directory, unique per process and call:
// <tmp>/pipedeck_<what>_<pid>_<n>.db.
inline std::string TempDbPath(std::string_view what) {
  static std::atomic<int> counter{0};
  return (std::filesystem::temp_directory_path() /
          ("pipedeck_" + std::string(what) + "_" + std::to_string(::getpid()) + "_" +
           std::to_string(counter++) + ".db"))
      .string();
}

// Removes a SQLite database with its WAL and shared-memory files.
inline void RemoveDb(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

}  // namespace pipedeck::test_support
