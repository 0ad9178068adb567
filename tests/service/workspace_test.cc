// Use cases of the Workspace against a real SQLite file, with a manual clock so every instant the
// tests assert is known.
#include "service/workspace.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "service/demo_seed.h"
#include "service/system_clock.h"
#include "service/secrets.h"
#include "store/sqlite/sqlite_store.h"
#include "support/test_support.h"

namespace pipedeck {
namespace {

using test_support::Must;
using test_support::RemoveDb;

constexpr int64_t kMinute = 60'000;
constexpr int64_t kHour = 60 * kMinute;

template <typename T>
Status StatusOf(const Result<T>& r) {
  return r.status();
}
Status StatusOf(const Status& s) { return s; }

// Asserts an error's code, field and (when given) exact message.
#define EXPECT_ERROR(expr, code_, field_, ...)                            \
  do {                                                                    \
    const ::pipedeck::Status s_ = StatusOf(expr);                         \
    EXPECT_EQ(s_.code(), code_) << s_.ToString();                         \
    EXPECT_EQ(s_.field(), field_) << s_.ToString();                       \
    for (const std::string& m_ : std::vector<std::string>{__VA_ARGS__}) { \
      EXPECT_EQ(s_.message(), m_);                                        \
    }                                                                     \
  } while (0)

std::string TempDbPath() { return test_support::TempDbPath("service_test"); }

const Timestamp kStart = *ParseTimestamp("2026-03-02T10:00:00Z");

// A workspace on a fresh SQLite file, bootstrapped with an admin.
class WorkspaceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = TempDbPath();
    SqliteOptions options;
    options.path = path_;
    store_ = Must(OpenSqliteStore(options));
    ws_ = std::make_unique<Workspace>(*store_, clock_);
    NewToken boot = Must(ws_->Bootstrap("Ada Admin", "Ada@Example.com", "USD"));
    admin_secret_ = boot.secret;
    admin_ = Must(ws_->GetUser(boot.token.user_id));
  }
  void TearDown() override {
    ws_.reset();
    store_->Close();
    RemoveDb(path_);
  }

  void Advance(int64_t millis) { clock_.Advance(millis); }
  Timestamp Now() const { return clock_.Now(); }

  User AddUser(const std::string& name, Role role) {
    UserPatch fields;
    fields.name = name;
    fields.email = name + "@example.com";
    fields.role = role;
    return Must(ws_->CreateUser(admin_, fields));
  }

  // A pipeline with `n` stages named S0..S(n-1), probabilities 10, 20, ...
  struct Built {
    Pipeline pipeline;
    std::vector<Stage> stages;
  };
  Built AddPipeline(const std::string& name, int n, std::optional<int32_t> rotting = std::nullopt) {
    PipelinePatch fields;
    fields.name = name;
    Built b;
    b.pipeline = Must(ws_->CreatePipeline(admin_, fields, ""));
    for (int i = 0; i < n; ++i) {
      StagePatch stage;
      stage.name = "S" + std::to_string(i);
      stage.probability = 10 * (i + 1);
      if (rotting) stage.rotting_days = *rotting;
      b.stages.push_back(Must(ws_->CreateStage(admin_, b.pipeline.id, stage)));
    }
    return b;
  }

  Deal AddDeal(const std::string& title, std::optional<Id> stage_id = std::nullopt,
               const User* actor = nullptr) {
    DealPatch fields;
    fields.title = title;
    fields.value_minor = 100000;
    fields.stage_id = stage_id;
    return Must(ws_->CreateDeal(actor ? *actor : admin_, fields));
  }

  // Titles of the open cards of a stage, top to bottom.
  std::vector<std::string> Cards(Id stage_id) {
    ListQuery q;
    q.stage_id = stage_id;
    q.status = DealStatus::kOpen;
    q.sort = SortField::kPosition;
    q.limit = 500;
    std::vector<std::string> titles;
    for (const Deal& d : Must(ws_->ListDeals(q)).items) titles.push_back(d.title);
    return titles;
  }

  std::vector<Stage> StagesOf(Id pipeline_id) {
    ListQuery q;
    q.pipeline_id = pipeline_id;
    q.limit = 500;
    std::vector<Stage> stages = Must(ws_->ListStages(q)).items;
    std::sort(stages.begin(), stages.end(),
              [](const Stage& a, const Stage& b) { return a.order < b.order; });
    return stages;
  }

  size_t DealCount() {
    ListQuery q;
    q.limit = 500;
    return Must(ws_->ListDeals(q)).items.size();
  }

  std::string path_;
  ManualClock clock_{kStart};
  std::unique_ptr<Store> store_;
  std::unique_ptr<Workspace> ws_;
  User admin_;
  std::string admin_secret_;
};

// ---- Deals: creation and defaults ---------------------------------------------------------------

TEST_F(WorkspaceTest, CreateDealFillsDefaultsAndRecordsCreation) {
  Built sales = AddPipeline("Sales", 3);
  Advance(kMinute);
  Deal first = AddDeal("Acme renewal");
  EXPECT_GT(first.id, 0);
  EXPECT_EQ(first.owner_id, admin_.id);
  EXPECT_EQ(first.value, (Money{100000, "USD"}));
  EXPECT_EQ(first.pipeline_id, sales.pipeline.id);
  EXPECT_EQ(first.stage_id, sales.stages[0].id);
  EXPECT_EQ(first.status, DealStatus::kOpen);
  EXPECT_EQ(first.version, 1);
  EXPECT_EQ(first.created_at, Now());
  EXPECT_EQ(first.stage_changed_at, Now());
  EXPECT_FALSE(first.closed_at);

  std::vector<StageEvent> history = Must(ws_->DealHistory(first.id));
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].kind, StageEventKind::kCreated);
  EXPECT_EQ(history[0].to_stage_id, sales.stages[0].id);
  EXPECT_EQ(history[0].user_id, admin_.id);
  EXPECT_EQ(history[0].at, Now());

  Deal second = AddDeal("Globex pilot");
  EXPECT_LT(second.position, first.position) << "new deals go to the top";
  EXPECT_EQ(Cards(sales.stages[0].id), (std::vector<std::string>{"Globex pilot", "Acme renewal"}));
}

TEST_F(WorkspaceTest, CreateDealResolvesPipelineAndStage) {
  Built sales = AddPipeline("Sales", 3);
  Built partners = AddPipeline("Partners", 2);
  DealPatch fields;
  fields.title = "Reseller";
  fields.pipeline_id = partners.pipeline.id;
  Deal d = Must(ws_->CreateDeal(admin_, fields));
  EXPECT_EQ(d.stage_id, partners.stages[0].id);

  fields.stage_id = sales.stages[1].id;  // a stage of the other pipeline
  EXPECT_ERROR(ws_->CreateDeal(admin_, fields), ErrorCode::kInvalid, "stage_id");

  Built empty = AddPipeline("Empty", 0);
  DealPatch into_empty;
  into_empty.title = "Nowhere";
  into_empty.pipeline_id = empty.pipeline.id;
  EXPECT_ERROR(ws_->CreateDeal(admin_, into_empty), ErrorCode::kInvalid, "pipeline_id",
               "pipeline " + std::to_string(empty.pipeline.id) + " has no stages");
  EXPECT_EQ(DealCount(), 1u);
}

TEST_F(WorkspaceTest, DefaultCurrencyComesFromSettings) {
  EXPECT_EQ(Must(ws_->DefaultCurrency()), "USD");
  AddPipeline("Sales", 1);
  DealPatch fields;
  fields.title = "Euro deal";
  fields.currency = "EUR";
  EXPECT_EQ(Must(ws_->CreateDeal(admin_, fields)).value.currency, "EUR");
}

// ---- Moving cards -----------------------------------------------------------------------------

TEST_F(WorkspaceTest, MoveAcrossStagesRecordsHistoryAndPlacesCard) {
  Built sales = AddPipeline("Sales", 3);
  const Id a = sales.stages[0].id, b = sales.stages[1].id;
  Deal one = AddDeal("one", a);
  Deal two = AddDeal("two", a);
  AddDeal("x", b);
  AddDeal("y", b);  // b: [y, x]
  Advance(kHour);

  Deal moved = Must(ws_->MoveDeal(admin_, one.id, b, 1, std::nullopt));
  EXPECT_EQ(moved.stage_id, b);
  EXPECT_EQ(moved.version, 2);
  EXPECT_EQ(moved.stage_changed_at, Now());
  EXPECT_EQ(Cards(b), (std::vector<std::string>{"y", "one", "x"}));
  EXPECT_EQ(Cards(a), (std::vector<std::string>{"two"}));

  std::vector<StageEvent> history = Must(ws_->DealHistory(one.id));
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].kind, StageEventKind::kStageChanged);
  EXPECT_EQ(history[1].from_stage_id, a);
  EXPECT_EQ(history[1].to_stage_id, b);
  EXPECT_EQ(history[1].at, Now());

  // No index → bottom; an index past the end is the bottom too.
  Must(ws_->MoveDeal(admin_, two.id, b, std::nullopt, std::nullopt).status());
  EXPECT_EQ(Cards(b), (std::vector<std::string>{"y", "one", "x", "two"}));
  EXPECT_ERROR(ws_->MoveDeal(admin_, two.id, 9999, 0, std::nullopt), ErrorCode::kInvalid,
               "stage_id", "no stage with id 9999");
  EXPECT_ERROR(ws_->MoveDeal(admin_, two.id, b, -1, std::nullopt), ErrorCode::kInvalid, "index");
}

TEST_F(WorkspaceTest, ReorderWithinStageCountsIndexWithoutTheMovedCard) {
  Built sales = AddPipeline("Sales", 1);
  const Id s = sales.stages[0].id;
  std::map<std::string, Id> ids;
  for (const char* t : {"d", "c", "b", "a"}) ids[t] = AddDeal(t, s).id;
  ASSERT_EQ(Cards(s), (std::vector<std::string>{"a", "b", "c", "d"}));

  Must(ws_->MoveDeal(admin_, ids["a"], s, 2, std::nullopt).status());  // [b c d] → slot 2
  EXPECT_EQ(Cards(s), (std::vector<std::string>{"b", "c", "a", "d"}));
  Must(ws_->MoveDeal(admin_, ids["d"], s, 0, std::nullopt).status());
  EXPECT_EQ(Cards(s), (std::vector<std::string>{"d", "b", "c", "a"}));
  Must(ws_->MoveDeal(admin_, ids["c"], s, 1, std::nullopt).status());  // [d b a] → slot 1
  EXPECT_EQ(Cards(s), (std::vector<std::string>{"d", "c", "b", "a"}));
  Must(ws_->MoveDeal(admin_, ids["d"], s, 3, std::nullopt).status());  // [c b a] → slot 3 = last
  EXPECT_EQ(Cards(s), (std::vector<std::string>{"c", "b", "a", "d"}));
  Must(ws_->MoveDeal(admin_, ids["d"], s, std::nullopt, std::nullopt).status());  // already last
  EXPECT_EQ(Cards(s), (std::vector<std::string>{"c", "b", "a", "d"}));

  // A reorder is not a stage change: only the creation events exist.
  EXPECT_EQ(Must(ws_->DealHistory(ids["a"])).size(), 1u);
}

