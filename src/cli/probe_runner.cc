#include "cli/probe_runner.h"

#include <array>
#include <charconv>
#include <memory>
#include <optional>

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ip/udp.hpp>
#include <asio/steady_timer.hpp>
#include <fmt/format.h>

#include "cli/registration_probe.h"
#include "common/clock.h"
#include "common/random.h"
#include "sip/cseq.h"
#include "transaction/client_non_invite_transaction.h"
#include "transport/asio_transport.h"
#include "transport/ip_address.h"

namespace sipreg::cli {
namespace {

uint16_t DefaultPort(sip::TransportKind t) { return t == sip::TransportKind::kTls ? 5061 : 5060; }

std::string_view TransportLower(sip::TransportKind t) {
  switch (t) {
    case sip::TransportKind::kUdp: return "udp";
    case sip::TransportKind::kTcp: return "tcp";
    case sip::TransportKind::kTls: return "tls";
  }
  return "udp";
}

bool IsIpv6Literal(std::string_view host) { return host.find(':') != std::string_view::npos; }

ProbeReport LocalError(const ProbeOptions& o, std::string what) {
  ProbeReport r;
  r.verdict = Verdict::kLocalError;
  r.server = o.server;
  r.aor = fmt::format("sip:{}@{}", o.user, o.domain.empty() ? o.server : o.domain);
  r.summary = std::move(what);
  return r;
}

// Resolves a host name or literal to one address (the first the resolver gives).
Result<std::string> Resolve(asio::io_context& io, const std::string& host) {
  asio::error_code ec;
  auto addr = asio::ip::make_address(host, ec);
  if (!ec) return addr.to_string();
  asio::ip::udp::resolver resolver(io);
  auto results = resolver.resolve(host, "", ec);
  if (ec || results.empty()) {
    return Status::NotFound(fmt::format("cannot resolve server name '{}': {}", host,
                                        ec ? ec.message() : "no address"));
  }
  return results.begin()->endpoint().address().to_string();
}

// Drives one RegistrationProbe over real sockets. Everything runs on `io_`'s
// thread (RunProbe's caller); nothing here is shared across threads.
class ProbeSession {
 public:
  // `tls_name`: the server's host name for SNI and certificate checks (empty for IP literals).
  ProbeSession(asio::io_context& io, const ProbeOptions& opts, sip::Endpoint dest,
               std::string tls_name, std::string domain, std::string server_label)
      : io_(io),
        opts_(opts),
        dest_(std::move(dest)),
        tls_name_(std::move(tls_name)),
        domain_(std::move(domain)),
        server_label_(std::move(server_label)),
        deadline_(io) {
    for (auto& t : timers_) t = std::make_unique<asio::steady_timer>(io);
    transport::TransportOptions topts;
    topts.tls_client.verify_peer = !opts.tls_insecure;
    topts.connect_timeout = std::chrono::milliseconds(
        static_cast<long long>(opts.timeout_seconds * 1000.0));
    transport_ = std::make_unique<transport::AsioTransport>(io_, std::move(topts));
    transport_->SetMessageHandler([this](transport::ReceivedMessage m) { OnMessage(m); });
  }

  ProbeReport Run() {
    started_ = clock_.Now();
    deadline_.expires_after(std::chrono::milliseconds(
        static_cast<long long>(opts_.timeout_seconds * 1000.0)));
    deadline_.async_wait([this](const asio::error_code& ec) {
      if (ec || !probe_) return;
      probe_->OnNoReply(Elapsed(), transmissions_);
      Stop();
    });
    if (dest_.transport == sip::TransportKind::kUdp) {
      if (auto st = StartUdp(); !st.ok()) return Failed(st);
    } else {
      if (auto st = StartStream(); !st.ok()) return Failed(st);
    }
    io_.run();
    if (probe_ && probe_->done()) return probe_->report();
    return LocalError(opts_, "the probe ended without a verdict");
  }

 private:
  Status StartUdp() {
    std::string ip = opts_.bind_ip;
    if (ip.empty()) {
      auto routed = transport::RouteSourceIp(io_, dest_.ip, dest_.port);
      if (!routed.ok()) return routed.status();
      ip = *routed;
    }
    auto local = transport_->Listen(sip::TransportKind::kUdp, ip, 0);
    if (!local.ok()) return local.status();
    Begin(*local);
    return Status::Ok();
  }

