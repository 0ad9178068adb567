#include "service/workspace.h"

#include <algorithm>
#include <charconv>
#include <functional>
#include <limits>
#include <set>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "core/metrics.h"
#include "core/stage_templates.h"
#include "core/validate.h"
#include "service/auditing_store.h"
#include "service/secrets.h"
#include "service/transactions.h"
#include "service/visibility.h"

namespace pipedeck {
namespace {

// ---- How each record type is named, validated and kept ------------------------------------------

// The store operations and core validation of one record type, so that the load / check version /
// change / validate / store cycle is written once (Edit, Remove, CreateRecord below).
template <auto kGetFn, auto kInsertFn, auto kUpdateFn, auto kListFn, auto kValidateFn,
          auto kDeleteFn = nullptr>
struct RecordOps {
  static constexpr auto kGet = kGetFn;
  static constexpr auto kInsert = kInsertFn;
  static constexpr auto kUpdate = kUpdateFn;
  static constexpr auto kList = kListFn;
  static constexpr auto kValidate = kValidateFn;
  static constexpr auto kDelete = kDeleteFn;  // nullptr: the record is never deleted
};

template <typename T>
struct Record;

template <>
struct Record<User> : RecordOps<&StoreTx::GetUser, &StoreTx::InsertUser, &StoreTx::UpdateUser,
                                &StoreTx::ListUsers, &ValidateUser> {
  static constexpr const char* kName = "user";
};
template <>
struct Record<Pipeline>
    : RecordOps<&StoreTx::GetPipeline, &StoreTx::InsertPipeline, &StoreTx::UpdatePipeline,
                &StoreTx::ListPipelines, &ValidatePipeline, &StoreTx::DeletePipeline> {
  static constexpr const char* kName = "pipeline";
};
template <>
struct Record<Stage> : RecordOps<&StoreTx::GetStage, &StoreTx::InsertStage, &StoreTx::UpdateStage,
                                 &StoreTx::ListStages, &ValidateStage, &StoreTx::DeleteStage> {
  static constexpr const char* kName = "stage";
};
template <>
struct Record<Organization> : RecordOps<&StoreTx::GetOrganization, &StoreTx::InsertOrganization,
                                        &StoreTx::UpdateOrganization, &StoreTx::ListOrganizations,
                                        &ValidateOrganization, &StoreTx::DeleteOrganization> {
  static constexpr const char* kName = "organization";
};
template <>
struct Record<Person>
    : RecordOps<&StoreTx::GetPerson, &StoreTx::InsertPerson, &StoreTx::UpdatePerson,
                &StoreTx::ListPersons, &ValidatePerson, &StoreTx::DeletePerson> {
  static constexpr const char* kName = "person";
};
template <>
struct Record<Deal> : RecordOps<&StoreTx::GetDeal, &StoreTx::InsertDeal, &StoreTx::UpdateDeal,
                                &StoreTx::ListDeals, &ValidateDeal, &StoreTx::DeleteDeal> {
  static constexpr const char* kName = "deal";
};
template <>
struct Record<LostReason>
    : RecordOps<&StoreTx::GetLostReason, &StoreTx::InsertLostReason, &StoreTx::UpdateLostReason,
                &StoreTx::ListLostReasons, &ValidateLostReason, &StoreTx::DeleteLostReason> {
  static constexpr const char* kName = "lost reason";
};
template <>
struct Record<Activity>
    : RecordOps<&StoreTx::GetActivity, &StoreTx::InsertActivity, &StoreTx::UpdateActivity,
                &StoreTx::ListActivities, &ValidateActivity, &StoreTx::DeleteActivity> {
  static constexpr const char* kName = "activity";
};
template <>
struct Record<Note> : RecordOps<&StoreTx::GetNote, &StoreTx::InsertNote, &StoreTx::UpdateNote,
                                &StoreTx::ListNotes, &ValidateNote, &StoreTx::DeleteNote> {
  static constexpr const char* kName = "note";
};
template <>
struct Record<Team> : RecordOps<&StoreTx::GetTeam, &StoreTx::InsertTeam, &StoreTx::UpdateTeam,
                                &StoreTx::ListTeams, &ValidateTeam, &StoreTx::DeleteTeam> {
  static constexpr const char* kName = "team";
};
template <>
struct Record<Quota> : RecordOps<&StoreTx::GetQuota, &StoreTx::InsertQuota, &StoreTx::UpdateQuota,
                                 &StoreTx::ListQuotas, &ValidateQuota, &StoreTx::DeleteQuota> {
  static constexpr const char* kName = "quota";
};

std::string IdText(Id id) { return std::to_string(id); }

// ---- Loading, checking and storing one record ---------------------------------------------------

// Loads record `id`. A missing record is kNotFound ("no deal with id 7") when it is the record
// addressed by the call (`field` empty), and kInvalid naming `field` when it is a reference held
// by another record ("person_id: no person with id 9").
template <typename T>
Result<T> Find(StoreTx& tx, Id id, std::string_view field = {}) {
  Result<T> found = (tx.*Record<T>::kGet)(id);
  if (found.ok() || found.status().code() != ErrorCode::kNotFound) return found;
  std::string message = std::string("no ") + Record<T>::kName + " with id " + IdText(id);
  if (field.empty()) return Status::NotFound(std::move(message));
  return Status::Invalid(std::string(field), std::move(message));
}

// Loads a record the caller means to change and checks the version the caller saw.
template <typename T>
Result<T> LoadForChange(StoreTx& tx, Id id, std::optional<int64_t> if_version) {
  PD_ASSIGN_OR_RETURN(T record, Find<T>(tx, id));
  if (if_version && *if_version != record.version) {
    return Status::PreconditionFailed(std::string(Record<T>::kName) + " " + IdText(id) +
                                      " is at version " + std::to_string(record.version) +
                                      ", not " + std::to_string(*if_version));
  }
  return record;
}

// Stores a changed record as the next version. The store compares versions again, so a change
// that raced past LoadForChange still fails instead of being lost.
template <typename T>
Status Save(StoreTx& tx, T& record, Timestamp now) {
  const int64_t seen = record.version;
  record.version = seen + 1;
  record.updated_at = now;
  return (tx.*Record<T>::kUpdate)(record, seen);
}

// Every record of a list (all pages), for the few places that need a whole, small set.
template <typename T>
Result<std::vector<T>> ListAll(StoreTx& tx, ListQuery query) {
  query.limit = 500;
  std::vector<T> all;
  for (;;) {
    PD_ASSIGN_OR_RETURN(Page<T> page, (tx.*Record<T>::kList)(query));
    std::move(page.items.begin(), page.items.end(), std::back_inserter(all));
    if (page.next_cursor.empty()) return all;
    query.cursor = std::move(page.next_cursor);
  }
}

// The owner of a record must be an active user.
Status CheckOwner(StoreTx& tx, Id owner_id) {
  PD_ASSIGN_OR_RETURN(User owner, Find<User>(tx, owner_id, "owner_id"));
  if (!owner.active) {
    return Status::Invalid("owner_id", "user " + IdText(owner_id) + " is deactivated");
  }
  return Status::Ok();
}

template <typename T>
Status CheckLink(StoreTx& tx, std::string_view field, std::optional<Id> before,
                 std::optional<Id> after) {
  if (!after || after == before) return Status::Ok();
  return Find<T>(tx, *after, field).status();
}

// Checks the references a change introduced: only links that differ from `before` are looked up,
// so a record whose owner was deactivated later can still be edited. Creation passes a blank
// `before`, which checks every link.
template <typename R>
Status CheckLinks(StoreTx& tx, const R& before, const R& after) {
  if constexpr (requires { after.owner_id; }) {
    if (after.owner_id != before.owner_id) PD_RETURN_IF_ERROR(CheckOwner(tx, after.owner_id));
  }
  if constexpr (requires { after.deal_id; }) {
    PD_RETURN_IF_ERROR(CheckLink<Deal>(tx, "deal_id", before.deal_id, after.deal_id));
  }
  if constexpr (requires { after.person_id; }) {
    PD_RETURN_IF_ERROR(CheckLink<Person>(tx, "person_id", before.person_id, after.person_id));
  }
  if constexpr (requires { after.org_id; }) {
    PD_RETURN_IF_ERROR(CheckLink<Organization>(tx, "org_id", before.org_id, after.org_id));
  }
  if constexpr (requires { after.team_id; }) {
    PD_RETURN_IF_ERROR(CheckLink<Team>(tx, "team_id", before.team_id, after.team_id));
  }
  return Status::Ok();
}

// Validates and inserts a new record stamped `now`; returns it with its id.
template <typename T>
Result<T> CreateRecord(StoreTx& tx, Timestamp now, T record) {
  PD_RETURN_IF_ERROR(Record<T>::kValidate(record));
  PD_RETURN_IF_ERROR(CheckLinks(tx, T{}, record));
  record.version = 1;
  record.created_at = record.updated_at = now;
  return (tx.*Record<T>::kInsert)(std::move(record));
}

// Activities take "now" to stamp done_at; the other records do not.
template <typename T, typename P>
T ApplyAt(T record, const P& patch, Timestamp now) {
  if constexpr (requires { Apply(record, patch, now); }) {
    return Apply(std::move(record), patch, now);
  } else {
    return Apply(std::move(record), patch);
  }
}

// The usual change: apply the patch, validate the result, check the links it changed.
template <typename T, typename P>
auto PatchWith(const P& patch) {
  return [&patch](StoreTx& tx, T& record, Timestamp now) -> Status {
    const T before = record;
    record = ApplyAt(std::move(record), patch, now);
    PD_RETURN_IF_ERROR(Record<T>::kValidate(record));
    return CheckLinks(tx, before, record);
  };
}

struct NoFollowUp {
  template <typename... Args>
  Status operator()(Args&&...) const {
    return Status::Ok();
  }
};

// One update in one write transaction: load `id` (kNotFound), check `if_version`
// (kPreconditionFailed), let `change(tx, record, now)` edit the record (validating it and touching
// other records as needed), store it as the next version, then run `follow_up(tx, before, after)`
// for records that depend on the stored one.
template <typename T, typename Change, typename FollowUp = NoFollowUp>
Result<T> Edit(Store& store, const Clock& clock, Id id, std::optional<int64_t> if_version,
               Change&& change, FollowUp&& follow_up = {}) {
  return Writing<T>(store, [&](StoreTx& tx) -> Result<T> {
    PD_ASSIGN_OR_RETURN(T record, LoadForChange<T>(tx, id, if_version));
    const T before = record;
    const Timestamp now = clock.Now();
    PD_RETURN_IF_ERROR(change(tx, record, now));
    PD_RETURN_IF_ERROR(Save(tx, record, now));
    PD_RETURN_IF_ERROR(follow_up(tx, before, record));
    return record;
  });
}

// One delete in one write transaction: load (kNotFound), check `if_version`, run
// `check(tx, record)` (may refuse), delete, then `follow_up(tx, record)`.
template <typename T, typename Check = NoFollowUp, typename FollowUp = NoFollowUp>
Status Remove(Store& store, Id id, std::optional<int64_t> if_version, Check&& check = {},
              FollowUp&& follow_up = {}) {
  return store.Write([&](StoreTx& tx) -> Status {
    PD_ASSIGN_OR_RETURN(T record, LoadForChange<T>(tx, id, if_version));
    PD_RETURN_IF_ERROR(check(tx, record));
    PD_RETURN_IF_ERROR((tx.*Record<T>::kDelete)(id, record.version));
    return follow_up(tx, record);
  });
}

template <typename T>
Result<T> Get(Store& store, Id id) {
  return Reading<T>(store, [&](StoreTx& tx) { return Find<T>(tx, id); });
}

template <typename T>
Result<Page<T>> List(Store& store, const ListQuery& q) {
  return Reading<Page<T>>(store, [&](StoreTx& tx) { return (tx.*Record<T>::kList)(q); });
}

// ---- Users and tokens
// -----------------------------------------------------------------------------

Status RequireAdmin(const User& actor, std::string_view what = "users") {
  if (actor.role == Role::kAdmin && actor.active) return Status::Ok();
  return Status::Forbidden("only admins can manage " + std::string(what));
}

// Admins and managers: quotas and the health thresholds.
Status RequireManager(const User& actor, std::string_view what) {
  if ((actor.role == Role::kAdmin || actor.role == Role::kManager) && actor.active) {
    return Status::Ok();
  }
  return Status::Forbidden("only admins and managers can manage " + std::string(what));
}

Status RequireTokenAccess(const User& actor, Id user_id) {
  if (actor.id == user_id && actor.active) return Status::Ok();
  if (actor.role == Role::kAdmin && actor.active) return Status::Ok();
  return Status::Forbidden("only admins can manage other users' tokens");
}

Status CheckEmailFree(StoreTx& tx, const std::string& email, Id self) {
  Result<User> holder = tx.FindUserByEmail(email);
  if (!holder.ok()) {
    return holder.status().code() == ErrorCode::kNotFound ? Status::Ok() : holder.status();
  }
  if (holder->id == self) return Status::Ok();
  return Status::Conflict("email is already used by user " + IdText(holder->id), "email");
}

Result<int64_t> CountActiveAdmins(StoreTx& tx) {
  PD_ASSIGN_OR_RETURN(std::vector<User> users, ListAll<User>(tx, ListQuery{}));
  return static_cast<int64_t>(std::count_if(users.begin(), users.end(), [](const User& u) {
    return u.active && u.role == Role::kAdmin;
  }));
}

// Issues a token for an active user; the secret leaves this function and is never stored.
Result<NewToken> IssueToken(StoreTx& tx, Id user_id, std::string name, Timestamp now) {
  if (name.empty()) name = "API token";
  PD_RETURN_IF_ERROR(ValidateTitle("name", name));
  PD_ASSIGN_OR_RETURN(User user, Find<User>(tx, user_id));
  if (!user.active) {
    return Status::Conflict("user " + IdText(user_id) + " is deactivated; reactivate them first",
                            "active");
  }
  NewToken issued;
  issued.secret = GenerateTokenSecret();
  issued.token.user_id = user_id;
  issued.token.name = std::move(name);
  issued.token.secret_hash = HashTokenSecret(issued.secret);
  issued.token.prefix = TokenPrefix(issued.secret);
  issued.token.created_at = now;
  PD_ASSIGN_OR_RETURN(issued.token, tx.InsertToken(std::move(issued.token)));
  return issued;
}

// A token counts as used "recently enough" within this window, so authenticating does not turn
// every read request into a write.
constexpr int64_t kTokenTouchIntervalMillis = 60'000;

// ---- Pipelines and stages
// -------------------------------------------------------------------------

// Moves `moving` (a stage of `siblings`, or a new stage with id 0 appended last) to index `to`
// and stores the siblings whose order changed. `moving.order` is set but not stored.
Status PlaceStage(StoreTx& tx, std::vector<Stage> siblings, Stage& moving, int32_t to,
                  Timestamp now) {
  auto it = std::find_if(siblings.begin(), siblings.end(),
                         [&](const Stage& s) { return s.id == moving.id && moving.id != 0; });
  if (it == siblings.end()) it = siblings.insert(siblings.end(), moving);
  const size_t from = static_cast<size_t>(it - siblings.begin());
  const size_t target = std::min(static_cast<size_t>(std::max(to, 0)), siblings.size() - 1);
  for (Stage& changed : ReorderStages(std::move(siblings), from, target)) {
    if (changed.id != moving.id) PD_RETURN_IF_ERROR(Save(tx, changed, now));
  }
  moving.order = static_cast<int32_t>(target);  // an order past the end means "last"
  return Status::Ok();
}

// The stage a deal goes to: `stage_id` if given (checked against `pipeline_id` when both are),
// else the first stage of `pipeline_id`, else the first stage of the first active pipeline.
Result<Stage> ResolveStage(StoreTx& tx, std::optional<Id> pipeline_id, std::optional<Id> stage_id) {
  if (pipeline_id) PD_RETURN_IF_ERROR(Find<Pipeline>(tx, *pipeline_id, "pipeline_id").status());
  if (stage_id) {
    PD_ASSIGN_OR_RETURN(Stage stage, Find<Stage>(tx, *stage_id, "stage_id"));
    if (pipeline_id) PD_RETURN_IF_ERROR(CheckStageInPipeline(stage, *pipeline_id));
    return stage;
  }
  Id pipeline = 0;
  if (pipeline_id) {
    pipeline = *pipeline_id;
  } else {
    PD_ASSIGN_OR_RETURN(std::vector<Pipeline> pipelines, ListAll<Pipeline>(tx, ListQuery{}));
    auto first = std::find_if(pipelines.begin(), pipelines.end(),
                              [](const Pipeline& p) { return p.active; });
    if (first == pipelines.end()) {
      return Status::Invalid("pipeline_id", "the workspace has no pipeline yet; create one first");
    }
    pipeline = first->id;
  }
  PD_ASSIGN_OR_RETURN(std::vector<Stage> stages, tx.StagesOfPipeline(pipeline));
  if (stages.empty()) {
    return Status::Invalid("pipeline_id", "pipeline " + IdText(pipeline) + " has no stages");
  }
  return stages.front();
}

// The core rule that takes `deal` to `change.status`: won, lost with its reason, or reopened.
Result<DealTransition> Transition(const Deal& deal, const DealStatusChange& change, Id user_id,
                                  Timestamp now) {
  switch (change.status) {
    case DealStatus::kWon:
      return MarkWon(deal, user_id, now);
    case DealStatus::kLost:
      return MarkLost(deal, change.lost_reason, user_id, now);
    case DealStatus::kOpen:
      return Reopen(deal, user_id, now);
  }
  return Status::Internal("unhandled deal status");
}

// ---- Card order ---------------------------------------------------------------------------------

// The board lists a stage's cards by position, then id.
bool CardBefore(const Deal& a, const Deal& b) {
  return std::tie(a.position, a.id) < std::tie(b.position, b.id);
}

struct Neighbours {
  std::optional<double> before, after;
  std::optional<double> keep;  // the card is already where it should go
};

// The cards around slot `index` (nullopt = bottom) of the stage's open cards, not counting
// `self` (the card being moved, when it is an open card of this stage already).
Result<Neighbours> NeighboursAt(StoreTx& tx, Id stage_id, std::optional<int64_t> index,
                                const std::optional<Deal>& self) {
  if (index) {
    // Fetch the cards at index-1 .. index+1: with `self` removed two remain. When `self` sits
    // above the window, every card below it is one slot further down than `index` says.
    int64_t offset = std::max<int64_t>(*index - 1, 0);
    PD_ASSIGN_OR_RETURN(std::vector<Deal> window, tx.CardsOfStage(stage_id, offset, 3));
    auto is_self = [&](const Deal& d) { return self && d.id == self->id; };
    if (self && !window.empty() && std::none_of(window.begin(), window.end(), is_self) &&
        CardBefore(*self, window.front())) {
      PD_ASSIGN_OR_RETURN(window, tx.CardsOfStage(stage_id, offset + 1, 3));
    }
    std::erase_if(window, is_self);
    if (*index == 0) {
      Neighbours n;
      if (!window.empty()) n.after = window[0].position;
      return n;
    }
    if (!window.empty()) {
      Neighbours n;
      n.before = window[0].position;
      if (window.size() > 1) n.after = window[1].position;
      return n;
    }
    // Past the last card: same as the bottom.
  }
  PD_ASSIGN_OR_RETURN(std::optional<double> last, tx.LastPosition(stage_id));
  Neighbours n;
  if (self && last && *last == self->position) {
    n.keep = self->position;
  } else {
    n.before = last;
  }
  return n;
}

// The position for a card dropped at `index` of stage `stage_id`. `moving` is the deal being
// moved (nullptr for a new deal). When the neighbours are too close to split, the stage is
// renumbered once and the slot computed again.
Result<double> PositionAt(StoreTx& tx, Id stage_id, std::optional<int64_t> index,
                          const Deal* moving) {
  if (index && *index < 0) return Status::Invalid("index", "must be 0 or more");
  const bool in_stage =
      moving && moving->status == DealStatus::kOpen && moving->stage_id == stage_id;
  for (int attempt = 0;; ++attempt) {
    std::optional<Deal> self;
    if (in_stage) {
      // After a renumbering the moving card has a new position too.
      if (attempt == 0) {
        self = *moving;
      } else {
        PD_ASSIGN_OR_RETURN(self, tx.GetDeal(moving->id));
      }
    }
    PD_ASSIGN_OR_RETURN(Neighbours n, NeighboursAt(tx, stage_id, index, self));
    if (n.keep) return *n.keep;
    if (std::optional<double> position = PositionBetween(n.before, n.after)) return *position;
    if (attempt > 0) {
      return Status::Internal("no room for a card in stage " + IdText(stage_id) +
                              " even after renumbering");
    }
    PD_RETURN_IF_ERROR(tx.RenumberStage(stage_id));
  }
}

// Moves `deal` to stage `to` at `index` and records the stage change, if any. Closed deals are
// refused by the core rule.
Status MoveInTx(StoreTx& tx, Deal& deal, const Stage& to, std::optional<int64_t> index, Id user_id,
                Timestamp now) {
  double position = deal.position;
  if (deal.status == DealStatus::kOpen) {
    PD_ASSIGN_OR_RETURN(position, PositionAt(tx, to.id, index, &deal));
  }
  PD_ASSIGN_OR_RETURN(MoveResult moved, MoveDeal(deal, to, position, user_id, now));
  deal = std::move(moved.deal);
  if (moved.event) PD_RETURN_IF_ERROR(tx.InsertStageEvent(std::move(*moved.event)).status());
  return Status::Ok();
}

Result<std::string> DefaultCurrencyIn(StoreTx& tx) {
  PD_ASSIGN_OR_RETURN(std::optional<std::string> currency, tx.GetSetting("default_currency"));
  return currency.value_or("USD");
}

// Keeps a deal's next/last activity dates in step with the activities linked to it.
Status RefreshDeals(StoreTx& tx, std::optional<Id> a, std::optional<Id> b = std::nullopt) {
  if (a) PD_RETURN_IF_ERROR(tx.RefreshDealActivityDates(*a));
  if (b && b != a) PD_RETURN_IF_ERROR(tx.RefreshDealActivityDates(*b));
  return Status::Ok();
}

// When an activity happens, for the timeline: done_at once done, else its due moment (the due
// time, or the start of the due date when it has none).
Timestamp ActivityMoment(const Activity& a) {
  if (a.done && a.done_at) return *a.done_at;
  Timestamp due = StartOf(a.due_date);
  if (a.due_time) due.millis += int64_t{a.due_time->minutes} * 60'000;
  return due;
}

// A deal as a card of `stage` (its own stage) at `now`, with the names of `details`.
BoardCard MakeCard(Deal deal, const Stage& stage, const std::map<Id, CardDetails>& details,
                   Timestamp now) {
  BoardCard card;
  card.probability = EffectiveProbability(deal, stage);
  card.overdue = HasOverdueNextActivity(deal, now);
  card.no_next_activity = deal.status == DealStatus::kOpen && !deal.next_activity_date;
  card.rotting = IsRotting(deal, stage, now);
  if (auto it = details.find(deal.id); it != details.end()) card.details = it->second;
  card.deal = std::move(deal);
  return card;
}

}  // namespace

// ---- Identity
// -------------------------------------------------------------------------------------

// Reads happen in a read transaction. last_used_at is refreshed by a separate small write only
// when it is older than kTokenTouchIntervalMillis, so a busy client costs at most one write a
// minute; a failed refresh (e.g. the token was revoked in between) does not fail the request
// that was already authorised.
Result<Workspace> Workspace::For(const User& actor) const {
  PD_ASSIGN_OR_RETURN(std::optional<VisibleScope> scope,
                      Reading<std::optional<VisibleScope>>(
                          store_, [&](StoreTx& tx) { return VisibleScopeOf(tx, actor); }));
  if (!scope) return *this;
  auto ids = [](const std::vector<Id>& v) {
    std::string text;
    for (Id id : v) text += std::to_string(id) + ",";
    return text;
  };
  std::string key = "owners=" + ids(scope->owner_ids) + "/everyone=" +
                    ids(scope->everyone_pipelines) + "/team=" + ids(scope->team_pipelines) + ":" +
                    ids(scope->team_member_ids);
  return Workspace(std::make_shared<ScopedStore>(store_, std::move(*scope)), clock_,
                   std::move(key));
}

Result<User> Workspace::Authenticate(std::string_view secret) {
  if (secret.empty()) return Status::Unauthorized("missing API token");
  const std::string hash = HashTokenSecret(secret);
  std::optional<ApiToken> token;
  Result<User> user = Reading<User>(store_, [&](StoreTx& tx) -> Result<User> {
    Result<ApiToken> found = tx.FindTokenByHash(hash);
    if (!found.ok()) {
      if (found.status().code() == ErrorCode::kNotFound) {
        return Status::Unauthorized("unknown API token");
      }
      return found.status();
    }
    token = *found;
    PD_ASSIGN_OR_RETURN(User owner, tx.GetUser(found->user_id));
    if (!owner.active) {
      return Status::Unauthorized("user " + IdText(owner.id) + " is deactivated");
    }
    return owner;
  });
  if (!user.ok()) return user;
  const Timestamp now = clock_.Now();
  if (!token->last_used_at ||
      now.millis - token->last_used_at->millis >= kTokenTouchIntervalMillis) {
    Status touched = store_.Write([&](StoreTx& tx) { return tx.TouchToken(token->id, now); });
    (void)touched;  // bookkeeping only; see above
  }
  return user;
}

Result<NewToken> Workspace::Bootstrap(const std::string& name, const std::string& email,
                                      const std::string& default_currency) {
  return Writing<NewToken>(store_, [&](StoreTx& tx) -> Result<NewToken> {
    ListQuery any;
    any.limit = 1;
    PD_ASSIGN_OR_RETURN(Page<User> users, tx.ListUsers(any));
    if (!users.items.empty()) {
      return Status::Conflict("the workspace already has users; add more with `pipedeck user add`");
    }
    if (!IsCurrencyCode(default_currency)) {
      return Status::Invalid("currency", "\"" + default_currency + "\" is not an ISO 4217 code");
    }
    PD_RETURN_IF_ERROR(tx.PutSetting("default_currency", default_currency));
    const Timestamp now = clock_.Now();
    UserPatch fields;
    fields.name = name;
    fields.email = email;
    fields.role = Role::kAdmin;
    PD_ASSIGN_OR_RETURN(User admin, CreateRecord(tx, now, Apply(User{}, fields)));
    return IssueToken(tx, admin.id, "initial admin token", now);
  });
}

// ---- Users and tokens
// -----------------------------------------------------------------------------

Result<User> Workspace::CreateUser(const User& actor, const UserPatch& fields) {
  AuditedStore audited(store_, actor.id, clock_);
  PD_RETURN_IF_ERROR(RequireAdmin(actor));
  return Writing<User>(audited, [&](StoreTx& tx) -> Result<User> {
    User user = Apply(User{}, fields);
    PD_RETURN_IF_ERROR(ValidateUser(user));
    PD_RETURN_IF_ERROR(CheckEmailFree(tx, user.email, 0));
    return CreateRecord(tx, clock_.Now(), std::move(user));
  });
}

Result<User> Workspace::GetUser(Id id) { return Get<User>(store_, id); }

// Guards: nobody deactivates themself, and the last active admin stays one, so the workspace
// always has someone who can manage it. Deactivation revokes every token and session of the
// user.
Result<User> Workspace::UpdateUser(const User& actor, Id id, const UserPatch& patch,
                                   std::optional<int64_t> if_version) {
  AuditedStore audited(store_, actor.id, clock_);
  PD_RETURN_IF_ERROR(RequireAdmin(actor));
  auto change = [&](StoreTx& tx, User& user, Timestamp now) -> Status {
    const User before = user;
    PD_RETURN_IF_ERROR(PatchWith<User>(patch)(tx, user, now));
    if (user.email != before.email) PD_RETURN_IF_ERROR(CheckEmailFree(tx, user.email, user.id));
    if (before.active && !user.active && user.id == actor.id) {
      return Status::Conflict("you cannot deactivate yourself", "active");
    }
    const bool was_admin = before.active && before.role == Role::kAdmin;
    const bool is_admin = user.active && user.role == Role::kAdmin;
    if (was_admin && !is_admin) {
      PD_ASSIGN_OR_RETURN(int64_t admins, CountActiveAdmins(tx));
      if (admins <= 1) {
        return Status::Conflict(
            "user " + IdText(id) + " is the last active admin; make another user admin first",
            user.active ? "role" : "active");
      }
    }
    return Status::Ok();
  };
  auto revoke = [](StoreTx& tx, const User& before, const User& after) -> Status {
    if (!before.active || after.active) return Status::Ok();
    PD_RETURN_IF_ERROR(tx.DeleteTokensOfUser(after.id));
    return tx.DeleteSessionsOfUser(after.id, 0);
  };
  return Edit<User>(audited, clock_, id, if_version, change, revoke);
}

Result<User> Workspace::DeactivateUser(const User& actor, Id id,
                                       std::optional<int64_t> if_version) {
  UserPatch patch;
  patch.active = false;
  return UpdateUser(actor, id, patch, if_version);
}

Result<Page<User>> Workspace::ListUsers(const ListQuery& q) { return List<User>(store_, q); }

Result<Workspace::OwnershipTransfer> Workspace::TransferOwnership(const User& actor,
                                                                  Id from_user_id,
                                                                  Id to_user_id) {
  PD_RETURN_IF_ERROR(RequireAdmin(actor));
  AuditedStore audited(store_, actor.id, clock_);
  return Writing<OwnershipTransfer>(audited, [&](StoreTx& tx) -> Result<OwnershipTransfer> {
    PD_RETURN_IF_ERROR(Find<User>(tx, from_user_id).status());
    if (to_user_id == from_user_id) {
      return Status::Invalid("to_user_id", "is the user whose records are handed over");
    }
    PD_ASSIGN_OR_RETURN(User to, Find<User>(tx, to_user_id, "to_user_id"));
    if (!to.active) {
      return Status::Invalid("to_user_id", "user " + IdText(to.id) + " is deactivated");
    }
    const Timestamp now = clock_.Now();
    OwnershipTransfer moved;
    ListQuery owned;
    owned.owner_id = from_user_id;
    // Each kind is read whole first: changing owners while paging by owner would skip rows.
    auto hand_over = [&](auto kind, int64_t& count) -> Status {
      using T = decltype(kind);
      PD_ASSIGN_OR_RETURN(std::vector<T> records, ListAll<T>(tx, owned));
      for (T& record : records) {
        if constexpr (std::is_same_v<T, Activity>) {
          if (record.done) continue;
        }
        record.owner_id = to_user_id;
        PD_RETURN_IF_ERROR(Save(tx, record, now));
        ++count;
      }
      return Status::Ok();
    };
    PD_RETURN_IF_ERROR(hand_over(Deal{}, moved.deals));
    PD_RETURN_IF_ERROR(hand_over(Person{}, moved.persons));
    PD_RETURN_IF_ERROR(hand_over(Organization{}, moved.organizations));
    PD_RETURN_IF_ERROR(hand_over(Activity{}, moved.activities));
    return moved;
  });
}

Result<NewToken> Workspace::CreateToken(const User& actor, Id user_id, const std::string& name) {
  AuditedStore audited(store_, actor.id, clock_);
  PD_RETURN_IF_ERROR(RequireTokenAccess(actor, user_id));
  return Writing<NewToken>(
      audited, [&](StoreTx& tx) { return IssueToken(tx, user_id, name, clock_.Now()); });
}

Result<std::vector<ApiToken>> Workspace::ListTokens(const User& actor, Id user_id) {
  PD_RETURN_IF_ERROR(RequireTokenAccess(actor, user_id));
  return Reading<std::vector<ApiToken>>(store_, [&](StoreTx& tx) -> Result<std::vector<ApiToken>> {
    PD_RETURN_IF_ERROR(Find<User>(tx, user_id).status());
    return tx.ListTokens(user_id);
  });
}

Status Workspace::RevokeToken(const User& actor, Id user_id, Id token_id) {
  AuditedStore audited(store_, actor.id, clock_);
  PD_RETURN_IF_ERROR(RequireTokenAccess(actor, user_id));
  return audited.Write([&](StoreTx& tx) -> Status {
    PD_RETURN_IF_ERROR(Find<User>(tx, user_id).status());
    PD_ASSIGN_OR_RETURN(std::vector<ApiToken> tokens, tx.ListTokens(user_id));
    const bool owned = std::any_of(tokens.begin(), tokens.end(),
                                   [&](const ApiToken& t) { return t.id == token_id; });
    if (!owned) {
      return Status::NotFound("user " + IdText(user_id) + " has no token with id " +
                              IdText(token_id));
    }
    return tx.DeleteToken(token_id);
  });
}

// ---- Pipelines and stages
// -------------------------------------------------------------------------

Result<Pipeline> Workspace::CreatePipeline(const User& actor, const PipelinePatch& fields,
                                           std::string_view template_key) {
  PD_RETURN_IF_ERROR(RequireAdmin(actor, "pipelines"));
  AuditedStore audited(store_, actor.id, clock_);
  const StageTemplate* stage_template = nullptr;
  if (!template_key.empty()) {
    stage_template = FindStageTemplate(template_key);
    if (stage_template == nullptr) {
      return Status::Invalid("template", "no template \"" + std::string(template_key) +
                                             "\"; use 4-stage, 5-stage, 6-stage or 7-stage");
    }
  }
  return Writing<Pipeline>(audited, [&](StoreTx& tx) -> Result<Pipeline> {
    const Timestamp now = clock_.Now();
    Pipeline pipeline;
    if (!fields.order) {
      // Without an order the new pipeline comes last.
      PD_ASSIGN_OR_RETURN(std::vector<Pipeline> existing, ListAll<Pipeline>(tx, ListQuery{}));
      for (const Pipeline& p : existing) pipeline.order = std::max(pipeline.order, p.order + 1);
    }
    PD_ASSIGN_OR_RETURN(pipeline, CreateRecord(tx, now, Apply(pipeline, fields)));
    if (stage_template == nullptr) return pipeline;
    int32_t order = 0;
    for (const StageTemplateStage& t : stage_template->stages) {
      Stage stage;
      stage.pipeline_id = pipeline.id;
      stage.name = t.name;
      stage.order = order++;
      stage.probability = t.probability;
      stage.rotting_days = t.rotting_days;
      stage.playbook = t.playbook;
      PD_RETURN_IF_ERROR(CreateRecord(tx, now, std::move(stage)).status());
    }
    return pipeline;
  });
}

Result<Pipeline> Workspace::GetPipeline(Id id) { return Get<Pipeline>(store_, id); }

Result<Pipeline> Workspace::UpdatePipeline(const User& actor, Id id, const PipelinePatch& patch,
                                           std::optional<int64_t> if_version) {
  PD_RETURN_IF_ERROR(RequireAdmin(actor, "pipelines"));
  AuditedStore audited(store_, actor.id, clock_);
  return Edit<Pipeline>(audited, clock_, id, if_version, PatchWith<Pipeline>(patch));
}

Status Workspace::DeletePipeline(const User& actor, Id id, std::optional<int64_t> if_version) {
  PD_RETURN_IF_ERROR(RequireAdmin(actor, "pipelines"));
  AuditedStore audited(store_, actor.id, clock_);
  auto check = [](StoreTx& tx, const Pipeline& pipeline) -> Status {
    PD_ASSIGN_OR_RETURN(int64_t deals, tx.CountDealsInPipeline(pipeline.id));
    if (deals == 0) return Status::Ok();
    return Status::Conflict("pipeline " + IdText(pipeline.id) + " still has " +
                            std::to_string(deals) + " deals; move or delete them first");
  };
  return Remove<Pipeline>(audited, id, if_version, check);
}

Result<Page<Pipeline>> Workspace::ListPipelines(const ListQuery& q) {
  return List<Pipeline>(store_, q);
}

Result<Stage> Workspace::CreateStage(const User& actor, Id pipeline_id, const StagePatch& fields) {
  PD_RETURN_IF_ERROR(RequireAdmin(actor, "stages"));
  AuditedStore audited(store_, actor.id, clock_);
  return Writing<Stage>(audited, [&](StoreTx& tx) -> Result<Stage> {
    PD_RETURN_IF_ERROR(Find<Pipeline>(tx, pipeline_id, "pipeline_id").status());
    PD_ASSIGN_OR_RETURN(std::vector<Stage> siblings, tx.StagesOfPipeline(pipeline_id));
    const Timestamp now = clock_.Now();
    Stage stage;
    stage.pipeline_id = pipeline_id;
    stage.probability = 100;
    stage.order = static_cast<int32_t>(siblings.size());
    stage = Apply(std::move(stage), fields);
    PD_RETURN_IF_ERROR(ValidateStage(stage));
    PD_RETURN_IF_ERROR(PlaceStage(tx, std::move(siblings), stage, stage.order, now));
    return CreateRecord(tx, now, std::move(stage));
  });
}

Result<Stage> Workspace::GetStage(Id id) { return Get<Stage>(store_, id); }

Result<Stage> Workspace::UpdateStage(const User& actor, Id id, const StagePatch& patch,
                                     std::optional<int64_t> if_version) {
  PD_RETURN_IF_ERROR(RequireAdmin(actor, "stages"));
  AuditedStore audited(store_, actor.id, clock_);
  auto change = [&](StoreTx& tx, Stage& stage, Timestamp now) -> Status {
    const int32_t old_order = stage.order;
    PD_RETURN_IF_ERROR(PatchWith<Stage>(patch)(tx, stage, now));
    if (stage.order == old_order) return Status::Ok();
    PD_ASSIGN_OR_RETURN(std::vector<Stage> siblings, tx.StagesOfPipeline(stage.pipeline_id));
    return PlaceStage(tx, std::move(siblings), stage, stage.order, now);
  };
  return Edit<Stage>(audited, clock_, id, if_version, change);
}

// Deals of a deleted stage move to `move_deals_to` with a stage_changed event each (history must
// show every stage change), then the remaining stages are renumbered 0..n-1.
Status Workspace::DeleteStage(const User& actor, Id id, std::optional<Id> move_deals_to,
                              std::optional<int64_t> if_version) {
  PD_RETURN_IF_ERROR(RequireAdmin(actor, "stages"));
  AuditedStore audited(store_, actor.id, clock_);
  return audited.Write([&](StoreTx& tx) -> Status {
    PD_ASSIGN_OR_RETURN(Stage stage, LoadForChange<Stage>(tx, id, if_version));
    const Timestamp now = clock_.Now();
    PD_ASSIGN_OR_RETURN(int64_t deals, tx.CountDealsInStage(id));
    if (deals > 0) {
      if (!move_deals_to) {
        return Status::Conflict("stage " + IdText(id) + " still has " + std::to_string(deals) +
                                    " deals; say where they go (move_deals_to)",
                                "move_deals_to");
      }
      if (*move_deals_to == id) {
        return Status::Invalid("move_deals_to", "deals cannot move to the stage being deleted");
      }
      PD_ASSIGN_OR_RETURN(Stage target, Find<Stage>(tx, *move_deals_to, "move_deals_to"));
      if (target.pipeline_id != stage.pipeline_id) {
        return Status::Invalid(
            "move_deals_to",
            "stage " + IdText(target.id) + " is not in pipeline " + IdText(stage.pipeline_id));
      }
      ListQuery in_stage;
      in_stage.stage_id = id;
      PD_ASSIGN_OR_RETURN(std::vector<Deal> moving, ListAll<Deal>(tx, in_stage));
      PD_RETURN_IF_ERROR(tx.MoveAllDeals(id, target, now));
      for (const Deal& deal : moving) {
        StageEvent e;
        e.deal_id = deal.id;
        e.kind = StageEventKind::kStageChanged;
        e.at = now;
        e.user_id = actor.id;
        e.from_pipeline_id = e.to_pipeline_id = stage.pipeline_id;
        e.from_stage_id = id;
        e.to_stage_id = target.id;
        e.from_status = e.to_status = deal.status;
        e.lost_reason = deal.lost_reason;
        PD_RETURN_IF_ERROR(tx.InsertStageEvent(std::move(e)).status());
      }
    }
    PD_RETURN_IF_ERROR(tx.DeleteStage(id, stage.version));
    PD_ASSIGN_OR_RETURN(std::vector<Stage> rest, tx.StagesOfPipeline(stage.pipeline_id));
    for (size_t i = 0; i < rest.size(); ++i) {
      if (rest[i].order == static_cast<int32_t>(i)) continue;
      rest[i].order = static_cast<int32_t>(i);
      PD_RETURN_IF_ERROR(Save(tx, rest[i], now));
    }
    return Status::Ok();
  });
}

Result<Page<Stage>> Workspace::ListStages(const ListQuery& q) { return List<Stage>(store_, q); }

// ---- Contacts
// -------------------------------------------------------------------------------------

Result<Organization> Workspace::CreateOrganization(const User& actor,
                                                   const OrganizationPatch& fields) {
  AuditedStore audited(store_, actor.id, clock_);
  return Writing<Organization>(audited, [&](StoreTx& tx) {
    Organization org;
    org.owner_id = actor.id;
    return CreateRecord(tx, clock_.Now(), Apply(std::move(org), fields));
  });
}

Result<Organization> Workspace::GetOrganization(Id id) { return Get<Organization>(store_, id); }

Result<Organization> Workspace::UpdateOrganization(const User& actor, Id id,
                                                   const OrganizationPatch& patch,
                                                   std::optional<int64_t> if_version) {
  AuditedStore audited(store_, actor.id, clock_);
  return Edit<Organization>(audited, clock_, id, if_version, PatchWith<Organization>(patch));
}

Status Workspace::DeleteOrganization(const User& actor, Id id, std::optional<int64_t> if_version) {
  AuditedStore audited(store_, actor.id, clock_);
  return Remove<Organization>(audited, id, if_version);
}

Result<Page<Organization>> Workspace::ListOrganizations(const ListQuery& q) {
  return List<Organization>(store_, q);
}

Result<Person> Workspace::CreatePerson(const User& actor, const PersonPatch& fields) {
  AuditedStore audited(store_, actor.id, clock_);
  return Writing<Person>(audited, [&](StoreTx& tx) {
    Person person;
    person.owner_id = actor.id;
    return CreateRecord(tx, clock_.Now(), Apply(std::move(person), fields));
  });
}

Result<Person> Workspace::GetPerson(Id id) { return Get<Person>(store_, id); }

Result<Person> Workspace::UpdatePerson(const User& actor, Id id, const PersonPatch& patch,
                                       std::optional<int64_t> if_version) {
  AuditedStore audited(store_, actor.id, clock_);
  return Edit<Person>(audited, clock_, id, if_version, PatchWith<Person>(patch));
}

Status Workspace::DeletePerson(const User& actor, Id id, std::optional<int64_t> if_version) {
  AuditedStore audited(store_, actor.id, clock_);
  return Remove<Person>(audited, id, if_version);
}

Result<Page<Person>> Workspace::ListPersons(const ListQuery& q) { return List<Person>(store_, q); }

// ---- Deals
// ----------------------------------------------------------------------------------------

Result<Deal> Workspace::CreateDeal(const User& actor, const DealPatch& fields) {
  return CreateDealWithStatus(actor, fields, std::nullopt);
}

Result<Deal> Workspace::CreateDealWithStatus(const User& actor, const DealPatch& fields,
                                             const std::optional<DealStatusChange>& status) {
  AuditedStore audited(store_, actor.id, clock_);
  return Writing<Deal>(audited, [&](StoreTx& tx) -> Result<Deal> {
    const Timestamp now = clock_.Now();
    Deal deal;
    deal.owner_id = actor.id;
    PD_ASSIGN_OR_RETURN(deal.value.currency, DefaultCurrencyIn(tx));
    deal = Apply(std::move(deal), fields);
    PD_RETURN_IF_ERROR(ValidateDeal(deal));
    PD_ASSIGN_OR_RETURN(Stage stage, ResolveStage(tx, fields.pipeline_id, fields.stage_id));
    deal.pipeline_id = stage.pipeline_id;
    deal.stage_id = stage.id;
    deal.stage_changed_at = now;
    PD_ASSIGN_OR_RETURN(deal.position, PositionAt(tx, stage.id, 0, nullptr));
    Deal created_open = deal;
    std::optional<StageEvent> close;
    if (status && status->status != DealStatus::kOpen) {
      PD_ASSIGN_OR_RETURN(DealTransition t, Transition(deal, *status, actor.id, now));
      deal = std::move(t.deal);
      close = std::move(t.event);
    }
    PD_ASSIGN_OR_RETURN(deal, CreateRecord(tx, now, std::move(deal)));
    created_open.id = deal.id;
    PD_RETURN_IF_ERROR(tx.InsertStageEvent(CreationEvent(created_open, actor.id, now)).status());
    if (close) {
      close->deal_id = deal.id;
      PD_RETURN_IF_ERROR(tx.InsertStageEvent(*std::move(close)).status());
    }
    return deal;
  });
}

Result<Deal> Workspace::GetDeal(Id id) { return Get<Deal>(store_, id); }

Result<Deal> Workspace::UpdateDeal(const User& actor, Id id, const DealPatch& patch,
                                   std::optional<int64_t> if_version) {
  return UpdateDealWithStatus(actor, id, patch, std::nullopt, if_version);
}

Result<Deal> Workspace::UpdateDealWithStatus(const User& actor, Id id, const DealPatch& patch,
                                             const std::optional<DealStatusChange>& status,
                                             std::optional<int64_t> if_version) {
  AuditedStore audited(store_, actor.id, clock_);
  auto transition = [&](StoreTx& tx, Deal& deal, Timestamp now) -> Status {
    Result<DealTransition> t = Transition(deal, *status, actor.id, now);
    PD_RETURN_IF_ERROR(t.status());
    deal = std::move(t->deal);
    return tx.InsertStageEvent(std::move(t->event)).status();
  };
  auto change = [&](StoreTx& tx, Deal& deal, Timestamp now) -> Status {
    const bool changes_status = status && status->status != deal.status;
    // A closed deal is reopened before it moves; it is won or lost after the other changes.
    if (changes_status && status->status == DealStatus::kOpen) {
      PD_RETURN_IF_ERROR(transition(tx, deal, now));
    }
    const Id pipeline_before = deal.pipeline_id;
    PD_RETURN_IF_ERROR(PatchWith<Deal>(patch)(tx, deal, now));
    const bool wants_move =
        patch.stage_id || (patch.pipeline_id && *patch.pipeline_id != pipeline_before);
    // Naming the current pipeline alone is not a move.
    if (wants_move) {
      PD_ASSIGN_OR_RETURN(Stage to, ResolveStage(tx, patch.pipeline_id, patch.stage_id));
      if (to.id != deal.stage_id) PD_RETURN_IF_ERROR(MoveInTx(tx, deal, to, 0, actor.id, now));
    }
    if (changes_status && status->status != DealStatus::kOpen) {
      PD_RETURN_IF_ERROR(transition(tx, deal, now));
    }
    return Status::Ok();
  };
  return Edit<Deal>(audited, clock_, id, if_version, change);
}

Status Workspace::DeleteDeal(const User& actor, Id id, std::optional<int64_t> if_version) {
  AuditedStore audited(store_, actor.id, clock_);
  return Remove<Deal>(audited, id, if_version);
}

Result<Page<Deal>> Workspace::ListDeals(const ListQuery& q) { return List<Deal>(store_, q); }

Result<Deal> Workspace::MoveDeal(const User& actor, Id id, Id stage_id,
                                 std::optional<int64_t> index, std::optional<int64_t> if_version) {
  AuditedStore audited(store_, actor.id, clock_);
  auto change = [&](StoreTx& tx, Deal& deal, Timestamp now) -> Status {
    PD_ASSIGN_OR_RETURN(Stage to, Find<Stage>(tx, stage_id, "stage_id"));
    return MoveInTx(tx, deal, to, index, actor.id, now);
  };
  return Edit<Deal>(audited, clock_, id, if_version, change);
}

namespace {

// Applies a status transition computed by `rule(tx, deal, now)` and records its event.
template <typename Rule>
Result<Deal> Transition(Store& store, const Clock& clock, Id id, std::optional<int64_t> if_version,
                        Rule&& rule) {
  auto change = [&](StoreTx& tx, Deal& deal, Timestamp now) -> Status {
    PD_ASSIGN_OR_RETURN(DealTransition t, rule(tx, deal, now));
    deal = std::move(t.deal);
    return tx.InsertStageEvent(std::move(t.event)).status();
  };
  return Edit<Deal>(store, clock, id, if_version, change);
}

// Why a deal is lost: the configured reason `lost_reason_id` names (its label), else `reason`.
Result<std::string> LostReasonText(StoreTx& tx, const std::string& reason,
                                   std::optional<Id> lost_reason_id) {
  std::string text = reason;
  if (lost_reason_id) {
    PD_ASSIGN_OR_RETURN(LostReason configured,
                        Find<LostReason>(tx, *lost_reason_id, "lost_reason_id"));
    text = configured.label;
  }
  if (text.empty()) return Status::Invalid("lost_reason", "a lost deal needs a reason");
  return text;
}

}  // namespace

Result<Deal> Workspace::MarkWon(const User& actor, Id id, std::optional<int64_t> if_version) {
  AuditedStore audited(store_, actor.id, clock_);
  return Transition(audited, clock_, id, if_version, [&](StoreTx&, const Deal& deal, Timestamp now) {
    return ::pipedeck::MarkWon(deal, actor.id, now);
  });
}

Result<Deal> Workspace::MarkLost(const User& actor, Id id, const std::string& reason,
                                 std::optional<Id> lost_reason_id,
                                 std::optional<int64_t> if_version) {
  AuditedStore audited(store_, actor.id, clock_);
  auto rule = [&](StoreTx& tx, const Deal& deal, Timestamp now) -> Result<DealTransition> {
    PD_ASSIGN_OR_RETURN(std::string text, LostReasonText(tx, reason, lost_reason_id));
    return ::pipedeck::MarkLost(deal, text, actor.id, now);
  };
  return Transition(audited, clock_, id, if_version, rule);
}

Result<Deal> Workspace::Reopen(const User& actor, Id id, std::optional<int64_t> if_version) {
  AuditedStore audited(store_, actor.id, clock_);
  return Transition(audited, clock_, id, if_version, [&](StoreTx&, const Deal& deal, Timestamp now) {
    return ::pipedeck::Reopen(deal, actor.id, now);
  });
}

Result<std::vector<StageEvent>> Workspace::DealHistory(Id id) {
  return Reading<std::vector<StageEvent>>(store_,
                                          [&](StoreTx& tx) -> Result<std::vector<StageEvent>> {
                                            PD_RETURN_IF_ERROR(Find<Deal>(tx, id).status());
                                            return tx.StageEventsOfDeal(id);
                                          });
}

// Entries at the same instant keep the order stage events, activities, notes (a deal's creation
// event stays below what was logged in the same millisecond).
Result<std::vector<TimelineEntry>> Workspace::DealTimeline(Id id) {
  return Reading<std::vector<TimelineEntry>>(
      store_, [&](StoreTx& tx) -> Result<std::vector<TimelineEntry>> {
        PD_RETURN_IF_ERROR(Find<Deal>(tx, id).status());
        PD_ASSIGN_OR_RETURN(std::vector<StageEvent> events, tx.StageEventsOfDeal(id));
        PD_ASSIGN_OR_RETURN(std::vector<Activity> activities, tx.ActivitiesOfDeal(id));
        PD_ASSIGN_OR_RETURN(std::vector<Note> notes, tx.NotesOfDeal(id));
        std::vector<TimelineEntry> timeline;
        timeline.reserve(events.size() + activities.size() + notes.size());
        for (StageEvent& e : events) timeline.push_back({e.at, std::move(e)});
        for (Activity& a : activities) timeline.push_back({ActivityMoment(a), std::move(a)});
        for (Note& n : notes) timeline.push_back({n.created_at, std::move(n)});
        std::stable_sort(
            timeline.begin(), timeline.end(),
            [](const TimelineEntry& a, const TimelineEntry& b) { return a.at < b.at; });
        std::reverse(timeline.begin(), timeline.end());
        return timeline;
      });
}

Result<BoardView> Workspace::Board(const BoardQuery& q) {
  return Reading<BoardView>(store_, [&](StoreTx& tx) -> Result<BoardView> {
    BoardView view;
    PD_ASSIGN_OR_RETURN(view.pipeline, Find<Pipeline>(tx, q.pipeline_id));
    PD_ASSIGN_OR_RETURN(std::vector<BoardColumn> columns, tx.Board(q));
    std::vector<Deal> deals;
    for (const BoardColumn& column : columns) {
      deals.insert(deals.end(), column.cards.begin(), column.cards.end());
    }
    PD_ASSIGN_OR_RETURN(auto details, tx.CardDetailsOf(deals));
    PD_ASSIGN_OR_RETURN(view.version, tx.BoardVersion(q.pipeline_id));
    const Timestamp now = clock_.Now();
    view.fresh_until = Timestamp{std::numeric_limits<int64_t>::max()};
    auto flag_turns_on = [&](std::optional<Timestamp> from) {
      if (from && *from > now) view.fresh_until = std::min(view.fresh_until, *from);
    };
    for (BoardColumn& column : columns) {
      BoardColumnView& out = view.columns.emplace_back();
      out.stage = std::move(column.stage);
      out.deal_count = column.deal_count;
      out.totals = std::move(column.totals);
      for (Deal& deal : column.cards) {
        flag_turns_on(RottingFrom(deal, out.stage));
        flag_turns_on(OverdueFrom(deal));
        out.cards.push_back(MakeCard(std::move(deal), out.stage, details, now));
      }
    }
    return view;
  });
}

Result<std::map<Id, int64_t>> Workspace::BoardVersions() {
  return Reading<std::map<Id, int64_t>>(
      store_, [&](StoreTx& tx) -> Result<std::map<Id, int64_t>> { return tx.AllBoardVersions(); });
}

Result<CardPage> Workspace::StageCards(Id stage_id, const ListQuery& q) {
  return Reading<CardPage>(store_, [&](StoreTx& tx) -> Result<CardPage> {
    PD_ASSIGN_OR_RETURN(Stage stage, Find<Stage>(tx, stage_id));
    ListQuery cards;
    cards.stage_id = stage_id;
    cards.status = DealStatus::kOpen;
    cards.owner_id = q.owner_id;
    cards.text = q.text;
    cards.sort = SortField::kPosition;
    cards.limit = q.limit;
    cards.cursor = q.cursor;
    PD_ASSIGN_OR_RETURN(Page<Deal> page, tx.ListDeals(cards));
    PD_ASSIGN_OR_RETURN(auto details, tx.CardDetailsOf(page.items));
    const Timestamp now = clock_.Now();
    CardPage out;
    for (Deal& deal : page.items)
      out.items.push_back(MakeCard(std::move(deal), stage, details, now));
    out.next_cursor = std::move(page.next_cursor);
    return out;
  });
}

Result<WorkspaceSettings> Workspace::Settings() {
  return Reading<WorkspaceSettings>(store_, [&](StoreTx& tx) -> Result<WorkspaceSettings> {
    WorkspaceSettings settings;
    PD_ASSIGN_OR_RETURN(settings.default_currency, DefaultCurrencyIn(tx));
    return settings;
  });
}

Result<int64_t> Workspace::BoardVersion(Id pipeline_id) {
  return Reading<int64_t>(
      store_, [&](StoreTx& tx) -> Result<int64_t> { return tx.BoardVersion(pipeline_id); });
}

// ---- Lost reasons
// ---------------------------------------------------------------------------------

Result<LostReason> Workspace::CreateLostReason(const User& actor, const LostReasonPatch& fields) {
  PD_RETURN_IF_ERROR(RequireAdmin(actor, "lost reasons"));
  AuditedStore audited(store_, actor.id, clock_);
  return Writing<LostReason>(audited, [&](StoreTx& tx) -> Result<LostReason> {
    LostReason reason;
    if (!fields.order) {
      PD_ASSIGN_OR_RETURN(std::vector<LostReason> existing, ListAll<LostReason>(tx, ListQuery{}));
      for (const LostReason& r : existing) reason.order = std::max(reason.order, r.order + 1);
    }
    return CreateRecord(tx, clock_.Now(), Apply(std::move(reason), fields));
  });
}

Result<LostReason> Workspace::GetLostReason(Id id) { return Get<LostReason>(store_, id); }

Result<LostReason> Workspace::UpdateLostReason(const User& actor, Id id,
                                               const LostReasonPatch& patch,
                                               std::optional<int64_t> if_version) {
  PD_RETURN_IF_ERROR(RequireAdmin(actor, "lost reasons"));
  AuditedStore audited(store_, actor.id, clock_);
  return Edit<LostReason>(audited, clock_, id, if_version, PatchWith<LostReason>(patch));
}

Status Workspace::DeleteLostReason(const User& actor, Id id, std::optional<int64_t> if_version) {
  PD_RETURN_IF_ERROR(RequireAdmin(actor, "lost reasons"));
  AuditedStore audited(store_, actor.id, clock_);
  return Remove<LostReason>(audited, id, if_version);
}

Result<Page<LostReason>> Workspace::ListLostReasons(const ListQuery& q) {
  return List<LostReason>(store_, q);
}

// ---- Activities and notes
// -------------------------------------------------------------------------

Result<Activity> Workspace::CreateActivity(const User& actor, const ActivityPatch& fields) {
  AuditedStore audited(store_, actor.id, clock_);
  return Writing<Activity>(audited, [&](StoreTx& tx) -> Result<Activity> {
    const Timestamp now = clock_.Now();
    Activity activity;
    activity.owner_id = actor.id;
    activity.due_date = DateOf(now);
    // An activity on a deal is also with the deal's person and organization, unless the request
    // names them (or sends null for none).
    if (fields.deal_id && *fields.deal_id) {
      PD_ASSIGN_OR_RETURN(Deal deal, Find<Deal>(tx, **fields.deal_id, "deal_id"));
      if (!fields.person_id) activity.person_id = deal.person_id;
      if (!fields.org_id) activity.org_id = deal.org_id;
    }
    PD_ASSIGN_OR_RETURN(activity, CreateRecord(tx, now, Apply(std::move(activity), fields, now)));
    PD_RETURN_IF_ERROR(RefreshDeals(tx, activity.deal_id));
    return activity;
  });
}

Result<Activity> Workspace::GetActivity(Id id) { return Get<Activity>(store_, id); }

Result<Activity> Workspace::UpdateActivity(const User& actor, Id id, const ActivityPatch& patch,
                                           std::optional<int64_t> if_version) {
  AuditedStore audited(store_, actor.id, clock_);
  auto refresh = [](StoreTx& tx, const Activity& before, const Activity& after) {
    return RefreshDeals(tx, before.deal_id, after.deal_id);
  };
  return Edit<Activity>(audited, clock_, id, if_version, PatchWith<Activity>(patch), refresh);
}

Status Workspace::DeleteActivity(const User& actor, Id id, std::optional<int64_t> if_version) {
  AuditedStore audited(store_, actor.id, clock_);
  auto refresh = [](StoreTx& tx, const Activity& removed) {
    return RefreshDeals(tx, removed.deal_id);
  };
  return Remove<Activity>(audited, id, if_version, NoFollowUp{}, refresh);
}

Result<Page<Activity>> Workspace::ListActivities(const ListQuery& q) {
  return List<Activity>(store_, q);
}

Result<Note> Workspace::CreateNote(const User& actor, const NotePatch& fields) {
  AuditedStore audited(store_, actor.id, clock_);
  return Writing<Note>(audited, [&](StoreTx& tx) {
    Note note;
    note.user_id = actor.id;
    return CreateRecord(tx, clock_.Now(), Apply(std::move(note), fields));
  });
}

Result<Note> Workspace::GetNote(Id id) { return Get<Note>(store_, id); }

Result<Note> Workspace::UpdateNote(const User& actor, Id id, const NotePatch& patch,
                                   std::optional<int64_t> if_version) {
  AuditedStore audited(store_, actor.id, clock_);
  return Edit<Note>(audited, clock_, id, if_version, PatchWith<Note>(patch));
}

Status Workspace::DeleteNote(const User& actor, Id id, std::optional<int64_t> if_version) {
  AuditedStore audited(store_, actor.id, clock_);
  return Remove<Note>(audited, id, if_version);
}

Result<Page<Note>> Workspace::ListNotes(const ListQuery& q) { return List<Note>(store_, q); }

// ---- Teams, quotas and pipeline health
// ------------------------------------------------------------

namespace {

// A user newly named by a record (a team's manager, a quota's rep) must exist and be active;
// a link left as it was is not checked again, as in CheckLinks.
Status CheckActiveUser(StoreTx& tx, std::string_view field, std::optional<Id> before,
                       std::optional<Id> after) {
  if (!after || after == before) return Status::Ok();
  PD_ASSIGN_OR_RETURN(User user, Find<User>(tx, *after, field));
  if (!user.active) {
    return Status::Invalid(std::string(field), "user " + IdText(*after) + " is deactivated");
  }
  return Status::Ok();
}

// A team as it would be stored: its fields, then the manager it names.
Status CheckTeam(StoreTx& tx, const Team& before, const Team& after) {
  PD_RETURN_IF_ERROR(ValidateTeam(after));
  return CheckActiveUser(tx, "manager_id", before.manager_id, after.manager_id);
}

// A quota as it would be stored: its fields, then the user, team and pipeline it names.
Status CheckQuota(StoreTx& tx, const Quota& before, const Quota& after) {
  PD_RETURN_IF_ERROR(ValidateQuota(after));
  PD_RETURN_IF_ERROR(CheckActiveUser(tx, "user_id", before.user_id, after.user_id));
  PD_RETURN_IF_ERROR(CheckLinks(tx, before, after));  // team_id
  return CheckLink<Pipeline>(tx, "pipeline_id", before.pipeline_id, after.pipeline_id);
}

// The currency follows the metric unless the patch names one: a quota counting won value
// without a currency takes the workspace default; a quota counting something else has none.
Status FitQuotaCurrency(StoreTx& tx, Quota& quota, const QuotaPatch& patch) {
  if (patch.currency) return Status::Ok();
  if (quota.metric != QuotaMetric::kWonValue) {
    quota.currency.clear();
  } else if (quota.currency.empty()) {
    PD_ASSIGN_OR_RETURN(quota.currency, DefaultCurrencyIn(tx));
  }
  return Status::Ok();
}

PeriodUnit UnitOf(QuotaPeriod p) {
  switch (p) {
    case QuotaPeriod::kWeek:
      return PeriodUnit::kWeek;
    case QuotaPeriod::kQuarter:
      return PeriodUnit::kQuarter;
    case QuotaPeriod::kMonth:
      break;
  }
  return PeriodUnit::kMonth;
}

// ---- Health settings as "health.<field>" workspace settings (core/metrics.h) ----

Result<HealthSettings> HealthSettingsIn(StoreTx& tx) {
  return ReadHealthSettings([&](const std::string& key) { return tx.GetSetting(key); });
}

// ---- Bulk actions ----

// The deals a bulk action names, checked before anything changes: 1..kMaxBulkDeals ids, each
// once, each an existing (kNotFound) and open (kConflict) deal, the error naming "deal_ids[i]".
Result<std::vector<Deal>> LoadOpenDeals(StoreTx& tx, const std::vector<Id>& ids) {
  if (ids.empty()) return Status::Invalid("deal_ids", "name at least one deal");
  if (ids.size() > Workspace::kMaxBulkDeals) {
    return Status::Invalid(
        "deal_ids", "at most " + std::to_string(Workspace::kMaxBulkDeals) + " deals at once");
  }
  std::set<Id> seen;
  for (Id id : ids) {
    if (!seen.insert(id).second) {
      return Status::Invalid("deal_ids", "deal " + IdText(id) + " is listed twice");
    }
  }
  std::vector<Deal> deals;
  deals.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) {
    const std::string field = "deal_ids[" + std::to_string(i) + "]";
    Result<Deal> found = tx.GetDeal(ids[i]);
    if (!found.ok()) {
      if (found.status().code() != ErrorCode::kNotFound) return found.status();
      return Status::NotFound("no deal with id " + IdText(ids[i]), field);
    }
    if (found->status != DealStatus::kOpen) {
      return Status::Conflict("deal " + IdText(ids[i]) + " is already " +
                                  DealStatusName(found->status) + "; only open deals qualify",
                              field);
    }
    deals.push_back(std::move(found).value());
  }
  return deals;
}

// "Last chance: <title>", cut to the longest subject allowed (at a character boundary).
std::string LastChanceSubject(const std::string& title) {
  std::string subject = "Last chance: " + title;
  if (subject.size() <= kMaxTitleLength) return subject;
  size_t cut = kMaxTitleLength;
  while (cut > 0 && (static_cast<unsigned char>(subject[cut]) & 0xC0) == 0x80) --cut;
  subject.resize(cut);
  return subject;
}

}  // namespace

