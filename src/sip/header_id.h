// HeaderId: the headers sipreg looks at by name, with their compact forms
// (RFC 3261 §7.3.3, RFC 3515, RFC 3841, RFC 4028). Lookup is case-insensitive.
#pragma once

#include <cstdint>
#include <string_view>

namespace sipreg::sip {

enum class HeaderId : uint8_t {
  kOther = 0,
  kAccept,
  kAcceptContact,     // a
  kAllow,
  kAllowEvents,       // u
  kAuthorization,
  kCallId,            // i
  kContact,           // m
  kContentEncoding,   // e
  kContentLength,     // l
  kContentType,       // c
  kCSeq,
  kDate,
  kEvent,             // o
  kExpires,
  kFrom,              // f
  kMaxForwards,
  kMinExpires,
  kPath,
  kProxyAuthenticate,
  kProxyAuthorization,
  kProxyRequire,
  kRecordRoute,
  kReferTo,           // r
  kReferredBy,        // b
  kRejectContact,     // j
  kRequestDisposition,  // d
  kRequire,
  kRoute,
  kServer,
  kSessionExpires,    // x
  kSubject,           // s
  kSupported,         // k
  kTo,                // t
  kUnsupported,
  kUserAgent,
  kVia,               // v
  kWarning,
  kWwwAuthenticate,
  kIdentity,          // y
  kCount,
};

// Maps a header name (full or compact form, any case) to its id; kOther if unknown.
HeaderId LookupHeaderId(std::string_view name);

// The canonical full name, e.g. "Call-ID", "WWW-Authenticate". Empty for kOther.
std::string_view CanonicalHeaderName(HeaderId id);

// True for headers whose value may be a comma-separated list of entries
// (RFC 3261 §7.3.1) and which sipreg splits: Via, Contact, Route, Record-Route,
// Allow, Supported, Require, Proxy-Require, Unsupported, Path, Accept, Allow-Events.
bool IsListHeader(HeaderId id);

}  // namespace sipreg::sip
