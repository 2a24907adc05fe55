#include "registrar/qualify.h"

#include <fmt/format.h>

namespace sipreg::registrar {

std::string StatusText(const QualifyStatus& s) {
  switch (s.reach) {
    case Reach::kReachable: return fmt::format("OK ({} ms)", s.rtt ? s.rtt->count() : 0);
    case Reach::kLagged: return fmt::format("LAGGED ({} ms)", s.rtt ? s.rtt->count() : 0);
    case Reach::kUnreachable: return "UNREACHABLE";
    case Reach::kUnknown: return "UNKNOWN";
  }
  return "UNKNOWN";
}

std::string QualifyTransition::Message() const {
  const long long rtt = status.rtt ? status.rtt->count() : 0;
  switch (status.reach) {
    case Reach::kReachable:
      return fmt::format("Peer '{}' is now Reachable. ({}ms / {}ms)", aor, rtt,
                         status.max_rtt.count());
    case Reach::kLagged:
      return fmt::format("Peer '{}' is now Lagged. ({}ms / {}ms)", aor, rtt,
                         status.max_rtt.count());
    case Reach::kUnreachable:
      return fmt::format("Peer '{}' is now UNREACHABLE!  Last qualify: {}", aor, rtt);
    case Reach::kUnknown: return fmt::format("Peer '{}' is now UNKNOWN", aor);
  }
  return {};
}

void QualifyMonitor::Track(QualifyTarget target, SteadyTime now) {
  std::lock_guard<std::mutex> lock(mu_);
  Key key{target.aor, target.contact};
  auto [it, fresh] = entries_.try_emplace(key);
  Entry& e = it->second;
  e.status.max_rtt = target.max_rtt;
  e.target = std::move(target);
  if (fresh) e.next_ping = now;  // the first OPTIONS right after the contact registers
}

void QualifyMonitor::Untrack(std::string_view aor, std::string_view contact) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(Key{std::string(aor), std::string(contact)});
  if (it == entries_.end()) return;
  if (!it->second.in_flight.empty()) in_flight_.erase(it->second.in_flight);
  entries_.erase(it);
}

std::optional<QualifyTransition> QualifyMonitor::SetReach(Entry& e, Reach reach) {
  const Reach before = e.status.reach;
  e.status.reach = reach;
  if (before == reach) return std::nullopt;
  return QualifyTransition{e.target.aor, e.target.contact, e.status, before};
}

std::optional<QualifyTransition> QualifyMonitor::OnAnswer(std::string_view ping_id,
                                                          SteadyTime now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto f = in_flight_.find(std::string(ping_id));
  if (f == in_flight_.end()) return std::nullopt;  // late or unknown answer
  auto it = entries_.find(f->second);
  in_flight_.erase(f);
  if (it == entries_.end()) return std::nullopt;
  Entry& e = it->second;
  e.in_flight.clear();
  e.status.rtt = std::chrono::duration_cast<std::chrono::milliseconds>(now - e.sent_at);
  return SetReach(e, *e.status.rtt <= e.target.max_rtt ? Reach::kReachable : Reach::kLagged);
}

std::vector<QualifyTransition> QualifyMonitor::ExpireUnanswered(SteadyTime now) {
  std::vector<QualifyTransition> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [key, e] : entries_) {
    if (e.in_flight.empty() || now - e.sent_at < e.target.timeout) continue;
    in_flight_.erase(e.in_flight);
    e.in_flight.clear();
    if (auto t = SetReach(e, Reach::kUnreachable)) out.push_back(std::move(*t));
  }
  return out;
}

std::optional<QualifyStatus> QualifyMonitor::ContactStatus(std::string_view aor,
                                                           std::string_view contact) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(Key{std::string(aor), std::string(contact)});
  if (it == entries_.end()) return std::nullopt;
  return it->second.status;
}

std::optional<QualifyStatus> QualifyMonitor::AorStatus(std::string_view aor) const {
  // Best contact first: Reachable, then Lagged, Unknown, Unreachable.
  static constexpr int kRank[] = {/*kUnknown*/ 2, /*kReachable*/ 0, /*kLagged*/ 1,
                                  /*kUnreachable*/ 3};
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<QualifyStatus> best;
  for (auto it = entries_.lower_bound(Key{std::string(aor), ""});
       it != entries_.end() && it->first.first == aor; ++it) {
    const QualifyStatus& s = it->second.status;
    if (!best || kRank[static_cast<int>(s.reach)] < kRank[static_cast<int>(best->reach)]) best = s;
  }
  return best;
}

bool QualifyMonitor::IsUnavailable(std::string_view aor, std::string_view contact) const {
  auto s = ContactStatus(aor, contact);
  return s && s->reach == Reach::kUnreachable;
}

std::vector<std::pair<std::string, std::string>> QualifyMonitor::Keys() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(entries_.size());
  for (const auto& [key, e] : entries_) out.push_back(key);
  return out;
}

QualifyCounts QualifyMonitor::Counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  QualifyCounts c;
  for (const auto& [key, e] : entries_) {
    switch (e.status.reach) {
      case Reach::kReachable:
      case Reach::kLagged: ++c.reachable; break;
      case Reach::kUnreachable: ++c.unreachable; break;
      case Reach::kUnknown: ++c.unknown; break;
    }
  }
  return c;
}

size_t QualifyMonitor::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

}  // namespace sipreg::registrar
