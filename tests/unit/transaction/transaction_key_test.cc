#include "transaction/transaction_key.h"

#include <gtest/gtest.h>

#include <string>
#include <unordered_set>

#include "sip_text.h"

namespace sipreg::txn {
namespace {

using testing::ParseOrDie;

// A request with replaceable parts; defaults form an RFC 3261 INVITE.
struct Req {
  std::string method = "INVITE";
  std::string uri = "sip:bob@example.com";
  std::string via = "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK776asdhds";
  std::string to = "Bob <sip:bob@example.com>";
  std::string from = "Alice <sip:alice@example.com>;tag=1928301774";
  std::string call_id = "a84b4c76e66710@127.0.0.1";
  std::string cseq = "314159 INVITE";

  std::string Text() const {
    return method + " " + uri + " SIP/2.0\nVia: " + via + "\nMax-Forwards: 70\nTo: " + to +
           "\nFrom: " + from + "\nCall-ID: " + call_id + "\nCSeq: " + cseq +
           "\nContent-Length: 0\n\n";
  }
  TransactionKey ServerKey() const {
    sip::Message m = ParseOrDie(Text());
    Result<TransactionKey> k = KeyForRequest(m);
    EXPECT_TRUE(k.ok()) << k.status().ToString();
    return k.ok() ? *k : TransactionKey();
  }
};

Req Ack(Req invite) {
  invite.method = "ACK";
  invite.to += ";tag=8321234356";
  invite.cseq = "314159 ACK";
  return invite;
}

Req Rfc2543(Req r) {
  r.via = "SIP/2.0/UDP 127.0.0.1:5070";
  return r;
}

std::string ResponseText(std::string_view via, std::string_view cseq) {
  return "SIP/2.0 200 OK\nVia: " + std::string(via) +
         "\nTo: <sip:bob@example.com>;tag=x\nFrom: <sip:alice@example.com>;tag=y\n"
         "Call-ID: c1\nCSeq: " +
         std::string(cseq) + "\nContent-Length: 0\n\n";
}

TEST(TransactionKeyTest, ServerKeyHoldsBranchSentByAndMethod) {
  TransactionKey k = Req{}.ServerKey();
  EXPECT_EQ(k.side, TransactionSide::kServer);
  EXPECT_FALSE(k.rfc2543);
  EXPECT_EQ(k.method, "INVITE");
  EXPECT_EQ(k.branch, "z9hg4bk776asdhds");
  EXPECT_EQ(k.sent_by, "127.0.0.1:5070");
}

TEST(TransactionKeyTest, RetransmittedRequestMatches) {
  EXPECT_EQ(Req{}.ServerKey(), Req{}.ServerKey());
  EXPECT_EQ(TransactionKeyHash{}(Req{}.ServerKey()), TransactionKeyHash{}(Req{}.ServerKey()));
}

TEST(TransactionKeyTest, AckMatchesTheInviteTransaction) {
  EXPECT_EQ(Ack(Req{}).ServerKey(), Req{}.ServerKey());
}

TEST(TransactionKeyTest, CancelIsItsOwnTransaction) {
  Req cancel;
  cancel.method = "CANCEL";
  cancel.cseq = "314159 CANCEL";
  TransactionKey k = cancel.ServerKey();
  EXPECT_EQ(k.method, "CANCEL");
  EXPECT_EQ(k.branch, Req{}.ServerKey().branch);
  EXPECT_NE(k, Req{}.ServerKey());
}

TEST(TransactionKeyTest, DifferentSentByDoesNotMatch) {
  Req other_port;
  other_port.via = "SIP/2.0/UDP 127.0.0.1:5071;branch=z9hG4bK776asdhds";
  Req other_host;
  other_host.via = "SIP/2.0/UDP 127.0.0.2:5070;branch=z9hG4bK776asdhds";
  Req no_port;
  no_port.via = "SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK776asdhds";
  EXPECT_NE(other_port.ServerKey(), Req{}.ServerKey());
  EXPECT_NE(other_host.ServerKey(), Req{}.ServerKey());
  EXPECT_NE(no_port.ServerKey(), Req{}.ServerKey());
}

TEST(TransactionKeyTest, DifferentBranchOrMethodDoesNotMatch) {
  Req other_branch;
  other_branch.via = "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK776asdhdX";
  EXPECT_NE(other_branch.ServerKey(), Req{}.ServerKey());
  Req options;
  options.method = "OPTIONS";
  options.cseq = "314159 OPTIONS";
  EXPECT_NE(options.ServerKey(), Req{}.ServerKey());
}

TEST(TransactionKeyTest, BranchAndSentByHostCompareCaseInsensitively) {
  Req a;
  a.via = "SIP/2.0/UDP Proxy.Example.COM:5070;branch=z9hG4bKAbC";
  Req b;
  b.via = "SIP/2.0/UDP proxy.example.com:5070;branch=z9hG4bKaBc";
  EXPECT_EQ(a.ServerKey(), b.ServerKey());
}

TEST(TransactionKeyTest, OtherFieldsDoNotMatterWithMagicCookie) {
  Req r;
  r.call_id = "something-else";
  r.uri = "sip:carol@example.com";
  r.from = "<sip:x@example.com>;tag=zzz";
  EXPECT_EQ(r.ServerKey(), Req{}.ServerKey());
}

TEST(TransactionKeyTest, Rfc2543FallbackWithoutMagicCookie) {
  TransactionKey k = Rfc2543(Req{}).ServerKey();
  EXPECT_TRUE(k.rfc2543);
  EXPECT_EQ(k.method, "INVITE");
  EXPECT_EQ(k.call_id, "a84b4c76e66710@127.0.0.1");
  EXPECT_EQ(k.cseq_number, 314159u);
  EXPECT_EQ(k.from_tag, "1928301774");
  EXPECT_EQ(k.request_uri, "sip:bob@example.com");
  EXPECT_EQ(k.top_via, "SIP/2.0/UDP 127.0.0.1:5070");
  EXPECT_EQ(k, Rfc2543(Req{}).ServerKey()) << "retransmission";
  // A branch without the cookie is an RFC 2543 branch too.
  Req old_branch;
  old_branch.via = "SIP/2.0/UDP 127.0.0.1:5070;branch=776asdhds";
  EXPECT_TRUE(old_branch.ServerKey().rfc2543);
  EXPECT_NE(old_branch.ServerKey(), Rfc2543(Req{}).ServerKey()) << "top Via differs";
}

TEST(TransactionKeyTest, Rfc2543AckMatchesInviteDespiteNewToTag) {
  EXPECT_EQ(Ack(Rfc2543(Req{})).ServerKey(), Rfc2543(Req{}).ServerKey());
}

TEST(TransactionKeyTest, Rfc2543FieldsEachDistinguishTransactions) {
  const TransactionKey base = Rfc2543(Req{}).ServerKey();
  Req r = Rfc2543(Req{});
  r.call_id = "other@127.0.0.1";
  EXPECT_NE(r.ServerKey(), base);
  r = Rfc2543(Req{});
  r.cseq = "314160 INVITE";
  EXPECT_NE(r.ServerKey(), base);
  r = Rfc2543(Req{});
  r.from = "Alice <sip:alice@example.com>;tag=other";
  EXPECT_NE(r.ServerKey(), base);
  r = Rfc2543(Req{});
  r.uri = "sip:carol@example.com";
  EXPECT_NE(r.ServerKey(), base);
  r = Rfc2543(Req{});
  r.via = "SIP/2.0/UDP 127.0.0.1:5071";
  EXPECT_NE(r.ServerKey(), base);
}

TEST(TransactionKeyTest, Rfc2543NonInviteComparesToTag) {
  Req bye = Rfc2543(Req{});
  bye.method = "BYE";
  bye.cseq = "314160 BYE";
  bye.to = "Bob <sip:bob@example.com>;tag=abc";
  Req other = bye;
  other.to = "Bob <sip:bob@example.com>;tag=def";
  EXPECT_EQ(bye.ServerKey().to_tag, "abc");
  EXPECT_EQ(bye.ServerKey(), bye.ServerKey());
  EXPECT_NE(bye.ServerKey(), other.ServerKey());
}

TEST(TransactionKeyTest, Rfc2543KeyDoesNotMatchRfc3261Key) {
  EXPECT_NE(Rfc2543(Req{}).ServerKey(), Req{}.ServerKey());
}

TEST(TransactionKeyTest, ClientKeyOfRequestMatchesItsResponse) {
  Req reg;
  reg.method = "REGISTER";
  reg.uri = "sip:example.com";
  reg.cseq = "2 REGISTER";
  sip::Message request = ParseOrDie(reg.Text());
  Result<TransactionKey> from_request = ClientKeyForRequest(request);
  ASSERT_TRUE(from_request.ok()) << from_request.status().ToString();
  sip::Message response = ParseOrDie(ResponseText(reg.via, "2 REGISTER"));
  Result<TransactionKey> from_response = KeyForResponse(response);
  ASSERT_TRUE(from_response.ok()) << from_response.status().ToString();
  EXPECT_EQ(*from_request, *from_response);
  EXPECT_EQ(*from_response, ClientKey("z9hG4bK776asdhds", "REGISTER"));
  EXPECT_EQ(from_response->side, TransactionSide::kClient);
  EXPECT_NE(*from_request, reg.ServerKey()) << "client and server keys never collide";
}

TEST(TransactionKeyTest, ResponseToCancelDoesNotMatchTheInvite) {
  const std::string via = Req{}.via;
  Result<TransactionKey> cancel_resp = KeyForResponse(ParseOrDie(ResponseText(via, "1 CANCEL")));
  Result<TransactionKey> invite_resp = KeyForResponse(ParseOrDie(ResponseText(via, "1 INVITE")));
  ASSERT_TRUE(cancel_resp.ok());
  ASSERT_TRUE(invite_resp.ok());
  EXPECT_NE(*cancel_resp, *invite_resp);
  EXPECT_EQ(*invite_resp, ClientKey("z9hG4bK776asdhds", "INVITE"));
}

TEST(TransactionKeyTest, ResponseWithDifferentBranchDoesNotMatch) {
  Result<TransactionKey> k = KeyForResponse(
      ParseOrDie(ResponseText("SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKother", "1 INVITE")));
  ASSERT_TRUE(k.ok());
  EXPECT_NE(*k, ClientKey("z9hG4bK776asdhds", "INVITE"));
}

TEST(TransactionKeyTest, UnusableMessagesAreErrorsNotCrashes) {
  // Response without a branch.
  EXPECT_EQ(
      KeyForResponse(ParseOrDie(ResponseText("SIP/2.0/UDP 127.0.0.1", "1 INVITE"))).status().code(),
      StatusCode::kInvalidArgument);
  // Malformed top Via (the parser checks only that a Via is present).
  EXPECT_FALSE(KeyForResponse(ParseOrDie(ResponseText("garbage", "1 INVITE"))).ok());
  // Wrong direction.
  EXPECT_FALSE(KeyForRequest(ParseOrDie(ResponseText(Req{}.via, "1 INVITE"))).ok());
  EXPECT_FALSE(KeyForResponse(ParseOrDie(Req{}.Text())).ok());
  // ACK never creates a client transaction.
  EXPECT_FALSE(ClientKeyForRequest(ParseOrDie(Ack(Req{}).Text())).ok());
  // No headers at all (a default Message is an empty response).
  sip::Message empty;
  EXPECT_EQ(KeyForResponse(empty).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(KeyForRequest(empty).status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(ClientKeyForRequest(empty).ok());
  // RFC 2543 fallback needs a parsable From.
  Req bad_from = Rfc2543(Req{});
  bad_from.from = "<sip:alice@example.com";
  EXPECT_FALSE(KeyForRequest(ParseOrDie(bad_from.Text())).ok());
}

TEST(TransactionKeyTest, KeysWorkInHashContainers) {
  std::unordered_set<TransactionKey, TransactionKeyHash> keys;
  keys.insert(Req{}.ServerKey());
  keys.insert(Ack(Req{}).ServerKey());
  keys.insert(Rfc2543(Req{}).ServerKey());
  keys.insert(Ack(Rfc2543(Req{})).ServerKey());
  keys.insert(ClientKey("z9hG4bK776asdhds", "INVITE"));
  EXPECT_EQ(keys.size(), 3u);
}

TEST(TransactionKeyTest, ToStringNamesSideMethodAndBranch) {
  EXPECT_EQ(ClientKey("z9hG4bK1", "REGISTER").ToString(), "client REGISTER z9hg4bk1");
  EXPECT_EQ(Req{}.ServerKey().ToString(), "server INVITE z9hg4bk776asdhds @127.0.0.1:5070");
}

}  // namespace
}  // namespace sipreg::txn
