#include "core/audit.h"

#include <utility>

namespace pipedeck {
namespace {

// Builds a record's field list: one Add per field, values as the header describes.
class Fields {
 public:
  Fields& Add(std::string_view name, std::string value) {
    fields_.push_back({name, std::move(value)});
    return *this;
  }
  Fields& Add(std::string_view name, const char* value) { return Add(name, std::string(value)); }
  Fields& Add(std::string_view name, int64_t value) { return Add(name, std::to_string(value)); }
  Fields& Add(std::string_view name, int32_t value) { return Add(name, int64_t{value}); }
  Fields& Add(std::string_view name, bool value) { return Add(name, value ? "true" : "false"); }
  Fields& Add(std::string_view name, Date value) { return Add(name, FormatDate(value)); }
  Fields& Add(std::string_view name, Timestamp value) {
    return Add(name, FormatTimestamp(value));
  }
  Fields& Add(std::string_view name, TimeOfDay value) {
    return Add(name, FormatTimeOfDay(value));
  }
  template <typename T>
  Fields& Add(std::string_view name, const std::optional<T>& value) {
    return value ? Add(name, *value) : Add(name, std::string());
  }
  Fields& Add(std::string_view name, const std::vector<ContactPoint>& points) {
    std::string text;
    for (const ContactPoint& p : points) {
      if (!text.empty()) text += ", ";
      text += p.value;
      if (!p.label.empty()) text += " (" + p.label + ")";
      if (p.primary) text += " primary";
    }
    return Add(name, std::move(text));
  }
  std::vector<AuditedField> Take() { return std::move(fields_); }

