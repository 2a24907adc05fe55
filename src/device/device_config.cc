#include "device/device_config.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace sipreg::device {
namespace {

using nlohmann::json;

constexpr uint16_t kDefaultWebPort = 8080;
constexpr uint32_t kMaxSectionNumber = 99999;

// Turns a line number into the place an error names: "device.conf:12", or
// "extensions[3].password" when the text was generated from JSON.
using PlaceFn = std::function<std::string(int line)>;

// ---- small text helpers -------------------------------------------------------

bool IsSpace(char c) { return c == ' ' || c == '\t'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsControl(char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (IsSpace(s.front()) || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (IsSpace(s.back()) || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsDigit);
}

bool ValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + n >= s.size()) return false;
    for (size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += n + 1;
  }
  return true;
}

// A value as it may appear in a message: control characters escaped, long ones
// cut at a character boundary, and always valid UTF-8 (messages end up in JSON).
std::string Shown(std::string_view v) {
  constexpr size_t kMax = 80;
  size_t cut = std::min(v.size(), kMax);
  while (cut > 0 && cut < v.size() && (static_cast<unsigned char>(v[cut]) & 0xc0) == 0x80) --cut;
  const std::string_view head = v.substr(0, cut);
  const bool utf8 = ValidUtf8(head);
  std::string out;
  for (char c : head) {
    if (IsControl(c) || (!utf8 && static_cast<unsigned char>(c) >= 0x80)) {
      out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    } else {
      out += c;
    }
  }
  if (cut < v.size()) out += "...";
  return out;
}

// Characters of a SIP user part (RFC 3261 unreserved / user-unreserved, no escapes).
bool IsUserPartChar(char c) {
  return IsAlpha(c) || IsDigit(c) ||
         std::string_view("-_.!~*'()&=+$,;?/").find(c) != std::string_view::npos;
}

bool IsUserPart(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsUserPartChar);
}

// An Authentication ID may also be "user@domain", as some hosted PBXs issue them.
bool IsAuthId(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return IsUserPartChar(c) || c == '@';
  });
}

bool ParseUint(std::string_view s, uint64_t min, uint64_t max, uint64_t& out) {
  if (!AllDigits(s)) return false;
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < min || v > max) return false;
  out = v;
  return true;
}

std::optional<bool> ParseBool(std::string_view s) {
  const std::string v = Lower(s);
  if (v == "yes" || v == "true" || v == "1" || v == "on") return true;
  if (v == "no" || v == "false" || v == "0" || v == "off") return false;
  return std::nullopt;
}

bool IsHostName(std::string_view s) {
  if (s.empty() || s.size() > 253 || s.front() == '.' || s.find("..") != std::string_view::npos) {
    return false;
  }
  return std::all_of(s.begin(), s.end(), [](char c) {
    return IsAlpha(c) || IsDigit(c) || c == '.' || c == '-' || c == '_';
  });
}

bool IsIp(int family, std::string_view s) {
  const std::string str(s);
  unsigned char buf[16];
  return inet_pton(family, str.c_str(), buf) == 1;
}

Result<HostPort> ParseHostPortImpl(std::string_view text, bool allow_port_zero) {
  if (text.empty()) return Status::InvalidArgument("empty address");
  HostPort hp;
  std::string_view rest;
  if (text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("missing ']' after the IPv6 address");
    }
    const std::string_view host = text.substr(1, close - 1);
    if (!IsIp(AF_INET6, host)) {
      return Status::InvalidArgument(fmt::format("'{}' is not an IPv6 address", Shown(host)));
    }
    hp.host = std::string(host);
    rest = text.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') {
      return Status::InvalidArgument(fmt::format("unexpected '{}' after ']'", Shown(rest)));
    }
  } else {
    const size_t colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
      return Status::InvalidArgument(
          "an IPv6 address must be written in brackets, e.g. [2001:db8::1]:5060");
    }
    const std::string_view host = text.substr(0, colon);
    const bool looks_v4 = !host.empty() && std::all_of(host.begin(), host.end(), [](char c) {
      return IsDigit(c) || c == '.';
    });
    if (looks_v4 ? !IsIp(AF_INET, host) : !IsHostName(host)) {
      return Status::InvalidArgument(
          fmt::format("'{}' is not a host name or IP address", Shown(host)));
    }
    hp.host = std::string(host);
    if (colon != std::string_view::npos) rest = text.substr(colon);
  }
  if (!rest.empty()) {
    uint64_t port = 0;
    if (!ParseUint(rest.substr(1), allow_port_zero ? 0 : 1, 65535, port)) {
      return Status::InvalidArgument(fmt::format("port '{}' is not {}..65535",
                                                 Shown(rest.substr(1)), allow_port_zero ? 0 : 1));
    }
    hp.port = static_cast<uint16_t>(port);
  }
  return hp;
}

// ---- sections and keys --------------------------------------------------------

enum class SectionKind : uint8_t { kSip, kWeb, kAudio, kExtension };
struct SectionClass {
  SectionKind kind;
  ExtensionType type = ExtensionType::kPage;
};

