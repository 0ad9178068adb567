// The parts of the SQLite schema that are both migrated and taken down and rebuilt by a bulk load:
// the secondary indexes, the maintained board totals, the per-day counts of done activities, the
// board versions and the deal change log. Keeping them here, once, means the migrations and the
// bulk writer (sqlite_store.cc) cannot drift apart.
//
// Board totals: board_totals holds, per (stage, owner, currency), the count and sums of the OPEN
// deals there, so the board reads a few hundred small rows instead of grouping a million deals
// (DESIGN §7, "planner trap"). Stage probabilities are deliberately not folded in: the weighted
// sum is Σ value_sum_no_override × stage probability + weighted_override_sum, computed at read
// time, so changing a stage's probability rewrites nothing. Triggers on deals keep the table
// exact inside every write transaction; a row whose count drops to zero is deleted, so a row
// exists iff it has open deals. Sums are SQLite 64-bit integers: weighted_override_sum (Σ value
// × percent) holds up to ~9.2e16 minor units of overridden open value per stage, owner and
// currency.
#pragma once

#include <string>

namespace pipedeck {

// One secondary index of the current schema.
struct SqliteIndex {
  const char* name;
  const char* create_sql;  // CREATE INDEX IF NOT EXISTS ...
};

// Every secondary index of the current schema, each for a query of sqlite_store.cc. Indexes cost
// insert time (DESIGN §7: 1.3M rows/s without, 0.39M/s with one), so none is here "just in case".
//   deals_board: board cards, CardsOfStage, First/LastPosition, RenumberStage, MoveAllDeals,
//     CountDealsInStage and the RESTRICT check of a stage delete. id is spelled out so that
//     owner_id can follow it: the owner-filtered board checks the owner inside the index, while
//     (position, id) still delivers cards in order without sorting.
//   deals_stage_updated, deals_stage_owner_updated: a stage's deals page by updated_at, without
//     and with an owner filter (the implicit trailing rowid serves the id tie-breaker and the
//     keyset predicate).
//   deals_updated: deal lists by updated_at and updated_since (sync clients).
//   deals_owner: a rep's deals. *_person, *_org: the SET NULL cascades of a contact delete and
//     the contact filters of the lists (without them every contact delete scans the table).
//   stage_events_deal, activities_deal, notes_deal: a deal's timeline; activities_deal also
//     serves RefreshDealActivityDates (MIN/MAX over done = 0/1) and the CASCADE of a deal delete.
//   activities_owner: a rep's agenda. notes_user: notes by author.
//   CountDoneActivitiesByOwner needs no index on activities: it reads activity_done_days (below).
// Deliberately without an index: users.team_id, teams and quotas hold one row per person, team or
// goal (tens to hundreds), so their filters and the SET NULL / CASCADE of a team delete scan a
// few pages; flag_snoozes and forecast_snapshots are served by their primary keys (deal_id
// first; month first); deal_changes by its seq rowid.
inline constexpr SqliteIndex kSqlIndexes[] = {
    {"api_tokens_user", "CREATE INDEX IF NOT EXISTS api_tokens_user ON api_tokens(user_id)"},
    {"stages_pipeline",
     "CREATE INDEX IF NOT EXISTS stages_pipeline ON stages(pipeline_id, sort_order)"},
    {"organizations_owner",
     "CREATE INDEX IF NOT EXISTS organizations_owner ON organizations(owner_id)"},
    {"persons_owner", "CREATE INDEX IF NOT EXISTS persons_owner ON persons(owner_id)"},
    {"persons_org", "CREATE INDEX IF NOT EXISTS persons_org ON persons(org_id)"},
    {"deals_board",
     "CREATE INDEX IF NOT EXISTS deals_board ON deals(stage_id, status, position, id, owner_id)"},
    {"deals_stage_updated",
     "CREATE INDEX IF NOT EXISTS deals_stage_updated ON deals(stage_id, updated_at)"},
    {"deals_stage_owner_updated",
     "CREATE INDEX IF NOT EXISTS deals_stage_owner_updated "
     "ON deals(stage_id, owner_id, updated_at)"},
    {"deals_updated", "CREATE INDEX IF NOT EXISTS deals_updated ON deals(updated_at)"},
    {"deals_owner", "CREATE INDEX IF NOT EXISTS deals_owner ON deals(owner_id)"},
    {"deals_person", "CREATE INDEX IF NOT EXISTS deals_person ON deals(person_id)"},
    {"deals_org", "CREATE INDEX IF NOT EXISTS deals_org ON deals(org_id)"},
    {"stage_events_deal",
     "CREATE INDEX IF NOT EXISTS stage_events_deal ON stage_events(deal_id, at)"},
    {"activities_deal",
     "CREATE INDEX IF NOT EXISTS activities_deal ON activities(deal_id, done, due_date)"},
    {"activities_owner",
     "CREATE INDEX IF NOT EXISTS activities_owner ON activities(owner_id, done, due_date)"},
    {"activities_person", "CREATE INDEX IF NOT EXISTS activities_person ON activities(person_id)"},
    {"activities_org", "CREATE INDEX IF NOT EXISTS activities_org ON activities(org_id)"},
    {"notes_deal", "CREATE INDEX IF NOT EXISTS notes_deal ON notes(deal_id, created_at)"},
    {"notes_person", "CREATE INDEX IF NOT EXISTS notes_person ON notes(person_id)"},
    {"notes_org", "CREATE INDEX IF NOT EXISTS notes_org ON notes(org_id)"},
    {"notes_user", "CREATE INDEX IF NOT EXISTS notes_user ON notes(user_id)"},
};

// All of kSqlIndexes as one script; creating an index that exists is a no-op.
std::string CreateIndexesSql();
// Drops every index of kSqlIndexes that exists.
std::string DropIndexesSql();

inline constexpr char kSqlCreateBoardTotals[] = R"sql(
CREATE TABLE board_totals (
  stage_id INTEGER NOT NULL,
  owner_id INTEGER NOT NULL,
  currency TEXT NOT NULL,
  open_count INTEGER NOT NULL,
  value_sum INTEGER NOT NULL,
  value_sum_no_override INTEGER NOT NULL,  -- Σ value of the deals without a probability override
  weighted_override_sum INTEGER NOT NULL,  -- Σ value × override percent of the others
  PRIMARY KEY (stage_id, owner_id, currency)
) WITHOUT ROWID;
)sql";

