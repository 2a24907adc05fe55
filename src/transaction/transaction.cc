#include "transaction/transaction.h"

namespace sipreg::txn {

std::string_view StateName(TransactionState state) {
  switch (state) {
    case TransactionState::kCalling:
      return "Calling";
    case TransactionState::kTrying:
      return "Trying";
    case TransactionState::kProceeding:
      return "Proceeding";
    case TransactionState::kCompleted:
      return "Completed";
    case TransactionState::kConfirmed:
      return "Confirmed";
    case TransactionState::kTerminated:
      return "Terminated";
  }
  return "?";
}

std::string_view TransactionKindName(TransactionKind kind) {
  switch (kind) {
    case TransactionKind::kClientInvite:
      return "ClientInvite";
    case TransactionKind::kClientNonInvite:
      return "ClientNonInvite";
    case TransactionKind::kServerInvite:
      return "ServerInvite";
    case TransactionKind::kServerNonInvite:
      return "ServerNonInvite";
  }
  return "?";
}

Actions Transaction::Handle(Event event) {
  Actions out;
  if (terminated()) return out;
  if (event.kind == EventKind::kStart) {
    if (started_) return out;
    started_ = true;
  } else if (!started_) {
    return out;
  }
  if (event.kind == EventKind::kTimerFired) {
    const size_t i = Index(event.timer);
    if (i >= running_.size() || !running_[i]) return out;
    running_[i] = false;
  }
  OnEvent(event, out);
  return out;
}

void Transaction::StartTimer(TimerId timer, Millis duration, Actions& out) {
  running_[Index(timer)] = true;
  out.push_back(Action::StartTimer(timer, duration));
}

void Transaction::CancelTimer(TimerId timer, Actions& out) {
  if (!running_[Index(timer)]) return;
  running_[Index(timer)] = false;
  out.push_back(Action::CancelTimer(timer));
}

void Transaction::Terminate(Actions& out) {
  for (int i = 0; i < kTimerIdCount; ++i) CancelTimer(static_cast<TimerId>(i), out);
  state_ = TransactionState::kTerminated;
  out.push_back(Action::Terminated());
}

}  // namespace sipreg::txn
