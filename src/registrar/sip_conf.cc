#include "registrar/sip_conf.h"

#include "registrar/ring_group.h"

#include <algorithm>
#include <cctype>
#include <optional>

#include <arpa/inet.h>
#include <fmt/format.h>

namespace sipreg::registrar {
namespace {

// Asterisk keys that do not concern registration (media, dialplan, outbound
// calls). Accepted silently: they are not mistakes, sipreg just has no use for them.
constexpr std::string_view kIgnoredGeneralKeys[] = {
    "allow", "disallow", "allowguest", "srvlookup", "language", "useragent",
    "sdpsession", "sdpowner", "localnet", "externip", "externaddr", "externhost",
    "tos_sip", "tos_audio", "tos_video", "cos_sip", "cos_audio", "cos_video",
    "register", "dtmfmode", "directmedia", "canreinvite", "videosupport",
    "allowoverlap", "allowtransfer", "autodomain", "domain", "callevents",
    "rtptimeout", "rtpholdtimeout", "jbenable", "sipdebug",
    "match_auth_username", "pedantic", "insecure", "musicclass", "mohinterpret",
    "mohsuggest", "progressinband", "trustrpid", "sendrpid", "relaxdtmf",
    "notifyringing", "notifyhold", "limitonpeers", "subscribecontext", "allowsubscribe",
};
constexpr std::string_view kIgnoredPeerKeys[] = {
    "allow", "disallow", "dtmfmode", "directmedia", "canreinvite", "insecure",
    "language", "mailbox", "call-limit", "busylevel", "videosupport", "trustrpid",
    "sendrpid", "progressinband", "musicclass", "mohinterpret", "mohsuggest",
    "fromuser", "fromdomain", "accountcode", "amaflags", "callgroup", "pickupgroup",
    "namedcallgroup", "namedpickupgroup", "subscribecontext", "allowsubscribe",
    "vmexten", "description", "setvar", "rtptimeout", "rtpholdtimeout", "t38pt_udptl",
    "encryption", "avpf", "icesupport", "force_avp", "dtlsenable", "dtlsverify",
    "dtlscertfile", "dtlsprivatekey", "dtlssetup", "cc_agent_policy", "cc_monitor_policy",
    "allowtransfer", "callcounter", "outboundproxy", "remotesecret", "regexten",
    "parkinglot", "hasvoicemail", "fullname", "cid_number",
};
// Security keys sipreg does not implement: refused rather than ignored, so an
// admin never believes an address restriction is in force when it is not.
constexpr std::string_view kUnsupportedSecurityKeys[] = {"acl", "contactacl", "contactpermit",
                                                         "contactdeny"};

bool Contains(const auto& list, std::string_view key) {
  return std::find(std::begin(list), std::end(list), key) != std::end(list);
}

std::string UnknownKey(const ConfigEntry& e) {
  return fmt::format("{}:{}: unknown key '{}' in [{}], ignored", e.where.file, e.where.line, e.key,
                     e.section);
}

bool IsHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

bool IsHostName(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
  });
}

bool IsIpLiteral(std::string_view s) {
  std::string str(s);
  unsigned char buf[16];
  return inet_pton(AF_INET, str.c_str(), buf) == 1 || inet_pton(AF_INET6, str.c_str(), buf) == 1;
}

Status ReadTransports(const ConfigEntry& e, std::vector<sip::TransportKind>& out) {
  out.clear();
  const std::vector<std::string> items = SplitList(e.value);
  if (items.empty()) return e.BadValue("a list of udp, tcp, tls");
  for (const std::string& item : items) {
    const std::string t = AsciiLower(item);
    sip::TransportKind kind;
    if (t == "udp") {
      kind = sip::TransportKind::kUdp;
    } else if (t == "tcp") {
      kind = sip::TransportKind::kTcp;
    } else if (t == "tls") {
      kind = sip::TransportKind::kTls;
    } else {
      return e.Error(fmt::format("'{}' must be a list of udp, tcp, tls, not '{}'", e.key, item));
    }
    if (std::find(out.begin(), out.end(), kind) == out.end()) out.push_back(kind);
  }
  return Status::Ok();
}

