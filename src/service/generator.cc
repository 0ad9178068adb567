#include "service/generator.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <future>
#include <memory>
#include <numbers>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/deal_rules.h"
#include "core/money.h"
#include "core/stage_templates.h"
#include "service/sample_places.h"
#include "service/secrets.h"

namespace pipedeck {

// ---- Random numbers -------------------------------------------------------------------------

namespace {

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

Rng::Rng(uint64_t seed) {
  for (uint64_t& word : s_) word = SplitMix64(seed);
}

Rng Rng::ForItem(uint64_t seed, uint64_t stream, uint64_t index) {
  uint64_t mix = seed ^ (stream << 56);
  const uint64_t a = SplitMix64(mix);
  uint64_t key = a ^ (index * 0xd1b54a32d192ed03ULL);
  return Rng(SplitMix64(key));
}

double Rng::Normal() {
  // 1 - Uniform() is in (0, 1], so the logarithm is finite.
  const double u1 = 1.0 - Uniform();
  const double u2 = Uniform();
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

size_t Rng::Weighted(const std::vector<double>& weights) {
  double total = 0;
  for (double w : weights) total += w;
  double x = Uniform() * total;
  for (size_t i = 0; i < weights.size(); ++i) {
    if (x < weights[i]) return i;
    x -= weights[i];
  }
  // Rounding left x at the very end: the last positive weight.
  for (size_t i = weights.size(); i-- > 0;) {
    if (weights[i] > 0) return i;
  }
  return 0;
}

// ---- One deal's life --------------------------------------------------------------------------

namespace {

constexpr int64_t kMinute = 60'000;
constexpr int64_t kHour = 60 * kMinute;
// Nothing happens to a deal faster than this after the previous step.
constexpr int64_t kMinStep = 10 * kMinute;

int64_t DaysToMillis(double days) {
  return std::max(kMinStep, static_cast<int64_t>(days * static_cast<double>(kMillisPerDay)));
}

}  // namespace

void SimulateDealLife(const PipelineModel& model, Timestamp created, Timestamp now, double skill,
                      Rng& rng, DealLife& life) {
  life.events.clear();
  life.status = DealStatus::kOpen;
  life.closed_at.reset();
  life.lost_reason = -1;
  const int last = static_cast<int>(model.stages.size()) - 1;
  int stage = (last >= 1 && rng.Chance(model.enter_second)) ? 1 : 0;
  LifeEvent event;
  event.kind = StageEventKind::kCreated;
  event.at = created;
  event.to_stage = stage;
  life.events.push_back(event);
  life.stage = stage;
  life.stage_changed_at = created;

  bool stepped_back = false;
  bool reopened = false;
  int64_t t = created.millis;
  for (;;) {
    const StageModel& s = model.stages[static_cast<size_t>(stage)];
    t += DaysToMillis(rng.LogNormal(s.median_days, s.sigma));
    if (t >= now.millis) return;
    const bool advance = rng.Chance(std::min(1.0, s.advance * skill));
    if (advance && stage < last) {
      int to = stage + 1;
      if (stage >= 1 && !stepped_back && rng.Chance(model.step_back)) {
        to = stage - 1;
        stepped_back = true;
      } else if (stage + 2 <= last && rng.Chance(model.skip)) {
        to = stage + 2;
      }
      event = LifeEvent{};
      event.kind = StageEventKind::kStageChanged;
      event.at = Timestamp{t};
      event.from_stage = stage;
      event.to_stage = to;
      life.events.push_back(event);
      stage = to;
      life.stage = to;
      life.stage_changed_at = Timestamp{t};
      continue;
    }

    event = LifeEvent{};
    event.at = Timestamp{t};
    event.from_stage = event.to_stage = stage;
    if (advance) {
      event.kind = StageEventKind::kWon;
      event.to_status = DealStatus::kWon;
    } else {
      event.kind = StageEventKind::kLost;
      event.to_status = DealStatus::kLost;
      event.lost_reason = static_cast<int>(rng.Weighted(s.lost_reason_weights));
    }
    life.events.push_back(event);
    life.status = event.to_status;
    life.lost_reason = event.lost_reason;
    life.closed_at = Timestamp{t};

    if (reopened || !rng.Chance(model.reopen)) return;
    t += std::max(kHour, DaysToMillis(rng.LogNormal(model.reopen_median_days, model.reopen_sigma)));
    if (t >= now.millis) return;
    reopened = true;
    event.kind = StageEventKind::kReopened;
    event.at = Timestamp{t};
    event.from_status = life.status;
    event.to_status = DealStatus::kOpen;
    event.lost_reason = -1;
    life.events.push_back(event);
    life.status = DealStatus::kOpen;
    life.closed_at.reset();
    life.lost_reason = -1;
  }
}

// ---- The models ---------------------------------------------------------------------------------
//
// The figures are plausible for a mid-market B2B SaaS sales team, not measured from one: stage
// conversion rates of 75-85% per step compound to a ~22% win rate from prospecting (published
// B2B SaaS opportunity win rates sit around 20-30%); stage durations of a few days to two weeks
// (median) with a long right tail (log-normal, sigma 0.9) add up to a won-deal cycle of about two
// to three months, a common mid-market sales cycle, while lost deals mostly drop out early and
// fast. Together they give ~5 stage events per deal and a mean deal lifetime of ~5-6 weeks, so
// ~10% of a year's deals are still open at its end. Renewals convert at ~80% (typical gross
// revenue retention) and move faster.

namespace {

// Lost reasons, shared by both pipelines; the per-stage weights below index into this list.
const std::vector<std::string>& LostReasonLabels() {
  static const std::vector<std::string> kLabels = {
      "Not qualified",      "No budget",      "No decision / went dark", "Bad timing",
      "Chose a competitor", "Price too high", "Missing a feature",       "Churned: low usage"};
  return kLabels;
}

}  // namespace

PipelineModel SalesPipelineModel() {
  PipelineModel m;
  m.lost_reasons = LostReasonLabels();
  // advance, median days, sigma, lost reason weights (early: unqualified and silent buyers; late:
  // price and competitors).
  m.stages = {
      {0.75, 5, 0.9, {6, 2, 5, 2, 0.5, 0.5, 0.5, 0}},  // Prospecting
      {0.80, 6, 0.9, {5, 4, 3, 2, 1, 1, 1, 0}},        // Qualification
      {0.85, 5, 0.9, {2, 3, 4, 2, 2, 1, 2, 0}},        // Initial contact
      {0.85, 8, 0.9, {1, 2, 3, 2, 3, 2, 4, 0}},        // Needs assessment
      {0.80, 9, 0.9, {0.5, 2, 2, 2, 4, 4, 2, 0}},      // Proposal/quote
      {0.80, 10, 0.9, {0.2, 1, 1, 1, 4, 5, 1, 0}},     // Negotiation
      {0.85, 6, 0.9, {0.1, 1, 1, 1, 3, 4, 0.5, 0}},    // Closing
  };
  m.enter_second = 0.15;  // inbound leads that arrive already qualified
  m.skip = 0.06;
  m.step_back = 0.04;
  m.reopen = 0.03;
  m.reopen_median_days = 30;
  return m;
}

PipelineModel RenewalsPipelineModel() {
  PipelineModel m;
  m.lost_reasons = LostReasonLabels();
  m.stages = {
      {0.97, 6, 0.7, {0, 2, 1, 0, 2, 2, 1, 4}},  // Renewal due
      {0.96, 5, 0.7, {0, 2, 1, 0, 2, 2, 2, 4}},  // Account review
      {0.95, 4, 0.7, {0, 2, 1, 1, 3, 2, 3, 3}},  // Health check
      {0.94, 6, 0.7, {0, 3, 1, 1, 3, 3, 2, 2}},  // Renewal proposal
      {0.93, 7, 0.7, {0, 3, 1, 1, 3, 4, 1, 1}},  // Negotiation
      {0.97, 4, 0.7, {0, 2, 1, 1, 2, 3, 1, 1}},  // Verbal commit
      {0.98, 3, 0.7, {0, 2, 2, 1, 2, 2, 1, 1}},  // Paperwork
  };
  m.skip = 0.10;
  m.step_back = 0.03;
  m.reopen = 0.02;
  m.reopen_median_days = 14;
  return m;
}

// ---- The generator ------------------------------------------------------------------------------

namespace {

// The Renewals pipeline's stages: name, probability, rotting days, playbook.
struct RenewalStage {
  const char* name;
  int probability;
  int rotting_days;
  const char* playbook;
};
constexpr std::array<RenewalStage, 7> kRenewalStages = {{
    {"Renewal due", 50, 21,
     "Do: open the renewal 90 days before the term ends; check the contract and the owner.\n"
     "Exit when: the customer's renewal contact is confirmed."},
    {"Account review", 60, 14,
     "Do: review usage, support tickets and invoices; note expansion or churn signals.\n"
     "Exit when: the account's health is rated and logged."},
    {"Health check", 65, 14,
     "Do: meet the customer; confirm the value delivered and the plans for next year.\n"
     "Exit when: the customer agrees to receive a renewal offer."},
    {"Renewal proposal", 70, 14,
     "Do: send the renewal offer, with seat or plan changes.\n"
     "Exit when: the customer has reviewed the offer."},
    {"Negotiation", 80, 21,
     "Do: agree price changes, term and discounts with the signer.\n"
     "Exit when: terms are agreed."},
    {"Verbal commit", 90, 10,
     "Do: get the signer's commitment in writing; send the order form.\n"
     "Exit when: the order form is out for signature."},
    {"Paperwork", 95, 10,
     "Do: chase signature and purchase order; update billing.\n"
     "Exit when: signed (won) or refused (lost, with the reason)."},
}};

// ---- Names and phrases ----

constexpr std::array<std::string_view, 40> kFirstNames = {
    "Anna",  "Ben",   "Carla", "David", "Elena",  "Felix",  "Grace", "Hugo",  "Irene", "Jack",
    "Karen", "Liam",  "Mia",   "Noah",  "Olga",   "Peter",  "Quinn", "Rosa",  "Sam",   "Tara",
    "Umar",  "Vera",  "Will",  "Xenia", "Yusuf",  "Zoe",    "Marco", "Nadia", "Oscar", "Priya",
    "Aisha", "Bruno", "Chloe", "Diego", "Farida", "Gustav", "Hana",  "Ivan",  "Julia", "Kofi"};
constexpr std::array<std::string_view, 40> kLastNames = {
    "Anderson", "Brooks", "Castillo", "Dubois",  "Evans",     "Fischer", "Garcia",  "Hughes",
    "Ivanova",  "Jensen", "Kim",      "Larsen",  "Moreau",    "Nguyen",  "O'Brien", "Park",
    "Quintero", "Rossi",  "Schmidt",  "Tanaka",  "Usman",     "Varga",   "Walsh",   "Xu",
    "Young",    "Zimmer", "Mendes",   "Novak",   "Olsen",     "Reyes",   "Adeyemi", "Bauer",
    "Costa",    "Dahl",   "Eriksen",  "Fontana", "Gallagher", "Haddad",  "Ito",     "Kowalski"};

constexpr std::array<std::string_view, 48> kOrgFirstWords = {
    "Northwind",   "Bluefin",    "Acorn",     "Summit",    "Harbor",     "Ironwood",  "Cedar",
    "Brightline",  "Silverlake", "Redstone",  "Oakridge",  "Meridian",   "Pinnacle",  "Riverbend",
    "Stonebridge", "Clearwater", "Evergreen", "Granite",   "Lighthouse", "Maple",     "Copperleaf",
    "Falcon",      "Juniper",    "Keystone",  "Lakeshore", "Northstar",  "Orchard",   "Quarry",
    "Sterling",    "Tidewater",  "Aurora",    "Beacon",    "Cobalt",     "Driftwood", "Emberly",
    "Foxglove",    "Goldcrest",  "Hawthorn",  "Indigo",    "Jasper",     "Kestrel",   "Larkspur",
    "Monarch",     "Nimbus",     "Onyx",      "Prairie",   "Redwood",    "Saffron"};
constexpr std::array<std::string_view, 32> kOrgSecondWords = {
    "Logistics", "Health",   "Analytics",    "Foods",      "Manufacturing", "Software",
    "Dental",    "Hotels",   "Energy",       "Labs",       "Retail",        "Consulting",
    "Insurance", "Freight",  "Studios",      "Outfitters", "Robotics",      "Pharma",
    "Media",     "Capital",  "Construction", "Foods Co",   "Biotech",       "Systems",
    "Security",  "Learning", "Travel",       "Apparel",    "Motors",        "Networks",
    "Clinics",   "Property"};
constexpr std::array<std::string_view, 6> kOrgSuffixes = {"",     " Inc.",     " Group",
                                                          " Ltd", " Partners", " Holdings"};

constexpr std::array<std::string_view, 10> kSalesOffers = {
    "Annual subscription", "Team plan (25 seats)", "Enterprise rollout",    "Pilot project",
    "Onboarding package",  "Support upgrade",      "Expansion: new office", "Analytics add-on",
    "Platform migration",  "Multi-year agreement"};
constexpr std::array<std::string_view, 4> kRenewalOffers = {
    "Annual renewal", "Renewal with seat expansion", "Multi-year renewal", "Renewal and upgrade"};

// Lead sources of the Sales pipeline, with their shares; renewals come from existing customers.
constexpr std::array<std::string_view, 7> kSources = {
    "Web form", "Referral", "Outbound", "Event", "Partner", "Inbound call", "Paid ads"};
const std::vector<double> kSourceWeights = {30, 15, 25, 8, 7, 5, 10};
constexpr std::string_view kRenewalSource = "Existing customer";

struct ActivityKind {
  ActivityType type;
  std::array<std::string_view, 5> subjects;
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
const std::vector<double> kActivityKindWeights = {35, 25, 20, 20};

// Note texts; '\1' stands for the contact's first name, '\2' for the organization.
constexpr std::array<std::string_view, 8> kNoteTexts = {
    "Spoke with \1: budget is approved for this quarter; they want a proposal by the end of the "
    "month.",
    "\2 is comparing us with two other vendors. Price is their main concern.",
    "Champion is \1. The CFO signs; procurement will send a security questionnaire.",
    "Demo went well. Open questions about the CRM integration and single sign-on.",
    "Legal review of the contract started; expect redlines next week.",
    "Their fiscal year ends soon and \1 wants a decision before then.",
    "\1 asked for two customer references in their industry.",
    "Reorganisation at \2; new head of operations may restart the evaluation.",
};

// Random streams (Rng::ForItem) by kind of item.
enum Stream : uint64_t { kDealStream = 1, kOrgStream, kPersonStream, kRepStream, kTimeStream };

void AppendSlug(std::string_view text, std::string& out) {
  for (char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      out += c;
    } else if (c >= 'A' && c <= 'Z') {
      out += static_cast<char>(c - 'A' + 'a');
    }
  }
}

void AppendInt(int64_t value, std::string& out) {
  char digits[24];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value > 0);
  while (n > 0) out += digits[--n];
}

// Everything about an organization, derived from its own random stream so that deals can use
// its name, owner and currency without keeping 100k records in memory.
struct OrgInfo {
  size_t first_word, second_word, suffix, city;
  int street_number;
  int owner;  // rep index
  Timestamp created;
};

// Per-deal decisions that the card-position pre-pass and the record builder share.
struct DealPlan {
  Rng rng{0};
  int64_t index = 0;
  int pipeline = 0;  // 0 = Sales, 1 = Renewals
  int64_t org = 0;
  int64_t person = -1;  // none
  int owner = 0;
  Timestamp created;
  DealLife life;
};

// A batch of deals and everything that belongs to them, with reusable record buffers: only the
// first `n_*` elements of each vector are live, the rest keep their string capacity.
struct Batch {
  int64_t first = 0, last = 0;  // deal indexes [first, last)
  std::vector<Deal> deals;
  std::vector<StageEvent> events;
  std::vector<Activity> activities;
  std::vector<Note> notes;
  size_t n_deals = 0, n_events = 0, n_activities = 0, n_notes = 0;
  double build_seconds = 0;

  template <typename T>
  static T& Next(std::vector<T>& records, size_t& n) {
    if (n == records.size()) records.emplace_back();
    return records[n++];
  }
};

// An open deal's card, for the position pre-pass.
struct OpenCard {
  int64_t index;
  Id stage_id;
  int64_t stage_changed_at;
};

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

class Generator {
 public:
  explicit Generator(const GeneratorOptions& options)
      : options_(options),
        now_(options.now),
        start_(options.now.millis -
               static_cast<int64_t>(options.months * 365.25 / 12 * kMillisPerDay)),
        n_orgs_(std::max<int64_t>(1, options.deals / 10)),
        n_persons_(std::max<int64_t>(1, options.deals / 3)) {
    models_[0] = SalesPipelineModel();
    models_[1] = RenewalsPipelineModel();
    double total = 0;
    for (int r = 0; r < options.reps; ++r) {
      Rng rng = Rng::ForItem(options.seed, kRepStream, static_cast<uint64_t>(r));
      // Uneven but plausible: a few reps carry much more than others (log-normal book sizes)
      // and win somewhat more often.
      rep_cdf_.push_back(total += rng.LogNormal(1.0, 0.5));
      rep_skill_.push_back(std::clamp(1.0 + 0.06 * rng.Normal(), 0.88, 1.12));
    }
  }

  Result<GeneratorSummary> Run(Store& store,
                               const std::function<void(const GeneratorProgress&)>& progress) {
    const auto started = std::chrono::steady_clock::now();
    PD_ASSIGN_OR_RETURN(std::unique_ptr<BulkWriter> writer, store.BeginBulkLoad());

    // Card positions need every open deal's final stage before the first deal is written: a
    // pre-pass simulates the lives (cheap) while the setup and the contacts are written.
    std::future<std::vector<double>> positions_future =
        std::async(std::launch::async, [this] { return OpenCardPositions(); });
    const auto write_started = std::chrono::steady_clock::now();
    Status setup = WriteSetup(*writer);
    if (setup.ok()) setup = WriteContacts(*writer);
    summary_.write_seconds += Seconds(write_started);
    positions_ = positions_future.get();
    PD_RETURN_IF_ERROR(setup);

    Batch batches[2];
    int64_t next = 0;
    auto build = [this](Batch& batch, int64_t first) {
      const auto t0 = std::chrono::steady_clock::now();
      BuildBatch(batch, first, std::min(options_.deals, first + options_.batch_deals));
      batch.build_seconds = Seconds(t0);
    };
    build(batches[0], 0);
    next = batches[0].last;
    int current = 0;
    while (true) {
      Batch& batch = batches[current];
      Batch& other = batches[1 - current];
      std::future<void> building;
      if (next < options_.deals) {
        building = std::async(std::launch::async, build, std::ref(other), next);
      }
      const auto t0 = std::chrono::steady_clock::now();
      Status written = WriteBatch(*writer, batch);
      summary_.write_seconds += Seconds(t0);
      summary_.build_seconds += batch.build_seconds;
      if (building.valid()) building.wait();
      PD_RETURN_IF_ERROR(written);
      if (progress) progress({batch.last, options_.deals, Seconds(started)});
      if (!building.valid()) break;
      next = other.last;
      current = 1 - current;
    }

    const auto finish_started = std::chrono::steady_clock::now();
    PD_RETURN_IF_ERROR(writer->Finish());
    writer.reset();
    PD_RETURN_IF_ERROR(IssueAdminToken(store));
    summary_.finish_seconds = Seconds(finish_started);
    summary_.elapsed_seconds = Seconds(started);
    return summary_;
  }

 private:
  // ---- Ids: users 1 (admin), 2..R+1 (reps); pipelines 1 (Sales), 2 (Renewals); stages 1..7
  // and 8..14; organizations, persons and deals 1..n by index; events, activities and notes
  // numbered in the order they are built.
  static constexpr Id kAdminId = 1;
  Id RepId(int rep) const { return 2 + rep; }
  static Id PipelineId(int pipeline) { return 1 + pipeline; }
  Id StageId(int pipeline, int stage) const { return 1 + pipeline * 7 + stage; }

  // ---- Time ----

  // The raw creation instant of deal `index`: deals arrive evenly over the history, each at a
  // random moment of its own slot, so creation order is id order.
  Timestamp DealCreatedRaw(int64_t index) const {
    Rng rng = Rng::ForItem(options_.seed, kTimeStream, static_cast<uint64_t>(index));
    const double slot =
        (static_cast<double>(index) + rng.Uniform()) / static_cast<double>(options_.deals);
    return {start_ + static_cast<int64_t>(slot * static_cast<double>(now_.millis - start_))};
  }

  // A raw instant moved into office hours (08:00-18:00 UTC) by a monotonic map, so instants in
  // order stay in order; whole minutes; never later than a minute before now.
  Timestamp Office(Timestamp raw) const {
    const int64_t day_start = Floor(raw.millis, kMillisPerDay);
    const int64_t office = 8 * kHour + (raw.millis - day_start) * 10 / 24;
    return {std::min(Floor(day_start + office, kMinute), now_.millis - kMinute)};
  }
  static int64_t Floor(int64_t x, int64_t unit) {
    const int64_t q = x / unit;
    return (q * unit > x ? q - 1 : q) * unit;
  }

  // ---- Organizations and persons ----

  OrgInfo Org(int64_t k) const {
    Rng rng = Rng::ForItem(options_.seed, kOrgStream, static_cast<uint64_t>(k));
    OrgInfo org;
    org.owner = PickRep(rng);  // first, so that OrgOwner can draw it alone
    org.first_word = static_cast<size_t>(rng.Int(0, kOrgFirstWords.size() - 1));
    org.second_word = static_cast<size_t>(rng.Int(0, kOrgSecondWords.size() - 1));
    org.suffix = static_cast<size_t>(rng.Int(0, kOrgSuffixes.size() - 1));
    // One organization in twelve is in the euro area, so some deals are in EUR.
    org.city = static_cast<size_t>(rng.Chance(1.0 / 12) ? rng.Int(8, 11) : rng.Int(0, 7));
    org.street_number = static_cast<int>(rng.Int(1, 980));
    // Created a few days before its first deal (the organization's deals start at the deal
    // whose slot matches it; see PlanDeal).
    const int64_t first_deal = (k * options_.deals + n_orgs_ - 1) / n_orgs_;
    org.created = {DealCreatedRaw(first_deal).millis - DaysToMillis(rng.Uniform(1, 5))};
    return org;
  }

  void AppendOrgName(const OrgInfo& org, std::string& out) const {
    out += kOrgFirstWords[org.first_word];
    out += ' ';
    out += kOrgSecondWords[org.second_word];
    out += kOrgSuffixes[org.suffix];
  }

  // Persons of organization k are [PersonBegin(k), PersonBegin(k + 1)).
  int64_t PersonBegin(int64_t k) const { return k * n_persons_ / n_orgs_; }
  int64_t OrgOfPerson(int64_t j) const {
    int64_t k = j * n_orgs_ / n_persons_;
    while (k + 1 < n_orgs_ && PersonBegin(k + 1) <= j) ++k;
    while (k > 0 && PersonBegin(k) > j) --k;
    return k;
  }

  struct PersonName {
    size_t first, last;
  };
  // The first draws of person j's stream.
  static PersonName DrawPersonName(Rng& rng) {
    const auto first = static_cast<size_t>(rng.Int(0, kFirstNames.size() - 1));
    return {first, static_cast<size_t>(rng.Int(0, kLastNames.size() - 1))};
  }
  PersonName PersonNameOf(int64_t j) const {
    Rng rng = Rng::ForItem(options_.seed, kPersonStream, static_cast<uint64_t>(j));
    return DrawPersonName(rng);
  }

  int PickRep(Rng& rng) const {
    const double x = rng.Uniform() * rep_cdf_.back();
    const auto it = std::upper_bound(rep_cdf_.begin(), rep_cdf_.end(), x);
    return static_cast<int>(std::min<ptrdiff_t>(it - rep_cdf_.begin(), options_.reps - 1));
  }

  // ---- Setup ----

  Status WriteSetup(BulkWriter& writer) {
    const Timestamp setup_at = Office(Timestamp{start_ - 30 * kMillisPerDay});
    User admin;
    admin.id = kAdminId;
    admin.name = options_.admin_name;
    admin.email = options_.admin_email;
    admin.role = Role::kAdmin;
    admin.created_at = admin.updated_at = setup_at;
    PD_RETURN_IF_ERROR(writer.Add(admin));
    for (int r = 0; r < options_.reps; ++r) {
      // First-name/last-name pairs are distinct for the first 1,600 reps (the last-name index
      // shifts with each round through the first names); later ones get a number.
      const auto first = static_cast<size_t>(r) % kFirstNames.size();
      const auto last =
          (static_cast<size_t>(r) / kFirstNames.size() + 11 * first) % kLastNames.size();
      User rep;
      rep.id = RepId(r);
      rep.name = std::string(kFirstNames[first]) + " " + std::string(kLastNames[last]);
      AppendSlug(kFirstNames[first], rep.email);
      rep.email += '.';
      AppendSlug(kLastNames[last], rep.email);
      if (static_cast<size_t>(r) >= kFirstNames.size() * kLastNames.size()) {
        AppendInt(r, rep.email);
      }
      rep.email += "@sales.example.com";
      rep.role = Role::kRep;
      rep.created_at = rep.updated_at = Timestamp{setup_at.millis + (r + 1) * kMinute};
      PD_RETURN_IF_ERROR(writer.Add(rep));
    }
    summary_.users = options_.reps + 1;

    const StageTemplate* sales = FindStageTemplate("7-stage");
    for (int p = 0; p < 2; ++p) {
      Pipeline pipeline;
      pipeline.id = PipelineId(p);
      pipeline.name = p == 0 ? "Sales" : "Renewals";
      pipeline.order = p;
      pipeline.created_at = pipeline.updated_at = setup_at;
      PD_RETURN_IF_ERROR(writer.Add(pipeline));
      for (int s = 0; s < 7; ++s) {
        Stage stage;
        stage.id = StageId(p, s);
        stage.pipeline_id = pipeline.id;
        stage.order = s;
        if (p == 0) {
          const StageTemplateStage& t = sales->stages[static_cast<size_t>(s)];
          stage.name = t.name;
          stage.probability = t.probability;
          stage.rotting_days = t.rotting_days;
          stage.playbook = t.playbook;
        } else {
          const RenewalStage& t = kRenewalStages[static_cast<size_t>(s)];
          stage.name = t.name;
          stage.probability = t.probability;
          stage.rotting_days = t.rotting_days;
          stage.playbook = t.playbook;
        }
        stage.created_at = stage.updated_at = setup_at;
        PD_RETURN_IF_ERROR(writer.Add(stage));
      }
    }
    summary_.pipelines = 2;
    summary_.stages = 14;

    const std::vector<std::string>& labels = models_[0].lost_reasons;
    for (size_t i = 0; i < labels.size(); ++i) {
      LostReason reason;
      reason.id = static_cast<Id>(i) + 1;
      reason.label = labels[i];
      reason.order = static_cast<int32_t>(i);
      reason.created_at = reason.updated_at = setup_at;
      PD_RETURN_IF_ERROR(writer.Add(reason));
    }
    summary_.lost_reasons = static_cast<int64_t>(labels.size());
    return Status::Ok();
  }

  Status WriteContacts(BulkWriter& writer) {
    Organization org;
    for (int64_t k = 0; k < n_orgs_; ++k) {
      const OrgInfo info = Org(k);
      const SamplePlace& city = kSamplePlaces[info.city];
      org.id = k + 1;
      org.name.clear();
      AppendOrgName(info, org.name);
      org.address.clear();
      AppendInt(info.street_number, org.address);
      org.address += ' ';
      org.address += city.street;
      org.address += ", ";
      org.address += city.city;
      org.owner_id = RepId(info.owner);
      org.created_at = org.updated_at = Office(info.created);
      PD_RETURN_IF_ERROR(writer.Add(org));
    }
    summary_.organizations = n_orgs_;

    Person person;
    person.emails.resize(1);
    int64_t k = -1;
    OrgInfo info{};
    std::string domain;
    for (int64_t j = 0; j < n_persons_; ++j) {
      const int64_t org_of = OrgOfPerson(j);
      if (org_of != k) {
        k = org_of;
        info = Org(k);
        domain.clear();
        AppendSlug(kOrgFirstWords[info.first_word], domain);
        AppendSlug(kOrgSecondWords[info.second_word], domain);
        domain += ".example";
      }
      Rng rng = Rng::ForItem(options_.seed, kPersonStream, static_cast<uint64_t>(j));
      const PersonName name = DrawPersonName(rng);
      person.id = j + 1;
      person.name.assign(kFirstNames[name.first]);
      person.name += ' ';
      person.name += kLastNames[name.last];
      ContactPoint& email = person.emails[0];
      email.value.clear();
      AppendSlug(kFirstNames[name.first], email.value);
      email.value += '.';
      AppendSlug(kLastNames[name.last], email.value);
      email.value += '@';
      email.value += domain;
      email.label = "work";
      email.primary = true;
      const bool euro = kSamplePlaces[info.city].euro;
      person.phones.resize(rng.Chance(0.4) ? 2 : 1);
      for (size_t i = 0; i < person.phones.size(); ++i) {
        ContactPoint& phone = person.phones[i];
        phone.value.assign(euro ? "+49 30 " : "+1 555 ");
        AppendInt(rng.Int(100, 999), phone.value);
        phone.value += ' ';
        AppendInt(rng.Int(1000, 9999), phone.value);
        phone.label = i == 0 ? "work" : "mobile";
        phone.primary = i == 0;
      }
      person.org_id = k + 1;
      person.owner_id = RepId(info.owner);
      person.created_at = person.updated_at =
          Office(Timestamp{info.created.millis + (j - PersonBegin(k) + 1) * 10 * kMinute});
      PD_RETURN_IF_ERROR(writer.Add(person));
    }
    summary_.persons = n_persons_;
    return Status::Ok();
  }

  // ---- Deals ----

  // The draws every pass makes for deal `index`, in a fixed order: pipeline, organization,
  // contact, owner, and the life.
  void PlanDeal(int64_t index, DealPlan& plan) const {
    plan.rng = Rng::ForItem(options_.seed, kDealStream, static_cast<uint64_t>(index));
    Rng& rng = plan.rng;
    plan.index = index;
    plan.created = DealCreatedRaw(index);
    // Renewals are ~10% of deals and always with existing customers; new business goes to the
    // organization whose slot this is two times in three, else to an existing account.
    plan.pipeline = rng.Chance(0.10) ? 1 : 0;
    const int64_t current = std::min(n_orgs_ - 1, index * n_orgs_ / options_.deals);
    plan.org = (plan.pipeline == 0 && rng.Chance(0.65)) ? current : rng.Int(0, current);
    const int64_t begin = PersonBegin(plan.org), end = PersonBegin(plan.org + 1);
    plan.person = (end > begin && rng.Chance(0.92)) ? rng.Int(begin, end - 1) : -1;
    // The account owner works most of its deals; a colleague takes the rest.
    const bool account_owner = rng.Chance(0.8);
    const int other_rep = PickRep(rng);
    plan.owner = account_owner ? OrgOwner(plan.org) : other_rep;
    SimulateDealLife(models_[plan.pipeline], plan.created, now_, rep_skill_[plan.owner], rng,
                     plan.life);
  }

  // Org(k).owner without the other draws.
  int OrgOwner(int64_t k) const {
    Rng rng = Rng::ForItem(options_.seed, kOrgStream, static_cast<uint64_t>(k));
    return PickRep(rng);
  }

  // Positions of open cards, indexed by deal: within each stage the most recently moved card
  // first, then kPositionStep apart (what dragging each card to the top as it arrived gives,
  // renumbered). Closed deals get 0: off the board, and on top should one be reopened.
  std::vector<double> OpenCardPositions() const {
    std::vector<OpenCard> open;
    DealPlan plan;
    for (int64_t i = 0; i < options_.deals; ++i) {
      PlanDeal(i, plan);
      if (plan.life.status != DealStatus::kOpen) continue;
      open.push_back(
          {i, StageId(plan.pipeline, plan.life.stage), Office(plan.life.stage_changed_at).millis});
    }
    std::sort(open.begin(), open.end(), [](const OpenCard& a, const OpenCard& b) {
      if (a.stage_id != b.stage_id) return a.stage_id < b.stage_id;
      if (a.stage_changed_at != b.stage_changed_at) return a.stage_changed_at > b.stage_changed_at;
      return a.index < b.index;
    });
    std::vector<double> positions(static_cast<size_t>(options_.deals), 0.0);
    double position = 0;
    for (size_t i = 0; i < open.size(); ++i) {
      position = (i == 0 || open[i].stage_id != open[i - 1].stage_id) ? kPositionStep
                                                                      : position + kPositionStep;
      positions[static_cast<size_t>(open[i].index)] = position;
    }
    return positions;
  }

  void BuildBatch(Batch& batch, int64_t first, int64_t last) {
    batch.first = first;
    batch.last = last;
    batch.n_deals = batch.n_events = batch.n_activities = batch.n_notes = 0;
    for (int64_t i = first; i < last; ++i) {
      PlanDeal(i, plan_);
      BuildDeal(plan_, batch);
    }
  }

  void BuildDeal(DealPlan& plan, Batch& batch) {
    Rng& rng = plan.rng;
    const DealLife& life = plan.life;
    const PipelineModel& model = models_[plan.pipeline];
    const OrgInfo org = Org(plan.org);
    const bool euro = kSamplePlaces[org.city].euro;
    const Id deal_id = plan.index + 1;
    const Id owner_id = RepId(plan.owner);
    const Id pipeline_id = PipelineId(plan.pipeline);
    const std::optional<Id> person_id =
        plan.person >= 0 ? std::optional<Id>(plan.person + 1) : std::nullopt;
    const Id org_id = plan.org + 1;

    Deal& deal = Batch::Next(batch.deals, batch.n_deals);
    deal.id = deal_id;
    deal.title.clear();
    AppendOrgName(org, deal.title);
    deal.title += ": ";
    deal.title += plan.pipeline == 0
                      ? kSalesOffers[static_cast<size_t>(rng.Int(0, kSalesOffers.size() - 1))]
                      : kRenewalOffers[static_cast<size_t>(rng.Int(0, kRenewalOffers.size() - 1))];
    // Deal sizes: a log-normal around a $12k (renewals $18k) annual contract, whole hundreds.
    const double value = rng.LogNormal(plan.pipeline == 0 ? 12'000 : 18'000, 0.9);
    deal.value.amount_minor = std::clamp<int64_t>(std::llround(value / 100), 5, 20'000) * 100 * 100;
    deal.value.currency = euro ? "EUR" : options_.currency;
    deal.pipeline_id = pipeline_id;
    deal.stage_id = StageId(plan.pipeline, life.stage);
    deal.status = life.status;
    deal.lost_reason.clear();
    if (life.status == DealStatus::kLost) {
      deal.lost_reason = model.lost_reasons[static_cast<size_t>(life.lost_reason)];
    }
    // The close date the rep expected when creating the deal (may be in the future).
    deal.expected_close_date =
        DateOf(Timestamp{plan.created.millis + rng.Int(21, 120) * kMillisPerDay});
    deal.owner_id = owner_id;
    deal.person_id = person_id;
    deal.org_id = org_id;
    deal.source = plan.pipeline == 0 ? kSources[rng.Weighted(kSourceWeights)] : kRenewalSource;
    deal.position = positions_[static_cast<size_t>(plan.index)];
    deal.probability_override.reset();
    // Reps override the stage's probability on a few deals.
    if (rng.Chance(0.04)) deal.probability_override = static_cast<int32_t>(rng.Int(1, 19) * 5);
    deal.stage_changed_at = Office(life.stage_changed_at);
    deal.closed_at.reset();
    if (life.closed_at) deal.closed_at = Office(*life.closed_at);
    deal.created_at = Office(plan.created);

    // The stage history.
    for (const LifeEvent& e : life.events) {
      StageEvent& event = Batch::Next(batch.events, batch.n_events);
      event.id = ++last_event_id_;
      event.deal_id = deal_id;
      event.kind = e.kind;
      event.at = Office(e.at);
      event.user_id = owner_id;
      event.from_pipeline_id.reset();
      event.from_stage_id.reset();
      if (e.from_stage >= 0) {
        event.from_pipeline_id = pipeline_id;
        event.from_stage_id = StageId(plan.pipeline, e.from_stage);
      }
      event.to_pipeline_id = pipeline_id;
      event.to_stage_id = StageId(plan.pipeline, e.to_stage);
      event.from_status = e.from_status;
      event.to_status = e.to_status;
      event.lost_reason.clear();
      if (e.kind == StageEventKind::kLost) {
        event.lost_reason = model.lost_reasons[static_cast<size_t>(e.lost_reason)];
      }
    }
    summary_.stage_events += static_cast<int64_t>(life.events.size());
    switch (life.status) {
      case DealStatus::kOpen:
        ++summary_.open_deals;
        break;
      case DealStatus::kWon:
        ++summary_.won_deals;
        break;
      case DealStatus::kLost:
        ++summary_.lost_deals;
        break;
    }

    // Activities: past work in each stretch the deal was open, done before it moved on; the
    // next step planned on an open deal.
    std::optional<Date> next_activity;
    std::optional<Timestamp> last_activity;
    ActivityContext ctx{deal_id, owner_id, person_id, org_id};
    for (size_t k = 0; k < life.events.size(); ++k) {
      if (life.events[k].to_status != DealStatus::kOpen) continue;
      const int64_t from = life.events[k].at.millis;
      const int64_t to = k + 1 < life.events.size() ? life.events[k + 1].at.millis : now_.millis;
      const int count = static_cast<int>(rng.Weighted(kPastActivityCounts));
      if (to - from < 4 * kHour) continue;
      for (int n = 0; n < count; ++n) {
        const Timestamp done = AddPastActivity(ctx, from, to, rng, batch);
        if (!last_activity || done > *last_activity) last_activity = done;
      }
    }
    if (life.status == DealStatus::kOpen) {
      const auto next = static_cast<NextStep>(rng.Weighted(kNextStepWeights));
      if (next != NextStep::kNone) {
        next_activity = AddNextActivity(ctx, next, life.stage_changed_at, rng, batch);
        // Some reps plan two steps ahead.
        if (next == NextStep::kUpcoming && rng.Chance(0.25)) {
          AddNextActivity(ctx, NextStep::kLater, life.stage_changed_at, rng, batch);
        }
      }
    }
    deal.next_activity_date = next_activity;
    deal.last_activity_at = last_activity;

    // Notes about the deal, written while it was alive.
    const int64_t end = life.closed_at ? life.closed_at->millis : now_.millis;
    const int notes = static_cast<int>(rng.Weighted(kNoteCounts));
    for (int n = 0; n < notes; ++n) {
      Note& note = Batch::Next(batch.notes, batch.n_notes);
      note.id = ++last_note_id_;
      note.content.clear();
      const std::string_view text = kNoteTexts[static_cast<size_t>(rng.Int(0, 7))];
      for (char c : text) {
        if (c == '\1') {
          note.content += plan.person >= 0 ? kFirstNames[PersonNameOf(plan.person).first]
                                           : std::string_view("the buyer");
        } else if (c == '\2') {
          AppendOrgName(org, note.content);
        } else {
          note.content += c;
        }
      }
      note.deal_id = deal_id;
      note.person_id.reset();
      note.org_id.reset();
      note.user_id = owner_id;
      note.pinned = rng.Chance(0.05);
      note.version = 1;
      const int64_t at = plan.created.millis +
                         static_cast<int64_t>(static_cast<double>(end - plan.created.millis) *
                                              rng.Uniform(0.05, 0.95));
      note.created_at = note.updated_at = Office(Timestamp{at});
    }
    summary_.notes += notes;

    // Edits of the deal itself (value, close date, contact) between the moves: each one bumps
    // the version.
    const int edits = static_cast<int>(rng.Int(0, 2));
    Timestamp updated = Office(life.events.back().at);
    for (int n = 0; n < edits; ++n) {
      const int64_t at =
          plan.created.millis +
          static_cast<int64_t>(static_cast<double>(end - plan.created.millis) * rng.Uniform());
      updated = std::max(updated, Office(Timestamp{at}));
    }
    deal.version = static_cast<int64_t>(life.events.size()) + edits;
    deal.updated_at = updated;
  }

  // ---- Activities ----

  struct ActivityContext {
    Id deal_id, owner_id;
    std::optional<Id> person_id;
    Id org_id;
  };
  enum class NextStep { kNone, kOverdue, kToday, kUpcoming, kLater };
  // Of open deals: 15% have nothing planned (the "no next activity" flag), 15% an overdue step,
  // 10% one due today, 60% one upcoming.
  inline static const std::vector<double> kNextStepWeights = {15, 15, 10, 60};
  // Done activities per stretch between two moves: 0, 1 or 2 (calibrated to ~3 per deal).
  inline static const std::vector<double> kPastActivityCounts = {35, 55, 10};
  // Notes per deal: 0, 1 or 2 (~0.5 on average).
  inline static const std::vector<double> kNoteCounts = {60, 30, 10};

  Activity& NewActivity(const ActivityContext& ctx, Rng& rng, Batch& batch) {
    Activity& a = Batch::Next(batch.activities, batch.n_activities);
    a.id = ++last_activity_id_;
    const ActivityKind& kind = kActivityKinds[rng.Weighted(kActivityKindWeights)];
    a.type = kind.type;
    a.subject.assign(kind.subjects[static_cast<size_t>(rng.Int(0, 4))]);
    a.duration_minutes = 0;
    if (kind.type == ActivityType::kCall) a.duration_minutes = rng.Chance(0.5) ? 15 : 30;
    if (kind.type == ActivityType::kMeeting) a.duration_minutes = rng.Chance(0.5) ? 30 : 60;
    a.due_time.reset();
    a.deal_id = ctx.deal_id;
    a.person_id = ctx.person_id;
    a.org_id = ctx.org_id;
    a.owner_id = ctx.owner_id;
    a.note.clear();
    ++summary_.activities;
    return a;
  }

  // An activity created inside [from, to) and done before `to`; returns when it was done.
  Timestamp AddPastActivity(const ActivityContext& ctx, int64_t from, int64_t to, Rng& rng,
                            Batch& batch) {
    Activity& a = NewActivity(ctx, rng, batch);
    const int64_t span = to - from;
    const int64_t created =
        from + static_cast<int64_t>(static_cast<double>(span) * rng.Uniform(0.02, 0.3));
    const int64_t done =
        created +
        static_cast<int64_t>(static_cast<double>(to - created - kMinute) * rng.Uniform(0.3, 0.98));
    a.created_at = Office(Timestamp{created});
    a.done = true;
    a.done_at = Office(Timestamp{done});
    a.due_date = DateOf(*a.done_at);
    if (a.type == ActivityType::kCall || a.type == ActivityType::kMeeting) {
      const int64_t minute_of_day = (a.done_at->millis - StartOf(a.due_date).millis) / kMinute;
      a.due_time = TimeOfDay{static_cast<int32_t>(minute_of_day / 30 * 30)};
    }
    a.version = 2;  // created, then marked done
    a.updated_at = *a.done_at;
    return *a.done_at;
  }

  // The open deal's next step, due relative to today, planned a few days ahead but after the
  // deal reached its stage; returns its due date.
  Date AddNextActivity(const ActivityContext& ctx, NextStep next, Timestamp stage_entered, Rng& rng,
                       Batch& batch) {
    Activity& a = NewActivity(ctx, rng, batch);
    const Date today = DateOf(now_);
    Date due = today;
    if (next == NextStep::kOverdue) due = AddDays(today, -static_cast<int32_t>(rng.Int(1, 10)));
    if (next == NextStep::kUpcoming) due = AddDays(today, static_cast<int32_t>(rng.Int(1, 14)));
    if (next == NextStep::kLater) due = AddDays(today, static_cast<int32_t>(rng.Int(15, 30)));
    a.due_date = due;
    if (a.type == ActivityType::kCall || a.type == ActivityType::kMeeting) {
      a.due_time = TimeOfDay{static_cast<int32_t>(rng.Int(16, 34) * 30)};  // 08:00-17:00
    }
    const int64_t planned = StartOf(due).millis - rng.Int(1, 5) * kMillisPerDay;
    const int64_t latest = now_.millis - kMinute;
    const int64_t earliest = std::min(stage_entered.millis + kHour, latest);
    a.created_at = a.updated_at = Office(Timestamp{std::clamp(planned, earliest, latest)});
    a.done = false;
    a.done_at.reset();
    a.version = 1;
    return due;
  }

  Status WriteBatch(BulkWriter& writer, const Batch& batch) {
    for (size_t i = 0; i < batch.n_deals; ++i) PD_RETURN_IF_ERROR(writer.Add(batch.deals[i]));
    for (size_t i = 0; i < batch.n_events; ++i) PD_RETURN_IF_ERROR(writer.Add(batch.events[i]));
    for (size_t i = 0; i < batch.n_activities; ++i) {
      PD_RETURN_IF_ERROR(writer.Add(batch.activities[i]));
    }
    for (size_t i = 0; i < batch.n_notes; ++i) PD_RETURN_IF_ERROR(writer.Add(batch.notes[i]));
    summary_.deals += static_cast<int64_t>(batch.n_deals);
    return Status::Ok();
  }

  // The admin's token and the workspace settings go through a normal write transaction: the bulk
  // writer has no token records, and the secret must come from the CSPRNG (tokens.h).
  Status IssueAdminToken(Store& store) {
    const std::string secret = GenerateTokenSecret();
    PD_RETURN_IF_ERROR(store.Write([&](StoreTx& tx) -> Status {
      PD_RETURN_IF_ERROR(tx.PutSetting("default_currency", options_.currency));
      ApiToken token;
      token.user_id = kAdminId;
      token.name = "generated workspace admin token";
      token.secret_hash = HashTokenSecret(secret);
      token.prefix = TokenPrefix(secret);
      token.created_at = now_;
      return tx.InsertToken(std::move(token)).status();
    }));
    summary_.admin_id = kAdminId;
    summary_.admin_token = secret;
    return Status::Ok();
  }

  const GeneratorOptions& options_;
  const Timestamp now_;
  const int64_t start_;  // raw start of the history
  const int64_t n_orgs_, n_persons_;
  PipelineModel models_[2];
  std::vector<double> rep_skill_, rep_cdf_;  // by rep index; rep_cdf_ sums the book weights
  std::vector<double> positions_;            // by deal index

  // Builder-thread state (one batch is built at a time).
  DealPlan plan_;
  Id last_event_id_ = 0, last_activity_id_ = 0, last_note_id_ = 0;
  GeneratorSummary summary_;
};

}  // namespace

Result<GeneratorSummary> GenerateWorkspace(
    Store& store, const GeneratorOptions& options,
    const std::function<void(const GeneratorProgress&)>& progress) {
  if (options.deals < 1) return Status::Invalid("deals", "must be at least 1");
  if (options.reps < 1 || options.reps > 10'000) {
    return Status::Invalid("reps", "must be between 1 and 10000");
  }
  if (options.months < 1 || options.months > 120) {
    return Status::Invalid("months", "must be between 1 and 120");
  }
  if (!IsCurrencyCode(options.currency)) {
    return Status::Invalid("currency", "\"" + options.currency + "\" is not an ISO 4217 code");
  }
  if (options.batch_deals < 1) return Status::Invalid("batch_deals", "must be at least 1");
  bool empty = false;
  PD_RETURN_IF_ERROR(store.Read([&](StoreTx& tx) -> Status {
    ListQuery any;
    any.limit = 1;
    PD_ASSIGN_OR_RETURN(Page<User> users, tx.ListUsers(any));
    empty = users.items.empty();
    return Status::Ok();
  }));
  if (!empty) {
    return Status::Conflict("the workspace already has data; generate into a new database file");
  }
  Generator generator(options);
  return generator.Run(store, progress);
}

}  // namespace pipedeck
