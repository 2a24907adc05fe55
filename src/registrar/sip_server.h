// SipServer: sipregd's SIP front end on one event loop. Takes requests from the
// Transport, keeps RFC 3261 server transactions (retransmissions answered from
// the transaction, never processed twice), drops traffic from banned addresses,
// hands REGISTERs to the Registrar, answers OPTIONS, and turns each registration
// outcome into the admin's log lines, security events and ban bookkeeping. It
// also qualifies contacts: OPTIONS pings in client transactions, as the
// QualifyMonitor asks, with the answers and status changes fed back to it.
//
// Thread affinity: everything runs on the io_context thread given to the
// constructor, except the Registrar's completion callbacks (they may come from
// the binding store's commit thread) which are posted back to it.
#pragma once

#include <fmt/format.h>

#include <array>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "registrar/asterisk_log.h"
#include "registrar/ban_list.h"
#include "registrar/binding.h"
#include "registrar/latency_histogram.h"
#include "registrar/proxy.h"
#include "registrar/qualify.h"
#include "registrar/reg_error.h"
#include "registrar/registrar.h"
#include "registrar/security_log.h"
#include "transaction/completed_responses.h"
#include "transaction/transaction_table.h"
#include "transport/transport.h"

namespace sipreg::registrar {

// Counters for /metrics and `sipreg` status; updated on the io thread, read anywhere.
struct ServerCounters {
  std::array<std::atomic<uint64_t>, static_cast<size_t>(RegError::kStoreFailed) + 1> outcomes{};
  std::atomic<uint64_t> requests{0};
  std::atomic<uint64_t> retransmissions{0};
  std::atomic<uint64_t> dropped_banned{0};
  std::atomic<uint64_t> bad_messages{0};
  std::atomic<uint64_t> internal_errors{0};  // a handler threw: logged, answered 500
  std::atomic<uint64_t> qualify_pings{0};
  LatencyHistogram request_duration;  // new request -> final response
};

class SipServer final : private ProxyHost {
 public:
  // Every reference must outlive the server. `security` may be null. `store` is
  // the registrar's: bindings tied to a TCP/TLS connection leave it when it closes.
  // `qualify` watches the contacts of accounts with qualify on.
  SipServer(asio::io_context& io, transport::Transport& transport, Registrar& registrar,
            BindingStore& store, BanList& bans, AsteriskLog& log, SecurityLog* security,
            QualifyMonitor& qualify, const Clock& clock, Random& random,
            txn::TimerConfig timers = {});
  ~SipServer();

  // Installs the transport handlers and starts the transaction timer tick.
  void Start();
  // Swaps the registrar (config reload); on the io thread only.
  void SetRegistrar(Registrar& registrar) {
    registrar_ = &registrar;
    proxy_.SetRegistrar(registrar);
  }
  // Starts qualifying the bindings already in the store (loaded at start-up).
  void QualifyStoredBindings();
  // After a reload: stops pinging contacts whose account lost qualify (or is
  // gone) and (re)tracks every stored binding with the accounts' new settings.
  void Requalify();
  // Bindings that left the store outside a REGISTER (expiry sweep): stop pinging them.
  void OnBindingsRemoved(const std::vector<Binding>& removed);

  const QualifyMonitor& qualify() const { return qualify_; }
  const Proxy& proxy() const { return proxy_; }

  // `sip set debug on|off|ip ADDR`: print every SIP message received and sent
  // (only those from/to ADDR when set) to the log, in chan_sip's frames:
  //   <--- SIP read from UDP:127.0.0.1:5062 --->   ...   <------------->
  //   <--- Transmitting to UDP:127.0.0.1:5062 --->  ...   <------------>
  enum class DebugMode : uint8_t { kOff, kAll, kAddress };
  void SetDebug(DebugMode mode, std::string address = {}) {
    debug_mode_ = mode;
    debug_address_ = std::move(address);
  }
  DebugMode debug_mode() const { return debug_mode_; }
  const std::string& debug_address() const { return debug_address_; }

  const ServerCounters& counters() const { return counters_; }
  // Live transactions, including UDP non-INVITE ones kept as their response.
  size_t transaction_count() const { return table_.size() + completed_.size(); }

 private:
  struct Origin {  // where a server transaction's responses go
    sip::Endpoint destination;
    transport::SendOptions options;
    SteadyTime started{};  // server transactions: when the request arrived
    bool answered = false;  // a final response was timed
    bool sent = false;      // the transaction's first message went out (see SendForTransaction)
    // The generation of each running timer (0: not running); a deadline whose
    // generation no longer matches was cancelled or restarted.
    std::array<uint64_t, txn::kTimerIdCount> timer_gen{};
  };
  // A REGISTER outcome waiting for the io thread (see PostOutcome).
  struct Completion {
    txn::TransactionKey key;
    sip::Endpoint source, local;
    RegisterOutcome outcome;
  };
  struct Deadline {
    SteadyTime at;
    uint64_t generation;
    txn::TransactionKey key;
    txn::TimerId timer;
    bool operator>(const Deadline& o) const { return at > o.at; }
  };

