// CompletedResponses: the Completed state of non-INVITE server transactions on
// an unreliable transport (RFC 3261 §17.2.2), kept as nothing but the final
// response. In that state a transaction only answers a retransmitted request
// with the response it already sent, discards any later response of the TU and
// ends when Timer J (64*T1) fires. A registrar spends nearly all of its
// transaction memory there (every UDP REGISTER for 32 s), so instead of the
// transaction object, its routing record and a timer each, one entry holds the
// key and the response bytes, and since every entry lives for the same time
// they expire in the order they were added: a FIFO, no timer heap. Like the
// transaction it replaces, an entry answers to the address the original request
// came from (stored with it), never to wherever a copy of the request claims to
// come from: the key holds no source address, so answering to the copy would
// let anyone reflect a 200 OK, with its Contact list, at a third party.
//
// Sans-I/O: the caller sends the response and passes the clock in.
// Not thread-safe: one event loop owns it.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <unordered_map>

#include "common/clock.h"
#include "sip/endpoint.h"
#include "transaction/transaction_key.h"

namespace sipreg::txn {

class CompletedResponses {
 public:
  // `lifetime` is Timer J for UDP (64*T1).
  explicit CompletedResponses(Millis lifetime) : lifetime_(lifetime) {}

  struct Entry {
    std::string response;      // the final response, as sent
    sip::Endpoint destination;  // where it was sent (RFC 3261 §18.2.2, RFC 3581)
    sip::Endpoint local;        // the UDP socket it was sent from
  };

  // The transaction `key` sent its final response at `now`. A second Add for a
  // key already held keeps the first entry (a TU answer in Completed is
  // discarded, §17.2.2).
  void Add(const TransactionKey& key, Entry entry, SteadyTime now);

  // What to send again, and where, for a retransmission of the request; nullptr
  // if none. Valid until the next Add or Expire.
  const Entry* Find(const TransactionKey& key) const;

  // Drops the entries whose Timer J has fired by `now`; returns how many.
  size_t Expire(SteadyTime now);

  size_t size() const { return responses_.size(); }
  void Clear();

 private:
  struct Expiry {
    SteadyTime at;
    const TransactionKey* key;  // the map's own key: node keys never move
  };
  std::unordered_map<TransactionKey, Entry, TransactionKeyHash> responses_;
  std::deque<Expiry> order_;  // by `at`: every entry has the same lifetime
  Millis lifetime_;
};

}  // namespace sipreg::txn
