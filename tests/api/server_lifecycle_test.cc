// Black-box tests of `pipedeck serve` as a process: HTTP/1.1 keep-alive, graceful shutdown on
// SIGTERM and SIGINT (a request in flight is answered and committed, idle connections do not hold
// the server up, new connections are refused), the access log on stdout, and many concurrent
// connections over two server threads. Correctness only: performance is measured in bench/.
//
// Each test runs `pipedeck init` in a fresh temporary directory and starts `pipedeck serve` on a
// free loopback port. Every socket operation and every wait for the process is bounded, and the
// server is killed when a test ends with it still running. The directory (database and server
// log) is kept and its path printed when a test fails.
//
// Usage: server_lifecycle_test --binary <path to pipedeck> [gtest flags]

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <boost/asio/buffer.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>

#include "api/test_server.h"

namespace pipedeck::apitest {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace json = boost::json;
namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Bound on one socket operation (connect, write, read of a whole response).
constexpr auto kIoTimeout = seconds(10);
// How long a server may take to exit once it has nothing left to answer.
constexpr auto kExitTimeout = seconds(5);

std::string& BinaryPath() {
  static std::string path;
  return path;
}

// One client TCP connection to 127.0.0.1. Every call blocks until its operation completes or
// kIoTimeout passes (then the connection is closed), and returns an error message or nullopt.
class Connection {
 public:
  explicit Connection(uint16_t port) : port_(port) {}

  std::optional<std::string> Connect() {
    stream_.emplace(ioc_);
    beast::error_code ec;
    stream_->expires_after(kIoTimeout);
    stream_->async_connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_),
                           [&](beast::error_code e) { ec = e; });
    Run();
    if (ec) {
      stream_.reset();
      return "cannot connect to port " + std::to_string(port_) + ": " + ec.message();
    }
    stream_->socket().set_option(asio::ip::tcp::no_delay(true), ec);
    return std::nullopt;
  }

  // Sends `bytes` as they are.
  std::optional<std::string> WriteRaw(std::string_view bytes) {
    if (!stream_) return "not connected";
    beast::error_code ec;
    stream_->expires_after(kIoTimeout);
    asio::async_write(*stream_, asio::buffer(bytes.data(), bytes.size()),
                      [&](beast::error_code e, size_t) { ec = e; });
    Run();
    if (ec) return "sending: " + ec.message();
    return std::nullopt;
  }

  std::optional<std::string> Write(const http::request<http::string_body>& req) {
    std::ostringstream out;
    out << req;
    return WriteRaw(out.str());
  }

  // Reads one complete response.
  std::optional<std::string> Read(http::response<http::string_body>* res) {
    if (!stream_) return "not connected";
    http::response_parser<http::string_body> parser;
    beast::error_code ec;
    stream_->expires_after(kIoTimeout);
    http::async_read(*stream_, buffer_, parser, [&](beast::error_code e, size_t) { ec = e; });
    Run();
    if (ec) return "no complete response: " + ec.message();
    *res = parser.release();
    return std::nullopt;
  }

  std::optional<std::string> RoundTrip(const http::request<http::string_body>& req,
                                       http::response<http::string_body>* res) {
    if (auto error = Write(req)) return error;
    return Read(res);
  }

  // Requires that the server closes the connection without sending another byte: returns an
  // error when bytes arrive or the connection is still open after kIoTimeout.
  std::optional<std::string> ExpectClosedWithoutResponse() {
    if (!stream_) return "not connected";
    if (buffer_.size() > 0) return "the server sent unexpected bytes";
    char byte = 0;
    beast::error_code ec;
    size_t n = 0;
    stream_->expires_after(kIoTimeout);
    stream_->async_read_some(asio::buffer(&byte, 1), [&](beast::error_code e, size_t got) {
      ec = e;
      n = got;
    });
    Run();
    if (n > 0) return "the server sent bytes instead of closing the connection";
    if (ec == beast::error::timeout) return "the connection is still open";
    return std::nullopt;  // end of stream or reset: closed
  }

  // Reads raw bytes, appending them to `*text`, until `*text` holds `count` occurrences of
  // `needle` or `timeout` passes. Returns an error message on timeout or when the connection ends.
  std::optional<std::string> ReadUntil(std::string_view needle, int count, std::string* text,
                                       Clock::duration timeout) {
    if (!stream_) return "not connected";
    auto occurrences = [&] {
      int n = 0;
      for (size_t at = text->find(needle); at != std::string::npos;
           at = text->find(needle, at + needle.size())) {
        ++n;
      }
      return n;
    };
    const auto deadline = Clock::now() + timeout;
    while (occurrences() < count) {
      if (Clock::now() >= deadline) return "timed out waiting for \"" + std::string(needle) + "\"";
      char chunk[4096];
      beast::error_code ec;
      size_t n = 0;
      stream_->expires_at(deadline);
      stream_->async_read_some(asio::buffer(chunk), [&](beast::error_code e, size_t got) {
        ec = e;
        n = got;
      });
      Run();
      text->append(chunk, n);
      if (ec) return "reading: " + ec.message();
    }
    return std::nullopt;
  }

  // Closes the connection from this side.
  void Close() {
    if (!stream_) return;
    beast::error_code ignored;
    stream_->socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    stream_->socket().close(ignored);
    stream_.reset();
    buffer_.clear();
  }

 private:
  void Run() {
    ioc_.restart();
    ioc_.run();
  }

  asio::io_context ioc_;
  uint16_t port_;
  std::optional<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
};

