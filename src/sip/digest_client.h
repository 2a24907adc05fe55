// Client side of SIP digest authentication (RFC 3261 §22.2, RFC 7616 §3.4,
// RFC 8760): choose among the challenges of a 401/407, then answer them with
// Authorization / Proxy-Authorization credentials.
//
// Choices made for the client: the first challenge (servers list the most
// preferred first, RFC 8760 §2.4) whose algorithm is implemented here, whose
// qop we can satisfy and that the secret can answer wins; qop=auth is used
// whenever offered, auth-int only when auth is not, none only when the
// challenge has no qop (RFC 2069 compatibility); the cnonce is 32 fresh hex
// characters; nc is 8 lowercase hex digits; opaque is echoed verbatim; the
// algorithm parameter is echoed only when the challenge named one; with
// userhash=true the username is sent as H(username:realm).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/random.h"
#include "common/status.h"
#include "sip/auth_header.h"
#include "sip/digest.h"

namespace sipreg::sip {

// The qop a client uses for this challenge; nullopt when it offers only qop
// values we do not implement.
std::optional<Qop> ChooseQop(const DigestChallenge& challenge);

// The first usable challenge among header values (WWW-Authenticate or
// Proxy-Authenticate, in message order). Values that are not Digest, do not
// parse, name an unknown algorithm or qop, or that `secret` cannot answer
// (e.g. only an MD5 HA1 is stored and the challenge is SHA-256) are skipped.
// NotFound when none is usable.
Result<DigestChallenge> SelectChallenge(std::span<const std::string_view> header_values,
                                        const DigestSecret& secret);

// Credentials answering `challenge` for one request. `uri` is the digest-uri
// (the Request-URI); `body` matters only for auth-int. `nc` is this nonce's
// use count, starting at 1 (ignored without qop). Draws the cnonce from `random`.
Result<DigestCredentials> BuildCredentials(const DigestChallenge& challenge,
                                           std::string_view username, const DigestSecret& secret,
                                           std::string_view method, std::string_view uri,
                                           std::string_view body, Random& random, uint32_t nc);

// Remembers the adopted challenge and counts nonce uses, so that refreshes can
// reuse the nonce with nc+1 until the server declares it stale. One per
// registration (or per realm); not thread-safe. `random` must outlive it.
class DigestClient {
 public:
  DigestClient(std::string username, DigestSecret secret, Random& random);

  // Adopts the first usable challenge among the header values of a 401/407.
  // The nonce count restarts when the nonce changes. Returns SelectChallenge's
  // error (the previous challenge is then kept).
  Status OnChallenge(std::span<const std::string_view> header_values);

  // The header value for the next request: increments nc and draws a new cnonce.
  // InvalidArgument before any challenge was adopted.
  Result<std::string> Authorize(std::string_view method, std::string_view uri,
                                std::string_view body = {});

  bool has_challenge() const { return challenge_.has_value(); }
  // The adopted challenge; nullptr before OnChallenge succeeded.
  const DigestChallenge* challenge() const { return challenge_ ? &*challenge_ : nullptr; }
  uint32_t nonce_count() const { return nc_; }
  // Forgets the challenge (e.g. after a definitive failure).
  void Reset();

 private:
  std::string username_;
  DigestSecret secret_;
  Random& random_;
  std::optional<DigestChallenge> challenge_;
  uint32_t nc_ = 0;
};

}  // namespace sipreg::sip
