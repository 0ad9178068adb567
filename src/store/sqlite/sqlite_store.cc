#include "store/sqlite/sqlite_store.h"

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "core/deal_rules.h"
#include "core/text.h"
#include "store/sqlite/connection.h"
#include "store/sqlite/list_cursor.h"
#include "store/sqlite/migrations.h"
#include "store/sqlite/schema.h"

namespace pipedeck {
namespace {

// ---- Tables ---------------------------------------------------------------------------------
//
// Each record type is described once: its table and its columns other than id, in the order its
// Codec binds and reads them. The plain statements (get, insert, update, delete, exists) are
// derived from that description, so a column list is written exactly once per table.

struct TableDef {
  const char* noun;  // names the record in messages: "no deal with id 7"
  const char* table;
  const char* columns;  // every column except id, ", "-separated
  bool versioned;       // has a version column (optimistic concurrency)
};

constexpr TableDef kSqlUsers = {
    "user", "users", "name, email, role, active, team_id, version, created_at, updated_at", true};
// name_key: the name folded for the case-insensitive UNIQUE constraint (migration 4).
constexpr TableDef kSqlTeams = {
    "team", "teams", "name, name_key, manager_id, version, created_at, updated_at", true};
constexpr TableDef kSqlQuotas = {"quota", "quotas",
                                 "scope, user_id, team_id, period, metric, target, currency, "
                                 "pipeline_id, starts_on, ends_on, version, created_at, updated_at",
                                 true};
constexpr TableDef kSqlTokens = {
    "token", "api_tokens", "user_id, name, secret_hash, prefix, created_at, last_used_at", false};
constexpr TableDef kSqlSessions = {
    "session", "sessions", "user_id, secret_hash, csrf_token, created_at, last_seen_at", false};
constexpr TableDef kSqlPasswordResets = {
    "password reset", "password_resets", "user_id, secret_hash, created_by, created_at, expires_at",
    false};
constexpr TableDef kSqlPipelines = {
    "pipeline", "pipelines", "name, sort_order, active, visibility, version, created_at, updated_at",
    true};
constexpr TableDef kSqlStages = {"stage", "stages",
                                 "pipeline_id, name, sort_order, probability, rotting_days, "
                                 "playbook, version, created_at, updated_at",
                                 true};
constexpr TableDef kSqlOrganizations = {"organization", "organizations",
                                        "name, address, owner_id, version, created_at, updated_at",
                                        true};
constexpr TableDef kSqlPersons = {"person", "persons",
                                  "name, org_id, owner_id, version, created_at, updated_at", true};
constexpr TableDef kSqlDeals = {
    "deal", "deals",
    "title, value_minor, currency, pipeline_id, stage_id, status, lost_reason, "
    "expected_close_date, owner_id, person_id, org_id, source, position, probability_override, "
    "next_activity_date, last_activity_at, stage_changed_at, closed_at, version, created_at, "
    "updated_at",
    true};
constexpr TableDef kSqlStageEvents = {
    "stage event", "stage_events",
    "deal_id, kind, at, user_id, from_pipeline_id, to_pipeline_id, from_stage_id, to_stage_id, "
    "from_status, to_status, lost_reason",
    false};
constexpr TableDef kSqlLostReasons = {"lost reason", "lost_reasons",
                                      "label, sort_order, active, version, created_at, updated_at",
                                      true};
constexpr TableDef kSqlActivities = {
    "activity", "activities",
    "type, subject, due_date, due_time, duration_minutes, done, done_at, deal_id, person_id, "
    "org_id, owner_id, note, version, created_at, updated_at",
    true};
constexpr TableDef kSqlNotes = {
    "note", "notes",
    "content, deal_id, person_id, org_id, user_id, pinned, version, created_at, updated_at", true};

// The statements derived from a TableDef.
// Rows per INSERT statement of a bulk load. AUTOINCREMENT reads and writes sqlite_sequence once
// per statement, which halved the speed of one-row inserts; 64 rows amortise that and the
// per-statement overhead (measured: 0.26M → 0.52M rows/s on stage_events), while 64 × 23
// parameters stay far below SQLite's limit of 32766.
constexpr int kBulkRowsPerInsert = 64;

struct TableSql {
  std::string select;       // SELECT id, <columns> FROM <table>
  std::string get;          // ... WHERE id = ?
  std::string insert;       // INSERT with id first (NULL = assign the next id), then the columns
  std::string bulk_insert;  // the same INSERT with kBulkRowsPerInsert rows of values
  std::string update;       // SET every column WHERE id = ? AND version = ?
  std::string remove;       // WHERE id = ?1 [AND (?2 <= 0 OR version = ?2)]
  std::string exists;       // SELECT 1 ... WHERE id = ?
  int column_count = 0;     // id plus columns
};

TableSql BuildTableSql(const TableDef& def) {
  std::vector<std::string> columns;
  const std::string_view list(def.columns);
  for (size_t start = 0; start < list.size();) {
    size_t end = list.find(", ", start);
    if (end == std::string_view::npos) end = list.size();
    columns.emplace_back(list.substr(start, end - start));
    start = end + 2;
  }
  const std::string table(def.table);
  TableSql sql;
  sql.column_count = static_cast<int>(columns.size()) + 1;
  sql.select = "SELECT id, " + std::string(def.columns) + " FROM " + table;
  sql.get = sql.select + " WHERE id = ?";
  sql.insert = "INSERT INTO " + table + " (id, " + def.columns + ") VALUES (?";
  sql.update = "UPDATE " + table + " SET ";
  for (size_t i = 0; i < columns.size(); ++i) {
    sql.insert += ", ?";
    sql.update += (i ? ", " : "") + columns[i] + " = ?";
  }
  sql.insert += ")";
  const std::string values = sql.insert.substr(sql.insert.find("(?"));
  sql.bulk_insert = sql.insert;
  for (int i = 1; i < kBulkRowsPerInsert; ++i) sql.bulk_insert += ", " + values;
  sql.update += " WHERE id = ? AND version = ?";
  sql.remove = "DELETE FROM " + table + " WHERE id = ?1";
  if (def.versioned) sql.remove += " AND (?2 <= 0 OR version = ?2)";
  sql.exists = "SELECT 1 FROM " + table + " WHERE id = ?";
  return sql;
}

// ---- Codecs: one record ⇄ one row ------------------------------------------------------------
//
// Codec<T>::Bind binds the TableDef columns (not id) in order; Codec<T>::Read reads id and then
// the same columns.

template <typename T>
struct Codec;

template <>
struct Codec<User> {
  static constexpr const TableDef& kDef = kSqlUsers;
  static void Bind(SqliteStatement& s, const User& u) {
    s.Bind(u.name).Bind(u.email).Bind(RoleName(u.role)).Bind(u.active).Bind(u.team_id);
    s.Bind(u.version).Bind(u.created_at).Bind(u.updated_at);
  }
  static User Read(SqliteRow& r) {
    User u;
    u.id = r.Get<Id>();
    u.name = r.Get<std::string>();
    u.email = r.Get<std::string>();
    u.role = r.Enum(ParseRole);
    u.active = r.Get<bool>();
    u.team_id = r.Get<std::optional<Id>>();
    u.version = r.Get<int64_t>();
    u.created_at = r.Get<Timestamp>();
    u.updated_at = r.Get<Timestamp>();
    return u;
  }
};

template <>
struct Codec<ApiToken> {
  static constexpr const TableDef& kDef = kSqlTokens;
  static void Bind(SqliteStatement& s, const ApiToken& t) {
    s.Bind(t.user_id).Bind(t.name).Bind(t.secret_hash).Bind(t.prefix).Bind(t.created_at);
    s.Bind(t.last_used_at);
  }
  static ApiToken Read(SqliteRow& r) {
    ApiToken t;
    t.id = r.Get<Id>();
    t.user_id = r.Get<Id>();
    t.name = r.Get<std::string>();
    t.secret_hash = r.Get<std::string>();
    t.prefix = r.Get<std::string>();
    t.created_at = r.Get<Timestamp>();
    t.last_used_at = r.Get<std::optional<Timestamp>>();
    return t;
  }
};

template <>
struct Codec<Session> {
  static constexpr const TableDef& kDef = kSqlSessions;
  static void Bind(SqliteStatement& s, const Session& x) {
    s.Bind(x.user_id).Bind(x.secret_hash).Bind(x.csrf_token).Bind(x.created_at);
    s.Bind(x.last_seen_at);
  }
  static Session Read(SqliteRow& r) {
    Session x;
    x.id = r.Get<Id>();
    x.user_id = r.Get<Id>();
    x.secret_hash = r.Get<std::string>();
    x.csrf_token = r.Get<std::string>();
    x.created_at = r.Get<Timestamp>();
    x.last_seen_at = r.Get<Timestamp>();
    return x;
  }
};

template <>
struct Codec<PasswordReset> {
  static constexpr const TableDef& kDef = kSqlPasswordResets;
  static void Bind(SqliteStatement& s, const PasswordReset& x) {
    s.Bind(x.user_id).Bind(x.secret_hash).Bind(x.created_by).Bind(x.created_at);
    s.Bind(x.expires_at);
  }
  static PasswordReset Read(SqliteRow& r) {
    PasswordReset x;
    x.id = r.Get<Id>();
    x.user_id = r.Get<Id>();
    x.secret_hash = r.Get<std::string>();
    x.created_by = r.Get<Id>();
    x.created_at = r.Get<Timestamp>();
    x.expires_at = r.Get<Timestamp>();
    return x;
  }
};

template <>
struct Codec<Pipeline> {
  static constexpr const TableDef& kDef = kSqlPipelines;
  static void Bind(SqliteStatement& s, const Pipeline& p) {
    s.Bind(p.name).Bind(p.order).Bind(p.active).Bind(PipelineVisibilityName(p.visibility));
    s.Bind(p.version).Bind(p.created_at).Bind(p.updated_at);
  }
  static Pipeline Read(SqliteRow& r) {
    Pipeline p;
    p.id = r.Get<Id>();
    p.name = r.Get<std::string>();
    p.order = r.Get<int32_t>();
    p.active = r.Get<bool>();
    p.visibility = r.Enum(ParsePipelineVisibility);
    p.version = r.Get<int64_t>();
    p.created_at = r.Get<Timestamp>();
    p.updated_at = r.Get<Timestamp>();
    return p;
  }
};

template <>
struct Codec<Stage> {
  static constexpr const TableDef& kDef = kSqlStages;
  static void Bind(SqliteStatement& s, const Stage& st) {
    s.Bind(st.pipeline_id).Bind(st.name).Bind(st.order).Bind(st.probability);
    s.Bind(st.rotting_days).Bind(st.playbook).Bind(st.version).Bind(st.created_at);
    s.Bind(st.updated_at);
  }
  static Stage Read(SqliteRow& r) {
    Stage st;
    st.id = r.Get<Id>();
    st.pipeline_id = r.Get<Id>();
    st.name = r.Get<std::string>();
    st.order = r.Get<int32_t>();
    st.probability = r.Get<int32_t>();
    st.rotting_days = r.Get<std::optional<int32_t>>();
    st.playbook = r.Get<std::string>();
    st.version = r.Get<int64_t>();
    st.created_at = r.Get<Timestamp>();
    st.updated_at = r.Get<Timestamp>();
    return st;
  }
};

template <>
struct Codec<Organization> {
  static constexpr const TableDef& kDef = kSqlOrganizations;
  static void Bind(SqliteStatement& s, const Organization& o) {
    s.Bind(o.name).Bind(o.address).Bind(o.owner_id).Bind(o.version).Bind(o.created_at);
    s.Bind(o.updated_at);
  }
  static Organization Read(SqliteRow& r) {
    Organization o;
    o.id = r.Get<Id>();
    o.name = r.Get<std::string>();
    o.address = r.Get<std::string>();
    o.owner_id = r.Get<Id>();
    o.version = r.Get<int64_t>();
    o.created_at = r.Get<Timestamp>();
    o.updated_at = r.Get<Timestamp>();
    return o;
  }
};

// Emails and phones live in person_contacts; see SqliteTx::LoadContacts / SaveContacts.
template <>
struct Codec<Person> {
  static constexpr const TableDef& kDef = kSqlPersons;
  static void Bind(SqliteStatement& s, const Person& p) {
    s.Bind(p.name).Bind(p.org_id).Bind(p.owner_id).Bind(p.version).Bind(p.created_at);
    s.Bind(p.updated_at);
  }
  static Person Read(SqliteRow& r) {
    Person p;
    p.id = r.Get<Id>();
    p.name = r.Get<std::string>();
    p.org_id = r.Get<std::optional<Id>>();
    p.owner_id = r.Get<Id>();
    p.version = r.Get<int64_t>();
    p.created_at = r.Get<Timestamp>();
    p.updated_at = r.Get<Timestamp>();
    return p;
  }
};

template <>
struct Codec<Deal> {
  static constexpr const TableDef& kDef = kSqlDeals;
  static void Bind(SqliteStatement& s, const Deal& d) {
    s.Bind(d.title).Bind(d.value.amount_minor).Bind(d.value.currency).Bind(d.pipeline_id);
    s.Bind(d.stage_id).Bind(DealStatusName(d.status)).Bind(d.lost_reason);
    s.Bind(d.expected_close_date).Bind(d.owner_id).Bind(d.person_id).Bind(d.org_id);
    s.Bind(d.source).Bind(d.position).Bind(d.probability_override);
    s.Bind(d.next_activity_date).Bind(d.last_activity_at).Bind(d.stage_changed_at);
    s.Bind(d.closed_at).Bind(d.version).Bind(d.created_at).Bind(d.updated_at);
  }
  static Deal Read(SqliteRow& r) {
    Deal d;
    d.id = r.Get<Id>();
    d.title = r.Get<std::string>();
    d.value.amount_minor = r.Get<int64_t>();
    d.value.currency = r.Get<std::string>();
    d.pipeline_id = r.Get<Id>();
    d.stage_id = r.Get<Id>();
    d.status = r.Enum(ParseDealStatus);
    d.lost_reason = r.Get<std::string>();
    d.expected_close_date = r.Get<std::optional<Date>>();
    d.owner_id = r.Get<Id>();
    d.person_id = r.Get<std::optional<Id>>();
    d.org_id = r.Get<std::optional<Id>>();
    d.source = r.Get<std::string>();
    d.position = r.Get<double>();
    d.probability_override = r.Get<std::optional<int32_t>>();
    d.next_activity_date = r.Get<std::optional<Date>>();
    d.last_activity_at = r.Get<std::optional<Timestamp>>();
    d.stage_changed_at = r.Get<Timestamp>();
    d.closed_at = r.Get<std::optional<Timestamp>>();
    d.version = r.Get<int64_t>();
    d.created_at = r.Get<Timestamp>();
    d.updated_at = r.Get<Timestamp>();
    return d;
  }
};

template <>
struct Codec<StageEvent> {
  static constexpr const TableDef& kDef = kSqlStageEvents;
  static void Bind(SqliteStatement& s, const StageEvent& e) {
    s.Bind(e.deal_id).Bind(StageEventKindName(e.kind)).Bind(e.at).Bind(e.user_id);
    s.Bind(e.from_pipeline_id).Bind(e.to_pipeline_id).Bind(e.from_stage_id).Bind(e.to_stage_id);
    s.Bind(DealStatusName(e.from_status)).Bind(DealStatusName(e.to_status)).Bind(e.lost_reason);
  }
  static StageEvent Read(SqliteRow& r) {
    StageEvent e;
    e.id = r.Get<Id>();
    e.deal_id = r.Get<Id>();
    e.kind = r.Enum(ParseStageEventKind);
    e.at = r.Get<Timestamp>();
    e.user_id = r.Get<Id>();
    e.from_pipeline_id = r.Get<std::optional<Id>>();
    e.to_pipeline_id = r.Get<std::optional<Id>>();
    e.from_stage_id = r.Get<std::optional<Id>>();
    e.to_stage_id = r.Get<std::optional<Id>>();
    e.from_status = r.Enum(ParseDealStatus);
    e.to_status = r.Enum(ParseDealStatus);
    e.lost_reason = r.Get<std::string>();
    return e;
  }
};

template <>
struct Codec<LostReason> {
  static constexpr const TableDef& kDef = kSqlLostReasons;
  static void Bind(SqliteStatement& s, const LostReason& l) {
    s.Bind(l.label).Bind(l.order).Bind(l.active).Bind(l.version).Bind(l.created_at);
    s.Bind(l.updated_at);
  }
  static LostReason Read(SqliteRow& r) {
    LostReason l;
    l.id = r.Get<Id>();
    l.label = r.Get<std::string>();
    l.order = r.Get<int32_t>();
    l.active = r.Get<bool>();
    l.version = r.Get<int64_t>();
    l.created_at = r.Get<Timestamp>();
    l.updated_at = r.Get<Timestamp>();
    return l;
  }
};

template <>
struct Codec<Activity> {
  static constexpr const TableDef& kDef = kSqlActivities;
  static void Bind(SqliteStatement& s, const Activity& a) {
    s.Bind(ActivityTypeName(a.type)).Bind(a.subject).Bind(a.due_date).Bind(a.due_time);
    s.Bind(a.duration_minutes).Bind(a.done).Bind(a.done_at).Bind(a.deal_id).Bind(a.person_id);
    s.Bind(a.org_id).Bind(a.owner_id).Bind(a.note).Bind(a.version).Bind(a.created_at);
    s.Bind(a.updated_at);
  }
  static Activity Read(SqliteRow& r) {
    Activity a;
    a.id = r.Get<Id>();
    a.type = r.Enum(ParseActivityType);
    a.subject = r.Get<std::string>();
    a.due_date = r.Get<Date>();
    a.due_time = r.Get<std::optional<TimeOfDay>>();
    a.duration_minutes = r.Get<int32_t>();
    a.done = r.Get<bool>();
    a.done_at = r.Get<std::optional<Timestamp>>();
    a.deal_id = r.Get<std::optional<Id>>();
    a.person_id = r.Get<std::optional<Id>>();
    a.org_id = r.Get<std::optional<Id>>();
    a.owner_id = r.Get<Id>();
    a.note = r.Get<std::string>();
    a.version = r.Get<int64_t>();
    a.created_at = r.Get<Timestamp>();
    a.updated_at = r.Get<Timestamp>();
    return a;
  }
};

template <>
struct Codec<Note> {
  static constexpr const TableDef& kDef = kSqlNotes;
  static void Bind(SqliteStatement& s, const Note& n) {
    s.Bind(n.content).Bind(n.deal_id).Bind(n.person_id).Bind(n.org_id).Bind(n.user_id);
    s.Bind(n.pinned).Bind(n.version).Bind(n.created_at).Bind(n.updated_at);
  }
  static Note Read(SqliteRow& r) {
    Note n;
    n.id = r.Get<Id>();
    n.content = r.Get<std::string>();
    n.deal_id = r.Get<std::optional<Id>>();
    n.person_id = r.Get<std::optional<Id>>();
    n.org_id = r.Get<std::optional<Id>>();
    n.user_id = r.Get<Id>();
    n.pinned = r.Get<bool>();
    n.version = r.Get<int64_t>();
    n.created_at = r.Get<Timestamp>();
    n.updated_at = r.Get<Timestamp>();
    return n;
  }
};

template <>
struct Codec<Team> {
  static constexpr const TableDef& kDef = kSqlTeams;
  static void Bind(SqliteStatement& s, const Team& t) {
    s.Bind(t.name).Bind(FoldCase(t.name)).Bind(t.manager_id).Bind(t.version).Bind(t.created_at);
    s.Bind(t.updated_at);
  }
  static Team Read(SqliteRow& r) {
    Team t;
    t.id = r.Get<Id>();
    t.name = r.Get<std::string>();
    r.Get<std::string_view>();  // name_key
    t.manager_id = r.Get<std::optional<Id>>();
    t.version = r.Get<int64_t>();
    t.created_at = r.Get<Timestamp>();
    t.updated_at = r.Get<Timestamp>();
    return t;
  }
};

template <>
struct Codec<Quota> {
  static constexpr const TableDef& kDef = kSqlQuotas;
  static void Bind(SqliteStatement& s, const Quota& q) {
    s.Bind(QuotaScopeName(q.scope)).Bind(q.user_id).Bind(q.team_id);
    s.Bind(QuotaPeriodName(q.period)).Bind(QuotaMetricName(q.metric)).Bind(q.target);
    s.Bind(q.currency).Bind(q.pipeline_id).Bind(q.starts_on).Bind(q.ends_on).Bind(q.version);
    s.Bind(q.created_at).Bind(q.updated_at);
  }
  static Quota Read(SqliteRow& r) {
    Quota q;
    q.id = r.Get<Id>();
    q.scope = r.Enum(ParseQuotaScope);
    q.user_id = r.Get<std::optional<Id>>();
    q.team_id = r.Get<std::optional<Id>>();
    q.period = r.Enum(ParseQuotaPeriod);
    q.metric = r.Enum(ParseQuotaMetric);
    q.target = r.Get<int64_t>();
    q.currency = r.Get<std::string>();
    q.pipeline_id = r.Get<std::optional<Id>>();
    q.starts_on = r.Get<Date>();
    q.ends_on = r.Get<std::optional<Date>>();
    q.version = r.Get<int64_t>();
    q.created_at = r.Get<Timestamp>();
    q.updated_at = r.Get<Timestamp>();
    return q;
  }
};

// The derived statements of T's table, built on first use.
template <typename T>
const TableSql& SqlOf() {
  static const TableSql sql = BuildTableSql(Codec<T>::kDef);
  return sql;
}

// "SELECT <T's columns> FROM <T's table>" followed by `tail` (a kSql... constant).
template <typename T>
std::string SelectOf(const char* tail) {
  return SqlOf<T>().select + tail;
}

// ---- Other statements -----------------------------------------------------------------------

constexpr char kSqlBegin[] = "BEGIN";
constexpr char kSqlBeginImmediate[] = "BEGIN IMMEDIATE";
constexpr char kSqlCommit[] = "COMMIT";
constexpr char kSqlRollback[] = "ROLLBACK";
// One write of a group commit (SqliteStore::Write) runs inside this savepoint, so that a write
// that fails is undone without touching the others of its transaction.
constexpr char kSqlSavepoint[] = "SAVEPOINT write";
constexpr char kSqlReleaseSavepoint[] = "RELEASE write";
constexpr char kSqlRollbackToSavepoint[] = "ROLLBACK TO write";
constexpr char kSqlFindExternalKey[] =
    "SELECT record_id FROM external_keys WHERE object = ? AND external_id = ?";
// AUTOINCREMENT keeps every table's highest id here, deleted rows included.
constexpr char kSqlAssignedIds[] = "SELECT name, seq FROM sqlite_sequence";
constexpr char kSqlPutExternalKey[] =
    "INSERT OR REPLACE INTO external_keys(object, external_id, record_id) VALUES (?, ?, ?)";
// StoreTx::WithinSavepoint's own name, so that it nests inside a group-commit savepoint.
constexpr char kSqlSavepointRow[] = "SAVEPOINT row";
constexpr char kSqlReleaseRow[] = "RELEASE row";
constexpr char kSqlRollbackToRow[] = "ROLLBACK TO row";

constexpr char kSqlWhereEmail[] = " WHERE email = ?";
constexpr char kSqlWhereSecretHash[] = " WHERE secret_hash = ?";
constexpr char kSqlTokensOfUser[] = " WHERE user_id = ? ORDER BY id";
constexpr char kSqlDeleteTokensOfUser[] = "DELETE FROM api_tokens WHERE user_id = ?";
constexpr char kSqlTouchToken[] = "UPDATE api_tokens SET last_used_at = ? WHERE id = ?";
constexpr char kSqlGetPasswordHash[] = "SELECT password_hash FROM user_passwords WHERE user_id = ?";
constexpr char kSqlSetPasswordHash[] =
    "INSERT INTO user_passwords(user_id, password_hash, changed_at) VALUES (?, ?, ?) "
    "ON CONFLICT(user_id) DO UPDATE SET password_hash = excluded.password_hash, "
    "changed_at = excluded.changed_at";
constexpr char kSqlTouchSession[] = "UPDATE sessions SET last_seen_at = ? WHERE id = ?";
constexpr char kSqlDeleteSession[] = "DELETE FROM sessions WHERE id = ?";
constexpr char kSqlDeleteSessionsOfUser[] = "DELETE FROM sessions WHERE user_id = ? AND id <> ?";
constexpr char kSqlDeletePasswordResetsOfUser[] = "DELETE FROM password_resets WHERE user_id = ?";
constexpr char kSqlAddSignInFailure[] = "INSERT INTO sign_in_failures(subject, at) VALUES (?, ?)";
constexpr char kSqlSignInFailures[] =
    "SELECT at FROM sign_in_failures WHERE subject = ? AND at >= ? ORDER BY at DESC LIMIT ?";
constexpr char kSqlClearSignInFailures[] = "DELETE FROM sign_in_failures WHERE subject = ?";
constexpr char kSqlPruneSessions[] =
    "DELETE FROM sessions WHERE last_seen_at < ? OR created_at < ?";
constexpr char kSqlPruneSignInFailures[] = "DELETE FROM sign_in_failures WHERE at < ?";
constexpr char kSqlPrunePasswordResets[] = "DELETE FROM password_resets WHERE expires_at < ?";
constexpr char kSqlAppendAudit[] =
    "INSERT INTO audit_log(at, user_id, action, object, record_id) VALUES (?, ?, ?, ?, ?)";
constexpr char kSqlAppendAuditChange[] =
    "INSERT INTO audit_changes(audit_id, seq, field, before, after) VALUES (?, ?, ?, ?, ?)";
// Three shapes of the same query, each served by an index: one record's log (audit_log_record),
// one user's (audit_log_user), and everything newest first (the rowid). Parameters after the
// first ones: from, to, before_id (each NULL for no bound), limit.
#define PD_AUDIT_COLUMNS "SELECT id, at, user_id, action, object, record_id FROM audit_log "
#define PD_AUDIT_BOUNDS                                                                    \
  "(?4 IS NULL OR at >= ?4) AND (?5 IS NULL OR at < ?5) AND (?6 IS NULL OR id < ?6) " \
  "ORDER BY id DESC LIMIT ?7"
constexpr char kSqlAuditOfRecord[] = PD_AUDIT_COLUMNS
    "WHERE object = ?1 AND record_id = ?2 AND (?3 IS NULL OR user_id = ?3) AND " PD_AUDIT_BOUNDS;
constexpr char kSqlAuditOfUser[] = PD_AUDIT_COLUMNS
    "WHERE user_id = ?3 AND (?1 = '' OR object = ?1) AND (?2 IS NULL OR record_id = ?2) AND "
    PD_AUDIT_BOUNDS;
constexpr char kSqlAuditAll[] = PD_AUDIT_COLUMNS
    "WHERE (?1 = '' OR object = ?1) AND (?2 IS NULL OR record_id = ?2) AND "
    "(?3 IS NULL OR user_id = ?3) AND " PD_AUDIT_BOUNDS;
#undef PD_AUDIT_COLUMNS
#undef PD_AUDIT_BOUNDS
constexpr char kSqlAuditChanges[] =
    "SELECT audit_id, field, before, after FROM audit_changes "
    "WHERE audit_id IN (SELECT value FROM json_each(?)) ORDER BY audit_id, seq";

constexpr char kSqlStagesOfPipeline[] = " WHERE pipeline_id = ? ORDER BY sort_order, id";

constexpr char kSqlDeleteContacts[] = "DELETE FROM person_contacts WHERE person_id = ?";
constexpr char kSqlInsertContact[] =
    "INSERT INTO person_contacts (person_id, kind, ord, value, label, is_primary) "
    "VALUES (?, ?, ?, ?, ?, ?)";
// The ids arrive as one JSON array ("[3,9]") so a whole page loads with one statement.
constexpr char kSqlContactsOf[] =
    "SELECT person_id, kind, value, label, is_primary FROM person_contacts "
    "WHERE person_id IN (SELECT value FROM json_each(?)) ORDER BY person_id, kind, ord";
constexpr char kContactKindEmail[] = "email";
constexpr char kContactKindPhone[] = "phone";

constexpr char kSqlCountDealsInStage[] = "SELECT COUNT(*) FROM deals WHERE stage_id = ?";
constexpr char kSqlCountDealsInPipeline[] = "SELECT COUNT(*) FROM deals WHERE pipeline_id = ?";
constexpr char kSqlCardsOfStage[] =
    " WHERE stage_id = ? AND status = 'open' ORDER BY position, id LIMIT ? OFFSET ?";
constexpr char kSqlFirstPosition[] =
    "SELECT position FROM deals WHERE stage_id = ? AND status = 'open' "
    "ORDER BY position LIMIT 1";
constexpr char kSqlLastPosition[] =
    "SELECT position FROM deals WHERE stage_id = ? AND status = 'open' "
    "ORDER BY position DESC LIMIT 1";
// Positions become 1, 2, 3... times ?2 in the current card order (position, then id).
constexpr char kSqlRenumberStage[] =
    "UPDATE deals SET position = ranked.card_rank * ?2 "
    "FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY position, id) AS card_rank FROM deals "
    "WHERE stage_id = ?1 AND status = 'open') AS ranked "
    "WHERE deals.id = ranked.id";
constexpr char kSqlMoveAllDeals[] =
    "UPDATE deals SET stage_id = ?1, pipeline_id = ?2, position = position + ?3, "
    "stage_changed_at = ?4, updated_at = ?4, version = version + 1 WHERE stage_id = ?5";
constexpr char kSqlRefreshDealActivityDates[] =
    "UPDATE deals SET "
    "next_activity_date = (SELECT MIN(due_date) FROM activities WHERE deal_id = ?1 AND done = 0), "
    "last_activity_at = (SELECT MAX(done_at) FROM activities WHERE deal_id = ?1 AND done = 1) "
    "WHERE id = ?1";

constexpr char kSqlStageEventsOfDeal[] = " WHERE deal_id = ? ORDER BY at, id";
// Same order as the activities list sorted by due_date (kActivitySorts).
constexpr char kSqlActivitiesOfDeal[] =
    " WHERE deal_id = ? ORDER BY due_date * 1440 + COALESCE(due_time, 1439), id";
constexpr char kSqlNotesOfDeal[] = " WHERE deal_id = ? ORDER BY created_at, id";

// Board totals, as rows of (stage, currency, count, Σ value, Σ value without override,
// Σ value × override percent); Board adds rows of the same stage and currency and applies the
// stage probability. Without a text filter they come from the maintained board_totals (schema.h):
// one row per owner, narrowed by the owner filter. A text filter is beyond the aggregate, so the
// open deals of the pipeline's stages are grouped directly (deals_board finds them per stage).
constexpr char kSqlBoardTotalsFromAggregate[] =
    "SELECT stage_id, currency, open_count, value_sum, value_sum_no_override, "
    "weighted_override_sum FROM board_totals "
    "WHERE stage_id IN (SELECT id FROM stages WHERE pipeline_id = ?)";
constexpr char kSqlBoardTotalsScan[] =
    "SELECT stage_id, currency, COUNT(*), SUM(value_minor), "
    "SUM(IIF(probability_override IS NULL, value_minor, 0)), "
    "SUM(value_minor * COALESCE(probability_override, 0)) FROM deals "
    "WHERE stage_id IN (SELECT id FROM stages WHERE pipeline_id = ?) AND status = 'open'";
constexpr char kSqlBoardTotalsScanGroup[] = " GROUP BY stage_id, currency";
constexpr char kSqlBoardCards[] = " WHERE stage_id = ? AND status = 'open'";
constexpr char kSqlCardOrder[] = " ORDER BY position, id LIMIT ?";

constexpr char kSqlOrganizationNames[] =
    "SELECT id, name FROM organizations WHERE id IN (SELECT value FROM json_each(?))";
constexpr char kSqlPersonNames[] =
    "SELECT id, name FROM persons WHERE id IN (SELECT value FROM json_each(?))";
constexpr char kSqlUserNames[] =
    "SELECT id, name FROM users WHERE id IN (SELECT value FROM json_each(?))";

constexpr char kSqlBoardVersion[] =
    "SELECT SUM(version) FROM board_versions WHERE pipeline_id IN (0, ?)";

constexpr char kSqlAllBoardVersions[] =
    "SELECT p.id, COALESCE(v.version, 0) + "
    "COALESCE((SELECT version FROM board_versions WHERE pipeline_id = 0), 0) "
    "FROM pipelines p LEFT JOIN board_versions v ON v.pipeline_id = p.id";

// Forecast snapshots: an existing row of the same (month, pipeline, owner) is kept as it is.
constexpr char kSqlInsertForecastSnapshot[] =
    "INSERT INTO forecast_snapshots (month, pipeline_id, owner_id, open_deals, value_minor, "
    "weighted_minor, taken_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING";
constexpr char kSqlHasForecastSnapshot[] =
    "SELECT EXISTS (SELECT 1 FROM forecast_snapshots WHERE month = ?)";
constexpr char kSqlForecastSnapshotsBetween[] =
    "SELECT month, pipeline_id, owner_id, open_deals, value_minor, weighted_minor, taken_at "
    "FROM forecast_snapshots WHERE month >= ? AND month < ? ORDER BY month, pipeline_id, owner_id";

// Flag snoozes. Flags are stored as text, whose order is not HealthFlag's: the reads sort by
// flag in C++ (a deal has at most one row per flag).
constexpr char kSqlPutSnooze[] =
    "INSERT INTO flag_snoozes (deal_id, flag, until, reason, user_id, created_at) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (deal_id, flag) DO UPDATE SET until = excluded.until, "
    "reason = excluded.reason, user_id = excluded.user_id, created_at = excluded.created_at";
constexpr char kSqlDeleteSnooze[] = "DELETE FROM flag_snoozes WHERE deal_id = ? AND flag = ?";
constexpr char kSqlSnoozesOfDeal[] =
    "SELECT deal_id, flag, until, reason, user_id, created_at FROM flag_snoozes "
    "WHERE deal_id = ?";
constexpr char kSqlSnoozesInForce[] =
    "SELECT deal_id, flag, until, reason, user_id, created_at FROM flag_snoozes "
    "WHERE until > ? ORDER BY deal_id";

// Analytics scans. A set of deals arrives as one JSON array of ids (see kSqlContactsOf); IN
// ignores duplicates and unknown ids.
constexpr char kSqlDealFacts[] =
    "SELECT id, pipeline_id, stage_id, owner_id, status, value_minor, currency, created_at, "
    "closed_at, stage_changed_at, probability_override, expected_close_date, lost_reason "
    "FROM deals";
constexpr char kSqlOrderById[] = " ORDER BY id";
constexpr char kSqlWhereIdInOrderById[] =
    " WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id";
// stage_events_deal (deal_id, at) with the trailing rowid delivers this order without sorting.
constexpr char kSqlStageEventFacts[] =
    "SELECT id, deal_id, kind, at, to_pipeline_id, to_stage_id, to_status FROM stage_events";
constexpr char kSqlOrderByDealAtId[] = " ORDER BY deal_id, at, id";
constexpr char kSqlWhereDealIdInOrderByDealAtId[] =
    " WHERE deal_id IN (SELECT value FROM json_each(?)) ORDER BY deal_id, at, id";
// A scan of the table in rowid order; no index leads with status or pipeline_id.
constexpr char kSqlOpenDeals[] =
    " WHERE status = 'open' AND (?1 IS NULL OR pipeline_id = ?1) ORDER BY id";

// The deal change log (schema.h). Its position is the last seq handed out, which
// sqlite_sequence keeps even when pruning removed every row.
constexpr char kSqlLatestDealChange[] =
    "SELECT seq FROM sqlite_sequence WHERE name = 'deal_changes'";
constexpr char kSqlFirstDealChange[] = "SELECT MIN(seq) FROM deal_changes";
// Reset marks (deal_id 0) sort first, so a mark after the position is the first row.
constexpr char kSqlDealsChangedAfter[] =
    "SELECT DISTINCT deal_id FROM deal_changes WHERE seq > ? ORDER BY deal_id LIMIT ?";
constexpr char kSqlPruneDealChanges[] = "DELETE FROM deal_changes WHERE seq <= ?";
constexpr Id kDealChangeResetMark = 0;

// activity_done_days (schema.h) holds the done activities counted per (day, owner), kept by
// triggers: its primary key leads with day, so this reads the range's rows only (at most days ×
// owners) and groups them by owner.
constexpr char kSqlCountDoneActivitiesByOwner[] =
    "SELECT owner_id, SUM(done_count) FROM activity_done_days WHERE day >= ? AND day < ? "
    "GROUP BY owner_id";
// activities_deal (deal_id, done, ...) covers it.
constexpr char kSqlCountDoneActivitiesOfDeals[] =
    "SELECT deal_id, COUNT(*) FROM activities "
    "WHERE deal_id IN (SELECT value FROM json_each(?)) AND done = 1 GROUP BY deal_id";

constexpr char kSqlGetSetting[] = "SELECT value FROM settings WHERE key = ?";
constexpr char kSqlPutSetting[] =
    "INSERT INTO settings (key, value) VALUES (?, ?) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value";

// ---- Lists ----------------------------------------------------------------------------------

// A ListQuery filter, with the SQL condition (one '?') it becomes for one record type.
enum class Filter {
  kPipeline,
  kStage,
  kOwner,
  kPerson,
  kOrg,
  kDeal,
  kUser,
  kTeam,
  kStatus,
  kDone,
  kHasNextActivity,
  kDueFrom,
  kDueTo,
  kUpdatedSince,
  kText
};
struct FilterSql {
  Filter filter;
  const char* condition;
};

// A sort a record type supports and the SQL expression of its key. Keys are never NULL (nullable
// columns are COALESCEd to a sentinel) so that keyset comparisons neither skip nor repeat rows.
struct SortSql {
  SortField field;
  const char* key;
};

// Which of a VisibleScope's id sets a visibility condition's placeholders take, in order.
enum class ScopeSet { kOwners, kEveryonePipelines, kTeamPipelines, kTeamMembers };
struct VisibleSql {
  const char* condition;  // nullptr: the record type is not scoped
  std::span<const ScopeSet> params;
};

struct ListSpec {
  const char* noun;  // plural, for messages
  std::span<const FilterSql> filters;
  std::span<const SortSql> sorts;
  VisibleSql visible = {nullptr, {}};
};

// VisibleScope (store.h) as SQL. Each set is bound as a JSON array; a deal's condition takes the
// four sets, the others first their own owners and then a deal's condition on a joined deal.
#define PD_IN_SET "IN (SELECT value FROM json_each(?))"
#define PD_DEAL_VISIBLE(d)                                                           \
  "(" d ".owner_id " PD_IN_SET " OR " d ".pipeline_id " PD_IN_SET " OR (" d ".pipeline_id " \
  PD_IN_SET " AND " d ".owner_id " PD_IN_SET "))"
constexpr char kSqlDealVisible[] = PD_DEAL_VISIBLE("deals");
constexpr char kSqlActivityVisible[] =
    "(activities.owner_id " PD_IN_SET
    " OR EXISTS (SELECT 1 FROM deals d WHERE d.id = activities.deal_id AND " PD_DEAL_VISIBLE(
        "d") "))";
constexpr char kSqlPersonVisible[] =
    "(persons.owner_id " PD_IN_SET
    " OR EXISTS (SELECT 1 FROM deals d WHERE d.person_id = persons.id AND " PD_DEAL_VISIBLE(
        "d") "))";
constexpr char kSqlOrganizationVisible[] =
    "(organizations.owner_id " PD_IN_SET
    " OR EXISTS (SELECT 1 FROM deals d WHERE d.org_id = organizations.id AND " PD_DEAL_VISIBLE(
        "d") "))";
constexpr char kSqlNoteVisible[] =
    "(notes.user_id " PD_IN_SET
    " OR EXISTS (SELECT 1 FROM deals d WHERE d.id = notes.deal_id AND " PD_DEAL_VISIBLE("d") ")"
    " OR EXISTS (SELECT 1 FROM persons p WHERE p.id = notes.person_id AND p.owner_id " PD_IN_SET
    ") OR EXISTS (SELECT 1 FROM organizations o WHERE o.id = notes.org_id AND o.owner_id "
    PD_IN_SET "))";
constexpr char kSqlOwnerVisible[] = "owner_id " PD_IN_SET;
#undef PD_DEAL_VISIBLE
#undef PD_IN_SET
constexpr ScopeSet kDealScopeSets[] = {ScopeSet::kOwners, ScopeSet::kEveryonePipelines,
                                       ScopeSet::kTeamPipelines, ScopeSet::kTeamMembers};
constexpr ScopeSet kJoinedDealScopeSets[] = {ScopeSet::kOwners, ScopeSet::kOwners,
                                             ScopeSet::kEveryonePipelines,
                                             ScopeSet::kTeamPipelines, ScopeSet::kTeamMembers};
constexpr ScopeSet kNoteScopeSets[] = {
    ScopeSet::kOwners,        ScopeSet::kOwners,      ScopeSet::kEveryonePipelines,
    ScopeSet::kTeamPipelines, ScopeSet::kTeamMembers, ScopeSet::kOwners,
    ScopeSet::kOwners};
constexpr ScopeSet kOwnerScopeSets[] = {ScopeSet::kOwners};

constexpr char kSqlTextName[] = "pd_fold(name) LIKE ? ESCAPE '\\'";
constexpr FilterSql kUpdatedSinceFilter = {Filter::kUpdatedSince, "updated_at >= ?"};
constexpr FilterSql kOwnerFilter = {Filter::kOwner, "owner_id = ?"};
constexpr FilterSql kPersonFilter = {Filter::kPerson, "person_id = ?"};
constexpr FilterSql kOrgFilter = {Filter::kOrg, "org_id = ?"};
constexpr FilterSql kDealFilter = {Filter::kDeal, "deal_id = ?"};
constexpr SortSql kSortId = {SortField::kId, "id"};
constexpr SortSql kSortName = {SortField::kName, "name"};
constexpr SortSql kSortCreated = {SortField::kCreatedAt, "created_at"};
constexpr SortSql kSortUpdated = {SortField::kUpdatedAt, "updated_at"};
// Pipelines, stages and lost reasons have an explicit display order; SortField::kPosition
// selects it (their "order" sort).
constexpr SortSql kSortOrder = {SortField::kPosition, "sort_order"};

constexpr FilterSql kNamedFilters[] = {{Filter::kText, kSqlTextName}, kUpdatedSinceFilter};
constexpr FilterSql kUserFilters[] = {
    {Filter::kTeam, "team_id = ?"}, {Filter::kText, kSqlTextName}, kUpdatedSinceFilter};
// name_key is the name folded already.
constexpr FilterSql kTeamFilters[] = {{Filter::kText, "name_key LIKE ? ESCAPE '\\'"},
                                      kUpdatedSinceFilter};
constexpr FilterSql kQuotaFilters[] = {{Filter::kUser, "user_id = ?"},
                                       {Filter::kTeam, "team_id = ?"},
                                       {Filter::kPipeline, "pipeline_id = ?"},
                                       kUpdatedSinceFilter};
constexpr FilterSql kStageFilters[] = {
    {Filter::kPipeline, "pipeline_id = ?"}, {Filter::kText, kSqlTextName}, kUpdatedSinceFilter};
constexpr FilterSql kOrganizationFilters[] = {
    kOwnerFilter, {Filter::kText, kSqlTextName}, kUpdatedSinceFilter};
constexpr FilterSql kPersonFilters[] = {
    kOwnerFilter, kOrgFilter, {Filter::kText, kSqlTextName}, kUpdatedSinceFilter};
constexpr FilterSql kDealFilters[] = {
    {Filter::kPipeline, "pipeline_id = ?"},
    {Filter::kStage, "stage_id = ?"},
    kOwnerFilter,
    kPersonFilter,
    kOrgFilter,
    {Filter::kStatus, "status = ?"},
    {Filter::kHasNextActivity, "(next_activity_date IS NOT NULL) = ?"},
    {Filter::kText, "pd_fold(title) LIKE ? ESCAPE '\\'"},
    kUpdatedSinceFilter};
constexpr FilterSql kActivityFilters[] = {kOwnerFilter,
                                          kDealFilter,
                                          kPersonFilter,
                                          kOrgFilter,
                                          {Filter::kDone, "done = ?"},
                                          {Filter::kDueFrom, "due_date >= ?"},
                                          {Filter::kDueTo, "due_date <= ?"},
                                          {Filter::kText, "pd_fold(subject) LIKE ? ESCAPE '\\'"},
                                          kUpdatedSinceFilter};
constexpr FilterSql kNoteFilters[] = {kDealFilter,
                                      kPersonFilter,
                                      kOrgFilter,
                                      {Filter::kUser, "user_id = ?"},
                                      {Filter::kText, "pd_fold(content) LIKE ? ESCAPE '\\'"},
                                      kUpdatedSinceFilter};
constexpr FilterSql kLostReasonFilters[] = {{Filter::kText, "pd_fold(label) LIKE ? ESCAPE '\\'"},
                                            kUpdatedSinceFilter};
constexpr FilterSql kBoardFilters[] = {kOwnerFilter,
                                       {Filter::kText, "pd_fold(title) LIKE ? ESCAPE '\\'"}};

constexpr SortSql kNamedRecordSorts[] = {kSortId, kSortName, kSortCreated, kSortUpdated};
constexpr SortSql kPipelineSorts[] = {kSortOrder, kSortId, kSortName};
constexpr SortSql kStageSorts[] = {kSortOrder, kSortId};
// Deals without an expected close date sort after every dated deal (ascending).
constexpr SortSql kDealSorts[] = {
    kSortId,
    {SortField::kName, "title"},
    {SortField::kValue, "value_minor"},
    kSortCreated,
    kSortUpdated,
    {SortField::kExpectedCloseDate, "COALESCE(expected_close_date, 2147483647)"},
    {SortField::kPosition, "position"}};
// Due moment in minutes: an activity without a time counts as due at the end of its day, as in
// IsOverdue (core/deal_rules.h).
constexpr SortSql kActivitySorts[] = {
    kSortId,
    {SortField::kDueDate, "due_date * 1440 + COALESCE(due_time, 1439)"},
    kSortCreated,
    kSortUpdated};
constexpr SortSql kNoteSorts[] = {kSortId, kSortCreated, kSortUpdated};
constexpr SortSql kLostReasonSorts[] = {kSortOrder, kSortId, {SortField::kName, "label"}};
constexpr SortSql kTeamSorts[] = {kSortId, kSortName};
constexpr SortSql kQuotaSorts[] = {kSortId};

constexpr ListSpec kUserList = {"users", kUserFilters, kNamedRecordSorts};
constexpr ListSpec kTeamList = {"teams", kTeamFilters, kTeamSorts};
constexpr ListSpec kQuotaList = {"quotas", kQuotaFilters, kQuotaSorts};
constexpr ListSpec kPipelineList = {"pipelines", kNamedFilters, kPipelineSorts};
constexpr ListSpec kStageList = {"stages", kStageFilters, kStageSorts};
constexpr ListSpec kOrganizationList = {"organizations", kOrganizationFilters, kNamedRecordSorts,
                                        {kSqlOrganizationVisible, kJoinedDealScopeSets}};
constexpr ListSpec kPersonList = {"persons", kPersonFilters, kNamedRecordSorts,
                                  {kSqlPersonVisible, kJoinedDealScopeSets}};
constexpr ListSpec kDealList = {"deals", kDealFilters, kDealSorts,
                                {kSqlDealVisible, kDealScopeSets}};
constexpr ListSpec kActivityList = {"activities", kActivityFilters, kActivitySorts,
                                    {kSqlActivityVisible, kJoinedDealScopeSets}};
constexpr ListSpec kNoteList = {"notes", kNoteFilters, kNoteSorts,
                                {kSqlNoteVisible, kNoteScopeSets}};
constexpr ListSpec kLostReasonList = {"lost reasons", kLostReasonFilters, kLostReasonSorts};

const char* SortFieldName(SortField f) {
  switch (f) {
    case SortField::kId:
      return "id";
    case SortField::kCreatedAt:
      return "created_at";
    case SortField::kUpdatedAt:
      return "updated_at";
    case SortField::kName:
      return "name";
    case SortField::kValue:
      return "value";
    case SortField::kExpectedCloseDate:
      return "expected_close_date";
    case SortField::kPosition:
      return "position";
    case SortField::kDueDate:
      return "due_date";
  }
  return "id";
}

// A case-insensitive substring pattern for `pd_fold(column) LIKE ? ESCAPE '\'`: the text is
// folded like the column, and its own wildcards match literally.
std::string LikePattern(std::string_view text) {
  std::string pattern = "%";
  for (char c : FoldCase(text)) {
    if (c == '%' || c == '_' || c == '\\') pattern += '\\';
    pattern += c;
  }
  return pattern + "%";
}

template <typename T>
std::optional<SortKey> KeyOf(const std::optional<T>& v) {
  if (!v) return std::nullopt;
  return SortKey(int64_t{*v});
}

// The value `q` gives `filter`, or std::nullopt when `q` leaves it unset.
std::optional<SortKey> FilterValue(Filter filter, const ListQuery& q) {
  switch (filter) {
    case Filter::kPipeline:
      return KeyOf(q.pipeline_id);
    case Filter::kStage:
      return KeyOf(q.stage_id);
    case Filter::kOwner:
      return KeyOf(q.owner_id);
    case Filter::kPerson:
      return KeyOf(q.person_id);
    case Filter::kOrg:
      return KeyOf(q.org_id);
    case Filter::kDeal:
      return KeyOf(q.deal_id);
    case Filter::kUser:
      return KeyOf(q.user_id);
    case Filter::kTeam:
      return KeyOf(q.team_id);
    case Filter::kDone:
      return KeyOf(q.done);
    case Filter::kHasNextActivity:
      return KeyOf(q.has_next_activity);
    case Filter::kStatus:
      if (!q.status) return std::nullopt;
      return SortKey(std::string(DealStatusName(*q.status)));
    case Filter::kDueFrom:
      if (!q.due_from) return std::nullopt;
      return SortKey(int64_t{q.due_from->days});
    case Filter::kDueTo:
      if (!q.due_to) return std::nullopt;
      return SortKey(int64_t{q.due_to->days});
    case Filter::kUpdatedSince:
      if (!q.updated_since) return std::nullopt;
      return SortKey(q.updated_since->millis);
    case Filter::kText:
      if (q.text.empty()) return std::nullopt;
      return SortKey(LikePattern(q.text));
  }
  return std::nullopt;
}

// "[3,9,12]": a set of ids for json_each.
std::string JsonIdArray(const std::vector<Id>& ids) {
  std::string json = "[";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i) json += ',';
    json += std::to_string(ids[i]);
  }
  return json + "]";
}

