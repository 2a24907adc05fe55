#include "sip/cseq.h"

#include <gtest/gtest.h>

namespace sipreg::sip {
namespace {

TEST(CSeqTest, ParsesNumberAndMethod) {
  Result<CSeq> c = ParseCSeq("4711 INVITE");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->number, 4711u);
  EXPECT_EQ(c->method, Method::kInvite);
  EXPECT_EQ(c->method_name, "INVITE");
}

TEST(CSeqTest, LeadingZerosAndFoldedWhitespace) {
  Result<CSeq> c = ParseCSeq("  0009   \t INVITE  ");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->number, 9u);
  EXPECT_EQ(c->method_name, "INVITE");
}

TEST(CSeqTest, ExtensionMethodIsUnknownButNamed) {
  Result<CSeq> c = ParseCSeq("2 RE%47IST%45R");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->method, Method::kUnknown);
  EXPECT_EQ(c->method_name, "RE%47IST%45R");
}

TEST(CSeqTest, LargestNumberIs32Bits) {
  EXPECT_EQ(ParseCSeq("4294967295 ACK")->number, 4294967295u);
  EXPECT_EQ(ParseCSeq("4294967296 ACK").status().message(), "CSeq number out of range");
  EXPECT_FALSE(ParseCSeq("36893488147419103232 REGISTER").ok());  // RFC 4475 scalar02
}

TEST(CSeqTest, RejectsMalformedValues) {
  EXPECT_FALSE(ParseCSeq("").ok());
  EXPECT_FALSE(ParseCSeq("INVITE").ok());
  EXPECT_FALSE(ParseCSeq("12").ok());
  EXPECT_FALSE(ParseCSeq("12INVITE").ok());
  EXPECT_FALSE(ParseCSeq("-1 INVITE").ok());
  EXPECT_FALSE(ParseCSeq("1 INV ITE").ok());
  EXPECT_FALSE(ParseCSeq("1 INVITE;x").ok());
  EXPECT_EQ(ParseCSeq("12").status().message(), "CSeq method missing");
}

}  // namespace
}  // namespace sipreg::sip
