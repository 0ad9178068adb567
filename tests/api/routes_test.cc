// The router and JSON mapping without sockets: requests go straight to Router::Handle against a
// real SQLite workspace with a manual clock. The black-box scenarios (tests/api/scenarios) cover
// the same API over HTTP; these tests pin the mapping rules table by table.
#include "api/routes.h"

#include <atomic>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <boost/json/parse.hpp>
#include <gtest/gtest.h>
#include <unistd.h>

#include "api/json_mapping.h"
#include "api/json_text.h"
#include "api/report_json.h"
#include "store/sqlite/sqlite_store.h"

namespace pipedeck {
namespace {

namespace json = boost::json;

constexpr Timestamp kNow{1'795'435'200'000};  // 2026-11-23T12:00:00Z

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    path_ = (std::filesystem::temp_directory_path() /
             ("pipedeck_api_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) +
              ".db"))
                .string();
    Result<std::unique_ptr<Store>> store = OpenSqliteStore({.path = path_});
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
    workspace_ = std::make_unique<Workspace>(*store_, clock_);
    Result<NewToken> admin = workspace_->Bootstrap("Ada Admin", "ada@example.com", "USD");
    ASSERT_TRUE(admin.ok()) << admin.status().ToString();
    token_ = admin->secret;
    accounts_ = std::make_unique<Accounts>(*store_, clock_);
    analytics_ = std::make_unique<Analytics>(*store_, clock_);
    router_ = std::make_unique<Router>(*workspace_, *accounts_, *analytics_, WebUi::Embedded());
  }

  void TearDown() override {
    router_.reset();
    analytics_.reset();
    accounts_.reset();
    workspace_.reset();
    if (store_) store_->Close();
    store_.reset();
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }

  // Sends a request with the admin's token (unless `token` says otherwise).
  HttpResponse Send(std::string_view method, std::string_view target, std::string_view body = "",
                    std::string_view if_match = "") {
    std::string authorization = "Bearer " + token_;
    HttpRequest request;
    request.method = method;
    request.target = target;
    request.authorization = authorization;
    request.if_match = if_match;
    request.body = body;
    return router_->Handle(request);
  }

  static std::string Header(const HttpResponse& r, std::string_view name) {
    for (const auto& [n, v] : r.headers) {
      if (n == name) return v;
    }
    return "";
  }

  static json::object Body(const HttpResponse& r) { return json::parse(r.body).as_object(); }

  std::string path_;
  ManualClock clock_{kNow};
  std::unique_ptr<Store> store_;
  std::unique_ptr<Workspace> workspace_;
  std::unique_ptr<Analytics> analytics_;
  std::unique_ptr<Accounts> accounts_;
  std::unique_ptr<Router> router_;
  std::string token_;
};

// One request and the error it must give.
struct ErrorCase {
  std::string_view method, target, body;
  int status;
  std::string_view code, field, message;  // empty message: not checked
};

void ExpectError(const HttpResponse& r, const ErrorCase& c) {
  SCOPED_TRACE(std::string(c.method) + " " + std::string(c.target) + " " + std::string(c.body));
  EXPECT_EQ(r.status, c.status) << r.body;
  json::value body = json::parse(r.body);
  const json::object& error = body.at("error").as_object();
  EXPECT_EQ(error.at("code").as_string(), c.code);
  if (c.field.empty()) {
    EXPECT_TRUE(error.at("field").is_null()) << r.body;
  } else {
    EXPECT_EQ(error.at("field"), json::value(c.field)) << r.body;
  }
  if (!c.message.empty()) {
    EXPECT_EQ(error.at("message").as_string(), c.message);
  }
}

TEST_F(RouterTest, RoutingErrors) {
  const ErrorCase cases[] = {
      {"GET", "/api/nothing", "", 404, "not_found", "", ""},
      {"GET", "/api/deals/abc", "", 404, "not_found", "", ""},
      {"GET", "/api/deals/0", "", 404, "not_found", "", ""},
      {"GET", "/api/deals/-1", "", 404, "not_found", "", ""},
      {"GET", "/api/deals/99999999999999999999", "", 404, "not_found", "", ""},
      {"GET", "/api/deals/", "", 404, "not_found", "", ""},
      {"GET", "/api/deals/12345", "", 404, "not_found", "", ""},
      {"PUT", "/api/deals/1", "", 405, "method_not_allowed", "", ""},
      {"DELETE", "/api/deals", "", 405, "method_not_allowed", "", ""},
  };
  for (const ErrorCase& c : cases) ExpectError(Send(c.method, c.target, c.body), c);
  EXPECT_EQ(Header(Send("PUT", "/api/deals/1"), "Allow"), "GET, PATCH, DELETE");
  EXPECT_EQ(Header(Send("DELETE", "/api/deals"), "Allow"), "GET, POST");
}

TEST_F(RouterTest, TokensAreRequiredExceptOnPublicRoutes) {
  HttpRequest request;
  request.method = "GET";
  request.target = "/api/users/me";
  HttpResponse missing = router_->Handle(request);
  ExpectError(missing, {"GET", "/api/users/me", "", 401, "unauthorized", "", ""});
  EXPECT_EQ(Header(missing, "WWW-Authenticate"), "Bearer");

  request.api_token = "pd_not_a_token";
  ExpectError(router_->Handle(request), {"GET", "/api/users/me", "", 401, "unauthorized", "", ""});

  request.api_token = token_;
  EXPECT_EQ(router_->Handle(request).status, 200);
  request.api_token = "";
  std::string lower_case = "bearer " + token_;
  request.authorization = lower_case;
  EXPECT_EQ(router_->Handle(request).status, 200);

  HttpRequest health;
  health.method = "GET";
  health.target = "/api/health";
  HttpResponse r = router_->Handle(health);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Body(r), json::parse(R"({"status":"ok","version":"0.1.0"})").as_object());
}

TEST_F(RouterTest, OpenApiDocumentsEveryRoute) {
  HttpRequest request;
  request.method = "GET";
  request.target = "/api/openapi.json";
  HttpResponse r = router_->Handle(request);
  ASSERT_EQ(r.status, 200);
  json::object doc = Body(r);
  EXPECT_EQ(doc.at("openapi").as_string(), "3.0.3");
  const json::object& paths = doc.at("paths").as_object();
  for (const Route& route : Routes()) {
    std::string method(MethodName(route.method));
    for (char& c : method) c = static_cast<char>(std::tolower(c));
    ASSERT_TRUE(paths.contains(route.path)) << route.path;
    EXPECT_TRUE(paths.at(route.path).as_object().contains(method)) << method << " " << route.path;
  }
  // Every schema a route names exists among the components.
  const json::object& schemas = doc.at("components").at("schemas").as_object();
  for (const Route& route : Routes()) {
    if (!route.request_schema.empty()) {
      EXPECT_TRUE(schemas.contains(route.request_schema)) << route.request_schema;
    }
    if (route.response_schema == kEventStreamSchema) {
      EXPECT_TRUE(doc.at("paths")
                      .at(route.path)
                      .at("get")
                      .at("responses")
                      .at("200")
                      .at("content")
                      .as_object()
                      .contains("text/event-stream"))
          << route.path;
    } else if (!route.response_schema.empty()) {
      EXPECT_TRUE(schemas.contains(route.response_schema)) << route.response_schema;
    }
  }
}

