#include "registrar/server_config.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <set>

#include <fmt/format.h>

#include "registrar/pjsip_conf.h"
#include "registrar/sip_conf.h"

namespace sipreg::registrar {
namespace {

constexpr std::string_view kPjsipTypes[] = {
    "endpoint",     "aor",       "auth",      "transport",        "acl",
    "global",       "system",    "identify",  "registration",     "domain_alias",
    "contact",      "phoneprov", "resource_list", "outbound-publish", "inbound-publish",
    "asterisk-publication",
};

std::string At(const SourceLocation& w) { return fmt::format("{}:{}", w.file, w.line); }

bool IsIp(const std::string& s, bool v6) {
  unsigned char buf[16];
  return inet_pton(v6 ? AF_INET6 : AF_INET, s.c_str(), buf) == 1;
}

Status ReadPath(const ConfigEntry& e, std::string& out) {
  if (e.value.empty()) return e.BadValue("a path");
  out = e.value;
  return Status::Ok();
}

Status ReadAlgorithms(const ConfigEntry& e, std::vector<sip::DigestAlgorithm>& out) {
  std::vector<sip::DigestAlgorithm> algs;
  const std::vector<std::string> items = SplitList(e.value);
  if (items.empty()) return e.BadValue("a list of md5, sha-256, sha-512-256");
  for (const std::string& item : items) {
    const std::string name = AsciiLower(item);
    sip::DigestAlgorithm alg;
    if (name == "md5") {
      alg = sip::DigestAlgorithm::kMd5;
    } else if (name == "sha-256") {
      alg = sip::DigestAlgorithm::kSha256;
    } else if (name == "sha-512-256") {
      alg = sip::DigestAlgorithm::kSha512_256;
    } else {
      return e.Error(fmt::format("'{}' must be a list of md5, sha-256, sha-512-256, not '{}'",
                                 e.key, item));
    }
    if (std::find(algs.begin(), algs.end(), alg) != algs.end()) {
      return e.Error(fmt::format("'{}' lists '{}' twice", e.key, name));
    }
    algs.push_back(alg);
  }
  out = std::move(algs);
  return Status::Ok();
}

Status ReadNetworks(const ConfigEntry& e, std::vector<IpNetwork>& out) {
  std::vector<IpNetwork> nets;
  for (const std::string& item : SplitList(e.value)) {
    Result<IpNetwork> n = IpNetwork::Parse(item);
    if (!n.ok()) {
      return e.Error(fmt::format("'{}' must be a list of networks such as 10.0.0.0/8, not '{}': {}",
                                 e.key, item, n.status().message()));
    }
    nets.push_back(*n);
  }
  out = std::move(nets);
  return Status::Ok();
}

std::string Describe(const Listener& l) {
  return fmt::format("{} {}", AsciiLower(sip::TransportName(l.address.transport)),
                     l.address.ToString());
}

bool Set(const ServerSettings& s, std::string_view key) { return s.set_by.count(std::string(key)); }

// FILE:LINE of the first of `keys` that was set explicitly, else "FILE".
std::string WhereSet(const ServerSettings& s, std::initializer_list<std::string_view> keys,
                     const std::string& fallback) {
  for (std::string_view k : keys) {
    auto it = s.set_by.find(std::string(k));
    if (it != s.set_by.end()) return At(it->second.entry.where);
  }
  return fallback;
}

Status ValidateSettings(const ServerSettings& s, const std::string& first_file) {
  const SipPeerDefaults& d = s.sip_defaults;
  if (d.min_expires > d.max_expires) {
    return Status::InvalidArgument(
        fmt::format("{}: 'minexpiry' ({}) is above 'maxexpiry' ({})",
                    WhereSet(s, {"minexpiry", "maxexpiry"}, first_file), d.min_expires,
                    d.max_expires));
  }
  if (d.default_expires < d.min_expires || d.default_expires > d.max_expires) {
    return Status::InvalidArgument(fmt::format(
        "{}: 'defaultexpiry' ({}) must be between 'minexpiry' ({}) and 'maxexpiry' ({})",
        WhereSet(s, {"defaultexpiry", "minexpiry", "maxexpiry"}, first_file), d.default_expires,
        d.min_expires, d.max_expires));
  }
  return Status::Ok();
}

Status CheckListeners(const std::vector<Listener>& listeners) {
  for (size_t i = 0; i < listeners.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (listeners[i].address == listeners[j].address && listeners[i].address.port != 0) {
        return Status::InvalidArgument(fmt::format("{}: {} is already a listener (defined at {})",
                                                   At(listeners[i].defined_at),
                                                   Describe(listeners[i]),
                                                   At(listeners[j].defined_at)));
      }
    }
  }
  return Status::Ok();
}

Status CheckUniqueAccounts(const std::vector<Account>& accounts) {
  std::map<std::string, const Account*> names;
  std::map<std::string, const Account*> aors;
  for (const Account& a : accounts) {
    auto [n, new_name] = names.emplace(a.name, &a);
    if (!new_name) {
      return Status::AlreadyExists(fmt::format("{}: account '{}' is already defined at {}",
                                               At(a.defined_at), a.name,
                                               At(n->second->defined_at)));
    }
    auto [r, new_aor] = aors.emplace(a.aor, &a);
    if (!new_aor) {
      return Status::AlreadyExists(fmt::format(
          "{}: '{}' registers to '{}', which '{}' at {} already registers to", At(a.defined_at),
          a.name, a.aor, r->second->name, At(r->second->defined_at)));
    }
  }
  return Status::Ok();
}

Result<ServerConfig> LoadImpl(const std::vector<std::string>& paths,
                              const ConfigFileReader& reader) {
  if (paths.empty()) return Status::InvalidArgument("no configuration file given");
  std::vector<ConfigFile> files;
  std::vector<ConfigDialect> dialects;
  for (const std::string& path : paths) {
    Result<ConfigFile> f = ConfigFile::Load(path, reader);
    if (!f.ok()) return f.status();
    Result<ConfigDialect> d = DetectDialect(*f);
    if (!d.ok()) return d.status();
    files.push_back(std::move(*f));
    dialects.push_back(*d);
  }

  ServerConfig cfg;
  cfg.files = paths;
  std::vector<const ConfigFile*> pjsip_files;
  bool any_sip = false;
  for (size_t i = 0; i < files.size(); ++i) {
    if (dialects[i] == ConfigDialect::kPjsipConf) {
      pjsip_files.push_back(&files[i]);
    } else {
      any_sip = true;
    }
  }

  // Pass 1: server-wide settings and listeners from every file.
  for (size_t i = 0; i < files.size(); ++i) {
    if (dialects[i] != ConfigDialect::kSipConf) continue;
    SIPREG_RETURN_IF_ERROR(
        SipConf::ApplyGeneral(files[i], cfg.settings, cfg.listeners, cfg.warnings));
  }
  if (!pjsip_files.empty()) {
    SIPREG_RETURN_IF_ERROR(
        PjsipConf::ApplyGlobals(pjsip_files, cfg.settings, cfg.listeners, cfg.warnings));
  }
  if (any_sip) {
    // chan_sip listens on UDP 0.0.0.0:5060 when [general] names no udpbindaddr.
    const bool has_udp = std::any_of(cfg.listeners.begin(), cfg.listeners.end(),
                                     [](const Listener& l) { return l.name == "udpbindaddr"; });
    const sip::Endpoint def{sip::TransportKind::kUdp, "0.0.0.0", 5060};
    const bool taken = std::any_of(cfg.listeners.begin(), cfg.listeners.end(),
                                   [&](const Listener& l) { return l.address == def; });
    if (!has_udp && !taken) {
      Listener l;
      l.name = "udpbindaddr";
      l.address = def;
      cfg.listeners.insert(cfg.listeners.begin(), std::move(l));
    }
  }
  if (cfg.listeners.empty()) {
    return Status::InvalidArgument(fmt::format(
        "{}: no listener: add a type=transport section (pjsip.conf) or udpbindaddr in "
        "[general] (sip.conf)",
        paths.front()));
  }
  SIPREG_RETURN_IF_ERROR(CheckListeners(cfg.listeners));
  SIPREG_RETURN_IF_ERROR(ValidateSettings(cfg.settings, paths.front()));

  ServerSettings& s = cfg.settings;
  if (!Set(s, "control")) s.control_socket = s.state_dir + "/sipregd.ctl";
  if (!Set(s, "securitylog")) s.security_log = s.state_dir + "/security.log";
  if (!Set(s, "logfile")) s.log_file = s.state_dir + "/messages";

  // Pass 2: accounts, in file order (pjsip files together: they refer to each other).
  bool pjsip_done = false;
  for (size_t i = 0; i < files.size(); ++i) {
    if (dialects[i] == ConfigDialect::kSipConf) {
      SIPREG_RETURN_IF_ERROR(
          SipConf::BuildAccounts(files[i], cfg.settings, cfg.accounts, cfg.warnings));
    } else if (!pjsip_done) {
      pjsip_done = true;
      SIPREG_RETURN_IF_ERROR(PjsipConf::BuildAccounts(pjsip_files, cfg.settings, cfg.accounts,
                                                      cfg.global_acls, cfg.warnings));
    }
  }
  SIPREG_RETURN_IF_ERROR(CheckUniqueAccounts(cfg.accounts));
  for (const ConfigFile& f : files) {
    for (const ConfigSection& section : f.sections()) {
      if (!IsRingGroupSection(section)) continue;
      auto g = ReadRingGroup(section, cfg.warnings);
      if (!g.ok()) return g.status();
      cfg.groups.push_back(std::move(g).value());
    }
  }
  SIPREG_RETURN_IF_ERROR(CheckRingGroups(cfg.groups, cfg.accounts));

  // The same template line can be reported for every section inheriting it.
  std::set<std::string> seen;
  std::vector<std::string> warnings;
  for (std::string& w : cfg.warnings) {
    if (seen.insert(w).second) warnings.push_back(std::move(w));
  }
  cfg.warnings = std::move(warnings);
  return cfg;
}

}  // namespace

