#include "core/validate.h"

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace pipedeck {
namespace {

// One rule per row: a change to an otherwise valid record and the error it must give
// (field empty = the record stays valid, which pins the boundary that just passes).
template <typename T>
struct Rule {
  const char* name;
  std::function<void(T&)> change;
  std::string field;
  std::string message;  // empty = any message
};

template <typename T>
void CheckRules(const T& valid, Status (*validate)(const T&), const std::vector<Rule<T>>& rules) {
  ASSERT_TRUE(validate(valid).ok()) << validate(valid).ToString();
  for (const Rule<T>& rule : rules) {
    SCOPED_TRACE(rule.name);
    T record = valid;
    rule.change(record);
    const Status s = validate(record);
    if (rule.field.empty()) {
      EXPECT_TRUE(s.ok()) << s.ToString();
      continue;
    }
    EXPECT_EQ(s.code(), ErrorCode::kInvalid) << s.ToString();
    EXPECT_EQ(s.field(), rule.field) << s.ToString();
    if (!rule.message.empty()) {
      EXPECT_EQ(s.message(), rule.message);
    }
  }
}

const std::string kLongest(kMaxTitleLength, 'x');
const std::string kTooLong(kMaxTitleLength + 1, 'x');
const std::string kBadUtf8 = "caf\xC3";

TEST(ValidateTest, Utf8) {
  struct Row {
    std::string text;
    bool valid;
  };
  const Row rows[] = {
      {"", true},
      {"plain ascii", true},
      {"café", true},
      {"日本語", true},
      {"emoji \xF0\x9F\x98\x80", true},
      {std::string("nul\0inside", 10), true},
      {"\xC3", false},              // truncated sequence
      {"\x80", false},              // lone continuation byte
      {"\xC0\xAF", false},          // overlong '/'
      {"\xE0\x80\xAF", false},      // overlong, three bytes
      {"\xED\xA0\x80", false},      // UTF-16 surrogate
      {"\xF4\x90\x80\x80", false},  // past U+10FFFF
      {"\xFF", false},
      {"\xE2\x82", false},
      {"\xF4\x8F\xBF\xBF", true},  // U+10FFFF
  };
  for (const Row& r : rows) EXPECT_EQ(IsValidUtf8(r.text), r.valid) << r.text;
}

TEST(ValidateTest, EmailShape) {
  struct Row {
    const char* text;
    bool looks_like_email;
  };
  const Row rows[] = {
      {"ana@example.com", true},
      {"a.b+tag@mail.example.co.uk", true},
      {"x@y.z", true},
      {"", false},
      {"ana", false},
      {"@example.com", false},
      {"ana@", false},
      {"ana@example", false},
      {"ana@@example.com", false},
      {"ana@x@example.com", false},
      {"ana @example.com", false},
      {"ana@example.com ", false},
      {"ana@.example.com", false},
      {"ana@example.com.", false},
      {"ana@example..com", false},
      {"ana\n@example.com", false},
  };
  for (const Row& r : rows) EXPECT_EQ(LooksLikeEmail(r.text), r.looks_like_email) << r.text;
}

TEST(ValidateTest, TitleAndText) {
  EXPECT_TRUE(ValidateTitle("title", "Acme renewal").ok());
  EXPECT_TRUE(ValidateTitle("title", kLongest).ok());
  const Status blank = ValidateTitle("title", " \t ");
  EXPECT_EQ(blank.field(), "title");
  EXPECT_EQ(blank.message(), "must not be empty");
  EXPECT_EQ(ValidateTitle("title", "").message(), "must not be empty");
  EXPECT_EQ(ValidateTitle("title", kTooLong).message(), "must be at most 255 characters");
  EXPECT_EQ(ValidateTitle("name", kBadUtf8).field(), "name");
  EXPECT_FALSE(ValidateTitle("name", kBadUtf8).ok());

  EXPECT_TRUE(ValidateText("note", "").ok());
  EXPECT_TRUE(ValidateText("note", std::string(kMaxTextLength, 'x')).ok());
  const Status long_text = ValidateText("note", std::string(kMaxTextLength + 1, 'x'));
  EXPECT_EQ(long_text.field(), "note");
  EXPECT_EQ(long_text.message(), "must be at most 100000 characters");
  EXPECT_FALSE(ValidateText("note", kBadUtf8).ok());
}

TEST(ValidateTest, User) {
  User valid;
  valid.name = "Ana Reyes";
  valid.email = "ana@example.com";
  CheckRules<User>(valid, ValidateUser,
                   {
                       {"blank name", [](User& u) { u.name = " "; }, "name", "must not be empty"},
                       {"longest name", [](User& u) { u.name = kLongest; }, "", ""},
                       {"long name", [](User& u) { u.name = kTooLong; }, "name", ""},
                       {"no email", [](User& u) { u.email = ""; }, "email", "must not be empty"},
                       {"not an email", [](User& u) { u.email = "ana.example.com"; }, "email",
                        "is not an email address"},
                       {"upper case", [](User& u) { u.email = "Ana@example.com"; }, "email",
                        "must be lower case"},
                   });
}

TEST(ValidateTest, PipelineAndLostReason) {
  Pipeline pipeline;
  pipeline.name = "New business";
  CheckRules<Pipeline>(
      pipeline, ValidatePipeline,
      {
          {"blank name", [](Pipeline& p) { p.name = ""; }, "name", "must not be empty"},
          {"order 0", [](Pipeline& p) { p.order = 0; }, "", ""},
          {"negative order", [](Pipeline& p) { p.order = -1; }, "order", "must not be negative"},
      });
  LostReason reason;
  reason.label = "Too expensive";
  CheckRules<LostReason>(
      reason, ValidateLostReason,
      {
          {"blank label", [](LostReason& r) { r.label = "  "; }, "label", "must not be empty"},
          {"long label", [](LostReason& r) { r.label = kTooLong; }, "label",
           "must be at most 255 characters"},
          {"negative order", [](LostReason& r) { r.order = -1; }, "order", ""},
      });
}

TEST(ValidateTest, Stage) {
  Stage valid;
  valid.pipeline_id = 1;
  valid.name = "Qualification";
  valid.probability = 20;
  valid.rotting_days = 14;
  CheckRules<Stage>(
      valid, ValidateStage,
      {
          {"blank name", [](Stage& s) { s.name = ""; }, "name", "must not be empty"},
          {"probability 0", [](Stage& s) { s.probability = 0; }, "", ""},
          {"probability 100", [](Stage& s) { s.probability = 100; }, "", ""},
          {"probability -1", [](Stage& s) { s.probability = -1; }, "probability",
           "must be between 0 and 100"},
          {"probability 101", [](Stage& s) { s.probability = 101; }, "probability",
           "must be between 0 and 100"},
          {"no rotting limit", [](Stage& s) { s.rotting_days.reset(); }, "", ""},
          {"rotting 1", [](Stage& s) { s.rotting_days = 1; }, "", ""},
          {"rotting max", [](Stage& s) { s.rotting_days = kMaxRottingDays; }, "", ""},
          {"rotting 0", [](Stage& s) { s.rotting_days = 0; }, "rotting_days", ""},
          {"rotting past max", [](Stage& s) { s.rotting_days = kMaxRottingDays + 1; },
           "rotting_days", ""},
          {"order 0", [](Stage& s) { s.order = 0; }, "", ""},
          {"negative order", [](Stage& s) { s.order = -1; }, "order", "must not be negative"},
          {"long playbook", [](Stage& s) { s.playbook = std::string(kMaxTextLength + 1, 'x'); },
           "playbook", ""},
      });
}

TEST(ValidateTest, Organization) {
  Organization valid;
  valid.name = "Acme";
  CheckRules<Organization>(
      valid, ValidateOrganization,
      {
          {"blank name", [](Organization& o) { o.name = "\n"; }, "name", "must not be empty"},
          {"empty address", [](Organization& o) { o.address = ""; }, "", ""},
          {"bad address", [](Organization& o) { o.address = kBadUtf8; }, "address", ""},
      });
}

TEST(ValidateTest, Person) {
  Person valid;
  valid.name = "Bo Lindqvist";
  valid.emails = {{"bo@acme.example", "work", true}, {"bo@home.example", "home", false}};
  valid.phones = {{"+46 70 123 45 67", "mobile", true}};
  const std::vector<ContactPoint> max_emails(kMaxContactPoints, {"x@y.example", "", false});
  CheckRules<Person>(
      valid, ValidatePerson,
      {
          {"blank name", [](Person& p) { p.name = ""; }, "name", "must not be empty"},
          {"no contact points", [](Person& p) { p.emails.clear(), p.phones.clear(); }, "", ""},
          {"max emails", [&](Person& p) { p.emails = max_emails; }, "", ""},
          {"too many emails",
           [&](Person& p) {
             p.emails = max_emails;
             p.emails.push_back({"z@y.example", "", false});
           },
           "emails", "must hold at most 20 entries"},
          {"too many phones",
           [](Person& p) {
             p.phones.assign(kMaxContactPoints + 1, {"123", "", false});
           },
           "phones", ""},
          {"second email malformed", [](Person& p) { p.emails[1].value = "bo at home"; },
           "emails[1].value", "is not an email address"},
          {"empty email", [](Person& p) { p.emails[0].value = ""; }, "emails[0].value",
           "is not an email address"},
          {"blank phone", [](Person& p) { p.phones[0].value = "  "; }, "phones[0].value",
           "must not be empty"},
          {"unlabelled", [](Person& p) { p.phones[0].label = ""; }, "", ""},
          {"unknown label", [](Person& p) { p.emails[1].label = "cottage"; }, "emails[1].label",
           ""},
          {"two primaries", [](Person& p) { p.emails[1].primary = true; }, "emails[1].primary",
           "only one email can be primary"},
      });
}

TEST(ValidateTest, Deal) {
  Deal valid;
  valid.title = "Acme — 50 seats";
  valid.value = {125000, "USD"};
  valid.pipeline_id = 1;
  valid.stage_id = 2;
  CheckRules<Deal>(
      valid, ValidateDeal,
      {
          {"blank title", [](Deal& d) { d.title = ""; }, "title", "must not be empty"},
          {"longest title", [](Deal& d) { d.title = kLongest; }, "", ""},
          {"long title", [](Deal& d) { d.title = kTooLong; }, "title",
           "must be at most 255 characters"},
          {"zero value", [](Deal& d) { d.value.amount_minor = 0; }, "", ""},
          {"negative value", [](Deal& d) { d.value.amount_minor = -1; }, "value_minor",
           "must not be negative"},
          {"max value", [](Deal& d) { d.value.amount_minor = kMaxAmountMinor; }, "", ""},
          {"too large", [](Deal& d) { d.value.amount_minor = kMaxAmountMinor + 1; }, "value_minor",
           ""},
          {"lower-case currency", [](Deal& d) { d.value.currency = "usd"; }, "currency", ""},
          {"lost with reason",
           [](Deal& d) {
             d.status = DealStatus::kLost;
             d.lost_reason = "Budget cut";
           },
           "", ""},
          {"lost without reason", [](Deal& d) { d.status = DealStatus::kLost; }, "lost_reason",
           "a lost deal needs a reason"},
          {"lost with blank reason",
           [](Deal& d) {
             d.status = DealStatus::kLost;
             d.lost_reason = "  ";
           },
           "lost_reason", "a lost deal needs a reason"},
          {"open with reason", [](Deal& d) { d.lost_reason = "Budget cut"; }, "lost_reason", ""},
          {"won with reason",
           [](Deal& d) {
             d.status = DealStatus::kWon;
             d.lost_reason = "Budget cut";
           },
           "lost_reason", ""},
          {"override 0", [](Deal& d) { d.probability_override = 0; }, "", ""},
          {"override 100", [](Deal& d) { d.probability_override = 100; }, "", ""},
          {"override -1", [](Deal& d) { d.probability_override = -1; }, "probability", ""},
          {"override 101", [](Deal& d) { d.probability_override = 101; }, "probability", ""},
          {"long source", [](Deal& d) { d.source = kTooLong; }, "source", ""},
          {"negative position", [](Deal& d) { d.position = -2048; }, "", ""},
          {"NaN position", [](Deal& d) { d.position = std::nan(""); }, "position", ""},
      });
}

TEST(ValidateTest, Activity) {
  Activity valid;
  valid.subject = "Call about pricing";
  valid.due_date = *MakeDate(2026, 11, 23);
  valid.due_time = TimeOfDay{570};
  valid.duration_minutes = 30;
  CheckRules<Activity>(
      valid, ValidateActivity,
      {
          {"blank subject", [](Activity& a) { a.subject = " "; }, "subject", "must not be empty"},
          {"duration 0", [](Activity& a) { a.duration_minutes = 0; }, "", ""},
          {"duration max", [](Activity& a) { a.duration_minutes = kMaxDurationMinutes; }, "", ""},
          {"negative duration", [](Activity& a) { a.duration_minutes = -1; }, "duration_minutes",
           "must be between 0 and 10080"},
          {"duration past max", [](Activity& a) { a.duration_minutes = kMaxDurationMinutes + 1; },
           "duration_minutes", "must be between 0 and 10080"},
          {"23:59", [](Activity& a) { a.due_time = TimeOfDay{1439}; }, "", ""},
          {"24:00", [](Activity& a) { a.due_time = TimeOfDay{1440}; }, "due_time", ""},
          {"long note", [](Activity& a) { a.note = std::string(kMaxTextLength + 1, 'x'); }, "note",
           ""},
      });
}

TEST(ValidateTest, Note) {
  Note valid;
  valid.content = "Asked for a discount on a 2-year term.";
  valid.deal_id = 7;
  CheckRules<Note>(
      valid, ValidateNote,
      {
          {"blank content", [](Note& n) { n.content = "\n\n"; }, "content", "must not be empty"},
          {"longest content", [](Note& n) { n.content = std::string(kMaxTextLength, 'x'); }, "",
           ""},
          {"long content", [](Note& n) { n.content = std::string(kMaxTextLength + 1, 'x'); },
           "content", ""},
          {"person only",
           [](Note& n) {
             n.deal_id.reset();
             n.person_id = 3;
           },
           "", ""},
          {"organization only",
           [](Note& n) {
             n.deal_id.reset();
             n.org_id = 3;
           },
           "", ""},
          {"no link", [](Note& n) { n.deal_id.reset(); }, "deal_id",
           "a note needs a deal, person or organization"},
      });
}

TEST(ApplyTest, UserLowercasesEmail) {
  User u;
  u.name = "Ana";
  u.email = "ana@example.com";
  UserPatch p;
  p.email = "Ana.Reyes@Example.COM";
  p.role = Role::kManager;
  const User out = Apply(u, p);
  EXPECT_EQ(out.email, "ana.reyes@example.com");
  EXPECT_EQ(out.role, Role::kManager);
  EXPECT_EQ(out.name, "Ana");
  EXPECT_TRUE(ValidateUser(out).ok());
}

TEST(ApplyTest, UntouchedFieldsStayAndNullClears) {
  Stage s;
  s.name = "Proposal";
  s.probability = 60;
  s.rotting_days = 14;
  StagePatch keep;
  keep.name = "Proposal sent";
  Stage out = Apply(s, keep);
  EXPECT_EQ(out.name, "Proposal sent");
  EXPECT_EQ(out.probability, 60);
  EXPECT_EQ(out.rotting_days, 14);

  StagePatch clear;
  clear.rotting_days = std::optional<int32_t>();
  EXPECT_FALSE(Apply(s, clear).rotting_days.has_value());

  Person person;
  person.name = "Bo";
  person.org_id = 4;
  PersonPatch pp;
  pp.emails = std::vector<ContactPoint>{{"bo@acme.example", "work", true}};
  pp.org_id = std::optional<Id>();
  const Person po = Apply(person, pp);
  EXPECT_EQ(po.emails.size(), 1u);
  EXPECT_FALSE(po.org_id.has_value());

  Note n;
  n.content = "x";
  n.deal_id = 1;
  NotePatch np;
  np.deal_id = std::optional<Id>();
  np.person_id = std::optional<Id>(9);
  np.pinned = true;
  const Note no = Apply(n, np);
  EXPECT_FALSE(no.deal_id.has_value());
  EXPECT_EQ(no.person_id, 9);
  EXPECT_TRUE(no.pinned);
}

TEST(ApplyTest, DealPatchLeavesStageAndStatusAlone) {
  Deal d;
  d.title = "Old";
  d.value = {100, "USD"};
  d.pipeline_id = 1;
  d.stage_id = 2;
  d.probability_override = 70;
  DealPatch p;
  p.title = "New";
  p.value_minor = 250;
  p.currency = "EUR";
  p.pipeline_id = 5;
  p.stage_id = 9;
  p.expected_close_date = std::optional<Date>(*MakeDate(2026, 12, 1));
  const Deal out = Apply(d, p);
  EXPECT_EQ(out.title, "New");
  EXPECT_EQ(out.value, (Money{250, "EUR"}));
  EXPECT_EQ(out.pipeline_id, 1);
  EXPECT_EQ(out.stage_id, 2);
  EXPECT_EQ(out.expected_close_date, MakeDate(2026, 12, 1));
  EXPECT_EQ(out.probability_override, 70);

  DealPatch clear;
  clear.probability_override = std::optional<int32_t>();
  EXPECT_FALSE(Apply(d, clear).probability_override.has_value());
}

TEST(ApplyTest, ActivityDoneAtFollowsDone) {
  const Timestamp t1{1'000'000};
  const Timestamp t2{2'000'000};
  Activity a;
  a.subject = "Send proposal";
  ActivityPatch done;
  done.done = true;
  ActivityPatch undone;
  undone.done = false;
  ActivityPatch rename;
  rename.subject = "Send revised proposal";

  const Activity finished = Apply(a, done, t1);
  EXPECT_TRUE(finished.done);
  EXPECT_EQ(finished.done_at, t1);
  // Saying "done" again, or editing something else, keeps when it was done.
  EXPECT_EQ(Apply(finished, done, t2).done_at, t1);
  EXPECT_EQ(Apply(finished, rename, t2).done_at, t1);
  const Activity reopened = Apply(finished, undone, t2);
  EXPECT_FALSE(reopened.done);
  EXPECT_FALSE(reopened.done_at.has_value());
  EXPECT_FALSE(Apply(a, rename, t2).done_at.has_value());
}

}  // namespace
}  // namespace pipedeck
