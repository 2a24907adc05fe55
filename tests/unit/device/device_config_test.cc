#include "device/device_config.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "temp_dir.h"

namespace sipreg::device {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using sipreg::testing::TempDir;

constexpr std::string_view kMinimal =
    "[sip]\n"
    "server = pbx.example.com\n"
    "[web]\n"
    "password = secret\n";

DeviceConfig MustParse(std::string_view text) {
  Result<DeviceConfig> c = ParseDeviceConfig(text, "device.conf");
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? *c : DeviceConfig();
}

std::string ErrorOf(std::string_view text) {
  Result<DeviceConfig> c = ParseDeviceConfig(text, "device.conf");
  EXPECT_FALSE(c.ok()) << "parsed:\n" << text;
  return c.ok() ? "" : c.status().message();
}

// kMinimal followed by `more`.
std::string With(std::string_view more) { return std::string(kMinimal) + std::string(more); }

// Every key set, odd characters where they are allowed.
DeviceConfig FullConfig() {
  DeviceConfig c;
  c.sip.server = {"2001:db8::10", 5061};
  c.sip.outbound_proxy = {"proxy.example.com", 5060};
  c.sip.transport = TransportChoice::kTls;
  c.sip.expires = 600;
  c.sip.keepalive = KeepAliveMethod::kOptions;
  c.sip.keepalive_interval = 15;
  c.sip.local_port = 0;
  c.sip.tls_verify = false;
  c.sip.tls_ca = "/etc/ssl/my ca.pem";
  c.sip.display_name = " Lobby; \"Main\" \\ door ";
  c.sip.register_rate = 7;
  c.web.listen = {"::", 8443};
  c.web.password = "a;b \"c\"";
  c.audio.output = "wav:/var/lib/sipreg/audio";

  ExtensionConfig page;
  page.id = "page";
  page.type = ExtensionType::kPage;
  page.extension = "100";
  page.password = " lead;ing ; \\\" ";
  ExtensionConfig ring;
  ring.id = "ring.3";
  ring.type = ExtensionType::kRing;
  ring.enabled = false;
  ring.extension = "bell-1";
  ring.auth_id = "auth.bell";
  ring.password = "#hash";
  ring.audio = "/usr/share/sounds/bell.wav";
  ExtensionConfig alert;
  alert.id = "alert.1";
  alert.type = ExtensionType::kAlert;
  alert.extension = "300";
  alert.password = "\"quoted\"";
  alert.audio = "alarm.wav";
  alert.until_cancelled = true;
  alert.cancel_extension = "301";
  alert.cancel_auth_id = "cancel301";
  alert.cancel_password = "x;y";
  alert.answer = true;
  alert.access_code = "*12#";
  ExtensionConfig timed;
  timed.id = "alert.2";
  timed.type = ExtensionType::kAlert;
  timed.extension = "302";
  timed.duration = 90;
  c.extensions = {page, ring, alert, timed};
  return c;
}

// ---- HostPort ---------------------------------------------------------------

TEST(HostPortTest, HostAloneHasNoPort) {
  Result<HostPort> hp = ParseHostPort("pbx.example.com");
  ASSERT_TRUE(hp.ok()) << hp.status().message();
  EXPECT_EQ(hp->host, "pbx.example.com");
  EXPECT_FALSE(hp->port.has_value());
  EXPECT_EQ(hp->ToString(), "pbx.example.com");
}

TEST(HostPortTest, HostAndPort) {
  Result<HostPort> hp = ParseHostPort("192.0.2.10:5080");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(*hp, (HostPort{"192.0.2.10", 5080}));
  EXPECT_EQ(hp->ToString(), "192.0.2.10:5080");
}

TEST(HostPortTest, BracketedIpv6KeepsHostWithoutBrackets) {
  Result<HostPort> hp = ParseHostPort("[2001:db8::1]");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(hp->host, "2001:db8::1");
  EXPECT_FALSE(hp->port.has_value());
  EXPECT_EQ(hp->ToString(), "[2001:db8::1]");
}

TEST(HostPortTest, BracketedIpv6WithPort) {
  Result<HostPort> hp = ParseHostPort("[::1]:5060");
  ASSERT_TRUE(hp.ok());
  EXPECT_EQ(*hp, (HostPort{"::1", 5060}));
  EXPECT_EQ(hp->ToString(), "[::1]:5060");
}

TEST(HostPortTest, BareIpv6IsAnErrorBecauseThePortWouldBeAmbiguous) {
  Result<HostPort> hp = ParseHostPort("2001:db8::1:5060");
  ASSERT_FALSE(hp.ok());
  EXPECT_EQ(hp.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(hp.status().message().find("brackets"), std::string::npos);
}

TEST(HostPortTest, MalformedInputsAreErrors) {
  for (const char* text : {"", ":5060", "host:", "host:0", "host:65536", "host:50x", "host:-1",
                           "[::1", "[::1]x", "[::1]:", "[pbx.example.com]", "a b", "user@host",
                           "1.2.3.256", "1.2.3", "..", ".example.com", "host;x"}) {
    EXPECT_FALSE(ParseHostPort(text).ok()) << text;
  }
}

TEST(HostPortTest, PortRangeEdgesAreAccepted) {
  EXPECT_EQ(ParseHostPort("h:1")->port, 1);
  EXPECT_EQ(ParseHostPort("h:65535")->port, 65535);
  EXPECT_EQ(ParseHostPort("under_score-host.example")->host, "under_score-host.example");
}

// ---- names ------------------------------------------------------------------

TEST(DeviceConfigTest, EnumNames) {
  EXPECT_EQ(TransportChoiceName(TransportChoice::kAuto), "auto");
  EXPECT_EQ(TransportChoiceName(TransportChoice::kUdp), "udp");
  EXPECT_EQ(TransportChoiceName(TransportChoice::kTcp), "tcp");
  EXPECT_EQ(TransportChoiceName(TransportChoice::kTls), "tls");
  EXPECT_EQ(KeepAliveMethodName(KeepAliveMethod::kDoubleCrlf), "double-crlf");
  EXPECT_EQ(KeepAliveMethodName(KeepAliveMethod::kOptions), "options");
  EXPECT_EQ(KeepAliveMethodName(KeepAliveMethod::kOff), "off");
  EXPECT_EQ(ExtensionTypeName(ExtensionType::kPage), "page");
  EXPECT_EQ(ExtensionTypeName(ExtensionType::kRing), "ring");
  EXPECT_EQ(ExtensionTypeName(ExtensionType::kAlert), "alert");
}

// ---- parsing ----------------------------------------------------------------

TEST(DeviceConfigTest, MinimalConfigGetsDefaults) {
  DeviceConfig c = MustParse(kMinimal);
  EXPECT_EQ(c.sip.server, (HostPort{"pbx.example.com", std::nullopt}));
  EXPECT_TRUE(c.sip.outbound_proxy.empty());
  EXPECT_EQ(c.sip.transport, TransportChoice::kAuto);
  EXPECT_EQ(c.sip.expires, 3600u);
  EXPECT_EQ(c.sip.keepalive, KeepAliveMethod::kDoubleCrlf);
  EXPECT_EQ(c.sip.keepalive_interval, 30u);
  EXPECT_EQ(c.sip.local_port, 5070);
  EXPECT_TRUE(c.sip.tls_verify);
  EXPECT_EQ(c.sip.register_rate, 50u);
  EXPECT_EQ(c.web.listen, (HostPort{"127.0.0.1", 8080}));
  EXPECT_EQ(c.web.password, "secret");
  EXPECT_EQ(c.audio.output, "");
  EXPECT_TRUE(c.extensions.empty());
}

TEST(DeviceConfigTest, ReadsEverySipKey) {
  DeviceConfig c = MustParse(
      "[sip]\n"
      "server = [2001:db8::10]:5061\n"
      "outbound_proxy = proxy.example.com:5060\n"
      "transport = TLS\n"
      "expires = 600\n"
      "keepalive = options\n"
      "keepalive_interval = 15\n"
      "local_port = 0\n"
      "tls_verify = off\n"
      "tls_ca = /etc/ssl/ca.pem\n"
      "display_name = Lobby door\n"
      "register_rate = 100000\n"
      "[web]\n"
      "listen = 0.0.0.0:80\n"
      "password = pw\n"
      "[audio]\n"
      "output = alsa:default\n");
  EXPECT_EQ(c.sip.server, (HostPort{"2001:db8::10", 5061}));
  EXPECT_EQ(c.sip.outbound_proxy, (HostPort{"proxy.example.com", 5060}));
  EXPECT_EQ(c.sip.transport, TransportChoice::kTls);
  EXPECT_EQ(c.sip.expires, 600u);
  EXPECT_EQ(c.sip.keepalive, KeepAliveMethod::kOptions);
  EXPECT_EQ(c.sip.keepalive_interval, 15u);
  EXPECT_EQ(c.sip.local_port, 0);
  EXPECT_FALSE(c.sip.tls_verify);
  EXPECT_EQ(c.sip.tls_ca, "/etc/ssl/ca.pem");
  EXPECT_EQ(c.sip.display_name, "Lobby door");
  EXPECT_EQ(c.sip.register_rate, 100000u);
  EXPECT_EQ(c.web.listen, (HostPort{"0.0.0.0", 80}));
  EXPECT_EQ(c.audio.output, "alsa:default");
}

TEST(DeviceConfigTest, UnknownKeyNamesFileAndLine) {
  EXPECT_EQ(ErrorOf("[sip]\nserver = pbx\nexpire = 60\n"),
            "device.conf:3: unknown key 'expire' in [sip]");
  EXPECT_EQ(ErrorOf(With("[ring.2]\nextension = 1\nduration = 5\n")),
            "device.conf:7: unknown key 'duration' in [ring.2]");
}

TEST(DeviceConfigTest, KeysAreValidOnlyForTheirSectionType) {
  EXPECT_EQ(ErrorOf(With("[page]\nextension = 1\naudio = a.wav\n")),
            "device.conf:7: unknown key 'audio' in [page]");
  EXPECT_EQ(ErrorOf(With("[ring]\nextension = 1\nanswer = yes\n")),
            "device.conf:7: unknown key 'answer' in [ring]");
  EXPECT_TRUE(ParseDeviceConfig(With("[ring]\nextension = 1\naudio = a.wav\n"), "d").ok());
}

TEST(DeviceConfigTest, UnknownSectionNamesFileAndLine) {
  EXPECT_EQ(ErrorOf(With("\n[phone]\n")), "device.conf:6: unknown section [phone]");
}

TEST(DeviceConfigTest, ExtensionSectionNumbersHaveRanges) {
  for (const char* bad : {"[page.1]", "[page.0]", "[page.02]", "[page.100000]", "[page.x]",
                          "[page.]", "[ring.1]", "[alert]", "[alert.0]", "[alert.-1]"}) {
    std::string error = ErrorOf(With(std::string(bad) + "\nextension = 1\n"));
    EXPECT_NE(error.find("unknown section"), std::string::npos) << bad << ": " << error;
  }
  DeviceConfig c = MustParse(
      With("[page.2]\nextension = 1\n[page.99999]\nextension = 2\n[ring.2]\nextension = 3\n"
           "[alert.1]\nextension = 4\n[alert.99999]\nextension = 5\n"));
  ASSERT_EQ(c.extensions.size(), 5u);
  EXPECT_EQ(c.extensions[1].id, "page.99999");
  EXPECT_EQ(c.extensions[4].type, ExtensionType::kAlert);
}

TEST(DeviceConfigTest, DuplicateSectionIsAnError) {
  EXPECT_EQ(ErrorOf(With("[page]\nextension = 1\n[page]\nextension = 2\n")),
            "device.conf:7: duplicate section [page] (first at device.conf:5)");
}

TEST(DeviceConfigTest, DuplicateKeyIsAnError) {
  EXPECT_EQ(ErrorOf("[sip]\nserver = a\nserver = b\n"),
            "device.conf:3: duplicate key 'server' in [sip] (first at device.conf:2)");
}

TEST(DeviceConfigTest, KeyOutsideASectionIsAnError) {
  EXPECT_EQ(ErrorOf("server = pbx\n"), "device.conf:1: key 'server' is outside of any section");
}

TEST(DeviceConfigTest, LineWithoutEqualsIsAnError) {
  EXPECT_EQ(ErrorOf("[sip]\nserver pbx\n"), "device.conf:2: expected 'key = value' or '[section]'");
  EXPECT_EQ(ErrorOf("[sip\n"), "device.conf:1: missing ']' in '[sip'");
  EXPECT_EQ(ErrorOf("[sip] x\n"), "device.conf:1: unexpected 'x' after [sip]");
}

TEST(DeviceConfigTest, MissingServerIsAnError) {
  EXPECT_EQ(ErrorOf("\n[sip]\nexpires = 60\n[web]\npassword = x\n"),
            "device.conf:2: [sip] server is required");
  EXPECT_EQ(ErrorOf("[web]\npassword = x\n"), "device.conf: [sip] server is required");
  EXPECT_NE(ErrorOf("[sip]\nserver =\n[web]\npassword = x\n").find("bad value '' for server"),
            std::string::npos);
}

TEST(DeviceConfigTest, WebPasswordIsRequiredUnlessListenIsOff) {
  EXPECT_EQ(ErrorOf("[sip]\nserver = pbx\n[web]\nlisten = 0.0.0.0:8080\n"),
            "device.conf:3: [web] password is required (or set listen = off)");
  EXPECT_EQ(ErrorOf("[sip]\nserver = pbx\n[web]\npassword =\n"),
            "device.conf:4: [web] password is required (or set listen = off)");
  EXPECT_EQ(ErrorOf("[sip]\nserver = pbx\n"),
            "device.conf: [web] password is required (or set listen = off)");
  DeviceConfig c = MustParse("[sip]\nserver = pbx\n[web]\nlisten = off\n");
  EXPECT_TRUE(c.web.listen.empty());
  EXPECT_EQ(c.web.listen.ToString(), "");
}

TEST(DeviceConfigTest, ListenWithoutPortUses8080AndPortZeroIsAllowed) {
  EXPECT_EQ(MustParse("[sip]\nserver = pbx\n[web]\nlisten = [::]\npassword = p\n").web.listen,
            (HostPort{"::", 8080}));
  EXPECT_EQ(
      MustParse("[sip]\nserver = pbx\n[web]\nlisten = 127.0.0.1:0\npassword = p\n").web.listen,
      (HostPort{"127.0.0.1", 0}));
  EXPECT_NE(ErrorOf("[sip]\nserver = pbx\n[web]\nlisten = ::1\npassword = p\n")
                .find("bad value '::1' for listen in [web]: expected host:port or off"),
            std::string::npos);
}

TEST(DeviceConfigTest, BadValueNamesValueKeySectionAndRange) {
  EXPECT_EQ(ErrorOf("[sip]\nserver = pbx\nexpires = 59\n"),
            "device.conf:3: bad value '59' for expires in [sip]: expected an integer 60..604800");
  EXPECT_EQ(ErrorOf("[sip]\nserver = pbx\ntransport = sctp\n"),
            "device.conf:3: bad value 'sctp' for transport in [sip]: expected auto, udp, tcp or "
            "tls");
}

TEST(DeviceConfigTest, NumericRangesAreEnforced) {
  struct Case {
    const char* line;
    bool ok;
  };
  const Case cases[] = {
      {"expires = 60", true},
      {"expires = 604800", true},
      {"expires = 604801", false},
      {"expires = -60", false},
      {"expires = 3600s", false},
      {"expires = 99999999999999999999999", false},
      {"keepalive_interval = 1", true},
      {"keepalive_interval = 0", false},
      {"keepalive_interval = 3600", true},
      {"keepalive_interval = 3601", false},
      {"local_port = 65535", true},
      {"local_port = 65536", false},
      {"register_rate = 1", true},
      {"register_rate = 0", false},
      {"register_rate = 100001", false},
      {"keepalive = off", true},
      {"keepalive = double-crlf", true},
      {"keepalive = crlf", false},
      {"tls_verify = maybe", false},
  };
  for (const Case& c : cases) {
    Result<DeviceConfig> r = ParseDeviceConfig(
        std::string("[sip]\nserver = pbx\n") + c.line + "\n[web]\npassword = p\n", "d");
    EXPECT_EQ(r.ok(), c.ok) << c.line << ": " << r.status().message();
  }
}

TEST(DeviceConfigTest, BooleansAcceptCommonSpellings) {
  for (const char* yes : {"yes", "true", "1", "on", "YES", "On"}) {
    EXPECT_TRUE(
        MustParse(std::string("[sip]\nserver = p\ntls_verify = ") + yes + "\n[web]\npassword = p\n")
            .sip.tls_verify)
        << yes;
  }
  for (const char* no : {"no", "false", "0", "off", "No"}) {
    EXPECT_FALSE(
        MustParse(std::string("[sip]\nserver = p\ntls_verify = ") + no + "\n[web]\npassword = p\n")
            .sip.tls_verify)
        << no;
  }
}

TEST(DeviceConfigTest, CommentsBlankLinesAndTrailingSemicolonComments) {
  DeviceConfig c = MustParse(
      "; a comment\n"
      "# another\n"
      "\n"
      "   ; indented comment\n"
      "[sip]   ; section comment\n"
      "server = pbx   ; where we register\n"
      "display_name = a;b\n"
      "[web]\n"
      "password = pass#word ;comment\n"
      "[page]\n"
      "extension = 100\n"
      "password =;x\n");
  EXPECT_EQ(c.sip.server.host, "pbx");
  EXPECT_EQ(c.sip.display_name, "a;b");
  EXPECT_EQ(c.web.password, "pass#word");
  EXPECT_EQ(c.extensions.at(0).password, ";x");
}

TEST(DeviceConfigTest, QuotedValuesKeepSpacesSemicolonsAndEscapedQuotes) {
  DeviceConfig c = MustParse(
      "[sip]\nserver = pbx\n"
      "display_name = \" padded ; name \"  ; comment after the quote\n"
      "[web]\npassword = \"say \\\"hi\\\" \\\\ \\n\"\n");
  EXPECT_EQ(c.sip.display_name, " padded ; name ");
  EXPECT_EQ(c.web.password, "say \"hi\" \\ \\n");
}

TEST(DeviceConfigTest, BrokenQuotesAreErrors) {
  EXPECT_EQ(ErrorOf("[sip]\nserver = \"pbx\n"),
            "device.conf:2: unterminated quoted value for server in [sip]");
  EXPECT_EQ(ErrorOf("[sip]\nserver = \"pbx\" x\n"),
            "device.conf:2: unexpected text after the closing quote for server in [sip]");
}

TEST(DeviceConfigTest, CrlfLineEndingsAndByteOrderMarkAreAccepted) {
  DeviceConfig c = MustParse("\xEF\xBB\xBF[sip]\r\nserver = pbx\r\n[web]\r\npassword = p\r\n");
  EXPECT_EQ(c.sip.server.host, "pbx");
  EXPECT_EQ(c.web.password, "p");
}

TEST(DeviceConfigTest, SectionAndKeyNamesAreCaseInsensitive) {
  DeviceConfig c = MustParse("[SIP]\nServer = pbx\n[Web]\nPASSWORD = p\n[Page.2]\nextension = 1\n");
  EXPECT_EQ(c.sip.server.host, "pbx");
  ASSERT_EQ(c.extensions.size(), 1u);
  EXPECT_EQ(c.extensions[0].id, "page.2");
}

TEST(DeviceConfigTest, ControlCharactersAndBadUtf8AreRejectedWithoutEchoingPasswords) {
  EXPECT_EQ(ErrorOf(With("[page]\nextension = 1\npassword = top\x01secret\n")),
            "device.conf:7: bad value for password in [page]: control characters are not "
            "allowed");
  EXPECT_EQ(ErrorOf("[sip]\nserver = p\ndisplay_name = a\tb\n"),
            "device.conf:3: bad value 'a\\x09b' for display_name in [sip]: control characters "
            "are not allowed");
  EXPECT_NE(ErrorOf("[sip]\nserver = p\ndisplay_name = \xC3\n").find("not valid UTF-8"),
            std::string::npos);
  EXPECT_EQ(MustParse("[sip]\nserver = p\ndisplay_name = M\xC3\xBCller\n[web]\npassword = p\n")
                .sip.display_name,
            "M\xC3\xBCller");
}

TEST(DeviceConfigTest, ErrorMessagesAreValidUtf8SoTheyFitInJson) {
  const std::string bad_byte = ErrorOf("[sip]\nserver = p\ndisplay_name = ab\xC3\n");
  EXPECT_NE(bad_byte.find("'ab\\xc3'"), std::string::npos) << bad_byte;
  EXPECT_NO_THROW(json(bad_byte).dump());
  std::string long_name;
  for (int i = 0; i < 100; ++i) long_name += "\xC3\xBC";  // 200 bytes of 'ü'
  const std::string cut = ErrorOf("[sip]\nserver = p\ntransport = " + long_name + "\n");
  EXPECT_NE(cut.find("...' for transport"), std::string::npos) << cut;
  EXPECT_NO_THROW(json(cut).dump());
}

TEST(DeviceConfigTest, AudioOutputIsNothingWavOrAlsa) {
  EXPECT_EQ(MustParse(With("[audio]\noutput = wav:/tmp/out\n")).audio.output, "wav:/tmp/out");
  EXPECT_EQ(MustParse(With("[audio]\noutput =\n")).audio.output, "");
  for (const char* bad : {"wav:", "alsa:", "pulse:default", "/tmp/out"}) {
    EXPECT_NE(
        ErrorOf(With(std::string("[audio]\noutput = ") + bad + "\n")).find("for output in [audio]"),
        std::string::npos)
        << bad;
  }
}

TEST(DeviceConfigTest, AuthIdDefaultsToExtension) {
  DeviceConfig c =
      MustParse(With("[page]\nextension = 100\n[ring]\nextension = 200\nauth_id = ring-auth\n"));
  ASSERT_EQ(c.extensions.size(), 2u);
  EXPECT_EQ(c.extensions[0].auth_id, "");
  EXPECT_EQ(c.extensions[0].AuthId(), "100");
  EXPECT_EQ(c.extensions[1].AuthId(), "ring-auth");
}

TEST(DeviceConfigTest, ExtensionsKeepFileOrderTypesAndHeaderLines) {
  DeviceConfig c =
      MustParse(With("[alert.7]\nextension = 3\n\n[page]\nextension = 1\n[ring.4]\nextension = 2\n"
                     "enabled = no\n"));
  ASSERT_EQ(c.extensions.size(), 3u);
  EXPECT_EQ(c.extensions[0].id, "alert.7");
  EXPECT_EQ(c.extensions[0].type, ExtensionType::kAlert);
  EXPECT_EQ(c.extensions[0].line, 5);
  EXPECT_EQ(c.extensions[1].id, "page");
  EXPECT_EQ(c.extensions[1].line, 8);
  EXPECT_TRUE(c.extensions[1].enabled);
  EXPECT_EQ(c.extensions[2].type, ExtensionType::kRing);
  EXPECT_FALSE(c.extensions[2].enabled);
  EXPECT_EQ(c.Find("ring.4"), &c.extensions[2]);
  EXPECT_EQ(c.Find("ring"), nullptr);
}

TEST(DeviceConfigTest, ExtensionUsesSipUserPartCharacters) {
  EXPECT_EQ(
      MustParse(With("[page]\nextension = \"a-_.!~*'()&=+$,;?/Z9\"\n")).extensions[0].extension,
      "a-_.!~*'()&=+$,;?/Z9");
  for (const char* bad : {"\"1 2\"", "100@pbx", "sip:100", "<100>", "\"\\\"100\\\"\"", "10%41"}) {
    EXPECT_NE(ErrorOf(With(std::string("[page]\nextension = ") + bad + "\n"))
                  .find("expected a SIP user part"),
              std::string::npos)
        << bad;
  }
  EXPECT_NE(ErrorOf(With("[page]\nextension = 1\nauth_id = \"a b\"\n")).find("for auth_id in [page]"),
            std::string::npos);
}

TEST(DeviceConfigTest, AuthIdMayBeUserAtDomain) {
  auto c = MustParse(With("[page]\nextension = 100\nauth_id = 100@pbx.example.com\n"));
  EXPECT_EQ(c.extensions[0].AuthId(), "100@pbx.example.com");
}

TEST(DeviceConfigTest, MissingExtensionIsAnErrorAtTheSectionLine) {
  EXPECT_EQ(ErrorOf(With("[ring.2]\npassword = x\n")),
            "device.conf:5: [ring.2] needs an extension (extension = NUMBER)");
}

TEST(DeviceConfigTest, SameExtensionAndAuthIdTwiceNamesBothLines) {
  EXPECT_EQ(ErrorOf(With("[page]\nextension = 100\n[ring]\nextension = 100\nauth_id = 100\n")),
            "device.conf:7: extension '100' with auth id '100' in [ring] is already used by "
            "[page] at device.conf:5");
}

TEST(DeviceConfigTest, SameExtensionWithAnotherAuthIdIsAllowed) {
  DeviceConfig c =
      MustParse(With("[page]\nextension = 100\n[ring]\nextension = 100\nauth_id = r\n"));
  EXPECT_EQ(c.extensions.size(), 2u);
}

TEST(DeviceConfigTest, CancelExtensionMayNotDuplicateAnotherRegistration) {
  EXPECT_EQ(ErrorOf(With("[page]\nextension = 100\n[alert.1]\nextension = 300\n"
                         "cancel_extension = 100\n")),
            "device.conf:7: extension '100' with auth id '100' in the cancel_extension of "
            "[alert.1] is already used by [page] at device.conf:5");
}

TEST(DeviceConfigTest, FiftyPageExtensionsParse) {
  std::string text(kMinimal);
  text += "[page]\nextension = 1000\npassword = p0\n";
  for (int i = 2; i <= 50; ++i) {
    text += "[page." + std::to_string(i) + "]\nextension = " + std::to_string(1000 + i - 1) +
            "\npassword = p" + std::to_string(i) + "\n";
  }
  DeviceConfig c = MustParse(text);
  ASSERT_EQ(c.extensions.size(), 50u);
  EXPECT_EQ(c.extensions[49].id, "page.50");
  EXPECT_EQ(c.extensions[49].extension, "1049");
  EXPECT_EQ(c.extensions[49].password, "p50");
}

TEST(DeviceConfigTest, AlertKeysAreRead) {
  DeviceConfig c = MustParse(
      With("[alert.1]\nextension = 300\nauth_id = a300\npassword = p\naudio = /s/alarm.wav\n"
           "duration = 90\ncancel_extension = 301\ncancel_auth_id = c301\ncancel_password = cp\n"
           "answer = yes\naccess_code = *12#\n"));
  const ExtensionConfig& a = c.extensions.at(0);
  EXPECT_EQ(a.duration, 90u);
  EXPECT_FALSE(a.until_cancelled);
  EXPECT_EQ(a.audio, "/s/alarm.wav");
  EXPECT_EQ(a.cancel_extension, "301");
  EXPECT_EQ(a.CancelAuthId(), "c301");
  EXPECT_EQ(a.cancel_password, "cp");
  EXPECT_TRUE(a.answer);
  EXPECT_EQ(a.access_code, "*12#");
}

TEST(DeviceConfigTest, AlertDurationDefaultsToZeroMeaningPlayOnce) {
  const ExtensionConfig a = MustParse(With("[alert.1]\nextension = 300\n")).extensions.at(0);
  EXPECT_EQ(a.duration, 0u);
  EXPECT_FALSE(a.until_cancelled);
  EXPECT_FALSE(a.answer);
  EXPECT_EQ(a.CancelAuthId(), "");
}

TEST(DeviceConfigTest, DurationRangeIsOneSecondToADay) {
  for (const char* bad : {"0", "86401", "-1", "forever", "1.5"}) {
    EXPECT_NE(ErrorOf(With(std::string("[alert.1]\nextension = 1\nduration = ") + bad + "\n"))
                  .find("expected seconds 1..86400 or until-cancelled"),
              std::string::npos)
        << bad;
  }
  EXPECT_EQ(MustParse(With("[alert.1]\nextension = 1\nduration = 86400\n")).extensions[0].duration,
            86400u);
}

TEST(DeviceConfigTest, DurationUntilCancelledNeedsCancelExtension) {
  EXPECT_EQ(ErrorOf(With("[alert.2]\nextension = 300\nduration = until-cancelled\n")),
            "device.conf:7: duration = until-cancelled in [alert.2] needs a cancel_extension");
  const ExtensionConfig a =
      MustParse(With("[alert.2]\nextension = 300\nduration = until-cancelled\n"
                     "cancel_extension = 301\n"))
          .extensions.at(0);
  EXPECT_TRUE(a.until_cancelled);
  EXPECT_EQ(a.duration, 0u);
  EXPECT_EQ(a.CancelAuthId(), "301");
}

TEST(DeviceConfigTest, AccessCodeIsDigitsStarAndHash) {
  EXPECT_NE(ErrorOf(With("[alert.1]\nextension = 1\naccess_code = 12a\n"))
                .find("bad value '12a' for access_code in [alert.1]: expected digits, * and #"),
            std::string::npos);
}

TEST(DeviceConfigTest, EqualityIgnoresLineOnly) {
  DeviceConfig a = FullConfig();
  DeviceConfig b = FullConfig();
  b.extensions[0].line = 42;
  EXPECT_EQ(a, b);
  b.extensions[0].password = "other";
  EXPECT_FALSE(a == b);
  b = FullConfig();
  b.extensions[2].access_code = "1";
  EXPECT_FALSE(a == b);
  b = FullConfig();
  b.sip.register_rate = 8;
  EXPECT_FALSE(a == b);
}

// ---- serializing -------------------------------------------------------------

TEST(DeviceConfigTest, SerializeRoundTrips) {
  const DeviceConfig c = FullConfig();
  const std::string text = SerializeDeviceConfig(c);
  EXPECT_TRUE(text.starts_with("; written by sipreg-device\n")) << text;
  Result<DeviceConfig> back = ParseDeviceConfig(text, "written.conf");
  ASSERT_TRUE(back.ok()) << back.status().message() << "\n" << text;
  EXPECT_EQ(*back, c) << text;
}

TEST(DeviceConfigTest, SerializeRoundTripsDefaultsAndDisabledWeb) {
  DeviceConfig c = MustParse(With("[page]\nextension = 1\n[alert.1]\nextension = 2\n"));
  EXPECT_EQ(MustParse(SerializeDeviceConfig(c)), c);
  c.web.listen = HostPort{};
  c.web.password.clear();
  const std::string text = SerializeDeviceConfig(c);
  EXPECT_NE(text.find("listen = off\n"), std::string::npos) << text;
  EXPECT_EQ(MustParse(text), c);
}

TEST(DeviceConfigTest, SerializeQuotesOnlyWhenNeeded) {
  const std::string text = SerializeDeviceConfig(FullConfig());
  EXPECT_NE(text.find("server = [2001:db8::10]:5061\n"), std::string::npos) << text;
  EXPECT_NE(text.find("password = \"a;b \\\"c\\\"\"\n"), std::string::npos) << text;
  EXPECT_NE(text.find("password = #hash\n"), std::string::npos) << text;
  EXPECT_NE(text.find("duration = until-cancelled\n"), std::string::npos) << text;
}

// ---- files -------------------------------------------------------------------

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(DeviceConfigTest, LoadReadsTheFileAndNamesItInErrors) {
  TempDir dir("sipreg-device-config");
  const std::string path = (dir.path() / "device.conf").string();
  std::ofstream(path) << kMinimal;
  Result<DeviceConfig> c = LoadDeviceConfig(path);
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->sip.server.host, "pbx.example.com");

  std::ofstream(path) << "[sip]\nserverr = x\n";
  c = LoadDeviceConfig(path);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), path + ":2: unknown key 'serverr' in [sip]");
}

