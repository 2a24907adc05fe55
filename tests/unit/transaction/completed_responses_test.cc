#include "transaction/completed_responses.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>

namespace sipreg::txn {
namespace {

TransactionKey ServerKey(std::string branch, std::string method = "REGISTER") {
  TransactionKey k;
  k.side = TransactionSide::kServer;
  k.method = std::move(method);
  k.branch = std::move(branch);
  k.sent_by = "127.0.0.1:5062";
  return k;
}

constexpr Millis kTimerJ{32'000};

// The response's bytes are copied by Add: a temporary is fine.
CompletedResponses::Entry Sent(std::string_view response) {
  return {response, {sip::TransportKind::kUdp, "192.0.2.7", 5062},
          {sip::TransportKind::kUdp, "127.0.0.1", 5060}};
}
const SteadyTime kT0 = SteadyTime{} + std::chrono::hours(1);

TEST(CompletedResponsesTest, ARetransmissionFindsTheResponseSent) {
  CompletedResponses done(kTimerJ);
  done.Add(ServerKey("z9hg4bk1"), Sent("SIP/2.0 200 OK\r\n\r\n"), kT0);
  const CompletedResponses::Entry* r = done.Find(ServerKey("z9hg4bk1"));
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->response, "SIP/2.0 200 OK\r\n\r\n");
  // Where the first answer went, not where a copy of the request comes from.
  EXPECT_EQ(r->destination.ToString(), "192.0.2.7:5062");
  EXPECT_EQ(r->local.ToString(), "127.0.0.1:5060");
  EXPECT_EQ(done.Find(ServerKey("z9hg4bk2")), nullptr);
  EXPECT_EQ(done.Find(ServerKey("z9hg4bk1", "OPTIONS")), nullptr);  // the method is part of it
  EXPECT_EQ(done.size(), 1u);
}

TEST(CompletedResponsesTest, ALaterResponseOfTheTuIsDiscarded) {
  CompletedResponses done(kTimerJ);
  done.Add(ServerKey("z9hg4bk1"), Sent("SIP/2.0 200 OK\r\n\r\n"), kT0);
  done.Add(ServerKey("z9hg4bk1"), Sent("SIP/2.0 500 Late\r\n\r\n"), kT0 + Millis(5));
  EXPECT_EQ(done.Find(ServerKey("z9hg4bk1"))->response, "SIP/2.0 200 OK\r\n\r\n");
  EXPECT_EQ(done.size(), 1u);
  // The discarded Add must not leave a second expiry behind either.
  EXPECT_EQ(done.Expire(kT0 + kTimerJ), 1u);
  EXPECT_EQ(done.Expire(kT0 + kTimerJ + Millis(5)), 0u);
}

TEST(CompletedResponsesTest, EntriesEndWhenTimerJFiresInTheOrderTheyCame) {
  CompletedResponses done(kTimerJ);
  done.Add(ServerKey("a"), Sent("A"), kT0);
  done.Add(ServerKey("b"), Sent("B"), kT0 + Millis(10));
  done.Add(ServerKey("c"), Sent("C"), kT0 + Millis(20));
  EXPECT_EQ(done.Expire(kT0 + kTimerJ - Millis(1)), 0u);
  EXPECT_NE(done.Find(ServerKey("a")), nullptr);
  EXPECT_EQ(done.Expire(kT0 + kTimerJ + Millis(10)), 2u);
  EXPECT_EQ(done.Find(ServerKey("a")), nullptr);
  EXPECT_EQ(done.Find(ServerKey("b")), nullptr);
  ASSERT_NE(done.Find(ServerKey("c")), nullptr);
  EXPECT_EQ(done.size(), 1u);
  EXPECT_EQ(done.Expire(kT0 + kTimerJ + Millis(20)), 1u);
  EXPECT_EQ(done.size(), 0u);
}

TEST(CompletedResponsesTest, ManyEntriesSurviveTheIndexGrowing) {
  // 20,000 entries: many index doublings and several blocks.
  CompletedResponses done(kTimerJ);
  for (int i = 0; i < 20'000; ++i) {
    done.Add(ServerKey("z9hg4bk" + std::to_string(i)), Sent(std::to_string(i)), kT0 + Millis(i));
  }
  EXPECT_EQ(done.Find(ServerKey("z9hg4bk12345"))->response, "12345");
  EXPECT_EQ(done.Expire(kT0 + kTimerJ + Millis(9'999)), 10'000u);
  EXPECT_EQ(done.Find(ServerKey("z9hg4bk9999")), nullptr);
  EXPECT_EQ(done.Find(ServerKey("z9hg4bk10000"))->response, "10000");
  done.Clear();
  EXPECT_EQ(done.size(), 0u);
  EXPECT_EQ(done.Expire(kT0 + std::chrono::hours(2)), 0u);
}

// Entries added and expired in a rolling window, as a registrar under steady
// load does: every entry is found while it lives and gone after; blocks are
// reused and the index keeps working across backward-shift deletions.
TEST(CompletedResponsesTest, RollingWindowFindsExactlyTheLiveEntries) {
  constexpr Millis kLife{1'000};
  CompletedResponses done(kLife);
  const std::string body(700, 'x');  // ~1,400 entries per 1 MiB block
  int oldest = 0;
  for (int i = 0; i < 30'000; ++i) {
    const SteadyTime now = kT0 + Millis(i);
    const size_t gone = done.Expire(now);
    oldest += static_cast<int>(gone);
    done.Add(ServerKey("b" + std::to_string(i)), Sent(std::to_string(i) + body), now);
    ASSERT_EQ(done.size(), static_cast<size_t>(i - oldest + 1));
    if (i % 997 == 0) {
      EXPECT_EQ(oldest, std::max(0, i - 999));  // entry j ends at j + 1,000 ms
      for (int j = oldest; j <= i; j += 37) {
        const CompletedResponses::Entry* e = done.Find(ServerKey("b" + std::to_string(j)));
        ASSERT_NE(e, nullptr) << j;
        EXPECT_EQ(e->response, std::to_string(j) + body);
      }
      if (oldest > 0) {
        EXPECT_EQ(done.Find(ServerKey("b" + std::to_string(oldest - 1))), nullptr);
      }
    }
  }
}

// Keys differing only in a field other than branch are different entries;
// a response larger than a block is kept whole; IPv6 destinations survive.
TEST(CompletedResponsesTest, KeysCompareEveryFieldAndLargeResponsesFit) {
  CompletedResponses done(kTimerJ);
  TransactionKey a = ServerKey("z9hg4bk1");
  TransactionKey b = a;
  b.sent_by = "127.0.0.1:5063";
  TransactionKey c;
  c.side = TransactionSide::kServer;
  c.rfc2543 = true;
  c.method = "REGISTER";
  c.call_id = "call";
  c.cseq_number = 7;
  TransactionKey d = c;
  d.cseq_number = 8;
  const std::string big(3 << 20, 'L');
  done.Add(a, Sent("A"), kT0);
  done.Add(b, Sent(big), kT0);
  CompletedResponses::Entry v6 = Sent("C");
  v6.destination = {sip::TransportKind::kUdp, "2001:db8:1234:5678::abcd", 5062};
  done.Add(c, v6, kT0);
  done.Add(d, Sent("D"), kT0);
  EXPECT_EQ(done.size(), 4u);
  EXPECT_EQ(done.Find(a)->response, "A");
  EXPECT_EQ(done.Find(b)->response, big);
  EXPECT_EQ(done.Find(c)->response, "C");
  EXPECT_EQ(done.Find(c)->destination.ip, "2001:db8:1234:5678::abcd");
  EXPECT_EQ(done.Find(d)->response, "D");
  EXPECT_EQ(done.Expire(kT0 + kTimerJ), 4u);
  EXPECT_EQ(done.size(), 0u);
  done.Add(a, Sent("again"), kT0 + kTimerJ);
  EXPECT_EQ(done.Find(a)->response, "again");
}

}  // namespace
}  // namespace sipreg::txn
