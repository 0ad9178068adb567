// The authorization matrix: every route of the native API's route table × every role (admin,
// manager, rep) × the record addressed (the caller's own, another's, one shared with them by its
// pipeline's visibility) → allowed, forbidden (403) or not found (404), and no credentials → 401.
//
// The routes are read from Routes(), and every route needs a rule below: a route added without
// one fails RulesCoverEveryRoute, so a new route cannot escape the matrix.
//
// The workspace: an admin; team East led by the manager Mia, with the rep Rita; the rep Ravi in no
// team; pipeline Sales (deals visible to their owners) and pipeline Shared (visible to everyone).
// Rita owns a deal in Sales ("own" for her and, through her team, for Mia); Ravi owns one in Sales
// ("other": neither Mia nor Rita may see it) and one in Shared ("shared"); each deal has an
// activity and a note by its owner, a person and an organization owned by its owner and linked to
// it. "Allowed" means the caller got past authentication and authorization: any status but 401,
// 403 and 404 (an empty body may well be a 422).
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "analytics/analytics.h"
#include "api/routes.h"
#include "service/accounts.h"
#include "store/sqlite/sqlite_store.h"

namespace pipedeck {
namespace {

enum class Role3 { kAdmin, kManager, kRep };
enum class Target { kNone, kOwn, kOther, kShared };
enum class Outcome { kAllowed, kForbidden, kHidden };

const char* Name(Role3 r) {
  return r == Role3::kAdmin ? "admin" : r == Role3::kManager ? "manager" : "rep";
}
const char* Name(Target t) {
  switch (t) {
    case Target::kNone:
      return "-";
    case Target::kOwn:
      return "own";
    case Target::kOther:
      return "other";
    case Target::kShared:
      return "shared";
  }
  return "?";
}
const char* Name(Outcome o) {
  return o == Outcome::kAllowed ? "allowed" : o == Outcome::kForbidden ? "403" : "404";
}

// How a route treats callers: the rule names what each role may do to which record.
enum class Rule {
  kPublic,       // no credentials needed
  kEveryone,     // every signed-in user; lists are filtered by visibility
  kAdmins,       // admins only (users, teams, settings, the whole audit log): 403 for others
  kManagers,     // admins and managers (quotas, health thresholds, snapshots): 403 for reps
  kSelfOrAdmin,  // a user's own tokens: admins any user's, others their own (403 for another's)
  kOwned,        // an owned record: admins any; others theirs and shared ones, 404 for another's
};

// Every route's rule, by operation id.
const std::map<std::string, Rule>& Rules() {
  static const auto& rules = *new std::map<std::string, Rule>{
      {"health", Rule::kPublic},
      {"openapi", Rule::kPublic},
      {"signIn", Rule::kPublic},
      {"completePasswordReset", Rule::kPublic},
      {"getSession", Rule::kEveryone},
      {"signOut", Rule::kEveryone},
      {"changePassword", Rule::kEveryone},
      {"getMe", Rule::kEveryone},
      {"listUsers", Rule::kEveryone},
      {"createUser", Rule::kAdmins},
      {"getUser", Rule::kEveryone},
      {"updateUser", Rule::kAdmins},
      {"deactivateUser", Rule::kAdmins},
      {"startPasswordReset", Rule::kAdmins},
      {"transferOwnership", Rule::kAdmins},
      {"listTokens", Rule::kSelfOrAdmin},
      {"createToken", Rule::kSelfOrAdmin},
      {"revokeToken", Rule::kSelfOrAdmin},
      {"listAudit", Rule::kAdmins},
      {"listTeams", Rule::kEveryone},
      {"createTeam", Rule::kAdmins},
      {"getTeam", Rule::kEveryone},
      {"updateTeam", Rule::kAdmins},
      {"deleteTeam", Rule::kAdmins},
      {"listPipelines", Rule::kEveryone},
      {"createPipeline", Rule::kAdmins},
      {"getPipeline", Rule::kEveryone},
      {"updatePipeline", Rule::kAdmins},
      {"deletePipeline", Rule::kAdmins},
      {"getBoard", Rule::kEveryone},
      {"listStageCards", Rule::kEveryone},
      {"getSettings", Rule::kEveryone},
      {"events", Rule::kEveryone},
      {"listStageTemplates", Rule::kEveryone},
      {"listStages", Rule::kEveryone},
      {"createStage", Rule::kAdmins},
      {"getStage", Rule::kEveryone},
      {"updateStage", Rule::kAdmins},
      {"deleteStage", Rule::kAdmins},
      {"listOrganizations", Rule::kEveryone},
      {"createOrganization", Rule::kEveryone},
      {"getOrganization", Rule::kOwned},
      {"updateOrganization", Rule::kOwned},
      {"deleteOrganization", Rule::kOwned},
      {"listPersons", Rule::kEveryone},
      {"createPerson", Rule::kEveryone},
      {"getPerson", Rule::kOwned},
      {"updatePerson", Rule::kOwned},
      {"deletePerson", Rule::kOwned},
      {"listDeals", Rule::kEveryone},
      {"createDeal", Rule::kEveryone},
      {"getDeal", Rule::kOwned},
      {"updateDeal", Rule::kOwned},
      {"deleteDeal", Rule::kOwned},
      {"moveDeal", Rule::kOwned},
      {"markDealWon", Rule::kOwned},
      {"markDealLost", Rule::kOwned},
      {"reopenDeal", Rule::kOwned},
      {"getDealHistory", Rule::kOwned},
      {"getDealAudit", Rule::kOwned},
      {"getDealTimeline", Rule::kOwned},
      {"listDealSnoozes", Rule::kOwned},
      {"snoozeDealFlag", Rule::kOwned},
      {"unsnoozeDealFlag", Rule::kOwned},
      {"bulkDeals", Rule::kEveryone},
      {"listActivities", Rule::kEveryone},
      {"createActivity", Rule::kEveryone},
      {"getActivity", Rule::kOwned},
      {"updateActivity", Rule::kOwned},
      {"deleteActivity", Rule::kOwned},
      {"listNotes", Rule::kEveryone},
      {"createNote", Rule::kEveryone},
      {"getNote", Rule::kOwned},
      {"updateNote", Rule::kOwned},
      {"deleteNote", Rule::kOwned},
      {"importDeals", Rule::kEveryone},
      {"exportDeals", Rule::kEveryone},
      {"importPersons", Rule::kEveryone},
      {"exportPersons", Rule::kEveryone},
      {"importOrganizations", Rule::kEveryone},
      {"exportOrganizations", Rule::kEveryone},
      {"importActivities", Rule::kEveryone},
      {"exportActivities", Rule::kEveryone},
      {"importNotes", Rule::kEveryone},
      {"exportNotes", Rule::kEveryone},
      {"listLostReasons", Rule::kEveryone},
      {"createLostReason", Rule::kAdmins},
      {"getLostReason", Rule::kEveryone},
      {"updateLostReason", Rule::kAdmins},
      {"deleteLostReason", Rule::kAdmins},
      {"listQuotas", Rule::kEveryone},
      {"createQuota", Rule::kManagers},
      {"getQuota", Rule::kEveryone},
      {"updateQuota", Rule::kManagers},
      {"deleteQuota", Rule::kManagers},
      {"getHealthSettings", Rule::kEveryone},
      {"updateHealthSettings", Rule::kManagers},
      {"getDashboard", Rule::kEveryone},
      {"getForecast", Rule::kEveryone},
      {"takeForecastSnapshot", Rule::kManagers},
      {"getQuotaAttainment", Rule::kEveryone},
      {"getPipelinePlan", Rule::kEveryone},
      {"getHealthReport", Rule::kEveryone},
      {"getDayPlan", Rule::kEveryone},
  };
  return rules;
}

Outcome Expected(Rule rule, Role3 role, Target target) {
  switch (rule) {
    case Rule::kPublic:
    case Rule::kEveryone:
      return Outcome::kAllowed;
    case Rule::kAdmins:
      return role == Role3::kAdmin ? Outcome::kAllowed : Outcome::kForbidden;
    case Rule::kManagers:
      return role == Role3::kRep ? Outcome::kForbidden : Outcome::kAllowed;
    case Rule::kSelfOrAdmin:
      return role == Role3::kAdmin || target == Target::kOwn ? Outcome::kAllowed
                                                             : Outcome::kForbidden;
    case Rule::kOwned:
      return role == Role3::kAdmin || target != Target::kOther ? Outcome::kAllowed
                                                               : Outcome::kHidden;
  }
  return Outcome::kForbidden;
}

Outcome OutcomeOf(int status) {
  if (status == 403) return Outcome::kForbidden;
  if (status == 404) return Outcome::kHidden;
  return Outcome::kAllowed;
}

template <typename T>
T Must(Result<T> r) {
  if (!r.ok()) throw std::runtime_error(r.status().ToString());
  return std::move(r).value();
}

// The records of one kind a caller can be pointed at.
struct Targets {
  Id own = 0, other = 0, shared = 0;
  Id Of(Target t) const { return t == Target::kOther ? other : t == Target::kShared ? shared : own; }
};

// One workspace as the header describes, with a router over it.
class World {
 public:
  World() {
    static int counter = 0;
    path_ = (std::filesystem::temp_directory_path() /
             ("pipedeck_matrix_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) +
              ".db"))
                .string();
    store_ = Must(OpenSqliteStore({.path = path_}));
    ws_ = std::make_unique<Workspace>(*store_, clock_);
    accounts_ = std::make_unique<Accounts>(*store_, clock_);
    analytics_ = std::make_unique<Analytics>(*store_, clock_);
    router_ = std::make_unique<Router>(*ws_, *accounts_, *analytics_, WebUi::Embedded());

    NewToken boot = Must(ws_->Bootstrap("Ada Admin", "ada@example.com", "USD"));
    admin_ = Must(ws_->GetUser(boot.token.user_id));
    tokens_[Role3::kAdmin] = boot.secret;
    const User mia = AddUser("Mia Manager", "mia@example.com", Role::kManager);
    TeamPatch east;
    east.name = "East";
    east.manager_id = std::optional<Id>(mia.id);
    const Team team = Must(ws_->CreateTeam(admin_, east));
    TeamPatch west;
    west.name = "West";
    other_team_ = Must(ws_->CreateTeam(admin_, west)).id;
    const User rita = AddUser("Rita Rep", "rita@example.com", Role::kRep, team.id);
    ravi_ = AddUser("Ravi Rep", "ravi@example.com", Role::kRep);
    users_ = {0, ravi_.id, ravi_.id};
    team_ = team.id;
    caller_ids_ = {{Role3::kAdmin, admin_.id}, {Role3::kManager, mia.id}, {Role3::kRep, rita.id}};
    for (const User& u : {admin_, mia, rita, ravi_}) {
      if (u.id != admin_.id) {
        NewToken t = Must(ws_->CreateToken(admin_, u.id, "matrix"));
        if (u.id == mia.id) tokens_[Role3::kManager] = t.secret;
        if (u.id == rita.id) tokens_[Role3::kRep] = t.secret;
      }
      // A second token to be the target of token routes, so revoking it leaves the caller's.
      token_ids_[u.id] = Must(ws_->CreateToken(admin_, u.id, "spare")).token.id;
    }

    PipelinePatch sales;
    sales.name = "Sales";
    const Pipeline sales_pipeline = Must(ws_->CreatePipeline(admin_, sales, "4-stage"));
    PipelinePatch shared;
    shared.name = "Shared";
    shared.visibility = PipelineVisibility::kEveryone;
    const Pipeline shared_pipeline = Must(ws_->CreatePipeline(admin_, shared, "4-stage"));
    pipelines_ = {sales_pipeline.id, sales_pipeline.id, shared_pipeline.id};
    stages_ = {FirstStage(sales_pipeline.id), FirstStage(sales_pipeline.id),
               FirstStage(shared_pipeline.id)};

    const User* owners[] = {&rita, &ravi_, &ravi_};
    Id* deal_slots[] = {&deals_.own, &deals_.other, &deals_.shared};
    Id* person_slots[] = {&persons_.own, &persons_.other, &persons_.shared};
    Id* org_slots[] = {&orgs_.own, &orgs_.other, &orgs_.shared};
    Id* activity_slots[] = {&activities_.own, &activities_.other, &activities_.shared};
    Id* note_slots[] = {&notes_.own, &notes_.other, &notes_.shared};
    for (int i = 0; i < 3; ++i) {
      const User& owner = *owners[i];
      OrganizationPatch org;
      org.name = "Org " + std::to_string(i);
      org.owner_id = owner.id;
      *org_slots[i] = Must(ws_->CreateOrganization(owner, org)).id;
      PersonPatch person;
      person.name = "Person " + std::to_string(i);
      person.owner_id = owner.id;
      *person_slots[i] = Must(ws_->CreatePerson(owner, person)).id;
      DealPatch deal;
      deal.title = "Deal " + std::to_string(i);
      deal.stage_id = stages_[i];
      deal.person_id = std::optional<Id>(*person_slots[i]);
      deal.org_id = std::optional<Id>(*org_slots[i]);
      *deal_slots[i] = Must(ws_->CreateDeal(owner, deal)).id;
      ActivityPatch activity;
      activity.subject = "Call " + std::to_string(i);
      activity.deal_id = std::optional<Id>(*deal_slots[i]);
      *activity_slots[i] = Must(ws_->CreateActivity(owner, activity)).id;
      NotePatch note;
      note.content = "Note " + std::to_string(i);
      note.deal_id = std::optional<Id>(*deal_slots[i]);
      *note_slots[i] = Must(ws_->CreateNote(owner, note)).id;
      Must(ws_->SnoozeFlag(owner, *deal_slots[i], HealthFlag::kRotting, *ParseDate("2099-01-01"),
                           "waiting for the budget"));
    }
    LostReasonPatch reason;
    reason.label = "Too expensive";
    lost_reason_ = Must(ws_->CreateLostReason(admin_, reason)).id;
    QuotaPatch quota;
    quota.target = 100000;
    quota_ = Must(ws_->CreateQuota(admin_, quota)).id;
  }

