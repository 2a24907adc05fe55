#include "registrar/metrics.h"

#include <gtest/gtest.h>

namespace sipreg::registrar {
namespace {

bool Has(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.starts_with(line + "\n");
}

TEST(MetricsTest, GaugesAndCountersInPrometheusText) {
  MetricsSnapshot m;
  m.bindings = 3;
  m.blocked_addresses = 1;
  m.outcomes[static_cast<size_t>(RegError::kOk)] = 10;
  m.outcomes[static_cast<size_t>(RegError::kWrongPassword)] = 4;
  const std::string t = FormatMetrics(m);
  EXPECT_TRUE(Has(t, "# TYPE sipreg_bindings gauge")) << t;
  EXPECT_TRUE(Has(t, "sipreg_bindings 3"));
  EXPECT_TRUE(Has(t, "sipreg_blocked_addresses 1"));
  EXPECT_TRUE(Has(t, "# TYPE sipreg_registrations_total counter"));
  EXPECT_TRUE(Has(t, "sipreg_registrations_total{result=\"ok\"} 10"));
  EXPECT_TRUE(Has(t, "sipreg_auth_failures_total{reason=\"wrong_password\"} 4"));
  // Only failures that count towards maxretry are auth failures.
  EXPECT_EQ(t.find("sipreg_auth_failures_total{reason=\"ok\"}"), std::string::npos);
  EXPECT_EQ(t.find("sipreg_auth_failures_total{reason=\"challenge\"}"), std::string::npos);
}

TEST(MetricsTest, StoreCommitFiguresOnlyForADurableStore) {
  MetricsSnapshot m;
  EXPECT_EQ(FormatMetrics(m).find("sipreg_store_commits_total"), std::string::npos);
  m.durable = true;
  m.store_commits = 5;
  m.store_updates = 40;
  m.store_largest_batch = 12;
  const std::string t = FormatMetrics(m);
  EXPECT_TRUE(Has(t, "# TYPE sipreg_store_commits_total counter")) << t;
  EXPECT_TRUE(Has(t, "sipreg_store_commits_total 5")) << t;
  EXPECT_TRUE(Has(t, "sipreg_store_updates_total 40")) << t;
  EXPECT_TRUE(Has(t, "sipreg_store_largest_batch 12")) << t;
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  LatencyHistogram h;
  h.Observe(std::chrono::microseconds(300));  // <= 0.0005
  h.Observe(std::chrono::milliseconds(3));    // <= 0.005
  h.Observe(std::chrono::seconds(10));        // +Inf only
  MetricsSnapshot m;
  m.request_duration = h.Read();
  const std::string t = FormatMetrics(m);
  EXPECT_TRUE(Has(t, "# TYPE sipreg_request_duration_seconds histogram")) << t;
  EXPECT_TRUE(Has(t, "sipreg_request_duration_seconds_bucket{le=\"0.0005\"} 1")) << t;
  EXPECT_TRUE(Has(t, "sipreg_request_duration_seconds_bucket{le=\"0.0025\"} 1")) << t;
  EXPECT_TRUE(Has(t, "sipreg_request_duration_seconds_bucket{le=\"0.005\"} 2")) << t;
  EXPECT_TRUE(Has(t, "sipreg_request_duration_seconds_bucket{le=\"2.5\"} 2")) << t;
  EXPECT_TRUE(Has(t, "sipreg_request_duration_seconds_bucket{le=\"+Inf\"} 3")) << t;
  EXPECT_TRUE(Has(t, "sipreg_request_duration_seconds_count 3")) << t;
  EXPECT_TRUE(Has(t, "sipreg_request_duration_seconds_sum 10.0033")) << t;
}

}  // namespace
}  // namespace sipreg::registrar
