#include "transport/udp_socket.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <asio/buffer.hpp>
#include <asio/error.hpp>
#include <asio/ip/v6_only.hpp>
#include <asio/post.hpp>
#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include "transport/ip_address.h"

namespace sipreg::transport {
namespace {

constexpr size_t kMaxDatagram = 65536;  // more than any UDP payload

}  // namespace

UdpSocket::UdpSocket(asio::io_context& io, Owner* owner)
    // Not value-initialized: only the bytes datagrams fill are ever touched.
    : socket_(io), owner_(owner),
      buffers_(std::make_unique_for_overwrite<char[]>(kBatch * kMaxDatagram)) {}

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

void UdpSocket::Start() { WaitReadable(); }

void UdpSocket::WaitReadable() {
  socket_.async_wait(asio::socket_base::wait_read,
                     [self = shared_from_this()](const std::error_code& ec) {
                       if (self->owner_ == nullptr || ec == asio::error::operation_aborted) return;
                       // Other errors (a queued ICMP error) concern one datagram, not the
                       // socket: recvmmsg reports and clears them; keep receiving.
                       self->ReadBatches();
                     });
}

void UdpSocket::ReadBatches() {
  std::array<mmsghdr, kBatch> msgs;
  std::array<iovec, kBatch> iov;
  std::array<sockaddr_storage, kBatch> from;
  for (size_t round = 0; round < kMaxRounds; ++round) {
    for (size_t i = 0; i < kBatch; ++i) {
      iov[i] = iovec{buffers_.get() + i * kMaxDatagram, kMaxDatagram};
      msgs[i] = mmsghdr{};
      msgs[i].msg_hdr.msg_name = &from[i];
      msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    const int n = ::recvmmsg(socket_.native_handle(), msgs.data(), kBatch, MSG_DONTWAIT, nullptr);
    if (n < 0) {
      if (errno == EINTR) continue;
      // EAGAIN: all read, wait for the next. Anything else concerns one earlier
      // datagram (a queued ICMP error, now cleared): wait through the event
      // loop too, which re-checks readiness, so an error that kept coming back
      // could not spin here.
      WaitReadable();
      return;
    }
    Cork();
    try {
      DeliverBatch(msgs.data(), iov.data(), from.data(), n);
    } catch (...) {
      // A handler threw (memory ran out): the rest of this batch is dropped
      // (UDP: phones retransmit). Leave the socket working, sends released and
      // reading re-armed, and let the event loop's caller see the exception.
      if (owner_ != nullptr) {
        WaitReadable();  // first: a failing flush must not stop reading
        Uncork();
      } else {
        DropCorked();
      }
      throw;
    }
    if (owner_ == nullptr) {  // detached by a handler: the socket is closed
      DropCorked();
      return;
    }
    // Fewer than asked: the queue was empty; a datagram arriving later is a new
    // readiness event. Armed before the flush, which could throw.
    const bool drained = static_cast<size_t>(n) < kBatch;
    if (drained) WaitReadable();
    try {
      Uncork();
    } catch (...) {
      if (!drained) WaitReadable();
      throw;
    }
    if (drained) return;
  }
  // kMaxRounds full batches: more may be queued without a new readiness event.
  // Come back after the other handlers had their turn.
  asio::post(socket_.get_executor(), [self = shared_from_this()] {
    if (self->owner_ != nullptr) self->ReadBatches();
  });
}

void UdpSocket::DeliverBatch(const mmsghdr* msgs, const iovec* iov, const sockaddr_storage* from,
                             int n) {
  for (int i = 0; i < n; ++i) {
    asio::ip::udp::endpoint sender;
    const socklen_t len = msgs[i].msg_hdr.msg_namelen;
    if (len > sender.capacity()) continue;  // not an IPv4/IPv6 address: cannot answer it
    std::memcpy(sender.data(), &from[i], len);
    sender.resize(len);
    const sip::Endpoint source =
        MakeEndpoint(sip::TransportKind::kUdp, sender.address(), sender.port());
    owner_->OnDatagram(
        *this, std::string_view(static_cast<const char*>(iov[i].iov_base), msgs[i].msg_len),
        source);
    if (owner_ == nullptr) return;  // detached by the handler: the socket is closed
  }
}

void UdpSocket::SendTo(const asio::ip::udp::endpoint& dest, std::string bytes,
                       std::function<void(const SendFailure&)> on_failure) {
  if (corks_ > 0) {
    corked_sends_.push_back(Outgoing{dest, std::move(bytes), std::move(on_failure)});
    return;
  }
  if (queued_sends_ == 0) {
    for (;;) {
      const ssize_t sent = ::sendto(socket_.native_handle(), bytes.data(), bytes.size(),
                                    MSG_DONTWAIT | MSG_NOSIGNAL, dest.data(), dest.size());
      if (sent >= 0) return;
      if (errno != EINTR) break;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      ReportSendError(dest, std::error_code(errno, std::system_category()),
                      std::move(on_failure));
      return;
    }
  }
  SendQueued(Outgoing{dest, std::move(bytes), std::move(on_failure)});
}

void UdpSocket::Uncork() {
  if (corks_ > 0 && --corks_ == 0) FlushCorked();
}

void UdpSocket::FlushCorked() {
  try {
    SendCorked();
  } catch (...) {
    // Reporting a failure or queueing ran out of memory part way: what was
    // handed to the kernel must not go out twice at the next flush, and what
    // was not is dropped (UDP: the peer retransmits).
    corked_sends_.clear();
    throw;
  }
}

void UdpSocket::SendCorked() {
  std::array<mmsghdr, kBatch> msgs;
  std::array<iovec, kBatch> iov;
  size_t next = 0;
  while (next < corked_sends_.size() && queued_sends_ == 0) {
    const size_t count = std::min(kBatch, corked_sends_.size() - next);
    for (size_t i = 0; i < count; ++i) {
      Outgoing& out = corked_sends_[next + i];
      iov[i] = iovec{out.bytes.data(), out.bytes.size()};
      msgs[i] = mmsghdr{};
      msgs[i].msg_hdr.msg_name = out.dest.data();
      msgs[i].msg_hdr.msg_namelen = static_cast<socklen_t>(out.dest.size());
      msgs[i].msg_hdr.msg_iov = &iov[i];
      msgs[i].msg_hdr.msg_iovlen = 1;
    }
    const int n = ::sendmmsg(socket_.native_handle(), msgs.data(), static_cast<unsigned>(count),
                             MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      next += static_cast<size_t>(n);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      break;  // the rest waits for the socket to be writable
    } else if (errno != EINTR) {
      // sendmmsg reports an error only for the first message it was given.
      Outgoing& failed = corked_sends_[next++];
      ReportSendError(failed.dest, std::error_code(errno, std::system_category()),
                      std::move(failed.on_failure));
    }
  }
  for (; next < corked_sends_.size(); ++next) SendQueued(std::move(corked_sends_[next]));
  corked_sends_.clear();
}

void UdpSocket::SendQueued(Outgoing out) {
  auto data = std::make_shared<Outgoing>(std::move(out));
  ++queued_sends_;
  ++deferred_sends_;
  socket_.async_send_to(
      asio::buffer(data->bytes), data->dest,
      [self = shared_from_this(), data](const std::error_code& ec, size_t) {
        --self->queued_sends_;
        if (!ec || self->owner_ == nullptr || ec == asio::error::operation_aborted) return;
        self->ReportSendError(data->dest, ec, std::move(data->on_failure));
      });
}

void UdpSocket::ReportSendError(const asio::ip::udp::endpoint& dest, const std::error_code& ec,
                                std::function<void(const SendFailure&)> on_failure) {
  if (owner_ == nullptr) return;
  SendFailure failure;
  failure.destination = MakeEndpoint(sip::TransportKind::kUdp, dest.address(), dest.port());
  failure.status =
      Status::IoError("UDP send to " + failure.destination.ToString() + ": " + ec.message());
  // The Owner reports failures from a posted handler, never inside this call.
  owner_->OnUdpSendFailed(std::move(on_failure), std::move(failure));
}

void UdpSocket::Detach() {
  owner_ = nullptr;
  std::error_code ignored;
  socket_.close(ignored);
}

}  // namespace sipreg::transport
