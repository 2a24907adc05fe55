#include "transport/stream_connection.h"

#include <asio/buffer.hpp>
#include <asio/connect.hpp>
#include <asio/error.hpp>
#include <asio/ssl/error.hpp>
#include <asio/write.hpp>
#include <system_error>
#include <utility>
#include <vector>

#include "transport/ip_address.h"

namespace sipreg::transport {
namespace {

sip::TransportKind KindOf(const TlsContextPtr& tls) {
  return tls ? sip::TransportKind::kTls : sip::TransportKind::kTcp;
}

// Peer went away in an orderly way (FIN, or TLS without close_notify, which
// many SIP peers do).
bool IsOrderlyEnd(const std::error_code& ec) {
  return ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
}

}  // namespace

StreamConnection::StreamConnection(PrivateTag, asio::ip::tcp::socket socket, Owner* owner,
                                   ConnectionId id, TlsContextPtr tls,
                                   const StreamConnectionOptions& options)
    : owner_(owner),
      options_(options),
      state_(State::kConnecting),
      tls_context_(std::move(tls)),
      framer_(options.parse_limits),
      setup_timer_(socket.get_executor()),
      idle_timer_(socket.get_executor()) {
  info_.id = id;
  info_.peer.transport = KindOf(tls_context_);
  info_.local.transport = KindOf(tls_context_);
  if (tls_context_) {
    tls_.emplace(std::move(socket), *tls_context_);
  } else {
    tcp_.emplace(std::move(socket));
  }
}

std::shared_ptr<StreamConnection> StreamConnection::Outbound(
    asio::io_context& io, Owner* owner, ConnectionId id, const asio::ip::tcp::endpoint& peer,
    TlsContextPtr tls, std::string tls_server_name, bool verify_peer,
    const StreamConnectionOptions& options) {
  auto c = std::make_shared<StreamConnection>(PrivateTag{}, asio::ip::tcp::socket(io), owner, id,
                                              std::move(tls), options);
  c->remote_ = peer;
  c->info_.peer = MakeEndpoint(c->info_.peer.transport, peer.address(), peer.port());
  c->tls_server_name_ = std::move(tls_server_name);
  c->verify_peer_ = verify_peer;
  c->framer_.set_expect_pongs(true);  // our pings are answered with CRLF pongs
  return c;
}

std::shared_ptr<StreamConnection> StreamConnection::Inbound(
    asio::ip::tcp::socket socket, Owner* owner, ConnectionId id, TlsContextPtr tls,
    const StreamConnectionOptions& options) {
  auto c = std::make_shared<StreamConnection>(PrivateTag{}, std::move(socket), owner, id,
                                              std::move(tls), options);
  c->info_.inbound = true;
  c->state_ = State::kHandshaking;
  return c;
}

asio::ip::tcp::socket& StreamConnection::Lowest() { return tls_ ? tls_->next_layer() : *tcp_; }

template <typename F>
void StreamConnection::WithStream(F&& f) {
  if (tls_) {
    f(*tls_);
  } else {
    f(*tcp_);
  }
}

void StreamConnection::Start() {
  if (state_ == State::kClosed) return;
  if (!info_.inbound) {
    ArmSetupDeadline();
    StartConnect();
    return;
  }
  RecordAddresses();
  if (tls_) {
    ArmSetupDeadline();
    StartHandshake(/*client=*/false);
  } else {
    BecomeOpen();
  }
}

void StreamConnection::RecordAddresses() {
  std::error_code ec;
  const asio::ip::tcp::endpoint local = Lowest().local_endpoint(ec);
  if (!ec) info_.local = MakeEndpoint(info_.local.transport, local.address(), local.port());
  if (info_.inbound) {
    const asio::ip::tcp::endpoint remote = Lowest().remote_endpoint(ec);
    if (!ec) {
      remote_ = remote;
      info_.peer = MakeEndpoint(info_.peer.transport, remote.address(), remote.port());
    }
  }
  Lowest().set_option(asio::ip::tcp::no_delay(true), ec);  // best effort
}

void StreamConnection::ArmSetupDeadline() {
  setup_timer_.expires_after(options_.setup_timeout);
  setup_timer_.async_wait([self = shared_from_this()](const std::error_code& ec) {
    if (ec || self->state_ == State::kOpen || self->state_ == State::kClosed) return;
    const char* what = self->state_ == State::kConnecting ? "connect to " : "TLS handshake with ";
    self->Close(Status::Timeout(what + self->info_.peer.ToString() + " timed out"));
  });
}

void StreamConnection::ArmIdleDeadline() {
  if (options_.idle_timeout.count() <= 0) return;
  idle_timer_.expires_at(last_activity_ + options_.idle_timeout);
  idle_timer_.async_wait([self = shared_from_this()](const std::error_code& ec) {
    if (ec || self->state_ == State::kClosed) return;
    if (std::chrono::steady_clock::now() - self->last_activity_ >= self->options_.idle_timeout) {
      self->Close(Status::Timeout("idle connection " + self->info_.peer.ToString()));
    } else {
      self->ArmIdleDeadline();
    }
  });
}

void StreamConnection::StartConnect() {
  Lowest().async_connect(
      remote_, [self = shared_from_this()](const std::error_code& ec) { self->OnConnected(ec); });
}

void StreamConnection::OnConnected(const std::error_code& ec) {
  if (state_ == State::kClosed) return;
  if (ec) {
    Close(Status::Unavailable("connect to " + info_.peer.ToString() + ": " + ec.message()));
    return;
  }
  RecordAddresses();
  if (!tls_) {
    BecomeOpen();
    return;
  }
  state_ = State::kHandshaking;
  Status prepared =
      PrepareTlsClient(tls_->native_handle(), tls_server_name_, info_.peer.ip, verify_peer_);
  if (!prepared.ok()) {
    Close(std::move(prepared));
    return;
  }
  StartHandshake(/*client=*/true);
}

void StreamConnection::StartHandshake(bool client) {
  tls_->async_handshake(
      client ? asio::ssl::stream_base::client : asio::ssl::stream_base::server,
      [self = shared_from_this()](const std::error_code& ec) {
        if (self->state_ == State::kClosed) return;
        if (ec) {
          self->Close(Status::Unavailable("TLS handshake with " + self->info_.peer.ToString() +
                                          ": " + ec.message()));
          return;
        }
        self->BecomeOpen();
      });
}

void StreamConnection::BecomeOpen() {
  state_ = State::kOpen;
  setup_timer_.cancel();
  Touch();
  ArmIdleDeadline();
  auto self = shared_from_this();  // the Owner may drop its reference
  if (owner_ != nullptr) owner_->OnReady(*this);
  if (state_ == State::kClosed) return;
  ReadNext();
  WriteNext();
}

void StreamConnection::ReadNext() {
  WithStream([this](auto& stream) {
    stream.async_read_some(
        asio::buffer(read_buffer_),
        [self = shared_from_this()](const std::error_code& ec, size_t n) { self->OnRead(ec, n); });
  });
}

void StreamConnection::OnRead(const std::error_code& ec, size_t n) {
  if (state_ == State::kClosed) return;
  if (ec) {
    Close(IsOrderlyEnd(ec)
              ? Status::Ok()
              : Status::IoError("read from " + info_.peer.ToString() + ": " + ec.message()));
    return;
  }
  Touch();
  try {
    ReadMessages(n);
  } catch (const std::exception& e) {
    // Out of memory in the framer or a handler: this connection's state is
    // unknown now, so end it (the phone reconnects); the others go on.
    Close(Status::Internal("reading from " + info_.peer.ToString() + ": " + e.what()));
  }
}

void StreamConnection::ReadMessages(size_t n) {
  framer_.Feed(std::string_view(read_buffer_.data(), n));
  for (;;) {
    sip::StreamFramer::Event event = framer_.Next();
    switch (event.kind) {
      case sip::StreamFramer::Kind::kNeedMore:
        ReadNext();
        return;
      case sip::StreamFramer::Kind::kMessage:
        if (owner_ != nullptr) owner_->OnMessage(*this, std::move(event.message));
        if (state_ == State::kClosed) return;  // the handler closed us
        break;
      case sip::StreamFramer::Kind::kKeepAlive:
        // RFC 5626 §4.4.1: answer a CRLFCRLF ping with a single CRLF pong.
        queue_.push_back(Pending{"\r\n", {}, /*from_send=*/false});
        queued_bytes_ += 2;
        WriteNext();
        break;
      case sip::StreamFramer::Kind::kPong:
        if (owner_ != nullptr) owner_->OnPong(*this);
        if (state_ == State::kClosed) return;
        break;
      case sip::StreamFramer::Kind::kError:
        if (owner_ != nullptr) {
          owner_->OnBadStream(*this, std::string(read_buffer_.data(), n), event.status);
        }
        Close(Status::InvalidArgument("unframeable stream from " + info_.peer.ToString() + ": " +
                                      event.status.message()));
        return;
    }
  }
}

Status StreamConnection::Send(std::string bytes,
                              std::function<void(const SendFailure&)> on_failure) {
  if (state_ == State::kClosed) return Status::Unavailable("connection is closed");
  if (queued_bytes_ + bytes.size() > options_.max_queued_bytes) {
    return Status::LimitExceeded("write queue to " + info_.peer.ToString() + " is full");
  }
  queued_bytes_ += bytes.size();
  queue_.push_back(Pending{std::move(bytes), std::move(on_failure), /*from_send=*/true});
  WriteNext();
  return Status::Ok();
}

void StreamConnection::WriteNext() {
  if (writing_ || queue_.empty() || state_ != State::kOpen) return;
  writing_ = true;
  WithStream([this](auto& stream) {
    asio::async_write(
        stream, asio::buffer(queue_.front().bytes),
        [self = shared_from_this()](const std::error_code& ec, size_t) { self->OnWritten(ec); });
  });
}

void StreamConnection::OnWritten(const std::error_code& ec) {
  writing_ = false;
  if (state_ == State::kClosed) return;
  if (ec) {
    Close(Status::IoError("write to " + info_.peer.ToString() + ": " + ec.message()));
    return;
  }
  queued_bytes_ -= queue_.front().bytes.size();
  queue_.pop_front();
  Touch();
  WriteNext();
}

void StreamConnection::Close(Status reason) {
  if (state_ == State::kClosed) return;
  auto self = shared_from_this();  // the Owner drops its reference in OnClosed
  state_ = State::kClosed;
  setup_timer_.cancel();
  idle_timer_.cancel();
  std::error_code ignored;
  Lowest().close(ignored);

  // Every queued message is lost. The one being written keeps its bytes until
  // its completion handler has run (Asio may still reference the buffer).
  std::vector<std::function<void(const SendFailure&)>> lost;
  for (Pending& p : queue_) {
    if (p.from_send) lost.push_back(std::move(p.on_failure));
  }
  if (writing_) {
    queue_.erase(queue_.begin() + 1, queue_.end());
  } else {
    queue_.clear();
  }
  queued_bytes_ = 0;

  if (owner_ == nullptr) return;
  const Status why = reason.ok() ? Status::Unavailable("connection to " + info_.peer.ToString() +
                                                       " closed before the message was sent")
                                 : reason;
  for (auto& on_failure : lost) {
    owner_->OnSendFailed(*this, std::move(on_failure), why);
    if (owner_ == nullptr) return;
  }
  owner_->OnClosed(*this, std::move(reason));
}

void StreamConnection::Detach() {
  owner_ = nullptr;
  Close(Status::Ok());
}

}  // namespace sipreg::transport
