#include "transaction/client_non_invite_transaction.h"

#include <algorithm>
#include <utility>

namespace sipreg::txn {

ClientNonInviteTransaction::ClientNonInviteTransaction(std::string request,
                                                       sip::TransportKind transport,
                                                       const TimerConfig& timers)
    : Transaction(TransactionState::kTrying, transport, timers),
      request_(std::move(request)),
      e_interval_(timers.t1) {}

void ClientNonInviteTransaction::OnEvent(Event& event, Actions& out) {
  switch (event.kind) {
    case EventKind::kStart:
      out.push_back(Action::Send(request_));
      if (!reliable()) StartTimer(TimerId::kE, e_interval_, out);
      StartTimer(TimerId::kF, timers().timer_f(), out);
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

void ClientNonInviteTransaction::HandleResponse(Event& event, Actions& out) {
  const int code = event.status_code;
  if (code < 100 || code > 699) return;
  if (state() == TransactionState::kCompleted) return;  // retransmission: absorbed
  if (code < 200) {
    SetState(TransactionState::kProceeding);
    out.push_back(Action::PassResponseToTu(code, std::move(event.bytes)));
    return;
  }
  out.push_back(Action::PassResponseToTu(code, std::move(event.bytes)));
  CancelTimer(TimerId::kE, out);
  CancelTimer(TimerId::kF, out);
  if (reliable()) {
    Terminate(out);
    return;
  }
  SetState(TransactionState::kCompleted);
  StartTimer(TimerId::kK, timers().t4, out);
}

void ClientNonInviteTransaction::HandleTimer(TimerId timer, Actions& out) {
  switch (timer) {
    case TimerId::kE:
      out.push_back(Action::Send(request_));
      if (state() == TransactionState::kTrying) {
        e_interval_ = std::min(2 * e_interval_, timers().t2);
      } else {
        e_interval_ = timers().t2;
      }
      StartTimer(TimerId::kE, e_interval_, out);
      return;
    case TimerId::kF:
      out.push_back(Action::TimeoutToTu());
      Terminate(out);
      return;
    case TimerId::kK:
      Terminate(out);
      return;
    default:
      return;
  }
}

}  // namespace sipreg::txn
