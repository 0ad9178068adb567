#include "core/validate.h"

#include <cctype>
#include <cmath>
#include <string>

namespace pipedeck {
namespace {

constexpr std::string_view kWhitespace = " \t\n\r\f\v";

bool IsBlank(std::string_view s) {
  return s.find_first_not_of(kWhitespace) == std::string_view::npos;
}

std::string TooLongMessage(size_t limit) {
  return "must be at most " + std::to_string(limit) + " characters";
}

std::string RangeMessage(int64_t low, int64_t high) {
  return "must be between " + std::to_string(low) + " and " + std::to_string(high);
}

// An optional single-line text (a label, a source): may be empty, else as for a title.
Status ValidateShortText(std::string_view field, std::string_view value) {
  if (value.size() > kMaxTitleLength)
    return Status::Invalid(std::string(field), TooLongMessage(kMaxTitleLength));
  if (!IsValidUtf8(value)) return Status::Invalid(std::string(field), "must be valid UTF-8 text");
  return Status::Ok();
}

Status ValidateOrder(int32_t order) {
  if (order < 0) return Status::Invalid("order", "must not be negative");
  return Status::Ok();
}

// The labels Pipedrive and its CSV exports use for emails and phones; empty means unlabelled.
bool IsContactLabel(std::string_view label) {
  return label.empty() || label == "work" || label == "home" || label == "mobile" ||
         label == "other";
}

// `list` is the wire name ("emails", "phones"); `noun` names one entry in messages.
Status ValidateContactPoints(const std::vector<ContactPoint>& points, std::string_view list,
                             std::string_view noun, bool emails) {
  if (points.size() > kMaxContactPoints) {
    return Status::Invalid(std::string(list),
                           "must hold at most " + std::to_string(kMaxContactPoints) + " entries");
  }
  bool seen_primary = false;
  for (size_t i = 0; i < points.size(); ++i) {
    const ContactPoint& p = points[i];
    const std::string prefix = std::string(list) + "[" + std::to_string(i) + "].";
    if (emails) {
      if (!LooksLikeEmail(p.value))
        return Status::Invalid(prefix + "value", "is not an email address");
      PD_RETURN_IF_ERROR(ValidateShortText(prefix + "value", p.value));
    } else {
      PD_RETURN_IF_ERROR(ValidateTitle(prefix + "value", p.value));
    }
    if (!IsContactLabel(p.label)) {
      return Status::Invalid(prefix + "label",
                             "must be one of \"work\", \"home\", \"mobile\", \"other\"");
    }
    if (p.primary) {
      if (seen_primary) {
        return Status::Invalid(prefix + "primary",
                               "only one " + std::string(noun) + " can be primary");
      }
      seen_primary = true;
    }
  }
  return Status::Ok();
}

std::string AsciiLower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;  // a continuation byte out of place, or 0xF8..0xFF
    }
    if (i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong encodings, UTF-16 surrogates and code points past U+10FFFF are not UTF-8.
    static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMinForLength[len] || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return false;
    i += len;
  }
  return true;
}

bool LooksLikeEmail(std::string_view s) {
  const size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  for (char c : s) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) return false;
  }
  const std::string_view domain = s.substr(at + 1);
  return domain.find('.') != std::string_view::npos && domain.front() != '.' &&
         domain.back() != '.' && domain.find("..") == std::string_view::npos;
}

Status ValidateTitle(std::string_view field, std::string_view value) {
  if (IsBlank(value)) return Status::Invalid(std::string(field), "must not be empty");
  return ValidateShortText(field, value);
}

Status ValidateText(std::string_view field, std::string_view value) {
  if (value.size() > kMaxTextLength)
    return Status::Invalid(std::string(field), TooLongMessage(kMaxTextLength));
  if (!IsValidUtf8(value)) return Status::Invalid(std::string(field), "must be valid UTF-8 text");
  return Status::Ok();
}

Status ValidateUser(const User& u) {
  PD_RETURN_IF_ERROR(ValidateTitle("name", u.name));
  PD_RETURN_IF_ERROR(ValidateTitle("email", u.email));
  if (!LooksLikeEmail(u.email)) return Status::Invalid("email", "is not an email address");
  if (u.email != AsciiLower(u.email)) return Status::Invalid("email", "must be lower case");
  return Status::Ok();
}

Status ValidatePipeline(const Pipeline& p) {
  PD_RETURN_IF_ERROR(ValidateTitle("name", p.name));
  return ValidateOrder(p.order);
}

Status ValidateStage(const Stage& s) {
  PD_RETURN_IF_ERROR(ValidateTitle("name", s.name));
  PD_RETURN_IF_ERROR(ValidateOrder(s.order));
  if (s.probability < 0 || s.probability > 100) {
    return Status::Invalid("probability", RangeMessage(0, 100));
  }
  if (s.rotting_days && (*s.rotting_days < 1 || *s.rotting_days > kMaxRottingDays)) {
    return Status::Invalid("rotting_days", RangeMessage(1, kMaxRottingDays));
  }
  return ValidateText("playbook", s.playbook);
}

Status ValidateOrganization(const Organization& o) {
  PD_RETURN_IF_ERROR(ValidateTitle("name", o.name));
  return ValidateText("address", o.address);
}

Status ValidatePerson(const Person& p) {
  PD_RETURN_IF_ERROR(ValidateTitle("name", p.name));
  PD_RETURN_IF_ERROR(ValidateContactPoints(p.emails, "emails", "email", /*emails=*/true));
  return ValidateContactPoints(p.phones, "phones", "phone", /*emails=*/false);
}