http::request<http::string_body> Request(http::verb verb, std::string target,
                                         const std::string& token, std::string body = "") {
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  if (!body.empty()) req.set(http::field::content_type, "application/json");
  req.body() = std::move(body);
  req.prepare_payload();
  return req;
}

// "201 {...}" for failure messages.
std::string Show(const http::response<http::string_body>& res) {
  return std::to_string(res.result_int()) + " " + res.body();
}

// A fresh workspace (with a "Sales" pipeline, so deals need no stage) and a server object on it,
// not yet started. The temporary directory is removed after a passing test and kept otherwise.
class ServerLifecycleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(BinaryPath().empty());
    char dir_template[] = "/tmp/pipedeck-life-XXXXXX";
    ASSERT_NE(mkdtemp(dir_template), nullptr) << std::strerror(errno);
    dir_ = dir_template;
    db_ = dir_ / "pd.db";
    auto error =
        InitWorkspace(BinaryPath(), db_, dir_ / "init.log", {"--template", "7-stage"}, &token_);
    ASSERT_FALSE(error) << *error;
    server_.emplace(BinaryPath(), db_, dir_ / "server.log");
  }

  void TearDown() override {
    server_.reset();  // kills a server still running
    if (dir_.empty()) return;
    if (HasFailure()) {
      std::cout << "workspace and server log kept in " << dir_ << "\n";
    } else {
      std::error_code ignored;
      fs::remove_all(dir_, ignored);
    }
  }

  // Starts the server with `args` after the common serve flags; use as ASSERT_TRUE(StartServer()).
  ::testing::AssertionResult StartServer(const std::vector<std::string>& args = {"--quiet"}) {
    if (auto error = server_->Start(args)) return ::testing::AssertionFailure() << *error;
    return ::testing::AssertionSuccess();
  }

  fs::path dir_;
  fs::path db_;
  std::string token_;
  std::optional<Server> server_;
};

TEST_F(ServerLifecycleTest, KeepAliveServesManyRequestsOnOneConnection) {
  ASSERT_TRUE(StartServer());
  Connection conn(server_->port());
  ASSERT_FALSE(conn.Connect());
  for (int i = 0; i < 20; ++i) {
    SCOPED_TRACE("request " + std::to_string(i + 1));
    auto req = i % 2 == 0 ? Request(http::verb::get, "/api/health", "")
                          : Request(http::verb::get, "/api/deals?limit=5", token_);
    http::response<http::string_body> res;
    auto error = conn.RoundTrip(req, &res);
    ASSERT_FALSE(error) << *error;
    EXPECT_EQ(res.result_int(), 200u) << Show(res);
    EXPECT_EQ(res.version(), 11u);
    EXPECT_TRUE(res.keep_alive()) << "the server asked to close the connection";
  }
  EXPECT_FALSE(server_->Stop());
}

