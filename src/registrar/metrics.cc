#include "registrar/metrics.h"

#include <fmt/format.h>

namespace sipreg::registrar {
namespace {

void Header(std::string& out, std::string_view name, std::string_view type,
            std::string_view help) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
}

void Gauge(std::string& out, std::string_view name, std::string_view help, uint64_t v) {
  Header(out, name, "gauge", help);
  out += fmt::format("{} {}\n", name, v);
}

void Counter(std::string& out, std::string_view name, std::string_view help, uint64_t v) {
  Header(out, name, "counter", help);
  out += fmt::format("{} {}\n", name, v);
}

}  // namespace

std::string FormatMetrics(const MetricsSnapshot& m) {
  std::string out;
  Gauge(out, "sipreg_bindings", "Registered contacts (bindings) in the location store.",
        m.bindings);
  Gauge(out, "sipreg_accounts", "Configured accounts (sip.conf peers, pjsip endpoints).",
        m.accounts);
  Gauge(out, "sipreg_peers_online",
        "Accounts counted online as in `sip show peers` (registered; answering qualify if "
        "monitored).",
        m.peers_online);
  Gauge(out, "sipreg_blocked_addresses",
        "Source addresses blocked after too many failed authentications.", m.blocked_addresses);
  Gauge(out, "sipreg_transactions", "Live SIP transactions.", m.transactions);

  Header(out, "sipreg_registrations_total", "counter",
         "REGISTER requests answered, by outcome (challenge = 401 sent for credentials).");
  for (size_t i = 0; i < m.outcomes.size(); ++i) {
    out += fmt::format("sipreg_registrations_total{{result=\"{}\"}} {}\n",
                       RegErrorName(static_cast<RegError>(i)), m.outcomes[i]);
  }
  Header(out, "sipreg_auth_failures_total", "counter",
         "Failed authentications (they count towards maxretry), by reason.");
  for (size_t i = 0; i < m.outcomes.size(); ++i) {
    const auto e = static_cast<RegError>(i);
    if (!Describe(e).counts_as_auth_failure) continue;
    out += fmt::format("sipreg_auth_failures_total{{reason=\"{}\"}} {}\n", RegErrorName(e),
                       m.outcomes[i]);
  }

  Counter(out, "sipreg_requests_total", "SIP requests received (retransmissions included).",
          m.requests);
  Counter(out, "sipreg_retransmissions_total",
          "Requests answered from their transaction (retransmissions and ACKs).",
          m.retransmissions);
  Counter(out, "sipreg_dropped_blocked_total", "Requests dropped from blocked addresses.",
          m.dropped_blocked);
  Counter(out, "sipreg_bad_messages_total", "Malformed messages received.", m.bad_messages);
  Counter(out, "sipreg_internal_errors_total",
          "Messages whose handling failed inside sipregd (logged as ERROR, answered 500).",
          m.internal_errors);
  Counter(out, "sipreg_qualify_pings_total", "OPTIONS qualify pings sent.", m.qualify_pings);
  Header(out, "sipreg_qualify_contacts", "gauge", "Monitored contacts by qualify state.");
  out += fmt::format("sipreg_qualify_contacts{{state=\"reachable\"}} {}\n", m.qualify_reachable);
  out += fmt::format("sipreg_qualify_contacts{{state=\"unreachable\"}} {}\n",
                     m.qualify_unreachable);

  Header(out, "sipreg_request_duration_seconds", "histogram",
         "Time from a new request's arrival to its final response (REGISTER: until the "
         "binding is durable).");
  uint64_t cumulative = 0;
  for (size_t i = 0; i < LatencyHistogram::kBounds.size(); ++i) {
    cumulative += m.request_duration.buckets[i];
    out += fmt::format("sipreg_request_duration_seconds_bucket{{le=\"{}\"}} {}\n",
                       LatencyHistogram::kBounds[i], cumulative);
  }
  out += fmt::format("sipreg_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n",
                     m.request_duration.count);
  out += fmt::format("sipreg_request_duration_seconds_sum {}\n", m.request_duration.sum_seconds);
  out += fmt::format("sipreg_request_duration_seconds_count {}\n", m.request_duration.count);

  Counter(out, "sipreg_calls_routed_total", "INVITEs routed to registered contacts.", m.calls);
  Header(out, "sipreg_call_answers_total", "counter",
         "Final answers to calls, by class (1xx-6xx), incl. 404/480 decided by sipregd.");
  for (int c = 2; c <= 6; ++c) {
    uint64_t v = m.call_finals[static_cast<size_t>(c)];
    if (c == 4) v += m.calls_unknown + m.calls_unavailable;
    out += fmt::format("sipreg_call_answers_total{{class=\"{}xx\"}} {}\n", c, v);
  }
  Gauge(out, "sipreg_active_calls", "Answered calls not yet hung up.", m.active_calls);

  if (m.durable) {
    Counter(out, "sipreg_store_commits_total",
            "Write transactions of the bindings database (one fsync each; group commit puts "
            "every update waiting at the time into one).",
            m.store_commits);
    Counter(out, "sipreg_store_updates_total",
            "Binding updates (registrations, expiries, closed connections) committed.",
            m.store_updates);
    Gauge(out, "sipreg_store_largest_batch", "Most binding updates committed in one transaction.",
          m.store_largest_batch);
  }

  Header(out, "sipreg_uptime_seconds", "gauge", "Seconds since sipregd started.");
  out += fmt::format("sipreg_uptime_seconds {:.0f}\n", m.uptime_seconds);
  return out;
}

}  // namespace sipreg::registrar
