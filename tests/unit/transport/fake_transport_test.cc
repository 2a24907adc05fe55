#include "transport/fake_transport.h"

#include <gtest/gtest.h>

#include <string>

#include "loopback_harness.h"
#include "sip/via.h"

namespace sipreg::transport {
namespace {

using sip::Endpoint;
using sip::TransportKind;
using testing::Recorder;
using testing::SampleRegister;

TEST(FakeTransportTest, RecordsSendsAndReusesStreamConnections) {
  FakeTransport t;
  const Endpoint udp{TransportKind::kUdp, "192.0.2.1", 5060};
  const Endpoint tcp{TransportKind::kTcp, "192.0.2.1", 5060};
  EXPECT_EQ(*t.Send(udp, "a"), 0u);
  Result<ConnectionId> c1 = t.Send(tcp, "b");
  Result<ConnectionId> c2 = t.Send(tcp, "c");
  ASSERT_TRUE(c1.ok() && c2.ok());
  EXPECT_NE(*c1, 0u);
  EXPECT_EQ(*c1, *c2);
  ASSERT_EQ(t.sent().size(), 3u);
  EXPECT_EQ(t.sent()[1].bytes, "b");
  EXPECT_EQ(t.sent()[2].conn, *c1);
  EXPECT_EQ(t.TakeSent().size(), 3u);
  EXPECT_TRUE(t.sent().empty());
}

TEST(FakeTransportTest, FailNextSendFailsOnlyOnce) {
  FakeTransport t;
  const Endpoint udp{TransportKind::kUdp, "192.0.2.1", 5060};
  t.FailNextSend(Status::Unavailable("down"));
  EXPECT_EQ(t.Send(udp, "a").status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(t.Send(udp, "a").ok());
  EXPECT_EQ(t.sent().size(), 1u);
}

TEST(FakeTransportTest, ReceivedRequestIsStampedLikeTheRealTransport) {
  FakeTransport t;
  Recorder r;
  r.Attach(t);
  const Endpoint source{TransportKind::kUdp, "198.51.100.7", 31337};
  t.Receive(SampleRegister("UDP", "fake-1"), source);
  ASSERT_EQ(r.messages.size(), 1u);
  Result<sip::Via> via = sip::ParseVia(r.messages[0].message.top_via());
  ASSERT_TRUE(via.ok());
  EXPECT_EQ(via->received(), "198.51.100.7");
  EXPECT_EQ(via->rport_value(), 31337);
  t.Receive("garbage", source);
  EXPECT_EQ(r.bad.size(), 1u);
}

TEST(FakeTransportTest, CloseNotifiesOnlyFromRunPending) {
  FakeTransport t;
  Recorder r;
  r.Attach(t);
  const ConnectionId conn = t.AcceptConnection(Endpoint{TransportKind::kTcp, "192.0.2.9", 40000});
  ASSERT_TRUE(t.Connection(conn).has_value());
  EXPECT_TRUE(t.Connection(conn)->inbound);
  t.Close(conn);
  EXPECT_TRUE(r.closed.empty());
  EXPECT_FALSE(t.Connection(conn).has_value());
  t.RunPending();
  ASSERT_EQ(r.closed.size(), 1u);
  EXPECT_EQ(r.closed[0].first.id, conn);
}

TEST(FakeTransportTest, PeerCloseAndSendFailuresReachTheHandlers) {
  FakeTransport t;
  Recorder r;
  r.Attach(t);
  const Endpoint tcp{TransportKind::kTcp, "192.0.2.1", 5060};
  int mine = 0;
  SendOptions options;
  options.on_failure = [&](const SendFailure&) { ++mine; };
  ConnectionId conn = *t.Send(tcp, "a", options);
  ASSERT_TRUE(t.Send(tcp, "b").ok());
  t.FailSent(0, Status::IoError("reset"));
  t.FailSent(1, Status::IoError("reset"));
  EXPECT_EQ(mine, 1);
  ASSERT_EQ(r.failures.size(), 1u);
  EXPECT_EQ(r.failures[0].conn, conn);
  t.PeerClosed(conn, Status::IoError("reset"));
  ASSERT_EQ(r.closed.size(), 1u);
  EXPECT_FALSE(r.closed[0].second.ok());
}

TEST(FakeTransportTest, ConnectReportsThroughRunPending) {
  FakeTransport t;
  std::optional<Result<ConnectionInfo>> got;
  Result<ConnectionId> conn = t.Connect(Endpoint{TransportKind::kTls, "192.0.2.1", 5061},
                                        [&](const Result<ConnectionInfo>& r) { got = r; });
  ASSERT_TRUE(conn.ok());
  EXPECT_FALSE(got.has_value());
  t.RunPending();
  ASSERT_TRUE(got.has_value() && got->ok());
  EXPECT_EQ((*got)->id, *conn);
  EXPECT_EQ(t.Connect(Endpoint{TransportKind::kUdp, "192.0.2.1", 5060}, {}).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sipreg::transport