// A CSV upload is read up to --max-import-mb; every other body up to 1 MiB. A body over its route's
// limit is refused with 413 naming the limit, before anything is imported.
TEST_F(ServerLifecycleTest, ImportUploadsHaveTheirOwnLargerBodyLimit) {
  ASSERT_TRUE(StartServer({"--quiet", "--max-import-mb", "2"}));
  // Three deals, each with a 500 KB column the import ignores: 1.5 MB in all.
  auto csv_of = [](int rows) {
    std::string csv = "title,filler\n";
    for (int i = 0; i < rows; ++i) {
      csv += "Deal " + std::to_string(i) + "," + std::string(500 * 1000, 'x') + "\n";
    }
    return csv;
  };
  auto send = [&](http::verb verb, const std::string& target, std::string body) {
    Connection conn(server_->port());
    http::response<http::string_body> res;
    if (auto error = conn.Connect()) ADD_FAILURE() << *error;
    auto req = Request(verb, target, token_, std::move(body));
    req.set(http::field::content_type, "text/csv");
    if (auto error = conn.RoundTrip(req, &res)) ADD_FAILURE() << *error;
    return res;
  };

  auto res = send(http::verb::post, "/api/deals/import?dry_run=true", csv_of(3));
  EXPECT_EQ(res.result_int(), 200u) << Show(res);
  EXPECT_NE(res.body().find(R"("rows":3,"created":3)"), std::string::npos) << res.body();

  res = send(http::verb::post, "/api/deals", csv_of(3));
  EXPECT_EQ(res.result_int(), 413u) << Show(res);
  EXPECT_NE(res.body().find("exceeds 1048576 bytes"), std::string::npos) << res.body();

  res = send(http::verb::post, "/api/deals/import", csv_of(5));
  EXPECT_EQ(res.result_int(), 413u) << Show(res);
  EXPECT_NE(res.body().find("exceeds 2097152 bytes"), std::string::npos) << res.body();

  res = send(http::verb::get, "/api/deals", "");
  EXPECT_EQ(res.body(), R"({"items":[],"next_cursor":null})");
  EXPECT_FALSE(server_->Stop());
}