// A WHERE clause under construction and the values of its placeholders, in order.
// `after_where`: the statement it extends already has a WHERE clause.
struct Conditions {
  explicit Conditions(bool after_where = false) : after_where(after_where) {}

  bool after_where;
  std::string sql;
  std::vector<SortKey> params;

  void Add(std::string_view condition, SortKey value) {
    sql += sql.empty() && !after_where ? " WHERE " : " AND ";
    sql += condition;
    params.push_back(std::move(value));
  }
  void AddFilters(std::span<const FilterSql> filters, const ListQuery& q) {
    for (const FilterSql& f : filters) {
      if (std::optional<SortKey> value = FilterValue(f.filter, q)) Add(f.condition, *value);
    }
  }
  // The visibility condition `sql`, its placeholders taking the sets of `scope` named by `sets`.
  void AddVisible(const VisibleSql& sql, const VisibleScope& scope) {
    AddCondition(sql.condition);
    for (ScopeSet set : sql.params) {
      switch (set) {
        case ScopeSet::kOwners:
          params.push_back(JsonIdArray(scope.owner_ids));
          break;
        case ScopeSet::kEveryonePipelines:
          params.push_back(JsonIdArray(scope.everyone_pipelines));
          break;
        case ScopeSet::kTeamPipelines:
          params.push_back(JsonIdArray(scope.team_pipelines));
          break;
        case ScopeSet::kTeamMembers:
          params.push_back(JsonIdArray(scope.team_member_ids));
          break;
      }
    }
  }
  void AddCondition(std::string_view condition) {
    sql += sql.empty() && !after_where ? " WHERE " : " AND ";
    sql += condition;
  }
  void BindTo(SqliteStatement& stmt) const {
    for (const SortKey& p : params) std::visit([&](const auto& v) { stmt.Bind(v); }, p);
  }
};

