#include "core/model.h"

#include <array>
#include <utility>

namespace pipedeck {
namespace {

// Looks `s` up in a name table indexed by the enum's underlying value.
template <typename E, size_t N>
std::optional<E> ParseName(const std::array<const char*, N>& names, std::string_view s) {
  for (size_t i = 0; i < N; ++i) {
    if (s == names[i]) return static_cast<E>(i);
  }
  return std::nullopt;
}

constexpr std::array<const char*, 3> kRoleNames = {"admin", "manager", "rep"};
constexpr std::array<const char*, 3> kPipelineVisibilityNames = {"owners", "team", "everyone"};
constexpr std::array<const char*, 3> kDealStatusNames = {"open", "won", "lost"};
constexpr std::array<const char*, 5> kStageEventKindNames = {"created", "stage_changed", "won",
                                                             "lost", "reopened"};
constexpr std::array<const char*, 5> kActivityTypeNames = {"call", "meeting", "email", "task",
                                                           "deadline"};
constexpr std::array<const char*, 3> kQuotaScopeNames = {"user", "team", "company"};
constexpr std::array<const char*, 3> kQuotaPeriodNames = {"week", "month", "quarter"};
constexpr std::array<const char*, 3> kQuotaMetricNames = {"won_value", "deals_won",
                                                          "activities_done"};
constexpr std::array<const char*, 9> kHealthFlagNames = {"rotting",
                                                         "stuck",
                                                         "overdue",
                                                         "no_next_activity",
                                                         "stage_overload",
                                                         "late_stage_overload",
                                                         "thin_pipeline",
                                                         "unqualified_effort",
                                                         "aged"};

}  // namespace

const char* RoleName(Role r) { return kRoleNames[static_cast<size_t>(r)]; }
std::optional<Role> ParseRole(std::string_view s) { return ParseName<Role>(kRoleNames, s); }

const char* PipelineVisibilityName(PipelineVisibility v) {
  return kPipelineVisibilityNames[static_cast<size_t>(v)];
}
std::optional<PipelineVisibility> ParsePipelineVisibility(std::string_view s) {
  return ParseName<PipelineVisibility>(kPipelineVisibilityNames, s);
}

const char* DealStatusName(DealStatus s) { return kDealStatusNames[static_cast<size_t>(s)]; }
std::optional<DealStatus> ParseDealStatus(std::string_view s) {
  return ParseName<DealStatus>(kDealStatusNames, s);
}

const char* StageEventKindName(StageEventKind k) {
  return kStageEventKindNames[static_cast<size_t>(k)];
}
std::optional<StageEventKind> ParseStageEventKind(std::string_view s) {
  return ParseName<StageEventKind>(kStageEventKindNames, s);
}

const char* ActivityTypeName(ActivityType t) { return kActivityTypeNames[static_cast<size_t>(t)]; }
std::optional<ActivityType> ParseActivityType(std::string_view s) {
  return ParseName<ActivityType>(kActivityTypeNames, s);
}

const char* QuotaScopeName(QuotaScope s) { return kQuotaScopeNames[static_cast<size_t>(s)]; }
std::optional<QuotaScope> ParseQuotaScope(std::string_view s) {
  return ParseName<QuotaScope>(kQuotaScopeNames, s);
}

const char* QuotaPeriodName(QuotaPeriod p) { return kQuotaPeriodNames[static_cast<size_t>(p)]; }
std::optional<QuotaPeriod> ParseQuotaPeriod(std::string_view s) {
  return ParseName<QuotaPeriod>(kQuotaPeriodNames, s);
}

const char* QuotaMetricName(QuotaMetric m) { return kQuotaMetricNames[static_cast<size_t>(m)]; }
std::optional<QuotaMetric> ParseQuotaMetric(std::string_view s) {
  return ParseName<QuotaMetric>(kQuotaMetricNames, s);
}

const char* HealthFlagName(HealthFlag f) { return kHealthFlagNames[static_cast<size_t>(f)]; }
std::optional<HealthFlag> ParseHealthFlag(std::string_view s) {
  return ParseName<HealthFlag>(kHealthFlagNames, s);
}

}  // namespace pipedeck
