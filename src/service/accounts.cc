#include "service/accounts.h"

#include <string>
#include <utility>

#include "core/sign_in_rules.h"
#include "service/secrets.h"
#include "service/transactions.h"

namespace pipedeck {
namespace {

constexpr char kWrongCredentials[] = "the email or the password is wrong";

std::string AccountSubject(const std::string& email) { return "account:" + email; }
std::string AddressSubject(std::string_view address) {
  return "address:" + std::string(address);
}

// A hash to check passwords against when the email is unknown, so that an unknown email takes
// as long to refuse as a wrong password (no way to learn which emails exist by timing).
const std::string& DecoyHash() {
  static const std::string hash = HashPassword(GenerateRandomHex());
  return hash;
}

// "try again in 12 minutes", rounded up.
std::string RetryText(Timestamp until, Timestamp now) {
  const int64_t minutes = (until.millis - now.millis + 59'999) / 60'000;
  return "try again in " + std::to_string(minutes) + (minutes == 1 ? " minute" : " minutes");
}

// The lock, if any, that failures of `subject` put on sign-in now.
Result<std::optional<Timestamp>> LockOf(StoreTx& tx, const std::string& subject,
                                        const SignInLimit& limit, Timestamp now) {
  PD_ASSIGN_OR_RETURN(
      std::vector<Timestamp> failures,
      tx.SignInFailures(subject, Timestamp{now.millis - limit.window_millis}, limit.max_failures));
  return SignInLockedUntil(failures, limit, now);
}

}  // namespace

Result<SignedIn> Accounts::SignIn(std::string_view typed_email, std::string_view password,
                                  std::string_view address, std::string_view previous_secret) {
  const std::string email = SignInEmail(typed_email);
  if (email.empty()) return Status::Invalid("email", "enter the email you sign in with");
  if (password.empty()) return Status::Invalid("password", "enter your password");
  if (password.size() > kMaxPasswordBytes) return Status::Unauthorized(kWrongCredentials);
  const Timestamp now = clock_.Now();
  const std::string account = AccountSubject(email);
  const std::string from = AddressSubject(address);

  struct Candidate {
    std::optional<User> user;
    std::string hash;
  };
  PD_ASSIGN_OR_RETURN(Candidate candidate, Reading<Candidate>(store_, [&](StoreTx& tx)
                                                                   -> Result<Candidate> {
    PD_ASSIGN_OR_RETURN(std::optional<Timestamp> account_lock,
                        LockOf(tx, account, kAccountSignInLimit, now));
    if (account_lock) {
      return Status::RateLimited(
          "too many failed sign-ins for this account; " + RetryText(*account_lock, now), "email");
    }
    PD_ASSIGN_OR_RETURN(std::optional<Timestamp> address_lock,
                        LockOf(tx, from, kAddressSignInLimit, now));
    if (address_lock) {
      return Status::RateLimited(
          "too many failed sign-ins from this address; " + RetryText(*address_lock, now),
          "address");
    }
    Candidate c;
    Result<User> user = tx.FindUserByEmail(email);
    if (!user.ok() && user.status().code() != ErrorCode::kNotFound) return user.status();
    if (user.ok() && user->active) {
      PD_ASSIGN_OR_RETURN(std::optional<std::string> hash, tx.GetPasswordHash(user->id));
      if (hash) {
        c.user = *user;
        c.hash = std::move(*hash);
      }
    }
    return c;
  }));

  const bool matches = VerifyPassword(password, candidate.user ? candidate.hash : DecoyHash());
  if (!matches || !candidate.user) {
    PD_RETURN_IF_ERROR(store_.Write([&](StoreTx& tx) -> Status {
      PD_RETURN_IF_ERROR(tx.AddSignInFailure(account, now));
      return tx.AddSignInFailure(from, now);
    }));
    return Status::Unauthorized(kWrongCredentials);
  }

  const std::string rehashed =
      PasswordNeedsRehash(candidate.hash) ? HashPassword(password) : std::string();
  SignedIn signed_in;
  signed_in.user = *candidate.user;
  signed_in.secret = GenerateRandomHex();
  Session session;
  session.user_id = candidate.user->id;
  session.secret_hash = HashTokenSecret(signed_in.secret);
  session.csrf_token = GenerateRandomHex();
  session.created_at = now;
  session.last_seen_at = now;
  PD_ASSIGN_OR_RETURN(signed_in.session, Writing<Session>(store_, [&](StoreTx& tx)
                                                               -> Result<Session> {
    PD_RETURN_IF_ERROR(tx.PruneSignIns(Timestamp{now.millis - kSessionIdleMillis},
                                       Timestamp{now.millis - kSessionMaxMillis},
                                       Timestamp{now.millis - kAddressSignInLimit.window_millis -
                                                 kAccountSignInLimit.window_millis},
                                       now));
    PD_RETURN_IF_ERROR(tx.ClearSignInFailures(account));
    if (!previous_secret.empty()) {
      Result<Session> previous = tx.FindSessionByHash(HashTokenSecret(previous_secret));
      if (previous.ok()) PD_RETURN_IF_ERROR(tx.DeleteSession(previous->id));
    }
    if (!rehashed.empty()) PD_RETURN_IF_ERROR(tx.SetPasswordHash(session.user_id, rehashed, now));
    return tx.InsertSession(session);
  }));
  return signed_in;
}

Result<SessionUser> Accounts::AuthenticateSession(std::string_view secret) {
  if (secret.empty()) return Status::Unauthorized("not signed in");
  const std::string hash = HashTokenSecret(secret);
  const Timestamp now = clock_.Now();
  bool expired = false;
  Result<SessionUser> found =
      Reading<SessionUser>(store_, [&](StoreTx& tx) -> Result<SessionUser> {
        Result<Session> session = tx.FindSessionByHash(hash);
        if (!session.ok()) {
          if (session.status().code() == ErrorCode::kNotFound) {
            return Status::Unauthorized("your session has ended; sign in again");
          }
          return session.status();
        }
        if (SessionExpiry(session->created_at, session->last_seen_at) <= now) {
          expired = true;
          return Status::Unauthorized("your session has expired; sign in again");
        }
        PD_ASSIGN_OR_RETURN(User user, tx.GetUser(session->user_id));
        if (!user.active) return Status::Unauthorized("your account is deactivated");
        return SessionUser{std::move(user), *session};
      });
  if (expired) {
    Status dropped = store_.Write([&](StoreTx& tx) -> Status {
      Result<Session> session = tx.FindSessionByHash(hash);
      return session.ok() ? tx.DeleteSession(session->id) : Status::Ok();
    });
    (void)dropped;  // a later sign-in prunes it anyway
  }
  if (!found.ok()) return found;
  if (now.millis - found->session.last_seen_at.millis >= kSessionTouchMillis) {
    // Bookkeeping only: a failed touch (signed out meanwhile) does not fail this request.
    Status touched =
        store_.Write([&](StoreTx& tx) { return tx.TouchSession(found->session.id, now); });
    (void)touched;
    found->session.last_seen_at = now;
  }
  return found;
}

Status Accounts::SignOut(std::string_view secret) {
  if (secret.empty()) return Status::Ok();
  const std::string hash = HashTokenSecret(secret);
  return store_.Write([&](StoreTx& tx) -> Status {
    Result<Session> session = tx.FindSessionByHash(hash);
    if (!session.ok()) {
      return session.status().code() == ErrorCode::kNotFound ? Status::Ok() : session.status();
    }
    return tx.DeleteSession(session->id);
  });
}

Status Accounts::ChangePassword(const User& actor, std::string_view current_password,
                                std::string_view new_password, std::optional<Id> keep_session) {
  PD_RETURN_IF_ERROR(ValidateNewPassword(new_password, actor.email, "new_password"));
  PD_ASSIGN_OR_RETURN(std::optional<std::string> hash,
                      Reading<std::optional<std::string>>(
                          store_, [&](StoreTx& tx) { return tx.GetPasswordHash(actor.id); }));
  // A user who never had a password (signed in with a token only) sets a first one.
  if (hash && !VerifyPassword(current_password, *hash)) {
    return Status::Invalid("current_password", "the current password is wrong");
  }
  const std::string next = HashPassword(new_password);
  const Timestamp now = clock_.Now();
  return store_.Write([&](StoreTx& tx) -> Status {
    PD_RETURN_IF_ERROR(tx.SetPasswordHash(actor.id, next, now));
    PD_RETURN_IF_ERROR(tx.DeletePasswordResetsOfUser(actor.id));
    return tx.DeleteSessionsOfUser(actor.id, keep_session.value_or(0));
  });
}

Result<NewPasswordReset> Accounts::StartPasswordReset(const User& actor, Id user_id) {
  if (actor.role != Role::kAdmin || !actor.active) {
    return Status::Forbidden("only admins can reset passwords");
  }
  const Timestamp now = clock_.Now();
  NewPasswordReset made;
  made.code = GenerateRandomHex();
  return Writing<NewPasswordReset>(store_, [&](StoreTx& tx) -> Result<NewPasswordReset> {
    Result<User> user = tx.GetUser(user_id);
    if (!user.ok()) {
      if (user.status().code() == ErrorCode::kNotFound) {
        return Status::NotFound("no user with id " + std::to_string(user_id));
      }
      return user.status();
    }
    if (!user->active) {
      return Status::Conflict("user " + std::to_string(user_id) +
                              " is deactivated; reactivate them first");
    }
    PD_RETURN_IF_ERROR(tx.DeletePasswordResetsOfUser(user_id));
    PasswordReset reset;
    reset.user_id = user_id;
    reset.secret_hash = HashTokenSecret(made.code);
    reset.created_by = actor.id;
    reset.created_at = now;
    reset.expires_at = Timestamp{now.millis + kPasswordResetMillis};
    PD_ASSIGN_OR_RETURN(made.reset, tx.InsertPasswordReset(std::move(reset)));
    return made;
  });
}

Status Accounts::CompletePasswordReset(std::string_view code, std::string_view new_password) {
  const Timestamp now = clock_.Now();
  const std::string code_hash = HashTokenSecret(code);
  auto find = [&](StoreTx& tx) -> Result<std::pair<PasswordReset, User>> {
    Result<PasswordReset> reset = tx.FindPasswordResetByHash(code_hash);
    if (!reset.ok() || reset->expires_at <= now) {
      if (!reset.ok() && reset.status().code() != ErrorCode::kNotFound) return reset.status();
      return Status::Invalid("code", "this reset code is unknown, used or expired; ask an admin "
                                     "for a new one");
    }
    PD_ASSIGN_OR_RETURN(User user, tx.GetUser(reset->user_id));
    if (!user.active) return Status::Invalid("code", "this account is deactivated");
    return std::make_pair(*reset, user);
  };
  if (code.empty()) return Status::Invalid("code", "enter the reset code you were given");
  PD_ASSIGN_OR_RETURN(auto found, (Reading<std::pair<PasswordReset, User>>(store_, find)));
  PD_RETURN_IF_ERROR(ValidateNewPassword(new_password, found.second.email, "new_password"));
  const std::string next = HashPassword(new_password);
  return store_.Write([&](StoreTx& tx) -> Status {
    // Checked again inside the write: a code is used once even when sent twice at once.
    PD_ASSIGN_OR_RETURN(auto again, find(tx));
    PD_RETURN_IF_ERROR(tx.SetPasswordHash(again.second.id, next, now));
    PD_RETURN_IF_ERROR(tx.DeletePasswordResetsOfUser(again.second.id));
    PD_RETURN_IF_ERROR(tx.ClearSignInFailures(AccountSubject(again.second.email)));
    return tx.DeleteSessionsOfUser(again.second.id, 0);
  });
}

Status Accounts::SetPassword(Id user_id, std::string_view password) {
  PD_ASSIGN_OR_RETURN(User user, Reading<User>(store_, [&](StoreTx& tx) -> Result<User> {
    Result<User> found = tx.GetUser(user_id);
    if (!found.ok() && found.status().code() == ErrorCode::kNotFound) {
      return Status::NotFound("no user with id " + std::to_string(user_id));
    }
    return found;
  }));
  PD_RETURN_IF_ERROR(ValidateNewPassword(password, user.email, "password"));
  const std::string hash = HashPassword(password);
  const Timestamp now = clock_.Now();
  return store_.Write([&](StoreTx& tx) -> Status {
    PD_RETURN_IF_ERROR(tx.SetPasswordHash(user_id, hash, now));
    PD_RETURN_IF_ERROR(tx.DeletePasswordResetsOfUser(user_id));
    PD_RETURN_IF_ERROR(tx.ClearSignInFailures(AccountSubject(user.email)));
    return tx.DeleteSessionsOfUser(user_id, 0);
  });
}

}  // namespace pipedeck
