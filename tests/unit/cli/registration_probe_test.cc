#include "cli/registration_probe.h"

#include <gtest/gtest.h>

#include <string>

#include "sip/auth_header.h"
#include "sip/digest.h"
#include "sip/parser.h"
#include "sip/serializer.h"

namespace sipreg::cli {
namespace {

class RegistrationProbeTest : public ::testing::Test {
 protected:
  ProbeConfig Config() {
    ProbeConfig c;
    c.user = "demo-alice";
    c.password = "verysecretpassword";
    c.domain = "pbx.example.com";
    c.server = "udp:192.0.2.10:5060";
    c.expires = 3600;
    c.local = {sip::TransportKind::kUdp, "10.0.0.5", 5062};
    return c;
  }

  static sip::Message ParseOk(const std::string& bytes) {
    auto m = sip::Parse(bytes);
    EXPECT_TRUE(m.ok()) << m.status().ToString() << "\n" << bytes;
    return std::move(m).value();
  }

  // A response to `request` with extra headers; `via_params` replaces the top Via's
  // bare ";rport" the way a server stamps it (";received=...;rport=N").
  static sip::Message Reply(const std::string& request, int code,
                            std::vector<std::pair<std::string, std::string>> extra = {},
                            std::string_view via_params = {}) {
    sip::Message req = ParseOk(request);
    auto b = sip::MakeResponse(req, code, {}, code >= 200 ? "srvtag" : "");
    if (!via_params.empty()) {
      std::string via = b.headers().front().second;
      via.replace(via.find(";rport"), 6, via_params);
      b.RemoveHeader("Via");
      b.PrependHeader("Via", via);
    }
    for (auto& [n, v] : extra) b.AddHeader(n, v);
    return ParseOk(b.Build());
  }

