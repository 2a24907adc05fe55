// CompletedResponses: the Completed state of non-INVITE server transactions on
// an unreliable transport (RFC 3261 §17.2.2), kept as nothing but the final
// response. In that state a transaction only answers a retransmitted request
// with the response it already sent, discards any later response of the TU and
// ends when Timer J (64*T1) fires. A registrar spends nearly all of its
// transaction memory there (every UDP REGISTER for 32 s), so instead of the
// transaction object, its routing record and a timer each, one record holds the
// key and the response bytes. Like the transaction it replaces, an entry
// answers to the address the original request came from (stored with it),
// never to wherever a copy of the request claims to come from: the key holds no
// source address, so answering to the copy would let anyone reflect a 200 OK,
// with its Contact list, at a third party.
//
// Layout: every entry lives for the same time, so entries expire in the order
// they were added. Records (key bytes and response bytes inline) are appended
// to a FIFO of 1 MiB blocks and expire from its front: no allocation per entry
// (a freed block is kept for reuse), and the memory touched is sequential. An
// open-addressing index (linear probing, hash kept in the slot) finds a
// record by its key.
//
// Sans-I/O: the caller sends the response and passes the clock in.
// Not thread-safe: one event loop owns it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "sip/endpoint.h"
#include "transaction/transaction_key.h"

namespace sipreg::txn {

class CompletedResponses {
 public:
  // `lifetime` is Timer J for UDP (64*T1).
  explicit CompletedResponses(Millis lifetime) : lifetime_(lifetime) {}
  ~CompletedResponses() { Clear(); }
  CompletedResponses(const CompletedResponses&) = delete;
  CompletedResponses& operator=(const CompletedResponses&) = delete;

  struct Entry {
    std::string_view response;  // the final response, as sent
    sip::Endpoint destination;  // where it was sent (RFC 3261 §18.2.2, RFC 3581)
    sip::Endpoint local;        // the UDP socket it was sent from
  };

  // The transaction `key` sent its final response at `now`; the bytes of
  // `entry.response` are copied. A second Add for a key already held keeps the
  // first entry (a TU answer in Completed is discarded, §17.2.2).
  void Add(const TransactionKey& key, const Entry& entry, SteadyTime now);

  // What to send again, and where, for a retransmission of the request; nullptr
  // if none. Valid until the next Add, Expire or Clear.
  const Entry* Find(const TransactionKey& key) const;

  // Drops the entries whose Timer J has fired by `now`; returns how many.
  size_t Expire(SteadyTime now);

  size_t size() const { return count_; }
  void Clear();

 private:
  // In a block, followed by the key bytes and then the response bytes.
  struct Record {
    SteadyTime expires;
    size_t hash;
    uint32_t key_size;
    uint32_t total_size;  // of the record with its bytes, padded: the next one starts there
    Entry entry;          // entry.response points into this record's bytes
    // The key bytes follow the record in the block's char array.
    std::string_view key() const {
      return {reinterpret_cast<const char*>(this) + sizeof(Record), key_size};
    }
  };
  struct Block {
    std::unique_ptr<char[]> data;
    size_t size = 0;
    size_t begin = 0;  // first live record
    size_t end = 0;    // where the next record goes
  };
  struct Slot {
    size_t hash = 0;
    Record* record = nullptr;  // nullptr: empty
  };

  // The key as bytes (each field length-prefixed), into scratch_.
  std::string_view Serialize(const TransactionKey& key) const;
  Record* Lookup(std::string_view key, size_t hash) const;
  void Insert(Record* record);
  void Erase(const Record* record);
  void Grow();
  char* Allocate(size_t bytes);

  Millis lifetime_;
  std::deque<Block> blocks_;  // records in the order they were added
  Block spare_;               // an emptied standard block, kept for the next one
  std::vector<Slot> slots_;   // size 0 or a power of two, at most half full
  size_t count_ = 0;
  mutable std::string scratch_;
};

}  // namespace sipreg::txn
