// loadgen: a small closed-loop HTTP load client for the Pipedeck benchmarks.
//
//   loadgen --port P --token T --scenario board [--connections 64] [--warmup 1] [--duration 5]
//           [--threads 2] [--seed 1] [--label board] [--repeat 1]
//   loadgen ... --scenario read_mix=48,write_mix=16     (groups running at the same time)
//   loadgen --list
//
// Each connection is a keep-alive TCP connection to 127.0.0.1 that sends the next request of its
// scenario (bench/scenarios.h) as soon as the previous response has arrived. Connections are spread
// over --threads threads, one io_context each. The run lasts --warmup seconds, whose requests are
// not measured, then --duration seconds; a request counts when it was sent inside the measured
// window. Scenarios that use each open deal once (won) may run out early; their window then ends
// at their last response.
//
// Output: per group one JSON line on stdout (the machine-readable result) and one human line on
// stderr. Any response that is not 2xx, and any transport failure, is an error: errors are
// counted over the whole run (warm-up included), the first one is quoted, and the line is flagged.
// Exit status: 0 when the run completed (even with errors), 2 on bad arguments or a failed set-up.

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <unistd.h>

#include "bench/scenarios.h"
#include "bench/sync_client.h"

namespace pipedeck::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace json = boost::json;
using Clock = std::chrono::steady_clock;

// Bound on one connect, write or read: a stalled server ends the connection, not the run.
constexpr auto kIoTimeout = std::chrono::seconds(10);
// After the measured window, in-flight requests get this long before the threads are stopped.
constexpr auto kDrainLimit = std::chrono::seconds(15);
// Pause before reconnecting after a transport error, so a dead server is not spun on.
constexpr auto kReconnectPause = std::chrono::milliseconds(20);
constexpr size_t kMaxQuoted = 300;  // characters of an error response quoted in the output

struct Group {
  std::string scenario;
  int connections = 0;
};

struct Options {
  uint16_t port = 0;
  std::string token;
  std::vector<Group> groups;
  int connections = 64;
  double warmup_s = 1;
  double duration_s = 5;
  int threads = 2;
  uint64_t seed = 1;
  std::string label;
  int repeat = 1;
  int server_pid = 0;  // 0: no server CPU figures
};

// CPU time, in seconds, used so far by the whole machine (busy, all cores), this process and
// the server. Read at both ends of the measured window.
struct CpuSample {
  double machine_busy = 0, self = 0, server = 0;
};

