// Which column of an imported CSV file holds which field (docs/import.md).
//
// The header row is matched against the names Pipedeck's own export, Pipedrive's export
// ("Deal - Title", "Person - Email") and HubSpot's export ("Deal Name", "Amount", "Record ID")
// use, compared without case, spaces or punctuation. An explicit mapping (CSV header name →
// field) overrides the guess for the columns it names; columns nobody claims are ignored and
// listed. Pure: no I/O.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace pipedeck {

// What a file imports.
enum class ImportObject { kDeals, kPersons, kOrganizations, kActivities, kNotes };
const char* ImportObjectName(ImportObject o);  // "deals", "persons", ...
std::optional<ImportObject> ParseImportObject(std::string_view s);

// The fields a column can fill, per object (ImportFields). `id` is Pipedeck's own id (upsert of
// a re-imported export); `external_id` another system's (kept, so that importing the same file
// twice updates instead of duplicating).
enum class ImportField {
  kId,
  kExternalId,
  kTitle,  // deals
  kValue,
  kCurrency,
  kPipeline,
  kStage,
  kStatus,
  kLostReason,
  kExpectedCloseDate,
  kProbability,
  kSource,
  kName,  // persons, organizations
  kFirstName,
  kLastName,
  kEmail,
  kPhone,
  kAddress,
  kOwner,  // links: by name, email or id
  kPerson,
  kOrganization,
  kDeal,
  kSubject,  // activities
  kType,
  kDueDate,
  kDueTime,
  kDuration,
  kDone,
  kNote,
  kContent,  // notes
  kPinned,
};
const char* ImportFieldName(ImportField f);  // "title", "expected_close_date", ...

// The fields `object` takes, in documentation order, and those it requires (a persons file needs
// a name, or a first or last name).
std::vector<ImportField> ImportFields(ImportObject object);

// One column's field; fields are filled from at most one column.
struct ImportColumns {
  std::vector<std::optional<ImportField>> field_of_column;  // by column index
  std::vector<std::string> ignored;                         // headers no field took
  std::string detected;  // "pipedeck", "pipedrive", "hubspot" or "" (mixed or unknown names)

  // The column of `f`, or -1.
  int ColumnOf(ImportField f) const;
};

// An explicit mapping: header name → field name, as read from a mapping file.
struct ColumnMapping {
  std::string column, field;
};

// Matches `header` for `object`. Errors (kInvalid): "mapping" for a mapping naming a column the
// header lacks or a field the object does not have; "columns" when two columns fill one field
// or a required field has no column, naming them.
Result<ImportColumns> MatchColumns(ImportObject object, const std::vector<std::string>& header,
                                   const std::vector<ColumnMapping>& mapping);

}  // namespace pipedeck
