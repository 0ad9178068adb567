// The SQLite backend: the conformance suite on a temporary file per test, plus what only a file
// database has (reopening, migrations, pragmas, several connections).
#include "store/sqlite/sqlite_store.h"

#include <atomic>
#include <filesystem>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include "store/sqlite/connection.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/schema.h"
#include "store/store_conformance.h"

namespace pipedeck {
namespace {

namespace fs = std::filesystem;

// A directory of its own for one test's database file; removed with everything in it.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("pipedeck-store-" + std::to_string(getpid()) + "-" + std::to_string(counter++));
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

// A SQLite store that deletes its directory when destroyed.
class TempSqliteStore final : public Store {
 public:
  TempSqliteStore() {
    SqliteOptions options;
    options.path = dir_.File("pipedeck.db");
    store_ = Must(OpenSqliteStore(options));
  }
  ~TempSqliteStore() override { store_.reset(); }

  Result<std::unique_ptr<BulkWriter>> BeginBulkLoad() override { return store_->BeginBulkLoad(); }
  Status Read(const std::function<Status(StoreTx&)>& fn) override { return store_->Read(fn); }
  Status Write(const std::function<Status(StoreTx&)>& fn) override { return store_->Write(fn); }
  void Close() override { store_->Close(); }

 private:
  TempDir dir_;  // declared first: outlives the store
  std::unique_ptr<Store> store_;
};

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest,
                         ::testing::Values(StoreBackend{
                             "sqlite", [] { return std::make_unique<TempSqliteStore>(); }}),
                         StoreBackendName);

// Runs one query with raw SQLite on `path` (outside the store) and returns the first column of
// the first row as text.
std::string QueryFile(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_text(stmt, 0) != nullptr) {
    out = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  } else {
    ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
  }
  sqlite3_finalize(stmt);
  sqlite3_close_v2(db);
  return out;
}

class SqliteStoreTest : public ::testing::Test {
 protected:
  SqliteOptions Options() const {
    SqliteOptions options;
    options.path = dir_.File("pipedeck.db");
    return options;
  }
  std::unique_ptr<Store> Open() { return Must(OpenSqliteStore(Options())); }

  TempDir dir_;
};

User SomeUser(const std::string& email) {
  User u;
  u.name = "Someone";
  u.email = email;
  return u;
}

TEST_F(SqliteStoreTest, ReopeningKeepsDataAndDoesNotRerunMigrations) {
  EXPECT_EQ(SqliteSchemaVersion(), 6);
  {
    std::unique_ptr<Store> store = Open();
    Must(store->Write(
        [](StoreTx& tx) { return tx.InsertUser(SomeUser("kept@example.com")).status(); }));
    store->Close();
    store->Close();  // safe twice
    EXPECT_EQ(store->Read([](StoreTx&) { return Status::Ok(); }).code(), ErrorCode::kInternal);
  }
  // Mark the recorded migrations; a re-run would fail on its CREATE TABLEs or add a row.
  QueryFile(Options().path, "UPDATE schema_migrations SET applied_at = 'marker' RETURNING 1");
  {
    std::unique_ptr<Store> store = Open();
    Result<User> user = Result<User>(Status::Internal("not read"));
    Must(store->Read([&](StoreTx& tx) {
      user = tx.FindUserByEmail("kept@example.com");
      return user.status();
    }));
    EXPECT_EQ(user->email, "kept@example.com");
  }
  EXPECT_EQ(QueryFile(Options().path,
                      "SELECT group_concat(version || ':' || applied_at) "
                      "FROM schema_migrations"),
            "1:marker,2:marker,3:marker,4:marker,5:marker,6:marker");
}

TEST_F(SqliteStoreTest, ADatabaseFromANewerPipedeckIsRefused) {
  Open()->Close();
  QueryFile(Options().path,
            "INSERT INTO schema_migrations VALUES (99, '2030-01-01T00:00:00Z') RETURNING 1");
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(Options());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), ErrorCode::kInternal);
  EXPECT_NE(store.status().message().find("schema version 99"), std::string::npos)
      << store.status().message();
}

TEST_F(SqliteStoreTest, AMissingFileIsNotFoundUnlessCreationIsAllowed) {
  SqliteOptions options = Options();
  options.create_if_missing = false;
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(options);
  EXPECT_EQ(store.status().code(), ErrorCode::kNotFound);
  EXPECT_FALSE(fs::exists(options.path));
}