// Section names are lower case here: [sip], [page.2], [alert.1]...
std::optional<SectionClass> ClassifySection(std::string_view name) {
  if (name == "sip") return SectionClass{SectionKind::kSip};
  if (name == "web") return SectionClass{SectionKind::kWeb};
  if (name == "audio") return SectionClass{SectionKind::kAudio};
  if (name == "page") return SectionClass{SectionKind::kExtension, ExtensionType::kPage};
  if (name == "ring") return SectionClass{SectionKind::kExtension, ExtensionType::kRing};
  struct Numbered {
    std::string_view prefix;
    ExtensionType type;
    uint64_t min;
  };
  static constexpr Numbered kNumbered[] = {{"page.", ExtensionType::kPage, 2},
                                           {"ring.", ExtensionType::kRing, 2},
                                           {"alert.", ExtensionType::kAlert, 1}};
  for (const Numbered& n : kNumbered) {
    if (!name.starts_with(n.prefix)) continue;
    const std::string_view num = name.substr(n.prefix.size());
    uint64_t value = 0;
    if (num.starts_with('0') || !ParseUint(num, n.min, kMaxSectionNumber, value)) break;
    return SectionClass{SectionKind::kExtension, n.type};
  }
  return std::nullopt;
}

bool KeyAllowed(const SectionClass& s, std::string_view key) {
  static constexpr std::string_view kSip[] = {
      "server",    "outbound_proxy",     "transport",    "expires",
      "keepalive", "keepalive_interval", "local_port",   "tls_verify",
      "tls_ca",    "display_name",       "register_rate", "dns_server"};
  static constexpr std::string_view kWeb[] = {"listen", "password"};
  static constexpr std::string_view kAudio[] = {"output"};
  static constexpr std::string_view kExtension[] = {"extension", "auth_id", "password", "enabled"};
  static constexpr std::string_view kAlert[] = {
      "duration", "cancel_extension", "cancel_auth_id", "cancel_password", "answer", "access_code"};
  auto in = [key](const auto& list) {
    return std::find(std::begin(list), std::end(list), key) != std::end(list);
  };
  switch (s.kind) {
    case SectionKind::kSip:
      return in(kSip);
    case SectionKind::kWeb:
      return in(kWeb);
    case SectionKind::kAudio:
      return in(kAudio);
    case SectionKind::kExtension:
      if (in(kExtension)) return true;
      if (key == "audio") return s.type != ExtensionType::kPage;
      return s.type == ExtensionType::kAlert && in(kAlert);
  }
  return false;
}

bool IsSecretKey(std::string_view key) { return key == "password" || key == "cancel_password"; }

struct RawEntry {
  std::string key;  // lower case
  std::string value;
  int line = 0;
};
struct RawSection {
  std::string name;  // lower case
  SectionClass cls;
  int line = 0;
  std::vector<RawEntry> entries;
};

// The value after '=' (`raw`, untrimmed). Quoted ("a b" keeps spaces and ';';
// \" and \\ are escapes inside quotes), or else a ';' after whitespace starts
// a comment.
std::optional<std::string> ReadValue(std::string_view raw, std::string& why) {
  const std::string_view v = Trim(raw);
  if (!v.empty() && v.front() == '"') {
    std::string out;
    size_t i = 1;
    for (; i < v.size() && v[i] != '"'; ++i) {
      if (v[i] == '\\' && i + 1 < v.size() && (v[i + 1] == '"' || v[i + 1] == '\\')) ++i;
      out += v[i];
    }
    if (i >= v.size()) {
      why = "unterminated quoted value";
      return std::nullopt;
    }
    const std::string_view after = Trim(v.substr(i + 1));
    if (!after.empty() && after.front() != ';') {
      why = "unexpected text after the closing quote";
      return std::nullopt;
    }
    return out;
  }
  size_t end = raw.size();
  for (size_t i = 1; i < raw.size(); ++i) {
    if (raw[i] == ';' && IsSpace(raw[i - 1])) {
      end = i;
      break;
    }
  }
  return std::string(Trim(raw.substr(0, end)));
}

std::string QuoteIfNeeded(std::string_view v, bool always) {
  const bool needed = always || v.empty() || IsSpace(v.front()) || IsSpace(v.back()) ||
                      v.front() == '"' || v.find(';') != std::string_view::npos;
  if (!needed) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  out += '"';
  return out;
}

// ---- the parser ---------------------------------------------------------------

class Parser {
 public:
  explicit Parser(PlaceFn place) : place_(std::move(place)) {}

  Result<DeviceConfig> Parse(std::string_view text) {
    std::vector<RawSection> sections;
    SIPREG_RETURN_IF_ERROR(Tokenize(text, sections));
    DeviceConfig config;
    const RawSection* sip = nullptr;
    const RawSection* web = nullptr;
    for (const RawSection& s : sections) {
      switch (s.cls.kind) {
        case SectionKind::kSip:
          sip = &s;
          SIPREG_RETURN_IF_ERROR(ApplySip(s, config.sip));
          break;
        case SectionKind::kWeb:
          web = &s;
          SIPREG_RETURN_IF_ERROR(ApplyWeb(s, config.web));
          break;
        case SectionKind::kAudio:
          SIPREG_RETURN_IF_ERROR(ApplyAudio(s, config.audio));
          break;
        case SectionKind::kExtension: {
          ExtensionConfig ext;
          SIPREG_RETURN_IF_ERROR(ApplyExtension(s, ext));
          config.extensions.push_back(std::move(ext));
          break;
        }
      }
    }
    if (sip == nullptr) return Fail(0, "[sip] server is required");
    if (config.sip.server.empty()) return Fail(sip->line, "[sip] server is required");
    if (!config.web.listen.empty() && config.web.password.empty()) {
      int line = 0;  // no [web] section: the whole file is to blame
      if (web != nullptr) {
        const RawEntry* pw = Find(*web, "password");
        line = pw != nullptr ? pw->line : web->line;
      }
      return Fail(line, "[web] password is required (or set listen = off)");
    }
    SIPREG_RETURN_IF_ERROR(CheckRegistrationsUnique(config));
    return config;
  }

