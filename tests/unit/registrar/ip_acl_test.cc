#include "registrar/ip_acl.h"

#include <gtest/gtest.h>

namespace sipreg::registrar {
namespace {

IpNetwork Net(std::string_view s) {
  auto n = IpNetwork::Parse(s);
  EXPECT_TRUE(n.ok()) << s;
  return *n;
}

TEST(IpNetworkTest, ParsesCidrNetmaskAndHost) {
  EXPECT_EQ(Net("10.1.2.3/8").ToString(), "10.0.0.0/8");
  EXPECT_EQ(Net("192.168.1.0/255.255.255.0").ToString(), "192.168.1.0/24");
  EXPECT_EQ(Net("127.0.0.1").ToString(), "127.0.0.1/32");
  EXPECT_EQ(Net("fe80::1/10").ToString(), "fe80::/10");
}

TEST(IpNetworkTest, RejectsGarbageAndBadMasks) {
  EXPECT_FALSE(IpNetwork::Parse("10.0.0.300").ok());
  EXPECT_FALSE(IpNetwork::Parse("10.0.0.0/33").ok());
  EXPECT_FALSE(IpNetwork::Parse("10.0.0.0/255.0.255.0").ok());
  EXPECT_FALSE(IpNetwork::Parse("::1/129").ok());
  EXPECT_FALSE(IpNetwork::Parse("").ok());
}

TEST(IpNetworkTest, ContainsMatchesPrefixAndFamily) {
  EXPECT_TRUE(Net("10.0.0.0/8").Contains("10.200.1.1"));
  EXPECT_FALSE(Net("10.0.0.0/8").Contains("11.0.0.1"));
  EXPECT_TRUE(Net("0.0.0.0/0").Contains("203.0.113.9"));
  EXPECT_FALSE(Net("10.0.0.0/8").Contains("::1"));
  EXPECT_TRUE(Net("10.0.0.0/8").Contains("::ffff:10.1.1.1"));
  EXPECT_TRUE(Net("2001:db8::/32").Contains("2001:db8::5"));
  EXPECT_FALSE(Net("10.0.0.0/8").Contains("not-an-ip"));
}

TEST(IpAclTest, LastMatchingRuleWinsLikeAsterisk) {
  IpAcl acl;
  acl.Deny(Net("0.0.0.0/0"));
  acl.Permit(Net("192.168.5.0/24"));
  EXPECT_TRUE(acl.Allows("192.168.5.103"));
  EXPECT_FALSE(acl.Allows("192.168.6.1"));
  acl.Deny(Net("192.168.5.66"));
  EXPECT_FALSE(acl.Allows("192.168.5.66"));
}

TEST(IpAclTest, EmptyAclAllowsEveryone) {
  IpAcl acl;
  EXPECT_TRUE(acl.empty());
  EXPECT_TRUE(acl.Allows("198.51.100.1"));
}

}  // namespace
}  // namespace sipreg::registrar
