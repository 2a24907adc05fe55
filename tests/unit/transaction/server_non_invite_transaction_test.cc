#include "transaction/server_non_invite_transaction.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "transaction_driver.h"

namespace sipreg::txn {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::Names;
using ::testing::StartsWith;
using testing::TransactionDriver;

constexpr char kRegister[] = "REGISTER sip:example.com SIP/2.0\r\n...\r\n\r\n";
constexpr char k100[] = "SIP/2.0 100 Trying\r\n\r\n";
constexpr char k183[] = "SIP/2.0 183 Progress\r\n\r\n";
constexpr char k200[] = "SIP/2.0 200 OK\r\n\r\n";
constexpr char k401[] = "SIP/2.0 401 Unauthorized\r\n\r\n";

TEST(ServerNonInviteTransactionTest, StartPassesRequestToTuInTrying) {
  ServerNonInviteTransaction t(kRegister, sip::TransportKind::kUdp);
  Actions a = t.Start();
  EXPECT_THAT(Names(a), ElementsAre("PassToTu(request)"));
  EXPECT_EQ(a[0].bytes, kRegister);
  EXPECT_EQ(t.state(), TransactionState::kTrying);
}

TEST(ServerNonInviteTransactionTest, RetransmissionsInTryingAreAbsorbed) {
  ServerNonInviteTransaction t(kRegister, sip::TransportKind::kUdp);
  t.Start();
  EXPECT_THAT(t.OnRequest(sip::Method::kRegister, kRegister), IsEmpty());
  EXPECT_THAT(t.OnRequest(sip::Method::kRegister, kRegister), IsEmpty());
  EXPECT_EQ(t.state(), TransactionState::kTrying);
}

TEST(ServerNonInviteTransactionTest, ProvisionalMovesToProceedingAndIsResentOnRetransmission) {
  ServerNonInviteTransaction t(kRegister, sip::TransportKind::kUdp);
  t.Start();
  Actions a = t.OnTuResponse(100, k100);
  ASSERT_THAT(Names(a), ElementsAre(StartsWith("Send(")));
  EXPECT_EQ(a[0].bytes, k100);
  EXPECT_EQ(t.state(), TransactionState::kProceeding);
  a = t.OnRequest(sip::Method::kRegister, kRegister);
  ASSERT_THAT(Names(a), ElementsAre(StartsWith("Send(")));
  EXPECT_EQ(a[0].bytes, k100);
  // A later provisional replaces the one that retransmissions get.
  (void)t.OnTuResponse(183, k183);
  EXPECT_EQ(t.state(), TransactionState::kProceeding);
  a = t.OnRequest(sip::Method::kRegister, kRegister);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].bytes, k183);
}

TEST(ServerNonInviteTransactionTest, FinalOnUdpCompletesWithTimerJ) {
  for (bool provisional_first : {false, true}) {
    ServerNonInviteTransaction t(kRegister, sip::TransportKind::kUdp);
    t.Start();
    if (provisional_first) (void)t.OnTuResponse(100, k100);
    Actions a = t.OnTuResponse(401, k401);
    EXPECT_THAT(Names(a), ElementsAre(StartsWith("Send("), "StartTimer(J, 32000ms)"));
    EXPECT_EQ(a[0].bytes, k401);
    EXPECT_EQ(t.state(), TransactionState::kCompleted);
  }
}

TEST(ServerNonInviteTransactionTest, RetransmissionInCompletedResendsFinal) {
  ServerNonInviteTransaction t(kRegister, sip::TransportKind::kUdp);
  t.Start();
  (void)t.OnTuResponse(200, k200);
  for (int i = 0; i < 3; ++i) {
    Actions a = t.OnRequest(sip::Method::kRegister, kRegister);
    ASSERT_THAT(Names(a), ElementsAre(StartsWith("Send(")));
    EXPECT_EQ(a[0].bytes, k200);
  }
  EXPECT_THAT(t.OnTuResponse(401, k401), IsEmpty()) << "the final response is fixed";
  EXPECT_EQ(t.last_response(), k200);
}

TEST(ServerNonInviteTransactionTest, TimerJTerminatesAt64T1) {
  ServerNonInviteTransaction t(kRegister, sip::TransportKind::kUdp);
  TransactionDriver d(t);
  d.Start();
  d.Advance(Millis(10));
  d.Feed(Event::TuResponse(200, k200));
  d.Advance(Millis(31999));
  EXPECT_EQ(t.state(), TransactionState::kCompleted);
  d.Advance(Millis(1));
  EXPECT_THAT(d.TimesOf(ActionKind::kTerminated), ElementsAre(32010));
  EXPECT_THAT(d.TimesOf(ActionKind::kSend), ElementsAre(10)) << "responses are not retransmitted";
}

TEST(ServerNonInviteTransactionTest, TimerJFollowsT1) {
  TimerConfig cfg;
  cfg.t1 = Millis(100);
  ServerNonInviteTransaction t(kRegister, sip::TransportKind::kUdp, cfg);
  t.Start();
  EXPECT_THAT(Names(t.OnTuResponse(200, k200)),
              ElementsAre(StartsWith("Send("), "StartTimer(J, 6400ms)"));
}

TEST(ServerNonInviteTransactionTest, FinalOnReliableTransportTerminatesAtOnce) {
  ServerNonInviteTransaction t(kRegister, sip::TransportKind::kTcp);
  t.Start();
  EXPECT_THAT(Names(t.OnTuResponse(200, k200)), ElementsAre(StartsWith("Send("), "Terminated"));
  EXPECT_TRUE(t.terminated());
  EXPECT_THAT(t.OnRequest(sip::Method::kRegister, kRegister), IsEmpty());
}

TEST(ServerNonInviteTransactionTest, TransportErrorIsReportedAndTerminates) {
  ServerNonInviteTransaction proceeding(kRegister, sip::TransportKind::kUdp);
  proceeding.Start();
  (void)proceeding.OnTuResponse(100, k100);
  EXPECT_THAT(Names(proceeding.OnTransportError()),
              ElementsAre("TransportErrorToTu", "Terminated"));
  ServerNonInviteTransaction completed(kRegister, sip::TransportKind::kUdp);
  completed.Start();
  (void)completed.OnTuResponse(200, k200);
  EXPECT_THAT(Names(completed.OnTransportError()),
              ElementsAre("TransportErrorToTu", "CancelTimer(J)", "Terminated"));
}

TEST(ServerNonInviteTransactionTest, ClientEventsStaleTimersAndBadCodesAreIgnored) {
  ServerNonInviteTransaction t(kRegister, sip::TransportKind::kUdp);
  t.Start();
  EXPECT_THAT(t.OnResponse(200, k200), IsEmpty());
  EXPECT_THAT(t.OnTimer(TimerId::kJ), IsEmpty());
  EXPECT_THAT(t.OnTuResponse(1000, k200), IsEmpty());
  EXPECT_EQ(t.state(), TransactionState::kTrying);
}

}  // namespace
}  // namespace sipreg::txn
