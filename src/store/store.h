// The storage interface: everything the workspace needs to keep, find and total records.
//
// One interface, several backends (SQLite now, PostgreSQL later); nothing above this header knows
// which one runs. All access happens inside a transaction: Store::Read / Store::Write run a
// function against a StoreTx and commit when it returns ok, roll back otherwise, so a failed
// operation never leaves half a change. Write transactions are serialised by the backend.
//
// Thread-safety: a Store is shared by all server threads; each Read/Write call gets its own
// StoreTx, which must not escape the function or be used from another thread.
//
// Errors: lookups of a missing id return kNotFound; Update*/Delete* with a stale expected version
// return kPreconditionFailed (a Delete* with expected_version <= 0 deletes any version);
// unique-key clashes (user email, token hash) return kConflict; everything else from the database
// is kInternal with the backend's message.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/audit.h"
#include "core/model.h"
#include "core/status.h"

namespace pipedeck {

// ---- Listing ------------------------------------------------------------------------------------

// Every sort ends with id as the tie-breaker. kName is a deal's title and a lost reason's label;
// kPosition is the explicit `order` of pipelines, stages and lost reasons; deals without an
// expected close date come after dated ones (ascending); kDueDate orders activities by due moment,
// one without a time counting as due at the end of its day. A sort a record type lacks gives
// kInvalid "sort".
enum class SortField {
  kId,
  kCreatedAt,
  kUpdatedAt,
  kName,
  kValue,
  kExpectedCloseDate,
  kPosition,
  kDueDate
};

// The records one user may see (service/visibility.h decides it for each role). A deal is visible
// when its owner is in owner_ids, its pipeline in everyone_pipelines, or its pipeline in
// team_pipelines and its owner in team_member_ids. An activity, person or organization is visible
// when its owner is in owner_ids or it belongs to a visible deal; a note when its author is in
// owner_ids or its deal, person or organization is visible.
struct VisibleScope {
  std::vector<Id> owner_ids;
  std::vector<Id> everyone_pipelines;
  std::vector<Id> team_pipelines;
  std::vector<Id> team_member_ids;
};

// Filters shared by every list; each record type honours the ones that exist on it (the API
// rejects the others before they reach the store). Text search is a case-insensitive substring
// match on the title/name/subject/content.
struct ListQuery {
  std::optional<Id> pipeline_id, stage_id, owner_id, person_id, org_id, deal_id, user_id, team_id;
  std::optional<DealStatus> status;
  std::optional<bool> done;                // activities
  std::optional<bool> has_next_activity;   // deals: with (true) or without (false) a planned one
  std::optional<Date> due_from, due_to;    // activities: due_date in [from, to]
  std::optional<Timestamp> updated_since;  // updated_at >= this
  std::optional<VisibleScope> visible;     // deals, activities, notes, persons, organizations
  std::string text;
  SortField sort = SortField::kId;
  bool descending = false;
  int limit = 50;  // 1..500, checked by the caller
  // Opaque keyset cursor from a previous page's next_cursor; empty = first page. A cursor only
  // fits the same sort; the backend returns kInvalid "cursor" when it does not decode.
  std::string cursor;
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_cursor;  // empty when this is the last page
};

// ---- Board --------------------------------------------------------------------------------------

struct CurrencyTotal {
  std::string currency;
  int64_t count = 0;
  int64_t value_minor = 0;
  int64_t weighted_minor = 0;  // Σ value × effective probability / 100, rounded per deal sum
};

// One stage column of the board: totals of the open deals in it and its first cards.
struct BoardColumn {
  Stage stage;
  int64_t deal_count = 0;
  std::vector<CurrencyTotal> totals;  // one per currency, ordered by currency code
  std::vector<Deal> cards;            // first `card_limit` open deals by position
};

// What a card shows next to the deal itself.
struct CardDetails {
  std::string org_name, person_name, owner_name;
};

struct BoardQuery {
  Id pipeline_id = 0;
  int card_limit = 20;
  std::optional<Id> owner_id;  // only this owner's deals (counts and totals too)
  // Only the deals of these owners (counts and totals too): what the user may see of this
  // pipeline (service/visibility.h); std::nullopt: every deal.
  std::optional<std::vector<Id>> visible_owners;
  std::string text;            // only deals whose title contains this (case-insensitive)
};

// ---- Analytics reads ----------------------------------------------------------------------------

// A deal as analytics reads it: only the columns the metrics use. The string views point into the
// backend's row buffer and are valid during the callback only.
struct DealFactRow {
  Id id = 0, pipeline_id = 0, stage_id = 0, owner_id = 0;
  DealStatus status = DealStatus::kOpen;
  int64_t value_minor = 0;
  std::string_view currency;
  Timestamp created_at;
  std::optional<Timestamp> closed_at;
  Timestamp stage_changed_at;
  std::optional<int32_t> probability_override;
  std::optional<Date> expected_close_date;
  std::string_view lost_reason;
};

// A stage event as analytics reads it.
struct StageEventFactRow {
  Id id = 0, deal_id = 0;
  StageEventKind kind = StageEventKind::kCreated;
  Timestamp at;
  std::optional<Id> to_pipeline_id, to_stage_id;
  DealStatus to_status = DealStatus::kOpen;
};

// What changed among the deals since a point of the deal change log (every insert, update and
// delete of a deal appends the deal's id to the log, in commit order; a bulk load appends a reset
// mark). `reset` says the changes cannot be listed (the log was pruned past the point, a bulk load
// happened, or more than the asked-for number of deals changed): the reader must reload all.
struct DealChanges {
  int64_t latest = 0;  // the log position the answer reaches; pass it as `after` next time
  bool reset = false;
  std::vector<Id> deal_ids;  // changed (or deleted) deals, each once, ascending; empty on reset
};

// The highest ids given so far (StoreTx::LastAssignedIds); 0 when none.
struct AssignedIds {
  Id organization = 0;
  Id person = 0;
  Id deal = 0;
  Id stage_event = 0;
};

// ---- The transaction
// ------------------------------------------------------------------------------

class StoreTx {
 public:
  virtual ~StoreTx() = default;

