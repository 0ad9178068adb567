// Correctness of the benchmark: the generator's workspace and every scenario of bench/scenarios.h,
// on a small generated workspace served by the built binary.
//
// Each scenario's requests are built by the same RequestSource the load client uses and sent once;
// the answers are checked against the database file, read directly with SQLite (read-only, beside
// the running server): board counts, per-currency sums and first cards; pages of 50 in order and
// within their filters; a deal and its timeline; writes read back. Finally the load client itself
// runs each scenario briefly and must report no error.
//
// Usage: bench_scenarios_test --binary <pipedeck> --loadgen <loadgen> [gtest flags]
#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "api/test_server.h"
#include "bench/scenarios.h"
#include "bench/sync_client.h"

namespace pipedeck::bench {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using apitest::Clock;

constexpr char kNow[] = "2026-06-01T00:00:00Z";
constexpr auto kGenerateTimeout = std::chrono::seconds(60);
constexpr auto kLoadgenTimeout = std::chrono::seconds(60);

struct Paths {
  std::string binary, loadgen;
};

Paths& TestPaths() {
  static Paths paths;
  return paths;
}

// A read-only connection to the workspace file, for the expected values.
class Db {
 public:
  explicit Db(const fs::path& path) {
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << "cannot open " << path << ": " << sqlite3_errmsg(db_);
    }
    sqlite3_busy_timeout(db_, 10'000);
  }
  ~Db() { sqlite3_close(db_); }
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Every row of `sql`, each column as text ("" for NULL).
  std::vector<std::vector<std::string>> Rows(const std::string& sql) {
    std::vector<std::vector<std::string>> rows;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
      return rows;
    }
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      std::vector<std::string>& row = rows.emplace_back();
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        const unsigned char* text = sqlite3_column_text(stmt, c);
        row.emplace_back(text == nullptr ? "" : reinterpret_cast<const char*>(text));
      }
    }
    if (rc != SQLITE_DONE) ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db_);
    sqlite3_finalize(stmt);
    return rows;
  }

  int64_t Int(const std::string& sql) {
    auto rows = Rows(sql);
    return rows.empty() || rows[0].empty() ? -1 : std::atoll(rows[0][0].c_str());
  }

  std::string Text(const std::string& sql) {
    auto rows = Rows(sql);
    return rows.empty() || rows[0].empty() ? "" : rows[0][0];
  }

 private:
  sqlite3* db_ = nullptr;
};

std::string S(int64_t n) { return std::to_string(n); }

int64_t IdIn(const std::string& target, std::string_view prefix) {
  return std::atoll(target.c_str() + prefix.size());
}

json::object ParseObject(const Response& r) {
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  EXPECT_FALSE(ec) << r.body.substr(0, 500);
  return !ec && v.is_object() ? v.as_object() : json::object();
}

