#include "common/clock.h"

namespace sipreg {

SystemClock& SystemClock::Instance() {
  static SystemClock clock;
  return clock;
}

}  // namespace sipreg
