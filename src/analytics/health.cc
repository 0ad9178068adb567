// The health report and a rep's day plan (analytics/analytics.h).
//
// Flags (thresholds from HealthSettings, history over the look-back window ending now):
//   rotting           open deal untouched past its stage's rotting days (core IsRotting).
//   stuck             in its stage longer than the stage's own p<stuck_percentile> of past stays
//                     (stays that ended in the look-back; needs stuck_min_samples of them).
//   overdue           its next activity is due before today.
//   no_next_activity  open with no planned activity.
//   aged              open longer than p<aged_percentile> of the creation-to-won days of deals
//                     won in the look-back (needs stuck_min_samples won deals).
//   stage_overload    a stage's share of its pipeline's open deals exceeds overload_factor × its
//                     historical share: the share of deal-days spent in it over the look-back
//                     (by Little's law, the average share of open deals it held), with at least
//                     overload_min_deals open deals in it.
//   late_stage_overload  a rep holds more than late_stage_limit open deals in late stages.
//   thin_pipeline     a won-value quota in force today whose coverage is below coverage_target.
//   unqualified_effort  deals lost in the look-back with a reason listed in unqualified_reasons,
//                     per rep, with the activities done on them and the days they were open.
#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string>
#include <utility>

#include "analytics/analytics.h"
#include "analytics/fact_cache.h"
#include "analytics/report_context.h"
#include "core/deal_rules.h"
#include "core/text.h"

