#include "core/text.h"

#include <cstdint>

namespace pipedeck {
namespace {

// Simple lower-case mapping of one code point for the scripts FoldCase covers.
char32_t LowerCodePoint(char32_t c) {
  if (c >= U'A' && c <= U'Z') return c + 0x20;
  if (c < 0xC0) return c;
  // Latin-1: À..Þ except the multiplication sign.
  if (c <= 0xDE) return c == 0xD7 ? c : c + 0x20;
  if (c >= 0x100 && c <= 0x17F) {
    // Latin Extended-A alternates capital/small, with the parity flipping at a few blocks.
    if (c == 0x130 || c == 0x131 || c == 0x138 || c == 0x149 || c == 0x17F) return c;
    if (c == 0x178) return 0xFF;  // Ÿ
    const bool odd_capitals = (c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E);
    if (odd_capitals) return (c % 2 == 1) ? c + 1 : c;
    return (c % 2 == 0) ? c + 1 : c;
  }
  if (c >= 0x391 && c <= 0x3AB && c != 0x3A2) return c + 0x20;  // Greek capitals
  if (c == 0x386) return 0x3AC;                                 // Greek capitals with tonos
  if (c >= 0x388 && c <= 0x38A) return c + 0x25;
  if (c == 0x38C) return 0x3CC;
  if (c == 0x38E || c == 0x38F) return c + 0x3F;
  if (c >= 0x400 && c <= 0x40F) return c + 0x50;  // Cyrillic Ѐ..Џ
  if (c >= 0x410 && c <= 0x42F) return c + 0x20;  // Cyrillic А..Я
  return c;
}

// Appends `c` encoded as UTF-8 (only code points below U+0800 are produced by the mapping).
void AppendUtf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out += static_cast<char>(c);
  } else {
    out += static_cast<char>(0xC0 | (c >> 6));
    out += static_cast<char>(0x80 | (c & 0x3F));
  }
}

}  // namespace

std::string FoldCase(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (size_t i = 0; i < utf8.size();) {
    const auto b0 = static_cast<uint8_t>(utf8[i]);
    if (b0 < 0x80) {
      out += static_cast<char>(LowerCodePoint(b0));
      ++i;
      continue;
    }
    // Two-byte sequences hold every code point the mapping changes; anything else is copied.
    if ((b0 & 0xE0) == 0xC0 && i + 1 < utf8.size() &&
        (static_cast<uint8_t>(utf8[i + 1]) & 0xC0) == 0x80) {
      const char32_t c = ((b0 & 0x1F) << 6) | (static_cast<uint8_t>(utf8[i + 1]) & 0x3F);
      if (c >= 0x80) {
        AppendUtf8(out, LowerCodePoint(c));
        i += 2;
        continue;
      }
    }
    out += utf8[i];
    ++i;
  }
  return out;
}

}  // namespace pipedeck
