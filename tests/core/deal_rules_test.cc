#include "core/deal_rules.h"

#include <string>

#include <gtest/gtest.h>

#include "core/validate.h"

namespace pipedeck {
namespace {

constexpr int64_t kHour = 3'600'000;

Timestamp At(int year, int month, int day, int hour = 0, int minute = 0) {
  return {StartOf(*MakeDate(year, month, day)).millis + (hour * 60LL + minute) * 60'000};
}

Stage MakeStage(Id id, Id pipeline_id, int32_t probability,
                std::optional<int32_t> rotting_days = std::nullopt) {
  Stage s;
  s.id = id;
  s.pipeline_id = pipeline_id;
  s.name = "Stage " + std::to_string(id);
  s.probability = probability;
  s.rotting_days = rotting_days;
  return s;
}

class DealRulesTest : public testing::Test {
 protected:
  DealRulesTest() {
    deal_.id = 7;
    deal_.title = "Acme renewal";
    deal_.value = {250000, "USD"};
    deal_.pipeline_id = 1;
    deal_.stage_id = 10;
    deal_.position = 2048;
    deal_.version = 3;
    deal_.created_at = deal_.updated_at = deal_.stage_changed_at = created_;
  }

  const Timestamp created_ = At(2026, 3, 2, 9);
  const Timestamp now_ = At(2026, 3, 9, 15);
  const Id user_ = 42;
  Deal deal_;
  const Stage qualification_ = MakeStage(10, 1, 20, 14);
  const Stage proposal_ = MakeStage(11, 1, 60, 21);
  const Stage other_pipeline_ = MakeStage(30, 3, 40);
};

TEST_F(DealRulesTest, CreationEvent) {
  const StageEvent e = CreationEvent(deal_, user_, created_);
  EXPECT_EQ(e.kind, StageEventKind::kCreated);
  EXPECT_EQ(e.deal_id, 7);
  EXPECT_EQ(e.user_id, user_);
  EXPECT_EQ(e.at, created_);
  EXPECT_FALSE(e.from_stage_id.has_value());
  EXPECT_FALSE(e.from_pipeline_id.has_value());
  EXPECT_EQ(e.to_stage_id, 10);
  EXPECT_EQ(e.to_pipeline_id, 1);
  EXPECT_EQ(e.to_status, DealStatus::kOpen);
}

TEST_F(DealRulesTest, MoveToAnotherStageRecordsTheChange) {
  const auto moved = MoveDeal(deal_, proposal_, 512, user_, now_);
  ASSERT_TRUE(moved.ok()) << moved.status().ToString();
  EXPECT_EQ(moved->deal.stage_id, 11);
  EXPECT_EQ(moved->deal.pipeline_id, 1);
  EXPECT_EQ(moved->deal.position, 512);
  EXPECT_EQ(moved->deal.stage_changed_at, now_);
  EXPECT_EQ(moved->deal.updated_at, now_);
  EXPECT_EQ(moved->deal.version, 3) << "the workspace bumps the version, not the rule";
  ASSERT_TRUE(moved->event.has_value());
  const StageEvent& e = *moved->event;
  EXPECT_EQ(e.kind, StageEventKind::kStageChanged);
  EXPECT_EQ(e.deal_id, 7);
  EXPECT_EQ(e.user_id, user_);
  EXPECT_EQ(e.at, now_);
  EXPECT_EQ(e.from_stage_id, 10);
  EXPECT_EQ(e.to_stage_id, 11);
  EXPECT_EQ(e.from_pipeline_id, 1);
  EXPECT_EQ(e.to_pipeline_id, 1);
  EXPECT_EQ(e.from_status, DealStatus::kOpen);
  EXPECT_EQ(e.to_status, DealStatus::kOpen);
}

TEST_F(DealRulesTest, MoveToAnotherPipelineTakesThePipelineAlong) {
  const auto moved = MoveDeal(deal_, other_pipeline_, 1024, user_, now_);
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->deal.pipeline_id, 3);
  EXPECT_EQ(moved->deal.stage_id, 30);
  EXPECT_EQ(moved->event->from_pipeline_id, 1);
  EXPECT_EQ(moved->event->to_pipeline_id, 3);
}

TEST_F(DealRulesTest, MoveWithinTheStageOnlyRepositions) {
  const auto moved = MoveDeal(deal_, qualification_, 100, user_, now_);
  ASSERT_TRUE(moved.ok());
  EXPECT_FALSE(moved->event.has_value());
  EXPECT_EQ(moved->deal.position, 100);
  EXPECT_EQ(moved->deal.stage_id, 10);
  EXPECT_EQ(moved->deal.stage_changed_at, created_);
}

TEST_F(DealRulesTest, OnlyOpenDealsMove) {
  for (const DealStatus status : {DealStatus::kWon, DealStatus::kLost}) {
    Deal closed = deal_;
    closed.status = status;
    if (status == DealStatus::kLost) closed.lost_reason = "No budget";
    const auto moved = MoveDeal(closed, proposal_, 0, user_, now_);
    EXPECT_EQ(moved.status().code(), ErrorCode::kConflict);
    EXPECT_EQ(moved.status().field(), "status");
    EXPECT_EQ(moved.status().message(), "only open deals can be moved; reopen it first");
  }
}

TEST_F(DealRulesTest, OpenWonReopen) {
  const auto won = MarkWon(deal_, user_, now_);
  ASSERT_TRUE(won.ok());
  EXPECT_EQ(won->deal.status, DealStatus::kWon);
  EXPECT_EQ(won->deal.closed_at, now_);
  EXPECT_EQ(won->deal.updated_at, now_);
  EXPECT_EQ(won->deal.stage_id, 10);
  EXPECT_EQ(won->event.kind, StageEventKind::kWon);
  EXPECT_EQ(won->event.from_status, DealStatus::kOpen);
  EXPECT_EQ(won->event.to_status, DealStatus::kWon);
  EXPECT_EQ(won->event.from_stage_id, 10);
  EXPECT_EQ(won->event.to_stage_id, 10);
  EXPECT_TRUE(ValidateDeal(won->deal).ok());

  const Timestamp later = AddDays(now_, 1);
  const auto reopened = Reopen(won->deal, user_, later);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(reopened->deal.status, DealStatus::kOpen);
  EXPECT_FALSE(reopened->deal.closed_at.has_value());
  EXPECT_EQ(reopened->deal.stage_id, 10);
  EXPECT_EQ(reopened->deal.updated_at, later);
  EXPECT_EQ(reopened->event.kind, StageEventKind::kReopened);
  EXPECT_EQ(reopened->event.from_status, DealStatus::kWon);
  EXPECT_EQ(reopened->event.to_status, DealStatus::kOpen);
  EXPECT_EQ(reopened->event.at, later);
}

TEST_F(DealRulesTest, OpenLostReopen) {
  const auto lost = MarkLost(deal_, "  Went with a competitor \n", user_, now_);
  ASSERT_TRUE(lost.ok()) << lost.status().ToString();
  EXPECT_EQ(lost->deal.status, DealStatus::kLost);
  EXPECT_EQ(lost->deal.lost_reason, "Went with a competitor");
  EXPECT_EQ(lost->deal.closed_at, now_);
  EXPECT_EQ(lost->event.kind, StageEventKind::kLost);
  EXPECT_EQ(lost->event.lost_reason, "Went with a competitor");
  EXPECT_EQ(lost->event.to_status, DealStatus::kLost);
  EXPECT_TRUE(ValidateDeal(lost->deal).ok());

  const auto reopened = Reopen(lost->deal, user_, now_);
  ASSERT_TRUE(reopened.ok());
  EXPECT_EQ(reopened->deal.status, DealStatus::kOpen);
  EXPECT_TRUE(reopened->deal.lost_reason.empty());
  EXPECT_FALSE(reopened->deal.closed_at.has_value());
  EXPECT_EQ(reopened->event.from_status, DealStatus::kLost);
  EXPECT_TRUE(ValidateDeal(reopened->deal).ok());
}

TEST_F(DealRulesTest, WonToLostAndLostToWon) {
  const auto won = MarkWon(deal_, user_, now_);
  ASSERT_TRUE(won.ok());
  const auto lost = MarkLost(won->deal, "Contract cancelled", user_, AddDays(now_, 2));
  ASSERT_TRUE(lost.ok());
  EXPECT_EQ(lost->deal.status, DealStatus::kLost);
  EXPECT_EQ(lost->deal.closed_at, AddDays(now_, 2));
  EXPECT_EQ(lost->event.from_status, DealStatus::kWon);

  const auto rewon = MarkWon(lost->deal, user_, AddDays(now_, 3));
  ASSERT_TRUE(rewon.ok());
  EXPECT_EQ(rewon->deal.status, DealStatus::kWon);
  EXPECT_TRUE(rewon->deal.lost_reason.empty());
  EXPECT_EQ(rewon->event.from_status, DealStatus::kLost);
  EXPECT_TRUE(rewon->event.lost_reason.empty());
  EXPECT_TRUE(ValidateDeal(rewon->deal).ok());
}

TEST_F(DealRulesTest, IllegalTransitionsConflict) {
  Deal won = deal_;
  won.status = DealStatus::kWon;
  Deal lost = deal_;
  lost.status = DealStatus::kLost;
  lost.lost_reason = "No budget";

  struct Row {
    const char* name;
    Status status;
    const char* message;
  };
  const Row rows[] = {
      {"won → won", MarkWon(won, user_, now_).status(), "deal is already won"},
      {"lost → lost", MarkLost(lost, "Again", user_, now_).status(), "deal is already lost"},
      {"reopen open", Reopen(deal_, user_, now_).status(), "deal is already open"},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(r.status.code(), ErrorCode::kConflict);
    EXPECT_EQ(r.status.field(), "status");
    EXPECT_EQ(r.status.message(), r.message);
  }
}

TEST_F(DealRulesTest, LostNeedsAUsableReason) {
  struct Row {
    std::string reason;
    bool ok;
  };
  const Row rows[] = {
      {"", false},
      {" \t\n", false},
      {std::string(kMaxTitleLength, 'x'), true},
      {"  " + std::string(kMaxTitleLength, 'x') + "  ", true},  // trimmed before measuring
      {std::string(kMaxTitleLength + 1, 'x'), false},
      {"caf\xC3", false},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.reason.size());
    const auto lost = MarkLost(deal_, r.reason, user_, now_);
    EXPECT_EQ(lost.ok(), r.ok) << lost.status().ToString();
    if (!r.ok) {
      EXPECT_EQ(lost.status().code(), ErrorCode::kInvalid);
      EXPECT_EQ(lost.status().field(), "lost_reason");
    }
  }
  EXPECT_EQ(MarkLost(deal_, "  ", user_, now_).status().message(), "a lost deal needs a reason");
}

TEST_F(DealRulesTest, ProbabilityOverrideSticksUntilCleared) {
  EXPECT_EQ(EffectiveProbability(deal_, qualification_), 20);

  DealPatch set;
  set.probability_override = std::optional<int32_t>(75);
  Deal d = Apply(deal_, set);
  EXPECT_EQ(EffectiveProbability(d, qualification_), 75);

  const auto moved = MoveDeal(d, proposal_, 0, user_, now_);
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved->deal.probability_override, 75);
  EXPECT_EQ(EffectiveProbability(moved->deal, proposal_), 75);

