#include "sip/via.h"

#include <gtest/gtest.h>

namespace sipreg::sip {
namespace {

TEST(ViaTest, ParsesProtocolTransportHostPortAndParams) {
  Result<Via> v =
      ParseVia("SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;received=192.0.2.99");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->protocol, "SIP/2.0");
  EXPECT_EQ(v->transport, "UDP");
  EXPECT_EQ(v->host, "192.0.2.10");
  ASSERT_TRUE(v->port.has_value());
  EXPECT_EQ(*v->port, 5060);
  EXPECT_EQ(v->branch(), "z9hG4bK776asdhds");
  EXPECT_EQ(v->received(), "192.0.2.99");
  EXPECT_TRUE(v->is_rfc3261_branch());
  EXPECT_FALSE(v->has_rport());
}

TEST(ViaTest, RportWithoutValueIsRequest) {
  Result<Via> v = ParseVia("SIP/2.0/UDP client.example.com;rport;branch=z9hG4bKx");
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->has_rport());
  EXPECT_FALSE(v->rport_value().has_value());
  EXPECT_FALSE(v->port.has_value());
}

TEST(ViaTest, RportWithValueIsReported) {
  Result<Via> v = ParseVia("SIP/2.0/UDP client.example.com;received=192.0.2.1;rport=40123");
  ASSERT_TRUE(v.ok());
  EXPECT_TRUE(v->has_rport());
  EXPECT_EQ(v->rport_value(), 40123);
  Result<Via> bad = ParseVia("SIP/2.0/UDP client.example.com;rport=70000");
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(bad->rport_value().has_value());
}

TEST(ViaTest, OldBranchIsNotRfc3261) {
  EXPECT_FALSE(ParseVia("SIP/2.0/UDP h;branch=abc")->is_rfc3261_branch());
  EXPECT_FALSE(ParseVia("SIP/2.0/UDP h")->is_rfc3261_branch());
  EXPECT_FALSE(ParseVia("SIP/2.0/UDP h;branch=Z9HG4BK1")->is_rfc3261_branch());
}

TEST(ViaTest, Ipv6SentByAndReceived) {
  Result<Via> v = ParseVia("SIP/2.0/TCP [2001:db8::9]:5061;branch=z9hG4bK1;received=2001:db8::99");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->host, "[2001:db8::9]");
  EXPECT_EQ(*v->port, 5061);
  EXPECT_EQ(v->received(), "2001:db8::99");
}

TEST(ViaTest, LinearWhitespaceEverywhere) {
  // RFC 4475 wsinv after unfolding.
  Result<Via> v =
      ParseVia("SIP  /   2.0    /UDP     192.0.2.2 : 5060  ;  branch  =   z9hG4bK9ikj8  ");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->protocol, "SIP/2.0");
  EXPECT_EQ(v->transport, "UDP");
  EXPECT_EQ(v->host, "192.0.2.2");
  EXPECT_EQ(*v->port, 5060);
  EXPECT_EQ(v->branch(), "z9hG4bK9ikj8");
}

TEST(ViaTest, UnknownTransportAndProtocolAreKept) {
  Result<Via> v = ParseVia("SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->transport, "UNKNOWN");
  Result<Via> other = ParseVia("FOO/3.1/WS edge.example.com");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(other->protocol, "FOO/3.1");
}

TEST(ViaTest, QuotedParamValue) {
  Result<Via> v = ParseVia("SIP/2.0/UDP h;x=\"a b;c\";branch=z9hG4bK1");
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(v->params.Get("x"), "a b;c");
  EXPECT_EQ(v->branch(), "z9hG4bK1");
}

TEST(ViaTest, RejectsMalformedEntries) {
  EXPECT_FALSE(ParseVia("").ok());
  EXPECT_FALSE(ParseVia("SIP/2.0").ok());
  EXPECT_FALSE(ParseVia("SIP/2.0/").ok());
  EXPECT_FALSE(ParseVia("SIP/2.0/UDP").ok());
  EXPECT_FALSE(ParseVia("SIP/2.0/UDP ").ok());
  EXPECT_FALSE(ParseVia("SIP 2.0/UDP h").ok());
  EXPECT_FALSE(ParseVia("SIP/2.0/UDP h:").ok());
  EXPECT_FALSE(ParseVia("SIP/2.0/UDP h:65536").ok());
  EXPECT_FALSE(ParseVia("SIP/2.0/UDP h:5x").ok());
  EXPECT_FALSE(ParseVia("SIP/2.0/UDP [::1").ok());
  EXPECT_FALSE(ParseVia("SIP/2.0/UDP 192.0.2.15;;").ok());  // RFC 4475 badinv01
  EXPECT_FALSE(ParseVia(";").ok());
  EXPECT_FALSE(ParseVia("SIP/2.0/UDP h;branch=").ok());
  EXPECT_FALSE(ParseVia("SIP/2.0/UDP h;branch=\"open").ok());
  EXPECT_FALSE(ParseVia("SIP/2.0/UDP h extra").ok());
  EXPECT_EQ(ParseVia("SIP/2.0/UDP").status().message(), "missing Via sent-by");
}

TEST(ViaTest, RawIsTheTrimmedEntry) {
  Result<Via> v = ParseVia("  SIP/2.0/UDP h;branch=z9hG4bK1 ");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->raw, "SIP/2.0/UDP h;branch=z9hG4bK1");
}

}  // namespace
}  // namespace sipreg::sip
