#include "registrar/control_server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <regex>
#include <sstream>
#include <vector>

#include <asio/read_until.hpp>
#include <asio/streambuf.hpp>
#include <asio/write.hpp>
#include <fmt/format.h>

#include "registrar/peer_table.h"
#include "registrar/pjsip_views.h"

namespace sipreg::registrar {
namespace {

constexpr size_t kMaxCommandBytes = 4096;

constexpr size_t kDefaultPageSize = 50;

std::string Help() {
  return "Commands:\n"
         "  sip show peers [like RE]     accounts and where they are registered (chan_sip)\n"
         "  sip show peer NAME           details and contacts of one account\n"
         "  pjsip show endpoints [like RE]  the same in res_pjsip's layout\n"
         "  pjsip show aors [like RE]    AORs with their contacts\n"
         "  pjsip show contacts [like RE]  every registered contact\n"
         "  sip set debug on|off|ip ADDR print SIP messages to the log\n"
         "  show bans                    addresses blocked after too many failed attempts\n"
         "  unban ADDR                   lift a block\n"
         "  metrics                      the Prometheus metrics of /metrics\n"
         "  reload                       re-read the configuration files\n"
         "  sip show channels            calls in progress (also: core show calls)\n"
         "Add --json to any command for JSON; --page N [--page-size M] (default 50) to page\n"
         "a long table.\n";
}

std::string Joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

// `reload`: re-read the files; on success switch the registrar, the ban
// settings and qualify over, and drop the bindings of removed accounts.
std::string Reload(ControlContext& ctx) {
  auto report = ctx.live.Reload();
  if (!report.ok()) {
    SIPREG_LOG(ctx.log, kError, "reload_config", "Reload failed, configuration unchanged: {}",
               report.status().message());
    return fmt::format("error: {}\nConfiguration unchanged.\n", report.status().message());
  }
  for (const auto& w : report->warnings) SIPREG_LOG(ctx.log, kWarning, "reload_config", "{}", w);
  ctx.server.SetRegistrar(ctx.live.registrar());
  ctx.bans.SetOptions(BanOptionsFor(ctx.live.config().settings));
  const WallTime now = ctx.clock.WallNow();
  size_t dropped = 0;
  for (const auto& aor : report->removed_aors) {
    auto gone = ctx.store.Lookup(aor, now);
    dropped += gone.size();
    for (const auto& b : gone) {
      SIPREG_LOG(ctx.log, kVerbose, "reload_config",
                 "Unregistered SIP '{}' ({}): the account was removed", b.aor, b.contact);
    }
    ctx.store.Apply(aor, {BindingChange::RemoveAll()}, now, [](Result<std::vector<Binding>>) {});
    ctx.server.OnBindingsRemoved(gone);
  }
  ctx.server.Requalify();
  std::string out = fmt::format("Reloaded {}: {} accounts", Joined(ctx.live.config().files),
                                ctx.live.config().accounts.size());
  if (!report->added.empty()) out += "; added: " + Joined(report->added);
  if (!report->changed.empty()) out += "; changed: " + Joined(report->changed);
  if (!report->removed.empty()) {
    out += fmt::format("; removed: {} ({} bindings dropped)", Joined(report->removed), dropped);
  }
  SIPREG_LOG(ctx.log, kNotice, "reload_config", "{}", out);
  out += "\n";
  for (const auto& r : report->restart_needed) {
    out += fmt::format("warning: {} changed; it takes effect when sipregd restarts\n", r);
    SIPREG_LOG(ctx.log, kWarning, "reload_config", "{} changed; it takes effect on restart", r);
  }
  for (const auto& w : report->warnings) out += "warning: " + w + "\n";
  return out;
}

std::optional<size_t> ParseCount(std::string_view s) {
  size_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::vector<PeerView> CollectPeers(const ControlContext& ctx, WallTime now) {
  std::vector<PeerView> out;
  const ServerConfig& config = ctx.live.config();
  out.reserve(config.accounts.size());
  for (const Account& a : config.accounts) {
    PeerView v;
    v.account = &a;
    v.bindings = ctx.store.Lookup(a.aor.empty() ? a.name : a.aor, now);
    std::sort(v.bindings.begin(), v.bindings.end(),
              [](const Binding& x, const Binding& y) { return x.registered_at > y.registered_at; });
    if (a.qualify) {
      const QualifyMonitor& q = ctx.server.qualify();
      v.qualify = q.AorStatus(a.aor.empty() ? a.name : a.aor);
      for (const Binding& b : v.bindings) {
        if (auto st = q.ContactStatus(b.aor, b.contact)) v.contact_qualify[b.contact] = *st;
      }
    }
    out.push_back(std::move(v));
  }
  return out;
}

MetricsSnapshot CollectMetrics(const ControlContext& ctx) {
  MetricsSnapshot m;
  const ServerCounters& c = ctx.server.counters();
  m.bindings = ctx.store.Count();
  m.accounts = ctx.live.config().accounts.size();
  for (const auto& p : CollectPeers(ctx, ctx.clock.WallNow())) m.peers_online += PeerOnline(p);
  m.blocked_addresses = ctx.bans.blocked_count(ctx.clock.Now());
  m.transactions = ctx.server.transaction_count();
  m.requests = c.requests.load();
  m.retransmissions = c.retransmissions.load();
  m.dropped_blocked = c.dropped_banned.load();
  m.bad_messages = c.bad_messages.load();
  m.internal_errors = c.internal_errors.load();
  m.qualify_pings = c.qualify_pings.load();
  const QualifyCounts q = ctx.server.qualify().Counts();
  m.qualify_reachable = q.reachable;
  m.qualify_unreachable = q.unreachable;
  for (size_t i = 0; i < m.outcomes.size() && i < c.outcomes.size(); ++i) {
    m.outcomes[i] = c.outcomes[i].load();
  }
  m.request_duration = c.request_duration.Read();
  const ProxyCounters& pc = ctx.server.proxy().counters();
  m.calls = pc.calls;
  m.call_finals = pc.finals;
  m.calls_unknown = pc.rejected_unknown;
  m.calls_unavailable = pc.rejected_unavailable;
  m.active_calls = ctx.server.proxy().Channels().size();
  if (auto commits = ctx.store.commit_stats()) {
    m.durable = true;
    m.store_commits = commits->commits;
    m.store_updates = commits->updates;
    m.store_largest_batch = commits->largest_batch;
  }
  m.uptime_seconds = std::chrono::duration<double>(ctx.clock.Now() - ctx.started).count();
  return m;
}

std::string ExecuteControlCommand(ControlContext& ctx, std::string_view line) {
  std::vector<std::string> words;
  bool json = false;
  size_t page = 0;  // 0: no paging
  size_t page_size = kDefaultPageSize;
  std::istringstream in{std::string(line)};
  for (std::string w; in >> w;) {
    if (w == "--json") {
      json = true;
    } else if (w == "--page" || w == "--page-size") {
      std::string v;
      std::optional<size_t> n;
      if (in >> v) n = ParseCount(v);
      if (!n || *n == 0) return fmt::format("error: {} needs a positive number\n", w);
      (w == "--page" ? page : page_size) = *n;
    } else {
      words.push_back(w);
    }
  }
  bool pjsip = false;
  if (!words.empty() && words[0] == "sip") words.erase(words.begin());
  if (!words.empty() && words[0] == "pjsip") {
    words.erase(words.begin());
    pjsip = true;
  }
  // Asterisk's "like <pattern>" filter (an extended regex, searched in the name).
  std::optional<std::regex> like;
  if (words.size() >= 2 && words[words.size() - 2] == "like") {
    try {
      like.emplace(words.back(), std::regex::extended | std::regex::nosubs);
    } catch (const std::regex_error&) {
      return fmt::format("error: bad pattern '{}'\n", words.back());
    }
    words.resize(words.size() - 2);
  }
  const WallTime now = ctx.clock.WallNow();
  // Every peer (after `like`), and the ones on the requested page.
  auto listed = [&](std::string_view page_note) {
    auto peers = CollectPeers(ctx, now);
    if (like) {
      std::erase_if(peers, [&](const PeerView& p) {
        return !std::regex_search(p.account->name, *like);
      });
    }
    std::pair<std::vector<PeerView>, std::string> out{std::move(peers), ""};
    if (page != 0) {
      auto& all = out.first;
      const size_t pages = std::max<size_t>(1, (all.size() + page_size - 1) / page_size);
      const size_t first = std::min(all.size(), (page - 1) * page_size);
      const size_t last = std::min(all.size(), first + page_size);
      all = std::vector<PeerView>(all.begin() + static_cast<long>(first),
                                  all.begin() + static_cast<long>(last));
      out.second = fmt::format("Page {} of {} ({} {} a page; --page N for more)\n", page, pages,
                               page_size, page_note);
    }
    return out;
  };
  auto is = [&words](std::initializer_list<std::string_view> cmd) {
    if (words.size() < cmd.size()) return false;
    size_t i = 0;
    for (auto c : cmd) {
      if (words[i++] != c) return false;
    }
    return true;
  };

  if (words.empty() || is({"help"})) return Help();
  if (pjsip) {
    if (words.size() != 2 || words[0] != "show") {
      return "error: usage: pjsip show endpoints|aors|contacts [like RE]\n";
    }
    auto [peers, note] = listed("objects");
    if (json) return PeersJson(peers, now).dump(2) + "\n";
    if (words[1] == "endpoints") return FormatPjsipShowEndpoints(peers) + note;
    if (words[1] == "aors") return FormatPjsipShowAors(peers) + note;
    if (words[1] == "contacts") return FormatPjsipShowContacts(peers) + note;
    return fmt::format("error: unknown command 'pjsip show {}'; try 'help'\n", words[1]);
  }
  if (is({"show", "peers"})) {
    if (page == 0 && !like) {
      auto peers = CollectPeers(ctx, now);
      return json ? PeersJson(peers, now).dump(2) + "\n" : FormatSipShowPeers(peers);
    }
    auto [peers, note] = listed("peers");
    return json ? PeersJson(peers, now).dump(2) + "\n" : FormatSipShowPeers(peers) + note;
  }
  if (is({"set", "debug"})) {
    using Mode = SipServer::DebugMode;
    if (words.size() == 3 && words[2] == "on") {
      ctx.server.SetDebug(Mode::kAll);
      return "SIP Debugging enabled\n";
    }
    if (words.size() == 3 && words[2] == "off") {
      ctx.server.SetDebug(Mode::kOff);
      return "SIP Debugging Disabled\n";
    }
    if (words.size() == 4 && words[2] == "ip") {
      std::string ip = words[3];
      if (ip.size() > 2 && ip.front() == '[' && ip.back() == ']') ip = ip.substr(1, ip.size() - 2);
      if (ip.find('/') != std::string::npos || !IpNetwork::Parse(ip).ok()) return fmt::format("error: '{}' is not an IP address\n", ip);
      ctx.server.SetDebug(Mode::kAddress, ip);
      return fmt::format("SIP Debugging Enabled for IP: {}\n", ip);
    }
    return "error: usage: sip set debug on|off|ip ADDR\n";
  }
  if (is({"show", "peer"})) {
    if (words.size() != 3) return "error: usage: sip show peer NAME\n";
    for (auto& p : CollectPeers(ctx, now)) {
      if (p.account->name != words[2]) continue;
      if (json) return PeersJson({p}, now)[0].dump(2) + "\n";
      return FormatSipShowPeer(p, now);
    }
    return fmt::format("error: Peer {} not found.\n", words[2]);
  }
  if (is({"show", "bans"})) {
    const SteadyTime t = ctx.clock.Now();
    auto bans = ctx.bans.Bans(t);
    if (json) {
      nlohmann::json j = nlohmann::json::array();
      for (const auto& b : bans) {
        j.push_back({{"address", b.address},
                     {"remaining_s",
                      std::chrono::duration_cast<std::chrono::seconds>(b.until - t).count()}});
      }
      return j.dump(2) + "\n";
    }
    std::string out = fmt::format("{:<40} {}\n", "Address", "Blocked for");
    for (const auto& b : bans) {
      out += fmt::format("{:<40} {} s\n", b.address,
                         std::chrono::duration_cast<std::chrono::seconds>(b.until - t).count());
    }
    out += fmt::format("{} blocked address{}\n", bans.size(), bans.size() == 1 ? "" : "es");
    return out;
  }
  if (is({"metrics"})) return FormatMetrics(CollectMetrics(ctx));
  if (is({"show", "channels"}) || is({"core", "show", "calls"})) {
    const SteadyTime t = ctx.clock.Now();
    auto channels = ctx.server.proxy().Channels();
    auto secs = [t](const Channel& c) {
      return std::chrono::duration_cast<std::chrono::seconds>(t - c.started).count();
    };
    if (json) {
      nlohmann::json j = nlohmann::json::array();
      for (const auto& c : channels) {
        j.push_back({{"call_id", c.call_id}, {"caller", c.caller}, {"callee", c.callee},
                     {"contact", c.contact}, {"duration_s", secs(c)}});
      }
      return j.dump(2) + "\n";
    }
    std::string out = fmt::format("{:<32.32} {:<20.20} {:<20.20} {:<40.40} {}\n", "Call ID",
                                  "Caller", "Callee", "Contact", "Duration");
    for (const auto& c : channels) {
      out += fmt::format("{:<32.32} {:<20.20} {:<20.20} {:<40.40} {}:{:02}:{:02}\n", c.call_id,
                         c.caller, c.callee, c.contact, secs(c) / 3600, secs(c) / 60 % 60,
                         secs(c) % 60);
    }
    out += fmt::format("{} active SIP call{}\n", channels.size(), channels.size() == 1 ? "" : "s");
    return out;
  }
  if (is({"reload"})) return Reload(ctx);
  if (is({"unban"})) {
    if (words.size() != 2) return "error: usage: unban ADDR\n";
    if (!ctx.bans.Unban(words[1])) return fmt::format("error: {} is not blocked\n", words[1]);
    SIPREG_LOG(ctx.log, kNotice, "unban", "Unblocked {} by admin request", words[1]);
    return fmt::format("Unblocked {}\n", words[1]);
  }
  return fmt::format("error: unknown command '{}'; try 'help'\n", line);
}

ControlServer::~ControlServer() {
  asio::error_code ec;
  acceptor_.close(ec);
  if (!path_.empty()) ::unlink(path_.c_str());
}

Status ControlServer::Listen(const std::string& path) {
  asio::error_code ec;
  asio::local::stream_protocol::endpoint ep(path);
  {
    // A live sipregd answers on the socket; a stale file from a crash does not.
    asio::local::stream_protocol::socket probe(io_);
    probe.connect(ep, ec);
    if (!ec) return Status::AlreadyExists("another sipregd is running on " + path);
  }
  ::unlink(path.c_str());
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(16, ec);
  if (ec) return Status::IoError("control socket " + path + ": " + ec.message());
  ::chmod(path.c_str(), 0660);
  path_ = path;
  Accept();
  return Status::Ok();
}

void ControlServer::Accept() {
  acceptor_.async_accept([this](const asio::error_code& ec,
                                asio::local::stream_protocol::socket socket) {
    if (ec) return;  // acceptor closed
    // Re-armed first: if handling this connection throws, the admin socket
    // still takes the next one.
    Accept();
    auto sock = std::make_shared<asio::local::stream_protocol::socket>(std::move(socket));
    auto buf = std::make_shared<asio::streambuf>(kMaxCommandBytes);
    asio::async_read_until(*sock, *buf, '\n',
                           [this, sock, buf](const asio::error_code& rec, size_t n) {
                             if (rec && n == 0) return;
                             std::string line(asio::buffers_begin(buf->data()),
                                              asio::buffers_begin(buf->data()) + n);
                             auto answer =
                                 std::make_shared<std::string>(ExecuteControlCommand(ctx_, line));
                             asio::async_write(*sock, asio::buffer(*answer),
                                               [sock, answer](const asio::error_code&, size_t) {});
                           });
  });
}

}  // namespace sipreg::registrar
