#include "transport/response_route.h"

#include <optional>
#include <string>

#include "transport/ip_address.h"

namespace sipreg::transport {

uint16_t DefaultSipPort(sip::TransportKind kind) {
  return kind == sip::TransportKind::kTls ? 5061 : 5060;
}

Result<sip::Endpoint> ResponseDestination(const sip::Via& top_via, const sip::Endpoint& source) {
  sip::Endpoint dest;
  dest.transport = source.transport;
  const uint16_t sent_by_port = top_via.port.value_or(DefaultSipPort(source.transport));

  // The address the request really came from: received if it is a usable IP.
  std::string received_ip = source.ip;
  if (std::optional<std::string_view> received = top_via.received()) {
    if (std::optional<asio::ip::address> ip = ParseIpLiteral(*received)) {
      received_ip = IpToString(*ip);
    }
  }

  if (sip::IsReliable(source.transport)) {
    dest.ip = received_ip;
    dest.port = sent_by_port;
    return dest;
  }

  if (std::optional<std::string_view> maddr = top_via.params.Get("maddr")) {
    std::optional<asio::ip::address> ip = ParseIpLiteral(*maddr);
    if (!ip) {
      return Status::Unavailable("Via maddr '" + std::string(*maddr) + "' is not an IP address");
    }
    dest.ip = IpToString(*ip);
    dest.port = sent_by_port;
    return dest;
  }

  dest.ip = received_ip;
  if (top_via.has_rport()) {
    // RFC 3581 §4: the port the request came from. A bare rport (Via not yet
    // stamped) means the same thing.
    const std::optional<uint16_t> rport = top_via.rport_value();
    dest.port = rport && *rport != 0 ? *rport : source.port;
  } else {
    dest.port = sent_by_port;
  }
  return dest;
}

}  // namespace sipreg::transport
