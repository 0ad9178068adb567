#include "test_server.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace pipedeck::apitest {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

pid_t Spawn(const std::vector<std::string>& argv, const fs::path& log, std::string* error) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                   O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    *error = "cannot start " + argv[0] + ": " + std::strerror(rc);
    return -1;
  }
  return pid;
}

std::optional<int> WaitFor(pid_t pid, Clock::duration timeout) {
  const auto deadline = Clock::now() + timeout;
  while (true) {
    int status = 0;
    pid_t r = waitpid(pid, &status, WNOHANG);
    if (r == pid) return status;
    if (r < 0) return -1;
    if (Clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(kPollInterval);
  }
}

std::string DescribeExit(int status) {
  if (status == -1) return "lost (waitpid failed)";
  if (WIFEXITED(status)) return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "killed by signal " + std::to_string(WTERMSIG(status));
  return "wait status " + std::to_string(status);
}

std::optional<std::string> InitWorkspace(const std::string& binary, const fs::path& db,
                                         const fs::path& log,
                                         const std::vector<std::string>& extra_args,
                                         std::string* token) {
  std::vector<std::string> argv = {binary, "init", "--db", db.string()};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  const size_t log_offset = fs::exists(log) ? fs::file_size(log) : 0;
  std::string error;
  pid_t pid = Spawn(argv, log, &error);
  if (pid < 0) return error;
  std::optional<int> status = WaitFor(pid, kInitTimeout);
  if (!status) {
    kill(pid, SIGKILL);
    WaitFor(pid, kShutdownTimeout);
  }
  const std::string out = ReadFile(log).substr(log_offset);
  if (!status || *status != 0) {
    return "`pipedeck init` " + (status ? DescribeExit(*status) : std::string("timed out")) +
           "; its output:\n" + out;
  }
  const size_t at = out.find(kTokenPrefix);
  if (at == std::string::npos) {
    return "`pipedeck init` printed no `" + std::string(kTokenPrefix) + "` line:\n" + out;
  }
  const size_t begin = at + kTokenPrefix.size();
  const size_t end = std::min(out.find_first_of("\r\n", begin), out.size());
  *token = out.substr(begin, end - begin);
  while (!token->empty() && token->back() == ' ') token->pop_back();
  return std::nullopt;
}

Server::Server(std::string binary, fs::path db, fs::path log)
    : binary_(std::move(binary)), db_(std::move(db)), log_(std::move(log)) {}

Server::~Server() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    WaitFor(pid_, kShutdownTimeout);
  }
}

std::optional<std::string> Server::Start(const std::vector<std::string>& extra_args) {
  std::vector<std::string> argv = {binary_,  "serve", "--db",   db_.string(),
                                   "--port", "0",     "--bind", "127.0.0.1"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  log_offset_ = fs::exists(log_) ? fs::file_size(log_) : 0;
  exit_status_.reset();
  port_ = 0;
  std::string error;
  pid_ = Spawn(argv, log_, &error);
  if (pid_ < 0) return error;
  const auto deadline = Clock::now() + kListenTimeout;
  while (true) {
    std::string out = Output();
    size_t at = out.find(kListeningPrefix);
    if (at != std::string::npos) {
      size_t begin = at + kListeningPrefix.size();
      size_t end = out.find_first_not_of("0123456789", begin);
      if (end != std::string::npos && end > begin) {
        port_ = static_cast<uint16_t>(std::stoul(out.substr(begin, end - begin)));
        return std::nullopt;
      }
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return "`pipedeck serve` ended (" + DescribeExit(status) +
             ") before listening; its output:\n" + out;
    }
    if (Clock::now() >= deadline) {
      kill(pid_, SIGKILL);
      WaitFor(pid_, kShutdownTimeout);
      pid_ = -1;
      return "`pipedeck serve` printed no `" + std::string(kListeningPrefix) +
             "PORT` line within " + std::to_string(kListenTimeout.count()) + " s; its output:\n" +
             out;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

void Server::Signal(int signal) {
  if (pid_ > 0) kill(pid_, signal);
}

bool Server::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == 0) return true;
  exit_status_ = r == pid_ ? status : -1;
  pid_ = -1;
  return false;
}

std::optional<std::string> Server::WaitExit(Clock::duration timeout) {
  if (pid_ > 0) {
    std::optional<int> status = WaitFor(pid_, timeout);
    if (!status) {
      kill(pid_, SIGKILL);
      WaitFor(pid_, kShutdownTimeout);
      pid_ = -1;
      return "the server did not exit within " +
             std::to_string(
                 std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count()) +
             " ms (killed)";
    }
    exit_status_ = *status;
    pid_ = -1;
  }
  if (!exit_status_ || *exit_status_ == 0) return std::nullopt;
  return "the server ended with " + DescribeExit(*exit_status_);
}

std::optional<std::string> Server::Stop(int signal) {
  Signal(signal);
  return WaitExit(kShutdownTimeout);
}

std::string Server::Output() const {
  std::string all = ReadFile(log_);
  return log_offset_ <= all.size() ? all.substr(log_offset_) : std::string();
}

}  // namespace pipedeck::apitest
