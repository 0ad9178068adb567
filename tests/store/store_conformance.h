// The store conformance suite: behaviour every Store backend must show.
//
// The suite is value-parameterized by a StoreBackend, whose factory returns a fresh, empty,
// migrated store for each test. A backend joins the suite with one line in its own test file:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest,
//                            ::testing::Values(StoreBackend{"sqlite", &MakeTempSqliteStore}),
//                            StoreBackendName);
//
// The tests use only store.h, so they run unchanged on every backend.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "core/model.h"
#include "core/status.h"
#include "store/store.h"

namespace pipedeck {

struct StoreBackend {
  std::string name;
  std::function<std::unique_ptr<Store>()> make;  // a fresh, empty store per call
};

inline void PrintTo(const StoreBackend& backend, std::ostream* os) { *os << backend.name; }
inline std::string StoreBackendName(const ::testing::TestParamInfo<StoreBackend>& info) {
  return info.param.name;
}

// Readable gtest output for the value types the records are made of.
inline void PrintTo(const Timestamp& t, std::ostream* os) {
  *os << "Timestamp{" << t.millis << "}";
}
inline void PrintTo(const Date& d, std::ostream* os) { *os << "Date{" << d.days << "}"; }
inline void PrintTo(const TimeOfDay& t, std::ostream* os) {
  *os << "TimeOfDay{" << t.minutes << "}";
}
inline void PrintTo(const Money& m, std::ostream* os) {
  *os << m.amount_minor << " " << m.currency;
}
inline void PrintTo(const ContactPoint& c, std::ostream* os) {
  *os << "{" << c.value << ", " << c.label << (c.primary ? ", primary}" : "}");
}

// Every field of a record, for EXPECT_EQ on whole records (the model has no operator==).
inline auto Fields(const User& u) {
  return std::tuple(u.id, u.name, u.email, u.role, u.active, u.team_id, u.version, u.created_at,
                    u.updated_at);
}
inline auto Fields(const Team& t) {
  return std::tuple(t.id, t.name, t.manager_id, t.version, t.created_at, t.updated_at);
}
inline auto Fields(const Quota& q) {
  return std::tuple(q.id, q.scope, q.user_id, q.team_id, q.period, q.metric, q.target, q.currency,
                    q.pipeline_id, q.starts_on, q.ends_on, q.version, q.created_at, q.updated_at);
}
inline auto Fields(const ForecastSnapshot& f) {
  return std::tuple(f.month, f.pipeline_id, f.owner_id, f.open_deals, f.value_minor,
                    f.weighted_minor, f.taken_at);
}
inline auto Fields(const FlagSnooze& s) {
  return std::tuple(s.deal_id, s.flag, s.until, s.reason, s.user_id, s.created_at);
}
inline auto Fields(const ApiToken& t) {
  return std::tuple(t.id, t.user_id, t.name, t.secret_hash, t.prefix, t.created_at, t.last_used_at);
}
inline auto Fields(const Pipeline& p) {
  return std::tuple(p.id, p.name, p.order, p.active, p.version, p.created_at, p.updated_at);
}
inline auto Fields(const Stage& s) {
  return std::tuple(s.id, s.pipeline_id, s.name, s.order, s.probability, s.rotting_days, s.playbook,
                    s.version, s.created_at, s.updated_at);
}
inline auto Fields(const Organization& o) {
  return std::tuple(o.id, o.name, o.address, o.owner_id, o.version, o.created_at, o.updated_at);
}
inline auto Fields(const Person& p) {
  return std::tuple(p.id, p.name, p.emails, p.phones, p.org_id, p.owner_id, p.version, p.created_at,
                    p.updated_at);
}
inline auto Fields(const Deal& d) {
  return std::tuple(d.id, d.title, d.value, d.pipeline_id, d.stage_id, d.status, d.lost_reason,
                    d.expected_close_date, d.owner_id, d.person_id, d.org_id, d.source, d.position,
                    d.probability_override, d.next_activity_date, d.last_activity_at,
                    d.stage_changed_at, d.closed_at, d.version, d.created_at, d.updated_at);
}
inline auto Fields(const StageEvent& e) {
  return std::tuple(e.id, e.deal_id, e.kind, e.at, e.user_id, e.from_pipeline_id, e.to_pipeline_id,
                    e.from_stage_id, e.to_stage_id, e.from_status, e.to_status, e.lost_reason);
}
inline auto Fields(const LostReason& r) {
  return std::tuple(r.id, r.label, r.order, r.active, r.version, r.created_at, r.updated_at);
}
inline auto Fields(const Activity& a) {
  return std::tuple(a.id, a.type, a.subject, a.due_date, a.due_time, a.duration_minutes, a.done,
                    a.done_at, a.deal_id, a.person_id, a.org_id, a.owner_id, a.note, a.version,
                    a.created_at, a.updated_at);
}
inline auto Fields(const Note& n) {
  return std::tuple(n.id, n.content, n.deal_id, n.person_id, n.org_id, n.user_id, n.pinned,
                    n.version, n.created_at, n.updated_at);
}

inline Status StatusOf(const Status& s) { return s; }
template <typename T>
Status StatusOf(const Result<T>& r) {
  return r.status();
}

// The value of a Result a test needs in order to go on; a failure ends the test with its status.
template <typename T>
T Must(Result<T> r) {
  if (!r.ok()) throw std::runtime_error(r.status().ToString());
  return std::move(r).value();
}
inline void Must(const Status& s) {
  if (!s.ok()) throw std::runtime_error(s.ToString());
}

// The four calls that create, read, change and remove one record type.
template <typename T>
struct RecordOps {
  Result<T> (StoreTx::*insert)(T);
  Result<T> (StoreTx::*get)(Id);
  Status (StoreTx::*update)(const T&, int64_t);
  Status (StoreTx::*remove)(Id, int64_t);
};

class StoreConformanceTest : public ::testing::TestWithParam<StoreBackend> {
 protected:
  // A fresh store holding a small workspace: users Alice and Bob, pipeline "Sales" with stages
  // Lead (10%), Proposal (50%) and Closing (90%).
  void SetUp() override;
  void TearDown() override {
    if (store_) store_->Close();
  }

