// The audit log as the use cases write it: after a sequence of edits the log of each record is
// exactly the expected list of changes, attributed to who made them at the clock's time; refused
// changes leave nothing; only admins read the whole log.
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/audit.h"
#include "service/workspace.h"
#include "store/sqlite/sqlite_store.h"
#include "support/test_support.h"

namespace pipedeck {
namespace {

using test_support::Must;
using test_support::RemoveDb;

class AuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = test_support::TempDbPath("audit_test");
    SqliteOptions options;
    options.path = path_;
    store_ = Must(OpenSqliteStore(options));
    ws_ = std::make_unique<Workspace>(*store_, clock_);
    NewToken boot = Must(ws_->Bootstrap("Ada Admin", "ada@example.com", "USD"));
    admin_ = Must(ws_->GetUser(boot.token.user_id));
    UserPatch rep;
    rep.name = "Maya Patel";
    rep.email = "maya@example.com";
    rep.role = Role::kRep;
    rep_ = Must(ws_->CreateUser(admin_, rep));
    PipelinePatch sales;
    sales.name = "Sales";
    pipeline_ = Must(ws_->CreatePipeline(admin_, sales, "4-stage"));
    ListQuery q;
    q.pipeline_id = pipeline_.id;
    stages_ = Must(ws_->ListStages(q)).items;
  }
  void TearDown() override {
    ws_.reset();
    store_->Close();
    RemoveDb(path_);
  }

  std::vector<AuditEntry> LogOf(const std::string& object, Id id) {
    AuditQuery q;
    q.object = object;
    q.record_id = id;
    return Must(ws_->AuditLog(admin_, q));
  }

  std::string Now() const { return FormatTimestamp(clock_.Now()); }

  std::string path_;
  ManualClock clock_{*ParseTimestamp("2026-03-02T10:00:00Z")};
  std::unique_ptr<Store> store_;
  std::unique_ptr<Workspace> ws_;
  User admin_, rep_;
  Pipeline pipeline_;
  std::vector<Stage> stages_;
};

struct Expected {
  AuditAction action;
  Id user_id;
  std::string at;
  std::vector<FieldChange> changes;
};

void ExpectLog(const std::vector<AuditEntry>& log, const std::vector<Expected>& expected,
               const std::string& object, Id record_id) {
  ASSERT_EQ(log.size(), expected.size());
  for (size_t i = 0; i < log.size(); ++i) {
    SCOPED_TRACE("entry " + std::to_string(i));
    EXPECT_EQ(log[i].action, expected[i].action);
    EXPECT_EQ(log[i].user_id, expected[i].user_id);
    EXPECT_EQ(FormatTimestamp(log[i].at), expected[i].at);
    EXPECT_EQ(log[i].object, object);
    EXPECT_EQ(log[i].record_id, record_id);
    EXPECT_EQ(log[i].changes, expected[i].changes);
    if (i > 0) EXPECT_LT(log[i].id, log[i - 1].id);  // newest first
  }
}

