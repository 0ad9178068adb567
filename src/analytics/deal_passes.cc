#include "analytics/deal_passes.h"

#include <atomic>
#include <limits>
#include <tuple>

namespace pipedeck {

Span SpanOf(const Period& p) { return {StartOf(p.from).millis, StartOf(p.to).millis}; }

SpanIndex::SpanIndex(std::vector<Span> spans)
    : spans_(std::move(spans)),
      first_(std::numeric_limits<int64_t>::max()),
      last_(std::numeric_limits<int64_t>::min()) {
  for (const Span& s : spans_) {
    first_ = std::min(first_, s.from);
    last_ = std::max(last_, s.to);
  }
}

FactView MakeView(const FactData& data, const Catalog& catalog, const ScopeFilter& filter) {
  FactView v{data, catalog, {}, -1, 0};
  for (size_t i = 0; i < data.currencies.size(); ++i) {
    if (data.currencies[i] == catalog.currency) v.currency = static_cast<int32_t>(i);
  }
  // Every row is written and kept or not by the next one: whether a row is in scope follows no
  // pattern a branch predictor could learn.
  const DealColumns& d = data.deals;
  v.rows.resize(d.size());
  size_t n = 0;
  for (size_t r = 0; r < d.size(); ++r) {
    const bool in_scope = !d.gone[r] && filter.Matches(d.pipeline[r], d.owner[r]);
    v.rows[n] = static_cast<uint32_t>(r);
    n += in_scope;
    v.other_currency_deals += in_scope & (d.currency[r] != v.currency);
  }
  v.rows.resize(n);
  return v;
}

int32_t EffectivePercent(const FactView& v, size_t r) {
  int8_t override_percent = v.data.deals.probability_override[r];
  if (override_percent >= 0) return override_percent;
  const StageInfo* stage = v.catalog.StageOf(v.data.deals.stage[r]);
  return stage ? stage->probability : 0;
}

namespace {

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

// The owner's slot in OwnerFigures-like tables: its user slot, or the last one for owners that
// are not users.
int32_t OwnerSlot(const FactView& v, uint32_t r) {
  const int32_t slot = v.catalog.user_slots.Find(v.data.deals.owner[r]);
  return slot < 0 ? static_cast<int32_t>(v.catalog.user_ids.size()) : slot;
}

// The instant the deal last entered `stage` before its event `i` began a stay there, or
// kNoInstant.
int64_t PreviousEntry(const EventFact* events, size_t i, Id stage) {
  for (size_t j = i; j-- > 0;) {
    if ((events[j].flags & EventFact::kStayBegins) && events[j].stage == stage) return events[j].at;
  }
  return kNoInstant;
}

}  // namespace

// ---- PeriodPass --------------------------------------------------------------------------------

PeriodPass::PeriodPass(const FactView& v, const Period& period, const Period& previous, int64_t now)
    : v_(&v), spans_({SpanOf(period), SpanOf(previous)}) {
  for (size_t p = 0; p < 2; ++p) {
    // Open at the end of each period, or now (including what happened at this very instant).
    open_at_[p] = std::min(spans_[p].to, now + 1);
    sums_[p].owners.resize(v.catalog.user_ids.size() + 1);
  }
}

void PeriodPass::Add(uint32_t r) {
  const DealColumns& d = v_->data.deals;
  const int32_t owner_slot = OwnerSlot(*v_, r);
  const bool money = v_->InCurrency(r);
  const int64_t created = d.created[r], closed = d.closed[r];
  if (const size_t p = spans_.Find(created); p != spans_.size()) {
    Sums& sums = sums_[p];
    ++sums.headline.new_deals;
    ++sums.owners[owner_slot].new_deals;
    if (money) sums.headline.new_value_minor += d.value[r];
  }
  if (closed != kNoInstant && d.status[r] != DealStatus::kOpen) {
    if (const size_t p = spans_.Find(closed); p != spans_.size()) {
      Sums& sums = sums_[p];
      HeadlineFigures& h = sums.headline;
      OwnerFigures& owner = sums.owners[owner_slot];
      const double days = DaysBetweenMillis(created, closed);
      sums.lifetime_sum += days;
      if (d.status[r] == DealStatus::kWon) {
        ++h.won_deals;
        ++owner.won_deals;
        owner.cycle_sum += days;
        sums.won_cycle_days.push_back(days);
        if (money) {
          h.won_value_minor += d.value[r];
          owner.won_value_minor += d.value[r];
          ++sums.won_in_currency;
        }
      } else {
        ++h.lost_deals;
        ++owner.lost_deals;
      }
    }
  }
  for (size_t p = 0; p < 2; ++p) {
    if (OpenBefore(v_->data, r, open_at_[p])) ++sums_[p].headline.open_deals;
  }
}

void PeriodPass::Merge(PeriodPass&& other) {
  for (size_t p = 0; p < 2; ++p) {
    Sums& into = sums_[p];
    Sums& from = other.sums_[p];
    into.headline.new_deals += from.headline.new_deals;
    into.headline.new_value_minor += from.headline.new_value_minor;
    into.headline.won_deals += from.headline.won_deals;
    into.headline.won_value_minor += from.headline.won_value_minor;
    into.headline.lost_deals += from.headline.lost_deals;
    into.headline.open_deals += from.headline.open_deals;
    for (size_t slot = 0; slot < into.owners.size(); ++slot) into.owners[slot] += from.owners[slot];
    into.won_in_currency += from.won_in_currency;
    into.lifetime_sum += from.lifetime_sum;
    into.won_cycle_days.insert(into.won_cycle_days.end(), from.won_cycle_days.begin(),
                               from.won_cycle_days.end());
  }
}

std::array<PeriodFigures, 2> PeriodPass::Finish() && {
  std::array<PeriodFigures, 2> out;
  for (size_t p = 0; p < 2; ++p) {
    Sums& sums = sums_[p];
    HeadlineFigures& h = out[p].headline;
    h = sums.headline;
    h.win_rate = Ratio(h.won_deals, h.won_deals + h.lost_deals);
    h.average_deal_minor = Mean(h.won_value_minor, sums.won_in_currency);
    Distribution cycle = Summarize(sums.won_cycle_days);
    h.cycle_mean_days = cycle.mean;
    h.cycle_median_days = cycle.median;
    h.lifetime_mean_days = Mean(sums.lifetime_sum, h.won_deals + h.lost_deals);
    out[p].velocity = {static_cast<double>(h.open_deals), h.win_rate, h.average_deal_minor,
                       h.cycle_mean_days};
    h.velocity_per_day = Velocity(out[p].velocity);
    out[p].owners = std::move(sums.owners);
  }
  return out;
}

std::array<PeriodFigures, 2> ComputePeriods(const FactView& v, const Period& period,
                                            const Period& previous, int64_t now) {
  std::vector<PeriodPass> passes(kWorkers, PeriodPass(v, period, previous, now));
  ForChunks(v.rows.size(), [&](size_t worker, size_t begin, size_t end) {
    for (size_t k = begin; k < end; ++k) passes[worker].Add(v.rows[k]);
  });
  for (size_t w = 1; w < kWorkers; ++w) passes[0].Merge(std::move(passes[w]));
  return std::move(passes[0]).Finish();
}

// ---- TrendPass ---------------------------------------------------------------------------------

SortedInstants::SortedInstants(std::vector<int64_t> instants) : instants_(std::move(instants)) {
  if (instants_.empty()) return;
  first_day_ = FloorDiv(instants_.front(), kMillisPerDay);
  const int64_t last_day = FloorDiv(instants_.back(), kMillisPerDay);
  // Month bounds span a year or two; a table for a longer span would not pay.
  if (last_day - first_day_ > kMaxTableDays || instants_.size() > UINT16_MAX) return;
  first_at_or_after_day_.resize(last_day - first_day_ + 1);
  size_t i = 0;
  for (int64_t day = first_day_; day <= last_day; ++day) {
    while (i < instants_.size() && instants_[i] < day * kMillisPerDay) ++i;
    first_at_or_after_day_[day - first_day_] = static_cast<uint16_t>(i);
  }
}

size_t SortedInstants::CountAtOrBefore(int64_t t) const {
  if (instants_.empty() || t < instants_.front()) return 0;
  if (t >= instants_.back()) return instants_.size();
  size_t i = 0;
  if (!first_at_or_after_day_.empty()) {
    // Start from the first instant of t's day: a month bound is rarely on the same day as
    // another, so this is the answer or one step short of it.
    i = first_at_or_after_day_[FloorDiv(t, kMillisPerDay) - first_day_];
  }
  while (i < instants_.size() && instants_[i] <= t) ++i;
  return i;
}

TrendPass::TrendPass(const FactView& v, Date last_month, int64_t now)
    : v_(&v),
      now_(now),
      starts_(kMonths + 1),
      points_(kMonths),
      won_in_currency_(kMonths, 0),
      cycle_sum_(kMonths, 0) {
  starts_[kMonths] = NextMonthStart(last_month);
  for (int i = kMonths - 1; i >= 0; --i) starts_[i] = MonthStart(AddDays(starts_[i + 1], -1));
  std::vector<int64_t> bounds, ends;
  for (int i = 0; i <= kMonths; ++i) bounds.push_back(StartOf(starts_[i]).millis);
  for (int m = 0; m < kMonths && bounds[m] <= now; ++m) {
    ends.push_back(std::min(bounds[m + 1], now + 1));
  }
  if (ends.empty()) ends.push_back(bounds[0]);  // every month is ahead: nothing is counted
  bounds_ = SortedInstants(std::move(bounds));
  ends_ = SortedInstants(std::move(ends));
  open_diff_.assign(ends_.size() + 1, 0);
}

void TrendPass::CountOpen(int64_t opened, int64_t closed) {
  const size_t lo = ends_.CountAtOrBefore(opened);
  const size_t hi = ends_.CountAtOrBefore(closed);
  if (lo < hi) {
    ++open_diff_[lo];
    --open_diff_[hi];
  }
}

void TrendPass::Add(uint32_t r) {
  const DealColumns& d = v_->data.deals;
  const int64_t closed = d.closed[r];
  if (closed != kNoInstant && d.status[r] != DealStatus::kOpen && closed >= bounds_[0] &&
      closed < bounds_[kMonths]) {
    const int m = static_cast<int>(bounds_.CountAtOrBefore(closed)) - 1;
    if (d.status[r] == DealStatus::kWon) {
      ++points_[m].won_deals;
      cycle_sum_[m] += DaysBetweenMillis(d.created[r], closed);
      if (v_->InCurrency(r)) {
        points_[m].won_value_minor += d.value[r];
        ++won_in_currency_[m];
      }
    } else {
      ++points_[m].lost_deals;
    }
  }
  // Open at each month's end (or now, for the current month): walk the deal's open intervals
  // once and count the month ends inside each (an interval (open, close] holds the instants just
  // before which the deal was open).
  if (d.created[r] >= ends_.back() ||
      (d.status[r] != DealStatus::kOpen && closed != kNoInstant && closed < ends_[0])) {
    return;
  }
  if (d.open_from[r] != kNoInstant) {  // one open interval (most deals)
    CountOpen(d.open_from[r], d.open_until[r]);
    return;
  }
  const uint32_t count = d.event_count[r];
  const EventFact* e = v_->data.events.data() + d.event_begin[r];
  bool open = false;
  int64_t opened = 0;
  for (uint32_t i = 0; i < count; ++i) {
    if (e[i].status == DealStatus::kOpen) {
      if (!open) opened = e[i].at;
      open = true;
    } else if (open) {
      CountOpen(opened, e[i].at);
      open = false;
    }
  }
  if (open) CountOpen(opened, std::numeric_limits<int64_t>::max());
}

void TrendPass::Merge(TrendPass&& other) {
  for (int m = 0; m < kMonths; ++m) {
    points_[m].won_deals += other.points_[m].won_deals;
    points_[m].lost_deals += other.points_[m].lost_deals;
    points_[m].won_value_minor += other.points_[m].won_value_minor;
    won_in_currency_[m] += other.won_in_currency_[m];
    cycle_sum_[m] += other.cycle_sum_[m];
  }
  for (size_t i = 0; i < open_diff_.size(); ++i) open_diff_[i] += other.open_diff_[i];
}

std::vector<TrendPoint> TrendPass::Finish() && {
  std::vector<int64_t> open_at_end(kMonths, 0);
  int64_t running = 0;
  for (size_t m = 0; m < ends_.size(); ++m) {
    running += open_diff_[m];
    open_at_end[m] = running;
  }
  for (int m = 0; m < kMonths; ++m) {
    TrendPoint& p = points_[m];
    p.month = starts_[m];
    p.win_rate = Ratio(p.won_deals, p.won_deals + p.lost_deals);
    if (bounds_[m] <= now_) {
      p.velocity_per_day = Velocity({static_cast<double>(open_at_end[m]), p.win_rate,
                                     Mean(p.won_value_minor, won_in_currency_[m]),
                                     Mean(cycle_sum_[m], p.won_deals)});
    }
  }
  return std::move(points_);
}

// ---- OpenNowPass -------------------------------------------------------------------------------

OpenNowPass::OpenNowPass(const FactView& v)
    : stages(v.catalog.stages.size()), owners(v.catalog.user_ids.size() + 1), v_(&v) {}

void OpenNowPass::Add(uint32_t r) {
  const DealColumns& d = v_->data.deals;
  if (d.status[r] != DealStatus::kOpen) return;
  ++total;
  auto& [owner_deals, owner_value] = owners[OwnerSlot(*v_, r)];
  ++owner_deals;
  const int32_t slot = v_->catalog.stage_slots.Find(d.stage[r]);
  if (slot >= 0) ++stages[slot].count;
  if (v_->InCurrency(r)) {
    owner_value += d.value[r];
    if (slot >= 0) {
      stages[slot].value += d.value[r];
      stages[slot].weighted.Add(d.value[r], EffectivePercent(*v_, r));
    }
  }
}

void OpenNowPass::Merge(OpenNowPass&& other) {
  total += other.total;
  for (size_t slot = 0; slot < stages.size(); ++slot) {
    stages[slot].count += other.stages[slot].count;
    stages[slot].value += other.stages[slot].value;
    stages[slot].weighted.Add(other.stages[slot].weighted);
  }
  for (size_t slot = 0; slot < owners.size(); ++slot) {
    owners[slot].first += other.owners[slot].first;
    owners[slot].second += other.owners[slot].second;
  }
}

// ---- LostPass ----------------------------------------------------------------------------------

LostPass::LostPass(const FactView& v, Span span)
    : v_(&v), span_(span), table_((v.data.lost_reasons.size() + 1) * v.catalog.stages.size()) {}

void LostPass::Add(uint32_t r) {
  const DealColumns& d = v_->data.deals;
  if (d.status[r] != DealStatus::kLost || d.closed[r] == kNoInstant ||
      !span_.Contains(d.closed[r])) {
    return;
  }
  const int32_t slot = v_->catalog.stage_slots.Find(d.stage[r]);
  LostBreakdown& b = slot >= 0 ? table_[(d.lost_reason[r] + 1) * v_->catalog.stages.size() + slot]
                               : elsewhere_[{d.lost_reason[r], d.stage[r]}];
  ++b.deals;
  if (v_->InCurrency(r)) b.value_minor += d.value[r];
}

void LostPass::Merge(LostPass&& other) {
  for (size_t i = 0; i < table_.size(); ++i) {
    table_[i].deals += other.table_[i].deals;
    table_[i].value_minor += other.table_[i].value_minor;
  }
  for (auto& [key, b] : other.elsewhere_) {
    LostBreakdown& into = elsewhere_[key];
    into.deals += b.deals;
    into.value_minor += b.value_minor;
  }
}

std::vector<LostBreakdown> LostPass::Finish() && {
  std::vector<LostBreakdown> out;
  auto add = [&](int32_t reason, Id stage_id, LostBreakdown& b) {
    if (b.deals == 0) return;
    b.reason = reason >= 0 ? v_->data.lost_reasons[reason] : "";
    b.stage_id = stage_id;
    out.push_back(std::move(b));
  };
  const size_t stage_count = v_->catalog.stages.size();
  for (size_t i = 0; i < table_.size(); ++i) {
    add(static_cast<int32_t>(i / stage_count) - 1, v_->catalog.stages[i % stage_count].id,
        table_[i]);
  }
  for (auto& [key, b] : elsewhere_) add(key.first, key.second, b);
  std::sort(out.begin(), out.end(), [](const LostBreakdown& a, const LostBreakdown& b) {
    if (a.deals != b.deals) return a.deals > b.deals;
    if (a.reason != b.reason) return a.reason < b.reason;
    return a.stage_id < b.stage_id;
  });
  return out;
}

// ---- Stage figures -----------------------------------------------------------------------------

int64_t StageFigures::Reached(const Catalog& catalog, size_t slot) const {
  const StageInfo& s = catalog.stages[slot];
  const int32_t pipeline = catalog.pipeline_slots.Find(s.pipeline_id);
  int64_t reached = pipeline >= 0 ? created_won[pipeline] : 0;
  for (size_t t = 0; t < catalog.stages.size(); ++t) {
    const StageInfo& other = catalog.stages[t];
    if (other.pipeline_id == s.pipeline_id && other.order >= s.order) {
      reached += stages[t].furthest;
    }
  }
  return reached;
}

Figure InDays(Figure millis) {
  if (!millis) return millis;
  return *millis / static_cast<double>(kMillisPerDay);
}

Distribution InDays(Distribution millis) {
  return {millis.count, InDays(millis.mean), InDays(millis.median), InDays(millis.p75),
          InDays(millis.p90)};
}

IndexedStays IndexedStaysOf(const FactView& v) {
  IndexedStays out;
  for (const StageInfo& stage : v.catalog.stages) {
    auto it = v.data.stays.find(stage.id);
    out.by_slot.push_back(it == v.data.stays.end() ? nullptr : &it->second);
  }
  const DealColumns& d = v.data.deals;
  out.counted_rows.assign((d.size() + 63) / 64, 0);
  for (const uint32_t r : v.rows) {
    out.counted_rows[r >> 6] |= static_cast<uint64_t>(d.stays_indexed[r]) << (r & 63);
  }
  return out;
}

void StayBuffers::Reset(size_t periods, size_t stages) {
  auto reset = [&](std::vector<StayMillis>& by_period) {
    by_period.resize(periods);
    for (StayMillis& period : by_period) {
      period.resize(stages);
      for (std::vector<double>& stays : period) stays.clear();
    }
  };
  for (std::vector<StayMillis>& worker : walked) reset(worker);
  reset(indexed);
}

std::array<std::span<const double>, kWorkers + 1> StayBuffers::Parts(size_t period,
                                                                     size_t slot) const {
  std::array<std::span<const double>, kWorkers + 1> parts;
  for (size_t w = 0; w < kWorkers; ++w) parts[w] = walked[w][period][slot];
  parts[kWorkers] = indexed[period][slot];
  return parts;
}

namespace {

// The loops below decide per stay whether its row counts without a branch: which rows count
// follows no pattern a branch predictor could learn.

// Appends the durations of the ended stays [first, last) whose rows count to `out`.
void GatherEnded(const StageStays::Ended& stays, const IndexedStays& indexed, size_t first,
                 size_t last, std::vector<double>& out) {
  const size_t start = out.size();
  out.resize(start + (last - first));
  double* to = out.data() + start;
  size_t n = 0;
  for (size_t i = first; i < last; ++i) {
    to[n] = static_cast<double>(stays.millis[i]);
    n += indexed.Counts(stays.row[i]);
  }
  out.resize(start + n);
}

// Conversion of the stays [first, last) that began in a period starting at `from`.
void CountEntered(const StageStays::Entered& stays, const IndexedStays& indexed, size_t first,
                  size_t last, int64_t from, StageFigures::PerStage& out) {
  int64_t entered = 0, advanced = 0, lost = 0;
  for (size_t i = first; i < last; ++i) {
    // The first entry of the stage within the period.
    const int64_t counts = indexed.Counts(stays.row[i]) & (stays.previous_entry[i] < from);
    const uint8_t flags = stays.flags[i];
    const int64_t went_on = counts & ((flags & EventFact::kAdvanced) != 0);
    entered += counts;
    advanced += went_on;
    lost += (counts & !went_on) & ((flags & EventFact::kFirstCloseSinceLost) != 0);
  }
  out.entered += entered;
  out.advanced += advanced;
  out.lost += lost;
}

// Historical probability: of the deals [first, last) closed in a period, the won ones.
void CountClosed(const StageStays::Closed& stays, const IndexedStays& indexed, size_t first,
                 size_t last, StageFigures::PerStage& out) {
  int64_t closed = 0, won = 0;
  for (size_t i = first; i < last; ++i) {
    const int64_t counts = indexed.Counts(stays.row[i]);
    closed += counts;
    won += counts & stays.won[i];
  }
  out.closed += closed;
  out.won += won;
}

}  // namespace

IndexedStageFigures ReadStageIndex(StayBuffers& buffers, const IndexedStays& indexed,
                                   const std::array<Span, 2>& spans,
                                   const std::vector<bool>& wanted) {
  IndexedStageFigures out;
  for (std::vector<StageFigures::PerStage>& counts : out.counts) counts.resize(wanted.size());
  out.time_in_stage.current.resize(wanted.size());
  out.time_in_stage.previous_median.resize(wanted.size());
  struct Task {
    size_t values, period, slot;
    std::pair<size_t, size_t> ended, entered, closed;  // ranges of the indexed stays
  };
  std::vector<Task> tasks;
  for (size_t slot = 0; slot < wanted.size(); ++slot) {
    if (!wanted[slot]) continue;
    for (size_t period = 0; period < 2; ++period) {
      Task t{0, period, slot, {0, 0}, {0, 0}, {0, 0}};
      const Span& span = spans[period];
      if (const StageStays* stays = indexed.by_slot[slot]) {
        t.ended = RangeOf(stays->ended.leave, span.from, span.to);
        t.entered = RangeOf(stays->entered.enter, span.from, span.to);
        t.closed = RangeOf(stays->closed.closed, span.from, span.to);
      }
      for (const auto& [first, last] : {t.ended, t.entered, t.closed}) t.values += last - first;
      for (std::span<const double> part : buffers.Parts(period, slot)) t.values += part.size();
      tasks.push_back(t);
    }
  }
  // Largest first; ties by period and stage, so that the order is the same every time.
  std::sort(tasks.begin(), tasks.end(), [](const Task& a, const Task& b) {
    return std::tie(b.values, a.period, a.slot) < std::tie(a.values, b.period, b.slot);
  });
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i; (i = next.fetch_add(1)) < tasks.size();) {
      const Task& t = tasks[i];
      if (const StageStays* stays = indexed.by_slot[t.slot]) {
        StageFigures::PerStage& counts = out.counts[t.period][t.slot];
        CountEntered(stays->entered, indexed, t.entered.first, t.entered.second,
                     spans[t.period].from, counts);
        CountClosed(stays->closed, indexed, t.closed.first, t.closed.second, counts);
        GatherEnded(stays->ended, indexed, t.ended.first, t.ended.second,
                    buffers.indexed[t.period][t.slot]);
      }
      const auto parts = buffers.Parts(t.period, t.slot);
      if (t.period == 0) {
        out.time_in_stage.current[t.slot] = InDays(Summarize(parts));
      } else {
        out.time_in_stage.previous_median[t.slot] = InDays(Percentile(parts, 50));
      }
    }
  };
  std::array<std::future<void>, kWorkers - 1> others;
  for (std::future<void>& other : others) other = std::async(std::launch::async, work);
  work();
  for (std::future<void>& other : others) other.get();
  return out;
}

