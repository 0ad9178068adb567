// The pipedeck command: create a workspace, serve it, and manage users and tokens from the shell.
//
//   pipedeck init --db FILE [--admin-name NAME] [--admin-email EMAIL] [--currency USD]
//                 [--template 7-stage] [--demo]
//   pipedeck serve --db FILE [--port 8080] [--bind 0.0.0.0] [--threads N]
//                  [--max-import-mb 256] [--fake-now ISO] [--quiet] [--trust-proxy]
//   pipedeck user add --db FILE --name N --email E [--role rep|manager|admin]
//   pipedeck user password --db FILE --email E [--password-stdin]
//   pipedeck token create --db FILE --email E [--name N]
//   pipedeck generate --db FILE --deals N [--reps 20] [--months 12] [--seed 1] [--now ISO]
//                     [--currency USD] [--force]
//   pipedeck report <name> --db FILE [--pipeline ID] [--owner ID] [--team ID]
//                   [--period P | --from DATE --to DATE] [--format table|json|csv] [--now ISO]
//                   [--months N] [--day DATE] [--target N --average N --close-rate PCT --reps N]
//                   (cli/report_command.h)
//   pipedeck --version
//
// Output lines that scripts and tests parse: "API token: pd_..." (init, user add, token create,
// generate), "Password: ..." (init, user password), "Listening on http://HOST:PORT" (serve) and "Generated N deals ..." (generate). Bad
// arguments exit with CLI11's message; a refused operation prints "error: <status>" on stderr and
// exits 1.
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include <CLI/CLI.hpp>
#include <unistd.h>

#include "analytics/analytics.h"
#include "api/http_server.h"
#include "cli/csv_commands.h"
#include "cli/report_command.h"
#include "core/status.h"
#include "core/time.h"
#include "service/accounts.h"
#include "service/demo_seed.h"
#include "service/generator.h"
#include "service/secrets.h"
#include "service/system_clock.h"
#include "service/workspace.h"
#include "store/sqlite/sqlite_store.h"

