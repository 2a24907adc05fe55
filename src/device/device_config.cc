#include "device/device_config.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "device/device_config_internal.h"

namespace sipreg::device {
namespace {

using internal::ClassifySection;
using internal::Errno;
using internal::IsAuthId;
using internal::IsControl;
using internal::IsDigit;
using internal::IsUserPart;
using internal::Lower;
using internal::ParseBool;
using internal::ParseHostPortImpl;
using internal::ParseUint;
using internal::PlaceFn;
using internal::ReadValue;
using internal::SectionClass;
using internal::SectionKind;
using internal::Shown;
using internal::Trim;
using internal::ValidUtf8;

constexpr uint16_t kDefaultWebPort = 8080;
constexpr uint32_t kMaxSectionNumber = 99999;

// ---- sections and keys --------------------------------------------------------

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

}  // namespace

// ---- declared in device_config_internal.h --------------------------------------

namespace internal {

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

Result<DeviceConfig> ParseDeviceConfigWithPlace(std::string_view text, PlaceFn place) {
  Parser parser(std::move(place));
  return parser.Parse(text);
}

std::string Errno(std::string_view what, const std::string& path, int err) {
  return fmt::format("{} {}: {}", what, path, std::strerror(err));
}

}  // namespace internal

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

}  // namespace sipreg::device