  ~World() {
    router_.reset();
    analytics_.reset();
    accounts_.reset();
    ws_.reset();
    store_->Close();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }

  // The route's path with its ids filled in for `target` as seen by `role`.
  std::string PathOf(const Route& route, Role3 role, Target target) const {
    std::string path(route.path);
    const std::string kind = path.substr(5, path.find('/', 5) - 5);  // after "/api/"
    const Id caller = caller_ids_.at(role);
    Id id = 0;
    if (kind == "users") {
      id = target == Target::kOwn ? caller : ravi_.id;
    } else if (kind == "teams") {
      id = target == Target::kOwn ? team_ : other_team_;
    } else if (kind == "pipelines") {
      id = Pick(pipelines_, target);
    } else if (kind == "stages") {
      id = Pick(stages_, target);
    } else if (kind == "organizations") {
      id = orgs_.Of(target);
    } else if (kind == "persons") {
      id = persons_.Of(target);
    } else if (kind == "deals") {
      id = deals_.Of(target);
    } else if (kind == "activities") {
      id = activities_.Of(target);
    } else if (kind == "notes") {
      id = notes_.Of(target);
    } else if (kind == "lost-reasons") {
      id = lost_reason_;
    } else if (kind == "quotas") {
      id = quota_;
    }
    Replace(path, "{id}", std::to_string(id));
    if (path.find("{token_id}") != std::string::npos) {
      Replace(path, "{token_id}", std::to_string(token_ids_.at(id)));
    }
    if (route.operation_id == "unsnoozeDealFlag") path += "?flag=rotting";
    return path;
  }