std::unique_ptr<StayBuffers> StayBufferPool::Take() {
  std::lock_guard lock(mu_);
  if (free_.empty()) return std::make_unique<StayBuffers>();
  std::unique_ptr<StayBuffers> buffers = std::move(free_.back());
  free_.pop_back();
  return buffers;
}

void StayBufferPool::Return(std::unique_ptr<StayBuffers> buffers) {
  std::lock_guard lock(mu_);
  free_.push_back(std::move(buffers));
}

namespace {
std::vector<Span> SpansOf(const std::vector<Period>& periods) {
  std::vector<Span> spans;
  for (const Period& p : periods) spans.push_back(SpanOf(p));
  return spans;
}
}  // namespace

StagePass::StagePass(const FactView& v, const std::vector<Period>& periods,
                     const IndexedStays* indexed, std::vector<StayMillis>* worker_stays)
    : v_(&v),
      spans_(SpansOf(periods)),
      indexed_(indexed),
      out_(periods.size()),
      stay_millis_(worker_stays) {
  for (StageFigures& f : out_) {
    f.stages.resize(v.catalog.stages.size());
    f.created_won.resize(v.catalog.pipelines.size());
  }
}

void StagePass::AddRows(size_t begin, size_t end) {
  const DealColumns& d = v_->data.deals;
  const Catalog& catalog = v_->catalog;
  for (size_t k = begin; k < end; ++k) {
    const uint32_t r = v_->rows[k];
    if (d.event_count[r] == 0) continue;  // no stage history
    // Funnel: deals created in the period, the furthest stage of their pipeline they reached.
    if (const size_t p = spans_.Find(d.created[r]); p != spans_.size()) {
      StageFigures& f = out_[p];
      ++f.created;
      if (d.ever_won[r]) {
        ++f.won;
        if (const int32_t pipeline = catalog.pipeline_slots.Find(d.pipeline[r]); pipeline >= 0) {
          ++f.created_won[pipeline];
        }
      } else if (const int32_t slot = catalog.stage_slots.Find(d.furthest_stage[r]); slot >= 0) {
        ++f.stages[slot].furthest;
      }
    }
    if (indexed_ && d.stays_indexed[r]) continue;
    WalkEvents(r);
  }
}