// Fields 14 and 15 (utime, stime) of /proc/PID/stat, in seconds; 0 when unreadable.
double ProcessCpuSeconds(const std::string& pid) {
  std::ifstream in("/proc/" + pid + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t paren = text.rfind(')');  // the command name may hold spaces
  if (paren == std::string::npos) return 0;
  std::istringstream fields(text.substr(paren + 2));
  std::string field;
  double utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::atof(field.c_str());
    if (i == 15) stime = std::atof(field.c_str());
  }
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

CpuSample SampleCpu(int server_pid) {
  CpuSample s;
  std::ifstream in("/proc/stat");
  std::string cpu;
  double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  in >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal;
  s.machine_busy =
      (user + nice + system + irq + softirq + steal) / static_cast<double>(sysconf(_SC_CLK_TCK));
  s.self = ProcessCpuSeconds("self");
  if (server_pid > 0) s.server = ProcessCpuSeconds(std::to_string(server_pid));
  return s;
}

struct Window {
  Clock::time_point start, measure_from, end;
};

// What one connection saw. Written only by its own thread; read after the threads are joined.
struct ConnectionStats {
  std::vector<uint32_t> latencies_us;  // requests sent inside the measured window
  std::map<int, int64_t> statuses;     // measured window; 0 = transport error
  int64_t errors = 0;                  // whole run
  std::string first_error;
  bool exhausted = false;             // the source ran out before the end of the window
  Clock::time_point last_response{};  // time of the last response
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& ioc, const Options& options, const Window& window,
             std::unique_ptr<RequestSource> source, ConnectionStats* stats)
      : stream_(ioc),
        timer_(ioc),
        options_(options),
        window_(window),
        source_(std::move(source)),
        stats_(stats) {}

  void Start() { Connect(); }

 private:
  void Connect() {
    if (Clock::now() >= window_.end) return;
    buffer_.clear();
    stream_.expires_after(kIoTimeout);
    stream_.async_connect({asio::ip::make_address("127.0.0.1"), options_.port},
                          [self = shared_from_this()](beast::error_code ec) {
                            if (ec) return self->Fail("connect: " + ec.message(), false);
                            beast::error_code ignored;
                            self->stream_.socket().set_option(asio::ip::tcp::no_delay(true),
                                                              ignored);
                            self->Issue();
                          });
  }

  void Issue() {
    const Clock::time_point now = Clock::now();
    if (now >= window_.end) return Close();
    std::optional<Request> next = source_->Next();
    if (!next) {
      stats_->exhausted = true;
      return Close();
    }
    current_ = std::move(*next);
    req_ = {};
    req_.method(http::string_to_verb(current_.method));
    req_.target(current_.target);
    req_.version(11);
    req_.set(http::field::host, "127.0.0.1");
    req_.set(http::field::authorization, "Bearer " + options_.token);
    if (!current_.body.empty()) {
      req_.set(http::field::content_type, "application/json");
      req_.body() = current_.body;
    }
    req_.keep_alive(true);
    req_.prepare_payload();
    sent_at_ = now;
    stream_.expires_after(kIoTimeout);
    http::async_write(stream_, req_, [self = shared_from_this()](beast::error_code ec, size_t) {
      if (ec) return self->Fail("write: " + ec.message(), true);
      self->Read();
    });
  }

  void Read() {
    parser_.emplace();
    parser_->body_limit(256 * 1024 * 1024);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec) return self->Fail("read: " + ec.message(), true);
                       self->OnResponse();
                     });
  }

  void OnResponse() {
    const Clock::time_point done = Clock::now();
    stats_->last_response = done;
    const http::response<http::string_body>& res = parser_->get();
    const int status = static_cast<int>(res.result_int());
    if (InWindow()) {
      stats_->latencies_us.push_back(static_cast<uint32_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(done - sent_at_).count()));
      ++stats_->statuses[status];
    }
    if (status < 200 || status > 299) {
      RecordError(current_.method + " " + current_.target + " -> " + std::to_string(status) + " " +
                  res.body().substr(0, kMaxQuoted));
    }
    if (!res.keep_alive()) {
      Reset();
      return Connect();
    }
    Issue();
  }

  bool InWindow() const { return sent_at_ >= window_.measure_from && sent_at_ < window_.end; }

  void RecordError(std::string what) {
    ++stats_->errors;
    if (stats_->first_error.empty()) stats_->first_error = std::move(what);
  }

  // A transport failure: counted as an error (status 0), then a fresh connection after a pause.
  void Fail(const std::string& what, bool had_request) {
    if (had_request && InWindow()) ++stats_->statuses[0];
    RecordError(had_request ? current_.method + " " + current_.target + ": " + what : what);
    Reset();
    timer_.expires_after(kReconnectPause);
    timer_.async_wait([self = shared_from_this()](beast::error_code) { self->Connect(); });
  }

  void Reset() {
    beast::error_code ignored;
    stream_.socket().close(ignored);
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
  }

  beast::tcp_stream stream_;
  asio::steady_timer timer_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  std::optional<http::response_parser<http::string_body>> parser_;
  const Options& options_;
  const Window& window_;
  std::unique_ptr<RequestSource> source_;
  ConnectionStats* stats_;
  Request current_;
  Clock::time_point sent_at_{};
};

