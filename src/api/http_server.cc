// The only translation unit that sees Beast and Asio: it turns bytes into HttpRequest values for
// the Router and HttpResponse values back into bytes.
//
// Per thread: one io_context and one acceptor on the shared port (SO_REUSEPORT), so a connection
// stays on the thread the kernel gave it and no handler ever runs concurrently with another of
// the same thread. Per connection: one reused buffer and a parser per request, a 30 s idle
// timeout, TCP_NODELAY. Reads (GET) are handled inline on the connection's thread. Writes go to a
// pool of writer threads and their response comes back to the connection's thread: a write
// mostly waits for the database's single writer, and many writes waiting at once is what lets
// the store commit them together (group commit, sqlite_store.cc) while the connection threads
// go on serving reads.
#include "api/http_server.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_set>
#include <utility>
#include <vector>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "api/errors.h"
#include "api/routes.h"
#include "api/web_ui.h"

namespace pipedeck {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// A keep-alive connection without a request for this long is closed; a request must also arrive
// completely within it.
constexpr auto kIdleTimeout = std::chrono::seconds(30);
// After a 413 the rest of the rejected body is read and dropped for at most this long (and at
// most kMaxDrainBytes), so that the client sees the response instead of a connection reset.
constexpr auto kDrainTimeout = std::chrono::seconds(5);
constexpr size_t kMaxDrainBytes = 64 << 20;
constexpr uint32_t kHeaderLimit = 16 * 1024;
// Pause before accepting again after a failed accept (out of file descriptors).
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(50);
// Threads that handle writes: as many writes can wait for one group commit at a time.
constexpr int kWriterThreads = 16;
// Event streams: how often the board versions are read (one query for every stream of this
// server) and how often an idle stream gets a comment line, so that proxies and clients can tell
// a quiet stream from a dead one.
constexpr auto kEventPollInterval = std::chrono::milliseconds(500);
constexpr auto kEventKeepAlive = std::chrono::seconds(15);
// How often the server makes sure the current month's forecast snapshot exists: one taken soon
// after a month starts is what that month's forecast accuracy is measured against.
constexpr auto kSnapshotInterval = std::chrono::hours(1);
constexpr std::string_view kEventStreamHeader =
    "HTTP/1.1 200 OK\r\n"
    "Content-Type: text/event-stream; charset=utf-8\r\n"
    "Cache-Control: no-cache\r\n"
    "X-Accel-Buffering: no\r\n"
    "Connection: close\r\n\r\n";

class Session;

// Tells every open event stream when a pipeline's board changed. One timer reads all board
// versions (Workspace::BoardVersions: one query) every kEventPollInterval; when they differ from
// the last reading, each stream gets `event: boards` with the versions. Versions live in the
// database, so changes made through other app servers or the CLI are seen too.
//
// The event: `event: boards\ndata: {"versions":{"3":1207,"4":88}}\n\n` (pipeline id → version; a
// pipeline that is gone is no longer listed). A new stream gets the current versions first.
class EventHub {
 public:
  EventHub(Workspace& workspace, asio::io_context& ioc) : workspace_(workspace), timer_(ioc) {}

  void Start() { Poll(); }
  // Runs on the timer's io_context.
  void Stop() {
    stopped_ = true;
    timer_.cancel();
  }

  // Adds a stream; returns the event it should send first (the current versions).
  std::string Subscribe(const std::shared_ptr<Session>& session) {
    std::lock_guard lock(mu_);
    subscribers_.push_back(session);
    return current_;
  }

 private:
  void Poll();
  void Broadcast(const std::string& message);

  Workspace& workspace_;
  asio::steady_timer timer_;
  bool stopped_ = false;  // touched on the timer's thread only
  std::chrono::steady_clock::time_point last_sent_ = std::chrono::steady_clock::now();
  std::mutex mu_;
  std::string current_;                              // guarded by mu_
  std::vector<std::weak_ptr<Session>> subscribers_;  // guarded by mu_
};

// Takes the forecast snapshot now and every kSnapshotInterval. The timer runs on one worker's
// io_context; the snapshot itself (a read of the open deals and a write) runs on the writer pool,
// so that no connection waits for it. A failure is logged and tried at the next tick.
class SnapshotTimer {
 public:
  SnapshotTimer(Analytics& analytics, asio::io_context& ioc, asio::thread_pool& writers,
                const ServerOptions& options, std::mutex& log_mutex)
      : analytics_(analytics),
        timer_(ioc),
        writers_(writers),
        options_(options),
        log_mutex_(log_mutex) {}

