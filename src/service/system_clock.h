// Real clocks for the server and the CLI (tests use ManualClock from core/time.h).
#pragma once

#include <chrono>

#include "core/time.h"

namespace pipedeck {

// The current UTC time of the machine, in milliseconds.
class SystemClock : public Clock {
 public:
  Timestamp Now() const override;
};

// A clock that starts at a chosen instant and then advances with real time (steady clock, so
// adjustments of the machine's clock do not make it jump). Used by `pipedeck serve --fake-now`
// to run demos and black-box tests on a known date.
class OffsetClock : public Clock {
 public:
  explicit OffsetClock(Timestamp start);
  Timestamp Now() const override;

 private:
  Timestamp start_;
  std::chrono::steady_clock::time_point started_;
};

}  // namespace pipedeck
