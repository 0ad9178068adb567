// A StoreTx that passes every call on to another transaction: the base of transactions that
// change a few calls and leave the rest to a real one (the importer's bulk load, service/
// bulk_load.h). Each method forwards its arguments unchanged.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/store.h"

namespace pipedeck {

class ForwardingStoreTx : public StoreTx {
 public:
  explicit ForwardingStoreTx(StoreTx& inner) : inner_(inner) {}

  Result<std::optional<Id>> FindExternalKey(std::string_view object,
                                            std::string_view external_id) override {
    return inner_.FindExternalKey(object, external_id);
  }
  Status PutExternalKey(std::string_view object, std::string_view external_id,
                        Id record_id) override {
    return inner_.PutExternalKey(object, external_id, record_id);
  }
  Result<AssignedIds> LastAssignedIds() override { return inner_.LastAssignedIds(); }
  Status WithinSavepoint(const std::function<Status()>& fn) override {
    return inner_.WithinSavepoint(fn);
  }
  Result<User> InsertUser(User u) override { return inner_.InsertUser(std::move(u)); }
  Result<User> GetUser(Id id) override { return inner_.GetUser(id); }
  Result<User> FindUserByEmail(const std::string& email_lower) override {
    return inner_.FindUserByEmail(email_lower);
  }
  Status UpdateUser(const User& u, int64_t expected_version) override {
    return inner_.UpdateUser(u, expected_version);
  }
  Result<Page<User>> ListUsers(const ListQuery& q) override { return inner_.ListUsers(q); }
  Result<ApiToken> InsertToken(ApiToken t) override { return inner_.InsertToken(std::move(t)); }
  Result<ApiToken> FindTokenByHash(const std::string& secret_hash) override {
    return inner_.FindTokenByHash(secret_hash);
  }
  Result<std::vector<ApiToken>> ListTokens(Id user_id) override {
    return inner_.ListTokens(user_id);
  }
  Status DeleteToken(Id token_id) override { return inner_.DeleteToken(token_id); }
  Status DeleteTokensOfUser(Id user_id) override { return inner_.DeleteTokensOfUser(user_id); }
  Status TouchToken(Id token_id, Timestamp at) override { return inner_.TouchToken(token_id, at); }
  Result<AuditEntry> AppendAudit(AuditEntry entry) override {
    return inner_.AppendAudit(std::move(entry));
  }
  Result<std::vector<AuditEntry>> ListAudit(const AuditQuery& q) override {
    return inner_.ListAudit(q);
  }
  Result<std::optional<std::string>> GetPasswordHash(Id user_id) override {
    return inner_.GetPasswordHash(user_id);
  }
  Status SetPasswordHash(Id user_id, const std::string& hash, Timestamp at) override {
    return inner_.SetPasswordHash(user_id, hash, at);
  }
  Result<Session> InsertSession(Session s) override { return inner_.InsertSession(std::move(s)); }
  Result<Session> FindSessionByHash(const std::string& secret_hash) override {
    return inner_.FindSessionByHash(secret_hash);
  }
  Status TouchSession(Id session_id, Timestamp at) override {
    return inner_.TouchSession(session_id, at);
  }
  Status DeleteSession(Id session_id) override { return inner_.DeleteSession(session_id); }
  Status DeleteSessionsOfUser(Id user_id, Id keep) override {
    return inner_.DeleteSessionsOfUser(user_id, keep);
  }
  Result<PasswordReset> InsertPasswordReset(PasswordReset r) override {
    return inner_.InsertPasswordReset(std::move(r));
  }
  Result<PasswordReset> FindPasswordResetByHash(const std::string& secret_hash) override {
    return inner_.FindPasswordResetByHash(secret_hash);
  }
  Status DeletePasswordResetsOfUser(Id user_id) override {
    return inner_.DeletePasswordResetsOfUser(user_id);
  }
  Status AddSignInFailure(const std::string& subject, Timestamp at) override {
    return inner_.AddSignInFailure(subject, at);
  }
  Result<std::vector<Timestamp>> SignInFailures(const std::string& subject, Timestamp since,
                                                int limit) override {
    return inner_.SignInFailures(subject, since, limit);
  }
  Status ClearSignInFailures(const std::string& subject) override {
    return inner_.ClearSignInFailures(subject);
  }
  Status PruneSignIns(Timestamp seen_before, Timestamp created_before, Timestamp failed_before,
                      Timestamp now) override {
    return inner_.PruneSignIns(seen_before, created_before, failed_before, now);
  }
  Result<Pipeline> InsertPipeline(Pipeline p) override {
    return inner_.InsertPipeline(std::move(p));
  }
  Result<Pipeline> GetPipeline(Id id) override { return inner_.GetPipeline(id); }
  Status UpdatePipeline(const Pipeline& p, int64_t expected_version) override {
    return inner_.UpdatePipeline(p, expected_version);
  }
  Status DeletePipeline(Id id, int64_t expected_version) override {
    return inner_.DeletePipeline(id, expected_version);
  }
  Result<Page<Pipeline>> ListPipelines(const ListQuery& q) override {
    return inner_.ListPipelines(q);
  }
  Result<Stage> InsertStage(Stage s) override { return inner_.InsertStage(std::move(s)); }
  Result<Stage> GetStage(Id id) override { return inner_.GetStage(id); }
  Status UpdateStage(const Stage& s, int64_t expected_version) override {
    return inner_.UpdateStage(s, expected_version);
  }
  Status DeleteStage(Id id, int64_t expected_version) override {
    return inner_.DeleteStage(id, expected_version);
  }
  Result<std::vector<Stage>> StagesOfPipeline(Id pipeline_id) override {
    return inner_.StagesOfPipeline(pipeline_id);
  }
  Result<Page<Stage>> ListStages(const ListQuery& q) override { return inner_.ListStages(q); }
  Result<Organization> InsertOrganization(Organization o) override {
    return inner_.InsertOrganization(std::move(o));
  }
  Result<Organization> GetOrganization(Id id) override { return inner_.GetOrganization(id); }
  Status UpdateOrganization(const Organization& o, int64_t expected_version) override {
    return inner_.UpdateOrganization(o, expected_version);
  }
  Status DeleteOrganization(Id id, int64_t expected_version) override {
    return inner_.DeleteOrganization(id, expected_version);
  }
  Result<Page<Organization>> ListOrganizations(const ListQuery& q) override {
    return inner_.ListOrganizations(q);
  }
  Result<Person> InsertPerson(Person p) override { return inner_.InsertPerson(std::move(p)); }
  Result<Person> GetPerson(Id id) override { return inner_.GetPerson(id); }
  Status UpdatePerson(const Person& p, int64_t expected_version) override {
    return inner_.UpdatePerson(p, expected_version);
  }
  Status DeletePerson(Id id, int64_t expected_version) override {
    return inner_.DeletePerson(id, expected_version);
  }
  Result<Page<Person>> ListPersons(const ListQuery& q) override { return inner_.ListPersons(q); }
  Result<Deal> InsertDeal(Deal d) override { return inner_.InsertDeal(std::move(d)); }
  Result<Deal> GetDeal(Id id) override { return inner_.GetDeal(id); }
  Status UpdateDeal(const Deal& d, int64_t expected_version) override {
    return inner_.UpdateDeal(d, expected_version);
  }
  Status DeleteDeal(Id id, int64_t expected_version) override {
    return inner_.DeleteDeal(id, expected_version);
  }
  Result<Page<Deal>> ListDeals(const ListQuery& q) override { return inner_.ListDeals(q); }
  Result<int64_t> CountDealsInStage(Id stage_id) override {
    return inner_.CountDealsInStage(stage_id);
  }
  Result<int64_t> CountDealsInPipeline(Id pipeline_id) override {
    return inner_.CountDealsInPipeline(pipeline_id);
  }
  Result<std::vector<Deal>> CardsOfStage(Id stage_id, int64_t offset, int64_t limit) override {
    return inner_.CardsOfStage(stage_id, offset, limit);
  }
  Result<std::optional<double>> FirstPosition(Id stage_id) override {
    return inner_.FirstPosition(stage_id);
  }
  Result<std::optional<double>> LastPosition(Id stage_id) override {
    return inner_.LastPosition(stage_id);
  }
  Status RenumberStage(Id stage_id) override { return inner_.RenumberStage(stage_id); }
  Status MoveAllDeals(Id from_stage, const Stage& to_stage, Timestamp now) override {
    return inner_.MoveAllDeals(from_stage, to_stage, now);
  }
  Status RefreshDealActivityDates(Id deal_id) override {
    return inner_.RefreshDealActivityDates(deal_id);
  }
  Result<StageEvent> InsertStageEvent(StageEvent e) override {
    return inner_.InsertStageEvent(std::move(e));
  }
  Result<std::vector<StageEvent>> StageEventsOfDeal(Id deal_id) override {
    return inner_.StageEventsOfDeal(deal_id);
  }
  Result<LostReason> InsertLostReason(LostReason r) override {
    return inner_.InsertLostReason(std::move(r));
  }
  Result<LostReason> GetLostReason(Id id) override { return inner_.GetLostReason(id); }
  Status UpdateLostReason(const LostReason& r, int64_t expected_version) override {
    return inner_.UpdateLostReason(r, expected_version);
  }
  Status DeleteLostReason(Id id, int64_t expected_version) override {
    return inner_.DeleteLostReason(id, expected_version);
  }
  Result<Page<LostReason>> ListLostReasons(const ListQuery& q) override {
    return inner_.ListLostReasons(q);
  }
  Result<Activity> InsertActivity(Activity a) override {
    return inner_.InsertActivity(std::move(a));
  }
  Result<Activity> GetActivity(Id id) override { return inner_.GetActivity(id); }
  Status UpdateActivity(const Activity& a, int64_t expected_version) override {
    return inner_.UpdateActivity(a, expected_version);
  }
  Status DeleteActivity(Id id, int64_t expected_version) override {
    return inner_.DeleteActivity(id, expected_version);
  }
  Result<Page<Activity>> ListActivities(const ListQuery& q) override {
    return inner_.ListActivities(q);
  }
  Result<std::vector<Activity>> ActivitiesOfDeal(Id deal_id) override {
    return inner_.ActivitiesOfDeal(deal_id);
  }
  Result<Note> InsertNote(Note n) override { return inner_.InsertNote(std::move(n)); }
  Result<Note> GetNote(Id id) override { return inner_.GetNote(id); }
  Status UpdateNote(const Note& n, int64_t expected_version) override {
    return inner_.UpdateNote(n, expected_version);
  }
  Status DeleteNote(Id id, int64_t expected_version) override {
    return inner_.DeleteNote(id, expected_version);
  }
  Result<Page<Note>> ListNotes(const ListQuery& q) override { return inner_.ListNotes(q); }
  Result<std::vector<Note>> NotesOfDeal(Id deal_id) override { return inner_.NotesOfDeal(deal_id); }
  Result<std::vector<BoardColumn>> Board(const BoardQuery& q) override { return inner_.Board(q); }
  Result<std::map<Id, CardDetails>> CardDetailsOf(const std::vector<Deal>& deals) override {
    return inner_.CardDetailsOf(deals);
  }
  Result<int64_t> BoardVersion(Id pipeline_id) override { return inner_.BoardVersion(pipeline_id); }
  Result<std::map<Id, int64_t>> AllBoardVersions() override { return inner_.AllBoardVersions(); }
  Result<Team> InsertTeam(Team t) override { return inner_.InsertTeam(std::move(t)); }
  Result<Team> GetTeam(Id id) override { return inner_.GetTeam(id); }
  Status UpdateTeam(const Team& t, int64_t expected_version) override {
    return inner_.UpdateTeam(t, expected_version);
  }
  Status DeleteTeam(Id id, int64_t expected_version) override {
    return inner_.DeleteTeam(id, expected_version);
  }
  Result<Page<Team>> ListTeams(const ListQuery& q) override { return inner_.ListTeams(q); }
  Result<Quota> InsertQuota(Quota q) override { return inner_.InsertQuota(std::move(q)); }
  Result<Quota> GetQuota(Id id) override { return inner_.GetQuota(id); }
  Status UpdateQuota(const Quota& q, int64_t expected_version) override {
    return inner_.UpdateQuota(q, expected_version);
  }
  Status DeleteQuota(Id id, int64_t expected_version) override {
    return inner_.DeleteQuota(id, expected_version);
  }
  Result<Page<Quota>> ListQuotas(const ListQuery& q) override { return inner_.ListQuotas(q); }
  Status InsertForecastSnapshots(const std::vector<ForecastSnapshot>& rows) override {
    return inner_.InsertForecastSnapshots(rows);
  }
  Result<bool> HasForecastSnapshot(Date month) override {
    return inner_.HasForecastSnapshot(month);
  }
  Result<std::vector<ForecastSnapshot>> ForecastSnapshotsBetween(Date from, Date to) override {
    return inner_.ForecastSnapshotsBetween(from, to);
  }
  Status PutSnooze(const FlagSnooze& s) override { return inner_.PutSnooze(s); }
  Status DeleteSnooze(Id deal_id, HealthFlag flag) override {
    return inner_.DeleteSnooze(deal_id, std::move(flag));
  }
  Result<std::vector<FlagSnooze>> SnoozesOfDeal(Id deal_id) override {
    return inner_.SnoozesOfDeal(deal_id);
  }
  Result<std::vector<FlagSnooze>> SnoozesInForce(Date day) override {
    return inner_.SnoozesInForce(day);
  }
  Status ScanDealFacts(const std::vector<Id>& deal_ids,
                       const std::function<void(const DealFactRow&)>& fn) override {
    return inner_.ScanDealFacts(deal_ids, fn);
  }
  Status ScanStageEventFacts(const std::vector<Id>& deal_ids,
                             const std::function<void(const StageEventFactRow&)>& fn) override {
    return inner_.ScanStageEventFacts(deal_ids, fn);
  }
  Status ScanOpenDeals(std::optional<Id> pipeline_id,
                       const std::function<void(const Deal&)>& fn) override {
    return inner_.ScanOpenDeals(pipeline_id, fn);
  }
  Result<int64_t> LatestDealChange() override { return inner_.LatestDealChange(); }
  Result<DealChanges> DealChangesSince(int64_t after, size_t max_ids) override {
    return inner_.DealChangesSince(after, max_ids);
  }
  Status PruneDealChanges(int64_t keep) override { return inner_.PruneDealChanges(keep); }
  Result<std::map<Id, int64_t>> CountDoneActivitiesByOwner(Date from, Date to) override {
    return inner_.CountDoneActivitiesByOwner(from, to);
  }
  Result<std::map<Id, int64_t>> CountDoneActivitiesOfDeals(
      const std::vector<Id>& deal_ids) override {
    return inner_.CountDoneActivitiesOfDeals(deal_ids);
  }
  Result<std::optional<std::string>> GetSetting(const std::string& key) override {
    return inner_.GetSetting(key);
  }
  Status PutSetting(const std::string& key, const std::string& value) override {
    return inner_.PutSetting(key, value);
  }

 protected:
  StoreTx& inner_;
};

}  // namespace pipedeck
