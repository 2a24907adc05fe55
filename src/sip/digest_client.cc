#include "sip/digest_client.h"

#include <cstdio>

namespace sipreg::sip {

std::optional<Qop> ChooseQop(const DigestChallenge& challenge) {
  if (challenge.qop_options.empty()) return Qop::kNone;
  bool auth = false;
  bool auth_int = false;
  for (const std::string& q : challenge.qop_options) {
    std::optional<Qop> parsed = ParseQop(q);
    if (parsed == Qop::kAuth) auth = true;
    if (parsed == Qop::kAuthInt) auth_int = true;
  }
  if (auth) return Qop::kAuth;
  if (auth_int) return Qop::kAuthInt;
  return std::nullopt;
}

Result<DigestChallenge> SelectChallenge(std::span<const std::string_view> header_values,
                                        const DigestSecret& secret) {
  for (std::string_view v : header_values) {
    Result<DigestChallenge> c = ParseDigestChallenge(v);
    if (!c.ok()) continue;
    std::optional<DigestAlgorithm> alg = DigestAlgorithmOrMd5(c->algorithm);
    if (!alg || !secret.Supports(*alg) || !ChooseQop(*c)) continue;
    return c;
  }
  return Status::NotFound("no usable Digest challenge");
}

Result<DigestCredentials> BuildCredentials(const DigestChallenge& challenge,
                                           std::string_view username, const DigestSecret& secret,
                                           std::string_view method, std::string_view uri,
                                           std::string_view body, Random& random, uint32_t nc) {
  std::optional<DigestAlgorithm> alg = DigestAlgorithmOrMd5(challenge.algorithm);
  if (!alg) {
    return Status::InvalidArgument("unsupported digest algorithm '" + challenge.algorithm + "'");
  }
  std::optional<Qop> qop = ChooseQop(challenge);
  if (!qop) return Status::InvalidArgument("challenge offers no supported qop");
  if (*qop != Qop::kNone && nc == 0) return Status::InvalidArgument("nc starts at 1");

  Result<std::string> ha1 = secret.Ha1For(*alg, username, challenge.realm);
  if (!ha1.ok()) return ha1.status();

  DigestCredentials cr;
  cr.realm = challenge.realm;
  cr.nonce = challenge.nonce;
  cr.uri = std::string(uri);
  cr.opaque = challenge.opaque;
  if (!challenge.algorithm.empty()) cr.algorithm = std::string(DigestAlgorithmName(*alg));
  if (*qop != Qop::kNone || IsSessionAlgorithm(*alg)) cr.cnonce = random.HexToken(32);
  if (*qop != Qop::kNone) {
    cr.qop = std::string(QopName(*qop));
    char buf[9];
    std::snprintf(buf, sizeof buf, "%08x", static_cast<unsigned>(nc));
    cr.nc = buf;
  }
  if (challenge.userhash) {
    Result<std::string> uh = ComputeUserhash(*alg, username, challenge.realm);
    if (!uh.ok()) return uh.status();
    cr.username = std::move(uh).value();
    cr.userhash = true;
  } else {
    cr.username = std::string(username);
  }

  Result<std::string> response =
      ComputeResponse(*alg, *ha1, cr.nonce, cr.nc, cr.cnonce, *qop, method, cr.uri, body);
  if (!response.ok()) return response.status();
  cr.response = std::move(response).value();
  return cr;
}

DigestClient::DigestClient(std::string username, DigestSecret secret, Random& random)
    : username_(std::move(username)), secret_(std::move(secret)), random_(random) {}

Status DigestClient::OnChallenge(std::span<const std::string_view> header_values) {
  Result<DigestChallenge> c = SelectChallenge(header_values, secret_);
  if (!c.ok()) return c.status();
  if (!challenge_ || challenge_->nonce != c->nonce || challenge_->realm != c->realm) nc_ = 0;
  challenge_ = std::move(c).value();
  return Status::Ok();
}

Result<std::string> DigestClient::Authorize(std::string_view method, std::string_view uri,
                                            std::string_view body) {
  if (!challenge_) return Status::InvalidArgument("no challenge adopted yet");
  if (nc_ == UINT32_MAX) return Status::LimitExceeded("nonce count exhausted");
  Result<DigestCredentials> cr =
      BuildCredentials(*challenge_, username_, secret_, method, uri, body, random_, nc_ + 1);
  if (!cr.ok()) return cr.status();
  ++nc_;
  return SerializeDigestCredentials(*cr);
}

void DigestClient::Reset() {
  challenge_.reset();
  nc_ = 0;
}

}  // namespace sipreg::sip
