#include "transaction/timer_config.h"

namespace sipreg::txn {

std::string_view TimerName(TimerId id) {
  switch (id) {
    case TimerId::kA:
      return "A";
    case TimerId::kB:
      return "B";
    case TimerId::kD:
      return "D";
    case TimerId::kE:
      return "E";
    case TimerId::kF:
      return "F";
    case TimerId::kK:
      return "K";
    case TimerId::kG:
      return "G";
    case TimerId::kH:
      return "H";
    case TimerId::kI:
      return "I";
    case TimerId::kJ:
      return "J";
    case TimerId::kTrying:
      return "Trying";
  }
  return "?";
}

}  // namespace sipreg::txn