  DealPatch clear;
  clear.probability_override = std::optional<int32_t>();
  d = Apply(moved->deal, clear);
  EXPECT_EQ(EffectiveProbability(d, proposal_), 60);
}

TEST_F(DealRulesTest, ClosedDealsCountAllOrNothing) {
  Deal d = deal_;
  d.probability_override = 30;
  d.status = DealStatus::kWon;
  EXPECT_EQ(EffectiveProbability(d, qualification_), 100);
  d.status = DealStatus::kLost;
  EXPECT_EQ(EffectiveProbability(d, proposal_), 0);
}

TEST_F(DealRulesTest, StageMustBelongToThePipeline) {
  EXPECT_TRUE(CheckStageInPipeline(qualification_, 1).ok());
  const Status s = CheckStageInPipeline(other_pipeline_, 1);
  EXPECT_EQ(s.code(), ErrorCode::kInvalid);
  EXPECT_EQ(s.field(), "stage_id");
}

TEST(PositionTest, PositionBetween) {
  struct Row {
    std::optional<double> before, after;
    std::optional<double> expected;
  };
  const Row rows[] = {
      {std::nullopt, std::nullopt, kPositionStep},
      {std::nullopt, 1024.0, 0.0},
      {std::nullopt, -1024.0, -2048.0},
      {4096.0, std::nullopt, 5120.0},
      {1024.0, 2048.0, 1536.0},
      {1024.0, 1025.0, 1024.5},
      {-10.0, 10.0, 0.0},
      {1024.0, 1024.0, std::nullopt},         // no gap at all
      {2048.0, 1024.0, std::nullopt},         // neighbours out of order
      {1024.0, 1024.0 + 1e-7, std::nullopt},  // below the relative limit
      {0.0, 1e-8, 5e-9},                      // small positions near zero still split
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(testing::Message() << r.before.value_or(-1) << " .. " << r.after.value_or(-1));
    EXPECT_EQ(PositionBetween(r.before, r.after), r.expected);
  }
}

