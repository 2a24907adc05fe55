#include "sip/uri.h"

#include <gtest/gtest.h>

#include <string>

namespace sipreg::sip {
namespace {

TEST(UriTest, ParsesUserHostPortParamsAndHeaders) {
  Result<Uri> u =
      ParseUri("sip:alice@atlanta.example.com:5070;transport=tcp;lr?subject=x&priority=urgent");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->scheme, UriScheme::kSip);
  EXPECT_EQ(u->user, "alice");
  EXPECT_FALSE(u->has_password);
  EXPECT_EQ(u->host, "atlanta.example.com");
  ASSERT_TRUE(u->port.has_value());
  EXPECT_EQ(*u->port, 5070);
  EXPECT_EQ(u->transport_param(), "tcp");
  EXPECT_TRUE(u->params.Has("LR"));  // names compare case-insensitively
  EXPECT_FALSE(u->params.items()[1].has_value);
  EXPECT_EQ(u->headers, "subject=x&priority=urgent");
  EXPECT_EQ(u->raw,
            "sip:alice@atlanta.example.com:5070;transport=tcp;lr?subject=x&priority=urgent");
}

TEST(UriTest, HostOnlyUriHasNoUserOrPort) {
  Result<Uri> u = ParseUri("sip:registrar.example.com");
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->user.empty());
  EXPECT_EQ(u->host, "registrar.example.com");
  EXPECT_FALSE(u->port.has_value());
  EXPECT_TRUE(u->params.items().empty());
}

TEST(UriTest, SipsAndSchemeCase) {
  Result<Uri> u = ParseUri("SIPS:bob@192.0.2.4");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->scheme, UriScheme::kSips);
  EXPECT_EQ(u->host, "192.0.2.4");
  EXPECT_EQ(ParseUri("Sip:bob@example.com")->scheme, UriScheme::kSip);
}

TEST(UriTest, PasswordIsSplitFromUser) {
  Result<Uri> u = ParseUri("sip:alice:secret@example.com");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->user, "alice");
  EXPECT_TRUE(u->has_password);
  EXPECT_EQ(u->password, "secret");
  Result<Uri> empty_pw = ParseUri("sip:alice:@example.com");
  ASSERT_TRUE(empty_pw.ok());
  EXPECT_TRUE(empty_pw->has_password);
  EXPECT_TRUE(empty_pw->password.empty());
}

TEST(UriTest, Ipv6ReferenceKeepsBrackets) {
  Result<Uri> u = ParseUri("sip:alice@[2001:db8::10]:5060;transport=udp");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->host, "[2001:db8::10]");
  EXPECT_TRUE(u->is_ipv6_host());
  EXPECT_EQ(u->host_no_brackets(), "2001:db8::10");
  EXPECT_EQ(*u->port, 5060);
  Result<Uri> v4mapped = ParseUri("sip:[::ffff:192.0.2.1]");
  ASSERT_TRUE(v4mapped.ok());
  EXPECT_EQ(v4mapped->host_no_brackets(), "::ffff:192.0.2.1");
  EXPECT_EQ(ParseUri("sip:example.com")->host_no_brackets(), "example.com");
}

TEST(UriTest, RejectsBadPorts) {
  EXPECT_FALSE(ParseUri("sip:a@example.com:65536").ok());
  EXPECT_FALSE(ParseUri("sip:a@example.com:99999999999").ok());
  EXPECT_FALSE(ParseUri("sip:a@example.com:").ok());
  EXPECT_FALSE(ParseUri("sip:a@example.com:50a0").ok());
  EXPECT_FALSE(ParseUri("sip:a@example.com:-1").ok());
  EXPECT_EQ(ParseUri("sip:a@example.com:50a0").status().message(), "invalid URI port");
  Result<Uri> max = ParseUri("sip:a@example.com:65535");
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(*max->port, 65535);
  EXPECT_EQ(*ParseUri("sip:a@example.com:0")->port, 0);
}

TEST(UriTest, RejectsBadHosts) {
  EXPECT_FALSE(ParseUri("sip:alice@").ok());
  EXPECT_FALSE(ParseUri("sip:").ok());
  EXPECT_FALSE(ParseUri("sip:alice@exa mple.com").ok());
  EXPECT_FALSE(ParseUri("sip:alice@[2001:db8::1").ok());
  EXPECT_FALSE(ParseUri("sip:alice@[zz]").ok());
  EXPECT_FALSE(ParseUri("sip:alice@<example.com>").ok());
}