 private:
  Status Fail(int line, std::string_view reason) const {
    return Status::InvalidArgument(fmt::format("{}: {}", place_(line), reason));
  }
  Status BadValue(const RawSection& s, const RawEntry& e, std::string_view expected) const {
    if (IsSecretKey(e.key)) {
      return Fail(e.line, fmt::format("bad value for {} in [{}]: {}", e.key, s.name, expected));
    }
    return Fail(e.line, fmt::format("bad value '{}' for {} in [{}]: {}", Shown(e.value), e.key,
                                    s.name, expected));
  }
  static const RawEntry* Find(const RawSection& s, std::string_view key) {
    for (const RawEntry& e : s.entries) {
      if (e.key == key) return &e;
    }
    return nullptr;
  }

  Status Tokenize(std::string_view text, std::vector<RawSection>& out) const {
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    std::map<std::string, int, std::less<>> section_lines;
    std::map<std::string, int, std::less<>> key_lines;  // of the current section
    int line_no = 0;
    size_t pos = 0;
    while (pos < text.size()) {
      size_t eol = text.find('\n', pos);
      if (eol == std::string_view::npos) eol = text.size();
      const std::string_view line = Trim(text.substr(pos, eol - pos));
      pos = eol + 1;
      ++line_no;
      if (line.empty() || line.front() == ';' || line.front() == '#') continue;

      if (line.front() == '[') {
        const size_t close = line.find(']');
        if (close == std::string_view::npos) {
          return Fail(line_no, fmt::format("missing ']' in '{}'", Shown(line)));
        }
        const std::string_view after = Trim(line.substr(close + 1));
        const std::string_view written = Trim(line.substr(1, close - 1));
        if (!after.empty() && after.front() != ';' && after.front() != '#') {
          return Fail(line_no,
                      fmt::format("unexpected '{}' after [{}]", Shown(after), Shown(written)));
        }
        std::string name = Lower(written);
        const std::optional<SectionClass> cls = ClassifySection(name);
        if (!cls) return Fail(line_no, fmt::format("unknown section [{}]", Shown(written)));
        if (auto it = section_lines.find(name); it != section_lines.end()) {
          return Fail(line_no, fmt::format("duplicate section [{}] (first at {})", name,
                                           place_(it->second)));
        }
        section_lines.emplace(name, line_no);
        key_lines.clear();
        out.push_back(RawSection{std::move(name), *cls, line_no, {}});
        continue;
      }

      const size_t eq = line.find('=');
      if (eq == std::string_view::npos) {
        return Fail(line_no, "expected 'key = value' or '[section]'");
      }
      const std::string key = Lower(Trim(line.substr(0, eq)));
      if (key.empty()) return Fail(line_no, "missing key before '='");
      if (out.empty()) {
        return Fail(line_no, fmt::format("key '{}' is outside of any section", Shown(key)));
      }
      RawSection& section = out.back();
      if (!KeyAllowed(section.cls, key)) {
        return Fail(line_no, fmt::format("unknown key '{}' in [{}]", Shown(key), section.name));
      }
      if (auto it = key_lines.find(key); it != key_lines.end()) {
        return Fail(line_no, fmt::format("duplicate key '{}' in [{}] (first at {})", key,
                                         section.name, place_(it->second)));
      }
      std::string why;
      std::optional<std::string> value = ReadValue(line.substr(eq + 1), why);
      if (!value) return Fail(line_no, fmt::format("{} for {} in [{}]", why, key, section.name));
      RawEntry entry{key, std::move(*value), line_no};
      if (std::any_of(entry.value.begin(), entry.value.end(), IsControl)) {
        return BadValue(section, entry, "control characters are not allowed");
      }
      if (!ValidUtf8(entry.value)) return BadValue(section, entry, "not valid UTF-8");
      key_lines.emplace(key, line_no);
      section.entries.push_back(std::move(entry));
    }
    return Status::Ok();
  }

  Status ReadUint(const RawSection& s, const RawEntry& e, uint64_t min, uint64_t max,
                  uint32_t& out) const {
    uint64_t v = 0;
    if (!ParseUint(e.value, min, max, v)) {
      return BadValue(s, e, fmt::format("expected an integer {}..{}", min, max));
    }
    out = static_cast<uint32_t>(v);
    return Status::Ok();
  }
  Status ReadBool(const RawSection& s, const RawEntry& e, bool& out) const {
    const std::optional<bool> v = ParseBool(e.value);
    if (!v) return BadValue(s, e, "expected yes or no");
    out = *v;
    return Status::Ok();
  }
  Status ReadHostPort(const RawSection& s, const RawEntry& e, bool allow_port_zero,
                      HostPort& out) const {
    Result<HostPort> hp = ParseHostPortImpl(e.value, allow_port_zero);
    if (!hp.ok()) return BadValue(s, e, hp.status().message());
    out = std::move(*hp);
    return Status::Ok();
  }
  Status ReadAuthId(const RawSection& s, const RawEntry& e, std::string& out) const {
    if (!IsAuthId(e.value)) {
      return BadValue(s, e,
                      "expected an authentication ID (letters, digits, @ and -_.!~*'()&=+$,;?/)");
    }
    out = e.value;
    return Status::Ok();
  }

