// Status and Result: errors as values (LevelDB style).
//
// Every operation that can fail for a reason a caller can act on returns a Status (or a
// Result<T> holding either a value or a non-ok Status). A Status carries a code, a message a
// person can act on, and the offending field when one field is to blame. The HTTP layer maps
// codes to status numbers in exactly one place (api/errors.cc); nothing below it knows HTTP.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace pipedeck {

enum class ErrorCode {
  kOk,
  kMalformed,           // the request could not be parsed at all (bad JSON, bad query syntax)
  kUnauthorized,        // no or unknown credentials
  kForbidden,           // credentials fine, but this user may not do this
  kNotFound,            // the addressed record does not exist
  kConflict,            // the record's state forbids the operation (e.g. deal already won)
  kPreconditionFailed,  // optimistic concurrency: the caller's version is stale
  kTooLarge,            // request body over the limit
  kRateLimited,         // too many attempts (failed sign-ins); the message says when to retry
  kInvalid,             // a field has a value that breaks a rule; `field` names it
  kInternal,            // a bug or an environment failure (disk full, database corrupt)
};

// Stable machine-readable name of a code, as sent on the wire ("not_found", "invalid", ...).
const char* ErrorCodeName(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  static Status Ok() { return Status(); }
  static Status Malformed(std::string message, std::string field = {}) {
    return Status(ErrorCode::kMalformed, std::move(message), std::move(field));
  }
  static Status Unauthorized(std::string message) {
    return Status(ErrorCode::kUnauthorized, std::move(message), {});
  }
  static Status Forbidden(std::string message) {
    return Status(ErrorCode::kForbidden, std::move(message), {});
  }
  static Status NotFound(std::string message, std::string field = {}) {
    return Status(ErrorCode::kNotFound, std::move(message), std::move(field));
  }
  static Status Conflict(std::string message, std::string field = {}) {
    return Status(ErrorCode::kConflict, std::move(message), std::move(field));
  }
  static Status PreconditionFailed(std::string message) {
    return Status(ErrorCode::kPreconditionFailed, std::move(message), {});
  }
  static Status TooLarge(std::string message) {
    return Status(ErrorCode::kTooLarge, std::move(message), {});
  }
  static Status RateLimited(std::string message, std::string field = {}) {
    return Status(ErrorCode::kRateLimited, std::move(message), std::move(field));
  }
  static Status Invalid(std::string field, std::string message) {
    return Status(ErrorCode::kInvalid, std::move(message), std::move(field));
  }
  static Status Internal(std::string message) {
    return Status(ErrorCode::kInternal, std::move(message), {});
  }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // Name of the offending field ("stage_id", "emails[1].value"); empty when no single field is to
  // blame.
  const std::string& field() const { return field_; }
  // "invalid: stage_id: no stage with id 9" — for logs and CLI output.
  std::string ToString() const;

 private:
  Status(ErrorCode code, std::string message, std::string field)
      : code_(code), message_(std::move(message)), field_(std::move(field)) {}

  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
  std::string field_;
};

// Either a T or a non-ok Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT(google-explicit-constructor)
  Result(Status status) : v_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!std::get<Status>(v_).ok() && "a Result needs a value or an error");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  // REQUIRES: ok()
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace pipedeck

// Returns early from the enclosing function when `expr` (a Status) is not ok.
#define PD_RETURN_IF_ERROR(expr)             \
  do {                                       \
    ::pipedeck::Status pd_status_ = (expr);  \
    if (!pd_status_.ok()) return pd_status_; \
  } while (0)

#define PD_CONCAT_INNER(a, b) a##b
#define PD_CONCAT(a, b) PD_CONCAT_INNER(a, b)
// Declares `lhs` from a Result<T> expression, returning its Status early on error.
#define PD_ASSIGN_OR_RETURN(lhs, expr) \
  PD_ASSIGN_OR_RETURN_IMPL(PD_CONCAT(pd_result_, __LINE__), lhs, expr)
#define PD_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                             \
  if (!tmp.ok()) return tmp.status();            \
  lhs = std::move(tmp).value()
