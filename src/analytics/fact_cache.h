// FactCache: every deal's analytic columns and stage history, kept in memory as columns.
//
// Why: the dashboard reads the whole history of a pipeline (a million deals, five million stage
// events). Reading that from the database per request takes seconds; scanning it in memory takes
// milliseconds. The copy follows the database through the store's deal change log (store.h,
// DealChanges): Refresh() reads the log position and the deals changed since, so a copy is as
// current as the database at the moment Refresh() ran, whichever app server made the change.
//
// Layout: one row per deal ever loaded, in ascending id order (ids only grow, so new deals are
// appended and lookups are binary searches); a deleted deal keeps its row, marked gone. A deal's
// stage events are a contiguous run of `events`, rewritten at the end when the deal changes; the
// runs left behind are reclaimed when they outweigh the live ones.
//
// Thread-safety: Refresh() may run on any thread; readers take a Snapshot, which holds a shared
// lock for its lifetime so a refresh waits for it (and the other way round).
#pragma once

#include <cstdint>
#include <limits>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "store/store.h"

namespace pipedeck {

// Where a stage sits: its pipeline and its position there. The copy derives what depends on the
// stage order (EventFact::kAdvanced, DealColumns::furthest_stage) with the order it read last.
struct StagePlace {
  Id stage = 0, pipeline = 0;
  int32_t order = 0;
  bool operator==(const StagePlace&) const = default;
};

// One stage event as analytics needs it. `stage` is the stage the deal is in after the event
// (0: none recorded); `status` the deal's status after it. `flags` hold what the reports need
// from the rest of the deal's history, derived when the deal's events are loaded, and again for
// every deal when the stage order changes (kAdvanced depends on it).
struct EventFact {
  // The event begins a stay: the deal enters a stage (open, a stage recorded, and not the stage
  // it already was in). The stay lasts until the next stay-begin or close event.
  static constexpr uint8_t kStayBegins = 1;
  // ... and the deal was never in that stage before.
  static constexpr uint8_t kFirstStayInStage = 2;
  // ... and the deal was won at or after the stay began (some close event at or after it).
  static constexpr uint8_t kWonSince = 4;
  // ... and the first close at or after the stay began was a loss.
  static constexpr uint8_t kFirstCloseSinceLost = 8;
  // ... and the deal went on from the stage: it was won since, or entered a later stage of the
  // same pipeline afterwards (skipped stages count as passed). Unset for a stage not in the
  // stage order.
  static constexpr uint8_t kAdvanced = 16;

  int64_t at = 0;  // milliseconds since the epoch
  Id stage = 0;
  StageEventKind kind = StageEventKind::kCreated;
  DealStatus status = DealStatus::kOpen;
  uint8_t flags = 0;
};

inline constexpr int64_t kNoInstant = std::numeric_limits<int64_t>::min();
// open_until of a deal still open.
inline constexpr int64_t kStillOpen = std::numeric_limits<int64_t>::max();
inline constexpr int32_t kNoDay = std::numeric_limits<int32_t>::min();

// The columns, one entry per deal row. Money values keep their own currency (an index into
// `currencies`).
struct DealColumns {
  std::vector<Id> id, pipeline, stage, owner;
  std::vector<DealStatus> status;
  std::vector<uint8_t> gone;  // 1: deleted from the database
  std::vector<int64_t> value;
  std::vector<uint16_t> currency;
  std::vector<int64_t> created, closed;      // millis; closed = kNoInstant while open
  std::vector<int8_t> probability_override;  // -1: none
  std::vector<int32_t> expected_close;       // days; kNoDay: none
  std::vector<int32_t> lost_reason;          // index into lost_reasons; -1: none
  std::vector<uint32_t> event_begin, event_count;
  // When the deal was open, for the reports that count open deals at past instants: the deal was
  // open just before instant t exactly when open_from < t <= open_until (kStillOpen: no end).
  // Holds for a history that opens once and then closes at most once for good, and for a deal
  // without history (from its creation to its close). open_from = kNoInstant: any other history
  // (reopened, or not starting open): read the events.
  std::vector<int64_t> open_from, open_until;
  // The furthest stage of the deal's own pipeline it was ever in (by the stage order), 0: none;
  // and whether it was ever won.
  std::vector<Id> furthest_stage;
  std::vector<uint8_t> ever_won;
  // 1: the deal's stays are in FactData::stays as its history stands now; 0: read them from its
  // events (a deal changed since the stays were last indexed).
  std::vector<uint8_t> stays_indexed;

