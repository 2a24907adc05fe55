// Action: what a transaction state machine asks its owner to do after an event
// (RFC 3261 §17). The owner performs the actions in order: it sends bytes on the
// transaction's transport, starts or cancels the named timer, and reports to the
// transaction user (TU). The machine itself never touches sockets or clocks.
#pragma once

#include <string>
#include <vector>

#include "common/clock.h"
#include "transaction/timer_config.h"

namespace sipreg::txn {

enum class ActionKind : uint8_t {
  kSend,                // send `bytes` to the transaction's peer
  kStartTimer,          // (re)start `timer` to fire after `duration`; restarting replaces it
  kCancelTimer,         // cancel `timer` if it is running
  kPassToTu,            // hand a message to the TU: a response (`status_code` 100..699)
                        // or a request (`status_code` 0); `bytes` is the message
  kTimeoutToTu,         // no final response (timer B/F: treat as 408) or, on the
                        // server INVITE side, no ACK (timer H)
  kTransportErrorToTu,  // the transport failed to deliver (RFC 3261 §17.1.4, §17.2.4)
  kTerminated,          // the transaction is over; its owner may destroy it
};

struct Action {
  ActionKind kind = ActionKind::kSend;
  std::string bytes;            // kSend, kPassToTu
  int status_code = 0;          // kPassToTu of a response
  TimerId timer = TimerId::kA;  // kStartTimer, kCancelTimer
  Millis duration{0};           // kStartTimer

  static Action Send(std::string bytes);
  static Action StartTimer(TimerId timer, Millis duration);
  static Action CancelTimer(TimerId timer);
  static Action PassResponseToTu(int status_code, std::string bytes);
  static Action PassRequestToTu(std::string bytes);
  static Action TimeoutToTu();
  static Action TransportErrorToTu();
  static Action Terminated();

  // Short form for logs and test failure messages: "Send(42 bytes)", "StartTimer(E, 500ms)".
  std::string ToString() const;
  bool operator==(const Action&) const = default;
};

using Actions = std::vector<Action>;

std::string_view ActionKindName(ActionKind kind);
// The ToString() of each action joined with ", ".
std::string ToString(const Actions& actions);

}  // namespace sipreg::txn
