#include "registrar/peer_table.h"

#include <fmt/format.h>

namespace sipreg::registrar {
namespace {

constexpr std::string_view kRowFormat = "{:<25.25} {:<39.39} {:<3.3} {:<3.3} {:<3.3} {:<8} {}\n";

std::string DisplayName(const Account& a) {
  if (!a.auth_username.empty() && a.auth_username != a.name) {
    return a.name + "/" + a.auth_username;
  }
  return a.name;
}

bool Registered(const PeerView& p) { return !p.bindings.empty(); }

uint32_t Remaining(const Binding& b, WallTime now) {
  auto s = std::chrono::duration_cast<std::chrono::seconds>(b.expires_at - now).count();
  return s > 0 ? static_cast<uint32_t>(s) : 0;
}

}  // namespace

std::string PeerStatus(const PeerView& p) {
  if (!p.account->qualify) return "Unmonitored";
  if (!Registered(p) || !p.qualify) return "UNKNOWN";
  return StatusText(*p.qualify);
}

bool PeerOnline(const PeerView& p) {
  const Account& a = *p.account;
  if (a.qualify) {
    return Registered(p) && p.qualify &&
           (p.qualify->reach == Reach::kReachable || p.qualify->reach == Reach::kLagged);
  }
  return Registered(p) || (!a.dynamic && !a.static_host.empty());
}

std::string FormatSipShowPeers(const std::vector<PeerView>& peers) {
  std::string out = fmt::format(kRowFormat, "Name/username", "Host", "Dyn", "NAT", "ACL", "Port",
                                "Status");
  int mon_on = 0, mon_off = 0, unmon_on = 0, unmon_off = 0;
  for (const auto& p : peers) {
    const Account& a = *p.account;
    std::string host = "(Unspecified)";
    uint16_t port = a.static_port != 0 ? a.static_port : 5060;
    if (Registered(p)) {
      host = p.bindings.front().received.ip;
      port = p.bindings.front().received.port;
    } else if (!a.dynamic && !a.static_host.empty()) {
      host = a.static_host;
    }
    const bool online = PeerOnline(p);
    if (a.qualify) {
      (online ? mon_on : mon_off)++;
    } else {
      (online ? unmon_on : unmon_off)++;
    }
    out += fmt::format(kRowFormat, DisplayName(a), host, a.dynamic ? " D " : "   ",
                       a.force_rport || a.comedia ? " N " : "   ", a.has_acl ? " A " : "   ", port,
                       PeerStatus(p));
  }
  out += fmt::format("{} sip peers [Monitored: {} online, {} offline Unmonitored: {} online, {} "
                     "offline]\n",
                     peers.size(), mon_on, mon_off, unmon_on, unmon_off);
  return out;
}

std::string FormatSipShowPeer(const PeerView& p, WallTime now) {
  const Account& a = *p.account;
  std::string out;
  out += "\n\n";
  out += fmt::format("  * Name       : {}\n", a.name);
  out += fmt::format("  Secret       : {}\n", a.has_auth ? "<Set>" : "<Not set>");
  out += fmt::format("  Context      : {}\n", a.context);
  out += fmt::format("  Callerid     : {}\n", a.callerid);
  out += fmt::format("  Dynamic      : {}\n", a.dynamic ? "Yes" : "No");
  out += fmt::format("  Username     : {}\n", a.auth_username);
  out += fmt::format("  Nat          : {}\n", a.nat_setting);
  out += fmt::format("  ACL          : {}\n", a.has_acl ? "Yes" : "No");
  out += fmt::format("  MaxContacts  : {}\n", a.max_contacts);
  out += fmt::format("  RemoveExisting: {}\n", a.remove_existing ? "Yes" : "No");
  if (p.bindings.empty()) {
    out += "  Addr->IP     : (null)\n";
  } else {
    const Binding& b = p.bindings.front();
    out += fmt::format("  Addr->IP     : {}\n", b.received.ToString());
    out += fmt::format("  Transport    : {}\n", sip::TransportName(b.received.transport));
    out += fmt::format("  Reg. exten   : {}\n", a.name);
    out += fmt::format("  Reg. Contact : {}\n", b.contact);
    out += fmt::format("  Useragent    : {}\n", b.user_agent);
    out += fmt::format("  Reg. expires : {} s\n", Remaining(b, now));
  }
  out += fmt::format("  Status       : {}\n", PeerStatus(p));
  out += fmt::format("  Qualify Freq : {} ms\n",
                     std::chrono::duration_cast<std::chrono::milliseconds>(a.qualify_frequency)
                         .count());
  out += fmt::format("  Contacts     : {}\n", p.bindings.size());
  for (const auto& b : p.bindings) {
    out += fmt::format("    {} via {} {} expires in {} s", b.contact,
                       sip::TransportName(b.received.transport), b.received.ToString(),
                       Remaining(b, now));
    if (auto it = p.contact_qualify.find(b.contact); it != p.contact_qualify.end()) {
      out += fmt::format(" {}", StatusText(it->second));
    }
    out += "\n";
  }
  return out;
}

nlohmann::json PeersJson(const std::vector<PeerView>& peers, WallTime now) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& p : peers) {
    const Account& a = *p.account;
    nlohmann::json contacts = nlohmann::json::array();
    for (const auto& b : p.bindings) {
      contacts.push_back({{"uri", b.contact},
                          {"received", b.received.ToString()},
                          {"transport", sip::TransportName(b.received.transport)},
                          {"expires", Remaining(b, now)},
                          {"user_agent", b.user_agent},
                          {"rtt_ms", nullptr},
                          {"status", a.qualify ? "UNKNOWN" : "Unmonitored"}});
      auto it = p.contact_qualify.find(b.contact);
      if (it != p.contact_qualify.end()) {
        if (it->second.rtt) contacts.back()["rtt_ms"] = it->second.rtt->count();
        contacts.back()["status"] = StatusText(it->second);
      }
    }
    const bool reg = Registered(p);
    list.push_back({{"name", a.name},
                    {"username", a.auth_username},
                    {"host", reg ? p.bindings.front().received.ip : std::string("(Unspecified)")},
                    {"port", reg ? p.bindings.front().received.port : 0},
                    {"dynamic", a.dynamic},
                    {"nat", a.force_rport || a.comedia},
                    {"acl", a.has_acl},
                    {"status", PeerStatus(p)},
                    {"contacts", contacts}});
  }
  return list;
}

}  // namespace sipreg::registrar