  FakeClock clock_;
  FakeRandom random_{3};
};

TEST_F(RegistrationProbeTest, FirstRegisterHasNoCredentialsAndRport) {
  RegistrationProbe probe(Config(), clock_, random_);
  auto next = probe.Start();
  ASSERT_FALSE(next.done);
  sip::Message m = ParseOk(next.request);
  EXPECT_EQ(m.method(), sip::Method::kRegister);
  EXPECT_EQ(m.request_uri(), "sip:pbx.example.com");
  EXPECT_EQ(m.Find(sip::HeaderId::kAuthorization), nullptr);
  EXPECT_NE(m.top_via().find(";rport"), std::string_view::npos);
  EXPECT_NE(m.top_via().find("10.0.0.5:5062"), std::string_view::npos);
  EXPECT_EQ(m.Value(sip::HeaderId::kExpires), "3600");
  EXPECT_EQ(m.Value(sip::HeaderId::kContact), "<sip:demo-alice@10.0.0.5:5062>");
}

TEST_F(RegistrationProbeTest, AnswersChallengeThenSucceeds) {
  RegistrationProbe probe(Config(), clock_, random_);
  auto first = probe.Start();
  auto second = probe.OnFinalResponse(
      Reply(first.request, 401,
            {{"WWW-Authenticate", "Digest realm=\"asterisk\", nonce=\"abc\", algorithm=MD5"}}));
  ASSERT_FALSE(second.done);
  sip::Message m = ParseOk(second.request);
  EXPECT_EQ(m.cseq(), "2 REGISTER");
  auto creds = sip::ParseDigestCredentials(m.Value(sip::HeaderId::kAuthorization));
  ASSERT_TRUE(creds.ok());
  EXPECT_EQ(creds->username, "demo-alice");
  EXPECT_EQ(creds->realm, "asterisk");
  // The response must be the one the server computes from the account's password.
  auto ha1 = sip::ComputeHa1(sip::DigestAlgorithm::kMd5, "demo-alice", "asterisk",
                             "verysecretpassword");
  auto expected = sip::ComputeResponse(sip::DigestAlgorithm::kMd5, *ha1, "abc", "", "",
                                       sip::Qop::kNone, "REGISTER", "sip:pbx.example.com", "");
  EXPECT_EQ(creds->response, *expected);

  clock_.Advance(Millis(20));
  auto done = probe.OnFinalResponse(
      Reply(second.request, 200, {{"Contact", "<sip:demo-alice@10.0.0.5:5062>;expires=1800"}}));
  ASSERT_TRUE(done.done);
  const auto& r = probe.report();
  EXPECT_EQ(r.verdict, Verdict::kSuccessful);
  EXPECT_EQ(r.granted_expires, 1800u);
  EXPECT_EQ(r.other_bindings, 0u);
  EXPECT_FALSE(r.nat_detected);
  ASSERT_EQ(r.steps.size(), 4u);
  EXPECT_EQ(r.steps[3].at, Millis(20));
  EXPECT_EQ(ExitCodeFor(r.verdict), 0);
}

TEST_F(RegistrationProbeTest, SecondChallengeMeansRejectedWithWrongPasswordCause) {
  RegistrationProbe probe(Config(), clock_, random_);
  auto first = probe.Start();
  const std::pair<std::string, std::string> challenge = {
      "WWW-Authenticate", "Digest realm=\"asterisk\", nonce=\"abc\""};
  auto second = probe.OnFinalResponse(Reply(first.request, 401, {challenge}));
  auto done = probe.OnFinalResponse(Reply(second.request, 401, {challenge}));
  ASSERT_TRUE(done.done);
  const auto& r = probe.report();
  EXPECT_EQ(r.verdict, Verdict::kRejectedByServer);
  EXPECT_EQ(r.status_code, 401);
  ASSERT_FALSE(r.causes.empty());
  EXPECT_NE(r.causes[0].find("Wrong password"), std::string::npos);
  EXPECT_EQ(ExitCodeFor(r.verdict), 1);
}

TEST_F(RegistrationProbeTest, StaleNonceIsAnsweredAgain) {
  RegistrationProbe probe(Config(), clock_, random_);
  auto first = probe.Start();
  auto second = probe.OnFinalResponse(
      Reply(first.request, 401, {{"WWW-Authenticate", "Digest realm=\"r\", nonce=\"n1\""}}));
  auto third = probe.OnFinalResponse(Reply(
      second.request, 401, {{"WWW-Authenticate", "Digest realm=\"r\", nonce=\"n2\", stale=true"}}));
  ASSERT_FALSE(third.done);
  auto creds = sip::ParseDigestCredentials(
      ParseOk(third.request).Value(sip::HeaderId::kAuthorization));
  ASSERT_TRUE(creds.ok());
  EXPECT_EQ(creds->nonce, "n2");
}

TEST_F(RegistrationProbeTest, PrefersSha256WhenOfferedFirst) {
  RegistrationProbe probe(Config(), clock_, random_);
  auto first = probe.Start();
  auto second = probe.OnFinalResponse(Reply(
      first.request, 401,
      {{"WWW-Authenticate", "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-256, qop=\"auth\""},
       {"WWW-Authenticate", "Digest realm=\"r\", nonce=\"n\", algorithm=MD5, qop=\"auth\""}}));
  auto creds = sip::ParseDigestCredentials(
      ParseOk(second.request).Value(sip::HeaderId::kAuthorization));
  ASSERT_TRUE(creds.ok());
  EXPECT_EQ(creds->algorithm, "SHA-256");
  EXPECT_EQ(creds->qop, "auth");
  EXPECT_EQ(creds->nc, "00000001");
}

TEST_F(RegistrationProbeTest, ProxyChallengeIsAnsweredWithProxyAuthorization) {
  RegistrationProbe probe(Config(), clock_, random_);
  auto first = probe.Start();
  auto second = probe.OnFinalResponse(
      Reply(first.request, 407, {{"Proxy-Authenticate", "Digest realm=\"p\", nonce=\"n\""}}));
  sip::Message m = ParseOk(second.request);
  EXPECT_NE(m.Find(sip::HeaderId::kProxyAuthorization), nullptr);
  EXPECT_EQ(m.Find(sip::HeaderId::kAuthorization), nullptr);
}

TEST_F(RegistrationProbeTest, UnsupportedAlgorithmIsRejectedAndExplained) {
  RegistrationProbe probe(Config(), clock_, random_);
  auto first = probe.Start();
  auto done = probe.OnFinalResponse(Reply(
      first.request, 401, {{"WWW-Authenticate", "Digest realm=\"r\", nonce=\"n\", algorithm=SHA-1"}}));
  ASSERT_TRUE(done.done);
  EXPECT_EQ(probe.report().verdict, Verdict::kRejectedByServer);
  ASSERT_FALSE(probe.report().causes.empty());
  EXPECT_NE(probe.report().causes[0].find("SHA-1"), std::string::npos);
}

TEST_F(RegistrationProbeTest, IntervalTooBriefAdoptsMinExpiresOnce) {
  auto cfg = Config();
  cfg.expires = 60;
  RegistrationProbe probe(cfg, clock_, random_);
  auto first = probe.Start();
  auto second = probe.OnFinalResponse(Reply(first.request, 423, {{"Min-Expires", "300"}}));
  ASSERT_FALSE(second.done);
  EXPECT_EQ(ParseOk(second.request).Value(sip::HeaderId::kExpires), "300");
  auto done = probe.OnFinalResponse(Reply(second.request, 423, {{"Min-Expires", "600"}}));
  ASSERT_TRUE(done.done);
  EXPECT_EQ(probe.report().verdict, Verdict::kRejectedByServer);
  EXPECT_EQ(probe.report().status_code, 423);
}

TEST_F(RegistrationProbeTest, NatIsFlaggedWhenReceivedAndRportDiffer) {
  RegistrationProbe probe(Config(), clock_, random_);
  auto first = probe.Start();
  probe.OnFinalResponse(Reply(first.request, 200,
                              {{"Contact", "<sip:demo-alice@10.0.0.5:5062>;expires=60"}},
                              ";received=203.0.113.7;rport=41234"));
  const auto& r = probe.report();
  EXPECT_EQ(r.verdict, Verdict::kSuccessful);
  EXPECT_TRUE(r.nat_detected);
  EXPECT_EQ(r.seen_from, "203.0.113.7:41234");
  bool keepalive_hint = false;
  for (const auto& c : r.causes) keepalive_hint |= c.find("Double CRLF") != std::string::npos;
  EXPECT_TRUE(keepalive_hint);
}

TEST_F(RegistrationProbeTest, NoNatWhenServerSawTheSentAddress) {
  RegistrationProbe probe(Config(), clock_, random_);
  auto first = probe.Start();
  probe.OnFinalResponse(Reply(first.request, 200, {}, ";received=10.0.0.5;rport=5062"));
  EXPECT_FALSE(probe.report().nat_detected);
}

TEST_F(RegistrationProbeTest, OtherDevicesOnTheExtensionAreCounted) {
  RegistrationProbe probe(Config(), clock_, random_);
  auto first = probe.Start();
  probe.OnFinalResponse(Reply(first.request, 200,
                              {{"Contact", "<sip:demo-alice@10.0.0.9:5060>;expires=100, "
                                           "<sip:demo-alice@10.0.0.5:5062>;expires=3600"}}));
  EXPECT_EQ(probe.report().other_bindings, 1u);
  EXPECT_EQ(probe.report().granted_expires, 3600u);
}

TEST_F(RegistrationProbeTest, ServerErrorPointsAtAddressOrPort) {
  RegistrationProbe probe(Config(), clock_, random_);
  auto first = probe.Start();
  probe.OnFinalResponse(Reply(first.request, 500));
  const auto& r = probe.report();
  EXPECT_EQ(r.verdict, Verdict::kRejectedByServer);
  ASSERT_FALSE(r.causes.empty());
  EXPECT_NE(r.causes[0].find("address or port"), std::string::npos);
}

TEST_F(RegistrationProbeTest, TooManyContactsReasonNamesTooManyDevices) {
  RegistrationProbe probe(Config(), clock_, random_);
  auto first = probe.Start();
  auto b = sip::MakeResponse(ParseOk(first.request), 503, "Too many registered contacts");
  probe.OnFinalResponse(ParseOk(b.Build()));
  ASSERT_FALSE(probe.report().causes.empty());
  EXPECT_NE(probe.report().causes[0].find("Too many devices"), std::string::npos);
}

TEST_F(RegistrationProbeTest, NoReplyGivesExitTwoAndNetworkHints) {
  RegistrationProbe probe(Config(), clock_, random_);
  probe.Start();
  clock_.Advance(Millis(32000));
  probe.OnNoReply(Millis(32000), 11);
  const auto& r = probe.report();
  EXPECT_TRUE(probe.done());
  EXPECT_EQ(r.verdict, Verdict::kNoReply);
  EXPECT_EQ(ExitCodeFor(r.verdict), 2);
  bool firewall = false;
  for (const auto& c : r.causes) firewall |= c.find("firewall") != std::string::npos;
  EXPECT_TRUE(firewall);
}

TEST_F(RegistrationProbeTest, UnregisterSendsExpiresZero) {
  auto cfg = Config();
  cfg.unregister = true;
  RegistrationProbe probe(cfg, clock_, random_);
  auto first = probe.Start();
  EXPECT_EQ(ParseOk(first.request).Value(sip::HeaderId::kExpires), "0");
  probe.OnFinalResponse(Reply(first.request, 200));
  EXPECT_EQ(probe.report().verdict, Verdict::kSuccessful);
  EXPECT_NE(probe.report().summary.find("removed"), std::string::npos);
}

TEST_F(RegistrationProbeTest, TextAndJsonCarryTheVerdictWords) {
  RegistrationProbe probe(Config(), clock_, random_);
  auto first = probe.Start();
  probe.OnFinalResponse(Reply(first.request, 403));
  const std::string text = RenderText(probe.report());
  EXPECT_NE(text.find("SIP Registration: Rejected by Server"), std::string::npos);
  auto j = RenderJson(probe.report());
  EXPECT_EQ(j["verdict"], "Rejected by Server");
  EXPECT_EQ(j["exit_code"], 1);
  EXPECT_EQ(j["status_code"], 403);
}

}  // namespace
}  // namespace sipreg::cli
