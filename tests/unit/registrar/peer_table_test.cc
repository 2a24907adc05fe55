#include "registrar/peer_table.h"

#include <gtest/gtest.h>

namespace sipreg::registrar {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const WallTime kNow = WallTime{} + std::chrono::hours(24 * 365 * 56);

Account Peer(std::string name, bool qualify = false) {
  Account a;
  a.name = name;
  a.aor = name;
  a.auth_username = name;
  a.qualify = qualify;
  return a;
}

Binding At(std::string aor, std::string ip, uint16_t port) {
  Binding b;
  b.aor = aor;
  b.contact = "sip:" + aor + "@" + ip + ":" + std::to_string(port);
  b.received = {sip::TransportKind::kUdp, ip, port};
  b.expires_at = kNow + seconds(100);
  b.user_agent = "Yealink";
  return b;
}

QualifyStatus Reached(Reach r, int rtt_ms) {
  QualifyStatus s;
  s.reach = r;
  s.rtt = milliseconds(rtt_ms);
  return s;
}

TEST(PeerTableTest, ShowPeersMatchesTheGuideLayoutByteForByte) {
  Account alice = Peer("demo-alice"), bob = Peer("demo-bob");
  std::vector<PeerView> peers = {{&alice, {}, {}, {}}, {&bob, {At("demo-bob", "192.168.5.105", 5060)}, {}, {}}};
  EXPECT_EQ(FormatSipShowPeers(peers),
            "Name/username             Host                                    Dyn NAT ACL Port     Status\n"
            "demo-alice                (Unspecified)                            D   N      5060     Unmonitored\n"
            "demo-bob                  192.168.5.105                            D   N      5060     Unmonitored\n"
            "2 sip peers [Monitored: 0 online, 0 offline Unmonitored: 1 online, 1 offline]\n");
}

TEST(PeerTableTest, QualifiedPeerShowsRttAndCountsOnline) {
  Account bob = Peer("demo-bob", true);
  PeerView v{&bob, {At("demo-bob", "127.0.0.1", 5062)}, Reached(Reach::kReachable, 3), {}};
  EXPECT_EQ(PeerStatus(v), "OK (3 ms)");
  EXPECT_TRUE(PeerOnline(v));
  const std::string out = FormatSipShowPeers({v});
  EXPECT_NE(out.find(" OK (3 ms)\n"), std::string::npos) << out;
  EXPECT_NE(out.find("[Monitored: 1 online, 0 offline Unmonitored: 0 online, 0 offline]"),
            std::string::npos)
      << out;
}

TEST(PeerTableTest, LaggedIsOnlineUnreachableIsOffline) {
  Account bob = Peer("demo-bob", true);
  PeerView lagged{&bob, {At("demo-bob", "127.0.0.1", 5062)}, Reached(Reach::kLagged, 2503), {}};
  EXPECT_EQ(PeerStatus(lagged), "LAGGED (2503 ms)");
  EXPECT_TRUE(PeerOnline(lagged));
  PeerView gone{&bob, {At("demo-bob", "127.0.0.1", 5062)}, Reached(Reach::kUnreachable, 0), {}};
  EXPECT_EQ(PeerStatus(gone), "UNREACHABLE");
  EXPECT_FALSE(PeerOnline(gone));
}

TEST(PeerTableTest, MonitoredButUnregisteredIsUnknownAndOffline) {
  Account bob = Peer("demo-bob", true);
  PeerView v{&bob, {}, std::nullopt, {}};
  EXPECT_EQ(PeerStatus(v), "UNKNOWN");
  EXPECT_FALSE(PeerOnline(v));
  EXPECT_NE(FormatSipShowPeers({v}).find("[Monitored: 0 online, 1 offline"), std::string::npos);
}

TEST(PeerTableTest, LongNamesAreCutToTheirColumn) {
  Account a = Peer(std::string(40, 'x'));
  const std::string out = FormatSipShowPeers({{&a, {}, {}, {}}});
  EXPECT_NE(out.find(std::string(25, 'x') + " (Unspecified)"), std::string::npos) << out;
}

TEST(PeerTableTest, JsonCarriesPerContactRttAndStatus) {
  Account bob = Peer("demo-bob", true);
  Binding b = At("demo-bob", "127.0.0.1", 5062);
  PeerView v{&bob, {b}, Reached(Reach::kReachable, 7), {{b.contact, Reached(Reach::kReachable, 7)}}};
  auto j = PeersJson({v}, kNow);
  ASSERT_EQ(j.size(), 1u);
  EXPECT_EQ(j[0]["status"], "OK (7 ms)");
  EXPECT_EQ(j[0]["contacts"][0]["rtt_ms"], 7);
  EXPECT_EQ(j[0]["contacts"][0]["status"], "OK (7 ms)");
  EXPECT_EQ(j[0]["contacts"][0]["expires"], 100);
  EXPECT_EQ(j[0]["contacts"][0]["transport"], "UDP");
}

TEST(PeerTableTest, ShowPeerListsContactsWithQualify) {
  Account bob = Peer("demo-bob", true);
  Binding b = At("demo-bob", "127.0.0.1", 5062);
  PeerView v{&bob, {b}, Reached(Reach::kReachable, 4), {{b.contact, Reached(Reach::kReachable, 4)}}};
  const std::string out = FormatSipShowPeer(v, kNow);
  EXPECT_NE(out.find("  Status       : OK (4 ms)\n"), std::string::npos) << out;
  EXPECT_NE(out.find("sip:demo-bob@127.0.0.1:5062 via UDP 127.0.0.1:5062 expires in 100 s OK (4 ms)"),
            std::string::npos)
      << out;
}

}  // namespace
}  // namespace sipreg::registrar
