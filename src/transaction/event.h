// Event: one input to a transaction state machine (RFC 3261 §17): the start of
// the transaction, a message from the network, a response from the transaction
// user (TU), a timer the owner was asked to start having fired, or a transport
// failure. Messages travel as bytes plus the few parsed facts the machines
// decide on (status code, method), so the machines do not depend on the parser.
#pragma once

#include <string>

#include "sip/method.h"
#include "transaction/timer_config.h"

namespace sipreg::txn {

enum class EventKind : uint8_t {
  kStart,           // client: send the request; server: hand the request to the TU
  kResponse,        // client side: a response arrived from the network
  kRequest,         // server side: a retransmitted request (or an ACK) arrived
  kTuResponse,      // server side: the TU wants this response sent
  kTimerFired,      // a timer started by a kStartTimer action expired
  kTransportError,  // the transport could not send the transaction's last message
};

struct Event {
  EventKind kind = EventKind::kStart;
  int status_code = 0;                         // kResponse, kTuResponse
  sip::Method method = sip::Method::kUnknown;  // kRequest
  std::string bytes;                           // kResponse, kRequest, kTuResponse
  TimerId timer = TimerId::kA;                 // kTimerFired

  static Event Start();
  static Event Response(int status_code, std::string bytes);
  static Event Request(sip::Method method, std::string bytes);
  static Event TuResponse(int status_code, std::string bytes);
  static Event TimerFired(TimerId timer);
  static Event TransportError();
};

}  // namespace sipreg::txn