  size_t size() const { return id.size(); }
};

// The stays in one stage, ordered three ways so that the stays of a period are one contiguous
// range: reports read ranges instead of walking every deal's history.
struct StageStays {
  // Every stay that ended (the deal entered another stage or closed), by when it ended: time in
  // stage.
  struct Ended {
    std::vector<int64_t> leave;   // ascending (then by row), milliseconds since the epoch
    std::vector<int64_t> millis;  // how long the stay lasted
    std::vector<uint32_t> row;    // the deal's row
    bool operator==(const Ended&) const = default;
  } ended;
  // Every stay, by when it began: conversion. A stay counts as an entry of a period when the
  // deal's previous entry into the stage was before the period.
  struct Entered {
    std::vector<int64_t> enter;           // ascending (then by row)
    std::vector<int64_t> previous_entry;  // kNoInstant: the deal's first stay in the stage
    std::vector<uint32_t> row;
    std::vector<uint8_t> flags;  // the stay's EventFact flags
    bool operator==(const Entered&) const = default;
  } entered;
  // The deals closed now that were ever in the stage, by when they closed: historical
  // probability.
  struct Closed {
    std::vector<int64_t> closed;  // ascending (then by row)
    std::vector<uint32_t> row;
    std::vector<uint8_t> won;
    bool operator==(const Closed&) const = default;
  } closed;

  bool operator==(const StageStays&) const = default;
};

// The positions [first, second) of the instants of an ascending column in [from, to).
std::pair<size_t, size_t> RangeOf(const std::vector<int64_t>& ascending, int64_t from, int64_t to);

struct FactData {
  DealColumns deals;
  std::vector<EventFact> events;
  std::vector<std::string> currencies;
  std::vector<std::string> lost_reasons;
  // Every stage, by stage id, as of the last refresh.
  std::vector<StagePlace> stage_order;
  // By stage id (stages deleted since included), the stays of the rows whose `stays_indexed` is
  // set. Rebuilt on a full load, when the stage order changes, and when the rows changed since
  // the last build grow too many (FactCache::kReindexShare); until then a changed deal's stays
  // are read from its events.
  std::unordered_map<Id, StageStays> stays;
};

// Entries the deal change log keeps; a server further behind than this reloads everything.
inline constexpr int64_t kChangeLogKeep = 1'000'000;

class FactCache {
 public:
  // The stays are indexed again when more rows than this, and than 1/kReindexShare of all rows,
  // changed since they last were: a changed deal's history is walked by every report until then.
  static constexpr size_t kDefaultReindexMinRows = 20'000;
  static constexpr size_t kReindexShare = 32;
  explicit FactCache(size_t reindex_min_rows = kDefaultReindexMinRows)
      : reindex_min_rows_(reindex_min_rows) {}

  // Brings the copy up to date with the database (see the header comment). Errors: the store's.
  Status Refresh(Store& store);

  // Read access to the columns, valid while the snapshot lives.
  class Snapshot {
   public:
    const FactData& data() const { return *data_; }
    // The row of deal `id`, or -1.
    int64_t RowOf(Id id) const;

   private:
    friend class FactCache;
    Snapshot(const FactData& data, std::shared_mutex& mu) : data_(&data), lock_(mu) {}
    const FactData* data_;
    std::shared_lock<std::shared_mutex> lock_;
  };
  Snapshot Read() const { return Snapshot(data_, data_mu_); }

  // Counts of the last Refresh, for tests and logs.
  struct RefreshStats {
    bool full_reload = false;
    size_t changed_deals = 0;
    bool stays_reindexed = false;  // the ended stays were indexed again
  };
  RefreshStats last_refresh() const;

 private:
  Status FullLoad(StoreTx& tx, const std::vector<StagePlace>& stage_order);
  // false: the changes cannot be applied in place (reload instead); nothing was changed.
  Result<bool> ApplyChanges(StoreTx& tx, const std::vector<Id>& deal_ids);
  void CompactEventsIfWasteful();
  static uint16_t CurrencyIndex(FactData& data, std::string_view code);
  static int32_t LostReasonIndex(FactData& data, std::string_view reason);
  static void AppendRow(FactData& data, Id id);
  static void SetRow(FactData& data, size_t row, const DealFactRow& facts);
  // Derives what the reports read from `row`'s events: the event flags, open_from/open_until,
  // furthest_stage and ever_won.
  static void DeriveHistory(FactData& data, size_t row);
  // The stays of every row there is, indexed (FactData::stays).
  static std::unordered_map<Id, StageStays> IndexStays(const FactData& data);
  // The stage order changed: derives every row's history again and indexes the stays anew, on a
  // copy, so that reports wait only for the swap.
  void ApplyStageOrder(std::vector<StagePlace> order);
  // The row's history changed: its stays in the index no longer count.
  void MarkStaysStale(size_t row);
  // Indexes the stays again when too many rows changed since the last time (kReindexShare).
  void ReindexStaysIfStale();

  std::mutex refresh_mu_;  // one refresh at a time
  mutable std::shared_mutex data_mu_;
  FactData data_;
  bool loaded_ = false;
  int64_t log_position_ = 0;
  int64_t pruned_at_ = 0;  // log position of the last pruning
  size_t live_events_ = 0;
  size_t reindex_min_rows_;
  size_t unindexed_rows_ = 0;  // rows whose stays_indexed is clear
  RefreshStats stats_;
};

}  // namespace pipedeck