TEST(DeviceConfigTest, LoadOfAMissingFileIsAnIoError) {
  TempDir dir("sipreg-device-config");
  const std::string path = (dir.path() / "nope.conf").string();
  Result<DeviceConfig> c = LoadDeviceConfig(path);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kIoError);
  EXPECT_EQ(c.status().message(), "cannot read " + path + ": No such file or directory");
}

TEST(DeviceConfigTest, WriteAtomicallyReplacesFileWithMode0600) {
  TempDir dir("sipreg-device-config");
  const fs::path path = dir.path() / "device.conf";
  std::ofstream(path) << "old contents\n";
  fs::permissions(path, fs::perms(0644));

  const DeviceConfig c = FullConfig();
  ASSERT_TRUE(WriteDeviceConfigAtomically(c, path.string()).ok());
  EXPECT_EQ(ReadAll(path), SerializeDeviceConfig(c));
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  Result<DeviceConfig> back = LoadDeviceConfig(path.string());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, c);
  // No temporary file is left behind.
  int files = 0;
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    ++files;
    EXPECT_EQ(entry.path().filename(), "device.conf");
  }
  EXPECT_EQ(files, 1);
}

TEST(DeviceConfigTest, WriteIntoAMissingDirectoryIsAnIoErrorNamingThePath) {
  TempDir dir("sipreg-device-config");
  const std::string path = (dir.path() / "no-such-dir" / "device.conf").string();
  Status st = WriteDeviceConfigAtomically(FullConfig(), path);
  EXPECT_EQ(st.code(), StatusCode::kIoError);
  EXPECT_NE(st.message().find(path), std::string::npos) << st.message();
}

