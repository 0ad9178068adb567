#include "cli/csv_commands.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <string_view>
#include <vector>

#include "api/json_export.h"
#include "core/csv.h"
#include "core/import_columns.h"
#include "core/text.h"
#include "service/exporter.h"
#include "service/importer.h"
#include "service/system_clock.h"
#include "service/workspace.h"
#include "store/sqlite/sqlite_store.h"

namespace pipedeck {
namespace {

int Failed(const Status& status) {
  std::cerr << "error: " << status.ToString() << "\n";
  return 1;
}

// A reader over a file, for ImportCsv.
ImportSource FileSource(std::ifstream& in) {
  return [&in](char* buffer, size_t capacity) -> Result<size_t> {
    in.read(buffer, static_cast<std::streamsize>(capacity));
    if (in.bad()) return Status::Internal("reading the file failed");
    return static_cast<size_t>(in.gcount());
  };
}

// The mapping file: header `column,field`, then one row per column.
Result<std::vector<ColumnMapping>> ReadMapping(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("no mapping file at " + path, "--mapping");
  std::vector<ColumnMapping> mapping;
  CsvReader reader;
  auto on_record = [&](const CsvRecord& r) -> Status {
    if (r.number == 1) {
      if (r.fields.size() < 2 || FoldCase(r.fields[0]) != "column" ||
          FoldCase(r.fields[1]) != "field") {
        return Status::Invalid("--mapping", "the mapping file's header must be: column,field");
      }
      return Status::Ok();
    }
    if (r.fields.size() != 2) {
      return Status::Invalid("--mapping", "line " + std::to_string(r.line) +
                                              ": a mapping row is a column and a field");
    }
    mapping.push_back({std::string(r.fields[0]), std::string(r.fields[1])});
    return Status::Ok();
  };
  std::vector<char> buffer(1 << 16);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    PD_RETURN_IF_ERROR(
        reader.Feed(std::string_view(buffer.data(), static_cast<size_t>(in.gcount())), on_record));
  }
  PD_RETURN_IF_ERROR(reader.Finish(on_record));
  return mapping;
}

std::string Grouped(int64_t n) {
  std::string digits = std::to_string(n);
  for (int i = static_cast<int>(digits.size()) - 3; i > 0; i -= 3) digits.insert(i, ",");
  return digits;
}

void PrintReport(const ImportReport& r, std::ostream& out) {
  const std::string object = ImportObjectName(r.object);
  if (r.dry_run) out << "Dry run: nothing was changed; this is what the import would do.\n";
  if (r.bulk_load) out << "Bulk load: indexes and totals were rebuilt once at the end.\n";
  if (!r.detected.empty()) out << "Columns: " << r.detected << " export\n";
  if (!r.ignored_columns.empty()) {
    out << "Ignored columns:";
    for (size_t i = 0; i < r.ignored_columns.size(); ++i) {
      out << (i ? ", " : " ") << '"' << r.ignored_columns[i] << '"';
    }
    out << "\n";
  }
  const char* verb = r.dry_run ? "would be " : "";
  out << "Rows: " << Grouped(r.rows) << "\n";
  out << "Created: " << Grouped(r.created) << " " << object << (r.dry_run ? " (would be)" : "")
      << "\n";
  out << "Updated: " << Grouped(r.updated) << " " << object << (r.dry_run ? " (would be)" : "")
      << "\n";
  if (r.linked_created > 0) {
    out << "Linked records created: " << Grouped(r.linked_created) << " (" << verb
        << "organizations and persons the rows named)\n";
  }
  out << "Refused: " << Grouped(r.failed) << " rows\n";
  for (const ImportRowError& e : r.errors) {
    out << "  row " << e.row;
    if (!e.column.empty()) out << ", column \"" << e.column << "\"";
    out << ": " << e.reason << "\n";
  }
}

}  // namespace

CLI::App* AddImportCommand(CLI::App& app, ImportArgs& a) {
  CLI::App* cmd = app.add_subcommand(
      "import", "Import deals, persons, organizations, activities or notes from CSV");
  cmd->add_option("object", a.object, "What the file holds")
      ->required()
      ->check(CLI::IsMember({"deals", "persons", "organizations", "activities", "notes"}));
  cmd->add_option("--db", a.db, "SQLite database file")->required();
  cmd->add_option("--file", a.file, "The CSV file (UTF-8, with or without a byte order mark)")
      ->required()
      ->check(CLI::ExistingFile);
  cmd->add_option("--mapping", a.mapping, "CSV file naming the field of columns: column,field")
      ->check(CLI::ExistingFile);
  cmd->add_flag("--dry-run", a.dry_run, "Report what would be imported; change nothing");
  cmd->add_flag("--bulk", a.bulk,
                "Deals only: load them in bulk into a workspace without deals (a first "
                "migration; stop the server first)");
  cmd->add_option("--as", a.as_email,
                  "Import as this user (email): the default owner of what is created");
  return cmd;
}

