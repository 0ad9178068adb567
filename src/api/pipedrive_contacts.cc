#include <algorithm>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>

#include "api/pipedrive_handlers.h"
#include "api/request_parts.h"
#include "core/time.h"

namespace pipedeck::pipedrive {

namespace {

// The person's or organization's owner as v1 writes it (a user object), v2 as an id.
void WriteOwner(PdContext& c, Id owner_id, JsonText& w) {
  w.Key("owner_id");
  if (c.v1()) {
    WriteV1UserRef(owner_id, c.lookups, w);
  } else {
    w.Int(owner_id);
  }
}

// Pipedrive splits a person's name at the first space.
void WriteNameParts(std::string_view name, JsonText& w) {
  const size_t space = name.find(' ');
  w.Key("first_name").String(name.substr(0, space));
  w.Key("last_name");
  space == std::string_view::npos ? w.Null() : w.String(name.substr(space + 1));
}

void WritePerson(PdContext& c, const Person& p, JsonText& w) {
  const Organization* org = p.org_id ? c.lookups.OrgOf(*p.org_id) : nullptr;
  w.BeginObject();
  w.Key("id").Int(p.id);
  w.Key("name").String(p.name);
  WriteNameParts(p.name, w);
  WriteOwner(c, p.owner_id, w);
  w.Key("org_id");
  if (c.v1() && org) {
    w.BeginObject().Key("name").String(org->name).Key("owner_id").Int(org->owner_id);
    w.Key("address").String(org->address).Key("active_flag").Bool(true);
    w.Key("cc_email").String("").Key("value").Int(org->id).EndObject();
  } else {
    p.org_id ? w.Int(*p.org_id) : w.Null();
  }
  w.Key(c.v1() ? "email" : "emails");
  WriteContactPoints(p.emails, w);
  w.Key(c.v1() ? "phone" : "phones");
  WriteContactPoints(p.phones, w);
  w.Key("add_time");
  WriteInstant(c.version, p.created_at, w);
  w.Key("update_time");
  WriteInstant(c.version, p.updated_at, w);
  if (c.v1()) {
    const User* owner = c.lookups.UserOf(p.owner_id);
    w.Key("active_flag").Bool(true).Key("visible_to").String("3");
    w.Key("org_name");
    org ? w.String(org->name) : w.Null();
    w.Key("owner_name").String(owner ? owner->name : "");
    w.Key("company_id").Int(1).Key("label").Null();
  } else {
    w.Key("is_deleted").Bool(false).Key("visible_to").Int(3);
    w.Key("label_ids").BeginArray().EndArray();
  }
  w.EndObject();
}

void WriteOrganization(PdContext& c, const Organization& o, JsonText& w) {
  w.BeginObject();
  w.Key("id").Int(o.id);
  w.Key("name").String(o.name);
  WriteOwner(c, o.owner_id, w);
  w.Key("address");
  if (c.v1()) {
    w.String(o.address);
  } else if (o.address.empty()) {
    w.Null();
  } else {
    w.BeginObject().Key("value").String(o.address).EndObject();
  }
  w.Key("add_time");
  WriteInstant(c.version, o.created_at, w);
  w.Key("update_time");
  WriteInstant(c.version, o.updated_at, w);
  if (c.v1()) {
    const User* owner = c.lookups.UserOf(o.owner_id);
    w.Key("active_flag").Bool(true).Key("visible_to").String("3");
    w.Key("owner_name").String(owner ? owner->name : "");
    w.Key("cc_email").String("").Key("company_id").Int(1).Key("label").Null();
  } else {
    w.Key("is_deleted").Bool(false).Key("visible_to").Int(3);
    w.Key("label_ids").BeginArray().EndArray();
  }
  w.EndObject();
}

// Emails or phones: v1 takes a string, an array of strings or of {value, primary, label}; v2 the
// objects. The first becomes primary when none is.
Result<std::optional<std::vector<ContactPoint>>> ReadContactPoints(const boost::json::object& o,
                                                                   std::string_view name) {
  using Out = std::optional<std::vector<ContactPoint>>;
  const boost::json::value* v = o.if_contains(name);
  if (v == nullptr) return Out();
  std::vector<ContactPoint> points;
  if (v->is_null()) return Out(points);
  if (v->is_string()) {
    if (!v->as_string().empty()) points.push_back({std::string(v->as_string()), "work", true});
    return Out(points);
  }
  if (!v->is_array()) return Status::Invalid(std::string(name), "must be a list of contacts");
  const boost::json::array& items = v->as_array();
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string at = std::string(name) + "[" + std::to_string(i) + "]";
    ContactPoint p{"", "work", false};
    if (items[i].is_string()) {
      p.value = std::string(items[i].as_string());
    } else if (items[i].is_object()) {
      const boost::json::object& item = items[i].as_object();
      const boost::json::value* value = item.if_contains("value");
      if (value == nullptr || !value->is_string()) {
        return Status::Invalid(at + ".value", "must be a string");
      }
      p.value = std::string(value->as_string());
      if (const boost::json::value* label = item.if_contains("label");
          label && label->is_string() && !label->as_string().empty()) {
        p.label = std::string(label->as_string());
      }
      if (const boost::json::value* primary = item.if_contains("primary"); primary) {
        if (!primary->is_bool()) return Status::Invalid(at + ".primary", "must be true or false");
        p.primary = primary->as_bool();
      }
    } else {
      return Status::Invalid(at, "must be a string or an object with a value");
    }
    if (!p.value.empty()) points.push_back(std::move(p));
  }
  if (!points.empty() &&
      std::none_of(points.begin(), points.end(), [](const ContactPoint& p) { return p.primary; })) {
    points.front().primary = true;
  }
  return Out(points);
}

Result<PersonPatch> ReadPerson(const PdContext& c, bool create) {
  PD_ASSIGN_OR_RETURN(PdBody b, PdBody::Parse(c.body));
  PersonPatch p;
  PD_ASSIGN_OR_RETURN(p.name, b.Text("name"));
  if (create && (!p.name || TrimSpaces(*p.name).empty())) {
    return Status::Invalid("name", "a person needs a name");
  }
  PD_ASSIGN_OR_RETURN(p.owner_id, b.IdOf("owner_id"));
  if (create && !p.owner_id) p.owner_id = c.actor.id;
  PD_ASSIGN_OR_RETURN(std::optional<Id> org, b.IdOf("org_id"));
  if (org) p.org_id = Clearable<Id>(*org);
  if (b.IsNull("org_id")) p.org_id.emplace();  // engaged, empty: clear
  PD_ASSIGN_OR_RETURN(p.emails, ReadContactPoints(b.object(), c.v1() ? "email" : "emails"));
  PD_ASSIGN_OR_RETURN(p.phones, ReadContactPoints(b.object(), c.v1() ? "phone" : "phones"));
  return p;
}

Result<OrganizationPatch> ReadOrganization(const PdContext& c, bool create) {
  PD_ASSIGN_OR_RETURN(PdBody b, PdBody::Parse(c.body));
  OrganizationPatch o;
  PD_ASSIGN_OR_RETURN(o.name, b.Text("name"));
  if (create && (!o.name || TrimSpaces(*o.name).empty())) {
    return Status::Invalid("name", "an organization needs a name");
  }
  PD_ASSIGN_OR_RETURN(o.owner_id, b.IdOf("owner_id"));
  if (create && !o.owner_id) o.owner_id = c.actor.id;
  // v2 sends the address as {value: "..."}; v1 as a string.
  const boost::json::value* address = b.object().if_contains("address");
  if (address != nullptr && !address->is_null()) {
    if (address->is_string()) {
      o.address = std::string(address->as_string());
    } else if (address->is_object() && address->as_object().contains("value") &&
               address->as_object().at("value").is_string()) {
      o.address = std::string(address->as_object().at("value").as_string());
    } else {
      return Status::Invalid("address", "must be a string or an object with a value");
    }
  } else if (address != nullptr) {
    o.address = "";
  }
  return o;
}

// "HH:MM" of a number of minutes (durations and times of day).
std::string HoursMinutes(int32_t minutes) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%02d:%02d", minutes / 60, minutes % 60);
  return buffer;
}

