#include "sip/framer.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace sipreg::sip {
namespace {

using Kind = StreamFramer::Kind;

std::string Request(std::string_view call_id, std::string_view body = "") {
  std::string m =
      "MESSAGE sip:bob@example.com SIP/2.0\r\n"
      "Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK-" +
      std::string(call_id) +
      "\r\n"
      "From: <sip:alice@example.com>;tag=1\r\n"
      "To: <sip:bob@example.com>\r\n"
      "Call-ID: " +
      std::string(call_id) +
      "\r\n"
      "CSeq: 1 MESSAGE\r\n"
      "Content-Type: text/plain\r\n"
      "Content-Length: " +
      std::to_string(body.size()) + "\r\n\r\n";
  return m + std::string(body);
}

std::string Response(std::string_view call_id) {
  return "SIP/2.0 200 OK\r\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK1\r\nCall-ID: " +
         std::string(call_id) + "\r\nCSeq: 1 MESSAGE\r\nl: 0\r\n\r\n";
}

struct Drained {
  std::vector<std::string> call_ids;  // one per kMessage, in order
  int keep_alives = 0;
  int pongs = 0;
  bool error = false;
  Status status;
};

void Drain(StreamFramer& f, Drained& out) {
  while (true) {
    StreamFramer::Event ev = f.Next();
    switch (ev.kind) {
      case Kind::kNeedMore:
        return;
      case Kind::kMessage:
        out.call_ids.emplace_back(ev.message.call_id());
        break;
      case Kind::kKeepAlive:
        ++out.keep_alives;
        break;
      case Kind::kPong:
        ++out.pongs;
        break;
      case Kind::kError:
        out.error = true;
        out.status = ev.status;
        return;
    }
  }
}

Drained FeedInPieces(std::string_view stream, const std::vector<size_t>& cuts,
                     ParseLimits limits = {}) {
  StreamFramer f(limits);
  Drained out;
  size_t prev = 0;
  for (size_t cut : cuts) {
    f.Feed(stream.substr(prev, cut - prev));
    Drain(f, out);
    prev = cut;
  }
  f.Feed(stream.substr(prev));
  Drain(f, out);
  return out;
}

TEST(FramerTest, OneMessage) {
  StreamFramer f;
  f.Feed(Request("one", "hello"));
  StreamFramer::Event ev = f.Next();
  ASSERT_EQ(ev.kind, Kind::kMessage) << ev.status.ToString();
  EXPECT_EQ(ev.message.call_id(), "one");
  EXPECT_EQ(ev.message.body(), "hello");
  EXPECT_EQ(f.Next().kind, Kind::kNeedMore);
  EXPECT_EQ(f.buffered(), 0u);
}

TEST(FramerTest, PartialMessageNeedsMoreBytes) {
  std::string m = Request("partial", "0123456789");
  StreamFramer f;
  f.Feed(m.substr(0, 20));
  EXPECT_EQ(f.Next().kind, Kind::kNeedMore);
  f.Feed(m.substr(20, m.size() - 25));  // headers complete, body short by 5
  EXPECT_EQ(f.Next().kind, Kind::kNeedMore);
  EXPECT_EQ(f.buffered(), m.size() - 5);
  f.Feed(m.substr(m.size() - 5));
  StreamFramer::Event ev = f.Next();
  ASSERT_EQ(ev.kind, Kind::kMessage);
  EXPECT_EQ(ev.message.body(), "0123456789");
}

TEST(FramerTest, PipelinedMessagesComeOutInOrder) {
  Drained d = FeedInPieces(Request("a", "x") + Response("b") + Request("c"), {});
  EXPECT_FALSE(d.error) << d.status.ToString();
  EXPECT_EQ(d.call_ids, (std::vector<std::string>{"a", "b", "c"}));
}

TEST(FramerTest, DoubleCrlfIsKeepAliveAndSingleCrlfIsPong) {
  StreamFramer f;
  f.Feed("\r\n\r\n");
  EXPECT_EQ(f.Next().kind, Kind::kKeepAlive);
  EXPECT_EQ(f.Next().kind, Kind::kNeedMore);
  f.Feed("\r\n" + Request("after-pong"));
  EXPECT_EQ(f.Next().kind, Kind::kPong);
  StreamFramer::Event ev = f.Next();
  ASSERT_EQ(ev.kind, Kind::kMessage);
  EXPECT_EQ(ev.message.call_id(), "after-pong");
}

TEST(FramerTest, LonePongAtEndOfBufferIsReportedAtOnce) {
  StreamFramer f;
  f.Feed("\r\n");
  EXPECT_EQ(f.Next().kind, Kind::kPong);
  EXPECT_EQ(f.Next().kind, Kind::kNeedMore);
}

TEST(FramerTest, PongsInARowOnAClientConnectionAreAllPongs) {
  // Regression (device keep-alive): a client's second CRLF pong was taken for the
  // second half of a split ping, so the client answered it and never saw its pong.
  StreamFramer f;
  f.set_expect_pongs(true);
  for (int i = 0; i < 3; ++i) {
    f.Feed("\r\n");
    EXPECT_EQ(f.Next().kind, Kind::kPong) << i;
    EXPECT_EQ(f.Next().kind, Kind::kNeedMore);
  }
}

TEST(FramerTest, PingSplitAcrossReadsStillGetsAnswered) {
  StreamFramer f;
  f.Feed("\r\n");
  EXPECT_EQ(f.Next().kind, Kind::kPong);
  f.Feed("\r\n");
  EXPECT_EQ(f.Next().kind, Kind::kKeepAlive);
  f.Feed("\r");
  EXPECT_EQ(f.Next().kind, Kind::kNeedMore);
  f.Feed("\n\r");
  EXPECT_EQ(f.Next().kind, Kind::kNeedMore);
  f.Feed("\n");
  EXPECT_EQ(f.Next().kind, Kind::kKeepAlive);
}

TEST(FramerTest, StrayCrBetweenMessagesIsMalformed) {
  StreamFramer f;
  f.Feed("\rX");
  EXPECT_EQ(f.Next().kind, Kind::kError);
}

TEST(FramerTest, MissingContentLengthIsAnError) {
  std::string m = Request("no-cl");
  m.erase(m.find("Content-Length: 0\r\n"), 19);
  StreamFramer f;
  f.Feed(m);
  StreamFramer::Event ev = f.Next();
  ASSERT_EQ(ev.kind, Kind::kError);
  EXPECT_NE(ev.status.message().find("Content-Length"), std::string::npos);
}

TEST(FramerTest, MalformedOrConflictingContentLengthIsAnError) {
  for (std::string_view bad :
       {"Content-Length: -1\r\n", "Content-Length: 1x\r\n", "l: 1\r\nContent-Length: 2\r\n"}) {
    std::string m = Request("bad-cl");
    m.replace(m.find("Content-Length: 0\r\n"), 19, bad);
    StreamFramer f;
    f.Feed(m);
    EXPECT_EQ(f.Next().kind, Kind::kError) << bad;
  }
}

TEST(FramerTest, FoldedContentLengthIsFound) {
  std::string m = Request("folded", "abc");
  m.replace(m.find("Content-Length: 3"), 17, "Content-Length:\r\n 3");
  StreamFramer f;
  f.Feed(m);
  StreamFramer::Event ev = f.Next();
  ASSERT_EQ(ev.kind, Kind::kMessage) << ev.status.ToString();
  EXPECT_EQ(ev.message.body(), "abc");
}

TEST(FramerTest, UnterminatedHeaderSectionIsBounded) {
  ParseLimits limits;
  limits.max_message_bytes = 1024;
  StreamFramer f(limits);
  f.Feed("INVITE sip:a@example.com SIP/2.0\r\n");
  std::string junk = "X-Filler: " + std::string(90, 'a') + "\r\n";
  Kind kind = Kind::kNeedMore;
  int feeds = 0;
  while (kind == Kind::kNeedMore && feeds < 100) {
    f.Feed(junk);
    ++feeds;
    kind = f.Next().kind;
  }
  EXPECT_EQ(kind, Kind::kError);
  EXPECT_LE(feeds, 12);  // gave up soon after max_message_bytes, did not buffer forever
  StreamFramer::Event ev = f.Next();
  EXPECT_EQ(ev.kind, Kind::kError);  // stays broken
  EXPECT_EQ(ev.status.code(), StatusCode::kLimitExceeded);
  f.Feed(Request("ignored"));
  EXPECT_EQ(f.buffered(), 0u);
  EXPECT_EQ(f.Next().kind, Kind::kError);
}

TEST(FramerTest, ContentLengthBeyondLimitFailsBeforeTheBodyArrives) {
  ParseLimits limits;
  limits.max_message_bytes = 2000;
  std::string m = Request("huge");
  m.replace(m.find("Content-Length: 0"), 17, "Content-Length: 5000");
  StreamFramer f(limits);
  f.Feed(m);
  StreamFramer::Event ev = f.Next();
  ASSERT_EQ(ev.kind, Kind::kError);
  EXPECT_EQ(ev.status.code(), StatusCode::kLimitExceeded);
}

TEST(FramerTest, MalformedMessageBreaksTheStream) {
  std::string m = Request("bad");
  m.replace(m.find("CSeq: 1 MESSAGE"), 15, "CSeq: 1 INVITE");
  StreamFramer f;
  f.Feed(m + Request("good"));
  StreamFramer::Event ev = f.Next();
  ASSERT_EQ(ev.kind, Kind::kError);
  EXPECT_NE(ev.status.message().find("CSeq"), std::string::npos);
  EXPECT_EQ(f.Next().kind, Kind::kError);
}

TEST(FramerTest, LfOnlyMessagesAreFramed) {
  std::string m =
      "OPTIONS sip:a@example.com SIP/2.0\nVia: SIP/2.0/TCP h;branch=z9hG4bK1\n"
      "From: <sip:b@example.com>;tag=1\nTo: <sip:a@example.com>\nCall-ID: lf\n"
      "CSeq: 1 OPTIONS\nContent-Length: 2\n\nok";
  Drained d = FeedInPieces(m + m, {});
  EXPECT_FALSE(d.error) << d.status.ToString();
  EXPECT_EQ(d.call_ids, (std::vector<std::string>{"lf", "lf"}));
}

TEST(FramerTest, BufferIsCompactedWhileStreaming) {
  StreamFramer f;
  const std::string m = Request("steady", std::string(300, 'z'));
  for (int i = 0; i < 2000; ++i) {
    f.Feed(m.substr(0, 100));
    EXPECT_EQ(f.Next().kind, Kind::kNeedMore);
    f.Feed(m.substr(100));
    ASSERT_EQ(f.Next().kind, Kind::kMessage);
    EXPECT_EQ(f.buffered(), 0u);
  }
  // Half a message left over between feeds never accumulates.
  for (int i = 0; i < 500; ++i) {
    f.Feed(m + m.substr(0, 200));
    ASSERT_EQ(f.Next().kind, Kind::kMessage);
    EXPECT_EQ(f.Next().kind, Kind::kNeedMore);
    EXPECT_EQ(f.buffered(), 200u);
    f.Feed(m.substr(200));
    ASSERT_EQ(f.Next().kind, Kind::kMessage);
  }
}

// The stream every split test uses: keep-alive before, between and after
// messages, a pong, a body containing CRLFCRLF, and a response.
std::string PipelinedStream() {
  return "\r\n\r\n" + Request("m1", "body\r\n\r\nwith blank line") + "\r\n\r\n" + Request("m2") +
         "\r\n" + Response("m3") + Request("m4", "x");
}

// The same shape in fewer bytes, for the quadratic three-piece split.
std::string CompactStream() {
  return "\r\n\r\nSIP/2.0 200 OK\r\ni: m1\r\nl: 9\r\n\r\nab\r\n\r\ncde\r\n\r\n"
         "SIP/2.0 180 R\r\ni: m2\r\nl: 0\r\n\r\n\r\nSIP/2.0 100 \r\ni: m3\r\nl:0\r\n\r\n"
         "ACK sip:b SIP/2.0\r\nv: SIP/2.0/TCP h\r\nf: <sip:a>;tag=1\r\nt: <sip:b>\r\ni: m4\r\n"
         "CSeq: 1 ACK\r\nl: 1\r\n\r\nx";
}

void ExpectSameAsWhole(const Drained& d, const std::string& where) {
  EXPECT_FALSE(d.error) << where << ": " << d.status.ToString();
  EXPECT_EQ(d.call_ids, (std::vector<std::string>{"m1", "m2", "m3", "m4"})) << where;
  // A ping cut exactly after its first CRLF shows up as pong + keep-alive;
  // either way both pings get an answer.
  EXPECT_EQ(d.keep_alives, 2) << where;
}

TEST(FramerTest, EveryByteSplitInTwoPieces) {
  const std::string stream = PipelinedStream();
  Drained whole = FeedInPieces(stream, {});
  ExpectSameAsWhole(whole, "whole");
  EXPECT_EQ(whole.pongs, 1);
  for (size_t i = 0; i <= stream.size(); ++i) {
    ExpectSameAsWhole(FeedInPieces(stream, {i}), "split at " + std::to_string(i));
  }
}

TEST(FramerTest, EveryByteSplitInThreePieces) {
  const std::string stream = CompactStream();
  ExpectSameAsWhole(FeedInPieces(stream, {}), "whole");
  for (size_t i = 0; i <= stream.size(); ++i) {
    for (size_t j = i; j <= stream.size(); ++j) {
      Drained d = FeedInPieces(stream, {i, j});
      if (d.error || d.call_ids.size() != 4 || d.keep_alives != 2) {
        ExpectSameAsWhole(d, "split at " + std::to_string(i) + "," + std::to_string(j));
        return;
      }
    }
  }
}

TEST(FramerTest, ByteByByte) {
  const std::string stream = PipelinedStream();
  std::vector<size_t> cuts;
  for (size_t i = 1; i < stream.size(); ++i) cuts.push_back(i);
  ExpectSameAsWhole(FeedInPieces(stream, cuts), "byte by byte");
}

}  // namespace
}  // namespace sipreg::sip
