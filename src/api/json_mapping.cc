#include "api/json_mapping.h"

#include <algorithm>
#include <cassert>
#include <limits>
#include <type_traits>
#include <utility>
#include <variant>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parser.hpp>

#include "api/report_json.h"
#include "core/deal_rules.h"

namespace pipedeck {
namespace json = boost::json;
namespace {

// ---- Field tables ------------------------------------------------------------------------------

// The patch member a wire field writes to; std::monostate for read-only fields. Every alternative
// is std::optional<T> (plain optional fields) or Clearable<T> (fields that null clears).
template <typename P>
using Target =
    std::variant<std::monostate, std::optional<std::string> P::*, std::optional<int32_t> P::*,
                 std::optional<int64_t> P::*, std::optional<bool> P::*, std::optional<Date> P::*,
                 std::optional<double> P::*, std::optional<Role> P::*,
                 std::optional<PipelineVisibility> P::*,
                 std::optional<ActivityType> P::*, std::optional<QuotaScope> P::*,
                 std::optional<QuotaPeriod> P::*, std::optional<QuotaMetric> P::*,
                 std::optional<HealthFlag> P::*, std::optional<BulkAction> P::*,
                 std::optional<std::vector<ContactPoint>> P::*, std::optional<std::vector<Id>> P::*,
                 std::optional<std::vector<std::string>> P::*, Clearable<int32_t> P::*,
                 Clearable<int64_t> P::*, Clearable<Date> P::*, Clearable<TimeOfDay> P::*>;

template <typename P>
struct FieldSpec {
  WireField wire;
  Target<P> target;
};

template <typename P>
using FieldTable = std::vector<FieldSpec<P>>;

// A stored record's table: `id` first, then its own fields, then version and timestamps.
template <typename P>
const FieldTable<P>& RecordTable(std::initializer_list<FieldSpec<P>> own) {
  auto* table = new FieldTable<P>();
  table->push_back({{"id", WireType::kId, kReadOnly}, {}});
  table->insert(table->end(), own);
  table->push_back({{"version", WireType::kInt64, kReadOnly}, {}});
  table->push_back({{"created_at", WireType::kInstant, kReadOnly}, {}});
  table->push_back({{"updated_at", WireType::kInstant, kReadOnly}, {}});
  return *table;
}

template <typename P>
const FieldTable<P>& PlainTable(std::initializer_list<FieldSpec<P>> fields) {
  return *new FieldTable<P>(fields);
}

constexpr std::string_view kRoles = "admin|manager|rep";
constexpr std::string_view kPipelineVisibilities = "owners|team|everyone";
constexpr std::string_view kActivityTypes = "call|meeting|email|task|deadline";
constexpr std::string_view kStageEventKinds = "created|stage_changed|won|lost|reopened";
constexpr std::string_view kTemplateKeys = "4-stage|5-stage|6-stage|7-stage";
constexpr std::string_view kErrorCodes =
    "malformed|unauthorized|forbidden|not_found|method_not_allowed|conflict|precondition_failed|"
    "too_large|rate_limited|invalid|internal";

// One email address or phone number as sent: a plain string is its value.
struct ContactPointInput {
  std::optional<std::string> value;
  std::optional<std::string> label;
  std::optional<bool> primary;
};

const FieldTable<ContactPointInput>& FieldsOf(const ContactPointInput*) {
  static const auto& table = PlainTable<ContactPointInput>({
      {{"value", WireType::kString, kRequired}, &ContactPointInput::value},
      {{"label", WireType::kString, kNullEmpties}, &ContactPointInput::label},
      {{"primary", WireType::kBool}, &ContactPointInput::primary},
  });
  return table;
}

const FieldTable<UserPatch>& FieldsOf(const UserPatch*) {
  static const auto& table = RecordTable<UserPatch>({
      {{"name", WireType::kString, kRequired}, &UserPatch::name},
      {{"email", WireType::kString, kRequired}, &UserPatch::email},
      {{"role", WireType::kEnum, 0, kRoles}, &UserPatch::role},
      {{"active", WireType::kBool}, &UserPatch::active},
      {{"team_id", WireType::kId, kNullable}, &UserPatch::team_id},
  });
  return table;
}

const FieldTable<PipelineInput>& FieldsOf(const PipelineInput*) {
  static const auto& table = RecordTable<PipelineInput>({
      {{"name", WireType::kString, kRequired}, &PipelineInput::name},
      {{"order", WireType::kInt32}, &PipelineInput::order},
      {{"active", WireType::kBool}, &PipelineInput::active},
      {{"visibility", WireType::kEnum, 0, kPipelineVisibilities}, &PipelineInput::visibility},
      {{"template", WireType::kEnum, kCreateOnly | kWriteOnly, kTemplateKeys},
       &PipelineInput::template_key},
  });
  return table;
}

const FieldTable<StageInput>& FieldsOf(const StageInput*) {
  static const auto& table = RecordTable<StageInput>({
      {{"pipeline_id", WireType::kId, kRequired | kCreateOnly}, &StageInput::pipeline_id},
      {{"name", WireType::kString, kRequired}, &StageInput::name},
      {{"order", WireType::kInt32}, &StageInput::order},
      {{"probability", WireType::kInt32}, &StageInput::probability},
      {{"rotting_days", WireType::kInt32, kNullable}, &StageInput::rotting_days},
      {{"playbook", WireType::kString, kNullEmpties}, &StageInput::playbook},
  });
  return table;
}

const FieldTable<OrganizationPatch>& FieldsOf(const OrganizationPatch*) {
  static const auto& table = RecordTable<OrganizationPatch>({
      {{"name", WireType::kString, kRequired}, &OrganizationPatch::name},
      {{"address", WireType::kString, kNullEmpties}, &OrganizationPatch::address},
      {{"owner_id", WireType::kId}, &OrganizationPatch::owner_id},
  });
  return table;
}

const FieldTable<PersonPatch>& FieldsOf(const PersonPatch*) {
  static const auto& table = RecordTable<PersonPatch>({
      {{"name", WireType::kString, kRequired}, &PersonPatch::name},
      {{"emails", WireType::kArray, kNullEmpties, "ContactPoint"}, &PersonPatch::emails},
      {{"phones", WireType::kArray, kNullEmpties, "ContactPoint"}, &PersonPatch::phones},
      {{"org_id", WireType::kId, kNullable}, &PersonPatch::org_id},
      {{"owner_id", WireType::kId}, &PersonPatch::owner_id},
  });
  return table;
}

const FieldTable<DealPatch>& FieldsOf(const DealPatch*) {
  static const auto& table = RecordTable<DealPatch>({
      {{"title", WireType::kString, kRequired}, &DealPatch::title},
      {{"value_minor", WireType::kInt64}, &DealPatch::value_minor},
      {{"currency", WireType::kString}, &DealPatch::currency},
      {{"pipeline_id", WireType::kId}, &DealPatch::pipeline_id},
      {{"stage_id", WireType::kId}, &DealPatch::stage_id},
      {{"status", WireType::kEnum, kReadOnly, kDealStatusValues}, {}},
      {{"lost_reason", WireType::kString, kReadOnly | kNullable}, {}},
      {{"expected_close_date", WireType::kDate, kNullable}, &DealPatch::expected_close_date},
      {{"owner_id", WireType::kId}, &DealPatch::owner_id},
      {{"person_id", WireType::kId, kNullable}, &DealPatch::person_id},
      {{"org_id", WireType::kId, kNullable}, &DealPatch::org_id},
      {{"source", WireType::kString, kNullEmpties}, &DealPatch::source},
      {{"position", WireType::kNumber, kReadOnly}, {}},
      {{"probability", WireType::kInt32, kNullable}, &DealPatch::probability_override},
      {{"next_activity_date", WireType::kDate, kReadOnly | kNullable}, {}},
      {{"last_activity_at", WireType::kInstant, kReadOnly | kNullable}, {}},
      {{"stage_changed_at", WireType::kInstant, kReadOnly}, {}},
      {{"closed_at", WireType::kInstant, kReadOnly | kNullable}, {}},
  });
  return table;
}

const FieldTable<LostReasonPatch>& FieldsOf(const LostReasonPatch*) {
  static const auto& table = RecordTable<LostReasonPatch>({
      {{"label", WireType::kString, kRequired}, &LostReasonPatch::label},
      {{"order", WireType::kInt32}, &LostReasonPatch::order},
      {{"active", WireType::kBool}, &LostReasonPatch::active},
  });
  return table;
}

const FieldTable<ActivityPatch>& FieldsOf(const ActivityPatch*) {
  static const auto& table = RecordTable<ActivityPatch>({
      {{"type", WireType::kEnum, 0, kActivityTypes}, &ActivityPatch::type},
      {{"subject", WireType::kString, kRequired}, &ActivityPatch::subject},
      {{"due_date", WireType::kDate}, &ActivityPatch::due_date},
      {{"due_time", WireType::kTime, kNullable}, &ActivityPatch::due_time},
      {{"duration_minutes", WireType::kInt32}, &ActivityPatch::duration_minutes},
      {{"done", WireType::kBool}, &ActivityPatch::done},
      {{"done_at", WireType::kInstant, kReadOnly | kNullable}, {}},
      {{"deal_id", WireType::kId, kNullable}, &ActivityPatch::deal_id},
      {{"person_id", WireType::kId, kNullable}, &ActivityPatch::person_id},
      {{"org_id", WireType::kId, kNullable}, &ActivityPatch::org_id},
      {{"owner_id", WireType::kId}, &ActivityPatch::owner_id},
      {{"note", WireType::kString, kNullEmpties}, &ActivityPatch::note},
      {{"overdue", WireType::kBool, kReadOnly}, {}},
  });
  return table;
}

const FieldTable<NotePatch>& FieldsOf(const NotePatch*) {
  static const auto& table = RecordTable<NotePatch>({
      {{"content", WireType::kString, kRequired}, &NotePatch::content},
      {{"deal_id", WireType::kId, kNullable}, &NotePatch::deal_id},
      {{"person_id", WireType::kId, kNullable}, &NotePatch::person_id},
      {{"org_id", WireType::kId, kNullable}, &NotePatch::org_id},
      {{"user_id", WireType::kId, kReadOnly}, {}},
      {{"pinned", WireType::kBool}, &NotePatch::pinned},
  });
  return table;
}

const FieldTable<MoveInput>& FieldsOf(const MoveInput*) {
  static const auto& table = PlainTable<MoveInput>({
      {{"stage_id", WireType::kId, kRequired}, &MoveInput::stage_id},
      {{"index", WireType::kInt64}, &MoveInput::index},
  });
  return table;
}

const FieldTable<LostInput>& FieldsOf(const LostInput*) {
  static const auto& table = PlainTable<LostInput>({
      {{"lost_reason", WireType::kString}, &LostInput::lost_reason},
      {{"lost_reason_id", WireType::kId}, &LostInput::lost_reason_id},
  });
  return table;
}

const FieldTable<TokenInput>& FieldsOf(const TokenInput*) {
  static const auto& table = PlainTable<TokenInput>({
      {{"name", WireType::kString}, &TokenInput::name},
  });
  return table;
}

const FieldTable<TransferInput>& FieldsOf(const TransferInput*) {
  static const auto& table = PlainTable<TransferInput>({
      {{"to_user_id", WireType::kId, kRequired}, &TransferInput::to_user_id},
  });
  return table;
}

const FieldTable<SignInInput>& FieldsOf(const SignInInput*) {
  static const auto& table = PlainTable<SignInInput>({
      {{"email", WireType::kString, kRequired}, &SignInInput::email},
      {{"password", WireType::kString, kRequired}, &SignInInput::password},
  });
  return table;
}

const FieldTable<PasswordChangeInput>& FieldsOf(const PasswordChangeInput*) {
  static const auto& table = PlainTable<PasswordChangeInput>({
      {{"current_password", WireType::kString}, &PasswordChangeInput::current_password},
      {{"new_password", WireType::kString, kRequired}, &PasswordChangeInput::new_password},
  });
  return table;
}

const FieldTable<PasswordResetInput>& FieldsOf(const PasswordResetInput*) {
  static const auto& table = PlainTable<PasswordResetInput>({
      {{"code", WireType::kString, kRequired}, &PasswordResetInput::code},
      {{"new_password", WireType::kString, kRequired}, &PasswordResetInput::new_password},
  });
  return table;
}

const FieldTable<EmptyInput>& FieldsOf(const EmptyInput*) {
  static const auto& table = PlainTable<EmptyInput>({});
  return table;
}

const FieldTable<TeamPatch>& FieldsOf(const TeamPatch*) {
  static const auto& table = RecordTable<TeamPatch>({
      {{"name", WireType::kString, kRequired}, &TeamPatch::name},
      {{"manager_id", WireType::kId, kNullable}, &TeamPatch::manager_id},
  });
  return table;
}

const FieldTable<QuotaPatch>& FieldsOf(const QuotaPatch*) {
  static const auto& table = RecordTable<QuotaPatch>({
      {{"scope", WireType::kEnum, 0, kQuotaScopeValues}, &QuotaPatch::scope},
      {{"user_id", WireType::kId, kNullable}, &QuotaPatch::user_id},
      {{"team_id", WireType::kId, kNullable}, &QuotaPatch::team_id},
      {{"period", WireType::kEnum, 0, kQuotaPeriodValues}, &QuotaPatch::period},
      {{"metric", WireType::kEnum, 0, kQuotaMetricValues}, &QuotaPatch::metric},
      {{"target", WireType::kInt64, kRequired}, &QuotaPatch::target},
      {{"currency", WireType::kString, kNullEmpties}, &QuotaPatch::currency},
      {{"pipeline_id", WireType::kId, kNullable}, &QuotaPatch::pipeline_id},
      {{"starts_on", WireType::kDate}, &QuotaPatch::starts_on},
      {{"ends_on", WireType::kDate, kNullable}, &QuotaPatch::ends_on},
  });
  return table;
}

const FieldTable<SnoozeInput>& FieldsOf(const SnoozeInput*) {
  static const auto& table = PlainTable<SnoozeInput>({
      {{"deal_id", WireType::kId, kReadOnly}, {}},
      {{"flag", WireType::kEnum, kRequired, kHealthFlagValues}, &SnoozeInput::flag},
      {{"until", WireType::kDate, kRequired}, &SnoozeInput::until},
      {{"reason", WireType::kString, kRequired}, &SnoozeInput::reason},
      {{"user_id", WireType::kId, kReadOnly}, {}},
      {{"created_at", WireType::kInstant, kReadOnly}, {}},
  });
  return table;
}

const FieldTable<HealthSettingsPatch>& FieldsOf(const HealthSettingsPatch*) {
  using P = HealthSettingsPatch;
  static const auto& table = PlainTable<P>({
      {{"stuck_percentile", WireType::kInt32}, &P::stuck_percentile},
      {{"stuck_min_samples", WireType::kInt32}, &P::stuck_min_samples},
      {{"overload_factor", WireType::kNumber}, &P::overload_factor},
      {{"overload_min_deals", WireType::kInt32}, &P::overload_min_deals},
      {{"late_stage_limit", WireType::kInt32}, &P::late_stage_limit},
      {{"late_stage_ids", WireType::kIdList}, &P::late_stage_ids},
      {{"coverage_target", WireType::kNumber}, &P::coverage_target},
      {{"aged_percentile", WireType::kInt32}, &P::aged_percentile},
      {{"unqualified_reasons", WireType::kStringList}, &P::unqualified_reasons},
      {{"lookback_days", WireType::kInt32}, &P::lookback_days},
  });
  return table;
}

const FieldTable<BulkInput>& FieldsOf(const BulkInput*) {
  static const auto& table = PlainTable<BulkInput>({
      {{"action", WireType::kEnum, kRequired, kBulkActionValues}, &BulkInput::action},
      {{"deal_ids", WireType::kIdList, kRequired}, &BulkInput::deal_ids},
      {{"owner_id", WireType::kId}, &BulkInput::owner_id},
      {{"due_date", WireType::kDate}, &BulkInput::due_date},
      {{"subject", WireType::kString}, &BulkInput::subject},
      {{"lost_reason", WireType::kString}, &BulkInput::lost_reason},
      {{"lost_reason_id", WireType::kId}, &BulkInput::lost_reason_id},
  });
  return table;
}

// ---- Reading values
// ------------------------------------------------------------------------------

bool EnumContains(std::string_view values, std::string_view s) {
  while (!values.empty()) {
    size_t bar = values.find('|');
    if (values.substr(0, bar) == s) return true;
    if (bar == std::string_view::npos) break;
    values.remove_prefix(bar + 1);
  }
  return false;
}

Status NotOneOf(const WireField& f, const std::string& path) {
  return Status::Invalid(path, OneOfMessage(f.detail));
}

Status ReadInteger(const json::value& v, const std::string& path, int64_t min, int64_t max,
                   int64_t* out) {
  if (v.is_uint64()) return Status::Invalid(path, "is out of range");
  if (!v.is_int64()) return Status::Invalid(path, "must be an integer");
  if (v.get_int64() < min || v.get_int64() > max) return Status::Invalid(path, "is out of range");
  *out = v.get_int64();
  return Status::Ok();
}

Status ReadValue(const json::value& v, const WireField& f, const std::string& path, int64_t* out) {
  return ReadInteger(v, path, std::numeric_limits<int64_t>::min(),
                     std::numeric_limits<int64_t>::max(), out);
}

Status ReadValue(const json::value& v, const WireField& f, const std::string& path, int32_t* out) {
  int64_t wide = 0;
  PD_RETURN_IF_ERROR(ReadInteger(v, path, std::numeric_limits<int32_t>::min(),
                                 std::numeric_limits<int32_t>::max(), &wide));
  *out = static_cast<int32_t>(wide);
  return Status::Ok();
}

Status ReadValue(const json::value& v, const WireField& f, const std::string& path, double* out) {
  if (!v.is_number()) return Status::Invalid(path, "must be a number");
  *out = v.to_number<double>();
  return Status::Ok();
}

Status ReadValue(const json::value& v, const WireField& f, const std::string& path, bool* out) {
  if (!v.is_bool()) return Status::Invalid(path, "must be a boolean");
  *out = v.get_bool();
  return Status::Ok();
}

Status ReadValue(const json::value& v, const WireField& f, const std::string& path,
                 std::string* out) {
  if (!v.is_string()) return Status::Invalid(path, "must be a string");
  out->assign(v.get_string().data(), v.get_string().size());
  if (f.type == WireType::kEnum && !EnumContains(f.detail, *out)) return NotOneOf(f, path);
  return Status::Ok();
}

// Values written as strings and parsed by a core function (dates, times, enums).
template <typename T, typename Parse>
Status ReadParsed(const json::value& v, const std::string& path, Parse parse,
                  std::string_view expected, T* out) {
  std::optional<T> parsed;
  if (v.is_string()) parsed = parse(std::string_view(v.get_string()));
  if (!parsed) return Status::Invalid(path, std::string(expected));
  *out = *parsed;
  return Status::Ok();
}

Status ReadValue(const json::value& v, const WireField& f, const std::string& path, Date* out) {
  return ReadParsed(v, path, ParseDate, "must be a date (YYYY-MM-DD)", out);
}

Status ReadValue(const json::value& v, const WireField& f, const std::string& path,
                 TimeOfDay* out) {
  return ReadParsed(v, path, ParseTimeOfDay, "must be a time of day (HH:MM)", out);
}

Status ReadValue(const json::value& v, const WireField& f, const std::string& path,
                 PipelineVisibility* out) {
  Status s = ReadParsed(v, path, ParsePipelineVisibility, "", out);
  return s.ok() ? s : NotOneOf(f, path);
}

Status ReadValue(const json::value& v, const WireField& f, const std::string& path, Role* out) {
  Status s = ReadParsed(v, path, ParseRole, "", out);
  return s.ok() ? s : NotOneOf(f, path);
}

Status ReadValue(const json::value& v, const WireField& f, const std::string& path,
                 ActivityType* out) {
  Status s = ReadParsed(v, path, ParseActivityType, "", out);
  return s.ok() ? s : NotOneOf(f, path);
}

Status ReadValue(const json::value& v, const WireField& f, const std::string& path,
                 QuotaScope* out) {
  Status s = ReadParsed(v, path, ParseQuotaScope, "", out);
  return s.ok() ? s : NotOneOf(f, path);
}

Status ReadValue(const json::value& v, const WireField& f, const std::string& path,
                 QuotaPeriod* out) {
  Status s = ReadParsed(v, path, ParseQuotaPeriod, "", out);
  return s.ok() ? s : NotOneOf(f, path);
}

Status ReadValue(const json::value& v, const WireField& f, const std::string& path,
                 QuotaMetric* out) {
  Status s = ReadParsed(v, path, ParseQuotaMetric, "", out);
  return s.ok() ? s : NotOneOf(f, path);
}

Status ReadValue(const json::value& v, const WireField& f, const std::string& path,
                 HealthFlag* out) {
  Status s = ReadParsed(v, path, ParseHealthFlag, "", out);
  return s.ok() ? s : NotOneOf(f, path);
}

std::optional<BulkAction> ParseBulkAction(std::string_view s) {
  for (BulkAction a : {BulkAction::kReassign, BulkAction::kLastChance, BulkAction::kMarkLost}) {
    if (BulkActionName(a) == s) return a;
  }
  return std::nullopt;
}

Status ReadValue(const json::value& v, const WireField& f, const std::string& path,
                 BulkAction* out) {
  Status s = ReadParsed(v, path, ParseBulkAction, "", out);
  return s.ok() ? s : NotOneOf(f, path);
}

// Arrays of plain values: each item read as `item` reads one, named "field[i]" in errors.
template <typename T>
Status ReadList(const json::value& v, const WireField& item, const std::string& path,
                std::vector<T>* out) {
  if (!v.is_array()) return Status::Invalid(path, "must be an array");
  out->clear();
  const json::array& a = v.get_array();
  for (size_t i = 0; i < a.size(); ++i) {
    T value{};
    PD_RETURN_IF_ERROR(ReadValue(a[i], item, path + "[" + std::to_string(i) + "]", &value));
    out->push_back(std::move(value));
  }
  return Status::Ok();
}

Status ReadValue(const json::value& v, const WireField& f, const std::string& path,
                 std::vector<Id>* out) {
  static constexpr WireField kItem("", WireType::kId);
  return ReadList(v, kItem, path, out);
}

Status ReadValue(const json::value& v, const WireField& f, const std::string& path,
                 std::vector<std::string>* out) {
  static constexpr WireField kItem("", WireType::kString);
  return ReadList(v, kItem, path, out);
}

Status ReadValue(const json::value& v, const WireField& f, const std::string& path,
                 std::vector<ContactPoint>* out);

template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};

// Writes one body value into the patch member named by `f`.
template <typename P>
Status ReadField(const json::value& v, const FieldSpec<P>& f, const std::string& path, P* out) {
  return std::visit(
      [&](auto member) -> Status {
        if constexpr (std::is_same_v<decltype(member), std::monostate>) {
          return Status::Invalid(path, "is read-only");
        } else {
          auto& slot = out->*member;
          using T = typename std::remove_reference_t<decltype(slot)>::value_type;
          if constexpr (IsOptional<T>::value) {
            if (v.is_null()) {
              slot.emplace(std::nullopt);
              return Status::Ok();
            }
            typename T::value_type value{};
            PD_RETURN_IF_ERROR(ReadValue(v, f.wire, path, &value));
            slot.emplace(std::move(value));
          } else {
            if (v.is_null()) {
              if (!(f.wire.flags & kNullEmpties)) return Status::Invalid(path, "must not be null");
              slot.emplace();
              return Status::Ok();
            }
            T value{};
            PD_RETURN_IF_ERROR(ReadValue(v, f.wire, path, &value));
            slot = std::move(value);
          }
          return Status::Ok();
        }
      },
      f.target);
}

std::string FieldPath(std::string_view prefix, std::string_view name) {
  std::string path(prefix);
  if (!path.empty()) path += '.';
  path += name;
  return path;
}

// Reads every member of `o` into `out` by the table of P; `prefix` names the object in errors.
template <typename P>
Status ReadObject(const json::object& o, BodyMode mode, std::string_view prefix, P* out) {
  const FieldTable<P>& table = FieldsOf(out);
  for (const auto& member : o) {
    std::string path = FieldPath(prefix, member.key());
    auto f = std::find_if(table.begin(), table.end(),
                          [&](const FieldSpec<P>& s) { return s.wire.name == member.key(); });
    if (f == table.end()) return Status::Invalid(path, "unknown field");
    if (f->wire.flags & kReadOnly) return Status::Invalid(path, "is read-only");
    if (mode == BodyMode::kUpdate && (f->wire.flags & kCreateOnly)) {
      return Status::Invalid(path, "can only be set on create");
    }
    PD_RETURN_IF_ERROR(ReadField(member.value(), *f, path, out));
  }
  if (mode == BodyMode::kCreate) {
    for (const FieldSpec<P>& f : table) {
      if ((f.wire.flags & kRequired) && !o.contains(f.wire.name)) {
        return Status::Invalid(FieldPath(prefix, f.wire.name), "is required");
      }
    }
  }
  return Status::Ok();
}

Status ReadValue(const json::value& v, const WireField& f, const std::string& path,
                 std::vector<ContactPoint>* out) {
  if (!v.is_array()) return Status::Invalid(path, "must be an array");
  out->clear();
  for (size_t i = 0; i < v.get_array().size(); ++i) {
    const json::value& item = v.get_array()[i];
    std::string item_path = path + "[" + std::to_string(i) + "]";
    ContactPoint point;
    if (item.is_string()) {
      point.value.assign(item.get_string().data(), item.get_string().size());
    } else if (item.is_object()) {
      ContactPointInput in;
      PD_RETURN_IF_ERROR(ReadObject(item.get_object(), BodyMode::kCreate, item_path, &in));
      point.value = std::move(*in.value);
      point.label = in.label.value_or("");
      point.primary = in.primary.value_or(false);
    } else {
      return Status::Invalid(item_path, "must be a string or an object");
    }
    out->push_back(std::move(point));
  }
  return Status::Ok();
}

bool IsBlank(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

// Parses `body` as JSON into `out` (allocated from `mr`). Errors: kMalformed with the position.
Status ParseJson(std::string_view body, json::monotonic_resource& mr, json::value* out) {
  json::parser parser;
  parser.reset(&mr);
  boost::system::error_code ec;
  size_t consumed = parser.write(body.data(), body.size(), ec);
  if (ec) {
    std::string_view before = body.substr(0, std::min(consumed, body.size()));
    size_t line = 1 + std::count(before.begin(), before.end(), '\n');
    size_t line_start = before.rfind('\n');
    size_t column = consumed - (line_start == std::string_view::npos ? 0 : line_start + 1) + 1;
    return Status::Malformed("request body is not valid JSON (line " + std::to_string(line) +
                             ", column " + std::to_string(column) + "): " + ec.message());
  }
  *out = parser.release();
  return Status::Ok();
}

template <typename P>
Status ReadBodyAs(std::string_view body, BodyMode mode, bool empty_ok, P* out) {
  if (empty_ok && IsBlank(body)) return Status::Ok();
  if (IsBlank(body)) return Status::Malformed("request body must be a JSON object");
  json::monotonic_resource mr;
  json::value v;
  PD_RETURN_IF_ERROR(ParseJson(body, mr, &v));
  if (!v.is_object()) return Status::Malformed("request body must be a JSON object");
  return ReadObject(v.get_object(), mode, "", out);
}

}  // namespace

// ---- Writing records
// -----------------------------------------------------------------------------

void WriteJson(const ContactPoint& c, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Str("value", c.value)
      .Str("label", c.label)
      .Bool("primary", c.primary)
      .Done();
}

void WriteJson(const CurrencyTotal& t, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Str("currency", t.currency)
      .Int("count", t.count)
      .Int("value_minor", t.value_minor)
      .Int("weighted_minor", t.weighted_minor)
      .Done();
}

void WriteJson(const BoardColumnView& c, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Record("stage", c.stage)
      .Int("deal_count", c.deal_count)
      .Array("totals", c.totals)
      .Array("cards", c.cards)
      .Done();
}

void WriteJson(const StageTemplateStage& s, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Str("name", s.name)
      .Int("probability", s.probability)
      .Int("rotting_days", s.rotting_days)
      .Str("playbook", s.playbook)
      .Done();
}

namespace {

// A name shown beside a linked record; null when the link is empty.
std::optional<std::string_view> NameIf(const std::optional<Id>& link, const std::string& name) {
  if (!link) return std::nullopt;
  return name;
}

// The fields of a token, shared by the token and the new token with its secret.
ObjectWriter& TokenMembers(ObjectWriter& o, const ApiToken& t) {
  return o.Int("id", t.id)
      .Int("user_id", t.user_id)
      .Str("name", t.name)
      .Str("prefix", t.prefix)
      .Instant("created_at", t.created_at)
      .Instant("last_used_at", t.last_used_at);
}

template <typename T>
json::value Parsed(const T& record, const JsonOut& out) {
  std::string text;
  JsonText w(text);
  WriteJson(record, out, w);
  return json::parse(text);
}

// ---- Schemas that only appear in responses
// -------------------------------------------------------

template <typename P>
std::vector<WireField> WireOf(const FieldTable<P>& table) {
  std::vector<WireField> fields;
  for (const FieldSpec<P>& f : table) fields.push_back(f.wire);
  return fields;
}

std::vector<WireField> TokenFields(bool with_secret) {
  std::vector<WireField> fields = {
      {"id", WireType::kId, kReadOnly},
      {"user_id", WireType::kId, kReadOnly},
      {"name", WireType::kString},
      {"prefix", WireType::kString, kReadOnly},
      {"created_at", WireType::kInstant, kReadOnly},
      {"last_used_at", WireType::kInstant, kReadOnly | kNullable},
  };
  if (with_secret) fields.push_back({"token", WireType::kString, kReadOnly});
  return fields;
}

std::vector<SchemaDoc> BuildSchemas() {
  const unsigned ro = kReadOnly;
  const unsigned ro_null = kReadOnly | kNullable;
  std::vector<SchemaDoc> schemas = {
      {"Error",
       "The body of every error response.",
       {{"error", WireType::kObject, ro, "ErrorDetail"}}},
      {"ErrorDetail",
       "What went wrong; `field` names the offending field or query parameter.",
       {{"code", WireType::kEnum, ro, kErrorCodes},
        {"message", WireType::kString, ro},
        {"field", WireType::kString, ro_null}}},
      {"Health",
       "Liveness.",
       {{"status", WireType::kString, ro}, {"version", WireType::kString, ro}}},
      {"Deleted",
       "Answer to a delete.",
       {{"id", WireType::kId, ro}, {"deleted", WireType::kBool, ro}}},
      {"User", "A user; changes are for admins.",
       WireOf(FieldsOf(static_cast<UserPatch*>(nullptr)))},
      {"Token", "An API token (the secret is shown only at creation).", TokenFields(false)},
      {"NewToken", "A created API token with its secret in `token`, shown once.",
       TokenFields(true)},
      {"TokenInput", "A new token's name.", WireOf(FieldsOf(static_cast<TokenInput*>(nullptr)))},
      {"Transfer", "The user who receives the records.",
       WireOf(FieldsOf(static_cast<TransferInput*>(nullptr)))},
      {"Transferred",
       "How many records changed owner: open activities only (done ones keep who did them).",
       {{"deals", WireType::kInt64, ro},
        {"persons", WireType::kInt64, ro},
        {"organizations", WireType::kInt64, ro},
        {"activities", WireType::kInt64, ro}}},
      {"SignIn", "An email and password to sign in with.",
       WireOf(FieldsOf(static_cast<SignInInput*>(nullptr)))},
      {"PasswordChange",
       "The signed-in user's new password; `current_password` is required once one is set.",
       WireOf(FieldsOf(static_cast<PasswordChangeInput*>(nullptr)))},
      {"PasswordReset", "An admin's reset code and the new password.",
       WireOf(FieldsOf(static_cast<PasswordResetInput*>(nullptr)))},
      {"Session",
       "The signed-in user of a session cookie, the token to send in `X-CSRF-Token` with every "
       "change made with the cookie, and when the session expires unless used.",
       {{"user", WireType::kObject, ro, "User"},
        {"csrf_token", WireType::kString, ro},
        {"expires_at", WireType::kInstant, ro}}},
      {"FieldChange",
       "One field's value before and after a change, as text (\"\" for none).",
       {{"field", WireType::kString, ro},
        {"before", WireType::kString, ro},
        {"after", WireType::kString, ro}}},
      {"AuditEntry",
       "Who changed which record when, and how: every create, update and delete is recorded; "
       "the log cannot be changed.",
       {{"id", WireType::kId, ro},
        {"at", WireType::kInstant, ro},
        {"user_id", WireType::kId, ro},
        {"action", WireType::kEnum, ro, "create|update|delete"},
        {"object", WireType::kString, ro},
        {"record_id", WireType::kId, ro},
        {"changes", WireType::kArray, ro, "FieldChange"}}},
      {"PasswordResetCode",
       "A one-time code with which the user sets a new password before `expires_at`; shown once.",
       {{"user_id", WireType::kId, ro},
        {"code", WireType::kString, ro},
        {"expires_at", WireType::kInstant, ro}}},
      {"Pipeline", "A sales pipeline; `template` on create adds a template's stages.",
       WireOf(FieldsOf(static_cast<PipelineInput*>(nullptr)))},
      {"Stage",
       "A stage of a pipeline; setting `order` moves it. `pipeline_id` is set on create only.",
       WireOf(FieldsOf(static_cast<StageInput*>(nullptr)))},
      {"StageTemplateStage",
       "A stage of a pipeline template.",
       {{"name", WireType::kString, ro},
        {"probability", WireType::kInt32, ro},
        {"rotting_days", WireType::kInt32, ro_null},
        {"playbook", WireType::kString, ro}}},
      {"StageTemplate",
       "A pipeline template from the sales literature.",
       {{"key", WireType::kEnum, ro, kTemplateKeys},
        {"title", WireType::kString, ro},
        {"stages", WireType::kArray, ro, "StageTemplateStage"}}},
      {"StageTemplates",
       "All pipeline templates.",
       {{"items", WireType::kArray, ro, "StageTemplate"}}},
      {"Organization", "An organization.",
       WireOf(FieldsOf(static_cast<OrganizationPatch*>(nullptr)))},
      {"ContactPoint", "An email address or phone number; in bodies a plain string is its value.",
       WireOf(FieldsOf(static_cast<ContactPointInput*>(nullptr)))},
      {"Person", "A contact person.", WireOf(FieldsOf(static_cast<PersonPatch*>(nullptr)))},
      {"Deal",
       "A deal. `probability` is the deal's own override (null follows the stage); a `stage_id` in "
       "a PATCH moves the deal.",
       WireOf(FieldsOf(static_cast<DealPatch*>(nullptr)))},
      {"DealMove", "Where to move a deal: `index` is the 0-based card position (omitted: last).",
       WireOf(FieldsOf(static_cast<MoveInput*>(nullptr)))},
      {"DealLost", "Why a deal was lost: free text or a configured reason.",
       WireOf(FieldsOf(static_cast<LostInput*>(nullptr)))},
      {"StageEvent",
       "One entry of a deal's stage history.",
       {{"id", WireType::kId, ro},
        {"deal_id", WireType::kId, ro},
        {"kind", WireType::kEnum, ro, kStageEventKinds},
        {"at", WireType::kInstant, ro},
        {"user_id", WireType::kId, ro},
        {"from_pipeline_id", WireType::kId, ro_null},
        {"to_pipeline_id", WireType::kId, ro_null},
        {"from_stage_id", WireType::kId, ro_null},
        {"to_stage_id", WireType::kId, ro_null},
        {"from_status", WireType::kEnum, ro, kDealStatusValues},
        {"to_status", WireType::kEnum, ro, kDealStatusValues},
        {"lost_reason", WireType::kString, ro_null}}},
      {"History",
       "A deal's stage history, oldest first.",
       {{"items", WireType::kArray, ro, "StageEvent"}}},
      {"TimelineItem",
       "An activity, note or stage event of a deal; `data` is that record.",
       {{"kind", WireType::kEnum, ro, "activity|note|stage_event"},
        {"at", WireType::kInstant, ro},
        {"data", WireType::kObject, ro, ""}}},
      {"Timeline",
       "A deal's timeline, newest first.",
       {{"items", WireType::kArray, ro, "TimelineItem"}}},
      {"CurrencyTotal",
       "Open deals of one currency in a stage.",
       {{"currency", WireType::kString, ro},
        {"count", WireType::kInt64, ro},
        {"value_minor", WireType::kInt64, ro},
        {"weighted_minor", WireType::kInt64, ro}}},
      {"BoardCard",
       "A deal as a board card; `probability` is the effective one.",
       {{"id", WireType::kId, ro},
        {"title", WireType::kString, ro},
        {"value_minor", WireType::kInt64, ro},
        {"currency", WireType::kString, ro},
        {"org_id", WireType::kId, ro_null},
        {"org_name", WireType::kString, ro_null},
        {"person_id", WireType::kId, ro_null},
        {"person_name", WireType::kString, ro_null},
        {"owner_id", WireType::kId, ro},
        {"owner_name", WireType::kString, ro},
        {"next_activity_date", WireType::kDate, ro_null},
        {"overdue", WireType::kBool, ro},
        {"no_next_activity", WireType::kBool, ro},
        {"rotting", WireType::kBool, ro},
        {"probability", WireType::kInt32, ro},
        {"position", WireType::kNumber, ro},
        {"version", WireType::kInt64, ro}}},
      {"BoardColumn",
       "A stage with the count and totals of its open deals and its first cards.",
       {{"stage", WireType::kObject, ro, "Stage"},
        {"deal_count", WireType::kInt64, ro},
        {"totals", WireType::kArray, ro, "CurrencyTotal"},
        {"cards", WireType::kArray, ro, "BoardCard"}}},
      {"Board",
       "A pipeline's board.",
       {{"pipeline", WireType::kObject, ro, "Pipeline"},
        {"stages", WireType::kArray, ro, "BoardColumn"}}},
      {"Activity", "A call, meeting, email, task or deadline; `overdue` is computed.",
       WireOf(FieldsOf(static_cast<ActivityPatch*>(nullptr)))},
      {"Note", "A note on a deal, person or organization (at least one).",
       WireOf(FieldsOf(static_cast<NotePatch*>(nullptr)))},
      {"Settings", "Workspace settings.", {{"default_currency", WireType::kString, ro}}},
      {"LostReason", "A configured reason for losing a deal.",
       WireOf(FieldsOf(static_cast<LostReasonPatch*>(nullptr)))},
      {"Team", "A sales team; users belong to at most one (User.team_id).",
       WireOf(FieldsOf(static_cast<TeamPatch*>(nullptr)))},
      {"Quota",
       "A goal for every `period` from `starts_on` until `ends_on` (exclusive): a rep's (`scope` "
       "user, `user_id`), a team's (team, `team_id`) or the company's. `target` is in minor units "
       "of `currency` for won_value, a count otherwise.",
       WireOf(FieldsOf(static_cast<QuotaPatch*>(nullptr)))},
      {"FlagSnooze", "A health flag of a deal silenced until a date (exclusive), with the reason.",
       WireOf(FieldsOf(static_cast<SnoozeInput*>(nullptr)))},
      {"Snoozes", "A deal's snoozed flags.", {{"items", WireType::kArray, ro, "FlagSnooze"}}},
      {"SnoozeDeleted",
       "Answer to removing a snooze.",
       {{"deal_id", WireType::kId, ro},
        {"flag", WireType::kEnum, ro, kHealthFlagValues},
        {"deleted", WireType::kBool, ro}}},
      {"HealthSettings",
       "The thresholds of the health flags; a PATCH replaces the fields it sends.",
       WireOf(FieldsOf(static_cast<HealthSettingsPatch*>(nullptr)))},
      {"DealBulk",
       "A cleanup action on many deals (at most 500), all or nothing. reassign takes `owner_id`; "
       "last_chance `due_date` and `subject`; mark_lost `lost_reason` or `lost_reason_id`.",
       WireOf(FieldsOf(static_cast<BulkInput*>(nullptr)))},
      {"ImportColumn",
       "A column of the imported file and the field it fills (null: ignored).",
       {{"column", WireType::kString, ro}, {"field", WireType::kString, ro | kNullable}}},
      {"ImportRowError",
       "A row that was not imported: its number as a spreadsheet counts (the header is row 1), "
       "the column at fault (empty for the whole row) and why.",
       {{"row", WireType::kInt64, ro},
        {"column", WireType::kString, ro},
        {"reason", WireType::kString, ro}}},
      {"ImportReport",
       "What an import did, or would do in a dry run: rows read, records created and updated, "
       "rows refused with the first 1000 of their errors (`errors_omitted` counts the rest), "
       "organizations and persons created because rows named them (`linked_created`), the "
       "export the header looks like (`detected`: pipedeck, pipedrive, hubspot or empty), each "
       "column's field and every field the object takes.",
       {{"object", WireType::kEnum, ro, kImportObjectValues},
        {"dry_run", WireType::kBool, ro},
        {"detected", WireType::kString, ro},
        {"columns", WireType::kArray, ro, "ImportColumn"},
        {"fields", WireType::kStringList, ro},
        {"ignored_columns", WireType::kStringList, ro},
        {"rows", WireType::kInt64, ro},
        {"created", WireType::kInt64, ro},
        {"updated", WireType::kInt64, ro},
        {"failed", WireType::kInt64, ro},
        {"linked_created", WireType::kInt64, ro},
        {"errors", WireType::kArray, ro, "ImportRowError"},
        {"errors_omitted", WireType::kInt64, ro}}},
      {"DealBulkResult",
       "The changed deals (reassign, mark_lost) or the created activities (last_chance), in the "
       "order of `deal_ids`.",
       {{"action", WireType::kEnum, ro, kBulkActionValues}, {"items", WireType::kArray, ro, ""}}},
  };
  std::vector<SchemaDoc> reports = ReportSchemas();
  schemas.insert(schemas.end(), reports.begin(), reports.end());
  return schemas;
}

}  // namespace

void WriteJson(const BoardCard& c, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("id", c.deal.id)
      .Str("title", c.deal.title)
      .Int("value_minor", c.deal.value.amount_minor)
      .Str("currency", c.deal.value.currency)
      .Int("org_id", c.deal.org_id)
      .OptionalStr("org_name", NameIf(c.deal.org_id, c.details.org_name))
      .Int("person_id", c.deal.person_id)
      .OptionalStr("person_name", NameIf(c.deal.person_id, c.details.person_name))
      .Int("owner_id", c.deal.owner_id)
      .Str("owner_name", c.details.owner_name)
      .Date("next_activity_date", c.deal.next_activity_date)
      .Bool("overdue", c.overdue)
      .Bool("no_next_activity", c.no_next_activity)
      .Bool("rotting", c.rotting)
      .Int("probability", c.probability)
      .Num("position", c.deal.position)
      .Int("version", c.deal.version)
      .Done();
}

std::string OneOfMessage(std::string_view values) {
  std::string message = "must be one of: ";
  for (char c : values) {
    if (c == '|') {
      message += ", ";
    } else {
      message += c;
    }
  }
  return message;
}

const std::vector<SchemaDoc>& WireSchemas() {
  static const auto& schemas = *new std::vector<SchemaDoc>(BuildSchemas());
  return schemas;
}

// ---- Records to JSON ---------------------------------------------------------------------------

void WriteJson(const User& u, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("id", u.id)
      .Str("name", u.name)
      .Str("email", u.email)
      .Str("role", RoleName(u.role))
      .Bool("active", u.active)
      .Int("team_id", u.team_id)
      .Meta(u.version, u.created_at, u.updated_at)
      .Done();
}

void WriteJson(const ApiToken& t, const JsonOut& out, JsonText& w) {
  ObjectWriter o(out, w);
  TokenMembers(o, t).Done();
}

void WriteJson(const NewToken& t, const JsonOut& out, JsonText& w) {
  ObjectWriter o(out, w);
  TokenMembers(o, t.token).Str("token", t.secret).Done();
}

void WriteJson(const SessionView& s, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Record("user", s.user)
      .Str("csrf_token", s.csrf_token)
      .Instant("expires_at", s.expires_at)
      .Done();
}

void WriteJson(const NewPasswordReset& r, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("user_id", r.reset.user_id)
      .Str("code", r.code)
      .Instant("expires_at", r.reset.expires_at)
      .Done();
}

void WriteJson(const Workspace::OwnershipTransfer& t, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("deals", t.deals)
      .Int("persons", t.persons)
      .Int("organizations", t.organizations)
      .Int("activities", t.activities)
      .Done();
}

void WriteJson(const FieldChange& c, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w).Str("field", c.field).Str("before", c.before).Str("after", c.after).Done();
}

