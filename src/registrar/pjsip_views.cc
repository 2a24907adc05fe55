#include "registrar/pjsip_views.h"

#include <cmath>

#include <fmt/format.h>

#include "sip/digest.h"

namespace sipreg::registrar {
namespace {

constexpr int kMaxWidth = 90;
constexpr int kLastTabstop = 62;
constexpr int kMaxTitleName = 8;

int IndentSpaces(int level) { return level * 2 + 1 + kMaxTitleName; }

std::string Dots(int n) { return std::string(n > 0 ? static_cast<size_t>(n) : 0, '.'); }

// printf's "%-*.*s": cut to `width`, then pad to it.
std::string Column(std::string_view s, int width) {
  if (width <= 0) return {};
  std::string out(s.substr(0, static_cast<size_t>(width)));
  out.resize(static_cast<size_t>(width), ' ');
  return out;
}

std::string Title(std::string_view title, int level) {
  return fmt::format("{:>{}}", title, IndentSpaces(level));
}

std::string AorName(const Account& a) { return a.aor.empty() ? a.name : a.aor; }

std::string ContactHeader(int level) {
  return Title("Contact", level) + ":  <Aor/ContactUri" +
         Dots(kLastTabstop - IndentSpaces(level) - 23) + "> <Hash....> <Status> <RTT(ms)..>\n";
}

std::string AorHeader(int level) {
  return Title("Aor", level) + ":  <Aor" + Dots(kLastTabstop - IndentSpaces(level) - 7) +
         ">  <MaxContact>\n";
}

std::string Frame(const std::string& header, const std::string& body, size_t objects) {
  if (objects == 0) return "No objects found.\n\n";
  return "\n" + header + std::string(kMaxWidth, '=') + "\n\n" + body +
         fmt::format("\nObjects found: {}\n\n", objects);
}

std::string ContactRow(const PeerView& p, const Binding& b, int level) {
  const std::string aor = AorName(*p.account);
  const int flex = kLastTabstop - IndentSpaces(level) - 9 - static_cast<int>(aor.size()) + 1;
  auto md5 = sip::DigestHash(sip::DigestAlgorithm::kMd5, b.contact);
  const std::string hash = md5.ok() ? md5->substr(0, 10) : std::string(10, '0');
  std::string label = "NonQual";
  double rtt = NAN;
  if (p.account->qualify) {
    label = "Unknown";
    if (auto it = p.contact_qualify.find(b.contact); it != p.contact_qualify.end()) {
      switch (it->second.reach) {
        case Reach::kReachable:
        case Reach::kLagged:
          label = "Avail";
          rtt = it->second.rtt ? static_cast<double>(it->second.rtt->count()) : 0.0;
          break;
        case Reach::kUnreachable: label = "Unavail"; break;
        case Reach::kUnknown: break;
      }
    }
  }
  const std::string rtt_text = std::isnan(rtt) ? "nan" : fmt::format("{:.3f}", rtt);
  return fmt::format("{}:  {}/{} {} {} {:>11}\n", Title("Contact", level), aor,
                     Column(b.contact, flex), Column(hash, 10), Column(label, 7), rtt_text);
}

std::string AorBlock(const PeerView& p, int level) {
  const int flex = kLastTabstop - IndentSpaces(level) - 12;
  std::string out = fmt::format("{}:  {} {:>12}\n", Title("Aor", level),
                                Column(AorName(*p.account), flex), p.account->max_contacts);
  for (const Binding& b : p.bindings) out += ContactRow(p, b, level + 1);
  return out;
}

bool Usable(const PeerView& p) {
  if (p.bindings.empty()) return false;
  if (!p.account->qualify) return true;
  return p.qualify &&
         (p.qualify->reach == Reach::kReachable || p.qualify->reach == Reach::kLagged);
}

}  // namespace

std::string FormatPjsipShowEndpoints(const std::vector<PeerView>& peers) {
  std::string header =
      " Endpoint:  <Endpoint/CID.....................................>  <State.....>  "
      "<Channels.>\n";
  header += Title("I/OAuth", 1) + ":  <AuthId/UserName" + Dots(kMaxWidth - IndentSpaces(1) - 20) +
            ">\n";
  header += AorHeader(1);
  header += ContactHeader(2);
  header += Title("Transport", 1) + ":  <TransportId........>  <Type>  <cos>  <tos>  <BindAddress" +
            Dots(kMaxWidth - IndentSpaces(1) - 61) + ">\n";
  header += Title("Identify", 1) + ":  <Identify/Endpoint" +
            Dots(kMaxWidth - IndentSpaces(1) - 22) + ">\n";
  header += Title("Match", 2) + ":  <criteria" + Dots(25) + ">\n";
  header += Title("Channel", 1) + ":  <ChannelId" + Dots(38) + ">  <State.....>  <Time.....>\n";
  header += Title("Exten", 2) + ": <DialedExten" + Dots(11) + ">  CLCID: <ConnectedLineCID" +
            Dots(7) + ">\n";
  std::string body;
  for (const auto& p : peers) {
    const Account& a = *p.account;
    const std::string number = CallerIdNumber(a.callerid);
    const std::string name = number.empty() ? a.name : a.name + "/" + number;
    body += fmt::format("{}:  {}  {}  0 of inf\n", Title("Endpoint", 0),
                        Column(name, kLastTabstop - IndentSpaces(0) - 2),
                        Column(Usable(p) ? "Not in use" : "Unavailable", 12));
    if (a.has_auth) {
      body += fmt::format("{}:  {}/{}\n", Title("InAuth", 1),
                          a.auth_id.empty() ? a.name : a.auth_id, a.auth_username);
    }
    if (a.dynamic) body += AorBlock(p, 1);
    body += "\n";
  }
  return Frame(header, body, peers.size());
}

std::string FormatPjsipShowAors(const std::vector<PeerView>& peers) {
  std::string body;
  size_t n = 0;
  for (const auto& p : peers) {
    if (!p.account->dynamic) continue;
    body += AorBlock(p, 0) + "\n";
    ++n;
  }
  return Frame(AorHeader(0) + ContactHeader(1), body, n);
}

std::string FormatPjsipShowContacts(const std::vector<PeerView>& peers) {
  std::string body;
  size_t n = 0;
  for (const auto& p : peers) {
    for (const Binding& b : p.bindings) {
      body += ContactRow(p, b, 0);
      ++n;
    }
  }
  return Frame(ContactHeader(0), body, n);
}

}  // namespace sipreg::registrar
