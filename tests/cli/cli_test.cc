// Black-box tests of the pipedeck command: exit codes, messages and what it leaves in the
// database, for the admin tasks (init, user add, token create), the reports (report) and bad
// arguments.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include "core/model.h"
#include "store/sqlite/sqlite_store.h"

namespace pipedeck {
namespace {

std::string g_binary;

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs the binary with `args`; `output` holds stdout and stderr together, or stdout alone when
// `stdout_only`.
CommandResult Pipedeck(const std::string& args, bool stdout_only = false) {
  CommandResult run;
  const std::string command = g_binary + " " + args + (stdout_only ? " 2>/dev/null" : " 2>&1");
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) run.output.append(buffer, n);
  const int status = pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// The secret from an "API token: pd_..." line, or "" when there is none.
std::string TokenIn(const std::string& output) {
  const std::string marker = "API token: ";
  const size_t at = output.find(marker);
  if (at == std::string::npos) return {};
  const size_t start = at + marker.size();
  return output.substr(start, output.find('\n', start) - start);
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("pipedeck-cli-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    db_ = (dir_ / "pd.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Every user in the database, read through the store.
  std::vector<User> Users() {
    auto store = OpenSqliteStore({.path = db_, .create_if_missing = false});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    std::vector<User> users;
    Status s = (*store)->Read([&](StoreTx& tx) {
      ListQuery q;
      q.limit = 500;
      auto page = tx.ListUsers(q);
      if (!page.ok()) return page.status();
      users = page->items;
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    (*store)->Close();
    return users;
  }

  std::filesystem::path dir_;
  std::string db_;
};

TEST_F(CliTest, InitCreatesTheAdminAndPrintsAToken) {
  CommandResult run =
      Pipedeck("init --db " + db_ + " --admin-name 'Ada Admin' --admin-email ada@example.com");
  ASSERT_EQ(run.exit_code, 0) << run.output;
  EXPECT_NE(run.output.find("Workspace: " + db_), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("Admin: Ada Admin <ada@example.com>"), std::string::npos);
  EXPECT_EQ(TokenIn(run.output).rfind("pd_", 0), 0u) << run.output;
  auto users = Users();
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0].role, Role::kAdmin);
}

TEST_F(CliTest, InitTwiceIsRefusedAndChangesNothing) {
  ASSERT_EQ(Pipedeck("init --db " + db_).exit_code, 0);
  CommandResult again = Pipedeck("init --db " + db_ + " --admin-email other@example.com");
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.output.find("error: conflict"), std::string::npos) << again.output;
  EXPECT_EQ(Users().size(), 1u);
}

TEST_F(CliTest, UserAddAndTokenCreate) {
  ASSERT_EQ(Pipedeck("init --db " + db_).exit_code, 0);
  CommandResult add =
      Pipedeck("user add --db " + db_ + " --name 'Rita Rep' --email rita@example.com");
  ASSERT_EQ(add.exit_code, 0) << add.output;
  EXPECT_EQ(TokenIn(add.output).rfind("pd_", 0), 0u) << add.output;
  CommandResult token =
      Pipedeck("token create --db " + db_ + " --email rita@example.com --name laptop");
  ASSERT_EQ(token.exit_code, 0) << token.output;
  EXPECT_NE(TokenIn(token.output), TokenIn(add.output));
  auto users = Users();
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[1].email, "rita@example.com");
  EXPECT_EQ(users[1].role, Role::kRep);
}

TEST_F(CliTest, RefusedOperationsExitNonZeroAndChangeNothing) {
  ASSERT_EQ(Pipedeck("init --db " + db_).exit_code, 0);
  struct Case {
    std::string args;
    std::string message;
  };
  const Case cases[] = {
      {"user add --db " + db_ + " --name Bob --email not-an-email", "email"},
      {"user add --db " + db_ + " --name Bob --email bob@example.com --role boss", "--role"},
      {"token create --db " + db_ + " --email nobody@example.com", "nobody@example.com"},
      {"serve --db " + (dir_ / "missing.db").string(), "pipedeck init"},
      {"serve --db " + db_ + " --port 99999", "--port"},
      {"init --db " + (dir_ / "x.db").string() + " --template 9-stage", "--template"},
      {"init --db " + (dir_ / "y.db").string() + " --currency usd", "currency"},
      {"frobnicate", "frobnicate"},
      {"", "A command is required"},
  };
  for (const Case& c : cases) {
    CommandResult run = Pipedeck(c.args);
    EXPECT_NE(run.exit_code, 0) << c.args << "\n" << run.output;
    EXPECT_NE(run.output.find(c.message), std::string::npos) << c.args << "\n" << run.output;
  }
  EXPECT_EQ(Users().size(), 1u);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "x.db"));
  EXPECT_FALSE(std::filesystem::exists(dir_ / "missing.db"));
}

