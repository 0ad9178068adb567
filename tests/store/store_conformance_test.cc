// The store conformance suite (see store_conformance.h). Every test starts from an empty store.
#include "store/store_conformance.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/deal_rules.h"

namespace pipedeck {

// ---- Record builders ----------------------------------------------------------------------------

User StoreConformanceTest::MakeUser(const std::string& email, const std::string& name) {
  User u;
  u.name = name;
  u.email = email;
  u.created_at = u.updated_at = kT0;
  return u;
}

Pipeline StoreConformanceTest::MakePipeline(const std::string& name, int32_t order) {
  Pipeline p;
  p.name = name;
  p.order = order;
  p.created_at = p.updated_at = kT0;
  return p;
}

Stage StoreConformanceTest::MakeStage(Id pipeline_id, const std::string& name, int32_t order,
                                      int32_t probability) {
  Stage s;
  s.pipeline_id = pipeline_id;
  s.name = name;
  s.order = order;
  s.probability = probability;
  s.created_at = s.updated_at = kT0;
  return s;
}

Organization StoreConformanceTest::MakeOrganization(const std::string& name, Id owner_id) {
  Organization o;
  o.name = name;
  o.owner_id = owner_id;
  o.created_at = o.updated_at = kT0;
  return o;
}

Person StoreConformanceTest::MakePerson(const std::string& name, Id owner_id) {
  Person p;
  p.name = name;
  p.owner_id = owner_id;
  p.created_at = p.updated_at = kT0;
  return p;
}

Deal StoreConformanceTest::MakeDeal(const std::string& title, const Stage& stage, Id owner_id) {
  Deal d;
  d.title = title;
  d.value = Money{1000, "USD"};
  d.pipeline_id = stage.pipeline_id;
  d.stage_id = stage.id;
  d.owner_id = owner_id;
  d.stage_changed_at = d.created_at = d.updated_at = kT0;
  return d;
}

Activity StoreConformanceTest::MakeActivity(const std::string& subject, Id owner_id, Date due) {
  Activity a;
  a.subject = subject;
  a.owner_id = owner_id;
  a.due_date = due;
  a.created_at = a.updated_at = kT0;
  return a;
}

Note StoreConformanceTest::MakeNote(const std::string& content, Id user_id) {
  Note n;
  n.content = content;
  n.user_id = user_id;
  n.created_at = n.updated_at = kT0;
  return n;
}

Team StoreConformanceTest::MakeTeam(const std::string& name) {
  Team t;
  t.name = name;
  t.created_at = t.updated_at = kT0;
  return t;
}

Quota StoreConformanceTest::MakeQuota(QuotaScope scope, int64_t target) {
  Quota q;
  q.scope = scope;
  q.metric = QuotaMetric::kDealsWon;
  q.target = target;
  q.starts_on = Date{20'000};
  q.created_at = q.updated_at = kT0;
  return q;
}

namespace {

template <typename T>
std::vector<Id> IdsOf(const std::vector<T>& records) {
  std::vector<Id> ids;
  for (const T& r : records) ids.push_back(r.id);
  return ids;
}

template <typename T>
std::vector<Id> IdsOf(const Page<T>& page) {
  return IdsOf(page.items);
}

std::vector<Id> Sorted(std::vector<Id> ids) {
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace

void StoreConformanceTest::SetUp() {
  store_ = GetParam().make();
  ASSERT_NE(store_, nullptr);
  alice_ = Add(&StoreTx::InsertUser, MakeUser("alice@example.com", "Alice"));
  bob_ = Add(&StoreTx::InsertUser, MakeUser("bob@example.com", "Bob"));
  pipeline_ = Add(&StoreTx::InsertPipeline, MakePipeline("Sales"));
  lead_ = Add(&StoreTx::InsertStage, MakeStage(pipeline_.id, "Lead", 0, 10));
  proposal_ = Add(&StoreTx::InsertStage, MakeStage(pipeline_.id, "Proposal", 1, 50));
  closing_ = Add(&StoreTx::InsertStage, MakeStage(pipeline_.id, "Closing", 2, 90));
}

Deal StoreConformanceTest::AddDeal(const std::string& title, const Stage& stage, double position,
                                   Money value) {
  Deal d = MakeDeal(title, stage, alice_.id);
  d.position = position;
  d.value = std::move(value);
  return Add(&StoreTx::InsertDeal, d);
}

Result<Page<Deal>> StoreConformanceTest::Deals(const ListQuery& q) {
  return Read([&](StoreTx& tx) { return tx.ListDeals(q); });
}

std::vector<Id> StoreConformanceTest::AllDealIds(ListQuery q) {
  std::vector<Id> ids;
  for (int pages = 0; pages < 1000; ++pages) {
    Page<Deal> page = Must(Deals(q));
    for (const Deal& d : page.items) ids.push_back(d.id);
    if (page.next_cursor.empty()) return ids;
    EXPECT_EQ(page.items.size(), static_cast<size_t>(q.limit));
    q.cursor = page.next_cursor;
  }
  throw std::runtime_error("pagination does not end");
}

std::vector<Deal> StoreConformanceTest::AllDeals(ListQuery q) {
  std::vector<Deal> deals;
  for (int pages = 0; pages < 10'000; ++pages) {
    Page<Deal> page = Must(Deals(q));
    deals.insert(deals.end(), page.items.begin(), page.items.end());
    if (page.next_cursor.empty()) return deals;
    q.cursor = page.next_cursor;
  }
  throw std::runtime_error("pagination does not end");
}

void StoreConformanceTest::ExpectBoardMatchesDeals(Id pipeline_id, const std::vector<Id>& owners,
                                                   const std::string& context) {
  ListQuery all;
  all.pipeline_id = pipeline_id;
  all.limit = 500;
  const std::vector<Deal> deals = AllDeals(all);
  std::vector<std::optional<Id>> filters = {std::nullopt};
  for (Id owner : owners) filters.push_back(owner);
  for (const std::optional<Id>& owner : filters) {
    BoardQuery q;
    q.pipeline_id = pipeline_id;
    q.owner_id = owner;
    q.card_limit = 0;
    const std::vector<BoardColumn> board = Must(Read([&](StoreTx& tx) { return tx.Board(q); }));
    for (const BoardColumn& column : board) {
      std::map<std::string, CurrencyTotal> expected;
      std::map<std::string, int64_t> numerators;  // Σ value × percent
      int64_t count = 0;
      for (const Deal& d : deals) {
        if (d.stage_id != column.stage.id || d.status != DealStatus::kOpen) continue;
        if (owner && d.owner_id != *owner) continue;
        ++count;
        CurrencyTotal& t = expected[d.value.currency];
        t.currency = d.value.currency;
        ++t.count;
        t.value_minor += d.value.amount_minor;
        numerators[d.value.currency] +=
            d.value.amount_minor * d.probability_override.value_or(column.stage.probability);
      }
      const std::string where = context + ", stage " + column.stage.name + ", owner " +
                                (owner ? std::to_string(*owner) : "any");
      EXPECT_EQ(column.deal_count, count) << where;
      ASSERT_EQ(column.totals.size(), expected.size()) << where;
      size_t i = 0;
      for (const auto& [currency, t] : expected) {
        const int64_t n = numerators[currency];
        const int64_t weighted = n >= 0 ? (n + 50) / 100 : (n - 50) / 100;
        const CurrencyTotal& got = column.totals[i++];
        EXPECT_EQ(got.currency, currency) << where;
        EXPECT_EQ(got.count, t.count) << where << " " << currency;
        EXPECT_EQ(got.value_minor, t.value_minor) << where << " " << currency;
        EXPECT_EQ(got.weighted_minor, weighted) << where << " " << currency;
      }
    }
  }
}

// ---- Round trips --------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, UserRoundTripAndLookups) {
  User admin = MakeUser("admin@example.com", "Ada Admin");
  admin.role = Role::kAdmin;
  User stored = Add(&StoreTx::InsertUser, admin);
  admin.id = stored.id;
  EXPECT_EQ(Fields(stored), Fields(admin));
  EXPECT_EQ(Fields(Must(Read([&](StoreTx& tx) { return tx.GetUser(admin.id); }))), Fields(admin));
  EXPECT_EQ(
      Fields(Must(Read([&](StoreTx& tx) { return tx.FindUserByEmail("admin@example.com"); }))),
      Fields(admin));
  EXPECT_EQ(
      Read([&](StoreTx& tx) { return tx.FindUserByEmail("nobody@example.com"); }).status().code(),
      ErrorCode::kNotFound);

  User changed = admin;
  changed.name = "Ada";
  changed.role = Role::kManager;
  changed.active = false;
  changed.version = 2;
  changed.updated_at = Timestamp{kT0.millis + 1};
  Must(Write([&](StoreTx& tx) { return tx.UpdateUser(changed, 1); }));
  EXPECT_EQ(Fields(Must(Read([&](StoreTx& tx) { return tx.GetUser(admin.id); }))), Fields(changed));

  Status stale = Write([&](StoreTx& tx) { return tx.UpdateUser(changed, 1); });
  EXPECT_EQ(stale.code(), ErrorCode::kPreconditionFailed);
  EXPECT_EQ(stale.message(), "user " + std::to_string(admin.id) + " has changed since version 1");
  changed.id = admin.id + 100;
  Status missing = Write([&](StoreTx& tx) { return tx.UpdateUser(changed, 2); });
  EXPECT_EQ(missing.code(), ErrorCode::kNotFound);
  EXPECT_EQ(missing.message(), "no user with id " + std::to_string(changed.id));
}

TEST_P(StoreConformanceTest, DuplicateEmailIsAConflictNamingTheField) {
  User first = Add(&StoreTx::InsertUser, MakeUser("same@example.com"));
  Result<User> second =
      Write([&](StoreTx& tx) { return tx.InsertUser(MakeUser("same@example.com")); });
  EXPECT_EQ(second.status().code(), ErrorCode::kConflict);
  EXPECT_EQ(second.status().field(), "email");

  User other = Add(&StoreTx::InsertUser, MakeUser("other@example.com"));
  other.email = "same@example.com";
  other.version = 2;
  Status clash = Write([&](StoreTx& tx) { return tx.UpdateUser(other, 1); });
  EXPECT_EQ(clash.code(), ErrorCode::kConflict);
  EXPECT_EQ(clash.field(), "email");
  EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.GetUser(first.id); })).email,
            "same@example.com");
}

TEST_P(StoreConformanceTest, TokensRoundTrip) {
  const User u = Add(&StoreTx::InsertUser, MakeUser("t@example.com"));
  const User v = Add(&StoreTx::InsertUser, MakeUser("v@example.com"));
  ApiToken unused{0, u.id, "cli", "hash-1", "pd_abc", kT0, std::nullopt};
  ApiToken used{0, u.id, "ci", "hash-2", "pd_def", kT0, Timestamp{kT0.millis + 5}};
  unused.id = Add(&StoreTx::InsertToken, unused).id;
  used.id = Add(&StoreTx::InsertToken, used).id;
  Add(&StoreTx::InsertToken, ApiToken{0, v.id, "other", "hash-3", "pd_ghi", kT0, std::nullopt});

  EXPECT_EQ(Fields(Must(Read([](StoreTx& tx) { return tx.FindTokenByHash("hash-1"); }))),
            Fields(unused));
  EXPECT_EQ(Read([](StoreTx& tx) { return tx.FindTokenByHash("nope"); }).status().code(),
            ErrorCode::kNotFound);
  std::vector<ApiToken> listed = Must(Read([&](StoreTx& tx) { return tx.ListTokens(u.id); }));
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(Fields(listed[0]), Fields(unused));
  EXPECT_EQ(Fields(listed[1]), Fields(used));

  Result<ApiToken> dup = Write([&](StoreTx& tx) {
    return tx.InsertToken(ApiToken{0, u.id, "dup", "hash-1", "pd_x", kT0, std::nullopt});
  });
  EXPECT_EQ(dup.status().code(), ErrorCode::kConflict);
  EXPECT_EQ(dup.status().field(), "secret_hash");

  const Timestamp later{kT0.millis + 99};
  Must(Write([&](StoreTx& tx) { return tx.TouchToken(unused.id, later); }));
  EXPECT_EQ(Must(Read([](StoreTx& tx) { return tx.FindTokenByHash("hash-1"); })).last_used_at,
            later);
  EXPECT_EQ(Write([&](StoreTx& tx) { return tx.TouchToken(9999, later); }).code(),
            ErrorCode::kNotFound);

  Must(Write([&](StoreTx& tx) { return tx.DeleteToken(unused.id); }));
  EXPECT_EQ(Write([&](StoreTx& tx) { return tx.DeleteToken(unused.id); }).code(),
            ErrorCode::kNotFound);
  Must(Write([&](StoreTx& tx) { return tx.DeleteTokensOfUser(u.id); }));
  EXPECT_TRUE(Must(Read([&](StoreTx& tx) { return tx.ListTokens(u.id); })).empty());
  EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.ListTokens(v.id); })).size(), 1u);
}

TEST_P(StoreConformanceTest, PasswordsSessionsResetsAndSignInFailures) {
  const User u = Add(&StoreTx::InsertUser, MakeUser("s@example.com"));
  const User v = Add(&StoreTx::InsertUser, MakeUser("w@example.com"));
  EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.GetPasswordHash(u.id); })), std::nullopt);
  Must(Write([&](StoreTx& tx) { return tx.SetPasswordHash(u.id, "$argon2id$one", kT0); }));
  Must(Write([&](StoreTx& tx) { return tx.SetPasswordHash(u.id, "$argon2id$two", kT0); }));
  EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.GetPasswordHash(u.id); })), "$argon2id$two");

  auto session = [&](Id user, const char* hash, Timestamp created, Timestamp seen) {
    return Add(&StoreTx::InsertSession, Session{0, user, hash, "csrf", created, seen});
  };
  const Session a = session(u.id, "sa", kT0, kT0);
  const Session b = session(u.id, "sb", kT0, Timestamp{kT0.millis + 10});
  const Session c = session(v.id, "sc", Timestamp{kT0.millis + 50}, Timestamp{kT0.millis + 50});
  const Session found = Must(Read([](StoreTx& tx) { return tx.FindSessionByHash("sb"); }));
  EXPECT_EQ(found.id, b.id);
  EXPECT_EQ(found.user_id, u.id);
  EXPECT_EQ(found.csrf_token, "csrf");
  EXPECT_EQ(found.created_at, kT0);
  EXPECT_EQ(found.last_seen_at, Timestamp{kT0.millis + 10});
  EXPECT_EQ(Read([](StoreTx& tx) { return tx.FindSessionByHash("nope"); }).status().code(),
            ErrorCode::kNotFound);
  Must(Write([&](StoreTx& tx) { return tx.TouchSession(a.id, Timestamp{kT0.millis + 20}); }));
  EXPECT_EQ(Must(Read([](StoreTx& tx) { return tx.FindSessionByHash("sa"); })).last_seen_at,
            Timestamp{kT0.millis + 20});
  EXPECT_EQ(Write([&](StoreTx& tx) { return tx.TouchSession(9999, kT0); }).code(),
            ErrorCode::kNotFound);
  // All of u's sessions but b go; v's stays.
  Must(Write([&](StoreTx& tx) { return tx.DeleteSessionsOfUser(u.id, b.id); }));
  EXPECT_FALSE(Read([](StoreTx& tx) { return tx.FindSessionByHash("sa"); }).ok());
  EXPECT_TRUE(Read([](StoreTx& tx) { return tx.FindSessionByHash("sb"); }).ok());
  Must(Write([&](StoreTx& tx) { return tx.DeleteSession(b.id); }));
  Must(Write([&](StoreTx& tx) { return tx.DeleteSession(b.id); }));  // gone already: fine
  EXPECT_FALSE(Read([](StoreTx& tx) { return tx.FindSessionByHash("sb"); }).ok());

  const PasswordReset reset = Add(
      &StoreTx::InsertPasswordReset, PasswordReset{0, u.id, "rh", v.id, kT0, Timestamp{kT0.millis + 100}});
  const PasswordReset read = Must(Read([](StoreTx& tx) { return tx.FindPasswordResetByHash("rh"); }));
  EXPECT_EQ(read.id, reset.id);
  EXPECT_EQ(read.user_id, u.id);
  EXPECT_EQ(read.created_by, v.id);
  EXPECT_EQ(read.expires_at, Timestamp{kT0.millis + 100});
  Must(Write([&](StoreTx& tx) { return tx.DeletePasswordResetsOfUser(u.id); }));
  EXPECT_EQ(Read([](StoreTx& tx) { return tx.FindPasswordResetByHash("rh"); }).status().code(),
            ErrorCode::kNotFound);

  for (int64_t at : {10, 30, 20, 40}) {
    Must(Write([&](StoreTx& tx) { return tx.AddSignInFailure("account:s", Timestamp{kT0.millis + at}); }));
  }
  Must(Write([&](StoreTx& tx) { return tx.AddSignInFailure("address:1", Timestamp{kT0.millis + 5}); }));
  EXPECT_EQ(Must(Read([](StoreTx& tx) {
              return tx.SignInFailures("account:s", Timestamp{kT0.millis + 20}, 10);
            })),
            (std::vector<Timestamp>{{kT0.millis + 40}, {kT0.millis + 30}, {kT0.millis + 20}}));
  EXPECT_EQ(Must(Read([](StoreTx& tx) { return tx.SignInFailures("account:s", kT0, 2); })).size(),
            2u);
  Must(Write([](StoreTx& tx) { return tx.ClearSignInFailures("account:s"); }));
  EXPECT_TRUE(Must(Read([](StoreTx& tx) { return tx.SignInFailures("account:s", kT0, 10); })).empty());
  EXPECT_EQ(Must(Read([](StoreTx& tx) { return tx.SignInFailures("address:1", kT0, 10); })).size(),
            1u);

  // Pruning: c was last seen at +50 (kept with seen_before +50), failures before +6 go, and the
  // reset code expired before +200 goes.
  Add(&StoreTx::InsertPasswordReset, PasswordReset{0, v.id, "rv", u.id, kT0, Timestamp{kT0.millis + 100}});
  const Session old = session(v.id, "old", kT0, Timestamp{kT0.millis + 1});
  Must(Write([&](StoreTx& tx) {
    return tx.PruneSignIns(Timestamp{kT0.millis + 50}, kT0, Timestamp{kT0.millis + 6},
                           Timestamp{kT0.millis + 200});
  }));
  EXPECT_TRUE(Read([](StoreTx& tx) { return tx.FindSessionByHash("sc"); }).ok());
  EXPECT_FALSE(Read([](StoreTx& tx) { return tx.FindSessionByHash("old"); }).ok());
  EXPECT_TRUE(Must(Read([](StoreTx& tx) { return tx.SignInFailures("address:1", kT0, 10); })).empty());
  EXPECT_FALSE(Read([](StoreTx& tx) { return tx.FindPasswordResetByHash("rv"); }).ok());
  (void)c;
  (void)old;
}

