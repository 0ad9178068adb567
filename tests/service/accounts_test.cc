// Sign-in, sessions, password changes and resets against a real SQLite file, with a manual clock
// for expiry and rate limits.
#include "service/accounts.h"

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "core/sign_in_rules.h"
#include "service/workspace.h"
#include "store/sqlite/sqlite_store.h"
#include "support/test_support.h"

namespace pipedeck {
namespace {

using test_support::Must;
using test_support::RemoveDb;

constexpr char kPassword[] = "correct horse battery";
constexpr char kAddress[] = "192.0.2.10";

class AccountsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = test_support::TempDbPath("accounts_test");
    SqliteOptions options;
    options.path = path_;
    store_ = Must(OpenSqliteStore(options));
    ws_ = std::make_unique<Workspace>(*store_, clock_);
    accounts_ = std::make_unique<Accounts>(*store_, clock_);
    NewToken boot = Must(ws_->Bootstrap("Ada Admin", "ada@example.com", "USD"));
    admin_ = Must(ws_->GetUser(boot.token.user_id));
    UserPatch rep;
    rep.name = "Maya Patel";
    rep.email = "maya@example.com";
    rep.role = Role::kRep;
    rep_ = Must(ws_->CreateUser(admin_, rep));
    Must(accounts_->SetPassword(rep_.id, kPassword));
  }
  void TearDown() override {
    accounts_.reset();
    ws_.reset();
    store_->Close();
    RemoveDb(path_);
  }

  Result<SignedIn> SignIn(const std::string& email, const std::string& password,
                          const std::string& address = kAddress) {
    return accounts_->SignIn(email, password, address);
  }

  std::string path_;
  ManualClock clock_{*ParseTimestamp("2026-03-02T10:00:00Z")};
  std::unique_ptr<Store> store_;
  std::unique_ptr<Workspace> ws_;
  std::unique_ptr<Accounts> accounts_;
  User admin_, rep_;
};

TEST_F(AccountsTest, SignInMakesASessionThatAuthenticatesItsUser) {
  const SignedIn in = Must(SignIn("  Maya@Example.com ", kPassword));
  EXPECT_EQ(in.user.id, rep_.id);
  EXPECT_EQ(in.secret.size(), 64u);
  EXPECT_EQ(in.session.csrf_token.size(), 64u);
  EXPECT_NE(in.session.secret_hash, in.secret);  // only a hash is kept
  const SessionUser who = Must(accounts_->AuthenticateSession(in.secret));
  EXPECT_EQ(who.user.id, rep_.id);
  EXPECT_EQ(who.session.id, in.session.id);
  EXPECT_EQ(who.session.csrf_token, in.session.csrf_token);
  EXPECT_EQ(accounts_->AuthenticateSession("not-a-session").status().code(),
            ErrorCode::kUnauthorized);
}

TEST_F(AccountsTest, WrongPasswordUnknownEmailAndNoPasswordGiveTheSameAnswer) {
  const Status wrong = SignIn("maya@example.com", "wrong password").status();
  const Status unknown = SignIn("nobody@example.com", kPassword).status();
  const Status no_password = SignIn("ada@example.com", kPassword).status();  // token-only admin
  for (const Status& s : {wrong, unknown, no_password}) {
    EXPECT_EQ(s.code(), ErrorCode::kUnauthorized);
    EXPECT_EQ(s.message(), "the email or the password is wrong");
  }
  EXPECT_EQ(SignIn("", kPassword).status().field(), "email");
  EXPECT_EQ(SignIn("maya@example.com", "").status().field(), "password");
}

TEST_F(AccountsTest, ANewSessionReplacesTheOneTheBrowserHeld) {
  // Fixation: whatever secret the browser had before signing in is not the signed-in one, and
  // the old session is gone.
  const SignedIn first = Must(SignIn("maya@example.com", kPassword));
  const SignedIn second = Must(accounts_->SignIn("maya@example.com", kPassword, kAddress,
                                                 first.secret));
  EXPECT_NE(second.secret, first.secret);
  EXPECT_NE(second.session.csrf_token, first.session.csrf_token);
  EXPECT_EQ(accounts_->AuthenticateSession(first.secret).status().code(),
            ErrorCode::kUnauthorized);
  EXPECT_TRUE(accounts_->AuthenticateSession(second.secret).ok());
  // A secret the server never issued is just ignored at sign-in.
  EXPECT_TRUE(
      accounts_->SignIn("maya@example.com", kPassword, kAddress, "planted-by-someone").ok());
}