  Status StartStream() {
    auto id = transport_->Connect(
        dest_, [this](const Result<transport::ConnectionInfo>& info) {
          if (!info.ok()) {
            // Connection could not be made: the probe never sent anything.
            Begin(sip::Endpoint{dest_.transport, opts_.bind_ip.empty() ? "0.0.0.0" : opts_.bind_ip,
                                0});
            ReportTransportError(info.status());
            return;
          }
          conn_ = info->id;
          Begin(info->local);
        },
        tls_name_);
    if (!id.ok()) return id.status();
    return Status::Ok();
  }

  void Begin(const sip::Endpoint& local) {
    ProbeConfig cfg;
    cfg.user = opts_.user;
    cfg.auth_id = opts_.auth_id;
    cfg.password = opts_.password;
    cfg.domain = domain_;
    cfg.server = server_label_;
    cfg.via_outbound_proxy = !opts_.outbound_proxy.empty();
    cfg.expires = opts_.expires;
    cfg.unregister = opts_.unregister;
    cfg.local = local;
    probe_ = std::make_unique<RegistrationProbe>(std::move(cfg), clock_, random_);
    if (local.port == 0) return;  // stream connect failed; the caller reports it
    auto next = probe_->Start();
    StartTransaction(std::move(next.request));
  }

  void StartTransaction(std::string request) {
    CancelAllTimers();
    current_cseq_.clear();
    current_call_id_.clear();
    // Remember which response belongs to this request (Call-ID + CSeq).
    if (auto parsed = sip::Parse(request); parsed.ok()) {
      current_call_id_ = std::string(parsed->call_id());
      current_cseq_ = std::string(parsed->cseq());
    }
    txn_ = std::make_unique<txn::ClientNonInviteTransaction>(std::move(request), dest_.transport);
    Apply(txn_->Start());
  }

  void OnMessage(const transport::ReceivedMessage& m) {
    if (!txn_ || !m.message.is_response()) return;
    if (m.message.call_id() != current_call_id_ || m.message.cseq() != current_cseq_) return;
    latest_response_ = &m.message;
    Apply(txn_->OnResponse(m.message.status_code(), std::string(m.message.raw())));
    latest_response_ = nullptr;
  }

  void Apply(const txn::Actions& actions) {
    for (const auto& a : actions) {
      if (!probe_ || probe_->done()) return;
      switch (a.kind) {
        case txn::ActionKind::kSend: Send(a.bytes); break;
        case txn::ActionKind::kStartTimer: StartTimer(a.timer, a.duration); break;
        case txn::ActionKind::kCancelTimer: timers_[Index(a.timer)]->cancel(); break;
        case txn::ActionKind::kPassToTu: PassToTu(a); return;
        case txn::ActionKind::kTimeoutToTu:
          probe_->OnNoReply(Elapsed(), transmissions_);
          Stop();
          return;
        case txn::ActionKind::kTransportErrorToTu:
          ReportTransportError(last_send_error_);
          return;
        case txn::ActionKind::kTerminated: break;
      }
    }
  }

  void PassToTu(const txn::Action& a) {
    if (latest_response_ == nullptr) return;
    if (a.status_code < 200) {
      probe_->OnProvisional(*latest_response_);
      return;
    }
    auto next = probe_->OnFinalResponse(*latest_response_);
    if (next.done) {
      Stop();
      return;
    }
    StartTransaction(std::move(next.request));
  }

  void Send(const std::string& bytes) {
    ++transmissions_;
    transport::SendOptions so;
    so.connection = conn_;
    so.tls_server_name = tls_name_;
    so.on_failure = [this](const transport::SendFailure& f) {
      last_send_error_ = f.status;
      if (txn_) Apply(txn_->OnTransportError());
    };
    auto r = transport_->Send(dest_, bytes, std::move(so));
    if (!r.ok()) {
      last_send_error_ = r.status();
      if (txn_) Apply(txn_->OnTransportError());
    }
  }

  void StartTimer(txn::TimerId id, Millis d) {
    auto& t = timers_[Index(id)];
    t->expires_after(d);
    t->async_wait([this, id](const asio::error_code& ec) {
      if (ec || !txn_) return;
      Apply(txn_->OnTimer(id));
    });
  }

  void ReportTransportError(const Status& st) {
    const std::string& msg = st.message();
    const bool refused = msg.find("refused") != std::string::npos;
    const bool tls = msg.find("TLS") != std::string::npos;
    probe_->OnTransportError(msg, refused, tls);
    Stop();
  }