Result<ConfigDialect> DetectDialect(const ConfigFile& file) {
  const ConfigEntry* pjsip_marker = nullptr;
  std::string sip_marker;
  for (const ConfigSection& section : file.sections()) {
    if (sip_marker.empty() && AsciiLower(section.name) == "general") {
      sip_marker = fmt::format("[general] at {}", At(section.where));
    }
    for (const ConfigEntry& e : section.entries) {
      if (e.key != "type") continue;
      const std::string t = AsciiLower(e.value);
      if (pjsip_marker == nullptr &&
          std::find(std::begin(kPjsipTypes), std::end(kPjsipTypes), t) != std::end(kPjsipTypes)) {
        pjsip_marker = &e;
      }
      if (sip_marker.empty() && (t == "friend" || t == "peer" || t == "user")) {
        sip_marker = fmt::format("type={} at {}", t, At(e.where));
      }
    }
  }
  if (pjsip_marker == nullptr) return ConfigDialect::kSipConf;
  if (!sip_marker.empty()) {
    return Status::InvalidArgument(fmt::format(
        "{}: mixes pjsip.conf sections (type={} at {}) with sip.conf ones ({}); give them as "
        "separate files",
        file.path(), AsciiLower(pjsip_marker->value), At(pjsip_marker->where), sip_marker));
  }
  return ConfigDialect::kPjsipConf;
}

