// Helpers for transport tests over real loopback sockets: drive an io_context
// until a condition holds (always with a deadline, so a broken test fails
// instead of hanging), record everything a Transport reports, build sample
// SIP messages, and a raw TCP peer for writing arbitrary bytes.
// Single-threaded: everything runs on the test thread.
#pragma once

#include <algorithm>
#include <array>
#include <asio/buffer.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "transport/ip_address.h"
#include "transport/transport.h"

namespace sipreg::transport::testing {

using namespace std::chrono_literals;

// Runs handlers one at a time until done() or `limit` passes. Returns done().
inline bool RunUntil(asio::io_context& io, const std::function<bool()>& done,
                     std::chrono::milliseconds limit = 2000ms) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    if (io.stopped()) io.restart();
    io.run_one_for(std::min<std::chrono::steady_clock::duration>(deadline - now, 20ms));
  }
  return true;
}

// Runs whatever becomes ready during `d` (to check that nothing else happens).
inline void RunFor(asio::io_context& io, std::chrono::milliseconds d) {
  RunUntil(
      io, [] { return false; }, d);
}

inline bool Ipv6LoopbackAvailable() {
  asio::io_context io;
  asio::ip::udp::socket s(io);
  std::error_code ec;
  s.open(asio::ip::udp::v6(), ec);
  if (!ec) s.bind(asio::ip::udp::endpoint(asio::ip::address_v6::loopback(), 0), ec);
  return !ec;
}

// A REGISTER whose Via asks for rport (RFC 3581) with a sent-by that is not
// the loopback address, so the receiving transport must stamp it.
inline std::string SampleRegister(std::string_view transport, std::string_view call_id,
                                  std::string_view body = {}) {
  std::string m = "REGISTER sip:example.com SIP/2.0\r\n";
  m += "Via: SIP/2.0/" + std::string(transport) + " client.invalid:5099;rport;branch=z9hG4bK" +
       std::string(call_id) + "\r\n";
  m += "Max-Forwards: 70\r\n";
  m += "From: <sip:alice@example.com>;tag=a1\r\n";
  m += "To: <sip:alice@example.com>\r\n";
  m += "Call-ID: " + std::string(call_id) + "\r\n";
  m += "CSeq: 1 REGISTER\r\n";
  m += "Contact: <sip:alice@client.invalid:5099>\r\n";
  m += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  m += body;
  return m;
}

// Collects everything a Transport reports.
struct Recorder {
  std::vector<ReceivedMessage> messages;
  std::vector<BadMessage> bad;
  std::vector<SendFailure> failures;
  std::vector<std::pair<ConnectionInfo, Status>> closed;

  void Attach(Transport& t) {
    t.SetMessageHandler([this](ReceivedMessage m) { messages.push_back(std::move(m)); });
    t.SetBadMessageHandler([this](const BadMessage& b) { bad.push_back(b); });
    t.SetErrorHandler([this](const SendFailure& f) { failures.push_back(f); });
    t.SetConnectionClosedHandler(
        [this](const ConnectionInfo& info, const Status& why) { closed.emplace_back(info, why); });
  }
};

// A plain TCP peer that writes exactly the bytes it is given and collects
// whatever comes back (reads run on the io_context).
class RawTcpPeer {
 public:
  explicit RawTcpPeer(asio::io_context& io) : state_(std::make_shared<State>(io)) {}
  ~RawTcpPeer() {
    std::error_code ignored;
    state_->socket.close(ignored);
  }

  // Blocking connect (the listener's backlog accepts it without the loop running).
  bool Connect(const sip::Endpoint& ep) {
    std::error_code ec;
    state_->socket.connect(asio::ip::tcp::endpoint(*ParseIpLiteral(ep.ip), ep.port), ec);
    if (ec) return false;
    StartRead(state_);
    return true;
  }
  void Write(std::string_view bytes) {
    std::error_code ec;
    asio::write(state_->socket, asio::buffer(bytes.data(), bytes.size()), ec);
  }
  uint16_t local_port() const {
    std::error_code ec;
    return state_->socket.local_endpoint(ec).port();
  }
  // Waits until at least n bytes have arrived (or EOF / limit).
  const std::string& ReadAtLeast(asio::io_context& io, size_t n,
                                 std::chrono::milliseconds limit = 2000ms) {
    RunUntil(
        io, [&] { return state_->received.size() >= n || state_->eof; }, limit);
    return state_->received;
  }
  bool WaitForEof(asio::io_context& io, std::chrono::milliseconds limit = 2000ms) {
    return RunUntil(
        io, [&] { return state_->eof; }, limit);
  }
  const std::string& received() const { return state_->received; }

 private:
  struct State {
    explicit State(asio::io_context& io) : socket(io) {}
    asio::ip::tcp::socket socket;
    std::array<char, 4096> chunk;
    std::string received;
    bool eof = false;
  };
  static void StartRead(const std::shared_ptr<State>& s) {
    s->socket.async_read_some(asio::buffer(s->chunk), [s](const std::error_code& ec, size_t n) {
      if (ec) {
        s->eof = true;
        return;
      }
      s->received.append(s->chunk.data(), n);
      StartRead(s);
    });
  }

  std::shared_ptr<State> state_;
};

}  // namespace sipreg::transport::testing