Status ValidateDeal(const Deal& d) {
  PD_RETURN_IF_ERROR(ValidateTitle("title", d.title));
  PD_RETURN_IF_ERROR(ValidateMoney(d.value, "value_minor", "currency"));
  if (d.status == DealStatus::kLost) {
    PD_RETURN_IF_ERROR(IsBlank(d.lost_reason)
                           ? Status::Invalid("lost_reason", "a lost deal needs a reason")
                           : ValidateShortText("lost_reason", d.lost_reason));
  } else if (!d.lost_reason.empty()) {
    return Status::Invalid("lost_reason", "only a lost deal has a lost reason");
  }
  if (d.probability_override && (*d.probability_override < 0 || *d.probability_override > 100)) {
    return Status::Invalid("probability", RangeMessage(0, 100));
  }
  PD_RETURN_IF_ERROR(ValidateShortText("source", d.source));
  if (!std::isfinite(d.position)) return Status::Invalid("position", "must be a finite number");
  return Status::Ok();
}

Status ValidateLostReason(const LostReason& r) {
  PD_RETURN_IF_ERROR(ValidateTitle("label", r.label));
  return ValidateOrder(r.order);
}

Status ValidateActivity(const Activity& a) {
  PD_RETURN_IF_ERROR(ValidateTitle("subject", a.subject));
  if (a.due_time && (a.due_time->minutes < 0 || a.due_time->minutes > 24 * 60 - 1)) {
    return Status::Invalid("due_time", "must be between 00:00 and 23:59");
  }
  if (a.duration_minutes < 0 || a.duration_minutes > kMaxDurationMinutes) {
    return Status::Invalid("duration_minutes", RangeMessage(0, kMaxDurationMinutes));
  }
  return ValidateText("note", a.note);
}

Status ValidateNote(const Note& n) {
  if (IsBlank(n.content)) return Status::Invalid("content", "must not be empty");
  PD_RETURN_IF_ERROR(ValidateText("content", n.content));
  if (!n.deal_id && !n.person_id && !n.org_id) {
    return Status::Invalid("deal_id", "a note needs a deal, person or organization");
  }
  return Status::Ok();
}

User Apply(User u, const UserPatch& p) {
  if (p.name) u.name = *p.name;
  if (p.email) u.email = *p.email;
  if (p.role) u.role = *p.role;
  if (p.active) u.active = *p.active;
  if (p.team_id) u.team_id = *p.team_id;
  // Emails are unique case-insensitively; storing them lower case makes that a plain comparison.
  u.email = AsciiLower(std::move(u.email));
  return u;
}

Pipeline Apply(Pipeline x, const PipelinePatch& p) {
  if (p.name) x.name = *p.name;
  if (p.order) x.order = *p.order;
  if (p.active) x.active = *p.active;
  if (p.visibility) x.visibility = *p.visibility;
  return x;
}

Stage Apply(Stage s, const StagePatch& p) {
  if (p.name) s.name = *p.name;
  if (p.order) s.order = *p.order;
  if (p.probability) s.probability = *p.probability;
  if (p.rotting_days) s.rotting_days = *p.rotting_days;
  if (p.playbook) s.playbook = *p.playbook;
  return s;
}

Organization Apply(Organization o, const OrganizationPatch& p) {
  if (p.name) o.name = *p.name;
  if (p.address) o.address = *p.address;
  if (p.owner_id) o.owner_id = *p.owner_id;
  return o;
}

Person Apply(Person x, const PersonPatch& p) {
  if (p.name) x.name = *p.name;
  if (p.emails) x.emails = *p.emails;
  if (p.phones) x.phones = *p.phones;
  if (p.org_id) x.org_id = *p.org_id;
  if (p.owner_id) x.owner_id = *p.owner_id;
  return x;
}

Deal Apply(Deal d, const DealPatch& p) {
  if (p.title) d.title = *p.title;
  if (p.value_minor) d.value.amount_minor = *p.value_minor;
  if (p.currency) d.value.currency = *p.currency;
  if (p.expected_close_date) d.expected_close_date = *p.expected_close_date;
  if (p.owner_id) d.owner_id = *p.owner_id;
  if (p.person_id) d.person_id = *p.person_id;
  if (p.org_id) d.org_id = *p.org_id;
  if (p.source) d.source = *p.source;
  if (p.probability_override) d.probability_override = *p.probability_override;
  return d;
}

LostReason Apply(LostReason r, const LostReasonPatch& p) {
  if (p.label) r.label = *p.label;
  if (p.order) r.order = *p.order;
  if (p.active) r.active = *p.active;
  return r;
}

Activity Apply(Activity a, const ActivityPatch& p, Timestamp now) {
  if (p.type) a.type = *p.type;
  if (p.subject) a.subject = *p.subject;
  if (p.due_date) a.due_date = *p.due_date;
  if (p.due_time) a.due_time = *p.due_time;
  if (p.duration_minutes) a.duration_minutes = *p.duration_minutes;
  if (p.deal_id) a.deal_id = *p.deal_id;
  if (p.person_id) a.person_id = *p.person_id;
  if (p.org_id) a.org_id = *p.org_id;
  if (p.owner_id) a.owner_id = *p.owner_id;
  if (p.note) a.note = *p.note;
  // done_at records when the work was done, so re-sending done=true keeps the first time.
  if (p.done && *p.done != a.done) {
    a.done = *p.done;
    a.done_at = a.done ? std::optional<Timestamp>(now) : std::nullopt;
  }
  return a;
}

Note Apply(Note n, const NotePatch& p) {
  if (p.content) n.content = *p.content;
  if (p.deal_id) n.deal_id = *p.deal_id;
  if (p.person_id) n.person_id = *p.person_id;
  if (p.org_id) n.org_id = *p.org_id;
  if (p.pinned) n.pinned = *p.pinned;
  return n;
}

}  // namespace pipedeck