TEST_F(WorkspaceTest, RepeatedDropsIntoOneGapRenumberTheStage) {
  Built sales = AddPipeline("Sales", 1);
  const Id s = sales.stages[0].id;
  const Id third = AddDeal("third", s).id;
  const Id second = AddDeal("second", s).id;
  AddDeal("first", s);
  // Alternately drop the card below into slot 1: the gap under "first" halves every time, far
  // past what a double can split without renumbering.
  for (int i = 0; i < 80; ++i) {
    const bool even = i % 2 == 0;
    Must(ws_->MoveDeal(admin_, even ? third : second, s, 1, std::nullopt).status());
    EXPECT_EQ(Cards(s), (even ? std::vector<std::string>{"first", "third", "second"}
                              : std::vector<std::string>{"first", "second", "third"}))
        << "after move " << i;
  }
}

// ---- Won, lost, reopen ------------------------------------------------------------------------

TEST_F(WorkspaceTest, StatusChangesAreRecordedExactly) {
  Built sales = AddPipeline("Sales", 3);
  User rep = AddUser("rita", Role::kRep);
  LostReasonPatch reason_fields;
  reason_fields.label = "Price too high";
  LostReason reason = Must(ws_->CreateLostReason(admin_, reason_fields));

  const Timestamp t0 = Now();
  Deal deal = AddDeal("Initech", std::nullopt, &rep);
  Advance(kHour);
  const Timestamp t1 = Now();
  Must(ws_->MoveDeal(rep, deal.id, sales.stages[2].id, 0, std::nullopt).status());
  Advance(kHour);
  const Timestamp t2 = Now();
  Deal lost = Must(ws_->MarkLost(rep, deal.id, "", reason.id, std::nullopt));
  EXPECT_EQ(lost.status, DealStatus::kLost);
  EXPECT_EQ(lost.lost_reason, "Price too high");
  EXPECT_EQ(lost.closed_at, t2);
  Advance(kHour);
  const Timestamp t3 = Now();
  Deal reopened = Must(ws_->Reopen(admin_, deal.id, std::nullopt));
  EXPECT_EQ(reopened.status, DealStatus::kOpen);
  EXPECT_EQ(reopened.lost_reason, "");
  EXPECT_FALSE(reopened.closed_at);
  EXPECT_EQ(reopened.stage_id, sales.stages[2].id);
  Advance(kHour);
  const Timestamp t4 = Now();
  Deal won = Must(ws_->MarkWon(rep, deal.id, std::nullopt));
  EXPECT_EQ(won.closed_at, t4);
  EXPECT_EQ(won.version, 5);

  struct Row {
    StageEventKind kind;
    std::optional<Id> from_stage, to_stage;
    DealStatus from_status, to_status;
    Id user;
    Timestamp at;
    std::string lost_reason;
  };
  const Id s0 = sales.stages[0].id, s2 = sales.stages[2].id;
  const std::vector<Row> expected = {
      {StageEventKind::kCreated, std::nullopt, s0, DealStatus::kOpen, DealStatus::kOpen, rep.id, t0,
       ""},
      {StageEventKind::kStageChanged, s0, s2, DealStatus::kOpen, DealStatus::kOpen, rep.id, t1, ""},
      {StageEventKind::kLost, s2, s2, DealStatus::kOpen, DealStatus::kLost, rep.id, t2,
       "Price too high"},
      {StageEventKind::kReopened, s2, s2, DealStatus::kLost, DealStatus::kOpen, admin_.id, t3, ""},
      {StageEventKind::kWon, s2, s2, DealStatus::kOpen, DealStatus::kWon, rep.id, t4, ""},
  };
  std::vector<StageEvent> history = Must(ws_->DealHistory(deal.id));
  ASSERT_EQ(history.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE("event " + std::to_string(i));
    EXPECT_EQ(history[i].deal_id, deal.id);
    EXPECT_EQ(history[i].kind, expected[i].kind);
    EXPECT_EQ(history[i].from_stage_id, expected[i].from_stage);
    EXPECT_EQ(history[i].to_stage_id, expected[i].to_stage);
    EXPECT_EQ(history[i].from_status, expected[i].from_status);
    EXPECT_EQ(history[i].to_status, expected[i].to_status);
    EXPECT_EQ(history[i].user_id, expected[i].user);
    EXPECT_EQ(history[i].at, expected[i].at);
    EXPECT_EQ(history[i].lost_reason, expected[i].lost_reason);
  }
}

TEST_F(WorkspaceTest, StatusChangeErrorsChangeNothing) {
  AddPipeline("Sales", 2);
  Deal deal = AddDeal("Hooli");
  EXPECT_ERROR(ws_->MarkLost(admin_, deal.id, "", std::nullopt, std::nullopt), ErrorCode::kInvalid,
               "lost_reason", "a lost deal needs a reason");
  EXPECT_ERROR(ws_->MarkLost(admin_, deal.id, "", 4242, std::nullopt), ErrorCode::kInvalid,
               "lost_reason_id", "no lost reason with id 4242");
  EXPECT_ERROR(ws_->Reopen(admin_, deal.id, std::nullopt), ErrorCode::kConflict, "status");
  EXPECT_ERROR(ws_->MarkWon(admin_, 999, std::nullopt), ErrorCode::kNotFound, "",
               "no deal with id 999");
  Must(ws_->MarkLost(admin_, deal.id, "  Went with a spreadsheet ", std::nullopt, std::nullopt)
           .status());
  EXPECT_EQ(Must(ws_->GetDeal(deal.id)).lost_reason, "Went with a spreadsheet");
  EXPECT_ERROR(ws_->MoveDeal(admin_, deal.id, deal.stage_id, 0, std::nullopt), ErrorCode::kConflict,
               "status");
  EXPECT_EQ(Must(ws_->GetDeal(deal.id)).version, 2);
  EXPECT_EQ(Must(ws_->DealHistory(deal.id)).size(), 2u);
}

TEST_F(WorkspaceTest, ProbabilityOverrideSticksAcrossMovesUntilCleared) {
  Built sales = AddPipeline("Sales", 3);
  DealPatch fields;
  fields.title = "Umbrella";
  fields.probability_override = 35;
  Deal deal = Must(ws_->CreateDeal(admin_, fields));
  Must(ws_->MoveDeal(admin_, deal.id, sales.stages[2].id, 0, std::nullopt).status());
  DealPatch via_patch;
  via_patch.stage_id = sales.stages[1].id;
  deal = Must(ws_->UpdateDeal(admin_, deal.id, via_patch, std::nullopt));
  EXPECT_EQ(deal.probability_override, 35);
  EXPECT_EQ(deal.stage_id, sales.stages[1].id);
  EXPECT_EQ(Must(ws_->DealHistory(deal.id)).size(), 3u) << "a PATCH with stage_id is a move";

  BoardQuery q;
  q.pipeline_id = sales.pipeline.id;
  EXPECT_EQ(Must(ws_->Board(q)).columns[1].cards.at(0).probability, 35);

  DealPatch clear;
  clear.probability_override.emplace();  // engaged outer, empty inner: clear
  deal = Must(ws_->UpdateDeal(admin_, deal.id, clear, std::nullopt));
  EXPECT_FALSE(deal.probability_override);
  EXPECT_EQ(Must(ws_->Board(q)).columns[1].cards.at(0).probability, 20);
}

// A patch and a status change in one transaction, as the Pipedrive-compatible API sends them: a
// move then a loss are two history events; reopening comes before a move; a failing status change
// leaves the fields unchanged too.
// A deal created won or lost is stored closed, in one change: version 1, the creation (open, in
// its stage) and the close in its history; a close the rules refuse creates nothing.
TEST_F(WorkspaceTest, CreateWithStatusStoresTheDealClosedWithItsHistory) {
  Built sales = AddPipeline("Sales", 3);
  DealPatch fields;
  fields.title = "Globex pilot";
  fields.stage_id = sales.stages[1].id;
  Deal won =
      Must(ws_->CreateDealWithStatus(admin_, fields, DealStatusChange{DealStatus::kWon, ""}));
  EXPECT_EQ(won.status, DealStatus::kWon);
  EXPECT_EQ(won.version, 1);
  EXPECT_EQ(won.stage_id, sales.stages[1].id);
  EXPECT_TRUE(won.closed_at.has_value());
  std::vector<StageEvent> history = Must(ws_->DealHistory(won.id));
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[0].kind, StageEventKind::kCreated);
  EXPECT_EQ(history[0].to_status, DealStatus::kOpen);
  EXPECT_EQ(history[0].to_stage_id, sales.stages[1].id);
  EXPECT_EQ(history[1].kind, StageEventKind::kWon);
  EXPECT_EQ(history[1].deal_id, won.id);

  fields.title = "Initech";
  Deal lost = Must(
      ws_->CreateDealWithStatus(admin_, fields, DealStatusChange{DealStatus::kLost, "No budget"}));
  EXPECT_EQ(lost.lost_reason, "No budget");
  EXPECT_EQ(Must(ws_->DealHistory(lost.id)).back().kind, StageEventKind::kLost);

  fields.title = "Lost without a reason";
  EXPECT_ERROR(ws_->CreateDealWithStatus(admin_, fields, DealStatusChange{DealStatus::kLost, ""}),
               ErrorCode::kInvalid, "lost_reason");
  ListQuery all;
  EXPECT_EQ(Must(ws_->ListDeals(all)).items.size(), 2u);
  // Open is CreateDeal: one event.
  fields.title = "Hooli";
  Deal open = Must(ws_->CreateDealWithStatus(admin_, fields, DealStatusChange{}));
  EXPECT_EQ(open.status, DealStatus::kOpen);
  EXPECT_EQ(Must(ws_->DealHistory(open.id)).size(), 1u);
}

TEST_F(WorkspaceTest, UpdateWithStatusChangesFieldsAndStatusTogether) {
  Built sales = AddPipeline("Sales", 3);
  Deal deal = AddDeal("Initech");
  DealPatch move;
  move.stage_id = sales.stages[1].id;
  move.title = "Initech renewal";
  deal = Must(ws_->UpdateDealWithStatus(
      admin_, deal.id, move, DealStatusChange{DealStatus::kLost, "No budget"}, std::nullopt));
  EXPECT_EQ(deal.status, DealStatus::kLost);
  EXPECT_EQ(deal.lost_reason, "No budget");
  EXPECT_EQ(deal.stage_id, sales.stages[1].id);
  EXPECT_EQ(deal.title, "Initech renewal");
  std::vector<StageEvent> history = Must(ws_->DealHistory(deal.id));
  ASSERT_EQ(history.size(), 3u);  // created, moved, lost
  EXPECT_EQ(history[1].kind, StageEventKind::kStageChanged);
  EXPECT_EQ(history[2].kind, StageEventKind::kLost);

  // Reopened, then moved: a closed deal does not move.
  DealPatch back;
  back.stage_id = sales.stages[2].id;
  deal = Must(ws_->UpdateDealWithStatus(admin_, deal.id, back,
                                        DealStatusChange{DealStatus::kOpen, ""}, std::nullopt));
  EXPECT_EQ(deal.status, DealStatus::kOpen);
  EXPECT_EQ(deal.stage_id, sales.stages[2].id);

  // Lost without a reason: nothing changes, the title included.
  const int64_t version = deal.version;
  DealPatch rename;
  rename.title = "Renamed";
  EXPECT_ERROR(ws_->UpdateDealWithStatus(admin_, deal.id, rename,
                                         DealStatusChange{DealStatus::kLost, ""}, std::nullopt),
               ErrorCode::kInvalid, "lost_reason");
  Deal after = Must(ws_->GetDeal(deal.id));
  EXPECT_EQ(after.title, "Initech renewal");
  EXPECT_EQ(after.version, version);
  EXPECT_EQ(after.status, DealStatus::kOpen);

  // The status it already has: no history entry.
  const size_t events = Must(ws_->DealHistory(deal.id)).size();
  Must(ws_->UpdateDealWithStatus(admin_, deal.id, DealPatch(),
                                 DealStatusChange{DealStatus::kOpen, ""}, std::nullopt)
           .status());
  EXPECT_EQ(Must(ws_->DealHistory(deal.id)).size(), events);
}