// ---- JSON --------------------------------------------------------------------

TEST(DeviceConfigTest, JsonHasTheDocumentedShape) {
  const json j = ConfigToJson(FullConfig(), true);
  EXPECT_EQ(j["sip"]["server"], "[2001:db8::10]:5061");
  EXPECT_EQ(j["sip"]["transport"], "tls");
  EXPECT_EQ(j["sip"]["expires"], 600);
  EXPECT_EQ(j["sip"]["keepalive"], "options");
  EXPECT_EQ(j["sip"]["tls_verify"], false);
  EXPECT_EQ(j["web"]["listen"], "[::]:8443");
  EXPECT_EQ(j["web"]["password"], "a;b \"c\"");
  EXPECT_EQ(j["audio"]["output"], "wav:/var/lib/sipreg/audio");
  ASSERT_EQ(j["extensions"].size(), 4u);
  EXPECT_EQ(j["extensions"][0]["id"], "page");
  EXPECT_EQ(j["extensions"][0]["type"], "page");
  EXPECT_EQ(j["extensions"][0]["duration"], 0);
  EXPECT_EQ(j["extensions"][2]["duration"], "until-cancelled");
  EXPECT_EQ(j["extensions"][2]["cancel_password"], "x;y");
  EXPECT_EQ(j["extensions"][3]["duration"], 90);
  EXPECT_EQ(j["extensions"][1]["enabled"], false);
}

