#include "common/random.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <pthread.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <cstring>

namespace sipreg {

uint64_t Random::NextU64() {
  uint8_t b[8];
  Fill(b);
  uint64_t v = 0;
  std::memcpy(&v, b, sizeof v);
  return v;
}

uint64_t Random::Uniform(uint64_t bound) {
  if (bound == 0) return 0;
  // Rejection sampling to avoid modulo bias.
  const uint64_t limit = UINT64_MAX - (UINT64_MAX % bound);
  uint64_t v;
  do {
    v = NextU64();
  } while (v >= limit);
  return v % bound;
}

std::string Random::HexToken(size_t n) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(n, '0');
  uint8_t buf[32];
  size_t i = 0;
  while (i < n) {
    Fill(buf);
    for (size_t j = 0; j < sizeof buf && i < n; ++j) {
      out[i++] = kHex[buf[j] & 0x0f];
      if (i < n) out[i++] = kHex[buf[j] >> 4];
    }
  }
  return out;
}

namespace {

void RandBytes(std::span<uint8_t> out) {
  if (RAND_bytes(out.data(), static_cast<int>(out.size())) != 1) {
    // Without a working CSPRNG no nonce or branch can be trusted; refuse to go on.
    std::abort();
  }
}

// Bumped in a child after fork(): every block drawn before it is discarded.
std::atomic<uint64_t> fork_generation{0};

struct RandomBlock {
  static constexpr size_t kSize = 4096;
  std::array<uint8_t, kSize> bytes{};
  size_t used = kSize;  // nothing left: the first request draws
  uint64_t generation = 0;

  // OPENSSL_cleanse: a plain memset of an object about to die may be optimised
  // away. A Fill after this (from a later destructor) draws directly.
  ~RandomBlock() {
    OPENSSL_cleanse(bytes.data(), bytes.size());
    used = kSize;
    destroyed = true;
  }
  bool destroyed = false;
};

}  // namespace

void OpenSslRandom::Fill(std::span<uint8_t> out) {
  if (out.empty()) return;
  if (out.size() > RandomBlock::kSize / 16) {
    RandBytes(out);
    return;
  }
  static const bool registered = [] {
    pthread_atfork(nullptr, nullptr, [] { fork_generation.fetch_add(1); });
    return true;
  }();
  (void)registered;
  thread_local RandomBlock block;
  if (block.destroyed) {
    RandBytes(out);
    return;
  }
  const uint64_t generation = fork_generation.load(std::memory_order_relaxed);
  if (block.generation != generation || RandomBlock::kSize - block.used < out.size()) {
    RandBytes(block.bytes);
    block.used = 0;
    block.generation = generation;
  }
  // Each byte is handed out once, then wiped.
  std::memcpy(out.data(), block.bytes.data() + block.used, out.size());
  std::memset(block.bytes.data() + block.used, 0, out.size());
  block.used += out.size();
}

OpenSslRandom& OpenSslRandom::Instance() {
  static OpenSslRandom r;
  return r;
}

void FakeRandom::Fill(std::span<uint8_t> out) {
  for (size_t i = 0; i < out.size(); i += 8) {
    state_ += 0x9e3779b97f4a7c15ULL;
    uint64_t z = state_;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    size_t n = out.size() - i < 8 ? out.size() - i : 8;
    std::memcpy(out.data() + i, &z, n);
  }
}

}  // namespace sipreg
