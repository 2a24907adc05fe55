#include "transport/ip_address.h"

#include <system_error>

#include <asio/ip/udp.hpp>

namespace sipreg::transport {

std::optional<asio::ip::address> ParseIpLiteral(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
    if (text.find(':') == std::string_view::npos) return std::nullopt;  // "[1.2.3.4]"
  }
  // The longest IPv6 text is 45 characters; anything longer is not an address.
  if (text.empty() || text.size() > 45 || text.find('%') != std::string_view::npos) {
    return std::nullopt;
  }
  std::error_code ec;
  asio::ip::address address = asio::ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  return address;
}

std::string IpToString(const asio::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string();
  }
  return address.to_string();
}

bool SameIp(std::string_view a, std::string_view b) {
  std::optional<asio::ip::address> x = ParseIpLiteral(a);
  std::optional<asio::ip::address> y = ParseIpLiteral(b);
  return x && y && *x == *y;
}

}  // namespace sipreg::transport

namespace sipreg::transport {

Result<std::string> RouteSourceIp(asio::io_context& io, const std::string& ip, uint16_t port) {
  auto addr = ParseIpLiteral(ip);
  if (!addr) return Status::InvalidArgument("bad address " + ip);
  asio::error_code ec;
  asio::ip::udp::socket s(io);
  s.open(addr->is_v6() ? asio::ip::udp::v6() : asio::ip::udp::v4(), ec);
  if (!ec) s.connect({*addr, port}, ec);
  if (ec) return Status::Unavailable("no route to " + ip + ": " + ec.message());
  auto local = s.local_endpoint(ec);
  if (ec) return Status::Unavailable(ec.message());
  return IpToString(local.address());
}

}  // namespace sipreg::transport