// Pass-1 state for one [general] section: bind keys are combined at the end.
struct GeneralBinds {
  const ConfigEntry* udp = nullptr;
  const ConfigEntry* bindport = nullptr;
  const ConfigEntry* tcp_enable = nullptr;
  const ConfigEntry* tcp = nullptr;
  const ConfigEntry* tls_enable = nullptr;
  const ConfigEntry* tls = nullptr;
  const ConfigEntry* tls_cert = nullptr;
  const ConfigEntry* tls_key = nullptr;
};

Status ApplyGeneralSection(const ConfigSection& section, ServerSettings& s,
                           std::vector<Listener>& listeners, std::vector<std::string>& warnings) {
  GeneralBinds b;
  SipPeerDefaults& d = s.sip_defaults;
  for (const ConfigEntry& e : section.entries) {
    const std::string& k = e.key;
    Result<bool> sipreg_key = ApplySipregKey(e, s);
    if (!sipreg_key.ok()) return sipreg_key.status();
    if (*sipreg_key) {
      SIPREG_RETURN_IF_ERROR(RecordSetting(e, section.where, s));
      continue;
    }
    if (k == "udpbindaddr" || k == "bindaddr") {
      b.udp = &e;
    } else if (k == "bindport") {
      b.bindport = &e;
    } else if (k == "tcpenable") {
      b.tcp_enable = &e;
    } else if (k == "tcpbindaddr") {
      b.tcp = &e;
    } else if (k == "tlsenable") {
      b.tls_enable = &e;
    } else if (k == "tlsbindaddr") {
      b.tls = &e;
    } else if (k == "tlscertfile") {
      b.tls_cert = &e;
    } else if (k == "tlsprivatekey") {
      b.tls_key = &e;
    } else if (k == "realm") {
      if (e.value.empty()) return e.BadValue("a realm name");
      s.realm = e.value;
    } else if (k == "minexpiry" || k == "maxexpiry" || k == "defaultexpiry") {
      Result<uint32_t> v = ReadUint(e, 1, 31536000, "seconds");
      if (!v.ok()) return v.status();
      (k == "minexpiry" ? d.min_expires : k == "maxexpiry" ? d.max_expires : d.default_expires) = *v;
    } else if (k == "alwaysauthreject") {
      Result<bool> v = ReadYesNo(e);
      if (!v.ok()) return v.status();
      s.always_auth_reject = *v;
    } else if (k == "qualifyfreq") {
      Result<uint32_t> v = ReadUint(e, 1, 86400, "seconds");
      if (!v.ok()) return v.status();
      d.qualify_frequency = std::chrono::seconds(*v);
    } else if (k == "context") {
      d.context = e.value;
    } else if (k == "nat") {
      SIPREG_RETURN_IF_ERROR(SipConf::ReadNat(e, d.force_rport, d.comedia, d.nat_setting));
    } else if (Contains(kIgnoredGeneralKeys, k)) {
      continue;
    } else {
      warnings.push_back(UnknownKey(e));
      continue;
    }
    SIPREG_RETURN_IF_ERROR(RecordSetting(e, section.where, s));
  }

  for (const ConfigEntry* e : {b.udp, b.bindport, b.tcp_enable, b.tcp, b.tls_enable, b.tls,
                               b.tls_cert, b.tls_key}) {
    if (e == nullptr) continue;
    SIPREG_RETURN_IF_ERROR(
        RecordSetting(*e, section.where, s, e->key == "bindaddr" ? "udpbindaddr" : e->key));
  }
  uint16_t udp_port = 5060;
  if (b.bindport != nullptr) {
    Result<uint32_t> p = ReadUint(*b.bindport, 0, 65535, "a port");
    if (!p.ok()) return p.status();
    udp_port = static_cast<uint16_t>(*p);
  }
  if (b.udp != nullptr || b.bindport != nullptr) {
    Listener l;
    l.name = "udpbindaddr";
    if (b.udp != nullptr) {
      Result<sip::Endpoint> a = ReadBindAddress(*b.udp, sip::TransportKind::kUdp, udp_port);
      if (!a.ok()) return a.status();
      l.address = *a;
      l.defined_at = b.udp->where;
    } else {
      l.address = {sip::TransportKind::kUdp, "0.0.0.0", udp_port};
      l.defined_at = b.bindport->where;
    }
    listeners.push_back(std::move(l));
  }
  bool tcp_on = false;
  if (b.tcp_enable != nullptr) {
    Result<bool> v = ReadYesNo(*b.tcp_enable);
    if (!v.ok()) return v.status();
    tcp_on = *v;
  }
  if (tcp_on) {
    Listener l;
    l.name = "tcpbindaddr";
    l.address = {sip::TransportKind::kTcp, "0.0.0.0", 5060};
    l.defined_at = b.tcp_enable->where;
    if (b.tcp != nullptr) {
      Result<sip::Endpoint> a = ReadBindAddress(*b.tcp, sip::TransportKind::kTcp, 5060);
      if (!a.ok()) return a.status();
      l.address = *a;
      l.defined_at = b.tcp->where;
    }
    listeners.push_back(std::move(l));
  } else if (b.tcp != nullptr) {
    warnings.push_back(fmt::format("{}:{}: 'tcpbindaddr' is set but 'tcpenable' is not yes, ignored",
                                   b.tcp->where.file, b.tcp->where.line));
  }
  bool tls_on = false;
  if (b.tls_enable != nullptr) {
    Result<bool> v = ReadYesNo(*b.tls_enable);
    if (!v.ok()) return v.status();
    tls_on = *v;
  }
  if (tls_on) {
    Listener l;
    l.name = "tlsbindaddr";
    l.address = {sip::TransportKind::kTls, "0.0.0.0", 5061};
    l.defined_at = b.tls_enable->where;
    if (b.tls != nullptr) {
      Result<sip::Endpoint> a = ReadBindAddress(*b.tls, sip::TransportKind::kTls, 5061);
      if (!a.ok()) return a.status();
      l.address = *a;
      l.defined_at = b.tls->where;
    }
    if (b.tls_cert == nullptr || b.tls_cert->value.empty()) {
      return b.tls_enable->Error("'tlsenable' is yes but 'tlscertfile' is not set");
    }
    l.cert_file = b.tls_cert->value;
    // As Asterisk: without tlsprivatekey the key is read from the certificate file.
    l.key_file = b.tls_key != nullptr && !b.tls_key->value.empty() ? b.tls_key->value : l.cert_file;
    listeners.push_back(std::move(l));
  } else if (b.tls != nullptr) {
    warnings.push_back(fmt::format("{}:{}: 'tlsbindaddr' is set but 'tlsenable' is not yes, ignored",
                                   b.tls->where.file, b.tls->where.line));
  }
  return Status::Ok();
}