// ---- Teams ----

Result<Team> Workspace::CreateTeam(const User& actor, const TeamPatch& fields) {
  AuditedStore audited(store_, actor.id, clock_);
  PD_RETURN_IF_ERROR(RequireAdmin(actor, "teams"));
  return Writing<Team>(audited, [&](StoreTx& tx) -> Result<Team> {
    Team team = Apply(Team{}, fields);
    PD_RETURN_IF_ERROR(CheckTeam(tx, Team{}, team));
    return CreateRecord(tx, clock_.Now(), std::move(team));
  });
}

Result<Team> Workspace::GetTeam(Id id) { return Get<Team>(store_, id); }

Result<Team> Workspace::UpdateTeam(const User& actor, Id id, const TeamPatch& patch,
                                   std::optional<int64_t> if_version) {
  AuditedStore audited(store_, actor.id, clock_);
  PD_RETURN_IF_ERROR(RequireAdmin(actor, "teams"));
  auto change = [&](StoreTx& tx, Team& team, Timestamp) -> Status {
    const Team before = team;
    team = Apply(std::move(team), patch);
    return CheckTeam(tx, before, team);
  };
  return Edit<Team>(audited, clock_, id, if_version, change);
}

// The members are unlinked here, as an edit of each user (their versions move), before the
// store deletes the team and its quotas.
Status Workspace::DeleteTeam(const User& actor, Id id, std::optional<int64_t> if_version) {
  AuditedStore audited(store_, actor.id, clock_);
  PD_RETURN_IF_ERROR(RequireAdmin(actor, "teams"));
  auto unlink_members = [&](StoreTx& tx, const Team& team) -> Status {
    const Timestamp now = clock_.Now();
    ListQuery members;
    members.team_id = team.id;
    PD_ASSIGN_OR_RETURN(std::vector<User> users, ListAll<User>(tx, members));
    for (User& user : users) {
      if (user.team_id != team.id) continue;
      user.team_id.reset();
      PD_RETURN_IF_ERROR(Save(tx, user, now));
    }
    return Status::Ok();
  };
  return Remove<Team>(audited, id, if_version, unlink_members);
}