// The triggers that keep board_totals exact. The update trigger names the columns it depends on
// and skips updates that change none of them, so moving a card (position) or refreshing activity
// dates costs nothing extra even though the store's UPDATE sets every column.
inline constexpr char kSqlCreateBoardTotalsTriggers[] = R"sql(
CREATE TRIGGER IF NOT EXISTS board_totals_insert AFTER INSERT ON deals
WHEN NEW.status = 'open' BEGIN
  INSERT INTO board_totals VALUES (NEW.stage_id, NEW.owner_id, NEW.currency, 1, NEW.value_minor,
    IIF(NEW.probability_override IS NULL, NEW.value_minor, 0),
    NEW.value_minor * COALESCE(NEW.probability_override, 0))
  ON CONFLICT DO UPDATE SET open_count = open_count + 1,
    value_sum = value_sum + excluded.value_sum,
    value_sum_no_override = value_sum_no_override + excluded.value_sum_no_override,
    weighted_override_sum = weighted_override_sum + excluded.weighted_override_sum;
END;

CREATE TRIGGER IF NOT EXISTS board_totals_delete AFTER DELETE ON deals
WHEN OLD.status = 'open' BEGIN
  UPDATE board_totals SET open_count = open_count - 1,
    value_sum = value_sum - OLD.value_minor,
    value_sum_no_override =
      value_sum_no_override - IIF(OLD.probability_override IS NULL, OLD.value_minor, 0),
    weighted_override_sum =
      weighted_override_sum - OLD.value_minor * COALESCE(OLD.probability_override, 0)
  WHERE stage_id = OLD.stage_id AND owner_id = OLD.owner_id AND currency = OLD.currency;
  DELETE FROM board_totals WHERE stage_id = OLD.stage_id AND owner_id = OLD.owner_id
    AND currency = OLD.currency AND open_count = 0;