Status BuildPeer(const ConfigSection& section, const ConfigEntry& type_entry,
                 const ServerSettings& s, Account& a, std::vector<std::string>& warnings) {
  const SipPeerDefaults& d = s.sip_defaults;
  const std::string type = AsciiLower(type_entry.value);
  if (type != "friend" && type != "peer" && type != "user") {
    return type_entry.BadValue("friend, peer or user");
  }
  a.name = section.name;
  a.aor = section.name;
  a.dialect = ConfigDialect::kSipConf;
  a.defined_at = section.where;
  a.auth_username = section.name;
  a.dynamic = false;
  a.max_contacts = 1;
  a.remove_existing = true;
  a.remove_unavailable = false;
  a.min_expires = d.min_expires;
  a.max_expires = d.max_expires;
  a.default_expires = d.default_expires;
  a.force_rport = d.force_rport;
  a.comedia = d.comedia;
  a.nat_setting = d.nat_setting;
  a.qualify = false;
  a.qualify_max_rtt = std::chrono::milliseconds(2000);
  a.qualify_frequency = d.qualify_frequency;
  a.context = d.context;

  std::optional<std::string> secret;
  std::optional<std::string> md5secret;
  bool host_dynamic = false;
  const ConfigEntry* host_entry = nullptr;
  for (const ConfigEntry& e : section.entries) {
    const std::string& k = e.key;
    if (k == "type") {
      continue;  // already read: the last one wins, as for every key
    } else if (k == "host") {
      host_entry = &e;
      if (AsciiLower(e.value) == "dynamic") {
        host_dynamic = true;
        a.static_host.clear();
      } else if (IsIpLiteral(e.value) || IsHostName(e.value)) {
        host_dynamic = false;
        a.static_host = e.value;
      } else {
        return e.BadValue("dynamic, an IP address or a host name");
      }
    } else if (k == "port") {
      Result<uint32_t> v = ReadUint(e, 1, 65535, "a port");
      if (!v.ok()) return v.status();
      a.static_port = static_cast<uint16_t>(*v);
    } else if (k == "secret") {
      // An empty secret is no secret, as in chan_sip (and may clear a template's).
      secret = e.value.empty() ? std::nullopt : std::optional<std::string>(e.value);
    } else if (k == "md5secret") {
      if (e.value.empty()) {
        md5secret.reset();
        continue;
      }
      if (e.value.size() != 32 || !IsHex(e.value)) return e.BadValue("32 hex digits");
      md5secret = AsciiLower(e.value);
    } else if (k == "defaultuser" || k == "username") {
      a.auth_username = e.value.empty() ? section.name : e.value;
    } else if (k == "callerid") {
      a.callerid = e.value;
    } else if (k == "extension") {
      if (e.value.empty() || e.value.find_first_of(" \t;,<>\"@:") != std::string::npos) {
        return e.BadValue("an extension number or name (no spaces, ;,<>\"@:)");
      }
      a.extension = e.value;
    } else if (k == "context") {
      a.context = e.value;
    } else if (k == "qualify") {
      const std::string v = AsciiLower(e.value);
      uint32_t ms = 0;
      if (v == "yes" || v == "true" || v == "on") {
        ms = 2000;
      } else if (v == "no" || v == "false" || v == "off") {
        ms = 0;
      } else {
        Result<uint32_t> n = ReadUint(e, 0, 600000, "milliseconds");
        if (!n.ok()) return e.BadValue("yes, no or milliseconds");
        ms = *n;
      }
      a.qualify = ms > 0;
      if (ms > 0) a.qualify_max_rtt = std::chrono::milliseconds(ms);
    } else if (k == "qualifyfreq") {
      Result<uint32_t> v = ReadUint(e, 1, 86400, "seconds");
      if (!v.ok()) return v.status();
      a.qualify_frequency = std::chrono::seconds(*v);
    } else if (k == "nat") {
      SIPREG_RETURN_IF_ERROR(SipConf::ReadNat(e, a.force_rport, a.comedia, a.nat_setting));
    } else if (k == "permit" || k == "deny") {
      SIPREG_RETURN_IF_ERROR(ReadPermitDeny(e, a.acl));
      a.has_acl = true;
    } else if (k == "transport") {
      SIPREG_RETURN_IF_ERROR(ReadTransports(e, a.transports));
    } else if (k == "max_contacts") {
      Result<uint32_t> v = ReadUint(e, 1, 65535, "a number of contacts");
      if (!v.ok()) return v.status();
      a.max_contacts = *v;
    } else if (k == "remove_existing") {
      Result<bool> v = ReadYesNo(e);
      if (!v.ok()) return v.status();
      a.remove_existing = *v;
    } else if (Contains(kUnsupportedSecurityKeys, k)) {
      return e.Error(fmt::format("'{}' is not supported by sipreg; use permit= and deny=", k));
    } else if (!Contains(kIgnoredPeerKeys, k)) {
      warnings.push_back(UnknownKey(e));
    }
  }
  // Unanswered OPTIONS count as lost after twice the LAGGED threshold (chan_sip's rule).
  a.qualify_timeout = a.qualify_max_rtt * 2;
  a.dynamic = host_dynamic && type != "user";
  a.has_auth = secret.has_value() || md5secret.has_value();
  a.secret = sip::DigestSecret{};
  if (secret) a.secret.password = *secret;
  if (md5secret) a.secret.ha1_md5 = *md5secret;
  if (a.dynamic && !a.has_auth) {
    warnings.push_back(fmt::format("{}:{}: peer '{}' has no secret or md5secret: its "
                                   "registrations will be refused",
                                   section.where.file, section.where.line, section.name));
  }
  if (!a.dynamic && host_entry == nullptr && type != "user") {
    warnings.push_back(fmt::format("{}:{}: peer '{}' has no 'host': it may not register "
                                   "(set host=dynamic)",
                                   section.where.file, section.where.line, section.name));
  }
  return Status::Ok();
}

}  // namespace

