#include "sip/parser.h"

#include <gtest/gtest.h>

#include <cctype>
#include <string>
#include <utility>

#include "sip/header_id.h"

namespace sipreg::sip {
namespace {

// A REGISTER as a phone sends it; tests splice extra header lines in before Content-Length.
std::string Register(std::string_view extra_headers = "", std::string_view body = "") {
  std::string m =
      "REGISTER sip:registrar.example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n"
      "Max-Forwards: 70\r\n"
      "To: Alice <sip:alice@example.com>\r\n"
      "From: Alice <sip:alice@example.com>;tag=1928301774\r\n"
      "Call-ID: a84b4c76e66710@pc33.example.com\r\n"
      "CSeq: 314159 REGISTER\r\n"
      "Contact: <sip:alice@192.0.2.10:5060>;expires=3600\r\n";
  m += extra_headers;
  m += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  m += body;
  return m;
}

Status ParseStatus(std::string_view text, const ParseLimits& limits = {}) {
  return Parse(text, limits).status();
}

TEST(ParserTest, ParsesRequestLineAndHeaders) {
  Result<Message> m = Parse(Register());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(m->is_request());
  EXPECT_EQ(m->method(), Method::kRegister);
  EXPECT_EQ(m->method_name(), "REGISTER");
  EXPECT_EQ(m->request_uri(), "sip:registrar.example.com");
  EXPECT_EQ(m->version(), "SIP/2.0");
  EXPECT_EQ(m->headers().size(), 8u);
  EXPECT_EQ(m->call_id(), "a84b4c76e66710@pc33.example.com");
  EXPECT_EQ(m->cseq(), "314159 REGISTER");
  EXPECT_EQ(m->from(), "Alice <sip:alice@example.com>;tag=1928301774");
  EXPECT_EQ(m->to(), "Alice <sip:alice@example.com>");
  EXPECT_EQ(m->top_via(), "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport");
  EXPECT_TRUE(m->body().empty());
}

TEST(ParserTest, ParsesStatusLine) {
  Result<Message> m = Parse(
      "SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
      "CSeq: 1 REGISTER\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_TRUE(m->is_response());
  EXPECT_EQ(m->status_code(), 401);
  EXPECT_EQ(m->reason_phrase(), "Unauthorized");
}

TEST(ParserTest, EmptyReasonPhraseIsAccepted) {
  Result<Message> m = Parse("SIP/2.0 100 \r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->status_code(), 100);
  EXPECT_EQ(m->reason_phrase(), "");
  // Leniently also without the SP after the code.
  EXPECT_TRUE(Parse("SIP/2.0 180\r\nContent-Length: 0\r\n\r\n").ok());
}

TEST(ParserTest, ReasonPhraseKeepsSpacesAndUtf8) {
  Result<Message> m = Parse("SIP/2.0 200 Very \xd0\xbe\xd0\xba  ok\r\nl: 0\r\n\r\n");
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->reason_phrase(), "Very \xd0\xbe\xd0\xba  ok");
}

TEST(ParserTest, RejectsBadVersions) {
  Status st = ParseStatus("OPTIONS sip:a@b SIP/3.0\r\n\r\n");
  EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(st.message().find("unsupported SIP version"), std::string::npos) << st.message();
  st = ParseStatus("OPTIONS sip:a@b HTTP/1.1\r\n\r\n");
  EXPECT_NE(st.message().find("malformed SIP version"), std::string::npos) << st.message();
  st = ParseStatus("SIP/2.1 200 OK\r\n\r\n");
  EXPECT_NE(st.message().find("unsupported SIP version"), std::string::npos) << st.message();
  st = ParseStatus("SIP/ 200 OK\r\n\r\n");
  EXPECT_NE(st.message().find("malformed SIP version"), std::string::npos) << st.message();
}

TEST(ParserTest, VersionIsCaseInsensitive) {
  std::string m = Register();
  m.replace(m.find("SIP/2.0\r\n"), 7, "sip/2.0");
  EXPECT_TRUE(Parse(m).ok());
}

TEST(ParserTest, RejectsBadStatusCodes) {
  for (std::string_view line : {"SIP/2.0 20 OK", "SIP/2.0 2000 OK", "SIP/2.0 099 Low",
                                "SIP/2.0 700 High", "SIP/2.0 2x0 OK", "SIP/2.0 4294967301 Big"}) {
    Status st = ParseStatus(std::string(line) + "\r\nContent-Length: 0\r\n\r\n");
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << line;
    EXPECT_NE(st.message().find("status code"), std::string::npos) << st.message();
  }
  EXPECT_NE(ParseStatus("SIP/2.0\r\n\r\n").message().find("missing status code"),
            std::string::npos);
}

TEST(ParserTest, RejectsMissingRequestLineParts) {
  EXPECT_NE(ParseStatus("INVITE\r\n\r\n").message().find("missing Request-URI"), std::string::npos);
  EXPECT_NE(ParseStatus("INVITE sip:a@b\r\n\r\n").message().find("missing SIP version"),
            std::string::npos);
  EXPECT_NE(ParseStatus("INVITE  sip:a@b SIP/2.0\r\n\r\n").message().find("empty Request-URI"),
            std::string::npos);
  EXPECT_NE(ParseStatus("INV(TE sip:a@b SIP/2.0\r\n\r\n").message().find("method"),
            std::string::npos);
  EXPECT_NE(ParseStatus("OPTIONS sip:a@b SIP/2.0 \r\n\r\n").message().find("whitespace"),
            std::string::npos);
}

TEST(ParserTest, RejectsMalformedRequestUri) {
  std::string m = Register();
  const size_t uri_at = m.find("sip:registrar.example.com");
  auto with_uri = [&](std::string_view uri) {
    std::string copy = m;
    copy.replace(uri_at, 25, uri);
    return ParseStatus(copy);
  };
  EXPECT_FALSE(with_uri("<sip:registrar.example.com>").ok());
  EXPECT_FALSE(with_uri("sip:registrar.example.com:99999").ok());
  EXPECT_FALSE(with_uri("sip:registrar.example.com?Route=x").ok());
  EXPECT_FALSE(with_uri("registrar.example.com").ok());
  EXPECT_TRUE(with_uri("urn:service:sos").ok());  // other schemes are opaque
  EXPECT_TRUE(with_uri("sips:[2001:db8::1]:5061;transport=tls").ok());
}

TEST(ParserTest, HeaderNamesAreCaseInsensitive) {
  Result<Message> m = Parse(Register("x-CUSTOM-thing: yes\r\n"));
  ASSERT_TRUE(m.ok());
  EXPECT_NE(m->Find("call-id"), nullptr);
  EXPECT_NE(m->Find("CALL-ID"), nullptr);
  EXPECT_NE(m->Find("i"), nullptr);  // compact form finds the full one
  ASSERT_NE(m->Find("X-Custom-Thing"), nullptr);
  EXPECT_EQ(m->Find("X-Custom-Thing")->value, "yes");
  EXPECT_EQ(m->Find("X-Absent"), nullptr);
}

TEST(ParserTest, CompactFormsMapToTheirHeaders) {
  Result<Message> m = Parse(
      "INVITE sip:bob@example.com SIP/2.0\r\n"
      "v: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKc1\r\n"
      "f: <sip:a@example.com>;tag=1\r\nt: <sip:bob@example.com>\r\ni: compact-1\r\n"
      "CSeq: 1 INVITE\r\nm: <sip:a@192.0.2.1>\r\nk: path, outbound\r\ns: hi\r\n"
      "c: text/plain\r\ne: gzip\r\no: presence\r\nu: presence\r\nr: <sip:c@example.com>\r\n"
      "b: <sip:d@example.com>\r\nx: 1800\r\ny: abc\r\na: *;audio\r\nj: *;video\r\n"
      "d: proxy\r\nl: 2\r\n\r\nhi");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->Value(HeaderId::kVia), "SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKc1");
  EXPECT_EQ(m->call_id(), "compact-1");
  EXPECT_EQ(m->Value(HeaderId::kContact), "<sip:a@192.0.2.1>");
  EXPECT_EQ(m->Value(HeaderId::kSupported), "path, outbound");
  EXPECT_EQ(m->Value(HeaderId::kSubject), "hi");
  EXPECT_EQ(m->Value(HeaderId::kContentType), "text/plain");
  EXPECT_EQ(m->Value(HeaderId::kContentEncoding), "gzip");
  EXPECT_EQ(m->Value(HeaderId::kEvent), "presence");
  EXPECT_EQ(m->Value(HeaderId::kAllowEvents), "presence");
  EXPECT_EQ(m->Value(HeaderId::kReferTo), "<sip:c@example.com>");
  EXPECT_EQ(m->Value(HeaderId::kReferredBy), "<sip:d@example.com>");
  EXPECT_EQ(m->Value(HeaderId::kSessionExpires), "1800");
  EXPECT_EQ(m->Value(HeaderId::kIdentity), "abc");
  EXPECT_EQ(m->Value(HeaderId::kAcceptContact), "*;audio");
  EXPECT_EQ(m->Value(HeaderId::kRejectContact), "*;video");
  EXPECT_EQ(m->Value(HeaderId::kRequestDisposition), "proxy");
  EXPECT_EQ(m->body(), "hi");
  EXPECT_EQ(m->Find(HeaderId::kVia)->name, "v");  // name kept as written
}

TEST(ParserTest, ListHeadersSplitAcrossLinesAndCommas) {
  Result<Message> m =
      Parse(Register("Via: SIP/2.0/TCP p1.example.com;branch=z9hG4bKa, SIP/2.0/TCP "
                     "p2.example.com;branch=z9hG4bKb\r\n"
                     "Route: <sip:p1.example.com;lr>, \"Edge, West\" <sip:p2.example.com;lr>\r\n"
                     "Route: <sip:p3.example.com;lr;x=\"a,b\">\r\n"
                     "Allow: INVITE, ACK,BYE\r\n"));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  std::vector<std::string_view> vias = m->Values(HeaderId::kVia);
  ASSERT_EQ(vias.size(), 3u);
  EXPECT_EQ(vias[1], "SIP/2.0/TCP p1.example.com;branch=z9hG4bKa");
  EXPECT_EQ(vias[2], "SIP/2.0/TCP p2.example.com;branch=z9hG4bKb");
  std::vector<std::string_view> routes = m->Values(HeaderId::kRoute);
  ASSERT_EQ(routes.size(), 3u);
  EXPECT_EQ(routes[1], "\"Edge, West\" <sip:p2.example.com;lr>");
  EXPECT_EQ(routes[2], "<sip:p3.example.com;lr;x=\"a,b\">");
  EXPECT_EQ(m->Values(HeaderId::kAllow), (std::vector<std::string_view>{"INVITE", "ACK", "BYE"}));
  EXPECT_EQ(m->Count(HeaderId::kVia), 2u);
  // Non-list headers are not split even if they contain commas.
  EXPECT_EQ(m->Values(HeaderId::kTo).size(), 1u);
}

TEST(ParserTest, FoldedLinesAreUnfoldedInTheOwnedBuffer) {
  std::string text = Register("Subject: first part\r\n  second part\r\n\tthird\r\n");
  text.replace(text.find("CSeq: 314159 REGISTER"), 21, "CSeq: 314159\r\n REGISTER");
  Result<Message> m = Parse(text);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->Value(HeaderId::kSubject), "first part    second part  \tthird");
  EXPECT_EQ(m->cseq(), "314159   REGISTER");
  // The fold was overwritten in place: the view is inside raw() and raw() has
  // the same length as the input.
  EXPECT_EQ(m->raw().size(), text.size());
  const char* v = m->Value(HeaderId::kSubject).data();
  EXPECT_TRUE(v >= m->raw().data() && v < m->raw().data() + m->raw().size());
}

TEST(ParserTest, ContinuationWithoutHeaderIsRejected) {
  EXPECT_NE(
      ParseStatus("OPTIONS sip:a@b SIP/2.0\r\n folded: x\r\n\r\n").message().find("continuation"),
      std::string::npos);
}

TEST(ParserTest, LeadingCrlfsAreSkipped) {
  Result<Message> m = Parse("\r\n\r\n\n" + Register());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->method(), Method::kRegister);
}

