// DeviceConfig: sipreg-device's settings, read from an INI file
// (`sipreg-device -c device.conf`), edited from the web interface and written
// back atomically. Sections and keys are documented in docs/device.md.
//
//   [sip]      server, outbound_proxy, transport, expires, keepalive,
//              keepalive_interval, local_port, tls_verify, tls_ca, display_name,
//              register_rate, dns_server
//   [web]      listen, password
//   [audio]    output
//   [page] [page.N]    extension, auth_id, password, enabled
//   [ring] [ring.N]    extension, auth_id, password, audio, enabled
//   [alert.N]          extension, auth_id, password, audio, duration,
//                      cancel_extension, cancel_auth_id, cancel_password,
//                      answer, access_code, enabled
//
// Parsing is pure (text in, value or error out). Every error names the place:
// "device.conf:12: unknown key 'expire' in [sip]". Nothing here touches sockets.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"

namespace sipreg::device {

enum class TransportChoice : uint8_t { kAuto, kUdp, kTcp, kTls };
enum class KeepAliveMethod : uint8_t { kDoubleCrlf, kOptions, kOff };
enum class ExtensionType : uint8_t { kPage, kRing, kAlert };

std::string_view TransportChoiceName(TransportChoice t);  // "auto", "udp", "tcp", "tls"
std::string_view KeepAliveMethodName(KeepAliveMethod k);  // "double-crlf", "options", "off"
std::string_view ExtensionTypeName(ExtensionType t);      // "page", "ring", "alert"

// "host", "host:port", "[v6]", "[v6]:port". Host is kept without brackets.
struct HostPort {
  std::string host;
  std::optional<uint16_t> port;
  bool empty() const { return host.empty(); }
  // Back to the written form ("[::1]:5060", "pbx.example.com").
  std::string ToString() const;
  bool operator==(const HostPort&) const = default;
};
Result<HostPort> ParseHostPort(std::string_view text);

struct SipSettings {
  HostPort server;                  // required: the SIP domain / registrar
  HostPort outbound_proxy;          // empty: none
  TransportChoice transport = TransportChoice::kAuto;
  uint32_t expires = 3600;          // requested registration period, 60..604800 s... see docs
  KeepAliveMethod keepalive = KeepAliveMethod::kDoubleCrlf;
  uint32_t keepalive_interval = 30; // seconds, >= 1
  uint16_t local_port = 5070;       // 0: any free port
  bool tls_verify = true;
  std::string tls_ca;               // PEM bundle; empty: system CAs
  std::string display_name;
  uint32_t register_rate = 50;      // new REGISTER transactions per second, >= 1
  HostPort dns_server;              // empty: the system resolver (/etc/resolv.conf)
  bool operator==(const SipSettings&) const = default;
};

struct WebSettings {
  HostPort listen{"127.0.0.1", 8080};  // empty host ("listen = off"): no web interface
  std::string password;                // required when the web interface is on
  bool operator==(const WebSettings&) const = default;
};

struct AudioSettings {
  std::string output;  // "" (none), "wav:DIR" or "alsa:DEVICE"
  bool operator==(const AudioSettings&) const = default;
};

struct ExtensionConfig {
  std::string id;  // the section name: "page", "page.2", "ring", "ring.3", "alert.1"
  ExtensionType type = ExtensionType::kPage;
  bool enabled = true;
  std::string extension;  // required (digits or a SIP user part)
  std::string auth_id;    // empty: the extension
  std::string password;
  std::string audio;      // ring / alert: a sound file
  // alert only
  uint32_t duration = 0;  // seconds; 0 with until_cancelled
  bool until_cancelled = false;
  std::string cancel_extension;  // registered too when set (needed for until-cancelled)
  std::string cancel_auth_id;
  std::string cancel_password;
  bool answer = false;
  std::string access_code;

  int line = 0;  // where the section header is, for messages (not compared)

  const std::string& AuthId() const { return auth_id.empty() ? extension : auth_id; }
  const std::string& CancelAuthId() const {
    return cancel_auth_id.empty() ? cancel_extension : cancel_auth_id;
  }
  bool operator==(const ExtensionConfig& o) const;
};

struct DeviceConfig {
  SipSettings sip;
  WebSettings web;
  AudioSettings audio;
  // In file order; ids unique.
  std::vector<ExtensionConfig> extensions;

  const ExtensionConfig* Find(std::string_view id) const;
  bool operator==(const DeviceConfig& o) const;
};

// Parses INI text. `file_name` is used only in error messages ("FILE:LINE: reason").
Result<DeviceConfig> ParseDeviceConfig(std::string_view text, std::string_view file_name);
// Reads and parses a file.
Result<DeviceConfig> LoadDeviceConfig(const std::string& path);

// INI text that ParseDeviceConfig reads back to an equal DeviceConfig.
std::string SerializeDeviceConfig(const DeviceConfig& config);
// Writes SerializeDeviceConfig(config) to `path` via a temporary file in the
// same directory, fsync and rename, so a crash leaves the old or the new file.
Status WriteDeviceConfigAtomically(const DeviceConfig& config, const std::string& path);

// The JSON form used by GET/PUT /api/config (docs/device.md). Passwords are
// included only when `with_secrets`.
nlohmann::json ConfigToJson(const DeviceConfig& config, bool with_secrets);
// Reads the JSON form; validation is the INI parser's (same rules, same
// messages, with "config" as the place). A password that is absent or null keeps
// the one in `base` for the same extension id (so a page that never saw the
// secret does not erase it).
Result<DeviceConfig> ConfigFromJson(const nlohmann::json& json, const DeviceConfig& base);

}  // namespace sipreg::device
