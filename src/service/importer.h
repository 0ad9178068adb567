// Importing CSV files into a workspace (docs/import.md): each data row becomes, or updates, one
// deal, person, organization, activity or note through the workspace's own use cases, so an
// imported record obeys exactly the rules of one created by hand.
//
// - Columns are matched by MatchColumns (core/import_columns.h): Pipedeck's, Pipedrive's and
//   HubSpot's export headers, or an explicit mapping.
// - Good rows go in and bad rows are reported (row, column, reason): rows are committed in
//   batches, each row inside a savepoint of its batch, so a bad row changes nothing.
// - Dedupe and upsert: a row with Pipedeck's `id` updates that record; a row with another
//   system's id updates the record an earlier import made from it (StoreTx::FindExternalKey); a
//   person whose email, an organization whose name (ignoring case) matches one updates it.
// - Links by name (or email, or id): the owner must be a user; a deal's or person's organization
//   and a deal's person are found, or created when the row names one that does not exist yet;
//   an activity's or note's deal is found by id or by a title only one deal has.
// - A dry run does all of it inside one transaction and rolls it back: the report says what
//   would be created, updated and refused.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/import_columns.h"
#include "core/model.h"
#include "core/status.h"
#include "core/time.h"
#include "store/store.h"

namespace pipedeck {

struct ImportOptions {
  ImportObject object = ImportObject::kDeals;
  std::vector<ColumnMapping> mapping;
  bool dry_run = false;
  size_t rows_per_commit = 1000;
  // Deals only, into a workspace that has no deals yet, with nothing else writing to it (a first
  // migration, the server stopped): the rows go through the same use cases, but what they write
  // is handed to the store's BulkWriter (service/bulk_load.h), which rebuilds indexes and totals
  // at the end. Not atomic: a failure part-way keeps what was loaded. An external id that comes
  // back on a later row is refused there instead of updating the deal. Ignored by a dry run.
  bool bulk_load = false;
};

// A row that was not imported: `row` counts the file's records as a spreadsheet numbers its rows
// (the header is row 1); `column` is the header of the column at fault, empty for the whole row.
struct ImportRowError {
  int64_t row = 0;
  std::string column;
  std::string reason;
};

// A column of the file and the field it filled: empty for a column that was ignored.
struct ImportColumnUse {
  std::string column;
  std::string field;
};

struct ImportReport {
  ImportObject object = ImportObject::kDeals;
  bool dry_run = false;
  bool bulk_load = false;                // went through the bulk loader (ImportOptions::bulk_load)
  std::string detected;                  // "pipedrive", "hubspot", "pipedeck" or ""
  std::vector<ImportColumnUse> columns;  // every column of the header, in file order
  std::vector<std::string> ignored_columns;
  int64_t rows = 0;     // data rows read
  int64_t created = 0;  // records of `object` created (or that would be, in a dry run)
  int64_t updated = 0;
  int64_t failed = 0;
  // Organizations and persons created because a row linked to one that did not exist.
  int64_t linked_created = 0;
  std::vector<ImportRowError> errors;  // in row order
};

// The file's next bytes into `buffer` (at most `capacity`); 0 at its end.
using ImportSource = std::function<Result<size_t>(char* buffer, size_t capacity)>;
// Called after each committed batch (and at the end) with the report so far.
using ImportProgress = std::function<void(const ImportReport&)>;

// Imports the CSV file `source` as `actor`. Errors (nothing imported): kInvalid "csv" for a file
// that is not CSV, "columns"/"mapping" for a header that cannot be matched (MatchColumns),
// "bulk_load" for a bulk load of anything but deals or into a workspace that has deals, and the
// store's. A file whose syntax breaks after some rows stops there with that error; the rows
// before it that were committed stay (none, in a dry run).
Result<ImportReport> ImportCsv(Store& store, const Clock& clock, const User& actor,
                               const ImportOptions& options, const ImportSource& source,
                               const ImportProgress& progress = {});

}  // namespace pipedeck