TEST_P(StoreConformanceTest, AuditLogAppendsAndListsByRecordUserAndTime) {
  const User u = Add(&StoreTx::InsertUser, MakeUser("a@example.com"));
  const User v = Add(&StoreTx::InsertUser, MakeUser("b@example.com"));
  auto append = [&](Id user, const char* object, Id record, int64_t at,
                    std::vector<FieldChange> changes) {
    AuditEntry e;
    e.at = Timestamp{kT0.millis + at};
    e.user_id = user;
    e.action = changes.empty() ? AuditAction::kDelete : AuditAction::kUpdate;
    e.object = object;
    e.record_id = record;
    e.changes = std::move(changes);
    return Must(Write([&](StoreTx& tx) { return tx.AppendAudit(e); }));
  };
  const AuditEntry first = append(u.id, "deal", 7, 10, {{"title", "a", "b"}, {"owner_id", "1", "2"}});
  const AuditEntry second = append(v.id, "deal", 7, 20, {});
  const AuditEntry third = append(v.id, "person", 7, 30, {{"name", "", "Ann"}});
  EXPECT_GT(second.id, first.id);

  auto list = [&](AuditQuery q) { return Must(Read([&](StoreTx& tx) { return tx.ListAudit(q); })); };
  AuditQuery of_deal;
  of_deal.object = "deal";
  of_deal.record_id = 7;
  std::vector<AuditEntry> deal_log = list(of_deal);
  ASSERT_EQ(deal_log.size(), 2u);
  EXPECT_EQ(deal_log[0].id, second.id);  // newest first
  EXPECT_EQ(deal_log[0].action, AuditAction::kDelete);
  EXPECT_TRUE(deal_log[0].changes.empty());
  EXPECT_EQ(deal_log[1].user_id, u.id);
  EXPECT_EQ(deal_log[1].at, Timestamp{kT0.millis + 10});
  EXPECT_EQ(deal_log[1].changes,
            (std::vector<FieldChange>{{"title", "a", "b"}, {"owner_id", "1", "2"}}));

  AuditQuery by_v;
  by_v.user_id = v.id;
  EXPECT_EQ(list(by_v).size(), 2u);
  by_v.object = "person";
  ASSERT_EQ(list(by_v).size(), 1u);
  EXPECT_EQ(list(by_v)[0].id, third.id);

  AuditQuery window;
  window.from = Timestamp{kT0.millis + 15};
  window.to = Timestamp{kT0.millis + 30};
  ASSERT_EQ(list(window).size(), 1u);
  EXPECT_EQ(list(window)[0].id, second.id);

  AuditQuery page;
  page.limit = 2;
  std::vector<AuditEntry> newest = list(page);
  ASSERT_EQ(newest.size(), 2u);
  page.before_id = newest.back().id;
  std::vector<AuditEntry> rest = list(page);
  ASSERT_EQ(rest.size(), 1u);
  EXPECT_EQ(rest[0].id, first.id);
}

TEST_P(StoreConformanceTest, PipelineLifecycle) {
  Pipeline full = MakePipeline("Enterprise", 3);
  full.active = false;
  CheckRecordLifecycle<Pipeline>({&StoreTx::InsertPipeline, &StoreTx::GetPipeline,
                                  &StoreTx::UpdatePipeline, &StoreTx::DeletePipeline},
                                 full, MakePipeline("", 0), [](Pipeline& p) {
                                   p.name = "SMB";
                                   p.order = -1;
                                   p.active = true;
                                 });
}

TEST_P(StoreConformanceTest, StageLifecycle) {
  const Pipeline p = Add(&StoreTx::InsertPipeline, MakePipeline("P"));
  Stage full = MakeStage(p.id, "Qualified", 2, 0);
  full.rotting_days = 14;
  full.playbook = "Call within a day.\nSend the deck.";
  CheckRecordLifecycle<Stage>(
      {&StoreTx::InsertStage, &StoreTx::GetStage, &StoreTx::UpdateStage, &StoreTx::DeleteStage},
      full, MakeStage(p.id, "Won?", 0, 100), [](Stage& s) {
        s.name = "Qualified lead";
        s.order = 0;
        s.probability = 100;
        s.rotting_days.reset();
        s.playbook.clear();
      });
}

TEST_P(StoreConformanceTest, OrganizationLifecycle) {
  const User owner = Add(&StoreTx::InsertUser, MakeUser("o@example.com"));
  const User other = Add(&StoreTx::InsertUser, MakeUser("p@example.com"));
  Organization full = MakeOrganization("Acme GmbH", owner.id);
  full.address = "Hauptstraße 1, Berlin";
  CheckRecordLifecycle<Organization>({&StoreTx::InsertOrganization, &StoreTx::GetOrganization,
                                      &StoreTx::UpdateOrganization, &StoreTx::DeleteOrganization},
                                     full, MakeOrganization("Solo", owner.id),
                                     [&](Organization& o) {
                                       o.name = "Acme AG";
                                       o.address.clear();
                                       o.owner_id = other.id;
                                     });
}

TEST_P(StoreConformanceTest, PersonLifecycleKeepsContactPoints) {
  const User owner = Add(&StoreTx::InsertUser, MakeUser("o@example.com"));
  const Organization org = Add(&StoreTx::InsertOrganization, MakeOrganization("Org", owner.id));
  Person full = MakePerson("Jane Roe", owner.id);
  full.emails = {{"jane@work.example", "work", true}, {"jane@home.example", "home", false}};
  full.phones = {{"+49 30 1234", "mobile", false}};
  full.org_id = org.id;
  CheckRecordLifecycle<Person>(
      {&StoreTx::InsertPerson, &StoreTx::GetPerson, &StoreTx::UpdatePerson, &StoreTx::DeletePerson},
      full, MakePerson("No Contacts", owner.id), [](Person& p) {
        p.name = "Jane Doe";
        p.emails = {{"jane@home.example", "home", true}};
        p.phones = {{"+1 555 0100", "work", true}, {"+1 555 0101", "other", false}};
        p.org_id.reset();
      });
}

