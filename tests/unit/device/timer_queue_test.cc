#include "device/timer_queue.h"

#include <chrono>
#include <string>
#include <vector>

#include <asio/io_context.hpp>
#include <gtest/gtest.h>

namespace sipreg::device {
namespace {

using std::chrono::milliseconds;

struct Fixture {
  asio::io_context io;
  std::vector<std::string> fired;
  TimerQueue q{io, SystemClock::Instance(), [this](const std::string& k) { fired.push_back(k); }};
  SteadyTime In(int ms) { return SystemClock::Instance().Now() + milliseconds(ms); }
  void RunFor(int ms) { io.run_for(milliseconds(ms)); io.restart(); }
};

TEST(TimerQueueTest, FiresInTimeOrderAndOnlyOnce) {
  Fixture f;
  f.q.Schedule("c", f.In(30));
  f.q.Schedule("a", f.In(10));
  f.q.Schedule("b", f.In(20));
  f.RunFor(120);
  EXPECT_EQ(f.fired, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(f.q.size(), 0u);
}

TEST(TimerQueueTest, CancelledKeysDoNotFire) {
  Fixture f;
  f.q.Schedule("a", f.In(10));
  f.q.Schedule("b", f.In(20));
  f.q.Cancel("a");
  f.q.Cancel("unknown");
  f.RunFor(80);
  EXPECT_EQ(f.fired, (std::vector<std::string>{"b"}));
}

TEST(TimerQueueTest, RescheduleReplacesTheTime) {
  Fixture f;
  f.q.Schedule("a", f.In(10));
  f.q.Schedule("b", f.In(30));
  f.q.Schedule("a", f.In(60));  // later than b now
  EXPECT_TRUE(f.q.scheduled("a"));
  EXPECT_EQ(f.q.size(), 2u);
  f.RunFor(150);
  EXPECT_EQ(f.fired, (std::vector<std::string>{"b", "a"}));
}

TEST(TimerQueueTest, AnEarlierKeyAfterArmingStillFiresFirst) {
  Fixture f;
  f.q.Schedule("late", f.In(60));
  f.q.Schedule("early", f.In(10));
  f.RunFor(150);
  EXPECT_EQ(f.fired, (std::vector<std::string>{"early", "late"}));
}

TEST(TimerQueueTest, CallbackMayScheduleMore) {
  asio::io_context io;
  std::vector<std::string> fired;
  TimerQueue* self = nullptr;
  TimerQueue q(io, SystemClock::Instance(), [&](const std::string& k) {
    fired.push_back(k);
    if (k == "first") self->Schedule("second", SystemClock::Instance().Now() + milliseconds(5));
  });
  self = &q;
  q.Schedule("first", SystemClock::Instance().Now() + milliseconds(5));
  io.run_for(milliseconds(100));
  EXPECT_EQ(fired, (std::vector<std::string>{"first", "second"}));
}

TEST(TimerQueueTest, ClearDropsEverything) {
  Fixture f;
  f.q.Schedule("a", f.In(10));
  f.q.Clear();
  f.RunFor(50);
  EXPECT_TRUE(f.fired.empty());
  f.q.Schedule("b", f.In(5));
  f.RunFor(50);
  EXPECT_EQ(f.fired, (std::vector<std::string>{"b"}));
}

}  // namespace
}  // namespace sipreg::device
