// TransactionDriver: a test-only owner for one transaction state machine. It
// plays the part of the event loop: keeps the timers the machine asks for on a
// FakeClock, fires them in deadline order when time is advanced, and records
// every action with the time (since the driver was built) it happened at.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "transaction/transaction.h"

namespace sipreg::txn::testing {

struct TimedAction {
  Millis at;
  Action action;
};

class TransactionDriver {
 public:
  explicit TransactionDriver(Transaction& txn) : txn_(txn), start_(clock_.Now()) {}

  // Feeds one event now and applies its actions; returns them.
  Actions Feed(Event event) { return Apply(txn_.Handle(std::move(event))); }
  Actions Start() { return Feed(Event::Start()); }

  // Moves the clock forward by `d`, firing due timers in deadline order (ties:
  // in the order they were started).
  void Advance(Millis d) {
    const SteadyTime until = clock_.Now() + d;
    while (true) {
      auto next = timers_.end();
      for (auto it = timers_.begin(); it != timers_.end(); ++it) {
        if (it->second.first > until) continue;
        if (next == timers_.end() || it->second < next->second) next = it;
      }
      if (next == timers_.end()) break;
      const TimerId id = next->first;
      const SteadyTime when = next->second.first;
      timers_.erase(next);
      clock_.Advance(std::chrono::duration_cast<Millis>(when - clock_.Now()));
      Feed(Event::TimerFired(id));
    }
    clock_.Advance(std::chrono::duration_cast<Millis>(until - clock_.Now()));
  }

  Millis now() const { return std::chrono::duration_cast<Millis>(clock_.Now() - start_); }
  // Time until `id` fires, if it is scheduled.
  std::optional<Millis> remaining(TimerId id) const {
    auto it = timers_.find(id);
    if (it == timers_.end()) return std::nullopt;
    return std::chrono::duration_cast<Millis>(it->second.first - clock_.Now());
  }
  bool scheduled(TimerId id) const { return timers_.count(id) != 0; }

  const std::vector<TimedAction>& log() const { return log_; }
  // Times (ms since the driver was built) of every action of `kind`.
  std::vector<long> TimesOf(ActionKind kind) const {
    std::vector<long> out;
    for (const TimedAction& t : log_) {
      if (t.action.kind == kind) out.push_back(static_cast<long>(t.at.count()));
    }
    return out;
  }
  // The actions logged so far, as "Kind(args)" strings, for whole-sequence checks.
  std::vector<std::string> LogStrings() const {
    std::vector<std::string> out;
    for (const TimedAction& t : log_) out.push_back(t.action.ToString());
    return out;
  }
  int Count(ActionKind kind) const { return static_cast<int>(TimesOf(kind).size()); }
  void ClearLog() { log_.clear(); }

 private:
  Actions Apply(Actions actions) {
    for (const Action& a : actions) {
      log_.push_back({now(), a});
      if (a.kind == ActionKind::kStartTimer) {
        timers_[a.timer] = {clock_.Now() + a.duration, seq_++};
      } else if (a.kind == ActionKind::kCancelTimer) {
        timers_.erase(a.timer);
      }
    }
    return actions;
  }

  Transaction& txn_;
  FakeClock clock_;
  SteadyTime start_;
  std::map<TimerId, std::pair<SteadyTime, long>> timers_;
  long seq_ = 0;
  std::vector<TimedAction> log_;
};

// "Kind(args)" of each action, so EXPECT_THAT(Names(actions), ElementsAre(...))
// prints readable failures.
inline std::vector<std::string> Names(const Actions& actions) {
  std::vector<std::string> out;
  for (const Action& a : actions) out.push_back(a.ToString());
  return out;
}

}  // namespace sipreg::txn::testing
