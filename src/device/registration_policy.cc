#include "device/registration_policy.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

#include "sip/auth_header.h"
#include "sip/grammar.h"
#include "sip/contact.h"
#include "sip/serializer.h"
#include "sip/uri.h"
#include "sip/via.h"
#include "transport/response_route.h"

namespace sipreg::device {
namespace {

// Challenge rounds one attempt may take (a stale nonce can add one).
constexpr int kMaxChallengesPerAttempt = 3;

std::string_view StripBrackets(std::string_view h) {
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') return h.substr(1, h.size() - 2);
  return h;
}

// Retry-After: delta-seconds, maybe followed by a comment or parameters.
std::optional<uint32_t> RetryAfter(const sip::Message& response) {
  const sip::Header* h = response.Find("Retry-After");
  if (h == nullptr) return std::nullopt;
  std::string_view v = h->value;
  size_t digits = 0;
  while (digits < v.size() && v[digits] >= '0' && v[digits] <= '9') ++digits;
  return sip::grammar::ParseUint32(v.substr(0, digits));
}

}  // namespace

std::string HintFor(int code, std::string_view reason, bool after_credentials) {
  if (code >= 200 && code < 300) return "Registered.";
  if ((code == 401 || code == 407) && after_credentials) {
    return "The server refused the credentials: check the Password and the Authentication ID "
           "(reveal the password; a browser may have auto-filled it).";
  }
  if (code == 401 || code == 407) {
    return "The server asks for credentials we cannot answer (no supported digest algorithm).";
  }
  const bool in_use = reason.find("ontact") != std::string_view::npos ||
                      reason.find("in use") != std::string_view::npos ||
                      reason.find("nother device") != std::string_view::npos;
  switch (code) {
    case 403:
      if (in_use) {
        return "Extension already in use: another device is registered to it and the server "
               "accepts only one.";
      }
      return "Forbidden: check the Extension, Authentication ID and Password; the extension may "
             "already be used by another device.";
    case 404:
      return "Extension not configured on the server (404 Not Found): check the Extension and the "
             "SIP Domain.";
    case 408: return "The server (or a proxy) timed out: check the SIP server address and port.";
    case 423: return "The server wants a longer registration period than it accepted from us.";
    case 480:
    case 503:
      return "The server is busy or unavailable; retrying later.";
    case 500:
      return "500 Server Internal Error: often a wrong server address or port.";
    case 502:
    case 504:
      return "A proxy could not reach the registrar: check the SIP Domain and Outbound Proxy.";
    default: break;
  }
  if (code >= 600) return "The server declined the registration everywhere (6xx).";
  if (code >= 500) return "Server error: check the SIP server address and port.";
  if (code >= 400) return "The server rejected the REGISTER request.";
  if (code >= 300) return "The server redirected the registration; sipreg-device does not follow it.";
  return "";
}

RegistrationPolicy::RegistrationPolicy(PolicyConfig config, const Clock& clock, Random& random)
    : config_(std::move(config)),
      clock_(clock),
      random_(random),
      www_{sip::DigestClient(config_.auth_id.empty() ? config_.extension : config_.auth_id,
                             sip::DigestSecret::FromPassword(config_.password), random),
           "Authorization"},
      proxy_{sip::DigestClient(config_.auth_id.empty() ? config_.extension : config_.auth_id,
                               sip::DigestSecret::FromPassword(config_.password), random),
             "Proxy-Authorization"},
      expires_(config_.expires) {
  call_id_ = random_.HexToken(24) + "@sipreg-device";
  from_tag_ = random_.HexToken(12);
  // The first CSeq is random (RFC 3261 §8.1.1.5 allows any start below 2^31);
  // a restarted device then does not collide with its own old Call-ID state.
  cseq_ = static_cast<uint32_t>(random_.Uniform(1u << 20));
}

void RegistrationPolicy::Event(std::string level, std::string text) {
  events_.push_back({std::move(level), fmt::format("{} {}: {}", config_.id, config_.extension,
                                                   std::move(text))});
}

std::vector<PolicyEvent> RegistrationPolicy::TakeEvents() {
  std::vector<PolicyEvent> out;
  out.swap(events_);
  return out;
}

void RegistrationPolicy::Start() {
  if (started_) return;
  started_ = true;
  if (!config_.enabled) {
    status_ = kStatusDisabled;
    done_ = true;
    return;
  }
  status_ = kStatusRegistering;
  Due();
}

void RegistrationPolicy::Stop() {
  if (done_ || stopping_) return;
  stopping_ = true;
  wakeup_.reset();
  if (in_flight_) {
    due_ = true;  // after the answer in flight, unregister
    return;
  }
  if (!registered_) {
    done_ = true;
    due_ = false;
    return;
  }
  Due();
}

void RegistrationPolicy::ScheduleIn(Millis delay) {
  due_ = false;
  wakeup_ = clock_.Now() + delay;
}

void RegistrationPolicy::OnTimer() {
  if (!wakeup_ || clock_.Now() < *wakeup_) return;
  Due();
}

std::string RegistrationPolicy::ContactUri(const sip::Endpoint& addr) const {
  std::string uri = fmt::format("sip:{}@{}", config_.extension, addr.ToString());
  if (addr.transport == sip::TransportKind::kTcp) uri += ";transport=tcp";
  if (addr.transport == sip::TransportKind::kTls) uri += ";transport=tls";
  return uri;
}

OutgoingRegister RegistrationPolicy::BuildRequest(const sip::Endpoint& local) {
  local_ = local;
  if (public_ && public_->transport != local.transport) public_.reset();
  const sip::Endpoint& contact_addr = public_ ? *public_ : local_;

  OutgoingRegister out;
  out.unregister = stopping_;
  out.cseq = ++cseq_;
  out.branch = "z9hG4bK" + random_.HexToken(20);
  const std::string request_uri = "sip:" + config_.domain;
  const std::string aor = fmt::format("sip:{}@{}", config_.extension, config_.aor_host);
  const std::string name_addr =
      config_.display_name.empty()
          ? fmt::format("<{}>", aor)
          : fmt::format("\"{}\" <{}>", config_.display_name, aor);

  auto b = sip::MessageBuilder::Request("REGISTER", request_uri);
  b.AddHeader("Via", fmt::format("SIP/2.0/{} {};branch={};rport", sip::TransportName(local.transport),
                                 local.ToString(), out.branch));
  if (!config_.route.empty()) b.AddHeader("Route", config_.route);
  b.AddHeader("Max-Forwards", "70");
  b.AddHeader("From", fmt::format("{};tag={}", name_addr, from_tag_));
  b.AddHeader("To", name_addr);
  b.AddHeader("Call-ID", call_id_);
  b.AddHeader("CSeq", fmt::format("{} REGISTER", out.cseq));
  const std::string contact = ContactUri(contact_addr);
  std::string contact_value = fmt::format("<{}>", contact);
  if (!config_.instance.empty()) {
    contact_value += fmt::format(";+sip.instance=\"{}\"", config_.instance);
  }
  if (!stopping_ && !stale_contact_.empty() && stale_contact_ != contact) {
    // NAT rewrite: drop the binding of the address the server cannot reach.
    contact_value += fmt::format(", <{}>;expires=0", stale_contact_);
  }
  b.AddHeader("Contact", contact_value);
  b.AddHeader("Expires", stopping_ ? "0" : std::to_string(expires_));
  b.AddHeader("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, NOTIFY");
  b.AddHeader("User-Agent", config_.user_agent);

  for (Auth* a : {&proxy_, &www_}) {
    a->sent = false;
    if (!a->client.has_challenge()) continue;
    auto creds = a->client.Authorize("REGISTER", request_uri);
    if (creds.ok()) {
      b.AddHeader(a->header, *creds);
      a->sent = true;
    }
    // Credentials of an older challenge (a refresh reusing the nonce) are a
    // guess; only an answer to this attempt's challenge can be "refused".
    if (!a->sent) a->fresh = false;
  }

  in_flight_ = true;
  in_flight_cseq_ = out.cseq;
  in_flight_unregister_ = stopping_;
  due_ = false;
  wakeup_.reset();
  out.bytes = b.Build();
  return out;
}

void RegistrationPolicy::OnResponse(const sip::Message& response, bool another_target) {
  if (!in_flight_ || !response.is_response()) return;
  const int code = response.status_code();
  if (code < 200) return;
  in_flight_ = false;

  if (in_flight_unregister_) {
    if ((code == 401 || code == 407) &&
        AnswerChallenge(response, code == 407) == ChallengeVerdict::kAnswered) {
      return;  // challenges are answered when unregistering too
    }
    Event(code < 300 ? "info" : "warning",
          fmt::format("unregistered: {} {}", code, response.reason_phrase()));
    registered_ = false;
    expires_at_.reset();
    done_ = true;
    due_ = false;
    return;
  }
  if (stopping_) {  // Stop() arrived while this REGISTER was in flight
    if (code >= 200 && code < 300) {
      registered_ = true;
      Due();
    } else if (registered_ && (code == 401 || code == 407)) {
      // A refresh was challenged: answer it with the unregister.
      if (AnswerChallenge(response, code == 407) != ChallengeVerdict::kAnswered) done_ = true;
    } else if (registered_) {
      Due();  // the binding may still be there: remove it
    } else {
      done_ = true;
    }
    return;
  }

  code_ = code;
  reason_ = std::string(response.reason_phrase());
  if (code >= 200 && code < 300) {
    OnSuccess(response);
    return;
  }
  if (code == 401 || code == 407) {
    OnChallenge(response, code == 407);
    return;
  }
  const auto retry_after = RetryAfter(response);
  if (code == 423) {
    auto min = sip::grammar::ParseUint32(response.Value(sip::HeaderId::kMinExpires));
    if (min && *min > expires_ && !min_expires_adopted_) {
      Event("info", fmt::format("423 Interval Too Brief: retrying with Expires {}", *min));
      expires_ = *min;
      min_expires_adopted_ = true;
      Due();
      return;
    }
    Fail(kStatusRejected, code, reason_, HintFor(code, reason_, false), Failure::kHard,
         std::nullopt);
    return;
  }
  if (code == 503 && another_target) {
    Event("warning", fmt::format("{} {}: trying the next server address", code, reason_));
    challenges_this_attempt_ = 0;
    Due();
    return;
  }
  const bool hard = code == 403 || code == 404 || code == 400 || code == 420 || code >= 600;
  std::optional<uint32_t> wait;
  // Retry-After is honoured, but never below 5 s ("0" would make a retry loop).
  if ((code == 500 || code == 503) && retry_after) wait = std::max<uint32_t>(*retry_after, 5);
  Fail(kStatusRejected, code, reason_, HintFor(code, reason_, false),
       hard ? Failure::kHard : Failure::kSoft, wait);
}

RegistrationPolicy::ChallengeVerdict RegistrationPolicy::AnswerChallenge(
    const sip::Message& response, bool proxy) {
  Auth& auth = proxy ? proxy_ : www_;
  const bool refused = auth.sent && auth.fresh;
  const auto id = proxy ? sip::HeaderId::kProxyAuthenticate : sip::HeaderId::kWwwAuthenticate;
  std::vector<std::string_view> values;
  for (const auto& h : response.headers()) {
    if (h.id == id) values.push_back(h.value);
  }
  bool stale = false;
  for (auto v : values) {
    auto c = sip::ParseDigestChallenge(v);
    if (c.ok() && c->stale) stale = true;
  }
  if (refused && !stale) {
    Event("error", fmt::format("{} {} to our credentials: wrong password or Authentication ID {}",
                               response.status_code(), response.reason_phrase(), AuthId()));
    auth.client.Reset();
    return ChallengeVerdict::kRefused;
  }
  if (++challenges_this_attempt_ > kMaxChallengesPerAttempt) return ChallengeVerdict::kRefused;
  if (!auth.client.OnChallenge(values).ok()) return ChallengeVerdict::kUnusable;
  auth.fresh = true;
  const auto* c = auth.client.challenge();
  Event("info", fmt::format("{} {}: answering {}challenge for realm \"{}\" ({}) as {}",
                            response.status_code(), response.reason_phrase(),
                            stale ? "stale-nonce " : "", c->realm,
                            c->algorithm.empty() ? "MD5" : c->algorithm, AuthId()));
  Due();
  return ChallengeVerdict::kAnswered;
}

void RegistrationPolicy::OnChallenge(const sip::Message& response, bool proxy) {
  const auto verdict = AnswerChallenge(response, proxy);
  if (verdict == ChallengeVerdict::kAnswered) return;
  Fail(kStatusRejected, response.status_code(), std::string(response.reason_phrase()),
       HintFor(response.status_code(), response.reason_phrase(),
               verdict == ChallengeVerdict::kRefused),
       Failure::kHard, std::nullopt);
}

std::optional<uint32_t> RegistrationPolicy::GrantedExpires(const sip::Message& response) const {
  const auto header = sip::grammar::ParseUint32(response.Value(sip::HeaderId::kExpires));
  for (std::string_view value : response.Values(sip::HeaderId::kContact)) {
    auto list = sip::ParseContacts(value);
    if (!list.ok()) continue;
    for (const auto& c : list->contacts) {
      const auto& u = c.addr.uri;
      const auto inst = c.instance();
      const bool same_instance =
          !config_.instance.empty() && inst &&
          *inst == std::string_view(config_.instance).substr(1, config_.instance.size() - 2);
      const sip::Endpoint& sent = public_ ? *public_ : local_;
      const bool same_address = u.user == config_.extension &&
                                sip::grammar::EqualsIgnoreCase(StripBrackets(u.host), sent.ip) &&
                                u.port.value_or(transport::DefaultSipPort(sent.transport)) == sent.port;
      if (same_instance || same_address) {
        if (auto e = c.expires()) return e;
        return header;
      }
    }
  }
  return header;
}

bool RegistrationPolicy::CheckNat(const sip::Message& response) {
  auto via = sip::ParseVia(response.top_via());
  if (!via.ok()) return false;
  const auto received = via->received();
  const auto rport = via->rport_value();
  if (!received && !rport) return false;
  sip::Endpoint seen = local_;
  if (received) seen.ip = std::string(StripBrackets(*received));
  if (rport) seen.port = *rport;
  const sip::Endpoint& contact = public_ ? *public_ : local_;
  if (sip::grammar::EqualsIgnoreCase(seen.ip, contact.ip) && seen.port == contact.port) return false;
  if (sip::grammar::EqualsIgnoreCase(seen.ip, local_.ip) && seen.port == local_.port) {
    // The NAT mapping is gone (or there never was one): back to the local address.
    stale_contact_ = ContactUri(contact);
    public_.reset();
  } else {
    stale_contact_ = ContactUri(contact);
    public_ = seen;
  }
  Event("info", fmt::format("the server sees us at {} (Contact was {}): re-registering with it",
                            seen.ToString(), contact.ToString()));
  return true;
}

void RegistrationPolicy::OnSuccess(const sip::Message& response) {
  // One immediate re-registration per NAT change: a server that reports a new
  // address on every answer gets the new one at the next refresh, not a loop.
  const bool changed = CheckNat(response);
  const bool rewrite = changed && !nat_rewritten_;
  nat_rewritten_ = rewrite;
  challenges_this_attempt_ = 0;
  min_expires_adopted_ = false;
  www_.fresh = proxy_.fresh = false;  // the next request's credentials are a reuse
  failures_ = 0;
  registered_ = true;
  const uint32_t granted = GrantedExpires(response).value_or(expires_);
  if (granted == 0) {
    // The server kept no binding of ours (it removed it at once): a failure.
    registered_ = false;
    Fail(kStatusRejected, code_, reason_, "The server answered 2xx but kept no binding.",
         Failure::kSoft, std::nullopt);
    return;
  }
  if (!rewrite) stale_contact_.clear();
  const char* before = status_;
  status_ = kStatusSuccessful;
  detail_ = HintFor(code_, reason_, false);
  expires_at_ = clock_.Now() + std::chrono::seconds(granted);
  // At most 90 % of the granted time and no later than 32 s before expiry.
  const double g = granted;
  double refresh = granted > 32 ? std::min(g * 0.9, g - 32.0) : g / 2.0;
  refresh = std::max(refresh, 1.0);
  if (before != kStatusSuccessful || rewrite) {
    Event("info", fmt::format("{} {}: registered for {} s, refresh in {:.0f} s", code_, reason_,
                              granted, refresh));
  }
  if (rewrite) {
    Due();
    return;
  }
  ScheduleIn(Millis(static_cast<int64_t>(refresh * 1000.0)));
}

Millis RegistrationPolicy::BackoffDelay(Failure kind) {
  const uint64_t base = kind == Failure::kHard ? kHardBackoffBase : kSoftBackoffBase;
  const int shift = std::min(failures_ - 1, 16);
  const uint64_t cap = std::min<uint64_t>(kBackoffMax, base << std::max(shift, 0));
  const uint64_t cap_ms = cap * 1000;
  // rand(50 %..100 %) of the cap (RFC 5626 §4.5).
  return Millis(static_cast<int64_t>(cap_ms / 2 + random_.Uniform(cap_ms / 2 + 1)));
}

void RegistrationPolicy::Fail(const char* status, int code, std::string reason, std::string detail,
                              Failure kind, std::optional<uint32_t> retry_after) {
  ++failures_;
  expires_at_.reset();
  challenges_this_attempt_ = 0;
  min_expires_adopted_ = false;
  www_.fresh = proxy_.fresh = false;
  status_ = status;
  code_ = code;
  reason_ = std::move(reason);
  Millis wait = retry_after ? Millis(static_cast<int64_t>(std::min(*retry_after, kRetryAfterMax)) *
                                     1000)
                            : BackoffDelay(kind);
  if (retry_after) {
    detail += fmt::format(" The server asked to retry after {} s.", *retry_after);
  }
  detail_ = std::move(detail);
  const std::string what = code ? fmt::format("{} {}", code, reason_) : reason_;
  Event(kind == Failure::kHard ? "error" : "warning",
        fmt::format("{} ({}); retrying in {} s", status, what, (wait.count() + 999) / 1000));
  ScheduleIn(wait);
}

void RegistrationPolicy::OnNoReply(const std::string& why, bool another_target) {
  if (!in_flight_ && !wants_send()) return;
  in_flight_ = false;
  due_ = false;
  if (in_flight_unregister_ || stopping_) {
    Event("warning", fmt::format("unregister got no reply ({})", why));
    registered_ = false;
    done_ = true;
    return;
  }
  if (another_target) {
    Event("warning", fmt::format("no reply ({}); trying the next server address", why));
    status_ = kStatusNoReply;
    code_ = 0;
    reason_ = why;
    detail_ = "Trying the next server address.";
    Due();
    return;
  }
  public_.reset();  // a new flow may get a new mapping
  Fail(kStatusNoReply, 0, why, NoReplyHint(why), Failure::kSoft, std::nullopt);
}

std::string NoReplyHint(std::string_view why) {
  auto has = [why](std::string_view s) { return why.find(s) != std::string_view::npos; };
  if (has("certificate") || has("handshake")) {
    return "The TLS connection failed: the server's certificate was not accepted. Check tls_ca "
           "(the CA that issued it) and that the SIP Domain is the name in the certificate.";
  }
  if (has("refused")) {
    return "The server refused the connection: nothing listens there for this transport. Check "
           "the port of the SIP Domain and the SIP Transportation Method.";
  }
  if (has("resolve")) {
    return "The SIP Domain's name does not resolve: check its spelling and the DNS server.";
  }
  return "The device cannot reach the SIP server: check the SIP Domain (server address and "
         "port), the Outbound Proxy, the SIP Transportation Method, and any firewall.";
}

void RegistrationPolicy::OnFlowFailed(const std::string& why) {
  if (done_ || stopping_ || in_flight_ || status_ != kStatusSuccessful) return;
  registered_ = false;
  expires_at_.reset();
  public_.reset();
  status_ = kStatusNoReply;
  code_ = 0;
  reason_ = why;
  detail_ = "The connection to the server was lost; registering again.";
  Event("warning", fmt::format("flow failed ({}): registering again", why));
  Due();
}

RegistrationView RegistrationPolicy::View(const std::string& server) const {
  RegistrationView v;
  v.id = config_.id;
  v.type = config_.type;
  v.extension = config_.extension;
  v.auth_id = AuthId();
  v.status = status_;
  v.code = code_;
  v.reason = reason_;
  v.detail = detail_;
  v.server = server;
  if (status_ == kStatusSuccessful && expires_at_) {
    v.expires_in = std::max<int64_t>(
        0, std::chrono::duration_cast<std::chrono::seconds>(*expires_at_ - clock_.Now()).count());
  }
  if (status_ == kStatusDisabled) v.detail = "Not enabled in the configuration.";
  return v;
}

}  // namespace sipreg::device
