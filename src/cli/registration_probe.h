// RegistrationProbe: one registration attempt, made the way a phone makes it,
// as a sans-I/O state machine. It builds each REGISTER, reads each final
// response and decides what to send next — answer a 401/407 challenge once
// (again only if the server says the nonce was stale), adopt Min-Expires once
// on 423 — and records every step and the verdict in a ProbeReport.
// The caller (ProbeRunner) owns sockets, transactions and timers: it sends what
// Start()/OnFinalResponse() return and reports provisional responses, timeouts and
// transport errors. Single-threaded.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "cli/probe_diagnosis.h"
#include "cli/probe_report.h"
#include "common/clock.h"
#include "common/random.h"
#include "sip/digest_client.h"
#include "sip/endpoint.h"
#include "sip/message.h"

namespace sipreg::cli {

struct ProbeConfig {
  std::string user;      // the extension: To/From user
  std::string auth_id;   // authentication ID; empty -> user
  std::string password;
  std::string domain;    // SIP domain for the Request-URI and AOR, e.g. "pbx.example.com"
  std::string server;    // how the server was named, for the report: "udp:pbx:5060"
  bool via_outbound_proxy = false;
  uint32_t expires = 3600;
  bool unregister = false;
  sip::Endpoint local;   // our address for Via sent-by and Contact
  std::string user_agent = "sipreg-probe";
};

class RegistrationProbe {
 public:
  // `clock` and `random` must outlive the probe.
  RegistrationProbe(ProbeConfig config, const Clock& clock, Random& random);

  // What to send next, or nothing when the probe is over.
  struct Next {
    bool done = false;
    std::string request;  // a complete REGISTER when !done
  };

  // The first REGISTER.
  Next Start();
  // A 1xx arrived (recorded as a step; the transaction keeps waiting).
  void OnProvisional(const sip::Message& response);
  // The final response to the last REGISTER.
  Next OnFinalResponse(const sip::Message& response);
  // No final response in time (timer F or the overall deadline): No reply from server.
  void OnNoReply(Millis waited, int transmissions);
  // The transport could not deliver the last REGISTER.
  void OnTransportError(const std::string& what, bool connection_refused, bool tls_failed);

  bool done() const { return done_; }
  // Valid once done(): verdict, steps and diagnosis.
  const ProbeReport& report() const { return report_; }

 private:
  std::string BuildRegister();
  Next SendNext(std::string what);
  Next Finish(Verdict verdict);
  bool AnswerChallenge(const sip::Message& response, bool is_proxy);
  void RecordSuccess(const sip::Message& response);
  void RecordNat(const sip::Message& response);
  void Step(std::string what);
  std::string AuthId() const { return config_.auth_id.empty() ? config_.user : config_.auth_id; }

  ProbeConfig config_;
  const Clock& clock_;
  Random& random_;
  SteadyTime started_;
  ProbeReport report_;
  ProbeObservations obs_;
  bool done_ = false;

  // Dialog-like state shared by every REGISTER of this attempt (RFC 3261 §10.2).
  std::string call_id_;
  std::string from_tag_;
  uint32_t cseq_ = 0;
  uint32_t expires_;
  std::string contact_uri_;
  int requests_sent_ = 0;

  // Answers challenges; holds the current one and its nonce count.
  sip::DigestClient digest_;
  std::string auth_header_name_;  // "Authorization" or "Proxy-Authorization"
  int challenges_answered_ = 0;   // for the current Expires value
};

}  // namespace sipreg::cli
