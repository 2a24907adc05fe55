// PjsipConf: the chan_pjsip dialect (pjsip.conf). Sections are sorcery objects
// told apart by type=: transport (listeners), endpoint + auth + aor (combined into
// one Account per endpoint), acl (named permit/deny sets), global (server-wide and
// sipreg's own keys). Names may repeat across types ([6001] endpoint, [6001] aor,
// [6001] auth), not within one. References (auth=, aors=, transport=, acl=) are
// resolved across every pjsip-dialect file given, as Asterisk's sorcery does.
//
// Deliberate differences from Asterisk, documented in docs/configuration.md:
// aor max_contacts defaults to 1 (Asterisk: 0, which refuses every registration)
// and remove_existing to yes; an endpoint has at most one auth and one AOR.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "registrar/account.h"
#include "registrar/config_file.h"
#include "registrar/ip_acl.h"
#include "registrar/server_config.h"

namespace sipreg::registrar {

class PjsipConf {
 public:
  // Pass 1: type=global sections into `settings`, type=transport sections into
  // `listeners`.
  static Status ApplyGlobals(const std::vector<const ConfigFile*>& files,
                             ServerSettings& settings, std::vector<Listener>& listeners,
                             std::vector<std::string>& warnings);

  // Pass 2: one Account per type=endpoint section (appended to `accounts`).
  // type=acl sections that no endpoint names in acl= go to `global_acls`.
  static Status BuildAccounts(const std::vector<const ConfigFile*>& files,
                              const ServerSettings& settings, std::vector<Account>& accounts,
                              std::vector<IpAcl>& global_acls,
                              std::vector<std::string>& warnings);

  // Asterisk aor defaults that sipreg keeps.
  static constexpr uint32_t kDefaultMinExpiration = 60;
  static constexpr uint32_t kDefaultMaxExpiration = 7200;
  static constexpr uint32_t kDefaultExpiration = 3600;
};

}  // namespace sipreg::registrar
