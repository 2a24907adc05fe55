#include "sip/digest.h"

#include <openssl/evp.h>

#include <array>
#include <memory>

namespace sipreg::sip {
namespace {

char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

enum class HashKind : uint8_t { kMd5, kSha256, kSha512_256 };

HashKind HashOf(DigestAlgorithm alg) {
  switch (alg) {
    case DigestAlgorithm::kMd5:
    case DigestAlgorithm::kMd5Sess:
      return HashKind::kMd5;
    case DigestAlgorithm::kSha256:
    case DigestAlgorithm::kSha256Sess:
      return HashKind::kSha256;
    case DigestAlgorithm::kSha512_256:
    case DigestAlgorithm::kSha512_256Sess:
      return HashKind::kSha512_256;
  }
  return HashKind::kMd5;
}

// The fetched EVP_MDs live for the whole process; fetching once avoids a
// provider lookup per hash. EVP_MD objects may be shared between threads.
const EVP_MD* FetchedMd(HashKind kind) {
  static const std::array<EVP_MD*, 3> mds = {
      EVP_MD_fetch(nullptr, "MD5", nullptr),
      EVP_MD_fetch(nullptr, "SHA256", nullptr),
      EVP_MD_fetch(nullptr, "SHA512-256", nullptr),
  };
  return mds[static_cast<size_t>(kind)];
}

bool IsHexString(std::string_view s) {
  for (char c : s) {
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (!hex) return false;
  }
  return true;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

struct Name {
  DigestAlgorithm alg;
  std::string_view name;
};
constexpr std::array<Name, kDigestAlgorithmCount> kNames = {{
    {DigestAlgorithm::kMd5, "MD5"},
    {DigestAlgorithm::kMd5Sess, "MD5-sess"},
    {DigestAlgorithm::kSha256, "SHA-256"},
    {DigestAlgorithm::kSha256Sess, "SHA-256-sess"},
    {DigestAlgorithm::kSha512_256, "SHA-512-256"},
    {DigestAlgorithm::kSha512_256Sess, "SHA-512-256-sess"},
}};

}  // namespace

std::optional<DigestAlgorithm> ParseDigestAlgorithm(std::string_view name) {
  for (const Name& n : kNames) {
    if (EqualsIgnoreCase(n.name, name)) return n.alg;
  }
  return std::nullopt;
}

std::optional<DigestAlgorithm> DigestAlgorithmOrMd5(std::string_view name) {
  if (name.empty()) return DigestAlgorithm::kMd5;
  return ParseDigestAlgorithm(name);
}

std::string_view DigestAlgorithmName(DigestAlgorithm alg) {
  for (const Name& n : kNames) {
    if (n.alg == alg) return n.name;
  }
  return "MD5";
}

bool IsSessionAlgorithm(DigestAlgorithm alg) {
  return alg == DigestAlgorithm::kMd5Sess || alg == DigestAlgorithm::kSha256Sess ||
         alg == DigestAlgorithm::kSha512_256Sess;
}

DigestAlgorithm BaseAlgorithm(DigestAlgorithm alg) {
  switch (HashOf(alg)) {
    case HashKind::kMd5:
      return DigestAlgorithm::kMd5;
    case HashKind::kSha256:
      return DigestAlgorithm::kSha256;
    case HashKind::kSha512_256:
      return DigestAlgorithm::kSha512_256;
  }
  return DigestAlgorithm::kMd5;
}

size_t DigestHexLength(DigestAlgorithm alg) { return HashOf(alg) == HashKind::kMd5 ? 32 : 64; }

std::optional<Qop> ParseQop(std::string_view name) {
  if (name.empty()) return Qop::kNone;
  if (EqualsIgnoreCase(name, "auth")) return Qop::kAuth;
  if (EqualsIgnoreCase(name, "auth-int")) return Qop::kAuthInt;
  return std::nullopt;
}

std::string_view QopName(Qop qop) {
  switch (qop) {
    case Qop::kNone:
      return "";
    case Qop::kAuth:
      return "auth";
    case Qop::kAuthInt:
      return "auth-int";
  }
  return "";
}

std::string HexEncode(std::span<const uint8_t> bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out += kHex[b >> 4];
    out += kHex[b & 0x0f];
  }
  return out;
}

Result<std::string> DigestHash(DigestAlgorithm alg, std::string_view data) {
  const EVP_MD* md = FetchedMd(HashOf(alg));
  if (md == nullptr) {
    return Status::Internal("OpenSSL does not provide " +
                            std::string(DigestAlgorithmName(BaseAlgorithm(alg))));
  }
  // One context per thread, reused: EVP_Digest() allocates and frees one per
  // call, which costs about as much as hashing a short digest string.
  struct CtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
  };
  thread_local std::unique_ptr<EVP_MD_CTX, CtxFree> ctx(EVP_MD_CTX_new());
  std::array<uint8_t, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  if (ctx == nullptr || EVP_DigestInit_ex2(ctx.get(), md, nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data.data(), data.size()) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), out.data(), &len) != 1) {
    return Status::Internal("EVP_Digest failed");
  }
  return HexEncode(std::span<const uint8_t>(out.data(), len));
}

