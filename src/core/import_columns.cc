#include "core/import_columns.h"

#include <algorithm>
#include <array>
#include <map>
#include <span>

#include "core/text.h"

namespace pipedeck {
namespace {

using enum ImportField;

struct FieldName {
  ImportField field;
  std::string_view name;
};
constexpr FieldName kFieldNames[] = {
    {kId, "id"},
    {kExternalId, "external_id"},
    {kTitle, "title"},
    {kValue, "value"},
    {kCurrency, "currency"},
    {kPipeline, "pipeline"},
    {kStage, "stage"},
    {kStatus, "status"},
    {kLostReason, "lost_reason"},
    {kExpectedCloseDate, "expected_close_date"},
    {kProbability, "probability"},
    {kSource, "source"},
    {kName, "name"},
    {kFirstName, "first_name"},
    {kLastName, "last_name"},
    {kEmail, "email"},
    {kPhone, "phone"},
    {kAddress, "address"},
    {kOwner, "owner"},
    {kPerson, "person"},
    {kOrganization, "organization"},
    {kDeal, "deal"},
    {kSubject, "subject"},
    {kType, "type"},
    {kDueDate, "due_date"},
    {kDueTime, "due_time"},
    {kDuration, "duration"},
    {kDone, "done"},
    {kNote, "note"},
    {kContent, "content"},
    {kPinned, "pinned"},
};

enum class Source { kPipedeck, kPipedrive, kHubSpot, kAny };

// A header name some export uses for a field, normalised (Normalize).
struct Alias {
  ImportField field;
  std::string_view name;
  Source source;
};

// Per object. Pipedrive prefixes its headers with the object ("Deal - Title"), and a deal export
// carries the linked person's and organization's columns too ("Organization - Name").
constexpr Alias kDealAliases[] = {
    {kId, "id", Source::kPipedeck},
    {kExternalId, "externalid", Source::kAny},
    {kExternalId, "dealid", Source::kPipedrive},
    {kExternalId, "recordid", Source::kHubSpot},
    {kTitle, "title", Source::kPipedeck},
    {kTitle, "dealtitle", Source::kPipedrive},
    {kTitle, "dealname", Source::kHubSpot},
    {kValue, "value", Source::kPipedeck},
    {kValue, "dealvalue", Source::kPipedrive},
    {kValue, "amount", Source::kHubSpot},
    {kCurrency, "currency", Source::kPipedeck},
    {kCurrency, "dealcurrency", Source::kPipedrive},
    {kCurrency, "currencycode", Source::kHubSpot},
    {kPipeline, "pipeline", Source::kPipedeck},
    {kPipeline, "dealpipeline", Source::kPipedrive},
    {kStage, "stage", Source::kPipedeck},
    {kStage, "dealstage", Source::kPipedrive},
    {kStatus, "status", Source::kPipedeck},
    {kStatus, "dealstatus", Source::kPipedrive},
    {kLostReason, "lostreason", Source::kPipedeck},
    {kLostReason, "deallostreason", Source::kPipedrive},
    {kLostReason, "closedlostreason", Source::kHubSpot},
    {kExpectedCloseDate, "expectedclosedate", Source::kPipedeck},
    {kExpectedCloseDate, "dealexpectedclosedate", Source::kPipedrive},
    {kExpectedCloseDate, "closedate", Source::kHubSpot},
    {kProbability, "probability", Source::kPipedeck},
    {kProbability, "dealprobability", Source::kPipedrive},
    {kSource, "source", Source::kPipedeck},
    {kSource, "dealsource", Source::kPipedrive},
    {kSource, "dealsourcechannel", Source::kPipedrive},
    {kSource, "originalsource", Source::kHubSpot},
    {kOwner, "owner", Source::kPipedeck},
    {kOwner, "dealowner", Source::kPipedrive},
    {kOwner, "dealownername", Source::kHubSpot},
    {kPerson, "person", Source::kPipedeck},
    {kPerson, "dealcontactperson", Source::kPipedrive},
    {kPerson, "personname", Source::kPipedrive},
    {kPerson, "associatedcontact", Source::kHubSpot},
    {kOrganization, "organization", Source::kPipedeck},
    {kOrganization, "dealorganization", Source::kPipedrive},
    {kOrganization, "organizationname", Source::kPipedrive},
    {kOrganization, "associatedcompany", Source::kHubSpot},
};

constexpr Alias kPersonAliases[] = {
    {kId, "id", Source::kPipedeck},
    {kExternalId, "externalid", Source::kAny},
    {kExternalId, "personid", Source::kPipedrive},
    {kExternalId, "recordid", Source::kHubSpot},
    {kName, "name", Source::kPipedeck},
    {kName, "personname", Source::kPipedrive},
    {kName, "fullname", Source::kAny},
    {kFirstName, "firstname", Source::kHubSpot},
    {kFirstName, "personfirstname", Source::kPipedrive},
    {kLastName, "lastname", Source::kHubSpot},
    {kLastName, "personlastname", Source::kPipedrive},
    {kEmail, "email", Source::kPipedeck},
    {kEmail, "personemail", Source::kPipedrive},
    {kEmail, "emailaddress", Source::kAny},
    {kPhone, "phone", Source::kPipedeck},
    {kPhone, "personphone", Source::kPipedrive},
    {kPhone, "phonenumber", Source::kHubSpot},
    {kOrganization, "organization", Source::kPipedeck},
    {kOrganization, "personorganization", Source::kPipedrive},
    {kOrganization, "organizationname", Source::kPipedrive},
    {kOrganization, "companyname", Source::kHubSpot},
    {kOrganization, "associatedcompany", Source::kHubSpot},
    {kOwner, "owner", Source::kPipedeck},
    {kOwner, "personowner", Source::kPipedrive},
    {kOwner, "contactowner", Source::kHubSpot},
};

constexpr Alias kOrganizationAliases[] = {
    {kId, "id", Source::kPipedeck},
    {kExternalId, "externalid", Source::kAny},
    {kExternalId, "organizationid", Source::kPipedrive},
    {kExternalId, "recordid", Source::kHubSpot},
    {kName, "name", Source::kPipedeck},
    {kName, "organizationname", Source::kPipedrive},
    {kName, "companyname", Source::kHubSpot},
    {kAddress, "address", Source::kPipedeck},
    {kAddress, "organizationaddress", Source::kPipedrive},
    {kAddress, "streetaddress", Source::kHubSpot},
    {kOwner, "owner", Source::kPipedeck},
    {kOwner, "organizationowner", Source::kPipedrive},
    {kOwner, "companyowner", Source::kHubSpot},
};

constexpr Alias kActivityAliases[] = {
    {kId, "id", Source::kPipedeck},
    {kExternalId, "externalid", Source::kAny},
    {kExternalId, "activityid", Source::kPipedrive},
    {kSubject, "subject", Source::kPipedeck},
    {kSubject, "activitysubject", Source::kPipedrive},
    {kType, "type", Source::kPipedeck},
    {kType, "activitytype", Source::kPipedrive},
    {kDueDate, "duedate", Source::kPipedeck},
    {kDueDate, "activityduedate", Source::kPipedrive},
    {kDueTime, "duetime", Source::kPipedeck},
    {kDueTime, "activityduetime", Source::kPipedrive},
    {kDuration, "duration", Source::kPipedeck},
    {kDuration, "durationminutes", Source::kPipedeck},
    {kDuration, "activityduration", Source::kPipedrive},
    {kDone, "done", Source::kPipedeck},
    {kDone, "activitydone", Source::kPipedrive},
    {kNote, "note", Source::kPipedeck},
    {kNote, "activitynote", Source::kPipedrive},
    {kOwner, "owner", Source::kPipedeck},
    {kOwner, "activityassignedtouser", Source::kPipedrive},
    {kOwner, "activityowner", Source::kPipedrive},
    {kDeal, "deal", Source::kPipedeck},
    {kDeal, "activitydeal", Source::kPipedrive},
    {kDeal, "dealtitle", Source::kPipedrive},
    {kPerson, "person", Source::kPipedeck},
    {kPerson, "activitycontactperson", Source::kPipedrive},
    {kPerson, "personname", Source::kPipedrive},
    {kOrganization, "organization", Source::kPipedeck},
    {kOrganization, "activityorganization", Source::kPipedrive},
    {kOrganization, "organizationname", Source::kPipedrive},
};

constexpr Alias kNoteAliases[] = {
    {kId, "id", Source::kPipedeck},
    {kExternalId, "externalid", Source::kAny},
    {kExternalId, "noteid", Source::kPipedrive},
    {kContent, "content", Source::kPipedeck},
    {kContent, "notecontent", Source::kPipedrive},
    {kContent, "note", Source::kAny},
    {kPinned, "pinned", Source::kPipedeck},
    {kDeal, "deal", Source::kPipedeck},
    {kDeal, "notedeal", Source::kPipedrive},
    {kDeal, "dealtitle", Source::kPipedrive},
    {kPerson, "person", Source::kPipedeck},
    {kPerson, "noteperson", Source::kPipedrive},
    {kPerson, "personname", Source::kPipedrive},
    {kOrganization, "organization", Source::kPipedeck},
    {kOrganization, "noteorganization", Source::kPipedrive},
    {kOrganization, "organizationname", Source::kPipedrive},
};

std::span<const Alias> AliasesOf(ImportObject object) {
  switch (object) {
    case ImportObject::kDeals:
      return kDealAliases;
    case ImportObject::kPersons:
      return kPersonAliases;
    case ImportObject::kOrganizations:
      return kOrganizationAliases;
    case ImportObject::kActivities:
      return kActivityAliases;
    case ImportObject::kNotes:
      return kNoteAliases;
  }
  return {};
}

// "Deal - Expected close date" → "dealexpectedclosedate": case folded, only letters and digits
// (bytes beyond ASCII kept, so that names in other scripts still compare).
std::string Normalize(std::string_view header) {
  std::string out;
  for (char c : FoldCase(header)) {
    const unsigned char u = static_cast<unsigned char>(c);
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || u >= 0x80) out += c;
  }
  return out;
}

}  // namespace

