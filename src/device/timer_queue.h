// TimerQueue: many named one-shot timers on one asio::steady_timer. The device
// keeps thousands of them (a refresh or retry per extension, retransmission
// timers per transaction, keep-alive, pong, rate-limit pump, shutdown deadline),
// so it holds them in a time-ordered map and arms the single Asio timer for the
// earliest. Scheduling a key again replaces its time; cancelling an unknown key
// does nothing.
//
// Thread affinity: every method on the thread running `io`; `on_fire` runs there
// too, once per due key, in time order. `on_fire` may schedule and cancel keys.
// Lifetime: `io` and `clock` outlive the queue; destroying it cancels the timer
// and no callback runs afterwards.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include "common/clock.h"

namespace sipreg::device {

class TimerQueue {
 public:
  using Key = std::string;
  TimerQueue(asio::io_context& io, const Clock& clock, std::function<void(const Key&)> on_fire);
  ~TimerQueue();
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  void Schedule(const Key& key, SteadyTime when);
  void Cancel(const Key& key);
  void Clear();
  bool scheduled(const Key& key) const { return index_.count(key) != 0; }
  size_t size() const { return index_.size(); }

 private:
  void Arm();
  void Fire();

  const Clock& clock_;
  std::function<void(const Key&)> on_fire_;
  asio::steady_timer timer_;
  std::optional<SteadyTime> armed_for_;
  std::multimap<SteadyTime, Key> queue_;
  std::unordered_map<Key, std::multimap<SteadyTime, Key>::iterator> index_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace sipreg::device
