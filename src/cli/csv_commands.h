// `pipedeck import` and `pipedeck export`: CSV files into and out of the workspace
// (service/importer.h, service/exporter.h, docs/import.md).
//
//   pipedeck import <object> --db FILE --file CSV [--mapping CSV] [--dry-run] [--as EMAIL]
//
// <object>: deals, persons, organizations, activities or notes.
//
// --mapping names the field of columns the header does not make clear: a CSV file with the
// header `column,field` and one row per column (an empty field ignores the column). Progress goes
// to stderr; the report (what was created, updated and refused, and why, row by row) to stdout.
// Exit status: 0 when every row went in, 3 when some rows were refused (the others went in), 1
// when the file could not be imported at all (nothing went in).
//
//   pipedeck export <object> --db FILE [--file OUT] [--format csv|json]
//
// writes every record of the object (to stdout without --file): as CSV with the columns `import`
// reads back, or as a JSON array of the records exactly as the native API writes them.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace pipedeck {

struct ImportArgs {
  std::string object, db, file, mapping, as_email;
  bool dry_run = false;
  bool bulk = false;
};

// Adds the `import` subcommand to `app`, filling `args`.
CLI::App* AddImportCommand(CLI::App& app, ImportArgs& args);

// Runs it; returns the exit status.
int RunImport(const ImportArgs& args);

struct ExportArgs {
  std::string object, db, file, format = "csv";
};
CLI::App* AddExportCommand(CLI::App& app, ExportArgs& args);
int RunExport(const ExportArgs& args);

}  // namespace pipedeck