  void Start() { Tick(); }
  // Runs on the timer's io_context. A snapshot already under way finishes (ServeHttp joins the
  // writer pool before returning).
  void Stop() {
    stopped_ = true;
    timer_.cancel();
  }

 private:
  void Tick() {
    if (stopped_) return;
    asio::post(writers_, [this] { Take(); });
    timer_.expires_after(kSnapshotInterval);
    timer_.async_wait([this](beast::error_code ec) {
      if (!ec) Tick();
    });
  }

  void Take() {
    Result<bool> taken = analytics_.TakeForecastSnapshot();
    if (taken.ok()) return;
    auto now = std::chrono::system_clock::now().time_since_epoch();
    std::string line =
        FormatTimestamp({std::chrono::duration_cast<std::chrono::milliseconds>(now).count()});
    line += " forecast snapshot failed: " + taken.status().ToString() + "\n";
    std::ostream& log = options_.error_log != nullptr ? *options_.error_log : std::cerr;
    std::lock_guard<std::mutex> lock(log_mutex_);
    log.write(line.data(), static_cast<std::streamsize>(line.size()));
    log.flush();
  }

  Analytics& analytics_;
  asio::steady_timer timer_;
  asio::thread_pool& writers_;
  const ServerOptions& options_;
  std::mutex& log_mutex_;
  bool stopped_ = false;  // touched on the timer's thread only
};

// What every thread of one ServeHttp call shares.
struct Shared {
  Shared(Workspace& workspace, Accounts& accounts, Analytics& analytics, const ServerOptions& opts)
      : workspace(workspace),
        router(workspace, accounts, analytics,
               opts.web_dir.empty() ? WebUi::Embedded() : WebUi::FromDirectory(opts.web_dir)),
        options(opts),
        writers(kWriterThreads) {}

  Workspace& workspace;
  Router router;
  const ServerOptions& options;
  asio::thread_pool writers;  // handles write requests (see the top of this file)
  std::atomic<bool> stopping{false};
  std::mutex log_mutex;
  std::unique_ptr<EventHub> events;          // on the first worker's io_context
  std::unique_ptr<SnapshotTimer> snapshots;  // on the first worker's io_context
};

// One thread's io_context, acceptor and live connections. `sessions` is touched only on this
// worker's thread.
struct Worker {
  explicit Worker(Shared& s) : shared(s) {}

  Shared& shared;
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  asio::steady_timer retry{ioc};
  std::unordered_set<Session*> sessions;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, Worker& worker)
      : worker_(worker), shared_(worker.shared), stream_(std::move(socket)) {
    worker_.sessions.insert(this);
    beast::error_code ec;
    const tcp::endpoint peer = stream_.socket().remote_endpoint(ec);
    if (!ec) peer_address_ = peer.address().to_string();
  }
  ~Session() { worker_.sessions.erase(this); }

  void Start() { ReadHeader(); }

  // Queues `message` on this stream (called from any thread).
  void PostEvent(std::string message) {
    asio::post(worker_.ioc, [self = shared_from_this(), message = std::move(message)]() mutable {
      self->QueueEvent(std::move(message));
    });
  }

  // On shutdown: a connection waiting for its next request is closed now; one with a request in
  // flight answers it (with Connection: close) first.
  void CloseIfIdle() {
    if (idle_ && !RequestStarted()) CloseSocket();
  }

 private:
  // A request is in flight as soon as any of its bytes has been received (read into the buffer
  // or waiting in the socket), even before its header is complete: on shutdown, a client that
  // sent it before the signal gets its response, not a closed connection. Its reading is still
  // bounded by kIdleTimeout.
  bool RequestStarted() {
    beast::error_code ec;
    return buffer_.size() > 0 || stream_.socket().available(ec) > 0;
  }

