// Analytics against a real SQLite workspace whose history is written through the Workspace at
// chosen instants (a manual clock), so that every figure below is computed by hand in the comments
// beside it.
#include "analytics/analytics.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include <gtest/gtest.h>

#include "analytics/deal_passes.h"
#include "analytics/fact_cache.h"
#include "analytics/report_context.h"
#include "service/workspace.h"
#include "store/sqlite/sqlite_store.h"
#include "support/test_support.h"

namespace pipedeck {
namespace {

using test_support::Must;
using test_support::RemoveDb;

std::string TempDbPath() { return test_support::TempDbPath("analytics_test"); }

Timestamp At(const char* iso) { return *ParseTimestamp(iso); }
Date Day(const char* iso) { return *ParseDate(iso); }

#define EXPECT_FIGURE(figure, expected)                        \
  do {                                                         \
    ASSERT_TRUE((figure).has_value()) << #figure << " is n/a"; \
    EXPECT_NEAR(*(figure), (expected), 1e-9) << #figure;       \
  } while (0)
#define EXPECT_NA(figure) EXPECT_FALSE((figure).has_value()) << #figure << " = " << *(figure)

class AnalyticsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = TempDbPath();
    SqliteOptions options;
    options.path = path_;
    store_ = Must(OpenSqliteStore(options));
    ws_ = std::make_unique<Workspace>(*store_, clock_);
    admin_ =
        Must(ws_->Authenticate(Must(ws_->Bootstrap("Ada Admin", "ada@example.com", "USD")).secret));
    analytics_ = std::make_unique<Analytics>(*store_, clock_);
  }
  void TearDown() override {
    analytics_.reset();
    ws_.reset();
    store_->Close();
    RemoveDb(path_);
  }

  // A pipeline with stages named and weighted as given; returns the stage ids in order.
  std::vector<Id> MakePipeline(const std::string& name,
                               const std::vector<std::pair<std::string, int>>& stages,
                               std::optional<int32_t> rotting_days = std::nullopt) {
    PipelinePatch p;
    p.name = name;
    pipeline_ = Must(ws_->CreatePipeline(admin_, p, "")).id;
    std::vector<Id> ids;
    for (const auto& [stage_name, probability] : stages) {
      StagePatch s;
      s.name = stage_name;
      s.probability = probability;
      if (rotting_days) s.rotting_days = rotting_days;
      ids.push_back(Must(ws_->CreateStage(admin_, pipeline_, s)).id);
    }
    return ids;
  }

  User MakeUser(const std::string& name, Role role = Role::kRep) {
    UserPatch u;
    u.name = name;
    u.email = name.substr(0, name.find(' ')) + "@example.com";
    u.role = role;
    return Must(ws_->CreateUser(admin_, u));
  }

  Id Create(const char* at, Id stage, int64_t value, const User& owner,
            const std::string& currency = "USD", std::optional<Date> expected = std::nullopt,
            std::optional<int32_t> probability = std::nullopt) {
    clock_.Set(At(at));
    DealPatch d;
    d.title = "Deal " + std::to_string(++deal_counter_);
    d.value_minor = value;
    d.currency = currency;
    d.stage_id = stage;
    d.owner_id = owner.id;
    if (expected) d.expected_close_date = std::optional<Date>(*expected);
    if (probability) d.probability_override = std::optional<int32_t>(*probability);
    return Must(ws_->CreateDeal(admin_, d)).id;
  }
  void Move(const char* at, Id deal, Id stage) {
    clock_.Set(At(at));
    Must(ws_->MoveDeal(admin_, deal, stage, std::nullopt, std::nullopt));
  }
  void Won(const char* at, Id deal) {
    clock_.Set(At(at));
    Must(ws_->MarkWon(admin_, deal, std::nullopt));
  }
  void Lost(const char* at, Id deal, const std::string& reason) {
    clock_.Set(At(at));
    Must(ws_->MarkLost(admin_, deal, reason, std::nullopt, std::nullopt));
  }
  void Reopen(const char* at, Id deal) {
    clock_.Set(At(at));
    Must(ws_->Reopen(admin_, deal, std::nullopt));
  }
  void DoneActivity(const char* at, Id deal, const User& owner) {
    clock_.Set(At(at));
    ActivityPatch a;
    a.subject = "Call";
    a.deal_id = std::optional<Id>(deal);
    a.owner_id = owner.id;
    a.due_date = DateOf(At(at));
    a.done = true;
    Must(ws_->CreateActivity(admin_, a));
  }

  AnalyticsScope Scope(const char* period) {
    AnalyticsScope s;
    s.pipeline_id = pipeline_;
    s.period = Must(ParsePeriod(period));
    return s;
  }

  std::string path_;
  ManualClock clock_{At("2026-01-01T00:00:00Z")};
  std::unique_ptr<Store> store_;
  std::unique_ptr<Workspace> ws_;
  std::unique_ptr<Analytics> analytics_;
  User admin_;
  Id pipeline_ = 0;
  int deal_counter_ = 0;
};

// ---- The dashboard fixture ----------------------------------------------------------------------
//
// Stages A (10%), B (30%), C (60%), D (80%). Period November 2026, previous October. "Now" is
// 2026-11-20 12:00. Every deal is touched at 12:00 unless said otherwise.
//   D1 (1000 USD, Ada): created Oct 10 in A, → B Oct 20, → D Nov 5 (skips C), won Nov 10.
//   D2 (2000 USD, Ada): created Nov 2 in A, → B Nov 4, → A Nov 6 (backwards), → B Nov 8,
//       lost "Price" Nov 12.
//   D3 (3000 USD, Ada): created Sep 1 in B, lost "Unqualified" Oct 15, reopened Nov 3 (back in
//       B), won Nov 15: closed in November only.
//   D4 (4000 USD, Rita): created Nov 1 in A, → C Nov 9 (skips B); open, expected close Dec 15.
//   D5 (5000 EUR, Ada): created Oct 30 in C; open, no expected close: other currency.
//   D7 (1500 USD, Ada): created Oct 5 in A, won Oct 25.
//   D8 (700 USD, Ada): created Oct 1 in A, lost "Price" Oct 31 23:00 (the last hour of October).
//   D9 (1000 USD, Ada, override 50%): created Sep 10 in A; open, expected close Oct 1 (overdue).
class DashboardTest : public AnalyticsTest {
 protected:
  void SetUp() override {
    AnalyticsTest::SetUp();
    stages_ = MakePipeline("Sales", {{"A", 10}, {"B", 30}, {"C", 60}, {"D", 80}});
    rita_ = MakeUser("Rita Rep");
    auto [a, b, c, d] = std::tuple(stages_[0], stages_[1], stages_[2], stages_[3]);
    d3_ = Create("2026-09-01T12:00:00Z", b, 3000, admin_);
    Create("2026-09-10T12:00:00Z", a, 1000, admin_, "USD", Day("2026-10-01"), 50);  // D9
    d8_ = Create("2026-10-01T12:00:00Z", a, 700, admin_);
    d7_ = Create("2026-10-05T12:00:00Z", a, 1500, admin_);
    d1_ = Create("2026-10-10T12:00:00Z", a, 1000, admin_);
    Lost("2026-10-15T12:00:00Z", d3_, "Unqualified");
    Move("2026-10-20T12:00:00Z", d1_, b);
    Won("2026-10-25T12:00:00Z", d7_);
    Create("2026-10-30T12:00:00Z", c, 5000, admin_, "EUR");  // D5
    Lost("2026-10-31T23:00:00Z", d8_, "Price");
    d4_ = Create("2026-11-01T12:00:00Z", a, 4000, rita_, "USD", Day("2026-12-15"));
    d2_ = Create("2026-11-02T12:00:00Z", a, 2000, admin_);
    Reopen("2026-11-03T12:00:00Z", d3_);
    Move("2026-11-04T12:00:00Z", d2_, b);
    Move("2026-11-05T12:00:00Z", d1_, d);
    Move("2026-11-06T12:00:00Z", d2_, a);
    Move("2026-11-08T12:00:00Z", d2_, b);
    Move("2026-11-09T12:00:00Z", d4_, c);
    Won("2026-11-10T12:00:00Z", d1_);
    Lost("2026-11-12T12:00:00Z", d2_, "Price");
    DoneActivity("2026-11-14T12:00:00Z", d4_, admin_);
    Won("2026-11-15T12:00:00Z", d3_);
    clock_.Set(At("2026-11-20T12:00:00Z"));
  }

  std::vector<Id> stages_;
  User rita_;
  Id d1_ = 0, d2_ = 0, d3_ = 0, d4_ = 0, d7_ = 0, d8_ = 0;
};

TEST_F(DashboardTest, HeadlineFiguresOfThePeriodAndThePreviousOne) {
  Dashboard dash = Must(analytics_->GetDashboard(Scope("2026-11")));
  EXPECT_EQ(dash.currency, "USD");
  EXPECT_EQ(dash.other_currency_deals, 1);  // D5
  EXPECT_EQ(PeriodLabel(dash.previous_period), "2026-10");

  const HeadlineFigures& nov = dash.current;
  EXPECT_EQ(nov.new_deals, 2);           // D2, D4
  EXPECT_EQ(nov.new_value_minor, 6000);  // 2000 + 4000
  EXPECT_EQ(nov.won_deals, 2);           // D1, D3
  EXPECT_EQ(nov.won_value_minor, 4000);  // 1000 + 3000
  EXPECT_EQ(nov.lost_deals, 1);          // D2 (D3's October loss was undone)
  EXPECT_FIGURE(nov.win_rate, 2.0 / 3);
  EXPECT_FIGURE(nov.average_deal_minor, 2000);
  EXPECT_FIGURE(nov.cycle_mean_days, 53);  // D1 31 days, D3 75 days
  EXPECT_FIGURE(nov.cycle_median_days, 53);
  EXPECT_FIGURE(nov.lifetime_mean_days, (31 + 75 + 10) / 3.0);  // D2 lived 10 days
  EXPECT_EQ(nov.open_deals, 3);                                 // now: D4, D5, D9
  EXPECT_FIGURE(nov.velocity_per_day, 3 * (2.0 / 3) * 2000 / 53);

  const HeadlineFigures& oct = dash.previous;
  EXPECT_EQ(oct.new_deals, 4);           // D1, D5, D7, D8
  EXPECT_EQ(oct.new_value_minor, 3200);  // 1000 + 1500 + 700; D5 is in EUR
  EXPECT_EQ(oct.won_deals, 1);           // D7
  EXPECT_EQ(oct.lost_deals, 1);          // D8, lost in the last hour of October
  EXPECT_FIGURE(oct.win_rate, 0.5);
  EXPECT_FIGURE(oct.average_deal_minor, 1500);
  EXPECT_FIGURE(oct.cycle_mean_days, 20);
  EXPECT_FIGURE(oct.lifetime_mean_days, (20 + 30 + 11.0 / 24) / 2);  // D8: 30 days 11 hours
  EXPECT_EQ(oct.open_deals, 3);  // at Nov 1 00:00: D1, D5, D9 (D3 was lost then)
  EXPECT_FIGURE(oct.velocity_per_day, 3 * 0.5 * 1500 / 20);
}

