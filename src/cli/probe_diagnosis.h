// Diagnose(): turns what happened during a registration attempt into the plain
// words of the troubleshooting guides — a one-line summary and the likely
// causes, most likely first. Pure; every rule is unit-tested.
#pragma once

#include <string>
#include <vector>

#include "cli/probe_report.h"

namespace sipreg::cli {

// What the probe observed, beyond the report fields.
struct ProbeObservations {
  bool sent_credentials = false;    // the last REGISTER carried Authorization
  bool auth_id_differs = false;     // --auth-id given and different from --user
  bool challenge_unsupported = false;  // 401/407 with no algorithm we can answer
  bool min_expires_retried = false;    // we already adopted Min-Expires once
  bool connection_refused = false;  // TCP RST / ICMP port unreachable
  bool tls_failed = false;          // TLS handshake failed
  bool used_outbound_proxy = false;
  std::string transport_error;      // text from the transport, if any
  uint32_t requested_expires = 0;
};

// Fills report.summary and report.causes from report.verdict / status_code /
// reason_phrase / nat_detected / granted_expires and the observations.
void Diagnose(ProbeReport& report, const ProbeObservations& obs);

}  // namespace sipreg::cli
