#include "api/routes.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "api/errors.h"
#include "api/json_export.h"
#include "api/json_mapping.h"
#include "api/json_text.h"
#include "api/report_json.h"
#include "api/request_parts.h"
#include "core/sign_in_rules.h"
#include "core/stage_templates.h"
#include "service/secrets.h"

namespace pipedeck {

// Everything a handler may use to answer one request.
struct RequestContext {
  Workspace& ws;
  Accounts& accounts;
  Analytics& analytics;
  const Route& route;
  const HttpRequest& request;
  const User* actor;        // the caller; nullptr on routes that need no caller
  const Session* session;   // the caller's session when signed in by cookie, else nullptr
  std::vector<Id> ids;  // path ids, in path order
  QueryArgs query;
  std::optional<int64_t> if_version;  // from If-Match
  JsonOut out;
  const std::string& openapi;
  BoardCache& boards;

  Id id(size_t i = 0) const { return ids[i]; }
};

// A successful answer; its status is the route's success_status.
struct Reply {
  std::string body;             // the serialised JSON body
  std::optional<int64_t> etag;  // the record's version
  std::string location;         // creates: where the new record lives
  bool event_stream = false;    // GET /api/events: the connection becomes an event stream
  std::string content_type;     // empty: JSON
  std::string filename;         // downloads: the name to save the body as
  std::string set_cookie;       // a Set-Cookie header value (sign-in, sign-out)
};

namespace {

// ---- Replies -----------------------------------------------------------------------------------

// Initial capacity of a response body: one record fits in the first, a list page grows from the
// second by about a deal's size per item, so that a page is written without reallocating.
constexpr size_t kRecordReserve = 1024;
constexpr size_t kListReserve = 4096;
constexpr size_t kListItemReserve = 768;

// A body of one JSON object written by `write(JsonText&)`.
template <typename Write>
Reply ObjectReply(size_t reserve, Write&& write) {
  Reply reply;
  reply.body.reserve(reserve);
  JsonText w(reply.body);
  write(w);
  return reply;
}

template <typename T>
Reply RecordReply(const RequestContext& c, const T& record) {
  Reply reply = ObjectReply(kRecordReserve, [&](JsonText& w) { WriteJson(record, c.out, w); });
  reply.etag = record.version;
  return reply;
}

// A created record: its own path is the collection path plus its id.
template <typename T>
Reply CreatedReply(const RequestContext& c, const T& record) {
  Reply reply = RecordReply(c, record);
  reply.location = std::string(c.route.path) + "/" + std::to_string(record.id);
  return reply;
}

// A body written before (the OpenAPI document, a kept board).
Reply TextReply(std::string body) {
  Reply reply;
  reply.body = std::move(body);
  return reply;
}

Reply DeletedReply(Id id) {
  return ObjectReply(64, [&](JsonText& w) {
    w.BeginObject().Key("id").Int(id).Key("deleted").Bool(true).EndObject();
  });
}

// {"items": [...]} plus "next_cursor" for collections (null on the last page).
template <typename T>
Reply ItemsReply(const RequestContext& c, const std::vector<T>& items,
                 std::optional<std::string_view> next_cursor) {
  return ObjectReply(kListReserve + items.size() * kListItemReserve, [&](JsonText& w) {
    w.BeginObject().Key("items").BeginArray();
    for (const T& item : items) WriteJson(item, c.out, w);
    w.EndArray();
    if (next_cursor) {
      w.Key("next_cursor");
      if (next_cursor->empty()) {
        w.Null();
      } else {
        w.String(*next_cursor);
      }
    }
    w.EndObject();
  });
}

// ---- Generic record handlers -------------------------------------------------------------------
// Instantiated per record type with the Workspace use case they call.

template <auto kGet>
Result<Reply> GetOne(RequestContext& c) {
  PD_ASSIGN_OR_RETURN(auto record, (c.ws.*kGet)(c.id()));
  return RecordReply(c, record);
}

template <auto kList>
Result<Reply> ListPage(RequestContext& c) {
  PD_ASSIGN_OR_RETURN(auto page, (c.ws.*kList)(c.query.list));
  return ItemsReply(c, page.items, std::string_view(page.next_cursor));
}

template <typename Input, auto kCreate>
Result<Reply> CreateOne(RequestContext& c) {
  Input in;
  PD_RETURN_IF_ERROR(ReadBody(c.request.body, BodyMode::kCreate, &in));
  PD_ASSIGN_OR_RETURN(auto record, (c.ws.*kCreate)(*c.actor, in));
  return CreatedReply(c, record);
}

template <typename Input, auto kUpdate>
Result<Reply> UpdateOne(RequestContext& c) {
  Input in;
  PD_RETURN_IF_ERROR(ReadBody(c.request.body, BodyMode::kUpdate, &in));
  PD_ASSIGN_OR_RETURN(auto record, (c.ws.*kUpdate)(*c.actor, c.id(), in, c.if_version));
  return RecordReply(c, record);
}

template <auto kDelete>
Result<Reply> DeleteOne(RequestContext& c) {
  PD_RETURN_IF_ERROR((c.ws.*kDelete)(*c.actor, c.id(), c.if_version));
  return DeletedReply(c.id());
}

// Use cases on one record that take no parameters (deactivate a user, win or reopen a deal).
template <auto kAction>
Result<Reply> ActOn(RequestContext& c) {
  EmptyInput in;
  PD_RETURN_IF_ERROR(ReadBody(c.request.body, BodyMode::kCreate, &in));
  PD_ASSIGN_OR_RETURN(auto record, (c.ws.*kAction)(*c.actor, c.id(), c.if_version));
  return RecordReply(c, record);
}

// ---- Handlers with their own shape
// ---------------------------------------------------------------

Result<Reply> Health(RequestContext& c) {
  return ObjectReply(64, [](JsonText& w) {
    w.BeginObject().Key("status").String("ok").Key("version").String(PIPEDECK_VERSION).EndObject();
  });
}

Result<Reply> OpenApi(RequestContext& c) { return TextReply(c.openapi); }

Result<Reply> Me(RequestContext& c) { return RecordReply(c, *c.actor); }

// ---- Sign-in and passwords ----------------------------------------------------------------------

// The session cookie: HttpOnly (scripts never see it), SameSite=Lax (other sites' pages do not
// send it with their requests), Secure over TLS; it lasts as long as a session can.
constexpr std::string_view kSessionCookie = "pipedeck_session";

std::string SessionCookie(std::string_view secret, int64_t max_age_seconds, bool https) {
  std::string cookie(kSessionCookie);
  cookie += '=';
  cookie += secret;
  cookie += "; Path=/; HttpOnly; SameSite=Lax; Max-Age=" + std::to_string(max_age_seconds);
  if (https) cookie += "; Secure";
  return cookie;
}

Reply SessionReply(const RequestContext& c, const User& user, const Session& session) {
  SessionView view{user, session.csrf_token,
                   SessionExpiry(session.created_at, session.last_seen_at)};
  return ObjectReply(kRecordReserve, [&](JsonText& w) { WriteJson(view, c.out, w); });
}

Result<Reply> SignIn(RequestContext& c) {
  SignInInput in;
  PD_RETURN_IF_ERROR(ReadBody(c.request.body, BodyMode::kCreate, &in));
  PD_ASSIGN_OR_RETURN(SignedIn signed_in,
                      c.accounts.SignIn(*in.email, *in.password, c.request.client_address,
                                        CookieValue(c.request.cookie, kSessionCookie)));
  Reply reply = SessionReply(c, signed_in.user, signed_in.session);
  reply.set_cookie = SessionCookie(signed_in.secret, kSessionMaxMillis / 1000, c.request.https);
  return reply;
}

Status RequireSession(const RequestContext& c) {
  if (c.session != nullptr) return Status::Ok();
  return Status::Conflict(
      "this request was made with an API token, not a browser session; tokens are revoked "
      "instead (DELETE /api/users/{id}/tokens/{token_id})");
}

Result<Reply> GetSession(RequestContext& c) {
  PD_RETURN_IF_ERROR(RequireSession(c));
  return SessionReply(c, *c.actor, *c.session);
}

Result<Reply> SignOut(RequestContext& c) {
  PD_RETURN_IF_ERROR(RequireSession(c));
  PD_RETURN_IF_ERROR(c.accounts.SignOut(CookieValue(c.request.cookie, kSessionCookie)));
  Reply reply = ObjectReply(64, [](JsonText& w) {
    w.BeginObject().Key("signed_out").Bool(true).EndObject();
  });
  reply.set_cookie = SessionCookie("", 0, c.request.https);
  return reply;
}

Result<Reply> ChangePassword(RequestContext& c) {
  PasswordChangeInput in;
  PD_RETURN_IF_ERROR(ReadBody(c.request.body, BodyMode::kCreate, &in));
  PD_RETURN_IF_ERROR(c.accounts.ChangePassword(
      *c.actor, in.current_password.value_or(""), *in.new_password,
      c.session != nullptr ? std::optional<Id>(c.session->id) : std::nullopt));
  return ObjectReply(64, [](JsonText& w) {
    w.BeginObject().Key("password_changed").Bool(true).EndObject();
  });
}

Result<Reply> TransferOwnership(RequestContext& c) {
  TransferInput in;
  PD_RETURN_IF_ERROR(ReadBody(c.request.body, BodyMode::kCreate, &in));
  PD_ASSIGN_OR_RETURN(Workspace::OwnershipTransfer moved,
                      c.ws.TransferOwnership(*c.actor, c.id(), *in.to_user_id));
  return ObjectReply(128, [&](JsonText& w) { WriteJson(moved, c.out, w); });
}

Result<Reply> StartPasswordReset(RequestContext& c) {
  EmptyInput none;
  PD_RETURN_IF_ERROR(ReadBody(c.request.body, BodyMode::kCreate, &none));
  PD_ASSIGN_OR_RETURN(NewPasswordReset reset, c.accounts.StartPasswordReset(*c.actor, c.id()));
  return ObjectReply(kRecordReserve, [&](JsonText& w) { WriteJson(reset, c.out, w); });
}

Result<Reply> CompletePasswordReset(RequestContext& c) {
  PasswordResetInput in;
  PD_RETURN_IF_ERROR(ReadBody(c.request.body, BodyMode::kCreate, &in));
  PD_RETURN_IF_ERROR(c.accounts.CompletePasswordReset(*in.code, *in.new_password));
  return ObjectReply(64, [](JsonText& w) {
    w.BeginObject().Key("password_changed").Bool(true).EndObject();
  });
}

// ---- Audit log ------------------------------------------------------------------------------------

// The log's filters from the query; `cursor` is the id of the last entry of the previous page.
Result<AuditQuery> AuditQueryOf(const QueryArgs& args) {
  AuditQuery q;
  q.object = args.object;
  q.record_id = args.record_id;
  q.user_id = args.list.user_id;
  if (args.from) q.from = StartOf(*args.from);
  if (args.to) q.to = StartOf(*args.to);
  q.limit = args.list.limit;
  if (!args.list.cursor.empty()) {
    std::optional<Id> before = ParsePathId(args.list.cursor);
    if (!before) return Status::Invalid("cursor", "is not a cursor of this list");
    q.before_id = before;
  }
  return q;
}

Result<Reply> AuditReply(RequestContext& c, const AuditQuery& q) {
  PD_ASSIGN_OR_RETURN(std::vector<AuditEntry> entries, c.ws.AuditLog(*c.actor, q));
  const std::string next = static_cast<int>(entries.size()) == q.limit
                               ? std::to_string(entries.back().id)
                               : std::string();
  return ItemsReply(c, entries, next);
}

Result<Reply> ListAudit(RequestContext& c) {
  PD_ASSIGN_OR_RETURN(AuditQuery q, AuditQueryOf(c.query));
  return AuditReply(c, q);
}

// The deal must exist (the log of a deleted deal is in /api/audit, for admins).
Result<Reply> DealAudit(RequestContext& c) {
  PD_RETURN_IF_ERROR(c.ws.GetDeal(c.id()).status());
  PD_ASSIGN_OR_RETURN(AuditQuery q, AuditQueryOf(c.query));
  q.object = "deal";
  q.record_id = c.id();
  return AuditReply(c, q);
}

Result<Reply> ListTokens(RequestContext& c) {
  PD_ASSIGN_OR_RETURN(auto tokens, c.ws.ListTokens(*c.actor, c.id()));
  return ItemsReply(c, tokens, std::string_view());
}

Result<Reply> CreateToken(RequestContext& c) {
  TokenInput in;
  if (!c.request.body.empty()) {
    PD_RETURN_IF_ERROR(ReadBody(c.request.body, BodyMode::kCreate, &in));
  }
  PD_ASSIGN_OR_RETURN(NewToken token, c.ws.CreateToken(*c.actor, c.id(), in.name.value_or("")));
  Reply reply = ObjectReply(kRecordReserve, [&](JsonText& w) { WriteJson(token, c.out, w); });
  reply.location =
      "/api/users/" + std::to_string(c.id()) + "/tokens/" + std::to_string(token.token.id);
  return reply;
}

Result<Reply> RevokeToken(RequestContext& c) {
  PD_RETURN_IF_ERROR(c.ws.RevokeToken(*c.actor, c.id(0), c.id(1)));
  return DeletedReply(c.id(1));
}

Result<Reply> CreatePipeline(RequestContext& c) {
  PipelineInput in;
  PD_RETURN_IF_ERROR(ReadBody(c.request.body, BodyMode::kCreate, &in));
  PD_ASSIGN_OR_RETURN(Pipeline pipeline,
                      c.ws.CreatePipeline(*c.actor, in, in.template_key.value_or("")));
  return CreatedReply(c, pipeline);
}

// Everything a rendered board depends on besides its version and the clock: the whole query.
std::string BoardKey(const BoardQuery& q) {
  std::string key = std::to_string(q.pipeline_id);
  key += "/cards=" + std::to_string(q.card_limit);
  if (q.owner_id) key += "/owner=" + std::to_string(*q.owner_id);
  key += "/text=" + q.text;  // last: it may contain anything
  return key;
}

// Boards differ by who looks: a rep's board of a pipeline holds only what they may see.
std::string ViewerBoardKey(const RequestContext& c, const BoardQuery& q) {
  return c.ws.ViewKey() + "|" + BoardKey(q);
}

// A board kept from an earlier request (BoardCache) is sent again while its version is current
// and no card's flag has turned since; otherwise the board is read, rendered and kept.
Result<Reply> Board(RequestContext& c) {
  BoardQuery q;
  q.pipeline_id = c.id();
  q.card_limit = c.query.cards;
  q.owner_id = c.query.list.owner_id;
  q.text = c.query.list.text;
  const std::string key = ViewerBoardKey(c, q);
  PD_ASSIGN_OR_RETURN(int64_t version, c.ws.BoardVersion(q.pipeline_id));
  if (std::shared_ptr<const std::string> kept = c.boards.Find(key, version, c.out.now)) {
    return TextReply(*kept);
  }
  PD_ASSIGN_OR_RETURN(BoardView board, c.ws.Board(q));
  size_t cards = 0;
  for (const BoardColumnView& column : board.columns) cards += 1 + column.cards.size();
  Reply reply = ObjectReply(kListReserve + cards * kListItemReserve,
                            [&](JsonText& w) { WriteJson(board, c.out, w); });
  c.boards.Put(key, board.version, board.fresh_until,
               std::make_shared<const std::string>(reply.body));
  return reply;
}

Result<Reply> StageCards(RequestContext& c) {
  PD_ASSIGN_OR_RETURN(CardPage page, c.ws.StageCards(c.id(), c.query.list));
  return ItemsReply(c, page.items, std::string_view(page.next_cursor));
}

Result<Reply> Settings(RequestContext& c) {
  PD_ASSIGN_OR_RETURN(WorkspaceSettings settings, c.ws.Settings());
  return ObjectReply(64, [&](JsonText& w) { WriteJson(settings, c.out, w); });
}

// The stream itself is written by the HTTP server (http_server.cc, EventHub); here the request
// has passed authentication.
Result<Reply> Events(RequestContext&) {
  Reply reply;
  reply.event_stream = true;
  return reply;
}

Result<Reply> ListStageTemplates(RequestContext& c) {
  return ItemsReply(c, StageTemplates(), std::nullopt);
}

Result<Reply> CreateStage(RequestContext& c) {
  StageInput in;
  PD_RETURN_IF_ERROR(ReadBody(c.request.body, BodyMode::kCreate, &in));
  PD_ASSIGN_OR_RETURN(Stage stage, c.ws.CreateStage(*c.actor, *in.pipeline_id, in));
  return CreatedReply(c, stage);
}

Result<Reply> DeleteStage(RequestContext& c) {
  PD_RETURN_IF_ERROR(c.ws.DeleteStage(*c.actor, c.id(), c.query.move_deals_to, c.if_version));
  return DeletedReply(c.id());
}

Result<Reply> MoveDeal(RequestContext& c) {
  MoveInput in;
  PD_RETURN_IF_ERROR(ReadBody(c.request.body, BodyMode::kCreate, &in));
  PD_ASSIGN_OR_RETURN(Deal deal,
                      c.ws.MoveDeal(*c.actor, c.id(), *in.stage_id, in.index, c.if_version));
  return RecordReply(c, deal);
}

Result<Reply> MarkLost(RequestContext& c) {
  LostInput in;
  PD_RETURN_IF_ERROR(ReadBody(c.request.body, BodyMode::kCreate, &in));
  PD_ASSIGN_OR_RETURN(Deal deal, c.ws.MarkLost(*c.actor, c.id(), in.lost_reason.value_or(""),
                                               in.lost_reason_id, c.if_version));
  return RecordReply(c, deal);
}

Result<Reply> DealHistory(RequestContext& c) {
  PD_ASSIGN_OR_RETURN(auto events, c.ws.DealHistory(c.id()));
  return ItemsReply(c, events, std::nullopt);
}

Result<Reply> DealTimeline(RequestContext& c) {
  PD_ASSIGN_OR_RETURN(auto entries, c.ws.DealTimeline(c.id()));
  return ItemsReply(c, entries, std::nullopt);
}

// ---- Pipeline health: snoozes, thresholds, bulk cleanup ----------------------------------------

Result<Reply> ListSnoozes(RequestContext& c) {
  PD_ASSIGN_OR_RETURN(auto snoozes, c.ws.SnoozesOfDeal(c.id()));
  return ItemsReply(c, snoozes, std::nullopt);
}

// A snooze has no path of its own: it is read back in its deal's list.
Result<Reply> SnoozeFlag(RequestContext& c) {
  SnoozeInput in;
  PD_RETURN_IF_ERROR(ReadBody(c.request.body, BodyMode::kCreate, &in));
  PD_ASSIGN_OR_RETURN(FlagSnooze snooze,
                      c.ws.SnoozeFlag(*c.actor, c.id(), *in.flag, *in.until, *in.reason));
  Reply reply = ObjectReply(kRecordReserve, [&](JsonText& w) { WriteJson(snooze, c.out, w); });
  reply.location = "/api/deals/" + std::to_string(c.id()) + "/snoozes";
  return reply;
}

Result<Reply> UnsnoozeFlag(RequestContext& c) {
  const HealthFlag flag = *c.query.flag;  // a required parameter
  PD_RETURN_IF_ERROR(c.ws.UnsnoozeFlag(*c.actor, c.id(), flag));
  return ObjectReply(96, [&](JsonText& w) {
    w.BeginObject().Key("deal_id").Int(c.id()).Key("flag").String(HealthFlagName(flag));
    w.Key("deleted").Bool(true).EndObject();
  });
}

Result<Reply> SettingsReply(const RequestContext& c, const HealthSettings& settings) {
  return ObjectReply(kRecordReserve, [&](JsonText& w) { WriteJson(settings, c.out, w); });
}

Result<Reply> GetHealthSettings(RequestContext& c) {
  PD_ASSIGN_OR_RETURN(HealthSettings settings, c.ws.GetHealthSettings());
  return SettingsReply(c, settings);
}

// The fields sent replace those of the current settings; the whole result is validated and stored.
Result<Reply> UpdateHealthSettings(RequestContext& c) {
  HealthSettingsPatch patch;
  PD_RETURN_IF_ERROR(ReadBody(c.request.body, BodyMode::kUpdate, &patch));
  PD_ASSIGN_OR_RETURN(HealthSettings current, c.ws.GetHealthSettings());
  PD_ASSIGN_OR_RETURN(HealthSettings updated,
                      c.ws.UpdateHealthSettings(*c.actor, Apply(std::move(current), patch)));
  return SettingsReply(c, updated);
}

template <typename T>
Reply BulkReply(BulkAction action, const RequestContext& c, const std::vector<T>& items) {
  return ObjectReply(kListReserve + items.size() * kListItemReserve, [&](JsonText& w) {
    w.BeginObject().Key("action").String(BulkActionName(action)).Key("items").BeginArray();
    for (const T& item : items) WriteJson(item, c.out, w);
    w.EndArray().EndObject();
  });
}

Result<Reply> BulkDeals(RequestContext& c) {
  BulkInput in;
  PD_RETURN_IF_ERROR(ReadBody(c.request.body, BodyMode::kCreate, &in));
  const std::vector<Id>& ids = *in.deal_ids;
  switch (*in.action) {
    case BulkAction::kReassign: {
      PD_ASSIGN_OR_RETURN(auto deals, c.ws.BulkReassign(*c.actor, ids, *in.owner_id));
      return BulkReply(*in.action, c, deals);
    }
    case BulkAction::kLastChance: {
      PD_ASSIGN_OR_RETURN(auto activities,
                          c.ws.BulkLastChance(*c.actor, ids, in.due_date, in.subject.value_or("")));
      return BulkReply(*in.action, c, activities);
    }
    case BulkAction::kMarkLost: {
      PD_ASSIGN_OR_RETURN(auto deals, c.ws.BulkMarkLost(*c.actor, ids, in.lost_reason.value_or(""),
                                                        in.lost_reason_id));
      return BulkReply(*in.action, c, deals);
    }
  }
  return Status::Internal("unhandled bulk action");
}

// ---- CSV import and export ---------------------------------------------------------------------

// The request body is the file; the import runs in the writer thread that handles the request.
template <ImportObject kObject>
Result<Reply> ImportFile(RequestContext& c) {
  ImportOptions options;
  options.object = kObject;
  options.dry_run = c.query.dry_run;
  options.mapping = c.query.column_map;
  std::string_view unread = c.request.body;
  auto source = [&unread](char* buffer, size_t capacity) -> Result<size_t> {
    const size_t n = std::min(capacity, unread.size());
    std::copy_n(unread.data(), n, buffer);
    unread.remove_prefix(n);
    return n;
  };
  PD_ASSIGN_OR_RETURN(ImportReport report, c.ws.ImportCsv(*c.actor, options, source));
  return ObjectReply(kListReserve, [&](JsonText& w) { WriteJson(report, c.out, w); });
}

template <ImportObject kObject>
Result<Reply> ExportFile(RequestContext& c) {
  Reply reply;
  auto sink = [&reply](std::string_view text) {
    reply.body.append(text);
    return Status::Ok();
  };
  const std::string name = ImportObjectName(kObject);
  if (c.query.format == ExportFormat::kJson) {
    PD_RETURN_IF_ERROR(ExportJson(c.ws, kObject, c.out, sink));
    reply.filename = name + ".json";
  } else {
    PD_RETURN_IF_ERROR(c.ws.ExportCsv(kObject, sink));
    reply.content_type = "text/csv; charset=utf-8";
    reply.filename = name + ".csv";
  }
  return reply;
}

// ---- Analytics ---------------------------------------------------------------------------------

template <typename Report>
Reply ReportReply(const RequestContext& c, const Report& report) {
  return ObjectReply(kListReserve, [&](JsonText& w) { WriteJson(report, c.out, w); });
}

// The report's scope as asked, narrowed to what the caller may see.
Result<AnalyticsScope> ScopeOf(const RequestContext& c) {
  PD_ASSIGN_OR_RETURN(AnalyticsScope scope, ReportScope(c.query, DateOf(c.out.now)));
  PD_RETURN_IF_ERROR(c.ws.LimitReportScope(*c.actor, &scope.owner_id, &scope.team_id));
  return scope;
}

Result<Reply> AnalyticsDashboard(RequestContext& c) {
  PD_ASSIGN_OR_RETURN(AnalyticsScope scope, ScopeOf(c));
  PD_ASSIGN_OR_RETURN(Dashboard dashboard, c.analytics.GetDashboard(scope));
  return ReportReply(c, dashboard);
}

Result<Reply> AnalyticsForecast(RequestContext& c) {
  PD_ASSIGN_OR_RETURN(AnalyticsScope scope, ScopeOf(c));
  PD_ASSIGN_OR_RETURN(Forecast forecast, c.analytics.GetForecast(scope, c.query.months));
  return ReportReply(c, forecast);
}

// Taking a snapshot changes what forecast accuracy is measured against: not for reps.
Result<Reply> TakeForecastSnapshot(RequestContext& c) {
  EmptyInput in;
  PD_RETURN_IF_ERROR(ReadBody(c.request.body, BodyMode::kCreate, &in));
  if (c.actor->role == Role::kRep) {
    return Status::Forbidden("only admins and managers can take forecast snapshots");
  }
  PD_ASSIGN_OR_RETURN(bool taken, c.analytics.TakeForecastSnapshot());
  return ObjectReply(32,
                     [&](JsonText& w) { w.BeginObject().Key("taken").Bool(taken).EndObject(); });
}

Result<Reply> AnalyticsQuotas(RequestContext& c) {
  PD_ASSIGN_OR_RETURN(AnalyticsScope scope, ScopeOf(c));
  QuotaReport report;
  report.day = c.query.day.value_or(DateOf(c.out.now));
  PD_ASSIGN_OR_RETURN(report.items, c.analytics.GetQuotas(scope, report.day));
  return ReportReply(c, report);
}

// Analytics names the planner's inputs after the planner ("target", "average_deal_size"); the
// request names them after their units.
Status WithPlannerParamNames(const Status& s) {
  if (s.code() != ErrorCode::kInvalid) return s;
  if (s.field() == "target") return Status::Invalid("target_minor", s.message());
  if (s.field() == "average_deal_size") return Status::Invalid("average_deal_minor", s.message());
  return s;
}

Result<Reply> AnalyticsPlan(RequestContext& c) {
  PD_ASSIGN_OR_RETURN(AnalyticsScope scope, ScopeOf(c));
  PlannerRequest request;
  request.target_minor = *c.query.target_minor;  // a required parameter
  request.average_deal_minor = c.query.average_deal_minor;
  request.close_rate_bp = c.query.close_rate_bp;
  request.reps = c.query.reps;
  Result<PipelinePlan> plan = c.analytics.GetPlan(scope, request);
  if (!plan.ok()) return WithPlannerParamNames(plan.status());
  return ReportReply(c, *plan);
}

Result<Reply> AnalyticsHealth(RequestContext& c) {
  PD_ASSIGN_OR_RETURN(AnalyticsScope scope, ScopeOf(c));
  PD_ASSIGN_OR_RETURN(HealthReport report, c.analytics.GetHealth(scope));
  return ReportReply(c, report);
}

Result<Reply> AnalyticsDayPlan(RequestContext& c) {
  std::optional<Id> owner = c.query.list.owner_id.value_or(c.actor->id);
  std::optional<Id> no_team;
  PD_RETURN_IF_ERROR(c.ws.LimitReportScope(*c.actor, &owner, &no_team));
  PD_ASSIGN_OR_RETURN(DayPlan plan, c.analytics.GetDayPlan(owner.value_or(c.actor->id)));
  return ReportReply(c, plan);
}

// ---- The route table ---------------------------------------------------------------------------

// Query parameters of the routes that take any.
struct QuerySpecs {
  // The audit log is always newest first: no sort.
  QuerySpec audit = {{Param::kLimit, Param::kCursor, Param::kObject, Param::kRecordId,
                      Param::kUserId, Param::kFrom, Param::kTo},
                     {},
                     {}};
  QuerySpec deal_audit = {{Param::kLimit, Param::kCursor, Param::kUserId, Param::kFrom, Param::kTo},
                          {},
                          {}};
  QuerySpec users = ListSpec({Param::kTeamId}, {{"id", SortField::kId},
                                                {"name", SortField::kName},
                                                {"created_at", SortField::kCreatedAt},
                                                {"updated_at", SortField::kUpdatedAt}});
  // Pipelines, stages and lost reasons keep an explicit `order`; the store sorts by it when
  // asked for SortField::kPosition.
  QuerySpec pipelines = ListSpec(
      {}, {{"order", SortField::kPosition}, {"id", SortField::kId}, {"name", SortField::kName}});
  QuerySpec stages =
      ListSpec({Param::kPipelineId}, {{"order", SortField::kPosition}, {"id", SortField::kId}});
  QuerySpec teams = PageSpec({Param::kText}, {{"id", SortField::kId}, {"name", SortField::kName}});
  QuerySpec quotas =
      PageSpec({Param::kUserId, Param::kTeamId, Param::kPipelineId}, {{"id", SortField::kId}});
  QuerySpec organizations = ListSpec({Param::kOwnerId}, users.sorts);
  QuerySpec persons = ListSpec({Param::kOwnerId, Param::kOrgId}, users.sorts);
  QuerySpec deals = ListSpec({Param::kPipelineId, Param::kStageId, Param::kOwnerId, Param::kStatus,
                              Param::kPersonId, Param::kOrgId, Param::kHasNextActivity},
                             {{"id", SortField::kId},
                              {"title", SortField::kName},
                              {"value", SortField::kValue},
                              {"created_at", SortField::kCreatedAt},
                              {"updated_at", SortField::kUpdatedAt},
                              {"expected_close_date", SortField::kExpectedCloseDate},
                              {"position", SortField::kPosition}});
  QuerySpec activities = ListSpec({Param::kOwnerId, Param::kDealId, Param::kPersonId, Param::kOrgId,
                                   Param::kDone, Param::kDueFrom, Param::kDueTo},
                                  {{"id", SortField::kId},
                                   {"due_date", SortField::kDueDate},
                                   {"created_at", SortField::kCreatedAt},
                                   {"updated_at", SortField::kUpdatedAt}});
  QuerySpec notes = ListSpec({Param::kDealId, Param::kPersonId, Param::kOrgId, Param::kUserId},
                             {{"id", SortField::kId},
                              {"created_at", SortField::kCreatedAt},
                              {"updated_at", SortField::kUpdatedAt}});
  QuerySpec lost_reasons = ListSpec(
      {}, {{"order", SortField::kPosition}, {"id", SortField::kId}, {"label", SortField::kName}});
  QuerySpec board = {{Param::kCards, Param::kOwnerId, Param::kText}, {}, {}};
  QuerySpec stage_cards = {{Param::kLimit, Param::kCursor, Param::kOwnerId, Param::kText}, {}, {}};
  QuerySpec stage_delete = {{Param::kMoveDealsTo}, {}, {}};
  QuerySpec snooze_delete = {{Param::kFlag}, {}, {Param::kFlag}};
  QuerySpec dashboard = ReportSpec({});
  QuerySpec forecast = ReportSpec({Param::kMonths});
  QuerySpec quota_report = ReportSpec({Param::kDay});
  QuerySpec plan =
      ReportSpec({Param::kTargetMinor, Param::kAverageDealMinor, Param::kCloseRate, Param::kReps},
                 {Param::kTargetMinor});
  QuerySpec health = ReportSpec({});
  // GetDayPlan is about one rep's day: no other scope or period applies.
  QuerySpec day_plan = {{Param::kOwnerId}, {}, {}};
  QuerySpec import_file = {{Param::kDryRun, Param::kColumnMap}, {}, {}};
  QuerySpec export_file = {{Param::kFormat}, {}, {}};
};

using W = Workspace;
constexpr Method kGet = Method::kGet;
constexpr Method kPost = Method::kPost;
constexpr Method kPatch = Method::kPatch;
constexpr Method kDelete = Method::kDelete;
constexpr ImportObject kDealFile = ImportObject::kDeals;
constexpr ImportObject kPersonFile = ImportObject::kPersons;
constexpr ImportObject kOrganizationFile = ImportObject::kOrganizations;
constexpr ImportObject kActivityFile = ImportObject::kActivities;
constexpr ImportObject kNoteFile = ImportObject::kNotes;
constexpr std::string_view kImportSummary =
    "Import a CSV file (the body): rows create or update records (by id, external id, email or "
    "name), bad rows are reported; `dry_run=true` changes nothing";
constexpr std::string_view kExportSummary =
    "Every record as a file: re-importable CSV, or a JSON array of the API's records";

std::vector<Route> BuildRoutes(const QuerySpecs& q) {
  return {
      {kGet, "/api/health", "health", "Liveness and version", false, "", "Health", 200, nullptr,
       Health},
      {kGet, "/api/openapi.json", "openapi", "This API description (OpenAPI 3.0)", false, "", "",
       200, nullptr, OpenApi},

      {kPost, "/api/auth/sign-in", "signIn",
       "Sign in with email and password: sets the session cookie and answers the CSRF token",
       false, "SignIn", "Session", 200, nullptr, SignIn},
      {kGet, "/api/auth/session", "getSession",
       "The session of the cookie: its user, CSRF token and expiry", true, "", "Session", 200,
       nullptr, GetSession},
      {kPost, "/api/auth/sign-out", "signOut", "End the session of the cookie and clear it", true,
       "", "", 200, nullptr, SignOut},
      {kPost, "/api/auth/password", "changePassword",
       "Change the caller's own password; the caller's other sessions end", true,
       "PasswordChange", "", 200, nullptr, ChangePassword},
      {kPost, "/api/auth/password-reset", "completePasswordReset",
       "Set a new password with an admin's reset code; every session of the user ends", false,
       "PasswordReset", "", 200, nullptr, CompletePasswordReset},

      {kGet, "/api/users/me", "getMe", "The caller", true, "", "User", 200, nullptr, Me},
      {kGet, "/api/users", "listUsers", "List users", true, "", "UserList", 200, &q.users,
       ListPage<&W::ListUsers>},
      {kPost, "/api/users", "createUser", "Create a user (admins)", true, "User", "User", 201,
       nullptr, CreateOne<UserPatch, &W::CreateUser>},
      {kGet, "/api/users/{id}", "getUser", "Get a user", true, "", "User", 200, nullptr,
       GetOne<&W::GetUser>},
      {kPatch, "/api/users/{id}", "updateUser", "Update a user (admins)", true, "User", "User", 200,
       nullptr, UpdateOne<UserPatch, &W::UpdateUser>},
      {kDelete, "/api/users/{id}", "deactivateUser",
       "Deactivate a user and revoke their tokens (admins); returns the user", true, "", "User",
       200, nullptr, ActOn<&W::DeactivateUser>},
      {kPost, "/api/users/{id}/transfer", "transferOwnership",
       "Hand every deal, person, organization and open activity of the user to another (admins)",
       true, "Transfer", "Transferred", 200, nullptr, TransferOwnership},
      {kPost, "/api/users/{id}/password-reset", "startPasswordReset",
       "A one-time code with which the user sets a new password within a day (admins); shown "
       "once",
       true, "", "PasswordResetCode", 200, nullptr, StartPasswordReset},
      {kGet, "/api/users/{id}/tokens", "listTokens",
       "A user's API tokens (admins, or the user themself)", true, "", "TokenList", 200, nullptr,
       ListTokens},
      {kPost, "/api/users/{id}/tokens", "createToken",
       "Create an API token; the secret is in `token`, shown once", true, "TokenInput", "NewToken",
       201, nullptr, CreateToken},
      {kDelete, "/api/users/{id}/tokens/{token_id}", "revokeToken", "Revoke an API token", true, "",
       "Deleted", 200, nullptr, RevokeToken},

      {kGet, "/api/audit", "listAudit",
       "The audit log, newest first (admins): every create, update and delete with who, when and "
       "each field's before and after",
       true, "", "AuditEntryList", 200, &q.audit, ListAudit},

      {kGet, "/api/teams", "listTeams", "List sales teams", true, "", "TeamList", 200, &q.teams,
       ListPage<&W::ListTeams>},
      {kPost, "/api/teams", "createTeam", "Create a team (admins)", true, "Team", "Team", 201,
       nullptr, CreateOne<TeamPatch, &W::CreateTeam>},
      {kGet, "/api/teams/{id}", "getTeam", "Get a team", true, "", "Team", 200, nullptr,
       GetOne<&W::GetTeam>},
      {kPatch, "/api/teams/{id}", "updateTeam", "Update a team (admins)", true, "Team", "Team", 200,
       nullptr, UpdateOne<TeamPatch, &W::UpdateTeam>},
      {kDelete, "/api/teams/{id}", "deleteTeam",
       "Delete a team (admins): its members are left without a team, its quotas are deleted", true,
       "", "Deleted", 200, nullptr, DeleteOne<&W::DeleteTeam>},

      {kGet, "/api/pipelines", "listPipelines", "List pipelines", true, "", "PipelineList", 200,
       &q.pipelines, ListPage<&W::ListPipelines>},
      {kPost, "/api/pipelines", "createPipeline",
       "Create a pipeline, optionally with a template's stages", true, "Pipeline", "Pipeline", 201,
       nullptr, CreatePipeline},
      {kGet, "/api/pipelines/{id}", "getPipeline", "Get a pipeline", true, "", "Pipeline", 200,
       nullptr, GetOne<&W::GetPipeline>},
      {kPatch, "/api/pipelines/{id}", "updatePipeline", "Update a pipeline", true, "Pipeline",
       "Pipeline", 200, nullptr, UpdateOne<PipelineInput, &W::UpdatePipeline>},
      {kDelete, "/api/pipelines/{id}", "deletePipeline",
       "Delete a pipeline and its stages; 409 while it has deals", true, "", "Deleted", 200,
       nullptr, DeleteOne<&W::DeletePipeline>},
      {kGet, "/api/pipelines/{id}/board", "getBoard",
       "The board: per stage the open deals' count, totals and first cards", true, "", "Board", 200,
       &q.board, Board},
      {kGet, "/api/stages/{id}/cards", "listStageCards",
       "The stage's open deals as board cards, by position, a page at a time (after the board's "
       "first cards)",
       true, "", "BoardCardList", 200, &q.stage_cards, StageCards},
      {kGet, "/api/settings", "getSettings", "Workspace settings (the default currency)", true, "",
       "Settings", 200, nullptr, Settings},
      {kGet, "/api/events", "events",
       "Server-sent events: `boards` with every pipeline's board version whenever one changes",
       true, "", kEventStreamSchema, 200, nullptr, Events},
      {kGet, "/api/stage-templates", "listStageTemplates", "The 4/5/6/7-stage pipeline templates",
       true, "", "StageTemplates", 200, nullptr, ListStageTemplates},

      {kGet, "/api/stages", "listStages", "List stages", true, "", "StageList", 200, &q.stages,
       ListPage<&W::ListStages>},
      {kPost, "/api/stages", "createStage", "Create a stage (appended unless `order` is given)",
       true, "Stage", "Stage", 201, nullptr, CreateStage},
      {kGet, "/api/stages/{id}", "getStage", "Get a stage", true, "", "Stage", 200, nullptr,
       GetOne<&W::GetStage>},
      {kPatch, "/api/stages/{id}", "updateStage",
       "Update a stage; setting `order` moves it and renumbers the others", true, "Stage", "Stage",
       200, nullptr, UpdateOne<StageInput, &W::UpdateStage>},
      {kDelete, "/api/stages/{id}", "deleteStage",
       "Delete a stage; `move_deals_to` is required when it has deals", true, "", "Deleted", 200,
       &q.stage_delete, DeleteStage},

      {kGet, "/api/organizations", "listOrganizations", "List organizations", true, "",
       "OrganizationList", 200, &q.organizations, ListPage<&W::ListOrganizations>},
      {kPost, "/api/organizations", "createOrganization", "Create an organization", true,
       "Organization", "Organization", 201, nullptr,
       CreateOne<OrganizationPatch, &W::CreateOrganization>},
      {kGet, "/api/organizations/{id}", "getOrganization", "Get an organization", true, "",
       "Organization", 200, nullptr, GetOne<&W::GetOrganization>},
      {kPatch, "/api/organizations/{id}", "updateOrganization", "Update an organization", true,
       "Organization", "Organization", 200, nullptr,
       UpdateOne<OrganizationPatch, &W::UpdateOrganization>},
      {kDelete, "/api/organizations/{id}", "deleteOrganization",
       "Delete an organization (its persons, deals, activities and notes are unlinked)", true, "",
       "Deleted", 200, nullptr, DeleteOne<&W::DeleteOrganization>},

      {kGet, "/api/persons", "listPersons", "List persons", true, "", "PersonList", 200, &q.persons,
       ListPage<&W::ListPersons>},
      {kPost, "/api/persons", "createPerson", "Create a person", true, "Person", "Person", 201,
       nullptr, CreateOne<PersonPatch, &W::CreatePerson>},
      {kGet, "/api/persons/{id}", "getPerson", "Get a person", true, "", "Person", 200, nullptr,
       GetOne<&W::GetPerson>},
      {kPatch, "/api/persons/{id}", "updatePerson", "Update a person", true, "Person", "Person",
       200, nullptr, UpdateOne<PersonPatch, &W::UpdatePerson>},
      {kDelete, "/api/persons/{id}", "deletePerson",
       "Delete a person (deals, activities and notes are unlinked)", true, "", "Deleted", 200,
       nullptr, DeleteOne<&W::DeletePerson>},

      {kGet, "/api/deals", "listDeals", "List deals", true, "", "DealList", 200, &q.deals,
       ListPage<&W::ListDeals>},
      {kPost, "/api/deals", "createDeal", "Create a deal (top of its stage)", true, "Deal", "Deal",
       201, nullptr, CreateOne<DealPatch, &W::CreateDeal>},
      {kGet, "/api/deals/{id}", "getDeal", "Get a deal", true, "", "Deal", 200, nullptr,
       GetOne<&W::GetDeal>},
      {kPatch, "/api/deals/{id}", "updateDeal", "Update a deal; `stage_id` moves it", true, "Deal",
       "Deal", 200, nullptr, UpdateOne<DealPatch, &W::UpdateDeal>},
      {kDelete, "/api/deals/{id}", "deleteDeal",
       "Delete a deal with its activities, notes and history", true, "", "Deleted", 200, nullptr,
       DeleteOne<&W::DeleteDeal>},
      {kPost, "/api/deals/{id}/move", "moveDeal",
       "Move an open deal to a stage at a card index (omitted: last)", true, "DealMove", "Deal",
       200, nullptr, MoveDeal},
      {kPost, "/api/deals/{id}/won", "markDealWon", "Mark a deal won (open or lost → won)", true,
       "", "Deal", 200, nullptr, ActOn<&W::MarkWon>},
      {kPost, "/api/deals/{id}/lost", "markDealLost",
       "Mark a deal lost with a reason (open or won → lost)", true, "DealLost", "Deal", 200,
       nullptr, MarkLost},
      {kPost, "/api/deals/{id}/reopen", "reopenDeal",
       "Reopen a won or lost deal in the stage it was in", true, "", "Deal", 200, nullptr,
       ActOn<&W::Reopen>},
      {kGet, "/api/deals/{id}/history", "getDealHistory", "A deal's stage history, oldest first",
       true, "", "History", 200, nullptr, DealHistory},
      {kGet, "/api/deals/{id}/audit", "getDealAudit",
       "Who changed the deal when, field by field, newest first", true, "", "AuditEntryList",
       200, &q.deal_audit, DealAudit},
      {kGet, "/api/deals/{id}/timeline", "getDealTimeline",
       "A deal's activities, notes and stage events, newest first", true, "", "Timeline", 200,
       nullptr, DealTimeline},
      {kGet, "/api/deals/{id}/snoozes", "listDealSnoozes", "A deal's snoozed health flags", true,
       "", "Snoozes", 200, nullptr, ListSnoozes},
      {kPost, "/api/deals/{id}/snoozes", "snoozeDealFlag",
       "Snooze a health flag of an open deal until a date, with a reason (replaces an earlier "
       "snooze of the flag)",
       true, "FlagSnooze", "FlagSnooze", 201, nullptr, SnoozeFlag},
      {kDelete, "/api/deals/{id}/snoozes", "unsnoozeDealFlag",
       "Remove the snooze of `flag` from a deal", true, "", "SnoozeDeleted", 200, &q.snooze_delete,
       UnsnoozeFlag},
      {kPost, "/api/deals/bulk", "bulkDeals",
       "Pipeline cleanup on many deals at once, all or nothing: reassign, last chance or mark lost",
       true, "DealBulk", "DealBulkResult", 200, nullptr, BulkDeals},

      {kGet, "/api/activities", "listActivities", "List activities", true, "", "ActivityList", 200,
       &q.activities, ListPage<&W::ListActivities>},
      {kPost, "/api/activities", "createActivity", "Create an activity (due today by default)",
       true, "Activity", "Activity", 201, nullptr, CreateOne<ActivityPatch, &W::CreateActivity>},
      {kGet, "/api/activities/{id}", "getActivity", "Get an activity", true, "", "Activity", 200,
       nullptr, GetOne<&W::GetActivity>},
      {kPatch, "/api/activities/{id}", "updateActivity", "Update an activity", true, "Activity",
       "Activity", 200, nullptr, UpdateOne<ActivityPatch, &W::UpdateActivity>},
      {kDelete, "/api/activities/{id}", "deleteActivity", "Delete an activity", true, "", "Deleted",
       200, nullptr, DeleteOne<&W::DeleteActivity>},

      {kGet, "/api/notes", "listNotes", "List notes", true, "", "NoteList", 200, &q.notes,
       ListPage<&W::ListNotes>},
      {kPost, "/api/notes", "createNote", "Create a note on a deal, person or organization", true,
       "Note", "Note", 201, nullptr, CreateOne<NotePatch, &W::CreateNote>},
      {kGet, "/api/notes/{id}", "getNote", "Get a note", true, "", "Note", 200, nullptr,
       GetOne<&W::GetNote>},
      {kPatch, "/api/notes/{id}", "updateNote", "Update a note", true, "Note", "Note", 200, nullptr,
       UpdateOne<NotePatch, &W::UpdateNote>},
      {kDelete, "/api/notes/{id}", "deleteNote", "Delete a note", true, "", "Deleted", 200, nullptr,
       DeleteOne<&W::DeleteNote>},

      {kPost, "/api/deals/import", "importDeals", kImportSummary, true, "", "ImportReport", 200,
       &q.import_file, ImportFile<kDealFile>, Payload::kCsvUpload},
      {kGet, "/api/deals/export", "exportDeals", kExportSummary, true, "", "Deal", 200,
       &q.export_file, ExportFile<kDealFile>, Payload::kDownload},
      {kPost, "/api/persons/import", "importPersons", kImportSummary, true, "", "ImportReport", 200,
       &q.import_file, ImportFile<kPersonFile>, Payload::kCsvUpload},
      {kGet, "/api/persons/export", "exportPersons", kExportSummary, true, "", "Person", 200,
       &q.export_file, ExportFile<kPersonFile>, Payload::kDownload},
      {kPost, "/api/organizations/import", "importOrganizations", kImportSummary, true, "",
       "ImportReport", 200, &q.import_file, ImportFile<kOrganizationFile>, Payload::kCsvUpload},
      {kGet, "/api/organizations/export", "exportOrganizations", kExportSummary, true, "",
       "Organization", 200, &q.export_file, ExportFile<kOrganizationFile>, Payload::kDownload},
      {kPost, "/api/activities/import", "importActivities", kImportSummary, true, "",
       "ImportReport", 200, &q.import_file, ImportFile<kActivityFile>, Payload::kCsvUpload},
      {kGet, "/api/activities/export", "exportActivities", kExportSummary, true, "", "Activity",
       200, &q.export_file, ExportFile<kActivityFile>, Payload::kDownload},
      {kPost, "/api/notes/import", "importNotes", kImportSummary, true, "", "ImportReport", 200,
       &q.import_file, ImportFile<kNoteFile>, Payload::kCsvUpload},
      {kGet, "/api/notes/export", "exportNotes", kExportSummary, true, "", "Note", 200,
       &q.export_file, ExportFile<kNoteFile>, Payload::kDownload},

      {kGet, "/api/lost-reasons", "listLostReasons", "List lost reasons", true, "",
       "LostReasonList", 200, &q.lost_reasons, ListPage<&W::ListLostReasons>},
      {kPost, "/api/lost-reasons", "createLostReason", "Create a lost reason", true, "LostReason",
       "LostReason", 201, nullptr, CreateOne<LostReasonPatch, &W::CreateLostReason>},
      {kGet, "/api/lost-reasons/{id}", "getLostReason", "Get a lost reason", true, "", "LostReason",
       200, nullptr, GetOne<&W::GetLostReason>},
      {kPatch, "/api/lost-reasons/{id}", "updateLostReason", "Update a lost reason", true,
       "LostReason", "LostReason", 200, nullptr, UpdateOne<LostReasonPatch, &W::UpdateLostReason>},
      {kDelete, "/api/lost-reasons/{id}", "deleteLostReason", "Delete a lost reason", true, "",
       "Deleted", 200, nullptr, DeleteOne<&W::DeleteLostReason>},

      {kGet, "/api/quotas", "listQuotas", "List quotas", true, "", "QuotaList", 200, &q.quotas,
       ListPage<&W::ListQuotas>},
      {kPost, "/api/quotas", "createQuota", "Create a quota (admins and managers)", true, "Quota",
       "Quota", 201, nullptr, CreateOne<QuotaPatch, &W::CreateQuota>},
      {kGet, "/api/quotas/{id}", "getQuota", "Get a quota", true, "", "Quota", 200, nullptr,
       GetOne<&W::GetQuota>},
      {kPatch, "/api/quotas/{id}", "updateQuota", "Update a quota (admins and managers)", true,
       "Quota", "Quota", 200, nullptr, UpdateOne<QuotaPatch, &W::UpdateQuota>},
      {kDelete, "/api/quotas/{id}", "deleteQuota", "Delete a quota (admins and managers)", true, "",
       "Deleted", 200, nullptr, DeleteOne<&W::DeleteQuota>},
      {kGet, "/api/health-settings", "getHealthSettings", "The thresholds of the health flags",
       true, "", "HealthSettings", 200, nullptr, GetHealthSettings},
      {kPatch, "/api/health-settings", "updateHealthSettings",
       "Change some thresholds of the health flags (admins and managers)", true, "HealthSettings",
       "HealthSettings", 200, nullptr, UpdateHealthSettings},

      {kGet, "/api/analytics/dashboard", "getDashboard",
       "Headline figures, stages, conversion, time in stage, funnel, lost reasons, leaderboard "
       "and trend of a scope and period, beside the previous period",
       true, "", "Dashboard", 200, &q.dashboard, AnalyticsDashboard},
      {kGet, "/api/analytics/forecast", "getForecast",
       "Weighted and velocity forecast by expected close month, stage probabilities, forecast "
       "accuracy",
       true, "", "Forecast", 200, &q.forecast, AnalyticsForecast},
      {kPost, "/api/analytics/forecast/snapshots", "takeForecastSnapshot",
       "Take this month's forecast snapshot unless one exists (admins and managers; the server "
       "also does it hourly)",
       true, "", "SnapshotTaken", 200, nullptr, TakeForecastSnapshot},
      {kGet, "/api/analytics/quotas", "getQuotaAttainment",
       "Quota attainment, expected progress and coverage on a day", true, "", "QuotaReport", 200,
       &q.quota_report, AnalyticsQuotas},
      {kGet, "/api/analytics/plan", "getPipelinePlan",
       "The pipeline-size planner: deals, leads and leads per rep for a revenue target (inputs "
       "not given come from the period's history)",
       true, "", "PipelinePlan", 200, &q.plan, AnalyticsPlan},
      {kGet, "/api/analytics/health", "getHealthReport",
       "Pipeline health flags with the deals they point at", true, "", "HealthReport", 200,
       &q.health, AnalyticsHealth},
      {kGet, "/api/analytics/day-plan", "getDayPlan",
       "A rep's day (default: the caller): overdue and today's activities and deals without a "
       "next step, by stage",
       true, "", "DayPlan", 200, &q.day_plan, AnalyticsDayPlan},
  };
}

// ---- Request plumbing --------------------------------------------------------------------------

// If-Match: "3", W/"3", 3 or * (any version).
Result<std::optional<int64_t>> ParseIfMatch(std::string_view header) {
  std::string_view v = TrimSpaces(header);
  if (v == "*") return std::optional<int64_t>();
  if (v.substr(0, 2) == "W/") v.remove_prefix(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  std::optional<Id> version = ParsePathId(v);
  if (!version) {
    return Status::Malformed("If-Match must name a version, like \"3\"", "If-Match");
  }
  return std::optional<int64_t>(*version);
}

HttpResponse ToResponse(const Route& route, Reply reply) {
  HttpResponse response;
  response.status = route.success_status;
  response.body = std::move(reply.body);
  if (reply.etag) response.headers.emplace_back("ETag", "\"" + std::to_string(*reply.etag) + "\"");
  if (!reply.location.empty()) response.headers.emplace_back("Location", std::move(reply.location));
  if (!reply.content_type.empty()) response.content_type = std::move(reply.content_type);
  if (!reply.filename.empty()) {
    response.headers.emplace_back("Content-Disposition",
                                  "attachment; filename=\"" + reply.filename + "\"");
  }
  if (!reply.set_cookie.empty()) response.headers.emplace_back("Set-Cookie", reply.set_cookie);
  response.event_stream = reply.event_stream;
  return response;
}

const QuerySpec& NoParams() {
  static const auto& spec = *new QuerySpec();
  return spec;
}

}  // namespace

const std::vector<Route>& Routes() {
  static const auto& specs = *new QuerySpecs();
  static const auto& routes = *new std::vector<Route>(BuildRoutes(specs));
  return routes;
}

Router::Router(Workspace& workspace, Accounts& accounts, Analytics& analytics, WebUi web)
    : workspace_(workspace),
      accounts_(accounts),
      analytics_(analytics),
      pipedrive_(workspace),
      web_(std::move(web)) {
  for (const Route& route : Routes()) routes_.push_back({&route, SplitPath(route.path)});
  openapi_ = BuildOpenApi(Routes());
}

// Matches the path, then the method; a path that matches only with other methods is a 405.
const Route* Router::Match(std::string_view method, const std::vector<std::string_view>& segments,
                           std::vector<Id>* ids, std::string* allow) const {
  for (const CompiledRoute& candidate : routes_) {
    std::optional<std::vector<Id>> candidate_ids = MatchSegments(candidate.segments, segments);
    if (!candidate_ids) continue;
    if (MethodName(candidate.route->method) == method) {
      *ids = std::move(*candidate_ids);
      return candidate.route;
    }
    if (!allow->empty()) *allow += ", ";
    *allow += MethodName(candidate.route->method);
  }
  return nullptr;
}

bool Router::TakesUpload(std::string_view method, std::string_view target) const {
  const std::string_view path = SplitTarget(target).first;
  std::vector<Id> ids;
  std::string allow;
  const Route* route = Match(method, SplitPath(path), &ids, &allow);
  return route != nullptr && route->payload == Payload::kCsvUpload;
}

// An API token (Authorization or x-api-token) when one is sent, else the session cookie. A change
// made with the cookie must carry the session's CSRF token in X-CSRF-Token and come from this
// site: the cookie is sent by the browser with any request, the header only by the web UI.
Result<Router::Caller> Router::CallerOf(const HttpRequest& request, Method method) const {
  const std::string_view secret = CookieValue(request.cookie, kSessionCookie);
  if (!request.authorization.empty() || !request.api_token.empty() || secret.empty()) {
    PD_ASSIGN_OR_RETURN(User user, Authenticate(workspace_, request));
    return Caller{std::move(user), std::nullopt};
  }
  PD_ASSIGN_OR_RETURN(SessionUser signed_in, accounts_.AuthenticateSession(secret));
  if (method != Method::kGet) {
    if (IsCrossOrigin(request)) {
      return Status::Forbidden("requests from other sites are refused");
    }
    if (!SecretsEqual(request.csrf_token, signed_in.session.csrf_token)) {
      return Status::Forbidden(
          "the X-CSRF-Token header is missing or does not match the session; reload the page");
    }
  }
  return Caller{std::move(signed_in.user), std::move(signed_in.session)};
}

namespace {

// Headers every response carries unless it set its own (the web UI's pages set a policy that
// lets them load their script and styles): no MIME sniffing, no framing, no referrer, and for
// API answers — personal data — no caching and a policy under which nothing in them can run.
void AddSecurityHeaders(HttpResponse& response) {
  auto has = [&](std::string_view name) {
    for (const auto& [key, value] : response.headers) {
      if (key == name) return true;
    }
    return false;
  };
  auto add = [&](const char* name, const char* value) {
    if (!has(name)) response.headers.emplace_back(name, value);
  };
  add("X-Content-Type-Options", "nosniff");
  add("X-Frame-Options", "DENY");
  add("Referrer-Policy", "no-referrer");
  add("Cache-Control", "no-store");
  add("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
}

}  // namespace

HttpResponse Router::Handle(const HttpRequest& request) const {
  HttpResponse response = Dispatch(request);
  AddSecurityHeaders(response);
  return response;
}

HttpResponse Router::Dispatch(const HttpRequest& request) const {
  const auto [path, raw_query] = SplitTarget(request.target);
  if (path.empty() || path.front() != '/') return ErrorResponse(Status::NotFound("no such route"));
  if (PipedriveApi::Owns(path)) return pipedrive_.Handle(request);
  // Everything outside /api is the web UI, which only reads.
  if (path != "/api" && path.substr(0, 5) != "/api/") {
    if (request.method == "GET" || request.method == "HEAD") return web_.Serve(path);
    return MethodNotAllowedResponse(request.method, "GET");
  }
  std::vector<Id> ids;
  std::string allow;
  const Route* matched = Match(request.method, SplitPath(path), &ids, &allow);
  if (matched == nullptr) {
    if (!allow.empty()) return MethodNotAllowedResponse(request.method, allow);
    return ErrorResponse(Status::NotFound("no such route: " + std::string(path)));
  }

  try {
    std::optional<User> actor;
    std::optional<Session> session;
    std::optional<Workspace> view;  // the caller's view of the workspace (service/visibility.h)
    if (matched->needs_token) {
      Result<Caller> caller = CallerOf(request, matched->method);
      if (!caller.ok()) return ErrorResponse(caller.status());
      actor = std::move(caller->user);
      session = std::move(caller->session);
      Result<Workspace> scoped = workspace_.For(*actor);
      if (!scoped.ok()) return ErrorResponse(scoped.status());
      view.emplace(std::move(scoped).value());
    } else if (matched->method != Method::kGet && IsCrossOrigin(request)) {
      // Signing in from another site's page would sign the browser into someone else's account.
      return ErrorResponse(Status::Forbidden("requests from other sites are refused"));
    }
    Result<QueryArgs> query =
        ParseQuery(raw_query, matched->query != nullptr ? *matched->query : NoParams());
    if (!query.ok()) return ErrorResponse(query.status());
    std::optional<int64_t> if_version;
    if (!request.if_match.empty() && matched->method != Method::kGet) {
      Result<std::optional<int64_t>> parsed = ParseIfMatch(request.if_match);
      if (!parsed.ok()) return ErrorResponse(parsed.status());
      if_version = *parsed;
    }

    RequestContext ctx{view ? *view : workspace_,
                       accounts_,
                       analytics_,
                       *matched,
                       request,
                       actor ? &*actor : nullptr,
                       session ? &*session : nullptr,
                       std::move(ids),
                       std::move(query).value(),
                       if_version,
                       JsonOut{workspace_.clock().Now()},
                       openapi_,
                       boards_};
    Result<Reply> reply = matched->handler(ctx);
    if (!reply.ok()) return ErrorResponse(reply.status());
    return ToResponse(*matched, std::move(reply).value());
  } catch (const std::exception& e) {
    return ErrorResponse(Status::Internal(std::string("unexpected error: ") + e.what()));
  }
}

}  // namespace pipedeck
