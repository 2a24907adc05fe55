#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "registrar/asterisk_log.h"
#include "registrar/security_log.h"

namespace sipreg::registrar {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(AsteriskLogTest, NoticeLineHasAsterisksShape) {
  EXPECT_EQ(AsteriskLog::FormatBody(LogLevel::kNotice, 1234, "/src/registrar/registrar.cc", 123,
                                    "handle_register",
                                    "Registration from '\"Alice\" <sip:demo-alice@192.168.5.50>' "
                                    "failed for '192.168.5.103:5062' - Wrong password"),
            "NOTICE[1234]: registrar.cc:123 handle_register: Registration from '\"Alice\" "
            "<sip:demo-alice@192.168.5.50>' failed for '192.168.5.103:5062' - Wrong password");
}

TEST(AsteriskLogTest, VerboseNeedsDashV) {
  auto quiet = AsteriskLog::Open({});
  ASSERT_TRUE(quiet.ok());
  EXPECT_TRUE((*quiet)->Enabled(LogLevel::kNotice));
  EXPECT_FALSE((*quiet)->Enabled(LogLevel::kVerbose));
  auto loud = AsteriskLog::Open({false, "", 3});
  ASSERT_TRUE(loud.ok());
  EXPECT_TRUE((*loud)->Enabled(LogLevel::kVerbose));
  EXPECT_FALSE((*loud)->Enabled(LogLevel::kDebug));
}

TEST(AsteriskLogTest, WritesDatedLinesToTheLogFile) {
  const std::string path = ::testing::TempDir() + "/sipreg-messages.log";
  std::remove(path.c_str());
  {
    auto log = AsteriskLog::Open({false, path, 1});
    ASSERT_TRUE(log.ok());
    SIPREG_LOG(**log, kVerbose, "parse_register_contact", "Registered SIP '{}' at {}", "demo-bob",
               "127.0.0.1:5062");
  }
  const std::string text = ReadFile(path);
  EXPECT_EQ(text.front(), '[');
  EXPECT_NE(text.find("] VERBOSE["), std::string::npos) << text;
  EXPECT_NE(text.find("parse_register_contact: Registered SIP 'demo-bob' at 127.0.0.1:5062"),
            std::string::npos);
}

TEST(AsteriskLogTest, UnwritableLogFileIsAnError) {
  auto log = AsteriskLog::Open({false, "/dev/null/messages", 0});
  ASSERT_FALSE(log.ok());
  EXPECT_NE(log.status().message().find("/dev/null/messages"), std::string::npos);
}

TEST(SecurityLogTest, EventLineMatchesAsterisksFail2banFilter) {
  SecurityEvent ev{"InvalidPassword", "demo-alice", "abc@phone",
                   {sip::TransportKind::kUdp, "127.0.0.1", 5060},
                   {sip::TransportKind::kUdp, "127.0.0.1", 5062}};
  const std::string body =
      SecurityLog::FormatBody(ev, WallTime(std::chrono::milliseconds(1'795'262'400'123)), 77);
  EXPECT_EQ(body,
            "SECURITY[77] res_security_log.c: SecurityEvent=\"InvalidPassword\","
            "EventTV=\"2026-11-21T12:00:00.123+0000\",Severity=\"Error\",Service=\"SIP\","
            "EventVersion=\"2\",AccountID=\"demo-alice\",SessionID=\"abc@phone\","
            "LocalAddress=\"IPV4/UDP/127.0.0.1/5060\",RemoteAddress=\"IPV4/UDP/127.0.0.1/5062\"");
}

TEST(SecurityLogTest, Ipv6AddressField) {
  EXPECT_EQ(SecurityLog::AddressField({sip::TransportKind::kTcp, "::1", 5060}),
            "IPV6/TCP/::1/5060");
}

}  // namespace
}  // namespace sipreg::registrar
