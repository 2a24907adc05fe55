#include "device/server_targets.h"

#include <cctype>

#include <fmt/format.h>

#include "device/cares_lookup.h"
#include "device/sip_resolver.h"
#include "transport/ip_address.h"

namespace sipreg::device {

std::string TargetLabel(const sip::Endpoint& e) {
  std::string t(sip::TransportName(e.transport));
  for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return fmt::format("{}:{}", t, e.ToString());
}

Result<ServerTargets> ResolveTargets(const SipSettings& sip, Random& random) {
  const HostPort& hp = sip.outbound_proxy.empty() ? sip.server : sip.outbound_proxy;
  if (hp.empty()) return Status::InvalidArgument("no SIP server configured");
  ServerTargets out;
  if (!transport::ParseIpLiteral(hp.host)) out.tls_name = hp.host;
  auto dns = CaresLookup::Create(sip.dns_server);
  if (!dns.ok()) return dns.status();
  auto resolved = ResolveSipServer(**dns, hp, sip.transport, random);
  if (!resolved.ok()) return resolved.status();
  out.addresses = std::move(resolved->addresses);
  out.trace = std::move(resolved->trace);
  return out;
}

}  // namespace sipreg::device
