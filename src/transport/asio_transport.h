// AsioTransport: the real Transport — UDP, TCP and TLS sockets over IPv4 and
// IPv6 on one asio::io_context. Serves both the `sipreg probe` client (bind an
// ephemeral UDP socket or just Send to a TCP/TLS server) and sipregd (several
// listeners, many connections).
//
// What it does with the bytes:
//  * UDP: each datagram is one message (sip::Parse). Datagrams of only CR/LF
//    (keep-alives) are dropped silently; unparseable ones go to the
//    BadMessageHandler.
//  * TCP/TLS: a sip::StreamFramer per connection; CRLFCRLF is answered with
//    CRLF; a framing error reports a BadMessage and closes the connection.
//  * Requests get their top Via stamped with received/rport (via_stamp.h)
//    before they are handed up. Responses go up untouched.
//  * Outbound connections are reused: Send() to a peer with an open (or still
//    connecting) connection of the same kind queues on it.
//
// Thread affinity: every method must be called on the thread running `io`
// (or before it runs); every handler is called on that thread.
// Lifetime: `io` must outlive the AsioTransport. Destroying the transport
// closes every socket at once without calling any handler; it must not be
// destroyed from inside one of its own handlers.
#pragma once

#include <asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sip/parser.h"
#include "transport/stream_connection.h"
#include "transport/stream_listener.h"
#include "transport/tls_context.h"
#include "transport/transport.h"
#include "transport/udp_socket.h"

namespace sipreg::transport {

struct TransportOptions {
  sip::ParseLimits parse_limits;
  // Open TCP/TLS connections, inbound and outbound together. Beyond it,
  // accepted sockets are closed at once and Send() to a new peer fails.
  size_t max_connections = 1024;
  // Outbound TCP connect + TLS handshake, and an inbound TLS handshake.
  std::chrono::milliseconds connect_timeout{5000};
  // Close a connection after this long without traffic in either direction
  // (0: never). A server should set it above the longest registration.
  std::chrono::milliseconds idle_timeout{0};
  // Unsent bytes allowed per connection before Send() returns LimitExceeded.
  size_t max_queued_bytes_per_connection = 1 << 20;
  // Required for Listen(kTls).
  std::optional<TlsServerConfig> tls_server;
  // Used for outbound TLS; verifies the server against the system CAs by default.
  TlsClientConfig tls_client;
};

class AsioTransport final : public Transport,
                            private UdpSocket::Owner,
                            private StreamListener::Owner,
                            private StreamConnection::Owner {
 public:
  AsioTransport(asio::io_context& io, TransportOptions options);
  ~AsioTransport() override;
  AsioTransport(const AsioTransport&) = delete;
  AsioTransport& operator=(const AsioTransport&) = delete;

  // Transport
  Result<sip::Endpoint> Listen(sip::TransportKind kind, std::string_view ip,
                               uint16_t port) override;
  Result<ConnectionId> Send(const sip::Endpoint& dest, std::string bytes,
                            SendOptions options = {}) override;
  Result<ConnectionId> Connect(const sip::Endpoint& dest, ConnectedCallback done,
                               std::string tls_server_name = {}) override;
  void Close(ConnectionId conn) override;
  std::optional<sip::Endpoint> LocalEndpoint(sip::TransportKind kind) const override;
  std::optional<ConnectionInfo> Connection(ConnectionId conn) const override;
  void SetMessageHandler(MessageHandler handler) override { on_message_ = std::move(handler); }
  void SetBadMessageHandler(BadMessageHandler handler) override {
    on_bad_message_ = std::move(handler);
  }
  void SetErrorHandler(SendFailureHandler handler) override { on_error_ = std::move(handler); }
  void SetConnectionClosedHandler(ConnectionClosedHandler handler) override {
    on_closed_ = std::move(handler);
  }
  void SetPongHandler(PongHandler handler) override { on_pong_ = std::move(handler); }
  void HoldSends() override;
  void ReleaseSends() override;

  // Open (or connecting) TCP/TLS connections.
  size_t connection_count() const { return conns_.size(); }
  // UDP datagrams the kernel could not take at once and that waited for the
  // socket to become writable (all sockets, since start).
  uint64_t udp_deferred_sends() const;

 private:
  // UdpSocket::Owner
  void OnDatagram(UdpSocket& socket, std::string_view bytes, const sip::Endpoint& source) override;
  void OnUdpSendFailed(std::function<void(const SendFailure&)> on_failure,
                       SendFailure failure) override;
  // StreamListener::Owner
  void OnAccepted(StreamListener& listener, asio::ip::tcp::socket socket) override;
  // StreamConnection::Owner
  void OnReady(StreamConnection& conn) override;
  void OnMessage(StreamConnection& conn, sip::Message message) override;
  void OnBadStream(StreamConnection& conn, std::string bytes, Status why) override;
  void OnSendFailed(StreamConnection& conn, std::function<void(const SendFailure&)> on_failure,
                    Status why) override;
  void OnClosed(StreamConnection& conn, Status reason) override;
  void OnPong(StreamConnection& conn) override;

  // Stamps requests and hands the message up (or reports it as bad).
  void Deliver(ReceivedMessage received);
  void ReportBad(BadMessage bad);
  void ReportSendFailure(std::function<void(const SendFailure&)> on_failure, SendFailure failure);
  // Runs `f` later on the io_context, unless the transport is gone by then.
  void Post(std::function<void()> f);

  Result<ConnectionId> SendUdp(const sip::Endpoint& dest, std::string bytes, SendOptions& options);
  // The open connection to use for `dest`: `hint` if it fits, else one to dest's address.
  std::shared_ptr<StreamConnection> FindStream(const sip::Endpoint& dest, ConnectionId hint) const;
  Result<std::shared_ptr<StreamConnection>> OpenOutbound(const sip::Endpoint& dest,
                                                         std::string tls_server_name);
  Result<TlsContextPtr> ClientTlsContext();
  Result<TlsContextPtr> ServerTlsContext();
  StreamConnectionOptions ConnectionOptions() const;

  asio::io_context& io_;
  const TransportOptions options_;
  // Posted closures hold a weak_ptr to this; it expires in the destructor.
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);

  MessageHandler on_message_;
  BadMessageHandler on_bad_message_;
  SendFailureHandler on_error_;
  ConnectionClosedHandler on_closed_;
  PongHandler on_pong_;

  TlsContextPtr tls_server_context_;  // built by the first Listen(kTls)
  TlsContextPtr tls_client_context_;  // built by the first outbound TLS connection

  std::vector<std::shared_ptr<UdpSocket>> udp_sockets_;
  std::vector<std::shared_ptr<StreamListener>> listeners_;
  ConnectionId next_id_ = 1;
  std::unordered_map<ConnectionId, std::shared_ptr<StreamConnection>> conns_;
  // Peer address key ("T|ip|port", see PeerKey) -> the connection to reuse.
  std::unordered_map<std::string, ConnectionId> by_peer_;
  // Connect() callbacks waiting for a connection to become ready.
  std::unordered_map<ConnectionId, std::vector<ConnectedCallback>> waiting_;
};

}  // namespace sipreg::transport
