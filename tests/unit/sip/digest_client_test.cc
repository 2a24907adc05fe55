#include "sip/digest_client.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sipreg::sip {
namespace {

// RFC 7616 §3.9.1: SHA-256 first, then MD5.
constexpr std::string_view kSha256Challenge =
    "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, "
    "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
    "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
constexpr std::string_view kMd5Challenge =
    "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=MD5, "
    "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
    "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";

DigestChallenge MakeChallenge(std::vector<std::string> qop, std::string algorithm = "MD5") {
  DigestChallenge c;
  c.realm = "example.org";
  c.nonce = "abcdef";
  c.algorithm = std::move(algorithm);
  c.qop_options = std::move(qop);
  return c;
}

bool IsLowerHex(std::string_view s) {
  for (char ch : s) {
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
  }
  return true;
}

TEST(DigestClientTest, PicksSha256OverMd5WhenBothOffered) {
  const std::vector<std::string_view> values = {kSha256Challenge, kMd5Challenge};
  Result<DigestChallenge> c = SelectChallenge(values, DigestSecret::FromPassword("pw"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->algorithm, "SHA-256");
}

TEST(DigestClientTest, PicksMd5WhenOnlyMd5Offered) {
  const std::vector<std::string_view> values = {kMd5Challenge};
  Result<DigestChallenge> c = SelectChallenge(values, DigestSecret::FromPassword("pw"));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->algorithm, "MD5");
}

TEST(DigestClientTest, HonoursServerOrder) {
  const std::vector<std::string_view> values = {kMd5Challenge, kSha256Challenge};
  Result<DigestChallenge> c = SelectChallenge(values, DigestSecret::FromPassword("pw"));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->algorithm, "MD5");
}

TEST(DigestClientTest, SkipsUnsupportedAndMalformedChallenges) {
  const std::vector<std::string_view> values = {
      "Basic realm=\"x\"",
      "Digest realm=\"r\", nonce=\"n\", algorithm=AKAv1-MD5",
      "Digest realm=\"r\", nonce=\"n\", qop=\"auth-conf\"",
      "Digest garbage",
      "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-512-256-sess, qop=\"auth\"",
  };
  Result<DigestChallenge> c = SelectChallenge(values, DigestSecret::FromPassword("pw"));
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->algorithm, "SHA-512-256-sess");
}

TEST(DigestClientTest, SkipsAlgorithmsTheStoredHa1CannotServe) {
  const std::vector<std::string_view> values = {kSha256Challenge, kMd5Challenge};
  const DigestSecret md5_only =
      DigestSecret::FromHa1(DigestAlgorithm::kMd5, "939e7578ed9e3c518a452acee763bce9");
  Result<DigestChallenge> c = SelectChallenge(values, md5_only);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->algorithm, "MD5");
}

TEST(DigestClientTest, NoUsableChallengeIsNotFound) {
  const std::vector<std::string_view> values = {"Basic realm=\"x\""};
  Result<DigestChallenge> c = SelectChallenge(values, DigestSecret::FromPassword("pw"));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kNotFound);
  EXPECT_FALSE(SelectChallenge({}, DigestSecret::FromPassword("pw")).ok());
}

TEST(DigestClientTest, ChoosesAuthWhenOffered) {
  EXPECT_EQ(ChooseQop(MakeChallenge({"auth-int", "auth"})), Qop::kAuth);
  EXPECT_EQ(ChooseQop(MakeChallenge({"auth-int"})), Qop::kAuthInt);
  EXPECT_EQ(ChooseQop(MakeChallenge({})), Qop::kNone);
  EXPECT_EQ(ChooseQop(MakeChallenge({"auth-conf"})), std::nullopt);
}

TEST(DigestClientTest, BuildsCredentialsThatMatchTheComputation) {
  FakeRandom random(1);
  DigestChallenge ch = MakeChallenge({"auth", "auth-int"}, "SHA-256");
  ch.opaque = "op\"aque";
  Result<DigestCredentials> cr = BuildCredentials(ch, "alice", DigestSecret::FromPassword("secret"),
                                                  "REGISTER", "sip:example.org", "", random, 26);
  ASSERT_TRUE(cr.ok()) << cr.status().ToString();
  EXPECT_EQ(cr->username, "alice");
  EXPECT_EQ(cr->realm, "example.org");
  EXPECT_EQ(cr->nonce, "abcdef");
  EXPECT_EQ(cr->uri, "sip:example.org");
  EXPECT_EQ(cr->algorithm, "SHA-256");
  EXPECT_EQ(cr->qop, "auth");
  EXPECT_EQ(cr->nc, "0000001a");
  EXPECT_EQ(cr->opaque, "op\"aque");
  EXPECT_EQ(cr->cnonce.size(), 32u);
  EXPECT_TRUE(IsLowerHex(cr->cnonce));

  Result<std::string> ha1 = ComputeHa1(DigestAlgorithm::kSha256, "alice", "example.org", "secret");
  ASSERT_TRUE(ha1.ok());
  Result<std::string> expected =
      ComputeResponse(DigestAlgorithm::kSha256, *ha1, "abcdef", "0000001a", cr->cnonce, Qop::kAuth,
                      "REGISTER", "sip:example.org", "");
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(cr->response, *expected);
}