TEST(UriTest, RejectsUnknownSchemesAndEmptyText) {
  EXPECT_EQ(ParseUri("http://example.com").status().message(), "unsupported URI scheme");
  EXPECT_EQ(ParseUri("").status().message(), "empty URI");
  EXPECT_FALSE(ParseUri("sipx:a@b").ok());
}

TEST(UriTest, UserPartMayHoldSemicolonsAndEscapes) {
  // RFC 4475 semiuri: ';' in the user part is user-unreserved, not a parameter.
  Result<Uri> u = ParseUri("sip:user;par=u%40example.net@example.com");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->user, "user;par=u%40example.net");
  EXPECT_EQ(u->host, "example.com");
  EXPECT_TRUE(u->params.items().empty());
  Result<std::string> plain = Unescape(u->user);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, "user;par=u@example.net");
}

TEST(UriTest, EscapesStayEscapedInViews) {
  Result<Uri> u = ParseUri("sip:sips%3Auser%40example.com@example.net");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->user, "sips%3Auser%40example.com");
  EXPECT_EQ(*Unescape(u->user), "sips:user@example.com");
  Result<Uri> nul = ParseUri("sip:null-%00-null@example.com");
  ASSERT_TRUE(nul.ok());
  EXPECT_EQ(*Unescape(nul->user), std::string("null-\0-null", 11));
  Result<Uri> params = ParseUri("sip:host.example.net;%6C%72;n%61me=v%61lue%25%34%31");
  ASSERT_TRUE(params.ok()) << params.status().ToString();
  ASSERT_EQ(params->params.items().size(), 2u);
  EXPECT_EQ(*Unescape(params->params.items()[1].value), "value%41");
}

TEST(UriTest, RejectsMalformedEscapesAndCharacters) {
  EXPECT_FALSE(ParseUri("sip:al%4@example.com").ok());
  EXPECT_FALSE(ParseUri("sip:al%zz@example.com").ok());
  EXPECT_FALSE(ParseUri("sip:al ice@example.com").ok());
  EXPECT_FALSE(ParseUri("sip:al<ice@example.com").ok());
  EXPECT_FALSE(ParseUri("sip:example.com;=x").ok());
  EXPECT_FALSE(ParseUri("sip:example.com;transport=").ok());
  EXPECT_FALSE(ParseUri("sip:example.com;a b").ok());
  EXPECT_FALSE(ParseUri("sip:example.com?").ok());
  EXPECT_FALSE(ParseUri("sip:example.com>").ok());
}

TEST(UriTest, UnescapeRejectsBrokenEscapes) {
  EXPECT_FALSE(Unescape("abc%").ok());
  EXPECT_FALSE(Unescape("abc%4").ok());
  EXPECT_FALSE(Unescape("abc%g1").ok());
  EXPECT_EQ(*Unescape("%41%62c"), "Abc");
  EXPECT_EQ(*Unescape(""), "");
}

TEST(UriTest, TelUriKeepsNumberAndParams) {
  Result<Uri> u = ParseUri("tel:+1-201-555-0123;phone-context=example.com");
  ASSERT_TRUE(u.ok()) << u.status().ToString();
  EXPECT_EQ(u->scheme, UriScheme::kTel);
  EXPECT_EQ(u->user, "+1-201-555-0123");
  EXPECT_TRUE(u->host.empty());
  EXPECT_EQ(u->params.Get("phone-context"), "example.com");
  EXPECT_FALSE(ParseUri("tel:").ok());
  EXPECT_FALSE(ParseUri("tel:+1 555").ok());
  EXPECT_FALSE(ParseUri("tel:+1555?x=y").ok());
}

TEST(UriTest, ParamWithoutValueDiffersFromEmptyList) {
  Result<Uri> u = ParseUri("sip:example.com;lr");
  ASSERT_TRUE(u.ok());
  ASSERT_EQ(u->params.items().size(), 1u);
  EXPECT_EQ(u->params.items()[0].name, "lr");
  EXPECT_FALSE(u->params.items()[0].has_value);
  EXPECT_EQ(u->params.Get("lr"), std::string_view());
  EXPECT_EQ(u->params.Get("maddr"), std::nullopt);
}

}  // namespace
}  // namespace sipreg::sip
