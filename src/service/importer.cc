#include "service/importer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <string_view>
#include <utility>

#include "core/csv.h"
#include "core/money.h"
#include "core/text.h"
#include "core/validate.h"
#include "service/bulk_load.h"
#include "service/workspace.h"
#include "store/threaded_bulk_writer.h"

namespace pipedeck {
namespace {

using enum ImportField;

constexpr size_t kReadPiece = 1 << 16;

// The store as seen from inside one open write transaction: a Workspace built on it runs each
// read in that transaction and each write in a savepoint of it, so that many rows share one
// commit and a failing row undoes only itself.
class OpenTxStore final : public Store {
 public:
  explicit OpenTxStore(StoreTx& tx) : tx_(tx) {}
  Result<std::unique_ptr<BulkWriter>> BeginBulkLoad() override {
    return Status::Internal("no bulk load inside an import transaction");
  }
  Status Read(const std::function<Status(StoreTx&)>& fn) override { return fn(tx_); }
  Status Write(const std::function<Status(StoreTx&)>& fn) override {
    return tx_.WithinSavepoint([&] { return fn(tx_); });
  }
  void Close() override {}

 private:
  StoreTx& tx_;
};

// A row's error at a column: the status's message, the column's header.
struct RowFailure {
  std::string column;
  std::string reason;
};

// The rows of the file between commits.
struct PendingRow {
  int64_t row = 0;
  std::vector<std::string> fields;
};

// The status a dry run ends its transaction with, so that the store rolls it back.
Status DryRunRollback() { return Status::Conflict("dry run: rolled back"); }

// Names → ids of what rows link to, read once and kept up to date as rows create records.
// Folded names; an ambiguous name maps to 0.
struct Directory {
  std::map<std::string, Id> users;  // by folded name and by email
  std::map<std::string, Id> pipelines;
  std::map<std::pair<Id, std::string>, Id> stages;  // (pipeline, folded name)
  std::map<std::string, Id> stage_anywhere;         // folded name → stage, 0 if in several
  std::map<std::string, Id> organizations;
  std::map<std::string, Id> persons_by_email;
  std::map<std::string, Id> persons_by_name;
  std::map<std::string, Id> deals_by_title;  // read only for activities and notes

  static void Put(std::map<std::string, Id>& m, const std::string& key, Id id) {
    if (key.empty()) return;
    auto [it, added] = m.emplace(key, id);
    if (!added && it->second != id) it->second = 0;  // ambiguous
  }
};

template <typename T, typename List>
Status ForEachRecord(List&& list, const std::function<void(const T&)>& fn) {
  ListQuery q;
  q.limit = 500;
  while (true) {
    PD_ASSIGN_OR_RETURN(Page<T> page, list(q));
    for (const T& item : page.items) fn(item);
    if (page.next_cursor.empty()) return Status::Ok();
    q.cursor = page.next_cursor;
  }
}

Status LoadDirectory(StoreTx& tx, Directory& d, bool with_deals) {
  if (with_deals) {
    PD_RETURN_IF_ERROR(ForEachRecord<Deal>([&](const ListQuery& q) { return tx.ListDeals(q); },
                                           [&](const Deal& deal) {
                                             Directory::Put(d.deals_by_title, FoldCase(deal.title),
                                                            deal.id);
                                           }));
  }
  PD_RETURN_IF_ERROR(ForEachRecord<User>([&](const ListQuery& q) { return tx.ListUsers(q); },
                                         [&](const User& u) {
                                           Directory::Put(d.users, FoldCase(u.name), u.id);
                                           Directory::Put(d.users, FoldCase(u.email), u.id);
                                         }));
  PD_RETURN_IF_ERROR(ForEachRecord<Pipeline>(
      [&](const ListQuery& q) { return tx.ListPipelines(q); },
      [&](const Pipeline& p) { Directory::Put(d.pipelines, FoldCase(p.name), p.id); }));
  PD_RETURN_IF_ERROR(ForEachRecord<Stage>([&](const ListQuery& q) { return tx.ListStages(q); },
                                          [&](const Stage& s) {
                                            d.stages[{s.pipeline_id, FoldCase(s.name)}] = s.id;
                                            Directory::Put(d.stage_anywhere, FoldCase(s.name),
                                                           s.id);
                                          }));
  PD_RETURN_IF_ERROR(ForEachRecord<Organization>(
      [&](const ListQuery& q) { return tx.ListOrganizations(q); },
      [&](const Organization& o) { Directory::Put(d.organizations, FoldCase(o.name), o.id); }));
  return ForEachRecord<Person>([&](const ListQuery& q) { return tx.ListPersons(q); },
                               [&](const Person& p) {
                                 Directory::Put(d.persons_by_name, FoldCase(p.name), p.id);
                                 for (const ContactPoint& e : p.emails) {
                                   Directory::Put(d.persons_by_email, FoldCase(e.value), p.id);
                                 }
                               });
}

std::string Trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return std::string(s);
}

// Imports one file's rows; one per import.
class FileImport {
 public:
  FileImport(const Clock& clock, const User& actor, const ImportOptions& options,
             ImportReport& report)
      : clock_(clock), actor_(actor), options_(options), report_(report) {}

