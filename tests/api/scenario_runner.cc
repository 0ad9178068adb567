// Black-box API scenarios: runs tests/api/scenarios/*.test against the built `pipedeck` binary over
// real HTTP on loopback. The file format is described in tests/api/README.md.
//
// Each scenario file becomes one GoogleTest test. For each one the runner creates a fresh
// workspace with `pipedeck init` in a temporary directory, starts `pipedeck serve` on a free port,
// plays the steps over one keep-alive connection (reconnecting when the server closes it), and
// finally sends SIGTERM and requires a clean exit (status 0). Every wait is bounded: a hung server
// fails the scenario instead of hanging the suite.
//
// Usage: api_scenario_test --binary <path to pipedeck> --scenarios <dir> [gtest flags]

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <stdlib.h>

#include "api/test_server.h"

namespace pipedeck::apitest {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace json = boost::json;
namespace fs = std::filesystem;
using std::chrono::seconds;

// Bounds on every wait (generous: a loaded CI machine must not turn them into flakes); those on
// the child processes are in test_server.h.
constexpr auto kRequestTimeout = seconds(15);
constexpr size_t kMaxShownBody = 4000;  // characters of a body quoted in a failure message

struct RunnerOptions {
  std::string binary;
  std::string scenarios;
};

RunnerOptions& Options() {
  static RunnerOptions options;
  return options;
}

// ---- Scenario files ----------------------------------------------------------------------------

struct HeaderLine {
  std::string name;
  std::string value;
};

// `=> var = path`, `=> var = header Name` or `=> var = cookie Name` (the value a Set-Cookie
// header gives cookie Name).
struct Capture {
  int line = 0;
  std::string var;
  std::string path;
  bool from_header = false;
  bool from_cookie = false;
};

// `header Name: value` after the status line.
struct HeaderExpectation {
  int line = 0;
  std::string name;
  std::string value;
};

struct Step {
  int line = 0;
  // `@restart [instant]`: stop the server (it must exit 0) and start it again on the same database,
  // optionally with a new fake "now".
  bool restart = false;
  std::string restart_now;

  std::string method;
  std::string target;
  std::vector<HeaderLine> headers;
  bool no_auth = false;
  std::optional<size_t> body_bytes;
  std::string body;

