#include "registrar/registrar.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <thread>

#include "registrar/memory_binding_store.h"
#include "sip/auth_header.h"
#include "sip/digest_client.h"
#include "sip/parser.h"

namespace sipreg::registrar {
namespace {

class MapDirectory final : public AccountDirectory {
 public:
  const Account* Find(std::string_view name) const override {
    auto it = accounts_.find(std::string(name));
    return it == accounts_.end() ? nullptr : &it->second;
  }
  Account& Add(const std::string& name, const std::string& password) {
    Account a;
    a.name = name;
    a.auth_username = name;
    a.secret = sip::DigestSecret::FromPassword(password);
    return accounts_[name] = a;
  }

 private:
  std::map<std::string, Account> accounts_;
};

struct Req {
  std::string user = "demo-bob";
  std::string call_id = "call-1@phone";
  uint32_t cseq = 1;
  std::vector<std::string> contacts = {"<sip:demo-bob@10.0.0.5:5062>"};
  std::optional<uint32_t> expires = 300;
  std::string authorization;
  std::string extra;
};

class RegistrarTest : public ::testing::Test {
 protected:
  RegistrarTest() {
    bob_ = &accounts_.Add("demo-bob", "othersecretpassword");
    accounts_.Add("demo-alice", "verysecretpassword");
  }

  Registrar& registrar() {
    if (!registrar_) {
      registrar_ = std::make_unique<Registrar>(options_, accounts_, store_, nonces_, clock_, random_);
    }
    return *registrar_;
  }

  static std::string Text(const Req& r) {
    std::string s = "REGISTER sip:pbx.example.com SIP/2.0\r\n"
                    "Via: SIP/2.0/UDP 10.0.0.5:5062;branch=z9hG4bK" + std::to_string(r.cseq) + "x" +
                    std::to_string(std::hash<std::string>{}(r.call_id)) + ";rport\r\n"
                    "Max-Forwards: 70\r\n"
                    "From: <sip:" + r.user + "@pbx.example.com>;tag=ft\r\n"
                    "To: \"Bob\" <sip:" + r.user + "@pbx.example.com>\r\n"
                    "Call-ID: " + r.call_id + "\r\n"
                    "CSeq: " + std::to_string(r.cseq) + " REGISTER\r\n";
    for (const auto& c : r.contacts) s += "Contact: " + c + "\r\n";
    if (r.expires) s += "Expires: " + std::to_string(*r.expires) + "\r\n";
    if (!r.authorization.empty()) s += "Authorization: " + r.authorization + "\r\n";
    s += r.extra;
    s += "Content-Length: 0\r\n\r\n";
    return s;
  }

  RegisterOutcome Send(const Req& r, std::string source_ip = "10.0.0.5") {
    auto m = sip::Parse(Text(r));
    EXPECT_TRUE(m.ok()) << m.status().ToString();
    RegisterOutcome out;
    bool called = false;
    registrar().HandleRegister(*m, {{sip::TransportKind::kUdp, source_ip, 5062}, 0},
                               [&](RegisterOutcome o) {
                                 out = std::move(o);
                                 called = true;
                               });
    EXPECT_TRUE(called);
    return out;
  }

  static sip::Message Response(const RegisterOutcome& o) {
    auto m = sip::Parse(o.response);
    EXPECT_TRUE(m.ok()) << o.response;
    return std::move(m).value();
  }

  // Sends `r` without credentials, answers the challenge with `password` as `auth_user`.
  RegisterOutcome SendWithAuth(Req r, const std::string& password,
                               std::string auth_user = "", std::string source_ip = "10.0.0.5") {
    if (auth_user.empty()) auth_user = r.user;
    auto first = Send(r, source_ip);
    if (first.error != RegError::kChallenge) return first;
    sip::Message challenge = Response(first);
    std::vector<std::string_view> values;
    for (const auto& h : challenge.headers()) {
      if (h.id == sip::HeaderId::kWwwAuthenticate) values.push_back(h.value);
    }
    sip::DigestClient client(auth_user, sip::DigestSecret::FromPassword(password), random_);
    EXPECT_TRUE(client.OnChallenge(values).ok());
    auto creds = client.Authorize("REGISTER", "sip:pbx.example.com");
    EXPECT_TRUE(creds.ok());
    r.authorization = *creds;
    r.cseq += 1;
    return Send(r, source_ip);
  }

