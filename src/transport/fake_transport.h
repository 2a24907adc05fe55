// FakeTransport: an in-memory Transport for testing the layers above without
// sockets. It records what they send and lets the test play the network:
// deliver bytes or messages, fail a send, close a connection. Those test-side
// calls invoke the handlers synchronously; calls through the Transport
// interface never do (as with AsioTransport) — their callbacks (Connect
// results, closes from Close()) wait in a queue until RunPending().
// Stream connections are "open" as soon as they are named; nothing connects.
// Not thread-safe; use from the test thread.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sip/parser.h"
#include "transport/transport.h"

namespace sipreg::transport {

class FakeTransport final : public Transport {
 public:
  struct Sent {
    sip::Endpoint dest;
    std::string bytes;
    ConnectionId conn = 0;  // connection used (0 for UDP)
    std::function<void(const SendFailure&)> on_failure;
  };

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

  // ---- the test's side ----
  // Everything sent so far, oldest first.
  const std::vector<Sent>& sent() const { return sent_; }
  std::vector<Sent> TakeSent() { return std::exchange(sent_, {}); }
  // The next Send() returns this error instead of recording anything.
  void FailNextSend(Status status) { next_send_error_ = std::move(status); }
  // Every Send() to `dest` returns this error (nothing recorded) until cleared
  // with an OK status.
  void FailSendsTo(const sip::Endpoint& dest, Status status) {
    if (status.ok()) {
      failing_dests_.erase(dest.ToString());
    } else {
      failing_dests_[dest.ToString()] = std::move(status);
    }
  }
  // The next Send() throws std::bad_alloc, as a send that ran out of memory would.
  void ThrowOnNextSend() { throw_on_next_send_ = true; }
  // Runs the callbacks queued by Connect() and Close().
  void RunPending();

  // An inbound stream connection from `peer` (kTcp or kTls) to our first
  // listener of that kind (or port 5060/5061). Returns its id.
  ConnectionId AcceptConnection(const sip::Endpoint& peer);
  // Bytes arriving like AsioTransport handles them: parsed, top Via of a
  // request stamped, then the message or bad-message handler. For streams,
  // `conn` must be open and `bytes` one whole message.
  void Receive(std::string_view bytes, const sip::Endpoint& source, ConnectionId conn = 0);
  // Reports the failure of sent()[index] as AsioTransport would.
  void FailSent(size_t index, Status why);
  // The peer closed or the connection broke: closed handler runs now.
  void PeerClosed(ConnectionId conn, Status reason = Status::Ok());

 private:
  ConnectionId OpenStream(const sip::Endpoint& peer, bool inbound);

  MessageHandler on_message_;
  BadMessageHandler on_bad_message_;
  std::map<std::string, Status> failing_dests_;  // by Endpoint::ToString()
  SendFailureHandler on_error_;
  ConnectionClosedHandler on_closed_;

  bool throw_on_next_send_ = false;
  std::vector<sip::Endpoint> listening_;
  uint16_t next_port_ = 40000;
  ConnectionId next_id_ = 1;
  std::map<ConnectionId, ConnectionInfo> conns_;
  std::vector<Sent> sent_;
  std::optional<Status> next_send_error_;
  std::deque<std::function<void()>> pending_;
};

}  // namespace sipreg::transport