void WriteJson(const AuditEntry& e, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("id", e.id)
      .Instant("at", e.at)
      .Int("user_id", e.user_id)
      .Str("action", AuditActionName(e.action))
      .Str("object", e.object)
      .Int("record_id", e.record_id)
      .Array("changes", e.changes)
      .Done();
}

void WriteJson(const Pipeline& p, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("id", p.id)
      .Str("name", p.name)
      .Int("order", p.order)
      .Bool("active", p.active)
      .Str("visibility", PipelineVisibilityName(p.visibility))
      .Meta(p.version, p.created_at, p.updated_at)
      .Done();
}

void WriteJson(const Stage& s, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("id", s.id)
      .Int("pipeline_id", s.pipeline_id)
      .Str("name", s.name)
      .Int("order", s.order)
      .Int("probability", s.probability)
      .Int("rotting_days", s.rotting_days)
      .Str("playbook", s.playbook)
      .Meta(s.version, s.created_at, s.updated_at)
      .Done();
}

void WriteJson(const Organization& o, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("id", o.id)
      .Str("name", o.name)
      .Str("address", o.address)
      .Int("owner_id", o.owner_id)
      .Meta(o.version, o.created_at, o.updated_at)
      .Done();
}

void WriteJson(const Person& p, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("id", p.id)
      .Str("name", p.name)
      .Array("emails", p.emails)
      .Array("phones", p.phones)
      .Int("org_id", p.org_id)
      .Int("owner_id", p.owner_id)
      .Meta(p.version, p.created_at, p.updated_at)
      .Done();
}

