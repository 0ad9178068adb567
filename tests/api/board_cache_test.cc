// BoardCache: a kept board is served only at the same version and before its fresh_until.
#include "api/board_cache.h"

#include <memory>
#include <string>

#include <gtest/gtest.h>

namespace pipedeck {
namespace {

std::shared_ptr<const std::string> Body(const std::string& text) {
  return std::make_shared<const std::string>(text);
}

TEST(BoardCacheTest, ServesOnlyTheSameVersionBeforeFreshUntil) {
  BoardCache cache;
  cache.Put("p=1", 7, Timestamp{1000}, Body("board at 7"));

  struct Row {
    const char* name;
    std::string key;
    int64_t version;
    Timestamp now;
    bool served;
  };
  const Row rows[] = {
      {"same version, before fresh_until", "p=1", 7, {999}, true},
      {"a later version", "p=1", 8, {999}, false},
      {"an earlier version", "p=1", 6, {999}, false},
      {"exactly at fresh_until", "p=1", 7, {1000}, false},
      {"after fresh_until", "p=1", 7, {5000}, false},
      {"another key", "p=2", 7, {999}, false},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    std::shared_ptr<const std::string> body = cache.Find(r.key, r.version, r.now);
    EXPECT_EQ(body != nullptr, r.served);
    if (body) {
      EXPECT_EQ(*body, "board at 7");
    }
  }
}

TEST(BoardCacheTest, PutReplacesTheBoardOfAKey) {
  BoardCache cache;
  cache.Put("p=1", 7, Timestamp{1000}, Body("board at 7"));
  cache.Put("p=1", 8, Timestamp{1000}, Body("board at 8"));
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(cache.Find("p=1", 7, Timestamp{0}), nullptr);
  ASSERT_NE(cache.Find("p=1", 8, Timestamp{0}), nullptr);
  EXPECT_EQ(*cache.Find("p=1", 8, Timestamp{0}), "board at 8");
}

TEST(BoardCacheTest, DropsTheLeastRecentlyUsedWhenFull) {
  BoardCache cache(2);
  cache.Put("a", 1, Timestamp{100}, Body("A"));
  cache.Put("b", 1, Timestamp{100}, Body("B"));
  ASSERT_NE(cache.Find("a", 1, Timestamp{0}), nullptr);  // "a" is now the most recent
  cache.Put("c", 1, Timestamp{100}, Body("C"));          // drops "b"
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_NE(cache.Find("a", 1, Timestamp{0}), nullptr);
  EXPECT_EQ(cache.Find("b", 1, Timestamp{0}), nullptr);
  EXPECT_NE(cache.Find("c", 1, Timestamp{0}), nullptr);
}

TEST(BoardCacheTest, AServedBodyOutlivesItsEviction) {
  BoardCache cache(1);
  cache.Put("a", 1, Timestamp{100}, Body("A"));
  std::shared_ptr<const std::string> held = cache.Find("a", 1, Timestamp{0});
  cache.Put("b", 1, Timestamp{100}, Body("B"));
  ASSERT_NE(held, nullptr);
  EXPECT_EQ(*held, "A");
}

}  // namespace
}  // namespace pipedeck