  // Other systems' ids of imported records: `object` names the kind ("deals"). A key may outlive
  // its record (deleted since); the caller checks that the record exists.
  virtual Result<std::optional<Id>> FindExternalKey(std::string_view object,
                                                    std::string_view external_id) = 0;
  // Sets the record of a key, replacing the one it had.
  virtual Status PutExternalKey(std::string_view object, std::string_view external_id,
                                Id record_id) = 0;

  // The highest id each kind of record has been given (deleted records count: ids are never
  // reused), for a bulk load that numbers its records itself (BulkWriter).
  virtual Result<AssignedIds> LastAssignedIds() = 0;

  // Runs `fn` inside a savepoint of this write transaction: when `fn` fails its changes are
  // undone and the transaction goes on (imports commit many rows at once, each all or nothing).
  // Nests. Errors: `fn`'s; kInternal when the database rolled the whole transaction back.
  virtual Status WithinSavepoint(const std::function<Status()>& fn) = 0;

  // Users and tokens.
  virtual Result<User> InsertUser(User u) = 0;  // returns it with id set
  virtual Result<User> GetUser(Id id) = 0;
  virtual Result<User> FindUserByEmail(const std::string& email_lower) = 0;
  virtual Status UpdateUser(const User& u,
                            int64_t expected_version) = 0;  // stores u (version already bumped)
  virtual Result<Page<User>> ListUsers(const ListQuery& q) = 0;
  virtual Result<ApiToken> InsertToken(ApiToken t) = 0;
  virtual Result<ApiToken> FindTokenByHash(const std::string& secret_hash) = 0;
  virtual Result<std::vector<ApiToken>> ListTokens(Id user_id) = 0;
  virtual Status DeleteToken(Id token_id) = 0;
  virtual Status DeleteTokensOfUser(Id user_id) = 0;
  virtual Status TouchToken(Id token_id, Timestamp at) = 0;

  // Passwords (an argon2id string per user, service/accounts.h), sessions, reset codes and the
  // failed sign-ins that rate limiting counts. `subject` names what failures are counted for
  // ("account:ada@example.com", "address:192.0.2.1").
  virtual Result<std::optional<std::string>> GetPasswordHash(Id user_id) = 0;
  virtual Status SetPasswordHash(Id user_id, const std::string& hash, Timestamp at) = 0;
  virtual Result<Session> InsertSession(Session s) = 0;
  virtual Result<Session> FindSessionByHash(const std::string& secret_hash) = 0;  // kNotFound
  virtual Status TouchSession(Id session_id, Timestamp at) = 0;
  virtual Status DeleteSession(Id session_id) = 0;  // no error when it is gone already
  // Deletes every session of the user except `keep` (0 keeps none).
  virtual Status DeleteSessionsOfUser(Id user_id, Id keep) = 0;
  virtual Result<PasswordReset> InsertPasswordReset(PasswordReset r) = 0;
  virtual Result<PasswordReset> FindPasswordResetByHash(const std::string& secret_hash) = 0;
  virtual Status DeletePasswordResetsOfUser(Id user_id) = 0;
  virtual Status AddSignInFailure(const std::string& subject, Timestamp at) = 0;
  // The failures of `subject` at or after `since`, newest first, at most `limit`.
  virtual Result<std::vector<Timestamp>> SignInFailures(const std::string& subject,
                                                        Timestamp since, int limit) = 0;
  virtual Status ClearSignInFailures(const std::string& subject) = 0;
  // Forgets what no longer counts: sessions last seen before `seen_before` or created before
  // `created_before`, failures before `failed_before`, reset codes expired before `now`.
  virtual Status PruneSignIns(Timestamp seen_before, Timestamp created_before,
                              Timestamp failed_before, Timestamp now) = 0;

