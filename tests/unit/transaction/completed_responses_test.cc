#include "transaction/completed_responses.h"

#include <gtest/gtest.h>

#include <string>

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

CompletedResponses::Entry Sent(std::string response) {
  return {std::move(response), {sip::TransportKind::kUdp, "192.0.2.7", 5062},
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

TEST(CompletedResponsesTest, ManyEntriesSurviveTheMapGrowing) {
  // The expiry queue points at the map's keys: they must stay valid as the map rehashes.
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

}  // namespace
}  // namespace sipreg::txn