END;

CREATE TRIGGER IF NOT EXISTS board_totals_update
AFTER UPDATE OF status, stage_id, owner_id, currency, value_minor, probability_override ON deals
WHEN (OLD.status = 'open' OR NEW.status = 'open') AND (OLD.status IS NOT NEW.status
  OR OLD.stage_id IS NOT NEW.stage_id OR OLD.owner_id IS NOT NEW.owner_id
  OR OLD.currency IS NOT NEW.currency OR OLD.value_minor IS NOT NEW.value_minor
  OR OLD.probability_override IS NOT NEW.probability_override) BEGIN
  UPDATE board_totals SET open_count = open_count - 1,
    value_sum = value_sum - OLD.value_minor,
    value_sum_no_override =
      value_sum_no_override - IIF(OLD.probability_override IS NULL, OLD.value_minor, 0),
    weighted_override_sum =
      weighted_override_sum - OLD.value_minor * COALESCE(OLD.probability_override, 0)
  WHERE OLD.status = 'open'
    AND stage_id = OLD.stage_id AND owner_id = OLD.owner_id AND currency = OLD.currency;
  DELETE FROM board_totals WHERE stage_id = OLD.stage_id AND owner_id = OLD.owner_id
    AND currency = OLD.currency AND open_count = 0;
  INSERT INTO board_totals SELECT NEW.stage_id, NEW.owner_id, NEW.currency, 1, NEW.value_minor,
    IIF(NEW.probability_override IS NULL, NEW.value_minor, 0),
    NEW.value_minor * COALESCE(NEW.probability_override, 0)
  WHERE NEW.status = 'open'
  ON CONFLICT DO UPDATE SET open_count = open_count + 1,
    value_sum = value_sum + excluded.value_sum,
    value_sum_no_override = value_sum_no_override + excluded.value_sum_no_override,
    weighted_override_sum = weighted_override_sum + excluded.weighted_override_sum;
END;
)sql";

inline constexpr char kSqlDropBoardTotalsTriggers[] =
    "DROP TRIGGER IF EXISTS board_totals_insert;"
    "DROP TRIGGER IF EXISTS board_totals_delete;"
    "DROP TRIGGER IF EXISTS board_totals_update;";

// Recomputes board_totals from the deals with one grouped scan (after a bulk load, and when
// migration 2 meets existing deals). The expressions match the triggers'.
inline constexpr char kSqlRebuildBoardTotals[] = R"sql(
DELETE FROM board_totals;
INSERT INTO board_totals
SELECT stage_id, owner_id, currency, COUNT(*), SUM(value_minor),
  SUM(IIF(probability_override IS NULL, value_minor, 0)),
  SUM(value_minor * COALESCE(probability_override, 0))
FROM deals WHERE status = 'open' GROUP BY stage_id, owner_id, currency;
)sql";

// Done activities per day: activity_done_days holds, per (UTC day, owner), how many activities
// with done = 1 have their done_at on that day, so CountDoneActivitiesByOwner sums at most
// (days in the range × owners) small rows instead of grouping every done activity in the range
// (a 12-month count over 3M activities took 3–7 s through an index on done_at).
// Triggers on activities keep it exact inside every write transaction, as board_totals: a row
// whose count drops to zero is deleted, so a row exists iff its owner did something that day.
// An activity counts iff done = 1 AND done_at IS NOT NULL (the store takes records as given, so a
// done activity without done_at can exist; it has no day and is not counted, as before).
//
// day is the UTC day of done_at (INTEGER milliseconds since the epoch) as days since 1970-01-01,
// the encoding of Date: done_at / 86400000 rounded toward −∞. SQLite's integer '/' truncates
// toward zero, so a negative done_at with a remainder takes one off. In practice done_at >= 0 and
// the correction is 0; it is there so a pre-1970 instant still lands on its own day (the day of
// −1 ms is −1, not 0).
//
// The key is (day, owner_id), not (owner_id, day): the count is a range of days, and with day
// first it reads exactly the range's rows (≤ days × owners), whatever the history before or
// after it, then groups them by owner in a temporary B-tree (one small sort; the map it returns
// is ordered anyway). With owner_id first SQLite either scans every row of every day ever (no
// statistics: the store's files have none until a bulk load's ANALYZE) or, with statistics,
// skip-scans per owner; so a week's count would cost as much as the whole history. Measured on
// 500 owners × 5 years of days (913k rows, far above a real workspace): a week 1 ms with day
// first vs 36 ms (owner first, no statistics); a year 20–50 ms either way. Writes are one primary
// key probe either way; with day first they cluster on the last pages (today).
inline constexpr char kSqlCreateActivityDoneDays[] = R"sql(
CREATE TABLE activity_done_days (
  owner_id INTEGER NOT NULL,
  day INTEGER NOT NULL,  -- UTC day of done_at: floor(done_at / 86400000), days since the epoch
  done_count INTEGER NOT NULL,
  PRIMARY KEY (day, owner_id)
) WITHOUT ROWID;
)sql";