TEST_F(RouterTest, CreateReadUpdateDelete) {
  HttpResponse created = Send("POST", "/api/pipelines", R"({"name":"Sales","template":"4-stage"})");
  ASSERT_EQ(created.status, 201) << created.body;
  json::object pipeline = Body(created);
  std::string pipeline_id = std::to_string(pipeline.at("id").as_int64());
  EXPECT_EQ(Header(created, "Location"), "/api/pipelines/" + pipeline_id);
  EXPECT_EQ(Header(created, "ETag"), "\"1\"");

  HttpResponse deal =
      Send("POST", "/api/deals",
           R"({"title":"Acme rollout","value_minor":125000,"pipeline_id":)" + pipeline_id + "}");
  ASSERT_EQ(deal.status, 201) << deal.body;
  json::object d = Body(deal);
  std::string deal_path = "/api/deals/" + std::to_string(d.at("id").as_int64());
  EXPECT_EQ(d.at("currency").as_string(), "USD");
  EXPECT_EQ(d.at("status").as_string(), "open");
  EXPECT_TRUE(d.at("lost_reason").is_null());
  EXPECT_TRUE(d.at("probability").is_null());
  EXPECT_TRUE(d.at("position").is_double());

  HttpResponse stale = Send("PATCH", deal_path, R"({"title":"Renamed"})", "\"7\"");
  ExpectError(stale, {"PATCH", "", "", 412, "precondition_failed", "", ""});
  HttpResponse patched =
      Send("PATCH", deal_path, R"({"title":"Renamed","probability":40})", "W/\"1\"");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(Header(patched, "ETag"), "\"2\"");
  EXPECT_EQ(Body(patched).at("probability").as_int64(), 40);
  EXPECT_EQ(Body(Send("PATCH", deal_path, R"({"probability":null})")).at("probability"), nullptr);

  EXPECT_EQ(Send("POST", deal_path + "/won", "").status, 200);
  EXPECT_EQ(Send("POST", deal_path + "/reopen", "{}").status, 200);
  json::object history = Body(Send("GET", deal_path + "/history"));
  EXPECT_EQ(history.at("items").as_array().size(), 3u);

  HttpResponse list = Send("GET", "/api/deals?limit=1&sort=-updated_at&status=open&q=ren");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(Body(list).at("items").as_array().size(), 1u);

  HttpResponse board = Send("GET", "/api/pipelines/" + pipeline_id + "/board?cards=5");
  ASSERT_EQ(board.status, 200) << board.body;
  EXPECT_EQ(Body(board).at("stages").as_array().size(), 4u);

  HttpResponse deleted = Send("DELETE", deal_path);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(Body(deleted).at("deleted"), true);
  EXPECT_EQ(Send("GET", deal_path).status, 404);
}

TEST_F(RouterTest, StrictBodies) {
  const ErrorCase cases[] = {
      {"POST", "/api/organizations", "", 400, "malformed", "",
       "request body must be a JSON object"},
      {"POST", "/api/organizations", "[1]", 400, "malformed", "",
       "request body must be a JSON object"},
      {"POST", "/api/organizations", "{\"name\":", 400, "malformed", "", ""},
      {"POST", "/api/organizations", R"({"nme":"x"})", 422, "invalid", "nme", "unknown field"},
      {"POST", "/api/organizations", R"({"name":"x","id":3})", 422, "invalid", "id",
       "is read-only"},
      {"POST", "/api/organizations", R"({"name":7})", 422, "invalid", "name", "must be a string"},
      {"POST", "/api/organizations", R"({"name":null})", 422, "invalid", "name",
       "must not be null"},
      {"POST", "/api/organizations", R"({"address":"x"})", 422, "invalid", "name", "is required"},
      {"POST", "/api/organizations", R"({"name":"x","owner_id":1.5})", 422, "invalid", "owner_id",
       "must be an integer"},
      {"POST", "/api/organizations", R"({"name":"x","owner_id":"1"})", 422, "invalid", "owner_id",
       "must be an integer"},
      {"POST", "/api/organizations", R"({"name":"x","owner_id":18446744073709551615})", 422,
       "invalid", "owner_id", "is out of range"},
      {"POST", "/api/lost-reasons", R"({"label":"x","order":2147483648})", 422, "invalid", "order",
       "is out of range"},
      {"POST", "/api/lost-reasons", R"({"label":"x","active":1})", 422, "invalid", "active",
       "must be a boolean"},
      {"POST", "/api/deals", R"({"title":"x","expected_close_date":"2026-02-30"})", 422, "invalid",
       "expected_close_date", "must be a date (YYYY-MM-DD)"},
      {"POST", "/api/deals", R"({"title":"x","status":"won"})", 422, "invalid", "status",
       "is read-only"},
      {"POST", "/api/activities", R"({"subject":"x","type":"lunch"})", 422, "invalid", "type",
       "must be one of: call, meeting, email, task, deadline"},
      {"POST", "/api/activities", R"({"subject":"x","due_time":"25:00"})", 422, "invalid",
       "due_time", "must be a time of day (HH:MM)"},
      {"POST", "/api/users", R"({"name":"x","email":"x@example.com","role":"boss"})", 422,
       "invalid", "role", "must be one of: admin, manager, rep"},
      {"POST", "/api/persons", R"({"name":"x","emails":"a@b.co"})", 422, "invalid", "emails",
       "must be an array"},
      {"POST", "/api/persons", R"({"name":"x","emails":["a@b.co",5]})", 422, "invalid", "emails[1]",
       "must be a string or an object"},
      {"POST", "/api/persons", R"({"name":"x","phones":[{"value":"1","kind":"m"}]})", 422,
       "invalid", "phones[0].kind", "unknown field"},
      {"POST", "/api/persons", R"({"name":"x","emails":[{"label":"work"}]})", 422, "invalid",
       "emails[0].value", "is required"},
      {"POST", "/api/pipelines", R"({"name":"x","template":"9-stage"})", 422, "invalid", "template",
       "must be one of: 4-stage, 5-stage, 6-stage, 7-stage"},
      {"POST", "/api/stages", R"({"name":"x"})", 422, "invalid", "pipeline_id", "is required"},
      {"PATCH", "/api/stages/1", R"({"pipeline_id":1})", 422, "invalid", "pipeline_id",
       "can only be set on create"},
      {"POST", "/api/deals/1/move", R"({"index":0})", 422, "invalid", "stage_id", "is required"},
      {"POST", "/api/deals/1/won", R"({"x":1})", 422, "invalid", "x", "unknown field"},
  };
  for (const ErrorCase& c : cases) ExpectError(Send(c.method, c.target, c.body), c);
  HttpResponse position = Send("POST", "/api/organizations", "{\n  \"name\": }");
  EXPECT_NE(Body(position).at("error").at("message").as_string().find("line 2"), std::string::npos)
      << position.body;
}

