#include "transaction/server_invite_transaction.h"

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

constexpr char kInvite[] = "INVITE sip:bob@example.com SIP/2.0\r\n...\r\n\r\n";
constexpr char kAck[] = "ACK sip:bob@example.com SIP/2.0\r\n...\r\n\r\n";
constexpr char k100[] = "SIP/2.0 100 Trying\r\n\r\n";
constexpr char k180[] = "SIP/2.0 180 Ringing\r\n\r\n";
constexpr char k183[] = "SIP/2.0 183 Session Progress\r\n\r\n";
constexpr char k200[] = "SIP/2.0 200 OK\r\n\r\n";
constexpr char k486[] = "SIP/2.0 486 Busy Here\r\n\r\n";

// A transaction that has sent 486 on UDP and is waiting for the ACK.
struct Completed {
  Completed() : txn(kInvite, sip::TransportKind::kUdp), driver(txn) {
    driver.Start();
    driver.Feed(Event::TuResponse(486, k486));
  }
  ServerInviteTransaction txn;
  TransactionDriver driver;
};

TEST(ServerInviteTransactionTest, StartPassesInviteToTuInProceeding) {
  ServerInviteTransaction t(kInvite, sip::TransportKind::kUdp);
  EXPECT_EQ(t.state(), TransactionState::kProceeding);
  Actions a = t.Start();
  EXPECT_THAT(Names(a), ElementsAre("PassToTu(request)"));
  EXPECT_EQ(a[0].bytes, kInvite);
  EXPECT_EQ(t.state(), TransactionState::kProceeding);
}

TEST(ServerInviteTransactionTest, AutomaticTryingIsSentAfter200MsOfTuSilence) {
  ServerInviteTransaction t(kInvite, sip::TransportKind::kUdp, k100);
  TransactionDriver d(t);
  EXPECT_THAT(Names(d.Start()), ElementsAre("PassToTu(request)", "StartTimer(Trying, 200ms)"));
  d.Advance(Millis(199));
  EXPECT_EQ(d.Count(ActionKind::kSend), 0);
  d.Advance(Millis(1));
  EXPECT_THAT(d.TimesOf(ActionKind::kSend), ElementsAre(200));
  EXPECT_EQ(d.log().back().action.bytes, k100);
  EXPECT_EQ(t.last_response(), k100);
  // An INVITE retransmission is now answered with the 100.
  Actions a = d.Feed(Event::Request(sip::Method::kInvite, kInvite));
  ASSERT_THAT(Names(a), ElementsAre(StartsWith("Send(")));
  EXPECT_EQ(a[0].bytes, k100);
}

TEST(ServerInviteTransactionTest, AutomaticTryingIsSkippedWhenTuAnswersFirst) {
  ServerInviteTransaction t(kInvite, sip::TransportKind::kUdp, k100);
  TransactionDriver d(t);
  d.Start();
  d.Advance(Millis(50));
  EXPECT_THAT(Names(d.Feed(Event::TuResponse(180, k180))),
              ElementsAre("CancelTimer(Trying)", StartsWith("Send(")));
  d.Advance(Millis(1000));
  EXPECT_THAT(d.TimesOf(ActionKind::kSend), ElementsAre(50));
}

TEST(ServerInviteTransactionTest, AutomaticTryingDelayIsConfigurable) {
  TimerConfig cfg;
  cfg.trying_delay = Millis(20);
  ServerInviteTransaction t(kInvite, sip::TransportKind::kTcp, k100, cfg);
  EXPECT_THAT(Names(t.Start()), ElementsAre("PassToTu(request)", "StartTimer(Trying, 20ms)"));
}

TEST(ServerInviteTransactionTest, RetransmissionBeforeAnyResponseSendsTryingAtOnce) {
  ServerInviteTransaction t(kInvite, sip::TransportKind::kUdp, k100);
  t.Start();
  Actions a = t.OnRequest(sip::Method::kInvite, kInvite);
  EXPECT_THAT(Names(a), ElementsAre("CancelTimer(Trying)", StartsWith("Send(")));
  EXPECT_EQ(a[1].bytes, k100);
}

