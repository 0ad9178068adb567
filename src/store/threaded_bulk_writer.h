// A BulkWriter that hands its records to another one on a thread of its own, so that whoever
// produces them (reading a file, applying the rules) goes on while the database writes. Records
// reach the inner writer in the order they were added, in chunks; at most a few chunks wait, so a
// producer faster than the database waits for it instead of filling memory.
//
// Add returns the first error the inner writer gave (for an earlier record: records after it are
// dropped); Finish waits for every record and then finishes the inner writer. Add and Finish are
// for one producer thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "store/store.h"

namespace pipedeck {

class ThreadedBulkWriter final : public BulkWriter {
 public:
  explicit ThreadedBulkWriter(std::unique_ptr<BulkWriter> inner)
      : inner_(std::move(inner)), worker_([this] { Work(); }) {}

  // Without Finish, what was handed over is written and the inner writer is destroyed unfinished.
  ~ThreadedBulkWriter() override { Stop(); }

  Status Add(const User& u) override { return Put(u); }
  Status Add(const Pipeline& p) override { return Put(p); }
  Status Add(const Stage& s) override { return Put(s); }
  Status Add(const Organization& o) override { return Put(o); }
  Status Add(const Person& p) override { return Put(p); }
  Status Add(const Deal& d) override { return Put(d); }
  Status Add(const StageEvent& e) override { return Put(e); }
  Status Add(const LostReason& r) override { return Put(r); }
  Status Add(const Activity& a) override { return Put(a); }
  Status Add(const Note& n) override { return Put(n); }
  Status AddExternalKey(std::string_view object, std::string_view external_id,
                        Id record_id) override {
    return Put(ExternalKey{std::string(object), std::string(external_id), record_id});
  }

  Status Finish() override {
    Stop();
    std::lock_guard lock(mutex_);
    if (!error_.ok()) return error_;
    return inner_->Finish();
  }

 private:
  struct ExternalKey {
    std::string object, external_id;
    Id record_id;
  };
  using Record = std::variant<User, Pipeline, Stage, Organization, Person, Deal, StageEvent,
                              LostReason, Activity, Note, ExternalKey>;
  static constexpr size_t kChunkRecords = 4096;
  static constexpr size_t kMaxWaitingChunks = 4;

  template <typename T>
  Status Put(T record) {
    chunk_.emplace_back(std::move(record));
    if (chunk_.size() < kChunkRecords) return Status::Ok();
    return Hand();
  }

  // Queues the current chunk, waiting while the queue is full.
  Status Hand() {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [&] { return waiting_.size() < kMaxWaitingChunks || !error_.ok(); });
    if (!error_.ok()) return error_;
    waiting_.push_back(std::move(chunk_));
    chunk_.clear();
    work_.notify_one();
    return Status::Ok();
  }

  void Stop() {
    if (!worker_.joinable()) return;
    if (!chunk_.empty()) static_cast<void>(Hand());
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    work_.notify_one();
    worker_.join();
  }

  void Work() {
    while (true) {
      std::vector<Record> chunk;
      {
        std::unique_lock lock(mutex_);
        work_.wait(lock, [&] { return !waiting_.empty() || stopping_; });
        if (waiting_.empty()) return;
        chunk = std::move(waiting_.front());
        waiting_.pop_front();
        room_.notify_one();
        if (!error_.ok()) continue;  // drop what follows a failure
      }
      Status status = Write(chunk);
      if (!status.ok()) {
        std::lock_guard lock(mutex_);
        error_ = std::move(status);
        room_.notify_one();
      }
    }
  }

  Status Write(const std::vector<Record>& chunk) {
    for (const Record& record : chunk) {
      Status status = std::visit(
          [&](const auto& r) -> Status {
            if constexpr (std::is_same_v<std::decay_t<decltype(r)>, ExternalKey>) {
              return inner_->AddExternalKey(r.object, r.external_id, r.record_id);
            } else {
              return inner_->Add(r);
            }
          },
          record);
      if (!status.ok()) return status;
    }
    return Status::Ok();
  }

  std::unique_ptr<BulkWriter> inner_;
  std::vector<Record> chunk_;  // the producer's, not yet handed over
  std::mutex mutex_;
  std::condition_variable work_, room_;
  std::deque<std::vector<Record>> waiting_;
  bool stopping_ = false;
  Status error_;
  std::thread worker_;  // last: started once the members above exist
};

}  // namespace pipedeck
