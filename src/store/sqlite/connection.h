// One SQLite connection with its prepared-statement cache, and the small typed wrappers the
// SQLite store uses to bind parameters and read columns.
//
// A SqliteConnection belongs to one thread at a time (the store keeps one per calling thread), so
// nothing here locks. Statements are prepared once per connection with SQLITE_PREPARE_PERSISTENT
// and handed out as SqliteStatement values that reset and clear themselves when they go out of
// scope, ready for the next use.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>

#include <sqlite3.h>

#include "core/status.h"
#include "core/time.h"
#include "store/sqlite/sqlite_store.h"

namespace pipedeck {

// Turns a failed SQLite call into a Status: a UNIQUE or PRIMARY KEY clash becomes kConflict
// naming the column ("email"), everything else kInternal with SQLite's message.
Status SqliteError(sqlite3* db, int rc);

// Reads the columns of the current result row left to right: each Get takes the next column.
class SqliteRow {
 public:
  explicit SqliteRow(sqlite3_stmt* stmt) : stmt_(stmt) {}

  // T is one of bool, int32_t, int64_t, double, std::string, std::string_view, Timestamp, Date,
  // TimeOfDay, or a std::optional of one of them (SQL NULL reads as std::nullopt). A
  // std::string_view points into SQLite's row buffer: valid until the statement steps or resets.
  template <typename T>
  T Get();

  // Reads an enum stored as its text name; an unknown name marks the row as corrupt (status()).
  template <typename E>
  E Enum(std::optional<E> (*parse)(std::string_view));

  // Ok unless a column held a value the model cannot represent.
  const Status& status() const { return status_; }

 private:
  template <typename T>
  struct IsOptional : std::false_type {};
  template <typename T>
  struct IsOptional<std::optional<T>> : std::true_type {};

  sqlite3_stmt* stmt_;
  int column_ = 0;
  Status status_;
};

// A prepared statement borrowed from a connection's cache. Each Bind takes the next parameter.
class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  SqliteStatement& operator=(SqliteStatement&&) = delete;
  // Resets the statement and clears its bindings for the next user.
  ~SqliteStatement();

  SqliteStatement& Bind(std::nullopt_t);
  SqliteStatement& Bind(bool v);
  SqliteStatement& Bind(int32_t v);
  SqliteStatement& Bind(int64_t v);
  SqliteStatement& Bind(double v);
  SqliteStatement& Bind(std::string_view v);
  SqliteStatement& Bind(const char* v) { return Bind(std::string_view(v)); }
  SqliteStatement& Bind(Timestamp v) { return Bind(v.millis); }
  SqliteStatement& Bind(Date v) { return Bind(v.days); }
  SqliteStatement& Bind(TimeOfDay v) { return Bind(v.minutes); }
  template <typename T>
  SqliteStatement& Bind(const std::optional<T>& v) {
    return v ? Bind(*v) : Bind(std::nullopt);
  }

  // Advances to the next row: true when a row is available, false when the statement is done.
  Result<bool> Step();
  // Steps to completion; for statements that return no rows.
  Status Run();
  // The current row, to read with SqliteRow::Get. REQUIRES: the last Step returned true.
  SqliteRow Row() { return SqliteRow(stmt_); }
  // Rows changed by the last completed INSERT/UPDATE/DELETE on this connection.
  int64_t Changes() const { return sqlite3_changes64(db_); }
  // Type of column `i` of the current row (SQLITE_INTEGER, SQLITE_TEXT, ...).
  int ColumnType(int i) const { return sqlite3_column_type(stmt_, i); }
  sqlite3_stmt* handle() { return stmt_; }

 private:
  SqliteStatement& Check(int rc);

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  int next_param_ = 1;
  int bind_rc_ = SQLITE_OK;  // first binding failure, reported by Step
};

class SqliteConnection {
 public:
  // Opens the database file and applies the connection pragmas: WAL journal, foreign keys on,
  // synchronous=NORMAL, busy timeout, page cache, mmap window, in-memory temp store.
  // Errors: kNotFound when the file is missing and `create` is false; kInternal otherwise.
  static Result<std::unique_ptr<SqliteConnection>> Open(const SqliteOptions& options, bool create);

  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;
  // Finalizes every cached statement and closes the connection.
  ~SqliteConnection();

  sqlite3* handle() { return db_; }
  // Runs one or more statements without parameters or results.
  Status Exec(const char* sql);
  // Returns the cached statement for `sql`, preparing it on first use. Errors: kInternal when
  // the SQL does not compile or the cached statement is still in use by an enclosing loop.
  Result<SqliteStatement> Prepare(std::string_view sql);
  // Copies the WAL back into the database file and truncates it (used when the store closes).
  Status Checkpoint();

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}

  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*, StringHash, std::equal_to<>> statements_;
};

// ---- Template definitions ------------------------------------------------------------------

template <typename T>
T SqliteRow::Get() {
  if constexpr (IsOptional<T>::value) {
    if (sqlite3_column_type(stmt_, column_) == SQLITE_NULL) {
      ++column_;
      return std::nullopt;
    }
    return Get<typename T::value_type>();
  } else {
    const int c = column_++;
    if constexpr (std::is_same_v<T, bool>) {
      return sqlite3_column_int64(stmt_, c) != 0;
    } else if constexpr (std::is_same_v<T, int32_t>) {
      return static_cast<int32_t>(sqlite3_column_int64(stmt_, c));
    } else if constexpr (std::is_same_v<T, int64_t>) {
      return sqlite3_column_int64(stmt_, c);
    } else if constexpr (std::is_same_v<T, double>) {
      return sqlite3_column_double(stmt_, c);
    } else if constexpr (std::is_same_v<T, std::string> || std::is_same_v<T, std::string_view>) {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, c));
      return text ? T(text, sqlite3_column_bytes(stmt_, c)) : T();
    } else if constexpr (std::is_same_v<T, Timestamp>) {
      return Timestamp{sqlite3_column_int64(stmt_, c)};
    } else if constexpr (std::is_same_v<T, Date>) {
      return Date{static_cast<int32_t>(sqlite3_column_int64(stmt_, c))};
    } else {
      static_assert(std::is_same_v<T, TimeOfDay>, "no column reader for this type");
      return TimeOfDay{static_cast<int32_t>(sqlite3_column_int64(stmt_, c))};
    }
  }
}

template <typename E>
E SqliteRow::Enum(std::optional<E> (*parse)(std::string_view)) {
  const int c = column_;
  const std::string_view name = Get<std::string_view>();
  if (std::optional<E> value = parse(name)) return *value;
  if (status_.ok()) {
    status_ = Status::Internal("column " + std::string(sqlite3_column_name(stmt_, c)) +
                               " holds unknown value '" + std::string(name) + "'");
  }
  return E{};
}

}  // namespace pipedeck
