#include "transaction/client_invite_transaction.h"

#include <utility>

namespace sipreg::txn {

ClientInviteTransaction::ClientInviteTransaction(std::string request, sip::TransportKind transport,
                                                 AckBuilder build_ack, const TimerConfig& timers)
    : Transaction(TransactionState::kCalling, transport, timers),
      request_(std::move(request)),
      build_ack_(std::move(build_ack)),
      a_interval_(timers.t1) {}

void ClientInviteTransaction::OnEvent(Event& event, Actions& out) {
  switch (event.kind) {
    case EventKind::kStart:
      out.push_back(Action::Send(request_));
      if (!reliable()) StartTimer(TimerId::kA, a_interval_, out);
      StartTimer(TimerId::kB, timers().timer_b(), out);
      return;
    case EventKind::kResponse:
      HandleResponse(event, out);
      return;
    case EventKind::kTimerFired:
      HandleTimer(event.timer, out);
      return;
    case EventKind::kTransportError:
      if (state() != TransactionState::kCompleted) out.push_back(Action::TransportErrorToTu());
      Terminate(out);
      return;
    case EventKind::kRequest:
    case EventKind::kTuResponse:
      return;
  }
}

void ClientInviteTransaction::HandleResponse(Event& event, Actions& out) {
  const int code = event.status_code;
  if (code < 100 || code > 699) return;

  if (state() == TransactionState::kCompleted) {
    // Only a retransmitted non-2xx final response gets the ACK again.
    if (code >= 300 && !ack_.empty()) out.push_back(Action::Send(ack_));
    return;
  }

  if (code < 200) {
    out.push_back(Action::PassResponseToTu(code, std::move(event.bytes)));
    CancelTimer(TimerId::kA, out);
    CancelTimer(TimerId::kB, out);
    SetState(TransactionState::kProceeding);
    return;
  }

  if (code < 300) {
    out.push_back(Action::PassResponseToTu(code, std::move(event.bytes)));
    Terminate(out);
    return;
  }

  if (build_ack_) {
    Result<std::string> ack = build_ack_(request_, event.bytes);
    if (ack.ok()) ack_ = std::move(ack).value();
  }
  out.push_back(Action::PassResponseToTu(code, std::move(event.bytes)));
  if (!ack_.empty()) out.push_back(Action::Send(ack_));
  CancelTimer(TimerId::kA, out);
  CancelTimer(TimerId::kB, out);
  if (reliable()) {
    Terminate(out);
    return;
  }
  SetState(TransactionState::kCompleted);
  StartTimer(TimerId::kD, timers().timer_d, out);
}

void ClientInviteTransaction::HandleTimer(TimerId timer, Actions& out) {
  switch (timer) {
    case TimerId::kA:
      out.push_back(Action::Send(request_));
      a_interval_ = 2 * a_interval_;
      StartTimer(TimerId::kA, a_interval_, out);
      return;
    case TimerId::kB:
      out.push_back(Action::TimeoutToTu());
      Terminate(out);
      return;
    case TimerId::kD:
      Terminate(out);
      return;
    default:
      return;
  }
}

}  // namespace sipreg::txn