  int expected_status = 0;
  std::string expected_body;
  int expected_body_line = 0;
  std::vector<HeaderExpectation> header_expectations;
  std::vector<Capture> captures;
};

struct Scenario {
  std::string file;
  std::string name;
  std::string description;
  std::vector<std::string> init_args;
  std::string now;
  std::vector<Step> steps;
};

std::string Trim(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::vector<std::string> SplitWords(std::string_view s) {
  std::vector<std::string> words;
  std::istringstream in{std::string(s)};
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

bool IsHeaderLine(std::string_view line) {
  static const std::regex kHeader(R"(^[A-Za-z][A-Za-z0-9-]*:( .*)?$)");
  return std::regex_match(line.begin(), line.end(), kHeader);
}

// A line of a scenario with its 1-based number.
struct Line {
  int number;
  std::string text;
};

// The lines of `text`; "\r\n" ends a line as "\n" does, and a last line break ends the last line.
std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.emplace_back(line);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  }
  return lines;
}

// Each actual line must match its expected line as a whole ECMAScript regex; as many lines.
bool MatchLines(const std::vector<std::string>& expected, const std::vector<std::string>& actual,
                std::string* why) {
  for (size_t i = 0; i < std::min(expected.size(), actual.size()); ++i) {
    if (!std::regex_match(actual[i], std::regex(expected[i], std::regex::ECMAScript))) {
      *why = "line " + std::to_string(i + 1) + ": expected /" + expected[i] + "/, got `" +
             actual[i] + "`";
      return false;
    }
  }
  if (expected.size() != actual.size()) {
    *why = "expected " + std::to_string(expected.size()) + " lines, got " +
           std::to_string(actual.size());
    return false;
  }
  return true;
}

// Parses one blank-line-separated block into a step. Returns an error message on bad syntax.
std::optional<std::string> ParseStep(const std::vector<Line>& block, Step* step) {
  step->line = block.front().number;
  const std::string& first = block.front().text;
  if (StartsWith(first, "@restart")) {
    std::vector<std::string> words = SplitWords(first);
    if (words.front() != "@restart" || words.size() > 2 || block.size() != 1) {
      return "expected `@restart [instant]` alone in its block";
    }
    step->restart = true;
    if (words.size() == 2) step->restart_now = words[1];
    return std::nullopt;
  }
  std::vector<std::string> words = SplitWords(first);
  static const std::regex kMethod("^[A-Z]+$");
  if (words.size() != 2 || !std::regex_match(words[0], kMethod) || words[1].empty() ||
      words[1][0] != '/') {
    return "expected a request line `METHOD /path`, got `" + first + "`";
  }
  step->method = words[0];
  step->target = words[1];

  size_t i = 1;
  bool in_body = false;
  std::vector<std::string> body_lines;
  for (; i < block.size() && block[i].text != "----"; ++i) {
    const std::string& text = block[i].text;
    if (!in_body && text == "@noauth") {
      step->no_auth = true;
    } else if (!in_body && StartsWith(text, "@body-bytes")) {
      std::vector<std::string> w = SplitWords(text);
      if (w.size() != 2 || w[0] != "@body-bytes" ||
          w[1].find_first_not_of("0123456789") != std::string::npos) {
        return "line " + std::to_string(block[i].number) + ": expected `@body-bytes N`";
      }
      step->body_bytes = std::stoull(w[1]);
    } else if (!in_body && IsHeaderLine(text)) {
      size_t colon = text.find(':');
      step->headers.push_back({text.substr(0, colon), Trim(text.substr(colon + 1))});
    } else {
      in_body = true;
      body_lines.push_back(text);
    }
  }
  if (i == block.size()) return "missing `----` before the expected status";
  for (size_t k = 0; k < body_lines.size(); ++k) {
    if (k > 0) step->body += '\n';
    step->body += body_lines[k];
  }
  if (step->body_bytes && !step->body.empty()) return "`@body-bytes` and a body exclude each other";

  ++i;
  if (i == block.size()) return "missing the expected status after `----`";
  const std::string status_text = Trim(block[i].text);
  static const std::regex kStatus("^[1-5][0-9][0-9]$");
  if (!std::regex_match(status_text, kStatus)) {
    return "line " + std::to_string(block[i].number) + ": expected a status code, got `" +
           status_text + "`";
  }
  step->expected_status = std::stoi(status_text);

  static const std::regex kCapture(R"(^=>\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.+)$)");
  static const std::regex kHeaderExpectation(R"(^header\s+([A-Za-z][A-Za-z0-9-]*):\s?(.*)$)");
  std::vector<std::string> expected_lines;
  for (++i; i < block.size(); ++i) {
    const std::string& text = block[i].text;
    std::smatch m;
    if (StartsWith(text, "=>")) {
      if (!std::regex_match(text, m, kCapture)) {
        return "line " + std::to_string(block[i].number) +
               ": expected `=> var = path` or `=> var = header Name`";
      }
      Capture c{block[i].number, m[1], Trim(m[2].str()), false};
      if (StartsWith(c.path, "header ")) {
        c.from_header = true;
        c.path = Trim(c.path.substr(7));
      } else if (StartsWith(c.path, "cookie ")) {
        c.from_cookie = true;
        c.path = Trim(c.path.substr(7));
      }
      step->captures.push_back(c);
    } else if (StartsWith(text, "header ")) {
      if (!std::regex_match(text, m, kHeaderExpectation)) {
        return "line " + std::to_string(block[i].number) + ": expected `header Name: value`";
      }
      step->header_expectations.push_back({block[i].number, m[1], Trim(m[2].str())});
    } else {
      if (expected_lines.empty()) step->expected_body_line = block[i].number;
      expected_lines.push_back(text);
    }
  }
  for (size_t k = 0; k < expected_lines.size(); ++k) {
    if (k > 0) step->expected_body += '\n';
    step->expected_body += expected_lines[k];
  }
  return std::nullopt;
}

// Reads a scenario file. Returns an error message ("file:line: ...") on bad syntax.
std::optional<std::string> ParseScenario(const fs::path& path, Scenario* scenario) {
  scenario->file = path.filename().string();
  std::ifstream in(path);
  if (!in) return path.string() + ": cannot read";
  std::vector<Line> lines;
  int number = 0;
  for (std::string text; std::getline(in, text);) {
    ++number;
    if (!text.empty() && text.back() == '\r') text.pop_back();
    lines.push_back({number, text});
  }

  static const std::regex kHeader(R"(^#\s*(name|description|init|now):\s*(.*)$)");
  std::vector<Line> block;
  auto flush = [&]() -> std::optional<std::string> {
    if (block.empty()) return std::nullopt;
    Step step;
    std::optional<std::string> error = ParseStep(block, &step);
    block.clear();
    if (error) return scenario->file + ":" + std::to_string(step.line) + ": " + *error;
    scenario->steps.push_back(std::move(step));
    return std::nullopt;
  };
  for (const Line& line : lines) {
    std::smatch m;
    if (StartsWith(line.text, "#")) {
      if (std::regex_match(line.text, m, kHeader)) {
        std::string key = m[1];
        std::string value = Trim(m[2].str());
        if (key == "name") scenario->name = value;
        if (key == "description") scenario->description = value;
        if (key == "init") scenario->init_args = SplitWords(value);
        if (key == "now") scenario->now = value;
      }
      continue;  // comments may sit anywhere, also inside a block
    }
    if (Trim(line.text).empty()) {
      if (auto error = flush()) return error;
      continue;
    }
    block.push_back(line);
  }
  if (auto error = flush()) return error;
  if (scenario->name.empty()) scenario->name = path.stem().string();
  if (scenario->steps.empty()) return scenario->file + ": no steps";
  return std::nullopt;
}

// ---- Variables ---------------------------------------------------------------------------------

std::string UrlEncode(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// Replaces ${name} (and ${name|url}, URL-encoded) with the variable's value. Returns an error
// naming the first unknown variable.
std::optional<std::string> Substitute(std::string_view text,
                                      const std::map<std::string, std::string>& vars,
                                      std::string* out) {
  out->clear();
  size_t pos = 0;
  while (pos < text.size()) {
    size_t start = text.find("${", pos);
    if (start == std::string_view::npos) break;
    size_t end = text.find('}', start);
    if (end == std::string_view::npos) break;
    out->append(text.substr(pos, start - pos));
    std::string name(text.substr(start + 2, end - start - 2));
    bool url = false;
    if (name.size() > 4 && name.ends_with("|url")) {
      url = true;
      name.resize(name.size() - 4);
    }
    auto it = vars.find(name);
    if (it == vars.end()) return "variable ${" + name + "} is not set (an earlier capture failed?)";
    out->append(url ? UrlEncode(it->second) : it->second);
    pos = end + 1;
  }
  out->append(text.substr(pos));
  return std::nullopt;
}

// ---- JSON matching -----------------------------------------------------------------------------

std::string Show(const json::value& v) { return json::serialize(v); }

std::string Shorten(std::string s) {
  if (s.size() > kMaxShownBody) {
    size_t more = s.size() - kMaxShownBody;
    s.resize(kMaxShownBody);
    s += "... (" + std::to_string(more) + " more bytes)";
  }
  return s;
}

bool NumbersEqual(const json::value& a, const json::value& b) {
  if (!a.is_number() || !b.is_number()) return false;
  if (a.is_double() || b.is_double()) return a.to_number<double>() == b.to_number<double>();
  if (a.is_int64() && b.is_int64()) return a.get_int64() == b.get_int64();
  if (a.is_uint64() && b.is_uint64()) return a.get_uint64() == b.get_uint64();
  // One signed, one unsigned: equal only when both are non-negative and the same.
  const json::value& s = a.is_int64() ? a : b;
  const json::value& u = a.is_int64() ? b : a;
  return s.get_int64() >= 0 && static_cast<uint64_t>(s.get_int64()) == u.get_uint64();
}

// Matches `actual` against the pattern `expected` (see README "Expected bodies"). On mismatch
// sets `why` to the JSON path and the difference.
bool Match(const json::value& expected, const json::value& actual, const std::string& where,
           std::string* why) {
  if (expected.is_string()) {
    std::string_view e = expected.get_string();
    if (e == "$any") {
      if (actual.is_null()) {
        *why = where + ": expected a non-null value, got null";
        return false;
      }
      return true;
    }
    if (StartsWith(e, "$re:")) {
      std::string text = actual.is_string() ? std::string(actual.get_string()) : Show(actual);
      std::regex re{std::string(e.substr(4))};
      if (!std::regex_search(text, re)) {
        *why = where + ": " + Show(actual) + " does not match /" + std::string(e.substr(4)) + "/";
        return false;
      }
      return true;
    }
  }
  if (expected.is_object()) {
    if (!actual.is_object()) {
      *why = where + ": expected an object, got " + Show(actual);
      return false;
    }
    const json::object& a = actual.get_object();
    for (const auto& [key, value] : expected.get_object()) {
      std::string sub = where + "." + std::string(key);
      const json::value* found = a.if_contains(key);
      if (value.is_string() && value.get_string() == "$absent") {
        if (found) {
          *why = sub + ": expected no such key, got " + Show(*found);
          return false;
        }
        continue;
      }
      if (!found) {
        *why = sub + ": missing (expected " + Show(value) + ")";
        return false;
      }
      if (!Match(value, *found, sub, why)) return false;
    }
    return true;
  }
  if (expected.is_array()) {
    if (!actual.is_array()) {
      *why = where + ": expected an array, got " + Show(actual);
      return false;
    }
    const json::array& e = expected.get_array();
    const json::array& a = actual.get_array();
    if (!e.empty() && e[0].is_string() && e[0].get_string() == "$contains") {
      for (size_t i = 1; i < e.size(); ++i) {
        bool any = false;
        for (const json::value& candidate : a) {
          std::string ignored;
          if (Match(e[i], candidate, where, &ignored)) {
            any = true;
            break;
          }
        }
        if (!any) {
          *why = where + ": no element matches " + Show(e[i]);
          return false;
        }
      }
      return true;
    }
    if (e.size() != a.size()) {
      *why = where + ": expected " + std::to_string(e.size()) + " elements, got " +
             std::to_string(a.size());
      return false;
    }
    for (size_t i = 0; i < e.size(); ++i) {
      if (!Match(e[i], a[i], where + "[" + std::to_string(i) + "]", why)) return false;
    }
    return true;
  }
  if (expected.is_number()) {
    if (!NumbersEqual(expected, actual)) {
      *why = where + ": expected " + Show(expected) + ", got " + Show(actual);
      return false;
    }
    return true;
  }
  if (expected != actual) {
    *why = where + ": expected " + Show(expected) + ", got " + Show(actual);
    return false;
  }
  return true;
}

// Matches a header value: exact, or "$any" (present), "$absent", "$re:<regex>".
bool MatchHeader(std::string_view expected, const std::optional<std::string>& actual,
                 std::string* why) {
  if (expected == "$absent") {
    if (actual) *why = "expected no such header, got \"" + *actual + "\"";
    return !actual;
  }
  if (!actual) {
    *why = "header missing (expected " + std::string(expected) + ")";
    return false;
  }
  if (expected == "$any") return true;
  if (StartsWith(expected, "$re:")) {
    std::regex re{std::string(expected.substr(4))};
    if (std::regex_search(*actual, re)) return true;
    *why = "\"" + *actual + "\" does not match /" + std::string(expected.substr(4)) + "/";
    return false;
  }
  if (*actual == expected) return true;
  *why = "expected \"" + std::string(expected) + "\", got \"" + *actual + "\"";
  return false;
}

// Follows a dotted path ("items.0.id") into `root`; nullptr when it leads nowhere.
const json::value* Lookup(const json::value& root, const std::string& path) {
  const json::value* v = &root;
  std::istringstream in(path);
  for (std::string part; std::getline(in, part, '.');) {
    if (v->is_object()) {
      v = v->get_object().if_contains(part);
    } else if (v->is_array() && !part.empty() &&
               part.find_first_not_of("0123456789") == std::string::npos) {
      size_t index = std::stoull(part);
      const json::array& a = v->get_array();
      v = index < a.size() ? &a[index] : nullptr;
    } else {
      v = nullptr;
    }
    if (!v) return nullptr;
  }
  return v;
}

// ---- HTTP client -------------------------------------------------------------------------------

// A synchronous HTTP/1.1 client over one keep-alive connection. Internally it writes the request
// and reads the response concurrently (so a server that answers 413 before reading a large body
// is still heard), under a per-request deadline.
class HttpClient {
 public:
  explicit HttpClient(uint16_t port) : port_(port) {}

  void Reset(uint16_t port) {
    Close();
    port_ = port;
  }

  // Sends `req` and reads the response. Reconnects once when a reused connection turns out to be
  // closed by the server before any response byte arrived.
  std::optional<std::string> Send(const http::request<http::string_body>& req,
                                  http::response<http::string_body>* res) {
    for (int attempt = 0; attempt < 2; ++attempt) {
      const bool reused = stream_.has_value();
      if (!stream_) {
        if (auto error = Connect()) return error;
      }
      beast::error_code write_ec;
      beast::error_code read_ec;
      bool got_header = false;
      RoundTrip(req, res, &write_ec, &read_ec, &got_header);
      if (!read_ec) {
        if (!res->keep_alive()) Close();
        return std::nullopt;
      }
      Close();
      const bool closed_early =
          !got_header &&
          (read_ec == http::error::end_of_stream || read_ec == asio::error::connection_reset ||
           read_ec == asio::error::eof || write_ec == asio::error::broken_pipe);
      if (!(reused && closed_early && attempt == 0)) {
        std::string what = "no response: " + read_ec.message();
        if (write_ec) what += " (sending the request: " + write_ec.message() + ")";
        return what;
      }
    }
    return "no response after reconnecting";
  }

  void Close() {
    if (stream_) {
      beast::error_code ignored;
      stream_->socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
      stream_->socket().close(ignored);
      stream_.reset();
    }
    buffer_.clear();
  }

 private:
  std::optional<std::string> Connect() {
    stream_.emplace(ioc_);
    stream_->expires_after(kRequestTimeout);
    beast::error_code ec;
    asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port_);
    stream_->async_connect(endpoint, [&](beast::error_code e) { ec = e; });
    ioc_.restart();
    ioc_.run();
    if (ec) {
      stream_.reset();
      return "cannot connect to 127.0.0.1:" + std::to_string(port_) + ": " + ec.message();
    }
    stream_->socket().set_option(asio::ip::tcp::no_delay(true), ec);
    return std::nullopt;
  }

  void RoundTrip(const http::request<http::string_body>& req,
                 http::response<http::string_body>* res, beast::error_code* write_ec,
                 beast::error_code* read_ec, bool* got_header) {
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    stream_->expires_after(kRequestTimeout);
    http::async_write(*stream_, req, [&](beast::error_code e, size_t) { *write_ec = e; });
    http::async_read(*stream_, buffer_, parser, [&](beast::error_code e, size_t) {
      *read_ec = e;
      // The response is complete: a request body the server did not want need not be sent.
      if (!e && !*write_ec) stream_->socket().cancel();
    });
    ioc_.restart();
    ioc_.run();
    *got_header = parser.is_header_done();
    if (!*read_ec) *res = parser.release();
  }

  asio::io_context ioc_;
  uint16_t port_;
  std::optional<beast::tcp_stream> stream_;
  beast::flat_buffer buffer_;
};

// ---- Running a scenario ------------------------------------------------------------------------

std::string TodayUtc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

// A JSON object body of exactly `n` bytes (n >= 16): {"title": "xxxx..."}.
std::string GeneratedBody(size_t n) {
  const std::string head = "{\"title\": \"";
  const std::string tail = "\"}";
  if (n < head.size() + tail.size()) return std::string(n, ' ');
  return head + std::string(n - head.size() - tail.size(), 'x') + tail;
}

std::string ShowRequest(const http::request<http::string_body>& req) {
  std::string s = std::string(req.method_string()) + " " + std::string(req.target());
  for (const auto& field : req) {
    s += "\n    " + std::string(field.name_string()) + ": " + std::string(field.value());
  }
  if (!req.body().empty()) s += "\n    " + Shorten(req.body());
  return s;
}

// The `pipedeck serve` flags of a scenario: no access log, and `--fake-now now` unless `now` is "".
std::vector<std::string> ServeArgs(const std::string& now) {
  std::vector<std::string> args = {"--quiet"};
  if (!now.empty()) {
    args.push_back("--fake-now");
    args.push_back(now);
  }
  return args;
}

class ScenarioRun {
 public:
  explicit ScenarioRun(fs::path file) : file_(std::move(file)) {}