TEST_F(DashboardTest, StageConversionCountsSkipsAsPassedAndFirstEntriesOnly) {
  Dashboard dash = Must(analytics_->GetDashboard(Scope("2026-11")));
  ASSERT_EQ(dash.conversion.size(), 3u);  // A, B, C (D is the last stage)
  // A: D2 and D4 entered in November; both went further (D4 skipped B).
  EXPECT_EQ(dash.conversion[0].stage_id, stages_[0]);
  EXPECT_EQ(dash.conversion[0].entered, 2);
  EXPECT_EQ(dash.conversion[0].advanced, 2);
  EXPECT_FIGURE(dash.conversion[0].rate, 1.0);
  // October's A: D1 and D7 went on (D7 won), D8 was lost.
  EXPECT_FIGURE(dash.conversion[0].previous_rate, 2.0 / 3);
  // B: D3 (reopened into B) was won; D2 went back to A, returned and was lost: not advanced.
  EXPECT_EQ(dash.conversion[1].entered, 2);
  EXPECT_EQ(dash.conversion[1].advanced, 1);
  EXPECT_EQ(dash.conversion[1].lost, 1);
  EXPECT_FIGURE(dash.conversion[1].rate, 0.5);
  EXPECT_FIGURE(dash.conversion[1].previous_rate, 1.0);  // D1 entered B Oct 20, reached D
  // C: D4 is still there.
  EXPECT_EQ(dash.conversion[2].entered, 1);
  EXPECT_EQ(dash.conversion[2].advanced, 0);
  EXPECT_FIGURE(dash.conversion[2].rate, 0.0);
  EXPECT_FIGURE(dash.conversion[2].previous_rate, 0.0);  // D5 entered C Oct 30, still open
}

TEST_F(DashboardTest, TimeInStageFromStaysThatEndedInThePeriod) {
  Dashboard dash = Must(analytics_->GetDashboard(Scope("2026-11")));
  ASSERT_EQ(dash.time_in_stage.size(), 4u);
  // A: D2 2 days (Nov 2–4), D2 again 2 days (Nov 6–8), D4 8 days (Nov 1–9).
  const Distribution& a = dash.time_in_stage[0].days;
  EXPECT_EQ(a.count, 3);
  EXPECT_FIGURE(a.mean, 4);
  EXPECT_FIGURE(a.median, 2);
  EXPECT_FIGURE(a.p75, 5);    // 2 + 0.5 × (8 − 2)
  EXPECT_FIGURE(a.p90, 6.8);  // 2 + 0.8 × (8 − 2)
  // October's A stays: D8 30 d 11 h, D7 20 d, D1 10 d.
  EXPECT_FIGURE(dash.time_in_stage[0].previous_median_days, 20);
  // B: D1 16 days (Oct 20–Nov 5), D2 2 and 4 days, D3 12 days (Nov 3–15).
  const Distribution& b = dash.time_in_stage[1].days;
  EXPECT_EQ(b.count, 4);
  EXPECT_FIGURE(b.mean, 8.5);
  EXPECT_FIGURE(b.median, 8);
  EXPECT_FIGURE(b.p90, 14.8);                                     // 12 + 0.7 × 4
  EXPECT_FIGURE(dash.time_in_stage[1].previous_median_days, 44);  // D3: Sep 1 – Oct 15
  // C: nobody left it. D: D1 5 days.
  EXPECT_EQ(dash.time_in_stage[2].days.count, 0);
  EXPECT_NA(dash.time_in_stage[2].days.mean);
  EXPECT_NA(dash.time_in_stage[2].days.median);
  EXPECT_FIGURE(dash.time_in_stage[3].days.median, 5);
}

TEST_F(DashboardTest, FunnelOfTheDealsCreatedInThePeriod) {
  Dashboard dash = Must(analytics_->GetDashboard(Scope("2026-11")));
  EXPECT_EQ(dash.funnel_created, 2);  // D2, D4
  EXPECT_EQ(dash.funnel_won, 0);
  ASSERT_EQ(dash.funnel.size(), 4u);
  EXPECT_EQ(dash.funnel[0].reached, 2);
  EXPECT_EQ(dash.funnel[1].reached, 2);  // D4 skipped B: passed it
  EXPECT_EQ(dash.funnel[2].reached, 1);
  EXPECT_EQ(dash.funnel[3].reached, 0);
  EXPECT_FIGURE(dash.funnel[2].share_of_created, 0.5);
}

TEST_F(DashboardTest, OpenStagesLostReasonsAndLeaderboard) {
  Dashboard dash = Must(analytics_->GetDashboard(Scope("2026-11")));
  ASSERT_EQ(dash.stages.size(), 4u);
  EXPECT_EQ(dash.stages[0].open_deals, 1);  // D9
  EXPECT_EQ(dash.stages[0].value_minor, 1000);
  EXPECT_EQ(dash.stages[0].weighted_minor, 500);  // its own 50%
  EXPECT_FIGURE(dash.stages[0].share, 1.0 / 3);
  EXPECT_EQ(dash.stages[2].open_deals, 2);      // D4, D5
  EXPECT_EQ(dash.stages[2].value_minor, 4000);  // D5 is in EUR
  EXPECT_EQ(dash.stages[2].weighted_minor, 2400);

  ASSERT_EQ(dash.lost.size(), 1u);
  EXPECT_EQ(dash.lost[0].reason, "Price");
  EXPECT_EQ(dash.lost[0].stage_id, stages_[1]);
  EXPECT_EQ(dash.lost[0].deals, 1);
  EXPECT_EQ(dash.lost[0].value_minor, 2000);

  ASSERT_EQ(dash.leaderboard.size(), 2u);
  const LeaderboardRow& ada = dash.leaderboard[0];
  EXPECT_EQ(ada.name, "Ada Admin");
  EXPECT_EQ(ada.won_deals, 2);
  EXPECT_EQ(ada.won_value_minor, 4000);
  EXPECT_EQ(ada.previous_won_value_minor, 1500);
  EXPECT_EQ(ada.lost_deals, 1);
  EXPECT_EQ(ada.new_deals, 1);
  EXPECT_EQ(ada.activities_done, 1);
  EXPECT_EQ(ada.open_deals, 2);  // D5, D9
  EXPECT_EQ(ada.open_value_minor, 1000);
  EXPECT_FIGURE(ada.win_rate, 2.0 / 3);
  EXPECT_FIGURE(ada.cycle_mean_days, 53);
  const LeaderboardRow& rita = dash.leaderboard[1];
  EXPECT_EQ(rita.name, "Rita Rep");
  EXPECT_EQ(rita.new_deals, 1);
  EXPECT_EQ(rita.open_value_minor, 4000);
  EXPECT_NA(rita.win_rate);
}

TEST_F(DashboardTest, OwnerAndTeamScopes) {
  AnalyticsScope scope = Scope("2026-11");
  scope.owner_id = rita_.id;
  Dashboard dash = Must(analytics_->GetDashboard(scope));
  EXPECT_EQ(dash.current.new_deals, 1);
  EXPECT_EQ(dash.current.won_deals, 0);
  EXPECT_NA(dash.current.win_rate);
  EXPECT_NA(dash.current.velocity_per_day);
  ASSERT_EQ(dash.leaderboard.size(), 1u);

  TeamPatch t;
  t.name = "East";
  Team east = Must(ws_->CreateTeam(admin_, t));
  UserPatch join;
  join.team_id = std::optional<Id>(east.id);
  Must(ws_->UpdateUser(admin_, rita_.id, join, std::nullopt));
  AnalyticsScope team = Scope("2026-11");
  team.team_id = east.id;
  Dashboard by_team = Must(analytics_->GetDashboard(team));
  EXPECT_EQ(by_team.current.new_deals, 1);
  EXPECT_EQ(by_team.current.new_value_minor, 4000);

  AnalyticsScope unknown = Scope("2026-11");
  unknown.team_id = 999;
  EXPECT_EQ(analytics_->GetDashboard(unknown).status().field(), "team_id");
  unknown = Scope("2026-11");
  unknown.pipeline_id = 999;
  EXPECT_EQ(analytics_->GetDashboard(unknown).status().code(), ErrorCode::kNotFound);
}

TEST_F(DashboardTest, TrendMonthsEndWithThePeriod) {
  Dashboard dash = Must(analytics_->GetDashboard(Scope("2026-11")));
  ASSERT_EQ(dash.trend.size(), 12u);
  EXPECT_EQ(dash.trend.front().month, Day("2025-12-01"));
  const TrendPoint& oct = dash.trend[10];
  const TrendPoint& nov = dash.trend[11];
  EXPECT_EQ(oct.month, Day("2026-10-01"));
  EXPECT_EQ(oct.won_deals, 1);
  EXPECT_EQ(oct.lost_deals, 1);
  EXPECT_FIGURE(oct.win_rate, 0.5);
  EXPECT_FIGURE(oct.velocity_per_day, 3 * 0.5 * 1500 / 20);
  EXPECT_EQ(nov.won_value_minor, 4000);
  EXPECT_FIGURE(nov.velocity_per_day, 3 * (2.0 / 3) * 2000 / 53);
  EXPECT_NA(dash.trend[0].win_rate);  // nothing closed in December 2025
}