  // A body that passes the route's own checks where that matters to reach the record.
  std::string BodyOf(const Route& route, Target target) const {
    const std::string op(route.operation_id);
    if (op == "updateDeal" || op == "updateOrganization" || op == "updatePerson") {
      return op == "updateDeal" ? R"({"title": "Renamed"})" : R"({"name": "Renamed"})";
    }
    if (op == "moveDeal") return R"({"stage_id": )" + std::to_string(Pick(stages_, target)) + "}";
    if (op == "markDealLost") return R"({"lost_reason": "No budget"})";
    if (op == "snoozeDealFlag") {
      return R"({"flag": "rotting", "until": "2099-01-01", "reason": "waiting for budget"})";
    }
    if (op == "updateActivity") return R"({"subject": "Renamed"})";
    // Creates with what they require, so that a refusal is the role's and not the body's.
    if (op == "createUser") return R"({"name": "New Hire", "email": "new.hire@example.com"})";
    if (op == "transferOwnership") {
      return R"({"to_user_id": )" + std::to_string(admin_.id) + "}";
    }
    if (op == "createTeam") return R"({"name": "North"})";
    if (op == "createPipeline") return R"({"name": "Renewals"})";
    if (op == "createStage") {
      return R"({"name": "Review", "pipeline_id": )" + std::to_string(pipelines_[0]) + "}";
    }
    if (op == "createLostReason") return R"({"label": "Timing"})";
    if (op == "createQuota") return R"({"target": 5000})";
    if (op == "updateNote") return R"({"content": "Renamed"})";
    if (route.method == Method::kGet || route.method == Method::kDelete) return "";
    return "{}";
  }