// The value of column `i` of the current row as a cursor key.
SortKey KeyAt(SqliteStatement& stmt, int i) {
  switch (stmt.ColumnType(i)) {
    case SQLITE_FLOAT:
      return sqlite3_column_double(stmt.handle(), i);
    case SQLITE_TEXT: {
      const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt.handle(), i));
      return std::string(text, sqlite3_column_bytes(stmt.handle(), i));
    }
    default:
      return int64_t{sqlite3_column_int64(stmt.handle(), i)};
  }
}

// Σ value × percent / 100 rounded half away from zero. 128-bit so that a column of a million
// maximal deals cannot overflow.
int64_t RoundPercentSum(__int128 value_times_percent) {
  const __int128 half = value_times_percent < 0 ? -50 : 50;
  return static_cast<int64_t>((value_times_percent + half) / 100);
}

// The statements Board runs for `q` (shared with ExplainSqliteQueryPlans).
struct BoardSql {
  Conditions where{/*after_where=*/true};  // the owner and text filters
  std::string totals;                      // binds the pipeline id, then `where`
  std::string cards;                       // binds a stage id, then `where`, then the card limit
};

BoardSql BuildBoardSql(const BoardQuery& q) {
  BoardSql sql;
  ListQuery filters;
  filters.owner_id = q.owner_id;
  filters.text = q.text;
  sql.where.AddFilters(kBoardFilters, filters);
  if (q.visible_owners) {
    VisibleScope owners;
    owners.owner_ids = *q.visible_owners;
    sql.where.AddVisible({kSqlOwnerVisible, kOwnerScopeSets}, owners);
  }
  sql.totals = q.text.empty() ? kSqlBoardTotalsFromAggregate + sql.where.sql
                              : kSqlBoardTotalsScan + sql.where.sql + kSqlBoardTotalsScanGroup;
  sql.cards = SelectOf<Deal>(kSqlBoardCards) + sql.where.sql + kSqlCardOrder;
  return sql;
}

