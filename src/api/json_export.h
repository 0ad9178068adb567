// Exporting a workspace's records as JSON: one array of the native API's records (the same
// objects GET /api/deals/{id} answers), for `pipedeck export --format json` and
// GET /api/{object}/export?format=json.
#pragma once

#include "api/json_mapping.h"
#include "core/import_columns.h"
#include "core/status.h"
#include "service/exporter.h"
#include "service/workspace.h"

namespace pipedeck {

// Writes every record of `object`, in id order, as a JSON array to `sink`, reading the store a
// page at a time. Errors: the store's; the sink's.
Status ExportJson(Workspace& ws, ImportObject object, const JsonOut& out, const ExportSink& sink);

}  // namespace pipedeck
