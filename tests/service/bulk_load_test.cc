// The pieces of a bulk import below the importer: BulkLoadTx (a row's writes reach the writer
// only when the row succeeds, numbered after the store's ids) and ThreadedBulkWriter (records
// keep their order across the thread; the inner writer's failure comes back and ends the load).
#include "service/bulk_load.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/sqlite/sqlite_store.h"
#include "store/threaded_bulk_writer.h"
#include "support/test_support.h"

namespace pipedeck {
namespace {

using test_support::Must;

// Writes nothing; remembers what it was given, and fails from the `fail_at`-th record on.
class RecordingWriter final : public BulkWriter {
 public:
  explicit RecordingWriter(std::vector<std::string>& log, size_t fail_at = SIZE_MAX)
      : log_(log), fail_at_(fail_at) {}

  Status Add(const User& u) override { return Log("user " + u.email); }
  Status Add(const Pipeline& p) override { return Log("pipeline " + p.name); }
  Status Add(const Stage& s) override { return Log("stage " + s.name); }
  Status Add(const Organization& o) override { return Log("organization " + o.name); }
  Status Add(const Person& p) override { return Log("person " + p.name); }
  Status Add(const Deal& d) override { return Log("deal " + std::to_string(d.id)); }
  Status Add(const StageEvent& e) override { return Log("event " + std::to_string(e.id)); }
  Status Add(const LostReason& r) override { return Log("lost reason " + r.label); }
  Status Add(const Activity& a) override { return Log("activity " + a.subject); }
  Status Add(const Note& n) override { return Log("note " + n.content); }
  Status AddExternalKey(std::string_view object, std::string_view key, Id id) override {
    return Log("key " + std::string(object) + "/" + std::string(key) + "=" + std::to_string(id));
  }
  Status Finish() override { return Log("finish"); }

 private:
  Status Log(std::string what) {
    if (log_.size() >= fail_at_) return Status::Invalid("disk", "the disk is full");
    log_.push_back(std::move(what));
    return Status::Ok();
  }

  std::vector<std::string>& log_;
  size_t fail_at_;
};

Deal NewDeal(const std::string& title) {
  Deal d;
  d.title = title;
  return d;
}

TEST(ThreadedBulkWriterTest, HandsEveryRecordOverInOrderThenFinishes) {
  std::vector<std::string> log;
  {
    ThreadedBulkWriter writer(std::make_unique<RecordingWriter>(log));
    for (Id id = 1; id <= 10'000; ++id) {
      Deal d;
      d.id = id;
      Must(writer.Add(d));
      Must(writer.AddExternalKey("deals", std::to_string(id), id));
    }
    Must(writer.Finish());
  }
  ASSERT_EQ(log.size(), 20'001u);
  EXPECT_EQ(log[0], "deal 1");
  EXPECT_EQ(log[1], "key deals/1=1");
  EXPECT_EQ(log[19'998], "deal 10000");
  EXPECT_EQ(log.back(), "finish");
}

TEST(ThreadedBulkWriterTest, TheInnerWritersFailureComesBackAndNothingFinishes) {
  std::vector<std::string> log;
  ThreadedBulkWriter writer(std::make_unique<RecordingWriter>(log, /*fail_at=*/5'000));
  Status first_error;
  for (Id id = 1; id <= 100'000 && first_error.ok(); ++id) {
    Deal d;
    d.id = id;
    first_error = writer.Add(d);
  }
  Status finished = writer.Finish();
  EXPECT_EQ(finished.field(), "disk");
  EXPECT_EQ(log.size(), 5'000u);  // nothing after the failure, no "finish"
  // The producer heard of it before handing over the whole file.
  EXPECT_EQ(first_error.field(), "disk");
}

class BulkLoadTxTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = test_support::TempDbPath("bulk_load_test");
    SqliteOptions options;
    options.path = path_;
    store_ = Must(OpenSqliteStore(options));
  }
  void TearDown() override {
    store_->Close();
    test_support::RemoveDb(path_);
  }

  std::string path_;
  std::unique_ptr<Store> store_;
};

// A row's writes reach the writer when the row succeeds, numbered after the given ids; a failed
// row (or a failed part of one) leaves nothing and gives its ids again.
TEST_F(BulkLoadTxTest, RowsReachTheWriterWholeOrNotAtAll) {
  std::vector<std::string> log;
  RecordingWriter writer(log);
  Must(store_->Read([&](StoreTx& snapshot) -> Status {
    AssignedIds last;
    last.deal = 41;
    last.stage_event = 7;
    BulkLoadTx tx(snapshot, writer, last);
    Status refused = tx.WithinSavepoint([&]() -> Status {
      PD_RETURN_IF_ERROR(tx.InsertDeal(NewDeal("Refused")).status());
      return Status::Invalid("title", "refused on purpose");
    });
    EXPECT_EQ(refused.field(), "title");
    EXPECT_TRUE(log.empty());
    Must(tx.WithinSavepoint([&]() -> Status {
      PD_ASSIGN_OR_RETURN(Deal d, tx.InsertDeal(NewDeal("Kept")));
      EXPECT_EQ(d.id, 42);  // the refused row's id is given again
      // A part of the row that fails is undone; the rest of the row stays.
      Status part = tx.WithinSavepoint([&]() -> Status {
        PD_RETURN_IF_ERROR(tx.InsertStageEvent(StageEvent{}).status());
        return Status::Conflict("part refused");
      });
      EXPECT_FALSE(part.ok());
      PD_ASSIGN_OR_RETURN(StageEvent e, tx.InsertStageEvent(StageEvent{}));
      EXPECT_EQ(e.id, 8);
      d.title = "Kept, changed in its row";
      const int64_t seen = d.version;
      d.version = seen + 1;
      PD_RETURN_IF_ERROR(tx.UpdateDeal(d, seen));
      return tx.PutExternalKey("deals", "A-1", d.id);
    }));
    EXPECT_EQ(log, (std::vector<std::string>{"deal 42", "event 8", "key deals/A-1=42"}));
    // A deal of an earlier row is loaded: not changed again, its external id not made twice.
    Deal earlier;
    earlier.id = 42;
    EXPECT_EQ(tx.WithinSavepoint([&] { return tx.UpdateDeal(earlier, earlier.version); }).code(),
              ErrorCode::kInternal);
    EXPECT_EQ(tx.FindExternalKey("deals", "A-1").status().field(), "external_id");
    return Status::Ok();
  }));
}

// The writer's failure ends the load: kInternal, not a refused row.
TEST_F(BulkLoadTxTest, TheWritersFailureEndsTheLoad) {
  std::vector<std::string> log;
  RecordingWriter writer(log, /*fail_at=*/0);
  Must(store_->Read([&](StoreTx& snapshot) -> Status {
    BulkLoadTx tx(snapshot, writer, AssignedIds{});
    Status status = tx.WithinSavepoint([&] { return tx.InsertDeal(NewDeal("Any")).status(); });
    EXPECT_EQ(status.code(), ErrorCode::kInternal);
    EXPECT_NE(status.message().find("the disk is full"), std::string::npos);
    return Status::Ok();
  }));
}

}  // namespace
}  // namespace pipedeck