// ---- Concurrency and references ---------------------------------------------------------------

TEST_F(WorkspaceTest, StaleVersionIsRefusedAndChangesNothing) {
  Built sales = AddPipeline("Sales", 2);
  Deal deal = AddDeal("Stark");
  DealPatch rename;
  rename.title = "Stark Industries";
  deal = Must(ws_->UpdateDeal(admin_, deal.id, rename, 1));
  EXPECT_EQ(deal.version, 2);

  rename.title = "Lost update";
  EXPECT_ERROR(ws_->UpdateDeal(admin_, deal.id, rename, 1), ErrorCode::kPreconditionFailed, "",
               "deal " + std::to_string(deal.id) + " is at version 2, not 1");
  EXPECT_ERROR(ws_->MoveDeal(admin_, deal.id, sales.stages[1].id, 0, 1),
               ErrorCode::kPreconditionFailed, "");
  EXPECT_ERROR(ws_->DeleteDeal(admin_, deal.id, 1), ErrorCode::kPreconditionFailed, "");
  Deal after = Must(ws_->GetDeal(deal.id));
  EXPECT_EQ(after.title, "Stark Industries");
  EXPECT_EQ(after.stage_id, sales.stages[0].id);
  EXPECT_EQ(after.version, 2);
  EXPECT_EQ(Must(ws_->DealHistory(deal.id)).size(), 1u);
}

TEST_F(WorkspaceTest, InvalidReferencesNameTheFieldAndWriteNothing) {
  AddPipeline("Sales", 2);
  User gone = AddUser("gone", Role::kRep);
  Must(ws_->DeactivateUser(admin_, gone.id, std::nullopt).status());

  DealPatch fields;
  fields.title = "Wayne";
  fields.person_id = 404;
  EXPECT_ERROR(ws_->CreateDeal(admin_, fields), ErrorCode::kInvalid, "person_id",
               "no person with id 404");
  fields.person_id.reset();
  fields.org_id = 405;
  EXPECT_ERROR(ws_->CreateDeal(admin_, fields), ErrorCode::kInvalid, "org_id",
               "no organization with id 405");
  fields.org_id.reset();
  fields.owner_id = 406;
  EXPECT_ERROR(ws_->CreateDeal(admin_, fields), ErrorCode::kInvalid, "owner_id",
               "no user with id 406");
  fields.owner_id = gone.id;
  EXPECT_ERROR(ws_->CreateDeal(admin_, fields), ErrorCode::kInvalid, "owner_id");
  fields.owner_id.reset();
  fields.stage_id = 407;
  EXPECT_ERROR(ws_->CreateDeal(admin_, fields), ErrorCode::kInvalid, "stage_id",
               "no stage with id 407");
  fields.stage_id.reset();
  fields.title = "   ";
  EXPECT_ERROR(ws_->CreateDeal(admin_, fields), ErrorCode::kInvalid, "title");
  EXPECT_EQ(DealCount(), 0u);

  Deal deal = AddDeal("Wayne");
  DealPatch relink;
  relink.org_id = 405;
  EXPECT_ERROR(ws_->UpdateDeal(admin_, deal.id, relink, std::nullopt), ErrorCode::kInvalid,
               "org_id");
  EXPECT_EQ(Must(ws_->GetDeal(deal.id)).version, 1);

  ActivityPatch activity;
  activity.subject = "Call";
  activity.deal_id = 999;
  EXPECT_ERROR(ws_->CreateActivity(admin_, activity), ErrorCode::kInvalid, "deal_id",
               "no deal with id 999");
  NotePatch note;
  note.content = "Hello";
  EXPECT_ERROR(ws_->CreateNote(admin_, note), ErrorCode::kInvalid, "deal_id");
  ListQuery all;
  EXPECT_TRUE(Must(ws_->ListActivities(all)).items.empty());
  EXPECT_TRUE(Must(ws_->ListNotes(all)).items.empty());
}

// ---- Stages -----------------------------------------------------------------------------------

TEST_F(WorkspaceTest, DeletingAStageWithDealsNeedsASameStageTarget) {
  Built sales = AddPipeline("Sales", 4);
  Built other = AddPipeline("Other", 1);
  const Stage doomed = sales.stages[1];
  Deal d1 = AddDeal("one", doomed.id);
  Deal d2 = AddDeal("two", doomed.id);
  Must(ws_->MarkWon(admin_, d2.id, std::nullopt).status());

  EXPECT_ERROR(ws_->DeleteStage(admin_, doomed.id, std::nullopt, std::nullopt),
               ErrorCode::kConflict, "move_deals_to",
               "stage " + std::to_string(doomed.id) +
                   " still has 2 deals; say where they go (move_deals_to)");
  EXPECT_ERROR(ws_->DeleteStage(admin_, doomed.id, doomed.id, std::nullopt), ErrorCode::kInvalid,
               "move_deals_to");
  EXPECT_ERROR(ws_->DeleteStage(admin_, doomed.id, other.stages[0].id, std::nullopt),
               ErrorCode::kInvalid, "move_deals_to");
  EXPECT_EQ(StagesOf(sales.pipeline.id).size(), 4u);

  Advance(kMinute);
  Must(ws_->DeleteStage(admin_, doomed.id, sales.stages[3].id, std::nullopt));
  EXPECT_EQ(Must(ws_->GetDeal(d1.id)).stage_id, sales.stages[3].id);
  EXPECT_EQ(Must(ws_->GetDeal(d2.id)).stage_id, sales.stages[3].id);
  std::vector<StageEvent> history = Must(ws_->DealHistory(d1.id));
  ASSERT_EQ(history.size(), 2u);
  EXPECT_EQ(history[1].kind, StageEventKind::kStageChanged);
  EXPECT_EQ(history[1].from_stage_id, doomed.id);
  EXPECT_EQ(history[1].to_stage_id, sales.stages[3].id);
  EXPECT_EQ(history[1].at, Now());

  std::vector<Stage> rest = StagesOf(sales.pipeline.id);
  ASSERT_EQ(rest.size(), 3u);
  for (size_t i = 0; i < rest.size(); ++i) EXPECT_EQ(rest[i].order, static_cast<int32_t>(i));
  EXPECT_EQ(rest[1].id, sales.stages[2].id);

  // An empty stage goes without a target; a pipeline with deals does not go at all.
  Must(ws_->DeleteStage(admin_, rest[0].id, std::nullopt, std::nullopt));
  EXPECT_ERROR(ws_->DeletePipeline(admin_, sales.pipeline.id, std::nullopt), ErrorCode::kConflict,
               "");
  Must(ws_->DeletePipeline(admin_, other.pipeline.id, std::nullopt));
  EXPECT_ERROR(ws_->GetPipeline(other.pipeline.id), ErrorCode::kNotFound, "");
}

TEST_F(WorkspaceTest, StageOrderChangesRenumberDensely) {
  Built sales = AddPipeline("Sales", 4);
  StagePatch to_top;
  to_top.order = 0;
  Stage moved = Must(ws_->UpdateStage(admin_, sales.stages[3].id, to_top, std::nullopt));
  EXPECT_EQ(moved.order, 0);
  std::vector<Stage> stages = StagesOf(sales.pipeline.id);
  std::vector<std::string> names;
  for (const Stage& s : stages) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"S3", "S0", "S1", "S2"}));
  for (size_t i = 0; i < stages.size(); ++i) EXPECT_EQ(stages[i].order, static_cast<int32_t>(i));
  EXPECT_EQ(stages[1].version, 2) << "a renumbered sibling is a changed record";

  StagePatch past_end;
  past_end.order = 99;
  EXPECT_EQ(Must(ws_->UpdateStage(admin_, sales.stages[3].id, past_end, std::nullopt)).order, 3);

  StagePatch inserted;
  inserted.name = "Inserted";
  inserted.order = 1;
  Stage added = Must(ws_->CreateStage(admin_, sales.pipeline.id, inserted));
  EXPECT_EQ(added.order, 1);
  EXPECT_EQ(added.probability, 100);
  names.clear();
  for (const Stage& s : StagesOf(sales.pipeline.id)) names.push_back(s.name);
  EXPECT_EQ(names, (std::vector<std::string>{"S0", "Inserted", "S1", "S2", "S3"}));

  StagePatch negative;
  negative.order = -1;
  EXPECT_ERROR(ws_->UpdateStage(admin_, added.id, negative, std::nullopt), ErrorCode::kInvalid,
               "order");
}

TEST_F(WorkspaceTest, TemplatePipelineGetsTemplateStages) {
  PipelinePatch fields;
  fields.name = "Sales";
  Pipeline p = Must(ws_->CreatePipeline(admin_, fields, "7-stage"));
  EXPECT_EQ(StagesOf(p.id).size(), 7u);
  EXPECT_ERROR(ws_->CreatePipeline(admin_, fields, "3-stage"), ErrorCode::kInvalid, "template");
}

// ---- Activities, notes, timeline, board -------------------------------------------------------

TEST_F(WorkspaceTest, ActivitiesKeepDealDatesCurrent) {
  AddPipeline("Sales", 2);
  Deal one = AddDeal("one");
  Deal two = AddDeal("two");
  const Date today = DateOf(Now());

  ActivityPatch fields;
  fields.subject = "Demo";
  fields.type = ActivityType::kMeeting;
  fields.deal_id = one.id;
  fields.due_date = AddDays(today, 3);
  Activity demo = Must(ws_->CreateActivity(admin_, fields));
  EXPECT_EQ(demo.owner_id, admin_.id);
  EXPECT_EQ(Must(ws_->GetDeal(one.id)).next_activity_date, AddDays(today, 3));

  fields.subject = "Call";
  fields.due_date.reset();  // defaults to today
  Activity call = Must(ws_->CreateActivity(admin_, fields));
  EXPECT_EQ(call.due_date, today);
  EXPECT_EQ(Must(ws_->GetDeal(one.id)).next_activity_date, today);

  Advance(kHour);
  ActivityPatch done;
  done.done = true;
  call = Must(ws_->UpdateActivity(admin_, call.id, done, std::nullopt));
  EXPECT_EQ(call.done_at, Now());
  Deal refreshed = Must(ws_->GetDeal(one.id));
  EXPECT_EQ(refreshed.next_activity_date, AddDays(today, 3));
  EXPECT_EQ(refreshed.last_activity_at, Now());

  ActivityPatch relink;
  relink.deal_id = two.id;
  Must(ws_->UpdateActivity(admin_, demo.id, relink, std::nullopt).status());
  EXPECT_FALSE(Must(ws_->GetDeal(one.id)).next_activity_date);
  EXPECT_EQ(Must(ws_->GetDeal(two.id)).next_activity_date, AddDays(today, 3));

  Must(ws_->DeleteActivity(admin_, demo.id, std::nullopt));
  EXPECT_FALSE(Must(ws_->GetDeal(two.id)).next_activity_date);
}

