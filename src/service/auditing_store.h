// Auditing: a Store whose write transactions append an audit entry (core/audit.h) for every
// create, update and delete of an audited record, made by one user, at the clock's time and in
// the same transaction as the change, so that a change and its entry are committed or undone
// together. The Workspace runs every use case that changes records through one of these, so a new
// use case cannot forget the log.
//
// An update reads the record as it was first (one indexed read) and records only the fields that
// differ; an update that changes no audited field (a card reordered, activity dates refreshed)
// records nothing. Moving every deal out of a deleted stage (StoreTx::MoveAllDeals) is recorded
// as the stage's delete; the deals' moves are in their stage history. Sessions, sign-in failures,
// token use times and settings are not records and are not audited.
//
// Thread-safety: as the Store it wraps; an AuditedStore is made per use case call.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include "core/audit.h"
#include "core/time.h"
#include "store/forwarding_store_tx.h"
#include "store/store.h"

namespace pipedeck {

class AuditingStoreTx final : public ForwardingStoreTx {
 public:
  AuditingStoreTx(StoreTx& inner, Id actor_id, Timestamp at)
      : ForwardingStoreTx(inner), actor_id_(actor_id), at_(at) {}

  Result<User> InsertUser(User u) override { return Created("user", inner_.InsertUser(std::move(u))); }
  Status UpdateUser(const User& u, int64_t v) override {
    return Updated("user", &StoreTx::GetUser, u, [&] { return inner_.UpdateUser(u, v); });
  }
  Result<ApiToken> InsertToken(ApiToken t) override {
    return Created("token", inner_.InsertToken(std::move(t)));
  }
  // The store has no lookup of one token, so its delete is recorded without field values.
  Status DeleteToken(Id id) override {
    PD_RETURN_IF_ERROR(inner_.DeleteToken(id));
    return Append<ApiToken>("token", AuditAction::kDelete, id, std::nullopt, std::nullopt);
  }
  Result<Team> InsertTeam(Team t) override { return Created("team", inner_.InsertTeam(std::move(t))); }
  Status UpdateTeam(const Team& t, int64_t v) override {
    return Updated("team", &StoreTx::GetTeam, t, [&] { return inner_.UpdateTeam(t, v); });
  }
  Status DeleteTeam(Id id, int64_t v) override {
    return Deleted("team", &StoreTx::GetTeam, id, [&] { return inner_.DeleteTeam(id, v); });
  }
  Result<Quota> InsertQuota(Quota q) override {
    return Created("quota", inner_.InsertQuota(std::move(q)));
  }
  Status UpdateQuota(const Quota& q, int64_t v) override {
    return Updated("quota", &StoreTx::GetQuota, q, [&] { return inner_.UpdateQuota(q, v); });
  }
  Status DeleteQuota(Id id, int64_t v) override {
    return Deleted("quota", &StoreTx::GetQuota, id, [&] { return inner_.DeleteQuota(id, v); });
  }
  Result<Pipeline> InsertPipeline(Pipeline p) override {
    return Created("pipeline", inner_.InsertPipeline(std::move(p)));
  }
  Status UpdatePipeline(const Pipeline& p, int64_t v) override {
    return Updated("pipeline", &StoreTx::GetPipeline, p,
                   [&] { return inner_.UpdatePipeline(p, v); });
  }
  Status DeletePipeline(Id id, int64_t v) override {
    return Deleted("pipeline", &StoreTx::GetPipeline, id,
                   [&] { return inner_.DeletePipeline(id, v); });
  }
  Result<Stage> InsertStage(Stage s) override {
    return Created("stage", inner_.InsertStage(std::move(s)));
  }
  Status UpdateStage(const Stage& s, int64_t v) override {
    return Updated("stage", &StoreTx::GetStage, s, [&] { return inner_.UpdateStage(s, v); });
  }
  Status DeleteStage(Id id, int64_t v) override {
    return Deleted("stage", &StoreTx::GetStage, id, [&] { return inner_.DeleteStage(id, v); });
  }
  Result<Organization> InsertOrganization(Organization o) override {
    return Created("organization", inner_.InsertOrganization(std::move(o)));
  }
  Status UpdateOrganization(const Organization& o, int64_t v) override {
    return Updated("organization", &StoreTx::GetOrganization, o,
                   [&] { return inner_.UpdateOrganization(o, v); });
  }
  Status DeleteOrganization(Id id, int64_t v) override {
    return Deleted("organization", &StoreTx::GetOrganization, id,
                   [&] { return inner_.DeleteOrganization(id, v); });
  }
  Result<Person> InsertPerson(Person p) override {
    return Created("person", inner_.InsertPerson(std::move(p)));
  }
  Status UpdatePerson(const Person& p, int64_t v) override {
    return Updated("person", &StoreTx::GetPerson, p, [&] { return inner_.UpdatePerson(p, v); });
  }
  Status DeletePerson(Id id, int64_t v) override {
    return Deleted("person", &StoreTx::GetPerson, id, [&] { return inner_.DeletePerson(id, v); });
  }
  Result<Deal> InsertDeal(Deal d) override { return Created("deal", inner_.InsertDeal(std::move(d))); }
  Status UpdateDeal(const Deal& d, int64_t v) override {
    return Updated("deal", &StoreTx::GetDeal, d, [&] { return inner_.UpdateDeal(d, v); });
  }
  Status DeleteDeal(Id id, int64_t v) override {
    return Deleted("deal", &StoreTx::GetDeal, id, [&] { return inner_.DeleteDeal(id, v); });
  }
  Result<LostReason> InsertLostReason(LostReason r) override {
    return Created("lost_reason", inner_.InsertLostReason(std::move(r)));
  }
  Status UpdateLostReason(const LostReason& r, int64_t v) override {
    return Updated("lost_reason", &StoreTx::GetLostReason, r,
                   [&] { return inner_.UpdateLostReason(r, v); });
  }
  Status DeleteLostReason(Id id, int64_t v) override {
    return Deleted("lost_reason", &StoreTx::GetLostReason, id,
                   [&] { return inner_.DeleteLostReason(id, v); });
  }
  Result<Activity> InsertActivity(Activity a) override {
    return Created("activity", inner_.InsertActivity(std::move(a)));
  }
  Status UpdateActivity(const Activity& a, int64_t v) override {
    return Updated("activity", &StoreTx::GetActivity, a,
                   [&] { return inner_.UpdateActivity(a, v); });
  }
  Status DeleteActivity(Id id, int64_t v) override {
    return Deleted("activity", &StoreTx::GetActivity, id,
                   [&] { return inner_.DeleteActivity(id, v); });
  }
  Result<Note> InsertNote(Note n) override { return Created("note", inner_.InsertNote(std::move(n))); }
  Status UpdateNote(const Note& n, int64_t v) override {
    return Updated("note", &StoreTx::GetNote, n, [&] { return inner_.UpdateNote(n, v); });
  }
  Status DeleteNote(Id id, int64_t v) override {
    return Deleted("note", &StoreTx::GetNote, id, [&] { return inner_.DeleteNote(id, v); });
  }

