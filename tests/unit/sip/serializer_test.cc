#include "sip/serializer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sip/name_addr.h"
#include "sip/parser.h"

namespace sipreg::sip {
namespace {

constexpr std::string_view kRegister =
    "REGISTER sip:registrar.example.com SIP/2.0\r\n"
    "Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bKnashds7, SIP/2.0/TCP "
    "192.0.2.11;branch=z9hG4bKb\r\n"
    "v: SIP/2.0/UDP 192.0.2.12;branch=z9hG4bKc\r\n"
    "Max-Forwards: 70\r\n"
    "To: Bob <sip:bob@example.com>\r\n"
    "From: Bob <sip:bob@example.com>;tag=456248\r\n"
    "Call-ID: 843817637684230@998sdasdh09\r\n"
    "CSeq: 1826 REGISTER\r\n"
    "Contact: <sip:bob@192.0.2.4>\r\n"
    "Expires: 7200\r\n"
    "Content-Length: 0\r\n\r\n";

Message MustParse(std::string_view text) {
  Result<Message> m = Parse(text);
  EXPECT_TRUE(m.ok()) << m.status().ToString() << "\n" << text;
  return m.ok() ? std::move(m).value() : Message();
}

// Parse(Serialize(m)) must give the same start line, headers (minus
// Content-Length, which is recomputed) and body.
void ExpectEquivalent(const Message& a, const Message& b) {
  EXPECT_EQ(a.is_request(), b.is_request());
  EXPECT_EQ(a.method_name(), b.method_name());
  EXPECT_EQ(a.request_uri(), b.request_uri());
  EXPECT_EQ(a.status_code(), b.status_code());
  EXPECT_EQ(a.reason_phrase(), b.reason_phrase());
  EXPECT_EQ(a.body(), b.body());
  std::vector<std::pair<std::string_view, std::string_view>> ha, hb;
  for (const Header& h : a.headers()) {
    if (h.id != HeaderId::kContentLength) ha.emplace_back(h.name, h.value);
  }
  for (const Header& h : b.headers()) {
    if (h.id != HeaderId::kContentLength) hb.emplace_back(h.name, h.value);
  }
  EXPECT_EQ(ha, hb);
  EXPECT_EQ(b.Value(HeaderId::kContentLength), std::to_string(b.body().size()));
}

TEST(SerializerTest, BuildsRequestWithContentLengthLast) {
  std::string text = MessageBuilder::Request("OPTIONS", "sip:bob@example.com")
                         .AddHeader("Via", "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1")
                         .AddHeader("Max-Forwards", "70")
                         .Build();
  EXPECT_EQ(text,
            "OPTIONS sip:bob@example.com SIP/2.0\r\n"
            "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1\r\n"
            "Max-Forwards: 70\r\n"
            "Content-Length: 0\r\n\r\n");
}

TEST(SerializerTest, BodySetsContentTypeAndLength) {
  MessageBuilder b = MessageBuilder::Response(200, "OK");
  b.SetBody("application/sdp", "v=0\r\n");
  std::string text = b.Build();
  EXPECT_NE(text.find("Content-Type: application/sdp\r\n"), std::string::npos);
  EXPECT_NE(text.find("Content-Length: 5\r\n\r\nv=0\r\n"), std::string::npos);
  b.SetBody("", "");
  EXPECT_EQ(b.Build(), "SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n");
}

TEST(SerializerTest, ContentLengthCannotBeSetByHand) {
  MessageBuilder b = MessageBuilder::Request("MESSAGE", "sip:a@example.com");
  b.AddHeader("Content-Length", "999").PrependHeader("l", "5").SetHeader("content-length", "1");
  b.SetBody("text/plain", "hello");
  EXPECT_EQ(b.headers().size(), 1u);  // only Content-Type
  std::string text = b.Build();
  EXPECT_EQ(text.find("999"), std::string::npos);
  EXPECT_NE(text.find("Content-Length: 5\r\n"), std::string::npos);
}

TEST(SerializerTest, RemoveAndSetMatchCompactForms) {
  MessageBuilder b = MessageBuilder::From(MustParse(kRegister));
  b.RemoveHeader("VIA");
  for (const auto& [name, value] : b.headers()) {
    EXPECT_NE(LookupHeaderId(name), HeaderId::kVia) << name;
  }
  b.SetHeader("expires", "60");
  b.SetHeader("X-New", "1");
  b.PrependHeader("Via", "SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKtop");
  Result<Message> m = Parse(b.Build());
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->Value(HeaderId::kExpires), "60");
  EXPECT_EQ(m->Find("x-new")->value, "1");
  EXPECT_EQ(m->headers().front().id, HeaderId::kVia);
  EXPECT_EQ(m->Values(HeaderId::kVia).size(), 1u);
}

TEST(SerializerTest, LineBreaksInInputCannotInjectHeaders) {
  std::string text = MessageBuilder::Response(200, "OK\r\nX-Evil: 1")
                         .AddHeader("Subject", "hi\r\nX-Evil: 2")
                         .Build();
  Result<Message> m = Parse(text);
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->Find("X-Evil"), nullptr);
  EXPECT_EQ(m->Value(HeaderId::kSubject), "hi  X-Evil: 2");
}

