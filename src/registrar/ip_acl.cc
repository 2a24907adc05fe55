#include "registrar/ip_acl.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

#include <fmt/format.h>

namespace sipreg::registrar {
namespace {

bool ParseIp(std::string_view text, bool& v6, std::array<uint8_t, 16>& out) {
  std::string s(text);
  out.fill(0);
  if (inet_pton(AF_INET, s.c_str(), out.data()) == 1) {
    v6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), out.data()) == 1) {
    v6 = true;
    return true;
  }
  return false;
}

// Prefix length of a dotted netmask such as 255.255.255.0; -1 if not contiguous.
int MaskPrefix(const std::array<uint8_t, 16>& mask) {
  int prefix = 0;
  bool ended = false;
  for (int i = 0; i < 4; ++i) {
    for (int bit = 7; bit >= 0; --bit) {
      const bool set = (mask[i] >> bit) & 1;
      if (set && ended) return -1;
      if (set) ++prefix;
      else ended = true;
    }
  }
  return prefix;
}

}  // namespace

Result<IpNetwork> IpNetwork::Parse(std::string_view text) {
  IpNetwork net;
  const auto slash = text.find('/');
  const std::string_view host = text.substr(0, slash);
  if (!ParseIp(host, net.v6, net.addr)) {
    return Status::InvalidArgument(fmt::format("'{}' is not an IP address", host));
  }
  const int max_prefix = net.v6 ? 128 : 32;
  net.prefix = max_prefix;
  if (slash != std::string_view::npos) {
    const std::string_view m = text.substr(slash + 1);
    int p = -1;
    auto [end, ec] = std::from_chars(m.data(), m.data() + m.size(), p);
    if (ec == std::errc() && end == m.data() + m.size()) {
      if (p < 0 || p > max_prefix) {
        return Status::InvalidArgument(fmt::format("prefix /{} out of range", m));
      }
      net.prefix = p;
    } else {
      bool mask_v6 = false;
      std::array<uint8_t, 16> mask{};
      if (net.v6 || !ParseIp(m, mask_v6, mask) || mask_v6 || (p = MaskPrefix(mask)) < 0) {
        return Status::InvalidArgument(fmt::format("'{}' is not a netmask or prefix length", m));
      }
      net.prefix = p;
    }
  }
  // Clear host bits so ToString() and comparisons are canonical.
  for (int i = 0; i < 16; ++i) {
    const int bits_left = net.prefix - i * 8;
    if (bits_left >= 8) continue;
    net.addr[i] &= bits_left <= 0 ? 0 : static_cast<uint8_t>(0xff << (8 - bits_left));
  }
  return net;
}

bool IpNetwork::Contains(std::string_view ip) const {
  bool ip_v6 = false;
  std::array<uint8_t, 16> a{};
  if (!ParseIp(ip, ip_v6, a)) return false;
  if (ip_v6 != v6) {
    // IPv4-mapped IPv6 (::ffff:a.b.c.d) matches IPv4 networks.
    static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (!(ip_v6 && !v6 && std::memcmp(a.data(), kMapped, 12) == 0)) return false;
    std::memmove(a.data(), a.data() + 12, 4);
    std::memset(a.data() + 4, 0, 12);
  }
  int bits = prefix;
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    const uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((a[i] & mask) != addr[i]) return false;
  }
  return true;
}

std::string IpNetwork::ToString() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, addr.data(), buf, sizeof buf);
  return fmt::format("{}/{}", buf, prefix);
}

bool IpAcl::Allows(std::string_view ip) const {
  bool allowed = true;
  for (const auto& r : rules_) {
    if (r.net.Contains(ip)) allowed = r.permit;
  }
  return allowed;
}

std::string IpAcl::ToString() const {
  std::string out;
  for (const Rule& r : rules_) {
    if (!out.empty()) out += ", ";
    out += (r.permit ? "permit " : "deny ") + r.net.ToString();
  }
  return out;
}

}  // namespace sipreg::registrar
