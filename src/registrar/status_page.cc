#include "registrar/status_page.h"

#include <fmt/format.h>

namespace sipreg::registrar {
namespace {

constexpr std::string_view kHead = R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="5">
<title>sipregd: SIP peers</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}
table{border-collapse:collapse;margin-bottom:1.5em}
th,td{border:1px solid #ccc;padding:.3em .6em;text-align:left;font-size:.95em}
th{background:#f0f0f0}
td.ok{color:#06700b}td.bad{color:#b00020}td.warn{color:#a05a00}
.mono{font-family:ui-monospace,monospace}
</style></head><body>
<h1>SIP peers</h1>
)";

std::string StatusClass(std::string_view status) {
  if (status.starts_with("OK")) return "ok";
  if (status.starts_with("LAGGED")) return "warn";
  if (status == "UNREACHABLE") return "bad";
  return "";
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string FormatStatusPage(const std::vector<PeerView>& peers, WallTime now) {
  std::string out(kHead);
  int online = 0;
  for (const auto& p : peers) online += PeerOnline(p);
  out += fmt::format("<p id=\"summary\">{} sip peers, {} online</p>\n", peers.size(), online);
  out += "<table id=\"peers\"><tr><th>Name/username</th><th>Host</th><th>Dyn</th><th>NAT</th>"
         "<th>ACL</th><th>Port</th><th>Status</th></tr>\n";
  for (const auto& p : peers) {
    const Account& a = *p.account;
    const bool reg = !p.bindings.empty();
    const std::string host = reg ? p.bindings.front().received.ip
                             : (!a.dynamic && !a.static_host.empty()) ? a.static_host
                                                                      : "(Unspecified)";
    const uint16_t port = reg ? p.bindings.front().received.port
                              : (a.static_port != 0 ? a.static_port : 5060);
    const std::string status = PeerStatus(p);
    out += fmt::format(
        "<tr data-peer=\"{0}\"><td>{0}</td><td class=\"mono\">{1}</td><td>{2}</td><td>{3}</td>"
        "<td>{4}</td><td>{5}</td><td class=\"{6}\">{7}</td></tr>\n",
        HtmlEscape(a.name), HtmlEscape(host), a.dynamic ? "D" : "",
        a.force_rport || a.comedia ? "N" : "", a.has_acl ? "A" : "", port, StatusClass(status),
        HtmlEscape(status));
  }
  out += "</table>\n<h2>Contacts</h2>\n";
  out += "<table id=\"contacts\"><tr><th>Peer</th><th>Contact</th><th>Received from</th>"
         "<th>Transport</th><th>Expires in</th><th>User agent</th><th>Qualify</th></tr>\n";
  for (const auto& p : peers) {
    for (const auto& b : p.bindings) {
      const auto left = std::chrono::duration_cast<std::chrono::seconds>(b.expires_at - now);
      std::string qualify = p.account->qualify ? "UNKNOWN" : "Unmonitored";
      if (auto it = p.contact_qualify.find(b.contact); it != p.contact_qualify.end()) {
        qualify = StatusText(it->second);
      }
      out += fmt::format(
          "<tr><td>{}</td><td class=\"mono\">{}</td><td class=\"mono\">{}</td><td>{}</td>"
          "<td>{} s</td><td>{}</td><td class=\"{}\">{}</td></tr>\n",
          HtmlEscape(p.account->name), HtmlEscape(b.contact), HtmlEscape(b.received.ToString()),
          sip::TransportName(b.received.transport), left.count() > 0 ? left.count() : 0,
          HtmlEscape(b.user_agent), StatusClass(qualify), HtmlEscape(qualify));
    }
  }
  out += "</table>\n<p><a href=\"/api/peers\">/api/peers</a> · <a href=\"/metrics\">/metrics</a>"
         "</p>\n</body></html>\n";
  return out;
}

}  // namespace sipreg::registrar
