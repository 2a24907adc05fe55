// Transaction: the common shape of the four RFC 3261 §17 state machines
// (ClientInviteTransaction, ClientNonInviteTransaction, ServerInviteTransaction,
// ServerNonInviteTransaction). Sans-I/O: Handle() takes one Event and returns the
// Actions its owner must carry out, in order. Timers are actions too: the owner
// starts a real (or fake) timer on kStartTimer and feeds Event::TimerFired back.
//
// Rules every machine follows:
//  - Nothing happens before Event::Start; a second Start is ignored.
//  - A TimerFired for a timer the machine did not start, or has since cancelled
//    or restarted-and-already-consumed, is ignored, so an owner whose timer
//    cancellation races with expiry needs no extra bookkeeping.
//  - A timer whose RFC value is zero on reliable transports (D, I, J, K) is never
//    started; the machine moves to Terminated at once instead.
//  - On reaching Terminated the machine cancels every timer it still has running
//    and emits one kTerminated action; every later event returns no actions.
//  - Events that make no sense for a machine (a TU response to a client
//    transaction, a status code outside 100..699) are ignored.
//
// Not thread-safe: each transaction belongs to the one thread (event loop) that
// owns it.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <utility>

#include "sip/endpoint.h"
#include "transaction/action.h"
#include "transaction/event.h"
#include "transaction/timer_config.h"

namespace sipreg::txn {

enum class TransactionState : uint8_t {
  kCalling,     // client INVITE
  kTrying,      // client and server non-INVITE
  kProceeding,  // all four
  kCompleted,   // all four
  kConfirmed,   // server INVITE
  kTerminated,  // all four
};

enum class TransactionKind : uint8_t {
  kClientInvite,
  kClientNonInvite,
  kServerInvite,
  kServerNonInvite
};

std::string_view StateName(TransactionState state);
std::string_view TransactionKindName(TransactionKind kind);

class Transaction {
 public:
  virtual ~Transaction() = default;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  // Feeds one event; returns the actions to perform, in order.
  Actions Handle(Event event);

  // Shorthands for Handle(Event::...).
  Actions Start() { return Handle(Event::Start()); }
  Actions OnResponse(int status_code, std::string bytes) {
    return Handle(Event::Response(status_code, std::move(bytes)));
  }
  Actions OnRequest(sip::Method method, std::string bytes) {
    return Handle(Event::Request(method, std::move(bytes)));
  }
  Actions OnTuResponse(int status_code, std::string bytes) {
    return Handle(Event::TuResponse(status_code, std::move(bytes)));
  }
  Actions OnTimer(TimerId timer) { return Handle(Event::TimerFired(timer)); }
  Actions OnTransportError() { return Handle(Event::TransportError()); }

  virtual TransactionKind kind() const = 0;
  TransactionState state() const { return state_; }
  bool terminated() const { return state_ == TransactionState::kTerminated; }
  bool started() const { return started_; }
  sip::TransportKind transport() const { return transport_; }
  bool reliable() const { return sip::IsReliable(transport_); }
  const TimerConfig& timers() const { return timers_; }
  // True between the kStartTimer for `timer` and its expiry or cancellation.
  bool IsTimerRunning(TimerId timer) const { return running_[Index(timer)]; }

 protected:
  Transaction(TransactionState initial, sip::TransportKind transport, const TimerConfig& timers)
      : state_(initial), transport_(transport), timers_(timers) {}

  // Called by Handle() for every event that passed the rules above. A
  // kTimerFired event has already been marked as no longer running.
  virtual void OnEvent(Event& event, Actions& out) = 0;

  void SetState(TransactionState state) { state_ = state; }
  void StartTimer(TimerId timer, Millis duration, Actions& out);
  void CancelTimer(TimerId timer, Actions& out);  // no action if not running
  // Cancels all running timers, enters Terminated and emits kTerminated.
  void Terminate(Actions& out);

 private:
  static size_t Index(TimerId timer) { return static_cast<size_t>(timer); }

  TransactionState state_;
  sip::TransportKind transport_;
  TimerConfig timers_;
  bool started_ = false;
  std::array<bool, kTimerIdCount> running_{};
};

}  // namespace sipreg::txn
