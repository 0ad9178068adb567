#include "api/json_text.h"

#include <array>
#include <charconv>
#include <cmath>
#include <cstring>

namespace pipedeck {

namespace {

// The bytes a JSON string cannot hold as they are: control characters, '"' and '\\'.
constexpr std::array<bool, 256> kNeedsEscape = [] {
  std::array<bool, 256> table{};
  for (int c = 0; c < 0x20; ++c) table[c] = true;
  table['"'] = table['\\'] = true;
  return table;
}();

// The length of the longest prefix of `s` that needs no escaping.
size_t PlainPrefix(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && !kNeedsEscape[static_cast<unsigned char>(s[i])]) ++i;
  return i;
}

// Appends `before`, `s` quoted, then `after` when not '\0', in one step: `s` needs no escaping.
// Responses are mostly such strings and keys, so this is the path that counts.
void AppendPlain(char before, std::string_view s, char after, std::string& out) {
  const size_t at = out.size();
  const size_t size = s.size() + 2 + (before != 0) + (after != 0);
  out.resize(at + size);
  char* p = out.data() + at;
  if (before != 0) *p++ = before;
  *p++ = '"';
  std::memcpy(p, s.data(), s.size());
  p += s.size();
  *p++ = '"';
  if (after != 0) *p = after;
}

// Appends `s` quoted and escaped; `plain` is PlainPrefix(s).
void AppendEscaped(std::string_view s, size_t plain, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  out.append(s.data(), plain);
  size_t run = plain;  // start of the run of characters that need no escaping
  for (size_t i = plain; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (!kNeedsEscape[c]) continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

}  // namespace

void AppendJsonString(std::string_view s, std::string& out) {
  const size_t plain = PlainPrefix(s);
  if (plain == s.size()) {
    AppendPlain(0, s, 0, out);
  } else {
    AppendEscaped(s, plain, out);
  }
}

void AppendJsonDouble(double d, std::string& out) {
  if (!std::isfinite(d)) {
    out += "null";
    return;
  }
  char buffer[32];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, d);
  std::string_view text(buffer, static_cast<size_t>(end - buffer));
  out += text;
  if (text.find_first_of(".eE") == std::string_view::npos) out += ".0";
}

JsonText& JsonText::Key(std::string_view key) {
  assert(depth_ > 0 && TopIs(kObject));
  const size_t plain = PlainPrefix(key);
  if (plain == key.size()) {
    AppendPlain(need_comma_ ? ',' : 0, key, ':', out_);
  } else {
    if (need_comma_) out_ += ',';
    AppendEscaped(key, plain, out_);
    out_ += ':';
  }
  need_comma_ = false;
  return *this;
}

}  // namespace pipedeck
