// Field rules for each record, checked after a create or a patch has been applied and before
// anything is stored. Each returns the first broken rule as Status::Invalid naming the field.
// Referential rules (does stage 9 exist, is it in this pipeline) need the store and are checked
// by the workspace; the pure part of them lives in deal_rules.h.
#pragma once

#include <string_view>

#include "core/model.h"
#include "core/status.h"

namespace pipedeck {

// A required single-line text: not blank after trimming, at most kMaxTitleLength bytes, valid
// UTF-8.
Status ValidateTitle(std::string_view field, std::string_view value);
// An optional long text: at most kMaxTextLength bytes, valid UTF-8.
Status ValidateText(std::string_view field, std::string_view value);
bool IsValidUtf8(std::string_view s);
// Rough shape check of an email address: one '@', non-empty local part, a dot in the domain.
bool LooksLikeEmail(std::string_view s);

Status ValidateUser(const User& u);
Status ValidatePipeline(const Pipeline& p);
Status ValidateStage(const Stage& s);
Status ValidateOrganization(const Organization& o);
Status ValidatePerson(const Person& p);
Status ValidateDeal(const Deal& d);
Status ValidateLostReason(const LostReason& r);
Status ValidateActivity(const Activity& a);
Status ValidateNote(const Note& n);

// Applies a patch to a copy of the record (no validation; call Validate* on the result).
User Apply(User u, const UserPatch& p);
Pipeline Apply(Pipeline x, const PipelinePatch& p);
Stage Apply(Stage s, const StagePatch& p);
Organization Apply(Organization o, const OrganizationPatch& p);
Person Apply(Person x, const PersonPatch& p);
// Applies the editable fields only; pipeline_id/stage_id are left to MoveDeal.
Deal Apply(Deal d, const DealPatch& p);
LostReason Apply(LostReason r, const LostReasonPatch& p);
// Sets or clears done_at when `done` changes, using `now`.
Activity Apply(Activity a, const ActivityPatch& p, Timestamp now);
Note Apply(Note n, const NotePatch& p);

}  // namespace pipedeck
