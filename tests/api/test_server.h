// Runs the built `pipedeck` binary as a child process for black-box tests: `pipedeck init` for a
// workspace and its admin token, `pipedeck serve` on a free loopback port, and the signals that
// stop it. Every wait is bounded, so a hung child fails a test instead of hanging the suite, and
// a server still running when its Server object is destroyed is killed.
#pragma once

#include <chrono>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <sys/types.h>

namespace pipedeck::apitest {

using Clock = std::chrono::steady_clock;

// Bounds on waits for a child (generous: a loaded CI machine must not turn them into flakes).
inline constexpr auto kInitTimeout = std::chrono::seconds(30);
inline constexpr auto kListenTimeout = std::chrono::seconds(10);
inline constexpr auto kShutdownTimeout = std::chrono::seconds(10);
inline constexpr auto kPollInterval = std::chrono::milliseconds(20);
inline constexpr std::string_view kListeningPrefix = "Listening on http://127.0.0.1:";
inline constexpr std::string_view kTokenPrefix = "API token: ";

// The whole content of `path` ("" when it cannot be read).
std::string ReadFile(const std::filesystem::path& path);

// Starts `argv` (argv[0] is a path, not searched in PATH) with stdin from /dev/null and stdout and
// stderr appended to `log`. Returns the pid, or -1 with `error` set.
pid_t Spawn(const std::vector<std::string>& argv, const std::filesystem::path& log,
            std::string* error);

// Waits up to `timeout` for `pid` to exit and reaps it. Returns its wait status (-1 when waitpid
// fails), or std::nullopt on timeout (the child is left running).
std::optional<int> WaitFor(pid_t pid, Clock::duration timeout);

// "exit status 1", "killed by signal 9", ...
std::string DescribeExit(int status);

// Runs `binary init --db db <extra_args>` with its output appended to `log` and stores the
// printed admin token in `token`. Returns an error message (including init's output) when init
// fails, times out (it is then killed) or prints no token.
std::optional<std::string> InitWorkspace(const std::string& binary, const std::filesystem::path& db,
                                         const std::filesystem::path& log,
                                         const std::vector<std::string>& extra_args,
                                         std::string* token);

// One `pipedeck serve` process at a time on one database. Its stdout and stderr are appended to
// `log`. The destructor kills (SIGKILL) and reaps a server still running.
class Server {
 public:
  Server(std::string binary, std::filesystem::path db, std::filesystem::path log);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // Starts `serve --db DB --port 0 --bind 127.0.0.1 <extra_args>` and waits for its
  // "Listening on" line, which sets port(). Returns an error message (with the server's output)
  // when the server exits or prints no such line within kListenTimeout (it is then killed).
  // Requires that no server of this object is running.
  std::optional<std::string> Start(const std::vector<std::string>& extra_args);

  // Sends `signal` to the running server; does nothing when none is running.
  void Signal(int signal);

  // Whether the server process has not exited yet. Reaps it when it has; WaitExit then reports
  // the status it exited with.
  bool Running();

  // Waits up to `timeout` for the server to exit. Returns an error message unless it exited with
  // status 0; a server still running after `timeout` is killed (SIGKILL) and reported.
  std::optional<std::string> WaitExit(Clock::duration timeout);

  // Signal(signal), then WaitExit(kShutdownTimeout). No error when no server is running.
  std::optional<std::string> Stop(int signal = SIGTERM);

  uint16_t port() const { return port_; }
  const std::filesystem::path& log() const { return log_; }
  // What the server last started printed so far (stdout and stderr).
  std::string Output() const;

 private:
  std::string binary_;
  std::filesystem::path db_;
  std::filesystem::path log_;
  size_t log_offset_ = 0;           // size of `log_` before the last Start
  pid_t pid_ = -1;                  // -1 when no server is running or it has been reaped
  std::optional<int> exit_status_;  // set when Running() reaped the process
  uint16_t port_ = 0;
};

}  // namespace pipedeck::apitest
