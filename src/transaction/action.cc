#include "transaction/action.h"

#include <utility>

namespace sipreg::txn {

Action Action::Send(std::string bytes) {
  Action a;
  a.kind = ActionKind::kSend;
  a.bytes = std::move(bytes);
  return a;
}

Action Action::StartTimer(TimerId timer, Millis duration) {
  Action a;
  a.kind = ActionKind::kStartTimer;
  a.timer = timer;
  a.duration = duration;
  return a;
}

Action Action::CancelTimer(TimerId timer) {
  Action a;
  a.kind = ActionKind::kCancelTimer;
  a.timer = timer;
  return a;
}

Action Action::PassResponseToTu(int status_code, std::string bytes) {
  Action a;
  a.kind = ActionKind::kPassToTu;
  a.status_code = status_code;
  a.bytes = std::move(bytes);
  return a;
}

Action Action::PassRequestToTu(std::string bytes) {
  Action a;
  a.kind = ActionKind::kPassToTu;
  a.bytes = std::move(bytes);
  return a;
}

Action Action::TimeoutToTu() {
  Action a;
  a.kind = ActionKind::kTimeoutToTu;
  return a;
}

Action Action::TransportErrorToTu() {
  Action a;
  a.kind = ActionKind::kTransportErrorToTu;
  return a;
}

Action Action::Terminated() {
  Action a;
  a.kind = ActionKind::kTerminated;
  return a;
}

std::string_view ActionKindName(ActionKind kind) {
  switch (kind) {
    case ActionKind::kSend:
      return "Send";
    case ActionKind::kStartTimer:
      return "StartTimer";
    case ActionKind::kCancelTimer:
      return "CancelTimer";
    case ActionKind::kPassToTu:
      return "PassToTu";
    case ActionKind::kTimeoutToTu:
      return "TimeoutToTu";
    case ActionKind::kTransportErrorToTu:
      return "TransportErrorToTu";
    case ActionKind::kTerminated:
      return "Terminated";
  }
  return "?";
}

std::string Action::ToString() const {
  std::string out(ActionKindName(kind));
  switch (kind) {
    case ActionKind::kSend:
      out += "(" + std::to_string(bytes.size()) + " bytes)";
      break;
    case ActionKind::kStartTimer:
      out += "(";
      out += TimerName(timer);
      out += ", " + std::to_string(duration.count()) + "ms)";
      break;
    case ActionKind::kCancelTimer:
      out += "(";
      out += TimerName(timer);
      out += ")";
      break;
    case ActionKind::kPassToTu:
      if (status_code != 0) {
        out += "(" + std::to_string(status_code) + ")";
      } else {
        out += "(request)";
      }
      break;
    case ActionKind::kTimeoutToTu:
    case ActionKind::kTransportErrorToTu:
    case ActionKind::kTerminated:
      break;
  }
  return out;
}

std::string ToString(const Actions& actions) {
  std::string out;
  for (const Action& a : actions) {
    if (!out.empty()) out += ", ";
    out += a.ToString();
  }
  return out;
}

}  // namespace sipreg::txn
