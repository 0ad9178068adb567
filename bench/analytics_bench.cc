// analytics_bench: times the manager's dashboard on a generated workspace, beside a plain scan of
// the same in-memory columns measured in the same run (the reference).
//
//   analytics_bench --db FILE --now ISO [--runs 20] [--pipeline ID] [--only-dashboard 1]
//
// Prints "key<TAB>value" lines for run.sh's meta file (report.cc turns them into the Analytics
// section of docs/benchmarks.md):
//   analytics_load_ms          first refresh: every deal and stage event read into memory
//   analytics_deals, analytics_events   what the columns hold
//   analytics_dashboard_p50_ms / _p90_ms   Analytics::GetDashboard for one pipeline and the 12
//                              months before --now (everything the dashboard shows: headline and
//                              previous period, stages, conversion, time in stage, funnel, lost
//                              reasons, leaderboard, 12-month trend)
//   analytics_dashboard_cpu_p50_ms   the CPU time of one dashboard, both threads together
//   analytics_scan_p50_ms      the reference: one pass over the same columns that touches what a
//                              dashboard must (pipeline, status, value, created, closed of every
//                              deal; instant and stage of every event of the pipeline's deals)
//   analytics_forecast_p50_ms, analytics_health_p50_ms, analytics_refresh_p50_ms (a refresh that
//                              finds nothing changed)
// Runs are sequential on one thread; medians over --runs.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "analytics/analytics.h"
#include "analytics/fact_cache.h"
#include "store/sqlite/sqlite_store.h"

