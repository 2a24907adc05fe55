#include "device/sip_resolver.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include <fmt/format.h>

#include "transport/ip_address.h"
#include "transport/response_route.h"

namespace sipreg::device {
namespace {

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The SRV name for a transport (RFC 3263 §4.1: SIPS over TLS is _sips._tcp).
std::string SrvName(sip::TransportKind kind, const std::string& domain) {
  switch (kind) {
    case sip::TransportKind::kUdp: return "_sip._udp." + domain;
    case sip::TransportKind::kTcp: return "_sip._tcp." + domain;
    case sip::TransportKind::kTls: return "_sips._tcp." + domain;
  }
  return "_sip._udp." + domain;
}

std::optional<sip::TransportKind> NaptrTransport(const std::string& service) {
  const std::string s = Lower(service);
  if (s == "sip+d2u") return sip::TransportKind::kUdp;
  if (s == "sip+d2t") return sip::TransportKind::kTcp;
  if (s == "sips+d2t") return sip::TransportKind::kTls;
  return std::nullopt;
}

// Priority ascending; within one priority a weighted random order (RFC 2782).
std::vector<SrvRecord> OrderSrv(std::vector<SrvRecord> records, Random& random) {
  std::stable_sort(records.begin(), records.end(),
                   [](const SrvRecord& a, const SrvRecord& b) { return a.priority < b.priority; });
  std::vector<SrvRecord> out;
  size_t i = 0;
  while (i < records.size()) {
    size_t j = i;
    while (j < records.size() && records[j].priority == records[i].priority) ++j;
    std::vector<SrvRecord> group(records.begin() + static_cast<long>(i),
                                 records.begin() + static_cast<long>(j));
    // Zero weights first, as RFC 2782 suggests, so they have a small chance.
    std::stable_sort(group.begin(), group.end(),
                     [](const SrvRecord& a, const SrvRecord& b) {
                       return a.weight == 0 && b.weight != 0;
                     });
    while (!group.empty()) {
      uint64_t total = 0;
      for (const auto& r : group) total += r.weight;
      const uint64_t pick = random.Uniform(total + 1);
      uint64_t running = 0;
      size_t chosen = group.size() - 1;
      for (size_t k = 0; k < group.size(); ++k) {
        running += group[k].weight;
        if (running >= pick) {
          chosen = k;
          break;
        }
      }
      out.push_back(group[chosen]);
      group.erase(group.begin() + static_cast<long>(chosen));
    }
    i = j;
  }
  return out;
}

// Addresses of `name` on `port` with `kind`, appended to `out`.
void AddAddresses(DnsLookup& dns, const std::string& name, uint16_t port, sip::TransportKind kind,
                  ResolvedServer& out) {
  auto addrs = dns.Addresses(name);
  if (!addrs.ok()) {
    out.trace.push_back(fmt::format("A/AAAA {}: {}", name, addrs.status().message()));
    return;
  }
  std::string list;
  for (const auto& a : *addrs) {
    sip::Endpoint e{kind, a, port};
    if (std::find(out.addresses.begin(), out.addresses.end(), e) == out.addresses.end()) {
      out.addresses.push_back(e);
    }
    if (!list.empty()) list += ", ";
    list += a;
  }
  out.trace.push_back(fmt::format("A/AAAA {}: {}", name, list));
}

// SRV records of `srv_name` → addresses. False when there are none.
bool FromSrv(DnsLookup& dns, const std::string& srv_name, sip::TransportKind kind, Random& random,
             ResolvedServer& out) {
  auto records = dns.Srv(srv_name);
  if (!records.ok()) {
    out.trace.push_back(fmt::format("SRV {}: {}", srv_name, records.status().message()));
    return false;
  }
  for (const auto& r : OrderSrv(*records, random)) {
    if (r.target.empty() || r.target == ".") continue;
    out.trace.push_back(fmt::format("SRV {}: {} {} {} {}", srv_name, r.priority, r.weight, r.port,
                                    r.target));
    AddAddresses(dns, r.target, r.port, kind, out);
  }
  return !out.addresses.empty();
}

}  // namespace

Result<ResolvedServer> ResolveSipServer(DnsLookup& dns, const HostPort& target,
                                        TransportChoice choice, Random& random) {
  ResolvedServer out;
  const bool automatic = choice == TransportChoice::kAuto;
  const sip::TransportKind fixed = choice == TransportChoice::kTcp   ? sip::TransportKind::kTcp
                                   : choice == TransportChoice::kTls ? sip::TransportKind::kTls
                                                                     : sip::TransportKind::kUdp;
  if (target.host.empty()) return Status::InvalidArgument("no SIP server configured");

  if (auto literal = transport::ParseIpLiteral(target.host)) {
    out.addresses.push_back(
        transport::MakeEndpoint(fixed, *literal, target.port.value_or(transport::DefaultSipPort(fixed))));
    return out;
  }
  if (target.port) {  // §4.2: a port means no SRV
    AddAddresses(dns, target.host, *target.port, fixed, out);
  } else if (automatic) {
    bool found = false;
    auto naptr = dns.Naptr(target.host);
    if (naptr.ok()) {
      std::vector<NaptrRecord> records = *naptr;
      std::stable_sort(records.begin(), records.end(),
                       [](const NaptrRecord& a, const NaptrRecord& b) {
                         return a.order != b.order ? a.order < b.order
                                                   : a.preference < b.preference;
                       });
      for (const auto& r : records) {
        auto kind = NaptrTransport(r.service);
        if (!kind || Lower(r.flags) != "s") continue;
        out.trace.push_back(fmt::format("NAPTR {}: {} {} \"{}\" {} -> {}", target.host, r.order,
                                        r.preference, r.flags, r.service, r.replacement));
        if (FromSrv(dns, r.replacement, *kind, random, out)) {
          found = true;
          break;
        }
      }
    } else {
      out.trace.push_back(fmt::format("NAPTR {}: {}", target.host, naptr.status().message()));
    }
    for (auto kind : {sip::TransportKind::kUdp, sip::TransportKind::kTcp,
                      sip::TransportKind::kTls}) {
      if (found) break;
      found = FromSrv(dns, SrvName(kind, target.host), kind, random, out);
    }
    if (!found) AddAddresses(dns, target.host, transport::DefaultSipPort(fixed), fixed, out);
  } else {
    if (!FromSrv(dns, SrvName(fixed, target.host), fixed, random, out)) {
      AddAddresses(dns, target.host, transport::DefaultSipPort(fixed), fixed, out);
    }
  }
  if (out.addresses.empty()) {
    std::string why;
    for (const auto& t : out.trace) why += (why.empty() ? "" : "; ") + t;
    return Status::NotFound(fmt::format("cannot resolve '{}' ({})", target.host, why));
  }
  return out;
}

}  // namespace sipreg::device
