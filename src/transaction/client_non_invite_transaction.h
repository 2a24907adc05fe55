// ClientNonInviteTransaction: RFC 3261 §17.1.2 (Figure 6) for REGISTER, OPTIONS,
// BYE, CANCEL and every other request except INVITE and ACK.
//
//   Start            -> Send(request); StartTimer(E, T1) on UDP; StartTimer(F, 64*T1); Trying
//   Timer E, Trying  -> Send(request) again; E restarts at min(2*E, T2)
//   Timer E, Proceeding -> Send(request) again; E restarts at T2
//   1xx              -> PassToTu; Trying becomes Proceeding
//   200..699         -> PassToTu; cancel E, F; Completed with StartTimer(K, T4) on UDP,
//                       or straight to Terminated on TCP/TLS (K = 0)
//   response in Completed -> absorbed (retransmissions)
//   Timer F          -> TimeoutToTu (the TU treats it as 408), Terminated
//   Timer K          -> Terminated
//   TransportError in Trying/Proceeding -> TransportErrorToTu, Terminated
//                       (in Completed the TU already has its answer: Terminated only)
#pragma once

#include <string>

#include "transaction/transaction.h"

namespace sipreg::txn {

class ClientNonInviteTransaction final : public Transaction {
 public:
  // `request` is the complete request as it goes on the wire (kept for
  // retransmission). Nothing is sent until Start().
  ClientNonInviteTransaction(std::string request, sip::TransportKind transport,
                             const TimerConfig& timers = {});

  TransactionKind kind() const override { return TransactionKind::kClientNonInvite; }
  const std::string& request() const { return request_; }

 protected:
  void OnEvent(Event& event, Actions& out) override;

 private:
  void HandleResponse(Event& event, Actions& out);
  void HandleTimer(TimerId timer, Actions& out);

  std::string request_;
  Millis e_interval_;
};

}  // namespace sipreg::txn