  Status ReadUserPart(const RawSection& s, const RawEntry& e, std::string& out) const {
    if (!IsUserPart(e.value)) {
      return BadValue(s, e, "expected a SIP user part (letters, digits and -_.!~*'()&=+$,;?/)");
    }
    out = e.value;
    return Status::Ok();
  }

  Status ApplySip(const RawSection& s, SipSettings& sip) const {
    for (const RawEntry& e : s.entries) {
      const std::string& k = e.key;
      const std::string lower = Lower(e.value);
      if (k == "server") {
        SIPREG_RETURN_IF_ERROR(ReadHostPort(s, e, false, sip.server));
      } else if (k == "outbound_proxy") {
        sip.outbound_proxy = HostPort{};
        if (!e.value.empty()) SIPREG_RETURN_IF_ERROR(ReadHostPort(s, e, false, sip.outbound_proxy));
      } else if (k == "transport") {
        if (lower == "auto") {
          sip.transport = TransportChoice::kAuto;
        } else if (lower == "udp") {
          sip.transport = TransportChoice::kUdp;
        } else if (lower == "tcp") {
          sip.transport = TransportChoice::kTcp;
        } else if (lower == "tls") {
          sip.transport = TransportChoice::kTls;
        } else {
          return BadValue(s, e, "expected auto, udp, tcp or tls");
        }
      } else if (k == "expires") {
        SIPREG_RETURN_IF_ERROR(ReadUint(s, e, 60, 604800, sip.expires));
      } else if (k == "keepalive") {
        if (lower == "double-crlf") {
          sip.keepalive = KeepAliveMethod::kDoubleCrlf;
        } else if (lower == "options") {
          sip.keepalive = KeepAliveMethod::kOptions;
        } else if (lower == "off") {
          sip.keepalive = KeepAliveMethod::kOff;
        } else {
          return BadValue(s, e, "expected double-crlf, options or off");
        }
      } else if (k == "keepalive_interval") {
        SIPREG_RETURN_IF_ERROR(ReadUint(s, e, 1, 3600, sip.keepalive_interval));
      } else if (k == "local_port") {
        uint32_t port = 0;
        SIPREG_RETURN_IF_ERROR(ReadUint(s, e, 0, 65535, port));
        sip.local_port = static_cast<uint16_t>(port);
      } else if (k == "tls_verify") {
        SIPREG_RETURN_IF_ERROR(ReadBool(s, e, sip.tls_verify));
      } else if (k == "tls_ca") {
        sip.tls_ca = e.value;
      } else if (k == "display_name") {
        sip.display_name = e.value;
      } else if (k == "register_rate") {
        SIPREG_RETURN_IF_ERROR(ReadUint(s, e, 1, 100000, sip.register_rate));
      } else if (k == "dns_server") {
        sip.dns_server = HostPort{};
        if (!e.value.empty()) SIPREG_RETURN_IF_ERROR(ReadHostPort(s, e, false, sip.dns_server));
      }
    }
    return Status::Ok();
  }

  Status ApplyWeb(const RawSection& s, WebSettings& web) const {
    for (const RawEntry& e : s.entries) {
      if (e.key == "listen") {
        if (Lower(e.value) == "off") {
          web.listen = HostPort{};
          continue;
        }
        Result<HostPort> hp = ParseHostPortImpl(e.value, /*allow_port_zero=*/true);
        if (!hp.ok()) {
          return BadValue(s, e,
                          fmt::format("expected host:port or off ({})", hp.status().message()));
        }
        web.listen = std::move(*hp);
        if (!web.listen.port) web.listen.port = kDefaultWebPort;
      } else if (e.key == "password") {
        web.password = e.value;
      }
    }
    return Status::Ok();
  }

  Status ApplyAudio(const RawSection& s, AudioSettings& audio) const {
    for (const RawEntry& e : s.entries) {
      const std::string_view v = e.value;
      const bool ok = v.empty() || (v.starts_with("wav:") && v.size() > 4) ||
                      (v.starts_with("alsa:") && v.size() > 5);
      if (!ok) return BadValue(s, e, "expected wav:DIRECTORY, alsa:DEVICE or nothing");
      audio.output = e.value;
    }
    return Status::Ok();
  }