TEST(DeviceConfigTest, JsonWithoutSecretsOmitsEveryPassword) {
  const std::string text = ConfigToJson(FullConfig(), false).dump();
  EXPECT_EQ(text.find("password"), std::string::npos) << text;
  EXPECT_EQ(text.find("x;y"), std::string::npos) << text;
}

TEST(DeviceConfigTest, JsonRoundTrips) {
  const DeviceConfig c = FullConfig();
  Result<DeviceConfig> back = ConfigFromJson(ConfigToJson(c, true), DeviceConfig());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, c);
  // Also through text, as the web interface sends it.
  back = ConfigFromJson(json::parse(ConfigToJson(c, true).dump()), DeviceConfig());
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, c);
}

TEST(DeviceConfigTest, JsonWithoutPasswordKeepsBasePassword) {
  const DeviceConfig base = FullConfig();
  Result<DeviceConfig> back = ConfigFromJson(ConfigToJson(base, false), base);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(*back, base);

  json j = ConfigToJson(base, false);
  j["web"]["password"] = nullptr;
  j["extensions"][0]["password"] = nullptr;
  j["extensions"][2]["cancel_password"] = "new";
  back = ConfigFromJson(j, base);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->web.password, base.web.password);
  EXPECT_EQ(back->extensions[0].password, base.extensions[0].password);
  EXPECT_EQ(back->extensions[2].cancel_password, "new");
}

