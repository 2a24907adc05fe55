// SipServer over a FakeTransport: what reaches the wire when handling fails.
#include "registrar/sip_server.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "registrar/asterisk_log.h"
#include "registrar/memory_binding_store.h"
#include "sip/digest_client.h"
#include "sip/nonce.h"
#include "sip/parser.h"
#include "temp_dir.h"
#include "transport/fake_transport.h"

namespace sipreg::registrar {
namespace {

using sipreg::testing::TempDir;

// Accounts where looking up "boom" (or anyone, once `failing` is set) fails
// the way only a bug or exhausted memory would make a real directory fail.
// "demo-bob" (password "secret") is the one account that exists.
class FailingDirectory final : public AccountDirectory {
 public:
  FailingDirectory() {
    bob_.name = "demo-bob";
    bob_.aor = "demo-bob";
    bob_.auth_username = "demo-bob";
    bob_.secret = sip::DigestSecret::FromPassword("secret");
  }
  const Account* Find(std::string_view name) const override {
    if (name == "boom" || failing) throw std::runtime_error("directory failed");
    return name == bob_.name ? &bob_ : nullptr;
  }
  bool failing = false;

 private:
  Account bob_;
};

std::string Request(const std::string& method, const std::string& user, const std::string& call_id,
                    const std::string& extra = "") {
  return method + " sip:" + user + "@127.0.0.1 SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 10.0.0.9:5062;branch=z9hG4bK-" + call_id + ";rport\r\n"
         "Max-Forwards: 70\r\n"
         "From: <sip:" + user + "@127.0.0.1>;tag=f1\r\n"
         "To: <sip:" + user + "@127.0.0.1>\r\n"
         "Call-ID: " + call_id + "\r\n"
         "CSeq: 1 " + method + "\r\n"
         "Contact: <sip:" + user + "@10.0.0.9:5062>\r\n" + extra +
         "Content-Length: 0\r\n\r\n";
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class SipServerTest : public ::testing::Test {
 protected:
  SipServerTest() {
    AsteriskLogOptions o;
    o.file = dir_.File("messages");
    auto log = AsteriskLog::Open(o);
    EXPECT_TRUE(log.ok());
    log_ = std::move(log).value();
    EXPECT_TRUE(transport_.Listen(sip::TransportKind::kUdp, "127.0.0.1", 5060).ok());
    registrar_ = std::make_unique<Registrar>(RegistrarOptions{}, accounts_, store_, nonces_,
                                             clock_, random_);
    server_ = std::make_unique<SipServer>(io_, transport_, *registrar_, store_, bans_, *log_,
                                          nullptr, qualify_, clock_, random_);
    server_->Start();
  }

  // The log file as written so far.
  std::string Log() {
    log_->Flush();
    return ReadAll(dir_.File("messages"));
  }

  // The status line of the one response sent since the last call.
  std::string Answer() {
    auto sent = transport_.TakeSent();
    if (sent.size() != 1) return std::to_string(sent.size()) + " responses";
    EXPECT_EQ(sent[0].dest, source_);
    return sent[0].bytes.substr(0, sent[0].bytes.find("\r\n"));
  }

  TempDir dir_{"sipreg-server"};
  asio::io_context io_;
  transport::FakeTransport transport_;
  FakeClock clock_;
  FakeRandom random_{7};
  sip::NonceManager nonces_{clock_, random_};
  MemoryBindingStore store_;
  FailingDirectory accounts_;
  BanList bans_{BanOptions{}};
  QualifyMonitor qualify_;
  std::unique_ptr<AsteriskLog> log_;
  std::unique_ptr<Registrar> registrar_;
  std::unique_ptr<SipServer> server_;
  const sip::Endpoint source_{sip::TransportKind::kUdp, "10.0.0.9", 5062};
};

TEST_F(SipServerTest, AFailureWhileHandlingARequestIsLoggedAnsweredWith500AndServiceGoesOn) {
  transport_.Receive(Request("REGISTER", "boom", "c-boom",
                             "Authorization: Digest username=\"boom\", realm=\"asterisk\", "
                             "nonce=\"x\", uri=\"sip:boom@127.0.0.1\", response=\"0\"\r\n"),
                     source_);
  EXPECT_EQ(Answer(), "SIP/2.0 500 Server Internal Error");
  EXPECT_EQ(server_->counters().internal_errors.load(), 1u);
  log_->Flush();
  const std::string log = ReadAll(dir_.File("messages"));
  EXPECT_NE(log.find("ERROR["), std::string::npos) << log;
  EXPECT_NE(log.find("handle_request_do: Internal error handling REGISTER 'c-boom' from "
                     "'10.0.0.9:5062': directory failed - answered 500"),
            std::string::npos)
      << log;
  // The server still answers.
  transport_.Receive(Request("OPTIONS", "anyone", "c-after"), source_);
  EXPECT_EQ(Answer(), "SIP/2.0 200 OK");
  EXPECT_EQ(server_->counters().internal_errors.load(), 1u);
}

TEST_F(SipServerTest, AFailureInTheProxyIsAnsweredWith500Too) {
  // An INVITE whose callee lookup fails: the 500 goes through its server
  // transaction, which then answers a retransmission with it too.
  transport_.Receive(Request("INVITE", "boom", "c-invite"), source_);
  EXPECT_EQ(Answer(), "SIP/2.0 500 Server Internal Error");
  transport_.Receive(Request("INVITE", "boom", "c-invite"), source_);
  EXPECT_EQ(Answer(), "SIP/2.0 500 Server Internal Error");
  log_->Flush();
  const std::string log = ReadAll(dir_.File("messages"));
  EXPECT_NE(log.find("Internal error handling INVITE 'c-invite'"), std::string::npos) << log;
  EXPECT_EQ(server_->counters().internal_errors.load(), 1u);
}

}  // namespace
}  // namespace sipreg::registrar

namespace sipreg::registrar {
namespace {

// An INVITE to demo-bob from a caller who is not an account (so not challenged).
std::string InviteBob(const std::string& call_id) {
  std::string m = Request("INVITE", "demo-bob", call_id);
  const std::string from = "From: <sip:demo-bob@";
  m.replace(m.find(from), from.size(), "From: <sip:stranger@");
  return m;
}

// demo-bob registered at `callee` over UDP, so an INVITE to him is relayed there.
void RegisterBob(MemoryBindingStore& store, const FakeClock& clock, const sip::Endpoint& callee) {
  Binding b;
  b.aor = "demo-bob";
  b.contact = "sip:demo-bob@" + callee.ToString();
  b.call_id = "reg-bob";
  b.cseq = 1;
  b.registered_at = clock.WallNow();
  b.expires_at = clock.WallNow() + std::chrono::seconds(3600);
  b.received = callee;
  store.Apply("demo-bob", {BindingChange::Upsert(b)}, clock.WallNow(),
              [](Result<std::vector<Binding>> r) { EXPECT_TRUE(r.ok()); });
}

// The final answers sent to `to` since the last call, as status lines.
std::vector<std::string> FinalsTo(transport::FakeTransport& t, const sip::Endpoint& to) {
  std::vector<std::string> out;
  for (const auto& s : t.TakeSent()) {
    if (s.dest != to || s.bytes.rfind("SIP/2.0 1", 0) == 0) continue;
    out.push_back(s.bytes.substr(0, s.bytes.find("\r\n")));
  }
  return out;
}

// A relayed INVITE the transport fails to deliver after taking it (a TCP
// write error, a datagram the kernel refused) is a transport error for its
// client transaction (RFC 3261 §17.1.4): the caller is answered at once, not
// after Timer B's 32 s, and the failure is logged.
TEST_F(SipServerTest, ARelayedInviteThatFailsLaterIsAnsweredAtOnce) {
  const sip::Endpoint callee{sip::TransportKind::kUdp, "10.0.0.20", 5070};
  RegisterBob(store_, clock_, callee);
  transport_.Receive(InviteBob("c-fail-later"), source_);
  const auto& sent = transport_.sent();
  const auto invite = std::find_if(sent.begin(), sent.end(), [&](const auto& s) {
    return s.dest == callee && s.bytes.rfind("INVITE ", 0) == 0;
  });
  ASSERT_NE(invite, sent.end()) << sent.size() << " sent";
  transport_.FailSent(static_cast<size_t>(invite - sent.begin()),
                      Status::IoError("UDP send to 10.0.0.20:5070: Permission denied"));
  io_.poll();
  const auto finals = FinalsTo(transport_, source_);
  ASSERT_EQ(finals.size(), 1u);
  EXPECT_EQ(finals[0].substr(0, 9), "SIP/2.0 5") << finals[0];
  EXPECT_NE(Log().find("Cannot send to 10.0.0.20:5070: UDP send to 10.0.0.20:5070: Permission "
                       "denied"),
            std::string::npos)
      << Log();
  // The branch is over: Timer B passing later sends nothing more to anyone.
  clock_.Advance(std::chrono::seconds(40));
  io_.poll();
  EXPECT_TRUE(FinalsTo(transport_, source_).empty());
}

// A send without a transaction (here the stateless 401 challenge) that fails
// after the transport took it has nothing to retry, but it is logged.
TEST_F(SipServerTest, ALateFailureOfAStatelessSendIsLogged) {
  transport_.Receive(Request("REGISTER", "demo-bob", "c-challenge"), source_);
  ASSERT_EQ(Answer(), "SIP/2.0 401 Unauthorized");
  // Answer() took it: send it again the same way to have an entry to fail.
  transport_.Receive(Request("REGISTER", "demo-bob", "c-challenge-2"), source_);
  ASSERT_EQ(transport_.sent().size(), 1u);
  transport_.FailSent(0, Status::IoError("connection reset"));
  EXPECT_NE(Log().find("send_response: Cannot send to 10.0.0.9:5062: connection reset"),
            std::string::npos)
      << Log();
}

// The same when the transport refuses the INVITE at once: the transaction
// gets the error as its next event (not from inside the send).
TEST_F(SipServerTest, ARelayedInviteTheTransportRefusesIsAnsweredAtOnce) {
  const sip::Endpoint callee{sip::TransportKind::kUdp, "10.0.0.21", 5070};
  RegisterBob(store_, clock_, callee);
  transport_.FailSendsTo(callee, Status::Unavailable("no route"));
  transport_.Receive(InviteBob("c-fail-now"), source_);
  io_.poll();
  const auto finals = FinalsTo(transport_, source_);
  ASSERT_EQ(finals.size(), 1u);
  EXPECT_EQ(finals[0].substr(0, 9), "SIP/2.0 5") << finals[0];
  EXPECT_NE(Log().find("Cannot send to 10.0.0.21:5070: no route"), std::string::npos) << Log();
}

// Only the first copy's failure counts: when a retransmission of a relayed
// INVITE cannot be sent, the first copy may have arrived, so the call goes on
// and the callee's answers are still relayed.
TEST_F(SipServerTest, AFailedRetransmissionDoesNotEndARelayedCall) {
  const sip::Endpoint callee{sip::TransportKind::kUdp, "10.0.0.22", 5070};
  RegisterBob(store_, clock_, callee);
  transport_.Receive(InviteBob("c-retrans"), source_);
  std::string invite;
  for (const auto& s : transport_.TakeSent()) {
    if (s.dest == callee && s.bytes.rfind("INVITE ", 0) == 0) invite = s.bytes;
  }
  ASSERT_FALSE(invite.empty());
  transport_.FailSendsTo(callee, Status::Unavailable("no buffer space"));
  clock_.Advance(std::chrono::milliseconds(600));  // past T1: timer A retransmits
  io_.run_for(std::chrono::milliseconds(120));
  EXPECT_NE(Log().find("Cannot send to 10.0.0.22:5070: no buffer space"), std::string::npos)
      << Log();
  EXPECT_TRUE(FinalsTo(transport_, source_).empty());
  transport_.FailSendsTo(callee, Status::Ok());
  auto forwarded = sip::Parse(invite);
  ASSERT_TRUE(forwarded.ok());
  transport_.Receive(sip::MakeResponse(*forwarded, 180, "Ringing", "callee").Build(), callee);
  bool ringing = false;
  for (const auto& s : transport_.TakeSent()) {
    if (s.dest == source_ && s.bytes.rfind("SIP/2.0 180", 0) == 0) ringing = true;
  }
  EXPECT_TRUE(ringing);
}

// A server transaction is not ended by a response it cannot send: it goes on
// absorbing the caller's retransmissions, so a failed 100 Trying does not
// turn each retransmitted INVITE into a new call.
TEST_F(SipServerTest, AFailedTryingDoesNotMakeRetransmissionsNewCalls) {
  const sip::Endpoint callee{sip::TransportKind::kUdp, "10.0.0.23", 5070};
  RegisterBob(store_, clock_, callee);
  transport_.FailSendsTo(source_, Status::Unavailable("no route"));
  transport_.Receive(InviteBob("c-no-trying"), source_);
  clock_.Advance(std::chrono::milliseconds(300));  // the 100 is due after 200 ms
  io_.run_for(std::chrono::milliseconds(120));
  ASSERT_NE(Log().find("Cannot send to 10.0.0.9:5062: no route"), std::string::npos) << Log();
  transport_.FailSendsTo(source_, Status::Ok());
  io_.poll();
  transport_.Receive(InviteBob("c-no-trying"), source_);  // the caller retransmits
  io_.poll();
  int invites = 0;
  bool trying = false;
  for (const auto& s : transport_.sent()) {
    if (s.dest == callee && s.bytes.rfind("INVITE ", 0) == 0) ++invites;
    if (s.dest == source_ && s.bytes.rfind("SIP/2.0 100", 0) == 0) trying = true;
  }
  EXPECT_EQ(invites, 1);
  EXPECT_TRUE(trying);                          // the retransmission got the transaction's 100
  EXPECT_EQ(server_->transaction_count(), 2u);  // the caller's and the branch's, nothing more
  EXPECT_TRUE(FinalsTo(transport_, source_).empty());
}

TEST_F(SipServerTest, ARegisterWhoseRecordingFailsIsStillAnswered) {
  // The binding is durable by the time its outcome is logged and counted; a
  // failure there must not leave the phone without its 200 OK.
  transport_.Receive(Request("REGISTER", "demo-bob", "c-reg", "Expires: 300\r\n"), source_);
  auto challenge = transport_.TakeSent();
  ASSERT_EQ(challenge.size(), 1u);
  auto parsed = sip::Parse(challenge[0].bytes);
  ASSERT_TRUE(parsed.ok());
  std::vector<std::string_view> values;
  for (const auto& h : parsed->headers()) {
    if (h.id == sip::HeaderId::kWwwAuthenticate) values.push_back(h.value);
  }
  sip::DigestClient client("demo-bob", sip::DigestSecret::FromPassword("secret"), random_);
  ASSERT_TRUE(client.OnChallenge(values).ok());
  auto creds = client.Authorize("REGISTER", "sip:demo-bob@127.0.0.1");
  ASSERT_TRUE(creds.ok());
  std::string second = Request("REGISTER", "demo-bob", "c-reg",
                               "Expires: 300\r\nAuthorization: " + *creds + "\r\n");
  second.replace(second.find("CSeq: 1"), 7, "CSeq: 2");
  second.replace(second.find("branch=z9hG4bK-c-reg"), 20, "branch=z9hG4bK-c-re2");
  transport_.Receive(second, source_);
  accounts_.failing = true;  // from here on, the qualify lookup after the commit throws
  io_.poll();
  EXPECT_EQ(Answer(), "SIP/2.0 200 OK");
  EXPECT_EQ(store_.Lookup("demo-bob", clock_.WallNow()).size(), 1u);
  EXPECT_EQ(server_->counters().internal_errors.load(), 1u);
  const std::string log = Log();
  EXPECT_NE(log.find("Internal error recording a REGISTER from '10.0.0.9:5062': directory "
                     "failed"),
            std::string::npos)
      << log;
}

TEST_F(SipServerTest, ASendThatThrowsInATimerIsLostLikeADatagramAndTheTransactionGoesOn) {
  // Two INVITEs answered 500 over UDP: each server transaction retransmits its
  // response on timer G. The first retransmission throws (memory ran out): it
  // is lost like a dropped datagram, logged and counted; the rest of that
  // timer's actions still apply, so both transactions retransmit again at the
  // next timer G, and the other one's timer was not held up.
  transport_.Receive(Request("INVITE", "boom", "c-one"), source_);
  transport_.Receive(Request("INVITE", "boom", "c-two"), source_);
  ASSERT_EQ(transport_.TakeSent().size(), 2u);
  ASSERT_EQ(server_->transaction_count(), 2u);
  transport_.ThrowOnNextSend();
  clock_.Advance(std::chrono::milliseconds(600));  // past T1 = 500 ms: timer G
  io_.run_for(std::chrono::milliseconds(120));     // at least one tick (every 50 ms)
  auto sent = transport_.TakeSent();
  ASSERT_EQ(sent.size(), 1u);  // the other transaction's retransmission
  EXPECT_EQ(sent[0].bytes.substr(0, sent[0].bytes.find("\r\n")),
            "SIP/2.0 500 Server Internal Error");
  EXPECT_EQ(server_->transaction_count(), 2u);
  EXPECT_EQ(server_->counters().internal_errors.load(), 3u);  // two 500s, one send
  const std::string log = Log();
  EXPECT_NE(log.find("Internal error sending to '10.0.0.9:5062': std::bad_alloc"),
            std::string::npos)
      << log;
  clock_.Advance(std::chrono::milliseconds(1000));  // the next timer G (2 * T1)
  io_.run_for(std::chrono::milliseconds(120));
  EXPECT_EQ(transport_.TakeSent().size(), 2u);
}

}  // namespace
}  // namespace sipreg::registrar
