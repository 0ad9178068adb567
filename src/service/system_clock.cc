#include "service/system_clock.h"

namespace pipedeck {

Timestamp SystemClock::Now() const {
  auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return {std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch).count()};
}

OffsetClock::OffsetClock(Timestamp start)
    : start_(start), started_(std::chrono::steady_clock::now()) {}

Timestamp OffsetClock::Now() const {
  auto elapsed = std::chrono::steady_clock::now() - started_;
  return {start_.millis + std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()};
}

}  // namespace pipedeck
