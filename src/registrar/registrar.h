// Registrar: RFC 3261 §10.3 for one REGISTER, every step: authenticate (digest,
// alwaysauthreject), authorise (account exists, auth name, ACL, host=dynamic),
// validate Contacts (Contact: *, expiry limits -> 423, Call-ID/CSeq order), then
// update the account's bindings atomically in the BindingStore (max_contacts,
// remove_existing, RFC 5626 instance replacement, expiry jitter) and answer 200
// OK listing every binding with its remaining time, only once the store says the
// change is durable. Protocol logic only: no sockets, no logging; the caller sends
// the response and logs the outcome.
//
// Thread-safety: HandleRegister may be called from several threads at once; the
// store serialises changes per AOR, the NonceManager and OpenSslRandom are
// thread-safe, and the directory must not change while calls are in flight
// (a reload swaps in a new Registrar).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "registrar/account.h"
#include "registrar/binding.h"
#include "registrar/binding_store.h"
#include "registrar/contact_health.h"
#include "sip/auth_header.h"
#include "registrar/ring_group.h"
#include "registrar/reg_error.h"
#include "sip/digest.h"
#include "sip/endpoint.h"
#include "sip/message.h"
#include "sip/nonce.h"
#include "sip/serializer.h"

namespace sipreg::registrar {

// Looks accounts up by name (the To user of a REGISTER).
class AccountDirectory {
 public:
  virtual ~AccountDirectory() = default;
  virtual const Account* Find(std::string_view name) const = 0;
  // The account a dialled user names (name, extension=, callerid number).
  virtual const Account* FindCallee(std::string_view user) const { return Find(user); }
  // The ring group a dialled user names (group name or its extension=).
  virtual const RingGroup* FindGroup(std::string_view) const { return nullptr; }
};

// The verdict on a non-REGISTER request from a local account (a call).
struct RequestAuth {
  RegError error = RegError::kOk;  // kOk: authenticated
  int status = 0;                  // !kOk: 407, 403 or 400
  std::string response;            // !kOk: that response, to send back
};

struct RegistrarOptions {
  std::string realm = "asterisk";  // sip.conf default
  bool always_auth_reject = true;
  // Challenges offered, most preferred first (RFC 8760), one WWW-Authenticate each.
  std::vector<sip::DigestAlgorithm> algorithms = {sip::DigestAlgorithm::kSha256,
                                                  sip::DigestAlgorithm::kMd5};
  bool offer_qop = true;
  // Up to this percentage is taken off each granted expiry at random, so phones
  // that all registered after an outage do not all refresh at the same moment.
  uint32_t expires_jitter_percent = 0;
  std::string server_header = "sipreg";
  // pjsip type=acl sections no endpoint names: they apply to every account.
  std::vector<IpAcl> global_acls;
};

struct RegisterSource {
  sip::Endpoint address;       // where the REGISTER came from (received / rport)
  uint64_t connection_id = 0;  // TCP/TLS connection, 0 for UDP
};

struct RegisterOutcome {
  RegError error = RegError::kOk;
  std::string response;           // complete SIP response to send back
  std::string account;            // the To user (whether or not it exists)
  std::string to_header;          // the REGISTER's To value, for log lines
  std::string call_id;            // for the security log's SessionID
  std::string auth_username;      // from Authorization, if any
  std::vector<Binding> bindings;  // the AOR's bindings after success
  std::vector<Binding> added;     // contacts that were not registered before
  std::vector<Binding> removed;   // contacts removed by this request
};

class Registrar {
 public:
  // Every reference must outlive the Registrar.
  Registrar(RegistrarOptions options, const AccountDirectory& accounts, BindingStore& store,
            sip::NonceManager& nonces, const Clock& clock, Random& random);

  // `done` is called exactly once, possibly on the store's commit thread.
  void HandleRegister(const sip::Message& request, const RegisterSource& source,
                      std::function<void(RegisterOutcome)> done);

  const RegistrarOptions& options() const { return options_; }

  // Digest for a request other than REGISTER from `account` (a call): RFC 3261
  // §22.3 proxy authentication with Proxy-Authorization, 407 challenges, the
  // account's ACL. Like REGISTER under alwaysauthreject, a wrong password or
  // auth name gets a fresh 407. Thread-safe.
  RequestAuth AuthenticateRequest(const sip::Message& request, const Account& account,
                                  std::string_view source_ip) const;
  const AccountDirectory& accounts() const { return accounts_; }
  // For remove_unavailable; null (the default) treats every contact as available.
  // Must outlive the Registrar.
  void SetContactHealth(const ContactHealth* health) { health_ = health; }

 private:
  struct Prepared;
  RegisterOutcome Reject(const sip::Message& request, RegisterOutcome out, RegError error,
                         std::string_view realm, uint32_t min_expires = 0) const;
  // Adds every binding as Contact with its remaining expiry, Date and Server.
  std::string FinishOk(sip::MessageBuilder b, const std::vector<Binding>& bindings) const;
  // Verifies `creds` against the account: kOk, kStaleNonce, kChallenge (nonce not
  // ours / replayed / algorithm no longer offered), kWrongPassword or kMalformed.
  RegError CheckDigest(const sip::Message& request, const sip::DigestCredentials& creds,
                       const Account& account, std::string_view realm) const;
  // 401 with WWW-Authenticate (REGISTER), or 407 with Proxy-Authenticate (calls).
  std::string ChallengeResponse(const sip::Message& request, std::string_view realm,
                                bool stale, bool proxy = false) const;

  RegistrarOptions options_;
  const AccountDirectory& accounts_;
  BindingStore& store_;
  sip::NonceManager& nonces_;
  const Clock& clock_;
  Random& random_;
  sip::DigestAlgorithmSet allowed_;
  const ContactHealth* health_ = nullptr;
};

// RFC 1123 date for the Date header: "Sat, 21 Nov 2026 12:00:00 GMT".
std::string HttpDate(WallTime t);

}  // namespace sipreg::registrar