const char* ImportObjectName(ImportObject o) {
  switch (o) {
    case ImportObject::kDeals:
      return "deals";
    case ImportObject::kPersons:
      return "persons";
    case ImportObject::kOrganizations:
      return "organizations";
    case ImportObject::kActivities:
      return "activities";
    case ImportObject::kNotes:
      return "notes";
  }
  return "deals";
}

std::optional<ImportObject> ParseImportObject(std::string_view s) {
  for (ImportObject o : {ImportObject::kDeals, ImportObject::kPersons, ImportObject::kOrganizations,
                         ImportObject::kActivities, ImportObject::kNotes}) {
    if (s == ImportObjectName(o)) return o;
  }
  return std::nullopt;
}

const char* ImportFieldName(ImportField f) {
  for (const FieldName& n : kFieldNames) {
    if (n.field == f) return n.name.data();
  }
  return "";
}

std::vector<ImportField> ImportFields(ImportObject object) {
  std::vector<ImportField> fields;
  for (const Alias& a : AliasesOf(object)) {
    if (std::find(fields.begin(), fields.end(), a.field) == fields.end()) fields.push_back(a.field);
  }
  return fields;
}

int ImportColumns::ColumnOf(ImportField f) const {
  for (size_t i = 0; i < field_of_column.size(); ++i) {
    if (field_of_column[i] == f) return static_cast<int>(i);
  }
  return -1;
}