TEST_P(StoreConformanceTest, DealLifecycle) {
  const User owner = Add(&StoreTx::InsertUser, MakeUser("o@example.com"));
  const Pipeline p = Add(&StoreTx::InsertPipeline, MakePipeline("P"));
  const Stage s1 = Add(&StoreTx::InsertStage, MakeStage(p.id, "A", 0, 20));
  const Stage s2 = Add(&StoreTx::InsertStage, MakeStage(p.id, "B", 1, 60));
  const Organization org = Add(&StoreTx::InsertOrganization, MakeOrganization("Org", owner.id));
  const Person person = Add(&StoreTx::InsertPerson, MakePerson("Pat", owner.id));

  Deal full = MakeDeal("Big license", s1, owner.id);
  full.value = Money{0, "JPY"};
  full.status = DealStatus::kLost;
  full.lost_reason = "Too expensive";
  full.expected_close_date = Date{20'600};
  full.person_id = person.id;
  full.org_id = org.id;
  full.source = "referral";
  full.position = -2.5;
  full.probability_override = 0;
  full.next_activity_date = Date{0};
  full.last_activity_at = Timestamp{0};
  full.closed_at = Timestamp{kT0.millis + 10};
  Deal minimal = MakeDeal("Small", s1, owner.id);
  CheckRecordLifecycle<Deal>(
      {&StoreTx::InsertDeal, &StoreTx::GetDeal, &StoreTx::UpdateDeal, &StoreTx::DeleteDeal}, full,
      minimal, [&](Deal& d) {
        d.title = "Bigger license";
        d.value = Money{kMaxAmountMinor, "EUR"};
        d.stage_id = s2.id;
        d.status = DealStatus::kOpen;
        d.lost_reason.clear();
        d.expected_close_date.reset();
        d.person_id.reset();
        d.org_id.reset();
        d.position = 1024.125;
        d.probability_override = 100;
        d.next_activity_date.reset();
        d.last_activity_at.reset();
        d.closed_at.reset();
        d.stage_changed_at = Timestamp{kT0.millis + 20};
      });
}

TEST_P(StoreConformanceTest, LostReasonLifecycle) {
  LostReason full{0, "Too expensive", 4, false, 1, kT0, kT0};
  CheckRecordLifecycle<LostReason>({&StoreTx::InsertLostReason, &StoreTx::GetLostReason,
                                    &StoreTx::UpdateLostReason, &StoreTx::DeleteLostReason},
                                   full, LostReason{0, "Timing", 0, true, 1, kT0, kT0},
                                   [](LostReason& r) {
                                     r.label = "Price";
                                     r.order = 0;
                                     r.active = true;
                                   });
}

TEST_P(StoreConformanceTest, ActivityLifecycle) {
  const User owner = Add(&StoreTx::InsertUser, MakeUser("o@example.com"));
  const Pipeline p = Add(&StoreTx::InsertPipeline, MakePipeline("P"));
  const Stage s = Add(&StoreTx::InsertStage, MakeStage(p.id, "A", 0, 20));
  const Deal deal = Add(&StoreTx::InsertDeal, MakeDeal("D", s, owner.id));
  const Organization org = Add(&StoreTx::InsertOrganization, MakeOrganization("Org", owner.id));
  const Person person = Add(&StoreTx::InsertPerson, MakePerson("Pat", owner.id));

  Activity full = MakeActivity("Kick-off call", owner.id, Date{20'500});
  full.type = ActivityType::kMeeting;
  full.due_time = TimeOfDay{0};
  full.duration_minutes = 90;
  full.done = true;
  full.done_at = Timestamp{kT0.millis + 3};
  full.deal_id = deal.id;
  full.person_id = person.id;
  full.org_id = org.id;
  full.note = "Bring the contract";
  CheckRecordLifecycle<Activity>({&StoreTx::InsertActivity, &StoreTx::GetActivity,
                                  &StoreTx::UpdateActivity, &StoreTx::DeleteActivity},
                                 full, MakeActivity("Follow up", owner.id, Date{-5}),
                                 [](Activity& a) {
                                   a.type = ActivityType::kDeadline;
                                   a.subject = "Contract deadline";
                                   a.due_date = Date{20'501};
                                   a.due_time = TimeOfDay{1439};
                                   a.duration_minutes = 0;
                                   a.done = false;
                                   a.done_at.reset();
                                   a.deal_id.reset();
                                   a.person_id.reset();
                                   a.org_id.reset();
                                   a.note.clear();
                                 });
}

TEST_P(StoreConformanceTest, NoteLifecycle) {
  const User author = Add(&StoreTx::InsertUser, MakeUser("o@example.com"));
  const Pipeline p = Add(&StoreTx::InsertPipeline, MakePipeline("P"));
  const Stage s = Add(&StoreTx::InsertStage, MakeStage(p.id, "A", 0, 20));
  const Deal deal = Add(&StoreTx::InsertDeal, MakeDeal("D", s, author.id));
  const Organization org = Add(&StoreTx::InsertOrganization, MakeOrganization("Org", author.id));
  const Person person = Add(&StoreTx::InsertPerson, MakePerson("Pat", author.id));

  Note full = MakeNote("Budget approved — 10% discount agreed", author.id);
  full.deal_id = deal.id;
  full.person_id = person.id;
  full.org_id = org.id;
  full.pinned = true;
  Note minimal = MakeNote("", author.id);
  minimal.person_id = person.id;
  CheckRecordLifecycle<Note>(
      {&StoreTx::InsertNote, &StoreTx::GetNote, &StoreTx::UpdateNote, &StoreTx::DeleteNote}, full,
      minimal, [](Note& n) {
        n.content = "Budget approved";
        n.deal_id.reset();
        n.org_id.reset();
        n.pinned = false;
      });
}

TEST_P(StoreConformanceTest, StageEventsRoundTripOldestFirst) {
  const User u = Add(&StoreTx::InsertUser, MakeUser("o@example.com"));
  const Pipeline p = Add(&StoreTx::InsertPipeline, MakePipeline("P"));
  const Stage s1 = Add(&StoreTx::InsertStage, MakeStage(p.id, "A", 0, 20));
  const Stage s2 = Add(&StoreTx::InsertStage, MakeStage(p.id, "B", 1, 20));
  const Deal deal = Add(&StoreTx::InsertDeal, MakeDeal("D", s1, u.id));

  StageEvent lost{
      0,     deal.id, StageEventKind::kLost, Timestamp{kT0.millis + 20}, u.id,       p.id, p.id,
      s2.id, s2.id,   DealStatus::kOpen,     DealStatus::kLost,          "No budget"};
  StageEvent created{0,
                     deal.id,
                     StageEventKind::kCreated,
                     kT0,
                     u.id,
                     std::nullopt,
                     p.id,
                     std::nullopt,
                     s1.id,
                     DealStatus::kOpen,
                     DealStatus::kOpen,
                     ""};
  StageEvent moved{0,
                   deal.id,
                   StageEventKind::kStageChanged,
                   Timestamp{kT0.millis + 10},
                   u.id,
                   p.id,
                   p.id,
                   s1.id,
                   s2.id,
                   DealStatus::kOpen,
                   DealStatus::kOpen,
                   ""};
  lost.id = Add(&StoreTx::InsertStageEvent, lost).id;
  created.id = Add(&StoreTx::InsertStageEvent, created).id;
  moved.id = Add(&StoreTx::InsertStageEvent, moved).id;

  std::vector<StageEvent> events =
      Must(Read([&](StoreTx& tx) { return tx.StageEventsOfDeal(deal.id); }));
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(Fields(events[0]), Fields(created));
  EXPECT_EQ(Fields(events[1]), Fields(moved));
  EXPECT_EQ(Fields(events[2]), Fields(lost));
}

// ---- Transactions
// ---------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, FailedWriteLeavesNothingBehind) {
  Status failed = store_->Write([&](StoreTx& tx) {
    Must(tx.InsertUser(MakeUser("ghost@example.com")));
    Must(tx.PutSetting("currency", "EUR"));
    return Status::Invalid("name", "refused on purpose");
  });
  EXPECT_EQ(failed.code(), ErrorCode::kInvalid);
  EXPECT_EQ(failed.field(), "name");

  EXPECT_THROW(static_cast<void>(store_->Write([&](StoreTx& tx) -> Status {
                 Must(tx.InsertUser(MakeUser("thrown@example.com")));
                 throw std::runtime_error("boom");
               })),
               std::runtime_error);

  for (const char* email : {"ghost@example.com", "thrown@example.com"}) {
    EXPECT_EQ(Read([&](StoreTx& tx) { return tx.FindUserByEmail(email); }).status().code(),
              ErrorCode::kNotFound)
        << email;
  }
  EXPECT_EQ(Must(Read([](StoreTx& tx) { return tx.GetSetting("currency"); })), std::nullopt);
  // The store stays usable after both.
  Add(&StoreTx::InsertUser, MakeUser("alive@example.com"));
}

// External keys: found by object and id, replaced by a later put, separate per object.
TEST_P(StoreConformanceTest, ExternalKeysNameRecordsPerObject) {
  EXPECT_EQ(Must(Read([](StoreTx& tx) { return tx.FindExternalKey("deals", "101"); })),
            std::nullopt);
  Must(store_->Write([](StoreTx& tx) -> Status {
    PD_RETURN_IF_ERROR(tx.PutExternalKey("deals", "101", 7));
    PD_RETURN_IF_ERROR(tx.PutExternalKey("persons", "101", 9));
    return tx.PutExternalKey("deals", "101", 8);  // replaces
  }));
  EXPECT_EQ(Must(Read([](StoreTx& tx) { return tx.FindExternalKey("deals", "101"); })),
            std::optional<Id>(8));
  EXPECT_EQ(Must(Read([](StoreTx& tx) { return tx.FindExternalKey("persons", "101"); })),
            std::optional<Id>(9));
  EXPECT_EQ(Must(Read([](StoreTx& tx) { return tx.FindExternalKey("deals", "1010"); })),
            std::nullopt);
}

// The highest ids given so far, a deleted record's too (ids are never given twice).
TEST_P(StoreConformanceTest, LastAssignedIdsCountDeletedRecords) {
  EXPECT_EQ(Must(Read([](StoreTx& tx) { return tx.LastAssignedIds(); })).deal, 0);
  const User owner = Add(&StoreTx::InsertUser, MakeUser("ids@example.com"));
  const Pipeline p = Add(&StoreTx::InsertPipeline, MakePipeline("P"));
  const Stage s = Add(&StoreTx::InsertStage, MakeStage(p.id, "A", 0, 20));
  const Deal first = Add(&StoreTx::InsertDeal, MakeDeal("First", s, owner.id));
  const Deal second = Add(&StoreTx::InsertDeal, MakeDeal("Second", s, owner.id));
  Must(store_->Write([&](StoreTx& tx) { return tx.DeleteDeal(second.id, second.version); }));
  const AssignedIds ids = Must(Read([](StoreTx& tx) { return tx.LastAssignedIds(); }));
  EXPECT_EQ(ids.deal, second.id);
  EXPECT_GT(ids.deal, first.id);
  EXPECT_GE(ids.organization, 0);
}

// A savepoint undoes only what ran inside it; the rest of the transaction commits. Savepoints
// nest.
TEST_P(StoreConformanceTest, SavepointUndoesOnlyItsOwnPart) {
  Must(store_->Write([&](StoreTx& tx) -> Status {
    Must(tx.InsertUser(MakeUser("kept@example.com")));
    Status refused = tx.WithinSavepoint([&] {
      Must(tx.InsertUser(MakeUser("undone@example.com")));
      return Status::Invalid("email", "refused on purpose");
    });
    EXPECT_EQ(refused.field(), "email");
    Status nested = tx.WithinSavepoint([&] {
      Must(tx.InsertUser(MakeUser("outer@example.com")));
      Status inner = tx.WithinSavepoint([&] {
        Must(tx.InsertUser(MakeUser("inner@example.com")));
        return Status::Conflict("inner refused");
      });
      EXPECT_EQ(inner.code(), ErrorCode::kConflict);
      return Status::Ok();
    });
    EXPECT_TRUE(nested.ok()) << nested.ToString();
    return Status::Ok();
  }));
  for (const auto& [email, present] :
       std::vector<std::pair<const char*, bool>>{{"kept@example.com", true},
                                                 {"undone@example.com", false},
                                                 {"outer@example.com", true},
                                                 {"inner@example.com", false}}) {
    EXPECT_EQ(Read([&](StoreTx& tx) { return tx.FindUserByEmail(email); }).ok(), present) << email;
  }
}

// Writers on many threads at once (what the server does; a backend may commit them together):
// every acknowledged write is stored, every refused or throwing one left nothing, and each caller
// got its own write's outcome.
TEST_P(StoreConformanceTest, ConcurrentWritersEachGetTheirOwnOutcome) {
  constexpr int kThreads = 8;
  constexpr int kWritesPerThread = 40;
  std::vector<std::thread> threads;
  std::atomic<int> wrong_outcomes{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kWritesPerThread; ++i) {
        const std::string email =
            "w" + std::to_string(t) + "-" + std::to_string(i) + "@example.com";
        const int kind = (t + i) % 5;  // 0: refused, 1: throws, otherwise stored
        try {
          Status s = store_->Write([&](StoreTx& tx) -> Status {
            Must(tx.InsertUser(MakeUser(email)));
            if (kind == 0) return Status::Invalid("email", "refused " + email);
            if (kind == 1) throw std::runtime_error("thrown " + email);
            return Status::Ok();
          });
          const bool right =
              kind == 0 ? s.code() == ErrorCode::kInvalid && s.message() == "refused " + email
                        : kind != 1 && s.ok();
          if (!right) ++wrong_outcomes;
        } catch (const std::runtime_error& e) {
          if (kind != 1 || std::string(e.what()) != "thrown " + email) ++wrong_outcomes;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(wrong_outcomes.load(), 0);
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kWritesPerThread; ++i) {
      const std::string email = "w" + std::to_string(t) + "-" + std::to_string(i) + "@example.com";
      const bool stored = (t + i) % 5 >= 2;
      Result<User> found = Read([&](StoreTx& tx) { return tx.FindUserByEmail(email); });
      EXPECT_EQ(found.ok(), stored) << email;
    }
  }
}

TEST_P(StoreConformanceTest, Settings) {
  EXPECT_EQ(Must(Read([](StoreTx& tx) { return tx.GetSetting("default_currency"); })),
            std::nullopt);
  Must(Write([](StoreTx& tx) { return tx.PutSetting("default_currency", "USD"); }));
  Must(Write([](StoreTx& tx) { return tx.PutSetting("default_currency", "EUR"); }));
  Must(Write([](StoreTx& tx) { return tx.PutSetting("empty", ""); }));
  EXPECT_EQ(Must(Read([](StoreTx& tx) { return tx.GetSetting("default_currency"); })), "EUR");
  EXPECT_EQ(Must(Read([](StoreTx& tx) { return tx.GetSetting("empty"); })), "");
}

// ---- Lists --------------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, DealListFilters) {
  const Pipeline other_pipeline = Add(&StoreTx::InsertPipeline, MakePipeline("Other", 1));
  const Stage other_stage = Add(&StoreTx::InsertStage, MakeStage(other_pipeline.id, "X", 0, 5));
  const Organization org = Add(&StoreTx::InsertOrganization, MakeOrganization("O", alice_.id));
  const Person person = Add(&StoreTx::InsertPerson, MakePerson("P", alice_.id));

  const Deal a = AddDeal("Acme renewal", lead_, 1);
  Deal b = MakeDeal("Globex pilot", proposal_, bob_.id);
  b.person_id = person.id;
  b.status = DealStatus::kWon;
  b = Add(&StoreTx::InsertDeal, b);
  Deal c = MakeDeal("100% upsell_plan", other_stage, alice_.id);
  c.org_id = org.id;
  c.updated_at = Timestamp{kT0.millis + 1000};
  c = Add(&StoreTx::InsertDeal, c);
  const Deal d = AddDeal("100 seats", lead_, 2);

  auto ids = [&](auto set_filter) {
    ListQuery q;
    set_filter(q);
    return Sorted(IdsOf(Must(Deals(q))));
  };
  EXPECT_EQ(ids([](ListQuery&) {}), Sorted({a.id, b.id, c.id, d.id}));
  EXPECT_EQ(ids([&](ListQuery& q) { q.pipeline_id = other_pipeline.id; }), std::vector{c.id});
  EXPECT_EQ(ids([&](ListQuery& q) { q.stage_id = lead_.id; }), Sorted({a.id, d.id}));
  EXPECT_EQ(ids([&](ListQuery& q) { q.owner_id = bob_.id; }), std::vector{b.id});
  EXPECT_EQ(ids([&](ListQuery& q) { q.person_id = person.id; }), std::vector{b.id});
  EXPECT_EQ(ids([&](ListQuery& q) { q.org_id = org.id; }), std::vector{c.id});
  EXPECT_EQ(ids([&](ListQuery& q) { q.status = DealStatus::kWon; }), std::vector{b.id});
  EXPECT_EQ(ids([&](ListQuery& q) { q.status = DealStatus::kLost; }), std::vector<Id>{});
  EXPECT_EQ(ids([&](ListQuery& q) { q.updated_since = Timestamp{kT0.millis + 1000}; }),
            std::vector{c.id});
  // Text search: case-insensitive substring; % and _ match themselves only.
  EXPECT_EQ(ids([](ListQuery& q) { q.text = "ACME"; }), std::vector{a.id});
  EXPECT_EQ(ids([](ListQuery& q) { q.text = "0%"; }), std::vector{c.id});
  EXPECT_EQ(ids([](ListQuery& q) { q.text = "ups_ll"; }), std::vector<Id>{});
  EXPECT_EQ(ids([](ListQuery& q) { q.text = "upsell_"; }), std::vector{c.id});
  EXPECT_EQ(ids([](ListQuery& q) { q.text = "100"; }), Sorted({c.id, d.id}));
  // Filters combine.
  EXPECT_EQ(ids([&](ListQuery& q) {
              q.stage_id = lead_.id;
              q.text = "seats";
            }),
            std::vector{d.id});
}

TEST_P(StoreConformanceTest, ContactListFilters) {
  const Organization o1 = Add(&StoreTx::InsertOrganization, MakeOrganization("Acme", alice_.id));
  const Organization o2 = Add(&StoreTx::InsertOrganization, MakeOrganization("Beta", bob_.id));
  Person p1 = MakePerson("Ann Acme", alice_.id);
  p1.org_id = o1.id;
  p1.emails = {{"ann@acme.example", "work", true}};
  p1 = Add(&StoreTx::InsertPerson, p1);
  Person p2 = MakePerson("Ben Beta", bob_.id);
  p2.org_id = o2.id;
  p2.phones = {{"+1", "mobile", false}, {"+2", "work", true}};
  p2 = Add(&StoreTx::InsertPerson, p2);
  const Person p3 = Add(&StoreTx::InsertPerson, MakePerson("Cy", bob_.id));

  auto persons = [&](auto set_filter) {
    ListQuery q;
    set_filter(q);
    return Must(Read([&](StoreTx& tx) { return tx.ListPersons(q); }));
  };
  Page<Person> all = persons([](ListQuery&) {});
  ASSERT_EQ(IdsOf(all), (std::vector{p1.id, p2.id, p3.id}));
  EXPECT_EQ(Fields(all.items[0]), Fields(p1));  // lists carry the contact points too
  EXPECT_EQ(Fields(all.items[1]), Fields(p2));
  EXPECT_EQ(IdsOf(persons([&](ListQuery& q) { q.owner_id = bob_.id; })),
            (std::vector{p2.id, p3.id}));
  EXPECT_EQ(IdsOf(persons([&](ListQuery& q) { q.org_id = o1.id; })), std::vector{p1.id});
  EXPECT_EQ(IdsOf(persons([](ListQuery& q) { q.text = "BEN"; })), std::vector{p2.id});

  ListQuery by_owner;
  by_owner.owner_id = alice_.id;
  EXPECT_EQ(IdsOf(Must(Read([&](StoreTx& tx) { return tx.ListOrganizations(by_owner); }))),
            std::vector{o1.id});
  ListQuery by_text;
  by_text.text = "bet";
  EXPECT_EQ(IdsOf(Must(Read([&](StoreTx& tx) { return tx.ListOrganizations(by_text); }))),
            std::vector{o2.id});
  by_text.text = "ali";
  EXPECT_EQ(IdsOf(Must(Read([&](StoreTx& tx) { return tx.ListUsers(by_text); }))),
            std::vector{alice_.id});
}

TEST_P(StoreConformanceTest, ActivityAndNoteListFilters) {
  const Deal deal = AddDeal("D", lead_, 1);
  const Person person = Add(&StoreTx::InsertPerson, MakePerson("P", alice_.id));
  const Organization org = Add(&StoreTx::InsertOrganization, MakeOrganization("O", alice_.id));
  Activity a1 = MakeActivity("Call Acme", alice_.id, Date{100});
  a1.deal_id = deal.id;
  a1 = Add(&StoreTx::InsertActivity, a1);
  Activity a2 = MakeActivity("Email", bob_.id, Date{101});
  a2.person_id = person.id;
  a2.done = true;
  a2.done_at = kT0;
  a2 = Add(&StoreTx::InsertActivity, a2);
  Activity a3 = MakeActivity("Meet", alice_.id, Date{103});
  a3.org_id = org.id;
  a3 = Add(&StoreTx::InsertActivity, a3);

  auto activities = [&](auto set_filter) {
    ListQuery q;
    set_filter(q);
    return Sorted(IdsOf(Must(Read([&](StoreTx& tx) { return tx.ListActivities(q); }))));
  };
  EXPECT_EQ(activities([&](ListQuery& q) { q.owner_id = alice_.id; }), Sorted({a1.id, a3.id}));
  EXPECT_EQ(activities([&](ListQuery& q) { q.deal_id = deal.id; }), std::vector{a1.id});
  EXPECT_EQ(activities([&](ListQuery& q) { q.person_id = person.id; }), std::vector{a2.id});
  EXPECT_EQ(activities([&](ListQuery& q) { q.org_id = org.id; }), std::vector{a3.id});
  EXPECT_EQ(activities([](ListQuery& q) { q.done = true; }), std::vector{a2.id});
  EXPECT_EQ(activities([](ListQuery& q) { q.done = false; }), Sorted({a1.id, a3.id}));
  EXPECT_EQ(activities([](ListQuery& q) { q.due_from = Date{101}; }), Sorted({a2.id, a3.id}));
  EXPECT_EQ(activities([](ListQuery& q) { q.due_to = Date{101}; }), Sorted({a1.id, a2.id}));
  EXPECT_EQ(activities([](ListQuery& q) {
              q.due_from = Date{101};
              q.due_to = Date{102};
            }),
            std::vector{a2.id});
  EXPECT_EQ(activities([](ListQuery& q) { q.text = "acme"; }), std::vector{a1.id});

  Note n1 = MakeNote("Pricing discussed", alice_.id);
  n1.deal_id = deal.id;
  n1 = Add(&StoreTx::InsertNote, n1);
  Note n2 = MakeNote("Birthday in May", bob_.id);
  n2.person_id = person.id;
  n2 = Add(&StoreTx::InsertNote, n2);
  Note n3 = MakeNote("HQ moved", alice_.id);
  n3.org_id = org.id;
  n3 = Add(&StoreTx::InsertNote, n3);
  auto notes = [&](auto set_filter) {
    ListQuery q;
    set_filter(q);
    return Sorted(IdsOf(Must(Read([&](StoreTx& tx) { return tx.ListNotes(q); }))));
  };
  EXPECT_EQ(notes([&](ListQuery& q) { q.deal_id = deal.id; }), std::vector{n1.id});
  EXPECT_EQ(notes([&](ListQuery& q) { q.person_id = person.id; }), std::vector{n2.id});
  EXPECT_EQ(notes([&](ListQuery& q) { q.org_id = org.id; }), std::vector{n3.id});
  EXPECT_EQ(notes([&](ListQuery& q) { q.user_id = alice_.id; }), Sorted({n1.id, n3.id}));
  EXPECT_EQ(notes([](ListQuery& q) { q.text = "PRICING"; }), std::vector{n1.id});
}

TEST_P(StoreConformanceTest, OrderedRecordsListByOrderThenId) {
  ListQuery q;
  q.pipeline_id = pipeline_.id;
  q.sort = SortField::kPosition;
  const Stage first = Add(&StoreTx::InsertStage, MakeStage(pipeline_.id, "First", -1, 0));
  EXPECT_EQ(IdsOf(Must(Read([&](StoreTx& tx) { return tx.ListStages(q); }))),
            (std::vector{first.id, lead_.id, proposal_.id, closing_.id}));
  EXPECT_EQ(IdsOf(Must(Read([&](StoreTx& tx) { return tx.StagesOfPipeline(pipeline_.id); }))),
            (std::vector{first.id, lead_.id, proposal_.id, closing_.id}));

  const Pipeline zero = Add(&StoreTx::InsertPipeline, MakePipeline("Also zero", 0));
  const Pipeline minus = Add(&StoreTx::InsertPipeline, MakePipeline("Minus", -5));
  ListQuery pipelines;
  pipelines.sort = SortField::kPosition;
  EXPECT_EQ(IdsOf(Must(Read([&](StoreTx& tx) { return tx.ListPipelines(pipelines); }))),
            (std::vector{minus.id, pipeline_.id, zero.id}));
  pipelines.sort = SortField::kName;
  pipelines.descending = true;
  EXPECT_EQ(IdsOf(Must(Read([&](StoreTx& tx) { return tx.ListPipelines(pipelines); }))),
            (std::vector{pipeline_.id, minus.id, zero.id}));

  const LostReason r1 =
      Add(&StoreTx::InsertLostReason, LostReason{0, "Price", 1, true, 1, kT0, kT0});
  const LostReason r2 =
      Add(&StoreTx::InsertLostReason, LostReason{0, "Budget", 0, true, 1, kT0, kT0});
  ListQuery reasons;
  reasons.sort = SortField::kPosition;
  EXPECT_EQ(IdsOf(Must(Read([&](StoreTx& tx) { return tx.ListLostReasons(reasons); }))),
            (std::vector{r2.id, r1.id}));
  reasons.sort = SortField::kName;
  reasons.descending = true;
  EXPECT_EQ(IdsOf(Must(Read([&](StoreTx& tx) { return tx.ListLostReasons(reasons); }))),
            (std::vector{r1.id, r2.id}));
}

// Deals with ties and missing close dates; every sort, both directions, walked one row at a time
// and three at a time, must give the full order a direct sort gives, without skips or repeats.
TEST_P(StoreConformanceTest, KeysetPaginationMatchesADirectSort) {
  std::vector<Deal> deals;
  const std::vector<int64_t> values = {500, 100, 500, 0, 100, 900, 500};
  for (size_t i = 0; i < values.size(); ++i) {
    Deal d = MakeDeal("Deal " + std::string(1, static_cast<char>('a' + (i * 3) % 7)),
                      i % 2 ? lead_ : proposal_, alice_.id);
    d.value.amount_minor = values[i];
    d.position = static_cast<double>(i % 3) * 0.5;
    if (i % 3 != 0) d.expected_close_date = Date{static_cast<int32_t>(20'000 + i % 2)};
    d.created_at = Timestamp{kT0.millis + static_cast<int64_t>(i % 4)};
    d.updated_at = Timestamp{kT0.millis - static_cast<int64_t>(i % 2)};
    deals.push_back(Add(&StoreTx::InsertDeal, d));
  }
  struct SortCase {
    SortField field;
    std::function<double(const Deal&)> numeric;  // the key, when numeric
    bool by_title = false;
  };
  constexpr double kNoDate = 1e12;  // undated deals after every dated one, ascending
  const std::vector<SortCase> cases = {
      {SortField::kId, [](const Deal& d) { return static_cast<double>(d.id); }},
      {SortField::kValue, [](const Deal& d) { return static_cast<double>(d.value.amount_minor); }},
      {SortField::kPosition, [](const Deal& d) { return d.position; }},
      {SortField::kCreatedAt, [](const Deal& d) { return double(d.created_at.millis); }},
      {SortField::kUpdatedAt, [](const Deal& d) { return double(d.updated_at.millis); }},
      {SortField::kExpectedCloseDate,
       [&](const Deal& d) {
         return d.expected_close_date ? double(d.expected_close_date->days) : kNoDate;
       }},
      {SortField::kName, nullptr, true},
  };
  for (const SortCase& c : cases) {
    for (bool descending : {false, true}) {
      std::vector<Deal> expected = deals;
      std::sort(expected.begin(), expected.end(), [&](const Deal& x, const Deal& y) {
        auto key = [&](const Deal& d) {
          return std::pair(c.by_title ? 0.0 : c.numeric(d), c.by_title ? d.title : std::string());
        };
        auto kx = std::tuple(key(x), x.id);
        auto ky = std::tuple(key(y), y.id);
        return descending ? ky < kx : kx < ky;
      });
      for (int limit : {1, 3, 7, 500}) {
        ListQuery q;
        q.sort = c.field;
        q.descending = descending;
        q.limit = limit;
        EXPECT_EQ(AllDealIds(q), IdsOf(expected))
            << "sort " << static_cast<int>(c.field) << (descending ? " desc" : " asc") << " limit "
            << limit;
      }
    }
  }
}

TEST_P(StoreConformanceTest, PaginationEdges) {
  ListQuery q;
  q.limit = 2;
  // Empty result: no items, no cursor.
  Page<Deal> empty = Must(Deals(q));
  EXPECT_TRUE(empty.items.empty());
  EXPECT_TRUE(empty.next_cursor.empty());

  std::vector<Id> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(AddDeal("D" + std::to_string(i), lead_, i).id);
  // An exact multiple of the limit: the second page is full and is the last.
  Page<Deal> first = Must(Deals(q));
  EXPECT_EQ(IdsOf(first), (std::vector{ids[0], ids[1]}));
  ASSERT_FALSE(first.next_cursor.empty());
  q.cursor = first.next_cursor;
  Page<Deal> second = Must(Deals(q));
  EXPECT_EQ(IdsOf(second), (std::vector{ids[2], ids[3]}));
  EXPECT_TRUE(second.next_cursor.empty());

  // A page ending exactly at the last row of a filter has no cursor either.
  ListQuery one;
  one.limit = 4;
  EXPECT_TRUE(Must(Deals(one)).next_cursor.empty());
  one.limit = 3;
  EXPECT_FALSE(Must(Deals(one)).next_cursor.empty());

  // Cursors that do not decode, or belong to another sort, are refused naming "cursor".
  for (const std::string bad : {"%%%", "not-a-cursor", "AAAA", "eA"}) {
    ListQuery b;
    b.cursor = bad;
    Result<Page<Deal>> r = Deals(b);
    EXPECT_EQ(r.status().code(), ErrorCode::kInvalid) << bad;
    EXPECT_EQ(r.status().field(), "cursor") << bad;
  }
  ListQuery other_sort = q;
  other_sort.cursor = first.next_cursor;
  other_sort.sort = SortField::kValue;
  EXPECT_EQ(Deals(other_sort).status().field(), "cursor");
  other_sort.sort = SortField::kId;
  other_sort.descending = true;
  EXPECT_EQ(Deals(other_sort).status().field(), "cursor");

  // A sort the record type does not have is refused naming "sort".
  ListQuery by_due;
  by_due.sort = SortField::kDueDate;
  EXPECT_EQ(Deals(by_due).status().field(), "sort");
}

TEST_P(StoreConformanceTest, ActivitiesSortByDueMoment) {
  Activity late = MakeActivity("late", alice_.id, Date{10});
  late.due_time = TimeOfDay{600};
  Activity anytime = MakeActivity("anytime", alice_.id, Date{10});
  Activity early = MakeActivity("early", alice_.id, Date{10});
  early.due_time = TimeOfDay{60};
  Activity before = MakeActivity("day before", alice_.id, Date{9});
  before.due_time = TimeOfDay{1439};
  const Id l = Add(&StoreTx::InsertActivity, late).id;
  const Id a = Add(&StoreTx::InsertActivity, anytime).id;
  const Id e = Add(&StoreTx::InsertActivity, early).id;
  const Id b = Add(&StoreTx::InsertActivity, before).id;
  ListQuery q;
  q.sort = SortField::kDueDate;
  q.limit = 1;
  std::vector<Id> walked;
  for (;;) {
    Page<Activity> page = Must(Read([&](StoreTx& tx) { return tx.ListActivities(q); }));
    for (const Activity& x : page.items) walked.push_back(x.id);
    if (page.next_cursor.empty()) break;
    q.cursor = page.next_cursor;
  }
  EXPECT_EQ(walked, (std::vector{b, e, l, a}));
}

// ---- Board --------------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, BoardTotalsEqualADirectComputation) {
  struct Spec {
    const Stage* stage;
    int64_t value;
    const char* currency;
    std::optional<int32_t> override_percent;
    DealStatus status;
    Id owner;
  };
  const std::vector<Spec> specs = {
      {&lead_, 1001, "USD", std::nullopt, DealStatus::kOpen, alice_.id},
      {&lead_, 333, "USD", 33, DealStatus::kOpen, bob_.id},
      {&lead_, 5000, "EUR", std::nullopt, DealStatus::kOpen, alice_.id},
      {&lead_, 7777, "USD", std::nullopt, DealStatus::kWon, alice_.id},
      {&proposal_, 12345, "EUR", 0, DealStatus::kOpen, bob_.id},
      {&proposal_, 999, "EUR", 100, DealStatus::kOpen, alice_.id},
      {&proposal_, 1, "EUR", std::nullopt, DealStatus::kOpen, alice_.id},
      {&proposal_, 4444, "USD", std::nullopt, DealStatus::kLost, bob_.id},
  };
  std::vector<Deal> deals;
  for (const Spec& s : specs) {
    Deal d = MakeDeal("Deal", *s.stage, s.owner);
    d.value = Money{s.value, s.currency};
    d.probability_override = s.override_percent;
    d.status = s.status;
    if (s.status == DealStatus::kLost) d.lost_reason = "Price";
    deals.push_back(Add(&StoreTx::InsertDeal, d));
  }

  for (std::optional<Id> owner : {std::optional<Id>(), std::optional<Id>(bob_.id)}) {
    BoardQuery q;
    q.pipeline_id = pipeline_.id;
    q.owner_id = owner;
    std::vector<BoardColumn> board = Must(Read([&](StoreTx& tx) { return tx.Board(q); }));
    ASSERT_EQ(board.size(), 3u);
    for (const BoardColumn& column : board) {
      // The expected totals, computed directly from the deals.
      std::map<std::string, CurrencyTotal> expected;
      std::map<std::string, int64_t> numerators;
      int64_t count = 0;
      for (const Deal& d : deals) {
        if (d.stage_id != column.stage.id || d.status != DealStatus::kOpen) continue;
        if (owner && d.owner_id != *owner) continue;
        ++count;
        CurrencyTotal& t = expected[d.value.currency];
        t.currency = d.value.currency;
        ++t.count;
        t.value_minor += d.value.amount_minor;
        numerators[d.value.currency] +=
            d.value.amount_minor * d.probability_override.value_or(column.stage.probability);
      }
      std::vector<CurrencyTotal> expected_totals;
      for (auto& [currency, t] : expected) {
        t.weighted_minor = std::llround(numerators[currency] / 100.0);
        expected_totals.push_back(t);
      }
      EXPECT_EQ(column.deal_count, count) << column.stage.name;
      ASSERT_EQ(column.totals.size(), expected_totals.size()) << column.stage.name;
      for (size_t i = 0; i < expected_totals.size(); ++i) {
        EXPECT_EQ(column.totals[i].currency, expected_totals[i].currency);
        EXPECT_EQ(column.totals[i].count, expected_totals[i].count);
        EXPECT_EQ(column.totals[i].value_minor, expected_totals[i].value_minor);
        EXPECT_EQ(column.totals[i].weighted_minor, expected_totals[i].weighted_minor)
            << column.stage.name << " " << expected_totals[i].currency;
      }
    }
  }
  // Spot-check one figure by hand: Lead, USD, all owners = 1001×10% + 333×33% = 100.1 + 109.89.
  BoardQuery q;
  q.pipeline_id = pipeline_.id;
  std::vector<BoardColumn> board = Must(Read([&](StoreTx& tx) { return tx.Board(q); }));
  ASSERT_EQ(board[0].totals.size(), 2u);
  EXPECT_EQ(board[0].totals[0].currency, "EUR");
  EXPECT_EQ(board[0].totals[1].weighted_minor, 210);
  EXPECT_EQ(board[0].totals[1].value_minor, 1334);
  EXPECT_EQ(board[2].deal_count, 0);
  EXPECT_TRUE(board[2].totals.empty());
  EXPECT_TRUE(board[2].cards.empty());
}

// The maintained totals stay exact through every kind of deal write: a long deterministic random
// sequence of inserts, value/currency/owner/override edits, stage moves (also to another
// pipeline), status changes, deletes, and a stage probability change.
TEST_P(StoreConformanceTest, BoardTotalsStayExactThroughRandomEdits) {
  const Pipeline other = Add(&StoreTx::InsertPipeline, MakePipeline("Other", 1));
  const Stage elsewhere = Add(&StoreTx::InsertStage, MakeStage(other.id, "Elsewhere", 0, 25));
  const std::vector<const Stage*> stages = {&lead_, &proposal_, &closing_, &elsewhere};
  const std::vector<Id> owners = {alice_.id, bob_.id};
  const std::vector<std::string> currencies = {"USD", "EUR", "JPY"};
  std::mt19937 rng(20260528);  // fixed seed: the same sequence on every run and backend
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  auto value = [&] { return static_cast<int64_t>(rng() % 1'000'000) + 1; };
  auto override_percent = [&]() -> std::optional<int32_t> {
    if (pick(3) == 0) return std::nullopt;
    return static_cast<int32_t>(pick(101));
  };
  std::vector<Deal> live;
  auto edit = [&](Deal& d, auto change) {
    Deal changed = d;
    change(changed);
    changed.version = d.version + 1;
    Must(Write([&](StoreTx& tx) { return tx.UpdateDeal(changed, d.version); }));
    d = changed;
  };
  for (int step = 0; step < 600; ++step) {
    const size_t op = live.size() < 5 ? 0 : pick(10);
    if (op <= 2) {
      Deal d = MakeDeal("Deal " + std::to_string(step), *stages[pick(stages.size())],
                        owners[pick(owners.size())]);
      d.value = Money{value(), currencies[pick(currencies.size())]};
      d.probability_override = override_percent();
      if (pick(5) == 0) d.status = pick(2) ? DealStatus::kWon : DealStatus::kLost;
      live.push_back(Add(&StoreTx::InsertDeal, d));
      continue;
    }
    const size_t index = pick(live.size());
    Deal& d = live[index];
    switch (op) {
      case 3:
        edit(d, [&](Deal& c) { c.value.amount_minor = value(); });
        break;
      case 4:
        edit(d, [&](Deal& c) { c.value.currency = currencies[pick(currencies.size())]; });
        break;
      case 5:
        edit(d, [&](Deal& c) { c.owner_id = owners[pick(owners.size())]; });
        break;
      case 6:
        edit(d, [&](Deal& c) { c.probability_override = override_percent(); });
        break;
      case 7:
        edit(d, [&](Deal& c) {
          const Stage& s = *stages[pick(stages.size())];
          c.stage_id = s.id;
          c.pipeline_id = s.pipeline_id;
        });
        break;
      case 8:
        edit(d, [&](Deal& c) {
          const DealStatus statuses[] = {DealStatus::kOpen, DealStatus::kWon, DealStatus::kLost};
          c.status = statuses[pick(3)];  // open again = reopen
        });
        break;
      default:
        Must(Write([&](StoreTx& tx) { return tx.DeleteDeal(d.id, d.version); }));
        live.erase(live.begin() + static_cast<std::ptrdiff_t>(index));
        break;
    }
    if (step % 100 == 99) {
      ExpectBoardMatchesDeals(pipeline_.id, owners, "step " + std::to_string(step));
      ExpectBoardMatchesDeals(other.id, owners, "other pipeline, step " + std::to_string(step));
    }
    if (step == 300) {
      Stage changed = proposal_;
      changed.probability = 65;
      changed.version = proposal_.version + 1;
      Must(Write([&](StoreTx& tx) { return tx.UpdateStage(changed, proposal_.version); }));
      proposal_ = changed;
    }
  }
  // Also the bulk moves: every deal of Lead goes to Closing.
  Must(Write([&](StoreTx& tx) { return tx.MoveAllDeals(lead_.id, closing_, kT0); }));
  ExpectBoardMatchesDeals(pipeline_.id, owners, "after MoveAllDeals");
  ExpectBoardMatchesDeals(other.id, owners, "other pipeline at the end");
}

// ---- Bulk load ----------------------------------------------------------------------------------

// Every record type loaded through a BulkWriter reads back equal through the normal getters; after
// Finish the board matches the deals, lists paginate, and normal writes keep the totals exact.
TEST_P(StoreConformanceTest, BulkLoadRoundTrip) {
  constexpr Id kBase = 1000;  // above every id SetUp handed out
  User carol = MakeUser("carol@example.com", "Carol");
  carol.id = kBase;
  carol.team_id = Add(&StoreTx::InsertTeam, MakeTeam("Loaders")).id;
  Pipeline bulk_pipeline = MakePipeline("Bulk", 3);
  bulk_pipeline.id = kBase;
  std::vector<Stage> stages;
  for (int i = 0; i < 3; ++i) {
    Stage s = MakeStage(bulk_pipeline.id, "Bulk stage " + std::to_string(i), i, 20 + 30 * i);
    s.id = kBase + i;
    s.rotting_days = 7 + i;
    stages.push_back(s);
  }
  Organization org = MakeOrganization("Acme", carol.id);
  org.id = kBase;
  org.address = "1 Main St";
  Person person = MakePerson("Pat", carol.id);
  person.id = kBase;
  person.org_id = org.id;
  person.emails = {{"pat@acme.example", "work", true}, {"pat@home.example", "home", false}};
  person.phones = {{"+1 555 0100", "mobile", true}};
  LostReason reason;
  reason.id = kBase;
  reason.label = "Budget";
  reason.order = 4;
  reason.created_at = reason.updated_at = kT0;

  std::vector<Deal> deals;
  std::vector<StageEvent> events;
  std::vector<Activity> activities;
  std::vector<Note> notes;
  const std::string currencies[] = {"USD", "EUR"};
  for (int i = 0; i < 300; ++i) {
    Deal d = MakeDeal("Bulk deal " + std::to_string(i), stages[i % 3], i % 2 ? carol.id : bob_.id);
    d.id = kBase + i;
    d.value = Money{1000 + 37 * i, currencies[i % 2]};
    d.status = i % 5 == 0 ? DealStatus::kWon : (i % 7 == 0 ? DealStatus::kLost : DealStatus::kOpen);
    if (d.status == DealStatus::kLost) d.lost_reason = "Budget";
    if (d.status != DealStatus::kOpen) d.closed_at = Timestamp{kT0.millis + i};
    if (i % 3 == 1) d.probability_override = i % 101;
    d.position = (i * 7919) % 300;
    d.person_id = person.id;
    d.org_id = org.id;
    d.expected_close_date = Date{20'000 + i};
    d.updated_at = Timestamp{kT0.millis + (i * 31) % 50};  // many ties: id breaks them
    deals.push_back(d);
    StageEvent e;
    e.id = kBase + i;
    e.deal_id = d.id;
    e.kind = StageEventKind::kCreated;
    e.at = Timestamp{kT0.millis + i};
    e.user_id = carol.id;
    e.to_pipeline_id = d.pipeline_id;
    e.to_stage_id = d.stage_id;
    events.push_back(e);
    Activity a = MakeActivity("Call " + std::to_string(i), carol.id, Date{20'000 + i % 9});
    a.id = kBase + i;
    a.deal_id = d.id;
    a.due_time = TimeOfDay{600};
    activities.push_back(a);
    Note n = MakeNote("Note " + std::to_string(i), carol.id);
    n.id = kBase + i;
    n.deal_id = d.id;
    notes.push_back(n);
  }

  auto board_version = [&](Id pipeline_id) {
    return Must(Read([&](StoreTx& tx) { return tx.BoardVersion(pipeline_id); }));
  };
  const int64_t sales_version_before = board_version(pipeline_.id);
  {
    std::unique_ptr<BulkWriter> writer = Must(store_->BeginBulkLoad());
    Must(writer->Add(carol));
    Must(writer->Add(bulk_pipeline));
    for (const Stage& s : stages) Must(writer->Add(s));
    Must(writer->Add(org));
    Must(writer->Add(person));
    Must(writer->Add(reason));
    for (const Deal& d : deals) Must(writer->Add(d));
    for (const StageEvent& e : events) Must(writer->Add(e));
    for (const Activity& a : activities) Must(writer->Add(a));
    for (const Note& n : notes) Must(writer->Add(n));
    Must(writer->Finish());
  }
  // Loaded rows bypass the triggers; the load still moves every board's version.
  EXPECT_NE(board_version(pipeline_.id), sales_version_before);
  EXPECT_NE(board_version(bulk_pipeline.id), 0);

  auto get = [&](auto method, Id id) {
    return Must(Read([&](StoreTx& tx) { return (tx.*method)(id); }));
  };
  EXPECT_EQ(Fields(get(&StoreTx::GetUser, carol.id)), Fields(carol));
  EXPECT_EQ(Fields(get(&StoreTx::GetPipeline, bulk_pipeline.id)), Fields(bulk_pipeline));
  for (const Stage& s : stages) EXPECT_EQ(Fields(get(&StoreTx::GetStage, s.id)), Fields(s));
  EXPECT_EQ(Fields(get(&StoreTx::GetOrganization, org.id)), Fields(org));
  EXPECT_EQ(Fields(get(&StoreTx::GetPerson, person.id)), Fields(person));
  EXPECT_EQ(Fields(get(&StoreTx::GetLostReason, reason.id)), Fields(reason));
  for (size_t i = 0; i < deals.size(); ++i) {
    EXPECT_EQ(Fields(get(&StoreTx::GetDeal, deals[i].id)), Fields(deals[i]));
    EXPECT_EQ(Fields(get(&StoreTx::GetActivity, activities[i].id)), Fields(activities[i]));
    EXPECT_EQ(Fields(get(&StoreTx::GetNote, notes[i].id)), Fields(notes[i]));
  }
  const std::vector<StageEvent> history =
      Must(Read([&](StoreTx& tx) { return tx.StageEventsOfDeal(deals[5].id); }));
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(Fields(history[0]), Fields(events[5]));

  ExpectBoardMatchesDeals(bulk_pipeline.id, {carol.id, bob_.id}, "after the bulk load");

  // A stage's deals by updated_at desc, page by page, equal a direct sort; so does the owner's.
  for (const std::optional<Id> owner : {std::optional<Id>(), std::optional<Id>(carol.id)}) {
    std::vector<Deal> expected;
    for (const Deal& d : deals) {
      if (d.stage_id == stages[1].id && (!owner || d.owner_id == *owner)) expected.push_back(d);
    }
    std::sort(expected.begin(), expected.end(), [](const Deal& a, const Deal& b) {
      return std::pair(a.updated_at.millis, a.id) > std::pair(b.updated_at.millis, b.id);
    });
    ListQuery q;
    q.stage_id = stages[1].id;
    q.owner_id = owner;
    q.sort = SortField::kUpdatedAt;
    q.descending = true;
    q.limit = 7;
    EXPECT_EQ(AllDealIds(q), IdsOf(expected));
  }

  // The triggers are back: ordinary writes after the load keep the totals exact.
  Deal added = MakeDeal("After the load", stages[0], carol.id);
  added = Add(&StoreTx::InsertDeal, added);
  EXPECT_GT(added.id, deals.back().id);
  Deal moved = deals[0].status == DealStatus::kOpen ? deals[0] : deals[1];
  Deal changed = moved;
  changed.stage_id = stages[2].id;
  changed.version = moved.version + 1;
  Must(Write([&](StoreTx& tx) { return tx.UpdateDeal(changed, moved.version); }));
  ExpectBoardMatchesDeals(bulk_pipeline.id, {carol.id, bob_.id}, "after writes on the load");

  BoardQuery q;
  q.pipeline_id = bulk_pipeline.id;
  q.card_limit = 5;
  const std::vector<BoardColumn> board = Must(Read([&](StoreTx& tx) { return tx.Board(q); }));
  ASSERT_EQ(board.size(), 3u);
  for (const BoardColumn& column : board) {
    ASSERT_EQ(column.cards.size(), 5u);
    for (size_t i = 1; i < column.cards.size(); ++i) {
      EXPECT_LE(column.cards[i - 1].position, column.cards[i].position);
    }
  }
}

TEST_P(StoreConformanceTest, BulkLoadRefusesRecordsWithoutIds) {
  std::unique_ptr<BulkWriter> writer = Must(store_->BeginBulkLoad());
  Deal d = MakeDeal("No id", lead_, alice_.id);
  EXPECT_EQ(writer->Add(d).code(), ErrorCode::kInvalid);
  Must(writer->Finish());
  EXPECT_FALSE(writer->Finish().ok());  // only once
}

TEST_P(StoreConformanceTest, BoardCardsInPositionOrderWithFilters) {
  AddDeal("Third", lead_, 3);  // beyond the card limit
  const Deal c1 = AddDeal("First", lead_, -1);
  const Deal c2a = AddDeal("Second a", lead_, 2);
  const Deal c2b = AddDeal("Second b", lead_, 2);  // same position: id breaks the tie
  Deal won = MakeDeal("Won one", lead_, alice_.id);
  won.status = DealStatus::kWon;
  won.position = -100;
  Add(&StoreTx::InsertDeal, won);
  Deal bobs = MakeDeal("Bob's", proposal_, bob_.id);
  bobs = Add(&StoreTx::InsertDeal, bobs);

  BoardQuery q;
  q.pipeline_id = pipeline_.id;
  q.card_limit = 3;
  std::vector<BoardColumn> board = Must(Read([&](StoreTx& tx) { return tx.Board(q); }));
  ASSERT_EQ(board.size(), 3u);
  EXPECT_EQ(board[0].stage.id, lead_.id);
  EXPECT_EQ(board[1].stage.id, proposal_.id);
  EXPECT_EQ(board[2].stage.id, closing_.id);
  EXPECT_EQ(IdsOf(board[0].cards), (std::vector{c1.id, c2a.id, c2b.id}));
  EXPECT_EQ(board[0].deal_count, 4);  // counts cover every open deal, not only the cards
  EXPECT_EQ(Fields(board[0].cards[0]), Fields(c1));

  q.owner_id = bob_.id;
  board = Must(Read([&](StoreTx& tx) { return tx.Board(q); }));
  EXPECT_TRUE(board[0].cards.empty());
  EXPECT_EQ(board[0].deal_count, 0);
  EXPECT_EQ(IdsOf(board[1].cards), std::vector{bobs.id});

  q.owner_id.reset();
  q.text = "SECOND";
  board = Must(Read([&](StoreTx& tx) { return tx.Board(q); }));
  EXPECT_EQ(IdsOf(board[0].cards), (std::vector{c2a.id, c2b.id}));
  EXPECT_EQ(board[0].deal_count, 2);
  EXPECT_EQ(board[1].deal_count, 0);
}

TEST_P(StoreConformanceTest, CardDetailsNameOrgPersonAndOwner) {
  const Organization org = Add(&StoreTx::InsertOrganization, MakeOrganization("Acme", bob_.id));
  const Person person = Add(&StoreTx::InsertPerson, MakePerson("Pat Lee", bob_.id));
  Deal linked = MakeDeal("Linked", lead_, bob_.id);
  linked.org_id = org.id;
  linked.person_id = person.id;
  linked = Add(&StoreTx::InsertDeal, linked);
  const Deal bare = AddDeal("Bare", lead_, 1);

  std::map<Id, CardDetails> details = Must(Read([&](StoreTx& tx) {
    return tx.CardDetailsOf({linked, bare});
  }));
  ASSERT_EQ(details.size(), 2u);
  EXPECT_EQ(details[linked.id].org_name, "Acme");
  EXPECT_EQ(details[linked.id].person_name, "Pat Lee");
  EXPECT_EQ(details[linked.id].owner_name, "Bob");
  EXPECT_EQ(details[bare.id].org_name, "");
  EXPECT_EQ(details[bare.id].person_name, "");
  EXPECT_EQ(details[bare.id].owner_name, "Alice");
  EXPECT_TRUE(Must(Read([](StoreTx& tx) { return tx.CardDetailsOf({}); })).empty());
}

// Every change a board shows moves its version; changes it does not show leave it alone, and a
// version never comes back.
TEST_P(StoreConformanceTest, BoardVersionMovesWithEverythingTheBoardShows) {
  const Pipeline other = Add(&StoreTx::InsertPipeline, MakePipeline("Other", 1));
  const Stage elsewhere = Add(&StoreTx::InsertStage, MakeStage(other.id, "Elsewhere", 0, 25));
  Organization org = Add(&StoreTx::InsertOrganization, MakeOrganization("Acme", bob_.id));
  Person person = Add(&StoreTx::InsertPerson, MakePerson("Pat Lee", bob_.id));
  Deal deal = AddDeal("Deal", lead_, 1);
  auto version = [&](Id pipeline_id) {
    return Must(Read([&](StoreTx& tx) { return tx.BoardVersion(pipeline_id); }));
  };
  std::set<int64_t> seen = {version(pipeline_.id)};
  // Applies `change` and checks which boards moved: the Sales board iff `sales_moves`, the other
  // pipeline's iff `other_moves`. A moved Sales version must be one never seen before.
  auto expect = [&](const char* what, bool sales_moves, bool other_moves, auto change) {
    SCOPED_TRACE(what);
    const int64_t sales_before = version(pipeline_.id);
    const int64_t other_before = version(other.id);
    Must(Write([&](StoreTx& tx) -> Status { return change(tx); }));
    const int64_t sales_after = version(pipeline_.id);
    EXPECT_EQ(sales_after != sales_before, sales_moves);
    EXPECT_EQ(version(other.id) != other_before, other_moves);
    if (sales_moves) {
      EXPECT_TRUE(seen.insert(sales_after).second) << "version repeated";
    }
  };
  // A write that applies `change` to a copy of `record` and stores it with the next version
  // through `update`; the test's `record` follows.
  auto edit = [](auto& record, auto update, auto change) {
    return [&record, update, change](StoreTx& tx) -> Status {
      auto changed = record;
      change(changed);
      changed.version = record.version + 1;
      PD_RETURN_IF_ERROR((tx.*update)(changed, record.version));
      record = changed;
      return Status::Ok();
    };
  };

  expect("a deal edit", true, false,
         edit(deal, &StoreTx::UpdateDeal, [](Deal& d) { d.title = "Deal, renamed"; }));
  expect("a new deal", true, false, [&](StoreTx& tx) {
    return tx.InsertDeal(MakeDeal("New", proposal_, alice_.id)).status();
  });
  expect("a deal moved to the other pipeline", true, true,
         edit(deal, &StoreTx::UpdateDeal, [&](Deal& d) {
           d.pipeline_id = other.id;
           d.stage_id = elsewhere.id;
         }));
  expect("a deal of the other pipeline deleted", false, true,
         [&](StoreTx& tx) { return tx.DeleteDeal(deal.id, 0); });
  expect("a stage renamed", true, false,
         edit(closing_, &StoreTx::UpdateStage, [](Stage& st) { st.name = "Contract"; }));
  expect("a stage added", true, false, [&](StoreTx& tx) {
    return tx.InsertStage(MakeStage(pipeline_.id, "Won back", 9, 95)).status();
  });
  expect("the pipeline renamed", true, false,
         edit(pipeline_, &StoreTx::UpdatePipeline, [](Pipeline& p) { p.name = "Sales 2027"; }));
  expect("an organization renamed (cards show its name)", true, true,
         edit(org, &StoreTx::UpdateOrganization, [](Organization& o) { o.name = "Acme Corp"; }));
  expect("an organization edited without a new name", false, false,
         edit(org, &StoreTx::UpdateOrganization, [](Organization& o) { o.address = "2 Side St"; }));
  expect("a person renamed", true, true,
         edit(person, &StoreTx::UpdatePerson, [](Person& p) { p.name = "Pat Lee-Moore"; }));
  expect("an owner renamed", true, true,
         edit(bob_, &StoreTx::UpdateUser, [](User& u) { u.name = "Robert"; }));
  expect("a lost reason added (not on the board)", false, false, [&](StoreTx& tx) {
    LostReason r;
    r.label = "Timing";
    r.created_at = r.updated_at = kT0;
    r.version = 1;
    return tx.InsertLostReason(r).status();
  });
  expect("a setting changed (not on the board)", false, false,
         [&](StoreTx& tx) { return tx.PutSetting("default_currency", "EUR"); });

  const Pipeline empty = Add(&StoreTx::InsertPipeline, MakePipeline("Empty", 2));
  const int64_t empty_before = version(empty.id);
  Must(Write([&](StoreTx& tx) { return tx.DeletePipeline(empty.id, 0); }));
  EXPECT_NE(version(empty.id), empty_before) << "a deleted pipeline (without stages)";

  // All versions at once agree with one by one, and list only existing pipelines.
  const std::map<Id, int64_t> all = Must(Read([](StoreTx& tx) { return tx.AllBoardVersions(); }));
  EXPECT_EQ(all, (std::map<Id, int64_t>{{pipeline_.id, version(pipeline_.id)},
                                        {other.id, version(other.id)}}));

  // A failed write moves nothing.
  const int64_t before = version(pipeline_.id);
  Status failed = store_->Write([&](StoreTx& tx) {
    Must(tx.InsertDeal(MakeDeal("Rolled back", lead_, alice_.id)));
    return Status::Invalid("title", "rejected");
  });
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(version(pipeline_.id), before);
}

// ---- Card order and bulk moves
// --------------------------------------------------------------------

TEST_P(StoreConformanceTest, CardsOfStageAndPositions) {
  EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.FirstPosition(lead_.id); })), std::nullopt);
  EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.LastPosition(lead_.id); })), std::nullopt);
  const Deal b = AddDeal("b", lead_, 20);
  const Deal a = AddDeal("a", lead_, 10);
  const Deal c = AddDeal("c", lead_, 30);
  Deal lost = MakeDeal("lost", lead_, alice_.id);
  lost.status = DealStatus::kLost;
  lost.position = 99;
  Add(&StoreTx::InsertDeal, lost);

  EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.FirstPosition(lead_.id); })), 10.0);
  EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.LastPosition(lead_.id); })), 30.0);
  EXPECT_EQ(IdsOf(Must(Read([&](StoreTx& tx) { return tx.CardsOfStage(lead_.id, 0, 10); }))),
            (std::vector{a.id, b.id, c.id}));
  EXPECT_EQ(IdsOf(Must(Read([&](StoreTx& tx) { return tx.CardsOfStage(lead_.id, 1, 1); }))),
            std::vector{b.id});
  EXPECT_TRUE(Must(Read([&](StoreTx& tx) { return tx.CardsOfStage(lead_.id, 3, 5); })).empty());
  EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.CountDealsInStage(lead_.id); })), 4);
  EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.CountDealsInStage(closing_.id); })), 0);
  EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.CountDealsInPipeline(pipeline_.id); })), 4);
}

