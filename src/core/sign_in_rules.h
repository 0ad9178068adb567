// Sign-in rules: what a password must be, when repeated failures lock sign-in, and how long a
// signed-in session lasts. Pure functions over values; the service layer (service/accounts.h)
// applies them with the injected clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"

namespace pipedeck {

// Passwords: at least kMinPasswordLength characters (code points, so "pässwörter" counts 10), at
// most kMaxPasswordBytes bytes (argon2id hashes any length, but a megabyte password is an attack
// on the server's time), valid UTF-8, not only spaces, and not the user's own email address.
constexpr size_t kMinPasswordLength = 10;
constexpr size_t kMaxPasswordBytes = 256;

// kInvalid naming `field` ("password", "new_password") with the rule that failed.
Status ValidateNewPassword(std::string_view password, std::string_view email,
                           std::string_view field);

// The email as typed at sign-in, as users' emails are kept: without surrounding spaces, lower case.
std::string SignInEmail(std::string_view typed);

// Failed sign-ins are counted per account (the email typed, known or not) and per client address
// over a sliding window. Once `max_failures` fall inside the window, sign-in for that subject is
// refused — even with the right password — until the oldest of those failures leaves the window.
// A correct sign-in clears the account's failures, not the address's: one user's success must not
// unlock an address that is guessing other accounts.
struct SignInLimit {
  int max_failures = 0;
  int64_t window_millis = 0;
};
constexpr SignInLimit kAccountSignInLimit = {5, 15 * 60 * 1000};
constexpr SignInLimit kAddressSignInLimit = {20, 15 * 60 * 1000};

// The moment sign-in opens again for a subject with these failures (any order, older ones
// ignored), or nothing when it is open now.
std::optional<Timestamp> SignInLockedUntil(const std::vector<Timestamp>& failures,
                                           const SignInLimit& limit, Timestamp now);

// Sessions end after kSessionIdleMillis without a request, and kSessionMaxMillis after sign-in
// whatever the activity: a forgotten browser does not stay signed in for ever. last_seen_at is
// written at most every kSessionTouchMillis, so an active user costs one write a minute.
constexpr int64_t kSessionIdleMillis = int64_t{7} * kMillisPerDay;
constexpr int64_t kSessionMaxMillis = int64_t{30} * kMillisPerDay;
constexpr int64_t kSessionTouchMillis = 60 * 1000;

// When a session created at `created_at` and last used at `last_seen_at` expires.
Timestamp SessionExpiry(Timestamp created_at, Timestamp last_seen_at);

// An admin's password reset code stays usable this long (and only once).
constexpr int64_t kPasswordResetMillis = kMillisPerDay;

}  // namespace pipedeck
