#include "sip/auth_header.h"

#include <gtest/gtest.h>

#include <string>

namespace sipreg::sip {
namespace {

// RFC 7616 §3.9.1, header lines unfolded as the message parser delivers them.
constexpr std::string_view kRfc7616Challenge =
    "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, "
    "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
    "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";
constexpr std::string_view kRfc7616Credentials =
    "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", uri=\"/dir/index.html\", "
    "algorithm=MD5, nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", nc=00000001, "
    "cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", qop=auth, "
    "response=\"8ca523f5e9506fed4657c9700eebdbec\", "
    "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"";

TEST(AuthHeaderTest, ParsesRfc7616Challenge) {
  Result<DigestChallenge> c = ParseDigestChallenge(kRfc7616Challenge);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->realm, "http-auth@example.org");
  EXPECT_EQ(c->nonce, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v");
  EXPECT_EQ(c->opaque, "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
  EXPECT_EQ(c->algorithm, "SHA-256");
  EXPECT_EQ(c->qop_options, (std::vector<std::string>{"auth", "auth-int"}));
  EXPECT_FALSE(c->stale);
  EXPECT_FALSE(c->domain.has_value());
  EXPECT_TRUE(c->extra.empty());
}

TEST(AuthHeaderTest, ParsesRfc7616Credentials) {
  Result<DigestCredentials> c = ParseDigestCredentials(kRfc7616Credentials);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->username, "Mufasa");
  EXPECT_EQ(c->uri, "/dir/index.html");
  EXPECT_EQ(c->algorithm, "MD5");
  EXPECT_EQ(c->nc, "00000001");
  EXPECT_EQ(c->nc_value(), 1u);
  EXPECT_EQ(c->cnonce, "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ");
  EXPECT_EQ(c->qop, "auth");
  EXPECT_EQ(c->response, "8ca523f5e9506fed4657c9700eebdbec");
  EXPECT_EQ(c->opaque, "FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS");
  EXPECT_FALSE(c->userhash);
}

TEST(AuthHeaderTest, SchemeAndNamesAreCaseInsensitive) {
  Result<DigestChallenge> c = ParseDigestChallenge("dIgEsT REALM=\"r\", Nonce=abc, STALE=TRUE");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->realm, "r");
  EXPECT_EQ(c->nonce, "abc");
  EXPECT_TRUE(c->stale);
}

TEST(AuthHeaderTest, ToleratesLwsAroundEqualsAndCommas) {
  Result<DigestChallenge> c =
      ParseDigestChallenge("  Digest \t realm = \"r\" ,nonce\t=\t\"n\"  ,, , algorithm= MD5  ");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->realm, "r");
  EXPECT_EQ(c->nonce, "n");
  EXPECT_EQ(c->algorithm, "MD5");
}

TEST(AuthHeaderTest, UnescapesQuotedPairs) {
  Result<DigestChallenge> c =
      ParseDigestChallenge(R"(Digest realm="a \"quoted\" realm \\ here", nonce="n")");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->realm, R"(a "quoted" realm \ here)");
}

TEST(AuthHeaderTest, CommaInsideQuotesDoesNotSplit) {
  Result<DigestCredentials> c = ParseDigestCredentials(
      R"(Digest username="doe, john", realm="r,x", nonce="n", uri="sip:a@b;x=1,2", response="ab")");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->username, "doe, john");
  EXPECT_EQ(c->realm, "r,x");
  EXPECT_EQ(c->uri, "sip:a@b;x=1,2");
}

TEST(AuthHeaderTest, AcceptsQuotedQopAndAlgorithmFromLaxClients) {
  Result<DigestCredentials> c = ParseDigestCredentials(
      R"(Digest username="u", realm="r", nonce="n", uri="sip:r", response="ab", )"
      R"(qop="auth", algorithm="MD5", nc="0000000a", cnonce="c")");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->qop, "auth");
  EXPECT_EQ(c->algorithm, "MD5");
  EXPECT_EQ(c->nc_value(), 10u);
}

TEST(AuthHeaderTest, UnquotedBase64NonceParses) {
  Result<DigestChallenge> c = ParseDigestChallenge("Digest realm=r, nonce=ab/cd+ef==");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->nonce, "ab/cd+ef==");
}