TEST_P(StoreConformanceTest, RenumberStageKeepsOrderAndVersions) {
  const Deal a = AddDeal("a", lead_, 1.0);
  const Deal b = AddDeal("b", lead_, 1.0 + 1e-12);
  const Deal c = AddDeal("c", lead_, 1.0 + 2e-12);
  const Deal other = AddDeal("other", proposal_, 7);
  Must(Write([&](StoreTx& tx) { return tx.RenumberStage(lead_.id); }));
  std::vector<Deal> cards =
      Must(Read([&](StoreTx& tx) { return tx.CardsOfStage(lead_.id, 0, 9); }));
  ASSERT_EQ(IdsOf(cards), (std::vector{a.id, b.id, c.id}));
  for (size_t i = 0; i < cards.size(); ++i) {
    EXPECT_EQ(cards[i].position, kPositionStep * static_cast<double>(i + 1));
    EXPECT_EQ(cards[i].version, 1);  // renumbering is not an edit
  }
  EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.GetDeal(other.id); })).position, 7);
}

TEST_P(StoreConformanceTest, MoveAllDealsMovesEveryStatusBelowTheTargetCards) {
  const Pipeline other = Add(&StoreTx::InsertPipeline, MakePipeline("Other", 1));
  const Stage target = Add(&StoreTx::InsertStage, MakeStage(other.id, "Target", 0, 40));
  const Deal resident = AddDeal("resident", target, 5);
  const Deal m1 = AddDeal("m1", lead_, -3);
  const Deal m2 = AddDeal("m2", lead_, 8);
  Deal won = MakeDeal("won", lead_, alice_.id);
  won.status = DealStatus::kWon;
  won = Add(&StoreTx::InsertDeal, won);
  const Timestamp now{kT0.millis + 5000};

  Must(Write([&](StoreTx& tx) { return tx.MoveAllDeals(lead_.id, target, now); }));
  EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.CountDealsInStage(lead_.id); })), 0);
  EXPECT_EQ(IdsOf(Must(Read([&](StoreTx& tx) { return tx.CardsOfStage(target.id, 0, 9); }))),
            (std::vector{resident.id, m1.id, m2.id}));
  for (const Deal& before : {m1, m2, won}) {
    Deal after = Must(Read([&](StoreTx& tx) { return tx.GetDeal(before.id); }));
    EXPECT_EQ(after.stage_id, target.id);
    EXPECT_EQ(after.pipeline_id, other.id);
    EXPECT_EQ(after.version, before.version + 1);
    EXPECT_EQ(after.stage_changed_at, now);
    EXPECT_EQ(after.updated_at, now);
    EXPECT_EQ(after.status, before.status);
  }
  EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.GetDeal(resident.id); })).version, 1);
  EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.CountDealsInPipeline(other.id); })), 4);
}

