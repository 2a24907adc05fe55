// RegistrationPolicy: how one extension of the device stays registered, as a
// sans-I/O state machine fed with responses, timeouts and the clock (the policy
// of libre's src/sipreg/reg.c, written down for RFC 3261 §10.2 and RFC 5626 §4.5).
//
//   Start()                      -> a REGISTER is due (wants_send())
//   2xx                          -> Successful; refresh at min(90 % of the granted
//                                   time, 32 s before it); if Via received/rport
//                                   show a public address other than our Contact,
//                                   re-register at once with that address
//   401/407, no credentials yet  -> answer the challenge once (again only if the
//                                   server says the nonce was stale, or the
//                                   credentials came from an older challenge);
//                                   a proxy's 407 and a registrar's 401 each have
//                                   their own credentials
//   401/407 to fresh credentials -> Rejected by Server ("password or
//                                   Authentication ID"), hard failure
//   423                          -> adopt Min-Expires, send again at once
//   503 with another server address left -> send there at once
//   500/503 with Retry-After     -> wait that long
//   other 3xx-6xx                -> Rejected by Server, backoff
//   timeout / transport error    -> No reply from server, backoff (or at once
//                                   when another server target is left to try)
//   OnFlowFailed (keep-alive)    -> No reply from server, re-register at once
//   Stop()                       -> unregister (Expires: 0) if registered, then done
//
// Backoff is RFC 5626 §4.5's: wait = rand(50 %..100 %) × min(max, base × 2^(n-1))
// after the n-th consecutive failure; base 30 s for soft failures (no reply,
// 5xx, 408, 480...), 300 s for hard ones (403, 404, refused credentials, 6xx);
// max 30 min for both.
//
// The owner (RegistrationEngine) owns sockets, transactions, the rate limiter
// and timers: when wants_send() it calls BuildRequest() with the local address
// of the flow, runs the REGISTER in a client transaction and feeds back the
// final response (OnResponse), a timeout (OnNoReply) or a transport error; it
// calls OnTimer() at next_wakeup(). Single-threaded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "device/registration_view.h"
#include "sip/digest_client.h"
#include "sip/endpoint.h"
#include "sip/message.h"

namespace sipreg::device {

struct PolicyConfig {
  std::string id;    // config section, for logs and the view ("page.2")
  std::string type;  // "page", "ring", "alert", "alert-cancel"
  std::string extension;
  std::string auth_id;  // empty: the extension
  std::string password;
  std::string display_name;
  std::string domain;         // Request-URI host[:port] ("pbx.example.com:5060")
  std::string aor_host;       // host part of the AOR (domain without port)
  std::string route;          // outbound proxy Route value ("<sip:proxy:5060;lr>"), or empty
  uint32_t expires = 3600;    // requested
  std::string instance;       // +sip.instance value: "<urn:uuid:...>"
  std::string user_agent = "sipreg-device";
  bool enabled = true;
  bool operator==(const PolicyConfig&) const = default;
};

// Backoff bounds (seconds), exposed for tests.
inline constexpr uint32_t kSoftBackoffBase = 30;
inline constexpr uint32_t kHardBackoffBase = 300;
inline constexpr uint32_t kBackoffMax = 1800;
inline constexpr uint32_t kRetryAfterMax = 3600;

// A REGISTER to send now.
struct OutgoingRegister {
  std::string bytes;
  std::string branch;  // the Via branch, to route the response back
  uint32_t cseq = 0;
  bool unregister = false;
};

// One line for the System Log.
struct PolicyEvent {
  std::string level;  // "info", "warning", "error"
  std::string text;
};

class RegistrationPolicy {
 public:
  // `clock` and `random` must outlive the policy.
  RegistrationPolicy(PolicyConfig config, const Clock& clock, Random& random);

  // Begins registering (a REGISTER becomes due), or shows Disabled.
  void Start();
  // Unregisters: a REGISTER with Expires: 0 becomes due if we may be
  // registered; otherwise the policy is done at once. Nothing else is sent after.
  void Stop();

  // A REGISTER is due and none is in flight.
  bool wants_send() const { return due_ && !in_flight_ && !done_; }
  // Builds the due REGISTER for a flow whose local address is `local` (Via
  // sent-by and, unless NAT rewriting found a public one, the Contact).
  OutgoingRegister BuildRequest(const sip::Endpoint& local);

  // The REGISTER just built was not sent after all (the owner must change the
  // transport first): it is due again, built anew with the next local address.
  void Unsend() {
    if (!in_flight_) return;
    in_flight_ = false;
    due_ = true;
  }