TEST_F(DashboardTest, ForecastByMonthProbabilitiesAndVelocity) {
  Forecast f = Must(analytics_->GetForecast(Scope("2026-11"), 3));
  ASSERT_EQ(f.months.size(), 3u);
  EXPECT_EQ(f.months[0].month, Day("2026-11-01"));
  EXPECT_EQ(f.months[0].won_deals, 2);  // D1, D3
  EXPECT_EQ(f.months[0].won_value_minor, 4000);
  EXPECT_EQ(f.months[1].open_deals, 1);  // D4 expected Dec 15, in C (60%)
  EXPECT_EQ(f.months[1].value_minor, 4000);
  EXPECT_EQ(f.months[1].weighted_minor, 2400);
  EXPECT_EQ(f.overdue.open_deals, 1);  // D9, expected Oct 1
  EXPECT_EQ(f.overdue.weighted_minor, 500);
  EXPECT_EQ(f.undated.open_deals, 1);   // D5
  EXPECT_EQ(f.undated.value_minor, 0);  // in EUR
  double velocity = 3 * (2.0 / 3) * 2000 / 53;
  EXPECT_FIGURE(f.months[0].velocity_forecast_minor, velocity * 30);
  EXPECT_FIGURE(f.months[1].velocity_forecast_minor, velocity * 31);
  EXPECT_FIGURE(f.velocity_per_day.current, velocity);
  EXPECT_FIGURE(f.velocity_per_day.previous, 112.5);
  // Win rate and deal size each rose by a third, but the cycle grew from 20 to 53 days.
  EXPECT_EQ(f.velocity_driver, "cycle_days");

  // Closed in November: D1 (A, B, D; won), D2 (A, B; lost), D3 (B; won).
  ASSERT_EQ(f.probabilities.size(), 4u);
  EXPECT_EQ(f.probabilities[0].configured, 10);
  EXPECT_FIGURE(f.probabilities[0].historical, 0.5);
  EXPECT_FIGURE(f.probabilities[1].historical, 2.0 / 3);
  EXPECT_NA(f.probabilities[2].historical);
  EXPECT_FIGURE(f.probabilities[3].historical, 1.0);

  EXPECT_EQ(analytics_->GetForecast(Scope("2026-11"), 0).status().field(), "months");
  EXPECT_EQ(analytics_->GetForecast(Scope("2026-11"), 25).status().field(), "months");
}

TEST_F(DashboardTest, ForecastSnapshotsGiveAccuracyOnceTheMonthIsOver) {
  // Taken on December 1st: D4 is expected to close in December (2400 weighted).
  clock_.Set(At("2026-12-01T06:00:00Z"));
  EXPECT_TRUE(Must(analytics_->TakeForecastSnapshot()));
  EXPECT_FALSE(Must(analytics_->TakeForecastSnapshot()));  // once per month
  Won("2026-12-10T12:00:00Z", d4_);
  clock_.Set(At("2027-01-02T12:00:00Z"));
  Forecast f = Must(analytics_->GetForecast(Scope("2026-12"), 1));
  ASSERT_EQ(f.accuracy.size(), 1u);
  EXPECT_EQ(f.accuracy[0].month, Day("2026-12-01"));
  EXPECT_EQ(f.accuracy[0].forecast_weighted_minor, 2400);
  EXPECT_EQ(f.accuracy[0].forecast_deals, 1);
  EXPECT_EQ(f.accuracy[0].won_value_minor, 4000);
  EXPECT_FIGURE(f.accuracy[0].accuracy, 4000.0 / 2400);
}

TEST_F(DashboardTest, EmptyPeriodsGiveNotApplicableFigures) {
  Dashboard dash = Must(analytics_->GetDashboard(Scope("2025-06")));
  EXPECT_EQ(dash.current.new_deals, 0);
  EXPECT_NA(dash.current.win_rate);
  EXPECT_NA(dash.current.average_deal_minor);
  EXPECT_NA(dash.current.cycle_mean_days);
  EXPECT_NA(dash.current.lifetime_mean_days);
  EXPECT_NA(dash.current.velocity_per_day);
  for (const StageConversion& c : dash.conversion) EXPECT_NA(c.rate);
  for (const FunnelStep& f : dash.funnel) EXPECT_NA(f.share_of_created);
}

TEST_F(DashboardTest, FactsFollowChangesAndDeletes) {
  Dashboard before = Must(analytics_->GetDashboard(Scope("2026-11")));
  EXPECT_EQ(before.current.won_deals, 2);
  Won("2026-11-20T12:00:00Z", d4_);
  Must(ws_->DeleteDeal(admin_, d1_, std::nullopt));
  Dashboard after = Must(analytics_->GetDashboard(Scope("2026-11")));
  EXPECT_EQ(after.current.won_deals, 2);  // D3, D4 (D1 deleted)
  EXPECT_EQ(after.current.won_value_minor, 7000);
  EXPECT_EQ(after.current.open_deals, 2);  // D5, D9
}

// ---- Planner ------------------------------------------------------------------------------------

TEST_F(DashboardTest, PlannerSeedExampleAndDefaultsFromHistory) {
  PlannerRequest seed;
  seed.target_minor = 10'000'000;  // 100,000.00
  seed.average_deal_minor = 50'000;
  seed.close_rate_bp = 8000;
  seed.reps = 10;
  PipelinePlan plan = Must(analytics_->GetPlan(Scope("2026-11"), seed));
  EXPECT_EQ(plan.result.deals_needed, 200);
  EXPECT_EQ(plan.result.leads_needed, 250);
  EXPECT_EQ(plan.result.leads_per_rep, 25);
  EXPECT_FALSE(plan.average_from_history);

  // From November's history: average 2000, win rate 2/3, one active rep (Rita).
  PlannerRequest from_history;
  from_history.target_minor = 20'000;
  plan = Must(analytics_->GetPlan(Scope("2026-11"), from_history));
  EXPECT_TRUE(plan.average_from_history);
  EXPECT_TRUE(plan.close_rate_from_history);
  EXPECT_TRUE(plan.reps_from_workspace);
  EXPECT_EQ(plan.input.average_deal_minor, 2000);
  EXPECT_EQ(plan.input.close_rate_bp, 6667);
  EXPECT_EQ(plan.input.reps, 1);
  EXPECT_EQ(plan.result.deals_needed, 10);
  EXPECT_EQ(plan.result.leads_needed, 15);  // ⌈10 ÷ 0.6667⌉

  PlannerRequest empty_history;
  empty_history.target_minor = 20'000;
  EXPECT_EQ(analytics_->GetPlan(Scope("2025-06"), empty_history).status().field(),
            "average_deal_size");
  PlannerRequest negative = seed;
  negative.target_minor = -1;
  EXPECT_EQ(analytics_->GetPlan(Scope("2026-11"), negative).status().field(), "target");
}

// ---- Health
// ---------------------------------------------------------------------------------------
//
// Each flag with a deal that trips it and one that just does not. "Now" is 2026-06-15 12:00.

class HealthTest : public AnalyticsTest {
 protected:
  static constexpr const char* kNow = "2026-06-15T12:00:00Z";
  static constexpr int64_t kDay = kMillisPerDay;

  // An instant `days` (may be fractional) before now, as ISO text.
  std::string Ago(double days) {
    return FormatTimestamp(Timestamp{At(kNow).millis - static_cast<int64_t>(days * kDay)});
  }
  Id CreateAgo(double days, Id stage, int64_t value, const User& owner) {
    return Create(Ago(days).c_str(), stage, value, owner);
  }
  void MoveAgo(double days, Id deal, Id stage) { Move(Ago(days).c_str(), deal, stage); }
  void PlanActivity(Id deal, Date due) {
    ActivityPatch a;
    a.subject = "Follow up";
    a.deal_id = std::optional<Id>(deal);
    a.due_date = due;
    Must(ws_->CreateActivity(admin_, a));
  }
  HealthReport Report() {
    clock_.Set(At(kNow));
    AnalyticsScope scope;
    scope.pipeline_id = pipeline_;
    scope.period = Must(ParsePeriod("2026-06"));
    return Must(analytics_->GetHealth(scope));
  }
  // The finding of `flag`, about `subject` when given: the stage of a stage overload, the quota
  // of a thin pipeline, the rep of the per-rep flags.
  static const HealthFinding* Find(const HealthReport& r, HealthFlag flag,
                                   std::optional<Id> subject = std::nullopt) {
    for (const HealthFinding& f : r.findings) {
      if (f.flag != flag) continue;
      std::optional<Id> about = flag == HealthFlag::kStageOverload  ? f.stage_id
                                : flag == HealthFlag::kThinPipeline ? f.quota_id
                                                                    : f.owner_id;
      if (!subject || about == subject) return &f;
    }
    return nullptr;
  }
  static std::vector<Id> DealsOf(const HealthFinding* f) {
    std::vector<Id> ids;
    if (f) {
      for (const FlaggedDeal& d : f->deals) ids.push_back(d.deal_id);
    }
    return ids;
  }
};

TEST_F(HealthTest, RottingPastTheStageLimitAndNotAtIt) {
  std::vector<Id> stages = MakePipeline("Sales", {{"Lead", 10}, {"Won soon", 90}}, 10);
  Id rotting = CreateAgo(10 + 1.0 / 1440, stages[0], 100, admin_);  // a minute past 10 days
  CreateAgo(10, stages[0], 100, admin_);                            // exactly 10 days
  HealthReport r = Report();
  const HealthFinding* f = Find(r, HealthFlag::kRotting);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(DealsOf(f), std::vector<Id>{rotting});
  EXPECT_EQ(f->deals[0].measure, 10);
  EXPECT_EQ(f->deals[0].threshold, 10);
  EXPECT_EQ(f->deals[0].reason, "no activity for 10 days; Lead allows 10 days");
  EXPECT_EQ(f->deal_count, 1);
}