TEST_F(RouterTest, QueryParameters) {
  const ErrorCase cases[] = {
      {"GET", "/api/deals?limit=0", "", 422, "invalid", "limit",
       "must be an integer from 1 to 500"},
      {"GET", "/api/deals?limit=501", "", 422, "invalid", "limit", ""},
      {"GET", "/api/deals?limit=abc", "", 422, "invalid", "limit", ""},
      {"GET", "/api/deals?limit=5&limit=6", "", 422, "invalid", "limit", "is given more than once"},
      {"GET", "/api/deals?colour=red", "", 422, "invalid", "colour", "unknown query parameter"},
      {"GET", "/api/deals?done=true", "", 422, "invalid", "done", "unknown query parameter"},
      {"GET", "/api/deals?sort=-colour", "", 422, "invalid", "sort", ""},
      {"GET", "/api/deals?status=maybe", "", 422, "invalid", "status", ""},
      {"GET", "/api/deals?owner_id=0", "", 422, "invalid", "owner_id",
       "must be a positive integer"},
      {"GET", "/api/deals?updated_since=yesterday", "", 422, "invalid", "updated_since", ""},
      {"GET", "/api/activities?due_from=2026-1-1", "", 422, "invalid", "due_from", ""},
      {"GET", "/api/activities?done=yes", "", 422, "invalid", "done", "must be true or false"},
      {"GET", "/api/deals?q=%zz", "", 400, "malformed", "q", ""},
      {"GET", "/api/deals?cursor=garbage", "", 422, "invalid", "cursor", ""},
      {"GET", "/api/pipelines/1/board?cards=101", "", 422, "invalid", "cards", ""},
      {"GET", "/api/users/me?x=1", "", 422, "invalid", "x", "unknown query parameter"},
  };
  for (const ErrorCase& c : cases) ExpectError(Send(c.method, c.target, c.body), c);
  EXPECT_EQ(Send("GET", "/api/pipelines?sort=-order&limit=500").status, 200);
  EXPECT_EQ(Send("GET", "/api/activities?done=false&due_from=2026-01-01&due_to=2026-12-31").status,
            200);
  EXPECT_EQ(Send("GET", "/api/deals?updated_since=2026-11-01T00%3A00%3A00Z&q=a+b").status, 200);
}

TEST_F(RouterTest, IfMatchMustNameAVersion) {
  ExpectError(Send("PATCH", "/api/users/1", R"({"name":"A"})", "abc"),
              {"PATCH", "", "", 400, "malformed", "If-Match", ""});
  EXPECT_EQ(Send("PATCH", "/api/users/1", R"({"name":"A"})", "*").status, 200);
  EXPECT_EQ(Send("PATCH", "/api/users/1", R"({"name":"B"})", "2").status, 200);
}

// Bodies of the team, quota, snooze, health-settings and bulk routes are read by their field tables
// before any use case runs: errors name the field.
TEST_F(RouterTest, StrictBodiesOfTeamsQuotasAndCleanup) {
  const ErrorCase cases[] = {
      {"POST", "/api/teams", R"({"nme":"x"})", 422, "invalid", "nme", "unknown field"},
      {"POST", "/api/teams", R"({"manager_id":2})", 422, "invalid", "name", "is required"},
      {"POST", "/api/teams", R"({"name":"x","manager_id":"2"})", 422, "invalid", "manager_id",
       "must be an integer"},
      {"POST", "/api/teams", R"({"name":"x","version":2})", 422, "invalid", "version",
       "is read-only"},
      {"PATCH", "/api/users/1", R"({"team_id":"none"})", 422, "invalid", "team_id",
       "must be an integer"},
      {"POST", "/api/quotas", R"({"scope":"user"})", 422, "invalid", "target", "is required"},
      {"POST", "/api/quotas", R"({"target":5,"scope":"planet"})", 422, "invalid", "scope",
       "must be one of: user, team, company"},
      {"POST", "/api/quotas", R"({"target":5,"period":"year"})", 422, "invalid", "period",
       "must be one of: week, month, quarter"},
      {"POST", "/api/quotas", R"({"target":5,"metric":"calls"})", 422, "invalid", "metric",
       "must be one of: won_value, deals_won, activities_done"},
      {"POST", "/api/quotas", R"({"target":5,"starts_on":"2026-13-01"})", 422, "invalid",
       "starts_on", "must be a date (YYYY-MM-DD)"},
      {"POST", "/api/quotas", R"({"target":1.5})", 422, "invalid", "target", "must be an integer"},
      {"POST", "/api/deals/1/snoozes", R"({"flag":"rotting","until":"2026-12-01"})", 422, "invalid",
       "reason", "is required"},
      {"POST", "/api/deals/1/snoozes", R"({"flag":"sleepy","until":"2026-12-01","reason":"x"})",
       422, "invalid", "flag", ""},
      {"POST", "/api/deals/1/snoozes", R"({"flag":"rotting","until":"soon","reason":"x"})", 422,
       "invalid", "until", "must be a date (YYYY-MM-DD)"},
      {"POST", "/api/deals/1/snoozes",
       R"({"flag":"rotting","until":"2026-12-01","reason":"x","user_id":1})", 422, "invalid",
       "user_id", "is read-only"},
      {"PATCH", "/api/health-settings", R"({"overload_factor":"big"})", 422, "invalid",
       "overload_factor", "must be a number"},
      {"PATCH", "/api/health-settings", R"({"late_stage_ids":[3,"4"]})", 422, "invalid",
       "late_stage_ids[1]", "must be an integer"},
      {"PATCH", "/api/health-settings", R"({"unqualified_reasons":"Spam"})", 422, "invalid",
       "unqualified_reasons", "must be an array"},
      {"PATCH", "/api/health-settings", R"({"stuck_percentile":null})", 422, "invalid",
       "stuck_percentile", "must not be null"},
      {"PATCH", "/api/health-settings", R"({"colour":1})", 422, "invalid", "colour",
       "unknown field"},
      {"PATCH", "/api/health-settings", "[]", 400, "malformed", "", ""},
      {"POST", "/api/deals/bulk", R"({"deal_ids":[1]})", 422, "invalid", "action", "is required"},
      {"POST", "/api/deals/bulk", R"({"action":"explode","deal_ids":[1]})", 422, "invalid",
       "action", "must be one of: reassign, last_chance, mark_lost"},
      {"POST", "/api/deals/bulk", R"({"action":"reassign","owner_id":1})", 422, "invalid",
       "deal_ids", "is required"},
      {"POST", "/api/deals/bulk", R"({"action":"reassign","deal_ids":[1]})", 422, "invalid",
       "owner_id", "is required for action reassign"},
      {"POST", "/api/deals/bulk",
       R"({"action":"reassign","deal_ids":[1],"owner_id":1,"subject":"x"})", 422, "invalid",
       "subject", "does not apply to action reassign"},
      {"POST", "/api/deals/bulk",
       R"({"action":"mark_lost","deal_ids":[1],"due_date":"2026-12-01"})", 422, "invalid",
       "due_date", "does not apply to action mark_lost"},
      {"POST", "/api/deals/bulk", R"({"action":"last_chance","deal_ids":[1],"lost_reason_id":2})",
       422, "invalid", "lost_reason_id", "does not apply to action last_chance"},
      {"POST", "/api/deals/bulk", R"({"action":"last_chance","deal_ids":[1,true]})", 422, "invalid",
       "deal_ids[1]", "must be an integer"},
      {"POST", "/api/deals/bulk", R"({"action":"last_chance","deal_ids":7})", 422, "invalid",
       "deal_ids", "must be an array"},
      {"POST", "/api/analytics/forecast/snapshots", R"({"x":1})", 422, "invalid", "x",
       "unknown field"},
  };
  for (const ErrorCase& c : cases) ExpectError(Send(c.method, c.target, c.body), c);
}

