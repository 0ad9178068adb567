// The workspace generator: a large, realistic sales workspace for benchmarks
// (`pipedeck generate`).
//
// Shape, for N deals over M months: R reps and one admin (with an API token); a 7-stage "Sales"
// pipeline from the 7-stage template and a 7-stage "Renewals" pipeline holding ~10% of the deals;
// configured lost reasons; ~N/10 organizations and ~N/3 persons (each person works at one
// organization, deals link to an organization and usually one of its people); deals created
// evenly over the M months, each living through a simulated stage history (SimulateDealLife):
// about 5 stage events per deal, ~28% won (~22% of Sales deals, ~80% of renewals), most of the rest
// lost with a reason that fits the stage where they dropped out, and the deals still in flight at
// "now" open (≈ mean deal lifetime ÷ history span: ~10% over 12 months, ~20% over 6); ~3 activities
// per deal (done ones during the deal's life; on open deals some overdue, some due today, most
// upcoming, some with nothing planned) and ~0.5 notes. Deals' derived fields are consistent with
// their rows: stage and status with the last stage event, stage_changed_at, closed_at, lost_reason,
// next_activity_date and last_activity_at with the activities, dense card positions per stage
// (most recently moved card on top), versions counting the changes.
//
// Deterministic: the same options (seed and now included) write the same database, byte for byte
// in content (the admin's token secret aside, which is random by design). Every deal draws from
// its own random stream, keyed by the seed and its index, so the result does not depend on how
// the work is split into batches or threads.
//
// Speed: records go through Store::BeginBulkLoad; batches of deals are built on a second thread
// while the previous batch is written, and per-deal work reuses its buffers.
#pragma once

#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/model.h"
#include "core/status.h"
#include "core/time.h"
#include "store/store.h"

namespace pipedeck {

// ---- Random numbers -------------------------------------------------------------------------

// xoshiro256** (Blackman & Vigna), seeded through SplitMix64: fast, small state, and the same
// sequence on every platform (unlike the std distributions), which keeps generated data stable.
class Rng {
 public:
  explicit Rng(uint64_t seed);
  // An independent stream for item `index` of kind `stream` under `seed`.
  static Rng ForItem(uint64_t seed, uint64_t stream, uint64_t index);