TEST_F(WorkspaceTest, TimelineIsNewestFirst) {
  Built sales = AddPipeline("Sales", 2);
  Deal deal = AddDeal("Tyrell");  // created event at kStart
  Advance(kHour);
  NotePatch note;
  note.content = "Budget confirmed";
  note.deal_id = deal.id;
  Note n = Must(ws_->CreateNote(admin_, note));  // kStart + 1h
  Advance(kHour);
  ActivityPatch call;
  call.subject = "Call back";
  call.deal_id = deal.id;
  call.due_date = AddDays(DateOf(Now()), 5);
  call.due_time = TimeOfDay{9 * 60};
  Activity upcoming = Must(ws_->CreateActivity(admin_, call));  // due in 5 days at 09:00
  call.subject = "Intro";
  call.done = true;
  Activity done = Must(ws_->CreateActivity(admin_, call));  // done at kStart + 2h
  Advance(kHour);
  Must(ws_->MoveDeal(admin_, deal.id, sales.stages[1].id, 0, std::nullopt).status());  // +3h

  std::vector<TimelineEntry> timeline = Must(ws_->DealTimeline(deal.id));
  ASSERT_EQ(timeline.size(), 5u);
  EXPECT_EQ(std::get<Activity>(timeline[0].item).id, upcoming.id);
  EXPECT_EQ(timeline[0].at.millis, StartOf(*call.due_date).millis + 9 * kHour);
  EXPECT_EQ(std::get<StageEvent>(timeline[1].item).kind, StageEventKind::kStageChanged);
  EXPECT_EQ(std::get<Activity>(timeline[2].item).id, done.id);
  EXPECT_EQ(timeline[2].at, *done.done_at);
  EXPECT_EQ(std::get<Note>(timeline[3].item).id, n.id);
  EXPECT_EQ(std::get<StageEvent>(timeline[4].item).kind, StageEventKind::kCreated);
  EXPECT_EQ(timeline[4].at, kStart);
}

TEST_F(WorkspaceTest, BoardFlagsFollowTheClock) {
  Built sales = AddPipeline("Sales", 2, /*rotting=*/5);
  OrganizationPatch org_fields;
  org_fields.name = "Cyberdyne";
  Organization org = Must(ws_->CreateOrganization(admin_, org_fields));
  DealPatch fields;
  fields.title = "overdue";
  fields.org_id = org.id;
  Deal overdue = Must(ws_->CreateDeal(admin_, fields));
  Deal idle = AddDeal("idle");
  Deal planned = AddDeal("planned");

  ActivityPatch a;
  a.subject = "Chase";
  a.deal_id = overdue.id;
  a.due_date = DateOf(Now());
  Must(ws_->CreateActivity(admin_, a).status());
  a.deal_id = planned.id;
  a.due_date = AddDays(DateOf(Now()), 30);
  Must(ws_->CreateActivity(admin_, a).status());

  clock_.Advance(6 * kMillisPerDay);
  Deal fresh = AddDeal("fresh");

  BoardQuery q;
  q.pipeline_id = sales.pipeline.id;
  BoardView board = Must(ws_->Board(q));
  EXPECT_EQ(board.pipeline.id, sales.pipeline.id);
  ASSERT_EQ(board.columns.size(), 2u);
  EXPECT_EQ(board.columns[0].deal_count, 4);
  std::map<Id, BoardCard> cards;
  for (const BoardCard& c : board.columns[0].cards) cards[c.deal.id] = c;
  ASSERT_EQ(cards.size(), 4u);

  EXPECT_TRUE(cards[overdue.id].overdue);
  EXPECT_FALSE(cards[overdue.id].no_next_activity);
  EXPECT_EQ(cards[overdue.id].details.org_name, "Cyberdyne");
  EXPECT_EQ(cards[overdue.id].details.owner_name, "Ada Admin");
  EXPECT_EQ(cards[overdue.id].probability, 10);

  EXPECT_TRUE(cards[idle.id].no_next_activity);
  EXPECT_FALSE(cards[idle.id].overdue);
  EXPECT_TRUE(cards[idle.id].rotting);

  EXPECT_FALSE(cards[planned.id].overdue);
  EXPECT_FALSE(cards[planned.id].no_next_activity);

  EXPECT_FALSE(cards[fresh.id].rotting);
  EXPECT_TRUE(cards[fresh.id].no_next_activity);

  BoardQuery missing;
  missing.pipeline_id = 999;
  EXPECT_ERROR(ws_->Board(missing), ErrorCode::kNotFound, "", "no pipeline with id 999");
}

// A board can be kept (api/board_cache.h) while its version is unchanged and the clock is before
// fresh_until: up to then, rendering it again gives the same flags; from then on a flag differs.
TEST_F(WorkspaceTest, BoardIsFreshUntilTheFirstCardFlagTurns) {
  Built sales = AddPipeline("Sales", 1, /*rotting=*/5);
  Deal idle = AddDeal("idle");  // rots 5 days and 1 ms after its creation
  clock_.Advance(kMillisPerDay);
  Deal planned = AddDeal("planned");
  ActivityPatch a;
  a.subject = "Call back";
  a.deal_id = planned.id;
  a.due_date = AddDays(DateOf(Now()), 1);  // overdue from the start of the day after
  Must(ws_->CreateActivity(admin_, a).status());

  BoardQuery q;
  q.pipeline_id = sales.pipeline.id;
  auto flags = [&] {
    std::vector<std::pair<bool, bool>> out;  // (rotting, overdue) per card, in card order
    BoardView board = Must(ws_->Board(q));
    for (const BoardCard& c : board.columns.at(0).cards) out.emplace_back(c.rotting, c.overdue);
    return out;
  };
  const BoardView first = Must(ws_->Board(q));
  EXPECT_EQ(first.version, Must(ws_->BoardVersion(sales.pipeline.id)));
  // The activity turns overdue (start of the day after tomorrow) before the idle deal rots.
  const Timestamp overdue_from = StartOf(AddDays(DateOf(Now()), 2));
  EXPECT_EQ(first.fresh_until, overdue_from);
  const auto before = flags();

  clock_.Set(Timestamp{first.fresh_until.millis - 1});
  EXPECT_EQ(flags(), before);
  EXPECT_EQ(Must(ws_->Board(q)).version, first.version) << "reading changes no version";
  clock_.Set(first.fresh_until);
  EXPECT_NE(flags(), before);

  // Then the two deals rot, one after the other; after that no flag will turn any more.
  BoardView second = Must(ws_->Board(q));
  EXPECT_EQ(second.fresh_until, Timestamp{idle.created_at.millis + 5 * kMillisPerDay + 1});
  std::vector<std::pair<bool, bool>> seen = flags();
  BoardView later = second;
  for (int turn = 0; turn < 2; ++turn) {
    ASSERT_LT(later.fresh_until.millis, std::numeric_limits<int64_t>::max());
    clock_.Set(later.fresh_until);
    EXPECT_NE(flags(), seen) << "turn " << turn;
    seen = flags();
    later = Must(ws_->Board(q));
  }
  EXPECT_EQ(later.fresh_until, Timestamp{std::numeric_limits<int64_t>::max()});
  for (const BoardCard& c : later.columns.at(0).cards) EXPECT_TRUE(c.rotting);

  // Any change to a deal of the pipeline gives a new version.
  DealPatch rename;
  rename.title = "idle, renamed";
  Must(ws_->UpdateDeal(admin_, idle.id, rename, std::nullopt).status());
  EXPECT_NE(Must(ws_->BoardVersion(sales.pipeline.id)), first.version);
}

TEST_F(WorkspaceTest, ContactsAndNotesRoundTrip) {
  OrganizationPatch org_fields;
  org_fields.name = "Soylent";
  Organization org = Must(ws_->CreateOrganization(admin_, org_fields));
  PersonPatch person_fields;
  person_fields.name = "Sol Roth";
  person_fields.emails = std::vector<ContactPoint>{{"sol@soylent.example", "work", true}};
  person_fields.org_id = org.id;
  Person person = Must(ws_->CreatePerson(admin_, person_fields));
  EXPECT_EQ(person.owner_id, admin_.id);

  OrganizationPatch rename;
  rename.name = "Soylent Corp";
  org = Must(ws_->UpdateOrganization(admin_, org.id, rename, 1));
  EXPECT_EQ(org.version, 2);
  EXPECT_EQ(org.updated_at, Now());

  NotePatch note_fields;
  note_fields.content = "Met at the expo";
  note_fields.person_id = person.id;
  Note note = Must(ws_->CreateNote(admin_, note_fields));
  EXPECT_EQ(note.user_id, admin_.id);
  Must(ws_->DeleteNote(admin_, note.id, 1));
  EXPECT_ERROR(ws_->GetNote(note.id), ErrorCode::kNotFound, "",
               "no note with id " + std::to_string(note.id));
  Must(ws_->DeleteOrganization(admin_, org.id, std::nullopt));
  EXPECT_FALSE(Must(ws_->GetPerson(person.id)).org_id);
}

// ---- Identity ---------------------------------------------------------------------------------