 private:
  std::vector<AuditedField> fields_;
};

}  // namespace

const char* AuditActionName(AuditAction a) {
  switch (a) {
    case AuditAction::kCreate:
      return "create";
    case AuditAction::kUpdate:
      return "update";
    case AuditAction::kDelete:
      return "delete";
  }
  return "update";
}

std::optional<AuditAction> ParseAuditAction(std::string_view s) {
  for (AuditAction a : {AuditAction::kCreate, AuditAction::kUpdate, AuditAction::kDelete}) {
    if (s == AuditActionName(a)) return a;
  }
  return std::nullopt;
}

std::vector<AuditedField> AuditedFields(const User& r) {
  return Fields()
      .Add("name", r.name)
      .Add("email", r.email)
      .Add("role", RoleName(r.role))
      .Add("active", r.active)
      .Add("team_id", r.team_id)
      .Take();
}

std::vector<AuditedField> AuditedFields(const Team& r) {
  return Fields().Add("name", r.name).Add("manager_id", r.manager_id).Take();
}

std::vector<AuditedField> AuditedFields(const Quota& r) {
  return Fields()
      .Add("scope", QuotaScopeName(r.scope))
      .Add("user_id", r.user_id)
      .Add("team_id", r.team_id)
      .Add("period", QuotaPeriodName(r.period))
      .Add("metric", QuotaMetricName(r.metric))
      .Add("target", r.target)
      .Add("currency", r.currency)
      .Add("pipeline_id", r.pipeline_id)
      .Add("starts_on", r.starts_on)
      .Add("ends_on", r.ends_on)
      .Take();
}

std::vector<AuditedField> AuditedFields(const ApiToken& r) {
  return Fields().Add("user_id", r.user_id).Add("name", r.name).Add("prefix", r.prefix).Take();
}

std::vector<AuditedField> AuditedFields(const Pipeline& r) {
  return Fields()
      .Add("name", r.name)
      .Add("order", r.order)
      .Add("active", r.active)
      .Add("visibility", PipelineVisibilityName(r.visibility))
      .Take();
}

std::vector<AuditedField> AuditedFields(const Stage& r) {
  return Fields()
      .Add("pipeline_id", r.pipeline_id)
      .Add("name", r.name)
      .Add("order", r.order)
      .Add("probability", r.probability)
      .Add("rotting_days", r.rotting_days)
      .Add("playbook", r.playbook)
      .Take();
}

std::vector<AuditedField> AuditedFields(const Organization& r) {
  return Fields().Add("name", r.name).Add("address", r.address).Add("owner_id", r.owner_id).Take();
}

std::vector<AuditedField> AuditedFields(const Person& r) {
  return Fields()
      .Add("name", r.name)
      .Add("emails", r.emails)
      .Add("phones", r.phones)
      .Add("org_id", r.org_id)
      .Add("owner_id", r.owner_id)
      .Take();
}

std::vector<AuditedField> AuditedFields(const Deal& r) {
  return Fields()
      .Add("title", r.title)
      .Add("value_minor", r.value.amount_minor)
      .Add("currency", r.value.currency)
      .Add("pipeline_id", r.pipeline_id)
      .Add("stage_id", r.stage_id)
      .Add("status", DealStatusName(r.status))
      .Add("lost_reason", r.lost_reason)
      .Add("expected_close_date", r.expected_close_date)
      .Add("owner_id", r.owner_id)
      .Add("person_id", r.person_id)
      .Add("org_id", r.org_id)
      .Add("source", r.source)
      .Add("probability_override", r.probability_override)
      .Add("closed_at", r.closed_at)
      .Take();
}

std::vector<AuditedField> AuditedFields(const LostReason& r) {
  return Fields().Add("label", r.label).Add("order", r.order).Add("active", r.active).Take();
}

std::vector<AuditedField> AuditedFields(const Activity& r) {
  return Fields()
      .Add("type", ActivityTypeName(r.type))
      .Add("subject", r.subject)
      .Add("due_date", r.due_date)
      .Add("due_time", r.due_time)
      .Add("duration_minutes", r.duration_minutes)
      .Add("done", r.done)
      .Add("deal_id", r.deal_id)
      .Add("person_id", r.person_id)
      .Add("org_id", r.org_id)
      .Add("owner_id", r.owner_id)
      .Add("note", r.note)
      .Take();
}

std::vector<AuditedField> AuditedFields(const Note& r) {
  return Fields()
      .Add("content", r.content)
      .Add("deal_id", r.deal_id)
      .Add("person_id", r.person_id)
      .Add("org_id", r.org_id)
      .Add("user_id", r.user_id)
      .Add("pinned", r.pinned)
      .Take();
}

template <typename T>
std::vector<FieldChange> AuditChanges(const std::optional<T>& before,
                                      const std::optional<T>& after) {
  const std::vector<AuditedField> old_fields =
      before ? AuditedFields(*before) : std::vector<AuditedField>();
  const std::vector<AuditedField> new_fields =
      after ? AuditedFields(*after) : std::vector<AuditedField>();
  const size_t n = std::max(old_fields.size(), new_fields.size());
  std::vector<FieldChange> changes;
  for (size_t i = 0; i < n; ++i) {
    const std::string_view name = i < new_fields.size() ? new_fields[i].name : old_fields[i].name;
    const std::string& was = i < old_fields.size() ? old_fields[i].value : std::string();
    const std::string& is = i < new_fields.size() ? new_fields[i].value : std::string();
    // "false" is the empty value of a flag for a record that did not exist before or after.
    if (was == is) continue;
    if ((!before && is == "false") || (!after && was == "false")) continue;
    changes.push_back({std::string(name), was, is});
  }
  return changes;
}

template std::vector<FieldChange> AuditChanges(const std::optional<User>&,
                                               const std::optional<User>&);
template std::vector<FieldChange> AuditChanges(const std::optional<Team>&,
                                               const std::optional<Team>&);
template std::vector<FieldChange> AuditChanges(const std::optional<Quota>&,
                                               const std::optional<Quota>&);
template std::vector<FieldChange> AuditChanges(const std::optional<ApiToken>&,
                                               const std::optional<ApiToken>&);
template std::vector<FieldChange> AuditChanges(const std::optional<Pipeline>&,
                                               const std::optional<Pipeline>&);
template std::vector<FieldChange> AuditChanges(const std::optional<Stage>&,
                                               const std::optional<Stage>&);
template std::vector<FieldChange> AuditChanges(const std::optional<Organization>&,
                                               const std::optional<Organization>&);
template std::vector<FieldChange> AuditChanges(const std::optional<Person>&,
                                               const std::optional<Person>&);
template std::vector<FieldChange> AuditChanges(const std::optional<Deal>&,
                                               const std::optional<Deal>&);
template std::vector<FieldChange> AuditChanges(const std::optional<LostReason>&,
                                               const std::optional<LostReason>&);
template std::vector<FieldChange> AuditChanges(const std::optional<Activity>&,
                                               const std::optional<Activity>&);
template std::vector<FieldChange> AuditChanges(const std::optional<Note>&,
                                               const std::optional<Note>&);

}  // namespace pipedeck