// `import`: a dry run first, then the import; exit 3 when rows were refused, each named with its
// row and column; a mapping file names unclear columns; a broken mapping imports nothing.
TEST_F(CliTest, ImportReportsRowsAndExitsByWhatWentIn) {
  ASSERT_EQ(Pipedeck("init --db " + db_ + " --template 5-stage").exit_code, 0);
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
    return (dir_ / name).string();
  };
  const std::string deals = write("deals.csv",
                                  "Deal - Title,Deal - Value,Deal - Stage,Organization - Name\n"
                                  "Acme rollout,1500,Qualification,Acme\n"
                                  "Bad value,lots,Qualification,\n");
  auto count_deals = [&] {
    auto store = OpenSqliteStore({.path = db_, .create_if_missing = false});
    size_t n = 0;
    Status s = (*store)->Read([&](StoreTx& tx) {
      ListQuery q;
      q.limit = 500;
      auto page = tx.ListDeals(q);
      if (!page.ok()) return page.status();
      n = page->items.size();
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok());
    (*store)->Close();
    return n;
  };

  CommandResult dry = Pipedeck("import deals --db " + db_ + " --file " + deals + " --dry-run",
                               /*stdout_only=*/true);
  EXPECT_EQ(dry.exit_code, 3) << dry.output;
  EXPECT_NE(dry.output.find("Dry run: nothing was changed"), std::string::npos) << dry.output;
  EXPECT_NE(dry.output.find("Columns: pipedrive export"), std::string::npos);
  EXPECT_NE(dry.output.find("row 3, column \"Deal - Value\": \"lots\" is not an amount"),
            std::string::npos)
      << dry.output;
  EXPECT_EQ(count_deals(), 0u);

  // A bulk load into a workspace without deals: the same report, through the bulk loader.
  const std::string copy = (dir_ / "bulk.db").string();
  std::filesystem::copy_file(db_, copy);
  CommandResult bulk = Pipedeck("import deals --db " + copy + " --file " + deals + " --bulk", true);
  EXPECT_EQ(bulk.exit_code, 3) << bulk.output;
  EXPECT_NE(bulk.output.find("Bulk load: indexes and totals were rebuilt"), std::string::npos)
      << bulk.output;
  EXPECT_NE(bulk.output.find("Created: 1 deals"), std::string::npos) << bulk.output;
  CommandResult bulk_again =
      Pipedeck("import deals --db " + copy + " --file " + deals + " --bulk", true);
  EXPECT_EQ(bulk_again.exit_code, 1) << bulk_again.output;

  CommandResult run = Pipedeck("import deals --db " + db_ + " --file " + deals, true);
  EXPECT_EQ(run.exit_code, 3) << run.output;
  EXPECT_NE(run.output.find("Created: 1 deals"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("Linked records created: 1"), std::string::npos) << run.output;
  EXPECT_EQ(count_deals(), 1u);

  const std::string other = write("other.csv", "Opportunity,Worth\nGlobex,20\n");
  const std::string mapping =
      write("mapping.csv", "column,field\nOpportunity,title\nWorth,value\n");
  CommandResult mapped =
      Pipedeck("import deals --db " + db_ + " --file " + other + " --mapping " + mapping, true);
  EXPECT_EQ(mapped.exit_code, 0) << mapped.output;
  EXPECT_NE(mapped.output.find("Refused: 0 rows"), std::string::npos) << mapped.output;
  EXPECT_EQ(count_deals(), 2u);

  const std::string broken = write("broken.csv", "column,field\nOpportunity,price\n");
  CommandResult refused =
      Pipedeck("import deals --db " + db_ + " --file " + other + " --mapping " + broken);
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.output.find("\"price\" is not a field of deals"), std::string::npos)
      << refused.output;
  // The export reads back: the file `import` wrote, with the header import understands.
  CommandResult exported = Pipedeck("export deals --db " + db_, true);
  EXPECT_EQ(exported.exit_code, 0);
  EXPECT_EQ(exported.output.rfind("id,title,value,currency,pipeline,stage,status,", 0), 0u)
      << exported.output;
  EXPECT_NE(exported.output.find(",Acme rollout,1500.00,USD,Sales,Qualification,open,"),
            std::string::npos)
      << exported.output;
  // JSON: the API's records, one array.
  CommandResult json = Pipedeck("export deals --db " + db_ + " --format json", true);
  ASSERT_EQ(json.exit_code, 0) << json.output;
  boost::json::value parsed = boost::json::parse(json.output);
  ASSERT_TRUE(parsed.is_array());
  ASSERT_EQ(parsed.as_array().size(), 2u);
  EXPECT_EQ(parsed.as_array()[0].at("title").as_string(), "Acme rollout");
  EXPECT_EQ(parsed.as_array()[0].at("value_minor").as_int64(), 150000);
  EXPECT_EQ(Pipedeck("export notes --db " + db_ + " --format json", true).output, "[]\n");
  EXPECT_NE(Pipedeck("export deals --db " + db_ + " --format xml").exit_code, 0);
  const std::string file = (dir_ / "export.csv").string();
  ASSERT_EQ(Pipedeck("export deals --db " + db_ + " --file " + file).exit_code, 0);
  CommandResult back = Pipedeck("import deals --db " + db_ + " --file " + file, true);
  EXPECT_EQ(back.exit_code, 0) << back.output;
  EXPECT_NE(back.output.find("Updated: 2 deals"), std::string::npos) << back.output;
  CommandResult no_title = Pipedeck("import deals --db " + db_ + " --file " + other);
  EXPECT_EQ(no_title.exit_code, 1);
  EXPECT_NE(no_title.output.find("no column holds the title"), std::string::npos);
  EXPECT_EQ(count_deals(), 2u);
}