// The value at fraction q of the sorted order (nearest rank, lower). REQUIRES: !v.empty().
uint32_t Quantile(std::vector<uint32_t>& v, double q) {
  const size_t k = static_cast<size_t>(q * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

// Merges the connections of one group into its JSON result line.
json::object Summarize(const Options& options, const Group& group, const Window& window,
                       std::vector<ConnectionStats>& stats) {
  std::vector<uint32_t> latencies;
  std::map<int, int64_t> statuses;
  int64_t errors = 0;
  std::string first_error;
  bool all_exhausted = !stats.empty();
  Clock::time_point last = window.measure_from;
  for (ConnectionStats& s : stats) {
    latencies.insert(latencies.end(), s.latencies_us.begin(), s.latencies_us.end());
    for (const auto& [status, n] : s.statuses) statuses[status] += n;
    errors += s.errors;
    if (first_error.empty()) first_error = s.first_error;
    all_exhausted = all_exhausted && s.exhausted;
    last = std::max(last, s.last_response);
  }
  // A run whose every connection ran out is measured up to its last response.
  const Clock::time_point window_end = all_exhausted ? std::min(last, window.end) : window.end;
  const double seconds = std::chrono::duration<double>(window_end - window.measure_from).count();
  json::object out;
  out["label"] = options.label.empty() ? group.scenario : options.label;
  out["scenario"] = group.scenario;
  out["repeat"] = options.repeat;
  out["connections"] = group.connections;
  out["threads"] = options.threads;
  out["warmup_s"] = options.warmup_s;
  out["duration_s"] = seconds;
  out["requests"] = static_cast<int64_t>(latencies.size());
  out["rps"] = seconds > 0 ? static_cast<double>(latencies.size()) / seconds : 0.0;
  if (!latencies.empty()) {
    uint64_t sum = 0;
    for (uint32_t l : latencies) sum += l;
    out["mean_us"] = static_cast<double>(sum) / static_cast<double>(latencies.size());
    out["p50_us"] = Quantile(latencies, 0.50);
    out["p90_us"] = Quantile(latencies, 0.90);
    out["p99_us"] = Quantile(latencies, 0.99);
    out["max_us"] = *std::max_element(latencies.begin(), latencies.end());
  }
  json::object counts;
  for (const auto& [status, n] : statuses) counts[std::to_string(status)] = n;
  out["status_counts"] = std::move(counts);
  out["errors"] = errors;
  out["first_error"] = first_error;
  out["exhausted"] = all_exhausted;
  out["flagged"] = errors > 0 || latencies.empty();
  return out;
}

// Adds the CPU figures of the whole run (all groups) to `line`: cores used on average by the
// machine, this client, the server and everything else, and the server's CPU per request.
void AddCpu(const Options& o, const CpuSample& before, const CpuSample& after,
            int64_t total_requests, json::object* line) {
  const double seconds = o.duration_s;
  const double busy = (after.machine_busy - before.machine_busy) / seconds;
  const double self = (after.self - before.self) / seconds;
  (*line)["machine_busy_cores"] = busy;
  (*line)["loadgen_cores"] = self;
  if (o.server_pid > 0) {
    const double server = (after.server - before.server) / seconds;
    (*line)["server_cores"] = server;
    (*line)["other_cores"] = std::max(0.0, busy - self - server);
    if (total_requests > 0) {
      (*line)["server_cpu_us_per_request"] =
          (after.server - before.server) * 1e6 / static_cast<double>(total_requests);
    }
  }
}

std::vector<Group> ParseGroups(const std::string& text, int connections) {
  std::vector<Group> groups;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, ',');) {
    Group g;
    const size_t eq = part.find('=');
    g.scenario = part.substr(0, eq);
    g.connections = eq == std::string::npos ? connections : std::atoi(part.c_str() + eq + 1);
    groups.push_back(g);
  }
  return groups;
}

int Usage(const std::string& error) {
  std::cerr << "loadgen: " << error << "\n"
            << "usage: loadgen --port P --token T --scenario NAME[=CONNS][,NAME=CONNS...]\n"
            << "               [--connections 64] [--warmup 1] [--duration 5] [--threads 2]\n"
            << "               [--seed 1] [--label L] [--repeat N] [--server-pid PID]\n"
            << "       loadgen --list\n";
  return 2;
}

