#include "sip/digest_server.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <vector>

#include "sip/digest_client.h"

namespace sipreg::sip {
namespace {

constexpr std::string_view kRealm = "example.org";
constexpr std::string_view kUser = "alice";
constexpr std::string_view kPassword = "s3cret";
constexpr std::string_view kUri = "sip:example.org";

constexpr DigestAlgorithm kAllAlgorithms[] = {
    DigestAlgorithm::kMd5,        DigestAlgorithm::kMd5Sess,    DigestAlgorithm::kSha256,
    DigestAlgorithm::kSha256Sess, DigestAlgorithm::kSha512_256, DigestAlgorithm::kSha512_256Sess,
};

class DigestServerTest : public ::testing::Test {
 protected:
  DigestChallenge Challenge(DigestAlgorithm alg, std::vector<std::string> qop = {"auth"}) {
    DigestChallenge c;
    c.realm = std::string(kRealm);
    c.nonce = nonces_.Issue(kRealm);
    c.algorithm = std::string(DigestAlgorithmName(alg));
    c.qop_options = std::move(qop);
    return c;
  }

  DigestCredentials Answer(const DigestChallenge& c, uint32_t nc = 1,
                           std::string_view method = "REGISTER", std::string_view body = "",
                           std::string_view password = kPassword) {
    Result<DigestCredentials> cr =
        BuildCredentials(c, kUser, DigestSecret::FromPassword(std::string(password)), method, kUri,
                         body, client_random_, nc);
    EXPECT_TRUE(cr.ok()) << cr.status().ToString();
    return cr.ok() ? *cr : DigestCredentials{};
  }

  DigestVerdict Verify(const DigestCredentials& cr, std::string_view method = "REGISTER",
                       std::string_view body = "") {
    options_.method = method;
    options_.body = body;
    return VerifyCredentials(cr, kUser, secret_, options_, nonces_).verdict;
  }

