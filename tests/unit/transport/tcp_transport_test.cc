// AsioTransport over TCP on loopback: framing, keep-alives, connection reuse,
// closes and limits.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "loopback_harness.h"
#include "sip/serializer.h"
#include "transport/asio_transport.h"

namespace sipreg::transport {
namespace {

using namespace testing;
using sip::Endpoint;
using sip::TransportKind;

class TcpTransportTest : public ::testing::Test {
 protected:
  void StartServer(TransportOptions options = {}, const std::string& ip = "127.0.0.1") {
    server_ = std::make_unique<AsioTransport>(io_, std::move(options));
    at_server_.Attach(*server_);
    Result<Endpoint> ep = server_->Listen(TransportKind::kTcp, ip, 0);
    ASSERT_TRUE(ep.ok()) << ep.status().ToString();
    server_ep_ = *ep;
  }

  asio::io_context io_;
  std::unique_ptr<AsioTransport> server_;
  Recorder at_server_;
  Endpoint server_ep_;
};

TEST_F(TcpTransportTest, MessageSplitOverSeveralWritesArrivesWhole) {
  StartServer();
  EXPECT_EQ(server_ep_.transport, TransportKind::kTcp);
  EXPECT_NE(server_ep_.port, 0);
  RawTcpPeer peer(io_);
  ASSERT_TRUE(peer.Connect(server_ep_));
  const std::string msg = SampleRegister("TCP", "split", "hello body");
  const size_t cuts[] = {0, 7, 60, msg.size() - 3, msg.size()};
  for (size_t i = 0; i + 1 < std::size(cuts); ++i) {
    peer.Write(std::string_view(msg).substr(cuts[i], cuts[i + 1] - cuts[i]));
    RunFor(io_, 5ms);
    if (i + 2 < std::size(cuts)) {
      EXPECT_TRUE(at_server_.messages.empty()) << "delivered before the last piece";
    }
  }
  ASSERT_TRUE(RunUntil(io_, [&] { return !at_server_.messages.empty(); }));
  ASSERT_EQ(at_server_.messages.size(), 1u);
  const ReceivedMessage& m = at_server_.messages.front();
  EXPECT_EQ(m.message.call_id(), "split");
  EXPECT_EQ(m.message.body(), "hello body");
  EXPECT_NE(m.conn, 0u);
  EXPECT_EQ(m.source, (Endpoint{TransportKind::kTcp, "127.0.0.1", peer.local_port()}));
  EXPECT_EQ(m.local, server_ep_);
  ASSERT_TRUE(server_->Connection(m.conn).has_value());
  EXPECT_TRUE(server_->Connection(m.conn)->inbound);
}

TEST_F(TcpTransportTest, TwoPipelinedMessagesInOneWriteArriveInOrder) {
  StartServer();
  RawTcpPeer peer(io_);
  ASSERT_TRUE(peer.Connect(server_ep_));
  peer.Write(SampleRegister("TCP", "first") + SampleRegister("TCP", "second", "xyz"));
  ASSERT_TRUE(RunUntil(io_, [&] { return at_server_.messages.size() == 2; }));
  EXPECT_EQ(at_server_.messages[0].message.call_id(), "first");
  EXPECT_EQ(at_server_.messages[1].message.call_id(), "second");
  EXPECT_EQ(at_server_.messages[1].message.body(), "xyz");
  EXPECT_EQ(at_server_.messages[0].conn, at_server_.messages[1].conn);
}

TEST_F(TcpTransportTest, DoubleCrlfKeepAliveIsAnsweredWithSingleCrlf) {
  StartServer();
  RawTcpPeer peer(io_);
  ASSERT_TRUE(peer.Connect(server_ep_));
  peer.Write("\r\n\r\n");
  EXPECT_EQ(peer.ReadAtLeast(io_, 2), "\r\n");
  RunFor(io_, 20ms);
  EXPECT_EQ(peer.received(), "\r\n");  // one CRLF, not two
  // The connection is still usable.
  peer.Write(SampleRegister("TCP", "after-ping"));
  ASSERT_TRUE(RunUntil(io_, [&] { return !at_server_.messages.empty(); }));
  EXPECT_EQ(at_server_.messages.front().message.call_id(), "after-ping");
  EXPECT_TRUE(at_server_.closed.empty());
}

TEST_F(TcpTransportTest, MalformedStreamIsReportedAndClosesTheConnection) {
  StartServer();
  RawTcpPeer peer(io_);
  ASSERT_TRUE(peer.Connect(server_ep_));
  peer.Write("REGISTER sip:example.com SIP/2.0\r\nContent-Length: banana\r\n\r\n");
  EXPECT_TRUE(peer.WaitForEof(io_));
  ASSERT_TRUE(RunUntil(io_, [&] { return !at_server_.closed.empty(); }));
  ASSERT_EQ(at_server_.bad.size(), 1u);
  EXPECT_NE(at_server_.bad.front().conn, 0u);
  EXPECT_EQ(at_server_.closed.front().first.id, at_server_.bad.front().conn);
  EXPECT_FALSE(at_server_.closed.front().second.ok());
  EXPECT_TRUE(at_server_.messages.empty());
  EXPECT_EQ(server_->connection_count(), 0u);
}

// A handler that throws while reading a connection ends that connection (its
// state is unknown), not the event loop; other connections go on.
TEST_F(TcpTransportTest, AHandlerThatThrowsClosesOnlyItsConnection) {
  StartServer();
  server_->SetMessageHandler([&](ReceivedMessage m) {
    if (m.message.call_id() == "boom") throw std::runtime_error("handler failed");
    at_server_.messages.push_back(std::move(m));
  });
  RawTcpPeer bad(io_);
  RawTcpPeer good(io_);
  ASSERT_TRUE(bad.Connect(server_ep_));
  ASSERT_TRUE(good.Connect(server_ep_));
  bad.Write(SampleRegister("TCP", "boom"));
  EXPECT_TRUE(bad.WaitForEof(io_));  // no exception reaches the loop's caller
  ASSERT_TRUE(RunUntil(io_, [&] { return !at_server_.closed.empty(); }));
  EXPECT_EQ(at_server_.closed.front().second.code(), StatusCode::kInternal);
  EXPECT_NE(at_server_.closed.front().second.message().find("handler failed"), std::string::npos);
  good.Write(SampleRegister("TCP", "fine"));
  ASSERT_TRUE(RunUntil(io_, [&] { return !at_server_.messages.empty(); }));
  EXPECT_EQ(at_server_.messages.front().message.call_id(), "fine");
  EXPECT_EQ(server_->connection_count(), 1u);
}

TEST_F(TcpTransportTest, ResponseGoesBackOnTheRequestsConnection) {
  StartServer();
  AsioTransport client(io_, {});
  Recorder at_client;
  at_client.Attach(client);
  Result<ConnectionId> conn = client.Send(server_ep_, SampleRegister("TCP", "same-conn"));
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  EXPECT_NE(*conn, 0u);
  ASSERT_TRUE(RunUntil(io_, [&] { return !at_server_.messages.empty(); }));
  const ReceivedMessage& request = at_server_.messages.front();

  // Route to a wrong address on purpose: the connection hint must win.
  SendOptions options;
  options.connection = request.conn;
  Result<ConnectionId> reply =
      server_->Send(Endpoint{TransportKind::kTcp, "127.0.0.1", 9},
                    sip::MakeResponse(request.message, 200).Build(), std::move(options));
  ASSERT_TRUE(reply.ok()) << reply.status().ToString();
  EXPECT_EQ(*reply, request.conn);
  ASSERT_TRUE(RunUntil(io_, [&] { return !at_client.messages.empty(); }));
  EXPECT_EQ(at_client.messages.front().message.status_code(), 200);
  EXPECT_EQ(at_client.messages.front().conn, *conn);
  EXPECT_EQ(server_->connection_count(), 1u);
  EXPECT_TRUE(at_server_.failures.empty());
}

TEST_F(TcpTransportTest, SecondSendToTheSamePeerReusesTheConnection) {
  StartServer();
  AsioTransport client(io_, {});
  Result<ConnectionId> a = client.Send(server_ep_, SampleRegister("TCP", "reuse-1"));
  Result<ConnectionId> b = client.Send(server_ep_, SampleRegister("TCP", "reuse-2"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  ASSERT_TRUE(RunUntil(io_, [&] { return at_server_.messages.size() == 2; }));
  EXPECT_EQ(at_server_.messages[0].message.call_id(), "reuse-1");
  EXPECT_EQ(at_server_.messages[1].message.call_id(), "reuse-2");
  EXPECT_EQ(client.connection_count(), 1u);
  EXPECT_EQ(server_->connection_count(), 1u);
}

TEST_F(TcpTransportTest, ServerCanSendToTheClientsAddressOverTheAcceptedConnection) {
  StartServer();
  AsioTransport client(io_, {});
  Recorder at_client;
  at_client.Attach(client);
  ASSERT_TRUE(client.Send(server_ep_, SampleRegister("TCP", "hello")).ok());
  ASSERT_TRUE(RunUntil(io_, [&] { return !at_server_.messages.empty(); }));
  // Without a hint, the peer address alone finds the accepted connection.
  Result<ConnectionId> back =
      server_->Send(at_server_.messages.front().source, SampleRegister("TCP", "reverse"));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, at_server_.messages.front().conn);
  ASSERT_TRUE(RunUntil(io_, [&] { return !at_client.messages.empty(); }));
  EXPECT_EQ(at_client.messages.front().message.call_id(), "reverse");
}

TEST_F(TcpTransportTest, ClosingAConnectionFiresClosedOnBothSides) {
  StartServer();
  AsioTransport client(io_, {});
  Recorder at_client;
  at_client.Attach(client);
  Result<ConnectionId> conn = client.Send(server_ep_, SampleRegister("TCP", "bye"));
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(RunUntil(io_, [&] { return !at_server_.messages.empty(); }));
  const ConnectionId server_side = at_server_.messages.front().conn;

  client.Close(*conn);
  EXPECT_FALSE(client.Connection(*conn).has_value());
  EXPECT_TRUE(at_client.closed.empty()) << "handlers never run inside a call";
  ASSERT_TRUE(
      RunUntil(io_, [&] { return !at_server_.closed.empty() && !at_client.closed.empty(); }));
  EXPECT_EQ(at_client.closed.front().first.id, *conn);
  EXPECT_TRUE(at_client.closed.front().second.ok());
  EXPECT_EQ(at_server_.closed.front().first.id, server_side);
  EXPECT_TRUE(at_server_.closed.front().second.ok()) << at_server_.closed.front().second.ToString();
  EXPECT_TRUE(at_server_.closed.front().first.inbound);
  EXPECT_EQ(server_->connection_count(), 0u);
  client.Close(*conn);  // already closed: ignored
  RunFor(io_, 10ms);
  EXPECT_EQ(at_client.closed.size(), 1u);
}

// A port nothing listens on: bind one, read it, close it.
uint16_t UnusedTcpPort(asio::io_context& io) {
  asio::ip::tcp::acceptor a(io, asio::ip::tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  return a.local_endpoint().port();
}

TEST_F(TcpTransportTest, RefusedConnectReportsTheSendFailureAndTheClose) {
  AsioTransport client(io_, {});
  Recorder at_client;
  at_client.Attach(client);
  const Endpoint nowhere{TransportKind::kTcp, "127.0.0.1", UnusedTcpPort(io_)};
  std::vector<SendFailure> mine;
  SendOptions options;
  options.on_failure = [&](const SendFailure& f) { mine.push_back(f); };
  Result<ConnectionId> conn = client.Send(nowhere, SampleRegister("TCP", "refused"), options);
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(RunUntil(io_, [&] { return !mine.empty() && !at_client.closed.empty(); }));
  EXPECT_EQ(mine.front().conn, *conn);
  EXPECT_EQ(mine.front().destination, nowhere);
  EXPECT_EQ(mine.front().status.code(), StatusCode::kUnavailable);
  EXPECT_TRUE(at_client.failures.empty()) << "per-send callback takes precedence";
  // Without a per-send callback, the error handler hears about it.
  ASSERT_TRUE(client.Send(nowhere, SampleRegister("TCP", "refused-2")).ok());
  ASSERT_TRUE(RunUntil(io_, [&] { return !at_client.failures.empty(); }));
  EXPECT_EQ(client.connection_count(), 0u);
}

TEST_F(TcpTransportTest, ConnectReportsTheConnectionOnceUsable) {
  StartServer();
  AsioTransport client(io_, {});
  std::optional<Result<ConnectionInfo>> result;
  Result<ConnectionId> conn =
      client.Connect(server_ep_, [&](const Result<ConnectionInfo>& r) { result = r; });
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(RunUntil(io_, [&] { return result.has_value(); }));
  ASSERT_TRUE(result->ok()) << result->status().ToString();
  EXPECT_EQ((*result)->id, *conn);
  EXPECT_EQ((*result)->peer, server_ep_);
  EXPECT_EQ((*result)->local.ip, "127.0.0.1");
  EXPECT_NE((*result)->local.port, 0);
  EXPECT_FALSE((*result)->inbound);
  // Connecting again reuses it and reports at once.
  std::optional<Result<ConnectionInfo>> again;
  Result<ConnectionId> conn2 =
      client.Connect(server_ep_, [&](const Result<ConnectionInfo>& r) { again = r; });
  ASSERT_TRUE(conn2.ok());
  EXPECT_EQ(*conn2, *conn);
  ASSERT_TRUE(RunUntil(io_, [&] { return again.has_value(); }));
  EXPECT_TRUE(again->ok());
}

TEST_F(TcpTransportTest, ClosingBeforeConnectedFailsQueuedSends) {
  StartServer();
  AsioTransport client(io_, {});
  Recorder at_client;
  at_client.Attach(client);
  Result<ConnectionId> conn = client.Send(server_ep_, SampleRegister("TCP", "never"));
  ASSERT_TRUE(conn.ok());
  client.Close(*conn);
  ASSERT_TRUE(RunUntil(io_, [&] { return !at_client.failures.empty(); }));
  EXPECT_EQ(at_client.failures.front().status.code(), StatusCode::kUnavailable);
  ASSERT_TRUE(RunUntil(io_, [&] { return !at_client.closed.empty(); }));
  RunFor(io_, 20ms);
  EXPECT_TRUE(at_server_.messages.empty());
}

TEST_F(TcpTransportTest, IdleConnectionIsClosedAfterTheTimeout) {
  TransportOptions options;
  options.idle_timeout = 100ms;
  StartServer(options);
  RawTcpPeer peer(io_);
  ASSERT_TRUE(peer.Connect(server_ep_));
  const auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(RunUntil(
      io_, [&] { return !at_server_.closed.empty(); }, 1000ms));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 90ms);
  EXPECT_EQ(at_server_.closed.front().second.code(), StatusCode::kTimeout);
  EXPECT_TRUE(peer.WaitForEof(io_));
}

TEST_F(TcpTransportTest, ConnectionsBeyondTheLimitAreRefused) {
  TransportOptions options;
  options.max_connections = 1;
  StartServer(options);
  RawTcpPeer first(io_);
  ASSERT_TRUE(first.Connect(server_ep_));
  ASSERT_TRUE(RunUntil(io_, [&] { return server_->connection_count() == 1; }));
  RawTcpPeer second(io_);
  ASSERT_TRUE(second.Connect(server_ep_));
  EXPECT_TRUE(second.WaitForEof(io_));
  EXPECT_EQ(server_->connection_count(), 1u);
  // The first one still works.
  first.Write(SampleRegister("TCP", "still-here"));
  ASSERT_TRUE(RunUntil(io_, [&] { return !at_server_.messages.empty(); }));

  AsioTransport client(io_, options);
  ASSERT_TRUE(client.Send(server_ep_, "x").ok());
  EXPECT_EQ(client.Send(Endpoint{TransportKind::kTcp, "127.0.0.1", 9}, "x").status().code(),
            StatusCode::kLimitExceeded);
}

TEST_F(TcpTransportTest, RoundTripOverIpv6) {
  if (!Ipv6LoopbackAvailable()) GTEST_SKIP() << "::1 cannot be bound here";
  StartServer({}, "::1");
  EXPECT_EQ(server_ep_.ip, "::1");
  AsioTransport client(io_, {});
  Recorder at_client;
  at_client.Attach(client);
  ASSERT_TRUE(client.Send(server_ep_, SampleRegister("TCP", "v6")).ok());
  ASSERT_TRUE(RunUntil(io_, [&] { return !at_server_.messages.empty(); }));
  const ReceivedMessage& request = at_server_.messages.front();
  EXPECT_EQ(request.source.ip, "::1");
  SendOptions options;
  options.connection = request.conn;
  ASSERT_TRUE(
      server_->Send(request.source, sip::MakeResponse(request.message, 200).Build(), options).ok());
  ASSERT_TRUE(RunUntil(io_, [&] { return !at_client.messages.empty(); }));
  EXPECT_EQ(at_client.messages.front().message.status_code(), 200);
}

}  // namespace
}  // namespace sipreg::transport