TEST(SerializerTest, SerializeRoundTrips) {
  const std::string_view messages[] = {
      kRegister,
      "SIP/2.0 401 Unauthorized\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
      "WWW-Authenticate: Digest realm=\"example.com\", nonce=\"abc\", algorithm=MD5, "
      "qop=\"auth\"\r\n"
      "CSeq: 1 REGISTER\r\nl: 0\r\n\r\n",
      "INVITE sip:bob@example.com SIP/2.0\r\nv: SIP/2.0/UDP a;branch=z9hG4bK2\r\n"
      "f: <sip:a@example.com>;tag=1\r\nt: sip:bob@example.com\r\ni: 77\r\nCSeq: 9 INVITE\r\n"
      "X-Folded: one\r\n two\r\nc: application/sdp\r\n\r\nv=0\r\no=- 1 1 IN IP4 192.0.2.1\r\n",
      "\r\nSIP/2.0 100 \r\nVia: SIP/2.0/UDP h;branch=z9hG4bK3\r\n\r\n",
      "SIP/2.0 200 OK\nVia: SIP/2.0/UDP h;branch=z9hG4bK4\nContent-Length: 4\n\nab\r\n",
  };
  for (std::string_view text : messages) {
    Message a = MustParse(text);
    std::string once = Serialize(a);
    Message b = MustParse(once);
    ExpectEquivalent(a, b);
    EXPECT_EQ(Serialize(b), once);  // serialization is a fixed point
  }
}

TEST(SerializerTest, FromMessageBuildsTheSameText) {
  Message m = MustParse(kRegister);
  EXPECT_EQ(MessageBuilder::From(m).Build(), Serialize(m));
}

TEST(SerializerTest, MakeResponseCopiesDialogHeaders) {
  Message req = MustParse(kRegister);
  MessageBuilder b = MakeResponse(req, 200, {}, "srvtag");
  Result<Message> resp = Parse(b.Build());
  ASSERT_TRUE(resp.ok()) << resp.status().ToString();
  EXPECT_EQ(resp->status_code(), 200);
  EXPECT_EQ(resp->reason_phrase(), "OK");
  EXPECT_EQ(resp->Values(HeaderId::kVia), req.Values(HeaderId::kVia));  // all, in order
  EXPECT_EQ(resp->Count(HeaderId::kVia), 2u);
  EXPECT_EQ(resp->from(), req.from());
  EXPECT_EQ(resp->to(), "Bob <sip:bob@example.com>;tag=srvtag");
  EXPECT_EQ(resp->call_id(), req.call_id());
  EXPECT_EQ(resp->cseq(), req.cseq());
  EXPECT_EQ(resp->Find(HeaderId::kContact), nullptr);
  EXPECT_EQ(resp->Find(HeaderId::kExpires), nullptr);
}

TEST(SerializerTest, MakeResponseKeepsAnExistingToTag) {
  std::string text(kRegister);
  text.replace(text.find("To: Bob <sip:bob@example.com>"), 29,
               "To: Bob <sip:bob@example.com>;tag=old");
  Message req = MustParse(text);
  Result<Message> resp = Parse(MakeResponse(req, 486, {}, "new").Build());
  ASSERT_TRUE(resp.ok());
  EXPECT_EQ(resp->to(), "Bob <sip:bob@example.com>;tag=old");
  EXPECT_EQ(resp->reason_phrase(), "Busy Here");
  Result<Message> custom = Parse(MakeResponse(req, 299, "Whatever").Build());
  ASSERT_TRUE(custom.ok());
  EXPECT_EQ(custom->reason_phrase(), "Whatever");
  EXPECT_EQ(custom->to(), "Bob <sip:bob@example.com>;tag=old");
}