TEST(DeviceConfigTest, JsonEmptyPasswordClearsIt) {
  const DeviceConfig base = FullConfig();
  json j = ConfigToJson(base, false);
  j["extensions"][1]["password"] = "";
  Result<DeviceConfig> back = ConfigFromJson(j, base);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_EQ(back->extensions[1].password, "");
}

TEST(DeviceConfigTest, JsonNewExtensionWithoutPasswordHasNone) {
  const DeviceConfig base = FullConfig();
  json j = ConfigToJson(base, false);
  j["extensions"].push_back({{"id", "page.2"}, {"extension", "101"}});
  Result<DeviceConfig> back = ConfigFromJson(j, base);
  ASSERT_TRUE(back.ok()) << back.status().message();
  ASSERT_NE(back->Find("page.2"), nullptr);
  EXPECT_EQ(back->Find("page.2")->password, "");
  EXPECT_EQ(back->Find("page.2")->line, 0);
}

TEST(DeviceConfigTest, JsonBadTypeNamesField) {
  json j = ConfigToJson(FullConfig(), true);
  j["sip"]["expires"] = "3600";
  Result<DeviceConfig> r = ConfigFromJson(j, DeviceConfig());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "sip.expires: expected an integer");

  j = ConfigToJson(FullConfig(), true);
  j["extensions"][1]["enabled"] = "yes";
  EXPECT_EQ(ConfigFromJson(j, DeviceConfig()).status().message(),
            "extensions[1].enabled: expected true or false");
  j = ConfigToJson(FullConfig(), true);
  j["extensions"][0]["password"] = 1234;
  EXPECT_EQ(ConfigFromJson(j, DeviceConfig()).status().message(),
            "extensions[0].password: expected a string");
  j = ConfigToJson(FullConfig(), true);
  j["sip"]["expires"] = 600.5;
  EXPECT_EQ(ConfigFromJson(j, DeviceConfig()).status().message(),
            "sip.expires: expected an integer");
  j = ConfigToJson(FullConfig(), true);
  j["extensions"] = json::object();
  EXPECT_EQ(ConfigFromJson(j, DeviceConfig()).status().message(), "extensions: expected an array");
  EXPECT_EQ(ConfigFromJson(json::array(), DeviceConfig()).status().message(),
            "config: expected a JSON object");
}

