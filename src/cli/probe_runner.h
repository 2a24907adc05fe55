// RunProbe(): the I/O edge of `sipreg probe`. Resolves the server (or outbound
// proxy), opens a socket of the chosen transport, and drives a
// RegistrationProbe through RFC 3261 client non-INVITE transactions on an Asio
// event loop until it has a verdict or the deadline passes. Blocking; runs its
// own io_context on the calling thread.
#pragma once

#include <cstdint>
#include <string>

#include "cli/probe_report.h"
#include "common/status.h"
#include "sip/endpoint.h"

namespace sipreg::cli {

struct ProbeOptions {
  std::string server;          // HOST[:PORT]; HOST may be a name, IPv4 or [IPv6]
  std::string user;            // extension
  std::string auth_id;         // empty -> user
  std::string password;
  std::string domain;          // empty -> the server's host
  std::string outbound_proxy;  // HOST[:PORT]; empty -> send to the server
  sip::TransportKind transport = sip::TransportKind::kUdp;
  uint32_t expires = 3600;
  bool unregister = false;
  double timeout_seconds = 32;  // overall; also bounds each transaction (64*T1 by default)
  std::string bind_ip;          // local address to send from; empty -> chosen by routing
  bool tls_insecure = false;    // skip TLS certificate verification
};

// A host and port split from "HOST[:PORT]" / "[v6]:PORT"; port 0 if absent.
struct HostPort {
  std::string host;  // without brackets
  uint16_t port = 0;
};
Result<HostPort> SplitHostPort(std::string_view text);

// Never fails: problems become a report with Verdict::kLocalError or kNoReply.
ProbeReport RunProbe(const ProbeOptions& options);

}  // namespace sipreg::cli