// The triggers that keep activity_done_days exact. The update trigger names the columns it
// depends on and skips updates that change none of them (or touch no done activity), so editing
// a subject, a due date or a note, rescheduling, or the SET NULL of a contact delete costs
// nothing extra even though the store's UPDATE sets every column. The delete trigger also runs
// for the CASCADE of a deal delete.
inline constexpr char kSqlCreateActivityDoneDayTriggers[] = R"sql(
CREATE TRIGGER IF NOT EXISTS activity_done_days_insert AFTER INSERT ON activities
WHEN NEW.done = 1 AND NEW.done_at IS NOT NULL BEGIN
  INSERT INTO activity_done_days VALUES (NEW.owner_id,
    NEW.done_at / 86400000 - (NEW.done_at % 86400000 < 0), 1)
  ON CONFLICT DO UPDATE SET done_count = done_count + 1;
END;

CREATE TRIGGER IF NOT EXISTS activity_done_days_delete AFTER DELETE ON activities
WHEN OLD.done = 1 AND OLD.done_at IS NOT NULL BEGIN
  UPDATE activity_done_days SET done_count = done_count - 1
  WHERE day = OLD.done_at / 86400000 - (OLD.done_at % 86400000 < 0) AND owner_id = OLD.owner_id;
  DELETE FROM activity_done_days
  WHERE day = OLD.done_at / 86400000 - (OLD.done_at % 86400000 < 0) AND owner_id = OLD.owner_id
    AND done_count = 0;
END;

CREATE TRIGGER IF NOT EXISTS activity_done_days_update
AFTER UPDATE OF done, done_at, owner_id ON activities
WHEN ((OLD.done = 1 AND OLD.done_at IS NOT NULL) OR (NEW.done = 1 AND NEW.done_at IS NOT NULL))
  AND (OLD.done IS NOT NEW.done OR OLD.done_at IS NOT NEW.done_at
  OR OLD.owner_id IS NOT NEW.owner_id) BEGIN
  UPDATE activity_done_days SET done_count = done_count - 1
  WHERE OLD.done = 1 AND OLD.done_at IS NOT NULL
    AND day = OLD.done_at / 86400000 - (OLD.done_at % 86400000 < 0) AND owner_id = OLD.owner_id;
  DELETE FROM activity_done_days
  WHERE day = OLD.done_at / 86400000 - (OLD.done_at % 86400000 < 0) AND owner_id = OLD.owner_id
    AND done_count = 0;
  INSERT INTO activity_done_days SELECT NEW.owner_id,
    NEW.done_at / 86400000 - (NEW.done_at % 86400000 < 0), 1
  WHERE NEW.done = 1 AND NEW.done_at IS NOT NULL
  ON CONFLICT DO UPDATE SET done_count = done_count + 1;
END;
)sql";

inline constexpr char kSqlDropActivityDoneDayTriggers[] =
    "DROP TRIGGER IF EXISTS activity_done_days_insert;"
    "DROP TRIGGER IF EXISTS activity_done_days_delete;"
    "DROP TRIGGER IF EXISTS activity_done_days_update;";

