#include "device/registration_policy.h"

#include <string>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "sip/auth_header.h"
#include "sip/contact.h"
#include "sip/digest.h"
#include "sip/parser.h"
#include "sip/serializer.h"

namespace sipreg::device {
namespace {

using std::chrono::seconds;

const sip::Endpoint kLocal{sip::TransportKind::kUdp, "192.168.1.20", 5070};

PolicyConfig Config() {
  PolicyConfig c;
  c.id = "page";
  c.type = "page";
  c.extension = "100";
  c.auth_id = "auth100";
  c.password = "secret";
  c.domain = "pbx.example.com:5060";
  c.aor_host = "pbx.example.com";
  c.expires = 3600;
  c.instance = "<urn:uuid:00000000-0000-4000-8000-000000000001>";
  return c;
}

class PolicyTest : public ::testing::Test {
 protected:
  PolicyTest() : policy_(Config(), clock_, random_) {}

  // Sends the due REGISTER and returns it parsed.
  sip::Message Send(const sip::Endpoint& local = kLocal) {
    EXPECT_TRUE(policy_.wants_send());
    last_ = policy_.BuildRequest(local);
    auto m = sip::Parse(last_.bytes);
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    return std::move(m).value();
  }

  // A response to `req` with extra header lines.
  static sip::Message Reply(const sip::Message& req, int code, std::string_view reason,
                            std::string extra = {}, std::string via_params = {}) {
    std::string r = fmt::format("SIP/2.0 {} {}\r\n", code, reason);
    std::string via(req.top_via());
    if (!via_params.empty() && via.ends_with(";rport")) via.resize(via.size() - 6);
    r += fmt::format("Via: {}{}\r\n", via, via_params);
    r += fmt::format("From: {}\r\n", req.from());
    r += fmt::format("To: {};tag=srv\r\n", req.to());
    r += fmt::format("Call-ID: {}\r\n", req.call_id());
    r += fmt::format("CSeq: {}\r\n", req.cseq());
    r += extra;
    r += "Content-Length: 0\r\n\r\n";
    auto m = sip::Parse(r);
    EXPECT_TRUE(m.ok()) << m.status().ToString() << "\n" << r;
    return std::move(m).value();
  }

  static std::string Challenge(bool stale = false, std::string nonce = "abc123") {
    return fmt::format(
        "WWW-Authenticate: Digest realm=\"pbx\", nonce=\"{}\", algorithm=MD5, qop=\"auth\"{}\r\n",
        nonce, stale ? ", stale=true" : "");
  }

  static std::string Ok(uint32_t expires, const sip::Message& req) {
    auto contacts = sip::ParseContacts(req.Value(sip::HeaderId::kContact));
    std::string uri(contacts->contacts.front().addr.uri.raw);
    return fmt::format("Contact: <{}>;expires={}\r\n", uri, expires);
  }

  // Registers through one challenge; returns the successful REGISTER.
  void RegisterOk(uint32_t granted = 3600) {
    policy_.Start();
    auto r1 = Send();
    policy_.OnResponse(Reply(r1, 401, "Unauthorized", Challenge()));
    auto r2 = Send();
    policy_.OnResponse(Reply(r2, 200, "OK", Ok(granted, r2)));
    ASSERT_STREQ(policy_.status(), kStatusSuccessful);
  }

  Millis UntilWakeup() const {
    auto w = policy_.next_wakeup();
    EXPECT_TRUE(w.has_value());
    return w ? std::chrono::duration_cast<Millis>(*w - clock_.Now()) : Millis(-1);
  }

  void FireTimer() {
    clock_.Advance(UntilWakeup());
    policy_.OnTimer();
  }