TEST_F(AuditTest, ASequenceOfEditsGivesExactlyTheExpectedChanges) {
  const std::string rep = std::to_string(rep_.id), admin = std::to_string(admin_.id);
  const std::string s1 = std::to_string(stages_[0].id), s2 = std::to_string(stages_[1].id);
  const std::string p = std::to_string(pipeline_.id);

  OrganizationPatch acme;
  acme.name = "Acme";
  const Organization org = Must(ws_->CreateOrganization(rep_, acme));
  const std::string created_org_at = Now();

  clock_.Advance(60'000);
  DealPatch fields;
  fields.title = "Acme renewal";
  fields.value_minor = 125000;
  fields.org_id = org.id;
  Deal deal = Must(ws_->CreateDeal(rep_, fields));
  const std::string created_at = Now();

  clock_.Advance(60'000);
  DealPatch edit;
  edit.title = "Acme renewal 2027";
  edit.value_minor = 150000;
  edit.expected_close_date = std::optional<Date>(*ParseDate("2026-06-30"));
  deal = Must(ws_->UpdateDeal(rep_, deal.id, edit, deal.version));
  const std::string edited_at = Now();

  // Refused changes record nothing: a negative value, a stale version.
  DealPatch bad;
  bad.value_minor = -1;
  EXPECT_FALSE(ws_->UpdateDeal(rep_, deal.id, bad, std::nullopt).ok());
  EXPECT_FALSE(ws_->UpdateDeal(rep_, deal.id, edit, 1).ok());
  // An edit that changes nothing audited (the same title) records nothing either.
  DealPatch same;
  same.title = "Acme renewal 2027";
  deal = Must(ws_->UpdateDeal(rep_, deal.id, same, std::nullopt));

  clock_.Advance(60'000);
  deal = Must(ws_->MoveDeal(rep_, deal.id, stages_[1].id, 0, std::nullopt));
  const std::string moved_at = Now();

  clock_.Advance(60'000);
  deal = Must(ws_->MarkLost(rep_, deal.id, "Too expensive", std::nullopt, std::nullopt));
  const std::string lost_at = Now();

  clock_.Advance(60'000);
  deal = Must(ws_->Reopen(admin_, deal.id, std::nullopt));
  const std::string reopened_at = Now();

  clock_.Advance(60'000);
  Must(ws_->DeleteDeal(admin_, deal.id, std::nullopt));
  const std::string deleted_at = Now();

  const std::string oid = std::to_string(org.id);
  ExpectLog(LogOf("deal", deal.id),
            {
                {AuditAction::kDelete,
                 admin_.id,
                 deleted_at,
                 {{"title", "Acme renewal 2027", ""},
                  {"value_minor", "150000", ""},
                  {"currency", "USD", ""},
                  {"pipeline_id", p, ""},
                  {"stage_id", s2, ""},
                  {"status", "open", ""},
                  {"expected_close_date", "2026-06-30", ""},
                  {"owner_id", rep, ""},
                  {"org_id", oid, ""}}},
                {AuditAction::kUpdate,
                 admin_.id,
                 reopened_at,
                 {{"status", "lost", "open"},
                  {"lost_reason", "Too expensive", ""},
                  {"closed_at", lost_at, ""}}},
                {AuditAction::kUpdate,
                 rep_.id,
                 lost_at,
                 {{"status", "open", "lost"},
                  {"lost_reason", "", "Too expensive"},
                  {"closed_at", "", lost_at}}},
                {AuditAction::kUpdate, rep_.id, moved_at, {{"stage_id", s1, s2}}},
                {AuditAction::kUpdate,
                 rep_.id,
                 edited_at,
                 {{"title", "Acme renewal", "Acme renewal 2027"},
                  {"value_minor", "125000", "150000"},
                  {"expected_close_date", "", "2026-06-30"}}},
                {AuditAction::kCreate,
                 rep_.id,
                 created_at,
                 {{"title", "", "Acme renewal"},
                  {"value_minor", "", "125000"},
                  {"currency", "", "USD"},
                  {"pipeline_id", "", p},
                  {"stage_id", "", s1},
                  {"status", "", "open"},
                  {"owner_id", "", rep},
                  {"org_id", "", oid}}},
            },
            "deal", deal.id);
  ExpectLog(LogOf("organization", org.id),
            {{AuditAction::kCreate,
              rep_.id,
              created_org_at,
              {{"name", "", "Acme"}, {"owner_id", "", rep}}}},
            "organization", org.id);
}

TEST_F(AuditTest, UsersAndTokensAreAuditedWithoutSecrets) {
  const NewToken token = Must(ws_->CreateToken(admin_, rep_.id, "laptop"));
  Must(ws_->RevokeToken(admin_, rep_.id, token.token.id));
  std::vector<AuditEntry> log = LogOf("token", token.token.id);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0].action, AuditAction::kDelete);
  EXPECT_EQ(log[1].action, AuditAction::kCreate);
  for (const FieldChange& c : log[1].changes) {
    EXPECT_EQ(c.after.find(token.secret), std::string::npos) << c.field;
  }
  EXPECT_EQ(log[1].changes,
            (std::vector<FieldChange>{{"user_id", "", std::to_string(rep_.id)},
                                      {"name", "", "laptop"},
                                      {"prefix", "", token.token.prefix}}));

  UserPatch promote;
  promote.role = Role::kManager;
  Must(ws_->UpdateUser(admin_, rep_.id, promote, std::nullopt));
  log = LogOf("user", rep_.id);
  ASSERT_EQ(log.size(), 2u);  // created in SetUp, then promoted
  EXPECT_EQ(log[0].changes, (std::vector<FieldChange>{{"role", "rep", "manager"}}));
  EXPECT_EQ(log[1].action, AuditAction::kCreate);
}

TEST_F(AuditTest, OnlyAdminsReadTheWholeLogAndFiltersAreChecked) {
  DealPatch fields;
  fields.title = "Mine";
  const Deal deal = Must(ws_->CreateDeal(rep_, fields));
  AuditQuery all;
  EXPECT_EQ(ws_->AuditLog(rep_, all).status().code(), ErrorCode::kForbidden);
  AuditQuery of_deal;
  of_deal.object = "deal";
  of_deal.record_id = deal.id;
  EXPECT_EQ(Must(ws_->AuditLog(rep_, of_deal)).size(), 1u);
  of_deal.record_id = 999;
  EXPECT_EQ(ws_->AuditLog(rep_, of_deal).status().code(), ErrorCode::kNotFound);
  AuditQuery of_user;
  of_user.object = "user";
  of_user.record_id = admin_.id;
  EXPECT_EQ(ws_->AuditLog(rep_, of_user).status().code(), ErrorCode::kForbidden);

  AuditQuery bad;
  bad.object = "spaceship";
  EXPECT_EQ(ws_->AuditLog(admin_, bad).status().field(), "object");
  bad.object.clear();
  bad.record_id = 1;
  EXPECT_EQ(ws_->AuditLog(admin_, bad).status().field(), "object");
  AuditQuery limit;
  limit.limit = 0;
  EXPECT_EQ(ws_->AuditLog(admin_, limit).status().field(), "limit");

  // By user: the rep's changes only; pages newest first with before_id.
  AuditQuery by_rep;
  by_rep.user_id = rep_.id;
  std::vector<AuditEntry> mine = Must(ws_->AuditLog(admin_, by_rep));
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0].object, "deal");
  AuditQuery page;
  page.limit = 2;
  std::vector<AuditEntry> first = Must(ws_->AuditLog(admin_, page));
  ASSERT_EQ(first.size(), 2u);
  page.before_id = first.back().id;
  std::vector<AuditEntry> second = Must(ws_->AuditLog(admin_, page));
  ASSERT_FALSE(second.empty());
  EXPECT_LT(second.front().id, first.back().id);
}

}  // namespace
}  // namespace pipedeck