  void ReadHeader() {
    if (shared_.stopping && !RequestStarted()) return CloseSocket();
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    // The larger limit until the header tells which route the request is for (OnHeader).
    body_limit_ = std::max(shared_.options.max_body_bytes, shared_.options.max_import_bytes);
    parser_->body_limit(body_limit_);
    idle_ = true;
    stream_.expires_after(kIdleTimeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHeader(ec); });
  }

  void OnHeader(beast::error_code ec) {
    idle_ = false;
    start_ = std::chrono::steady_clock::now();
    const auto& req = parser_->get();
    method_.assign(req.method_string().data(), req.method_string().size());
    std::string_view target(req.target().data(), req.target().size());
    path_.assign(target.substr(0, target.find('?')));
    // A Content-Length over the limit fails here, before any of the body is read: over the larger
    // limit in the parser, over the route's below.
    if (ec == http::error::body_limit) return RejectTooLarge();
    if (ec) return OnReadError(ec);
    body_limit_ = shared_.router.TakesUpload(method_, target) ? shared_.options.max_import_bytes
                                                              : shared_.options.max_body_bytes;
    const auto length = parser_->content_length();
    if (length && *length > body_limit_) return RejectTooLarge();
    parser_->body_limit(body_limit_);  // for a chunked body
    if (parser_->is_done()) return Respond();
    if (beast::iequals(req[http::field::expect], "100-continue")) {
      continue_.version(req.version());
      http::async_write(stream_, continue_,
                        [self = shared_from_this()](beast::error_code ec, size_t) {
                          if (ec) return self->CloseSocket();
                          self->ReadBody();
                        });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    stream_.expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (ec == http::error::body_limit) return self->RejectTooLarge();
                       if (ec) return self->OnReadError(ec);
                       self->Respond();
                     });
  }

  // Client gone, timeout or shutdown: close quietly. A malformed request gets a 400 first.
  void OnReadError(beast::error_code ec) {
    if (ec.category() != http::make_error_code(http::error::end_of_stream).category() ||
        ec == http::error::end_of_stream || ec == http::error::partial_message) {
      return CloseSocket();
    }
    std::string message = ec == http::error::header_limit
                              ? "request headers exceed " + std::to_string(kHeaderLimit) + " bytes"
                              : "malformed HTTP request: " + ec.message();
    Send(ErrorResponse(Status::Malformed(std::move(message))), false, false);
  }

  void RejectTooLarge() {
    Send(ErrorResponse(
             Status::TooLarge("request body exceeds " + std::to_string(body_limit_) + " bytes")),
         false, true);
  }

  void Respond() {
    auto& req = parser_->get();
    HttpRequest request;
    request.method = method_;
    request.target = std::string_view(req.target().data(), req.target().size());
    auto header = [&](auto field) {
      auto value = req[field];
      return std::string_view(value.data(), value.size());
    };
    request.authorization = header(http::field::authorization);
    request.api_token = header("x-api-token");
    request.if_match = header(http::field::if_match);
    request.cookie = header(http::field::cookie);
    request.csrf_token = header("x-csrf-token");
    request.origin = header(http::field::origin);
    request.host = header(http::field::host);
    request.client_address = peer_address_;
    if (shared_.options.trust_proxy) {
      // The proxy appends the address it saw to X-Forwarded-For: its last entry is the client's.
      std::string_view forwarded = header("x-forwarded-for");
      forwarded = forwarded.substr(forwarded.find_last_of(',') == std::string_view::npos
                                       ? 0
                                       : forwarded.find_last_of(',') + 1);
      while (!forwarded.empty() && forwarded.front() == ' ') forwarded.remove_prefix(1);
      if (!forwarded.empty()) request.client_address = forwarded;
      request.https = beast::iequals(header("x-forwarded-proto"), "https");
    }
    request.body = req.body();
    const bool keep_alive = req.keep_alive();
    if (method_ == "GET" || method_ == "HEAD") {
      return Send(shared_.router.Handle(request), keep_alive, false);
    }
    // `request` points into this session's parser and buffer, which stay as they are until the
    // response is sent. The work guard keeps the connection's io_context running (through a
    // shutdown, too) until the response is back on it.
    asio::post(shared_.writers, [self = shared_from_this(), request, keep_alive,
                                 guard = asio::make_work_guard(worker_.ioc)]() mutable {
      HttpResponse response = self->shared_.router.Handle(request);
      asio::post(self->worker_.ioc, [self, keep_alive, response = std::move(response)]() mutable {
        self->Send(std::move(response), keep_alive, false);
      });
      guard.reset();
    });
  }

  // Writes `out`; afterwards the connection reads the next request, closes, or (`drain`) drops
  // the rest of a rejected body and closes.
  void Send(HttpResponse out, bool keep_alive, bool drain) {
    if (out.event_stream) return StartEventStream();
    status_ = out.status;
    // Server-side failures are logged with their message so an admin can act on them.
    server_error_ = out.status >= 500 ? out.body : std::string();
    res_ = {};
    res_.result(static_cast<unsigned>(out.status));
    res_.version(parser_ && parser_->get().version() == 10 ? 10 : 11);
    res_.set(http::field::content_type, out.content_type);
    for (auto& [name, value] : out.headers) res_.set(name, value);
    res_.body() = std::move(out.body);
    res_.keep_alive(keep_alive && !shared_.stopping);
    res_.prepare_payload();
    stream_.expires_after(kIdleTimeout);
    http::async_write(stream_, res_,
                      [self = shared_from_this(), drain](beast::error_code ec, size_t) {
                        self->OnWritten(ec, drain);
                      });
  }

  void OnWritten(beast::error_code ec, bool drain) {
    Log();
    if (ec) return CloseSocket();
    if (drain) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      drained_ = 0;
      stream_.expires_after(kDrainTimeout);
      return Drain();
    }
    if (!res_.keep_alive()) return CloseSocket();
    ReadHeader();
  }

  void Drain() {
    stream_.async_read_some(asio::buffer(drain_buffer_),
                            [self = shared_from_this()](beast::error_code ec, size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > kMaxDrainBytes) return self->CloseSocket();
                              self->Drain();
                            });
  }

  // The connection becomes an event stream: the header, then events as they come, until the
  // client goes away or the server stops (the stream counts as idle then).
  void StartEventStream() {
    status_ = 200;
    server_error_.clear();
    Log();
    streaming_ = true;
    idle_ = true;
    stream_.expires_never();
    QueueEvent(std::string(kEventStreamHeader));
    QueueEvent(shared_.events->Subscribe(shared_from_this()));
    // The client sends nothing more; a read that ends means it has gone.
    stream_.async_read_some(
        asio::buffer(drain_buffer_),
        [self = shared_from_this()](beast::error_code, size_t) { self->CloseSocket(); });
  }

  void QueueEvent(std::string message) {
    if (!streaming_ || message.empty() || !stream_.socket().is_open()) return;
    outbox_.push_back(std::move(message));
    if (outbox_.size() == 1) WriteNextEvent();
  }

  void WriteNextEvent() {
    asio::async_write(stream_, asio::buffer(outbox_.front()),
                      [self = shared_from_this()](beast::error_code ec, size_t) {
                        if (ec) return self->CloseSocket();
                        self->outbox_.pop_front();
                        if (!self->outbox_.empty()) self->WriteNextEvent();
                      });
  }

  void CloseSocket() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  // `<ISO time> <METHOD> <path> <status> <duration>ms [error body of a 5xx]`; never the query
  // string or headers, which may carry tokens.
  void Log() {
    std::ostream* log = shared_.options.access_log;
    if (log == nullptr) return;
    auto now = std::chrono::system_clock::now().time_since_epoch();
    Timestamp at{std::chrono::duration_cast<std::chrono::milliseconds>(now).count()};
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start_)
                    .count();
    char duration[32];
    std::snprintf(duration, sizeof duration, "%.2f", ms);
    std::string line = FormatTimestamp(at);
    line += ' ';
    line += method_.empty() ? "-" : method_;
    line += ' ';
    line += path_.empty() ? "-" : path_;
    line += ' ';
    line += std::to_string(status_);
    line += ' ';
    line += duration;
    line += "ms";
    if (!server_error_.empty()) {
      line += ' ';
      line += server_error_;
    }
    line += '\n';
    std::lock_guard<std::mutex> lock(shared_.log_mutex);
    log->write(line.data(), static_cast<std::streamsize>(line.size()));
    log->flush();
  }

  Worker& worker_;
  Shared& shared_;
  beast::tcp_stream stream_;
  std::string peer_address_;  // the client's IP address as the socket sees it
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  http::response<http::empty_body> continue_{http::status::continue_, 11};
  std::array<char, 16 * 1024> drain_buffer_;
  size_t drained_ = 0;
  bool idle_ = false;
  bool streaming_ = false;          // an event stream (StartEventStream)
  std::deque<std::string> outbox_;  // events not yet written; the front one is being written
  std::chrono::steady_clock::time_point start_;
  std::string method_, path_;
  std::size_t body_limit_ = 0;  // of the request being read
  std::string server_error_;
  int status_ = 0;
};

