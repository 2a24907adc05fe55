#include "device/system_log.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <thread>

namespace sipreg::device {
namespace {

std::vector<uint64_t> Seqs(const std::vector<LogEntry>& entries) {
  std::vector<uint64_t> out;
  for (const LogEntry& e : entries) out.push_back(e.seq);
  return out;
}

TEST(SystemLogTest, AppendsNumberFromOneAndStampWithTheClock) {
  FakeClock clock;
  SystemLog log(clock, 10, /*echo=*/false);
  log.Info("REGISTER sent");
  clock.Advance(Millis(1500));
  log.Warning("no reply");
  log.Error("rejected");
  const std::vector<LogEntry> all = log.Since(0);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(Seqs(all), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(all[0].level, "info");
  EXPECT_EQ(all[0].text, "REGISTER sent");
  EXPECT_EQ(all[1].level, "warning");
  EXPECT_EQ(all[2].level, "error");
  EXPECT_EQ(all[0].time, clock.WallNow() - Millis(1500));
  EXPECT_EQ(all[1].time, clock.WallNow());
  EXPECT_EQ(log.size(), 3u);
}

TEST(SystemLogTest, RingKeepsOnlyTheNewestCapacityEntries) {
  FakeClock clock;
  SystemLog log(clock, 3, false);
  for (int i = 1; i <= 7; ++i) log.Info("event " + std::to_string(i));
  EXPECT_EQ(log.size(), 3u);
  const std::vector<LogEntry> all = log.Since(0);
  EXPECT_EQ(Seqs(all), (std::vector<uint64_t>{5, 6, 7}));
  EXPECT_EQ(all.front().text, "event 5");
}

TEST(SystemLogTest, ZeroCapacityKeepsNothingButStillCounts) {
  FakeClock clock;
  SystemLog log(clock, 0, false);
  log.Info("a");
  EXPECT_EQ(log.size(), 0u);
  EXPECT_TRUE(log.Since(0).empty());
}

TEST(SystemLogTest, SinceReturnsOnlyNewerEntriesOldestFirst) {
  FakeClock clock;
  SystemLog log(clock, 5, false);
  for (int i = 0; i < 8; ++i) log.Info("x");  // keeps 4..8
  EXPECT_EQ(Seqs(log.Since(6)), (std::vector<uint64_t>{7, 8}));
  EXPECT_EQ(Seqs(log.Since(2)), (std::vector<uint64_t>{4, 5, 6, 7, 8}));  // older ones are gone
  EXPECT_TRUE(log.Since(8).empty());
  EXPECT_TRUE(log.Since(100).empty());
}

TEST(SystemLogTest, SinceWithMaxReturnsTheNewest) {
  FakeClock clock;
  SystemLog log(clock, 100, false);
  for (int i = 0; i < 10; ++i) log.Info("x");
  EXPECT_EQ(Seqs(log.Since(0, 3)), (std::vector<uint64_t>{8, 9, 10}));
  EXPECT_EQ(Seqs(log.Since(8, 5)), (std::vector<uint64_t>{9, 10}));
  EXPECT_TRUE(log.Since(0, 0).empty());
}

TEST(SystemLogTest, FormatIsUtcWithMillisecondsAndPaddedLevel) {
  LogEntry e;
  e.time = WallTime(Millis(1796191262345LL));  // 2026-12-02T06:01:02.345Z
  e.level = "info";
  e.text = "REGISTER sip:pbx -> 200 OK";
  EXPECT_EQ(SystemLog::Format(e), "2026-12-02 06:01:02.345 info    REGISTER sip:pbx -> 200 OK");
  e.level = "warning";
  e.text = "t";
  EXPECT_EQ(SystemLog::Format(e), "2026-12-02 06:01:02.345 warning t");
  e.time = WallTime(Millis(7));
  e.level = "error";
  EXPECT_EQ(SystemLog::Format(e), "1970-01-01 00:00:00.007 error   t");
}

TEST(SystemLogTest, EchoingThroughSpdlogDoesNotTreatTextAsAFormatString) {
  FakeClock clock;
  SystemLog log(clock, 4, /*echo=*/true);
  log.Info("braces {} {0} {:x} are text");
  log.Warning("w");
  log.Error("e");
  log.Append("debug", "unknown levels are kept as given");
  EXPECT_EQ(log.Since(0).back().level, "debug");
  EXPECT_EQ(log.Since(0).front().text, "braces {} {0} {:x} are text");
}

TEST(SystemLogTest, TwoThreadsAppendingWhileAReaderPollsLoseNothing) {
  FakeClock clock;
  constexpr int kPerThread = 2000;
  SystemLog log(clock, 10000, false);
  auto writer = [&log](const std::string& name) {
    for (int i = 0; i < kPerThread; ++i) log.Info(name + std::to_string(i));
  };
  std::thread a(writer, "a");
  std::thread b(writer, "b");
  uint64_t last = 0;
  bool ordered = true;
  for (int polls = 0; polls < 200; ++polls) {
    for (const LogEntry& e : log.Since(last)) {
      ordered = ordered && e.seq == last + 1;
      last = e.seq;
    }
  }
  a.join();
  b.join();
  EXPECT_TRUE(ordered);
  const std::vector<LogEntry> all = log.Since(0);
  ASSERT_EQ(all.size(), 2u * kPerThread);
  std::set<std::string> texts;
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].seq, i + 1);
    texts.insert(all[i].text);
  }
  EXPECT_EQ(texts.size(), 2u * kPerThread);
}

}  // namespace
}  // namespace sipreg::device
