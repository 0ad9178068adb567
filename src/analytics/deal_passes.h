// The passes over the deal facts that the dashboard and the forecast are made of. Internal to
// analytics/.
//
// Each pass is an accumulator over rows of a FactView: Add() the deals of a chunk, Merge() what
// other workers gathered, Finish() into figures. ForChunks runs them on kWorkers threads over
// interleaved chunks, so the sums come out the same on every run.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <span>
#include <utility>
#include <vector>

#include "analytics/fact_cache.h"
#include "analytics/report_context.h"
#include "analytics/reports.h"
#include "core/metrics.h"

namespace pipedeck {

// The threads a report's passes over the deals run on (the calling one included).
inline constexpr size_t kWorkers = 2;

// A period as instants: [from, to) in milliseconds.
struct Span {
  int64_t from = 0, to = 0;
  bool Contains(int64_t t) const { return from <= t && t < to; }
};
Span SpanOf(const Period& p);

// Which of a few periods that do not overlap holds an instant: the dashboard's period and the one
// before it. One lookup per instant instead of a test per period.
class SpanIndex {
 public:
  explicit SpanIndex(std::vector<Span> spans);
  // The index of the span holding t, or size().
  size_t Find(int64_t t) const {
    if (t < first_ || t >= last_) return spans_.size();
    size_t i = 0;
    while (i < spans_.size() && !spans_[i].Contains(t)) ++i;
    return i;
  }
  const Span& operator[](size_t i) const { return spans_[i]; }
  size_t size() const { return spans_.size(); }
  int64_t first() const { return first_; }  // the spans' union lies in [first, last)
  int64_t last() const { return last_; }

 private:
  std::vector<Span> spans_;
  int64_t first_, last_;
};

// Everything one computation over the facts reads: the columns, which rows are in scope, the
// stages and the report currency.
struct FactView {
  const FactData& data;
  const Catalog& catalog;
  std::vector<uint32_t> rows;  // rows in scope (existing deals of the scope)
  int32_t currency = -1;       // index of the report currency in data.currencies; -1: none
  int64_t other_currency_deals = 0;

  bool InCurrency(size_t r) const { return data.deals.currency[r] == currency; }
};
FactView MakeView(const FactData& data, const Catalog& catalog, const ScopeFilter& filter);

// The deal's probability: its override, else its stage's.
int32_t EffectivePercent(const FactView& v, size_t r);

inline Figure Mean(double sum, int64_t count) { return Ratio(sum, static_cast<double>(count)); }

// Runs fn(worker, begin, end) over [0, n) in chunks, on kWorkers threads (this one and more),
// worker w taking chunks w, w + kWorkers, ...: deals differ in the length of their history
// (recent ones have less of it), and interleaved chunks give each thread the same mix where
// halves would leave one waiting. Fixed, so that sums come out the same every time.
template <typename Fn>
void ForChunks(size_t n, const Fn& fn) {
  constexpr size_t kChunk = 1 << 14;
  auto work = [&](size_t worker) {
    for (size_t begin = worker * kChunk; begin < n; begin += kWorkers * kChunk) {
      fn(worker, begin, std::min(n, begin + kChunk));
    }
  };
  std::array<std::future<void>, kWorkers - 1> others;
  for (size_t w = 1; w < kWorkers; ++w) others[w - 1] = std::async(std::launch::async, work, w);
  work(0);
  for (std::future<void>& other : others) other.get();
}

// ---- Headline figures of a period and the one before -------------------------------------------

// Per-owner sums of one period, by user slot (Catalog::user_slots); the last slot collects owners
// that are not users.
struct OwnerFigures {
  int64_t new_deals = 0, won_deals = 0, lost_deals = 0, won_value_minor = 0;
  int64_t open_deals = 0, open_value_minor = 0;
  double cycle_sum = 0;

  OwnerFigures& operator+=(const OwnerFigures& o) {
    new_deals += o.new_deals;
    won_deals += o.won_deals;
    lost_deals += o.lost_deals;
    won_value_minor += o.won_value_minor;
    open_deals += o.open_deals;
    open_value_minor += o.open_value_minor;
    cycle_sum += o.cycle_sum;
    return *this;
  }
};

struct PeriodFigures {
  HeadlineFigures headline;
  VelocityFactors velocity;
  std::vector<OwnerFigures> owners;
};

class PeriodPass {
 public:
  // `previous` must not overlap `period` (PreviousPeriod's never does).
  PeriodPass(const FactView& v, const Period& period, const Period& previous, int64_t now);
  void Add(uint32_t row);
  void Merge(PeriodPass&& other);
  // [0]: the period, [1]: the previous one.
  std::array<PeriodFigures, 2> Finish() &&;

