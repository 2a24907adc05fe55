// SystemLog: the device's System Log (System → System Log in the web
// interface): the newest `capacity` timestamped events — requests sent,
// responses with code and reason, timeouts, DNS results, status changes —
// kept in a ring buffer and also written to stdout through spdlog.
//
// Thread-safe: the engine appends on the io thread, the web server reads on its own.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "common/clock.h"

namespace sipreg::device {

struct LogEntry {
  uint64_t seq = 0;  // 1, 2, ... in append order; lets a reader ask for what is new
  WallTime time;
  std::string level;  // "info", "warning", "error"
  std::string text;
};

class SystemLog {
 public:
  // `clock` must outlive the log. `echo`: also log each entry through spdlog.
  SystemLog(const Clock& clock, size_t capacity = 2000, bool echo = true);

  void Info(std::string text) { Append("info", std::move(text)); }
  void Warning(std::string text) { Append("warning", std::move(text)); }
  void Error(std::string text) { Append("error", std::move(text)); }
  void Append(std::string level, std::string text);

  // Entries with seq > after_seq, oldest first, at most `max` (the newest ones).
  std::vector<LogEntry> Since(uint64_t after_seq, size_t max = SIZE_MAX) const;
  size_t size() const;

  // "2026-12-02 06:01:02.345 info  text" (UTC).
  static std::string Format(const LogEntry& entry);

 private:
  const Clock& clock_;
  const size_t capacity_;
  const bool echo_;
  mutable std::mutex mu_;
  std::deque<LogEntry> entries_;  // guarded by mu_
  uint64_t next_seq_ = 1;         // guarded by mu_
};

}  // namespace sipreg::device
