// ProbeReport: what `sipreg probe` found out about one registration attempt, in
// the words of the Asterisk and Algo troubleshooting guides. Filled by
// RegistrationProbe, rendered as text for people or JSON for scripts.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/clock.h"

namespace sipreg::cli {

enum class Verdict {
  kSuccessful,        // 2xx to the REGISTER
  kRejectedByServer,  // the server answered, but not with 2xx
  kNoReply,           // nothing came back in time, or the transport failed
  kLocalError,        // usage or local problem (bad arguments, cannot bind)
};

// "Successful", "Rejected by Server", "No reply from server", "Local error".
std::string_view VerdictWord(Verdict v);
// 0 Successful, 1 Rejected by Server, 2 No reply from server, 3 usage or local error.
int ExitCodeFor(Verdict v);

struct ProbeStep {
  Millis at{0};      // since the probe started
  std::string what;  // "sent REGISTER (CSeq 1, no credentials)"
};

struct ProbeReport {
  Verdict verdict = Verdict::kLocalError;
  std::string server;     // "udp:127.0.0.1:5060"
  std::string aor;        // "sip:demo-alice@127.0.0.1"
  std::vector<ProbeStep> steps;

  // The last final response, if any.
  int status_code = 0;
  std::string reason_phrase;

  // From the challenge.
  std::string realm;
  std::string algorithm;

  // Success details.
  bool unregister = false;
  std::optional<uint32_t> granted_expires;
  std::string contact_sent;  // our Contact URI
  std::string contact_seen;  // the binding as the server listed it in the 200 OK
  size_t other_bindings = 0;  // other contacts the server listed for this AOR

  // NAT: what we put in Via vs what the server says it saw (received / rport).
  std::string via_sent_by;  // "10.0.0.5:5062"
  std::string seen_from;    // "203.0.113.7:41234" (empty if the server did not say)
  bool nat_detected = false;

  // Plain-words explanation and hints, most likely first.
  std::string summary;
  std::vector<std::string> causes;
};

std::string RenderText(const ProbeReport& report);
nlohmann::json RenderJson(const ProbeReport& report);

}  // namespace sipreg::cli
