// Records to JSON and JSON request bodies to patches, exactly as docs/api.md describes them.
//
// Each record type has one field table (json_mapping.cc) that names every wire field with its
// type and access (read-only, required on create, create-only, nullable). The same table drives
// the strict parsing of request bodies and the component schemas of the OpenAPI document, so the
// documentation cannot drift from what the server accepts.
//
// Parsing is strict: the body must be a JSON object; unknown fields, read-only fields and values
// of the wrong JSON type are rejected with kInvalid naming the field ("emails[1].value").
// Integers must be JSON integers within range. `null` clears a clearable field, empties an
// optional text or list field, and is rejected elsewhere. Value rules (lengths, ranges, references)
// are left to core and the workspace.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/value.hpp>

#include "api/json_text.h"
#include "api/object_writer.h"
#include "core/metrics.h"
#include "core/model.h"
#include "core/stage_templates.h"
#include "core/status.h"
#include "core/time.h"
#include "service/accounts.h"
#include "service/workspace.h"

namespace pipedeck {

// ---- Wire description (shared with the OpenAPI document) ------------------------------------

enum class WireType {
  kString,
  kInt32,
  kInt64,
  kId,      // positive 64-bit integer naming a record
  kNumber,  // JSON number (card position)
  kBool,
  kDate,        // "YYYY-MM-DD"
  kTime,        // "HH:MM"
  kInstant,     // ISO 8601 UTC
  kEnum,        // one of the '|'-separated strings in `detail`
  kObject,      // an object of the component schema named in `detail` (empty: any object)
  kArray,       // an array of `detail` objects
  kIdList,      // an array of ids
  kStringList,  // an array of strings
  kNameMap,     // an object mapping record ids (as strings) to names
};

// The values of the enumerations on the wire ('|'-separated, as WireField::detail).
inline constexpr std::string_view kDealStatusValues = "open|won|lost";
inline constexpr std::string_view kHealthFlagValues =
    "rotting|stuck|overdue|no_next_activity|stage_overload|late_stage_overload|thin_pipeline|"
    "unqualified_effort|aged";
inline constexpr std::string_view kQuotaScopeValues = "user|team|company";
inline constexpr std::string_view kQuotaPeriodValues = "week|month|quarter";
inline constexpr std::string_view kQuotaMetricValues = "won_value|deals_won|activities_done";
inline constexpr std::string_view kExportFormatValues = "csv|json";
inline constexpr std::string_view kImportObjectValues =
    "deals|persons|organizations|activities|notes";
// "must be one of: a, b, c" for the '|'-separated `values`.
std::string OneOfMessage(std::string_view values);

// WireField::flags
inline constexpr unsigned kReadOnly = 1;      // sent by the server, rejected in bodies
inline constexpr unsigned kNullable = 2;      // may be null in responses; null clears it in bodies
inline constexpr unsigned kRequired = 4;      // must be present on create
inline constexpr unsigned kCreateOnly = 8;    // accepted on create, rejected on update
inline constexpr unsigned kWriteOnly = 16;    // accepted in bodies, never sent back
inline constexpr unsigned kNullEmpties = 32;  // null in a body sets the empty value

struct WireField {
  constexpr WireField(std::string_view n, WireType t = WireType::kString, unsigned f = 0,
                      std::string_view d = {})
      : name(n), type(t), flags(f), detail(d) {}

