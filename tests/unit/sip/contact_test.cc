#include "sip/contact.h"

#include <gtest/gtest.h>

namespace sipreg::sip {
namespace {

TEST(ContactTest, StarAlone) {
  Result<ContactList> c = ParseContacts(" * ");
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->star);
  EXPECT_TRUE(c->contacts.empty());
}

TEST(ContactTest, StarMixedWithAddressesIsRejected) {
  EXPECT_FALSE(ParseContacts("*, <sip:a@example.com>").ok());
  EXPECT_FALSE(ParseContacts("<sip:a@example.com>, *").ok());
}

TEST(ContactTest, EmptyValueIsRejected) {
  EXPECT_FALSE(ParseContacts("").ok());
  EXPECT_FALSE(ParseContacts(" , ").ok());
}

TEST(ContactTest, SeveralContactsWithOutboundParams) {
  Result<ContactList> c = ParseContacts(
      "<sip:alice@192.0.2.10:5060;transport=tcp>;expires=3600;q=0.7;"
      "+sip.instance=\"<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>\";reg-id=1, "
      "\"Alice, mobile\" <sip:alice@198.51.100.7>;q=1.0, sip:alice@203.0.113.9;expires=0");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->contacts.size(), 3u);
  const Contact& first = c->contacts[0];
  EXPECT_EQ(first.expires(), 3600u);
  ASSERT_TRUE(first.q().has_value());
  EXPECT_DOUBLE_EQ(*first.q(), 0.7);
  EXPECT_EQ(first.instance(), "<urn:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6>");
  EXPECT_EQ(first.reg_id(), 1u);
  EXPECT_EQ(first.addr.uri.transport_param(), "tcp");
  EXPECT_EQ(c->contacts[1].addr.display_name, "Alice, mobile");
  EXPECT_DOUBLE_EQ(*c->contacts[1].q(), 1.0);
  EXPECT_FALSE(c->contacts[1].expires().has_value());
  EXPECT_EQ(c->contacts[2].expires(), 0u);  // addr-spec: expires is a header param
  EXPECT_FALSE(c->contacts[2].instance().has_value());
}

TEST(ContactTest, QValueGrammar) {
  auto q = [](std::string_view v) {
    const std::string text = "<sip:a@example.com>;q=" + std::string(v);  // views point here
    Result<ContactList> c = ParseContacts(text);
    return c.ok() ? c->contacts[0].q() : std::optional<double>(-1);
  };
  EXPECT_DOUBLE_EQ(*q("0"), 0.0);
  EXPECT_DOUBLE_EQ(*q("0.5"), 0.5);
  EXPECT_DOUBLE_EQ(*q("0.333"), 0.333);
  EXPECT_DOUBLE_EQ(*q("1"), 1.0);
  EXPECT_DOUBLE_EQ(*q("1.000"), 1.0);
  EXPECT_FALSE(q("1.5").has_value());
  EXPECT_FALSE(q("2").has_value());
  EXPECT_FALSE(q("0.1234").has_value());
  EXPECT_FALSE(q("0.5.1").has_value());
  EXPECT_FALSE(q("abc").has_value());
}

TEST(ContactTest, ExpiresParsing) {
  auto expires = [](std::string_view v) {
    return ParseContacts("<sip:a@example.com>;expires=" + std::string(v))->contacts[0].expires();
  };
  EXPECT_EQ(expires("60"), 60u);
  EXPECT_EQ(expires("4294967295"), 4294967295u);
  EXPECT_EQ(expires("280297596632815"), UINT32_MAX);  // saturates (RFC 4475 scalar02)
  EXPECT_FALSE(expires("soon").has_value());
  EXPECT_FALSE(expires("-1").has_value());
}

TEST(ContactTest, RegIdMustBeNumeric) {
  Result<ContactList> c = ParseContacts("<sip:a@example.com>;reg-id=x");
  ASSERT_TRUE(c.ok());
  EXPECT_FALSE(c->contacts[0].reg_id().has_value());
}

TEST(ContactTest, BadEntryIsReported) {
  Result<ContactList> c = ParseContacts("<sip:a@example.com>, <sip:b@example.com;>");
  EXPECT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("bad Contact"), std::string::npos);
  EXPECT_FALSE(ParseContacts("\"Joe\" <sip:joe@example.org>;;;;").ok());  // badinv01
}

}  // namespace
}  // namespace sipreg::sip
