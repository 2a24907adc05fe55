#include "registrar/security_log.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <ctime>

#include <fmt/format.h>
#include <spdlog/logger.h>
#include <spdlog/sinks/basic_file_sink.h>

namespace sipreg::registrar {
namespace {

std::string_view Severity(std::string_view event) {
  if (event == "SuccessfulAuth" || event == "ChallengeSent") return "Informational";
  return "Error";
}

std::string EventTv(WallTime when) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(when.time_since_epoch());
  const std::time_t tt = static_cast<std::time_t>(ms.count() / 1000);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return fmt::format("{}.{:03d}+0000", buf, static_cast<int>(ms.count() % 1000));
}

}  // namespace

Result<std::unique_ptr<SecurityLog>> SecurityLog::Open(const std::string& path) {
  std::unique_ptr<SecurityLog> log(new SecurityLog());
  try {
    auto sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(path);
    log->logger_ = std::make_shared<spdlog::logger>("security", sink);
  } catch (const spdlog::spdlog_ex& e) {
    return Status::IoError("cannot open security log " + path + ": " + e.what());
  }
  log->logger_->set_pattern("[%b %d %H:%M:%S] %v");
  log->logger_->flush_on(spdlog::level::err);
  return log;
}

SecurityLog::~SecurityLog() {
  if (logger_) logger_->flush();
}

std::string SecurityLog::AddressField(const sip::Endpoint& e) {
  const bool v6 = e.ip.find(':') != std::string::npos;
  return fmt::format("IPV{}/{}/{}/{}", v6 ? 6 : 4, sip::TransportName(e.transport), e.ip, e.port);
}

std::string SecurityLog::FormatBody(const SecurityEvent& ev, WallTime when, long thread_id) {
  return fmt::format(
      "SECURITY[{}] res_security_log.c: SecurityEvent=\"{}\",EventTV=\"{}\",Severity=\"{}\","
      "Service=\"SIP\",EventVersion=\"2\",AccountID=\"{}\",SessionID=\"{}\","
      "LocalAddress=\"{}\",RemoteAddress=\"{}\"",
      thread_id, ev.name, EventTv(when), Severity(ev.name), ev.account, ev.session_id,
      AddressField(ev.local), AddressField(ev.remote));
}

void SecurityLog::Flush() { logger_->flush(); }

void SecurityLog::Write(const SecurityEvent& event, WallTime when) {
  logger_->info("{}", FormatBody(event, when, static_cast<long>(::syscall(SYS_gettid))));
}

}  // namespace sipreg::registrar