TEST(AuthHeaderTest, KeepsUnknownParamsInOrder) {
  Result<DigestCredentials> c = ParseDigestCredentials(
      R"(Digest username="u", realm="r", nonce="n", uri="sip:r", response="ab", )"
      R"(foo=bar, username*=UTF-8''J%C3%A4s%C3%B8n, baz="q v")");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->extra.size(), 3u);
  EXPECT_EQ(c->extra[0], (AuthParam{"foo", "bar", false}));
  EXPECT_EQ(c->extra[1].name, "username*");
  EXPECT_EQ(c->extra[1].value, "UTF-8''J%C3%A4s%C3%B8n");
  EXPECT_EQ(c->extra[2], (AuthParam{"baz", "q v", true}));
}

TEST(AuthHeaderTest, RejectsMissingScheme) {
  EXPECT_FALSE(ParseDigestChallenge(R"(realm="r", nonce="n")").ok());
  EXPECT_FALSE(ParseDigestChallenge("").ok());
  EXPECT_FALSE(ParseDigestChallenge("   ").ok());
  EXPECT_FALSE(ParseDigestChallenge(R"(="r")").ok());
}

TEST(AuthHeaderTest, RejectsOtherSchemes) {
  Result<DigestChallenge> c = ParseDigestChallenge(R"(Basic realm="r", nonce="n")");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  // But the generic parser takes them.
  Result<AuthHeader> h = ParseAuthHeader(R"(Basic realm="r")");
  ASSERT_TRUE(h.ok());
  EXPECT_EQ(h->scheme, "Basic");
}

TEST(AuthHeaderTest, RejectsGarbage) {
  for (std::string_view bad : {
           "Digest realm",                             // no '='
           "Digest realm=",                            // no value
           R"(Digest realm="r" nonce="n")",            // missing comma
           R"(Digest realm="r, nonce="n)",             // unterminated quote
           R"(Digest realm="r\)",                      // escape at end
           "Digest realm=\"a\rb\", nonce=\"n\"",       // CR in quoted string
           "Digest realm=\"r\", nonce=\"n\" garbage",  // trailing garbage
           "Digest, realm=\"r\", nonce=\"n\"",         // comma after scheme
           "Digest realm=\"r\", nonce=\"n\"; x=y",     // ';' is not a separator here
           "Digest realm=\"r\", nonce=\"n\", @=1",     // bad name
           "Digest\x01 realm=\"r\"",                   // control char
           "\"Digest\" realm=\"r\", nonce=\"n\"",      // quoted scheme
       }) {
    EXPECT_FALSE(ParseDigestChallenge(bad).ok()) << bad;
  }
}

TEST(AuthHeaderTest, QuotedStringsKeepTabsAndEscapesAndRefuseOtherControls) {
  Result<DigestChallenge> c = ParseDigestChallenge(
      "Digest realm=\"a\tb \\\"c\\\" d\", nonce=\"0123456789abcdef0123456789abcdef\"");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->realm, "a\tb \"c\" d");
  EXPECT_EQ(c->nonce, "0123456789abcdef0123456789abcdef");
  // Bytes from 0x80 up (UTF-8) are text, not control characters.
  Result<DigestChallenge> utf8 =
      ParseDigestChallenge("Digest realm=\"Z\xc3\xbcrich \xe2\x82\xac\", nonce=\"n\"");
  ASSERT_TRUE(utf8.ok()) << utf8.status().ToString();
  EXPECT_EQ(utf8->realm, "Z\xc3\xbcrich \xe2\x82\xac");
  for (std::string_view bad :
       {"Digest realm=\"a\x7f\", nonce=\"n\"", "Digest realm=\"a\x1f\", nonce=\"n\"",
        "Digest realm=\"r\", nonce=\"abc\ndef\""}) {
    EXPECT_FALSE(ParseDigestChallenge(bad).ok()) << bad;
  }
}

TEST(AuthHeaderTest, RejectsDuplicateParams) {
  Result<DigestChallenge> c = ParseDigestChallenge(R"(Digest realm="a", nonce="n", REALM="b")");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(ParseDigestChallenge(R"(Digest realm="a", nonce="n", x=1, x=2)").ok());
}

TEST(AuthHeaderTest, RejectsMissingMandatoryParams) {
  EXPECT_FALSE(ParseDigestChallenge(R"(Digest realm="r")").ok());
  EXPECT_FALSE(ParseDigestChallenge(R"(Digest nonce="n")").ok());
  EXPECT_FALSE(
      ParseDigestCredentials(R"(Digest username="u", realm="r", nonce="n", uri="sip:r")").ok());
  EXPECT_FALSE(
      ParseDigestCredentials(R"(Digest realm="r", nonce="n", uri="sip:r", response="x")").ok());
}

