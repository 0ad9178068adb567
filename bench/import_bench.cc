// import_bench: times the bulk CSV import of deals (ImportCsv with bulk_load, what `pipedeck
// import deals --bulk` runs) of a generated Pipedrive export of N deal rows into a fresh SQLite
// workspace, beside a raw prepared insert of the same rows into the deals table of another fresh
// workspace, measured in the same run (the reference); and the ordinary import (the API's) of the
// first 100,000 rows.
//
//   import_bench --dir DIR [--rows 1000000] [--seed 1]
//
// The file has Pipedrive's export columns: Deal - ID (kept as the external id), Title, Value,
// Currency, Pipeline, Stage, Status, Lost reason, Owner (a rep's email), Organization - Name (one
// organization per ten deals, created by the import on its first row) and Expected close date;
// 60% of the deals are open, 25% won and 15% lost. The workspace has the 5-stage "Sales" pipeline
// and 20 reps. The reference binds the same values, parsed beforehand, to one prepared INSERT of
// the deals table (its indexes and triggers in place) in one transaction: the database's floor for
// writing these rows, with no parsing, lookups, validation, organizations, history or external
// ids.
//
// Prints "key<TAB>value" lines for run.sh's meta file (report.cc turns them into the Import
// section of docs/benchmarks.md):
//   import_rows, import_csv_mib          what was imported
//   import_ms, import_cpu_ms, import_rows_per_s   the bulk load of the whole file, read from memory
//   import_created, import_failed, import_linked   its report (every row must go in)
//   import_ordinary_rows, import_ordinary_ms, import_ordinary_rows_per_s   the ordinary import
//   import_raw_insert_ms, import_raw_insert_cpu_ms   the reference
//   import_ratio                         import_ms / import_raw_insert_ms
//   import_sqlite_floor_ms               SQLite's own floor for what the bulk import wrote to the
//                                        deals and stage_events tables (SqliteFloorMillis)
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <functional>
#include <iostream>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <sqlite3.h>

#include "core/csv.h"
#include "service/importer.h"
#include "service/system_clock.h"
#include "service/workspace.h"
#include "store/sqlite/sqlite_store.h"

namespace pipedeck {
namespace {

namespace fs = std::filesystem;

constexpr int kReps = 20;
// The ordinary import, row by row with live indexes, is timed on at most this many rows.
constexpr int64_t kOrdinaryImportRows = 100'000;
constexpr int kDealsPerOrganization = 10;
constexpr const char* kStages[] = {"Prospecting", "Qualification", "Consideration",
                                   "Purchase/decision", "Delivery"};
constexpr const char* kLostReasons[] = {"Too expensive", "Went with a competitor", "No budget",
                                        "No decision"};
constexpr const char* kProducts[] = {"rollout", "renewal", "pilot", "expansion", "upgrade"};

// CPU time of the process so far (every thread), in milliseconds: less disturbed than wall time
// by other work on the machine.
double CpuMillis() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

double MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "import_bench: " << what << "\n";
  std::exit(1);
}

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) Die(std::string(what) + ": " + r.status().ToString());
  return std::move(r).value();
}

// One generated deal, as the reference binds it.
struct GeneratedDeal {
  std::string title;
  int64_t value_minor = 0;
  int stage = 0;  // index into kStages
  const char* status = "open";
  std::string lost_reason;
  int owner = 0;  // rep index
  Date expected_close;
};

std::string RepEmail(int rep) { return "rep" + std::to_string(rep + 1) + "@example.com"; }

