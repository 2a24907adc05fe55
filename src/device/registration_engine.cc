#include "device/registration_engine.h"

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <utility>

#include <asio/post.hpp>
#include <fmt/format.h>

#include "sip/digest.h"
#include "sip/parser.h"
#include "sip/serializer.h"
#include "sip/via.h"
#include "transaction/client_non_invite_transaction.h"
#include "transport/ip_address.h"
#include "transport/response_route.h"

namespace sipreg::device {
namespace {

constexpr Millis kPongTimeout{10'000};
// RFC 3261 §18.1.1: 1300 bytes when the path MTU is unknown.
constexpr size_t kMaxUdpRequest = 1300;
// How often a server name that did not resolve is looked up again.
constexpr Millis kResolveRetryGap{30'000};

std::string ReadMachineId() {
  for (const char* path : {"/etc/machine-id", "/var/lib/dbus/machine-id"}) {
    std::ifstream in(path);
    std::string id;
    if (in && std::getline(in, id) && !id.empty()) return id;
  }
  char host[256] = {};
  if (gethostname(host, sizeof(host) - 1) == 0) return host;
  return "sipreg-device";
}

std::string SerialKey(uint64_t serial) { return fmt::format("p:{}", serial); }

std::string TxnTimerKey(const txn::TransactionKey& key, txn::TimerId id) {
  return fmt::format("t:{}:{}:{}", key.branch, key.method, static_cast<int>(id));
}

// Flow-level settings: when one changes, every registration moves to a new flow.
bool SameFlow(const SipSettings& a, const SipSettings& b) {
  return a.server == b.server && a.outbound_proxy == b.outbound_proxy &&
         a.transport == b.transport && a.local_port == b.local_port &&
         a.tls_verify == b.tls_verify && a.tls_ca == b.tls_ca && a.dns_server == b.dns_server;
}

}  // namespace

RegistrationEngine::RegistrationEngine(asio::io_context& io, DeviceConfig config, SystemLog& log,
                                       const Clock& clock, Random& random)
    : io_(io),
      config_(std::move(config)),
      log_(log),
      clock_(clock),
      random_(random),
      machine_id_(ReadMachineId()),
      timers_(io, clock, [this](const TimerQueue::Key& key) { OnTimerKey(key); }) {}

RegistrationEngine::~RegistrationEngine() = default;

void RegistrationEngine::Schedule(const TimerKey& key, SteadyTime when) {
  timers_.Schedule(key, when);
}

void RegistrationEngine::Cancel(const TimerKey& key) { timers_.Cancel(key); }

void RegistrationEngine::Log(const std::string& level, std::string text) {
  log_.Append(level, std::move(text));
}

std::string RegistrationEngine::ServerLabel() const {
  if (!resolved_ || targets_.addresses.empty()) {
    const HostPort& hp =
        config_.sip.outbound_proxy.empty() ? config_.sip.server : config_.sip.outbound_proxy;
    return "unresolved " + hp.ToString();
  }
  return TargetLabel(targets_.addresses[target_index_]);
}

std::optional<sip::Endpoint> RegistrationEngine::local() const {
  if (udp_local_) return udp_local_;
  return stream_local_;
}

size_t RegistrationEngine::successful_count() const {
  size_t n = 0;
  for (const auto& [serial, r] : regs_) {
    if (r.policy->status() == kStatusSuccessful) ++n;
  }
  return n;
}

std::vector<RegistrationView> RegistrationEngine::Views() const {
  std::vector<RegistrationView> out;
  out.reserve(regs_.size());
  const std::string server = ServerLabel();
  for (const auto& [serial, r] : regs_) {
    if (std::find(retiring_.begin(), retiring_.end(), serial) != retiring_.end()) continue;
    out.push_back(r.policy->View(server));
  }
  // In config order (a re-registered extension has a newer serial but keeps its place).
  std::unordered_map<std::string, size_t> rank;
  size_t i = 0;
  for (const auto& e : config_.extensions) {
    rank[e.id] = i;
    rank[e.id + ".cancel"] = i;
    ++i;
  }
  std::stable_sort(out.begin(), out.end(), [&](const auto& a, const auto& b) {
    auto ra = rank.find(a.id), rb = rank.find(b.id);
    return (ra == rank.end() ? i : ra->second) < (rb == rank.end() ? i : rb->second);
  });
  return out;
}

// ---------------------------------------------------------------- setup

std::string RegistrationEngine::InstanceFor(const std::string& id,
                                            const std::string& extension) const {
  // A name-based UUID (RFC 4122 §4.3 layout, SHA-256 truncated): stable for
  // this machine, this config slot and this extension across restarts.
  auto hash = sip::DigestHash(sip::DigestAlgorithm::kSha256,
                              fmt::format("sipreg-device/{}/{}/{}", machine_id_, id, extension));
  std::string h = hash.ok() ? *hash : std::string(64, '0');
  h[12] = '5';
  static constexpr char kVariant[] = "89ab";
  h[16] = kVariant[std::stoi(h.substr(16, 1), nullptr, 16) & 3];
  return fmt::format("<urn:uuid:{}-{}-{}-{}-{}>", h.substr(0, 8), h.substr(8, 4), h.substr(12, 4),
                     h.substr(16, 4), h.substr(20, 12));
}

std::vector<PolicyConfig> RegistrationEngine::PolicyConfigs(const DeviceConfig& config) const {
  std::vector<PolicyConfig> out;
  const SipSettings& sip = config.sip;
  PolicyConfig base;
  base.display_name = sip.display_name;
  base.domain = sip.server.ToString();
  base.aor_host = HostPort{sip.server.host, std::nullopt}.ToString();
  if (!sip.outbound_proxy.empty()) {
    std::string t;
    if (sip.transport == TransportChoice::kTcp) t = ";transport=tcp";
    if (sip.transport == TransportChoice::kTls) t = ";transport=tls";
    base.route = fmt::format("<sip:{}{};lr>", sip.outbound_proxy.ToString(), t);
  }
  base.expires = sip.expires;
  for (const auto& e : config.extensions) {
    PolicyConfig pc = base;
    pc.id = e.id;
    pc.type = std::string(ExtensionTypeName(e.type));
    pc.extension = e.extension;
    pc.auth_id = e.auth_id;
    pc.password = e.password;
    pc.instance = InstanceFor(e.id, e.extension);
    pc.enabled = e.enabled;
    out.push_back(pc);
    if (e.type == ExtensionType::kAlert && !e.cancel_extension.empty()) {
      PolicyConfig cancel = base;
      cancel.id = e.id + ".cancel";
      cancel.type = "alert-cancel";
      cancel.extension = e.cancel_extension;
      cancel.auth_id = e.cancel_auth_id;
      cancel.password = e.cancel_password;
      cancel.instance = InstanceFor(cancel.id, e.cancel_extension);
      cancel.enabled = e.enabled;
      out.push_back(std::move(cancel));
    }
  }
  return out;
}

Status RegistrationEngine::Start() {
  Status st = OpenFlow();
  // A port that cannot be bound is a configuration error; no route yet is not.
  if (!st.ok() && st.code() == StatusCode::kIoError) return st;
  if (!st.ok()) Log("warning", st.message());
  StartRegistrations();
  ScheduleKeepAlive();
  return Status::Ok();
}

Status RegistrationEngine::OpenFlow() {
  if (!transport_) CreateTransport();
  if (!Resolve()) return Status::Ok();  // registrations report it and retry
  return BindUdp();
}

void RegistrationEngine::CreateTransport() {
  transport::TransportOptions topts;
  topts.tls_client.verify_peer = config_.sip.tls_verify;
  topts.tls_client.ca_file = config_.sip.tls_ca;
  topts.connect_timeout = std::chrono::milliseconds(5000);
  transport_ = std::make_unique<transport::AsioTransport>(io_, std::move(topts));
  transport_->SetMessageHandler([this](transport::ReceivedMessage m) { OnMessage(std::move(m)); });
  transport_->SetConnectionClosedHandler(
      [this](const transport::ConnectionInfo& info, const Status& reason) {
        OnConnectionClosed(info, reason);
      });
  transport_->SetPongHandler([this](transport::ConnectionId id) {
    if (id != conn_ || !pong_pending_) return;
    pong_pending_ = false;
    Cancel("pong");
  });
  transport_->SetErrorHandler([this](const transport::SendFailure& f) {
    Log("warning", fmt::format("send to {} failed: {}", f.destination.ToString(),
                               f.status.message()));
  });
  transport_->SetBadMessageHandler([this](const transport::BadMessage& bad) {
    Log("warning", fmt::format("unparseable message from {}: {}", bad.source.ToString(),
                               bad.status.message()));
  });
}

bool RegistrationEngine::Resolve() {
  if (resolved_) return true;
  // DNS blocks this thread while it waits; a name that did not resolve is asked
  // again at most every kResolveRetryGap, however many extensions retry.
  const SteadyTime now = clock_.Now();
  if (next_resolve_at_ && now < *next_resolve_at_) return false;
  auto targets = ResolveTargets(config_.sip, random_);
  if (!targets.ok()) {
    resolve_error_ = targets.status().message();
    next_resolve_at_ = now + kResolveRetryGap;
    Log("error", fmt::format("DNS: {}", resolve_error_));
    return false;
  }
  next_resolve_at_.reset();
  targets_ = std::move(targets).value();
  target_index_ = 0;
  targets_tried_ = 1;
  resolved_ = true;
  for (const auto& line : targets_.trace) Log("info", "DNS: " + line);
  std::string list;
  for (const auto& a : targets_.addresses) list += (list.empty() ? "" : ", ") + TargetLabel(a);
  Log("info", "server addresses: " + list);
  return true;
}

Status RegistrationEngine::BindUdp() {
  if (udp_local_ || !resolved_) return Status::Ok();
  const sip::Endpoint& target = targets_.addresses[target_index_];
  if (target.transport != sip::TransportKind::kUdp) return Status::Ok();
  auto ip = transport::RouteSourceIp(io_, target.ip, target.port);
  if (!ip.ok()) return ip.status();  // no route yet: retried when a REGISTER is due
  auto bound = transport_->Listen(sip::TransportKind::kUdp, *ip, config_.sip.local_port);
  if (!bound.ok()) {
    return Status::IoError(fmt::format("cannot bind SIP port {}:{}: {}", *ip,
                                       config_.sip.local_port, bound.status().message()));
  }
  udp_local_ = *bound;
  Log("info", fmt::format("SIP on udp:{}", udp_local_->ToString()));
  return Status::Ok();
}

uint64_t RegistrationEngine::AddRegistration(PolicyConfig pc) {
  const uint64_t serial = next_serial_++;
  Registration r;
  r.policy = std::make_unique<RegistrationPolicy>(std::move(pc), clock_, random_);
  regs_.emplace(serial, std::move(r));
  return serial;
}

void RegistrationEngine::StartRegistrations() {
  for (auto& pc : PolicyConfigs(config_)) {
    const uint64_t serial = AddRegistration(std::move(pc));
    regs_.at(serial).policy->Start();
    Settle(serial, false);
  }
}

// ---------------------------------------------------------------- policy glue

void RegistrationEngine::Settle(uint64_t serial, bool urgent) {
  auto it = regs_.find(serial);
  if (it == regs_.end()) return;
  Registration& r = it->second;
  RegistrationPolicy& p = *r.policy;
  for (auto& e : p.TakeEvents()) Log(e.level, std::move(e.text));
  if (r.last_status != p.status()) {
    if (r.last_status != nullptr || p.status() == kStatusDisabled) {
      Log(p.status() == kStatusSuccessful || p.status() == kStatusDisabled ? "info" : "warning",
          fmt::format("{} {}: status {}{}", p.config().id, p.config().extension, p.status(),
                      r.last_status ? fmt::format(" (was {})", r.last_status) : std::string()));
    }
    r.last_status = p.status();
  }
  if (p.wants_send() && !r.queued) Enqueue(serial, urgent);
  if (auto w = p.next_wakeup()) {
    Schedule(SerialKey(serial), *w);
  } else {
    Cancel(SerialKey(serial));
  }
  if (p.done()) {
    auto ret = std::find(retiring_.begin(), retiring_.end(), serial);
    if (ret != retiring_.end()) {
      retiring_.erase(ret);
      Cancel(SerialKey(serial));
      regs_.erase(it);
    }
    CheckShutdown();
  }
}

void RegistrationEngine::Enqueue(uint64_t serial, bool urgent) {
  auto it = regs_.find(serial);
  if (it == regs_.end()) return;
  it->second.queued = true;
  if (urgent) {
    send_queue_.push_front(serial);
  } else {
    send_queue_.push_back(serial);
  }
  asio::post(io_, [this, alive = std::weak_ptr<int>(alive_)] {
    if (alive.lock()) Pump();
  });
}

void RegistrationEngine::Pump() {
  if (send_queue_.empty()) return;
  if (!Resolve()) {  // still failing means No reply from server, with the reason
    FailQueued(resolve_error_, false);
    return;
  }
  const sip::Endpoint& target = targets_.addresses[target_index_];
  if (target.transport != sip::TransportKind::kUdp && conn_ == 0) {
    EnsureConnected();
    return;
  }
  if (target.transport == sip::TransportKind::kUdp && !udp_local_) {
    if (Status st = BindUdp(); !st.ok()) {
      FailQueued(st.message(), false);
      return;
    }
  }

  const auto now = clock_.Now();
  uint32_t rate = std::max<uint32_t>(1, config_.sip.register_rate);
  if (shutting_down_) {
    // Unregistering must fit in the shutdown deadline: every extension's REGISTER
    // (and an answer to a challenge) within about 4 s, however low the rate is set.
    rate = std::max<uint32_t>(rate, static_cast<uint32_t>(regs_.size() / 2 + 1));
  }
  const auto interval = std::chrono::duration_cast<SteadyTime::duration>(
      std::chrono::duration<double>(1.0 / rate));
  // A burst of up to 1/20 s worth of requests after a quiet spell.
  const auto burst = interval * std::max<uint32_t>(1, rate / 20);
  while (!send_queue_.empty()) {
    if (next_send_slot_ > now) {
      Schedule("pump", next_send_slot_);
      return;
    }
    const uint64_t serial = send_queue_.front();
    send_queue_.pop_front();
    auto it = regs_.find(serial);
    if (it == regs_.end()) continue;
    it->second.queued = false;
    if (!it->second.policy->wants_send()) continue;
    if (!SendRegister(serial)) return;  // the flow changes transport; Pump runs again
    next_send_slot_ = std::max(next_send_slot_, now - burst) + interval;
  }
}

void RegistrationEngine::FailQueued(const std::string& why, bool another_target) {
  auto queue = std::move(send_queue_);
  send_queue_.clear();
  for (uint64_t serial : queue) {
    auto it = regs_.find(serial);
    if (it == regs_.end()) continue;
    it->second.queued = false;
    it->second.policy->OnNoReply(why, another_target);
    Settle(serial, false);
  }
}

bool RegistrationEngine::SendRegister(uint64_t serial) {
  RegistrationPolicy& p = *regs_.at(serial).policy;
  const sip::Endpoint target = targets_.addresses[target_index_];
  const sip::Endpoint local =
      target.transport == sip::TransportKind::kUdp ? *udp_local_ : *stream_local_;
  OutgoingRegister out = p.BuildRequest(local);
  if (config_.sip.transport == TransportChoice::kAuto &&
      target.transport == sip::TransportKind::kUdp && out.bytes.size() > kMaxUdpRequest) {
    // RFC 3261 §18.1.1: a request within 200 bytes of the path MTU (1500 assumed)
    // goes over a congestion-controlled transport. The whole flow moves to TCP.
    Log("info", fmt::format("{} {}: a REGISTER of {} bytes is too large for UDP: using TCP",
                            p.config().id, p.config().extension, out.bytes.size()));
    p.Unsend();
    for (auto& a : targets_.addresses) a.transport = sip::TransportKind::kTcp;
    Enqueue(serial, true);
    return false;
  }
  Log("info", fmt::format("{} {}: REGISTER{} sent to {} (CSeq {})", p.config().id,
                          p.config().extension, out.unregister ? " (Expires: 0)" : "",
                          TargetLabel(target), out.cseq));
  StartTransaction(out.branch, "REGISTER", std::move(out.bytes), TxnOwner{serial, target});
  return true;
}

void RegistrationEngine::EnsureConnected() {
  if (conn_ != 0 || connecting_) return;
  const sip::Endpoint target = targets_.addresses[target_index_];
  connecting_ = true;
  auto fail = [this, target](const std::string& why) {
    connecting_ = false;
    Log("error", fmt::format("cannot connect to {}: {}", TargetLabel(target), why));
    FailQueued("cannot connect: " + why, FailoverAvailable(target));
  };
  auto id = transport_->Connect(
      target,
      [this, target, fail](const Result<transport::ConnectionInfo>& info) {
        if (!info.ok()) {
          fail(info.status().message());
          return;
        }
        connecting_ = false;
        if (!(targets_.addresses[target_index_] == target)) {
          // Failed over while connecting: this connection goes to the old server.
          transport_->Close(info->id);
          EnsureConnected();
          return;
        }
        conn_ = info->id;
        stream_local_ = info->local;
        Log("info", fmt::format("connected to {} from {}", TargetLabel(target),
                                info->local.ToString()));
        Pump();
      },
      targets_.tls_name);
  if (!id.ok()) {
    asio::post(io_, [fail, why = id.status().message(), alive = std::weak_ptr<int>(alive_)] {
      if (alive.lock()) fail(why);
    });
  }
}

bool RegistrationEngine::FailoverAvailable(const sip::Endpoint& failed) {
  if (!resolved_ || targets_.addresses.size() < 2) return false;
  if (!(targets_.addresses[target_index_] == failed)) return true;  // already moved on
  if (targets_tried_ >= targets_.addresses.size()) return false;
  target_index_ = (target_index_ + 1) % targets_.addresses.size();
  ++targets_tried_;
  if (conn_ != 0) {
    transport_->Close(conn_);  // its close notification is ignored: conn_ changes now
    conn_ = 0;
    stream_local_.reset();
    pong_pending_ = false;
    Cancel("pong");
  }
  Log("warning", fmt::format("failing over to {}", TargetLabel(targets_.addresses[target_index_])));
  // Requests still waiting on the old address are retried at the new one now
  // rather than after timer F (later, so as not to re-enter the caller).
  asio::post(io_, [this, failed, alive = std::weak_ptr<int>(alive_)] {
    if (!alive.lock()) return;
    std::vector<txn::TransactionKey> keys;
    for (const auto& [key, owner] : owners_) {
      if (owner.target == failed) keys.push_back(key);
    }
    for (const auto& key : keys) {
      auto acts = txns_.Dispatch(key, txn::Event::TransportError());
      if (acts.ok()) ApplyActions(key, *acts, nullptr);
    }
  });
  return true;
}

// ---------------------------------------------------------------- transactions

void RegistrationEngine::StartTransaction(const std::string& branch, std::string method,
                                          std::string bytes, TxnOwner owner) {
  const txn::TransactionKey key = txn::ClientKey(branch, method);
  auto machine = std::make_unique<txn::ClientNonInviteTransaction>(std::move(bytes),
                                                                   owner.target.transport);
  auto actions = txns_.Add(key, std::move(machine));
  if (!actions.ok()) {
    Log("error", "transaction: " + actions.status().message());
    return;
  }
  owners_[key] = owner;
  ApplyActions(key, *actions, nullptr);
}

void RegistrationEngine::ApplyActions(const txn::TransactionKey& key, const txn::Actions& actions,
                                      const sip::Message* response) {
  for (const auto& a : actions) {
    auto own = owners_.find(key);
    switch (a.kind) {
      case txn::ActionKind::kSend: {
        if (own == owners_.end()) break;
        transport::SendOptions opts;
        opts.connection = conn_;
        opts.tls_server_name = targets_.tls_name;
        opts.on_failure = [this, key](const transport::SendFailure&) {
          auto acts = txns_.Dispatch(key, txn::Event::TransportError());
          if (acts.ok()) ApplyActions(key, *acts, nullptr);
        };
        auto sent = transport_->Send(own->second.target, a.bytes, std::move(opts));
        if (!sent.ok()) {
          asio::post(io_, [this, key, alive = std::weak_ptr<int>(alive_)] {
            if (!alive.lock()) return;
            auto acts = txns_.Dispatch(key, txn::Event::TransportError());
            if (acts.ok()) ApplyActions(key, *acts, nullptr);
          });
        }
        break;
      }
      case txn::ActionKind::kStartTimer: {
        const std::string tk = TxnTimerKey(key, a.timer);
        txn_timers_[tk] = {key, a.timer};
        Schedule(tk, clock_.Now() + a.duration);
        break;
      }
      case txn::ActionKind::kCancelTimer: {
        const std::string tk = TxnTimerKey(key, a.timer);
        txn_timers_.erase(tk);
        Cancel(tk);
        break;
      }
      case txn::ActionKind::kPassToTu: {
        if (own == owners_.end() || response == nullptr || a.status_code < 200) break;
        const TxnOwner owner = own->second;
        if (owner.reg == 0) {  // OPTIONS keep-alive answered: the flow is alive
          options_txn_.reset();
          break;
        }
        if (a.status_code < 300) targets_tried_ = 1;  // a success ends a failover round
        auto it = regs_.find(owner.reg);
        if (it == regs_.end()) break;
        Log(a.status_code < 300 ? "info" : "warning",
            fmt::format("{} {}: {} {} from {}", it->second.policy->config().id,
                        it->second.policy->config().extension, response->status_code(),
                        response->reason_phrase(), TargetLabel(owner.target)));
        const bool failover = a.status_code == 503 && FailoverAvailable(owner.target);
        it->second.policy->OnResponse(*response, failover);
        Settle(owner.reg, true);
        break;
      }
      case txn::ActionKind::kTimeoutToTu:
      case txn::ActionKind::kTransportErrorToTu: {
        if (own == owners_.end()) break;
        const TxnOwner owner = own->second;
        const bool timeout = a.kind == txn::ActionKind::kTimeoutToTu;
        if (owner.reg == 0) {
          options_txn_.reset();
          FlowFailed(timeout ? "OPTIONS keep-alive unanswered" : "OPTIONS keep-alive not sent");
          break;
        }
        auto it = regs_.find(owner.reg);
        if (it == regs_.end()) break;
        const std::string why = timeout ? "timeout, no response in 32 s" : "transport error";
        Log("warning", fmt::format("{} {}: {} from {}", it->second.policy->config().id,
                                   it->second.policy->config().extension, why,
                                   TargetLabel(owner.target)));
        it->second.policy->OnNoReply(why, FailoverAvailable(owner.target));
        Settle(owner.reg, false);
        break;
      }
      case txn::ActionKind::kTerminated:
        for (auto id : {txn::TimerId::kE, txn::TimerId::kF, txn::TimerId::kK}) {
          const std::string tk = TxnTimerKey(key, id);
          txn_timers_.erase(tk);
          Cancel(tk);
        }
        if (own != owners_.end() && own->second.reg == 0) options_txn_.reset();
        owners_.erase(key);
        break;
    }
  }
}

// ---------------------------------------------------------------- receiving

void RegistrationEngine::OnMessage(transport::ReceivedMessage m) {
  if (m.message.is_request()) {
    OnRequest(m);
    return;
  }
  auto routed = txns_.OnResponse(m.message);
  if (!routed.ok()) return;  // stray or late: dropped (RFC 3261 §18.1.2)
  ApplyActions(routed->key, routed->actions, &m.message);
}

void RegistrationEngine::OnRequest(transport::ReceivedMessage& m) {
  const sip::Message& req = m.message;
  if (req.method() == sip::Method::kAck) return;
  int code = 405;
  std::string reason = "Method Not Allowed";
  if (req.method() == sip::Method::kOptions) {
    code = 200;
    reason = "OK";
  } else if (req.method() == sip::Method::kInvite) {
    code = 480;
    reason = "Temporarily Unavailable";
  }
  auto b = sip::MakeResponse(req, code, reason, random_.HexToken(10));
  b.AddHeader("Allow", "OPTIONS");
  b.AddHeader("Accept", "application/sdp");
  b.AddHeader("User-Agent", "sipreg-device");
  auto via = sip::ParseVia(req.top_via());
  if (!via.ok()) return;
  auto dest = transport::ResponseDestination(*via, m.source);
  if (!dest.ok()) return;
  transport::SendOptions opts;
  opts.connection = m.conn;
  opts.local = m.local;
  (void)transport_->Send(*dest, b.Build(), std::move(opts));
}

void RegistrationEngine::OnConnectionClosed(const transport::ConnectionInfo& info,
                                            const Status& reason) {
  if (info.id != conn_) return;
  conn_ = 0;
  stream_local_.reset();
  pong_pending_ = false;
  Cancel("pong");
  const std::string why =
      reason.ok() ? "the server closed the connection" : "connection lost: " + reason.message();
  Log("warning", fmt::format("{} ({})", why, TargetLabel(info.peer)));
  // Requests still waiting on this flow will not be answered.
  std::vector<txn::TransactionKey> keys;
  for (const auto& [key, owner] : owners_) keys.push_back(key);
  for (const auto& key : keys) {
    auto acts = txns_.Dispatch(key, txn::Event::TransportError());
    if (acts.ok()) ApplyActions(key, *acts, nullptr);
  }
  FlowFailed(why);
}

void RegistrationEngine::FlowFailed(const std::string& why) {
  if (shutting_down_) return;
  std::vector<uint64_t> serials;
  for (const auto& [serial, r] : regs_) serials.push_back(serial);
  for (uint64_t serial : serials) {
    auto it = regs_.find(serial);
    if (it == regs_.end()) continue;
    it->second.policy->OnFlowFailed(why);
    Settle(serial, false);
  }
}

// ---------------------------------------------------------------- keep-alive

void RegistrationEngine::ScheduleKeepAlive() {
  if (config_.sip.keepalive == KeepAliveMethod::kOff) {
    Cancel("ka");
    return;
  }
  Schedule("ka", clock_.Now() + std::chrono::seconds(std::max<uint32_t>(
                                    1, config_.sip.keepalive_interval)));
}

void RegistrationEngine::OnKeepAliveTimer() {
  ScheduleKeepAlive();
  if (shutting_down_ || !resolved_ || successful_count() == 0) return;
  const sip::Endpoint target = targets_.addresses[target_index_];
  if (config_.sip.keepalive == KeepAliveMethod::kDoubleCrlf) {
    if (target.transport == sip::TransportKind::kUdp) {
      transport::SendOptions opts;
      (void)transport_->Send(target, "\r\n\r\n", std::move(opts));
      return;
    }
    if (conn_ == 0 || pong_pending_) return;
    transport::SendOptions opts;
    opts.connection = conn_;
    if (transport_->Send(target, "\r\n\r\n", std::move(opts)).ok()) {
      pong_pending_ = true;
      Schedule("pong", clock_.Now() + kPongTimeout);
    }
    return;
  }
  if (config_.sip.keepalive == KeepAliveMethod::kOptions) {
    if (options_txn_) return;  // the last one is still waiting
    const sip::Endpoint local =
        target.transport == sip::TransportKind::kUdp ? udp_local_.value_or(sip::Endpoint{})
                                                     : stream_local_.value_or(sip::Endpoint{});
    if (local.port == 0) return;
    const std::string branch = "z9hG4bK" + random_.HexToken(20);
    const std::string uri = "sip:" + config_.sip.server.ToString();
    auto b = sip::MessageBuilder::Request("OPTIONS", uri);
    b.AddHeader("Via", fmt::format("SIP/2.0/{} {};branch={};rport",
                                   sip::TransportName(local.transport), local.ToString(), branch));
    b.AddHeader("Max-Forwards", "70");
    b.AddHeader("From", fmt::format("<sip:keepalive@{}>;tag={}", HostPort{local.ip, std::nullopt}.ToString(),
                                    random_.HexToken(10)));
    b.AddHeader("To", fmt::format("<{}>", uri));
    b.AddHeader("Call-ID", random_.HexToken(20) + "@sipreg-device");
    b.AddHeader("CSeq", "1 OPTIONS");
    b.AddHeader("User-Agent", "sipreg-device");
    options_txn_ = txn::ClientKey(branch, "OPTIONS");
    StartTransaction(branch, "OPTIONS", b.Build(), TxnOwner{0, target});
  }
}

// ---------------------------------------------------------------- live config

void RegistrationEngine::Apply(DeviceConfig config) {
  if (final_shutdown_) return;
  if (restarting_) {  // a restart is under way: it starts with the newest config
    pending_restart_ = std::move(config);
    return;
  }
  if (!SameFlow(config_.sip, config.sip)) {
    Log("info", "SIP server settings changed: re-registering every extension on a new flow");
    restarting_ = true;
    pending_restart_ = std::move(config);
    StopAll([this] {
      asio::post(io_, [this, alive = std::weak_ptr<int>(alive_)] {
        if (alive.lock()) Restart();
      });
    });
    return;
  }
  const auto new_pcs = PolicyConfigs(config);
  const bool rate_or_ka_changed = config_.sip.keepalive != config.sip.keepalive ||
                                  config_.sip.keepalive_interval != config.sip.keepalive_interval;
  config_ = std::move(config);
  if (rate_or_ka_changed) ScheduleKeepAlive();

  // Registrations by id, to compare.
  std::unordered_map<std::string, uint64_t> by_id;
  for (const auto& [serial, r] : regs_) {
    if (std::find(retiring_.begin(), retiring_.end(), serial) == retiring_.end()) {
      by_id[r.policy->config().id] = serial;
    }
  }
  size_t changed = 0;
  for (const auto& pc : new_pcs) {
    auto it = by_id.find(pc.id);
    if (it != by_id.end()) {
      const PolicyConfig& old = regs_.at(it->second).policy->config();
      const bool same = old == pc;
      const bool same_aor = old.extension == pc.extension && old.domain == pc.domain;
      const uint64_t serial = it->second;
      by_id.erase(it);
      if (same) continue;
      if (same_aor) {
        // Same AOR and Contact: the new REGISTER (new Call-ID) replaces the
        // binding; unregistering the old one could race it and remove it.
        Cancel(SerialKey(serial));
        regs_.erase(serial);
      } else {
        Retire(serial);
      }
    }
    ++changed;
    const uint64_t serial = AddRegistration(pc);
    regs_.at(serial).policy->Start();
    Settle(serial, false);
  }
  for (const auto& [id, serial] : by_id) {  // removed from the config
    ++changed;
    Retire(serial);
  }
  Log("info", fmt::format("configuration applied: {} registration{} changed", changed,
                          changed == 1 ? "" : "s"));
}

void RegistrationEngine::Retire(uint64_t serial) {
  retiring_.push_back(serial);
  regs_.at(serial).policy->Stop();
  Settle(serial, true);
}

void RegistrationEngine::Restart() {
  if (final_shutdown_) {  // SIGTERM came while the old flow was being wound down
    auto done = std::move(shutdown_done_);
    shutdown_done_ = nullptr;
    if (done) done();
    return;
  }
  DeviceConfig config = std::move(*pending_restart_);
  pending_restart_.reset();
  restarting_ = false;
  // Everything of the old flow goes; timers of old transactions are dropped.
  owners_.clear();
  txns_.Clear();
  txn_timers_.clear();
  timers_.Clear();
  regs_.clear();
  retiring_.clear();
  send_queue_.clear();
  transport_.reset();
  udp_local_.reset();
  stream_local_.reset();
  conn_ = 0;
  connecting_ = false;
  pong_pending_ = false;
  options_txn_.reset();
  shutting_down_ = false;
  shutdown_done_ = nullptr;
  resolved_ = false;
  next_resolve_at_.reset();
  config_ = std::move(config);
  // A port that cannot be bound now is retried when the REGISTERs are due; the
  // extensions show the reason meanwhile.
  if (Status st = OpenFlow(); !st.ok()) Log("error", st.message());
  StartRegistrations();
  ScheduleKeepAlive();
}

// ---------------------------------------------------------------- shutdown

void RegistrationEngine::Shutdown(std::function<void()> done, Millis deadline) {
  final_shutdown_ = true;
  if (restarting_) {
    // Everything is being unregistered already: when that ends (or, if it has
    // ended, when the posted Restart() runs) `done` is called instead.
    shutdown_done_ = std::move(done);
    return;
  }
  StopAll(std::move(done), deadline);
}

void RegistrationEngine::StopAll(std::function<void()> done, Millis deadline) {
  shutting_down_ = true;
  shutdown_done_ = std::move(done);
  Cancel("ka");
  std::vector<uint64_t> serials;
  for (const auto& [serial, r] : regs_) serials.push_back(serial);
  for (uint64_t serial : serials) {
    if (!regs_.count(serial)) continue;
    regs_.at(serial).policy->Stop();
    Settle(serial, true);
  }
  Schedule("shutdown", clock_.Now() + deadline);
  CheckShutdown();
}

void RegistrationEngine::CheckShutdown() {
  if (!shutting_down_ || !shutdown_done_) return;
  for (const auto& [serial, r] : regs_) {
    if (!r.policy->done()) return;
  }
  FinishShutdown();
}

void RegistrationEngine::FinishShutdown() {
  Cancel("shutdown");
  auto done = std::move(shutdown_done_);
  shutdown_done_ = nullptr;
  if (done) {
    asio::post(io_, [done = std::move(done), alive = std::weak_ptr<int>(alive_)] {
      if (alive.lock()) done();
    });
  }
}

// ---------------------------------------------------------------- timers

void RegistrationEngine::OnTimerKey(const TimerKey& key) {
  if (key.starts_with("p:")) {
    const uint64_t serial = std::stoull(key.substr(2));
    auto it = regs_.find(serial);
    if (it == regs_.end()) return;
    it->second.policy->OnTimer();
    Settle(serial, false);
  } else if (key.starts_with("t:")) {
    auto it = txn_timers_.find(key);
    if (it == txn_timers_.end()) return;
    const auto [tkey, id] = it->second;
    txn_timers_.erase(it);
    auto acts = txns_.Dispatch(tkey, txn::Event::TimerFired(id));
    if (acts.ok()) ApplyActions(tkey, *acts, nullptr);
  } else if (key == "ka") {
    OnKeepAliveTimer();
  } else if (key == "pong") {
    if (!pong_pending_ || conn_ == 0) return;
    Log("warning", "no CRLF pong within 10 s: the connection is dead, closing it");
    pong_pending_ = false;
    transport_->Close(conn_);  // OnConnectionClosed follows and re-registers
  } else if (key == "pump") {
    Pump();
  } else if (key == "shutdown") {
    size_t waiting = 0;
    for (const auto& [serial, r] : regs_) waiting += r.policy->done() ? 0 : 1;
    if (waiting > 0) {
      Log("warning", fmt::format("{} unregistration{} unanswered at the deadline", waiting,
                                 waiting == 1 ? "" : "s"));
    }
    FinishShutdown();
  }
}

}  // namespace sipreg::device