Result<Page<Team>> Workspace::ListTeams(const ListQuery& q) { return List<Team>(store_, q); }

// ---- Quotas ----

// Defaults: the scope follows the subject named (a user, a team, else the company), the period is
// a month starting with the current one, a won-value quota counts the default currency.
Result<Quota> Workspace::CreateQuota(const User& actor, const QuotaPatch& fields) {
  AuditedStore audited(store_, actor.id, clock_);
  PD_RETURN_IF_ERROR(RequireManager(actor, "quotas"));
  return Writing<Quota>(audited, [&](StoreTx& tx) -> Result<Quota> {
    if (!fields.target) return Status::Invalid("target", "a quota needs a target");
    const Timestamp now = clock_.Now();
    Quota quota;
    if (fields.user_id && *fields.user_id) {
      quota.scope = QuotaScope::kUser;
    } else if (fields.team_id && *fields.team_id) {
      quota.scope = QuotaScope::kTeam;
    }
    quota = Apply(std::move(quota), fields);
    if (!fields.starts_on) {
      quota.starts_on = PeriodContaining(DateOf(now), UnitOf(quota.period)).from;
    }
    PD_RETURN_IF_ERROR(FitQuotaCurrency(tx, quota, fields));
    PD_RETURN_IF_ERROR(CheckQuota(tx, Quota{}, quota));
    return CreateRecord(tx, now, std::move(quota));
  });
}