// Recomputes activity_done_days from the activities with one grouped scan (after a bulk load,
// and when migration 4 meets existing activities). The condition and the day match the
// triggers'; grouping by (day, owner_id) inserts in key order.
inline constexpr char kSqlRebuildActivityDoneDays[] = R"sql(
DELETE FROM activity_done_days;
INSERT INTO activity_done_days
SELECT owner_id, day, COUNT(*)
FROM (SELECT owner_id, done_at / 86400000 - (done_at % 86400000 < 0) AS day
      FROM activities WHERE done = 1 AND done_at IS NOT NULL)
GROUP BY day, owner_id;
)sql";

// Board versions: a number per pipeline that changes whenever anything its board shows may have
// changed, so a server can keep a rendered board and know, with one indexed read, whether it is
// still current (also across several app servers sharing the database). board_versions holds one
// counter per pipeline, bumped by triggers on that pipeline's deals (any column), stages and on
// the pipeline itself (a deleted one too), and a shared counter (pipeline_id 0) bumped when a name
// a card shows changes (organization, person, user). A board's version is the sum of its pipeline's
// counter and the shared one: both only grow, so the sum never repeats. Rows are never deleted, and
// ids are AUTOINCREMENT (never reused), so a version is never reused either.
inline constexpr char kSqlCreateBoardVersions[] = R"sql(
CREATE TABLE board_versions (
  pipeline_id INTEGER PRIMARY KEY,  -- 0: the shared counter of card names
  version INTEGER NOT NULL
);
)sql";

inline constexpr char kSqlCreateBoardVersionTriggers[] = R"sql(
CREATE TRIGGER IF NOT EXISTS board_versions_deal_insert AFTER INSERT ON deals BEGIN
  INSERT INTO board_versions VALUES (NEW.pipeline_id, 1)
  ON CONFLICT DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER IF NOT EXISTS board_versions_deal_update AFTER UPDATE ON deals BEGIN
  INSERT INTO board_versions VALUES (OLD.pipeline_id, 1)
  ON CONFLICT DO UPDATE SET version = version + 1;
  INSERT INTO board_versions SELECT NEW.pipeline_id, 1 WHERE NEW.pipeline_id IS NOT OLD.pipeline_id
  ON CONFLICT DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER IF NOT EXISTS board_versions_deal_delete AFTER DELETE ON deals BEGIN
  INSERT INTO board_versions VALUES (OLD.pipeline_id, 1)
  ON CONFLICT DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER IF NOT EXISTS board_versions_stage_insert AFTER INSERT ON stages BEGIN
  INSERT INTO board_versions VALUES (NEW.pipeline_id, 1)
  ON CONFLICT DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER IF NOT EXISTS board_versions_stage_update AFTER UPDATE ON stages BEGIN
  INSERT INTO board_versions VALUES (OLD.pipeline_id, 1)
  ON CONFLICT DO UPDATE SET version = version + 1;
  INSERT INTO board_versions SELECT NEW.pipeline_id, 1 WHERE NEW.pipeline_id IS NOT OLD.pipeline_id
  ON CONFLICT DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER IF NOT EXISTS board_versions_stage_delete AFTER DELETE ON stages BEGIN
  INSERT INTO board_versions VALUES (OLD.pipeline_id, 1)
  ON CONFLICT DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER IF NOT EXISTS board_versions_pipeline_update AFTER UPDATE ON pipelines BEGIN
  INSERT INTO board_versions VALUES (NEW.id, 1)
  ON CONFLICT DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER IF NOT EXISTS board_versions_pipeline_delete AFTER DELETE ON pipelines BEGIN
  INSERT INTO board_versions VALUES (OLD.id, 1)
  ON CONFLICT DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER IF NOT EXISTS board_versions_org_name AFTER UPDATE OF name ON organizations
WHEN OLD.name IS NOT NEW.name BEGIN
  INSERT INTO board_versions VALUES (0, 1) ON CONFLICT DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER IF NOT EXISTS board_versions_person_name AFTER UPDATE OF name ON persons
