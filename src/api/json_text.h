// A streaming JSON writer: responses are appended to a std::string as text, with no document tree
// in between.
//
// JsonText writes values in the order they are called and puts the commas between members and
// array items itself; the caller supplies the structure. It does not validate that structure in
// release builds: a debug build asserts that containers are closed in order and that keys appear
// only inside objects. The output is compact (no whitespace) and matches what the server always
// sent: strings escaped by AppendJsonString, doubles by AppendJsonDouble.
//
// Thread-safety: a JsonText is used by one thread; it borrows the string it appends to.
#pragma once

#include <cassert>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace pipedeck {

// Appends `s` as a JSON string: quoted, with '"' and '\\' escaped, \n \r \t as such, the other
// control characters as \u00XX. Every other byte is copied unchanged, so UTF-8 passes through
// (the caller ensures `s` is valid UTF-8).
void AppendJsonString(std::string_view s, std::string& out);

// Appends `d` in the shortest form that reads back exactly, always with a decimal point or an
// exponent ("1024.0", "0.5", "1e+22") so that it stays a double for clients; non-finite values,
// which JSON cannot hold, become null.
void AppendJsonDouble(double d, std::string& out);

class JsonText {
 public:
  // Appends to `out`, which must outlive the writer.
  explicit JsonText(std::string& out) : out_(out) {}

  JsonText(const JsonText&) = delete;
  JsonText& operator=(const JsonText&) = delete;

  // Containers. Each Begin must be matched by the End of the same kind.
  JsonText& BeginObject() { return Open('{', kObject); }
  JsonText& EndObject() { return Close('}', kObject); }
  JsonText& BeginArray() { return Open('[', kArray); }
  JsonText& EndArray() { return Close(']', kArray); }

  // A member name. REQUIRES: inside an object, and followed by exactly one value.
  JsonText& Key(std::string_view key);

  // Values: at the top level, as an array item, or after a Key.
  JsonText& String(std::string_view s) {
    Separate();
    AppendJsonString(s, out_);
    return *this;
  }
  JsonText& Int(int64_t v) {
    Separate();
    char buffer[24];
    out_.append(buffer, std::to_chars(buffer, buffer + sizeof buffer, v).ptr);
    return *this;
  }
  JsonText& Double(double v) {
    Separate();
    AppendJsonDouble(v, out_);
    return *this;
  }
  JsonText& Bool(bool v) {
    Separate();
    out_ += v ? "true" : "false";
    return *this;
  }
  JsonText& Null() {
    Separate();
    out_ += "null";
    return *this;
  }
  // Already serialised JSON, copied as is. REQUIRES: `json` is exactly one valid JSON value.
  JsonText& Raw(std::string_view json) {
    Separate();
    out_ += json;
    return *this;
  }
  // A string value whose characters `append(std::string&)` appends straight to the output (dates
  // and instants, without a temporary string). REQUIRES: `append` writes only characters that need
  // no escaping: printable ASCII other than '"' and '\\', or UTF-8 beyond ASCII.
  template <typename Append>
  JsonText& PlainString(Append&& append) {
    Separate();
    out_ += '"';
    append(out_);
    out_ += '"';
    return *this;
  }

  // The string written to.
  std::string& out() { return out_; }

 private:
  enum Kind : uint8_t { kObject = 0, kArray = 1 };
  static constexpr int kMaxCheckedDepth = 64;  // deeper nesting is written but not checked

  void Separate() {
    if (need_comma_) out_ += ',';
    need_comma_ = true;
  }
  JsonText& Open(char bracket, Kind kind) {
    Separate();
    out_ += bracket;
    need_comma_ = false;
#ifndef NDEBUG
    if (depth_ < kMaxCheckedDepth) {
      kinds_ = (kinds_ & ~(uint64_t{1} << depth_)) | (uint64_t{kind} << depth_);
    }
    ++depth_;
#endif
    return *this;
  }
  JsonText& Close(char bracket, Kind kind) {
#ifndef NDEBUG
    assert(depth_ > 0 && TopIs(kind));
    --depth_;
#endif
    out_ += bracket;
    need_comma_ = true;
    return *this;
  }
  // REQUIRES: depth_ > 0. Containers beyond kMaxCheckedDepth are taken on trust.
  bool TopIs(Kind kind) const {
    return depth_ > kMaxCheckedDepth || ((kinds_ >> (depth_ - 1)) & 1) == kind;
  }

  std::string& out_;
  bool need_comma_ = false;  // a value precedes in the current container
  // Debug builds only: the open containers, one bit each (kArray = 1), innermost at depth_ - 1.
  int depth_ = 0;
  uint64_t kinds_ = 0;
};

}  // namespace pipedeck