// The deal's events are read once, last to first: a stay lasts until the next stay or close seen
// before it (the event flags carry the rest, see EventFact).
void StagePass::WalkEvents(uint32_t r) {
  const DealColumns& d = v_->data.deals;
  const size_t none = spans_.size();
  const uint32_t count = d.event_count[r];
  const EventFact* events = v_->data.events.data() + d.event_begin[r];
  // Only a deal with an event inside the periods can count: every figure here is about an entry,
  // an exit or a close within a period.
  if (events[0].at >= spans_.last() || events[count - 1].at < spans_.first()) return;
  const bool won = d.status[r] == DealStatus::kWon;
  const size_t closed_in = d.status[r] != DealStatus::kOpen && d.closed[r] != kNoInstant
                               ? spans_.Find(d.closed[r])
                               : none;
  int64_t next_boundary = kNoInstant;  // where the stay being read ends
  for (uint32_t i = count; i-- > 0;) {
    const EventFact& e = events[i];
    if (e.status != DealStatus::kOpen) {
      next_boundary = e.at;
      continue;
    }
    if (!(e.flags & EventFact::kStayBegins)) continue;
    const int64_t enter = e.at, leave = next_boundary;
    next_boundary = enter;
    const int32_t slot = v_->catalog.stage_slots.Find(e.stage);
    if (slot < 0) continue;  // a stage no longer there
    const bool first_in_stage = e.flags & EventFact::kFirstStayInStage;
    // Conversion: the first entry of each stage within the period.
    if (const size_t p = spans_.Find(enter); p != none) {
      if (first_in_stage || PreviousEntry(events, i, e.stage) < spans_[p].from) {
        StageFigures::PerStage& c = out_[p].stages[slot];
        ++c.entered;
        if (e.flags & EventFact::kAdvanced) {
          ++c.advanced;
        } else if (e.flags & EventFact::kFirstCloseSinceLost) {
          ++c.lost;
        }
      }
    }
    // Time in stage: stays that ended in the period, in milliseconds (see StayMillis).
    if (stay_millis_) {
      if (const size_t p = spans_.Find(leave); p != none) {  // none for a stay not over
        (*stay_millis_)[p][slot].push_back(static_cast<double>(leave - enter));
      }
    }
    // Historical probability: closed deals of the period, every stage they were ever in.
    if (first_in_stage && closed_in != none) {
      StageFigures::PerStage& c = out_[closed_in].stages[slot];
      ++c.closed;
      if (won) ++c.won;
    }
  }
}

