// What every report needs besides the deal facts: the pipelines, stages, users and teams of the
// workspace, the report currency, the scope turned into a per-deal test, and a deal's stage
// history read as stays. Internal to analytics/.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "analytics/fact_cache.h"
#include "analytics/reports.h"
#include "core/model.h"
#include "core/status.h"
#include "store/store.h"

namespace pipedeck {

struct StageInfo {
  Id id = 0, pipeline_id = 0;
  int32_t order = 0, probability = 0;
  std::optional<int32_t> rotting_days;
  std::string name;
};

// Maps record ids to slots 0..n-1. Stage and user ids are small AUTOINCREMENT numbers, so a
// vector indexed by id answers in one load; ids beyond kMaxDenseId go through a hash map.
class DenseIndex {
 public:
  static constexpr Id kMaxDenseId = 1 << 20;
  void Add(Id id, int32_t slot) {
    if (id >= 0 && id < kMaxDenseId) {
      if (static_cast<size_t>(id) >= dense_.size()) dense_.resize(id + 1, -1);
      dense_[id] = slot;
    } else {
      sparse_[id] = slot;
    }
  }
  // The slot of `id`, or -1.
  int32_t Find(Id id) const {
    if (id >= 0 && static_cast<size_t>(id) < dense_.size()) return dense_[id];
    auto it = sparse_.find(id);
    return it == sparse_.end() ? -1 : it->second;
  }

 private:
  std::vector<int32_t> dense_;
  std::unordered_map<Id, int32_t> sparse_;
};

// The workspace's structure as a report sees it, read in one transaction.
struct Catalog {
  std::vector<Pipeline> pipelines;  // display order
  DenseIndex pipeline_slots;        // pipeline id → index in `pipelines`
  std::vector<StageInfo> stages;    // pipeline order, then stage order
  DenseIndex stage_slots;           // stage id → index in `stages`
  std::map<Id, User> users;
  std::vector<Id> user_ids;  // ascending
  DenseIndex user_slots;     // user id → index in `user_ids`
  std::map<Id, Team> teams;
  std::string currency;  // the report currency: the workspace default

  const StageInfo* StageOf(Id id) const {
    int32_t slot = stage_slots.Find(id);
    return slot < 0 ? nullptr : &stages[slot];
  }
  ReportNames Names() const;
};
Result<Catalog> LoadCatalog(StoreTx& tx);

// The scope's deal selection. Errors: kNotFound naming pipeline_id / owner_id / team_id.
class ScopeFilter {
 public:
  static Result<ScopeFilter> Make(const Catalog& catalog, const AnalyticsScope& scope);
  bool Matches(Id pipeline_id, Id owner_id) const {
    if (pipeline_ && pipeline_id != *pipeline_) return false;
    if (owner_ && owner_id != *owner_) return false;
    if (team_ && !team_members_.contains(owner_id)) return false;
    return true;
  }
  // Whether a stage's pipeline is in scope (all pipelines without a pipeline filter).
  bool CoversPipeline(Id pipeline_id) const { return !pipeline_ || *pipeline_ == pipeline_id; }
  // Whether deals of this owner can be in scope (the pipeline aside).
  bool CoversOwner(Id owner_id) const {
    return (!owner_ || owner_id == *owner_) && (!team_ || team_members_.contains(owner_id));
  }

 private:
  std::optional<Id> pipeline_, owner_, team_;
  std::map<Id, bool> team_members_;  // the team's users (keys)
};

// A stay of a deal in one stage: entered at `enter`, left at `leave` (kNoInstant: still there)
// for another stage, or by being won or lost (`exit`).
struct Stay {
  Id stage = 0;
  int64_t enter = 0, leave = kNoInstant;
  std::optional<DealStatus> exit;  // won/lost when the stay ended by closing the deal
};

// A deal's history read as stays and closings, oldest first.
struct DealHistoryView {
  std::vector<Stay> stays;
  std::vector<std::pair<int64_t, DealStatus>> closings;  // (at, won|lost)
};
void ReadHistory(const FactData& data, size_t row, DealHistoryView& out);

// Whether the deal was open just before instant `at` according to its history (a deal without
// history: created before and not closed before). Reads the events only for a history that
// opened more than once (DealColumns::open_from).
bool OpenBeforeByEvents(const FactData& data, size_t row, int64_t at);
inline bool OpenBefore(const FactData& data, size_t row, int64_t at) {
  const DealColumns& d = data.deals;
  if (d.open_from[row] != kNoInstant) return d.open_from[row] < at && at <= d.open_until[row];
  return OpenBeforeByEvents(data, row, at);
}

// Days between two instants in milliseconds, as a fraction.
inline double DaysBetweenMillis(int64_t from, int64_t to) {
  return static_cast<double>(to - from) / static_cast<double>(kMillisPerDay);
}

// Σ value × percent, kept exactly and divided by 100 (rounded half away from zero) at the end.
class WeightedSum {
 public:
  void Add(int64_t value_minor, int32_t percent) {
    sum_ += static_cast<__int128>(value_minor) * percent;
  }
  void Add(const WeightedSum& other) { sum_ += other.sum_; }
  int64_t Minor() const {
    __int128 v = sum_ >= 0 ? (sum_ + 50) / 100 : (sum_ - 50) / 100;
    return static_cast<int64_t>(v);
  }

 private:
  __int128 sum_ = 0;
};

}  // namespace pipedeck
