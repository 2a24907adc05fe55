#include "sip/nonce.h"

#include <openssl/crypto.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <openssl/params.h>

// EVP_MAC_init with a null key restarts an HMAC context with the key it holds
// from OpenSSL 3.0.3 on; 3.0.0-3.0.2 silently did nothing (openssl#17811).
#if OPENSSL_VERSION_NUMBER < 0x30000030L
#error "sipreg needs OpenSSL 3.0.3 or later"
#endif

#include <algorithm>
#include <array>
#include <optional>

namespace sipreg::sip {
namespace {

constexpr size_t kTsBytes = 8;
constexpr size_t kSaltBytes = 8;
constexpr size_t kMacBytes = 16;
constexpr size_t kRawBytes = kTsBytes + kSaltBytes + kMacBytes;  // 32
static_assert((kRawBytes * 8 + 5) / 6 == NonceManager::kNonceChars);

using Raw = std::array<uint8_t, kRawBytes>;

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int B64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '-') return 62;
  if (c == '_') return 63;
  return -1;
}

std::string EncodeB64Url(const Raw& raw) {
  std::string out;
  out.reserve(NonceManager::kNonceChars);
  uint32_t acc = 0;
  int bits = 0;
  for (uint8_t b : raw) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 6) {
      bits -= 6;
      out += kB64[(acc >> bits) & 0x3f];
    }
  }
  if (bits > 0) out += kB64[(acc << (6 - bits)) & 0x3f];
  return out;
}

// Accepts only the canonical spelling: exact length, alphabet, and zero
// padding bits in the last character.
std::optional<Raw> DecodeB64Url(std::string_view s) {
  if (s.size() != NonceManager::kNonceChars) return std::nullopt;
  Raw raw{};
  uint32_t acc = 0;
  int bits = 0;
  size_t n = 0;
  for (char c : s) {
    const int v = B64Value(c);
    if (v < 0) return std::nullopt;
    acc = ((acc << 6) | static_cast<uint32_t>(v)) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      raw[n++] = static_cast<uint8_t>((acc >> bits) & 0xff);
    }
  }
  if ((acc & ((1u << bits) - 1)) != 0) return std::nullopt;
  return raw;
}

int64_t ReadTs(const Raw& raw) {
  uint64_t v = 0;
  for (size_t i = 0; i < kTsBytes; ++i) v = (v << 8) | raw[i];
  return static_cast<int64_t>(v);
}

void WriteTs(Raw& raw, int64_t ts) {
  auto v = static_cast<uint64_t>(ts);
  for (size_t i = kTsBytes; i-- > 0;) {
    raw[i] = static_cast<uint8_t>(v & 0xff);
    v >>= 8;
  }
}

std::vector<uint8_t> DrawSecret(Random& random) {
  std::vector<uint8_t> s(NonceManager::kSecretBytes);
  random.Fill(s);
  return s;
}

}  // namespace

NonceManager::NonceManager(const Clock& clock, Random& random, Options options)
    : NonceManager(clock, random, DrawSecret(random), options) {}

// Fetching HMAC and hashing the key's pads once, instead of per nonce (the
// one-shot HMAC() does both every call: most of the cost of a MAC).
struct NonceManager::Mac {
  EVP_MAC* mac = nullptr;
  EVP_MAC_CTX* ctx = nullptr;
  bool keyed = false;

  explicit Mac(std::span<const uint8_t> key) {
    mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    if (mac != nullptr) ctx = EVP_MAC_CTX_new(mac);
    if (ctx == nullptr) return;
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_END};
    keyed = EVP_MAC_init(ctx, key.data(), key.size(), params) == 1;
  }
  ~Mac() {
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
  }
  Mac(const Mac&) = delete;
  Mac& operator=(const Mac&) = delete;
};

NonceManager::NonceManager(const Clock& clock, Random& random, std::vector<uint8_t> secret,
                           Options options)
    : clock_(clock),
      options_(options),
      secret_(std::move(secret)),
      mac_(std::make_unique<Mac>(secret_)),
      random_(random) {}

NonceManager::~NonceManager() = default;

bool NonceManager::ComputeMac(const uint8_t* ts_and_salt, std::string_view realm, uint8_t* out,
                              size_t out_len) const {
  std::array<uint8_t, EVP_MAX_MD_SIZE> full{};
  size_t len = 0;
  std::lock_guard lock(mac_mu_);
  if (!mac_->keyed) return false;
  // A null key restarts the context with the key it already holds.
  if (EVP_MAC_init(mac_->ctx, nullptr, 0, nullptr) != 1 ||
      EVP_MAC_update(mac_->ctx, ts_and_salt, kTsBytes + kSaltBytes) != 1 ||
      EVP_MAC_update(mac_->ctx, reinterpret_cast<const uint8_t*>(realm.data()), realm.size()) !=
          1 ||
      EVP_MAC_final(mac_->ctx, full.data(), &len, full.size()) != 1 || len < out_len) {
    return false;
  }
  std::copy_n(full.begin(), out_len, out);
  return true;
}