TEST_F(SqliteStoreTest, ConnectionsRunWithTheConfiguredPragmas) {
  SqliteOptions options = Options();
  options.cache_mib = 8;
  options.busy_timeout_ms = 1234;
  options.mmap_mib = 16;
  std::unique_ptr<SqliteConnection> conn = Must(SqliteConnection::Open(options, true));
  auto pragma = [&](const char* sql) {
    SqliteStatement stmt = Must(conn->Prepare(sql));
    EXPECT_TRUE(Must(stmt.Step())) << sql;
    return stmt.Row().Get<std::string>();
  };
  EXPECT_EQ(pragma("PRAGMA journal_mode"), "wal");
  EXPECT_EQ(pragma("PRAGMA foreign_keys"), "1");
  EXPECT_EQ(pragma("PRAGMA synchronous"), "1");  // NORMAL
  EXPECT_EQ(pragma("PRAGMA temp_store"), "2");   // MEMORY
  EXPECT_EQ(pragma("PRAGMA busy_timeout"), "1234");
  EXPECT_EQ(pragma("PRAGMA cache_size"), "-8192");
  EXPECT_EQ(pragma("PRAGMA mmap_size"), std::to_string(16 * 1024 * 1024));

  // The store's own file is in WAL mode, and its connections enforce foreign keys.
  std::unique_ptr<Store> store = Open();
  EXPECT_EQ(QueryFile(Options().path, "PRAGMA journal_mode"), "wal");
  Status dangling = store->Write([](StoreTx& tx) {
    Stage s;
    s.pipeline_id = 4242;
    s.name = "Orphan";
    return tx.InsertStage(s).status();
  });
  EXPECT_FALSE(dangling.ok());
}

// Two reader threads check a snapshot invariant (users come in pairs, each write transaction adds
// two) while a writer adds pairs; each reader must see every committed pair and never half of one.
TEST_F(SqliteStoreTest, ConcurrentReadersSeeConsistentSnapshotsWhileWriting) {
  std::unique_ptr<Store> store = Open();
  constexpr int kPairs = 60;
  std::atomic<bool> writing{true};
  std::atomic<int> failures{0};

  auto reader = [&] {
    int64_t last_seen = 0;
    int reads = 0;
    while (writing.load() || reads < 3) {
      int64_t count = 0;
      Status s = store->Read([&](StoreTx& tx) {
        ListQuery q;
        q.limit = 500;
        PD_ASSIGN_OR_RETURN(Page<User> page, tx.ListUsers(q));
        count = static_cast<int64_t>(page.items.size());
        return Status::Ok();
      });
      if (!s.ok() || count % 2 != 0 || count < last_seen) ++failures;
      last_seen = count;
      ++reads;
    }
  };
  std::thread r1(reader), r2(reader);
  for (int i = 0; i < kPairs; ++i) {
    Status s = store->Write([&](StoreTx& tx) {
      PD_RETURN_IF_ERROR(tx.InsertUser(SomeUser("a" + std::to_string(i) + "@x.example")).status());
      return tx.InsertUser(SomeUser("b" + std::to_string(i) + "@x.example")).status();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  writing = false;
  r1.join();
  r2.join();
  EXPECT_EQ(failures.load(), 0);

  // Writers on several threads are serialised, none is lost.
  std::vector<std::thread> writers;
  for (int t = 0; t < 3; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        Status s = store->Write([&](StoreTx& tx) {
          return tx.PutSetting("k" + std::to_string(t) + "_" + std::to_string(i), "v");
        });
        if (!s.ok()) ++failures;
      }
    });
  }
  for (std::thread& w : writers) w.join();
  EXPECT_EQ(failures.load(), 0);
  std::string count = QueryFile(Options().path, "SELECT COUNT(*) FROM settings");
  EXPECT_EQ(count, "60");
}

// ---- Bulk load, board totals, indexes --------------------------------------------------------

// How many of schema.h's indexes and of the three board_totals triggers the file has.
int CountIndexes(const std::string& path) {
  std::string names;
  for (const SqliteIndex& index : kSqlIndexes) {
    names += std::string(names.empty() ? "'" : ",'") + index.name + "'";
  }
  const std::string sql =
      "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND name IN (" + names + ")";
  return std::stoi(QueryFile(path, sql.c_str()));
}
// The triggers that maintain board_totals (3) and board_versions (11), schema.h.
constexpr int kBoardTriggers = 14;

