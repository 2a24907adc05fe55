// ClientInviteTransaction: RFC 3261 §17.1.1 (Figure 5).
//
//   Start              -> Send(INVITE); StartTimer(A, T1) on UDP; StartTimer(B, 64*T1); Calling
//   Timer A, Calling   -> Send(INVITE) again; A restarts at twice its last value (no cap)
//   Timer B, Calling   -> TimeoutToTu (the TU treats it as 408), Terminated
//   1xx                -> PassToTu; cancel A and B (B only guards Calling); Proceeding
//   2xx                -> PassToTu; Terminated (the TU/dialog layer ACKs a 2xx itself and
//                         receives 2xx retransmissions directly, RFC 3261 §13.2.2.4)
//   300..699           -> PassToTu; Send(ACK); Completed with StartTimer(D, timer_d)
//                         on UDP, or straight to Terminated on TCP/TLS (D = 0)
//   300..699 in Completed -> Send(ACK) again, not passed to the TU
//   Timer D            -> Terminated
//   TransportError in Calling/Proceeding -> TransportErrorToTu, Terminated
//                         (in Completed the TU already has its answer: Terminated only)
//
// The ACK for a non-2xx final response (§17.1.1.3) is built once, by the
// AckBuilder given at construction, from the original INVITE bytes and the
// first final response; the same bytes are re-sent for every retransmission.
// BuildAckForNon2xx() in ack_builder.h is the standard builder; tests may pass
// their own. If the builder fails (response unusable), the response still goes
// to the TU and the machine enters Completed but sends no ACK.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "transaction/transaction.h"

namespace sipreg::txn {

// Builds the ACK for a non-2xx final `response` to the INVITE `request`.
using AckBuilder =
    std::function<Result<std::string>(std::string_view request, std::string_view response)>;

class ClientInviteTransaction final : public Transaction {
 public:
  // `request` is the complete INVITE as it goes on the wire (kept for
  // retransmission). `build_ack` must be callable. Nothing is sent until Start().
  ClientInviteTransaction(std::string request, sip::TransportKind transport, AckBuilder build_ack,
                          const TimerConfig& timers = {});

  TransactionKind kind() const override { return TransactionKind::kClientInvite; }
  const std::string& request() const { return request_; }
  // The ACK sent for a non-2xx final response; empty until one was built.
  const std::string& ack() const { return ack_; }

 protected:
  void OnEvent(Event& event, Actions& out) override;

 private:
  void HandleResponse(Event& event, Actions& out);
  void HandleTimer(TimerId timer, Actions& out);

  std::string request_;
  AckBuilder build_ack_;
  std::string ack_;
  Millis a_interval_;
};

}  // namespace sipreg::txn
