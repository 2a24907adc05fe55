// Metrics: the Prometheus text exposition of sipregd's counters, served at
// /metrics. MetricsSnapshot is a plain copy of everything an operator watches,
// taken on the io thread; FormatMetrics() is a pure function over it.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "registrar/latency_histogram.h"
#include "registrar/reg_error.h"

namespace sipreg::registrar {

inline constexpr size_t kRegErrorCount = static_cast<size_t>(RegError::kStoreFailed) + 1;

struct MetricsSnapshot {
  uint64_t bindings = 0;
  uint64_t accounts = 0;
  uint64_t peers_online = 0;           // counted online as `sip show peers` does
  uint64_t blocked_addresses = 0;
  uint64_t transactions = 0;
  uint64_t requests = 0;
  uint64_t retransmissions = 0;
  uint64_t dropped_blocked = 0;
  uint64_t bad_messages = 0;
  uint64_t internal_errors = 0;
  uint64_t qualify_pings = 0;
  uint64_t qualify_reachable = 0;      // monitored contacts answering (OK or LAGGED)
  uint64_t qualify_unreachable = 0;
  std::array<uint64_t, kRegErrorCount> outcomes{};  // REGISTER answers by RegError
  LatencyHistogram::Snapshot request_duration;
  double uptime_seconds = 0;
  uint64_t calls = 0;                     // INVITEs routed to registered contacts
  std::array<uint64_t, 7> call_finals{};  // final answers to routed INVITEs, by class
  uint64_t calls_unknown = 0;             // 404: nobody by that name or number
  uint64_t calls_unavailable = 0;         // 480: account not registered
  uint64_t active_calls = 0;
  bool durable = false;  // the store writes to disk: the three below mean something
  uint64_t store_commits = 0;
  uint64_t store_updates = 0;
  uint64_t store_largest_batch = 0;
};

// Prometheus text format 0.0.4: HELP and TYPE lines, then samples.
std::string FormatMetrics(const MetricsSnapshot& m);

}  // namespace sipreg::registrar