  uint64_t Next() {
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  double Uniform(double low, double high) { return low + (high - low) * Uniform(); }
  // True with probability p: always for p >= 1, never for p <= 0.
  bool Chance(double p) { return Uniform() < p; }
  // Uniform in [low, high]. REQUIRES: low <= high.
  int64_t Int(int64_t low, int64_t high) {
    const uint64_t span = static_cast<uint64_t>(high - low) + 1;
    return low + static_cast<int64_t>(static_cast<unsigned __int128>(Next()) * span >> 64);
  }
  // Standard normal (Box-Muller).
  double Normal();
  // Log-normal with the given median and shape; sigma 0 gives exactly the median.
  double LogNormal(double median, double sigma) {
    return sigma == 0 ? median : median * std::exp(sigma * Normal());
  }
  // An index drawn with probability proportional to weights[i]. REQUIRES: a positive weight.
  size_t Weighted(const std::vector<double>& weights);

 private:
  static uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  uint64_t s_[4];
};

// ---- One deal's life --------------------------------------------------------------------------

// How deals behave in one stage of a pipeline.
struct StageModel {
  // Chance that a deal leaving this stage moves on (from the last stage: is won); the rest are
  // lost here.
  double advance = 1.0;
  // Days spent in the stage before the deal moves on or is lost: log-normal.
  double median_days = 7;
  double sigma = 0;
  // Weights of the pipeline's lost reasons (PipelineModel::lost_reasons) for deals lost here.
  std::vector<double> lost_reason_weights;
};

struct PipelineModel {
  std::vector<StageModel> stages;  // in pipeline order
  std::vector<std::string> lost_reasons;
  double enter_second = 0;  // chance a deal is created in the second stage (qualified inbound)
  double skip = 0;          // chance a forward move jumps over the next stage
  double step_back = 0;     // chance a move out of stage ≥ 1 goes back one stage (once per deal)
  double reopen = 0;        // chance a closed deal is reopened (once per deal)
  double reopen_median_days = 20;  // days from closing to reopening: log-normal
  double reopen_sigma = 0.8;
};

// One entry of a simulated history. Stages are indexes into PipelineModel::stages.
struct LifeEvent {
  StageEventKind kind = StageEventKind::kCreated;
  Timestamp at;
  int from_stage = -1;  // -1 for kCreated
  int to_stage = 0;
  DealStatus from_status = DealStatus::kOpen, to_status = DealStatus::kOpen;
  int lost_reason = -1;  // index into PipelineModel::lost_reasons, for kLost
};

struct DealLife {
  std::vector<LifeEvent> events;  // chronological; the first is kCreated
  DealStatus status = DealStatus::kOpen;
  int stage = 0;  // the stage the deal is in (or was closed in)
  Timestamp stage_changed_at;
  std::optional<Timestamp> closed_at;
  int lost_reason = -1;  // for a lost deal
};

// Simulates a deal created at `created` until `now`: it waits a drawn time in each stage, then
// moves on with the stage's advance probability (scaled by `skill`, the owner's knack, capped at
// 1) or is lost with a reason drawn for that stage; moving on from the last stage wins it. A move
// may skip a stage or step back one; a closed deal may be reopened and carry on from the stage it
// closed in. Whatever would happen at or after `now` does not happen: the deal stays as it is.
// Every instant is ≥ created and < now. Pure: the outcome depends only on the arguments and the
// random stream. `life` is overwritten (its buffers reused). REQUIRES: created < now, stages
// non-empty, each lost_reason_weights with a positive weight when its advance is below 1.
void SimulateDealLife(const PipelineModel& model, Timestamp created, Timestamp now, double skill,
                      Rng& rng, DealLife& life);

// The models the generator uses (plausible B2B SaaS figures; see generator.cc).
PipelineModel SalesPipelineModel();
PipelineModel RenewalsPipelineModel();

// ---- The generator ----------------------------------------------------------------------------

struct GeneratorOptions {
  int64_t deals = 1000;
  int reps = 10;
  int months = 12;
  uint64_t seed = 1;
  Timestamp now;                 // the end of the generated history
  std::string currency = "USD";  // the workspace default; euro-area organizations deal in EUR
  int64_t batch_deals = 8192;    // deals per batch handed to the writer
  std::string admin_name = "Admin";
  std::string admin_email = "admin@example.com";
};

struct GeneratorProgress {
  int64_t deals_done = 0;
  int64_t deals_total = 0;
  double elapsed_seconds = 0;
};

struct GeneratorSummary {
  int64_t users = 0, pipelines = 0, stages = 0, lost_reasons = 0, organizations = 0, persons = 0,
          deals = 0, stage_events = 0, activities = 0, notes = 0;
  int64_t open_deals = 0, won_deals = 0, lost_deals = 0;
  int64_t rows() const {
    return users + pipelines + stages + lost_reasons + organizations + persons + deals +
           stage_events + activities + notes;
  }
  Id admin_id = 0;
  std::string admin_token;  // the admin's API token secret ("pd_..."), shown once
  double elapsed_seconds = 0;
  double build_seconds = 0;   // building records (simulation), on the builder thread
  double write_seconds = 0;   // handing records to the bulk writer, on the calling thread
  double finish_seconds = 0;  // BulkWriter::Finish (indexes, derived data) and the token
};

// Fills an empty store. `progress` (may be empty) is called on the calling thread after each
// batch. Errors: kInvalid naming the option (deals ≥ 1, reps 1..10000, months 1..120);
// kConflict when the store already has users; the store's error otherwise (the load is not
// atomic: use a new file).
Result<GeneratorSummary> GenerateWorkspace(
    Store& store, const GeneratorOptions& options,
    const std::function<void(const GeneratorProgress&)>& progress);

}  // namespace pipedeck