Result<Quota> Workspace::GetQuota(Id id) { return Get<Quota>(store_, id); }

Result<Quota> Workspace::UpdateQuota(const User& actor, Id id, const QuotaPatch& patch,
                                     std::optional<int64_t> if_version) {
  AuditedStore audited(store_, actor.id, clock_);
  PD_RETURN_IF_ERROR(RequireManager(actor, "quotas"));
  auto change = [&](StoreTx& tx, Quota& quota, Timestamp) -> Status {
    const Quota before = quota;
    quota = Apply(std::move(quota), patch);
    PD_RETURN_IF_ERROR(FitQuotaCurrency(tx, quota, patch));
    return CheckQuota(tx, before, quota);
  };
  return Edit<Quota>(audited, clock_, id, if_version, change);
}

Status Workspace::DeleteQuota(const User& actor, Id id, std::optional<int64_t> if_version) {
  AuditedStore audited(store_, actor.id, clock_);
  PD_RETURN_IF_ERROR(RequireManager(actor, "quotas"));
  return Remove<Quota>(audited, id, if_version);
}

Result<Page<Quota>> Workspace::ListQuotas(const ListQuery& q) { return List<Quota>(store_, q); }

// ---- Pipeline health ----

Result<FlagSnooze> Workspace::SnoozeFlag(const User& actor, Id deal_id, HealthFlag flag, Date until,
                                         const std::string& reason) {
  AuditedStore audited(store_, actor.id, clock_);
  return Writing<FlagSnooze>(audited, [&](StoreTx& tx) -> Result<FlagSnooze> {
    PD_ASSIGN_OR_RETURN(Deal deal, Find<Deal>(tx, deal_id));
    const Timestamp now = clock_.Now();
    FlagSnooze snooze;
    snooze.deal_id = deal_id;
    snooze.flag = flag;
    snooze.until = until;
    snooze.reason = reason;
    snooze.user_id = actor.id;
    snooze.created_at = now;
    PD_RETURN_IF_ERROR(ValidateSnooze(snooze, DateOf(now)));
    if (deal.status != DealStatus::kOpen) {
      return Status::Conflict("deal " + IdText(deal_id) + " is " + DealStatusName(deal.status) +
                                  "; only open deals raise health flags",
                              "status");
    }
    PD_RETURN_IF_ERROR(tx.PutSnooze(snooze));
    return snooze;
  });
}

