#include "sip/header_list.h"

#include <gtest/gtest.h>

namespace sipreg::sip {
namespace {

using Views = std::vector<std::string_view>;

TEST(HeaderListTest, SplitsAtTopLevelCommasAndTrims) {
  EXPECT_EQ(SplitListValues("INVITE, ACK ,BYE"), (Views{"INVITE", "ACK", "BYE"}));
  EXPECT_EQ(SplitListValues("single"), (Views{"single"}));
}

TEST(HeaderListTest, CommasInsideQuotesDoNotSplit) {
  EXPECT_EQ(SplitListValues("\"Bell, Alexander\" <sip:a@example.com>, <sip:b@example.com>"),
            (Views{"\"Bell, Alexander\" <sip:a@example.com>", "<sip:b@example.com>"}));
}

TEST(HeaderListTest, EscapedQuoteDoesNotEndTheQuotedString) {
  EXPECT_EQ(SplitListValues(R"("a \", b" <sip:a@x>, <sip:b@x>)"),
            (Views{R"("a \", b" <sip:a@x>)", "<sip:b@x>"}));
  EXPECT_EQ(SplitListValues(R"("a \\", <sip:b@x>)"), (Views{R"("a \\")", "<sip:b@x>"}));
}

TEST(HeaderListTest, CommasInsideAngleBracketsDoNotSplit) {
  EXPECT_EQ(SplitListValues("<sip:a@x;p=1,2>;q=0.5, <sip:b@x?h=1,2>"),
            (Views{"<sip:a@x;p=1,2>;q=0.5", "<sip:b@x?h=1,2>"}));
  // A quote inside <...> is not special.
  EXPECT_EQ(SplitListValues("<sip:a\"@x>, b"), (Views{"<sip:a\"@x>", "b"}));
}

TEST(HeaderListTest, EmptyEntriesAreDropped) {
  EXPECT_EQ(SplitListValues(" , a,, ,b, "), (Views{"a", "b"}));
  EXPECT_TRUE(SplitListValues("").empty());
  EXPECT_TRUE(SplitListValues(" ,\t, ").empty());
  EXPECT_EQ(SplitListValues(";;,,;;,;"), (Views{";;", ";;", ";"}));
}

TEST(HeaderListTest, UnterminatedQuoteOrAngleRunsToTheEnd) {
  EXPECT_EQ(SplitListValues("a, \"open, quote"), (Views{"a", "\"open, quote"}));
  EXPECT_EQ(SplitListValues("a, <sip:x, y"), (Views{"a", "<sip:x, y"}));
  EXPECT_EQ(SplitListValues("\"ends with backslash\\"), (Views{"\"ends with backslash\\"}));
}

TEST(HeaderListTest, AppendsToAnExistingVector) {
  Views out{"first"};
  SplitListValues("b, c", out);
  EXPECT_EQ(out, (Views{"first", "b", "c"}));
}

TEST(HeaderListTest, FirstListValueSkipsEmptyEntries) {
  EXPECT_EQ(FirstListValue(" , SIP/2.0/UDP a, SIP/2.0/UDP b"), "SIP/2.0/UDP a");
  EXPECT_EQ(FirstListValue("\"x,y\" <sip:a>"), "\"x,y\" <sip:a>");
  EXPECT_EQ(FirstListValue(" , "), "");
}

}  // namespace
}  // namespace sipreg::sip