void WriteJson(const Deal& d, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("id", d.id)
      .Str("title", d.title)
      .Int("value_minor", d.value.amount_minor)
      .Str("currency", d.value.currency)
      .Int("pipeline_id", d.pipeline_id)
      .Int("stage_id", d.stage_id)
      .Str("status", DealStatusName(d.status))
      .StrOrNull("lost_reason", d.lost_reason)
      .Date("expected_close_date", d.expected_close_date)
      .Int("owner_id", d.owner_id)
      .Int("person_id", d.person_id)
      .Int("org_id", d.org_id)
      .Str("source", d.source)
      .Num("position", d.position)
      .Int("probability", d.probability_override)
      .Date("next_activity_date", d.next_activity_date)
      .Instant("last_activity_at", d.last_activity_at)
      .Instant("stage_changed_at", d.stage_changed_at)
      .Instant("closed_at", d.closed_at)
      .Meta(d.version, d.created_at, d.updated_at)
      .Done();
}

void WriteJson(const StageEvent& e, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("id", e.id)
      .Int("deal_id", e.deal_id)
      .Str("kind", StageEventKindName(e.kind))
      .Instant("at", e.at)
      .Int("user_id", e.user_id)
      .Int("from_pipeline_id", e.from_pipeline_id)
      .Int("to_pipeline_id", e.to_pipeline_id)
      .Int("from_stage_id", e.from_stage_id)
      .Int("to_stage_id", e.to_stage_id)
      .Str("from_status", DealStatusName(e.from_status))
      .Str("to_status", DealStatusName(e.to_status))
      .StrOrNull("lost_reason", e.lost_reason)
      .Done();
}