std::vector<GeneratedDeal> Generate(int64_t rows, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<GeneratedDeal> deals(static_cast<size_t>(rows));
  const Date first_close = *ParseDate("2026-01-01");
  for (int64_t i = 0; i < rows; ++i) {
    GeneratedDeal& d = deals[static_cast<size_t>(i)];
    const int64_t org = i / kDealsPerOrganization;
    d.title =
        "Company " + std::to_string(org) + " " + kProducts[rng() % 5] + " " + std::to_string(i);
    d.value_minor = static_cast<int64_t>(50'000 + rng() % 25'000'000);
    d.stage = static_cast<int>(rng() % 5);
    const uint64_t roll = rng() % 100;
    d.status = roll < 60 ? "open" : roll < 85 ? "won" : "lost";
    if (roll >= 85) d.lost_reason = kLostReasons[rng() % 4];
    d.owner = static_cast<int>(rng() % kReps);
    d.expected_close = Date{first_close.days + static_cast<int32_t>(rng() % 365)};
  }
  return deals;
}

std::string CsvOf(const std::vector<GeneratedDeal>& deals) {
  std::string csv =
      "Deal - ID,Deal - Title,Deal - Value,Deal - Currency,Deal - Pipeline,Deal - Stage,"
      "Deal - Status,Deal - Lost reason,Deal - Owner,Organization - Name,"
      "Deal - Expected close date\n";
  csv.reserve(deals.size() * 150);
  std::vector<std::string> cells(11);
  for (size_t i = 0; i < deals.size(); ++i) {
    const GeneratedDeal& d = deals[i];
    char value[32];
    std::snprintf(value, sizeof value, "%lld.%02lld", static_cast<long long>(d.value_minor / 100),
                  static_cast<long long>(d.value_minor % 100));
    cells = {std::to_string(100'000 + i),
             d.title,
             value,
             "USD",
             "Sales",
             kStages[d.stage],
             d.status,
             d.lost_reason,
             RepEmail(d.owner),
             "Company " + std::to_string(i / kDealsPerOrganization),
             FormatDate(d.expected_close)};
    AppendCsvRecord(std::span<const std::string>(cells), csv);
  }
  return csv;
}

// A fresh workspace at `path`: the admin, kReps reps and the 5-stage "Sales" pipeline.
User CreateWorkspace(const fs::path& path, const Clock& clock) {
  fs::remove(path);
  SqliteOptions options;
  options.path = path.string();
  std::unique_ptr<Store> store = Must(OpenSqliteStore(options), "open");
  Workspace ws(*store, clock);
  const NewToken token = Must(ws.Bootstrap("Ada Admin", "ada@example.com", "USD"), "bootstrap");
  const User admin = Must(ws.GetUser(token.token.user_id), "read the admin");
  for (int r = 0; r < kReps; ++r) {
    UserPatch rep;
    rep.name = "Rep " + std::to_string(r + 1);
    rep.email = RepEmail(r);
    rep.role = Role::kRep;
    Must(ws.CreateUser(admin, rep), "create rep");
  }
  PipelinePatch pipeline;
  pipeline.name = "Sales";
  Must(ws.CreatePipeline(admin, pipeline, "5-stage"), "create pipeline");
  store->Close();
  return admin;
}

void Exec(sqlite3* db, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    Die(std::string(sql) + ": " + (error ? error : "?"));
  }
}

// The reference: the same deals bound to one prepared INSERT in one transaction.
double RawInsertMillis(const fs::path& path, const std::vector<GeneratedDeal>& deals) {
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) Die("open " + path.string());
  // The store's own connection settings (store/sqlite/connection.cc, SqliteOptions defaults).
  Exec(db,
       "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; "
       "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -65536; PRAGMA mmap_size = 268435456;");
  // The ids the rows name, read once: reps by email order, stages by order.
  std::vector<int64_t> reps, stages;
  int64_t pipeline = 0;
  auto read_ids = [&](const char* sql, std::vector<int64_t>* out) {
    sqlite3_stmt* s = nullptr;
    sqlite3_prepare_v2(db, sql, -1, &s, nullptr);
    while (sqlite3_step(s) == SQLITE_ROW) out->push_back(sqlite3_column_int64(s, 0));
    sqlite3_finalize(s);
  };
  read_ids("SELECT id FROM users WHERE email LIKE 'rep%' ORDER BY id", &reps);
  read_ids("SELECT id FROM stages ORDER BY sort_order", &stages);
  std::vector<int64_t> pipelines;
  read_ids("SELECT id FROM pipelines", &pipelines);
  pipeline = pipelines.at(0);
  if (reps.size() != kReps || stages.size() != 5) Die("unexpected workspace");

  sqlite3_stmt* insert = nullptr;
  const char* sql =
      "INSERT INTO deals (title, value_minor, currency, pipeline_id, stage_id, status, "
      "lost_reason, expected_close_date, owner_id, source, position, stage_changed_at, "
      "closed_at, version, created_at, updated_at) "
      "VALUES (?, ?, 'USD', ?, ?, ?, ?, ?, ?, '', ?, ?, ?, 1, ?, ?)";
  if (sqlite3_prepare_v2(db, sql, -1, &insert, nullptr) != SQLITE_OK) Die(sqlite3_errmsg(db));
  const int64_t now = 1'780'000'000'000;
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = CpuMillis();
  Exec(db, "BEGIN IMMEDIATE");
  for (size_t i = 0; i < deals.size(); ++i) {
    const GeneratedDeal& d = deals[i];
    const bool closed = d.status[0] != 'o';
    sqlite3_bind_text(insert, 1, d.title.data(), static_cast<int>(d.title.size()), SQLITE_STATIC);
    sqlite3_bind_int64(insert, 2, d.value_minor);
    sqlite3_bind_int64(insert, 3, pipeline);
    sqlite3_bind_int64(insert, 4, stages[static_cast<size_t>(d.stage)]);
    sqlite3_bind_text(insert, 5, d.status, -1, SQLITE_STATIC);
    sqlite3_bind_text(insert, 6, d.lost_reason.data(), static_cast<int>(d.lost_reason.size()),
                      SQLITE_STATIC);
    sqlite3_bind_int64(insert, 7, d.expected_close.days);
    sqlite3_bind_int64(insert, 8, reps[static_cast<size_t>(d.owner)]);
    sqlite3_bind_double(insert, 9, -static_cast<double>(i) * 1024.0);
    sqlite3_bind_int64(insert, 10, now);
    if (closed) {
      sqlite3_bind_int64(insert, 11, now);
    } else {
      sqlite3_bind_null(insert, 11);
    }
    sqlite3_bind_int64(insert, 12, now);
    sqlite3_bind_int64(insert, 13, now);
    if (sqlite3_step(insert) != SQLITE_DONE) Die(sqlite3_errmsg(db));
    sqlite3_reset(insert);
  }
  Exec(db, "COMMIT");
  const double ms = MillisSince(start);
  std::printf("import_raw_insert_cpu_ms\t%.0f\n", CpuMillis() - cpu_start);
  sqlite3_finalize(insert);
  sqlite3_close(db);
  return ms;
}