  Status ApplyExtension(const RawSection& s, ExtensionConfig& ext) const {
    ext.id = s.name;
    ext.type = s.cls.type;
    ext.line = s.line;
    const RawEntry* until_cancelled = nullptr;
    for (const RawEntry& e : s.entries) {
      const std::string& k = e.key;
      if (k == "extension") {
        SIPREG_RETURN_IF_ERROR(ReadUserPart(s, e, ext.extension));
      } else if (k == "auth_id") {
        ext.auth_id.clear();
        if (!e.value.empty()) SIPREG_RETURN_IF_ERROR(ReadAuthId(s, e, ext.auth_id));
      } else if (k == "password") {
        ext.password = e.value;
      } else if (k == "enabled") {
        SIPREG_RETURN_IF_ERROR(ReadBool(s, e, ext.enabled));
      } else if (k == "audio") {
        ext.audio = e.value;
      } else if (k == "duration") {
        if (Lower(e.value) == "until-cancelled") {
          ext.until_cancelled = true;
          ext.duration = 0;
          until_cancelled = &e;
        } else {
          uint64_t v = 0;
          if (!ParseUint(e.value, 1, 86400, v)) {
            return BadValue(s, e, "expected seconds 1..86400 or until-cancelled");
          }
          ext.duration = static_cast<uint32_t>(v);
        }
      } else if (k == "cancel_extension") {
        ext.cancel_extension.clear();
        if (!e.value.empty()) SIPREG_RETURN_IF_ERROR(ReadUserPart(s, e, ext.cancel_extension));
      } else if (k == "cancel_auth_id") {
        ext.cancel_auth_id.clear();
        if (!e.value.empty()) SIPREG_RETURN_IF_ERROR(ReadAuthId(s, e, ext.cancel_auth_id));
      } else if (k == "cancel_password") {
        ext.cancel_password = e.value;
      } else if (k == "answer") {
        SIPREG_RETURN_IF_ERROR(ReadBool(s, e, ext.answer));
      } else if (k == "access_code") {
        const bool ok = std::all_of(e.value.begin(), e.value.end(),
                                    [](char c) { return IsDigit(c) || c == '*' || c == '#'; });
        if (!ok) return BadValue(s, e, "expected digits, * and #");
        ext.access_code = e.value;
      }
    }
    if (ext.extension.empty()) {
      return Fail(s.line, fmt::format("[{}] needs an extension (extension = NUMBER)", s.name));
    }
    if (until_cancelled != nullptr && ext.cancel_extension.empty()) {
      return Fail(
          until_cancelled->line,
          fmt::format("duration = until-cancelled in [{}] needs a cancel_extension", s.name));
    }
    return Status::Ok();
  }

  // Two registrations with the same extension and auth id would replace each other.
  Status CheckRegistrationsUnique(const DeviceConfig& config) const {
    struct Owner {
      const ExtensionConfig* ext;
      bool cancel;
    };
    auto describe = [](const Owner& o) {
      return o.cancel ? fmt::format("the cancel_extension of [{}]", o.ext->id)
                      : fmt::format("[{}]", o.ext->id);
    };
    std::map<std::pair<std::string_view, std::string_view>, Owner> seen;
    for (const ExtensionConfig& ext : config.extensions) {
      for (const bool cancel : {false, true}) {
        const std::string& number = cancel ? ext.cancel_extension : ext.extension;
        if (number.empty()) continue;
        const std::string& auth = cancel ? ext.CancelAuthId() : ext.AuthId();
        const Owner me{&ext, cancel};
        auto [it, inserted] =
            seen.emplace(std::make_pair(std::string_view(number), std::string_view(auth)), me);
        if (inserted) continue;
        return Fail(
            ext.line,
            fmt::format("extension '{}' with auth id '{}' in {} is already used by {} at {}",
                        number, auth, describe(me), describe(it->second),
                        place_(it->second.ext->line)));
      }
    }
    return Status::Ok();
  }

  PlaceFn place_;
};

// ---- JSON -> INI ----------------------------------------------------------------

// Builds INI text from the JSON form, remembering which JSON field each line came
// from so parser errors can name the field instead of a line of generated text.
class JsonToIni {
 public:
  explicit JsonToIni(const DeviceConfig& base) : base_(base) {}

  Result<DeviceConfig> Convert(const json& j) {
    if (!j.is_object()) return Status::InvalidArgument("config: expected a JSON object");
    SIPREG_RETURN_IF_ERROR(OnlyFields(j, "", {"sip", "web", "audio", "extensions"}));
    SIPREG_RETURN_IF_ERROR(Sip(j));
    SIPREG_RETURN_IF_ERROR(Web(j));
    SIPREG_RETURN_IF_ERROR(Audio(j));
    SIPREG_RETURN_IF_ERROR(Extensions(j));
    Parser parser([this](int line) {
      if (line > 0 && static_cast<size_t>(line) < fields_.size()) return fields_[line];
      return std::string("config");
    });
    Result<DeviceConfig> config = parser.Parse(text_);
    if (!config.ok()) return config.status();
    for (ExtensionConfig& ext : config->extensions) ext.line = 0;
    return config;
  }

 private:
  static Status TypeError(const std::string& path, std::string_view expected) {
    return Status::InvalidArgument(fmt::format("{}: expected {}", path, expected));
  }

  static Status OnlyFields(const json& obj, const std::string& path,
                           std::initializer_list<std::string_view> allowed) {
    for (auto it = obj.begin(); it != obj.end(); ++it) {
      if (std::find(allowed.begin(), allowed.end(), it.key()) == allowed.end()) {
        return Status::InvalidArgument(
            fmt::format("{}{}: unknown field", path.empty() ? "" : path + ".", Shown(it.key())));
      }
    }
    return Status::Ok();
  }