void WriteJson(const LostReason& r, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("id", r.id)
      .Str("label", r.label)
      .Int("order", r.order)
      .Bool("active", r.active)
      .Meta(r.version, r.created_at, r.updated_at)
      .Done();
}

void WriteJson(const Activity& a, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("id", a.id)
      .Str("type", ActivityTypeName(a.type))
      .Str("subject", a.subject)
      .Date("due_date", a.due_date)
      .Time("due_time", a.due_time)
      .Int("duration_minutes", a.duration_minutes)
      .Bool("done", a.done)
      .Instant("done_at", a.done_at)
      .Int("deal_id", a.deal_id)
      .Int("person_id", a.person_id)
      .Int("org_id", a.org_id)
      .Int("owner_id", a.owner_id)
      .Str("note", a.note)
      .Bool("overdue", IsOverdue(a, out.now))
      .Meta(a.version, a.created_at, a.updated_at)
      .Done();
}

void WriteJson(const Note& n, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("id", n.id)
      .Str("content", n.content)
      .Int("deal_id", n.deal_id)
      .Int("person_id", n.person_id)
      .Int("org_id", n.org_id)
      .Int("user_id", n.user_id)
      .Bool("pinned", n.pinned)
      .Meta(n.version, n.created_at, n.updated_at)
      .Done();
}