TEST(PositionTest, RepeatedDropsAtOneSpotExhaustThenRenumberingHelps) {
  const double top = kPositionStep;
  double below = 2 * kPositionStep;
  int splits = 0;
  while (auto p = PositionBetween(top, below)) {
    ASSERT_GT(*p, top);
    ASSERT_LT(*p, below);
    below = *p;
    ++splits;
    ASSERT_LT(splits, 200) << "never exhausted";
  }
  EXPECT_GE(splits, 25) << "a stage should take many drops before it needs renumbering";

  const std::vector<double> fresh = RenumberedPositions(3);
  EXPECT_EQ(fresh, (std::vector<double>{1024, 2048, 3072}));
  EXPECT_TRUE(PositionBetween(fresh[0], fresh[1]).has_value());
  EXPECT_TRUE(RenumberedPositions(0).empty());
}

TEST(BoardFlagsTest, OverdueActivity) {
  Activity a;
  a.due_date = *MakeDate(2026, 3, 9);
  const Timestamp day_start = At(2026, 3, 9);
  const Timestamp next_day = At(2026, 3, 10);
  struct Row {
    const char* name;
    std::optional<TimeOfDay> due_time;
    bool done;
    Timestamp now;
    bool overdue;
  };
  const Row rows[] = {
      {"all day, during the day", std::nullopt, false, At(2026, 3, 9, 23, 59), false},
      {"all day, last millisecond", std::nullopt, false, {next_day.millis - 1}, false},
      {"all day, next day", std::nullopt, false, next_day, true},
      {"all day, done", std::nullopt, true, At(2026, 4, 1), false},
      {"timed, before", TimeOfDay{570}, false, At(2026, 3, 9, 9, 29), false},
      {"timed, at the minute", TimeOfDay{570}, false, At(2026, 3, 9, 9, 30), false},
      {"timed, one ms later", TimeOfDay{570}, false, {At(2026, 3, 9, 9, 30).millis + 1}, true},
      {"timed, done", TimeOfDay{570}, true, At(2026, 3, 9, 18), false},
      {"midnight, at the start", TimeOfDay{0}, false, day_start, false},
      {"day before", std::nullopt, false, At(2026, 3, 8, 12), false},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    a.due_time = r.due_time;
    a.done = r.done;
    EXPECT_EQ(IsOverdue(a, r.now), r.overdue);
  }
}

