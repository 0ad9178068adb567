// Keyset-pagination cursors: the opaque `next_cursor` strings of list pages.
//
// A cursor holds the sort it was made for ("updated_at" or "-updated_at"), the sort key of the
// last row of the page and that row's id (the tie-breaker), encoded as base64url so clients treat
// it as an opaque token. Nothing in it is SQLite-specific; another backend can use it as is.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "core/model.h"
#include "core/status.h"

namespace pipedeck {

// A sort key as the database returns it.
using SortKey = std::variant<int64_t, double, std::string>;

struct ListCursor {
  std::string sort;  // sort field name, "-" prefixed when descending
  SortKey key;
  Id id = 0;
};

std::string EncodeCursor(const ListCursor& cursor);
// Errors: kInvalid "cursor" when `text` is not a cursor EncodeCursor made.
Result<ListCursor> DecodeCursor(std::string_view text);

}  // namespace pipedeck
