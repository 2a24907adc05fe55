#include "registrar/background_file_sink.h"

#include <spdlog/pattern_formatter.h>

#include <utility>

namespace sipreg::registrar {

BackgroundFileSink::BackgroundFileSink(const std::string& path, Options options)
    : options_(options), formatter_(std::make_unique<spdlog::pattern_formatter>()) {
  file_.open(path, /*truncate=*/false);
}

BackgroundFileSink::~BackgroundFileSink() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_writer_.notify_one();
  if (thread_.joinable()) thread_.join();
  // Lines logged after the writer's last look, or without a writer at all.
  std::lock_guard lock(mu_);
  if (buffer_.size() > 0) {
    WriteOut(buffer_);
    bytes_written_ += buffer_.size();
  }
}

void BackgroundFileSink::Start() {
  std::lock_guard lock(mu_);
  if (started_) return;
  // The thread first: if it cannot be created (std::system_error) the sink
  // stays without a writer and log()/flush() keep writing on their own.
  // Run() waits for mu_, so it sees the flags set.
  thread_ = std::thread([this] { Run(); });
  started_ = true;
  running_ = true;
}

void BackgroundFileSink::log(const spdlog::details::log_msg& msg) {
  std::unique_lock lock(mu_);
  if (started_ && buffer_.size() >= options_.max_buffer) {
    // The writer is stuck on the disk; wait for it rather than grow without end.
    wake_writer_.notify_one();
    written_.wait(lock, [this] { return stop_ || buffer_.size() < options_.max_buffer; });
  }
  const size_t before = buffer_.size();
  formatter_->format(msg, buffer_);
  if (started_ && before < options_.high_water && buffer_.size() >= options_.high_water) {
    wake_writer_.notify_one();
  }
}

void BackgroundFileSink::flush() {
  std::unique_lock lock(mu_);
  if (running_) {
    const uint64_t ticket = ++flush_requested_;
    wake_writer_.notify_one();
    written_.wait(lock, [this, ticket] { return flush_done_ >= ticket || !running_; });
    if (flush_done_ >= ticket) return;
  }
  // No writer thread (not started, or gone): write here, under the lock.
  if (buffer_.size() > 0) {
    WriteOut(buffer_);
    bytes_written_ += buffer_.size();
    buffer_.clear();
  }
}

void BackgroundFileSink::set_pattern(const std::string& pattern) {
  set_formatter(std::make_unique<spdlog::pattern_formatter>(pattern));
}

void BackgroundFileSink::set_formatter(std::unique_ptr<spdlog::formatter> formatter) {
  std::lock_guard lock(mu_);
  formatter_ = std::move(formatter);
}

uint64_t BackgroundFileSink::bytes_written() const {
  std::lock_guard lock(mu_);
  return bytes_written_;
}

void BackgroundFileSink::Run() {
  spdlog::memory_buf_t out;
  std::unique_lock lock(mu_);
  for (;;) {
    wake_writer_.wait_for(lock, options_.interval, [this] {
      return stop_ || flush_requested_ > flush_done_ || buffer_.size() >= options_.high_water;
    });
    const uint64_t ticket = flush_requested_;
    const bool stopping = stop_;
    out.clear();
    std::swap(out, buffer_);  // the logging threads go on into the (empty) other buffer
    if (out.size() > 0) {
      lock.unlock();
      WriteOut(out);
      lock.lock();
      bytes_written_ += out.size();
    }
    // After a stall the spare buffer may have grown to max_buffer: give that
    // back instead of keeping it for the life of the process.
    if (out.capacity() > 4 * options_.high_water) out = spdlog::memory_buf_t{};
    flush_done_ = ticket;
    if (stopping) running_ = false;
    written_.notify_all();
    if (stopping) return;
  }
}

void BackgroundFileSink::WriteOut(const spdlog::memory_buf_t& buf) {
  try {
    file_.write(buf);
    file_.flush();
  } catch (const spdlog::spdlog_ex&) {
    // A full or failing disk: the lines are lost, as with spdlog's own sinks
    // (whose errors the logger swallows too); the next write tries again.
  }
}

}  // namespace sipreg::registrar