// SQLite's floor for the largest part of a bulk import, on one connection as SQLite allows one
// writer per database: the deals and stage events that the import wrote to `loaded`, copied by
// SQLite itself into empty tables of the same definition in a fresh database (INSERT ... SELECT:
// no parsing, no binding, no rules, records copied as they are), then indexed as the store
// indexes them (CREATE INDEX of each of their indexes), with the bulk writer's pragmas. Whatever
// the import does besides (reading the file, the rules, organizations, external ids) comes on top.
double SqliteFloorMillis(const fs::path& loaded, const fs::path& scratch) {
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(scratch.string() + suffix);
  sqlite3* db = nullptr;
  if (sqlite3_open(scratch.c_str(), &db) != SQLITE_OK) Die("open " + scratch.string());
  Exec(db,
       "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; PRAGMA foreign_keys = OFF; "
       "PRAGMA temp_store = MEMORY; PRAGMA cache_size = -262144;");
  const std::string attach = "ATTACH '" + loaded.string() + "' AS loaded";
  Exec(db, attach.c_str());
  std::vector<std::string> tables, indexes;
  auto read_sql = [&](const char* sql, std::vector<std::string>* out) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) != SQLITE_OK) Die(sqlite3_errmsg(db));
    while (sqlite3_step(s) == SQLITE_ROW) {
      out->emplace_back(reinterpret_cast<const char*>(sqlite3_column_text(s, 0)));
    }
    sqlite3_finalize(s);
  };
  read_sql(
      "SELECT sql FROM loaded.sqlite_schema WHERE type = 'table' "
      "AND name IN ('deals', 'stage_events') ORDER BY name",
      &tables);
  read_sql(
      "SELECT sql FROM loaded.sqlite_schema WHERE type = 'index' AND sql IS NOT NULL "
      "AND tbl_name IN ('deals', 'stage_events') ORDER BY name",
      &indexes);
  if (tables.size() != 2 || indexes.empty()) Die("unexpected schema of " + loaded.string());
  for (const std::string& sql : tables) Exec(db, sql.c_str());
  const auto start = std::chrono::steady_clock::now();
  Exec(db, "BEGIN IMMEDIATE");
  Exec(db, "INSERT INTO main.deals SELECT * FROM loaded.deals");
  Exec(db, "INSERT INTO main.stage_events SELECT * FROM loaded.stage_events");
  for (const std::string& sql : indexes) Exec(db, sql.c_str());
  Exec(db, "COMMIT");
  const double ms = MillisSince(start);
  sqlite3_close(db);
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(scratch.string() + suffix);
  return ms;
}

// One import of `csv` into a fresh workspace at `path`, timed; dies when a row is refused.
struct TimedImport {
  double wall_ms = 0, cpu_ms = 0;
  ImportReport report;
};

