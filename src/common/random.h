// Random: the only source of randomness (branches, tags, nonces, cnonces, jitter).
// OpenSslRandom is cryptographically strong; FakeRandom is deterministic for tests.
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace sipreg {

class Random {
 public:
  virtual ~Random() = default;
  virtual void Fill(std::span<uint8_t> out) = 0;

  uint64_t NextU64();
  // Uniform in [0, bound); bound 0 returns 0.
  uint64_t Uniform(uint64_t bound);
  // n lowercase hex characters of fresh randomness.
  std::string HexToken(size_t n);
};

// RAND_bytes from OpenSSL. Thread-safe. Small requests (branches, tags, nonce
// salts: several per SIP request) are served from a per-thread block of 4 KiB
// drawn with one RAND_bytes call: each RAND_bytes call locks the DRBG and asks
// the kernel for the process id (fork detection), which costs more than the
// bytes themselves. A child process made by fork() never reuses its parent's
// block (pthread_atfork invalidates every thread's block).
class OpenSslRandom final : public Random {
 public:
  void Fill(std::span<uint8_t> out) override;
  static OpenSslRandom& Instance();
};

// splitmix64 stream from a seed. Not thread-safe.
class FakeRandom final : public Random {
 public:
  explicit FakeRandom(uint64_t seed = 42) : state_(seed) {}
  void Fill(std::span<uint8_t> out) override;

 private:
  uint64_t state_;
};

}  // namespace sipreg
