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

}  // namespace

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

Status FactCache::Refresh(Store& store) {
  std::lock_guard refresh_lock(refresh_mu_);
  PD_RETURN_IF_ERROR(store.Read([&](StoreTx& tx) -> Status {
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
    return FullLoad(tx);
  }));
  // Keep the log from growing without end. Servers further behind reload everything.
  if (log_position_ - pruned_at_ > kChangeLogKeep / 10) {
    PD_RETURN_IF_ERROR(
        store.Write([&](StoreTx& tx) { return tx.PruneDealChanges(kChangeLogKeep); }));
    pruned_at_ = log_position_;
  }
  return Status::Ok();
}

Status FactCache::FullLoad(StoreTx& tx) {
  // Read the log position first: in one snapshot transaction it names exactly what is read.
  PD_ASSIGN_OR_RETURN(int64_t position, tx.LatestDealChange());
  FactData fresh;
  {
    std::shared_lock lock(data_mu_);
    fresh.currencies = data_.currencies;  // so that indexes stay meaningful across reloads
    fresh.lost_reasons = data_.lost_reasons;
  }
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
  std::unique_lock lock(data_mu_);
  data_ = std::move(fresh);
  loaded_ = true;
  log_position_ = position;
  live_events_ = data_.events.size();
  stats_ = {true, data_.deals.size()};
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
    }
    SetRow(data_, static_cast<size_t>(r), row);
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