Result<ImportColumns> MatchColumns(ImportObject object, const std::vector<std::string>& header,
                                   const std::vector<ColumnMapping>& mapping) {
  ImportColumns out;
  out.field_of_column.resize(header.size());
  const std::vector<ImportField> fields = ImportFields(object);
  std::vector<bool> mapped(header.size(), false);
  for (const ColumnMapping& m : mapping) {
    auto column = std::find(header.begin(), header.end(), m.column);
    if (column == header.end()) {
      return Status::Invalid("mapping", "the file has no column \"" + m.column + "\"");
    }
    const size_t index = column - header.begin();
    mapped[index] = true;
    if (m.field.empty()) continue;  // mapped to nothing: ignore the column
    auto field = std::find_if(fields.begin(), fields.end(),
                              [&](ImportField f) { return m.field == ImportFieldName(f); });
    if (field == fields.end()) {
      std::string known;
      for (ImportField f : fields)
        known += std::string(known.empty() ? "" : ", ") + ImportFieldName(f);
      return Status::Invalid("mapping", "\"" + m.field + "\" is not a field of " +
                                            ImportObjectName(object) + " (fields: " + known + ")");
    }
    out.field_of_column[index] = *field;
  }
  std::map<Source, int> votes;
  for (size_t i = 0; i < header.size(); ++i) {
    if (mapped[i]) continue;
    const std::string name = Normalize(header[i]);
    for (const Alias& a : AliasesOf(object)) {
      if (a.name != name) continue;
      out.field_of_column[i] = a.field;
      ++votes[a.source];
      break;
    }
  }
  for (size_t i = 0; i < header.size(); ++i) {
    if (!out.field_of_column[i]) out.ignored.push_back(header[i]);
  }
  // Which export it looks like: the source most names came from, when it is clear.
  votes.erase(Source::kAny);
  if (!votes.empty()) {
    auto top = std::max_element(votes.begin(), votes.end(),
                                [](const auto& a, const auto& b) { return a.second < b.second; });
    const bool clear = std::count_if(votes.begin(), votes.end(),
                                     [&](const auto& v) { return v.second == top->second; }) == 1;
    if (clear) {
      out.detected = top->first == Source::kPipedrive ? "pipedrive"
                     : top->first == Source::kHubSpot ? "hubspot"
                                                      : "pipedeck";
    }
  }
  // One column per field.
  for (ImportField f : fields) {
    std::vector<std::string> columns;
    for (size_t i = 0; i < header.size(); ++i) {
      if (out.field_of_column[i] == f) columns.push_back("\"" + header[i] + "\"");
    }
    if (columns.size() > 1) {
      std::string list;
      for (const std::string& c : columns) list += (list.empty() ? "" : " and ") + c;
      return Status::Invalid("columns", list + " both fill " + ImportFieldName(f) +
                                            "; map one of them to another field or to nothing");
    }
  }
  // What each object cannot do without.
  auto has = [&](ImportField f) { return out.ColumnOf(f) >= 0; };
  std::string missing;
  switch (object) {
    case ImportObject::kDeals:
      if (!has(kTitle)) missing = "title";
      break;
    case ImportObject::kPersons:
      if (!has(kName) && !has(kFirstName) && !has(kLastName)) missing = "name";
      break;
    case ImportObject::kOrganizations:
      if (!has(kName)) missing = "name";
      break;
    case ImportObject::kActivities:
      if (!has(kSubject)) missing = "subject";
      break;
    case ImportObject::kNotes:
      if (!has(kContent)) missing = "content";
      if (missing.empty() && !has(kDeal) && !has(kPerson) && !has(kOrganization)) {
        missing = "deal, person or organization";
      }
      break;
  }
  if (!missing.empty()) {
    return Status::Invalid("columns", std::string("no column holds the ") + missing + " of the " +
                                          ImportObjectName(object) +
                                          "; name it in the header or map a column to it");
  }
  return out;
}

}  // namespace pipedeck