TEST(ServerInviteTransactionTest, RetransmissionBeforeAnyResponseWithoutTryingIsAbsorbed) {
  ServerInviteTransaction t(kInvite, sip::TransportKind::kUdp);
  t.Start();
  EXPECT_THAT(t.OnRequest(sip::Method::kInvite, kInvite), IsEmpty());
  EXPECT_EQ(t.state(), TransactionState::kProceeding);
}

TEST(ServerInviteTransactionTest, RetransmissionInProceedingResendsLastProvisional) {
  ServerInviteTransaction t(kInvite, sip::TransportKind::kUdp);
  t.Start();
  Actions sent = t.OnTuResponse(180, k180);
  EXPECT_THAT(Names(sent), ElementsAre(StartsWith("Send(")));
  EXPECT_EQ(sent[0].bytes, k180);
  EXPECT_EQ(t.state(), TransactionState::kProceeding);
  (void)t.OnTuResponse(183, k183);
  Actions a = t.OnRequest(sip::Method::kInvite, kInvite);
  ASSERT_THAT(Names(a), ElementsAre(StartsWith("Send(")));
  EXPECT_EQ(a[0].bytes, k183);
  EXPECT_THAT(t.OnRequest(sip::Method::kAck, kAck), IsEmpty()) << "no ACK before a final";
}

TEST(ServerInviteTransactionTest, SuccessIsSentAndTerminates) {
  ServerInviteTransaction t(kInvite, sip::TransportKind::kUdp, k100);
  t.Start();
  (void)t.OnTuResponse(180, k180);
  Actions a = t.OnTuResponse(200, k200);
  EXPECT_THAT(Names(a), ElementsAre(StartsWith("Send("), "Terminated"));
  EXPECT_EQ(a[0].bytes, k200);
  EXPECT_TRUE(t.terminated());
}

TEST(ServerInviteTransactionTest, FailureOnUdpCompletesWithTimersGAndH) {
  ServerInviteTransaction t(kInvite, sip::TransportKind::kUdp);
  t.Start();
  Actions a = t.OnTuResponse(486, k486);
  EXPECT_THAT(Names(a),
              ElementsAre(StartsWith("Send("), "StartTimer(G, 500ms)", "StartTimer(H, 32000ms)"));
  EXPECT_EQ(a[0].bytes, k486);
  EXPECT_EQ(t.state(), TransactionState::kCompleted);
}

TEST(ServerInviteTransactionTest, TimerGRetransmitsFinalDoublingUpToT2) {
  Completed c;
  c.driver.Advance(Millis(20000));
  EXPECT_THAT(c.driver.TimesOf(ActionKind::kSend),
              ElementsAre(0, 500, 1500, 3500, 7500, 11500, 15500, 19500));
  for (const auto& ta : c.driver.log()) {
    if (ta.action.kind == ActionKind::kSend) {
      EXPECT_EQ(ta.action.bytes, k486);
    }
  }
}

TEST(ServerInviteTransactionTest, RetransmittedInviteInCompletedResendsFinal) {
  Completed c;
  Actions a = c.driver.Feed(Event::Request(sip::Method::kInvite, kInvite));
  ASSERT_THAT(Names(a), ElementsAre(StartsWith("Send(")));
  EXPECT_EQ(a[0].bytes, k486);
  EXPECT_EQ(c.txn.state(), TransactionState::kCompleted);
}

TEST(ServerInviteTransactionTest, TuResponsesAfterFinalAreIgnored) {
  Completed c;
  EXPECT_THAT(c.driver.Feed(Event::TuResponse(200, k200)), IsEmpty());
  EXPECT_THAT(c.driver.Feed(Event::TuResponse(180, k180)), IsEmpty());
  EXPECT_EQ(c.txn.last_response(), k486);
}

TEST(ServerInviteTransactionTest, TimerHWithoutAckTimesOutToTu) {
  Completed c;
  c.driver.Advance(Millis(31999));
  EXPECT_EQ(c.txn.state(), TransactionState::kCompleted);
  c.driver.Advance(Millis(1));
  EXPECT_THAT(c.driver.TimesOf(ActionKind::kTimeoutToTu), ElementsAre(32000));
  EXPECT_THAT(c.driver.TimesOf(ActionKind::kTerminated), ElementsAre(32000));
  EXPECT_FALSE(c.driver.scheduled(TimerId::kG));
  EXPECT_EQ(c.driver.Count(ActionKind::kSend), 11);  // first send + G at .5 1.5 3.5 7.5 ... 31.5
}

