#include "transport/via_stamp.h"

#include <gtest/gtest.h>

#include <string>

#include "sip/parser.h"
#include "sip/via.h"

namespace sipreg::transport {
namespace {

using sip::Endpoint;
using sip::TransportKind;

std::string Stamp(std::string_view via, const Endpoint& source) {
  Result<std::string> r = StampVia(via, source);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::string();
}

TEST(ViaStampTest, AddsReceivedWhenSentByHostIsNotTheSourceIp) {
  // RFC 3261 §18.2.1 example.
  EXPECT_EQ(Stamp("SIP/2.0/UDP bobspc.biloxi.com:5060;branch=z9hG4bK776",
                  Endpoint{TransportKind::kUdp, "192.0.2.4", 5060}),
            "SIP/2.0/UDP bobspc.biloxi.com:5060;branch=z9hG4bK776;received=192.0.2.4");
}

TEST(ViaStampTest, LeavesViaAloneWhenSentByIsTheSourceIp) {
  const std::string via = "SIP/2.0/UDP 192.0.2.4:5070;branch=z9hG4bK776";
  EXPECT_EQ(Stamp(via, Endpoint{TransportKind::kUdp, "192.0.2.4", 40000}), via);
}

TEST(ViaStampTest, RportGetsSourcePortAndReceivedEvenIfSentByMatches) {
  // RFC 3581 §4 example: received before rport, in rport's place.
  EXPECT_EQ(Stamp("SIP/2.0/UDP 10.1.1.1:4540;rport;branch=z9hG4bKkjshdyff",
                  Endpoint{TransportKind::kUdp, "192.0.2.1", 9988}),
            "SIP/2.0/UDP 10.1.1.1:4540;received=192.0.2.1;rport=9988;branch=z9hG4bKkjshdyff");
  EXPECT_EQ(Stamp("SIP/2.0/UDP 192.0.2.1:4540;branch=z9hG4bKa;rport",
                  Endpoint{TransportKind::kUdp, "192.0.2.1", 4540}),
            "SIP/2.0/UDP 192.0.2.1:4540;branch=z9hG4bKa;received=192.0.2.1;rport=4540");
}

TEST(ViaStampTest, SenderSuppliedReceivedAndRportAreReplaced) {
  EXPECT_EQ(Stamp("SIP/2.0/UDP host.example;received=203.0.113.66;branch=z9hG4bKa;rport=1",
                  Endpoint{TransportKind::kUdp, "192.0.2.1", 9988}),
            "SIP/2.0/UDP host.example;branch=z9hG4bKa;received=192.0.2.1;rport=9988");
  // A spoofed received is dropped even when no new one is needed.
  EXPECT_EQ(Stamp("SIP/2.0/UDP 192.0.2.1:5060;received=203.0.113.66;branch=z9hG4bKa",
                  Endpoint{TransportKind::kUdp, "192.0.2.1", 5060}),
            "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKa");
}

TEST(ViaStampTest, Ipv6SentByIsComparedAsAnAddress) {
  const std::string via = "SIP/2.0/TCP [0:0::1]:5060;branch=z9hG4bKa";
  EXPECT_EQ(Stamp(via, Endpoint{TransportKind::kTcp, "::1", 40000}), via);
  EXPECT_EQ(Stamp("SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bKa;rport",
                  Endpoint{TransportKind::kUdp, "2001:db8::9", 6000}),
            "SIP/2.0/UDP [2001:db8::1]:5060;branch=z9hG4bKa;received=2001:db8::9;rport=6000");
}

TEST(ViaStampTest, OtherParametersKeepTheirText) {
  EXPECT_EQ(Stamp("SIP/2.0/UDP host.example:5060 ;branch=z9hG4bKa; ttl=16;maddr=239.255.255.1",
                  Endpoint{TransportKind::kUdp, "192.0.2.1", 5060}),
            "SIP/2.0/UDP host.example:5060 ;branch=z9hG4bKa; ttl=16;maddr=239.255.255.1"
            ";received=192.0.2.1");
}

TEST(ViaStampTest, ViaWithoutParametersGetsReceived) {
  EXPECT_EQ(Stamp("SIP/2.0/UDP host.example", Endpoint{TransportKind::kUdp, "192.0.2.1", 5060}),
            "SIP/2.0/UDP host.example;received=192.0.2.1");
}

TEST(ViaStampTest, StampedViaRoutesBackToTheSource) {
  const std::string stamped = Stamp("SIP/2.0/UDP 10.0.0.5:5060;rport;branch=z9hG4bKa",
                                    Endpoint{TransportKind::kUdp, "198.51.100.7", 31337});
  Result<sip::Via> via = sip::ParseVia(stamped);
  ASSERT_TRUE(via.ok());
  EXPECT_EQ(via->received(), "198.51.100.7");
  EXPECT_EQ(via->rport_value(), 31337);
}

TEST(ViaStampTest, MalformedViaIsInvalidArgument) {
  Result<std::string> r = StampVia("not a via", Endpoint{TransportKind::kUdp, "192.0.2.1", 5060});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
}

TEST(ViaStampTest, StampTopViaRewritesOnlyTheTopEntry) {
  const std::string bytes =
      "REGISTER sip:example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP client.example:5060;rport;branch=z9hG4bKtop, "
      "SIP/2.0/UDP second.example;branch=z9hG4bKsecond\r\n"
      "Via: SIP/2.0/UDP third.example;branch=z9hG4bKthird\r\n"
      "From: <sip:alice@example.com>;tag=1\r\n"
      "To: <sip:alice@example.com>\r\n"
      "Call-ID: stamp-1\r\n"
      "CSeq: 1 REGISTER\r\n"
      "Content-Length: 4\r\n"
      "\r\n"
      "body";
  Result<sip::Message> m = sip::Parse(bytes);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_TRUE(StampTopVia(*m, Endpoint{TransportKind::kUdp, "192.0.2.1", 9988}).ok());
  EXPECT_EQ(m->top_via(),
            "SIP/2.0/UDP client.example:5060;received=192.0.2.1;rport=9988;branch=z9hG4bKtop");
  const auto vias = m->Values(sip::HeaderId::kVia);
  ASSERT_EQ(vias.size(), 3u);
  EXPECT_EQ(vias[1], "SIP/2.0/UDP second.example;branch=z9hG4bKsecond");
  EXPECT_EQ(vias[2], "SIP/2.0/UDP third.example;branch=z9hG4bKthird");
  EXPECT_EQ(m->call_id(), "stamp-1");
  EXPECT_EQ(m->body(), "body");
}

}  // namespace
}  // namespace sipreg::transport
