// Digest authentication header values (RFC 3261 §22, RFC 7616 §3.3-3.5, RFC 8760):
// the challenge carried by WWW-Authenticate / Proxy-Authenticate and the
// credentials carried by Authorization / Proxy-Authorization.
//
// Parsing works on one header VALUE ("Digest realm=\"x\", nonce=\"y\"", no header
// name) and is pure. Results own their strings: quoted-string values are
// unescaped ("\\\"" -> "\""), so views into the input would not do. One header
// value holds one challenge or one set of credentials. The token68 form
// ("Basic dXNlcjpwYXNz") is not an auth-param list and is rejected.
//
// Tolerated on input: any case for the scheme and parameter names, LWS around
// '=' and ',', empty list elements (",,"), quoted or unquoted values for every
// parameter (some UAs quote qop or algorithm), unknown parameters (kept in
// `extra`, in order). Rejected with InvalidArgument: a missing or non-Digest
// scheme, a parameter given twice, a missing '=', an unterminated quoted string,
// control characters, trailing garbage, a missing mandatory parameter, a
// malformed nc, and more than kMaxAuthParams parameters.
//
// Serialisers emit the canonical form: realm, domain, nonce, uri, response,
// cnonce, opaque, username and the challenge's qop list quoted; algorithm, stale,
// userhash, charset, and the credentials' qop and nc unquoted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace sipreg::sip {

inline constexpr size_t kMaxAuthParams = 64;

// One auth-param. `value` is unescaped; `quoted` records how it was written
// (and how the serialisers write it back for unknown parameters).
struct AuthParam {
  std::string name;
  std::string value;
  bool quoted = false;
  bool operator==(const AuthParam&) const = default;
};

// A scheme followed by a comma-separated list of auth-params.
struct AuthHeader {
  std::string scheme;  // as written, e.g. "Digest"
  std::vector<AuthParam> params;
};

// Generic parse of "scheme name=value, name=\"value\", ...". Any scheme is
// accepted; duplicates (case-insensitive names) are rejected.
Result<AuthHeader> ParseAuthHeader(std::string_view value);

// WWW-Authenticate / Proxy-Authenticate: Digest challenge.
struct DigestChallenge {
  std::string realm;                     // mandatory
  std::optional<std::string> domain;     // space-separated URI list, as sent
  std::string nonce;                     // mandatory
  std::optional<std::string> opaque;     // echoed verbatim by the client when present
  bool stale = false;                    // "true" (any case) -> true; anything else -> false
  std::string algorithm;                 // as written; empty when absent (which means MD5)
  std::vector<std::string> qop_options;  // the qop list split at commas, e.g. {"auth", "auth-int"}
  bool userhash = false;                 // RFC 7616 §3.4.4
  std::optional<std::string> charset;    // "UTF-8" (RFC 7616 §4)
  std::vector<AuthParam> extra;          // unknown parameters

  bool operator==(const DigestChallenge&) const = default;
};

// Authorization / Proxy-Authorization: Digest credentials.
struct DigestCredentials {
  std::string username;   // mandatory; H(username:realm) when userhash is true
  std::string realm;      // mandatory
  std::string nonce;      // mandatory
  std::string uri;        // mandatory (digest-uri)
  std::string response;   // mandatory (request-digest, hex)
  std::string algorithm;  // as written; empty when absent (which means MD5)
  std::string cnonce;     // empty when absent
  std::optional<std::string> opaque;
  std::string qop;  // "auth" / "auth-int" as written; empty when absent
  std::string nc;   // nonce-count as written (1..8 hex digits); empty when absent
  bool userhash = false;
  std::vector<AuthParam> extra;  // unknown parameters, e.g. username*

  // The nonce-count as a number; nullopt when absent. The parser guarantees
  // that a present nc is 1..8 hex digits.
  std::optional<uint32_t> nc_value() const;

  bool operator==(const DigestCredentials&) const = default;
};

Result<DigestChallenge> ParseDigestChallenge(std::string_view value);
Result<DigestCredentials> ParseDigestCredentials(std::string_view value);

// Canonical header values, starting with "Digest ". Round trip:
// ParseDigestChallenge(SerializeDigestChallenge(c)) == c for any c whose
// mandatory fields are set.
std::string SerializeDigestChallenge(const DigestChallenge& c);
std::string SerializeDigestCredentials(const DigestCredentials& c);

// `text` as a quoted-string: surrounding quotes, '"' and '\' escaped.
std::string QuoteAuthValue(std::string_view text);

}  // namespace sipreg::sip
