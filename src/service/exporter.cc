#include "service/exporter.h"

#include <map>
#include <string>
#include <vector>

#include "core/csv.h"
#include "core/money.h"
#include "core/time.h"

namespace pipedeck {
namespace {

constexpr int kPage = 500;
constexpr size_t kFlushBytes = 1 << 16;

// "150050" USD → "1500.50"; JPY 1500 → "1500".
std::string MajorUnits(const Money& m) {
  const int digits = MinorUnitDigits(m.currency).value_or(2);
  std::string s = std::to_string(m.amount_minor);
  if (digits == 0) return s;
  if (s.size() <= static_cast<size_t>(digits)) s.insert(0, digits + 1 - s.size(), '0');
  s.insert(s.size() - digits, ".");
  return s;
}

std::string Joined(const std::vector<ContactPoint>& points) {
  std::string out;
  for (const ContactPoint& p : points) out += (out.empty() ? "" : "; ") + p.value;
  return out;
}

// Names of what records point at, read once.
struct Names {
  std::map<Id, std::string> user_email, pipeline, stage, organization, person;
};

template <typename T, typename List, typename Fn>
Status ForEachPage(List&& list, Fn&& fn) {
  ListQuery q;
  q.limit = kPage;
  while (true) {
    PD_ASSIGN_OR_RETURN(Page<T> page, list(q));
    PD_RETURN_IF_ERROR(fn(page.items));
    if (page.next_cursor.empty()) return Status::Ok();
    q.cursor = page.next_cursor;
  }
}

// Buffers rows and hands them to the sink in large pieces.
class Output {
 public:
  explicit Output(const ExportSink& sink) : sink_(sink) {}
  Status Row(const std::vector<std::string>& fields) {
    AppendCsvRecord(std::span<const std::string>(fields), buffer_);
    if (buffer_.size() < kFlushBytes) return Status::Ok();
    return Flush();
  }
  Status Flush() {
    Status s = buffer_.empty() ? Status::Ok() : sink_(buffer_);
    buffer_.clear();
    return s;
  }

