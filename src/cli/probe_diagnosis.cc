#include "cli/probe_diagnosis.h"

#include <algorithm>
#include <cctype>
#include <string_view>

#include <fmt/format.h>

namespace sipreg::cli {
namespace {

bool ContainsNoCase(std::string_view hay, std::string_view needle) {
  auto it = std::search(hay.begin(), hay.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != hay.end();
}

void AddNoReplyCauses(ProbeReport& r, const ProbeObservations& obs) {
  if (obs.connection_refused) {
    r.causes.push_back(
        "Nothing is listening at that address and port for this transport (connection refused): "
        "check the SIP Domain (Proxy Server) address and port number.");
  }
  if (obs.tls_failed) {
    r.causes.push_back(
        "The TLS handshake failed: the server's certificate is not trusted or the port does not "
        "speak TLS (try --insecure to skip certificate checks, or another transport).");
  }
  r.causes.push_back(
      "Check that the SIP Domain (Proxy Server) holds the correct server address and port number.");
  if (obs.used_outbound_proxy) {
    r.causes.push_back("Check the Outbound Proxy address: every request was sent there.");
  } else {
    r.causes.push_back(
        "Check whether the service provider uses an outbound proxy; if so, pass it with "
        "--outbound-proxy.");
  }
  r.causes.push_back(
      "Try another SIP transport (udp, tcp or tls): the PBX may accept only one of them.");
  r.causes.push_back(
      "If a firewall is present, make sure it does not block packets to the server or the "
      "replies coming back from it.");
}

void AddAuthCauses(ProbeReport& r, const ProbeObservations& obs) {
  r.causes.push_back(
      "Wrong password: make sure Extension, Authentication ID and Password match the server's "
      "account (a browser may have auto-filled the password field).");
  if (obs.auth_id_differs) {
    r.causes.push_back(
        "The Authentication ID differs from the Extension: check it is the one the server "
        "expects for this extension.");
  } else {
    r.causes.push_back(
        "The Authentication ID may be wrong: on many systems it is the same as the Extension, on "
        "hosted systems it is a separate user name (pass it with --auth-id).");
  }
  r.causes.push_back("The extension may not be configured on the server.");
}

}  // namespace

void Diagnose(ProbeReport& r, const ProbeObservations& obs) {
  r.causes.clear();
  switch (r.verdict) {
    case Verdict::kSuccessful: {
      if (r.unregister) {
        r.summary = fmt::format("The server removed the registration of {}.", r.aor);
      } else {
        r.summary = fmt::format("Registered {} for {} s.", r.aor,
                                r.granted_expires ? *r.granted_expires : 0);
        if (r.granted_expires && obs.requested_expires != 0 &&
            *r.granted_expires != obs.requested_expires) {
          r.causes.push_back(fmt::format(
              "The server granted {} s instead of the {} s asked for; the phone must re-register "
              "before then.",
              *r.granted_expires, obs.requested_expires));
        }
        if (r.other_bindings > 0) {
          r.causes.push_back(fmt::format(
              "{} other device(s) are registered to this extension; many phone systems accept "
              "only one device per extension.",
              r.other_bindings));
        }
      }
      if (r.nat_detected) {
        r.causes.push_back(fmt::format(
            "A NAT is between this device and the server (it saw {} but the request said {}). "
            "Keep the binding open with keep-alives (Double CRLF every 30 seconds) or the "
            "registration will drop.",
            r.seen_from, r.via_sent_by));
      }
      return;
    }
    case Verdict::kNoReply:
      r.summary = obs.transport_error.empty()
                      ? "The server did not answer."
                      : fmt::format("The server could not be reached: {}.", obs.transport_error);
      AddNoReplyCauses(r, obs);
      return;
    case Verdict::kLocalError:
      r.summary = obs.transport_error.empty() ? "The probe could not run." : obs.transport_error;
      return;
    case Verdict::kRejectedByServer:
      break;
  }

  const int code = r.status_code;
  r.summary = fmt::format("The server answered {} {}.", code, r.reason_phrase);
  const bool too_many = ContainsNoCase(r.reason_phrase, "many") &&
                        ContainsNoCase(r.reason_phrase, "contact");
  if (too_many) {
    r.causes.push_back(
        "Too many devices on the extension: another device is already registered to it; use an "
        "extension no other device uses, or raise the server's limit.");
  }
  if (code == 401 || code == 407) {
    if (obs.challenge_unsupported) {
      r.causes.push_back(fmt::format(
          "The server asks for a digest algorithm this device does not support ({}).",
          r.algorithm.empty() ? "none named" : r.algorithm));
    } else if (obs.sent_credentials) {
      AddAuthCauses(r, obs);
    } else {
      r.causes.push_back("The server challenged but the probe had no credentials to answer with.");
    }
  } else if (code == 403) {
    AddAuthCauses(r, obs);
    if (!too_many) {
      r.causes.push_back(
          "The server may refuse this extension from this address (ACL), or refuse more devices "
          "on it: make sure no other device is registered to the extension.");
    }
  } else if (code == 404) {
    r.causes.push_back(
        "The extension is not configured on the server (Asterisk logs 'No matching peer found'), "
        "or the SIP Domain names another domain.");
  } else if (code == 423) {
    r.causes.push_back(obs.min_expires_retried
                           ? "The server still refused the expiry after retrying with its "
                             "Min-Expires."
                           : "The expiry asked for is shorter than the server allows (Min-Expires).");
  } else if (code == 500) {
    r.causes.push_back(
        "500 Server Internal Error: the address or port of the SIP server may be incorrect, or the "
        "server is misconfigured.");
  } else if (code == 503) {
    if (!too_many) {
      r.causes.push_back(
          "The server is overloaded or unavailable; if the problem persists, check its "
          "address/port and whether too many devices use this extension.");
    }
  } else if (code == 420 || code == 421) {
    r.causes.push_back("The server requires or refuses a SIP extension this device uses.");
  } else if (code == 400) {
    r.causes.push_back("The server could not understand the REGISTER (400 Bad Request).");
  } else if (code == 480 || code == 408) {
    r.causes.push_back("The server or the next hop is temporarily unavailable.");
  } else if (code >= 300 && code < 400) {
    r.causes.push_back("The server redirects registrations elsewhere: point the device there.");
  } else if (!too_many) {
    r.causes.push_back("The server refused the registration; its log should say why.");
  }
}

}  // namespace sipreg::cli