  Status SetHeader(const std::vector<std::string>& header) {
    // A binary file (an image, a spreadsheet in its own format) shows in its first line.
    for (const std::string& name : header) {
      if (!IsValidUtf8(name) || name.find('\0') != std::string::npos) {
        return Status::Invalid("csv",
                               "the file is not UTF-8 text; export the sheet as CSV (UTF-8) first");
      }
    }
    header_ = header;
    PD_ASSIGN_OR_RETURN(columns_, MatchColumns(options_.object, header, options_.mapping));
    report_.detected = columns_.detected;
    report_.ignored_columns = columns_.ignored;
    for (size_t i = 0; i < header.size(); ++i) {
      const std::optional<ImportField>& field = columns_.field_of_column[i];
      report_.columns.push_back({header[i], field ? ImportFieldName(*field) : ""});
    }
    return Status::Ok();
  }

  Status LoadDirectory(StoreTx& tx) {
    const bool links_deals =
        options_.object == ImportObject::kActivities || options_.object == ImportObject::kNotes;
    return ::pipedeck::LoadDirectory(tx, directory_, links_deals);
  }

  // Imports `rows` in the open transaction `tx`, each in a savepoint.
  Status ImportRows(StoreTx& tx, const std::vector<PendingRow>& rows) {
    tx_ = &tx;
    OpenTxStore store(tx);
    Workspace ws(store, clock_);
    for (const PendingRow& row : rows) {
      ++report_.rows;
      row_ = &row;
      failure_.reset();
      Status status = tx.WithinSavepoint([&] { return ImportRow(ws); });
      if (status.code() == ErrorCode::kInternal) return status;
      if (!status.ok()) {
        ++report_.failed;
        RowFailure f = failure_ ? *failure_ : RowFailure{ColumnOfField(status.field()), ""};
        if (f.reason.empty()) f.reason = status.message();
        report_.errors.push_back({row.row, f.column, f.reason});
        // What the row's savepoint undid must leave the directory too.
        for (const auto& undo : undo_) undo();
      }
      undo_.clear();
    }
    return Status::Ok();
  }

 private:
  // The row's text in the column of `f`, trimmed; empty when the file has no such column.
  std::string Cell(ImportField f) const {
    const int column = columns_.ColumnOf(f);
    if (column < 0 || static_cast<size_t>(column) >= row_->fields.size()) return "";
    return Trimmed(row_->fields[column]);
  }
  bool Has(ImportField f) const { return !Cell(f).empty(); }

  std::string HeaderOf(ImportField f) const {
    const int column = columns_.ColumnOf(f);
    return column < 0 ? std::string(ImportFieldName(f)) : header_[column];
  }

  // The header of the column that fills the workspace field `field` ("owner_id" → the owner's
  // column), or the field's name.
  std::string ColumnOfField(std::string_view field) const {
    struct Link {
      std::string_view field;
      ImportField column;
    };
    static constexpr Link kLinks[] = {
        {"external_id", kExternalId},
        {"title", kTitle},
        {"value_minor", kValue},
        {"currency", kCurrency},
        {"stage_id", kStage},
        {"pipeline_id", kPipeline},
        {"owner_id", kOwner},
        {"person_id", kPerson},
        {"org_id", kOrganization},
        {"name", kName},
        {"address", kAddress},
        {"emails", kEmail},
        {"phones", kPhone},
        {"lost_reason", kLostReason},
        {"expected_close_date", kExpectedCloseDate},
        {"probability_override", kProbability},
        {"source", kSource},
        {"status", kStatus},
    };
    for (const Link& l : kLinks) {
      if (field == l.field || field.substr(0, l.field.size() + 1) == std::string(l.field) + "[") {
        if (columns_.ColumnOf(l.column) >= 0) return HeaderOf(l.column);
      }
    }
    return std::string(field);
  }

  Status Fail(ImportField f, std::string reason) {
    failure_ = RowFailure{HeaderOf(f), std::move(reason)};
    return Status::Invalid(ImportFieldName(f), failure_->reason);
  }

  // ---- Cells as values ----

  Result<std::optional<Id>> IdCell(ImportField f) {
    const std::string text = Cell(f);
    if (text.empty()) return std::optional<Id>();
    Id id = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
    if (ec != std::errc() || end != text.data() + text.size() || id <= 0) {
      return Fail(f, "\"" + text + "\" is not a record id");
    }
    return std::optional<Id>(id);
  }

