// Grammar helpers shared by the SIP header parsers (RFC 3261 §25.1): character
// classes as a lookup table, whitespace and quoted-string scanners, and the
// ";name=value" parameter-list parser used by URIs, Via and name-addr. Internal
// to src/sip; every function is bounds-checked and never reads past `text`.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "common/status.h"
#include "sip/params.h"

namespace sipreg::sip::grammar {

enum CharClass : uint16_t {
  kDigit = 1 << 0,
  kAlpha = 1 << 1,
  kHex = 1 << 2,
  kToken = 1 << 3,        // alphanum / - . ! % * _ + ` ' ~
  kUnreserved = 1 << 4,   // alphanum / mark
  kUserExtra = 1 << 5,    // user-unreserved: & = + $ , ; ? /
  kPassExtra = 1 << 6,    // & = + $ ,
  kParamExtra = 1 << 7,   // param-unreserved: [ ] / : & + $
  kHeaderExtra = 1 << 8,  // hnv-unreserved: [ ] / ? : + $
  kHost = 1 << 9,         // hostname / IPv4 characters: alphanum - . (and _ leniently)
};

constexpr std::array<uint16_t, 256> MakeCharTable() {
  std::array<uint16_t, 256> t{};
  auto add = [&t](std::string_view chars, uint16_t bits) {
    for (char c : chars) t[static_cast<unsigned char>(c)] |= bits;
  };
  for (int c = '0'; c <= '9'; ++c) {
    t[c] |= kDigit | kHex | kToken | kUnreserved | kHost;
  }
  for (int c = 'a'; c <= 'z'; ++c) {
    t[c] |= kAlpha | kToken | kUnreserved | kHost;
    t[c - 'a' + 'A'] |= kAlpha | kToken | kUnreserved | kHost;
  }
  add("abcdefABCDEF", kHex);
  add("-.!%*_+`'~", kToken);
  add("-_.!~*'()", kUnreserved);
  add("&=+$,;?/", kUserExtra);
  add("&=+$,", kPassExtra);
  add("[]/:&+$", kParamExtra);
  add("[]/?:+$", kHeaderExtra);
  add("-._", kHost);
  return t;
}

inline constexpr std::array<uint16_t, 256> kCharTable = MakeCharTable();

inline bool Is(char c, uint16_t cls) {
  return (kCharTable[static_cast<unsigned char>(c)] & cls) != 0;
}
inline bool IsDigit(char c) { return c >= '0' && c <= '9'; }
inline bool IsToken(char c) { return Is(c, kToken); }
inline bool IsWs(char c) { return c == ' ' || c == '\t'; }
inline char ToLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLower(a[i]) != ToLower(b[i])) return false;
  }
  return true;
}

inline bool StartsWithIgnoreCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && EqualsIgnoreCase(s.substr(0, prefix.size()), prefix);
}

// Index of the first non-SP/HT at or after pos (text.size() if none).
inline size_t SkipWs(std::string_view text, size_t pos) {
  while (pos < text.size() && IsWs(text[pos])) ++pos;
  return pos;
}

inline std::string_view TrimWs(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && IsWs(s[b])) ++b;
  while (e > b && IsWs(s[e - 1])) --e;
  return s.substr(b, e - b);
}

// True if every character is in `cls` or is a valid %HH escape; empty is false.
bool IsEscapedRun(std::string_view s, uint16_t cls);

// True if `s` is a non-empty run of token characters.
bool IsTokenString(std::string_view s);

// Parses a quoted-string whose opening quote is at text[pos]. On success
// `content` is the text between the quotes (escapes left as written) and pos
// points past the closing quote. Returns false if the string is unterminated.
bool ParseQuotedString(std::string_view text, size_t& pos, std::string_view& content);

// 1*DIGIT as uint32; nullopt if empty, not all digits, or larger than 2^32-1.
std::optional<uint32_t> ParseUint32(std::string_view digits);

// 1*DIGIT port in 0..65535; nullopt otherwise.
std::optional<uint16_t> ParsePort(std::string_view digits);

// Checks a host: "[IPv6]" reference, IPv4 or hostname characters.
bool IsValidHost(std::string_view host);

enum class ParamSyntax {
  kUri,     // ";name[=value]" with paramchar names/values, no whitespace
  kHeader,  // SWS ";" SWS token [SWS "=" SWS (token / host / quoted-string)]
};

// Parses zero or more parameters starting at text[pos] and appends them to
// `out` (nullptr: only validate, allocating nothing). Stops (OK) at the first
// character that does not begin a parameter and leaves pos there (for kHeader,
// before any whitespace that was not followed by ';'). Returns InvalidArgument
// on an empty name or value, or an unterminated quoted value.
Status ParseParams(std::string_view text, size_t& pos, ParamSyntax syntax, ParamList* out);

// Checks a SIP, SIPS or tel URI against the ParseUri() grammar without
// building a Uri, so nothing is allocated (the parser uses it on the
// Request-URI). Sets has_headers if the URI carries "?headers".
Status ValidateUri(std::string_view text, bool& has_headers);

}  // namespace sipreg::sip::grammar