Status SipConf::ReadNat(const ConfigEntry& entry, bool& force_rport, bool& comedia,
                        std::string& nat_setting) {
  const std::vector<std::string> items = SplitList(entry.value);
  if (items.empty()) {
    return entry.BadValue("a list of yes, no, force_rport, comedia, auto_force_rport, auto_comedia");
  }
  bool rport = false;
  bool media = false;
  std::string setting;
  for (const std::string& item : items) {
    const std::string v = AsciiLower(item);
    if (v == "yes") {
      rport = media = true;
    } else if (v == "no") {
      rport = media = false;
    } else if (v == "force_rport" || v == "auto_force_rport") {
      rport = true;
    } else if (v == "comedia" || v == "auto_comedia") {
      media = true;
    } else {
      return entry.Error(fmt::format("'{}' must be a list of yes, no, force_rport, comedia, "
                                     "auto_force_rport, auto_comedia, not '{}'",
                                     entry.key, item));
    }
    if (!setting.empty()) setting += ',';
    setting += v;
  }
  force_rport = rport;
  comedia = media;
  nat_setting = setting;
  return Status::Ok();
}

Status SipConf::ApplyGeneral(const ConfigFile& file, ServerSettings& settings,
                             std::vector<Listener>& listeners,
                             std::vector<std::string>& warnings) {
  for (const ConfigSection& section : file.sections()) {
    if (AsciiLower(section.name) != "general") continue;
    SIPREG_RETURN_IF_ERROR(ApplyGeneralSection(section, settings, listeners, warnings));
  }
  return Status::Ok();
}

