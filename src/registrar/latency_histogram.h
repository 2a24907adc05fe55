// LatencyHistogram: a fixed-bucket histogram of durations for Prometheus
// (`sipreg_request_duration_seconds`). Observe() is lock-free (relaxed atomics)
// and may be called from any thread; Snapshot() reads a consistent-enough copy
// for scraping (counts may lag each other by an in-flight observation).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace sipreg::registrar {

class LatencyHistogram {
 public:
  // Upper bounds in seconds, Prometheus' "le" labels; +Inf is implicit.
  static constexpr std::array<double, 12> kBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                     0.05,   0.1,   0.25,   0.5,   1.0,  2.5};

  struct Snapshot {
    std::array<uint64_t, kBounds.size() + 1> buckets{};  // non-cumulative; last = above all
    uint64_t count = 0;
    double sum_seconds = 0;
  };

  void Observe(std::chrono::nanoseconds d) {
    const double s = std::chrono::duration<double>(d).count();
    size_t i = 0;
    while (i < kBounds.size() && s > kBounds[i]) ++i;
    buckets_[i].fetch_add(1, std::memory_order_relaxed);
    sum_ns_.fetch_add(static_cast<uint64_t>(d.count() > 0 ? d.count() : 0),
                      std::memory_order_relaxed);
  }

  Snapshot Read() const {
    Snapshot out;
    for (size_t i = 0; i < buckets_.size(); ++i) {
      out.buckets[i] = buckets_[i].load(std::memory_order_relaxed);
      out.count += out.buckets[i];
    }
    out.sum_seconds = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
    return out;
  }

 private:
  std::array<std::atomic<uint64_t>, kBounds.size() + 1> buckets_{};
  std::atomic<uint64_t> sum_ns_{0};
};

}  // namespace sipreg::registrar
