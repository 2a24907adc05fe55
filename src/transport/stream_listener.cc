#include "transport/stream_listener.h"

#include <asio/error.hpp>
#include <asio/ip/v6_only.hpp>
#include <asio/socket_base.hpp>
#include <chrono>
#include <system_error>
#include <utility>

#include "transport/ip_address.h"

namespace sipreg::transport {
namespace {

constexpr std::chrono::milliseconds kAcceptRetryDelay{50};

}  // namespace

StreamListener::StreamListener(asio::io_context& io, Owner* owner, sip::TransportKind kind)
    : acceptor_(io), retry_timer_(io), owner_(owner) {
  local_.transport = kind;
}

Result<std::shared_ptr<StreamListener>> StreamListener::Open(asio::io_context& io, Owner* owner,
                                                             sip::TransportKind kind,
                                                             const asio::ip::address& address,
                                                             uint16_t port) {
  auto l = std::make_shared<StreamListener>(io, owner, kind);
  const asio::ip::tcp::endpoint ep(address, port);
  const std::string what = std::string(sip::TransportName(kind)) + " listen " +
                           MakeEndpoint(kind, address, port).ToString() + ": ";
  std::error_code ec;
  l->acceptor_.open(ep.protocol(), ec);
  if (ec) return Status::IoError(what + ec.message());
  l->acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (ec) return Status::IoError(what + ec.message());
  if (address.is_v6()) {
    l->acceptor_.set_option(asio::ip::v6_only(true), ec);
    if (ec) return Status::IoError(what + ec.message());
  }
  l->acceptor_.bind(ep, ec);
  if (ec) return Status::IoError(what + ec.message());
  l->acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::IoError(what + ec.message());
  const asio::ip::tcp::endpoint bound = l->acceptor_.local_endpoint(ec);
  if (ec) return Status::IoError(what + ec.message());
  l->local_ = MakeEndpoint(kind, bound.address(), bound.port());
  return l;
}

void StreamListener::Start() { AcceptNext(); }

void StreamListener::AcceptNext() {
  acceptor_.async_accept(
      [self = shared_from_this()](const std::error_code& ec, asio::ip::tcp::socket socket) {
        if (self->owner_ == nullptr || ec == asio::error::operation_aborted) return;
        if (ec) {
          self->retry_timer_.expires_after(kAcceptRetryDelay);
          self->retry_timer_.async_wait([self](const std::error_code& wait_ec) {
            if (self->owner_ == nullptr || wait_ec) return;
            self->AcceptNext();
          });
          return;
        }
        // Re-armed first: if handling this connection throws (SSL_new failing),
        // the listener still accepts the next one. Detach() cancels it.
        self->AcceptNext();
        self->owner_->OnAccepted(*self, std::move(socket));
      });
}

void StreamListener::Detach() {
  owner_ = nullptr;
  std::error_code ignored;
  acceptor_.close(ignored);
  retry_timer_.cancel();
}

}  // namespace sipreg::transport