 private:
  template <typename T>
  Status Append(const char* object, AuditAction action, Id record_id,
                const std::optional<T>& before, const std::optional<T>& after) {
    AuditEntry entry;
    entry.at = at_;
    entry.user_id = actor_id_;
    entry.action = action;
    entry.object = object;
    entry.record_id = record_id;
    entry.changes = AuditChanges(before, after);
    if (action == AuditAction::kUpdate && entry.changes.empty()) return Status::Ok();
    return inner_.AppendAudit(std::move(entry)).status();
  }

  template <typename T>
  Result<T> Created(const char* object, Result<T> created) {
    if (!created.ok()) return created;
    PD_RETURN_IF_ERROR(Append<T>(object, AuditAction::kCreate, created->id, std::nullopt,
                                 std::optional<T>(*created)));
    return created;
  }

  template <typename T, typename Write>
  Status Updated(const char* object, Result<T> (StoreTx::*get)(Id), const T& after,
                 Write&& write) {
    Result<T> before = (inner_.*get)(after.id);
    PD_RETURN_IF_ERROR(write());
    if (!before.ok()) return before.status();
    return Append<T>(object, AuditAction::kUpdate, after.id, std::optional<T>(*before),
                     std::optional<T>(after));
  }

  template <typename T, typename Remove>
  Status Deleted(const char* object, Result<T> (StoreTx::*get)(Id), Id id, Remove&& remove) {
    Result<T> before = (inner_.*get)(id);
    PD_RETURN_IF_ERROR(remove());
    if (!before.ok()) return before.status();
    return Append<T>(object, AuditAction::kDelete, id, std::optional<T>(*before), std::nullopt);
  }

  const Id actor_id_;
  const Timestamp at_;
};

// The Store that hands out AuditingStoreTx writes for one actor; reads and bulk loads pass
// through.
class AuditedStore final : public Store {
 public:
  AuditedStore(Store& inner, Id actor_id, const Clock& clock)
      : inner_(inner), actor_id_(actor_id), clock_(clock) {}

  Result<std::unique_ptr<BulkWriter>> BeginBulkLoad() override { return inner_.BeginBulkLoad(); }
  Status Read(const std::function<Status(StoreTx&)>& fn) override { return inner_.Read(fn); }
  Status Write(const std::function<Status(StoreTx&)>& fn) override {
    return inner_.Write([&](StoreTx& tx) {
      AuditingStoreTx audited(tx, actor_id_, clock_.Now());
      return fn(audited);
    });
  }
  void Close() override { inner_.Close(); }

 private:
  Store& inner_;
  const Id actor_id_;
  const Clock& clock_;
};

}  // namespace pipedeck
