// Use cases of the Workspace against a real SQLite file, with a manual clock so every instant the
// tests assert is known.
#include "service/workspace.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
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
#include "service/tokens.h"
#include "store/sqlite/sqlite_store.h"

namespace pipedeck {
namespace {

constexpr int64_t kMinute = 60'000;
constexpr int64_t kHour = 60 * kMinute;

// Unwraps a Result, failing the test (by exception, which gtest reports) when it is an error.
template <typename T>
T Must(Result<T> result) {
  if (!result.ok()) throw std::runtime_error("unexpected error: " + result.status().ToString());
  return std::move(result).value();
}
void Must(const Status& status) {
  if (!status.ok()) throw std::runtime_error("unexpected error: " + status.ToString());
}

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

std::string TempDbPath() {
  static std::atomic<int> counter{0};
  return (std::filesystem::temp_directory_path() /
          ("pipedeck_service_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) +
           ".db"))
      .string();
}

void RemoveDb(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix);
}

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

// ---- The demo workspace -----------------------------------------------------------------------

// A summary of a seeded workspace that two seeds must agree on.
struct DemoShape {
  std::vector<std::string> deals;  // title|value|currency|status|stage order
  std::map<std::string, size_t> stages_per_pipeline;
  size_t won = 0, lost = 0, open = 0;
  std::set<std::string> lost_reasons;
  size_t overdue = 0, due_today = 0, upcoming = 0, done = 0, notes = 0, open_without_next = 0;
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
  EXPECT_LT(seconds_a, 10.0) << "seeding should take about a second";
}

}  // namespace
}  // namespace pipedeck