TEST(DeviceConfigTest, JsonBadValueNamesFieldWithTheParsersReason) {
  json j = ConfigToJson(FullConfig(), true);
  j["sip"]["expires"] = 5;
  EXPECT_EQ(ConfigFromJson(j, DeviceConfig()).status().message(),
            "sip.expires: bad value '5' for expires in [sip]: expected an integer 60..604800");
  j = ConfigToJson(FullConfig(), true);
  j["extensions"][3]["extension"] = "a b";
  EXPECT_NE(ConfigFromJson(j, DeviceConfig())
                .status()
                .message()
                .find("extensions[3].extension: bad value 'a b' for extension in [alert.2]"),
            std::string::npos);
  j = ConfigToJson(FullConfig(), true);
  j["extensions"][0]["audio"] = "x.wav";
  EXPECT_EQ(ConfigFromJson(j, DeviceConfig()).status().message(),
            "extensions[0].audio: unknown key 'audio' in [page]");
  j = ConfigToJson(FullConfig(), true);
  j["extensions"][2]["cancel_extension"] = "";
  EXPECT_EQ(ConfigFromJson(j, DeviceConfig()).status().message(),
            "extensions[2].duration: duration = until-cancelled in [alert.1] needs a "
            "cancel_extension");
  j = ConfigToJson(FullConfig(), true);
  j["web"]["password"] = "";
  EXPECT_EQ(ConfigFromJson(j, DeviceConfig()).status().message(),
            "web.password: [web] password is required (or set listen = off)");
}

