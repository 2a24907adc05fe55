#include "registrar/sip_conf.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "registrar/server_config.h"

namespace sipreg::registrar {
namespace {

ServerConfig MustLoad(std::string_view text) {
  Result<ServerConfig> cfg = ServerConfig::LoadFromString(text, "sip.conf");
  EXPECT_TRUE(cfg.ok()) << cfg.status().message();
  return cfg.ok() ? std::move(*cfg) : ServerConfig();
}

std::string ErrorOf(std::string_view text) {
  Result<ServerConfig> cfg = ServerConfig::LoadFromString(text, "sip.conf");
  EXPECT_FALSE(cfg.ok());
  return cfg.ok() ? "" : cfg.status().message();
}

const Account& Get(const ServerConfig& cfg, std::string_view name) {
  const Account* a = cfg.FindAccount(name);
  EXPECT_NE(a, nullptr) << name;
  static const Account kNone;
  return a != nullptr ? *a : kNone;
}

bool HasWarning(const ServerConfig& cfg, std::string_view text) {
  return std::find(cfg.warnings.begin(), cfg.warnings.end(), text) != cfg.warnings.end();
}

constexpr std::string_view kGuide = R"([general]
context=default

[demo-alice]
type=friend
host=dynamic
secret=verysecretpassword
context=users

[demo-bob]
type=friend
host=dynamic
secret=othersecretpassword
context=users
)";

TEST(SipConfTest, GuidePeersBecomeDynamicAccountsWithSipConfDefaults) {
  ServerConfig cfg = MustLoad(kGuide);
  ASSERT_EQ(cfg.accounts.size(), 2u);
  const Account& alice = cfg.accounts[0];
  EXPECT_EQ(alice.name, "demo-alice");
  EXPECT_EQ(alice.aor, "demo-alice");
  EXPECT_EQ(alice.dialect, ConfigDialect::kSipConf);
  EXPECT_EQ(alice.defined_at.file, "sip.conf");
  EXPECT_EQ(alice.defined_at.line, 4);
  EXPECT_EQ(alice.auth_username, "demo-alice");
  EXPECT_EQ(alice.realm, "");
  EXPECT_TRUE(alice.has_auth);
  EXPECT_EQ(alice.secret.password, "verysecretpassword");
  EXPECT_FALSE(alice.secret.ha1_md5.has_value());
  EXPECT_TRUE(alice.dynamic);
  EXPECT_EQ(alice.max_contacts, 1u);
  EXPECT_TRUE(alice.remove_existing);
  EXPECT_FALSE(alice.remove_unavailable);
  EXPECT_EQ(alice.min_expires, 60u);
  EXPECT_EQ(alice.max_expires, 3600u);
  EXPECT_EQ(alice.default_expires, 120u);
  EXPECT_TRUE(alice.force_rport);
  EXPECT_FALSE(alice.comedia);
  EXPECT_EQ(alice.nat_setting, "force_rport");
  EXPECT_FALSE(alice.qualify);
  EXPECT_EQ(alice.qualify_frequency, std::chrono::seconds(60));
  EXPECT_FALSE(alice.has_acl);
  EXPECT_TRUE(alice.transports.empty());
  EXPECT_EQ(alice.context, "users");
  EXPECT_EQ(cfg.accounts[1].secret.password, "othersecretpassword");
  EXPECT_TRUE(cfg.warnings.empty()) << cfg.warnings.front();
}

TEST(SipConfTest, GeneralDefaultsWhenUnset) {
  ServerConfig cfg = MustLoad("[general]\n");
  EXPECT_EQ(cfg.settings.realm, "asterisk");
  EXPECT_TRUE(cfg.settings.always_auth_reject);
  EXPECT_EQ(cfg.settings.sip_defaults.min_expires, 60u);
  EXPECT_EQ(cfg.settings.sip_defaults.max_expires, 3600u);
  EXPECT_EQ(cfg.settings.sip_defaults.default_expires, 120u);
  EXPECT_EQ(cfg.settings.sip_defaults.qualify_frequency, std::chrono::seconds(60));
  EXPECT_EQ(cfg.settings.sip_defaults.context, "default");
  ASSERT_EQ(cfg.listeners.size(), 1u);  // chan_sip's default: UDP on every address, 5060
  EXPECT_EQ(cfg.listeners[0].address,
            (sip::Endpoint{sip::TransportKind::kUdp, "0.0.0.0", 5060}));
}

TEST(SipConfTest, GeneralSettingsApplyToPeers) {
  ServerConfig cfg = MustLoad(
      "[general]\nrealm=pbx.example\nminexpiry=30\nmaxexpiry=600\ndefaultexpiry=300\n"
      "alwaysauthreject=no\nqualifyfreq=15\ncontext=phones\nnat=no\n"
      "[p]\ntype=friend\nhost=dynamic\nsecret=s\n");
  EXPECT_EQ(cfg.settings.realm, "pbx.example");
  EXPECT_FALSE(cfg.settings.always_auth_reject);
  const Account& p = Get(cfg, "p");
  EXPECT_EQ(p.min_expires, 30u);
  EXPECT_EQ(p.max_expires, 600u);
  EXPECT_EQ(p.default_expires, 300u);
  EXPECT_EQ(p.qualify_frequency, std::chrono::seconds(15));
  EXPECT_EQ(p.context, "phones");
  EXPECT_FALSE(p.force_rport);
  EXPECT_EQ(p.nat_setting, "no");
}

TEST(SipConfTest, ExpiryOrderIsValidated) {
  EXPECT_EQ(ErrorOf("[general]\nminexpiry=60\ndefaultexpiry=30\n"),
            "sip.conf:3: 'defaultexpiry' (30) must be between 'minexpiry' (60) and "
            "'maxexpiry' (3600)");
  EXPECT_EQ(ErrorOf("[general]\nminexpiry=600\nmaxexpiry=300\ndefaultexpiry=400\n"),
            "sip.conf:2: 'minexpiry' (600) is above 'maxexpiry' (300)");
}

TEST(SipConfTest, TypeUserMayNotRegisterNorAPeerWithoutDynamicHost) {
  ServerConfig cfg = MustLoad(
      "[u]\ntype=user\nhost=dynamic\nsecret=s\n[fixed]\ntype=peer\nhost=192.0.2.10\nport=5070\n"
      "secret=s\n[named]\ntype=peer\nhost=pbx.example.com\n[dyn]\ntype=peer\nhost=dynamic\n"
      "secret=s\n[nohost]\ntype=friend\nsecret=s\n");
  EXPECT_FALSE(Get(cfg, "u").dynamic);
  const Account& fixed = Get(cfg, "fixed");
  EXPECT_FALSE(fixed.dynamic);
  EXPECT_EQ(fixed.static_host, "192.0.2.10");
  EXPECT_EQ(fixed.static_port, 5070);
  EXPECT_EQ(Get(cfg, "named").static_host, "pbx.example.com");
  EXPECT_TRUE(Get(cfg, "dyn").dynamic);
  EXPECT_FALSE(Get(cfg, "nohost").dynamic);
  EXPECT_TRUE(HasWarning(cfg, "sip.conf:17: peer 'nohost' has no 'host': it may not register "
                              "(set host=dynamic)"));
}

TEST(SipConfTest, BadTypeAndHostAreErrors) {
  EXPECT_EQ(ErrorOf("[p]\ntype=phone\n"), "sip.conf:2: 'type' must be friend, peer or user, not "
                                          "'phone'");
  EXPECT_EQ(ErrorOf("[p]\ntype=peer\nhost=bad host!\n"),
            "sip.conf:3: 'host' must be dynamic, an IP address or a host name, not 'bad host!'");
  EXPECT_EQ(ErrorOf("[p]\ntype=peer\nport=70000\n"),
            "sip.conf:3: 'port' must be a port from 1 to 65535, not '70000'");
}

TEST(SipConfTest, Md5secretIsStoredAsMd5Ha1) {
  ServerConfig cfg = MustLoad(
      "[p]\ntype=friend\nhost=dynamic\nmd5secret=0123456789ABCDEF0123456789abcdef\n");
  const Account& p = Get(cfg, "p");
  EXPECT_TRUE(p.has_auth);
  EXPECT_FALSE(p.secret.password.has_value());
  EXPECT_EQ(p.secret.ha1_md5, "0123456789abcdef0123456789abcdef");
  EXPECT_TRUE(p.secret.Supports(sip::DigestAlgorithm::kMd5));
  EXPECT_FALSE(p.secret.Supports(sip::DigestAlgorithm::kSha256));
  EXPECT_EQ(ErrorOf("[p]\ntype=friend\nmd5secret=abc\n"),
            "sip.conf:3: 'md5secret' must be 32 hex digits, not 'abc'");
}

TEST(SipConfTest, PeerWithoutSecretIsWarnedAndRefused) {
  ServerConfig cfg = MustLoad("[p]\ntype=friend\nhost=dynamic\n");
  EXPECT_FALSE(Get(cfg, "p").has_auth);
  EXPECT_TRUE(HasWarning(cfg, "sip.conf:1: peer 'p' has no secret or md5secret: its "
                              "registrations will be refused"));
}

TEST(SipConfTest, EmptySecretIsNoSecret) {
  ServerConfig cfg = MustLoad("[t](!)\ntype=friend\nhost=dynamic\nsecret=s\n[p](t)\nsecret=\n");
  EXPECT_FALSE(Get(cfg, "p").has_auth);
  EXPECT_FALSE(Get(cfg, "p").secret.password.has_value());
}

TEST(SipConfTest, DefaultuserIsTheAuthUsername) {
  ServerConfig cfg = MustLoad("[100]\ntype=friend\nhost=dynamic\nsecret=s\ndefaultuser=alice\n"
                              "callerid=\"Alice\" <100>\n[101]\ntype=friend\nusername=bob\n");
  EXPECT_EQ(Get(cfg, "100").auth_username, "alice");
  EXPECT_EQ(Get(cfg, "100").callerid, "\"Alice\" <100>");
  EXPECT_EQ(Get(cfg, "101").auth_username, "bob");  // pre-1.6 alias
}

TEST(SipConfTest, QualifyYesNoOrMilliseconds) {
  ServerConfig cfg = MustLoad("[a]\ntype=friend\nqualify=yes\n[b]\ntype=friend\nqualify=no\n"
                              "[c]\ntype=friend\nqualify=500\nqualifyfreq=20\n[d]\ntype=friend\n"
                              "qualify=0\n");
  EXPECT_TRUE(Get(cfg, "a").qualify);
  EXPECT_EQ(Get(cfg, "a").qualify_max_rtt, std::chrono::milliseconds(2000));
  EXPECT_EQ(Get(cfg, "a").qualify_timeout, std::chrono::milliseconds(4000));
  EXPECT_FALSE(Get(cfg, "b").qualify);
  EXPECT_TRUE(Get(cfg, "c").qualify);
  EXPECT_EQ(Get(cfg, "c").qualify_max_rtt, std::chrono::milliseconds(500));
  EXPECT_EQ(Get(cfg, "c").qualify_frequency, std::chrono::seconds(20));
  EXPECT_FALSE(Get(cfg, "d").qualify);
}

TEST(SipConfTest, BadQualifyIsAnErrorWithFileAndLine) {
  EXPECT_EQ(ErrorOf("[general]\n\n[demo-bob]\ntype=friend\nhost=dynamic\nsecret=s\nqualify=maybe\n"),
            "sip.conf:7: 'qualify' must be yes, no or milliseconds, not 'maybe'");
}

TEST(SipConfTest, NatAcceptsAsteriskCommaLists) {
  ServerConfig cfg = MustLoad(
      "[a]\ntype=friend\nnat=yes\n[b]\ntype=friend\nnat=force_rport,comedia\n[c]\ntype=friend\n"
      "nat=comedia\n[d]\ntype=friend\nnat=auto_force_rport,auto_comedia\n[e]\ntype=friend\n"
      "nat=no\n");
  EXPECT_TRUE(Get(cfg, "a").force_rport);
  EXPECT_TRUE(Get(cfg, "a").comedia);
  EXPECT_EQ(Get(cfg, "b").nat_setting, "force_rport,comedia");
  EXPECT_TRUE(Get(cfg, "b").comedia);
  EXPECT_FALSE(Get(cfg, "c").force_rport);
  EXPECT_TRUE(Get(cfg, "c").comedia);
  EXPECT_TRUE(Get(cfg, "d").force_rport);
  EXPECT_TRUE(Get(cfg, "d").comedia);
  EXPECT_FALSE(Get(cfg, "e").force_rport);
  EXPECT_EQ(ErrorOf("[a]\ntype=friend\nnat=route\n"),
            "sip.conf:3: 'nat' must be a list of yes, no, force_rport, comedia, "
            "auto_force_rport, auto_comedia, not 'route'");
}

TEST(SipConfTest, PermitAndDenyBuildAnOrderedAcl) {
  ServerConfig cfg = MustLoad("[p]\ntype=friend\ndeny=0.0.0.0/0.0.0.0\n"
                              "permit=192.168.5.0/255.255.255.0\npermit=127.0.0.1\n");
  const Account& p = Get(cfg, "p");
  EXPECT_TRUE(p.has_acl);
  EXPECT_TRUE(p.AclAllows("192.168.5.103"));
  EXPECT_TRUE(p.AclAllows("127.0.0.1"));
  EXPECT_FALSE(p.AclAllows("10.0.0.1"));
  EXPECT_EQ(ErrorOf("[p]\ntype=friend\npermit=300.1.1.1\n"),
            "sip.conf:3: 'permit' must be a network such as 192.168.1.0/24, not '300.1.1.1': "
            "'300.1.1.1' is not an IP address");
}

TEST(SipConfTest, NamedAclsAreRefusedNotIgnored) {
  EXPECT_EQ(ErrorOf("[p]\ntype=friend\nacl=office\n"),
            "sip.conf:3: 'acl' is not supported by sipreg; use permit= and deny=");
}

TEST(SipConfTest, TransportListRestrictsTransports) {
  ServerConfig cfg = MustLoad("[p]\ntype=friend\ntransport=tls,udp,tls\n");
  EXPECT_EQ(Get(cfg, "p").transports,
            (std::vector<sip::TransportKind>{sip::TransportKind::kTls, sip::TransportKind::kUdp}));
  EXPECT_EQ(ErrorOf("[p]\ntype=friend\ntransport=udp,ws\n"),
            "sip.conf:3: 'transport' must be a list of udp, tcp, tls, not 'ws'");
}

TEST(SipConfTest, MaxContactsAndRemoveExisting) {
  ServerConfig cfg =
      MustLoad("[p]\ntype=friend\nhost=dynamic\nsecret=s\nmax_contacts=3\nremove_existing=no\n");
  EXPECT_EQ(Get(cfg, "p").max_contacts, 3u);
  EXPECT_FALSE(Get(cfg, "p").remove_existing);
  EXPECT_EQ(ErrorOf("[p]\ntype=friend\nmax_contacts=0\n"),
            "sip.conf:3: 'max_contacts' must be a number of contacts from 1 to 65535, not '0'");
  EXPECT_EQ(ErrorOf("[p]\ntype=friend\nremove_existing=sometimes\n"),
            "sip.conf:3: 'remove_existing' must be yes or no, not 'sometimes'");
}

TEST(SipConfTest, UnknownKeysAreWarningsIgnoredKeysAreSilent) {
  ServerConfig cfg = MustLoad("[general]\nfrobnicate=1\nallow=ulaw\n[p]\ntype=friend\n"
                              "host=dynamic\nsecret=s\ndisallow=all\nallow=alaw\ncolour=blue\n");
  EXPECT_EQ(cfg.warnings,
            (std::vector<std::string>{"sip.conf:2: unknown key 'frobnicate' in [general], ignored",
                                      "sip.conf:10: unknown key 'colour' in [p], ignored"}));
}

TEST(SipConfTest, UnknownKeyInATemplateIsReportedOnce) {
  ServerConfig cfg =
      MustLoad("[t](!)\ntype=friend\ncolour=blue\nhost=dynamic\nsecret=s\n[a](t)\n[b](t)\n");
  EXPECT_EQ(cfg.warnings,
            std::vector<std::string>{"sip.conf:3: unknown key 'colour' in [t], ignored"});
}

TEST(SipConfTest, DuplicateSectionIsAnError) {
  std::string text = "[demo-bob]\ntype=friend\n";
  for (int i = 3; i < 20; ++i) text += "\n";
  text += "[demo-bob]\ntype=friend\n";
  EXPECT_EQ(ErrorOf(text), "sip.conf:20: duplicate section 'demo-bob'");
  EXPECT_EQ(ErrorOf("[general]\n[general]\n"), "sip.conf:2: duplicate section 'general'");
}

TEST(SipConfTest, SectionWithoutTypeIsWarnedAndSkipped) {
  ServerConfig cfg = MustLoad("[general]\n[stray]\nhost=dynamic\n");
  EXPECT_TRUE(cfg.accounts.empty());
  EXPECT_TRUE(HasWarning(cfg, "sip.conf:2: section [stray] has no 'type', ignored"));
}

TEST(SipConfTest, TemplatesAreNotAccountsAndInheritInOrder) {
  ServerConfig cfg = MustLoad(
      "[phones](!)\ntype=friend\nhost=dynamic\nqualify=yes\ncontext=phones\n"
      "[office](!)\ncontext=office\npermit=10.0.0.0/8\n"
      "[demo-alice](phones,office)\nsecret=a\n"
      "[demo-bob](office,phones)\nsecret=b\ncontext=bob\n");
  ASSERT_EQ(cfg.accounts.size(), 2u);
  const Account& alice = Get(cfg, "demo-alice");
  EXPECT_TRUE(alice.dynamic);
  EXPECT_TRUE(alice.qualify);
  EXPECT_EQ(alice.context, "office");  // the later template wins
  EXPECT_TRUE(alice.has_acl);
  EXPECT_EQ(Get(cfg, "demo-bob").context, "bob");  // the section's own key wins
}

TEST(SipConfTest, ListenersFromBindAddresses) {
  ServerConfig cfg = MustLoad(
      "[general]\nudpbindaddr=[::1]:5070\ntcpenable=yes\ntcpbindaddr=127.0.0.1\ntlsenable=yes\n"
      "tlsbindaddr=0.0.0.0\ntlscertfile=/etc/sipreg/cert.pem\n");
  ASSERT_EQ(cfg.listeners.size(), 3u);
  EXPECT_EQ(cfg.listeners[0].address, (sip::Endpoint{sip::TransportKind::kUdp, "::1", 5070}));
  EXPECT_EQ(cfg.listeners[0].defined_at.line, 2);
  EXPECT_EQ(cfg.listeners[1].address,
            (sip::Endpoint{sip::TransportKind::kTcp, "127.0.0.1", 5060}));
  EXPECT_EQ(cfg.listeners[2].address, (sip::Endpoint{sip::TransportKind::kTls, "0.0.0.0", 5061}));
  EXPECT_EQ(cfg.listeners[2].cert_file, "/etc/sipreg/cert.pem");
  EXPECT_EQ(cfg.listeners[2].key_file, "/etc/sipreg/cert.pem");  // key in the same file
}

TEST(SipConfTest, BindportAndPortZeroForTests) {
  ServerConfig a = MustLoad("[general]\nbindport=5080\n");
  EXPECT_EQ(a.listeners[0].address, (sip::Endpoint{sip::TransportKind::kUdp, "0.0.0.0", 5080}));
  ServerConfig b = MustLoad("[general]\nudpbindaddr=127.0.0.1:0\n");
  EXPECT_EQ(b.listeners[0].address.port, 0);
}

TEST(SipConfTest, TcpBindaddrWithoutTcpenableIsWarned) {
  ServerConfig cfg = MustLoad("[general]\ntcpbindaddr=127.0.0.1\n");
  EXPECT_EQ(cfg.listeners.size(), 1u);
  EXPECT_TRUE(HasWarning(cfg, "sip.conf:2: 'tcpbindaddr' is set but 'tcpenable' is not yes, "
                              "ignored"));
}

TEST(SipConfTest, TlsNeedsACertificate) {
  EXPECT_EQ(ErrorOf("[general]\ntlsenable=yes\n"),
            "sip.conf:2: 'tlsenable' is yes but 'tlscertfile' is not set");
  ServerConfig cfg = MustLoad("[general]\ntlsenable=yes\ntlscertfile=c.pem\ntlsprivatekey=k.pem\n");
  EXPECT_EQ(cfg.listeners.back().key_file, "k.pem");
}

TEST(SipConfTest, BadBindAddressesAreErrors) {
  for (const char* bad : {"127.0.0.1:", "localhost", "[::1", "[::1]x", "1.2.3.4:99999", "[::1]:"}) {
    EXPECT_EQ(ErrorOf(std::string("[general]\nudpbindaddr=") + bad),
              std::string("sip.conf:2: 'udpbindaddr' must be IP[:PORT] (IPv6 as [::1]:5060), "
                          "not '") + bad + "'");
  }
  EXPECT_EQ(ErrorOf("[general]\ntcpenable=perhaps\n"),
            "sip.conf:2: 'tcpenable' must be yes or no, not 'perhaps'");
}

TEST(SipConfTest, BareIpv6BindAddressHasNoPort) {
  ServerConfig cfg = MustLoad("[general]\nudpbindaddr=::\n");
  EXPECT_EQ(cfg.listeners[0].address, (sip::Endpoint{sip::TransportKind::kUdp, "::", 5060}));
}

TEST(SipConfTest, AuthenticationSectionIsIgnoredWithAWarning) {
  ServerConfig cfg = MustLoad("[authentication]\nauth=u:p@realm\n");
  EXPECT_TRUE(cfg.accounts.empty());
  EXPECT_EQ(cfg.warnings.size(), 1u);
}

TEST(SipConfTest, ReadNatKeepsTheSettingAsWritten) {
  bool rport = false;
  bool comedia = true;
  std::string setting;
  ConfigEntry e{"nat", "Force_Rport, auto_comedia", {"sip.conf", 1}, "p"};
  ASSERT_TRUE(SipConf::ReadNat(e, rport, comedia, setting).ok());
  EXPECT_TRUE(rport);
  EXPECT_TRUE(comedia);
  EXPECT_EQ(setting, "force_rport,auto_comedia");
}

}  // namespace
}  // namespace sipreg::registrar