// Report parameters are checked before anything is computed; errors name the parameter.
TEST_F(RouterTest, ReportParameters) {
  const ErrorCase cases[] = {
      {"GET", "/api/analytics/dashboard?period=2026-13", "", 422, "invalid", "period", ""},
      {"GET", "/api/analytics/dashboard?period=next-month", "", 422, "invalid", "period", ""},
      {"GET", "/api/analytics/dashboard?period=2026-11&from=2026-11-01&to=2026-12-01", "", 422,
       "invalid", "period", "give either period or from and to, not both"},
      {"GET", "/api/analytics/health?period=2026-11&to=2026-12-01", "", 422, "invalid", "period",
       ""},
      {"GET", "/api/analytics/dashboard?from=2026-11-01", "", 422, "invalid", "to",
       "is required with from"},
      {"GET", "/api/analytics/dashboard?to=2026-11-01", "", 422, "invalid", "from",
       "is required with to"},
      {"GET", "/api/analytics/dashboard?from=2026-11-10&to=2026-11-10", "", 422, "invalid", "to",
       ""},
      {"GET", "/api/analytics/forecast?from=2026-11-10&to=2026-11-01", "", 422, "invalid", "to",
       ""},
      {"GET", "/api/analytics/dashboard?from=2026-11-31&to=2026-12-01", "", 422, "invalid", "from",
       "must be a date (YYYY-MM-DD)"},
      {"GET", "/api/analytics/dashboard?team_id=0", "", 422, "invalid", "team_id",
       "must be a positive integer"},
      {"GET", "/api/analytics/dashboard?months=3", "", 422, "invalid", "months",
       "unknown query parameter"},
      {"GET", "/api/analytics/forecast?months=0", "", 422, "invalid", "months",
       "must be an integer from 1 to 24"},
      {"GET", "/api/analytics/forecast?months=25", "", 422, "invalid", "months", ""},
      {"GET", "/api/analytics/quotas?day=tomorrow", "", 422, "invalid", "day", ""},
      {"GET", "/api/analytics/plan", "", 422, "invalid", "target_minor", "is required"},
      {"GET", "/api/analytics/plan?target_minor=-1", "", 422, "invalid", "target_minor", ""},
      {"GET", "/api/analytics/plan?target_minor=100&reps=0", "", 422, "invalid", "reps",
       "must be an integer from 1 to 10000"},
      {"GET", "/api/analytics/plan?target_minor=100&reps=10001", "", 422, "invalid", "reps", ""},
      {"GET", "/api/analytics/plan?target_minor=100&close_rate=0", "", 422, "invalid", "close_rate",
       "must be a percentage greater than 0 and at most 100, like 80 or 12.5"},
      {"GET", "/api/analytics/plan?target_minor=100&close_rate=101", "", 422, "invalid",
       "close_rate", ""},
      {"GET", "/api/analytics/plan?target_minor=100&close_rate=eighty", "", 422, "invalid",
       "close_rate", ""},
      {"GET", "/api/analytics/plan?target_minor=100&average_deal_minor=0", "", 422, "invalid",
       "average_deal_minor", ""},
      {"GET", "/api/analytics/day-plan?period=2026-11", "", 422, "invalid", "period",
       "unknown query parameter"},
      {"DELETE", "/api/deals/1/snoozes", "", 422, "invalid", "flag", "is required"},
      {"DELETE", "/api/deals/1/snoozes?flag=sleepy", "", 422, "invalid", "flag", ""},
      {"GET", "/api/users?team_id=x", "", 422, "invalid", "team_id", ""},
      {"GET", "/api/quotas?q=x", "", 422, "invalid", "q", "unknown query parameter"},
      {"GET", "/api/teams?updated_since=2026-01-01T00:00:00Z", "", 422, "invalid", "updated_since",
       "unknown query parameter"},
  };
  for (const ErrorCase& c : cases) ExpectError(Send(c.method, c.target, c.body), c);
}

TEST_F(RouterTest, RepsMayNotTakeForecastSnapshots) {
  Result<User> admin = workspace_->Authenticate(token_);
  ASSERT_TRUE(admin.ok());
  UserPatch fields;
  fields.name = "Rex Rep";
  fields.email = "rex@example.com";
  Result<User> rep = workspace_->CreateUser(*admin, fields);
  ASSERT_TRUE(rep.ok()) << rep.status().ToString();
  Result<NewToken> token = workspace_->CreateToken(*admin, rep->id, "test");
  ASSERT_TRUE(token.ok());
  token_ = token->secret;
  ExpectError(Send("POST", "/api/analytics/forecast/snapshots"),
              {"POST", "", "", 403, "forbidden", "", ""});
}

