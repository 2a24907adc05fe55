#include "registrar/proxy.h"

#include <algorithm>

#include <fmt/format.h>

#include "registrar/proxy_message.h"
#include "sip/cseq.h"
#include "sip/digest.h"
#include "sip/name_addr.h"
#include "sip/parser.h"
#include "sip/serializer.h"
#include "sip/uri.h"
#include "sip/via.h"
#include "transport/response_route.h"

namespace sipreg::registrar {
namespace {

// No ring timeout of our own for a direct call: RFC 3261 Timer C (> 3 min).
constexpr std::chrono::milliseconds kTimerC{181'000};

std::string_view UserOf(std::string_view name_addr_value) {
  auto na = sip::ParseNameAddr(name_addr_value);
  return na.ok() ? na->uri.user : std::string_view{};
}

bool HasToTag(const sip::Message& m) {
  auto to = sip::ParseNameAddr(m.to());
  return to.ok() && to->tag().has_value();
}

sip::TransportKind TransportOfUri(const sip::Uri& uri) {
  if (uri.scheme == sip::UriScheme::kSips) return sip::TransportKind::kTls;
  auto t = uri.transport_param();
  if (!t) return sip::TransportKind::kUdp;
  std::string v(*t);
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::tolower(c); });
  if (v == "tcp") return sip::TransportKind::kTcp;
  if (v == "tls") return sip::TransportKind::kTls;
  return sip::TransportKind::kUdp;
}

}  // namespace

Proxy::Proxy(ProxyHost& host, BindingStore& store, AsteriskLog& log, const Clock& clock,
             Random& random)
    : host_(host), store_(store), log_(log), clock_(clock), random_(random) {}

std::string Proxy::LoopHash(const sip::Message& request) {
  auto tag = [](std::string_view v) {
    auto na = sip::ParseNameAddr(v);
    return na.ok() && na->tag() ? std::string(*na->tag()) : std::string();
  };
  auto cseq = sip::ParseCSeq(request.cseq());
  std::string text = fmt::format("{}\n{}\n{}\n{}\n{}\n{}", request.request_uri(),
                                 tag(request.from()), tag(request.to()), request.call_id(),
                                 cseq.ok() ? cseq->number : 0,
                                 request.Value(sip::HeaderId::kProxyRequire));
  auto md5 = sip::DigestHash(sip::DigestAlgorithm::kMd5, text);
  return md5.ok() ? md5->substr(0, 16) : std::string(16, '0');
}

bool Proxy::Looped(const sip::Message& request, std::string_view loop_hash) const {
  const std::string prefix = "z9hG4bK" + std::string(loop_hash) + ".";
  for (std::string_view value : request.Values(sip::HeaderId::kVia)) {
    auto via = sip::ParseVia(value);
    if (!via.ok() || !via->branch() || !via->branch()->starts_with(prefix)) continue;
    std::string_view host = via->host;
    if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
    for (auto kind : {sip::TransportKind::kUdp, sip::TransportKind::kTcp, sip::TransportKind::kTls}) {
      auto local = host_.LocalEndpoint(kind);
      if (local && local->ip == host && local->port == via->port.value_or(5060)) return true;
    }
  }
  return false;
}

std::string Proxy::MakeVia(sip::TransportKind kind, std::string_view loop_hash,
                           std::string* branch) {
  *branch = fmt::format("z9hG4bK{}.{}", loop_hash, random_.HexToken(12));
  auto local = host_.LocalEndpoint(kind);
  const std::string sent_by = local ? local->ToString() : "127.0.0.1";
  return fmt::format("SIP/2.0/{} {};branch={}{}", sip::TransportName(kind), sent_by, *branch,
                     kind == sip::TransportKind::kUdp ? ";rport" : "");
}

std::string Proxy::RecordRoute(const transport::ReceivedMessage& m) const {
  auto local = host_.LocalEndpoint(m.local.transport);
  const std::string addr = local ? local->ToString() : m.local.ToString();
  switch (m.local.transport) {
    case sip::TransportKind::kTcp: return fmt::format("<sip:{};transport=tcp;lr>", addr);
    case sip::TransportKind::kTls: return fmt::format("<sips:{};lr>", addr);
    case sip::TransportKind::kUdp: break;
  }
  return fmt::format("<sip:{};lr>", addr);
}