  ProbeReport Failed(const Status& st) {
    ProbeReport r = LocalError(opts_, st.message());
    r.verdict = st.code() == StatusCode::kUnavailable ? Verdict::kNoReply : Verdict::kLocalError;
    return r;
  }

  void CancelAllTimers() {
    for (auto& t : timers_) t->cancel();
  }

  void Stop() {
    CancelAllTimers();
    deadline_.cancel();
    io_.stop();
  }

  Millis Elapsed() const {
    return std::chrono::duration_cast<Millis>(clock_.Now() - started_);
  }
  static size_t Index(txn::TimerId id) { return static_cast<size_t>(id); }

  asio::io_context& io_;
  const ProbeOptions& opts_;
  sip::Endpoint dest_;
  std::string tls_name_;
  std::string domain_;
  std::string server_label_;
  SystemClock clock_;
  OpenSslRandom random_;
  SteadyTime started_;
  asio::steady_timer deadline_;
  std::array<std::unique_ptr<asio::steady_timer>, txn::kTimerIdCount> timers_;
  std::unique_ptr<transport::AsioTransport> transport_;
  std::unique_ptr<RegistrationProbe> probe_;
  std::unique_ptr<txn::ClientNonInviteTransaction> txn_;
  std::string current_call_id_;
  std::string current_cseq_;
  const sip::Message* latest_response_ = nullptr;
  transport::ConnectionId conn_ = 0;
  Status last_send_error_;
  int transmissions_ = 0;
};

}  // namespace

Result<HostPort> SplitHostPort(std::string_view text) {
  HostPort hp;
  std::string_view rest;
  if (text.empty()) return Status::InvalidArgument("empty address");
  if (text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return Status::InvalidArgument("missing ']' in " + std::string(text));
    hp.host = std::string(text.substr(1, close - 1));
    rest = text.substr(close + 1);
    if (!rest.empty() && rest.front() != ':') {
      return Status::InvalidArgument("unexpected text after ']' in " + std::string(text));
    }
  } else {
    auto colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
      hp.host = std::string(text);  // bare IPv6 literal without port
      return hp;
    }
    hp.host = std::string(text.substr(0, colon));
    if (colon != std::string_view::npos) rest = text.substr(colon);
  }
  if (hp.host.empty()) return Status::InvalidArgument("missing host in " + std::string(text));
  if (!rest.empty()) {
    auto digits = rest.substr(1);
    unsigned port = 0;
    auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (digits.empty() || ec != std::errc() || p != digits.data() + digits.size() || port == 0 ||
        port > 65535) {
      return Status::InvalidArgument("bad port in " + std::string(text));
    }
    hp.port = static_cast<uint16_t>(port);
  }
  return hp;
}

ProbeReport RunProbe(const ProbeOptions& opts) {
  if (opts.user.empty()) return LocalError(opts, "--user must not be empty");
  auto server = SplitHostPort(opts.server);
  if (!server.ok()) return LocalError(opts, "--server: " + server.status().message());
  HostPort target = *server;
  if (!opts.outbound_proxy.empty()) {
    auto proxy = SplitHostPort(opts.outbound_proxy);
    if (!proxy.ok()) return LocalError(opts, "--outbound-proxy: " + proxy.status().message());
    target = *proxy;
  }
  const uint16_t port = target.port ? target.port : DefaultPort(opts.transport);

  // The SIP domain: as given, else the server as written (with its port if not the default).
  std::string domain = opts.domain;
  if (domain.empty()) {
    domain = IsIpv6Literal(server->host) ? "[" + server->host + "]" : server->host;
    if (server->port && server->port != DefaultPort(opts.transport)) {
      domain += fmt::format(":{}", server->port);
    }
  }

  asio::io_context io;
  auto ip = Resolve(io, target.host);
  if (!ip.ok()) return LocalError(opts, ip.status().message());
  sip::Endpoint dest{opts.transport, *ip, port};
  std::string label = fmt::format("{}:{}", TransportLower(opts.transport), dest.ToString());
  if (!opts.outbound_proxy.empty()) label += " (outbound proxy)";
  asio::error_code literal_ec;
  asio::ip::make_address(target.host, literal_ec);
  std::string tls_name = literal_ec ? target.host : std::string();
  ProbeSession session(io, opts, std::move(dest), std::move(tls_name), std::move(domain),
                       std::move(label));
  return session.Run();
}

}  // namespace sipreg::cli
