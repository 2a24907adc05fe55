// AsioTransport over TLS on loopback with a self-signed certificate made at
// test time: round trip, certificate verification choices, keep-alive.
#include <gtest/gtest.h>

#include <string>

#include "loopback_harness.h"
#include "self_signed_cert.h"
#include "sip/serializer.h"
#include "transport/asio_transport.h"

namespace sipreg::transport {
namespace {

using namespace testing;
using sip::Endpoint;
using sip::TransportKind;

class TlsTransportTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { cert_ = new SelfSignedCert(MakeSelfSignedCert()); }
  static void TearDownTestSuite() {
    RemoveSelfSignedCert(*cert_);
    delete cert_;
    cert_ = nullptr;
  }

  void SetUp() override {
    ASSERT_FALSE(cert_->cert_file.empty()) << "could not create a test certificate";
  }

  void StartServer(const std::string& ip = "127.0.0.1") {
    TransportOptions options;
    options.tls_server = TlsServerConfig{cert_->cert_file, cert_->key_file};
    server_ = std::make_unique<AsioTransport>(io_, std::move(options));
    at_server_.Attach(*server_);
    Result<Endpoint> ep = server_->Listen(TransportKind::kTls, ip, 0);
    ASSERT_TRUE(ep.ok()) << ep.status().ToString();
    server_ep_ = *ep;
  }

  std::unique_ptr<AsioTransport> Client(TlsClientConfig tls) {
    TransportOptions options;
    options.tls_client = std::move(tls);
    options.connect_timeout = 1000ms;
    return std::make_unique<AsioTransport>(io_, std::move(options));
  }

  // Connects and returns the outcome.
  Result<ConnectionInfo> ConnectWith(AsioTransport& client, const std::string& server_name = {}) {
    std::optional<Result<ConnectionInfo>> result;
    Result<ConnectionId> id = client.Connect(
        server_ep_, [&](const Result<ConnectionInfo>& r) { result = r; }, server_name);
    if (!id.ok()) return id.status();
    if (!RunUntil(io_, [&] { return result.has_value(); })) {
      return Status::Timeout("test: no Connect() result");
    }
    return *result;
  }

  static SelfSignedCert* cert_;
  asio::io_context io_;
  std::unique_ptr<AsioTransport> server_;
  Recorder at_server_;
  Endpoint server_ep_;
};

SelfSignedCert* TlsTransportTest::cert_ = nullptr;

TEST_F(TlsTransportTest, RoundTripWithVerificationExplicitlyOff) {
  StartServer();
  EXPECT_EQ(server_ep_.transport, TransportKind::kTls);
  auto client = Client(TlsClientConfig{/*verify_peer=*/false, {}});
  Recorder at_client;
  at_client.Attach(*client);

  Result<ConnectionId> conn = client->Send(server_ep_, SampleRegister("TLS", "tls-rt"));
  ASSERT_TRUE(conn.ok()) << conn.status().ToString();
  ASSERT_TRUE(RunUntil(io_, [&] { return !at_server_.messages.empty(); }));
  const ReceivedMessage& request = at_server_.messages.front();
  EXPECT_EQ(request.message.call_id(), "tls-rt");
  EXPECT_EQ(request.source.transport, TransportKind::kTls);
  EXPECT_EQ(request.local, server_ep_);

  SendOptions options;
  options.connection = request.conn;
  ASSERT_TRUE(server_
                  ->Send(request.source, sip::MakeResponse(request.message, 200).Build(),
                         std::move(options))
                  .ok());
  ASSERT_TRUE(RunUntil(io_, [&] { return !at_client.messages.empty(); }));
  EXPECT_EQ(at_client.messages.front().message.status_code(), 200);
  EXPECT_EQ(at_client.messages.front().conn, *conn);
  EXPECT_EQ(at_client.messages.front().source, server_ep_);
  EXPECT_TRUE(at_client.failures.empty());
}

TEST_F(TlsTransportTest, DefaultClientRejectsASelfSignedCertificate) {
  StartServer();
  auto client = Client(TlsClientConfig{});  // verify against the system CAs
  Recorder at_client;
  at_client.Attach(*client);
  Result<ConnectionInfo> r = ConnectWith(*client);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable) << r.status().ToString();
  ASSERT_TRUE(RunUntil(io_, [&] { return !at_client.closed.empty(); }));
  EXPECT_FALSE(at_client.closed.front().second.ok());
  RunFor(io_, 20ms);
  EXPECT_TRUE(at_server_.messages.empty());
}