WHEN OLD.name IS NOT NEW.name BEGIN
  INSERT INTO board_versions VALUES (0, 1) ON CONFLICT DO UPDATE SET version = version + 1;
END;

CREATE TRIGGER IF NOT EXISTS board_versions_user_name AFTER UPDATE OF name ON users
WHEN OLD.name IS NOT NEW.name BEGIN
  INSERT INTO board_versions VALUES (0, 1) ON CONFLICT DO UPDATE SET version = version + 1;
END;
)sql";

inline constexpr char kSqlDropBoardVersionTriggers[] =
    "DROP TRIGGER IF EXISTS board_versions_deal_insert;"
    "DROP TRIGGER IF EXISTS board_versions_deal_update;"
    "DROP TRIGGER IF EXISTS board_versions_deal_delete;"
    "DROP TRIGGER IF EXISTS board_versions_stage_insert;"
    "DROP TRIGGER IF EXISTS board_versions_stage_update;"
    "DROP TRIGGER IF EXISTS board_versions_stage_delete;"
    "DROP TRIGGER IF EXISTS board_versions_pipeline_update;"
    "DROP TRIGGER IF EXISTS board_versions_pipeline_delete;"
    "DROP TRIGGER IF EXISTS board_versions_org_name;"
    "DROP TRIGGER IF EXISTS board_versions_person_name;"
    "DROP TRIGGER IF EXISTS board_versions_user_name;";

// Bumps every pipeline's counter and the shared one: after a bulk load (its rows bypass the
// triggers) and when migration 3 meets existing data.
inline constexpr char kSqlBumpAllBoardVersions[] = R"sql(
INSERT INTO board_versions SELECT id, 1 FROM pipelines WHERE true
ON CONFLICT DO UPDATE SET version = version + 1;
INSERT INTO board_versions VALUES (0, 1) ON CONFLICT DO UPDATE SET version = version + 1;
)sql";

// The deal change log: deal_changes(seq, deal_id) gets one row per insert, update and delete of
// a deal (the deal's id), appended by triggers inside the writing transaction, so its seq order
// is commit order and a reader of a snapshot sees exactly the changes committed before it. A row
// with deal_id 0 (kSqlAppendDealChangeReset) is a reset mark: deals changed without entries (a
// bulk load), so a reader past it must reload everything. seq is AUTOINCREMENT: pruning, even
// of every row, never lets a position be handed out twice. Ids of deals never change, so the
// update trigger logs NEW.id only. Every update is logged, even one of a column no report reads
// (a card's position): ScanOpenDeals hands out whole deals.
inline constexpr char kSqlCreateDealChanges[] = R"sql(
CREATE TABLE deal_changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  deal_id INTEGER NOT NULL  -- 0: a reset mark
);
)sql";

inline constexpr char kSqlCreateDealChangeTriggers[] = R"sql(
CREATE TRIGGER IF NOT EXISTS deal_changes_insert AFTER INSERT ON deals BEGIN
  INSERT INTO deal_changes (deal_id) VALUES (NEW.id);
END;

CREATE TRIGGER IF NOT EXISTS deal_changes_update AFTER UPDATE ON deals BEGIN
  INSERT INTO deal_changes (deal_id) VALUES (NEW.id);
END;

CREATE TRIGGER IF NOT EXISTS deal_changes_delete AFTER DELETE ON deals BEGIN
  INSERT INTO deal_changes (deal_id) VALUES (OLD.id);
END;
)sql";

inline constexpr char kSqlDropDealChangeTriggers[] =
    "DROP TRIGGER IF EXISTS deal_changes_insert;"
    "DROP TRIGGER IF EXISTS deal_changes_update;"
    "DROP TRIGGER IF EXISTS deal_changes_delete;";

// Appends a reset mark to the deal change log: after a bulk load, whose rows bypass the triggers.
inline constexpr char kSqlAppendDealChangeReset[] =
    "INSERT INTO deal_changes (deal_id) VALUES (0);";

}  // namespace pipedeck
