#include "store/sqlite/migrations.h"

#include <string>
#include <vector>

#include "store/sqlite/schema.h"

namespace pipedeck {
namespace {

struct Migration {
  int version;
  std::string sql;  // one or more statements
};

// Version 1: the whole schema.
//
// Encoding: instants are INTEGER milliseconds since the epoch, calendar dates INTEGER days since
// 1970-01-01, times of day INTEGER minutes, money an INTEGER amount of minor units plus a TEXT
// currency code, enums their text names (core/model.h), booleans 0/1. Ids are AUTOINCREMENT so
// the id of a deleted record is never handed out again (URLs, ETags and integrations keep
// pointing at nothing rather than at a different record).
//
// References: owners and authors point at users (users are deactivated, never deleted). A stage
// or pipeline that still holds deals cannot be deleted (RESTRICT); deleting a pipeline removes its
// stages. Deleting a person or organization unlinks what pointed at it (SET NULL); deleting a
// deal removes its activities, notes and history (CASCADE). Stage events keep their from/to
// stage and pipeline ids without a reference, so the history survives a deleted stage.
//
// Indexes as version 1 made them (version 2 replaced the set with schema.h's kSqlIndexes):
//   deals_board (stage_id, status, position): board cards, CardsOfStage, First/LastPosition.
//   deals_totals (pipeline_id, status, stage_id, currency, probability_override, value_minor,
//     owner_id): covers the per-stage board totals so the GROUP BY streams over the index alone,
//     in group order, without touching the table (a 1M-deal GROUP BY drops from ~1 s to tens of
//     ms; see DESIGN §7). owner_id rides along so the owner-filtered board is covered too.
//   deals by owner, person, org, updated_at and (stage_id, updated_at): list filters and the
//     SET NULL cascades.
constexpr char kSqlSchemaV1[] = R"sql(
CREATE TABLE users (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  email TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL,
  active INTEGER NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  secret_hash TEXT NOT NULL UNIQUE,
  prefix TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE pipelines (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  sort_order INTEGER NOT NULL,
  active INTEGER NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE stages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  pipeline_id INTEGER NOT NULL REFERENCES pipelines(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  sort_order INTEGER NOT NULL,
  probability INTEGER NOT NULL,
  rotting_days INTEGER,
  playbook TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX stages_pipeline ON stages(pipeline_id, sort_order);

CREATE TABLE organizations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  address TEXT NOT NULL,
  owner_id INTEGER NOT NULL REFERENCES users(id),
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX organizations_owner ON organizations(owner_id);

CREATE TABLE persons (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  org_id INTEGER REFERENCES organizations(id) ON DELETE SET NULL,
  owner_id INTEGER NOT NULL REFERENCES users(id),
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX persons_owner ON persons(owner_id);
CREATE INDEX persons_org ON persons(org_id);

-- A person's emails (kind 'email') and phones (kind 'phone') in their list order.
CREATE TABLE person_contacts (
  person_id INTEGER NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('email', 'phone')),
  ord INTEGER NOT NULL,
  value TEXT NOT NULL,
  label TEXT NOT NULL,
  is_primary INTEGER NOT NULL,
  PRIMARY KEY (person_id, kind, ord)
) WITHOUT ROWID;

CREATE TABLE deals (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  title TEXT NOT NULL,
  value_minor INTEGER NOT NULL,
  currency TEXT NOT NULL,
  pipeline_id INTEGER NOT NULL REFERENCES pipelines(id) ON DELETE RESTRICT,
  stage_id INTEGER NOT NULL REFERENCES stages(id) ON DELETE RESTRICT,
  status TEXT NOT NULL,
  lost_reason TEXT NOT NULL,
  expected_close_date INTEGER,
  owner_id INTEGER NOT NULL REFERENCES users(id),
  person_id INTEGER REFERENCES persons(id) ON DELETE SET NULL,
  org_id INTEGER REFERENCES organizations(id) ON DELETE SET NULL,
  source TEXT NOT NULL,
  position REAL NOT NULL,
  probability_override INTEGER,
  next_activity_date INTEGER,
  last_activity_at INTEGER,
  stage_changed_at INTEGER NOT NULL,
  closed_at INTEGER,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX deals_board ON deals(stage_id, status, position);
CREATE INDEX deals_totals
  ON deals(pipeline_id, status, stage_id, currency, probability_override, value_minor, owner_id);
CREATE INDEX deals_stage_updated ON deals(stage_id, updated_at);
CREATE INDEX deals_owner ON deals(owner_id);
CREATE INDEX deals_person ON deals(person_id);
CREATE INDEX deals_org ON deals(org_id);
CREATE INDEX deals_updated ON deals(updated_at);

CREATE TABLE stage_events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  at INTEGER NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id),
  from_pipeline_id INTEGER,
  to_pipeline_id INTEGER,
  from_stage_id INTEGER,
  to_stage_id INTEGER,
  from_status TEXT NOT NULL,
  to_status TEXT NOT NULL,
  lost_reason TEXT NOT NULL
);
CREATE INDEX stage_events_deal ON stage_events(deal_id, at);

CREATE TABLE lost_reasons (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  label TEXT NOT NULL,
  sort_order INTEGER NOT NULL,
  active INTEGER NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE activities (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL,
  subject TEXT NOT NULL,
  due_date INTEGER NOT NULL,
  due_time INTEGER,
  duration_minutes INTEGER NOT NULL,
  done INTEGER NOT NULL,
  done_at INTEGER,
  deal_id INTEGER REFERENCES deals(id) ON DELETE CASCADE,
  person_id INTEGER REFERENCES persons(id) ON DELETE SET NULL,
  org_id INTEGER REFERENCES organizations(id) ON DELETE SET NULL,
  owner_id INTEGER NOT NULL REFERENCES users(id),
  note TEXT NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX activities_deal ON activities(deal_id, done, due_date);
CREATE INDEX activities_owner ON activities(owner_id, done, due_date);
CREATE INDEX activities_person ON activities(person_id);
CREATE INDEX activities_org ON activities(org_id);

CREATE TABLE notes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  content TEXT NOT NULL,
  deal_id INTEGER REFERENCES deals(id) ON DELETE CASCADE,
  person_id INTEGER REFERENCES persons(id) ON DELETE SET NULL,
  org_id INTEGER REFERENCES organizations(id) ON DELETE SET NULL,
  user_id INTEGER NOT NULL REFERENCES users(id),
  pinned INTEGER NOT NULL,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX notes_deal ON notes(deal_id);
CREATE INDEX notes_person ON notes(person_id);
CREATE INDEX notes_org ON notes(org_id);
CREATE INDEX notes_user ON notes(user_id);

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
)sql";

// Version 2: board totals maintained by triggers (schema.h), and the index set of schema.h. It
// drops what no query needs any more: deals_totals (the board reads board_totals now); and
// redefines deals_board (owner_id inside, see schema.h) and notes_deal (created_at, the
// timeline's order). The indexes come from kSqlIndexes, the one list the bulk writer also drops
// and rebuilds, so a later index change edits that list and adds a step that drops what left it.
// Existing deals fill board_totals here.
constexpr char kSqlSchemaV2DropIndexes[] = R"sql(
DROP INDEX IF EXISTS deals_totals;
DROP INDEX IF EXISTS deals_board;
DROP INDEX IF EXISTS notes_deal;
)sql";

// Version 4: sales teams, quotas, forecast snapshots, health flag snoozes, the deal change log and
// the per-day counts of done activities (both schema.h). Encodings as in version 1; the new enums
// (quota scope, period and metric, health flag) are stored as their text names (core/model.h).
//
//   teams: name_key is the name folded as text search folds it (core/text.h FoldCase), UNIQUE,
//     so that names differing only in case clash. The store computes it; it is a column rather
//     than an index on pd_fold(name) so the constraint holds without the store's SQL function
//     (the sqlite3 shell, backups) and means the same in another backend.
//   users.team_id: deleting a team unlinks its users (SET NULL). Added by ALTER TABLE, so it is
//     the last column of users.
//   quotas: a team's quotas go with the team (CASCADE), and so do the quotas limited to a deleted
//     pipeline (a pipeline holding deals cannot be deleted, so such a quota never counted
//     anything). user_id references users, who are never deleted.
//   forecast_snapshots: one row per (month, pipeline, owner), month as the date of its first
//     day; pipeline and owner ids carry no reference, so past snapshots outlive a deleted
//     pipeline as stage history outlives a deleted stage.
//   flag_snoozes: one row per (deal, flag), deleted with the deal (CASCADE); `until` is a date.
//   deal_changes: starts empty, at position 0: no reader can hold an older position.
//   activity_done_days: filled from the existing activities here, then kept by its triggers.
//     activities_done_at, the index an unreleased draft of this version had for the same count,
//     is dropped if a file has it (kSqlIndexes no longer lists it, so nothing else would).
constexpr char kSqlSchemaV4[] = R"sql(
DROP INDEX IF EXISTS activities_done_at;

CREATE TABLE teams (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  name_key TEXT NOT NULL UNIQUE,
  manager_id INTEGER REFERENCES users(id),
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

ALTER TABLE users ADD COLUMN team_id INTEGER REFERENCES teams(id) ON DELETE SET NULL;

CREATE TABLE quotas (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  scope TEXT NOT NULL,
  user_id INTEGER REFERENCES users(id),
  team_id INTEGER REFERENCES teams(id) ON DELETE CASCADE,
  period TEXT NOT NULL,
  metric TEXT NOT NULL,
  target INTEGER NOT NULL,
  currency TEXT NOT NULL,
  pipeline_id INTEGER REFERENCES pipelines(id) ON DELETE CASCADE,
  starts_on INTEGER NOT NULL,
  ends_on INTEGER,
  version INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE forecast_snapshots (
  month INTEGER NOT NULL,
  pipeline_id INTEGER NOT NULL,
  owner_id INTEGER NOT NULL,
  open_deals INTEGER NOT NULL,
  value_minor INTEGER NOT NULL,
  weighted_minor INTEGER NOT NULL,
  taken_at INTEGER NOT NULL,
  PRIMARY KEY (month, pipeline_id, owner_id)
) WITHOUT ROWID;

CREATE TABLE flag_snoozes (
  deal_id INTEGER NOT NULL REFERENCES deals(id) ON DELETE CASCADE,
  flag TEXT NOT NULL,
  until INTEGER NOT NULL,
  reason TEXT NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (deal_id, flag)
) WITHOUT ROWID;
)sql";

// Version 5: other systems' ids of imported records (StoreTx::FindExternalKey), so that importing
// the same export again updates instead of duplicating.
constexpr char kSqlSchemaV5[] = R"sql(
CREATE TABLE external_keys (
  object TEXT NOT NULL,
  external_id TEXT NOT NULL,
  record_id INTEGER NOT NULL,
  PRIMARY KEY (object, external_id)
) WITHOUT ROWID;
)sql";

// Version 6: sign-in with a password (service/accounts.h): one argon2id string per user, browser
// sessions and admins' reset codes (secrets stored as SHA-256 only), and the failed sign-ins that
// rate limiting counts per account and per address. A user's sessions and codes go when the user
// does (users are deactivated, not deleted, so this is for completeness). And the audit log
// (core/audit.h): one row per change, its fields' before and after values beside it; it keeps
// no reference to the changed record, so the log of a deleted record stays. Pipelines get the
// visibility of their deals (core/model.h PipelineVisibility), "owners" for the existing ones. Read by record
// (object, record_id) on record pages, by user for admins, and newest first otherwise.
constexpr char kSqlSchemaV6[] = R"sql(
CREATE TABLE user_passwords (
  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  password_hash TEXT NOT NULL,
  changed_at INTEGER NOT NULL
);
CREATE TABLE sessions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  secret_hash TEXT NOT NULL UNIQUE,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE password_resets (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  secret_hash TEXT NOT NULL UNIQUE,
  created_by INTEGER NOT NULL REFERENCES users(id),
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
);
CREATE INDEX password_resets_user ON password_resets(user_id);
CREATE TABLE sign_in_failures (
  subject TEXT NOT NULL,
  at INTEGER NOT NULL
);
CREATE INDEX sign_in_failures_subject ON sign_in_failures(subject, at);
ALTER TABLE pipelines ADD COLUMN visibility TEXT NOT NULL DEFAULT 'owners';
CREATE TABLE audit_log (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  user_id INTEGER NOT NULL REFERENCES users(id),
  action TEXT NOT NULL,
  object TEXT NOT NULL,
  record_id INTEGER NOT NULL
);
CREATE INDEX audit_log_record ON audit_log(object, record_id, id);
CREATE INDEX audit_log_user ON audit_log(user_id, id);
CREATE TABLE audit_changes (
  audit_id INTEGER NOT NULL REFERENCES audit_log(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  field TEXT NOT NULL,
  before TEXT NOT NULL,
  after TEXT NOT NULL,
  PRIMARY KEY (audit_id, seq)
) WITHOUT ROWID;
)sql";

// The steps in version order; the last version is the one this binary writes.
const std::vector<Migration>& Migrations() {
  static const std::vector<Migration> steps = {
      {1, kSqlSchemaV1},
      {2, std::string(kSqlSchemaV2DropIndexes) + kSqlCreateBoardTotals + CreateIndexesSql() +
              kSqlCreateBoardTotalsTriggers + kSqlRebuildBoardTotals},
      // Version 3: board versions (schema.h), for servers that keep rendered boards.
      {3, std::string(kSqlCreateBoardVersions) + kSqlCreateBoardVersionTriggers +
              kSqlBumpAllBoardVersions},
      {4, std::string(kSqlSchemaV4) + kSqlCreateDealChanges + kSqlCreateActivityDoneDays +
              CreateIndexesSql() + kSqlCreateDealChangeTriggers +
              kSqlCreateActivityDoneDayTriggers + kSqlRebuildActivityDoneDays},
      {5, kSqlSchemaV5},
      {6, kSqlSchemaV6},
  };
  return steps;
}

constexpr char kSqlCreateMigrationsTable[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    "version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)";
constexpr char kSqlCurrentVersion[] = "SELECT COALESCE(MAX(version), 0) FROM schema_migrations";
constexpr char kSqlRecordMigration[] =
    "INSERT INTO schema_migrations(version, applied_at) "
    "VALUES (?, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))";
constexpr char kSqlBeginImmediate[] = "BEGIN IMMEDIATE";
constexpr char kSqlCommit[] = "COMMIT";
constexpr char kSqlRollback[] = "ROLLBACK";

// Applies the steps newer than the database's version, up to `target`. REQUIRES: inside a write
// transaction.
Status ApplyPendingSteps(SqliteConnection& conn, int target) {
  PD_RETURN_IF_ERROR(conn.Exec(kSqlCreateMigrationsTable));
  int64_t current = 0;
  {
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(kSqlCurrentVersion));
    PD_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (has_row) current = stmt.Row().Get<int64_t>();
  }
  const int latest = SqliteSchemaVersion();
  if (current > latest) {
    return Status::Internal("the database has schema version " + std::to_string(current) +
                            " but this Pipedeck binary only knows versions up to " +
                            std::to_string(latest) + "; run a newer Pipedeck on it");
  }
  for (const Migration& step : Migrations()) {
    if (step.version <= current || step.version > target) continue;
    Status applied = conn.Exec(step.sql.c_str());
    if (!applied.ok()) {
      return Status::Internal("schema migration " + std::to_string(step.version) +
                              " failed: " + applied.message());
    }
    PD_ASSIGN_OR_RETURN(SqliteStatement record, conn.Prepare(kSqlRecordMigration));
    PD_RETURN_IF_ERROR(record.Bind(int32_t{step.version}).Run());
  }
  return Status::Ok();
}

}  // namespace

int SqliteSchemaVersion() { return Migrations().back().version; }

Status MigrateSqlite(SqliteConnection& conn) { return MigrateSqlite(conn, SqliteSchemaVersion()); }

Status MigrateSqlite(SqliteConnection& conn, int target_version) {
  PD_RETURN_IF_ERROR(conn.Exec(kSqlBeginImmediate));
  Status status = ApplyPendingSteps(conn, target_version);
  if (status.ok()) status = conn.Exec(kSqlCommit);
  // On failure the original error is the one to report, not the rollback's.
  if (!status.ok()) static_cast<void>(conn.Exec(kSqlRollback));
  return status;
}

}  // namespace pipedeck