TEST_F(WorkspaceTest, AuthenticateAcceptsActiveTokensOnly) {
  EXPECT_EQ(admin_.email, "ada@example.com");
  EXPECT_EQ(admin_.role, Role::kAdmin);
  EXPECT_EQ(Must(ws_->Authenticate(admin_secret_)).id, admin_.id);
  EXPECT_ERROR(ws_->Authenticate("pd_" + std::string(48, '0')), ErrorCode::kUnauthorized, "");
  EXPECT_ERROR(ws_->Authenticate(""), ErrorCode::kUnauthorized, "");

  std::vector<ApiToken> tokens = Must(ws_->ListTokens(admin_, admin_.id));
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0].last_used_at, Now());
  EXPECT_EQ(tokens[0].prefix, admin_secret_.substr(0, 10));
  EXPECT_EQ(tokens[0].secret_hash, HashTokenSecret(admin_secret_));

  // last_used_at is refreshed at most once a minute, not on every request.
  const Timestamp first_use = Now();
  Advance(30'000);
  Must(ws_->Authenticate(admin_secret_).status());
  EXPECT_EQ(Must(ws_->ListTokens(admin_, admin_.id))[0].last_used_at, first_use);
  Advance(31'000);
  Must(ws_->Authenticate(admin_secret_).status());
  EXPECT_EQ(Must(ws_->ListTokens(admin_, admin_.id))[0].last_used_at, Now());

  User rep = AddUser("ruth", Role::kRep);
  NewToken token = Must(ws_->CreateToken(admin_, rep.id, "laptop"));
  EXPECT_EQ(token.secret.size(), 51u);
  EXPECT_EQ(token.secret.rfind("pd_", 0), 0u);
  EXPECT_EQ(Must(ws_->Authenticate(token.secret)).id, rep.id);
  Must(ws_->DeactivateUser(admin_, rep.id, std::nullopt).status());
  EXPECT_ERROR(ws_->Authenticate(token.secret), ErrorCode::kUnauthorized, "");
  EXPECT_TRUE(Must(ws_->ListTokens(admin_, rep.id)).empty()) << "deactivation revokes tokens";
  EXPECT_ERROR(ws_->CreateToken(admin_, rep.id, ""), ErrorCode::kConflict, "active");
}

TEST_F(WorkspaceTest, TokenSecretsAreRandomAndHashedAsHex) {
  const std::string a = GenerateTokenSecret(), b = GenerateTokenSecret();
  EXPECT_NE(a, b);
  EXPECT_EQ(a.find_first_not_of("0123456789abcdef", 3), std::string::npos);
  EXPECT_EQ(HashTokenSecret("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(ClockTest, OffsetClockStartsAtTheGivenInstantAndRuns) {
  OffsetClock clock(kStart);
  const Timestamp first = clock.Now();
  EXPECT_GE(first, kStart);
  EXPECT_LT(first.millis - kStart.millis, 1000);
  EXPECT_GE(clock.Now(), first);
  EXPECT_GT(SystemClock().Now(), *ParseTimestamp("2024-01-01T00:00:00Z"));
}

TEST_F(WorkspaceTest, OnlyAdminsManageUsers) {
  User rep = AddUser("rick", Role::kRep);
  User other = AddUser("rosa", Role::kRep);
  UserPatch fields;
  fields.name = "Eve";
  fields.email = "eve@example.com";
  EXPECT_ERROR(ws_->CreateUser(rep, fields), ErrorCode::kForbidden, "");
  EXPECT_ERROR(ws_->UpdateUser(rep, other.id, fields, std::nullopt), ErrorCode::kForbidden, "");
  EXPECT_ERROR(ws_->DeactivateUser(rep, other.id, std::nullopt), ErrorCode::kForbidden, "");
  EXPECT_ERROR(ws_->CreateToken(rep, other.id, ""), ErrorCode::kForbidden, "");
  EXPECT_ERROR(ws_->ListTokens(rep, other.id), ErrorCode::kForbidden, "");

  NewToken own = Must(ws_->CreateToken(rep, rep.id, "phone"));
  ASSERT_EQ(Must(ws_->ListTokens(rep, rep.id)).size(), 1u);
  EXPECT_ERROR(ws_->RevokeToken(other, rep.id, own.token.id), ErrorCode::kForbidden, "");
  Must(ws_->RevokeToken(rep, rep.id, own.token.id));
  EXPECT_ERROR(ws_->Authenticate(own.secret), ErrorCode::kUnauthorized, "");
  EXPECT_ERROR(ws_->RevokeToken(rep, rep.id, own.token.id), ErrorCode::kNotFound, "");

  UserPatch taken;
  taken.email = "RICK@example.com";
  EXPECT_ERROR(ws_->UpdateUser(admin_, other.id, taken, std::nullopt), ErrorCode::kConflict,
               "email", "email is already used by user " + std::to_string(rep.id));
  taken.name = "Rick Two";
  EXPECT_ERROR(ws_->CreateUser(admin_, taken), ErrorCode::kConflict, "email");
}

TEST_F(WorkspaceTest, TheLastAdminStays) {
  EXPECT_ERROR(ws_->DeactivateUser(admin_, admin_.id, std::nullopt), ErrorCode::kConflict,
               "active");
  UserPatch demote;
  demote.role = Role::kManager;
  EXPECT_ERROR(ws_->UpdateUser(admin_, admin_.id, demote, std::nullopt), ErrorCode::kConflict,
               "role");
  User second = AddUser("alan", Role::kAdmin);
  User demoted = Must(ws_->UpdateUser(second, admin_.id, demote, std::nullopt));
  EXPECT_EQ(demoted.role, Role::kManager);
  EXPECT_EQ(demoted.version, 2);
  EXPECT_ERROR(ws_->UpdateUser(second, second.id, demote, std::nullopt), ErrorCode::kConflict,
               "role");
}

// ---- Teams ------------------------------------------------------------------------------------

TEST_F(WorkspaceTest, AdminsManageTeams) {
  User manager = AddUser("mona", Role::kManager);
  User rep = AddUser("reza", Role::kRep);
  TeamPatch fields;
  fields.name = "EMEA";
  fields.manager_id = manager.id;
  EXPECT_ERROR(ws_->CreateTeam(rep, fields), ErrorCode::kForbidden, "",
               "only admins can manage teams");
  EXPECT_ERROR(ws_->CreateTeam(manager, fields), ErrorCode::kForbidden, "");

  Advance(kMinute);
  Team emea = Must(ws_->CreateTeam(admin_, fields));
  EXPECT_GT(emea.id, 0);
  EXPECT_EQ(emea.name, "EMEA");
  EXPECT_EQ(emea.manager_id, manager.id);
  EXPECT_EQ(emea.version, 1);
  EXPECT_EQ(emea.created_at, Now());
  EXPECT_EQ(Must(ws_->GetTeam(emea.id)).name, "EMEA");

  // Field and reference rules; nothing is stored on error.
  TeamPatch bad;
  bad.name = "  ";
  EXPECT_ERROR(ws_->CreateTeam(admin_, bad), ErrorCode::kInvalid, "name");
  bad.name = "emea";
  EXPECT_ERROR(ws_->CreateTeam(admin_, bad), ErrorCode::kConflict, "name");
  bad.name = "APAC";
  bad.manager_id = 999;
  EXPECT_ERROR(ws_->CreateTeam(admin_, bad), ErrorCode::kInvalid, "manager_id",
               "no user with id 999");
  User gone = AddUser("gone", Role::kManager);
  Must(ws_->DeactivateUser(admin_, gone.id, std::nullopt).status());
  bad.manager_id = gone.id;
  EXPECT_ERROR(ws_->CreateTeam(admin_, bad), ErrorCode::kInvalid, "manager_id");
  EXPECT_EQ(Must(ws_->ListTeams(ListQuery{})).items.size(), 1u);

  // Updates: rename, clear the manager; versions are checked.
  TeamPatch rename;
  rename.name = "Europe";
  rename.manager_id.emplace();
  EXPECT_ERROR(ws_->UpdateTeam(rep, emea.id, rename, std::nullopt), ErrorCode::kForbidden, "");
  Advance(kMinute);
  Team europe = Must(ws_->UpdateTeam(admin_, emea.id, rename, 1));
  EXPECT_EQ(europe.name, "Europe");
  EXPECT_FALSE(europe.manager_id);
  EXPECT_EQ(europe.version, 2);
  EXPECT_EQ(europe.updated_at, Now());
  EXPECT_ERROR(ws_->UpdateTeam(admin_, emea.id, rename, 1), ErrorCode::kPreconditionFailed, "");
  TeamPatch to_gone;
  to_gone.manager_id = gone.id;
  EXPECT_ERROR(ws_->UpdateTeam(admin_, emea.id, to_gone, std::nullopt), ErrorCode::kInvalid,
               "manager_id");
  TeamPatch second;
  second.name = "Americas";
  Team americas = Must(ws_->CreateTeam(admin_, second));
  EXPECT_ERROR(ws_->UpdateTeam(admin_, americas.id, rename, std::nullopt), ErrorCode::kConflict,
               "name");
  EXPECT_EQ(Must(ws_->GetTeam(americas.id)).name, "Americas");
  EXPECT_EQ(Must(ws_->GetTeam(emea.id)).version, 2);
  EXPECT_ERROR(ws_->GetTeam(999), ErrorCode::kNotFound, "", "no team with id 999");
  EXPECT_EQ(Must(ws_->ListTeams(ListQuery{})).items.size(), 2u);
}

TEST_F(WorkspaceTest, DeletingATeamUnlinksItsMembersAndDropsItsQuotas) {
  TeamPatch fields;
  fields.name = "EMEA";
  Team team = Must(ws_->CreateTeam(admin_, fields));
  UserPatch member_fields;
  member_fields.name = "Mia";
  member_fields.email = "mia@example.com";
  member_fields.team_id = team.id;
  User member = Must(ws_->CreateUser(admin_, member_fields));
  User outsider = AddUser("otto", Role::kRep);
  QuotaPatch quota_fields;
  quota_fields.team_id = team.id;
  quota_fields.target = 1'000'000;
  Quota team_quota = Must(ws_->CreateQuota(admin_, quota_fields));
  QuotaPatch company_fields;
  company_fields.target = 5'000'000;
  Quota company_quota = Must(ws_->CreateQuota(admin_, company_fields));

  EXPECT_ERROR(ws_->DeleteTeam(member, team.id, std::nullopt), ErrorCode::kForbidden, "");
  EXPECT_ERROR(ws_->DeleteTeam(admin_, team.id, 7), ErrorCode::kPreconditionFailed, "");
  EXPECT_EQ(Must(ws_->GetUser(member.id)).team_id, team.id);

  Advance(kMinute);
  Must(ws_->DeleteTeam(admin_, team.id, 1));
  EXPECT_ERROR(ws_->GetTeam(team.id), ErrorCode::kNotFound, "");
  const User unlinked = Must(ws_->GetUser(member.id));
  EXPECT_FALSE(unlinked.team_id);
  EXPECT_EQ(unlinked.version, member.version + 1) << "unlinking is an edit of the user";
  EXPECT_EQ(unlinked.updated_at, Now());
  EXPECT_EQ(Must(ws_->GetUser(outsider.id)).version, outsider.version);
  EXPECT_ERROR(ws_->GetQuota(team_quota.id), ErrorCode::kNotFound, "");
  EXPECT_EQ(Must(ws_->GetQuota(company_quota.id)).target, 5'000'000);
  EXPECT_ERROR(ws_->DeleteTeam(admin_, team.id, std::nullopt), ErrorCode::kNotFound, "");
}

TEST_F(WorkspaceTest, UsersJoinExistingTeamsOnly) {
  TeamPatch a_fields, b_fields;
  a_fields.name = "Alpha";
  b_fields.name = "Beta";
  Team alpha = Must(ws_->CreateTeam(admin_, a_fields));
  Team beta = Must(ws_->CreateTeam(admin_, b_fields));

  UserPatch fields;
  fields.name = "Tess";
  fields.email = "tess@example.com";
  fields.team_id = 999;
  EXPECT_ERROR(ws_->CreateUser(admin_, fields), ErrorCode::kInvalid, "team_id",
               "no team with id 999");
  EXPECT_EQ(Must(ws_->ListUsers(ListQuery{})).items.size(), 1u) << "nothing was created";

  fields.team_id = alpha.id;
  User tess = Must(ws_->CreateUser(admin_, fields));
  EXPECT_EQ(tess.team_id, alpha.id);
  EXPECT_FALSE(AddUser("ulla", Role::kRep).team_id);

  UserPatch move;
  move.team_id = 999;
  EXPECT_ERROR(ws_->UpdateUser(admin_, tess.id, move, std::nullopt), ErrorCode::kInvalid, "team_id",
               "no team with id 999");
  User unchanged = Must(ws_->GetUser(tess.id));
  EXPECT_EQ(unchanged.team_id, alpha.id);
  EXPECT_EQ(unchanged.version, tess.version);

  move.team_id = beta.id;
  EXPECT_ERROR(ws_->UpdateUser(tess, tess.id, move, std::nullopt), ErrorCode::kForbidden, "");
  User moved = Must(ws_->UpdateUser(admin_, tess.id, move, tess.version));
  EXPECT_EQ(moved.team_id, beta.id);
  EXPECT_EQ(moved.version, tess.version + 1);

  ListQuery of_beta;
  of_beta.team_id = beta.id;
  std::vector<User> members = Must(ws_->ListUsers(of_beta)).items;
  ASSERT_EQ(members.size(), 1u);
  EXPECT_EQ(members[0].id, tess.id);

  UserPatch leave;
  leave.team_id.emplace();
  EXPECT_FALSE(Must(ws_->UpdateUser(admin_, tess.id, leave, std::nullopt)).team_id);
}

// ---- Quotas -----------------------------------------------------------------------------------

TEST_F(WorkspaceTest, QuotasAreManagedByAdminsAndManagersWithDefaults) {
  User manager = AddUser("mona", Role::kManager);
  User rep = AddUser("reza", Role::kRep);
  QuotaPatch fields;
  fields.user_id = rep.id;
  fields.target = 2'500'000;
  EXPECT_ERROR(ws_->CreateQuota(rep, fields), ErrorCode::kForbidden, "",
               "only admins and managers can manage quotas");

  Quota quota = Must(ws_->CreateQuota(manager, fields));
  EXPECT_GT(quota.id, 0);
  EXPECT_EQ(quota.scope, QuotaScope::kUser) << "the subject decides the scope";
  EXPECT_EQ(quota.user_id, rep.id);
  EXPECT_FALSE(quota.team_id);
  EXPECT_EQ(quota.period, QuotaPeriod::kMonth);
  EXPECT_EQ(quota.metric, QuotaMetric::kWonValue);
  EXPECT_EQ(quota.currency, "USD") << "the workspace default";
  EXPECT_EQ(quota.starts_on, *ParseDate("2026-03-01")) << "the current month";
  EXPECT_FALSE(quota.ends_on);
  EXPECT_EQ(quota.version, 1);
  EXPECT_EQ(quota.created_at, Now());

  QuotaPatch weekly;
  weekly.period = QuotaPeriod::kWeek;
  weekly.metric = QuotaMetric::kActivitiesDone;
  weekly.target = 40;
  Quota activities = Must(ws_->CreateQuota(admin_, weekly));
  EXPECT_EQ(activities.scope, QuotaScope::kCompany);
  EXPECT_EQ(activities.currency, "");
  EXPECT_EQ(activities.starts_on, *ParseDate("2026-03-02")) << "this week's Monday";

  ListQuery of_rep;
  of_rep.user_id = rep.id;
  ASSERT_EQ(Must(ws_->ListQuotas(of_rep)).items.size(), 1u);
  EXPECT_EQ(Must(ws_->ListQuotas(ListQuery{})).items.size(), 2u);

  // Updates: changing the metric drops the currency; versions and permissions are checked.
  QuotaPatch count_deals;
  count_deals.metric = QuotaMetric::kDealsWon;
  count_deals.target = 12;
  EXPECT_ERROR(ws_->UpdateQuota(rep, quota.id, count_deals, std::nullopt), ErrorCode::kForbidden,
               "");
  Advance(kMinute);
  Quota deals = Must(ws_->UpdateQuota(manager, quota.id, count_deals, 1));
  EXPECT_EQ(deals.metric, QuotaMetric::kDealsWon);
  EXPECT_EQ(deals.currency, "");
  EXPECT_EQ(deals.target, 12);
  EXPECT_EQ(deals.version, 2);
  EXPECT_EQ(deals.updated_at, Now());
  EXPECT_ERROR(ws_->UpdateQuota(manager, quota.id, count_deals, 1), ErrorCode::kPreconditionFailed,
               "");
  QuotaPatch value_again;
  value_again.metric = QuotaMetric::kWonValue;
  EXPECT_EQ(Must(ws_->UpdateQuota(admin_, quota.id, value_again, std::nullopt)).currency, "USD");

  EXPECT_ERROR(ws_->DeleteQuota(rep, quota.id, std::nullopt), ErrorCode::kForbidden, "");
  Must(ws_->DeleteQuota(manager, quota.id, std::nullopt));
  EXPECT_ERROR(ws_->GetQuota(quota.id), ErrorCode::kNotFound, "",
               "no quota with id " + std::to_string(quota.id));
  EXPECT_ERROR(ws_->DeleteQuota(manager, quota.id, std::nullopt), ErrorCode::kNotFound, "");
}

TEST_F(WorkspaceTest, QuotaRulesRefuseBadQuotasAndStoreNothing) {
  Built sales = AddPipeline("Sales", 1);
  User rep = AddUser("reza", Role::kRep);
  User gone = AddUser("gone", Role::kRep);
  Must(ws_->DeactivateUser(admin_, gone.id, std::nullopt).status());
  TeamPatch team_fields;
  team_fields.name = "EMEA";
  Team team = Must(ws_->CreateTeam(admin_, team_fields));

  auto base = [&] {
    QuotaPatch q;
    q.target = 1'000'000;
    return q;
  };
  struct Row {
    const char* name;
    std::function<void(QuotaPatch&)> change;
    ErrorCode code;
    const char* field;
  };
  const std::vector<Row> rows = {
      {"no target", [](QuotaPatch& q) { q.target.reset(); }, ErrorCode::kInvalid, "target"},
      {"zero target", [](QuotaPatch& q) { q.target = 0; }, ErrorCode::kInvalid, "target"},
      {"negative target", [](QuotaPatch& q) { q.target = -1; }, ErrorCode::kInvalid, "target"},
      {"user scope without user", [](QuotaPatch& q) { q.scope = QuotaScope::kUser; },
       ErrorCode::kInvalid, "user_id"},
      {"team scope without team", [](QuotaPatch& q) { q.scope = QuotaScope::kTeam; },
       ErrorCode::kInvalid, "team_id"},
      {"company scope with user",
       [&](QuotaPatch& q) { q.scope = QuotaScope::kCompany, q.user_id = rep.id; },
       ErrorCode::kInvalid, "user_id"},
      {"user and team", [&](QuotaPatch& q) { q.user_id = rep.id, q.team_id = team.id; },
       ErrorCode::kInvalid, "team_id"},
      {"unknown user", [](QuotaPatch& q) { q.user_id = 999; }, ErrorCode::kInvalid, "user_id"},
      {"deactivated user", [&](QuotaPatch& q) { q.user_id = gone.id; }, ErrorCode::kInvalid,
       "user_id"},
      {"unknown team", [](QuotaPatch& q) { q.team_id = 999; }, ErrorCode::kInvalid, "team_id"},
      {"unknown pipeline", [](QuotaPatch& q) { q.pipeline_id = 999; }, ErrorCode::kInvalid,
       "pipeline_id"},
      {"unknown currency", [](QuotaPatch& q) { q.currency = "XYZ"; }, ErrorCode::kInvalid,
       "currency"},
      {"won value, no currency", [](QuotaPatch& q) { q.currency = ""; }, ErrorCode::kInvalid,
       "currency"},
      {"count with currency",
       [](QuotaPatch& q) { q.metric = QuotaMetric::kDealsWon, q.currency = "EUR"; },
       ErrorCode::kInvalid, "currency"},
      {"ends before it starts",
       [](QuotaPatch& q) {
         q.starts_on = *ParseDate("2026-04-01");
         q.ends_on = *ParseDate("2026-04-01");
       },
       ErrorCode::kInvalid, "ends_on"},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    QuotaPatch q = base();
    r.change(q);
    EXPECT_ERROR(ws_->CreateQuota(admin_, q), r.code, r.field);
  }
  EXPECT_TRUE(Must(ws_->ListQuotas(ListQuery{})).items.empty());

  // The same rules on update; a refused update leaves the quota as it was.
  QuotaPatch fields = base();
  fields.team_id = team.id;
  fields.pipeline_id = sales.pipeline.id;
  fields.currency = "EUR";
  const Quota quota = Must(ws_->CreateQuota(admin_, fields));
  EXPECT_EQ(quota.scope, QuotaScope::kTeam);
  EXPECT_EQ(quota.currency, "EUR");
  for (const Row& r : rows) {
    // A patch without a target keeps it; the quota is a team quota already.
    if (std::string(r.name) == "no target" || std::string(r.name) == "team scope without team") {
      continue;
    }
    SCOPED_TRACE(std::string("update: ") + r.name);
    QuotaPatch patch;
    r.change(patch);
    const Status s = StatusOf(ws_->UpdateQuota(admin_, quota.id, patch, std::nullopt));
    EXPECT_FALSE(s.ok()) << "accepted";
  }
  QuotaPatch to_rep;
  to_rep.scope = QuotaScope::kUser;
  to_rep.user_id = rep.id;
  EXPECT_ERROR(ws_->UpdateQuota(admin_, quota.id, to_rep, std::nullopt), ErrorCode::kInvalid,
               "team_id");
  const Quota after = Must(ws_->GetQuota(quota.id));
  EXPECT_EQ(after.version, 1);
  EXPECT_EQ(after.scope, QuotaScope::kTeam);
  EXPECT_EQ(after.team_id, team.id);
  EXPECT_EQ(after.target, 1'000'000);
  EXPECT_EQ(after.currency, "EUR");
  to_rep.team_id.emplace();
  EXPECT_EQ(Must(ws_->UpdateQuota(admin_, quota.id, to_rep, std::nullopt)).user_id, rep.id);
}

// ---- Health: snoozes --------------------------------------------------------------------------

TEST_F(WorkspaceTest, SnoozesSilenceAFlagOfAnOpenDeal) {
  AddPipeline("Sales", 2);
  User rep = AddUser("reza", Role::kRep);
  Deal deal = AddDeal("Acme");
  const Date today = DateOf(Now());

  FlagSnooze s =
      Must(ws_->SnoozeFlag(rep, deal.id, HealthFlag::kStuck, AddDays(today, 7), "Legal review"));
  EXPECT_EQ(s.deal_id, deal.id);
  EXPECT_EQ(s.flag, HealthFlag::kStuck);
  EXPECT_EQ(s.until, AddDays(today, 7));
  EXPECT_EQ(s.reason, "Legal review");
  EXPECT_EQ(s.user_id, rep.id) << "any user may snooze";
  EXPECT_EQ(s.created_at, Now());

  // Snoozing the same flag again replaces the snooze; another flag adds one.
  Advance(kMinute);
  Must(ws_->SnoozeFlag(admin_, deal.id, HealthFlag::kStuck, AddDays(today, 14), "Still in legal")
           .status());
  Must(ws_->SnoozeFlag(rep, deal.id, HealthFlag::kRotting, AddDays(today, 1), "Holidays").status());
  std::vector<FlagSnooze> snoozes = Must(ws_->SnoozesOfDeal(deal.id));
  ASSERT_EQ(snoozes.size(), 2u);
  EXPECT_EQ(snoozes[0].flag, HealthFlag::kRotting);
  EXPECT_EQ(snoozes[1].flag, HealthFlag::kStuck);
  EXPECT_EQ(snoozes[1].until, AddDays(today, 14));
  EXPECT_EQ(snoozes[1].reason, "Still in legal");
  EXPECT_EQ(snoozes[1].user_id, admin_.id);
  EXPECT_EQ(Must(ws_->GetDeal(deal.id)).version, 1) << "a snooze is not an edit of the deal";

  // Refusals change nothing.
  EXPECT_ERROR(ws_->SnoozeFlag(rep, deal.id, HealthFlag::kAged, today, "Later"),
               ErrorCode::kInvalid, "until");
  EXPECT_ERROR(ws_->SnoozeFlag(rep, deal.id, HealthFlag::kAged, AddDays(today, -1), "Later"),
               ErrorCode::kInvalid, "until");
  EXPECT_ERROR(ws_->SnoozeFlag(rep, deal.id, HealthFlag::kAged, AddDays(today, 1), " "),
               ErrorCode::kInvalid, "reason");
  EXPECT_ERROR(ws_->SnoozeFlag(rep, 999, HealthFlag::kAged, AddDays(today, 1), "Later"),
               ErrorCode::kNotFound, "", "no deal with id 999");
  Deal won = AddDeal("Won already");
  Must(ws_->MarkWon(admin_, won.id, std::nullopt).status());
  EXPECT_ERROR(ws_->SnoozeFlag(rep, won.id, HealthFlag::kAged, AddDays(today, 1), "Later"),
               ErrorCode::kConflict, "status");
  EXPECT_TRUE(Must(ws_->SnoozesOfDeal(won.id)).empty());
  EXPECT_EQ(Must(ws_->SnoozesOfDeal(deal.id)).size(), 2u);

  // Unsnoozing.
  Must(ws_->UnsnoozeFlag(rep, deal.id, HealthFlag::kStuck));
  snoozes = Must(ws_->SnoozesOfDeal(deal.id));
  ASSERT_EQ(snoozes.size(), 1u);
  EXPECT_EQ(snoozes[0].flag, HealthFlag::kRotting);
  EXPECT_ERROR(ws_->UnsnoozeFlag(rep, deal.id, HealthFlag::kStuck), ErrorCode::kNotFound, "");
  EXPECT_ERROR(ws_->UnsnoozeFlag(rep, 999, HealthFlag::kStuck), ErrorCode::kNotFound, "",
               "no deal with id 999");
  EXPECT_ERROR(ws_->SnoozesOfDeal(999), ErrorCode::kNotFound, "");

  // A deleted deal takes its snoozes along.
  Must(ws_->DeleteDeal(admin_, deal.id, std::nullopt));
  EXPECT_ERROR(ws_->SnoozesOfDeal(deal.id), ErrorCode::kNotFound, "");
}

// ---- Health: settings -------------------------------------------------------------------------

TEST_F(WorkspaceTest, HealthSettingsRoundTripExactly) {
  Built sales = AddPipeline("Sales", 4);
  User manager = AddUser("mona", Role::kManager);
  User rep = AddUser("reza", Role::kRep);
  EXPECT_EQ(Must(ws_->GetHealthSettings()), HealthSettings{}) << "nothing stored: defaults";

  HealthSettings custom;
  custom.stuck_percentile = 80;
  custom.stuck_min_samples = 3;
  custom.overload_factor = 1.1;  // not exact in binary: must still read back equal
  custom.overload_min_deals = 8;
  custom.late_stage_limit = 12;
  custom.late_stage_ids = {sales.stages[3].id, sales.stages[2].id};
  custom.coverage_target = 2.7;
  custom.aged_percentile = 75;
  custom.unqualified_reasons = {"Spam", "Keine Zuständigkeit", "Student, not a buyer"};
  custom.lookback_days = 180;
  EXPECT_ERROR(ws_->UpdateHealthSettings(rep, custom), ErrorCode::kForbidden, "",
               "only admins and managers can manage health settings");
  EXPECT_EQ(Must(ws_->GetHealthSettings()), HealthSettings{});

  EXPECT_EQ(Must(ws_->UpdateHealthSettings(manager, custom)), custom);
  EXPECT_EQ(Must(ws_->GetHealthSettings()), custom);

  // Empty lists are kept as empty, not read back as the defaults.
  HealthSettings empty_lists = custom;
  empty_lists.late_stage_ids.clear();
  empty_lists.unqualified_reasons.clear();
  EXPECT_EQ(Must(ws_->UpdateHealthSettings(admin_, empty_lists)), empty_lists);
  EXPECT_EQ(Must(ws_->GetHealthSettings()), empty_lists);
  HealthSettings one_each = custom;
  one_each.late_stage_ids = {sales.stages[0].id};
  one_each.unqualified_reasons = {"Spam"};
  Must(ws_->UpdateHealthSettings(admin_, one_each).status());
  EXPECT_EQ(Must(ws_->GetHealthSettings()), one_each);
  Must(ws_->UpdateHealthSettings(admin_, HealthSettings{}).status());
  EXPECT_EQ(Must(ws_->GetHealthSettings()), HealthSettings{});
}

TEST_F(WorkspaceTest, HealthSettingsRejectEachBadFieldAndKeepTheStoredOnes) {
  Built sales = AddPipeline("Sales", 2);
  HealthSettings stored;
  stored.late_stage_ids = {sales.stages[1].id};
  stored.coverage_target = 4;
  Must(ws_->UpdateHealthSettings(admin_, stored).status());

  struct Row {
    std::function<void(HealthSettings&)> change;
    const char* field;
  };
  const std::vector<Row> rows = {
      {[](HealthSettings& s) { s.stuck_percentile = 0; }, "stuck_percentile"},
      {[](HealthSettings& s) { s.stuck_percentile = 100; }, "stuck_percentile"},
      {[](HealthSettings& s) { s.stuck_min_samples = 0; }, "stuck_min_samples"},
      {[](HealthSettings& s) { s.overload_factor = 1; }, "overload_factor"},
      {[](HealthSettings& s) { s.overload_factor = 101; }, "overload_factor"},
      {[](HealthSettings& s) { s.overload_min_deals = 0; }, "overload_min_deals"},
      {[](HealthSettings& s) { s.late_stage_limit = 0; }, "late_stage_limit"},
      {[](HealthSettings& s) { s.late_stage_ids = {-4}; }, "late_stage_ids[0]"},
      {[&](HealthSettings& s) {
         s.late_stage_ids = {sales.stages[0].id, 999};
       },
       "late_stage_ids[1]"},
      {[](HealthSettings& s) { s.coverage_target = 0.05; }, "coverage_target"},
      {[](HealthSettings& s) { s.coverage_target = 250; }, "coverage_target"},
      {[](HealthSettings& s) { s.aged_percentile = 0; }, "aged_percentile"},
      {[](HealthSettings& s) {
         s.unqualified_reasons = {"ok", ""};
       },
       "unqualified_reasons[1]"},
      {[](HealthSettings& s) { s.unqualified_reasons = {"two\nlines"}; }, "unqualified_reasons[0]"},
      {[](HealthSettings& s) { s.unqualified_reasons.assign(51, "x"); }, "unqualified_reasons"},
      {[](HealthSettings& s) { s.lookback_days = 6; }, "lookback_days"},
      {[](HealthSettings& s) { s.lookback_days = 3661; }, "lookback_days"},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.field);
    HealthSettings changed = stored;
    changed.stuck_percentile = 70;  // a good change beside the bad one is not stored either
    r.change(changed);
    EXPECT_ERROR(ws_->UpdateHealthSettings(admin_, changed), ErrorCode::kInvalid, r.field);
    EXPECT_EQ(Must(ws_->GetHealthSettings()), stored);
  }
}

// ---- Bulk cleanup -----------------------------------------------------------------------------

// What the bulk actions may change about a deal, to prove a refused action changed nothing.
struct DealState {
  Id owner_id;
  DealStatus status;
  int64_t version;
  std::optional<Date> next_activity_date;
  size_t history;
  bool operator==(const DealState&) const = default;
};

class BulkTest : public WorkspaceTest {
 protected:
  void SetUp() override {
    WorkspaceTest::SetUp();
    sales_ = AddPipeline("Sales", 3);
    rep_ = AddUser("reza", Role::kRep);
    other_ = AddUser("olga", Role::kRep);
    for (const char* title : {"one", "two", "three", "four"}) {
      ids_.push_back(AddDeal(title, std::nullopt, &rep_).id);
    }
  }

  std::map<Id, DealState> States() {
    std::map<Id, DealState> states;
    ListQuery all;
    all.limit = 500;
    for (const Deal& d : Must(ws_->ListDeals(all)).items) {
      states[d.id] = {d.owner_id, d.status, d.version, d.next_activity_date,
                      Must(ws_->DealHistory(d.id)).size()};
    }
    return states;
  }

  size_t ActivityCount() {
    ListQuery all;
    all.limit = 500;
    return Must(ws_->ListActivities(all)).items.size();
  }

  // The refusals every bulk action shares, each checked to change nothing.
  template <typename Action>
  void ExpectListChecks(Action action) {
    Deal won = AddDeal("won", std::nullopt, &rep_);
    Must(ws_->MarkWon(admin_, won.id, std::nullopt).status());
    const auto before = States();
    const size_t activities = ActivityCount();
    EXPECT_ERROR(action(std::vector<Id>{}), ErrorCode::kInvalid, "deal_ids",
                 "name at least one deal");
    EXPECT_ERROR(action(std::vector<Id>(Workspace::kMaxBulkDeals + 1, ids_[0])),
                 ErrorCode::kInvalid, "deal_ids", "at most 500 deals at once");
    EXPECT_ERROR(action(std::vector<Id>{ids_[0], ids_[1], ids_[0]}), ErrorCode::kInvalid,
                 "deal_ids", "deal " + std::to_string(ids_[0]) + " is listed twice");
    EXPECT_ERROR(action(std::vector<Id>{ids_[0], ids_[1], 999, ids_[2]}), ErrorCode::kNotFound,
                 "deal_ids[2]", "no deal with id 999");
    EXPECT_ERROR(action(std::vector<Id>{ids_[0], won.id, ids_[2]}), ErrorCode::kConflict,
                 "deal_ids[1]");
    EXPECT_EQ(States(), before);
    EXPECT_EQ(ActivityCount(), activities);
  }

  Built sales_;
  User rep_, other_;
  std::vector<Id> ids_;
};

TEST_F(BulkTest, ReassignMovesEveryDealOrNone) {
  ExpectListChecks(
      [&](const std::vector<Id>& ids) { return ws_->BulkReassign(admin_, ids, other_.id); });
  const auto before = States();
  EXPECT_ERROR(ws_->BulkReassign(rep_, {ids_[0], ids_[1]}, 999), ErrorCode::kInvalid, "owner_id",
               "no user with id 999");
  User gone = AddUser("gone", Role::kRep);
  Must(ws_->DeactivateUser(admin_, gone.id, std::nullopt).status());
  EXPECT_ERROR(ws_->BulkReassign(rep_, {ids_[0], ids_[1]}, gone.id), ErrorCode::kInvalid,
               "owner_id");
  EXPECT_EQ(States(), before);

  Advance(kMinute);
  std::vector<Deal> moved = Must(ws_->BulkReassign(rep_, {ids_[2], ids_[0]}, other_.id));
  ASSERT_EQ(moved.size(), 2u);
  EXPECT_EQ(moved[0].id, ids_[2]) << "in the order asked";
  EXPECT_EQ(moved[1].id, ids_[0]);
  const auto after = States();
  for (Id id : {ids_[0], ids_[2]}) {
    EXPECT_EQ(after.at(id).owner_id, other_.id);
    EXPECT_EQ(after.at(id).version, before.at(id).version + 1);
    EXPECT_EQ(after.at(id).history, before.at(id).history) << "an owner change is no stage event";
    EXPECT_EQ(Must(ws_->GetDeal(id)).updated_at, Now());
  }
  EXPECT_EQ(after.at(ids_[1]), before.at(ids_[1]));
  EXPECT_EQ(after.at(ids_[3]), before.at(ids_[3]));
}

TEST_F(BulkTest, LastChanceCreatesOneTaskPerDealOrNone) {
  ExpectListChecks([&](const std::vector<Id>& ids) {
    return ws_->BulkLastChance(admin_, ids, std::nullopt, "");
  });
  OrganizationPatch org_fields;
  org_fields.name = "Initech";
  Organization org = Must(ws_->CreateOrganization(admin_, org_fields));
  PersonPatch person_fields;
  person_fields.name = "Peter";
  Person person = Must(ws_->CreatePerson(admin_, person_fields));
  DealPatch link;
  link.org_id = org.id;
  link.person_id = person.id;
  Must(ws_->UpdateDeal(admin_, ids_[1], link, std::nullopt).status());
  DealPatch long_title;
  long_title.title = std::string(kMaxTitleLength - 14, 'x') + "é, the rest";  // é at 254..255
  Must(ws_->UpdateDeal(admin_, ids_[3], long_title, std::nullopt).status());

  // Deals owned by a deactivated user: refused, naming the deal.
  Must(ws_->BulkReassign(admin_, {ids_[2]}, other_.id).status());
  Must(ws_->DeactivateUser(admin_, other_.id, std::nullopt).status());
  auto before = States();
  EXPECT_ERROR(ws_->BulkLastChance(admin_, {ids_[0], ids_[2]}, std::nullopt, ""),
               ErrorCode::kConflict, "deal_ids[1]");
  EXPECT_ERROR(ws_->BulkLastChance(admin_, {ids_[0]}, std::nullopt, "   "), ErrorCode::kInvalid,
               "subject");
  EXPECT_EQ(States(), before);
  EXPECT_EQ(ActivityCount(), 0u);

  const Date today = DateOf(Now());
  std::vector<Activity> created =
      Must(ws_->BulkLastChance(admin_, {ids_[1], ids_[3]}, std::nullopt, ""));
  ASSERT_EQ(created.size(), 2u);
  const Activity& a = created[0];
  EXPECT_GT(a.id, 0);
  EXPECT_EQ(a.type, ActivityType::kTask);
  EXPECT_EQ(a.subject, "Last chance: two");
  EXPECT_EQ(a.due_date, today);
  EXPECT_EQ(a.deal_id, ids_[1]);
  EXPECT_EQ(a.person_id, person.id) << "the deal's person";
  EXPECT_EQ(a.org_id, org.id) << "the deal's organization";
  EXPECT_EQ(a.owner_id, rep_.id) << "the deal's owner, not the actor";
  EXPECT_FALSE(a.done);
  EXPECT_EQ(Must(ws_->GetActivity(a.id)).subject, "Last chance: two");
  // A long title is cut to the longest subject, not inside a character.
  EXPECT_EQ(created[1].subject, "Last chance: " + std::string(kMaxTitleLength - 14, 'x'));
  const auto after = States();
  EXPECT_EQ(after.at(ids_[1]).next_activity_date, today);
  EXPECT_EQ(after.at(ids_[3]).next_activity_date, today);
  EXPECT_EQ(after.at(ids_[0]), before.at(ids_[0]));

  // A given subject and due date.
  const Date friday = AddDays(today, 4);
  created = Must(ws_->BulkLastChance(rep_, {ids_[0]}, friday, "Final call before we close"));
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0].subject, "Final call before we close");
  EXPECT_EQ(created[0].due_date, friday);
  EXPECT_EQ(Must(ws_->GetDeal(ids_[0])).next_activity_date, friday);
  EXPECT_EQ(ActivityCount(), 3u);
}

