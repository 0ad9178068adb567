#include "analytics/fact_cache.h"

#include <algorithm>
#include <utility>

namespace pipedeck {
namespace {

// More changed deals than this since the last refresh: reloading everything is cheaper than
// reading them one by one through the change log.
constexpr size_t kMaxIncrementalDeals = 20'000;

EventFact ToEventFact(const StageEventFactRow& row) {
  EventFact e;
  e.at = row.at.millis;
  e.stage = row.to_stage_id.value_or(0);
  e.kind = row.kind;
  e.status = row.to_status;
  return e;
}

// The place of stage `id` in the copy's stage order, or null.
const StagePlace* PlaceOf(const FactData& data, Id id) {
  auto it = std::lower_bound(data.stage_order.begin(), data.stage_order.end(), id,
                             [](const StagePlace& p, Id stage) { return p.stage < stage; });
  return it != data.stage_order.end() && it->stage == id ? &*it : nullptr;
}

// Every stage's place, by stage id.
Result<std::vector<StagePlace>> ReadStageOrder(StoreTx& tx) {
  std::vector<StagePlace> order;
  ListQuery q;
  q.limit = 500;
  while (true) {
    PD_ASSIGN_OR_RETURN(Page<Stage> page, tx.ListStages(q));
    for (const Stage& s : page.items) order.push_back({s.id, s.pipeline_id, s.order});
    if (page.next_cursor.empty()) break;
    q.cursor = page.next_cursor;
  }
  std::sort(order.begin(), order.end(),
            [](const StagePlace& a, const StagePlace& b) { return a.stage < b.stage; });
  return order;
}

}  // namespace

std::pair<size_t, size_t> RangeOf(const std::vector<int64_t>& ascending, int64_t from, int64_t to) {
  auto first = std::lower_bound(ascending.begin(), ascending.end(), from);
  auto last = std::lower_bound(first, ascending.end(), to);
  return {static_cast<size_t>(first - ascending.begin()),
          static_cast<size_t>(last - ascending.begin())};
}

int64_t FactCache::Snapshot::RowOf(Id id) const {
  const std::vector<Id>& ids = data_->deals.id;
  auto it = std::lower_bound(ids.begin(), ids.end(), id);
  if (it == ids.end() || *it != id) return -1;
  return it - ids.begin();
}

FactCache::RefreshStats FactCache::last_refresh() const {
  std::shared_lock lock(data_mu_);
  return stats_;
}

uint16_t FactCache::CurrencyIndex(FactData& data, std::string_view code) {
  for (size_t i = 0; i < data.currencies.size(); ++i) {
    if (data.currencies[i] == code) return static_cast<uint16_t>(i);
  }
  data.currencies.emplace_back(code);
  return static_cast<uint16_t>(data.currencies.size() - 1);
}

int32_t FactCache::LostReasonIndex(FactData& data, std::string_view reason) {
  if (reason.empty()) return -1;
  // Reasons are few (the configured list plus some free text); the last one is the likeliest.
  for (size_t i = data.lost_reasons.size(); i-- > 0;) {
    if (data.lost_reasons[i] == reason) return static_cast<int32_t>(i);
  }
  data.lost_reasons.emplace_back(reason);
  return static_cast<int32_t>(data.lost_reasons.size() - 1);
}

void FactCache::SetRow(FactData& data, size_t r, const DealFactRow& row) {
  DealColumns& d = data.deals;
  d.pipeline[r] = row.pipeline_id;
  d.stage[r] = row.stage_id;
  d.owner[r] = row.owner_id;
  d.status[r] = row.status;
  d.gone[r] = 0;
  d.value[r] = row.value_minor;
  d.currency[r] = CurrencyIndex(data, row.currency);
  d.created[r] = row.created_at.millis;
  d.closed[r] = row.closed_at ? row.closed_at->millis : kNoInstant;
  d.probability_override[r] =
      row.probability_override ? static_cast<int8_t>(*row.probability_override) : -1;
  d.expected_close[r] = row.expected_close_date ? row.expected_close_date->days : kNoDay;
  d.lost_reason[r] = LostReasonIndex(data, row.lost_reason);
}

void FactCache::AppendRow(FactData& data, Id id) {
  DealColumns& d = data.deals;
  d.id.push_back(id);
  d.pipeline.emplace_back();
  d.stage.emplace_back();
  d.owner.emplace_back();
  d.status.emplace_back();
  d.gone.push_back(0);
  d.value.emplace_back();
  d.currency.emplace_back();
  d.created.emplace_back();
  d.closed.emplace_back();
  d.probability_override.emplace_back();
  d.expected_close.emplace_back();
  d.lost_reason.emplace_back();
  d.event_begin.push_back(0);
  d.event_count.push_back(0);
  d.open_from.push_back(kNoInstant);
  d.open_until.push_back(kNoInstant);
  d.furthest_stage.push_back(0);
  d.ever_won.push_back(0);
  d.stays_indexed.push_back(0);
}

void FactCache::DeriveHistory(FactData& data, size_t r) {
  DealColumns& d = data.deals;
  EventFact* const begin = data.events.data() + d.event_begin[r];
  EventFact* const end = begin + d.event_count[r];
  // Stays, read the way ReadHistory reads them.
  bool in_stay = false;
  Id stay_stage = 0;
  for (EventFact* e = begin; e != end; ++e) {
    e->flags = 0;
    if (e->status != DealStatus::kOpen) {
      in_stay = false;
      continue;
    }
    if (e->stage == 0 || (in_stay && stay_stage == e->stage)) continue;
    e->flags |= EventFact::kStayBegins;
    in_stay = true;
    stay_stage = e->stage;
    const bool seen = std::any_of(begin, e, [&](const EventFact& earlier) {
      return (earlier.flags & EventFact::kStayBegins) && earlier.stage == e->stage;
    });
    if (!seen) e->flags |= EventFact::kFirstStayInStage;
    // Closes at or after the stay began, in event order (an equal instant counts as after).
    bool first_close = true;
    for (const EventFact* c = begin; c != end; ++c) {
      if (c->status == DealStatus::kOpen || c->at < e->at) continue;
      if (c->status == DealStatus::kWon) e->flags |= EventFact::kWonSince;
      if (first_close && c->status == DealStatus::kLost)
        e->flags |= EventFact::kFirstCloseSinceLost;
      first_close = false;
    }
  }
  // What depends on the stage order: whether each stay went on to a later stage, and the
  // furthest stage of the deal's own pipeline.
  d.furthest_stage[r] = 0;
  d.ever_won[r] =
      std::any_of(begin, end, [](const EventFact& e) { return e.status == DealStatus::kWon; });
  const StagePlace* furthest = nullptr;
  for (EventFact* e = begin; e != end; ++e) {
    if (!(e->flags & EventFact::kStayBegins)) continue;
    const StagePlace* place = PlaceOf(data, e->stage);
    if (!place) continue;  // a stage no longer there
    const bool later_stage_after = std::any_of(e + 1, end, [&](const EventFact& later) {
      if (!(later.flags & EventFact::kStayBegins)) return false;
      const StagePlace* p = PlaceOf(data, later.stage);
      return p && p->pipeline == place->pipeline && p->order > place->order;
    });
    if ((e->flags & EventFact::kWonSince) || later_stage_after) e->flags |= EventFact::kAdvanced;
    if (place->pipeline == d.pipeline[r] && (!furthest || place->order > furthest->order)) {
      furthest = place;
    }
  }
  if (furthest) d.furthest_stage[r] = furthest->stage;

  // The open interval.
  if (begin == end) {
    d.open_from[r] = d.created[r];
    d.open_until[r] =
        d.status[r] != DealStatus::kOpen && d.closed[r] != kNoInstant ? d.closed[r] : kStillOpen;
    return;
  }
  // Regular: open events first, then only closed ones. Open just before t when the first event
  // came before t and no close did.
  d.open_from[r] = kNoInstant;
  if (begin->status != DealStatus::kOpen) return;
  const EventFact* e = begin;
  while (e != end && e->status == DealStatus::kOpen) ++e;
  const int64_t closed = e == end ? kStillOpen : e->at;
  for (; e != end; ++e) {
    if (e->status == DealStatus::kOpen) return;  // reopened
  }
  d.open_from[r] = begin->at;
  d.open_until[r] = closed;
}

namespace {

// Orders the gathered stays by an instant, then by row, so that equal instants come out the same
// every time.
template <typename Row>
void SortByInstantThenRow(std::vector<Row>& rows, int64_t Row::*instant) {
  std::sort(rows.begin(), rows.end(), [instant](const Row& a, const Row& b) {
    return a.*instant != b.*instant ? a.*instant < b.*instant : a.row < b.row;
  });
}

}  // namespace

std::unordered_map<Id, StageStays> FactCache::IndexStays(const FactData& data) {
  // Gathered as rows, then sorted and split into the columns.
  struct Ended {
    int64_t leave, millis;
    uint32_t row;
  };
  struct Entered {
    int64_t enter, previous_entry;
    uint32_t row;
    uint8_t flags;
  };
  struct Closed {
    int64_t closed;
    uint32_t row;
    uint8_t won;
  };
  struct Gathered {
    std::vector<Ended> ended;
    std::vector<Entered> entered;
    std::vector<Closed> closed;
  };
  std::unordered_map<Id, Gathered> by_stage;
  const DealColumns& d = data.deals;
  for (size_t r = 0; r < d.size(); ++r) {
    if (d.gone[r]) continue;
    const uint32_t row = static_cast<uint32_t>(r);
    const EventFact* const begin = data.events.data() + d.event_begin[r];
    const EventFact* const end = begin + d.event_count[r];
    const bool closed = d.status[r] != DealStatus::kOpen && d.closed[r] != kNoInstant;
    // A stay (EventFact::kStayBegins) ends at the next stay or close.
    Id stage = 0;  // of the stay being read; 0: none
    int64_t enter = 0;
    for (const EventFact* e = begin; e != end; ++e) {
      const bool begins = e->flags & EventFact::kStayBegins;
      if (!begins && e->status == DealStatus::kOpen) continue;
      if (stage != 0) by_stage[stage].ended.push_back({e->at, e->at - enter, row});
      stage = begins ? e->stage : 0;
      enter = e->at;
      if (!begins) continue;
      Gathered& g = by_stage[stage];
      int64_t previous_entry = kNoInstant;
      for (const EventFact* p = e; p-- != begin;) {
        if ((p->flags & EventFact::kStayBegins) && p->stage == stage) {
          previous_entry = p->at;
          break;
        }
      }
      g.entered.push_back({enter, previous_entry, row, e->flags});
      if (closed && (e->flags & EventFact::kFirstStayInStage)) {
        g.closed.push_back({d.closed[r], row, d.status[r] == DealStatus::kWon});
      }
    }
  }
  std::unordered_map<Id, StageStays> out;
  for (auto& [stage, g] : by_stage) {
    StageStays& stays = out[stage];
    SortByInstantThenRow(g.ended, &Ended::leave);
    for (const Ended& x : g.ended) {
      stays.ended.leave.push_back(x.leave);
      stays.ended.millis.push_back(x.millis);
      stays.ended.row.push_back(x.row);
    }
    SortByInstantThenRow(g.entered, &Entered::enter);
    for (const Entered& x : g.entered) {
      stays.entered.enter.push_back(x.enter);
      stays.entered.previous_entry.push_back(x.previous_entry);
      stays.entered.row.push_back(x.row);
      stays.entered.flags.push_back(x.flags);
    }
    SortByInstantThenRow(g.closed, &Closed::closed);
    for (const Closed& x : g.closed) {
      stays.closed.closed.push_back(x.closed);
      stays.closed.row.push_back(x.row);
      stays.closed.won.push_back(x.won);
    }
    g = Gathered();  // keep the peak of memory down
  }
  return out;
}

void FactCache::ApplyStageOrder(std::vector<StagePlace> order) {
  // Derived on a copy while reports go on reading the current one (only Refresh changes it, and
  // it holds refresh_mu_), then swapped in.
  FactData fresh;
  {
    std::shared_lock lock(data_mu_);
    fresh.deals = data_.deals;
    fresh.events = data_.events;
    fresh.currencies = data_.currencies;
    fresh.lost_reasons = data_.lost_reasons;
  }
  fresh.stage_order = std::move(order);
  for (size_t r = 0; r < fresh.deals.size(); ++r) DeriveHistory(fresh, r);
  fresh.stays = IndexStays(fresh);
  std::fill(fresh.deals.stays_indexed.begin(), fresh.deals.stays_indexed.end(), 1);
  std::unique_lock lock(data_mu_);
  data_ = std::move(fresh);
  unindexed_rows_ = 0;
  stats_.stays_reindexed = true;
}

void FactCache::MarkStaysStale(size_t r) {
  unindexed_rows_ += data_.deals.stays_indexed[r];
  data_.deals.stays_indexed[r] = 0;
}

void FactCache::ReindexStaysIfStale() {
  // Only Refresh changes the copy and it holds refresh_mu_: the index is built while reports
  // go on reading, and only swapped in under the exclusive lock.
  if (unindexed_rows_ <= std::max(reindex_min_rows_, data_.deals.size() / kReindexShare)) return;
  std::unordered_map<Id, StageStays> fresh;
  {
    std::shared_lock lock(data_mu_);
    fresh = IndexStays(data_);
  }
  std::unique_lock lock(data_mu_);
  data_.stays = std::move(fresh);
  std::fill(data_.deals.stays_indexed.begin(), data_.deals.stays_indexed.end(), 1);
  unindexed_rows_ = 0;
  stats_.stays_reindexed = true;
}

Status FactCache::Refresh(Store& store) {
  std::lock_guard refresh_lock(refresh_mu_);
  std::vector<StagePlace> stage_order;
  PD_RETURN_IF_ERROR(store.Read([&](StoreTx& tx) -> Status {
    PD_ASSIGN_OR_RETURN(stage_order, ReadStageOrder(tx));
    if (loaded_) {
      PD_ASSIGN_OR_RETURN(DealChanges changes,
                          tx.DealChangesSince(log_position_, kMaxIncrementalDeals));
      if (!changes.reset) {
        bool applied = true;
        if (!changes.deal_ids.empty()) {
          PD_ASSIGN_OR_RETURN(applied, ApplyChanges(tx, changes.deal_ids));
        } else {
          std::unique_lock lock(data_mu_);
          stats_ = {};
        }
        if (applied) {
          log_position_ = changes.latest;
          return Status::Ok();
        }
      }
    }
    return FullLoad(tx, stage_order);
  }));
  // Only Refresh changes the copy, under refresh_mu_: data_ may be read here without data_mu_.
  if (stage_order != data_.stage_order) {
    ApplyStageOrder(std::move(stage_order));
  } else {
    ReindexStaysIfStale();
  }
  // Keep the log from growing without end. Servers further behind reload everything.
  if (log_position_ - pruned_at_ > kChangeLogKeep / 10) {
    PD_RETURN_IF_ERROR(
        store.Write([&](StoreTx& tx) { return tx.PruneDealChanges(kChangeLogKeep); }));
    pruned_at_ = log_position_;
  }
  return Status::Ok();
}

Status FactCache::FullLoad(StoreTx& tx, const std::vector<StagePlace>& stage_order) {
  // Read the log position first: in one snapshot transaction it names exactly what is read.
  PD_ASSIGN_OR_RETURN(int64_t position, tx.LatestDealChange());
  FactData fresh;
  {
    std::shared_lock lock(data_mu_);
    fresh.currencies = data_.currencies;  // so that indexes stay meaningful across reloads
    fresh.lost_reasons = data_.lost_reasons;
  }
  fresh.stage_order = stage_order;
  DealColumns& d = fresh.deals;
  PD_RETURN_IF_ERROR(tx.ScanDealFacts({}, [&](const DealFactRow& row) {
    AppendRow(fresh, row.id);
    SetRow(fresh, d.size() - 1, row);
  }));
  // Events arrive grouped by deal in deal order, so each deal's run is contiguous.
  size_t row = 0;
  PD_RETURN_IF_ERROR(tx.ScanStageEventFacts({}, [&](const StageEventFactRow& e) {
    while (row < d.size() && d.id[row] < e.deal_id) ++row;
    if (row == d.size() || d.id[row] != e.deal_id) return;
    if (d.event_count[row] == 0) d.event_begin[row] = static_cast<uint32_t>(fresh.events.size());
    ++d.event_count[row];
    fresh.events.push_back(ToEventFact(e));
  }));
  for (size_t r = 0; r < d.size(); ++r) DeriveHistory(fresh, r);
  fresh.stays = IndexStays(fresh);
  std::fill(d.stays_indexed.begin(), d.stays_indexed.end(), 1);
  std::unique_lock lock(data_mu_);
  data_ = std::move(fresh);
  loaded_ = true;
  log_position_ = position;
  live_events_ = data_.events.size();
  unindexed_rows_ = 0;
  stats_ = {true, data_.deals.size(), true};
  return Status::Ok();
}

Result<bool> FactCache::ApplyChanges(StoreTx& tx, const std::vector<Id>& deal_ids) {
  // Read everything first, then change the columns under the exclusive lock.
  std::vector<DealFactRow> rows;
  std::vector<std::string> strings;  // the rows' currency and lost reason, kept alive
  rows.reserve(deal_ids.size());
  strings.reserve(deal_ids.size() * 2);
  PD_RETURN_IF_ERROR(tx.ScanDealFacts(deal_ids, [&](const DealFactRow& row) {
    rows.push_back(row);
    strings.emplace_back(row.currency);
    strings.emplace_back(row.lost_reason);
  }));
  for (size_t i = 0; i < rows.size(); ++i) {
    rows[i].currency = strings[2 * i];
    rows[i].lost_reason = strings[2 * i + 1];
  }
  std::vector<StageEventFactRow> events;
  PD_RETURN_IF_ERROR(
      tx.ScanStageEventFacts(deal_ids, [&](const StageEventFactRow& e) { events.push_back(e); }));

  std::unique_lock lock(data_mu_);
  DealColumns& d = data_.deals;
  auto row_of = [&](Id id) -> int64_t {
    auto it = std::lower_bound(d.id.begin(), d.id.end(), id);
    return it != d.id.end() && *it == id ? it - d.id.begin() : -1;
  };
  // Ids only grow, so a deal not seen yet must come after every row; when one does not (ids
  // handed out out of order), the copy is rebuilt instead.
  for (const DealFactRow& row : rows) {
    if (row_of(row.id) < 0 && !d.id.empty() && row.id < d.id.back()) return false;
  }
  // Changed deals that no longer exist are gone; their history goes with them.
  size_t next_row = 0;
  for (Id id : deal_ids) {
    bool exists = next_row < rows.size() && rows[next_row].id == id;
    if (exists) {
      ++next_row;
      continue;
    }
    if (int64_t r = row_of(id); r >= 0 && !d.gone[r]) {
      d.gone[r] = 1;
      MarkStaysStale(r);
      live_events_ -= d.event_count[r];
      d.event_count[r] = 0;
      d.open_from[r] = kNoInstant;
    }
  }
  size_t event_index = 0;
  for (const DealFactRow& row : rows) {
    int64_t r = row_of(row.id);
    if (r < 0) {
      r = static_cast<int64_t>(d.size());
      AppendRow(data_, row.id);
      ++unindexed_rows_;
    }
    SetRow(data_, static_cast<size_t>(r), row);
    MarkStaysStale(r);
    // The deal's whole history is rewritten at the end of the events.
    live_events_ -= d.event_count[r];
    d.event_begin[r] = static_cast<uint32_t>(data_.events.size());
    d.event_count[r] = 0;
    while (event_index < events.size() && events[event_index].deal_id < row.id) ++event_index;
    while (event_index < events.size() && events[event_index].deal_id == row.id) {
      data_.events.push_back(ToEventFact(events[event_index++]));
      ++d.event_count[r];
    }
    DeriveHistory(data_, static_cast<size_t>(r));
    live_events_ += d.event_count[r];
  }
  stats_ = {false, deal_ids.size()};
  CompactEventsIfWasteful();
  return true;
}

void FactCache::CompactEventsIfWasteful() {
  if (data_.events.size() < 1024 || data_.events.size() < 2 * live_events_) return;
  std::vector<EventFact> compact;
  compact.reserve(live_events_);
  DealColumns& d = data_.deals;
  for (size_t r = 0; r < d.size(); ++r) {
    uint32_t begin = static_cast<uint32_t>(compact.size());
    compact.insert(compact.end(), data_.events.begin() + d.event_begin[r],
                   data_.events.begin() + d.event_begin[r] + d.event_count[r]);
    d.event_begin[r] = begin;
  }
  data_.events = std::move(compact);
}

}  // namespace pipedeck
