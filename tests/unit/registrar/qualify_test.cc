#include "registrar/qualify.h"

#include <gtest/gtest.h>

namespace sipreg::registrar {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class QualifyTest : public ::testing::Test {
 protected:
  QualifyTarget Bob() {
    QualifyTarget t;
    t.aor = "demo-bob";
    t.contact = "sip:demo-bob@10.0.0.5:5062";
    t.destination = {sip::TransportKind::kUdp, "10.0.0.5", 5062};
    t.max_rtt = milliseconds(2000);
    t.timeout = milliseconds(3000);
    t.frequency = seconds(60);
    return t;
  }
  std::vector<QualifyPing> Due() {
    return monitor_.Due(now_, [this] { return "ping" + std::to_string(++ids_); });
  }
  QualifyMonitor monitor_;
  SteadyTime now_ = SteadyTime(seconds(100));
  int ids_ = 0;
};

TEST_F(QualifyTest, FirstPingIsDueRightAfterRegistration) {
  monitor_.Track(Bob(), now_);
  auto pings = Due();
  ASSERT_EQ(pings.size(), 1u);
  EXPECT_EQ(pings[0].target.destination.ToString(), "10.0.0.5:5062");
  EXPECT_TRUE(Due().empty());  // in flight: not asked again
  EXPECT_EQ(StatusText(*monitor_.AorStatus("demo-bob")), "UNKNOWN");
}

TEST_F(QualifyTest, FastAnswerIsReachableWithRtt) {
  monitor_.Track(Bob(), now_);
  auto pings = Due();
  now_ += milliseconds(3);
  auto t = monitor_.OnAnswer(pings[0].ping_id, now_);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->Message(), "Peer 'demo-bob' is now Reachable. (3ms / 2000ms)");
  EXPECT_EQ(StatusText(*monitor_.AorStatus("demo-bob")), "OK (3 ms)");
}

TEST_F(QualifyTest, SlowAnswerIsLagged) {
  monitor_.Track(Bob(), now_);
  auto pings = Due();
  now_ += milliseconds(2503);
  auto t = monitor_.OnAnswer(pings[0].ping_id, now_);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->Message(), "Peer 'demo-bob' is now Lagged. (2503ms / 2000ms)");
  EXPECT_EQ(StatusText(*monitor_.AorStatus("demo-bob")), "LAGGED (2503 ms)");
}

TEST_F(QualifyTest, NoAnswerWithinTimeoutIsUnreachableOnce) {
  monitor_.Track(Bob(), now_);
  auto pings = Due();
  now_ += milliseconds(2999);
  EXPECT_TRUE(monitor_.ExpireUnanswered(now_).empty());
  now_ += milliseconds(1);
  auto t = monitor_.ExpireUnanswered(now_);
  ASSERT_EQ(t.size(), 1u);
  EXPECT_EQ(t[0].Message(), "Peer 'demo-bob' is now UNREACHABLE!  Last qualify: 0");
  EXPECT_TRUE(monitor_.ExpireUnanswered(now_ + seconds(10)).empty());
  // A late answer to the expired ping is ignored.
  EXPECT_FALSE(monitor_.OnAnswer(pings[0].ping_id, now_).has_value());
}

TEST_F(QualifyTest, PingsRepeatEveryFrequencyAndOnlyChangesAreReported) {
  monitor_.Track(Bob(), now_);
  auto p1 = Due();
  EXPECT_TRUE(monitor_.OnAnswer(p1[0].ping_id, now_ + milliseconds(5)).has_value());
  now_ += seconds(59);
  EXPECT_TRUE(Due().empty());
  now_ += seconds(1);
  auto p2 = Due();
  ASSERT_EQ(p2.size(), 1u);
  EXPECT_NE(p2[0].ping_id, p1[0].ping_id);
  EXPECT_FALSE(monitor_.OnAnswer(p2[0].ping_id, now_ + milliseconds(7)).has_value());
  EXPECT_EQ(StatusText(*monitor_.AorStatus("demo-bob")), "OK (7 ms)");
}

TEST_F(QualifyTest, UntrackForgetsTheContact) {
  monitor_.Track(Bob(), now_);
  auto pings = Due();
  monitor_.Untrack("demo-bob", "sip:demo-bob@10.0.0.5:5062");
  EXPECT_FALSE(monitor_.AorStatus("demo-bob").has_value());
  EXPECT_FALSE(monitor_.OnAnswer(pings[0].ping_id, now_).has_value());
  EXPECT_EQ(monitor_.size(), 0u);
}

TEST_F(QualifyTest, AorStatusIsTheBestContact) {
  auto a = Bob();
  auto b = Bob();
  b.contact = "sip:demo-bob@10.0.0.6:5062";
  monitor_.Track(a, now_);
  monitor_.Track(b, now_);
  auto pings = Due();
  ASSERT_EQ(pings.size(), 2u);
  monitor_.OnAnswer(pings[1].ping_id, now_ + milliseconds(4));
  EXPECT_EQ(StatusText(*monitor_.AorStatus("demo-bob")), "OK (4 ms)");
  EXPECT_EQ(monitor_.ExpireUnanswered(now_ + seconds(4)).size(), 1u);
  EXPECT_EQ(StatusText(*monitor_.AorStatus("demo-bob")), "OK (4 ms)");
}

}  // namespace
}  // namespace sipreg::registrar