void WriteJson(const BoardView& b, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w).Record("pipeline", b.pipeline).Array("stages", b.columns).Done();
}

void WriteJson(const TimelineEntry& e, const JsonOut& out, JsonText& w) {
  static constexpr std::string_view kKinds[] = {"activity", "note", "stage_event"};
  ObjectWriter o(out, w);
  o.Str("kind", kKinds[e.item.index()]).Instant("at", e.at);
  std::visit([&](const auto& item) { o.Record("data", item); }, e.item);
  o.Done();
}

void WriteJson(const StageTemplate& t, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w).Str("key", t.key).Str("title", t.title).Array("stages", t.stages).Done();
}

void WriteJson(const Team& t, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("id", t.id)
      .Str("name", t.name)
      .Int("manager_id", t.manager_id)
      .Meta(t.version, t.created_at, t.updated_at)
      .Done();
}

void WriteJson(const Quota& q, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("id", q.id)
      .Str("scope", QuotaScopeName(q.scope))
      .Int("user_id", q.user_id)
      .Int("team_id", q.team_id)
      .Str("period", QuotaPeriodName(q.period))
      .Str("metric", QuotaMetricName(q.metric))
      .Int("target", q.target)
      .StrOrNull("currency", q.currency)
      .Int("pipeline_id", q.pipeline_id)
      .Date("starts_on", q.starts_on)
      .Date("ends_on", q.ends_on)
      .Meta(q.version, q.created_at, q.updated_at)
      .Done();
}

