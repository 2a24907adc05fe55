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
  // A NUL inside is not an address, whatever precedes it (C APIs would stop there).
  using namespace std::string_view_literals;
  EXPECT_FALSE(ParseIpLiteral("1.2.3.4\0junk"sv).has_value());
  EXPECT_FALSE(ParseIpLiteral("1.2.3.4\0:"sv).has_value());
  EXPECT_FALSE(ParseIpLiteral("::1\0x"sv).has_value());
  EXPECT_FALSE(ParseIpLiteral("[::1\0]"sv).has_value());
}

TEST(IpAddressTest, Ipv4FollowsInetPtonToTheLetter) {
  for (const char* good : {"0.0.0.0", "255.255.255.255", "192.0.2.7", "10.0.0.1", "1.22.133.4"}) {
    std::optional<asio::ip::address> a = ParseIpLiteral(good);
    ASSERT_TRUE(a.has_value()) << good;
    EXPECT_TRUE(a->is_v4()) << good;
    EXPECT_EQ(a->to_string(), good);  // asio's own formatting agrees with the parse
    EXPECT_EQ(IpToString(*a), good);
  }
  EXPECT_EQ(ParseIpLiteral("192.0.2.7")->to_v4().to_uint(), 0xC0000207u);
  // What glibc's inet_pton(AF_INET) refuses: leading zeros, missing or extra
  // parts, empty parts, signs, spaces, octal/hex spellings, overflow.
  for (const char* bad : {"01.2.3.4",         "1.2.3.04",  "00.0.0.0", "1.2.3",     "1.2.3.4.5",
                          "1..3.4",           ".1.2.3",    "1.2.3.",   "+1.2.3.4",  "1.2.3.4 ",
                          " 1.2.3.4",         "0x1.2.3.4", "1.2.3.-4", "256.1.1.1", "1.2.3.1000",
                          "4294967297.1.1.1", "1.2.3.4a",  "a.b.c.d",  "1",         "."}) {
    EXPECT_FALSE(ParseIpLiteral(bad).has_value()) << bad;
  }
}

TEST(IpAddressTest, Ipv6StillGoesThroughAsio) {
  EXPECT_EQ(IpToString(*ParseIpLiteral("2001:DB8:0:0::1")), "2001:db8::1");
  EXPECT_EQ(IpToString(*ParseIpLiteral("::")), "::");
  EXPECT_FALSE(ParseIpLiteral("1.2.3.4:5060").has_value());
  EXPECT_FALSE(ParseIpLiteral("2001:db8::g").has_value());
  EXPECT_FALSE(ParseIpLiteral(":::").has_value());
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
