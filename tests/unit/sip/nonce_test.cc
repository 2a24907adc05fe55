#include "sip/nonce.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <set>
#include <thread>
#include <vector>

namespace sipreg::sip {
namespace {

using Validity = NonceManager::Validity;
using Use = NonceManager::Use;

class NonceTest : public ::testing::Test {
 protected:
  FakeClock clock_;
  FakeRandom random_{7};
};

TEST_F(NonceTest, FreshNonceIsValidForItsRealm) {
  NonceManager m(clock_, random_);
  const std::string n = m.Issue("example.org");
  EXPECT_EQ(n.size(), NonceManager::kNonceChars);
  EXPECT_EQ(m.Validate(n, "example.org"), Validity::kValid);
}

TEST_F(NonceTest, NoncesAreUniqueAndUseOnlyTokenCharacters) {
  NonceManager m(clock_, random_);
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    const std::string n = m.Issue("r");
    EXPECT_TRUE(seen.insert(n).second);
    for (char c : n) {
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') << n;
    }
  }
}

TEST_F(NonceTest, StaleAfterLifetime) {
  NonceManager m(clock_, random_, NonceOptions{.lifetime = Millis(30'000)});
  const std::string n = m.Issue("r");
  clock_.Advance(Millis(30'000));
  EXPECT_EQ(m.Validate(n, "r"), Validity::kValid);
  clock_.Advance(Millis(1));
  EXPECT_EQ(m.Validate(n, "r"), Validity::kStale);
}

TEST_F(NonceTest, LifetimeIsConfigurable) {
  NonceManager m(clock_, random_, NonceOptions{.lifetime = Millis(5'000)});
  const std::string n = m.Issue("r");
  clock_.Advance(Millis(5'001));
  EXPECT_EQ(m.Validate(n, "r"), Validity::kStale);
}

TEST_F(NonceTest, WrongRealmIsInvalid) {
  NonceManager m(clock_, random_);
  const std::string n = m.Issue("a.example.org");
  EXPECT_EQ(m.Validate(n, "b.example.org"), Validity::kInvalid);
}

TEST_F(NonceTest, TamperedNonceIsInvalid) {
  NonceManager m(clock_, random_);
  const std::string n = m.Issue("r");
  for (size_t i = 0; i + 1 < n.size(); ++i) {  // the last char is checked below
    std::string t = n;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    EXPECT_EQ(m.Validate(t, "r"), Validity::kInvalid) << i;
  }
  EXPECT_EQ(m.Validate(n.substr(1), "r"), Validity::kInvalid);
  EXPECT_EQ(m.Validate(n + "A", "r"), Validity::kInvalid);
  EXPECT_EQ(m.Validate("", "r"), Validity::kInvalid);
  EXPECT_EQ(m.Validate(std::string(NonceManager::kNonceChars, '!'), "r"), Validity::kInvalid);
}

TEST_F(NonceTest, NonCanonicalSpellingIsInvalid) {
  NonceManager m(clock_, random_);
  const std::string n = m.Issue("r");
  // The last character carries 4 data bits and 2 zero padding bits; setting a
  // padding bit decodes to the same bytes but must not be accepted.
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const size_t v = alphabet.find(n.back());
  ASSERT_NE(v, std::string::npos);
  ASSERT_EQ(v & 3u, 0u);
  std::string t = n;
  t.back() = alphabet[v | 1u];
  EXPECT_EQ(m.Validate(t, "r"), Validity::kInvalid);
  EXPECT_EQ(m.CheckAndRecordNc(t, 1), Use::kInvalid);
}

TEST_F(NonceTest, NonceFromAnotherSecretIsInvalid) {
  NonceManager a(clock_, random_);
  NonceManager b(clock_, random_);
  EXPECT_EQ(b.Validate(a.Issue("r"), "r"), Validity::kInvalid);
}

TEST_F(NonceTest, SuppliedSecretIsSharedAcrossInstances) {
  const std::vector<uint8_t> secret(32, 0x5a);
  auto a = NonceManager::WithSecret(clock_, random_, secret);
  auto b = NonceManager::WithSecret(clock_, random_, secret);
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)->Validate((*a)->Issue("r"), "r"), Validity::kValid);
  EXPECT_FALSE(NonceManager::WithSecret(clock_, random_, std::vector<uint8_t>(15, 1)).ok());
}

TEST_F(NonceTest, FutureTimestampIsStale) {
  const std::vector<uint8_t> secret(32, 0x11);
  FakeClock ahead;
  ahead.Advance(Millis(60'000));
  auto issuer = NonceManager::WithSecret(ahead, random_, secret);
  auto checker = NonceManager::WithSecret(clock_, random_, secret);
  ASSERT_TRUE(issuer.ok() && checker.ok());
  EXPECT_EQ((*checker)->Validate((*issuer)->Issue("r"), "r"), Validity::kStale);
}

TEST_F(NonceTest, IncreasingNcAccepted) {
  NonceManager m(clock_, random_);
  const std::string n = m.Issue("r");
  EXPECT_EQ(m.CheckAndRecordNc(n, 1), Use::kAccepted);
  EXPECT_EQ(m.CheckAndRecordNc(n, 2), Use::kAccepted);
  EXPECT_EQ(m.CheckAndRecordNc(n, 5), Use::kAccepted);  // gaps are fine
}

TEST_F(NonceTest, RepeatedOrLowerNcIsReplay) {
  NonceManager m(clock_, random_);
  const std::string n = m.Issue("r");
  EXPECT_EQ(m.CheckAndRecordNc(n, 3), Use::kAccepted);
  EXPECT_EQ(m.CheckAndRecordNc(n, 3), Use::kReplay);
  EXPECT_EQ(m.CheckAndRecordNc(n, 2), Use::kReplay);
  EXPECT_EQ(m.CheckAndRecordNc(n, 0), Use::kReplay);
  // Another nonce has its own counter.
  EXPECT_EQ(m.CheckAndRecordNc(m.Issue("r"), 1), Use::kAccepted);
}

TEST_F(NonceTest, ZeroNcOnFreshNonceIsReplay) {
  NonceManager m(clock_, random_);
  EXPECT_EQ(m.CheckAndRecordNc(m.Issue("r"), 0), Use::kReplay);
}

TEST_F(NonceTest, UseWithoutNcReportsReuse) {
  NonceManager m(clock_, random_);
  const std::string n = m.Issue("r");
  EXPECT_EQ(m.RecordUseWithoutNc(n), Use::kAccepted);
  EXPECT_EQ(m.RecordUseWithoutNc(n), Use::kReused);
  const std::string n2 = m.Issue("r");
  EXPECT_EQ(m.CheckAndRecordNc(n2, 1), Use::kAccepted);
  EXPECT_EQ(m.RecordUseWithoutNc(n2), Use::kReused);
}

TEST_F(NonceTest, GarbageNonceIsInvalidForNcTable) {
  NonceManager m(clock_, random_);
  EXPECT_EQ(m.CheckAndRecordNc("not-a-nonce", 1), Use::kInvalid);
  EXPECT_EQ(m.RecordUseWithoutNc(""), Use::kInvalid);
  EXPECT_EQ(m.nc_table_size(), 0u);
}

TEST_F(NonceTest, CapacityEvictsOldestAndNeverReopensReplay) {
  NonceManager m(clock_, random_, NonceOptions{.lifetime = Millis(30'000), .nc_table_capacity = 3});
  std::vector<std::string> n;
  for (int i = 0; i < 4; ++i) {
    n.push_back(m.Issue("r"));
    clock_.Advance(Millis(10));
  }
  for (int i = 0; i < 3; ++i) EXPECT_EQ(m.CheckAndRecordNc(n[i], 1), Use::kAccepted);
  EXPECT_EQ(m.nc_table_size(), 3u);
  // The fourth pushes out the oldest (n[0]).
  EXPECT_EQ(m.CheckAndRecordNc(n[3], 1), Use::kAccepted);
  EXPECT_EQ(m.nc_table_size(), 3u);
  // The evicted nonce is still fresh; replaying nc=1 must not succeed.
  EXPECT_EQ(m.CheckAndRecordNc(n[0], 1), Use::kForgotten);
  // Those still tracked keep their counters.
  EXPECT_EQ(m.CheckAndRecordNc(n[1], 1), Use::kReplay);
  EXPECT_EQ(m.CheckAndRecordNc(n[3], 2), Use::kAccepted);
  // A nonce issued after the eviction is tracked normally.
  clock_.Advance(Millis(10));
  EXPECT_EQ(m.CheckAndRecordNc(m.Issue("r"), 1), Use::kAccepted);
}

TEST_F(NonceTest, ExpiredEntriesAreDroppedBeforeEvictingFreshOnes) {
  NonceManager m(clock_, random_, NonceOptions{.lifetime = Millis(1'000), .nc_table_capacity = 2});
  const std::string old1 = m.Issue("r");
  const std::string old2 = m.Issue("r");
  EXPECT_EQ(m.CheckAndRecordNc(old1, 1), Use::kAccepted);
  EXPECT_EQ(m.CheckAndRecordNc(old2, 1), Use::kAccepted);
  clock_.Advance(Millis(2'000));
  const std::string a = m.Issue("r");
  const std::string b = m.Issue("r");
  EXPECT_EQ(m.CheckAndRecordNc(a, 1), Use::kAccepted);
  EXPECT_EQ(m.nc_table_size(), 1u);                     // both expired entries are gone
  EXPECT_EQ(m.CheckAndRecordNc(b, 1), Use::kAccepted);  // no fresh entry had to go
  EXPECT_EQ(m.nc_table_size(), 2u);
  EXPECT_EQ(m.CheckAndRecordNc(a, 2), Use::kAccepted);
  EXPECT_EQ(m.CheckAndRecordNc(b, 1), Use::kReplay);
}

TEST_F(NonceTest, ConcurrentUseIsSafe) {
  OpenSslRandom& rnd = OpenSslRandom::Instance();
  NonceManager m(clock_, rnd, NonceOptions{.lifetime = Millis(30'000), .nc_table_capacity = 64});
  const std::string shared = m.Issue("r");
  ASSERT_EQ(m.CheckAndRecordNc(shared, 1), Use::kAccepted);
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (uint32_t i = 2; i <= 200; ++i) {
        const std::string n = m.Issue("r");
        EXPECT_EQ(m.Validate(n, "r"), Validity::kValid);
        (void)m.CheckAndRecordNc(n, 1);
        if (m.CheckAndRecordNc(shared, i) == Use::kAccepted) ++accepted;
      }
    });
  }
  for (auto& th : threads) th.join();
  // Each nc value of the shared nonce can be accepted at most once.
  EXPECT_LE(accepted.load(), 199);
  EXPECT_LE(m.nc_table_size(), 64u);
}

}  // namespace
}  // namespace sipreg::sip