  std::vector<Binding> Bindings(const std::string& aor = "demo-bob") {
    return store_.Lookup(aor, clock_.WallNow());
  }

  FakeClock clock_;
  FakeRandom random_{11};
  sip::NonceManager nonces_{clock_, random_};
  MemoryBindingStore store_;
  MapDirectory accounts_;
  Account* bob_;
  RegistrarOptions options_;
  std::unique_ptr<Registrar> registrar_;
};

TEST_F(RegistrarTest, FirstRegisterIsChallengedWithSha256ThenMd5) {
  auto out = Send(Req{});
  EXPECT_EQ(out.error, RegError::kChallenge);
  sip::Message m = Response(out);
  EXPECT_EQ(m.status_code(), 401);
  std::vector<std::string> algs;
  for (const auto& h : m.headers()) {
    if (h.id != sip::HeaderId::kWwwAuthenticate) continue;
    auto c = sip::ParseDigestChallenge(h.value);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->realm, "asterisk");
    algs.push_back(c->algorithm);
  }
  EXPECT_EQ(algs, (std::vector<std::string>{"SHA-256", "MD5"}));
  EXPECT_TRUE(Bindings().empty());
}

TEST_F(RegistrarTest, RightPasswordStoresBindingAndOkListsItWithExpiresAndDate) {
  auto out = SendWithAuth(Req{}, "othersecretpassword");
  ASSERT_EQ(out.error, RegError::kOk) << out.response;
  sip::Message m = Response(out);
  EXPECT_EQ(m.status_code(), 200);
  EXPECT_EQ(m.Value(sip::HeaderId::kContact), "<sip:demo-bob@10.0.0.5:5062>;expires=300");
  EXPECT_FALSE(m.Value(sip::HeaderId::kDate).empty());
  ASSERT_EQ(Bindings().size(), 1u);
  EXPECT_EQ(Bindings()[0].received.ToString(), "10.0.0.5:5062");
  EXPECT_EQ(out.added.size(), 1u);
}

TEST_F(RegistrarTest, Md5OnlyServesOldPhones) {
  options_.algorithms = {sip::DigestAlgorithm::kMd5};
  auto out = SendWithAuth(Req{}, "othersecretpassword");
  EXPECT_EQ(out.error, RegError::kOk);
}

TEST_F(RegistrarTest, WrongPasswordIsAFreshChallengeAndLoggedAsWrongPassword) {
  auto out = SendWithAuth(Req{}, "nope");
  EXPECT_EQ(out.error, RegError::kWrongPassword);
  EXPECT_EQ(Response(out).status_code(), 401);
  EXPECT_EQ(Describe(out.error).log_reason, "Wrong password");
  EXPECT_TRUE(Bindings().empty());
}

TEST_F(RegistrarTest, AlwaysAuthRejectMakesUnknownUserLookLikeAWrongPassword) {
  Req ghost;
  ghost.user = "ghost";
  auto unknown = SendWithAuth(ghost, "whatever");
  auto wrong = SendWithAuth(Req{}, "whatever");
  EXPECT_EQ(unknown.error, RegError::kNoMatchingPeer);
  EXPECT_EQ(wrong.error, RegError::kWrongPassword);
  sip::Message a = Response(unknown), b = Response(wrong);
  EXPECT_EQ(a.status_code(), b.status_code());
  EXPECT_EQ(a.reason_phrase(), b.reason_phrase());
  // Same headers, in the same order; only nonces (and tags/ids of the request) differ.
  ASSERT_EQ(a.headers().size(), b.headers().size());
  for (size_t i = 0; i < a.headers().size(); ++i) EXPECT_EQ(a.headers()[i].id, b.headers()[i].id);
}

TEST_F(RegistrarTest, WithoutAlwaysAuthRejectUnknownUserIs404) {
  options_.always_auth_reject = false;
  Req ghost;
  ghost.user = "ghost";
  auto out = Send(ghost);
  EXPECT_EQ(out.error, RegError::kNoMatchingPeer);
  EXPECT_EQ(Response(out).status_code(), 404);
  EXPECT_EQ(Describe(out.error).log_reason, "No matching peer found");
}

TEST_F(RegistrarTest, AuthNameMismatchIs403WhenNotHidden) {
  options_.always_auth_reject = false;
  auto out = SendWithAuth(Req{}, "verysecretpassword", "demo-alice");
  EXPECT_EQ(out.error, RegError::kAuthNameMismatch);
  EXPECT_EQ(Response(out).status_code(), 403);
  EXPECT_EQ(Describe(out.error).log_reason, "Username/auth name mismatch");
}

TEST_F(RegistrarTest, DefaultUserIsTheAuthNameToUse) {
  bob_->auth_username = "bobauth";
  EXPECT_EQ(SendWithAuth(Req{}, "othersecretpassword").error, RegError::kAuthNameMismatch);
  EXPECT_EQ(SendWithAuth(Req{}, "othersecretpassword", "bobauth").error, RegError::kOk);
}

TEST_F(RegistrarTest, AclDeniedIs403DeviceDoesNotMatchAcl) {
  bob_->acl.Deny(*IpNetwork::Parse("0.0.0.0/0"));
  bob_->acl.Permit(*IpNetwork::Parse("192.168.5.0/24"));
  auto out = SendWithAuth(Req{}, "othersecretpassword");
  EXPECT_EQ(out.error, RegError::kAclDenied);
  EXPECT_EQ(Response(out).status_code(), 403);
  EXPECT_EQ(SendWithAuth(Req{}, "othersecretpassword", "", "192.168.5.103").error, RegError::kOk);
}

TEST_F(RegistrarTest, NamedAndGlobalAclsApplyToo) {
  IpAcl office;
  office.Deny(*IpNetwork::Parse("0.0.0.0/0"));
  office.Permit(*IpNetwork::Parse("10.0.0.0/8"));
  bob_->named_acls.push_back(office);
  EXPECT_EQ(SendWithAuth(Req{}, "othersecretpassword", "", "192.0.2.1").error,
            RegError::kAclDenied);
  EXPECT_EQ(SendWithAuth(Req{}, "othersecretpassword", "", "10.0.0.5").error, RegError::kOk);

  IpAcl global;
  global.Deny(*IpNetwork::Parse("10.0.0.5"));
  options_.global_acls.push_back(global);
  registrar_.reset();
  Req again;
  again.call_id = "again@phone";
  EXPECT_EQ(SendWithAuth(again, "othersecretpassword", "", "10.0.0.5").error,
            RegError::kAclDenied);
}

TEST_F(RegistrarTest, StaticHostPeerIsNotSupposedToRegister) {
  bob_->dynamic = false;
  auto out = SendWithAuth(Req{}, "othersecretpassword");
  EXPECT_EQ(out.error, RegError::kNotDynamic);
  EXPECT_EQ(Describe(out.error).log_reason, "Peer is not supposed to register");
}

TEST_F(RegistrarTest, ExpiresBelowMinimumIs423WithMinExpires) {
  Req r;
  r.expires = 30;
  auto out = SendWithAuth(r, "othersecretpassword");
  EXPECT_EQ(out.error, RegError::kIntervalTooBrief);
  sip::Message m = Response(out);
  EXPECT_EQ(m.status_code(), 423);
  EXPECT_EQ(m.Value(sip::HeaderId::kMinExpires), "60");
  EXPECT_TRUE(Bindings().empty());
}

TEST_F(RegistrarTest, ExpiresAboveMaximumIsClamped) {
  Req r;
  r.expires = 86400;
  auto out = SendWithAuth(r, "othersecretpassword");
  EXPECT_EQ(Response(out).Value(sip::HeaderId::kContact),
            "<sip:demo-bob@10.0.0.5:5062>;expires=3600");
}

TEST_F(RegistrarTest, ContactExpiresParamBeatsHeaderAndDefaultAppliesWithoutEither) {
  Req r;
  r.contacts = {"<sip:demo-bob@10.0.0.5:5062>;expires=200"};
  EXPECT_EQ(Response(SendWithAuth(r, "othersecretpassword")).Value(sip::HeaderId::kContact),
            "<sip:demo-bob@10.0.0.5:5062>;expires=200");
  Req d;
  d.call_id = "other@phone";
  d.expires.reset();
  EXPECT_EQ(Response(SendWithAuth(d, "othersecretpassword")).Value(sip::HeaderId::kContact),
            "<sip:demo-bob@10.0.0.5:5062>;expires=120");
}

TEST_F(RegistrarTest, StarWithNonZeroExpiresIs400) {
  Req r;
  r.contacts = {"*"};
  r.expires = 300;
  auto out = SendWithAuth(r, "othersecretpassword");
  EXPECT_EQ(out.error, RegError::kInvalidStar);
  EXPECT_EQ(Response(out).status_code(), 400);
}

TEST_F(RegistrarTest, StarWithAnotherContactIs400) {
  Req r;
  r.contacts = {"*", "<sip:demo-bob@10.0.0.5:5062>"};
  r.expires = 0;
  EXPECT_EQ(SendWithAuth(r, "othersecretpassword").error, RegError::kInvalidStar);
}

TEST_F(RegistrarTest, StarWithExpiresZeroRemovesEveryBinding) {
  ASSERT_EQ(SendWithAuth(Req{}, "othersecretpassword").error, RegError::kOk);
  Req r;
  r.call_id = "other@phone";
  r.contacts = {"*"};
  r.expires = 0;
  auto out = SendWithAuth(r, "othersecretpassword");
  EXPECT_EQ(out.error, RegError::kOk);
  EXPECT_TRUE(Bindings().empty());
  EXPECT_EQ(out.removed.size(), 1u);
}

TEST_F(RegistrarTest, SameCallIdWithLowerCSeqIsRejectedAndBindingUntouched) {
  Req r;
  r.cseq = 10;
  ASSERT_EQ(SendWithAuth(r, "othersecretpassword").error, RegError::kOk);  // CSeq 11 stored
  const auto before = Bindings();
  Req old = r;
  old.cseq = 4;
  old.expires = 900;
  auto out = SendWithAuth(old, "othersecretpassword");  // CSeq 5 < 11
  EXPECT_EQ(out.error, RegError::kOutOfOrder);
  EXPECT_EQ(Response(out).status_code(), 400);
  EXPECT_EQ(Bindings(), before);
}

TEST_F(RegistrarTest, QueryWithoutContactListsBindings) {
  ASSERT_EQ(SendWithAuth(Req{}, "othersecretpassword").error, RegError::kOk);
  clock_.Advance(Millis(100'000));
  Req q;
  q.call_id = "q@phone";
  q.contacts.clear();
  auto out = SendWithAuth(q, "othersecretpassword");
  EXPECT_EQ(out.error, RegError::kOk);
  EXPECT_EQ(Response(out).Value(sip::HeaderId::kContact),
            "<sip:demo-bob@10.0.0.5:5062>;expires=200");
}

TEST_F(RegistrarTest, ExpiresZeroRemovesOnlyThatContact) {
  ASSERT_EQ(SendWithAuth(Req{}, "othersecretpassword").error, RegError::kOk);
  Req r;
  r.cseq = 5;
  r.expires = 0;
  auto out = SendWithAuth(r, "othersecretpassword");
  EXPECT_EQ(out.error, RegError::kOk);
  EXPECT_TRUE(Bindings().empty());
}

TEST_F(RegistrarTest, MaxContactsWithRemoveExistingDropsTheSoonestExpiring) {
  bob_->max_contacts = 2;
  Req a;
  a.call_id = "a@x";
  a.contacts = {"<sip:demo-bob@10.0.0.1>"};
  a.expires = 100;
  Req b = a;
  b.call_id = "b@x";
  b.contacts = {"<sip:demo-bob@10.0.0.2>"};
  b.expires = 600;
  Req c = a;
  c.call_id = "c@x";
  c.contacts = {"<sip:demo-bob@10.0.0.3>"};
  c.expires = 300;
  ASSERT_EQ(SendWithAuth(a, "othersecretpassword").error, RegError::kOk);
  ASSERT_EQ(SendWithAuth(b, "othersecretpassword").error, RegError::kOk);
  auto out = SendWithAuth(c, "othersecretpassword");
  ASSERT_EQ(out.error, RegError::kOk);
  auto now = Bindings();
  ASSERT_EQ(now.size(), 2u);
  for (const auto& x : now) EXPECT_NE(x.contact, "sip:demo-bob@10.0.0.1");
  ASSERT_EQ(out.removed.size(), 1u);
  EXPECT_EQ(out.removed[0].contact, "sip:demo-bob@10.0.0.1");
}

TEST_F(RegistrarTest, MaxContactsWithoutRemoveExistingIs403TooManyContacts) {
  bob_->remove_existing = false;
  ASSERT_EQ(SendWithAuth(Req{}, "othersecretpassword").error, RegError::kOk);
  Req other;
  other.call_id = "second@phone";
  other.contacts = {"<sip:demo-bob@10.0.0.9:5060>"};
  auto out = SendWithAuth(other, "othersecretpassword");
  EXPECT_EQ(out.error, RegError::kTooManyContacts);
  EXPECT_EQ(Response(out).status_code(), 403);
  EXPECT_EQ(Describe(out.error).log_reason, "Too many contacts");
  ASSERT_EQ(Bindings().size(), 1u);
  EXPECT_EQ(Bindings()[0].contact, "sip:demo-bob@10.0.0.5:5062");
}

class SetHealth final : public ContactHealth {
 public:
  bool IsUnavailable(std::string_view, std::string_view contact) const override {
    return dead.count(std::string(contact)) > 0;
  }
  std::set<std::string> dead;
};

TEST_F(RegistrarTest, RemoveUnavailableDropsTheUnreachableContactFirst) {
  SetHealth health;
  bob_->max_contacts = 2;
  bob_->remove_existing = false;
  bob_->remove_unavailable = true;
  registrar().SetContactHealth(&health);
  Req a;
  a.call_id = "a@x";
  a.contacts = {"<sip:demo-bob@10.0.0.1>"};
  Req b = a;
  b.call_id = "b@x";
  b.contacts = {"<sip:demo-bob@10.0.0.2>"};
  Req c = a;
  c.call_id = "c@x";
  c.contacts = {"<sip:demo-bob@10.0.0.3>"};
  ASSERT_EQ(SendWithAuth(a, "othersecretpassword").error, RegError::kOk);
  ASSERT_EQ(SendWithAuth(b, "othersecretpassword").error, RegError::kOk);
  // Full, nobody unreachable, remove_existing=no: refused.
  EXPECT_EQ(SendWithAuth(c, "othersecretpassword").error, RegError::kTooManyContacts);
  // The second phone stops answering qualify: it makes room.
  health.dead.insert("sip:demo-bob@10.0.0.2");
  c.cseq = 10;
  auto out = SendWithAuth(c, "othersecretpassword");
  ASSERT_EQ(out.error, RegError::kOk);
  ASSERT_EQ(out.removed.size(), 1u);
  EXPECT_EQ(out.removed[0].contact, "sip:demo-bob@10.0.0.2");
  std::set<std::string> left;
  for (const auto& x : Bindings()) left.insert(x.contact);
  EXPECT_EQ(left, (std::set<std::string>{"sip:demo-bob@10.0.0.1", "sip:demo-bob@10.0.0.3"}));
}

TEST_F(RegistrarTest, RemoveUnavailableOffKeepsUnreachableContacts) {
  SetHealth health;
  health.dead.insert("sip:demo-bob@10.0.0.5:5062");
  bob_->remove_existing = false;
  registrar().SetContactHealth(&health);
  ASSERT_EQ(SendWithAuth(Req{}, "othersecretpassword").error, RegError::kOk);
  Req other;
  other.call_id = "second@phone";
  other.contacts = {"<sip:demo-bob@10.0.0.9:5060>"};
  EXPECT_EQ(SendWithAuth(other, "othersecretpassword").error, RegError::kTooManyContacts);
}

TEST_F(RegistrarTest, RefreshKeepsRegisteredAtAndIsNotAnAddition) {
  ASSERT_EQ(SendWithAuth(Req{}, "othersecretpassword").error, RegError::kOk);
  const WallTime first = Bindings()[0].registered_at;
  clock_.Advance(Millis(60'000));
  Req r;
  r.cseq = 3;
  auto out = SendWithAuth(r, "othersecretpassword");
  ASSERT_EQ(out.error, RegError::kOk);
  EXPECT_TRUE(out.added.empty());
  EXPECT_EQ(Bindings()[0].registered_at, first);
  EXPECT_EQ(Bindings()[0].cseq, 4u);
}

TEST_F(RegistrarTest, JitterTakesAtMostThePercentageOff) {
  options_.expires_jitter_percent = 20;
  Req r;
  r.expires = 1000;
  ASSERT_EQ(SendWithAuth(r, "othersecretpassword").error, RegError::kOk);
  auto left = std::chrono::duration_cast<std::chrono::seconds>(Bindings()[0].expires_at -
                                                               clock_.WallNow());
  EXPECT_GE(left.count(), 800);
  EXPECT_LE(left.count(), 1000);
}

TEST_F(RegistrarTest, StaleNonceWithRightPasswordGets401StaleTrue) {
  auto first = Send(Req{});
  sip::Message challenge = Response(first);
  std::vector<std::string_view> values;
  for (const auto& h : challenge.headers()) {
    if (h.id == sip::HeaderId::kWwwAuthenticate) values.push_back(h.value);
  }
  sip::DigestClient client("demo-bob", sip::DigestSecret::FromPassword("othersecretpassword"),
                           random_);
  ASSERT_TRUE(client.OnChallenge(values).ok());
  clock_.Advance(Millis(120'000));  // well past the 30 s nonce lifetime
  Req r;
  r.cseq = 2;
  r.authorization = *client.Authorize("REGISTER", "sip:pbx.example.com");
  auto out = Send(r);
  EXPECT_EQ(out.error, RegError::kStaleNonce);
  auto c = sip::ParseDigestChallenge(Response(out).Value(sip::HeaderId::kWwwAuthenticate));
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->stale);
}

TEST_F(RegistrarTest, SameInstanceReplacesTheOldFlow) {
  bob_->max_contacts = 5;
  Req a;
  a.contacts = {"<sip:demo-bob@10.0.0.5:5062>;+sip.instance=\"<urn:uuid:1>\";reg-id=1"};
  ASSERT_EQ(SendWithAuth(a, "othersecretpassword").error, RegError::kOk);
  Req b;
  b.call_id = "after-reboot@phone";
  b.contacts = {"<sip:demo-bob@10.0.0.6:5070>;+sip.instance=\"<urn:uuid:1>\";reg-id=1"};
  ASSERT_EQ(SendWithAuth(b, "othersecretpassword").error, RegError::kOk);
  ASSERT_EQ(Bindings().size(), 1u);
  EXPECT_EQ(Bindings()[0].contact, "sip:demo-bob@10.0.0.6:5070");
}

TEST_F(RegistrarTest, UnsupportedRequireIs420WithUnsupported) {
  Req r;
  r.extra = "Require: 100rel\r\n";
  auto out = Send(r);
  EXPECT_EQ(out.error, RegError::kUnsupportedRequire);
  sip::Message m = Response(out);
  EXPECT_EQ(m.status_code(), 420);
  EXPECT_EQ(m.Value(sip::HeaderId::kUnsupported), "100rel");
}

TEST_F(RegistrarTest, GarbageCredentialsAre400) {
  Req r;
  r.authorization = "Digest username=";
  auto out = Send(r);
  EXPECT_EQ(out.error, RegError::kMalformed);
  EXPECT_EQ(Response(out).status_code(), 400);
}

TEST_F(RegistrarTest, MalformedContactHeaderIs400BeforeAnyChallenge) {
  Req r;
  r.contacts = {"<sip:demo-bob@10.0.0.5:5062"};  // unterminated name-addr
  auto out = Send(r);
  EXPECT_EQ(out.error, RegError::kMalformed);
  EXPECT_EQ(Response(out).status_code(), 400);
}

TEST(RegErrorTest, EveryErrorHasAStatusAndAName) {
  for (int i = 0; i <= static_cast<int>(RegError::kStoreFailed); ++i) {
    const auto e = static_cast<RegError>(i);
    const auto info = Describe(e);
    EXPECT_GE(info.status, 200) << RegErrorName(e);
    EXPECT_LT(info.status, 600) << RegErrorName(e);
    EXPECT_NE(RegErrorName(e), "unknown");
  }
}

TEST(HttpDateTest, FormatsRfc1123InGmt) {
  EXPECT_EQ(HttpDate(WallTime(std::chrono::seconds(1'795'262'400))),
            "Sat, 21 Nov 2026 12:00:00 GMT");
}

TEST(HttpDateTest, TheSecondCachedPerThreadFollowsTheClock) {
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  const WallTime noon(seconds(1'795'262'400));
  EXPECT_EQ(HttpDate(noon + milliseconds(999)), "Sat, 21 Nov 2026 12:00:00 GMT");
  EXPECT_EQ(HttpDate(noon + seconds(1)), "Sat, 21 Nov 2026 12:00:01 GMT");
  EXPECT_EQ(HttpDate(noon - seconds(86'400)), "Fri, 20 Nov 2026 12:00:00 GMT");  // back in time
  EXPECT_EQ(HttpDate(noon), "Sat, 21 Nov 2026 12:00:00 GMT");
  // A fresh thread's first call, one second before the epoch: no value stands for "not yet".
  std::string first;
  std::thread([&first] { first = HttpDate(WallTime(seconds(-1))); }).join();
  EXPECT_EQ(first, "Wed, 31 Dec 1969 23:59:59 GMT");
}

}  // namespace
}  // namespace sipreg::registrar
