#include "registrar/background_file_sink.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <fmt/format.h>
#include <spdlog/logger.h>

#include "temp_dir.h"

namespace sipreg::registrar {
namespace {

using sipreg::testing::TempDir;

namespace fs = std::filesystem;
using namespace std::chrono_literals;

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::shared_ptr<spdlog::logger> LoggerOn(std::shared_ptr<BackgroundFileSink> sink) {
  auto logger = std::make_shared<spdlog::logger>("test", std::move(sink));
  logger->set_pattern("%v");
  return logger;
}

// Polls for up to 10 s.
bool Eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 1000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

TEST(BackgroundFileSinkTest, LinesWaitInMemoryUntilStartThenReachTheFileWithinTheInterval) {
  TempDir dir("sipreg-sink");
  const std::string path = dir.File("security.log");
  BackgroundFileSink::Options o;
  o.interval = 50ms;
  auto sink = std::make_shared<BackgroundFileSink>(path, o);
  auto logger = LoggerOn(sink);
  logger->info("before start");
  std::this_thread::sleep_for(120ms);
  EXPECT_EQ(ReadAll(path), "");  // no thread yet, and logging itself never writes
  sink->Start();
  logger->info("after start");
  // No flush: the writer thread appends on its own.
  EXPECT_TRUE(Eventually([&] { return ReadAll(path) == "before start\nafter start\n"; }))
      << ReadAll(path);
}

TEST(BackgroundFileSinkTest, HighWaterWritesBeforeTheIntervalAndFlushWaitsForTheFile) {
  TempDir dir("sipreg-sink");
  const std::string path = dir.File("messages");
  BackgroundFileSink::Options o;
  o.interval = std::chrono::hours(1);
  o.high_water = 1024;
  auto sink = std::make_shared<BackgroundFileSink>(path, o);
  sink->Start();
  auto logger = LoggerOn(sink);
  const std::string line(99, 'x');  // 100 bytes with the newline
  for (int i = 0; i < 11; ++i) logger->info(line);
  EXPECT_TRUE(Eventually([&] { return sink->bytes_written() >= 1024; }));
  logger->info("last");
  sink->flush();
  EXPECT_EQ(ReadAll(path).size(), 11 * 100 + 5u);
}

TEST(BackgroundFileSinkTest, WithoutAWriterFlushAndDestructionWriteOnTheCallingThread) {
  TempDir dir("sipreg-sink");
  const std::string path = dir.File("messages");
  {
    auto sink = std::make_shared<BackgroundFileSink>(path, BackgroundFileSink::Options{});
    auto logger = LoggerOn(sink);
    logger->info("one");
    sink->flush();
    EXPECT_EQ(ReadAll(path), "one\n");
    logger->info("two");
  }
  EXPECT_EQ(ReadAll(path), "one\ntwo\n");
  {  // appends, and a started sink writes the rest when destroyed
    auto sink = std::make_shared<BackgroundFileSink>(path, BackgroundFileSink::Options{});
    sink->Start();
    LoggerOn(sink)->info("three");
  }
  EXPECT_EQ(ReadAll(path), "one\ntwo\nthree\n");
}

// A FIFO nobody reads stands for a disk that stops answering: once its 64 KiB
// buffer is full, write() blocks. StartDraining() plays the disk recovering.
class StuckFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(mkfifo(path_.c_str(), 0600), 0);
    reader_ = ::open(path_.c_str(), O_RDONLY | O_NONBLOCK);
    ASSERT_GE(reader_, 0);
  }
  void TearDown() override {
    if (drain_.joinable()) StopDraining();
    if (reader_ >= 0) ::close(reader_);
  }

  void StartDraining() {
    drain_ = std::thread([this] {
      while (!stop_.load()) {
        pollfd p{reader_, POLLIN, 0};
        if (::poll(&p, 1, 50) > 0) ReadAvailable();
      }
    });
  }
  // Everything written to the FIFO so far (call after the sink's flush()).
  std::string StopDraining() {
    stop_.store(true);
    drain_.join();
    ReadAvailable();
    return received_;
  }

