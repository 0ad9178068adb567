// The demo workspace: a sales team's last nine months, generated so that the board, the timeline
// and the analytics have something realistic to show on a fresh install (`pipedeck init --demo`).
//
// Shape: a 7-stage "Sales" pipeline and a 4-stage "Partnerships" pipeline, 5 reps and a manager
// in two teams with monthly, quarterly and weekly quotas,
// ~60 organizations, ~120 persons, ~300 deals created over `history_days` with stage histories
// that thin out stage by stage (some skip a stage, a few go back one), about 30% won, 30% lost
// with configured reasons and 40% open; calls, meetings, emails and tasks on every deal (past
// ones done; on open deals some overdue, some due today, some upcoming, some deals with none),
// and notes on about half the deals.
//
// Deterministic: the same options give the same titles, values, stages and relative times. All
// instants are relative to the workspace clock's "now", so the demo always looks current. The
// history is written through the Workspace itself (every rule applies) by a copy of it running on
// a manual clock that is moved forward through the nine months in chronological order.
#pragma once

#include <cstdint>

#include "core/model.h"
#include "core/status.h"
#include "service/workspace.h"

namespace pipedeck {

struct DemoOptions {
  uint64_t seed = 20'240'917;  // fixed, so every demo is the same
  int deals = 300;
  int organizations = 60;
  int persons = 120;  // spread over the organizations
  int history_days = 270;
};

// Seeds the demo into a workspace that has `admin` (an active admin) and no pipelines yet.
// Returns the first error; the records written before it stay (each step is its own transaction).
Status SeedDemo(Workspace& workspace, const User& admin, const DemoOptions& options = {});

}  // namespace pipedeck
