// LiveConfig: the configuration sipregd runs with now, and `sipreg reload`.
// Each load is a generation — the ServerConfig, its ConfigDirectory and the
// Registrar built over them. Reload() re-reads the same files; a file with an
// error changes nothing. What it can apply while running: accounts (added,
// changed, removed), realm, auth_algorithms, alwaysauthreject, expires_jitter,
// pjsip global ACLs and the brute-force keys; what needs a restart (listeners,
// statedir, control, httpbindaddr, log files, noncelifetime, commit_delay, commit_delay_batch) is
// reported.
//
// Lifetime: a REGISTER waiting for its group commit still refers to the
// Registrar of its generation, so the previous generation stays alive until the
// next reload (which first waits for the store to commit everything queued).
// Thread affinity: io thread only.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "common/status.h"
#include "registrar/ban_list.h"
#include "registrar/binding_store.h"
#include "registrar/config_directory.h"
#include "registrar/registrar.h"
#include "registrar/server_config.h"
#include "sip/nonce.h"

namespace sipreg::registrar {

RegistrarOptions RegistrarOptionsFor(const ServerConfig& config);
BanOptions BanOptionsFor(const ServerSettings& settings);

struct ReloadReport {
  std::vector<std::string> added;    // account names
  std::vector<std::string> removed;
  std::vector<std::string> removed_aors;  // what the removed accounts registered to
  std::vector<std::string> changed;
  std::vector<std::string> restart_needed;  // settings that keep their old value until restart
  std::vector<std::string> warnings;        // the loader's (unknown keys, ...)
};

class LiveConfig {
 public:
  // Every reference must outlive this object. `wait_for_commits` blocks until
  // the store has committed (and called back) everything queued.
  LiveConfig(ServerConfig first, BindingStore& store, sip::NonceManager& nonces,
             const Clock& clock, Random& random, std::function<void()> wait_for_commits = {},
             const ContactHealth* health = nullptr);

  const ServerConfig& config() const { return current_->config; }
  const ConfigDirectory& directory() const { return *current_->directory; }
  Registrar& registrar() { return *current_->registrar; }

  // Loads `config` as the new generation and compares it with the current one.
  // The caller switches the SipServer to registrar() and applies the rest.
  ReloadReport Swap(ServerConfig config);
  // Re-reads the files the current generation came from; on error nothing changes.
  Result<ReloadReport> Reload();

 private:
  struct Generation {
    ServerConfig config;
    std::unique_ptr<ConfigDirectory> directory;
    std::unique_ptr<Registrar> registrar;
  };
  std::unique_ptr<Generation> Build(ServerConfig config);

  BindingStore& store_;
  sip::NonceManager& nonces_;
  const Clock& clock_;
  Random& random_;
  std::function<void()> wait_for_commits_;
  const ContactHealth* health_;
  std::unique_ptr<Generation> current_;
  std::unique_ptr<Generation> previous_;
};

}  // namespace sipreg::registrar
