// ServerConfig: everything sipregd is configured with — server-wide settings,
// listeners and accounts — loaded from one or more Asterisk-style files
// (`sipregd -c FILE [-c FILE...]`). Each file's dialect (sip.conf or pjsip.conf)
// is detected from its own content; the files are merged and validated as a
// whole. Errors are InvalidArgument/IoError with the message "FILE:LINE: reason"
// ("FILE: reason" when no single line is at fault). Plain data once loaded;
// a reload builds a new ServerConfig.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "registrar/account.h"
#include "registrar/ring_group.h"
#include "registrar/config_file.h"
#include "registrar/ip_acl.h"
#include "sip/digest.h"
#include "sip/endpoint.h"

namespace sipreg::registrar {

// A socket to listen on: sip.conf udpbindaddr / tcpbindaddr / tlsbindaddr, or a
// pjsip type=transport section.
struct Listener {
  std::string name;        // pjsip transport section name, or "udpbindaddr" etc.
  sip::Endpoint address;   // transport + ip + port (port 0: pick one, for tests)
  std::string cert_file;   // TLS only
  std::string key_file;    // TLS only
  SourceLocation defined_at;  // empty file: built-in default (sip.conf without udpbindaddr)
};

// sip.conf [general] values that are defaults for sip.conf peers.
struct SipPeerDefaults {
  uint32_t min_expires = 60;       // minexpiry
  uint32_t max_expires = 3600;     // maxexpiry
  uint32_t default_expires = 120;  // defaultexpiry
  std::chrono::seconds qualify_frequency{60};  // qualifyfreq
  std::string context = "default";
  bool force_rport = true;         // nat=
  bool comedia = false;
  std::string nat_setting = "force_rport";
};

// Server-wide settings: sip.conf [general] and pjsip type=global.
struct ServerSettings {
  std::string realm = "asterisk";  // sip.conf realm / pjsip global default_realm
  bool always_auth_reject = true;  // alwaysauthreject
  SipPeerDefaults sip_defaults;

  // sipreg's own keys.
  std::string state_dir = "/var/lib/sipreg";  // statedir
  std::string control_socket;  // control; default <statedir>/sipregd.ctl
  sip::Endpoint http_bind;     // httpbindaddr (port default 8088); ip empty: no HTTP server
  std::chrono::seconds nonce_lifetime{30};  // noncelifetime
  std::chrono::milliseconds commit_delay{6};  // commit_delay: group commit pacing, 0-100 ms
  // commit_delay_batch: queued updates that end the pacing early, 1-4096
  uint32_t commit_delay_batch = 16;
  std::vector<sip::DigestAlgorithm> auth_algorithms{sip::DigestAlgorithm::kSha256,
                                                    sip::DigestAlgorithm::kMd5};
  uint32_t expires_jitter_percent = 0;  // expires_jitter, 0-50
  uint32_t max_retry = 10;              // maxretry; 0 turns brute-force blocking off
  std::chrono::seconds find_time{60};   // findtime
  std::chrono::seconds ban_time{600};   // bantime
  std::vector<IpNetwork> ignore_ip;     // ignoreip: never blocked
  std::string security_log;  // securitylog; default <statedir>/security.log
  std::string log_file;      // logfile; default <statedir>/messages

  // Where each explicitly set key came from, for messages and for refusing two
  // files that set the same key differently.
  struct Origin {
    ConfigEntry entry;
    SourceLocation section;  // the [general] / type=global header it was read under
  };
  std::map<std::string, Origin> set_by;
};

struct ServerConfig {
  ServerSettings settings;
  std::vector<Listener> listeners;
  std::vector<Account> accounts;  // in file order
  // pjsip type=acl sections no endpoint refers to: like Asterisk's res_pjsip_acl
  // they apply to every request; an address must pass each of them.
  std::vector<IpAcl> global_acls;
  std::vector<RingGroup> groups;  // type=group sections, both dialects, in file order
  // "FILE:LINE: unknown key 'x' in [sec], ignored" and similar, each once.
  std::vector<std::string> warnings;
  std::vector<std::string> files;  // the files given, in order

  const Account* FindAccount(std::string_view name) const;  // by name (endpoint / peer)
  const Account* FindByAor(std::string_view aor) const;     // by what phones register to
  bool GlobalAclAllows(std::string_view ip) const;

  // Reads, merges and validates the files.
  static Result<ServerConfig> Load(const std::vector<std::string>& paths);
  static Result<ServerConfig> Load(const std::vector<std::string>& paths,
                                   const ConfigFileReader& reader);
  // One file given as text (its #includes read from disk relative to `name`).
  static Result<ServerConfig> LoadFromString(std::string_view text,
                                             const std::string& name = "sip.conf");
  // Several files given as text, loaded in the order given; #includes are looked
  // up among `files` and `includable` (texts that are only included), never on disk.
  struct NamedText {
    std::string name;
    std::string text;
  };
  static Result<ServerConfig> LoadFromStrings(const std::vector<NamedText>& files,
                                              const std::vector<NamedText>& includable = {});
};

// What `sipregd --check-config` runs: Load() plus checks that need the disk
// (TLS certificate and key files readable). Warnings, if wanted, go to *warnings.
Status CheckConfig(const std::vector<std::string>& paths,
                   std::vector<std::string>* warnings = nullptr);

// The dialect of one file: pjsip.conf when a section has a pjsip type=
// (endpoint, aor, auth, transport, acl, global, system, identify, ...), sip.conf
// otherwise; a file with both pjsip types and sip.conf markers ([general],
// type=friend|peer|user) is an error.
Result<ConfigDialect> DetectDialect(const ConfigFile& file);

// "ip", "ip:port", "[v6]", "[v6]:port" or a bare IPv6 address -> ip + port
// (default_port when absent). entry names the key in errors.
Result<sip::Endpoint> ReadBindAddress(const ConfigEntry& entry, sip::TransportKind transport,
                                      uint16_t default_port);

// Applies one of sipreg's own keys (statedir, control, httpbindaddr, noncelifetime,
// commit_delay, commit_delay_batch, auth_algorithms, expires_jitter, maxretry, findtime, bantime,
// ignoreip, securitylog, logfile) found in sip.conf [general] or a pjsip type=global section.
// Returns false when `entry` is not one of them.
Result<bool> ApplySipregKey(const ConfigEntry& entry, ServerSettings& settings);
// Records that `entry`, read in the section headed at `section`, set the setting
// `name` (default: its key; aliases such as bindaddr/udpbindaddr or
// default_realm/realm share one name); error when another section (another
// file) set it to a different value.
Status RecordSetting(const ConfigEntry& entry, const SourceLocation& section,
                     ServerSettings& settings, std::string_view name = {});

}  // namespace sipreg::registrar