void EventHub::Poll() {
  if (stopped_) return;
  Result<std::map<Id, int64_t>> versions = workspace_.BoardVersions();
  if (versions.ok()) {
    std::string message = "event: boards\ndata: {\"versions\":{";
    bool first = true;
    for (const auto& [pipeline, version] : *versions) {
      if (!first) message += ',';
      first = false;
      message += '"' + std::to_string(pipeline) + "\":" + std::to_string(version);
    }
    message += "}}\n\n";
    bool changed = false;
    {
      std::lock_guard lock(mu_);
      changed = message != current_;
      if (changed) current_ = message;
    }
    const auto now = std::chrono::steady_clock::now();
    if (changed) {
      Broadcast(message);
      last_sent_ = now;
    } else if (now - last_sent_ >= kEventKeepAlive) {
      Broadcast(": keep-alive\n\n");
      last_sent_ = now;
    }
  }
  // A failed read (database busy or gone) is tried again at the next tick.
  timer_.expires_after(kEventPollInterval);
  timer_.async_wait([this](beast::error_code ec) {
    if (!ec) Poll();
  });
}

void EventHub::Broadcast(const std::string& message) {
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard lock(mu_);
    std::erase_if(subscribers_, [](const std::weak_ptr<Session>& s) { return s.expired(); });
    for (const auto& weak : subscribers_) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  for (const auto& session : live) session->PostEvent(message);
}

