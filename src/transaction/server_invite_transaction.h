// ServerInviteTransaction: RFC 3261 §17.2.1 (Figure 7). Created for an INVITE
// that matched no existing transaction; starts in Proceeding.
//
//   Start                -> PassToTu(INVITE); StartTimer(Trying, trying_delay) if a
//                           100 Trying was supplied
//   Timer Trying         -> Send(100 Trying) (the TU stayed silent for trying_delay)
//   TU 1xx, Proceeding   -> Send; remembered as the last provisional response
//   TU 2xx, Proceeding   -> Send; Terminated (the TU retransmits 2xx itself, §13.3.1.4)
//   TU 300..699, Proceeding -> Send; Completed; StartTimer(G, T1) on UDP; StartTimer(H, 64*T1)
//   INVITE retransmission, Proceeding -> Send(last provisional); if none was sent yet
//                           and a 100 Trying was supplied, it is sent now
//   INVITE retransmission, Completed  -> Send(final response) again
//   Timer G, Completed   -> Send(final response) again; G restarts at min(2*G, T2)
//   Timer H, Completed   -> TimeoutToTu (no ACK came), Terminated
//   ACK, Completed       -> cancel G, H; Confirmed with StartTimer(I, T4) on UDP, or
//                           straight to Terminated on TCP/TLS (I = 0)
//   anything, Confirmed  -> absorbed (ACK retransmissions)
//   Timer I              -> Terminated
//   TransportError in Proceeding/Completed -> TransportErrorToTu, Terminated
//
// The automatic 100 Trying is optional: pass its bytes (e.g. from
// sip::MakeResponse(invite, 100)) to have the transaction send it when the TU
// has not answered within TimerConfig::trying_delay (200 ms by default), or pass
// an empty string if the TU answers quickly itself.
#pragma once

#include <string>

#include "transaction/transaction.h"

namespace sipreg::txn {

class ServerInviteTransaction final : public Transaction {
 public:
  // `request` is the INVITE as received. `trying_response` is the 100 Trying to
  // send if the TU is slow, or empty for none.
  ServerInviteTransaction(std::string request, sip::TransportKind transport,
                          std::string trying_response = {}, const TimerConfig& timers = {});

  TransactionKind kind() const override { return TransactionKind::kServerInvite; }
  const std::string& request() const { return request_; }
  // The response that retransmissions are answered with: the last provisional
  // one in Proceeding, the final one afterwards. Empty before the first.
  const std::string& last_response() const { return last_response_; }

 protected:
  void OnEvent(Event& event, Actions& out) override;

 private:
  void HandleTuResponse(Event& event, Actions& out);
  void HandleRequest(const Event& event, Actions& out);
  void HandleTimer(TimerId timer, Actions& out);
  void SendTrying(Actions& out);

  std::string request_;
  std::string trying_response_;
  std::string last_response_;
  Millis g_interval_;
};

}  // namespace sipreg::txn