  // Runs `fn` (StoreTx& → Status or Result<T>) in a write transaction and returns its result,
  // or the commit's error.
  template <typename F>
  auto Write(F fn) {
    return Run(&Store::Write, std::move(fn));
  }
  template <typename F>
  auto Read(F fn) {
    return Run(&Store::Read, std::move(fn));
  }

  // ---- Records with every required field set, for tests to adjust ----
  static constexpr Timestamp kT0{1'780'000'000'000};  // 2026-05-28

  User MakeUser(const std::string& email, const std::string& name = "Rep");
  Pipeline MakePipeline(const std::string& name, int32_t order = 0);
  Stage MakeStage(Id pipeline_id, const std::string& name, int32_t order, int32_t probability);
  Organization MakeOrganization(const std::string& name, Id owner_id);
  Person MakePerson(const std::string& name, Id owner_id);
  Deal MakeDeal(const std::string& title, const Stage& stage, Id owner_id);
  Activity MakeActivity(const std::string& subject, Id owner_id, Date due);
  Note MakeNote(const std::string& content, Id user_id);
  Team MakeTeam(const std::string& name);
  Quota MakeQuota(QuotaScope scope, int64_t target);

  // Inserting in a transaction of its own; the stored record is returned.
  template <typename T>
  T Add(Result<T> (StoreTx::*insert)(T), T record) {
    return Must(Write([&](StoreTx& tx) { return (tx.*insert)(record); }));
  }

  // Checks the life of one record type: `full` (every optional set) and `minimal` (none set)
  // survive a round trip; `change` applied to the stored full record survives an update; stale
  // versions and missing ids are refused; delete honours the version (0 = any).
  template <typename T, typename Change>
  void CheckRecordLifecycle(const RecordOps<T>& ops, T full, T minimal, Change change);

