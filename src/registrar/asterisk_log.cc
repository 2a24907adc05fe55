#include "registrar/asterisk_log.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <spdlog/logger.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "registrar/background_file_sink.h"

namespace sipreg::registrar {

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return "DEBUG";
    case LogLevel::kVerbose: return "VERBOSE";
    case LogLevel::kNotice: return "NOTICE";
    case LogLevel::kWarning: return "WARNING";
    case LogLevel::kError: return "ERROR";
  }
  return "NOTICE";
}

Result<std::unique_ptr<AsteriskLog>> AsteriskLog::Open(const AsteriskLogOptions& options) {
  std::unique_ptr<AsteriskLog> log(new AsteriskLog(options.verbosity));
  std::vector<spdlog::sink_ptr> sinks;
  if (options.to_stderr) sinks.push_back(std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (!options.file.empty()) {
    try {
      // Its own thread writes the file (every 250 ms): a slow disk does not hold
      // the io thread. stderr (-f) is written at once.
      BackgroundFileSink::Options o;
      o.interval = std::chrono::milliseconds(250);
      log->file_sink_ = std::make_shared<BackgroundFileSink>(options.file, o);
      sinks.push_back(log->file_sink_);
    } catch (const spdlog::spdlog_ex& e) {
      return Status::IoError("cannot open log file " + options.file + ": " + e.what());
    }
  }
  log->logger_ = std::make_shared<spdlog::logger>("sipregd", sinks.begin(), sinks.end());
  log->logger_->set_pattern("[%b %d %H:%M:%S] %v");
  log->logger_->set_level(spdlog::level::trace);
  log->logger_->flush_on(spdlog::level::off);  // stderr is unbuffered; the file has its writer
  return log;
}

void AsteriskLog::StartWriter() {
  if (file_sink_) file_sink_->Start();
}

AsteriskLog::~AsteriskLog() {
  if (logger_) logger_->flush();
}

bool AsteriskLog::Enabled(LogLevel level) const {
  switch (level) {
    case LogLevel::kDebug: return verbosity_ >= 5;
    case LogLevel::kVerbose: return verbosity_ >= 1;
    default: return true;
  }
}

std::string AsteriskLog::FormatBody(LogLevel level, long thread_id, std::string_view file,
                                    int line, std::string_view function,
                                    std::string_view message) {
  const auto slash = file.rfind('/');
  if (slash != std::string_view::npos) file.remove_prefix(slash + 1);
  return fmt::format("{}[{}]: {}:{} {}: {}", LogLevelName(level), thread_id, file, line, function,
                     message);
}

void AsteriskLog::Write(LogLevel level, std::string_view file, int line,
                        std::string_view function, std::string_view message) {
  const long tid = static_cast<long>(::syscall(SYS_gettid));  // not cached: daemon() forks
  const auto lvl = level == LogLevel::kError     ? spdlog::level::err
                   : level == LogLevel::kWarning ? spdlog::level::warn
                   : level == LogLevel::kNotice  ? spdlog::level::info
                                                 : spdlog::level::debug;
  logger_->log(lvl, "{}", FormatBody(level, tid, file, line, function, message));
}

void AsteriskLog::Flush() { logger_->flush(); }

}  // namespace sipreg::registrar
