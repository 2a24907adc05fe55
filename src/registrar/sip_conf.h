// SipConf: the chan_sip dialect (sip.conf). [general] holds server-wide
// settings (listeners, realm, expiry limits, NAT and qualify defaults, and
// sipreg's own keys); every other non-template section with type=friend|peer|user
// is one Account. Unknown keys are kept as warnings, as Asterisk ignores them;
// a bad value for a known key is an error. ServerConfig drives both passes.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "registrar/account.h"
#include "registrar/config_file.h"
#include "registrar/server_config.h"

namespace sipreg::registrar {

class SipConf {
 public:
  // Pass 1: reads [general] of `file` into `settings` and the listeners it
  // declares (udpbindaddr / bindaddr + bindport, tcpenable + tcpbindaddr,
  // tlsenable + tlsbindaddr + tlscertfile + tlsprivatekey) into `listeners`.
  static Status ApplyGeneral(const ConfigFile& file, ServerSettings& settings,
                             std::vector<Listener>& listeners,
                             std::vector<std::string>& warnings);

  // Pass 2: the peers of `file`, with [general] defaults from the merged
  // `settings` (so peers of a second sip.conf-dialect file get the first
  // file's [general]). Appends to `accounts`.
  static Status BuildAccounts(const ConfigFile& file, const ServerSettings& settings,
                              std::vector<Account>& accounts,
                              std::vector<std::string>& warnings);

  // nat= value: comma list of yes, no, force_rport, comedia, auto_force_rport,
  // auto_comedia (auto_* act like the plain form: with no NAT the source
  // address equals the Via address anyway).
  static Status ReadNat(const ConfigEntry& entry, bool& force_rport, bool& comedia,
                        std::string& nat_setting);
};

}  // namespace sipreg::registrar
