#include "cli/registration_probe.h"

#include <charconv>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "sip/auth_header.h"
#include "sip/contact.h"
#include "sip/digest.h"
#include "sip/serializer.h"
#include "sip/via.h"

namespace sipreg::cli {
namespace {

// Every REGISTER is bounded: two challenge rounds per expiry value, one 423 retry.
constexpr int kMaxRequests = 6;

std::optional<uint32_t> ParseU32(std::string_view s) {
  uint32_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// Hosts compare case-insensitively; IPv6 brackets are ignored.
bool SameHost(std::string_view a, std::string_view b) {
  auto strip = [](std::string_view h) {
    if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
    return h;
  };
  a = strip(a);
  b = strip(b);
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

RegistrationProbe::RegistrationProbe(ProbeConfig config, const Clock& clock, Random& random)
    : config_(std::move(config)),
      clock_(clock),
      random_(random),
      expires_(config_.expires),
      digest_(config_.auth_id.empty() ? config_.user : config_.auth_id,
              sip::DigestSecret::FromPassword(config_.password), random) {
  started_ = clock_.Now();
  call_id_ = random_.HexToken(24) + "@sipreg-probe";
  from_tag_ = random_.HexToken(12);
  const bool v6 = config_.local.ip.find(':') != std::string::npos;
  contact_uri_ = fmt::format("sip:{}@{}{}{}:{}", config_.user, v6 ? "[" : "", config_.local.ip,
                             v6 ? "]" : "", config_.local.port);
  if (config_.local.transport != sip::TransportKind::kUdp) {
    contact_uri_ += fmt::format(";transport={}",
                                config_.local.transport == sip::TransportKind::kTcp ? "tcp" : "tls");
  }
  report_.server = config_.server;
  report_.aor = fmt::format("sip:{}@{}", config_.user, config_.domain);
  report_.unregister = config_.unregister;
  report_.contact_sent = contact_uri_;
  report_.via_sent_by = config_.local.ToString();
  obs_.auth_id_differs = !config_.auth_id.empty() && config_.auth_id != config_.user;
  obs_.used_outbound_proxy = config_.via_outbound_proxy;
  obs_.requested_expires = config_.unregister ? 0 : config_.expires;
}

void RegistrationProbe::Step(std::string what) {
  report_.steps.push_back(
      {std::chrono::duration_cast<Millis>(clock_.Now() - started_), std::move(what)});
}

std::string RegistrationProbe::BuildRegister() {
  ++cseq_;
  ++requests_sent_;
  const std::string request_uri = fmt::format("sip:{}", config_.domain);
  const std::string aor = fmt::format("<sip:{}@{}>", config_.user, config_.domain);
  const uint32_t expires = config_.unregister ? 0 : expires_;
  auto b = sip::MessageBuilder::Request("REGISTER", request_uri);
  b.AddHeader("Via", fmt::format("SIP/2.0/{} {};branch=z9hG4bK{};rport",
                                 sip::TransportName(config_.local.transport),
                                 config_.local.ToString(), random_.HexToken(16)));
  b.AddHeader("Max-Forwards", "70");
  b.AddHeader("From", fmt::format("{};tag={}", aor, from_tag_));
  b.AddHeader("To", aor);
  b.AddHeader("Call-ID", call_id_);
  b.AddHeader("CSeq", fmt::format("{} REGISTER", cseq_));
  b.AddHeader("Contact", fmt::format("<{}>", contact_uri_));
  b.AddHeader("Expires", std::to_string(expires));
  b.AddHeader("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS");
  b.AddHeader("User-Agent", config_.user_agent);
  obs_.sent_credentials = false;
  if (digest_.has_challenge()) {
    auto creds = digest_.Authorize("REGISTER", request_uri);
    if (creds.ok()) {
      b.AddHeader(auth_header_name_, *creds);
      obs_.sent_credentials = true;
    }
  }
  return b.Build();
}

RegistrationProbe::Next RegistrationProbe::Start() {
  std::string req = BuildRegister();
  Step(fmt::format("sent REGISTER to {} (CSeq {}, Expires {}, no credentials)", config_.server,
                   cseq_, config_.unregister ? 0 : expires_));
  return {false, std::move(req)};
}

RegistrationProbe::Next RegistrationProbe::SendNext(std::string what) {
  if (requests_sent_ >= kMaxRequests) {
    Step("giving up: too many attempts");
    return Finish(Verdict::kRejectedByServer);
  }
  std::string req = BuildRegister();
  Step(fmt::format("sent REGISTER (CSeq {}, Expires {}){}", cseq_,
                   config_.unregister ? 0 : expires_, what));
  return {false, std::move(req)};
}

RegistrationProbe::Next RegistrationProbe::Finish(Verdict verdict) {
  report_.verdict = verdict;
  done_ = true;
  Diagnose(report_, obs_);
  return {true, {}};
}

void RegistrationProbe::OnProvisional(const sip::Message& response) {
  Step(fmt::format("got {} {}", response.status_code(), response.reason_phrase()));
}

bool RegistrationProbe::AnswerChallenge(const sip::Message& response, bool is_proxy) {
  const auto id = is_proxy ? sip::HeaderId::kProxyAuthenticate : sip::HeaderId::kWwwAuthenticate;
  std::vector<std::string_view> values;
  for (const auto& h : response.headers()) {
    if (h.id == id) values.push_back(h.value);
  }
  // RFC 8760: several challenges may come, most preferred first; the client takes
  // the first one it can answer.
  if (!digest_.OnChallenge(values).ok()) {
    std::string seen;
    for (auto v : values) {
      auto c = sip::ParseDigestChallenge(v);
      if (!c.ok()) continue;
      if (report_.realm.empty()) report_.realm = c->realm;
      if (!seen.empty()) seen += ", ";
      seen += c->algorithm.empty() ? "MD5" : c->algorithm;
    }
    report_.algorithm = seen.empty() ? "no Digest challenge" : seen;
    obs_.challenge_unsupported = true;
    return false;
  }
  const sip::DigestChallenge* c = digest_.challenge();
  report_.realm = c->realm;
  report_.algorithm = c->algorithm.empty() ? "MD5" : c->algorithm;
  auth_header_name_ = is_proxy ? "Proxy-Authorization" : "Authorization";
  return true;
}

RegistrationProbe::Next RegistrationProbe::OnFinalResponse(const sip::Message& response) {
  if (done_) return {true, {}};
  const int code = response.status_code();
  report_.status_code = code;
  report_.reason_phrase = std::string(response.reason_phrase());
  RecordNat(response);

  if (code >= 200 && code < 300) {
    Step(fmt::format("got {} {}", code, response.reason_phrase()));
    RecordSuccess(response);
    return Finish(Verdict::kSuccessful);
  }

  if (code == 401 || code == 407) {
    const bool had_credentials = obs_.sent_credentials;
    if (!AnswerChallenge(response, code == 407)) {
      Step(fmt::format("got {} {} with no digest algorithm we support ({})", code,
                       response.reason_phrase(), report_.algorithm));
      return Finish(Verdict::kRejectedByServer);
    }
    const sip::DigestChallenge* challenge = digest_.challenge();
    const bool stale = challenge->stale;
    const auto qop = sip::ChooseQop(*challenge);
    Step(fmt::format("got {} {} (realm \"{}\", algorithm {}{}{})", code, response.reason_phrase(),
                     report_.realm, report_.algorithm,
                     qop && *qop != sip::Qop::kNone ? fmt::format(", qop {}", sip::QopName(*qop))
                                                    : std::string(),
                     stale ? ", stale nonce" : ""));
    // A second challenge to credentials means they were refused, unless the nonce was stale.
    if (had_credentials && !stale) return Finish(Verdict::kRejectedByServer);
    if (++challenges_answered_ > 2) return Finish(Verdict::kRejectedByServer);
    return SendNext(fmt::format(" with credentials for authentication ID {}", AuthId()));
  }

  if (code == 423 && !obs_.min_expires_retried) {
    auto min = ParseU32(response.Value(sip::HeaderId::kMinExpires));
    if (min && *min > expires_) {
      Step(fmt::format("got 423 {} (Min-Expires {}): retrying with Expires {}",
                       response.reason_phrase(), *min, *min));
      obs_.min_expires_retried = true;
      expires_ = *min;
      challenges_answered_ = 0;
      return SendNext(obs_.sent_credentials ? " with credentials" : "");
    }
  }
  Step(fmt::format("got {} {}", code, response.reason_phrase()));
  return Finish(Verdict::kRejectedByServer);
}

void RegistrationProbe::RecordNat(const sip::Message& response) {
  auto via = sip::ParseVia(response.top_via());
  if (!via.ok()) return;
  const auto received = via->received();
  const auto rport = via->rport_value();
  if (!received && !rport) return;
  const std::string_view seen_host = received ? *received : std::string_view(config_.local.ip);
  const uint16_t seen_port = rport ? *rport : config_.local.port;
  const bool v6 = seen_host.find(':') != std::string_view::npos && seen_host.front() != '[';
  report_.seen_from = v6 ? fmt::format("[{}]:{}", seen_host, seen_port)
                         : fmt::format("{}:{}", seen_host, seen_port);
  report_.nat_detected = !SameHost(seen_host, config_.local.ip) || seen_port != config_.local.port;
}

void RegistrationProbe::RecordSuccess(const sip::Message& response) {
  std::optional<uint32_t> header_expires = ParseU32(response.Value(sip::HeaderId::kExpires));
  for (std::string_view value : response.Values(sip::HeaderId::kContact)) {
    auto list = sip::ParseContacts(value);
    if (!list.ok()) continue;
    for (const auto& c : list->contacts) {
      const auto& u = c.addr.uri;
      const bool ours = u.user == config_.user && SameHost(u.host, config_.local.ip) &&
                        u.port.value_or(config_.local.transport == sip::TransportKind::kTls
                                            ? 5061
                                            : 5060) == config_.local.port;
      if (ours && report_.contact_seen.empty()) {
        report_.contact_seen = std::string(c.addr.raw);
        report_.granted_expires = c.expires() ? c.expires() : header_expires;
      } else {
        ++report_.other_bindings;
      }
    }
  }
  if (!config_.unregister && !report_.granted_expires) report_.granted_expires = header_expires;
  if (config_.unregister) report_.granted_expires.reset();
}

void RegistrationProbe::OnNoReply(Millis waited, int transmissions) {
  if (done_) return;
  Step(fmt::format("no reply after {:.1f} s ({} transmission{})",
                   static_cast<double>(waited.count()) / 1000.0, transmissions,
                   transmissions == 1 ? "" : "s"));
  Finish(Verdict::kNoReply);
}

void RegistrationProbe::OnTransportError(const std::string& what, bool connection_refused,
                                         bool tls_failed) {
  if (done_) return;
  Step(fmt::format("transport error: {}", what));
  if (requests_sent_ == 0) {  // never got as far as having a local address
    report_.contact_sent.clear();
    report_.via_sent_by.clear();
  }
  obs_.transport_error = what;
  obs_.connection_refused = connection_refused;
  obs_.tls_failed = tls_failed;
  Finish(Verdict::kNoReply);
}

}  // namespace sipreg::cli