// The statement of one list page (shared with ExplainSqliteQueryPlans): rows strictly after the
// cursor's (key, id) in q.sort order with id as the tie-breaker, selecting T's columns and then
// the sort key. Binds `where`, then the row limit.
struct ListSql {
  std::string sql;
  Conditions where;
  std::string sort_name;  // the cursor's sort: "updated_at", "-updated_at", ...
};

template <typename T>
Result<ListSql> BuildListSql(const ListSpec& spec, const ListQuery& q) {
  const SortSql* sort = nullptr;
  for (const SortSql& s : spec.sorts) {
    if (s.field == q.sort) sort = &s;
  }
  if (sort == nullptr) {
    return Status::Invalid(
        "sort", std::string(spec.noun) + " cannot be sorted by " + SortFieldName(q.sort));
  }
  if (q.limit < 1) return Status::Invalid("limit", "limit must be at least 1");
  ListSql list;
  list.sort_name = (q.descending ? "-" : "") + std::string(SortFieldName(q.sort));
  const std::string key(sort->key);
  list.where.AddFilters(spec.filters, q);
  if (q.visible && spec.visible.condition != nullptr) {
    list.where.AddVisible(spec.visible, *q.visible);
  }
  if (!q.cursor.empty()) {
    PD_ASSIGN_OR_RETURN(ListCursor cursor, DecodeCursor(q.cursor));
    if (cursor.sort != list.sort_name) {
      return Status::Invalid(
          "cursor", "the cursor belongs to sort=" + cursor.sort + ", not sort=" + list.sort_name);
    }
    list.where.Add("(" + key + ", id) " + (q.descending ? "<" : ">") + " (?, ?)", cursor.key);
    list.where.params.push_back(cursor.id);
  }
  const char* direction = q.descending ? " DESC" : " ASC";
  list.sql = "SELECT id, " + std::string(Codec<T>::kDef.columns) + ", " + key + " FROM " +
             Codec<T>::kDef.table + list.where.sql + " ORDER BY " + key + direction + ", id" +
             direction + " LIMIT ?";
  return list;
}

// Stores the emails and phones of `p` (which has none stored yet) in list order.
Status InsertContacts(SqliteConnection& conn, const Person& p) {
  for (const auto& [kind, points] :
       {std::pair{kContactKindEmail, &p.emails}, std::pair{kContactKindPhone, &p.phones}}) {
    for (size_t i = 0; i < points->size(); ++i) {
      const ContactPoint& c = (*points)[i];
      PD_ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(kSqlInsertContact));
      PD_RETURN_IF_ERROR(stmt.Bind(p.id)
                             .Bind(kind)
                             .Bind(static_cast<int64_t>(i))
                             .Bind(c.value)
                             .Bind(c.label)
                             .Bind(c.primary)
                             .Run());
    }
  }
  return Status::Ok();
}

// ---- The transaction ------------------------------------------------------------------------

class SqliteTx final : public StoreTx {
 public:
  explicit SqliteTx(SqliteConnection& conn) : conn_(conn) {}