  void Run() {
    Scenario scenario;
    if (auto error = ParseScenario(file_, &scenario)) {
      ADD_FAILURE_AT(file_.c_str(), 0) << "cannot parse scenario: " << *error;
      return;
    }
    ::testing::Test::RecordProperty("scenario", scenario.name);
    char dir_template[] = "/tmp/pipedeck-api-XXXXXX";
    if (!mkdtemp(dir_template)) {
      ADD_FAILURE() << "mkdtemp: " << std::strerror(errno);
      return;
    }
    dir_ = dir_template;
    const bool ok = RunIn(scenario);
    if (ok && !::testing::Test::HasFailure()) {
      std::error_code ignored;
      fs::remove_all(dir_, ignored);
    } else {
      std::cout << "[scenario " << scenario.name << "] workspace and server log kept in " << dir_
                << "\n";
    }
  }

 private:
  // Returns false when the scenario could not be set up or torn down.
  bool RunIn(const Scenario& scenario) {
    const std::string& binary = Options().binary;
    const fs::path db = dir_ / "pd.db";
    const fs::path init_log = dir_ / "init.log";
    std::vector<std::string> init_args = {"--admin-name", "Ada Admin", "--admin-email",
                                          "admin@example.com"};
    if (!scenario.now.empty()) {
      init_args.push_back("--fake-now");
      init_args.push_back(scenario.now);
    }
    init_args.insert(init_args.end(), scenario.init_args.begin(), scenario.init_args.end());
    if (auto error = InitWorkspace(binary, db, init_log, init_args, &vars_["token"])) {
      ADD_FAILURE() << *error;
      return false;
    }
    vars_["today"] = scenario.now.empty() ? TodayUtc() : scenario.now.substr(0, 10);
    if (!scenario.now.empty()) vars_["now"] = scenario.now;

    server_.emplace(binary, db, dir_ / "server.log");
    if (auto e = server_->Start(ServeArgs(scenario.now))) {
      ADD_FAILURE() << e->c_str();
      return false;
    }
    client_.emplace(server_->port());

    if (!FetchAdminId()) return false;

    for (const Step& step : scenario.steps) {
      if (step.restart) {
        if (!Restart(scenario, step)) return false;
        continue;
      }
      RunStep(scenario, step);
    }

    client_->Close();
    if (auto e = server_->Stop()) {
      ADD_FAILURE() << *e << "; server output:\n" << ReadFile(server_->log());
      return false;
    }
    return true;
  }

