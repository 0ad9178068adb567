#include "store/sqlite/connection.h"

#include <filesystem>
#include <string>
#include <utility>

#include "core/text.h"

namespace pipedeck {
namespace {

// Pragmas every connection runs. WAL lets readers proceed while one writer commits;
// synchronous=NORMAL is durable across application crashes in WAL mode and only risks the last
// commits on power loss, which is the usual trade for a server; foreign keys are off by default in
// SQLite and the schema's cascades depend on them.
constexpr char kSqlConnectionPragmas[] =
    "PRAGMA foreign_keys = ON;"
    "PRAGMA synchronous = NORMAL;"
    "PRAGMA temp_store = MEMORY;";
constexpr char kSqlJournalModeWal[] = "PRAGMA journal_mode = WAL";
// Sizes come from SqliteOptions; PRAGMA takes no bound parameters, so the number is appended.
// A negative cache_size is in KiB rather than pages.
constexpr char kSqlCacheSizeKib[] = "PRAGMA cache_size = -";
constexpr char kSqlMmapSizeBytes[] = "PRAGMA mmap_size = ";
constexpr char kSqlCheckpoint[] = "PRAGMA wal_checkpoint(TRUNCATE)";

// "UNIQUE constraint failed: users.email" → "email"; several columns → the last one.
std::string ConstraintColumn(const char* message) {
  std::string_view m(message);
  const size_t dot = m.rfind('.');
  if (dot == std::string_view::npos) return {};
  std::string_view column = m.substr(dot + 1);
  const size_t end = column.find_first_of(", ");
  return std::string(column.substr(0, end));
}

// pd_fold(text): core FoldCase as an SQL function, so text search ignores case beyond ASCII
// (SQLite's own LIKE folds ASCII letters only).
void FoldCaseFunction(sqlite3_context* ctx, int argc, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  const std::string folded = FoldCase(std::string_view(text, sqlite3_value_bytes(argv[0])));
  sqlite3_result_text(ctx, folded.data(), static_cast<int>(folded.size()), SQLITE_TRANSIENT);
}

}  // namespace

Status SqliteError(sqlite3* db, int rc) {
  const char* message = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
    std::string column = ConstraintColumn(message);
    return Status::Conflict(column + " is already taken by another record", column);
  }
  return Status::Internal(std::string("sqlite: ") + message + " (" + sqlite3_errstr(rc) + ")");
}

// ---- SqliteStatement ------------------------------------------------------------------------

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      next_param_(other.next_param_),
      bind_rc_(other.bind_rc_) {}

SqliteStatement::~SqliteStatement() {
  if (stmt_ == nullptr) return;
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

SqliteStatement& SqliteStatement::Check(int rc) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
  ++next_param_;
  return *this;
}

SqliteStatement& SqliteStatement::Bind(std::nullopt_t) {
  return Check(sqlite3_bind_null(stmt_, next_param_));
}
SqliteStatement& SqliteStatement::Bind(bool v) {
  return Check(sqlite3_bind_int(stmt_, next_param_, v ? 1 : 0));
}
SqliteStatement& SqliteStatement::Bind(int32_t v) {
  return Check(sqlite3_bind_int(stmt_, next_param_, v));
}
SqliteStatement& SqliteStatement::Bind(int64_t v) {
  return Check(sqlite3_bind_int64(stmt_, next_param_, v));
}
SqliteStatement& SqliteStatement::Bind(double v) {
  return Check(sqlite3_bind_double(stmt_, next_param_, v));
}
SqliteStatement& SqliteStatement::Bind(std::string_view v) {
  return Check(
      sqlite3_bind_text64(stmt_, next_param_, v.data(), v.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}

Result<bool> SqliteStatement::Step() {
  if (bind_rc_ != SQLITE_OK) return SqliteError(db_, bind_rc_);
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db_, rc);
}

Status SqliteStatement::Run() {
  for (;;) {
    Result<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return Status::Ok();
  }
}

// ---- SqliteConnection -----------------------------------------------------------------------

Result<std::unique_ptr<SqliteConnection>> SqliteConnection::Open(const SqliteOptions& options,
                                                                 bool create) {
  if (!create && !std::filesystem::exists(options.path)) {
    return Status::NotFound("database file " + options.path + " does not exist");
  }
  sqlite3* db = nullptr;
  // NOMUTEX: a connection is only ever used by one thread at a time (see the header).
  const int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0) |
                    SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
  const int rc = sqlite3_open_v2(options.path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status error = Status::Internal("cannot open database " + options.path + ": " +
                                    (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    sqlite3_close_v2(db);
    return error;
  }
  std::unique_ptr<SqliteConnection> conn(new SqliteConnection(db));
  sqlite3_busy_timeout(db, options.busy_timeout_ms);
  if (sqlite3_create_function(db, "pd_fold", 1,
                              SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                              &FoldCaseFunction, nullptr, nullptr) != SQLITE_OK) {
    return SqliteError(db, sqlite3_errcode(db));
  }
  PD_RETURN_IF_ERROR(conn->Exec(kSqlConnectionPragmas));
  PD_RETURN_IF_ERROR(
      conn->Exec((kSqlCacheSizeKib + std::to_string(int64_t{options.cache_mib} * 1024)).c_str()));
  PD_RETURN_IF_ERROR(
      conn->Exec((kSqlMmapSizeBytes + std::to_string(options.mmap_mib * 1024 * 1024)).c_str()));

  PD_ASSIGN_OR_RETURN(SqliteStatement wal, conn->Prepare(kSqlJournalModeWal));
  PD_ASSIGN_OR_RETURN(bool has_row, wal.Step());
  const std::string mode = has_row ? wal.Row().Get<std::string>() : std::string();
  if (mode != "wal") {
    return Status::Internal("cannot switch " + options.path + " to WAL journal mode (it is '" +
                            mode + "')");
  }
  return conn;
}

SqliteConnection::~SqliteConnection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Status SqliteConnection::Exec(const char* sql) {
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  sqlite3_free(message);
  return rc == SQLITE_OK ? Status::Ok() : SqliteError(db_, rc);
}

Result<SqliteStatement> SqliteConnection::Prepare(std::string_view sql) {
  auto it = statements_.find(sql);
  if (it == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return SqliteError(db_, rc);
    it = statements_.emplace(std::string(sql), stmt).first;
  } else if (sqlite3_stmt_busy(it->second)) {
    return Status::Internal("statement is already in use: " + std::string(sql));
  }
  return SqliteStatement(db_, it->second);
}

Status SqliteConnection::Checkpoint() { return Exec(kSqlCheckpoint); }

}  // namespace pipedeck
