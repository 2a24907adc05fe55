// NonceManager: server-side digest nonces that need no per-nonce state to be
// validated, plus a bounded nonce-count (nc) table for replay detection.
//
// A nonce is base64url (no padding, 43 characters) of 32 bytes:
//   timestamp (8 bytes, big-endian ms since the Unix epoch, from Clock::WallNow)
//   || salt (8 bytes from Random)
//   || first 16 bytes of HMAC-SHA256(secret, timestamp || salt || realm)
// Validate() recomputes the MAC (constant-time comparison) and checks the age:
// a nonce is stale once older than the lifetime, or when its timestamp lies in
// the future (the wall clock stepped back) — the MAC proves we issued it, so
// the client just gets a new one (401 with stale=true). Wall time rather than
// steady time lets a secret that is supplied (shared by a cluster, kept over a
// restart) keep working. Only the canonical encoding is accepted, so one nonce
// has exactly one spelling and the nc table cannot be bypassed.
//
// The nc table maps a nonce to the highest nc seen. It holds at most
// `nc_table_capacity` nonces; entries first seen longer than the lifetime ago
// are dropped (their nonces are stale anyway). When the table is full the
// oldest entry is evicted and its timestamp raises a watermark: a nonce that
// is not in the table and was issued at or before the watermark is reported
// as kForgotten (treat it as stale), so eviction never opens a replay window.
//
// Thread-safety: all methods may be called concurrently. The keyed HMAC
// context (the key's inner and outer pads hashed once, at construction) is
// reused under its own mutex, held only for one MAC; Issue() serialises its
// use of Random with a mutex; the nc table is guarded by its own mutex.
// Lifetime: `clock` and `random` must outlive the NonceManager. If `random` is
// also used by others concurrently it must be thread-safe itself (OpenSslRandom is).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "common/random.h"
#include "common/status.h"

namespace sipreg::sip {

struct NonceOptions {
  Millis lifetime{30'000};
  size_t nc_table_capacity = 4096;  // nonces tracked for replay detection (>= 1)
};

class NonceManager {
 public:
  using Options = NonceOptions;

  enum class Validity : uint8_t {
    kValid,    // ours, for this realm, within the lifetime
    kStale,    // ours and for this realm, but expired: challenge again with stale=true
    kInvalid,  // not ours, tampered, or for another realm
  };

  enum class Use : uint8_t {
    kAccepted,   // nc above any seen for this nonce / first use without nc
    kReused,     // no nc given and the nonce had been used before (legal without qop)
    kReplay,     // nc not above the highest nc already seen for this nonce
    kForgotten,  // fresh, but its table entry was evicted under pressure: treat as stale
    kInvalid,    // not a well-formed nonce of ours (call Validate() first)
  };

  static constexpr size_t kSecretBytes = 32;
  static constexpr size_t kMinSecretBytes = 16;
  static constexpr size_t kNonceChars = 43;

  // Draws a fresh kSecretBytes secret from `random`.
  NonceManager(const Clock& clock, Random& random, Options options = {});
  // Uses a supplied secret (at least kMinSecretBytes), e.g. shared by a cluster.
  static Result<std::unique_ptr<NonceManager>> WithSecret(const Clock& clock, Random& random,
                                                          std::span<const uint8_t> secret,
                                                          Options options = {});

  ~NonceManager();
  NonceManager(const NonceManager&) = delete;
  NonceManager& operator=(const NonceManager&) = delete;

  // A new nonce bound to `realm` and the current time.
  std::string Issue(std::string_view realm);

  // Checks the MAC (binding the realm) and the age.
  Validity Validate(std::string_view nonce, std::string_view realm) const;

  // Records nc for a nonce (call after Validate() == kValid and after the
  // response checked out). Accepts only nc strictly above the highest seen.
  Use CheckAndRecordNc(std::string_view nonce, uint32_t nc);
  // For credentials without qop (no nc): records the use and reports kReused
  // when the nonce had been used before. Callers may accept a reuse.
  Use RecordUseWithoutNc(std::string_view nonce);

  Millis lifetime() const { return options_.lifetime; }
  size_t nc_table_size() const;

 private:
  NonceManager(const Clock& clock, Random& random, std::vector<uint8_t> secret, Options options);

  struct Entry {
    uint32_t highest_nc = 0;
    bool used = false;
    int64_t issued_ms = 0;
  };
  struct Seen {
    int64_t first_seen_ms;
    std::string nonce;
  };

  struct Mac;  // OpenSSL's keyed HMAC-SHA256 context

  // HMAC over the nonce's timestamp and salt and the realm, truncated to
  // `out_len` bytes. False on an OpenSSL failure.
  bool ComputeMac(const uint8_t* ts_and_salt, std::string_view realm, uint8_t* out,
                  size_t out_len) const;
  int64_t NowMs() const;
  bool IsFresh(int64_t issued_ms, int64_t now_ms) const;
  // Finds or creates the entry for an already-decoded nonce; nullptr when the
  // nonce was forgotten. Requires table_mu_.
  Entry* FindOrInsertLocked(std::string_view nonce, int64_t issued_ms, int64_t now_ms);
  void EvictFrontLocked(int64_t now_ms);

  const Clock& clock_;
  const Options options_;
  const std::vector<uint8_t> secret_;

  mutable std::mutex mac_mu_;
  std::unique_ptr<Mac> mac_;  // guarded by mac_mu_ (its context is reused)

  std::mutex random_mu_;
  Random& random_;  // guarded by random_mu_

  mutable std::mutex table_mu_;
  std::unordered_map<std::string, Entry> table_;  // guarded by table_mu_
  std::deque<Seen> order_;                        // guarded by table_mu_; by first_seen_ms
  int64_t evicted_watermark_ms_ = INT64_MIN;      // guarded by table_mu_
};

}  // namespace sipreg::sip