TimedImport TimeImport(const fs::path& path, const std::string& csv, bool bulk_load,
                       const Clock& clock) {
  const User admin = CreateWorkspace(path, clock);
  SqliteOptions options;
  options.path = path.string();
  std::unique_ptr<Store> store = Must(OpenSqliteStore(options), "open");
  size_t offset = 0;
  ImportSource source = [&](char* buffer, size_t capacity) -> Result<size_t> {
    const size_t n = std::min(capacity, csv.size() - offset);
    std::copy_n(csv.data() + offset, n, buffer);
    offset += n;
    return n;
  };
  ImportOptions import_options;
  import_options.object = ImportObject::kDeals;
  import_options.bulk_load = bulk_load;
  TimedImport t;
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = CpuMillis();
  t.report = Must(ImportCsv(*store, clock, admin, import_options, source), "import");
  t.wall_ms = MillisSince(start);
  t.cpu_ms = CpuMillis() - cpu_start;
  store->Close();
  if (t.report.failed > 0) {
    Die("rows were refused, first: row " + std::to_string(t.report.errors[0].row) + ": " +
        t.report.errors[0].reason);
  }
  return t;
}

void RemoveDatabase(const fs::path& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path.string() + suffix);
}

int Run(int argc, char** argv) {
  fs::path dir;
  int64_t rows = 1'000'000;
  uint32_t seed = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--dir") {
      dir = argv[i + 1];
    } else if (flag == "--rows") {
      rows = std::atoll(argv[i + 1]);
    } else if (flag == "--seed") {
      seed = static_cast<uint32_t>(std::atoll(argv[i + 1]));
    } else {
      Die("unknown flag " + flag);
    }
  }
  if (dir.empty() || rows <= 0) Die("usage: import_bench --dir DIR [--rows N] [--seed S]");
  fs::create_directories(dir);
  SystemClock clock;

  const std::vector<GeneratedDeal> deals = Generate(rows, seed);
  const std::string csv = CsvOf(deals);
  std::cout << "import_rows\t" << rows << "\n";
  std::printf("import_csv_mib\t%.1f\n", static_cast<double>(csv.size()) / (1 << 20));

  const TimedImport bulk = TimeImport(dir / "bulk.db", csv, /*bulk_load=*/true, clock);
  std::printf("import_ms\t%.0f\n", bulk.wall_ms);
  std::printf("import_cpu_ms\t%.0f\n", bulk.cpu_ms);
  std::printf("import_rows_per_s\t%.0f\n", static_cast<double>(rows) / (bulk.wall_ms / 1000));
  std::cout << "import_created\t" << bulk.report.created << "\n";
  std::cout << "import_failed\t" << bulk.report.failed << "\n";
  std::cout << "import_linked\t" << bulk.report.linked_created << "\n";
  std::printf("import_sqlite_floor_ms\t%.0f\n",
              SqliteFloorMillis(dir / "bulk.db", dir / "floor.db"));
  RemoveDatabase(dir / "bulk.db");

  // The ordinary import (the API's, the web UI's, the CLI's without --bulk) of the first rows.
  const int64_t ordinary_rows = std::min<int64_t>(rows, kOrdinaryImportRows);
  const std::string ordinary_csv = CsvOf(std::vector<GeneratedDeal>(
      deals.begin(), deals.begin() + static_cast<std::ptrdiff_t>(ordinary_rows)));
  const TimedImport ordinary =
      TimeImport(dir / "ordinary.db", ordinary_csv, /*bulk_load=*/false, clock);
  RemoveDatabase(dir / "ordinary.db");
  std::cout << "import_ordinary_rows\t" << ordinary_rows << "\n";
  std::printf("import_ordinary_ms\t%.0f\n", ordinary.wall_ms);
  std::printf("import_ordinary_rows_per_s\t%.0f\n",
              static_cast<double>(ordinary_rows) / (ordinary.wall_ms / 1000));

  const fs::path raw_db = dir / "raw.db";
  CreateWorkspace(raw_db, clock);
  const double raw_ms = RawInsertMillis(raw_db, deals);
  RemoveDatabase(raw_db);
  std::printf("import_raw_insert_ms\t%.0f\n", raw_ms);
  std::printf("import_ratio\t%.2f\n", bulk.wall_ms / raw_ms);
  return 0;
}

}  // namespace
}  // namespace pipedeck

int main(int argc, char** argv) { return pipedeck::Run(argc, argv); }
