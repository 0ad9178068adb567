// The transaction of a bulk import of deals (ImportOptions::bulk_load, docs/import.md): the
// workspace's own use cases run against it unchanged, so that every bulk-loaded deal obeys the
// rules of one created by hand, while what they write goes to the store's BulkWriter instead of
// row-by-row INSERTs with live indexes and triggers.
//
// - Reads go to a read transaction (`snapshot`), which must end before BulkWriter::Finish: users,
// pipelines, stages,
//   settings, organizations and persons that existed. The ones the use cases ask for on every row
//   are kept in memory after their first read.
// - Writes of a row (the outermost WithinSavepoint) are held until the row succeeds, then handed
//   to the writer in one go; a row that fails leaves nothing, and a savepoint inside the row undoes
//   its own part. Ids are numbered here, after the highest ones the
//   store has given (StoreTx::LastAssignedIds).
// - Only what creating deals writes is taken: organizations, persons, deals (changed again in
//   the row that created them, as a won or lost deal is), stage events and other systems' ids;
//   other writes would go to the snapshot, which cannot take them while the writer holds the
//   database. The workspace must have no deals when the load starts, so a
//   stage's open cards are the ones this load made.
// - An external id seen earlier in the load is kInvalid "external_id": a bulk load makes each deal
//   once (an ordinary import updates the earlier one instead).
// - The audit entries of the rows are dropped: a first migration of a large history is recorded
//   as the import the admin ran, not as a million creations.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "store/forwarding_store_tx.h"
#include "store/store.h"

namespace pipedeck {

class BulkLoadTx final : public ForwardingStoreTx {
 public:
  BulkLoadTx(StoreTx& snapshot, BulkWriter& writer, const AssignedIds& last_ids)
      : ForwardingStoreTx(snapshot), writer_(writer), last_(last_ids) {}

  Status WithinSavepoint(const std::function<Status()>& fn) override;

  Result<Organization> InsertOrganization(Organization o) override;
  Result<Organization> GetOrganization(Id id) override;
  Result<Person> InsertPerson(Person p) override;
  Result<Person> GetPerson(Id id) override;
  Result<Deal> InsertDeal(Deal d) override;
  Result<Deal> GetDeal(Id id) override;
  Status UpdateDeal(const Deal& d, int64_t expected_version) override;
  Result<StageEvent> InsertStageEvent(StageEvent e) override;
  Result<AuditEntry> AppendAudit(AuditEntry entry) override { return entry; }
  Result<std::optional<Id>> FindExternalKey(std::string_view object,
                                            std::string_view external_id) override;
  Status PutExternalKey(std::string_view object, std::string_view external_id,
                        Id record_id) override;

  // A stage's open cards: the top one this load made (new deals go on top).
  Result<std::vector<Deal>> CardsOfStage(Id stage_id, int64_t offset, int64_t limit) override;
  Result<std::optional<double>> FirstPosition(Id stage_id) override;

  // Read once, then from memory.
  Result<User> GetUser(Id id) override;
  Result<Pipeline> GetPipeline(Id id) override;
  Result<Stage> GetStage(Id id) override;
  Result<std::vector<Stage>> StagesOfPipeline(Id pipeline_id) override;
  Result<std::optional<std::string>> GetSetting(const std::string& key) override;

  // New cards go above the top one with room to spare: the stage is never renumbered.
  Status RenumberStage(Id stage_id) override;

 private:
  // What the row in progress wrote; handed to the writer when the row succeeds.
  struct RowWrites {
    std::vector<Organization> organizations;
    std::vector<Person> persons;
    std::vector<Deal> deals;
    std::vector<StageEvent> events;
    struct Key {
      std::string object, external_id;
      Id record_id;
    };
    std::vector<Key> keys;
  };

  Status Flush(RowWrites& row);
  Deal* PendingDeal(Id id);
  // `record` with the next id after `last`, added to the row's `pending` records.
  template <typename T>
  Result<T> Numbered(T record, Id& last, std::vector<T> RowWrites::*pending);

  BulkWriter& writer_;
  AssignedIds last_;
  std::optional<RowWrites> row_;              // set inside WithinSavepoint
  std::map<Id, Organization> organizations_;  // read or loaded
  std::map<Id, Person> persons_;
  std::set<std::pair<std::string, std::string>> loaded_keys_;
  std::map<Id, double> top_position_;  // per stage: the top open card's position
  std::map<Id, User> users_;
  std::map<Id, Pipeline> pipelines_;
  std::map<Id, Stage> stages_;
  std::map<Id, std::vector<Stage>> stages_of_pipeline_;
  std::map<std::string, std::optional<std::string>> settings_;
};

}  // namespace pipedeck
