// TransactionTable: the live transactions of one SIP endpoint, owned by key.
// It routes incoming messages to the matching transaction (RFC 3261 §17.1.3,
// §17.2.3), says NotFound when nothing matches so the caller can handle a new
// request or a stray response, and drops a transaction as soon as it reports
// kTerminated.
//
// The table does not perform actions: every call returns the Actions of the
// transaction it fed, and the caller carries them out for that key — it sends
// bytes, keeps timers per (key, TimerId) and calls Dispatch(key,
// Event::TimerFired(id)) when one fires. Timers may fire after their
// transaction is gone; Dispatch then returns NotFound, which is harmless.
//
// Thread affinity: not thread-safe. Create, use and destroy the table on one
// thread, the event loop that owns the endpoint's transport and timers.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>

#include "common/status.h"
#include "sip/endpoint.h"
#include "sip/message.h"
#include "transaction/action.h"
#include "transaction/event.h"
#include "transaction/timer_config.h"
#include "transaction/transaction.h"
#include "transaction/transaction_key.h"

namespace sipreg::txn {

// The actions of the transaction a message was routed to, and its key.
struct RoutedActions {
  TransactionKey key;
  Actions actions;
};

class TransactionTable {
 public:
  // `timers` is used for the server transactions AddServer() creates.
  explicit TransactionTable(const TimerConfig& timers = {}) : timers_(timers) {}
  TransactionTable(const TransactionTable&) = delete;
  TransactionTable& operator=(const TransactionTable&) = delete;

  // Takes ownership of `txn` (not yet started), starts it and returns the
  // actions of Start(). AlreadyExists if `key` is in use (nothing started);
  // InvalidArgument if `txn` is null or already started.
  // Typical client use:
  //   table.Add(ClientKey(branch, "REGISTER"),
  //             std::make_unique<ClientNonInviteTransaction>(bytes, transport, timers));
  Result<Actions> Add(const TransactionKey& key, std::unique_ptr<Transaction> txn);

  // Creates and starts the server transaction for `request`, which must have
  // matched nothing (OnRequest said NotFound): a ServerInviteTransaction for
  // INVITE (sending `trying_response` if the TU is slow; empty for none), a
  // ServerNonInviteTransaction otherwise. The actions hand the request to the
  // TU. InvalidArgument for ACK (it never creates a transaction) or an
  // unusable request; AlreadyExists if a transaction has its key.
  Result<RoutedActions> AddServer(const sip::Message& request, sip::TransportKind transport,
                                  std::string trying_response = {});
  // The same with the key the caller already computed (KeyForRequest(request)).
  Result<RoutedActions> AddServer(const sip::Message& request, TransactionKey key,
                                  sip::TransportKind transport, std::string trying_response = {});

  // Feeds `event` to the transaction under `key`. NotFound if there is none.
  Result<Actions> Dispatch(const TransactionKey& key, Event event);

  // Routes a received response to its client transaction. NotFound: a stray
  // response — for an INVITE 2xx retransmission that is expected, and it
  // belongs to the TU / dialog layer (RFC 3261 §13.2.2.4); otherwise drop it
  // (§18.1.2). InvalidArgument: the top Via has no branch or CSeq is malformed.
  Result<RoutedActions> OnResponse(const sip::Message& response);

  // Routes a received request (a retransmission, or an ACK for a non-2xx
  // final) to its server transaction. NotFound: a new request — call
  // AddServer() — or an ACK for a 2xx, which goes to the TU directly.
  // InvalidArgument: no usable top Via / CSeq / From / To.
  Result<RoutedActions> OnRequest(const sip::Message& request);
  // The same with the key the caller already computed (KeyForRequest(request)).
  Result<RoutedActions> OnRequest(const sip::Message& request, const TransactionKey& key);

  // The transaction under `key`, or nullptr. Valid until the next call that
  // may terminate it.
  Transaction* Find(const TransactionKey& key);
  // Drops the transaction under `key` without feeding it anything (its owner
  // took over what is left of it, e.g. CompletedResponses). False if none.
  bool Remove(const TransactionKey& key) { return txns_.erase(key) == 1; }
  size_t size() const { return txns_.size(); }
  // Drops every transaction without telling anyone (the owner is starting over).
  void Clear() { txns_.clear(); }
  const TimerConfig& timers() const { return timers_; }

 private:
  using Map = std::unordered_map<TransactionKey, std::unique_ptr<Transaction>, TransactionKeyHash>;

  // Feeds the transaction at `it` and erases it if it terminated.
  Actions Feed(Map::iterator it, Event event);

  TimerConfig timers_;
  Map txns_;
};

}  // namespace sipreg::txn