TEST_F(BulkTest, MarkLostClosesEveryDealWithHistoryOrNone) {
  ExpectListChecks([&](const std::vector<Id>& ids) {
    return ws_->BulkMarkLost(admin_, ids, "Went dark", std::nullopt);
  });
  LostReasonPatch reason_fields;
  reason_fields.label = "Not qualified";
  LostReason reason = Must(ws_->CreateLostReason(admin_, reason_fields));
  const auto before = States();
  EXPECT_ERROR(ws_->BulkMarkLost(rep_, {ids_[0], ids_[1]}, "", std::nullopt), ErrorCode::kInvalid,
               "lost_reason", "a lost deal needs a reason");
  EXPECT_ERROR(ws_->BulkMarkLost(rep_, {ids_[0], ids_[1]}, "", 999), ErrorCode::kInvalid,
               "lost_reason_id", "no lost reason with id 999");
  EXPECT_ERROR(
      ws_->BulkMarkLost(rep_, {ids_[0]}, std::string(kMaxTitleLength + 1, 'x'), std::nullopt),
      ErrorCode::kInvalid, "lost_reason");
  EXPECT_EQ(States(), before);

  Advance(kHour);
  std::vector<Deal> lost = Must(ws_->BulkMarkLost(rep_, {ids_[0], ids_[2]}, "", reason.id));
  ASSERT_EQ(lost.size(), 2u);
  for (const Deal& d : lost) {
    SCOPED_TRACE(d.title);
    EXPECT_EQ(d.status, DealStatus::kLost);
    EXPECT_EQ(d.lost_reason, "Not qualified");
    EXPECT_EQ(d.closed_at, Now());
    EXPECT_EQ(d.version, before.at(d.id).version + 1);
    const Deal stored = Must(ws_->GetDeal(d.id));
    EXPECT_EQ(stored.status, DealStatus::kLost);
    EXPECT_EQ(stored.version, d.version);
    std::vector<StageEvent> history = Must(ws_->DealHistory(d.id));
    ASSERT_EQ(history.size(), before.at(d.id).history + 1);
    EXPECT_EQ(history.back().kind, StageEventKind::kLost);
    EXPECT_EQ(history.back().lost_reason, "Not qualified");
    EXPECT_EQ(history.back().user_id, rep_.id);
    EXPECT_EQ(history.back().at, Now());
    EXPECT_EQ(history.back().from_status, DealStatus::kOpen);
  }
  const auto after = States();
  EXPECT_EQ(after.at(ids_[1]), before.at(ids_[1]));
  EXPECT_EQ(after.at(ids_[3]), before.at(ids_[3]));
  // Free text works like the single action (trimmed by the core rule), and lost deals are closed.
  EXPECT_EQ(Must(ws_->BulkMarkLost(admin_, {ids_[1]}, " Budget cut ", std::nullopt))[0].lost_reason,
            "Budget cut");
  EXPECT_ERROR(ws_->BulkMarkLost(admin_, {ids_[3], ids_[0]}, "Again", std::nullopt),
               ErrorCode::kConflict, "deal_ids[1]");
  EXPECT_EQ(Must(ws_->GetDeal(ids_[3])).status, DealStatus::kOpen);
}

