#include "registrar/ban_list.h"

#include <gtest/gtest.h>

namespace sipreg::registrar {
namespace {

using std::chrono::seconds;

class BanListTest : public ::testing::Test {
 protected:
  BanOptions Options(uint32_t max_retry = 3) {
    BanOptions o;
    o.max_retry = max_retry;
    o.find_time = seconds(60);
    o.ban_time = seconds(600);
    return o;
  }
  SteadyTime t0_ = SteadyTime(seconds(1000));
};

TEST_F(BanListTest, MaxRetryFailuresWithinFindTimeBanOnce) {
  BanList bans(Options());
  EXPECT_FALSE(bans.RecordFailure("203.0.113.9", t0_));
  EXPECT_FALSE(bans.RecordFailure("203.0.113.9", t0_ + seconds(10)));
  EXPECT_TRUE(bans.RecordFailure("203.0.113.9", t0_ + seconds(20)));  // the ban starts: log once
  EXPECT_FALSE(bans.RecordFailure("203.0.113.9", t0_ + seconds(21)));  // not again
  EXPECT_TRUE(bans.IsBlocked("203.0.113.9", t0_ + seconds(30)));
  EXPECT_FALSE(bans.IsBlocked("203.0.113.10", t0_ + seconds(30)));
}

TEST_F(BanListTest, FailuresOlderThanFindTimeDoNotCount) {
  BanList bans(Options());
  bans.RecordFailure("198.51.100.1", t0_);
  bans.RecordFailure("198.51.100.1", t0_ + seconds(30));
  EXPECT_FALSE(bans.RecordFailure("198.51.100.1", t0_ + seconds(61)));
  EXPECT_FALSE(bans.IsBlocked("198.51.100.1", t0_ + seconds(62)));
}

TEST_F(BanListTest, BanEndsAfterBanTime) {
  BanList bans(Options(1));
  EXPECT_TRUE(bans.RecordFailure("198.51.100.1", t0_));
  EXPECT_TRUE(bans.IsBlocked("198.51.100.1", t0_ + seconds(599)));
  EXPECT_FALSE(bans.IsBlocked("198.51.100.1", t0_ + seconds(600)));
}

TEST_F(BanListTest, IgnoreIpIsNeverBanned) {
  auto o = Options(1);
  o.ignore.push_back(*IpNetwork::Parse("127.0.0.0/8"));
  BanList bans(o);
  EXPECT_FALSE(bans.RecordFailure("127.0.0.1", t0_));
  EXPECT_FALSE(bans.IsBlocked("127.0.0.1", t0_));
}

TEST_F(BanListTest, MaxRetryZeroTurnsProtectionOff) {
  BanList bans(Options(0));
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(bans.RecordFailure("198.51.100.1", t0_));
  EXPECT_FALSE(bans.IsBlocked("198.51.100.1", t0_));
}

TEST_F(BanListTest, UnbanLiftsTheBanAndListShowsIt) {
  BanList bans(Options(1));
  bans.RecordFailure("198.51.100.1", t0_);
  bans.RecordFailure("198.51.100.2", t0_ + seconds(5));
  auto list = bans.Bans(t0_ + seconds(6));
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].address, "198.51.100.1");
  EXPECT_TRUE(bans.Unban("198.51.100.1"));
  EXPECT_FALSE(bans.IsBlocked("198.51.100.1", t0_ + seconds(7)));
  EXPECT_FALSE(bans.Unban("198.51.100.99"));
  EXPECT_EQ(bans.blocked_count(t0_ + seconds(7)), 1u);
}

TEST_F(BanListTest, TrackingIsBounded) {
  auto o = Options(2);
  o.max_tracked = 4;
  BanList bans(o);
  for (int i = 0; i < 10; ++i) bans.RecordFailure("10.0.0." + std::to_string(i), t0_);
  // Only the first four are tracked; the rest cannot build up to a ban.
  EXPECT_TRUE(bans.RecordFailure("10.0.0.1", t0_ + seconds(1)));
  EXPECT_FALSE(bans.RecordFailure("10.0.0.9", t0_ + seconds(1)));
  // Once the window passes, stale entries are pruned and new addresses count again.
  EXPECT_FALSE(bans.RecordFailure("10.0.0.9", t0_ + seconds(100)));
  EXPECT_TRUE(bans.RecordFailure("10.0.0.9", t0_ + seconds(101)));
}

}  // namespace
}  // namespace sipreg::registrar
