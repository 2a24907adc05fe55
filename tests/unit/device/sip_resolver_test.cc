#include "device/sip_resolver.h"

#include <map>

#include <gtest/gtest.h>

namespace sipreg::device {
namespace {

class FakeDns final : public DnsLookup {
 public:
  std::map<std::string, std::vector<NaptrRecord>> naptr;
  std::map<std::string, std::vector<SrvRecord>> srv;
  std::map<std::string, std::vector<std::string>> a;
  std::vector<std::string> asked;

  Result<std::vector<NaptrRecord>> Naptr(const std::string& name) override {
    asked.push_back("NAPTR " + name);
    auto it = naptr.find(name);
    if (it == naptr.end()) return Status::NotFound("none");
    return it->second;
  }
  Result<std::vector<SrvRecord>> Srv(const std::string& name) override {
    asked.push_back("SRV " + name);
    auto it = srv.find(name);
    if (it == srv.end()) return Status::NotFound("none");
    return it->second;
  }
  Result<std::vector<std::string>> Addresses(const std::string& name) override {
    asked.push_back("A " + name);
    auto it = a.find(name);
    if (it == a.end()) return Status::NotFound("none");
    return it->second;
  }
};

std::string Labels(const ResolvedServer& r) {
  std::string out;
  for (const auto& e : r.addresses) {
    if (!out.empty()) out += " ";
    out += std::string(sip::TransportName(e.transport)) + ":" + e.ToString();
  }
  return out;
}

class SipResolverTest : public ::testing::Test {
 protected:
  Result<ResolvedServer> Resolve(std::string host, std::optional<uint16_t> port = std::nullopt,
                                 TransportChoice choice = TransportChoice::kAuto) {
    return ResolveSipServer(dns_, HostPort{std::move(host), port}, choice, random_);
  }
  FakeDns dns_;
  FakeRandom random_{3};
};

TEST_F(SipResolverTest, IpLiteralNeedsNoDns) {
  auto r = Resolve("192.0.2.1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Labels(*r), "UDP:192.0.2.1:5060");
  EXPECT_TRUE(dns_.asked.empty());
  auto tls = Resolve("2001:db8::1", std::nullopt, TransportChoice::kTls);
  ASSERT_TRUE(tls.ok());
  EXPECT_EQ(Labels(*tls), "TLS:[2001:db8::1]:5061");
}

TEST_F(SipResolverTest, NameWithPortSkipsNaptrAndSrv) {
  dns_.a["pbx.test"] = {"192.0.2.7", "2001:db8::7"};
  auto r = Resolve("pbx.test", 5080);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Labels(*r), "UDP:192.0.2.7:5080 UDP:[2001:db8::7]:5080");
  EXPECT_EQ(dns_.asked, (std::vector<std::string>{"A pbx.test"}));
}

TEST_F(SipResolverTest, NaptrPicksTheTransportAndSrvThePorts) {
  dns_.naptr["pbx.test"] = {{20, 10, "s", "SIP+D2U", "", "_sip._udp.pbx.test"},
                            {10, 10, "S", "SIP+D2T", "", "_sip._tcp.pbx.test"}};
  dns_.srv["_sip._tcp.pbx.test"] = {{20, 0, 5090, "b.pbx.test"}, {10, 0, 5080, "a.pbx.test"}};
  dns_.a["a.pbx.test"] = {"192.0.2.1"};
  dns_.a["b.pbx.test"] = {"192.0.2.2"};
  auto r = Resolve("pbx.test");
  ASSERT_TRUE(r.ok());
  // Order 10 (TCP) wins; SRV priority 10 before 20.
  EXPECT_EQ(Labels(*r), "TCP:192.0.2.1:5080 TCP:192.0.2.2:5090");
  ASSERT_FALSE(r->trace.empty());
  EXPECT_NE(r->trace.front().find("NAPTR pbx.test"), std::string::npos);
}

TEST_F(SipResolverTest, NaptrWhoseSrvIsEmptyFallsToTheNext) {
  dns_.naptr["pbx.test"] = {{10, 10, "s", "SIPS+D2T", "", "_sips._tcp.pbx.test"},
                            {20, 10, "s", "SIP+D2U", "", "_sip._udp.pbx.test"}};
  dns_.srv["_sip._udp.pbx.test"] = {{10, 0, 5060, "a.pbx.test"}};
  dns_.a["a.pbx.test"] = {"192.0.2.1"};
  auto r = Resolve("pbx.test");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Labels(*r), "UDP:192.0.2.1:5060");
}

TEST_F(SipResolverTest, UnknownNaptrServicesAndFlagsAreIgnored) {
  dns_.naptr["pbx.test"] = {{10, 10, "s", "SIP+D2S", "", "_sip._sctp.pbx.test"},
                            {10, 20, "u", "SIP+D2U", "!^.*$!sip:x@y!", ""}};
  dns_.srv["_sip._udp.pbx.test"] = {{10, 0, 5062, "a.pbx.test"}};
  dns_.a["a.pbx.test"] = {"192.0.2.1"};
  auto r = Resolve("pbx.test");
  ASSERT_TRUE(r.ok());
  // Neither NAPTR is usable: SRV lookups in our order, UDP first.
  EXPECT_EQ(Labels(*r), "UDP:192.0.2.1:5062");
}

TEST_F(SipResolverTest, NoNaptrTriesSrvUdpThenTcpThenTls) {
  dns_.srv["_sip._tcp.pbx.test"] = {{10, 0, 5070, "a.pbx.test"}};
  dns_.a["a.pbx.test"] = {"192.0.2.1"};
  auto r = Resolve("pbx.test");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Labels(*r), "TCP:192.0.2.1:5070");
  EXPECT_EQ(dns_.asked, (std::vector<std::string>{"NAPTR pbx.test", "SRV _sip._udp.pbx.test",
                                                  "SRV _sip._tcp.pbx.test", "A a.pbx.test"}));
}

