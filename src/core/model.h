// The records a sales team works with, as plain values.
//
// Each record has a 64-bit id (0 until stored), a version that increases by one on every change
// (optimistic concurrency: ETag / If-Match), and created/updated instants. Relations are ids.
// Optional relations and values are std::optional. Nothing here knows storage or wire formats.
//
// Patches describe partial updates: a field left std::nullopt is untouched. For a field that may be
// cleared, the patch holds std::optional<std::optional<T>>: outer nullopt = untouched,
// inner nullopt = clear.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/money.h"
#include "core/time.h"

namespace pipedeck {

using Id = int64_t;

template <typename T>
using Clearable = std::optional<std::optional<T>>;

// ---- Users ---------------------------------------------------------------------------------

enum class Role { kAdmin, kManager, kRep };
const char* RoleName(Role r);  // "admin", "manager", "rep"
std::optional<Role> ParseRole(std::string_view s);

struct User {
  Id id = 0;
  std::string name;
  std::string email;  // unique, stored lower case
  Role role = Role::kRep;
  bool active = true;
  std::optional<Id> team_id;  // the sales team the user belongs to, if any
  int64_t version = 1;
  Timestamp created_at, updated_at;
};

struct UserPatch {
  std::optional<std::string> name;
  std::optional<std::string> email;
  std::optional<Role> role;
  std::optional<bool> active;
  Clearable<Id> team_id;
};

// A sales team: users belong to at most one; reports and quotas can be taken per team.
struct Team {
  Id id = 0;
  std::string name;              // unique among teams (case-insensitive)
  std::optional<Id> manager_id;  // the user who leads it
  int64_t version = 1;
  Timestamp created_at, updated_at;
};

struct TeamPatch {
  std::optional<std::string> name;
  Clearable<Id> manager_id;
};

// An API token. Only a hash of the secret is stored; the secret is shown once, at creation.
struct ApiToken {
  Id id = 0;
  Id user_id = 0;
  std::string name;
  std::string secret_hash;  // hex SHA-256 of the secret
  std::string prefix;       // first characters of the secret, to recognise it in a list
  Timestamp created_at;
  std::optional<Timestamp> last_used_at;
};

// A signed-in browser session (service/accounts.h). The session cookie carries a random secret
// of which only the SHA-256 is stored; the CSRF token is sent back by the web UI in the
// X-CSRF-Token header of every change it makes with the cookie.
struct Session {
  Id id = 0;
  Id user_id = 0;
  std::string secret_hash;
  std::string csrf_token;
  Timestamp created_at, last_seen_at;
};

// A password reset code an admin made for a user: shown to the admin once, redeemed by the user
// once, before expires_at. Only its SHA-256 is stored.
struct PasswordReset {
  Id id = 0;
  Id user_id = 0;
  std::string secret_hash;
  Id created_by = 0;
  Timestamp created_at, expires_at;
};

// ---- Pipelines and stages --------------------------------------------------------------------

// Who sees a pipeline's deals besides admins, the deal's owner and the managers of the owner's
// team (service/visibility.h): nobody else (kOwners), the reps of the owner's team (kTeam), or
// every user (kEveryone).
enum class PipelineVisibility { kOwners, kTeam, kEveryone };
const char* PipelineVisibilityName(PipelineVisibility v);  // "owners", "team", "everyone"
std::optional<PipelineVisibility> ParsePipelineVisibility(std::string_view s);

struct Pipeline {
  Id id = 0;
  std::string name;
  int32_t order = 0;  // display order among pipelines, ascending
  bool active = true;
  PipelineVisibility visibility = PipelineVisibility::kOwners;
  int64_t version = 1;
  Timestamp created_at, updated_at;
};

struct PipelinePatch {
  std::optional<std::string> name;
  std::optional<int32_t> order;
  std::optional<bool> active;
  std::optional<PipelineVisibility> visibility;
};

struct Stage {
  Id id = 0;
  Id pipeline_id = 0;
  std::string name;
  int32_t order = 0;        // 0-based position in the pipeline; stages are kept densely numbered
  int32_t probability = 0;  // win probability of a deal in this stage, 0..100
  std::optional<int32_t> rotting_days;  // an open deal untouched this long is rotting
  std::string playbook;  // what a rep is expected to do here and the exit criteria (free text)
  int64_t version = 1;
  Timestamp created_at, updated_at;
};

struct StagePatch {
  std::optional<std::string> name;
  std::optional<int32_t> order;  // moving a stage renumbers its siblings
  std::optional<int32_t> probability;
  Clearable<int32_t> rotting_days;
  std::optional<std::string> playbook;
};

// ---- Contacts --------------------------------------------------------------------------------

struct Organization {
  Id id = 0;
  std::string name;
  std::string address;
  Id owner_id = 0;
  int64_t version = 1;
  Timestamp created_at, updated_at;
};

struct OrganizationPatch {
  std::optional<std::string> name;
  std::optional<std::string> address;
  std::optional<Id> owner_id;
};

// One email address or phone number of a person.
struct ContactPoint {
  std::string value;
  std::string label;  // "work", "home", "mobile", "other"
  bool primary = false;
  bool operator==(const ContactPoint&) const = default;
};

struct Person {
  Id id = 0;
  std::string name;
  std::vector<ContactPoint> emails;
  std::vector<ContactPoint> phones;
  std::optional<Id> org_id;
  Id owner_id = 0;
  int64_t version = 1;
  Timestamp created_at, updated_at;
};

struct PersonPatch {
  std::optional<std::string> name;
  std::optional<std::vector<ContactPoint>> emails;
  std::optional<std::vector<ContactPoint>> phones;
  Clearable<Id> org_id;
  std::optional<Id> owner_id;
};

// ---- Deals -----------------------------------------------------------------------------------

enum class DealStatus { kOpen, kWon, kLost };
const char* DealStatusName(DealStatus s);  // "open", "won", "lost"
std::optional<DealStatus> ParseDealStatus(std::string_view s);

struct Deal {
  Id id = 0;
  std::string title;
  Money value;
  Id pipeline_id = 0;
  Id stage_id = 0;
  DealStatus status = DealStatus::kOpen;
  std::string lost_reason;  // non-empty exactly when status is lost
  std::optional<Date> expected_close_date;
  Id owner_id = 0;
  std::optional<Id> person_id;
  std::optional<Id> org_id;
  std::string source;   // lead source / channel ("web form", "referral", ...)
  double position = 0;  // order of the card within its stage, ascending; see deal_rules.h
  std::optional<int32_t> probability_override;  // 0..100; sticks across stage moves until cleared
  std::optional<Date> next_activity_date;       // earliest due date of the deal's open activities
  std::optional<Timestamp> last_activity_at;    // latest done activity
  Timestamp stage_changed_at;                   // entered the current stage
  std::optional<Timestamp> closed_at;           // won or lost; cleared on reopen
  int64_t version = 1;
  Timestamp created_at, updated_at;
};

// Editable deal fields. Stage and status change through Move / MarkWon / MarkLost / Reopen so that
// every change is recorded in the stage history; a patch may still carry stage_id/pipeline_id and
// the workspace turns that into a move.
struct DealPatch {
  std::optional<std::string> title;
  std::optional<int64_t> value_minor;
  std::optional<std::string> currency;
  std::optional<Id> pipeline_id;
  std::optional<Id> stage_id;
  Clearable<Date> expected_close_date;
  std::optional<Id> owner_id;
  Clearable<Id> person_id;
  Clearable<Id> org_id;
  std::optional<std::string> source;
  Clearable<int32_t> probability_override;
};

// One entry of a deal's stage history.
enum class StageEventKind { kCreated, kStageChanged, kWon, kLost, kReopened };
const char* StageEventKindName(
    StageEventKind k);  // "created", "stage_changed", "won", "lost", "reopened"
std::optional<StageEventKind> ParseStageEventKind(std::string_view s);

struct StageEvent {
  Id id = 0;
  Id deal_id = 0;
  StageEventKind kind = StageEventKind::kCreated;
  Timestamp at;
  Id user_id = 0;
  std::optional<Id> from_pipeline_id, to_pipeline_id;
  std::optional<Id> from_stage_id, to_stage_id;
  DealStatus from_status = DealStatus::kOpen, to_status = DealStatus::kOpen;
  std::string lost_reason;  // for kLost
};

struct LostReason {
  Id id = 0;
  std::string label;
  int32_t order = 0;
  bool active = true;
  int64_t version = 1;
  Timestamp created_at, updated_at;
};

struct LostReasonPatch {
  std::optional<std::string> label;
  std::optional<int32_t> order;
  std::optional<bool> active;
};

// ---- Activities and notes --------------------------------------------------------------------

enum class ActivityType { kCall, kMeeting, kEmail, kTask, kDeadline };
const char* ActivityTypeName(ActivityType t);  // "call", "meeting", "email", "task", "deadline"
std::optional<ActivityType> ParseActivityType(std::string_view s);

struct Activity {
  Id id = 0;
  ActivityType type = ActivityType::kTask;
  std::string subject;
  Date due_date;
  std::optional<TimeOfDay> due_time;  // none = any time that day
  int32_t duration_minutes = 0;
  bool done = false;
  std::optional<Timestamp> done_at;
  std::optional<Id> deal_id, person_id, org_id;
  Id owner_id = 0;
  std::string note;
  int64_t version = 1;
  Timestamp created_at, updated_at;
};

struct ActivityPatch {
  std::optional<ActivityType> type;
  std::optional<std::string> subject;
  std::optional<Date> due_date;
  Clearable<TimeOfDay> due_time;
  std::optional<int32_t> duration_minutes;
  std::optional<bool> done;
  Clearable<Id> deal_id, person_id, org_id;
  std::optional<Id> owner_id;
  std::optional<std::string> note;
};

struct Note {
  Id id = 0;
  std::string content;
  std::optional<Id> deal_id, person_id, org_id;  // at least one is set
  Id user_id = 0;                                // author
  bool pinned = false;
  int64_t version = 1;
  Timestamp created_at, updated_at;
};

struct NotePatch {
  std::optional<std::string> content;
  Clearable<Id> deal_id, person_id, org_id;
  std::optional<bool> pinned;
};

// ---- Quotas, forecast snapshots and health ---------------------------------------------------

// Whose goal a quota is: one rep's, one team's or the whole company's.
enum class QuotaScope { kUser, kTeam, kCompany };
const char* QuotaScopeName(QuotaScope s);  // "user", "team", "company"
std::optional<QuotaScope> ParseQuotaScope(std::string_view s);

// The calendar unit a quota repeats over: ISO weeks (Monday first), months, quarters.
enum class QuotaPeriod { kWeek, kMonth, kQuarter };
const char* QuotaPeriodName(QuotaPeriod p);  // "week", "month", "quarter"
std::optional<QuotaPeriod> ParseQuotaPeriod(std::string_view s);

// What a quota counts: won revenue (value of deals won, minor units of `currency`), deals won,
// or activities done.
enum class QuotaMetric { kWonValue, kDealsWon, kActivitiesDone };
const char* QuotaMetricName(QuotaMetric m);  // "won_value", "deals_won", "activities_done"
std::optional<QuotaMetric> ParseQuotaMetric(std::string_view s);

// A goal that applies to every `period` from `starts_on` (inclusive) until `ends_on` (exclusive;
// none = open-ended). scope kUser names `user_id`, kTeam names `team_id`, kCompany neither.
// `pipeline_id` limits the counted deals to one pipeline (none = all).
struct Quota {
  Id id = 0;
  QuotaScope scope = QuotaScope::kCompany;
  std::optional<Id> user_id, team_id;
  QuotaPeriod period = QuotaPeriod::kMonth;
  QuotaMetric metric = QuotaMetric::kWonValue;
  int64_t target = 0;    // minor units for kWonValue, a count otherwise; > 0
  std::string currency;  // kWonValue only (ISO 4217); empty otherwise
  std::optional<Id> pipeline_id;
  Date starts_on;
  std::optional<Date> ends_on;
  int64_t version = 1;
  Timestamp created_at, updated_at;
};

struct QuotaPatch {
  std::optional<QuotaScope> scope;
  Clearable<Id> user_id, team_id;
  std::optional<QuotaPeriod> period;
  std::optional<QuotaMetric> metric;
  std::optional<int64_t> target;
  std::optional<std::string> currency;
  Clearable<Id> pipeline_id;
  std::optional<Date> starts_on;
  Clearable<Date> ends_on;
};

// The weighted forecast as it stood at the start of a month, kept so forecast accuracy
// (forecast vs actual won) can be reported afterwards. One row per (month, pipeline, owner) with
// open deals expected to close in that month; values in the workspace's default currency.
struct ForecastSnapshot {
  Date month;  // first day of the month
  Id pipeline_id = 0;
  Id owner_id = 0;
  int64_t open_deals = 0;  // open deals expected to close in the month
  int64_t value_minor = 0;
  int64_t weighted_minor = 0;
  Timestamp taken_at;
};

// The pipeline health flags (analytics/health.h explains each).
enum class HealthFlag {
  kRotting,
  kStuck,
  kOverdue,
  kNoNextActivity,
  kStageOverload,
  kLateStageOverload,
  kThinPipeline,
  kUnqualifiedEffort,
  kAged,
};
// "rotting", "stuck", "overdue", "no_next_activity", "stage_overload", "late_stage_overload",
// "thin_pipeline", "unqualified_effort", "aged"
const char* HealthFlagName(HealthFlag f);
std::optional<HealthFlag> ParseHealthFlag(std::string_view s);

// A health flag on a deal silenced until a date: the flag is listed as snoozed, not raised,
// before `until` and comes back on that day if the deal still trips it.
struct FlagSnooze {
  Id deal_id = 0;
  HealthFlag flag = HealthFlag::kRotting;
  Date until;
  std::string reason;  // why it may wait; required
  Id user_id = 0;      // who snoozed it
  Timestamp created_at;
};

// ---- Field limits (shared by validation, the API description and the UI) -------------------

constexpr size_t kMaxTitleLength = 255;     // deal title, names, subjects, labels (UTF-8 bytes)
constexpr size_t kMaxTextLength = 100'000;  // notes, playbooks, activity notes
constexpr size_t kMaxContactPoints = 20;    // emails or phones per person
constexpr int32_t kMaxRottingDays = 3650;
constexpr int32_t kMaxDurationMinutes = 7 * 24 * 60;

}  // namespace pipedeck
