// The audit log's vocabulary: who changed which record when, and each field's value before and
// after. The service layer records an entry for every create, update and delete it stores
// (service/auditing_store.h); this header says what a record's audited fields are and how two
// versions of a record differ.
//
// Values are text as the API writes them (ids and numbers in decimal, dates and instants in ISO
// 8601, enums by name, money as minor units with the currency in its own field, a person's emails
// and phones as "value (label)" joined by ", "); an empty value is "". Bookkeeping that changes
// with every write (version, updated_at) and values derived from other records (a deal's board
// position, next and last activity dates, stage change time) are not audited.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model.h"

namespace pipedeck {

enum class AuditAction { kCreate, kUpdate, kDelete };
const char* AuditActionName(AuditAction a);  // "create", "update", "delete"
std::optional<AuditAction> ParseAuditAction(std::string_view s);

struct FieldChange {
  std::string field;
  std::string before;  // "" on create
  std::string after;   // "" on delete
  bool operator==(const FieldChange&) const = default;
};

struct AuditEntry {
  Id id = 0;
  Timestamp at;
  Id user_id = 0;      // who made the change
  AuditAction action = AuditAction::kUpdate;
  std::string object;  // "deal", "person", ... (the API's record names)
  Id record_id = 0;
  std::vector<FieldChange> changes;  // in the record's field order
};

// A record's audited fields, name and value, in a fixed order; every field is listed, empty
// values included.
struct AuditedField {
  std::string_view name;
  std::string value;
};
std::vector<AuditedField> AuditedFields(const User& r);
std::vector<AuditedField> AuditedFields(const Team& r);
std::vector<AuditedField> AuditedFields(const Quota& r);
std::vector<AuditedField> AuditedFields(const ApiToken& r);  // name and prefix, never the secret
std::vector<AuditedField> AuditedFields(const Pipeline& r);
std::vector<AuditedField> AuditedFields(const Stage& r);
std::vector<AuditedField> AuditedFields(const Organization& r);
std::vector<AuditedField> AuditedFields(const Person& r);
std::vector<AuditedField> AuditedFields(const Deal& r);
std::vector<AuditedField> AuditedFields(const LostReason& r);
std::vector<AuditedField> AuditedFields(const Activity& r);
std::vector<AuditedField> AuditedFields(const Note& r);

// The fields whose values differ between `before` and `after`: for a create pass nothing as
// `before` (every non-empty field of `after` is listed), for a delete nothing as `after`.
template <typename T>
std::vector<FieldChange> AuditChanges(const std::optional<T>& before,
                                      const std::optional<T>& after);

// Filters of the audit log; entries come newest first.
struct AuditQuery {
  std::string object;             // empty: every kind
  std::optional<Id> record_id;    // with object
  std::optional<Id> user_id;      // who
  std::optional<Timestamp> from;  // at >= from
  std::optional<Timestamp> to;    // at < to
  std::optional<Id> before_id;    // the page after the entry with this id (newest first)
  int limit = 50;                 // 1..500
};

}  // namespace pipedeck