TEST(ReportScopeTest, PeriodAndScopeFromTheParameters) {
  const Date today = *MakeDate(2026, 11, 23);
  QueryArgs args;
  Result<AnalyticsScope> scope = ReportScope(args, today);
  ASSERT_TRUE(scope.ok()) << scope.status().ToString();
  EXPECT_EQ(scope->period.unit, PeriodUnit::kMonth);
  EXPECT_EQ(scope->period.period, (Period{*MakeDate(2026, 11, 1), *MakeDate(2026, 12, 1)}));
  EXPECT_FALSE(scope->pipeline_id || scope->owner_id || scope->team_id);

  args.list.pipeline_id = 1;
  args.list.owner_id = 2;
  args.list.team_id = 3;
  args.from = MakeDate(2026, 11, 5);
  args.to = MakeDate(2026, 11, 19);
  scope = ReportScope(args, today);
  ASSERT_TRUE(scope.ok()) << scope.status().ToString();
  EXPECT_EQ(scope->period.unit, PeriodUnit::kCustom);
  EXPECT_EQ(scope->period.period, (Period{*args.from, *args.to}));
  EXPECT_EQ(scope->pipeline_id, 1);
  EXPECT_EQ(scope->owner_id, 2);
  EXPECT_EQ(scope->team_id, 3);

  args.from.reset();
  args.to.reset();
  args.period = *ParsePeriod("2026-Q4");
  scope = ReportScope(args, today);
  ASSERT_TRUE(scope.ok());
  EXPECT_EQ(scope->period.unit, PeriodUnit::kQuarter);
}

TEST(ParsePercentBasisPointsTest, PercentagesToBasisPoints) {
  EXPECT_EQ(ParsePercentBasisPoints("80"), 8000);
  EXPECT_EQ(ParsePercentBasisPoints("12.5"), 1250);
  EXPECT_EQ(ParsePercentBasisPoints("100"), 10000);
  EXPECT_EQ(ParsePercentBasisPoints("0.01"), 1);
  EXPECT_EQ(ParsePercentBasisPoints("33.333"), 3333);
  for (std::string_view bad :
       {"0", "-5", "100.01", "101", "", "abc", "80%", "nan", "inf", "0.001", " 80"}) {
    EXPECT_FALSE(ParsePercentBasisPoints(bad)) << bad;
  }
}

TEST(PercentDecodeTest, Decodes) {
  EXPECT_EQ(PercentDecode("a+b%20c%2B%41"), "a b c+A");
  EXPECT_EQ(PercentDecode("%"), std::nullopt);
  EXPECT_EQ(PercentDecode("%4"), std::nullopt);
  EXPECT_EQ(PercentDecode("%g1"), std::nullopt);
}

// ---- The streaming writer ----------------------------------------------------------------------

std::string Text(void (*write)(JsonText&)) {
  std::string out;
  JsonText w(out);
  write(w);
  return out;
}

TEST(JsonTextTest, EscapesStrings) {
  struct Row {
    std::string_view in;
    std::string_view out;
  };
  const Row rows[] = {
      {"", R"("")"},
      {"plain", R"("plain")"},
      {"a\"b", R"("a\"b")"},
      {"a\\b", R"("a\\b")"},
      {"/</script>", R"("/</script>")"},
      {"\n\r\t", R"("\n\r\t")"},
      {std::string_view("\0\x01\x08\x0c\x1f", 5), R"("\u0000\u0001\u0008\u000c\u001f")"},
      {"\x7f", "\"\x7f\""},
      {"é ü 日本 😀", R"("é ü 日本 😀")"},
      {"end\\", R"("end\\")"},
  };
  for (const Row& r : rows) {
    std::string out = "x";
    AppendJsonString(r.in, out);
    EXPECT_EQ(out, "x" + std::string(r.out));
    EXPECT_EQ(json::parse(out.substr(1)).as_string(), r.in);
  }
}

TEST(JsonTextTest, WritesDoublesWithADecimalPoint) {
  struct Row {
    double in;
    std::string_view out;
  };
  const Row rows[] = {
      {1024.0, "1024.0"},
      {0.5, "0.5"},
      {0.0, "0.0"},
      {-0.0, "-0.0"},
      {-3.25, "-3.25"},
      {1e22, "1e+22"},
      {1.5e-7, "1.5e-07"},
      {std::numeric_limits<double>::quiet_NaN(), "null"},
      {std::numeric_limits<double>::infinity(), "null"},
      {-std::numeric_limits<double>::infinity(), "null"},
  };
  for (const Row& r : rows) {
    std::string out;
    AppendJsonDouble(r.in, out);
    EXPECT_EQ(out, r.out) << r.in;
  }
}

TEST(JsonTextTest, PutsCommasBetweenMembersAndItems) {
  EXPECT_EQ(Text([](JsonText& w) { w.BeginObject().EndObject(); }), "{}");
  EXPECT_EQ(Text([](JsonText& w) { w.BeginArray().EndArray(); }), "[]");
  EXPECT_EQ(Text([](JsonText& w) { w.Int(-3); }), "-3");
  EXPECT_EQ(Text([](JsonText& w) {
              w.BeginObject()
                  .Key("i")
                  .Int(std::numeric_limits<int64_t>::min())
                  .Key("p")
                  .Double(1024)
                  .Key("s")
                  .String("a\"b")
                  .Key("n")
                  .Null()
                  .Key("t")
                  .Bool(true)
                  .Key("f")
                  .Bool(false)
                  .Key("r")
                  .Raw(R"({"x":[1]})")
                  .Key("d")
                  .PlainString([](std::string& s) { AppendDate(Date{0}, s); })
                  .EndObject();
            }),
            R"({"i":-9223372036854775808,"p":1024.0,"s":"a\"b","n":null,"t":true,"f":false,)"
            R"("r":{"x":[1]},"d":"1970-01-01"})");
  EXPECT_EQ(Text([](JsonText& w) {
              w.BeginArray().BeginArray().EndArray().BeginObject().EndObject();
              w.BeginArray().Int(1).Int(2).BeginObject().Key("a").BeginArray().EndArray();
              w.Key("b").BeginObject().EndObject().EndObject().EndArray().Null().EndArray();
            }),
            R"([[],{},[1,2,{"a":[],"b":{}}],null])");
}

// ---- Records as text ---------------------------------------------------------------------------

std::string DealText(const Deal& d) {
  std::string out;
  JsonText w(out);
  WriteJson(d, JsonOut{kNow}, w);
  return out;
}

