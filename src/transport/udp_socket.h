// UdpSocket: one bound UDP socket of an AsioTransport. Receives datagrams in a
// loop and hands each one, raw, to its Owner; sends datagrams fire-and-forget
// and reports send errors to the Owner.
// Thread affinity: everything runs on the io_context thread.
// Ownership: held by shared_ptr; pending Asio operations hold one too, so the
// socket outlives its owner's Detach() until they have completed. After
// Detach() the Owner is never called again.
#pragma once

#include <asio/io_context.hpp>
#include <asio/ip/udp.hpp>
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
  // Forgets the owner and closes the socket.
  void Detach();

  const sip::Endpoint& local() const { return local_; }
  bool is_v6() const { return v6_; }

 private:
  void ReceiveNext();

  asio::ip::udp::socket socket_;
  Owner* owner_;
  sip::Endpoint local_;
  bool v6_ = false;
  std::vector<char> buffer_;
  asio::ip::udp::endpoint sender_;
};

}  // namespace sipreg::transport
