// Text helpers shared by validation and search.
#pragma once

#include <string>
#include <string_view>

namespace pipedeck {

// Lower-cases UTF-8 text for case-insensitive matching ("Ünïcødé" → "ünïcødé"): simple case
// mappings of ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic capitals, which covers the
// names sales teams type in European languages. Other characters, and bytes that are not valid
// UTF-8, pass through unchanged; every mapping keeps the encoded length.
std::string FoldCase(std::string_view utf8);

}  // namespace pipedeck
