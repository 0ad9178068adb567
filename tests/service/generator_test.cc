// The workspace generator: the pure deal-life simulation, table-driven, and a small generated
// workspace checked record by record against the store.
#include "service/generator.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "core/deal_rules.h"
#include "service/workspace.h"
#include "store/sqlite/sqlite_store.h"
#include "support/test_support.h"

namespace pipedeck {
namespace {

using test_support::Must;
using test_support::RemoveDb;

// ---- SimulateDealLife ---------------------------------------------------------------------------

const Timestamp kT0 = *ParseTimestamp("2026-01-05T09:00:00Z");
Timestamp Day(double d) { return {kT0.millis + static_cast<int64_t>(d * kMillisPerDay)}; }

// Seven stages, each taking exactly two days, always advancing; losses pick reason 1.
PipelineModel CertainModel() {
  PipelineModel m;
  m.lost_reasons = {"never", "always"};
  m.stages.assign(7, StageModel{1.0, 2.0, 0.0, {0, 1}});
  m.reopen_median_days = 10;
  m.reopen_sigma = 0;
  return m;
}

using K = StageEventKind;
struct Step {
  K kind;
  int from, to;
  double day;
};

struct LifeCase {
  const char* name;
  std::function<void(PipelineModel&)> tweak;
  double now_day;
  std::vector<Step> steps;
  DealStatus status;
  int stage;
  double stage_changed_day;
  std::optional<double> closed_day;
};

TEST(SimulateDealLifeTest, CertainOutcomesFollowTheModel) {
  const std::vector<LifeCase> cases = {
      {"all advance: won after the last stage",
       [](PipelineModel&) {},
       100,
       {{K::kCreated, -1, 0, 0},
        {K::kStageChanged, 0, 1, 2},
        {K::kStageChanged, 1, 2, 4},
        {K::kStageChanged, 2, 3, 6},
        {K::kStageChanged, 3, 4, 8},
        {K::kStageChanged, 4, 5, 10},
        {K::kStageChanged, 5, 6, 12},
        {K::kWon, 6, 6, 14}},
       DealStatus::kWon,
       6,
       12,
       14},
      {"no advance from the first stage: lost there",
       [](PipelineModel& m) { m.stages[0].advance = 0; },
       100,
       {{K::kCreated, -1, 0, 0}, {K::kLost, 0, 0, 2}},
       DealStatus::kLost,
       0,
       0,
       2},
      {"no advance from the fourth stage: lost there",
       [](PipelineModel& m) { m.stages[3].advance = 0; },
       100,
       {{K::kCreated, -1, 0, 0},
        {K::kStageChanged, 0, 1, 2},
        {K::kStageChanged, 1, 2, 4},
        {K::kStageChanged, 2, 3, 6},
        {K::kLost, 3, 3, 8}},
       DealStatus::kLost,
       3,
       6,
       8},
      {"now comes first: still open where it is",
       [](PipelineModel&) {},
       5,
       {{K::kCreated, -1, 0, 0}, {K::kStageChanged, 0, 1, 2}, {K::kStageChanged, 1, 2, 4}},
       DealStatus::kOpen,
       2,
       4,
       std::nullopt},
      {"always skipping: every other stage",
       [](PipelineModel& m) { m.skip = 1; },
       100,
       {{K::kCreated, -1, 0, 0},
        {K::kStageChanged, 0, 2, 2},
        {K::kStageChanged, 2, 4, 4},
        {K::kStageChanged, 4, 6, 6},
        {K::kWon, 6, 6, 8}},
       DealStatus::kWon,
       6,
       6,
       8},
      {"stepping back: once, from the second stage",
       [](PipelineModel& m) { m.step_back = 1; },
       100,
       {{K::kCreated, -1, 0, 0},
        {K::kStageChanged, 0, 1, 2},
        {K::kStageChanged, 1, 0, 4},
        {K::kStageChanged, 0, 1, 6},
        {K::kStageChanged, 1, 2, 8},
        {K::kStageChanged, 2, 3, 10},
        {K::kStageChanged, 3, 4, 12},
        {K::kStageChanged, 4, 5, 14},
        {K::kStageChanged, 5, 6, 16},
        {K::kWon, 6, 6, 18}},
       DealStatus::kWon,
       6,
       16,
       18},
      {"entering at the second stage",
       [](PipelineModel& m) {
         m.enter_second = 1;
         m.stages[1].advance = 0;
       },
       100,
       {{K::kCreated, -1, 1, 0}, {K::kLost, 1, 1, 2}},
       DealStatus::kLost,
       1,
       0,
       2},
      {"reopened once after being lost, then lost again",
       [](PipelineModel& m) {
         m.stages[0].advance = 0;
         m.reopen = 1;
       },
       100,
       {{K::kCreated, -1, 0, 0},
        {K::kLost, 0, 0, 2},
        {K::kReopened, 0, 0, 12},
        {K::kLost, 0, 0, 14}},
       DealStatus::kLost,
       0,
       0,
       14},
      {"reopening would come after now: stays lost",
       [](PipelineModel& m) {
         m.stages[0].advance = 0;
         m.reopen = 1;
       },
       11,
       {{K::kCreated, -1, 0, 0}, {K::kLost, 0, 0, 2}},
       DealStatus::kLost,
       0,
       0,
       2},
  };
  for (const LifeCase& c : cases) {
    SCOPED_TRACE(c.name);
    PipelineModel model = CertainModel();
    c.tweak(model);
    Rng rng(7);
    DealLife life;
    SimulateDealLife(model, kT0, Day(c.now_day), 1.0, rng, life);
    ASSERT_EQ(life.events.size(), c.steps.size());
    for (size_t i = 0; i < c.steps.size(); ++i) {
      SCOPED_TRACE("event " + std::to_string(i));
      EXPECT_EQ(life.events[i].kind, c.steps[i].kind);
      EXPECT_EQ(life.events[i].from_stage, c.steps[i].from);
      EXPECT_EQ(life.events[i].to_stage, c.steps[i].to);
      EXPECT_EQ(life.events[i].at, Day(c.steps[i].day));
      if (life.events[i].kind == K::kLost) {
        EXPECT_EQ(life.events[i].lost_reason, 1);
      }
    }
    EXPECT_EQ(life.status, c.status);
    EXPECT_EQ(life.stage, c.stage);
    EXPECT_EQ(life.stage_changed_at, Day(c.stage_changed_day));
    if (c.closed_day) {
      ASSERT_TRUE(life.closed_at.has_value());
      EXPECT_EQ(*life.closed_at, Day(*c.closed_day));
    } else {
      EXPECT_FALSE(life.closed_at.has_value());
    }
    EXPECT_EQ(life.lost_reason, c.status == DealStatus::kLost ? 1 : -1);
  }
}

// The real models over many deals: the win rate, events per deal and lifetime land where the
// generator's description says.
TEST(SimulateDealLifeTest, SalesModelGivesPlausibleFunnel) {
  const PipelineModel model = SalesPipelineModel();
  DealLife life;
  int won = 0, lost = 0, events = 0;
  double lifetime_days = 0;
  const int n = 20'000;
  for (int i = 0; i < n; ++i) {
    Rng rng = Rng::ForItem(1, 1, static_cast<uint64_t>(i));
    SimulateDealLife(model, kT0, Day(3650), 1.0, rng, life);
    events += static_cast<int>(life.events.size());
    if (life.status == DealStatus::kWon) ++won;
    if (life.status == DealStatus::kLost) ++lost;
    if (life.closed_at)
      lifetime_days += (life.closed_at->millis - kT0.millis) / 1.0 / kMillisPerDay;
  }
  EXPECT_EQ(won + lost, n);  // ten years is long enough to close every deal
  EXPECT_NEAR(won / static_cast<double>(n), 0.22, 0.04);
  EXPECT_NEAR(events / static_cast<double>(n), 5.0, 0.5);
  EXPECT_NEAR(lifetime_days / n, 40, 12);
}

// ---- A generated workspace ---------------------------------------------------------------------

std::string TempDbPath() { return test_support::TempDbPath("generator_test"); }

const Timestamp kNow = *ParseTimestamp("2026-06-15T14:30:00Z");

struct Generated {
  std::string path;
  std::unique_ptr<Store> store;
  GeneratorSummary summary;
  ~Generated() {
    if (store) store->Close();
    RemoveDb(path);
  }
};

std::unique_ptr<Generated> Generate(int64_t deals, int reps, int months, uint64_t seed) {
  auto g = std::make_unique<Generated>();
  g->path = TempDbPath();
  SqliteOptions options;
  options.path = g->path;
  g->store = Must(OpenSqliteStore(options));
  GeneratorOptions gen;
  gen.deals = deals;
  gen.reps = reps;
  gen.months = months;
  gen.seed = seed;
  gen.now = kNow;
  gen.batch_deals = 500;  // several batches, so the hand-over between threads is exercised
  g->summary = Must(GenerateWorkspace(*g->store, gen, nullptr));
  return g;
}

template <typename T, typename Fn>
std::vector<T> ListAll(Store& store, Fn list) {
  std::vector<T> all;
  ListQuery q;
  q.limit = 500;
  Must(store.Read([&](StoreTx& tx) -> Status {
    for (;;) {
      PD_ASSIGN_OR_RETURN(Page<T> page, list(tx, q));
      all.insert(all.end(), page.items.begin(), page.items.end());
      if (page.next_cursor.empty()) return Status::Ok();
      q.cursor = page.next_cursor;
    }
  }));
  return all;
}

std::vector<Deal> AllDeals(Store& store) {
  return ListAll<Deal>(store, [](StoreTx& tx, const ListQuery& q) { return tx.ListDeals(q); });
}

// Everything a deal holds, as text, to compare two workspaces.
std::string Describe(const Deal& d) {
  std::ostringstream out;
  out << d.id << '|' << d.title << '|' << d.value.amount_minor << d.value.currency << '|'
      << d.pipeline_id << '|' << d.stage_id << '|' << DealStatusName(d.status) << '|'
      << d.lost_reason << '|' << (d.expected_close_date ? d.expected_close_date->days : -1) << '|'
      << d.owner_id << '|' << d.person_id.value_or(0) << '|' << d.org_id.value_or(0) << '|'
      << d.source << '|' << d.position << '|' << d.probability_override.value_or(-1) << '|'
      << (d.next_activity_date ? d.next_activity_date->days : -1) << '|'
      << (d.last_activity_at ? d.last_activity_at->millis : -1) << '|' << d.stage_changed_at.millis
      << '|' << (d.closed_at ? d.closed_at->millis : -1) << '|' << d.version << '|'
      << d.created_at.millis << '|' << d.updated_at.millis;
  return out.str();
}

std::string Describe(const BoardView& board) {
  std::ostringstream out;
  for (const BoardColumnView& c : board.columns) {
    out << c.stage.id << ':' << c.deal_count;
    for (const CurrencyTotal& t : c.totals) {
      out << ' ' << t.currency << t.count << '/' << t.value_minor << '/' << t.weighted_minor;
    }
    for (const BoardCard& card : c.cards) out << ' ' << card.deal.id;
    out << '\n';
  }
  return out.str();
}

std::string DescribeBoards(Store& store) {
  ManualClock clock(kNow);
  Workspace ws(store, clock);
  std::string text;
  for (Id pipeline : {1, 2}) {
    BoardQuery q;
    q.pipeline_id = pipeline;
    text += Describe(Must(ws.Board(q)));
  }
  return text;
}

class GeneratedWorkspaceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { workspace_ = Generate(3000, 5, 12, 42).release(); }
  static void TearDownTestSuite() {
    delete workspace_;
    workspace_ = nullptr;
  }
  static Store& store() { return *workspace_->store; }
  static const GeneratorSummary& summary() { return workspace_->summary; }