TEST_F(TlsTransportTest, ClientTrustingTheCertificateVerifiesByIp) {
  StartServer();
  auto client = Client(TlsClientConfig{true, cert_->cert_file});
  Result<ConnectionInfo> r = ConnectWith(*client);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->peer, server_ep_);
}

TEST_F(TlsTransportTest, ClientChecksTheServerName) {
  StartServer();
  auto good = Client(TlsClientConfig{true, cert_->cert_file});
  Result<ConnectionInfo> ok = ConnectWith(*good, "localhost");
  EXPECT_TRUE(ok.ok()) << ok.status().ToString();

  auto bad = Client(TlsClientConfig{true, cert_->cert_file});
  Result<ConnectionInfo> wrong = ConnectWith(*bad, "sip.example.com");
  EXPECT_FALSE(wrong.ok());
}

TEST_F(TlsTransportTest, KeepAlivePingOverTlsLeavesTheConnectionUsable) {
  StartServer();
  auto client = Client(TlsClientConfig{false, {}});
  Recorder at_client;
  at_client.Attach(*client);
  ASSERT_TRUE(client->Send(server_ep_, "\r\n\r\n").ok());
  // The pong is a lone CRLF: the client's framer consumes it silently.
  ASSERT_TRUE(client->Send(server_ep_, SampleRegister("TLS", "after-ping")).ok());
  ASSERT_TRUE(RunUntil(io_, [&] { return !at_server_.messages.empty(); }));
  RunFor(io_, 20ms);
  EXPECT_TRUE(at_client.bad.empty());
  EXPECT_TRUE(at_client.closed.empty());
  EXPECT_TRUE(at_server_.closed.empty());
}

TEST_F(TlsTransportTest, PlainTcpClientAtATlsListenerTimesOutOrFails) {
  TransportOptions options;
  options.tls_server = TlsServerConfig{cert_->cert_file, cert_->key_file};
  options.connect_timeout = 100ms;
  server_ = std::make_unique<AsioTransport>(io_, std::move(options));
  at_server_.Attach(*server_);
  Result<Endpoint> ep = server_->Listen(TransportKind::kTls, "127.0.0.1", 0);
  ASSERT_TRUE(ep.ok());
  RawTcpPeer peer(io_);
  ASSERT_TRUE(peer.Connect(*ep));  // never starts a handshake
  ASSERT_TRUE(RunUntil(
      io_, [&] { return !at_server_.closed.empty(); }, 1000ms));
  EXPECT_EQ(at_server_.closed.front().second.code(), StatusCode::kTimeout);
}

TEST_F(TlsTransportTest, ListenWithoutCertificateIsInvalidArgument) {
  AsioTransport t(io_, {});
  EXPECT_EQ(t.Listen(TransportKind::kTls, "127.0.0.1", 0).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(TlsTransportTest, ListenWithMissingKeyFileIsInvalidArgument) {
  TransportOptions options;
  options.tls_server = TlsServerConfig{cert_->cert_file, cert_->dir + "/missing.pem"};
  AsioTransport t(io_, std::move(options));
  EXPECT_EQ(t.Listen(TransportKind::kTls, "127.0.0.1", 0).status().code(),
            StatusCode::kInvalidArgument);
}

TEST_F(TlsTransportTest, RoundTripOverIpv6) {
  if (!Ipv6LoopbackAvailable()) GTEST_SKIP() << "::1 cannot be bound here";
  StartServer("::1");
  auto client = Client(TlsClientConfig{true, cert_->cert_file});
  Recorder at_client;
  at_client.Attach(*client);
  ASSERT_TRUE(client->Send(server_ep_, SampleRegister("TLS", "tls-v6")).ok());
  ASSERT_TRUE(RunUntil(io_, [&] { return !at_server_.messages.empty(); }));
  EXPECT_EQ(at_server_.messages.front().source.ip, "::1");
  EXPECT_TRUE(at_client.failures.empty());
}

}  // namespace
}  // namespace sipreg::transport