Status SipConf::BuildAccounts(const ConfigFile& file, const ServerSettings& settings,
                              std::vector<Account>& accounts,
                              std::vector<std::string>& warnings) {
  const std::vector<ConfigSection>& sections = file.sections();
  for (size_t i = 0; i < sections.size(); ++i) {
    const ConfigSection& section = sections[i];
    for (size_t j = 0; j < i; ++j) {
      if (sections[j].name == section.name) {
        return Status::InvalidArgument(fmt::format("{}:{}: duplicate section '{}'",
                                                   section.where.file, section.where.line,
                                                   section.name));
      }
    }
    if (section.is_template) continue;
    const std::string lower = AsciiLower(section.name);
    if (lower == "general") continue;
    if (lower == "authentication") {
      warnings.push_back(fmt::format("{}:{}: [authentication] (outbound credentials) is not "
                                     "used by sipreg, ignored",
                                     section.where.file, section.where.line));
      continue;
    }
    const ConfigEntry* type = section.Find("type");
    if (type == nullptr) {
      warnings.push_back(fmt::format("{}:{}: section [{}] has no 'type', ignored",
                                     section.where.file, section.where.line, section.name));
      continue;
    }
    if (IsRingGroupSection(section)) continue;  // read by ServerConfig (ring_group.h)
    Account account;
    SIPREG_RETURN_IF_ERROR(BuildPeer(section, *type, settings, account, warnings));
    accounts.push_back(std::move(account));
  }
  return Status::Ok();
}

}  // namespace sipreg::registrar
