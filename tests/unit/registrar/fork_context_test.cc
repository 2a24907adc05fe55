#include "registrar/fork_context.h"

#include <gtest/gtest.h>

namespace sipreg::registrar {
namespace {

using Kind = ForkAction::Kind;
using std::chrono::milliseconds;
using std::chrono::seconds;

const SteadyTime t0{};

std::vector<size_t> Started(const ForkActions& a) {
  std::vector<size_t> out;
  for (const auto& x : a) {
    if (x.kind == Kind::kStartBranch) out.push_back(x.branch);
  }
  return out;
}
std::vector<size_t> Cancelled(const ForkActions& a) {
  std::vector<size_t> out;
  for (const auto& x : a) {
    if (x.kind == Kind::kCancelBranch) out.push_back(x.branch);
  }
  return out;
}
// The response that went upstream: status, and whether it was relayed (true) or generated.
std::optional<std::pair<int, bool>> Upstream(const ForkActions& a) {
  for (const auto& x : a) {
    if (x.kind == Kind::kRelay || x.kind == Kind::kRespond) {
      return std::make_pair(x.status, x.kind == Kind::kRelay);
    }
  }
  return std::nullopt;
}

TEST(ForkContextTest, RingallStartsEveryTarget) {
  ForkContext f({{0, 1, 2}}, milliseconds(0));
  EXPECT_EQ(Started(f.Start(t0)), (std::vector<size_t>{0, 1, 2}));
}

TEST(ForkContextTest, RingingIsRelayedTryingIsNot) {
  ForkContext f({{0, 1}}, milliseconds(0));
  f.Start(t0);
  EXPECT_FALSE(Upstream(f.OnResponse(0, 100, "100", t0)));
  EXPECT_EQ(Upstream(f.OnResponse(1, 180, "180", t0)), std::make_pair(180, true));
}

TEST(ForkContextTest, TwoHundredIsRelayedAtOnceAndCancelsTheOthers) {
  ForkContext f({{0, 1, 2}}, milliseconds(0));
  f.Start(t0);
  f.OnResponse(2, 486, "486", t0);
  auto a = f.OnResponse(1, 200, "200", t0);
  EXPECT_EQ(Upstream(a), std::make_pair(200, true));
  EXPECT_EQ(Cancelled(a), (std::vector<size_t>{0}));
  EXPECT_TRUE(f.answered());
  EXPECT_TRUE(f.finished());
  // The cancelled branch's 487 goes nowhere.
  EXPECT_FALSE(Upstream(f.OnResponse(0, 487, "487", t0)));
}

TEST(ForkContextTest, LateSecondTwoHundredIsRelayedToo) {
  ForkContext f({{0, 1}}, milliseconds(0));
  f.Start(t0);
  f.OnResponse(0, 200, "200a", t0);
  EXPECT_EQ(Upstream(f.OnResponse(1, 200, "200b", t0)), std::make_pair(200, true));
}

TEST(ForkContextTest, BestResponseIsTheLowestClassAfterAllBranchesEnd) {
  ForkContext f({{0, 1}}, milliseconds(0));
  f.Start(t0);
  EXPECT_FALSE(Upstream(f.OnResponse(0, 503, "503", t0)));  // still waiting for branch 1
  EXPECT_EQ(Upstream(f.OnResponse(1, 486, "486", t0)), std::make_pair(486, true));
}

TEST(ForkContextTest, SixHundredWinsAndCancelsTheRest) {
  ForkContext f({{0, 1}}, milliseconds(0));
  f.Start(t0);
  f.OnResponse(0, 404, "404", t0);
  auto a = f.OnResponse(1, 603, "603", t0);
  EXPECT_EQ(Upstream(a), std::make_pair(603, true));
}

TEST(ForkContextTest, SixHundredCancelsPendingBranches) {
  ForkContext f({{0, 1}}, milliseconds(0));
  f.Start(t0);
  auto a = f.OnResponse(0, 600, "600", t0);
  EXPECT_EQ(Cancelled(a), (std::vector<size_t>{1}));
  EXPECT_FALSE(Upstream(a));
  EXPECT_EQ(Upstream(f.OnResponse(1, 487, "487", t0)), std::make_pair(600, true));
}

TEST(ForkContextTest, ServiceUnavailableBecomesServerError) {
  ForkContext f({{0}}, milliseconds(0));
  f.Start(t0);
  EXPECT_EQ(Upstream(f.OnResponse(0, 503, "503", t0)), std::make_pair(500, false));
}

TEST(ForkContextTest, CallerCancelCancelsBranchesThen487) {
  ForkContext f({{0, 1}}, milliseconds(0));
  f.Start(t0);
  f.OnResponse(0, 180, "180", t0);
  auto a = f.OnCallerCancel(t0);
  EXPECT_EQ(Cancelled(a), (std::vector<size_t>{0, 1}));
  EXPECT_FALSE(Upstream(a));
  f.OnResponse(0, 487, "487", t0);
  EXPECT_EQ(Upstream(f.OnResponse(1, 487, "487", t0)), std::make_pair(487, false));
}

TEST(ForkContextTest, RingTimeoutOfTheLastWaveIs480) {
  ForkContext f({{0}}, seconds(20));
  f.Start(t0);
  ASSERT_TRUE(f.next_deadline());
  EXPECT_EQ(*f.next_deadline(), t0 + seconds(20));
  EXPECT_TRUE(f.OnTimer(t0 + seconds(19)).empty());
  auto a = f.OnTimer(t0 + seconds(20));
  EXPECT_EQ(Cancelled(a), (std::vector<size_t>{0}));
  EXPECT_EQ(Upstream(f.OnResponse(0, 487, "487", t0 + seconds(20))), std::make_pair(480, false));
}

TEST(ForkContextTest, HuntTriesTargetsInOrder) {
  ForkContext f({{0}, {1}, {2}}, seconds(10));
  EXPECT_EQ(Started(f.Start(t0)), (std::vector<size_t>{0}));
  // Target 0 is busy: the hunt moves on at once.
  EXPECT_EQ(Started(f.OnResponse(0, 486, "486", t0)), (std::vector<size_t>{1}));
  // Target 1 does not answer within its 10 s: cancelled, target 2 rings.
  auto a = f.OnTimer(t0 + seconds(10));
  EXPECT_EQ(Cancelled(a), (std::vector<size_t>{1}));
  EXPECT_EQ(Started(a), (std::vector<size_t>{2}));
  // Target 1's 487 (we cancelled it) is not the caller's answer.
  EXPECT_FALSE(Upstream(f.OnResponse(1, 487, "487", t0 + seconds(10))));
  EXPECT_EQ(Upstream(f.OnResponse(2, 200, "200", t0 + seconds(12))), std::make_pair(200, true));
}

TEST(ForkContextTest, HuntEndsWithTheBestAnswer) {
  ForkContext f({{0}, {1}}, seconds(10));
  f.Start(t0);
  f.OnResponse(0, 486, "486", t0);
  EXPECT_EQ(Upstream(f.OnResponse(1, 480, "480", t0)), std::make_pair(486, true));
}

TEST(ForkContextTest, BranchTimeoutWithoutAnyAnswerIs408) {
  ForkContext f({{0}}, milliseconds(0));
  f.Start(t0);
  EXPECT_EQ(Upstream(f.OnBranchFailed(0, 408, t0)), std::make_pair(408, false));
}

TEST(ForkContextTest, RealAnswerBeatsATimedOutBranch) {
  ForkContext f({{0, 1}}, milliseconds(0));
  f.Start(t0);
  f.OnBranchFailed(0, 408, t0);
  EXPECT_EQ(Upstream(f.OnResponse(1, 486, "486", t0)), std::make_pair(486, true));
}

TEST(ForkContextTest, NoTargetsIs480) {
  ForkContext f({}, milliseconds(0));
  EXPECT_EQ(Upstream(f.Start(t0)), std::make_pair(480, false));
}

}  // namespace
}  // namespace sipreg::registrar