TEST_P(StoreConformanceTest, RefreshDealActivityDates) {
  const Deal deal = AddDeal("D", lead_, 1);
  const Deal other = AddDeal("Other", lead_, 2);
  auto add_activity = [&](Id deal_id, Date due, std::optional<Timestamp> done_at) {
    Activity a = MakeActivity("A", alice_.id, due);
    a.deal_id = deal_id;
    a.done = done_at.has_value();
    a.done_at = done_at;
    return Add(&StoreTx::InsertActivity, a);
  };
  auto refreshed = [&]() {
    Must(Write([&](StoreTx& tx) { return tx.RefreshDealActivityDates(deal.id); }));
    return Must(Read([&](StoreTx& tx) { return tx.GetDeal(deal.id); }));
  };

  Deal d = refreshed();
  EXPECT_EQ(d.next_activity_date, std::nullopt);
  EXPECT_EQ(d.last_activity_at, std::nullopt);

  add_activity(deal.id, Date{50}, std::nullopt);
  Activity soon = add_activity(deal.id, Date{40}, std::nullopt);
  add_activity(deal.id, Date{10}, Timestamp{kT0.millis + 7});
  add_activity(deal.id, Date{5}, Timestamp{kT0.millis + 3});
  add_activity(other.id, Date{1}, std::nullopt);
  add_activity(other.id, Date{1}, Timestamp{kT0.millis + 999});
  d = refreshed();
  EXPECT_EQ(d.next_activity_date, Date{40});
  EXPECT_EQ(d.last_activity_at, Timestamp{kT0.millis + 7});
  EXPECT_EQ(d.version, 1);  // derived fields, not an edit

  Must(Write([&](StoreTx& tx) { return tx.DeleteActivity(soon.id, 0); }));
  EXPECT_EQ(refreshed().next_activity_date, Date{50});
  EXPECT_EQ(Write([](StoreTx& tx) { return tx.RefreshDealActivityDates(424242); }).code(),
            ErrorCode::kNotFound);
}

TEST_P(StoreConformanceTest, ActivitiesAndNotesOfDeal) {
  const Deal deal = AddDeal("D", lead_, 1);
  Activity later = MakeActivity("later", alice_.id, Date{30});
  later.deal_id = deal.id;
  Activity sooner = MakeActivity("sooner", alice_.id, Date{20});
  sooner.deal_id = deal.id;
  later = Add(&StoreTx::InsertActivity, later);
  sooner = Add(&StoreTx::InsertActivity, sooner);
  Add(&StoreTx::InsertActivity, MakeActivity("unrelated", alice_.id, Date{1}));
  EXPECT_EQ(IdsOf(Must(Read([&](StoreTx& tx) { return tx.ActivitiesOfDeal(deal.id); }))),
            (std::vector{sooner.id, later.id}));

  Note n1 = MakeNote("one", alice_.id);
  n1.deal_id = deal.id;
  n1 = Add(&StoreTx::InsertNote, n1);
  Note n2 = MakeNote("two", bob_.id);
  n2.deal_id = deal.id;
  n2.created_at = Timestamp{kT0.millis + 1};
  n2 = Add(&StoreTx::InsertNote, n2);
  EXPECT_EQ(IdsOf(Must(Read([&](StoreTx& tx) { return tx.NotesOfDeal(deal.id); }))),
            (std::vector{n1.id, n2.id}));
}

// ---- Deleting -----------------------------------------------------------------------------------

