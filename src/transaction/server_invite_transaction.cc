#include "transaction/server_invite_transaction.h"

#include <algorithm>
#include <utility>

namespace sipreg::txn {

ServerInviteTransaction::ServerInviteTransaction(std::string request, sip::TransportKind transport,
                                                 std::string trying_response,
                                                 const TimerConfig& timers)
    : Transaction(TransactionState::kProceeding, transport, timers),
      request_(std::move(request)),
      trying_response_(std::move(trying_response)),
      g_interval_(timers.t1) {}

void ServerInviteTransaction::OnEvent(Event& event, Actions& out) {
  switch (event.kind) {
    case EventKind::kStart:
      out.push_back(Action::PassRequestToTu(request_));
      if (!trying_response_.empty()) StartTimer(TimerId::kTrying, timers().trying_delay, out);
      return;
    case EventKind::kTuResponse:
      HandleTuResponse(event, out);
      return;
    case EventKind::kRequest:
      HandleRequest(event, out);
      return;
    case EventKind::kTimerFired:
      HandleTimer(event.timer, out);
      return;
    case EventKind::kTransportError:
      if (state() == TransactionState::kConfirmed) return;  // nothing is sent in Confirmed
      out.push_back(Action::TransportErrorToTu());
      Terminate(out);
      return;
    case EventKind::kResponse:
      return;
  }
}

void ServerInviteTransaction::SendTrying(Actions& out) {
  last_response_ = trying_response_;
  out.push_back(Action::Send(last_response_));
}

void ServerInviteTransaction::HandleTuResponse(Event& event, Actions& out) {
  const int code = event.status_code;
  if (code < 100 || code > 699) return;
  if (state() != TransactionState::kProceeding) return;  // final already sent
  CancelTimer(TimerId::kTrying, out);
  last_response_ = std::move(event.bytes);
  out.push_back(Action::Send(last_response_));
  if (code < 200) return;
  if (code < 300) {
    Terminate(out);
    return;
  }
  SetState(TransactionState::kCompleted);
  if (!reliable()) StartTimer(TimerId::kG, g_interval_, out);
  StartTimer(TimerId::kH, timers().timer_h(), out);
}

void ServerInviteTransaction::HandleRequest(const Event& event, Actions& out) {
  const bool is_ack = event.method == sip::Method::kAck;
  switch (state()) {
    case TransactionState::kProceeding:
      if (is_ack) return;
      if (!last_response_.empty()) {
        out.push_back(Action::Send(last_response_));
      } else if (!trying_response_.empty()) {
        CancelTimer(TimerId::kTrying, out);
        SendTrying(out);
      }
      return;
    case TransactionState::kCompleted:
      if (!is_ack) {
        out.push_back(Action::Send(last_response_));
        return;
      }
      CancelTimer(TimerId::kG, out);
      CancelTimer(TimerId::kH, out);
      if (reliable()) {
        Terminate(out);
        return;
      }
      SetState(TransactionState::kConfirmed);
      StartTimer(TimerId::kI, timers().t4, out);
      return;
    default:
      return;  // Confirmed absorbs everything
  }
}

void ServerInviteTransaction::HandleTimer(TimerId timer, Actions& out) {
  switch (timer) {
    case TimerId::kTrying:
      if (state() == TransactionState::kProceeding && last_response_.empty()) SendTrying(out);
      return;
    case TimerId::kG:
      out.push_back(Action::Send(last_response_));
      g_interval_ = std::min(2 * g_interval_, timers().t2);
      StartTimer(TimerId::kG, g_interval_, out);
      return;
    case TimerId::kH:
      out.push_back(Action::TimeoutToTu());
      Terminate(out);
      return;
    case TimerId::kI:
      Terminate(out);
      return;
    default:
      return;
  }
}

}  // namespace sipreg::txn