  // The object at obj[key]; null or absent gives an empty object.
  static Result<json> Object(const json& obj, const std::string& key, const std::string& path) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return json::object();
    if (!it->is_object()) return TypeError(path, "an object");
    return *it;
  }

  // obj[key] as INI value text; nullopt when absent or null.
  static Result<std::optional<std::string>> Value(const json& obj, const std::string& key,
                                                  const std::string& path, json::value_t kind) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return std::optional<std::string>();
    const json& v = *it;
    switch (kind) {
      case json::value_t::string:
        if (!v.is_string()) return TypeError(path, "a string");
        return std::optional<std::string>(v.get<std::string>());
      case json::value_t::boolean:
        if (!v.is_boolean()) return TypeError(path, "true or false");
        return std::optional<std::string>(v.get<bool>() ? "yes" : "no");
      default:
        if (!v.is_number_integer()) return TypeError(path, "an integer");
        return std::optional<std::string>(v.dump());
    }
  }

  void Line(std::string text, std::string field) {
    text_ += text;
    text_ += '\n';
    fields_.push_back(std::move(field));
  }
  Status Key(std::string_view key, std::string_view value, const std::string& path) {
    if (std::any_of(value.begin(), value.end(), IsControl)) {
      return Status::InvalidArgument(fmt::format("{}: control characters are not allowed", path));
    }
    Line(fmt::format("{} = {}", key, QuoteIfNeeded(value, true)), path);
    return Status::Ok();
  }

  // Copies each listed field of `obj` into a key line if present (and, when
  // `skip_default`, not its type's zero value).
  Status Keys(const json& obj, const std::string& path,
              std::initializer_list<std::pair<std::string_view, json::value_t>> keys,
              bool skip_default) {
    for (const auto& [key, kind] : keys) {
      const std::string field = fmt::format("{}.{}", path, key);
      Result<std::optional<std::string>> v = Value(obj, std::string(key), field, kind);
      if (!v.ok()) return v.status();
      if (!v->has_value()) continue;
      if (skip_default && (v->value().empty() || (kind == json::value_t::boolean && **v == "no"))) {
        continue;
      }
      SIPREG_RETURN_IF_ERROR(Key(key, **v, field));
    }
    return Status::Ok();
  }

  Status Sip(const json& j) {
    Result<json> sip = Object(j, "sip", "sip");
    if (!sip.ok()) return sip.status();
    SIPREG_RETURN_IF_ERROR(OnlyFields(
        *sip, "sip",
        {"server", "outbound_proxy", "transport", "expires", "keepalive", "keepalive_interval",
         "local_port", "tls_verify", "tls_ca", "display_name", "register_rate", "dns_server"}));
    Line("[sip]", "sip");
    constexpr auto kStr = json::value_t::string;
    constexpr auto kInt = json::value_t::number_integer;
    return Keys(*sip, "sip",
                {{"server", kStr},
                 {"outbound_proxy", kStr},
                 {"transport", kStr},
                 {"expires", kInt},
                 {"keepalive", kStr},
                 {"keepalive_interval", kInt},
                 {"local_port", kInt},
                 {"tls_verify", json::value_t::boolean},
                 {"tls_ca", kStr},
                 {"display_name", kStr},
                 {"register_rate", kInt},
                 {"dns_server", kStr}},
                false);
  }

  Status Web(const json& j) {
    Result<json> web = Object(j, "web", "web");
    if (!web.ok()) return web.status();
    SIPREG_RETURN_IF_ERROR(OnlyFields(*web, "web", {"listen", "password"}));
    Line("[web]", "web");
    SIPREG_RETURN_IF_ERROR(Keys(*web, "web", {{"listen", json::value_t::string}}, false));
    Result<std::optional<std::string>> pw =
        Value(*web, "password", "web.password", json::value_t::string);
    if (!pw.ok()) return pw.status();
    return Key("password", pw->value_or(base_.web.password), "web.password");
  }

  Status Audio(const json& j) {
    Result<json> audio = Object(j, "audio", "audio");
    if (!audio.ok()) return audio.status();
    SIPREG_RETURN_IF_ERROR(OnlyFields(*audio, "audio", {"output"}));
    Line("[audio]", "audio");
    return Keys(*audio, "audio", {{"output", json::value_t::string}}, false);
  }

  Status Extensions(const json& j) {
    auto it = j.find("extensions");
    if (it == j.end() || it->is_null()) return Status::Ok();
    if (!it->is_array()) return TypeError("extensions", "an array");
    for (size_t i = 0; i < it->size(); ++i) {
      SIPREG_RETURN_IF_ERROR(Extension((*it)[i], fmt::format("extensions[{}]", i)));
    }
    return Status::Ok();
  }

  Status Extension(const json& e, const std::string& path) {
    if (!e.is_object()) return TypeError(path, "an object");
    SIPREG_RETURN_IF_ERROR(OnlyFields(
        e, path,
        {"id", "type", "enabled", "extension", "auth_id", "password", "audio", "duration",
         "cancel_extension", "cancel_auth_id", "cancel_password", "answer", "access_code"}));
    auto id_it = e.find("id");
    if (id_it == e.end() || !id_it->is_string()) return TypeError(path + ".id", "a string");
    const std::string id = id_it->get<std::string>();
    const std::optional<SectionClass> cls = ClassifySection(Lower(id));
    if (!cls || cls->kind != SectionKind::kExtension) {
      return Status::InvalidArgument(
          fmt::format("{}.id: '{}' is not an extension id (page, page.N, ring, ring.N, alert.N)",
                      path, Shown(id)));
    }
    Result<std::optional<std::string>> type =
        Value(e, "type", path + ".type", json::value_t::string);
    if (!type.ok()) return type.status();
    if (type->has_value() && **type != ExtensionTypeName(cls->type)) {
      return Status::InvalidArgument(
          fmt::format("{}.type: '{}' does not match id '{}'", path, Shown(**type), id));
    }
    Line(fmt::format("[{}]", id), path);
    constexpr auto kStr = json::value_t::string;
    constexpr auto kBool = json::value_t::boolean;
    SIPREG_RETURN_IF_ERROR(Keys(e, path, {{"enabled", kBool}, {"extension", kStr}}, false));
    SIPREG_RETURN_IF_ERROR(Keys(e, path, {{"auth_id", kStr}}, true));
    const ExtensionConfig* old = base_.Find(Lower(id));
    SIPREG_RETURN_IF_ERROR(Secret(e, path, "password", old ? old->password : ""));
    SIPREG_RETURN_IF_ERROR(Keys(e, path, {{"audio", kStr}}, true));
    if (auto d = e.find("duration"); d != e.end() && !d->is_null()) {
      if (!d->is_string() && !d->is_number_integer()) {
        return TypeError(path + ".duration", "seconds or \"until-cancelled\"");
      }
      const std::string v = d->is_string() ? d->get<std::string>() : d->dump();
      if (v != "0") SIPREG_RETURN_IF_ERROR(Key("duration", v, path + ".duration"));
    }
    SIPREG_RETURN_IF_ERROR(
        Keys(e, path, {{"cancel_extension", kStr}, {"cancel_auth_id", kStr}}, true));
    SIPREG_RETURN_IF_ERROR(Secret(e, path, "cancel_password", old ? old->cancel_password : ""));
    return Keys(e, path, {{"answer", kBool}, {"access_code", kStr}}, true);
  }

  // A password: absent or null keeps `kept`; empty ones are not written.
  Status Secret(const json& e, const std::string& path, const std::string& key,
                const std::string& kept) {
    const std::string field = path + "." + key;
    Result<std::optional<std::string>> v = Value(e, key, field, json::value_t::string);
    if (!v.ok()) return v.status();
    const std::string value = v->value_or(kept);
    if (value.empty()) return Status::Ok();
    return Key(key, value, field);
  }

  const DeviceConfig& base_;
  std::string text_;
  std::vector<std::string> fields_{""};  // fields_[line]: the JSON field of that line
};