  // "1500", "1,500.50", "1500.5": major units.
  Result<std::optional<int64_t>> AmountCell(ImportField f, const std::string& currency) {
    std::string text = Cell(f);
    if (text.empty()) return std::optional<int64_t>();
    text.erase(std::remove(text.begin(), text.end(), ','), text.end());
    double major = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), major);
    if (ec != std::errc() || end != text.data() + text.size() || !std::isfinite(major)) {
      return Fail(f, "\"" + Cell(f) + "\" is not an amount");
    }
    const std::optional<int> digits = MinorUnitDigits(currency);
    if (!digits) return Fail(kCurrency, "unknown currency \"" + currency + "\"");
    double scale = 1;
    for (int i = 0; i < *digits; ++i) scale *= 10;
    const double minor = std::round(major * scale);
    if (std::abs(major * scale - minor) > 1e-6 * std::max(1.0, std::abs(minor))) {
      return Fail(f, currency + " has " + std::to_string(*digits) + " decimal places at most");
    }
    if (minor < 0 || minor > static_cast<double>(kMaxAmountMinor)) {
      return Fail(f, "\"" + Cell(f) + "\" is out of range");
    }
    return std::optional<int64_t>(static_cast<int64_t>(minor));
  }

  // "2026-05-10", or an ISO 8601 instant (its UTC date).
  Result<std::optional<Date>> DateCell(ImportField f) {
    const std::string text = Cell(f);
    if (text.empty()) return std::optional<Date>();
    if (std::optional<Date> d = ParseDate(text)) return std::optional<Date>(*d);
    if (std::optional<Timestamp> t = ParseTimestamp(text)) {
      return std::optional<Date>(DateOf(*t));
    }
    if (text.size() >= 10) {
      if (std::optional<Date> d = ParseDate(std::string_view(text).substr(0, 10)); d) {
        if (text[10] == ' ' || text[10] == 'T') return std::optional<Date>(*d);
      }
    }
    return Fail(f, "\"" + text + "\" is not a date as YYYY-MM-DD");
  }

  // "80", "80%", "0.8" is not accepted (ambiguous).
  Result<std::optional<int32_t>> PercentCell(ImportField f) {
    std::string text = Cell(f);
    if (text.empty()) return std::optional<int32_t>();
    if (text.back() == '%') text.pop_back();
    int32_t v = -1;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || end != text.data() + text.size() || v < 0 || v > 100) {
      return Fail(f, "\"" + Cell(f) + "\" is not a percentage from 0 to 100");
    }
    return std::optional<int32_t>(v);
  }

  // ---- Links ----

  // A link cell that is all digits names a record by id when that record exists (`get` reads
  // it); otherwise the text is a name.
  template <typename Get>
  static std::optional<Id> ExistingId(const std::string& text, Get&& get) {
    if (text.empty() || text.size() > 18 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return std::nullopt;
    }
    Id id = 0;
    std::from_chars(text.data(), text.data() + text.size(), id);
    if (id <= 0 || !get(id).ok()) return std::nullopt;
    return id;
  }

  Result<std::optional<Id>> Owner() {
    const std::string text = Cell(kOwner);
    if (text.empty()) return std::optional<Id>();
    auto it = directory_.users.find(FoldCase(text));
    if (it == directory_.users.end()) return Fail(kOwner, "no user named \"" + text + "\"");
    if (it->second == 0) return Fail(kOwner, "several users are named \"" + text + "\"");
    return std::optional<Id>(it->second);
  }

  // The organization the row names: found by name (ignoring case), else created.
  Result<std::optional<Id>> Organization(Workspace& ws, std::optional<Id> owner) {
    const std::string name = Cell(kOrganization);
    if (name.empty()) return std::optional<Id>();
    if (std::optional<Id> id = ExistingId(name, [&](Id i) { return ws.GetOrganization(i); })) {
      return id;
    }
    const std::string key = FoldCase(name);
    if (auto it = directory_.organizations.find(key); it != directory_.organizations.end()) {
      if (it->second == 0) {
        return Fail(kOrganization, "several organizations are named \"" + name + "\"");
      }
      return std::optional<Id>(it->second);
    }
    OrganizationPatch fields;
    fields.name = name;
    fields.owner_id = owner.value_or(actor_.id);
    Result<::pipedeck::Organization> created = ws.CreateOrganization(actor_, fields);
    if (!created.ok()) return Fail(kOrganization, created.status().message());
    Remember(directory_.organizations, key, created->id);
    ++linked_created_;
    return std::optional<Id>(created->id);
  }

  // The person the row names: found by email or name, else created (in `org`).
  Result<std::optional<Id>> Person(Workspace& ws, std::optional<Id> owner, std::optional<Id> org) {
    const std::string name = Cell(kPerson);
    if (name.empty()) return std::optional<Id>();
    if (std::optional<Id> id = ExistingId(name, [&](Id i) { return ws.GetPerson(i); })) {
      return id;
    }
    const std::string key = FoldCase(name);
    for (auto* by : {&directory_.persons_by_email, &directory_.persons_by_name}) {
      if (auto it = by->find(key); it != by->end()) {
        if (it->second == 0) return Fail(kPerson, "several persons are named \"" + name + "\"");
        return std::optional<Id>(it->second);
      }
    }
    PersonPatch fields;
    const bool is_email = name.find('@') != std::string::npos;
    fields.name = is_email ? name.substr(0, name.find('@')) : name;
    if (is_email) fields.emails = std::vector<ContactPoint>{{name, "work", true}};
    fields.owner_id = owner.value_or(actor_.id);
    if (org) fields.org_id = Clearable<Id>(*org);
    Result<::pipedeck::Person> created = ws.CreatePerson(actor_, fields);
    if (!created.ok()) return Fail(kPerson, created.status().message());
    Remember(is_email ? directory_.persons_by_email : directory_.persons_by_name, key, created->id);
    ++linked_created_;
    return std::optional<Id>(created->id);
  }

  // Adds key → id to `m` for the rest of the import, unless the row fails.
  void Remember(std::map<std::string, Id>& m, const std::string& key, Id id) {
    const bool existed = m.contains(key);
    const Id before = existed ? m[key] : 0;
    Directory::Put(m, key, id);
    undo_.push_back([&m, key, existed, before] {
      if (existed) {
        m[key] = before;
      } else {
        m.erase(key);
      }
    });
  }

  // ---- Other systems' ids ----

  // The record the row's external id was imported as, when it still exists (`get` reads it).
  template <typename Get>
  Result<std::optional<Id>> ByExternalId(Get&& get) {
    const std::string external_id = Cell(kExternalId);
    if (external_id.empty()) return std::optional<Id>();
    PD_ASSIGN_OR_RETURN(std::optional<Id> id,
                        tx_->FindExternalKey(ImportObjectName(options_.object), external_id));
    if (!id || !get(*id).ok()) return std::optional<Id>();
    return id;
  }

  // Records the row's external id as naming record `id` (undone with the row if it fails).
  Status KeepExternalId(Id id) {
    const std::string external_id = Cell(kExternalId);
    if (external_id.empty()) return Status::Ok();
    return tx_->PutExternalKey(ImportObjectName(options_.object), external_id, id);
  }

  // ---- Rows ----

  Status ImportRow(Workspace& ws) {
    linked_created_ = 0;
    Status status = Status::Ok();
    switch (options_.object) {
      case ImportObject::kDeals:
        status = ImportDeal(ws);
        break;
      case ImportObject::kPersons:
        status = ImportPerson(ws);
        break;
      case ImportObject::kOrganizations:
        status = ImportOrganization(ws);
        break;
      case ImportObject::kActivities:
        status = ImportActivity(ws);
        break;
      case ImportObject::kNotes:
        status = ImportNote(ws);
        break;
    }
    if (status.ok()) report_.linked_created += linked_created_;
    return status;
  }

  // Counts a created or updated record.
  void Count(bool created) { ++(created ? report_.created : report_.updated); }

  Status ImportOrganization(Workspace& ws) {
    PD_ASSIGN_OR_RETURN(std::optional<Id> id, IdCell(kId));
    PD_ASSIGN_OR_RETURN(std::optional<Id> owner, Owner());
    OrganizationPatch fields;
    const std::string name = Cell(kName);
    if (name.empty() && !id) return Fail(kName, "an organization needs a name");
    if (!name.empty()) fields.name = name;
    if (Has(kAddress)) fields.address = Cell(kAddress);
    fields.owner_id = owner;
    const std::string key = FoldCase(name);
    if (!id) {
      PD_ASSIGN_OR_RETURN(id, ByExternalId([&](Id i) { return ws.GetOrganization(i); }));
    }
    if (!id) {
      if (auto it = directory_.organizations.find(key);
          it != directory_.organizations.end() && it->second != 0) {
        id = it->second;
      }
    }
    if (id) {
      PD_RETURN_IF_ERROR(ws.UpdateOrganization(actor_, *id, fields, std::nullopt).status());
      Count(false);
      return KeepExternalId(*id);
    }
    if (!fields.owner_id) fields.owner_id = actor_.id;
    PD_ASSIGN_OR_RETURN(::pipedeck::Organization created, ws.CreateOrganization(actor_, fields));
    Remember(directory_.organizations, key, created.id);
    Count(true);
    return KeepExternalId(created.id);
  }

  // Emails or phones: one or several, separated by commas or semicolons; the first is primary.
  static std::vector<ContactPoint> ContactPoints(const std::string& text) {
    std::vector<ContactPoint> out;
    size_t start = 0;
    while (start <= text.size()) {
      size_t end = text.find_first_of(",;", start);
      if (end == std::string::npos) end = text.size();
      std::string value = Trimmed(std::string_view(text).substr(start, end - start));
      if (!value.empty()) out.push_back({value, "work", out.empty()});
      start = end + 1;
    }
    return out;
  }

  Status ImportPerson(Workspace& ws) {
    PD_ASSIGN_OR_RETURN(std::optional<Id> id, IdCell(kId));
    PD_ASSIGN_OR_RETURN(std::optional<Id> owner, Owner());
    PersonPatch fields;
    std::string name = Cell(kName);
    if (name.empty()) name = Trimmed(Cell(kFirstName) + " " + Cell(kLastName));
    if (name.empty() && !id) return Fail(Has(kName) ? kName : kFirstName, "a person needs a name");
    if (!name.empty()) fields.name = name;
    const std::vector<ContactPoint> emails = ContactPoints(Cell(kEmail));
    if (!emails.empty()) fields.emails = emails;
    if (Has(kPhone)) fields.phones = ContactPoints(Cell(kPhone));
    fields.owner_id = owner;
    PD_ASSIGN_OR_RETURN(std::optional<Id> org, Organization(ws, owner));
    if (org) fields.org_id = Clearable<Id>(*org);
    if (!id) {
      PD_ASSIGN_OR_RETURN(id, ByExternalId([&](Id i) { return ws.GetPerson(i); }));
    }
    if (!id) {
      for (const ContactPoint& e : emails) {
        auto it = directory_.persons_by_email.find(FoldCase(e.value));
        if (it != directory_.persons_by_email.end() && it->second != 0) {
          id = it->second;
          break;
        }
      }
    }
    if (id) {
      PD_RETURN_IF_ERROR(ws.UpdatePerson(actor_, *id, fields, std::nullopt).status());
      for (const ContactPoint& e : emails)
        Remember(directory_.persons_by_email, FoldCase(e.value), *id);
      Count(false);
      return KeepExternalId(*id);
    }
    if (!fields.owner_id) fields.owner_id = actor_.id;
    PD_ASSIGN_OR_RETURN(::pipedeck::Person created, ws.CreatePerson(actor_, fields));
    Remember(directory_.persons_by_name, FoldCase(name), created.id);
    for (const ContactPoint& e : emails) {
      Remember(directory_.persons_by_email, FoldCase(e.value), created.id);
    }
    Count(true);
    return KeepExternalId(created.id);
  }

  // The stage the row names: by name within its pipeline (or the only stage of that name), else
  // the pipeline's first stage; nothing when neither is named.
  Result<std::pair<std::optional<Id>, std::optional<Id>>> Placement() {
    std::optional<Id> pipeline, stage;
    const std::string pipeline_name = Cell(kPipeline), stage_name = Cell(kStage);
    if (!pipeline_name.empty()) {
      auto it = directory_.pipelines.find(FoldCase(pipeline_name));
      if (it == directory_.pipelines.end() || it->second == 0) {
        return Fail(kPipeline, it == directory_.pipelines.end()
                                   ? "no pipeline named \"" + pipeline_name + "\""
                                   : "several pipelines are named \"" + pipeline_name + "\"");
      }
      pipeline = it->second;
    }
    if (!stage_name.empty()) {
      const std::string key = FoldCase(stage_name);
      if (pipeline) {
        auto it = directory_.stages.find({*pipeline, key});
        if (it == directory_.stages.end()) {
          return Fail(kStage,
                      "pipeline \"" + pipeline_name + "\" has no stage \"" + stage_name + "\"");
        }
        stage = it->second;
      } else {
        auto it = directory_.stage_anywhere.find(key);
        if (it == directory_.stage_anywhere.end()) {
          return Fail(kStage, "no stage named \"" + stage_name + "\"");
        }
        if (it->second == 0) {
          return Fail(kStage, "several pipelines have a stage \"" + stage_name +
                                  "\"; name the pipeline too");
        }
        stage = it->second;
      }
    }
    return std::pair(pipeline, stage);
  }

  Status ImportDeal(Workspace& ws) {
    PD_ASSIGN_OR_RETURN(std::optional<Id> id, IdCell(kId));
    const std::string title = Cell(kTitle);
    if (title.empty() && !id) return Fail(kTitle, "a deal needs a title");
    PD_ASSIGN_OR_RETURN(std::optional<Id> owner, Owner());
    DealPatch fields;
    if (!title.empty()) fields.title = title;
    if (!id) {
      PD_ASSIGN_OR_RETURN(id, ByExternalId([&](Id i) { return ws.GetDeal(i); }));
    }
    std::optional<::pipedeck::Deal> existing;
    if (id) {
      Result<::pipedeck::Deal> found = ws.GetDeal(*id);
      if (!found.ok()) return Fail(kId, "no deal with id " + std::to_string(*id));
      existing = std::move(found).value();
    }
    std::string currency = Cell(kCurrency);
    if (!currency.empty()) fields.currency = currency;
    if (currency.empty()) {
      if (existing) {
        currency = existing->value.currency;
      } else {
        PD_ASSIGN_OR_RETURN(WorkspaceSettings settings, ws.Settings());
        currency = settings.default_currency;
      }
    }
    PD_ASSIGN_OR_RETURN(fields.value_minor, AmountCell(kValue, currency));
    PD_ASSIGN_OR_RETURN(auto placement, Placement());
    fields.pipeline_id = placement.first;
    fields.stage_id = placement.second;
    PD_ASSIGN_OR_RETURN(std::optional<Date> expected, DateCell(kExpectedCloseDate));
    if (expected) fields.expected_close_date = Clearable<Date>(*expected);
    PD_ASSIGN_OR_RETURN(std::optional<int32_t> probability, PercentCell(kProbability));
    if (probability) fields.probability_override = Clearable<int32_t>(*probability);
    if (Has(kSource)) fields.source = Cell(kSource);
    fields.owner_id = owner;

    std::optional<DealStatusChange> status;
    if (Has(kStatus)) {
      const std::string text = FoldCase(Cell(kStatus));
      DealStatusChange change;
      if (text == "open") {
        change.status = DealStatus::kOpen;
      } else if (text == "won" || text == "closed won" || text == "closedwon") {
        change.status = DealStatus::kWon;
      } else if (text == "lost" || text == "closed lost" || text == "closedlost") {
        change.status = DealStatus::kLost;
        change.lost_reason = Cell(kLostReason);
        if (change.lost_reason.empty()) {
          return Fail(
              Has(kLostReason) || columns_.ColumnOf(kLostReason) >= 0 ? kLostReason : kStatus,
              "a lost deal needs a lost reason");
        }
      } else {
        return Fail(kStatus, "\"" + Cell(kStatus) + "\" is not open, won or lost");
      }
      status = change;
    }
    PD_ASSIGN_OR_RETURN(std::optional<Id> org, Organization(ws, owner));
    if (org) fields.org_id = Clearable<Id>(*org);
    PD_ASSIGN_OR_RETURN(std::optional<Id> person, Person(ws, owner, org));
    if (person) fields.person_id = Clearable<Id>(*person);

    if (existing) {
      PD_RETURN_IF_ERROR(
          ws.UpdateDealWithStatus(actor_, existing->id, fields, status, std::nullopt).status());
      Count(false);
      return KeepExternalId(existing->id);
    }
    if (!fields.owner_id) fields.owner_id = actor_.id;
    PD_ASSIGN_OR_RETURN(::pipedeck::Deal created, ws.CreateDealWithStatus(actor_, fields, status));
    Count(true);
    return KeepExternalId(created.id);
  }

  // The deal the row names: its id (digits), or its title when only one deal has it.
  Result<std::optional<Id>> DealLink(Workspace& ws) {
    const std::string text = Cell(kDeal);
    if (text.empty()) return std::optional<Id>();
    if (std::optional<Id> id = ExistingId(text, [&](Id i) { return ws.GetDeal(i); })) return id;
    auto it = directory_.deals_by_title.find(FoldCase(text));
    if (it == directory_.deals_by_title.end())
      return Fail(kDeal, "no deal titled \"" + text + "\"");
    if (it->second == 0) {
      return Fail(kDeal, "several deals are titled \"" + text + "\"; name the deal by its id");
    }
    return std::optional<Id>(it->second);
  }

  // "yes", "true", "1", "done" or "no", "false", "0", "" .
  Result<std::optional<bool>> YesNoCell(ImportField f) {
    const std::string text = FoldCase(Cell(f));
    if (text.empty()) return std::optional<bool>();
    if (text == "yes" || text == "true" || text == "1" || text == "done" || text == "y") {
      return std::optional<bool>(true);
    }
    if (text == "no" || text == "false" || text == "0" || text == "n") {
      return std::optional<bool>(false);
    }
    return Fail(f, "\"" + Cell(f) + "\" is not yes or no");
  }

  // "HH:MM" (a time of day, or a duration), or a number of minutes for a duration.
  Result<std::optional<int32_t>> MinutesCell(ImportField f, bool plain_minutes) {
    const std::string text = Cell(f);
    if (text.empty()) return std::optional<int32_t>();
    if (std::optional<TimeOfDay> t = ParseTimeOfDay(text))
      return std::optional<int32_t>(t->minutes);
    int32_t minutes = -1;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), minutes);
    if (plain_minutes && ec == std::errc() && end == text.data() + text.size() && minutes >= 0) {
      return std::optional<int32_t>(minutes);
    }
    return Fail(f, "\"" + text + "\" is not a time as HH:MM");
  }

  Status ImportActivity(Workspace& ws) {
    PD_ASSIGN_OR_RETURN(std::optional<Id> id, IdCell(kId));
    if (!id) {
      PD_ASSIGN_OR_RETURN(id, ByExternalId([&](Id i) { return ws.GetActivity(i); }));
    }
    const std::string subject = Cell(kSubject);
    if (subject.empty() && !id) return Fail(kSubject, "an activity needs a subject");
    ActivityPatch fields;
    if (!subject.empty()) fields.subject = subject;
    if (Has(kType)) {
      std::optional<ActivityType> type = ParseActivityType(FoldCase(Cell(kType)));
      if (!type)
        return Fail(kType, "\"" + Cell(kType) + "\" is not call, meeting, email, task or deadline");
      fields.type = *type;
    }
    PD_ASSIGN_OR_RETURN(fields.due_date, DateCell(kDueDate));
    PD_ASSIGN_OR_RETURN(std::optional<int32_t> due_time, MinutesCell(kDueTime, false));
    if (due_time) fields.due_time = Clearable<TimeOfDay>(TimeOfDay{*due_time});
    PD_ASSIGN_OR_RETURN(fields.duration_minutes, MinutesCell(kDuration, true));
    PD_ASSIGN_OR_RETURN(fields.done, YesNoCell(kDone));
    if (Has(kNote)) fields.note = Cell(kNote);
    PD_ASSIGN_OR_RETURN(std::optional<Id> owner, Owner());
    fields.owner_id = owner;
    PD_ASSIGN_OR_RETURN(std::optional<Id> deal, DealLink(ws));
    if (deal) fields.deal_id = Clearable<Id>(*deal);
    PD_ASSIGN_OR_RETURN(std::optional<Id> org, Organization(ws, owner));
    if (org) fields.org_id = Clearable<Id>(*org);
    PD_ASSIGN_OR_RETURN(std::optional<Id> person, Person(ws, owner, org));
    if (person) fields.person_id = Clearable<Id>(*person);
    if (id) {
      PD_RETURN_IF_ERROR(ws.UpdateActivity(actor_, *id, fields, std::nullopt).status());
      Count(false);
      return KeepExternalId(*id);
    }
    if (!fields.owner_id) fields.owner_id = actor_.id;
    PD_ASSIGN_OR_RETURN(Activity created, ws.CreateActivity(actor_, fields));
    Count(true);
    return KeepExternalId(created.id);
  }

  Status ImportNote(Workspace& ws) {
    PD_ASSIGN_OR_RETURN(std::optional<Id> id, IdCell(kId));
    if (!id) {
      PD_ASSIGN_OR_RETURN(id, ByExternalId([&](Id i) { return ws.GetNote(i); }));
    }
    const std::string content = Cell(kContent);
    if (content.empty() && !id) return Fail(kContent, "a note needs content");
    NotePatch fields;
    if (!content.empty()) fields.content = content;
    PD_ASSIGN_OR_RETURN(fields.pinned, YesNoCell(kPinned));
    PD_ASSIGN_OR_RETURN(std::optional<Id> deal, DealLink(ws));
    if (deal) fields.deal_id = Clearable<Id>(*deal);
    PD_ASSIGN_OR_RETURN(std::optional<Id> org, Organization(ws, std::nullopt));
    if (org) fields.org_id = Clearable<Id>(*org);
    PD_ASSIGN_OR_RETURN(std::optional<Id> person, Person(ws, std::nullopt, org));
    if (person) fields.person_id = Clearable<Id>(*person);
    if (id) {
      PD_RETURN_IF_ERROR(ws.UpdateNote(actor_, *id, fields, std::nullopt).status());
      Count(false);
      return KeepExternalId(*id);
    }
    if (!deal && !org && !person) {
      return Fail(Has(kDeal) ? kDeal : kContent,
                  "a note belongs to a deal, a person or an organization");
    }
    PD_ASSIGN_OR_RETURN(Note created, ws.CreateNote(actor_, fields));
    Count(true);
    return KeepExternalId(created.id);
  }

  const Clock& clock_;
  const User& actor_;
  const ImportOptions& options_;
  ImportReport& report_;
  std::vector<std::string> header_;
  ImportColumns columns_;
  Directory directory_;
  const PendingRow* row_ = nullptr;
  std::optional<RowFailure> failure_;
  int64_t linked_created_ = 0;
  std::vector<std::function<void()>> undo_;  // directory entries the current row added
  StoreTx* tx_ = nullptr;                    // the batch's transaction
};

