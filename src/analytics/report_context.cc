#include "analytics/report_context.h"

#include <algorithm>
#include <utility>

namespace pipedeck {
namespace {

// Reads every page of a list into `out`.
template <typename T, typename ListFn>
Status ReadAll(ListFn list, std::vector<T>& out) {
  ListQuery q;
  q.limit = 500;
  while (true) {
    PD_ASSIGN_OR_RETURN(Page<T> page, list(q));
    for (T& item : page.items) out.push_back(std::move(item));
    if (page.next_cursor.empty()) return Status::Ok();
    q.cursor = page.next_cursor;
  }
}

}  // namespace

Result<Catalog> LoadCatalog(StoreTx& tx) {
  Catalog c;
  PD_RETURN_IF_ERROR(ReadAll<Pipeline>(
      [&](const ListQuery& q) {
        ListQuery sorted = q;
        sorted.sort = SortField::kPosition;
        return tx.ListPipelines(sorted);
      },
      c.pipelines));
  for (size_t i = 0; i < c.pipelines.size(); ++i) {
    const Pipeline& p = c.pipelines[i];
    c.pipeline_slots.Add(p.id, static_cast<int32_t>(i));
    PD_ASSIGN_OR_RETURN(std::vector<Stage> stages, tx.StagesOfPipeline(p.id));
    for (const Stage& s : stages) {
      c.stage_slots.Add(s.id, static_cast<int32_t>(c.stages.size()));
      c.stages.push_back({s.id, s.pipeline_id, s.order, s.probability, s.rotting_days, s.name});
    }
  }
  std::vector<User> users;
  PD_RETURN_IF_ERROR(ReadAll<User>([&](const ListQuery& q) { return tx.ListUsers(q); }, users));
  for (User& u : users) {
    c.user_slots.Add(u.id, static_cast<int32_t>(c.user_ids.size()));
    c.user_ids.push_back(u.id);
    c.users.emplace(u.id, std::move(u));
  }
  std::vector<Team> teams;
  PD_RETURN_IF_ERROR(ReadAll<Team>([&](const ListQuery& q) { return tx.ListTeams(q); }, teams));
  for (Team& t : teams) c.teams.emplace(t.id, std::move(t));
  PD_ASSIGN_OR_RETURN(std::optional<std::string> currency, tx.GetSetting("default_currency"));
  c.currency = currency.value_or("USD");
  return c;
}

ReportNames Catalog::Names() const {
  ReportNames names;
  for (const Pipeline& p : pipelines) names.pipelines[p.id] = p.name;
  for (const StageInfo& s : stages) names.stages[s.id] = s.name;
  for (const auto& [id, u] : users) names.users[id] = u.name;
  for (const auto& [id, t] : teams) names.teams[id] = t.name;
  return names;
}

Result<ScopeFilter> ScopeFilter::Make(const Catalog& catalog, const AnalyticsScope& scope) {
  ScopeFilter f;
  if (scope.pipeline_id) {
    bool known = std::any_of(catalog.pipelines.begin(), catalog.pipelines.end(),
                             [&](const Pipeline& p) { return p.id == *scope.pipeline_id; });
    if (!known) return Status::NotFound("no pipeline with this id", "pipeline_id");
    f.pipeline_ = scope.pipeline_id;
  }
  if (scope.owner_id) {
    if (!catalog.users.contains(*scope.owner_id)) {
      return Status::NotFound("no user with this id", "owner_id");
    }
    f.owner_ = scope.owner_id;
  }
  if (scope.team_id) {
    if (!catalog.teams.contains(*scope.team_id)) {
      return Status::NotFound("no team with this id", "team_id");
    }
    f.team_ = scope.team_id;
    for (const auto& [id, u] : catalog.users) {
      if (u.team_id == scope.team_id) f.team_members_[id] = true;
    }
  }
  return f;
}

void ReadHistory(const FactData& data, size_t row, DealHistoryView& out) {
  out.stays.clear();
  out.closings.clear();
  const DealColumns& d = data.deals;
  const EventFact* e = data.events.data() + d.event_begin[row];
  const EventFact* end = e + d.event_count[row];
  bool in_stay = false;
  for (; e != end; ++e) {
    if (e->status == DealStatus::kOpen) {
      if (e->stage == 0 || (in_stay && out.stays.back().stage == e->stage)) continue;
      if (in_stay) out.stays.back().leave = e->at;
      out.stays.push_back({e->stage, e->at, kNoInstant, std::nullopt});
      in_stay = true;
    } else {
      if (in_stay) {
        out.stays.back().leave = e->at;
        out.stays.back().exit = e->status;
        in_stay = false;
      }
      out.closings.emplace_back(e->at, e->status);
    }
  }
}

bool OpenBeforeByEvents(const FactData& data, size_t row, int64_t at) {
  const DealColumns& d = data.deals;
  const EventFact* begin = data.events.data() + d.event_begin[row];
  const EventFact* end = begin + d.event_count[row];
  std::optional<DealStatus> status;
  for (const EventFact* e = begin; e != end && e->at < at; ++e) status = e->status;
  return status == DealStatus::kOpen;
}

}  // namespace pipedeck
