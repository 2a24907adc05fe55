#include "transport/udp_socket.h"

#include <asio/buffer.hpp>
#include <asio/error.hpp>
#include <asio/ip/v6_only.hpp>
#include <system_error>
#include <utility>

#include "transport/ip_address.h"

namespace sipreg::transport {
namespace {

constexpr size_t kMaxDatagram = 65535;

}  // namespace

UdpSocket::UdpSocket(asio::io_context& io, Owner* owner)
    : socket_(io), owner_(owner), buffer_(kMaxDatagram) {}

Result<std::shared_ptr<UdpSocket>> UdpSocket::Open(asio::io_context& io, Owner* owner,
                                                   const asio::ip::address& address,
                                                   uint16_t port) {
  auto s = std::make_shared<UdpSocket>(io, owner);
  const asio::ip::udp::endpoint ep(address, port);
  std::error_code ec;
  s->socket_.open(ep.protocol(), ec);
  if (ec) return Status::IoError("UDP socket: " + ec.message());
  if (address.is_v6()) {
    s->socket_.set_option(asio::ip::v6_only(true), ec);
    if (ec) return Status::IoError("UDP IPV6_V6ONLY: " + ec.message());
  }
  // A registrar takes bursts (phones re-registering after an outage, load
  // tools): the default ~200 KiB receive buffer overflows during a short stall
  // and the phone only retries after 500 ms. Ask for 4 MiB (the kernel caps it
  // at net.core.rmem_max); failing to get it is not an error.
  s->socket_.set_option(asio::socket_base::receive_buffer_size(4 << 20), ec);
  s->socket_.set_option(asio::socket_base::send_buffer_size(1 << 20), ec);
  ec.clear();
  s->socket_.bind(ep, ec);
  if (ec) {
    return Status::IoError("UDP bind " +
                           MakeEndpoint(sip::TransportKind::kUdp, address, port).ToString() + ": " +
                           ec.message());
  }
  const asio::ip::udp::endpoint bound = s->socket_.local_endpoint(ec);
  if (ec) return Status::IoError("UDP local address: " + ec.message());
  s->local_ = MakeEndpoint(sip::TransportKind::kUdp, bound.address(), bound.port());
  s->v6_ = address.is_v6();
  return s;
}

void UdpSocket::Start() { ReceiveNext(); }

void UdpSocket::ReceiveNext() {
  socket_.async_receive_from(
      asio::buffer(buffer_), sender_,
      [self = shared_from_this()](const std::error_code& ec, size_t n) {
        if (self->owner_ == nullptr || ec == asio::error::operation_aborted) return;
        // Other receive errors (e.g. a queued ICMP error) concern one datagram,
        // not the socket: keep receiving.
        if (!ec && n > 0) {
          const sip::Endpoint source =
              MakeEndpoint(sip::TransportKind::kUdp, self->sender_.address(), self->sender_.port());
          self->owner_->OnDatagram(*self, std::string_view(self->buffer_.data(), n), source);
          if (self->owner_ == nullptr) return;
        }
        self->ReceiveNext();
      });
}

void UdpSocket::SendTo(const asio::ip::udp::endpoint& dest, std::string bytes,
                       std::function<void(const SendFailure&)> on_failure) {
  auto data = std::make_shared<std::string>(std::move(bytes));
  socket_.async_send_to(
      asio::buffer(*data), dest,
      [self = shared_from_this(), data, dest, on_failure = std::move(on_failure)](
          const std::error_code& ec, size_t) mutable {
        if (!ec || self->owner_ == nullptr || ec == asio::error::operation_aborted) return;
        SendFailure failure;
        failure.destination = MakeEndpoint(sip::TransportKind::kUdp, dest.address(), dest.port());
        failure.status =
            Status::IoError("UDP send to " + failure.destination.ToString() + ": " + ec.message());
        self->owner_->OnUdpSendFailed(std::move(on_failure), std::move(failure));
      });
}

void UdpSocket::Detach() {
  owner_ = nullptr;
  std::error_code ignored;
  socket_.close(ignored);
}

}  // namespace sipreg::transport
