// Conversions between the textual addresses in sip::Endpoint / SIP headers and
// Asio's address and endpoint types. Only IP literals: nothing here resolves names.
#pragma once

#include <asio/io_context.hpp>
#include <asio/ip/address.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "sip/endpoint.h"

namespace sipreg::transport {

// "127.0.0.1", "::1" or "[::1]" -> address; nullopt for anything else
// (host names, scope ids, garbage). Never throws.
std::optional<asio::ip::address> ParseIpLiteral(std::string_view text);

// Textual form without brackets. An IPv4-mapped IPv6 address is shown as IPv4.
std::string IpToString(const asio::ip::address& address);

// True if both are IP literals naming the same address ("::1" == "[0::1]").
bool SameIp(std::string_view a, std::string_view b);

// The local address the kernel would send from to reach ip:port (asks the
// routing table through a connected UDP socket; nothing is sent). For the
// Contact and Via of a client bound to the wildcard address.
Result<std::string> RouteSourceIp(asio::io_context& io, const std::string& ip, uint16_t port);

inline sip::Endpoint MakeEndpoint(sip::TransportKind kind, const asio::ip::address& address,
                                  uint16_t port) {
  return sip::Endpoint{kind, IpToString(address), port};
}

}  // namespace sipreg::transport
