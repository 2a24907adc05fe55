#include "cli/probe_runner.h"

#include <gtest/gtest.h>

namespace sipreg::cli {
namespace {

TEST(SplitHostPortTest, HostOnlyHasNoPort) {
  auto hp = SplitHostPort("pbx.example.com");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "pbx.example.com");
  EXPECT_EQ(hp->port, 0);
}

TEST(SplitHostPortTest, Ipv4WithPort) {
  auto hp = SplitHostPort("192.168.5.50:5080");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "192.168.5.50");
  EXPECT_EQ(hp->port, 5080);
}

TEST(SplitHostPortTest, BracketedIpv6WithAndWithoutPort) {
  auto a = SplitHostPort("[::1]:5062");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->host, "::1");
  EXPECT_EQ(a->port, 5062);
  auto b = SplitHostPort("[2001:db8::1]");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->host, "2001:db8::1");
  EXPECT_EQ(b->port, 0);
  auto c = SplitHostPort("2001:db8::1");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->host, "2001:db8::1");
}

TEST(SplitHostPortTest, RejectsBadPortsAndEmptyHosts) {
  EXPECT_FALSE(SplitHostPort("").ok());
  EXPECT_FALSE(SplitHostPort(":5060").ok());
  EXPECT_FALSE(SplitHostPort("host:").ok());
  EXPECT_FALSE(SplitHostPort("host:0").ok());
  EXPECT_FALSE(SplitHostPort("host:65536").ok());
  EXPECT_FALSE(SplitHostPort("host:50x").ok());
  EXPECT_FALSE(SplitHostPort("[::1").ok());
  EXPECT_FALSE(SplitHostPort("[::1]x").ok());
}

TEST(RunProbeTest, EmptyUserIsALocalError) {
  ProbeOptions o;
  o.server = "127.0.0.1";
  auto r = RunProbe(o);
  EXPECT_EQ(r.verdict, Verdict::kLocalError);
  EXPECT_EQ(ExitCodeFor(r.verdict), 3);
}

TEST(RunProbeTest, UnparsableServerIsALocalError) {
  ProbeOptions o;
  o.server = "127.0.0.1:99999";
  o.user = "demo-alice";
  auto r = RunProbe(o);
  EXPECT_EQ(r.verdict, Verdict::kLocalError);
  EXPECT_NE(r.summary.find("bad port"), std::string::npos);
}

}  // namespace
}  // namespace sipreg::cli
