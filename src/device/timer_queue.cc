#include "device/timer_queue.h"

#include <utility>
#include <vector>

namespace sipreg::device {

TimerQueue::TimerQueue(asio::io_context& io, const Clock& clock,
                       std::function<void(const Key&)> on_fire)
    : clock_(clock), on_fire_(std::move(on_fire)), timer_(io) {}

TimerQueue::~TimerQueue() { timer_.cancel(); }

void TimerQueue::Schedule(const Key& key, SteadyTime when) {
  Cancel(key);
  index_[key] = queue_.emplace(when, key);
  Arm();
}

void TimerQueue::Cancel(const Key& key) {
  auto it = index_.find(key);
  if (it == index_.end()) return;
  queue_.erase(it->second);
  index_.erase(it);
}

void TimerQueue::Clear() {
  queue_.clear();
  index_.clear();
  armed_for_.reset();
  timer_.cancel();
}

void TimerQueue::Arm() {
  if (queue_.empty()) return;  // a wake-up that finds nothing due is harmless
  const SteadyTime first = queue_.begin()->first;
  if (armed_for_ && *armed_for_ <= first) return;
  armed_for_ = first;
  timer_.expires_at(first);  // cancels the wait for a later time
  timer_.async_wait([this, alive = std::weak_ptr<int>(alive_)](const asio::error_code& ec) {
    if (ec || !alive.lock()) return;
    armed_for_.reset();
    Fire();
  });
}

void TimerQueue::Fire() {
  const SteadyTime now = clock_.Now();
  std::vector<Key> due;
  while (!queue_.empty() && queue_.begin()->first <= now) {
    due.push_back(queue_.begin()->second);
    index_.erase(queue_.begin()->second);
    queue_.erase(queue_.begin());
  }
  for (const auto& key : due) on_fire_(key);
  Arm();
}

}  // namespace sipreg::device
