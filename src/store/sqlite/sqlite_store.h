// The SQLite backend of Store: one database file, WAL journal, foreign keys on, versioned
// migrations applied at open.
//
// Connections: each thread that calls Read/Write gets its own connection (opened on first use,
// with the same pragmas) and its own cached prepared statements. Write transactions start with
// BEGIN IMMEDIATE so writers queue on SQLite's lock (busy timeout) instead of failing mid-way.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/status.h"
#include "store/store.h"

namespace pipedeck {

struct SqliteOptions {
  std::string path;               // database file; created when missing
  int cache_mib = 64;             // page cache per connection
  int64_t mmap_mib = 256;         // memory-mapped I/O window
  int busy_timeout_ms = 10'000;   // how long a writer waits for the lock
  bool create_if_missing = true;  // false: fail with kNotFound when the file does not exist
};

// Opens (creating and migrating as needed) the database. Errors: kNotFound when the file is
// missing and create_if_missing is false; kInternal when SQLite fails or the schema is newer than
// this binary knows.
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options);

// How SQLite runs one of the store's statements.
struct QueryPlan {
  std::string name;  // what the statement does: "board totals", "get deal", ...
  std::string sql;   // the statement exactly as the store prepares it
  std::string plan;  // EXPLAIN QUERY PLAN, one line per step, children indented by two spaces
};

// Opens (and migrates, like OpenSqliteStore) the database and explains the statements behind the
// board (totals and cards, with and without an owner filter), a stage's deals page by updated_at
// (first and next page, with and without an owner filter), get deal, a deal's timeline
// (activities, notes, stage events), and deal insert and update. The plans reflect the file's
// indexes and statistics, so a benchmark report can show that no query scans a table. Errors as
// OpenSqliteStore.
Result<std::vector<QueryPlan>> ExplainSqliteQueryPlans(const SqliteOptions& options);

// The schema version this binary migrates to.
int SqliteSchemaVersion();

}  // namespace pipedeck
