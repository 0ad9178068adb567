#include "store/sqlite/list_cursor.h"

#include <array>
#include <charconv>
#include <optional>

namespace pipedeck {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

// base64url without padding (RFC 4648 §5).
std::string Base64UrlEncode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  uint32_t bits = 0;
  int count = 0;
  for (unsigned char c : in) {
    bits = (bits << 8) | c;
    count += 8;
    while (count >= 6) {
      count -= 6;
      out.push_back(kAlphabet[(bits >> count) & 0x3F]);
    }
  }
  if (count > 0) out.push_back(kAlphabet[(bits << (6 - count)) & 0x3F]);
  return out;
}

std::optional<std::string> Base64UrlDecode(std::string_view in) {
  std::array<int, 256> value;
  value.fill(-1);
  for (int i = 0; i < 64; ++i) value[static_cast<unsigned char>(kAlphabet[i])] = i;
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (unsigned char c : in) {
    if (value[c] < 0) return std::nullopt;
    bits = (bits << 6) | static_cast<uint32_t>(value[c]);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  // Leftover bits must be zero padding of the last byte, never a whole character.
  if (count >= 6 || (bits & ((1u << count) - 1)) != 0) return std::nullopt;
  return out;
}

template <typename T>
std::optional<T> ParseNumber(std::string_view s) {
  T value{};
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
  return value;
}

template <typename T>
std::string FormatNumber(T value) {
  std::array<char, 32> buf;
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  return std::string(buf.data(), end);
}

// Takes the text up to the next '\n' off the front of `rest`.
std::optional<std::string_view> NextField(std::string_view& rest) {
  const size_t nl = rest.find('\n');
  if (nl == std::string_view::npos) return std::nullopt;
  std::string_view field = rest.substr(0, nl);
  rest.remove_prefix(nl + 1);
  return field;
}

}  // namespace

// Layout before encoding: "<sort>\n<type>\n<id>\n<key>" where type is i (integer), r (real) or
// t (text); the key comes last so that text keys may contain anything. Reals use the shortest
// representation that reads back to the same double.
std::string EncodeCursor(const ListCursor& cursor) {
  std::string plain = cursor.sort + '\n';
  if (const auto* i = std::get_if<int64_t>(&cursor.key)) {
    plain += "i\n" + FormatNumber(cursor.id) + '\n' + FormatNumber(*i);
  } else if (const auto* r = std::get_if<double>(&cursor.key)) {
    plain += "r\n" + FormatNumber(cursor.id) + '\n' + FormatNumber(*r);
  } else {
    plain += "t\n" + FormatNumber(cursor.id) + '\n' + std::get<std::string>(cursor.key);
  }
  return Base64UrlEncode(plain);
}

Result<ListCursor> DecodeCursor(std::string_view text) {
  const Status bad = Status::Invalid("cursor", "not a cursor issued by this server");
  std::optional<std::string> plain = Base64UrlDecode(text);
  if (!plain) return bad;
  std::string_view rest = *plain;
  std::optional<std::string_view> sort = NextField(rest);
  std::optional<std::string_view> type = NextField(rest);
  std::optional<std::string_view> id_text = NextField(rest);
  if (!sort || !type || !id_text || sort->empty()) return bad;
  std::optional<Id> id = ParseNumber<Id>(*id_text);
  if (!id) return bad;
  ListCursor cursor{std::string(*sort), int64_t{0}, *id};
  if (*type == "i") {
    std::optional<int64_t> key = ParseNumber<int64_t>(rest);
    if (!key) return bad;
    cursor.key = *key;
  } else if (*type == "r") {
    std::optional<double> key = ParseNumber<double>(rest);
    if (!key) return bad;
    cursor.key = *key;
  } else if (*type == "t") {
    cursor.key = std::string(rest);
  } else {
    return bad;
  }
  return cursor;
}

}  // namespace pipedeck
