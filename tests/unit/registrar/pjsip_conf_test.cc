#include "registrar/pjsip_conf.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "registrar/server_config.h"

namespace sipreg::registrar {
namespace {

constexpr std::string_view kTransport = "[udp]\ntype=transport\nprotocol=udp\nbind=127.0.0.1\n";

// Prepends a UDP transport (lines 1-4) so every config can listen.
ServerConfig MustLoad(std::string_view body) {
  Result<ServerConfig> cfg =
      ServerConfig::LoadFromString(std::string(kTransport) + std::string(body), "pjsip.conf");
  EXPECT_TRUE(cfg.ok()) << cfg.status().message();
  return cfg.ok() ? std::move(*cfg) : ServerConfig();
}

std::string ErrorOf(std::string_view body) {
  Result<ServerConfig> cfg =
      ServerConfig::LoadFromString(std::string(kTransport) + std::string(body), "pjsip.conf");
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

// A phone in the usual three sections sharing one name (starts at line 5).
constexpr std::string_view kPhone = R"([6001]
type=endpoint
auth=6001
aors=6001
callerid="Desk" <6001>
context=from-phones
[6001]
type=auth
auth_type=userpass
username=6001
password=secret6001
[6001]
type=aor
)";

TEST(PjsipConfTest, EndpointAuthAndAorMakeOneAccount) {
  ServerConfig cfg = MustLoad(kPhone);
  ASSERT_EQ(cfg.accounts.size(), 1u);
  const Account& a = cfg.accounts[0];
  EXPECT_EQ(a.name, "6001");
  EXPECT_EQ(a.aor, "6001");
  EXPECT_EQ(a.dialect, ConfigDialect::kPjsipConf);
  EXPECT_EQ(a.defined_at.file, "pjsip.conf");
  EXPECT_EQ(a.defined_at.line, 5);
  EXPECT_EQ(a.auth_username, "6001");
  EXPECT_EQ(a.secret.password, "secret6001");
  EXPECT_TRUE(a.has_auth);
  EXPECT_TRUE(a.dynamic);
  EXPECT_EQ(a.callerid, "\"Desk\" <6001>");
  EXPECT_EQ(a.context, "from-phones");
  EXPECT_TRUE(cfg.warnings.empty()) << cfg.warnings.front();
}

TEST(PjsipConfTest, AorDefaultsAvoidAsterisksMaxContactsTrap) {
  const ServerConfig cfg = MustLoad(kPhone);
  const Account& a = Get(cfg, "6001");
  EXPECT_EQ(a.max_contacts, 1u);  // Asterisk: 0, which refuses every registration
  EXPECT_TRUE(a.remove_existing);
  EXPECT_FALSE(a.remove_unavailable);
  EXPECT_EQ(a.min_expires, 60u);
  EXPECT_EQ(a.max_expires, 7200u);
  EXPECT_EQ(a.default_expires, 3600u);
  EXPECT_FALSE(a.qualify);
  EXPECT_EQ(a.qualify_timeout, std::chrono::milliseconds(3000));
  EXPECT_TRUE(a.force_rport);
  EXPECT_FALSE(a.comedia);
  EXPECT_EQ(a.nat_setting, "force_rport");
}

TEST(PjsipConfTest, AorKeysAreRead) {
  ServerConfig cfg = MustLoad(std::string(kPhone) +
                              "max_contacts=5\nremove_existing=no\nremove_unavailable=yes\n"
                              "minimum_expiration=30\nmaximum_expiration=900\n"
                              "default_expiration=600\nqualify_frequency=25\nqualify_timeout=1.5\n");
  const Account& a = Get(cfg, "6001");
  EXPECT_EQ(a.max_contacts, 5u);
  EXPECT_FALSE(a.remove_existing);
  EXPECT_TRUE(a.remove_unavailable);
  EXPECT_EQ(a.min_expires, 30u);
  EXPECT_EQ(a.max_expires, 900u);
  EXPECT_EQ(a.default_expires, 600u);
  EXPECT_TRUE(a.qualify);
  EXPECT_EQ(a.qualify_frequency, std::chrono::seconds(25));
  EXPECT_EQ(a.qualify_timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(a.qualify_max_rtt, std::chrono::milliseconds(1500));
}

TEST(PjsipConfTest, ExplicitMaxContactsZeroIsKeptAndWarned) {
  ServerConfig cfg = MustLoad(std::string(kPhone) + "max_contacts=0\n");
  EXPECT_EQ(Get(cfg, "6001").max_contacts, 0u);
  EXPECT_TRUE(HasWarning(cfg, "pjsip.conf:18: max_contacts=0 refuses every registration to aor "
                              "'6001' (as in Asterisk)"));
}

TEST(PjsipConfTest, AorExpirationsMustBeOrdered) {
  EXPECT_EQ(ErrorOf(std::string(kPhone) + "minimum_expiration=120\ndefault_expiration=60\n"),
            "pjsip.conf:16: aor '6001' needs minimum_expiration (120) <= default_expiration (60) "
            "<= maximum_expiration (7200)");
  EXPECT_EQ(ErrorOf(std::string(kPhone) + "qualify_timeout=fast\n"),
            "pjsip.conf:18: 'qualify_timeout' must be seconds from 0 to 600, not 'fast'");
}

TEST(PjsipConfTest, Md5AuthStoresTheHa1AndRealm) {
  ServerConfig cfg = MustLoad(
      "[a]\ntype=endpoint\nauth=a-auth\naors=a\n[a-auth]\ntype=auth\nauth_type=md5\n"
      "username=alice\nrealm=pbx.example\nmd5_cred=0123456789abcdef0123456789ABCDEF\n"
      "[a]\ntype=aor\n");
  const Account& a = Get(cfg, "a");
  EXPECT_EQ(a.auth_username, "alice");
  EXPECT_EQ(a.realm, "pbx.example");
  EXPECT_FALSE(a.secret.password.has_value());
  EXPECT_EQ(a.secret.ha1_md5, "0123456789abcdef0123456789abcdef");
}

TEST(PjsipConfTest, AuthProblemsAreErrors) {
  EXPECT_EQ(ErrorOf("[x]\ntype=auth\nusername=x\n"),
            "pjsip.conf:5: auth 'x' (auth_type=userpass) has no 'password'");
  EXPECT_EQ(ErrorOf("[x]\ntype=auth\npassword=p\n"), "pjsip.conf:5: auth 'x' has no 'username'");
  EXPECT_EQ(ErrorOf("[x]\ntype=auth\nauth_type=md5\nusername=x\n"),
            "pjsip.conf:7: auth 'x' (auth_type=md5) has no 'md5_cred'");
  EXPECT_EQ(ErrorOf("[x]\ntype=auth\nauth_type=google_oauth\n"),
            "pjsip.conf:7: 'auth_type' must be userpass or md5, not 'google_oauth'");
  EXPECT_EQ(ErrorOf("[x]\ntype=auth\nauth_type=md5\nusername=x\nmd5_cred=xyz\n"),
            "pjsip.conf:9: 'md5_cred' must be 32 hex digits, not 'xyz'");
}

TEST(PjsipConfTest, AorNameDiffersFromEndpointName) {
  ServerConfig cfg = MustLoad(
      "[alice]\ntype=endpoint\nauth=alice\naors=alice-desk\n[alice]\ntype=auth\nusername=alice\n"
      "password=p\n[alice-desk]\ntype=aor\n");
  const Account& a = Get(cfg, "alice");
  EXPECT_EQ(a.aor, "alice-desk");
  EXPECT_EQ(cfg.FindByAor("alice-desk"), &a);
  EXPECT_EQ(cfg.FindByAor("alice"), nullptr);
}

TEST(PjsipConfTest, MissingReferencesAreErrorsAtTheReferringLine) {
  EXPECT_EQ(ErrorOf("[a]\ntype=endpoint\nauth=nope\n"),
            "pjsip.conf:7: endpoint 'a' refers to unknown auth 'nope'");
  EXPECT_EQ(ErrorOf("[a]\ntype=endpoint\naors=nope\n"),
            "pjsip.conf:7: endpoint 'a' refers to unknown aor 'nope'");
  EXPECT_EQ(ErrorOf("[a]\ntype=endpoint\ntransport=tcp\n"),
            "pjsip.conf:7: endpoint 'a' refers to unknown transport 'tcp'");
  EXPECT_EQ(ErrorOf("[a]\ntype=endpoint\nacl=office\n"),
            "pjsip.conf:7: endpoint 'a' refers to unknown acl 'office'");
}

TEST(PjsipConfTest, OneAuthAndOneAorPerEndpoint) {
  EXPECT_EQ(ErrorOf("[a]\ntype=endpoint\naors=a,b\n[a]\ntype=aor\n[b]\ntype=aor\n"),
            "pjsip.conf:7: endpoint 'a' lists 2 names in 'aors'; sipreg supports 1 per endpoint");
}

TEST(PjsipConfTest, EndpointWithoutAorsMayNotRegister) {
  ServerConfig cfg = MustLoad("[trunk]\ntype=endpoint\ncontext=in\n");
  EXPECT_FALSE(Get(cfg, "trunk").dynamic);
  EXPECT_TRUE(HasWarning(cfg, "pjsip.conf:5: endpoint 'trunk' has no aors: it may not register"));
}

TEST(PjsipConfTest, EndpointWithoutAuthIsWarned) {
  ServerConfig cfg = MustLoad("[a]\ntype=endpoint\naors=a\n[a]\ntype=aor\n");
  EXPECT_FALSE(Get(cfg, "a").has_auth);
  EXPECT_TRUE(HasWarning(cfg, "pjsip.conf:5: endpoint 'a' has no auth: its registrations will be "
                              "refused"));
}

TEST(PjsipConfTest, SameNameTwiceWithTheSameTypeIsAnError) {
  EXPECT_EQ(ErrorOf("[a]\ntype=aor\n[a]\ntype=aor\n"),
            "pjsip.conf:7: duplicate type=aor section 'a' (first at pjsip.conf:5)");
}

TEST(PjsipConfTest, TransportsBecomeListenersAndRestrictEndpoints) {
  ServerConfig cfg = MustLoad(
      "[tls]\ntype=transport\nprotocol=tls\nbind=[::1]\ncert_file=c.pem\npriv_key_file=k.pem\n"
      "[tcp]\ntype=transport\nprotocol=tcp\nbind=0.0.0.0:5070\n"
      "[a]\ntype=endpoint\ntransport=tls\n");
  ASSERT_EQ(cfg.listeners.size(), 3u);
  EXPECT_EQ(cfg.listeners[0].name, "udp");
  EXPECT_EQ(cfg.listeners[0].address,
            (sip::Endpoint{sip::TransportKind::kUdp, "127.0.0.1", 5060}));
  EXPECT_EQ(cfg.listeners[1].address, (sip::Endpoint{sip::TransportKind::kTls, "::1", 5061}));
  EXPECT_EQ(cfg.listeners[1].cert_file, "c.pem");
  EXPECT_EQ(cfg.listeners[1].key_file, "k.pem");
  EXPECT_EQ(cfg.listeners[2].address, (sip::Endpoint{sip::TransportKind::kTcp, "0.0.0.0", 5070}));
  EXPECT_EQ(Get(cfg, "a").transports, std::vector<sip::TransportKind>{sip::TransportKind::kTls});
}

TEST(PjsipConfTest, TransportProblemsAreErrors) {
  EXPECT_EQ(ErrorOf("[t]\ntype=transport\nprotocol=wss\nbind=0.0.0.0\n"),
            "pjsip.conf:7: 'protocol' must be udp, tcp or tls, not 'wss'");
  EXPECT_EQ(ErrorOf("[t]\ntype=transport\nprotocol=tcp\n"),
            "pjsip.conf:5: transport 't' has no 'bind'");
  EXPECT_EQ(ErrorOf("[t]\ntype=transport\nprotocol=tls\nbind=0.0.0.0\n"),
            "pjsip.conf:5: transport 't' (protocol=tls) needs 'cert_file' and 'priv_key_file'");
  EXPECT_EQ(ErrorOf("[t]\ntype=transport\nprotocol=udp\nbind=127.0.0.1\n"),
            "pjsip.conf:5: udp 127.0.0.1:5060 is already a listener (defined at pjsip.conf:1)");
}

TEST(PjsipConfTest, NamedAclsMustAllPassAndPermitDenyApply) {
  ServerConfig cfg = MustLoad(
      "[office]\ntype=acl\ndeny=0.0.0.0/0\npermit=192.168.0.0/16\n"
      "[no-guest]\ntype=acl\ndeny=192.168.99.0/24\n"
      "[a]\ntype=endpoint\nacl=office,no-guest\n"
      "[b]\ntype=endpoint\ndeny=0.0.0.0/0\npermit=127.0.0.1\n");
  const Account& a = Get(cfg, "a");
  EXPECT_TRUE(a.has_acl);
  EXPECT_EQ(a.named_acls.size(), 2u);
  EXPECT_TRUE(a.AclAllows("192.168.1.10"));
  EXPECT_FALSE(a.AclAllows("192.168.99.10"));
  EXPECT_FALSE(a.AclAllows("10.0.0.1"));
  const Account& b = Get(cfg, "b");
  EXPECT_TRUE(b.AclAllows("127.0.0.1"));
  EXPECT_FALSE(b.AclAllows("127.0.0.2"));
  EXPECT_TRUE(cfg.global_acls.empty());
  EXPECT_TRUE(cfg.GlobalAclAllows("10.0.0.1"));
}

TEST(PjsipConfTest, UnreferencedAclAppliesToEveryRequest) {
  ServerConfig cfg = MustLoad("[lan-only]\ntype=acl\ndeny=0.0.0.0/0\npermit=10.0.0.0/8\n");
  ASSERT_EQ(cfg.global_acls.size(), 1u);
  EXPECT_TRUE(cfg.GlobalAclAllows("10.1.1.1"));
  EXPECT_FALSE(cfg.GlobalAclAllows("192.0.2.1"));
  EXPECT_TRUE(HasWarning(cfg, "pjsip.conf:5: acl 'lan-only' is not named by any endpoint: applied "
                              "to every request, as Asterisk's res_pjsip_acl does"));
}

TEST(PjsipConfTest, UnsupportedAclFormsAreRefused) {
  EXPECT_EQ(ErrorOf("[x]\ntype=acl\nacl=from-acl-conf\n"),
            "pjsip.conf:7: 'acl' (named ACLs from acl.conf) is not supported by sipreg; use "
            "permit= and deny=");
  EXPECT_EQ(ErrorOf("[a]\ntype=endpoint\ncontact_deny=0.0.0.0/0\n"),
            "pjsip.conf:7: 'contact_deny' is not supported by sipreg; use permit= and deny=");
}

TEST(PjsipConfTest, NatKeysOfTheEndpoint) {
  ServerConfig cfg = MustLoad("[a]\ntype=endpoint\nforce_rport=no\nrtp_symmetric=yes\n"
                              "[b]\ntype=endpoint\nforce_rport=no\n");
  EXPECT_FALSE(Get(cfg, "a").force_rport);
  EXPECT_TRUE(Get(cfg, "a").comedia);
  EXPECT_EQ(Get(cfg, "a").nat_setting, "comedia");
  EXPECT_EQ(Get(cfg, "b").nat_setting, "no");
}

TEST(PjsipConfTest, GlobalSectionCarriesSipregKeys) {
  ServerConfig cfg = MustLoad("[global]\ntype=global\nstatedir=/tmp/sr\nmaxretry=3\n"
                              "default_realm=pbx.example\nuser_agent=x\n");
  EXPECT_EQ(cfg.settings.state_dir, "/tmp/sr");
  EXPECT_EQ(cfg.settings.max_retry, 3u);
  EXPECT_EQ(cfg.settings.realm, "pbx.example");
  EXPECT_TRUE(cfg.warnings.empty()) << cfg.warnings.front();
  EXPECT_EQ(ErrorOf("[g1]\ntype=global\n[g2]\ntype=global\n"),
            "pjsip.conf:7: a second type=global section 'g2' (first at pjsip.conf:5)");
}

TEST(PjsipConfTest, TypesAreCheckedAndUnusedOnesWarned) {
  EXPECT_EQ(ErrorOf("[x]\ntype=endpiont\n"),
            "pjsip.conf:6: 'type' must be endpoint, aor, auth, transport, acl or global, not "
            "'endpiont'");
  ServerConfig cfg = MustLoad("[sys]\ntype=system\ntimer_t1=500\n[t](!)\nfoo=1\n");
  EXPECT_EQ(cfg.warnings,
            std::vector<std::string>{"pjsip.conf:5: [sys] type=system is not used by sipreg, "
                                     "ignored"});
}

TEST(PjsipConfTest, UnknownKeysAreWarnings) {
  ServerConfig cfg = MustLoad(std::string(kPhone) + "colour=blue\ncontact=sip:x@192.0.2.1\n");
  EXPECT_TRUE(HasWarning(cfg, "pjsip.conf:18: unknown key 'colour' in [6001], ignored"));
  EXPECT_TRUE(HasWarning(cfg, "pjsip.conf:19: unknown key 'contact' in [6001], ignored"));
}

TEST(PjsipConfTest, UnusedAorIsWarned) {
  ServerConfig cfg = MustLoad("[lonely]\ntype=aor\n");
  EXPECT_TRUE(HasWarning(cfg, "pjsip.conf:5: aor 'lonely' is not in any endpoint's aors=, "
                              "ignored"));
}

TEST(PjsipConfTest, TemplatesWorkAcrossTypes) {
  ServerConfig cfg = MustLoad(
      "[endpoint-basic](!)\ntype=endpoint\ncontext=phones\n"
      "[aor-basic](!)\ntype=aor\nmax_contacts=2\nqualify_frequency=30\n"
      "[7001](endpoint-basic)\nauth=7001\naors=7001\n"
      "[7001]\ntype=auth\nusername=7001\npassword=p\n"
      "[7001](aor-basic)\nmax_contacts=3\n");
  const Account& a = Get(cfg, "7001");
  EXPECT_EQ(a.context, "phones");
  EXPECT_EQ(a.max_contacts, 3u);
  EXPECT_EQ(a.qualify_frequency, std::chrono::seconds(30));
}

TEST(PjsipConfTest, ReferencesResolveAcrossPjsipFiles) {
  Result<ServerConfig> cfg = ServerConfig::LoadFromStrings(
      {{"pjsip.conf", "[udp]\ntype=transport\nbind=127.0.0.1\n"},
       {"pjsip_endpoints.conf", "[a]\ntype=endpoint\nauth=a\naors=a\ntransport=udp\n"},
       {"pjsip_auths.conf", "[a]\ntype=auth\nusername=a\npassword=p\n[a]\ntype=aor\n"}});
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  ASSERT_EQ(cfg->accounts.size(), 1u);
  EXPECT_EQ(cfg->accounts[0].defined_at.file, "pjsip_endpoints.conf");
  EXPECT_TRUE(cfg->accounts[0].has_auth);
}

}  // namespace
}  // namespace sipreg::registrar
