// Internals shared by the files that implement device_config.h; nothing outside
// them includes this. device_config.cc is the INI parser, device_config_values.cc
// the grammar of single values, device_config_json.cc the JSON form and
// device_config_writer.cc the INI text written back to disk.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "device/device_config.h"

namespace sipreg::device::internal {

// ---- the parser (device_config.cc) ----------------------------------------------

// Turns a line number into the place an error names: "device.conf:12", or
// "extensions[3].password" when the text was generated from JSON.
using PlaceFn = std::function<std::string(int line)>;

// ParseDeviceConfig with errors placed by `place` (line 0: the text as a whole).
Result<DeviceConfig> ParseDeviceConfigWithPlace(std::string_view text, PlaceFn place);

enum class SectionKind : uint8_t { kSip, kWeb, kAudio, kExtension };
struct SectionClass {
  SectionKind kind;
  ExtensionType type = ExtensionType::kPage;
};
// What a section name is; nullopt for an unknown one. Section names are lower
// case here: [sip], [page.2], [alert.1]...
std::optional<SectionClass> ClassifySection(std::string_view name);

// "WHAT PATH: strerror(err)", the text of an I/O error.
std::string Errno(std::string_view what, const std::string& path, int err);

// ---- single values (device_config_values.cc) ------------------------------------

bool IsDigit(char c);
bool IsControl(char c);  // below 0x20, or DEL
// Without surrounding spaces, tabs and '\r'.
std::string_view Trim(std::string_view s);
std::string Lower(std::string_view s);  // ASCII only
bool ValidUtf8(std::string_view s);

// A value as it may appear in a message: control characters escaped, long ones
// cut at a character boundary, and always valid UTF-8 (messages end up in JSON).
std::string Shown(std::string_view v);

// A SIP user part (RFC 3261 unreserved / user-unreserved, no escapes).
bool IsUserPart(std::string_view s);
// An Authentication ID: a user part, or "user@domain" as some hosted PBXs issue them.
bool IsAuthId(std::string_view s);
// Decimal digits only, within min..max.
bool ParseUint(std::string_view s, uint64_t min, uint64_t max, uint64_t& out);
// yes/true/1/on or no/false/0/off, any case.
std::optional<bool> ParseBool(std::string_view s);
// ParseHostPort, optionally accepting port 0.
Result<HostPort> ParseHostPortImpl(std::string_view text, bool allow_port_zero);

// The value after '=' (`raw`, untrimmed). Quoted ("a b" keeps spaces and ';';
// \" and \\ are escapes inside quotes), or else a ';' after whitespace starts
// a comment. nullopt with `why` set when it is malformed.
std::optional<std::string> ReadValue(std::string_view raw, std::string& why);
// `v` as ReadValue reads it back: in quotes when `always` or when it has to be.
std::string QuoteIfNeeded(std::string_view v, bool always);

}  // namespace sipreg::device::internal