// Imports the rows of a bulk load (ImportOptions::bulk_load): the use cases run against a
// BulkLoadTx over one read snapshot, which hands their records to the store's bulk writer.
// `import_rows` imports every remaining row of the file into the transaction it is given.
Result<ImportReport> BulkLoad(Store& store, FileImport& file,
                              const std::function<Status(StoreTx&)>& import_rows,
                              ImportReport& report, const ImportProgress& progress) {
  if (report.object != ImportObject::kDeals) {
    return Status::Invalid("bulk_load", "a bulk load imports deals; import " +
                                            std::string(ImportObjectName(report.object)) +
                                            " without it");
  }
  PD_RETURN_IF_ERROR(store.Read([&](StoreTx& snapshot) -> Status {
    ListQuery any;
    any.limit = 1;
    PD_ASSIGN_OR_RETURN(Page<Deal> deals, snapshot.ListDeals(any));
    if (deals.items.empty()) return Status::Ok();
    return Status::Invalid("bulk_load",
                           "a bulk load goes into a workspace without deals; this one has some, "
                           "so import without it");
  }));
  PD_ASSIGN_OR_RETURN(std::unique_ptr<BulkWriter> store_writer, store.BeginBulkLoad());
  // The database writes on a thread of its own while this one reads the file and applies the
  // rules.
  std::unique_ptr<BulkWriter> writer =
      std::make_unique<ThreadedBulkWriter>(std::move(store_writer));
  report.bulk_load = true;
  // The snapshot ends before Finish, whose checkpoint waits for every reader.
  PD_RETURN_IF_ERROR(store.Read([&](StoreTx& snapshot) -> Status {
    PD_RETURN_IF_ERROR(file.LoadDirectory(snapshot));
    PD_ASSIGN_OR_RETURN(AssignedIds last_ids, snapshot.LastAssignedIds());
    BulkLoadTx tx(snapshot, *writer, last_ids);
    return import_rows(tx);
  }));
  PD_RETURN_IF_ERROR(writer->Finish());
  if (progress) progress(report);
  return report;
}

}  // namespace

