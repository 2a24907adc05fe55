#include "registrar/control_server.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>
#include <vector>

#include <asio/read_until.hpp>
#include <asio/streambuf.hpp>
#include <asio/write.hpp>
#include <fmt/format.h>

#include "registrar/peer_table.h"

namespace sipreg::registrar {
namespace {

constexpr size_t kMaxCommandBytes = 4096;

std::string Help() {
  return "Commands:\n"
         "  sip show peers            list accounts and where they are registered\n"
         "  sip show peer NAME        details and contacts of one account\n"
         "  show bans                 addresses blocked after too many failed attempts\n"
         "  unban ADDR                lift a block\n"
         "  metrics                   the Prometheus metrics of /metrics\n"
         "Add --json to any command for JSON.\n";
}

}  // namespace

std::vector<PeerView> CollectPeers(const ControlContext& ctx, WallTime now) {
  std::vector<PeerView> out;
  out.reserve(ctx.config.accounts.size());
  for (const Account& a : ctx.config.accounts) {
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
  m.accounts = ctx.config.accounts.size();
  for (const auto& p : CollectPeers(ctx, ctx.clock.WallNow())) m.peers_online += PeerOnline(p);
  m.blocked_addresses = ctx.bans.Bans(ctx.clock.Now()).size();
  m.transactions = ctx.server.transaction_count();
  m.requests = c.requests.load();
  m.retransmissions = c.retransmissions.load();
  m.dropped_blocked = c.dropped_banned.load();
  m.bad_messages = c.bad_messages.load();
  m.qualify_pings = c.qualify_pings.load();
  const QualifyCounts q = ctx.server.qualify().Counts();
  m.qualify_reachable = q.reachable;
  m.qualify_unreachable = q.unreachable;
  for (size_t i = 0; i < m.outcomes.size() && i < c.outcomes.size(); ++i) {
    m.outcomes[i] = c.outcomes[i].load();
  }
  m.request_duration = c.request_duration.Read();
  m.uptime_seconds = std::chrono::duration<double>(ctx.clock.Now() - ctx.started).count();
  return m;
}

std::string ExecuteControlCommand(ControlContext& ctx, std::string_view line) {
  std::vector<std::string> words;
  bool json = false;
  std::istringstream in{std::string(line)};
  for (std::string w; in >> w;) {
    if (w == "--json") {
      json = true;
    } else {
      words.push_back(w);
    }
  }
  if (!words.empty() && words[0] == "sip") words.erase(words.begin());
  const WallTime now = ctx.clock.WallNow();
  auto is = [&words](std::initializer_list<std::string_view> cmd) {
    if (words.size() < cmd.size()) return false;
    size_t i = 0;
    for (auto c : cmd) {
      if (words[i++] != c) return false;
    }
    return true;
  };

  if (words.empty() || is({"help"})) return Help();
  if (is({"show", "peers"})) {
    auto peers = CollectPeers(ctx, now);
    return json ? PeersJson(peers, now).dump(2) + "\n" : FormatSipShowPeers(peers);
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
    Accept();
  });
}

}  // namespace sipreg::registrar