  // An open deal of Alice's at `position`.
  Deal AddDeal(const std::string& title, const Stage& stage, double position,
               Money value = {1000, "USD"});
  Result<Page<Deal>> Deals(const ListQuery& q);
  // The ids of every page, following next_cursor to the end.
  std::vector<Id> AllDealIds(ListQuery q);
  // Every deal of every page of `q`.
  std::vector<Deal> AllDeals(ListQuery q);
  // Checks the board of `pipeline_id` (all owners, and each of `owners`) against totals computed
  // directly from the deals read through ListDeals: counts, sums, and weighted sums rounded half
  // away from zero from the exact Σ value × effective probability.
  void ExpectBoardMatchesDeals(Id pipeline_id, const std::vector<Id>& owners,
                               const std::string& context);

  std::unique_ptr<Store> store_;
  User alice_, bob_;
  Pipeline pipeline_;
  Stage lead_, proposal_, closing_;

 private:
  template <typename F>
  auto Run(Status (Store::*run)(const std::function<Status(StoreTx&)>&), F fn)
      -> std::invoke_result_t<F, StoreTx&> {
    using R = std::invoke_result_t<F, StoreTx&>;
    std::optional<R> out;
    Status status = ((*store_).*run)([&](StoreTx& tx) {
      out.emplace(fn(tx));
      return StatusOf(*out);
    });
    if (!status.ok()) return R(status);
    return std::move(*out);
  }
};

template <typename T, typename Change>
void StoreConformanceTest::CheckRecordLifecycle(const RecordOps<T>& ops, T full, T minimal,
                                                Change change) {
  auto get = [&](Id id) { return Read([&](StoreTx& tx) { return (tx.*ops.get)(id); }); };
  auto update = [&](const T& r, int64_t expected) {
    return Write([&](StoreTx& tx) { return (tx.*ops.update)(r, expected); });
  };
  auto remove = [&](Id id, int64_t expected) {
    return Write([&](StoreTx& tx) { return (tx.*ops.remove)(id, expected); });
  };

  const T stored_full = Add(ops.insert, full);
  const T stored_minimal = Add(ops.insert, minimal);
  ASSERT_GT(stored_full.id, 0);
  ASSERT_GT(stored_minimal.id, stored_full.id);
  full.id = stored_full.id;
  minimal.id = stored_minimal.id;
  EXPECT_EQ(Fields(Must(get(full.id))), Fields(full));
  EXPECT_EQ(Fields(Must(get(minimal.id))), Fields(minimal));

  T changed = full;
  change(changed);
  changed.version = full.version + 1;
  changed.updated_at = Timestamp{full.updated_at.millis + 60'000};
  Must(update(changed, full.version));
  EXPECT_EQ(Fields(Must(get(full.id))), Fields(changed));

  // The first version is stale now; nothing changes.
  T stale = full;
  stale.version = full.version + 1;
  Status conflict = update(stale, full.version);
  EXPECT_EQ(conflict.code(), ErrorCode::kPreconditionFailed) << conflict.ToString();
  EXPECT_NE(conflict.message().find("has changed since version " + std::to_string(full.version)),
            std::string::npos)
      << conflict.message();
  EXPECT_EQ(Fields(Must(get(full.id))), Fields(changed));

  T missing = changed;
  missing.id = stored_minimal.id + 1000;
  EXPECT_EQ(update(missing, changed.version).code(), ErrorCode::kNotFound);
  EXPECT_EQ(get(missing.id).status().code(), ErrorCode::kNotFound);

  EXPECT_EQ(remove(full.id, full.version).code(), ErrorCode::kPreconditionFailed);
  Must(remove(full.id, changed.version));
  EXPECT_EQ(get(full.id).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(remove(full.id, changed.version).code(), ErrorCode::kNotFound);
  Must(remove(minimal.id, 0));  // any version
  EXPECT_EQ(get(minimal.id).status().code(), ErrorCode::kNotFound);
}

}  // namespace pipedeck