  bool FetchAdminId() {
    http::request<http::string_body> req{http::verb::get, "/api/users/me", 11};
    req.set(http::field::host, "127.0.0.1:" + std::to_string(server_->port()));
    req.set(http::field::authorization, "Bearer " + vars_["token"]);
    http::response<http::string_body> res;
    if (auto e = client_->Send(req, &res)) {
      ADD_FAILURE() << "GET /api/users/me with the init token: " << *e;
      return false;
    }
    boost::system::error_code ec;
    json::value body = json::parse(res.body(), ec);
    const json::value* id = ec ? nullptr : Lookup(body, "id");
    if (res.result_int() != 200 || !id) {
      ADD_FAILURE() << "GET /api/users/me with the init token gave " << res.result_int() << " "
                    << Shorten(res.body());
      return false;
    }
    vars_["admin_id"] = Show(*id);
    vars_["port"] = std::to_string(server_->port());
    return true;
  }

  bool Restart(const Scenario& scenario, const Step& step) {
    const std::string where = scenario.file + ":" + std::to_string(step.line);
    client_->Close();
    if (auto e = server_->Stop()) {
      ADD_FAILURE_AT(file_.c_str(), step.line) << where << ": @restart: " << *e;
      return false;
    }
    const std::string now = step.restart_now.empty() ? scenario.now : step.restart_now;
    if (auto e = server_->Start(ServeArgs(now))) {
      ADD_FAILURE_AT(file_.c_str(), step.line) << where << ": @restart: " << *e;
      return false;
    }
    if (!now.empty()) {
      vars_["now"] = now;
      vars_["today"] = now.substr(0, 10);
    }
    client_->Reset(server_->port());
    vars_["port"] = std::to_string(server_->port());
    return true;
  }

