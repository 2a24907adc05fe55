// Server side of SIP digest authentication (RFC 3261 §22.1-22.4, RFC 7616 §3.4-3.5,
// RFC 8760): build the challenge header values of a 401/407 and verify the
// credentials of the retried request. Nonces come from a NonceManager.
// All functions are thread-safe as far as NonceManager is (it is).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sip/auth_header.h"
#include "sip/digest.h"
#include "sip/nonce.h"

namespace sipreg::sip {

enum class DigestVerdict : uint8_t {
  kOk,
  kStaleNonce,           // right password, expired (or forgotten) nonce: 401 with stale=true
  kBadNonce,             // nonce not issued by us, tampered, or for another realm
  kWrongResponse,        // wrong password, or username does not match the account
  kReplay,               // nc not above the highest already accepted for this nonce
  kRealmMismatch,        // credentials for another realm
  kAlgorithmNotAllowed,  // unknown/disallowed algorithm, or the secret cannot serve it
  kMalformed,            // unknown qop, qop without nc/cnonce, or no qop when it is required
  kUriMismatch,          // digest-uri differs from the Request-URI (only when asked to check)
};

// "ok", "stale-nonce", "bad-nonce", "wrong-response", "replay", "realm-mismatch",
// "algorithm-not-allowed", "malformed", "uri-mismatch".
std::string_view DigestVerdictName(DigestVerdict v);

struct DigestVerifyOptions {
  std::string_view realm = {};   // the realm we challenge with
  std::string_view method = {};  // of the request being authorised (CSeq method)
  std::string_view body = {};    // the request body, for qop=auth-int
  // When non-empty, the credentials' uri must equal it byte for byte.
  std::string_view request_uri = {};
  DigestAlgorithmSet allowed_algorithms = DigestAlgorithmSet::All();
  // Reject credentials without qop (RFC 2069 style). We always offer qop, and
  // RFC 2617 §3.2.2 requires a client to use it when offered.
  bool require_qop = true;
};

struct DigestVerifyResult {
  DigestVerdict verdict = DigestVerdict::kMalformed;
  // The algorithm the client used; meaningful unless verdict is kMalformed
  // or kAlgorithmNotAllowed.
  DigestAlgorithm algorithm = DigestAlgorithm::kMd5;
  // kOk without qop, and this nonce had already been used (no nc to tell a
  // replay from a legitimate reuse). Callers may refuse it.
  bool nonce_reused = false;
};

// Verifies `credentials` for the account `username` (the plain username; with
// userhash=true the credentials must carry H(username:realm)). Checks, in
// order: qop/nc/cnonce shape, algorithm, realm, uri, username, nonce MAC,
// response (constant-time), nonce age, then records nc (replay detection).
// A stale nonce is reported only when the response is right for it
// (RFC 2617 §3.2.1), so a wrong password never earns stale=true.
DigestVerifyResult VerifyCredentials(const DigestCredentials& credentials,
                                     std::string_view username, const DigestSecret& secret,
                                     const DigestVerifyOptions& options, NonceManager& nonces);

// What a server puts in its challenges.
struct DigestChallengeSpec {
  std::string realm;
  // Most preferred first; one challenge header value per entry (RFC 8760 §2.4).
  std::vector<DigestAlgorithm> algorithms = {DigestAlgorithm::kSha256, DigestAlgorithm::kMd5};
  bool offer_auth = true;
  bool offer_auth_int = false;
  std::optional<std::string> opaque;
  std::optional<std::string> domain;
  bool userhash = false;
};

// The WWW-Authenticate / Proxy-Authenticate values for a 401/407, in spec
// order, all carrying one fresh nonce from `nonces`, each with an explicit
// algorithm parameter; stale=true when `stale`.
std::vector<std::string> BuildChallengeValues(const DigestChallengeSpec& spec, NonceManager& nonces,
                                              bool stale);

}  // namespace sipreg::sip