Result<std::unique_ptr<NonceManager>> NonceManager::WithSecret(const Clock& clock, Random& random,
                                                               std::span<const uint8_t> secret,
                                                               Options options) {
  if (secret.size() < kMinSecretBytes) {
    return Status::InvalidArgument("nonce secret must have at least " +
                                   std::to_string(kMinSecretBytes) + " bytes");
  }
  return std::unique_ptr<NonceManager>(
      new NonceManager(clock, random, std::vector<uint8_t>(secret.begin(), secret.end()), options));
}

int64_t NonceManager::NowMs() const {
  return std::chrono::duration_cast<Millis>(clock_.WallNow().time_since_epoch()).count();
}

bool NonceManager::IsFresh(int64_t issued_ms, int64_t now_ms) const {
  if (issued_ms > now_ms) return false;
  // now_ms >= issued_ms, both plausible epoch values; a hostile timestamp is
  // excluded by the MAC check before this is reached.
  return static_cast<uint64_t>(now_ms) - static_cast<uint64_t>(issued_ms) <=
         static_cast<uint64_t>(options_.lifetime.count());
}

std::string NonceManager::Issue(std::string_view realm) {
  Raw raw{};
  WriteTs(raw, NowMs());
  {
    std::lock_guard<std::mutex> lock(random_mu_);
    random_.Fill(std::span<uint8_t>(raw.data() + kTsBytes, kSaltBytes));
  }
  // On an OpenSSL failure the MAC stays zero; such a nonce never validates,
  // so clients are merely challenged again.
  (void)ComputeMac(raw.data(), realm, raw.data() + kTsBytes + kSaltBytes, kMacBytes);
  return EncodeB64Url(raw);
}

NonceManager::Validity NonceManager::Validate(std::string_view nonce,
                                              std::string_view realm) const {
  std::optional<Raw> raw = DecodeB64Url(nonce);
  if (!raw) return Validity::kInvalid;
  std::array<uint8_t, kMacBytes> mac{};
  if (!ComputeMac(raw->data(), realm, mac.data(), mac.size())) return Validity::kInvalid;
  if (CRYPTO_memcmp(mac.data(), raw->data() + kTsBytes + kSaltBytes, kMacBytes) != 0) {
    return Validity::kInvalid;
  }
  return IsFresh(ReadTs(*raw), NowMs()) ? Validity::kValid : Validity::kStale;
}

void NonceManager::EvictFrontLocked(int64_t now_ms) {
  auto it = table_.find(order_.front().nonce);
  if (it != table_.end()) {
    if (IsFresh(it->second.issued_ms, now_ms)) {
      evicted_watermark_ms_ = std::max(evicted_watermark_ms_, it->second.issued_ms);
    }
    table_.erase(it);
  }
  order_.pop_front();
}

NonceManager::Entry* NonceManager::FindOrInsertLocked(std::string_view nonce, int64_t issued_ms,
                                                      int64_t now_ms) {
  // Drop entries first seen longer than the lifetime ago: their nonces are stale.
  while (
      !order_.empty() &&
      order_.front()
          .first_seen_ms<now_ms&& static_cast<uint64_t>(now_ms) -
                         static_cast<uint64_t>(
                             order_.front().first_seen_ms)> static_cast<uint64_t>(options_.lifetime
                                                                                      .count())) {
    EvictFrontLocked(now_ms);
  }
  std::string key(nonce);
  auto it = table_.find(key);
  if (it != table_.end()) return &it->second;
  if (issued_ms <= evicted_watermark_ms_) return nullptr;
  const size_t capacity = std::max<size_t>(options_.nc_table_capacity, 1);
  while (table_.size() >= capacity && !order_.empty()) EvictFrontLocked(now_ms);
  if (issued_ms <= evicted_watermark_ms_) return nullptr;
  order_.push_back(Seen{now_ms, key});
  Entry& e = table_[std::move(key)];
  e.issued_ms = issued_ms;
  return &e;
}

NonceManager::Use NonceManager::CheckAndRecordNc(std::string_view nonce, uint32_t nc) {
  std::optional<Raw> raw = DecodeB64Url(nonce);
  if (!raw) return Use::kInvalid;
  const int64_t now = NowMs();
  std::lock_guard<std::mutex> lock(table_mu_);
  Entry* e = FindOrInsertLocked(nonce, ReadTs(*raw), now);
  if (e == nullptr) return Use::kForgotten;
  if (nc <= e->highest_nc) return Use::kReplay;
  e->highest_nc = nc;
  e->used = true;
  return Use::kAccepted;
}

NonceManager::Use NonceManager::RecordUseWithoutNc(std::string_view nonce) {
  std::optional<Raw> raw = DecodeB64Url(nonce);
  if (!raw) return Use::kInvalid;
  const int64_t now = NowMs();
  std::lock_guard<std::mutex> lock(table_mu_);
  Entry* e = FindOrInsertLocked(nonce, ReadTs(*raw), now);
  if (e == nullptr) return Use::kForgotten;
  const bool was_used = e->used;
  e->used = true;
  return was_used ? Use::kReused : Use::kAccepted;
}

size_t NonceManager::nc_table_size() const {
  std::lock_guard<std::mutex> lock(table_mu_);
  return table_.size();
}

}  // namespace sipreg::sip