TEST(DeviceConfigTest, JsonDuplicateRegistrationNamesBothExtensions) {
  json j = ConfigToJson(FullConfig(), true);
  j["extensions"][3]["extension"] = "100";
  EXPECT_EQ(ConfigFromJson(j, DeviceConfig()).status().message(),
            "extensions[3]: extension '100' with auth id '100' in [alert.2] is already used by "
            "[page] at extensions[0]");
  j = ConfigToJson(FullConfig(), true);
  j["extensions"][3]["id"] = "page";
  j["extensions"][3]["type"] = "page";
  j["extensions"][3].erase("duration");
  EXPECT_EQ(ConfigFromJson(j, DeviceConfig()).status().message(),
            "extensions[3]: duplicate section [page] (first at extensions[0])");
}

TEST(DeviceConfigTest, JsonUnknownFieldsAndBadIdsAreErrors) {
  json j = ConfigToJson(FullConfig(), true);
  j["sip"]["expire"] = 60;
  EXPECT_EQ(ConfigFromJson(j, DeviceConfig()).status().message(), "sip.expire: unknown field");
  j = ConfigToJson(FullConfig(), true);
  j["colour"] = "red";
  EXPECT_EQ(ConfigFromJson(j, DeviceConfig()).status().message(), "colour: unknown field");
  j = ConfigToJson(FullConfig(), true);
  j["extensions"][1]["line"] = 3;
  EXPECT_EQ(ConfigFromJson(j, DeviceConfig()).status().message(),
            "extensions[1].line: unknown field");
  j = ConfigToJson(FullConfig(), true);
  j["extensions"][1]["id"] = "sip";
  EXPECT_EQ(ConfigFromJson(j, DeviceConfig()).status().message(),
            "extensions[1].id: 'sip' is not an extension id (page, page.N, ring, ring.N, "
            "alert.N)");
  j = ConfigToJson(FullConfig(), true);
  j["extensions"][1].erase("id");
  EXPECT_EQ(ConfigFromJson(j, DeviceConfig()).status().message(),
            "extensions[1].id: expected a string");
  j = ConfigToJson(FullConfig(), true);
  j["extensions"][1]["type"] = "page";
  EXPECT_EQ(ConfigFromJson(j, DeviceConfig()).status().message(),
            "extensions[1].type: 'page' does not match id 'ring.3'");
}

