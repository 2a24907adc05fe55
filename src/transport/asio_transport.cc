#include "transport/asio_transport.h"

#include <asio/post.hpp>
#include <exception>
#include <utility>

#include "transport/ip_address.h"
#include "transport/via_stamp.h"

namespace sipreg::transport {
namespace {

std::string PeerKey(sip::TransportKind kind, const asio::ip::address& address, uint16_t port) {
  std::string key(sip::TransportName(kind));
  key += '|';
  key += IpToString(address);
  key += '|';
  key += std::to_string(port);
  return key;
}

std::string PeerKey(const sip::Endpoint& e) {
  std::optional<asio::ip::address> address = ParseIpLiteral(e.ip);
  return address ? PeerKey(e.transport, *address, e.port) : std::string();
}

bool OnlyLineBreaks(std::string_view bytes) {
  for (char c : bytes) {
    if (c != '\r' && c != '\n') return false;
  }
  return true;
}

}  // namespace

AsioTransport::AsioTransport(asio::io_context& io, TransportOptions options)
    : io_(io), options_(std::move(options)) {}

AsioTransport::~AsioTransport() {
  alive_.reset();
  // Detach() never calls back, so the maps are stable while we walk them.
  for (auto& entry : conns_) entry.second->Detach();
  for (auto& listener : listeners_) listener->Detach();
  for (auto& socket : udp_sockets_) socket->Detach();
}

StreamConnectionOptions AsioTransport::ConnectionOptions() const {
  StreamConnectionOptions o;
  o.parse_limits = options_.parse_limits;
  o.setup_timeout = options_.connect_timeout;
  o.idle_timeout = options_.idle_timeout;
  o.max_queued_bytes = options_.max_queued_bytes_per_connection;
  return o;
}

void AsioTransport::Post(std::function<void()> f) {
  asio::post(io_, [alive = std::weak_ptr<int>(alive_), f = std::move(f)] {
    if (alive.lock()) f();
  });
}

Result<TlsContextPtr> AsioTransport::ServerTlsContext() {
  if (tls_server_context_) return tls_server_context_;
  if (!options_.tls_server) {
    return Status::InvalidArgument("a TLS listener needs a certificate and key (tls_server)");
  }
  Result<TlsContextPtr> made = MakeTlsServerContext(*options_.tls_server);
  if (made.ok()) tls_server_context_ = *made;
  return made;
}

Result<TlsContextPtr> AsioTransport::ClientTlsContext() {
  if (tls_client_context_) return tls_client_context_;
  Result<TlsContextPtr> made = MakeTlsClientContext(options_.tls_client);
  if (made.ok()) tls_client_context_ = *made;
  return made;
}

Result<sip::Endpoint> AsioTransport::Listen(sip::TransportKind kind, std::string_view ip,
                                            uint16_t port) {
  std::optional<asio::ip::address> address = ParseIpLiteral(ip);
  if (!address) return Status::InvalidArgument("not an IP address: '" + std::string(ip) + "'");
  if (kind == sip::TransportKind::kUdp) {
    Result<std::shared_ptr<UdpSocket>> socket = UdpSocket::Open(io_, this, *address, port);
    if (!socket.ok()) return socket.status();
    udp_sockets_.push_back(*socket);
    (*socket)->Start();
    return (*socket)->local();
  }
  if (kind == sip::TransportKind::kTls) {
    Result<TlsContextPtr> ctx = ServerTlsContext();
    if (!ctx.ok()) return ctx.status();
  }
  Result<std::shared_ptr<StreamListener>> listener =
      StreamListener::Open(io_, this, kind, *address, port);
  if (!listener.ok()) return listener.status();
  listeners_.push_back(*listener);
  (*listener)->Start();
  return (*listener)->local();
}

Result<ConnectionId> AsioTransport::Send(const sip::Endpoint& dest, std::string bytes,
                                         SendOptions options) {
  if (dest.port == 0) return Status::InvalidArgument("destination port 0");
  if (dest.transport == sip::TransportKind::kUdp) return SendUdp(dest, std::move(bytes), options);

  if (bytes.size() > options_.max_queued_bytes_per_connection) {
    return Status::LimitExceeded("message larger than the per-connection write queue");
  }
  std::shared_ptr<StreamConnection> conn = FindStream(dest, options.connection);
  if (!conn) {
    Result<std::shared_ptr<StreamConnection>> opened =
        OpenOutbound(dest, std::move(options.tls_server_name));
    if (!opened.ok()) return opened.status();
    conn = *opened;
  }
  SIPREG_RETURN_IF_ERROR(conn->Send(std::move(bytes), std::move(options.on_failure)));
  return conn->info().id;
}

uint64_t AsioTransport::udp_deferred_sends() const {
  uint64_t n = 0;
  for (const auto& s : udp_sockets_) n += s->deferred_sends();
  return n;
}

void AsioTransport::HoldSends() {
  for (auto& s : udp_sockets_) s->Cork();
}

void AsioTransport::ReleaseSends() {
  // Every socket is uncorked even if one's flush throws (the first exception
  // goes on to the caller): a socket left corked would hold its sends forever.
  std::exception_ptr failed;
  for (auto& s : udp_sockets_) {
    try {
      s->Uncork();
    } catch (...) {
      if (!failed) failed = std::current_exception();
    }
  }
  if (failed) std::rethrow_exception(failed);
}

Result<ConnectionId> AsioTransport::SendUdp(const sip::Endpoint& dest, std::string bytes,
                                            SendOptions& options) {
  std::optional<asio::ip::address> address = ParseIpLiteral(dest.ip);
  if (!address) return Status::InvalidArgument("not an IP address: '" + dest.ip + "'");
  if (bytes.size() > 65507) return Status::LimitExceeded("message too large for UDP");
  UdpSocket* chosen = nullptr;
  if (options.local) {
    for (auto& s : udp_sockets_) {
      // Usually the very text the socket reported (ReceivedMessage::local): compared
      // as text first, parsed only when it is spelled differently.
      if (s->local().port == options.local->port &&
          (s->local().ip == options.local->ip || SameIp(s->local().ip, options.local->ip))) {
        chosen = s.get();
        break;
      }
    }
  }
  if (chosen == nullptr) {
    for (auto& s : udp_sockets_) {
      if (s->is_v6() == address->is_v6()) {
        chosen = s.get();
        break;
      }
    }
  }
  if (chosen == nullptr) {
    return Status::Unavailable(std::string("no bound UDP socket for ") +
                               (address->is_v6() ? "IPv6" : "IPv4"));
  }
  chosen->SendTo(asio::ip::udp::endpoint(*address, dest.port), std::move(bytes),
                 std::move(options.on_failure));
  return ConnectionId{0};
}

std::shared_ptr<StreamConnection> AsioTransport::FindStream(const sip::Endpoint& dest,
                                                            ConnectionId hint) const {
  if (hint != 0) {
    auto it = conns_.find(hint);
    if (it != conns_.end() && !it->second->closed() &&
        it->second->info().peer.transport == dest.transport) {
      return it->second;
    }
  }
  auto key = by_peer_.find(PeerKey(dest));
  if (key == by_peer_.end()) return nullptr;
  auto it = conns_.find(key->second);
  if (it == conns_.end() || it->second->closed()) return nullptr;
  return it->second;
}

Result<std::shared_ptr<StreamConnection>> AsioTransport::OpenOutbound(const sip::Endpoint& dest,
                                                                      std::string tls_server_name) {
  std::optional<asio::ip::address> address = ParseIpLiteral(dest.ip);
  if (!address) return Status::InvalidArgument("not an IP address: '" + dest.ip + "'");
  if (conns_.size() >= options_.max_connections) {
    return Status::LimitExceeded("too many open connections");
  }
  TlsContextPtr tls;
  if (dest.transport == sip::TransportKind::kTls) {
    Result<TlsContextPtr> ctx = ClientTlsContext();
    if (!ctx.ok()) return ctx.status();
    tls = *ctx;
  }
  const ConnectionId id = next_id_++;
  auto conn = StreamConnection::Outbound(
      io_, this, id, asio::ip::tcp::endpoint(*address, dest.port), std::move(tls),
      std::move(tls_server_name), options_.tls_client.verify_peer, ConnectionOptions());
  conns_.emplace(id, conn);
  by_peer_[PeerKey(dest.transport, *address, dest.port)] = id;
  conn->Start();  // completes asynchronously; no Owner call from in here
  return conn;
}

Result<ConnectionId> AsioTransport::Connect(const sip::Endpoint& dest, ConnectedCallback done,
                                            std::string tls_server_name) {
  if (!sip::IsReliable(dest.transport))
    return Status::InvalidArgument("Connect() needs TCP or TLS");
  if (dest.port == 0) return Status::InvalidArgument("destination port 0");
  std::shared_ptr<StreamConnection> conn = FindStream(dest, 0);
  if (!conn) {
    Result<std::shared_ptr<StreamConnection>> opened =
        OpenOutbound(dest, std::move(tls_server_name));
    if (!opened.ok()) return opened.status();
    conn = *opened;
  }
  const ConnectionId id = conn->info().id;
  if (done) {
    if (conn->ready()) {
      Post([done = std::move(done), info = conn->info()] { done(info); });
    } else {
      waiting_[id].push_back(std::move(done));
    }
  }
  return id;
}

void AsioTransport::Close(ConnectionId conn) {
  auto it = conns_.find(conn);
  if (it == conns_.end()) return;
  std::shared_ptr<StreamConnection> c = it->second;
  c->Close(Status::Ok());  // OnClosed() removes it from the maps
}

std::optional<sip::Endpoint> AsioTransport::LocalEndpoint(sip::TransportKind kind) const {
  if (kind == sip::TransportKind::kUdp) {
    if (udp_sockets_.empty()) return std::nullopt;
    return udp_sockets_.front()->local();
  }
  for (const auto& listener : listeners_) {
    if (listener->kind() == kind) return listener->local();
  }
  return std::nullopt;
}

std::optional<ConnectionInfo> AsioTransport::Connection(ConnectionId conn) const {
  auto it = conns_.find(conn);
  if (it == conns_.end() || it->second->closed()) return std::nullopt;
  return it->second->info();
}

// ---- incoming -------------------------------------------------------------

void AsioTransport::OnDatagram(UdpSocket& socket, std::string_view bytes,
                               const sip::Endpoint& source) {
  if (OnlyLineBreaks(bytes)) return;  // keep-alive (RFC 5626 §4.4.1 is for streams; ignore)
  Result<sip::Message> parsed = sip::Parse(bytes, options_.parse_limits);
  if (!parsed.ok()) {
    ReportBad(BadMessage{source, socket.local(), 0, std::string(bytes), parsed.status()});
    return;
  }
  Deliver(ReceivedMessage{std::move(parsed).value(), source, socket.local(), 0});
}

void AsioTransport::OnAccepted(StreamListener& listener, asio::ip::tcp::socket socket) {
  if (conns_.size() >= options_.max_connections) return;  // `socket` closes as it goes
  TlsContextPtr tls;
  if (listener.kind() == sip::TransportKind::kTls) tls = tls_server_context_;
  const ConnectionId id = next_id_++;
  auto conn =
      StreamConnection::Inbound(std::move(socket), this, id, std::move(tls), ConnectionOptions());
  conns_.emplace(id, conn);
  conn->Start();
  if (!conn->closed()) by_peer_[PeerKey(conn->info().peer)] = id;
}

void AsioTransport::OnReady(StreamConnection& conn) {
  auto it = waiting_.find(conn.info().id);
  if (it == waiting_.end()) return;
  std::vector<ConnectedCallback> callbacks = std::move(it->second);
  waiting_.erase(it);
  for (auto& done : callbacks) {
    Post([done = std::move(done), info = conn.info()] { done(info); });
  }
}

void AsioTransport::OnMessage(StreamConnection& conn, sip::Message message) {
  const ConnectionInfo& info = conn.info();
  Deliver(ReceivedMessage{std::move(message), info.peer, info.local, info.id});
}

void AsioTransport::Deliver(ReceivedMessage received) {
  if (received.message.is_request()) {
    Status stamped = StampTopVia(received.message, received.source, options_.parse_limits);
    if (!stamped.ok()) {
      ReportBad(BadMessage{received.source, received.local, received.conn,
                           std::string(received.message.raw()), std::move(stamped)});
      return;
    }
  }
  if (on_message_) on_message_(std::move(received));
}

void AsioTransport::ReportBad(BadMessage bad) {
  if (on_bad_message_) on_bad_message_(bad);
}

void AsioTransport::OnBadStream(StreamConnection& conn, std::string bytes, Status why) {
  const ConnectionInfo& info = conn.info();
  ReportBad(BadMessage{info.peer, info.local, info.id, std::move(bytes), std::move(why)});
}

// ---- failures and closes --------------------------------------------------

void AsioTransport::ReportSendFailure(std::function<void(const SendFailure&)> on_failure,
                                      SendFailure failure) {
  if (on_failure) {
    Post([on_failure = std::move(on_failure), failure = std::move(failure)] {
      on_failure(failure);
    });
  } else {
    // Looked up when it runs, so a handler set in between still hears about it.
    Post([this, failure = std::move(failure)] {
      if (on_error_) on_error_(failure);
    });
  }
}

void AsioTransport::OnUdpSendFailed(std::function<void(const SendFailure&)> on_failure,
                                    SendFailure failure) {
  ReportSendFailure(std::move(on_failure), std::move(failure));
}

void AsioTransport::OnSendFailed(StreamConnection& conn,
                                 std::function<void(const SendFailure&)> on_failure, Status why) {
  ReportSendFailure(std::move(on_failure),
                    SendFailure{conn.info().peer, conn.info().id, std::move(why)});
}

void AsioTransport::OnPong(StreamConnection& conn) {
  if (!on_pong_) return;
  Post([this, id = conn.info().id] {
    if (on_pong_) on_pong_(id);
  });
}

void AsioTransport::OnClosed(StreamConnection& conn, Status reason) {
  const ConnectionInfo info = conn.info();
  conns_.erase(info.id);
  auto key = by_peer_.find(PeerKey(info.peer));
  if (key != by_peer_.end() && key->second == info.id) by_peer_.erase(key);

  auto waiting = waiting_.find(info.id);
  if (waiting != waiting_.end()) {
    const Status why = reason.ok() ? Status::Unavailable("connection to " + info.peer.ToString() +
                                                         " closed before it was ready")
                                   : reason;
    for (auto& done : waiting->second) {
      Post([done = std::move(done), why] { done(Result<ConnectionInfo>(why)); });
    }
    waiting_.erase(waiting);
  }
  Post([this, info, reason = std::move(reason)] {
    if (on_closed_) on_closed_(info, reason);
  });
}

}  // namespace sipreg::transport
