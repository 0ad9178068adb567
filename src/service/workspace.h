// Workspace: the use cases of Pipedeck, one method per thing a user can do.
//
// Each method validates its input with core rules, checks references against the store, and
// writes inside one store transaction, so a failed call changes nothing. Callers (the HTTP API,
// the CLI, the demo seeder) only translate their input into these calls.
//
// Creation takes the same *Patch structs as updates: a field left empty gets its default
// (owner = the acting user, currency = the workspace default, stage = first stage of the
// pipeline, ...) and required fields that are missing give kInvalid naming them.
//
// `if_version`: when set, the record's current version must equal it, else kPreconditionFailed
// (the API fills it from If-Match). When empty the change applies to the latest version.
//
// Thread-safety: a Workspace is shared by all server threads; it holds no mutable state of its own.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/deal_rules.h"
#include "core/metrics.h"
#include "core/model.h"
#include "core/status.h"
#include "core/time.h"
#include "service/exporter.h"
#include "service/importer.h"
#include "store/store.h"

namespace pipedeck {

// An API token as created: the secret is returned exactly once and never stored.
struct NewToken {
  ApiToken token;
  std::string secret;
};

// A card on the board: the deal and what the card shows beside it.
struct BoardCard {
  Deal deal;
  CardDetails details;
  int32_t probability = 0;        // effective probability
  bool overdue = false;           // the next activity is overdue
  bool no_next_activity = false;  // open deal without a planned activity
  bool rotting = false;
};

struct BoardColumnView {
  Stage stage;
  int64_t deal_count = 0;
  std::vector<CurrencyTotal> totals;
  std::vector<BoardCard> cards;
};

struct BoardView {
  Pipeline pipeline;
  std::vector<BoardColumnView> columns;
  // The pipeline's board version (StoreTx::BoardVersion) read with the board, and the moment up
  // to which the flags computed for `now` stay as they are (the first card that turns rotting
  // or overdue; the largest Timestamp when none will). A board with the same version, seen before
  // fresh_until, is identical: what callers need to keep a rendered board.
  int64_t version = 0;
  Timestamp fresh_until;
};

// Open deals of one stage as board cards, one page at a time (beyond the board's first cards).
struct CardPage {
  std::vector<BoardCard> items;
  std::string next_cursor;  // empty on the last page
};

// Workspace settings everyone may read.
struct WorkspaceSettings {
  std::string default_currency;
};

// One item of a deal's timeline.
struct TimelineEntry {
  Timestamp at;  // activity: done_at if done, else its due moment; note: created_at; event: at
  std::variant<Activity, Note, StageEvent> item;
};

// A status a deal is set to together with other fields (Workspace::UpdateDealWithStatus).
struct DealStatusChange {
  DealStatus status = DealStatus::kOpen;
  std::string lost_reason;  // required for kLost
};

class Workspace {
 public:
  Workspace(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // The workspace as `actor` sees it (service/visibility.h): records they may not see are not
  // found, lists and boards leave them out. For admins, and for the workspace of the CLI (whoever
  // holds the database file), everything is visible. One small read (teams, pipelines).
  Result<Workspace> For(const User& actor) const;
  // Identifies what this workspace shows, for keeping rendered views per audience: "" when it
  // shows everything.
  const std::string& ViewKey() const { return view_key_; }

  const Clock& clock() const { return clock_; }
  // The same workspace seen through another clock: every change made through the copy is stamped
  // with that clock's time. The demo seeder uses it to write a realistic history at past instants.
  Workspace WithClock(const Clock& clock) const { return Workspace(store_, clock); }

  // ---- Identity ----
  // Resolves an API token secret to its active user. Errors: kUnauthorized.
  Result<User> Authenticate(std::string_view secret);
  // Creates the first admin of an empty workspace with a token (used by `pipedeck init`).
  Result<NewToken> Bootstrap(const std::string& name, const std::string& email,
                             const std::string& default_currency);

  // ---- Users and tokens (admins manage everyone; a user may manage their own tokens) ----
  Result<User> CreateUser(const User& actor, const UserPatch& fields);
  Result<User> GetUser(Id id);
  Result<User> UpdateUser(const User& actor, Id id, const UserPatch& patch,
                          std::optional<int64_t> if_version);
  // Users own records, so they are deactivated rather than deleted; their tokens and sessions end.
  Result<User> DeactivateUser(const User& actor, Id id, std::optional<int64_t> if_version);
  Result<Page<User>> ListUsers(const ListQuery& q);
  // Hands every deal, person, organization and open activity owned by `from_user_id` to
  // `to_user_id` (an active user), in one transaction, each change audited: what an admin does
  // when a rep leaves or changes territory. Done activities keep their owner (they record who
  // did them). Admins only. Errors: kNotFound for no such user (`from`), kInvalid "to_user_id"
  // for an unknown or deactivated one or the same user.
  struct OwnershipTransfer {
    int64_t deals = 0, persons = 0, organizations = 0, activities = 0;
  };
  Result<OwnershipTransfer> TransferOwnership(const User& actor, Id from_user_id, Id to_user_id);
  Result<NewToken> CreateToken(const User& actor, Id user_id, const std::string& name);
  Result<std::vector<ApiToken>> ListTokens(const User& actor, Id user_id);
  Status RevokeToken(const User& actor, Id user_id, Id token_id);

  // ---- Pipelines and stages (admins change them; everyone reads them) ----
  // `template_key` ("4-stage" ... "7-stage") adds the template's stages; empty adds none.
  Result<Pipeline> CreatePipeline(const User& actor, const PipelinePatch& fields,
                                  std::string_view template_key);
  Result<Pipeline> GetPipeline(Id id);
  Result<Pipeline> UpdatePipeline(const User& actor, Id id, const PipelinePatch& patch,
                                  std::optional<int64_t> if_version);
  // Errors: kConflict when the pipeline still has deals.
  Status DeletePipeline(const User& actor, Id id, std::optional<int64_t> if_version);
  Result<Page<Pipeline>> ListPipelines(const ListQuery& q);

  // `fields.order` empty → appended as the last stage.
  Result<Stage> CreateStage(const User& actor, Id pipeline_id, const StagePatch& fields);
  Result<Stage> GetStage(Id id);
  // Changing `order` moves the stage and renumbers its siblings.
  Result<Stage> UpdateStage(const User& actor, Id id, const StagePatch& patch,
                            std::optional<int64_t> if_version);
  // A stage with deals needs `move_deals_to` (a stage of the same pipeline), else kConflict.
  Status DeleteStage(const User& actor, Id id, std::optional<Id> move_deals_to,
                     std::optional<int64_t> if_version);
  Result<Page<Stage>> ListStages(const ListQuery& q);

  // ---- Contacts ----
  Result<Organization> CreateOrganization(const User& actor, const OrganizationPatch& fields);
  Result<Organization> GetOrganization(Id id);
  Result<Organization> UpdateOrganization(const User& actor, Id id, const OrganizationPatch& patch,
                                          std::optional<int64_t> if_version);
  Status DeleteOrganization(const User& actor, Id id, std::optional<int64_t> if_version);
  Result<Page<Organization>> ListOrganizations(const ListQuery& q);

  Result<Person> CreatePerson(const User& actor, const PersonPatch& fields);
  Result<Person> GetPerson(Id id);
  Result<Person> UpdatePerson(const User& actor, Id id, const PersonPatch& patch,
                              std::optional<int64_t> if_version);
  Status DeletePerson(const User& actor, Id id, std::optional<int64_t> if_version);
  Result<Page<Person>> ListPersons(const ListQuery& q);

  // ---- Deals ----
  // Pipeline/stage defaults: stage given → its pipeline; only pipeline → its first stage;
  // neither → first stage of the first pipeline. New cards go to the top of their stage.
  Result<Deal> CreateDeal(const User& actor, const DealPatch& fields);
  // CreateDeal of a deal that is already won or lost (imports, the Pipedrive-compatible API): in
  // one transaction, stored closed, its history the creation and then the close, both at the
  // same instant. A status of open is CreateDeal.
  Result<Deal> CreateDealWithStatus(const User& actor, const DealPatch& fields,
                                    const std::optional<DealStatusChange>& status);
  Result<Deal> GetDeal(Id id);
  // A patch with stage_id/pipeline_id moves the deal (to the top of the new stage).
  Result<Deal> UpdateDeal(const User& actor, Id id, const DealPatch& patch,
                          std::optional<int64_t> if_version);
  // UpdateDeal and a change of status in one transaction (the Pipedrive-compatible API sets both
  // in one request): a closed deal is reopened before the patch (so that it can move), won or
  // lost after it. No status change when the deal already has that status.
  Result<Deal> UpdateDealWithStatus(const User& actor, Id id, const DealPatch& patch,
                                    const std::optional<DealStatusChange>& status,
                                    std::optional<int64_t> if_version);
  Status DeleteDeal(const User& actor, Id id, std::optional<int64_t> if_version);
  Result<Page<Deal>> ListDeals(const ListQuery& q);
  // Moves an open deal to `stage_id` at 0-based `index` among that stage's open cards
  // (clamped; empty → bottom). Same stage → reorder only.
  Result<Deal> MoveDeal(const User& actor, Id id, Id stage_id, std::optional<int64_t> index,
                        std::optional<int64_t> if_version);
  Result<Deal> MarkWon(const User& actor, Id id, std::optional<int64_t> if_version);
  // `reason` is free text, or `lost_reason_id` names a configured reason (its label is used).
  Result<Deal> MarkLost(const User& actor, Id id, const std::string& reason,
                        std::optional<Id> lost_reason_id, std::optional<int64_t> if_version);
  Result<Deal> Reopen(const User& actor, Id id, std::optional<int64_t> if_version);
  Result<std::vector<StageEvent>> DealHistory(Id id);
  // Activities, notes and stage events of a deal, newest first.
  Result<std::vector<TimelineEntry>> DealTimeline(Id id);
  Result<BoardView> Board(const BoardQuery& q);
  // The open deals of `stage_id` as cards in board order (position), a page of `q.limit` after
  // `q.cursor`, honouring q.owner_id and q.text like the board; other filters are ignored.
  // kNotFound for no such stage.
  Result<CardPage> StageCards(Id stage_id, const ListQuery& q);
  // The pipeline's current board version (see BoardView::version): one indexed read. A pipeline
  // that does not exist has one too; Board is what reports it missing.
  Result<int64_t> BoardVersion(Id pipeline_id);
  // The board version of every pipeline (for change notifications): one read.
  Result<std::map<Id, int64_t>> BoardVersions();

  Result<WorkspaceSettings> Settings();

  // ---- Lost reasons (admins change them; everyone reads them) ----
  Result<LostReason> CreateLostReason(const User& actor, const LostReasonPatch& fields);
  Result<LostReason> GetLostReason(Id id);
  Result<LostReason> UpdateLostReason(const User& actor, Id id, const LostReasonPatch& patch,
                                      std::optional<int64_t> if_version);
  Status DeleteLostReason(const User& actor, Id id, std::optional<int64_t> if_version);
  Result<Page<LostReason>> ListLostReasons(const ListQuery& q);

  // ---- Activities and notes ----
  // due_date defaults to today; subject is required.
  // An activity on a deal takes the deal's person and organization unless `fields` sets them.
  Result<Activity> CreateActivity(const User& actor, const ActivityPatch& fields);
  Result<Activity> GetActivity(Id id);
  Result<Activity> UpdateActivity(const User& actor, Id id, const ActivityPatch& patch,
                                  std::optional<int64_t> if_version);
  Status DeleteActivity(const User& actor, Id id, std::optional<int64_t> if_version);
  Result<Page<Activity>> ListActivities(const ListQuery& q);

  // content and at least one of deal/person/org are required.
  Result<Note> CreateNote(const User& actor, const NotePatch& fields);
  Result<Note> GetNote(Id id);
  Result<Note> UpdateNote(const User& actor, Id id, const NotePatch& patch,
                          std::optional<int64_t> if_version);
  Status DeleteNote(const User& actor, Id id, std::optional<int64_t> if_version);
  Result<Page<Note>> ListNotes(const ListQuery& q);

  // ---- Teams (admins manage them) ----
  Result<Team> CreateTeam(const User& actor, const TeamPatch& fields);
  Result<Team> GetTeam(Id id);
  Result<Team> UpdateTeam(const User& actor, Id id, const TeamPatch& patch,
                          std::optional<int64_t> if_version);
  // Its members are left without a team (an edit of each: versions move); its quotas are deleted.
  Status DeleteTeam(const User& actor, Id id, std::optional<int64_t> if_version);
  Result<Page<Team>> ListTeams(const ListQuery& q);

  // ---- Quotas (admins and managers manage them) ----
  // Defaults: scope from the subject named (user_id → user, team_id → team, else company), period
  // month, metric won_value in the workspace currency, starts_on the first day of the current
  // period; target is required. Changing the metric drops or defaults the currency likewise.
  // The user named must be active; user, team and pipeline are checked (kInvalid naming them).
  Result<Quota> CreateQuota(const User& actor, const QuotaPatch& fields);
  Result<Quota> GetQuota(Id id);
  Result<Quota> UpdateQuota(const User& actor, Id id, const QuotaPatch& patch,
                            std::optional<int64_t> if_version);
  Status DeleteQuota(const User& actor, Id id, std::optional<int64_t> if_version);
  Result<Page<Quota>> ListQuotas(const ListQuery& q);

  // ---- Pipeline health: snoozes, thresholds and the cleanup actions ----
  // Snoozes `flag` on an open deal until `until` (after today) with a reason; replaces an earlier
  // snooze of the same flag. Errors: kNotFound deal; kInvalid "until" / "reason"; kConflict
  // "status" for a closed deal.
  Result<FlagSnooze> SnoozeFlag(const User& actor, Id deal_id, HealthFlag flag, Date until,
                                const std::string& reason);
  Status UnsnoozeFlag(const User& actor, Id deal_id, HealthFlag flag);
  Result<std::vector<FlagSnooze>> SnoozesOfDeal(Id deal_id);
  Result<HealthSettings> GetHealthSettings();
  // Admins and managers only (kForbidden otherwise). Stored as "health.*" settings.
  Result<HealthSettings> UpdateHealthSettings(const User& actor, const HealthSettings& settings);

  // Bulk cleanup of many deals in one transaction: every deal is checked first and one failure
  // (unknown id, closed deal, bad owner, ...) changes nothing; the error names the deal
  // ("deal_ids[3]"). At most kMaxBulkDeals ids, no duplicates. Each deal's change is recorded as
  // the single action would record it (history for lost, versions bumped).
  static constexpr size_t kMaxBulkDeals = 500;
  Result<std::vector<Deal>> BulkReassign(const User& actor, const std::vector<Id>& deal_ids,
                                         Id owner_id);
  // Creates the final follow-up activity ("last chance") on each deal, due on `due_date`
  // (default today), owned by the deal's owner; `subject` defaults to "Last chance: <title>".
  // A deal whose owner is deactivated is refused (kConflict "deal_ids[i]": reassign it first).
  Result<std::vector<Activity>> BulkLastChance(const User& actor, const std::vector<Id>& deal_ids,
                                               std::optional<Date> due_date,
                                               const std::string& subject);
  Result<std::vector<Deal>> BulkMarkLost(const User& actor, const std::vector<Id>& deal_ids,
                                         const std::string& reason,
                                         std::optional<Id> lost_reason_id);

  // ---- Reports ----
  // Narrows the owner and team filters of a report to what `actor` may see (service/
  // visibility.h): a rep's reports are their own figures (asking for another owner or a team is
  // kForbidden); a manager's are their teams' (no filter: the team they lead, else their own;
  // another owner or team is kForbidden); admins' are whatever they ask.
  Status LimitReportScope(const User& actor, std::optional<Id>* owner_id,
                          std::optional<Id>* team_id);

  // ---- Audit log (core/audit.h; every change made through this class is in it) ----
  // Entries matching `q`, newest first. Admins read all of it; anyone else only the log of one
  // record (`q.object` and `q.record_id` set) that exists, as the deal page shows it
  // (kForbidden otherwise). kInvalid names "object", "limit", "from" or "to" when out of range.
  Result<std::vector<AuditEntry>> AuditLog(const User& actor, const AuditQuery& q);

  // ---- CSV import and export (docs/import.md) ----
  // Imports the CSV file `source` as `actor`: ImportCsv of service/importer.h on this workspace.
  Result<ImportReport> ImportCsv(const User& actor, const ImportOptions& options,
                                 const ImportSource& source);
  // Writes every record of `object` as re-importable CSV: ExportCsv of service/exporter.h.
  Status ExportCsv(ImportObject object, const ExportSink& sink);

  // ---- Settings ----
  Result<std::string> DefaultCurrency();

 private:
  Workspace(std::shared_ptr<Store> scoped, const Clock& clock, std::string view_key)
      : store_(*scoped), clock_(clock), scoped_(std::move(scoped)), view_key_(std::move(view_key)) {}

  Store& store_;
  const Clock& clock_;
  std::shared_ptr<Store> scoped_;  // the ScopedStore store_ refers to, when this is a user's view
  std::string view_key_;
};

}  // namespace pipedeck