Status Workspace::UnsnoozeFlag(const User& actor, Id deal_id, HealthFlag flag) {
  AuditedStore audited(store_, actor.id, clock_);
  return audited.Write([&](StoreTx& tx) -> Status {
    PD_RETURN_IF_ERROR(Find<Deal>(tx, deal_id).status());
    return tx.DeleteSnooze(deal_id, flag);
  });
}

Result<std::vector<FlagSnooze>> Workspace::SnoozesOfDeal(Id deal_id) {
  return Reading<std::vector<FlagSnooze>>(store_,
                                          [&](StoreTx& tx) -> Result<std::vector<FlagSnooze>> {
                                            PD_RETURN_IF_ERROR(Find<Deal>(tx, deal_id).status());
                                            return tx.SnoozesOfDeal(deal_id);
                                          });
}

Result<HealthSettings> Workspace::GetHealthSettings() {
  return Reading<HealthSettings>(store_, [](StoreTx& tx) { return HealthSettingsIn(tx); });
}

Result<HealthSettings> Workspace::UpdateHealthSettings(const User& actor,
                                                       const HealthSettings& settings) {
  AuditedStore audited(store_, actor.id, clock_);
  PD_RETURN_IF_ERROR(RequireManager(actor, "health settings"));
  PD_RETURN_IF_ERROR(ValidateHealthSettings(settings));
  return Writing<HealthSettings>(audited, [&](StoreTx& tx) -> Result<HealthSettings> {
    for (size_t i = 0; i < settings.late_stage_ids.size(); ++i) {
      PD_RETURN_IF_ERROR(
          Find<Stage>(tx, settings.late_stage_ids[i], "late_stage_ids[" + std::to_string(i) + "]")
              .status());
    }
    for (const auto& [key, text] : HealthSettingsAsText(settings)) {
      PD_RETURN_IF_ERROR(tx.PutSetting(key, text));
    }
    return HealthSettingsIn(tx);
  });
}

