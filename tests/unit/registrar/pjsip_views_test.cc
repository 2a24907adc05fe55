#include "registrar/pjsip_views.h"

#include <gtest/gtest.h>

namespace sipreg::registrar {
namespace {

const WallTime kNow = WallTime{} + std::chrono::hours(24 * 365 * 56);

Account Endpoint(std::string name, bool qualify = false) {
  Account a;
  a.name = name;
  a.aor = name;
  a.auth_username = name;
  a.auth_id = name;
  a.qualify = qualify;
  return a;
}

Binding At(std::string aor, uint16_t port) {
  Binding b;
  b.aor = aor;
  b.contact = "sip:" + aor + "@127.0.0.1:" + std::to_string(port);
  b.received = {sip::TransportKind::kUdp, "127.0.0.1", port};
  b.expires_at = kNow + std::chrono::seconds(60);
  return b;
}

// The header block of res_pjsip's `pjsip show endpoints`, as Asterisk prints it.
constexpr std::string_view kEndpointsHeader =
    "\n"
    " Endpoint:  <Endpoint/CID.....................................>  <State.....>  <Channels.>\n"
    "    I/OAuth:  <AuthId/UserName...........................................................>\n"
    "        Aor:  <Aor............................................>  <MaxContact>\n"
    "      Contact:  <Aor/ContactUri..........................> <Hash....> <Status> <RTT(ms)..>\n"
    "  Transport:  <TransportId........>  <Type>  <cos>  <tos>  <BindAddress..................>\n"
    "   Identify:  <Identify/Endpoint.........................................................>\n"
    "        Match:  <criteria.........................>\n"
    "    Channel:  <ChannelId......................................>  <State.....>  <Time.....>\n"
    "        Exten: <DialedExten...........>  CLCID: <ConnectedLineCID.......>\n"
    "==========================================================================================\n"
    "\n";

TEST(PjsipViewsTest, ShowEndpointsInResPjsipLayout) {
  Account alice = Endpoint("demo-alice");
  Account bob = Endpoint("demo-bob");
  bob.callerid = "\"Bob\" <6002>";
  const std::vector<PeerView> peers = {{&alice, {}, {}, {}}, {&bob, {At("demo-bob", 5062)}, {}, {}}};
  const std::string out = FormatPjsipShowEndpoints(peers);
  ASSERT_TRUE(out.starts_with(kEndpointsHeader)) << out;
  EXPECT_EQ(out.substr(kEndpointsHeader.size()),
            " Endpoint:  demo-alice                                           Unavailable   0 of inf\n"
            "     InAuth:  demo-alice/demo-alice\n"
            "        Aor:  demo-alice                                         1\n"
            "\n"
            " Endpoint:  demo-bob/6002                                        Not in use    0 of inf\n"
            "     InAuth:  demo-bob/demo-bob\n"
            "        Aor:  demo-bob                                           1\n"
            "      Contact:  demo-bob/sip:demo-bob@127.0.0.1:5062       48be13fa86 NonQual         nan\n"
            "\n"
            "\n"
            "Objects found: 2\n"
            "\n");
}

TEST(PjsipViewsTest, QualifiedContactShowsAvailAndRtt) {
  Account bob = Endpoint("demo-bob", true);
  Binding b = At("demo-bob", 5062);
  QualifyStatus ok;
  ok.reach = Reach::kReachable;
  ok.rtt = std::chrono::milliseconds(3);
  const std::string out = FormatPjsipShowContacts({{&bob, {b}, ok, {{b.contact, ok}}}});
  EXPECT_NE(out.find("  Contact:  demo-bob/sip:demo-bob@127.0.0.1:5062           48be13fa86 Avail "
                     "        3.000\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("\nObjects found: 1\n"), std::string::npos);
}

TEST(PjsipViewsTest, UnreachableAndUnknownContacts) {
  Account bob = Endpoint("demo-bob", true);
  Binding b1 = At("demo-bob", 5062), b2 = At("demo-bob", 5064);
  QualifyStatus gone;
  gone.reach = Reach::kUnreachable;
  PeerView v{&bob, {b1, b2}, gone, {{b1.contact, gone}}};
  const std::string out = FormatPjsipShowAors({v});
  EXPECT_NE(out.find(":5062 "), std::string::npos);
  EXPECT_NE(out.find(" Unavail         nan\n"), std::string::npos) << out;
  EXPECT_NE(out.find(" Unknown         nan\n"), std::string::npos) << out;
  EXPECT_NE(out.find("      Aor:  demo-bob                                             1\n"),
            std::string::npos)
      << out;
}

TEST(PjsipViewsTest, NothingRegisteredIsNoObjectsFound) {
  Account bob = Endpoint("demo-bob");
  EXPECT_EQ(FormatPjsipShowContacts({{&bob, {}, {}, {}}}), "No objects found.\n\n");
  EXPECT_EQ(FormatPjsipShowEndpoints({}), "No objects found.\n\n");
}

}  // namespace
}  // namespace sipreg::registrar