  void RunStep(const Scenario& scenario, const Step& step) {
    const std::string where = scenario.file + ":" + std::to_string(step.line);
    std::string target;
    std::string body;
    std::string expected_text;
    for (auto [in, out] : {std::pair{&step.target, &target}, std::pair{&step.body, &body},
                           std::pair{&step.expected_body, &expected_text}}) {
      if (auto e = Substitute(*in, vars_, out)) {
        ADD_FAILURE_AT(file_.c_str(), step.line) << where << ": " << *e;
        return;
      }
    }
    if (step.body_bytes) body = GeneratedBody(*step.body_bytes);

    http::verb verb = http::string_to_verb(step.method);
    http::request<http::string_body> req;
    if (verb == http::verb::unknown) {
      req.method_string(step.method);
    } else {
      req.method(verb);
    }
    req.target(target);
    req.version(11);
    req.set(http::field::host, "127.0.0.1:" + std::to_string(server_->port()));
    req.set(http::field::user_agent, "pipedeck-api-scenarios");
    bool has_auth = false;
    bool has_content_type = false;
    for (const HeaderLine& h : step.headers) {
      std::string value;
      if (auto e = Substitute(h.value, vars_, &value)) {
        ADD_FAILURE_AT(file_.c_str(), step.line) << where << ": " << *e;
        return;
      }
      const std::string name = Lower(h.name);
      if (name == "authorization" || name == "x-api-token") has_auth = true;
      if (name == "content-type") has_content_type = true;
      req.insert(h.name, value);
    }
    if (!has_auth && !step.no_auth) req.set(http::field::authorization, "Bearer " + vars_["token"]);
    if (!body.empty() && !has_content_type) req.set(http::field::content_type, "application/json");
    req.body() = body;
    req.prepare_payload();

    // `@lines`: the body is text (a CSV download), matched line by line.
    std::optional<std::vector<std::string>> expected_lines;
    if (StartsWith(expected_text, "@lines")) {
      expected_lines = SplitLines(expected_text.substr(expected_text.find('\n') == std::string::npos
                                                           ? expected_text.size()
                                                           : expected_text.find('\n') + 1));
      expected_text.clear();
    }
    std::optional<json::value> expected;
    if (!Trim(expected_text).empty()) {
      boost::system::error_code ec;
      expected = json::parse(expected_text, ec);
      if (ec) {
        ADD_FAILURE_AT(file_.c_str(), step.expected_body_line)
            << where << ": the expected body is not JSON (" << ec.message() << "):\n"
            << expected_text;
        return;
      }
    }

    http::response<http::string_body> res;
    if (auto e = client_->Send(req, &res)) {
      ADD_FAILURE_AT(file_.c_str(), step.line)
          << where << ": " << *e << "\n  request: " << ShowRequest(req);
      return;
    }

    std::optional<json::value> actual;
    if (!res.body().empty()) {
      boost::system::error_code ec;
      json::value parsed = json::parse(res.body(), ec);
      if (!ec) actual = std::move(parsed);
    }

    std::vector<std::string> problems;
    if (static_cast<int>(res.result_int()) != step.expected_status) {
      problems.push_back("status: expected " + std::to_string(step.expected_status) + ", got " +
                         std::to_string(res.result_int()));
    }
    if (expected_lines) {
      if (std::string why; !MatchLines(*expected_lines, SplitLines(res.body()), &why)) {
        problems.push_back("body: " + why);
      }
    }
    if (expected) {
      std::string why;
      if (!actual) {
        problems.push_back("body: expected JSON, got " +
                           (res.body().empty() ? std::string("an empty body") : "non-JSON text"));
      } else if (!Match(*expected, *actual, "$", &why)) {
        problems.push_back("body: " + why);
      }
    }
    for (const Capture& c : step.captures) {
      if (c.from_cookie) {
        auto it = res.find(http::field::set_cookie);
        const std::string prefix = c.path + "=";
        const std::string set_cookie = it == res.end() ? "" : std::string(it->value());
        if (!StartsWith(set_cookie, prefix)) {
          vars_.erase(c.var);
          problems.push_back("line " + std::to_string(c.line) + ": cannot capture " + c.var +
                             ": no Set-Cookie for " + c.path);
        } else {
          vars_[c.var] = set_cookie.substr(prefix.size(), set_cookie.find(';') - prefix.size());
        }
        continue;
      }
      if (c.from_header) {
        auto it = res.find(c.path);
        if (it == res.end()) {
          vars_.erase(c.var);
          problems.push_back("line " + std::to_string(c.line) + ": cannot capture " + c.var +
                             ": no header " + c.path);
        } else {
          vars_[c.var] = std::string(it->value());
        }
        continue;
      }
      const json::value* v = actual ? Lookup(*actual, c.path) : nullptr;
      if (!v) {
        vars_.erase(c.var);
        problems.push_back("line " + std::to_string(c.line) + ": cannot capture " + c.var +
                           ": no value at " + c.path);
      } else {
        vars_[c.var] = v->is_string() ? std::string(v->get_string()) : Show(*v);
      }
    }
    for (const HeaderExpectation& h : step.header_expectations) {
      std::string value;
      if (auto e = Substitute(h.value, vars_, &value)) {
        problems.push_back("line " + std::to_string(h.line) + ": " + *e);
        continue;
      }
      std::optional<std::string> got;
      if (auto it = res.find(h.name); it != res.end()) got = std::string(it->value());
      std::string why;
      if (!MatchHeader(value, got, &why)) {
        problems.push_back("line " + std::to_string(h.line) + ": header " + h.name + ": " + why);
      }
    }
    if (problems.empty()) return;

    std::ostringstream msg;
    msg << where << ": step failed\n  request: " << ShowRequest(req);
    for (const std::string& p : problems) msg << "\n  " << p;
    msg << "\n  expected: " << step.expected_status;
    if (expected) msg << " " << Shorten(Show(*expected));
    msg << "\n  actual:   " << res.result_int() << " " << Shorten(res.body());
    ADD_FAILURE_AT(file_.c_str(), step.line) << msg.str();
  }

