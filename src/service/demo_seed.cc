#include "service/demo_seed.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/metrics.h"
#include "service/sample_places.h"

namespace pipedeck {
namespace {

constexpr int64_t kMinute = 60'000;
constexpr int64_t kHour = 60 * kMinute;

// ---- The cast: names and phrases the generator draws from ---------------------------------------

struct TeamMember {
  const char* name;
  const char* email;
  Role role;
};
constexpr std::array<TeamMember, 6> kTeam = {{
    {"Maya Patel", "maya.patel@example.com", Role::kRep},
    {"Jonas Becker", "jonas.becker@example.com", Role::kRep},
    {"Lucía Fernández", "lucia.fernandez@example.com", Role::kRep},
    {"Daniel Okafor", "daniel.okafor@example.com", Role::kRep},
    {"Emma Lindqvist", "emma.lindqvist@example.com", Role::kRep},
    {"Olivia Grant", "olivia.grant@example.com", Role::kManager},
}};

constexpr std::array<const char*, 6> kLostReasons = {"Price too high", "Chose a competitor",
                                                     "No budget",      "No decision / went dark",
                                                     "Bad timing",     "Not qualified"};

constexpr std::array<const char*, 30> kOrgFirstWords = {
    "Northwind",  "Bluefin",    "Acorn",       "Summit",     "Harbor",    "Ironwood",
    "Cedar",      "Brightline", "Silverlake",  "Redstone",   "Oakridge",  "Meridian",
    "Pinnacle",   "Riverbend",  "Stonebridge", "Clearwater", "Evergreen", "Granite",
    "Lighthouse", "Maple",      "Copperleaf",  "Falcon",     "Juniper",   "Keystone",
    "Lakeshore",  "Northstar",  "Orchard",     "Quarry",     "Sterling",  "Tidewater"};
constexpr std::array<const char*, 16> kOrgSecondWords = {
    "Logistics",    "Health",  "Analytics", "Foods",     "Manufacturing", "Software",
    "Dental Group", "Hotels",  "Energy",    "Labs",      "Retail",        "Consulting",
    "Insurance",    "Freight", "Studios",   "Outfitters"};

constexpr std::array<const char*, 30> kFirstNames = {
    "Anna",  "Ben",  "Carla", "David", "Elena", "Felix", "Grace", "Hugo",  "Irene", "Jack",
    "Karen", "Liam", "Mia",   "Noah",  "Olga",  "Peter", "Quinn", "Rosa",  "Sam",   "Tara",
    "Umar",  "Vera", "Will",  "Xenia", "Yusuf", "Zoe",   "Marco", "Nadia", "Oscar", "Priya"};
constexpr std::array<const char*, 30> kLastNames = {
    "Anderson", "Brooks", "Castillo", "Dubois", "Evans",  "Fischer", "Garcia",  "Hughes",
    "Ivanova",  "Jensen", "Kim",      "Larsen", "Moreau", "Nguyen",  "O'Brien", "Park",
    "Quintero", "Rossi",  "Schmidt",  "Tanaka", "Usman",  "Varga",   "Walsh",   "Xu",
    "Young",    "Zimmer", "Mendes",   "Novak",  "Olsen",  "Reyes"};

constexpr std::array<const char*, 10> kSalesOffers = {"Annual subscription",
                                                      "Team plan (25 seats)",
                                                      "Enterprise rollout",
                                                      "Pilot project",
                                                      "Renewal",
                                                      "Onboarding package",
                                                      "Support upgrade",
                                                      "Expansion: new office",
                                                      "Data migration",
                                                      "Analytics add-on"};
constexpr std::array<const char*, 5> kPartnerOffers = {
    "Reseller agreement", "Referral partnership", "Integration partnership", "Co-marketing deal",
    "Regional distribution"};
constexpr std::array<const char*, 7> kSources = {
    "Web form", "Referral", "Cold outreach", "Event", "Partner", "Inbound call", "LinkedIn"};

struct ActivityKind {
  ActivityType type;
  std::array<const char*, 5> subjects;
};
constexpr std::array<ActivityKind, 4> kActivityKinds = {{
    {ActivityType::kCall,
     {"Discovery call", "Follow-up call", "Check-in call", "Pricing call", "Intro call"}},
    {ActivityType::kEmail,
     {"Send proposal", "Send case studies", "Follow-up email", "Send contract draft",
      "Share pricing sheet"}},
    {ActivityType::kMeeting,
     {"Product demo", "On-site visit", "Requirements workshop", "Negotiation meeting",
      "Kick-off meeting"}},
    {ActivityType::kTask,
     {"Prepare quote", "Update forecast notes", "Research account", "Draft proposal",
      "Collect references"}},
}};

// Note texts; "{first}" is the contact's first name, "{org}" the organization.
constexpr std::array<const char*, 8> kNoteTexts = {
    "Spoke with {first}: budget is approved for this quarter; they want a proposal by the end of "
    "the month.",
    "{org} is comparing us with two other vendors. Price is their main concern.",
    "Champion is {first}. The CFO signs; procurement will send a security questionnaire.",
    "Demo went well. Open questions about the CRM integration and single sign-on.",
    "Legal review of the contract started; expect redlines next week.",
    "Their fiscal year ends soon and {first} wants a decision before then.",
    "{first} asked for two customer references in their industry.",
    "Reorganisation at {org}; new head of operations may restart the evaluation.",
};

std::string Slug(std::string_view text) {
  std::string slug;
  for (char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      slug += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  return slug;
}

std::string ReplaceAll(std::string text, std::string_view key, std::string_view value) {
  for (size_t at = text.find(key); at != std::string::npos;
       at = text.find(key, at + value.size())) {
    text.replace(at, key.size(), value);
  }
  return text;
}

// ---- The generator ----------------------------------------------------------------------------

struct DemoPipeline {
  Pipeline pipeline;
  std::vector<Stage> stages;
  std::vector<double> lost_weights;  // where deals drop out: early stages lose the most
  std::vector<double> open_weights;  // where open deals sit: fewer further down the funnel
};

struct DemoOrg {
  Organization org;
  bool euro = false;
  std::vector<Person> persons;
};

enum class Outcome { kWon, kLost, kOpen };
// What an open deal's rep has planned next.
enum class NextStep { kNone, kOverdue, kToday, kUpcoming };

// Builds the demo in two passes: first it plans every change as a timed step (drawing all random
// numbers in a fixed order), then it runs the steps in time order with the clock set to each
// step's instant. Ids created by earlier steps are kept in slots that later steps read.
class DemoBuilder {
 public:
  DemoBuilder(const Workspace& base, const User& admin, const DemoOptions& options)
      : now_(base.clock().Now()),
        start_(AddDays(now_, -(options.history_days + 20))),
        clock_(start_),
        ws_(base.WithClock(clock_)),
        admin_(admin),
        options_(options),
        rng_(options.seed) {}

  Status Run() {
    PD_RETURN_IF_ERROR(CreateSetup());
    PD_RETURN_IF_ERROR(CreateContacts());
    for (int i = 0; i < options_.deals; ++i) PlanDeal(i);
    std::stable_sort(steps_.begin(), steps_.end(),
                     [](const Step& a, const Step& b) { return a.at < b.at; });
    for (const Step& step : steps_) {
      clock_.Set(step.at);
      PD_RETURN_IF_ERROR(step.run());
    }
    return Status::Ok();
  }

 private:
  struct Step {
    Timestamp at;
    std::function<Status()> run;
  };

  // ---- Random draws ----
  double Uniform(double low, double high) {
    return std::uniform_real_distribution<double>(low, high)(rng_);
  }
  int Int(int low, int high) { return std::uniform_int_distribution<int>(low, high)(rng_); }
  bool Chance(double p) { return Uniform(0, 1) < p; }
  size_t Weighted(const std::vector<double>& weights) {
    return std::discrete_distribution<size_t>(weights.begin(), weights.end())(rng_);
  }
  template <typename C>
  const auto& Pick(const C& items) {
    return items[static_cast<size_t>(Int(0, static_cast<int>(std::size(items)) - 1))];
  }

  // `days` after `from` (a plain instant, not yet moved), moved into office hours (08:00-18:00
  // UTC) by a monotonic map, so instants planned in order stay in order; never later than a
  // minute before now.
  Timestamp Office(Timestamp from, double days) const {
    const int64_t raw = from.millis + static_cast<int64_t>(days * kMillisPerDay);
    const int64_t day_start = StartOf(DateOf(Timestamp{raw})).millis;
    const int64_t office = 8 * kHour + (raw - day_start) * 10 / 24;
    const int64_t at = (day_start + office) / kMinute * kMinute;
    return {std::min(at, now_.millis - kMinute)};
  }

  void At(Timestamp at, std::function<Status()> run) { steps_.push_back({at, std::move(run)}); }

  // ---- Setup: pipelines, lost reasons, the team ----
  Status CreateSetup() {
    PD_RETURN_IF_ERROR(
        AddPipeline("Sales", "7-stage", {30, 22, 16, 12, 9, 7, 4}, {22, 19, 16, 13, 12, 10, 8}));
    PD_RETURN_IF_ERROR(AddPipeline("Partnerships", "4-stage", {40, 30, 20, 10}, {35, 30, 20, 15}));
    for (const char* label : kLostReasons) {
      LostReasonPatch fields;
      fields.label = label;
      PD_ASSIGN_OR_RETURN(LostReason reason, ws_.CreateLostReason(admin_, fields));
      lost_reasons_.push_back(reason.id);
    }
    for (const TeamMember& member : kTeam) {
      clock_.Advance(Int(5, 90) * kMinute);
      UserPatch fields;
      fields.name = member.name;
      fields.email = member.email;
      fields.role = member.role;
      PD_ASSIGN_OR_RETURN(User user, ws_.CreateUser(admin_, fields));
      if (member.role == Role::kRep) reps_.push_back(std::move(user));
    }
    return CreateTeamsAndQuotas();
  }

  // Two teams (the manager leads the first), and the goals a sales team typically sets: revenue
  // per month for the company and each rep, deals per quarter per team, calls and meetings per
  // week per rep.
  Status CreateTeamsAndQuotas() {
    PD_ASSIGN_OR_RETURN(std::string currency, ws_.DefaultCurrency());
    PD_ASSIGN_OR_RETURN(Page<User> managers, ws_.ListUsers(ListQuery{}));
    std::optional<Id> manager;
    for (const User& u : managers.items) {
      if (u.role == Role::kManager) manager = u.id;
    }
    const Date starts_on = MonthStart(DateOf(start_));
    auto quota = [&](QuotaScope scope, std::optional<Id> subject, QuotaPeriod period,
                     QuotaMetric metric, int64_t target) -> Status {
      QuotaPatch q;
      q.scope = scope;
      if (scope == QuotaScope::kUser) q.user_id = subject;
      if (scope == QuotaScope::kTeam) q.team_id = subject;
      q.period = period;
      q.metric = metric;
      q.target = target;
      if (metric == QuotaMetric::kWonValue) q.currency = currency;
      q.starts_on = starts_on;
      return ws_.CreateQuota(admin_, q).status();
    };
    PD_RETURN_IF_ERROR(quota(QuotaScope::kCompany, std::nullopt, QuotaPeriod::kMonth,
                             QuotaMetric::kWonValue, 250'000'00));
    const std::array<const char*, 2> team_names = {"Enterprise", "Mid-market"};
    for (size_t t = 0; t < team_names.size(); ++t) {
      TeamPatch team_fields;
      team_fields.name = team_names[t];
      if (t == 0 && manager) team_fields.manager_id = manager;
      PD_ASSIGN_OR_RETURN(Team team, ws_.CreateTeam(admin_, team_fields));
      PD_RETURN_IF_ERROR(quota(QuotaScope::kTeam, team.id, QuotaPeriod::kQuarter,
                               QuotaMetric::kDealsWon, t == 0 ? 24 : 16));
      // Reps alternate between the teams (the first three in the first).
      for (size_t r = 0; r < reps_.size(); ++r) {
        if ((r < 3) != (t == 0)) continue;
        UserPatch join;
        join.team_id = std::optional<Id>(team.id);
        PD_ASSIGN_OR_RETURN(reps_[r], ws_.UpdateUser(admin_, reps_[r].id, join, std::nullopt));
      }
    }
    for (const User& rep : reps_) {
      PD_RETURN_IF_ERROR(
          quota(QuotaScope::kUser, rep.id, QuotaPeriod::kMonth, QuotaMetric::kWonValue, 50'000'00));
      PD_RETURN_IF_ERROR(
          quota(QuotaScope::kUser, rep.id, QuotaPeriod::kWeek, QuotaMetric::kActivitiesDone, 12));
    }
    return Status::Ok();
  }

  Status AddPipeline(const char* name, const char* template_key, std::vector<double> lost_weights,
                     std::vector<double> open_weights) {
    PipelinePatch fields;
    fields.name = name;
    DemoPipeline p;
    PD_ASSIGN_OR_RETURN(p.pipeline, ws_.CreatePipeline(admin_, fields, template_key));
    ListQuery stages;
    stages.pipeline_id = p.pipeline.id;
    stages.limit = 100;
    PD_ASSIGN_OR_RETURN(Page<Stage> page, ws_.ListStages(stages));
    p.stages = std::move(page.items);
    std::sort(p.stages.begin(), p.stages.end(),
              [](const Stage& a, const Stage& b) { return a.order < b.order; });
    p.lost_weights = std::move(lost_weights);
    p.open_weights = std::move(open_weights);
    pipelines_.push_back(std::move(p));
    return Status::Ok();
  }

  // ---- Organizations and their people, over the first two weeks ----
  Status CreateContacts() {
    std::vector<std::pair<size_t, size_t>> names;
    for (size_t a = 0; a < kOrgFirstWords.size(); ++a) {
      for (size_t b = 0; b < kOrgSecondWords.size(); ++b) names.emplace_back(a, b);
    }
    std::shuffle(names.begin(), names.end(), rng_);
    const int org_count = std::min<int>(options_.organizations, static_cast<int>(names.size()));
    const int64_t spacing = 14 * kMillisPerDay / std::max(1, org_count + options_.persons);
    for (int i = 0; i < org_count; ++i) {
      const SamplePlace& city = PickCity(i % 12 == 5);
      OrganizationPatch fields;
      fields.name =
          std::string(kOrgFirstWords[names[i].first]) + " " + kOrgSecondWords[names[i].second];
      fields.address = std::to_string(Int(1, 980)) + " " + city.street + ", " + city.city;
      fields.owner_id = Pick(reps_).id;
      clock_.Advance(spacing);
      DemoOrg org;
      org.euro = city.euro;
      PD_ASSIGN_OR_RETURN(org.org, ws_.CreateOrganization(admin_, fields));
      orgs_.push_back(std::move(org));
    }
    for (int i = 0; i < options_.persons && !orgs_.empty(); ++i) {
      DemoOrg& org = orgs_[static_cast<size_t>(i) % orgs_.size()];
      const std::string first = Pick(kFirstNames);
      const std::string last = Pick(kLastNames);
      PersonPatch fields;
      fields.name = first + " " + last;
      const std::string domain = Slug(org.org.name) + ".example";
      fields.emails =
          std::vector<ContactPoint>{{Slug(first) + "." + Slug(last) + "@" + domain, "work", true}};
      std::vector<ContactPoint> phones = {{PhoneNumber(org.euro), "work", true}};
      if (Chance(0.4)) phones.push_back({PhoneNumber(org.euro), "mobile", false});
      fields.phones = std::move(phones);
      fields.org_id = org.org.id;
      fields.owner_id = org.org.owner_id;
      clock_.Advance(spacing);
      PD_ASSIGN_OR_RETURN(Person person, ws_.CreatePerson(admin_, fields));
      org.persons.push_back(std::move(person));
    }
    return Status::Ok();
  }

  // One organization in twelve is in the euro area, so a few deals are in EUR.
  const SamplePlace& PickCity(bool euro) {
    std::vector<const SamplePlace*> matching;
    for (const SamplePlace& c : kSamplePlaces) {
      if (c.euro == euro) matching.push_back(&c);
    }
    return *Pick(matching);
  }

  std::string PhoneNumber(bool euro) {
    char digits[32];
    if (euro) {
      std::snprintf(digits, sizeof digits, "+49 30 %04d %04d", Int(1000, 9999), Int(0, 9999));
    } else {
      std::snprintf(digits, sizeof digits, "+1 555 %03d %04d", Int(100, 999), Int(0, 9999));
    }
    return digits;
  }

  // ---- One deal's life ----

  // Deal sizes: mostly small and mid-size, a few large ones; whole hundreds.
  int64_t DealValueMinor() {
    static const std::vector<double> kBands = {45, 35, 15, 5};
    static constexpr std::array<std::pair<int, int>, 4> kRanges = {
        {{10, 60}, {60, 300}, {300, 1200}, {1200, 4000}}};  // in hundreds
    const auto& [low, high] = kRanges[Weighted(kBands)];
    return int64_t{Int(low, high)} * 100 * 100;
  }

  // The stage indexes a deal visits from `from` to `to`: mostly one by one, sometimes skipping a
  // stage, now and then stepping back one before going on.
  std::vector<size_t> StagePath(size_t from, size_t to) {
    std::vector<size_t> path = {from};
    size_t at = from;
    while (at < to) {
      if (at > from && at + 1 < to && Chance(0.06)) {
        path.push_back(at - 1);
        path.push_back(at);
      }
      at += (at + 2 <= to && Chance(0.12)) ? 2 : 1;
      path.push_back(at);
    }
    return path;
  }

  void PlanDeal(int index) {
    const DemoPipeline& pipeline = pipelines_[Chance(0.15) ? 1 : 0];
    const bool partnership = &pipeline == &pipelines_[1];
    const User& owner = Pick(reps_);
    const DemoOrg& org = Pick(orgs_);
    const std::optional<Id> person =
        org.persons.empty() ? std::nullopt : std::optional<Id>(Pick(org.persons).id);
    const size_t last_stage = pipeline.stages.size() - 1;

    const double roll = Uniform(0, 1);
    const Outcome outcome = roll < 0.30   ? Outcome::kWon
                            : roll < 0.60 ? Outcome::kLost
                                          : Outcome::kOpen;
    size_t final_stage = last_stage;
    if (outcome == Outcome::kLost) final_stage = Weighted(pipeline.lost_weights);
    if (outcome == Outcome::kOpen) final_stage = Weighted(pipeline.open_weights);
    const size_t first_stage = (final_stage > 0 && Chance(0.15)) ? 1 : 0;
    const std::vector<size_t> path = StagePath(first_stage, final_stage);

    // Closed deals started 20-270 days ago and took 2-13 weeks; open ones are younger.
    const double age_days = outcome == Outcome::kOpen
                                ? Uniform(1, std::min(150.0, options_.history_days * 1.0))
                                : Uniform(20, options_.history_days);
    const Timestamp created = Office(now_, -age_days);
    const double span_days =
        outcome == Outcome::kOpen ? age_days : std::min(Uniform(14, 90), age_days - 1);

    // Split the life into one segment per stage visited; for a closed deal the last segment
    // ends with the close, for an open one it runs until now.
    std::vector<double> weights(path.size());
    for (double& w : weights) w = Uniform(0.5, 1.5);
    if (outcome == Outcome::kOpen) weights.back() *= Uniform(0.2, 2.0);
    const double total = [&] {
      double sum = 0;
      for (double w : weights) sum += w;
      return sum;
    }();
    std::vector<Timestamp> entered(path.size());
    double offset = 0;
    for (size_t i = 0; i < path.size(); ++i) {
      entered[i] = Office(now_, offset - age_days);
      offset += span_days * weights[i] / total;
    }
    const Timestamp end = outcome == Outcome::kOpen ? now_ : Office(now_, span_days - age_days);

    DealPatch fields;
    fields.title = std::string(org.org.name) + ": " +
                   (partnership ? Pick(kPartnerOffers) : Pick(kSalesOffers));
    fields.value_minor = DealValueMinor();
    fields.currency = org.euro ? "EUR" : "USD";
    fields.pipeline_id = pipeline.pipeline.id;
    fields.stage_id = pipeline.stages[path.front()].id;
    fields.owner_id = owner.id;
    fields.person_id = person;
    fields.org_id = org.org.id;
    fields.source = Pick(kSources);
    fields.expected_close_date = DateOf(AddDays(created, Int(30, 120)));
    if (Chance(0.05)) fields.probability_override = Int(1, 19) * 5;

    const size_t slot = deal_ids_.size();
    deal_ids_.push_back(0);
    At(created, [this, slot, owner, fields]() -> Status {
      PD_ASSIGN_OR_RETURN(Deal deal, ws_.CreateDeal(owner, fields));
      deal_ids_[slot] = deal.id;
      return Status::Ok();
    });
    for (size_t i = 1; i < path.size(); ++i) {
      const Id stage_id = pipeline.stages[path[i]].id;
      At(entered[i], [this, slot, owner, stage_id]() {
        return ws_.MoveDeal(owner, deal_ids_[slot], stage_id, 0, std::nullopt).status();
      });
    }
    if (outcome == Outcome::kWon) {
      At(end, [this, slot, owner]() {
        return ws_.MarkWon(owner, deal_ids_[slot], std::nullopt).status();
      });
    } else if (outcome == Outcome::kLost) {
      // Deals lost early are mostly unqualified or silent; late ones lose on price or to rivals.
      const Id reason =
          lost_reasons_[Weighted(final_stage < 2 ? std::vector<double>{1, 1, 3, 4, 2, 4}
                                                 : std::vector<double>{4, 4, 1, 2, 2, 0.5})];
      At(end, [this, slot, owner, reason]() {
        return ws_.MarkLost(owner, deal_ids_[slot], "", reason, std::nullopt).status();
      });
    }

    // Past work: one or two activities per stage visited, done before the next step.
    NextStep next = NextStep::kNone;
    if (outcome == Outcome::kOpen) {
      next = static_cast<NextStep>(Weighted({15, 20, 15, 50}));
    }
    for (size_t i = 0; i < path.size(); ++i) {
      const Timestamp from = entered[i];
      const Timestamp to = i + 1 < path.size() ? entered[i + 1] : end;
      // A deal with nothing planned has also gone quiet since its last stage change.
      if (next == NextStep::kNone && outcome == Outcome::kOpen && i + 1 == path.size()) break;
      const int count = Int(1, 2);
      for (int k = 0; k < count; ++k) PlanPastActivity(slot, owner, person, org.org.id, from, to);
    }
    if (next != NextStep::kNone)
      PlanNextActivity(slot, owner, person, org.org.id, next, entered.back());

    if (Chance(0.5)) {
      const Timestamp at = Office(now_, span_days * Uniform(0.1, 0.9) - age_days);
      const std::string first = person ? FirstNameOf(org, *person) : std::string("the buyer");
      std::string content = ReplaceAll(Pick(kNoteTexts), "{first}", first);
      content = ReplaceAll(std::move(content), "{org}", org.org.name);
      At(at, [this, slot, owner, content]() {
        NotePatch note;
        note.content = content;
        note.deal_id = deal_ids_[slot];
        return ws_.CreateNote(owner, note).status();
      });
    }
  }

  static std::string FirstNameOf(const DemoOrg& org, Id person_id) {
    for (const Person& p : org.persons) {
      if (p.id == person_id) return p.name.substr(0, p.name.find(' '));
    }
    return "the buyer";
  }

  ActivityPatch ActivityFields(const User& owner, std::optional<Id> person, Id org_id) {
    const ActivityKind& kind = kActivityKinds[Weighted({35, 25, 20, 20})];
    ActivityPatch fields;
    fields.type = kind.type;
    fields.subject = Pick(kind.subjects);
    fields.owner_id = owner.id;
    fields.person_id = person;
    fields.org_id = org_id;
    const bool timed = kind.type == ActivityType::kCall || kind.type == ActivityType::kMeeting;
    if (timed || Chance(0.3)) fields.due_time = TimeOfDay{Int(16, 34) * 30};  // 08:00-17:00
    if (kind.type == ActivityType::kCall) fields.duration_minutes = Chance(0.5) ? 15 : 30;
    if (kind.type == ActivityType::kMeeting) fields.duration_minutes = Chance(0.5) ? 30 : 60;
    return fields;
  }

  // An activity planned inside [from, to) and done before `to`; skipped when the stage was too
  // short to plan anything.
  void PlanPastActivity(size_t slot, const User& owner, std::optional<Id> person, Id org_id,
                        Timestamp from, Timestamp to) {
    const int64_t span = to.millis - from.millis;
    if (span < 4 * kHour) return;
    ActivityPatch fields = ActivityFields(owner, person, org_id);
    // Whole minutes; `from` is one already, so created stays after it and done before `to`.
    const int64_t created_at = from.millis + static_cast<int64_t>(span * Uniform(0.02, 0.3));
    const Timestamp created{created_at / kMinute * kMinute};
    const int64_t done_at =
        created.millis +
        static_cast<int64_t>((to.millis - created.millis - kMinute) * Uniform(0.3, 0.98));
    const Timestamp done{done_at / kMinute * kMinute};
    fields.due_date = DateOf(done);
    PlanActivity(slot, owner, std::move(fields), created, done);
  }

  // The open deal's next planned step, relative to today.
  void PlanNextActivity(size_t slot, const User& owner, std::optional<Id> person, Id org_id,
                        NextStep next, Timestamp last_move) {
    ActivityPatch fields = ActivityFields(owner, person, org_id);
    const Date today = DateOf(now_);
    Date due = today;
    if (next == NextStep::kOverdue) due = AddDays(today, -Int(1, 10));
    if (next == NextStep::kUpcoming) due = AddDays(today, Int(1, 14));
    fields.due_date = due;
    // Planned a few days before it is due, but after the deal reached its stage.
    const int64_t planned = StartOf(due).millis - Int(1, 5) * kMillisPerDay;
    const int64_t latest = now_.millis - kMinute;
    const int64_t earliest = std::min(last_move.millis + kHour, latest);
    const Timestamp created{std::clamp(planned, earliest, latest)};
    PlanActivity(slot, owner, std::move(fields), created, std::nullopt);
  }

  void PlanActivity(size_t slot, const User& owner, ActivityPatch fields, Timestamp created,
                    std::optional<Timestamp> done) {
    const size_t activity = activity_ids_.size();
    activity_ids_.push_back(0);
    At(created, [this, slot, activity, owner, fields]() mutable -> Status {
      fields.deal_id = deal_ids_[slot];
      PD_ASSIGN_OR_RETURN(Activity created_activity, ws_.CreateActivity(owner, fields));
      activity_ids_[activity] = created_activity.id;
      return Status::Ok();
    });
    if (!done) return;
    At(*done, [this, activity, owner]() {
      ActivityPatch mark;
      mark.done = true;
      return ws_.UpdateActivity(owner, activity_ids_[activity], mark, std::nullopt).status();
    });
  }

  const Timestamp now_;
  const Timestamp start_;
  ManualClock clock_;
  Workspace ws_;  // runs on clock_
  const User& admin_;
  const DemoOptions& options_;
  std::mt19937_64 rng_;

  std::vector<DemoPipeline> pipelines_;
  std::vector<Id> lost_reasons_;
  std::vector<User> reps_;
  std::vector<DemoOrg> orgs_;
  std::vector<Step> steps_;
  std::vector<Id> deal_ids_;      // slot → id, filled when the deal is created
  std::vector<Id> activity_ids_;  // slot → id, filled when the activity is created
};

}  // namespace

Status SeedDemo(Workspace& workspace, const User& admin, const DemoOptions& options) {
  if (options.deals < 0 || options.organizations < 1 || options.persons < 0 ||
      options.history_days < 30) {
    return Status::Invalid("demo", "the demo needs organizations and at least 30 days of history");
  }
  DemoBuilder builder(workspace, admin, options);
  return builder.Run();
}

}  // namespace pipedeck
