// How deals move: status transitions, stage moves, probability, card order and the board flags.
//
// These are the rules the board, the API and analytics share. Every function is pure: it takes
// the records involved and "now", and returns the new state plus the StageEvent to record, or the
// Status explaining why the move is not allowed.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "core/model.h"
#include "core/status.h"

namespace pipedeck {

// A change of a deal and the history entry that records it.
struct DealTransition {
  Deal deal;
  StageEvent event;
};

// The history entry for a newly created deal.
StageEvent CreationEvent(const Deal& created, Id user_id, Timestamp now);

// Moves an open deal to stage `to` (of any pipeline; the deal's pipeline follows the stage) at
// `new_position`. A move within the same stage only changes the position and records no event.
// Errors: kConflict "status" when the deal is not open.
struct MoveResult {
  Deal deal;
  std::optional<StageEvent> event;  // set when the stage changed
};
Result<MoveResult> MoveDeal(const Deal& deal, const Stage& to, double new_position, Id user_id,
                            Timestamp now);

// open|lost → won. Errors: kConflict when already won.
Result<DealTransition> MarkWon(const Deal& deal, Id user_id, Timestamp now);
// open|won → lost with a reason. Errors: kInvalid "lost_reason" when blank or too long;
// kConflict when already lost.
Result<DealTransition> MarkLost(const Deal& deal, std::string_view reason, Id user_id,
                                Timestamp now);
// won|lost → open, back in the stage it was in. Errors: kConflict when already open.
Result<DealTransition> Reopen(const Deal& deal, Id user_id, Timestamp now);

// The probability used for weighting: the deal's override if set, else its stage's. Won deals
// count 100, lost deals 0.
int32_t EffectiveProbability(const Deal& deal, const Stage& stage);

// Checks that `stage` may hold a deal of pipeline `pipeline_id`: kInvalid "stage_id" otherwise.
Status CheckStageInPipeline(const Stage& stage, Id pipeline_id);

// ---- Card order -------------------------------------------------------------------------------
// A card's position is a double; a card dropped between two neighbours gets the midpoint, so a
// move writes one row. When neighbours get too close to split (after ~30 drops at one spot),
// the caller renumbers the stage with RenumberedPositions and retries.

constexpr double kPositionStep = 1024.0;

// Position for a card placed between `before` (the card above, if any) and `after` (the card
// below, if any). std::nullopt when the gap is too small to split: renumber first.
std::optional<double> PositionBetween(std::optional<double> before, std::optional<double> after);
// Fresh, evenly spaced positions for `count` cards in their current order.
std::vector<double> RenumberedPositions(size_t count);

// ---- Board flags ------------------------------------------------------------------------------

// An activity is overdue when not done and its due moment has passed: the due time if set, else
// the end of the due date.
bool IsOverdue(const Activity& a, Timestamp now);
// An open deal is rotting when its stage has a rotting limit and neither the deal nor any of its
// activities was touched for more than that many days.
bool IsRotting(const Deal& deal, const Stage& stage, Timestamp now);
// Overdue as seen on a card: the deal's next open activity is due before today.
bool HasOverdueNextActivity(const Deal& deal, Timestamp now);
// The first moment at which IsRotting / HasOverdueNextActivity become true for the deal as it is;
// std::nullopt when they never will (a closed deal, a stage without a rotting limit, no next
// activity). Before that moment the flag is false, from it on true.
std::optional<Timestamp> RottingFrom(const Deal& deal, const Stage& stage);
std::optional<Timestamp> OverdueFrom(const Deal& deal);

// ---- Stage order -----------------------------------------------------------------------------

// Moves the stage at index `from` to index `to` in `stages` (already in order) and renumbers
// every stage's `order` 0..n-1. Returns the stages whose order changed. REQUIRES: valid indexes.
std::vector<Stage> ReorderStages(std::vector<Stage> stages, size_t from, size_t to);

}  // namespace pipedeck