// One workspace and server for the whole suite: generating and starting once keeps it fast.
class BenchScenarios : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    char tmpl[] = "/tmp/pipedeck-bench-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = new fs::path(tmpl);
    const fs::path db = *dir_ / "bench.db";
    const fs::path log = *dir_ / "generate.log";
    std::string error;
    pid_t pid = apitest::Spawn({TestPaths().binary, "generate", "--deals", "2000", "--reps", "5",
                                "--months", "6", "--seed", "7", "--now", kNow, "--db", db.string()},
                               log, &error);
    ASSERT_GT(pid, 0) << error;
    std::optional<int> status = apitest::WaitFor(pid, kGenerateTimeout);
    if (!status) {
      kill(pid, SIGKILL);
      apitest::WaitFor(pid, apitest::kShutdownTimeout);
    }
    ASSERT_TRUE(status && *status == 0) << apitest::ReadFile(log);
    const std::string out = apitest::ReadFile(log);
    const size_t at = out.find(apitest::kTokenPrefix);
    ASSERT_NE(at, std::string::npos) << out;
    token_ = new std::string(out.substr(at + apitest::kTokenPrefix.size(),
                                        out.find('\n', at) - at - apitest::kTokenPrefix.size()));
    server_ = new apitest::Server(TestPaths().binary, db, *dir_ / "server.log");
    std::optional<std::string> start = server_->Start({"--quiet", "--fake-now", kNow});
    ASSERT_FALSE(start) << *start;
  }

  static void TearDownTestSuite() {
    if (server_ != nullptr) {
      std::optional<std::string> stop = server_->Stop();
      EXPECT_FALSE(stop) << *stop;
    }
    delete server_;
    server_ = nullptr;
    if (dir_ != nullptr && !::testing::UnitTest::GetInstance()->Failed()) fs::remove_all(*dir_);
    delete dir_;
    dir_ = nullptr;
    delete token_;
    token_ = nullptr;
  }

  void SetUp() override {
    ASSERT_NE(server_, nullptr);
    ASSERT_NE(token_, nullptr);
    client_ = std::make_unique<SyncClient>(server_->port(), *token_);
    db_ = std::make_unique<Db>(*dir_ / "bench.db");
    std::optional<std::string> error = DiscoverWorkspace(client_->AsFetch(), true, &info_);
    ASSERT_FALSE(error) << *error;
  }

  // The first `n` requests of connection 0 of 1 of `scenario`, each sent and required to be 2xx.
  std::vector<std::pair<Request, Response>> Play(std::string_view scenario, int n) {
    std::vector<std::pair<Request, Response>> out;
    std::unique_ptr<RequestSource> source = MakeRequestSource(scenario, info_, 0, 1, 42);
    for (int i = 0; i < n; ++i) {
      std::optional<Request> request = source->Next();
      if (!request) break;
      Response response = client_->Send(*request);
      EXPECT_GE(response.status, 200) << request->target << " " << response.error;
      EXPECT_LE(response.status, 299) << request->method << " " << request->target << " "
                                      << request->body << " -> " << response.body;
      out.emplace_back(std::move(*request), std::move(response));
    }
    return out;
  }

  // A page of deals: within the stage (and owner), as long as the filter allows up to 50, and the
  // 50 most recently updated (ties in any order).
  void CheckPage(const Request& request, const Response& response, bool with_owner) {
    SCOPED_TRACE(request.target);
    const size_t stage_at = request.target.find("stage_id=");
    const int64_t stage = std::atoll(request.target.c_str() + stage_at + 9);
    std::string filter = "stage_id = " + S(stage);
    if (with_owner) {
      const size_t owner_at = request.target.find("owner_id=");
      ASSERT_NE(owner_at, std::string::npos);
      filter += " AND owner_id = " + S(std::atoll(request.target.c_str() + owner_at + 9));
    }
    json::object body = ParseObject(response);
    const json::array& items = body.at("items").as_array();
    const int64_t total = db_->Int("SELECT count(*) FROM deals WHERE " + filter);
    EXPECT_EQ(static_cast<int64_t>(items.size()), std::min<int64_t>(50, total));
    int64_t previous = INT64_MAX;
    std::set<int64_t> seen;
    for (const json::value& item : items) {
      const int64_t id = item.at("id").as_int64();
      EXPECT_TRUE(seen.insert(id).second) << "deal " << id << " twice";
      EXPECT_EQ(db_->Int("SELECT count(*) FROM deals WHERE id = " + S(id) + " AND " + filter), 1)
          << "deal " << id << " is outside the filter";
      const int64_t updated = db_->Int("SELECT updated_at FROM deals WHERE id = " + S(id));
      EXPECT_LE(updated, previous) << "deal " << id << " out of order";
      previous = updated;
    }
    if (items.empty()) return;
    // Every deal updated after the last one on the page is on the page.
    int64_t newer_on_page = 0;
    for (const json::value& item : items) {
      newer_on_page += db_->Int("SELECT updated_at FROM deals WHERE id = " +
                                S(item.at("id").as_int64())) > previous;
    }
    EXPECT_EQ(
        db_->Int("SELECT count(*) FROM deals WHERE " + filter + " AND updated_at > " + S(previous)),
        newer_on_page);
  }

  static fs::path* dir_;
  static std::string* token_;
  static apitest::Server* server_;
  std::unique_ptr<SyncClient> client_;
  std::unique_ptr<Db> db_;
  WorkspaceInfo info_;
};

