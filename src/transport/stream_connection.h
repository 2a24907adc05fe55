// StreamConnection: one TCP or TLS connection of an AsioTransport, inbound
// (accepted) or outbound (connected by us). It owns the socket, the TLS
// session, a sip::StreamFramer that cuts the byte stream into messages, and a
// write queue so that at most one write is in flight (messages never
// interleave on the wire). A CRLFCRLF keep-alive from the peer is answered with
// one CRLF (RFC 5626 §4.4.1); a framing error closes the connection.
// Deadlines: an outbound connect plus TLS handshake (or an inbound TLS
// handshake) must finish within `setup_timeout`; with a non-zero
// `idle_timeout` the connection is closed after that long without reading or
// writing a byte.
//
// Thread affinity: all methods and Owner callbacks run on the io_context thread.
// Ownership: held by shared_ptr — by the AsioTransport while open and by every
// pending Asio operation — because completions can run after the transport has
// let go. Once Close() or Detach() has run the connection is inert: pending
// completions see that and return; Detach() additionally guarantees the Owner
// is never called again.
#pragma once

#include <array>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl/stream.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "sip/framer.h"
#include "sip/message.h"
#include "transport/tls_context.h"
#include "transport/transport.h"

namespace sipreg::transport {

struct StreamConnectionOptions {
  sip::ParseLimits parse_limits;
  std::chrono::milliseconds setup_timeout{5000};
  std::chrono::milliseconds idle_timeout{0};  // 0: never
  size_t max_queued_bytes = 1 << 20;
};

class StreamConnection : public std::enable_shared_from_this<StreamConnection> {
 public:
  class Owner {
   public:
    // TCP connected and, for TLS, handshake done. Called once per connection.
    virtual void OnReady(StreamConnection& conn) = 0;
    virtual void OnMessage(StreamConnection& conn, sip::Message message) = 0;
    // The stream could not be framed; the connection is closed right after.
    virtual void OnBadStream(StreamConnection& conn, std::string bytes, Status why) = 0;
    // Bytes queued by Send() that will never be written.
    virtual void OnSendFailed(StreamConnection& conn,
                              std::function<void(const SendFailure&)> on_failure, Status why) = 0;
    // Called once, last. `reason` is OK for an orderly close.
    virtual void OnClosed(StreamConnection& conn, Status reason) = 0;
    // A lone CRLF (RFC 5626 §4.4.1 keep-alive pong) arrived between messages.
    virtual void OnPong(StreamConnection& /*conn*/) {}

   protected:
    ~Owner() = default;
  };

  // `tls` null for TCP. For an outbound TLS connection `tls_server_name` and
  // `verify_peer` go to PrepareTlsClient. Call Start() after creating.
  static std::shared_ptr<StreamConnection> Outbound(asio::io_context& io, Owner* owner,
                                                    ConnectionId id,
                                                    const asio::ip::tcp::endpoint& peer,
                                                    TlsContextPtr tls, std::string tls_server_name,
                                                    bool verify_peer,
                                                    const StreamConnectionOptions& options);
  static std::shared_ptr<StreamConnection> Inbound(asio::ip::tcp::socket socket, Owner* owner,
                                                   ConnectionId id, TlsContextPtr tls,
                                                   const StreamConnectionOptions& options);

  StreamConnection(const StreamConnection&) = delete;
  StreamConnection& operator=(const StreamConnection&) = delete;

  void Start();
  // Queues one message. LimitExceeded if the queue is over its byte limit,
  // Unavailable if the connection is closed. Written once the connection is ready.
  Status Send(std::string bytes, std::function<void(const SendFailure&)> on_failure);
  // Closes now; queued bytes are reported through Owner::OnSendFailed, then
  // Owner::OnClosed(reason). Idempotent.
  void Close(Status reason);
  // Closes without calling the Owner at all (the Owner is going away).
  void Detach();

  const ConnectionInfo& info() const { return info_; }
  bool ready() const { return state_ == State::kOpen; }
  bool closed() const { return state_ == State::kClosed; }

  // Public only for std::make_shared; use Outbound() / Inbound().
  struct PrivateTag {};
  StreamConnection(PrivateTag, asio::ip::tcp::socket socket, Owner* owner, ConnectionId id,
                   TlsContextPtr tls, const StreamConnectionOptions& options);

 private:
  enum class State { kConnecting, kHandshaking, kOpen, kClosed };
  struct Pending {
    std::string bytes;
    std::function<void(const SendFailure&)> on_failure;
    bool from_send = true;  // false for our own keep-alive answers: never reported
  };

  asio::ip::tcp::socket& Lowest();
  // Calls f with the byte stream: the TLS stream or the plain socket.
  template <typename F>
  void WithStream(F&& f);

  void StartConnect();
  void OnConnected(const std::error_code& ec);
  void StartHandshake(bool client);
  void BecomeOpen();
  void ArmSetupDeadline();
  void ArmIdleDeadline();
  void ReadNext();
  void OnRead(const std::error_code& ec, size_t n);
  // Feeds `n` bytes read to the framer and hands on what it frames; reads on.
  void ReadMessages(size_t n);
  void WriteNext();
  void OnWritten(const std::error_code& ec);
  void Touch() { last_activity_ = std::chrono::steady_clock::now(); }
  void RecordAddresses();

  Owner* owner_;
  StreamConnectionOptions options_;
  ConnectionInfo info_;
  State state_;
  asio::ip::tcp::endpoint remote_;
  std::string tls_server_name_;
  bool verify_peer_ = false;

  TlsContextPtr tls_context_;                 // keeps the SSL_CTX alive as long as tls_ uses it
  std::optional<asio::ip::tcp::socket> tcp_;  // TCP
  std::optional<asio::ssl::stream<asio::ip::tcp::socket>> tls_;  // TLS

  sip::StreamFramer framer_;
  std::array<char, 16 * 1024> read_buffer_;
  std::deque<Pending> queue_;
  size_t queued_bytes_ = 0;
  bool writing_ = false;  // an async_write of queue_.front() is in flight

  asio::steady_timer setup_timer_;
  asio::steady_timer idle_timer_;
  std::chrono::steady_clock::time_point last_activity_;
};

}  // namespace sipreg::transport
