// RegistrationEngine: the I/O edge of sipreg-device's registrations. It owns
// the SIP socket (one local port for every extension, as a hardware device
// has), the flow to the server, the client transactions, one timer queue, the
// request-rate limiter and keep-alives, and drives one RegistrationPolicy per
// registered extension (page, page.N, ring, ring.N, alert.N and an alert's
// cancel extension).
//
//  * Rate: at most `register_rate` new REGISTER transactions per second, all
//    extensions together; answers to challenges and unregisters go first. While
//    shutting down the rate is raised so every unregister fits in the deadline.
//  * Flow: UDP from the bound local port; TCP/TLS one connection, opened on
//    demand. When the connection closes or a keep-alive goes unanswered, every
//    Successful extension re-registers (RegistrationPolicy::OnFlowFailed).
//  * Keep-alive, every keepalive_interval while anything is registered:
//    double CRLF over UDP (nothing comes back); CRLFCRLF ping over TCP/TLS,
//    a CRLF pong expected within 10 s (RFC 5626 §4.4.1); or an OPTIONS request,
//    whose timeout counts as a dead flow.
//  * Failover: a REGISTER that times out or gets a 503 moves the flow to the
//    next resolved server address, if there is one not tried since the last success.
//  * Requests from the server: OPTIONS is answered 200 (so a registrar's
//    qualify sees us); INVITE 480 (calls are not taken yet); others 405.
//  * Shutdown(): every extension unregisters; `done` runs when all answered or
//    after the deadline.
//
// Thread affinity: everything, including construction and destruction, on the
// thread running `io`. Lifetime: `io`, `log`, `clock` and `random` outlive it.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <asio/io_context.hpp>

#include "common/clock.h"
#include "common/random.h"
#include "device/device_config.h"
#include "device/registration_policy.h"
#include "device/registration_view.h"
#include "device/server_targets.h"
#include "device/system_log.h"
#include "device/timer_queue.h"
#include "transaction/transaction_table.h"
#include "transport/asio_transport.h"

namespace sipreg::device {

class RegistrationEngine {
 public:
  RegistrationEngine(asio::io_context& io, DeviceConfig config, SystemLog& log, const Clock& clock,
                     Random& random);
  ~RegistrationEngine();
  RegistrationEngine(const RegistrationEngine&) = delete;
  RegistrationEngine& operator=(const RegistrationEngine&) = delete;

  // Binds the SIP port, resolves the server and starts every extension.
  // Errors: the port cannot be bound (a config problem the caller reports).
  // An unresolvable server is not an error here: the extensions show
  // "No reply from server" and resolution is retried with them.
  Status Start();

  // Applies a new configuration live: changed extensions unregister and
  // register anew, unchanged ones are left alone; a changed server, proxy,
  // transport, port or TLS setting restarts every registration on a new flow.
  void Apply(DeviceConfig config);

  // Unregisters every extension; `done` runs (on the io thread) once all have
  // answered or `deadline` passed. No new registration starts afterwards.
  void Shutdown(std::function<void()> done, Millis deadline = std::chrono::seconds(5));

  std::vector<RegistrationView> Views() const;
  const DeviceConfig& config() const { return config_; }
  // The bound SIP address (valid after Start()).
  std::optional<sip::Endpoint> local() const;
  // Extensions currently Successful.
  size_t successful_count() const;

 private:
  struct Registration {
    std::unique_ptr<RegistrationPolicy> policy;
    bool queued = false;                 // in send_queue_
    const char* last_status = nullptr;   // for logging status changes
  };
  // What a client transaction belongs to.
  struct TxnOwner {
    uint64_t reg = 0;      // registration serial, 0 for the OPTIONS keep-alive
    sip::Endpoint target;  // where it went (for failover)
  };

  // --- setup
  Status OpenFlow();  // transport, DNS, UDP socket: each once, as far as possible
  void CreateTransport();
  bool Resolve();     // false: not resolved (resolve_error_ says why)
  Status BindUdp();
  void StartRegistrations();
  std::vector<PolicyConfig> PolicyConfigs(const DeviceConfig& config) const;
  std::string InstanceFor(const std::string& id, const std::string& extension) const;
  uint64_t AddRegistration(PolicyConfig pc);

