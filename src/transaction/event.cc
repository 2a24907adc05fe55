#include "transaction/event.h"

#include <utility>

namespace sipreg::txn {

Event Event::Start() { return Event{}; }

Event Event::Response(int status_code, std::string bytes) {
  Event e;
  e.kind = EventKind::kResponse;
  e.status_code = status_code;
  e.bytes = std::move(bytes);
  return e;
}

Event Event::Request(sip::Method method, std::string bytes) {
  Event e;
  e.kind = EventKind::kRequest;
  e.method = method;
  e.bytes = std::move(bytes);
  return e;
}

Event Event::TuResponse(int status_code, std::string bytes) {
  Event e;
  e.kind = EventKind::kTuResponse;
  e.status_code = status_code;
  e.bytes = std::move(bytes);
  return e;
}

Event Event::TimerFired(TimerId timer) {
  Event e;
  e.kind = EventKind::kTimerFired;
  e.timer = timer;
  return e;
}

Event Event::TransportError() {
  Event e;
  e.kind = EventKind::kTransportError;
  return e;
}

}  // namespace sipreg::txn