  FakeClock clock_;
  FakeRandom server_random_{11};
  FakeRandom client_random_{22};
  NonceManager nonces_{clock_, server_random_};
  DigestSecret secret_ = DigestSecret::FromPassword(std::string(kPassword));
  DigestVerifyOptions options_{.realm = kRealm};
};

TEST_F(DigestServerTest, RoundTripSucceedsForEveryAlgorithm) {
  for (DigestAlgorithm alg : kAllAlgorithms) {
    for (auto qop : {std::vector<std::string>{"auth"}, std::vector<std::string>{"auth-int"}}) {
      const DigestChallenge c = Challenge(alg, qop);
      // Through the wire format both ways.
      Result<DigestChallenge> parsed_c = ParseDigestChallenge(SerializeDigestChallenge(c));
      ASSERT_TRUE(parsed_c.ok());
      const DigestCredentials cr = Answer(*parsed_c, 1, "REGISTER", "body");
      Result<DigestCredentials> parsed = ParseDigestCredentials(SerializeDigestCredentials(cr));
      ASSERT_TRUE(parsed.ok());
      DigestVerifyResult r = VerifyCredentials(
          *parsed, kUser, secret_,
          DigestVerifyOptions{.realm = kRealm, .method = "REGISTER", .body = "body"}, nonces_);
      EXPECT_EQ(r.verdict, DigestVerdict::kOk) << DigestAlgorithmName(alg) << " " << qop[0];
      EXPECT_EQ(r.algorithm, alg);
    }
  }
}

TEST_F(DigestServerTest, ChallengeValuesDriveAClientToSuccess) {
  DigestChallengeSpec spec;
  spec.realm = std::string(kRealm);
  spec.algorithms = {DigestAlgorithm::kSha512_256, DigestAlgorithm::kSha256, DigestAlgorithm::kMd5};
  spec.opaque = "xyz";
  const std::vector<std::string> values = BuildChallengeValues(spec, nonces_, false);
  ASSERT_EQ(values.size(), 3u);
  std::vector<std::string_view> views(values.begin(), values.end());
  std::string nonce;
  for (size_t i = 0; i < values.size(); ++i) {
    Result<DigestChallenge> c = ParseDigestChallenge(values[i]);
    ASSERT_TRUE(c.ok()) << values[i];
    EXPECT_EQ(c->algorithm, DigestAlgorithmName(spec.algorithms[i]));
    EXPECT_EQ(c->qop_options, std::vector<std::string>{"auth"});
    EXPECT_FALSE(c->stale);
    if (i == 0) nonce = c->nonce;
    EXPECT_EQ(c->nonce, nonce);
  }

  DigestClient client(std::string(kUser), DigestSecret::FromPassword(std::string(kPassword)),
                      client_random_);
  ASSERT_TRUE(client.OnChallenge(views).ok());
  for (int i = 0; i < 3; ++i) {
    Result<std::string> auth = client.Authorize("REGISTER", kUri);
    ASSERT_TRUE(auth.ok());
    Result<DigestCredentials> cr = ParseDigestCredentials(*auth);
    ASSERT_TRUE(cr.ok());
    EXPECT_EQ(cr->algorithm, "SHA-512-256");
    EXPECT_EQ(cr->opaque, "xyz");
    EXPECT_EQ(Verify(*cr), DigestVerdict::kOk) << i;
  }
}

TEST_F(DigestServerTest, StaleChallengeCarriesStaleTrue) {
  DigestChallengeSpec spec;
  spec.realm = std::string(kRealm);
  spec.offer_auth_int = true;
  const std::vector<std::string> values = BuildChallengeValues(spec, nonces_, true);
  ASSERT_EQ(values.size(), 2u);
  Result<DigestChallenge> c = ParseDigestChallenge(values[0]);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->stale);
  EXPECT_EQ(c->qop_options, (std::vector<std::string>{"auth", "auth-int"}));
  EXPECT_EQ(c->algorithm, "SHA-256");
  EXPECT_EQ(nonces_.Validate(c->nonce, kRealm), NonceManager::Validity::kValid);
}

TEST_F(DigestServerTest, WrongPasswordIsWrongResponse) {
  const DigestChallenge c = Challenge(DigestAlgorithm::kSha256);
  EXPECT_EQ(Verify(Answer(c, 1, "REGISTER", "", "guess")), DigestVerdict::kWrongResponse);
}

TEST_F(DigestServerTest, ResponseIsComparedCaseInsensitively) {
  DigestCredentials cr = Answer(Challenge(DigestAlgorithm::kMd5));
  for (char& ch : cr.response) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  EXPECT_EQ(Verify(cr), DigestVerdict::kOk);
}

TEST_F(DigestServerTest, TamperedResponseOrMethodFails) {
  const DigestChallenge c = Challenge(DigestAlgorithm::kMd5);
  DigestCredentials cr = Answer(c);
  DigestCredentials truncated = cr;
  truncated.response.pop_back();
  EXPECT_EQ(Verify(truncated), DigestVerdict::kWrongResponse);
  DigestCredentials flipped = cr;
  flipped.response[0] = flipped.response[0] == '0' ? '1' : '0';
  EXPECT_EQ(Verify(flipped), DigestVerdict::kWrongResponse);
  DigestCredentials last_flipped = cr;
  last_flipped.response.back() = last_flipped.response.back() == '0' ? '1' : '0';
  EXPECT_EQ(Verify(last_flipped), DigestVerdict::kWrongResponse);
  EXPECT_EQ(Verify(cr, "INVITE"), DigestVerdict::kWrongResponse);
  EXPECT_EQ(Verify(cr, "REGISTER"), DigestVerdict::kOk);
}

TEST_F(DigestServerTest, AuthIntDetectsBodyChange) {
  const DigestChallenge c = Challenge(DigestAlgorithm::kSha256, {"auth-int"});
  const DigestCredentials cr = Answer(c, 1, "MESSAGE", "hello");
  EXPECT_EQ(Verify(cr, "MESSAGE", "hellO"), DigestVerdict::kWrongResponse);
  EXPECT_EQ(Verify(cr, "MESSAGE", "hello"), DigestVerdict::kOk);
}

TEST_F(DigestServerTest, StaleNonceWithRightPasswordIsStale) {
  const DigestChallenge c = Challenge(DigestAlgorithm::kSha256);
  const DigestCredentials good = Answer(c);
  const DigestCredentials bad = Answer(c, 1, "REGISTER", "", "guess");
  clock_.Advance(nonces_.lifetime() + Millis(1));
  EXPECT_EQ(Verify(good), DigestVerdict::kStaleNonce);
  // A wrong password never earns stale=true.
  EXPECT_EQ(Verify(bad), DigestVerdict::kWrongResponse);
}

TEST_F(DigestServerTest, ForeignOrTamperedNonceIsBadNonce) {
  DigestChallenge c = Challenge(DigestAlgorithm::kMd5);
  c.nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";  // not ours
  EXPECT_EQ(Verify(Answer(c)), DigestVerdict::kBadNonce);
  DigestChallenge t = Challenge(DigestAlgorithm::kMd5);
  t.nonce[3] = t.nonce[3] == 'a' ? 'b' : 'a';
  EXPECT_EQ(Verify(Answer(t)), DigestVerdict::kBadNonce);
}

TEST_F(DigestServerTest, SameNcTwiceIsReplay) {
  const DigestChallenge c = Challenge(DigestAlgorithm::kSha256);
  const DigestCredentials cr = Answer(c, 1);
  EXPECT_EQ(Verify(cr), DigestVerdict::kOk);
  EXPECT_EQ(Verify(cr), DigestVerdict::kReplay);
  EXPECT_EQ(Verify(Answer(c, 2)), DigestVerdict::kOk);
  EXPECT_EQ(Verify(Answer(c, 2)), DigestVerdict::kReplay);
  EXPECT_EQ(Verify(Answer(c, 1)), DigestVerdict::kReplay);
  EXPECT_EQ(Verify(Answer(c, 7)), DigestVerdict::kOk);
}

TEST_F(DigestServerTest, FailedAttemptDoesNotBurnNc) {
  const DigestChallenge c = Challenge(DigestAlgorithm::kSha256);
  EXPECT_EQ(Verify(Answer(c, 5, "REGISTER", "", "guess")), DigestVerdict::kWrongResponse);
  EXPECT_EQ(Verify(Answer(c, 1)), DigestVerdict::kOk);
}

TEST_F(DigestServerTest, RealmMismatch) {
  DigestChallenge c = Challenge(DigestAlgorithm::kMd5);
  c.realm = "other.org";
  EXPECT_EQ(Verify(Answer(c)), DigestVerdict::kRealmMismatch);
}

TEST_F(DigestServerTest, DisallowedAlgorithm) {
  options_.allowed_algorithms = {DigestAlgorithm::kSha256};
  EXPECT_EQ(Verify(Answer(Challenge(DigestAlgorithm::kMd5))), DigestVerdict::kAlgorithmNotAllowed);
  EXPECT_EQ(Verify(Answer(Challenge(DigestAlgorithm::kSha256))), DigestVerdict::kOk);
  DigestCredentials unknown = Answer(Challenge(DigestAlgorithm::kSha256));
  unknown.algorithm = "SHA-1";
  EXPECT_EQ(Verify(unknown), DigestVerdict::kAlgorithmNotAllowed);
}

TEST_F(DigestServerTest, StoredMd5Ha1ServesMd5ButNotSha256) {
  Result<std::string> ha1 = ComputeHa1(DigestAlgorithm::kMd5, kUser, kRealm, kPassword);
  ASSERT_TRUE(ha1.ok());
  secret_ = DigestSecret::FromHa1(DigestAlgorithm::kMd5, *ha1);
  EXPECT_EQ(Verify(Answer(Challenge(DigestAlgorithm::kMd5))), DigestVerdict::kOk);
  EXPECT_EQ(Verify(Answer(Challenge(DigestAlgorithm::kMd5Sess))), DigestVerdict::kOk);
  EXPECT_EQ(Verify(Answer(Challenge(DigestAlgorithm::kSha256))),
            DigestVerdict::kAlgorithmNotAllowed);
}

TEST_F(DigestServerTest, MalformedQopShapes) {
  const DigestCredentials good = Answer(Challenge(DigestAlgorithm::kMd5));
  DigestCredentials no_nc = good;
  no_nc.nc.clear();
  EXPECT_EQ(Verify(no_nc), DigestVerdict::kMalformed);
  DigestCredentials no_cnonce = good;
  no_cnonce.cnonce.clear();
  EXPECT_EQ(Verify(no_cnonce), DigestVerdict::kMalformed);
  DigestCredentials odd_qop = good;
  odd_qop.qop = "auth-conf";
  EXPECT_EQ(Verify(odd_qop), DigestVerdict::kMalformed);
  // qop is required by default.
  EXPECT_EQ(Verify(Answer(Challenge(DigestAlgorithm::kMd5, {}))), DigestVerdict::kMalformed);
}

TEST_F(DigestServerTest, NoQopAllowedWhenConfiguredAndReuseIsReported) {
  options_.require_qop = false;
  options_.method = "REGISTER";
  const DigestCredentials cr = Answer(Challenge(DigestAlgorithm::kMd5, {}));
  DigestVerifyResult first = VerifyCredentials(cr, kUser, secret_, options_, nonces_);
  EXPECT_EQ(first.verdict, DigestVerdict::kOk);
  EXPECT_FALSE(first.nonce_reused);
  DigestVerifyResult second = VerifyCredentials(cr, kUser, secret_, options_, nonces_);
  EXPECT_EQ(second.verdict, DigestVerdict::kOk);
  EXPECT_TRUE(second.nonce_reused);
}

TEST_F(DigestServerTest, UsernameMustMatchAccount) {
  const DigestCredentials cr = Answer(Challenge(DigestAlgorithm::kMd5));
  options_.method = "REGISTER";
  EXPECT_EQ(VerifyCredentials(cr, "bob", secret_, options_, nonces_).verdict,
            DigestVerdict::kWrongResponse);
}

TEST_F(DigestServerTest, UserhashRoundTrip) {
  DigestChallenge c = Challenge(DigestAlgorithm::kSha256);
  c.userhash = true;
  const DigestCredentials cr = Answer(c);
  EXPECT_TRUE(cr.userhash);
  EXPECT_NE(cr.username, kUser);
  EXPECT_EQ(Verify(cr), DigestVerdict::kOk);
}

TEST_F(DigestServerTest, UriCheckedOnlyWhenAsked) {
  const DigestCredentials cr = Answer(Challenge(DigestAlgorithm::kMd5));
  options_.request_uri = "sip:other.org";
  EXPECT_EQ(Verify(cr), DigestVerdict::kUriMismatch);
  options_.request_uri = kUri;
  EXPECT_EQ(Verify(cr), DigestVerdict::kOk);
}

TEST_F(DigestServerTest, EvictedNonceIsStaleNotReplayable) {
  NonceManager small(clock_, server_random_,
                     NonceOptions{.lifetime = Millis(30'000), .nc_table_capacity = 1});
  auto challenge_from = [&](NonceManager& m) {
    DigestChallenge c;
    c.realm = std::string(kRealm);
    c.nonce = m.Issue(kRealm);
    c.qop_options = {"auth"};
    return c;
  };
  options_.method = "REGISTER";
  const DigestCredentials first = Answer(challenge_from(small));
  EXPECT_EQ(VerifyCredentials(first, kUser, secret_, options_, small).verdict, DigestVerdict::kOk);
  clock_.Advance(Millis(5));
  const DigestCredentials second = Answer(challenge_from(small));
  EXPECT_EQ(VerifyCredentials(second, kUser, secret_, options_, small).verdict, DigestVerdict::kOk);
  EXPECT_EQ(VerifyCredentials(first, kUser, secret_, options_, small).verdict,
            DigestVerdict::kStaleNonce);
}

TEST_F(DigestServerTest, VerdictNamesAreDistinct) {
  EXPECT_EQ(DigestVerdictName(DigestVerdict::kOk), "ok");
  EXPECT_EQ(DigestVerdictName(DigestVerdict::kStaleNonce), "stale-nonce");
  EXPECT_EQ(DigestVerdictName(DigestVerdict::kReplay), "replay");
  EXPECT_EQ(DigestVerdictName(DigestVerdict::kUriMismatch), "uri-mismatch");
}

}  // namespace
}  // namespace sipreg::sip
