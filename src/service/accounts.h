// Accounts: signing in with an email and a password, browser sessions, password changes and the
// resets an admin starts. The rules (password policy, rate limits, session lifetime) are in
// core/sign_in_rules.h; secrets are made and kept as service/secrets.h says.
//
// Sessions: SignIn always makes a new session with a new random secret (what the cookie holds)
// and a CSRF token, and drops the session the browser held before, so a secret planted in a
// browser before sign-in never becomes a signed-in one (session fixation). A session ends on
// sign-out, after kSessionIdleMillis without use or kSessionMaxMillis after sign-in, when its
// user changes or resets the password (other sessions) or is deactivated.
//
// Rate limiting: failures are kept in the store, so that several servers behind one database
// count them together. Checking and recording are separate transactions (hashing a password
// takes a tenth of a second and must not hold the write lock), so a burst of concurrent guesses
// can pass the limit by at most the number of requests in flight.
//
// Thread-safety: shared by all server threads; it holds no mutable state of its own.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/model.h"
#include "core/status.h"
#include "core/time.h"
#include "store/store.h"

namespace pipedeck {

// A new session: `secret` goes into the cookie and is never kept or shown again.
struct SignedIn {
  User user;
  Session session;
  std::string secret;
};

// The user a session cookie belongs to.
struct SessionUser {
  User user;
  Session session;
};

// A reset code as made: `code` is shown to the admin once and never kept.
struct NewPasswordReset {
  PasswordReset reset;
  std::string code;
};

class Accounts {
 public:
  Accounts(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

  // Signs in from client `address` and drops the session of `previous_secret` (the cookie the
  // browser sent, if any). Errors: kInvalid "email"/"password" when empty; kRateLimited (field
  // "email" or "address") while too many recent failures lock sign-in; kUnauthorized with the
  // same message whether the email is unknown, the user deactivated or without a password, or the
  // password wrong — nothing tells which emails exist.
  Result<SignedIn> SignIn(std::string_view email, std::string_view password,
                          std::string_view address, std::string_view previous_secret = {});

  // The user of a session cookie's secret. Errors: kUnauthorized (unknown, expired — then
  // deleted —, or the user deactivated).
  Result<SessionUser> AuthenticateSession(std::string_view secret);

  // Ends the session of this secret; no error when there is none.
  Status SignOut(std::string_view secret);

  // Changes the actor's own password after checking the current one (kInvalid
  // "current_password" when wrong; the new one must pass ValidateNewPassword as "new_password").
  // Every other session of the actor ends; `keep_session` (the one making the change) stays.
  Status ChangePassword(const User& actor, std::string_view current_password,
                        std::string_view new_password, std::optional<Id> keep_session);

  // Admins only (kForbidden): a one-time code with which user `user_id` sets a new password
  // within kPasswordResetMillis. Replaces the user's earlier codes; the current password keeps
  // working until the code is used. kNotFound for no such user; kConflict for a deactivated one.
  Result<NewPasswordReset> StartPasswordReset(const User& actor, Id user_id);

  // Sets the password of the code's user and ends all their sessions; the code is used up.
  // Errors: kInvalid "code" (unknown, used or expired), kInvalid "new_password".
  Status CompletePasswordReset(std::string_view code, std::string_view new_password);

  // Sets a user's password without the current one (the CLI and the demo, run by whoever holds
  // the database file), ending every session of the user. kNotFound for no such user.
  Status SetPassword(Id user_id, std::string_view password);

 private:
  Store& store_;
  const Clock& clock_;
};

}  // namespace pipedeck
