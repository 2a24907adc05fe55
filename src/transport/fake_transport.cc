#include "transport/fake_transport.h"

#include <new>
#include <utility>

#include "transport/response_route.h"
#include "transport/via_stamp.h"

namespace sipreg::transport {

Result<sip::Endpoint> FakeTransport::Listen(sip::TransportKind kind, std::string_view ip,
                                            uint16_t port) {
  sip::Endpoint ep{kind, std::string(ip), port == 0 ? next_port_++ : port};
  listening_.push_back(ep);
  return ep;
}

ConnectionId FakeTransport::OpenStream(const sip::Endpoint& peer, bool inbound) {
  const ConnectionId id = next_id_++;
  ConnectionInfo info;
  info.id = id;
  info.peer = peer;
  info.inbound = inbound;
  info.local =
      LocalEndpoint(peer.transport)
          .value_or(sip::Endpoint{peer.transport, "127.0.0.1",
                                  inbound ? DefaultSipPort(peer.transport) : next_port_++});
  conns_.emplace(id, std::move(info));
  return id;
}

Result<ConnectionId> FakeTransport::Send(const sip::Endpoint& dest, std::string bytes,
                                         SendOptions options) {
  if (throw_on_next_send_) {
    throw_on_next_send_ = false;
    throw std::bad_alloc();
  }
  if (next_send_error_) {
    Status error = std::move(*next_send_error_);
    next_send_error_.reset();
    return error;
  }
  if (auto failing = failing_dests_.find(dest.ToString()); failing != failing_dests_.end()) {
    return failing->second;
  }
  ConnectionId conn = 0;
  if (sip::IsReliable(dest.transport)) {
    auto hinted = conns_.find(options.connection);
    if (hinted != conns_.end() && hinted->second.peer.transport == dest.transport) {
      conn = hinted->first;
    } else {
      for (const auto& [id, info] : conns_) {
        if (info.peer == dest) conn = id;
      }
      if (conn == 0) conn = OpenStream(dest, /*inbound=*/false);
    }
  }
  sent_.push_back(Sent{dest, std::move(bytes), conn, std::move(options.on_failure)});
  return conn;
}

Result<ConnectionId> FakeTransport::Connect(const sip::Endpoint& dest, ConnectedCallback done,
                                            std::string /*tls_server_name*/) {
  if (!sip::IsReliable(dest.transport))
    return Status::InvalidArgument("Connect() needs TCP or TLS");
  ConnectionId conn = 0;
  for (const auto& [id, info] : conns_) {
    if (info.peer == dest) conn = id;
  }
  if (conn == 0) conn = OpenStream(dest, /*inbound=*/false);
  if (done) {
    pending_.push_back([done = std::move(done), info = conns_.at(conn)] { done(info); });
  }
  return conn;
}

void FakeTransport::Close(ConnectionId conn) {
  auto it = conns_.find(conn);
  if (it == conns_.end()) return;
  ConnectionInfo info = it->second;
  conns_.erase(it);
  pending_.push_back([this, info] {
    if (on_closed_) on_closed_(info, Status::Ok());
  });
}

std::optional<sip::Endpoint> FakeTransport::LocalEndpoint(sip::TransportKind kind) const {
  for (const sip::Endpoint& ep : listening_) {
    if (ep.transport == kind) return ep;
  }
  return std::nullopt;
}

std::optional<ConnectionInfo> FakeTransport::Connection(ConnectionId conn) const {
  auto it = conns_.find(conn);
  if (it == conns_.end()) return std::nullopt;
  return it->second;
}

void FakeTransport::RunPending() {
  while (!pending_.empty()) {
    std::function<void()> f = std::move(pending_.front());
    pending_.pop_front();
    f();
  }
}

ConnectionId FakeTransport::AcceptConnection(const sip::Endpoint& peer) {
  return OpenStream(peer, /*inbound=*/true);
}

void FakeTransport::Receive(std::string_view bytes, const sip::Endpoint& source,
                            ConnectionId conn) {
  sip::Endpoint local;
  if (conn != 0) {
    auto it = conns_.find(conn);
    if (it == conns_.end()) return;  // closed: nothing arrives
    local = it->second.local;
  } else {
    local = LocalEndpoint(sip::TransportKind::kUdp)
                .value_or(sip::Endpoint{sip::TransportKind::kUdp, "127.0.0.1", 5060});
  }
  Result<sip::Message> parsed = sip::Parse(bytes);
  Status status = parsed.status();
  if (parsed.ok() && parsed->is_request()) status = StampTopVia(*parsed, source);
  if (!status.ok()) {
    if (on_bad_message_)
      on_bad_message_(BadMessage{source, local, conn, std::string(bytes), status});
    return;
  }
  if (on_message_) on_message_(ReceivedMessage{std::move(parsed).value(), source, local, conn});
}

void FakeTransport::FailSent(size_t index, Status why) {
  if (index >= sent_.size()) return;
  const Sent& s = sent_[index];
  SendFailure failure{s.dest, s.conn, std::move(why)};
  if (s.on_failure) {
    s.on_failure(failure);
  } else if (on_error_) {
    on_error_(failure);
  }
}

void FakeTransport::PeerClosed(ConnectionId conn, Status reason) {
  auto it = conns_.find(conn);
  if (it == conns_.end()) return;
  ConnectionInfo info = it->second;
  conns_.erase(it);
  if (on_closed_) on_closed_(info, reason);
}

}  // namespace sipreg::transport
