#include "core/sign_in_rules.h"

#include <algorithm>
#include <string>

#include "core/text.h"
#include "core/validate.h"

namespace pipedeck {

namespace {

// Code points of valid UTF-8: every byte that does not continue a sequence starts one.
size_t CodePoints(std::string_view utf8) {
  return static_cast<size_t>(std::count_if(utf8.begin(), utf8.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

}  // namespace

Status ValidateNewPassword(std::string_view password, std::string_view email,
                           std::string_view field) {
  const std::string name(field);
  if (!IsValidUtf8(password)) return Status::Invalid(name, "the password is not valid UTF-8 text");
  if (password.size() > kMaxPasswordBytes) {
    return Status::Invalid(name, "the password is longer than " +
                                     std::to_string(kMaxPasswordBytes) + " bytes");
  }
  if (CodePoints(password) < kMinPasswordLength) {
    return Status::Invalid(
        name, "the password needs at least " + std::to_string(kMinPasswordLength) + " characters");
  }
  if (password.find_first_not_of(" \t") == std::string_view::npos) {
    return Status::Invalid(name, "the password cannot be only spaces");
  }
  if (!email.empty() && FoldCase(password) == FoldCase(email)) {
    return Status::Invalid(name, "the password cannot be your email address");
  }
  return Status::Ok();
}

std::string SignInEmail(std::string_view typed) {
  const size_t begin = typed.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return {};
  const size_t end = typed.find_last_not_of(" \t");
  std::string email(typed.substr(begin, end - begin + 1));
  for (char& c : email) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return email;
}

std::optional<Timestamp> SignInLockedUntil(const std::vector<Timestamp>& failures,
                                           const SignInLimit& limit, Timestamp now) {
  if (limit.max_failures <= 0) return std::nullopt;
  std::vector<Timestamp> recent;
  for (Timestamp t : failures) {
    if (t.millis > now.millis - limit.window_millis && t <= now) recent.push_back(t);
  }
  if (recent.size() < static_cast<size_t>(limit.max_failures)) return std::nullopt;
  // The lock lifts when fewer than max_failures remain in the window: when the max_failures-th
  // most recent failure leaves it.
  std::sort(recent.begin(), recent.end(), std::greater<>());
  const Timestamp kth = recent[static_cast<size_t>(limit.max_failures) - 1];
  return Timestamp{kth.millis + limit.window_millis};
}

Timestamp SessionExpiry(Timestamp created_at, Timestamp last_seen_at) {
  return Timestamp{std::min(last_seen_at.millis + kSessionIdleMillis,
                            created_at.millis + kSessionMaxMillis)};
}

}  // namespace pipedeck
