// Proxy: sipregd's stateful proxy (RFC 3261 §16), so that calls reach the
// phones that registered. It takes the requests SipServer does not answer
// itself and relays them:
//   * an out-of-dialog INVITE: the caller, if a local account, authenticates
//     (407); the Request-URI user is resolved (account name, extension=,
//     callerid number) to the account's live bindings (404 unknown, 480 none),
//     and every contact rings at once — highest q first — through its own
//     client INVITE transaction; ForkContext picks what goes back upstream.
//     sipregd Record-Routes, so the dialog's later requests pass through it;
//   * CANCEL of such an INVITE: 200 to the CANCEL, CANCEL to every ringing branch;
//   * in-dialog requests (To tag; a Route naming us is popped): relayed to the
//     Request-URI, statefully; ACK for a 2xx statelessly;
//   * 2xx retransmissions that arrive after their transaction: relayed upstream.
// Max-Forwards is decremented (483 at 0). Targets are reached where their
// REGISTER came from (nat=force_rport, over the phone's own TCP/TLS connection)
// or at their Contact (nat=no). sipregd never looks at the SDP.
//
// Sans-sockets: ProxyHost (SipServer) sends and runs the transactions.
// Thread affinity: the io thread, like SipServer.
#pragma once

#include <cstdint>
#include <array>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "registrar/asterisk_log.h"
#include "registrar/binding_store.h"
#include "registrar/fork_context.h"
#include "registrar/registrar.h"
#include "sip/endpoint.h"
#include "sip/message.h"
#include "transaction/transaction_key.h"
#include "transport/transport.h"

namespace sipreg::registrar {

// What the Proxy needs from the SIP server it runs in.
class ProxyHost {
 public:
  virtual ~ProxyHost() = default;
  // Sends `bytes` as the response of server transaction `key`.
  virtual void Respond(const txn::TransactionKey& key, int status, std::string bytes) = 0;
  // Starts a client transaction for `request` under `key` towards `dest`; its
  // responses come back through Proxy::OnClientResponse / OnClientFailed.
  virtual Status StartClient(const txn::TransactionKey& key, std::string request, bool invite,
                             const sip::Endpoint& dest, transport::SendOptions options) = 0;
  virtual void SendStateless(const sip::Endpoint& dest, std::string bytes,
                             transport::SendOptions options) = 0;
  // Our listening address for this transport (Via sent-by, Record-Route).
  virtual std::optional<sip::Endpoint> LocalEndpoint(sip::TransportKind kind) const = 0;
};

struct ProxyCounters {
  uint64_t calls = 0;                    // INVITEs routed to at least one contact
  std::array<uint64_t, 7> finals{};      // final answers sent upstream, by class (index 1..6)
  uint64_t rejected_unknown = 0;         // 404
  uint64_t rejected_unavailable = 0;     // 480 without contacts
};

// An established call, for `sip show channels`.
struct Channel {
  std::string call_id;
  std::string caller;  // From user
  std::string callee;  // account called
  std::string contact; // the contact that answered
  SteadyTime started{};
};

class Proxy {
 public:
  // Every reference must outlive the Proxy.
  Proxy(ProxyHost& host, BindingStore& store, AsteriskLog& log, const Clock& clock,
        Random& random);

  void SetRegistrar(const Registrar& registrar) { registrar_ = &registrar; }

  // A new INVITE (not in a dialog) whose server transaction is `key`.
  void OnInvite(const transport::ReceivedMessage& m, const txn::TransactionKey& key);
  // A CANCEL whose own server transaction is `key`.
  void OnCancel(const transport::ReceivedMessage& m, const txn::TransactionKey& key);
  // An ACK that matched no transaction (the ACK of a 2xx).
  void OnAck(const transport::ReceivedMessage& m);
  // A request inside a dialog (To tag), or one with a Route naming us, other
  // than ACK and CANCEL; `key` is its server transaction.
  void OnInDialog(const transport::ReceivedMessage& m, const txn::TransactionKey& key);
  // True when `m` is in a dialog or routed through us (OnInDialog handles it).
  bool IsRelayed(const sip::Message& m) const;