namespace pipedeck {
namespace {

// A finding lists at most this many deals (the worst first); deal_count says how many there are.
constexpr size_t kMaxListedDeals = 200;

std::string FormatDays(double days) {
  long rounded = std::lround(std::floor(days));
  return std::to_string(rounded) + (rounded == 1 ? " day" : " days");
}

std::string FormatPercent(double share) { return std::to_string(std::lround(share * 100)) + "%"; }

bool IsLateStageName(const std::string& name) {
  std::string folded = FoldCase(name);
  return folded.find("proposal") != std::string::npos ||
         folded.find("quote") != std::string::npos || folded.find("negotiat") != std::string::npos;
}

FlaggedDeal Flagged(const Deal& deal, std::string reason, double measure, double threshold) {
  FlaggedDeal f;
  f.deal_id = deal.id;
  f.title = deal.title;
  f.pipeline_id = deal.pipeline_id;
  f.stage_id = deal.stage_id;
  f.owner_id = deal.owner_id;
  f.value_minor = deal.value.amount_minor;
  f.currency = deal.value.currency;
  f.reason = std::move(reason);
  f.measure = measure;
  f.threshold = threshold;
  return f;
}

// Sorts a finding's deals worst first (largest measure) and keeps the first kMaxListedDeals.
void Finish(HealthFinding& f) {
  auto worst_first = [](const FlaggedDeal& a, const FlaggedDeal& b) {
    if (a.measure != b.measure) return a.measure > b.measure;
    return a.deal_id < b.deal_id;
  };
  std::sort(f.deals.begin(), f.deals.end(), worst_first);
  std::sort(f.snoozed.begin(), f.snoozed.end(), worst_first);
  f.deal_count = static_cast<int64_t>(f.deals.size());
  if (f.deals.size() > kMaxListedDeals) f.deals.resize(kMaxListedDeals);
  if (f.snoozed.size() > kMaxListedDeals) f.snoozed.resize(kMaxListedDeals);
}

}  // namespace

Result<HealthReport> Analytics::GetHealth(const AnalyticsScope& scope) {
  PD_RETURN_IF_ERROR(facts_->Refresh(store_));
  Timestamp now = clock_.Now();
  Date today = DateOf(now);
  Catalog catalog;
  HealthReport report;
  report.day = today;
  std::vector<Deal> open;
  std::map<std::pair<Id, HealthFlag>, FlagSnooze> snoozes;
  PD_RETURN_IF_ERROR(store_.Read([&](StoreTx& tx) -> Status {
    PD_ASSIGN_OR_RETURN(catalog, LoadCatalog(tx));
    PD_ASSIGN_OR_RETURN(report.settings, ReadHealthSettings([&](const std::string& key) {
                          return tx.GetSetting(key);
                        }));
    PD_RETURN_IF_ERROR(
        tx.ScanOpenDeals(scope.pipeline_id, [&](const Deal& d) { open.push_back(d); }));
    PD_ASSIGN_OR_RETURN(std::vector<FlagSnooze> in_force, tx.SnoozesInForce(today));
    for (FlagSnooze& s : in_force) snoozes[{s.deal_id, s.flag}] = std::move(s);
    return Status::Ok();
  }));
  PD_ASSIGN_OR_RETURN(ScopeFilter filter, ScopeFilter::Make(catalog, scope));
  report.names = catalog.Names();
  const HealthSettings& cfg = report.settings;
  std::erase_if(open, [&](const Deal& d) { return !filter.Matches(d.pipeline_id, d.owner_id); });

  // History-based thresholds over the look-back window.
  int64_t window_from = AddDays(now, -cfg.lookback_days).millis;
  // Per stage slot (Catalog::stage_slots): the stays that ended in the window, in days, and the
  // deal-days spent in it within the window.
  std::vector<std::vector<double>> stay_days(catalog.stages.size());
  std::vector<double> stage_deal_days(catalog.stages.size());
  std::vector<double> won_cycles;
  struct Unqualified {
    Id deal_id;
    double days;
  };
  std::map<Id, std::vector<Unqualified>> unqualified;  // per owner
  std::set<std::string> unqualified_reasons;
  for (const std::string& r : cfg.unqualified_reasons) unqualified_reasons.insert(FoldCase(r));
  {
    FactCache::Snapshot snapshot = facts_->Read();
    const FactData& data = snapshot.data();
    const DealColumns& d = data.deals;
    std::vector<bool> is_unqualified(data.lost_reasons.size());
    for (size_t i = 0; i < data.lost_reasons.size(); ++i) {
      is_unqualified[i] = unqualified_reasons.contains(FoldCase(data.lost_reasons[i]));
    }
    DealHistoryView h;
    for (size_t r = 0; r < d.size(); ++r) {
      const uint32_t count = d.event_count[r];
      if (d.gone[r] || count == 0 || !filter.Matches(d.pipeline[r], d.owner[r])) continue;
      // A closed deal whose history ended before the window adds nothing to it.
      if (d.status[r] != DealStatus::kOpen &&
          data.events[d.event_begin[r] + count - 1].at < window_from) {
        continue;
      }
      ReadHistory(data, r, h);
      for (const Stay& stay : h.stays) {
        const int32_t slot = catalog.stage_slots.Find(stay.stage);
        if (slot < 0) continue;
        int64_t leave = stay.leave == kNoInstant ? now.millis : stay.leave;
        if (stay.leave != kNoInstant && stay.leave >= window_from) {
          stay_days[slot].push_back(DaysBetweenMillis(stay.enter, stay.leave));
        }
        int64_t from = std::max(stay.enter, window_from);
        if (leave > from) stage_deal_days[slot] += DaysBetweenMillis(from, leave);
      }
      bool closed_in_window = d.closed[r] != kNoInstant && d.closed[r] >= window_from;
      if (d.status[r] == DealStatus::kWon && closed_in_window) {
        won_cycles.push_back(DaysBetweenMillis(d.created[r], d.closed[r]));
      }
      if (d.status[r] == DealStatus::kLost && closed_in_window && d.lost_reason[r] >= 0 &&
          is_unqualified[d.lost_reason[r]]) {
        unqualified[d.owner[r]].push_back({d.id[r], DaysBetweenMillis(d.created[r], d.closed[r])});
      }
    }
  }

  auto finding = [](HealthFlag flag) {
    HealthFinding f;
    f.flag = flag;
    return f;
  };
  // Adds a deal to a finding, or to its snoozed list when the flag is snoozed on it.
  auto add = [&](HealthFinding& f, FlaggedDeal deal) {
    auto it = snoozes.find({deal.deal_id, f.flag});
    if (it != snoozes.end()) {
      deal.snooze = it->second;
      f.snoozed.push_back(std::move(deal));
    } else {
      f.deals.push_back(std::move(deal));
    }
  };

  HealthFinding rotting = finding(HealthFlag::kRotting);
  HealthFinding stuck = finding(HealthFlag::kStuck);
  HealthFinding overdue = finding(HealthFlag::kOverdue);
  HealthFinding no_next = finding(HealthFlag::kNoNextActivity);
  HealthFinding aged = finding(HealthFlag::kAged);
  std::map<Id, double> stuck_limit;
  for (size_t slot = 0; slot < stay_days.size(); ++slot) {
    const std::vector<double>& days = stay_days[slot];
    const Id stage = catalog.stages[slot].id;
    if (static_cast<int64_t>(days.size()) >= cfg.stuck_min_samples) {
      if (Figure p = Percentile(days, cfg.stuck_percentile)) stuck_limit[stage] = *p;
    }
  }
  std::optional<double> aged_limit;
  if (static_cast<int64_t>(won_cycles.size()) >= cfg.stuck_min_samples) {
    aged_limit = Percentile(won_cycles, cfg.aged_percentile);
  }
  std::set<Id> late_stages(cfg.late_stage_ids.begin(), cfg.late_stage_ids.end());
  if (late_stages.empty()) {
    for (const StageInfo& s : catalog.stages) {
      if (IsLateStageName(s.name)) late_stages.insert(s.id);
    }
  }
  std::map<Id, std::vector<const Deal*>> late_by_owner;
  std::map<Id, std::vector<const Deal*>> open_by_stage;
  std::map<Id, int64_t> open_by_pipeline;
  for (const Deal& deal : open) {
    const StageInfo* info = catalog.StageOf(deal.stage_id);
    open_by_stage[deal.stage_id].push_back(&deal);
    ++open_by_pipeline[deal.pipeline_id];
    if (late_stages.contains(deal.stage_id)) late_by_owner[deal.owner_id].push_back(&deal);
    if (info) {
      Stage stage;
      stage.id = info->id;
      stage.rotting_days = info->rotting_days;
      if (IsRotting(deal, stage, now)) {
        double idle = DaysBetweenMillis(
            RottingFrom(deal, stage)->millis - 1 - int64_t{*info->rotting_days} * kMillisPerDay,
            now.millis);
        add(rotting, Flagged(deal,
                             "no activity for " + FormatDays(idle) + "; " + info->name +
                                 " allows " + FormatDays(*info->rotting_days),
                             std::floor(idle), *info->rotting_days));
      }
    }
    double in_stage = DaysBetweenMillis(deal.stage_changed_at.millis, now.millis);
    if (auto it = stuck_limit.find(deal.stage_id);
        it != stuck_limit.end() && in_stage > it->second) {
      add(stuck, Flagged(deal,
                         FormatDays(in_stage) + " in " + (info ? info->name : "its stage") + "; " +
                             std::to_string(cfg.stuck_percentile) + "% of stays there end within " +
                             FormatDays(std::ceil(it->second)),
                         std::floor(in_stage), it->second));
    }
    if (HasOverdueNextActivity(deal, now)) {
      int32_t late = today.days - deal.next_activity_date->days;
      add(overdue, Flagged(deal,
                           "next activity was due " + FormatDate(*deal.next_activity_date) + " (" +
                               FormatDays(late) + " ago)",
                           late, 0));
    }
    if (!deal.next_activity_date) {
      double idle = DaysBetweenMillis(
          std::max(deal.updated_at, deal.last_activity_at.value_or(deal.updated_at)).millis,
          now.millis);
      add(no_next, Flagged(deal, "no activity planned; last touched " + FormatDays(idle) + " ago",
                           std::floor(idle), 0));
    }
    double age = DaysBetweenMillis(deal.created_at.millis, now.millis);
    if (aged_limit && age > *aged_limit) {
      add(aged, Flagged(deal,
                        "open for " + FormatDays(age) + "; " + std::to_string(cfg.aged_percentile) +
                            "% of won deals closed within " + FormatDays(std::ceil(*aged_limit)),
                        std::floor(age), *aged_limit));
    }
  }
  auto push_deal_finding = [&](HealthFinding& f, const std::string& what) {
    if (f.deals.empty() && f.snoozed.empty()) return;
    Finish(f);
    f.summary = std::to_string(f.deal_count) + (f.deal_count == 1 ? " deal " : " deals ") + what;
    report.findings.push_back(std::move(f));
  };
  push_deal_finding(rotting, "rotting past their stage's limit");
  push_deal_finding(stuck, "in their stage longer than usual");
  push_deal_finding(overdue, "with an overdue next activity");
  push_deal_finding(no_next, "without a next activity");

  // Stage overload, in stage order.
  std::map<Id, double> pipeline_deal_days;
  for (size_t slot = 0; slot < catalog.stages.size(); ++slot) {
    pipeline_deal_days[catalog.stages[slot].pipeline_id] += stage_deal_days[slot];
  }
  for (const StageInfo& s : catalog.stages) {
    if (!filter.CoversPipeline(s.pipeline_id)) continue;
    auto it = open_by_stage.find(s.id);
    if (it == open_by_stage.end()) continue;
    int64_t count = static_cast<int64_t>(it->second.size());
    Figure share = Ratio(count, open_by_pipeline[s.pipeline_id]);
    Figure usual =
        Ratio(stage_deal_days[catalog.stage_slots.Find(s.id)], pipeline_deal_days[s.pipeline_id]);
    if (!share || !usual || count < cfg.overload_min_deals ||
        *share <= *usual * cfg.overload_factor) {
      continue;
    }
    HealthFinding f = finding(HealthFlag::kStageOverload);
    f.stage_id = s.id;
    f.measure = *share;
    f.threshold = *usual * cfg.overload_factor;
    f.summary = s.name + " holds " + FormatPercent(*share) + " of open deals (" +
                std::to_string(count) + "); usually " + FormatPercent(*usual);
    for (const Deal* deal : it->second) {
      add(f, Flagged(*deal, "one of " + std::to_string(count) + " open deals in " + s.name,
                     DaysBetweenMillis(deal->stage_changed_at.millis, now.millis), 0));
    }
    Finish(f);
    report.findings.push_back(std::move(f));
  }

  // Late-stage overload, per rep.
  for (const auto& [owner, deals] : late_by_owner) {
    if (static_cast<int64_t>(deals.size()) <= cfg.late_stage_limit) continue;
    HealthFinding f = finding(HealthFlag::kLateStageOverload);
    f.owner_id = owner;
    f.measure = static_cast<double>(deals.size());
    f.threshold = cfg.late_stage_limit;
    std::string name = catalog.users.contains(owner) ? catalog.users.at(owner).name : "A rep";
    f.summary = name + " has " + std::to_string(deals.size()) +
                " deals in proposal or negotiation at once; the limit is " +
                std::to_string(cfg.late_stage_limit);
    for (const Deal* deal : deals) {
      const StageInfo* info = catalog.StageOf(deal->stage_id);
      add(f, Flagged(*deal, "in " + (info ? info->name : std::string("a late stage")),
                     DaysBetweenMillis(deal->stage_changed_at.millis, now.millis), 0));
    }
    Finish(f);
    report.findings.push_back(std::move(f));
  }

  // Thin pipeline: won-value quotas in force today.
  PD_ASSIGN_OR_RETURN(std::vector<QuotaStatus> quotas, GetQuotas(scope, today));
  for (const QuotaStatus& q : quotas) {
    if (q.quota.metric != QuotaMetric::kWonValue || !q.coverage ||
        *q.coverage >= cfg.coverage_target) {
      continue;
    }
    HealthFinding f = finding(HealthFlag::kThinPipeline);
    f.quota_id = q.quota.id;
    if (q.quota.user_id) f.owner_id = q.quota.user_id;
    f.measure = *q.coverage;
    f.threshold = cfg.coverage_target;
    char coverage[32];
    std::snprintf(coverage, sizeof coverage, "%.1f", *q.coverage);
    char target[32];
    std::snprintf(target, sizeof target, "%.1f", cfg.coverage_target);
    f.summary = q.subject_name + ": open pipeline covers " + coverage + "× of the " +
                QuotaPeriodName(q.quota.period) + "'s remaining quota; the target is " + target +
                "×";
    report.findings.push_back(std::move(f));
  }

  // Effort on deals later lost as unqualified, per rep.
  if (!unqualified.empty()) {
    std::vector<Id> ids;
    for (const auto& [owner, deals] : unqualified) {
      for (const Unqualified& u : deals) ids.push_back(u.deal_id);
    }
    std::map<Id, int64_t> activities;
    std::map<Id, Deal> deals_by_id;
    PD_RETURN_IF_ERROR(store_.Read([&](StoreTx& tx) -> Status {
      PD_ASSIGN_OR_RETURN(activities, tx.CountDoneActivitiesOfDeals(ids));
      return Status::Ok();
    }));
    for (const auto& [owner, deals] : unqualified) {
      HealthFinding f = finding(HealthFlag::kUnqualifiedEffort);
      f.owner_id = owner;
      int64_t total_activities = 0;
      double total_days = 0;
      std::vector<std::pair<int64_t, const Unqualified*>> worst;
      for (const Unqualified& u : deals) {
        int64_t n = activities.contains(u.deal_id) ? activities.at(u.deal_id) : 0;
        total_activities += n;
        total_days += u.days;
        worst.emplace_back(n, &u);
      }
      std::sort(worst.begin(), worst.end(), [](const auto& a, const auto& b) {
        if (a.first != b.first) return a.first > b.first;
        return a.second->deal_id < b.second->deal_id;
      });
      if (worst.size() > kMaxListedDeals) worst.resize(kMaxListedDeals);
      PD_RETURN_IF_ERROR(store_.Read([&](StoreTx& tx) -> Status {
        for (const auto& [n, u] : worst) {
          PD_ASSIGN_OR_RETURN(Deal deal, tx.GetDeal(u->deal_id));
          f.deals.push_back(
              Flagged(deal,
                      "lost as \"" + deal.lost_reason + "\" after " + std::to_string(n) +
                          (n == 1 ? " activity over " : " activities over ") + FormatDays(u->days),
                      static_cast<double>(n), 0));
        }
        return Status::Ok();
      }));
      f.deal_count = static_cast<int64_t>(deals.size());
      f.measure = static_cast<double>(total_activities);
      std::string name = catalog.users.contains(owner) ? catalog.users.at(owner).name : "A rep";
      f.summary = name + " spent " + std::to_string(total_activities) +
                  (total_activities == 1 ? " activity" : " activities") + " and " +
                  FormatDays(total_days) + " on " + std::to_string(deals.size()) +
                  (deals.size() == 1 ? " deal" : " deals") + " later lost as unqualified";
      report.findings.push_back(std::move(f));
    }
  }

  push_deal_finding(aged, "open longer than the usual sales cycle");
  std::stable_sort(report.findings.begin(), report.findings.end(),
                   [](const HealthFinding& a, const HealthFinding& b) { return a.flag < b.flag; });
  return report;
}

// ---- Day plan
// ---------------------------------------------------------------------------------------

Result<DayPlan> Analytics::GetDayPlan(Id owner_id) {
  Timestamp now = clock_.Now();
  DayPlan plan;
  plan.owner_id = owner_id;
  plan.day = DateOf(now);
  Catalog catalog;
  std::vector<Activity> activities;
  std::vector<Deal> idle;
  std::map<Id, Deal> deals;
  PD_RETURN_IF_ERROR(store_.Read([&](StoreTx& tx) -> Status {
    PD_ASSIGN_OR_RETURN(catalog, LoadCatalog(tx));
    if (!catalog.users.contains(owner_id)) {
      return Status::NotFound("no user with this id", "owner_id");
    }
    ListQuery q;
    q.owner_id = owner_id;
    q.done = false;
    q.due_to = plan.day;
    q.sort = SortField::kDueDate;
    q.limit = 500;
    PD_ASSIGN_OR_RETURN(Page<Activity> page, tx.ListActivities(q));
    activities = std::move(page.items);
    ListQuery dq;
    dq.owner_id = owner_id;
    dq.status = DealStatus::kOpen;
    dq.has_next_activity = false;
    dq.sort = SortField::kUpdatedAt;
    dq.limit = 500;
    PD_ASSIGN_OR_RETURN(Page<Deal> deal_page, tx.ListDeals(dq));
    idle = std::move(deal_page.items);
    for (const Activity& a : activities) {
      if (a.deal_id && !deals.contains(*a.deal_id)) {
        PD_ASSIGN_OR_RETURN(Deal d, tx.GetDeal(*a.deal_id));
        deals.emplace(d.id, std::move(d));
      }
    }
    return Status::Ok();
  }));
  plan.names = catalog.Names();
  // Groups: no stage first, then the catalog's order (pipelines, then stages).
  std::map<size_t, DayPlanGroup> groups;
  auto group_of = [&](std::optional<Id> stage_id) -> DayPlanGroup& {
    size_t key = 0;
    if (stage_id) {
      int32_t slot = catalog.stage_slots.Find(*stage_id);
      key = slot < 0 ? catalog.stages.size() + 1 : static_cast<size_t>(slot) + 1;
    }
    DayPlanGroup& g = groups[key];
    if (stage_id) {
      g.stage_id = *stage_id;
      if (const StageInfo* s = catalog.StageOf(*stage_id)) g.pipeline_id = s->pipeline_id;
    }
    return g;
  };
  for (Activity& a : activities) {
    std::optional<Id> stage;
    if (a.deal_id) stage = deals.at(*a.deal_id).stage_id;
    DayPlanGroup& g = group_of(stage);
    if (IsOverdue(a, now)) {
      g.overdue.push_back(std::move(a));
    } else {
      g.today.push_back(std::move(a));
    }
  }
  for (Deal& d : idle) group_of(d.stage_id).needs_next_step.push_back(std::move(d));
  for (auto& [key, g] : groups) plan.groups.push_back(std::move(g));
  return plan;
}

}  // namespace pipedeck
