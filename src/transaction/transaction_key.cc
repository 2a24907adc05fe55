#include "transaction/transaction_key.h"

#include <functional>
#include <optional>

#include "sip/cseq.h"
#include "sip/name_addr.h"
#include "sip/via.h"

namespace sipreg::txn {

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

Result<sip::Via> TopVia(const sip::Message& m) {
  std::string_view top = m.top_via();
  if (top.empty()) return Status::InvalidArgument("no Via header");
  return sip::ParseVia(top);
}

Result<sip::CSeq> MessageCSeq(const sip::Message& m) {
  std::string_view value = m.cseq();
  if (value.empty()) return Status::InvalidArgument("no CSeq header");
  return sip::ParseCSeq(value);
}

// The tag of a From or To value; empty if it has none. Error if malformed.
Result<std::string> Tag(std::string_view value, std::string_view header) {
  if (value.empty()) return Status::InvalidArgument("no " + std::string(header) + " header");
  Result<sip::NameAddr> na = sip::ParseNameAddr(value);
  if (!na.ok()) return na.status();
  std::optional<std::string_view> tag = na->tag();
  return tag ? Lower(*tag) : std::string();
}

std::string SentBy(const sip::Via& via) {
  std::string out = Lower(via.host);
  if (via.port) out += ":" + std::to_string(*via.port);
  return out;
}

void HashMix(size_t& seed, size_t h) {
  seed ^= h + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2);
}

}  // namespace

std::string TransactionKey::ToString() const {
  std::string out = side == TransactionSide::kClient ? "client " : "server ";
  out += method;
  if (rfc2543) {
    out += " rfc2543 " + call_id + " " + std::to_string(cseq_number) + " " + top_via;
    return out;
  }
  out += " " + branch;
  if (side == TransactionSide::kServer) out += " @" + sent_by;
  return out;
}

size_t TransactionKeyHash::operator()(const TransactionKey& key) const {
  std::hash<std::string> h;
  size_t seed = static_cast<size_t>(key.side) * 2 + (key.rfc2543 ? 1 : 0);
  HashMix(seed, h(key.method));
  HashMix(seed, h(key.branch));
  HashMix(seed, h(key.sent_by));
  if (key.rfc2543) {
    HashMix(seed, h(key.call_id));
    HashMix(seed, h(key.top_via));
    HashMix(seed, key.cseq_number);
  }
  return seed;
}

TransactionKey ClientKey(std::string_view branch, std::string_view method) {
  TransactionKey key;
  key.side = TransactionSide::kClient;
  key.method = std::string(method);
  key.branch = Lower(branch);
  return key;
}

Result<TransactionKey> ClientKeyForRequest(const sip::Message& request) {
  if (!request.is_request()) return Status::InvalidArgument("not a request");
  if (request.method() == sip::Method::kAck) {
    return Status::InvalidArgument("ACK does not create a client transaction");
  }
  Result<sip::Via> via = TopVia(request);
  if (!via.ok()) return via.status();
  std::optional<std::string_view> branch = via->branch();
  if (!branch || branch->empty()) return Status::InvalidArgument("top Via has no branch");
  return ClientKey(*branch, request.method_name());
}

Result<TransactionKey> KeyForResponse(const sip::Message& response) {
  if (!response.is_response()) return Status::InvalidArgument("not a response");
  Result<sip::Via> via = TopVia(response);
  if (!via.ok()) return via.status();
  std::optional<std::string_view> branch = via->branch();
  if (!branch || branch->empty()) return Status::InvalidArgument("top Via has no branch");
  Result<sip::CSeq> cseq = MessageCSeq(response);
  if (!cseq.ok()) return cseq.status();
  return ClientKey(*branch, cseq->method_name);
}

Result<TransactionKey> KeyForRequest(const sip::Message& request) {
  if (!request.is_request()) return Status::InvalidArgument("not a request");
  Result<sip::Via> via = TopVia(request);
  if (!via.ok()) return via.status();
  const bool invite_or_ack =
      request.method() == sip::Method::kInvite || request.method() == sip::Method::kAck;

  TransactionKey key;
  key.side = TransactionSide::kServer;
  key.method = invite_or_ack ? "INVITE" : std::string(request.method_name());

  if (via->is_rfc3261_branch()) {
    key.branch = Lower(*via->branch());
    key.sent_by = SentBy(*via);
    return key;
  }

  // RFC 2543 fallback (§17.2.3).
  key.rfc2543 = true;
  Result<sip::CSeq> cseq = MessageCSeq(request);
  if (!cseq.ok()) return cseq.status();
  Result<std::string> from_tag = Tag(request.from(), "From");
  if (!from_tag.ok()) return from_tag.status();
  if (!invite_or_ack) {
    Result<std::string> to_tag = Tag(request.to(), "To");
    if (!to_tag.ok()) return to_tag.status();
    key.to_tag = std::move(to_tag).value();
  }
  if (request.call_id().empty()) return Status::InvalidArgument("no Call-ID header");
  key.request_uri = std::string(request.request_uri());
  key.call_id = std::string(request.call_id());
  key.from_tag = std::move(from_tag).value();
  key.top_via = std::string(via->raw);
  key.cseq_number = cseq->number;
  return key;
}

}  // namespace sipreg::txn