  Result<std::optional<Id>> FindExternalKey(std::string_view object,
                                            std::string_view external_id) override {
    return FetchScalar<Id>(kSqlFindExternalKey, std::string(object), std::string(external_id));
  }
  Status PutExternalKey(std::string_view object, std::string_view external_id,
                        Id record_id) override {
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, PrepareBound(kSqlPutExternalKey, std::string(object),
                                                           std::string(external_id), record_id));
    return stmt.Run();
  }

  Result<AssignedIds> LastAssignedIds() override {
    AssignedIds ids;
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, conn_.Prepare(kSqlAssignedIds));
    while (true) {
      PD_ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) return ids;
      SqliteRow r = stmt.Row();
      const std::string table = r.Get<std::string>();
      const Id last = r.Get<int64_t>();
      if (table == "organizations") ids.organization = last;
      if (table == "persons") ids.person = last;
      if (table == "deals") ids.deal = last;
      if (table == "stage_events") ids.stage_event = last;
    }
  }

  // The savepoint statements are prepared once per connection, like every other: an import
  // runs three of them per row.
  Status WithinSavepoint(const std::function<Status()>& fn) override {
    PD_RETURN_IF_ERROR(RunPrepared(kSqlSavepointRow));
    Status status = fn();
    if (sqlite3_get_autocommit(conn_.handle())) {
      return Status::Internal("the transaction was rolled back by the database" +
                              (status.ok() ? std::string() : ": " + status.message()));
    }
    if (status.ok()) return RunPrepared(kSqlReleaseRow);
    PD_RETURN_IF_ERROR(RunPrepared(kSqlRollbackToRow));
    PD_RETURN_IF_ERROR(RunPrepared(kSqlReleaseRow));
    return status;
  }

  Result<User> InsertUser(User u) override { return Insert(std::move(u)); }
  Result<User> GetUser(Id id) override { return Get<User>(id); }
  Result<User> FindUserByEmail(const std::string& email_lower) override {
    static const std::string sql = SelectOf<User>(kSqlWhereEmail);
    return FetchOne<User>(sql, Status::NotFound("no user with email " + email_lower, "email"),
                          email_lower);
  }
  Status UpdateUser(const User& u, int64_t expected_version) override {
    return Update(u, expected_version);
  }
  Result<Page<User>> ListUsers(const ListQuery& q) override { return List<User>(kUserList, q); }

  Result<ApiToken> InsertToken(ApiToken t) override { return Insert(std::move(t)); }
  Result<ApiToken> FindTokenByHash(const std::string& secret_hash) override {
    static const std::string sql = SelectOf<ApiToken>(kSqlWhereSecretHash);
    return FetchOne<ApiToken>(sql, Status::NotFound("no token with this secret"), secret_hash);
  }
  Result<std::vector<ApiToken>> ListTokens(Id user_id) override {
    static const std::string sql = SelectOf<ApiToken>(kSqlTokensOfUser);
    return FetchAll<ApiToken>(sql, user_id);
  }
  Status DeleteToken(Id token_id) override { return Delete<ApiToken>(token_id, 0); }
  Status DeleteTokensOfUser(Id user_id) override {
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, conn_.Prepare(kSqlDeleteTokensOfUser));
    return stmt.Bind(user_id).Run();
  }
  Status TouchToken(Id token_id, Timestamp at) override {
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, conn_.Prepare(kSqlTouchToken));
    PD_RETURN_IF_ERROR(stmt.Bind(at).Bind(token_id).Run());
    return stmt.Changes() > 0 ? Status::Ok() : NotFound<ApiToken>(token_id);
  }

  Result<AuditEntry> AppendAudit(AuditEntry entry) override {
    {
      PD_ASSIGN_OR_RETURN(SqliteStatement stmt,
                          PrepareBound(kSqlAppendAudit, entry.at, entry.user_id,
                                       std::string(AuditActionName(entry.action)), entry.object,
                                       entry.record_id));
      PD_RETURN_IF_ERROR(stmt.Run());
    }
    entry.id = sqlite3_last_insert_rowid(conn_.handle());
    int64_t seq = 0;
    for (const FieldChange& c : entry.changes) {
      PD_ASSIGN_OR_RETURN(SqliteStatement stmt,
                          PrepareBound(kSqlAppendAuditChange, entry.id, seq++, c.field, c.before,
                                       c.after));
      PD_RETURN_IF_ERROR(stmt.Run());
    }
    return entry;
  }

  Result<std::vector<AuditEntry>> ListAudit(const AuditQuery& q) override {
    const char* sql = !q.object.empty() && q.record_id ? kSqlAuditOfRecord
                      : q.user_id                       ? kSqlAuditOfUser
                                                        : kSqlAuditAll;
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, conn_.Prepare(sql));
    stmt.Bind(q.object).Bind(q.record_id).Bind(q.user_id).Bind(q.from).Bind(q.to);
    stmt.Bind(q.before_id).Bind(int64_t{q.limit});
    std::vector<AuditEntry> entries;
    std::string bad_action;
    PD_RETURN_IF_ERROR(ForEachRow(stmt, [&](SqliteRow& row) {
      AuditEntry e;
      e.id = row.Get<Id>();
      e.at = row.Get<Timestamp>();
      e.user_id = row.Get<Id>();
      const std::string action = row.Get<std::string>();
      if (std::optional<AuditAction> parsed = ParseAuditAction(action)) {
        e.action = *parsed;
      } else {
        bad_action = action;
      }
      e.object = row.Get<std::string>();
      e.record_id = row.Get<Id>();
      entries.push_back(std::move(e));
    }));
    if (!bad_action.empty()) return Status::Internal("unknown audit action " + bad_action);
    if (entries.empty()) return entries;
    std::vector<Id> ids;
    std::map<Id, AuditEntry*> by_id;
    for (AuditEntry& e : entries) {
      ids.push_back(e.id);
      by_id[e.id] = &e;
    }
    PD_ASSIGN_OR_RETURN(SqliteStatement changes, PrepareBound(kSqlAuditChanges, JsonIdArray(ids)));
    PD_RETURN_IF_ERROR(ForEachRow(changes, [&](SqliteRow& row) {
      const Id audit_id = row.Get<Id>();
      FieldChange c;
      c.field = row.Get<std::string>();
      c.before = row.Get<std::string>();
      c.after = row.Get<std::string>();
      by_id[audit_id]->changes.push_back(std::move(c));
    }));
    return entries;
  }

  Result<std::optional<std::string>> GetPasswordHash(Id user_id) override {
    return FetchScalar<std::string>(kSqlGetPasswordHash, user_id);
  }
  Status SetPasswordHash(Id user_id, const std::string& hash, Timestamp at) override {
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, PrepareBound(kSqlSetPasswordHash, user_id, hash, at));
    return stmt.Run();
  }
  Result<Session> InsertSession(Session x) override { return Insert(std::move(x)); }
  Result<Session> FindSessionByHash(const std::string& secret_hash) override {
    static const std::string sql = SelectOf<Session>(kSqlWhereSecretHash);
    return FetchOne<Session>(sql, Status::NotFound("no session with this secret"), secret_hash);
  }
  Status TouchSession(Id session_id, Timestamp at) override {
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, PrepareBound(kSqlTouchSession, at, session_id));
    PD_RETURN_IF_ERROR(stmt.Run());
    return stmt.Changes() > 0 ? Status::Ok() : NotFound<Session>(session_id);
  }
  Status DeleteSession(Id session_id) override {
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, PrepareBound(kSqlDeleteSession, session_id));
    return stmt.Run();
  }
  Status DeleteSessionsOfUser(Id user_id, Id keep) override {
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt,
                        PrepareBound(kSqlDeleteSessionsOfUser, user_id, keep));
    return stmt.Run();
  }
  Result<PasswordReset> InsertPasswordReset(PasswordReset r) override {
    return Insert(std::move(r));
  }
  Result<PasswordReset> FindPasswordResetByHash(const std::string& secret_hash) override {
    static const std::string sql = SelectOf<PasswordReset>(kSqlWhereSecretHash);
    return FetchOne<PasswordReset>(sql, Status::NotFound("no password reset with this code"),
                                   secret_hash);
  }
  Status DeletePasswordResetsOfUser(Id user_id) override {
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt,
                        PrepareBound(kSqlDeletePasswordResetsOfUser, user_id));
    return stmt.Run();
  }
  Status AddSignInFailure(const std::string& subject, Timestamp at) override {
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, PrepareBound(kSqlAddSignInFailure, subject, at));
    return stmt.Run();
  }
  Result<std::vector<Timestamp>> SignInFailures(const std::string& subject, Timestamp since,
                                                int limit) override {
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt,
                        PrepareBound(kSqlSignInFailures, subject, since, int64_t{limit}));
    std::vector<Timestamp> failures;
    PD_RETURN_IF_ERROR(
        ForEachRow(stmt, [&](SqliteRow& row) { failures.push_back(row.Get<Timestamp>()); }));
    return failures;
  }
  Status ClearSignInFailures(const std::string& subject) override {
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, PrepareBound(kSqlClearSignInFailures, subject));
    return stmt.Run();
  }
  Status PruneSignIns(Timestamp seen_before, Timestamp created_before, Timestamp failed_before,
                      Timestamp now) override {
    {
      PD_ASSIGN_OR_RETURN(SqliteStatement stmt,
                          PrepareBound(kSqlPruneSessions, seen_before, created_before));
      PD_RETURN_IF_ERROR(stmt.Run());
    }
    {
      PD_ASSIGN_OR_RETURN(SqliteStatement stmt,
                          PrepareBound(kSqlPruneSignInFailures, failed_before));
      PD_RETURN_IF_ERROR(stmt.Run());
    }
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, PrepareBound(kSqlPrunePasswordResets, now));
    return stmt.Run();
  }

  Result<Pipeline> InsertPipeline(Pipeline p) override { return Insert(std::move(p)); }
  Result<Pipeline> GetPipeline(Id id) override { return Get<Pipeline>(id); }
  Status UpdatePipeline(const Pipeline& p, int64_t expected_version) override {
    return Update(p, expected_version);
  }
  Status DeletePipeline(Id id, int64_t expected_version) override {
    return Delete<Pipeline>(id, expected_version);
  }
  Result<Page<Pipeline>> ListPipelines(const ListQuery& q) override {
    return List<Pipeline>(kPipelineList, q);
  }
  Result<Stage> InsertStage(Stage s) override { return Insert(std::move(s)); }
  Result<Stage> GetStage(Id id) override { return Get<Stage>(id); }
  Status UpdateStage(const Stage& s, int64_t expected_version) override {
    return Update(s, expected_version);
  }
  Status DeleteStage(Id id, int64_t expected_version) override {
    return Delete<Stage>(id, expected_version);
  }
  Result<std::vector<Stage>> StagesOfPipeline(Id pipeline_id) override {
    static const std::string sql = SelectOf<Stage>(kSqlStagesOfPipeline);
    return FetchAll<Stage>(sql, pipeline_id);
  }
  Result<Page<Stage>> ListStages(const ListQuery& q) override { return List<Stage>(kStageList, q); }

  Result<Organization> InsertOrganization(Organization o) override { return Insert(std::move(o)); }
  Result<Organization> GetOrganization(Id id) override { return Get<Organization>(id); }
  Status UpdateOrganization(const Organization& o, int64_t expected_version) override {
    return Update(o, expected_version);
  }
  Status DeleteOrganization(Id id, int64_t expected_version) override {
    return Delete<Organization>(id, expected_version);
  }
  Result<Page<Organization>> ListOrganizations(const ListQuery& q) override {
    return List<Organization>(kOrganizationList, q);
  }

  Result<Person> InsertPerson(Person p) override {
    PD_ASSIGN_OR_RETURN(Person inserted, Insert(std::move(p)));
    PD_RETURN_IF_ERROR(SaveContacts(inserted));
    return inserted;
  }
  Result<Person> GetPerson(Id id) override {
    PD_ASSIGN_OR_RETURN(Person p, Get<Person>(id));
    std::vector<Person> one = {std::move(p)};
    PD_RETURN_IF_ERROR(LoadContacts(one));
    return std::move(one.front());
  }
  Status UpdatePerson(const Person& p, int64_t expected_version) override {
    PD_RETURN_IF_ERROR(Update(p, expected_version));
    return SaveContacts(p);
  }
  Status DeletePerson(Id id, int64_t expected_version) override {
    return Delete<Person>(id, expected_version);
  }
  Result<Page<Person>> ListPersons(const ListQuery& q) override {
    PD_ASSIGN_OR_RETURN(Page<Person> page, List<Person>(kPersonList, q));
    PD_RETURN_IF_ERROR(LoadContacts(page.items));
    return page;
  }

  Result<Deal> InsertDeal(Deal d) override { return Insert(std::move(d)); }
  Result<Deal> GetDeal(Id id) override { return Get<Deal>(id); }
  Status UpdateDeal(const Deal& d, int64_t expected_version) override {
    return Update(d, expected_version);
  }
  Status DeleteDeal(Id id, int64_t expected_version) override {
    return Delete<Deal>(id, expected_version);
  }
  Result<Page<Deal>> ListDeals(const ListQuery& q) override { return List<Deal>(kDealList, q); }
  Result<int64_t> CountDealsInStage(Id stage_id) override {
    return Count(kSqlCountDealsInStage, stage_id);
  }
  Result<int64_t> CountDealsInPipeline(Id pipeline_id) override {
    return Count(kSqlCountDealsInPipeline, pipeline_id);
  }
  Result<std::vector<Deal>> CardsOfStage(Id stage_id, int64_t offset, int64_t limit) override {
    static const std::string sql = SelectOf<Deal>(kSqlCardsOfStage);
    return FetchAll<Deal>(sql, stage_id, limit, offset);
  }
  Result<std::optional<double>> FirstPosition(Id stage_id) override {
    return FetchScalar<double>(kSqlFirstPosition, stage_id);
  }
  Result<std::optional<double>> LastPosition(Id stage_id) override {
    return FetchScalar<double>(kSqlLastPosition, stage_id);
  }
  // New positions are kPositionStep apart, as RenumberedPositions (core/deal_rules.h) spaces them.
  Status RenumberStage(Id stage_id) override {
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, conn_.Prepare(kSqlRenumberStage));
    return stmt.Bind(stage_id).Bind(kPositionStep).Run();
  }
  // The moved cards keep their relative order and go below the target stage's cards.
  Status MoveAllDeals(Id from_stage, const Stage& to_stage, Timestamp now) override {
    if (from_stage == to_stage.id) return Status::Ok();
    PD_ASSIGN_OR_RETURN(std::optional<double> first_moved, FirstPosition(from_stage));
    PD_ASSIGN_OR_RETURN(std::optional<double> last_target, LastPosition(to_stage.id));
    const double shift = first_moved ? last_target.value_or(0) + kPositionStep - *first_moved : 0.0;
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, conn_.Prepare(kSqlMoveAllDeals));
    return stmt.Bind(to_stage.id)
        .Bind(to_stage.pipeline_id)
        .Bind(shift)
        .Bind(now)
        .Bind(from_stage)
        .Run();
  }
  Status RefreshDealActivityDates(Id deal_id) override {
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, conn_.Prepare(kSqlRefreshDealActivityDates));
    PD_RETURN_IF_ERROR(stmt.Bind(deal_id).Run());
    return stmt.Changes() > 0 ? Status::Ok() : NotFound<Deal>(deal_id);
  }

  Result<StageEvent> InsertStageEvent(StageEvent e) override { return Insert(std::move(e)); }
  Result<std::vector<StageEvent>> StageEventsOfDeal(Id deal_id) override {
    static const std::string sql = SelectOf<StageEvent>(kSqlStageEventsOfDeal);
    return FetchAll<StageEvent>(sql, deal_id);
  }

  Result<LostReason> InsertLostReason(LostReason r) override { return Insert(std::move(r)); }
  Result<LostReason> GetLostReason(Id id) override { return Get<LostReason>(id); }
  Status UpdateLostReason(const LostReason& r, int64_t expected_version) override {
    return Update(r, expected_version);
  }
  Status DeleteLostReason(Id id, int64_t expected_version) override {
    return Delete<LostReason>(id, expected_version);
  }
  Result<Page<LostReason>> ListLostReasons(const ListQuery& q) override {
    return List<LostReason>(kLostReasonList, q);
  }

  Result<Activity> InsertActivity(Activity a) override { return Insert(std::move(a)); }
  Result<Activity> GetActivity(Id id) override { return Get<Activity>(id); }
  Status UpdateActivity(const Activity& a, int64_t expected_version) override {
    return Update(a, expected_version);
  }
  Status DeleteActivity(Id id, int64_t expected_version) override {
    return Delete<Activity>(id, expected_version);
  }
  Result<Page<Activity>> ListActivities(const ListQuery& q) override {
    return List<Activity>(kActivityList, q);
  }
  Result<std::vector<Activity>> ActivitiesOfDeal(Id deal_id) override {
    static const std::string sql = SelectOf<Activity>(kSqlActivitiesOfDeal);
    return FetchAll<Activity>(sql, deal_id);
  }
  Result<Note> InsertNote(Note n) override { return Insert(std::move(n)); }
  Result<Note> GetNote(Id id) override { return Get<Note>(id); }
  Status UpdateNote(const Note& n, int64_t expected_version) override {
    return Update(n, expected_version);
  }
  Status DeleteNote(Id id, int64_t expected_version) override {
    return Delete<Note>(id, expected_version);
  }
  Result<Page<Note>> ListNotes(const ListQuery& q) override { return List<Note>(kNoteList, q); }
  Result<std::vector<Note>> NotesOfDeal(Id deal_id) override {
    static const std::string sql = SelectOf<Note>(kSqlNotesOfDeal);
    return FetchAll<Note>(sql, deal_id);
  }

  Result<std::vector<BoardColumn>> Board(const BoardQuery& q) override;
  Result<std::map<Id, CardDetails>> CardDetailsOf(const std::vector<Deal>& deals) override;

  Result<int64_t> BoardVersion(Id pipeline_id) override {
    PD_ASSIGN_OR_RETURN(std::optional<int64_t> version,
                        FetchScalar<int64_t>(kSqlBoardVersion, pipeline_id));
    return version.value_or(0);
  }

  Result<std::map<Id, int64_t>> AllBoardVersions() override {
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, conn_.Prepare(kSqlAllBoardVersions));
    std::map<Id, int64_t> versions;
    PD_RETURN_IF_ERROR(ForEachRow(stmt, [&](SqliteRow& row) {
      const Id id = row.Get<Id>();
      versions[id] = row.Get<int64_t>();
    }));
    return versions;
  }

  Result<Team> InsertTeam(Team t) override {
    Result<Team> inserted = Insert(std::move(t));
    if (!inserted.ok()) return TeamNameClash(inserted.status());
    return inserted;
  }
  Result<Team> GetTeam(Id id) override { return Get<Team>(id); }
  Status UpdateTeam(const Team& t, int64_t expected_version) override {
    return TeamNameClash(Update(t, expected_version));
  }
  // Unlinks the team's users and deletes its quotas (the SET NULL and CASCADE of migration 4).
  Status DeleteTeam(Id id, int64_t expected_version) override {
    return Delete<Team>(id, expected_version);
  }
  Result<Page<Team>> ListTeams(const ListQuery& q) override { return List<Team>(kTeamList, q); }

  Result<Quota> InsertQuota(Quota q) override { return Insert(std::move(q)); }
  Result<Quota> GetQuota(Id id) override { return Get<Quota>(id); }
  Status UpdateQuota(const Quota& q, int64_t expected_version) override {
    return Update(q, expected_version);
  }
  Status DeleteQuota(Id id, int64_t expected_version) override {
    return Delete<Quota>(id, expected_version);
  }
  Result<Page<Quota>> ListQuotas(const ListQuery& q) override { return List<Quota>(kQuotaList, q); }

  Status InsertForecastSnapshots(const std::vector<ForecastSnapshot>& rows) override {
    for (const ForecastSnapshot& r : rows) {
      PD_ASSIGN_OR_RETURN(SqliteStatement stmt, conn_.Prepare(kSqlInsertForecastSnapshot));
      PD_RETURN_IF_ERROR(stmt.Bind(r.month)
                             .Bind(r.pipeline_id)
                             .Bind(r.owner_id)
                             .Bind(r.open_deals)
                             .Bind(r.value_minor)
                             .Bind(r.weighted_minor)
                             .Bind(r.taken_at)
                             .Run());
    }
    return Status::Ok();
  }
  Result<bool> HasForecastSnapshot(Date month) override {
    PD_ASSIGN_OR_RETURN(std::optional<bool> has, FetchScalar<bool>(kSqlHasForecastSnapshot, month));
    return has.value_or(false);
  }
  Result<std::vector<ForecastSnapshot>> ForecastSnapshotsBetween(Date from, Date to) override {
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, PrepareBound(kSqlForecastSnapshotsBetween, from, to));
    std::vector<ForecastSnapshot> rows;
    PD_RETURN_IF_ERROR(ForEachRow(stmt, [&](SqliteRow& row) {
      ForecastSnapshot r;
      r.month = row.Get<Date>();
      r.pipeline_id = row.Get<Id>();
      r.owner_id = row.Get<Id>();
      r.open_deals = row.Get<int64_t>();
      r.value_minor = row.Get<int64_t>();
      r.weighted_minor = row.Get<int64_t>();
      r.taken_at = row.Get<Timestamp>();
      rows.push_back(r);
    }));
    return rows;
  }

  // A missing deal is kNotFound rather than the foreign key's kInternal.
  Status PutSnooze(const FlagSnooze& s) override {
    PD_ASSIGN_OR_RETURN(std::optional<int64_t> deal_exists,
                        FetchScalar<int64_t>(SqlOf<Deal>().exists, s.deal_id));
    if (!deal_exists) return NotFound<Deal>(s.deal_id);
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, conn_.Prepare(kSqlPutSnooze));
    return stmt.Bind(s.deal_id)
        .Bind(HealthFlagName(s.flag))
        .Bind(s.until)
        .Bind(s.reason)
        .Bind(s.user_id)
        .Bind(s.created_at)
        .Run();
  }
  Status DeleteSnooze(Id deal_id, HealthFlag flag) override {
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt,
                        PrepareBound(kSqlDeleteSnooze, deal_id, HealthFlagName(flag)));
    PD_RETURN_IF_ERROR(stmt.Run());
    if (stmt.Changes() > 0) return Status::Ok();
    return Status::NotFound("no " + std::string(HealthFlagName(flag)) + " snooze on deal " +
                            std::to_string(deal_id));
  }
  Result<std::vector<FlagSnooze>> SnoozesOfDeal(Id deal_id) override {
    return FetchSnoozes(kSqlSnoozesOfDeal, deal_id);
  }
  Result<std::vector<FlagSnooze>> SnoozesInForce(Date day) override {
    return FetchSnoozes(kSqlSnoozesInForce, day);
  }

  Status ScanDealFacts(const std::vector<Id>& deal_ids,
                       const std::function<void(const DealFactRow&)>& fn) override {
    static const std::string all = std::string(kSqlDealFacts) + kSqlOrderById;
    static const std::string some = std::string(kSqlDealFacts) + kSqlWhereIdInOrderById;
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, PrepareForIds(all, some, deal_ids));
    return ForEachRow(stmt, [&](SqliteRow& row) {
      DealFactRow f;
      f.id = row.Get<Id>();
      f.pipeline_id = row.Get<Id>();
      f.stage_id = row.Get<Id>();
      f.owner_id = row.Get<Id>();
      f.status = row.Enum(ParseDealStatus);
      f.value_minor = row.Get<int64_t>();
      f.currency = row.Get<std::string_view>();
      f.created_at = row.Get<Timestamp>();
      f.closed_at = row.Get<std::optional<Timestamp>>();
      f.stage_changed_at = row.Get<Timestamp>();
      f.probability_override = row.Get<std::optional<int32_t>>();
      f.expected_close_date = row.Get<std::optional<Date>>();
      f.lost_reason = row.Get<std::string_view>();
      if (row.status().ok()) fn(f);
    });
  }
  Status ScanStageEventFacts(const std::vector<Id>& deal_ids,
                             const std::function<void(const StageEventFactRow&)>& fn) override {
    static const std::string all = std::string(kSqlStageEventFacts) + kSqlOrderByDealAtId;
    static const std::string some =
        std::string(kSqlStageEventFacts) + kSqlWhereDealIdInOrderByDealAtId;
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, PrepareForIds(all, some, deal_ids));
    return ForEachRow(stmt, [&](SqliteRow& row) {
      StageEventFactRow f;
      f.id = row.Get<Id>();
      f.deal_id = row.Get<Id>();
      f.kind = row.Enum(ParseStageEventKind);
      f.at = row.Get<Timestamp>();
      f.to_pipeline_id = row.Get<std::optional<Id>>();
      f.to_stage_id = row.Get<std::optional<Id>>();
      f.to_status = row.Enum(ParseDealStatus);
      if (row.status().ok()) fn(f);
    });
  }
  Status ScanOpenDeals(std::optional<Id> pipeline_id,
                       const std::function<void(const Deal&)>& fn) override {
    static const std::string sql = SelectOf<Deal>(kSqlOpenDeals);
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, PrepareBound(sql, pipeline_id));
    return ForEachRow(stmt, [&](SqliteRow& row) {
      const Deal d = Codec<Deal>::Read(row);
      if (row.status().ok()) fn(d);
    });
  }

  Result<int64_t> LatestDealChange() override {
    PD_ASSIGN_OR_RETURN(std::optional<int64_t> latest, FetchScalar<int64_t>(kSqlLatestDealChange));
    return latest.value_or(0);
  }
  // Reset when the log cannot list what changed after `after`: a reset mark follows it, entries
  // right after it were pruned, more than `max_ids` deals changed, or `after` lies beyond the
  // log's position (it came from another database, e.g. before a restore from a backup).
  Result<DealChanges> DealChangesSince(int64_t after, size_t max_ids) override {
    DealChanges changes;
    PD_ASSIGN_OR_RETURN(changes.latest, LatestDealChange());
    if (after == changes.latest) return changes;
    auto reset = [&] {
      changes.reset = true;
      return changes;
    };
    if (after > changes.latest) return reset();
    PD_ASSIGN_OR_RETURN(std::optional<int64_t> first, FetchScalar<int64_t>(kSqlFirstDealChange));
    if (!first || *first > after + 1) return reset();
    // One row more than allowed tells that there are too many.
    const int64_t limit =
        max_ids >= static_cast<size_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(max_ids) + 1;
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, PrepareBound(kSqlDealsChangedAfter, after, limit));
    PD_RETURN_IF_ERROR(
        ForEachRow(stmt, [&](SqliteRow& row) { changes.deal_ids.push_back(row.Get<Id>()); }));
    if (changes.deal_ids.size() > max_ids ||
        (!changes.deal_ids.empty() && changes.deal_ids.front() == kDealChangeResetMark)) {
      changes.deal_ids.clear();
      return reset();
    }
    return changes;
  }
  // Positions are consecutive (AUTOINCREMENT; a rolled-back insert gives its number back), so
  // the newest `keep` entries are those after latest - keep.
  Status PruneDealChanges(int64_t keep) override {
    if (keep < 0) return Status::Invalid("keep", "cannot keep a negative number of entries");
    PD_ASSIGN_OR_RETURN(int64_t latest, LatestDealChange());
    if (latest <= keep) return Status::Ok();
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, PrepareBound(kSqlPruneDealChanges, latest - keep));
    return stmt.Run();
  }

  Result<std::map<Id, int64_t>> CountDoneActivitiesByOwner(Date from, Date to) override {
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt,
                        PrepareBound(kSqlCountDoneActivitiesByOwner, from, to));
    return CountsById(stmt);
  }
  Result<std::map<Id, int64_t>> CountDoneActivitiesOfDeals(
      const std::vector<Id>& deal_ids) override {
    if (deal_ids.empty()) return std::map<Id, int64_t>();
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt,
                        PrepareBound(kSqlCountDoneActivitiesOfDeals, JsonIdArray(deal_ids)));
    return CountsById(stmt);
  }

  Result<std::optional<std::string>> GetSetting(const std::string& key) override {
    return FetchScalar<std::string>(kSqlGetSetting, key);
  }
  Status PutSetting(const std::string& key, const std::string& value) override {
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, conn_.Prepare(kSqlPutSetting));
    return stmt.Bind(key).Bind(value).Run();
  }

 private:
  template <typename T>
  static Status NotFound(Id id) {
    return Status::NotFound("no " + std::string(Codec<T>::kDef.noun) + " with id " +
                            std::to_string(id));
  }

  // Prepares `sql` and binds `params` in order.
  template <typename... Params>
  Result<SqliteStatement> PrepareBound(std::string_view sql, const Params&... params) {
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, conn_.Prepare(sql));
    (stmt.Bind(params), ...);
    return stmt;
  }

  Status RunPrepared(std::string_view sql) {
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, conn_.Prepare(sql));
    return stmt.Run();
  }

  // Calls on_row(SqliteRow&) for each row; stops at the first error, including a corrupt value.
  template <typename OnRow>
  static Status ForEachRow(SqliteStatement& stmt, OnRow on_row) {
    for (;;) {
      PD_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
      if (!has_row) return Status::Ok();
      SqliteRow row = stmt.Row();
      on_row(row);
      PD_RETURN_IF_ERROR(row.status());
    }
  }

  template <typename T, typename... Params>
  Result<T> FetchOne(std::string_view sql, Status missing, const Params&... params) {
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, PrepareBound(sql, params...));
    PD_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) return missing;
    SqliteRow row = stmt.Row();
    T record = Codec<T>::Read(row);
    PD_RETURN_IF_ERROR(row.status());
    return record;
  }

  template <typename T, typename... Params>
  Result<std::vector<T>> FetchAll(std::string_view sql, const Params&... params) {
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, PrepareBound(sql, params...));
    std::vector<T> records;
    PD_RETURN_IF_ERROR(
        ForEachRow(stmt, [&](SqliteRow& row) { records.push_back(Codec<T>::Read(row)); }));
    return records;
  }

  // The first column of the first row; std::nullopt when there is no row or it is NULL.
  template <typename T, typename... Params>
  Result<std::optional<T>> FetchScalar(std::string_view sql, const Params&... params) {
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, PrepareBound(sql, params...));
    PD_ASSIGN_OR_RETURN(bool has_row, stmt.Step());
    if (!has_row) return std::optional<T>();
    return stmt.Row().Get<std::optional<T>>();
  }

  Result<int64_t> Count(const char* sql, Id id) {
    PD_ASSIGN_OR_RETURN(std::optional<int64_t> count, FetchScalar<int64_t>(sql, id));
    return count.value_or(0);
  }

  // Stores `record` under its own id when set, else under the next free id, which is returned.
  template <typename T>
  Result<T> Insert(T record) {
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, conn_.Prepare(SqlOf<T>().insert));
    stmt.Bind(record.id == 0 ? std::optional<Id>() : std::optional<Id>(record.id));
    Codec<T>::Bind(stmt, record);
    PD_RETURN_IF_ERROR(stmt.Run());
    record.id = sqlite3_last_insert_rowid(conn_.handle());
    return record;
  }

  template <typename T>
  Result<T> Get(Id id) {
    return FetchOne<T>(SqlOf<T>().get, NotFound<T>(id), id);
  }

  template <typename T>
  Status Update(const T& record, int64_t expected_version) {
    {
      PD_ASSIGN_OR_RETURN(SqliteStatement stmt, conn_.Prepare(SqlOf<T>().update));
      Codec<T>::Bind(stmt, record);
      PD_RETURN_IF_ERROR(stmt.Bind(record.id).Bind(expected_version).Run());
      if (stmt.Changes() > 0) return Status::Ok();
    }
    return MissingOrStale<T>(record.id, expected_version);
  }

  // expected_version <= 0 deletes whatever version is current.
  template <typename T>
  Status Delete(Id id, int64_t expected_version) {
    {
      PD_ASSIGN_OR_RETURN(SqliteStatement stmt, conn_.Prepare(SqlOf<T>().remove));
      stmt.Bind(id);
      if (Codec<T>::kDef.versioned) stmt.Bind(expected_version);
      PD_RETURN_IF_ERROR(stmt.Run());
      if (stmt.Changes() > 0) return Status::Ok();
    }
    return MissingOrStale<T>(id, expected_version);
  }

  // Why an update or delete of `id` at `expected_version` changed no row.
  template <typename T>
  Status MissingOrStale(Id id, int64_t expected_version) {
    PD_ASSIGN_OR_RETURN(std::optional<int64_t> exists, FetchScalar<int64_t>(SqlOf<T>().exists, id));
    if (!exists) return NotFound<T>(id);
    return Status::PreconditionFailed(std::string(Codec<T>::kDef.noun) + " " + std::to_string(id) +
                                      " has changed since version " +
                                      std::to_string(expected_version));
  }

  // One page (see BuildListSql), limit + 1 rows to learn whether another page follows.
  template <typename T>
  Result<Page<T>> List(const ListSpec& spec, const ListQuery& q) {
    PD_ASSIGN_OR_RETURN(ListSql list, BuildListSql<T>(spec, q));
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, conn_.Prepare(list.sql));
    list.where.BindTo(stmt);
    stmt.Bind(int64_t{q.limit} + 1);
    Page<T> page;
    ListCursor next{list.sort_name, int64_t{0}, 0};
    const int key_column = SqlOf<T>().column_count;
    PD_RETURN_IF_ERROR(ForEachRow(stmt, [&](SqliteRow& row) {
      if (static_cast<int>(page.items.size()) == q.limit) {
        page.next_cursor = EncodeCursor(next);
        return;
      }
      page.items.push_back(Codec<T>::Read(row));
      next.key = KeyAt(stmt, key_column);
      next.id = page.items.back().id;
    }));
    return page;
  }

  // The unique name_key of teams is what the caller knows as the name.
  static Status TeamNameClash(Status status) {
    if (status.code() == ErrorCode::kConflict && status.field() == "name_key") {
      return Status::Conflict("name is already taken by another team", "name");
    }
    return status;
  }

  // The statement over every deal (`all`, no parameter) when `deal_ids` is empty, else the one
  // over those deals (`some`, binding them as a JSON array).
  Result<SqliteStatement> PrepareForIds(const std::string& all, const std::string& some,
                                        const std::vector<Id>& deal_ids) {
    if (deal_ids.empty()) return conn_.Prepare(all);
    return PrepareBound(some, JsonIdArray(deal_ids));
  }

  // Rows of (id, count) as a map.
  static Result<std::map<Id, int64_t>> CountsById(SqliteStatement& stmt) {
    std::map<Id, int64_t> counts;
    PD_RETURN_IF_ERROR(ForEachRow(stmt, [&](SqliteRow& row) {
      const Id id = row.Get<Id>();
      counts[id] = row.Get<int64_t>();
    }));
    return counts;
  }

  // Snoozes of `sql` (deal_id, flag, until, reason, user_id, created_at, in deal order), sorted
  // by deal and then HealthFlag order.
  template <typename Param>
  Result<std::vector<FlagSnooze>> FetchSnoozes(const char* sql, const Param& param) {
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, PrepareBound(sql, param));
    std::vector<FlagSnooze> snoozes;
    PD_RETURN_IF_ERROR(ForEachRow(stmt, [&](SqliteRow& row) {
      FlagSnooze s;
      s.deal_id = row.Get<Id>();
      s.flag = row.Enum(ParseHealthFlag);
      s.until = row.Get<Date>();
      s.reason = row.Get<std::string>();
      s.user_id = row.Get<Id>();
      s.created_at = row.Get<Timestamp>();
      snoozes.push_back(std::move(s));
    }));
    std::stable_sort(snoozes.begin(), snoozes.end(), [](const FlagSnooze& a, const FlagSnooze& b) {
      return std::pair(a.deal_id, a.flag) < std::pair(b.deal_id, b.flag);
    });
    return snoozes;
  }

  // Replaces the stored emails and phones of `p` with its lists.
  Status SaveContacts(const Person& p) {
    {
      PD_ASSIGN_OR_RETURN(SqliteStatement stmt, PrepareBound(kSqlDeleteContacts, p.id));
      PD_RETURN_IF_ERROR(stmt.Run());
    }
    return InsertContacts(conn_, p);
  }

  // Fills the emails and phones of all `persons` with one query.
  Status LoadContacts(std::vector<Person>& persons) {
    if (persons.empty()) return Status::Ok();
    std::unordered_map<Id, Person*> by_id;
    std::vector<Id> ids;
    for (Person& p : persons) {
      by_id[p.id] = &p;
      ids.push_back(p.id);
    }
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, PrepareBound(kSqlContactsOf, JsonIdArray(ids)));
    return ForEachRow(stmt, [&](SqliteRow& row) {
      Person& p = *by_id.at(row.Get<Id>());
      const std::string kind = row.Get<std::string>();
      ContactPoint c;
      c.value = row.Get<std::string>();
      c.label = row.Get<std::string>();
      c.primary = row.Get<bool>();
      (kind == kContactKindEmail ? p.emails : p.phones).push_back(std::move(c));
    });
  }

  // id → name for the given ids of one table, with one query.
  Result<std::unordered_map<Id, std::string>> NamesById(const char* sql,
                                                        const std::vector<Id>& ids) {
    std::unordered_map<Id, std::string> names;
    if (ids.empty()) return names;
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, PrepareBound(sql, JsonIdArray(ids)));
    PD_RETURN_IF_ERROR(ForEachRow(stmt, [&](SqliteRow& row) {
      const Id id = row.Get<Id>();
      names[id] = row.Get<std::string>();
    }));
    return names;
  }

  SqliteConnection& conn_;
};