TEST_F(ServerLifecycleTest, SigtermAnswersTheRequestInFlightAndCommitsIt) {
  ASSERT_TRUE(StartServer());
  const std::string body =
      R"({"title": "Signed during shutdown", "value_minor": 420000, "currency": "USD"})";
  const size_t half = body.size() / 2;
  const std::string head =
      "POST /api/deals HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token_ +
      "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\n\r\n";
  Connection conn(server_->port());
  ASSERT_FALSE(conn.Connect());
  // A first request proves that the server has accepted the connection: one still in the
  // kernel's accept queue when the signal arrives is reset with the listening socket, by design.
  http::response<http::string_body> first;
  auto error = conn.RoundTrip(Request(http::verb::get, "/api/health", ""), &first);
  ASSERT_FALSE(error) << *error;
  ASSERT_TRUE(first.keep_alive()) << Show(first);
  // The signal follows the first bytes of the request at once: a request that has begun to
  // arrive is in flight, even if the server has not read its header yet.
  ASSERT_FALSE(conn.WriteRaw(head + body.substr(0, half)));

  server_->Signal(SIGTERM);
  std::this_thread::sleep_for(milliseconds(300));
  ASSERT_TRUE(server_->Running()) << "the server exited with a request in flight: "
                                  << server_->WaitExit(milliseconds(0)).value_or("status 0");

  // No new connection is served once shutdown has begun.
  {
    Connection late(server_->port());
    if (!late.Connect()) {
      if (!late.Write(Request(http::verb::get, "/api/health", ""))) {
        auto closed = late.ExpectClosedWithoutResponse();
        EXPECT_FALSE(closed) << "a connection made after SIGTERM: " << *closed;
      }
    }
  }

  ASSERT_FALSE(conn.WriteRaw(body.substr(half)));
  http::response<http::string_body> res;
  error = conn.Read(&res);
  ASSERT_FALSE(error) << *error;
  ASSERT_EQ(res.result_int(), 201u) << Show(res);
  EXPECT_EQ(std::string(res[http::field::connection]), "close");
  EXPECT_FALSE(res.keep_alive());
  auto closed = conn.ExpectClosedWithoutResponse();
  EXPECT_FALSE(closed) << "after the last response: " << *closed;
  error = server_->WaitExit(kExitTimeout);
  ASSERT_FALSE(error) << *error << "\nserver output:\n" << server_->Output();

  // A clean close checkpoints the write-ahead log into the database file.
  const fs::path wal = db_.string() + "-wal";
  std::error_code ec;
  EXPECT_TRUE(!fs::exists(wal, ec) || fs::file_size(wal, ec) == 0)
      << wal << " still holds " << fs::file_size(wal, ec) << " bytes after a clean exit";

  boost::system::error_code parse_ec;
  json::value created = json::parse(res.body(), parse_ec);
  ASSERT_FALSE(parse_ec) << res.body();
  ASSERT_TRUE(created.is_object() && created.as_object().contains("id")) << res.body();
  const std::string id = json::serialize(created.at("id"));

  ASSERT_TRUE(StartServer());
  Connection again(server_->port());
  ASSERT_FALSE(again.Connect());
  http::response<http::string_body> got;
  error = again.RoundTrip(Request(http::verb::get, "/api/deals/" + id, token_), &got);
  ASSERT_FALSE(error) << *error;
  ASSERT_EQ(got.result_int(), 200u) << Show(got);
  json::value deal = json::parse(got.body(), parse_ec);
  ASSERT_FALSE(parse_ec) << got.body();
  EXPECT_EQ(json::serialize(deal.at("title")), R"("Signed during shutdown")");
  EXPECT_EQ(json::serialize(deal.at("value_minor")), "420000");
  EXPECT_FALSE(server_->Stop());
}

TEST_F(ServerLifecycleTest, IdleKeepAliveConnectionsDoNotDelayShutdown) {
  ASSERT_TRUE(StartServer());
  std::vector<std::unique_ptr<Connection>> idle;
  for (int i = 0; i < 3; ++i) {
    idle.push_back(std::make_unique<Connection>(server_->port()));
    ASSERT_FALSE(idle.back()->Connect());
    // Two connections wait for their next request, one has never sent any.
    if (i == 2) continue;
    http::response<http::string_body> res;
    auto error = idle.back()->RoundTrip(Request(http::verb::get, "/api/health", ""), &res);
    ASSERT_FALSE(error) << *error;
    ASSERT_EQ(res.result_int(), 200u) << Show(res);
    ASSERT_TRUE(res.keep_alive());
  }
  server_->Signal(SIGTERM);
  auto error = server_->WaitExit(kExitTimeout);
  EXPECT_FALSE(error) << *error << "\nserver output:\n" << server_->Output();
  for (auto& conn : idle) {
    auto closed = conn->ExpectClosedWithoutResponse();
    EXPECT_FALSE(closed) << *closed;
  }
}