bool Proxy::RouteNamesUs(std::string_view route) const {
  auto na = sip::ParseNameAddr(route);
  if (!na.ok()) return false;
  const sip::Uri& uri = na->uri;
  if (!uri.user.empty()) return false;
  const sip::TransportKind kind = TransportOfUri(uri);
  auto local = host_.LocalEndpoint(kind);
  if (!local) return false;
  const uint16_t port = uri.port.value_or(kind == sip::TransportKind::kTls ? 5061 : 5060);
  return uri.host_no_brackets() == local->ip && port == local->port;
}

bool Proxy::IsRelayed(const sip::Message& m) const {
  if (HasToTag(m)) return true;
  const std::string_view route = TopRoute(m);
  return !route.empty() && RouteNamesUs(route);
}

std::optional<sip::Endpoint> Proxy::UriDestination(std::string_view text) const {
  auto uri = sip::ParseUri(text);
  if (!uri.ok() || uri->host.empty()) return std::nullopt;
  sip::Endpoint e;
  e.transport = TransportOfUri(*uri);
  e.ip = std::string(uri->host_no_brackets());
  e.port = uri->port.value_or(e.transport == sip::TransportKind::kTls ? 5061 : 5060);
  return e;
}

// In a dialog the Request-URI is the peer's Contact. When that contact is a
// binding we hold, reach it where its REGISTER came from (NAT), over its flow.
std::optional<Proxy::Target> Proxy::TargetForUri(std::string_view uri) const {
  auto dest = UriDestination(uri);
  if (!dest) return std::nullopt;
  Target t{std::string(uri), *dest, 0};
  auto parsed = sip::ParseUri(uri);
  if (registrar_ != nullptr && parsed.ok() && !parsed->user.empty()) {
    if (const Account* a = registrar_->accounts().FindCallee(parsed->user)) {
      for (const Binding& b : store_.Lookup(a->aor.empty() ? a->name : a->aor, clock_.WallNow())) {
        if (b.contact == uri && a->force_rport) {
          t.destination = b.received;
          t.connection = b.connection_id;
        }
      }
    }
  }
  return t;
}

void Proxy::RespondTo(const transport::ReceivedMessage& m, const txn::TransactionKey& key,
                      int status, std::string_view reason) {
  auto b = sip::MakeResponse(m.message, status, reason, status >= 200 ? random_.HexToken(10) : "");
  if (registrar_ != nullptr) b.AddHeader("Server", registrar_->options().server_header);
  host_.Respond(key, status, b.Build());
}

