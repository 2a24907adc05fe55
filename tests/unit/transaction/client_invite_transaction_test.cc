#include "transaction/client_invite_transaction.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "transaction_driver.h"

namespace sipreg::txn {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::Names;
using ::testing::StartsWith;
using testing::TransactionDriver;

constexpr char kInvite[] = "INVITE sip:bob@example.com SIP/2.0\r\n...\r\n\r\n";
constexpr char k180[] = "SIP/2.0 180 Ringing\r\n\r\n";
constexpr char k200[] = "SIP/2.0 200 OK\r\n\r\n";
constexpr char k486[] = "SIP/2.0 486 Busy Here\r\n\r\n";

// Records what it was asked to build and returns "ACK for <response>".
struct FakeAckBuilder {
  std::vector<std::pair<std::string, std::string>>* calls;
  Result<std::string> operator()(std::string_view request, std::string_view response) const {
    calls->emplace_back(std::string(request), std::string(response));
    return "ACK for " + std::string(response);
  }
};

class ClientInviteTransactionTest : public ::testing::Test {
 protected:
  ClientInviteTransaction Make(sip::TransportKind kind) {
    return ClientInviteTransaction(kInvite, kind, FakeAckBuilder{&ack_calls_});
  }
  std::vector<std::pair<std::string, std::string>> ack_calls_;
};

TEST_F(ClientInviteTransactionTest, StartOnUdpSendsInviteAndStartsTimersAAndB) {
  ClientInviteTransaction t = Make(sip::TransportKind::kUdp);
  EXPECT_EQ(t.state(), TransactionState::kCalling);
  Actions a = t.Start();
  EXPECT_THAT(Names(a),
              ElementsAre(StartsWith("Send("), "StartTimer(A, 500ms)", "StartTimer(B, 32000ms)"));
  EXPECT_EQ(a[0].bytes, kInvite);
  EXPECT_EQ(t.state(), TransactionState::kCalling);
}

TEST_F(ClientInviteTransactionTest, StartOnReliableTransportDoesNotStartTimerA) {
  ClientInviteTransaction t = Make(sip::TransportKind::kTls);
  EXPECT_THAT(Names(t.Start()), ElementsAre(StartsWith("Send("), "StartTimer(B, 32000ms)"));
}

TEST_F(ClientInviteTransactionTest, TimerADoublesWithoutCapUntilTimerBTimesOut) {
  ClientInviteTransaction t = Make(sip::TransportKind::kUdp);
  TransactionDriver d(t);
  d.Start();
  d.Advance(Millis(31999));
  EXPECT_THAT(d.TimesOf(ActionKind::kSend), ElementsAre(0, 500, 1500, 3500, 7500, 15500, 31500));
  // The last A interval is 32 s: no T2 cap for INVITE.
  EXPECT_EQ(d.remaining(TimerId::kA), Millis(31500 + 32000 - 31999));
  EXPECT_EQ(t.state(), TransactionState::kCalling);
  d.Advance(Millis(1));
  EXPECT_THAT(d.TimesOf(ActionKind::kTimeoutToTu), ElementsAre(32000));
  EXPECT_TRUE(t.terminated());
  EXPECT_FALSE(d.scheduled(TimerId::kA));
  d.Advance(Millis(60000));
  EXPECT_EQ(d.Count(ActionKind::kSend), 7);
}

TEST_F(ClientInviteTransactionTest, TimerBOnReliableTransportTimesOutWithoutRetransmitting) {
  ClientInviteTransaction t = Make(sip::TransportKind::kTcp);
  TransactionDriver d(t);
  d.Start();
  d.Advance(Millis(40000));
  EXPECT_THAT(d.TimesOf(ActionKind::kSend), ElementsAre(0));
  EXPECT_THAT(d.TimesOf(ActionKind::kTimeoutToTu), ElementsAre(32000));
  EXPECT_TRUE(t.terminated());
}

TEST_F(ClientInviteTransactionTest, ProvisionalStopsRetransmissionsAndTimerB) {
  ClientInviteTransaction t = Make(sip::TransportKind::kUdp);
  TransactionDriver d(t);
  d.Start();
  d.Advance(Millis(700));
  Actions a = d.Feed(Event::Response(180, k180));
  EXPECT_THAT(Names(a), ElementsAre("PassToTu(180)", "CancelTimer(A)", "CancelTimer(B)"));
  EXPECT_EQ(a[0].bytes, k180);
  EXPECT_EQ(t.state(), TransactionState::kProceeding);
  d.Advance(Millis(120000));
  EXPECT_THAT(d.TimesOf(ActionKind::kSend), ElementsAre(0, 500));
  EXPECT_EQ(d.Count(ActionKind::kTimeoutToTu), 0);
  EXPECT_EQ(t.state(), TransactionState::kProceeding);
  EXPECT_THAT(Names(d.Feed(Event::Response(183, k180))), ElementsAre("PassToTu(183)"));
}

TEST_F(ClientInviteTransactionTest, SuccessInCallingPassesToTuAndTerminates) {
  ClientInviteTransaction t = Make(sip::TransportKind::kUdp);
  t.Start();
  Actions a = t.OnResponse(200, k200);
  EXPECT_THAT(Names(a),
              ElementsAre("PassToTu(200)", "CancelTimer(A)", "CancelTimer(B)", "Terminated"));
  EXPECT_EQ(a[0].bytes, k200);
  EXPECT_TRUE(t.terminated());
  EXPECT_THAT(ack_calls_, IsEmpty()) << "the transaction never ACKs a 2xx";
}

TEST_F(ClientInviteTransactionTest, SuccessInProceedingPassesToTuAndTerminates) {
  ClientInviteTransaction t = Make(sip::TransportKind::kUdp);
  t.Start();
  (void)t.OnResponse(180, k180);
  EXPECT_THAT(Names(t.OnResponse(200, k200)), ElementsAre("PassToTu(200)", "Terminated"));
  EXPECT_TRUE(t.terminated());
  EXPECT_THAT(t.OnResponse(200, k200), IsEmpty()) << "2xx retransmissions bypass it";
}

TEST_F(ClientInviteTransactionTest, FailureSendsAckAndCompletesWithTimerD) {
  ClientInviteTransaction t = Make(sip::TransportKind::kUdp);
  t.Start();
  Actions a = t.OnResponse(486, k486);
  EXPECT_THAT(Names(a), ElementsAre("PassToTu(486)", StartsWith("Send("), "CancelTimer(A)",
                                    "CancelTimer(B)", "StartTimer(D, 32000ms)"));
  EXPECT_EQ(a[0].bytes, k486);
  EXPECT_EQ(a[1].bytes, std::string("ACK for ") + k486);
  EXPECT_EQ(t.ack(), a[1].bytes);
  ASSERT_EQ(ack_calls_.size(), 1u);
  EXPECT_EQ(ack_calls_[0].first, kInvite);
  EXPECT_EQ(ack_calls_[0].second, k486);
  EXPECT_EQ(t.state(), TransactionState::kCompleted);
}

TEST_F(ClientInviteTransactionTest, FailureInProceedingSendsAckAndCompletes) {
  for (int code : {300, 404, 503, 603, 699}) {
    ClientInviteTransaction t = Make(sip::TransportKind::kUdp);
    t.Start();
    (void)t.OnResponse(180, k180);
    EXPECT_THAT(Names(t.OnResponse(code, k486)),
                ElementsAre("PassToTu(" + std::to_string(code) + ")", StartsWith("Send("),
                            "StartTimer(D, 32000ms)"));
    EXPECT_EQ(t.state(), TransactionState::kCompleted);
  }
}

TEST_F(ClientInviteTransactionTest, RetransmittedFailureResendsTheSameAckWithoutTu) {
  ClientInviteTransaction t = Make(sip::TransportKind::kUdp);
  t.Start();
  (void)t.OnResponse(486, k486);
  for (int i = 0; i < 3; ++i) {
    Actions a = t.OnResponse(486, k486);
    EXPECT_THAT(Names(a), ElementsAre(StartsWith("Send(")));
    EXPECT_EQ(a[0].bytes, std::string("ACK for ") + k486);
  }
  EXPECT_EQ(ack_calls_.size(), 1u) << "the ACK is built once";
  // Late provisional or 2xx responses in Completed are dropped.
  EXPECT_THAT(t.OnResponse(180, k180), IsEmpty());
  EXPECT_THAT(t.OnResponse(200, k200), IsEmpty());
  EXPECT_EQ(t.state(), TransactionState::kCompleted);
}

TEST_F(ClientInviteTransactionTest, TimerDTerminatesAfter32Seconds) {
  ClientInviteTransaction t = Make(sip::TransportKind::kUdp);
  TransactionDriver d(t);
  d.Start();
  d.Advance(Millis(100));
  d.Feed(Event::Response(486, k486));
  d.Advance(Millis(31999));
  EXPECT_EQ(t.state(), TransactionState::kCompleted);
  d.Advance(Millis(1));
  EXPECT_THAT(d.TimesOf(ActionKind::kTerminated), ElementsAre(32100));
  EXPECT_EQ(d.Count(ActionKind::kTimeoutToTu), 0);
}

TEST_F(ClientInviteTransactionTest, TimerDIsConfigurable) {
  TimerConfig cfg;
  cfg.timer_d = Millis(1000);
  ClientInviteTransaction t(kInvite, sip::TransportKind::kUdp, FakeAckBuilder{&ack_calls_}, cfg);
  t.Start();
  EXPECT_EQ(Names(t.OnResponse(486, k486)).back(), "StartTimer(D, 1000ms)");
}

TEST_F(ClientInviteTransactionTest, FailureOnReliableTransportSendsAckAndTerminates) {
  ClientInviteTransaction t = Make(sip::TransportKind::kTcp);
  t.Start();
  EXPECT_THAT(Names(t.OnResponse(486, k486)),
              ElementsAre("PassToTu(486)", StartsWith("Send("), "CancelTimer(B)", "Terminated"));
  EXPECT_TRUE(t.terminated());
}

TEST_F(ClientInviteTransactionTest, AckBuilderFailureStillCompletesWithoutAck) {
  ClientInviteTransaction t(kInvite, sip::TransportKind::kUdp,
                            [](std::string_view, std::string_view) -> Result<std::string> {
                              return Status::InvalidArgument("no To");
                            });
  t.Start();
  EXPECT_THAT(
      Names(t.OnResponse(486, k486)),
      ElementsAre("PassToTu(486)", "CancelTimer(A)", "CancelTimer(B)", "StartTimer(D, 32000ms)"));
  EXPECT_THAT(t.OnResponse(486, k486), IsEmpty());
  EXPECT_EQ(t.state(), TransactionState::kCompleted);
}

TEST_F(ClientInviteTransactionTest, TransportErrorInCallingOrProceedingIsReported) {
  ClientInviteTransaction calling = Make(sip::TransportKind::kUdp);
  calling.Start();
  EXPECT_THAT(Names(calling.OnTransportError()),
              ElementsAre("TransportErrorToTu", "CancelTimer(A)", "CancelTimer(B)", "Terminated"));
  ClientInviteTransaction proceeding = Make(sip::TransportKind::kUdp);
  proceeding.Start();
  (void)proceeding.OnResponse(180, k180);
  EXPECT_THAT(Names(proceeding.OnTransportError()),
              ElementsAre("TransportErrorToTu", "Terminated"));
}

TEST_F(ClientInviteTransactionTest, TransportErrorSendingAckTerminatesQuietly) {
  ClientInviteTransaction t = Make(sip::TransportKind::kUdp);
  t.Start();
  (void)t.OnResponse(486, k486);
  EXPECT_THAT(Names(t.OnTransportError()), ElementsAre("CancelTimer(D)", "Terminated"));
}

TEST_F(ClientInviteTransactionTest, StaleTimersAndServerEventsAreIgnored) {
  ClientInviteTransaction t = Make(sip::TransportKind::kUdp);
  t.Start();
  (void)t.OnResponse(180, k180);
  EXPECT_THAT(t.OnTimer(TimerId::kA), IsEmpty());
  EXPECT_THAT(t.OnTimer(TimerId::kB), IsEmpty());
  EXPECT_THAT(t.OnTimer(TimerId::kD), IsEmpty());
  EXPECT_THAT(t.OnTuResponse(200, k200), IsEmpty());
  EXPECT_THAT(t.OnRequest(sip::Method::kAck, "ACK"), IsEmpty());
  EXPECT_THAT(t.OnResponse(0, k200), IsEmpty());
  EXPECT_EQ(t.state(), TransactionState::kProceeding);
}

}  // namespace
}  // namespace sipreg::txn
