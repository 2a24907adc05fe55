// sipregd: the Asterisk-compatible registrar. Wiring only: reads the config,
// opens logs, the binding store and the sockets, then runs the SIP server on one
// event loop until SIGINT/SIGTERM.
//   sipregd -c FILE [-c FILE...] [-f] [-v...]
//   sipregd --check-config -c FILE [-c FILE...]
#include <malloc.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>

#include "common/clock.h"
#include "common/random.h"
#include "registrar/asterisk_log.h"
#include "registrar/ban_list.h"
#include "registrar/config_directory.h"
#include "registrar/control_server.h"
#include "registrar/http_status_server.h"
#include "registrar/live_config.h"
#include "registrar/registrar.h"
#include "registrar/security_log.h"
#include "registrar/server_config.h"
#include "registrar/sip_server.h"
#include "registrar/status_page.h"
#include "registrar/sqlite_binding_store.h"
#include "sip/nonce.h"
#include "transport/asio_transport.h"

namespace reg = sipreg::registrar;

namespace {

constexpr auto kSweepInterval = std::chrono::seconds(5);

int Fail(const std::string& what) {
  std::cerr << "sipregd: " << what << "\n";
  return 1;
}

void SweepExpired(asio::steady_timer& timer, reg::SqliteBindingStore& store, reg::SipServer& server,
                  reg::AsteriskLog& log, const sipreg::Clock& clock) {
  timer.expires_after(kSweepInterval);
  timer.async_wait([&timer, &store, &server, &log, &clock](const asio::error_code& ec) {
    if (ec) return;
    SweepExpired(timer, store, server, log, clock);  // first: a throw below stops no sweep
    const auto expired = store.RemoveExpired(clock.WallNow());
    for (const auto& b : expired) {
      SIPREG_LOG(log, kVerbose, "expire_register", "Registration for '{}' ({}) expired", b.aor,
                 b.contact);
    }
    server.OnBindingsRemoved(expired);
  });
}

}  // namespace