 private:
  struct Sums {
    HeadlineFigures headline;  // counts and sums
    std::vector<OwnerFigures> owners;
    int64_t won_in_currency = 0;
    double lifetime_sum = 0;
    std::vector<double> won_cycle_days;
  };
  const FactView* v_;
  SpanIndex spans_;                 // [0]: the period, [1]: the previous one
  std::array<int64_t, 2> open_at_;  // open deals are counted just before these instants
  std::array<Sums, 2> sums_;
};

// Both periods over every deal in view.
std::array<PeriodFigures, 2> ComputePeriods(const FactView& v, const Period& period,
                                            const Period& previous, int64_t now);

// ---- The 12-month trend -----------------------------------------------------------------------

// A dozen ascending instants (month bounds), counted through a table by day: a trend counts three
// of them for every deal, and a table lookup beats a search.
class SortedInstants {
 public:
  SortedInstants() = default;
  explicit SortedInstants(std::vector<int64_t> instants);
  // How many of the instants are at or before `t` (std::upper_bound's index).
  size_t CountAtOrBefore(int64_t t) const;
  size_t size() const { return instants_.size(); }
  int64_t operator[](size_t i) const { return instants_[i]; }
  int64_t back() const { return instants_.back(); }

 private:
  static constexpr int64_t kMaxTableDays = 4000;
  std::vector<int64_t> instants_;
  int64_t first_day_ = 0;  // the day of the first instant (days since the epoch)
  // For each day from first_day_ to the last instant's day: the index of the first instant at or
  // after that day's start. Empty when the instants span too many days (then: a linear count).
  std::vector<uint16_t> first_at_or_after_day_;
};

class TrendPass {
 public:
  static constexpr int kMonths = 12;
  // The months that end with `last_month`.
  TrendPass(const FactView& v, Date last_month, int64_t now);
  void Add(uint32_t row);
  void Merge(TrendPass&& other);
  std::vector<TrendPoint> Finish() &&;

 private:
  void CountOpen(int64_t opened, int64_t closed);

  const FactView* v_;
  int64_t now_;
  std::vector<Date> starts_;  // kMonths + 1 month starts
  SortedInstants bounds_;     // the same as instants
  std::vector<TrendPoint> points_;
  std::vector<int64_t> won_in_currency_;
  std::vector<double> cycle_sum_;
  // The instants open deals are counted at: each month's end, or now for a month not over, and a
  // difference array over them.
  SortedInstants ends_;
  std::vector<int64_t> open_diff_;
};

// ---- Open deals now ----------------------------------------------------------------------------

struct OpenStage {
  int64_t count = 0, value = 0;
  WeightedSum weighted;
};

class OpenNowPass {
 public:
  explicit OpenNowPass(const FactView& v);
  void Add(uint32_t row);
  void Merge(OpenNowPass&& other);

  std::vector<OpenStage> stages;  // by stage slot
  int64_t total = 0;
  // By owner slot as in OwnerFigures: open deals and their value.
  std::vector<std::pair<int64_t, int64_t>> owners;

 private:
  const FactView* v_;
};

// ---- Deals lost in a period by reason and stage ------------------------------------------------

class LostPass {
 public:
  LostPass(const FactView& v, Span span);
  void Add(uint32_t row);
  void Merge(LostPass&& other);
  // Most lost first, then by reason and stage.
  std::vector<LostBreakdown> Finish() &&;

 private:
  const FactView* v_;
  Span span_;
  // By (reason index + 1, stage slot); stages no longer there by (reason index, stage id).
  std::vector<LostBreakdown> table_;
  std::map<std::pair<int32_t, Id>, LostBreakdown> elsewhere_;
};

// ---- Stage figures: conversion, time in stage, funnel, historical probability -----------------

// Per stage (by catalog slot) of one period: conversion and the funnel, and the historical win
// share of the deals closed in it.
struct StageFigures {
  struct PerStage {
    int64_t entered = 0, advanced = 0, lost = 0;
    int64_t furthest = 0;  // funnel: deals created in the period whose furthest stage this was
    int64_t closed = 0, won = 0;  // closed in the period after being in this stage

    PerStage& operator+=(const PerStage& o) {
      entered += o.entered;
      advanced += o.advanced;
      lost += o.lost;
      furthest += o.furthest;
      closed += o.closed;
      won += o.won;
      return *this;
    }
  };
  std::vector<PerStage> stages;
  std::vector<int64_t> created_won;  // funnel: per pipeline slot, deals created in the period, won
  int64_t created = 0, won = 0;