  // The audit log: appended to, read, never changed. AppendAudit returns the entry with its id.
  virtual Result<AuditEntry> AppendAudit(AuditEntry entry) = 0;
  // Entries matching `q`, newest first, with their changes.
  virtual Result<std::vector<AuditEntry>> ListAudit(const AuditQuery& q) = 0;

  // Pipelines and stages.
  virtual Result<Pipeline> InsertPipeline(Pipeline p) = 0;
  virtual Result<Pipeline> GetPipeline(Id id) = 0;
  virtual Status UpdatePipeline(const Pipeline& p, int64_t expected_version) = 0;
  // Also deletes its stages and the quotas limited to it.
  virtual Status DeletePipeline(Id id, int64_t expected_version) = 0;
  virtual Result<Page<Pipeline>> ListPipelines(const ListQuery& q) = 0;  // sort by order, then id
  virtual Result<Stage> InsertStage(Stage s) = 0;
  virtual Result<Stage> GetStage(Id id) = 0;
  virtual Status UpdateStage(const Stage& s, int64_t expected_version) = 0;
  virtual Status DeleteStage(Id id, int64_t expected_version) = 0;
  virtual Result<std::vector<Stage>> StagesOfPipeline(Id pipeline_id) = 0;  // by order
  virtual Result<Page<Stage>> ListStages(const ListQuery& q) = 0;           // filter pipeline_id

  // Contacts.
  virtual Result<Organization> InsertOrganization(Organization o) = 0;
  virtual Result<Organization> GetOrganization(Id id) = 0;
  virtual Status UpdateOrganization(const Organization& o, int64_t expected_version) = 0;
  virtual Status DeleteOrganization(
      Id id, int64_t expected_version) = 0;  // unlinks persons, deals, activities, notes
  virtual Result<Page<Organization>> ListOrganizations(const ListQuery& q) = 0;
  virtual Result<Person> InsertPerson(Person p) = 0;
  virtual Result<Person> GetPerson(Id id) = 0;
  virtual Status UpdatePerson(const Person& p, int64_t expected_version) = 0;
  virtual Status DeletePerson(Id id,
                              int64_t expected_version) = 0;  // unlinks deals, activities, notes
  virtual Result<Page<Person>> ListPersons(const ListQuery& q) = 0;

  // Deals.
  virtual Result<Deal> InsertDeal(Deal d) = 0;
  virtual Result<Deal> GetDeal(Id id) = 0;
  virtual Status UpdateDeal(const Deal& d, int64_t expected_version) = 0;
  virtual Status DeleteDeal(Id id,
                            int64_t expected_version) = 0;  // with its activities, notes, history
  virtual Result<Page<Deal>> ListDeals(const ListQuery& q) = 0;
  virtual Result<int64_t> CountDealsInStage(Id stage_id) = 0;        // any status
  virtual Result<int64_t> CountDealsInPipeline(Id pipeline_id) = 0;  // any status
  // Open deals of a stage in card order: `offset`..`offset+limit`; used to place a dropped card.
  virtual Result<std::vector<Deal>> CardsOfStage(Id stage_id, int64_t offset, int64_t limit) = 0;
  // Smallest position among the stage's open deals; std::nullopt when it has none.
  virtual Result<std::optional<double>> FirstPosition(Id stage_id) = 0;
  virtual Result<std::optional<double>> LastPosition(Id stage_id) = 0;
  // Rewrites the position of every open deal of the stage (in current card order) without
  // bumping versions: renumbering is not an edit of the deals. New positions are kPositionStep,
  // 2 × kPositionStep, ... (core/deal_rules.h).
  virtual Status RenumberStage(Id stage_id) = 0;
  // Moves every deal of `from_stage` to `to_stage` (both pipelines' ids updated), bumping versions.
  // stage_changed_at and updated_at become `now`; the moved cards keep their order and go below
  // the target stage's cards. Records no stage events (the caller does).
  virtual Status MoveAllDeals(Id from_stage, const Stage& to_stage, Timestamp now) = 0;
  // Recomputes next_activity_date and last_activity_at of a deal from its activities.
  virtual Status RefreshDealActivityDates(Id deal_id) = 0;

