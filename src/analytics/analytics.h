// Analytics: computes the reports of analytics/reports.h from the store.
//
// Dashboard and forecast figures come from a columnar copy of every deal's analytic columns and
// stage history kept in memory (analytics/fact_cache.h). Each call first brings the copy up to
// date through the store's deal change log: a few indexed reads when little changed, a full
// reload after a bulk load or when the log no longer reaches back; several app servers sharing one
// database each keep their own copy and all see every change. Health and the day plan read open
// deals and activities straight from the store (they depend on activity dates that change
// without a deal edit).
//
// Errors: kInvalid naming the parameter for bad scopes (an unknown pipeline, owner or team is
// kNotFound naming pipeline_id / owner_id / team_id); kInternal from the store.
//
// Thread-safety: an Analytics is shared by all server threads; the fact copy is guarded inside.
#pragma once

#include <memory>
#include <optional>

#include "analytics/reports.h"
#include "core/status.h"
#include "core/time.h"
#include "store/store.h"

namespace pipedeck {

class FactCache;
class StayBufferPool;  // buffers for time in stage kept between reports (analytics.cc)

class Analytics {
 public:
  Analytics(Store& store, const Clock& clock);
  ~Analytics();
  Analytics(const Analytics&) = delete;
  Analytics& operator=(const Analytics&) = delete;

  Result<Dashboard> GetDashboard(const AnalyticsScope& scope);
  // `months`: how many months from the current one (1..24).
  Result<Forecast> GetForecast(const AnalyticsScope& scope, int months);
  // The quotas that apply on `day` (default today) and match the scope: an owner scope shows that
  // rep's quotas, their team's and the company's; a team scope the team's, its members' and the
  // company's; no owner or team, all of them. A pipeline scope leaves out quotas limited to
  // another pipeline.
  Result<std::vector<QuotaStatus>> GetQuotas(const AnalyticsScope& scope, std::optional<Date> day);
  // Errors: kInvalid "target" / "average_deal_size" / "close_rate" / "reps"; when history gives
  // no average or close rate and none is given, kInvalid naming it ("no won deals in the period:
  // give average_deal_size").
  Result<PipelinePlan> GetPlan(const AnalyticsScope& scope, const PlannerRequest& request);
  // Flags are about now; the history behind the thresholds is the settings' look-back window
  // (the scope's period is not used).
  Result<HealthReport> GetHealth(const AnalyticsScope& scope);
  Result<DayPlan> GetDayPlan(Id owner_id);

  // Takes the current month's forecast snapshot unless one exists (see ForecastSnapshot). Returns
  // whether it took one. The server calls it on start and every hour.
  Result<bool> TakeForecastSnapshot();

 private:
  Store& store_;
  const Clock& clock_;
  std::unique_ptr<FactCache> facts_;
  std::unique_ptr<StayBufferPool> stay_buffers_;
};

}  // namespace pipedeck
