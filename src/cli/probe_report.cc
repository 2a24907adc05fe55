#include "cli/probe_report.h"

#include <fmt/format.h>

namespace sipreg::cli {

std::string_view VerdictWord(Verdict v) {
  switch (v) {
    case Verdict::kSuccessful: return "Successful";
    case Verdict::kRejectedByServer: return "Rejected by Server";
    case Verdict::kNoReply: return "No reply from server";
    case Verdict::kLocalError: return "Local error";
  }
  return "Local error";
}

int ExitCodeFor(Verdict v) {
  switch (v) {
    case Verdict::kSuccessful: return 0;
    case Verdict::kRejectedByServer: return 1;
    case Verdict::kNoReply: return 2;
    case Verdict::kLocalError: return 3;
  }
  return 3;
}

std::string RenderText(const ProbeReport& r) {
  std::string out;
  out += fmt::format("Probing {} {} via {}\n", r.unregister ? "unregistration of" : "registration of",
                     r.aor, r.server);
  for (const auto& s : r.steps) {
    out += fmt::format("  {:>7.3f}s  {}\n", static_cast<double>(s.at.count()) / 1000.0, s.what);
  }
  out += fmt::format("SIP Registration: {}\n", VerdictWord(r.verdict));
  if (!r.summary.empty()) out += fmt::format("  {}\n", r.summary);
  if (r.verdict == Verdict::kSuccessful) {
    if (r.granted_expires) {
      out += fmt::format("  Granted expiry: {} s\n", *r.granted_expires);
    }
    if (!r.contact_seen.empty()) out += fmt::format("  Contact as the server sees it: {}\n", r.contact_seen);
    if (r.other_bindings > 0) {
      out += fmt::format("  The server lists {} other contact(s) for this extension.\n",
                         r.other_bindings);
    }
  }
  if (!r.seen_from.empty()) {
    if (r.nat_detected) {
      out += fmt::format("  Server saw the request from {} but the Via said {}: NAT detected\n",
                         r.seen_from, r.via_sent_by);
    } else {
      out += fmt::format("  Server saw the request from {}, as the Via said (no NAT)\n",
                         r.seen_from);
    }
  }
  if (!r.causes.empty()) {
    out += r.verdict == Verdict::kSuccessful ? "  Notes:\n" : "  Likely causes:\n";
    for (const auto& c : r.causes) out += fmt::format("   - {}\n", c);
  }
  return out;
}

nlohmann::json RenderJson(const ProbeReport& r) {
  nlohmann::json j;
  j["verdict"] = VerdictWord(r.verdict);
  j["exit_code"] = ExitCodeFor(r.verdict);
  j["server"] = r.server;
  j["aor"] = r.aor;
  j["unregister"] = r.unregister;
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : r.steps) steps.push_back({{"at_ms", s.at.count()}, {"what", s.what}});
  j["steps"] = steps;
  if (r.status_code != 0) {
    j["status_code"] = r.status_code;
    j["reason_phrase"] = r.reason_phrase;
  }
  if (!r.realm.empty()) j["realm"] = r.realm;
  if (!r.algorithm.empty()) j["algorithm"] = r.algorithm;
  if (r.granted_expires) j["granted_expires"] = *r.granted_expires;
  j["contact_sent"] = r.contact_sent;
  if (!r.contact_seen.empty()) j["contact_seen"] = r.contact_seen;
  j["other_bindings"] = r.other_bindings;
  j["via_sent_by"] = r.via_sent_by;
  if (!r.seen_from.empty()) j["seen_from"] = r.seen_from;
  j["nat_detected"] = r.nat_detected;
  j["summary"] = r.summary;
  j["causes"] = r.causes;
  return j;
}

}  // namespace sipreg::cli
