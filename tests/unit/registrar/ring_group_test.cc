#include "registrar/ring_group.h"

#include <gtest/gtest.h>

#include "registrar/config_directory.h"
#include "registrar/server_config.h"

namespace sipreg::registrar {
namespace {

constexpr std::string_view kSipConf = R"([general]
udpbindaddr=127.0.0.1:5060
[phone](!)
type=friend
host=dynamic
secret=x
[alice](phone)
extension=6001
[ringer](phone)
[sales]
type=group
members=alice,ringer
strategy=hunt
ring_timeout=15
extension=600
)";

TEST(RingGroupTest, SipConfGroupIsReadWithItsSettings) {
  auto cfg = ServerConfig::LoadFromString(kSipConf);
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  ASSERT_EQ(cfg->groups.size(), 1u);
  const RingGroup& g = cfg->groups[0];
  EXPECT_EQ(g.name, "sales");
  EXPECT_EQ(g.members, (std::vector<std::string>{"alice", "ringer"}));
  EXPECT_EQ(g.strategy, RingGroup::Strategy::kHunt);
  EXPECT_EQ(g.ring_timeout, std::chrono::seconds(15));
  EXPECT_EQ(g.extension, "600");
  EXPECT_EQ(cfg->accounts.size(), 2u);  // the group is no account
}

TEST(RingGroupTest, DirectoryFindsGroupsByNameAndNumber) {
  auto cfg = ServerConfig::LoadFromString(kSipConf);
  ASSERT_TRUE(cfg.ok());
  ConfigDirectory dir(*cfg);
  ASSERT_NE(dir.FindGroup("sales"), nullptr);
  EXPECT_EQ(dir.FindGroup("600"), dir.FindGroup("sales"));
  EXPECT_EQ(dir.FindGroup("alice"), nullptr);
  ASSERT_NE(dir.FindCallee("6001"), nullptr);
  EXPECT_EQ(dir.FindCallee("6001")->name, "alice");
}

TEST(RingGroupTest, PjsipConfGroupWorksTheSame) {
  auto cfg = ServerConfig::LoadFromString(R"([t]
type=transport
protocol=udp
bind=127.0.0.1:5060
[alice]
type=endpoint
auth=alice
aors=alice
[alice]
type=auth
username=alice
password=x
[alice]
type=aor
max_contacts=1
[lobby]
type=group
members=alice
)", "pjsip.conf");
  ASSERT_TRUE(cfg.ok()) << cfg.status().ToString();
  ASSERT_EQ(cfg->groups.size(), 1u);
  EXPECT_EQ(cfg->groups[0].strategy, RingGroup::Strategy::kRingAll);
  EXPECT_EQ(cfg->groups[0].ring_timeout, std::chrono::seconds(20));
}

TEST(RingGroupTest, UnknownMemberIsAnErrorWithFileAndLine) {
  auto cfg = ServerConfig::LoadFromString(std::string(kSipConf) + "[bad]\ntype=group\nmembers=nobody\n");
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("sip.conf:16: group [bad] member 'nobody' is no account"),
            std::string::npos)
      << cfg.status().message();
}

TEST(RingGroupTest, GroupNumberMayNotBeAnAccountsExtension) {
  auto cfg =
      ServerConfig::LoadFromString(std::string(kSipConf) + "[dup]\ntype=group\nmembers=alice\nextension=6001\n");
  ASSERT_FALSE(cfg.ok());
  EXPECT_NE(cfg.status().message().find("'6001' is already the name or extension"),
            std::string::npos);
}

TEST(RingGroupTest, BadStrategyAndEmptyMembersAreErrors) {
  EXPECT_FALSE(ServerConfig::LoadFromString(std::string(kSipConf) +
                                            "[x]\ntype=group\nmembers=alice\nstrategy=random\n")
                   .ok());
  EXPECT_FALSE(ServerConfig::LoadFromString(std::string(kSipConf) + "[x]\ntype=group\n").ok());
}

}  // namespace
}  // namespace sipreg::registrar