  // Stage history.
  virtual Result<StageEvent> InsertStageEvent(StageEvent e) = 0;
  virtual Result<std::vector<StageEvent>> StageEventsOfDeal(Id deal_id) = 0;  // oldest first

  // Lost reasons.
  virtual Result<LostReason> InsertLostReason(LostReason r) = 0;
  virtual Result<LostReason> GetLostReason(Id id) = 0;
  virtual Status UpdateLostReason(const LostReason& r, int64_t expected_version) = 0;
  virtual Status DeleteLostReason(Id id, int64_t expected_version) = 0;
  virtual Result<Page<LostReason>> ListLostReasons(const ListQuery& q) = 0;  // by order, then id

  // Activities and notes.
  virtual Result<Activity> InsertActivity(Activity a) = 0;
  virtual Result<Activity> GetActivity(Id id) = 0;
  virtual Status UpdateActivity(const Activity& a, int64_t expected_version) = 0;
  virtual Status DeleteActivity(Id id, int64_t expected_version) = 0;
  virtual Result<Page<Activity>> ListActivities(const ListQuery& q) = 0;
  virtual Result<std::vector<Activity>> ActivitiesOfDeal(Id deal_id) = 0;
  virtual Result<Note> InsertNote(Note n) = 0;
  virtual Result<Note> GetNote(Id id) = 0;
  virtual Status UpdateNote(const Note& n, int64_t expected_version) = 0;
  virtual Status DeleteNote(Id id, int64_t expected_version) = 0;
  virtual Result<Page<Note>> ListNotes(const ListQuery& q) = 0;
  virtual Result<std::vector<Note>> NotesOfDeal(Id deal_id) = 0;

  // Board: columns for every stage of the pipeline, in stage order.
  virtual Result<std::vector<BoardColumn>> Board(const BoardQuery& q) = 0;
  // Names shown on cards, for the given deals (keyed by deal id).
  virtual Result<std::map<Id, CardDetails>> CardDetailsOf(const std::vector<Deal>& deals) = 0;
  // A number that changes whenever anything the pipeline's board shows may have changed: its
  // deals (any field), its stages, the pipeline itself, or a name a card shows (organization,
  // person, owner). It never repeats for a pipeline id, so equal versions mean an equal board at
  // the same moment. Read it in the transaction that reads the board to pair the two. Changes
  // made by a bulk load also change it.
  virtual Result<int64_t> BoardVersion(Id pipeline_id) = 0;
  // BoardVersion of every existing pipeline, by pipeline id, in one read.
  virtual Result<std::map<Id, int64_t>> AllBoardVersions() = 0;

  // Teams. Deleting a team unlinks its users (team_id becomes empty) and deletes its quotas.
  virtual Result<Team> InsertTeam(Team t) = 0;
  virtual Result<Team> GetTeam(Id id) = 0;
  virtual Status UpdateTeam(const Team& t, int64_t expected_version) = 0;  // name clash: kConflict
  virtual Status DeleteTeam(Id id, int64_t expected_version) = 0;
  virtual Result<Page<Team>> ListTeams(const ListQuery& q) = 0;  // sort id or name; text on name

  // Quotas; lists honour user_id, team_id and pipeline_id (sort id only).
  virtual Result<Quota> InsertQuota(Quota q) = 0;
  virtual Result<Quota> GetQuota(Id id) = 0;
  virtual Status UpdateQuota(const Quota& q, int64_t expected_version) = 0;
  virtual Status DeleteQuota(Id id, int64_t expected_version) = 0;
  virtual Result<Page<Quota>> ListQuotas(const ListQuery& q) = 0;

  // Forecast snapshots. Inserting keeps an existing row of the same (month, pipeline, owner)
  // untouched, so taking a month's snapshot twice (two servers) keeps the first.
  virtual Status InsertForecastSnapshots(const std::vector<ForecastSnapshot>& rows) = 0;
  virtual Result<bool> HasForecastSnapshot(Date month) = 0;
  // Rows with month in [from, to), by month, pipeline, owner.
  virtual Result<std::vector<ForecastSnapshot>> ForecastSnapshotsBetween(Date from, Date to) = 0;

