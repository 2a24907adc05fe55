// ServerTargets: where the device sends its requests — the outbound proxy if
// one is set, else the SIP server — as an ordered list of addresses to fail
// over between (RFC 3263 §4.3: on a timeout or 503, the next one).
//
// Resolution (ResolveTargets) follows RFC 3263 as far as this build goes:
//  * IP literal: that address; port as given, else 5060 (5061 for TLS);
//    transport `auto` is UDP.
//  * host name: every A/AAAA address of the name (getaddrinfo order), same port
//    and transport rules.
// NAPTR/SRV lookups are not done yet (docs/device.md says so); a name that
// needs them must be given with its port.
//
// The TLS server name is the host name as configured (certificates are checked
// against it), empty for IP literals.
#pragma once

#include <string>
#include <vector>

#include <asio/io_context.hpp>

#include "common/status.h"
#include "device/device_config.h"
#include "sip/endpoint.h"

namespace sipreg::device {

struct ServerTargets {
  std::vector<sip::Endpoint> addresses;  // non-empty once resolved
  std::string tls_name;                  // SNI / certificate name; empty for literals
  std::string described;                 // for the System Log: "pbx.example.com -> 192.0.2.1, ..."
};

// Resolves sip.outbound_proxy if set, else sip.server. Blocking (the resolver
// may take a while for names); call it on the io thread before registering.
Result<ServerTargets> ResolveTargets(asio::io_context& io, const SipSettings& sip);

// The transport a `transport` setting picks for the first request (auto: UDP).
sip::TransportKind InitialTransport(TransportChoice choice);

// "udp:192.0.2.1:5060"
std::string TargetLabel(const sip::Endpoint& e);

}  // namespace sipreg::device