Result<sip::Endpoint> ReadBindAddress(const ConfigEntry& entry, sip::TransportKind transport,
                                      uint16_t default_port) {
  const std::string& v = entry.value;
  const Status bad = entry.BadValue("IP[:PORT] (IPv6 as [::1]:5060)");
  sip::Endpoint ep;
  ep.transport = transport;
  ep.port = default_port;
  std::string_view port_text;
  bool v6 = false;
  if (!v.empty() && v.front() == '[') {
    const size_t close = v.find(']');
    if (close == std::string::npos) return bad;
    ep.ip = v.substr(1, close - 1);
    v6 = true;
    const std::string_view rest = std::string_view(v).substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return bad;
      port_text = rest.substr(1);
      if (port_text.empty()) return bad;
    }
  } else if (std::count(v.begin(), v.end(), ':') > 1) {
    ep.ip = v;  // bare IPv6 address, no port
    v6 = true;
  } else {
    const size_t colon = v.find(':');
    ep.ip = v.substr(0, colon);
    if (colon != std::string::npos) {
      port_text = std::string_view(v).substr(colon + 1);
      if (port_text.empty()) return bad;
    }
  }
  if (!IsIp(ep.ip, v6)) return bad;
  if (!port_text.empty()) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
      return bad;
    }
    ep.port = static_cast<uint16_t>(port);
  }
  return ep;
}

