// StreamListener: one listening TCP socket of an AsioTransport (for TCP or
// TLS); accepts in a loop and hands each accepted socket to its Owner, which
// decides whether to keep it (connection limit) and wraps it in a
// StreamConnection. On accept errors (e.g. out of file descriptors) it pauses
// briefly instead of spinning.
// Thread affinity and ownership: as UdpSocket (io_context thread; shared_ptr
// held by pending operations; the Owner is never called after Detach()).
#pragma once

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <cstdint>
#include <memory>

#include "common/status.h"
#include "sip/endpoint.h"

namespace sipreg::transport {

class StreamListener : public std::enable_shared_from_this<StreamListener> {
 public:
  class Owner {
   public:
    virtual void OnAccepted(StreamListener& listener, asio::ip::tcp::socket socket) = 0;

   protected:
    ~Owner() = default;
  };

  // Binds and listens; call Start() to begin accepting. `kind` is kTcp or kTls.
  static Result<std::shared_ptr<StreamListener>> Open(asio::io_context& io, Owner* owner,
                                                      sip::TransportKind kind,
                                                      const asio::ip::address& address,
                                                      uint16_t port);

  StreamListener(asio::io_context& io, Owner* owner, sip::TransportKind kind);
  StreamListener(const StreamListener&) = delete;
  StreamListener& operator=(const StreamListener&) = delete;

  void Start();
  void Detach();

  const sip::Endpoint& local() const { return local_; }
  sip::TransportKind kind() const { return local_.transport; }

 private:
  void AcceptNext();

  asio::ip::tcp::acceptor acceptor_;
  asio::steady_timer retry_timer_;
  Owner* owner_;
  sip::Endpoint local_;
};

}  // namespace sipreg::transport