  // Every message from the transport comes here; an exception while handling
  // one (a bug, or memory running out) is logged, counted and answered with a
  // 500 instead of ending the process.
  void OnMessage(transport::ReceivedMessage m);
  void Dispatch(transport::ReceivedMessage& m);
  void OnInternalError(const transport::ReceivedMessage& m, std::string_view what);
  // Counts and logs `Internal error WHAT` (an ERROR line), WHAT formatted from
  // `what` and `args` inside: never throws, so a catch block that calls it goes
  // on to its next step even when memory is short.
  template <typename... Args>
  void LogInternalError(fmt::format_string<Args...> what, Args&&... args) noexcept;
  void OnResponse(const transport::ReceivedMessage& m);
  // Tracks `b` of account `a` (which has qualify on).
  void QualifyBinding(const Account& a, const Binding& b, const sip::Endpoint& local);
  // Where a request's responses go (RFC 3261 §18.2.2, RFC 3581) and when it arrived.
  Origin OriginOf(const transport::ReceivedMessage& m) const;
  void SendQualifyPings(SteadyTime now);
  void LogQualify(const QualifyTransition& t);
  bool Debugging(const sip::Endpoint& peer) const;
  void DebugRead(const sip::Endpoint& from, std::string_view bytes);
  void DebugSent(const sip::Endpoint& to, std::string_view bytes);
  void OnBadMessage(const transport::BadMessage& bad);
  void OnConnectionClosed(const transport::ConnectionInfo& info);
  void HandleNewRequest(const transport::ReceivedMessage& m, txn::TransactionKey key);
  // Sends `bytes` where `origin` says (printing them under `sip set debug`).
  void SendToOrigin(const Origin& origin, std::string bytes);
  // A transaction's own message (Apply's kSend). When the first request of a
  // client transaction cannot be sent, at once or later, that is a transport
  // error for the transaction (RFC 3261 §17.1.4); see the .cc for what is not.
  void SendForTransaction(const txn::TransactionKey& key, Origin& origin, std::string bytes);
  // Feeds a transport error to the transaction, if it still exists.
  void OnTransportError(const txn::TransactionKey& key);
  // The WARNING line of every send that failed, at once or later.
  void LogSendFailure(const char* function, const sip::Endpoint& dest, const Status& why);
  // A final response of a non-INVITE server transaction on UDP: sent, then the
  // transaction is replaced by its entry in completed_ (RFC 3261 §17.2.2).
  bool CompleteOverUdp(const txn::TransactionKey& key, std::string& bytes);
  // ProxyHost (also used for the registrar's own answers).
  void Respond(const txn::TransactionKey& key, int status, std::string bytes) override;
  Status StartClient(const txn::TransactionKey& key, std::string request, bool invite,
                     const sip::Endpoint& dest, transport::SendOptions options) override;
  void SendStateless(const sip::Endpoint& dest, std::string bytes,
                     transport::SendOptions options) override;
  std::optional<sip::Endpoint> LocalEndpoint(sip::TransportKind kind) const override;
  void OnCallAuthFailure(RegError e, const std::string& account,
                         const transport::ReceivedMessage& m);
  void Apply(const txn::TransactionKey& key, const txn::Actions& actions);
  void OnRegisterOutcome(const txn::TransactionKey& key, const sip::Endpoint& source,
                         const sip::Endpoint& local, RegisterOutcome outcome);
  // A REGISTER without Authorization: challenged statelessly (RFC 3261 §8.2.7).
  void HandleUnauthenticatedRegister(const transport::ReceivedMessage& m);
  // Counters, logs, security events, bans and qualify for one REGISTER's outcome.
  void RecordRegisterOutcome(const sip::Endpoint& source, const sip::Endpoint& local,
                             const RegisterOutcome& outcome);
  void Tick();
  // Hands `bytes` to the transport (printing them under `sip set debug`).
  // False when the transport refused them at once (logged); a send that
  // throws counts as sent and lost, like a dropped datagram.
  bool Transmit(const sip::Endpoint& dest, std::string bytes, transport::SendOptions options,
                const char* log_function);
  // One due transaction timer, unless it was cancelled or restarted since.
  void FireDeadline(const Deadline& d);
  // Forgets a transaction whose handling failed half way (and, for a relayed
  // request, tells the proxy it ended).
  void DropTransaction(const txn::TransactionKey& key) noexcept;
  // Called from the store's commit thread (or inline): queues the outcome and
  // wakes the io thread once per batch rather than once per registration.
  void PostOutcome(Completion c);
  void DrainOutcomes();

  asio::io_context& io_;
  transport::Transport& transport_;
  Registrar* registrar_;
  BindingStore& store_;
  BanList& bans_;
  AsteriskLog& log_;
  SecurityLog* security_;
  QualifyMonitor& qualify_;
  const Clock& clock_;
  Random& random_;
  txn::TransactionTable table_;
  txn::CompletedResponses completed_;
  std::unordered_map<txn::TransactionKey, Origin, txn::TransactionKeyHash> origins_;
  std::priority_queue<Deadline, std::vector<Deadline>, std::greater<>> deadlines_;
  std::mutex completions_mu_;
  std::vector<Completion> completions_;  // GUARDED_BY(completions_mu_)
  uint64_t next_generation_ = 1;
  uint64_t ping_cseq_ = 100;
  DebugMode debug_mode_ = DebugMode::kOff;
  std::string debug_address_;
  SteadyTime next_qualify_{};
  asio::steady_timer tick_;
  ServerCounters counters_;
  Proxy proxy_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace sipreg::registrar