// ---- Bulk cleanup ----

Result<std::vector<Deal>> Workspace::BulkReassign(const User& actor,
                                                  const std::vector<Id>& deal_ids, Id owner_id) {
  AuditedStore audited(store_, actor.id, clock_);
  return Writing<std::vector<Deal>>(audited, [&](StoreTx& tx) -> Result<std::vector<Deal>> {
    PD_ASSIGN_OR_RETURN(std::vector<Deal> deals, LoadOpenDeals(tx, deal_ids));
    PD_RETURN_IF_ERROR(CheckOwner(tx, owner_id));
    const Timestamp now = clock_.Now();
    for (Deal& deal : deals) {
      deal.owner_id = owner_id;
      PD_RETURN_IF_ERROR(Save(tx, deal, now));
    }
    return deals;
  });
}

// Each activity is created as CreateActivity creates one on a deal: with the deal's person and
// organization, and the deal's next activity date refreshed. Its owner is the deal's owner, so a
// deal owned by a deactivated user is refused (reassign it first).
Result<std::vector<Activity>> Workspace::BulkLastChance(const User& actor,
                                                        const std::vector<Id>& deal_ids,
                                                        std::optional<Date> due_date,
                                                        const std::string& subject) {
  AuditedStore audited(store_, actor.id, clock_);
  if (!subject.empty()) PD_RETURN_IF_ERROR(ValidateTitle("subject", subject));
  return Writing<std::vector<Activity>>(audited, [&](StoreTx& tx) -> Result<std::vector<Activity>> {
    PD_ASSIGN_OR_RETURN(std::vector<Deal> deals, LoadOpenDeals(tx, deal_ids));
    std::map<Id, bool> owner_active;
    for (size_t i = 0; i < deals.size(); ++i) {
      const Id owner_id = deals[i].owner_id;
      auto [it, fresh] = owner_active.try_emplace(owner_id, false);
      if (fresh) {
        PD_ASSIGN_OR_RETURN(User owner, Find<User>(tx, owner_id));
        it->second = owner.active;
      }
      if (!it->second) {
        return Status::Conflict("deal " + IdText(deals[i].id) + " belongs to deactivated user " +
                                    IdText(owner_id) + "; reassign it first",
                                "deal_ids[" + std::to_string(i) + "]");
      }
    }
    const Timestamp now = clock_.Now();
    std::vector<Activity> created;
    created.reserve(deals.size());
    for (const Deal& deal : deals) {
      Activity activity;
      activity.type = ActivityType::kTask;
      activity.subject = subject.empty() ? LastChanceSubject(deal.title) : subject;
      activity.due_date = due_date.value_or(DateOf(now));
      activity.deal_id = deal.id;
      activity.person_id = deal.person_id;
      activity.org_id = deal.org_id;
      activity.owner_id = deal.owner_id;
      PD_ASSIGN_OR_RETURN(activity, CreateRecord(tx, now, std::move(activity)));
      PD_RETURN_IF_ERROR(RefreshDeals(tx, activity.deal_id));
      created.push_back(std::move(activity));
    }
    return created;
  });
}