void Proxy::OnInvite(const transport::ReceivedMessage& m, const txn::TransactionKey& key) {
  if (registrar_ == nullptr) return RespondTo(m, key, 500, "Server Internal Error");
  auto mf = MaxForwards(m.message);
  if (!mf) return RespondTo(m, key, 400, "Bad Request (Max-Forwards)");
  if (*mf == 0) return RespondTo(m, key, 483, "Too Many Hops");
  auto ruri = sip::ParseUri(m.message.request_uri());
  if (!ruri.ok()) return RespondTo(m, key, 400, "Bad Request (Request-URI)");
  const std::string loop_hash = LoopHash(m.message);
  if (Looped(m.message, loop_hash)) {
    SIPREG_LOG(log_, kNotice, "proxy_invite", "Loop detected for '{}' (Call-ID {}): 482",
               m.message.request_uri(), m.message.call_id());
    return RespondTo(m, key, 482, "Loop Detected");
  }

  // A caller who is one of our accounts proves it (chan_sip: peers with a secret).
  const std::string caller(UserOf(m.message.from()));
  if (const Account* from = registrar_->accounts().FindCallee(caller)) {
    RequestAuth auth = registrar_->AuthenticateRequest(m.message, *from, m.source.ip);
    if (auth.error != RegError::kOk) {
      if (on_auth_failure) on_auth_failure(auth.error, from->name, m);
      host_.Respond(key, auth.status, std::move(auth.response));
      return;
    }
  }

  // Who is called: a ring group (its members), else one account.
  std::vector<const Account*> callees;
  const RingGroup* group = registrar_->accounts().FindGroup(ruri->user);
  if (group != nullptr) {
    for (const auto& name : group->members) {
      if (const Account* a = registrar_->accounts().FindCallee(name)) callees.push_back(a);
    }
  } else if (const Account* a = registrar_->accounts().FindCallee(ruri->user)) {
    callees.push_back(a);
  }
  const std::string callee_name = group != nullptr ? group->name
                                  : callees.empty() ? std::string(ruri->user)
                                                    : callees[0]->name;
  if (group == nullptr && callees.empty()) {
    ++counters_.rejected_unknown;
    SIPREG_LOG(log_, kVerbose, "proxy_invite", "Call from '{}' to '{}' (Call-ID {}): 404 Not Found",
               caller, ruri->user, m.message.call_id());
    return RespondTo(m, key, 404, "Not Found");
  }
  Call call;
  call.id = next_call_++;
  call.server_key = key;
  call.invite = std::string(m.message.raw());
  call.caller = caller;
  call.callee = callee_name;
  call.call_id = std::string(m.message.call_id());
  call.started = clock_.Now();
  call.record_route = RecordRoute(m);
  call.loop_hash = loop_hash;
  // Waves (ForkContext): for one account, one per q value, highest first (RFC
  // 3261 §16.6); a ringall group rings every contact of every member in one
  // wave; a hunt group gives each member its own wave of ring_timeout.
  std::vector<std::vector<size_t>> waves;
  for (const Account* callee : callees) {
    auto bindings = store_.Lookup(callee->aor.empty() ? callee->name : callee->aor,
                                  clock_.WallNow());
    std::stable_sort(bindings.begin(), bindings.end(),
                     [](const Binding& a, const Binding& b) { return a.q > b.q; });
    bool new_member = true;
    for (size_t i = 0; i < bindings.size(); ++i) {
      const Binding& b = bindings[i];
      Target t;
      t.uri = b.contact;
      if (callee->force_rport) {
        t.destination = b.received;
        t.connection = b.connection_id;
      } else if (auto d = UriDestination(b.contact)) {
        t.destination = *d;
      } else {
        continue;
      }
      const bool next_wave =
          waves.empty() || (group == nullptr && i > 0 && bindings[i - 1].q != b.q) ||
          (group != nullptr && group->strategy == RingGroup::Strategy::kHunt && new_member);
      if (next_wave) waves.emplace_back();
      new_member = false;
      waves.back().push_back(call.targets.size());
      call.targets.push_back(std::move(t));
    }
  }
  if (call.targets.empty()) {
    ++counters_.rejected_unavailable;
    SIPREG_LOG(log_, kVerbose, "proxy_invite",
               "Call from '{}' to '{}' (Call-ID {}): 480 Temporarily Unavailable (not registered)",
               caller, callee_name, m.message.call_id());
    return RespondTo(m, key, 480, "Temporarily Unavailable");
  }
  call.forwarded.resize(call.targets.size());
  call.branch_keys.resize(call.targets.size());
  const std::chrono::milliseconds wave_timeout =
      group != nullptr
          ? std::chrono::duration_cast<std::chrono::milliseconds>(group->ring_timeout)
          : kTimerC;
  call.fork = std::make_unique<ForkContext>(std::move(waves), wave_timeout);
  ++counters_.calls;
  SIPREG_LOG(log_, kVerbose, "proxy_invite",
             "Call from '{}' to '{}' (Call-ID {}): ringing {} contact{}{}", caller, callee_name,
             call.call_id, call.targets.size(), call.targets.size() == 1 ? "" : "s",
             group == nullptr                                  ? ""
             : group->strategy == RingGroup::Strategy::kHunt ? " (hunt group)"
                                                             : " (ring group)");
  const uint64_t id = call.id;
  by_server_[key] = id;
  auto [it, inserted] = calls_.emplace(id, std::move(call));
  Apply(it->second, it->second.fork->Start(clock_.Now()));
}