// ---- The demo workspace -----------------------------------------------------------------------

// A summary of a seeded workspace that two seeds must agree on.
struct DemoShape {
  std::vector<std::string> deals;  // title|value|currency|status|stage order
  std::map<std::string, size_t> stages_per_pipeline;
  size_t won = 0, lost = 0, open = 0;
  std::set<std::string> lost_reasons;
  size_t overdue = 0, due_today = 0, upcoming = 0, done = 0, notes = 0, open_without_next = 0;
  std::map<std::string, size_t> team_members;  // team name → users in it
  size_t quotas = 0;
};

// Calls `visit` on every record of a paged list, `list` being a Workspace List* method.
template <typename T, typename Visit>
void ForEachRecord(Workspace& ws, Result<Page<T>> (Workspace::*list)(const ListQuery&), ListQuery q,
                   Visit visit) {
  q.limit = 500;
  for (;;) {
    Page<T> page = Must((ws.*list)(q));
    for (const T& item : page.items) visit(item);
    if (page.next_cursor.empty()) return;
    q.cursor = page.next_cursor;
  }
}

DemoShape SeedAndSummarise(const std::string& path, Timestamp now, double* seconds) {
  SqliteOptions options;
  options.path = path;
  std::unique_ptr<Store> store = Must(OpenSqliteStore(options));
  ManualClock clock(now);
  Workspace ws(*store, clock);
  NewToken boot = Must(ws.Bootstrap("Ada Admin", "ada@example.com", "USD"));
  const User admin = Must(ws.GetUser(boot.token.user_id));
  const auto started = std::chrono::steady_clock::now();
  Must(SeedDemo(ws, admin));
  *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  DemoShape shape;
  std::map<Id, Stage> stages;
  ForEachRecord(ws, &Workspace::ListPipelines, {}, [&](const Pipeline& p) {
    ListQuery of_pipeline;
    of_pipeline.pipeline_id = p.id;
    ForEachRecord(ws, &Workspace::ListStages, of_pipeline, [&](const Stage& s) {
      stages[s.id] = s;
      ++shape.stages_per_pipeline[p.name];
    });
  });
  ForEachRecord(ws, &Workspace::ListDeals, {}, [&](const Deal& d) {
    shape.deals.push_back(d.title + "|" + std::to_string(d.value.amount_minor) + "|" +
                          d.value.currency + "|" + DealStatusName(d.status) + "|" +
                          std::to_string(stages[d.stage_id].order));
    switch (d.status) {
      case DealStatus::kWon:
        ++shape.won;
        break;
      case DealStatus::kLost:
        ++shape.lost;
        shape.lost_reasons.insert(d.lost_reason);
        break;
      case DealStatus::kOpen:
        ++shape.open;
        if (!d.next_activity_date) ++shape.open_without_next;
        break;
    }
  });
  const Date today = DateOf(now);
  ForEachRecord(ws, &Workspace::ListActivities, {}, [&](const Activity& a) {
    if (a.done) {
      ++shape.done;
      EXPECT_LE(*a.done_at, now);
    } else if (a.due_date < today) {
      ++shape.overdue;
    } else if (a.due_date == today) {
      ++shape.due_today;
    } else {
      ++shape.upcoming;
    }
  });
  ForEachRecord(ws, &Workspace::ListNotes, {}, [&](const Note&) { ++shape.notes; });
  std::map<Id, std::string> teams;
  ForEachRecord(ws, &Workspace::ListTeams, {}, [&](const Team& t) { teams[t.id] = t.name; });
  ForEachRecord(ws, &Workspace::ListUsers, {}, [&](const User& u) {
    if (u.team_id) ++shape.team_members[teams.at(*u.team_id)];
  });
  ForEachRecord(ws, &Workspace::ListQuotas, {}, [&](const Quota&) { ++shape.quotas; });
  store->Close();
  return shape;
}

