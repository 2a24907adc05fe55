#include "transaction/ack_builder.h"

#include <gtest/gtest.h>

#include <string>

#include "sip/header_id.h"
#include "sip_text.h"
#include "transaction/transaction_key.h"

namespace sipreg::txn {
namespace {

using testing::Crlf;
using testing::ParseOrDie;

const std::string kInvite = Crlf(
    "INVITE sip:bob@example.com SIP/2.0\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK776asdhds;rport\n"
    "Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\n"
    "Route: <sip:p3.example.com;lr>\n"
    "Max-Forwards: 69\n"
    "To: Bob <sip:bob@example.com>\n"
    "From: Alice <sip:alice@example.com>;tag=1928301774\n"
    "Call-ID: a84b4c76e66710@127.0.0.1\n"
    "CSeq: 314159 INVITE\n"
    "Contact: <sip:alice@127.0.0.1:5070>\n"
    "Content-Type: application/sdp\n"
    "Content-Length: 4\n"
    "\n"
    "v=0\n");

const std::string k486 = Crlf(
    "SIP/2.0 486 Busy Here\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK776asdhds;rport=5070;received=127.0.0.1\n"
    "To: Bob <sip:bob@example.com>;tag=a6c85cf\n"
    "From: Alice <sip:alice@example.com>;tag=1928301774\n"
    "Call-ID: a84b4c76e66710@127.0.0.1\n"
    "CSeq: 314159 INVITE\n"
    "Content-Length: 0\n"
    "\n");

TEST(AckBuilderTest, AckCopiesInviteFieldsAndResponseTo) {
  Result<std::string> ack = BuildAckForNon2xx(kInvite, k486);
  ASSERT_TRUE(ack.ok()) << ack.status().ToString();
  sip::Message m = ParseOrDie(*ack);
  EXPECT_TRUE(m.is_request());
  EXPECT_EQ(m.method(), sip::Method::kAck);
  EXPECT_EQ(m.request_uri(), "sip:bob@example.com");
  EXPECT_EQ(m.Count(sip::HeaderId::kVia), 1u);
  EXPECT_EQ(m.top_via(), "SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK776asdhds;rport")
      << "the INVITE's Via, not the response's";
  EXPECT_EQ(m.from(), "Alice <sip:alice@example.com>;tag=1928301774");
  EXPECT_EQ(m.to(), "Bob <sip:bob@example.com>;tag=a6c85cf");
  EXPECT_EQ(m.call_id(), "a84b4c76e66710@127.0.0.1");
  EXPECT_EQ(m.cseq(), "314159 ACK");
  EXPECT_EQ(m.Value(sip::HeaderId::kMaxForwards), "69");
  std::vector<std::string_view> routes = m.Values(sip::HeaderId::kRoute);
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_EQ(routes[0], "<sip:p1.example.com;lr>");
  EXPECT_EQ(routes[1], "<sip:p2.example.com;lr>");
  EXPECT_EQ(routes[2], "<sip:p3.example.com;lr>");
  EXPECT_EQ(m.Find(sip::HeaderId::kContact), nullptr);
  EXPECT_TRUE(m.body().empty());
  EXPECT_EQ(m.Value(sip::HeaderId::kContentLength), "0");
}

TEST(AckBuilderTest, AckMatchesTheServerInviteTransaction) {
  Result<std::string> ack = BuildAckForNon2xx(kInvite, k486);
  ASSERT_TRUE(ack.ok());
  Result<TransactionKey> ack_key = KeyForRequest(ParseOrDie(*ack));
  Result<TransactionKey> invite_key = KeyForRequest(ParseOrDie(kInvite));
  ASSERT_TRUE(ack_key.ok());
  ASSERT_TRUE(invite_key.ok());
  EXPECT_EQ(*ack_key, *invite_key);
}

TEST(AckBuilderTest, MaxForwardsDefaultsTo70) {
  std::string invite = kInvite;
  invite.erase(invite.find("Max-Forwards: 69\r\n"), 18);
  Result<std::string> ack = BuildAckForNon2xx(invite, k486);
  ASSERT_TRUE(ack.ok()) << ack.status().ToString();
  EXPECT_EQ(ParseOrDie(*ack).Value(sip::HeaderId::kMaxForwards), "70");
}

TEST(AckBuilderTest, RefusesWhatIsNotAnInviteAndNon2xxFinal) {
  std::string ok200 = k486;
  ok200.replace(8, 13, "200 OK");
  EXPECT_FALSE(BuildAckForNon2xx(kInvite, ok200).ok()) << "2xx is ACKed by the TU";
  std::string ringing = k486;
  ringing.replace(8, 13, "180 Ringing");
  EXPECT_FALSE(BuildAckForNon2xx(kInvite, ringing).ok());
  EXPECT_FALSE(BuildAckForNon2xx(k486, k486).ok());
  EXPECT_FALSE(BuildAckForNon2xx(kInvite, kInvite).ok());
  EXPECT_FALSE(BuildAckForNon2xx("garbage", k486).ok());
  EXPECT_FALSE(BuildAckForNon2xx(kInvite, "").ok());
  std::string options = kInvite;
  options.replace(0, 6, "OPTIONS");
  EXPECT_FALSE(BuildAckForNon2xx(options, k486).ok());
}

}  // namespace
}  // namespace sipreg::txn