  static Generated* workspace_;
};
Generated* GeneratedWorkspaceTest::workspace_ = nullptr;

TEST_F(GeneratedWorkspaceTest, RecordCountsMatchTheShape) {
  const GeneratorSummary& s = summary();
  EXPECT_EQ(s.deals, 3000);
  EXPECT_EQ(s.users, 6);
  EXPECT_EQ(s.pipelines, 2);
  EXPECT_EQ(s.stages, 14);
  EXPECT_EQ(s.organizations, 300);
  EXPECT_EQ(s.persons, 1000);
  EXPECT_EQ(s.open_deals + s.won_deals + s.lost_deals, 3000);
  EXPECT_NEAR(s.stage_events / 3000.0, 5.0, 0.6);
  EXPECT_NEAR(s.activities / 3000.0, 3.0, 0.5);
  EXPECT_NEAR(s.notes / 3000.0, 0.5, 0.1);
  EXPECT_NEAR(s.open_deals / 3000.0, 0.10, 0.04);
  EXPECT_NEAR(s.won_deals / 3000.0, 0.27, 0.08);

  // The store holds what the summary says.
  EXPECT_EQ(AllDeals(store()).size(), 3000u);
  EXPECT_EQ(ListAll<User>(store(), [](StoreTx& tx, const ListQuery& q) { return tx.ListUsers(q); })
                .size(),
            6u);
  EXPECT_EQ(ListAll<Organization>(
                store(), [](StoreTx& tx, const ListQuery& q) { return tx.ListOrganizations(q); })
                .size(),
            300u);
  EXPECT_EQ(
      ListAll<Person>(store(), [](StoreTx& tx, const ListQuery& q) { return tx.ListPersons(q); })
          .size(),
      1000u);
  EXPECT_EQ(ListAll<Note>(store(), [](StoreTx& tx, const ListQuery& q) { return tx.ListNotes(q); })
                .size(),
            static_cast<size_t>(s.notes));
  EXPECT_EQ(ListAll<Activity>(store(),
                              [](StoreTx& tx, const ListQuery& q) { return tx.ListActivities(q); })
                .size(),
            static_cast<size_t>(s.activities));
  ManualClock clock(kNow);
  Workspace ws(store(), clock);
  EXPECT_EQ(Must(ws.DefaultCurrency()), "USD");
}

TEST_F(GeneratedWorkspaceTest, OwnersAreUnevenButAllWork) {
  std::map<Id, int> per_owner;
  for (const Deal& d : AllDeals(store())) ++per_owner[d.owner_id];
  ASSERT_EQ(per_owner.size(), 5u);  // the five reps, not the admin
  EXPECT_EQ(per_owner.count(1), 0u);
  int least = 3000, most = 0;
  for (const auto& [owner, n] : per_owner) {
    least = std::min(least, n);
    most = std::max(most, n);
  }
  EXPECT_GT(least, 100);
  EXPECT_GT(most, least * 1.2);
}

TEST_F(GeneratedWorkspaceTest, EveryHistoryIsConsistentWithItsDeal) {
  std::set<std::string> reasons;
  for (const LostReason& r : ListAll<LostReason>(
           store(), [](StoreTx&tx, const ListQuery&q) { return tx.ListLostReasons(q); })) {
    reasons.insert(r.label);
  }
  ASSERT_FALSE(reasons.empty());
  int renewals = 0, reopened = 0, stepped_back = 0;
  const std::vector<Deal> deals = AllDeals(store());
  Must(store().Read([&](StoreTx& tx) -> Status {
    for (const Deal& d : deals) {
      SCOPED_TRACE("deal " + std::to_string(d.id));
      PD_ASSIGN_OR_RETURN(std::vector<StageEvent> events, tx.StageEventsOfDeal(d.id));
      PD_ASSIGN_OR_RETURN(Stage stage, tx.GetStage(d.stage_id));
      EXPECT_EQ(stage.pipeline_id, d.pipeline_id);
      if (d.pipeline_id == 2) ++renewals;
      if (events.empty()) {
        ADD_FAILURE() << "no history";
        continue;
      }
      EXPECT_EQ(events[0].kind, StageEventKind::kCreated);
      EXPECT_FALSE(events[0].from_stage_id.has_value());
      EXPECT_EQ(events[0].at, d.created_at);
      Timestamp stage_entered = events[0].at;
      for (size_t i = 1; i < events.size(); ++i) {
        const StageEvent& prev = events[i - 1];
        const StageEvent& e = events[i];
        EXPECT_EQ(e.from_stage_id, prev.to_stage_id);
        EXPECT_EQ(e.from_pipeline_id, prev.to_pipeline_id);
        EXPECT_EQ(e.from_status, prev.to_status);
        EXPECT_GE(e.at, prev.at);
        switch (e.kind) {
          case StageEventKind::kStageChanged:
            EXPECT_NE(e.from_stage_id, e.to_stage_id);
            EXPECT_EQ(e.to_status, DealStatus::kOpen);
            stage_entered = e.at;
            break;
          case StageEventKind::kWon:
          case StageEventKind::kLost:
            EXPECT_EQ(e.from_status, DealStatus::kOpen);
            EXPECT_EQ(e.from_stage_id, e.to_stage_id);
            break;
          case StageEventKind::kReopened:
            ++reopened;
            EXPECT_NE(e.from_status, DealStatus::kOpen);
            EXPECT_EQ(e.to_status, DealStatus::kOpen);
            break;
          case StageEventKind::kCreated:
            ADD_FAILURE() << "created twice";
        }
        if (e.kind == StageEventKind::kStageChanged) {
          PD_ASSIGN_OR_RETURN(Stage from, tx.GetStage(*e.from_stage_id));
          PD_ASSIGN_OR_RETURN(Stage to, tx.GetStage(*e.to_stage_id));
          if (to.order < from.order) ++stepped_back;
        }
      }
      const StageEvent& last = events.back();
      EXPECT_LT(last.at, kNow);
      EXPECT_EQ(last.to_stage_id, d.stage_id);
      EXPECT_EQ(last.to_pipeline_id, d.pipeline_id);
      EXPECT_EQ(last.to_status, d.status);
      EXPECT_EQ(d.stage_changed_at, stage_entered);
      EXPECT_GE(d.version, static_cast<int64_t>(events.size()));
      EXPECT_GE(d.updated_at, last.at);
      EXPECT_LT(d.updated_at, kNow);
      if (d.status == DealStatus::kOpen) {
        EXPECT_FALSE(d.closed_at.has_value());
        EXPECT_TRUE(d.lost_reason.empty());
        EXPECT_GT(d.position, 0);
      } else {
        EXPECT_TRUE(last.kind == StageEventKind::kWon || last.kind == StageEventKind::kLost);
        EXPECT_EQ(d.closed_at, last.at);
      }
      if (d.status == DealStatus::kLost) {
        EXPECT_EQ(d.lost_reason, last.lost_reason);
        EXPECT_TRUE(reasons.count(d.lost_reason)) << d.lost_reason;
      } else {
        EXPECT_TRUE(d.lost_reason.empty());
      }
    }
    return Status::Ok();
  }));
  // Renewals are ~10% of deals; some deals were reopened and some moved backwards.
  EXPECT_NEAR(renewals / 3000.0, 0.10, 0.03);
  EXPECT_GT(reopened, 0);
  EXPECT_GT(stepped_back, 0);
}

TEST_F(GeneratedWorkspaceTest, ActivityDatesMatchTheActivities) {
  const Date today = DateOf(kNow);
  int overdue = 0, due_today = 0, upcoming = 0, open_without_next = 0, open_deals = 0;
  const std::vector<Deal> deals = AllDeals(store());
  Must(store().Read([&](StoreTx& tx) -> Status {
    for (const Deal& d : deals) {
      SCOPED_TRACE("deal " + std::to_string(d.id));
      PD_ASSIGN_OR_RETURN(std::vector<Activity> activities, tx.ActivitiesOfDeal(d.id));
      std::optional<Date> next;
      std::optional<Timestamp> last;
      for (const Activity& a : activities) {
        EXPECT_EQ(a.owner_id, d.owner_id);
        EXPECT_EQ(a.org_id, d.org_id);
        EXPECT_GE(a.created_at, d.created_at);
        EXPECT_LT(a.created_at, kNow);
        if (a.done) {
          if (!a.done_at) {
            ADD_FAILURE() << "done without done_at";
            continue;
          }
          EXPECT_LT(*a.done_at, kNow);
          EXPECT_GE(*a.done_at, a.created_at);
          if (!last || *a.done_at > *last) last = a.done_at;
        } else {
          EXPECT_EQ(d.status, DealStatus::kOpen) << "open activity on a closed deal";
          if (!next || a.due_date < *next) next = a.due_date;
        }
      }
      EXPECT_EQ(d.next_activity_date, next);
      EXPECT_EQ(d.last_activity_at, last);
      if (d.status != DealStatus::kOpen) continue;
      ++open_deals;
      if (!next) {
        ++open_without_next;
      } else if (*next < today) {
        ++overdue;
      } else if (*next == today) {
        ++due_today;
      } else {
        ++upcoming;
      }
    }
    return Status::Ok();
  }));
  ASSERT_GT(open_deals, 0);
  EXPECT_GT(overdue, 0);
  EXPECT_GT(due_today, 0);
  EXPECT_GT(open_without_next, 0);
  EXPECT_GT(upcoming, open_deals / 3);  // most open deals have an upcoming step
}

TEST_F(GeneratedWorkspaceTest, BoardTotalsEqualADirectCount) {
  struct Totals {
    int64_t count = 0, value = 0;
    __int128 weighted = 0;  // Σ value × percent
  };
  std::map<std::pair<Id, std::string>, Totals> expected;
  std::map<Id, std::vector<double>> positions;
  std::map<Id, int32_t> stage_probability;
  for (const Stage& s :
       ListAll<Stage>(store(), [](StoreTx&tx, const ListQuery&q) { return tx.ListStages(q); })) {
    stage_probability[s.id] = s.probability;
  }
  for (const Deal& d : AllDeals(store())) {
    if (d.status != DealStatus::kOpen) continue;
    Totals& t = expected[{d.stage_id, d.value.currency}];
    ++t.count;
    t.value += d.value.amount_minor;
    t.weighted += static_cast<__int128>(d.value.amount_minor) *
                  d.probability_override.value_or(stage_probability[d.stage_id]);
    positions[d.stage_id].push_back(d.position);
  }
  // Open cards are numbered densely within each stage.
  for (auto& [stage, list] : positions) {
    std::sort(list.begin(), list.end());
    for (size_t i = 0; i < list.size(); ++i) EXPECT_EQ(list[i], kPositionStep * (i + 1));
  }
  ManualClock clock(kNow);
  Workspace ws(store(), clock);
  size_t columns_checked = 0;
  for (Id pipeline : {1, 2}) {
    BoardQuery q;
    q.pipeline_id = pipeline;
    q.card_limit = 3;
    const BoardView board = Must(ws.Board(q));
    ASSERT_EQ(board.columns.size(), 7u);
    for (const BoardColumnView& c : board.columns) {
      int64_t count = 0;
      for (const CurrencyTotal& t : c.totals) {
        SCOPED_TRACE("stage " + std::to_string(c.stage.id) + " " + t.currency);
        const Totals& want = expected[{c.stage.id, t.currency}];
        EXPECT_EQ(t.count, want.count);
        EXPECT_EQ(t.value_minor, want.value);
        EXPECT_EQ(t.weighted_minor, static_cast<int64_t>((want.weighted + 50) / 100));
        count += t.count;
      }
      int64_t want_count = 0;
      for (const auto& [key, t] : expected) {
        if (key.first == c.stage.id) want_count += t.count;
      }
      EXPECT_EQ(c.deal_count, want_count);
      EXPECT_EQ(count, want_count);
      // The top card is the one most recently moved into the stage.
      if (!c.cards.empty()) {
        EXPECT_EQ(c.cards[0].deal.position, kPositionStep);
        if (c.cards.size() > 1) {
          EXPECT_GE(c.cards[0].deal.stage_changed_at, c.cards[1].deal.stage_changed_at);
        }
      }
      ++columns_checked;
    }
  }
  EXPECT_EQ(columns_checked, 14u);
}

TEST_F(GeneratedWorkspaceTest, AdminTokenAuthenticates) {
  ManualClock clock(kNow);
  Workspace ws(store(), clock);
  ASSERT_EQ(summary().admin_token.rfind("pd_", 0), 0u);
  const User admin = Must(ws.Authenticate(summary().admin_token));
  EXPECT_EQ(admin.id, summary().admin_id);
  EXPECT_EQ(admin.role, Role::kAdmin);
  EXPECT_EQ(ws.Authenticate("pd_" + std::string(48, '0')).status().code(),
            ErrorCode::kUnauthorized);
}

TEST(GeneratorTest, SameSeedSameWorkspaceOtherSeedOther) {
  auto a = Generate(600, 3, 6, 9);
  auto b = Generate(600, 3, 6, 9);
  auto c = Generate(600, 3, 6, 10);
  auto describe = [](Store& store) {
    std::string text;
    for (const Deal& d : AllDeals(store)) text += Describe(d) + "\n";
    return text;
  };
  EXPECT_EQ(describe(*a->store), describe(*b->store));
  EXPECT_EQ(DescribeBoards(*a->store), DescribeBoards(*b->store));
  EXPECT_EQ(a->summary.stage_events, b->summary.stage_events);
  EXPECT_EQ(a->summary.activities, b->summary.activities);
  EXPECT_NE(describe(*a->store), describe(*c->store));
  EXPECT_NE(DescribeBoards(*a->store), DescribeBoards(*c->store));
}

TEST(GeneratorTest, RejectsBadOptionsAndUsedStores) {
  const std::string path = TempDbPath();
  SqliteOptions options;
  options.path = path;
  std::unique_ptr<Store> store = Must(OpenSqliteStore(options));
  GeneratorOptions gen;
  gen.now = kNow;
  gen.deals = 0;
  Result<GeneratorSummary> r = GenerateWorkspace(*store, gen, nullptr);
  EXPECT_EQ(r.status().code(), ErrorCode::kInvalid);
  EXPECT_EQ(r.status().field(), "deals");
  gen.deals = 10;
  gen.reps = 0;
  EXPECT_EQ(GenerateWorkspace(*store, gen, nullptr).status().field(), "reps");
  gen.reps = 2;
  gen.months = 121;
  EXPECT_EQ(GenerateWorkspace(*store, gen, nullptr).status().field(), "months");
  gen.months = 1;
  int calls = 0;
  int64_t last_done = 0;
  const GeneratorSummary s = Must(GenerateWorkspace(*store, gen, [&](const GeneratorProgress& p) {
    ++calls;
    EXPECT_GT(p.deals_done, last_done);
    EXPECT_EQ(p.deals_total, 10);
    last_done = p.deals_done;
  }));
  EXPECT_EQ(s.deals, 10);
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(last_done, 10);
  EXPECT_EQ(GenerateWorkspace(*store, gen, nullptr).status().code(), ErrorCode::kConflict);
  store->Close();
  RemoveDb(path);
}

}  // namespace
}  // namespace pipedeck