int RunImport(const ImportArgs& args) {
  ImportOptions options;
  options.object = *ParseImportObject(args.object);
  options.dry_run = args.dry_run;
  options.bulk_load = args.bulk;
  if (!args.mapping.empty()) {
    Result<std::vector<ColumnMapping>> mapping = ReadMapping(args.mapping);
    if (!mapping.ok()) return Failed(mapping.status());
    options.mapping = std::move(mapping).value();
  }
  std::ifstream in(args.file, std::ios::binary);
  if (!in) return Failed(Status::NotFound("cannot open " + args.file, "--file"));

  SqliteOptions store_options;
  store_options.path = args.db;
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(store_options);
  if (!store.ok()) return Failed(store.status());
  SystemClock clock;
  Workspace ws(**store, clock);
  // As the given user, else as the first active admin.
  std::optional<User> actor;
  ListQuery q;
  q.limit = 500;
  for (bool more = true; more && !actor;) {
    Result<Page<User>> page = ws.ListUsers(q);
    if (!page.ok()) return Failed(page.status());
    for (const User& u : page->items) {
      const bool wanted = args.as_email.empty() ? (u.active && u.role == Role::kAdmin)
                                                : FoldCase(u.email) == FoldCase(args.as_email);
      if (wanted) {
        actor = u;
        break;
      }
    }
    more = !page->next_cursor.empty();
    q.cursor = page->next_cursor;
  }
  if (!actor) {
    (*store)->Close();
    return Failed(args.as_email.empty()
                      ? Status::NotFound("the workspace has no active admin")
                      : Status::NotFound("no user with email " + args.as_email, "--as"));
  }
  auto progress = [](const ImportReport& r) {
    std::fprintf(stderr, "\r  %s rows read: %s created, %s updated, %s refused   ",
                 Grouped(r.rows).c_str(), Grouped(r.created).c_str(), Grouped(r.updated).c_str(),
                 Grouped(r.failed).c_str());
    std::fflush(stderr);
  };
  Result<ImportReport> report =
      ImportCsv(**store, clock, *actor, options, FileSource(in), progress);
  std::fprintf(stderr, "\n");
  (*store)->Close();
  if (!report.ok()) return Failed(report.status());
  PrintReport(*report, std::cout);
  return report->failed > 0 ? 3 : 0;
}

CLI::App* AddExportCommand(CLI::App& app, ExportArgs& a) {
  CLI::App* cmd = app.add_subcommand(
      "export", "Export deals, persons, organizations, activities or notes as CSV");
  cmd->add_option("object", a.object, "What to export")
      ->required()
      ->check(CLI::IsMember({"deals", "persons", "organizations", "activities", "notes"}));
  cmd->add_option("--db", a.db, "SQLite database file")->required();
  cmd->add_option("--file", a.file, "Where to write it (default: standard output)");
  cmd->add_option("--format", a.format, "csv (re-importable) or json (the API's records)")
      ->check(CLI::IsMember({"csv", "json"}))
      ->capture_default_str();
  return cmd;
}

int RunExport(const ExportArgs& args) {
  SqliteOptions store_options;
  store_options.path = args.db;
  Result<std::unique_ptr<Store>> store = OpenSqliteStore(store_options);
  if (!store.ok()) return Failed(store.status());
  std::ofstream file;
  if (!args.file.empty()) {
    file.open(args.file, std::ios::binary | std::ios::trunc);
    if (!file) {
      (*store)->Close();
      return Failed(Status::Invalid("--file", "cannot write " + args.file));
    }
  }
  std::ostream& out = args.file.empty() ? std::cout : file;
  auto sink = [&](std::string_view text) {
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    return out ? Status::Ok() : Status::Internal("writing the export failed");
  };
  const ImportObject object = *ParseImportObject(args.object);
  SystemClock clock;
  Workspace ws(**store, clock);
  Status status = args.format == "json" ? ExportJson(ws, object, JsonOut{clock.Now()}, sink)
                                        : ws.ExportCsv(object, sink);
  (*store)->Close();
  if (status.ok()) out.flush();
  if (!status.ok() || !out)
    return Failed(status.ok() ? Status::Internal("writing failed") : status);
  return 0;
}

}  // namespace pipedeck
