#include "registrar/server_config.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace sipreg::registrar {
namespace {

// The repository root, from this file's path (tests/unit/registrar/...).
std::filesystem::path RepoRoot() {
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path().parent_path();
}

ConfigFile Parse(std::string_view text, const std::string& name = "x.conf") {
  Result<ConfigFile> f = ConfigFile::Parse(text, name);
  EXPECT_TRUE(f.ok()) << f.status().message();
  return f.ok() ? *f : ConfigFile();
}

std::string LoadError(const std::vector<ServerConfig::NamedText>& files) {
  Result<ServerConfig> cfg = ServerConfig::LoadFromStrings(files);
  EXPECT_FALSE(cfg.ok());
  return cfg.ok() ? "" : cfg.status().message();
}

ServerConfig MustLoad(std::string_view text, const std::string& name = "sip.conf") {
  Result<ServerConfig> cfg = ServerConfig::LoadFromString(text, name);
  EXPECT_TRUE(cfg.ok()) << cfg.status().message();
  return cfg.ok() ? std::move(*cfg) : ServerConfig();
}

TEST(DetectDialectTest, PjsipTypesMakeAPjsipFile) {
  EXPECT_EQ(*DetectDialect(Parse("[a]\ntype=aor\n")), ConfigDialect::kPjsipConf);
  EXPECT_EQ(*DetectDialect(Parse("[g]\ntype=global\nstatedir=/x\n")), ConfigDialect::kPjsipConf);
  EXPECT_EQ(*DetectDialect(Parse("[t](!)\ntype=endpoint\n")), ConfigDialect::kPjsipConf);
}

TEST(DetectDialectTest, EverythingElseIsSipConf) {
  EXPECT_EQ(*DetectDialect(Parse("")), ConfigDialect::kSipConf);
  EXPECT_EQ(*DetectDialect(Parse("[general]\nrealm=x\n")), ConfigDialect::kSipConf);
  EXPECT_EQ(*DetectDialect(Parse("[p]\ntype=friend\n")), ConfigDialect::kSipConf);
  EXPECT_EQ(*DetectDialect(Parse("[p]\nhost=dynamic\n")), ConfigDialect::kSipConf);
}

TEST(DetectDialectTest, MixingBothDialectsInOneFileIsAnError) {
  Result<ConfigDialect> d = DetectDialect(Parse("[general]\n[a]\ntype=endpoint\n"));
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.status().message(),
            "x.conf: mixes pjsip.conf sections (type=endpoint at x.conf:3) with sip.conf ones "
            "([general] at x.conf:1); give them as separate files");
  EXPECT_FALSE(DetectDialect(Parse("[a]\ntype=aor\n[b]\ntype=peer\n")).ok());
}

TEST(ServerConfigTest, SipregKeysHaveTheirDefaults) {
  const ServerSettings s = MustLoad("[general]\n").settings;
  EXPECT_EQ(s.state_dir, "/var/lib/sipreg");
  EXPECT_EQ(s.control_socket, "/var/lib/sipreg/sipregd.ctl");
  EXPECT_EQ(s.security_log, "/var/lib/sipreg/security.log");
  EXPECT_EQ(s.log_file, "/var/lib/sipreg/messages");
  EXPECT_TRUE(s.http_bind.ip.empty());
  EXPECT_EQ(s.nonce_lifetime, std::chrono::seconds(30));
  EXPECT_EQ(s.commit_delay, std::chrono::milliseconds(6));
  EXPECT_EQ(s.commit_delay_batch, 16u);
  EXPECT_EQ(s.auth_algorithms, (std::vector<sip::DigestAlgorithm>{sip::DigestAlgorithm::kSha256,
                                                                   sip::DigestAlgorithm::kMd5}));
  EXPECT_EQ(s.expires_jitter_percent, 0u);
  EXPECT_EQ(s.max_retry, 10u);
  EXPECT_EQ(s.find_time, std::chrono::seconds(60));
  EXPECT_EQ(s.ban_time, std::chrono::seconds(600));
  EXPECT_TRUE(s.ignore_ip.empty());
}