TEST(ParserTest, LfOnlyLineEndingsAreAccepted) {
  std::string text = Register("", "body");
  std::string lf;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text.compare(i, 2, "\r\n") == 0) continue;
    lf += text[i];
  }
  Result<Message> m = Parse(lf);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->call_id(), "a84b4c76e66710@pc33.example.com");
  EXPECT_EQ(m->body(), "body");
}

TEST(ParserTest, HeaderWithoutColonIsRejected) {
  EXPECT_NE(ParseStatus(Register("NoColonHere\r\n")).message().find("without ':'"),
            std::string::npos);
  EXPECT_NE(ParseStatus(Register("Bad Name: x\r\n")).message().find("header name"),
            std::string::npos);
  EXPECT_NE(ParseStatus(Register(": x\r\n")).message().find("header name"), std::string::npos);
}

TEST(ParserTest, SpaceBeforeColonAndEmptyValuesAreAccepted) {
  Result<Message> m = Parse(Register("Subject   :\r\nX-Empty:\r\n"));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  ASSERT_NE(m->Find(HeaderId::kSubject), nullptr);
  EXPECT_EQ(m->Find(HeaderId::kSubject)->name, "Subject");
  EXPECT_EQ(m->Value(HeaderId::kSubject), "");
}

TEST(ParserTest, MissingEmptyLineIsRejected) {
  std::string text = Register();
  text.resize(text.size() - 2);
  EXPECT_NE(ParseStatus(text).message().find("not terminated"), std::string::npos);
  EXPECT_NE(ParseStatus("OPTIONS sip:a@b SIP/2.0").message().find("not terminated"),
            std::string::npos);
  EXPECT_NE(ParseStatus("\r\n\r\n").message().find("empty"), std::string::npos);
}

