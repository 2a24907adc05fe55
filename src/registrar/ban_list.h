// BanList: brute-force protection with fail2ban's vocabulary. After `maxretry`
// failed authentications from one source address within `findtime`, that
// address is ignored for `bantime`. Addresses in `ignoreip` are never banned.
// Sans-I/O: time comes in as arguments. Thread-safe (one mutex; the REGISTER
// path takes it only when a failure is recorded or an address is checked).
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "registrar/ip_acl.h"

namespace sipreg::registrar {

struct BanOptions {
  uint32_t max_retry = 10;  // 0 turns protection off
  std::chrono::seconds find_time{60};
  std::chrono::seconds ban_time{600};
  std::vector<IpNetwork> ignore;  // trusted networks, never banned
  size_t max_tracked = 100'000;   // bound on addresses tracked at once
};

struct BanEntry {
  std::string address;
  SteadyTime until;
  uint32_t failures = 0;
};

class BanList {
 public:
  explicit BanList(BanOptions options) : options_(std::move(options)) {}

  // True while `address` is banned.
  bool IsBlocked(std::string_view address, SteadyTime now) const;
  // Records one failed authentication; true if this failure started a ban (log it once).
  bool RecordFailure(std::string_view address, SteadyTime now);
  // Lifts a ban (and forgets the failures); false if the address was not banned.
  bool Unban(std::string_view address);
  // Current bans, soonest-ending first.
  std::vector<BanEntry> Bans(SteadyTime now) const;
  size_t blocked_count(SteadyTime now) const { return Bans(now).size(); }
  // A copy of the settings in force.
  BanOptions options() const {
    std::lock_guard<std::mutex> lock(mu_);
    return options_;
  }
  // New settings (config reload); current bans and failure counts stay.
  void SetOptions(BanOptions options) {
    std::lock_guard<std::mutex> lock(mu_);
    options_ = std::move(options);
  }

 private:
  struct Track {
    std::deque<SteadyTime> failures;  // within find_time
    SteadyTime banned_until{};
  };
  bool Ignored(std::string_view address) const;  // REQUIRES(mu_)
  void Prune(SteadyTime now);  // REQUIRES(mu_)

  BanOptions options_;  // GUARDED_BY(mu_)
  mutable std::mutex mu_;
  std::unordered_map<std::string, Track> tracks_;  // GUARDED_BY(mu_)
};

}  // namespace sipreg::registrar