void Proxy::StartBranch(Call& call, size_t i) {
  auto invite = sip::Parse(call.invite);
  if (!invite.ok()) return;
  const Target& t = call.targets[i];
  ForwardSpec spec;
  spec.request_uri = t.uri;
  std::string branch;
  spec.via = MakeVia(t.destination.transport, call.loop_hash, &branch);
  spec.record_route = call.record_route;
  spec.pop_route = !TopRoute(*invite).empty() && RouteNamesUs(TopRoute(*invite));
  auto bytes = ForwardRequest(*invite, spec);
  if (!bytes.ok()) {
    Apply(call, call.fork->OnBranchFailed(i, 500, clock_.Now()));
    return;
  }
  call.forwarded[i] = *bytes;
  const txn::TransactionKey key = txn::ClientKey(branch, "INVITE");
  transport::SendOptions opts;
  opts.connection = t.connection;
  call.branch_keys[i] = key;
  branches_[key] = {call.id, i};
  auto st = host_.StartClient(key, std::move(*bytes), true, t.destination, std::move(opts));
  if (!st.ok()) {
    branches_.erase(key);
    call.branch_keys[i].reset();
    Apply(call, call.fork->OnBranchFailed(i, 503, clock_.Now()));
  }
}

void Proxy::SendCancel(Call& call, size_t i) {
  if (call.forwarded[i].empty()) return;
  auto invite = sip::Parse(call.forwarded[i]);
  if (!invite.ok()) return;
  auto cancel = BuildCancel(*invite);
  if (!cancel.ok()) return;
  // The CANCEL is a transaction of its own, with the INVITE's branch (§9.1).
  auto via = sip::ParseVia(invite->top_via());
  if (!via.ok() || !via->branch()) return;
  const txn::TransactionKey key = txn::ClientKey(*via->branch(), "CANCEL");
  transport::SendOptions opts;
  opts.connection = call.targets[i].connection;
  (void)host_.StartClient(key, std::move(*cancel), false, call.targets[i].destination,
                          std::move(opts));
}

void Proxy::Apply(Call& call, const ForkActions& actions) {
  const uint64_t id = call.id;
  ApplyActions(id, actions);
  // Done with the call once the caller has its answer and no branch is alive.
  auto it = calls_.find(id);
  if (it == calls_.end() || !it->second.fork->finished()) return;
  for (const auto& k : it->second.branch_keys) {
    if (k && branches_.count(*k) > 0) return;
  }
  Forget(id);
}

void Proxy::ApplyActions(uint64_t id, const ForkActions& actions) {
  for (const ForkAction& a : actions) {
    auto it = calls_.find(id);
    if (it == calls_.end()) return;
    Call& c = it->second;
    switch (a.kind) {
      case ForkAction::Kind::kStartBranch: StartBranch(c, a.branch); break;
      case ForkAction::Kind::kCancelBranch: SendCancel(c, a.branch); break;
      case ForkAction::Kind::kRelay:
      case ForkAction::Kind::kRespond: {
        std::string bytes = a.bytes;
        if (a.kind == ForkAction::Kind::kRespond) {
          auto invite = sip::Parse(c.invite);
          if (!invite.ok()) break;
          auto b = sip::MakeResponse(*invite, a.status, a.reason, random_.HexToken(10));
          if (registrar_ != nullptr) b.AddHeader("Server", registrar_->options().server_header);
          bytes = b.Build();
        }
        if (a.status >= 200 && a.status < 300 && c.upstream_2xx) {
          // A later 2xx of another branch: the server transaction ended with the
          // first one, so it goes upstream without one (§16.7 step 5).
          SendUpstreamStateless(std::move(bytes));
          break;
        }
        if (a.status >= 200 && a.status < 300) c.upstream_2xx = true;
        if (a.status >= 200) {
          ++counters_.finals[std::min(a.status / 100, 6)];
          SIPREG_LOG(log_, kVerbose, "proxy_invite", "Call from '{}' to '{}' (Call-ID {}): {}",
                     c.caller, c.callee, c.call_id,
                     a.kind == ForkAction::Kind::kRespond
                         ? fmt::format("{} {}", a.status, a.reason)
                         : fmt::format("{} from the callee", a.status));
        }
        host_.Respond(c.server_key, a.status, std::move(bytes));
        break;
      }
    }
  }
}

void Proxy::OnCancel(const transport::ReceivedMessage& m, const txn::TransactionKey& key) {
  auto invite_key = txn::KeyForRequest(m.message);
  if (!invite_key.ok()) return RespondTo(m, key, 400, "Bad Request");
  invite_key->method = "INVITE";
  auto it = by_server_.find(*invite_key);
  if (it == by_server_.end()) {
    return RespondTo(m, key, 481, "Call/Transaction Does Not Exist");
  }
  RespondTo(m, key, 200, "OK");
  auto call = calls_.find(it->second);
  if (call == calls_.end()) return;
  SIPREG_LOG(log_, kVerbose, "proxy_cancel", "Call from '{}' to '{}' (Call-ID {}): cancelled by the caller",
             call->second.caller, call->second.callee, call->second.call_id);
  Apply(call->second, call->second.fork->OnCallerCancel(clock_.Now()));
}

