#include "api/board_cache.h"

#include <utility>

namespace pipedeck {

BoardCache::BoardCache(size_t capacity) : capacity_(capacity > 0 ? capacity : 1) {}

std::shared_ptr<const std::string> BoardCache::Find(const std::string& key, int64_t version,
                                                    Timestamp now) {
  std::lock_guard lock(mu_);
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return nullptr;
  const Entry& entry = *it->second;
  if (entry.version != version || now >= entry.fresh_until) return nullptr;
  order_.splice(order_.begin(), order_, it->second);
  return entry.body;
}

void BoardCache::Put(const std::string& key, int64_t version, Timestamp fresh_until,
                     std::shared_ptr<const std::string> body) {
  std::lock_guard lock(mu_);
  if (auto it = by_key_.find(key); it != by_key_.end()) {
    order_.erase(it->second);
    by_key_.erase(it);
  }
  order_.push_front(Entry{key, version, fresh_until, std::move(body)});
  by_key_[key] = order_.begin();
  while (order_.size() > capacity_) {
    by_key_.erase(order_.back().key);
    order_.pop_back();
  }
}

size_t BoardCache::size() const {
  std::lock_guard lock(mu_);
  return order_.size();
}

}  // namespace pipedeck
