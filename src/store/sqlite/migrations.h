// Versioned schema migrations of the SQLite store.
//
// The schema is built by an ordered list of steps, each with a version number. The versions a
// database has received are rows of schema_migrations(version, applied_at). At open, every step
// newer than the database is applied, all in one transaction, so a failed upgrade leaves the file
// as it was. A step is never edited once released: a schema change is a new step.
#pragma once

#include "core/status.h"
#include "store/sqlite/connection.h"

namespace pipedeck {

// Brings the database up to SqliteSchemaVersion(). Errors: kInternal when a step fails or when
// the database was written by a newer Pipedeck (its version is above what this binary knows);
// nothing is changed in either case.
Status MigrateSqlite(SqliteConnection& conn);

// Brings the database up to `target_version` only (never down): for tests that need a database
// as an older Pipedeck left it. Errors as MigrateSqlite.
Status MigrateSqlite(SqliteConnection& conn, int target_version);

}  // namespace pipedeck