int main(int argc, char** argv) {
#ifndef SIPREG_WITH_MIMALLOC
  // glibc's malloc (builds without mimalloc): every request allocates and frees
  // a few KiB, so keep freed memory in the heap instead of returning it to the
  // kernel and faulting it back in (page faults were ~5% of the CPU under load).
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  mallopt(M_TOP_PAD, 16 << 20);
  mallopt(M_MMAP_THRESHOLD, 4 << 20);
#endif

  CLI::App app{"sipregd: Asterisk-compatible SIP registrar"};
  std::vector<std::string> config_files;
  bool foreground = false;
  bool check_only = false;
  int verbosity = 0;
  app.add_option("-c,--config", config_files, "sip.conf or pjsip.conf (repeatable)")->required();
  app.add_flag("-f,--foreground", foreground, "Stay in the foreground and log to stderr");
  app.add_flag("-v", verbosity, "More verbose (repeatable, like Asterisk's -v)");
  app.add_flag("--check-config", check_only, "Check the configuration and exit");
  CLI11_PARSE(app, argc, argv);

  std::vector<std::string> warnings;
  if (check_only) {
    sipreg::Status st = reg::CheckConfig(config_files, &warnings);
    for (const auto& w : warnings) std::cerr << "warning: " << w << "\n";
    if (!st.ok()) {
      std::cerr << st.message() << "\n";
      return 1;
    }
    std::cout << "Configuration OK\n";
    return 0;
  }

  auto loaded = reg::ServerConfig::Load(config_files);
  if (!loaded.ok()) return Fail(loaded.status().message());
  const reg::ServerConfig config = std::move(loaded).value();
  const reg::ServerSettings& s = config.settings;

  std::error_code fs_ec;
  std::filesystem::create_directories(s.state_dir, fs_ec);
  if (fs_ec) return Fail("cannot create statedir " + s.state_dir + ": " + fs_ec.message());

  auto log_or = reg::AsteriskLog::Open({foreground, s.log_file, verbosity});
  if (!log_or.ok()) return Fail(log_or.status().message());
  reg::AsteriskLog& log = **log_or;
  for (const auto& w : config.warnings) SIPREG_LOG(log, kWarning, "load_config", "{}", w);
  auto security_or = reg::SecurityLog::Open(s.security_log);
  if (!security_or.ok()) return Fail(security_or.status().message());

  sipreg::SystemClock& clock = sipreg::SystemClock::Instance();
  sipreg::OpenSslRandom& random = sipreg::OpenSslRandom::Instance();
  sipreg::sip::NonceOptions nonce_opts;
  nonce_opts.lifetime = s.nonce_lifetime;
  sipreg::sip::NonceManager nonces(clock, random, nonce_opts);

  reg::BanList bans(reg::BanOptionsFor(s));

  // One thread runs the loop (io.run() below); the store's writer and the HTTP
  // server's threads only post to it. The hint lets Asio queue handlers posted
  // from the loop's own thread without taking its lock.
  asio::io_context io(1);
  sipreg::transport::TransportOptions topts;
  for (const auto& l : config.listeners) {
    if (l.address.transport == sipreg::sip::TransportKind::kTls) {
      topts.tls_server = sipreg::transport::TlsServerConfig{l.cert_file, l.key_file};
    }
  }
  sipreg::transport::AsioTransport transport(io, topts);
  for (const auto& l : config.listeners) {
    auto bound = transport.Listen(l.address.transport, l.address.ip, l.address.port);
    if (!bound.ok()) {
      return Fail(fmt::format("cannot listen on {} {}: {}",
                              sipreg::sip::TransportName(l.address.transport),
                              l.address.ToString(), bound.status().message()));
    }
    SIPREG_LOG(log, kNotice, "sip_listen", "SIP listening on {} {}",
               sipreg::sip::TransportName(bound->transport), bound->ToString());
  }

  // Daemonize before any thread starts (the store's writer): threads do not survive fork().
  if (!foreground && ::daemon(1, 0) != 0) return Fail("cannot daemonize");
  // The log files' writer threads: the messages log within 250 ms, the security
  // log within a second (what `tail -f` and fail2ban see).
  log.StartWriter();
  (*security_or)->StartWriter();

  auto store_or =
      reg::SqliteBindingStore::Open(s.state_dir + "/bindings.sqlite", clock, [&s] {
        reg::SqliteBindingStore::Options o;
        o.commit_delay = s.commit_delay;
        o.commit_delay_batch = s.commit_delay_batch;
        return o;
      }());
  if (!store_or.ok()) return Fail(store_or.status().message());
  reg::SqliteBindingStore& store = **store_or;
  SIPREG_LOG(log, kNotice, "load_bindings", "Loaded {} bindings from {}", store.Count(),
             store.path());

  // The accounts and the Registrar over them; `sipreg reload` swaps in new ones.
  reg::QualifyMonitor qualify;
  reg::LiveConfig live(
      config, store, nonces, clock, random,
      [&store] {
        if (auto st = store.Flush(); !st.ok()) return;  // a failed store is reported by its users
      },
      &qualify);

  reg::SipServer server(io, transport, live.registrar(), store, bans, log, security_or->get(), qualify,
                        clock, random);
  server.Start();
  server.QualifyStoredBindings();

  reg::ControlContext control_ctx{live, store, bans, server, log, clock, clock.Now()};
  reg::ControlServer control(io, control_ctx);
  if (auto st = control.Listen(s.control_socket); !st.ok()) return Fail(st.message());

  reg::HttpQueries queries;
  queries.status_page = [&control_ctx, &clock] {
    return reg::FormatStatusPage(reg::CollectPeers(control_ctx, clock.WallNow()),
                                 clock.WallNow());
  };
  queries.peers_json = [&control_ctx, &clock] {
    const auto now = clock.WallNow();
    return reg::PeersJson(reg::CollectPeers(control_ctx, now), now).dump(2) + "\n";
  };
  queries.metrics = [&control_ctx] { return reg::FormatMetrics(reg::CollectMetrics(control_ctx)); };
  reg::HttpStatusServer http(io, std::move(queries));
  if (!s.http_bind.ip.empty()) {
    auto bound = http.Start(s.http_bind);
    if (!bound.ok()) return Fail(bound.status().message());
    SIPREG_LOG(log, kNotice, "http_listen", "HTTP status on http://{}/ (/api/peers, /metrics)",
               bound->ToString());
  }

  asio::steady_timer sweep(io);
  SweepExpired(sweep, store, server, log, clock);

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const asio::error_code&, int sig) {
    SIPREG_LOG(log, kNotice, "main", "Received signal {}, shutting down", sig);
    io.stop();
  });
  std::signal(SIGPIPE, SIG_IGN);

  SIPREG_LOG(log, kNotice, "main", "sipregd ready: {} accounts, {} bindings", live.directory().size(),
             store.Count());
  // A handler that throws (a bug, memory running out) unwinds out of run();
  // Asio allows calling run() again, and the handler that threw has left its
  // socket or timer working (the SIP handlers answer 500 themselves). Log it
  // and carry on rather than drop every phone's service.
  for (;;) {
    try {
      io.run();
      break;  // stopped by a signal
    } catch (const std::exception& e) {
      SIPREG_LOG(log, kError, "main", "Unexpected error in the event loop: {}; carrying on",
                 e.what());
    }
  }
  http.Stop();
  if (auto st = store.Flush(); !st.ok()) {
    SIPREG_LOG(log, kError, "main", "Flushing bindings failed: {}", st.message());
  }
  (*security_or)->Flush();
  log.Flush();
  return 0;
}
