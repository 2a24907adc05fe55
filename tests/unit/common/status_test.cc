#include "common/status.h"

#include <gtest/gtest.h>

#include "common/clock.h"
#include "common/random.h"

namespace sipreg {
namespace {

Result<int> Half(int v) {
  if (v % 2 != 0) return Status::InvalidArgument("odd");
  return v / 2;
}

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, NamedFactoryCarriesCodeAndMessage) {
  Status s = Status::LimitExceeded("too many headers");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kLimitExceeded);
  EXPECT_EQ(s.ToString(), "LimitExceeded: too many headers");
}

TEST(ResultTest, HoldsValueOrStatus) {
  auto a = Half(4);
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, 2);
  auto b = Half(3);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().code(), StatusCode::kInvalidArgument);
}

TEST(FakeClockTest, MovesOnlyWhenAdvanced) {
  FakeClock clock;
  auto t0 = clock.Now();
  EXPECT_EQ(clock.Now(), t0);
  clock.Advance(Millis(500));
  EXPECT_EQ(clock.Now() - t0, Millis(500));
}

TEST(RandomTest, FakeRandomIsDeterministic) {
  FakeRandom a(7), b(7);
  EXPECT_EQ(a.NextU64(), b.NextU64());
  EXPECT_EQ(a.HexToken(16), b.HexToken(16));
}

TEST(RandomTest, UniformStaysBelowBound) {
  FakeRandom r(1);
  for (int i = 0; i < 1000; ++i) EXPECT_LT(r.Uniform(7), 7u);
}

TEST(RandomTest, HexTokenHasRequestedLengthAndAlphabet) {
  auto tok = OpenSslRandom::Instance().HexToken(33);
  ASSERT_EQ(tok.size(), 33u);
  for (char c : tok) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
}

}  // namespace
}  // namespace sipreg
