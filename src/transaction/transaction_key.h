// TransactionKey: what identifies a transaction when matching messages to it
// (RFC 3261 §17.1.3 for client transactions, §17.2.3 for server ones).
//
//  - Client side: the branch of the top Via of the request we sent plus the
//    method (a response's CSeq method). ClientKey() builds it from the branch
//    the caller generated; KeyForResponse() from an incoming response.
//  - Server side, RFC 3261 peers (branch starts with the magic cookie
//    "z9hG4bK"): branch + sent-by of the top Via + request method, where ACK
//    counts as INVITE (it belongs to the INVITE transaction it acknowledges)
//    and CANCEL stays CANCEL (it is a transaction of its own).
//  - Server side, RFC 2543 peers (no magic cookie): Request-URI, From tag,
//    Call-ID, CSeq number, the whole top Via and the method (ACK again counts
//    as INVITE), plus the To tag for non-INVITE requests. For INVITE and ACK the
//    To tag is left out: an ACK carries the tag our own response added, which
//    the INVITE did not have; the other fields still pin the transaction down.
//
// Comparisons follow RFC 3261 §7.3.1: branch, tags and sent-by host are
// case-insensitive (stored lowercased); methods, Call-ID and the RFC 2543
// Request-URI / top Via are compared byte for byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "sip/message.h"

namespace sipreg::txn {

enum class TransactionSide : uint8_t { kClient, kServer };

struct TransactionKey {
  TransactionSide side = TransactionSide::kClient;
  bool rfc2543 = false;  // server key built with the RFC 2543 fallback
  std::string method;    // "REGISTER", "INVITE" (also for ACK), "CANCEL", ...
  std::string branch;    // top Via branch, lowercased; empty in RFC 2543 keys
  std::string sent_by;   // RFC 3261 server keys: "host" or "host:port" as written, host lowercased
  // RFC 2543 server keys only:
  std::string request_uri;
  std::string call_id;
  std::string from_tag;
  std::string to_tag;  // empty for INVITE/ACK (see above)
  std::string top_via;
  uint32_t cseq_number = 0;

  bool operator==(const TransactionKey&) const = default;
  // For logs: "client REGISTER z9hg4bk776" or "server INVITE z9hg4bk1 @host:5060".
  std::string ToString() const;
};

struct TransactionKeyHash {
  size_t operator()(const TransactionKey& key) const;
};

// The key of a client transaction whose request carries `branch` in its top Via.
TransactionKey ClientKey(std::string_view branch, std::string_view method);

// Client side: the key of the transaction a request we are about to send
// creates (its top Via branch and method). ACK creates no transaction: error.
Result<TransactionKey> ClientKeyForRequest(const sip::Message& request);

// Client side: the key of the transaction an incoming response belongs to.
// InvalidArgument if the top Via has no branch or CSeq is unusable.
Result<TransactionKey> KeyForResponse(const sip::Message& response);

// Server side: the key of the transaction an incoming request belongs to (or
// would create). InvalidArgument if the top Via, CSeq or (RFC 2543 fallback)
// From/To are missing or malformed.
Result<TransactionKey> KeyForRequest(const sip::Message& request);

}  // namespace sipreg::txn