// A deal as the server built it before responses were streamed: a document tree filled member by
// member, nullable members null when empty.
json::value DealTree(const Deal& d) {
  auto opt = [](const auto& v, auto f) -> json::value {
    if (!v) return nullptr;
    return json::value(f(*v));
  };
  auto id = [](Id v) { return v; };
  auto date = [](Date v) { return FormatDate(v); };
  auto instant = [](Timestamp v) { return FormatTimestamp(v); };
  json::object o;
  o.emplace("id", d.id);
  o.emplace("title", d.title);
  o.emplace("value_minor", d.value.amount_minor);
  o.emplace("currency", d.value.currency);
  o.emplace("pipeline_id", d.pipeline_id);
  o.emplace("stage_id", d.stage_id);
  o.emplace("status", DealStatusName(d.status));
  o.emplace("lost_reason",
            d.lost_reason.empty() ? json::value(nullptr) : json::value(d.lost_reason));
  o.emplace("expected_close_date", opt(d.expected_close_date, date));
  o.emplace("owner_id", d.owner_id);
  o.emplace("person_id", opt(d.person_id, id));
  o.emplace("org_id", opt(d.org_id, id));
  o.emplace("source", d.source);
  o.emplace("position", d.position);
  o.emplace("probability", opt(d.probability_override, [](int32_t v) { return v; }));
  o.emplace("next_activity_date", opt(d.next_activity_date, date));
  o.emplace("last_activity_at", opt(d.last_activity_at, instant));
  o.emplace("stage_changed_at", FormatTimestamp(d.stage_changed_at));
  o.emplace("closed_at", opt(d.closed_at, instant));
  o.emplace("version", d.version);
  o.emplace("created_at", FormatTimestamp(d.created_at));
  o.emplace("updated_at", FormatTimestamp(d.updated_at));
  return o;
}

Deal FullDeal() {
  Deal d;
  d.id = 6;
  d.title = "Acme \"rollout\"\n\\ é";
  d.value = {125000, "EUR"};
  d.pipeline_id = 2;
  d.stage_id = 3;
  d.status = DealStatus::kLost;
  d.lost_reason = "Price";
  d.expected_close_date = MakeDate(2024, 2, 29);
  d.owner_id = 7;
  d.person_id = 5;
  d.org_id = 4;
  d.source = "web form";
  d.position = 1024;
  d.probability_override = 55;
  d.next_activity_date = MakeDate(2026, 12, 1);
  d.last_activity_at = Timestamp{kNow.millis + 250};
  d.stage_changed_at = Timestamp{0};
  d.closed_at = Timestamp{kNow.millis + 3'600'000};
  d.version = 12;
  d.created_at = Timestamp{-1};
  d.updated_at = kNow;
  return d;
}

TEST(WriteJsonTest, DealMatchesTheDocumentTree) {
  Deal half = FullDeal();
  half.position = 0.5;
  half.person_id.reset();
  half.closed_at.reset();
  half.lost_reason.clear();
  for (const Deal& d : {FullDeal(), Deal{}, half}) {
    std::string text = DealText(d);
    SCOPED_TRACE(text);
    json::value parsed = json::parse(text);
    json::value tree = DealTree(d);
    EXPECT_EQ(parsed, tree);
    std::vector<std::string> keys, tree_keys;
    for (const auto& m : parsed.as_object()) keys.emplace_back(m.key());
    for (const auto& m : tree.as_object()) tree_keys.emplace_back(m.key());
    EXPECT_EQ(keys, tree_keys);
    EXPECT_EQ(ToJson(d, JsonOut{kNow}), parsed);
  }
}

TEST(WriteJsonTest, DealText) {
  EXPECT_EQ(DealText(FullDeal()),
            R"({"id":6,"title":"Acme \"rollout\"\n\\ é","value_minor":125000,"currency":"EUR",)"
            R"("pipeline_id":2,"stage_id":3,"status":"lost","lost_reason":"Price",)"
            R"("expected_close_date":"2024-02-29","owner_id":7,"person_id":5,"org_id":4,)"
            R"("source":"web form","position":1024.0,"probability":55,)"
            R"("next_activity_date":"2026-12-01","last_activity_at":"2026-11-23T12:00:00.250Z",)"
            R"("stage_changed_at":"1970-01-01T00:00:00Z","closed_at":"2026-11-23T13:00:00Z",)"
            R"("version":12,"created_at":"1969-12-31T23:59:59.999Z",)"
            R"("updated_at":"2026-11-23T12:00:00Z"})");
  EXPECT_EQ(DealText(Deal{}),
            R"({"id":0,"title":"","value_minor":0,"currency":"","pipeline_id":0,"stage_id":0,)"
            R"("status":"open","lost_reason":null,"expected_close_date":null,"owner_id":0,)"
            R"("person_id":null,"org_id":null,"source":"","position":0.0,"probability":null,)"
            R"("next_activity_date":null,"last_activity_at":null,)"
            R"("stage_changed_at":"1970-01-01T00:00:00Z","closed_at":null,"version":1,)"
            R"("created_at":"1970-01-01T00:00:00Z","updated_at":"1970-01-01T00:00:00Z"})");
  Deal nan = FullDeal();
  nan.position = std::numeric_limits<double>::quiet_NaN();
  EXPECT_NE(DealText(nan).find(R"("position":null,)"), std::string::npos);
}

// Records nested in others and lists of them: a board, a timeline entry, a template.
TEST(WriteJsonTest, NestedRecordsAndArrays) {
  BoardView board;
  board.pipeline.id = 2;
  board.pipeline.name = "Sales";
  BoardColumnView column;
  column.stage.id = 3;
  column.stage.rotting_days = 14;
  column.deal_count = 2;
  column.totals = {{"EUR", 1, 100, 40}, {"USD", 1, 5, 2}};
  BoardCard card;
  card.deal = FullDeal();
  card.details = {"Acme", "Bob", "Ada"};
  card.probability = 40;
  card.overdue = true;
  column.cards = {card, card};
  column.cards[1].deal.person_id.reset();
  board.columns = {column, BoardColumnView{}};
  std::string text;
  JsonText w(text);
  WriteJson(board, JsonOut{kNow}, w);
  json::value b = json::parse(text);
  EXPECT_EQ(b.at("pipeline").at("name").as_string(), "Sales");
  const json::array& stages = b.at("stages").as_array();
  ASSERT_EQ(stages.size(), 2u);
  EXPECT_EQ(stages[0].at("stage").at("rotting_days"), 14);
  EXPECT_EQ(stages[0].at("totals").as_array().size(), 2u);
  EXPECT_EQ(stages[0].at("totals").at(1).at("currency"), "USD");
  EXPECT_EQ(stages[0].at("cards").at(0).at("person_name"), "Bob");
  EXPECT_TRUE(stages[0].at("cards").at(1).at("person_name").is_null());
  EXPECT_EQ(stages[0].at("cards").at(1).at("org_name"), "Acme");
  EXPECT_EQ(stages[0].at("cards").at(1).at("position"), 1024.0);
  EXPECT_NE(text.find(R"("totals":[],"cards":[]})"), std::string::npos) << text;

  TimelineEntry entry{kNow, StageEvent{}};
  EXPECT_EQ(ToJson(entry, JsonOut{kNow}).at("data").at("kind"), "created");
  EXPECT_EQ(ToJson(entry, JsonOut{kNow}).at("at"), "2026-11-23T12:00:00Z");

  NewToken token;
  token.token.id = 9;
  token.secret = "pd_secret";
  json::value t = ToJson(token, JsonOut{kNow});
  EXPECT_EQ(t.at("id"), 9);
  EXPECT_EQ(t.at("token"), "pd_secret");
  EXPECT_TRUE(t.at("last_used_at").is_null());
}

