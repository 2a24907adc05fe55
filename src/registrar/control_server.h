// ControlServer: the admin socket of sipregd (a Unix stream socket at `control`,
// default <statedir>/sipregd.ctl). One request per connection: the client writes
// one command line, the server writes the answer and closes. Answers that start
// with "error: " are failures. `--json` anywhere on the line asks for JSON.
// Commands: sip show peers | show peers, sip show peer NAME, show bans,
// unban ADDR, metrics, reload, pjsip show ..., sip set debug ..., help. Runs on
// the io thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <asio/io_context.hpp>
#include <asio/local/stream_protocol.hpp>

#include "common/clock.h"
#include "common/status.h"
#include "registrar/asterisk_log.h"
#include "registrar/ban_list.h"
#include "registrar/binding_store.h"
#include "registrar/config_directory.h"
#include "registrar/live_config.h"
#include "registrar/metrics.h"
#include "registrar/peer_table.h"
#include "registrar/server_config.h"
#include "registrar/sip_server.h"

namespace sipreg::registrar {

struct ControlContext {
  LiveConfig& live;
  BindingStore& store;
  BanList& bans;
  SipServer& server;
  AsteriskLog& log;
  const Clock& clock;
  SteadyTime started{};  // for the uptime metric
};

// Executes one command line; pure apart from reading/changing the context.
std::string ExecuteControlCommand(ControlContext& ctx, std::string_view line);

// Every account with its live bindings and qualify state, in config order.
std::vector<PeerView> CollectPeers(const ControlContext& ctx, WallTime now);
// The counters and gauges behind /metrics (and `sipreg metrics`).
MetricsSnapshot CollectMetrics(const ControlContext& ctx);

class ControlServer {
 public:
  ControlServer(asio::io_context& io, ControlContext ctx) : io_(io), ctx_(ctx), acceptor_(io) {}
  ~ControlServer();
  // Replaces a stale socket file; fails if another sipregd answers on it.
  Status Listen(const std::string& path);

 private:
  void Accept();
  asio::io_context& io_;
  ControlContext ctx_;
  asio::local::stream_protocol::acceptor acceptor_;
  std::string path_;
};

}  // namespace sipreg::registrar
