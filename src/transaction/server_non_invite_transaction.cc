#include "transaction/server_non_invite_transaction.h"

#include <utility>

namespace sipreg::txn {

ServerNonInviteTransaction::ServerNonInviteTransaction(std::string request,
                                                       sip::TransportKind transport,
                                                       const TimerConfig& timers)
    : Transaction(TransactionState::kTrying, transport, timers), request_(std::move(request)) {}

void ServerNonInviteTransaction::OnEvent(Event& event, Actions& out) {
  switch (event.kind) {
    case EventKind::kStart:
      // Retransmissions are answered from last_response_: the request bytes
      // are not needed again, so they go to the TU rather than being copied.
      out.push_back(Action::PassRequestToTu(std::move(request_)));
      request_.clear();
      return;
    case EventKind::kTuResponse:
      HandleTuResponse(event, out);
      return;
    case EventKind::kRequest:
      // Trying: absorbed; Proceeding and Completed: answer with what was last sent.
      if (state() != TransactionState::kTrying) out.push_back(Action::Send(last_response_));
      return;
    case EventKind::kTimerFired:
      if (event.timer == TimerId::kJ) Terminate(out);
      return;
    case EventKind::kTransportError:
      out.push_back(Action::TransportErrorToTu());
      Terminate(out);
      return;
    case EventKind::kResponse:
      return;
  }
}

void ServerNonInviteTransaction::HandleTuResponse(Event& event, Actions& out) {
  const int code = event.status_code;
  if (code < 100 || code > 699) return;
  if (state() == TransactionState::kCompleted) return;
  last_response_ = std::move(event.bytes);
  out.push_back(Action::Send(last_response_));
  if (code < 200) {
    SetState(TransactionState::kProceeding);
    return;
  }
  if (reliable()) {
    Terminate(out);
    return;
  }
  SetState(TransactionState::kCompleted);
  StartTimer(TimerId::kJ, timers().timer_j(), out);
}

}  // namespace sipreg::txn
