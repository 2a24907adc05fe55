#include "registrar/registrar.h"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <memory>
#include <optional>
#include <utility>

#include <fmt/format.h>

#include "sip/auth_header.h"
#include "sip/contact.h"
#include "sip/cseq.h"
#include "sip/digest_server.h"
#include "sip/name_addr.h"
#include "sip/parser.h"
#include "sip/serializer.h"

namespace sipreg::registrar {
namespace {

std::optional<uint32_t> ParseU32(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  uint32_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// One Contact of the request with its effective expiry.
struct RequestedContact {
  std::string uri;
  uint32_t expires = 0;
  float q = 1.0f;
  std::string instance;
  uint32_t reg_id = 0;
};

uint32_t RemainingSeconds(const Binding& b, WallTime now) {
  auto left = std::chrono::ceil<std::chrono::seconds>(b.expires_at - now).count();
  return left > 0 ? static_cast<uint32_t>(left) : 0;
}

}  // namespace

std::string HttpDate(WallTime t) {
  const std::time_t tt = std::chrono::system_clock::to_time_t(t);
  // Every 200 OK carries one, and under load hundreds fall in the same second:
  // format once per second per thread (gmtime_r + strftime were ~1,600
  // instructions of a registration's ~180,000).
  thread_local std::optional<std::time_t> formatted_at;
  thread_local std::string formatted;
  if (formatted_at != tt) {
    std::tm tm{};
    gmtime_r(&tt, &tm);
    char buf[64];
    const size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    formatted.assign(buf, n);
    formatted_at = tt;
  }
  return formatted;
}

// What HandleRegister extracted from the request before touching the store.
struct Registrar::Prepared {
  std::string aor;
  std::string call_id;
  uint32_t cseq = 0;
  bool star = false;
  bool query = false;
  std::vector<RequestedContact> contacts;
  std::string user_agent;
  std::string path;
  RegisterSource source;
  const Account* account = nullptr;
};

Registrar::Registrar(RegistrarOptions options, const AccountDirectory& accounts,
                     BindingStore& store, sip::NonceManager& nonces, const Clock& clock,
                     Random& random)
    : options_(std::move(options)),
      accounts_(accounts),
      store_(store),
      nonces_(nonces),
      clock_(clock),
      random_(random) {
  for (auto a : options_.algorithms) allowed_.Add(a);
}

std::string Registrar::ChallengeResponse(const sip::Message& request, std::string_view realm,
                                         bool stale, bool proxy) const {
  sip::DigestChallengeSpec spec;
  spec.realm = std::string(realm);
  spec.algorithms = options_.algorithms;
  spec.offer_auth = options_.offer_qop;
  auto b = proxy ? sip::MakeResponse(request, 407, "Proxy Authentication Required",
                                     random_.HexToken(10))
                 : sip::MakeResponse(request, 401, "Unauthorized", random_.HexToken(10));
  const std::string_view header = proxy ? "Proxy-Authenticate" : "WWW-Authenticate";
  for (auto& v : sip::BuildChallengeValues(spec, nonces_, stale)) b.AddHeader(header, v);
  b.AddHeader("Server", options_.server_header);
  return b.Build();
}

RegisterOutcome Registrar::Reject(const sip::Message& request, RegisterOutcome out,
                                  RegError error, std::string_view realm,
                                  uint32_t min_expires) const {
  out.error = error;
  // alwaysauthreject: the three "who are you" failures look exactly like a first
  // challenge, so a scanner cannot tell a valid extension from an invalid one.
  const bool hide = options_.always_auth_reject &&
                    (error == RegError::kNoMatchingPeer || error == RegError::kWrongPassword ||
                     error == RegError::kAuthNameMismatch);
  if (error == RegError::kChallenge || error == RegError::kStaleNonce ||
      error == RegError::kWrongPassword || hide) {
    out.response = ChallengeResponse(request, realm, error == RegError::kStaleNonce);
    return out;
  }
  const RegErrorInfo info = Describe(error);
  auto b = sip::MakeResponse(request, info.status, info.reason, random_.HexToken(10));
  if (error == RegError::kIntervalTooBrief) b.AddHeader("Min-Expires", std::to_string(min_expires));
  if (error == RegError::kUnsupportedRequire) {
    std::string unsupported;
    for (auto v : request.Values(sip::HeaderId::kRequire)) {
      if (!unsupported.empty()) unsupported += ", ";
      unsupported += v;
    }
    b.AddHeader("Unsupported", unsupported);
  }
  b.AddHeader("Server", options_.server_header);
  out.response = b.Build();
  return out;
}

std::string Registrar::FinishOk(sip::MessageBuilder b,
                                const std::vector<Binding>& bindings) const {
  const WallTime now = clock_.WallNow();
  for (const auto& binding : bindings) {
    b.AddHeader("Contact",
                fmt::format("<{}>;expires={}", binding.contact, RemainingSeconds(binding, now)));
  }
  b.AddHeader("Date", HttpDate(now));
  b.AddHeader("Server", options_.server_header);
  return b.Build();
}

RegError Registrar::CheckDigest(const sip::Message& request, const sip::DigestCredentials& creds,
                               const Account& account, std::string_view realm) const {
  sip::DigestVerifyOptions vopts;
  vopts.realm = realm;
  vopts.method = request.method_name();
  vopts.body = request.body();
  vopts.allowed_algorithms = allowed_;
  vopts.require_qop = false;  // chan_sip-era phones and load tools answer without qop
  switch (sip::VerifyCredentials(creds, account.auth_username, account.secret, vopts, nonces_)
              .verdict) {
    case sip::DigestVerdict::kOk: return RegError::kOk;
    case sip::DigestVerdict::kStaleNonce: return RegError::kStaleNonce;
    case sip::DigestVerdict::kBadNonce:
    case sip::DigestVerdict::kReplay:
    case sip::DigestVerdict::kAlgorithmNotAllowed:
      // Not ours, reused or of a kind we no longer offer: ask again, count nothing.
      return RegError::kChallenge;
    case sip::DigestVerdict::kWrongResponse:
    case sip::DigestVerdict::kRealmMismatch:
    case sip::DigestVerdict::kUriMismatch: return RegError::kWrongPassword;
    case sip::DigestVerdict::kMalformed: return RegError::kMalformed;
  }
  return RegError::kMalformed;
}

RequestAuth Registrar::AuthenticateRequest(const sip::Message& request, const Account& account,
                                           std::string_view source_ip) const {
  RequestAuth out;
  const std::string_view realm = account.realm.empty() ? options_.realm : account.realm;
  auto reject = [&](RegError e, int status, std::string_view reason, bool stale = false) {
    out.error = e;
    out.status = status;
    if (status == 407) {
      out.response = ChallengeResponse(request, realm, stale, /*proxy=*/true);
    } else {
      auto b = sip::MakeResponse(request, status, reason, random_.HexToken(10));
      b.AddHeader("Server", options_.server_header);
      out.response = b.Build();
    }
    return out;
  };
  const bool global_ok =
      std::all_of(options_.global_acls.begin(), options_.global_acls.end(),
                  [source_ip](const IpAcl& acl) { return acl.Allows(source_ip); });
  if (!global_ok || !account.AclAllows(source_ip)) {
    return reject(RegError::kAclDenied, 403, "Forbidden");
  }
  if (!account.has_auth) return reject(RegError::kNotDynamic, 403, "Forbidden");
  const sip::Header* auth = request.Find(sip::HeaderId::kProxyAuthorization);
  if (auth == nullptr) return reject(RegError::kChallenge, 407, "");
  auto creds = sip::ParseDigestCredentials(auth->value);
  if (!creds.ok()) return reject(RegError::kMalformed, 400, "Bad Request");
  if (creds->username != account.auth_username) {
    return options_.always_auth_reject ? reject(RegError::kAuthNameMismatch, 407, "")
                                       : reject(RegError::kAuthNameMismatch, 403, "Forbidden");
  }
  switch (const RegError e = CheckDigest(request, *creds, account, realm)) {
    case RegError::kOk: return out;
    case RegError::kStaleNonce: return reject(e, 407, "", /*stale=*/true);
    case RegError::kMalformed: return reject(e, 400, "Bad Request");
    default: return reject(e, 407, "");  // kChallenge, kWrongPassword: a fresh challenge
  }
}

void Registrar::HandleRegister(const sip::Message& request, const RegisterSource& source,
                               std::function<void(RegisterOutcome)> done) {
  RegisterOutcome out;
  out.to_header = std::string(request.to());
  out.call_id = std::string(request.call_id());
  std::string_view realm = options_.realm;

  // Every header we act on must follow its grammar (Via, From, To, Contact, ...).
  if (!sip::CheckHeaderSyntax(request).ok()) {
    return done(Reject(request, std::move(out), RegError::kMalformed, realm));
  }
  // Mandatory headers and the AOR (To user).
  auto to = sip::ParseNameAddr(request.to());
  auto cseq = sip::ParseCSeq(request.cseq());
  if (!to.ok() || !cseq.ok() || request.call_id().empty() || to->uri.user.empty()) {
    return done(Reject(request, std::move(out), RegError::kMalformed, realm));
  }
  out.account = std::string(to->uri.user);

  // Require: we support no option tags but "path" (RFC 3327) and "outbound" (RFC 5626).
  for (auto tag : request.Values(sip::HeaderId::kRequire)) {
    if (tag != "path" && tag != "outbound") {
      return done(Reject(request, std::move(out), RegError::kUnsupportedRequire, realm));
    }
  }

  const Account* account = accounts_.Find(out.account);
  if (account != nullptr && !account->realm.empty()) realm = account->realm;

  // Authentication (RFC 3261 §22; Asterisk: alwaysauthreject).
  const sip::Header* auth = request.Find(sip::HeaderId::kAuthorization);
  if (auth == nullptr) {
    if (account == nullptr && !options_.always_auth_reject) {
      return done(Reject(request, std::move(out), RegError::kNoMatchingPeer, realm));
    }
    return done(Reject(request, std::move(out), RegError::kChallenge, realm));
  }
  auto creds = sip::ParseDigestCredentials(auth->value);
  if (!creds.ok()) return done(Reject(request, std::move(out), RegError::kMalformed, realm));
  out.auth_username = creds->username;
  if (account == nullptr) {
    return done(Reject(request, std::move(out), RegError::kNoMatchingPeer, realm));
  }
  const auto& ip = source.address.ip;
  const bool global_ok =
      std::all_of(options_.global_acls.begin(), options_.global_acls.end(),
                  [&ip](const IpAcl& acl) { return acl.Allows(ip); });
  if (!global_ok || !account->AclAllows(ip)) {
    return done(Reject(request, std::move(out), RegError::kAclDenied, realm));
  }
  if (creds->username != account->auth_username) {
    return done(Reject(request, std::move(out), RegError::kAuthNameMismatch, realm));
  }
  if (!account->dynamic || !account->has_auth) {
    return done(Reject(request, std::move(out), RegError::kNotDynamic, realm));
  }
  if (const RegError e = CheckDigest(request, *creds, *account, realm); e != RegError::kOk) {
    return done(Reject(request, std::move(out), e, realm));
  }

  // Contacts and their expiry (RFC 3261 §10.3 steps 6-7).
  auto prep = std::make_shared<Prepared>();
  prep->aor = account->aor.empty() ? account->name : account->aor;
  prep->call_id = std::string(request.call_id());
  prep->cseq = cseq->number;
  prep->source = source;
  prep->account = account;
  prep->user_agent = std::string(request.Value(sip::HeaderId::kUserAgent));
  for (auto p : request.Values(sip::HeaderId::kPath)) {
    if (!prep->path.empty()) prep->path += ",";
    prep->path += p;
  }
  // Expires header: absent or unparsable falls back to the account default
  // (a plain pair rather than std::optional: g++ 12 -O2 misreads the latter here).
  const auto parsed_expires = request.Find(sip::HeaderId::kExpires)
                                  ? ParseU32(request.Value(sip::HeaderId::kExpires))
                                  : std::nullopt;
  const bool has_header_expires = parsed_expires.has_value();
  const uint32_t header_expires = parsed_expires.value_or(account->default_expires);
  const auto contact_values = request.Values(sip::HeaderId::kContact);
  prep->query = contact_values.empty();
  for (auto value : contact_values) {
    auto list = sip::ParseContacts(value);
    if (!list.ok()) return done(Reject(request, std::move(out), RegError::kBadContact, realm));
    if (list->star) {
      prep->star = true;
      continue;
    }
    for (const auto& c : list->contacts) {
      RequestedContact rc;
      rc.uri = std::string(c.addr.uri.raw);
      rc.expires = c.expires().value_or(header_expires);
      rc.q = static_cast<float>(c.q().value_or(1.0));
      if (auto inst = c.instance()) rc.instance = std::string(*inst);
      rc.reg_id = c.reg_id().value_or(0);
      prep->contacts.push_back(std::move(rc));
    }
  }
  if (prep->star && (!prep->contacts.empty() || contact_values.size() != 1 ||
                     !has_header_expires || header_expires != 0)) {
    return done(Reject(request, std::move(out), RegError::kInvalidStar, realm));
  }
  for (auto& c : prep->contacts) {
    if (c.expires == 0) continue;
    if (c.expires < account->min_expires) {
      return done(Reject(request, std::move(out), RegError::kIntervalTooBrief, realm,
                         account->min_expires));
    }
    c.expires = std::min(c.expires, account->max_expires);
    if (options_.expires_jitter_percent > 0) {
      const uint64_t span = uint64_t{c.expires} * options_.expires_jitter_percent / 100;
      const uint32_t cut = static_cast<uint32_t>(random_.Uniform(span + 1));
      c.expires = std::max(account->min_expires, c.expires - cut);
    }
  }

  const WallTime now = clock_.WallNow();
  if (prep->query) {
    out.bindings = store_.Lookup(prep->aor, now);
    out.response = FinishOk(sip::MakeResponse(request, 200, "OK", random_.HexToken(10)), out.bindings);
    return done(std::move(out));
  }

  // The read-modify-write of the AOR's bindings, under the store's per-AOR lock.
  auto error = std::make_shared<RegError>(RegError::kOk);
  auto added = std::make_shared<std::vector<Binding>>();
  auto removed = std::make_shared<std::vector<Binding>>();
  auto decide = [prep, now, error, added, removed, health = health_](const std::vector<Binding>& all)
      -> Result<std::vector<BindingChange>> {
    std::vector<Binding> current;
    for (const auto& b : all) {
      if (b.expires_at > now) current.push_back(b);
    }
    auto find = [&current](std::string_view uri) -> const Binding* {
      for (const auto& b : current) {
        if (b.contact == uri) return &b;
      }
      return nullptr;
    };
    std::vector<BindingChange> changes;
    if (prep->star) {
      for (const auto& b : current) {
        if (b.call_id == prep->call_id && b.cseq >= prep->cseq) {
          *error = RegError::kOutOfOrder;
          return Status::InvalidArgument("CSeq out of order");
        }
      }
      *removed = current;
      changes.push_back(BindingChange::RemoveAll());
      return changes;
    }
    std::vector<Binding> after = current;  // what the AOR will hold
    auto erase_after = [&after](std::string_view uri) {
      after.erase(std::remove_if(after.begin(), after.end(),
                                 [uri](const Binding& b) { return b.contact == uri; }),
                  after.end());
    };
    size_t fresh = 0;  // contacts of this request that will be bound
    for (const auto& c : prep->contacts) {
      const Binding* existing = find(c.uri);
      if (existing && existing->call_id == prep->call_id && existing->cseq >= prep->cseq) {
        *error = RegError::kOutOfOrder;
        return Status::InvalidArgument("CSeq out of order");
      }
      if (c.expires == 0) {
        if (existing) {
          removed->push_back(*existing);
          changes.push_back(BindingChange::Remove(c.uri));
          erase_after(c.uri);
        }
        continue;
      }
      // RFC 5626: the same instance and reg-id replaces the flow it registered before.
      if (!c.instance.empty()) {
        for (const auto& b : current) {
          if (b.instance == c.instance && b.reg_id == c.reg_id && b.contact != c.uri) {
            removed->push_back(b);
            changes.push_back(BindingChange::Remove(b.contact));
            erase_after(b.contact);
          }
        }
      }
      Binding b;
      b.aor = prep->aor;
      b.contact = c.uri;
      b.call_id = prep->call_id;
      b.cseq = prep->cseq;
      b.expires_at = now + std::chrono::seconds(c.expires);
      b.registered_at = existing ? existing->registered_at : now;
      b.q = c.q;
      b.instance = c.instance;
      b.reg_id = c.reg_id;
      b.user_agent = prep->user_agent;
      b.path = prep->path;
      b.received = prep->source.address;
      b.connection_id = prep->source.connection_id;
      if (!existing) added->push_back(b);
      erase_after(c.uri);
      after.push_back(b);
      ++fresh;
      changes.push_back(BindingChange::Upsert(std::move(b)));
    }
    const size_t max = prep->account->max_contacts;
    auto in_request = [&prep](const Binding& b) {
      return std::any_of(prep->contacts.begin(), prep->contacts.end(),
                         [&b](const RequestedContact& c) { return c.uri == b.contact; });
    };
    // pjsip remove_unavailable: contacts that fail qualify make room first.
    if (max > 0 && after.size() > max && prep->account->remove_unavailable && health != nullptr) {
      std::vector<Binding> dead;
      for (const auto& b : after) {
        if (!in_request(b) && health->IsUnavailable(b.aor, b.contact)) dead.push_back(b);
      }
      for (size_t i = 0; i < dead.size() && after.size() > max; ++i) {
        removed->push_back(dead[i]);
        changes.push_back(BindingChange::Remove(dead[i].contact));
        erase_after(dead[i].contact);
      }
    }
    if (max > 0 && after.size() > max) {
      if (!prep->account->remove_existing || fresh > max) {
        *error = RegError::kTooManyContacts;
        return Status::LimitExceeded("too many contacts");
      }
      // Drop the older bindings that expire soonest until the new ones fit.
      std::vector<Binding> old;
      for (const auto& b : after) {
        if (!in_request(b)) old.push_back(b);
      }
      std::sort(old.begin(), old.end(),
                [](const Binding& a, const Binding& b) { return a.expires_at < b.expires_at; });
      for (size_t i = 0; i < old.size() && after.size() > max; ++i) {
        removed->push_back(old[i]);
        changes.push_back(BindingChange::Remove(old[i].contact));
        erase_after(old[i].contact);
      }
    }
    return changes;
  };

  // The request must outlive the asynchronous commit: keep what the reply needs.
  auto reply = std::make_shared<sip::MessageBuilder>(
      sip::MakeResponse(request, 200, "OK", random_.HexToken(10)));
  auto shared_out = std::make_shared<RegisterOutcome>(std::move(out));
  // Rejections decided under the lock are rare: keep the request's bytes and
  // re-parse them only then, rather than pre-building every possible answer.
  auto raw = std::make_shared<std::string>(request.raw());
  std::string realm_copy(realm);
  store_.Update(
      prep->aor, now, decide,
      [this, reply, shared_out, raw, realm_copy, error, added, removed,
       done = std::move(done)](Result<std::vector<Binding>> result) {
        RegisterOutcome o = std::move(*shared_out);
        if (!result.ok()) {
          const RegError e = *error != RegError::kOk ? *error : RegError::kStoreFailed;
          auto again = sip::Parse(*raw);
          if (!again.ok()) {  // cannot happen: these bytes parsed before
            o.error = RegError::kStoreFailed;
            return done(std::move(o));
          }
          return done(Reject(*again, std::move(o), e, realm_copy));
        }
        o.response = FinishOk(std::move(*reply), *result);
        o.error = RegError::kOk;
        o.bindings = std::move(*result);
        o.added = std::move(*added);
        o.removed = std::move(*removed);
        done(std::move(o));
      });
}

}  // namespace sipreg::registrar
