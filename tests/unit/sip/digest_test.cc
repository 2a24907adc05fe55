#include "sip/digest.h"

#include <gtest/gtest.h>

namespace sipreg::sip {
namespace {

// RFC 7616 §3.9.1 parameters.
constexpr std::string_view kUser = "Mufasa";
constexpr std::string_view kRealm = "http-auth@example.org";
constexpr std::string_view kPassword = "Circle of Life";
constexpr std::string_view kNonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
constexpr std::string_view kCnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
constexpr std::string_view kUri = "/dir/index.html";
// A small SDP-like body for auth-int.
constexpr std::string_view kBody = "v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\n";

std::string Response(DigestAlgorithm alg, Qop qop, std::string_view method, std::string_view uri,
                     std::string_view body = {}) {
  Result<std::string> ha1 = ComputeHa1(alg, kUser, kRealm, kPassword);
  EXPECT_TRUE(ha1.ok()) << ha1.status().ToString();
  if (!ha1.ok()) return {};
  Result<std::string> r =
      ComputeResponse(alg, *ha1, kNonce, "00000001", kCnonce, qop, method, uri, body);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : std::string();
}

TEST(DigestTest, Rfc2617WorkedExample) {
  Result<std::string> ha1 =
      ComputeHa1(DigestAlgorithm::kMd5, "Mufasa", "testrealm@host.com", "Circle Of Life");
  ASSERT_TRUE(ha1.ok());
  EXPECT_EQ(*ha1, "939e7578ed9e3c518a452acee763bce9");
  Result<std::string> r =
      ComputeResponse(DigestAlgorithm::kMd5, *ha1, "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001",
                      "0a4f113b", Qop::kAuth, "GET", "/dir/index.html", "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "6629fae49393a05397450978507c4ef1");
}

TEST(DigestTest, Rfc7616Md5Example) {
  EXPECT_EQ(Response(DigestAlgorithm::kMd5, Qop::kAuth, "GET", kUri),
            "8ca523f5e9506fed4657c9700eebdbec");
}

TEST(DigestTest, Rfc7616Sha256Example) {
  EXPECT_EQ(Response(DigestAlgorithm::kSha256, Qop::kAuth, "GET", kUri),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

// Expected values below were computed independently with
// `openssl dgst -sha512-256` and Python hashlib.
TEST(DigestTest, Sha512_256MatchesIndependentComputation) {
  Result<std::string> ha1 = ComputeHa1(DigestAlgorithm::kSha512_256, kUser, kRealm, kPassword);
  ASSERT_TRUE(ha1.ok());
  EXPECT_EQ(*ha1, "fb174f5c3c7802721517cae13b98e2b8dae2e0118cb705d94ee29946319204ce");
  EXPECT_EQ(Response(DigestAlgorithm::kSha512_256, Qop::kAuth, "GET", kUri),
            "430d05014cecc49cab6fbe03176d41a1da86cbfe24a16580e22aaad928d960d0");
}

TEST(DigestTest, SessionVariantsHashHa1WithNonceAndCnonce) {
  EXPECT_EQ(Response(DigestAlgorithm::kMd5Sess, Qop::kAuth, "GET", kUri),
            "e783283f46242139c486a698fec7211d");
  EXPECT_EQ(Response(DigestAlgorithm::kSha256Sess, Qop::kAuth, "GET", kUri),
            "2fd51b3a77ad75bad6afad6003e818d767133c46d9e2749e7f5232ae1ea3efd7");
  EXPECT_EQ(Response(DigestAlgorithm::kSha512_256Sess, Qop::kAuth, "GET", kUri),
            "3f2a34f923c38b0fb26dce2fdfc2ce326c23cecf86fbb1444f3e51fbbc2cb92e");
}

TEST(DigestTest, AuthIntIncludesBodyHash) {
  EXPECT_EQ(Response(DigestAlgorithm::kMd5, Qop::kAuthInt, "REGISTER", "sip:example.org", kBody),
            "440383235685ab938d2acd9b30889a71");
  EXPECT_EQ(Response(DigestAlgorithm::kSha256, Qop::kAuthInt, "REGISTER", "sip:example.org", kBody),
            "02b480734149a3556b7c2a75830da321a9d13c925b96768a5d540fad364a1117");
  EXPECT_EQ(
      Response(DigestAlgorithm::kSha512_256, Qop::kAuthInt, "REGISTER", "sip:example.org", kBody),
      "002c8493e2d9aa10be4bd722bf48bc0b4956ab5a338f069783b78b73e3081793");
  EXPECT_EQ(
      Response(DigestAlgorithm::kMd5Sess, Qop::kAuthInt, "REGISTER", "sip:example.org", kBody),
      "be782e264275f4ba1c4764dd0cc4ee79");
  // A different body changes the response.
  EXPECT_NE(Response(DigestAlgorithm::kMd5, Qop::kAuthInt, "REGISTER", "sip:example.org", "x"),
            "440383235685ab938d2acd9b30889a71");
}

TEST(DigestTest, NoQopUsesRfc2069Form) {
  Result<std::string> r = ComputeResponse(DigestAlgorithm::kMd5, "939e7578ed9e3c518a452acee763bce9",
                                          "dcd98b7102dd2f0e8b11d0f600bfb0c093", "", "", Qop::kNone,
                                          "GET", "/dir/index.html", "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "670fd8c2df070c60b045671b8b24ff02");
}

TEST(DigestTest, PrestoredHa1GivesSameResponseAsPassword) {
  // Asterisk md5secret = md5(user:realm:secret), any case.
  DigestSecret stored =
      DigestSecret::FromHa1(DigestAlgorithm::kMd5, "939E7578ED9E3C518A452ACEE763BCE9");
  EXPECT_TRUE(stored.Supports(DigestAlgorithm::kMd5));
  EXPECT_TRUE(stored.Supports(DigestAlgorithm::kMd5Sess));
  EXPECT_FALSE(stored.Supports(DigestAlgorithm::kSha256));
  Result<std::string> ha1 = stored.Ha1For(DigestAlgorithm::kMd5Sess, "x", "y");
  ASSERT_TRUE(ha1.ok());
  EXPECT_EQ(*ha1, "939e7578ed9e3c518a452acee763bce9");
  EXPECT_EQ(stored.Ha1For(DigestAlgorithm::kSha256, "x", "y").status().code(),
            StatusCode::kNotFound);

  DigestSecret pw = DigestSecret::FromPassword("Circle Of Life");
  EXPECT_TRUE(pw.Supports(DigestAlgorithm::kSha512_256Sess));
  Result<std::string> from_pw = pw.Ha1For(DigestAlgorithm::kMd5, "Mufasa", "testrealm@host.com");
  ASSERT_TRUE(from_pw.ok());
  EXPECT_EQ(*from_pw, *ha1);
}

TEST(DigestTest, ResponseRejectsBadHa1AndMissingCnonce) {
  EXPECT_FALSE(ComputeResponse(DigestAlgorithm::kMd5, "abc", "n", "00000001", "c", Qop::kAuth,
                               "GET", "/", "")
                   .ok());
  // An MD5 HA1 is too short for SHA-256.
  EXPECT_FALSE(ComputeResponse(DigestAlgorithm::kSha256, "939e7578ed9e3c518a452acee763bce9", "n",
                               "00000001", "c", Qop::kAuth, "GET", "/", "")
                   .ok());
  EXPECT_FALSE(ComputeResponse(DigestAlgorithm::kMd5, "zz9e7578ed9e3c518a452acee763bce9", "n",
                               "00000001", "c", Qop::kAuth, "GET", "/", "")
                   .ok());
  EXPECT_FALSE(ComputeResponse(DigestAlgorithm::kMd5, "939e7578ed9e3c518a452acee763bce9", "n",
                               "00000001", "", Qop::kAuth, "GET", "/", "")
                   .ok());
  EXPECT_FALSE(ComputeResponse(DigestAlgorithm::kMd5Sess, "939e7578ed9e3c518a452acee763bce9", "n",
                               "", "", Qop::kNone, "GET", "/", "")
                   .ok());
}

TEST(DigestTest, AlgorithmNamesRoundTripCaseInsensitively) {
  for (DigestAlgorithm a : {DigestAlgorithm::kMd5, DigestAlgorithm::kMd5Sess,
                            DigestAlgorithm::kSha256, DigestAlgorithm::kSha256Sess,
                            DigestAlgorithm::kSha512_256, DigestAlgorithm::kSha512_256Sess}) {
    EXPECT_EQ(ParseDigestAlgorithm(DigestAlgorithmName(a)), a);
  }
  EXPECT_EQ(ParseDigestAlgorithm("sha-256-SESS"), DigestAlgorithm::kSha256Sess);
  EXPECT_EQ(ParseDigestAlgorithm("md5"), DigestAlgorithm::kMd5);
  EXPECT_EQ(ParseDigestAlgorithm("SHA-512"), std::nullopt);
  EXPECT_EQ(ParseDigestAlgorithm(""), std::nullopt);
  EXPECT_EQ(DigestAlgorithmOrMd5(""), DigestAlgorithm::kMd5);
  EXPECT_EQ(DigestAlgorithmName(DigestAlgorithm::kSha512_256Sess), "SHA-512-256-sess");
  EXPECT_TRUE(IsSessionAlgorithm(DigestAlgorithm::kSha512_256Sess));
  EXPECT_FALSE(IsSessionAlgorithm(DigestAlgorithm::kSha512_256));
  EXPECT_EQ(BaseAlgorithm(DigestAlgorithm::kSha256Sess), DigestAlgorithm::kSha256);
  EXPECT_EQ(DigestHexLength(DigestAlgorithm::kMd5Sess), 32u);
  EXPECT_EQ(DigestHexLength(DigestAlgorithm::kSha512_256), 64u);
}

TEST(DigestTest, QopNamesParse) {
  EXPECT_EQ(ParseQop(""), Qop::kNone);
  EXPECT_EQ(ParseQop("AUTH"), Qop::kAuth);
  EXPECT_EQ(ParseQop("auth-int"), Qop::kAuthInt);
  EXPECT_EQ(ParseQop("auth-conf"), std::nullopt);
  EXPECT_EQ(QopName(Qop::kAuthInt), "auth-int");
}

TEST(DigestTest, AlgorithmSetContainsOnlyWhatWasAdded) {
  DigestAlgorithmSet s{DigestAlgorithm::kSha256, DigestAlgorithm::kMd5};
  EXPECT_TRUE(s.Contains(DigestAlgorithm::kSha256));
  EXPECT_TRUE(s.Contains(DigestAlgorithm::kMd5));
  EXPECT_FALSE(s.Contains(DigestAlgorithm::kMd5Sess));
  EXPECT_TRUE(DigestAlgorithmSet().empty());
  EXPECT_TRUE(DigestAlgorithmSet::All().Contains(DigestAlgorithm::kSha512_256Sess));
}

TEST(DigestTest, UserhashIsHashOfUserAndRealm) {
  Result<std::string> uh = ComputeUserhash(DigestAlgorithm::kSha256, kUser, kRealm);
  ASSERT_TRUE(uh.ok());
  EXPECT_EQ(*uh, "a947aad205e80e429958a387394944c6b496301e79f89d35a4cc23b6ee12b5b6");
}

TEST(DigestTest, HashOfEmptyInput) {
  Result<std::string> h = DigestHash(DigestAlgorithm::kSha512_256, "");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(*h, "c672b8d1ef56ed28ab87c3622c5114069bdd3ad7b8f9737498d0c01ecef0967a");
}

}  // namespace
}  // namespace sipreg::sip