TEST_F(CliTest, GenerateBuildsAWorkspaceAndRefusesToOverwriteOne) {
  const std::string args = "generate --db " + db_ +
                           " --deals 300 --reps 3 --months 6 --seed 5 --now 2026-06-01T00:00:00Z";
  CommandResult first = Pipedeck(args);
  ASSERT_EQ(first.exit_code, 0) << first.output;
  EXPECT_EQ(TokenIn(first.output).rfind("pd_", 0), 0u) << first.output;
  const size_t users = Users().size();
  EXPECT_EQ(users, 4u);  // 3 reps and the admin

  CommandResult again = Pipedeck(args);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.output.find("--force"), std::string::npos) << again.output;
  EXPECT_EQ(Users().size(), users);

  for (const char* bad : {" --deals 0", " --reps 0", " --months 500"}) {
    CommandResult run = Pipedeck("generate --db " + (dir_ / "bad.db").string() + bad);
    EXPECT_NE(run.exit_code, 0) << bad << "\n" << run.output;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ / "bad.db"));

  CommandResult forced = Pipedeck("generate --force --db " + db_ + " --deals 200 --reps 2");
  ASSERT_EQ(forced.exit_code, 0) << forced.output;
  EXPECT_EQ(Users().size(), 3u);
}

// ---- pipedeck report
// ------------------------------------------------------------------------------

