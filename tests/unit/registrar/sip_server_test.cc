// SipServer over a FakeTransport: what reaches the wire when handling fails.
#include "registrar/sip_server.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

#include "registrar/asterisk_log.h"
#include "registrar/memory_binding_store.h"
#include "sip/nonce.h"
#include "sip/parser.h"
#include "temp_dir.h"
#include "transport/fake_transport.h"

namespace sipreg::registrar {
namespace {

using sipreg::testing::TempDir;

// Accounts where looking up "boom" fails the way only a bug or exhausted
// memory would make a real directory fail.
class FailingDirectory final : public AccountDirectory {
 public:
  const Account* Find(std::string_view name) const override {
    if (name == "boom") throw std::runtime_error("directory failed");
    return nullptr;
  }
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
