#include "api/json_export.h"

#include <string>

#include "api/json_text.h"

namespace pipedeck {
namespace {

constexpr int kPageSize = 500;

template <typename T, typename List>
Status WriteJsonArray(List&& list, const JsonOut& out, const ExportSink& sink) {
  std::string text = "[";
  bool first = true;
  ListQuery q;
  q.limit = kPageSize;
  while (true) {
    PD_ASSIGN_OR_RETURN(Page<T> page, list(q));
    for (const T& record : page.items) {
      if (!first) text += ",\n";
      first = false;
      JsonText w(text);
      WriteJson(record, out, w);
    }
    PD_RETURN_IF_ERROR(sink(text));
    text.clear();
    if (page.next_cursor.empty()) break;
    q.cursor = page.next_cursor;
  }
  return sink("]\n");
}

}  // namespace

Status ExportJson(Workspace& ws, ImportObject object, const JsonOut& out, const ExportSink& sink) {
  switch (object) {
    case ImportObject::kDeals:
      return WriteJsonArray<Deal>([&](const ListQuery& q) { return ws.ListDeals(q); }, out, sink);
    case ImportObject::kPersons:
      return WriteJsonArray<Person>([&](const ListQuery& q) { return ws.ListPersons(q); }, out,
                                    sink);
    case ImportObject::kOrganizations:
      return WriteJsonArray<Organization>(
          [&](const ListQuery& q) { return ws.ListOrganizations(q); }, out, sink);
    case ImportObject::kActivities:
      return WriteJsonArray<Activity>([&](const ListQuery& q) { return ws.ListActivities(q); }, out,
                                      sink);
    case ImportObject::kNotes:
      return WriteJsonArray<Note>([&](const ListQuery& q) { return ws.ListNotes(q); }, out, sink);
  }
  return Status::Internal("unhandled export object");
}

}  // namespace pipedeck