TEST_P(StoreConformanceTest, DeletingADealRemovesItsActivitiesNotesAndHistory) {
  const Deal deal = AddDeal("D", lead_, 1);
  const Deal keep = AddDeal("Keep", lead_, 2);
  Activity a = MakeActivity("A", alice_.id, Date{1});
  a.deal_id = deal.id;
  a = Add(&StoreTx::InsertActivity, a);
  Note n = MakeNote("N", alice_.id);
  n.deal_id = deal.id;
  n = Add(&StoreTx::InsertNote, n);
  Note kept_note = MakeNote("K", alice_.id);
  kept_note.deal_id = keep.id;
  kept_note = Add(&StoreTx::InsertNote, kept_note);
  Add(&StoreTx::InsertStageEvent,
      StageEvent{0, deal.id, StageEventKind::kCreated, kT0, alice_.id, std::nullopt, pipeline_.id,
                 std::nullopt, lead_.id, DealStatus::kOpen, DealStatus::kOpen, ""});

  Must(Write([&](StoreTx& tx) { return tx.DeleteDeal(deal.id, 1); }));
  EXPECT_EQ(Read([&](StoreTx& tx) { return tx.GetActivity(a.id); }).status().code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(Read([&](StoreTx& tx) { return tx.GetNote(n.id); }).status().code(),
            ErrorCode::kNotFound);
  EXPECT_TRUE(Must(Read([&](StoreTx& tx) { return tx.StageEventsOfDeal(deal.id); })).empty());
  EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.GetNote(kept_note.id); })).deal_id, keep.id);
}

TEST_P(StoreConformanceTest, DeletingContactsUnlinksWhatPointedAtThem) {
  const Organization org = Add(&StoreTx::InsertOrganization, MakeOrganization("O", alice_.id));
  Person person = MakePerson("P", alice_.id);
  person.org_id = org.id;
  person.emails = {{"p@example.com", "work", true}};
  person = Add(&StoreTx::InsertPerson, person);
  Deal deal = MakeDeal("D", lead_, alice_.id);
  deal.org_id = org.id;
  deal.person_id = person.id;
  deal = Add(&StoreTx::InsertDeal, deal);
  Activity act = MakeActivity("A", alice_.id, Date{1});
  act.org_id = org.id;
  act.person_id = person.id;
  act.deal_id = deal.id;
  act = Add(&StoreTx::InsertActivity, act);
  Note note = MakeNote("N", alice_.id);
  note.org_id = org.id;
  note.person_id = person.id;
  note.deal_id = deal.id;
  note = Add(&StoreTx::InsertNote, note);

  Must(Write([&](StoreTx& tx) { return tx.DeleteOrganization(org.id, 1); }));
  EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.GetPerson(person.id); })).org_id, std::nullopt);
  EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.GetDeal(deal.id); })).org_id, std::nullopt);
  EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.GetActivity(act.id); })).org_id, std::nullopt);
  EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.GetNote(note.id); })).org_id, std::nullopt);

  Must(Write([&](StoreTx& tx) { return tx.DeletePerson(person.id, 0); }));
  const Deal d = Must(Read([&](StoreTx& tx) { return tx.GetDeal(deal.id); }));
  EXPECT_EQ(d.person_id, std::nullopt);
  Deal unlinked = deal;
  unlinked.person_id.reset();
  unlinked.org_id.reset();
  EXPECT_EQ(Fields(d), Fields(unlinked));  // nothing else changes
  const Activity a = Must(Read([&](StoreTx& tx) { return tx.GetActivity(act.id); }));
  EXPECT_EQ(a.person_id, std::nullopt);
  EXPECT_EQ(a.deal_id, deal.id);
  EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.GetNote(note.id); })).person_id, std::nullopt);
}

TEST_P(StoreConformanceTest, DeletingAPipelineDeletesItsStages) {
  const Pipeline empty = Add(&StoreTx::InsertPipeline, MakePipeline("Empty", 1));
  const Stage s1 = Add(&StoreTx::InsertStage, MakeStage(empty.id, "A", 0, 10));
  const Stage s2 = Add(&StoreTx::InsertStage, MakeStage(empty.id, "B", 1, 10));
  Must(Write([&](StoreTx& tx) { return tx.DeletePipeline(empty.id, 1); }));
  for (Id id : {s1.id, s2.id}) {
    EXPECT_EQ(Read([&](StoreTx& tx) { return tx.GetStage(id); }).status().code(),
              ErrorCode::kNotFound);
  }
  EXPECT_TRUE(Must(Read([&](StoreTx& tx) { return tx.StagesOfPipeline(empty.id); })).empty());
  // The workspace's pipeline is untouched.
  EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.StagesOfPipeline(pipeline_.id); })).size(), 3u);
}

TEST_P(StoreConformanceTest, AStageOrPipelineWithDealsCannotBeDeleted) {
  const Deal deal = AddDeal("D", lead_, 1);
  EXPECT_FALSE(Write([&](StoreTx& tx) { return tx.DeleteStage(lead_.id, 0); }).ok());
  EXPECT_FALSE(Write([&](StoreTx& tx) { return tx.DeletePipeline(pipeline_.id, 0); }).ok());
  EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.GetDeal(deal.id); })).stage_id, lead_.id);
  EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.StagesOfPipeline(pipeline_.id); })).size(), 3u);
}

// ---- Teams and quotas ---------------------------------------------------------------------------

TEST_P(StoreConformanceTest, TeamLifecycle) {
  Team full = MakeTeam("Enterprise");
  full.manager_id = alice_.id;
  CheckRecordLifecycle<Team>(
      {&StoreTx::InsertTeam, &StoreTx::GetTeam, &StoreTx::UpdateTeam, &StoreTx::DeleteTeam}, full,
      MakeTeam("Mid-market"), [&](Team& t) {
        t.name = "Enterprise EMEA";
        t.manager_id = std::nullopt;
      });
}

TEST_P(StoreConformanceTest, TeamNamesAreUniqueIgnoringCase) {
  const Team first = Add(&StoreTx::InsertTeam, MakeTeam("Énterprise"));
  for (const char* name : {"Énterprise", "ÉNTERPRISE", "énterprise"}) {
    Result<Team> clash = Write([&](StoreTx& tx) { return tx.InsertTeam(MakeTeam(name)); });
    EXPECT_EQ(clash.status().code(), ErrorCode::kConflict) << name;
    EXPECT_EQ(clash.status().field(), "name") << name;
  }
  Team other = Add(&StoreTx::InsertTeam, MakeTeam("SMB"));
  other.name = "éNTERPRISE";
  other.version = 2;
  Status clash = Write([&](StoreTx& tx) { return tx.UpdateTeam(other, 1); });
  EXPECT_EQ(clash.code(), ErrorCode::kConflict);
  EXPECT_EQ(clash.field(), "name");
  EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.GetTeam(other.id); })).name, "SMB");

  // A team may change the case of its own name, and a freed name may be taken again.
  Team renamed = first;
  renamed.name = "ÉNTERPRISE";
  renamed.version = 2;
  Must(Write([&](StoreTx& tx) { return tx.UpdateTeam(renamed, 1); }));
  Must(Write([&](StoreTx& tx) { return tx.DeleteTeam(first.id, 0); }));
  EXPECT_EQ(Add(&StoreTx::InsertTeam, MakeTeam("énterprise")).name, "énterprise");
}

TEST_P(StoreConformanceTest, TeamListSortsByIdOrNameAndSearchesNames) {
  const Team b = Add(&StoreTx::InsertTeam, MakeTeam("Beta Hunters"));
  const Team a = Add(&StoreTx::InsertTeam, MakeTeam("Alpha"));
  const Team c = Add(&StoreTx::InsertTeam, MakeTeam("Gamma hunters"));
  auto list = [&](ListQuery q) { return Read([&](StoreTx& tx) { return tx.ListTeams(q); }); };
  ListQuery q;
  EXPECT_EQ(IdsOf(Must(list(q))), (std::vector<Id>{b.id, a.id, c.id}));
  q.sort = SortField::kName;
  q.limit = 2;
  Page<Team> first = Must(list(q));
  EXPECT_EQ(IdsOf(first), (std::vector<Id>{a.id, b.id}));
  q.cursor = first.next_cursor;
  EXPECT_EQ(IdsOf(Must(list(q))), (std::vector<Id>{c.id}));
  q = ListQuery{};
  q.text = "HUNTER";
  EXPECT_EQ(IdsOf(Must(list(q))), (std::vector<Id>{b.id, c.id}));
  q.sort = SortField::kValue;
  EXPECT_EQ(list(q).status().code(), ErrorCode::kInvalid);
}

TEST_P(StoreConformanceTest, UserTeamRoundTripsAndFiltersTheUserList) {
  const Team team = Add(&StoreTx::InsertTeam, MakeTeam("Hunters"));
  User member = MakeUser("member@example.com", "Member");
  member.team_id = team.id;
  member = Add(&StoreTx::InsertUser, member);
  EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.GetUser(member.id); })).team_id, team.id);
  EXPECT_EQ(
      Must(Read([&](StoreTx& tx) { return tx.FindUserByEmail("member@example.com"); })).team_id,
      team.id);

  User joined = bob_;
  joined.team_id = team.id;
  joined.version = bob_.version + 1;
  Must(Write([&](StoreTx& tx) { return tx.UpdateUser(joined, bob_.version); }));
  EXPECT_EQ(Fields(Must(Read([&](StoreTx& tx) { return tx.GetUser(bob_.id); }))), Fields(joined));

  ListQuery q;
  q.team_id = team.id;
  auto users = [&](const ListQuery& q) {
    return IdsOf(Must(Read([&](StoreTx& tx) { return tx.ListUsers(q); })));
  };
  EXPECT_EQ(users(q), (std::vector<Id>{bob_.id, member.id}));
  q.text = "memb";
  EXPECT_EQ(users(q), (std::vector<Id>{member.id}));

  User left = joined;
  left.team_id = std::nullopt;
  left.version = joined.version + 1;
  Must(Write([&](StoreTx& tx) { return tx.UpdateUser(left, joined.version); }));
  EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.GetUser(bob_.id); })).team_id, std::nullopt);
  q.text.clear();
  EXPECT_EQ(users(q), (std::vector<Id>{member.id}));
}

TEST_P(StoreConformanceTest, DeletingATeamUnlinksItsUsersAndDeletesItsQuotas) {
  const Team team = Add(&StoreTx::InsertTeam, MakeTeam("Hunters"));
  const Team other = Add(&StoreTx::InsertTeam, MakeTeam("Farmers"));
  User member = MakeUser("member@example.com");
  member.team_id = team.id;
  member = Add(&StoreTx::InsertUser, member);
  User stays = MakeUser("stays@example.com");
  stays.team_id = other.id;
  stays = Add(&StoreTx::InsertUser, stays);
  Quota team_quota = MakeQuota(QuotaScope::kTeam, 10);
  team_quota.team_id = team.id;
  team_quota = Add(&StoreTx::InsertQuota, team_quota);
  Quota other_quota = MakeQuota(QuotaScope::kTeam, 20);
  other_quota.team_id = other.id;
  other_quota = Add(&StoreTx::InsertQuota, other_quota);
  const Quota company = Add(&StoreTx::InsertQuota, MakeQuota(QuotaScope::kCompany, 30));

  EXPECT_EQ(Write([&](StoreTx& tx) { return tx.DeleteTeam(team.id, 2); }).code(),
            ErrorCode::kPreconditionFailed);
  Must(Write([&](StoreTx& tx) { return tx.DeleteTeam(team.id, 1); }));
  EXPECT_EQ(Read([&](StoreTx& tx) { return tx.GetTeam(team.id); }).status().code(),
            ErrorCode::kNotFound);
  const User unlinked = Must(Read([&](StoreTx& tx) { return tx.GetUser(member.id); }));
  EXPECT_EQ(unlinked.team_id, std::nullopt);
  EXPECT_EQ(unlinked.version, member.version);  // unlinking is not an edit of the user
  EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.GetUser(stays.id); })).team_id, other.id);
  EXPECT_EQ(Read([&](StoreTx& tx) { return tx.GetQuota(team_quota.id); }).status().code(),
            ErrorCode::kNotFound);
  ListQuery q;
  EXPECT_EQ(IdsOf(Must(Read([&](StoreTx& tx) { return tx.ListQuotas(q); }))),
            (std::vector<Id>{other_quota.id, company.id}));
}