TEST(ServerConfigTest, SipregKeysAreRead) {
  const ServerSettings s =
      MustLoad(
          "[general]\nstatedir=/srv/sr\ncontrol=/run/sr.ctl\nhttpbindaddr=127.0.0.1\n"
          "noncelifetime=45\ncommit_delay=5\ncommit_delay_batch=20\nauth_algorithms=md5\nexpires_"
          "jitter=20\nmaxretry=0\n"
          "findtime=120\nbantime=3600\nignoreip=127.0.0.1/8 ::1, "
          "10.0.0.0/8\nsecuritylog=/var/log/sr-sec.log\n"
          "logfile=\n")
          .settings;
  EXPECT_EQ(s.state_dir, "/srv/sr");
  EXPECT_EQ(s.control_socket, "/run/sr.ctl");
  EXPECT_EQ(s.http_bind, (sip::Endpoint{sip::TransportKind::kTcp, "127.0.0.1", 8088}));
  EXPECT_EQ(s.nonce_lifetime, std::chrono::seconds(45));
  EXPECT_EQ(s.commit_delay, std::chrono::milliseconds(5));
  EXPECT_EQ(s.commit_delay_batch, 20u);
  EXPECT_EQ(s.auth_algorithms, std::vector<sip::DigestAlgorithm>{sip::DigestAlgorithm::kMd5});
  EXPECT_EQ(s.expires_jitter_percent, 20u);
  EXPECT_EQ(s.max_retry, 0u);
  EXPECT_EQ(s.find_time, std::chrono::seconds(120));
  EXPECT_EQ(s.ban_time, std::chrono::seconds(3600));
  ASSERT_EQ(s.ignore_ip.size(), 3u);
  EXPECT_EQ(s.ignore_ip[0].ToString(), "127.0.0.0/8");
  EXPECT_EQ(s.ignore_ip[1].ToString(), "::1/128");
  EXPECT_EQ(s.security_log, "/var/log/sr-sec.log");
  EXPECT_EQ(s.log_file, "");  // set empty: no log file
}

TEST(ServerConfigTest, StatedirDerivedPathsFollowStatedir) {
  const ServerSettings s = MustLoad("[general]\nstatedir=./var/sipreg\n").settings;
  EXPECT_EQ(s.control_socket, "./var/sipreg/sipregd.ctl");
  EXPECT_EQ(s.security_log, "./var/sipreg/security.log");
}

TEST(ServerConfigTest, AuthAlgorithmsKeepTheirOrder) {
  const ServerSettings s =
      MustLoad("[general]\nauth_algorithms=SHA-512-256, md5,sha-256\n").settings;
  EXPECT_EQ(s.auth_algorithms,
            (std::vector<sip::DigestAlgorithm>{sip::DigestAlgorithm::kSha512_256,
                                               sip::DigestAlgorithm::kMd5,
                                               sip::DigestAlgorithm::kSha256}));
}

