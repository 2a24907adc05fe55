#include "registrar/pjsip_conf.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <utility>

#include <fmt/format.h>

namespace sipreg::registrar {
namespace {

// Asterisk keys that do not concern registration: accepted silently.
constexpr std::string_view kIgnoredKeys[] = {
    // endpoint
    "allow", "disallow", "direct_media", "dtmf_mode", "rewrite_contact", "ice_support",
    "mailboxes", "from_user", "from_domain", "outbound_auth", "identify_by", "language",
    "media_encryption", "use_avpf", "webrtc", "trust_id_inbound", "trust_id_outbound",
    "send_pai", "send_rpid", "device_state_busy_at", "call_group", "pickup_group",
    "named_call_group", "named_pickup_group", "moh_suggest", "allow_subscribe",
    "sub_min_expiry", "subscribe_context", "timers", "timers_min_se", "timers_sess_expires",
    "t38_udptl", "t38_udptl_ec", "t38_udptl_nat", "fax_detect", "tos_audio", "tos_video",
    "cos_audio", "cos_video", "message_context", "accountcode", "set_var", "100rel",
    "aggregate_mwi", "voicemail_extension", "allow_transfer", "inband_progress",
    "direct_media_method", "connected_line_method", "rtp_timeout", "rtp_timeout_hold",
    "outbound_proxy", "media_address", "bind_rtp_to_media_address", "callerid_privacy",
    "callerid_tag", "sdp_owner", "sdp_session", "max_audio_streams", "max_video_streams",
    "bundle", "dtls_auto_generate_cert", "dtls_verify", "dtls_setup", "dtls_cert_file",
    "dtls_private_key", "dtls_ca_file", "rtp_ipv6", "user_eq_phone", "moh_passthrough",
    // aor
    "authenticate_qualify", "mailboxes", "support_path", "voicemail_extension",
    "outbound_proxy", "qualify_2xx_only",
    // auth
    "nonce_lifetime", "oauth_clientid", "oauth_secret", "refresh_token",
    // transport
    "method", "local_net", "external_media_address", "external_signaling_address",
    "external_signaling_port", "tos", "cos", "allow_reload", "symmetric_transport",
    "ca_list_file", "ca_list_path", "verify_client", "verify_server", "require_client_cert",
    "cipher", "password", "async_operations", "websocket_write_timeout", "domain",
    "allow_wildcard_certs",
    // global
    "max_forwards", "user_agent", "keep_alive_interval", "contact_expiration_check_interval",
    "disable_multi_domain", "endpoint_identifier_order", "default_outbound_endpoint", "debug",
    "max_initial_qualify_time", "unidentified_request_count", "unidentified_request_period",
    "unidentified_request_prune_interval", "default_from_user", "default_voicemail_extension",
    "regcontext", "mwi_tps_queue_high", "mwi_tps_queue_low", "mwi_disable_initial_unsolicited",
    "ignore_uri_user_options", "use_callerid_contact", "send_contact_status_on_update_registration",
    "taskprocessor_overload_trigger", "norefersub", "allow_sending_180_after_183",
};
// Security keys sipreg does not implement: refused rather than ignored.
constexpr std::string_view kUnsupportedSecurityKeys[] = {"contact_acl", "contact_permit",
                                                         "contact_deny"};
// pjsip types sipreg has no use for.
constexpr std::string_view kUnusedTypes[] = {
    "system", "identify", "registration", "domain_alias", "contact", "phoneprov",
    "outbound-publish", "inbound-publish", "resource_list", "asterisk-publication",
};

bool Contains(const auto& list, std::string_view key) {
  return std::find(std::begin(list), std::end(list), key) != std::end(list);
}

std::string At(const SourceLocation& w) { return fmt::format("{}:{}", w.file, w.line); }

std::string UnknownKey(const ConfigEntry& e) {
  return fmt::format("{}:{}: unknown key '{}' in [{}], ignored", e.where.file, e.where.line, e.key,
                     e.section);
}

Status UnknownOrIgnored(const ConfigEntry& e, std::vector<std::string>& warnings) {
  if (Contains(kUnsupportedSecurityKeys, e.key)) {
    return e.Error(fmt::format("'{}' is not supported by sipreg; use permit= and deny=", e.key));
  }
  if (!Contains(kIgnoredKeys, e.key)) warnings.push_back(UnknownKey(e));
  return Status::Ok();
}

struct Object {
  const ConfigSection* section = nullptr;
  const ConfigEntry* type = nullptr;
};

// (type, name) -> section, across every pjsip file; validates types and duplicates.
struct Index {
  std::map<std::pair<std::string, std::string>, Object> objects;
  std::vector<Object> in_order;