Result<std::vector<BoardColumn>> SqliteTx::Board(const BoardQuery& q) {
  PD_ASSIGN_OR_RETURN(std::vector<Stage> stages, StagesOfPipeline(q.pipeline_id));
  const BoardSql sql = BuildBoardSql(q);

  // Per stage and currency: count, Σ value and Σ value × percent (the weighted numerator, exact
  // in 128 bits and rounded once per column and currency, as the direct computation would).
  struct StageTotals {
    int64_t count = 0;
    std::map<std::string, CurrencyTotal> by_currency;
    std::map<std::string, __int128> weighted_by_currency;
  };
  std::unordered_map<Id, StageTotals> totals;
  std::unordered_map<Id, int32_t> probability;
  for (const Stage& s : stages) probability[s.id] = s.probability;
  {
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, PrepareBound(sql.totals, q.pipeline_id));
    sql.where.BindTo(stmt);
    PD_RETURN_IF_ERROR(ForEachRow(stmt, [&](SqliteRow& row) {
      const Id stage_id = row.Get<Id>();
      const std::string currency = row.Get<std::string>();
      const int64_t count = row.Get<int64_t>();
      const int64_t sum = row.Get<int64_t>();
      const int64_t sum_no_override = row.Get<int64_t>();
      const int64_t weighted_override = row.Get<int64_t>();
      StageTotals& t = totals[stage_id];
      t.count += count;
      CurrencyTotal& c = t.by_currency[currency];
      c.currency = currency;
      c.count += count;
      c.value_minor += sum;
      t.weighted_by_currency[currency] +=
          static_cast<__int128>(sum_no_override) * probability[stage_id] + weighted_override;
    }));
  }

  std::vector<BoardColumn> columns;
  columns.reserve(stages.size());
  for (Stage& stage : stages) {
    BoardColumn column;
    if (auto it = totals.find(stage.id); it != totals.end()) {
      column.deal_count = it->second.count;
      for (auto& [currency, total] : it->second.by_currency) {
        total.weighted_minor = RoundPercentSum(it->second.weighted_by_currency[currency]);
        column.totals.push_back(std::move(total));
      }
    }
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, PrepareBound(sql.cards, stage.id));
    sql.where.BindTo(stmt);
    stmt.Bind(int64_t{std::max(q.card_limit, 0)});  // SQLite reads LIMIT -1 as "no limit"
    PD_RETURN_IF_ERROR(
        ForEachRow(stmt, [&](SqliteRow& row) { column.cards.push_back(Codec<Deal>::Read(row)); }));
    column.stage = std::move(stage);
    columns.push_back(std::move(column));
  }
  return columns;
}