TEST(ParserTest, MissingMandatoryHeadersAreNamed) {
  for (std::string_view name : {"Via", "From", "To", "Call-ID", "CSeq"}) {
    std::string text = Register();
    const size_t at = text.find(std::string(name) + ":");
    ASSERT_NE(at, std::string::npos);
    text.erase(at, text.find("\r\n", at) + 2 - at);
    Status st = ParseStatus(text);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument);
    EXPECT_NE(st.message().find("missing " + std::string(name)), std::string::npos) << st.message();
  }
}

TEST(ParserTest, MaxForwardsIsOptional) {
  std::string text = Register();
  text.erase(text.find("Max-Forwards: 70\r\n"), 18);
  EXPECT_TRUE(Parse(text).ok());
}

TEST(ParserTest, ResponsesNeedNoMandatoryHeaders) {
  EXPECT_TRUE(Parse("SIP/2.0 200 OK\r\n\r\n").ok());
}

TEST(ParserTest, CSeqMethodMustMatchRequestMethod) {
  std::string text = Register();
  text.replace(text.find("314159 REGISTER"), 15, "314159 INVITE");
  EXPECT_NE(ParseStatus(text).message().find("CSeq method"), std::string::npos);
}

TEST(ParserTest, MalformedCSeqIsRejected) {
  std::string text = Register();
  text.replace(text.find("314159 REGISTER"), 15, "REGISTER");
  EXPECT_NE(ParseStatus(text).message().find("CSeq"), std::string::npos);
  EXPECT_FALSE(Parse("SIP/2.0 200 OK\r\nCSeq: abc\r\n\r\n").ok());
}

