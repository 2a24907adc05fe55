// WebServer: sipreg-device's web interface and JSON API on [web] listen
// (cpp-httplib; plain HTML + a little JS embedded in the binary, no build step).
//
//   GET  /               the interface (login form when not logged in)
//   POST /login          form: password=…  → session cookie, redirect to /
//   POST /logout         ends the session (CSRF token required)
//   GET  /api/status     {"registrations":[RegistrationView…]}
//   GET  /api/config     ConfigToJson(config, with_secrets=true)
//   PUT  /api/config     ConfigFromJson → DeviceControl::ApplyConfig; 400 with
//                        {"error": "..."} when invalid
//   GET  /api/log?after=SEQ   {"entries":[{"seq","time","level","text"}]}
//
// Authentication: user "admin" with [web] password, either by the login form's
// session cookie (HttpOnly, SameSite=Strict; sessions expire after 1 h idle) or
// by HTTP Basic on /api/*. State-changing requests made with a session cookie
// must carry the session's CSRF token (X-CSRF-Token header or csrf form field);
// Basic-authenticated scripts need none. Repeated wrong passwords from one
// address are slowed down. Every input is validated by the config parser; none
// reaches a shell or names a file.
//
// Thread affinity: handlers run on cpp-httplib's threads and call DeviceControl,
// which must be thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/status.h"
#include "device/device_config.h"
#include "device/registration_view.h"
#include "device/system_log.h"

namespace httplib {
class Server;
}

namespace sipreg::device {

// What the web interface may ask of the running device. Thread-safe.
class DeviceControl {
 public:
  virtual ~DeviceControl() = default;
  virtual std::vector<RegistrationView> Registrations() = 0;
  virtual DeviceConfig CurrentConfig() = 0;
  // Saves (atomically) and applies a validated config; only changed extensions
  // re-register. Non-OK: nothing was changed.
  virtual Status ApplyConfig(DeviceConfig config) = 0;
  virtual const SystemLog& Log() = 0;
};

class WebServer {
 public:
  // `control` must outlive the server. `password` is [web] password.
  WebServer(DeviceControl& control, std::string password);
  ~WebServer();  // stops serving
  WebServer(const WebServer&) = delete;
  WebServer& operator=(const WebServer&) = delete;

  // Binds host:port now (port 0: any free port) and serves on a thread.
  // Returns the port bound.
  Result<uint16_t> Start(const std::string& host, uint16_t port);
  void Stop();
  // A config applied through the API may change the password.
  void SetPassword(std::string password);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sipreg::device
