#include "registrar/ban_list.h"

#include <algorithm>

namespace sipreg::registrar {

bool BanList::Ignored(std::string_view address) const {
  return std::any_of(options_.ignore.begin(), options_.ignore.end(),
                     [address](const IpNetwork& n) { return n.Contains(address); });
}

bool BanList::IsBlocked(std::string_view address, SteadyTime now) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (options_.max_retry == 0) return false;
  auto it = tracks_.find(std::string(address));
  return it != tracks_.end() && it->second.banned_until > now;
}

bool BanList::RecordFailure(std::string_view address, SteadyTime now) {
  std::lock_guard<std::mutex> lock(mu_);
  if (options_.max_retry == 0 || Ignored(address)) return false;
  if (tracks_.size() >= options_.max_tracked) Prune(now);
  if (tracks_.size() >= options_.max_tracked && !tracks_.count(std::string(address))) {
    return false;  // table full of live entries: track no more (bounded memory)
  }
  Track& t = tracks_[std::string(address)];
  if (t.banned_until > now) return false;  // already banned, counted once
  while (!t.failures.empty() && now - t.failures.front() >= options_.find_time) {
    t.failures.pop_front();
  }
  t.failures.push_back(now);
  if (t.failures.size() < options_.max_retry) return false;
  t.failures.clear();
  t.banned_until = now + options_.ban_time;
  return true;
}

bool BanList::Unban(std::string_view address) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = tracks_.find(std::string(address));
  if (it == tracks_.end()) return false;
  const bool was_banned = it->second.banned_until != SteadyTime{};
  tracks_.erase(it);
  return was_banned;
}

std::vector<BanEntry> BanList::Bans(SteadyTime now) const {
  std::vector<BanEntry> out;
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [addr, t] : tracks_) {
    if (t.banned_until > now) out.push_back({addr, t.banned_until, options_.max_retry});
  }
  std::sort(out.begin(), out.end(),
            [](const BanEntry& a, const BanEntry& b) { return a.until < b.until; });
  return out;
}

void BanList::Prune(SteadyTime now) {
  for (auto it = tracks_.begin(); it != tracks_.end();) {
    const Track& t = it->second;
    const bool banned = t.banned_until > now;
    const bool recent = !t.failures.empty() && now - t.failures.back() < options_.find_time;
    it = (banned || recent) ? std::next(it) : tracks_.erase(it);
  }
}

}  // namespace sipreg::registrar