TEST(DeviceConfigTest, JsonStringsCannotInjectIniLines) {
  json j = ConfigToJson(FullConfig(), true);
  j["extensions"][0]["password"] = "x\n[page.9]\nextension = 9";
  EXPECT_EQ(ConfigFromJson(j, DeviceConfig()).status().message(),
            "extensions[0].password: control characters are not allowed");
  j = ConfigToJson(FullConfig(), true);
  j["extensions"][0]["id"] = "page]\n[sip";
  EXPECT_FALSE(ConfigFromJson(j, DeviceConfig()).ok());
  j = ConfigToJson(FullConfig(), true);
  j["sip"]["display_name"] = "\" ; x";
  Result<DeviceConfig> r = ConfigFromJson(j, DeviceConfig());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->sip.display_name, "\" ; x");
}

TEST(DeviceConfigTest, JsonAbsentFieldsTakeDefaults) {
  Result<DeviceConfig> r =
      ConfigFromJson(json::parse(R"({"sip":{"server":"pbx"},"web":{"password":"p"},
                      "extensions":[{"id":"alert.1","extension":"5","duration":null}]})"),
                     DeviceConfig());
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->sip.expires, 3600u);
  EXPECT_EQ(r->web.listen, (HostPort{"127.0.0.1", 8080}));
  ASSERT_EQ(r->extensions.size(), 1u);
  EXPECT_EQ(r->extensions[0].type, ExtensionType::kAlert);
  EXPECT_EQ(r->extensions[0].duration, 0u);
  EXPECT_TRUE(r->extensions[0].enabled);
}

}  // namespace
}  // namespace sipreg::device