fs::path* BenchScenarios::dir_ = nullptr;
std::string* BenchScenarios::token_ = nullptr;
apitest::Server* BenchScenarios::server_ = nullptr;

TEST_F(BenchScenarios, GeneratedWorkspaceMatchesDiscovery) {
  EXPECT_EQ(db_->Int("SELECT count(*) FROM deals"), 2000);
  EXPECT_EQ(db_->Int("SELECT min(id) FROM deals"), info_.min_deal_id);
  EXPECT_EQ(db_->Int("SELECT max(id) FROM deals"), info_.max_deal_id);
  EXPECT_EQ(static_cast<int64_t>(info_.open_deals.size()),
            db_->Int("SELECT count(*) FROM deals WHERE status = 'open'"));
  EXPECT_EQ(static_cast<int64_t>(info_.owner_ids.size()),
            db_->Int("SELECT count(*) FROM users WHERE role = 'rep'"));
  EXPECT_EQ(info_.stage_ids.size(),
            db_->Rows("SELECT id FROM stages WHERE pipeline_id = " + S(info_.pipeline_id)).size());
  // Every deal has a history that starts with its creation.
  EXPECT_EQ(db_->Int("SELECT count(DISTINCT deal_id) FROM stage_events WHERE kind = 'created'"),
            2000);
}

TEST_F(BenchScenarios, Health) {
  for (const auto& [request, response] : Play("health", 3)) {
    EXPECT_EQ(ParseObject(response).at("status").as_string(), "ok");
  }
}

TEST_F(BenchScenarios, BoardCountsSumsAndFirstCardsEqualTheDatabase) {
  for (const auto& [request, response] : Play("board", 2)) {
    json::object board = ParseObject(response);
    const json::array& columns = board.at("stages").as_array();
    std::vector<std::vector<std::string>> stages =
        db_->Rows("SELECT id FROM stages WHERE pipeline_id = " + S(info_.pipeline_id) +
                  " ORDER BY sort_order");
    ASSERT_EQ(columns.size(), stages.size());
    for (size_t i = 0; i < stages.size(); ++i) {
      EXPECT_EQ(S(columns[i].at("stage").at("id").as_int64()), stages[i][0]) << "stage order";
    }
    int64_t open_total = 0;
    for (const json::value& column : columns) {
      const int64_t stage = column.at("stage").at("id").as_int64();
      SCOPED_TRACE("stage " + S(stage));
      const std::string open = "FROM deals WHERE stage_id = " + S(stage) + " AND status = 'open'";
      const int64_t count = db_->Int("SELECT count(*) " + open);
      EXPECT_EQ(column.at("deal_count").as_int64(), count);
      open_total += count;
      std::map<std::string, std::pair<int64_t, int64_t>> expected;
      for (const auto& row : db_->Rows("SELECT currency, count(*), sum(value_minor) " + open +
                                       " GROUP BY currency")) {
        expected[row[0]] = {std::atoll(row[1].c_str()), std::atoll(row[2].c_str())};
      }
      std::map<std::string, std::pair<int64_t, int64_t>> actual;
      for (const json::value& t : column.at("totals").as_array()) {
        actual[std::string(t.at("currency").as_string())] = {t.at("count").as_int64(),
                                                             t.at("value_minor").as_int64()};
      }
      EXPECT_EQ(actual, expected);
      // The first 20 cards: open deals of this stage with the lowest positions, in order.
      std::vector<double> positions;
      for (const auto& row : db_->Rows("SELECT position " + open + " ORDER BY position LIMIT 20")) {
        positions.push_back(std::atof(row[0].c_str()));
      }
      std::vector<double> card_positions;
      for (const json::value& card : column.at("cards").as_array()) {
        card_positions.push_back(card.at("position").to_number<double>());
        EXPECT_EQ(db_->Int("SELECT count(*) " + open + " AND id = " + S(card.at("id").as_int64())),
                  1);
      }
      EXPECT_EQ(card_positions, positions);
    }
    EXPECT_GT(open_total, 0);
  }
}

TEST_F(BenchScenarios, PageOfFiftyIsTheMostRecentlyUpdatedOfTheStage) {
  const int n = static_cast<int>(info_.stage_ids.size());
  for (const auto& [request, response] : Play("page", n)) CheckPage(request, response, false);
}

