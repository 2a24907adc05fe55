#include "common/status.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <set>

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

TEST(RandomTest, OpenSslRandomNeverRepeatsAcrossItsBlocks) {
  // 10,000 tokens of 8 bytes cross the 4 KiB per-thread block many times.
  std::set<uint64_t> seen;
  for (int i = 0; i < 10'000; ++i) ASSERT_TRUE(seen.insert(OpenSslRandom::Instance().NextU64()).second);
  // A request larger than the block's share is drawn directly and still filled.
  std::array<uint8_t, 1024> big{};
  OpenSslRandom::Instance().Fill(big);
  EXPECT_NE(std::count(big.begin(), big.end(), 0), static_cast<long>(big.size()));
}

TEST(RandomTest, OpenSslRandomChildAfterForkDoesNotReuseTheParentsBlock) {
  OpenSslRandom& r = OpenSslRandom::Instance();
  (void)r.NextU64();  // the parent's block is drawn and mostly unused
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const uint64_t v = r.NextU64();
    const bool ok = write(fds[1], &v, sizeof v) == static_cast<ssize_t>(sizeof v);
    _exit(ok ? 0 : 1);
  }
  close(fds[1]);
  uint64_t from_child = 0;
  ASSERT_EQ(read(fds[0], &from_child, sizeof from_child), static_cast<ssize_t>(sizeof from_child));
  close(fds[0]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_NE(from_child, r.NextU64()) << "the child handed out the parent's next bytes";
}

}  // namespace
}  // namespace sipreg
