// SIP, SIPS and tel URIs (RFC 3261 §19.1, RFC 3966). ParseUri is pure and
// zero-copy: every view points into the input, which must outlive the Uri.
// Escaped characters (%XX) are left as written; Unescape() decodes on demand.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "sip/params.h"

namespace sipreg::sip {

enum class UriScheme : uint8_t { kSip, kSips, kTel };

struct Uri {
  UriScheme scheme = UriScheme::kSip;
  std::string_view user;      // may be empty; for tel: the number
  std::string_view password;  // "sip:alice:pw@host"
  bool has_password = false;
  std::string_view host;      // IPv6 references keep their brackets: "[::1]"; empty for tel
  std::optional<uint16_t> port;
  ParamList params;           // ;transport=tcp;lr ...
  std::string_view headers;   // after '?', raw ("subject=x&priority=urgent"), without '?'
  std::string_view raw;       // the whole URI text

  bool is_ipv6_host() const { return !host.empty() && host.front() == '['; }
  // Host without IPv6 brackets.
  std::string_view host_no_brackets() const;
  std::optional<std::string_view> transport_param() const { return params.Get("transport"); }
};

Result<Uri> ParseUri(std::string_view text);

// Decodes %XX escapes; returns InvalidArgument on a malformed escape.
Result<std::string> Unescape(std::string_view text);

}  // namespace sipreg::sip