  // Health flag snoozes: one per (deal, flag); putting one replaces it. Deleting a deal deletes
  // its snoozes. DeleteSnooze of a missing one is kNotFound.
  virtual Status PutSnooze(const FlagSnooze& s) = 0;
  virtual Status DeleteSnooze(Id deal_id, HealthFlag flag) = 0;
  virtual Result<std::vector<FlagSnooze>> SnoozesOfDeal(Id deal_id) = 0;  // by flag
  // Snoozes still in force on `day` (until > day), by deal id then flag.
  virtual Result<std::vector<FlagSnooze>> SnoozesInForce(Date day) = 0;

  // Analytics reads. Scans stream rows to `fn` inside this transaction; `deal_ids` empty means
  // every deal, else only those (unknown ids are skipped). Deals come in ascending id order,
  // stage events by (deal_id, at, id).
  virtual Status ScanDealFacts(const std::vector<Id>& deal_ids,
                               const std::function<void(const DealFactRow&)>& fn) = 0;
  virtual Status ScanStageEventFacts(const std::vector<Id>& deal_ids,
                                     const std::function<void(const StageEventFactRow&)>& fn) = 0;
  // Every open deal (of one pipeline, or all), whole, in ascending id order.
  virtual Status ScanOpenDeals(std::optional<Id> pipeline_id,
                               const std::function<void(const Deal&)>& fn) = 0;
  // The deal change log (see DealChanges): its current position, what changed after `after`
  // (at most `max_ids` deals, else reset), and dropping all but the newest `keep` entries.
  virtual Result<int64_t> LatestDealChange() = 0;
  virtual Result<DealChanges> DealChangesSince(int64_t after, size_t max_ids) = 0;
  virtual Status PruneDealChanges(int64_t keep) = 0;
  // Done activities whose done_at falls on a UTC day in [from, to), counted per owner (owners
  // without any are absent). Kept as per-day totals, so the cost does not grow with the number of
  // activities.
  virtual Result<std::map<Id, int64_t>> CountDoneActivitiesByOwner(Date from, Date to) = 0;
  // Done activities of each of the given deals (deals without any are absent).
  virtual Result<std::map<Id, int64_t>> CountDoneActivitiesOfDeals(
      const std::vector<Id>& deal_ids) = 0;

  // Workspace settings (default currency, ...): small string key/value pairs.
  virtual Result<std::optional<std::string>> GetSetting(const std::string& key) = 0;
  virtual Status PutSetting(const std::string& key, const std::string& value) = 0;
};

// Loads many records fast (the workspace generator; a bulk CSV import of deals). Records arrive
// with their ids already set (non-zero) so that references need no lookups, and are written as
// given: no validation, no defaults, no history; the caller is responsible for consistency. Rows
// are committed in large batches while secondary indexes are suspended; Finish() rebuilds indexes
// and derived data (board totals) and makes the load complete. The load is not atomic: a failure
// part-way leaves the batches written so far, so it is meant for new or disposable workspaces.
// Only one bulk load may run at a time, and no other writes should run during it.
class BulkWriter {
 public:
  virtual ~BulkWriter() = default;
  virtual Status Add(const User& u) = 0;
  virtual Status Add(const Pipeline& p) = 0;
  virtual Status Add(const Stage& s) = 0;
  virtual Status Add(const Organization& o) = 0;
  virtual Status Add(const Person& p) = 0;
  virtual Status Add(const Deal& d) = 0;
  virtual Status Add(const StageEvent& e) = 0;
  virtual Status Add(const LostReason& r) = 0;
  virtual Status Add(const Activity& a) = 0;
  virtual Status Add(const Note& n) = 0;
  // Another system's id of a loaded record (StoreTx::PutExternalKey).
  virtual Status AddExternalKey(std::string_view object, std::string_view external_id,
                                Id record_id) = 0;
  // Commits the last batch and rebuilds indexes and derived data. Must be called once; a writer
  // destroyed without Finish() commits nothing further and still restores the indexes.
  virtual Status Finish() = 0;
};

class Store {
 public:
  virtual ~Store() = default;
  // Starts a bulk load (see BulkWriter).
  virtual Result<std::unique_ptr<BulkWriter>> BeginBulkLoad() = 0;
  // Runs `fn` in a read-only snapshot transaction.
  virtual Status Read(const std::function<Status(StoreTx&)>& fn) = 0;
  // Runs `fn` in a write transaction; commits iff `fn` returns ok. Writers are serialised: those
  // of one process queue in arrival order without polling the database.
  virtual Status Write(const std::function<Status(StoreTx&)>& fn) = 0;
  // Flushes and closes; later calls fail with kInternal. Safe to call more than once.
  virtual void Close() = 0;
};

}  // namespace pipedeck