Result<std::string> ComputeHa1(DigestAlgorithm alg, std::string_view username,
                               std::string_view realm, std::string_view password) {
  std::string a1;
  a1.reserve(username.size() + realm.size() + password.size() + 2);
  a1 += username;
  a1 += ':';
  a1 += realm;
  a1 += ':';
  a1 += password;
  return DigestHash(alg, a1);
}

Result<std::string> ComputeUserhash(DigestAlgorithm alg, std::string_view username,
                                    std::string_view realm) {
  std::string s(username);
  s += ':';
  s += realm;
  return DigestHash(alg, s);
}

Result<std::string> ComputeResponse(DigestAlgorithm alg, std::string_view ha1,
                                    std::string_view nonce, std::string_view nc,
                                    std::string_view cnonce, Qop qop, std::string_view method,
                                    std::string_view uri, std::string_view body) {
  if (ha1.size() != DigestHexLength(alg) || !IsHexString(ha1)) {
    return Status::InvalidArgument("HA1 is not a " + std::to_string(DigestHexLength(alg)) +
                                   "-digit hex string for " +
                                   std::string(DigestAlgorithmName(alg)));
  }
  const bool needs_cnonce = qop != Qop::kNone || IsSessionAlgorithm(alg);
  if (needs_cnonce && cnonce.empty()) {
    return Status::InvalidArgument("cnonce is required with qop or a -sess algorithm");
  }
  if (qop != Qop::kNone && nc.empty()) return Status::InvalidArgument("nc is required with qop");

  std::string ha1_eff = Lower(ha1);
  if (IsSessionAlgorithm(alg)) {
    std::string s = ha1_eff;
    s += ':';
    s += nonce;
    s += ':';
    s += cnonce;
    Result<std::string> h = DigestHash(alg, s);
    if (!h.ok()) return h.status();
    ha1_eff = std::move(h).value();
  }

  std::string a2(method);
  a2 += ':';
  a2 += uri;
  if (qop == Qop::kAuthInt) {
    Result<std::string> hbody = DigestHash(alg, body);
    if (!hbody.ok()) return hbody.status();
    a2 += ':';
    a2 += *hbody;
  }
  Result<std::string> ha2 = DigestHash(alg, a2);
  if (!ha2.ok()) return ha2.status();

  std::string kd = std::move(ha1_eff);
  kd += ':';
  kd += nonce;
  kd += ':';
  if (qop != Qop::kNone) {
    kd += nc;
    kd += ':';
    kd += cnonce;
    kd += ':';
    kd += QopName(qop);
    kd += ':';
  }
  kd += *ha2;
  return DigestHash(alg, kd);
}

DigestSecret DigestSecret::FromPassword(std::string pw) {
  DigestSecret s;
  s.password = std::move(pw);
  return s;
}

DigestSecret DigestSecret::FromHa1(DigestAlgorithm alg, std::string ha1_hex) {
  DigestSecret s;
  switch (HashOf(alg)) {
    case HashKind::kMd5:
      s.ha1_md5 = std::move(ha1_hex);
      break;
    case HashKind::kSha256:
      s.ha1_sha256 = std::move(ha1_hex);
      break;
    case HashKind::kSha512_256:
      s.ha1_sha512_256 = std::move(ha1_hex);
      break;
  }
  return s;
}

namespace {
const std::optional<std::string>& StoredHa1(const DigestSecret& s, DigestAlgorithm alg) {
  switch (HashOf(alg)) {
    case HashKind::kMd5:
      return s.ha1_md5;
    case HashKind::kSha256:
      return s.ha1_sha256;
    case HashKind::kSha512_256:
      return s.ha1_sha512_256;
  }
  return s.ha1_md5;
}
}  // namespace

bool DigestSecret::Supports(DigestAlgorithm alg) const {
  return password.has_value() || StoredHa1(*this, alg).has_value();
}

Result<std::string> DigestSecret::Ha1For(DigestAlgorithm alg, std::string_view username,
                                         std::string_view realm) const {
  const std::optional<std::string>& stored = StoredHa1(*this, alg);
  if (stored) return Lower(*stored);
  if (password) return ComputeHa1(alg, username, realm, *password);
  return Status::NotFound("no password or HA1 for " +
                          std::string(DigestAlgorithmName(BaseAlgorithm(alg))));
}

}  // namespace sipreg::sip
