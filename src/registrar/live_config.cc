#include "registrar/live_config.h"

#include <algorithm>

#include <fmt/format.h>

namespace sipreg::registrar {
namespace {

// Two accounts configured alike (everything the registrar and the views read).
bool SameAccount(const Account& a, const Account& b) {
  auto acl_text = [](const Account& x) {
    std::string out = x.acl.ToString();
    for (const IpAcl& n : x.named_acls) out += "; " + n.ToString();
    return out;
  };
  return a.aor == b.aor && a.auth_username == b.auth_username && a.auth_id == b.auth_id &&
         a.realm == b.realm && a.secret.password == b.secret.password &&
         a.secret.ha1_md5 == b.secret.ha1_md5 && a.has_auth == b.has_auth &&
         a.dynamic == b.dynamic && a.static_host == b.static_host &&
         a.static_port == b.static_port && a.max_contacts == b.max_contacts &&
         a.remove_existing == b.remove_existing && a.remove_unavailable == b.remove_unavailable &&
         a.min_expires == b.min_expires && a.max_expires == b.max_expires &&
         a.default_expires == b.default_expires && a.force_rport == b.force_rport &&
         a.comedia == b.comedia && a.qualify == b.qualify &&
         a.qualify_max_rtt == b.qualify_max_rtt && a.qualify_frequency == b.qualify_frequency &&
         a.qualify_timeout == b.qualify_timeout && acl_text(a) == acl_text(b) &&
         a.defined_at.file == b.defined_at.file && a.transports == b.transports &&
         a.callerid == b.callerid && a.context == b.context;
}

}  // namespace

RegistrarOptions RegistrarOptionsFor(const ServerConfig& config) {
  const ServerSettings& s = config.settings;
  RegistrarOptions o;
  o.realm = s.realm;
  o.always_auth_reject = s.always_auth_reject;
  o.algorithms = s.auth_algorithms;
  o.expires_jitter_percent = s.expires_jitter_percent;
  o.global_acls = config.global_acls;
  return o;
}

BanOptions BanOptionsFor(const ServerSettings& s) {
  BanOptions o;
  o.max_retry = s.max_retry;
  o.find_time = s.find_time;
  o.ban_time = s.ban_time;
  o.ignore = s.ignore_ip;
  return o;
}

LiveConfig::LiveConfig(ServerConfig first, BindingStore& store, sip::NonceManager& nonces,
                       const Clock& clock, Random& random, std::function<void()> wait_for_commits,
                       const ContactHealth* health)
    : store_(store),
      nonces_(nonces),
      clock_(clock),
      random_(random),
      wait_for_commits_(std::move(wait_for_commits)),
      health_(health) {
  current_ = Build(std::move(first));
}

std::unique_ptr<LiveConfig::Generation> LiveConfig::Build(ServerConfig config) {
  auto g = std::make_unique<Generation>();
  g->config = std::move(config);
  g->directory = std::make_unique<ConfigDirectory>(g->config);
  g->registrar = std::make_unique<Registrar>(RegistrarOptionsFor(g->config), *g->directory,
                                             store_, nonces_, clock_, random_);
  g->registrar->SetContactHealth(health_);
  return g;
}

ReloadReport LiveConfig::Swap(ServerConfig config) {
  ReloadReport r;
  r.warnings = config.warnings;
  const ServerConfig& old = current_->config;
  for (const Account& a : config.accounts) {
    const Account* before = old.FindAccount(a.name);
    if (before == nullptr) {
      r.added.push_back(a.name);
    } else if (!SameAccount(*before, a)) {
      r.changed.push_back(a.name);
    }
  }
  for (const Account& a : old.accounts) {
    if (config.FindAccount(a.name) == nullptr) {
      r.removed.push_back(a.name);
      r.removed_aors.push_back(a.aor.empty() ? a.name : a.aor);
    }
  }
  const ServerSettings& s0 = old.settings;
  const ServerSettings& s1 = config.settings;
  auto endpoints = [](const ServerConfig& c) {
    std::vector<std::string> out;
    for (const auto& l : c.listeners) {
      out.push_back(fmt::format("{} {}", sip::TransportName(l.address.transport),
                                l.address.ToString()));
    }
    std::sort(out.begin(), out.end());
    return out;
  };
  if (endpoints(old) != endpoints(config)) r.restart_needed.push_back("listeners (bind addresses)");
  if (s0.state_dir != s1.state_dir) r.restart_needed.push_back("statedir");
  if (s0.control_socket != s1.control_socket) r.restart_needed.push_back("control");
  if (!(s0.http_bind == s1.http_bind)) r.restart_needed.push_back("httpbindaddr");
  if (s0.log_file != s1.log_file) r.restart_needed.push_back("logfile");
  if (s0.security_log != s1.security_log) r.restart_needed.push_back("securitylog");
  if (s0.nonce_lifetime != s1.nonce_lifetime) r.restart_needed.push_back("noncelifetime");
  if (s0.commit_delay != s1.commit_delay) r.restart_needed.push_back("commit_delay");
  if (s0.commit_delay_batch != s1.commit_delay_batch) {
    r.restart_needed.push_back("commit_delay_batch");
  }

  // What needs a restart keeps its running value, so views and the next reload
  // compare against what is really in force.
  config.listeners = old.listeners;
  config.settings.state_dir = s0.state_dir;
  config.settings.control_socket = s0.control_socket;
  config.settings.http_bind = s0.http_bind;
  config.settings.log_file = s0.log_file;
  config.settings.security_log = s0.security_log;
  config.settings.nonce_lifetime = s0.nonce_lifetime;
  config.settings.commit_delay = s0.commit_delay;
  config.settings.commit_delay_batch = s0.commit_delay_batch;

  auto next = Build(std::move(config));
  // Every REGISTER of the generation about to be freed has long been answered;
  // make sure its commit callbacks have run too.
  if (previous_ && wait_for_commits_) wait_for_commits_();
  previous_ = std::move(current_);
  current_ = std::move(next);
  return r;
}

Result<ReloadReport> LiveConfig::Reload() {
  auto loaded = ServerConfig::Load(current_->config.files);
  if (!loaded.ok()) return loaded.status();
  return Swap(std::move(loaded).value());
}

}  // namespace sipreg::registrar
