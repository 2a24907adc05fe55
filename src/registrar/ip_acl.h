// IpAcl: Asterisk-style ordered permit/deny rules over CIDR networks
// (sip.conf permit=/deny=, pjsip acl sections). Evaluated like Asterisk's
// ast_apply_ha: start from "allow", each matching rule sets the verdict, the last
// match wins. Pure; thread-safe for concurrent reads.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace sipreg::registrar {

struct IpNetwork {
  bool v6 = false;
  std::array<uint8_t, 16> addr{};  // v4 in the first 4 bytes
  int prefix = 0;
  // "10.0.0.0/8", "192.168.1.5", "10.0.0.0/255.0.0.0", "::1/128", "fe80::/10".
  static Result<IpNetwork> Parse(std::string_view text);
  bool Contains(std::string_view ip) const;  // false for unparsable or other-family ips
  std::string ToString() const;
};

class IpAcl {
 public:
  void Permit(IpNetwork net) { rules_.push_back({true, net}); }
  void Deny(IpNetwork net) { rules_.push_back({false, net}); }
  bool empty() const { return rules_.empty(); }
  // True if `ip` may pass.
  bool Allows(std::string_view ip) const;
  // "permit 10.0.0.0/8, deny 0.0.0.0/0" (rule order kept); "" when empty.
  std::string ToString() const;

 private:
  struct Rule {
    bool permit;
    IpNetwork net;
  };
  std::vector<Rule> rules_;
};

}  // namespace sipreg::registrar