void Proxy::OnAck(const transport::ReceivedMessage& m) {
  // The ACK of a 2xx is end-to-end: forward it statelessly (§16.11 via §16.6).
  auto mf = MaxForwards(m.message);
  if (!mf || *mf == 0) return;
  auto target = TargetForUri(m.message.request_uri());
  if (!target) return;
  ForwardSpec spec;
  std::string branch;
  spec.via = MakeVia(target->destination.transport, LoopHash(m.message), &branch);
  spec.pop_route = !TopRoute(m.message).empty() && RouteNamesUs(TopRoute(m.message));
  auto bytes = ForwardRequest(m.message, spec);
  if (!bytes.ok()) return;
  transport::SendOptions opts;
  opts.connection = target->connection;
  host_.SendStateless(target->destination, std::move(*bytes), std::move(opts));
}

void Proxy::OnInDialog(const transport::ReceivedMessage& m, const txn::TransactionKey& key) {
  auto mf = MaxForwards(m.message);
  if (!mf) return RespondTo(m, key, 400, "Bad Request (Max-Forwards)");
  if (*mf == 0) return RespondTo(m, key, 483, "Too Many Hops");
  const std::string loop_hash = LoopHash(m.message);
  if (Looped(m.message, loop_hash)) return RespondTo(m, key, 482, "Loop Detected");
  auto target = TargetForUri(m.message.request_uri());
  if (!target) return RespondTo(m, key, 416, "Unsupported URI Scheme");
  ForwardSpec spec;
  std::string branch;
  spec.via = MakeVia(target->destination.transport, loop_hash, &branch);
  spec.pop_route = !TopRoute(m.message).empty() && RouteNamesUs(TopRoute(m.message));
  auto bytes = ForwardRequest(m.message, spec);
  if (!bytes.ok()) return RespondTo(m, key, 400, "Bad Request");
  const bool invite = m.message.method() == sip::Method::kInvite;
  const txn::TransactionKey client_key =
      txn::ClientKey(branch, invite ? std::string_view("INVITE") : m.message.method_name());
  relays_[client_key] = Relay{key, std::string(m.message.raw())};
  transport::SendOptions opts;
  opts.connection = target->connection;
  auto st = host_.StartClient(client_key, std::move(*bytes), invite, target->destination,
                              std::move(opts));
  if (!st.ok()) {
    relays_.erase(client_key);
    RespondTo(m, key, 503, "Service Unavailable");
  }
}

bool Proxy::OnClientResponse(const txn::TransactionKey& key, const sip::Message& response) {
  if (auto r = relays_.find(key); r != relays_.end()) {
    const txn::TransactionKey server_key = r->second.server_key;
    if (response.status_code() == 100) return true;  // hop by hop
    auto up = StripTopVia(response);
    if (!up.ok()) return true;
    if (response.status_code() >= 200 && response.status_code() < 300) {
      auto cseq = response.cseq();
      if (cseq.find("BYE") != std::string_view::npos) {
        auto ch = channels_.find(std::string(response.call_id()));
        if (ch != channels_.end()) {
          SIPREG_LOG(log_, kVerbose, "proxy_bye", "Call '{}' -> '{}' (Call-ID {}) hung up after {} s",
                     ch->second.caller, ch->second.callee, ch->first,
                     std::chrono::duration_cast<std::chrono::seconds>(clock_.Now() -
                                                                      ch->second.started)
                         .count());
          channels_.erase(ch);
        }
      }
    }
    host_.Respond(server_key, response.status_code(), std::move(*up));
    return true;
  }
  auto b = branches_.find(key);
  if (b == branches_.end()) return false;
  auto [call_id, branch] = b->second;
  auto it = calls_.find(call_id);
  if (it == calls_.end()) return true;
  Call& call = it->second;
  auto up = StripTopVia(response);
  if (!up.ok()) return true;
  const int status = response.status_code();
  if (status >= 200 && status < 300 && !call.fork->answered()) {
    Channel ch;
    ch.call_id = call.call_id;
    ch.caller = call.caller;
    ch.callee = call.callee;
    ch.contact = call.targets[branch].uri;
    ch.started = clock_.Now();
    channels_[call.call_id] = ch;
  }
  Apply(call, call.fork->OnResponse(branch, status, std::move(*up), clock_.Now()));
  return true;
}