TEST_F(HealthTest, OverdueAndNoNextActivity) {
  std::vector<Id> stages = MakePipeline("Sales", {{"Lead", 10}});
  Id late = CreateAgo(3, stages[0], 100, admin_);
  PlanActivity(late, Day("2026-06-14"));  // yesterday
  Id due_today = CreateAgo(3, stages[0], 100, admin_);
  PlanActivity(due_today, Day("2026-06-15"));
  Id idle = CreateAgo(3, stages[0], 100, admin_);
  HealthReport r = Report();
  const HealthFinding* overdue = Find(r, HealthFlag::kOverdue);
  ASSERT_NE(overdue, nullptr);
  EXPECT_EQ(DealsOf(overdue), std::vector<Id>{late});
  EXPECT_EQ(overdue->deals[0].measure, 1);
  EXPECT_EQ(DealsOf(Find(r, HealthFlag::kNoNextActivity)), std::vector<Id>{idle});
}

TEST_F(HealthTest, StuckLongerThanTheStagesOwnNinetiethPercentile) {
  std::vector<Id> stages = MakePipeline("Sales", {{"A", 10}, {"B", 30}, {"C", 60}});
  // Five past stays in B of 1..5 days: p90 = 4 + 0.6 × 1 = 4.6 days.
  for (int days = 1; days <= 5; ++days) {
    Id d = CreateAgo(60, stages[0], 100, admin_);
    MoveAgo(50, d, stages[1]);
    MoveAgo(50 - days, d, stages[2]);
  }
  Id stuck = CreateAgo(30, stages[0], 100, admin_);
  MoveAgo(4.7, stuck, stages[1]);
  Id fine = CreateAgo(30, stages[0], 100, admin_);
  MoveAgo(4.5, fine, stages[1]);
  HealthReport r = Report();
  const HealthFinding* f = Find(r, HealthFlag::kStuck);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(DealsOf(f), std::vector<Id>{stuck});
  EXPECT_NEAR(f->deals[0].threshold, 4.6, 1e-9);
  EXPECT_EQ(f->deals[0].reason, "4 days in B; 90% of stays there end within 5 days");
}

TEST_F(HealthTest, AgedBeyondTheUsualSalesCycle) {
  std::vector<Id> stages = MakePipeline("Sales", {{"A", 10}});
  // Won cycles of 10, 20, 30, 40 and 50 days: p90 = 46 days.
  for (int cycle = 10; cycle <= 50; cycle += 10) {
    Id d = CreateAgo(100 + cycle, stages[0], 100, admin_);
    Won(Ago(100).c_str(), d);
  }
  Id old = CreateAgo(47, stages[0], 100, admin_);
  CreateAgo(45, stages[0], 100, admin_);
  HealthReport r = Report();
  const HealthFinding* f = Find(r, HealthFlag::kAged);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(DealsOf(f), std::vector<Id>{old});
  EXPECT_NEAR(f->deals[0].threshold, 46, 1e-9);
}

TEST_F(HealthTest, StageOverloadAgainstItsHistoricalShare) {
  std::vector<Id> stages = MakePipeline("Sales", {{"S1", 10}, {"S2", 50}});
  // Ten deals enter S1 100 days ago; eight move on to S2 50 days ago. Deal-days: S1 2 × 100 +
  // 8 × 50 = 600, S2 8 × 50 = 400, so S2's usual share is 40%; it now holds 80%.
  std::vector<Id> deals;
  for (int i = 0; i < 10; ++i) deals.push_back(CreateAgo(100, stages[0], 100, admin_));
  for (int i = 0; i < 8; ++i) MoveAgo(50, deals[i], stages[1]);
  HealthReport r = Report();
  const HealthFinding* f = Find(r, HealthFlag::kStageOverload);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->stage_id, stages[1]);
  EXPECT_NEAR(f->measure, 0.8, 1e-9);
  EXPECT_NEAR(f->threshold, 0.6, 1e-9);  // 40% × 1.5
  EXPECT_EQ(f->deal_count, 8);
  EXPECT_EQ(f->summary, "S2 holds 80% of open deals (8); usually 40%");
  EXPECT_EQ(Find(r, HealthFlag::kStageOverload, stages[0]), nullptr);  // 20% vs 60% usual

  // With a factor of 2 the threshold is exactly 80%: not above it.
  HealthSettings settings = Must(ws_->GetHealthSettings());
  settings.overload_factor = 2;
  Must(ws_->UpdateHealthSettings(admin_, settings));
  EXPECT_EQ(Find(Report(), HealthFlag::kStageOverload), nullptr);
}

TEST_F(HealthTest, TooManyDealsInLateStagesForOneRep) {
  std::vector<Id> stages = MakePipeline("Sales", {{"Qualify", 10}, {"Proposal", 50}});
  User rita = MakeUser("Rita Rep");
  User bob = MakeUser("Bob Rep");
  HealthSettings settings = Must(ws_->GetHealthSettings());
  settings.late_stage_limit = 2;
  Must(ws_->UpdateHealthSettings(admin_, settings));
  for (int i = 0; i < 3; ++i) CreateAgo(5, stages[1], 100, rita);
  for (int i = 0; i < 2; ++i) CreateAgo(5, stages[1], 100, bob);
  CreateAgo(5, stages[0], 100, bob);
  HealthReport r = Report();
  const HealthFinding* f = Find(r, HealthFlag::kLateStageOverload);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->owner_id, rita.id);
  EXPECT_EQ(f->deal_count, 3);
  EXPECT_EQ(Find(r, HealthFlag::kLateStageOverload, bob.id), nullptr);
}