namespace pipedeck {
namespace {

double MillisOf(const std::function<void()>& fn) {
  auto start = std::chrono::steady_clock::now();
  fn();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

// CPU time of the whole process (every thread), in milliseconds.
double ProcessCpuMillis() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_nsec) / 1e6;
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  double rank = p / 100 * static_cast<double>(v.size() - 1);
  size_t lo = static_cast<size_t>(rank);
  size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (rank - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

template <typename T>
T Must(Result<T> r, const char* what) {
  if (!r.ok()) {
    std::cerr << "analytics_bench: " << what << ": " << r.status().ToString() << "\n";
    std::exit(1);
  }
  return std::move(r).value();
}

// The reference scan: what any dashboard must at least read, done as simply as possible.
struct ScanTotals {
  int64_t created = 0, won = 0, lost = 0, won_value = 0, events_in_period = 0, stage_sum = 0;
};
ScanTotals PlainScan(const FactData& data, Id pipeline, int64_t from, int64_t to) {
  ScanTotals t;
  const DealColumns& d = data.deals;
  for (size_t r = 0; r < d.size(); ++r) {
    if (d.pipeline[r] != pipeline) continue;
    if (d.created[r] >= from && d.created[r] < to) ++t.created;
    if (d.closed[r] >= from && d.closed[r] < to) {
      if (d.status[r] == DealStatus::kWon) {
        ++t.won;
        t.won_value += d.value[r];
      } else if (d.status[r] == DealStatus::kLost) {
        ++t.lost;
      }
    }
    const EventFact* e = data.events.data() + d.event_begin[r];
    for (uint32_t i = 0; i < d.event_count[r]; ++i) {
      if (e[i].at >= from && e[i].at < to) ++t.events_in_period;
      t.stage_sum += e[i].stage;
    }
  }
  return t;
}

int Main(int argc, char** argv) {
  std::string db, now_text;
  int runs = 20;
  bool dashboard_only = false;  // --only-dashboard 1: for profiling
  Id pipeline = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string arg = argv[i];
    if (arg == "--db") db = argv[i + 1];
    if (arg == "--now") now_text = argv[i + 1];
    if (arg == "--runs") runs = std::max(1, std::atoi(argv[i + 1]));
    if (arg == "--pipeline") pipeline = std::atoll(argv[i + 1]);
    if (arg == "--only-dashboard") dashboard_only = std::string(argv[i + 1]) == "1";
  }
  std::optional<Timestamp> now = ParseTimestamp(now_text);
  if (db.empty() || !now) {
    std::cerr << "usage: analytics_bench --db FILE --now ISO [--runs N] [--pipeline ID]\n";
    return 2;
  }
  SqliteOptions options;
  options.path = db;
  std::unique_ptr<Store> store = Must(OpenSqliteStore(options), "open");
  ManualClock clock(*now);
  if (pipeline == 0) {
    Status s = store->Read([&](StoreTx& tx) -> Status {
      ListQuery q;
      q.sort = SortField::kPosition;
      q.limit = 1;
      PD_ASSIGN_OR_RETURN(Page<Pipeline> page, tx.ListPipelines(q));
      if (page.items.empty()) return Status::NotFound("no pipeline");
      pipeline = page.items[0].id;
      return Status::Ok();
    });
    if (!s.ok()) {
      std::cerr << "analytics_bench: " << s.ToString() << "\n";
      return 1;
    }
  }
  Date to = DateOf(*now);
  AnalyticsScope scope;
  scope.pipeline_id = pipeline;
  scope.period = Must(CustomPeriod(AddDays(to, -365), to), "period");

  // The reference columns: the same FactCache the dashboard reads, loaded once.
  FactCache reference;
  double load_ms = MillisOf([&] {
    Status s = reference.Refresh(*store);
    if (!s.ok()) std::exit((std::cerr << "analytics_bench: " << s.ToString() << "\n", 1));
  });
  size_t deals = 0, events = 0;
  {
    FactCache::Snapshot snap = reference.Read();
    deals = snap.data().deals.size();
    events = snap.data().events.size();
  }

  Analytics analytics(*store, clock);
  Must(analytics.GetDashboard(scope), "first dashboard");  // loads its own copy
  std::vector<double> dashboard, dashboard_cpu, scan, forecast, health, refresh;
  int64_t checksum = 0;
  const int64_t from = StartOf(scope.period.period.from).millis;
  const int64_t until = StartOf(scope.period.period.to).millis;
  for (int i = 0; i < runs; ++i) {
    const double cpu_before = ProcessCpuMillis();
    dashboard.push_back(MillisOf([&] { Must(analytics.GetDashboard(scope), "dashboard"); }));
    dashboard_cpu.push_back(ProcessCpuMillis() - cpu_before);
    if (dashboard_only) continue;
    scan.push_back(MillisOf([&] {
      FactCache::Snapshot snap = reference.Read();
      checksum += PlainScan(snap.data(), pipeline, from, until).stage_sum;
    }));
    forecast.push_back(MillisOf([&] { Must(analytics.GetForecast(scope, 6), "forecast"); }));
    health.push_back(MillisOf([&] { Must(analytics.GetHealth(scope), "health"); }));
    refresh.push_back(MillisOf([&] {
      Status s = reference.Refresh(*store);
      if (!s.ok()) std::exit(1);
    }));
  }
  auto put = [](const char* key, double v) { std::printf("%s\t%.2f\n", key, v); };
  put("analytics_load_ms", load_ms);
  std::printf("analytics_deals\t%zu\nanalytics_events\t%zu\n", deals, events);
  put("analytics_dashboard_p50_ms", Percentile(dashboard, 50));
  put("analytics_dashboard_p90_ms", Percentile(dashboard, 90));
  put("analytics_dashboard_cpu_p50_ms", Percentile(dashboard_cpu, 50));
  if (!dashboard_only) {
    put("analytics_scan_p50_ms", Percentile(scan, 50));
    put("analytics_forecast_p50_ms", Percentile(forecast, 50));
    put("analytics_health_p50_ms", Percentile(health, 50));
    put("analytics_refresh_p50_ms", Percentile(refresh, 50));
  }
  std::printf("analytics_runs\t%d\nanalytics_checksum\t%lld\n", runs,
              static_cast<long long>(checksum));
  return 0;
}

}  // namespace
}  // namespace pipedeck

int main(int argc, char** argv) { return pipedeck::Main(argc, argv); }
