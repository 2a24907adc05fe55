// ServerTargets: where the device sends its requests — the outbound proxy if
// one is set, else the SIP server — as an ordered list of addresses to fail
// over between (RFC 3263 §4.3: on a timeout or 503, the next one), found by
// ResolveSipServer (sip_resolver.h) over real DNS (cares_lookup.h).
//
// The TLS server name is the host name as configured (certificates are checked
// against it, RFC 5922), empty for IP literals.
#pragma once

#include <string>
#include <vector>

#include "common/random.h"
#include "common/status.h"
#include "device/device_config.h"
#include "sip/endpoint.h"

namespace sipreg::device {

struct ServerTargets {
  std::vector<sip::Endpoint> addresses;  // non-empty once resolved
  std::string tls_name;                  // SNI / certificate name; empty for literals
  std::vector<std::string> trace;        // DNS lookups and answers, for the System Log
};

// Resolves sip.outbound_proxy if set, else sip.server, using sip.dns_server
// (or the system resolver). Blocking: DNS may take a few seconds when a server
// does not answer.
Result<ServerTargets> ResolveTargets(const SipSettings& sip, Random& random);

// "udp:192.0.2.1:5060"
std::string TargetLabel(const sip::Endpoint& e);

}  // namespace sipreg::device