  // --- sending
  void Enqueue(uint64_t serial, bool urgent);
  void Pump();
  // False when it was not sent because the flow moves to TCP first (the
  // registration is queued again).
  bool SendRegister(uint64_t serial);
  // Every queued REGISTER could not be sent (no address, no connection).
  void FailQueued(const std::string& why, bool another_target);
  void EnsureConnected();
  void StartTransaction(const std::string& branch, std::string method, std::string bytes,
                        TxnOwner owner);
  void ApplyActions(const txn::TransactionKey& key, const txn::Actions& actions,
                    const sip::Message* response);
  // After a policy call: log its events and status change, queue its REGISTER
  // (`urgent`: ahead of the others, e.g. a challenge answer), reschedule it.
  void Settle(uint64_t serial, bool urgent);
  void Retire(uint64_t serial);          // unregister, then forget
  void Restart();                        // new flow with pending_restart_, every registration anew
  // Unregisters everything; `done` once all answered or at the deadline.
  void StopAll(std::function<void()> done, Millis deadline = std::chrono::seconds(5));
  void CheckShutdown();
  void FinishShutdown();
  bool FailoverAvailable(const sip::Endpoint& failed);

  // --- receiving
  void OnMessage(transport::ReceivedMessage m);
  void OnRequest(transport::ReceivedMessage& m);
  void OnConnectionClosed(const transport::ConnectionInfo& info, const Status& reason);
  void FlowFailed(const std::string& why);

  // --- keep-alive
  void ScheduleKeepAlive();
  void OnKeepAliveTimer();

  // --- timers (TimerQueue): "p:<serial>", "t:<branch>:<method>:<timer>", "ka",
  // "pong", "pump", "shutdown"
  using TimerKey = TimerQueue::Key;
  void Schedule(const TimerKey& key, SteadyTime when);
  void Cancel(const TimerKey& key);
  void OnTimerKey(const TimerKey& key);

  std::string ServerLabel() const;
  void Log(const std::string& level, std::string text);

  asio::io_context& io_;
  DeviceConfig config_;
  SystemLog& log_;
  const Clock& clock_;
  Random& random_;
  std::string machine_id_;

  std::unique_ptr<transport::AsioTransport> transport_;
  txn::TransactionTable txns_;
  std::unordered_map<txn::TransactionKey, TxnOwner, txn::TransactionKeyHash> owners_;

  // Flow
  ServerTargets targets_;
  size_t target_index_ = 0;
  size_t targets_tried_ = 1;  // since the last success
  std::optional<sip::Endpoint> udp_local_;
  transport::ConnectionId conn_ = 0;
  std::optional<sip::Endpoint> stream_local_;
  bool connecting_ = false;
  bool resolved_ = false;
  std::string resolve_error_;  // why the last resolution failed
  std::optional<SteadyTime> next_resolve_at_;

  // Registrations by serial (stable across Apply), in config order.
  uint64_t next_serial_ = 1;
  std::map<uint64_t, Registration> regs_;
  std::deque<uint64_t> send_queue_;
  SteadyTime next_send_slot_{};
  std::vector<uint64_t> retiring_;  // unregistering after Apply; removed when done

  // Keep-alive
  bool pong_pending_ = false;
  std::optional<txn::TransactionKey> options_txn_;

  // Shutdown
  bool shutting_down_ = false;
  std::function<void()> shutdown_done_;
  bool final_shutdown_ = false;  // Shutdown() was called: nothing starts again
  bool restarting_ = false;      // winding down for a new flow (Apply)
  std::optional<DeviceConfig> pending_restart_;  // the config the new flow starts with

  // Timers; txn_timers_ maps a transaction timer's key back to its transaction.
  std::unordered_map<TimerKey, std::pair<txn::TransactionKey, txn::TimerId>> txn_timers_;
  TimerQueue timers_;  // last: its callback uses the members above

  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
};

}  // namespace sipreg::device