TEST(BoardFlagsTest, Rotting) {
  const Stage limited = MakeStage(1, 1, 20, 7);
  const Stage unlimited = MakeStage(2, 1, 20);
  const Timestamp t0 = At(2026, 3, 1, 12);
  Deal base;
  base.stage_id = 1;
  base.updated_at = base.stage_changed_at = base.created_at = t0;
  const Timestamp limit = AddDays(t0, 7);

  struct Row {
    const char* name;
    Deal deal;
    const Stage* stage;
    Timestamp now;
    bool rotting;
  };
  Deal won = base;
  won.status = DealStatus::kWon;
  Deal recent_activity = base;
  recent_activity.last_activity_at = AddDays(t0, 3);
  Deal recent_update = base;
  recent_update.updated_at = AddDays(t0, 5);
  Deal recent_stage_change = base;
  recent_stage_change.stage_changed_at = AddDays(t0, 6);
  const Row rows[] = {
      {"exactly at the limit", base, &limited, limit, false},
      {"one ms past the limit", base, &limited, {limit.millis + 1}, true},
      {"no limit on the stage", base, &unlimited, AddDays(t0, 400), false},
      {"closed deals never rot", won, &limited, AddDays(t0, 30), false},
      {"activity resets the clock", recent_activity, &limited, {limit.millis + 1}, false},
      {"activity, then the limit", recent_activity, &limited, AddDays(t0, 10 + 1), true},
      {"an edit resets the clock", recent_update, &limited, AddDays(t0, 12), false},
      {"a stage change resets it", recent_stage_change, &limited, AddDays(t0, 13), false},
      {"stage change, then limit",
       recent_stage_change,
       &limited,
       {AddDays(t0, 13).millis + kHour},
       true},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    EXPECT_EQ(IsRotting(r.deal, *r.stage, r.now), r.rotting);
    // RottingFrom is the moment the flag turns on: false just before it, true from it on.
    std::optional<Timestamp> from = RottingFrom(r.deal, *r.stage);
    if (from) {
      EXPECT_FALSE(IsRotting(r.deal, *r.stage, {from->millis - 1}));
      EXPECT_TRUE(IsRotting(r.deal, *r.stage, *from));
      EXPECT_EQ(r.rotting, r.now >= *from);
    } else {
      EXPECT_FALSE(r.rotting);
    }
  }
  EXPECT_EQ(RottingFrom(base, limited), Timestamp{limit.millis + 1});
  EXPECT_EQ(RottingFrom(base, unlimited), std::nullopt);
  EXPECT_EQ(RottingFrom(won, limited), std::nullopt);
}

