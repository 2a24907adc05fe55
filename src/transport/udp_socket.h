// UdpSocket: one bound UDP socket of an AsioTransport. Receives datagrams and
// hands each one, raw, to its Owner; sends datagrams fire-and-forget and
// reports send errors to the Owner.
// Receiving: when the socket becomes readable, recvmmsg(2) takes up to
// kBatch datagrams per system call until the queue is empty (after
// kMaxRounds full batches it yields to the event loop and comes back), so a
// busy registrar does not pay an epoll_wait and a recvfrom per datagram.
// Sending: at once with sendto(2); what the Owner sends while handling a
// batch of received datagrams goes out together with sendmmsg(2) after the
// batch (Cork/Uncork lets the Owner do the same for its own bursts). A send the kernel cannot take now (send buffer full) is queued
// through Asio, and later sends queue behind it, in order.
// Thread affinity: everything runs on the io_context thread.
// Ownership: held by shared_ptr; pending Asio operations hold one too, so the
// socket outlives its owner's Detach() until they have completed. After
// Detach() the Owner is never called again.
#pragma once

#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "sip/endpoint.h"
#include "transport/transport.h"

namespace sipreg::transport {

class UdpSocket : public std::enable_shared_from_this<UdpSocket> {
 public:
  class Owner {
   public:
    virtual void OnDatagram(UdpSocket& socket, std::string_view bytes,
                            const sip::Endpoint& source) = 0;
    virtual void OnUdpSendFailed(std::function<void(const SendFailure&)> on_failure,
                                 SendFailure failure) = 0;

   protected:
    ~Owner() = default;
  };

  // Opens and binds; does not start receiving (call Start()). `*owner` must
  // stay valid until Detach().
  static Result<std::shared_ptr<UdpSocket>> Open(asio::io_context& io, Owner* owner,
                                                 const asio::ip::address& address, uint16_t port);

  UdpSocket(asio::io_context& io, Owner* owner);
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  void Start();
  void SendTo(const asio::ip::udp::endpoint& dest, std::string bytes,
              std::function<void(const SendFailure&)> on_failure);
  // Between Cork() and the matching Uncork() (pairs nest) sends are gathered
  // and go out together, with sendmmsg, at the last Uncork().
  void Cork() { ++corks_; }
  void Uncork();
  // Forgets the owner and closes the socket.
  void Detach();

  const sip::Endpoint& local() const { return local_; }
  bool is_v6() const { return v6_; }
  // Datagrams the kernel could not take at once (EAGAIN: the socket's send
  // buffer was full) and that went through Asio's queue instead, in order.
  uint64_t deferred_sends() const { return deferred_sends_; }

 private:
  static constexpr size_t kBatch = 16;      // datagrams per recvmmsg / sendmmsg
  static constexpr size_t kMaxRounds = 8;   // full batches before yielding to other work

  struct Outgoing {
    asio::ip::udp::endpoint dest;
    std::string bytes;
    std::function<void(const SendFailure&)> on_failure;
  };

  void WaitReadable();
  void ReadBatches();
  // The socket was detached: held sends go nowhere.
  void DropCorked() {
    corks_ = 0;
    corked_sends_.clear();
  }
  // Hands `n` received datagrams to the owner; stops early if it detaches.
  void DeliverBatch(const mmsghdr* msgs, const iovec* iov, const sockaddr_storage* from, int n);
  // Sends what waited for the last Uncork(); the list is empty afterwards,
  // also when this throws.
  void FlushCorked();
  void SendCorked();
  void SendQueued(Outgoing out);
  void ReportSendError(const asio::ip::udp::endpoint& dest, const std::error_code& ec,
                       std::function<void(const SendFailure&)> on_failure);

  asio::ip::udp::socket socket_;
  Owner* owner_;
  sip::Endpoint local_;
  bool v6_ = false;
  std::unique_ptr<char[]> buffers_;  // kBatch receive slots of kMaxDatagram bytes
  size_t corks_ = 0;                 // while > 0, sends wait in corked_sends_
  std::vector<Outgoing> corked_sends_;
  size_t queued_sends_ = 0;          // sends waiting in Asio for the socket to be writable
  uint64_t deferred_sends_ = 0;      // every send that ever waited there
};

}  // namespace sipreg::transport