Result<std::map<Id, CardDetails>> SqliteTx::CardDetailsOf(const std::vector<Deal>& deals) {
  std::vector<Id> org_ids, person_ids, owner_ids;
  for (const Deal& d : deals) {
    if (d.org_id) org_ids.push_back(*d.org_id);
    if (d.person_id) person_ids.push_back(*d.person_id);
    owner_ids.push_back(d.owner_id);
  }
  PD_ASSIGN_OR_RETURN(auto org_names, NamesById(kSqlOrganizationNames, org_ids));
  PD_ASSIGN_OR_RETURN(auto person_names, NamesById(kSqlPersonNames, person_ids));
  PD_ASSIGN_OR_RETURN(auto owner_names, NamesById(kSqlUserNames, owner_ids));
  auto name_of = [](const std::unordered_map<Id, std::string>& names, std::optional<Id> id) {
    if (!id) return std::string();
    auto it = names.find(*id);
    return it == names.end() ? std::string() : it->second;
  };
  std::map<Id, CardDetails> details;
  for (const Deal& d : deals) {
    details[d.id] = CardDetails{name_of(org_names, d.org_id), name_of(person_names, d.person_id),
                                name_of(owner_names, d.owner_id)};
  }
  return details;
}

// ---- Bulk load ------------------------------------------------------------------------------

// Pragmas of the bulk writer's own connection. Foreign keys off: loaded records are taken as
// given (store.h), and checking five references per deal would cost five B-tree probes a row.
// synchronous=OFF: a crash mid-load loses the load, which is not atomic anyway, and each batch
// commit skips its fsync. The cache is sized for the index builds of Finish (sorting a million
// keys); PRAGMA takes no parameters, so the size is appended.
constexpr char kSqlBulkPragmas[] = "PRAGMA foreign_keys = OFF; PRAGMA synchronous = OFF;";
constexpr char kSqlRestorePragmas[] = "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";
constexpr char kSqlCacheSizeKib[] = "PRAGMA cache_size = -";
// Statistics for the planner after the load. A sampled ANALYZE (analysis_limit) takes
// milliseconds where a full one reads every index (a quarter second per 100k deals) and gives
// the planner the same row-count estimates.
constexpr char kSqlAnalyze[] = "PRAGMA analysis_limit = 1000; ANALYZE;";
constexpr int kBulkCacheMib = 256;
constexpr char kSqlAnyDeal[] = "SELECT 1 FROM deals LIMIT 1";
constexpr char kSqlClearBoardTotals[] = "DELETE FROM board_totals";
constexpr char kSqlInsertBoardTotals[] = "INSERT INTO board_totals VALUES (?, ?, ?, ?, ?, ?, ?)";
// Rows per transaction: large enough that commits are rare, small enough that the WAL between
// checkpoints stays in the tens of megabytes.
constexpr int64_t kBulkBatchRows = 200'000;

// Writes through a connection of its own (so its pragmas touch no other thread's connection).
// Start drops the triggers of board_totals, activity_done_days, board_versions and the deal change
// log and every secondary index of schema.h; Restore rebuilds them, board_totals and
// activity_done_days (one grouped scan each), bumps every board version and appends a reset mark
// to the deal change log (the loaded deals have no entries), from Finish or from the destructor
// (batches committed before it changed deals too).
class SqliteBulkWriter final : public BulkWriter {
 public:
  static Result<std::unique_ptr<BulkWriter>> Start(const SqliteOptions& options) {
    PD_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> conn,
                        SqliteConnection::Open(options, /*create=*/false));
    std::unique_ptr<SqliteBulkWriter> writer(new SqliteBulkWriter(std::move(conn), options));
    PD_RETURN_IF_ERROR(writer->Suspend());
    return std::unique_ptr<BulkWriter>(std::move(writer));
  }

  // A load that was not finished still gets its indexes, triggers and totals back; the batch in
  // progress is rolled back.
  ~SqliteBulkWriter() override {
    if (!finished_) static_cast<void>(Restore(/*commit_batch=*/false));
  }

  Status Add(const User& u) override { return Put(u); }
  Status Add(const Pipeline& p) override { return Put(p); }
  Status Add(const Stage& s) override { return Put(s); }
  Status Add(const Organization& o) override { return Put(o); }
  // The contact points go into the person's batch (the person row may follow in a later
  // statement of it; foreign keys are not checked during the load).
  Status Add(const Person& p) override {
    PD_RETURN_IF_ERROR(Queue(p));
    PD_RETURN_IF_ERROR(InsertContacts(*conn_, p));
    return CountRows(1 + static_cast<int64_t>(p.emails.size() + p.phones.size()));
  }
  Status Add(const Deal& d) override {
    if (d.status == DealStatus::kOpen) {
      OpenTotals& t = loaded_totals_[{d.stage_id, d.owner_id, d.value.currency}];
      t.count += 1;
      t.value_sum += d.value.amount_minor;
      if (d.probability_override) {
        t.weighted_override_sum += d.value.amount_minor * *d.probability_override;
      } else {
        t.value_sum_no_override += d.value.amount_minor;
      }
    }
    return Put(d);
  }
  Status Add(const StageEvent& e) override { return Put(e); }
  Status Add(const LostReason& r) override { return Put(r); }
  Status Add(const Activity& a) override { return Put(a); }
  Status Add(const Note& n) override { return Put(n); }
  Status AddExternalKey(std::string_view object, std::string_view external_id,
                        Id record_id) override {
    if (finished_) return Status::Internal("the bulk load is already finished");
    if (!in_batch_) {
      PD_RETURN_IF_ERROR(conn_->Exec(kSqlBeginImmediate));
      in_batch_ = true;
    }
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, conn_->Prepare(kSqlPutExternalKey));
    PD_RETURN_IF_ERROR(stmt.Bind(object).Bind(external_id).Bind(record_id).Run());
    return CountRows(1);
  }

  Status Finish() override {
    if (finished_) return Status::Internal("the bulk load is already finished");
    finished_ = true;
    return Restore(/*commit_batch=*/true);
  }

 private:
  SqliteBulkWriter(std::unique_ptr<SqliteConnection> conn, const SqliteOptions& options)
      : conn_(std::move(conn)), options_(options) {}

  Status Suspend() {
    PD_RETURN_IF_ERROR(conn_->Exec(kSqlBulkPragmas));
    {
      PD_ASSIGN_OR_RETURN(SqliteStatement any, conn_->Prepare(kSqlAnyDeal));
      PD_ASSIGN_OR_RETURN(bool has_deals, any.Step());
      started_without_deals_ = !has_deals;
    }
    PD_RETURN_IF_ERROR(SetCacheSize(std::max(options_.cache_mib, kBulkCacheMib)));
    return InTransaction([&] {
      PD_RETURN_IF_ERROR(conn_->Exec(kSqlDropBoardTotalsTriggers));
      PD_RETURN_IF_ERROR(conn_->Exec(kSqlDropActivityDoneDayTriggers));
      PD_RETURN_IF_ERROR(conn_->Exec(kSqlDropBoardVersionTriggers));
      PD_RETURN_IF_ERROR(conn_->Exec(kSqlDropDealChangeTriggers));
      static const std::string drop = DropIndexesSql();
      return conn_->Exec(drop.c_str());
    });
  }

  // Ends the batch (commit or rollback), then rebuilds board_totals, activity_done_days, the
  // indexes and the triggers in one transaction, refreshes the planner's statistics and restores
  // the pragmas.
  Status Restore(bool commit_batch) {
    Status status = EndBatch(commit_batch);
    if (status.ok()) {
      status = InTransaction([&] {
        PD_RETURN_IF_ERROR(RebuildBoardTotals(/*all_added_written=*/commit_batch));
        PD_RETURN_IF_ERROR(conn_->Exec(kSqlRebuildActivityDoneDays));
        static const std::string create = CreateIndexesSql();
        PD_RETURN_IF_ERROR(conn_->Exec(create.c_str()));
        PD_RETURN_IF_ERROR(conn_->Exec(kSqlCreateBoardTotalsTriggers));
        PD_RETURN_IF_ERROR(conn_->Exec(kSqlCreateActivityDoneDayTriggers));
        PD_RETURN_IF_ERROR(conn_->Exec(kSqlCreateBoardVersionTriggers));
        PD_RETURN_IF_ERROR(conn_->Exec(kSqlCreateDealChangeTriggers));
        PD_RETURN_IF_ERROR(conn_->Exec(kSqlAppendDealChangeReset));
        return conn_->Exec(kSqlBumpAllBoardVersions);
      });
    }
    if (status.ok()) status = conn_->Exec(kSqlAnalyze);
    if (status.ok()) status = conn_->Exec(kSqlRestorePragmas);
    if (status.ok()) status = SetCacheSize(options_.cache_mib);
    // A failed checkpoint (a reader holds an old snapshot) only leaves a longer WAL behind.
    if (status.ok()) static_cast<void>(conn_->Checkpoint());
    return status;
  }

  // The board totals of the loaded deals, counted as they were added, when they are all the
  // deals there are (none before the load, none of those added rolled back); otherwise one
  // grouped scan of every deal (a second or two per million).
  Status RebuildBoardTotals(bool all_added_written) {
    if (!started_without_deals_ || !all_added_written) {
      return conn_->Exec(kSqlRebuildBoardTotals);
    }
    PD_RETURN_IF_ERROR(conn_->Exec(kSqlClearBoardTotals));
    for (const auto& [key, t] : loaded_totals_) {
      const auto& [stage_id, owner_id, currency] = key;
      PD_ASSIGN_OR_RETURN(SqliteStatement insert, conn_->Prepare(kSqlInsertBoardTotals));
      PD_RETURN_IF_ERROR(insert.Bind(stage_id)
                             .Bind(owner_id)
                             .Bind(currency)
                             .Bind(t.count)
                             .Bind(t.value_sum)
                             .Bind(t.value_sum_no_override)
                             .Bind(t.weighted_override_sum)
                             .Run());
    }
    return Status::Ok();
  }

  Status SetCacheSize(int mib) {
    const std::string sql = kSqlCacheSizeKib + std::to_string(int64_t{mib} * 1024);
    return conn_->Exec(sql.c_str());
  }

  // Runs `fn` between BEGIN IMMEDIATE and COMMIT; rolls back when it fails.
  template <typename Fn>
  Status InTransaction(Fn fn) {
    PD_RETURN_IF_ERROR(conn_->Exec(kSqlBeginImmediate));
    Status status = fn();
    if (status.ok()) status = conn_->Exec(kSqlCommit);
    if (!status.ok()) static_cast<void>(conn_->Exec(kSqlRollback));
    return status;
  }

  // Commits (after writing the queues) or rolls back (dropping them) the current batch.
  Status EndBatch(bool commit) {
    if (!in_batch_) return Status::Ok();
    in_batch_ = false;
    rows_in_batch_ = 0;
    Status status = commit ? WriteAllQueues() : Status::Ok();
    std::apply([](auto&... queue) { (queue.clear(), ...); }, queued_);
    if (commit && status.ok()) {
      status = conn_->Exec(kSqlCommit);
      if (status.ok()) return status;
    }
    Status rolled_back = conn_->Exec(kSqlRollback);
    return status.ok() ? rolled_back : status;
  }

  // Queues `record` for the current batch (starting one if needed) and writes the queue of its
  // type once it holds kBulkRowsPerInsert rows.
  template <typename T>
  Status Put(const T& record) {
    PD_RETURN_IF_ERROR(Queue(record));
    return CountRows(1);
  }

  template <typename T>
  Status Queue(const T& record) {
    PD_RETURN_IF_ERROR(CheckInsertable(record));
    std::vector<T>& queue = std::get<std::vector<T>>(queued_);
    queue.push_back(record);
    if (queue.size() < kBulkRowsPerInsert) return Status::Ok();
    return WriteQueue(queue);
  }

  template <typename T>
  Status CheckInsertable(const T& record) {
    if (finished_) return Status::Internal("the bulk load is already finished");
    if (record.id <= 0) {
      return Status::Invalid(
          "id", std::string("a bulk-loaded ") + Codec<T>::kDef.noun + " needs its id set");
    }
    if (!in_batch_) {
      PD_RETURN_IF_ERROR(conn_->Exec(kSqlBeginImmediate));
      in_batch_ = true;
    }
    return Status::Ok();
  }

  // Writes the queued records of one type: a full queue with one multi-row INSERT, a partial one
  // (at the end of a batch) row by row.
  template <typename T>
  Status WriteQueue(std::vector<T>& queue) {
    const TableSql& sql = SqlOf<T>();
    const bool full = queue.size() == kBulkRowsPerInsert;
    for (size_t i = 0; i < queue.size();) {
      PD_ASSIGN_OR_RETURN(SqliteStatement stmt,
                          conn_->Prepare(full ? sql.bulk_insert : sql.insert));
      for (size_t end = full ? queue.size() : i + 1; i < end; ++i) {
        stmt.Bind(queue[i].id);
        Codec<T>::Bind(stmt, queue[i]);
      }
      PD_RETURN_IF_ERROR(stmt.Run());
    }
    queue.clear();
    return Status::Ok();
  }

  Status WriteAllQueues() {
    return std::apply(
        [&](auto&... queue) {
          Status status;
          ((status = status.ok() ? WriteQueue(queue) : status), ...);
          return status;
        },
        queued_);
  }

  // Commits the batch once it holds kBulkBatchRows rows; the next row starts a new one.
  Status CountRows(int64_t rows) {
    rows_in_batch_ += rows;
    if (rows_in_batch_ < kBulkBatchRows) return Status::Ok();
    return EndBatch(/*commit=*/true);
  }

  // board_totals' columns for one (stage, owner, currency).
  struct OpenTotals {
    int64_t count = 0, value_sum = 0, value_sum_no_override = 0, weighted_override_sum = 0;
  };

  std::unique_ptr<SqliteConnection> conn_;
  const SqliteOptions options_;
  bool started_without_deals_ = false;
  std::map<std::tuple<Id, Id, std::string>, OpenTotals> loaded_totals_;  // of open deals added
  bool in_batch_ = false;
  int64_t rows_in_batch_ = 0;  // counts queued rows too
  bool finished_ = false;
  // Records accepted but not yet written, per type; always part of the current batch.
  std::tuple<std::vector<User>, std::vector<Pipeline>, std::vector<Stage>,
             std::vector<Organization>, std::vector<Person>, std::vector<Deal>,
             std::vector<StageEvent>, std::vector<LostReason>, std::vector<Activity>,
             std::vector<Note>>
      queued_;
};

