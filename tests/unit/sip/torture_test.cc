// RFC 4475 torture corpus. Every file in SIPREG_TORTURE_DIR is one datagram:
//   NAME.valid.sip    must pass Parse() and CheckHeaderSyntax() and round-trip
//                     through Serialize();
//   NAME.invalid.sip  must be rejected by Parse() or CheckHeaderSyntax(), unless
//                     NAME.accepted.txt explains why RFC 4475 lets a parser accept
//                     it (the rejection then belongs to a higher layer).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "sip/contact.h"
#include "sip/name_addr.h"
#include "sip/parser.h"
#include "sip/serializer.h"
#include "sip/uri.h"
#include "sip/via.h"

#ifndef SIPREG_TORTURE_DIR
#error "SIPREG_TORTURE_DIR must point at tests/unit/sip/torture"
#endif

namespace sipreg::sip {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Torture(std::string_view name) {
  return ReadFile(fs::path(SIPREG_TORTURE_DIR) / std::string(name));
}

std::vector<fs::path> CorpusFiles(std::string_view suffix) {
  std::vector<fs::path> out;
  for (const auto& entry : fs::directory_iterator(SIPREG_TORTURE_DIR)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > suffix.size() && name.ends_with(suffix)) out.push_back(entry.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string BaseName(const fs::path& p) {
  const std::string name = p.filename().string();
  return name.substr(0, name.find('.'));
}

Status ParseAndCheck(std::string_view bytes) {
  Result<Message> m = Parse(bytes);
  if (!m.ok()) return m.status();
  return CheckHeaderSyntax(*m);
}

TEST(TortureTest, ValidMessagesParseAndRoundTrip) {
  const std::vector<fs::path> files = CorpusFiles(".valid.sip");
  ASSERT_GE(files.size(), 13u) << "corpus not found in " << SIPREG_TORTURE_DIR;
  for (const fs::path& p : files) {
    SCOPED_TRACE(p.filename().string());
    const std::string bytes = ReadFile(p);
    Result<Message> a = Parse(bytes);
    ASSERT_TRUE(a.ok()) << a.status().ToString();
    EXPECT_TRUE(CheckHeaderSyntax(*a).ok()) << CheckHeaderSyntax(*a).ToString();
    const std::string once = Serialize(*a);
    Result<Message> b = Parse(once);
    ASSERT_TRUE(b.ok()) << b.status().ToString();
    EXPECT_EQ(a->method_name(), b->method_name());
    EXPECT_EQ(a->request_uri(), b->request_uri());
    EXPECT_EQ(a->status_code(), b->status_code());
    EXPECT_EQ(a->reason_phrase(), b->reason_phrase());
    EXPECT_EQ(a->body(), b->body());
    size_t ia = 0;
    size_t ib = 0;
    while (true) {
      while (ia < a->headers().size() && a->headers()[ia].id == HeaderId::kContentLength) ++ia;
      while (ib < b->headers().size() && b->headers()[ib].id == HeaderId::kContentLength) ++ib;
      if (ia == a->headers().size() || ib == b->headers().size()) break;
      EXPECT_EQ(a->headers()[ia].name, b->headers()[ib].name);
      EXPECT_EQ(a->headers()[ia].value, b->headers()[ib].value);
      ++ia;
      ++ib;
    }
    EXPECT_EQ(ia, a->headers().size());
    EXPECT_EQ(ib, b->headers().size());
    EXPECT_EQ(Serialize(*b), once);
  }
}

TEST(TortureTest, InvalidMessagesAreRejectedOrDocumented) {
  const std::vector<fs::path> files = CorpusFiles(".invalid.sip");
  ASSERT_GE(files.size(), 20u) << "corpus not found in " << SIPREG_TORTURE_DIR;
  for (const fs::path& p : files) {
    SCOPED_TRACE(p.filename().string());
    const fs::path note = p.parent_path() / (BaseName(p) + ".accepted.txt");
    const Status st = ParseAndCheck(ReadFile(p));
    if (fs::exists(note)) {
      EXPECT_TRUE(st.ok()) << "documented as accepted but rejected: " << st.ToString();
      EXPECT_FALSE(ReadFile(note).empty());
    } else {
      EXPECT_FALSE(st.ok()) << "accepted without an .accepted.txt note";
      EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
    }
  }
}

// Spot checks: the rejections happen for the reason the RFC describes.
TEST(TortureTest, InvalidMessagesFailForTheRightReason) {
  struct Case {
    std::string_view file;
    std::string_view reason;
  } cases[] = {
      {"badinv01.invalid.sip", "Via"},
      {"clerr.invalid.sip", "Content-Length"},
      {"ncl.invalid.sip", "Content-Length"},
      {"scalar02.invalid.sip", "CSeq number out of range"},
      {"quotbal.invalid.sip", "To"},
      {"ltgtruri.invalid.sip", "Request-URI"},
      {"lwsruri.invalid.sip", "whitespace"},
      {"lwsstart.invalid.sip", "empty Request-URI"},
      {"trws.invalid.sip", "whitespace"},
      {"escruri.invalid.sip", "Request-URI must not contain headers"},
      {"regbadct.invalid.sip", "Contact"},
      {"badaspec.invalid.sip", "To"},
      {"baddn.invalid.sip", "From"},
      {"badvers.invalid.sip", "unsupported SIP version"},
      {"mismatch01.invalid.sip", "CSeq method"},
      {"mismatch02.invalid.sip", "CSeq method"},
      {"bigcode.invalid.sip", "status code"},
      {"insuf.invalid.sip", "missing"},
      {"unksm2.invalid.sip", "unsupported URI scheme"},
      {"multi01.invalid.sip", "duplicate"},
      {"mcl01.invalid.sip", "conflicting Content-Length"},
  };
  for (const Case& c : cases) {
    const Status st = ParseAndCheck(Torture(c.file));
    EXPECT_FALSE(st.ok()) << c.file;
    EXPECT_NE(st.message().find(c.reason), std::string::npos) << c.file << ": " << st.message();
  }
}

TEST(TortureTest, WsinvFieldsSurviveTheWhitespace) {
  Result<Message> m = Parse(Torture("wsinv.valid.sip"));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->request_uri(), "sip:bob@biloxi.example.com;unknownparam");
  Result<NameAddr> to = ParseNameAddr(m->to());
  ASSERT_TRUE(to.ok());
  EXPECT_EQ(to->tag(), "8321234356");
  Result<NameAddr> from = ParseNameAddr(m->from());
  ASSERT_TRUE(from.ok());
  EXPECT_EQ(from->display_name, R"(Alice \\\"the\" Great)");
  EXPECT_EQ(from->tag(), "9fxced76sl");
  std::vector<std::string_view> vias = m->Values(HeaderId::kVia);
  ASSERT_EQ(vias.size(), 3u);
  EXPECT_EQ(ParseVia(vias[0])->host, "192.0.2.20");
  EXPECT_EQ(ParseVia(vias[1])->transport, "TCP");
  EXPECT_EQ(ParseVia(vias[2])->branch(), "z9hG4bK30239");
  Result<ContactList> contacts = ParseContacts(m->Value(HeaderId::kContact));
  ASSERT_TRUE(contacts.ok());
  EXPECT_DOUBLE_EQ(*contacts->contacts[0].q(), 0.33);
  EXPECT_EQ(contacts->contacts[0].addr.params.Get("newparam"), "newvalue");
  EXPECT_EQ(m->Value(HeaderId::kSubject), "");
  EXPECT_EQ(m->Find("UnknownHeaderWithUnusualValue")->value, ";;,,;;,;");
  EXPECT_EQ(m->Value(HeaderId::kMaxForwards), "0070");
  EXPECT_EQ(m->body().size(), 136u);
}

TEST(TortureTest, IntmethKeepsEveryTokenCharacter) {
  Result<Message> m = Parse(Torture("intmeth.valid.sip"));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->method_name(), "!interesting-Method0123456789_*+`.%indeed'~");
  EXPECT_EQ(m->method(), Method::kUnknown);
  Result<Uri> uri = ParseUri(m->request_uri());
  ASSERT_TRUE(uri.ok());
  EXPECT_EQ(uri->user, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  EXPECT_EQ(uri->password, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
  Result<NameAddr> to = ParseNameAddr(m->to());
  ASSERT_TRUE(to.ok());
  EXPECT_EQ(to->display_name, std::string_view("BEL:\\\x07 NUL:\\\0 DEL:\\\x7f", 20));
  EXPECT_EQ(m->call_id(), "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
}

TEST(TortureTest, EscapedNamesAreNotTheirUnescapedTwins) {
  Result<Message> m = Parse(Torture("esc02.valid.sip"));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->method(), Method::kUnknown);  // RE%47IST%45R is not REGISTER
  EXPECT_EQ(m->Count(HeaderId::kContact), 2u);
  ASSERT_NE(m->Find("C%6Fntact"), nullptr);
  EXPECT_EQ(ParseNameAddr(m->to())->display_name, "%Z%45");

  Result<Message> esc01 = Parse(Torture("esc01.valid.sip"));
  ASSERT_TRUE(esc01.ok());
  Result<Uri> ruri = ParseUri(esc01->request_uri());
  ASSERT_TRUE(ruri.ok());
  EXPECT_EQ(*Unescape(ruri->user), "sips:user@example.com");
  EXPECT_EQ(*Unescape(ParseNameAddr(esc01->to())->uri.user), "user");

  Result<Message> escnull = Parse(Torture("escnull.valid.sip"));
  ASSERT_TRUE(escnull.ok());
  EXPECT_EQ(*Unescape(ParseNameAddr(escnull->to())->uri.user), std::string("null-\0-null", 11));
}

TEST(TortureTest, DatagramTailAfterContentLengthIsIgnored) {
  Result<Message> m = Parse(Torture("dblreq.valid.sip"));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->method(), Method::kRegister);
  EXPECT_TRUE(m->body().empty());
  EXPECT_EQ(m->raw().find("INVITE"), std::string_view::npos);
}

TEST(TortureTest, ReasonPhrases) {
  Result<Message> noreason = Parse(Torture("noreason.valid.sip"));
  ASSERT_TRUE(noreason.ok());
  EXPECT_EQ(noreason->reason_phrase(), "");
  Result<Message> unreason = Parse(Torture("unreason.valid.sip"));
  ASSERT_TRUE(unreason.ok());
  EXPECT_EQ(unreason->reason_phrase().substr(0, 14), "= 2**3 * 5**2 ");
}

TEST(TortureTest, MultipartBodyWithBinaryOctets) {
  Result<Message> m = Parse(Torture("mpart01.valid.sip"));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_NE(m->body().find(std::string_view("\0", 1)), std::string_view::npos);
  EXPECT_EQ(std::to_string(m->body().size()), m->Value(HeaderId::kContentLength));
}

TEST(TortureTest, LongRequestHasAllItsVias) {
  Result<Message> m = Parse(Torture("longreq.valid.sip"));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->Values(HeaderId::kVia).size(), 34u);
  EXPECT_EQ(ParseVia(m->top_via())->host, "sip33.example.com");
}

}  // namespace
}  // namespace sipreg::sip