TEST_F(HealthTest, ThinPipelineBelowTheCoverageTarget) {
  std::vector<Id> stages = MakePipeline("Sales", {{"A", 10}});
  User rita = MakeUser("Rita Rep");
  User bob = MakeUser("Bob Rep");
  auto quota_for = [&](const User& u) {
    QuotaPatch q;
    q.scope = QuotaScope::kUser;
    q.user_id = std::optional<Id>(u.id);
    q.period = QuotaPeriod::kMonth;
    q.metric = QuotaMetric::kWonValue;
    q.target = 10'000;
    q.currency = "USD";
    q.starts_on = Day("2026-01-01");
    return Must(ws_->CreateQuota(admin_, q)).id;
  };
  Id rita_quota = quota_for(rita);
  Id bob_quota = quota_for(bob);
  CreateAgo(5, stages[0], 29'000, rita);  // covers 2.9× of 10,000
  CreateAgo(5, stages[0], 30'000, bob);   // covers 3.0×: not below
  HealthReport r = Report();
  const HealthFinding* f = Find(r, HealthFlag::kThinPipeline, rita_quota);
  ASSERT_NE(f, nullptr);
  EXPECT_NEAR(f->measure, 2.9, 1e-9);
  EXPECT_EQ(f->summary,
            "Rita Rep: open pipeline covers 2.9× of the month's remaining quota; the target is "
            "3.0×");
  EXPECT_EQ(Find(r, HealthFlag::kThinPipeline, bob_quota), nullptr);
}

TEST_F(HealthTest, EffortOnDealsLaterLostAsUnqualified) {
  std::vector<Id> stages = MakePipeline("Sales", {{"A", 10}});
  Id wasted = CreateAgo(30, stages[0], 100, admin_);
  DoneActivity(Ago(25).c_str(), wasted, admin_);
  DoneActivity(Ago(20).c_str(), wasted, admin_);
  Lost(Ago(10).c_str(), wasted, "unqualified");  // reasons match case-insensitively
  Id priced_out = CreateAgo(30, stages[0], 100, admin_);
  DoneActivity(Ago(25).c_str(), priced_out, admin_);
  Lost(Ago(10).c_str(), priced_out, "Price");
  HealthReport r = Report();
  const HealthFinding* f = Find(r, HealthFlag::kUnqualifiedEffort);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->owner_id, admin_.id);
  EXPECT_EQ(DealsOf(f), std::vector<Id>{wasted});
  EXPECT_EQ(f->measure, 2);
  EXPECT_EQ(f->summary,
            "Ada Admin spent 2 activities and 20 days on 1 deal later lost as unqualified");
}

TEST_F(HealthTest, SnoozedFlagsWaitUntilTheirDay) {
  std::vector<Id> stages = MakePipeline("Sales", {{"Lead", 10}}, 10);
  Id deal = CreateAgo(20, stages[0], 100, admin_);
  clock_.Set(At(kNow));
  Must(
      ws_->SnoozeFlag(admin_, deal, HealthFlag::kRotting, Day("2026-06-17"), "Waiting for budget"));
  HealthReport r = Report();
  const HealthFinding* f = Find(r, HealthFlag::kRotting);
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(f->deals.empty());
  ASSERT_EQ(f->snoozed.size(), 1u);
  EXPECT_EQ(f->snoozed[0].snooze->reason, "Waiting for budget");
  EXPECT_NE(Find(r, HealthFlag::kNoNextActivity), nullptr);  // other flags still show

  clock_.Set(At("2026-06-17T00:00:00Z"));
  AnalyticsScope scope;
  scope.period = Must(ParsePeriod("2026-06"));
  HealthReport later = Must(analytics_->GetHealth(scope));
  EXPECT_EQ(DealsOf(Find(later, HealthFlag::kRotting)), std::vector<Id>{deal});
}

// ---- Day plan
// ---------------------------------------------------------------------------------------

TEST_F(HealthTest, DayPlanGroupsOverdueTodayAndDealsWithoutNextStepByStage) {
  std::vector<Id> stages = MakePipeline("Sales", {{"A", 10}, {"B", 30}});
  Id a_deal = CreateAgo(5, stages[0], 100, admin_);
  PlanActivity(a_deal, Day("2026-06-10"));
  Id b_deal = CreateAgo(5, stages[1], 100, admin_);
  PlanActivity(b_deal, Day("2026-06-15"));
  Id idle = CreateAgo(5, stages[1], 100, admin_);
  ActivityPatch loose;
  loose.subject = "Admin work";
  loose.due_date = Day("2026-06-15");
  Must(ws_->CreateActivity(admin_, loose));
  clock_.Set(At(kNow));
  DayPlan plan = Must(analytics_->GetDayPlan(admin_.id));
  EXPECT_EQ(plan.day, Day("2026-06-15"));
  ASSERT_EQ(plan.groups.size(), 3u);
  EXPECT_EQ(plan.groups[0].stage_id, 0);  // activities without a deal come first
  EXPECT_EQ(plan.groups[0].today.size(), 1u);
  EXPECT_EQ(plan.groups[1].stage_id, stages[0]);
  ASSERT_EQ(plan.groups[1].overdue.size(), 1u);
  EXPECT_EQ(plan.groups[1].overdue[0].deal_id, a_deal);
  EXPECT_EQ(plan.groups[2].stage_id, stages[1]);
  ASSERT_EQ(plan.groups[2].today.size(), 1u);
  ASSERT_EQ(plan.groups[2].needs_next_step.size(), 1u);
  EXPECT_EQ(plan.groups[2].needs_next_step[0].id, idle);
  EXPECT_EQ(analytics_->GetDayPlan(999).status().field(), "owner_id");
}

// ---- Quotas
// -----------------------------------------------------------------------------------------

TEST_F(DashboardTest, QuotaAttainmentExpectedPaceAndCoverage) {
  TeamPatch t;
  t.name = "East";
  Team east = Must(ws_->CreateTeam(admin_, t));
  UserPatch join;
  join.team_id = std::optional<Id>(east.id);
  Must(ws_->UpdateUser(admin_, rita_.id, join, std::nullopt));
  auto quota = [&](QuotaScope scope, std::optional<Id> user, std::optional<Id> team,
                   QuotaPeriod period, QuotaMetric metric, int64_t target) {
    QuotaPatch q;
    q.scope = scope;
    if (user) q.user_id = std::optional<Id>(*user);
    if (team) q.team_id = std::optional<Id>(*team);
    q.period = period;
    q.metric = metric;
    q.target = target;
    if (metric == QuotaMetric::kWonValue) q.currency = "USD";
    q.starts_on = Day("2026-01-01");
    return Must(ws_->CreateQuota(admin_, q)).id;
  };
  Id company =
      quota(QuotaScope::kCompany, {}, {}, QuotaPeriod::kMonth, QuotaMetric::kWonValue, 8000);
  Id ada_deals =
      quota(QuotaScope::kUser, admin_.id, {}, QuotaPeriod::kQuarter, QuotaMetric::kDealsWon, 4);
  Id ada_calls =
      quota(QuotaScope::kUser, admin_.id, {}, QuotaPeriod::kWeek, QuotaMetric::kActivitiesDone, 5);
  Id team_value =
      quota(QuotaScope::kTeam, {}, east.id, QuotaPeriod::kMonth, QuotaMetric::kWonValue, 10'000);

  std::map<Id, QuotaStatus> all;
  for (QuotaStatus& q : Must(analytics_->GetQuotas(Scope("2026-11"), Day("2026-11-20")))) {
    all[q.quota.id] = q;
  }
  ASSERT_EQ(all.size(), 4u);
  // Company, November: won 4000 of 8000 (D1, D3); open USD pipeline 5000 (D4, D9) covers
  // 5000 ÷ 4000 = 1.25×; 20 of 30 days gone.
  const QuotaStatus& c = all[company];
  EXPECT_EQ(c.subject_name, "Company");
  EXPECT_EQ(c.period, (Period{Day("2026-11-01"), Day("2026-12-01")}));
  EXPECT_EQ(c.achieved, 4000);
  EXPECT_FIGURE(c.attainment, 0.5);
  EXPECT_FIGURE(c.expected_by_now, 20.0 / 30);
  EXPECT_EQ(c.open_value_minor, 5000);
  EXPECT_FIGURE(c.coverage, 1.25);
  // Ada's deals won this quarter (Oct–Dec): D7, D1, D3.
  EXPECT_EQ(all[ada_deals].achieved, 3);
  EXPECT_FIGURE(all[ada_deals].attainment, 0.75);
  EXPECT_NA(all[ada_deals].coverage);
  // Ada's week (Mon Nov 16 – Sun Nov 22): no activity done (the one on Nov 14 was the week
  // before).
  EXPECT_EQ(all[ada_calls].period, (Period{Day("2026-11-16"), Day("2026-11-23")}));
  EXPECT_EQ(all[ada_calls].achieved, 0);
  EXPECT_FIGURE(all[ada_calls].attainment, 0.0);
  // Team East (Rita): nothing won, D4 open (4000): coverage 0.4×.
  EXPECT_EQ(all[team_value].subject_name, "East");
  EXPECT_EQ(all[team_value].achieved, 0);
  EXPECT_FIGURE(all[team_value].coverage, 0.4);

  // The week before holds the activity done on Nov 14.
  std::vector<QuotaStatus> week_before =
      Must(analytics_->GetQuotas(Scope("2026-11"), Day("2026-11-14")));
  for (const QuotaStatus& q : week_before) {
    if (q.quota.id == ada_calls) {
      EXPECT_EQ(q.achieved, 1);
    }
  }

  // Rita's scope shows her team's and the company's quotas, not Ada's.
  AnalyticsScope rita_scope = Scope("2026-11");
  rita_scope.owner_id = rita_.id;
  std::vector<Id> shown;
  for (const QuotaStatus& q : Must(analytics_->GetQuotas(rita_scope, Day("2026-11-20")))) {
    shown.push_back(q.quota.id);
  }
  EXPECT_EQ(shown, (std::vector<Id>{company, team_value}));
}

// ---- The fact copy
// ------------------------------------------------------------------------------------

// The fact copy derives, per deal, the open interval and the stay flags the passes read.
TEST_F(DashboardTest, FactCopyDerivesOpenIntervalsAndStayFlags) {
  FactCache cache;
  Must(cache.Refresh(*store_));
  FactCache::Snapshot snap = cache.Read();
  const FactData& data = snap.data();
  const DealColumns& d = data.deals;
  auto events_of = [&](Id deal) {
    const int64_t row = snap.RowOf(deal);
    return std::vector<EventFact>(data.events.begin() + d.event_begin[row],
                                  data.events.begin() + d.event_begin[row] + d.event_count[row]);
  };
  // D1 opened once: from its creation to its win.
  const int64_t d1 = snap.RowOf(d1_);
  EXPECT_EQ(d.open_from[d1], At("2026-10-10T12:00:00Z").millis);
  EXPECT_EQ(d.open_until[d1], At("2026-11-10T12:00:00Z").millis);
  // D4 is still open; D3 was reopened, so its events are read instead.
  EXPECT_EQ(d.open_until[snap.RowOf(d4_)], kStillOpen);
  EXPECT_EQ(d.open_from[snap.RowOf(d3_)], kNoInstant);
  // D2: A, B, back to A, B, lost. Only the first stay in each stage is the first; every stay was
  // followed by a loss and by no win; the stays in A went on to B later, those in B to nothing
  // further.
  std::vector<EventFact> d2 = events_of(d2_);
  ASSERT_EQ(d2.size(), 5u);
  const uint8_t kFirst =
      EventFact::kStayBegins | EventFact::kFirstStayInStage | EventFact::kFirstCloseSinceLost;
  const uint8_t kAgain = EventFact::kStayBegins | EventFact::kFirstCloseSinceLost;
  EXPECT_EQ(d2[0].flags, kFirst | EventFact::kAdvanced);
  EXPECT_EQ(d2[1].flags, kFirst);
  EXPECT_EQ(d2[2].flags, kAgain | EventFact::kAdvanced);
  EXPECT_EQ(d2[3].flags, kAgain);
  EXPECT_EQ(d2[4].flags, 0);  // the loss itself
  // D3: in B, lost, reopened into B (a new stay: the deal was closed in between), won. The first
  // stay's first close was the loss, and the deal was won after both (so both went on).
  std::vector<EventFact> d3 = events_of(d3_);
  ASSERT_EQ(d3.size(), 4u);
  const uint8_t kWentOn = EventFact::kWonSince | EventFact::kAdvanced;
  EXPECT_EQ(d3[0].flags, kFirst | kWentOn);
  EXPECT_EQ(d3[2].flags, EventFact::kStayBegins | kWentOn);
}

// The stay index holds, per stage, every stay by its end (the ended ones), by its entry, and the
// deals now closed that were ever in the stage by their close.
TEST_F(DashboardTest, FactCopyIndexesEveryStayByEndEntryAndClose) {
  FactCache cache;
  Must(cache.Refresh(*store_));
  FactCache::Snapshot snap = cache.Read();
  const FactData& data = snap.data();
  // Every ended stay, as ReadHistory reads the stays, in the order of their end.
  std::unordered_map<Id, StageStays::Ended> ended;
  std::map<Id, size_t> stays_per_stage;
  std::vector<std::tuple<Id, int64_t, int64_t, uint32_t>> stays;  // stage, leave, millis, row
  DealHistoryView history;
  for (size_t r = 0; r < data.deals.size(); ++r) {
    EXPECT_EQ(data.deals.stays_indexed[r], 1);
    ReadHistory(data, r, history);
    for (const Stay& stay : history.stays) {
      ++stays_per_stage[stay.stage];
      if (stay.leave == kNoInstant) continue;
      stays.emplace_back(stay.stage, stay.leave, stay.leave - stay.enter, static_cast<uint32_t>(r));
    }
  }
  std::sort(stays.begin(), stays.end(), [](const auto& a, const auto& b) {
    return std::tie(std::get<0>(a), std::get<1>(a), std::get<3>(a)) <
           std::tie(std::get<0>(b), std::get<1>(b), std::get<3>(b));
  });
  for (const auto& [stage, leave, millis, row] : stays) {
    ended[stage].leave.push_back(leave);
    ended[stage].millis.push_back(millis);
    ended[stage].row.push_back(row);
  }
  EXPECT_EQ(stays.size(), 12u);  // A 6, B 5, D 1; none in C (D4 and D5 are still there)
  for (const auto& [stage, count] : stays_per_stage) {
    SCOPED_TRACE("stage " + std::to_string(stage));
    const StageStays& indexed = data.stays.at(stage);
    EXPECT_EQ(indexed.ended, ended[stage]);
    EXPECT_EQ(indexed.entered.enter.size(), count);
    EXPECT_TRUE(std::is_sorted(indexed.entered.enter.begin(), indexed.entered.enter.end()));
  }

  // B by hand. Entries: D3 Sep 1, D1 Oct 20, D3 again Nov 3, D2 Nov 4, D2 again Nov 8.
  const StageStays& b = data.stays.at(stages_[1]);
  const uint32_t d1 = snap.RowOf(d1_), d2 = snap.RowOf(d2_), d3 = snap.RowOf(d3_);
  const uint8_t kFirst = EventFact::kStayBegins | EventFact::kFirstStayInStage;
  const uint8_t kWentOn = EventFact::kWonSince | EventFact::kAdvanced;
  EXPECT_EQ(b.entered.row, (std::vector<uint32_t>{d3, d1, d3, d2, d2}));
  EXPECT_EQ(b.entered.previous_entry,
            (std::vector<int64_t>{kNoInstant, kNoInstant, At("2026-09-01T12:00:00Z").millis,
                                  kNoInstant, At("2026-11-04T12:00:00Z").millis}));
  EXPECT_EQ(b.entered.flags,
            (std::vector<uint8_t>{
                kFirst | kWentOn | EventFact::kFirstCloseSinceLost,  // lost, reopened, won
                kFirst | kWentOn,                                    // on to D, won
                EventFact::kStayBegins | kWentOn,
                kFirst | EventFact::kFirstCloseSinceLost,  // back to A: not on
                EventFact::kStayBegins | EventFact::kFirstCloseSinceLost}));
  // Closed deals ever in B: D1 won Nov 10, D2 lost Nov 12, D3 won Nov 15.
  EXPECT_EQ(b.closed.row, (std::vector<uint32_t>{d1, d2, d3}));
  EXPECT_EQ(b.closed.won, (std::vector<uint8_t>{1, 0, 1}));
  EXPECT_EQ(b.closed.closed[0], At("2026-11-10T12:00:00Z").millis);
  // Ended: D3 Oct 15 (lost), D1 Nov 5, D2 Nov 6, D2 Nov 12 (lost), D3 Nov 15 (won).
  EXPECT_EQ(b.ended.row, (std::vector<uint32_t>{d3, d1, d2, d2, d3}));
  EXPECT_EQ(b.ended.millis[0], 44 * kMillisPerDay);

  // Ranges: A's stays end D1 Oct 20, D7 Oct 25, D8 Oct 31, D2 Nov 4 and Nov 8, D4 Nov 9.
  const std::vector<int64_t>& a_leave = data.stays.at(stages_[0]).ended.leave;
  EXPECT_EQ(RangeOf(a_leave, StartOf(Day("2026-11-01")).millis, StartOf(Day("2026-12-01")).millis),
            (std::pair<size_t, size_t>{3, 6}));
  EXPECT_EQ(RangeOf(a_leave, At("2026-10-25T12:00:00Z").millis, At("2026-11-08T12:00:00Z").millis),
            (std::pair<size_t, size_t>{1, 4}));  // from D7's end to before D2's second
  EXPECT_TRUE(data.stays.at(stages_[2]).ended.leave.empty());  // C: D4, D5 are still there
  // The furthest stage of each deal's pipeline it reached, and whether it was ever won.
  EXPECT_EQ(data.deals.furthest_stage[d1], stages_[3]);
  EXPECT_EQ(data.deals.furthest_stage[d2], stages_[1]);
  EXPECT_EQ(data.deals.ever_won[d3], 1);
  EXPECT_EQ(data.deals.ever_won[d2], 0);
}

// The stage figures read from the index are those the walk over every deal's events gives, for
// the whole pipeline and for one owner's deals.
TEST_F(DashboardTest, StageIndexGivesTheFiguresOfTheWalk) {
  FactCache cache;
  Must(cache.Refresh(*store_));
  Catalog catalog;
  Must(store_->Read([&](StoreTx& tx) -> Status {
    PD_ASSIGN_OR_RETURN(catalog, LoadCatalog(tx));
    return Status::Ok();
  }));
  FactCache::Snapshot snap = cache.Read();
  const Period nov = Must(ParsePeriod("2026-11")).period, oct = Must(ParsePeriod("2026-10")).period;
  const std::vector<bool> every_stage(catalog.stages.size(), true);
  for (const AnalyticsScope& scope : {AnalyticsScope{}, [&] {
                                        AnalyticsScope rita;
                                        rita.owner_id = rita_.id;
                                        return rita;
                                      }()}) {
    const FactView v = MakeView(snap.data(), catalog, Must(ScopeFilter::Make(catalog, scope)));
    const IndexedStays indexed = IndexedStaysOf(v);
    StayBuffers walked_stays, indexed_stays;
    walked_stays.Reset(2, catalog.stages.size());
    indexed_stays.Reset(2, catalog.stages.size());
    StagePass walk(v, {nov, oct}, nullptr, &walked_stays.walked[0]);
    walk.AddRows(0, v.rows.size());
    StagePass from_index(v, {nov, oct}, &indexed, &indexed_stays.walked[0]);
    from_index.AddRows(0, v.rows.size());
    std::vector<StageFigures> expected = std::move(walk).Finish();
    std::vector<StageFigures> got = std::move(from_index).Finish();
    IndexedStays no_index;
    no_index.by_slot.assign(catalog.stages.size(), nullptr);
    const std::array<Span, 2> spans = {SpanOf(nov), SpanOf(oct)};
    const StaySummaries expected_times =
        ReadStageIndex(walked_stays, no_index, spans, every_stage).time_in_stage;
    const IndexedStageFigures read = ReadStageIndex(indexed_stays, indexed, spans, every_stage);
    for (size_t p = 0; p < 2; ++p) {
      EXPECT_EQ(expected[p].created, got[p].created);
      EXPECT_EQ(expected[p].won, got[p].won);
      EXPECT_EQ(expected[p].created_won, got[p].created_won);
      for (size_t slot = 0; slot < catalog.stages.size(); ++slot) {
        SCOPED_TRACE("period " + std::to_string(p) + " stage slot " + std::to_string(slot));
        StageFigures::PerStage x = expected[p].stages[slot], y = got[p].stages[slot];
        y += read.counts[p][slot];
        EXPECT_EQ(x.entered, y.entered);
        EXPECT_EQ(x.advanced, y.advanced);
        EXPECT_EQ(x.lost, y.lost);
        EXPECT_EQ(x.furthest, y.furthest);
        EXPECT_EQ(x.closed, y.closed);
        EXPECT_EQ(x.won, y.won);
        EXPECT_EQ(indexed_stays.walked[0][p][slot].size(), 0u);  // nothing walked
      }
    }
    for (size_t slot = 0; slot < catalog.stages.size(); ++slot) {
      EXPECT_EQ(expected_times.current[slot].count, read.time_in_stage.current[slot].count);
      EXPECT_EQ(expected_times.current[slot].mean, read.time_in_stage.current[slot].mean);
      EXPECT_EQ(expected_times.current[slot].p90, read.time_in_stage.current[slot].p90);
      EXPECT_EQ(expected_times.previous_median[slot], read.time_in_stage.previous_median[slot]);
    }
  }
}

// A deal changed since the stays were indexed has its stays read from its events; the figures are
// the same as from a copy that indexed everything afresh.
TEST_F(DashboardTest, StageFiguresOfChangedDealsEqualAFreshCopys) {
  Must(analytics_->GetDashboard(Scope("2026-11")));  // loads and indexes the copy
  Move("2026-11-18T12:00:00Z", d4_, stages_[3]);     // C for 9 days
  Reopen("2026-11-19T12:00:00Z", d2_);               // back in B, not over
  Must(ws_->DeleteDeal(admin_, d7_, std::nullopt));  // its 20 days in A in October
  const Id d10 = Create("2026-11-16T12:00:00Z", stages_[0], 100, admin_);
  Move("2026-11-17T12:00:00Z", d10, stages_[1]);  // A for a day
  clock_.Set(At("2026-11-20T12:00:00Z"));

  const Dashboard changed = Must(analytics_->GetDashboard(Scope("2026-11")));
  const Dashboard fresh = Must(Analytics(*store_, clock_).GetDashboard(Scope("2026-11")));
  ASSERT_EQ(changed.time_in_stage.size(), 4u);
  ASSERT_EQ(fresh.time_in_stage.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    SCOPED_TRACE("stage " + std::to_string(i));
    const StageTime &x = changed.time_in_stage[i], &y = fresh.time_in_stage[i];
    EXPECT_EQ(x.days.count, y.days.count);
    EXPECT_EQ(x.days.mean, y.days.mean);
    EXPECT_EQ(x.days.median, y.days.median);
    EXPECT_EQ(x.days.p75, y.days.p75);
    EXPECT_EQ(x.days.p90, y.days.p90);
    EXPECT_EQ(x.previous_median_days, y.previous_median_days);
  }
  ASSERT_EQ(changed.conversion.size(), fresh.conversion.size());
  for (size_t i = 0; i < changed.conversion.size(); ++i) {
    SCOPED_TRACE("conversion " + std::to_string(i));
    EXPECT_EQ(changed.conversion[i].entered, fresh.conversion[i].entered);
    EXPECT_EQ(changed.conversion[i].advanced, fresh.conversion[i].advanced);
    EXPECT_EQ(changed.conversion[i].lost, fresh.conversion[i].lost);
    EXPECT_EQ(changed.conversion[i].previous_rate, fresh.conversion[i].previous_rate);
  }
  ASSERT_EQ(changed.funnel.size(), fresh.funnel.size());
  for (size_t i = 0; i < changed.funnel.size(); ++i) {
    EXPECT_EQ(changed.funnel[i].reached, fresh.funnel[i].reached);
  }
  EXPECT_EQ(changed.funnel_created, fresh.funnel_created);
  // A: D2, D4 and D10 entered in November, all went on (D2 went back and forth, to B at last).
  EXPECT_EQ(changed.conversion[0].entered, 3);
  EXPECT_EQ(changed.conversion[0].advanced, 3);
  // C: D4 entered and went on to D.
  EXPECT_EQ(changed.conversion[2].entered, 1);
  EXPECT_EQ(changed.conversion[2].advanced, 1);
  // A: D2 2 and 2 days, D4 8 days, D10 1 day; October: D8 30 d 11 h and D1 10 days.
  EXPECT_EQ(changed.time_in_stage[0].days.count, 4);
  EXPECT_FIGURE(changed.time_in_stage[0].days.median, 2);
  EXPECT_FIGURE(changed.time_in_stage[0].previous_median_days, (10 + 30 + 11.0 / 24) / 2);
  // C: D4 9 days.
  EXPECT_EQ(changed.time_in_stage[2].days.count, 1);
  EXPECT_FIGURE(changed.time_in_stage[2].days.median, 9);
}

// Once more deals changed than the copy lets go unindexed, the stays are indexed again, and the
// index is the one a fresh copy builds.
TEST_F(DashboardTest, FactCopyIndexesStaysAgainWhenTooManyDealsChanged) {
  FactCache cache(/*reindex_min_rows=*/1);
  Must(cache.Refresh(*store_));
  Move("2026-11-18T12:00:00Z", d4_, stages_[3]);
  Must(cache.Refresh(*store_));
  EXPECT_FALSE(cache.last_refresh().stays_reindexed);  // one changed deal: not more than 1
  {
    FactCache::Snapshot snap = cache.Read();
    EXPECT_EQ(snap.data().deals.stays_indexed[snap.RowOf(d4_)], 0);
    EXPECT_EQ(snap.data().deals.stays_indexed[snap.RowOf(d2_)], 1);
  }
  Reopen("2026-11-19T12:00:00Z", d2_);
  Must(cache.Refresh(*store_));
  EXPECT_FALSE(cache.last_refresh().full_reload);
  EXPECT_TRUE(cache.last_refresh().stays_reindexed);
  FactCache fresh;
  Must(fresh.Refresh(*store_));
  FactCache::Snapshot snap = cache.Read();
  const std::vector<uint8_t>& flags = snap.data().deals.stays_indexed;
  EXPECT_EQ(std::count(flags.begin(), flags.end(), 1), static_cast<std::ptrdiff_t>(flags.size()));
  EXPECT_EQ(snap.data().stays, fresh.Read().data().stays);
  // D4's C stay is in it now.
  EXPECT_EQ(snap.data().stays.at(stages_[2]).ended.leave.size(), 1u);
}

// Whether a stay went on to a later stage, and a deal's furthest stage, follow the stage order:
// when it changes, the copy derives them again, and the figures are a fresh copy's.
TEST_F(DashboardTest, StageFiguresFollowAChangeOfStageOrder) {
  const Id d10 = Create("2026-11-16T12:00:00Z", stages_[1], 100, admin_);
  Move("2026-11-17T12:00:00Z", d10, stages_[3]);
  clock_.Set(At("2026-11-20T12:00:00Z"));
  const Dashboard before = Must(analytics_->GetDashboard(Scope("2026-11")));
  EXPECT_EQ(before.conversion[1].entered, 3);   // B: D3, D2, D10
  EXPECT_EQ(before.conversion[1].advanced, 2);  // D3 was won, D10 went on to D
  // D becomes the first stage: D10's move from B to D is now a step back.
  StagePatch first;
  first.order = 0;
  Must(ws_->UpdateStage(admin_, stages_[3], first, std::nullopt));
  const Dashboard after = Must(analytics_->GetDashboard(Scope("2026-11")));
  const Dashboard fresh = Must(Analytics(*store_, clock_).GetDashboard(Scope("2026-11")));
  // Order now D, A, B, C: conversion for D, A and B.
  ASSERT_EQ(after.conversion.size(), 3u);
  ASSERT_EQ(fresh.conversion.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    SCOPED_TRACE("conversion " + std::to_string(i));
    EXPECT_EQ(after.conversion[i].stage_id, fresh.conversion[i].stage_id);
    EXPECT_EQ(after.conversion[i].entered, fresh.conversion[i].entered);
    EXPECT_EQ(after.conversion[i].advanced, fresh.conversion[i].advanced);
    EXPECT_EQ(after.conversion[i].lost, fresh.conversion[i].lost);
  }
  for (size_t i = 0; i < after.funnel.size(); ++i) {
    EXPECT_EQ(after.funnel[i].reached, fresh.funnel[i].reached);
  }
  // B (third now): D3 was won; D10 went back to D, D2 was lost.
  EXPECT_EQ(after.conversion[2].stage_id, stages_[1]);
  EXPECT_EQ(after.conversion[2].entered, 3);
  EXPECT_EQ(after.conversion[2].advanced, 1);
}

// Each pass gives the same figures whether one worker reads every deal or several read
// interleaved parts and merge them (ForChunks splits the rows that way).
TEST_F(DashboardTest, PassesMergedFromSeveralWorkersEqualOnePass) {
  FactCache cache;
  Must(cache.Refresh(*store_));
  Catalog catalog;
  Must(store_->Read([&](StoreTx& tx) -> Status {
    PD_ASSIGN_OR_RETURN(catalog, LoadCatalog(tx));
    return Status::Ok();
  }));
  FactCache::Snapshot snap = cache.Read();
  const FactView v = MakeView(snap.data(), catalog, Must(ScopeFilter::Make(catalog, {})));
  ASSERT_GE(v.rows.size(), 8u);
  const Period nov = Must(ParsePeriod("2026-11")).period, oct = Must(ParsePeriod("2026-10")).period;
  const int64_t now = clock_.Now().millis;
  const std::vector<Period> periods = {nov, oct};

  std::array<StayBuffers, 2> buffers;
  for (StayBuffers& b : buffers) b.Reset(periods.size(), catalog.stages.size());
  // Every deal's events walked (no index).
  DashboardPasses one(v, nov, oct, now, nullptr, &buffers[0].walked[0]);
  one.AddRows(0, v.rows.size());
  DashboardPasses even(v, nov, oct, now, nullptr, &buffers[1].walked[0]);
  DashboardPasses odd(v, nov, oct, now, nullptr, &buffers[1].walked[1]);
  for (size_t k = 0; k < v.rows.size(); ++k) (k % 2 ? odd : even).AddRows(k, k + 1);
  even.Merge(std::move(odd));

  auto a = std::move(one.periods).Finish(), b = std::move(even.periods).Finish();
  for (size_t p = 0; p < 2; ++p) {
    const HeadlineFigures &x = a[p].headline, &y = b[p].headline;
    EXPECT_EQ(x.new_deals, y.new_deals);
    EXPECT_EQ(x.won_deals, y.won_deals);
    EXPECT_EQ(x.lost_deals, y.lost_deals);
    EXPECT_EQ(x.open_deals, y.open_deals);
    EXPECT_EQ(x.won_value_minor, y.won_value_minor);
    EXPECT_EQ(x.cycle_median_days, y.cycle_median_days);
    EXPECT_EQ(x.lifetime_mean_days, y.lifetime_mean_days);
    for (size_t slot = 0; slot < a[p].owners.size(); ++slot) {
      EXPECT_EQ(a[p].owners[slot].won_value_minor, b[p].owners[slot].won_value_minor);
      EXPECT_EQ(a[p].owners[slot].new_deals, b[p].owners[slot].new_deals);
    }
  }
  const std::vector<TrendPoint> ta = std::move(one.trend).Finish();
  const std::vector<TrendPoint> tb = std::move(even.trend).Finish();
  ASSERT_EQ(ta.size(), tb.size());
  for (size_t m = 0; m < ta.size(); ++m) {
    EXPECT_EQ(ta[m].won_deals, tb[m].won_deals);
    EXPECT_EQ(ta[m].lost_deals, tb[m].lost_deals);
    EXPECT_EQ(ta[m].velocity_per_day, tb[m].velocity_per_day);
  }
  EXPECT_EQ(one.open.total, even.open.total);
  for (size_t slot = 0; slot < catalog.stages.size(); ++slot) {
    EXPECT_EQ(one.open.stages[slot].count, even.open.stages[slot].count);
    EXPECT_EQ(one.open.stages[slot].weighted.Minor(), even.open.stages[slot].weighted.Minor());
  }
  const std::vector<LostBreakdown> la = std::move(one.lost).Finish();
  const std::vector<LostBreakdown> lb = std::move(even.lost).Finish();
  ASSERT_EQ(la.size(), lb.size());
  for (size_t i = 0; i < la.size(); ++i) {
    EXPECT_EQ(la[i].reason, lb[i].reason);
    EXPECT_EQ(la[i].stage_id, lb[i].stage_id);
    EXPECT_EQ(la[i].deals, lb[i].deals);
  }
  const std::vector<StageFigures> sa = std::move(one.stages).Finish();
  const std::vector<StageFigures> sb = std::move(even.stages).Finish();
  size_t walked_stays = 0;
  for (size_t p = 0; p < periods.size(); ++p) {
    EXPECT_EQ(sa[p].created, sb[p].created);
    EXPECT_EQ(sa[p].won, sb[p].won);
    for (size_t slot = 0; slot < catalog.stages.size(); ++slot) {
      SCOPED_TRACE("period " + std::to_string(p) + " stage slot " + std::to_string(slot));
      const StageFigures::PerStage &x = sa[p].stages[slot], &y = sb[p].stages[slot];
      EXPECT_EQ(x.entered, y.entered);
      EXPECT_EQ(x.advanced, y.advanced);
      EXPECT_EQ(x.lost, y.lost);
      EXPECT_EQ(x.furthest, y.furthest);
      EXPECT_EQ(x.closed, y.closed);
      EXPECT_EQ(x.won, y.won);
      EXPECT_EQ(Summarize(buffers[0].Parts(p, slot)).median,
                Summarize(buffers[1].Parts(p, slot)).median);
      EXPECT_EQ(Summarize(buffers[0].Parts(p, slot)).count,
                Summarize(buffers[1].Parts(p, slot)).count);
      walked_stays += buffers[0].walked[0][p][slot].size();
    }
  }
  EXPECT_EQ(walked_stays, 12u);  // October's 4 and November's 8 (see TimeInStage... above)
}

TEST(DealPassesTest, ForChunksVisitsEveryIndexOnce) {
  for (size_t n : {0u, 1u, 16383u, 16384u, 16385u, 100'000u}) {
    std::vector<int> seen(n, 0);
    std::array<size_t, kWorkers> by_worker{};
    ForChunks(n, [&](size_t worker, size_t begin, size_t end) {
      for (size_t i = begin; i < end; ++i) ++seen[i];  // chunks are disjoint: no race
      by_worker[worker] += end - begin;
    });
    EXPECT_EQ(std::count(seen.begin(), seen.end(), 1), static_cast<std::ptrdiff_t>(n));
    size_t total = 0;
    for (size_t count : by_worker) total += count;
    EXPECT_EQ(total, n);
  }
}

TEST(DealPassesTest, SortedInstantsCountLikeUpperBound) {
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kDay = kMillisPerDay;
  const int64_t jan = At("2026-01-01T00:00:00Z").millis;
  std::vector<std::vector<int64_t>> sets = {
      {jan},
      {jan, jan + 31 * kDay, jan + 59 * kDay},             // month starts
      {jan, jan + 31 * kDay, jan + 31 * kDay + 1},         // the last one "now + 1ms"
      {jan + 5, jan + 7, jan + kDay - 1, jan + 3 * kDay},  // several within one day
      {-3 * kDay - 1, -kDay, 0, 1},                        // before the epoch
      {jan, jan + 5000 * kDay},                            // too far apart for a table
  };
  sets.push_back({});  // 13 month bounds, as a trend has them
  for (int m = 0; m <= 12; ++m)
    sets.back().push_back(StartOf(AddDays(Day("2025-12-01"), 31 * m)).millis);
  std::mt19937_64 random(3);
  for (const std::vector<int64_t>& instants : sets) {
    const SortedInstants sorted(instants);
    EXPECT_EQ(sorted.size(), instants.size());
    std::vector<int64_t> probes = {kMin, kMax};
    for (int64_t i : instants) {
      for (int64_t d : {-kDay, int64_t{-1}, int64_t{0}, int64_t{1}, kDay}) probes.push_back(i + d);
    }
    std::uniform_int_distribution<int64_t> near(instants.front() - 2 * kDay,
                                                instants.back() + 2 * kDay);
    for (int k = 0; k < 200; ++k) probes.push_back(near(random));
    for (int64_t t : probes) {
      const size_t expected =
          std::upper_bound(instants.begin(), instants.end(), t) - instants.begin();
      ASSERT_EQ(sorted.CountAtOrBefore(t), expected) << "t " << t;
    }
  }
}

TEST(DealPassesTest, SpanIndexFindsTheSpanHoldingAnInstant) {
  // The dashboard's shape (a period and the one just before it), and spans with a gap between.
  const SpanIndex adjacent({{100, 200}, {0, 100}});
  EXPECT_EQ(adjacent.first(), 0);
  EXPECT_EQ(adjacent.last(), 200);
  const std::vector<std::pair<int64_t, size_t>> adjacent_cases = {
      {-1, 2}, {0, 1}, {99, 1}, {100, 0}, {199, 0}, {200, 2}, {kNoInstant, 2}, {kStillOpen, 2}};
  for (const auto& [t, span] : adjacent_cases) EXPECT_EQ(adjacent.Find(t), span) << "t " << t;

  const SpanIndex apart({{0, 10}, {20, 30}});
  const std::vector<std::pair<int64_t, size_t>> apart_cases = {{0, 0},  {9, 0},  {10, 2}, {19, 2},
                                                               {20, 1}, {29, 1}, {30, 2}};
  for (const auto& [t, span] : apart_cases) EXPECT_EQ(apart.Find(t), span) << "t " << t;

  const SpanIndex empty({});
  EXPECT_EQ(empty.Find(0), 0u);
}

TEST(DealPassesTest, TimeInStageMatchesOneThreadOverTheJoinedParts) {
  // Three stages of very different sizes, spread unevenly over the workers' parts; the third is
  // out of scope.
  // The first stage also has stays in the index: some ended in one of the periods, some before,
  // between or after them, of rows that count and rows that do not.
  StayBuffers buffers;
  buffers.Reset(2, 3);
  std::mt19937_64 random(7);
  const std::array<size_t, 3> sizes = {50'000, 3, 700};
  const std::array<Span, 2> spans = {Span{1000, 2000}, Span{0, 900}};
  std::array<std::array<std::vector<double>, 3>, 2> joined;
  auto some_millis = [&] { return static_cast<int64_t>(random() % (90 * kMillisPerDay)); };
  for (size_t period = 0; period < 2; ++period) {
    for (size_t slot = 0; slot < 3; ++slot) {
      for (size_t i = 0; i < sizes[slot] + period; ++i) {
        const double millis = static_cast<double>(some_millis());
        buffers.walked[i % 3 == 0 ? 0 : kWorkers - 1][period][slot].push_back(millis);
        joined[period][slot].push_back(millis / kMillisPerDay);
      }
    }
  }
  StageStays stage_stays;
  StageStays::Ended& index = stage_stays.ended;
  IndexedStays indexed;
  indexed.by_slot = {&stage_stays, nullptr, nullptr};
  constexpr uint32_t kRows = 300;
  indexed.counted_rows.assign((kRows + 63) / 64, 0);
  for (uint32_t row = 0; row < kRows; row += 3)
    indexed.counted_rows[row >> 6] |= 1ull << (row & 63);
  for (int64_t leave = -50; leave < 2100; leave += 3) {
    const uint32_t row = static_cast<uint32_t>(random() % kRows);
    const int64_t millis = some_millis();
    index.leave.push_back(leave);
    index.millis.push_back(millis);
    index.row.push_back(row);
    for (size_t period = 0; period < 2; ++period) {
      if (spans[period].Contains(leave) && indexed.Counts(row)) {
        joined[period][0].push_back(static_cast<double>(millis) / kMillisPerDay);
      }
    }
  }
  ASSERT_GT(joined[1][0].size(), sizes[0] + 1);  // some were taken from the index
  const StaySummaries s =
      ReadStageIndex(buffers, indexed, spans, {true, true, false}).time_in_stage;
  for (size_t slot = 0; slot < 2; ++slot) {
    const Distribution expected = Summarize(joined[0][slot]);
    EXPECT_EQ(s.current[slot].count, expected.count);
    EXPECT_FIGURE(s.current[slot].mean, *expected.mean);
    EXPECT_FIGURE(s.current[slot].median, *expected.median);
    EXPECT_FIGURE(s.current[slot].p75, *expected.p75);
    EXPECT_FIGURE(s.current[slot].p90, *expected.p90);
    EXPECT_FIGURE(s.previous_median[slot], *Percentile(joined[1][slot], 50));
  }
  EXPECT_EQ(s.current[2].count, 0);
  EXPECT_NA(s.current[2].median);
  EXPECT_NA(s.previous_median[2]);
}

TEST_F(AnalyticsTest, FactCacheCatchesUpWithOnlyTheChangedDeals) {
  std::vector<Id> stages = MakePipeline("Sales", {{"A", 10}, {"B", 30}});
  Id first = Create("2026-03-01T09:00:00Z", stages[0], 100, admin_);
  Id second = Create("2026-03-01T10:00:00Z", stages[0], 200, admin_);
  FactCache cache;
  Must(cache.Refresh(*store_));
  EXPECT_TRUE(cache.last_refresh().full_reload);

  Move("2026-03-02T09:00:00Z", second, stages[1]);
  Id third = Create("2026-03-02T10:00:00Z", stages[1], 300, admin_);
  Must(cache.Refresh(*store_));
  EXPECT_FALSE(cache.last_refresh().full_reload);
  EXPECT_EQ(cache.last_refresh().changed_deals, 2u);
  {
    FactCache::Snapshot snap = cache.Read();
    const FactData& data = snap.data();
    int64_t row = snap.RowOf(second);
    ASSERT_GE(row, 0);
    EXPECT_EQ(data.deals.stage[row], stages[1]);
    ASSERT_EQ(data.deals.event_count[row], 2u);  // created, moved
    EXPECT_EQ(data.events[data.deals.event_begin[row] + 1].stage, stages[1]);
    EXPECT_GE(snap.RowOf(third), 0);
    EXPECT_EQ(snap.RowOf(999), -1);
  }

  Must(ws_->DeleteDeal(admin_, first, std::nullopt));
  Must(cache.Refresh(*store_));
  EXPECT_EQ(cache.last_refresh().changed_deals, 1u);
  FactCache::Snapshot snap = cache.Read();
  EXPECT_EQ(snap.data().deals.gone[snap.RowOf(first)], 1);
  EXPECT_EQ(snap.data().deals.event_count[snap.RowOf(first)], 0u);
}

TEST_F(AnalyticsTest, FactCacheReloadsEverythingAfterABulkLoad) {
  std::vector<Id> stages = MakePipeline("Sales", {{"A", 10}});
  Create("2026-03-01T09:00:00Z", stages[0], 100, admin_);
  FactCache cache;
  Must(cache.Refresh(*store_));
  {
    std::unique_ptr<BulkWriter> bulk = Must(store_->BeginBulkLoad());
    Deal d;
    d.id = 1000;
    d.title = "Loaded";
    d.value = {500, "USD"};
    d.pipeline_id = pipeline_;
    d.stage_id = stages[0];
    d.owner_id = admin_.id;
    d.created_at = d.updated_at = d.stage_changed_at = At("2026-03-02T00:00:00Z");
    Must(bulk->Add(d));
    Must(bulk->Finish());
  }
  Must(cache.Refresh(*store_));
  EXPECT_TRUE(cache.last_refresh().full_reload);
  FactCache::Snapshot snap = cache.Read();
  EXPECT_EQ(snap.data().deals.size(), 2u);
  EXPECT_GE(snap.RowOf(1000), 0);
}

}  // namespace
}  // namespace pipedeck