TEST_F(BenchScenarios, PageWithOwnerStaysWithinStageAndOwner) {
  const int n = static_cast<int>(info_.stage_ids.size() * 2);
  for (const auto& [request, response] : Play("page_owner", n)) CheckPage(request, response, true);
}

TEST_F(BenchScenarios, GetDealMatchesTheDatabase) {
  for (const auto& [request, response] : Play("get_deal", 20)) {
    const int64_t id = IdIn(request.target, "/api/deals/");
    json::object deal = ParseObject(response);
    auto row = db_->Rows(
        "SELECT title, stage_id, value_minor, currency, status FROM deals WHERE id = " + S(id));
    ASSERT_EQ(row.size(), 1u);
    EXPECT_EQ(deal.at("id").as_int64(), id);
    EXPECT_EQ(deal.at("title").as_string(), row[0][0]);
    EXPECT_EQ(S(deal.at("stage_id").as_int64()), row[0][1]);
    EXPECT_EQ(S(deal.at("value_minor").as_int64()), row[0][2]);
    EXPECT_EQ(deal.at("currency").as_string(), row[0][3]);
    EXPECT_EQ(deal.at("status").as_string(), row[0][4]);
  }
}

TEST_F(BenchScenarios, TimelineHoldsTheDealsEventsActivitiesAndNotes) {
  for (const auto& [request, response] : Play("timeline", 20)) {
    const int64_t id = IdIn(request.target, "/api/deals/");
    SCOPED_TRACE("deal " + S(id));
    std::map<std::string, int64_t> kinds;
    std::string previous = "9999";
    const json::object timeline = ParseObject(response);
    for (const json::value& item : timeline.at("items").as_array()) {
      ++kinds[std::string(item.at("kind").as_string())];
      EXPECT_EQ(item.at("data").at("deal_id").as_int64(), id);
      const std::string at(item.at("at").as_string());
      EXPECT_LE(at, previous) << "not newest first";
      previous = at;
    }
    EXPECT_EQ(kinds["stage_event"],
              db_->Int("SELECT count(*) FROM stage_events WHERE deal_id = " + S(id)));
    EXPECT_GE(kinds["stage_event"], 1);
    EXPECT_EQ(kinds["activity"],
              db_->Int("SELECT count(*) FROM activities WHERE deal_id = " + S(id)));
    EXPECT_EQ(kinds["note"], db_->Int("SELECT count(*) FROM notes WHERE deal_id = " + S(id)));
  }
}

TEST_F(BenchScenarios, CreateIsStored) {
  for (const auto& [request, response] : Play("create", 10)) {
    EXPECT_EQ(response.status, 201);
    json::object sent = json::parse(request.body).as_object();
    const int64_t id = ParseObject(response).at("id").as_int64();
    auto row =
        db_->Rows("SELECT title, stage_id, value_minor, status FROM deals WHERE id = " + S(id));
    ASSERT_EQ(row.size(), 1u);
    EXPECT_EQ(row[0][0], sent.at("title").as_string());
    EXPECT_EQ(row[0][1], S(sent.at("stage_id").as_int64()));
    EXPECT_EQ(row[0][2], S(sent.at("value_minor").as_int64()));
    EXPECT_EQ(row[0][3], "open");
  }
}

TEST_F(BenchScenarios, MoveChangesTheStageAndRecordsIt) {
  for (const auto& [request, response] : Play("move", 10)) {
    const int64_t id = IdIn(request.target, "/api/deals/");
    const int64_t to = json::parse(request.body).at("stage_id").as_int64();
    EXPECT_EQ(db_->Int("SELECT stage_id FROM deals WHERE id = " + S(id)), to);
    EXPECT_EQ(db_->Int("SELECT to_stage_id FROM stage_events WHERE deal_id = " + S(id) +
                       " ORDER BY id DESC LIMIT 1"),
              to);
  }
}

TEST_F(BenchScenarios, WonClosesEachDealOnce) {
  std::set<int64_t> ids;
  for (const auto& [request, response] : Play("won", 10)) {
    const int64_t id = IdIn(request.target, "/api/deals/");
    EXPECT_TRUE(ids.insert(id).second) << "deal " << id << " won twice";
    EXPECT_EQ(db_->Text("SELECT status FROM deals WHERE id = " + S(id)), "won");
  }
  EXPECT_EQ(ids.size(), 10u);
}

