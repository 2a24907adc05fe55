// Transport: the interface through which everything above src/transport sends
// and receives SIP messages (RFC 3261 §18). AsioTransport (asio_transport.h) is
// the real implementation over UDP/TCP/TLS sockets; FakeTransport
// (fake_transport.h) records sends and injects messages for tests.
//
// Contract shared by every implementation:
//  * Handlers set here are never called from inside a call into the Transport;
//    they run later from the event loop that drives it, so a handler may call
//    back into the Transport (Send, Close, ...) freely.
//  * Every ConnectionId handed out (Send/Connect to a stream peer, or an accepted
//    connection) gets exactly one ConnectionClosed notification, unless the
//    Transport is destroyed first.
//  * Send() either returns a non-OK Status (nothing was queued, on_failure is
//    not called) or queues the bytes; a later asynchronous failure of those
//    bytes is reported once: to SendOptions::on_failure if set, otherwise to the
//    error handler.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "sip/endpoint.h"
#include "sip/message.h"

namespace sipreg::transport {

// Names one TCP or TLS connection for the life of a Transport; never reused.
// 0 means "no connection" (UDP).
using ConnectionId = uint64_t;

// One parsed message as handed up. For requests the top Via has already been
// stamped with received/rport (RFC 3261 §18.2.1, RFC 3581 §4; see via_stamp.h).
struct ReceivedMessage {
  sip::Message message;
  sip::Endpoint source;   // the peer's address as seen on the socket
  sip::Endpoint local;    // our socket's address (for UDP the bound one, may be 0.0.0.0)
  ConnectionId conn = 0;  // 0 for UDP
};

// Bytes that arrived but are not a SIP message we can hand up. For UDP the
// caller may still answer a request with `suggested_status` (e.g. 400) if it
// can; for TCP/TLS the connection has already been closed (the stream cannot be
// resynchronised), so this is for logging and counters only.
struct BadMessage {
  sip::Endpoint source;
  sip::Endpoint local;
  ConnectionId conn = 0;
  std::string bytes;  // what arrived (for streams: what was buffered, may be truncated)
  Status status;      // why it was rejected
};

// A send that failed after Send() had accepted it (connect refused or timed out,
// TLS handshake failed, write error, connection closed with the bytes unsent).
struct SendFailure {
  sip::Endpoint destination;
  ConnectionId conn = 0;
  Status status;
};

// A stream connection as seen from our side.
struct ConnectionInfo {
  ConnectionId id = 0;
  sip::Endpoint peer;    // remote address (transport kTcp or kTls)
  sip::Endpoint local;   // our address on this connection; port 0 until connected
  bool inbound = false;  // accepted by one of our listeners
};

using MessageHandler = std::function<void(ReceivedMessage)>;
using BadMessageHandler = std::function<void(const BadMessage&)>;
using SendFailureHandler = std::function<void(const SendFailure&)>;
// `reason` is OK for an orderly close (peer EOF, Close()), otherwise the error.
using ConnectionClosedHandler = std::function<void(const ConnectionInfo&, const Status& reason)>;
// Result of Connect(): the connection once it is usable (TCP connected, TLS
// handshake done), or why it could not be established.
using ConnectedCallback = std::function<void(const Result<ConnectionInfo>&)>;
// A CRLF keep-alive pong (RFC 5626 §4.4.1) arrived on this connection.
using PongHandler = std::function<void(ConnectionId)>;

struct SendOptions {
  // TCP/TLS: send on this connection if it is still open (e.g. the connection a
  // request arrived on, for its responses); otherwise fall back to a connection
  // to `dest`, opening one if needed.
  ConnectionId connection = 0;
  // UDP: send from the socket bound to this address (e.g. ReceivedMessage::local)
  // instead of the first UDP socket of the destination's address family.
  std::optional<sip::Endpoint> local;
  // TLS client only: name for SNI and certificate verification. Empty: no SNI,
  // and the certificate is checked against the destination IP.
  std::string tls_server_name;
  // Called (on the event loop) if these bytes could not be sent after Send()
  // accepted them. Unset: the failure goes to the error handler instead.
  std::function<void(const SendFailure&)> on_failure;
};

class Transport {
 public:
  virtual ~Transport() = default;

  // Binds a socket (UDP) or starts listening (TCP/TLS) on ip:port. Port 0 picks
  // a free port; the returned Endpoint has the port actually bound. An IPv6
  // socket accepts IPv6 only ("::" does not take IPv4; listen on both).
  virtual Result<sip::Endpoint> Listen(sip::TransportKind kind, std::string_view ip,
                                       uint16_t port) = 0;

  // Sends one serialized message. UDP: from a bound UDP socket (see
  // SendOptions::local), returns 0. TCP/TLS: on an existing connection to
  // `dest` (or SendOptions::connection), else opens one; returns the
  // ConnectionId used. Bytes on one connection go out in Send() order.
  virtual Result<ConnectionId> Send(const sip::Endpoint& dest, std::string bytes,
                                    SendOptions options = {}) = 0;

  // Opens (or reuses) a TCP/TLS connection to `dest` without sending anything.
  // `done` is called once, on the event loop, when it is usable or has failed.
  virtual Result<ConnectionId> Connect(const sip::Endpoint& dest, ConnectedCallback done,
                                       std::string tls_server_name = {}) = 0;

  // Closes a connection now; unsent bytes are dropped (their senders are told).
  // Unknown or already closed ids are ignored.
  virtual void Close(ConnectionId conn) = 0;

  // The first listening/bound address of this kind, for Via sent-by and Contact.
  virtual std::optional<sip::Endpoint> LocalEndpoint(sip::TransportKind kind) const = 0;
  // The connection if it is still open.
  virtual std::optional<ConnectionInfo> Connection(ConnectionId conn) const = 0;

  virtual void SetMessageHandler(MessageHandler handler) = 0;
  virtual void SetBadMessageHandler(BadMessageHandler handler) = 0;
  virtual void SetErrorHandler(SendFailureHandler handler) = 0;
  virtual void SetConnectionClosedHandler(ConnectionClosedHandler handler) = 0;
  // Optional: told of keep-alive pongs on stream connections (clients use it to
  // check that a flow is alive). Default: pongs are dropped.
  virtual void SetPongHandler(PongHandler /*handler*/) {}

  // Optional batching: UDP datagrams sent between HoldSends() and the matching
  // ReleaseSends() may be handed to the kernel together at ReleaseSends()
  // (one system call for many). Pairs nest. Default: every Send goes out at once.
  virtual void HoldSends() {}
  virtual void ReleaseSends() {}
};

}  // namespace sipreg::transport
