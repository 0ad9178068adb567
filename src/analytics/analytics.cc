#include "analytics/analytics.h"

#include <algorithm>
#include <cmath>
#include <future>
#include <map>
#include <string>
#include <utility>

#include "analytics/deal_passes.h"
#include "analytics/fact_cache.h"
#include "analytics/report_context.h"

namespace pipedeck {

// ---- Analytics ----------------------------------------------------------------------------------

Analytics::Analytics(Store& store, const Clock& clock)
    : store_(store),
      clock_(clock),
      facts_(std::make_unique<FactCache>()),
      stay_buffers_(std::make_unique<StayBufferPool>()) {}
Analytics::~Analytics() = default;

Result<Dashboard> Analytics::GetDashboard(const AnalyticsScope& scope) {
  PD_RETURN_IF_ERROR(facts_->Refresh(store_));
  Period period = scope.period.period;
  // The leaderboard's activity counts come from the database: read them on a thread of their
  // own while the deals are read from the copy.
  using ActivitiesByOwner = std::map<Id, int64_t>;
  std::future<Result<ActivitiesByOwner>> activities_read =
      std::async(std::launch::async, [&]() -> Result<ActivitiesByOwner> {
        ActivitiesByOwner done;
        PD_RETURN_IF_ERROR(store_.Read([&](StoreTx& tx) -> Status {
          PD_ASSIGN_OR_RETURN(done, tx.CountDoneActivitiesByOwner(period.from, period.to));
          return Status::Ok();
        }));
        return done;
      });
  Catalog catalog;
  PD_RETURN_IF_ERROR(store_.Read([&](StoreTx& tx) -> Status {
    PD_ASSIGN_OR_RETURN(catalog, LoadCatalog(tx));
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

  // One pass over the deals in view, in chunks on every worker (DashboardPasses); the stays of
  // most deals are then read from the index instead of their events (ReadStageIndex).
  const Period previous_period = out.previous_period.period;
  const IndexedStays indexed = IndexedStaysOf(v);
  std::unique_ptr<StayBuffers> stay_buffers = stay_buffers_->Take();
  stay_buffers->Reset(2, catalog.stages.size());
  std::vector<DashboardPasses> passes;
  passes.reserve(kWorkers);
  for (size_t w = 0; w < kWorkers; ++w) {
    passes.emplace_back(v, period, previous_period, now, &indexed, &stay_buffers->walked[w]);
  }
  ForChunks(v.rows.size(),
            [&](size_t worker, size_t begin, size_t end) { passes[worker].AddRows(begin, end); });
  DashboardPasses& all = passes[0];
  for (size_t w = 1; w < kWorkers; ++w) all.Merge(std::move(passes[w]));
  auto [current, previous] = std::move(all.periods).Finish();
  const OpenNowPass& open_now = all.open;
  for (size_t slot = 0; slot < current.owners.size(); ++slot) {
    current.owners[slot].open_deals = open_now.owners[slot].first;
    current.owners[slot].open_value_minor = open_now.owners[slot].second;
  }
  out.trend = std::move(all.trend).Finish();
  out.lost = std::move(all.lost).Finish();
  std::vector<StageFigures> both = std::move(all.stages).Finish();
  out.current = current.headline;
  out.previous = previous.headline;

  std::vector<bool> stages_in_scope(catalog.stages.size());
  for (size_t slot = 0; slot < catalog.stages.size(); ++slot) {
    stages_in_scope[slot] = filter.CoversPipeline(catalog.stages[slot].pipeline_id);
  }
  IndexedStageFigures from_index = ReadStageIndex(
      *stay_buffers, indexed, {SpanOf(period), SpanOf(previous_period)}, stages_in_scope);
  stay_buffers_->Return(std::move(stay_buffers));
  for (size_t p = 0; p < 2; ++p) {
    for (size_t slot = 0; slot < catalog.stages.size(); ++slot) {
      both[p].stages[slot] += from_index.counts[p][slot];
    }
  }
  StageFigures& stages = both[0];
  StageFigures& previous_stages = both[1];
  // Time in stage, in days: the current period's distribution and the previous period's median.
  const StaySummaries& stay_summaries = from_index.time_in_stage;
  std::map<Id, int32_t> last_order;
  for (const StageInfo& s : catalog.stages) last_order[s.pipeline_id] = s.order;
  for (size_t slot = 0; slot < catalog.stages.size(); ++slot) {
    const StageInfo& s = catalog.stages[slot];
    if (!filter.CoversPipeline(s.pipeline_id)) continue;
    StageSnapshot snap;
    snap.stage_id = s.id;
    snap.pipeline_id = s.pipeline_id;
    snap.open_deals = open_now.stages[slot].count;
    snap.value_minor = open_now.stages[slot].value;
    snap.weighted_minor = open_now.stages[slot].weighted.Minor();
    snap.share = Ratio(snap.open_deals, open_now.total);
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
    StageTime t{s.id, s.pipeline_id, stay_summaries.current[slot],
                stay_summaries.previous_median[slot]};
    out.time_in_stage.push_back(t);

    FunnelStep f{s.id, s.pipeline_id, stages.Reached(catalog, slot), std::nullopt};
    f.share_of_created = Ratio(f.reached, stages.created);
    out.funnel.push_back(f);
  }
  out.funnel_created = stages.created;
  out.funnel_won = stages.won;

  // Leaderboard: every user who could own deals in scope and has something to show, plus the
  // active users the scope covers.
  PD_ASSIGN_OR_RETURN(const ActivitiesByOwner activities_done, activities_read.get());
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

  auto [current, previous] =
      ComputePeriods(v, scope.period.period, PreviousPeriod(scope.period).period, now);
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
