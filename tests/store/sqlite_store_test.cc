// The SQLite backend: the conformance suite on a temporary file per test, plus what only a file
// database has (reopening, migrations, pragmas, several connections).
#include "store/sqlite/sqlite_store.h"

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>
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
  EXPECT_EQ(SqliteSchemaVersion(), 3);
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
            "1:marker,2:marker,3:marker");
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
  std::unique_ptr<BulkWriter> writer = Must(store->BeginBulkLoad());
  EXPECT_EQ(CountIndexes(Options().path), 0);
  EXPECT_EQ(CountBoardTriggers(Options().path), 0);
  AddWorkspace(*writer);
  for (Id id = 1; id <= 100; ++id) Must(writer->Add(BulkDeal(id, 1, 1, 100 + id)));
  Must(writer->Finish());
  EXPECT_EQ(CountIndexes(Options().path), all);
  EXPECT_EQ(CountBoardTriggers(Options().path), kBoardTriggers);
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
