#include "analytics/analytics.h"

#include <algorithm>
#include <cmath>
#include <future>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "analytics/fact_cache.h"
#include "analytics/report_context.h"

namespace pipedeck {
namespace {

// A period as instants: [from, to) in milliseconds.
struct Span {
  int64_t from = 0, to = 0;
  bool Contains(int64_t t) const { return from <= t && t < to; }
};
Span SpanOf(const Period& p) { return {StartOf(p.from).millis, StartOf(p.to).millis}; }

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

FactView MakeView(const FactData& data, const Catalog& catalog, const ScopeFilter& filter) {
  FactView v{data, catalog, {}, -1, 0};
  for (size_t i = 0; i < data.currencies.size(); ++i) {
    if (data.currencies[i] == catalog.currency) v.currency = static_cast<int32_t>(i);
  }
  const DealColumns& d = data.deals;
  v.rows.reserve(d.size());
  for (size_t r = 0; r < d.size(); ++r) {
    if (d.gone[r] || !filter.Matches(d.pipeline[r], d.owner[r])) continue;
    v.rows.push_back(static_cast<uint32_t>(r));
    if (d.currency[r] != v.currency) ++v.other_currency_deals;
  }
  return v;
}

int32_t EffectivePercent(const FactView& v, size_t r) {
  int8_t override_percent = v.data.deals.probability_override[r];
  if (override_percent >= 0) return override_percent;
  const StageInfo* stage = v.catalog.StageOf(v.data.deals.stage[r]);
  return stage ? stage->probability : 0;
}

Figure Mean(double sum, int64_t count) { return Ratio(sum, static_cast<double>(count)); }

// ---- Headline figures
// -----------------------------------------------------------------------------

// Per-owner sums of one period, by user slot (Catalog::user_slots); the last slot collects owners
// that are not users.
struct OwnerFigures {
  int64_t new_deals = 0, won_deals = 0, lost_deals = 0, won_value_minor = 0;
  int64_t open_deals = 0, open_value_minor = 0;
  double cycle_sum = 0;
};

struct PeriodFigures {
  HeadlineFigures headline;
  VelocityFactors velocity;
  std::vector<OwnerFigures> owners;
};

PeriodFigures ComputePeriod(const FactView& v, const Period& period, int64_t now) {
  const DealColumns& d = v.data.deals;
  Span span = SpanOf(period);
  // Open at the end of the period, or now (including what happened at this very instant).
  const int64_t open_at = std::min(span.to, now + 1);
  const int32_t unknown_owner = static_cast<int32_t>(v.catalog.user_ids.size());
  PeriodFigures out;
  out.owners.resize(v.catalog.user_ids.size() + 1);
  HeadlineFigures& h = out.headline;
  int64_t won_in_currency = 0;
  double lifetime_sum = 0;
  std::vector<double> won_cycle_days;
  for (uint32_t r : v.rows) {
    int32_t slot = v.catalog.user_slots.Find(d.owner[r]);
    OwnerFigures& owner = out.owners[slot < 0 ? unknown_owner : slot];
    const bool money = v.InCurrency(r);
    if (span.Contains(d.created[r])) {
      ++h.new_deals;
      ++owner.new_deals;
      if (money) h.new_value_minor += d.value[r];
    }
    const int64_t closed = d.closed[r];
    if (closed != kNoInstant && d.status[r] != DealStatus::kOpen && span.Contains(closed)) {
      double days = DaysBetweenMillis(d.created[r], closed);
      lifetime_sum += days;
      if (d.status[r] == DealStatus::kWon) {
        ++h.won_deals;
        ++owner.won_deals;
        owner.cycle_sum += days;
        won_cycle_days.push_back(days);
        if (money) {
          h.won_value_minor += d.value[r];
          owner.won_value_minor += d.value[r];
          ++won_in_currency;
        }
      } else {
        ++h.lost_deals;
        ++owner.lost_deals;
      }
    }
    if (OpenBefore(v.data, r, open_at)) ++h.open_deals;
  }
  h.win_rate = Ratio(h.won_deals, h.won_deals + h.lost_deals);
  h.average_deal_minor = Mean(h.won_value_minor, won_in_currency);
  Distribution cycle = Summarize(std::move(won_cycle_days));
  h.cycle_mean_days = cycle.mean;
  h.cycle_median_days = cycle.median;
  h.lifetime_mean_days = Mean(lifetime_sum, h.won_deals + h.lost_deals);
  out.velocity = {static_cast<double>(h.open_deals), h.win_rate, h.average_deal_minor,
                  h.cycle_mean_days};
  h.velocity_per_day = Velocity(out.velocity);
  return out;
}

// ---- Stage figures
// ----------------------------------------------------------------------------------

// Per stage (by catalog slot) of one period: conversion, time in stage and the funnel, and the
// historical win share of the deals closed in it.
struct StageFigures {
  struct PerStage {
    int64_t entered = 0, advanced = 0, lost = 0;
    std::vector<double> stay_days;
    int64_t furthest = 0;  // funnel: deals created in the period whose furthest stage this was
    int64_t closed = 0, won = 0;  // closed in the period after being in this stage
  };
  std::vector<PerStage> stages;
  std::map<Id, int64_t> created_won;  // funnel: per pipeline, deals created in the period and won
  int64_t created = 0, won = 0;