TEST(ServerInviteTransactionTest, AckMovesToConfirmedAndStartsTimerI) {
  Completed c;
  c.driver.Advance(Millis(600));
  Actions a = c.driver.Feed(Event::Request(sip::Method::kAck, kAck));
  EXPECT_THAT(Names(a), ElementsAre("CancelTimer(G)", "CancelTimer(H)", "StartTimer(I, 5000ms)"));
  EXPECT_EQ(c.txn.state(), TransactionState::kConfirmed);
  // ACK and INVITE retransmissions are absorbed in Confirmed; nothing is resent.
  EXPECT_THAT(c.driver.Feed(Event::Request(sip::Method::kAck, kAck)), IsEmpty());
  EXPECT_THAT(c.driver.Feed(Event::Request(sip::Method::kInvite, kInvite)), IsEmpty());
  EXPECT_THAT(c.driver.Feed(Event::TransportError()), IsEmpty());
  c.driver.Advance(Millis(4999));
  EXPECT_EQ(c.txn.state(), TransactionState::kConfirmed);
  c.driver.Advance(Millis(1));
  EXPECT_TRUE(c.txn.terminated());
  EXPECT_THAT(c.driver.TimesOf(ActionKind::kTerminated), ElementsAre(5600));
  EXPECT_THAT(c.driver.TimesOf(ActionKind::kSend), ElementsAre(0, 500));
  EXPECT_EQ(c.driver.Count(ActionKind::kTimeoutToTu), 0);
}

TEST(ServerInviteTransactionTest, FailureOnReliableTransportStartsOnlyTimerH) {
  ServerInviteTransaction t(kInvite, sip::TransportKind::kTcp);
  TransactionDriver d(t);
  d.Start();
  EXPECT_THAT(Names(d.Feed(Event::TuResponse(486, k486))),
              ElementsAre(StartsWith("Send("), "StartTimer(H, 32000ms)"));
  d.Advance(Millis(40000));
  EXPECT_THAT(d.TimesOf(ActionKind::kSend), ElementsAre(0));
  EXPECT_THAT(d.TimesOf(ActionKind::kTimeoutToTu), ElementsAre(32000));
}

TEST(ServerInviteTransactionTest, AckOnReliableTransportTerminatesAtOnce) {
  ServerInviteTransaction t(kInvite, sip::TransportKind::kTls);
  t.Start();
  (void)t.OnTuResponse(603, k486);
  EXPECT_THAT(Names(t.OnRequest(sip::Method::kAck, kAck)),
              ElementsAre("CancelTimer(H)", "Terminated"));
}

TEST(ServerInviteTransactionTest, TransportErrorInProceedingOrCompletedIsReported) {
  ServerInviteTransaction proceeding(kInvite, sip::TransportKind::kUdp, k100);
  proceeding.Start();
  EXPECT_THAT(Names(proceeding.OnTransportError()),
              ElementsAre("TransportErrorToTu", "CancelTimer(Trying)", "Terminated"));
  Completed c;
  EXPECT_THAT(Names(c.driver.Feed(Event::TransportError())),
              ElementsAre("TransportErrorToTu", "CancelTimer(G)", "CancelTimer(H)", "Terminated"));
}

TEST(ServerInviteTransactionTest, ClientEventsStaleTimersAndBadCodesAreIgnored) {
  ServerInviteTransaction t(kInvite, sip::TransportKind::kUdp);
  t.Start();
  EXPECT_THAT(t.OnResponse(200, k200), IsEmpty());
  EXPECT_THAT(t.OnTimer(TimerId::kG), IsEmpty());
  EXPECT_THAT(t.OnTimer(TimerId::kTrying), IsEmpty());
  EXPECT_THAT(t.OnTuResponse(42, k200), IsEmpty());
  EXPECT_THAT(t.OnTuResponse(700, k200), IsEmpty());
  EXPECT_EQ(t.state(), TransactionState::kProceeding);
}

}  // namespace
}  // namespace sipreg::txn