  // Deals of the period's funnel that reached stage `slot`: those whose furthest stage of the
  // pipeline is at or beyond it, and the won ones (skipped stages count as passed).
  int64_t Reached(const Catalog& catalog, size_t slot) const;
};

// Durations of stays in milliseconds, by stage slot: the stays of one period that one worker read.
// Kept in milliseconds (exact, and no division per stay); summaries are turned into days at the
// end (InDays).
using StayMillis = std::vector<std::vector<double>>;

// A summary of durations in milliseconds, in days.
Distribution InDays(Distribution millis);
Figure InDays(Figure millis);

// Where a report finds the indexed stays (FactData::stays) of its view: by stage slot, and which
// rows count (in view, and their stays indexed). The other rows in view are walked (StagePass).
struct IndexedStays {
  std::vector<const StageStays*> by_slot;  // null: no stay indexed for the stage
  std::vector<uint64_t> counted_rows;      // a bit per row

  bool Counts(uint32_t row) const { return (counted_rows[row >> 6] >> (row & 63)) & 1; }
};
IndexedStays IndexedStaysOf(const FactView& v);

// Stay durations, for time in stage, in parts by [period][stage slot]: the stays the workers read
// from the events of deals whose stays are not indexed (StagePass), and the stays read from the
// index. Reused between reports (see StayBufferPool).
struct StayBuffers {
  std::array<std::vector<StayMillis>, kWorkers> walked;  // [worker][period][stage slot]
  std::vector<StayMillis> indexed;                       // [period][stage slot]

  // Empties every buffer for `periods` × `stages`, keeping what was allocated.
  void Reset(size_t periods, size_t stages);
  // The durations of one period and stage, in parts.
  std::array<std::span<const double>, kWorkers + 1> Parts(size_t period, size_t slot) const;
};

// Time in stage in days, by stage slot: the first period's distribution and the second's median.
struct StaySummaries {
  std::vector<Distribution> current;
  std::vector<Figure> previous_median;
};

// What the stage index adds to the walk's figures for two periods (`spans`, not overlapping):
// by period and stage slot, the entries, advances and losses (conversion) and the closed and won
// deals (historical probability) of the rows whose stays are indexed; and time in stage of every
// row, the walked durations in `buffers.walked` included.
struct IndexedStageFigures {
  std::array<std::vector<StageFigures::PerStage>, 2> counts;
  StaySummaries time_in_stage;
};
// Reads the stage slots `wanted` on kWorkers threads, one task per period and stage, the largest
// first: stages differ in size by orders of magnitude, and a fixed split would leave one thread
// with most of the work. Each task reads its stays from the index into `buffers.indexed`.
IndexedStageFigures ReadStageIndex(StayBuffers& buffers, const IndexedStays& indexed,
                                   const std::array<Span, 2>& spans,
                                   const std::vector<bool>& wanted);

// Stay buffers not in use: as many as reports ran at once, each as large as the largest report
// it served needed. A dashboard over a million deals writes millions of durations, and writing
// them into memory already sized and mapped costs a fraction of growing fresh vectors each time.
class StayBufferPool {
 public:
  std::unique_ptr<StayBuffers> Take();
  void Return(std::unique_ptr<StayBuffers> buffers);

 private:
  std::mutex mu_;
  std::vector<std::unique_ptr<StayBuffers>> free_;
};

class StagePass {
 public:
  // `indexed`: the view's indexed stays; the events of the rows it counts are not walked (their
  // figures come from ReadStageIndex), null: every row is walked. `worker_stays`: where this
  // worker's stay durations go (Reset for the periods); null: time in stage is not needed.
  // `periods` must not overlap.
  StagePass(const FactView& v, const std::vector<Period>& periods, const IndexedStays* indexed,
            std::vector<StayMillis>* worker_stays);
  // Adds the deals rows[begin, end) (indexes into FactView::rows).
  void AddRows(size_t begin, size_t end);
  void Merge(StagePass&& other);
  // One per period.
  std::vector<StageFigures> Finish() &&;

 private:
  // Conversion, time in stage and historical probability from the deal's events.
  void WalkEvents(uint32_t row);

  const FactView* v_;
  SpanIndex spans_;
  const IndexedStays* indexed_;
  std::vector<StageFigures> out_;
  std::vector<StayMillis>* stay_millis_;
};

// Every pass the dashboard makes, for one worker: the per-row passes over each row of a chunk,
// then the stage pass over the chunk (its columns are still in the cache).
struct DashboardPasses {
  PeriodPass periods;
  TrendPass trend;
  OpenNowPass open;
  LostPass lost;
  StagePass stages;

  // `period` and the one before; `indexed` and `worker_stays` as StagePass takes them.
  DashboardPasses(const FactView& v, const Period& period, const Period& previous, int64_t now,
                  const IndexedStays* indexed, std::vector<StayMillis>* worker_stays);
  // Adds the deals rows[begin, end) (indexes into FactView::rows).
  void AddRows(size_t begin, size_t end);
  void Merge(DashboardPasses&& other);

 private:
  const FactView* v_;
};

// The stage figures of every deal in view for each of `periods`, without time in stage.
std::vector<StageFigures> ComputeStages(const FactView& v, const std::vector<Period>& periods);

}  // namespace pipedeck