Result<std::vector<Deal>> Workspace::BulkMarkLost(const User& actor,
                                                  const std::vector<Id>& deal_ids,
                                                  const std::string& reason,
                                                  std::optional<Id> lost_reason_id) {
  AuditedStore audited(store_, actor.id, clock_);
  return Writing<std::vector<Deal>>(audited, [&](StoreTx& tx) -> Result<std::vector<Deal>> {
    PD_ASSIGN_OR_RETURN(std::string text, LostReasonText(tx, reason, lost_reason_id));
    PD_ASSIGN_OR_RETURN(std::vector<Deal> deals, LoadOpenDeals(tx, deal_ids));
    const Timestamp now = clock_.Now();
    std::vector<DealTransition> transitions;
    transitions.reserve(deals.size());
    for (const Deal& deal : deals) {
      PD_ASSIGN_OR_RETURN(DealTransition t, ::pipedeck::MarkLost(deal, text, actor.id, now));
      transitions.push_back(std::move(t));
    }
    std::vector<Deal> lost;
    lost.reserve(transitions.size());
    for (DealTransition& t : transitions) {
      PD_RETURN_IF_ERROR(tx.InsertStageEvent(std::move(t.event)).status());
      PD_RETURN_IF_ERROR(Save(tx, t.deal, now));
      lost.push_back(std::move(t.deal));
    }
    return lost;
  });
}

