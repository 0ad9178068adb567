// Rendered boards kept between requests.
//
// The board is the page a sales team keeps open all day, so the same board is asked for again and
// again while few of its deals change. A kept board is served again only while it is provably
// what rendering it now would give: its board version (StoreTx::BoardVersion, read with the board)
// still equals the database's, and the clock has not reached the moment its first card turns
// rotting or overdue (BoardView::fresh_until). Checking costs one indexed read instead of the
// board's dozen queries and its rendering. Because versions live in the database, several app
// servers sharing one database each keep their own boards and never serve a stale one.
//
// Thread-safety: all members may be called from any thread.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/time.h"

namespace pipedeck {

class BoardCache {
 public:
  // Keeps at most `capacity` boards (a board of 7 stages × 20 cards is ≈ 50 KB); the least
  // recently used goes first.
  explicit BoardCache(size_t capacity = 256);

  // The body kept under `key` if it was rendered at board version `version` and `now` is before
  // its fresh_until; nullptr otherwise.
  std::shared_ptr<const std::string> Find(const std::string& key, int64_t version, Timestamp now);

  // Keeps `body`, rendered at `version` and valid before `fresh_until`, under `key`, replacing
  // what was there.
  void Put(const std::string& key, int64_t version, Timestamp fresh_until,
           std::shared_ptr<const std::string> body);

  size_t size() const;

 private:
  struct Entry {
    std::string key;
    int64_t version;
    Timestamp fresh_until;
    std::shared_ptr<const std::string> body;
  };
  using Order = std::list<Entry>;  // most recently used first

  const size_t capacity_;
  mutable std::mutex mu_;
  Order order_;                                              // guarded by mu_
  std::unordered_map<std::string, Order::iterator> by_key_;  // guarded by mu_
};

}  // namespace pipedeck
