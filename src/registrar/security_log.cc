#include "registrar/security_log.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <ctime>
#include <iterator>

#include <fmt/compile.h>
#include <fmt/format.h>
#include <spdlog/logger.h>

#include "registrar/background_file_sink.h"

namespace sipreg::registrar {
namespace {

std::string_view Severity(std::string_view event) {
  if (event == "SuccessfulAuth" || event == "ChallengeSent") return "Informational";
  return "Error";
}

// EventTV="2026-11-21T12:00:00.123+0000". The date part changes once a second:
// formatted once per second per thread instead of per event.
void AppendEventTv(fmt::memory_buffer& out, WallTime when) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch());
  const std::time_t tt = static_cast<std::time_t>(ms.count() / 1000);
  thread_local std::time_t cached_second = -1;
  thread_local char cached[32] = {0};
  if (tt != cached_second) {
    std::tm tm{};
    gmtime_r(&tt, &tm);
    if (std::strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm) == 0) cached[0] = '\0';
    cached_second = tt;
  }
  fmt::format_to(std::back_inserter(out), FMT_COMPILE("{}.{:03d}+0000"), cached,
                 static_cast<int>(ms.count() % 1000));
}

void AppendAddress(fmt::memory_buffer& out, const sip::Endpoint& e) {
  const bool v6 = e.ip.find(':') != std::string::npos;
  fmt::format_to(std::back_inserter(out), FMT_COMPILE("IPV{}/{}/{}/{}"), v6 ? 6 : 4,
                 sip::TransportName(e.transport), e.ip, e.port);
}

void AppendBody(fmt::memory_buffer& out, const SecurityEvent& ev, WallTime when, long thread_id) {
  auto it = std::back_inserter(out);
  fmt::format_to(it, FMT_COMPILE("SECURITY[{}] res_security_log.c: SecurityEvent=\"{}\",EventTV=\""),
                 thread_id, ev.name);
  AppendEventTv(out, when);
  fmt::format_to(it,
                 FMT_COMPILE("\",Severity=\"{}\",Service=\"SIP\",EventVersion=\"2\",AccountID=\"{}\","
                             "SessionID=\"{}\",LocalAddress=\""),
                 Severity(ev.name), ev.account, ev.session_id);
  AppendAddress(out, ev.local);
  out.append(std::string_view("\",RemoteAddress=\""));
  AppendAddress(out, ev.remote);
  out.push_back('"');
}

}  // namespace

Result<std::unique_ptr<SecurityLog>> SecurityLog::Open(const std::string& path) {
  std::unique_ptr<SecurityLog> log(new SecurityLog());
  try {
    // Written by the sink's own thread within a second (fail2ban reads it), so a
    // slow disk never holds the thread that answers REGISTERs.
    log->sink_ = std::make_shared<BackgroundFileSink>(path, BackgroundFileSink::Options{});
    log->logger_ = std::make_shared<spdlog::logger>("security", log->sink_);
  } catch (const spdlog::spdlog_ex& e) {
    return Status::IoError("cannot open security log " + path + ": " + e.what());
  }
  log->logger_->set_pattern("[%b %d %H:%M:%S] %v");
  log->logger_->flush_on(spdlog::level::off);
  return log;
}

void SecurityLog::StartWriter() { sink_->Start(); }

SecurityLog::~SecurityLog() {
  if (logger_) logger_->flush();
}

std::string SecurityLog::AddressField(const sip::Endpoint& e) {
  fmt::memory_buffer out;
  AppendAddress(out, e);
  return fmt::to_string(out);
}

std::string SecurityLog::FormatBody(const SecurityEvent& ev, WallTime when, long thread_id) {
  fmt::memory_buffer out;
  AppendBody(out, ev, when, thread_id);
  return fmt::to_string(out);
}

void SecurityLog::Flush() { logger_->flush(); }

void SecurityLog::Write(const SecurityEvent& event, WallTime when) {
  // Asterisk prints the writing thread's id; ask the kernel once per thread.
  thread_local const long thread_id = static_cast<long>(::syscall(SYS_gettid));
  fmt::memory_buffer body;
  AppendBody(body, event, when, thread_id);
  logger_->log(spdlog::level::info, spdlog::string_view_t(body.data(), body.size()));
}

}  // namespace sipreg::registrar