TEST_F(AccountsTest, SessionsExpireWhenIdleAndAfterThirtyDays) {
  const SignedIn in = Must(SignIn("maya@example.com", kPassword));
  clock_.Advance(kSessionIdleMillis - 1);
  EXPECT_TRUE(accounts_->AuthenticateSession(in.secret).ok());  // and touches it
  clock_.Advance(kSessionIdleMillis - 1);
  EXPECT_TRUE(accounts_->AuthenticateSession(in.secret).ok());
  clock_.Advance(kSessionIdleMillis);
  const Status idle = accounts_->AuthenticateSession(in.secret).status();
  EXPECT_EQ(idle.code(), ErrorCode::kUnauthorized);
  EXPECT_EQ(idle.message(), "your session has expired; sign in again");
  // Deleted, not just refused.
  EXPECT_EQ(accounts_->AuthenticateSession(in.secret).status().message(),
            "your session has ended; sign in again");

  // Used every day, a session still ends 30 days after sign-in.
  const SignedIn busy = Must(SignIn("maya@example.com", kPassword));
  for (int day = 1; day < 30; ++day) {
    clock_.Advance(kMillisPerDay);
    ASSERT_TRUE(accounts_->AuthenticateSession(busy.secret).ok()) << day;
  }
  clock_.Advance(kMillisPerDay);
  EXPECT_EQ(accounts_->AuthenticateSession(busy.secret).status().code(),
            ErrorCode::kUnauthorized);
}

TEST_F(AccountsTest, SignOutEndsTheSessionOnly) {
  const SignedIn laptop = Must(SignIn("maya@example.com", kPassword));
  const SignedIn phone = Must(SignIn("maya@example.com", kPassword));
  Must(accounts_->SignOut(laptop.secret));
  Must(accounts_->SignOut(laptop.secret));  // twice: fine
  EXPECT_EQ(accounts_->AuthenticateSession(laptop.secret).status().code(),
            ErrorCode::kUnauthorized);
  EXPECT_TRUE(accounts_->AuthenticateSession(phone.secret).ok());
}

TEST_F(AccountsTest, RepeatedFailuresLockTheAccountEvenForTheRightPassword) {
  for (int i = 0; i < kAccountSignInLimit.max_failures; ++i) {
    EXPECT_EQ(SignIn("maya@example.com", "guess " + std::to_string(i)).status().code(),
              ErrorCode::kUnauthorized);
    clock_.Advance(1000);
  }
  const Status locked = SignIn("maya@example.com", kPassword).status();
  EXPECT_EQ(locked.code(), ErrorCode::kRateLimited);
  EXPECT_EQ(locked.field(), "email");
  EXPECT_EQ(locked.message(), "too many failed sign-ins for this account; try again in 15 minutes");
  // From another address too: the account is what is locked.
  EXPECT_EQ(SignIn("maya@example.com", kPassword, "198.51.100.7").status().code(),
            ErrorCode::kRateLimited);
  // Other accounts from the same address still sign in.
  UserPatch other;
  other.name = "Sam Lee";
  other.email = "sam@example.com";
  const User sam = Must(ws_->CreateUser(admin_, other));
  Must(accounts_->SetPassword(sam.id, kPassword));
  EXPECT_TRUE(SignIn("sam@example.com", kPassword).ok());
  // The lock lifts when the oldest of the failures leaves the 15-minute window.
  // The first failure was 5 s ago.
  clock_.Advance(kAccountSignInLimit.window_millis - 5 * 1000 - 1);
  EXPECT_EQ(SignIn("maya@example.com", kPassword).status().code(), ErrorCode::kRateLimited);
  clock_.Advance(1);
  EXPECT_TRUE(SignIn("maya@example.com", kPassword).ok());
  // A success clears the account's failures: one more failure does not lock it again.
  EXPECT_EQ(SignIn("maya@example.com", "guess").status().code(), ErrorCode::kUnauthorized);
  EXPECT_TRUE(SignIn("maya@example.com", kPassword).ok());
}