std::string Errno(std::string_view what, const std::string& path, int err) {
  return fmt::format("{} {}: {}", what, path, std::strerror(err));
}

}  // namespace

std::string_view TransportChoiceName(TransportChoice t) {
  switch (t) {
    case TransportChoice::kAuto:
      return "auto";
    case TransportChoice::kUdp:
      return "udp";
    case TransportChoice::kTcp:
      return "tcp";
    case TransportChoice::kTls:
      return "tls";
  }
  return "auto";
}

std::string_view KeepAliveMethodName(KeepAliveMethod k) {
  switch (k) {
    case KeepAliveMethod::kDoubleCrlf:
      return "double-crlf";
    case KeepAliveMethod::kOptions:
      return "options";
    case KeepAliveMethod::kOff:
      return "off";
  }
  return "off";
}

std::string_view ExtensionTypeName(ExtensionType t) {
  switch (t) {
    case ExtensionType::kPage:
      return "page";
    case ExtensionType::kRing:
      return "ring";
    case ExtensionType::kAlert:
      return "alert";
  }
  return "page";
}

std::string HostPort::ToString() const {
  if (host.empty()) return "";
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port) out += fmt::format(":{}", *port);
  return out;
}

Result<HostPort> ParseHostPort(std::string_view text) {
  return ParseHostPortImpl(text, /*allow_port_zero=*/false);
}

bool ExtensionConfig::operator==(const ExtensionConfig& o) const {
  auto fields = [](const ExtensionConfig& e) {
    return std::tie(e.id, e.type, e.enabled, e.extension, e.auth_id, e.password, e.audio,
                    e.duration, e.until_cancelled, e.cancel_extension, e.cancel_auth_id,
                    e.cancel_password, e.answer, e.access_code);
  };
  return fields(*this) == fields(o);
}

const ExtensionConfig* DeviceConfig::Find(std::string_view id) const {
  for (const ExtensionConfig& e : extensions) {
    if (e.id == id) return &e;
  }
  return nullptr;
}

bool DeviceConfig::operator==(const DeviceConfig& o) const {
  return sip == o.sip && web == o.web && audio == o.audio && extensions == o.extensions;
}

Result<DeviceConfig> ParseDeviceConfig(std::string_view text, std::string_view file_name) {
  Parser parser([file = std::string(file_name)](int line) {
    return line > 0 ? fmt::format("{}:{}", file, line) : file;
  });
  return parser.Parse(text);
}

Result<DeviceConfig> LoadDeviceConfig(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return Status::IoError(Errno("cannot read", path, errno));
  std::string text;
  char buf[8192];
  size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
  const int err = std::ferror(f) ? errno : 0;
  std::fclose(f);
  if (err != 0) return Status::IoError(Errno("cannot read", path, err));
  return ParseDeviceConfig(text, path);
}

