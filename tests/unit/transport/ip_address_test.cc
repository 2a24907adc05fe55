#include "transport/ip_address.h"

#include <gtest/gtest.h>

namespace sipreg::transport {
namespace {

TEST(IpAddressTest, ParsesIpv4AndIpv6WithOrWithoutBrackets) {
  ASSERT_TRUE(ParseIpLiteral("127.0.0.1").has_value());
  EXPECT_TRUE(ParseIpLiteral("127.0.0.1")->is_v4());
  ASSERT_TRUE(ParseIpLiteral("::1").has_value());
  EXPECT_TRUE(ParseIpLiteral("::1")->is_v6());
  ASSERT_TRUE(ParseIpLiteral("[2001:db8::1]").has_value());
  EXPECT_EQ(IpToString(*ParseIpLiteral("[2001:db8::1]")), "2001:db8::1");
}

TEST(IpAddressTest, RejectsHostNamesAndMalformedLiterals) {
  EXPECT_FALSE(ParseIpLiteral("").has_value());
  EXPECT_FALSE(ParseIpLiteral("example.com").has_value());
  EXPECT_FALSE(ParseIpLiteral("[127.0.0.1]").has_value());
  EXPECT_FALSE(ParseIpLiteral("[::1").has_value());
  EXPECT_FALSE(ParseIpLiteral("1.2.3.256").has_value());
  EXPECT_FALSE(ParseIpLiteral("fe80::1%eth0").has_value());
  EXPECT_FALSE(ParseIpLiteral(std::string(100, '1')).has_value());
}

TEST(IpAddressTest, V4MappedAddressPrintsAsIpv4) {
  EXPECT_EQ(IpToString(*ParseIpLiteral("::ffff:192.0.2.7")), "192.0.2.7");
}

TEST(IpAddressTest, SameIpComparesAddressesNotText) {
  EXPECT_TRUE(SameIp("::1", "[0:0::1]"));
  EXPECT_TRUE(SameIp("127.0.0.1", "127.0.0.1"));
  EXPECT_FALSE(SameIp("127.0.0.1", "127.0.0.2"));
  EXPECT_FALSE(SameIp("localhost", "localhost"));  // names are never "the same IP"
}

}  // namespace
}  // namespace sipreg::transport