  Status Add(const ConfigSection& section, std::vector<std::string>& warnings) {
    if (section.is_template) return Status::Ok();
    const ConfigEntry* type = section.Find("type");
    if (type == nullptr) {
      warnings.push_back(fmt::format("{}: section [{}] has no 'type', ignored", At(section.where),
                                     section.name));
      return Status::Ok();
    }
    const std::string t = AsciiLower(type->value);
    if (t == "group") return Status::Ok();  // sipreg's ring groups: read by ServerConfig
    if (Contains(kUnusedTypes, t)) {
      warnings.push_back(fmt::format("{}: [{}] type={} is not used by sipreg, ignored",
                                     At(section.where), section.name, t));
      return Status::Ok();
    }
    if (t != "endpoint" && t != "aor" && t != "auth" && t != "transport" && t != "acl" &&
        t != "global") {
      return type->BadValue("endpoint, aor, auth, transport, acl or global");
    }
    auto [it, inserted] = objects.emplace(std::make_pair(t, section.name), Object{&section, type});
    if (!inserted) {
      return Status::InvalidArgument(fmt::format("{}: duplicate type={} section '{}' (first at {})",
                                                 At(section.where), t, section.name,
                                                 At(it->second.section->where)));
    }
    in_order.push_back({&section, type});
    return Status::Ok();
  }

  static Result<Index> Build(const std::vector<const ConfigFile*>& files,
                             std::vector<std::string>& warnings) {
    Index index;
    for (const ConfigFile* f : files) {
      for (const ConfigSection& s : f->sections()) {
        SIPREG_RETURN_IF_ERROR(index.Add(s, warnings));
      }
    }
    return index;
  }