std::string SerializeDeviceConfig(const DeviceConfig& c) {
  std::string out = "; written by sipreg-device\n";
  auto key = [&out](std::string_view k, std::string_view v) {
    out += fmt::format("{} = {}\n", k, QuoteIfNeeded(v, false));
  };
  auto key_if = [&key](std::string_view k, std::string_view v) {
    if (!v.empty()) key(k, v);
  };
  auto yes_no = [](bool b) { return b ? "yes" : "no"; };

  out += "\n[sip]\n";
  key("server", c.sip.server.ToString());
  key_if("outbound_proxy", c.sip.outbound_proxy.ToString());
  key("transport", TransportChoiceName(c.sip.transport));
  key("expires", std::to_string(c.sip.expires));
  key("keepalive", KeepAliveMethodName(c.sip.keepalive));
  key("keepalive_interval", std::to_string(c.sip.keepalive_interval));
  key("local_port", std::to_string(c.sip.local_port));
  key("tls_verify", yes_no(c.sip.tls_verify));
  key_if("tls_ca", c.sip.tls_ca);
  key_if("display_name", c.sip.display_name);
  key("register_rate", std::to_string(c.sip.register_rate));
  key_if("dns_server", c.sip.dns_server.ToString());

  out += "\n[web]\n";
  key("listen", c.web.listen.empty() ? "off" : c.web.listen.ToString());
  key_if("password", c.web.password);

  out += "\n[audio]\n";
  key("output", c.audio.output);

  for (const ExtensionConfig& e : c.extensions) {
    out += fmt::format("\n[{}]\n", e.id);
    key("extension", e.extension);
    key_if("auth_id", e.auth_id);
    key_if("password", e.password);
    key("enabled", yes_no(e.enabled));
    if (e.type == ExtensionType::kPage) continue;
    key_if("audio", e.audio);
    if (e.type != ExtensionType::kAlert) continue;
    if (e.until_cancelled) {
      key("duration", "until-cancelled");
    } else if (e.duration > 0) {
      key("duration", std::to_string(e.duration));
    }
    key_if("cancel_extension", e.cancel_extension);
    key_if("cancel_auth_id", e.cancel_auth_id);
    key_if("cancel_password", e.cancel_password);
    key("answer", yes_no(e.answer));
    key_if("access_code", e.access_code);
  }
  return out;
}

Status WriteDeviceConfigAtomically(const DeviceConfig& config, const std::string& path) {
  const std::string text = SerializeDeviceConfig(config);
  std::string tmp = path + ".tmp.XXXXXX";
  int fd = mkstemp(tmp.data());
  if (fd < 0) return Status::IoError(Errno("cannot create a temporary file for", path, errno));
  auto fail = [&](std::string_view what) {
    const int err = errno;
    if (fd >= 0) ::close(fd);
    ::unlink(tmp.c_str());
    return Status::IoError(Errno(what, path, err));
  };
  if (::fchmod(fd, 0600) != 0) return fail("cannot set the mode of");
  size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("cannot write");
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) return fail("cannot sync");
  const int closed = ::close(fd);
  fd = -1;
  if (closed != 0) return fail("cannot write");
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("cannot replace");

  // Make the rename itself durable.
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (dir.empty()) dir = ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Status::IoError(Errno("cannot open the directory of", path, errno));
  const int synced = ::fsync(dfd);
  const int err = errno;
  ::close(dfd);
  // Some file systems cannot sync a directory; the file itself is in place.
  if (synced != 0 && err != EINVAL && err != ENOTSUP) {
    return Status::IoError(Errno("cannot sync the directory of", path, err));
  }
  return Status::Ok();
}

json ConfigToJson(const DeviceConfig& c, bool with_secrets) {
  json j;
  j["sip"] = {{"server", c.sip.server.ToString()},
              {"outbound_proxy", c.sip.outbound_proxy.ToString()},
              {"transport", TransportChoiceName(c.sip.transport)},
              {"expires", c.sip.expires},
              {"keepalive", KeepAliveMethodName(c.sip.keepalive)},
              {"keepalive_interval", c.sip.keepalive_interval},
              {"local_port", c.sip.local_port},
              {"tls_verify", c.sip.tls_verify},
              {"tls_ca", c.sip.tls_ca},
              {"display_name", c.sip.display_name},
              {"register_rate", c.sip.register_rate},
              {"dns_server", c.sip.dns_server.ToString()}};
  j["web"] = {{"listen", c.web.listen.empty() ? "off" : c.web.listen.ToString()}};
  if (with_secrets) j["web"]["password"] = c.web.password;
  j["audio"] = {{"output", c.audio.output}};
  json exts = json::array();
  for (const ExtensionConfig& e : c.extensions) {
    json x = {{"id", e.id},
              {"type", ExtensionTypeName(e.type)},
              {"enabled", e.enabled},
              {"extension", e.extension},
              {"auth_id", e.auth_id},
              {"audio", e.audio},
              {"cancel_extension", e.cancel_extension},
              {"cancel_auth_id", e.cancel_auth_id},
              {"answer", e.answer},
              {"access_code", e.access_code}};
    if (e.until_cancelled) {
      x["duration"] = "until-cancelled";
    } else {
      x["duration"] = e.duration;
    }
    if (with_secrets) {
      x["password"] = e.password;
      x["cancel_password"] = e.cancel_password;
    }
    exts.push_back(std::move(x));
  }
  j["extensions"] = std::move(exts);
  return j;
}

Result<DeviceConfig> ConfigFromJson(const json& j, const DeviceConfig& base) {
  try {
    return JsonToIni(base).Convert(j);
  } catch (const json::exception& e) {
    return Status::InvalidArgument(fmt::format("config: {}", e.what()));
  } catch (const std::exception& e) {
    return Status::Internal(fmt::format("config: {}", e.what()));
  }
}

}  // namespace sipreg::device