// ---- Settings
// -------------------------------------------------------------------------------------

Result<std::string> Workspace::DefaultCurrency() {
  return Reading<std::string>(store_, [](StoreTx& tx) { return DefaultCurrencyIn(tx); });
}

Status Workspace::LimitReportScope(const User& actor, std::optional<Id>* owner_id,
                                   std::optional<Id>* team_id) {
  if (actor.role == Role::kAdmin) return Status::Ok();
  if (actor.role == Role::kRep) {
    if ((*owner_id && **owner_id != actor.id) || *team_id) {
      return Status::Forbidden("reps see the reports of their own deals only");
    }
    *owner_id = actor.id;
    return Status::Ok();
  }
  return store_.Read([&](StoreTx& tx) -> Status {
    PD_ASSIGN_OR_RETURN(std::optional<VisibleScope> scope, VisibleScopeOf(tx, actor));
    std::vector<Id> teams;  // the teams the manager leads, then their own
    PD_ASSIGN_OR_RETURN(std::vector<Team> all, ListAll<Team>(tx, ListQuery{}));
    for (const Team& t : all) {
      if (t.manager_id == actor.id) teams.push_back(t.id);
    }
    if (actor.team_id) teams.push_back(*actor.team_id);
    if (*owner_id) {
      const std::vector<Id>& owners = scope->owner_ids;
      if (std::find(owners.begin(), owners.end(), **owner_id) == owners.end()) {
        return Status::Forbidden("managers see the reports of their teams' members only");
      }
      return Status::Ok();
    }
    if (*team_id) {
      if (std::find(teams.begin(), teams.end(), **team_id) == teams.end()) {
        return Status::Forbidden("managers see the reports of their own teams only");
      }
      return Status::Ok();
    }
    if (teams.empty()) {
      *owner_id = actor.id;  // a manager without a team: their own figures
    } else {
      *team_id = teams.front();
    }
    return Status::Ok();
  });
}

Result<std::vector<AuditEntry>> Workspace::AuditLog(const User& actor, const AuditQuery& q) {
  static constexpr std::string_view kObjects[] = {
      "user", "team", "quota", "token", "pipeline", "stage", "organization",
      "person", "deal", "lost_reason", "activity", "note"};
  if (!q.object.empty() &&
      std::find(std::begin(kObjects), std::end(kObjects), q.object) == std::end(kObjects)) {
    return Status::Invalid("object", "\"" + q.object +
                                         "\" is not a kind of record; use user, team, quota, "
                                         "token, pipeline, stage, organization, person, deal, "
                                         "lost_reason, activity or note");
  }
  if (q.record_id && q.object.empty()) {
    return Status::Invalid("object", "record_id needs the kind of record in object");
  }
  if (q.limit < 1 || q.limit > 500) return Status::Invalid("limit", "must be 1..500");
  if (q.from && q.to && *q.to <= *q.from) return Status::Invalid("to", "must be after from");
  const bool one_record = !q.object.empty() && q.record_id;
  if (actor.role != Role::kAdmin && !one_record) {
    return Status::Forbidden("only admins can read the whole audit log");
  }
  return Reading<std::vector<AuditEntry>>(store_, [&](StoreTx& tx)
                                                      -> Result<std::vector<AuditEntry>> {
    if (actor.role != Role::kAdmin && q.object == "deal") {
      PD_RETURN_IF_ERROR(Find<Deal>(tx, *q.record_id).status());
    } else if (actor.role != Role::kAdmin) {
      return Status::Forbidden("only admins can read the audit log of a " + q.object);
    }
    return tx.ListAudit(q);
  });
}

Result<ImportReport> Workspace::ImportCsv(const User& actor, const ImportOptions& options,
                                          const ImportSource& source) {
  return ::pipedeck::ImportCsv(store_, clock_, actor, options, source);
}

Status Workspace::ExportCsv(ImportObject object, const ExportSink& sink) {
  return ::pipedeck::ExportCsv(store_, object, sink);
}

}  // namespace pipedeck