  HttpResponse Send(const Route& route, const std::string& path, const std::string& body,
                    const std::string& token) const {
    const std::string authorization = token.empty() ? "" : "Bearer " + token;
    HttpRequest request;
    request.method = MethodName(route.method);
    request.target = path;
    request.authorization = authorization;
    request.body = body;
    return router_->Handle(request);
  }

  const std::string& TokenOf(Role3 role) const { return tokens_.at(role); }

 private:
  User AddUser(const std::string& name, const std::string& email, Role role,
               std::optional<Id> team = std::nullopt) {
    UserPatch u;
    u.name = name;
    u.email = email;
    u.role = role;
    if (team) u.team_id = std::optional<Id>(*team);
    return Must(ws_->CreateUser(admin_, u));
  }
  Id FirstStage(Id pipeline) {
    ListQuery q;
    q.pipeline_id = pipeline;
    q.sort = SortField::kPosition;
    return Must(ws_->ListStages(q)).items.front().id;
  }
  static Id Pick(const std::vector<Id>& own_other_shared, Target t) {
    return own_other_shared[t == Target::kOther ? 1 : t == Target::kShared ? 2 : 0];
  }
  static void Replace(std::string& s, const std::string& from, const std::string& to) {
    if (size_t at = s.find(from); at != std::string::npos) s.replace(at, from.size(), to);
  }