TEST(SerializerTest, MakeResponseDoesNotDoubleTagAnUnparseableTo) {
  std::string text(kRegister);
  text.replace(text.find("To: Bob <sip:bob@example.com>"), 29, "To: <weird:x> ; TAG = t1");
  Message req = MustParse(text);
  Result<Message> resp = Parse(MakeResponse(req, 200, {}, "new").Build());
  ASSERT_TRUE(resp.ok());
  EXPECT_EQ(resp->to(), "<weird:x> ; TAG = t1");
}

TEST(SerializerTest, DefaultReasons) {
  EXPECT_EQ(DefaultReason(100), "Trying");
  EXPECT_EQ(DefaultReason(200), "OK");
  EXPECT_EQ(DefaultReason(302), "Moved Temporarily");
  EXPECT_EQ(DefaultReason(401), "Unauthorized");
  EXPECT_EQ(DefaultReason(407), "Proxy Authentication Required");
  EXPECT_EQ(DefaultReason(423), "Interval Too Brief");
  EXPECT_EQ(DefaultReason(429), "Provide Referrer Identity");
  EXPECT_EQ(DefaultReason(439), "First Hop Lacks Outbound Support");
  EXPECT_EQ(DefaultReason(481), "Call/Transaction Does Not Exist");
  EXPECT_EQ(DefaultReason(489), "Bad Event");
  EXPECT_EQ(DefaultReason(494), "Security Agreement Required");
  EXPECT_EQ(DefaultReason(503), "Service Unavailable");
  EXPECT_EQ(DefaultReason(606), "Not Acceptable");
  EXPECT_EQ(DefaultReason(299), "");
  EXPECT_EQ(DefaultReason(0), "");
  // Every RFC 3261 §21 code has a phrase.
  for (int code :
       {100, 180, 181, 182, 183, 200, 300, 301, 302, 305, 380, 400, 401, 402, 403, 404, 405,
        406, 407, 408, 410, 413, 414, 415, 416, 420, 421, 423, 480, 481, 482, 483, 484, 485,
        486, 487, 488, 491, 493, 500, 501, 502, 503, 504, 505, 513, 600, 603, 604, 606}) {
    EXPECT_FALSE(DefaultReason(code).empty()) << code;
  }
}

TEST(SerializerTest, RoundTripsGeneratedVariants) {
  // Many variants of a REGISTER: compact names, folding, odd spacing, bodies.
  const std::string_view names[][2] = {
      {"Via", "v"}, {"From", "f"}, {"To", "t"}, {"Call-ID", "i"}, {"Contact", "m"}};
  for (int variant = 0; variant < 64; ++variant) {
    std::string text = "REGISTER sip:example.com SIP/2.0\r\n";
    auto name = [&](int i) { return std::string(names[i][(variant >> i) & 1]); };
    text += name(0) + ": SIP/2.0/UDP 192.0.2." + std::to_string(variant) + ";branch=z9hG4bK" +
            std::to_string(variant) + "\r\n";
    text += name(1) + ":<sip:u" + std::to_string(variant) +
            "@example.com>;tag=" + std::to_string(variant * 7) + "\r\n";
    text += name(2) + " :  <sip:u" + std::to_string(variant) + "@example.com>\r\n";
    text += name(3) + ": call-" + std::to_string(variant) + "\r\n";
    text +=
        "CSeq: " + std::to_string(variant + 1) + (variant & 32 ? "\r\n " : " ") + "REGISTER\r\n";
    text += name(4) + ": <sip:u@192.0.2.1>;expires=" + std::to_string(variant * 60) + "\r\n";
    std::string body(static_cast<size_t>(variant), static_cast<char>('a' + variant % 26));
    text += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    Message a = MustParse(text);
    Message b = MustParse(Serialize(a));
    ExpectEquivalent(a, b);
  }
}

}  // namespace
}  // namespace sipreg::sip
