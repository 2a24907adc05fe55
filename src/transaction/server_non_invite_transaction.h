// ServerNonInviteTransaction: RFC 3261 §17.2.2 (Figure 8). Created for a
// non-INVITE request (REGISTER, OPTIONS, BYE, CANCEL, ...) that matched no
// existing transaction; starts in Trying. ACK never creates a transaction.
//
//   Start                   -> PassToTu(request); Trying
//   retransmission, Trying  -> absorbed
//   TU 1xx, Trying/Proceeding -> Send; Proceeding
//   retransmission, Proceeding -> Send(last provisional) again
//   TU 200..699, Trying/Proceeding -> Send; Completed with StartTimer(J, 64*T1) on UDP,
//                              or straight to Terminated on TCP/TLS (J = 0)
//   retransmission, Completed -> Send(final response) again
//   TU response, Completed  -> ignored (the final response is fixed)
//   Timer J                 -> Terminated
//   TransportError          -> TransportErrorToTu, Terminated
#pragma once

#include <string>

#include "transaction/transaction.h"

namespace sipreg::txn {

class ServerNonInviteTransaction final : public Transaction {
 public:
  // `request` is the request as received.
  ServerNonInviteTransaction(std::string request, sip::TransportKind transport,
                             const TimerConfig& timers = {});

  TransactionKind kind() const override { return TransactionKind::kServerNonInvite; }
  // The request until Start() hands it to the TU; empty afterwards.
  const std::string& request() const { return request_; }
  // The last response sent (provisional or final); empty before the first.
  const std::string& last_response() const { return last_response_; }

 protected:
  void OnEvent(Event& event, Actions& out) override;

 private:
  void HandleTuResponse(Event& event, Actions& out);

  std::string request_;
  std::string last_response_;
};

}  // namespace sipreg::txn