// GET /api/events: a stream of server-sent events that tells of every board change (here a deal
// created through another connection) within about a second, and ends cleanly on shutdown.
TEST_F(ServerLifecycleTest, EventStreamTellsOfBoardChangesAndEndsOnShutdown) {
  ASSERT_TRUE(StartServer());
  Connection anonymous(server_->port());
  ASSERT_FALSE(anonymous.Connect());
  http::response<http::string_body> refused;
  auto error = anonymous.RoundTrip(Request(http::verb::get, "/api/events", ""), &refused);
  ASSERT_FALSE(error) << *error;
  EXPECT_EQ(refused.result_int(), 401u) << Show(refused);

  Connection events(server_->port());
  ASSERT_FALSE(events.Connect());
  ASSERT_FALSE(
      events.WriteRaw("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      "Authorization: Bearer " +
                      token_ + "\r\n\r\n"));
  std::string stream;
  error = events.ReadUntil("event: boards\n", 1, &stream, std::chrono::seconds(10));
  ASSERT_FALSE(error) << *error << "\nreceived: " << stream;
  error = events.ReadUntil("}}\n\n", 1, &stream, std::chrono::seconds(10));
  ASSERT_FALSE(error) << *error << "\nreceived: " << stream;
  EXPECT_EQ(stream.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << stream;
  EXPECT_NE(stream.find("Content-Type: text/event-stream"), std::string::npos) << stream;
  // The first event lists the current version of the template's pipeline (id 1).
  const size_t first = stream.find("data: {\"versions\":{\"1\":");
  ASSERT_NE(first, std::string::npos) << stream;
  const std::string first_event = stream.substr(first, stream.find('\n', first) - first);

  Connection writer(server_->port());
  ASSERT_FALSE(writer.Connect());
  http::response<http::string_body> created;
  error = writer.RoundTrip(
      Request(http::verb::post, "/api/deals", token_, R"({"title": "Seen live"})"), &created);
  ASSERT_FALSE(error) << *error;
  ASSERT_EQ(created.result_int(), 201u) << Show(created);

  error = events.ReadUntil("event: boards\n", 2, &stream, std::chrono::seconds(10));
  ASSERT_FALSE(error) << *error << "\nreceived: " << stream;
  error = events.ReadUntil("}}\n\n", 2, &stream, std::chrono::seconds(10));
  ASSERT_FALSE(error) << *error << "\nreceived: " << stream;
  const size_t second = stream.find("data: ", first + 1);
  ASSERT_NE(second, std::string::npos) << stream;
  EXPECT_NE(stream.substr(second, stream.find('\n', second) - second), first_event)
      << "the pipeline's version must have changed:\n"
      << stream;

  // An open stream does not hold up shutdown.
  server_->Signal(SIGTERM);
  error = server_->WaitExit(kExitTimeout);
  EXPECT_FALSE(error) << *error << "\nserver output:\n" << server_->Output();
  std::string rest;
  EXPECT_TRUE(events.ReadUntil("never sent", 1, &rest, std::chrono::seconds(5)).has_value());
}

TEST_F(ServerLifecycleTest, AccessLogHasOneLinePerRequestWithoutQueryOrSecrets) {
  ASSERT_TRUE(StartServer({}));  // without --quiet: the access log goes to stdout
  const std::string query_secret = "pd_query_secret_4711";
  Connection conn(server_->port());
  ASSERT_FALSE(conn.Connect());
  struct Sent {
    http::request<http::string_body> req;
    unsigned status;
    std::string log;  // "<METHOD> <path> <status>" expected in the line
  };
  const std::vector<Sent> sent = {
      {Request(http::verb::get, "/api/health", ""), 200, "GET /api/health 200"},
      {Request(http::verb::get, "/api/deals?api_token=" + query_secret, ""), 401,
       "GET /api/deals 401"},
      {Request(http::verb::post, "/api/deals", token_, R"({"title": "x", "bogus": 1})"), 422,
       "POST /api/deals 422"},
  };
  for (const Sent& s : sent) {
    http::response<http::string_body> res;
    auto error = conn.RoundTrip(s.req, &res);
    ASSERT_FALSE(error) << *error;
    EXPECT_EQ(res.result_int(), s.status) << s.log << ": " << Show(res);
  }
  // A line is written once its response has been sent, so it may trail the response a little.
  const std::regex line_format(
      R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z (GET|POST) /api/\S+ \d{3} \d+\.\d\dms$)");
  auto log_lines = [&] {
    std::vector<std::string> lines;
    std::istringstream in(server_->Output());
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(kListeningPrefix, 0) != 0) lines.push_back(line);
    }
    return lines;
  };
  const auto deadline = Clock::now() + kIoTimeout;
  while (log_lines().size() < sent.size() && Clock::now() < deadline) {
    std::this_thread::sleep_for(kPollInterval);
  }
  conn.Close();
  auto error = server_->Stop();
  EXPECT_FALSE(error) << *error;

  const std::string output = server_->Output();
  const std::vector<std::string> lines = log_lines();
  ASSERT_EQ(lines.size(), sent.size()) << "server output:\n" << output;
  for (size_t i = 0; i < sent.size(); ++i) {
    EXPECT_TRUE(std::regex_match(lines[i], line_format)) << "malformed log line: " << lines[i];
    EXPECT_NE(lines[i].find(" " + sent[i].log + " "), std::string::npos)
        << "expected `" << sent[i].log << "` in: " << lines[i];
  }
  EXPECT_EQ(output.find('?'), std::string::npos) << "a query string was logged:\n" << output;
  EXPECT_EQ(output.find(query_secret), std::string::npos) << "a token was logged:\n" << output;
  EXPECT_EQ(output.find(token_), std::string::npos) << "the admin token was logged:\n" << output;
}

