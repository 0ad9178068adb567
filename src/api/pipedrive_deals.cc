#include <map>
#include <string>
#include <utility>

#include "api/pipedrive_handlers.h"
#include "api/request_parts.h"
#include "core/deal_rules.h"
#include "core/money.h"
#include "core/text.h"
#include "core/time.h"

namespace pipedeck::pipedrive {

namespace {

void WriteUser(const PdContext& c, const User& u, const std::string& currency, JsonText& w) {
  const ApiVersion v = c.version;
  w.BeginObject();
  w.Key("id").Int(u.id);
  w.Key("name").String(u.name);
  w.Key("default_currency").String(currency);
  w.Key("locale").String("en_US");
  w.Key("lang").Int(1);
  w.Key("email").String(u.email);
  w.Key("phone").Null();
  w.Key("activated").Bool(u.active);
  w.Key("last_login").Null();
  w.Key("created");
  WriteInstant(v, u.created_at, w);
  w.Key("modified");
  WriteInstant(v, u.updated_at, w);
  w.Key("has_created_company").Bool(false);
  w.Key("active_flag").Bool(u.active);
  w.Key("timezone_name").String("UTC");
  w.Key("timezone_offset").String("+00:00");
  w.Key("role_id").Int(u.role == Role::kAdmin ? 1 : 2);
  w.Key("icon_url").Null();
  w.Key("is_you").Bool(u.id == c.actor.id);
  w.Key("is_admin").Int(u.role == Role::kAdmin ? 1 : 0);
  w.Key("company_id").Int(1);
  w.Key("company_name").String("Pipedeck");
  w.Key("company_domain").String("");
  w.Key("language").BeginObject().Key("language_code").String("en");
  w.Key("country_code").String("US").EndObject();
  w.EndObject();
}

void WritePipeline(const PdContext& c, const Pipeline& p, JsonText& w) {
  w.BeginObject();
  w.Key("id").Int(p.id);
  w.Key("name").String(p.name);
  w.Key("order_nr").Int(p.order + 1);
  if (c.v1()) {
    w.Key("url_title").String(p.name);
    w.Key("active").Bool(p.active);
    w.Key("deal_probability").Bool(true);
    w.Key("selected").Bool(false);
  } else {
    w.Key("is_deleted").Bool(false);
    w.Key("is_deal_probability_enabled").Bool(true);
    w.Key("is_selected").Bool(false);
  }
  w.Key("add_time");
  WriteInstant(c.version, p.created_at, w);
  w.Key("update_time");
  WriteInstant(c.version, p.updated_at, w);
  w.EndObject();
}

void WriteStage(PdContext& c, const Stage& s, JsonText& w) {
  w.BeginObject();
  w.Key("id").Int(s.id);
  w.Key("order_nr").Int(s.order + 1);
  w.Key("name").String(s.name);
  w.Key("deal_probability").Int(s.probability);
  w.Key("pipeline_id").Int(s.pipeline_id);
  if (c.v1()) {
    w.Key("active_flag").Bool(true);
    w.Key("rotten_flag").Bool(s.rotting_days.has_value());
    w.Key("rotten_days");
    if (s.rotting_days) {
      w.Int(*s.rotting_days);
    } else {
      w.Null();
    }
    const Pipeline* p = c.lookups.PipelineOf(s.pipeline_id);
    w.Key("pipeline_name").String(p ? p->name : "");
    w.Key("pipeline_deal_probability").Bool(true);
  } else {
    w.Key("is_deleted").Bool(false);
    w.Key("is_deal_rot_enabled").Bool(s.rotting_days.has_value());
    w.Key("days_to_rotten");
    if (s.rotting_days) {
      w.Int(*s.rotting_days);
    } else {
      w.Null();
    }
  }
  w.Key("add_time");
  WriteInstant(c.version, s.created_at, w);
  w.Key("update_time");
  WriteInstant(c.version, s.updated_at, w);
  w.EndObject();
}

void WriteDeal(PdContext& c, const Deal& d, JsonText& w) {
  const ApiVersion v = c.version;
  const Stage* stage = c.lookups.StageOf(d.stage_id);
  const Person* person = d.person_id ? c.lookups.PersonOf(*d.person_id) : nullptr;
  const Organization* org = d.org_id ? c.lookups.OrgOf(*d.org_id) : nullptr;
  const User* owner = c.lookups.UserOf(d.owner_id);
  const int32_t percent =
      stage ? EffectiveProbability(d, *stage) : d.probability_override.value_or(0);
  const int64_t weighted = ApplyPercent(d.value.amount_minor, percent);
  const std::optional<Timestamp> won_time =
      d.status == DealStatus::kWon ? d.closed_at : std::optional<Timestamp>();
  const std::optional<Timestamp> lost_time =
      d.status == DealStatus::kLost ? d.closed_at : std::optional<Timestamp>();

  w.BeginObject();
  w.Key("id").Int(d.id);
  w.Key("title").String(d.title);
  // Pipedeck does not keep who created a deal apart from its history; the owner stands in.
  if (c.v1()) {
    w.Key("creator_user_id");
    WriteV1UserRef(d.owner_id, c.lookups, w);
    w.Key("user_id");
    WriteV1UserRef(d.owner_id, c.lookups, w);
    w.Key("person_id");
    if (person) {
      w.BeginObject().Key("active_flag").Bool(true).Key("name").String(person->name);
      w.Key("email");
      WriteContactPoints(person->emails, w);
      w.Key("phone");
      WriteContactPoints(person->phones, w);
      w.Key("owner_id").Int(person->owner_id).Key("value").Int(person->id).EndObject();
    } else {
      w.Null();
    }
    w.Key("org_id");
    if (org) {
      const User* org_owner = c.lookups.UserOf(org->owner_id);
      w.BeginObject().Key("name").String(org->name).Key("people_count").Int(0);
      w.Key("owner_id").Int(org->owner_id).Key("address").String(org->address);
      w.Key("active_flag").Bool(true).Key("cc_email").String("");
      w.Key("owner_name").String(org_owner ? org_owner->name : "");
      w.Key("value").Int(org->id).EndObject();
    } else {
      w.Null();
    }
  } else {
    w.Key("creator_user_id").Int(d.owner_id);
    w.Key("owner_id").Int(d.owner_id);
    w.Key("person_id");
    d.person_id ? w.Int(*d.person_id) : w.Null();
    w.Key("org_id");
    d.org_id ? w.Int(*d.org_id) : w.Null();
  }
  w.Key("stage_id").Int(d.stage_id);
  w.Key("pipeline_id").Int(d.pipeline_id);
  w.Key("value");
  WriteAmount(d.value.amount_minor, d.value.currency, w);
  w.Key("currency").String(d.value.currency);
  w.Key("add_time");
  WriteInstant(v, d.created_at, w);
  w.Key("update_time");
  WriteInstant(v, d.updated_at, w);
  w.Key("stage_change_time");
  WriteInstant(v, d.stage_changed_at, w);
  w.Key("status").String(StatusName(d.status));
  w.Key("probability");
  d.probability_override ? w.Int(*d.probability_override) : w.Null();
  w.Key("lost_reason");
  d.status == DealStatus::kLost ? w.String(d.lost_reason) : w.Null();
  w.Key("close_time");
  WriteInstant(v, d.closed_at, w);
  w.Key("won_time");
  WriteInstant(v, won_time, w);
  w.Key("lost_time");
  WriteInstant(v, lost_time, w);
  w.Key("expected_close_date");
  WriteDate(d.expected_close_date, w);
  w.Key("next_activity_date");
  WriteDate(d.next_activity_date, w);
  w.Key("last_activity_date");
  WriteDate(d.last_activity_at ? std::optional<Date>(DateOf(*d.last_activity_at)) : std::nullopt,
            w);
  w.Key("is_archived").Bool(false);
  w.Key("archive_time").Null();
  w.Key("origin").String("API");
  w.Key("channel");
  d.source.empty() ? w.Null() : w.String(d.source);
  if (c.v1()) {
    w.Key("active").Bool(d.status == DealStatus::kOpen);
    w.Key("deleted").Bool(false);
    w.Key("visible_to").String("3");
    w.Key("first_won_time");
    WriteInstant(v, won_time, w);
    w.Key("stage_order_nr").Int(stage ? stage->order + 1 : 0);
    w.Key("person_name");
    person ? w.String(person->name) : w.Null();
    w.Key("org_name");
    org ? w.String(org->name) : w.Null();
    w.Key("owner_name").String(owner ? owner->name : "");
    w.Key("formatted_value").String(FormattedAmount(d.value.amount_minor, d.value.currency));
    w.Key("weighted_value");
    WriteAmount(weighted, d.value.currency, w);
    w.Key("formatted_weighted_value").String(FormattedAmount(weighted, d.value.currency));
    w.Key("weighted_value_currency").String(d.value.currency);
    w.Key("rotten_time").Null();
    w.Key("cc_email").String("");
    w.Key("org_hidden").Bool(false);
    w.Key("person_hidden").Bool(false);
    w.Key("label").Null();
    w.Key("local_won_date");
    WriteDate(won_time ? std::optional<Date>(DateOf(*won_time)) : std::nullopt, w);
    w.Key("local_lost_date");
    WriteDate(lost_time ? std::optional<Date>(DateOf(*lost_time)) : std::nullopt, w);
    w.Key("local_close_date");
    WriteDate(d.closed_at ? std::optional<Date>(DateOf(*d.closed_at)) : std::nullopt, w);
  } else {
    w.Key("is_deleted").Bool(false);
    w.Key("visible_to").Int(3);
    w.Key("label_ids").BeginArray().EndArray();
  }
  w.EndObject();
}

// The fields of a deal body: v1 names the owner `user_id`, v2 `owner_id`; `status` with
// `lost_reason` becomes a status change. Values are in major units of the deal's currency
// (`currency_of_deal` for an update that does not name one).
struct DealInput {
  DealPatch patch;
  std::optional<DealStatusChange> status;
};

Result<DealInput> ReadDeal(const PdContext& c, bool create, const std::string& currency_of_deal) {
  PD_ASSIGN_OR_RETURN(PdBody b, PdBody::Parse(c.body));
  DealInput in;
  DealPatch& p = in.patch;
  PD_ASSIGN_OR_RETURN(p.title, b.Text("title"));
  if (create && (!p.title || TrimSpaces(*p.title).empty())) {
    return Status::Invalid("title", "a deal needs a title");
  }
  PD_ASSIGN_OR_RETURN(p.currency, b.Text("currency"));
  PD_ASSIGN_OR_RETURN(std::optional<double> value, b.Number("value"));
  if (value) {
    const std::string currency = p.currency.value_or(currency_of_deal);
    PD_ASSIGN_OR_RETURN(int64_t minor, ToMinor(*value, currency, "value"));
    p.value_minor = minor;
  }
  const std::string_view owner_field = c.v1() ? "user_id" : "owner_id";
  PD_ASSIGN_OR_RETURN(p.owner_id, b.IdOf(owner_field));
  PD_ASSIGN_OR_RETURN(p.stage_id, b.IdOf("stage_id"));
  PD_ASSIGN_OR_RETURN(p.pipeline_id, b.IdOf("pipeline_id"));
  // null unlinks the person, the organization, the expected close date and the probability.
  PD_ASSIGN_OR_RETURN(std::optional<Id> person, b.IdOf("person_id"));
  if (person) p.person_id = Clearable<Id>(*person);
  if (b.IsNull("person_id")) p.person_id.emplace();  // engaged, empty: clear
  PD_ASSIGN_OR_RETURN(std::optional<Id> org, b.IdOf("org_id"));
  if (org) p.org_id = Clearable<Id>(*org);
  if (b.IsNull("org_id")) p.org_id.emplace();  // engaged, empty: clear
  PD_ASSIGN_OR_RETURN(std::optional<Date> expected, b.DateOf("expected_close_date"));
  if (expected) p.expected_close_date = Clearable<Date>(*expected);
  if (b.IsNull("expected_close_date")) p.expected_close_date.emplace();  // engaged, empty: clear
  PD_ASSIGN_OR_RETURN(std::optional<int64_t> probability, b.Integer("probability", 0, 100));
  if (probability) p.probability_override = Clearable<int32_t>(static_cast<int32_t>(*probability));
  if (b.IsNull("probability")) p.probability_override.emplace();  // engaged, empty: clear

  PD_ASSIGN_OR_RETURN(std::optional<std::string> status, b.Text("status"));
  PD_ASSIGN_OR_RETURN(std::optional<std::string> lost_reason, b.Text("lost_reason"));
  if (status) {
    DealStatusChange change;
    if (*status == "open") {
      change.status = DealStatus::kOpen;
    } else if (*status == "won") {
      change.status = DealStatus::kWon;
    } else if (*status == "lost") {
      change.status = DealStatus::kLost;
      change.lost_reason = lost_reason.value_or("");
      if (TrimSpaces(change.lost_reason).empty()) {
        return Status::Invalid("lost_reason", "a lost deal needs a lost_reason");
      }
    } else if (*status == "deleted") {
      return Status::Invalid("status", "delete a deal with DELETE, not by its status");
    } else {
      return Status::Invalid("status", "must be one of: open, won, lost");
    }
    in.status = std::move(change);
  } else if (lost_reason) {
    return Status::Invalid("lost_reason", "is only taken with status lost");
  }
  return in;
}

Result<PipelinePatch> ReadPipeline(const PdContext& c, bool create) {
  PD_ASSIGN_OR_RETURN(PdBody b, PdBody::Parse(c.body));
  PipelinePatch p;
  PD_ASSIGN_OR_RETURN(p.name, b.Text("name"));
  if (create && (!p.name || TrimSpaces(*p.name).empty())) {
    return Status::Invalid("name", "a pipeline needs a name");
  }
  PD_ASSIGN_OR_RETURN(std::optional<int64_t> order, b.Integer("order_nr", 1, 100000));
  if (order) p.order = static_cast<int32_t>(*order - 1);
  return p;
}

Result<StagePatch> ReadStage(const PdContext& c, bool create, std::optional<Id>* pipeline_id) {
  PD_ASSIGN_OR_RETURN(PdBody b, PdBody::Parse(c.body));
  StagePatch s;
  PD_ASSIGN_OR_RETURN(s.name, b.Text("name"));
  if (create && (!s.name || TrimSpaces(*s.name).empty())) {
    return Status::Invalid("name", "a stage needs a name");
  }
  PD_ASSIGN_OR_RETURN(*pipeline_id, b.IdOf("pipeline_id"));
  if (create && !*pipeline_id) return Status::Invalid("pipeline_id", "a stage needs a pipeline_id");
  PD_ASSIGN_OR_RETURN(std::optional<int64_t> probability, b.Integer("deal_probability", 0, 100));
  if (probability) s.probability = static_cast<int32_t>(*probability);
  PD_ASSIGN_OR_RETURN(std::optional<int64_t> order, b.Integer("order_nr", 1, 100000));
  if (order) s.order = static_cast<int32_t>(*order - 1);
  const std::string_view rot_field = c.v1() ? "rotten_days" : "days_to_rotten";
  PD_ASSIGN_OR_RETURN(std::optional<int64_t> rot, b.Integer(rot_field, 1, 3650));
  if (rot) s.rotting_days = Clearable<int32_t>(static_cast<int32_t>(*rot));
  if (b.IsNull(rot_field)) s.rotting_days.emplace();  // engaged, empty: clear
  // Switching rotting off clears the days; switching it on takes effect with the days.
  const std::string_view rot_flag = c.v1() ? "rotten_flag" : "is_deal_rot_enabled";
  PD_ASSIGN_OR_RETURN(std::optional<bool> rotting, b.Bool(rot_flag));
  if (rotting == false) s.rotting_days.emplace();  // engaged, empty: clear
  return s;
}

Result<PdReply> ListDealsWith(PdContext& c, ListQuery q) {
  return ListReply<Deal>(
      c, q, [&](const ListQuery& q) { return c.ws.ListDeals(q); }, WriteDeal);
}

// v1 GET /stages/{id}/deals and /pipelines/{id}/deals: open deals, of the caller unless
// `user_id` names another owner or `everyone=1`.
Result<PdReply> OpenDealsOf(PdContext& c, ListQuery q) {
  PD_RETURN_IF_ERROR(RejectSavedFilters(c));
  q.status = DealStatus::kOpen;
  PD_ASSIGN_OR_RETURN(bool everyone, c.query.Flag("everyone"));
  PD_ASSIGN_OR_RETURN(std::optional<Id> user, c.query.IdOf("user_id"));
  if (!everyone) q.owner_id = user.value_or(c.actor.id);
  return ListDealsWith(c, q);
}

}  // namespace

Result<PdReply> GetMe(PdContext& c) {
  PD_ASSIGN_OR_RETURN(WorkspaceSettings settings, c.ws.Settings());
  return Envelope([&](JsonText& w) { WriteUser(c, c.actor, settings.default_currency, w); });
}

Result<PdReply> ListUsers(PdContext& c) {
  PD_ASSIGN_OR_RETURN(WorkspaceSettings settings, c.ws.Settings());
  std::vector<User> users;
  ListQuery q;
  q.limit = static_cast<int>(kMaxLimit);
  while (true) {
    PD_ASSIGN_OR_RETURN(Page<User> page, c.ws.ListUsers(q));
    for (User& u : page.items) users.push_back(std::move(u));
    if (page.next_cursor.empty()) break;
    q.cursor = page.next_cursor;
  }
  return Envelope([&](JsonText& w) {
    w.BeginArray();
    for (const User& u : users) WriteUser(c, u, settings.default_currency, w);
    w.EndArray();
  });
}

Result<PdReply> GetUser(PdContext& c) {
  PD_ASSIGN_OR_RETURN(WorkspaceSettings settings, c.ws.Settings());
  PD_ASSIGN_OR_RETURN(User u, c.ws.GetUser(c.id()));
  return Envelope([&](JsonText& w) { WriteUser(c, u, settings.default_currency, w); });
}

Result<PdReply> ListPipelines(PdContext& c) {
  ListQuery q;
  q.sort = SortField::kPosition;
  return ListReply<Pipeline>(
      c, q, [&](const ListQuery& q) { return c.ws.ListPipelines(q); }, WritePipeline);
}

Result<PdReply> GetPipeline(PdContext& c) {
  return GetRecord<&Workspace::GetPipeline>(c, WritePipeline);
}

Result<PdReply> AddPipeline(PdContext& c) {
  PD_ASSIGN_OR_RETURN(PipelinePatch patch, ReadPipeline(c, true));
  PD_ASSIGN_OR_RETURN(Pipeline p, c.ws.CreatePipeline(c.actor, patch, ""));
  return Envelope([&](JsonText& w) { WritePipeline(c, p, w); }, 201);
}

Result<PdReply> UpdatePipeline(PdContext& c) {
  return UpdateRecord<&Workspace::UpdatePipeline>(c, ReadPipeline, WritePipeline);
}

Result<PdReply> DeletePipeline(PdContext& c) { return DeleteRecord<&Workspace::DeletePipeline>(c); }

Result<PdReply> ListStages(PdContext& c) {
  ListQuery q;
  PD_ASSIGN_OR_RETURN(q.pipeline_id, c.query.IdOf("pipeline_id"));
  if (q.pipeline_id) PD_RETURN_IF_ERROR(c.ws.GetPipeline(*q.pipeline_id).status());
  q.sort = SortField::kPosition;
  return ListReply<Stage>(
      c, q, [&](const ListQuery& q) { return c.ws.ListStages(q); }, WriteStage);
}

Result<PdReply> GetStage(PdContext& c) { return GetRecord<&Workspace::GetStage>(c, WriteStage); }

Result<PdReply> AddStage(PdContext& c) {
  std::optional<Id> pipeline_id;
  PD_ASSIGN_OR_RETURN(StagePatch patch, ReadStage(c, true, &pipeline_id));
  PD_ASSIGN_OR_RETURN(Stage s, c.ws.CreateStage(c.actor, *pipeline_id, patch));
  return Envelope([&](JsonText& w) { WriteStage(c, s, w); }, 201);
}

Result<PdReply> UpdateStage(PdContext& c) {
  std::optional<Id> pipeline_id;
  PD_ASSIGN_OR_RETURN(StagePatch patch, ReadStage(c, false, &pipeline_id));
  if (pipeline_id) {
    PD_ASSIGN_OR_RETURN(Stage current, c.ws.GetStage(c.id()));
    if (*pipeline_id != current.pipeline_id) {
      return Status::Invalid("pipeline_id", "a stage stays in its pipeline");
    }
  }
  PD_ASSIGN_OR_RETURN(Stage s, c.ws.UpdateStage(c.actor, c.id(), patch, std::nullopt));
  return Envelope([&](JsonText& w) { WriteStage(c, s, w); });
}

Result<PdReply> DeleteStage(PdContext& c) {
  PD_RETURN_IF_ERROR(c.ws.DeleteStage(c.actor, c.id(), std::nullopt, std::nullopt));
  return DeletedReply(c.id());
}

Result<PdReply> ListDeals(PdContext& c) {
  PD_RETURN_IF_ERROR(RejectSavedFilters(c));
  ListQuery q;
  PD_ASSIGN_OR_RETURN(bool any, ReadStatusFilter(c, q));
  PD_ASSIGN_OR_RETURN(q.stage_id, c.query.IdOf("stage_id"));
  if (c.v1()) {
    PD_ASSIGN_OR_RETURN(q.owner_id, c.query.IdOf("user_id"));
    PD_ASSIGN_OR_RETURN(bool mine, c.query.Flag("owned_by_you"));
    if (mine) q.owner_id = c.actor.id;
  } else {
    PD_ASSIGN_OR_RETURN(q.owner_id, c.query.IdOf("owner_id"));
    PD_ASSIGN_OR_RETURN(q.person_id, c.query.IdOf("person_id"));
    PD_ASSIGN_OR_RETURN(q.org_id, c.query.IdOf("org_id"));
    PD_ASSIGN_OR_RETURN(q.pipeline_id, c.query.IdOf("pipeline_id"));
    if (std::optional<std::string_view> since = c.query.Get("updated_since")) {
      std::optional<Timestamp> t = ParseTimestamp(*since);
      if (!t) return Status::Invalid("updated_since", "must be an RFC 3339 instant");
      q.updated_since = *t;
    }
    if (c.query.Get("ids")) {
      return Status::Invalid("ids",
                             "list the deals by owner, stage, pipeline or status, or get "
                             "each by id");
    }
  }
  PD_ASSIGN_OR_RETURN(auto sort, ReadSort(c));
  q.sort = sort.first;
  q.descending = sort.second;
  if (!any) return EmptyList(c);
  return ListDealsWith(c, q);
}

Result<PdReply> StageDeals(PdContext& c) {
  PD_RETURN_IF_ERROR(c.ws.GetStage(c.id()).status());
  ListQuery q;
  q.stage_id = c.id();
  return OpenDealsOf(c, q);
}

Result<PdReply> PipelineDeals(PdContext& c) {
  PD_RETURN_IF_ERROR(c.ws.GetPipeline(c.id()).status());
  ListQuery q;
  q.pipeline_id = c.id();
  PD_ASSIGN_OR_RETURN(q.stage_id, c.query.IdOf("stage_id"));
  return OpenDealsOf(c, q);
}

Result<PdReply> GetDeal(PdContext& c) { return GetRecord<&Workspace::GetDeal>(c, WriteDeal); }

Result<PdReply> AddDeal(PdContext& c) {
  PD_ASSIGN_OR_RETURN(WorkspaceSettings settings, c.ws.Settings());
  PD_ASSIGN_OR_RETURN(DealInput in, ReadDeal(c, true, settings.default_currency));
  if (!in.patch.currency) in.patch.currency = settings.default_currency;
  if (!in.patch.value_minor) in.patch.value_minor = 0;
  if (!in.patch.owner_id) in.patch.owner_id = c.actor.id;
  // A deal created won or lost: its history shows the creation and the close, as Pipedrive's does.
  PD_ASSIGN_OR_RETURN(Deal d, c.ws.CreateDealWithStatus(c.actor, in.patch, in.status));
  return Envelope([&](JsonText& w) { WriteDeal(c, d, w); }, 201);
}

Result<PdReply> UpdateDeal(PdContext& c) {
  PD_ASSIGN_OR_RETURN(Deal current, c.ws.GetDeal(c.id()));
  PD_ASSIGN_OR_RETURN(DealInput in, ReadDeal(c, false, current.value.currency));
  PD_ASSIGN_OR_RETURN(
      Deal d, c.ws.UpdateDealWithStatus(c.actor, c.id(), in.patch, in.status, std::nullopt));
  return Envelope([&](JsonText& w) { WriteDeal(c, d, w); });
}

Result<PdReply> DeleteDeal(PdContext& c) { return DeleteRecord<&Workspace::DeleteDeal>(c); }

// GET /deals/search?term=…: deals whose title contains the term (Pipedeck searches titles), in
// Pipedrive's search shape {items: [{result_score, item: {...}}]}.
Result<PdReply> SearchDeals(PdContext& c) {
  std::optional<std::string_view> term = c.query.Get("term");
  if (!term || TrimSpaces(*term).size() < 2) {
    return Status::Invalid("term", "search needs a term of at least 2 characters");
  }
  ListQuery q;
  q.text = std::string(TrimSpaces(*term));
  PD_ASSIGN_OR_RETURN(q.person_id, c.query.IdOf("person_id"));
  PD_ASSIGN_OR_RETURN(q.org_id, c.query.IdOf("organization_id"));
  PD_ASSIGN_OR_RETURN(bool any, ReadStatusFilter(c, q));
  PD_ASSIGN_OR_RETURN(bool exact, c.query.Flag("exact_match"));
  auto write_item = [exact, text = q.text](PdContext& c, const Deal& d, JsonText& w) {
    if (exact && FoldCase(d.title) != FoldCase(text)) return;
    const Stage* stage = c.lookups.StageOf(d.stage_id);
    const Person* person = d.person_id ? c.lookups.PersonOf(*d.person_id) : nullptr;
    const Organization* org = d.org_id ? c.lookups.OrgOf(*d.org_id) : nullptr;
    w.BeginObject().Key("result_score").Double(1.0).Key("item").BeginObject();
    w.Key("id").Int(d.id).Key("type").String("deal").Key("title").String(d.title);
    w.Key("value");
    WriteAmount(d.value.amount_minor, d.value.currency, w);
    w.Key("currency").String(d.value.currency).Key("status").String(StatusName(d.status));
    w.Key("visible_to").Int(3);
    w.Key("owner").BeginObject().Key("id").Int(d.owner_id).EndObject();
    w.Key("stage").BeginObject().Key("id").Int(d.stage_id);
    w.Key("name").String(stage ? stage->name : "").EndObject();
    w.Key("person");
    if (person) {
      w.BeginObject().Key("id").Int(person->id).Key("name").String(person->name).EndObject();
    } else {
      w.Null();
    }
    w.Key("organization");
    if (org) {
      w.BeginObject().Key("id").Int(org->id).Key("name").String(org->name).EndObject();
    } else {
      w.Null();
    }
    w.Key("custom_fields").BeginArray().EndArray().Key("notes").BeginArray().EndArray();
    w.EndObject().EndObject();
  };
  // Search results are one object {items: [...]}; the page is read as a list would be.
  PD_ASSIGN_OR_RETURN(PageRequest page, ReadPageRequest(c));
  std::vector<Deal> deals;
  bool more = false;
  std::string next_cursor;
  if (!any) {
    // status=deleted: Pipedeck keeps no deleted deals.
  } else if (c.v1()) {
    PD_ASSIGN_OR_RETURN(OffsetPage<Deal> found,
                        ReadOffset<Deal>([&](const ListQuery& q) { return c.ws.ListDeals(q); }, q,
                                         page.start, page.limit));
    deals = std::move(found.items);
    more = found.more;
  } else {
    q.limit = static_cast<int>(page.limit);
    q.cursor = page.cursor;
    PD_ASSIGN_OR_RETURN(Page<Deal> found, c.ws.ListDeals(q));
    deals = std::move(found.items);
    next_cursor = std::move(found.next_cursor);
  }
  return Envelope(
      [&](JsonText& w) {
        w.BeginObject().Key("items").BeginArray();
        for (const Deal& d : deals) write_item(c, d, w);
        w.EndArray().EndObject();
      },
      [&](JsonText& w) {
        w.BeginObject();
        if (c.v1()) {
          w.Key("pagination").BeginObject().Key("start").Int(page.start);
          w.Key("limit").Int(page.limit).Key("more_items_in_collection").Bool(more);
          if (more) w.Key("next_start").Int(page.start + page.limit);
          w.EndObject();
        } else {
          w.Key("next_cursor");
          next_cursor.empty() ? w.Null() : w.String(next_cursor);
        }
        w.EndObject();
      });
}

// GET /deals/summary: per currency, the count, total and weighted total of the deals the filters
// select (status, user_id, stage_id, pipeline_id). Converted totals are in the workspace currency
// for that currency's deals only: Pipedeck keeps no exchange rates.
Result<PdReply> DealsSummary(PdContext& c) {
  PD_RETURN_IF_ERROR(RejectSavedFilters(c));
  ListQuery q;
  PD_ASSIGN_OR_RETURN(bool any, ReadStatusFilter(c, q));
  PD_ASSIGN_OR_RETURN(q.owner_id, c.query.IdOf("user_id"));
  PD_ASSIGN_OR_RETURN(q.stage_id, c.query.IdOf("stage_id"));
  PD_ASSIGN_OR_RETURN(q.pipeline_id, c.query.IdOf("pipeline_id"));
  PD_ASSIGN_OR_RETURN(WorkspaceSettings settings, c.ws.Settings());
  struct Total {
    int64_t count = 0, value = 0, weighted = 0;
  };
  std::map<std::string, Total> totals;
  q.limit = static_cast<int>(kMaxLimit);
  while (any) {
    PD_ASSIGN_OR_RETURN(Page<Deal> page, c.ws.ListDeals(q));
    for (const Deal& d : page.items) {
      const Stage* stage = c.lookups.StageOf(d.stage_id);
      const int32_t percent =
          stage ? EffectiveProbability(d, *stage) : d.probability_override.value_or(0);
      Total& t = totals[d.value.currency];
      ++t.count;
      t.value += d.value.amount_minor;
      t.weighted += ApplyPercent(d.value.amount_minor, percent);
    }
    if (page.next_cursor.empty()) break;
    q.cursor = page.next_cursor;
  }
  const std::string& home = settings.default_currency;
  int64_t count = 0;
  const Total converted = totals.contains(home) ? totals[home] : Total();
  for (const auto& [currency, t] : totals) count += t.count;
  return Envelope([&](JsonText& w) {
    auto per_currency = [&](bool weighted) {
      w.BeginObject();
      for (const auto& [currency, t] : totals) {
        const int64_t amount = weighted ? t.weighted : t.value;
        w.Key(currency).BeginObject();
        w.Key("value");
        WriteAmount(amount, currency, w);
        w.Key("count").Int(t.count);
        w.Key("value_converted");
        WriteAmount(currency == home ? amount : 0, home, w);
        w.Key("value_formatted").String(FormattedAmount(amount, currency));
        w.Key("value_converted_formatted")
            .String(FormattedAmount(currency == home ? amount : 0, home));
        w.EndObject();
      }
      w.EndObject();
    };
    w.BeginObject();
    w.Key("values_total");
    per_currency(false);
    w.Key("weighted_values_total");
    per_currency(true);
    w.Key("total_count").Int(count);
    w.Key("total_currency_converted_value");
    WriteAmount(converted.value, home, w);
    w.Key("total_weighted_currency_converted_value");
    WriteAmount(converted.weighted, home, w);
    w.Key("total_currency_converted_value_formatted")
        .String(FormattedAmount(converted.value, home));
    w.Key("total_weighted_currency_converted_value_formatted")
        .String(FormattedAmount(converted.weighted, home));
    w.EndObject();
  });
}

}  // namespace pipedeck::pipedrive
