#include "registrar/sip_server.h"

#include <asio/post.hpp>
#include <fmt/format.h>

#include "sip/serializer.h"
#include "transaction/ack_builder.h"
#include "transaction/client_invite_transaction.h"
#include "transaction/client_non_invite_transaction.h"
#include "sip/via.h"
#include "transport/response_route.h"

// Endpoints in LogInternalError's arguments, formatted inside its try.
template <>
struct fmt::formatter<sipreg::sip::Endpoint> : fmt::formatter<std::string_view> {
  template <typename Context>
  auto format(const sipreg::sip::Endpoint& ep, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(ep.ToString(), ctx);
  }
};

namespace sipreg::registrar {
namespace {

constexpr auto kTickInterval = std::chrono::milliseconds(50);
// Qualify looks for due pings this often (RTTs are timed by the clock, not the tick).
constexpr auto kQualifyInterval = std::chrono::milliseconds(200);
constexpr std::string_view kAllow = "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, UPDATE, INFO, "
                                    "PRACK, MESSAGE, REFER, NOTIFY";

// "SIP/2.0 200 OK" -> 200; 0 if the bytes are not a status line.
int StatusOf(std::string_view response) {
  if (response.size() < 12 || response.substr(0, 8) != "SIP/2.0 ") return 0;
  int code = 0;
  for (size_t i = 8; i < 11; ++i) {
    if (response[i] < '0' || response[i] > '9') return 0;
    code = code * 10 + (response[i] - '0');
  }
  return code;
}

}  // namespace

SipServer::SipServer(asio::io_context& io, transport::Transport& transport, Registrar& registrar,
                     BindingStore& store, BanList& bans, AsteriskLog& log, SecurityLog* security,
                     QualifyMonitor& qualify, const Clock& clock, Random& random,
                     txn::TimerConfig timers)
    : io_(io),
      transport_(transport),
      registrar_(&registrar),
      store_(store),
      bans_(bans),
      log_(log),
      security_(security),
      qualify_(qualify),
      clock_(clock),
      random_(random),
      table_(timers),
      completed_(timers.timer_j()),
      tick_(io),
      proxy_(*this, store, log, clock, random) {
  proxy_.SetRegistrar(registrar);
  proxy_.on_auth_failure = [this](RegError e, const std::string& account,
                                  const transport::ReceivedMessage& m) {
    OnCallAuthFailure(e, account, m);
  };
}

SipServer::~SipServer() { *alive_ = false; }

void SipServer::Start() {
  transport_.SetMessageHandler([this](transport::ReceivedMessage m) { OnMessage(std::move(m)); });
  transport_.SetBadMessageHandler([this](const transport::BadMessage& b) { OnBadMessage(b); });
  transport_.SetConnectionClosedHandler(
      [this](const transport::ConnectionInfo& info, const Status&) { OnConnectionClosed(info); });
  // Sends without a transaction (stateless answers, ACKs of 2xx, retransmitted
  // final answers) that fail after Send() took them: logged, nothing to retry.
  transport_.SetErrorHandler(
      [this, alive = std::weak_ptr<bool>(alive_)](const transport::SendFailure& f) {
        if (!alive.expired()) LogSendFailure("send_response", f.destination, f.status);
      });
  Tick();
}

void SipServer::OnBadMessage(const transport::BadMessage& bad) {
  ++counters_.bad_messages;
  SIPREG_LOG(log_, kDebug, "handle_incoming", "Dropped malformed message from {}: {}",
             bad.source.ToString(), bad.status.message());
  if (security_ != nullptr) {
    security_->Write({"RequestBadFormat", "", "", bad.local, bad.source}, clock_.WallNow());
  }
}

void SipServer::OnConnectionClosed(const transport::ConnectionInfo& info) {
  // A phone on TCP/TLS is reachable only over its connection (RFC 5626 §5.3 in
  // spirit): once it closes, its bindings go, unless it re-registered on a new one.
  const auto removed = store_.RemoveByConnection(info.id);
  for (const auto& b : removed) {
    SIPREG_LOG(log_, kVerbose, "sip_tcp_closed",
               "Unregistered SIP '{}' ({}): its {} connection from {} closed", b.aor, b.contact,
               sip::TransportName(info.peer.transport), info.peer.ToString());
  }
  OnBindingsRemoved(removed);
}

void SipServer::OnBindingsRemoved(const std::vector<Binding>& removed) {
  for (const auto& b : removed) qualify_.Untrack(b.aor, b.contact);
}

void SipServer::QualifyStoredBindings() {
  std::vector<Binding> all;
  store_.ForEach([&all](const Binding& b) { all.push_back(b); });
  for (const auto& b : all) {
    const Account* a = registrar_->accounts().Find(b.aor);
    if (a == nullptr || !a->qualify) continue;
    auto local = transport_.LocalEndpoint(b.received.transport);
    QualifyBinding(*a, b, local ? *local : sip::Endpoint{b.received.transport, "0.0.0.0", 0});
  }
}

void SipServer::Requalify() {
  for (const auto& [aor, contact] : qualify_.Keys()) {
    const Account* a = registrar_->accounts().Find(aor);
    if (a == nullptr || !a->qualify) qualify_.Untrack(aor, contact);
  }
  QualifyStoredBindings();
}

void SipServer::QualifyBinding(const Account& a, const Binding& b, const sip::Endpoint& local) {
  QualifyTarget t;
  t.aor = b.aor;
  t.contact = b.contact;
  // Pings go where the REGISTER came from (force_rport; the phone's NAT pinhole),
  // on its connection for TCP/TLS. Without NAT handling, the Contact would be the
  // target; chan_sip qualifies the peer's address, which is the received one.
  t.destination = b.received;
  t.connection_id = b.connection_id;
  t.local = local;
  t.max_rtt = a.qualify_max_rtt;
  t.timeout = a.qualify_timeout;
  t.frequency = a.qualify_frequency;
  qualify_.Track(std::move(t), clock_.Now());
}

void SipServer::SendQualifyPings(SteadyTime now) {
  for (const auto& t : qualify_.ExpireUnanswered(now)) LogQualify(t);
  auto pings = qualify_.Due(now, [this] { return random_.HexToken(24) + "@sipreg"; });
  for (const auto& p : pings) {
    const QualifyTarget& t = p.target;
    const sip::TransportKind kind = t.destination.transport;
    const std::string branch = "z9hG4bK" + random_.HexToken(20);
    std::string sent_by = t.local.ToString();
    auto b = sip::MessageBuilder::Request("OPTIONS", t.contact);
    b.AddHeader("Via", fmt::format("SIP/2.0/{} {};branch={};rport", sip::TransportName(kind),
                                   sent_by, branch));
    b.AddHeader("Max-Forwards", "70");
    b.AddHeader("From", fmt::format("\"sipreg\" <sip:sipreg@{}>;tag={}", sent_by,
                                    random_.HexToken(12)));
    b.AddHeader("To", fmt::format("<{}>", t.contact));
    b.AddHeader("Contact", kind == sip::TransportKind::kUdp
                               ? fmt::format("<sip:sipreg@{}>", sent_by)
                               : fmt::format("<sip:sipreg@{};transport={}>", sent_by,
                                             kind == sip::TransportKind::kTls ? "tls" : "tcp"));
    b.AddHeader("Call-ID", p.ping_id);
    b.AddHeader("CSeq", fmt::format("{} OPTIONS", ping_cseq_++));
    b.AddHeader("User-Agent", registrar_->options().server_header);
    b.AddHeader("Accept", "application/sdp");
    const txn::TransactionKey key = txn::ClientKey(branch, "OPTIONS");
    auto started = table_.Add(
        key, std::make_unique<txn::ClientNonInviteTransaction>(b.Build(), kind, table_.timers()));
    if (!started.ok()) continue;  // a branch collision: the ping counts as lost
    Origin origin;
    origin.destination = t.destination;
    origin.options.connection = t.connection_id;
    if (kind == sip::TransportKind::kUdp) origin.options.local = t.local;
    origins_[key] = std::move(origin);
    ++counters_.qualify_pings;
    Apply(key, *started);
  }
}

bool SipServer::Debugging(const sip::Endpoint& peer) const {
  switch (debug_mode_) {
    case DebugMode::kOff: return false;
    case DebugMode::kAll: return true;
    case DebugMode::kAddress: return peer.ip == debug_address_;
  }
  return false;
}

void SipServer::DebugRead(const sip::Endpoint& from, std::string_view bytes) {
  if (!Debugging(from)) return;
  log_.Write(LogLevel::kVerbose, __FILE__, __LINE__, "sip_debug",
             fmt::format("\n<--- SIP read from {}:{} --->\n{}\n<------------->",
                         sip::TransportName(from.transport), from.ToString(), bytes));
}

void SipServer::DebugSent(const sip::Endpoint& to, std::string_view bytes) {
  if (!Debugging(to)) return;
  log_.Write(LogLevel::kVerbose, __FILE__, __LINE__, "sip_debug",
             fmt::format("\n<--- Transmitting to {}:{} --->\n{}\n<------------>",
                         sip::TransportName(to.transport), to.ToString(), bytes));
}

void SipServer::LogQualify(const QualifyTransition& t) {
  SIPREG_LOG(log_, kNotice, "sip_poke_peer", "{}", t.Message());
}

void SipServer::OnResponse(const transport::ReceivedMessage& m) {
  auto routed = table_.OnResponse(m.message);
  if (!routed.ok()) {
    // No transaction: a 2xx retransmission the proxy relays, else dropped (§18.1.2).
    proxy_.OnStrayResponse(m.message);
    return;
  }
  bool to_tu = false;
  for (const auto& a : routed->actions) to_tu |= a.kind == txn::ActionKind::kPassToTu;
  const txn::TransactionKey key = routed->key;
  // The TU sees the response before the transaction's own actions run (a 2xx
  // terminates a client INVITE transaction, and with it the proxy's branch).
  const bool proxied = to_tu && proxy_.OnClientResponse(key, m.message);
  Apply(key, routed->actions);
  if (!to_tu || proxied) return;
  // Any answer, even 404 or 405, proves the contact is alive (chan_sip's rule).
  if (auto t = qualify_.OnAnswer(m.message.call_id(), clock_.Now())) LogQualify(*t);
}

void SipServer::OnMessage(transport::ReceivedMessage m) {
  try {
    Dispatch(m);
  } catch (const std::exception& e) {
    OnInternalError(m, e.what());
  }
}

template <typename... Args>
void SipServer::LogInternalError(fmt::format_string<Args...> what, Args&&... args) noexcept {
  ++counters_.internal_errors;
  try {
    SIPREG_LOG(log_, kError, "handle_request_do", "Internal error {}",
               fmt::format(what, std::forward<Args>(args)...));
  } catch (...) {
    // Out of memory again: the counter still says it happened.
  }
}

void SipServer::OnInternalError(const transport::ReceivedMessage& m, std::string_view what) {
  const bool answer = m.message.is_request() && m.message.method() != sip::Method::kAck;
  try {
    LogInternalError("handling {} '{}' from '{}': {}{}",
                     m.message.is_request() ? m.message.method_name() : "response",
                     m.message.call_id(), m.source, what, answer ? " - answered 500" : "");
    if (!answer) return;
    // Whatever the handler left half done, the phone learns the request
    // failed. Through its server transaction when one was made (so that it
    // completes and answers retransmissions), else statelessly.
    auto b = sip::MakeResponse(m.message, 500, "Server Internal Error", "err");
    b.AddHeader("Server", registrar_->options().server_header);
    Result<txn::TransactionKey> key = txn::KeyForRequest(m.message);
    if (key.ok() && table_.Find(*key) != nullptr) {
      Respond(*key, 500, b.Build());
    } else {
      SendToOrigin(OriginOf(m), b.Build());
    }
  } catch (const std::exception&) {
    // Out of memory again: nothing more can be done for this message.
  }
}

void SipServer::Dispatch(transport::ReceivedMessage& m) {
  if (debug_mode_ != DebugMode::kOff) DebugRead(m.source, m.message.raw());
  if (!m.message.is_request()) {
    OnResponse(m);
    return;
  }
  ++counters_.requests;
  if (bans_.IsBlocked(m.source.ip, clock_.Now())) {
    ++counters_.dropped_banned;
    return;
  }
  // No key (no usable Via / CSeq): nothing to match; only a stateless answer
  // (the challenge below) is possible.
  Result<txn::TransactionKey> key = txn::KeyForRequest(m.message);
  if (key.ok()) {
    if (const txn::CompletedResponses::Entry* done = completed_.Find(*key)) {
      // A retransmission after the final response (RFC 3261 §17.2.2): send it
      // again, to where the first one went.
      ++counters_.retransmissions;
      Origin origin;
      origin.destination = done->destination;
      origin.options.local = done->local;
      SendToOrigin(origin, std::string(done->response));
      return;
    }
    auto routed = table_.OnRequest(m.message, *key);
    if (routed.ok()) {  // a retransmission or an ACK: the transaction answers it
      ++counters_.retransmissions;
      Apply(routed->key, routed->actions);
      return;
    }
  }
  if (m.message.method() == sip::Method::kAck) {
    // The ACK of a 2xx travels end to end (RFC 3261 §13.2.2.4): relay it.
    if (proxy_.IsRelayed(m.message)) proxy_.OnAck(m);
    return;
  }
  if (m.message.method() == sip::Method::kRegister &&
      m.message.Find(sip::HeaderId::kAuthorization) == nullptr) {
    HandleUnauthenticatedRegister(m);
    return;
  }
  if (!key.ok()) {
    ++counters_.bad_messages;
    return;
  }
  HandleNewRequest(m, std::move(key).value());
}

SipServer::Origin SipServer::OriginOf(const transport::ReceivedMessage& m) const {
  Origin origin;
  auto via = sip::ParseVia(m.message.top_via());
  auto dest = via.ok() ? transport::ResponseDestination(*via, m.source)
                       : Result<sip::Endpoint>(m.source);
  origin.destination = dest.ok() ? *dest : m.source;
  origin.options.connection = m.conn;
  origin.options.local = m.local;
  origin.started = clock_.Now();
  return origin;
}

void SipServer::HandleNewRequest(const transport::ReceivedMessage& m, txn::TransactionKey key) {
  // An INVITE's 100 Trying comes from its server transaction (after trying_delay,
  // or at once on a retransmission) unless a final answer is quicker.
  auto routed = table_.AddServer(
      m.message, std::move(key), m.source.transport,
      m.message.method() == sip::Method::kInvite
          ? sip::MakeResponse(m.message, 100, "Trying").Build()
          : std::string());
  if (!routed.ok()) {
    ++counters_.bad_messages;
    return;
  }
  key = routed->key;
  Origin origin = OriginOf(m);
  // An INVITE's final answer waits for a human: not a server latency to measure.
  origin.answered = m.message.method() == sip::Method::kInvite;
  origins_[key] = std::move(origin);
  Apply(key, routed->actions);

  switch (m.message.method()) {
    case sip::Method::kRegister: {
      const sip::Endpoint source = m.source;
      const sip::Endpoint local = m.local;
      std::weak_ptr<bool> alive = alive_;
      registrar_->HandleRegister(
          m.message, {m.source, m.conn},
          [this, alive, key, source, local](RegisterOutcome outcome) {
            // May run on the store's commit thread: continue on the io thread.
            if (alive.expired()) return;
            PostOutcome({key, source, local, std::move(outcome)});
          });
      return;
    }
    case sip::Method::kInvite:
      if (proxy_.IsRelayed(m.message)) {
        proxy_.OnInDialog(m, key);
      } else {
        proxy_.OnInvite(m, key);
      }
      return;
    case sip::Method::kCancel: proxy_.OnCancel(m, key); return;
    case sip::Method::kOptions: {
      if (proxy_.IsRelayed(m.message)) {
        proxy_.OnInDialog(m, key);
        return;
      }
      auto b = sip::MakeResponse(m.message, 200, "OK", "opt");
      b.AddHeader("Allow", kAllow);
      b.AddHeader("Accept", "application/sdp");
      b.AddHeader("Supported", "path, outbound");
      b.AddHeader("Server", registrar_->options().server_header);
      Respond(key, 200, b.Build());
      return;
    }
    default: {
      if (proxy_.IsRelayed(m.message)) {
        proxy_.OnInDialog(m, key);
        return;
      }
      auto b = sip::MakeResponse(m.message, 405, "Method Not Allowed", "na");
      b.AddHeader("Allow", kAllow);
      Respond(key, 405, b.Build());
      return;
    }
  }
}

void SipServer::OnRegisterOutcome(const txn::TransactionKey& key, const sip::Endpoint& source,
                                  const sip::Endpoint& local, RegisterOutcome outcome) {
  try {
    // Logs, security events, counters and qualify: the phone is answered even
    // if they fail (the binding is already durable).
    RecordRegisterOutcome(source, local, outcome);
  } catch (const std::exception& e) {
    LogInternalError("recording a REGISTER from '{}': {}", source, e.what());
  }
  const int status = StatusOf(outcome.response);
  if (status != 0) Respond(key, status, std::move(outcome.response));
}

void SipServer::HandleUnauthenticatedRegister(const transport::ReceivedMessage& m) {
  // RFC 3261 §8.2.7: a stateless UAS is what unauthenticated challenges are
  // for. Without credentials the registrar answers before touching the store
  // (401, or 400/404/420/403 for a bad request), synchronously; a retransmission
  // simply gets a fresh challenge. Half the transactions of a registration and
  // all of their timers and memory are saved.
  Origin origin = OriginOf(m);
  std::optional<RegisterOutcome> outcome;
  registrar_->HandleRegister(m.message, {m.source, m.conn},
                             [&outcome](RegisterOutcome o) { outcome = std::move(o); });
  if (!outcome) {  // cannot happen (see above): never leave a request unanswered silently
    SIPREG_LOG(log_, kError, "handle_register", "REGISTER from {} without credentials was not "
               "answered at once", m.source.ToString());
    return;
  }
  RecordRegisterOutcome(m.source, m.local, *outcome);
  if (StatusOf(outcome->response) == 0) return;
  SendStateless(origin.destination, std::move(outcome->response), std::move(origin.options));
  counters_.request_duration.Observe(clock_.Now() - origin.started);
}

void SipServer::RecordRegisterOutcome(const sip::Endpoint& source, const sip::Endpoint& local,
                                      const RegisterOutcome& outcome) {
  const RegError e = outcome.error;
  const RegErrorInfo info = Describe(e);
  ++counters_.outcomes[static_cast<size_t>(e)];
  if (e != RegError::kOk && !info.log_reason.empty()) {
    SIPREG_LOG(log_, kNotice, "handle_register", "Registration from '{}' failed for '{}' - {}",
               outcome.to_header, source.ToString(), info.log_reason);
  }
  if (security_ != nullptr && !info.security_event.empty()) {
    security_->Write({info.security_event, outcome.account, outcome.call_id, local, source},
                    clock_.WallNow());
  }
  if (info.counts_as_auth_failure && bans_.RecordFailure(source.ip, clock_.Now())) {
    SIPREG_LOG(log_, kNotice, "handle_register", "Registration from '{}' failed for '{}' - {}",
               outcome.to_header, source.ToString(), Describe(RegError::kBlocked).log_reason);
    if (security_ != nullptr) {
      security_->Write({"AddressBlocked", outcome.account, outcome.call_id, local, source},
                      clock_.WallNow());
    }
  }
  if (e == RegError::kOk) {
    for (const auto& b : outcome.added) {
      SIPREG_LOG(log_, kVerbose, "parse_register_contact", "Registered SIP '{}' at {}",
                 outcome.account, b.received.ToString());
    }
    for (size_t i = 0; i < outcome.removed.size(); ++i) {
      SIPREG_LOG(log_, kVerbose, "parse_register_contact", "Unregistered SIP '{}'",
                 outcome.account);
    }
    OnBindingsRemoved(outcome.removed);
    // Only accounts with qualify on have their bindings (re)tracked.
    const Account* a = outcome.bindings.empty()
                           ? nullptr
                           : registrar_->accounts().Find(outcome.bindings.front().aor);
    if (a != nullptr && a->qualify) {
      for (const auto& b : outcome.bindings) QualifyBinding(*a, b, local);
    }
  }
}

void SipServer::Respond(const txn::TransactionKey& key, int status, std::string bytes) {
  if (status >= 200) {
    auto it = origins_.find(key);
    if (it != origins_.end() && !it->second.answered) {
      it->second.answered = true;
      counters_.request_duration.Observe(clock_.Now() - it->second.started);
    }
  }
  if (status >= 200 && status <= 699 && CompleteOverUdp(key, bytes)) return;
  auto actions = table_.Dispatch(key, txn::Event::TuResponse(status, std::move(bytes)));
  if (actions.ok()) Apply(key, *actions);
}

bool SipServer::CompleteOverUdp(const txn::TransactionKey& key, std::string& bytes) {
  if (key.side != txn::TransactionSide::kServer) return false;
  txn::Transaction* t = table_.Find(key);
  if (t == nullptr || t->kind() != txn::TransactionKind::kServerNonInvite || t->reliable() ||
      t->state() == txn::TransactionState::kCompleted) {
    return false;
  }
  auto it = origins_.find(key);
  if (it == origins_.end() || !it->second.options.local) return false;
  completed_.Add(key, {bytes, it->second.destination, *it->second.options.local}, clock_.Now());
  SendToOrigin(it->second, std::move(bytes));
  origins_.erase(it);
  table_.Remove(key);
  return true;
}

void SipServer::SendToOrigin(const Origin& origin, std::string bytes) {
  Transmit(origin.destination, std::move(bytes), origin.options, "send_response");
}

bool SipServer::Transmit(const sip::Endpoint& dest, std::string bytes,
                         transport::SendOptions options, const char* log_function) {
  if (debug_mode_ != DebugMode::kOff) DebugSent(dest, bytes);
  try {
    auto sent = transport_.Send(dest, std::move(bytes), std::move(options));
    if (!sent.ok()) {
      LogSendFailure(log_function, dest, sent.status());
      return false;
    }
  } catch (const std::exception& e) {
    // Lost like a dropped datagram: a transaction's own retransmissions and
    // timeouts take it from here, with every action after this send applied.
    LogInternalError("sending to '{}': {}", dest, e.what());
  }
  return true;
}

void SipServer::SendForTransaction(const txn::TransactionKey& key, Origin& origin,
                                   std::string bytes) {
  // Only the first request of a client transaction ends it when it cannot be
  // sent: the peer never saw it, so the caller (the proxy's 503, a ping's own
  // timeout) is better off knowing now than after Timer B/F. A failed
  // retransmission is not: an earlier copy may have arrived and the answer be
  // on its way (a late 200 would then meet no transaction). Nor is a server
  // transaction's response: ended on a failed 100 Trying, it would stop
  // absorbing the caller's retransmissions, each a new call; its own timers
  // end it as before. Those failures are logged, as every failed send is.
  const bool report = key.side == txn::TransactionSide::kClient && !origin.sent;
  origin.sent = true;
  const char* function =
      key.side == txn::TransactionSide::kClient ? "send_request" : "send_response";
  transport::SendOptions options = origin.options;
  std::weak_ptr<bool> alive;
  if (report) {
    alive = alive_;
    // Reported from a posted handler, never inside Send(). Client keys carry a
    // fresh random branch, so a late report cannot reach another transaction.
    options.on_failure = [this, alive, key, function](const transport::SendFailure& f) {
      if (alive.expired()) return;
      LogSendFailure(function, f.destination, f.status);
      OnTransportError(key);
    };
  }
  if (!Transmit(origin.destination, std::move(bytes), std::move(options), function) && report) {
    // Not from inside Apply, which is sending this: the transaction takes the
    // error as its next event.
    asio::post(io_, [this, alive, key] {
      if (!alive.expired()) OnTransportError(key);
    });
  }
}

void SipServer::LogSendFailure(const char* function, const sip::Endpoint& dest, const Status& why) {
  SIPREG_LOG(log_, kWarning, function, "Cannot send to {}: {}", dest.ToString(), why.message());
}

void SipServer::OnTransportError(const txn::TransactionKey& key) {
  if (origins_.find(key) == origins_.end()) return;  // already over
  try {
    auto actions = table_.Dispatch(key, txn::Event::TransportError());
    if (actions.ok()) Apply(key, *actions);
  } catch (const std::exception& e) {
    DropTransaction(key);
    LogInternalError("handling a transport error of '{}': {} - transaction dropped",
                     key.branch.empty() ? key.call_id : key.branch, e.what());
  }
}

Status SipServer::StartClient(const txn::TransactionKey& key, std::string request, bool invite,
                              const sip::Endpoint& dest, transport::SendOptions options) {
  std::unique_ptr<txn::Transaction> t;
  if (invite) {
    t = std::make_unique<txn::ClientInviteTransaction>(std::move(request), dest.transport,
                                                       txn::BuildAckForNon2xx, table_.timers());
  } else {
    t = std::make_unique<txn::ClientNonInviteTransaction>(std::move(request), dest.transport,
                                                          table_.timers());
  }
  Origin origin;
  origin.destination = dest;
  origin.options = std::move(options);
  origin.answered = true;
  origins_[key] = std::move(origin);
  auto started = table_.Add(key, std::move(t));
  if (!started.ok()) {
    origins_.erase(key);
    return started.status();
  }
  Apply(key, *started);
  return Status::Ok();
}

void SipServer::SendStateless(const sip::Endpoint& dest, std::string bytes,
                              transport::SendOptions options) {
  Transmit(dest, std::move(bytes), std::move(options), "send_stateless");
}

std::optional<sip::Endpoint> SipServer::LocalEndpoint(sip::TransportKind kind) const {
  return transport_.LocalEndpoint(kind);
}

void SipServer::OnCallAuthFailure(RegError e, const std::string& account,
                                  const transport::ReceivedMessage& m) {
  const RegErrorInfo info = Describe(e);
  if (!info.counts_as_auth_failure) return;
  // fail2ban's asterisk filter knows this shape ("<HOST> failed to authenticate").
  SIPREG_LOG(log_, kNotice, "check_user_full", "Host {} failed to authenticate as '{}' ({} {})",
             m.source.ip, account, m.message.method_name(), info.log_reason);
  if (security_ != nullptr && !info.security_event.empty()) {
    security_->Write({info.security_event, account, std::string(m.message.call_id()), m.local,
                      m.source},
                     clock_.WallNow());
  }
  if (bans_.RecordFailure(m.source.ip, clock_.Now())) {
    SIPREG_LOG(log_, kNotice, "check_user_full", "Host {} failed to authenticate as '{}' ({})",
               m.source.ip, account, Describe(RegError::kBlocked).log_reason);
  }
}

void SipServer::PostOutcome(Completion c) {
  bool first = false;
  {
    std::lock_guard<std::mutex> lock(completions_mu_);
    first = completions_.empty();
    completions_.push_back(std::move(c));
  }
  if (!first) return;  // a drain is already on its way
  // On the store's writer thread the post waits for the end of the commit's
  // callbacks: the io thread then drains the whole commit at one wake-up.
  // The deferred step names the io_context, not this: it may run after the
  // store's Flush() returned and the server is gone; only the posted handler,
  // guarded by `alive`, touches the server.
  std::weak_ptr<bool> alive = alive_;
  CallbackBatch::Defer([&io = io_, this, alive] {
    asio::post(io, [this, alive] {
      if (!alive.expired()) DrainOutcomes();
    });
  });
}

void SipServer::DrainOutcomes() {
  std::vector<Completion> batch;
  {
    std::lock_guard<std::mutex> lock(completions_mu_);
    batch.swap(completions_);
  }
  // One group commit's 200 OKs: handed to the kernel together.
  transport_.HoldSends();
  for (auto& c : batch) {
    try {
      OnRegisterOutcome(c.key, c.source, c.local, std::move(c.outcome));
    } catch (const std::exception& e) {
      LogInternalError("answering a REGISTER from '{}': {}", c.source, e.what());
    }
  }
  transport_.ReleaseSends();
}

void SipServer::Apply(const txn::TransactionKey& key, const txn::Actions& actions) {
  for (const auto& a : actions) {
    switch (a.kind) {
      case txn::ActionKind::kSend: {
        auto it = origins_.find(key);
        if (it != origins_.end()) SendForTransaction(key, it->second, a.bytes);
        break;
      }
      case txn::ActionKind::kStartTimer: {
        auto it = origins_.find(key);
        if (it == origins_.end()) break;
        const uint64_t gen = next_generation_++;
        it->second.timer_gen[static_cast<size_t>(a.timer)] = gen;
        deadlines_.push({clock_.Now() + a.duration, gen, key, a.timer});
        break;
      }
      case txn::ActionKind::kCancelTimer:
        if (auto it = origins_.find(key); it != origins_.end()) {
          it->second.timer_gen[static_cast<size_t>(a.timer)] = 0;
        }
        break;
      case txn::ActionKind::kTerminated:
        origins_.erase(key);  // and with it the transaction's timers
        if (key.side == txn::TransactionSide::kClient) proxy_.OnClientTerminated(key);
        break;
      case txn::ActionKind::kTimeoutToTu:
      case txn::ActionKind::kTransportErrorToTu:
        // A relayed request got no answer: the proxy answers upstream (408/503).
        if (key.side == txn::TransactionSide::kClient) {
          proxy_.OnClientFailed(key, a.kind == txn::ActionKind::kTimeoutToTu ? 408 : 503);
        }
        break;
      case txn::ActionKind::kPassToTu:
        break;  // requests: HandleNewRequest; responses: OnResponse
    }
  }
}

void SipServer::Tick() {
  // Re-armed first: if something below throws, the ticks (transaction timers,
  // qualify) go on after main's loop has logged it.
  std::weak_ptr<bool> alive = alive_;
  tick_.expires_after(kTickInterval);
  tick_.async_wait([this, alive](const asio::error_code& ec) {
    if (ec || alive.expired()) return;
    Tick();
  });
  const SteadyTime now = clock_.Now();
  if (now >= next_qualify_) {
    next_qualify_ = now + kQualifyInterval;
    SendQualifyPings(now);
  }
  proxy_.Tick(now);
  completed_.Expire(now);
  while (!deadlines_.empty() && deadlines_.top().at <= now) {
    Deadline d = deadlines_.top();
    deadlines_.pop();
    try {
      FireDeadline(d);
    } catch (const std::exception& e) {
      // The deadline is already off the queue: left alone, the transaction
      // would never time out. It is dropped instead (its peer retransmits or
      // gives up, as after a lost datagram) and the other deadlines still fire.
      DropTransaction(d.key);
      LogInternalError("firing timer {} of the {} {} transaction '{}': {} - transaction dropped",
                       txn::TimerName(d.timer),
                       d.key.side == txn::TransactionSide::kClient ? "client" : "server",
                       d.key.method, d.key.branch.empty() ? d.key.call_id : d.key.branch, e.what());
    }
  }
}

void SipServer::FireDeadline(const Deadline& d) {
  auto it = origins_.find(d.key);
  if (it == origins_.end()) return;  // the transaction is gone
  uint64_t& gen = it->second.timer_gen[static_cast<size_t>(d.timer)];
  if (gen != d.generation) return;  // cancelled or restarted
  gen = 0;
  auto actions = table_.Dispatch(d.key, txn::Event::TimerFired(d.timer));
  if (actions.ok()) Apply(d.key, *actions);
}

void SipServer::DropTransaction(const txn::TransactionKey& key) noexcept {
  origins_.erase(key);
  table_.Remove(key);
  if (key.side != txn::TransactionSide::kClient) return;
  // A relayed request's branch: the proxy answers upstream as if it had timed
  // out unanswered (503), then forgets the branch.
  try {
    proxy_.OnClientFailed(key, 503);
    proxy_.OnClientTerminated(key);
  } catch (const std::exception& e) {
    LogInternalError("ending a relayed request: {}", e.what());
  }
}

}  // namespace sipreg::registrar
