// Black-box tests of the pipedeck command: exit codes, messages and what it leaves in the
// database, for the admin tasks (init, user add, token create) and bad arguments.
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

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

CommandResult Pipedeck(const std::string& args) {
  CommandResult run;
  const std::string command = g_binary + " " + args + " 2>&1";
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
