#include "core/deal_rules.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/validate.h"

namespace pipedeck {
namespace {

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kWhitespace = " \t\n\r\f\v";
  const size_t first = s.find_first_not_of(kWhitespace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kWhitespace) - first + 1);
}

// The history entry for a status change; the deal stays in its stage.
StageEvent StatusEvent(const Deal& before, const Deal& after, StageEventKind kind, Id user_id,
                       Timestamp now) {
  StageEvent e;
  e.deal_id = before.id;
  e.kind = kind;
  e.at = now;
  e.user_id = user_id;
  e.from_pipeline_id = before.pipeline_id;
  e.to_pipeline_id = after.pipeline_id;
  e.from_stage_id = before.stage_id;
  e.to_stage_id = after.stage_id;
  e.from_status = before.status;
  e.to_status = after.status;
  e.lost_reason = after.lost_reason;
  return e;
}

}  // namespace

StageEvent CreationEvent(const Deal& created, Id user_id, Timestamp now) {
  StageEvent e;
  e.deal_id = created.id;
  e.kind = StageEventKind::kCreated;
  e.at = now;
  e.user_id = user_id;
  e.to_pipeline_id = created.pipeline_id;
  e.to_stage_id = created.stage_id;
  e.from_status = created.status;
  e.to_status = created.status;
  e.lost_reason = created.lost_reason;
  return e;
}

Result<MoveResult> MoveDeal(const Deal& deal, const Stage& to, double new_position, Id user_id,
                            Timestamp now) {
  if (deal.status != DealStatus::kOpen) {
    return Status::Conflict("only open deals can be moved; reopen it first", "status");
  }
  MoveResult result{deal, std::nullopt};
  Deal& moved = result.deal;
  moved.position = new_position;
  moved.updated_at = now;
  if (to.id == deal.stage_id) return result;

  // The probability override is the rep's own judgement and deliberately survives the move.
  moved.pipeline_id = to.pipeline_id;
  moved.stage_id = to.id;
  moved.stage_changed_at = now;
  StageEvent e;
  e.deal_id = deal.id;
  e.kind = StageEventKind::kStageChanged;
  e.at = now;
  e.user_id = user_id;
  e.from_pipeline_id = deal.pipeline_id;
  e.to_pipeline_id = moved.pipeline_id;
  e.from_stage_id = deal.stage_id;
  e.to_stage_id = moved.stage_id;
  e.from_status = deal.status;
  e.to_status = moved.status;
  result.event = std::move(e);
  return result;
}

Result<DealTransition> MarkWon(const Deal& deal, Id user_id, Timestamp now) {
  if (deal.status == DealStatus::kWon) return Status::Conflict("deal is already won", "status");
  Deal won = deal;
  won.status = DealStatus::kWon;
  won.lost_reason.clear();
  won.closed_at = now;
  won.updated_at = now;
  StageEvent e = StatusEvent(deal, won, StageEventKind::kWon, user_id, now);
  return DealTransition{std::move(won), std::move(e)};
}

Result<DealTransition> MarkLost(const Deal& deal, std::string_view reason, Id user_id,
                                Timestamp now) {
  if (deal.status == DealStatus::kLost) return Status::Conflict("deal is already lost", "status");
  const std::string_view trimmed = Trim(reason);
  if (trimmed.empty()) return Status::Invalid("lost_reason", "a lost deal needs a reason");
  if (trimmed.size() > kMaxTitleLength) {
    return Status::Invalid("lost_reason",
                           "must be at most " + std::to_string(kMaxTitleLength) + " characters");
  }
  if (!IsValidUtf8(trimmed)) return Status::Invalid("lost_reason", "must be valid UTF-8 text");
  Deal lost = deal;
  lost.status = DealStatus::kLost;
  lost.lost_reason = std::string(trimmed);
  lost.closed_at = now;
  lost.updated_at = now;
  StageEvent e = StatusEvent(deal, lost, StageEventKind::kLost, user_id, now);
  return DealTransition{std::move(lost), std::move(e)};
}