TEST(BoardFlagsTest, OverdueNextActivity) {
  Deal d;
  const Timestamp now = At(2026, 3, 9, 8);
  EXPECT_FALSE(HasOverdueNextActivity(d, now)) << "no next activity";
  d.next_activity_date = *MakeDate(2026, 3, 9);
  EXPECT_FALSE(HasOverdueNextActivity(d, now)) << "due today is not overdue yet";
  d.next_activity_date = *MakeDate(2026, 3, 8);
  EXPECT_TRUE(HasOverdueNextActivity(d, now));
  d.status = DealStatus::kWon;
  EXPECT_FALSE(HasOverdueNextActivity(d, now)) << "closed deals have no agenda";
  EXPECT_EQ(OverdueFrom(d), std::nullopt);
}

TEST(BoardFlagsTest, OverdueFromIsTheStartOfTheDayAfterTheDueDate) {
  Deal d;
  EXPECT_EQ(OverdueFrom(d), std::nullopt) << "no next activity";
  d.next_activity_date = *MakeDate(2026, 3, 8);
  const Timestamp from = At(2026, 3, 9, 0);
  EXPECT_EQ(OverdueFrom(d), from);
  EXPECT_FALSE(HasOverdueNextActivity(d, {from.millis - 1}));
  EXPECT_TRUE(HasOverdueNextActivity(d, from));
}

TEST(StageOrderTest, ReorderStages) {
  std::vector<Stage> stages;
  for (int i = 0; i < 5; ++i) {
    stages.push_back(MakeStage(100 + i, 1, 10 * i));
    stages.back().order = i;
  }
  struct Row {
    size_t from, to;
    std::vector<Id> changed_ids;  // in their new order
    std::vector<int32_t> changed_orders;
  };
  const Row rows[] = {
      {0, 0, {}, {}},
      {0, 4, {101, 102, 103, 104, 100}, {0, 1, 2, 3, 4}},
      {4, 0, {104, 100, 101, 102, 103}, {0, 1, 2, 3, 4}},
      {1, 2, {102, 101}, {1, 2}},
      {3, 1, {103, 101, 102}, {1, 2, 3}},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(testing::Message() << r.from << " → " << r.to);
    const std::vector<Stage> changed = ReorderStages(stages, r.from, r.to);
    std::vector<Id> ids;
    std::vector<int32_t> orders;
    for (const Stage& s : changed) {
      ids.push_back(s.id);
      orders.push_back(s.order);
    }
    EXPECT_EQ(ids, r.changed_ids);
    EXPECT_EQ(orders, r.changed_orders);
  }
}

TEST(StageOrderTest, ReorderRepairsGapsInTheNumbering) {
  std::vector<Stage> stages = {MakeStage(1, 1, 10), MakeStage(2, 1, 20), MakeStage(3, 1, 30)};
  stages[0].order = 0;
  stages[1].order = 5;
  stages[2].order = 9;
  const std::vector<Stage> changed = ReorderStages(stages, 0, 0);
  ASSERT_EQ(changed.size(), 2u);
  EXPECT_EQ(changed[0].id, 2);
  EXPECT_EQ(changed[0].order, 1);
  EXPECT_EQ(changed[1].id, 3);
  EXPECT_EQ(changed[1].order, 2);
}

}  // namespace
}  // namespace pipedeck