int CountBoardTriggers(const std::string& path) {
  return std::stoi(QueryFile(
      path, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'board%'"));
}
// The triggers that append to the deal change log (insert, update, delete), schema.h.
constexpr int kDealChangeTriggers = 3;

int CountDealChangeTriggers(const std::string& path) {
  return std::stoi(QueryFile(path,
                             "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' "
                             "AND name LIKE 'deal_changes%'"));
}

// The triggers that keep activity_done_days (insert, update, delete), schema.h.
constexpr int kActivityDoneDayTriggers = 3;

int CountActivityDoneDayTriggers(const std::string& path) {
  return std::stoi(QueryFile(path,
                             "SELECT COUNT(*) FROM sqlite_master WHERE type = 'trigger' "
                             "AND name LIKE 'activity_done_days%'"));
}

Deal BulkDeal(Id id, Id stage_id, Id owner_id, int64_t value) {
  Deal d;
  d.id = id;
  d.title = "Deal " + std::to_string(id);
  d.value = Money{value, "USD"};
  d.pipeline_id = 1;
  d.stage_id = stage_id;
  d.owner_id = owner_id;
  return d;
}

// A workspace of one user, one pipeline and one stage (50%), all with id 1.
void AddWorkspace(BulkWriter& writer) {
  User u = SomeUser("bulk@example.com");
  u.id = 1;
  Pipeline p;
  p.id = 1;
  p.name = "Sales";
  Stage s;
  s.id = 1;
  s.pipeline_id = 1;
  s.name = "Lead";
  s.probability = 50;
  Must(writer.Add(u));
  Must(writer.Add(p));
  Must(writer.Add(s));
}

std::vector<BoardColumn> BoardOf(Store& store) {
  std::vector<BoardColumn> board;
  Must(store.Read([&](StoreTx& tx) {
    BoardQuery q;
    q.pipeline_id = 1;
    PD_ASSIGN_OR_RETURN(board, tx.Board(q));
    return Status::Ok();
  }));
  return board;
}

TEST_F(SqliteStoreTest, ABulkLoadSuspendsIndexesAndTriggersAndFinishRestoresThem) {
  std::unique_ptr<Store> store = Open();
  const int all = static_cast<int>(std::size(kSqlIndexes));
  EXPECT_EQ(CountIndexes(Options().path), all);
  EXPECT_EQ(CountBoardTriggers(Options().path), kBoardTriggers);
  EXPECT_EQ(CountDealChangeTriggers(Options().path), kDealChangeTriggers);
  EXPECT_EQ(CountActivityDoneDayTriggers(Options().path), kActivityDoneDayTriggers);
  std::unique_ptr<BulkWriter> writer = Must(store->BeginBulkLoad());
  EXPECT_EQ(CountIndexes(Options().path), 0);
  EXPECT_EQ(CountBoardTriggers(Options().path), 0);
  EXPECT_EQ(CountDealChangeTriggers(Options().path), 0);
  EXPECT_EQ(CountActivityDoneDayTriggers(Options().path), 0);
  AddWorkspace(*writer);
  for (Id id = 1; id <= 100; ++id) Must(writer->Add(BulkDeal(id, 1, 1, 100 + id)));
  for (Id id = 1; id <= 10; ++id) {
    Activity a;
    a.id = id;
    a.subject = "Call";
    a.owner_id = 1;
    a.done = id % 2 == 0;
    a.done_at = Timestamp{kMillisPerDay * (id % 3) + 1};
    Must(writer->Add(a));
  }
  Must(writer->Finish());
  EXPECT_EQ(CountIndexes(Options().path), all);
  EXPECT_EQ(CountBoardTriggers(Options().path), kBoardTriggers);
  EXPECT_EQ(CountDealChangeTriggers(Options().path), kDealChangeTriggers);
  EXPECT_EQ(CountActivityDoneDayTriggers(Options().path), kActivityDoneDayTriggers);
  // activity_done_days was rebuilt with one row per (day, owner): ids 2, 4, 6, 8, 10 are done, on
  // days 2, 1, 0, 2, 1.
  EXPECT_EQ(QueryFile(Options().path,
                      "SELECT group_concat(day || ':' || owner_id || ':' || done_count) FROM "
                      "(SELECT * FROM activity_done_days ORDER BY day, owner_id)"),
            "0:1:1,1:1:2,2:1:2");
  // The load logged one reset mark, not a row per deal.
  EXPECT_EQ(QueryFile(Options().path, "SELECT group_concat(deal_id) FROM deal_changes"), "0");
  EXPECT_NE(QueryFile(Options().path, "SELECT COUNT(*) FROM sqlite_stat1"), "0");  // ANALYZE ran
  const std::vector<BoardColumn> board = BoardOf(*store);
  ASSERT_EQ(board.size(), 1u);
  EXPECT_EQ(board[0].deal_count, 100);
  EXPECT_EQ(board[0].totals[0].value_minor, 100 * 100 + 5050);
}

TEST_F(SqliteStoreTest, AWriterDestroyedWithoutFinishStillRestoresIndexesAndTotals) {
  std::unique_ptr<Store> store = Open();
  {
    std::unique_ptr<BulkWriter> writer = Must(store->BeginBulkLoad());
    AddWorkspace(*writer);
    Must(writer->Finish());
  }
  {
    std::unique_ptr<BulkWriter> writer = Must(store->BeginBulkLoad());
    for (Id id = 1; id <= 10; ++id) Must(writer->Add(BulkDeal(id, 1, 1, 1000)));
  }  // the unfinished batch is rolled back
  EXPECT_EQ(CountIndexes(Options().path), static_cast<int>(std::size(kSqlIndexes)));
  EXPECT_EQ(CountBoardTriggers(Options().path), kBoardTriggers);
  EXPECT_EQ(CountDealChangeTriggers(Options().path), kDealChangeTriggers);
  EXPECT_EQ(CountActivityDoneDayTriggers(Options().path), kActivityDoneDayTriggers);
  EXPECT_EQ(QueryFile(Options().path, "SELECT COUNT(*) FROM deals"), "0");
  EXPECT_EQ(BoardOf(*store)[0].deal_count, 0);
  // The triggers work again.
  Must(store->Write([](StoreTx& tx) { return tx.InsertDeal(BulkDeal(0, 1, 1, 250)).status(); }));
  const std::vector<BoardColumn> board = BoardOf(*store);
  EXPECT_EQ(board[0].deal_count, 1);
  ASSERT_EQ(board[0].totals.size(), 1u);
  EXPECT_EQ(board[0].totals[0].weighted_minor, 125);
}

// A database left at version 1 with deals gets board_totals filled by migration 2.
TEST_F(SqliteStoreTest, MigrationTwoFillsBoardTotalsFromExistingDeals) {
  {
    std::unique_ptr<SqliteConnection> conn = Must(SqliteConnection::Open(Options(), true));
    Must(MigrateSqlite(*conn, 1));
    Must(conn->Exec(
        "INSERT INTO users VALUES (1, 'Ann', 'ann@x.example', 'rep', 1, 1, 0, 0);"
        "INSERT INTO users VALUES (2, 'Ben', 'ben@x.example', 'rep', 1, 1, 0, 0);"
        "INSERT INTO pipelines VALUES (1, 'Sales', 0, 1, 1, 0, 0);"
        "INSERT INTO stages VALUES (1, 1, 'Lead', 0, 10, NULL, '', 1, 0, 0);"
        "INSERT INTO stages VALUES (2, 1, 'Won soon', 1, 90, NULL, '', 1, 0, 0);"
        "INSERT INTO deals (id, title, value_minor, currency, pipeline_id, stage_id, status, "
        "lost_reason, owner_id, source, position, probability_override, stage_changed_at, "
        "version, created_at, updated_at) VALUES "
        "(1, 'a', 1001, 'USD', 1, 1, 'open', '', 1, '', 1, NULL, 0, 1, 0, 0),"
        "(2, 'b', 333, 'USD', 1, 1, 'open', '', 2, '', 2, 33, 0, 1, 0, 0),"
        "(3, 'c', 5000, 'EUR', 1, 2, 'open', '', 1, '', 3, NULL, 0, 1, 0, 0),"
        "(4, 'd', 7777, 'USD', 1, 1, 'won', '', 1, '', 4, NULL, 0, 1, 0, 0);"));
  }
  EXPECT_EQ(QueryFile(Options().path, "SELECT MAX(version) FROM schema_migrations"), "1");
  std::unique_ptr<Store> store = Open();
  EXPECT_EQ(QueryFile(Options().path, "SELECT MAX(version) FROM schema_migrations"),
            std::to_string(SqliteSchemaVersion()));
  EXPECT_EQ(QueryFile(Options().path, "SELECT COUNT(*) FROM board_totals"), "3");
  // Migration 3 gives the existing pipeline a board version.
  EXPECT_EQ(QueryFile(Options().path, "SELECT version FROM board_versions WHERE pipeline_id = 1"),
            "1");
  EXPECT_EQ(CountIndexes(Options().path), static_cast<int>(std::size(kSqlIndexes)));
  const std::vector<BoardColumn> board = BoardOf(*store);
  ASSERT_EQ(board.size(), 2u);
  EXPECT_EQ(board[0].deal_count, 2);
  ASSERT_EQ(board[0].totals.size(), 1u);
  EXPECT_EQ(board[0].totals[0].value_minor, 1334);
  EXPECT_EQ(board[0].totals[0].weighted_minor, 210);  // 1001 × 10% + 333 × 33% = 209.99
  EXPECT_EQ(board[1].totals[0].weighted_minor, 4500);
}

// A database left at version 3 with data gets teams, quotas, snapshots, snoozes, the change log
// and the per-day counts of done activities (filled from its activities) from migration 4; its
// users, deals and activities are untouched and everything works.
TEST_F(SqliteStoreTest, MigrationFourAddsTeamsQuotasSnoozesAndTheChangeLogToExistingData) {
  {
    std::unique_ptr<SqliteConnection> conn = Must(SqliteConnection::Open(Options(), true));
    Must(MigrateSqlite(*conn, 3));
    Must(conn->Exec(
        "INSERT INTO users VALUES (1, 'Ann', 'ann@x.example', 'manager', 1, 3, 10, 20);"
        "INSERT INTO users VALUES (2, 'Ben', 'ben@x.example', 'rep', 1, 1, 0, 0);"
        "INSERT INTO pipelines VALUES (1, 'Sales', 0, 1, 1, 0, 0);"
        "INSERT INTO stages VALUES (1, 1, 'Lead', 0, 10, NULL, '', 1, 0, 0);"
        "INSERT INTO deals (id, title, value_minor, currency, pipeline_id, stage_id, status, "
        "lost_reason, owner_id, source, position, probability_override, stage_changed_at, "
        "version, created_at, updated_at) VALUES "
        "(1, 'a', 1001, 'USD', 1, 1, 'open', '', 1, '', 1, NULL, 0, 1, 0, 0),"
        "(2, 'b', 333, 'USD', 1, 1, 'won', '', 2, '', 2, NULL, 0, 1, 0, 0);"
        "INSERT INTO activities (id, type, subject, due_date, duration_minutes, done, done_at, "
        "deal_id, owner_id, note, version, created_at, updated_at) VALUES "
        "(1, 'call', 'c', 0, 0, 1, 500, 1, 2, '', 1, 0, 0),"           // day 0
        "(2, 'call', 'c', 0, 0, 1, 259200005, 1, 2, '', 1, 0, 0),"     // day 3
        "(3, 'call', 'c', 0, 0, 1, 345599999, NULL, 1, '', 1, 0, 0),"  // day 3, last ms
        "(4, 'call', 'c', 0, 0, 0, 259200000, 2, 1, '', 1, 0, 0),"     // not done
        "(5, 'call', 'c', 0, 0, 1, NULL, 2, 1, '', 1, 0, 0),"          // done, no done_at
        "(6, 'call', 'c', 0, 0, 1, -1, NULL, 2, '', 1, 0, 0),"         // day -1
        "(7, 'call', 'c', 0, 0, 1, 259200000, 2, 2, '', 1, 0, 0);"     // day 3, first ms
        // The index an unreleased draft of version 4 had for the count (its version 2 created
        // every index of kSqlIndexes, so such a version-3 file can exist); version 4 drops it.
        "CREATE INDEX activities_done_at ON activities(done_at, owner_id, done) WHERE done = 1;"));
    EXPECT_EQ(CountIndexes(Options().path), static_cast<int>(std::size(kSqlIndexes)));
  }
  std::unique_ptr<Store> store = Open();
  // Up to the latest version (5 adds the external keys of imports).
  EXPECT_EQ(QueryFile(Options().path, "SELECT MAX(version) FROM schema_migrations"),
            std::to_string(SqliteSchemaVersion()));
  EXPECT_EQ(
      QueryFile(Options().path, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'external_keys'"),
      "1");
  EXPECT_EQ(CountIndexes(Options().path), static_cast<int>(std::size(kSqlIndexes)));
  EXPECT_EQ(QueryFile(Options().path,
                      "SELECT COUNT(*) FROM sqlite_master WHERE name = 'activities_done_at'"),
            "0");
  EXPECT_EQ(CountDealChangeTriggers(Options().path), kDealChangeTriggers);
  EXPECT_EQ(CountActivityDoneDayTriggers(Options().path), kActivityDoneDayTriggers);
  EXPECT_EQ(QueryFile(Options().path,
                      "SELECT group_concat(day || ':' || owner_id || ':' || done_count) FROM "
                      "(SELECT * FROM activity_done_days ORDER BY day, owner_id)"),
            "-1:2:1,0:2:1,3:1:1,3:2:2");

  // Existing users read back with no team; the new column round-trips.
  Team team;
  team.name = "Hunters";
  team.manager_id = 1;
  Must(store->Write([&](StoreTx& tx) {
    PD_ASSIGN_OR_RETURN(User ann, tx.GetUser(1));
    EXPECT_EQ(ann.name, "Ann");
    EXPECT_EQ(ann.role, Role::kManager);
    EXPECT_EQ(ann.version, 3);
    EXPECT_EQ(ann.team_id, std::nullopt);
    PD_ASSIGN_OR_RETURN(team, tx.InsertTeam(team));
    ann.team_id = team.id;
    ann.version = 4;
    PD_RETURN_IF_ERROR(tx.UpdateUser(ann, 3));
    Quota q;
    q.scope = QuotaScope::kTeam;
    q.team_id = team.id;
    q.target = 5;
    PD_RETURN_IF_ERROR(tx.InsertQuota(q).status());
    PD_RETURN_IF_ERROR(tx.InsertForecastSnapshots({{Date{31}, 1, 1, 1, 1001, 100, {}}}));
    return tx.PutSnooze({1, HealthFlag::kStuck, Date{40}, "waiting", 1, {}});
  }));
  Must(store->Read([&](StoreTx& tx) {
    ListQuery q;
    q.team_id = team.id;
    PD_ASSIGN_OR_RETURN(Page<User> members, tx.ListUsers(q));
    EXPECT_EQ(members.items.size(), 1u);
    PD_ASSIGN_OR_RETURN(Page<Quota> quotas, tx.ListQuotas(q));
    EXPECT_EQ(quotas.items.size(), 1u);
    PD_ASSIGN_OR_RETURN(bool has_snapshot, tx.HasForecastSnapshot(Date{31}));
    EXPECT_TRUE(has_snapshot);
    PD_ASSIGN_OR_RETURN(std::vector<FlagSnooze> snoozes, tx.SnoozesInForce(Date{39}));
    EXPECT_EQ(snoozes.size(), 1u);
    // Existing deals and activities are read by the new scans and counts.
    int facts = 0;
    PD_RETURN_IF_ERROR(tx.ScanDealFacts({}, [&](const DealFactRow&) { ++facts; }));
    EXPECT_EQ(facts, 2);
    using Counts = std::map<Id, int64_t>;
    PD_ASSIGN_OR_RETURN(Counts day0, tx.CountDoneActivitiesByOwner(Date{0}, Date{1}));
    EXPECT_EQ(day0, (Counts{{2, 1}}));
    PD_ASSIGN_OR_RETURN(Counts day3, tx.CountDoneActivitiesByOwner(Date{3}, Date{4}));
    EXPECT_EQ(day3, (Counts{{1, 1}, {2, 2}}));
    PD_ASSIGN_OR_RETURN(Counts all, tx.CountDoneActivitiesByOwner(Date{-1}, Date{4}));
    EXPECT_EQ(all, (Counts{{1, 1}, {2, 4}}));
    PD_ASSIGN_OR_RETURN(Counts between, tx.CountDoneActivitiesByOwner(Date{1}, Date{3}));
    EXPECT_TRUE(between.empty());
    // The change log starts empty at position 0.
    PD_ASSIGN_OR_RETURN(int64_t latest, tx.LatestDealChange());
    EXPECT_EQ(latest, 0);
    PD_ASSIGN_OR_RETURN(DealChanges changes, tx.DealChangesSince(0, 10));
    EXPECT_FALSE(changes.reset);
    EXPECT_TRUE(changes.deal_ids.empty());
    return Status::Ok();
  }));
  // Writes to existing deals are logged from now on; deleting the team unlinks Ann. Writes to
  // existing activities move the counts: one marked done, one undone, one deleted.
  Must(store->Write([&](StoreTx& tx) {
    PD_ASSIGN_OR_RETURN(Deal d, tx.GetDeal(1));
    d.title = "renamed";
    ++d.version;
    PD_RETURN_IF_ERROR(tx.UpdateDeal(d, d.version - 1));
    PD_ASSIGN_OR_RETURN(Activity now_done, tx.GetActivity(4));
    now_done.done = true;
    ++now_done.version;
    PD_RETURN_IF_ERROR(tx.UpdateActivity(now_done, now_done.version - 1));
    PD_ASSIGN_OR_RETURN(Activity undone, tx.GetActivity(7));
    undone.done = false;
    undone.done_at.reset();
    ++undone.version;
    PD_RETURN_IF_ERROR(tx.UpdateActivity(undone, undone.version - 1));
    PD_RETURN_IF_ERROR(tx.DeleteActivity(6, 0));
    return tx.DeleteTeam(team.id, 0);
  }));
  Must(store->Read([&](StoreTx& tx) {
    PD_ASSIGN_OR_RETURN(DealChanges changes, tx.DealChangesSince(0, 10));
    EXPECT_EQ(changes.deal_ids, (std::vector<Id>{1}));
    PD_ASSIGN_OR_RETURN(User ann, tx.GetUser(1));
    EXPECT_EQ(ann.team_id, std::nullopt);
    PD_ASSIGN_OR_RETURN(auto all, tx.CountDoneActivitiesByOwner(Date{-1}, Date{4}));
    EXPECT_EQ(all, (std::map<Id, int64_t>{{1, 2}, {2, 2}}));
    return Status::Ok();
  }));
}

// ---- Per-day counts of done activities -----------------------------------------------------

// The UTC day of `millis`, rounded toward −∞, computed here independently of schema.h's SQL.
int64_t DayOf(int64_t millis) {
  int64_t day = millis / kMillisPerDay;
  if (millis % kMillisPerDay < 0) --day;
  return day;
}

// activity_done_days as (day, owner_id) → done_count, read straight from the file.
std::map<std::pair<int64_t, int64_t>, int64_t> DoneDays(SqliteConnection& conn) {
  std::map<std::pair<int64_t, int64_t>, int64_t> rows;
  SqliteStatement stmt =
      Must(conn.Prepare("SELECT day, owner_id, done_count FROM activity_done_days"));
  while (Must(stmt.Step())) {
    SqliteRow row = stmt.Row();
    const int64_t day = row.Get<int64_t>();
    const int64_t owner = row.Get<int64_t>();
    rows[{day, owner}] = row.Get<int64_t>();
  }
  return rows;
}

int64_t TotalChanges(SqliteConnection& conn) {
  SqliteStatement stmt = Must(conn.Prepare("SELECT total_changes()"));
  EXPECT_TRUE(Must(stmt.Step()));
  return stmt.Row().Get<int64_t>();
}

// Random inserts, updates (done, done_at, owner, and other columns) and deletes of activities,
// in SQL on the file: after each batch the table equals a count of the activities made here,
// with no row of count zero, and an update that changes nothing counted writes nothing else.
TEST_F(SqliteStoreTest, ActivityDoneDaysStaysExactUnderRandomWrites) {
  std::unique_ptr<Store> store = Open();
  std::unique_ptr<SqliteConnection> conn = Must(SqliteConnection::Open(Options(), false));
  Must(conn->Exec(
      "INSERT INTO users (id, name, email, role, active, version, created_at, updated_at) VALUES "
      "(1, 'A', 'a@x.example', 'rep', 1, 1, 0, 0), (2, 'B', 'b@x.example', 'rep', 1, 1, 0, 0), "
      "(3, 'C', 'c@x.example', 'rep', 1, 1, 0, 0)"));

  struct Row {
    int64_t owner;
    bool done;
    std::optional<int64_t> done_at;
  };
  std::map<int64_t, Row> model;  // id → the columns the counts depend on
  std::mt19937_64 rng(20'601);
  auto pick = [&](int64_t n) { return static_cast<int64_t>(rng() % static_cast<uint64_t>(n)); };
  auto random_done_at = [&]() -> std::optional<int64_t> {
    if (pick(8) == 0) return std::nullopt;
    const int64_t offsets[] = {0, 1, kMillisPerDay / 2, kMillisPerDay - 1};
    return (pick(7) - 3) * kMillisPerDay + offsets[pick(4)];  // days -3..3, edges included
  };
  auto expected = [&] {
    std::map<std::pair<int64_t, int64_t>, int64_t> counts;
    for (const auto& [id, r] : model) {
      if (r.done && r.done_at) ++counts[{DayOf(*r.done_at), r.owner}];
    }
    return counts;
  };
  auto bind_row = [](SqliteStatement& stmt, const Row& r) -> SqliteStatement& {
    return stmt.Bind(r.done).Bind(r.done_at).Bind(r.owner);
  };

  int64_t next_id = 1;
  for (int batch = 0; batch < 20; ++batch) {
    Must(conn->Exec("BEGIN"));
    for (int op = 0; op < 100; ++op) {
      const int64_t kind = model.empty() ? 0 : pick(4);
      const Row r{1 + pick(3), pick(2) == 0, random_done_at()};
      if (kind == 0) {
        SqliteStatement stmt = Must(conn->Prepare(
            "INSERT INTO activities (done, done_at, owner_id, id, type, subject, due_date, "
            "duration_minutes, note, version, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, 'call', 's', 0, 0, '', 1, 0, 0)"));
        Must(bind_row(stmt, r).Bind(next_id).Run());
        model[next_id++] = r;
        continue;
      }
      auto it = std::next(model.begin(), pick(static_cast<int64_t>(model.size())));
      const int64_t id = it->first;
      if (kind == 1) {
        SqliteStatement stmt = Must(conn->Prepare("DELETE FROM activities WHERE id = ?"));
        Must(stmt.Bind(id).Run());
        model.erase(it);
      } else if (kind == 2) {
        // One, two or all three columns change (as the service changes them).
        Row changed = it->second;
        const int64_t which = pick(7) + 1;
        if (which & 1) changed.done = r.done;
        if (which & 2) changed.done_at = r.done_at;
        if (which & 4) changed.owner = r.owner;
        SqliteStatement stmt = Must(conn->Prepare(
            "UPDATE activities SET done = ?, done_at = ?, owner_id = ?, version = version + 1 "
            "WHERE id = ?"));
        Must(bind_row(stmt, changed).Bind(id).Run());
        it->second = changed;
      } else {
        // The store's UPDATE sets every column; here only other columns change.
        const int64_t before = TotalChanges(*conn);
        SqliteStatement stmt = Must(conn->Prepare(
            "UPDATE activities SET done = done, done_at = done_at, owner_id = owner_id, "
            "subject = 'edited', due_date = due_date + 1, version = version + 1 WHERE id = ?"));
        Must(stmt.Bind(id).Run());
        EXPECT_EQ(TotalChanges(*conn) - before, 1) << "an unrelated update ran a trigger";
      }
    }
    Must(conn->Exec("COMMIT"));
    ASSERT_EQ(DoneDays(*conn), expected()) << "after batch " << batch;
  }

  // The counts through the store agree, for every range of the days used.
  for (int32_t from = -4; from <= 4; ++from) {
    for (int32_t to = from; to <= 4; ++to) {
      std::map<Id, int64_t> direct;
      for (const auto& [id, r] : model) {
        if (!r.done || !r.done_at) continue;
        const int64_t day = DayOf(*r.done_at);
        if (day >= from && day < to) ++direct[r.owner];
      }
      Must(store->Read([&](StoreTx& tx) {
        PD_ASSIGN_OR_RETURN(auto counts, tx.CountDoneActivitiesByOwner(Date{from}, Date{to}));
        EXPECT_EQ(counts, direct) << "[" << from << ", " << to << ")";
        return Status::Ok();
      }));
    }
  }

  // The rebuild the bulk writer and migration 4 run gives the same table.
  const auto kept = DoneDays(*conn);
  Must(conn->Exec(kSqlRebuildActivityDoneDays));
  EXPECT_EQ(DoneDays(*conn), kept);
}

// The count reads a range of activity_done_days' primary key, never the whole table.
TEST_F(SqliteStoreTest, DoneActivityCountSearchesTheDayRangeOfThePrimaryKey) {
  Open()->Close();
  std::unique_ptr<SqliteConnection> conn = Must(SqliteConnection::Open(Options(), false));
  SqliteStatement stmt = Must(
      conn->Prepare("EXPLAIN QUERY PLAN SELECT owner_id, SUM(done_count) FROM activity_done_days "
                    "WHERE day >= ? AND day < ? GROUP BY owner_id"));
  std::string plan;
  while (Must(stmt.Step())) {
    SqliteRow row = stmt.Row();
    row.Get<int64_t>();
    row.Get<int64_t>();
    row.Get<int64_t>();
    plan += row.Get<std::string>() + "\n";
  }
  EXPECT_NE(plan.find("SEARCH activity_done_days USING PRIMARY KEY (day>? AND day<?)"),
            std::string::npos)
      << plan;
  EXPECT_EQ(plan.find("SCAN"), std::string::npos) << plan;
}

// The statements the benchmarks time search an index and, for pages and cards, need no sort:
// on a fresh file (no statistics) and after a bulk load (ANALYZE ran).
TEST_F(SqliteStoreTest, BenchmarkedQueriesSearchIndexesWithoutSorting) {
  auto check = [&](const std::string& when) {
    const std::vector<QueryPlan> plans = Must(ExplainSqliteQueryPlans(Options()));
    EXPECT_EQ(plans.size(), 14u);
    for (const QueryPlan& p : plans) {
      EXPECT_EQ(p.plan.find("SCAN"), std::string::npos) << when << ": " << p.name << "\n" << p.plan;
      const bool sorts_small_set = p.name == "deal timeline: activities";  // a deal's few rows
      if (!sorts_small_set) {
        EXPECT_EQ(p.plan.find("TEMP B-TREE"), std::string::npos) << when << ": " << p.name << "\n"
                                                                 << p.plan;
      }
    }
  };
  std::unique_ptr<Store> store = Open();
  check("fresh");
  std::unique_ptr<BulkWriter> writer = Must(store->BeginBulkLoad());
  AddWorkspace(*writer);
  User other = SomeUser("other@example.com");
  other.id = 2;
  Must(writer->Add(other));
  for (Id id = 1; id <= 3000; ++id) {
    Deal d = BulkDeal(id, 1, 1 + id % 2, id);
    d.status = id % 10 == 0 ? DealStatus::kOpen : DealStatus::kWon;
    d.updated_at = Timestamp{id % 97};
    Must(writer->Add(d));
  }
  Must(writer->Finish());
  check("after a bulk load");
}

}  // namespace
}  // namespace pipedeck