TEST(DemoSeedTest, IsDeterministicAndHasThePromisedShape) {
  const std::string a = TempDbPath(), b = TempDbPath();
  double seconds_a = 0, seconds_b = 0;
  DemoShape first = SeedAndSummarise(a, kStart, &seconds_a);
  DemoShape second = SeedAndSummarise(b, kStart, &seconds_b);
  RemoveDb(a);
  RemoveDb(b);
  RecordProperty("seed_seconds", std::to_string(seconds_a));

  EXPECT_EQ(first.deals, second.deals);
  EXPECT_EQ(first.stages_per_pipeline,
            (std::map<std::string, size_t>{{"Partnerships", 4}, {"Sales", 7}}));
  const size_t total = first.deals.size();
  EXPECT_GE(total, 280u);
  EXPECT_LE(total, 320u);
  EXPECT_GT(first.won, total / 5);
  EXPECT_GT(first.lost, total / 5);
  EXPECT_GT(first.open, total / 4);
  const std::set<std::string> configured = {"Price too high", "Chose a competitor",
                                            "No budget",      "No decision / went dark",
                                            "Bad timing",     "Not qualified"};
  EXPECT_GE(first.lost_reasons.size(), 4u);
  for (const std::string& r : first.lost_reasons) EXPECT_TRUE(configured.count(r)) << r;
  EXPECT_GT(first.overdue, 10u);
  EXPECT_GT(first.due_today, 5u);
  EXPECT_GT(first.upcoming, 20u);
  EXPECT_GT(first.done, total);
  EXPECT_GT(first.open_without_next, 5u);
  EXPECT_GT(first.notes, total / 3);
  EXPECT_EQ(first.team_members,
            (std::map<std::string, size_t>{{"Enterprise", 3}, {"Mid-market", 2}}));
  EXPECT_EQ(first.quotas, 1u + 2u + 5u * 2u);  // company, per team, per rep (revenue, activities)
  EXPECT_LT(seconds_a, 10.0) << "seeding should take about a second";
}

}  // namespace
}  // namespace pipedeck