  std::string path_;
  ManualClock clock_{Timestamp{1'795'435'200'000}};  // 2026-11-23T12:00:00Z
  std::unique_ptr<Store> store_;
  std::unique_ptr<Workspace> ws_;
  std::unique_ptr<Accounts> accounts_;
  std::unique_ptr<Analytics> analytics_;
  std::unique_ptr<Router> router_;
  User admin_, ravi_;
  std::map<Role3, std::string> tokens_;
  std::map<Role3, Id> caller_ids_;
  std::map<Id, Id> token_ids_;  // user → their spare token
  Id team_ = 0, other_team_ = 0, lost_reason_ = 0, quota_ = 0;
  std::vector<Id> users_, pipelines_, stages_;
  Targets deals_, persons_, orgs_, activities_, notes_;
};

bool HasId(const Route& route) { return route.path.find('{') != std::string_view::npos; }

TEST(AuthorizationMatrixTest, RulesCoverEveryRoute) {
  for (const Route& route : Routes()) {
    EXPECT_TRUE(Rules().contains(std::string(route.operation_id)))
        << MethodName(route.method) << " " << route.path << " (" << route.operation_id
        << ") has no rule in the authorization matrix";
    if (!Rules().contains(std::string(route.operation_id))) continue;
    EXPECT_EQ(Rules().at(std::string(route.operation_id)) == Rule::kPublic, !route.needs_token)
        << route.operation_id << ": public routes are exactly those that need no caller";
  }
}

TEST(AuthorizationMatrixTest, EveryRouteEveryRoleEveryRecord) {
  // Reads change nothing, so they share one workspace; each change gets a fresh one.
  World reads;
  int checked = 0;
  for (const Route& route : Routes()) {
    const auto rule = Rules().find(std::string(route.operation_id));
    if (rule == Rules().end()) continue;  // reported by RulesCoverEveryRoute
    std::vector<Target> targets = {Target::kNone};
    if (HasId(route)) targets = {Target::kOwn, Target::kOther, Target::kShared};

    if (route.needs_token) {
      const HttpResponse anonymous =
          reads.Send(route, reads.PathOf(route, Role3::kAdmin, targets.front()),
                     reads.BodyOf(route, targets.front()), "");
      EXPECT_EQ(anonymous.status, 401) << route.operation_id << " without credentials";
    }
    for (Role3 role : {Role3::kAdmin, Role3::kManager, Role3::kRep}) {
      for (Target target : targets) {
        std::unique_ptr<World> fresh;
        if (route.method != Method::kGet) fresh = std::make_unique<World>();
        const World& world = fresh ? *fresh : reads;
        const HttpResponse r =
            world.Send(route, world.PathOf(route, role, target), world.BodyOf(route, target),
                       rule->second == Rule::kPublic ? "" : world.TokenOf(role));
        const Outcome expected = Expected(rule->second, role, target);
        EXPECT_EQ(Name(OutcomeOf(r.status)), Name(expected))
            << MethodName(route.method) << " " << world.PathOf(route, role, target) << " ("
            << route.operation_id << ") as " << Name(role) << " on the " << Name(target)
            << " record: status " << r.status << " " << r.body.substr(0, 200);
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 300);
}

}  // namespace
}  // namespace pipedeck