void WriteActivity(PdContext& c, const Activity& a, JsonText& w) {
  w.BeginObject();
  w.Key("id").Int(a.id);
  w.Key("subject").String(a.subject);
  w.Key("type").String(ActivityTypeName(a.type));
  w.Key(c.v1() ? "user_id" : "owner_id").Int(a.owner_id);
  w.Key("done").Bool(a.done);
  w.Key("due_date");
  WriteDate(a.due_date, w);
  // v1 writes an empty string for "no time", v2 null.
  w.Key("due_time");
  if (a.due_time) {
    w.String(HoursMinutes(a.due_time->minutes));
  } else {
    c.v1() ? w.String("") : w.Null();
  }
  w.Key("duration");
  if (a.duration_minutes > 0) {
    w.String(HoursMinutes(a.duration_minutes));
  } else {
    c.v1() ? w.String("") : w.Null();
  }
  w.Key("deal_id");
  a.deal_id ? w.Int(*a.deal_id) : w.Null();
  w.Key("person_id");
  a.person_id ? w.Int(*a.person_id) : w.Null();
  w.Key("org_id");
  a.org_id ? w.Int(*a.org_id) : w.Null();
  w.Key("note");
  a.note.empty() ? w.Null() : w.String(a.note);
  w.Key("marked_as_done_time");
  if (a.done_at) {
    WriteInstant(c.version, *a.done_at, w);
  } else {
    c.v1() ? w.String("") : w.Null();
  }
  w.Key("add_time");
  WriteInstant(c.version, a.created_at, w);
  w.Key("update_time");
  WriteInstant(c.version, a.updated_at, w);
  w.Key("busy_flag").Bool(false);
  if (c.v1()) {
    const User* owner = c.lookups.UserOf(a.owner_id);
    const Person* person = a.person_id ? c.lookups.PersonOf(*a.person_id) : nullptr;
    const Organization* org = a.org_id ? c.lookups.OrgOf(*a.org_id) : nullptr;
    w.Key("active_flag").Bool(true).Key("company_id").Int(1);
    w.Key("owner_name").String(owner ? owner->name : "");
    w.Key("person_name");
    person ? w.String(person->name) : w.Null();
    w.Key("org_name");
    org ? w.String(org->name) : w.Null();
  } else {
    w.Key("is_deleted").Bool(false);
    w.Key("participants").BeginArray();
    if (a.person_id) {
      w.BeginObject().Key("person_id").Int(*a.person_id).Key("primary").Bool(true).EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
}

// "HH:MM" → minutes; `what` for the error.
Result<std::optional<int32_t>> ReadHoursMinutes(const PdBody& b, std::string_view name,
                                                int32_t max_minutes) {
  PD_ASSIGN_OR_RETURN(std::optional<std::string> text, b.Text(name));
  if (!text || text->empty()) return std::optional<int32_t>();
  std::optional<TimeOfDay> t = ParseTimeOfDay(*text);
  if (!t || t->minutes > max_minutes) {
    return Status::Invalid(std::string(name), "must be a time as HH:MM");
  }
  return std::optional<int32_t>(t->minutes);
}

Result<ActivityPatch> ReadActivity(const PdContext& c, bool create) {
  PD_ASSIGN_OR_RETURN(PdBody b, PdBody::Parse(c.body));
  ActivityPatch a;
  PD_ASSIGN_OR_RETURN(a.subject, b.Text("subject"));
  if (create && (!a.subject || TrimSpaces(*a.subject).empty())) {
    return Status::Invalid("subject", "an activity needs a subject");
  }
  PD_ASSIGN_OR_RETURN(std::optional<std::string> type, b.Text("type"));
  if (type) {
    std::optional<ActivityType> parsed = ParseActivityType(*type);
    if (!parsed) {
      return Status::Invalid("type", "must be one of: call, meeting, email, task, deadline");
    }
    a.type = *parsed;
  }
  PD_ASSIGN_OR_RETURN(a.due_date, b.DateOf("due_date"));
  PD_ASSIGN_OR_RETURN(std::optional<int32_t> due_time,
                      ReadHoursMinutes(b, "due_time", 24 * 60 - 1));
  if (due_time) a.due_time = Clearable<TimeOfDay>(TimeOfDay{*due_time});
  if (b.IsNull("due_time")) a.due_time.emplace();  // engaged, empty: clear
  PD_ASSIGN_OR_RETURN(std::optional<int32_t> duration,
                      ReadHoursMinutes(b, "duration", 24 * 60 - 1));
  if (duration) a.duration_minutes = *duration;
  PD_ASSIGN_OR_RETURN(a.done, b.Bool("done"));
  PD_ASSIGN_OR_RETURN(a.owner_id, b.IdOf(c.v1() ? "user_id" : "owner_id"));
  if (create && !a.owner_id) a.owner_id = c.actor.id;
  PD_ASSIGN_OR_RETURN(a.note, b.Text("note"));
  for (auto [field, target] :
       {std::pair{"deal_id", &a.deal_id}, std::pair{"person_id", &a.person_id},
        std::pair{"org_id", &a.org_id}}) {
    PD_ASSIGN_OR_RETURN(std::optional<Id> id, b.IdOf(field));
    if (id) *target = Clearable<Id>(*id);
    if (b.IsNull(field)) target->emplace();  // engaged, empty: clear
  }
  // v2 names the person through its primary participant.
  if (const boost::json::value* participants = b.object().if_contains("participants");
      !c.v1() && participants && participants->is_array()) {
    for (const boost::json::value& p : participants->as_array()) {
      const boost::json::object* o = p.if_object();
      if (!o || !o->contains("person_id") || !o->at("person_id").is_int64() ||
          o->at("person_id").as_int64() <= 0) {
        return Status::Invalid("participants", "each participant needs a person_id");
      }
      const boost::json::value* primary = o->if_contains("primary");
      if (!a.person_id || (primary && primary->is_bool() && primary->as_bool())) {
        a.person_id = Clearable<Id>(o->at("person_id").as_int64());
      }
    }
  }
  return a;
}

void WriteNote(PdContext& c, const Note& n, JsonText& w) {
  const User* author = c.lookups.UserOf(n.user_id);
  const Deal* deal = nullptr;
  std::optional<Deal> deal_record;
  if (n.deal_id) {
    Result<Deal> d = c.ws.GetDeal(*n.deal_id);
    if (d.ok()) deal_record = std::move(d).value();
    deal = deal_record ? &*deal_record : nullptr;
  }
  const Person* person = n.person_id ? c.lookups.PersonOf(*n.person_id) : nullptr;
  const Organization* org = n.org_id ? c.lookups.OrgOf(*n.org_id) : nullptr;
  w.BeginObject();
  w.Key("id").Int(n.id);
  w.Key("user_id").Int(n.user_id);
  w.Key("deal_id");
  n.deal_id ? w.Int(*n.deal_id) : w.Null();
  w.Key("person_id");
  n.person_id ? w.Int(*n.person_id) : w.Null();
  w.Key("org_id");
  n.org_id ? w.Int(*n.org_id) : w.Null();
  w.Key("lead_id").Null();
  w.Key("content").String(n.content);
  w.Key("add_time");
  WriteInstant(c.version, n.created_at, w);
  w.Key("update_time");
  WriteInstant(c.version, n.updated_at, w);
  w.Key("active_flag").Bool(true);
  w.Key("pinned_to_deal_flag").Bool(n.pinned && n.deal_id);
  w.Key("pinned_to_person_flag").Bool(n.pinned && n.person_id);
  w.Key("pinned_to_organization_flag").Bool(n.pinned && n.org_id);
  w.Key("last_update_user_id").Int(n.user_id);
  w.Key("user").BeginObject().Key("email").String(author ? author->email : "");
  w.Key("name").String(author ? author->name : "").Key("icon_url").Null();
  w.Key("is_you").Bool(n.user_id == c.actor.id).EndObject();
  w.Key("deal");
  deal ? (void)w.BeginObject().Key("title").String(deal->title).EndObject() : (void)w.Null();
  w.Key("person");
  person ? (void)w.BeginObject().Key("name").String(person->name).EndObject() : (void)w.Null();
  w.Key("organization");
  org ? (void)w.BeginObject().Key("name").String(org->name).EndObject() : (void)w.Null();
  w.EndObject();
}

Result<NotePatch> ReadNote(const PdContext& c, bool create) {
  PD_ASSIGN_OR_RETURN(PdBody b, PdBody::Parse(c.body));
  NotePatch n;
  PD_ASSIGN_OR_RETURN(n.content, b.Text("content"));
  if (create && (!n.content || TrimSpaces(*n.content).empty())) {
    return Status::Invalid("content", "a note needs content");
  }
  for (auto [field, target] :
       {std::pair{"deal_id", &n.deal_id}, std::pair{"person_id", &n.person_id},
        std::pair{"org_id", &n.org_id}}) {
    PD_ASSIGN_OR_RETURN(std::optional<Id> id, b.IdOf(field));
    if (id) *target = Clearable<Id>(*id);
  }
  if (create && !n.deal_id && !n.person_id && !n.org_id) {
    return Status::Invalid("deal_id", "a note belongs to a deal, a person or an organization");
  }
  bool any_pin = false, pinned = false;
  for (const char* flag :
       {"pinned_to_deal_flag", "pinned_to_person_flag", "pinned_to_organization_flag"}) {
    PD_ASSIGN_OR_RETURN(std::optional<bool> pin, b.Bool(flag));
    if (pin) {
      any_pin = true;
      pinned |= *pin;
    }
  }
  if (any_pin) n.pinned = pinned;
  return n;
}

}  // namespace

Result<PdReply> ListPersons(PdContext& c) {
  ListQuery q;
  PD_RETURN_IF_ERROR(ReadOwnerFilter(c, q));
  PD_ASSIGN_OR_RETURN(q.org_id, c.query.IdOf("org_id"));
  PD_ASSIGN_OR_RETURN(auto sort, ReadSort(c));
  q.sort = sort.first;
  q.descending = sort.second;
  return ListReply<Person>(
      c, q, [&](const ListQuery& q) { return c.ws.ListPersons(q); }, WritePerson);
}

Result<PdReply> GetPerson(PdContext& c) { return GetRecord<&Workspace::GetPerson>(c, WritePerson); }

Result<PdReply> AddPerson(PdContext& c) {
  return AddRecord<&Workspace::CreatePerson>(c, ReadPerson, WritePerson);
}

Result<PdReply> UpdatePerson(PdContext& c) {
  return UpdateRecord<&Workspace::UpdatePerson>(c, ReadPerson, WritePerson);
}

Result<PdReply> DeletePerson(PdContext& c) { return DeleteRecord<&Workspace::DeletePerson>(c); }

Result<PdReply> ListOrganizations(PdContext& c) {
  ListQuery q;
  PD_RETURN_IF_ERROR(ReadOwnerFilter(c, q));
  PD_ASSIGN_OR_RETURN(auto sort, ReadSort(c));
  q.sort = sort.first;
  q.descending = sort.second;
  return ListReply<Organization>(
      c, q, [&](const ListQuery& q) { return c.ws.ListOrganizations(q); }, WriteOrganization);
}

Result<PdReply> GetOrganization(PdContext& c) {
  return GetRecord<&Workspace::GetOrganization>(c, WriteOrganization);
}

Result<PdReply> AddOrganization(PdContext& c) {
  return AddRecord<&Workspace::CreateOrganization>(c, ReadOrganization, WriteOrganization);
}

Result<PdReply> UpdateOrganization(PdContext& c) {
  return UpdateRecord<&Workspace::UpdateOrganization>(c, ReadOrganization, WriteOrganization);
}

Result<PdReply> DeleteOrganization(PdContext& c) {
  return DeleteRecord<&Workspace::DeleteOrganization>(c);
}

Result<PdReply> ListActivities(PdContext& c) {
  ListQuery q;
  PD_RETURN_IF_ERROR(ReadOwnerFilter(c, q));
  PD_ASSIGN_OR_RETURN(q.deal_id, c.query.IdOf("deal_id"));
  PD_ASSIGN_OR_RETURN(q.person_id, c.query.IdOf("person_id"));
  PD_ASSIGN_OR_RETURN(q.org_id, c.query.IdOf("org_id"));
  if (c.query.Get("done")) {
    PD_ASSIGN_OR_RETURN(bool done, c.query.Flag("done"));
    q.done = done;
  }
  for (auto [name, target] :
       {std::pair{"start_date", &q.due_from}, std::pair{"end_date", &q.due_to}}) {
    if (std::optional<std::string_view> text = c.query.Get(name)) {
      std::optional<Date> d = ParseDate(*text);
      if (!d) return Status::Invalid(name, std::string(name) + " must be a date as YYYY-MM-DD");
      *target = *d;
    }
  }
  if (std::optional<std::string_view> type = c.query.Get("type")) {
    return Status::Invalid("type",
                           "activities are listed by owner, deal, person, organization, "
                           "done and dates; filter the type on the answer");
  }
  PD_ASSIGN_OR_RETURN(auto sort, ReadSort(c));
  q.sort = sort.first;
  q.descending = sort.second;
  return ListReply<Activity>(
      c, q, [&](const ListQuery& q) { return c.ws.ListActivities(q); }, WriteActivity);
}

Result<PdReply> GetActivity(PdContext& c) {
  return GetRecord<&Workspace::GetActivity>(c, WriteActivity);
}

Result<PdReply> AddActivity(PdContext& c) {
  return AddRecord<&Workspace::CreateActivity>(c, ReadActivity, WriteActivity);
}

Result<PdReply> UpdateActivity(PdContext& c) {
  return UpdateRecord<&Workspace::UpdateActivity>(c, ReadActivity, WriteActivity);
}

Result<PdReply> DeleteActivity(PdContext& c) { return DeleteRecord<&Workspace::DeleteActivity>(c); }

Result<PdReply> ListNotes(PdContext& c) {
  PD_RETURN_IF_ERROR(RejectSavedFilters(c));
  ListQuery q;
  PD_ASSIGN_OR_RETURN(q.user_id, c.query.IdOf("user_id"));
  PD_ASSIGN_OR_RETURN(q.deal_id, c.query.IdOf("deal_id"));
  PD_ASSIGN_OR_RETURN(q.person_id, c.query.IdOf("person_id"));
  PD_ASSIGN_OR_RETURN(q.org_id, c.query.IdOf("org_id"));
  PD_ASSIGN_OR_RETURN(auto sort, ReadSort(c));
  q.sort = sort.first;
  q.descending = sort.second;
  return ListReply<Note>(
      c, q, [&](const ListQuery& q) { return c.ws.ListNotes(q); }, WriteNote);
}

Result<PdReply> GetNote(PdContext& c) { return GetRecord<&Workspace::GetNote>(c, WriteNote); }

Result<PdReply> AddNote(PdContext& c) {
  return AddRecord<&Workspace::CreateNote>(c, ReadNote, WriteNote);
}

Result<PdReply> UpdateNote(PdContext& c) {
  return UpdateRecord<&Workspace::UpdateNote>(c, ReadNote, WriteNote);
}

Result<PdReply> DeleteNote(PdContext& c) {
  PD_RETURN_IF_ERROR(c.ws.DeleteNote(c.actor, c.id(), std::nullopt));
  return Envelope([](JsonText& w) { w.Bool(true); });
}

}  // namespace pipedeck::pipedrive