  // Deals of the period's funnel that reached stage `slot`: those whose furthest stage of the
  // pipeline is at or beyond it, and the won ones (skipped stages count as passed).
  int64_t Reached(const Catalog& catalog, size_t slot) const {
    const StageInfo& s = catalog.stages[slot];
    int64_t reached = created_won.contains(s.pipeline_id) ? created_won.at(s.pipeline_id) : 0;
    for (size_t t = 0; t < catalog.stages.size(); ++t) {
      const StageInfo& other = catalog.stages[t];
      if (other.pipeline_id == s.pipeline_id && other.order >= s.order) {
        reached += stages[t].furthest;
      }
    }
    return reached;
  }
};

// One pass over the deals rows[begin, end) for several periods at once: a deal's history is read
// once.
std::vector<StageFigures> ComputeStagesOf(const FactView& v, const std::vector<Period>& periods,
                                          size_t begin, size_t end) {
  const DealColumns& d = v.data.deals;
  const Catalog& catalog = v.catalog;
  std::vector<Span> spans;
  int64_t first = std::numeric_limits<int64_t>::max(), last = std::numeric_limits<int64_t>::min();
  for (const Period& p : periods) {
    spans.push_back(SpanOf(p));
    first = std::min(first, spans.back().from);
    last = std::max(last, spans.back().to);
  }
  std::vector<StageFigures> out(periods.size());
  for (StageFigures& f : out) f.stages.resize(catalog.stages.size());
  DealHistoryView h;
  std::vector<int32_t> slots;  // per stay: the stage's slot, -1 for a stage no longer there
  std::vector<int32_t> seen;   // stages already counted for the deal
  for (size_t k = begin; k < end; ++k) {
    const uint32_t r = v.rows[k];
    // Only a deal with an event inside the periods can count: every figure here is about an
    // entry, an exit, a creation or a close within a period.
    const uint32_t count = d.event_count[r];
    if (count == 0) continue;
    const int64_t first_event = v.data.events[d.event_begin[r]].at;
    const int64_t last_event = v.data.events[d.event_begin[r] + count - 1].at;
    if (first_event >= last || last_event < first) continue;
    ReadHistory(v.data, r, h);
    slots.clear();
    for (const Stay& stay : h.stays) slots.push_back(catalog.stage_slots.Find(stay.stage));
    bool ever_won = false;
    for (const auto& closing : h.closings) ever_won |= closing.second == DealStatus::kWon;
    for (size_t p = 0; p < spans.size(); ++p) {
      const Span& span = spans[p];
      if (first_event >= span.to || last_event < span.from) continue;
      StageFigures& f = out[p];
      // Conversion: the first entry of each stage within the period.
      seen.clear();
      for (size_t i = 0; i < h.stays.size(); ++i) {
        const int32_t slot = slots[i];
        if (slot < 0 || !span.Contains(h.stays[i].enter) ||
            std::find(seen.begin(), seen.end(), slot) != seen.end()) {
          continue;
        }
        seen.push_back(slot);
        const StageInfo& s = catalog.stages[slot];
        StageFigures::PerStage& c = f.stages[slot];
        ++c.entered;
        bool advanced = false;
        for (size_t j = i + 1; j < h.stays.size() && !advanced; ++j) {
          if (slots[j] < 0) continue;
          const StageInfo& later = catalog.stages[slots[j]];
          advanced = later.pipeline_id == s.pipeline_id && later.order > s.order;
        }
        std::optional<DealStatus> closed_after;
        for (const auto& [at, status] : h.closings) {
          if (at < h.stays[i].enter) continue;
          if (status == DealStatus::kWon) advanced = true;
          if (!closed_after) closed_after = status;
        }
        if (advanced) {
          ++c.advanced;
        } else if (closed_after == DealStatus::kLost) {
          ++c.lost;
        }
      }
      // Time in stage: stays that ended in the period.
      for (size_t i = 0; i < h.stays.size(); ++i) {
        const Stay& stay = h.stays[i];
        if (slots[i] >= 0 && stay.leave != kNoInstant && span.Contains(stay.leave)) {
          f.stages[slots[i]].stay_days.push_back(DaysBetweenMillis(stay.enter, stay.leave));
        }
      }
      // Funnel: deals created in the period, the furthest stage of their pipeline they reached.
      if (span.Contains(d.created[r])) {
        ++f.created;
        if (ever_won) {
          ++f.won;
          ++f.created_won[d.pipeline[r]];
        } else {
          int32_t furthest = -1;
          for (size_t i = 0; i < h.stays.size(); ++i) {
            if (slots[i] < 0 || catalog.stages[slots[i]].pipeline_id != d.pipeline[r]) continue;
            if (furthest < 0 || catalog.stages[slots[i]].order > catalog.stages[furthest].order) {
              furthest = slots[i];
            }
          }
          if (furthest >= 0) ++f.stages[furthest].furthest;
        }
      }
      // Historical probability: closed deals of the period, every stage they were ever in.
      if (d.status[r] != DealStatus::kOpen && d.closed[r] != kNoInstant &&
          span.Contains(d.closed[r])) {
        seen.clear();
        for (int32_t slot : slots) {
          if (slot < 0 || std::find(seen.begin(), seen.end(), slot) != seen.end()) continue;
          seen.push_back(slot);
          ++f.stages[slot].closed;
          if (d.status[r] == DealStatus::kWon) ++f.stages[slot].won;
        }
      }
    }
  }
  return out;
}

// ComputeStagesOf over all rows, in two halves on two threads.
std::vector<StageFigures> ComputeStages(const FactView& v, const std::vector<Period>& periods) {
  const size_t half = v.rows.size() / 2;
  auto second = std::async(std::launch::async,
                           [&] { return ComputeStagesOf(v, periods, half, v.rows.size()); });
  std::vector<StageFigures> out = ComputeStagesOf(v, periods, 0, half);
  std::vector<StageFigures> more = second.get();
  for (size_t p = 0; p < out.size(); ++p) {
    StageFigures& into = out[p];
    StageFigures& from = more[p];
    for (size_t slot = 0; slot < into.stages.size(); ++slot) {
      StageFigures::PerStage& a = into.stages[slot];
      StageFigures::PerStage& b = from.stages[slot];
      a.entered += b.entered;
      a.advanced += b.advanced;
      a.lost += b.lost;
      a.furthest += b.furthest;
      a.closed += b.closed;
      a.won += b.won;
      a.stay_days.insert(a.stay_days.end(), b.stay_days.begin(), b.stay_days.end());
    }
    for (const auto& [pipeline, won] : from.created_won) into.created_won[pipeline] += won;
    into.created += from.created;
    into.won += from.won;
  }
  return out;
}

// ---- Trend
// ----------------------------------------------------------------------------------------

std::vector<TrendPoint> ComputeTrend(const FactView& v, Date last_month, int64_t now) {
  constexpr int kMonths = 12;
  std::vector<Date> starts(kMonths + 1);
  starts[kMonths] = NextMonthStart(last_month);
  for (int i = kMonths - 1; i >= 0; --i) starts[i] = MonthStart(AddDays(starts[i + 1], -1));
  std::vector<int64_t> bounds(kMonths + 1);
  for (int i = 0; i <= kMonths; ++i) bounds[i] = StartOf(starts[i]).millis;

  std::vector<TrendPoint> points(kMonths);
  std::vector<int64_t> won_in_currency(kMonths, 0), open_at_end(kMonths, 0);
  std::vector<double> cycle_sum(kMonths, 0);
  // The instants open deals are counted at: each month's end, or now for a month not over.
  std::vector<int64_t> ends;
  for (int m = 0; m < kMonths && bounds[m] <= now; ++m)
    ends.push_back(std::min(bounds[m + 1], now + 1));
  if (ends.empty()) ends.push_back(bounds[0]);         // every month is ahead: nothing is counted
  std::vector<int64_t> open_diff(ends.size() + 1, 0);  // difference array over `ends`
  const DealColumns& d = v.data.deals;
  for (uint32_t r : v.rows) {
    const int64_t closed = d.closed[r];
    if (closed != kNoInstant && d.status[r] != DealStatus::kOpen && closed >= bounds[0] &&
        closed < bounds[kMonths]) {
      int m = static_cast<int>(std::upper_bound(bounds.begin(), bounds.end(), closed) -
                               bounds.begin()) -
              1;
      if (d.status[r] == DealStatus::kWon) {
        ++points[m].won_deals;
        cycle_sum[m] += DaysBetweenMillis(d.created[r], closed);
        if (v.InCurrency(r)) {
          points[m].won_value_minor += d.value[r];
          ++won_in_currency[m];
        }
      } else {
        ++points[m].lost_deals;
      }
    }
    // Open at each month's end (or now, for the current month): walk the deal's open intervals
    // once and count the month ends inside each (an interval (open, close] holds the instants
    // just before which the deal was open).
    if (d.created[r] >= ends.back() ||
        (d.status[r] != DealStatus::kOpen && closed != kNoInstant && closed < ends.front())) {
      continue;
    }
    auto count_open = [&](int64_t opened, int64_t closed_at) {
      auto lo = std::upper_bound(ends.begin(), ends.end(), opened) - ends.begin();
      auto hi = std::upper_bound(ends.begin(), ends.end(), closed_at) - ends.begin();
      if (lo < hi) {
        ++open_diff[lo];
        --open_diff[hi];
      }
    };
    const uint32_t count = d.event_count[r];
    if (count == 0) {  // no history: open from creation to its close, if any
      count_open(d.created[r], closed == kNoInstant || d.status[r] == DealStatus::kOpen
                                   ? std::numeric_limits<int64_t>::max()
                                   : closed);
      continue;
    }
    const EventFact* e = v.data.events.data() + d.event_begin[r];
    bool open = false;
    int64_t opened = 0;
    for (uint32_t i = 0; i < count; ++i) {
      if (e[i].status == DealStatus::kOpen) {
        if (!open) opened = e[i].at;
        open = true;
      } else if (open) {
        count_open(opened, e[i].at);
        open = false;
      }
    }
    if (open) count_open(opened, std::numeric_limits<int64_t>::max());
  }
  int64_t running = 0;
  for (size_t m = 0; m < ends.size(); ++m) {
    running += open_diff[m];
    open_at_end[m] = running;
  }
  for (int m = 0; m < kMonths; ++m) {
    TrendPoint& p = points[m];
    p.month = starts[m];
    p.win_rate = Ratio(p.won_deals, p.won_deals + p.lost_deals);
    if (bounds[m] <= now) {
      p.velocity_per_day =
          Velocity({static_cast<double>(open_at_end[m]), p.win_rate,
                    Mean(p.won_value_minor, won_in_currency[m]), Mean(cycle_sum[m], p.won_deals)});
    }
  }
  return points;
}

}  // namespace

// ---- Analytics ----------------------------------------------------------------------------------

Analytics::Analytics(Store& store, const Clock& clock)
    : store_(store), clock_(clock), facts_(std::make_unique<FactCache>()) {}
Analytics::~Analytics() = default;

Result<Dashboard> Analytics::GetDashboard(const AnalyticsScope& scope) {
  PD_RETURN_IF_ERROR(facts_->Refresh(store_));
  Catalog catalog;
  std::map<Id, int64_t> activities_done;
  Period period = scope.period.period;
  PD_RETURN_IF_ERROR(store_.Read([&](StoreTx& tx) -> Status {
    PD_ASSIGN_OR_RETURN(catalog, LoadCatalog(tx));
    PD_ASSIGN_OR_RETURN(activities_done, tx.CountDoneActivitiesByOwner(period.from, period.to));
    return Status::Ok();
  }));
  PD_ASSIGN_OR_RETURN(ScopeFilter filter, ScopeFilter::Make(catalog, scope));
  int64_t now = clock_.Now().millis;
  Dashboard out;
  out.names = catalog.Names();
  out.currency = catalog.currency;
  out.period = scope.period;
  out.previous_period = PreviousPeriod(scope.period);
  FactCache::Snapshot snapshot = facts_->Read();
  FactView v = MakeView(snapshot.data(), catalog, filter);
  out.other_currency_deals = v.other_currency_deals;
  const DealColumns& d = v.data.deals;

  // The passes below read the same columns independently: the period figures and the trend run
  // on their own threads beside the stage figures.
  const Period previous_period = out.previous_period.period;
  auto periods_task = std::async(std::launch::async, [&] {
    return std::pair(ComputePeriod(v, period, now), ComputePeriod(v, previous_period, now));
  });
  auto trend_task = std::async(
      std::launch::async, [&] { return ComputeTrend(v, MonthStart(AddDays(period.to, -1)), now); });
  std::vector<StageFigures> both = ComputeStages(v, {period, previous_period});
  auto [current, previous] = periods_task.get();
  out.trend = trend_task.get();
  out.current = current.headline;
  out.previous = previous.headline;

  // Open deals now, per stage and per owner.
  struct OpenStage {
    int64_t count = 0, value = 0;
    WeightedSum weighted;
  };
  std::vector<OpenStage> stage_open(catalog.stages.size());
  const int32_t unknown_owner = static_cast<int32_t>(catalog.user_ids.size());
  int64_t open_total = 0;
  for (uint32_t r : v.rows) {
    if (d.status[r] != DealStatus::kOpen) continue;
    ++open_total;
    int32_t owner_slot = catalog.user_slots.Find(d.owner[r]);
    OwnerFigures& owner = current.owners[owner_slot < 0 ? unknown_owner : owner_slot];
    ++owner.open_deals;
    int32_t slot = catalog.stage_slots.Find(d.stage[r]);
    if (slot >= 0) ++stage_open[slot].count;
    if (v.InCurrency(r)) {
      owner.open_value_minor += d.value[r];
      if (slot >= 0) {
        stage_open[slot].value += d.value[r];
        stage_open[slot].weighted.Add(d.value[r], EffectivePercent(v, r));
      }
    }
  }

  StageFigures& stages = both[0];
  StageFigures& previous_stages = both[1];
  // Time in stage: summarising hundreds of thousands of stays per stage is the costly part, split
  // over two threads by stage.
  std::vector<Distribution> stay_summaries(catalog.stages.size());
  std::vector<Figure> previous_stay_medians(catalog.stages.size());
  auto summarize = [&](size_t parity) {
    for (size_t slot = parity; slot < catalog.stages.size(); slot += 2) {
      if (!filter.CoversPipeline(catalog.stages[slot].pipeline_id)) continue;
      stay_summaries[slot] = Summarize(std::move(stages.stages[slot].stay_days));
      previous_stay_medians[slot] =
          Percentile(std::move(previous_stages.stages[slot].stay_days), 50);
    }
  };
  auto odd_stages = std::async(std::launch::async, summarize, 1);
  summarize(0);
  odd_stages.get();
  std::map<Id, int32_t> last_order;
  for (const StageInfo& s : catalog.stages) last_order[s.pipeline_id] = s.order;
  for (size_t slot = 0; slot < catalog.stages.size(); ++slot) {
    const StageInfo& s = catalog.stages[slot];
    if (!filter.CoversPipeline(s.pipeline_id)) continue;
    StageSnapshot snap;
    snap.stage_id = s.id;
    snap.pipeline_id = s.pipeline_id;
    snap.open_deals = stage_open[slot].count;
    snap.value_minor = stage_open[slot].value;
    snap.weighted_minor = stage_open[slot].weighted.Minor();
    snap.share = Ratio(snap.open_deals, open_total);
    out.stages.push_back(snap);

    StageFigures::PerStage& now_stage = stages.stages[slot];
    StageFigures::PerStage& before = previous_stages.stages[slot];
    if (s.order < last_order[s.pipeline_id]) {
      StageConversion c;
      c.stage_id = s.id;
      c.pipeline_id = s.pipeline_id;
      c.entered = now_stage.entered;
      c.advanced = now_stage.advanced;
      c.lost = now_stage.lost;
      c.rate = Ratio(c.advanced, c.entered);
      c.previous_rate = Ratio(before.advanced, before.entered);
      out.conversion.push_back(c);
    }
    StageTime t{s.id, s.pipeline_id, stay_summaries[slot], previous_stay_medians[slot]};
    out.time_in_stage.push_back(t);

    FunnelStep f{s.id, s.pipeline_id, stages.Reached(catalog, slot), std::nullopt};
    f.share_of_created = Ratio(f.reached, stages.created);
    out.funnel.push_back(f);
  }
  out.funnel_created = stages.created;
  out.funnel_won = stages.won;

  // Lost deals of the period by reason and stage.
  Span span = SpanOf(period);
  std::map<std::pair<int32_t, Id>, LostBreakdown> lost;
  for (uint32_t r : v.rows) {
    if (d.status[r] != DealStatus::kLost || d.closed[r] == kNoInstant ||
        !span.Contains(d.closed[r])) {
      continue;
    }
    LostBreakdown& b = lost[{d.lost_reason[r], d.stage[r]}];
    ++b.deals;
    if (v.InCurrency(r)) b.value_minor += d.value[r];
  }
  for (auto& [key, b] : lost) {
    b.reason = key.first >= 0 ? v.data.lost_reasons[key.first] : "";
    b.stage_id = key.second;
    out.lost.push_back(std::move(b));
  }
  std::sort(out.lost.begin(), out.lost.end(), [](const LostBreakdown& a, const LostBreakdown& b) {
    if (a.deals != b.deals) return a.deals > b.deals;
    if (a.reason != b.reason) return a.reason < b.reason;
    return a.stage_id < b.stage_id;
  });

  // Leaderboard: every user who could own deals in scope and has something to show, plus the
  // active users the scope covers.
  for (size_t slot = 0; slot < catalog.user_ids.size(); ++slot) {
    const Id id = catalog.user_ids[slot];
    const User& user = catalog.users.at(id);
    if (!filter.CoversOwner(id)) continue;
    const OwnerFigures& o = current.owners[slot];
    auto activities = activities_done.find(id);
    bool has_figures = o.new_deals || o.won_deals || o.lost_deals || o.open_deals ||
                       activities != activities_done.end();
    if (!has_figures && !user.active) continue;
    LeaderboardRow row;
    row.owner_id = id;
    row.name = user.name;
    row.new_deals = o.new_deals;
    row.won_deals = o.won_deals;
    row.lost_deals = o.lost_deals;
    row.activities_done = activities != activities_done.end() ? activities->second : 0;
    row.won_value_minor = o.won_value_minor;
    row.previous_won_value_minor = previous.owners[slot].won_value_minor;
    row.open_deals = o.open_deals;
    row.open_value_minor = o.open_value_minor;
    row.win_rate = Ratio(o.won_deals, o.won_deals + o.lost_deals);
    row.cycle_mean_days = Mean(o.cycle_sum, o.won_deals);
    out.leaderboard.push_back(std::move(row));
  }
  std::sort(out.leaderboard.begin(), out.leaderboard.end(),
            [](const LeaderboardRow& a, const LeaderboardRow& b) {
              if (a.won_value_minor != b.won_value_minor) {
                return a.won_value_minor > b.won_value_minor;
              }
              if (a.won_deals != b.won_deals) return a.won_deals > b.won_deals;
              if (a.name != b.name) return a.name < b.name;
              return a.owner_id < b.owner_id;
            });

  return out;
}

// ---- Forecast
// -------------------------------------------------------------------------------------

Result<Forecast> Analytics::GetForecast(const AnalyticsScope& scope, int months) {
  if (months < 1 || months > 24) return Status::Invalid("months", "must be 1..24");
  PD_RETURN_IF_ERROR(facts_->Refresh(store_));
  int64_t now = clock_.Now().millis;
  Date today = DateOf(Timestamp{now});
  Date first_month = MonthStart(today);
  Catalog catalog;
  std::vector<ForecastSnapshot> snapshots;
  PD_RETURN_IF_ERROR(store_.Read([&](StoreTx& tx) -> Status {
    PD_ASSIGN_OR_RETURN(catalog, LoadCatalog(tx));
    Date accuracy_from = first_month;
    for (int i = 0; i < 12; ++i) accuracy_from = MonthStart(AddDays(accuracy_from, -1));
    PD_ASSIGN_OR_RETURN(snapshots, tx.ForecastSnapshotsBetween(accuracy_from, first_month));
    return Status::Ok();
  }));
  PD_ASSIGN_OR_RETURN(ScopeFilter filter, ScopeFilter::Make(catalog, scope));

  Forecast out;
  out.names = catalog.Names();
  out.currency = catalog.currency;
  FactCache::Snapshot snapshot = facts_->Read();
  FactView v = MakeView(snapshot.data(), catalog, filter);
  out.other_currency_deals = v.other_currency_deals;
  const DealColumns& d = v.data.deals;

  PeriodFigures current = ComputePeriod(v, scope.period.period, now);
  PeriodFigures previous = ComputePeriod(v, PreviousPeriod(scope.period).period, now);
  out.velocity_factors = current.velocity;
  out.previous_velocity_factors = previous.velocity;
  out.velocity_per_day =
      Compare(current.headline.velocity_per_day, previous.headline.velocity_per_day);
  out.velocity_driver = VelocityDriver(current.velocity, previous.velocity);

  std::vector<Date> starts(months + 1);
  starts[0] = first_month;
  for (int i = 1; i <= months; ++i) starts[i] = NextMonthStart(starts[i - 1]);
  out.months.resize(months);
  std::vector<WeightedSum> weighted(months);
  WeightedSum overdue_weighted, undated_weighted;
  for (int i = 0; i < months; ++i) {
    out.months[i].month = starts[i];
    if (current.headline.velocity_per_day) {
      out.months[i].velocity_forecast_minor =
          *current.headline.velocity_per_day * (starts[i + 1].days - starts[i].days);
    }
  }
  auto month_of = [&](int32_t day) {
    return static_cast<int>(std::upper_bound(starts.begin(), starts.end(), Date{day},
                                             [](Date a, Date b) { return a < b; }) -
                            starts.begin()) -
           1;
  };
  for (uint32_t r : v.rows) {
    bool money = v.InCurrency(r);
    if (d.status[r] == DealStatus::kOpen) {
      int32_t percent = EffectivePercent(v, r);
      auto add = [&](int64_t& count, int64_t& value, WeightedSum& w) {
        ++count;
        if (money) {
          value += d.value[r];
          w.Add(d.value[r], percent);
        }
      };
      if (d.expected_close[r] == kNoDay) {
        add(out.undated.open_deals, out.undated.value_minor, undated_weighted);
      } else if (d.expected_close[r] < first_month.days) {
        add(out.overdue.open_deals, out.overdue.value_minor, overdue_weighted);
      } else if (int m = month_of(d.expected_close[r]); m >= 0 && m < months) {
        add(out.months[m].open_deals, out.months[m].value_minor, weighted[m]);
      }
    } else if (d.status[r] == DealStatus::kWon && d.closed[r] != kNoInstant) {
      int32_t day = DateOf(Timestamp{d.closed[r]}).days;
      if (day >= first_month.days) {
        if (int m = month_of(day); m >= 0 && m < months) {
          ++out.months[m].won_deals;
          if (money) out.months[m].won_value_minor += d.value[r];
        }
      }
    }
  }
  for (int i = 0; i < months; ++i) out.months[i].weighted_minor = weighted[i].Minor();
  out.overdue.weighted_minor = overdue_weighted.Minor();
  out.undated.weighted_minor = undated_weighted.Minor();

  // Configured vs historical probability per stage.
  StageFigures stages = ComputeStages(v, {scope.period.period})[0];
  for (size_t slot = 0; slot < catalog.stages.size(); ++slot) {
    const StageInfo& s = catalog.stages[slot];
    if (!filter.CoversPipeline(s.pipeline_id)) continue;
    StageProbability p;
    p.stage_id = s.id;
    p.pipeline_id = s.pipeline_id;
    p.configured = s.probability;
    p.closed_deals = stages.stages[slot].closed;
    p.won_deals = stages.stages[slot].won;
    p.historical = Ratio(p.won_deals, p.closed_deals);
    out.probabilities.push_back(p);
  }

  // Accuracy: each past month's snapshot rows in scope against what the scope won that month.
  std::map<int32_t, ForecastAccuracy> accuracy;
  for (const ForecastSnapshot& row : snapshots) {
    ForecastAccuracy& a = accuracy[row.month.days];
    a.month = row.month;
    if (row.pipeline_id == 0 && row.owner_id == 0) continue;  // the month's "taken" mark
    if (!filter.Matches(row.pipeline_id, row.owner_id)) continue;
    a.forecast_weighted_minor += row.weighted_minor;
    a.forecast_deals += row.open_deals;
  }
  for (uint32_t r : v.rows) {
    if (d.status[r] != DealStatus::kWon || d.closed[r] == kNoInstant) continue;
    auto it = accuracy.find(MonthStart(DateOf(Timestamp{d.closed[r]})).days);
    if (it == accuracy.end()) continue;
    ++it->second.won_deals;
    if (v.InCurrency(r)) it->second.won_value_minor += d.value[r];
  }
  for (auto& [day, a] : accuracy) {
    a.accuracy = Ratio(a.won_value_minor, a.forecast_weighted_minor);
    out.accuracy.push_back(a);
  }
  return out;
}

Result<bool> Analytics::TakeForecastSnapshot() {
  PD_RETURN_IF_ERROR(facts_->Refresh(store_));
  Timestamp now = clock_.Now();
  Date month = MonthStart(DateOf(now));
  Date next = NextMonthStart(month);
  Catalog catalog;
  bool exists = false;
  PD_RETURN_IF_ERROR(store_.Read([&](StoreTx& tx) -> Status {
    PD_ASSIGN_OR_RETURN(exists, tx.HasForecastSnapshot(month));
    if (exists) return Status::Ok();
    PD_ASSIGN_OR_RETURN(catalog, LoadCatalog(tx));
    return Status::Ok();
  }));
  if (exists) return false;
  std::map<std::pair<Id, Id>, std::pair<ForecastSnapshot, WeightedSum>> rows;
  {
    FactCache::Snapshot snapshot = facts_->Read();
    FactView v = MakeView(snapshot.data(), catalog, ScopeFilter());
    const DealColumns& d = v.data.deals;
    for (uint32_t r : v.rows) {
      if (d.status[r] != DealStatus::kOpen || d.expected_close[r] < month.days ||
          d.expected_close[r] >= next.days) {
        continue;
      }
      auto& [row, weighted] = rows[{d.pipeline[r], d.owner[r]}];
      row.pipeline_id = d.pipeline[r];
      row.owner_id = d.owner[r];
      ++row.open_deals;
      if (v.InCurrency(r)) {
        row.value_minor += d.value[r];
        weighted.Add(d.value[r], EffectivePercent(v, r));
      }
    }
  }
  std::vector<ForecastSnapshot> out;
  out.push_back({month, 0, 0, 0, 0, 0, now});  // marks the month as taken even when empty
  for (auto& [key, entry] : rows) {
    auto& [row, weighted] = entry;
    row.month = month;
    row.weighted_minor = weighted.Minor();
    row.taken_at = now;
    out.push_back(row);
  }
  PD_RETURN_IF_ERROR(store_.Write([&](StoreTx& tx) { return tx.InsertForecastSnapshots(out); }));
  return true;
}

// ---- Quotas and planner
// -----------------------------------------------------------------------------

Result<std::vector<QuotaStatus>> Analytics::GetQuotas(const AnalyticsScope& scope,
                                                      std::optional<Date> day_arg) {
  PD_RETURN_IF_ERROR(facts_->Refresh(store_));
  Timestamp now = clock_.Now();
  Date day = day_arg.value_or(DateOf(now));
  Catalog catalog;
  std::vector<Quota> quotas;
  PD_RETURN_IF_ERROR(store_.Read([&](StoreTx& tx) -> Status {
    PD_ASSIGN_OR_RETURN(catalog, LoadCatalog(tx));
    ListQuery q;
    q.limit = 500;
    while (true) {
      PD_ASSIGN_OR_RETURN(Page<Quota> page, tx.ListQuotas(q));
      for (Quota& quota : page.items) quotas.push_back(std::move(quota));
      if (page.next_cursor.empty()) break;
      q.cursor = page.next_cursor;
    }
    return Status::Ok();
  }));
  PD_ASSIGN_OR_RETURN(ScopeFilter filter, ScopeFilter::Make(catalog, scope));

  // Which quotas the scope shows: a rep's own, their team's and the company's; a team's, its
  // members' and the company's; everything without an owner or team filter.
  std::optional<Id> scope_team = scope.team_id;
  if (scope.owner_id) scope_team = catalog.users.at(*scope.owner_id).team_id;
  auto shown = [&](const Quota& q) {
    if (scope.pipeline_id && q.pipeline_id && *q.pipeline_id != *scope.pipeline_id) return false;
    switch (q.scope) {
      case QuotaScope::kCompany:
        return true;
      case QuotaScope::kTeam:
        return (!scope.owner_id && !scope.team_id) || q.team_id == scope_team;
      case QuotaScope::kUser:
        return q.user_id && filter.CoversOwner(*q.user_id);
    }
    return false;
  };
  auto unit_of = [](QuotaPeriod p) {
    switch (p) {
      case QuotaPeriod::kWeek:
        return PeriodUnit::kWeek;
      case QuotaPeriod::kMonth:
        return PeriodUnit::kMonth;
      case QuotaPeriod::kQuarter:
        return PeriodUnit::kQuarter;
    }
    return PeriodUnit::kMonth;
  };

  std::vector<QuotaStatus> out;
  std::map<std::pair<int32_t, int32_t>, std::map<Id, int64_t>> activity_counts;  // by period
  for (const Quota& q : quotas) {
    if (!shown(q) || day < q.starts_on || (q.ends_on && day >= *q.ends_on)) continue;
    QuotaStatus st;
    st.quota = q;
    st.period = PeriodContaining(day, unit_of(q.period));
    switch (q.scope) {
      case QuotaScope::kUser:
        st.subject_name =
            catalog.users.contains(*q.user_id) ? catalog.users.at(*q.user_id).name : "";
        break;
      case QuotaScope::kTeam:
        st.subject_name =
            catalog.teams.contains(*q.team_id) ? catalog.teams.at(*q.team_id).name : "";
        break;
      case QuotaScope::kCompany:
        st.subject_name = "Company";
        break;
    }
    auto subject_has = [&](Id owner) {
      switch (q.scope) {
        case QuotaScope::kUser:
          return owner == *q.user_id;
        case QuotaScope::kTeam: {
          auto it = catalog.users.find(owner);
          return it != catalog.users.end() && it->second.team_id == q.team_id;
        }
        case QuotaScope::kCompany:
          return true;
      }
      return false;
    };
    if (q.metric == QuotaMetric::kActivitiesDone) {
      auto key = std::make_pair(st.period.from.days, st.period.to.days);
      if (!activity_counts.contains(key)) {
        PD_RETURN_IF_ERROR(store_.Read([&](StoreTx& tx) -> Status {
          PD_ASSIGN_OR_RETURN(activity_counts[key],
                              tx.CountDoneActivitiesByOwner(st.period.from, st.period.to));
          return Status::Ok();
        }));
      }
      for (const auto& [owner, count] : activity_counts[key]) {
        if (subject_has(owner)) st.achieved += count;
      }
    } else {
      FactCache::Snapshot snapshot = facts_->Read();
      const FactData& data = snapshot.data();
      const DealColumns& d = data.deals;
      int32_t currency = -1;
      for (size_t i = 0; i < data.currencies.size(); ++i) {
        if (data.currencies[i] == q.currency) currency = static_cast<int32_t>(i);
      }
      Span span = SpanOf(st.period);
      for (size_t r = 0; r < d.size(); ++r) {
        if (d.gone[r] || !subject_has(d.owner[r]) ||
            (q.pipeline_id && d.pipeline[r] != *q.pipeline_id)) {
          continue;
        }
        bool money = d.currency[r] == currency;
        if (d.status[r] == DealStatus::kWon && d.closed[r] != kNoInstant &&
            span.Contains(d.closed[r])) {
          if (q.metric == QuotaMetric::kDealsWon) {
            ++st.achieved;
          } else if (money) {
            st.achieved += d.value[r];
          }
        } else if (d.status[r] == DealStatus::kOpen && money) {
          st.open_value_minor += d.value[r];
        }
      }
      if (q.metric == QuotaMetric::kWonValue) {
        st.coverage = Coverage(st.open_value_minor, q.target, st.achieved);
      } else {
        st.open_value_minor = 0;
      }
    }
    st.attainment = Attainment(st.achieved, q.target);
    st.expected_by_now = Ratio(day.days - st.period.from.days + 1, st.period.Days());
    out.push_back(std::move(st));
  }
  return out;
}

Result<PipelinePlan> Analytics::GetPlan(const AnalyticsScope& scope,
                                        const PlannerRequest& request) {
  if (request.target_minor < 0) return Status::Invalid("target", "must not be negative");
  PipelinePlan plan;
  plan.input.target_minor = request.target_minor;
  if (!request.average_deal_minor || !request.close_rate_bp || !request.reps) {
    PD_ASSIGN_OR_RETURN(Dashboard history, GetDashboard(scope));
    plan.currency = history.currency;
    if (!request.average_deal_minor) {
      if (!history.current.average_deal_minor) {
        return Status::Invalid("average_deal_size",
                               "no deals won in the period to take an average from: give one");
      }
      plan.input.average_deal_minor =
          static_cast<int64_t>(std::llround(*history.current.average_deal_minor));
      plan.average_from_history = true;
    }
    if (!request.close_rate_bp) {
      if (!history.current.win_rate || *history.current.win_rate <= 0) {
        return Status::Invalid("close_rate",
                               "no deals won in the period to take a close rate from: give one");
      }
      plan.input.close_rate_bp = ToBasisPoints(*history.current.win_rate);
      plan.close_rate_from_history = true;
    }
    if (!request.reps) {
      Catalog catalog;
      PD_RETURN_IF_ERROR(store_.Read([&](StoreTx& tx) -> Status {
        PD_ASSIGN_OR_RETURN(catalog, LoadCatalog(tx));
        return Status::Ok();
      }));
      PD_ASSIGN_OR_RETURN(ScopeFilter filter, ScopeFilter::Make(catalog, scope));
      int32_t reps = 0;
      for (const auto& [id, u] : catalog.users) {
        if (u.active && u.role == Role::kRep && filter.CoversOwner(id)) ++reps;
      }
      plan.input.reps = std::max(reps, 1);
      plan.reps_from_workspace = true;
    }
  } else {
    PD_RETURN_IF_ERROR(store_.Read([&](StoreTx& tx) -> Status {
      PD_ASSIGN_OR_RETURN(std::optional<std::string> currency, tx.GetSetting("default_currency"));
      plan.currency = currency.value_or("USD");
      return Status::Ok();
    }));
  }
  if (request.average_deal_minor) plan.input.average_deal_minor = *request.average_deal_minor;
  if (request.close_rate_bp) plan.input.close_rate_bp = *request.close_rate_bp;
  if (request.reps) plan.input.reps = *request.reps;
  PD_ASSIGN_OR_RETURN(plan.result, PlanPipeline(plan.input));
  return plan;
}

}  // namespace pipedeck
