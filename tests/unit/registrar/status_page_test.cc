#include "registrar/status_page.h"

#include <gtest/gtest.h>

namespace sipreg::registrar {
namespace {

const WallTime kNow = WallTime{} + std::chrono::hours(24 * 365 * 56);

TEST(StatusPageTest, EscapesEverythingHtmlCares) {
  EXPECT_EQ(HtmlEscape(R"(<a href="x">'&'</a>)"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

TEST(StatusPageTest, PhoneControlledValuesCannotInjectMarkup) {
  Account a;
  a.name = "demo-bob";
  Binding b;
  b.aor = "demo-bob";
  b.contact = "sip:demo-bob@127.0.0.1:5062;x=<b>";
  b.received = {sip::TransportKind::kUdp, "127.0.0.1", 5062};
  b.expires_at = kNow + std::chrono::seconds(60);
  b.user_agent = "<script>alert(1)</script>";
  const std::string page = FormatStatusPage({{&a, {b}, {}, {}}}, kNow);
  EXPECT_EQ(page.find("<script>"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(page.find("x=&lt;b&gt;"), std::string::npos);
  EXPECT_NE(page.find("<td>60 s</td>"), std::string::npos);
}

TEST(StatusPageTest, UnregisteredPeerIsUnspecified) {
  Account a;
  a.name = "demo-alice";
  const std::string page = FormatStatusPage({{&a, {}, {}, {}}}, kNow);
  EXPECT_NE(page.find("(Unspecified)"), std::string::npos);
  EXPECT_NE(page.find("1 sip peers, 0 online"), std::string::npos);
}

}  // namespace
}  // namespace sipreg::registrar
