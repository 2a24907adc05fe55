#include "transaction/client_non_invite_transaction.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "transaction_driver.h"

namespace sipreg::txn {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::Names;
using testing::TransactionDriver;

constexpr char kRegister[] = "REGISTER sip:example.com SIP/2.0\r\n...\r\n\r\n";
constexpr char k100[] = "SIP/2.0 100 Trying\r\n\r\n";
constexpr char k200[] = "SIP/2.0 200 OK\r\n\r\n";
constexpr char k401[] = "SIP/2.0 401 Unauthorized\r\n\r\n";

TEST(ClientNonInviteTransactionTest, StartsInTryingAndWaitsForStart) {
  ClientNonInviteTransaction t(kRegister, sip::TransportKind::kUdp);
  EXPECT_EQ(t.state(), TransactionState::kTrying);
  EXPECT_FALSE(t.started());
  // Events before Start are ignored.
  EXPECT_THAT(t.OnResponse(200, k200), IsEmpty());
  EXPECT_THAT(t.OnTimer(TimerId::kF), IsEmpty());
  EXPECT_EQ(t.state(), TransactionState::kTrying);
}

TEST(ClientNonInviteTransactionTest, StartOnUdpSendsRequestAndStartsTimersEAndF) {
  ClientNonInviteTransaction t(kRegister, sip::TransportKind::kUdp);
  Actions a = t.Start();
  EXPECT_THAT(Names(a), ElementsAre("Send(" + std::to_string(sizeof(kRegister) - 1) + " bytes)",
                                    "StartTimer(E, 500ms)", "StartTimer(F, 32000ms)"));
  EXPECT_EQ(a[0].bytes, kRegister);
  EXPECT_EQ(t.state(), TransactionState::kTrying);
  EXPECT_THAT(t.Start(), IsEmpty()) << "a second Start is ignored";
}

TEST(ClientNonInviteTransactionTest, StartOnReliableTransportDoesNotStartTimerE) {
  for (auto kind : {sip::TransportKind::kTcp, sip::TransportKind::kTls}) {
    ClientNonInviteTransaction t(kRegister, kind);
    EXPECT_THAT(Names(t.Start()),
                ElementsAre(::testing::StartsWith("Send("), "StartTimer(F, 32000ms)"));
  }
}

TEST(ClientNonInviteTransactionTest, UdpRetransmissionIntervalDoublesUpToT2AndStaysThere) {
  ClientNonInviteTransaction t(kRegister, sip::TransportKind::kUdp);
  TransactionDriver d(t);
  d.Start();
  d.Advance(Millis(20000));
  // Intervals 500, 1000, 2000, 4000, 4000, 4000, ...
  EXPECT_THAT(d.TimesOf(ActionKind::kSend),
              ElementsAre(0, 500, 1500, 3500, 7500, 11500, 15500, 19500));
  std::vector<long> e_durations;
  for (const auto& ta : d.log()) {
    if (ta.action.kind == ActionKind::kStartTimer && ta.action.timer == TimerId::kE) {
      e_durations.push_back(static_cast<long>(ta.action.duration.count()));
    }
  }
  EXPECT_THAT(e_durations, ElementsAre(500, 1000, 2000, 4000, 4000, 4000, 4000, 4000));
  for (const auto& ta : d.log()) {
    if (ta.action.kind == ActionKind::kSend) {
      EXPECT_EQ(ta.action.bytes, kRegister);
    }
  }
}

TEST(ClientNonInviteTransactionTest, TimerFTimesOutAt64T1) {
  ClientNonInviteTransaction t(kRegister, sip::TransportKind::kUdp);
  TransactionDriver d(t);
  d.Start();
  d.Advance(Millis(31999));
  EXPECT_EQ(d.Count(ActionKind::kTimeoutToTu), 0);
  EXPECT_FALSE(t.terminated());
  d.Advance(Millis(1));
  EXPECT_THAT(d.TimesOf(ActionKind::kTimeoutToTu), ElementsAre(32000));
  EXPECT_THAT(d.TimesOf(ActionKind::kTerminated), ElementsAre(32000));
  EXPECT_TRUE(t.terminated());
  // The retransmission timer is cancelled on the way out, nothing stays scheduled.
  EXPECT_FALSE(d.scheduled(TimerId::kE));
  EXPECT_EQ(d.Count(ActionKind::kSend), 11);  // 0, .5, 1.5, 3.5, 7.5, ... 31.5 s
  d.Advance(Millis(100000));
  EXPECT_EQ(d.Count(ActionKind::kSend), 11);
}

TEST(ClientNonInviteTransactionTest, TimerFOnTcpTimesOutWithoutRetransmitting) {
  ClientNonInviteTransaction t(kRegister, sip::TransportKind::kTcp);
  TransactionDriver d(t);
  d.Start();
  d.Advance(Millis(40000));
  EXPECT_THAT(d.TimesOf(ActionKind::kSend), ElementsAre(0));
  EXPECT_THAT(d.TimesOf(ActionKind::kTimeoutToTu), ElementsAre(32000));
  EXPECT_TRUE(t.terminated());
}

TEST(ClientNonInviteTransactionTest, ShorterT1ScalesEveryTimer) {
  TimerConfig cfg;
  cfg.t1 = Millis(50);
  cfg.t2 = Millis(400);
  cfg.t4 = Millis(500);
  ClientNonInviteTransaction t(kRegister, sip::TransportKind::kUdp, cfg);
  TransactionDriver d(t);
  d.Start();
  d.Advance(Millis(5000));
  EXPECT_THAT(d.TimesOf(ActionKind::kSend),
              ElementsAre(0, 50, 150, 350, 750, 1150, 1550, 1950, 2350, 2750, 3150));
  EXPECT_THAT(d.TimesOf(ActionKind::kTimeoutToTu), ElementsAre(3200));
}

TEST(ClientNonInviteTransactionTest, ProvisionalResponseMovesToProceedingAndReachesTu) {
  ClientNonInviteTransaction t(kRegister, sip::TransportKind::kUdp);
  t.Start();
  Actions a = t.OnResponse(100, k100);
  EXPECT_THAT(Names(a), ElementsAre("PassToTu(100)"));
  EXPECT_EQ(a[0].bytes, k100);
  EXPECT_EQ(t.state(), TransactionState::kProceeding);
  EXPECT_THAT(Names(t.OnResponse(180, k100)), ElementsAre("PassToTu(180)"));
  EXPECT_EQ(t.state(), TransactionState::kProceeding);
}

TEST(ClientNonInviteTransactionTest, TimerEInProceedingRetransmitsEveryT2) {
  ClientNonInviteTransaction t(kRegister, sip::TransportKind::kUdp);
  TransactionDriver d(t);
  d.Start();
  d.Advance(Millis(100));
  d.Feed(Event::Response(100, k100));
  d.Advance(Millis(13000));
  // E keeps its pending expiry (500), then is reset to T2 every time.
  EXPECT_THAT(d.TimesOf(ActionKind::kSend), ElementsAre(0, 500, 4500, 8500, 12500));
  // Proceeding also times out with F.
  d.Advance(Millis(32000));
  EXPECT_THAT(d.TimesOf(ActionKind::kTimeoutToTu), ElementsAre(32000));
}

TEST(ClientNonInviteTransactionTest, ProvisionalAfterBackoffStillResetsToT2) {
  ClientNonInviteTransaction t(kRegister, sip::TransportKind::kUdp);
  TransactionDriver d(t);
  d.Start();
  d.Advance(Millis(600));  // E fired at 500 and is now set to 1000 -> 1500
  d.Feed(Event::Response(100, k100));
  d.Advance(Millis(6000));
  EXPECT_THAT(d.TimesOf(ActionKind::kSend), ElementsAre(0, 500, 1500, 5500));
}

TEST(ClientNonInviteTransactionTest, FinalResponseOnUdpCompletesAndStartsTimerK) {
  ClientNonInviteTransaction t(kRegister, sip::TransportKind::kUdp);
  t.Start();
  Actions a = t.OnResponse(200, k200);
  EXPECT_THAT(Names(a), ElementsAre("PassToTu(200)", "CancelTimer(E)", "CancelTimer(F)",
                                    "StartTimer(K, 5000ms)"));
  EXPECT_EQ(a[0].bytes, k200);
  EXPECT_EQ(t.state(), TransactionState::kCompleted);
}

TEST(ClientNonInviteTransactionTest, FinalResponseAfterProvisionalCompletes) {
  ClientNonInviteTransaction t(kRegister, sip::TransportKind::kUdp);
  t.Start();
  (void)t.OnResponse(100, k100);
  EXPECT_THAT(
      Names(t.OnResponse(401, k401)),
      ElementsAre("PassToTu(401)", "CancelTimer(E)", "CancelTimer(F)", "StartTimer(K, 5000ms)"));
  EXPECT_EQ(t.state(), TransactionState::kCompleted);
}

TEST(ClientNonInviteTransactionTest, RetransmittedResponsesAreAbsorbedInCompleted) {
  ClientNonInviteTransaction t(kRegister, sip::TransportKind::kUdp);
  TransactionDriver d(t);
  d.Start();
  d.Feed(Event::Response(401, k401));
  d.ClearLog();
  EXPECT_THAT(d.Feed(Event::Response(401, k401)), IsEmpty());
  EXPECT_THAT(d.Feed(Event::Response(100, k100)), IsEmpty());
  EXPECT_THAT(d.Feed(Event::Response(200, k200)), IsEmpty());
  d.Advance(Millis(4999));
  EXPECT_THAT(d.log(), IsEmpty()) << "no retransmission of the request in Completed";
  EXPECT_EQ(t.state(), TransactionState::kCompleted);
}

TEST(ClientNonInviteTransactionTest, TimerKTerminatesAfterT4) {
  ClientNonInviteTransaction t(kRegister, sip::TransportKind::kUdp);
  TransactionDriver d(t);
  d.Start();
  d.Advance(Millis(700));
  d.Feed(Event::Response(200, k200));
  d.Advance(Millis(4999));
  EXPECT_EQ(t.state(), TransactionState::kCompleted);
  d.Advance(Millis(1));
  EXPECT_TRUE(t.terminated());
  EXPECT_THAT(d.TimesOf(ActionKind::kTerminated), ElementsAre(5700));
  EXPECT_THAT(t.OnResponse(200, k200), IsEmpty()) << "nothing happens after Terminated";
}

TEST(ClientNonInviteTransactionTest, FinalResponseOnReliableTransportTerminatesAtOnce) {
  ClientNonInviteTransaction t(kRegister, sip::TransportKind::kTcp);
  t.Start();
  EXPECT_THAT(Names(t.OnResponse(200, k200)),
              ElementsAre("PassToTu(200)", "CancelTimer(F)", "Terminated"));
  EXPECT_TRUE(t.terminated());
}

TEST(ClientNonInviteTransactionTest, TransportErrorBeforeFinalIsReportedAndTerminates) {
  for (bool provisional : {false, true}) {
    ClientNonInviteTransaction t(kRegister, sip::TransportKind::kUdp);
    t.Start();
    if (provisional) (void)t.OnResponse(100, k100);
    EXPECT_THAT(Names(t.OnTransportError()), ElementsAre("TransportErrorToTu", "CancelTimer(E)",
                                                         "CancelTimer(F)", "Terminated"));
    EXPECT_TRUE(t.terminated());
  }
}

TEST(ClientNonInviteTransactionTest, TransportErrorInCompletedTerminatesQuietly) {
  ClientNonInviteTransaction t(kRegister, sip::TransportKind::kUdp);
  t.Start();
  (void)t.OnResponse(200, k200);
  EXPECT_THAT(Names(t.OnTransportError()), ElementsAre("CancelTimer(K)", "Terminated"));
}

TEST(ClientNonInviteTransactionTest, StaleOrForeignTimersAreIgnored) {
  ClientNonInviteTransaction t(kRegister, sip::TransportKind::kUdp);
  t.Start();
  (void)t.OnResponse(200, k200);  // cancels E and F
  EXPECT_THAT(t.OnTimer(TimerId::kE), IsEmpty());
  EXPECT_THAT(t.OnTimer(TimerId::kF), IsEmpty());
  EXPECT_THAT(t.OnTimer(TimerId::kA), IsEmpty());
  EXPECT_EQ(t.state(), TransactionState::kCompleted);
  EXPECT_TRUE(t.IsTimerRunning(TimerId::kK));
}

TEST(ClientNonInviteTransactionTest, ServerSideEventsAndBadStatusCodesAreIgnored) {
  ClientNonInviteTransaction t(kRegister, sip::TransportKind::kUdp);
  t.Start();
  EXPECT_THAT(t.OnTuResponse(200, k200), IsEmpty());
  EXPECT_THAT(t.OnRequest(sip::Method::kRegister, kRegister), IsEmpty());
  EXPECT_THAT(t.OnResponse(99, k200), IsEmpty());
  EXPECT_THAT(t.OnResponse(700, k200), IsEmpty());
  EXPECT_THAT(t.OnResponse(-1, k200), IsEmpty());
  EXPECT_EQ(t.state(), TransactionState::kTrying);
}

}  // namespace
}  // namespace sipreg::txn
