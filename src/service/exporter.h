// Exporting a workspace's deals, persons, organizations, activities or notes as CSV
// (docs/import.md): one header row of the names the importer reads back (core/import_columns.h) and
// one row per record, so that an export re-imports into the same records (by `id`) without loss of
// what the columns hold.
//
// Values as the importer takes them: money in major units of the row's currency ("1500.50"),
// dates YYYY-MM-DD, links by name (an owner by email, unique among users), several emails or
// phones separated by "; ". Instants (created_at, updated_at) in ISO 8601 UTC, for reading.
#pragma once

#include <functional>
#include <string_view>

#include "core/import_columns.h"
#include "core/status.h"
#include "store/store.h"

namespace pipedeck {

// Where the exported text goes, in pieces.
using ExportSink = std::function<Status(std::string_view text)>;

// Writes every record of `object`, in id order, as CSV to `sink`, reading the store in pages.
// Activities and notes name their deal by id (titles repeat). Errors: the store's; the sink's.
Status ExportCsv(Store& store, ImportObject object, const ExportSink& sink);

}  // namespace pipedeck