  // The final response (200..699) to the REGISTER in flight. Others are ignored.
  // `another_target`: for a 503, the owner has switched to another server
  // address (RFC 3263 §4.3), so the REGISTER is sent again at once.
  void OnResponse(const sip::Message& response, bool another_target = false);
  // No final response in time, the transport could not deliver it, or the due
  // REGISTER could not even be sent (no connection, name not resolved).
  // `another_target`: the owner has switched to another server address, so
  // retry at once instead of backing off.
  void OnNoReply(const std::string& why, bool another_target);
  // The flow under a Successful registration died (keep-alive unanswered,
  // connection closed): re-register at once.
  void OnFlowFailed(const std::string& why);
  // The clock reached next_wakeup(): a refresh or retry becomes due.
  void OnTimer();

  // When OnTimer() should run next; nullopt when nothing is scheduled.
  std::optional<SteadyTime> next_wakeup() const { return wakeup_; }
  // Unregistered (or never registered) after Stop(): nothing more to do.
  bool done() const { return done_; }
  bool in_flight() const { return in_flight_; }
  bool registered() const { return registered_; }
  const std::string& call_id() const { return call_id_; }
  const PolicyConfig& config() const { return config_; }
  // Consecutive failures so far (resets on success).
  int failures() const { return failures_; }

  // The Status line; `server` is the address the owner uses ("udp:1.2.3.4:5060").
  RegistrationView View(const std::string& server) const;
  // Status word right now (one of the kStatus* constants).
  const char* status() const { return status_; }
  // Drains what happened since the last call, for the System Log.
  std::vector<PolicyEvent> TakeEvents();

 private:
  enum class Failure { kSoft, kHard };

  void Due() { due_ = true; wakeup_.reset(); }
  void ScheduleIn(Millis delay);
  void OnSuccess(const sip::Message& response);
  enum class ChallengeVerdict { kAnswered, kRefused, kUnusable };
  // Adopts a 401/407's challenge and makes the answer due, unless the
  // credentials just sent were refused (no stale=true) or rounds ran out.
  ChallengeVerdict AnswerChallenge(const sip::Message& response, bool proxy);
  void OnChallenge(const sip::Message& response, bool proxy);
  void Fail(const char* status, int code, std::string reason, std::string detail, Failure kind,
            std::optional<uint32_t> retry_after);
  Millis BackoffDelay(Failure kind);
  std::optional<uint32_t> GrantedExpires(const sip::Message& response) const;
  bool CheckNat(const sip::Message& response);
  void Event(std::string level, std::string text);
  std::string ContactUri(const sip::Endpoint& addr) const;
  std::string AuthId() const { return config_.auth_id.empty() ? config_.extension : config_.auth_id; }

  PolicyConfig config_;
  const Clock& clock_;
  Random& random_;
  // Credentials per challenger: an outbound proxy may ask (407) as well as the
  // registrar (401); each is answered, and refused, on its own.
  struct Auth {
    sip::DigestClient client;
    const char* header;   // "Authorization" or "Proxy-Authorization"
    bool sent = false;    // the request in flight carried these credentials
    bool fresh = false;   // ...computed from a challenge of this attempt
  };
  Auth www_;
  Auth proxy_;

  // REGISTER dialog state (RFC 3261 §10.2.4: same Call-ID, rising CSeq).
  std::string call_id_;
  std::string from_tag_;
  uint32_t cseq_ = 0;
  uint32_t expires_;  // requested; raised by 423

  bool started_ = false;
  bool due_ = false;
  bool in_flight_ = false;
  bool stopping_ = false;      // Stop() called: the next REGISTER unregisters
  bool done_ = false;
  bool registered_ = false;    // the server holds a binding of ours (as far as we know)
  std::optional<SteadyTime> wakeup_;

  // The request in flight.
  uint32_t in_flight_cseq_ = 0;
  bool in_flight_unregister_ = false;
  int challenges_this_attempt_ = 0;
  bool min_expires_adopted_ = false;

  // Addresses: the flow's local address (last BuildRequest), the public one
  // the server saw (Via received/rport) when it differs, and the Contact we
  // registered (so a rewrite can remove it).
  sip::Endpoint local_;
  std::optional<sip::Endpoint> public_;
  std::string stale_contact_;  // to remove (expires=0) with the next REGISTER
  bool nat_rewritten_ = false; // the last 2xx made us re-register with a new address

  // What the Status tab shows.
  const char* status_ = kStatusRegistering;
  int code_ = 0;
  std::string reason_;
  std::string detail_;
  std::optional<SteadyTime> expires_at_;
  int failures_ = 0;

  std::vector<PolicyEvent> events_;
};

// The guide's hint for a final response: what it usually means and what to
// check. `after_credentials`: the request carried credentials from a fresh challenge.
std::string HintFor(int code, std::string_view reason, bool after_credentials);
// The hint for No reply from server, from what went wrong (timeout, refused
// connection, TLS certificate, DNS).
std::string NoReplyHint(std::string_view why);

}  // namespace sipreg::device
