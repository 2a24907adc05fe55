// The grammar of single values in device.conf: UTF-8, user parts and auth ids,
// integers, booleans, host:port, and how a value is quoted. Declared in
// device_config_internal.h.
#include "device/device_config_internal.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include <fmt/format.h>

namespace sipreg::device::internal {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t'; }
bool IsAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsDigit);
}

// Characters of a SIP user part (RFC 3261 unreserved / user-unreserved, no escapes).
bool IsUserPartChar(char c) {
  return IsAlpha(c) || IsDigit(c) ||
         std::string_view("-_.!~*'()&=+$,;?/").find(c) != std::string_view::npos;
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

}  // namespace

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
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

bool IsUserPart(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsUserPartChar);
}

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

}  // namespace sipreg::device::internal