TEST_F(BenchScenarios, ConnectionsShareOutTheOpenDeals) {
  // Won and move give each open deal to exactly one connection.
  std::set<int64_t> ids;
  constexpr int kConnections = 4;
  for (int c = 0; c < kConnections; ++c) {
    std::unique_ptr<RequestSource> source = MakeRequestSource("won", info_, c, kConnections, 1);
    while (std::optional<Request> r = source->Next()) {
      EXPECT_TRUE(ids.insert(IdIn(r->target, "/api/deals/")).second) << r->target;
    }
  }
  EXPECT_EQ(ids.size(), info_.open_deals.size());
}

TEST_F(BenchScenarios, MixedReadsAndWritesSucceed) {
  std::map<std::string, int> kinds;
  for (const auto& [request, response] : Play("read_mix", 10)) ++kinds[request.method];
  for (const auto& [request, response] : Play("write_mix", 10)) ++kinds[request.method];
  EXPECT_EQ(kinds["GET"], 10);
  EXPECT_EQ(kinds["POST"], 10);
}

// The load client end to end: each scenario briefly, four connections; no error may occur.
TEST_F(BenchScenarios, LoadClientRunsEveryScenarioWithoutErrors) {
  std::vector<std::string> runs;
  for (const ScenarioSpec& spec : Scenarios()) {
    if (spec.name != "read_mix" && spec.name != "write_mix") runs.emplace_back(spec.name);
  }
  runs.push_back("read_mix=3,write_mix=1");
  for (const std::string& scenario : runs) {
    SCOPED_TRACE(scenario);
    const fs::path log = *dir_ / ("loadgen-" + scenario.substr(0, scenario.find('=')) + ".log");
    std::string error;
    pid_t pid = apitest::Spawn(
        {TestPaths().loadgen, "--port", S(server_->port()), "--token", *token_, "--scenario",
         scenario, "--connections", "4", "--warmup", "0.1", "--duration", "0.4"},
        log, &error);
    ASSERT_GT(pid, 0) << error;
    std::optional<int> status = apitest::WaitFor(pid, kLoadgenTimeout);
    if (!status) {
      kill(pid, SIGKILL);
      apitest::WaitFor(pid, apitest::kShutdownTimeout);
    }
    const std::string out = apitest::ReadFile(log);
    ASSERT_TRUE(status && *status == 0) << out;
    std::istringstream lines(out);
    int results = 0;
    for (std::string line; std::getline(lines, line);) {
      if (line.empty() || line[0] != '{') continue;
      ++results;
      json::object r = json::parse(line).as_object();
      EXPECT_EQ(r.at("errors").as_int64(), 0) << line;
      EXPECT_FALSE(r.at("flagged").as_bool()) << line;
      EXPECT_GT(r.at("requests").as_int64(), 0) << line;
      EXPECT_GT(r.at("p99_us").as_int64(), 0) << line;
    }
    EXPECT_EQ(results, scenario.find(',') == std::string::npos ? 1 : 2) << out;
  }
}

}  // namespace
}  // namespace pipedeck::bench

int main(int argc, char** argv) {
  std::vector<char*> rest = {argv[0]};
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--binary" && i + 1 < argc) {
      pipedeck::bench::TestPaths().binary = argv[++i];
    } else if (arg == "--loadgen" && i + 1 < argc) {
      pipedeck::bench::TestPaths().loadgen = argv[++i];
    } else {
      rest.push_back(argv[i]);
    }
  }
  if (pipedeck::bench::TestPaths().binary.empty() || pipedeck::bench::TestPaths().loadgen.empty()) {
    std::fprintf(stderr, "usage: %s --binary <pipedeck> --loadgen <loadgen> [gtest flags]\n",
                 argv[0]);
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  int rest_argc = static_cast<int>(rest.size());
  rest.push_back(nullptr);
  ::testing::InitGoogleTest(&rest_argc, rest.data());
  return RUN_ALL_TESTS();
}
