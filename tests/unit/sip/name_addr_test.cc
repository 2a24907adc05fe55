#include "sip/name_addr.h"

#include <gtest/gtest.h>

namespace sipreg::sip {
namespace {

TEST(NameAddrTest, QuotedDisplayNameWithEscapes) {
  Result<NameAddr> na =
      ParseNameAddr(R"("J Rosenberg \\\""  <sip:jdrosen@example.com>;tag=98asjd8)");
  ASSERT_TRUE(na.ok()) << na.status().ToString();
  EXPECT_TRUE(na->display_name_quoted);
  EXPECT_EQ(na->display_name, R"(J Rosenberg \\\")");
  EXPECT_TRUE(na->angle_brackets);
  EXPECT_EQ(na->uri.user, "jdrosen");
  EXPECT_EQ(na->tag(), "98asjd8");
}

TEST(NameAddrTest, TokenDisplayNameWithoutSpaceBeforeAngle) {
  // RFC 4475 lwsdisp.
  Result<NameAddr> na = ParseNameAddr("caller<sip:caller@example.com>;tag=323");
  ASSERT_TRUE(na.ok()) << na.status().ToString();
  EXPECT_EQ(na->display_name, "caller");
  EXPECT_FALSE(na->display_name_quoted);
  EXPECT_EQ(na->uri.host, "example.com");
  EXPECT_EQ(na->tag(), "323");
}

TEST(NameAddrTest, MultiTokenDisplayName) {
  Result<NameAddr> na = ParseNameAddr("token1~` token2'+_ token3*%!.- <sip:mundane@example.com>");
  ASSERT_TRUE(na.ok()) << na.status().ToString();
  EXPECT_EQ(na->display_name, "token1~` token2'+_ token3*%!.-");
}

TEST(NameAddrTest, ParamsAfterAddrSpecBelongToTheHeader) {
  Result<NameAddr> na = ParseNameAddr("sip:alice@example.com;tag=abc;transport=tcp");
  ASSERT_TRUE(na.ok()) << na.status().ToString();
  EXPECT_FALSE(na->angle_brackets);
  EXPECT_EQ(na->uri.raw, "sip:alice@example.com");
  EXPECT_TRUE(na->uri.params.items().empty());
  EXPECT_EQ(na->tag(), "abc");
  EXPECT_EQ(na->params.Get("transport"), "tcp");
}

TEST(NameAddrTest, ParamsInsideAngleBracketsBelongToTheUri) {
  Result<NameAddr> na = ParseNameAddr("<sip:alice@example.com;transport=tcp>;tag=abc");
  ASSERT_TRUE(na.ok());
  EXPECT_EQ(na->uri.transport_param(), "tcp");
  EXPECT_EQ(na->params.items().size(), 1u);
  EXPECT_EQ(na->tag(), "abc");
}

TEST(NameAddrTest, AddrSpecWithSemicolonInUserPart) {
  Result<NameAddr> na = ParseNameAddr("sip:user;par=u%40example.net@example.com;tag=1");
  ASSERT_TRUE(na.ok()) << na.status().ToString();
  EXPECT_EQ(na->uri.user, "user;par=u%40example.net");
  EXPECT_EQ(na->tag(), "1");
}

TEST(NameAddrTest, WhitespaceAroundParams) {
  Result<NameAddr> na = ParseNameAddr("sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n");
  ASSERT_TRUE(na.ok()) << na.status().ToString();
  EXPECT_EQ(na->uri.host, "chair-dnrc.example.com");
  EXPECT_EQ(na->tag(), "1918181833n");
}

TEST(NameAddrTest, QuotedParamValueLosesItsQuotes) {
  Result<NameAddr> na = ParseNameAddr(
      "<sip:a@192.0.2.1>;+sip.instance=\"<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>\"");
  ASSERT_TRUE(na.ok()) << na.status().ToString();
  EXPECT_EQ(na->params.Get("+sip.instance"), "<urn:uuid:00000000-0000-1000-8000-AABBCCDDEEFF>");
}

TEST(NameAddrTest, TelUri) {
  Result<NameAddr> na = ParseNameAddr("<tel:+15551234567>;tag=9");
  ASSERT_TRUE(na.ok());
  EXPECT_EQ(na->uri.scheme, UriScheme::kTel);
  EXPECT_EQ(na->uri.user, "+15551234567");
}

TEST(NameAddrTest, RejectsMalformedValues) {
  EXPECT_FALSE(ParseNameAddr("").ok());
  EXPECT_FALSE(ParseNameAddr("\"Mr. J. User <sip:j.user@example.com>").ok());           // quotbal
  EXPECT_FALSE(ParseNameAddr("\"Watson, Thomas\" < sip:t.watson@example.org >").ok());  // badaspec
  EXPECT_FALSE(ParseNameAddr("Watson, Thomas <sip:t.watson@example.org>").ok());        // baddn
  EXPECT_FALSE(ParseNameAddr("<sip:a@example.com").ok());
  EXPECT_FALSE(ParseNameAddr("\"name\" sip:a@example.com").ok());
  EXPECT_FALSE(ParseNameAddr("<sip:a@example.com> trailing").ok());
  EXPECT_FALSE(ParseNameAddr("<sip:a@example.com>;").ok());
  EXPECT_FALSE(ParseNameAddr("<sip:a@example.com>;tag=").ok());
  EXPECT_FALSE(ParseNameAddr("<isbn:2983792873>").ok());  // unsupported scheme
  // regbadct: an addr-spec with headers must be in angle brackets.
  EXPECT_FALSE(ParseNameAddr("sip:user@example.com?Route=%3Csip:sip.example.com%3E").ok());
  EXPECT_TRUE(ParseNameAddr("<sip:user@example.com?Route=%3Csip:sip.example.com%3E>").ok());
}

TEST(NameAddrTest, RawIsTheTrimmedValue) {
  Result<NameAddr> na = ParseNameAddr("  <sip:a@example.com> ");
  ASSERT_TRUE(na.ok());
  EXPECT_EQ(na->raw, "<sip:a@example.com>");
  EXPECT_FALSE(na->tag().has_value());
}

}  // namespace
}  // namespace sipreg::sip
