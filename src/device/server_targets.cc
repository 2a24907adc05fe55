#include "device/server_targets.h"

#include <asio/ip/udp.hpp>
#include <fmt/format.h>

#include "transport/ip_address.h"

namespace sipreg::device {

sip::TransportKind InitialTransport(TransportChoice choice) {
  switch (choice) {
    case TransportChoice::kTcp: return sip::TransportKind::kTcp;
    case TransportChoice::kTls: return sip::TransportKind::kTls;
    case TransportChoice::kAuto:
    case TransportChoice::kUdp: return sip::TransportKind::kUdp;
  }
  return sip::TransportKind::kUdp;
}

std::string TargetLabel(const sip::Endpoint& e) {
  std::string t(sip::TransportName(e.transport));
  for (auto& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return fmt::format("{}:{}", t, e.ToString());
}

Result<ServerTargets> ResolveTargets(asio::io_context& io, const SipSettings& sip) {
  const HostPort& hp = sip.outbound_proxy.empty() ? sip.server : sip.outbound_proxy;
  if (hp.empty()) return Status::InvalidArgument("no SIP server configured");
  const sip::TransportKind kind = InitialTransport(sip.transport);
  const uint16_t port = hp.port.value_or(kind == sip::TransportKind::kTls ? 5061 : 5060);

  ServerTargets out;
  if (auto literal = transport::ParseIpLiteral(hp.host)) {
    out.addresses.push_back(transport::MakeEndpoint(kind, *literal, port));
    out.described = TargetLabel(out.addresses.front());
    return out;
  }
  out.tls_name = hp.host;
  asio::error_code ec;
  asio::ip::udp::resolver resolver(io);
  auto results = resolver.resolve(hp.host, std::to_string(port), ec);
  if (ec || results.empty()) {
    return Status::NotFound(fmt::format("cannot resolve '{}': {}", hp.host,
                                        ec ? ec.message() : "no address"));
  }
  std::string list;
  for (const auto& r : results) {
    sip::Endpoint e = transport::MakeEndpoint(kind, r.endpoint().address(), port);
    bool seen = false;
    for (const auto& a : out.addresses) seen = seen || a == e;
    if (seen) continue;
    out.addresses.push_back(e);
    if (!list.empty()) list += ", ";
    list += e.ToString();
  }
  out.described = fmt::format("{} -> {}", hp.host, list);
  return out;
}

}  // namespace sipreg::device