TEST(ParserTest, DuplicateSingletonHeadersAreRejected) {
  EXPECT_NE(ParseStatus(Register("Call-ID: other\r\n")).message().find("duplicate Call-ID"),
            std::string::npos);
  EXPECT_NE(ParseStatus(Register("t: <sip:x@example.com>\r\n")).message().find("duplicate To"),
            std::string::npos);
}

TEST(ParserTest, ContentLengthFramesTheBody) {
  Result<Message> m = Parse(Register("Content-Type: text/plain\r\n", "hello") + "trailing junk");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->body(), "hello");
  EXPECT_EQ(m->raw().substr(m->raw().size() - 5), "hello");  // junk is not part of raw()
}

TEST(ParserTest, WithoutContentLengthBodyIsRestOfDatagram) {
  std::string text = Register("", "");
  text.erase(text.find("Content-Length: 0\r\n"), 19);
  Result<Message> m = Parse(text + "v=0\r\n");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->body(), "v=0\r\n");
}

TEST(ParserTest, BadContentLengthIsRejected) {
  std::string text = Register("", "abc");
  std::string bigger = text;
  bigger.replace(bigger.find("Content-Length: 3"), 17, "Content-Length: 4");
  EXPECT_NE(ParseStatus(bigger).message().find("larger than"), std::string::npos);
  for (std::string_view bad : {"-3", "3x", "x", "99999999999999999999", ""}) {
    std::string copy = text;
    copy.replace(copy.find("Content-Length: 3"), 17, "Content-Length: " + std::string(bad));
    EXPECT_NE(ParseStatus(copy).message().find("Content-Length"), std::string::npos) << bad;
  }
  EXPECT_NE(ParseStatus(Register("l: 1\r\n", "abc")).message().find("conflicting"),
            std::string::npos);
  EXPECT_TRUE(Parse(Register("l: 3\r\n", "abc")).ok());  // agreeing duplicates are fine
}