  fs::path file_;
  fs::path dir_;
  std::map<std::string, std::string> vars_;
  std::optional<Server> server_;
  std::optional<HttpClient> client_;
};

class ScenarioTest : public ::testing::Test {
 public:
  explicit ScenarioTest(fs::path file) : file_(std::move(file)) {}
  void TestBody() override { ScenarioRun(file_).Run(); }

 private:
  fs::path file_;
};

class MissingScenariosTest : public ::testing::Test {
 public:
  explicit MissingScenariosTest(std::string why) : why_(std::move(why)) {}
  void TestBody() override { ADD_FAILURE() << why_; }

 private:
  std::string why_;
};

// Registers one test per *.test file, named after the file ("deals_crud").
void RegisterScenarios(const fs::path& dir) {
  std::vector<fs::path> files;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file() && it->path().extension() == ".test") files.push_back(it->path());
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::string why = "no *.test files in " + dir.string() + (ec ? ": " + ec.message() : "");
    ::testing::RegisterTest("ApiScenario", "NoScenarios", nullptr, nullptr, __FILE__, __LINE__,
                            [why]() -> ::testing::Test* { return new MissingScenariosTest(why); });
    return;
  }
  for (const fs::path& file : files) {
    const std::string name = file.stem().string();
    const std::string path = file.string();
    ::testing::RegisterTest("ApiScenario", name.c_str(), nullptr, path.c_str(), path.c_str(), 1,
                            [file]() -> ::testing::Test* { return new ScenarioTest(file); });
  }
}

