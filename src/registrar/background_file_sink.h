// BackgroundFileSink: a spdlog sink that appends to a file without ever
// writing on the logging thread. Lines are formatted into a memory buffer; a
// writer thread appends the buffer to the file every `interval`, or sooner once
// it holds `high_water` bytes. A disk that stalls (a slow fsync elsewhere, a
// busy device) then holds that thread, not sipregd's io thread, which logs a
// security event for every REGISTER.
//
// The writer thread starts with Start(): sipregd opens its logs before it
// daemonizes, and threads do not survive fork(). Until then lines wait in the
// buffer (flush() writes them on the calling thread). Memory is bounded: once
// `max_buffer` bytes wait (the disk has been stuck for a long time) log() waits
// for the writer instead of growing the buffer, so at most 2 × max_buffer is
// held (the lines waiting plus those being written). Nothing is dropped; a
// process killed with SIGKILL loses what had not been written yet (up to one
// `interval` of lines).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <spdlog/details/file_helper.h>
#include <spdlog/formatter.h>
#include <spdlog/sinks/sink.h>

namespace sipreg::registrar {

class BackgroundFileSink final : public spdlog::sinks::sink {
 public:
  struct Options {
    std::chrono::milliseconds interval{1000};
    size_t high_water = 256 * 1024;
    size_t max_buffer = 64 * 1024 * 1024;
  };

  // Opens (creates, appends to) the file; throws spdlog::spdlog_ex like
  // spdlog's own file sinks when it cannot.
  BackgroundFileSink(const std::string& path, Options options);
  // Writes what is buffered and stops the writer thread.
  ~BackgroundFileSink() override;

  // Starts the writer thread. Idempotent.
  void Start();

  void log(const spdlog::details::log_msg& msg) override;
  // Returns once every line logged before the call is in the file (written by
  // the writer thread when it runs, else here).
  void flush() override;
  void set_pattern(const std::string& pattern) override;
  void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override;

  // Bytes handed to the file so far (for tests).
  uint64_t bytes_written() const;

 private:
  void Run();
  // Appends `buf` to the file. Only the writer thread while it runs, else the
  // thread holding mu_, calls it: never two at a time.
  void WriteOut(const spdlog::memory_buf_t& buf);

  const Options options_;
  spdlog::details::file_helper file_;
  mutable std::mutex mu_;
  std::condition_variable wake_writer_;    // buffer past high water, flush request, stop
  std::condition_variable written_;        // a write finished
  std::unique_ptr<spdlog::formatter> formatter_;  // GUARDED_BY(mu_)
  spdlog::memory_buf_t buffer_;            // GUARDED_BY(mu_)
  uint64_t flush_requested_ = 0;           // GUARDED_BY(mu_)
  uint64_t flush_done_ = 0;                // GUARDED_BY(mu_)
  uint64_t bytes_written_ = 0;             // GUARDED_BY(mu_)
  bool stop_ = false;                      // GUARDED_BY(mu_)
  bool started_ = false;                   // GUARDED_BY(mu_)
  bool running_ = false;                   // GUARDED_BY(mu_); the writer thread is in Run
  std::thread thread_;
};

}  // namespace sipreg::registrar