int Run(int argc, char** argv) {
  Options o;
  std::string scenarios;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--list") {
      for (const ScenarioSpec& s : Scenarios())
        std::cout << s.name << "\t" << s.description << "\n";
      return 0;
    }
    if (i + 1 >= argc) return Usage("missing value after " + arg);
    const std::string value = argv[++i];
    if (arg == "--port") {
      o.port = static_cast<uint16_t>(std::atoi(value.c_str()));
    } else if (arg == "--token") {
      o.token = value;
    } else if (arg == "--scenario") {
      scenarios = value;
    } else if (arg == "--connections") {
      o.connections = std::atoi(value.c_str());
    } else if (arg == "--warmup") {
      o.warmup_s = std::atof(value.c_str());
    } else if (arg == "--duration") {
      o.duration_s = std::atof(value.c_str());
    } else if (arg == "--threads") {
      o.threads = std::atoi(value.c_str());
    } else if (arg == "--seed") {
      o.seed = std::strtoull(value.c_str(), nullptr, 10);
    } else if (arg == "--label") {
      o.label = value;
    } else if (arg == "--repeat") {
      o.repeat = std::atoi(value.c_str());
    } else if (arg == "--server-pid") {
      o.server_pid = std::atoi(value.c_str());
    } else {
      return Usage("unknown option " + arg);
    }
  }
  if (o.port == 0) return Usage("--port is required");
  if (scenarios.empty()) return Usage("--scenario is required");
  if (o.threads < 1 || o.connections < 1) return Usage("--threads and --connections must be >= 1");
  if (o.warmup_s < 0 || o.duration_s <= 0 || o.duration_s > 3600) {
    return Usage("--warmup must be >= 0 and --duration in (0, 3600]");
  }
  o.groups = ParseGroups(scenarios, o.connections);
  bool needs_open_deals = false;
  for (const Group& g : o.groups) {
    const ScenarioSpec* spec = FindScenario(g.scenario);
    if (spec == nullptr) return Usage("unknown scenario " + g.scenario + " (see --list)");
    if (g.connections < 1) return Usage("a group needs at least one connection");
    needs_open_deals = needs_open_deals || spec->needs_open_deals;
  }

  WorkspaceInfo info;
  {
    const Clock::time_point t0 = Clock::now();
    SyncClient client(o.port, o.token);
    if (auto error = DiscoverWorkspace(client.AsFetch(), needs_open_deals, &info)) {
      std::cerr << "loadgen: reading the workspace: " << *error << "\n";
      return 2;
    }
    std::cerr << "loadgen: workspace read in "
              << std::chrono::duration<double>(Clock::now() - t0).count() << " s ("
              << info.open_deals.size() << " open deals listed)\n";
  }

  Window window;
  window.start = Clock::now();
  window.measure_from = window.start + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(o.warmup_s));
  window.end = window.measure_from + std::chrono::duration_cast<Clock::duration>(
                                         std::chrono::duration<double>(o.duration_s));

  std::vector<std::vector<ConnectionStats>> stats(o.groups.size());
  // Declared after what the connections point to, so that handlers dropped with an io_context
  // never outlive it.
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  for (int t = 0; t < o.threads; ++t) contexts.push_back(std::make_unique<asio::io_context>(1));
  int next_context = 0;
  for (size_t g = 0; g < o.groups.size(); ++g) {
    stats[g].resize(o.groups[g].connections);
    for (int c = 0; c < o.groups[g].connections; ++c) {
      asio::io_context& ioc = *contexts[next_context++ % o.threads];
      auto source =
          MakeRequestSource(o.groups[g].scenario, info, c, o.groups[g].connections, o.seed + g);
      std::make_shared<Connection>(ioc, o, window, std::move(source), &stats[g][c])->Start();
    }
  }
  std::vector<std::thread> threads;
  for (auto& ioc : contexts) {
    // Returns once every connection has closed after the window, or at the drain limit, whichever
    // is first; handlers still pending then are dropped with the io_context.
    threads.emplace_back([&ioc, &window] { ioc->run_until(window.end + kDrainLimit); });
  }
  // CPU use over the measured window, sampled by this (otherwise idle) thread.
  std::this_thread::sleep_until(window.measure_from);
  const CpuSample before = SampleCpu(o.server_pid);
  std::this_thread::sleep_until(window.end);
  const CpuSample after = SampleCpu(o.server_pid);
  for (auto& t : threads) t.join();

  int64_t total_requests = 0;
  for (const auto& group : stats) {
    for (const ConnectionStats& c : group) total_requests += c.latencies_us.size();
  }
  for (size_t g = 0; g < o.groups.size(); ++g) {
    json::object line = Summarize(o, o.groups[g], window, stats[g]);
    AddCpu(o, before, after, total_requests, &line);
    std::cout << json::serialize(line) << std::endl;
    char human[512];
    std::snprintf(human, sizeof human,
                  "%-10s #%d  %3d conns  %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  errors %lld"
                  "  server %.0f us/req  others %.2f cores%s",
                  o.groups[g].scenario.c_str(), o.repeat, o.groups[g].connections,
                  line["rps"].to_number<double>(),
                  line.contains("p50_us") ? line["p50_us"].to_number<double>() / 1000 : 0.0,
                  line.contains("p99_us") ? line["p99_us"].to_number<double>() / 1000 : 0.0,
                  static_cast<long long>(line["errors"].as_int64()),
                  line.contains("server_cpu_us_per_request")
                      ? line["server_cpu_us_per_request"].to_number<double>()
                      : 0.0,
                  line.contains("other_cores") ? line["other_cores"].to_number<double>() : 0.0,
                  line["flagged"].as_bool() ? "  FLAGGED" : "");
    std::cerr << human << "\n";
    if (!line["first_error"].as_string().empty()) {
      std::cerr << "           first error: " << line["first_error"].as_string().c_str() << "\n";
    }
  }
  return 0;
}

}  // namespace
}  // namespace pipedeck::bench

int main(int argc, char** argv) { return pipedeck::bench::Run(argc, argv); }