Result<ImportReport> ImportCsv(Store& store, const Clock& clock, const User& actor,
                               const ImportOptions& options, const ImportSource& source,
                               const ImportProgress& progress) {
  ImportReport report;
  report.object = options.object;
  report.dry_run = options.dry_run;
  FileImport file(clock, actor, options, report);
  CsvReader reader;
  bool have_header = false;
  std::vector<PendingRow> pending;
  auto on_record = [&](const CsvRecord& r) -> Status {
    std::vector<std::string> fields(r.fields.begin(), r.fields.end());
    if (!have_header) {
      have_header = true;
      return file.SetHeader(fields);
    }
    pending.push_back({r.number, std::move(fields)});
    return Status::Ok();
  };
  // Reads the file until `pending` holds a batch or the file ends; false at its end.
  std::vector<char> buffer(kReadPiece);
  bool at_end = false;
  auto fill = [&]() -> Result<bool> {
    while (!at_end && pending.size() < options.rows_per_commit) {
      PD_ASSIGN_OR_RETURN(size_t n, source(buffer.data(), buffer.size()));
      if (n == 0) {
        at_end = true;
        PD_RETURN_IF_ERROR(reader.Finish(on_record));
      } else {
        PD_RETURN_IF_ERROR(reader.Feed(std::string_view(buffer.data(), n), on_record));
      }
    }
    return !pending.empty();
  };
  // The next batch of rows from the file; empty at its end.
  auto next_batch = [&]() -> Result<std::vector<PendingRow>> {
    PD_RETURN_IF_ERROR(fill().status());
    std::vector<PendingRow> batch = std::move(pending);
    pending.clear();
    return batch;
  };
  // Every remaining row into `tx`, a batch at a time.
  auto import_rows = [&](StoreTx& tx) -> Status {
    while (true) {
      PD_ASSIGN_OR_RETURN(std::vector<PendingRow> batch, next_batch());
      if (batch.empty()) return Status::Ok();
      PD_RETURN_IF_ERROR(file.ImportRows(tx, batch));
      if (progress) progress(report);
    }
  };

  // The header first: a file that cannot be matched imports nothing.
  {
    PD_ASSIGN_OR_RETURN(bool rows, fill());
    (void)rows;
    if (!have_header) return Status::Invalid("csv", "the file is empty: it has no header row");
  }
  if (options.bulk_load && !options.dry_run) {
    return BulkLoad(store, file, import_rows, report, progress);
  }
  PD_RETURN_IF_ERROR(store.Read([&](StoreTx& tx) { return file.LoadDirectory(tx); }));
  if (options.dry_run) {
    Status status = store.Write([&](StoreTx& tx) -> Status {
      PD_RETURN_IF_ERROR(import_rows(tx));
      return DryRunRollback();
    });
    if (status.message() != DryRunRollback().message()) return status;
  } else {
    // One transaction per batch, so that other writers get their turn between batches.
    while (true) {
      PD_ASSIGN_OR_RETURN(std::vector<PendingRow> batch, next_batch());
      if (batch.empty()) break;
      PD_RETURN_IF_ERROR(store.Write([&](StoreTx& tx) { return file.ImportRows(tx, batch); }));
      if (progress) progress(report);
    }
  }
  if (progress) progress(report);
  return report;
}

}  // namespace pipedeck