TEST_F(SipResolverTest, NoNaptrNoSrvMeansAddressOnDefaultPort) {
  dns_.a["pbx.test"] = {"192.0.2.9"};
  auto r = Resolve("pbx.test");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Labels(*r), "UDP:192.0.2.9:5060");
}

TEST_F(SipResolverTest, ExplicitTlsUsesSipsSrvOnly) {
  dns_.srv["_sips._tcp.pbx.test"] = {{10, 0, 5061, "a.pbx.test"}};
  dns_.a["a.pbx.test"] = {"192.0.2.1"};
  auto r = Resolve("pbx.test", std::nullopt, TransportChoice::kTls);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Labels(*r), "TLS:192.0.2.1:5061");
  EXPECT_EQ(dns_.asked.front(), "SRV _sips._tcp.pbx.test");
}

TEST_F(SipResolverTest, SrvDotTargetMeansNotOffered) {
  dns_.srv["_sip._udp.pbx.test"] = {{10, 0, 0, "."}};
  dns_.a["pbx.test"] = {"192.0.2.9"};
  auto r = Resolve("pbx.test", std::nullopt, TransportChoice::kUdp);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(Labels(*r), "UDP:192.0.2.9:5060");
}

TEST_F(SipResolverTest, SrvWeightsSpreadTheFirstChoice) {
  dns_.srv["_sip._udp.pbx.test"] = {{10, 90, 5060, "heavy.test"}, {10, 10, 5060, "light.test"}};
  dns_.a["heavy.test"] = {"192.0.2.1"};
  dns_.a["light.test"] = {"192.0.2.2"};
  int heavy_first = 0;
  for (int i = 0; i < 400; ++i) {
    auto r = Resolve("pbx.test", std::nullopt, TransportChoice::kUdp);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->addresses.size(), 2u);
    if (r->addresses.front().ip == "192.0.2.1") ++heavy_first;
  }
  EXPECT_GT(heavy_first, 300);
  EXPECT_LT(heavy_first, 400);
}

TEST_F(SipResolverTest, NothingResolvesIsNotFoundWithTheTrail) {
  auto r = Resolve("nowhere.test");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_NE(r.status().message().find("nowhere.test"), std::string::npos);
}

}  // namespace
}  // namespace sipreg::device