  FakeClock clock_;
  FakeRandom random_{7};
  RegistrationPolicy policy_;
  OutgoingRegister last_;
};

TEST_F(PolicyTest, FirstRegisterCarriesAorContactInstanceAndExpires) {
  policy_.Start();
  EXPECT_STREQ(policy_.status(), kStatusRegistering);
  auto req = Send();
  EXPECT_EQ(req.request_uri(), "sip:pbx.example.com:5060");
  EXPECT_NE(req.to().find("<sip:100@pbx.example.com>"), std::string_view::npos);
  EXPECT_NE(req.from().find(";tag="), std::string_view::npos);
  EXPECT_EQ(req.Value(sip::HeaderId::kExpires), "3600");
  auto contacts = sip::ParseContacts(req.Value(sip::HeaderId::kContact));
  ASSERT_TRUE(contacts.ok());
  EXPECT_EQ(contacts->contacts.front().addr.uri.raw, "sip:100@192.168.1.20:5070");
  EXPECT_EQ(contacts->contacts.front().instance(), "<urn:uuid:00000000-0000-4000-8000-000000000001>");
  EXPECT_EQ(req.Find(sip::HeaderId::kAuthorization), nullptr);
  EXPECT_NE(req.top_via().find("branch=" + last_.branch), std::string_view::npos);
  EXPECT_FALSE(policy_.wants_send());  // in flight
}

TEST_F(PolicyTest, ChallengeIsAnsweredWithAuthIdThenSuccessful) {
  policy_.Start();
  auto r1 = Send();
  policy_.OnResponse(Reply(r1, 401, "Unauthorized", Challenge()));
  EXPECT_STREQ(policy_.status(), kStatusRegistering);
  auto r2 = Send();
  EXPECT_EQ(r2.call_id(), r1.call_id());
  auto creds = sip::ParseDigestCredentials(r2.Value(sip::HeaderId::kAuthorization));
  ASSERT_TRUE(creds.ok());
  EXPECT_EQ(creds->username, "auth100");
  EXPECT_EQ(creds->realm, "pbx");
  // The server checks the answer with the password.
  auto ha1 = sip::ComputeHa1(sip::DigestAlgorithm::kMd5, "auth100", "pbx", "secret");
  ASSERT_TRUE(ha1.ok());
  auto expected = sip::ComputeResponse(sip::DigestAlgorithm::kMd5, *ha1, creds->nonce, creds->nc,
                                       creds->cnonce, sip::Qop::kAuth, "REGISTER", creds->uri, "");
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(creds->response, *expected);
  policy_.OnResponse(Reply(r2, 200, "OK", Ok(3600, r2)));
  auto v = policy_.View("udp:10.0.0.1:5060");
  EXPECT_EQ(v.status, "Successful");
  EXPECT_EQ(v.code, 200);
  EXPECT_EQ(v.expires_in, 3600);
  EXPECT_EQ(v.auth_id, "auth100");
  EXPECT_EQ(v.server, "udp:10.0.0.1:5060");
}

TEST_F(PolicyTest, CseqRisesAndCallIdStaysAcrossRefreshes) {
  RegisterOk();
  const uint32_t cseq = last_.cseq;
  const std::string call_id = policy_.call_id();
  FireTimer();
  auto refresh = Send();
  EXPECT_EQ(last_.cseq, cseq + 1);
  EXPECT_EQ(refresh.call_id(), call_id);
}

TEST_F(PolicyTest, SecondChallengeToFreshCredentialsIsRejectedWithPasswordHint) {
  policy_.Start();
  auto r1 = Send();
  policy_.OnResponse(Reply(r1, 401, "Unauthorized", Challenge()));
  auto r2 = Send();
  policy_.OnResponse(Reply(r2, 401, "Unauthorized", Challenge(false, "other")));
  auto v = policy_.View("");
  EXPECT_EQ(v.status, "Rejected by Server");
  EXPECT_EQ(v.code, 401);
  EXPECT_NE(v.detail.find("Password"), std::string::npos);
  EXPECT_NE(v.detail.find("Authentication ID"), std::string::npos);
  EXPECT_FALSE(policy_.wants_send());
  // A hard failure: retried slowly (300 s cap, 50..100 %).
  EXPECT_GE(UntilWakeup(), seconds(150));
  EXPECT_LE(UntilWakeup(), seconds(300));
}

TEST_F(PolicyTest, ProxyAndRegistrarChallengesAreBothAnswered) {
  policy_.Start();
  auto r1 = Send();
  policy_.OnResponse(Reply(r1, 407, "Proxy Authentication Required",
                           "Proxy-Authenticate: Digest realm=\"proxy\", nonce=\"p1\", qop=\"auth\"\r\n"));
  auto r2 = Send();
  EXPECT_NE(r2.Find(sip::HeaderId::kProxyAuthorization), nullptr);
  policy_.OnResponse(Reply(r2, 401, "Unauthorized", Challenge()));  // the registrar's turn
  ASSERT_TRUE(policy_.wants_send()) << policy_.View("").detail;
  auto r3 = Send();
  EXPECT_NE(r3.Find(sip::HeaderId::kProxyAuthorization), nullptr);
  EXPECT_NE(r3.Find(sip::HeaderId::kAuthorization), nullptr);
  policy_.OnResponse(Reply(r3, 200, "OK", Ok(3600, r3)));
  EXPECT_STREQ(policy_.status(), kStatusSuccessful);
}

TEST_F(PolicyTest, StaleNonceIsAnsweredAgain) {
  policy_.Start();
  auto r1 = Send();
  policy_.OnResponse(Reply(r1, 401, "Unauthorized", Challenge()));
  auto r2 = Send();
  policy_.OnResponse(Reply(r2, 401, "Unauthorized", Challenge(true, "fresh")));
  EXPECT_TRUE(policy_.wants_send());
  auto r3 = Send();
  auto creds = sip::ParseDigestCredentials(r3.Value(sip::HeaderId::kAuthorization));
  ASSERT_TRUE(creds.ok());
  EXPECT_EQ(creds->nonce, "fresh");
  policy_.OnResponse(Reply(r3, 200, "OK", Ok(600, r3)));
  EXPECT_STREQ(policy_.status(), kStatusSuccessful);
}

TEST_F(PolicyTest, RefreshReusingAnOldNonceIsNotARefusal) {
  RegisterOk();
  FireTimer();
  auto refresh = Send();
  // The refresh reuses the nonce (nc=2) ...
  auto creds = sip::ParseDigestCredentials(refresh.Value(sip::HeaderId::kAuthorization));
  ASSERT_TRUE(creds.ok());
  EXPECT_EQ(creds->nc, "00000002");
  // ... and a server that forgot it without saying stale=true just challenges again.
  policy_.OnResponse(Reply(refresh, 401, "Unauthorized", Challenge(false, "new")));
  EXPECT_TRUE(policy_.wants_send());
  EXPECT_STREQ(policy_.status(), kStatusSuccessful);
  auto again = Send();
  policy_.OnResponse(Reply(again, 200, "OK", Ok(3600, again)));
  EXPECT_STREQ(policy_.status(), kStatusSuccessful);
}

TEST_F(PolicyTest, RefreshAtNinetyPercentOfALongRegistration) {
  RegisterOk(3600);
  EXPECT_EQ(UntilWakeup(), seconds(3240));
}

TEST_F(PolicyTest, RefreshThirtyTwoSecondsBeforeAShortRegistration) {
  RegisterOk(120);
  EXPECT_EQ(UntilWakeup(), seconds(88));
}

TEST_F(PolicyTest, VeryShortRegistrationRefreshesAtHalfTime) {
  RegisterOk(20);
  EXPECT_EQ(UntilWakeup(), seconds(10));
}

TEST_F(PolicyTest, GrantedTimeComesFromOurContactNotTheExpiresHeader) {
  policy_.Start();
  auto r1 = Send();
  policy_.OnResponse(Reply(r1, 200, "OK",
                           "Contact: <sip:100@10.9.9.9:5060>;expires=30, "
                           "<sip:100@192.168.1.20:5070>;expires=600\r\nExpires: 3600\r\n"));
  EXPECT_EQ(policy_.View("").expires_in, 600);
  EXPECT_EQ(UntilWakeup(), seconds(540));
}

TEST_F(PolicyTest, IntervalTooBriefAdoptsMinExpires) {
  policy_.Start();
  auto r1 = Send();
  policy_.OnResponse(Reply(r1, 423, "Interval Too Brief", "Min-Expires: 7200\r\n"));
  ASSERT_TRUE(policy_.wants_send());
  auto r2 = Send();
  EXPECT_EQ(r2.Value(sip::HeaderId::kExpires), "7200");
  // A second 423 that asks for less than we sent is a rejection.
  policy_.OnResponse(Reply(r2, 423, "Interval Too Brief", "Min-Expires: 60\r\n"));
  EXPECT_STREQ(policy_.status(), kStatusRejected);
}

TEST_F(PolicyTest, ServiceUnavailableHonoursRetryAfter) {
  policy_.Start();
  auto r1 = Send();
  policy_.OnResponse(Reply(r1, 503, "Service Unavailable", "Retry-After: 120\r\n"));
  EXPECT_STREQ(policy_.status(), kStatusRejected);
  EXPECT_EQ(UntilWakeup(), seconds(120));
  FireTimer();
  EXPECT_TRUE(policy_.wants_send());
}

TEST_F(PolicyTest, ServiceUnavailableWithAnotherTargetRetriesThereAtOnce) {
  policy_.Start();
  auto r1 = Send();
  policy_.OnResponse(Reply(r1, 503, "Service Unavailable", "Retry-After: 600\r\n"), true);
  EXPECT_TRUE(policy_.wants_send());
  EXPECT_STREQ(policy_.status(), kStatusRegistering);
  auto r2 = Send();
  policy_.OnResponse(Reply(r2, 200, "OK", Ok(3600, r2)));
  EXPECT_STREQ(policy_.status(), kStatusSuccessful);
}

TEST_F(PolicyTest, ServerErrorHintsAtWrongAddressOrPort) {
  policy_.Start();
  auto r1 = Send();
  policy_.OnResponse(Reply(r1, 500, "Server Internal Error"));
  auto v = policy_.View("");
  EXPECT_EQ(v.status, "Rejected by Server");
  EXPECT_EQ(v.reason, "Server Internal Error");
  EXPECT_NE(v.detail.find("wrong server address or port"), std::string::npos);
}

TEST_F(PolicyTest, NotFoundMeansExtensionNotConfigured) {
  policy_.Start();
  auto r1 = Send();
  policy_.OnResponse(Reply(r1, 404, "Not Found"));
  auto v = policy_.View("");
  EXPECT_EQ(v.status, "Rejected by Server");
  EXPECT_NE(v.detail.find("not configured on the server"), std::string::npos);
  EXPECT_GE(UntilWakeup(), seconds(150));  // hard failure
}

TEST_F(PolicyTest, ForbiddenTooManyContactsMeansExtensionInUse) {
  policy_.Start();
  auto r1 = Send();
  policy_.OnResponse(Reply(r1, 403, "Forbidden (Too many contacts)"));
  EXPECT_NE(policy_.View("").detail.find("already in use"), std::string::npos);
}

TEST_F(PolicyTest, TimeoutIsNoReplyWithExponentialBackoffWithinBounds) {
  policy_.Start();
  uint64_t cap = kSoftBackoffBase;
  for (int i = 0; i < 10; ++i) {
    Send();
    policy_.OnNoReply("timeout", false);
    EXPECT_STREQ(policy_.status(), kStatusNoReply);
    const Millis wait = UntilWakeup();
    EXPECT_GE(wait, seconds(cap) / 2) << "failure " << i + 1;
    EXPECT_LE(wait, seconds(cap)) << "failure " << i + 1;
    cap = std::min<uint64_t>(cap * 2, kBackoffMax);
    FireTimer();
  }
  EXPECT_EQ(policy_.failures(), 10);
  // Success resets the backoff.
  auto r = Send();
  policy_.OnResponse(Reply(r, 200, "OK", Ok(3600, r)));
  EXPECT_EQ(policy_.failures(), 0);
}

TEST_F(PolicyTest, BackoffJitterSpreadsDevices) {
  // Two devices failing at the same moment do not retry at the same moment.
  FakeRandom other_random(99);
  RegistrationPolicy other(Config(), clock_, other_random);
  policy_.Start();
  other.Start();
  Send();
  other.BuildRequest(kLocal);
  policy_.OnNoReply("timeout", false);
  other.OnNoReply("timeout", false);
  EXPECT_NE(policy_.next_wakeup(), other.next_wakeup());
}

TEST_F(PolicyTest, NoReplyWithAnotherTargetRetriesAtOnce) {
  policy_.Start();
  Send();
  policy_.OnNoReply("timeout", true);
  EXPECT_TRUE(policy_.wants_send());
}

TEST_F(PolicyTest, NatRewriteReRegistersWithThePublicAddressAndDropsTheOld) {
  policy_.Start();
  auto r1 = Send();
  policy_.OnResponse(Reply(r1, 200, "OK", Ok(3600, r1), ";received=203.0.113.5;rport=40000"));
  ASSERT_TRUE(policy_.wants_send());
  auto r2 = Send();
  auto contacts = sip::ParseContacts(r2.Value(sip::HeaderId::kContact));
  ASSERT_TRUE(contacts.ok());
  ASSERT_EQ(contacts->contacts.size(), 2u);
  EXPECT_EQ(contacts->contacts[0].addr.uri.raw, "sip:100@203.0.113.5:40000");
  EXPECT_EQ(contacts->contacts[1].addr.uri.raw, "sip:100@192.168.1.20:5070");
  EXPECT_EQ(contacts->contacts[1].expires(), 0u);
  // The Via still names the local address.
  EXPECT_NE(r2.top_via().find("192.168.1.20:5070"), std::string_view::npos);
  policy_.OnResponse(Reply(r2, 200, "OK", "Contact: <sip:100@203.0.113.5:40000>;expires=3600\r\n",
                           ";received=203.0.113.5;rport=40000"));
  EXPECT_FALSE(policy_.wants_send());  // stable now
  EXPECT_EQ(UntilWakeup(), seconds(3240));
  FireTimer();
  auto r3 = Send();
  auto c3 = sip::ParseContacts(r3.Value(sip::HeaderId::kContact));
  ASSERT_EQ(c3->contacts.size(), 1u);
  EXPECT_EQ(c3->contacts[0].addr.uri.raw, "sip:100@203.0.113.5:40000");
}

TEST_F(PolicyTest, NatRewriteDoesNotLoopWhenTheAddressKeepsChanging) {
  policy_.Start();
  auto r1 = Send();
  policy_.OnResponse(Reply(r1, 200, "OK", Ok(3600, r1), ";received=203.0.113.5;rport=40000"));
  ASSERT_TRUE(policy_.wants_send());
  auto r2 = Send();
  policy_.OnResponse(Reply(r2, 200, "OK", Ok(3600, r2), ";received=203.0.113.5;rport=40001"));
  EXPECT_FALSE(policy_.wants_send());  // the next refresh carries the new address
  EXPECT_STREQ(policy_.status(), kStatusSuccessful);
  FireTimer();
  auto r3 = Send();
  EXPECT_NE(r3.Value(sip::HeaderId::kContact).find("203.0.113.5:40001"), std::string_view::npos);
}

TEST_F(PolicyTest, StopDuringAChallengedRefreshStillUnregisters) {
  RegisterOk();
  FireTimer();
  auto refresh = Send();
  policy_.Stop();
  policy_.OnResponse(Reply(refresh, 401, "Unauthorized", Challenge(true, "n9")));
  ASSERT_TRUE(policy_.wants_send());
  auto un = Send();
  EXPECT_EQ(un.Value(sip::HeaderId::kExpires), "0");
  EXPECT_NE(un.Find(sip::HeaderId::kAuthorization), nullptr);
}

TEST_F(PolicyTest, RetryAfterZeroIsNotARetryLoop) {
  policy_.Start();
  auto r1 = Send();
  policy_.OnResponse(Reply(r1, 503, "Service Unavailable", "Retry-After: 0\r\n"));
  EXPECT_EQ(UntilWakeup(), seconds(5));
}

TEST_F(PolicyTest, NoRewriteWhenTheServerSeesOurAddress) {
  policy_.Start();
  auto r1 = Send();
  policy_.OnResponse(Reply(r1, 200, "OK", Ok(3600, r1), ";received=192.168.1.20;rport=5070"));
  EXPECT_FALSE(policy_.wants_send());
}

TEST_F(PolicyTest, FlowFailureMakesSuccessfulNoReplyAndReRegisters) {
  RegisterOk();
  policy_.OnFlowFailed("no CRLF pong");
  EXPECT_STREQ(policy_.status(), kStatusNoReply);
  EXPECT_TRUE(policy_.wants_send());
  EXPECT_EQ(policy_.View("").expires_in, std::nullopt);
}

TEST_F(PolicyTest, StopUnregistersWithExpiresZeroAndAnswersAChallenge) {
  RegisterOk();
  policy_.Stop();
  auto un = Send();
  EXPECT_TRUE(last_.unregister);
  EXPECT_EQ(un.Value(sip::HeaderId::kExpires), "0");
  policy_.OnResponse(Reply(un, 401, "Unauthorized", Challenge(false, "n2")));
  ASSERT_TRUE(policy_.wants_send());
  auto un2 = Send();
  EXPECT_EQ(un2.Value(sip::HeaderId::kExpires), "0");
  EXPECT_NE(un2.Find(sip::HeaderId::kAuthorization), nullptr);
  policy_.OnResponse(Reply(un2, 200, "OK"));
  EXPECT_TRUE(policy_.done());
  EXPECT_FALSE(policy_.wants_send());
}

TEST_F(PolicyTest, UnregisterAnswersAStaleNonceEvenAfterFreshCredentials) {
  RegisterOk();
  policy_.Stop();
  auto un = Send();
  policy_.OnResponse(Reply(un, 401, "Unauthorized", Challenge(false, "n2")));
  auto un2 = Send();  // fresh credentials for n2 ...
  policy_.OnResponse(Reply(un2, 401, "Unauthorized", Challenge(true, "n3")));  // ... stale
  ASSERT_TRUE(policy_.wants_send());
  auto un3 = Send();
  EXPECT_EQ(un3.Value(sip::HeaderId::kExpires), "0");
  policy_.OnResponse(Reply(un3, 200, "OK"));
  EXPECT_TRUE(policy_.done());
}

TEST_F(PolicyTest, UnregisterGivesUpWhenFreshCredentialsAreRefused) {
  RegisterOk();
  policy_.Stop();
  auto un = Send();
  policy_.OnResponse(Reply(un, 401, "Unauthorized", Challenge(false, "n2")));
  auto un2 = Send();
  policy_.OnResponse(Reply(un2, 401, "Unauthorized", Challenge(false, "n3")));
  EXPECT_TRUE(policy_.done());
  EXPECT_FALSE(policy_.wants_send());
}

TEST_F(PolicyTest, StopBeforeAnyRegistrationIsDoneAtOnce) {
  policy_.Start();
  Send();
  policy_.OnNoReply("timeout", false);
  policy_.Stop();
  EXPECT_TRUE(policy_.done());
  EXPECT_FALSE(policy_.wants_send());
}

TEST_F(PolicyTest, StopWhileRegisteringUnregistersAfterTheAnswer) {
  policy_.Start();
  auto r1 = Send();
  policy_.Stop();
  EXPECT_FALSE(policy_.wants_send());
  policy_.OnResponse(Reply(r1, 200, "OK", Ok(3600, r1)));
  ASSERT_TRUE(policy_.wants_send());
  auto un = Send();
  EXPECT_EQ(un.Value(sip::HeaderId::kExpires), "0");
  policy_.OnResponse(Reply(un, 200, "OK"));
  EXPECT_TRUE(policy_.done());
}

TEST_F(PolicyTest, DisabledExtensionNeverSends) {
  PolicyConfig c = Config();
  c.enabled = false;
  RegistrationPolicy p(c, clock_, random_);
  p.Start();
  EXPECT_FALSE(p.wants_send());
  EXPECT_EQ(p.View("").status, "Disabled");
}

TEST_F(PolicyTest, OutboundProxyAddsRouteAndKeepsTheDomainInTheRequestUri) {
  PolicyConfig c = Config();
  c.route = "<sip:10.0.0.2:5060;lr>";
  RegistrationPolicy p(c, clock_, random_);
  p.Start();
  auto out = p.BuildRequest(kLocal);
  auto m = sip::Parse(out.bytes);
  ASSERT_TRUE(m.ok());
  EXPECT_EQ(m->request_uri(), "sip:pbx.example.com:5060");
  EXPECT_EQ(m->Value(sip::HeaderId::kRoute), "<sip:10.0.0.2:5060;lr>");
}

TEST_F(PolicyTest, TcpContactNamesTheTransport) {
  policy_.Start();
  auto req = Send({sip::TransportKind::kTcp, "127.0.0.1", 40123});
  EXPECT_NE(req.Value(sip::HeaderId::kContact).find("sip:100@127.0.0.1:40123;transport=tcp"),
            std::string_view::npos);
  EXPECT_NE(req.top_via().find("SIP/2.0/TCP 127.0.0.1:40123"), std::string_view::npos);
}

TEST_F(PolicyTest, EventsDescribeWhatHappened) {
  RegisterOk();
  auto events = policy_.TakeEvents();
  ASSERT_GE(events.size(), 2u);
  EXPECT_NE(events[0].text.find("answering challenge"), std::string::npos);
  EXPECT_NE(events.back().text.find("registered for 3600 s"), std::string::npos);
  EXPECT_TRUE(policy_.TakeEvents().empty());
}

TEST(HintTest, NoReplyHintNamesTheCause) {
  EXPECT_NE(NoReplyHint("cannot connect: certificate verify failed").find("tls_ca"),
            std::string::npos);
  EXPECT_NE(NoReplyHint("cannot connect: connect to 127.0.0.1:5060: Connection refused")
                .find("SIP Transportation Method"),
            std::string::npos);
  EXPECT_NE(NoReplyHint("cannot resolve 'pbx.test' (...)").find("DNS"), std::string::npos);
  EXPECT_NE(NoReplyHint("timeout, no response in 32 s").find("firewall"), std::string::npos);
}

TEST(HintTest, EveryClassHasAHint) {
  for (int code : {300, 400, 403, 404, 408, 480, 500, 502, 503, 603}) {
    EXPECT_FALSE(HintFor(code, "x", false).empty()) << code;
  }
}

}  // namespace
}  // namespace sipreg::device
