// RegError: every way a REGISTER can end, and the one exhaustive table that
// turns it into a SIP status, the Asterisk log reason and the security-log event
// (after Kamailio's rerrno.h + reply.c). Adding an enumerator without a row in
// Describe() fails to compile (-Werror=switch).
#pragma once

#include <cstdint>
#include <string_view>

namespace sipreg::registrar {

enum class RegError : uint8_t {
  kOk,                 // binding stored (or query answered)
  kChallenge,          // no credentials yet: 401 with a fresh nonce
  kStaleNonce,         // right password, old nonce: 401 stale=true
  kWrongPassword,      // digest response did not match
  kNoMatchingPeer,     // To user is no configured account
  kAuthNameMismatch,   // Authorization username is not the account's
  kAclDenied,          // source address refused by permit/deny
  kNotDynamic,         // the account may not register (host=IP, type=user)
  kTooManyContacts,    // max_contacts reached and remove_existing=no
  kIntervalTooBrief,   // expiry below the minimum: 423 + Min-Expires
  kInvalidStar,        // "Contact: *" not alone or with Expires != 0
  kBadContact,         // unparsable Contact
  kOutOfOrder,         // same Call-ID, CSeq not higher than the binding's
  kMalformed,          // missing/invalid To, Call-ID, CSeq or credentials
  kUnsupportedRequire, // Require: lists an extension we do not support
  kBlocked,            // source address banned after too many failures
  kStoreFailed,        // the binding could not be made durable
};

struct RegErrorInfo {
  int status;                     // SIP status code of the answer
  std::string_view reason;        // reason phrase
  std::string_view log_reason;    // Asterisk NOTICE suffix ("Wrong password"); empty: no NOTICE
  std::string_view security_event;  // res_security_log event name; empty: none
  bool counts_as_auth_failure;    // feeds brute-force protection
};

// With alwaysauthreject=yes, kNoMatchingPeer / kWrongPassword / kAuthNameMismatch
// all answer as a fresh 401 challenge; Describe() gives the answer without it.
RegErrorInfo Describe(RegError e);
std::string_view RegErrorName(RegError e);

}  // namespace sipreg::registrar
