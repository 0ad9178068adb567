#include "api/errors.h"

#include <string>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace pipedeck {
namespace {

HttpResponse ErrorBody(int http_status, std::string_view code, std::string_view message,
                       std::string_view field) {
  boost::json::object error;
  error["code"] = code;
  error["message"] = message;
  if (field.empty()) {
    error["field"] = nullptr;
  } else {
    error["field"] = field;
  }
  boost::json::object body;
  body["error"] = std::move(error);
  HttpResponse response;
  response.status = http_status;
  response.body = boost::json::serialize(body);
  return response;
}

}  // namespace

int HttpStatusOf(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk:
      return 200;
    case ErrorCode::kMalformed:
      return 400;
    case ErrorCode::kUnauthorized:
      return 401;
    case ErrorCode::kForbidden:
      return 403;
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kPreconditionFailed:
      return 412;
    case ErrorCode::kTooLarge:
      return 413;
    case ErrorCode::kRateLimited:
      return 429;
    case ErrorCode::kInvalid:
      return 422;
    case ErrorCode::kInternal:
      return 500;
  }
  return 500;
}

HttpResponse ErrorResponse(const Status& status) {
  HttpResponse response = ErrorBody(HttpStatusOf(status.code()), ErrorCodeName(status.code()),
                                    status.message(), status.field());
  if (status.code() == ErrorCode::kUnauthorized) {
    response.headers.emplace_back("WWW-Authenticate", "Bearer");
  }
  return response;
}

HttpResponse MethodNotAllowedResponse(std::string_view method, std::string_view allow) {
  std::string message = "method ";
  message += method;
  message += " is not allowed here; allowed: ";
  message += allow;
  HttpResponse response = ErrorBody(405, "method_not_allowed", message, {});
  response.headers.emplace_back("Allow", std::string(allow));
  return response;
}

}  // namespace pipedeck