 private:
  const ExportSink& sink_;
  std::string buffer_;
};

std::string NameOf(const std::map<Id, std::string>& names, const std::optional<Id>& id) {
  if (!id) return "";
  auto it = names.find(*id);
  return it == names.end() ? "" : it->second;
}

}  // namespace

Status ExportCsv(Store& store, ImportObject object, const ExportSink& sink) {
  Output out(sink);
  return store.Read([&](StoreTx& tx) -> Status {
    Names names;
    PD_RETURN_IF_ERROR(ForEachPage<User>([&](const ListQuery& q) { return tx.ListUsers(q); },
                                         [&](const std::vector<User>& users) {
                                           for (const User& u : users) {
                                             names.user_email[u.id] = u.email;
                                           }
                                           return Status::Ok();
                                         }));
    auto load_organizations = [&] {
      return ForEachPage<Organization>([&](const ListQuery& q) { return tx.ListOrganizations(q); },
                                       [&](const std::vector<Organization>& orgs) {
                                         for (const Organization& o : orgs) {
                                           names.organization[o.id] = o.name;
                                         }
                                         return Status::Ok();
                                       });
    };
    // A person by email when it has one: names repeat, emails rarely do.
    auto load_persons = [&] {
      return ForEachPage<Person>([&](const ListQuery& q) { return tx.ListPersons(q); },
                                 [&](const std::vector<Person>& persons) {
                                   for (const Person& p : persons) {
                                     names.person[p.id] =
                                         p.emails.empty() ? p.name : p.emails.front().value;
                                   }
                                   return Status::Ok();
                                 });
    };
    switch (object) {
      case ImportObject::kOrganizations: {
        PD_RETURN_IF_ERROR(out.Row({"id", "name", "address", "owner", "created_at", "updated_at"}));
        PD_RETURN_IF_ERROR(ForEachPage<Organization>(
            [&](const ListQuery& q) { return tx.ListOrganizations(q); },
            [&](const std::vector<Organization>& orgs) -> Status {
              for (const Organization& o : orgs) {
                PD_RETURN_IF_ERROR(out.Row(
                    {std::to_string(o.id), o.name, o.address, NameOf(names.user_email, o.owner_id),
                     FormatTimestamp(o.created_at), FormatTimestamp(o.updated_at)}));
              }
              return Status::Ok();
            }));
        break;
      }
      case ImportObject::kPersons: {
        PD_RETURN_IF_ERROR(load_organizations());
        PD_RETURN_IF_ERROR(out.Row(
            {"id", "name", "email", "phone", "organization", "owner", "created_at", "updated_at"}));
        PD_RETURN_IF_ERROR(ForEachPage<Person>(
            [&](const ListQuery& q) { return tx.ListPersons(q); },
            [&](const std::vector<Person>& persons) -> Status {
              for (const Person& p : persons) {
                PD_RETURN_IF_ERROR(out.Row(
                    {std::to_string(p.id), p.name, Joined(p.emails), Joined(p.phones),
                     NameOf(names.organization, p.org_id), NameOf(names.user_email, p.owner_id),
                     FormatTimestamp(p.created_at), FormatTimestamp(p.updated_at)}));
              }
              return Status::Ok();
            }));
        break;
      }
      case ImportObject::kDeals: {
        PD_RETURN_IF_ERROR(
            ForEachPage<Pipeline>([&](const ListQuery& q) { return tx.ListPipelines(q); },
                                  [&](const std::vector<Pipeline>& ps) {
                                    for (const Pipeline& p : ps) names.pipeline[p.id] = p.name;
                                    return Status::Ok();
                                  }));
        PD_RETURN_IF_ERROR(ForEachPage<Stage>([&](const ListQuery& q) { return tx.ListStages(q); },
                                              [&](const std::vector<Stage>& ss) {
                                                for (const Stage& s : ss) {
                                                  names.stage[s.id] = s.name;
                                                }
                                                return Status::Ok();
                                              }));
        PD_RETURN_IF_ERROR(load_organizations());
        PD_RETURN_IF_ERROR(load_persons());
        PD_RETURN_IF_ERROR(
            out.Row({"id", "title", "value", "currency", "pipeline", "stage", "status",
                     "lost_reason", "expected_close_date", "probability", "source", "owner",
                     "organization", "person", "created_at", "updated_at", "closed_at"}));
        PD_RETURN_IF_ERROR(ForEachPage<Deal>(
            [&](const ListQuery& q) { return tx.ListDeals(q); },
            [&](const std::vector<Deal>& deals) -> Status {
              for (const Deal& d : deals) {
                PD_RETURN_IF_ERROR(out.Row({
                    std::to_string(d.id),
                    d.title,
                    MajorUnits(d.value),
                    d.value.currency,
                    NameOf(names.pipeline, d.pipeline_id),
                    NameOf(names.stage, d.stage_id),
                    DealStatusName(d.status),
                    d.lost_reason,
                    d.expected_close_date ? FormatDate(*d.expected_close_date) : "",
                    d.probability_override ? std::to_string(*d.probability_override) : "",
                    d.source,
                    NameOf(names.user_email, d.owner_id),
                    NameOf(names.organization, d.org_id),
                    NameOf(names.person, d.person_id),
                    FormatTimestamp(d.created_at),
                    FormatTimestamp(d.updated_at),
                    d.closed_at ? FormatTimestamp(*d.closed_at) : "",
                }));
              }
              return Status::Ok();
            }));
        break;
      }
      case ImportObject::kActivities:
      case ImportObject::kNotes: {
        PD_RETURN_IF_ERROR(load_organizations());
        PD_RETURN_IF_ERROR(load_persons());
        // A deal by its id: titles repeat.
        auto deal = [](const std::optional<Id>& id) { return id ? std::to_string(*id) : ""; };
        if (object == ImportObject::kActivities) {
          PD_RETURN_IF_ERROR(out.Row({"id", "subject", "type", "due_date", "due_time", "duration",
                                      "done", "note", "owner", "deal", "organization", "person",
                                      "done_at", "created_at", "updated_at"}));
          PD_RETURN_IF_ERROR(ForEachPage<Activity>(
              [&](const ListQuery& q) { return tx.ListActivities(q); },
              [&](const std::vector<Activity>& activities) -> Status {
                for (const Activity& a : activities) {
                  PD_RETURN_IF_ERROR(out.Row(
                      {std::to_string(a.id), a.subject, ActivityTypeName(a.type),
                       FormatDate(a.due_date), a.due_time ? FormatTimeOfDay(*a.due_time) : "",
                       a.duration_minutes > 0 ? std::to_string(a.duration_minutes) : "",
                       a.done ? "yes" : "no", a.note, NameOf(names.user_email, a.owner_id),
                       deal(a.deal_id), NameOf(names.organization, a.org_id),
                       NameOf(names.person, a.person_id),
                       a.done_at ? FormatTimestamp(*a.done_at) : "", FormatTimestamp(a.created_at),
                       FormatTimestamp(a.updated_at)}));
                }
                return Status::Ok();
              }));
        } else {
          PD_RETURN_IF_ERROR(out.Row({"id", "content", "pinned", "deal", "organization", "person",
                                      "author", "created_at", "updated_at"}));
          PD_RETURN_IF_ERROR(ForEachPage<Note>(
              [&](const ListQuery& q) { return tx.ListNotes(q); },
              [&](const std::vector<Note>& notes) -> Status {
                for (const Note& n : notes) {
                  PD_RETURN_IF_ERROR(out.Row(
                      {std::to_string(n.id), n.content, n.pinned ? "yes" : "no", deal(n.deal_id),
                       NameOf(names.organization, n.org_id), NameOf(names.person, n.person_id),
                       NameOf(names.user_email, n.user_id), FormatTimestamp(n.created_at),
                       FormatTimestamp(n.updated_at)}));
                }
                return Status::Ok();
              }));
        }
        break;
      }
    }
    return out.Flush();
  });
}

}  // namespace pipedeck