TEST_F(ServerLifecycleTest, TwoThreadsServeManyConcurrentConnections) {
  ASSERT_TRUE(StartServer({"--quiet", "--threads", "2"}));
  constexpr int kConnections = 16;
  constexpr int kRequestsEach = 50;
  std::atomic<int> ok{0};
  std::vector<std::string> failures(kConnections);
  std::vector<std::thread> clients;
  const uint16_t port = server_->port();
  for (int c = 0; c < kConnections; ++c) {
    clients.emplace_back([&, c] {
      Connection conn(port);
      if (auto error = conn.Connect()) {
        failures[c] = *error;
        return;
      }
      for (int i = 0; i < kRequestsEach; ++i) {
        http::response<http::string_body> res;
        auto error = conn.RoundTrip(Request(http::verb::get, "/api/health", ""), &res);
        if (!error && (res.result_int() != 200 || !res.keep_alive())) {
          error = "unexpected response " + Show(res);
        }
        if (error) {
          failures[c] = "request " + std::to_string(i + 1) + ": " + *error;
          return;
        }
        ++ok;
      }
    });
  }
  for (std::thread& t : clients) t.join();
  for (int c = 0; c < kConnections; ++c) {
    EXPECT_EQ(failures[c], "") << "connection " << c + 1;
  }
  EXPECT_EQ(ok.load(), kConnections * kRequestsEach);
  EXPECT_FALSE(server_->Stop());
}

TEST_F(ServerLifecycleTest, SigintShutsDownLikeSigterm) {
  ASSERT_TRUE(StartServer());
  Connection conn(server_->port());
  ASSERT_FALSE(conn.Connect());
  http::response<http::string_body> res;
  auto error = conn.RoundTrip(Request(http::verb::get, "/api/health", ""), &res);
  ASSERT_FALSE(error) << *error;
  ASSERT_EQ(res.result_int(), 200u) << Show(res);
  server_->Signal(SIGINT);
  error = server_->WaitExit(kExitTimeout);
  EXPECT_FALSE(error) << *error << "\nserver output:\n" << server_->Output();
  auto closed = conn.ExpectClosedWithoutResponse();
  EXPECT_FALSE(closed) << *closed;
}

}  // namespace
}  // namespace pipedeck::apitest

// Takes `--binary PATH` or `--binary=PATH` out of the arguments; the rest go to GoogleTest.
int main(int argc, char** argv) {
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--binary" && i + 1 < argc) {
      pipedeck::apitest::BinaryPath() = argv[++i];
    } else if (arg.rfind("--binary=", 0) == 0) {
      pipedeck::apitest::BinaryPath() = std::string(arg.substr(9));
    } else {
      rest.push_back(argv[i]);
    }
  }
  if (pipedeck::apitest::BinaryPath().empty()) {
    std::fprintf(stderr, "usage: %s --binary <pipedeck> [gtest flags]\n", argv[0]);
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);  // a server closing early must not kill the test
  int rest_argc = static_cast<int>(rest.size());
  rest.push_back(nullptr);
  ::testing::InitGoogleTest(&rest_argc, rest.data());
  return RUN_ALL_TESTS();
}