void StagePass::Merge(StagePass&& other) {
  for (size_t p = 0; p < out_.size(); ++p) {
    StageFigures& into = out_[p];
    const StageFigures& from = other.out_[p];
    for (size_t slot = 0; slot < into.stages.size(); ++slot) into.stages[slot] += from.stages[slot];
    for (size_t i = 0; i < into.created_won.size(); ++i) {
      into.created_won[i] += from.created_won[i];
    }
    into.created += from.created;
    into.won += from.won;
  }
}

std::vector<StageFigures> StagePass::Finish() && { return std::move(out_); }

DashboardPasses::DashboardPasses(const FactView& v, const Period& period, const Period& previous,
                                 int64_t now, const IndexedStays* indexed,
                                 std::vector<StayMillis>* worker_stays)
    : periods(v, period, previous, now),
      trend(v, MonthStart(AddDays(period.to, -1)), now),
      open(v),
      lost(v, SpanOf(period)),
      stages(v, {period, previous}, indexed, worker_stays),
      v_(&v) {}

void DashboardPasses::AddRows(size_t begin, size_t end) {
  for (size_t k = begin; k < end; ++k) {
    const uint32_t r = v_->rows[k];
    periods.Add(r);
    trend.Add(r);
    open.Add(r);
    lost.Add(r);
  }
  stages.AddRows(begin, end);
}

void DashboardPasses::Merge(DashboardPasses&& other) {
  periods.Merge(std::move(other.periods));
  trend.Merge(std::move(other.trend));
  open.Merge(std::move(other.open));
  lost.Merge(std::move(other.lost));
  stages.Merge(std::move(other.stages));
}

std::vector<StageFigures> ComputeStages(const FactView& v, const std::vector<Period>& periods) {
  std::vector<StagePass> passes(kWorkers, StagePass(v, periods, nullptr, nullptr));
  ForChunks(v.rows.size(),
            [&](size_t worker, size_t begin, size_t end) { passes[worker].AddRows(begin, end); });
  for (size_t w = 1; w < kWorkers; ++w) passes[0].Merge(std::move(passes[w]));
  return std::move(passes[0]).Finish();
}

}  // namespace pipedeck
