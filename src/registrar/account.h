// Account: one phone account as the registrar sees it, whatever dialect it was
// configured in (sip.conf peer/friend, or pjsip.conf endpoint + auth + aor).
// Plain data, built by the config loaders, read by the registrar, qualify and
// the admin views. Immutable once loaded; a reload builds a new set.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "registrar/ip_acl.h"
#include "sip/digest.h"
#include "sip/endpoint.h"

namespace sipreg::registrar {

enum class ConfigDialect : uint8_t { kSipConf, kPjsipConf };

// Where a setting came from, for FILE:LINE messages.
struct SourceLocation {
  std::string file;
  int line = 0;
};

struct Account {
  std::string name;           // section name: the extension / AOR user ("demo-alice")
  // What phones register to (the To user of a REGISTER): the peer name in sip.conf,
  // the AOR named in the endpoint's aors= in pjsip.conf (usually equal to `name`).
  std::string aor;
  ConfigDialect dialect = ConfigDialect::kSipConf;
  SourceLocation defined_at;

  // Authentication. `auth_username` is what the phone's Authorization username must
  // be: sip.conf defaultuser (else the peer name), pjsip auth `username`.
  std::string auth_username;
  // The credentials' own name, for `pjsip show endpoints` (pjsip: the type=auth
  // section; sip.conf: empty, the peer name is used).
  std::string auth_id;
  std::string realm;          // empty -> the server-wide realm
  sip::DigestSecret secret;   // plaintext (secret/password) or stored HA1 (md5secret/md5_cred)
  bool has_auth = true;       // false: no credentials configured (registration refused)

  // Registration.
  bool dynamic = true;        // sip.conf host=dynamic / pjsip aor: may register
  std::string static_host;    // sip.conf host=IP when not dynamic
  uint16_t static_port = 0;   // sip.conf port=
  uint32_t max_contacts = 1;
  bool remove_existing = true;
  bool remove_unavailable = false;
  uint32_t min_expires = 60;
  uint32_t max_expires = 3600;
  uint32_t default_expires = 120;

  // NAT: force_rport (route responses and requests to the source address).
  bool force_rport = true;
  bool comedia = false;       // nat=comedia / yes (media: send RTP where it comes from)
  std::string nat_setting = "force_rport";  // as configured, for `sip show peer`

  // Qualify (OPTIONS pings).
  bool qualify = false;
  std::chrono::milliseconds qualify_max_rtt{2000};   // LAGGED threshold
  std::chrono::seconds qualify_frequency{60};
  std::chrono::milliseconds qualify_timeout{3000};

  // Access control: ordered permit/deny rules (empty: everyone).
  IpAcl acl;
  // pjsip endpoint acl=NAME references (type=acl sections). Like Asterisk's ACL
  // lists, an address must pass `acl` AND every one of these.
  std::vector<IpAcl> named_acls;
  bool has_acl = false;       // shown as "A" in the ACL column

  bool AclAllows(std::string_view ip) const {
    if (!acl.Allows(ip)) return false;
    for (const IpAcl& a : named_acls) {
      if (!a.Allows(ip)) return false;
    }
    return true;
  }

  // Transports the account may use (empty: all).
  std::vector<sip::TransportKind> transports;

  std::string extension;      // sipreg key extension=6002: callers may dial it
  std::string callerid;       // "\"Alice\" <100>"
  std::string context;        // dialplan context (informational)
};

// The number of `callerid="Bob" <6002>` (or of a bare "6002"); empty if none.
inline std::string CallerIdNumber(std::string_view callerid) {
  const auto lt = callerid.rfind('<');
  const auto gt = callerid.rfind('>');
  if (lt != std::string_view::npos && gt != std::string_view::npos && gt > lt + 1) {
    return std::string(callerid.substr(lt + 1, gt - lt - 1));
  }
  if (!callerid.empty() &&
      callerid.find_first_not_of("0123456789+*#") == std::string_view::npos) {
    return std::string(callerid);
  }
  return {};
}

}  // namespace sipreg::registrar
