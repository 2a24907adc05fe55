// TimerConfig and TimerId: the RFC 3261 §17 timers (Table 4 of Appendix A) and
// the base values they are computed from. The transaction machines never run
// timers themselves; they ask their owner to start and cancel them by TimerId.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/clock.h"

namespace sipreg::txn {

struct TimerConfig {
  Millis t1{500};   // RTT estimate
  Millis t2{4000};  // maximum retransmit interval for non-INVITE requests and INVITE responses
  Millis t4{5000};  // maximum duration a message will remain in the network
  // Timer D: "> 32 s" for unreliable transports (RFC 3261 Table 4). Kept separate
  // from 64*T1 because it is a wait for response retransmissions, not a timeout.
  Millis timer_d{32000};
  // Server INVITE: how long the TU may stay silent before the transaction sends
  // its own 100 Trying (RFC 3261 §17.2.1), if it was given one to send.
  Millis trying_delay{200};

  Millis timer_b() const { return 64 * t1; }
  Millis timer_f() const { return 64 * t1; }
  Millis timer_h() const { return 64 * t1; }
  Millis timer_j() const { return 64 * t1; }
};

enum class TimerId : uint8_t {
  kA,       // client INVITE: request retransmit (unreliable only), doubles from T1
  kB,       // client INVITE: transaction timeout, 64*T1
  kD,       // client INVITE: wait for response retransmits in Completed
  kE,       // client non-INVITE: request retransmit (unreliable only), doubles to T2
  kF,       // client non-INVITE: transaction timeout, 64*T1
  kK,       // client non-INVITE: wait for response retransmits, T4
  kG,       // server INVITE: final response retransmit (unreliable only), doubles to T2
  kH,       // server INVITE: wait for ACK, 64*T1
  kI,       // server INVITE: wait for ACK retransmits in Confirmed, T4
  kJ,       // server non-INVITE: wait for request retransmits in Completed, 64*T1
  kTrying,  // server INVITE: send 100 Trying if the TU has not answered in trying_delay
};

inline constexpr int kTimerIdCount = static_cast<int>(TimerId::kTrying) + 1;

// "A", "B", ..., "Trying".
std::string_view TimerName(TimerId id);

}  // namespace sipreg::txn
