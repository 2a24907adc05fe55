#include "transaction/transaction_table.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "sip_text.h"
#include "transaction/ack_builder.h"
#include "transaction/client_invite_transaction.h"
#include "transaction/client_non_invite_transaction.h"
#include "transaction_driver.h"

namespace sipreg::txn {
namespace {

using testing::Crlf;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using testing::Names;
using testing::ParseOrDie;
using ::testing::StartsWith;

constexpr char kBranch[] = "z9hG4bKnashds7";

std::string Request(std::string_view method, std::string_view via_tail = "") {
  return Crlf(std::string(method) + " sip:example.com SIP/2.0\n" +
              "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=" + kBranch + std::string(via_tail) +
              "\nMax-Forwards: 70\nTo: <sip:alice@example.com>\n"
              "From: <sip:alice@example.com>;tag=456248\nCall-ID: 843817637684230@127.0.0.1\n"
              "CSeq: 1826 " +
              std::string(method) + "\nContent-Length: 0\n\n");
}

std::string Response(int code, std::string_view reason, std::string_view method,
                     std::string_view branch = kBranch) {
  return Crlf("SIP/2.0 " + std::to_string(code) + " " + std::string(reason) +
              "\nVia: SIP/2.0/UDP 127.0.0.1:5070;branch=" + std::string(branch) +
              "\nTo: <sip:alice@example.com>;tag=2493k59kd\n"
              "From: <sip:alice@example.com>;tag=456248\nCall-ID: 843817637684230@127.0.0.1\n"
              "CSeq: 1826 " +
              std::string(method) + "\nContent-Length: 0\n\n");
}

TEST(TransactionTableTest, ClientRegisterRoundTrip) {
  TransactionTable table;
  const TransactionKey key = ClientKey(kBranch, "REGISTER");
  Result<Actions> started = table.Add(key, std::make_unique<ClientNonInviteTransaction>(
                                               Request("REGISTER"), sip::TransportKind::kUdp));
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  EXPECT_THAT(Names(*started),
              ElementsAre(StartsWith("Send("), "StartTimer(E, 500ms)", "StartTimer(F, 32000ms)"));
  EXPECT_EQ(table.size(), 1u);

  Result<RoutedActions> trying = table.OnResponse(ParseOrDie(Response(100, "Trying", "REGISTER")));
  ASSERT_TRUE(trying.ok()) << trying.status().ToString();
  EXPECT_EQ(trying->key, key);
  EXPECT_THAT(Names(trying->actions), ElementsAre("PassToTu(100)"));
  EXPECT_EQ(table.Find(key)->state(), TransactionState::kProceeding);

  Result<RoutedActions> ok = table.OnResponse(ParseOrDie(Response(200, "OK", "REGISTER")));
  ASSERT_TRUE(ok.ok());
  EXPECT_THAT(Names(ok->actions), ElementsAre("PassToTu(200)", "CancelTimer(E)", "CancelTimer(F)",
                                              "StartTimer(K, 5000ms)"));
  // The retransmitted 200 is absorbed by the Completed transaction.
  Result<RoutedActions> again = table.OnResponse(ParseOrDie(Response(200, "OK", "REGISTER")));
  ASSERT_TRUE(again.ok());
  EXPECT_THAT(again->actions, IsEmpty());

  // Timer K ends it and the table lets go of it.
  Result<Actions> k = table.Dispatch(key, Event::TimerFired(TimerId::kK));
  ASSERT_TRUE(k.ok());
  EXPECT_THAT(Names(*k), ElementsAre("Terminated"));
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.Find(key), nullptr);
  EXPECT_EQ(table.OnResponse(ParseOrDie(Response(200, "OK", "REGISTER"))).status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(table.Dispatch(key, Event::TimerFired(TimerId::kE)).status().code(),
            StatusCode::kNotFound)
      << "a late timer for a dropped transaction is harmless";
}

TEST(TransactionTableTest, TransactionTerminatedByAnEventIsDropped) {
  TransactionTable table;
  const TransactionKey key = ClientKey(kBranch, "OPTIONS");
  ASSERT_TRUE(table
                  .Add(key, std::make_unique<ClientNonInviteTransaction>(Request("OPTIONS"),
                                                                         sip::TransportKind::kTcp))
                  .ok());
  Result<RoutedActions> ok = table.OnResponse(ParseOrDie(Response(200, "OK", "OPTIONS")));
  ASSERT_TRUE(ok.ok());
  EXPECT_THAT(Names(ok->actions), ElementsAre("PassToTu(200)", "CancelTimer(F)", "Terminated"));
  EXPECT_EQ(table.size(), 0u);
}

TEST(TransactionTableTest, StrayResponsesAreNotFound) {
  TransactionTable table;
  ASSERT_TRUE(table
                  .Add(ClientKey(kBranch, "INVITE"),
                       std::make_unique<ClientInviteTransaction>(
                           Request("INVITE"), sip::TransportKind::kUdp, BuildAckForNon2xx))
                  .ok());
  // Same branch, other method (the response to a CANCEL).
  EXPECT_EQ(table.OnResponse(ParseOrDie(Response(200, "OK", "CANCEL"))).status().code(),
            StatusCode::kNotFound);
  // Other branch.
  EXPECT_EQ(
      table.OnResponse(ParseOrDie(Response(200, "OK", "INVITE", "z9hG4bKzzz"))).status().code(),
      StatusCode::kNotFound);
  // A request is never routed to a client transaction.
  EXPECT_EQ(table.OnRequest(ParseOrDie(Request("INVITE"))).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(table.size(), 1u);
}

TEST(TransactionTableTest, ClientInviteFailureIsAckedWithTheStandardBuilder) {
  TransactionTable table;
  const TransactionKey key = ClientKey(kBranch, "INVITE");
  ASSERT_TRUE(table
                  .Add(key, std::make_unique<ClientInviteTransaction>(
                                Request("INVITE"), sip::TransportKind::kUdp, BuildAckForNon2xx))
                  .ok());
  Result<RoutedActions> busy = table.OnResponse(ParseOrDie(Response(486, "Busy Here", "INVITE")));
  ASSERT_TRUE(busy.ok());
  ASSERT_THAT(Names(busy->actions),
              ElementsAre("PassToTu(486)", StartsWith("Send("), "CancelTimer(A)", "CancelTimer(B)",
                          "StartTimer(D, 32000ms)"));
  sip::Message ack = ParseOrDie(busy->actions[1].bytes);
  EXPECT_EQ(ack.method(), sip::Method::kAck);
  EXPECT_EQ(ack.to(), "<sip:alice@example.com>;tag=2493k59kd");
  EXPECT_EQ(ack.cseq(), "1826 ACK");
  // The ACK finds the matching server transaction on the other side.
  TransactionTable server;
  Result<RoutedActions> created =
      server.AddServer(ParseOrDie(Request("INVITE")), sip::TransportKind::kUdp);
  ASSERT_TRUE(created.ok());
  ASSERT_TRUE(
      server.Dispatch(created->key, Event::TuResponse(486, Response(486, "Busy", "INVITE"))).ok());
  Result<RoutedActions> acked = server.OnRequest(ack);
  ASSERT_TRUE(acked.ok()) << acked.status().ToString();
  EXPECT_EQ(acked->key, created->key);
  EXPECT_EQ(server.Find(created->key)->state(), TransactionState::kConfirmed);
}

TEST(TransactionTableTest, ServerNonInviteLifecycle) {
  TransactionTable table;
  sip::Message reg = ParseOrDie(Request("REGISTER"));
  EXPECT_EQ(table.OnRequest(reg).status().code(), StatusCode::kNotFound) << "a new request";
  Result<RoutedActions> created = table.AddServer(reg, sip::TransportKind::kUdp);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_THAT(Names(created->actions), ElementsAre("PassToTu(request)"));
  EXPECT_EQ(created->actions[0].bytes, reg.raw());
  EXPECT_EQ(table.Find(created->key)->kind(), TransactionKind::kServerNonInvite);
  EXPECT_EQ(table.AddServer(reg, sip::TransportKind::kUdp).status().code(),
            StatusCode::kAlreadyExists);

  Result<RoutedActions> retrans = table.OnRequest(ParseOrDie(Request("REGISTER")));
  ASSERT_TRUE(retrans.ok());
  EXPECT_THAT(retrans->actions, IsEmpty()) << "absorbed in Trying";

  const std::string ok = Response(200, "OK", "REGISTER");
  Result<Actions> sent = table.Dispatch(created->key, Event::TuResponse(200, ok));
  ASSERT_TRUE(sent.ok());
  EXPECT_THAT(Names(*sent), ElementsAre(StartsWith("Send("), "StartTimer(J, 32000ms)"));

  retrans = table.OnRequest(ParseOrDie(Request("REGISTER")));
  ASSERT_TRUE(retrans.ok());
  ASSERT_EQ(retrans->actions.size(), 1u);
  EXPECT_EQ(retrans->actions[0].bytes, ok) << "the final response is re-sent";

  ASSERT_TRUE(table.Dispatch(created->key, Event::TimerFired(TimerId::kJ)).ok());
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.OnRequest(reg).status().code(), StatusCode::kNotFound);
}

TEST(TransactionTableTest, ServerInviteAndCancelAreSeparateTransactions) {
  TransactionTable table;
  Result<RoutedActions> invite = table.AddServer(
      ParseOrDie(Request("INVITE")), sip::TransportKind::kUdp, Response(100, "Trying", "INVITE"));
  ASSERT_TRUE(invite.ok());
  EXPECT_THAT(Names(invite->actions),
              ElementsAre("PassToTu(request)", "StartTimer(Trying, 200ms)"));
  EXPECT_EQ(table.Find(invite->key)->kind(), TransactionKind::kServerInvite);

  sip::Message cancel = ParseOrDie(Request("CANCEL"));
  EXPECT_EQ(table.OnRequest(cancel).status().code(), StatusCode::kNotFound);
  Result<RoutedActions> cancel_txn = table.AddServer(cancel, sip::TransportKind::kUdp);
  ASSERT_TRUE(cancel_txn.ok());
  EXPECT_NE(cancel_txn->key, invite->key);
  EXPECT_EQ(table.Find(cancel_txn->key)->kind(), TransactionKind::kServerNonInvite);
  EXPECT_EQ(table.size(), 2u);

  // An ACK before any final response is routed to the INVITE and ignored.
  Result<RoutedActions> early_ack = table.OnRequest(ParseOrDie(Request("ACK")));
  ASSERT_TRUE(early_ack.ok());
  EXPECT_EQ(early_ack->key, invite->key);
  EXPECT_THAT(early_ack->actions, IsEmpty());
}

TEST(TransactionTableTest, AckForA2xxFindsNoTransaction) {
  TransactionTable table;
  Result<RoutedActions> invite =
      table.AddServer(ParseOrDie(Request("INVITE")), sip::TransportKind::kUdp);
  ASSERT_TRUE(invite.ok());
  Result<Actions> ok = table.Dispatch(invite->key, Event::TuResponse(200, "SIP/2.0 200 OK\r\n"));
  ASSERT_TRUE(ok.ok());
  EXPECT_THAT(Names(*ok), ElementsAre(StartsWith("Send("), "Terminated"));
  EXPECT_EQ(table.OnRequest(ParseOrDie(Request("ACK", "x"))).status().code(),
            StatusCode::kNotFound);
}

TEST(TransactionTableTest, RejectsBadAdds) {
  TransactionTable table;
  const TransactionKey key = ClientKey(kBranch, "REGISTER");
  EXPECT_EQ(table.Add(key, nullptr).status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(table
                  .Add(key, std::make_unique<ClientNonInviteTransaction>(Request("REGISTER"),
                                                                         sip::TransportKind::kUdp))
                  .ok());
  auto duplicate =
      std::make_unique<ClientNonInviteTransaction>(Request("REGISTER"), sip::TransportKind::kUdp);
  EXPECT_EQ(table.Add(key, std::move(duplicate)).status().code(), StatusCode::kAlreadyExists);

  auto started =
      std::make_unique<ClientNonInviteTransaction>(Request("REGISTER"), sip::TransportKind::kUdp);
  (void)started->Start();
  EXPECT_EQ(table.Add(ClientKey("z9hG4bKother", "REGISTER"), std::move(started)).status().code(),
            StatusCode::kInvalidArgument);

  EXPECT_EQ(table.AddServer(ParseOrDie(Request("ACK")), sip::TransportKind::kUdp).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(
      table.Dispatch(ClientKey("z9hG4bKnone", "BYE"), Event::TransportError()).status().code(),
      StatusCode::kNotFound);
  EXPECT_EQ(table.size(), 1u);
}

TEST(TransactionTableTest, TransportErrorEndsTheTransaction) {
  TransactionTable table;
  const TransactionKey key = ClientKey(kBranch, "REGISTER");
  ASSERT_TRUE(table
                  .Add(key, std::make_unique<ClientNonInviteTransaction>(Request("REGISTER"),
                                                                         sip::TransportKind::kTcp))
                  .ok());
  Result<Actions> a = table.Dispatch(key, Event::TransportError());
  ASSERT_TRUE(a.ok());
  EXPECT_THAT(Names(*a), ElementsAre("TransportErrorToTu", "CancelTimer(F)", "Terminated"));
  EXPECT_EQ(table.size(), 0u);
}

}  // namespace
}  // namespace sipreg::txn