void WriteJson(const FlagSnooze& s, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("deal_id", s.deal_id)
      .Str("flag", HealthFlagName(s.flag))
      .Date("until", s.until)
      .Str("reason", s.reason)
      .Int("user_id", s.user_id)
      .Instant("created_at", s.created_at)
      .Done();
}

void WriteJson(const HealthSettings& s, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w)
      .Int("stuck_percentile", s.stuck_percentile)
      .Int("stuck_min_samples", s.stuck_min_samples)
      .Num("overload_factor", s.overload_factor)
      .Int("overload_min_deals", s.overload_min_deals)
      .Int("late_stage_limit", s.late_stage_limit)
      .Ids("late_stage_ids", s.late_stage_ids)
      .Num("coverage_target", s.coverage_target)
      .Int("aged_percentile", s.aged_percentile)
      .Strs("unqualified_reasons", s.unqualified_reasons)
      .Int("lookback_days", s.lookback_days)
      .Done();
}

void WriteJson(const ImportColumnUse& c, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w).Str("column", c.column).StrOrNull("field", c.field).Done();
}

void WriteJson(const ImportRowError& e, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w).Int("row", e.row).Str("column", e.column).Str("reason", e.reason).Done();
}

void WriteJson(const ImportReport& r, const JsonOut& out, JsonText& w) {
  std::vector<std::string> fields;
  for (ImportField f : ImportFields(r.object)) fields.emplace_back(ImportFieldName(f));
  const size_t reported = std::min(r.errors.size(), kMaxReportedImportErrors);
  ObjectWriter o(out, w);
  o.Str("object", ImportObjectName(r.object))
      .Bool("dry_run", r.dry_run)
      .Str("detected", r.detected)
      .Array("columns", r.columns)
      .Strs("fields", fields)
      .Strs("ignored_columns", r.ignored_columns)
      .Int("rows", r.rows)
      .Int("created", r.created)
      .Int("updated", r.updated)
      .Int("failed", r.failed)
      .Int("linked_created", r.linked_created);
  w.Key("errors").BeginArray();
  for (size_t i = 0; i < reported; ++i) WriteJson(r.errors[i], out, w);
  w.EndArray();
  o.Int("errors_omitted", static_cast<int64_t>(r.errors.size() - reported)).Done();
}

