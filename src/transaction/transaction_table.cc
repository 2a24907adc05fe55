#include "transaction/transaction_table.h"

#include <utility>

#include "transaction/server_invite_transaction.h"
#include "transaction/server_non_invite_transaction.h"

namespace sipreg::txn {

Result<Actions> TransactionTable::Add(const TransactionKey& key, std::unique_ptr<Transaction> txn) {
  if (!txn) return Status::InvalidArgument("null transaction");
  if (txn->started()) return Status::InvalidArgument("transaction already started");
  auto [it, inserted] = txns_.try_emplace(key, std::move(txn));
  if (!inserted) return Status::AlreadyExists("transaction " + key.ToString());
  return Feed(it, Event::Start());
}

Result<RoutedActions> TransactionTable::AddServer(const sip::Message& request,
                                                  sip::TransportKind transport,
                                                  std::string trying_response) {
  if (!request.is_request()) return Status::InvalidArgument("not a request");
  if (request.method() == sip::Method::kAck) {
    return Status::InvalidArgument("ACK does not create a server transaction");
  }
  Result<TransactionKey> key = KeyForRequest(request);
  if (!key.ok()) return key.status();
  return AddServer(request, std::move(key).value(), transport, std::move(trying_response));
}

Result<RoutedActions> TransactionTable::AddServer(const sip::Message& request, TransactionKey key,
                                                  sip::TransportKind transport,
                                                  std::string trying_response) {
  if (!request.is_request()) return Status::InvalidArgument("not a request");
  if (request.method() == sip::Method::kAck) {
    return Status::InvalidArgument("ACK does not create a server transaction");
  }
  std::unique_ptr<Transaction> txn;
  if (request.method() == sip::Method::kInvite) {
    txn = std::make_unique<ServerInviteTransaction>(std::string(request.raw()), transport,
                                                    std::move(trying_response), timers_);
  } else {
    txn = std::make_unique<ServerNonInviteTransaction>(std::string(request.raw()), transport,
                                                       timers_);
  }
  Result<Actions> actions = Add(key, std::move(txn));
  if (!actions.ok()) return actions.status();
  return RoutedActions{std::move(key), std::move(actions).value()};
}

Result<Actions> TransactionTable::Dispatch(const TransactionKey& key, Event event) {
  auto it = txns_.find(key);
  if (it == txns_.end()) return Status::NotFound("no transaction " + key.ToString());
  return Feed(it, std::move(event));
}

Result<RoutedActions> TransactionTable::OnResponse(const sip::Message& response) {
  Result<TransactionKey> key = KeyForResponse(response);
  if (!key.ok()) return key.status();
  auto it = txns_.find(*key);
  if (it == txns_.end()) return Status::NotFound("no transaction " + key->ToString());
  Actions actions = Feed(it, Event::Response(response.status_code(), std::string(response.raw())));
  return RoutedActions{std::move(key).value(), std::move(actions)};
}

Result<RoutedActions> TransactionTable::OnRequest(const sip::Message& request) {
  Result<TransactionKey> key = KeyForRequest(request);
  if (!key.ok()) return key.status();
  return OnRequest(request, *key);
}

Result<RoutedActions> TransactionTable::OnRequest(const sip::Message& request,
                                                  const TransactionKey& key) {
  auto it = txns_.find(key);
  // Most requests are new: no message is formatted for this common answer.
  if (it == txns_.end()) return Status::NotFound("no such transaction");
  Actions actions = Feed(it, Event::Request(request.method(), std::string(request.raw())));
  return RoutedActions{key, std::move(actions)};
}

Transaction* TransactionTable::Find(const TransactionKey& key) {
  auto it = txns_.find(key);
  return it == txns_.end() ? nullptr : it->second.get();
}

Actions TransactionTable::Feed(Map::iterator it, Event event) {
  Actions actions = it->second->Handle(std::move(event));
  if (it->second->terminated()) txns_.erase(it);
  return actions;
}

}  // namespace sipreg::txn