// ---- The store ------------------------------------------------------------------------------

class SqliteStore final : public Store {
 public:
  SqliteStore(SqliteOptions options, std::unique_ptr<SqliteConnection> first)
      : options_(std::move(options)) {
    connections_.emplace(std::this_thread::get_id(), std::move(first));
  }
  ~SqliteStore() override { Close(); }

  Result<std::unique_ptr<BulkWriter>> BeginBulkLoad() override {
    std::shared_lock lifecycle(lifecycle_);
    if (closed_) return Status::Internal("the store is closed");
    return SqliteBulkWriter::Start(options_);
  }

  Status Read(const std::function<Status(StoreTx&)>& fn) override { return Run(fn, kSqlBegin); }
  // Group commit. Each caller queues its write; whoever finds no batch running becomes the
  // leader: it takes every queued write (its own and those that arrived meanwhile), runs them one
  // after another in ONE transaction on the writer connection, each inside a savepoint, commits,
  // and wakes their callers. A caller returns only after the commit that holds its write (or with
  // the error that undid it), so an acknowledged write is exactly as durable as with one
  // transaction per write. What it saves: the commit, and the WAL frames of the pages that writes
  // of a batch share (index tails, board totals and versions, the history's last page), written
  // once per batch instead of once per write. Writers of this process therefore never contend for
  // SQLite's lock (whose busy handler sleeps 1, 2, 5 ms between retries); the busy timeout still
  // covers writers of other processes (the CLI).
  //
  // A write must not call Write itself (it would wait for its own batch).
  Status Write(const std::function<Status(StoreTx&)>& fn) override {
    QueuedWrite mine{&fn, Status::Ok(), nullptr, false};
    std::unique_lock lock(queue_mu_);
    queued_.push_back(&mine);
    while (!mine.done) {
      if (leading_) {
        queue_done_.wait(lock);
        continue;
      }
      leading_ = true;
      std::vector<QueuedWrite*> batch;
      const size_t n = std::min(queued_.size(), kMaxWritesPerCommit);
      batch.assign(queued_.begin(), queued_.begin() + static_cast<std::ptrdiff_t>(n));
      queued_.erase(queued_.begin(), queued_.begin() + static_cast<std::ptrdiff_t>(n));
      lock.unlock();
      RunBatch(batch);
      lock.lock();
      for (QueuedWrite* w : batch) w->done = true;
      leading_ = false;
      queue_done_.notify_all();
    }
    if (mine.exception) std::rethrow_exception(mine.exception);
    return mine.status;
  }

  void Close() override {
    std::unique_lock lifecycle(lifecycle_);
    if (closed_) return;
    closed_ = true;
    std::lock_guard lock(connections_mu_);
    // No transaction is running (we hold the lifecycle lock exclusively), so the checkpoint can
    // copy the whole WAL back; a failure only leaves a WAL file SQLite replays at next open.
    if (!connections_.empty()) static_cast<void>(connections_.begin()->second->Checkpoint());
    connections_.clear();
    writer_conn_.reset();
  }

 private:
  // Runs fn between `begin` and COMMIT on this thread's connection; rolls back when fn fails or
  // throws. Holds the lifecycle lock shared so Close waits for running transactions.
  Status Run(const std::function<Status(StoreTx&)>& fn, const char* begin) {
    std::shared_lock lifecycle(lifecycle_);
    if (closed_) return Status::Internal("the store is closed");
    PD_ASSIGN_OR_RETURN(SqliteConnection * conn, ConnectionOfThisThread());
    PD_RETURN_IF_ERROR(Exec(*conn, begin));
    SqliteTx tx(*conn);
    Status status;
    try {
      status = fn(tx);
    } catch (...) {
      static_cast<void>(Exec(*conn, kSqlRollback));
      throw;
    }
    if (status.ok()) status = Exec(*conn, kSqlCommit);
    // After a failed COMMIT the transaction may still be open; ROLLBACK then ends it.
    if (!status.ok() && !sqlite3_get_autocommit(conn->handle())) {
      static_cast<void>(Exec(*conn, kSqlRollback));
    }
    return status;
  }

  // A write waiting in Write's queue, and its outcome once its batch ends.
  struct QueuedWrite {
    const std::function<Status(StoreTx&)>* fn;
    Status status;
    std::exception_ptr exception;  // thrown by fn; rethrown to its caller
    bool done = false;             // guarded by queue_mu_
  };
  // Enough to amortize a commit; few enough that a batch stays a few milliseconds.
  static constexpr size_t kMaxWritesPerCommit = 64;

  // Runs the writes of one batch in one transaction on the writer connection and sets each
  // one's outcome. A lone write runs as before, without a savepoint.
  void RunBatch(const std::vector<QueuedWrite*>& batch) {
    auto fail_all = [&](const Status& status) {
      for (QueuedWrite* w : batch) {
        if (!w->exception) w->status = status;
      }
    };
    std::shared_lock lifecycle(lifecycle_);
    if (closed_) return fail_all(Status::Internal("the store is closed"));
    if (!writer_conn_) {
      Result<std::unique_ptr<SqliteConnection>> opened =
          SqliteConnection::Open(options_, /*create=*/false);
      if (!opened.ok()) return fail_all(opened.status());
      writer_conn_ = std::move(opened).value();
    }
    SqliteConnection& conn = *writer_conn_;
    if (Status begun = Exec(conn, kSqlBeginImmediate); !begun.ok()) return fail_all(begun);
    SqliteTx tx(conn);
    const bool alone = batch.size() == 1;
    std::vector<QueuedWrite*> applied;  // the writes the transaction holds so far
    for (QueuedWrite* w : batch) {
      if (!alone) w->status = Exec(conn, kSqlSavepoint);
      if (w->status.ok()) {
        try {
          w->status = (*w->fn)(tx);
        } catch (...) {
          w->exception = std::current_exception();
          w->status = Status::Internal("the write threw an exception");
        }
      }
      if (sqlite3_get_autocommit(conn.handle())) {
        // SQLite rolled the whole transaction back (I/O error, out of memory, ...): the writes
        // applied before this one are gone too. Each is told; the rest start a new transaction.
        const Status lost =
            Status::Internal("the transaction was rolled back by the database: " +
                             (w->status.ok() ? std::string("unknown error") : w->status.message()));
        for (QueuedWrite* earlier : applied) earlier->status = lost;
        applied.clear();
        if (w->status.ok()) w->status = lost;
        if (Status begun = Exec(conn, kSqlBeginImmediate); !begun.ok()) {
          // Nothing of the rest can run; they fail with the reason.
          for (auto it = std::find(batch.begin(), batch.end(), w) + 1; it != batch.end(); ++it) {
            (*it)->status = begun;
          }
          return;
        }
        continue;
      }
      if (alone) {
        if (w->status.ok()) applied.push_back(w);
        continue;
      }
      if (w->status.ok()) {
        w->status = Exec(conn, kSqlReleaseSavepoint);
        if (w->status.ok()) applied.push_back(w);
      } else {
        static_cast<void>(Exec(conn, kSqlRollbackToSavepoint));
        static_cast<void>(Exec(conn, kSqlReleaseSavepoint));
      }
    }
    if (applied.empty()) {
      static_cast<void>(Exec(conn, kSqlRollback));
      return;
    }
    Status committed = Exec(conn, kSqlCommit);
    if (!committed.ok()) {
      // After a failed COMMIT the transaction may still be open; ROLLBACK then ends it.
      if (!sqlite3_get_autocommit(conn.handle())) static_cast<void>(Exec(conn, kSqlRollback));
      for (QueuedWrite* w : applied) w->status = committed;
    }
  }

  static Status Exec(SqliteConnection& conn, const char* sql) {
    PD_ASSIGN_OR_RETURN(SqliteStatement stmt, conn.Prepare(sql));
    return stmt.Run();
  }

  // A thread's connection stays open until Close: server threads live as long as the store, so
  // the map holds one entry per worker thread.
  Result<SqliteConnection*> ConnectionOfThisThread() {
    std::lock_guard lock(connections_mu_);
    auto& conn = connections_[std::this_thread::get_id()];
    if (!conn) {
      PD_ASSIGN_OR_RETURN(conn, SqliteConnection::Open(options_, /*create=*/false));
    }
    return conn.get();
  }

  const SqliteOptions options_;
  std::shared_mutex lifecycle_;
  bool closed_ = false;  // guarded by lifecycle_
  std::mutex queue_mu_;
  std::condition_variable queue_done_;
  std::vector<QueuedWrite*> queued_;  // guarded by queue_mu_; oldest first
  bool leading_ = false;              // guarded by queue_mu_: a batch is running
  // Every write transaction runs here, whichever thread leads its batch: one connection (and one
  // page cache) holds the pages writes touch, however many threads write. Used only by the
  // leader, and by Close when no batch can run.
  std::unique_ptr<SqliteConnection> writer_conn_;
  std::mutex connections_mu_;
  std::unordered_map<std::thread::id, std::unique_ptr<SqliteConnection>> connections_;
};

// ---- Query plans ----------------------------------------------------------------------------

constexpr char kSqlExplainQueryPlan[] = "EXPLAIN QUERY PLAN ";

// One statement to explain, with values for its parameters (plans can depend on them).
struct ExplainedStatement {
  std::string name;
  std::string sql;
  std::vector<SortKey> params;
};

// EXPLAIN QUERY PLAN of `stmt`: one line per plan row, indented under its parent as the sqlite3
// shell draws it.
Result<std::string> PlanOf(SqliteConnection& conn, const ExplainedStatement& stmt) {
  sqlite3_stmt* raw = nullptr;
  const std::string sql = kSqlExplainQueryPlan + stmt.sql;
  const int rc = sqlite3_prepare_v2(conn.handle(), sql.c_str(), -1, &raw, nullptr);
  // Not cached: finalized when done, after `explain` (declared later) has reset it.
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> owned(raw, &sqlite3_finalize);
  if (rc != SQLITE_OK) return SqliteError(conn.handle(), rc);
  SqliteStatement explain(conn.handle(), raw);
  for (const SortKey& p : stmt.params) std::visit([&](const auto& v) { explain.Bind(v); }, p);
  std::map<int64_t, int> depth_of;  // plan row id → indentation
  std::string plan;
  Status status = Status::Ok();
  for (;;) {
    Result<bool> has_row = explain.Step();
    if (!has_row.ok() || !*has_row) {
      status = has_row.status();
      break;
    }
    SqliteRow row = explain.Row();
    const int64_t id = row.Get<int64_t>();
    const int64_t parent = row.Get<int64_t>();
    row.Get<int64_t>();  // unused by SQLite
    const std::string detail = row.Get<std::string>();
    auto it = depth_of.find(parent);
    const int depth = it == depth_of.end() ? 0 : it->second + 1;
    depth_of[id] = depth;
    plan += std::string(2 * depth, ' ') + detail + "\n";
  }
  PD_RETURN_IF_ERROR(status);
  if (plan.empty()) plan = "(no plan rows: SQLite searches no table or index for it)\n";
  return plan;
}

}  // namespace

Result<std::vector<QueryPlan>> ExplainSqliteQueryPlans(const SqliteOptions& options) {
  PD_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> conn,
                      SqliteConnection::Open(options, options.create_if_missing));
  PD_RETURN_IF_ERROR(MigrateSqlite(*conn));

  // Ids need not exist: plans depend on the shape of the statement, not on the rows found.
  constexpr Id kId = 1;
  constexpr int64_t kCardLimit = 20;
  constexpr int kPageSize = 50;
  std::vector<ExplainedStatement> statements;
  auto with = [](std::vector<SortKey> head, const std::vector<SortKey>& tail,
                 std::vector<SortKey> end = {}) {
    head.insert(head.end(), tail.begin(), tail.end());
    head.insert(head.end(), end.begin(), end.end());
    return head;
  };
  for (const bool by_owner : {false, true}) {
    BoardQuery q;
    q.pipeline_id = kId;
    if (by_owner) q.owner_id = kId;
    const BoardSql board = BuildBoardSql(q);
    const std::string suffix = by_owner ? " (owner filter)" : "";
    statements.push_back(
        {"board totals" + suffix, board.totals, with({int64_t{kId}}, board.where.params)});
    statements.push_back({"board cards" + suffix, board.cards,
                          with({int64_t{kId}}, board.where.params, {kCardLimit})});
  }
  for (const bool by_owner : {false, true}) {
    for (const bool next_page : {false, true}) {
      ListQuery q;
      q.stage_id = kId;
      if (by_owner) q.owner_id = kId;
      q.sort = SortField::kUpdatedAt;
      q.descending = true;
      q.limit = kPageSize;
      if (next_page) q.cursor = EncodeCursor({"-updated_at", int64_t{0}, kId});
      PD_ASSIGN_OR_RETURN(ListSql list, BuildListSql<Deal>(kDealList, q));
      statements.push_back({std::string("deals page by stage, updated_at desc") +
                                (by_owner ? ", owner filter" : "") +
                                (next_page ? ", next page" : ", first page"),
                            list.sql, with(list.where.params, {int64_t{kPageSize + 1}})});
    }
  }
  statements.push_back({"get deal", SqlOf<Deal>().get, {int64_t{kId}}});
  statements.push_back(
      {"deal timeline: activities", SelectOf<Activity>(kSqlActivitiesOfDeal), {int64_t{kId}}});
  statements.push_back({"deal timeline: notes", SelectOf<Note>(kSqlNotesOfDeal), {int64_t{kId}}});
  statements.push_back(
      {"deal timeline: stage events", SelectOf<StageEvent>(kSqlStageEventsOfDeal), {int64_t{kId}}});
  statements.push_back({"insert deal", SqlOf<Deal>().insert, {}});
  statements.push_back({"update deal", SqlOf<Deal>().update, {}});

  std::vector<QueryPlan> plans;
  for (const ExplainedStatement& stmt : statements) {
    PD_ASSIGN_OR_RETURN(std::string plan, PlanOf(*conn, stmt));
    plans.push_back({stmt.name, stmt.sql, std::move(plan)});
  }
  return plans;
}

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options) {
  PD_ASSIGN_OR_RETURN(std::unique_ptr<SqliteConnection> conn,
                      SqliteConnection::Open(options, options.create_if_missing));
  PD_RETURN_IF_ERROR(MigrateSqlite(*conn));
  return std::unique_ptr<Store>(std::make_unique<SqliteStore>(options, std::move(conn)));
}

}  // namespace pipedeck