Result<DealTransition> Reopen(const Deal& deal, Id user_id, Timestamp now) {
  if (deal.status == DealStatus::kOpen) return Status::Conflict("deal is already open", "status");
  Deal reopened = deal;
  reopened.status = DealStatus::kOpen;
  reopened.lost_reason.clear();
  reopened.closed_at.reset();
  reopened.updated_at = now;
  StageEvent e = StatusEvent(deal, reopened, StageEventKind::kReopened, user_id, now);
  return DealTransition{std::move(reopened), std::move(e)};
}

int32_t EffectiveProbability(const Deal& deal, const Stage& stage) {
  switch (deal.status) {
    case DealStatus::kWon:
      return 100;
    case DealStatus::kLost:
      return 0;
    case DealStatus::kOpen:
      break;
  }
  return deal.probability_override.value_or(stage.probability);
}

Status CheckStageInPipeline(const Stage& stage, Id pipeline_id) {
  if (stage.pipeline_id == pipeline_id) return Status::Ok();
  return Status::Invalid("stage_id", "stage " + std::to_string(stage.id) + " belongs to pipeline " +
                                         std::to_string(stage.pipeline_id) + ", not pipeline " +
                                         std::to_string(pipeline_id));
}

std::optional<double> PositionBetween(std::optional<double> before, std::optional<double> after) {
  if (!before && !after) return kPositionStep;
  if (!before) return *after - kPositionStep;
  if (!after) return *before + kPositionStep;
  const double low = *before;
  const double high = *after;
  const double mid = low + (high - low) / 2;
  // Stop well before doubles run out of bits: a gap this small relative to the positions means
  // the next few drops would collide, and renumbering is cheap.
  const double scale = std::max({1.0, std::fabs(low), std::fabs(high)});
  if (!(low < mid && mid < high) || high - low < 1e-9 * scale) return std::nullopt;
  return mid;
}

std::vector<double> RenumberedPositions(size_t count) {
  std::vector<double> positions(count);
  for (size_t i = 0; i < count; ++i) positions[i] = kPositionStep * static_cast<double>(i + 1);
  return positions;
}

bool IsOverdue(const Activity& a, Timestamp now) {
  if (a.done) return false;
  // Without a time the activity is due at any moment of its day: the last millisecond of it.
  const Timestamp due = a.due_time
                            ? Timestamp{StartOf(a.due_date).millis + a.due_time->minutes * 60'000LL}
                            : Timestamp{StartOf(AddDays(a.due_date, 1)).millis - 1};
  return now > due;
}

std::optional<Timestamp> RottingFrom(const Deal& deal, const Stage& stage) {
  if (deal.status != DealStatus::kOpen || !stage.rotting_days) return std::nullopt;
  Timestamp last_touch = std::max(deal.updated_at, deal.stage_changed_at);
  if (deal.last_activity_at) last_touch = std::max(last_touch, *deal.last_activity_at);
  // Rotting once more than rotting_days have passed: one millisecond after the limit.
  return Timestamp{last_touch.millis + int64_t{*stage.rotting_days} * kMillisPerDay + 1};
}

bool IsRotting(const Deal& deal, const Stage& stage, Timestamp now) {
  std::optional<Timestamp> from = RottingFrom(deal, stage);
  return from && now >= *from;
}

std::optional<Timestamp> OverdueFrom(const Deal& deal) {
  if (deal.status != DealStatus::kOpen || !deal.next_activity_date) return std::nullopt;
  // Overdue once the due date is before today (UTC): from the start of the next day.
  return StartOf(Date{deal.next_activity_date->days + 1});
}

bool HasOverdueNextActivity(const Deal& deal, Timestamp now) {
  std::optional<Timestamp> from = OverdueFrom(deal);
  return from && now >= *from;
}

std::vector<Stage> ReorderStages(std::vector<Stage> stages, size_t from, size_t to) {
  if (from != to) {
    Stage moving = std::move(stages[from]);
    stages.erase(stages.begin() + static_cast<std::ptrdiff_t>(from));
    stages.insert(stages.begin() + static_cast<std::ptrdiff_t>(to), std::move(moving));
  }
  std::vector<Stage> changed;
  for (size_t i = 0; i < stages.size(); ++i) {
    const auto order = static_cast<int32_t>(i);
    if (stages[i].order == order) continue;
    stages[i].order = order;
    changed.push_back(stages[i]);
  }
  return changed;
}

}  // namespace pipedeck
