// Clock: the only source of time for protocol logic, so state machines can be
// driven by a FakeClock in tests. Thread-safe: now() may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>

namespace sipreg {

using SteadyTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;
using Millis = std::chrono::milliseconds;

class Clock {
 public:
  virtual ~Clock() = default;
  // Monotonic time for timers and durations.
  virtual SteadyTime Now() const = 0;
  // Wall-clock time for Date headers, logs and persisted expiry.
  virtual WallTime WallNow() const = 0;
};

class SystemClock final : public Clock {
 public:
  SteadyTime Now() const override { return std::chrono::steady_clock::now(); }
  WallTime WallNow() const override { return std::chrono::system_clock::now(); }
  // A process-wide instance; lives forever.
  static SystemClock& Instance();
};

// Starts at an arbitrary fixed point; moves only when Advance() is called.
class FakeClock final : public Clock {
 public:
  FakeClock() = default;
  SteadyTime Now() const override { return SteadyTime(Millis(steady_ms_.load())); }
  WallTime WallNow() const override {
    return WallTime(Millis(wall_base_ms_ + steady_ms_.load()));
  }
  void Advance(Millis d) { steady_ms_ += d.count(); }

 private:
  std::atomic<long long> steady_ms_{1'000'000};
  // 2026-01-01T00:00:00Z minus the steady start, so WallNow() is a plausible date.
  long long wall_base_ms_ = 1'767'225'600'000LL - 1'000'000;
};

}  // namespace sipreg