namespace pipedeck {
namespace {

int Fail(const Status& status) {
  std::cerr << "error: " << status.ToString() << "\n";
  return 1;
}

// The clock a command runs on: real time, or real time shifted to start at --fake-now.
std::unique_ptr<Clock> MakeClock(const std::string& fake_now) {
  if (fake_now.empty()) return std::make_unique<SystemClock>();
  return std::make_unique<OffsetClock>(*ParseTimestamp(fake_now));
}

// Opens the database, runs `fn` on the store and closes it whatever happens.
int WithStore(const std::string& db, bool create, const std::function<Status(Store&)>& fn) {
  SqliteOptions options;
  options.path = db;
  options.create_if_missing = create;
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(options);
  if (!store.ok()) {
    if (store.status().code() == ErrorCode::kNotFound) {
      return Fail(Status::NotFound("no database at " + db +
                                   "; create one with `pipedeck init --db " + db + "`"));
    }
    return Fail(store.status());
  }
  Status status = fn(**store);
  (*store)->Close();
  return status.ok() ? 0 : Fail(status);
}

// Opens the database, runs `fn` on the workspace and the accounts over it and closes the store
// whatever happens.
int WithServices(const std::string& db, bool create, const std::string& fake_now,
                 const std::function<Status(Workspace&, Accounts&)>& fn) {
  return WithStore(db, create, [&](Store& store) {
    std::unique_ptr<Clock> clock = MakeClock(fake_now);
    Workspace workspace(store, *clock);
    Accounts accounts(store, *clock);
    return fn(workspace, accounts);
  });
}

int WithWorkspace(const std::string& db, bool create, const std::string& fake_now,
                  const std::function<Status(Workspace&)>& fn) {
  return WithServices(db, create, fake_now, [&](Workspace& ws, Accounts&) { return fn(ws); });
}

// The first user matching `wanted`, or kNotFound with `missing`.
template <typename Pred>
Result<User> FindUser(Workspace& workspace, Pred wanted, Status missing) {
  ListQuery query;
  query.limit = 500;
  for (;;) {
    PD_ASSIGN_OR_RETURN(Page<User> page, workspace.ListUsers(query));
    for (const User& u : page.items) {
      if (wanted(u)) return u;
    }
    if (page.next_cursor.empty()) return missing;
    query.cursor = page.next_cursor;
  }
}

// The CLI acts with the authority of whoever can read the database file: as the first active
// admin.
Result<User> OperatorOf(Workspace& workspace) {
  return FindUser(
      workspace, [](const User& u) { return u.active && u.role == Role::kAdmin; },
      Status::NotFound("the workspace has no active admin; run `pipedeck init` first"));
}

Result<User> UserByEmail(Workspace& workspace, const std::string& email) {
  std::string lower = email;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return FindUser(
      workspace, [&](const User& u) { return u.email == lower; },
      Status::NotFound("no user with email " + email, "email"));
}

// Sets the password of `user_id`: the first line of standard input, or a generated one (four
// groups of five letters and digits, ~100 bits) that the caller prints. Ends the user's sessions.
Result<std::string> SetNewPassword(Accounts& accounts, Id user_id, bool from_stdin) {
  std::string password;
  if (from_stdin) {
    if (!std::getline(std::cin, password)) {
      return Status::Invalid("password", "no password on standard input");
    }
    if (!password.empty() && password.back() == '\r') password.pop_back();
  } else {
    constexpr std::string_view kAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";
    const std::string random = GenerateRandomHex();
    for (size_t i = 0; i < 20; ++i) {
      if (i > 0 && i % 5 == 0) password += '-';
      const unsigned byte = static_cast<unsigned>(std::stoul(random.substr(2 * i, 2), nullptr, 16));
      password += kAlphabet[byte % kAlphabet.size()];
    }
  }
  PD_RETURN_IF_ERROR(accounts.SetPassword(user_id, password));
  return password;
}

struct InitArgs {
  std::string db, admin_name = "Admin", admin_email = "admin@example.com", currency = "USD";
  std::string template_key, fake_now;
  bool demo = false;
};

// With --demo the demo brings its own pipelines, so --template is not applied twice.
int Init(const InitArgs& args) {
  return WithServices(args.db, /*create=*/true, args.fake_now,
                      [&](Workspace& ws, Accounts& accounts) -> Status {
    PD_ASSIGN_OR_RETURN(NewToken token,
                        ws.Bootstrap(args.admin_name, args.admin_email, args.currency));
    PD_ASSIGN_OR_RETURN(User admin, ws.GetUser(token.token.user_id));
    if (args.demo) {
      PD_RETURN_IF_ERROR(SeedDemo(ws, admin));
    } else if (!args.template_key.empty()) {
      PipelinePatch sales;
      sales.name = "Sales";
      PD_RETURN_IF_ERROR(ws.CreatePipeline(admin, sales, args.template_key).status());
    }
    PD_ASSIGN_OR_RETURN(std::string password,
                        SetNewPassword(accounts, admin.id, /*from_stdin=*/false));
    std::cout << "Workspace: " << args.db << "\n"
              << "Admin: " << admin.name << " <" << admin.email << ">\n"
              << "Password: " << password << "\n"
              << "API token: " << token.secret << std::endl;
    return Status::Ok();
  });
}

struct ServeArgs {
  std::string db, bind = "0.0.0.0", fake_now, web_dir;
  uint16_t port = 8080;
  int threads = 0;
  size_t max_import_mb = 256;
  bool quiet = false;
  bool trust_proxy = false;
};

int Serve(const ServeArgs& args) {
  return WithStore(args.db, /*create=*/false, [&](Store& store) {
    std::unique_ptr<Clock> clock = MakeClock(args.fake_now);
    Workspace ws(store, *clock);
    Accounts accounts(store, *clock);
    Analytics analytics(store, *clock);
    ServerOptions options;
    options.trust_proxy = args.trust_proxy;
    options.bind = args.bind;
    options.port = args.port;
    options.threads = args.threads;
    options.web_dir = args.web_dir;
    options.max_import_bytes = args.max_import_mb << 20;
    options.access_log = args.quiet ? nullptr : &std::cout;
    const std::string host = args.bind == "0.0.0.0" ? "127.0.0.1" : args.bind;
    return ServeHttp(ws, accounts, analytics, options, [&](uint16_t port) {
      std::cout << "Listening on http://" << host << ":" << port << std::endl;
    });
  });
}

struct UserAddArgs {
  std::string db, name, email, role = "rep";
};

int UserAdd(const UserAddArgs& args) {
  return WithWorkspace(args.db, /*create=*/false, "", [&](Workspace& ws) -> Status {
    PD_ASSIGN_OR_RETURN(User admin, OperatorOf(ws));
    UserPatch fields;
    fields.name = args.name;
    fields.email = args.email;
    fields.role = *ParseRole(args.role);
    PD_ASSIGN_OR_RETURN(User user, ws.CreateUser(admin, fields));
    PD_ASSIGN_OR_RETURN(NewToken token, ws.CreateToken(admin, user.id, "created by pipedeck cli"));
    std::cout << "User: " << user.id << " " << user.name << " <" << user.email << "> ("
              << RoleName(user.role) << ")\n"
              << "API token: " << token.secret << std::endl;
    return Status::Ok();
  });
}

struct UserPasswordArgs {
  std::string db, email;
  bool from_stdin = false;
};

// Sets a user's password from the shell (whoever can read the database file may): for the first
// sign-in, or when an admin has lost theirs.
int UserPassword(const UserPasswordArgs& args) {
  return WithServices(args.db, /*create=*/false, "",
                      [&](Workspace& ws, Accounts& accounts) -> Status {
    PD_ASSIGN_OR_RETURN(User user, UserByEmail(ws, args.email));
    PD_ASSIGN_OR_RETURN(std::string password,
                        SetNewPassword(accounts, user.id, args.from_stdin));
    std::cout << "User: " << user.id << " " << user.name << " <" << user.email << ">\n";
    if (!args.from_stdin) std::cout << "Password: " << password << "\n";
    std::cout << "Sessions: signed out everywhere" << std::endl;
    return Status::Ok();
  });
}

struct TokenCreateArgs {
  std::string db, email, name = "created by pipedeck cli";
};

int TokenCreate(const TokenCreateArgs& args) {
  return WithWorkspace(args.db, /*create=*/false, "", [&](Workspace& ws) -> Status {
    PD_ASSIGN_OR_RETURN(User user, UserByEmail(ws, args.email));
    PD_ASSIGN_OR_RETURN(NewToken token, ws.CreateToken(user, user.id, args.name));
    std::cout << "API token: " << token.secret << std::endl;
    return Status::Ok();
  });
}

struct GenerateArgs {
  std::string db, now, currency = "USD";
  int64_t deals = 0;
  int reps = 20, months = 12;
  uint64_t seed = 1;
  bool force = false;
};

// "1234567" → "1,234,567".
std::string Grouped(int64_t n) {
  std::string digits = std::to_string(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
  return digits;
}

// One terminal line, rewritten in place: deals done, rate and time left.
void ShowProgress(const GeneratorProgress& p) {
  const double rate = p.elapsed_seconds > 0 ? p.deals_done / p.elapsed_seconds : 0;
  const double eta = rate > 0 ? (p.deals_total - p.deals_done) / rate : 0;
  if (p.deals_done == p.deals_total) {
    std::fprintf(stderr, "\r  %s deals written; building indexes...                    ",
                 Grouped(p.deals_done).c_str());
  } else {
    std::fprintf(stderr, "\r  %s / %s deals  %.0f deals/s  ETA %.0f s   ",
                 Grouped(p.deals_done).c_str(), Grouped(p.deals_total).c_str(), rate, eta);
  }
  std::fflush(stderr);
}

// Refuses to touch an existing file unless --force, which removes it (and its WAL files) first.
int Generate(const GenerateArgs& args) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (fs::exists(args.db, error)) {
    if (!args.force) {
      return Fail(Status::Conflict(args.db + " already exists; pass --force to replace it"));
    }
    for (const char* suffix : {"", "-wal", "-shm"}) {
      fs::remove(args.db + suffix, error);
      if (error)
        return Fail(Status::Internal("cannot remove " + args.db + suffix + ": " + error.message()));
    }
  }
  GeneratorOptions options;
  options.deals = args.deals;
  options.reps = args.reps;
  options.months = args.months;
  options.seed = args.seed;
  // --now pins the end of the history exactly (not a running clock), so that the same seed and
  // the same --now give the same data.
  options.now = args.now.empty() ? SystemClock().Now() : *ParseTimestamp(args.now);
  options.currency = args.currency;

  SqliteOptions store_options;
  store_options.path = args.db;
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(store_options);
  if (!store.ok()) return Fail(store.status());
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  Result<GeneratorSummary> summary = GenerateWorkspace(
      **store, options,
      tty ? std::function<void(const GeneratorProgress&)>(ShowProgress) : nullptr);
  if (tty) std::fprintf(stderr, "\r%80s\r", "");
  (*store)->Close();
  if (!summary.ok()) return Fail(summary.status());
  const GeneratorSummary& s = *summary;
  std::printf(
      "Generated %s deals (%s open, %s won, %s lost), %s stage events, %s activities, %s notes, "
      "%s persons, %s organizations, %s users: %s rows in %.1f s (%.0f deals/s)\n",
      Grouped(s.deals).c_str(), Grouped(s.open_deals).c_str(), Grouped(s.won_deals).c_str(),
      Grouped(s.lost_deals).c_str(), Grouped(s.stage_events).c_str(), Grouped(s.activities).c_str(),
      Grouped(s.notes).c_str(), Grouped(s.persons).c_str(), Grouped(s.organizations).c_str(),
      Grouped(s.users).c_str(), Grouped(s.rows()).c_str(), s.elapsed_seconds,
      s.deals / s.elapsed_seconds);
  std::printf("Time: building %.1f s, writing %.1f s (overlapped), finishing %.1f s\n",
              s.build_seconds, s.write_seconds, s.finish_seconds);
  std::printf("Workspace: %s\nAPI token: %s\n", args.db.c_str(), s.admin_token.c_str());
  std::fflush(stdout);
  return 0;
}

// Every option is checked before the database is opened; the report only reads it.
int Report(const ReportArgs& args) {
  Result<ReportRequest> request = CheckReportArgs(args);
  if (!request.ok()) return Fail(request.status());
  return WithStore(args.db, /*create=*/false,
                   [&](Store& store) { return RunReport(*request, store, std::cout); });
}

}  // namespace
}  // namespace pipedeck