HealthSettings Apply(HealthSettings s, const HealthSettingsPatch& p) {
  if (p.stuck_percentile) s.stuck_percentile = *p.stuck_percentile;
  if (p.stuck_min_samples) s.stuck_min_samples = *p.stuck_min_samples;
  if (p.overload_factor) s.overload_factor = *p.overload_factor;
  if (p.overload_min_deals) s.overload_min_deals = *p.overload_min_deals;
  if (p.late_stage_limit) s.late_stage_limit = *p.late_stage_limit;
  if (p.late_stage_ids) s.late_stage_ids = *p.late_stage_ids;
  if (p.coverage_target) s.coverage_target = *p.coverage_target;
  if (p.aged_percentile) s.aged_percentile = *p.aged_percentile;
  if (p.unqualified_reasons) s.unqualified_reasons = *p.unqualified_reasons;
  if (p.lookback_days) s.lookback_days = *p.lookback_days;
  return s;
}

std::string_view BulkActionName(BulkAction a) {
  switch (a) {
    case BulkAction::kReassign:
      return "reassign";
    case BulkAction::kLastChance:
      return "last_chance";
    case BulkAction::kMarkLost:
      return "mark_lost";
  }
  return "reassign";
}

json::value ToJson(const User& u, const JsonOut& out) { return Parsed(u, out); }
json::value ToJson(const ApiToken& t, const JsonOut& out) { return Parsed(t, out); }
json::value ToJson(const NewToken& t, const JsonOut& out) { return Parsed(t, out); }
json::value ToJson(const Pipeline& p, const JsonOut& out) { return Parsed(p, out); }
json::value ToJson(const Stage& s, const JsonOut& out) { return Parsed(s, out); }
json::value ToJson(const Organization& o, const JsonOut& out) { return Parsed(o, out); }
json::value ToJson(const Person& p, const JsonOut& out) { return Parsed(p, out); }
json::value ToJson(const Deal& d, const JsonOut& out) { return Parsed(d, out); }
json::value ToJson(const StageEvent& e, const JsonOut& out) { return Parsed(e, out); }
json::value ToJson(const LostReason& r, const JsonOut& out) { return Parsed(r, out); }
json::value ToJson(const Activity& a, const JsonOut& out) { return Parsed(a, out); }
json::value ToJson(const Note& n, const JsonOut& out) { return Parsed(n, out); }
json::value ToJson(const BoardView& b, const JsonOut& out) { return Parsed(b, out); }
json::value ToJson(const TimelineEntry& e, const JsonOut& out) { return Parsed(e, out); }
json::value ToJson(const StageTemplate& t, const JsonOut& out) { return Parsed(t, out); }
json::value ToJson(const Team& t, const JsonOut& out) { return Parsed(t, out); }
json::value ToJson(const Quota& q, const JsonOut& out) { return Parsed(q, out); }
json::value ToJson(const FlagSnooze& s, const JsonOut& out) { return Parsed(s, out); }
json::value ToJson(const HealthSettings& s, const JsonOut& out) { return Parsed(s, out); }

