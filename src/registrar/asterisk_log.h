// AsteriskLog: sipregd's admin log in Asterisk's shape, so an admin reads the
// same lines they know from the Asterisk CLI and /var/log/asterisk/messages:
//   [Nov 21 12:00:00] NOTICE[1234]: registrar.cc:123 handle_register: Registration from
//   '"Alice" <sip:demo-alice@192.168.5.50>' failed for '192.168.5.103:5062' - Wrong password
// VERBOSE lines (-v) carry routine events ("Registered SIP 'demo-bob' at 127.0.0.1:5062").
// Writes to stderr (foreground, -f) and/or a log file. Thread-safe (spdlog _mt sinks).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <fmt/format.h>

#include "common/status.h"

namespace spdlog {
class logger;
}

namespace sipreg::registrar {

enum class LogLevel { kDebug, kVerbose, kNotice, kWarning, kError };

std::string_view LogLevelName(LogLevel level);  // "NOTICE", ...

struct AsteriskLogOptions {
  bool to_stderr = false;
  std::string file;   // empty: no log file
  int verbosity = 0;  // -v count: VERBOSE lines shown at >= 1, DEBUG at >= 5
};

class BackgroundFileSink;

class AsteriskLog {
 public:
  static Result<std::unique_ptr<AsteriskLog>> Open(const AsteriskLogOptions& options);
  ~AsteriskLog();

  bool Enabled(LogLevel level) const;
  // `file` is reduced to its base name; `function` is the Asterisk-style name shown.
  void Write(LogLevel level, std::string_view file, int line, std::string_view function,
             std::string_view message);
  // Starts the log file's writer thread (after daemonizing: threads do not
  // survive fork). Lines for the file wait in memory until then; stderr gets
  // them at once.
  void StartWriter();
  // Returns once every line written before it is in the file.
  void Flush();

  // The exact line Write() emits after the "[date] " prefix, for tests.
  static std::string FormatBody(LogLevel level, long thread_id, std::string_view file, int line,
                                std::string_view function, std::string_view message);

 private:
  explicit AsteriskLog(int verbosity) : verbosity_(verbosity) {}
  int verbosity_;
  std::shared_ptr<BackgroundFileSink> file_sink_;  // null without a log file
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace sipreg::registrar

// SIPREG_LOG(log, kNotice, "handle_register", "Registration from '{}' failed", to);
#define SIPREG_LOG(log, level, function, ...)                                          \
  do {                                                                                 \
    if ((log).Enabled(::sipreg::registrar::LogLevel::level)) {                         \
      (log).Write(::sipreg::registrar::LogLevel::level, __FILE__, __LINE__, function,  \
                  ::fmt::format(__VA_ARGS__));                                         \
    }                                                                                  \
  } while (0)