// Takes --binary and --scenarios (as `--flag value` or `--flag=value`) out of argv.
bool ParseRunnerFlags(int* argc, char** argv) {
  int out = 1;
  for (int i = 1; i < *argc; ++i) {
    std::string_view arg = argv[i];
    std::string* target = nullptr;
    std::string_view flag;
    for (auto [name, dest] : {std::pair{std::string_view("--binary"), &Options().binary},
                              std::pair{std::string_view("--scenarios"), &Options().scenarios}}) {
      if (arg == name || StartsWith(arg, std::string(name) + "=")) {
        target = dest;
        flag = name;
      }
    }
    if (!target) {
      argv[out++] = argv[i];
      continue;
    }
    if (arg.size() > flag.size()) {
      *target = std::string(arg.substr(flag.size() + 1));
    } else if (i + 1 < *argc) {
      *target = argv[++i];
    } else {
      return false;
    }
  }
  *argc = out;
  argv[out] = nullptr;
  return !Options().binary.empty() && !Options().scenarios.empty();
}

}  // namespace
}  // namespace pipedeck::apitest

int main(int argc, char** argv) {
  using pipedeck::apitest::Options;
  if (!pipedeck::apitest::ParseRunnerFlags(&argc, argv)) {
    std::fprintf(stderr, "usage: %s --binary <pipedeck> --scenarios <dir> [gtest flags]\n",
                 argv[0]);
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);  // a server closing early must not kill the runner
  ::testing::InitGoogleTest(&argc, argv);
  pipedeck::apitest::RegisterScenarios(Options().scenarios);
  return RUN_ALL_TESTS();
}