bool Proxy::OnClientFailed(const txn::TransactionKey& key, int status) {
  if (auto r = relays_.find(key); r != relays_.end()) {
    Relay relay = std::move(r->second);
    relays_.erase(r);
    auto request = sip::Parse(relay.request);
    if (!request.ok()) return true;
    auto b = sip::MakeResponse(*request, status, status == 408 ? "Request Timeout"
                                                               : "Service Unavailable",
                               random_.HexToken(10));
    host_.Respond(relay.server_key, status, b.Build());
    return true;
  }
  auto b = branches_.find(key);
  if (b == branches_.end()) return false;
  auto [call_id, branch] = b->second;
  auto it = calls_.find(call_id);
  if (it != calls_.end()) Apply(it->second, it->second.fork->OnBranchFailed(branch, status, clock_.Now()));
  return true;
}

void Proxy::OnClientTerminated(const txn::TransactionKey& key) {
  relays_.erase(key);
  auto b = branches_.find(key);
  if (b == branches_.end()) return;
  const uint64_t call_id = b->second.first;
  branches_.erase(b);
  auto it = calls_.find(call_id);
  if (it != calls_.end()) Apply(it->second, {});
}

void Proxy::Forget(uint64_t call_id) {
  auto it = calls_.find(call_id);
  if (it == calls_.end()) return;
  // Only this call's own entry: a call whose server transaction was dropped can
  // outlive it, and the caller's retransmitted INVITE then made a new call.
  auto by_key = by_server_.find(it->second.server_key);
  if (by_key != by_server_.end() && by_key->second == call_id) by_server_.erase(by_key);
  calls_.erase(it);
}

void Proxy::OnStrayResponse(const sip::Message& response) {
  // Only 2xx to INVITE are relayed without a transaction (their retransmissions).
  if (response.status_code() < 200 || response.status_code() >= 300) return;
  if (response.cseq().find("INVITE") == std::string_view::npos) return;
  auto vias = response.Values(sip::HeaderId::kVia);
  if (vias.size() < 2) return;
  auto ours = sip::ParseVia(vias[0]);
  if (!ours.ok() || !ours->branch() || !ours->branch()->starts_with("z9hG4bK")) return;
  auto local = host_.LocalEndpoint(sip::TransportKind::kUdp);
  if (!local || ours->host != local->ip) return;
  auto up = StripTopVia(response);
  if (up.ok()) SendUpstreamStateless(std::move(*up));
}

void Proxy::SendUpstreamStateless(std::string response) {
  // Without a server transaction the response goes where its (new) top Via
  // says: received/rport as the caller's transport stamped them (§18.2.2).
  auto m = sip::Parse(response);
  if (!m.ok()) return;
  auto via = sip::ParseVia(m->top_via());
  if (!via.ok()) return;
  std::string_view host = via->host;
  if (host.size() > 2 && host.front() == '[') host = host.substr(1, host.size() - 2);
  sip::Endpoint sent_by{via->transport == "TCP"   ? sip::TransportKind::kTcp
                        : via->transport == "TLS" ? sip::TransportKind::kTls
                                                  : sip::TransportKind::kUdp,
                        std::string(host), via->port.value_or(5060)};
  auto dest = transport::ResponseDestination(*via, sent_by);
  if (dest.ok()) host_.SendStateless(*dest, std::move(response), {});
}

void Proxy::Tick(SteadyTime now) {
  std::vector<uint64_t> due;
  for (auto& [id, call] : calls_) {
    auto d = call.fork->next_deadline();
    if (d && *d <= now) due.push_back(id);
  }
  for (uint64_t id : due) {
    auto it = calls_.find(id);
    if (it != calls_.end()) Apply(it->second, it->second.fork->OnTimer(now));
  }
}

std::vector<Channel> Proxy::Channels() const {
  std::vector<Channel> out;
  for (const auto& [id, ch] : channels_) out.push_back(ch);
  return out;
}

}  // namespace sipreg::registrar