  const Object* Get(const std::string& type, const std::string& name) const {
    auto it = objects.find({type, name});
    return it == objects.end() ? nullptr : &it->second;
  }
};

std::string TypeOf(const Object& o) { return AsciiLower(o.type->value); }

struct Auth {
  std::string username;
  std::string realm;
  sip::DigestSecret secret;
};

Result<Auth> ReadAuth(const ConfigSection& s, std::vector<std::string>& warnings) {
  Auth auth;
  std::string auth_type = "userpass";
  const ConfigEntry* password = nullptr;
  const ConfigEntry* md5_cred = nullptr;
  const ConfigEntry* type_entry = nullptr;
  for (const ConfigEntry& e : s.entries) {
    if (e.key == "type") continue;
    if (e.key == "auth_type") {
      auth_type = AsciiLower(e.value);
      type_entry = &e;
      if (auth_type != "userpass" && auth_type != "md5") return e.BadValue("userpass or md5");
    } else if (e.key == "username") {
      auth.username = e.value;
    } else if (e.key == "password") {
      password = &e;
    } else if (e.key == "md5_cred") {
      if (e.value.size() != 32 ||
          !std::all_of(e.value.begin(), e.value.end(),
                       [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; })) {
        return e.BadValue("32 hex digits");
      }
      md5_cred = &e;
    } else if (e.key == "realm") {
      auth.realm = e.value;
    } else {
      SIPREG_RETURN_IF_ERROR(UnknownOrIgnored(e, warnings));
    }
  }
  const std::string where = At(s.where);
  if (auth.username.empty()) {
    return Status::InvalidArgument(fmt::format("{}: auth '{}' has no 'username'", where, s.name));
  }
  if (auth_type == "userpass") {
    if (password == nullptr) {
      return Status::InvalidArgument(
          fmt::format("{}: auth '{}' (auth_type=userpass) has no 'password'", where, s.name));
    }
    auth.secret = sip::DigestSecret::FromPassword(password->value);
  } else {
    if (md5_cred == nullptr) {
      return type_entry->Error(fmt::format("auth '{}' (auth_type=md5) has no 'md5_cred'", s.name));
    }
    auth.secret = sip::DigestSecret::FromHa1(sip::DigestAlgorithm::kMd5, AsciiLower(md5_cred->value));
  }
  return auth;
}

struct Aor {
  uint32_t max_contacts = 1;
  bool remove_existing = true;
  bool remove_unavailable = false;
  uint32_t min_expires = PjsipConf::kDefaultMinExpiration;
  uint32_t max_expires = PjsipConf::kDefaultMaxExpiration;
  uint32_t default_expires = PjsipConf::kDefaultExpiration;
  uint32_t qualify_frequency = 0;
  uint32_t qualify_timeout_ms = 3000;
};

Result<Aor> ReadAor(const ConfigSection& s, std::vector<std::string>& warnings) {
  Aor aor;
  const ConfigEntry* max_contacts = nullptr;
  for (const ConfigEntry& e : s.entries) {
    const std::string& k = e.key;
    Result<uint32_t> n = 0u;
    Result<bool> b = false;
    if (k == "type") {
      continue;
    } else if (k == "max_contacts") {
      max_contacts = &e;
      if (!(n = ReadUint(e, 0, 65535, "a number of contacts")).ok()) return n.status();
      aor.max_contacts = *n;
    } else if (k == "remove_existing" || k == "remove_unavailable") {
      if (!(b = ReadYesNo(e)).ok()) return b.status();
      (k == "remove_existing" ? aor.remove_existing : aor.remove_unavailable) = *b;
    } else if (k == "minimum_expiration" || k == "maximum_expiration" ||
               k == "default_expiration") {
      if (!(n = ReadUint(e, 1, 31536000, "seconds")).ok()) return n.status();
      (k == "minimum_expiration"   ? aor.min_expires
       : k == "maximum_expiration" ? aor.max_expires
                                   : aor.default_expires) = *n;
    } else if (k == "qualify_frequency") {
      if (!(n = ReadUint(e, 0, 86400, "seconds")).ok()) return n.status();
      aor.qualify_frequency = *n;
    } else if (k == "qualify_timeout") {
      if (!(n = ReadSecondsAsMs(e, 600000)).ok()) return n.status();
      aor.qualify_timeout_ms = *n;
    } else {
      SIPREG_RETURN_IF_ERROR(UnknownOrIgnored(e, warnings));
    }
  }
  if (max_contacts != nullptr && aor.max_contacts == 0) {
    warnings.push_back(fmt::format("{}: max_contacts=0 refuses every registration to aor '{}' "
                                   "(as in Asterisk)",
                                   At(max_contacts->where), s.name));
  }
  if (aor.min_expires > aor.max_expires || aor.default_expires < aor.min_expires ||
      aor.default_expires > aor.max_expires) {
    return Status::InvalidArgument(fmt::format(
        "{}: aor '{}' needs minimum_expiration ({}) <= default_expiration ({}) <= "
        "maximum_expiration ({})",
        At(s.where), s.name, aor.min_expires, aor.default_expires, aor.max_expires));
  }
  return aor;
}

Result<IpAcl> ReadAcl(const ConfigSection& s, std::vector<std::string>& warnings) {
  IpAcl acl;
  for (const ConfigEntry& e : s.entries) {
    if (e.key == "type") continue;
    if (e.key == "permit" || e.key == "deny") {
      SIPREG_RETURN_IF_ERROR(ReadPermitDeny(e, acl));
    } else if (e.key == "acl") {
      return e.Error("'acl' (named ACLs from acl.conf) is not supported by sipreg; use permit= "
                     "and deny=");
    } else {
      SIPREG_RETURN_IF_ERROR(UnknownOrIgnored(e, warnings));
    }
  }
  return acl;
}

Result<Listener> ReadTransport(const ConfigSection& s, std::vector<std::string>& warnings) {
  Listener l;
  l.name = s.name;
  l.defined_at = s.where;
  sip::TransportKind kind = sip::TransportKind::kUdp;
  const ConfigEntry* bind = nullptr;
  for (const ConfigEntry& e : s.entries) {
    if (e.key == "type") continue;
    if (e.key == "protocol") {
      const std::string p = AsciiLower(e.value);
      if (p == "udp") {
        kind = sip::TransportKind::kUdp;
      } else if (p == "tcp") {
        kind = sip::TransportKind::kTcp;
      } else if (p == "tls") {
        kind = sip::TransportKind::kTls;
      } else {
        return e.BadValue("udp, tcp or tls");
      }
    } else if (e.key == "bind") {
      bind = &e;
    } else if (e.key == "cert_file") {
      l.cert_file = e.value;
    } else if (e.key == "priv_key_file") {
      l.key_file = e.value;
    } else {
      SIPREG_RETURN_IF_ERROR(UnknownOrIgnored(e, warnings));
    }
  }
  if (bind == nullptr) {
    return Status::InvalidArgument(
        fmt::format("{}: transport '{}' has no 'bind'", At(s.where), s.name));
  }
  Result<sip::Endpoint> addr =
      ReadBindAddress(*bind, kind, kind == sip::TransportKind::kTls ? 5061 : 5060);
  if (!addr.ok()) return addr.status();
  l.address = *addr;
  if (kind == sip::TransportKind::kTls) {
    if (l.cert_file.empty() || l.key_file.empty()) {
      return Status::InvalidArgument(fmt::format(
          "{}: transport '{}' (protocol=tls) needs 'cert_file' and 'priv_key_file'",
          At(s.where), s.name));
    }
  } else {
    l.cert_file.clear();
    l.key_file.clear();
  }
  return l;
}

// The names listed in a reference key, or an error for more than `max` of them.
Result<std::vector<std::string>> ReadRefs(const ConfigEntry& e, size_t max,
                                          std::string_view endpoint) {
  std::vector<std::string> names = SplitList(e.value);
  if (names.size() > max) {
    return e.Error(fmt::format("endpoint '{}' lists {} names in '{}'; sipreg supports {} per "
                               "endpoint",
                               endpoint, names.size(), e.key, max));
  }
  return names;
}

struct EndpointRefs {
  const ConfigEntry* auth = nullptr;
  const ConfigEntry* aors = nullptr;
  const ConfigEntry* transport = nullptr;
  std::vector<const ConfigEntry*> acls;
};

}  // namespace

Status PjsipConf::ApplyGlobals(const std::vector<const ConfigFile*>& files,
                               ServerSettings& settings, std::vector<Listener>& listeners,
                               std::vector<std::string>& warnings) {
  std::vector<std::string> index_warnings;  // reported once, by BuildAccounts
  Result<Index> index = Index::Build(files, index_warnings);
  if (!index.ok()) return index.status();
  const ConfigSection* first_global = nullptr;
  for (const Object& o : index->in_order) {
    const std::string type = TypeOf(o);
    if (type == "transport") {
      Result<Listener> l = ReadTransport(*o.section, warnings);
      if (!l.ok()) return l.status();
      listeners.push_back(std::move(*l));
    } else if (type == "global") {
      if (first_global != nullptr) {
        return Status::InvalidArgument(fmt::format(
            "{}: a second type=global section '{}' (first at {})", At(o.section->where),
            o.section->name, At(first_global->where)));
      }
      first_global = o.section;
      for (const ConfigEntry& e : o.section->entries) {
        if (e.key == "type") continue;
        Result<bool> known = ApplySipregKey(e, settings);
        if (!known.ok()) return known.status();
        if (*known) {
          SIPREG_RETURN_IF_ERROR(RecordSetting(e, o.section->where, settings));
        } else if (e.key == "default_realm") {
          if (e.value.empty()) return e.BadValue("a realm name");
          settings.realm = e.value;
          SIPREG_RETURN_IF_ERROR(RecordSetting(e, o.section->where, settings, "realm"));
        } else {
          SIPREG_RETURN_IF_ERROR(UnknownOrIgnored(e, warnings));
        }
      }
    }
  }
  return Status::Ok();
}

Status PjsipConf::BuildAccounts(const std::vector<const ConfigFile*>& files,
                                const ServerSettings& /*settings*/,
                                std::vector<Account>& accounts, std::vector<IpAcl>& global_acls,
                                std::vector<std::string>& warnings) {
  Result<Index> index = Index::Build(files, warnings);
  if (!index.ok()) return index.status();

  std::map<std::string, Auth> auths;
  std::map<std::string, Aor> aors;
  std::map<std::string, IpAcl> acls;
  std::map<std::string, sip::TransportKind> transports;
  for (const Object& o : index->in_order) {
    const std::string type = TypeOf(o);
    const std::string& name = o.section->name;
    if (type == "auth") {
      Result<Auth> a = ReadAuth(*o.section, warnings);
      if (!a.ok()) return a.status();
      auths.emplace(name, std::move(*a));
    } else if (type == "aor") {
      Result<Aor> a = ReadAor(*o.section, warnings);
      if (!a.ok()) return a.status();
      aors.emplace(name, *a);
    } else if (type == "acl") {
      Result<IpAcl> a = ReadAcl(*o.section, warnings);
      if (!a.ok()) return a.status();
      acls.emplace(name, std::move(*a));
    } else if (type == "transport") {
      std::vector<std::string> ignored;  // reported by ApplyGlobals
      Result<Listener> l = ReadTransport(*o.section, ignored);
      if (!l.ok()) return l.status();
      transports.emplace(name, l->address.transport);
    }
  }

  std::map<std::string, bool> aor_used;
  std::map<std::string, bool> acl_used;
  for (const Object& o : index->in_order) {
    if (TypeOf(o) != "endpoint") continue;
    const ConfigSection& s = *o.section;
    Account a;
    a.name = s.name;
    a.aor = s.name;
    a.dialect = ConfigDialect::kPjsipConf;
    a.defined_at = s.where;
    a.auth_username = s.name;
    a.context = "default";
    a.force_rport = true;
    a.comedia = false;
    EndpointRefs refs;
    for (const ConfigEntry& e : s.entries) {
      const std::string& k = e.key;
      if (k == "type") continue;
      if (k == "auth") {
        refs.auth = &e;
      } else if (k == "aors") {
        refs.aors = &e;
      } else if (k == "transport") {
        refs.transport = &e;
      } else if (k == "acl") {
        refs.acls.push_back(&e);
      } else if (k == "permit" || k == "deny") {
        SIPREG_RETURN_IF_ERROR(ReadPermitDeny(e, a.acl));
        a.has_acl = true;
      } else if (k == "callerid") {
        a.callerid = e.value;
      } else if (k == "extension") {
        if (e.value.empty() || e.value.find_first_of(" \t;,<>\"@:") != std::string::npos) {
          return e.BadValue("an extension number or name (no spaces, ;,<>\"@:)");
        }
        a.extension = e.value;
      } else if (k == "context") {
        a.context = e.value;
      } else if (k == "force_rport" || k == "rtp_symmetric") {
        Result<bool> b = ReadYesNo(e);
        if (!b.ok()) return b.status();
        (k == "force_rport" ? a.force_rport : a.comedia) = *b;
      } else {
        SIPREG_RETURN_IF_ERROR(UnknownOrIgnored(e, warnings));
      }
    }
    a.nat_setting = a.force_rport && a.comedia ? "force_rport,comedia"
                    : a.force_rport            ? "force_rport"
                    : a.comedia                ? "comedia"
                                               : "no";

    a.has_auth = false;
    if (refs.auth != nullptr) {
      Result<std::vector<std::string>> names = ReadRefs(*refs.auth, 1, s.name);
      if (!names.ok()) return names.status();
      if (!names->empty()) {
        auto it = auths.find(names->front());
        if (it == auths.end()) {
          return refs.auth->Error(fmt::format("endpoint '{}' refers to unknown auth '{}'", s.name,
                                              names->front()));
        }
        a.auth_username = it->second.username;
        a.auth_id = it->first;
        a.realm = it->second.realm;
        a.secret = it->second.secret;
        a.has_auth = true;
      }
    }

    a.dynamic = false;
    Aor aor;
    if (refs.aors != nullptr) {
      Result<std::vector<std::string>> names = ReadRefs(*refs.aors, 1, s.name);
      if (!names.ok()) return names.status();
      if (!names->empty()) {
        auto it = aors.find(names->front());
        if (it == aors.end()) {
          return refs.aors->Error(fmt::format("endpoint '{}' refers to unknown aor '{}'", s.name,
                                              names->front()));
        }
        aor = it->second;
        a.aor = it->first;
        a.dynamic = true;
        aor_used[it->first] = true;
      }
    }
    if (!a.dynamic) {
      warnings.push_back(fmt::format("{}: endpoint '{}' has no aors: it may not register",
                                     At(s.where), s.name));
    } else if (!a.has_auth) {
      warnings.push_back(fmt::format("{}: endpoint '{}' has no auth: its registrations will be "
                                     "refused",
                                     At(s.where), s.name));
    }
    a.max_contacts = aor.max_contacts;
    a.remove_existing = aor.remove_existing;
    a.remove_unavailable = aor.remove_unavailable;
    a.min_expires = aor.min_expires;
    a.max_expires = aor.max_expires;
    a.default_expires = aor.default_expires;
    a.qualify = aor.qualify_frequency > 0;
    a.qualify_frequency = std::chrono::seconds(aor.qualify_frequency > 0 ? aor.qualify_frequency
                                                                         : 60);
    a.qualify_timeout = std::chrono::milliseconds(aor.qualify_timeout_ms);
    a.qualify_max_rtt = a.qualify_timeout;  // pjsip has no LAGGED state

    if (refs.transport != nullptr && !refs.transport->value.empty()) {
      auto it = transports.find(refs.transport->value);
      if (it == transports.end()) {
        return refs.transport->Error(fmt::format("endpoint '{}' refers to unknown transport '{}'",
                                                 s.name, refs.transport->value));
      }
      a.transports = {it->second};
    }
    for (const ConfigEntry* e : refs.acls) {
      for (const std::string& name : SplitList(e->value)) {
        auto it = acls.find(name);
        if (it == acls.end()) {
          return e->Error(fmt::format("endpoint '{}' refers to unknown acl '{}'", s.name, name));
        }
        a.named_acls.push_back(it->second);
        a.has_acl = true;
        acl_used[name] = true;
      }
    }
    accounts.push_back(std::move(a));
  }

  for (const Object& o : index->in_order) {
    const std::string type = TypeOf(o);
    const std::string& name = o.section->name;
    if (type == "aor" && !aor_used[name]) {
      warnings.push_back(fmt::format("{}: aor '{}' is not in any endpoint's aors=, ignored",
                                     At(o.section->where), name));
    } else if (type == "acl" && !acl_used[name]) {
      warnings.push_back(fmt::format("{}: acl '{}' is not named by any endpoint: applied to every "
                                     "request, as Asterisk's res_pjsip_acl does",
                                     At(o.section->where), name));
      global_acls.push_back(acls[name]);
    }
  }
  return Status::Ok();
}

}  // namespace sipreg::registrar