TEST(AuthHeaderTest, RejectsMalformedNc) {
  const std::string base =
      R"(Digest username="u", realm="r", nonce="n", uri="sip:r", response="x")";
  EXPECT_FALSE(ParseDigestCredentials(base + ", nc=0000000g").ok());
  EXPECT_FALSE(ParseDigestCredentials(base + ", nc=000000001").ok());  // 9 digits
  EXPECT_TRUE(ParseDigestCredentials(base + ", nc=FFFFFFFF").ok());
}

TEST(AuthHeaderTest, RejectsTooManyParams) {
  std::string v = R"(Digest realm="r", nonce="n")";
  for (size_t i = 0; i < kMaxAuthParams; ++i) v += ", p" + std::to_string(i) + "=1";
  Result<DigestChallenge> c = ParseDigestChallenge(v);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), StatusCode::kLimitExceeded);
}

TEST(AuthHeaderTest, TruncationAtEveryOffsetNeverCrashes) {
  const std::string full(kRfc7616Credentials);
  for (size_t i = 0; i <= full.size(); ++i) {
    (void)ParseDigestCredentials(std::string_view(full).substr(0, i));
    (void)ParseDigestChallenge(std::string_view(full).substr(0, i));
  }
  EXPECT_TRUE(ParseDigestCredentials(full).ok());
}

TEST(AuthHeaderTest, ChallengeSerialisesCanonicallyAndRoundTrips) {
  DigestChallenge c;
  c.realm = "example.org";
  c.domain = "sip:example.org";
  c.nonce = "abc";
  c.opaque = "";
  c.stale = true;
  c.algorithm = "SHA-256";
  c.qop_options = {"auth", "auth-int"};
  c.userhash = true;
  c.charset = "UTF-8";
  c.extra = {{"x-foo", "a b", true}, {"x-bar", "tok", false}};
  const std::string s = SerializeDigestChallenge(c);
  EXPECT_EQ(s,
            "Digest realm=\"example.org\", domain=\"sip:example.org\", nonce=\"abc\", "
            "opaque=\"\", stale=true, algorithm=SHA-256, qop=\"auth,auth-int\", charset=UTF-8, "
            "userhash=true, x-foo=\"a b\", x-bar=tok");
  Result<DigestChallenge> back = ParseDigestChallenge(s);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, c);
}

TEST(AuthHeaderTest, CredentialsSerialiseCanonicallyAndRoundTrip) {
  Result<DigestCredentials> c = ParseDigestCredentials(kRfc7616Credentials);
  ASSERT_TRUE(c.ok());
  const std::string s = SerializeDigestCredentials(*c);
  EXPECT_EQ(s,
            "Digest username=\"Mufasa\", realm=\"http-auth@example.org\", "
            "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", uri=\"/dir/index.html\", "
            "response=\"8ca523f5e9506fed4657c9700eebdbec\", algorithm=MD5, "
            "cnonce=\"f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ\", "
            "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\", qop=auth, nc=00000001");
  Result<DigestCredentials> back = ParseDigestCredentials(s);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, *c);
}

TEST(AuthHeaderTest, SerialiserEscapesQuotesAndDropsLineBreaks) {
  DigestCredentials c;
  c.username = "a\"b\\c";
  c.realm = "r\r\nInjected: yes";
  c.nonce = "n";
  c.uri = "sip:r";
  c.response = "00";
  const std::string s = SerializeDigestCredentials(c);
  EXPECT_EQ(s.find('\r'), std::string::npos);
  EXPECT_EQ(s.find('\n'), std::string::npos);
  Result<DigestCredentials> back = ParseDigestCredentials(s);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->username, "a\"b\\c");
  EXPECT_EQ(back->realm, "rInjected: yes");
}

TEST(AuthHeaderTest, UnquotableTokenFieldsGetQuoted) {
  DigestCredentials c;
  c.username = "u";
  c.realm = "r";
  c.nonce = "n";
  c.uri = "sip:r";
  c.response = "00";
  c.algorithm = "MD 5";  // not a token: must not break the list
  Result<DigestCredentials> back = ParseDigestCredentials(SerializeDigestCredentials(c));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->algorithm, "MD 5");
}

}  // namespace
}  // namespace sipreg::sip
