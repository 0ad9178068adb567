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

// What every thread of one ServeHttp call shares.
struct Shared {
  Shared(Workspace& workspace, const ServerOptions& opts)
      : router(workspace), options(opts), writers(kWriterThreads) {}

  Router router;
  const ServerOptions& options;
  asio::thread_pool writers;  // handles write requests (see the top of this file)
  std::atomic<bool> stopping{false};
  std::mutex log_mutex;
};

class Session;

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
  }
  ~Session() { worker_.sessions.erase(this); }

  void Start() { ReadHeader(); }

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
    parser_->body_limit(shared_.options.max_body_bytes);
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
    // A Content-Length over the limit fails here, before any of the body is read.
    if (ec == http::error::body_limit) return RejectTooLarge();
    if (ec) return OnReadError(ec);
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
    Send(ErrorResponse(Status::TooLarge("request body exceeds " +
                                        std::to_string(shared_.options.max_body_bytes) + " bytes")),
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
    status_ = out.status;
    // Server-side failures are logged with their message so an admin can act on them.
    server_error_ = out.status >= 500 ? out.body : std::string();
    res_ = {};
    res_.result(static_cast<unsigned>(out.status));
    res_.version(parser_ && parser_->get().version() == 10 ? 10 : 11);
    res_.set(http::field::content_type, kJsonContentType);
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
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  http::response<http::empty_body> continue_{http::status::continue_, 11};
  std::array<char, 16 * 1024> drain_buffer_;
  size_t drained_ = 0;
  bool idle_ = false;
  std::chrono::steady_clock::time_point start_;
  std::string method_, path_;
  std::string server_error_;
  int status_ = 0;
};

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

Status ServeHttp(Workspace& workspace, const ServerOptions& options,
                 const std::function<void(uint16_t port)>& on_listening) {
  int threads = options.threads > 0
                    ? options.threads
                    : std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  beast::error_code ec;
  asio::ip::address address = asio::ip::make_address(options.bind, ec);
  if (ec) return Status::Internal("cannot bind: '" + options.bind + "' is not an IP address");

  Shared shared(workspace, options);
  std::vector<std::unique_ptr<Worker>> workers;
  uint16_t port = options.port;
  for (int i = 0; i < threads; ++i) {
    workers.push_back(std::make_unique<Worker>(shared));
    PD_RETURN_IF_ERROR(Listen(*workers.back(), tcp::endpoint(address, port)));
    // With port 0 the first acceptor gets a free port; the others join it there.
    if (i == 0) port = workers.back()->acceptor.local_endpoint().port();
  }

  asio::signal_set signals(workers.front()->ioc, SIGINT, SIGTERM);
  signals.async_wait([&](beast::error_code wait_ec, int) {
    if (wait_ec) return;
    shared.stopping = true;
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
