#include "sip/digest_server.h"

#include <openssl/crypto.h>

namespace sipreg::sip {
namespace {

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

DigestVerifyResult Verdict(DigestVerdict v, DigestAlgorithm alg = DigestAlgorithm::kMd5) {
  DigestVerifyResult r;
  r.verdict = v;
  r.algorithm = alg;
  return r;
}

// Constant time in the content of the strings (their lengths are public).
bool ResponseMatches(std::string_view expected_lower_hex, std::string_view received) {
  if (expected_lower_hex.size() != received.size()) return false;
  std::string lowered(received);
  for (char& c : lowered) c = AsciiLower(c);
  return CRYPTO_memcmp(expected_lower_hex.data(), lowered.data(), lowered.size()) == 0;
}

}  // namespace

std::string_view DigestVerdictName(DigestVerdict v) {
  switch (v) {
    case DigestVerdict::kOk:
      return "ok";
    case DigestVerdict::kStaleNonce:
      return "stale-nonce";
    case DigestVerdict::kBadNonce:
      return "bad-nonce";
    case DigestVerdict::kWrongResponse:
      return "wrong-response";
    case DigestVerdict::kReplay:
      return "replay";
    case DigestVerdict::kRealmMismatch:
      return "realm-mismatch";
    case DigestVerdict::kAlgorithmNotAllowed:
      return "algorithm-not-allowed";
    case DigestVerdict::kMalformed:
      return "malformed";
    case DigestVerdict::kUriMismatch:
      return "uri-mismatch";
  }
  return "malformed";
}

DigestVerifyResult VerifyCredentials(const DigestCredentials& credentials,
                                     std::string_view username, const DigestSecret& secret,
                                     const DigestVerifyOptions& options, NonceManager& nonces) {
  const DigestCredentials& c = credentials;
  std::optional<Qop> qop = ParseQop(c.qop);
  if (!qop) return Verdict(DigestVerdict::kMalformed);
  std::optional<uint32_t> nc = c.nc_value();
  if (*qop != Qop::kNone && (!nc || c.cnonce.empty())) return Verdict(DigestVerdict::kMalformed);
  if (*qop == Qop::kNone && options.require_qop) return Verdict(DigestVerdict::kMalformed);

  std::optional<DigestAlgorithm> alg = DigestAlgorithmOrMd5(c.algorithm);
  if (!alg || !options.allowed_algorithms.Contains(*alg) || !secret.Supports(*alg)) {
    return Verdict(DigestVerdict::kAlgorithmNotAllowed);
  }
  if (IsSessionAlgorithm(*alg) && c.cnonce.empty()) return Verdict(DigestVerdict::kMalformed, *alg);
  if (c.realm != options.realm) return Verdict(DigestVerdict::kRealmMismatch, *alg);
  if (!options.request_uri.empty() && c.uri != options.request_uri) {
    return Verdict(DigestVerdict::kUriMismatch, *alg);
  }

  if (c.userhash) {
    Result<std::string> uh = ComputeUserhash(*alg, username, c.realm);
    if (!uh.ok()) return Verdict(DigestVerdict::kAlgorithmNotAllowed, *alg);
    if (!ResponseMatches(*uh, c.username)) return Verdict(DigestVerdict::kWrongResponse, *alg);
  } else if (c.username != username) {
    return Verdict(DigestVerdict::kWrongResponse, *alg);
  }

  const NonceManager::Validity validity = nonces.Validate(c.nonce, c.realm);
  if (validity == NonceManager::Validity::kInvalid) return Verdict(DigestVerdict::kBadNonce, *alg);

  // A stored HA1 that is not hex of the right length, or a hash OpenSSL cannot
  // provide, means this secret cannot serve the algorithm.
  Result<std::string> ha1 = secret.Ha1For(*alg, username, c.realm);
  if (!ha1.ok()) return Verdict(DigestVerdict::kAlgorithmNotAllowed, *alg);
  Result<std::string> expected = ComputeResponse(*alg, *ha1, c.nonce, c.nc, c.cnonce, *qop,
                                                 options.method, c.uri, options.body);
  if (!expected.ok()) return Verdict(DigestVerdict::kAlgorithmNotAllowed, *alg);
  if (!ResponseMatches(*expected, c.response)) return Verdict(DigestVerdict::kWrongResponse, *alg);

  if (validity == NonceManager::Validity::kStale) return Verdict(DigestVerdict::kStaleNonce, *alg);

  const NonceManager::Use use = *qop != Qop::kNone ? nonces.CheckAndRecordNc(c.nonce, *nc)
                                                   : nonces.RecordUseWithoutNc(c.nonce);
  DigestVerifyResult r = Verdict(DigestVerdict::kOk, *alg);
  switch (use) {
    case NonceManager::Use::kAccepted:
      break;
    case NonceManager::Use::kReused:
      r.nonce_reused = true;
      break;
    case NonceManager::Use::kReplay:
      r.verdict = DigestVerdict::kReplay;
      break;
    case NonceManager::Use::kForgotten:
      r.verdict = DigestVerdict::kStaleNonce;
      break;
    case NonceManager::Use::kInvalid:
      r.verdict = DigestVerdict::kBadNonce;
      break;
  }
  return r;
}

std::vector<std::string> BuildChallengeValues(const DigestChallengeSpec& spec, NonceManager& nonces,
                                              bool stale) {
  DigestChallenge c;
  c.realm = spec.realm;
  c.domain = spec.domain;
  c.nonce = nonces.Issue(spec.realm);
  c.opaque = spec.opaque;
  c.stale = stale;
  if (spec.offer_auth) c.qop_options.emplace_back(QopName(Qop::kAuth));
  if (spec.offer_auth_int) c.qop_options.emplace_back(QopName(Qop::kAuthInt));
  c.userhash = spec.userhash;
  std::vector<std::string> out;
  out.reserve(spec.algorithms.size());
  for (DigestAlgorithm alg : spec.algorithms) {
    c.algorithm = std::string(DigestAlgorithmName(alg));
    out.push_back(SerializeDigestChallenge(c));
  }
  return out;
}

}  // namespace sipreg::sip