namespace json = boost::json;

constexpr const char* kDemoNow = "2026-11-23T12:00:00Z";

// One demo workspace (`init --demo` on 2026-11-23) for all report tests: they only read it.
class ReportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new std::filesystem::path(std::filesystem::temp_directory_path() /
                                     ("pipedeck-cli-report-" + std::to_string(::getpid())));
    std::filesystem::remove_all(*dir_);
    std::filesystem::create_directories(*dir_);
    db_ = new std::string((*dir_ / "demo.db").string());
    CommandResult init = Pipedeck("init --demo --db " + *db_ + " --fake-now " + kDemoNow);
    ASSERT_EQ(init.exit_code, 0) << init.output;
  }
  static void TearDownTestSuite() {
    std::filesystem::remove_all(*dir_);
    delete db_;
    delete dir_;
  }

  // `report <args>` on the demo database as of kDemoNow: its stdout, after checking it exited 0.
  static std::string Report(const std::string& args) {
    CommandResult run =
        Pipedeck("report " + args + " --db " + *db_ + " --now " + kDemoNow, /*stdout_only=*/true);
    EXPECT_EQ(run.exit_code, 0) << args << "\n" << run.output;
    return run.output;
  }
  static json::value ReportJson(const std::string& args) {
    std::string out = Report(args + " --format json");
    boost::system::error_code ec;
    json::value v = json::parse(out, ec);
    EXPECT_FALSE(ec) << args << "\n" << out;
    return v;
  }

  static std::string FileBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    return bytes.str();
  }

  // The id of the first user with `role` in the demo.
  static Id UserWithRole(Role role) {
    auto store = OpenSqliteStore({.path = *db_, .create_if_missing = false});
    EXPECT_TRUE(store.ok()) << store.status().ToString();
    Id id = 0;
    Status s = (*store)->Read([&](StoreTx& tx) {
      ListQuery q;
      q.limit = 500;
      auto page = tx.ListUsers(q);
      if (!page.ok()) return page.status();
      for (const User& u : page->items) {
        if (u.role == role && id == 0) id = u.id;
      }
      return Status::Ok();
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    (*store)->Close();
    return id;
  }

  static std::filesystem::path* dir_;
  static std::string* db_;
};

std::filesystem::path* ReportTest::dir_ = nullptr;
std::string* ReportTest::db_ = nullptr;

// CSV lines (the demo's names hold no commas or quotes, so a line splits on commas).
std::vector<std::vector<std::string>> CsvRows(const std::string& csv) {
  std::vector<std::vector<std::string>> rows;
  std::istringstream lines(csv);
  std::string line;
  while (std::getline(lines, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string>& row = rows.emplace_back();
    std::istringstream fields(line);
    std::string field;
    while (std::getline(fields, field, ',')) row.push_back(field);
    if (!line.empty() && line.back() == ',') row.emplace_back();
  }
  return rows;
}

// The number a CSV cell holds, as JSON holds it ("" is null).
json::value CsvNumber(const std::string& cell) {
  if (cell.empty()) return nullptr;
  return json::parse(cell);
}

bool SameNumber(const json::value& a, const json::value& b) {
  if (a.is_null() || b.is_null()) return a.is_null() && b.is_null();
  return std::abs(a.to_number<double>() - b.to_number<double>()) < 1e-9;
}

TEST_F(ReportTest, DashboardJsonIsTheApiShape) {
  json::value d = ReportJson("dashboard");
  ASSERT_TRUE(d.is_object());
  std::vector<std::string> keys;
  for (const auto& m : d.as_object()) keys.emplace_back(m.key());
  EXPECT_EQ(keys, (std::vector<std::string>{
                      "names", "currency", "other_currency_deals", "period", "previous_period",
                      "current", "previous", "stages", "conversion", "time_in_stage", "funnel",
                      "funnel_created", "funnel_won", "lost", "leaderboard", "trend"}));
  EXPECT_EQ(d.at("period"), json::parse(R"({"label":"2026-11","unit":"month",)"
                                        R"("from":"2026-11-01","to":"2026-12-01"})"));
  EXPECT_EQ(d.at("previous_period").at("label"), "2026-10");
  EXPECT_EQ(d.at("currency"), "USD");
  EXPECT_EQ(d.at("trend").as_array().size(), 12u);
  EXPECT_EQ(d.at("trend").at(11).at("month"), "2026-11-01");
  EXPECT_FALSE(d.at("leaderboard").as_array().empty());
  EXPECT_FALSE(d.at("names").at("pipelines").as_object().empty());
  // Over nine months of demo history, October has closed deals: its win rate is a fraction.
  const json::value& rate = d.at("previous").at("win_rate");
  ASSERT_TRUE(rate.is_number()) << d.at("previous");
  EXPECT_GE(rate.to_number<double>(), 0.0);
  EXPECT_LE(rate.to_number<double>(), 1.0);
}

// A dashboard part prints the dashboard's JSON cut down to it.
TEST_F(ReportTest, SingleMetricJsonIsThePartOfTheDashboard) {
  json::value d = ReportJson("dashboard --period 2026-10");
  json::value w = ReportJson("win-rate --period 2026-10");
  EXPECT_EQ(w.at("period"), d.at("period"));
  EXPECT_EQ(w.at("previous_period"), d.at("previous_period"));
  EXPECT_EQ(w.at("currency"), d.at("currency"));
  EXPECT_TRUE(SameNumber(w.at("win_rate").at("current"), d.at("current").at("win_rate")));
  EXPECT_TRUE(SameNumber(w.at("win_rate").at("previous"), d.at("previous").at("win_rate")));
  EXPECT_TRUE(SameNumber(w.at("won_deals").at("current"), d.at("current").at("won_deals")));
  EXPECT_FALSE(w.as_object().contains("stages"));

  EXPECT_EQ(ReportJson("stages --period 2026-10").at("stages"), d.at("stages"));
  EXPECT_EQ(ReportJson("leaderboard --period 2026-10").at("leaderboard"), d.at("leaderboard"));
  json::value funnel = ReportJson("funnel --period 2026-10");
  EXPECT_EQ(funnel.at("funnel"), d.at("funnel"));
  EXPECT_EQ(funnel.at("funnel_created"), d.at("funnel_created"));
  EXPECT_EQ(ReportJson("lost-reasons --period 2026-10").at("lost"), d.at("lost"));
  for (const char* name : {"new-deals", "deal-size", "cycle", "lifetime", "velocity"}) {
    json::value part = ReportJson(std::string(name) + " --period 2026-10");
    EXPECT_EQ(part.at("period"), d.at("period")) << name;
  }
  EXPECT_TRUE(
      SameNumber(ReportJson("deal-size --period 2026-10").at("average_deal_minor").at("current"),
                 d.at("current").at("average_deal_minor")));
}

TEST_F(ReportTest, PeriodsAndScope) {
  json::value q = ReportJson("win-rate --period 2026-Q4");
  EXPECT_EQ(q.at("period"), json::parse(R"({"label":"2026-Q4","unit":"quarter",)"
                                        R"("from":"2026-10-01","to":"2027-01-01"})"));
  json::value custom = ReportJson("win-rate --from 2026-11-01 --to 2026-11-16");
  EXPECT_EQ(custom.at("period"), json::parse(R"({"label":"2026-11-01..2026-11-15",)"
                                             R"("unit":"custom","from":"2026-11-01",)"
                                             R"("to":"2026-11-16"})"));
  const Id rep = UserWithRole(Role::kRep);
  json::value mine = ReportJson("dashboard --period 2026-10 --owner " + std::to_string(rep));
  for (const auto& row : mine.at("leaderboard").as_array()) {
    EXPECT_EQ(row.at("owner_id"), rep);
  }
}

// CSV: one header row, then the rows, with the JSON's raw values.
TEST_F(ReportTest, CsvHasAHeaderAndTheJsonValues) {
  json::value d = ReportJson("dashboard --period 2026-10");
  auto rows = CsvRows(Report("dashboard --period 2026-10 --format csv"));
  ASSERT_EQ(rows.size(), 13u);
  EXPECT_EQ(rows[0], (std::vector<std::string>{"metric", "current", "previous", "change",
                                               "change_percent"}));
  bool saw_win_rate = false;
  for (size_t i = 1; i < rows.size(); ++i) {
    ASSERT_EQ(rows[i].size(), 5u);
    const std::string& key = rows[i][0];
    EXPECT_TRUE(SameNumber(CsvNumber(rows[i][1]), d.at("current").at(key))) << key;
    EXPECT_TRUE(SameNumber(CsvNumber(rows[i][2]), d.at("previous").at(key))) << key;
    saw_win_rate |= key == "win_rate";
  }
  EXPECT_TRUE(saw_win_rate);

  auto board = CsvRows(Report("leaderboard --period 2026-10 --format csv"));
  ASSERT_FALSE(board.empty());
  EXPECT_EQ(board[0][0], "owner_id");
  EXPECT_EQ(board[0][1], "name");
  const json::array& leaders = d.at("leaderboard").as_array();
  ASSERT_EQ(board.size(), leaders.size() + 1);
  for (size_t i = 0; i < leaders.size(); ++i) {
    EXPECT_EQ(board[i + 1][0], std::to_string(leaders[i].at("owner_id").as_int64()));
    EXPECT_EQ(board[i + 1][1], leaders[i].at("name").as_string());
    EXPECT_EQ(board[i + 1].size(), board[0].size());
  }
}

TEST_F(ReportTest, TablesAreForPeople) {
  const std::string table = Report("dashboard --period 2026-10");
  EXPECT_NE(table.find("Dashboard — 2026-10 (previous: 2026-09), USD"), std::string::npos) << table;
  EXPECT_NE(table.find("Win rate"), std::string::npos) << table;
  EXPECT_NE(table.find("%"), std::string::npos) << table;
  EXPECT_NE(table.find(" USD"), std::string::npos) << table;

  // The planner with every input given: DESIGN's example, 100,000 / 500 / 80% / 10 reps.
  const std::string plan =
      Report("plan --target 10000000 --average 50000 --close-rate 80 --reps 10");
  for (const char* text :
       {"Deals needed", "200", "250", "25", "80.0%", "100,000.00 USD", "500.00 USD", "given"}) {
    EXPECT_NE(plan.find(text), std::string::npos) << text << "\n" << plan;
  }
  json::value p = ReportJson("plan --target 10000000 --average 50000 --close-rate 12.5 --reps 10");
  EXPECT_EQ(p.at("input").at("close_rate_bp"), 1250);
  EXPECT_EQ(p.at("result").at("deals_needed"), 200);
  EXPECT_EQ(p.at("result").at("leads_needed"), 1600);
  EXPECT_EQ(p.at("result").at("leads_per_rep"), 160);
}

TEST_F(ReportTest, ForecastQuotasHealthAndDayPlan) {
  json::value f = ReportJson("forecast --months 3");
  ASSERT_EQ(f.at("months").as_array().size(), 3u);
  EXPECT_EQ(f.at("months").at(0).at("month"), "2026-11-01");
  auto forecast_rows = CsvRows(Report("forecast --months 3 --format csv"));
  EXPECT_EQ(forecast_rows.size(), 1u + 1 + 3 + 1);  // header, overdue, 3 months, undated
  EXPECT_EQ(forecast_rows[0][0], "month");

  json::value q = ReportJson("quotas --day 2026-11-20");
  EXPECT_EQ(q.at("day"), "2026-11-20");
  EXPECT_TRUE(q.at("items").is_array());

  json::value h = ReportJson("health");
  EXPECT_EQ(h.at("day"), "2026-11-23");
  EXPECT_TRUE(h.at("findings").is_array());
  EXPECT_EQ(CsvRows(Report("health --format csv")).size(), h.at("findings").as_array().size() + 1);

  const Id rep = UserWithRole(Role::kRep);
  json::value plan = ReportJson("day-plan --owner " + std::to_string(rep));
  EXPECT_EQ(plan.at("owner_id"), rep);
  EXPECT_EQ(plan.at("day"), "2026-11-23");
  const std::string table = Report("day-plan --owner " + std::to_string(rep));
  EXPECT_NE(table.find("Day plan of "), std::string::npos) << table;
}

// Bad options exit non-zero naming the option, before the database is opened: its file is the
// same byte for byte.
TEST_F(ReportTest, BadArgumentsNameTheOptionAndWriteNothing) {
  const std::string before = FileBytes(*db_);
  ASSERT_FALSE(before.empty());
  const std::string db = " --db " + *db_;
  struct Case {
    std::string args;
    std::string message;
  };
  const Case cases[] = {
      {"report dashboard" + db + " --months 3", "--months"},
      {"report forecast" + db + " --months 0", "--months"},
      {"report forecast" + db + " --months 25", "--months"},
      {"report dashboard" + db + " --period 2026-13", "--period"},
      {"report dashboard" + db + " --period last-month", "--period"},
      {"report dashboard" + db + " --period 2026-11 --from 2026-11-01 --to 2026-12-01", "--period"},
      {"report dashboard" + db + " --from 2026-11-01", "--to"},
      {"report dashboard" + db + " --from 2026-11-10 --to 2026-11-10", "--to"},
      {"report dashboard" + db + " --from 2026-02-30 --to 2026-03-10", "--from"},
      {"report dashboard" + db + " --day 2026-11-01", "--day"},
      {"report plan" + db, "--target"},
      {"report plan" + db + " --target -1", "--target"},
      {"report plan" + db + " --target 100 --reps 0", "--reps"},
      {"report plan" + db + " --target 100 --close-rate 0", "--close-rate"},
      {"report plan" + db + " --target 100 --close-rate 101", "--close-rate"},
      {"report win-rate" + db + " --target 100", "--target"},
      {"report day-plan" + db, "--owner"},
      {"report day-plan" + db + " --owner 2 --period 2026-11", "--period"},
      {"report dashboard" + db + " --format xml", "--format"},
      {"report dashboard" + db + " --pipeline 0", "--pipeline"},
      {"report dashboard" + db + " --now yesterday", "--now"},
      {"report frobnicate" + db, "frobnicate"},
      {"report dashboard --db " + (*dir_ / "missing.db").string(), "pipedeck init"},
  };
  for (const Case& c : cases) {
    CommandResult run = Pipedeck(c.args);
    EXPECT_NE(run.exit_code, 0) << c.args << "\n" << run.output;
    EXPECT_NE(run.output.find(c.message), std::string::npos) << c.args << "\n" << run.output;
  }
  EXPECT_EQ(FileBytes(*db_), before);
  EXPECT_FALSE(std::filesystem::exists(*dir_ / "missing.db"));

  // An unknown record is found out once the database is read; still named by its option.
  CommandResult unknown = Pipedeck("report dashboard" + db + " --pipeline 99999");
  EXPECT_EQ(unknown.exit_code, 1) << unknown.output;
  EXPECT_NE(unknown.output.find("--pipeline"), std::string::npos) << unknown.output;
}

}  // namespace
}  // namespace pipedeck

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string(argv[i]) == "--binary") pipedeck::g_binary = argv[i + 1];
  }
  if (pipedeck::g_binary.empty()) {
    std::fprintf(stderr, "usage: cli_test --binary PATH_TO_PIPEDECK\n");
    return 2;
  }
  return RUN_ALL_TESTS();
}