TEST(ParserTest, MessageSizeLimitIsNamed) {
  ParseLimits limits;
  limits.max_message_bytes = 100;
  Status st = ParseStatus(Register(), limits);
  EXPECT_EQ(st.code(), StatusCode::kLimitExceeded);
  EXPECT_NE(st.message().find("max_message_bytes"), std::string::npos);
}

TEST(ParserTest, HeaderCountLimitIsNamed) {
  ParseLimits limits;
  limits.max_headers = 5;
  Status st = ParseStatus(Register(), limits);
  EXPECT_EQ(st.code(), StatusCode::kLimitExceeded);
  EXPECT_NE(st.message().find("max_headers"), std::string::npos);
  limits.max_headers = 8;
  EXPECT_TRUE(Parse(Register(), limits).ok());
}

TEST(ParserTest, LineLengthLimitIsNamed) {
  ParseLimits limits;
  limits.max_line_bytes = 64;
  Status st = ParseStatus(Register("X-Long: " + std::string(60, 'a') + "\r\n"), limits);
  EXPECT_EQ(st.code(), StatusCode::kLimitExceeded);
  EXPECT_NE(st.message().find("max_line_bytes"), std::string::npos);
  // Folding does not get around the limit: it applies to the unfolded line.
  st = ParseStatus(
      Register("X-Long: " + std::string(40, 'a') + "\r\n " + std::string(40, 'b') + "\r\n"),
      limits);
  EXPECT_EQ(st.code(), StatusCode::kLimitExceeded);
  limits.max_line_bytes = 20;
  st = ParseStatus(Register(), limits);
  EXPECT_NE(st.message().find("start line exceeds max_line_bytes"), std::string::npos);
}

TEST(ParserTest, ViewsStayValidAfterMovingTheMessage) {
  Result<Message> r = Parse(Register("", "payload"));
  ASSERT_TRUE(r.ok());
  Message a = std::move(r).value();
  std::string_view call_id = a.call_id();
  Message b = std::move(a);
  EXPECT_EQ(b.call_id().data(), call_id.data());
  EXPECT_EQ(b.call_id(), "a84b4c76e66710@pc33.example.com");
  EXPECT_EQ(b.body(), "payload");
  for (const Header& h : b.headers()) {
    EXPECT_GE(h.name.data(), b.raw().data());
    EXPECT_LE(h.value.data() + h.value.size(), b.raw().data() + b.raw().size());
  }
}

TEST(ParserTest, BinaryBytesInValuesAndBodyAreKept) {
  std::string body("\0\xff\r\n\0", 5);
  Result<Message> m = Parse(Register(std::string("X-Bin: a\0b\x7f\r\n", 13), body));
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->Find("X-Bin")->value, std::string_view("a\0b\x7f", 4));
  EXPECT_EQ(m->body(), body);
}

TEST(ParserTest, ExtensionMethodsKeepTheirName) {
  Result<Message> m = Parse(
      "FOO.BAR sip:a@example.com SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
      "From: <sip:b@example.com>;tag=1\r\nTo: <sip:a@example.com>\r\nCall-ID: x\r\n"
      "CSeq: 2 FOO.BAR\r\n\r\n");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->method(), Method::kUnknown);
  EXPECT_EQ(m->method_name(), "FOO.BAR");
}