void Accept(Worker& worker) {
  worker.acceptor.async_accept([&worker](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !worker.acceptor.is_open()) return;
    if (ec) {
      worker.retry.expires_after(kAcceptRetryDelay);
      worker.retry.async_wait([&worker](beast::error_code wait_ec) {
        if (!wait_ec) Accept(worker);
      });
      return;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    std::make_shared<Session>(std::move(socket), worker)->Start();
    Accept(worker);
  });
}

// Runs on the worker's thread: no new connections, idle ones closed, busy ones finish.
void StopWorker(Worker& worker) {
  beast::error_code ignored;
  worker.acceptor.close(ignored);
  worker.retry.cancel();
  // CloseIfIdle only cancels operations; no session is destroyed during this loop.
  for (Session* session : worker.sessions) session->CloseIfIdle();
}

Status Listen(Worker& worker, const tcp::endpoint& endpoint) {
  beast::error_code ec;
  auto fail = [&](std::string_view what) {
    return Status::Internal("cannot " + std::string(what) + " " + endpoint.address().to_string() +
                            ":" + std::to_string(endpoint.port()) + ": " + ec.message());
  };
  worker.acceptor.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  worker.acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) worker.acceptor.set_option(ReusePort(true), ec);
  if (ec) return fail("set SO_REUSEPORT on");
  worker.acceptor.bind(endpoint, ec);
  if (ec) return fail("bind");
  worker.acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on");
  return Status::Ok();
}

}  // namespace

Status ServeHttp(Workspace& workspace, Accounts& accounts, Analytics& analytics,
                 const ServerOptions& options,
                 const std::function<void(uint16_t port)>& on_listening) {
  int threads = options.threads > 0
                    ? options.threads
                    : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  beast::error_code ec;
  asio::ip::address address = asio::ip::make_address(options.bind, ec);
  if (ec) return Status::Internal("cannot bind: '" + options.bind + "' is not an IP address");

  Shared shared(workspace, accounts, analytics, options);
  std::vector<std::unique_ptr<Worker>> workers;
  uint16_t port = options.port;
  for (int i = 0; i < threads; ++i) {
    workers.push_back(std::make_unique<Worker>(shared));
    PD_RETURN_IF_ERROR(Listen(*workers.back(), tcp::endpoint(address, port)));
    // With port 0 the first acceptor gets a free port; the others join it there.
    if (i == 0) port = workers.back()->acceptor.local_endpoint().port();
  }

  shared.events = std::make_unique<EventHub>(workspace, workers.front()->ioc);
  asio::post(workers.front()->ioc, [&shared] { shared.events->Start(); });
  shared.snapshots = std::make_unique<SnapshotTimer>(analytics, workers.front()->ioc,
                                                     shared.writers, options, shared.log_mutex);
  asio::post(workers.front()->ioc, [&shared] { shared.snapshots->Start(); });
  asio::signal_set signals(workers.front()->ioc, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code wait_ec, int) {
    if (wait_ec) return;
    shared.stopping = true;
    asio::post(workers.front()->ioc, [&shared] {
      shared.events->Stop();
      shared.snapshots->Stop();
    });
    for (auto& worker : workers) {
      asio::post(worker->ioc, [w = worker.get()] { StopWorker(*w); });
    }
  });
  for (auto& worker : workers) Accept(*worker);
  if (on_listening) on_listening(port);

  std::vector<std::thread> running;
  for (auto& worker : workers) {
    running.emplace_back([w = worker.get()] { w->ioc.run(); });
  }
  for (std::thread& t : running) t.join();
  shared.writers.join();  // idle by now: every write's response was sent before its thread ended
  return Status::Ok();
}

}  // namespace pipedeck
