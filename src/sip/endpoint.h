// Where a message came from or goes to: transport kind plus IP address and port.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sipreg::sip {

enum class TransportKind : uint8_t { kUdp, kTcp, kTls };

std::string_view TransportName(TransportKind t);  // "UDP", "TCP", "TLS"
bool IsReliable(TransportKind t);                 // TCP and TLS

struct Endpoint {
  TransportKind transport = TransportKind::kUdp;
  std::string ip;  // textual, no brackets: "127.0.0.1", "::1"
  uint16_t port = 0;

  // "127.0.0.1:5060" or "[::1]:5060".
  std::string ToString() const;
  bool operator==(const Endpoint&) const = default;
};

}  // namespace sipreg::sip