  // Client transaction events; false if `key` is not one of ours.
  bool OnClientResponse(const txn::TransactionKey& key, const sip::Message& response);
  bool OnClientFailed(const txn::TransactionKey& key, int status);
  void OnClientTerminated(const txn::TransactionKey& key);
  // A response no transaction wanted: a 2xx retransmission to relay upstream.
  void OnStrayResponse(const sip::Message& response);
  // Sends a response (our Via already stripped) to its top Via, without a transaction.
  void SendUpstreamStateless(std::string response);
  // Ring timeouts.
  void Tick(SteadyTime now);

  const ProxyCounters& counters() const { return counters_; }
  std::vector<Channel> Channels() const;
  // Called when an auth failure should count for brute-force protection.
  std::function<void(RegError, const std::string& account, const transport::ReceivedMessage&)>
      on_auth_failure;

 private:
  struct Target {
    std::string uri;             // Request-URI for the branch
    sip::Endpoint destination;
    uint64_t connection = 0;
  };
  struct Call {
    uint64_t id = 0;
    txn::TransactionKey server_key;
    std::string invite;          // the caller's INVITE as received
    std::string caller, callee, call_id;
    std::vector<Target> targets;
    std::vector<std::string> forwarded;  // per target: the INVITE we sent (for CANCEL)
    std::vector<std::optional<txn::TransactionKey>> branch_keys;
    std::unique_ptr<ForkContext> fork;
    std::string record_route;    // our Record-Route value, on the side the caller used
    std::string loop_hash;       // LoopHash of the caller's INVITE
    bool upstream_2xx = false;   // a 2xx went upstream (later ones go statelessly)
    SteadyTime started{};
  };

  void Apply(Call& call, const ForkActions& actions);
  void ApplyActions(uint64_t call_id, const ForkActions& actions);
  void StartBranch(Call& call, size_t branch);
  void SendCancel(Call& call, size_t branch);
  void RespondTo(const transport::ReceivedMessage& m, const txn::TransactionKey& key, int status,
                 std::string_view reason);
  std::optional<sip::Endpoint> UriDestination(std::string_view uri) const;
  std::optional<Target> TargetForUri(std::string_view uri) const;
  // Our Via for a forwarded request; its branch starts with the request's loop
  // hash (see LoopHash) and ends with randomness unique to the branch.
  std::string MakeVia(sip::TransportKind kind, std::string_view loop_hash, std::string* branch);
  // RFC 3261 §16.6 step 8 / §16.3 step 4: a digest of what identifies the
  // request as received (Request-URI, From tag, To tag, Call-ID, CSeq number,
  // Proxy-Require). A request that comes back with one of our Vias carrying
  // the same digest has looped; a retargeted one (a spiral) has another.
  static std::string LoopHash(const sip::Message& request);
  bool Looped(const sip::Message& request, std::string_view loop_hash) const;
  std::string RecordRoute(const transport::ReceivedMessage& m) const;
  bool RouteNamesUs(std::string_view route) const;
  void Forget(uint64_t call_id);

  ProxyHost& host_;
  BindingStore& store_;
  AsteriskLog& log_;
  const Clock& clock_;
  Random& random_;
  const Registrar* registrar_ = nullptr;
  uint64_t next_call_ = 1;
  std::map<uint64_t, Call> calls_;
  std::unordered_map<txn::TransactionKey, std::pair<uint64_t, size_t>, txn::TransactionKeyHash>
      branches_;  // client INVITE key -> (call, target)
  std::unordered_map<txn::TransactionKey, uint64_t, txn::TransactionKeyHash> by_server_;
  // Relayed in-dialog requests: client key -> the upstream server transaction.
  struct Relay {
    txn::TransactionKey server_key;
    std::string request;  // as received, to answer 408/503 if the relay fails
  };
  std::unordered_map<txn::TransactionKey, Relay, txn::TransactionKeyHash> relays_;
  std::map<std::string, Channel> channels_;  // by Call-ID
  ProxyCounters counters_;
};

}  // namespace sipreg::registrar
