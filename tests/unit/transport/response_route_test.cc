#include "transport/response_route.h"

#include <gtest/gtest.h>

#include <string>

namespace sipreg::transport {
namespace {

using sip::Endpoint;
using sip::TransportKind;

// Parses `via` (which must stay alive: Via is zero-copy) and routes a response.
Result<Endpoint> Route(const std::string& via, const Endpoint& source) {
  Result<sip::Via> parsed = sip::ParseVia(via);
  EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
  if (!parsed.ok()) return parsed.status();
  return ResponseDestination(*parsed, source);
}

const Endpoint kUdpSource{TransportKind::kUdp, "192.0.2.1", 9988};

TEST(ResponseRouteTest, UdpWithRportGoesToReceivedAndRport) {
  // RFC 3581 §4 example, after stamping.
  auto dest = Route("SIP/2.0/UDP 10.1.1.1:4540;received=192.0.2.1;rport=9988;branch=z9hG4bKkjsh",
                    kUdpSource);
  ASSERT_TRUE(dest.ok());
  EXPECT_EQ(*dest, (Endpoint{TransportKind::kUdp, "192.0.2.1", 9988}));
}

TEST(ResponseRouteTest, UdpWithBareRportUsesSourcePort) {
  auto dest = Route("SIP/2.0/UDP 10.1.1.1:4540;rport;branch=z9hG4bKkjsh", kUdpSource);
  ASSERT_TRUE(dest.ok());
  EXPECT_EQ(*dest, (Endpoint{TransportKind::kUdp, "192.0.2.1", 9988}));
}

TEST(ResponseRouteTest, UdpWithoutRportUsesReceivedIpAndSentByPort) {
  auto dest = Route("SIP/2.0/UDP 10.1.1.1:4540;branch=z9hG4bKx;received=192.0.2.1", kUdpSource);
  ASSERT_TRUE(dest.ok());
  EXPECT_EQ(*dest, (Endpoint{TransportKind::kUdp, "192.0.2.1", 4540}));
}

TEST(ResponseRouteTest, UdpWithoutSentByPortDefaultsTo5060) {
  auto dest = Route("SIP/2.0/UDP pc33.example.com;branch=z9hG4bKx;received=192.0.2.1", kUdpSource);
  ASSERT_TRUE(dest.ok());
  EXPECT_EQ(*dest, (Endpoint{TransportKind::kUdp, "192.0.2.1", 5060}));
}

TEST(ResponseRouteTest, UdpWithoutReceivedGoesToSourceIpAndSentByPort) {
  // StampVia leaves received out only when sent-by is already the source IP.
  auto dest = Route("SIP/2.0/UDP 192.0.2.1:5070;branch=z9hG4bKx", kUdpSource);
  ASSERT_TRUE(dest.ok());
  EXPECT_EQ(*dest, (Endpoint{TransportKind::kUdp, "192.0.2.1", 5070}));
}

TEST(ResponseRouteTest, UdpMaddrWinsOverReceivedAndRport) {
  auto dest = Route(
      "SIP/2.0/UDP 10.1.1.1:4540;maddr=239.255.255.1;received=192.0.2.1;rport=9988;branch=z9hG4bKx",
      kUdpSource);
  ASSERT_TRUE(dest.ok());
  EXPECT_EQ(*dest, (Endpoint{TransportKind::kUdp, "239.255.255.1", 4540}));
}

TEST(ResponseRouteTest, UdpMaddrHostNameIsUnavailableWithoutDns) {
  auto dest = Route("SIP/2.0/UDP 10.1.1.1;maddr=proxy.example.com;branch=z9hG4bKx", kUdpSource);
  ASSERT_FALSE(dest.ok());
  EXPECT_EQ(dest.status().code(), StatusCode::kUnavailable);
}

TEST(ResponseRouteTest, ReliableFallbackIgnoresRportAndUsesSentByPort) {
  const Endpoint tcp_source{TransportKind::kTcp, "192.0.2.1", 40000};
  auto dest =
      Route("SIP/2.0/TCP 10.1.1.1:5070;received=192.0.2.1;rport=40000;branch=z9hG4bKx", tcp_source);
  ASSERT_TRUE(dest.ok());
  EXPECT_EQ(*dest, (Endpoint{TransportKind::kTcp, "192.0.2.1", 5070}));
}

TEST(ResponseRouteTest, ReliableFallbackIgnoresMaddr) {
  const Endpoint tcp_source{TransportKind::kTcp, "192.0.2.1", 40000};
  auto dest = Route("SIP/2.0/TCP 10.1.1.1;maddr=239.255.255.1;received=192.0.2.1;branch=z9hG4bKx",
                    tcp_source);
  ASSERT_TRUE(dest.ok());
  EXPECT_EQ(*dest, (Endpoint{TransportKind::kTcp, "192.0.2.1", 5060}));
}

TEST(ResponseRouteTest, TlsWithoutSentByPortDefaultsTo5061) {
  const Endpoint tls_source{TransportKind::kTls, "192.0.2.1", 40000};
  auto dest =
      Route("SIP/2.0/TLS client.example.com;branch=z9hG4bKx;received=192.0.2.1", tls_source);
  ASSERT_TRUE(dest.ok());
  EXPECT_EQ(*dest, (Endpoint{TransportKind::kTls, "192.0.2.1", 5061}));
}

TEST(ResponseRouteTest, Ipv6ReceivedIsUsedWithoutBrackets) {
  const Endpoint source{TransportKind::kUdp, "2001:db8::9", 6000};
  auto dest = Route(
      "SIP/2.0/UDP [2001:db8::1]:5060;received=2001:db8::9;rport=6000;branch=z9hG4bKx", source);
  ASSERT_TRUE(dest.ok());
  EXPECT_EQ(*dest, (Endpoint{TransportKind::kUdp, "2001:db8::9", 6000}));
}

TEST(ResponseRouteTest, UnusableReceivedFallsBackToSourceIp) {
  auto dest = Route("SIP/2.0/UDP 10.1.1.1:4540;received=not-an-ip;branch=z9hG4bKx", kUdpSource);
  ASSERT_TRUE(dest.ok());
  EXPECT_EQ(*dest, (Endpoint{TransportKind::kUdp, "192.0.2.1", 4540}));
}

}  // namespace
}  // namespace sipreg::transport