  const std::string& path() const { return path_; }

 private:
  void ReadAvailable() {
    char buf[65536];
    ssize_t n;
    while ((n = ::read(reader_, buf, sizeof buf)) > 0) received_.append(buf, static_cast<size_t>(n));
  }

  TempDir dir_{"sipreg-sink"};
  const std::string path_ = dir_.File("stuck");
  int reader_ = -1;
  std::atomic<bool> stop_{false};
  std::thread drain_;
  std::string received_;
};

TEST_F(StuckFileTest, TheWriterThreadWaitsNotTheLoggingThread) {
  BackgroundFileSink::Options o;
  o.interval = 10ms;
  o.high_water = 4096;
  auto sink = std::make_shared<BackgroundFileSink>(path(), o);
  sink->Start();
  auto logger = LoggerOn(sink);
  const std::string line(999, 'y');
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 1000; ++i) logger->info(line);  // 1 MB, 16 times the pipe's buffer
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_LT(took, 2s);
  // The writer is stuck: not everything can have been written.
  std::this_thread::sleep_for(100ms);
  EXPECT_LT(sink->bytes_written(), 1000u * 1000u);
  // The disk recovers: every line arrives, in order.
  StartDraining();
  sink->flush();
  const std::string received = StopDraining();
  ASSERT_EQ(received.size(), 1000u * 1000u);
  EXPECT_EQ(received.find_first_not_of("y\n"), std::string::npos);
  EXPECT_EQ(received.substr(0, 1000), line + "\n");
}

TEST_F(StuckFileTest, AtMaxBufferLoggingWaitsForTheWriterAndLosesNothing) {
  // With a small bound the logging thread must stop at about 2 × max_buffer
  // beyond what the FIFO took, then go on once it drains.
  BackgroundFileSink::Options o;
  o.interval = 10ms;
  o.high_water = 1024;
  o.max_buffer = 8 * 1024;
  auto sink = std::make_shared<BackgroundFileSink>(path(), o);
  sink->Start();
  auto logger = LoggerOn(sink);
  constexpr int kLines = 300;  // 300 KB: far more than the pipe and the bound hold
  std::atomic<int> logged{0};
  std::thread producer([&] {
    for (int i = 0; i < kLines; ++i) {
      std::string line = fmt::format("{:05d}", i);
      line.resize(999, 'z');
      logger->info(line);
      logged.store(i + 1);
    }
  });
  // Wait until the producer has started, then until it stops making
  // progress: it is blocked in log().
  for (int i = 0; i < 100 && logged.load() == 0; ++i) std::this_thread::sleep_for(100ms);
  int seen = -1;
  for (int i = 0; i < 100 && logged.load() != seen; ++i) {
    seen = logged.load();
    std::this_thread::sleep_for(100ms);
  }
  const int blocked_at = logged.load();
  // What can be out of the producer's hands: the pipe (64 KiB), stdio's buffer,
  // the batch being written and the buffer at its bound (8 KiB each), one line.
  EXPECT_GT(blocked_at, 0);
  EXPECT_LT(blocked_at, 110) << "log() did not wait at max_buffer";
  // The disk recovers; the producer must finish. A watchdog turns a deadlock
  // into a failure instead of a hung test.
  StartDraining();
  for (int i = 0; i < 300 && logged.load() < kLines; ++i) std::this_thread::sleep_for(100ms);
  if (logged.load() < kLines) {
    std::fprintf(stderr, "producer still blocked after the FIFO drained (%d of %d lines)\n",
                 logged.load(), kLines);
    std::abort();
  }
  producer.join();
  sink->flush();
  const std::string received = StopDraining();
  EXPECT_EQ(sink->bytes_written(), kLines * 1000u);
  ASSERT_EQ(received.size(), kLines * 1000u);
  for (int i = 0; i < kLines; ++i) {
    ASSERT_EQ(received.substr(i * 1000u, 5), fmt::format("{:05d}", i)) << "line " << i;
  }
}

}  // namespace
}  // namespace sipreg::registrar