TEST(ServerConfigTest, BadSipregValuesAreErrors) {
  auto error = [](std::string_view line) {
    Result<ServerConfig> cfg = ServerConfig::LoadFromString("[general]\n" + std::string(line));
    return cfg.ok() ? std::string() : cfg.status().message();
  };
  EXPECT_EQ(error("auth_algorithms=md5,sha-1"),
            "sip.conf:2: 'auth_algorithms' must be a list of md5, sha-256, sha-512-256, not "
            "'sha-1'");
  EXPECT_EQ(error("auth_algorithms=md5,MD5"), "sip.conf:2: 'auth_algorithms' lists 'md5' twice");
  EXPECT_EQ(error("auth_algorithms="),
            "sip.conf:2: 'auth_algorithms' must be a list of md5, sha-256, sha-512-256, not ''");
  EXPECT_EQ(error("commit_delay=101"),
            "sip.conf:2: 'commit_delay' must be milliseconds from 0 to 100, not '101'");
  EXPECT_EQ(error("commit_delay_batch=0"),
            "sip.conf:2: 'commit_delay_batch' must be registrations from 1 to 4096, not '0'");
  EXPECT_EQ(error("commit_delay_batch=4097"),
            "sip.conf:2: 'commit_delay_batch' must be registrations from 1 to 4096, not '4097'");
  EXPECT_EQ(error("expires_jitter=51"),
            "sip.conf:2: 'expires_jitter' must be percent from 0 to 50, not '51'");
  EXPECT_EQ(error("noncelifetime=0"),
            "sip.conf:2: 'noncelifetime' must be seconds from 1 to 86400, not '0'");
  EXPECT_EQ(error("maxretry=-1"),
            "sip.conf:2: 'maxretry' must be failures from 0 to 1000000, not '-1'");
  EXPECT_EQ(error("findtime=soon"),
            "sip.conf:2: 'findtime' must be seconds from 1 to 31536000, not 'soon'");
  EXPECT_EQ(error("ignoreip=10.0.0.0/8,nothing"),
            "sip.conf:2: 'ignoreip' must be a list of networks such as 10.0.0.0/8, not "
            "'nothing': 'nothing' is not an IP address");
  EXPECT_EQ(error("statedir="), "sip.conf:2: 'statedir' must be a path, not ''");
  EXPECT_EQ(error("httpbindaddr=web:80"),
            "sip.conf:2: 'httpbindaddr' must be IP[:PORT] (IPv6 as [::1]:5060), not 'web:80'");
}

TEST(ServerConfigTest, SipAndPjsipFilesMerge) {
  Result<ServerConfig> cfg = ServerConfig::LoadFromStrings(
      {{"sip.conf", "[general]\nudpbindaddr=127.0.0.1:5060\n[alice]\ntype=friend\nhost=dynamic\n"
                    "secret=a\n"},
       {"pjsip.conf", "[tcp]\ntype=transport\nprotocol=tcp\nbind=127.0.0.1:5060\n"
                      "[bob]\ntype=endpoint\nauth=bob\naors=bob\n[bob]\ntype=auth\nusername=bob\n"
                      "password=b\n[bob]\ntype=aor\n"}});
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  ASSERT_EQ(cfg->accounts.size(), 2u);
  EXPECT_EQ(cfg->accounts[0].dialect, ConfigDialect::kSipConf);
  EXPECT_EQ(cfg->accounts[0].max_expires, 3600u);
  EXPECT_EQ(cfg->accounts[1].dialect, ConfigDialect::kPjsipConf);
  EXPECT_EQ(cfg->accounts[1].max_expires, 7200u);
  EXPECT_EQ(cfg->listeners.size(), 2u);
  EXPECT_EQ(cfg->files, (std::vector<std::string>{"sip.conf", "pjsip.conf"}));
}

TEST(ServerConfigTest, GeneralOfTheFirstSipFileAppliesToPeersOfTheSecond) {
  Result<ServerConfig> cfg = ServerConfig::LoadFromStrings(
      {{"sip.conf", "[general]\nqualifyfreq=10\n"},
       {"sip_peers.conf", "[p]\ntype=friend\nhost=dynamic\nsecret=s\n"}});
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  EXPECT_EQ(cfg->accounts[0].qualify_frequency, std::chrono::seconds(10));
  EXPECT_EQ(cfg->listeners.size(), 1u);  // one default UDP listener, not one per file
}

TEST(ServerConfigTest, DuplicateAccountAcrossFilesNamesBothPlaces) {
  EXPECT_EQ(LoadError({{"sip.conf", "[general]\n[demo-bob]\ntype=friend\n"},
                       {"more.conf", "\n[demo-bob]\ntype=friend\n"}}),
            "more.conf:2: account 'demo-bob' is already defined at sip.conf:2");
  EXPECT_EQ(LoadError({{"sip.conf", "[demo-bob]\ntype=friend\n"},
                       {"pjsip.conf", "[t]\ntype=transport\nbind=127.0.0.2\n"
                                      "[demo-bob]\ntype=endpoint\n"}}),
            "pjsip.conf:4: account 'demo-bob' is already defined at sip.conf:1");
}

