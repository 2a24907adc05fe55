#include "device/system_log.h"

#include <chrono>
#include <ctime>
#include <utility>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace sipreg::device {

SystemLog::SystemLog(const Clock& clock, size_t capacity, bool echo)
    : clock_(clock), capacity_(capacity), echo_(echo) {}

void SystemLog::Append(std::string level, std::string text) {
  if (echo_) {
    if (level == "error") {
      spdlog::error("{}", text);
    } else if (level == "warning") {
      spdlog::warn("{}", text);
    } else {
      spdlog::info("{}", text);
    }
  }
  LogEntry entry;
  entry.time = clock_.WallNow();
  entry.level = std::move(level);
  entry.text = std::move(text);
  std::lock_guard<std::mutex> lock(mu_);
  entry.seq = next_seq_++;
  if (capacity_ == 0) return;
  if (entries_.size() >= capacity_) entries_.pop_front();
  entries_.push_back(std::move(entry));
}

std::vector<LogEntry> SystemLog::Since(uint64_t after_seq, size_t max) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (entries_.empty() || max == 0) return {};
  // Sequence numbers in the buffer are consecutive, so the first wanted entry
  // can be found by arithmetic.
  const uint64_t first_seq = entries_.front().seq;
  size_t start = after_seq < first_seq ? 0 : static_cast<size_t>(after_seq - first_seq + 1);
  if (start >= entries_.size()) return {};
  if (entries_.size() - start > max) start = entries_.size() - max;
  return std::vector<LogEntry>(entries_.begin() + static_cast<std::ptrdiff_t>(start),
                               entries_.end());
}

size_t SystemLog::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

std::string SystemLog::Format(const LogEntry& entry) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  const auto since_epoch = entry.time.time_since_epoch();
  const auto secs = std::chrono::floor<seconds>(since_epoch);
  const auto ms = std::chrono::duration_cast<milliseconds>(since_epoch - secs).count();
  const std::time_t tt = static_cast<std::time_t>(secs.count());
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}.{:03} {:<7} {}", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms, entry.level,
                     entry.text);
}

}  // namespace sipreg::device
