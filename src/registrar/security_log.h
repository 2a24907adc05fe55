// SecurityLog: one security event per line in the shape of Asterisk's
// res_security_log, so existing fail2ban filters for Asterisk work unchanged:
//   [Nov 21 12:00:00] SECURITY[1234] res_security_log.c: SecurityEvent="InvalidPassword",
//   EventTV="2026-11-21T12:00:00.123+0000",Severity="Error",Service="SIP",EventVersion="2",
//   AccountID="demo-alice",SessionID="0x5",LocalAddress="IPV4/UDP/127.0.0.1/5060",
//   RemoteAddress="IPV4/UDP/127.0.0.1/5062"
// Events: SuccessfulAuth, InvalidPassword, InvalidAccountID, ChallengeSent,
// FailedACL, RequestBadFormat, and sipreg's AddressBlocked. Thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/status.h"
#include "sip/endpoint.h"

namespace spdlog {
class logger;
}

namespace sipreg::registrar {

class BackgroundFileSink;

struct SecurityEvent {
  std::string_view name;        // "InvalidPassword"
  std::string_view account;     // AccountID
  std::string_view session_id;  // the Call-ID
  sip::Endpoint local;
  sip::Endpoint remote;
};

class SecurityLog {
 public:
  static Result<std::unique_ptr<SecurityLog>> Open(const std::string& path);
  ~SecurityLog();
  // Buffered in memory: a writer thread (StartWriter) appends the events to the
  // file every second, so the REGISTER path never waits for the disk.
  void Write(const SecurityEvent& event, WallTime when);
  // Starts the writer thread; call it after daemonizing (threads do not survive
  // fork). Until then events wait in memory.
  void StartWriter();
  // Returns once every event written before it is in the file.
  void Flush();

  // The line after the "[date] " prefix, for tests.
  static std::string FormatBody(const SecurityEvent& event, WallTime when, long thread_id);
  // "IPV4/UDP/127.0.0.1/5062"
  static std::string AddressField(const sip::Endpoint& e);

 private:
  SecurityLog() = default;
  std::shared_ptr<BackgroundFileSink> sink_;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace sipreg::registrar
