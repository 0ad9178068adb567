#include "bench/sync_client.h"

#include <optional>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace pipedeck::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

struct SyncClient::Impl {
  uint16_t port;
  std::string token;
  std::chrono::milliseconds timeout;
  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  // Runs the queued operations to completion; the stream's timeout bounds each of them.
  void Run() {
    ioc.restart();
    ioc.run();
  }

  std::string Connect() {
    stream.emplace(ioc);
    buffer.clear();
    stream->expires_after(timeout);
    beast::error_code ec;
    stream->async_connect({asio::ip::make_address("127.0.0.1"), port},
                          [&](beast::error_code e) { ec = e; });
    Run();
    if (ec) {
      stream.reset();
      return "cannot connect to 127.0.0.1:" + std::to_string(port) + ": " + ec.message();
    }
    stream->socket().set_option(asio::ip::tcp::no_delay(true), ec);
    return "";
  }

  // One attempt on the open stream. `sent` tells whether the request was written.
  Response RoundTrip(const http::request<http::string_body>& req, bool* sent) {
    Response out;
    beast::error_code write_ec, read_ec;
    http::response_parser<http::string_body> parser;
    parser.body_limit(256 * 1024 * 1024);
    stream->expires_after(timeout);
    http::async_write(*stream, req, [&](beast::error_code e, size_t) { write_ec = e; });
    http::async_read(*stream, buffer, parser, [&](beast::error_code e, size_t) { read_ec = e; });
    Run();
    *sent = !write_ec;
    if (read_ec || write_ec) {
      out.error = (read_ec ? read_ec : write_ec).message();
      stream.reset();
      return out;
    }
    http::response<http::string_body> res = parser.release();
    out.status = static_cast<int>(res.result_int());
    out.body = std::move(res.body());
    if (!res.keep_alive()) stream.reset();
    return out;
  }
};

SyncClient::SyncClient(uint16_t port, std::string token, std::chrono::milliseconds timeout)
    : impl_(new Impl{port, std::move(token), timeout, {}, {}, {}}) {}

SyncClient::~SyncClient() = default;

Response SyncClient::Send(const Request& request) {
  http::request<http::string_body> req{http::string_to_verb(request.method), request.target, 11};
  req.set(http::field::host, "127.0.0.1");
  if (!impl_->token.empty()) req.set(http::field::authorization, "Bearer " + impl_->token);
  if (!request.body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = request.body;
  }
  req.keep_alive(true);
  req.prepare_payload();
  Response out;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = impl_->stream.has_value();
    if (!reused) {
      if (std::string error = impl_->Connect(); !error.empty()) {
        out.error = error;
        return out;
      }
    }
    bool sent = false;
    out = impl_->RoundTrip(req, &sent);
    // Only a kept-alive connection the server had already closed is worth a second try.
    if (out.status != 0 || !reused) break;
  }
  return out;
}

}  // namespace pipedeck::bench