TEST_F(AccountsTest, AnAddressGuessingManyAccountsIsLocked) {
  for (int i = 0; i < kAddressSignInLimit.max_failures; ++i) {
    EXPECT_EQ(SignIn("user" + std::to_string(i) + "@example.com", kPassword).status().code(),
              ErrorCode::kUnauthorized);
  }
  const Status locked = SignIn("maya@example.com", kPassword).status();
  EXPECT_EQ(locked.code(), ErrorCode::kRateLimited);
  EXPECT_EQ(locked.field(), "address");
  EXPECT_TRUE(SignIn("maya@example.com", kPassword, "198.51.100.7").ok());
}

TEST_F(AccountsTest, ChangingThePasswordEndsTheOtherSessions) {
  const SignedIn here = Must(SignIn("maya@example.com", kPassword));
  const SignedIn elsewhere = Must(SignIn("maya@example.com", kPassword));
  const Status wrong = accounts_->ChangePassword(rep_, "not it", "a new passphrase", here.session.id);
  EXPECT_EQ(wrong.code(), ErrorCode::kInvalid);
  EXPECT_EQ(wrong.field(), "current_password");
  EXPECT_EQ(accounts_->ChangePassword(rep_, kPassword, "short", here.session.id).field(),
            "new_password");
  EXPECT_TRUE(accounts_->AuthenticateSession(elsewhere.secret).ok());  // nothing changed yet

  Must(accounts_->ChangePassword(rep_, kPassword, "a new passphrase", here.session.id));
  EXPECT_TRUE(accounts_->AuthenticateSession(here.secret).ok());
  EXPECT_EQ(accounts_->AuthenticateSession(elsewhere.secret).status().code(),
            ErrorCode::kUnauthorized);
  EXPECT_EQ(SignIn("maya@example.com", kPassword).status().code(), ErrorCode::kUnauthorized);
  EXPECT_TRUE(SignIn("maya@example.com", "a new passphrase").ok());
}

TEST_F(AccountsTest, AnAdminsResetCodeSetsANewPasswordOnce) {
  const SignedIn before = Must(SignIn("maya@example.com", kPassword));
  EXPECT_EQ(accounts_->StartPasswordReset(rep_, admin_.id).status().code(),
            ErrorCode::kForbidden);
  EXPECT_EQ(accounts_->StartPasswordReset(admin_, 999).status().code(), ErrorCode::kNotFound);
  const NewPasswordReset first = Must(accounts_->StartPasswordReset(admin_, rep_.id));
  const NewPasswordReset code = Must(accounts_->StartPasswordReset(admin_, rep_.id));
  EXPECT_EQ(code.reset.expires_at.millis, clock_.Now().millis + kPasswordResetMillis);
  // The current password works until the code is used; the earlier code was replaced.
  EXPECT_TRUE(SignIn("maya@example.com", kPassword).ok());
  EXPECT_EQ(accounts_->CompletePasswordReset(first.code, "the reset passphrase").field(), "code");
  EXPECT_EQ(accounts_->CompletePasswordReset(code.code, "short").field(), "new_password");

  Must(accounts_->CompletePasswordReset(code.code, "the reset passphrase"));
  EXPECT_EQ(accounts_->AuthenticateSession(before.secret).status().code(),
            ErrorCode::kUnauthorized);
  EXPECT_EQ(SignIn("maya@example.com", kPassword).status().code(), ErrorCode::kUnauthorized);
  EXPECT_TRUE(SignIn("maya@example.com", "the reset passphrase").ok());
  EXPECT_EQ(accounts_->CompletePasswordReset(code.code, "yet another phrase").field(), "code");

  // Expired after a day.
  const NewPasswordReset late = Must(accounts_->StartPasswordReset(admin_, rep_.id));
  clock_.Advance(kPasswordResetMillis);
  EXPECT_EQ(accounts_->CompletePasswordReset(late.code, "yet another phrase").field(), "code");
}

TEST_F(AccountsTest, DeactivationEndsSessions) {
  const SignedIn in = Must(SignIn("maya@example.com", kPassword));
  Must(ws_->DeactivateUser(admin_, rep_.id, std::nullopt));
  EXPECT_EQ(accounts_->AuthenticateSession(in.secret).status().code(), ErrorCode::kUnauthorized);
  EXPECT_EQ(SignIn("maya@example.com", kPassword).status().code(), ErrorCode::kUnauthorized);
  EXPECT_EQ(accounts_->StartPasswordReset(admin_, rep_.id).status().code(), ErrorCode::kConflict);
}

}  // namespace
}  // namespace pipedeck
