#include "sip/endpoint.h"

namespace sipreg::sip {

std::string_view TransportName(TransportKind t) {
  switch (t) {
    case TransportKind::kUdp: return "UDP";
    case TransportKind::kTcp: return "TCP";
    case TransportKind::kTls: return "TLS";
  }
  return "UDP";
}

bool IsReliable(TransportKind t) { return t != TransportKind::kUdp; }

std::string Endpoint::ToString() const {
  std::string out;
  const bool v6 = ip.find(':') != std::string::npos;
  if (v6) out += '[';
  out += ip;
  if (v6) out += ']';
  out += ':';
  out += std::to_string(port);
  return out;
}

}  // namespace sipreg::sip