  std::string_view name;
  WireType type;
  unsigned flags;
  std::string_view detail;  // kEnum: "a|b|c"; kObject/kArray: component schema name
};

// A component schema of the OpenAPI document.
struct SchemaDoc {
  std::string_view name;
  std::string_view description;
  std::vector<WireField> fields;
};

// Every record and response schema, in a stable order.
const std::vector<SchemaDoc>& WireSchemas();

// ---- Records to JSON ---------------------------------------------------------------------------
//
// Responses are written as text straight into the response body (api/json_text.h): a record's
// WriteJson appends one JSON object with the fields of its schema, in the schema's order, through
// ObjectWriter (api/object_writer.h). Nullable fields are written as null when empty; doubles keep
// a decimal point ("position": 1024.0). The reports' writers are in api/report_json.h.

// The answer to a sign-in and to GET /api/auth/session.
struct SessionView {
  User user;
  std::string csrf_token;
  Timestamp expires_at;
};

void WriteJson(const User& u, const JsonOut& out, JsonText& w);
void WriteJson(const ApiToken& t, const JsonOut& out, JsonText& w);
void WriteJson(const NewToken& t, const JsonOut& out, JsonText& w);  // the token plus its secret
void WriteJson(const SessionView& s, const JsonOut& out, JsonText& w);
void WriteJson(const NewPasswordReset& r, const JsonOut& out, JsonText& w);  // with its code
void WriteJson(const AuditEntry& e, const JsonOut& out, JsonText& w);
void WriteJson(const Workspace::OwnershipTransfer& t, const JsonOut& out, JsonText& w);
void WriteJson(const FieldChange& c, const JsonOut& out, JsonText& w);
void WriteJson(const Pipeline& p, const JsonOut& out, JsonText& w);
void WriteJson(const Stage& s, const JsonOut& out, JsonText& w);
void WriteJson(const Organization& o, const JsonOut& out, JsonText& w);
void WriteJson(const Person& p, const JsonOut& out, JsonText& w);
void WriteJson(const Deal& d, const JsonOut& out, JsonText& w);
void WriteJson(const StageEvent& e, const JsonOut& out, JsonText& w);
void WriteJson(const LostReason& r, const JsonOut& out, JsonText& w);
void WriteJson(const Activity& a, const JsonOut& out, JsonText& w);  // `overdue` as of out.now
void WriteJson(const Note& n, const JsonOut& out, JsonText& w);
void WriteJson(const BoardView& b, const JsonOut& out, JsonText& w);
void WriteJson(const BoardCard& c, const JsonOut& out, JsonText& w);
void WriteJson(const WorkspaceSettings& s, const JsonOut& out, JsonText& w);
void WriteJson(const TimelineEntry& e, const JsonOut& out, JsonText& w);  // {"kind","at","data"}
void WriteJson(const StageTemplate& t, const JsonOut& out, JsonText& w);
void WriteJson(const Team& t, const JsonOut& out, JsonText& w);
void WriteJson(const Quota& q, const JsonOut& out, JsonText& w);
void WriteJson(const FlagSnooze& s, const JsonOut& out, JsonText& w);
void WriteJson(const HealthSettings& s, const JsonOut& out, JsonText& w);
// The report of an import: its first kMaxReportedImportErrors row errors, `errors_omitted` the
// rest.
void WriteJson(const ImportReport& r, const JsonOut& out, JsonText& w);
inline constexpr size_t kMaxReportedImportErrors = 1000;
// Parts of the records above, written inside them.
void WriteJson(const ContactPoint& c, const JsonOut& out, JsonText& w);
void WriteJson(const CurrencyTotal& t, const JsonOut& out, JsonText& w);
void WriteJson(const BoardColumnView& c, const JsonOut& out, JsonText& w);
void WriteJson(const StageTemplateStage& s, const JsonOut& out, JsonText& w);
void WriteJson(const ImportColumnUse& c, const JsonOut& out, JsonText& w);
void WriteJson(const ImportRowError& e, const JsonOut& out, JsonText& w);

// The same records as parsed values, for tests and tools: WriteJson's text parsed back. Not for
// the request path, where it would build the document tree WriteJson exists to avoid.
boost::json::value ToJson(const User& u, const JsonOut& out);
boost::json::value ToJson(const ApiToken& t, const JsonOut& out);
boost::json::value ToJson(const NewToken& t, const JsonOut& out);
boost::json::value ToJson(const Pipeline& p, const JsonOut& out);
boost::json::value ToJson(const Stage& s, const JsonOut& out);
boost::json::value ToJson(const Organization& o, const JsonOut& out);
boost::json::value ToJson(const Person& p, const JsonOut& out);
boost::json::value ToJson(const Deal& d, const JsonOut& out);
boost::json::value ToJson(const StageEvent& e, const JsonOut& out);
boost::json::value ToJson(const LostReason& r, const JsonOut& out);
boost::json::value ToJson(const Activity& a, const JsonOut& out);
boost::json::value ToJson(const Note& n, const JsonOut& out);
boost::json::value ToJson(const BoardView& b, const JsonOut& out);
boost::json::value ToJson(const TimelineEntry& e, const JsonOut& out);
boost::json::value ToJson(const StageTemplate& t, const JsonOut& out);
boost::json::value ToJson(const Team& t, const JsonOut& out);
boost::json::value ToJson(const Quota& q, const JsonOut& out);
boost::json::value ToJson(const FlagSnooze& s, const JsonOut& out);
boost::json::value ToJson(const HealthSettings& s, const JsonOut& out);

// ---- Request bodies to patches -----------------------------------------------------------------

enum class BodyMode { kCreate, kUpdate };

// Bodies that carry more than a record patch.
struct PipelineInput : PipelinePatch {
  std::optional<std::string> template_key;  // "template": stages to create with the pipeline
};
struct StageInput : StagePatch {
  std::optional<Id> pipeline_id;  // create only
};
struct MoveInput {
  std::optional<Id> stage_id;
  std::optional<int64_t> index;  // empty: bottom of the stage
};
struct LostInput {
  std::optional<std::string> lost_reason;
  std::optional<Id> lost_reason_id;
};
struct TokenInput {
  std::optional<std::string> name;
};
// POST /api/users/{id}/transfer.
struct TransferInput {
  std::optional<Id> to_user_id;
};
// POST /api/auth/sign-in.
struct SignInInput {
  std::optional<std::string> email;
  std::optional<std::string> password;
};
// POST /api/auth/password: the signed-in user's own change.
struct PasswordChangeInput {
  std::optional<std::string> current_password;
  std::optional<std::string> new_password;
};
// POST /api/auth/password-reset: redeeming an admin's reset code.
struct PasswordResetInput {
  std::optional<std::string> code;
  std::optional<std::string> new_password;
};
// Bodies of actions without parameters (won, reopen): empty, or an empty object.
struct EmptyInput {};
// POST /api/deals/{id}/snoozes.
struct SnoozeInput {
  std::optional<HealthFlag> flag;
  std::optional<Date> until;
  std::optional<std::string> reason;
};
// PATCH /api/health-settings: the fields sent replace those of the current settings.
struct HealthSettingsPatch {
  std::optional<int32_t> stuck_percentile, stuck_min_samples;
  std::optional<double> overload_factor;
  std::optional<int32_t> overload_min_deals, late_stage_limit;
  std::optional<std::vector<Id>> late_stage_ids;
  std::optional<double> coverage_target;
  std::optional<int32_t> aged_percentile;
  std::optional<std::vector<std::string>> unqualified_reasons;
  std::optional<int32_t> lookback_days;
};
HealthSettings Apply(HealthSettings s, const HealthSettingsPatch& p);
// POST /api/deals/bulk: one cleanup action on many deals. Each action takes only its own fields:
// reassign owner_id (required); last_chance due_date and subject; mark_lost lost_reason and
// lost_reason_id.
enum class BulkAction { kReassign, kLastChance, kMarkLost };
inline constexpr std::string_view kBulkActionValues = "reassign|last_chance|mark_lost";
std::string_view BulkActionName(BulkAction a);
struct BulkInput {
  std::optional<BulkAction> action;
  std::optional<std::vector<Id>> deal_ids;
  std::optional<Id> owner_id;
  std::optional<Date> due_date;
  std::optional<std::string> subject;
  std::optional<std::string> lost_reason;
  std::optional<Id> lost_reason_id;
};

// Parses `body` into `out`. Errors: kMalformed when the body is not JSON (naming the line and
// column) or not an object; kInvalid naming the field otherwise. On error `out` is unspecified.
Status ReadBody(std::string_view body, BodyMode mode, UserPatch* out);
Status ReadBody(std::string_view body, BodyMode mode, PipelineInput* out);
Status ReadBody(std::string_view body, BodyMode mode, StageInput* out);
Status ReadBody(std::string_view body, BodyMode mode, OrganizationPatch* out);
Status ReadBody(std::string_view body, BodyMode mode, PersonPatch* out);
Status ReadBody(std::string_view body, BodyMode mode, DealPatch* out);
Status ReadBody(std::string_view body, BodyMode mode, LostReasonPatch* out);
Status ReadBody(std::string_view body, BodyMode mode, ActivityPatch* out);
Status ReadBody(std::string_view body, BodyMode mode, NotePatch* out);
Status ReadBody(std::string_view body, BodyMode mode, MoveInput* out);
Status ReadBody(std::string_view body, BodyMode mode, LostInput* out);
Status ReadBody(std::string_view body, BodyMode mode, TokenInput* out);
Status ReadBody(std::string_view body, BodyMode mode, SignInInput* out);
Status ReadBody(std::string_view body, BodyMode mode, TransferInput* out);
Status ReadBody(std::string_view body, BodyMode mode, PasswordChangeInput* out);
Status ReadBody(std::string_view body, BodyMode mode, PasswordResetInput* out);
Status ReadBody(std::string_view body, BodyMode mode, TeamPatch* out);
Status ReadBody(std::string_view body, BodyMode mode, QuotaPatch* out);
Status ReadBody(std::string_view body, BodyMode mode, SnoozeInput* out);
Status ReadBody(std::string_view body, BodyMode mode, HealthSettingsPatch* out);
// Also rejects a field that does not belong to the action, naming it.
Status ReadBody(std::string_view body, BodyMode mode, BulkInput* out);
// An empty body is accepted here (and only here).
Status ReadBody(std::string_view body, BodyMode mode, EmptyInput* out);

}  // namespace pipedeck
