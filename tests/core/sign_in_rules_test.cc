#include "core/sign_in_rules.h"

#include <gtest/gtest.h>

namespace pipedeck {
namespace {

TEST(SignInRulesTest, PasswordsNeedTenCharactersAndAreNotTheEmail) {
  struct Case {
    const char* password;
    bool ok;
    const char* why;
  };
  const Case cases[] = {
      {"correct horse", true, ""},
      {"0123456789", true, ""},
      {"pässwörter", true, ""},  // 10 characters in 12 bytes
      {"012345678", false, "at least 10 characters"},
      {"pässwörte", false, "at least 10 characters"},  // 11 bytes but 9 characters
      {"          ", false, "only spaces"},
      {"Rep@Example.com", false, "your email address"},
      {"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6", false, "UTF-8"},
  };
  for (const Case& c : cases) {
    const Status s = ValidateNewPassword(c.password, "rep@example.com", "new_password");
    EXPECT_EQ(s.ok(), c.ok) << c.password;
    if (!c.ok) {
      EXPECT_EQ(s.code(), ErrorCode::kInvalid) << c.password;
      EXPECT_EQ(s.field(), "new_password") << c.password;
      EXPECT_NE(s.message().find(c.why), std::string::npos) << c.password << ": " << s.message();
    }
  }
  EXPECT_TRUE(ValidateNewPassword(std::string(kMaxPasswordBytes, 'x'), "", "password").ok());
  EXPECT_EQ(ValidateNewPassword(std::string(kMaxPasswordBytes + 1, 'x'), "", "password").field(),
            "password");
}

TEST(SignInRulesTest, EmailIsTrimmedAndLowerCased) {
  EXPECT_EQ(SignInEmail("  Ada@Example.COM \t"), "ada@example.com");
  EXPECT_EQ(SignInEmail("   "), "");
}

TEST(SignInRulesTest, LockHoldsWhileMaxFailuresAreInTheWindow) {
  const SignInLimit limit{3, 1000};
  const Timestamp now{10'000};
  auto at = [](int64_t ms) { return Timestamp{ms}; };
  // Two failures in the window: open.
  EXPECT_EQ(SignInLockedUntil({at(9'500), at(9'800)}, limit, now), std::nullopt);
  // Three: locked until the oldest of the three most recent leaves the window.
  EXPECT_EQ(SignInLockedUntil({at(9'800), at(9'500), at(9'900)}, limit, now), at(10'500));
  // Four: the third most recent decides (9'500 + 1000).
  EXPECT_EQ(SignInLockedUntil({at(9'100), at(9'500), at(9'800), at(9'900)}, limit, now),
            at(10'500));
  // Failures that left the window do not count; one exactly at its edge has left it.
  EXPECT_EQ(SignInLockedUntil({at(8'000), at(9'000), at(9'800), at(9'900)}, limit, now),
            std::nullopt);
  // Just before the lock lifts it holds; at that moment it is open.
  const std::vector<Timestamp> three = {at(9'500), at(9'800), at(9'900)};
  EXPECT_EQ(SignInLockedUntil(three, limit, at(10'499)), at(10'500));
  EXPECT_EQ(SignInLockedUntil(three, limit, at(10'500)), std::nullopt);
}

TEST(SignInRulesTest, SessionsEndWhenIdleOrTooOld) {
  const Timestamp created{1'000'000};
  EXPECT_EQ(SessionExpiry(created, created), Timestamp{created.millis + kSessionIdleMillis});
  const Timestamp late{created.millis + kSessionMaxMillis - 1000};
  EXPECT_EQ(SessionExpiry(created, late), Timestamp{created.millis + kSessionMaxMillis});
}

}  // namespace
}  // namespace pipedeck