Result<bool> ApplySipregKey(const ConfigEntry& e, ServerSettings& s) {
  const std::string& k = e.key;
  Result<uint32_t> n = 0u;
  if (k == "statedir") {
    SIPREG_RETURN_IF_ERROR(ReadPath(e, s.state_dir));
  } else if (k == "control") {
    SIPREG_RETURN_IF_ERROR(ReadPath(e, s.control_socket));
  } else if (k == "securitylog") {
    SIPREG_RETURN_IF_ERROR(ReadPath(e, s.security_log));
  } else if (k == "logfile") {
    s.log_file = e.value;  // empty: no log file
  } else if (k == "httpbindaddr") {
    Result<sip::Endpoint> ep = ReadBindAddress(e, sip::TransportKind::kTcp, 8088);
    if (!ep.ok()) return ep.status();
    s.http_bind = *ep;
  } else if (k == "noncelifetime") {
    if (!(n = ReadUint(e, 1, 86400, "seconds")).ok()) return n.status();
    s.nonce_lifetime = std::chrono::seconds(*n);
  } else if (k == "commit_delay") {
    if (!(n = ReadUint(e, 0, 100, "milliseconds")).ok()) return n.status();
    s.commit_delay = std::chrono::milliseconds(*n);
  } else if (k == "commit_delay_batch") {
    if (!(n = ReadUint(e, 1, 4096, "registrations")).ok()) return n.status();
    s.commit_delay_batch = *n;
  } else if (k == "auth_algorithms") {
    SIPREG_RETURN_IF_ERROR(ReadAlgorithms(e, s.auth_algorithms));
  } else if (k == "expires_jitter") {
    if (!(n = ReadUint(e, 0, 50, "percent")).ok()) return n.status();
    s.expires_jitter_percent = *n;
  } else if (k == "maxretry") {
    if (!(n = ReadUint(e, 0, 1000000, "failures")).ok()) return n.status();
    s.max_retry = *n;
  } else if (k == "findtime" || k == "bantime") {
    if (!(n = ReadUint(e, 1, 31536000, "seconds")).ok()) return n.status();
    (k == "findtime" ? s.find_time : s.ban_time) = std::chrono::seconds(*n);
  } else if (k == "ignoreip") {
    SIPREG_RETURN_IF_ERROR(ReadNetworks(e, s.ignore_ip));
  } else {
    return false;
  }
  return true;
}

Status RecordSetting(const ConfigEntry& entry, const SourceLocation& section,
                     ServerSettings& settings, std::string_view name) {
  const std::string key(name.empty() ? std::string_view(entry.key) : name);
  auto it = settings.set_by.find(key);
  if (it != settings.set_by.end()) {
    const ServerSettings::Origin& prev = it->second;
    const bool same_section =
        prev.section.file == section.file && prev.section.line == section.line;
    if (!same_section && prev.entry.value != entry.value) {
      return entry.Error(fmt::format("'{}' is set to '{}' here but to '{}' at {}", entry.key,
                                     entry.value, prev.entry.value, At(prev.entry.where)));
    }
  }
  settings.set_by[key] = {entry, section};
  return Status::Ok();
}

const Account* ServerConfig::FindAccount(std::string_view name) const {
  for (const Account& a : accounts) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

const Account* ServerConfig::FindByAor(std::string_view aor) const {
  for (const Account& a : accounts) {
    if (a.aor == aor) return &a;
  }
  return nullptr;
}

bool ServerConfig::GlobalAclAllows(std::string_view ip) const {
  return std::all_of(global_acls.begin(), global_acls.end(),
                     [&](const IpAcl& acl) { return acl.Allows(ip); });
}

Result<ServerConfig> ServerConfig::Load(const std::vector<std::string>& paths) {
  return LoadImpl(paths, ConfigFile::ReadFromDisk);
}

Result<ServerConfig> ServerConfig::Load(const std::vector<std::string>& paths,
                                        const ConfigFileReader& reader) {
  return LoadImpl(paths, reader);
}

Result<ServerConfig> ServerConfig::LoadFromString(std::string_view text, const std::string& name) {
  const std::string content(text);
  const ConfigFileReader reader = [&](const std::string& path) -> Result<std::string> {
    if (path == name) return content;
    return ConfigFile::ReadFromDisk(path);
  };
  return LoadImpl({name}, reader);
}

Result<ServerConfig> ServerConfig::LoadFromStrings(const std::vector<NamedText>& files,
                                                   const std::vector<NamedText>& includable) {
  std::vector<std::string> paths;
  for (const NamedText& f : files) paths.push_back(f.name);
  const ConfigFileReader reader = [&](const std::string& path) -> Result<std::string> {
    for (const std::vector<NamedText>* list : {&files, &includable}) {
      for (const NamedText& f : *list) {
        if (f.name == path) return f.text;
      }
    }
    return Status::NotFound("No such file or directory");
  };
  return LoadImpl(paths, reader);
}

Status CheckConfig(const std::vector<std::string>& paths, std::vector<std::string>* warnings) {
  Result<ServerConfig> cfg = ServerConfig::Load(paths);
  if (!cfg.ok()) return cfg.status();
  for (const Listener& l : cfg->listeners) {
    if (l.address.transport != sip::TransportKind::kTls) continue;
    for (const std::string* file : {&l.cert_file, &l.key_file}) {
      if (std::ifstream(*file).good()) continue;
      return Status::IoError(fmt::format("{}: cannot read TLS {} file '{}' of listener {}",
                                         At(l.defined_at),
                                         file == &l.cert_file ? "certificate" : "private key",
                                         *file, Describe(l)));
    }
  }
  if (warnings != nullptr) *warnings = cfg->warnings;
  return Status::Ok();
}

}  // namespace sipreg::registrar
