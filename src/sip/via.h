// One Via entry (RFC 3261 §20.42, RFC 3581 rport). Zero-copy.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/status.h"
#include "sip/params.h"

namespace sipreg::sip {

struct Via {
  std::string_view protocol;   // "SIP/2.0"
  std::string_view transport;  // "UDP", "TCP", "TLS", "SCTP", "WS", ...
  std::string_view host;       // IPv6 keeps brackets
  std::optional<uint16_t> port;
  ParamList params;
  std::string_view raw;

  std::optional<std::string_view> branch() const { return params.Get("branch"); }
  std::optional<std::string_view> received() const { return params.Get("received"); }
  // rport: present-without-value means the client asks for it (RFC 3581 §3).
  bool has_rport() const { return params.Has("rport"); }
  std::optional<uint16_t> rport_value() const;
  // True if the branch starts with the RFC 3261 magic cookie "z9hG4bK".
  bool is_rfc3261_branch() const;
};

Result<Via> ParseVia(std::string_view entry);

}  // namespace sipreg::sip