// ---- Reports as JSON --------------------------------------------------------------------------

template <typename T>
json::value Written(const T& report) {
  std::string text;
  JsonText w(text);
  WriteJson(report, JsonOut{kNow}, w);
  return json::parse(text);
}

Dashboard SampleDashboard() {
  Dashboard d;
  d.names.pipelines[1] = "Sales";
  d.names.stages[2] = "Lead";
  d.names.users[3] = "Ada";
  d.currency = "USD";
  d.period = {{*MakeDate(2026, 11, 1), *MakeDate(2026, 12, 1)}, PeriodUnit::kMonth};
  d.previous_period = {{*MakeDate(2026, 10, 1), *MakeDate(2026, 11, 1)}, PeriodUnit::kMonth};
  d.current.won_deals = 1;
  d.current.lost_deals = 1;
  d.current.win_rate = 0.5;
  d.previous.win_rate = 0.25;
  d.stages.push_back({2, 1, 3, 300, 120, 1.0});
  d.conversion.push_back({2, 1, 4, 2, 1, 0.5, std::nullopt});
  StageTime time;
  time.stage_id = 2;
  time.pipeline_id = 1;
  time.days = {3, 2.0, 2.0, 2.5, 2.8};
  d.time_in_stage.push_back(time);
  d.funnel.push_back({2, 1, 4, 1.0});
  d.funnel_created = 4;
  d.funnel_won = 1;
  d.lost.push_back({"Price", 2, 1, 100});
  LeaderboardRow row;
  row.owner_id = 3;
  row.name = "Ada";
  d.leaderboard.push_back(row);
  d.trend.push_back({*MakeDate(2026, 11, 1), 1, 1, 500, 0.5, std::nullopt});
  return d;
}

TEST(ReportJsonTest, Dashboard) {
  json::value d = Written(SampleDashboard());
  EXPECT_EQ(d.at("period"), json::parse(R"({"label":"2026-11","unit":"month",)"
                                        R"("from":"2026-11-01","to":"2026-12-01"})"));
  EXPECT_EQ(d.at("previous_period").at("label"), "2026-10");
  EXPECT_EQ(d.at("names"), json::parse(R"({"pipelines":{"1":"Sales"},"stages":{"2":"Lead"},)"
                                       R"("users":{"3":"Ada"},"teams":{}})"));
  EXPECT_EQ(d.at("currency"), "USD");
  EXPECT_EQ(d.at("current").at("win_rate"), 0.5);
  EXPECT_EQ(d.at("current").at("won_deals"), 1);
  EXPECT_TRUE(d.at("current").at("cycle_mean_days").is_null());
  EXPECT_TRUE(d.at("conversion").at(0).at("previous_rate").is_null());
  EXPECT_EQ(d.at("time_in_stage").at(0).at("days"),
            json::parse(R"({"count":3,"mean":2.0,"median":2.0,"p75":2.5,"p90":2.8})"));
  EXPECT_EQ(d.at("lost").at(0).at("reason"), "Price");
  EXPECT_EQ(d.at("trend").at(0).at("month"), "2026-11-01");
  EXPECT_TRUE(d.at("trend").at(0).at("velocity_per_day").is_null());
}

// A custom period's label shows its inclusive range; `to` stays exclusive.
TEST(ReportJsonTest, CustomPeriod) {
  Result<NamedPeriod> p = CustomPeriod(*MakeDate(2026, 11, 1), *MakeDate(2026, 12, 16));
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(Written(*p), json::parse(R"({"label":"2026-11-01..2026-12-15","unit":"custom",)"
                                     R"("from":"2026-11-01","to":"2026-12-16"})"));
}

// A part of the dashboard on its own: the header, then the part's figures as comparisons or its
// list (the CLI's single-metric reports).
TEST(ReportJsonTest, DashboardParts) {
  const Dashboard d = SampleDashboard();
  std::string text;
  JsonText w(text);
  WriteDashboardPart(d, DashboardPart::kWinRate, JsonOut{kNow}, w);
  json::value v = json::parse(text);
  std::vector<std::string> keys;
  for (const auto& m : v.as_object()) keys.emplace_back(m.key());
  EXPECT_EQ(keys,
            (std::vector<std::string>{"currency", "other_currency_deals", "period",
                                      "previous_period", "won_deals", "lost_deals", "win_rate"}));
  EXPECT_EQ(v.at("win_rate"), json::parse(R"({"current":0.5,"previous":0.25,"change":0.25,)"
                                          R"("change_percent":100.0})"));
  EXPECT_EQ(v.at("period"), Written(d).at("period"));

  text.clear();
  JsonText w2(text);
  WriteDashboardPart(d, DashboardPart::kFunnel, JsonOut{kNow}, w2);
  v = json::parse(text);
  EXPECT_EQ(v.at("funnel"), Written(d).at("funnel"));
  EXPECT_EQ(v.at("funnel_created"), 4);
  EXPECT_EQ(v.at("names"), Written(d).at("names"));
  EXPECT_FALSE(v.as_object().contains("stages"));
}

TEST(ReportJsonTest, DayPlanGroupWithoutADealHasNullIds) {
  DayPlan plan;
  plan.owner_id = 3;
  plan.day = *MakeDate(2026, 11, 23);
  DayPlanGroup no_deal;
  no_deal.today.push_back(Activity{});
  DayPlanGroup lead;
  lead.stage_id = 2;
  lead.pipeline_id = 1;
  lead.needs_next_step.push_back(FullDeal());
  plan.groups = {no_deal, lead};
  json::value v = Written(plan);
  EXPECT_EQ(v.at("day"), "2026-11-23");
  EXPECT_TRUE(v.at("groups").at(0).at("stage_id").is_null());
  EXPECT_TRUE(v.at("groups").at(0).at("pipeline_id").is_null());
  EXPECT_EQ(v.at("groups").at(0).at("today").as_array().size(), 1u);
  EXPECT_EQ(v.at("groups").at(1).at("stage_id"), 2);
  EXPECT_EQ(v.at("groups").at(1).at("needs_next_step").at(0), ToJson(FullDeal(), JsonOut{kNow}));
}