TEST(DigestClientTest, CnonceIsFreshEachTime) {
  FakeRandom random(1);
  DigestChallenge ch = MakeChallenge({"auth"});
  auto a = BuildCredentials(ch, "u", DigestSecret::FromPassword("p"), "REGISTER", "sip:x", "",
                            random, 1);
  auto b = BuildCredentials(ch, "u", DigestSecret::FromPassword("p"), "REGISTER", "sip:x", "",
                            random, 1);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->cnonce, b->cnonce);
}

TEST(DigestClientTest, UsesAuthIntOnlyWhenAuthIsNotOffered) {
  FakeRandom random(1);
  auto cr = BuildCredentials(MakeChallenge({"auth-int"}), "u", DigestSecret::FromPassword("p"),
                             "MESSAGE", "sip:x", "hello", random, 1);
  ASSERT_TRUE(cr.ok());
  EXPECT_EQ(cr->qop, "auth-int");
}

TEST(DigestClientTest, WithoutQopSendsNoNcOrCnonce) {
  FakeRandom random(1);
  DigestChallenge ch = MakeChallenge({}, "");
  auto cr = BuildCredentials(ch, "Mufasa", DigestSecret::FromPassword("Circle Of Life"), "GET",
                             "/dir/index.html", "", random, 1);
  ASSERT_TRUE(cr.ok());
  EXPECT_TRUE(cr->qop.empty());
  EXPECT_TRUE(cr->nc.empty());
  EXPECT_TRUE(cr->cnonce.empty());
  EXPECT_TRUE(cr->algorithm.empty());  // the challenge named none
  EXPECT_FALSE(cr->opaque.has_value());
}

TEST(DigestClientTest, RejectsUnsupportedChallengeAndZeroNc) {
  FakeRandom random(1);
  const DigestSecret pw = DigestSecret::FromPassword("p");
  EXPECT_FALSE(BuildCredentials(MakeChallenge({"auth"}, "SHA-1"), "u", pw, "REGISTER", "sip:x", "",
                                random, 1)
                   .ok());
  EXPECT_FALSE(
      BuildCredentials(MakeChallenge({"auth-conf"}), "u", pw, "REGISTER", "sip:x", "", random, 1)
          .ok());
  EXPECT_FALSE(
      BuildCredentials(MakeChallenge({"auth"}), "u", pw, "REGISTER", "sip:x", "", random, 0).ok());
}

TEST(DigestClientTest, HashesUsernameWhenUserhashRequested) {
  FakeRandom random(1);
  DigestChallenge ch = MakeChallenge({"auth"}, "SHA-256");
  ch.realm = "http-auth@example.org";
  ch.userhash = true;
  auto cr = BuildCredentials(ch, "Mufasa", DigestSecret::FromPassword("p"), "REGISTER", "sip:x", "",
                             random, 1);
  ASSERT_TRUE(cr.ok());
  EXPECT_TRUE(cr->userhash);
  EXPECT_EQ(cr->username, "a947aad205e80e429958a387394944c6b496301e79f89d35a4cc23b6ee12b5b6");
}

TEST(DigestClientTest, ClientCountsNonceUsesAndRestartsOnNewNonce) {
  FakeRandom random(3);
  DigestClient client("alice", DigestSecret::FromPassword("pw"), random);
  EXPECT_FALSE(client.Authorize("REGISTER", "sip:example.org").ok());
  EXPECT_EQ(client.challenge(), nullptr);

  const std::vector<std::string_view> first = {kMd5Challenge};
  ASSERT_TRUE(client.OnChallenge(first).ok());
  for (int i = 1; i <= 3; ++i) {
    Result<std::string> v = client.Authorize("REGISTER", "sip:example.org");
    ASSERT_TRUE(v.ok());
    Result<DigestCredentials> cr = ParseDigestCredentials(*v);
    ASSERT_TRUE(cr.ok()) << *v;
    EXPECT_EQ(cr->nc_value(), static_cast<uint32_t>(i));
  }
  // The same nonce again (e.g. a 401 that is not stale): keep counting.
  ASSERT_TRUE(client.OnChallenge(first).ok());
  EXPECT_EQ(client.nonce_count(), 3u);

  const std::vector<std::string_view> second = {
      "Digest realm=\"http-auth@example.org\", nonce=\"other\", qop=\"auth\", stale=true"};
  ASSERT_TRUE(client.OnChallenge(second).ok());
  EXPECT_EQ(client.nonce_count(), 0u);
  ASSERT_NE(client.challenge(), nullptr);
  EXPECT_TRUE(client.challenge()->stale);
  Result<std::string> v = client.Authorize("REGISTER", "sip:example.org");
  ASSERT_TRUE(v.ok());
  EXPECT_NE(v->find("nc=00000001"), std::string::npos) << *v;

  // An unusable challenge keeps the previous one.
  const std::vector<std::string_view> bad = {"Basic realm=\"x\""};
  EXPECT_FALSE(client.OnChallenge(bad).ok());
  EXPECT_EQ(client.challenge()->nonce, "other");

  client.Reset();
  EXPECT_FALSE(client.has_challenge());
}

}  // namespace
}  // namespace sipreg::sip
