// Visibility: which records each user may see and change, applied in one place beneath every use
// case so that lists, the board, search, timelines, lookups, changes and the Pipedrive-compatible
// API all agree.
//
// - Admins see everything.
// - Managers see their own records and those owned by the members of the teams they lead and of
//   their own team.
// - Reps see their own records.
// - Besides, a pipeline's visibility (core/model.h PipelineVisibility) shares its deals with the
//   reps of the owner's team ("team") or with everyone ("everyone").
// - An activity, person or organization belonging to a visible deal is visible; a note on a
//   visible deal, person or organization is visible (store.h VisibleScope).
//
// A record a user may not see does not exist for them: looking it up, changing it or linking to
// it answers kNotFound, exactly as for an id that was never given, so ids reveal nothing.
//
// Pipelines, stages, users, teams, lost reasons and settings are not owned records and are
// visible to everyone; who may change them is the use cases' role checks.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <utility>

#include "core/model.h"
#include "core/status.h"
#include "store/forwarding_store_tx.h"
#include "store/store.h"

namespace pipedeck {

// What `user` may see, read in `tx`; std::nullopt for everything (admins).
Result<std::optional<VisibleScope>> VisibleScopeOf(StoreTx& tx, const User& user);

// Whether `scope` shows the deal.
bool DealVisible(const VisibleScope& scope, const Deal& d);

// A transaction that shows one user's view: lookups of records outside it are kNotFound, lists
// and boards are filtered.
class ScopedStoreTx final : public ForwardingStoreTx {
 public:
  ScopedStoreTx(StoreTx& inner, const VisibleScope& scope)
      : ForwardingStoreTx(inner), scope_(scope) {}

  Result<Deal> GetDeal(Id id) override;
  Result<Activity> GetActivity(Id id) override;
  Result<Note> GetNote(Id id) override;
  Result<Person> GetPerson(Id id) override;
  Result<Organization> GetOrganization(Id id) override;
  Result<Page<Deal>> ListDeals(const ListQuery& q) override;
  Result<Page<Activity>> ListActivities(const ListQuery& q) override;
  Result<Page<Note>> ListNotes(const ListQuery& q) override;
  Result<Page<Person>> ListPersons(const ListQuery& q) override;
  Result<Page<Organization>> ListOrganizations(const ListQuery& q) override;
  Result<std::vector<BoardColumn>> Board(const BoardQuery& q) override;

 private:
  bool PersonVisible(const Person& p);
  bool OrganizationVisible(const Organization& o);
  bool Owns(Id owner_id) const;
  // `list` of the inner transaction with this scope's filter added to `q`.
  template <typename T>
  Result<Page<T>> Scoped(Result<Page<T>> (StoreTx::*list)(const ListQuery&), const ListQuery& q) {
    ListQuery scoped = q;
    scoped.visible = scope_;
    return (inner_.*list)(scoped);
  }

  const VisibleScope scope_;
};

// The Store that hands out ScopedStoreTx reads and writes for one scope.
class ScopedStore final : public Store {
 public:
  ScopedStore(Store& inner, VisibleScope scope) : inner_(inner), scope_(std::move(scope)) {}

  Result<std::unique_ptr<BulkWriter>> BeginBulkLoad() override {
    return Status::Forbidden("only admins can load data in bulk");
  }
  Status Read(const std::function<Status(StoreTx&)>& fn) override {
    return inner_.Read([&](StoreTx& tx) {
      ScopedStoreTx scoped(tx, scope_);
      return fn(scoped);
    });
  }
  Status Write(const std::function<Status(StoreTx&)>& fn) override {
    return inner_.Write([&](StoreTx& tx) {
      ScopedStoreTx scoped(tx, scope_);
      return fn(scoped);
    });
  }
  void Close() override { inner_.Close(); }

 private:
  Store& inner_;
  const VisibleScope scope_;
};

}  // namespace pipedeck