int main(int argc, char** argv) {
  using namespace pipedeck;  // NOLINT(google-build-using-namespace): main only wires commands
  CLI::App app{"Pipedeck: a self-hosted sales pipeline CRM"};
  app.set_version_flag("--version", std::string("pipedeck ") + PIPEDECK_VERSION);
  // At most one command; a missing one is reported below, so that an unknown word is named
  // ("The following arguments were not expected: frobnicate") instead of "subcommand required".
  app.require_subcommand(0, 1);

  const CLI::Validator instant(
      [](std::string& text) -> std::string {
        return ParseTimestamp(text) ? "" : "not an ISO 8601 instant (2026-11-23T12:09:15Z)";
      },
      "ISO8601");
  const auto templates = CLI::IsMember({"4-stage", "5-stage", "6-stage", "7-stage"});

  InitArgs init;
  CLI::App* init_cmd = app.add_subcommand("init", "Create a workspace and its first admin");
  init_cmd->add_option("--db", init.db, "SQLite database file to create")->required();
  init_cmd->add_option("--admin-name", init.admin_name, "Name of the first admin")
      ->capture_default_str();
  init_cmd->add_option("--admin-email", init.admin_email, "Email of the first admin")
      ->capture_default_str();
  init_cmd->add_option("--currency", init.currency, "Default ISO 4217 currency")
      ->capture_default_str();
  init_cmd
      ->add_option("--template", init.template_key, "Create a \"Sales\" pipeline from a template")
      ->check(templates);
  init_cmd->add_flag("--demo", init.demo, "Fill the workspace with a demo sales team's data");
  init_cmd->add_option("--fake-now", init.fake_now, "Pretend the current time is this instant")
      ->check(instant);

  ServeArgs serve;
  CLI::App* serve_cmd = app.add_subcommand("serve", "Serve the web UI and the REST API");
  serve_cmd->add_option("--db", serve.db, "SQLite database file")->required();
  serve_cmd->add_option("--port", serve.port, "TCP port (0 = any free port)")
      ->capture_default_str();
  serve_cmd->add_option("--bind", serve.bind, "Address to listen on")->capture_default_str();
  serve_cmd->add_option("--threads", serve.threads, "Server threads (0 = one per core)")
      ->check(CLI::NonNegativeNumber);
  serve_cmd->add_option("--fake-now", serve.fake_now, "Start the clock at this instant")
      ->check(instant);
  serve_cmd
      ->add_option("--max-import-mb", serve.max_import_mb,
                   "Largest CSV file the import endpoint takes, in MiB")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  serve_cmd->add_flag("--quiet", serve.quiet, "No access log");
  serve_cmd->add_flag("--trust-proxy", serve.trust_proxy,
                      "Behind a reverse proxy: the client's address from X-Forwarded-For, TLS "
                      "from X-Forwarded-Proto (docs/deploy.md)");
  serve_cmd
      ->add_option("--web-dir", serve.web_dir,
                   "Serve the web UI from this directory (e.g. web/dist, read on every request) "
                   "instead of the copy built into the binary")
      ->check(CLI::ExistingDirectory);

  UserAddArgs user_add;
  CLI::App* user_cmd = app.add_subcommand("user", "Manage users");
  user_cmd->require_subcommand(1);
  CLI::App* user_add_cmd = user_cmd->add_subcommand("add", "Add a user and print a token for them");
  user_add_cmd->add_option("--db", user_add.db, "SQLite database file")->required();
  user_add_cmd->add_option("--name", user_add.name, "Full name")->required();
  user_add_cmd->add_option("--email", user_add.email, "Email address")->required();
  user_add_cmd->add_option("--role", user_add.role, "rep, manager or admin")
      ->check(CLI::IsMember({"rep", "manager", "admin"}))
      ->capture_default_str();

  UserPasswordArgs user_password;
  CLI::App* user_password_cmd = user_cmd->add_subcommand(
      "password", "Set a user's password (printed when generated) and end their sessions");
  user_password_cmd->add_option("--db", user_password.db, "SQLite database file")->required();
  user_password_cmd->add_option("--email", user_password.email, "Whose password")->required();
  user_password_cmd->add_flag("--password-stdin", user_password.from_stdin,
                              "Read the password from the first line of standard input instead "
                              "of generating one");

  TokenCreateArgs token_create;
  CLI::App* token_cmd = app.add_subcommand("token", "Manage API tokens");
  token_cmd->require_subcommand(1);
  CLI::App* token_create_cmd = token_cmd->add_subcommand("create", "Print a new token for a user");
  token_create_cmd->add_option("--db", token_create.db, "SQLite database file")->required();
  token_create_cmd->add_option("--email", token_create.email, "Whose token")->required();
  token_create_cmd->add_option("--name", token_create.name, "What the token is for")
      ->capture_default_str();

  GenerateArgs generate;
  CLI::App* generate_cmd = app.add_subcommand(
      "generate", "Create a large realistic workspace for benchmarks (a new database file)");
  generate_cmd->add_option("--db", generate.db, "SQLite database file to create")->required();
  generate_cmd->add_option("--deals", generate.deals, "Number of deals")
      ->required()
      ->check(CLI::Range(int64_t{1}, int64_t{1'000'000'000}));
  generate_cmd->add_option("--reps", generate.reps, "Number of sales reps")
      ->check(CLI::Range(1, 10'000))
      ->capture_default_str();
  generate_cmd->add_option("--months", generate.months, "Months of history")
      ->check(CLI::Range(1, 120))
      ->capture_default_str();
  generate_cmd->add_option("--seed", generate.seed, "Random seed (same seed and --now, same data)")
      ->capture_default_str();
  generate_cmd->add_option("--now", generate.now, "End the history at this instant (default: now)")
      ->check(instant);
  generate_cmd->add_option("--currency", generate.currency, "Default ISO 4217 currency")
      ->capture_default_str();
  generate_cmd->add_flag("--force", generate.force, "Replace the database file if it exists");

  ReportArgs report;
  CLI::App* report_cmd = AddReportCommand(app, report);
  ImportArgs import;
  CLI::App* import_cmd = AddImportCommand(app, import);
  ExportArgs export_args;
  CLI::App* export_cmd = AddExportCommand(app, export_args);

  CLI11_PARSE(app, argc, argv);

  if (*init_cmd) return Init(init);
  if (*serve_cmd) return Serve(serve);
  if (*user_add_cmd) return UserAdd(user_add);
  if (*user_password_cmd) return UserPassword(user_password);
  if (*token_create_cmd) return TokenCreate(token_create);
  if (*generate_cmd) return Generate(generate);
  if (*report_cmd) return Report(report);
  if (*import_cmd) return RunImport(import);
  if (*export_cmd) return RunExport(export_args);
  std::cerr << "A command is required: init, serve, generate, report, import, export, user add "
               "or token create.\n"
               "Run with --help for more information.\n";
  return 106;
}
