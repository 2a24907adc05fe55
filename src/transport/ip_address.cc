#include "transport/ip_address.h"

#include <array>
#include <asio/ip/udp.hpp>
#include <charconv>
#include <system_error>

namespace sipreg::transport {
namespace {

// Dotted-quad IPv4 with inet_pton's rules (four decimal parts 0-255, no
// leading zeros, nothing else). Every SIP message's source and Via pass
// through here several times: asio's make_address copies the text and tries
// inet_pton for IPv6 before IPv4 (about 300 instructions a call).
std::optional<asio::ip::address_v4> ParseIpv4(std::string_view text) {
  asio::ip::address_v4::bytes_type bytes{};
  size_t part = 0;
  size_t i = 0;
  while (true) {
    const size_t start = i;
    unsigned value = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      value = value * 10 + static_cast<unsigned>(text[i] - '0');
      if (value > 255) return std::nullopt;
      ++i;
    }
    const size_t digits = i - start;
    if (digits == 0 || (digits > 1 && text[start] == '0')) return std::nullopt;
    bytes[part++] = static_cast<unsigned char>(value);
    if (part == 4) break;
    if (i >= text.size() || text[i] != '.') return std::nullopt;
    ++i;
  }
  if (i != text.size()) return std::nullopt;
  return asio::ip::address_v4(bytes);
}

std::string Ipv4ToString(const asio::ip::address_v4& address) {
  const asio::ip::address_v4::bytes_type bytes = address.to_bytes();
  std::array<char, 16> buf{};  // "255.255.255.255"
  char* p = buf.data();
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i > 0) *p++ = '.';
    p = std::to_chars(p, buf.data() + buf.size(), bytes[i]).ptr;
  }
  return std::string(buf.data(), p);
}

}  // namespace

std::optional<asio::ip::address> ParseIpLiteral(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
    if (text.find(':') == std::string_view::npos) return std::nullopt;  // "[1.2.3.4]"
  }
  // The longest IPv6 text is 45 characters; anything longer is not an address.
  // A NUL would cut the text short where a C API reads it ("1.2.3.4\0junk").
  if (text.empty() || text.size() > 45 ||
      text.find_first_of(std::string_view("%\0", 2)) != std::string_view::npos) {
    return std::nullopt;
  }
  if (text.find(':') == std::string_view::npos) {  // IPv6 text always has a colon
    std::optional<asio::ip::address_v4> v4 = ParseIpv4(text);
    if (!v4) return std::nullopt;
    return asio::ip::address(*v4);
  }
  std::error_code ec;
  asio::ip::address address = asio::ip::make_address_v6(std::string(text), ec);
  if (ec) return std::nullopt;
  return address;
}

std::string IpToString(const asio::ip::address& address) {
  if (address.is_v4()) return Ipv4ToString(address.to_v4());
  if (address.to_v6().is_v4_mapped()) {
    return Ipv4ToString(asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()));
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
