// Locating a SIP server (RFC 3263 §4): which transport, addresses and ports
// to try, in order, for the `server` (or `outbound_proxy`) of device.conf.
//
//  * IP literal: that address; the port given, else 5060 (5061 for TLS).
//  * name with a port: its A/AAAA addresses (no NAPTR/SRV, §4.2).
//  * name, transport auto: NAPTR records with flag "s" and service SIP+D2U,
//    SIP+D2T or SIPS+D2T, by order then preference; the first whose SRV name
//    yields targets decides the transport. No NAPTR: SRV _sip._udp, then
//    _sip._tcp, then _sips._tcp. No SRV: A/AAAA, UDP, port 5060.
//  * name, transport udp/tcp/tls: SRV _sip._udp / _sip._tcp / _sips._tcp;
//    none: A/AAAA on the default port.
// SRV targets are ordered by priority, and by a weighted random draw within a
// priority (RFC 2782); a target of "." (service not offered) is skipped; each
// target contributes all its addresses, so failover walks the whole list.
//
// The selection is pure over a DnsLookup, so it is unit-tested with a fake;
// CaresLookup (cares_lookup.h) asks real DNS.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/random.h"
#include "common/status.h"
#include "device/device_config.h"
#include "sip/endpoint.h"

namespace sipreg::device {

struct NaptrRecord {
  uint16_t order = 0;
  uint16_t preference = 0;
  std::string flags;
  std::string service;
  std::string regexp;
  std::string replacement;
};

struct SrvRecord {
  uint16_t priority = 0;
  uint16_t weight = 0;
  uint16_t port = 0;
  std::string target;
};

// DNS as the resolver needs it. NotFound: the name has no such records
// (NXDOMAIN or no data); other errors: the lookup itself failed.
class DnsLookup {
 public:
  virtual ~DnsLookup() = default;
  virtual Result<std::vector<NaptrRecord>> Naptr(const std::string& name) = 0;
  virtual Result<std::vector<SrvRecord>> Srv(const std::string& name) = 0;
  // IPv4 then IPv6 addresses, textual.
  virtual Result<std::vector<std::string>> Addresses(const std::string& name) = 0;
};

struct ResolvedServer {
  std::vector<sip::Endpoint> addresses;  // in the order to try; one transport for all
  std::vector<std::string> trace;        // what was looked up and found, for the System Log
};

// `target` is the configured host[:port]. NotFound when nothing usable resolves.
Result<ResolvedServer> ResolveSipServer(DnsLookup& dns, const HostPort& target,
                                        TransportChoice choice, Random& random);

}  // namespace sipreg::device