TEST(ServerConfigTest, TwoAccountsRegisteringToOneAorIsAnError) {
  EXPECT_EQ(LoadError({{"sip.conf", "[desk]\ntype=friend\nhost=dynamic\n"},
                       {"pjsip.conf", "[t]\ntype=transport\nbind=127.0.0.2\n"
                                      "[alice]\ntype=endpoint\naors=desk\n[desk]\ntype=aor\n"}}),
            "pjsip.conf:4: 'alice' registers to 'desk', which 'desk' at sip.conf:1 already "
            "registers to");
}

TEST(ServerConfigTest, ConflictingSettingsAcrossFilesAreErrors) {
  EXPECT_EQ(LoadError({{"sip.conf", "[general]\nrealm=a\n"},
                       {"pjsip.conf", "[g]\ntype=global\ndefault_realm=b\n"
                                      "[t]\ntype=transport\nbind=127.0.0.1\n"}}),
            "pjsip.conf:3: 'default_realm' is set to 'b' here but to 'a' at sip.conf:2");
  EXPECT_EQ(LoadError({{"a.conf", "[general]\nstatedir=/a\n"},
                       {"b.conf", "[general]\nstatedir=/b\n"}}),
            "b.conf:2: 'statedir' is set to '/b' here but to '/a' at a.conf:2");
  // The same value twice is no conflict; within one section the last one wins.
  Result<ServerConfig> ok = ServerConfig::LoadFromStrings(
      {{"a.conf", "[general]\nstatedir=/a\nmaxretry=3\nmaxretry=4\n"},
       {"b.conf", "[general]\nstatedir=/a\n"}});
  ASSERT_TRUE(ok.ok()) << ok.status().message();
  EXPECT_EQ(ok->settings.max_retry, 4u);
}

TEST(ServerConfigTest, PjsipWithoutTransportHasNoListener) {
  Result<ServerConfig> cfg = ServerConfig::LoadFromString("[a]\ntype=aor\n", "pjsip.conf");
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().message(),
            "pjsip.conf: no listener: add a type=transport section (pjsip.conf) or udpbindaddr "
            "in [general] (sip.conf)");
}

TEST(ServerConfigTest, SameListenerTwiceIsAnError) {
  EXPECT_EQ(LoadError({{"sip.conf", "[general]\nudpbindaddr=127.0.0.1\n"},
                       {"pjsip.conf", "\n[t]\ntype=transport\nbind=127.0.0.1:5060\n"}}),
            "pjsip.conf:2: udp 127.0.0.1:5060 is already a listener (defined at sip.conf:2)");
}

TEST(ServerConfigTest, NoFilesOrUnreadableFile) {
  EXPECT_FALSE(ServerConfig::Load({}).ok());
  Result<ServerConfig> cfg = ServerConfig::Load({"/nonexistent/sipreg/sip.conf"});
  ASSERT_FALSE(cfg.ok());
  EXPECT_EQ(cfg.status().code(), StatusCode::kIoError);
  EXPECT_EQ(cfg.status().message(),
            "/nonexistent/sipreg/sip.conf: cannot read: No such file or directory");
}

TEST(ServerConfigTest, IncludedFilesAreResolvedAmongGivenTexts) {
  Result<ServerConfig> cfg = ServerConfig::LoadFromStrings(
      {{"conf/sip.conf", "[general]\n#include peers/demo.conf\n"}},
      {{"conf/peers/demo.conf", "[demo-bob]\ntype=friend\nhost=dynamic\nsecret=s\n"}});
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  ASSERT_EQ(cfg->accounts.size(), 1u);
  EXPECT_EQ(cfg->accounts[0].defined_at.file, "conf/peers/demo.conf");
}