TEST(ReportJsonTest, HealthFlagsAndQuotaEnumsByName) {
  HealthReport report;
  HealthFinding finding;
  finding.flag = HealthFlag::kNoNextActivity;
  finding.stage_id = 4;
  FlaggedDeal deal;
  deal.deal_id = 9;
  deal.snooze =
      FlagSnooze{9, HealthFlag::kNoNextActivity, *MakeDate(2026, 12, 1), "waiting", 1, kNow};
  finding.snoozed.push_back(deal);
  report.findings.push_back(finding);
  json::value v = Written(report);
  EXPECT_EQ(v.at("findings").at(0).at("flag"), "no_next_activity");
  EXPECT_TRUE(v.at("findings").at(0).at("owner_id").is_null());
  EXPECT_EQ(v.at("findings").at(0).at("snoozed").at(0).at("snooze").at("until"), "2026-12-01");
  EXPECT_EQ(v.at("settings"), ToJson(HealthSettings{}, JsonOut{kNow}));

  QuotaReport quotas;
  quotas.day = *MakeDate(2026, 11, 23);
  QuotaStatus status;
  status.quota.scope = QuotaScope::kTeam;
  status.quota.team_id = 5;
  status.quota.metric = QuotaMetric::kDealsWon;
  status.quota.period = QuotaPeriod::kQuarter;
  status.period = {*MakeDate(2026, 10, 1), *MakeDate(2027, 1, 1)};
  quotas.items.push_back(status);
  json::value q = Written(quotas);
  EXPECT_EQ(q.at("items").at(0).at("quota").at("scope"), "team");
  EXPECT_EQ(q.at("items").at(0).at("quota").at("metric"), "deals_won");
  EXPECT_EQ(q.at("items").at(0).at("quota").at("period"), "quarter");
  EXPECT_TRUE(q.at("items").at(0).at("quota").at("currency").is_null());
  EXPECT_EQ(q.at("items").at(0).at("period"),
            json::parse(R"({"from":"2026-10-01","to":"2027-01-01"})"));
}

// Responses carry exactly the fields their schema documents, in the documented order.
TEST(WireSchemaTest, RecordsMatchTheirSchemas) {
  JsonOut out{kNow};
  auto expect_fields = [](std::string_view schema, const json::value& v) {
    SCOPED_TRACE(std::string(schema));
    const SchemaDoc* doc = nullptr;
    for (const SchemaDoc& d : WireSchemas()) {
      if (d.name == schema) doc = &d;
    }
    ASSERT_NE(doc, nullptr);
    std::vector<std::string> documented, sent;
    for (const WireField& f : doc->fields) {
      if (!(f.flags & kWriteOnly)) documented.emplace_back(f.name);
    }
    for (const auto& member : v.as_object()) sent.emplace_back(member.key());
    EXPECT_EQ(sent, documented);
  };
  expect_fields("User", ToJson(User{}, out));
  expect_fields("Token", ToJson(ApiToken{}, out));
  expect_fields("NewToken", ToJson(NewToken{}, out));
  expect_fields("Pipeline", ToJson(Pipeline{}, out));
  expect_fields("Stage", ToJson(Stage{}, out));
  expect_fields("Organization", ToJson(Organization{}, out));
  Person person;
  person.emails.emplace_back();
  expect_fields("Person", ToJson(person, out));
  expect_fields("ContactPoint", ToJson(person, out).at("emails").at(0));
  expect_fields("Deal", ToJson(Deal{}, out));
  expect_fields("StageEvent", ToJson(StageEvent{}, out));
  expect_fields("LostReason", ToJson(LostReason{}, out));
  expect_fields("Activity", ToJson(Activity{}, out));
  expect_fields("Note", ToJson(Note{}, out));
  TimelineEntry entry;
  entry.item = Note{};
  expect_fields("TimelineItem", ToJson(entry, out));
  BoardView board;
  board.columns.emplace_back();
  board.columns[0].totals.emplace_back();
  board.columns[0].cards.emplace_back();
  json::value b = ToJson(board, out);
  expect_fields("Board", b);
  expect_fields("BoardColumn", b.at("stages").at(0));
  expect_fields("CurrencyTotal", b.at("stages").at(0).at("totals").at(0));
  expect_fields("BoardCard", b.at("stages").at(0).at("cards").at(0));
  expect_fields("StageTemplate", ToJson(StageTemplates().front(), out));
  expect_fields("StageTemplateStage", ToJson(StageTemplates().front(), out).at("stages").at(0));
  expect_fields("Team", ToJson(Team{}, out));
  expect_fields("Quota", ToJson(Quota{}, out));
  expect_fields("FlagSnooze", ToJson(FlagSnooze{}, out));
  expect_fields("HealthSettings", ToJson(HealthSettings{}, out));

  // The reports, with one item in every list.
  json::value d = Written(SampleDashboard());
  expect_fields("Dashboard", d);
  expect_fields("ReportNames", d.at("names"));
  expect_fields("NamedPeriod", d.at("period"));
  expect_fields("HeadlineFigures", d.at("current"));
  expect_fields("StageSnapshot", d.at("stages").at(0));
  expect_fields("StageConversion", d.at("conversion").at(0));
  expect_fields("StageTime", d.at("time_in_stage").at(0));
  expect_fields("Distribution", d.at("time_in_stage").at(0).at("days"));
  expect_fields("FunnelStep", d.at("funnel").at(0));
  expect_fields("LostBreakdown", d.at("lost").at(0));
  expect_fields("LeaderboardRow", d.at("leaderboard").at(0));
  expect_fields("TrendPoint", d.at("trend").at(0));

  Forecast forecast;
  forecast.months.emplace_back();
  forecast.probabilities.emplace_back();
  forecast.accuracy.emplace_back();
  json::value f = Written(forecast);
  expect_fields("Forecast", f);
  expect_fields("ForecastMonth", f.at("months").at(0));
  expect_fields("ForecastBucket", f.at("overdue"));
  expect_fields("StageProbability", f.at("probabilities").at(0));
  expect_fields("ForecastAccuracy", f.at("accuracy").at(0));
  expect_fields("VelocityFactors", f.at("velocity_factors"));
  expect_fields("Comparison", f.at("velocity_per_day"));

  QuotaReport quotas;
  quotas.items.emplace_back();
  json::value q = Written(quotas);
  expect_fields("QuotaReport", q);
  expect_fields("QuotaStatus", q.at("items").at(0));
  expect_fields("Period", q.at("items").at(0).at("period"));

  json::value plan = Written(PipelinePlan{});
  expect_fields("PipelinePlan", plan);
  expect_fields("PlannerInput", plan.at("input"));
  expect_fields("PlannerResult", plan.at("result"));

  HealthReport health;
  health.findings.emplace_back();
  health.findings[0].deals.emplace_back();
  json::value h = Written(health);
  expect_fields("HealthReport", h);
  expect_fields("HealthFinding", h.at("findings").at(0));
  expect_fields("FlaggedDeal", h.at("findings").at(0).at("deals").at(0));

  DayPlan day;
  day.groups.emplace_back();
  json::value p = Written(day);
  expect_fields("DayPlan", p);
  expect_fields("DayPlanGroup", p.at("groups").at(0));
}

}  // namespace
}  // namespace pipedeck