TEST_P(StoreConformanceTest, QuotaLifecycle) {
  const Team team = Add(&StoreTx::InsertTeam, MakeTeam("Hunters"));
  Quota full = MakeQuota(QuotaScope::kUser, 500'000);
  full.user_id = alice_.id;
  full.period = QuotaPeriod::kQuarter;
  full.metric = QuotaMetric::kWonValue;
  full.currency = "EUR";
  full.pipeline_id = pipeline_.id;
  full.ends_on = Date{20'365};
  CheckRecordLifecycle<Quota>(
      {&StoreTx::InsertQuota, &StoreTx::GetQuota, &StoreTx::UpdateQuota, &StoreTx::DeleteQuota},
      full, MakeQuota(QuotaScope::kCompany, 12), [&](Quota& q) {
        q.scope = QuotaScope::kTeam;
        q.user_id = std::nullopt;
        q.team_id = team.id;
        q.period = QuotaPeriod::kWeek;
        q.metric = QuotaMetric::kActivitiesDone;
        q.target = 40;
        q.currency.clear();
        q.pipeline_id = std::nullopt;
        q.starts_on = Date{20'100};
        q.ends_on = std::nullopt;
      });
}

TEST_P(StoreConformanceTest, QuotaListFilters) {
  const Team team = Add(&StoreTx::InsertTeam, MakeTeam("Hunters"));
  const Pipeline other_pipeline = Add(&StoreTx::InsertPipeline, MakePipeline("Renewals", 1));
  Quota alices = MakeQuota(QuotaScope::kUser, 1);
  alices.user_id = alice_.id;
  alices = Add(&StoreTx::InsertQuota, alices);
  Quota alices_renewals = alices;
  alices_renewals.id = 0;
  alices_renewals.pipeline_id = other_pipeline.id;
  alices_renewals = Add(&StoreTx::InsertQuota, alices_renewals);
  Quota bobs = MakeQuota(QuotaScope::kUser, 2);
  bobs.user_id = bob_.id;
  bobs.pipeline_id = other_pipeline.id;
  bobs = Add(&StoreTx::InsertQuota, bobs);
  Quota teams = MakeQuota(QuotaScope::kTeam, 3);
  teams.team_id = team.id;
  teams = Add(&StoreTx::InsertQuota, teams);
  const Quota company = Add(&StoreTx::InsertQuota, MakeQuota(QuotaScope::kCompany, 4));

  auto list = [&](const ListQuery& q) {
    return Read([&](StoreTx& tx) { return tx.ListQuotas(q); });
  };
  ListQuery q;
  EXPECT_EQ(IdsOf(Must(list(q))),
            (std::vector<Id>{alices.id, alices_renewals.id, bobs.id, teams.id, company.id}));
  q.user_id = alice_.id;
  EXPECT_EQ(IdsOf(Must(list(q))), (std::vector<Id>{alices.id, alices_renewals.id}));
  q.pipeline_id = other_pipeline.id;
  EXPECT_EQ(IdsOf(Must(list(q))), (std::vector<Id>{alices_renewals.id}));
  q.user_id.reset();
  EXPECT_EQ(IdsOf(Must(list(q))), (std::vector<Id>{alices_renewals.id, bobs.id}));
  q = ListQuery{};
  q.team_id = team.id;
  EXPECT_EQ(IdsOf(Must(list(q))), (std::vector<Id>{teams.id}));
  q = ListQuery{};
  q.descending = true;
  q.limit = 3;
  Page<Quota> first = Must(list(q));
  EXPECT_EQ(IdsOf(first), (std::vector<Id>{company.id, teams.id, bobs.id}));
  q.cursor = first.next_cursor;
  EXPECT_EQ(IdsOf(Must(list(q))), (std::vector<Id>{alices_renewals.id, alices.id}));
  q = ListQuery{};
  q.sort = SortField::kName;
  EXPECT_EQ(list(q).status().code(), ErrorCode::kInvalid);
}

TEST_P(StoreConformanceTest, DeletingAPipelineDeletesTheQuotasLimitedToIt) {
  const Pipeline doomed = Add(&StoreTx::InsertPipeline, MakePipeline("Doomed", 1));
  Quota limited = MakeQuota(QuotaScope::kCompany, 1);
  limited.pipeline_id = doomed.id;
  limited = Add(&StoreTx::InsertQuota, limited);
  const Quota everywhere = Add(&StoreTx::InsertQuota, MakeQuota(QuotaScope::kCompany, 2));
  Must(Write([&](StoreTx& tx) { return tx.DeletePipeline(doomed.id, 0); }));
  EXPECT_EQ(Read([&](StoreTx& tx) { return tx.GetQuota(limited.id); }).status().code(),
            ErrorCode::kNotFound);
  Must(Read([&](StoreTx& tx) { return tx.GetQuota(everywhere.id); }));
}

// ---- Forecast snapshots and snoozes -------------------------------------------------------------

TEST_P(StoreConformanceTest, ForecastSnapshotsKeepTheFirstRowAndReadByMonthRange) {
  const Date may{20'574}, june{20'605}, july{20'635};
  auto snapshot = [&](Date month, Id pipeline_id, Id owner_id, int64_t value) {
    return ForecastSnapshot{month, pipeline_id, owner_id, 2, value, value / 2, kT0};
  };
  EXPECT_FALSE(Must(Read([&](StoreTx& tx) { return tx.HasForecastSnapshot(june); })));
  const std::vector<ForecastSnapshot> first = {
      snapshot(june, pipeline_.id, bob_.id, 100), snapshot(june, pipeline_.id, alice_.id, 200),
      snapshot(may, pipeline_.id, alice_.id, 300), snapshot(july, pipeline_.id, alice_.id, 400)};
  Must(Write([&](StoreTx& tx) { return tx.InsertForecastSnapshots(first); }));
  EXPECT_TRUE(Must(Read([&](StoreTx& tx) { return tx.HasForecastSnapshot(june); })));
  EXPECT_FALSE(Must(Read([&](StoreTx& tx) { return tx.HasForecastSnapshot(Date{20'606}); })));

  // A second taking of June keeps the stored rows and adds only the new key.
  ForecastSnapshot again = snapshot(june, pipeline_.id, alice_.id, 999);
  again.taken_at = Timestamp{kT0.millis + 1};
  const ForecastSnapshot added = snapshot(june, pipeline_.id + 100, alice_.id, 50);
  Must(Write([&](StoreTx& tx) { return tx.InsertForecastSnapshots({again, added}); }));
  Must(Write([&](StoreTx& tx) { return tx.InsertForecastSnapshots({}); }));

  const std::vector<ForecastSnapshot> june_rows =
      Must(Read([&](StoreTx& tx) { return tx.ForecastSnapshotsBetween(june, july); }));
  ASSERT_EQ(june_rows.size(), 3u);
  const Id low_owner = std::min(alice_.id, bob_.id), high_owner = std::max(alice_.id, bob_.id);
  const ForecastSnapshot& a = first[1];
  const ForecastSnapshot& b = first[0];
  EXPECT_EQ(Fields(june_rows[0]), Fields(low_owner == alice_.id ? a : b));
  EXPECT_EQ(Fields(june_rows[1]), Fields(high_owner == alice_.id ? a : b));
  EXPECT_EQ(Fields(june_rows[2]), Fields(added));  // the higher pipeline id last

  const std::vector<ForecastSnapshot> all =
      Must(Read([&](StoreTx& tx) { return tx.ForecastSnapshotsBetween(may, Date{20'666}); }));
  ASSERT_EQ(all.size(), 5u);
  EXPECT_EQ(all.front().month, may);
  EXPECT_EQ(all.back().month, july);
  EXPECT_TRUE(
      Must(Read([&](StoreTx& tx) { return tx.ForecastSnapshotsBetween(july, july); })).empty());
}

TEST_P(StoreConformanceTest, SnoozesPutReplaceDeleteAndStayInForceUntilTheirDay) {
  const Deal first = AddDeal("First", lead_, 1);
  const Deal second = AddDeal("Second", lead_, 2);
  auto snooze = [&](Id deal_id, HealthFlag flag, int32_t until, const std::string& reason) {
    return FlagSnooze{deal_id, flag, Date{until}, reason, alice_.id, kT0};
  };
  const FlagSnooze stuck = snooze(first.id, HealthFlag::kStuck, 20'010, "waiting for legal");
  const FlagSnooze aged = snooze(first.id, HealthFlag::kAged, 20'005, "long cycle");
  const FlagSnooze rotting = snooze(first.id, HealthFlag::kRotting, 20'020, "on holiday");
  const FlagSnooze overdue = snooze(second.id, HealthFlag::kOverdue, 20'003, "rescheduled");
  for (const FlagSnooze& s : {stuck, aged, rotting, overdue}) {
    Must(Write([&](StoreTx& tx) { return tx.PutSnooze(s); }));
  }
  auto of_deal = [&](Id deal_id) {
    return Must(Read([&](StoreTx& tx) { return tx.SnoozesOfDeal(deal_id); }));
  };
  auto in_force = [&](int32_t day) {
    return Must(Read([&](StoreTx& tx) { return tx.SnoozesInForce(Date{day}); }));
  };
  auto flags = [](const std::vector<FlagSnooze>& snoozes) {
    std::vector<std::pair<Id, HealthFlag>> out;
    for (const FlagSnooze& s : snoozes) out.emplace_back(s.deal_id, s.flag);
    return out;
  };
  // By flag: HealthFlag's order, not the names' alphabetical one.
  std::vector<FlagSnooze> stored = of_deal(first.id);
  ASSERT_EQ(stored.size(), 3u);
  EXPECT_EQ(Fields(stored[0]), Fields(rotting));
  EXPECT_EQ(Fields(stored[1]), Fields(stuck));
  EXPECT_EQ(Fields(stored[2]), Fields(aged));

  // Putting the same (deal, flag) again replaces it.
  FlagSnooze longer = stuck;
  longer.until = Date{20'030};
  longer.reason = "legal needs a month";
  longer.user_id = bob_.id;
  longer.created_at = Timestamp{kT0.millis + 5};
  Must(Write([&](StoreTx& tx) { return tx.PutSnooze(longer); }));
  stored = of_deal(first.id);
  ASSERT_EQ(stored.size(), 3u);
  EXPECT_EQ(Fields(stored[1]), Fields(longer));

  // In force: until > day, by deal then flag.
  using P = std::pair<Id, HealthFlag>;
  EXPECT_EQ(flags(in_force(20'002)), (std::vector<P>{{first.id, HealthFlag::kRotting},
                                                     {first.id, HealthFlag::kStuck},
                                                     {first.id, HealthFlag::kAged},
                                                     {second.id, HealthFlag::kOverdue}}));
  EXPECT_EQ(flags(in_force(20'003)), (std::vector<P>{{first.id, HealthFlag::kRotting},
                                                     {first.id, HealthFlag::kStuck},
                                                     {first.id, HealthFlag::kAged}}));
  EXPECT_EQ(flags(in_force(20'020)), (std::vector<P>{{first.id, HealthFlag::kStuck}}));
  EXPECT_TRUE(in_force(20'030).empty());

  Must(Write([&](StoreTx& tx) { return tx.DeleteSnooze(first.id, HealthFlag::kAged); }));
  EXPECT_EQ(Write([&](StoreTx& tx) { return tx.DeleteSnooze(first.id, HealthFlag::kAged); }).code(),
            ErrorCode::kNotFound);
  EXPECT_EQ(
      Write([&](StoreTx& tx) { return tx.DeleteSnooze(second.id, HealthFlag::kStuck); }).code(),
      ErrorCode::kNotFound);
  EXPECT_EQ(flags(of_deal(first.id)),
            (std::vector<P>{{first.id, HealthFlag::kRotting}, {first.id, HealthFlag::kStuck}}));
  EXPECT_EQ(Write([&](StoreTx& tx) {
              return tx.PutSnooze(snooze(second.id + 1000, HealthFlag::kAged, 20'010, "x"));
            }).code(),
            ErrorCode::kNotFound);
}

TEST_P(StoreConformanceTest, DeletingADealDeletesItsSnoozes) {
  const Deal doomed = AddDeal("Doomed", lead_, 1);
  const Deal kept = AddDeal("Kept", lead_, 2);
  for (const Id deal_id : {doomed.id, kept.id}) {
    Must(Write([&](StoreTx& tx) {
      return tx.PutSnooze({deal_id, HealthFlag::kRotting, Date{20'010}, "later", bob_.id, kT0});
    }));
  }
  Must(Write([&](StoreTx& tx) { return tx.DeleteDeal(doomed.id, 0); }));
  EXPECT_TRUE(Must(Read([&](StoreTx& tx) { return tx.SnoozesOfDeal(doomed.id); })).empty());
  const std::vector<FlagSnooze> left =
      Must(Read([&](StoreTx& tx) { return tx.SnoozesInForce(Date{20'000}); }));
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].deal_id, kept.id);
}

// ---- Analytics reads ----------------------------------------------------------------------------

namespace {

// A DealFactRow with its strings copied out of the callback.
struct DealFact {
  Id id, pipeline_id, stage_id, owner_id;
  DealStatus status;
  int64_t value_minor;
  std::string currency;
  Timestamp created_at;
  std::optional<Timestamp> closed_at;
  Timestamp stage_changed_at;
  std::optional<int32_t> probability_override;
  std::optional<Date> expected_close_date;
  std::string lost_reason;
  bool operator==(const DealFact&) const = default;
};

DealFact FactOf(const DealFactRow& r) {
  return {r.id,
          r.pipeline_id,
          r.stage_id,
          r.owner_id,
          r.status,
          r.value_minor,
          std::string(r.currency),
          r.created_at,
          r.closed_at,
          r.stage_changed_at,
          r.probability_override,
          r.expected_close_date,
          std::string(r.lost_reason)};
}

DealFact FactOf(const Deal& d) {
  return {d.id,
          d.pipeline_id,
          d.stage_id,
          d.owner_id,
          d.status,
          d.value.amount_minor,
          d.value.currency,
          d.created_at,
          d.closed_at,
          d.stage_changed_at,
          d.probability_override,
          d.expected_close_date,
          d.lost_reason};
}

void PrintTo(const DealFact& f, std::ostream* os) { *os << "DealFact{" << f.id << "}"; }

}  // namespace

TEST_P(StoreConformanceTest, ScanDealFactsReadsEveryDealOrTheAskedOnesInIdOrder) {
  Deal lost = MakeDeal("Lost", proposal_, bob_.id);
  lost.value = Money{2500, "EUR"};
  lost.status = DealStatus::kLost;
  lost.lost_reason = "Budget";
  lost.closed_at = Timestamp{kT0.millis + 100};
  lost.stage_changed_at = Timestamp{kT0.millis + 50};
  lost.probability_override = 35;
  lost.expected_close_date = Date{20'100};
  lost.created_at = Timestamp{kT0.millis - 1000};
  lost = Add(&StoreTx::InsertDeal, lost);
  const Deal open = AddDeal("Open", lead_, 1, Money{700, "USD"});
  Deal won = MakeDeal("Won", closing_, alice_.id);
  won.status = DealStatus::kWon;
  won.closed_at = Timestamp{kT0.millis + 200};
  won = Add(&StoreTx::InsertDeal, won);

  auto scan = [&](const std::vector<Id>& ids) {
    std::vector<DealFact> facts;
    Must(Read([&](StoreTx& tx) {
      return tx.ScanDealFacts(ids, [&](const DealFactRow& r) { facts.push_back(FactOf(r)); });
    }));
    return facts;
  };
  EXPECT_EQ(scan({}), (std::vector<DealFact>{FactOf(lost), FactOf(open), FactOf(won)}));
  // Asked-for ids in any order, repeated or unknown: each known one once, by id.
  EXPECT_EQ(scan({won.id, 9999, lost.id, won.id}),
            (std::vector<DealFact>{FactOf(lost), FactOf(won)}));
  EXPECT_TRUE(scan({9999}).empty());
}

TEST_P(StoreConformanceTest, ScanStageEventFactsOrdersByDealThenTimeThenId) {
  const Deal first = AddDeal("First", lead_, 1);
  const Deal second = AddDeal("Second", lead_, 2);
  auto event = [&](Id deal_id, StageEventKind kind, int64_t at, const Stage& to,
                   DealStatus to_status) {
    StageEvent e;
    e.deal_id = deal_id;
    e.kind = kind;
    e.at = Timestamp{kT0.millis + at};
    e.user_id = alice_.id;
    e.to_pipeline_id = to.pipeline_id;
    e.to_stage_id = to.id;
    e.to_status = to_status;
    return Add(&StoreTx::InsertStageEvent, e);
  };
  // Inserted out of order: ids do not follow time, and two events share an instant.
  const StageEvent s2 = event(second.id, StageEventKind::kWon, 30, closing_, DealStatus::kWon);
  const StageEvent f2 =
      event(first.id, StageEventKind::kStageChanged, 20, proposal_, DealStatus::kOpen);
  const StageEvent f1 = event(first.id, StageEventKind::kCreated, 10, lead_, DealStatus::kOpen);
  const StageEvent f3 = event(first.id, StageEventKind::kLost, 20, proposal_, DealStatus::kLost);
  const StageEvent s1 = event(second.id, StageEventKind::kCreated, 0, lead_, DealStatus::kOpen);
  StageEvent bare;  // no pipeline or stage
  bare.deal_id = second.id;
  bare.kind = StageEventKind::kReopened;
  bare.at = Timestamp{kT0.millis + 40};
  bare.user_id = alice_.id;
  bare = Add(&StoreTx::InsertStageEvent, bare);

  auto scan = [&](const std::vector<Id>& ids) {
    std::vector<StageEventFactRow> rows;
    Must(Read([&](StoreTx& tx) {
      return tx.ScanStageEventFacts(ids, [&](const StageEventFactRow& r) { rows.push_back(r); });
    }));
    return rows;
  };
  auto ids = [](const std::vector<StageEventFactRow>& rows) {
    std::vector<Id> out;
    for (const StageEventFactRow& r : rows) out.push_back(r.id);
    return out;
  };
  const std::vector<StageEventFactRow> all = scan({});
  EXPECT_EQ(ids(all), (std::vector<Id>{f1.id, f2.id, f3.id, s1.id, s2.id, bare.id}));
  ASSERT_EQ(all.size(), 6u);
  EXPECT_EQ(all[2].deal_id, first.id);
  EXPECT_EQ(all[2].kind, StageEventKind::kLost);
  EXPECT_EQ(all[2].at, f3.at);
  EXPECT_EQ(all[2].to_pipeline_id, pipeline_.id);
  EXPECT_EQ(all[2].to_stage_id, proposal_.id);
  EXPECT_EQ(all[2].to_status, DealStatus::kLost);
  EXPECT_EQ(all[5].to_pipeline_id, std::nullopt);
  EXPECT_EQ(all[5].to_stage_id, std::nullopt);
  EXPECT_EQ(ids(scan({second.id, 4242})), (std::vector<Id>{s1.id, s2.id, bare.id}));
}

TEST_P(StoreConformanceTest, ScanOpenDealsOfOnePipelineOrAll) {
  const Pipeline other = Add(&StoreTx::InsertPipeline, MakePipeline("Other", 1));
  const Stage other_stage = Add(&StoreTx::InsertStage, MakeStage(other.id, "Only", 0, 40));
  const Deal a = AddDeal("A", proposal_, 1);
  const Deal b = AddDeal("B", other_stage, 1);
  Deal won = MakeDeal("Won", lead_, alice_.id);
  won.status = DealStatus::kWon;
  won = Add(&StoreTx::InsertDeal, won);
  Deal c = MakeDeal("C", lead_, bob_.id);
  c.person_id = Add(&StoreTx::InsertPerson, MakePerson("Pat", bob_.id)).id;
  c.probability_override = 70;
  c = Add(&StoreTx::InsertDeal, c);

  auto scan = [&](std::optional<Id> pipeline_id) {
    std::vector<Deal> deals;
    Must(Read([&](StoreTx& tx) {
      return tx.ScanOpenDeals(pipeline_id, [&](const Deal& d) { deals.push_back(d); });
    }));
    return deals;
  };
  const std::vector<Deal> all = scan(std::nullopt);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(Fields(all[0]), Fields(a));
  EXPECT_EQ(Fields(all[1]), Fields(b));
  EXPECT_EQ(Fields(all[2]), Fields(c));
  EXPECT_EQ(IdsOf(scan(pipeline_.id)), (std::vector<Id>{a.id, c.id}));
  EXPECT_EQ(IdsOf(scan(other.id)), (std::vector<Id>{b.id}));
  EXPECT_TRUE(scan(other.id + 100).empty());
}

// Done activities are counted by the UTC day of done_at: [from, to) in days, every millisecond of
// a day in, the first of `to` out; activities not done, or done without done_at, are not counted.
TEST_P(StoreConformanceTest, DoneActivityCounts) {
  const Deal first = AddDeal("First", lead_, 1);
  const Deal second = AddDeal("Second", lead_, 2);
  const Deal idle = AddDeal("Idle", lead_, 3);
  const Date day{20'601};  // kT0's day
  auto at = [](Date d, int64_t millis) { return Timestamp{StartOf(d).millis + millis}; };
  auto activity = [&](Id owner_id, std::optional<Timestamp> done_at, std::optional<Id> deal_id) {
    Activity a = MakeActivity("Call", owner_id, Date{20'000});
    a.done = done_at.has_value();
    a.done_at = done_at;
    a.deal_id = deal_id;
    return Add(&StoreTx::InsertActivity, a);
  };
  activity(alice_.id, at(day, 0), first.id);                // first ms of `from`
  activity(alice_.id, at(day, 5 * 3'600'000), first.id);    // same owner and day
  activity(alice_.id, at(AddDays(day, 3), -1), second.id);  // last ms of the last day
  activity(alice_.id, at(AddDays(day, 3), 0), second.id);   // first ms of `to`: out
  activity(bob_.id, at(AddDays(day, 1), 12 * 3'600'000), std::nullopt);
  activity(bob_.id, at(day, -1), second.id);  // the day before: out
  activity(bob_.id, std::nullopt, first.id);  // not done
  activity(alice_.id, std::nullopt, idle.id);
  // Reopened: done_at kept from before, but no longer done.
  Activity reopened = MakeActivity("Reopened", bob_.id, Date{20'000});
  reopened.done_at = at(day, 10);
  reopened.deal_id = second.id;
  Add(&StoreTx::InsertActivity, reopened);
  // Done without done_at (the store takes records as given): stored, on no day, not counted.
  Activity undated = MakeActivity("Undated", bob_.id, Date{20'000});
  undated.done = true;
  Add(&StoreTx::InsertActivity, undated);

  auto count = [&](Date from, Date to) {
    return Must(Read([&](StoreTx& tx) { return tx.CountDoneActivitiesByOwner(from, to); }));
  };
  EXPECT_EQ(count(day, AddDays(day, 3)), (std::map<Id, int64_t>{{alice_.id, 3}, {bob_.id, 1}}));
  EXPECT_EQ(count(day, AddDays(day, 1)), (std::map<Id, int64_t>{{alice_.id, 2}}));
  EXPECT_EQ(count(AddDays(day, 1), AddDays(day, 2)), (std::map<Id, int64_t>{{bob_.id, 1}}));
  EXPECT_EQ(count(AddDays(day, -1), AddDays(day, 4)),
            (std::map<Id, int64_t>{{alice_.id, 4}, {bob_.id, 2}}));
  EXPECT_TRUE(count(day, day).empty());
  EXPECT_TRUE(count(AddDays(day, 3), day).empty());
  EXPECT_TRUE(count(AddDays(day, 5), AddDays(day, 400)).empty());
  EXPECT_EQ(Must(Read([&](StoreTx& tx) {
              return tx.CountDoneActivitiesOfDeals({first.id, second.id, idle.id, 9999});
            })),
            (std::map<Id, int64_t>{{first.id, 2}, {second.id, 3}}));
  EXPECT_TRUE(Must(Read([&](StoreTx& tx) { return tx.CountDoneActivitiesOfDeals({}); })).empty());
}

// Days before 1970 are whole UTC days too: the last millisecond before the epoch is on day -1.
TEST_P(StoreConformanceTest, DoneActivityCountsFloorDaysBeforeTheEpoch) {
  for (const int64_t millis : {int64_t{-1}, -kMillisPerDay, -kMillisPerDay - 1, int64_t{0}}) {
    Activity a = MakeActivity("Old", alice_.id, Date{-1});
    a.done = true;
    a.done_at = Timestamp{millis};
    Add(&StoreTx::InsertActivity, a);
  }
  auto count = [&](int32_t from, int32_t to) {
    return Must(
        Read([&](StoreTx& tx) { return tx.CountDoneActivitiesByOwner(Date{from}, Date{to}); }));
  };
  EXPECT_EQ(count(-2, -1), (std::map<Id, int64_t>{{alice_.id, 1}}));  // -86'400'001
  EXPECT_EQ(count(-1, 0), (std::map<Id, int64_t>{{alice_.id, 2}}));   // -1, -86'400'000
  EXPECT_EQ(count(0, 1), (std::map<Id, int64_t>{{alice_.id, 1}}));    // 0
}

// The counts follow every write of an activity: done and undone, another owner, another day,
// unrelated edits, deletes, and the activities a deal delete takes with it.
TEST_P(StoreConformanceTest, DoneActivityCountsFollowEveryChange) {
  const Date day{20'601};
  auto at = [](Date d, int64_t hours) { return Timestamp{StartOf(d).millis + hours * 3'600'000}; };
  auto count = [&](Date from, Date to) {
    return Must(Read([&](StoreTx& tx) { return tx.CountDoneActivitiesByOwner(from, to); }));
  };
  auto on_day = [&](Date d) { return count(d, AddDays(d, 1)); };
  using Counts = std::map<Id, int64_t>;
  auto update = [&](Activity& a, auto change) {
    Activity changed = a;
    change(changed);
    changed.version = a.version + 1;
    Must(Write([&](StoreTx& tx) { return tx.UpdateActivity(changed, a.version); }));
    a = changed;
  };
  auto done_at = [&](Activity& a, std::optional<Timestamp> when) {
    update(a, [&](Activity& c) {
      c.done = when.has_value();
      c.done_at = when;
    });
  };

  Activity a = Add(&StoreTx::InsertActivity, MakeActivity("A", alice_.id, day));
  Activity b = Add(&StoreTx::InsertActivity, MakeActivity("B", alice_.id, day));
  EXPECT_TRUE(on_day(day).empty());

  done_at(a, at(day, 9));
  EXPECT_EQ(on_day(day), (Counts{{alice_.id, 1}}));
  done_at(b, at(day, 10));
  EXPECT_EQ(on_day(day), (Counts{{alice_.id, 2}}));

  // Undone, as the service does it (done_at cleared), and undone keeping done_at: one less each.
  done_at(a, std::nullopt);
  EXPECT_EQ(on_day(day), (Counts{{alice_.id, 1}}));
  update(b, [](Activity& c) { c.done = false; });
  EXPECT_TRUE(on_day(day).empty());
  update(b, [](Activity& c) { c.done = true; });  // done again, same done_at
  EXPECT_EQ(on_day(day), (Counts{{alice_.id, 1}}));
  done_at(a, at(day, 11));
  EXPECT_EQ(on_day(day), (Counts{{alice_.id, 2}}));

  // Another owner.
  update(a, [&](Activity& c) { c.owner_id = bob_.id; });
  EXPECT_EQ(on_day(day), (Counts{{alice_.id, 1}, {bob_.id, 1}}));

  // done_at on another day; then later on that same day (no change); then both at once.
  update(a, [&](Activity& c) { c.done_at = at(AddDays(day, 2), 8); });
  EXPECT_EQ(on_day(day), (Counts{{alice_.id, 1}}));
  EXPECT_EQ(on_day(AddDays(day, 2)), (Counts{{bob_.id, 1}}));
  update(a, [&](Activity& c) { c.done_at = at(AddDays(day, 2), 20); });
  EXPECT_EQ(on_day(AddDays(day, 2)), (Counts{{bob_.id, 1}}));
  update(a, [&](Activity& c) {
    c.done_at = at(AddDays(day, 1), 8);
    c.owner_id = alice_.id;
  });
  EXPECT_EQ(count(day, AddDays(day, 3)), (Counts{{alice_.id, 2}}));
  EXPECT_EQ(on_day(AddDays(day, 1)), (Counts{{alice_.id, 1}}));
  EXPECT_TRUE(on_day(AddDays(day, 2)).empty());

  // Done without done_at: not counted, and counted again once it gets one.
  done_at(b, std::nullopt);
  update(b, [](Activity& c) { c.done = true; });
  EXPECT_EQ(on_day(day), Counts{});
  update(b, [&](Activity& c) { c.done_at = at(day, 7); });
  EXPECT_EQ(on_day(day), (Counts{{alice_.id, 1}}));

  // Edits of other columns change nothing.
  update(b, [&](Activity& c) {
    c.subject = "B, renamed";
    c.due_date = AddDays(day, 30);
    c.note = "rescheduled";
  });
  EXPECT_EQ(count(day, AddDays(day, 3)), (Counts{{alice_.id, 2}}));

  // Deleting one; and deleting a deal takes its done activities along.
  Must(Write([&](StoreTx& tx) { return tx.DeleteActivity(a.id, 0); }));
  EXPECT_EQ(count(day, AddDays(day, 3)), (Counts{{alice_.id, 1}}));
  const Deal deal = AddDeal("With activities", lead_, 1);
  for (int i = 0; i < 3; ++i) {
    Activity c = MakeActivity("On the deal", bob_.id, day);
    c.deal_id = deal.id;
    c.done = true;
    c.done_at = at(day, 12 + i);
    Add(&StoreTx::InsertActivity, c);
  }
  EXPECT_EQ(on_day(day), (Counts{{alice_.id, 1}, {bob_.id, 3}}));
  Must(Write([&](StoreTx& tx) { return tx.DeleteDeal(deal.id, 0); }));
  EXPECT_EQ(on_day(day), (Counts{{alice_.id, 1}}));
  Must(Write([&](StoreTx& tx) { return tx.DeleteActivity(b.id, 0); }));
  EXPECT_TRUE(count(AddDays(day, -10), AddDays(day, 10)).empty());
}

// Activities loaded in bulk (and those there before the load) are counted as a direct count of the
// records says; writes after the load keep counting.
TEST_P(StoreConformanceTest, DoneActivityCountsAfterABulkLoadEqualADirectCount) {
  constexpr Id kBase = 1000;  // above every id SetUp handed out
  const Date day{20'601};
  std::vector<Activity> all;
  Activity before = MakeActivity("Before the load", alice_.id, day);
  before.done = true;
  before.done_at = Timestamp{StartOf(day).millis + 1};
  all.push_back(Add(&StoreTx::InsertActivity, before));
  std::vector<Activity> loaded;
  for (int i = 0; i < 600; ++i) {
    Activity a = MakeActivity("Loaded " + std::to_string(i), i % 3 ? alice_.id : bob_.id, day);
    a.id = kBase + i;
    a.done = i % 4 != 0;
    // Spread over 20 days at every hour; some not done keep a done_at, some done have none.
    if (i % 4 != 0 || i % 8 == 0) {
      a.done_at = Timestamp{StartOf(AddDays(day, (i * 7) % 20)).millis +
                            int64_t{(i * 5) % 24} * 3'600'000 + i};
    }
    if (i % 50 == 1) a.done_at.reset();
    loaded.push_back(a);
  }
  {
    std::unique_ptr<BulkWriter> writer = Must(store_->BeginBulkLoad());
    for (const Activity& a : loaded) Must(writer->Add(a));
    Must(writer->Finish());
  }
  all.insert(all.end(), loaded.begin(), loaded.end());

  auto direct = [&](Date from, Date to) {
    std::map<Id, int64_t> counts;
    for (const Activity& a : all) {
      if (a.done && a.done_at && DateOf(*a.done_at) >= from && DateOf(*a.done_at) < to) {
        ++counts[a.owner_id];
      }
    }
    return counts;
  };
  auto check = [&](const std::string& when) {
    for (const auto& [from, to] : std::vector<std::pair<int32_t, int32_t>>{
             {0, 20}, {0, 1}, {5, 6}, {3, 11}, {19, 25}, {-5, 0}, {-100, 100}}) {
      const Date f = AddDays(day, from), t = AddDays(day, to);
      const std::map<Id, int64_t> expected = direct(f, t);
      EXPECT_EQ(Must(Read([&](StoreTx& tx) { return tx.CountDoneActivitiesByOwner(f, t); })),
                expected)
          << when << ": [" << from << ", " << to << ")";
    }
  };
  EXPECT_FALSE(direct(day, AddDays(day, 20)).empty());
  check("after the load");

  // The triggers are back.
  auto update = [&](Activity& a, auto change) {
    Activity changed = a;
    change(changed);
    changed.version = a.version + 1;
    Must(Write([&](StoreTx& tx) { return tx.UpdateActivity(changed, a.version); }));
    a = changed;
  };
  Activity& undated = all[2];   // loaded[1]: done, without done_at
  Activity& reopened = all[1];  // loaded[0]: not done, with done_at
  ASSERT_TRUE(undated.done && !undated.done_at);
  ASSERT_TRUE(!reopened.done && reopened.done_at);
  update(undated, [&](Activity& c) { c.done_at = StartOf(AddDays(day, 4)); });
  update(reopened, [](Activity& c) { c.done = true; });
  Must(Write([&](StoreTx& tx) { return tx.DeleteActivity(all[3].id, 0); }));
  all.erase(all.begin() + 3);
  check("after writes on the load");
}

// ---- The deal change log ------------------------------------------------------------------------

TEST_P(StoreConformanceTest, DealChangeLogListsEachChangedDealOnce) {
  auto latest = [&] { return Must(Read([](StoreTx& tx) { return tx.LatestDealChange(); })); };
  auto since = [&](int64_t after, size_t max_ids = 100) {
    return Must(Read([&](StoreTx& tx) { return tx.DealChangesSince(after, max_ids); }));
  };
  const int64_t start = latest();
  DealChanges none = since(start);
  EXPECT_EQ(none.latest, start);
  EXPECT_FALSE(none.reset);
  EXPECT_TRUE(none.deal_ids.empty());

  // Insert.
  const Deal a = AddDeal("A", lead_, 1);
  const int64_t after_insert = latest();
  EXPECT_GT(after_insert, start);
  DealChanges inserted = since(start);
  EXPECT_EQ(inserted.latest, after_insert);
  EXPECT_FALSE(inserted.reset);
  EXPECT_EQ(inserted.deal_ids, (std::vector<Id>{a.id}));

  // Update (twice: still once).
  Deal changed = a;
  for (int i = 0; i < 2; ++i) {
    changed.title = "A" + std::to_string(i);
    ++changed.version;
    Must(Write([&](StoreTx& tx) { return tx.UpdateDeal(changed, changed.version - 1); }));
  }
  const int64_t after_update = latest();
  EXPECT_EQ(since(after_insert).deal_ids, (std::vector<Id>{a.id}));
  EXPECT_EQ(since(after_update).deal_ids, (std::vector<Id>{}));

  // Delete, and a deal inserted before it; each once, ascending.
  const Deal b = AddDeal("B", lead_, 2);
  Must(Write([&](StoreTx& tx) { return tx.DeleteDeal(a.id, 0); }));
  DealChanges later = since(after_update);
  EXPECT_FALSE(later.reset);
  EXPECT_EQ(later.deal_ids, (std::vector<Id>{a.id, b.id}));
  EXPECT_EQ(later.latest, latest());
  EXPECT_EQ(since(start).deal_ids, (std::vector<Id>{a.id, b.id}));

  // Writes that touch many deals at once log each of them.
  const Deal c = AddDeal("C", proposal_, 1);
  const int64_t before_move = latest();
  Must(Write([&](StoreTx& tx) { return tx.MoveAllDeals(lead_.id, closing_, kT0); }));
  EXPECT_EQ(since(before_move).deal_ids, (std::vector<Id>{b.id}));
  const int64_t before_renumber = latest();
  Must(Write([&](StoreTx& tx) { return tx.RenumberStage(closing_.id); }));
  EXPECT_EQ(since(before_renumber).deal_ids, (std::vector<Id>{b.id}));

  // So do changes the database makes to deals: unlinking a deleted person.
  Deal linked = MakeDeal("Linked", proposal_, alice_.id);
  const Person pat = Add(&StoreTx::InsertPerson, MakePerson("Pat", alice_.id));
  linked.person_id = pat.id;
  linked = Add(&StoreTx::InsertDeal, linked);
  const int64_t before_unlink = latest();
  Must(Write([&](StoreTx& tx) { return tx.DeletePerson(pat.id, 0); }));
  EXPECT_EQ(since(before_unlink).deal_ids, (std::vector<Id>{linked.id}));

  // A failed write leaves no entry.
  const int64_t before_failure = latest();
  Status failed = Write([&](StoreTx& tx) -> Status {
    PD_RETURN_IF_ERROR(tx.InsertDeal(MakeDeal("Rolled back", lead_, alice_.id)).status());
    return Status::Internal("undo");
  });
  EXPECT_FALSE(failed.ok());
  EXPECT_EQ(latest(), before_failure);
  EXPECT_TRUE(since(before_failure).deal_ids.empty());

  // A position beyond the log is not one of its positions.
  EXPECT_TRUE(since(latest() + 5).reset);
  static_cast<void>(c);
}

TEST_P(StoreConformanceTest, DealChangeLogResetsWhenTooManyDealsChanged) {
  const int64_t start = Must(Read([](StoreTx& tx) { return tx.LatestDealChange(); }));
  std::vector<Id> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(AddDeal("D" + std::to_string(i), lead_, i).id);
  auto since = [&](size_t max_ids) {
    return Must(Read([&](StoreTx& tx) { return tx.DealChangesSince(start, max_ids); }));
  };
  EXPECT_EQ(since(3).deal_ids, ids);
  EXPECT_FALSE(since(3).reset);
  const DealChanges over = since(2);
  EXPECT_TRUE(over.reset);
  EXPECT_TRUE(over.deal_ids.empty());
  EXPECT_EQ(over.latest, since(3).latest);
  EXPECT_TRUE(since(0).reset);
}

TEST_P(StoreConformanceTest, DealChangeLogResetsPastPrunedEntries) {
  auto latest = [&] { return Must(Read([](StoreTx& tx) { return tx.LatestDealChange(); })); };
  auto since = [&](int64_t after) {
    return Must(Read([&](StoreTx& tx) { return tx.DealChangesSince(after, 100); }));
  };
  const int64_t start = latest();
  const Deal a = AddDeal("A", lead_, 1);
  const Deal b = AddDeal("B", lead_, 2);
  const Deal c = AddDeal("C", lead_, 3);
  const int64_t end = latest();
  ASSERT_EQ(end, start + 3);

  // Keeping the newest two drops A's entry: from before it the changes cannot be listed.
  Must(Write([](StoreTx& tx) { return tx.PruneDealChanges(2); }));
  EXPECT_EQ(latest(), end);
  EXPECT_EQ(since(start + 1).deal_ids, (std::vector<Id>{b.id, c.id}));
  EXPECT_FALSE(since(start + 1).reset);
  EXPECT_EQ(since(end - 1).deal_ids, (std::vector<Id>{c.id}));
  const DealChanges pruned = since(start);
  EXPECT_TRUE(pruned.reset);
  EXPECT_TRUE(pruned.deal_ids.empty());
  EXPECT_EQ(pruned.latest, end);
  static_cast<void>(a);

  // Keeping more than there are removes nothing; keeping none removes all, and the position
  // still only grows.
  Must(Write([](StoreTx& tx) { return tx.PruneDealChanges(1000); }));
  EXPECT_FALSE(since(start + 1).reset);
  Must(Write([](StoreTx& tx) { return tx.PruneDealChanges(0); }));
  EXPECT_EQ(latest(), end);
  EXPECT_FALSE(since(end).reset);
  EXPECT_TRUE(since(end - 1).reset);
  const Deal d = AddDeal("D", lead_, 4);
  EXPECT_EQ(latest(), end + 1);
  EXPECT_EQ(since(end).deal_ids, (std::vector<Id>{d.id}));
  EXPECT_EQ(Write([](StoreTx& tx) { return tx.PruneDealChanges(-1); }).code(), ErrorCode::kInvalid);
}

TEST_P(StoreConformanceTest, DealChangeLogResetsAfterABulkLoadWithoutAnEntryPerDeal) {
  const Deal before = AddDeal("Before", lead_, 1);
  const int64_t start = Must(Read([](StoreTx& tx) { return tx.LatestDealChange(); }));
  {
    std::unique_ptr<BulkWriter> writer = Must(store_->BeginBulkLoad());
    for (Id id = 1000; id < 1050; ++id) {
      Deal d = MakeDeal("Loaded", lead_, alice_.id);
      d.id = id;
      Must(writer->Add(d));
    }
    Must(writer->Finish());
  }
  const int64_t loaded = Must(Read([](StoreTx& tx) { return tx.LatestDealChange(); }));
  EXPECT_EQ(loaded, start + 1);  // the reset mark only
  const DealChanges changes =
      Must(Read([&](StoreTx& tx) { return tx.DealChangesSince(start, 1000); }));
  EXPECT_TRUE(changes.reset);
  EXPECT_TRUE(changes.deal_ids.empty());
  EXPECT_EQ(changes.latest, loaded);

  // After the mark the log lists changes again: the triggers are back.
  Deal changed = before;
  changed.title = "Changed";
  changed.version = 2;
  Must(Write([&](StoreTx& tx) { return tx.UpdateDeal(changed, 1); }));
  const DealChanges after =
      Must(Read([&](StoreTx& tx) { return tx.DealChangesSince(loaded, 1000); }));
  EXPECT_FALSE(after.reset);
  EXPECT_EQ(after.deal_ids, (std::vector<Id>{before.id}));

  // A load abandoned without Finish committed batches too: it also leaves a reset mark.
  {
    std::unique_ptr<BulkWriter> writer = Must(store_->BeginBulkLoad());
    Deal d = MakeDeal("Abandoned", lead_, alice_.id);
    d.id = 2000;
    Must(writer->Add(d));
  }
  EXPECT_TRUE(
      Must(Read([&](StoreTx& tx) { return tx.DealChangesSince(after.latest, 1000); })).reset);
}

}  // namespace pipedeck