void ExpectDemoAccounts(const ServerConfig& cfg, ConfigDialect dialect) {
  ASSERT_EQ(cfg.accounts.size(), 2u);
  const Account* alice = cfg.FindAccount("demo-alice");
  const Account* bob = cfg.FindByAor("demo-bob");
  ASSERT_NE(alice, nullptr);
  ASSERT_NE(bob, nullptr);
  for (const Account* a : {alice, bob}) {
    EXPECT_EQ(a->dialect, dialect);
    EXPECT_TRUE(a->dynamic);
    EXPECT_TRUE(a->has_auth);
    EXPECT_EQ(a->auth_username, a->name);
    EXPECT_EQ(a->context, "users");
    EXPECT_EQ(a->max_contacts, 1u);
    EXPECT_TRUE(a->remove_existing);
    EXPECT_TRUE(a->force_rport);
  }
  EXPECT_EQ(alice->secret.password, "verysecretpassword");
  EXPECT_EQ(bob->secret.password, "othersecretpassword");
  ASSERT_EQ(cfg.listeners.size(), 1u);
  EXPECT_EQ(cfg.listeners[0].address,
            (sip::Endpoint{sip::TransportKind::kUdp, "127.0.0.1", 5060}));
  EXPECT_EQ(cfg.settings.state_dir, "./var/sipreg");
  EXPECT_TRUE(cfg.warnings.empty()) << cfg.warnings.front();
}

TEST(ServerConfigTest, DemoSipConfLoads) {
  Result<ServerConfig> cfg = ServerConfig::Load({(RepoRoot() / "demo" / "sip.conf").string()});
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  ExpectDemoAccounts(*cfg, ConfigDialect::kSipConf);
  EXPECT_EQ(cfg->FindAccount("demo-alice")->default_expires, 120u);
}

TEST(ServerConfigTest, DemoPjsipConfLoads) {
  Result<ServerConfig> cfg = ServerConfig::Load({(RepoRoot() / "demo" / "pjsip.conf").string()});
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  ExpectDemoAccounts(*cfg, ConfigDialect::kPjsipConf);
  EXPECT_EQ(cfg->FindAccount("demo-alice")->default_expires, 3600u);
}

TEST(ServerConfigTest, BothDemoConfigsTogetherCollideOnAccountNames) {
  Result<ServerConfig> cfg = ServerConfig::Load({(RepoRoot() / "demo" / "sip.conf").string(),
                                                 (RepoRoot() / "demo" / "pjsip.conf").string()});
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("is already"), std::string::npos);
}

TEST(CheckConfigTest, AcceptsTheDemoAndReportsErrors) {
  std::vector<std::string> warnings{"stale"};
  EXPECT_TRUE(CheckConfig({(RepoRoot() / "demo" / "sip.conf").string()}, &warnings).ok());
  EXPECT_TRUE(warnings.empty());
  const Status missing = CheckConfig({"/nonexistent/sip.conf"});
  EXPECT_FALSE(missing.ok());
}

TEST(CheckConfigTest, TlsCertificateFilesMustBeReadable) {
  const std::filesystem::path dir = std::filesystem::path(testing::TempDir()) /
                                    ("checkcfg-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string conf = (dir / "sip.conf").string();
  const std::string cert = (dir / "cert.pem").string();
  std::ofstream(conf) << "[general]\nudpbindaddr=127.0.0.1:0\ntlsenable=yes\n"
                         "tlsbindaddr=127.0.0.1:0\ntlscertfile=" << cert << "\n";
  const Status st = CheckConfig({conf});
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), conf + ":4: cannot read TLS certificate file '" + cert +
                              "' of listener tls 127.0.0.1:0");
  std::ofstream(cert) << "not really a certificate\n";
  EXPECT_TRUE(CheckConfig({conf}).ok());
  std::filesystem::remove_all(dir);
}

TEST(RecordSettingTest, SameSectionMayRepeatAKey) {
  ServerSettings s;
  const SourceLocation section{"a.conf", 1};
  ConfigEntry first{"realm", "x", {"a.conf", 2}, "general"};
  ConfigEntry second{"realm", "y", {"a.conf", 3}, "general"};
  ASSERT_TRUE(RecordSetting(first, section, s).ok());
  ASSERT_TRUE(RecordSetting(second, section, s).ok());
  EXPECT_EQ(s.set_by.at("realm").entry.value, "y");
  ConfigEntry other{"realm", "z", {"b.conf", 2}, "general"};
  EXPECT_FALSE(RecordSetting(other, {"b.conf", 1}, s).ok());
}

}  // namespace
}  // namespace sipreg::registrar