// ---- Request bodies ----------------------------------------------------------------------------

Status ReadBody(std::string_view body, BodyMode mode, UserPatch* out) {
  return ReadBodyAs(body, mode, false, out);
}
Status ReadBody(std::string_view body, BodyMode mode, PipelineInput* out) {
  return ReadBodyAs(body, mode, false, out);
}
Status ReadBody(std::string_view body, BodyMode mode, StageInput* out) {
  return ReadBodyAs(body, mode, false, out);
}
Status ReadBody(std::string_view body, BodyMode mode, OrganizationPatch* out) {
  return ReadBodyAs(body, mode, false, out);
}
Status ReadBody(std::string_view body, BodyMode mode, PersonPatch* out) {
  return ReadBodyAs(body, mode, false, out);
}
Status ReadBody(std::string_view body, BodyMode mode, DealPatch* out) {
  return ReadBodyAs(body, mode, false, out);
}
Status ReadBody(std::string_view body, BodyMode mode, LostReasonPatch* out) {
  return ReadBodyAs(body, mode, false, out);
}
Status ReadBody(std::string_view body, BodyMode mode, ActivityPatch* out) {
  return ReadBodyAs(body, mode, false, out);
}
Status ReadBody(std::string_view body, BodyMode mode, NotePatch* out) {
  return ReadBodyAs(body, mode, false, out);
}
Status ReadBody(std::string_view body, BodyMode mode, MoveInput* out) {
  return ReadBodyAs(body, mode, false, out);
}
Status ReadBody(std::string_view body, BodyMode mode, LostInput* out) {
  return ReadBodyAs(body, mode, false, out);
}
Status ReadBody(std::string_view body, BodyMode mode, TokenInput* out) {
  return ReadBodyAs(body, mode, false, out);
}
Status ReadBody(std::string_view body, BodyMode mode, TransferInput* out) {
  return ReadBodyAs(body, mode, false, out);
}
Status ReadBody(std::string_view body, BodyMode mode, SignInInput* out) {
  return ReadBodyAs(body, mode, false, out);
}
Status ReadBody(std::string_view body, BodyMode mode, PasswordChangeInput* out) {
  return ReadBodyAs(body, mode, false, out);
}
Status ReadBody(std::string_view body, BodyMode mode, PasswordResetInput* out) {
  return ReadBodyAs(body, mode, false, out);
}
Status ReadBody(std::string_view body, BodyMode mode, EmptyInput* out) {
  return ReadBodyAs(body, mode, true, out);
}
Status ReadBody(std::string_view body, BodyMode mode, TeamPatch* out) {
  return ReadBodyAs(body, mode, false, out);
}
Status ReadBody(std::string_view body, BodyMode mode, QuotaPatch* out) {
  return ReadBodyAs(body, mode, false, out);
}
Status ReadBody(std::string_view body, BodyMode mode, SnoozeInput* out) {
  return ReadBodyAs(body, mode, false, out);
}
Status ReadBody(std::string_view body, BodyMode mode, HealthSettingsPatch* out) {
  return ReadBodyAs(body, mode, false, out);
}

Status ReadBody(std::string_view body, BodyMode mode, BulkInput* out) {
  PD_RETURN_IF_ERROR(ReadBodyAs(body, mode, false, out));
  struct ActionField {
    std::string_view name;
    bool sent;
    BulkAction action;  // the only action it belongs to
  };
  const ActionField fields[] = {
      {"owner_id", out->owner_id.has_value(), BulkAction::kReassign},
      {"due_date", out->due_date.has_value(), BulkAction::kLastChance},
      {"subject", out->subject.has_value(), BulkAction::kLastChance},
      {"lost_reason", out->lost_reason.has_value(), BulkAction::kMarkLost},
      {"lost_reason_id", out->lost_reason_id.has_value(), BulkAction::kMarkLost},
  };
  const std::string action(BulkActionName(*out->action));
  for (const ActionField& f : fields) {
    if (f.sent && f.action != *out->action) {
      return Status::Invalid(std::string(f.name), "does not apply to action " + action);
    }
  }
  if (*out->action == BulkAction::kReassign && !out->owner_id) {
    return Status::Invalid("owner_id", "is required for action reassign");
  }
  return Status::Ok();
}

void WriteJson(const WorkspaceSettings& s, const JsonOut& out, JsonText& w) {
  ObjectWriter(out, w).Str("default_currency", s.default_currency).Done();
}

}  // namespace pipedeck