TEST(ParserTest, MethodNamesAreCaseSensitive) {
  EXPECT_EQ(LookupMethod("INVITE"), Method::kInvite);
  EXPECT_EQ(LookupMethod("invite"), Method::kUnknown);
  for (Method m :
       {Method::kInvite, Method::kAck, Method::kBye, Method::kCancel, Method::kRegister,
        Method::kOptions, Method::kInfo, Method::kUpdate, Method::kPrack, Method::kSubscribe,
        Method::kNotify, Method::kRefer, Method::kMessage, Method::kPublish}) {
    EXPECT_EQ(LookupMethod(MethodName(m)), m) << MethodName(m);
  }
  EXPECT_EQ(MethodName(Method::kUnknown), "");
}

TEST(HeaderIdTest, EveryCanonicalNameLooksUpToItsId) {
  for (int i = 1; i < static_cast<int>(HeaderId::kCount); ++i) {
    const auto id = static_cast<HeaderId>(i);
    std::string name(CanonicalHeaderName(id));
    ASSERT_FALSE(name.empty()) << i;
    EXPECT_EQ(LookupHeaderId(name), id) << name;
    for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(LookupHeaderId(name), id) << name;
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    EXPECT_EQ(LookupHeaderId(name), id) << name;
  }
}

TEST(HeaderIdTest, CompactFormsAndUnknownNames) {
  EXPECT_EQ(LookupHeaderId("V"), HeaderId::kVia);
  EXPECT_EQ(LookupHeaderId("l"), HeaderId::kContentLength);
  EXPECT_EQ(LookupHeaderId("y"), HeaderId::kIdentity);
  EXPECT_EQ(LookupHeaderId("z"), HeaderId::kOther);
  EXPECT_EQ(LookupHeaderId("g"), HeaderId::kOther);
  EXPECT_EQ(LookupHeaderId(""), HeaderId::kOther);
  EXPECT_EQ(LookupHeaderId("Vi"), HeaderId::kOther);
  EXPECT_EQ(LookupHeaderId("Call-IDs"), HeaderId::kOther);
  EXPECT_EQ(LookupHeaderId("X-Via"), HeaderId::kOther);
  EXPECT_EQ(CanonicalHeaderName(HeaderId::kOther), "");
  EXPECT_TRUE(IsListHeader(HeaderId::kVia));
  EXPECT_TRUE(IsListHeader(HeaderId::kAllowEvents));
  EXPECT_FALSE(IsListHeader(HeaderId::kAuthorization));
  EXPECT_FALSE(IsListHeader(HeaderId::kTo));
}

TEST(CheckHeaderSyntaxTest, AcceptsAWellFormedRegister) {
  Result<Message> m = Parse(Register("Route: <sip:edge.example.com;lr>\r\nExpires: 600\r\n"));
  ASSERT_TRUE(m.ok());
  EXPECT_TRUE(CheckHeaderSyntax(*m).ok()) << CheckHeaderSyntax(*m).ToString();
}

TEST(CheckHeaderSyntaxTest, NamesTheBrokenHeader) {
  struct Case {
    std::string_view header;
    std::string_view expect;
  } cases[] = {
      {"Via: SIP/2.0/UDP\r\n", "Via"},
      {"Route: <sip:edge.example.com;lr\r\n", "Route"},
      {"Record-Route: <sip:a b>\r\n", "Record-Route"},
      {"Contact: *, <sip:b@example.com>\r\n", "Contact"},
      {"Expires: soon\r\n", "Expires"},
      {"Max-Forwards: -1\r\n", "Max-Forwards"},
  };
  for (const Case& c : cases) {
    Result<Message> m = Parse(Register(c.header));
    ASSERT_TRUE(m.ok()) << c.header;
    Status st = CheckHeaderSyntax(*m);
    EXPECT_EQ(st.code(), StatusCode::kInvalidArgument) << c.header;
    EXPECT_NE(st.message().find(c.expect), std::string::npos) << st.message();
  }
  std::string bad_from = Register();
  bad_from.replace(bad_from.find("From: Alice"), 11, "From: \"Alice");
  Result<Message> m = Parse(bad_from);
  ASSERT_TRUE(m.ok());
  EXPECT_NE(CheckHeaderSyntax(*m).message().find("From"), std::string::npos);
}

}  // namespace
}  // namespace sipreg::sip
