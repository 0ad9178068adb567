#include "service/bulk_load.h"

#include <algorithm>
#include <utility>

namespace pipedeck {
namespace {

std::string IdText(Id id) { return std::to_string(id); }

// A record read once from `read` and then kept in `cache`.
template <typename T, typename Read>
Result<T> Cached(std::map<Id, T>& cache, Id id, Read&& read) {
  if (auto it = cache.find(id); it != cache.end()) return it->second;
  PD_ASSIGN_OR_RETURN(T record, read(id));
  cache.emplace(id, record);
  return record;
}

}  // namespace

// The outermost savepoint is a row; one inside it (each use case's write) is undone by putting the
// row's writes back as they were.
// Ids given inside a failed savepoint are given again, as the database's would be.
Status BulkLoadTx::WithinSavepoint(const std::function<Status()>& fn) {
  const AssignedIds ids_before = last_;
  if (row_) {
    RowWrites before = *row_;
    Status status = fn();
    if (!status.ok()) {
      *row_ = std::move(before);
      last_ = ids_before;
    }
    return status;
  }
  row_.emplace();
  Status status = fn();
  RowWrites row = std::move(*row_);
  row_.reset();
  if (!status.ok()) {  // nothing of the row reaches the writer
    last_ = ids_before;
    return status;
  }
  // The writer's failure is the load's, not the row's: it ends the import.
  Status flushed = Flush(row);
  if (flushed.ok()) return flushed;
  return Status::Internal("the bulk load stopped: " + flushed.message());
}

// Organizations and persons first: the row's deal names them. The writer checks no reference,
// so the order only keeps a loaded file readable in id order.
Status BulkLoadTx::Flush(RowWrites& row) {
  for (Organization& o : row.organizations) {
    PD_RETURN_IF_ERROR(writer_.Add(o));
    organizations_.emplace(o.id, std::move(o));
  }
  for (Person& p : row.persons) {
    PD_RETURN_IF_ERROR(writer_.Add(p));
    persons_.emplace(p.id, std::move(p));
  }
  for (const Deal& d : row.deals) {
    PD_RETURN_IF_ERROR(writer_.Add(d));
    if (d.status == DealStatus::kOpen) {
      auto [it, added] = top_position_.emplace(d.stage_id, d.position);
      if (!added) it->second = std::min(it->second, d.position);
    }
  }
  for (const StageEvent& e : row.events) PD_RETURN_IF_ERROR(writer_.Add(e));
  for (RowWrites::Key& k : row.keys) {
    PD_RETURN_IF_ERROR(writer_.AddExternalKey(k.object, k.external_id, k.record_id));
    loaded_keys_.emplace(std::move(k.object), std::move(k.external_id));
  }
  return Status::Ok();
}

// The record of the row in progress with id `id`, or nullptr.
template <typename T>
T* InRow(std::vector<T>& records, Id id) {
  for (T& r : records) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

Deal* BulkLoadTx::PendingDeal(Id id) { return row_ ? InRow(row_->deals, id) : nullptr; }

template <typename T>
Result<T> BulkLoadTx::Numbered(T record, Id& last, std::vector<T> RowWrites::*pending) {
  if (!row_) return Status::Internal("bulk load writes happen inside a row");
  record.id = ++last;
  ((*row_).*pending).push_back(record);
  return record;
}

Result<Organization> BulkLoadTx::InsertOrganization(Organization o) {
  return Numbered(std::move(o), last_.organization, &RowWrites::organizations);
}

Result<Organization> BulkLoadTx::GetOrganization(Id id) {
  if (const Organization* o = row_ ? InRow(row_->organizations, id) : nullptr) return *o;
  return Cached(organizations_, id, [&](Id i) { return inner_.GetOrganization(i); });
}

Result<Person> BulkLoadTx::InsertPerson(Person p) {
  return Numbered(std::move(p), last_.person, &RowWrites::persons);
}

Result<Person> BulkLoadTx::GetPerson(Id id) {
  if (const Person* p = row_ ? InRow(row_->persons, id) : nullptr) return *p;
  return Cached(persons_, id, [&](Id i) { return inner_.GetPerson(i); });
}

Result<Deal> BulkLoadTx::InsertDeal(Deal d) {
  return Numbered(std::move(d), last_.deal, &RowWrites::deals);
}

// Only the deals of the row in progress: the workspace had none, and the rows before are loaded.
Result<Deal> BulkLoadTx::GetDeal(Id id) {
  if (const Deal* d = PendingDeal(id)) return *d;
  return Status::NotFound("no deal " + IdText(id), "deal_id");
}

Status BulkLoadTx::UpdateDeal(const Deal& d, int64_t expected_version) {
  Deal* pending = PendingDeal(d.id);
  if (pending == nullptr) {
    return Status::Internal("a bulk load changes only the deal of the row in progress");
  }
  if (pending->version != expected_version) {
    return Status::Internal("deal " + IdText(d.id) + " changed under its row");
  }
  *pending = d;
  return Status::Ok();
}

Result<StageEvent> BulkLoadTx::InsertStageEvent(StageEvent e) {
  return Numbered(std::move(e), last_.stage_event, &RowWrites::events);
}

Result<std::optional<Id>> BulkLoadTx::FindExternalKey(std::string_view object,
                                                      std::string_view external_id) {
  const std::pair<std::string, std::string> key(object, external_id);
  bool seen = loaded_keys_.contains(key);
  if (!seen && row_) {
    seen = std::any_of(row_->keys.begin(), row_->keys.end(), [&](const RowWrites::Key& k) {
      return k.object == object && k.external_id == external_id;
    });
  }
  if (seen) {
    return Status::Invalid("external_id", "\"" + std::string(external_id) +
                                              "\" is on an earlier row too: a bulk load makes "
                                              "each record once");
  }
  // The workspace had no deals: a key a deal left behind names a deleted one.
  if (object == "deals") return std::optional<Id>();
  return inner_.FindExternalKey(object, external_id);
}

Status BulkLoadTx::PutExternalKey(std::string_view object, std::string_view external_id,
                                  Id record_id) {
  if (!row_) return Status::Internal("bulk load writes happen inside a row");
  row_->keys.push_back({std::string(object), std::string(external_id), record_id});
  return Status::Ok();
}

Result<std::vector<Deal>> BulkLoadTx::CardsOfStage(Id stage_id, int64_t offset, int64_t limit) {
  if (offset != 0) return Status::Internal("a bulk load only puts new cards on top");
  std::optional<Deal> top;
  if (auto it = top_position_.find(stage_id); it != top_position_.end()) {
    top.emplace();
    top->position = it->second;
  }
  if (row_) {
    for (const Deal& d : row_->deals) {
      if (d.stage_id == stage_id && d.status == DealStatus::kOpen &&
          (!top || d.position < top->position)) {
        top = d;
      }
    }
  }
  std::vector<Deal> cards;
  if (top && limit > 0) cards.push_back(*top);
  return cards;
}

Result<std::optional<double>> BulkLoadTx::FirstPosition(Id stage_id) {
  PD_ASSIGN_OR_RETURN(std::vector<Deal> top, CardsOfStage(stage_id, 0, 1));
  if (top.empty()) return std::optional<double>();
  return std::optional<double>(top.front().position);
}

Status BulkLoadTx::RenumberStage(Id stage_id) {
  return Status::Internal("a bulk load does not renumber stage " + IdText(stage_id));
}

Result<User> BulkLoadTx::GetUser(Id id) {
  return Cached(users_, id, [&](Id i) { return inner_.GetUser(i); });
}

Result<Pipeline> BulkLoadTx::GetPipeline(Id id) {
  return Cached(pipelines_, id, [&](Id i) { return inner_.GetPipeline(i); });
}

Result<Stage> BulkLoadTx::GetStage(Id id) {
  return Cached(stages_, id, [&](Id i) { return inner_.GetStage(i); });
}

Result<std::vector<Stage>> BulkLoadTx::StagesOfPipeline(Id pipeline_id) {
  return Cached(stages_of_pipeline_, pipeline_id, [&](Id i) { return inner_.StagesOfPipeline(i); });
}

Result<std::optional<std::string>> BulkLoadTx::GetSetting(const std::string& key) {
  if (auto it = settings_.find(key); it != settings_.end()) return it->second;
  PD_ASSIGN_OR_RETURN(std::optional<std::string> value, inner_.GetSetting(key));
  settings_.emplace(key, value);
  return value;
}

}  // namespace pipedeck
