// explain_plans: prints, as Markdown, SQLite's query plan for each query behind the benchmarked
// routes (the store's own list, from ExplainSqliteQueryPlans), and says for each whether it scans
// one of the large tables from end to end.
//
//   explain_plans --db FILE
//
// Reads only; run it on a copy of a generated workspace. Exit status 1 when the store fails.
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>

#include "store/sqlite/sqlite_store.h"

namespace {

// Tables whose full scan grows with the number of deals.
constexpr std::string_view kLargeTables[] = {"deals", "stage_events", "activities",
                                             "notes", "persons",      "organizations"};

// The plan lines (SQLite's "SCAN t" or "SCAN t USING [COVERING] INDEX i") that read a large table
// or one of its indexes from end to end, one per line; empty when there are none.
std::string FullScans(const std::string& plan) {
  std::istringstream in(plan);
  std::string found;
  for (std::string line; std::getline(in, line);) {
    const size_t at = line.find("SCAN ");
    if (at == std::string::npos) continue;
    std::string_view rest = std::string_view(line).substr(at + 5);
    for (std::string_view table : kLargeTables) {
      if (rest.substr(0, table.size()) == table &&
          (rest.size() == table.size() || rest[table.size()] == ' ')) {
        found += line.substr(at) + "\n";
      }
    }
  }
  return found;
}

}  // namespace

int main(int argc, char** argv) {
  pipedeck::SqliteOptions options;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--db") == 0) options.path = argv[i + 1];
  }
  if (options.path.empty()) {
    std::cerr << "usage: explain_plans --db FILE\n";
    return 2;
  }
  options.create_if_missing = false;
  auto plans = pipedeck::ExplainSqliteQueryPlans(options);
  if (!plans.ok()) {
    std::cerr << "explain_plans: " << plans.status().ToString() << "\n";
    return 1;
  }
  for (const auto& p : *plans) {
    const std::string scans = FullScans(p.plan);
    std::cout << "#### " << p.name << "\n\n"
              << (scans.empty() ? "No full scan of a large table.\n\n"
                                : "**Full scan of a large table:** `" +
                                      scans.substr(0, scans.size() - 1) + "`\n\n")
              << "```sql\n"
              << p.sql << "\n```\n\n```\n"
              << p.plan << (p.plan.empty() || p.plan.back() != '\n' ? "\n" : "") << "```\n\n";
  }
  return 0;
}
